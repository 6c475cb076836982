// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: attaching the ULP to a TCP socket, and its SOL_TLS options.
 *
 * Attaching swaps the socket's struct proto for a copy of the plain TCP one
 * in which the operations ktlso intercepts are replaced.  Everything else,
 * and every socket option outside SOL_TLS, still goes to TCP, so until keys
 * are installed the socket carries bytes exactly as before.  Installing
 * keys moves the socket to the proto of its new configuration.
 */

#include <linux/inet_diag.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "compat.h"
#include "ktlso.h"

/*
 * ktlso_prots[] is filled from the family's TCP proto the first time a socket
 * of that family attaches: tcpv6_prot is not exported, so the IPv6 one can
 * only be learned from a live socket.  ktlso_base[] records which proto each
 * entry was built from; it is written once, under ktlso_proto_mutex, and read
 * locklessly with acquire semantics.
 */
static struct proto ktlso_prots[KTLSO_NUM_FAMILIES][KTLSO_NUM_CONFS];
static const struct proto *ktlso_base[KTLSO_NUM_FAMILIES];
static DEFINE_MUTEX(ktlso_proto_mutex);

/*
 * Once TLS_RX is set, poll() and splice() must see records, not TCP bytes,
 * and during a handshake request they must hold the application back;
 * in-kernel readers (read_sock, read_skb) must not get TCP's bytes at all:
 * those go through the socket's proto_ops, of which ktlso keeps a copy per
 * family, built like ktlso_prots[] from the first socket that needs it.
 */
static struct proto_ops ktlso_ops[KTLSO_NUM_FAMILIES];
static const struct proto_ops *ktlso_base_ops[KTLSO_NUM_FAMILIES];

/*
 * The handshake configuration: the operations that move data first pass
 * the handshake's gate (handshake.c), then go where they would without it.
 */
static int ktlso_hs_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	bool nonblock = msg->msg_flags & MSG_DONTWAIT;
	int err;

	err = ktlso_hs_wait(sk, nonblock, sock_sndtimeo(sk, nonblock));
	if (err)
		return err;
	if (READ_ONCE(ctx->tx))
		return ktlso_sendmsg(sk, msg, size);
	return ctx->sk_proto->sendmsg(sk, msg, size);
}

#if KTLSO_HAVE_SENDPAGE
static int ktlso_hs_sendpage(struct sock *sk, struct page *page, int offset,
			     size_t size, int flags)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	bool nonblock = flags & MSG_DONTWAIT;
	int err;

	err = ktlso_hs_wait(sk, nonblock, sock_sndtimeo(sk, nonblock));
	if (err)
		return err;
	if (READ_ONCE(ctx->tx))
		return ktlso_sendpage(sk, page, offset, size, flags);
	return ctx->sk_proto->sendpage(sk, page, offset, size, flags);
}
#endif

static int ktlso_hs_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			    int flags, int *addr_len)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	bool nonblock = flags & MSG_DONTWAIT;
	int err;

	err = ktlso_hs_wait(sk, nonblock, sock_rcvtimeo(sk, nonblock));
	if (err)
		return err;
	if (READ_ONCE(ctx->rx))
		return ktlso_recvmsg(sk, msg, len, flags, addr_len);
	return ctx->sk_proto->recvmsg(sk, msg, len, flags, addr_len);
}

static __poll_t ktlso_sock_poll(struct file *file, struct socket *sock,
				struct poll_table_struct *wait)
{
	return ktlso_hs_poll(file, sock, wait, ktlso_poll(file, sock, wait));
}

static ssize_t ktlso_sock_splice_read(struct socket *sock, loff_t *ppos,
				      struct pipe_inode_info *pipe,
				      size_t len, unsigned int flags)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	bool nonblock = (flags & SPLICE_F_NONBLOCK) ||
			(sock->file->f_flags & O_NONBLOCK);
	int err;

	err = ktlso_hs_wait(sk, nonblock, sock_rcvtimeo(sk, nonblock));
	if (err)
		return err;
	if (READ_ONCE(ctx->rx))
		return ktlso_splice_read(sock, ppos, pipe, len, flags);
	return ktlso_base_ops[ctx->family]->splice_read(sock, ppos, pipe, len,
							flags);
}

/*
 * In-kernel readers take TCP's bytes through the socket's proto_ops:
 * read_sock (strparser, so KCM; NVMe/TCP) and read_skb (sockmap).  With
 * ktlso's proto_ops in place (TLS_RX set, or a handshake request holding
 * the application back) those bytes are ciphertext or the handshake's, so
 * both are refused.  In-tree kTLS decrypts for read_sock from Linux 6.5 on;
 * ktlso has no skb to hand out: its plaintext lives in the record buffer.
 */
static int ktlso_sock_read_sock(struct sock *sk, read_descriptor_t *desc,
				sk_read_actor_t recv_actor)
{
	desc->error = -EOPNOTSUPP;
	return -EOPNOTSUPP;
}

static int ktlso_sock_read_skb(struct sock *sk, skb_read_actor_t recv_actor)
{
	return -EOPNOTSUPP;
}

/* TLS_TX_ZEROCOPY_RO: accepted and reported, as upstream does in software. */
static int ktlso_set_zc_ro(struct sock *sk, sockptr_t optval,
			   unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	unsigned int value;

	if (sockptr_is_null(optval) || optlen != sizeof(value))
		return -EINVAL;
	if (copy_from_sockptr(&value, optval, sizeof(value)))
		return -EFAULT;
	if (value > 1)
		return -EINVAL;
	lock_sock(sk);
	ctx->tx_zc_ro = value;
	release_sock(sk);
	return 0;
}

static int ktlso_get_zc_ro(struct sock *sk, char __user *optval,
			   int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	unsigned int value;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len != sizeof(value))
		return -EINVAL;
	value = READ_ONCE(ctx->tx_zc_ro);
	if (copy_to_user(optval, &value, sizeof(value)))
		return -EFAULT;
	return 0;
}

/*
 * getsockopt(TLS_TX/TLS_RX) of keys the handshake daemon installed: the
 * version and cipher only, whatever length the caller offers.
 */
static int ktlso_get_hidden(const struct ktlso_crypto *c, char __user *optval,
			    int __user *optlen)
{
	struct tls_crypto_info hdr = {
		.version = c->version,
		.cipher_type = c->cipher->type,
	};
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (!optval || len < (int)sizeof(hdr))
		return -EINVAL;
	if (copy_to_user(optval, &hdr, sizeof(hdr)) ||
	    put_user((int)sizeof(hdr), optlen))
		return -EFAULT;
	return 0;
}

/*
 * getsockopt(TLS_TX/TLS_RX): who may read, and what, is decided under the
 * socket lock, so that the daemon's keys, installed under it, are never
 * returned whole to the application.
 */
static int ktlso_get_keys(struct sock *sk, int optname, char __user *optval,
			  int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	const struct ktlso_crypto *c;
	u8 dir;
	int err;

	lock_sock(sk);
	err = ktlso_hs_check_keys(sk, ctx, false);
	if (err)
		goto out;
	if (optname == TLS_TX) {
		c = ctx->tx ? &ctx->tx->c : NULL;
		dir = KTLSO_KEYS_TX;
	} else {
		c = ctx->rx ? &ctx->rx->c : NULL;
		dir = KTLSO_KEYS_RX;
	}
	if (c && (ctx->daemon_keys & dir))
		err = ktlso_get_hidden(c, optval, optlen);
	else
		err = ktlso_get_crypto_info(c, optval, optlen);
out:
	release_sock(sk);
	return err;
}

/*
 * setsockopt(TLS_TX/TLS_RX, KTLSO_TX_SECRET/KTLSO_RX_SECRET): the
 * handshake's key gate and the installation under one hold of the socket
 * lock, so that a handshake request cannot slip in between (it is decided
 * under the same lock).
 */
static int ktlso_set_keys(struct sock *sk, int optname, sockptr_t optval,
			  unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int who, err;

	lock_sock(sk);
	who = ktlso_hs_check_keys(sk, ctx, true);
	if (who < 0) {
		err = who;
		goto out;
	}
	switch (optname) {
	case TLS_TX:
		err = ktlso_set_tx(sk, optval, optlen);
		break;
	case TLS_RX:
		err = ktlso_set_rx(sk, optval, optlen);
		/* Post-handshake messages here are for the kernel alone. */
		if (!err && who == KTLSO_HS_KEYS_DAEMON)
			ctx->rx->daemon = true;
		break;
	default:
		err = ktlso_secret_install(sk, ctx, optname, optval, optlen);
		goto out;
	}
	if (!err && who == KTLSO_HS_KEYS_DAEMON)
		ktlso_hs_keys_installed(sk, ctx, optname == TLS_TX ?
					KTLSO_KEYS_TX : KTLSO_KEYS_RX);
out:
	release_sock(sk);
	return err;
}

static int ktlso_setsockopt(struct sock *sk, int level, int optname,
			    sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->setsockopt(sk, level, optname,
						 optval, optlen);
	switch (optname) {
	case TLS_TX:
	case TLS_RX:
	case KTLSO_TX_SECRET:
	case KTLSO_RX_SECRET:
		return ktlso_set_keys(sk, optname, optval, optlen);
	case KTLSO_KEY_UPDATE:
		return ktlso_tx_key_update(sk, optval, optlen);
	case KTLSO_HANDSHAKE:
		return ktlso_hs_request(sk, optval, optlen);
	case TLS_TX_ZEROCOPY_RO:
		return ktlso_set_zc_ro(sk, optval, optlen);
	case TLS_RX_EXPECT_NO_PAD:
		return ktlso_set_no_pad(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

static int ktlso_getsockopt(struct sock *sk, int level, int optname,
			    char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->getsockopt(sk, level, optname,
						 optval, optlen);
	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		return ktlso_get_keys(sk, optname, optval, optlen);
	case KTLSO_HANDSHAKE:
		return ktlso_hs_result(sk, optval, optlen);
	case KTLSO_PEER_CERT:
		return ktlso_hs_peer_cert(sk, optval, optlen);
	case KTLSO_KEY_STATE:
		return ktlso_key_state(sk, optval, optlen);
	case TLS_TX_ZEROCOPY_RO:
		return ktlso_get_zc_ro(sk, optval, optlen);
	case TLS_RX_EXPECT_NO_PAD:
		return ktlso_get_no_pad(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

/*
 * getsockopt() once TLS_RX is set or a handshake request holds the
 * application back: TCP_ZEROCOPY_RECEIVE would map or copy TCP's bytes
 * (ciphertext, or the handshake's) behind the record layer, so it is
 * refused.  In-tree kTLS lets it through to TCP.
 */
static int ktlso_rx_getsockopt(struct sock *sk, int level, int optname,
			       char __user *optval, int __user *optlen)
{
	if (level == SOL_TCP && optname == TCP_ZEROCOPY_RECEIVE)
		return -EOPNOTSUPP;
	return ktlso_getsockopt(sk, level, optname, optval, optlen);
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

/**
 * ktlso_close() - close() of a socket ktlso is attached to
 * @sk: the socket; no file refers to it any more
 * @timeout: the SO_LINGER time, 0 without SO_LINGER (see inet_release())
 *
 * Hands what the transmit side holds to TCP (ktlso_tx_close()), puts TCP's
 * proto, callbacks and proto_ops back, frees ktlso's state and lets TCP
 * close the connection: with a FIN (lingering as SO_LINGER says), or with
 * a reset where bytes a send accepted could not be handed over.
 */
static void ktlso_close(struct sock *sk, long timeout)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct proto *sk_proto = ctx->sk_proto;
	bool cut = false;

	/* No file refers to the socket: no daemon can take its request. */
	ktlso_hs_release(ctx);
	/* Nor can a sender be running; tx_lock keeps the work item out. */
	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	if (ctx->tx)
		cut = ktlso_tx_close(sk, ctx);
	/*
	 * Bytes that cannot reach the peer: reset the connection (as SO_LINGER
	 * with a zero time makes tcp_close() do), so that the peer never reads
	 * a cut stream as a clean end.
	 */
	if (cut) {
		sock_set_flag(sk, SOCK_LINGER);
		WRITE_ONCE(sk->sk_lingertime, 0);
		timeout = 0;
	}
	/*
	 * Softirq receive processing runs data_ready only while the socket is
	 * not owned, so once the callbacks are restored here, under the lock,
	 * none of ktlso's can still be running or start again.
	 */
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(icsk->icsk_ulp_data, NULL);
	WRITE_ONCE(sk->sk_prot, sk_proto);
	if (ctx->tx)
		sk->sk_write_space = ctx->sk_write_space;
	if (ctx->rx)
		sk->sk_data_ready = ctx->sk_data_ready;
	if (sk->sk_socket && sk->sk_socket->ops == &ktlso_ops[ctx->family])
		WRITE_ONCE(sk->sk_socket->ops, ktlso_base_ops[ctx->family]);
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);

	/* Nothing can queue the work any more; wait out a running one.
	 * Then nothing uses the record state: free it while @sk is still
	 * ours (TCP's close may drop the last reference to it).
	 */
	cancel_work_sync(&ctx->tx_work);
	ktlso_tx_free(ctx);
	ktlso_rx_free(ctx);
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
	int conf, err = 0;

	/* Pairs with the release below: a base seen here is fully built. */
	base = smp_load_acquire(&ktlso_base[family]);
	if (likely(base))
		return prot == base ? 0 : -EOPNOTSUPP;

	if (!ktlso_is_plain_tcp(prot))
		return -EOPNOTSUPP;

	mutex_lock(&ktlso_proto_mutex);
	base = ktlso_base[family];
	if (!base) {
		struct proto *p = ktlso_prots[family];

		p[KTLSO_CONF_BASE] = *prot;
		p[KTLSO_CONF_BASE].setsockopt = ktlso_setsockopt;
		p[KTLSO_CONF_BASE].getsockopt = ktlso_getsockopt;
		p[KTLSO_CONF_BASE].disconnect = ktlso_disconnect;
		p[KTLSO_CONF_BASE].close = ktlso_close;

		for (conf = 1; conf < KTLSO_NUM_CONFS; conf++) {
			p[conf] = p[KTLSO_CONF_BASE];
			if (conf & KTLSO_CONF_TX) {
				p[conf].sendmsg = ktlso_sendmsg;
				p[conf].splice_eof = ktlso_splice_eof;
#if KTLSO_HAVE_SENDPAGE
				p[conf].sendpage = ktlso_sendpage;
#endif
			}
			if (conf & KTLSO_CONF_RX) {
				p[conf].recvmsg = ktlso_recvmsg;
				p[conf].sock_is_readable =
					ktlso_sock_is_readable;
			}
			if (conf & (KTLSO_CONF_RX | KTLSO_CONF_HS))
				p[conf].getsockopt = ktlso_rx_getsockopt;
			if (conf & KTLSO_CONF_HS) {
				p[conf].sendmsg = ktlso_hs_sendmsg;
				p[conf].recvmsg = ktlso_hs_recvmsg;
#if KTLSO_HAVE_SENDPAGE
				p[conf].sendpage = ktlso_hs_sendpage;
#endif
			}
		}
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
	ctx->family = family;
	ktlso_tx_init_ctx(ctx);

	write_lock_bh(&sk->sk_callback_lock);
	/* Publish the context (release) before the proto that reads it. */
	rcu_assign_pointer(icsk->icsk_ulp_data, ctx);
	WRITE_ONCE(sk->sk_prot, &ktlso_prots[family][KTLSO_CONF_BASE]);
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}

/**
 * ktlso_build_rx_ops() - make sure ktlso has its proto_ops for @sk's family
 * @sk: a socket of the family, with its struct socket
 * @family: KTLSO_IPV4 or KTLSO_IPV6
 *
 * Return: 0, or -EOPNOTSUPP for a socket whose proto_ops are not those
 * the family's first socket had.
 */
int ktlso_build_rx_ops(struct sock *sk, int family)
{
	const struct proto_ops *ops;
	int err = 0;

	if (!sk->sk_socket)
		return -EOPNOTSUPP;
	ops = READ_ONCE(sk->sk_socket->ops);
	/* Pairs with the release below: a base seen here is fully built. */
	if (likely(smp_load_acquire(&ktlso_base_ops[family])))
		return ops == ktlso_base_ops[family] ||
		       ops == &ktlso_ops[family] ? 0 : -EOPNOTSUPP;

	mutex_lock(&ktlso_proto_mutex);
	if (!ktlso_base_ops[family]) {
		ktlso_ops[family] = *ops;
		ktlso_ops[family].poll = ktlso_sock_poll;
		ktlso_ops[family].splice_read = ktlso_sock_splice_read;
		ktlso_ops[family].read_sock = ktlso_sock_read_sock;
		ktlso_ops[family].read_skb = ktlso_sock_read_skb;
		/* Publish ktlso_ops[family] before its base pointer. */
		smp_store_release(&ktlso_base_ops[family], ops);
	} else if (ktlso_base_ops[family] != ops) {
		err = -EOPNOTSUPP;
	}
	mutex_unlock(&ktlso_proto_mutex);
	return err;
}

/**
 * ktlso_update_proto() - move a socket to the proto of its configuration
 * @sk: the socket, locked
 * @ctx: its context, with ->tx and ->rx as they now are
 */
void ktlso_update_proto(struct sock *sk, struct ktlso_context *ctx)
{
	bool hs = ktlso_hs_gates(ctx);
	int conf = (ctx->tx ? KTLSO_CONF_TX : 0) |
		   (ctx->rx ? KTLSO_CONF_RX : 0) |
		   (hs ? KTLSO_CONF_HS : 0);

	sock_owned_by_me(sk);
	WRITE_ONCE(sk->sk_prot, &ktlso_prots[ctx->family][conf]);
	/* Only a socket that went through ktlso_build_rx_ops() swaps ops. */
	if (sk->sk_socket && (ctx->rx || ctx->hs))
		WRITE_ONCE(sk->sk_socket->ops, ctx->rx || hs ?
			   &ktlso_ops[ctx->family] :
			   ktlso_base_ops[ctx->family]);
}

/**
 * ktlso_get_info() - sock_diag ULP info, in in-tree kTLS's attribute layout
 * @sk: the socket; not necessarily locked
 * @skb: the diag message being built
 *
 * Puts an INET_ULP_INFO_TLS nest with version, cipher, the TX/RX
 * configuration and the zero-copy and no-padding flags, so that "ss -tie"
 * shows them beside "tcp-ulp-ktlso", and ktlso's own key generations,
 * which ss does not know.
 *
 * Return: 0 or -EMSGSIZE.
 */
int ktlso_get_info(struct sock *sk, struct sk_buff *skb)
{
	struct ktlso_context *ctx;
	struct nlattr *start;
	u16 version, tx_version, rx_version, cipher;
	int err = 0;

	start = nla_nest_start_noflag(skb, INET_ULP_INFO_TLS);
	if (!start)
		return -EMSGSIZE;

	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (!ctx)
		goto out;	/* closing: an empty nest */
	tx_version = READ_ONCE(ctx->tx_version);
	rx_version = READ_ONCE(ctx->rx_version);
	version = tx_version ? tx_version : rx_version;
	cipher = tx_version ? READ_ONCE(ctx->tx_cipher) :
			      READ_ONCE(ctx->rx_cipher);
	if ((version && nla_put_u16(skb, TLS_INFO_VERSION, version)) ||
	    (cipher && nla_put_u16(skb, TLS_INFO_CIPHER, cipher)) ||
	    nla_put_u16(skb, TLS_INFO_TXCONF,
			tx_version ? TLS_CONF_SW : TLS_CONF_BASE) ||
	    nla_put_u16(skb, TLS_INFO_RXCONF,
			rx_version ? TLS_CONF_SW : TLS_CONF_BASE) ||
	    (READ_ONCE(ctx->tx_zc_ro) &&
	     nla_put_flag(skb, TLS_INFO_ZC_RO_TX)) ||
	    (READ_ONCE(ctx->rx_no_pad) &&
	     nla_put_flag(skb, TLS_INFO_RX_NO_PAD)) ||
	    (tx_version &&
	     nla_put_u64_64bit(skb, KTLSO_INFO_TX_GEN,
			       READ_ONCE(ctx->tx_gen), TLS_INFO_UNSPEC)) ||
	    (rx_version &&
	     nla_put_u64_64bit(skb, KTLSO_INFO_RX_GEN,
			       READ_ONCE(ctx->rx_gen), TLS_INFO_UNSPEC)))
		err = -EMSGSIZE;
out:
	rcu_read_unlock();
	if (err) {
		nla_nest_cancel(skb, start);
		return err;
	}
	nla_nest_end(skb, start);
	return 0;
}

/**
 * ktlso_get_info_size() - room ktlso_get_info() may need
 * @sk: the socket
 *
 * Return: the size in bytes.
 */
size_t ktlso_get_info_size(const struct sock *sk)
{
	return nla_total_size(0) +		/* INET_ULP_INFO_TLS */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_VERSION */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_CIPHER */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_TXCONF */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_RXCONF */
	       nla_total_size(0) +		/* TLS_INFO_ZC_RO_TX */
	       nla_total_size(0) +		/* TLS_INFO_RX_NO_PAD */
	       nla_total_size_64bit(sizeof(u64)) +	/* KTLSO_INFO_TX_GEN */
	       nla_total_size_64bit(sizeof(u64));	/* KTLSO_INFO_RX_GEN */
}
