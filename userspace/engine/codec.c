// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded reader and writer for TLS wire data. See codec.h.
 */
#include "engine/codec.h"

#include <string.h>

#include "engine/alert.h"

/* --- reader ---------------------------------------------------------------- */

void ktlso_reader_init(struct ktlso_reader *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = buf ? len : 0;
	r->off = 0;
	r->err = 0;
}

/**
 * ktlso_reader_fail() - fail @r with decode_error, unless it already failed
 * @r: the reader
 *
 * For checks a caller makes beyond the codec's own (a field's value, a
 * length's parity): the reader's usual sticky failure.
 *
 * Return: the reader's error.
 */
int ktlso_reader_fail(struct ktlso_reader *r)
{
	if (r->err == 0)
		r->err = -KTLSO_ALERT_DECODE_ERROR;
	return r->err;
}

/*
 * Take @n bytes, or fail. The single bounds check every read goes through;
 * written as "n > remaining" so that it cannot overflow.
 */
static int reader_take(struct ktlso_reader *r, size_t n, const uint8_t **p)
{
	*p = NULL;
	if (r->err)
		return r->err;
	if (n > ktlso_reader_remaining(r))
		return ktlso_reader_fail(r);
	*p = r->buf + r->off;
	r->off += n;
	return 0;
}

static int get_be(struct ktlso_reader *r, size_t n, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	size_t i;
	int ret;

	*v = 0;
	ret = reader_take(r, n, &p);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		x = (x << 8) | p[i];
	*v = x;
	return 0;
}

int ktlso_get_u8(struct ktlso_reader *r, uint8_t *v)
{
	uint64_t x;
	int ret = get_be(r, 1, &x);

	*v = (uint8_t)x;
	return ret;
}

int ktlso_get_u16(struct ktlso_reader *r, uint16_t *v)
{
	uint64_t x;
	int ret = get_be(r, 2, &x);

	*v = (uint16_t)x;
	return ret;
}

int ktlso_get_u24(struct ktlso_reader *r, uint32_t *v)
{
	uint64_t x;
	int ret = get_be(r, 3, &x);

	*v = (uint32_t)x;
	return ret;
}

int ktlso_get_u32(struct ktlso_reader *r, uint32_t *v)
{
	uint64_t x;
	int ret = get_be(r, 4, &x);

	*v = (uint32_t)x;
	return ret;
}

int ktlso_get_u48(struct ktlso_reader *r, uint64_t *v)
{
	return get_be(r, 6, v);
}

int ktlso_get_u64(struct ktlso_reader *r, uint64_t *v)
{
	return get_be(r, 8, v);
}

int ktlso_get_bytes(struct ktlso_reader *r, void *dst, size_t n)
{
	const uint8_t *p;
	int ret = reader_take(r, n, &p);

	if (ret) {
		if (n)
			memset(dst, 0, n);
		return ret;
	}
	if (n)
		memcpy(dst, p, n);
	return 0;
}

int ktlso_get_span(struct ktlso_reader *r, size_t n, const uint8_t **p)
{
	return reader_take(r, n, p);
}

/**
 * ktlso_get_vector() - read a length-prefixed vector as a sub-reader
 * @r: the reader
 * @prefix_len: bytes in the length prefix: 1, 2 or 3 (<0..2^8-1> .. <0..2^24-1>)
 * @min: fewest body bytes the vector may hold
 * @max: most body bytes the vector may hold
 * @sub: set to a reader over exactly the body
 *
 * The body must fit in what @r has left and its length must lie in
 * [@min, @max]; otherwise the call fails with decode_error and @sub is an
 * empty reader in the same error state. @sub is independent of @r: the
 * caller ends it with ktlso_reader_end() to reject trailing bytes inside the
 * vector.
 *
 * Return: 0, -KTLSO_ALERT_DECODE_ERROR, or -KTLSO_ERROR_INVALID_ARGUMENT
 * for a @prefix_len outside 1..3 or @min > @max (a parser bug: nothing is
 * read, and the reader is failed).
 */
int ktlso_get_vector(struct ktlso_reader *r, unsigned int prefix_len,
		     size_t min, size_t max, struct ktlso_reader *sub)
{
	const uint8_t *body;
	uint64_t n;
	int ret;

	ktlso_reader_init(sub, NULL, 0);
	if (r->err) {
		sub->err = r->err;
		return r->err;
	}
	if (prefix_len < 1 || prefix_len > 3 || min > max) {
		/* A parser bug, not the peer's fault; still never read. */
		sub->err = r->err = -KTLSO_ERROR_INVALID_ARGUMENT;
		return r->err;
	}
	ret = get_be(r, prefix_len, &n);
	if (ret == 0 && (n < min || n > max))
		ret = ktlso_reader_fail(r);
	if (ret == 0)
		ret = reader_take(r, (size_t)n, &body);
	if (ret) {
		sub->err = ret;
		return ret;
	}
	ktlso_reader_init(sub, body, (size_t)n);
	return 0;
}

int ktlso_get_str8(struct ktlso_reader *r, char *out, size_t cap)
{
	struct ktlso_reader v;

	if (cap < 1 || cap > 256)
		return ktlso_reader_fail(r);
	if (ktlso_get_vector(r, 1, 0, cap - 1, &v))
		return r->err;
	if (v.len && memchr(v.buf, 0, v.len))
		return ktlso_reader_fail(r);
	if (v.len)
		memcpy(out, v.buf, v.len);
	out[v.len] = 0;
	return 0;
}

/**
 * ktlso_reader_end() - require that the input was consumed exactly
 * @r: the reader
 *
 * Return: the reader's sticky error, else -KTLSO_ALERT_DECODE_ERROR if bytes
 * are left over, else 0.
 */
int ktlso_reader_end(struct ktlso_reader *r)
{
	if (r->err)
		return r->err;
	if (ktlso_reader_remaining(r))
		return ktlso_reader_fail(r);
	return 0;
}

/* --- writer ---------------------------------------------------------------- */

void ktlso_writer_init(struct ktlso_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->err = 0;
	w->depth = 0;
}

static int writer_fail(struct ktlso_writer *w, int err)
{
	if (w->err == 0)
		w->err = err;
	return w->err;
}

/**
 * ktlso_writer_invalid() - fail @w with invalid_argument, unless it failed
 * @w: the writer
 *
 * For a message the caller asked to write that breaks the message's own
 * rules: the writer's usual sticky failure.
 *
 * Return: the writer's error.
 */
int ktlso_writer_invalid(struct ktlso_writer *w)
{
	return writer_fail(w, -KTLSO_ERROR_INVALID_ARGUMENT);
}

/* Reserve @n bytes at the end of the output, or fail. */
static int writer_reserve(struct ktlso_writer *w, size_t n, uint8_t **p)
{
	*p = NULL;
	if (w->err)
		return w->err;
	if (n > w->cap - w->len)
		return writer_fail(w, -KTLSO_ERROR_NO_SPACE);
	*p = w->buf + w->len;
	w->len += n;
	return 0;
}

static void store_be(uint8_t *p, size_t n, uint64_t v)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static int put_be(struct ktlso_writer *w, size_t n, uint64_t v)
{
	uint8_t *p;
	int ret;

	if (n < 8 && (v >> (8 * n)) != 0)
		return writer_fail(w, -KTLSO_ERROR_INVALID_ARGUMENT);
	ret = writer_reserve(w, n, &p);
	if (ret)
		return ret;
	store_be(p, n, v);
	return 0;
}

int ktlso_put_u8(struct ktlso_writer *w, uint8_t v)
{
	return put_be(w, 1, v);
}

int ktlso_put_u16(struct ktlso_writer *w, uint16_t v)
{
	return put_be(w, 2, v);
}

int ktlso_put_u24(struct ktlso_writer *w, uint32_t v)
{
	return put_be(w, 3, v);
}

int ktlso_put_u32(struct ktlso_writer *w, uint32_t v)
{
	return put_be(w, 4, v);
}

int ktlso_put_u48(struct ktlso_writer *w, uint64_t v)
{
	return put_be(w, 6, v);
}

int ktlso_put_u64(struct ktlso_writer *w, uint64_t v)
{
	return put_be(w, 8, v);
}

int ktlso_put_bytes(struct ktlso_writer *w, const void *src, size_t n)
{
	uint8_t *p;
	int ret = writer_reserve(w, n, &p);

	if (ret)
		return ret;
	if (n)
		memcpy(p, src, n);
	return 0;
}

/**
 * ktlso_writer_open_vector() - start a length-prefixed vector
 * @w: the writer
 * @prefix_len: bytes in the length prefix: 1, 2 or 3
 * @min: fewest body bytes the vector may hold
 * @max: most body bytes the vector may hold; must fit in @prefix_len bytes
 *
 * Writes a zero placeholder for the length; ktlso_writer_close_vector()
 * patches it. Vectors nest up to KTLSO_WRITER_MAX_DEPTH deep.
 *
 * Return: 0, -KTLSO_ERROR_NO_SPACE or -KTLSO_ERROR_INVALID_ARGUMENT.
 */
int ktlso_writer_open_vector(struct ktlso_writer *w, unsigned int prefix_len,
			     size_t min, size_t max)
{
	struct ktlso_writer_vector *v;
	size_t start = w->len;
	int ret;

	if (w->err)
		return w->err;
	if (prefix_len < 1 || prefix_len > 3 || min > max ||
	    (uint64_t)max >> (8 * prefix_len) != 0 ||
	    w->depth == KTLSO_WRITER_MAX_DEPTH)
		return writer_fail(w, -KTLSO_ERROR_INVALID_ARGUMENT);
	ret = put_be(w, prefix_len, 0);
	if (ret)
		return ret;
	v = &w->open[w->depth++];
	v->start = start;
	v->min = min;
	v->max = max;
	v->prefix_len = prefix_len;
	return 0;
}

/**
 * ktlso_writer_close_vector() - end the innermost open vector
 * @w: the writer
 *
 * Patches the length prefix with the body length, which must lie within the
 * bounds given when the vector opened.
 *
 * Return: 0 or -KTLSO_ERROR_INVALID_ARGUMENT (no open vector, or the body is
 * shorter than its minimum or longer than its maximum).
 */
int ktlso_writer_close_vector(struct ktlso_writer *w)
{
	struct ktlso_writer_vector *v;
	size_t body;

	if (w->err)
		return w->err;
	if (w->depth == 0)
		return writer_fail(w, -KTLSO_ERROR_INVALID_ARGUMENT);
	v = &w->open[--w->depth];
	body = w->len - v->start - v->prefix_len;
	if (body < v->min || body > v->max)
		return writer_fail(w, -KTLSO_ERROR_INVALID_ARGUMENT);
	store_be(w->buf + v->start, v->prefix_len, body);
	return 0;
}

int ktlso_put_str8(struct ktlso_writer *w, const char *str)
{
	ktlso_writer_open_vector(w, 1, 0, 255);
	ktlso_put_bytes(w, str, strlen(str));
	return ktlso_writer_close_vector(w);
}

/**
 * ktlso_writer_finish() - check the writer and report the encoded length
 * @w: the writer
 * @len: set to the bytes written, 0 on failure
 *
 * Return: the sticky error, else -KTLSO_ERROR_INVALID_ARGUMENT if a vector
 * is still open, else 0.
 */
int ktlso_writer_finish(struct ktlso_writer *w, size_t *len)
{
	*len = 0;
	if (w->err)
		return w->err;
	if (w->depth)
		return writer_fail(w, -KTLSO_ERROR_INVALID_ARGUMENT);
	*len = w->len;
	return 0;
}
