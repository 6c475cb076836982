// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: attaching the ULP to a TCP socket.
 *
 * Attaching swaps the socket's struct proto for a copy of the plain TCP one
 * in which the operations ktlso intercepts are replaced.  Everything else,
 * and every socket option outside SOL_TLS, still goes to TCP, so until keys
 * are installed the socket carries bytes exactly as before.
 */

#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "ktlso.h"

enum {
	KTLSO_IPV4,
	KTLSO_IPV6,
	KTLSO_NUM_FAMILIES,
};

/*
 * ktlso_prots[] is filled from the family's TCP proto the first time a socket
 * of that family attaches: tcpv6_prot is not exported, so the IPv6 one can
 * only be learned from a live socket.  ktlso_base[] records which proto each
 * entry was built from; it is written once, under ktlso_proto_mutex, and read
 * locklessly with acquire semantics.
 */
static struct proto ktlso_prots[KTLSO_NUM_FAMILIES];
static const struct proto *ktlso_base[KTLSO_NUM_FAMILIES];
static DEFINE_MUTEX(ktlso_proto_mutex);

static int ktlso_setsockopt(struct sock *sk, int level, int optname,
			    sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->setsockopt(sk, level, optname,
						 optval, optlen);
	/*
	 * The record layer is not part of this module yet, so no SOL_TLS
	 * option can be honoured: refuse each one rather than accept it and
	 * leave the socket sending plaintext.
	 */
	return -ENOPROTOOPT;
}

static int ktlso_getsockopt(struct sock *sk, int level, int optname,
			    char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->getsockopt(sk, level, optname,
						 optval, optlen);
	return -ENOPROTOOPT;
}

/*
 * Like in-tree kTLS, a ktlso socket cannot be disconnected and reused: the
 * record state belongs to one connection.
 */
static int ktlso_disconnect(struct sock *sk, int flags)
{
	return -EOPNOTSUPP;
}

static void ktlso_ctx_free(struct ktlso_context *ctx)
{
	kfree_rcu(ctx, rcu);
}

static void ktlso_close(struct sock *sk, long timeout)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct proto *sk_proto = ctx->sk_proto;

	lock_sock(sk);
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(icsk->icsk_ulp_data, NULL);
	WRITE_ONCE(sk->sk_prot, sk_proto);
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);

	sk_proto->close(sk, timeout);
	ktlso_ctx_free(ctx);
}

/* True if @prot is TCP's own proto, not one another layer (sockmap) made. */
static bool ktlso_is_plain_tcp(const struct proto *prot)
{
	return prot->close == tcp_close && prot->sendmsg == tcp_sendmsg;
}

static int ktlso_build_proto(struct sock *sk, int family)
{
	const struct proto *prot = READ_ONCE(sk->sk_prot);
	const struct proto *base;
	int err = 0;

	/* Pairs with the release below: a base seen here is fully built. */
	base = smp_load_acquire(&ktlso_base[family]);
	if (likely(base))
		return prot == base ? 0 : -EOPNOTSUPP;

	if (!ktlso_is_plain_tcp(prot))
		return -EOPNOTSUPP;

	mutex_lock(&ktlso_proto_mutex);
	base = ktlso_base[family];
	if (!base) {
		struct proto *p = &ktlso_prots[family];

		*p = *prot;
		p->setsockopt = ktlso_setsockopt;
		p->getsockopt = ktlso_getsockopt;
		p->disconnect = ktlso_disconnect;
		p->close = ktlso_close;
		/* Publish ktlso_prots[family] before its base pointer. */
		smp_store_release(&ktlso_base[family], prot);
	} else if (base != prot) {
		err = -EOPNOTSUPP;
	}
	mutex_unlock(&ktlso_proto_mutex);
	return err;
}

/**
 * ktlso_sk_init() - attach ktlso to a TCP socket
 * @sk: the socket, locked by the caller (setsockopt TCP_ULP)
 *
 * The TCP core has already refused a second ULP (-EEXIST) and a listening
 * socket (-ENOTCONN, as ktlso has no clone operation).  A socket that is not
 * connected is refused too: the record state belongs to one connection.
 *
 * Return: 0 on success, -ENOTCONN if @sk is not established, -EOPNOTSUPP if
 * its protocol is not plain TCP over IPv4 or IPv6, -ENOMEM.
 */
int ktlso_sk_init(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct ktlso_context *ctx;
	int family;
	int err;

	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;

	switch (sk->sk_family) {
	case AF_INET:
		family = KTLSO_IPV4;
		break;
	case AF_INET6:
		family = KTLSO_IPV6;
		break;
	default:
		return -EOPNOTSUPP;
	}

	err = ktlso_build_proto(sk, family);
	if (err)
		return err;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->sk = sk;
	ctx->sk_proto = READ_ONCE(sk->sk_prot);

	write_lock_bh(&sk->sk_callback_lock);
	/* Publish the context (release) before the proto that reads it. */
	rcu_assign_pointer(icsk->icsk_ulp_data, ctx);
	WRITE_ONCE(sk->sk_prot, &ktlso_prots[family]);
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}
