/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two daemon examples (hs-client.c, hs-server.c) share: waiting
 * with poll(2) on a non-blocking socket, for the handshake the daemon runs
 * and for the records the kernel opens.
 */
#ifndef KTLSO_EXAMPLES_POLL_WAIT_H
#define KTLSO_EXAMPLES_POLL_WAIT_H

#include <errno.h>
#include <poll.h>
#include <sys/types.h>

#include <ktlso/ktlso.h>

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

#endif /* KTLSO_EXAMPLES_POLL_WAIT_H */
