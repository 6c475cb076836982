// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the transmit side of the record layer.
 *
 * TLS_TX installs keys.  From then on sendmsg(), sendfile() and splice()
 * gather plaintext into the socket's one record buffer, seal it in place
 * when it is full (2^14 bytes) or the sender has nothing more to add, and
 * hand the record to TCP.  MSG_MORE keeps a record open across calls; a
 * TLS_SET_RECORD_TYPE cmsg sends a record of another content type.  A record
 * TCP has no room for stays pending and goes out first on the next send, or
 * from a work item once TCP reports free space.
 */

#include <linux/bvec.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

static void ktlso_tx_free_state(struct ktlso_tx *tx)
{
	if (!tx)
		return;
	ktlso_crypto_clear(&tx->c);
	kfree_sensitive(tx->rec);		/* plaintext may remain */
	kfree(tx);
}

/* Build the transmit state for @info (already validated, @len bytes). */
static int ktlso_tx_alloc(const struct ktlso_cipher *c, u16 version,
			  const u8 *info, unsigned int len,
			  struct ktlso_tx **txp)
{
	struct ktlso_tx *tx;
	int err;

	tx = kzalloc(sizeof(*tx), GFP_KERNEL_ACCOUNT);
	if (!tx)
		return -ENOMEM;
	err = ktlso_crypto_init(&tx->c, c, version, info, len);
	if (err)
		goto err_free;
	err = -ENOMEM;
	tx->rec = kmalloc(KTLSO_MAX_RECORD, GFP_KERNEL_ACCOUNT);
	if (!tx->rec)
		goto err_free;
	*txp = tx;
	return 0;

err_free:
	ktlso_tx_free_state(tx);
	return err;
}

static void ktlso_write_space(struct sock *sk)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	/* A sealed record still waits: have the work item push it. */
	if (ctx->tx && READ_ONCE(ctx->tx->push_len))
		schedule_work(&ctx->tx_work);
	/* Always pass the wake-up on: a sender may wait for room in TCP. */
	ctx->sk_write_space(sk);
}

/**
 * ktlso_set_tx() - setsockopt(SOL_TLS, TLS_TX): install transmit keys
 * @sk: the socket, ktlso attached
 * @optval: a struct tls12_crypto_info_* from the caller
 * @optlen: its length, which must be exactly that struct's size
 *
 * Return: 0; the errors of ktlso_copy_crypto_info() (-EINVAL, -EBUSY if
 * TLS_TX is already set, -EFAULT); -ENOENT if the kernel lacks the cipher;
 * -ENOMEM.
 */
int ktlso_set_tx(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	u8 info[KTLSO_MAX_CRYPTO_INFO];
	const struct ktlso_cipher *c;
	struct ktlso_tx *tx;
	u16 version;
	int err;

	lock_sock(sk);
	err = ktlso_copy_crypto_info(sk, ctx->tx ? &ctx->tx->c : NULL,
				     ctx->rx ? &ctx->rx->c : NULL,
				     optval, optlen, info, &c, &version);
	if (err)
		goto out;
	err = ktlso_tx_alloc(c, version, info, optlen, &tx);
	if (err)
		goto out;

	write_lock_bh(&sk->sk_callback_lock);
	ctx->sk_write_space = sk->sk_write_space;
	ctx->tx = tx;
	WRITE_ONCE(ctx->tx_cipher, c->type);
	WRITE_ONCE(ctx->tx_version, version);
	sk->sk_write_space = ktlso_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
	ktlso_update_proto(sk, ctx);
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_TX_SW, 1);
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_CURR_TX_SW, 1);
out:
	memzero_explicit(info, sizeof(info));
	release_sock(sk);
	return err;
}

/**
 * ktlso_get_tx() - getsockopt(SOL_TLS, TLS_TX)
 * @sk: the socket, ktlso attached
 * @optval: user buffer
 * @optlen: its length (see ktlso_get_crypto_info())
 *
 * Return: as ktlso_get_crypto_info().
 */
int ktlso_get_tx(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int err;

	lock_sock(sk);
	err = ktlso_get_crypto_info(ctx->tx ? &ctx->tx->c : NULL, optval,
				    optlen);
	release_sock(sk);
	return err;
}

/* Hand what is left of the sealed record to TCP. */
static int ktlso_tx_push(struct sock *sk, struct ktlso_tx *tx, int flags)
{
	while (tx->push_len) {
		struct kvec kv = {
			.iov_base = tx->rec + tx->push_off,
			.iov_len = tx->push_len,
		};
		struct msghdr msg = {
			.msg_flags = flags & (MSG_DONTWAIT | MSG_NOSIGNAL),
		};
		int ret;

		iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &kv, 1, kv.iov_len);
		ret = tcp_sendmsg_locked(sk, &msg, kv.iov_len);
		if (ret <= 0)
			return ret ? ret : -EAGAIN;
		tx->push_off += ret;
		WRITE_ONCE(tx->push_len, tx->push_len - ret);
	}
	return 0;
}

/*
 * A record that cannot be sealed ends the connection's sending side: the
 * error stays, and the socket reports it, as in-tree kTLS does.
 */
static void ktlso_tx_abort(struct sock *sk, struct ktlso_tx *tx, int err)
{
	tx->err = err;
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
}

/* Seal the open record and start pushing it. */
static int ktlso_tx_close_record(struct sock *sk, struct ktlso_tx *tx,
				 int flags)
{
	int err;

	err = ktlso_seal(&tx->c, tx->rec, tx->open_type, tx->open_len);
	if (err < 0) {
		ktlso_tx_abort(sk, tx, err);
		return err;
	}
	tx->open_len = 0;
	tx->push_off = 0;
	tx->push_len = err;
	return ktlso_tx_push(sk, tx, flags);
}

static int ktlso_record_type(struct msghdr *msg, u8 *type)
{
	struct cmsghdr *cmsg;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_TLS)
			continue;
		if (cmsg->cmsg_type != TLS_SET_RECORD_TYPE ||
		    cmsg->cmsg_len < CMSG_LEN(sizeof(*type)))
			return -EINVAL;
		/* A record of a set type is sent whole, now. */
		if (msg->msg_flags & MSG_MORE)
			return -EINVAL;
		*type = *(u8 *)CMSG_DATA(cmsg);
	}
	return 0;
}

/**
 * ktlso_sendmsg() - sendmsg() once TLS_TX is set
 * @sk: the socket
 * @msg: the plaintext, flags and an optional TLS_SET_RECORD_TYPE cmsg
 * @size: bytes in @msg
 *
 * Return: plaintext bytes accepted (each is in a sealed record that went,
 * or will go, to TCP, or in the open record with MSG_MORE); or a negative
 * errno if none was.  A sealing failure or a hard TCP error (the
 * connection is gone) is returned even after a partial send.
 */
int ktlso_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int flags = msg->msg_flags;
	u8 type = KTLSO_CT_APPLICATION_DATA;
	struct ktlso_tx *tx;
	size_t copied = 0;
	int err, fatal;
	bool more;

	if (flags & ~(MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR |
		      MSG_CMSG_COMPAT | MSG_SPLICE_PAGES | MSG_SENDPAGE_NOTLAST))
		return -EOPNOTSUPP;
	/* As upstream: "more to come" and "end of record" contradict. */
	if ((flags & MSG_MORE) && (flags & MSG_EOR))
		return -EINVAL;
	more = flags & (MSG_MORE | MSG_SENDPAGE_NOTLAST);

	err = mutex_lock_interruptible(&ctx->tx_lock);
	if (err)
		return err;
	lock_sock(sk);
	tx = ctx->tx;
	err = tx->err;
	if (err)
		goto out;
	/* Nothing is accepted, sealed or counted once sending has ended. */
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
		err = sk_stream_error(sk, flags, -EPIPE);
		goto out;
	}
	if (msg->msg_controllen) {
		err = ktlso_record_type(msg, &type);
		if (err)
			goto out;
	}
	err = ktlso_tx_push(sk, tx, flags);
	if (err)
		goto out;
	if (tx->open_len && tx->open_type != type) {
		err = ktlso_tx_close_record(sk, tx, flags);
		if (err)
			goto out;
	}

	do {
		size_t n = min_t(size_t, msg_data_left(msg),
				 KTLSO_MAX_PAYLOAD - tx->open_len);

		if (n) {
			u8 *p = tx->rec + ktlso_body_off(&tx->c) + tx->open_len;
			size_t got = copy_from_iter(p, n, &msg->msg_iter);

			tx->open_len += got;
			tx->open_type = type;
			copied += got;
			if (got != n) {
				err = -EFAULT;
				goto out;
			}
		}
		if (tx->open_len == KTLSO_MAX_PAYLOAD ||
		    (!msg_data_left(msg) && !more &&
		     (tx->open_len || type != KTLSO_CT_APPLICATION_DATA))) {
			err = ktlso_tx_close_record(sk, tx, flags);
			if (err)
				goto out;
		}
	} while (msg_data_left(msg));

out:
	fatal = tx->err;
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
	if (fatal)
		return fatal;
	/*
	 * Bytes in a record that is out or merely waiting for room count as
	 * sent; after a hard error (EPIPE, ECONNRESET, ...) they never will be.
	 */
	if (err && err != -EAGAIN && err != -EINTR && err != -ERESTARTSYS)
		return err;
	return copied ? copied : err;
}

#if KTLSO_HAVE_SENDPAGE
/**
 * ktlso_sendpage() - sendfile()/splice() into the socket before Linux 6.5
 * @sk: the socket
 * @page: the page holding the data
 * @offset: where the data starts in @page
 * @size: bytes of data
 * @flags: MSG_* flags; MSG_SENDPAGE_NOTLAST keeps the record open
 *
 * Return: as ktlso_sendmsg().
 */
int ktlso_sendpage(struct sock *sk, struct page *page, int offset,
		   size_t size, int flags)
{
	struct bio_vec bvec = {
		.bv_page = page,
		.bv_offset = offset,
		.bv_len = size,
	};
	struct msghdr msg = {
		.msg_flags = flags & (MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL |
				      MSG_EOR | MSG_SENDPAGE_NOTLAST),
	};

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);
	return ktlso_sendmsg(sk, &msg, size);
}
#endif

/**
 * ktlso_splice_eof() - a splice ended with the record still open: send it
 * @sock: the socket
 */
void ktlso_splice_eof(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct ktlso_tx *tx;

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	tx = ctx->tx;
	if (tx && !tx->err && !tx->push_len && tx->open_len)
		ktlso_tx_close_record(sk, tx, MSG_DONTWAIT);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
}

/*
 * Push a record TCP had no room for.  tx_lock keeps this out of a sender
 * that is itself pushing (and may be waiting for room with the socket lock
 * dropped).
 */
static void ktlso_tx_work(struct work_struct *work)
{
	struct ktlso_context *ctx = container_of(work, struct ktlso_context,
						 tx_work);
	struct sock *sk = ctx->sk;

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	if (!ctx->tx->err)
		ktlso_tx_push(sk, ctx->tx, MSG_DONTWAIT | MSG_NOSIGNAL);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
}

/**
 * ktlso_tx_close() - flush the transmit side as the socket closes
 * @sk: the socket, locked
 * @ctx: its context
 *
 * Seals an open record and pushes whatever TCP accepts without waiting, as
 * in-tree kTLS does; the caller then restores the socket's callbacks.
 */
void ktlso_tx_close(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_tx *tx = ctx->tx;
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

	if (tx->err || ktlso_tx_push(sk, tx, flags))
		return;
	if (tx->open_len)
		ktlso_tx_close_record(sk, tx, flags);
}

/**
 * ktlso_tx_init_ctx() - set up a new context's transmit plumbing
 * @ctx: the context
 */
void ktlso_tx_init_ctx(struct ktlso_context *ctx)
{
	mutex_init(&ctx->tx_lock);
	INIT_WORK(&ctx->tx_work, ktlso_tx_work);
}

/**
 * ktlso_tx_free() - release the transmit state, wiping keys and plaintext
 * @ctx: the context; its work item must no longer run
 */
void ktlso_tx_free(struct ktlso_context *ctx)
{
	if (ctx->tx)
		ktlso_stats_add(sock_net(ctx->sk), KTLSO_MIB_CURR_TX_SW, -1);
	ktlso_tx_free_state(ctx->tx);
	ctx->tx = NULL;
}
