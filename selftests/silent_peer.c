// SPDX-License-Identifier: GPL-2.0
/*
 * silent_peer PORT: a TCP peer that accepts connections on 127.0.0.1:PORT
 * and never says a word (what it reads is dropped), for the end-to-end
 * tests of handshakes whose peer never answers.  Runs until killed.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 64

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pollfd p[1 + MAX_CONNS];
	int one = 1, n = 1, i;
	char buf[4096];

	if (argc != 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: silent_peer PORT\n");
		return 2;
	}
	sin.sin_port = htons(atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p[0].fd = socket(AF_INET, SOCK_STREAM, 0);
	p[0].events = POLLIN;
	if (p[0].fd < 0 ||
	    setsockopt(p[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(p[0].fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(p[0].fd, 16)) {
		perror("silent_peer");
		return 1;
	}
	for (;;) {
		if (poll(p, n, -1) < 0)
			continue;
		if ((p[0].revents & POLLIN) && n < 1 + MAX_CONNS) {
			p[n].fd = accept(p[0].fd, NULL, NULL);
			p[n].events = POLLIN;
			p[n].revents = 0;	/* not polled yet */
			if (p[n].fd >= 0)
				n++;
		}
		for (i = 1; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (read(p[i].fd, buf, sizeof(buf)) <= 0) {
				close(p[i].fd);
				p[i--] = p[--n];
			}
		}
	}
}
