/*
 * refresher.c — builds snapshots from the feeds and swaps them in, on a thread of
 * its own (see dnsrep/refresher.h).
 *
 * Each feed keeps the bytes of its last good version.  A rebuild takes, per
 * feed, the new bytes when they load cleanly and the last good bytes when they
 * do not, so one broken feed costs only its own update.  The whole snapshot is
 * rebuilt on any change: at a million names that takes under a second, off the
 * resolver threads, and keeps one code path.
 */
#include "dnsrep/refresher.h"
#include "dnsrep/load.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/** One feed's state between rebuilds. */
struct feed_state {
	const struct dnsrep_feed_config *cfg;
	const char *path;        /**< the local file, or NULL (not a local source) */
	struct stat seen;        /**< the file as last read (st_ino, st_size, st_mtim) */
	int have_seen;
	char *good;              /**< the last good version's bytes, or NULL */
	size_t good_len;
	unsigned good_entries;
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
};

static void say(struct dnsrep_refresher *r, enum dnsrep_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct dnsrep_refresher *r, enum dnsrep_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->o.on_msg)
		r->o.on_msg(r->o.ctx, level, msg);
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

static void report_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	struct dnsrep_refresher *r = ctx;
	say(r, DNSREP_WARN, "%s:%u: %s", feed, line, reason);
}

/** Whether a feed file differs from what was last read. */
static int changed(struct feed_state *f)
{
	struct stat st;
	if (!f->path)
		return 0;
	if (stat(f->path, &st) < 0)
		return f->have_seen; /* gone: worth one attempt to report it */
	return !f->have_seen || st.st_ino != f->seen.st_ino || st.st_size != f->seen.st_size ||
	       st.st_mtim.tv_sec != f->seen.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != f->seen.st_mtim.tv_nsec;
}

/**
 * Load one feed into the builder: its new bytes when given and good, else its last
 * good bytes.  Updates the feed's last good version.  Returns 1 when the new
 * bytes were taken.
 */
static int load_feed(struct dnsrep_refresher *r, struct dnsrep_builder *b, struct feed_state *f,
	char *fresh, size_t fresh_len)
{
	struct dnsrep_load l;
	struct dnsrep_feed_stats st;
	char err[DNSREP_ERRLEN];
	dnsrep_load_from_config(&l, f->cfg);
	l.on_reject = report_reject;
	l.ctx = r;
	if (fresh) {
		if (dnsrep_load_data(b, &l, fresh, fresh_len, &st, err, sizeof(err)) == 0) {
			if (st.entries == 0 && f->good_entries > 0) {
				/* loaded, but a feed that suddenly lists nothing is far more
				 * likely a truncated file than an intended change */
				dnsrep_builder_feed_rollback(b);
				say(r, DNSREP_ERR, "feed %s: %s is empty now; keeping the last good "
				    "version (%u entries)", f->cfg->name, f->path, f->good_entries);
			} else {
				free(f->good);
				f->good = fresh;
				f->good_len = fresh_len;
				f->good_entries = st.entries;
				say(r, DNSREP_INFO, "feed %s: %u entries (%u allow), %u lines rejected, format %s",
				    f->cfg->name, st.entries, st.allows, st.rejected,
				    dnsrep_format_name(st.format));
				return 1;
			}
		} else {
			say(r, DNSREP_ERR, "%s; keeping the last good version%s", err,
			    f->good ? "" : " (there is none yet)");
		}
		free(fresh);
	}
	if (f->good && dnsrep_load_data(b, &l, f->good, f->good_len, &st, err, sizeof(err)) < 0)
		say(r, DNSREP_ERR, "feed %s: its last good version failed to load again: %s",
		    f->cfg->name, err);
	return 0;
}

/** Rebuild from every feed, reading the files that changed (all when force). */
static struct dnsrep_snapshot *rebuild(struct dnsrep_refresher *r, int force, int *any_changed)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_builder *b = dnsrep_builder_new();
	*any_changed = 0;
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
			*any_changed = 1;
			fresh = slurp(f->path, &len, &st, err, sizeof(err));
			if (fresh) {
				f->seen = st;
				f->have_seen = 1;
			} else {
				f->have_seen = 0;
				say(r, DNSREP_ERR, "feed %s: %s; keeping the last good version%s",
				    f->cfg->name, err, f->good ? "" : " (there is none yet)");
			}
		}
		load_feed(r, b, f, fresh, len);
	}
	struct dnsrep_snapshot *s = dnsrep_builder_finish(b, 0, err, sizeof(err));
	dnsrep_builder_free(b);
	if (!s)
		say(r, DNSREP_ERR, "cannot build a snapshot: %s", err);
	return s;
}

/** Put a snapshot in place, tell the caller, keep it on disk, free the old one. */
static void install(struct dnsrep_refresher *r, struct dnsrep_snapshot *s, int save)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_snapshot *old = dnsrep_current_swap(r->o.current, s);
	if (r->o.on_swap)
		r->o.on_swap(r->o.ctx, old, s);
	dnsrep_snapshot_free(old);
	pthread_mutex_lock(&r->lock);
	r->swaps++;
	pthread_mutex_unlock(&r->lock);
	if (save && dnsrep_snapshot_save(s, r->o.cfg->snapshot_file, err, sizeof(err)) < 0)
		say(r, DNSREP_WARN, "%s (blocking goes on; only the last-known-good copy is stale)", err);
}

static void *run(void *arg)
{
	struct dnsrep_refresher *r = arg;
	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
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
			struct dnsrep_snapshot *s = rebuild(r, 0, &any);
			if (s) {
				uint32_t names = dnsrep_snapshot_names(s);
				install(r, s, 1);
				say(r, DNSREP_INFO, "new blocklist in place: %u names", names);
			}
		}
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
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
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	for (size_t i = 0; i < r->n_feeds; i++) {
		struct feed_state *f = &r->feeds[i];
		f->cfg = &o->cfg->feeds[i];
		f->path = dnsrep_load_local_path(f->cfg->source);
		if (!f->path)
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
		say(r, DNSREP_INFO, "%s: starting without it", lerr);
	}

	/* 2. the feeds as they are now */
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
	for (size_t i = 0; i < r->n_feeds; i++)
		free(r->feeds[i].good);
	free(r->feeds);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	free(r);
}

unsigned long dnsrep_refresher_swaps(const struct dnsrep_refresher *r)
{
	struct dnsrep_refresher *m = (struct dnsrep_refresher *)r;
	pthread_mutex_lock(&m->lock);
	unsigned long n = m->swaps;
	pthread_mutex_unlock(&m->lock);
	return n;
}
