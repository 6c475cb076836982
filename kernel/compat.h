/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso: the differences between the kernels ktlso builds for (Debian's 6.1
 * and 6.12), kept here so the data path has no version conditionals.
 */
#ifndef _KTLSO_COMPAT_H
#define _KTLSO_COMPAT_H

#include <linux/bvec.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <net/tcp.h>

/*
 * Before 6.5, sendfile() and splice() into a socket reach the protocol
 * through proto->sendpage(), and a protocol hands pages to TCP with
 * tcp_sendpage_locked(); from 6.5 on both are sendmsg() with
 * MSG_SPLICE_PAGES over a bvec iterator, and proto->sendpage() is gone.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define KTLSO_HAVE_SENDPAGE 1

/**
 * ktlso_tcp_send_pages() - hand pages to TCP, which references, not copies
 * @sk: a TCP socket, locked
 * @bv: the pages
 * @nr: entries in @bv
 * @skip: bytes at the start of @bv already handed over
 * @len: bytes to hand over after those
 * @flags: MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE
 *
 * Return: bytes TCP took (at least 1), or a negative errno if none.
 */
static inline int ktlso_tcp_send_pages(struct sock *sk,
				       const struct bio_vec *bv,
				       unsigned int nr, size_t skip,
				       size_t len, int flags)
{
	size_t done = 0;

	for (; nr && skip >= bv->bv_len; bv++, nr--)
		skip -= bv->bv_len;
	for (; nr && done < len; bv++, nr--, skip = 0) {
		size_t n = min_t(size_t, bv->bv_len - skip, len - done);
		int ret;

		/* TCP pushes after the last piece only. */
		ret = tcp_sendpage_locked(sk, bv->bv_page, bv->bv_offset + skip,
					  n, done + n < len ?
					  flags | MSG_SENDPAGE_NOTLAST : flags);
		if (ret <= 0)
			return done ? done : ret;
		done += ret;
		if ((size_t)ret < n)
			break;
	}
	return done;
}

/**
 * ktlso_iter_page() - the next bytes of a bvec iterator that lie in one page
 * @iter: the iterator, advanced past them
 * @maxsize: the most bytes to take
 * @page: set to the page
 * @off: set to the offset of the bytes in @page
 *
 * No reference is taken: the pages belong to the caller's caller for the
 * duration of the call.
 *
 * Return: the number of bytes, or a negative errno.
 */
static inline ssize_t ktlso_iter_page(struct iov_iter *iter, size_t maxsize,
				      struct page **page, size_t *off)
{
	ssize_t n = iov_iter_get_pages2(iter, page, maxsize, 1, off);

	if (n > 0)
		put_page(*page);
	return n;
}

/**
 * ktlso_iter_pin_user() - hold the user pages under the next bytes of @iter
 * @iter: a user-backed source iterator, advanced past the bytes
 * @maxsize: the most bytes to take
 * @pages: set to the pages, in order
 * @maxpages: room in @pages
 * @off: set to the offset of the first byte in @pages[0]
 *
 * The pages are held until ktlso_unpin_user_page() or, for a destination
 * iterator, whose pages are held for writing, ktlso_unpin_user_pages_dirty():
 * a reference on 6.1, a pin (FOLL_PIN) from 6.3 on.
 *
 * Return: the number of bytes, or a negative errno.
 */
static inline ssize_t ktlso_iter_pin_user(struct iov_iter *iter,
					  size_t maxsize, struct page **pages,
					  unsigned int maxpages, size_t *off)
{
	return iov_iter_get_pages2(iter, pages, maxsize, maxpages, off);
}

/**
 * ktlso_unpin_user_page() - release a page from ktlso_iter_pin_user()
 * @page: the page
 */
static inline void ktlso_unpin_user_page(struct page *page)
{
	put_page(page);
}

/**
 * ktlso_unpin_user_pages_dirty() - release pages ktlso has written to
 * @pages: pages from ktlso_iter_pin_user() on a destination iterator
 * @n: how many
 *
 * Marks them dirty first, so that a file-backed mapping writes them back.
 * May sleep.
 */
static inline void ktlso_unpin_user_pages_dirty(struct page **pages,
						unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}
#else
#define KTLSO_HAVE_SENDPAGE 0
#define MSG_SENDPAGE_NOTLAST 0

static inline int ktlso_tcp_send_pages(struct sock *sk,
				       const struct bio_vec *bv,
				       unsigned int nr, size_t skip,
				       size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = MSG_SPLICE_PAGES | flags };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, skip + len);
	iov_iter_advance(&msg.msg_iter, skip);
	return tcp_sendmsg_locked(sk, &msg, len);
}

static inline ssize_t ktlso_iter_page(struct iov_iter *iter, size_t maxsize,
				      struct page **page, size_t *off)
{
	return iov_iter_extract_pages(iter, &page, maxsize, 1, 0, off);
}

static inline ssize_t ktlso_iter_pin_user(struct iov_iter *iter,
					  size_t maxsize, struct page **pages,
					  unsigned int maxpages, size_t *off)
{
	return iov_iter_extract_pages(iter, &pages, maxsize, maxpages, 0, off);
}

static inline void ktlso_unpin_user_page(struct page *page)
{
	unpin_user_page(page);
}

static inline void ktlso_unpin_user_pages_dirty(struct page **pages,
						unsigned int n)
{
	unpin_user_pages_dirty_lock(pages, n, true);
}
#endif

#endif /* _KTLSO_COMPAT_H */
