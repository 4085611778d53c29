/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_redis.c — libFuzzer harness for Redis replies as the store reads them: a
 * Redis that is not what it should be (another program's data, a proxy, a
 * corrupted or hostile server) must give errors, never a crash.  A server thread
 * listens on a unix socket; for each input the store connects, sends one kind of
 * read (the first byte picks it: the version, a feed's metadata, a feed's content
 * in a transaction, the feed names, the resolvers, the log stream, a change
 * notice), and the server answers whatever it is sent with the rest of the input
 * and closes the connection.
 */
#include "dnsrep/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char sock_path[108];
static int listen_fd = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *reply;         /* under mu: what the server answers (a copy: the */
static size_t reply_len;       /* server may still answer after the input is gone) */

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(listen_fd, NULL, NULL);
		if (c < 0)
			continue;
		char buf[4096];
		(void)read(c, buf, sizeof(buf)); /* the command(s): whatever they are */
		pthread_mutex_lock(&mu);
		size_t off = 0;
		while (off < reply_len) {
			ssize_t w = send(c, reply + off, reply_len - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		pthread_mutex_unlock(&mu);
		close(c);
	}
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	signal(SIGPIPE, SIG_IGN); /* hiredis writes to a server that may have closed */
	snprintf(sock_path, sizeof(sock_path), "/tmp/dnsrep-fuzz-redis.%ld.sock", (long)getpid());
	unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, sock_path, strlen(sock_path));
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(listen_fd, 16) < 0)
		abort();
	pthread_t t;
	if (pthread_create(&t, NULL, serve, NULL) != 0)
		abort();
	pthread_detach(t);
	return 0;
}

static void count_line(void *ctx, const char *line, size_t len)
{
	(void)line, (void)len;
	(*(long *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	pthread_mutex_lock(&mu);
	free(reply);
	reply = copy;
	reply_len = size - 1;
	pthread_mutex_unlock(&mu);
	struct dnsrep_store_opts o;
	dnsrep_store_opts_init(&o);
	o.host = NULL;
	o.unix_path = sock_path;
	o.connect_timeout_ms = 1000;
	o.timeout_ms = 1000;
	char err[512];
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	if (!s)
		return 0;
	uint64_t v;
	struct dnsrep_store_feedmeta m;
	char *content = NULL, **names = NULL, last_id[64] = "";
	size_t len, n;
	struct dnsrep_store_resolver *res = NULL;
	long lines = 0;
	switch (data[0] % 8) {
	case 0: (void)dnsrep_store_version(s, &v, err, sizeof(err)); break;
	case 1: (void)dnsrep_store_feedmeta(s, "f", &m, err, sizeof(err)); break;
	case 2:
		if (dnsrep_store_get_feed(s, "f", &content, &len, &v, err, sizeof(err)) == 1)
			free(content);
		break;
	case 3:
		if (dnsrep_store_feeds(s, &names, &n, err, sizeof(err)) == 0)
			dnsrep_store_free_names(names, n);
		break;
	case 4:
		if (dnsrep_store_resolvers(s, &res, &n, err, sizeof(err)) == 0)
			free(res);
		break;
	case 5: (void)dnsrep_store_read_log(s, last_id, 10, count_line, &lines, err, sizeof(err)); break;
	case 6:
		if (dnsrep_store_subscribe(s, err, sizeof(err)) == 0)
			(void)dnsrep_store_wait_change(s, 50, &v, err, sizeof(err));
		break;
	default: (void)dnsrep_store_feed_readable(s, "f", err, sizeof(err)); break;
	}
	(void)dnsrep_store_broken(s);
	dnsrep_store_close(s);
	return 0;
}
