/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the examples share: one connection accepted on 127.0.0.1, and, for
 * the two daemon examples (hs-client.c, hs-server.c), waiting with poll(2)
 * on a non-blocking socket for the handshake the daemon runs and for the
 * records the kernel opens.
 */
#ifndef KTLSO_EXAMPLES_COMMON_H
#define KTLSO_EXAMPLES_COMMON_H

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <ktlso/ktlso.h>

/* The first connection to 127.0.0.1:@port; -1 with errno on failure. */
static inline int accept_one(const char *port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)atoi(port)),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fd = -1, one = 1;

	if (lfd < 0)
		return -1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!bind(lfd, (struct sockaddr *)&a, sizeof(a)) && !listen(lfd, 1))
		fd = accept(lfd, NULL, NULL);
	close(lfd);
	return fd;
}

/* Wait at most 30 s for @events; 0, or -ETIMEDOUT, or poll's -errno. */
static inline int wait_for(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, 30000);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n == 0 ? -ETIMEDOUT : 0;
}

/*
 * The handshake ktlso_handshake_start() asked for: the kernel shows the
 * socket neither readable nor writable until the daemon is done with it
 * (the kernel's own timeout ends every handshake, so this loop ends too).
 * Returns 0 once the keys are installed, or the handshake's -errno.
 */
static inline int wait_handshake(int fd)
{
	int err = -EINPROGRESS;

	while (err == -EINPROGRESS) {
		err = wait_for(fd, POLLIN | POLLOUT);
		if (!err)
			err = ktlso_handshake_poll(fd);
	}
	return err;
}

/*
 * ktlso_recv() on a non-blocking socket, waiting while there is nothing
 * (-EAGAIN: also after a record the kernel or the library consumed).
 */
static inline ssize_t recv_wait(int fd, void *buf, size_t len,
				struct ktlso_alert_msg *alert)
{
	ssize_t n;
	int err;

	for (;;) {
		n = ktlso_recv(fd, buf, len, 0, alert);
		if (n != -EAGAIN)
			return n;
		err = wait_for(fd, POLLIN);
		if (err)
			return err;
	}
}

#endif /* KTLSO_EXAMPLES_COMMON_H */
