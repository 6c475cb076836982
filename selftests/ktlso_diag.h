/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock_diag as the selftests ask it: the INET_DIAG_ULP_INFO nest ("ss -tie")
 * of one established IPv4 TCP socket of theirs, through the dump
 * "ktlsoctl sockets" uses (userspace/ctl/sock_diag.h).
 */
#ifndef KTLSO_DIAG_H
#define KTLSO_DIAG_H

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ctl/sock_diag.h"
#include "kselftest_harness.h"
#include "ktlso_test.h"

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

struct ktlso_diag_find {
	uint16_t sport, dport;
	void (*each)(struct rtattr *ulp, void *arg);
	void *arg;
	int found;
};

static inline void ktlso_diag_one(const struct nlmsghdr *h, void *arg)
{
	struct ktlso_diag_find *f = arg;

	f->found += ktlso_diag_msg((struct nlmsghdr *)h, f->sport, f->dport,
				   f->each, f->arg);
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
	struct ktlso_diag_find f = { .each = each, .arg = arg };
	struct sockaddr_in me, him;
	socklen_t l1 = sizeof(me), l2 = sizeof(him);
	int err;

	if (getsockname(fd, (struct sockaddr *)&me, &l1) ||
	    getpeername(fd, (struct sockaddr *)&him, &l2))
		return -errno;
	f.sport = me.sin_port;
	f.dport = him.sin_port;
	err = ktlso_sock_diag_dump(AF_INET, 1 << 1 /* TCP_ESTABLISHED */,
				   ktlso_diag_one, &f);
	ASSERT_EQ(0, err) {
		TH_LOG("sock_diag: %s", strerror(-err));
	}
	return f.found;
}

#endif /* KTLSO_DIAG_H */
