/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * slowdns.c — a slow authoritative server for the tests: a UDP proxy in front of NSD
 * that holds chosen queries before it passes them on, and writes down every query.
 *
 * Usage: slowdns LISTEN_PORT UPSTREAM_PORT QUERY_LOG
 *
 * A query whose first label is longer than "slow" and starts with it followed by
 * digits (slow2000-x.…) is held that many milliseconds; "slow" and no digits
 * (slowpoke.…), 1500 ms; any other query goes on at once (slow.test. itself too).  Every query is appended to QUERY_LOG as "qname qtype\n" (the
 * qname in lower case, as text), so a test can count how often the resolver asked
 * upstream.  Runs until killed.  Loopback only.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PENDING 512
#define DEFAULT_DELAY_MS 1500

/** A query held or forwarded, waiting for its answer. */
struct pending {
	int used;
	int64_t release_ms;          /**< when it goes upstream */
	int sent;                    /**< gone upstream: fd waits for the answer */
	int fd;                      /**< its own socket to the upstream */
	struct sockaddr_in client;
	uint8_t query[4096];
	size_t len;
};

static struct pending pend[MAX_PENDING];

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** The query's name as lower-case text, its type, and how long to hold it. */
static int parse(const uint8_t *q, size_t len, char *name, size_t namelen, unsigned *qtype,
	long *delay)
{
	size_t p = 12, o = 0;
	int first = 1;
	*delay = 0;
	if (len < 17)
		return -1;
	while (p < len && q[p]) {
		size_t l = q[p++];
		if (l > 63 || p + l > len || o + l + 2 > namelen)
			return -1;
		if (first && l > 4 && strncasecmp((const char *)q + p, "slow", 4) == 0) {
			long ms = 0;
			size_t i = p + 4;
			while (i < p + l && isdigit(q[i]))
				ms = ms * 10 + (q[i++] - '0');
			*delay = i > p + 4 ? ms : DEFAULT_DELAY_MS;
		}
		first = 0;
		for (size_t i = 0; i < l; i++)
			name[o++] = (char)tolower(q[p + i]);
		name[o++] = '.';
		p += l;
	}
	if (p + 5 > len)
		return -1;
	name[o] = 0;
	if (o == 0)
		strcpy(name, ".");
	*qtype = (unsigned)q[p + 1] << 8 | q[p + 2];
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: slowdns LISTEN_PORT UPSTREAM_PORT QUERY_LOG\n");
		return 2;
	}
	int lport = atoi(argv[1]), uport = atoi(argv[2]);
	FILE *qlog = fopen(argv[3], "a");
	if (!qlog) {
		perror(argv[3]);
		return 1;
	}
	int ls = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in la = { .sin_family = AF_INET, .sin_port = htons((uint16_t)lport) };
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&la, sizeof(la)) < 0) {
		perror("bind");
		return 1;
	}
	struct sockaddr_in up = la;
	up.sin_port = htons((uint16_t)uport);
	for (;;) {
		struct pollfd fds[MAX_PENDING + 1];
		int idx[MAX_PENDING + 1], n = 1;
		int64_t now = now_ms(), wait = 1000;
		fds[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
		for (int i = 0; i < MAX_PENDING; i++) {
			if (!pend[i].used)
				continue;
			if (pend[i].sent) {
				fds[n] = (struct pollfd){ .fd = pend[i].fd, .events = POLLIN };
				idx[n++] = i;
			} else if (pend[i].release_ms - now < wait) {
				wait = pend[i].release_ms - now;
			}
		}
		if (poll(fds, (nfds_t)n, wait < 0 ? 0 : (int)wait) < 0 && errno != EINTR)
			return 1;
		if (fds[0].revents & POLLIN) {
			struct pending *p = NULL;
			for (int i = 0; i < MAX_PENDING && !p; i++)
				if (!pend[i].used)
					p = &pend[i];
			uint8_t buf[4096];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t got = recvfrom(ls, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			char name[1024];
			unsigned qtype;
			long delay;
			if (got > 0 && p && parse(buf, (size_t)got, name, sizeof(name), &qtype, &delay) == 0) {
				fprintf(qlog, "%s %u\n", name, qtype);
				fflush(qlog);
				memcpy(p->query, buf, (size_t)got);
				p->len = (size_t)got;
				p->client = from;
				p->release_ms = now_ms() + delay;
				p->sent = 0;
				p->used = 1;
			}
		}
		for (int k = 1; k < n; k++) {
			struct pending *p = &pend[idx[k]];
			if (!(fds[k].revents & POLLIN))
				continue;
			uint8_t buf[65536];
			ssize_t got = recv(p->fd, buf, sizeof(buf), 0);
			if (got > 0)
				sendto(ls, buf, (size_t)got, 0, (struct sockaddr *)&p->client, sizeof(p->client));
			close(p->fd);
			p->used = 0;
		}
		now = now_ms();
		for (int i = 0; i < MAX_PENDING; i++) {
			struct pending *p = &pend[i];
			if (!p->used || p->sent || p->release_ms > now)
				continue;
			p->fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&up, sizeof(up)) < 0 ||
			    send(p->fd, p->query, p->len, 0) < 0) {
				if (p->fd >= 0)
					close(p->fd);
				p->used = 0;
				continue;
			}
			p->sent = 1;
		}
	}
}
