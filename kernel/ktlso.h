/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso: internal declarations shared by the files of ktlso.ko.
 */
#ifndef _KTLSO_H
#define _KTLSO_H

#include <linux/rcupdate.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

/**
 * struct ktlso_context - per-socket state of the ktlso ULP
 * @sk_proto: the socket's protocol before ktlso was attached; every
 *	operation ktlso does not handle itself is forwarded to it, and close
 *	puts it back
 * @sk: the socket this context belongs to
 * @rcu: defers freeing past readers that found the context under RCU
 *
 * Allocated when the ULP is attached, freed when the socket is closed.
 * Reached through inet_csk(sk)->icsk_ulp_data.
 */
struct ktlso_context {
	struct proto *sk_proto;
	struct sock *sk;
	struct rcu_head rcu;
};

static inline struct ktlso_context *ktlso_get_ctx(const struct sock *sk)
{
	/* Only called on a socket that ktlso is attached to and whose
	 * context cannot go away under the caller (socket lock or an
	 * operation dispatched through ktlso's own struct proto).
	 */
	return (__force struct ktlso_context *)inet_csk(sk)->icsk_ulp_data;
}

int ktlso_sk_init(struct sock *sk);

#endif /* _KTLSO_H */
