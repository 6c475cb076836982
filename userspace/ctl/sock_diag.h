/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One sock_diag dump of TCP sockets with their INET_DIAG_INFO (which
 * carries the ULP's info, as "ss -tie" asks): "ktlsoctl sockets" and the
 * selftests that read a socket's ULP info share it. Header-only, so that
 * the selftests build it without the rest of ktlsoctl.
 */
#ifndef KTLSO_CTL_SOCK_DIAG_H
#define KTLSO_CTL_SOCK_DIAG_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#define KTLSO_SOCK_DIAG_TIMEOUT_S 10	/* for each answer of the dump */

/**
 * ktlso_sock_diag_dump() - call @each on every TCP socket of @family
 * @family: AF_INET or AF_INET6
 * @states: a mask of 1 << TCP state (~0u: all)
 * @each: called with each SOCK_DIAG_BY_FAMILY answer (an inet_diag_msg
 *	and its attributes)
 * @arg: for @each
 *
 * Return: 0, or -errno (the kernel's error, -ENODATA for a dump cut
 * short, -EAGAIN when an answer took KTLSO_SOCK_DIAG_TIMEOUT_S).
 */
static inline int ktlso_sock_diag_dump(int family, uint32_t states,
				       void (*each)(const struct nlmsghdr *h,
						    void *arg),
				       void *arg)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} q = {
		.nlh.nlmsg_len = sizeof(q),
		.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY,
		.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.req.sdiag_family = (uint8_t)family,
		.req.sdiag_protocol = IPPROTO_TCP,
		.req.idiag_states = states,
		.req.idiag_ext = 1 << (INET_DIAG_INFO - 1),
	};
	static __thread uint8_t buf[65536]
		__attribute__((aligned(NLMSG_ALIGNTO)));
	struct timeval tv = { .tv_sec = KTLSO_SOCK_DIAG_TIMEOUT_S };
	int nl, err = 0;
	bool done = false;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(nl, &q, sizeof(q), 0) != (ssize_t)sizeof(q))
		err = -errno;
	while (!err && !done) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0) {
			err = n ? -errno : -ENODATA;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error ? e->error : -EIO;
				break;
			}
			each(h, arg);
		}
	}
	close(nl);
	return err;
}

#endif /* KTLSO_CTL_SOCK_DIAG_H */
