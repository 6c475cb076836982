// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the transmit side of the record layer.
 *
 * TLS_TX installs keys.  From then on sendmsg(), sendfile() and splice() add
 * plaintext to the socket's open record, which is a list of pieces: spliced
 * pages (page cache, pipe pages), referenced until the record is sealed, as
 * in-tree kTLS does; runs copied into the socket's plaintext buffer; and,
 * for a record sealed before the call returns, the sender's own pages,
 * pinned for the call only.  A record is sealed when it is full (2^14
 * bytes) or the sender has nothing more to add: the AEAD reads the
 * plaintext where it lies and writes header, ciphertext and tag into space
 * carved from the socket's page frag (sk_page_frag(), as TCP does:
 * amortised, no allocation per record).  Those pages go to TCP as they are
 * (MSG_SPLICE_PAGES, or sendpage before Linux 6.5): TCP references them and
 * ktlso never writes them again, so TCP may retransmit from them.
 *
 * Copies per byte, on either kernel: none for sendfile() and splice(); none
 * for a write() that fills or ends a record (at least KTLSO_TX_PIN_MIN
 * bytes of it); one (into the plaintext buffer) for the rest, such as
 * small MSG_MORE writes.
 *
 * Full records with more bytes to follow go into a small ring instead
 * (tx_parallel.c): each gets its sequence number at once and is sealed by a
 * worker on another CPU, or by the sender when no worker is free, while the
 * sender goes on; they go to TCP in sequence order as those at the front
 * are sealed.  So one connection seals on several CPUs at once.
 *
 * MSG_MORE keeps a record open across calls; a TLS_SET_RECORD_TYPE cmsg
 * sends a record of another content type.  A sealed record TCP has no room
 * for stays pending and goes out first on the next send, or from a work
 * item once TCP reports free space.  A sendfile() or a splice() that does
 * not promise more returns with its last record sealed, so the peer gets the
 * bytes the file held during the call.  Close hands the records pending or
 * in the ring, and an open one, to TCP whole, without waiting for the peer
 * (the send buffer grows by what they need); bytes it still cannot hand
 * over make close reset the connection, so the peer never reads a cut
 * stream as a complete one.
 *
 * Locking: tx_lock serialises senders, the work item and close, and is
 * taken before the socket lock (a sender waiting for room in TCP holds
 * tx_lock with the socket lock dropped, for as long as the peer makes it
 * wait).  The work item therefore never sleeps on tx_lock: it only tries
 * it, and when a sender holds it, the sender queues the work again as it
 * lets go (ktlso_tx_unlock()), so no push is lost and no kworker waits.
 * The ring is the socket's: the sender puts records in and takes them out
 * under the socket lock, and the key never changes while a record is in it
 * (ktlso_tx_join()); a worker only seals the one record it claimed.
 */

#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/sched/clock.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

static_assert(1 + DIV_ROUND_UP(KTLSO_MAX_RECORD, PAGE_SIZE) <= KTLSO_TX_OUT);

/*
 * Fewest bytes of user memory worth pinning instead of copying: below
 * this, the page walk and the pin cost more than the copy.
 */
#define KTLSO_TX_PIN_MIN	2048

/* Let go of the pages of @nr pieces of plaintext. */
static void ktlso_tx_put_pieces(const struct ktlso_tx_piece *in,
				unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (in[i].user)
			ktlso_unpin_user_page(in[i].page);
		else if (in[i].page)
			put_page(in[i].page);
	}
}

/* Let go of the open record's pages; its plaintext is gone. */
static void ktlso_tx_put_in(struct ktlso_tx *tx)
{
	ktlso_tx_put_pieces(tx->in, tx->nr_in);
	tx->nr_in = 0;
	tx->open_len = 0;
	tx->user_pages = false;
}

/*
 * Give back the open record's last bytes, down to @len: the call that
 * added them reports them as not sent.
 */
static void ktlso_tx_trim(struct ktlso_tx *tx, size_t len)
{
	while (tx->open_len > len) {
		struct ktlso_tx_piece *p = &tx->in[tx->nr_in - 1];
		size_t cut = min_t(size_t, p->len, tx->open_len - len);

		p->len -= cut;
		tx->open_len -= cut;
		if (p->len)
			continue;
		if (p->user)
			ktlso_unpin_user_page(p->page);
		else if (p->page)
			put_page(p->page);
		tx->nr_in--;
	}
}

/* Let go of tx->out[@first ...]: TCP holds its own references. */
static void ktlso_tx_put_out_from(struct ktlso_tx *tx, unsigned int first)
{
	unsigned int i;

	for (i = first; i < tx->nr_out; i++)
		put_page(tx->out[i].bv_page);
	tx->nr_out = first;
}

/* Let go of the sealed records' pages. */
static void ktlso_tx_put_out(struct ktlso_tx *tx)
{
	ktlso_tx_put_out_from(tx, 0);
}

static void ktlso_tx_free_state(struct ktlso_tx *tx)
{
	unsigned int i;

	if (!tx)
		return;
	/*
	 * Close settled every flight (ktlso_tx_close()); whatever may still
	 * be queued or running for one ends here, before its pages go.
	 */
	for (i = 0; i < KTLSO_TX_FLIGHTS; i++)
		if (tx->flight[i])
			ktlso_par_stop(tx->flight[i]);
	for (i = 0; i < KTLSO_TX_FLIGHTS; i++) {
		struct ktlso_tx_flight *f = tx->flight[i];

		if (!f)
			continue;
		ktlso_tx_put_pieces(f->in, f->nr_in);
		ktlso_seal_op_free(&f->op);
		kfree(f);
	}
	ktlso_tx_put_in(tx);
	ktlso_tx_put_out(tx);
	ktlso_secret_free(tx->secret);
	ktlso_crypto_clear(&tx->c);
	kfree_sensitive(tx->plain);		/* plaintext may remain */
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
	tx->plain = kmalloc(KTLSO_MAX_PAYLOAD, GFP_KERNEL_ACCOUNT);
	if (!tx->plain)
		goto err_free;
	*txp = tx;
	return 0;

err_free:
	ktlso_tx_free_state(tx);
	return err;
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

/*
 * Records sealed by the sender alone after the oldest record away came
 * back unsealed: the other CPUs were busy, so handing off cost time.
 */
#define KTLSO_TX_FLIGHT_PAUSE	16

/*
 * Have the oldest record of the ring sealed (waiting for its worker, or
 * sealing it here if none started on it) and make it the last of the
 * records to push: its pieces follow theirs in tx->out.
 */
static int ktlso_tx_reap_one(struct sock *sk, struct ktlso_tx *tx)
{
	struct ktlso_tx_flight *f = tx->flight[0];
	bool took_back;
	int err;

	err = ktlso_par_finish(sock_net(sk), f, &took_back);
	if (took_back)
		tx->flight_pause = KTLSO_TX_FLIGHT_PAUSE;
	ktlso_tx_put_pieces(f->in, f->nr_in);
	f->nr_in = 0;
	ktlso_seal_op_free(&f->op);
	tx->nr_flight--;
	memmove(&tx->flight[0], &tx->flight[1],
		tx->nr_flight * sizeof(tx->flight[0]));
	tx->flight[tx->nr_flight] = f;
	tx->push_nr += f->nr_out;
	WRITE_ONCE(tx->push_len, tx->push_len + f->len);
	return err;
}

/*
 * Sending ends on an error: wait out the workers still sealing into
 * tx->out, then drop every record not yet with TCP.  Bytes earlier calls
 * reported as sent may go with them: close must then reset the connection
 * (tx->lost).
 */
static void ktlso_tx_fail(struct sock *sk, struct ktlso_tx *tx, int err)
{
	while (tx->nr_flight)
		ktlso_tx_reap_one(sk, tx);
	if (tx->push_len)
		tx->lost = true;
	WRITE_ONCE(tx->push_len, 0);
	tx->push_nr = 0;
	tx->push_off = 0;
	ktlso_tx_put_out(tx);
	ktlso_tx_abort(sk, tx, err);
}

/*
 * Move the ring's records, oldest first, to the records to push: those
 * sealed already, and at least @wait more (see ktlso_tx_reap_one()).
 * Called under the socket lock.  A record that could not be sealed ends
 * sending, and nothing after it goes out.
 *
 * Return: 0 or the sealing's error, now sticky.
 */
static int ktlso_tx_reap(struct sock *sk, struct ktlso_tx *tx,
			 unsigned int wait)
{
	int err = 0;

	while (tx->nr_flight && !err) {
		if (wait)
			wait--;
		else if (!ktlso_par_done(tx->flight[0]))
			break;
		err = ktlso_tx_reap_one(sk, tx);
	}
	if (err)
		ktlso_tx_fail(sk, tx, err);
	return err;
}

/* All of the ring's records, sealed, to push: before a key goes. */
static int ktlso_tx_join(struct sock *sk, struct ktlso_tx *tx)
{
	return ktlso_tx_reap(sk, tx, KTLSO_TX_FLIGHTS);
}

static void ktlso_write_space(struct sock *sk)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);

	/*
	 * A sealed record still waits: have the work item push it, unless a
	 * push is owed already (queued, or left to the tx_lock holder).
	 */
	if (ctx->tx && READ_ONCE(ctx->tx->push_len) &&
	    !test_and_set_bit(KTLSO_TX_WORK_PENDING, &ctx->tx_bits))
		schedule_work(&ctx->tx_work);
	/* Always pass the wake-up on: a sender may wait for room in TCP. */
	ctx->sk_write_space(sk);
}

/**
 * ktlso_tx_unlock() - let go of tx_lock after sending
 * @ctx: the context, whose tx_lock the caller holds
 *
 * A work item that found tx_lock taken left its push to the holder (see
 * ktlso_tx_work()): queue it again now that it can take the lock.
 */
static void ktlso_tx_unlock(struct ktlso_context *ctx)
{
	lockdep_assert_held(&ctx->tx_lock);
	mutex_unlock(&ctx->tx_lock);
	/*
	 * Orders the unlock before reading the bit; pairs with the fully
	 * ordered test_and_set_bit() before the work's mutex_trylock(): either
	 * the work's trylock sees the lock free, or this sees the bit set.
	 */
	smp_mb();
	if (test_bit(KTLSO_TX_WORK_PENDING, &ctx->tx_bits))
		schedule_work(&ctx->tx_work);
}

/* A second TLS_TX: switch to the next key, or count the failure. */
static int ktlso_tx_rekey(struct sock *sk, struct ktlso_context *ctx,
			  const u8 *info)
{
	struct ktlso_tx *tx = ctx->tx;
	struct ktlso_next_key nk;
	int err;

	err = ktlso_crypto_prepare(&tx->c, info, &nk);
	if (err) {
		ktlso_rekey_error(sk, TLS_TX);
		return err;
	}
	/* Records away on other CPUs use the old key: seal them first. */
	if (tx->nr_flight) {
		err = ktlso_tx_join(sk, tx);
		if (err) {
			ktlso_crypto_discard(&nk);
			return err;
		}
	}
	ktlso_crypto_switch(&tx->c, &nk);
	tx->gen++;
	WRITE_ONCE(ctx->tx_gen, tx->gen);
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_TX_REKEY_OK, 1);
	return 0;
}

/**
 * ktlso_set_tx() - setsockopt(SOL_TLS, TLS_TX): install transmit keys
 * @sk: the socket, ktlso attached, locked by the caller (which decided
 *	under that lock that the caller may install keys)
 * @optval: a struct tls12_crypto_info_* from the caller
 * @optlen: its length, which must be exactly that struct's size
 *
 * A second TLS_TX on TLS 1.3 keys is a rekey: the records sealed from
 * then on are sealed under the new key, from the sequence number it
 * carries; a record already sealed goes out as it is.  A failed rekey
 * changes nothing.
 *
 * Return: 0; the errors of ktlso_copy_crypto_info() (-EINVAL, -EBUSY if
 * TLS 1.2 keys are set already, -EFAULT); -EBUSY for a rekey where the
 * kernel runs the key updates (KTLSO_TX_SECRET); -ENOENT if the kernel
 * lacks the cipher; -ENOMEM.
 */
int ktlso_set_tx(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	u8 info[KTLSO_MAX_CRYPTO_INFO];
	const struct ktlso_cipher *c;
	struct ktlso_tx *tx;
	u16 version;
	int err;

	sock_owned_by_me(sk);
	err = ktlso_copy_crypto_info(sk, ctx->tx ? &ctx->tx->c : NULL,
				     ctx->rx ? &ctx->rx->c : NULL,
				     optval, optlen, info, &c, &version);
	if (!err && ctx->tx && ctx->tx->secret)
		err = -EBUSY;
	if (err) {
		if (ctx->tx)
			ktlso_rekey_error(sk, TLS_TX);
		goto out;
	}
	if (ctx->tx) {
		err = ktlso_tx_rekey(sk, ctx, info);
		goto out;
	}
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
	return err;
}

/*
 * Hand what is left of the records to push (tx->out[0 .. push_nr)) to
 * TCP; once all of them are there, drop ktlso's references to their pages.
 * The ring's records, after them in tx->out, stay.
 */
static int ktlso_tx_push(struct sock *sk, struct ktlso_tx *tx, int flags)
{
	unsigned int i;

	while (tx->push_len) {
		int ret;

		ret = ktlso_tcp_send_pages(sk, tx->out, tx->push_nr,
					   tx->push_off, tx->push_len, flags);
		/*
		 * TCP waited with the socket lock dropped, and a rekey's
		 * ktlso_tx_join() failed meanwhile: nothing is left to push.
		 */
		if (unlikely(!tx->push_len))
			return tx->err ? tx->err : -EPIPE;
		if (ret <= 0)
			return ret ? ret : -EAGAIN;
		tx->push_off += ret;
		WRITE_ONCE(tx->push_len, tx->push_len - ret);
	}
	for (i = 0; i < tx->push_nr; i++)
		put_page(tx->out[i].bv_page);
	tx->nr_out -= tx->push_nr;
	memmove(&tx->out[0], &tx->out[tx->push_nr],
		tx->nr_out * sizeof(tx->out[0]));
	tx->push_nr = 0;
	tx->push_off = 0;
	return 0;
}

/* Note @len bytes just copied to tx->plain at the end of the open record. */
static void ktlso_tx_add_copied(struct ktlso_tx *tx, size_t len)
{
	struct ktlso_tx_piece *last = tx->nr_in ? &tx->in[tx->nr_in - 1] : NULL;

	/* Copied runs are contiguous in tx->plain: extend the last one. */
	if (!last || last->page) {
		last = &tx->in[tx->nr_in++];
		last->page = NULL;
		last->off = 0;
		last->len = 0;
		last->user = false;
	}
	last->len += len;
	tx->open_len += len;
}

/* Copy up to @n bytes from @from into the open record; returns the count. */
static size_t ktlso_tx_copy(struct ktlso_tx *tx, struct iov_iter *from,
			    size_t n)
{
	size_t got = copy_from_iter(tx->plain + tx->open_len, n, from);

	if (got)
		ktlso_tx_add_copied(tx, got);
	return got;
}

/*
 * Take @len bytes of @page at @off as the open record's next bytes, and
 * the page with them: a reference for a spliced page, the pin the caller
 * took for the sender's own (@user).
 */
static void ktlso_tx_add_page(struct ktlso_tx *tx, struct page *page,
			      size_t off, size_t len, bool user)
{
	struct ktlso_tx_piece *last = tx->nr_in ? &tx->in[tx->nr_in - 1] : NULL;

	if (last && last->page == page && last->user == user &&
	    last->off + last->len == off) {
		last->len += len;
		if (user)
			ktlso_unpin_user_page(page);	/* held already */
	} else {
		if (!user)
			get_page(page);
		last = &tx->in[tx->nr_in++];
		last->page = page;
		last->off = off;
		last->len = len;
		last->user = user;
	}
	tx->user_pages |= user;
	tx->open_len += len;
}

/*
 * Add up to @n bytes of user memory to the open record without copying
 * them, by pinning the pages under them.  Only for a record the caller
 * seals before it returns: ktlso_tx_drop_user() makes sure of that.  One
 * entry of tx->in always stays for a copied run.
 *
 * Return: bytes added, which may be fewer than @n (none, say, for memory
 * that cannot be pinned): the caller copies the rest.
 */
static size_t ktlso_tx_pin(struct ktlso_tx *tx, struct iov_iter *from,
			   size_t n)
{
	struct page *pages[KTLSO_TX_PIECES];
	size_t done = 0;

	while (done < n && tx->nr_in < KTLSO_TX_PIECES - 1) {
		unsigned int i, nr;
		size_t off;
		ssize_t len;

		len = ktlso_iter_pin_user(from, n - done, pages,
					  KTLSO_TX_PIECES - 1 - tx->nr_in,
					  &off);
		if (len <= 0)
			break;
		nr = DIV_ROUND_UP(off + len, PAGE_SIZE);
		for (i = 0; i < nr; i++) {
			size_t part = min_t(size_t, len, PAGE_SIZE - off);

			ktlso_tx_add_page(tx, pages[i], off, part, true);
			done += part;
			len -= part;
			off = 0;
		}
	}
	return done;
}

/*
 * The call is about to return with the sender's pages still in the open
 * record (a record that could not be sealed after all): copy their bytes
 * to tx->plain, where they belong, and let the pages go.
 */
static void ktlso_tx_drop_user(struct ktlso_tx *tx)
{
	size_t pos = 0;
	unsigned int i;

	for (i = 0; i < tx->nr_in; i++) {
		struct ktlso_tx_piece *p = &tx->in[i];

		if (p->user) {
			memcpy_from_page(tx->plain + pos, p->page, p->off,
					 p->len);
			ktlso_unpin_user_page(p->page);
			p->page = NULL;
			p->user = false;
		}
		pos += p->len;
	}
	tx->user_pages = false;
}

/*
 * Add up to @n bytes of a spliced bvec iterator to the open record, by
 * reference.  One entry of tx->in always stays for a copied run: pages
 * that would need more entries, or that TCP could not take either (slab,
 * no reference count: !sendpage_ok()), are copied.
 *
 * Return: bytes added, or a negative errno if none.
 */
static ssize_t ktlso_tx_splice(struct ktlso_tx *tx, struct iov_iter *from,
			       size_t n)
{
	size_t done = 0;

	while (done < n) {
		struct page *page;
		ssize_t len;
		size_t off;

		len = ktlso_iter_page(from, n - done, &page, &off);
		if (len <= 0)
			return done ? done : (len ? len : -EIO);
		if (sendpage_ok(page) && tx->nr_in < KTLSO_TX_PIECES - 1) {
			ktlso_tx_add_page(tx, page, off, len, false);
		} else {
			memcpy_from_page(tx->plain + tx->open_len, page, off,
					 len);
			ktlso_tx_add_copied(tx, len);
		}
		done += len;
	}
	return done;
}

/*
 * Carve @len bytes of output from the socket's page frag into tx->out,
 * after the records already there, taking a reference on each piece so
 * that the frag never hands the space out again while ktlso or TCP uses
 * it.
 */
static int ktlso_tx_get_out(struct sock *sk, struct ktlso_tx *tx, size_t len)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	unsigned int first = tx->nr_out;

	while (len) {
		size_t n;

		if (tx->nr_out == KTLSO_TX_OUT_MAX ||
		    !sk_page_frag_refill(sk, pfrag)) {
			ktlso_tx_put_out_from(tx, first);
			return -ENOMEM;
		}
		n = min_t(size_t, len, pfrag->size - pfrag->offset);
		get_page(pfrag->page);
		bvec_set_page(&tx->out[tx->nr_out++], pfrag->page, n,
			      pfrag->offset);
		pfrag->offset += n;
		len -= n;
	}
	return 0;
}

/* @len bytes of @page at @off, which may lie past the first page. */
static void ktlso_sg_set(struct scatterlist *sg, struct page *page,
			 size_t off, size_t len)
{
	sg_set_page(sg, page + off / PAGE_SIZE, len, off % PAGE_SIZE);
}

/*
 * The AEAD's output scatterlist @sgl for the record sealed into
 * tx->out[@first ...], the last one there: entry 0 is left to
 * ktlso_seal_sg(); the output starts after the header and explicit nonce
 * (@body bytes, all in the first piece: sk_page_frag_refill() leaves at
 * least 32 bytes, and a record has at least that many or is whole there).
 */
static void ktlso_tx_build_sg_out(struct ktlso_tx *tx, unsigned int first,
				  size_t body, struct scatterlist *sgl)
{
	struct scatterlist *sg;
	unsigned int i, n;

	n = tx->nr_out - first - (tx->out[first].bv_len == body);
	sg_init_table(sgl, 1 + n);
	sg = &sgl[1];
	for (i = first; i < tx->nr_out; i++) {
		const struct bio_vec *bv = &tx->out[i];
		size_t skip = i == first ? body : 0;

		if (bv->bv_len > skip)
			ktlso_sg_set(sg++, bv->bv_page, bv->bv_offset + skip,
				     bv->bv_len - skip);
	}
}

/*
 * The AEAD's input scatterlist @sgl for @nr pieces of plaintext (copied
 * runs in @plain) and, for TLS 1.3, the content type byte at @inner_type
 * after them: entry 0 is left to ktlso_seal_sg().
 */
static void ktlso_tx_build_sg_in(struct scatterlist *sgl,
				 const struct ktlso_tx_piece *in,
				 unsigned int nr, const u8 *plain,
				 const u8 *inner_type)
{
	struct scatterlist *sg;
	unsigned int i;
	size_t pos = 0;

	sg_init_table(sgl, 1 + nr + !!inner_type);
	sg = &sgl[1];
	for (i = 0; i < nr; i++, sg++) {
		const struct ktlso_tx_piece *p = &in[i];

		if (p->page)
			ktlso_sg_set(sg, p->page, p->off, p->len);
		else
			sg_set_buf(sg, plain + pos, p->len);
		pos += p->len;
	}
	/* TLS 1.3 encrypts the content type after the plaintext. */
	if (inner_type)
		sg_set_buf(sg, inner_type, 1);
}

/*
 * The AEAD's scatterlists for the open record, sealed into
 * tx->out[@first ...].
 */
static void ktlso_tx_build_sg(struct ktlso_tx *tx, unsigned int first,
			      size_t body)
{
	bool tls13 = tx->c.version == TLS_1_3_VERSION;

	tx->inner_type = tx->open_type;
	ktlso_tx_build_sg_in(tx->sg_in, tx->in, tx->nr_in, tx->plain,
			     tls13 ? &tx->inner_type : NULL);
	ktlso_tx_build_sg_out(tx, first, body, tx->sg_out);
}

/*
 * The ring's next slot, allocated the first time it is used; NULL without
 * memory.
 */
static struct ktlso_tx_flight *ktlso_tx_slot(struct ktlso_tx *tx)
{
	struct ktlso_tx_flight *f = tx->flight[tx->nr_flight];

	if (!f) {
		f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
		if (!f)
			return NULL;
		ktlso_par_init_flight(f);
		tx->flight[tx->nr_flight] = f;
	}
	return f;
}

/* Does a record handed off wait for a worker to start on it? */
static bool ktlso_tx_backlog(const struct ktlso_tx *tx)
{
	unsigned int i;

	for (i = 0; i < tx->nr_flight; i++)
		if (ktlso_par_queued(tx->flight[i]))
			return true;
	return false;
}

/*
 * Hand the open record, full, to another CPU as @f, to seal into
 * tx->out[@first ...] (@body bytes of header and explicit nonce first),
 * giving it its sequence number now.  Only a record of spliced pages
 * goes: copied runs lie in tx->plain, which the next record reuses, and
 * the sender's own pages are pinned for its call only.
 *
 * Return: true if handed off; false if the caller is to seal it.
 */
static bool ktlso_tx_hand_off(struct ktlso_tx *tx, struct ktlso_tx_flight *f,
			      unsigned int first, size_t body)
{
	bool tls13 = tx->c.version == TLS_1_3_VERSION;
	unsigned int i;

	if (tx->user_pages || tx->c.seq_exhausted)
		return false;
	if (tx->flight_pause) {
		tx->flight_pause--;
		return false;
	}
	for (i = 0; i < tx->nr_in; i++)
		if (!tx->in[i].page)
			return false;
	if (!ktlso_par_pick(&tx->flight_cpu))
		return false;
	if (ktlso_seal_op_alloc(&tx->c, &f->op, GFP_KERNEL_ACCOUNT))
		return false;
	memcpy(f->in, tx->in, tx->nr_in * sizeof(tx->in[0]));
	f->nr_in = tx->nr_in;
	f->inner_type = tx->open_type;
	ktlso_tx_build_sg_in(f->sg_in, f->in, f->nr_in, NULL,
			     tls13 ? &f->inner_type : NULL);
	ktlso_tx_build_sg_out(tx, first, body, f->sg_out);
	if (ktlso_seal_defer(&tx->c, &f->op, bvec_virt(&tx->out[first]),
			     tx->open_type, tx->open_len, f->sg_in,
			     f->sg_out)) {
		f->nr_in = 0;
		ktlso_seal_op_free(&f->op);
		return false;
	}
	/* The flight holds the record's pages now. */
	tx->nr_in = 0;
	tx->open_len = 0;
	tx->user_pages = false;
	ktlso_par_start(f, tx->flight_cpu);
	return true;
}

/*
 * Seal the @len bytes of tx->ctl as a record of @type (a KeyUpdate, an
 * alert) into tx->out, ready to push.  Nothing may be waiting in tx->out,
 * nor away on other CPUs.
 */
static int ktlso_tx_seal_ctl(struct sock *sk, struct ktlso_tx *tx, u8 type,
			     size_t len)
{
	size_t rec_len = ktlso_record_len(&tx->c, len);
	size_t body = ktlso_body_off(&tx->c);
	bool tls13 = tx->c.version == TLS_1_3_VERSION;
	int err;

	if (WARN_ON_ONCE(tx->push_len || tx->nr_flight || tx->nr_out))
		return -EIO;
	err = ktlso_tx_get_out(sk, tx, rec_len);
	if (err)
		return err;
	/* TLS 1.3's content type right after the body: one entry for both. */
	if (tls13)
		tx->ctl[len] = type;
	sg_init_table(tx->sg_in, 2);
	sg_set_buf(&tx->sg_in[1], tx->ctl, len + tls13);
	ktlso_tx_build_sg_out(tx, 0, body, tx->sg_out);
	err = ktlso_seal_sg(&tx->c, bvec_virt(&tx->out[0]), type, len,
			    tx->sg_in, tx->sg_out);
	memzero_explicit(tx->ctl, sizeof(tx->ctl));
	if (err) {
		ktlso_tx_put_out(tx);
		ktlso_tx_abort(sk, tx, err);
		return err;
	}
	tx->push_off = 0;
	tx->push_nr = tx->nr_out;
	WRITE_ONCE(tx->push_len, rec_len);
	return 0;
}

/* Is a KeyUpdate due before the next record is sealed? */
static bool ktlso_tx_update_due(const struct ktlso_tx *tx)
{
	u64 limit;

	if (!tx->secret)
		return false;
	if (tx->update_owed)
		return true;
	/* The KeyUpdate is the last record the key seals. */
	limit = ktlso_tx_key_limit(&tx->c);
	return limit && tx->c.records + 1 >= limit;
}

/*
 * Seal a KeyUpdate under the current key and switch to the next one,
 * derived from the traffic secret, then start pushing the KeyUpdate.
 * The next key is made before the KeyUpdate is sealed: once that is out,
 * nothing may fail.  Nothing may be waiting in tx->out.
 *
 * Return: 0; -ENOMEM with nothing sealed; the push's error with the
 * KeyUpdate sealed and the key switched; -EKEYEXPIRED, sticky, once the
 * key generations run out.
 */
static int ktlso_tx_send_update(struct sock *sk, struct ktlso_context *ctx,
				int flags)
{
	struct ktlso_tx *tx = ctx->tx;
	struct ktlso_next_key nk;
	int err;

	if (tx->gen >= KTLSO_MAX_KEY_UPDATES) {
		ktlso_tx_abort(sk, tx, -EKEYEXPIRED);
		return -EKEYEXPIRED;
	}
	err = ktlso_secret_next(tx->secret, &tx->c, &nk);
	if (err) {
		/* Only memory may come back; the crypto API's errors stay. */
		if (err != -ENOMEM)
			ktlso_tx_abort(sk, tx, err);
		return err;
	}
	tx->ctl[0] = KTLSO_HT_KEY_UPDATE;
	tx->ctl[1] = 0;
	tx->ctl[2] = 0;
	tx->ctl[3] = 1;
	tx->ctl[4] = tx->update_request;
	err = ktlso_tx_seal_ctl(sk, tx, KTLSO_CT_HANDSHAKE,
				KTLSO_KEY_UPDATE_LEN);
	if (err) {
		ktlso_crypto_discard(&nk);
		memzero_explicit(tx->secret->next, sizeof(tx->secret->next));
		return err;
	}
	ktlso_crypto_switch(&tx->c, &nk);
	ktlso_secret_commit(tx->secret);
	tx->gen++;
	WRITE_ONCE(ctx->tx_gen, tx->gen);
	tx->update_owed = false;
	tx->update_request = KTLSO_KEY_UPDATE_NOT_REQUESTED;
	tx->update_fresh = true;
	ktlso_stats_add(sock_net(sk), KTLSO_MIB_TX_KEY_UPDATE, 1);
	return ktlso_tx_push(sk, tx, flags);
}

/*
 * Seal the fatal alert the receive side owes the peer and start pushing
 * it; a record still open is dropped: nothing may follow a fatal alert.
 * Sending ends here with the receive side's error, which the socket now
 * reports (sk_err).  A record still waiting for TCP goes first.
 */
static int ktlso_tx_send_alert(struct sock *sk, struct ktlso_context *ctx,
			       int flags)
{
	struct ktlso_tx *tx = ctx->tx;
	int err = ctx->rx && ctx->rx->err ? ctx->rx->err : -EPROTO;
	int ret;

	if (tx->nr_flight) {
		ret = ktlso_tx_join(sk, tx);
		if (ret)
			return ret;
	}
	ret = ktlso_tx_push(sk, tx, flags);
	if (ret)
		return ret;
	ktlso_tx_put_in(tx);
	tx->ctl[0] = 2;				/* fatal */
	tx->ctl[1] = tx->alert;
	ret = ktlso_tx_seal_ctl(sk, tx, KTLSO_CT_ALERT, 2);
	if (ret == -ENOMEM)
		return ret;
	tx->alert_owed = false;
	if (!ret)
		ktlso_tx_push(sk, tx, flags);
	ktlso_tx_abort(sk, tx, err);
	return err;
}

/*
 * What the receive side or the application left owed: a fatal alert
 * (before anything else; a record waiting for TCP goes first), or a
 * KeyUpdate when no record is open or waiting (otherwise it goes before
 * the next record is sealed, see ktlso_tx_close_record()).  Called with
 * tx_lock and the socket lock held.
 */
static void ktlso_tx_send_owed(struct sock *sk, struct ktlso_context *ctx,
			       int flags)
{
	struct ktlso_tx *tx = ctx->tx;

	lockdep_assert_held(&ctx->tx_lock);
	sock_owned_by_me(sk);
	if (tx->err)
		return;
	if (tx->alert_owed)
		ktlso_tx_send_alert(sk, ctx, flags);
	else if (tx->update_owed && !tx->push_len && !tx->open_len &&
		 !tx->nr_flight)
		ktlso_tx_send_update(sk, ctx, flags);
}

/**
 * ktlso_tx_owe() - send what the receive side now owes, if it can be now
 * @sk: the socket, locked (the receive side runs under its lock)
 * @ctx: its context, with ->tx set and its update_owed or alert_owed set
 *
 * Only tries tx_lock, which is taken before the socket lock: a sender
 * that holds it sends what is owed as it finishes (ktlso_tx_sendmsg()),
 * and close sends an alert still owed.
 */
void ktlso_tx_owe(struct sock *sk, struct ktlso_context *ctx)
{
	sock_owned_by_me(sk);
	if (!mutex_trylock(&ctx->tx_lock))
		return;
	ktlso_tx_send_owed(sk, ctx, MSG_DONTWAIT | MSG_NOSIGNAL);
	ktlso_tx_unlock(ctx);
}

/*
 * Seal the open record here, into tx->out[@first ...] (@body bytes of
 * header and explicit nonce first), and let go of its plaintext.  A
 * failure ends sending (ktlso_tx_fail()).
 */
static int ktlso_tx_seal_open(struct sock *sk, struct ktlso_tx *tx,
			      unsigned int first, size_t body)
{
	u64 start = local_clock();
	int err;

	ktlso_tx_build_sg(tx, first, body);
	err = ktlso_seal_sg(&tx->c, bvec_virt(&tx->out[first]), tx->open_type,
			    tx->open_len, tx->sg_in, tx->sg_out);
	ktlso_par_sender_sealed(start);
	if (err) {
		ktlso_tx_fail(sk, tx, err);
		return err;
	}
	ktlso_tx_put_in(tx);
	tx->update_fresh = false;
	return 0;
}

/*
 * Put the full open record, with @defer (more bytes follow), in the ring
 * of records sealed out of order and pushed in order: handed to another
 * CPU if no record there still waits for a worker, else sealed here.
 * tx->out[@first ...] holds its output (@len bytes, @body of them header
 * and explicit nonce).  Nothing waits to be pushed on entry.
 *
 * Return: 1 if the record is in the ring, and what is sealed at the front
 * is pushed; 0 if the caller is to seal it; or an error: the record sealed
 * (the push's) or sending ended (the sealing's).
 */
static int ktlso_tx_ring_record(struct sock *sk, struct ktlso_tx *tx,
				unsigned int first, size_t len, size_t body,
				int flags)
{
	struct ktlso_tx_flight *f = ktlso_tx_slot(tx);
	int err;

	if (!f)
		return 0;
	if (ktlso_tx_backlog(tx) || !ktlso_tx_hand_off(tx, f, first, body)) {
		/* Nothing before it in the ring: seal and push it as usual. */
		if (!tx->nr_flight)
			return 0;
		err = ktlso_tx_seal_open(sk, tx, first, body);
		if (err)
			return err;
		ktlso_par_sealed(f);
	}
	f->len = len;
	f->nr_out = tx->nr_out - first;
	tx->nr_flight++;
	tx->update_fresh = false;
	err = ktlso_tx_reap(sk, tx, 0);
	if (!err)
		err = ktlso_tx_push(sk, tx, flags);
	return err ? err : 1;
}

/*
 * Seal the open record into page-frag pages and start pushing it, after
 * the ring's records, which it waits for.  With @defer, a full record more
 * bytes will follow goes to the ring instead, maybe to another CPU (see
 * ktlso_tx_ring_record()).  A record with no room for its output (-ENOMEM)
 * stays open.
 */
static int ktlso_tx_close_record(struct sock *sk, struct ktlso_tx *tx,
				 int flags, bool defer)
{
	unsigned int first, ring = 0;
	size_t len, body;
	int err;

	if (ktlso_tx_update_due(tx)) {
		/* The KeyUpdate follows the records before it on the wire. */
		if (tx->nr_flight) {
			err = ktlso_tx_join(sk, tx);
			if (!err)
				err = ktlso_tx_push(sk, tx, flags);
			if (err)
				return err;
		}
		err = ktlso_tx_send_update(sk, ktlso_get_ctx(sk), flags);
		if (err)
			return err;
	}
	if (defer && !tx->push_len)
		ring = ktlso_par_flights();
	/* A full ring: its oldest record goes first. */
	while (ring && tx->nr_flight >= ring) {
		err = ktlso_tx_reap(sk, tx, 1);
		if (!err)
			err = ktlso_tx_push(sk, tx, flags);
		if (err)
			return err;
	}
	len = ktlso_record_len(&tx->c, tx->open_len);
	body = ktlso_body_off(&tx->c);
	first = tx->nr_out;
	err = ktlso_tx_get_out(sk, tx, len);
	if (err)
		return err;
	if (ring) {
		err = ktlso_tx_ring_record(sk, tx, first, len, body, flags);
		if (err)
			return err < 0 ? err : 0;
	}
	err = ktlso_tx_seal_open(sk, tx, first, body);
	if (err)
		return err;
	if (tx->nr_flight) {
		err = ktlso_tx_join(sk, tx);
		if (err)
			return err;
	}
	tx->push_nr = tx->nr_out;
	WRITE_ONCE(tx->push_len, tx->push_len + len);
	return ktlso_tx_push(sk, tx, flags);
}

/*
 * Seal the open record (with @defer, maybe on another CPU) and start
 * pushing it, waiting for memory for its output as TCP waits for send
 * buffer space (sk_stream_wait_memory()), up to *@timeo.
 *
 * Return: as ktlso_tx_close_record(); when no memory came in time, the
 * wait's error (-EAGAIN, -EPIPE, -EINTR, -ERESTARTSYS), the record still
 * open.
 */
static int ktlso_tx_seal(struct sock *sk, struct ktlso_tx *tx, int flags,
			 long *timeo, bool defer)
{
	int err;

	for (;;) {
		err = ktlso_tx_close_record(sk, tx, flags, defer);
		if (err != -ENOMEM || tx->err)
			return err;
		err = sk_stream_wait_memory(sk, timeo);
		if (err)
			return err == -EPIPE ? sk_stream_error(sk, flags, err) :
					       err;
	}
}

/*
 * Add up to @n bytes of @msg to the open record: by reference for a splice
 * (@splice), straight from the sender's pinned memory for a record sealed
 * before the call returns (@seal), as in-tree kTLS does, and copied
 * otherwise.
 *
 * Return: bytes added, fewer than @n where the rest faulted; or a negative
 * errno if none was.
 */
static ssize_t ktlso_tx_take(struct ktlso_tx *tx, struct msghdr *msg,
			     size_t n, bool splice, bool seal)
{
	size_t got = 0;

	if (splice)
		return ktlso_tx_splice(tx, &msg->msg_iter, n);
	if (seal && n >= KTLSO_TX_PIN_MIN && user_backed_iter(&msg->msg_iter))
		got = ktlso_tx_pin(tx, &msg->msg_iter, n);
	return got + ktlso_tx_copy(tx, &msg->msg_iter, n - got);
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

/*
 * The body of sendmsg(), sendfile() and splice(): with @splice, @msg's
 * iterator is a bvec whose pages may be referenced instead of copied.
 */
static int ktlso_tx_sendmsg(struct sock *sk, struct msghdr *msg, bool splice)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int flags = msg->msg_flags;
	long timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
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
	/* The receive side failed: the peer gets its alert, nothing more. */
	if (tx->alert_owed) {
		err = ktlso_tx_send_alert(sk, ctx,
					  flags & (MSG_DONTWAIT | MSG_NOSIGNAL));
		goto out;
	}
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
	/* TCP may hold back a partial segment while the sender has more. */
	flags = (flags & (MSG_DONTWAIT | MSG_NOSIGNAL)) | (more ? MSG_MORE : 0);
	/*
	 * The sealed record goes first, and nothing is added before it has
	 * gone: so when a call returns, either no record waits or the open
	 * one is empty (see ktlso_splice_eof()).
	 */
	err = ktlso_tx_push(sk, tx, flags);
	if (err)
		goto out;
	if (tx->open_len && tx->open_type != type) {
		err = ktlso_tx_seal(sk, tx, flags, &timeo, false);
		if (err)
			goto out;
	}

	do {
		size_t n = min_t(size_t, msg_data_left(msg),
				 KTLSO_MAX_PAYLOAD - tx->open_len);
		size_t start = tx->open_len;
		int ret;

		tx->open_type = type;
		if (n) {
			bool seal = tx->open_len + n == KTLSO_MAX_PAYLOAD ||
				    (n == msg_data_left(msg) && !more);
			ssize_t got = ktlso_tx_take(tx, msg, n, splice, seal);

			if (got < 0) {
				err = got;
				goto out;
			}
			copied += got;
			if ((size_t)got != n) {
				/*
				 * The rest faulted.  What was taken goes out
				 * as TCP would send it: the record ends here
				 * unless the sender promised more.
				 */
				err = -EFAULT;
				if (!got || more)
					goto out;
			}
		}
		if (err == -EFAULT || tx->open_len == KTLSO_MAX_PAYLOAD ||
		    (!msg_data_left(msg) && !more &&
		     (tx->open_len || type != KTLSO_CT_APPLICATION_DATA))) {
			/* A full record with more to come may go elsewhere. */
			bool defer = !err &&
				     tx->open_len == KTLSO_MAX_PAYLOAD &&
				     (msg_data_left(msg) || more);

			ret = ktlso_tx_seal(sk, tx, flags, &timeo, defer);
			if (ret && tx->open_len && !tx->err) {
				/* Never sealed: this call's bytes are not sent. */
				copied -= tx->open_len - start;
				ktlso_tx_trim(tx, start);
			}
			if (ret)
				err = ret;
			if (err)
				goto out;
		}
	} while (msg_data_left(msg));

out:
	if (unlikely(tx->user_pages))
		ktlso_tx_drop_user(tx);
	/*
	 * Records away on other CPUs wait for the next one only while the
	 * sender promises more: otherwise they go now (what TCP has no room
	 * for, later, from the work item).
	 */
	if (tx->nr_flight && (err || !more) && !ktlso_tx_join(sk, tx))
		ktlso_tx_push(sk, tx, MSG_DONTWAIT | MSG_NOSIGNAL);
	/* What the receive side owed while this sender held tx_lock. */
	ktlso_tx_send_owed(sk, ctx, MSG_DONTWAIT | MSG_NOSIGNAL);
	fatal = tx->err;
	release_sock(sk);
	ktlso_tx_unlock(ctx);
	if (fatal)
		return fatal;
	/*
	 * Bytes in a record that is out or merely waiting for room count as
	 * sent: a work item pushes it once TCP has room, no later call is
	 * needed.  After a hard error (EPIPE, ECONNRESET, ...) they never
	 * will be.
	 */
	if (err && err != -EAGAIN && err != -EINTR && err != -ERESTARTSYS &&
	    err != -ENOMEM && err != -EFAULT)
		return err;
	return copied ? copied : err;
}

/**
 * ktlso_sendmsg() - sendmsg() once TLS_TX is set
 * @sk: the socket
 * @msg: the plaintext, flags and an optional TLS_SET_RECORD_TYPE cmsg;
 *	with MSG_SPLICE_PAGES (sendfile() and splice() from Linux 6.5 on) a
 *	bvec of pages, which are encrypted where they are
 * @size: bytes in @msg
 *
 * A write that faults midway sends what it took, in a record that ends
 * there unless MSG_MORE says otherwise.  With no memory to seal a record
 * into, it waits as TCP does (up to SO_SNDTIMEO; not with MSG_DONTWAIT),
 * and bytes that could not be sealed are not counted.
 *
 * Return: plaintext bytes accepted (each is in a sealed record that went,
 * or will go, to TCP, or in the open record with MSG_MORE); or a negative
 * errno if none was.  A sealing failure or a hard TCP error (the
 * connection is gone) is returned even after a partial send.
 */
int ktlso_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	return ktlso_tx_sendmsg(sk, msg, (msg->msg_flags & MSG_SPLICE_PAGES) &&
				iov_iter_is_bvec(&msg->msg_iter));
}

#if KTLSO_HAVE_SENDPAGE
/**
 * ktlso_sendpage() - sendfile()/splice() into the socket before Linux 6.5
 * @sk: the socket
 * @page: the page holding the data, encrypted where it is
 * @offset: where the data starts in @page
 * @size: bytes of data
 * @flags: MSG_* flags; MSG_SENDPAGE_NOTLAST keeps the record open
 *
 * Return: as ktlso_sendmsg().
 */
int ktlso_sendpage(struct sock *sk, struct page *page, int offset,
		   size_t size, int flags)
{
	struct bio_vec bvec;
	struct msghdr msg = {
		.msg_flags = flags & (MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL |
				      MSG_EOR | MSG_SENDPAGE_NOTLAST),
	};

	bvec_set_page(&bvec, page, size, offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);
	return ktlso_tx_sendmsg(sk, &msg, true);
}
#endif

/**
 * ktlso_splice_eof() - a splice ended with the record still open: send it
 * @sock: the socket
 *
 * Waits for TCP, and for memory to seal the record into, as a send would
 * (unless the socket is non-blocking), so that sendfile() returns with its
 * last record sealed, after the records still away on other CPUs.  No
 * sealed record waits here while one is open (see ktlso_tx_sendmsg()).
 */
void ktlso_splice_eof(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int flags = MSG_NOSIGNAL;
	struct ktlso_tx *tx;
	long timeo;

	if (sock->file && (sock->file->f_flags & O_NONBLOCK))
		flags |= MSG_DONTWAIT;
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	tx = ctx->tx;
	if (tx && !tx->err && tx->open_len && !ktlso_tx_push(sk, tx, flags))
		ktlso_tx_seal(sk, tx, flags, &timeo, false);
	else if (tx && !tx->err && tx->nr_flight && !ktlso_tx_join(sk, tx))
		ktlso_tx_push(sk, tx, flags);
	release_sock(sk);
	ktlso_tx_unlock(ctx);
}

/**
 * ktlso_tx_work() - push a record TCP had no room for, now that it has
 * @work: ktlso_context.tx_work
 *
 * Only tries tx_lock: its holder may be a sender waiting for room in TCP
 * for as long as the peer makes it wait, and a kworker must not sleep that
 * long.  When the lock is taken, KTLSO_TX_WORK_PENDING stays set and the
 * holder queues this again as it lets go (ktlso_tx_unlock(); close cancels
 * the work instead).  The context outlives the work: close cancels it
 * before freeing anything.
 */
static void ktlso_tx_work(struct work_struct *work)
{
	struct ktlso_context *ctx = container_of(work, struct ktlso_context,
						 tx_work);
	struct sock *sk = ctx->sk;

	if (!mutex_trylock(&ctx->tx_lock))
		return;
	clear_bit(KTLSO_TX_WORK_PENDING, &ctx->tx_bits);
	lock_sock(sk);
	if (!ctx->tx->err)
		ktlso_tx_push(sk, ctx->tx, MSG_DONTWAIT | MSG_NOSIGNAL);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
}

/*
 * Let TCP queue @bytes more whatever its send buffer holds: at close,
 * where no sender is paced by it any more.  TCP's own memory accounting
 * still applies.
 */
static void ktlso_tx_room_for(struct sock *sk, size_t bytes)
{
	int want = READ_ONCE(sk->sk_wmem_queued) + 2 * (int)bytes +
		   SKB_TRUESIZE(0) * KTLSO_TX_OUT_MAX;

	if (READ_ONCE(sk->sk_sndbuf) < want)
		WRITE_ONCE(sk->sk_sndbuf, want);
	/* TCP_NOTSENT_LOWAT would hold the record back just the same. */
	WRITE_ONCE(tcp_sk(sk)->notsent_lowat, UINT_MAX);
}

/**
 * ktlso_tx_close() - flush the transmit side as the socket closes
 * @sk: the socket, locked
 * @ctx: its context, whose tx_lock the caller holds
 *
 * What ktlso holds is sealed records TCP had no room for (records away on
 * other CPUs are waited for), or an open one (MSG_MORE; in-tree kTLS drops
 * it).  Close hands it
 * to TCP whole without waiting for the peer, as TCP's own close keeps
 * what was sent: the send buffer grows by what the record needs, and TCP
 * delivers it after close with the rest of its queue (SO_LINGER then
 * waits for all of it, as it would without ktlso).
 *
 * Return: true if bytes a send accepted could not be handed to TCP (no
 * memory even so, or a sticky error), maybe with a record cut: the caller
 * must reset the connection rather than end it with a FIN, which the peer
 * would read as the clean end of a complete stream.
 */
bool ktlso_tx_close(struct sock *sk, struct ktlso_context *ctx)
{
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	struct ktlso_tx *tx = ctx->tx;
	int err = 0;

	lockdep_assert_held(&ctx->tx_lock);
	sock_owned_by_me(sk);
	/* Records away on other CPUs are sealed and go first. */
	if (tx->nr_flight)
		ktlso_tx_join(sk, tx);
	if (tx->alert_owed && !tx->err) {
		/* The record waiting for TCP, then the alert; no more. */
		ktlso_tx_room_for(sk, tx->push_len +
				  ktlso_record_len(&tx->c, 2));
		ktlso_tx_send_alert(sk, ctx, flags);
		return tx->push_len || tx->lost;
	}
	if (tx->push_len || tx->open_len)
		ktlso_tx_room_for(sk, tx->push_len ? tx->push_len :
				  ktlso_record_len(&tx->c, tx->open_len));
	while (!tx->err && !err && (tx->push_len || tx->open_len)) {
		if (tx->push_len)
			err = ktlso_tx_push(sk, tx, flags);
		else
			err = ktlso_tx_close_record(sk, tx, flags, false);
	}
	return tx->push_len || tx->open_len || tx->lost;
}

/**
 * ktlso_tx_key_update() - setsockopt(SOL_TLS, KTLSO_KEY_UPDATE)
 * @sk: the socket, ktlso attached
 * @optval: a u32, KTLSO_KEY_UPDATE_NOT_REQUESTED or _REQUESTED
 * @optlen: its size
 *
 * The KeyUpdate is sealed at once when nothing is open or waiting for
 * TCP (a record waiting is pushed first, without waiting), otherwise it
 * is owed and goes before the next record.  A request already owed keeps
 * update_requested if either asked for it.
 *
 * Return: 0; -EINVAL for a bad value or length or no transmit secret;
 * -EKEYEXPIRED when the key generations are used up; the sticky error that
 * ended sending; -EFAULT; -EINTR.
 */
int ktlso_tx_key_update(struct sock *sk, sockptr_t optval,
			unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	struct ktlso_tx *tx;
	u32 request;
	int err;

	if (sockptr_is_null(optval) || optlen != sizeof(request))
		return -EINVAL;
	if (copy_from_sockptr(&request, optval, sizeof(request)))
		return -EFAULT;
	if (request > KTLSO_KEY_UPDATE_REQUESTED)
		return -EINVAL;
	err = mutex_lock_interruptible(&ctx->tx_lock);
	if (err)
		return err;
	lock_sock(sk);
	tx = ctx->tx;
	err = -EINVAL;
	if (!tx || !tx->secret)
		goto out;
	err = tx->err;
	if (err)
		goto out;
	err = -EKEYEXPIRED;
	if (tx->gen >= KTLSO_MAX_KEY_UPDATES)
		goto out;
	tx->update_owed = true;
	tx->update_request |= request;
	err = 0;
	if (!tx->open_len && tx->nr_flight)
		err = ktlso_tx_join(sk, tx);
	if (!tx->open_len && !err)
		err = ktlso_tx_push(sk, tx, flags);
	if (!err)
		ktlso_tx_send_owed(sk, ctx, flags);
	/* Owed (memory, room in TCP) is no failure; an ended stream is. */
	if (err == -EAGAIN)
		err = 0;
	if (tx->err)
		err = tx->err;
out:
	release_sock(sk);
	ktlso_tx_unlock(ctx);
	return err;
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
