/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loadgen.c — an open-loop DNS load at a fixed rate, with every answer's latency
 * kept: what the swap benchmark (tests/bench/swap.sh) needs and dnsperf does not
 * give (dnsperf's rate reports are per second, its latencies carry no time).
 *
 * Usage: loadgen PORT RATE SECONDS NAMES_FILE OUT_PREFIX
 *   Sends A queries for the names (one per line, cycled) to 127.0.0.1@PORT at RATE
 *   per second for SECONDS, from one UDP socket (ids 0..65535 round robin), on a
 *   schedule that does not slow down when answers do (open loop).  Writes
 *     OUT_PREFIX.bins   "t_ms sent answered" per 100-ms bin of sending time
 *     OUT_PREFIX.lat    "send_ms latency_us" per answered query
 *     OUT_PREFIX.sum    "sent answered lost"
 *   A query not answered within 2 s is lost.
 * A benchmark tool, not a test.
 */
#include <arpa/inet.h>
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

#define LOST_AFTER_US 2000000LL

struct slot {
	int64_t sent_us;  /**< 0: free */
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/** A query for name (text, no trailing dot needed) with id; its length, or 0. */
static size_t make_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
	size_t p = 12;
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* QDCOUNT */
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		if (l == 0 || l > 63 || p + l + 6 > cap)
			return 0;
		buf[p++] = (uint8_t)l;
		memcpy(buf + p, name, l);
		p += l;
		name += l + (dot ? 1 : 0);
	}
	buf[p++] = 0;
	buf[p++] = 0;
	buf[p++] = 1; /* A */
	buf[p++] = 0;
	buf[p++] = 1; /* IN */
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: loadgen PORT RATE SECONDS NAMES_FILE OUT_PREFIX\n");
		return 2;
	}
	int port = atoi(argv[1]);
	double rate = atof(argv[2]), secs = atof(argv[3]);
	FILE *nf = fopen(argv[4], "r");
	if (!nf || rate <= 0 || secs <= 0) {
		fprintf(stderr, "loadgen: bad arguments or names file\n");
		return 2;
	}
	char **names = NULL, line[512];
	size_t n = 0, cap = 0;
	while (fgets(line, sizeof(line), nf)) {
		line[strcspn(line, " \t\r\n")] = 0;
		if (!line[0])
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			char **a = realloc(names, cap * sizeof(*a));
			if (!a)
				return 1;
			names = a;
		}
		if (!(names[n++] = strdup(line)))
			return 1;
	}
	fclose(nf);
	if (n == 0)
		return 2;
	size_t total = (size_t)(rate * secs), nbins = (size_t)(secs * 10) + 30;
	struct slot *slots = calloc(65536, sizeof(*slots));
	uint64_t *bin_sent = calloc(nbins, sizeof(uint64_t)), *bin_ans = calloc(nbins, sizeof(uint64_t));
	int64_t *lat_send = malloc(total * sizeof(int64_t)), *lat_us = malloc(total * sizeof(int64_t));
	if (!slots || !bin_sent || !bin_ans || !lat_send || !lat_us)
		return 1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rcv = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("socket");
		return 1;
	}
	int64_t start = now_us(), end_send = start + (int64_t)(secs * 1e6);
	size_t sent = 0, answered = 0, lost = 0, nlat = 0;
	uint16_t id = 0;
	for (;;) {
		int64_t t = now_us();
		/* send what is due by now */
		while (sent < total && start + (int64_t)((double)sent * 1e6 / rate) <= t) {
			uint8_t q[512];
			struct slot *s = &slots[id];
			if (s->sent_us) /* a query 65536 ids ago still unanswered: lost */
				lost++;
			size_t len = make_query(q, sizeof(q), id, names[sent % n]);
			if (len && send(fd, q, len, 0) == (ssize_t)len) {
				s->sent_us = t;
				size_t b = (size_t)((t - start) / 100000);
				if (b < nbins)
					bin_sent[b]++;
			} else {
				s->sent_us = 0;
				lost++;
			}
			sent++;
			id++;
		}
		if (sent >= total && t > end_send + LOST_AFTER_US)
			break;
		int64_t next = sent < total ? start + (int64_t)((double)sent * 1e6 / rate) : t + 1000;
		int wait_ms = (int)((next - t) / 1000);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, wait_ms > 0 ? wait_ms : 0) > 0) {
			uint8_t r[4096];
			ssize_t got;
			while ((got = recv(fd, r, sizeof(r), MSG_DONTWAIT)) >= 12) {
				uint16_t rid = (uint16_t)(r[0] << 8 | r[1]);
				struct slot *s = &slots[rid];
				if (!s->sent_us)
					continue;
				int64_t now = now_us();
				if (now - s->sent_us <= LOST_AFTER_US && nlat < total) {
					size_t b = (size_t)((s->sent_us - start) / 100000);
					if (b < nbins)
						bin_ans[b]++;
					lat_send[nlat] = (s->sent_us - start) / 1000;
					lat_us[nlat++] = now - s->sent_us;
					answered++;
				} else {
					lost++;
				}
				s->sent_us = 0;
			}
		}
	}
	for (size_t i = 0; i < 65536; i++)
		if (slots[i].sent_us)
			lost++;
	char path[1024];
	snprintf(path, sizeof(path), "%s.bins", argv[5]);
	FILE *f = fopen(path, "w");
	for (size_t b = 0; f && b < nbins && (int64_t)b * 100000 < end_send - start; b++)
		fprintf(f, "%zu %llu %llu\n", b * 100, (unsigned long long)bin_sent[b],
			(unsigned long long)bin_ans[b]);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s.lat", argv[5]);
	f = fopen(path, "w");
	for (size_t i = 0; f && i < nlat; i++)
		fprintf(f, "%lld %lld\n", (long long)lat_send[i], (long long)lat_us[i]);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s.sum", argv[5]);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%zu %zu %zu\n", sent, answered, lost);
		fclose(f);
	}
	return 0;
}
