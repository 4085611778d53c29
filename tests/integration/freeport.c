/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * freeport.c — print N distinct loopback ports that are free for both TCP and
 * UDP right now, one per line, for the integration tests' servers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/** Bind a TCP socket to port 0 and check that UDP can have the same port. */
static int one_port(int *tcp_fd)
{
	for (int attempt = 0; attempt < 50; attempt++) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int t = socket(AF_INET, SOCK_STREAM, 0);
		if (t < 0)
			return -1;
		if (bind(t, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    getsockname(t, (struct sockaddr *)&sa, &len) < 0) {
			close(t);
			return -1;
		}
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		if (u < 0) {
			close(t);
			return -1;
		}
		int udp_ok = bind(u, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(u);
		if (udp_ok) {
			*tcp_fd = t; /* held open until all ports are chosen: no repeats */
			return ntohs(sa.sin_port);
		}
		close(t);
	}
	return -1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	if (n < 1 || n > 64) {
		fprintf(stderr, "usage: freeport [N]   (1..64)\n");
		return 2;
	}
	int fds[64];
	for (int i = 0; i < n; i++) {
		int port = one_port(&fds[i]);
		if (port < 0) {
			perror("freeport");
			return 1;
		}
		printf("%d\n", port);
	}
	return 0;
}
