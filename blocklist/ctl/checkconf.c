/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * checkconf.c — `dnsrepctl checkconf`: read dnsrep.conf as the plugin would, check
 * what its init will need, and print every setting it read (or say what is wrong).
 *
 * Checked, each failure one line naming the path or address and why:
 *   - the file parses (file:line: reason);
 *   - the block log's directory exists and the user Unbound runs as may create
 *     and write the log in it, and write the log when it exists (that user:
 *     --user; else `username:` of unbound.conf, --unbound-conf, default
 *     /etc/unbound/unbound.conf and the files it includes; else "unbound" when
 *     there is such a user; else the caller);
 *   - the same for the snapshot file (written beside itself, then renamed);
 *   - every file:// feed exists and that user may read it;
 *   - Redis, when configured, answers and accepts the credentials (--offline
 *     skips it).
 * Permissions are judged from the owner, group and mode bits along the path
 * (ACLs and AppArmor are not read), as that user with its groups.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/store.h"
#include "dnsrep/store_config.h"
#include "ctl.h"

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/** The user the checks are made for. */
struct who {
	const char *name;
	uid_t uid;
	gid_t groups[256];
	int n_groups;
};

static int who_of(const char *name, struct who *w)
{
	struct passwd *pw = getpwnam(name);
	if (!pw)
		return -1;
	w->name = name;
	w->uid = pw->pw_uid;
	w->n_groups = (int)(sizeof(w->groups) / sizeof(w->groups[0]));
	if (getgrouplist(name, pw->pw_gid, w->groups, &w->n_groups) < 0)
		w->n_groups = (int)(sizeof(w->groups) / sizeof(w->groups[0]));
	return 0;
}

/** Whether w may do mode (R_OK, W_OK, X_OK bits) to what st describes. */
static int may(const struct who *w, const struct stat *st, int mode)
{
	if (w->uid == 0)
		return !(mode & X_OK) || S_ISDIR(st->st_mode) || (st->st_mode & 0111);
	unsigned shift = 0; /* other */
	if (st->st_uid == w->uid) {
		shift = 6;
	} else {
		for (int i = 0; i < w->n_groups; i++)
			if (w->groups[i] == st->st_gid) {
				shift = 3;
				break;
			}
	}
	unsigned bits = (st->st_mode >> shift) & 7;
	return ((mode & R_OK) == 0 || (bits & 4)) && ((mode & W_OK) == 0 || (bits & 2)) &&
	       ((mode & X_OK) == 0 || (bits & 1));
}

/** Whether w may reach path's parent directories (search permission on each). */
static int reachable(const struct who *w, const char *path, char *why, size_t whylen)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return snprintf(why, whylen, "path too long"), 0;
	for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		struct stat st;
		if (stat(buf, &st) < 0) {
			snprintf(why, whylen, "%s: %s", buf, strerror(errno));
			return 0;
		}
		if (!may(w, &st, X_OK)) {
			snprintf(why, whylen, "user %s may not enter %s", w->name, buf);
			return 0;
		}
		*p = '/';
	}
	return 1;
}

/** A file the plugin creates and writes (the log), or writes beside itself (the snapshot). */
static int check_writable(const struct who *w, const char *what, const char *path)
{
	char why[4200], dir[4096];
	if (path[0] != '/') {
		fprintf(stderr, "dnsrepctl: %s %s: not an absolute path\n", what, path);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	struct stat st;
	if (stat(dir, &st) < 0) {
		fprintf(stderr, "dnsrepctl: %s %s: its directory %s: %s\n", what, path, dir, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "dnsrepctl: %s %s: %s is not a directory\n", what, path, dir);
		return 0;
	}
	if (!reachable(w, path, why, sizeof(why))) {
		fprintf(stderr, "dnsrepctl: %s %s: %s\n", what, path, why);
		return 0;
	}
	if (!may(w, &st, W_OK | X_OK)) {
		fprintf(stderr, "dnsrepctl: %s %s: user %s may not create files in %s (owner %u, mode %03o)\n",
			what, path, w->name, dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "dnsrepctl: %s %s: is a directory\n", what, path);
			return 0;
		}
		if (!may(w, &st, R_OK | W_OK)) {
			fprintf(stderr, "dnsrepctl: %s %s: user %s may not write it (owner %u, mode %03o)\n",
				what, path, w->name, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
			return 0;
		}
	}
	return 1;
}

/** A file:// feed the plugin reads. */
static int check_feed(const struct who *w, const struct dnsrep_feed_config *f)
{
	const char *path = f->source + strlen("file://");
	char why[4200];
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "dnsrepctl: feed %s: %s: %s\n", f->name, path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "dnsrepctl: feed %s: %s: not a regular file\n", f->name, path);
		return 0;
	}
	if (!reachable(w, path, why, sizeof(why))) {
		fprintf(stderr, "dnsrepctl: feed %s: %s: %s\n", f->name, path, why);
		return 0;
	}
	if (!may(w, &st, R_OK)) {
		fprintf(stderr, "dnsrepctl: feed %s: %s: user %s may not read it (owner %u, mode %03o)\n",
			f->name, path, w->name, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		return 0;
	}
	return 1;
}

/** Redis answers and takes the credentials. */
static int check_redis(const struct dnsrep_config *cfg)
{
	struct dnsrep_store_opts so;
	struct dnsrep_store *st = NULL;
	char err[DNSREP_ERRLEN], hostbuf[512];
	uint64_t version = 0;
	int ok = dnsrep_store_opts_from_config(&so, cfg, hostbuf, sizeof(hostbuf), err, sizeof(err)) == 0 &&
		 (st = dnsrep_store_connect(&so, err, sizeof(err))) != NULL &&
		 dnsrep_store_version(st, &version, err, sizeof(err)) == 0;
	if (!ok)
		fprintf(stderr, "dnsrepctl: %s (--offline skips this check)\n", err);
	dnsrep_store_close(st);
	return ok;
}

/*
 * `username:` in an unbound.conf and the files it includes (include: and
 * include-toplevel:, globs, one level deep): what Unbound drops privileges to.
 * Found: 1 with the name in out ("" when Unbound keeps root); 0 when not set.
 */
static int unbound_username(const char *path, int depth, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int found = 0;
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		p[strcspn(p, "\r\n")] = '\0';
		int inc = strncmp(p, "include:", 8) == 0 ? 8 : strncmp(p, "include-toplevel:", 17) == 0 ? 17 : 0;
		int user = strncmp(p, "username:", 9) == 0;
		if (!inc && !user)
			continue;
		char *v = p + (inc ? inc : 9);
		v += strspn(v, " \t");
		size_t n = strcspn(v, " \t");
		if (v[0] == '"') {
			v++;
			n = strcspn(v, "\"");
		}
		v[n] = '\0';
		if (user) {
			snprintf(out, outlen, "%s", v);
			found = 1;
		} else if (depth == 0) {
			glob_t g;
			if (glob(v, 0, NULL, &g) == 0)
				for (size_t i = 0; !found && i < g.gl_pathc; i++)
					found = unbound_username(g.gl_pathv[i], 1, out, outlen);
			globfree(&g);
		}
	}
	fclose(f);
	return found;
}

static int usage(FILE *out, int rc)
{
	fprintf(out, "Usage: dnsrepctl checkconf [--config FILE] [--user USER | --unbound-conf FILE]\n"
		     "                          [--offline] [--quiet]\n");
	return rc;
}

int dnsrepctl_checkconf(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "unbound-conf", required_argument, NULL, 'U' },
		{ "offline", no_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = dnsrep_config_default_path(), *user = NULL;
	const char *unbound_conf = "/etc/unbound/unbound.conf";
	char ub_user[256];
	int offline = 0, quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:u:U:oqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'u': user = optarg; break;
		case 'U':
			unbound_conf = optarg;
			if (access(optarg, R_OK) < 0) {
				fprintf(stderr, "dnsrepctl checkconf: --unbound-conf %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			break;
		case 'o': offline = 1; break;
		case 'q': quiet = 1; break;
		case 'h': return usage(stdout, 0);
		default: return usage(stderr, 2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dnsrepctl checkconf: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!user && unbound_username(unbound_conf, 0, ub_user, sizeof(ub_user)))
		user = ub_user[0] ? ub_user : "root"; /* username: "" keeps root */
	struct who w;
	if (user ? who_of(user, &w) < 0 : who_of("unbound", &w) < 0) {
		struct passwd *me = getpwuid(getuid());
		if (user || !me || who_of(me->pw_name, &w) < 0) {
			fprintf(stderr, "dnsrepctl checkconf: no user '%s'\n", user ? user : "unbound");
			return 2;
		}
	}
	struct dnsrep_config *cfg;
	char err[DNSREP_ERRLEN];
	if (dnsrep_config_load(path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		return 1;
	}
	int ok = check_writable(&w, "log-file", cfg->log_file);
	ok &= check_writable(&w, "snapshot-file", cfg->snapshot_file);
	for (size_t i = 0; i < cfg->n_feeds; i++)
		if (strncmp(cfg->feeds[i].source, "file://", 7) == 0)
			ok &= check_feed(&w, &cfg->feeds[i]);
	if (cfg->redis && !offline)
		ok &= check_redis(cfg);
	if (!ok) {
		fprintf(stderr, "dnsrepctl: %s: not ready for Unbound (user %s)\n", path, w.name);
		dnsrep_config_free(cfg);
		return 1;
	}
	if (!quiet) {
		printf("# %s: ok for user %s%s; every setting, defaults included:\n", path, w.name,
		       cfg->redis && !offline ? ", Redis answered" : "");
		dnsrep_config_write(cfg, stdout);
	}
	dnsrep_config_free(cfg);
	return 0;
}
