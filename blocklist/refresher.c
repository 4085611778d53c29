/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refresher.c — builds snapshots from the feeds and swaps them in, on a thread of
 * its own (see dnsrep/refresher.h).
 *
 * Two sources.  Without Redis it watches the local feed files (file:// sources)
 * every poll-interval.  With Redis it subscribes to the change notice and also
 * polls the version every poll-interval in case a notice was missed; on a change
 * it fetches only the feeds whose version moved.  While Redis is unreachable it
 * retries with capped exponential backoff and says so once per change of state;
 * blocking goes on from the current snapshot.  Data that cannot be read (a key of
 * the wrong type, a version that is not a number) is not a connection error: the
 * connection stays, the affected feed keeps its last good version, the error is
 * said once per distinct cause and sent with the heartbeat, and the read is tried
 * again every poll-interval.  A feed missing from Redis (a Redis
 * restarted without persistence) never replaces a non-empty blocklist; a feed the
 * feeder published empty on purpose does.  After each poll it sends a heartbeat.
 *
 * Each feed keeps the bytes of its last good version.  A rebuild takes, per
 * feed, the new bytes when they load cleanly and the last good bytes when they
 * do not, so one broken feed costs only its own update.  The whole snapshot is
 * rebuilt on any change: at a million names that takes under a second, off the
 * resolver threads, and keeps one code path.
 */
#include "dnsrep/refresher.h"
#include "dnsrep/load.h"
#include "dnsrep/store.h"
#include "dnsrep/store_config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/** At start, the longest wait for each step of the first Redis read, ms. */
#define DNSREP_INIT_WAIT_MS 1000

/** One feed's state between rebuilds. */
struct feed_state {
	const struct dnsrep_feed_config *cfg;
	const char *path;        /**< the local file, or NULL (not a local source) */
	struct stat seen;        /**< the file as last read (st_ino, st_size, st_mtim) */
	int have_seen;
	struct stat settling;    /**< a suspect version held back, to be taken if unchanged */
	int have_settling;
	char *good;              /**< the last good version's bytes, or NULL */
	size_t good_len;
	unsigned good_entries;
	uint64_t redis_version;  /**< the Redis version of good (Redis mode) */
	char redis_digest[65];   /**< and its digest: versions restart with an empty Redis */
	int reported_missing;    /**< "not in Redis" said once */
	int reported_carry;      /**< "entries kept from the blocklist in place" said once */
	char data_error[DNSREP_ERRLEN]; /**< its keys in Redis cannot be read (said once), or "" */
	/* for the metrics, under the refresher's lock */
	uint64_t refreshes;      /**< new versions taken */
	uint64_t failures;       /**< new versions refused, or unreadable (the last good kept) */
	int64_t last_ok;         /**< when a new version was last taken (Unix time), or 0 */
};

struct dnsrep_refresher {
	struct dnsrep_refresher_opts o;
	struct feed_state *feeds;
	size_t n_feeds;
	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;                /**< under lock */
	unsigned long swaps;     /**< under lock */
	int64_t last_swap_ns;    /**< under lock: how long the last swap took, its flush included */
	int64_t installed_at;    /**< under lock: when the blocklist in place was installed */
	uint64_t reconnects;     /**< under lock: connections to Redis made after the first */
	int connected;           /**< under lock: both Redis connections are up */
	int ever_connected;
	unsigned rejects_seen;   /**< rejected lines of the feed being loaded */
	/* Redis mode */
	int redis;                     /**< following Redis, not files */
	struct dnsrep_store_opts so, po;  /**< redis:, and redis-primary: for writes */
	char hostbuf[512], primarybuf[512];
	struct dnsrep_store *cmd, *sub; /**< commands; the subscribed connection */
	struct dnsrep_store *hb;        /**< heartbeats, to the primary */
	int hb_down;                    /**< said so already */
	int need_full_check;            /**< since the last connect no sync read every feed */
	int in_init;                    /**< dnsrep_refresher_start runs (before the thread) */
	uint64_t loaded_version;       /**< the Redis version of the current snapshot */
	int64_t loaded_at;
	uint32_t loaded_names;
	unsigned backoff;              /**< seconds before the next connection attempt */
	int down;                      /**< Redis was unreachable at the last attempt */
	char down_reason[DNSREP_ERRLEN];
	char data_error[DNSREP_ERRLEN]; /**< why dnsrep:version cannot be read (said once), or "" */
	char sync_error[DNSREP_ERRLEN]; /**< the last sync's first data error, for heartbeats */
};

static void say(struct dnsrep_refresher *r, enum dnsrep_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct dnsrep_refresher *r, enum dnsrep_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dnsrep_vsay(r->o.on_msg, r->o.ctx, level, fmt, ap);
	va_end(ap);
}

/** Count a feed's new version taken (ok) or refused. */
static void feed_counted(struct dnsrep_refresher *r, struct feed_state *f, int ok)
{
	pthread_mutex_lock(&r->lock);
	if (ok) {
		f->refreshes++;
		f->last_ok = (int64_t)time(NULL);
	} else {
		f->failures++;
	}
	pthread_mutex_unlock(&r->lock);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/** Read a whole file; NULL with err set on failure. */
static char *slurp(const char *path, size_t *len, struct stat *st, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), st) < 0 || !S_ISREG(st->st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s is not a regular file", path);
		return NULL;
	}
	size_t size = (size_t)st->st_size;
	char *data = malloc(size + 1);
	if (!data) {
		fclose(f);
		snprintf(err, errlen, "out of memory reading %s", path);
		return NULL;
	}
	size_t got = fread(data, 1, size, f);
	fclose(f);
	if (got != size) {
		free(data);
		snprintf(err, errlen, "cannot read %s (changed while read?)", path);
		return NULL;
	}
	data[size] = 0;
	*len = size;
	return data;
}

/** Rejected lines said per load of a feed; the rest are counted. */
#define SAY_REJECTS 5

static void report_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	struct dnsrep_refresher *r = ctx;
	if (r->rejects_seen++ < SAY_REJECTS)
		say(r, DNSREP_WARN, "%s:%u: %s", feed, line, reason);
}

/** Whether two stats are of the same file in the same state. */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/** Whether a feed file differs from what was last read. */
static int changed(struct feed_state *f)
{
	struct stat st;
	if (!f->path)
		return 0;
	if (f->have_settling)
		return 1; /* a suspect version waits to be read again */
	if (stat(f->path, &st) < 0)
		return f->have_seen; /* gone: worth one attempt to report it */
	return !f->have_seen || !same_file(&st, &f->seen);
}

/**
 * Why new bytes of a feed file look like a file still being written (an editor's
 * or cp's write in progress, a feeder's non-atomic copy), or NULL: the last line
 * has no newline, or a tenth or more of the entries are gone.  Only when there is
 * a last good version to keep meanwhile.
 */
static const char *looks_unfinished(const struct feed_state *f, const char *data, size_t len,
	unsigned entries, char *buf, size_t buflen)
{
	if (!f->good)
		return NULL;
	if (len > 0 && data[len - 1] != '\n')
		return "its last line has no newline";
	if (f->good_entries >= 20 && entries < f->good_entries - f->good_entries / 10) {
		snprintf(buf, buflen, "it lost %u of its %u entries", f->good_entries - entries,
			 f->good_entries);
		return buf;
	}
	return NULL;
}

/**
 * Load one feed into the builder: its new bytes when given and good, else its last
 * good bytes.  Updates the feed's last good version.  Returns 1 when the new
 * bytes were taken.
 */
static int load_feed(struct dnsrep_refresher *r, struct dnsrep_snapshot_builder *b, struct feed_state *f,
	char *fresh, size_t fresh_len, uint64_t fresh_version)
{
	struct dnsrep_load l;
	struct dnsrep_feed_stats st;
	char err[DNSREP_ERRLEN];
	dnsrep_load_from_config(&l, f->cfg);
	l.on_reject = report_reject;
	l.ctx = r;
	if (fresh) {
		/* held back before: taken now only if it is still that version */
		int was_settling = f->have_settling;
		struct stat settled = f->settling;
		f->have_settling = 0;
		r->rejects_seen = 0;
		int loaded = dnsrep_load_data(b, &l, fresh, fresh_len, &st, err, sizeof(err));
		if (r->rejects_seen > SAY_REJECTS)
			say(r, DNSREP_WARN, "feed %s: %u more rejected lines not shown (dnsrepctl check "
			    "--feed shows them all)", f->cfg->name, r->rejects_seen - SAY_REJECTS);
		if (loaded == 0) {
			char whybuf[128];
			const char *why = r->redis || !f->path ? NULL
				: looks_unfinished(f, fresh, fresh_len, st.entries, whybuf, sizeof(whybuf));
			if (st.entries == 0 && f->good_entries > 0 && !r->redis) {
				/* loaded, but a feed that suddenly lists nothing is far more
				 * likely a truncated file than an intended change */
				dnsrep_snapshot_builder_feed_undo(b); /* loaded, and committed */
				feed_counted(r, f, 0);
				say(r, DNSREP_ERR, "feed %s: %s is empty now; keeping the last good "
				    "version (%u entries)", f->cfg->name, f->path, f->good_entries);
			} else if (why && !(was_settling && same_file(&settled, &f->seen))) {
				/* held back once: taken at the next poll if the file stays so */
				dnsrep_snapshot_builder_feed_undo(b); /* loaded, and committed */
				f->settling = f->seen;
				f->have_settling = 1;
				say(r, DNSREP_WARN, "feed %s: %s looks unfinished (%s); keeping the last "
				    "good version (%u entries) and reading it again in %us: it is taken "
				    "if it has not changed by then", f->cfg->name, f->path, why,
				    f->good_entries, r->o.cfg->poll_interval);
			} else {
				if (why)
					say(r, DNSREP_INFO, "feed %s: %s did not change for %us (%s): "
					    "taken as it is", f->cfg->name, f->path,
					    r->o.cfg->poll_interval, why);
				free(f->good);
				f->good = fresh;
				f->good_len = fresh_len;
				f->good_entries = st.entries;
				f->redis_version = fresh_version;
				feed_counted(r, f, 1);
				say(r, DNSREP_INFO, "feed %s: %u entries (%u allow), %u lines rejected, format %s",
				    f->cfg->name, st.entries, st.allows, st.rejected,
				    dnsrep_format_name(st.format));
				return 1;
			}
		} else {
			feed_counted(r, f, 0);
			say(r, DNSREP_ERR, "%s; keeping the last good version%s", err,
			    f->good ? "" : " (there is none yet)");
		}
		free(fresh);
	}
	if (f->good) {
		r->rejects_seen = SAY_REJECTS; /* said when these bytes were new */
		if (dnsrep_load_data(b, &l, f->good, f->good_len, &st, err, sizeof(err)) < 0)
			say(r, DNSREP_ERR, "feed %s: its last good version failed to load again: %s",
			    f->cfg->name, err);
		return 0;
	}
	/* never had its bytes (started from the snapshot file, the source has nothing
	 * now): the feed keeps what the blocklist in place holds of it.  Only this
	 * thread (or init, before it runs) swaps, so the current snapshot stays. */
	const struct dnsrep_snapshot *cur = dnsrep_current_peek(r->o.current);
	unsigned carried = 0;
	if (cur && dnsrep_load_carry(b, &l, cur, &carried, err, sizeof(err)) < 0)
		say(r, DNSREP_ERR, "%s", err);
	else if (carried && !f->reported_carry)
		say(r, DNSREP_WARN, "feed %s: its source has no usable version yet; its %u entries "
		    "in the blocklist in place are kept", f->cfg->name, carried);
	f->reported_carry = carried > 0;
	return 0;
}

/**
 * Rebuild from every feed, reading the files that changed (all when force).
 * *taken: how many feeds' new bytes went in (0: the same blocklist as before).
 */
static struct dnsrep_snapshot *rebuild(struct dnsrep_refresher *r, int force, int *taken)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	*taken = 0;
	if (!b) {
		say(r, DNSREP_ERR, "out of memory building a snapshot");
		return NULL;
	}
	for (size_t i = 0; i < r->n_feeds; i++) {
		struct feed_state *f = &r->feeds[i];
		char *fresh = NULL;
		size_t len = 0;
		if (f->path && (force || changed(f))) {
			struct stat st;
			fresh = slurp(f->path, &len, &st, err, sizeof(err));
			if (fresh) {
				f->seen = st;
				f->have_seen = 1;
			} else {
				f->have_seen = 0;
				f->have_settling = 0;
				feed_counted(r, f, 0);
				say(r, DNSREP_ERR, "feed %s: %s; keeping the last good version%s",
				    f->cfg->name, err, f->good ? "" : " (there is none yet)");
			}
		}
		*taken += load_feed(r, b, f, fresh, len, 0);
	}
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, 0, err, sizeof(err));
	if (!s)
		say(r, DNSREP_ERR, "cannot build a snapshot: %s", err);
	return s;
}

/** Put a snapshot in place, tell the caller, keep it on disk, free the old one. */
static void install(struct dnsrep_refresher *r, struct dnsrep_snapshot *s, int save)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_lookalike_opts lo;
	dnsrep_load_lookalike_opts(&lo, r->o.cfg);
	if (dnsrep_snapshot_protect(s, &lo, err, sizeof(err)) < 0)
		say(r, DNSREP_ERR, "lookalike index: %s (lookalikes are not caught until the next "
		    "blocklist)", err);
	else if (dnsrep_snapshot_protected(s))
		say(r, DNSREP_INFO, "lookalike protection for %zu registrable domains",
		    dnsrep_snapshot_protected(s));
	int64_t started = now_ns();
	if (r->o.on_prepare) /* this thread is the only one to swap: current cannot go away */
		r->o.on_prepare(r->o.ctx, dnsrep_current_peek(r->o.current), s);
	struct dnsrep_snapshot *old = dnsrep_current_swap(r->o.current, s);
	if (r->o.on_swap)
		r->o.on_swap(r->o.ctx, old, s);
	dnsrep_snapshot_free(old);
	int64_t took = now_ns() - started;
	pthread_mutex_lock(&r->lock);
	r->swaps++;
	r->last_swap_ns = took;
	r->installed_at = (int64_t)time(NULL);
	pthread_mutex_unlock(&r->lock);
	if (save && dnsrep_snapshot_save(s, r->o.cfg->snapshot_file, err, sizeof(err)) < 0)
		say(r, DNSREP_WARN, "%s (blocking goes on; only the last-known-good copy is stale)", err);
}

/** Wait up to ms for stop; returns 1 when stopping. */
static int nap(struct dnsrep_refresher *r, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
		;
	int stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

static int stopping(struct dnsrep_refresher *r)
{
	pthread_mutex_lock(&r->lock);
	int stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/* ---- following Redis -------------------------------------------------------- */

static void redis_drop(struct dnsrep_refresher *r)
{
	pthread_mutex_lock(&r->lock);
	r->connected = 0;
	pthread_mutex_unlock(&r->lock);
	dnsrep_store_close(r->cmd);
	dnsrep_store_close(r->sub);
	r->cmd = r->sub = NULL;
}

/** Note that Redis is unreachable; said once when it goes away, not per attempt. */
static void redis_down(struct dnsrep_refresher *r, const char *why)
{
	redis_drop(r);
	const struct dnsrep_snapshot *cur = dnsrep_current_peek(r->o.current);
	if (!r->down)
		say(r, DNSREP_ERR, "%s; %s, retrying", why, cur && dnsrep_snapshot_names(cur)
		    ? "blocking goes on from the current blocklist"
		    : "there is no blocklist yet (no usable snapshot file): nothing is blocked until "
		      "Redis answers");
	r->down = 1;
	snprintf(r->down_reason, sizeof(r->down_reason), "%s", why);
}

/** Connect both connections with these options; 0, or -1 (reported). */
static int redis_connect(struct dnsrep_refresher *r, const struct dnsrep_store_opts *so)
{
	char err[DNSREP_ERRLEN];
	r->cmd = dnsrep_store_connect(so, err, sizeof(err));
	if (r->cmd)
		r->sub = dnsrep_store_connect(so, err, sizeof(err));
	if (!r->cmd || !r->sub || dnsrep_store_subscribe(r->sub, err, sizeof(err)) < 0) {
		redis_down(r, err);
		return -1;
	}
	/* a Redis that restarted counts its versions from 1 again: every feed is
	 * checked until one sync has read them all */
	r->need_full_check = 1;
	pthread_mutex_lock(&r->lock);
	r->connected = 1;
	if (r->ever_connected)
		r->reconnects++;
	r->ever_connected = 1;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/**
 * Redis answered a whole sync: the backoff starts again from nothing (not on a mere
 * connect: a Redis that accepts connections and then fails every command must not
 * be reconnected to in a loop).
 */
static void redis_up(struct dnsrep_refresher *r)
{
	if (r->down)
		say(r, DNSREP_INFO, "Redis is reachable again");
	r->down = 0;
	r->backoff = 0;
}

/**
 * A read failed.  A broken connection is dropped (returns -1); a data error keeps
 * it, is said once per distinct cause into slot (a feed's or the version's), and
 * returns 0.
 */
static int redis_read_failed(struct dnsrep_refresher *r, struct dnsrep_store *conn,
	const char *err, char *slot, size_t slotlen)
{
	if (dnsrep_store_broken(conn)) {
		redis_down(r, err);
		return -1;
	}
	if (strcmp(slot, err) != 0)
		say(r, DNSREP_ERR, "%s; keeping the last good version, trying again every %us "
		    "(dnsrepctl status shows it)", err, r->o.cfg->poll_interval);
	snprintf(slot, slotlen, "%s", err);
	if (!r->sync_error[0])
		snprintf(r->sync_error, sizeof(r->sync_error), "%s", err);
	return 0;
}

/** A read that failed before succeeds: say so once. */
static void redis_read_ok(struct dnsrep_refresher *r, char *slot, const char *what)
{
	if (slot[0])
		say(r, DNSREP_INFO, "%s can be read again", what);
	slot[0] = 0;
}

static void feed_read_ok(struct dnsrep_refresher *r, struct feed_state *f)
{
	char what[300];
	snprintf(what, sizeof(what), "feed %s in Redis", f->cfg->name);
	redis_read_ok(r, f->data_error, what);
}

/**
 * Tell Redis (the primary) which version this resolver runs.  A failure here costs
 * only the heartbeat: the feeds are read on other connections.
 */
static void redis_heartbeat(struct dnsrep_refresher *r)
{
	char err[DNSREP_ERRLEN];
	if (!r->o.resolver_id)
		return;
	if (!r->hb && !(r->hb = dnsrep_store_connect(&r->po, err, sizeof(err))))
		goto failed;
	struct dnsrep_buf figures = { 0 };
	if (r->o.on_figures && (r->o.on_figures(r->o.ctx, r, &figures) < 0 || figures.failed))
		dnsrep_buf_reset(&figures); /* out of memory: the heartbeat goes without */
	int sent = dnsrep_store_heartbeat(r->hb, r->o.resolver_id, r->loaded_version,
		r->loaded_names, r->loaded_at, r->sync_error, figures.data,
		3 * r->o.cfg->poll_interval + 10, err, sizeof(err));
	dnsrep_buf_free(&figures);
	if (sent < 0)
		goto failed;
	if (r->hb_down)
		say(r, DNSREP_INFO, "heartbeats reach Redis again");
	r->hb_down = 0;
	return;
failed:
	if (dnsrep_store_broken(r->hb)) { /* a data error keeps the connection */
		dnsrep_store_close(r->hb);
		r->hb = NULL;
	}
	if (!r->hb_down)
		say(r, DNSREP_WARN, "heartbeat: %s (dnsrepctl status will not show this resolver "
		    "as current)", err);
	r->hb_down = 1;
}

/* Long (~110 lines) for a reason: the sync is one transaction against Redis
 * (versions, feeds read, rebuild, install) whose error paths share one exit. */
/**
 * Bring the blocklist up to Redis: fetch the feeds whose version moved, rebuild,
 * install.  Returns -1 when the connection failed (the connections are dropped), 0
 * otherwise — also when some data could not be read (sync_error says what; the
 * version is then not taken as loaded, so the next poll tries again).
 */
static int redis_sync(struct dnsrep_refresher *r, int force, int check_all)
{
	char err[DNSREP_ERRLEN];
	uint64_t version;
	r->sync_error[0] = 0;
	check_all |= r->need_full_check;
	if (dnsrep_store_version(r->cmd, &version, err, sizeof(err)) < 0)
		return redis_read_failed(r, r->cmd, err, r->data_error, sizeof(r->data_error));
	redis_read_ok(r, r->data_error, "the version in Redis");
	/* after a reconnect every feed is checked: a Redis that restarted counts its
	 * versions from 1 again, so an equal number proves nothing */
	if (!force && !check_all && version == r->loaded_version)
		return 0;
	char **fresh = calloc(r->n_feeds ? r->n_feeds : 1, sizeof(*fresh));
	size_t *fresh_len = calloc(r->n_feeds ? r->n_feeds : 1, sizeof(*fresh_len));
	uint64_t *fresh_version = calloc(r->n_feeds ? r->n_feeds : 1, sizeof(*fresh_version));
	int rc = 0, missing = 0, moved = 0, unreadable = 0;
	if (!fresh || !fresh_len || !fresh_version) {
		say(r, DNSREP_ERR, "out of memory reading Redis");
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < r->n_feeds; i++) {
		struct feed_state *f = &r->feeds[i];
		struct dnsrep_store_feedmeta m;
		int have = dnsrep_store_feedmeta(r->cmd, f->cfg->name, &m, err, sizeof(err));
		if (have < 0) {
			if ((rc = redis_read_failed(r, r->cmd, err, f->data_error,
						    sizeof(f->data_error))) < 0)
				goto out;
			feed_counted(r, f, 0);
			unreadable++;
			continue;
		}
		if (!have) {
			feed_read_ok(r, f);
			missing++;
			if (!f->reported_missing)
				say(r, DNSREP_WARN, "feed %s is not in Redis (not synced yet, or Redis "
				    "lost it)", f->cfg->name);
			f->reported_missing = 1;
			continue;
		}
		f->reported_missing = 0;
		if (m.version == f->redis_version && strcmp(m.digest, f->redis_digest) == 0 && f->good) {
			feed_read_ok(r, f); /* (a failed content read clears the digest) */
			continue;
		}
		snprintf(f->redis_digest, sizeof(f->redis_digest), "%s", m.digest);
		int got = dnsrep_store_get_feed(r->cmd, f->cfg->name, &fresh[i], &fresh_len[i],
						&fresh_version[i], err, sizeof(err));
		if (got < 0) {
			/* the digest is taken again next time */
			f->redis_digest[0] = 0;
			if ((rc = redis_read_failed(r, r->cmd, err, f->data_error,
						    sizeof(f->data_error))) < 0)
				goto out;
			feed_counted(r, f, 0);
			unreadable++;
			continue;
		}
		feed_read_ok(r, f);
		if (got == 0) { /* gone between the two reads: next time */
			missing++;
			continue;
		}
		moved++;
	}
	/* with a feed unreadable this version is not loaded: the next poll tries again */
	uint64_t took = unreadable ? r->loaded_version : version;
	if (!unreadable)
		r->need_full_check = 0;
	const struct dnsrep_snapshot *cur = dnsrep_current_peek(r->o.current);
	if (missing && cur && dnsrep_snapshot_names(cur) > 0 && !moved) {
		/* an empty or half-empty Redis must not replace a working blocklist */
		r->loaded_version = took;
		goto out;
	}
	if (!moved && !force) {
		r->loaded_version = took;
		goto out;
	}
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	if (!b) {
		say(r, DNSREP_ERR, "out of memory building a snapshot");
		goto out;
	}
	for (size_t i = 0; i < r->n_feeds; i++) {
		load_feed(r, b, &r->feeds[i], fresh[i], fresh_len[i], fresh_version[i]);
		fresh[i] = NULL; /* load_feed took it */
	}
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, version, err, sizeof(err));
	if (!s) {
		say(r, DNSREP_ERR, "cannot build a snapshot: %s", err);
		goto out;
	}
	r->loaded_version = took;
	r->loaded_names = dnsrep_snapshot_names(s);
	r->loaded_at = (int64_t)time(NULL);
	install(r, s, 1);
	say(r, DNSREP_INFO, "new blocklist in place: %u names, Redis version %llu%s%s",
	    r->loaded_names, (unsigned long long)version,
	    missing ? " (some feeds not in Redis: their last good versions kept)" : "",
	    unreadable ? " (some feeds unreadable in Redis: their last good versions kept)" : "");
	if (!r->in_init) /* not from init: the primary may hang */
		redis_heartbeat(r);
out:
	for (size_t i = 0; fresh && i < r->n_feeds; i++)
		free(fresh[i]);
	free(fresh);
	free(fresh_len);
	free(fresh_version);
	return rc;
}

static void run_redis(struct dnsrep_refresher *r)
{
	long waited = 0, poll_ms = (long)r->o.cfg->poll_interval * 1000;
	while (!stopping(r)) {
		if (!r->cmd) {
			if (r->backoff && nap(r, (long)r->backoff * 1000))
				return;
			r->backoff = r->backoff ? (r->backoff * 2 > 60 ? 60 : r->backoff * 2) : 1;
			if (redis_connect(r, &r->so) < 0)
				continue;
			if (redis_sync(r, 0, 1) < 0)
				continue;
			redis_up(r);
			redis_heartbeat(r);
			waited = 0;
		}
		/* short waits, so that deinit never waits long for this thread */
		uint64_t v;
		char err[DNSREP_ERRLEN];
		int ch = dnsrep_store_wait_change(r->sub, 500, &v, err, sizeof(err));
		if (ch < 0) {
			redis_down(r, err);
			continue;
		}
		waited += 500;
		if (ch == 0 && waited < poll_ms)
			continue;
		waited = 0;
		if (redis_sync(r, 0, 0) == 0)
			redis_heartbeat(r);
	}
}

/* ---- watching files ----------------------------------------------------------- */

static void run_files(struct dnsrep_refresher *r)
{
	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += r->o.cfg->poll_interval;
		while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
			;
		if (r->stop)
			break;
		pthread_mutex_unlock(&r->lock);
		int any = 0;
		for (size_t i = 0; i < r->n_feeds && !any; i++)
			any = changed(&r->feeds[i]);
		if (any) {
			int taken;
			struct dnsrep_snapshot *s = rebuild(r, 0, &taken);
			if (s && taken) {
				uint32_t names = dnsrep_snapshot_names(s);
				install(r, s, 1);
				say(r, DNSREP_INFO, "new blocklist in place: %u names", names);
			} else {
				dnsrep_snapshot_free(s); /* nothing new went in: keep what is in place */
			}
		}
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
}

static void *run(void *arg)
{
	struct dnsrep_refresher *r = arg;
	if (r->redis)
		run_redis(r);
	else
		run_files(r);
	return NULL;
}

struct dnsrep_refresher *dnsrep_refresher_start(const struct dnsrep_refresher_opts *o,
	char *err, size_t errlen)
{
	struct dnsrep_refresher *r = calloc(1, sizeof(*r));
	if (!r || (o->cfg->n_feeds && !(r->feeds = calloc(o->cfg->n_feeds, sizeof(*r->feeds))))) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->o = *o;
	r->n_feeds = o->cfg->n_feeds;
	r->in_init = 1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a clock step must not stall polling */
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	r->redis = o->cfg->redis != NULL;
	if (r->redis && (dnsrep_store_opts_from_config(&r->so, o->cfg, r->hostbuf, sizeof(r->hostbuf),
						       err, errlen) < 0 ||
			 dnsrep_store_primary_opts_from_config(&r->po, o->cfg, r->primarybuf,
							       sizeof(r->primarybuf), err, errlen) < 0)) {
		dnsrep_refresher_stop(r);
		return NULL;
	}
	for (size_t i = 0; i < r->n_feeds; i++) {
		struct feed_state *f = &r->feeds[i];
		f->cfg = &o->cfg->feeds[i];
		f->path = r->redis ? NULL : dnsrep_load_local_path(f->cfg->source);
		if (!f->path && !r->redis)
			say(r, DNSREP_WARN, "feed %s: %s is not a local file; without Redis only "
			    "file:// sources are read", f->cfg->name, f->cfg->source);
	}

	/* 1. the last-known-good snapshot, so blocking works from the first query */
	char lerr[DNSREP_ERRLEN];
	struct dnsrep_snapshot *saved = dnsrep_snapshot_load(o->cfg->snapshot_file, lerr, sizeof(lerr));
	if (saved) {
		say(r, DNSREP_INFO, "snapshot file %s: %u names", o->cfg->snapshot_file,
		    dnsrep_snapshot_names(saved));
		install(r, saved, 0);
	} else {
		struct stat sst;
		if (stat(o->cfg->snapshot_file, &sst) < 0 && errno == ENOENT)
			say(r, DNSREP_INFO, "%s: starting without it", lerr);
		else /* there is one, and it cannot be used: the admin must hear of it */
			say(r, DNSREP_ERR, "%s: starting without it", lerr);
	}

	/*
	 * 2. the feeds as they are now: from Redis, if it answers in time.  Unbound
	 * serves nothing until init returns, so this first attempt waits at most
	 * DNSREP_INIT_WAIT_MS for each step (a hung Redis accepts connections and never
	 * answers); the refresher thread goes on with the configured timeouts.
	 */
	if (r->redis) {
		struct dnsrep_store_opts quick = r->so;
		if (quick.timeout_ms <= 0 || quick.timeout_ms > DNSREP_INIT_WAIT_MS)
			quick.timeout_ms = DNSREP_INIT_WAIT_MS;
		if (quick.connect_timeout_ms <= 0 || quick.connect_timeout_ms > DNSREP_INIT_WAIT_MS)
			quick.connect_timeout_ms = DNSREP_INIT_WAIT_MS;
		if (redis_connect(r, &quick) == 0 && redis_sync(r, saved == NULL, 1) == 0) {
			/* no heartbeat here: it goes to redis-primary, which may hang; the
			 * thread sends one after its first poll */
			redis_up(r);
			dnsrep_store_set_timeout(r->cmd, r->so.timeout_ms);
			dnsrep_store_set_timeout(r->sub, r->so.timeout_ms);
		}
		goto watch;
	}
	int any;
	struct dnsrep_snapshot *s = rebuild(r, 1, &any);
	if (s) {
		int all_good = 1;
		for (size_t i = 0; i < r->n_feeds; i++)
			if (r->feeds[i].path && !r->feeds[i].good)
				all_good = 0;
		if (saved && !all_good) {
			say(r, DNSREP_WARN, "a feed failed to load: blocking from the snapshot file "
			    "until the feeds load");
			dnsrep_snapshot_free(s); /* the failed feed is retried when its file changes */
		} else {
			uint32_t names = dnsrep_snapshot_names(s);
			install(r, s, 1);
			say(r, DNSREP_INFO, "blocklist in place: %u names from %zu feeds", names, r->n_feeds);
		}
	}

	/* 3. watch */
watch:
	r->in_init = 0; /* before the thread exists: it sees this */
	if (pthread_create(&r->thread, NULL, run, r) != 0) {
		snprintf(err, errlen, "cannot start the refresher thread");
		dnsrep_refresher_stop(r);
		return NULL;
	}
	r->thread_started = 1;
	return r;
}

void dnsrep_refresher_stop(struct dnsrep_refresher *r)
{
	if (!r)
		return;
	if (r->thread_started) {
		pthread_mutex_lock(&r->lock);
		r->stop = 1;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	redis_drop(r);
	dnsrep_store_close(r->hb);
	for (size_t i = 0; i < r->n_feeds; i++)
		free(r->feeds[i].good);
	free(r->feeds);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	free(r);
}

size_t dnsrep_refresher_stats(const struct dnsrep_refresher *r, struct dnsrep_refresher_stats *st,
	struct dnsrep_refresher_feed_stats *feeds, size_t max_feeds)
{
	struct dnsrep_refresher *m = (struct dnsrep_refresher *)r;
	size_t n = m->n_feeds < max_feeds ? m->n_feeds : max_feeds;
	pthread_mutex_lock(&m->lock);
	st->swaps = m->swaps;
	st->last_swap_seconds = (double)m->last_swap_ns / 1e9;
	st->installed_at = m->installed_at;
	st->redis = m->redis;
	st->redis_connected = m->connected;
	st->redis_reconnects = m->reconnects;
	st->n_feeds = m->n_feeds;
	for (size_t i = 0; i < n; i++) {
		feeds[i].name = m->feeds[i].cfg->name;
		feeds[i].refreshes = m->feeds[i].refreshes;
		feeds[i].failures = m->feeds[i].failures;
		feeds[i].last_ok = m->feeds[i].last_ok;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

unsigned long dnsrep_refresher_swaps(const struct dnsrep_refresher *r)
{
	struct dnsrep_refresher *m = (struct dnsrep_refresher *)r;
	pthread_mutex_lock(&m->lock);
	unsigned long n = m->swaps;
	pthread_mutex_unlock(&m->lock);
	return n;
}
