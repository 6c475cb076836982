// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the receive side of the record layer.
 *
 * TLS_RX installs keys.  From then on ktlso takes the socket's bytes out of
 * TCP's receive queue one record at a time, into the socket's one record
 * buffer: as they arrive (data_ready) and whenever a reader has consumed the
 * previous record.  A reader decrypts a whole record of application data
 * straight into its own buffer when the plaintext fits there, and otherwise
 * (MSG_PEEK, splice, a short buffer, another content type) in place, then
 * copies its plaintext out.  The next record stays in TCP until then, so
 * TCP's own flow control still paces the peer.  Only a whole record makes
 * the socket readable (poll, the wake-up of a waiting reader).  MSG_PEEK
 * looks past that record by setting decrypted records aside, within the
 * receive buffer size counted in what they allocate.  Nothing else reads
 * TCP's queue behind this layer: in-kernel readers (read_sock, read_skb)
 * and TCP_ZEROCOPY_RECEIVE are refused (proto.c).
 *
 * All receive state is protected by the socket lock: data_ready runs either
 * in softirq with the socket not owned by a process, or from release_sock()
 * on behalf of the owner, and ktlso drops the lock only where its state is
 * consistent (waiting for data).
 *
 * Every error that makes the byte stream unusable (a bad header, a record
 * that fails authentication, a stream that ends inside a record) is
 * sticky: it is reported by every later read, and also through sk_err so
 * that poll shows EPOLLERR, as in-tree kTLS does.
 */

#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uio.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

/* Pages one splice_read() may fill: a whole record's plaintext. */
#define KTLSO_SPLICE_PAGES	DIV_ROUND_UP(KTLSO_MAX_PAYLOAD, PAGE_SIZE)

static bool ktlso_rx_whole(const struct ktlso_rx *rx)
{
	return rx->need > KTLSO_HDR_LEN && rx->have == rx->need;
}

/* As upstream: nothing is readable while a KeyUpdate waits for TLS_RX. */
static void ktlso_rx_update_ready(struct ktlso_rx *rx)
{
	WRITE_ONCE(rx->ready, rx->err ||
			      (!rx->key_pending &&
			       (rx->open || !list_empty(&rx->parked) ||
				ktlso_rx_whole(rx))));
}

/* The record buffer is free for the next record. */
static void ktlso_rx_reset(struct ktlso_rx *rx)
{
	rx->open = false;
	rx->have = 0;
	rx->need = KTLSO_HDR_LEN;
}

/* A fatal receive error: stays, and wakes everyone who waits. */
static void ktlso_rx_abort(struct sock *sk, struct ktlso_rx *rx, int err)
{
	if (rx->err)
		return;
	rx->err = err;
	ktlso_rx_update_ready(rx);
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
}

/* AlertDescriptions the receive side sends (RFC 8446 6.2). */
#define KTLSO_ALERT_UNEXPECTED_MESSAGE	10
#define KTLSO_ALERT_ILLEGAL_PARAMETER	47
#define KTLSO_ALERT_DECODE_ERROR	50
#define KTLSO_ALERT_INTERNAL_ERROR	80

/*
 * A fatal error the peer must hear of: reads fail with @err from now on,
 * and @alert goes to the peer before anything else (at once if the
 * transmit side can take it now, else before its next record or at
 * close; ktlso_tx_owe()).  The socket reports the error (sk_err) once the
 * alert is out, so that TCP still takes it.  Without transmit keys there
 * is nobody to send it: the error stays all the same.
 */
static void ktlso_rx_fatal(struct sock *sk, struct ktlso_context *ctx,
			   int err, u8 alert)
{
	struct ktlso_rx *rx = ctx->rx;
	struct ktlso_tx *tx = ctx->tx;

	if (rx->err)
		return;
	if (!tx || tx->err) {
		ktlso_rx_abort(sk, rx, err);
		return;
	}
	rx->err = err;
	ktlso_rx_update_ready(rx);
	tx->alert_owed = true;
	tx->alert = alert;
	ktlso_tx_owe(sk, ctx);
	sk_error_report(sk);
}

/* tcp_read_sock() actor: move bytes of the current record into rx->buf. */
static int ktlso_rx_actor(read_descriptor_t *desc, struct sk_buff *skb,
			  unsigned int offset, size_t len)
{
	struct ktlso_rx *rx = desc->arg.data;
	size_t n = min(len, rx->need - rx->have);
	int err;

	if (!n)
		return 0;
	err = skb_copy_bits(skb, offset, rx->buf + rx->have, n);
	if (err) {
		desc->error = err;
		return 0;
	}
	rx->have += n;
	if (rx->have == KTLSO_HDR_LEN && rx->need == KTLSO_HDR_LEN) {
		err = ktlso_check_header(&rx->c, rx->buf, &rx->need);
		if (err) {
			desc->error = err;
			desc->count = 0;
			return n;
		}
	}
	desc->count = rx->need - rx->have;
	return n;
}

/*
 * Take what TCP holds of the current record, up to its end and no
 * further.  Called with the socket locked (owned, or bh-locked in softirq).
 */
static void ktlso_rx_fill(struct sock *sk, struct ktlso_rx *rx)
{
	read_descriptor_t desc = {
		.arg.data = rx,
		.count = rx->need - rx->have,
	};

	if (rx->err || rx->open || ktlso_rx_whole(rx))
		return;
	tcp_read_sock(sk, &desc, ktlso_rx_actor);
	if (desc.error)
		ktlso_rx_abort(sk, rx, desc.error);
	ktlso_rx_update_ready(rx);
}

static void ktlso_data_ready(struct sock *sk)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	ktlso_rx_fill(sk, ctx->rx);
	/* Wake readers and pollers only for something they can read. */
	if (READ_ONCE(ctx->rx->ready))
		ctx->sk_data_ready(sk);
}

/*
 * Is @data (@len bytes of a handshake record) one or more whole
 * NewSessionTicket messages and nothing else?
 */
static bool ktlso_rx_only_tickets(const u8 *data, size_t len)
{
	size_t off = 0;

	if (!len)
		return false;
	while (off < len) {
		size_t body;

		if (len - off < 4 || data[off] != KTLSO_HT_NEW_SESSION_TICKET)
			return false;
		body = (data[off + 1] << 16) | (data[off + 2] << 8) |
		       data[off + 3];
		if (body > len - off - 4)
			return false;
		off += 4 + body;
	}
	return true;
}

/* Is @data (@len bytes) only TLS 1.2 HelloRequests, which a client may ignore? */
static bool ktlso_rx_only_hello_requests(const u8 *data, size_t len)
{
	size_t off;

	if (!len || len % KTLSO_HS_HDR_LEN)
		return false;
	for (off = 0; off < len; off += KTLSO_HS_HDR_LEN)
		if (data[off] != KTLSO_HT_HELLO_REQUEST || data[off + 1] ||
		    data[off + 2] || data[off + 3])
			return false;
	return true;
}

/*
 * The peer's KeyUpdate, in the kernel: a handshake record holding whole
 * messages, only NewSessionTickets and at most one KeyUpdate, which must
 * end the record (RFC 8446 5.1: handshake messages do not span a key
 * change).  A handshake message split over records is refused too: no
 * post-handshake message ktlso lets through comes near 2^14 bytes.  The
 * next receive key is switched to at once: the next record is under it.
 * The KeyUpdate is cut from the record; tickets before it stay.
 *
 * Return: 1 when nothing of the record is left to deliver, 0 when some
 * is, or a negative errno once the connection is failed.
 */
static int ktlso_rx_key_update(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_rx *rx = ctx->rx;
	struct ktlso_tx *tx = ctx->tx;
	const u8 *data = rx->buf + rx->off;
	struct ktlso_next_key nk;
	size_t off = 0, ku = SIZE_MAX;
	u8 request = 0;
	int err;

	while (off < rx->len) {
		size_t left, body;

		if (rx->len - off < KTLSO_HS_HDR_LEN)
			goto unexpected;
		left = rx->len - off - KTLSO_HS_HDR_LEN;
		body = (data[off + 1] << 16) | (data[off + 2] << 8) |
		       data[off + 3];
		if (body > left)
			goto unexpected;
		if (data[off] == KTLSO_HT_KEY_UPDATE) {
			if (body != left)
				goto unexpected;	/* not last */
			if (body != 1) {
				ktlso_rx_fatal(sk, ctx, -EBADMSG,
					       KTLSO_ALERT_DECODE_ERROR);
				return -EBADMSG;
			}
			request = data[off + KTLSO_HS_HDR_LEN];
			if (request > KTLSO_KEY_UPDATE_REQUESTED) {
				ktlso_rx_fatal(sk, ctx, -EBADMSG,
					       KTLSO_ALERT_ILLEGAL_PARAMETER);
				return -EBADMSG;
			}
			ku = off;
		} else if (data[off] != KTLSO_HT_NEW_SESSION_TICKET) {
			goto unexpected;
		}
		off += KTLSO_HS_HDR_LEN + body;
	}
	if (ku == SIZE_MAX)
		return 0;

	if (rx->gen >= KTLSO_MAX_KEY_UPDATES)
		goto unexpected;
	err = ktlso_secret_next(rx->secret, &rx->c, &nk);
	if (err) {
		ktlso_rx_fatal(sk, ctx, err, KTLSO_ALERT_INTERNAL_ERROR);
		return err;
	}
	ktlso_crypto_switch(&rx->c, &nk);
	ktlso_secret_commit(rx->secret);
	rx->gen++;
	WRITE_ONCE(ctx->rx_gen, rx->gen);
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_RX_KEY_UPDATE, 1);
	/*
	 * One answer however often the peer asks while this side is silent
	 * (RFC 8446 4.6.3): none is owed after an update nothing followed.
	 */
	if (request == KTLSO_KEY_UPDATE_REQUESTED && !tx->update_fresh) {
		tx->update_owed = true;
		ktlso_tx_owe(sk, ctx);
	}
	rx->len = ku;
	return !rx->len;

unexpected:
	ktlso_rx_fatal(sk, ctx, -EPROTO, KTLSO_ALERT_UNEXPECTED_MESSAGE);
	return -EPROTO;
}

/*
 * A decrypted handshake record: a KeyUpdate taken in the kernel, or, as
 * upstream does, one that pauses decryption until the application sets
 * TLS_RX again; on a TLS 1.2 socket whose keys the daemon installed, a
 * HelloRequest is ignored (RFC 5246 7.4.1.1) and anything else fails the
 * connection, as no application there can answer it.
 *
 * Return: as ktlso_rx_key_update().
 */
static int ktlso_rx_handshake(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_rx *rx = ctx->rx;
	const u8 *data = rx->buf + rx->off;

	if (rx->c.version != TLS_1_3_VERSION) {
		if (!rx->daemon)
			return 0;
		if (ktlso_rx_only_hello_requests(data, rx->len))
			return 1;
		ktlso_rx_fatal(sk, ctx, -EPROTO,
			       KTLSO_ALERT_UNEXPECTED_MESSAGE);
		return -EPROTO;
	}
	if (rx->secret)
		return ktlso_rx_key_update(sk, ctx);
	if (rx->len && data[0] == KTLSO_HT_KEY_UPDATE) {
		rx->key_pending = true;
		ktlso_stats_add(sock_net(sk), KTLSO_MIB_RX_REKEY_RECEIVED, 1);
	}
	return 0;
}

/* Decrypt the whole record in rx->buf; a dropped one leaves nothing open. */
static int ktlso_rx_decrypt(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_rx *rx = ctx->rx;
	bool padded;
	int err;

	err = ktlso_open(&rx->c, rx->buf, rx->have, &rx->type, &rx->off,
			 &rx->len, &padded);
	if (err) {
		if (err == -EBADMSG)
			ktlso_stats_add(sock_net(sk), KTLSO_MIB_DECRYPT_ERROR, 1);
		ktlso_rx_abort(sk, rx, err);
		return err;
	}
	/*
	 * The application promised unpadded records, and the promise was
	 * broken: count it, as upstream does.  Padding cost a second
	 * decryption if the record was first tried in the reader's buffer.
	 */
	if (padded && ctx->rx_no_pad)
		ktlso_stats_add(sock_net(sk), KTLSO_MIB_RX_NO_PAD_VIOL, 1);
	if (rx->type == KTLSO_CT_HANDSHAKE) {
		err = ktlso_rx_handshake(sk, ctx);
		if (err < 0)
			return err;
		if (err)
			goto consumed;
	}
	if (rx->daemon_tickets && rx->type == KTLSO_CT_HANDSHAKE &&
	    ktlso_rx_only_tickets(rx->buf + rx->off, rx->len)) {
		ktlso_tickets_take(sk, ctx, rx->buf + rx->off, rx->len);
		goto consumed;
	}
	rx->open = true;
	ktlso_rx_update_ready(rx);
	return 0;

consumed:
	ktlso_rx_reset(rx);
	ktlso_rx_fill(sk, rx);
	ktlso_rx_update_ready(rx);
	return 0;
}

/**
 * struct ktlso_rx_dst - a reader's buffer a record may be decrypted into
 * @msg: the reader's message, whose iterator is user memory
 * @room: bytes the reader still wants
 * @done: set to the plaintext bytes delivered there, the record consumed
 */
struct ktlso_rx_dst {
	struct msghdr *msg;
	size_t room;
	size_t done;
};

/*
 * Hold the reader's pages under the next @len bytes of @iter, as entries
 * 1 on of rx->zc_sg.  Gives up, undoing everything, where the bytes are
 * spread over more pages than rx->zc_pages holds.
 *
 * Return: the number of pages, or a negative errno.
 */
static int ktlso_rx_pin(struct ktlso_rx *rx, struct iov_iter *iter,
			size_t len)
{
	unsigned int n = 0, i;
	size_t got = 0;
	int err = 0;

	sg_init_table(rx->zc_sg, ARRAY_SIZE(rx->zc_sg));
	while (got < len) {
		size_t off;
		ssize_t r;

		if (n == KTLSO_RX_ZC_PAGES) {
			err = -E2BIG;
			break;
		}
		r = ktlso_iter_pin_user(iter, len - got, rx->zc_pages + n,
					KTLSO_RX_ZC_PAGES - n, &off);
		if (r <= 0) {
			err = r ? r : -EFAULT;
			break;
		}
		got += r;
		for (; r; n++) {
			size_t seg = min_t(size_t, PAGE_SIZE - off, r);

			sg_set_page(&rx->zc_sg[1 + n], rx->zc_pages[n], seg,
				    off);
			r -= seg;
			off = 0;
		}
	}
	if (!err)
		return n;
	for (i = 0; i < n; i++)
		ktlso_unpin_user_page(rx->zc_pages[i]);
	iov_iter_revert(iter, got);
	return err;
}

/*
 * Decrypt the whole record in rx->buf straight into the reader's buffer.
 * Only application data that fits is delivered so; for TLS 1.3, whose
 * content type and padding show only after decryption, only when the
 * application promised unpadded records (TLS_RX_EXPECT_NO_PAD), as
 * upstream does.  A record declined after decryption costs a second one
 * in place (TlsDecryptRetry): rx->buf is only read here.
 *
 * Return: plaintext bytes delivered, the record consumed; 0 to decrypt it
 * in place instead; or a negative errno, then sticky, with nothing left
 * in the reader's buffer.
 */
static int ktlso_rx_decrypt_to(struct sock *sk, struct ktlso_context *ctx,
			       struct ktlso_rx_dst *dst)
{
	struct ktlso_rx *rx = ctx->rx;
	struct iov_iter *iter = &dst->msg->msg_iter;
	size_t n = ktlso_open_sg_len(&rx->c, rx->buf, rx->have);
	int pages, err;

	if (!n || n > dst->room ||
	    (rx->c.version == TLS_1_3_VERSION && !ctx->rx_no_pad))
		return 0;
	pages = ktlso_rx_pin(rx, iter, n);
	if (pages < 0)
		return 0;	/* the copy out reports a bad address */
	err = ktlso_open_sg(&rx->c, rx->buf, rx->have, rx->zc_sg, pages);
	if (err < 0)	/* never leave unauthenticated bytes behind */
		sg_zero_buffer(&rx->zc_sg[1], pages, n, 0);
	ktlso_unpin_user_pages_dirty(rx->zc_pages, pages);
	if (err) {
		iov_iter_revert(iter, n);
		if (err > 0) {
			ktlso_stats_add(sock_net(sk), KTLSO_MIB_DECRYPT_RETRY, 1);
			return 0;
		}
		if (err == -EBADMSG)
			ktlso_stats_add(sock_net(sk), KTLSO_MIB_DECRYPT_ERROR, 1);
		ktlso_rx_abort(sk, rx, err);
		return err;
	}
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_RX_ZEROCOPY, 1);
	dst->done = n;
	ktlso_rx_reset(rx);
	ktlso_rx_fill(sk, rx);
	ktlso_rx_update_ready(rx);
	return n;
}

/**
 * ktlso_rx_next() - have the next record decrypted
 * @sk: the socket, locked; rx->buf must not hold an undelivered record
 * @ctx: its context
 * @timeo: how long to wait, updated
 * @dst: the reader's buffer the record may be decrypted into, or NULL to
 *	decrypt it in rx->buf
 *
 * Return: 1 with a record open in rx->buf or delivered into @dst (then
 * @dst->done is set), 0 at the end of the stream, or a negative errno: the
 * sticky error, -EAGAIN when @timeo ran out (or was zero), the socket's
 * error, or the signal's.
 */
static int ktlso_rx_next(struct sock *sk, struct ktlso_context *ctx,
			 long *timeo, struct ktlso_rx_dst *dst)
{
	struct ktlso_rx *rx = ctx->rx;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	for (;;) {
		if (rx->open)
			return 1;
		/* As upstream: a rekey is pending, the application acts. */
		if (rx->key_pending)
			return -EKEYEXPIRED;
		ktlso_rx_fill(sk, rx);
		if (rx->err)
			return rx->err;
		if (ktlso_rx_whole(rx)) {
			int n = dst ? ktlso_rx_decrypt_to(sk, ctx, dst) : 0;

			if (n)
				return n < 0 ? n : 1;
			n = ktlso_rx_decrypt(sk, ctx);
			if (n)
				return n;
			if (rx->open)
				return 1;
			continue;	/* tickets taken, a KeyUpdate taken */
		}
		if (sk->sk_err)
			return sock_error(sk);
		if (sk->sk_shutdown & RCV_SHUTDOWN) {
			/* A stream that ends inside a record lost its end. */
			if (rx->have) {
				ktlso_rx_abort(sk, rx, -EBADMSG);
				return rx->err;
			}
			return 0;
		}
		if (!*timeo)
			return -EAGAIN;
		if (signal_pending(current))
			return sock_intr_errno(*timeo);

		add_wait_queue(sk_sleep(sk), &wait);
		sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		sk_wait_event(sk, timeo,
			      READ_ONCE(rx->ready) || READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN),
			      &wait);
		sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
}

/* The oldest decrypted record with bytes left, parked ones first. */
static bool ktlso_rx_head(struct ktlso_rx *rx, u8 *type, const u8 **data,
			  size_t *avail)
{
	struct ktlso_rx_rec *r;

	r = list_first_entry_or_null(&rx->parked, struct ktlso_rx_rec, list);
	if (r) {
		*type = r->type;
		*data = r->data + r->off;
		*avail = r->len - r->off;
		return true;
	}
	if (!rx->open)
		return false;
	*type = rx->type;
	*data = rx->buf + rx->off;
	*avail = rx->len;
	return true;
}

/* What parking a record of @len plaintext bytes allocates: header too. */
static size_t ktlso_rx_rec_mem(size_t len)
{
	struct ktlso_rx_rec *r;

	return kmalloc_size_roundup(struct_size(r, data, len));
}

/* Consume @n bytes of the record ktlso_rx_head() returned. */
static void ktlso_rx_consume(struct sock *sk, struct ktlso_rx *rx, size_t n)
{
	struct ktlso_rx_rec *r;

	r = list_first_entry_or_null(&rx->parked, struct ktlso_rx_rec, list);
	if (r) {
		r->off += n;
		if (r->off == r->len) {
			list_del(&r->list);
			rx->parked_mem -= ktlso_rx_rec_mem(r->len);
			kfree_sensitive(r);
		}
	} else {
		rx->off += n;
		rx->len -= n;
		if (!rx->len) {
			ktlso_rx_reset(rx);
			/* The next record may be waiting in TCP already. */
			ktlso_rx_fill(sk, rx);
		}
	}
	ktlso_rx_update_ready(rx);
}

/*
 * Move the decrypted record out of rx->buf so that MSG_PEEK can decrypt
 * the one after it.  What the parked records take in memory, headers and
 * slab rounding included (an empty record costs as much as any small one),
 * is bounded by the socket's receive buffer size.
 */
static int ktlso_rx_park(struct sock *sk, struct ktlso_rx *rx)
{
	size_t mem = ktlso_rx_rec_mem(rx->len);
	struct ktlso_rx_rec *r;

	if (rx->parked_mem + mem > (size_t)READ_ONCE(sk->sk_rcvbuf))
		return -ENOBUFS;
	r = kmalloc(mem, GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->type = rx->type;
	r->off = 0;
	r->len = rx->len;
	memcpy(r->data, rx->buf + rx->off, rx->len);
	list_add_tail(&r->list, &rx->parked);
	rx->parked_mem += mem;
	ktlso_rx_reset(rx);
	ktlso_rx_fill(sk, rx);
	return 0;
}

/*
 * The record-type rule of upstream's recvmsg: the first record's type is
 * reported in a TLS_GET_RECORD_TYPE cmsg (a data record's too, where there
 * is room); a non-data record needs that cmsg, or the read fails with EIO
 * and the record stays; a read stops where the type changes.
 *
 * Return: 1 to copy from a record of @type, 0 to stop before it, -EIO.
 */
static int ktlso_rx_type_ok(struct msghdr *msg, u8 *control, u8 type)
{
	int err;

	if (*control)
		return *control == type;
	*control = type;
	err = put_cmsg(msg, SOL_TLS, TLS_GET_RECORD_TYPE, sizeof(type), &type);
	if (type != KTLSO_CT_APPLICATION_DATA &&
	    (err || (msg->msg_flags & MSG_CTRUNC)))
		return -EIO;
	return 1;
}

/* Copy from one record; returns bytes copied or -EFAULT. */
static int ktlso_rx_copy(struct msghdr *msg, const u8 *data, size_t n)
{
	return copy_to_iter(data, n, &msg->msg_iter) == n ? n : -EFAULT;
}

/* recvmsg() without MSG_PEEK: consume records in order. */
static int ktlso_rx_read(struct sock *sk, struct ktlso_context *ctx,
			 struct msghdr *msg, size_t len, int target,
			 long timeo)
{
	struct ktlso_rx *rx = ctx->rx;
	bool direct = user_backed_iter(&msg->msg_iter);
	size_t copied = 0;
	u8 control = 0;
	int err = 0;

	while (copied < len) {
		struct ktlso_rx_dst dst = { .msg = msg, .room = len - copied };
		const u8 *data;
		size_t avail;
		long wait;
		u8 type;

		if (!ktlso_rx_head(rx, &type, &data, &avail)) {
			/* Enough already: take only what needs no wait. */
			wait = copied >= target ? 0 : timeo;
			err = ktlso_rx_next(sk, ctx, &wait,
					    direct ? &dst : NULL);
			if (err <= 0)
				break;
			timeo = wait;
			if (dst.done) {
				/* Application data: the cmsg rule is met. */
				ktlso_rx_type_ok(msg, &control,
						 KTLSO_CT_APPLICATION_DATA);
				copied += dst.done;
			}
			err = 0;
			continue;
		}
		err = ktlso_rx_type_ok(msg, &control, type);
		if (err <= 0)
			break;
		err = ktlso_rx_copy(msg, data, min(avail, len - copied));
		if (err < 0)
			break;
		ktlso_rx_consume(sk, rx, err);
		copied += err;
		err = 0;
		/* A non-data record is read on its own. */
		if (type != KTLSO_CT_APPLICATION_DATA)
			break;
	}
	return copied ? copied : err;
}

/* recvmsg() with MSG_PEEK: look at records in order, consuming nothing. */
static int ktlso_rx_peek(struct sock *sk, struct ktlso_context *ctx,
			 struct msghdr *msg, size_t len, int target,
			 long timeo)
{
	struct ktlso_rx *rx = ctx->rx;
	struct list_head *pos = rx->parked.next;
	bool open_seen = false;
	size_t copied = 0;
	u8 control = 0;
	int err = 0;

	while (copied < len) {
		const u8 *data;
		size_t avail;
		long wait;
		u8 type;

		if (pos != &rx->parked) {
			struct ktlso_rx_rec *r;

			r = list_entry(pos, struct ktlso_rx_rec, list);
			pos = pos->next;
			type = r->type;
			data = r->data + r->off;
			avail = r->len - r->off;
		} else if (rx->open && !open_seen) {
			open_seen = true;
			type = rx->type;
			data = rx->buf + rx->off;
			avail = rx->len;
		} else {
			/* Enough already: setting records aside costs. */
			if (copied >= target)
				break;
			if (rx->open) {
				err = ktlso_rx_park(sk, rx);
				if (err)
					break;
			}
			wait = timeo;
			err = ktlso_rx_next(sk, ctx, &wait, NULL);
			if (err <= 0)
				break;
			timeo = wait;
			open_seen = false;
			continue;
		}
		err = ktlso_rx_type_ok(msg, &control, type);
		if (err <= 0)
			break;
		err = ktlso_rx_copy(msg, data, min(avail, len - copied));
		if (err < 0)
			break;
		copied += err;
		err = 0;
		if (type != KTLSO_CT_APPLICATION_DATA)
			break;
	}
	if (copied)
		return copied;
	return err == -ENOBUFS ? -EAGAIN : err;
}

/**
 * ktlso_recvmsg() - recvmsg() once TLS_RX is set
 * @sk: the socket
 * @msg: where the plaintext (and a TLS_GET_RECORD_TYPE cmsg) goes
 * @len: bytes wanted
 * @flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT; MSG_ERRQUEUE goes to TCP
 * @addr_len: unused (TCP has no source address to report)
 *
 * Return: plaintext bytes read, 0 at the end of the stream, or a negative
 * errno: the sticky receive error (-EBADMSG, -EMSGSIZE), -EIO for a
 * non-data record with no room for its cmsg, -EAGAIN (also from MSG_PEEK,
 * even blocking, when looking further would set aside more records than
 * the receive buffer holds), -EFAULT, the socket's error,
 * -EINTR/-ERESTARTSYS.
 */
int ktlso_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	long timeo;
	int target, ret;

	if (unlikely(flags & MSG_ERRQUEUE))
		return ctx->sk_proto->recvmsg(sk, msg, len, flags, addr_len);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	if (flags & MSG_PEEK)
		ret = ktlso_rx_peek(sk, ctx, msg, len, target, timeo);
	else
		ret = ktlso_rx_read(sk, ctx, msg, len, target, timeo);
	release_sock(sk);
	return ret;
}

/**
 * ktlso_sock_is_readable() - a whole record (or an error) is there
 * @sk: the socket; not locked
 *
 * Return: true when a read would not wait for more of a record.
 */
bool ktlso_sock_is_readable(struct sock *sk)
{
	return READ_ONCE(ktlso_get_ctx(sk)->rx->ready);
}

/**
 * ktlso_poll() - poll() once TLS_RX is set
 * @file: the socket's file
 * @sock: the socket
 * @wait: poll table
 *
 * TCP's answer, except that EPOLLIN needs a whole record (or an error)
 * while the connection is open for receiving.
 *
 * Return: the poll mask.
 */
__poll_t ktlso_poll(struct file *file, struct socket *sock,
		    struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx;
	__poll_t mask;

	mask = tcp_poll(file, sock, wait);
	if (inet_sk_state_load(sk) != TCP_ESTABLISHED ||
	    (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN))
		return mask;

	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (ctx && ctx->rx) {
		if (READ_ONCE(ctx->rx->ready))
			mask |= EPOLLIN | EPOLLRDNORM;
		else
			mask &= ~(EPOLLIN | EPOLLRDNORM);
	}
	rcu_read_unlock();
	return mask;
}

static void ktlso_spd_release(struct splice_pipe_desc *spd, unsigned int i)
{
	put_page(spd->pages[i]);
}

/**
 * ktlso_splice_read() - splice() out of the socket once TLS_RX is set
 * @sock: the socket
 * @ppos: unused (sockets have no position)
 * @pipe: the pipe to fill
 * @len: bytes wanted
 * @flags: SPLICE_F_NONBLOCK
 *
 * Moves plaintext of one data record into the pipe, in pages of its own.
 *
 * Return: bytes moved, 0 at the end of the stream, -EINVAL when the next
 * record is not application data, or an error as for recvmsg().
 */
ssize_t ktlso_splice_read(struct socket *sock, loff_t *ppos,
			  struct pipe_inode_info *pipe, size_t len,
			  unsigned int flags)
{
	struct page *pages[KTLSO_SPLICE_PAGES];
	struct partial_page partial[KTLSO_SPLICE_PAGES];
	struct splice_pipe_desc spd = {
		.pages = pages,
		.partial = partial,
		.nr_pages_max = KTLSO_SPLICE_PAGES,
		.ops = &nosteal_pipe_buf_ops,
		.spd_release = ktlso_spd_release,
	};
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	size_t n, off = 0;
	const u8 *data;
	ssize_t ret;
	size_t avail;
	long timeo;
	u8 type;

	if (!len)
		return 0;
	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, (sock->file->f_flags & O_NONBLOCK) ||
				  (flags & SPLICE_F_NONBLOCK));
	if (!ktlso_rx_head(ctx->rx, &type, &data, &avail)) {
		ret = ktlso_rx_next(sk, ctx, &timeo, NULL);
		if (ret <= 0)
			goto out;
		ktlso_rx_head(ctx->rx, &type, &data, &avail);
	}
	ret = -EINVAL;
	if (type != KTLSO_CT_APPLICATION_DATA)
		goto out;

	n = min3(len, avail, (size_t)KTLSO_SPLICE_PAGES * PAGE_SIZE);
	while (off < n) {
		size_t chunk = min_t(size_t, n - off, PAGE_SIZE);
		struct page *page = alloc_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			break;
		memcpy(page_address(page), data + off, chunk);
		pages[spd.nr_pages] = page;
		partial[spd.nr_pages] = (struct partial_page){ .len = chunk };
		spd.nr_pages++;
		off += chunk;
	}
	ret = -ENOMEM;
	if (!spd.nr_pages)
		goto out;
	ret = splice_to_pipe(pipe, &spd);
	if (ret > 0)
		ktlso_rx_consume(sk, ctx->rx, ret);
out:
	release_sock(sk);
	return ret;
}

static void ktlso_rx_free_state(struct ktlso_rx *rx)
{
	struct ktlso_rx_rec *r, *tmp;

	if (!rx)
		return;
	list_for_each_entry_safe(r, tmp, &rx->parked, list)
		kfree_sensitive(r);
	ktlso_secret_free(rx->secret);
	ktlso_crypto_clear(&rx->c);
	kfree_sensitive(rx->buf);		/* plaintext may remain */
	kfree(rx);
}

static int ktlso_rx_alloc(const struct ktlso_cipher *c, u16 version,
			  const u8 *info, unsigned int len,
			  struct ktlso_rx **rxp)
{
	struct ktlso_rx *rx;
	int err;

	rx = kzalloc(sizeof(*rx), GFP_KERNEL_ACCOUNT);
	if (!rx)
		return -ENOMEM;
	INIT_LIST_HEAD(&rx->parked);
	ktlso_rx_reset(rx);
	err = ktlso_crypto_init(&rx->c, c, version, info, len);
	if (err)
		goto err_free;
	err = -ENOMEM;
	rx->buf = kmalloc(KTLSO_MAX_RECORD, GFP_KERNEL_ACCOUNT);
	if (!rx->buf)
		goto err_free;
	*rxp = rx;
	return 0;

err_free:
	ktlso_rx_free_state(rx);
	return err;
}

/* A second TLS_RX: switch to the next key, and read on. */
static int ktlso_rx_rekey(struct sock *sk, struct ktlso_context *ctx,
			  const u8 *info)
{
	struct ktlso_rx *rx = ctx->rx;
	struct ktlso_next_key nk;
	int err;

	err = ktlso_crypto_prepare(&rx->c, info, &nk);
	if (err) {
		ktlso_rekey_error(sk, TLS_RX);
		return err;
	}
	ktlso_crypto_switch(&rx->c, &nk);
	rx->gen++;
	WRITE_ONCE(ctx->rx_gen, rx->gen);
	rx->key_pending = false;
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_RX_REKEY_OK, 1);
	ktlso_rx_fill(sk, rx);
	ktlso_rx_update_ready(rx);
	/* Wake pollers that saw nothing while the KeyUpdate paused us. */
	ctx->sk_data_ready(sk);
	return 0;
}

/**
 * ktlso_set_rx() - setsockopt(SOL_TLS, TLS_RX): install receive keys
 * @sk: the socket, ktlso attached, locked by the caller (which decided
 *	under that lock that the caller may install keys)
 * @optval: a struct tls12_crypto_info_* from the caller
 * @optlen: its length, which must be exactly that struct's size
 *
 * Records already waiting in TCP are opened under the new keys: the
 * caller must have read exactly up to the first protected record.  A
 * second TLS_RX on TLS 1.3 keys is a rekey: the records not yet decrypted
 * are opened under the new key, and a pause behind a KeyUpdate ends.  A
 * failed rekey changes nothing.
 *
 * Return: 0; the errors of ktlso_copy_crypto_info() (-EINVAL, -EBUSY if
 * TLS 1.2 keys are set already, -EFAULT); -EBUSY for a rekey where the
 * kernel takes the KeyUpdates (KTLSO_RX_SECRET); -ENOENT if the kernel
 * lacks the cipher; -EOPNOTSUPP for a socket whose proto_ops ktlso does
 * not know; -ENOMEM.
 */
int ktlso_set_rx(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	u8 info[KTLSO_MAX_CRYPTO_INFO];
	const struct ktlso_cipher *c;
	struct ktlso_rx *rx;
	u16 version;
	int err;

	sock_owned_by_me(sk);
	err = ktlso_copy_crypto_info(sk, ctx->rx ? &ctx->rx->c : NULL,
				     ctx->tx ? &ctx->tx->c : NULL,
				     optval, optlen, info, &c, &version);
	if (!err && ctx->rx && ctx->rx->secret)
		err = -EBUSY;
	if (err) {
		if (ctx->rx)
			ktlso_rekey_error(sk, TLS_RX);
		goto out;
	}
	if (ctx->rx) {
		err = ktlso_rx_rekey(sk, ctx, info);
		goto out;
	}
	err = ktlso_build_rx_ops(sk, ctx->family);
	if (err)
		goto out;
	err = ktlso_rx_alloc(c, version, info, optlen, &rx);
	if (err)
		goto out;
	rx->daemon_tickets = version == TLS_1_3_VERSION &&
			     ktlso_hs_daemon_client(sk, ctx);

	write_lock_bh(&sk->sk_callback_lock);
	ctx->sk_data_ready = sk->sk_data_ready;
	ctx->rx = rx;
	WRITE_ONCE(ctx->rx_cipher, c->type);
	WRITE_ONCE(ctx->rx_version, version);
	sk->sk_data_ready = ktlso_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	ktlso_update_proto(sk, ctx);
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_RX_SW, 1);
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_CURR_RX_SW, 1);

	/* Records that arrived before the keys: take them now. */
	ktlso_rx_fill(sk, rx);
	if (READ_ONCE(rx->ready))
		ctx->sk_data_ready(sk);
out:
	memzero_explicit(info, sizeof(info));
	return err;
}

/* The TLS version the socket's keys use, 0 before any are set. */
static u16 ktlso_version(const struct ktlso_context *ctx)
{
	if (ctx->tx)
		return ctx->tx->c.version;
	return ctx->rx ? ctx->rx->c.version : 0;
}

/**
 * ktlso_set_no_pad() - setsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD)
 * @sk: the socket, ktlso attached
 * @optval: a u32, 0 or 1, optionally followed by zeroes
 * @optlen: its length
 *
 * Return: 0; -EINVAL unless the keys are TLS 1.3 and TLS_RX is set, or for
 * a bad value; -EFAULT.
 */
int ktlso_set_no_pad(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	u32 val;
	int err;

	if (sockptr_is_null(optval) || optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val > 1)
		return -EINVAL;
	err = check_zeroed_sockptr(optval, sizeof(val), optlen - sizeof(val));
	if (err < 1)
		return err ? err : -EINVAL;

	lock_sock(sk);
	err = -EINVAL;
	if (ktlso_version(ctx) == TLS_1_3_VERSION && ctx->rx) {
		WRITE_ONCE(ctx->rx_no_pad, val);
		err = 0;
	}
	release_sock(sk);
	return err;
}

/**
 * ktlso_get_no_pad() - getsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD)
 * @sk: the socket, ktlso attached
 * @optval: user buffer for an int
 * @optlen: its length, at least sizeof(int); set to sizeof(int)
 *
 * Return: 0; -EINVAL unless the keys are TLS 1.3 and TLS_RX is set, or for
 * a short buffer; -EFAULT.
 */
int ktlso_get_no_pad(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int value, len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < (int)sizeof(value))
		return -EINVAL;
	lock_sock(sk);
	value = -EINVAL;
	if (ktlso_version(ctx) == TLS_1_3_VERSION && ctx->rx)
		value = ctx->rx_no_pad;
	release_sock(sk);
	if (value < 0)
		return value;
	if (put_user(sizeof(value), optlen) ||
	    copy_to_user(optval, &value, sizeof(value)))
		return -EFAULT;
	return 0;
}

/**
 * ktlso_rx_free() - release the receive state, wiping keys and plaintext
 * @ctx: the context; its data_ready callback is no longer ktlso's
 */
void ktlso_rx_free(struct ktlso_context *ctx)
{
	if (ctx->rx)
		ktlso_stats_add(sock_net(ctx->sk), KTLSO_MIB_CURR_RX_SW, -1);
	ktlso_rx_free_state(ctx->rx);
	ctx->rx = NULL;
}
