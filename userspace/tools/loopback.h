/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers the single-file tools share: fatal errors and a loopback
 * TCP connection.
 */
#ifndef KTLSO_TOOLS_LOOPBACK_H
#define KTLSO_TOOLS_LOOPBACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Print "@prog: @what: strerror(errno)" and exit 1. */
static inline void tool_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/*
 * Connect a client to a fresh listener on 127.0.0.1 and return both ends;
 * exits on failure.  Returns the port.
 */
static inline unsigned int tool_tcp_pair(const char *prog, int *client,
					 int *server)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int lfd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, len) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&sa, &len))
		tool_die(prog, "listen on 127.0.0.1");
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&sa, len))
		tool_die(prog, "connect");
	*server = accept(lfd, NULL, NULL);
	if (*server < 0)
		tool_die(prog, "accept");
	close(lfd);
	return ntohs(sa.sin_port);
}

#endif /* KTLSO_TOOLS_LOOPBACK_H */
