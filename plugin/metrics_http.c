/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_http.c — the Prometheus endpoint: GET /metrics on metrics-listen, served
 * by libmicrohttpd from a thread of its own, never from a resolver thread.
 *
 * libmicrohttpd is opened with dlopen when metrics-listen is set, not linked: the
 * plugin's own dependencies stay the few a chroot must hold (README), and only an
 * admin who turns the endpoint on needs libmicrohttpd (and the libraries it links)
 * where Unbound runs.  Each scrape sums the threads' counters (metrics.c); nothing
 * on the resolver threads waits for it.
 *
 * A port that cannot be bound, or a library that cannot be opened, is said in
 * Unbound's log and leaves the endpoint off: DNS and blocking go on.
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"
#include "util/log.h"

#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"

/** The library's soname (Debian's libmicrohttpd12). */
#define MHD_SONAME "libmicrohttpd.so.12"

struct dnsrep_metrics_http {
	void *lib;
	struct MHD_Daemon *daemon;
	struct dnsrep_module *mod;
	/* the library's functions */
	__typeof__(MHD_start_daemon) *start;
	__typeof__(MHD_stop_daemon) *stop;
	__typeof__(MHD_create_response_from_buffer) *response;
	__typeof__(MHD_add_response_header) *header;
	__typeof__(MHD_queue_response) *queue;
	__typeof__(MHD_destroy_response) *destroy;
};

/** Queue a response of text (copied), with a content type. */
static enum MHD_Result reply(struct dnsrep_metrics_http *h, struct MHD_Connection *c,
	unsigned status, const char *type, char *body, size_t len, int take)
{
	struct MHD_Response *r = h->response(len, body, take ? MHD_RESPMEM_MUST_FREE
							     : MHD_RESPMEM_MUST_COPY);
	if (!r) {
		if (take)
			free(body);
		return MHD_NO;
	}
	h->header(r, "Content-Type", type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		h->header(r, "Allow", "GET, HEAD");
	enum MHD_Result rc = h->queue(c, status, r);
	h->destroy(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
	const char *method, const char *version, const char *upload_data,
	size_t *upload_data_size, void **con_cls)
{
	struct dnsrep_metrics_http *h = cls;
	(void)version, (void)upload_data, (void)con_cls;
	static char not_found[] = "dnsrep: the metrics are at /metrics\n";
	static char not_allowed[] = "dnsrep: GET /metrics\n";
	static char no_memory[] = "dnsrep: out of memory\n";
	const char *text = "text/plain; charset=utf-8";
	if (*upload_data_size) {
		*upload_data_size = 0; /* a body is not read */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, text, not_allowed,
			     sizeof(not_allowed) - 1, 0);
	if (strcmp(url, "/metrics") != 0)
		return reply(h, c, MHD_HTTP_NOT_FOUND, text, not_found, sizeof(not_found) - 1, 0);
	struct dnsrep_buf b = { 0 };
	if (dnsrep_metrics_render(h->mod, &b) < 0 || !b.data) {
		dnsrep_buf_free(&b);
		return reply(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, text, no_memory,
			     sizeof(no_memory) - 1, 0);
	}
	return reply(h, c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, 1);
}

/** Whether the address can be bound now; else why not, in err. */
static int can_bind(const struct sockaddr_storage *ss, socklen_t len, char *err, size_t errlen)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0);
	int one = 1;
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return 0;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	int ok = bind(fd, (const struct sockaddr *)ss, len) == 0;
	if (!ok)
		snprintf(err, errlen, "%s", strerror(errno));
	close(fd);
	return ok;
}

/** A function of the library into a pointer of its own type (POSIX: dlsym's void *). */
#define LOOKUP(h, field, name) do { \
		void *sym_ = dlsym((h)->lib, name); \
		memcpy(&(h)->field, &sym_, sizeof(sym_)); \
	} while (0)

/** Look up the library's functions.  0, or -1. */
static int resolve(struct dnsrep_metrics_http *h)
{
	LOOKUP(h, start, "MHD_start_daemon");
	LOOKUP(h, stop, "MHD_stop_daemon");
	LOOKUP(h, response, "MHD_create_response_from_buffer");
	LOOKUP(h, header, "MHD_add_response_header");
	LOOKUP(h, queue, "MHD_queue_response");
	LOOKUP(h, destroy, "MHD_destroy_response");
	return h->start && h->stop && h->response && h->header && h->queue && h->destroy ? 0 : -1;
}

struct dnsrep_metrics_http *dnsrep_metrics_http_start(struct dnsrep_module *mod)
{
	const char *where = mod->cfg->metrics_listen;
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];
	if (!where)
		return NULL;
	if (dnsrep_listen_parse(where, &ss, &len) < 0) { /* the configuration checked it */
		log_err("dnsrep: metrics-listen %s is not ADDRESS:PORT: the metrics are off", where);
		return NULL;
	}
	if (!can_bind(&ss, len, err, sizeof(err))) {
		log_err("dnsrep: metrics-listen %s: cannot listen there (%s): the metrics are off "
			"until the next reload; blocking goes on", where, err);
		return NULL;
	}
	struct dnsrep_metrics_http *h = calloc(1, sizeof(*h));
	if (!h) {
		log_err("dnsrep: metrics-listen %s: out of memory: the metrics are off", where);
		return NULL;
	}
	h->mod = mod;
	if (!(h->lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL)) || resolve(h) < 0) {
		log_err("dnsrep: metrics-listen %s: cannot load %s (%s; Debian's package "
			"libmicrohttpd12, and inside a chroot the libraries ldd lists for it): the "
			"metrics are off", where, MHD_SONAME, dlerror());
		dnsrep_metrics_http_stop(h);
		return NULL;
	}
	/* the server's thread starts with every signal blocked: they are Unbound's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	h->daemon = h->start(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, handle, h,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
			     MHD_OPTION_END);
	int saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->daemon) {
		log_err("dnsrep: metrics-listen %s: the HTTP server did not start (%s): the metrics "
			"are off", where, strerror(saved));
		dnsrep_metrics_http_stop(h);
		return NULL;
	}
	log_info("dnsrep: metrics at http://%s/metrics", where);
	return h;
}

void dnsrep_metrics_http_stop(struct dnsrep_metrics_http *h)
{
	if (!h)
		return;
	if (h->daemon)
		h->stop(h->daemon); /* joins its thread: no scrape runs after this */
	if (h->lib)
		dlclose(h->lib);
	free(h);
}
