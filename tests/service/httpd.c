/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * httpd.c — a tiny HTTP/1.1 server for the fetch tests, never for production.
 *
 *   httpd PORT DIR     listen on 127.0.0.1:PORT (0: any free port), serve DIR
 *
 * The port is printed on stdout as the first line (and flushed), so a test can
 * start it on port 0 and read where it listens.  Every request line goes to
 * stderr.  One process per connection (fork), so a slow answer blocks nobody;
 * every response closes its connection.  SIGTERM stops the server and the
 * connections it is still serving.
 *
 * The path chooses the behaviour, so that a test can make every failure of
 * dnsrep_fetch() happen on purpose:
 *
 *   /status/NNN        status NNN with a small text body
 *   /html              200, text/html, a page that only its Content-Type shows as HTML
 *   /xhtml             200, application/xhtml+xml, likewise
 *   /html-empty        200, text/html, no body at all
 *   /html-as-text      200, text/plain, but the body is an HTML document
 *   /truncated/FILE    Content-Length of all of FILE, then closes after half
 *   /slow/FILE         waits 5 s, then FILE
 *   /redirect/N/FILE   302 to /redirect/N-1/FILE … to /FILE: N redirects
 *   /location?URL      302 to URL, whatever it is
 *   /chunked/FILE      FILE with Transfer-Encoding: chunked
 *   /FILE              FILE with ETag and Last-Modified, honouring If-None-Match
 *                      and If-Modified-Since with 304; 404 when missing
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_MAX 16384

static const char *root;
static volatile sig_atomic_t stopping;

/* ---- output ------------------------------------------------------------------------- */

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_fmt(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int send_fmt(int fd, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return send_all(fd, buf, (size_t)n);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/** A complete response with a small in-memory body. */
static void respond(int fd, int status, const char *content_type, const char *extra_headers,
	const char *body, int head_only)
{
	size_t len = body ? strlen(body) : 0;
	send_fmt(fd, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
		status, reason_phrase(status), content_type, len, extra_headers ? extra_headers : "");
	if (len && !head_only)
		send_all(fd, body, len);
}

/* ---- files ---------------------------------------------------------------------------- */

/** The whole of a file under the root; NULL when missing, unsafe, or not a regular file. */
static char *read_file(const char *rel, size_t *len, struct stat *st)
{
	if (!*rel || strstr(rel, "..") || rel[0] == '/')
		return NULL;
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >= sizeof(path))
		return NULL;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *data = NULL;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
		goto fail;
	data = malloc((size_t)st->st_size + 1);
	if (!data)
		goto fail;
	size_t got = 0;
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, data + got, (size_t)st->st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return data;
fail:
	free(data);
	close(fd);
	return NULL;
}

static void http_date(time_t t, char *out, size_t outlen)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, outlen, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/** The ETag of a file: "size-mtime" in hex, quoted. */
static void file_etag(const struct stat *st, char *out, size_t outlen)
{
	snprintf(out, outlen, "\"%llx-%llx\"", (unsigned long long)st->st_size,
		(unsigned long long)st->st_mtime);
}

/** If-None-Match names this ETag ("*", one tag, or a comma-separated list)? */
static int etag_matches(const char *header, const char *etag)
{
	if (strcmp(header, "*") == 0)
		return 1;
	size_t n = strlen(etag);
	for (const char *p = header; (p = strstr(p, etag)) != NULL; p += n) {
		char after = p[n];
		if (after == 0 || after == ',' || after == ' ')
			return 1;
	}
	return 0;
}

struct request {
	char method[16];
	char path[2048];
	char if_none_match[512];
	char if_modified_since[128];
};

static void serve_file(int fd, const struct request *rq, const char *rel, int status)
{
	struct stat st;
	size_t len = 0;
	char *data = read_file(rel, &len, &st);
	int head_only = strcmp(rq->method, "HEAD") == 0;
	if (!data) {
		respond(fd, 404, "text/plain", NULL, "not found\n", head_only);
		return;
	}
	char etag[64], date[64], extra[256];
	file_etag(&st, etag, sizeof(etag));
	http_date(st.st_mtime, date, sizeof(date));
	snprintf(extra, sizeof(extra), "ETag: %s\r\nLast-Modified: %s\r\n", etag, date);
	int fresh = 0;
	if (rq->if_none_match[0]) {
		fresh = etag_matches(rq->if_none_match, etag);
	} else if (rq->if_modified_since[0]) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		const char *end = strptime(rq->if_modified_since, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		fresh = end && *end == 0 && st.st_mtime <= timegm(&tm);
	}
	if (fresh && status == 200) {
		send_fmt(fd, "HTTP/1.1 304 Not Modified\r\n%sConnection: close\r\n\r\n", extra);
	} else {
		send_fmt(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s"
			"Connection: close\r\n\r\n", len, extra);
		if (!head_only)
			send_all(fd, data, status == 206 ? len / 2 : len); /* 206: the truncated case */
	}
	free(data);
}

static void serve_chunked(int fd, const struct request *rq, const char *rel)
{
	struct stat st;
	size_t len = 0;
	char *data = read_file(rel, &len, &st);
	if (!data) {
		respond(fd, 404, "text/plain", NULL, "not found\n", 0);
		return;
	}
	send_fmt(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
		"Connection: close\r\n\r\n");
	if (strcmp(rq->method, "HEAD") != 0) {
		for (size_t off = 0; off < len;) {
			size_t n = len - off < 4096 ? len - off : 4096;
			if (send_fmt(fd, "%zx\r\n", n) != 0 || send_all(fd, data + off, n) != 0 ||
			    send_all(fd, "\r\n", 2) != 0)
				break;
			off += n;
		}
		send_all(fd, "0\r\n\r\n", 5);
	}
	free(data);
}

/* ---- requests ------------------------------------------------------------------------- */

/** Copy the value of header name (case-insensitive) from the header block, or "". */
static void header_value(const char *headers, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	out[0] = 0;
	for (const char *line = headers; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncasecmp(line, name, n) != 0 || line[n] != ':')
			continue;
		const char *v = line + n + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t len = strcspn(v, "\r\n");
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len >= outlen)
			len = outlen - 1;
		memcpy(out, v, len);
		out[len] = 0;
		return;
	}
}

/** Read the request head; 0, or -1 when the client went away or sent garbage. */
static int read_request(int fd, struct request *rq)
{
	static char buf[REQUEST_MAX + 1];
	size_t got = 0;
	while (!strstr(buf, "\r\n\r\n")) {
		if (got == REQUEST_MAX)
			return -1;
		ssize_t n = recv(fd, buf + got, REQUEST_MAX - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = 0;
	}
	size_t line_len = strcspn(buf, "\r\n");
	fprintf(stderr, "httpd: %.*s\n", (int)line_len, buf);
	size_t mlen = strcspn(buf, " \r\n");
	if (mlen == 0 || mlen >= sizeof(rq->method) || buf[mlen] != ' ')
		return -1;
	memcpy(rq->method, buf, mlen);
	const char *target = buf + mlen + 1;
	size_t plen = strcspn(target, " \r\n");
	if (plen == 0 || plen >= sizeof(rq->path))
		return -1;
	memcpy(rq->path, target, plen);
	const char *headers = buf + line_len + 2;
	header_value(headers, "If-None-Match", rq->if_none_match, sizeof(rq->if_none_match));
	header_value(headers, "If-Modified-Since", rq->if_modified_since, sizeof(rq->if_modified_since));
	return 0;
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void handle(int fd)
{
	struct request rq;
	memset(&rq, 0, sizeof(rq));
	if (read_request(fd, &rq) != 0) {
		respond(fd, 400, "text/plain", NULL, "bad request\n", 0);
		return;
	}
	int head_only = strcmp(rq.method, "HEAD") == 0;
	if (strcmp(rq.method, "GET") != 0 && !head_only) {
		respond(fd, 400, "text/plain", NULL, "only GET and HEAD\n", 0);
		return;
	}
	const char *p = rq.path;
	char extra[sizeof(rq.path) + 64];
	if (has_prefix(p, "/status/")) {
		int status = atoi(p + 8);
		char body[64];
		if (status < 100 || status > 999)
			status = 400;
		snprintf(body, sizeof(body), "status %d\n", status);
		if (status == 304 || status == 204 || status < 200)
			send_fmt(fd, "HTTP/1.1 %d %s\r\nConnection: close\r\n\r\n", status, reason_phrase(status));
		else
			respond(fd, status, "text/plain", NULL, body, head_only);
	} else if (strcmp(p, "/html") == 0) {
		respond(fd, 200, "text/html; charset=utf-8", NULL,
			"<!-- a portal: only the Content-Type says HTML -->\n<html><head><title>Sign in</title>"
			"</head><body><p>Please sign in.</p></body></html>\n", head_only);
	} else if (strcmp(p, "/html-empty") == 0) {
		respond(fd, 200, "text/html", NULL, "", head_only);
	} else if (strcmp(p, "/xhtml") == 0) {
		respond(fd, 200, "Application/XHTML+XML", NULL,
			"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"></html>\n",
			head_only);
	} else if (strcmp(p, "/html-as-text") == 0) {
		respond(fd, 200, "text/plain", NULL,
			"\xEF\xBB\xBF \r\n\t<HTML><head><title>Parked</title></head>"
			"<body>This domain is parked.</body></HTML>\n", head_only);
	} else if (has_prefix(p, "/truncated/")) {
		serve_file(fd, &rq, p + 11, 206);
	} else if (has_prefix(p, "/slow/")) {
		sleep(5);
		serve_file(fd, &rq, p + 6, 200);
	} else if (has_prefix(p, "/redirect/")) {
		char *rest = NULL;
		long n = strtol(p + 10, &rest, 10);
		if (rest == p + 10 || *rest != '/' || n < 0) {
			respond(fd, 400, "text/plain", NULL, "bad redirect\n", head_only);
		} else if (n == 0) {
			serve_file(fd, &rq, rest + 1, 200);
		} else {
			if (n == 1)
				snprintf(extra, sizeof(extra), "Location: %.2040s\r\n", rest);
			else
				snprintf(extra, sizeof(extra), "Location: /redirect/%ld%.2040s\r\n", n - 1, rest);
			respond(fd, 302, "text/plain", extra, "redirect\n", head_only);
		}
	} else if (has_prefix(p, "/location?")) {
		snprintf(extra, sizeof(extra), "Location: %.2040s\r\n", p + 10);
		respond(fd, 302, "text/plain", extra, "redirect\n", head_only);
	} else if (has_prefix(p, "/chunked/")) {
		serve_chunked(fd, &rq, p + 9);
	} else {
		serve_file(fd, &rq, p + 1, 200);
	}
}

/** Close a connection gracefully: no RST that could eat what was sent. */
static void finish(int fd)
{
	char sink[512];
	shutdown(fd, SHUT_WR);
	struct timeval tv = { .tv_sec = 2, .tv_usec = 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (recv(fd, sink, sizeof(sink), 0) > 0)
		;
	close(fd);
}

/* ---- the server -------------------------------------------------------------------------- */

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT DIR\n", argv[0]);
		return 2;
	}
	char *end = NULL;
	long port = strtol(argv[1], &end, 10);
	if (!*argv[1] || *end || port < 0 || port > 65535) {
		fprintf(stderr, "httpd: bad port '%s'\n", argv[1]);
		return 2;
	}
	root = argv[2];

	/* Our own process group, so that stopping reaches the connections' processes only. */
	setpgid(0, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	signal(SIGCHLD, SIG_IGN);      /* children reaped automatically */
	signal(SIGPIPE, SIG_IGN);

	int ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0) {
		perror("httpd: socket");
		return 1;
	}
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(addr);
	if (bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(ls, 64) != 0 ||
	    getsockname(ls, (struct sockaddr *)&addr, &alen) != 0) {
		perror("httpd: bind/listen");
		return 1;
	}
	printf("%u\n", (unsigned)ntohs(addr.sin_port));
	fflush(stdout);

	while (!stopping) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("httpd: accept");
			break;
		}
		pid_t pid = fork();
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			close(ls);
			alarm(30); /* a connection never outlives a test */
			struct timeval tv = { .tv_sec = 10, .tv_usec = 0 };
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			handle(fd);
			finish(fd);
			_exit(0);
		}
		if (pid < 0)
			perror("httpd: fork");
		close(fd);
	}
	close(ls);
	if (getpgrp() == getpid()) { /* never signal a group that is not our own */
		signal(SIGTERM, SIG_IGN);
		kill(0, SIGTERM); /* the connections still being served */
	}
	return 0;
}
