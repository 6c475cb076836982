/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock_diag as the selftests ask it: the INET_DIAG_ULP_INFO nest ("ss -tie")
 * of one established IPv4 TCP socket of theirs.
 */
#ifndef KTLSO_DIAG_H
#define KTLSO_DIAG_H

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "ktlso_test.h"

#define KTLSO_DIAG_TIMEOUT_S	10	/* for each answer of the dump */

/* One inet_diag message: @each on its ULP info if it is @sport -> @dport's. */
static inline int ktlso_diag_msg(struct nlmsghdr *h, uint16_t sport,
				 uint16_t dport,
				 void (*each)(struct rtattr *ulp, void *arg),
				 void *arg)
{
	struct inet_diag_msg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)), found = 0;
	struct rtattr *a;

	if (m->id.idiag_sport != sport || m->id.idiag_dport != dport)
		return 0;
	for (a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type & NLA_TYPE_MASK) != INET_DIAG_ULP_INFO)
			continue;
		each(a, arg);
		found++;
	}
	return found;
}

/*
 * Dump the established IPv4 TCP sockets with INET_DIAG_INFO and call @each
 * on the INET_DIAG_ULP_INFO nest of @fd's (local and remote port).
 * Returns how many nests @each saw; the dump itself must work.
 */
static inline int ktlso_diag_ulp(struct __test_metadata *_metadata, int fd,
				 void (*each)(struct rtattr *ulp, void *arg),
				 void *arg)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} q = {
		.nlh.nlmsg_len = sizeof(q),
		.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY,
		.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.req.sdiag_family = AF_INET,
		.req.sdiag_protocol = IPPROTO_TCP,
		.req.idiag_states = 1 << 1,	/* TCP_ESTABLISHED */
		.req.idiag_ext = 1 << (INET_DIAG_INFO - 1),
	};
	static uint8_t buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct timeval tv = { .tv_sec = KTLSO_DIAG_TIMEOUT_S };
	struct sockaddr_in me, him;
	socklen_t l1 = sizeof(me), l2 = sizeof(him);
	int nl, found = 0, err = 0;
	bool done = false;

	if (getsockname(fd, (struct sockaddr *)&me, &l1) ||
	    getpeername(fd, (struct sockaddr *)&him, &l2))
		return -errno;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(nl, &q, sizeof(q), 0) != (ssize_t)sizeof(q))
		err = -EIO;
	while (!err && !done) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0) {
			err = n ? -errno : -ENODATA;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			found += ktlso_diag_msg(h, me.sin_port, him.sin_port,
						each, arg);
		}
	}
	close(nl);
	ASSERT_EQ(0, err) {
		TH_LOG("sock_diag: %s", strerror(-err));
	}
	return found;
}

#endif /* KTLSO_DIAG_H */
