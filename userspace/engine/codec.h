/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded encoding and decoding of TLS presentation-language data
 * (RFC 8446 section 3): big-endian integers and length-prefixed vectors.
 *
 * A reader walks a (pointer, length) input and can never read past it. A
 * writer fills a fixed-capacity buffer; a vector's length prefix is written
 * as a placeholder when the vector opens and patched when it closes.
 *
 * Both are sticky: the first failure is recorded in ->err, nothing is read or
 * written after it, and every later call returns the same error. A caller can
 * therefore chain several calls and check once, though checking each call is
 * the usual style. Errors follow alert.h: a reader fails with
 * -KTLSO_ALERT_DECODE_ERROR (malformed peer input), a writer with
 * -KTLSO_ERROR_NO_SPACE or -KTLSO_ERROR_INVALID_ARGUMENT (local faults).
 * Outputs of a failed read are zeroed, never left uninitialised.
 */
#ifndef KTLSO_ENGINE_CODEC_H
#define KTLSO_ENGINE_CODEC_H

#include <stddef.h>
#include <stdint.h>

struct ktlso_reader {
	const uint8_t *buf;
	size_t len;		/* bytes in buf */
	size_t off;		/* bytes consumed */
	int err;		/* 0 or the first failure (sticky) */
};

void ktlso_reader_init(struct ktlso_reader *r, const void *buf, size_t len);

static inline size_t ktlso_reader_remaining(const struct ktlso_reader *r)
{
	return r->len - r->off;
}

int ktlso_get_u8(struct ktlso_reader *r, uint8_t *v);
int ktlso_get_u16(struct ktlso_reader *r, uint16_t *v);
int ktlso_get_u24(struct ktlso_reader *r, uint32_t *v);
int ktlso_get_u32(struct ktlso_reader *r, uint32_t *v);
int ktlso_get_u48(struct ktlso_reader *r, uint64_t *v);
int ktlso_get_u64(struct ktlso_reader *r, uint64_t *v);

/* Copy the next @n bytes into @dst. */
int ktlso_get_bytes(struct ktlso_reader *r, void *dst, size_t n);

/* Borrow the next @n bytes: *@p points into the reader's input. */
int ktlso_get_span(struct ktlso_reader *r, size_t n, const uint8_t **p);

int ktlso_get_vector(struct ktlso_reader *r, unsigned int prefix_len,
		     size_t min, size_t max, struct ktlso_reader *sub);

/*
 * A string in a vector with a one-byte length: the bytes, then a NUL in
 * @out (@cap bytes, at most 256). A string longer than @cap - 1 or holding
 * a NUL fails the reader (decode_error).
 */
int ktlso_get_str8(struct ktlso_reader *r, char *out, size_t cap);

int ktlso_reader_end(struct ktlso_reader *r);
int ktlso_reader_fail(struct ktlso_reader *r);

/* Deepest nesting of open vectors in one writer. */
#define KTLSO_WRITER_MAX_DEPTH 8

struct ktlso_writer_vector {
	size_t start;		/* offset of the length prefix */
	size_t min, max;	/* bounds on the body length */
	unsigned int prefix_len;	/* 1, 2 or 3 bytes */
};

struct ktlso_writer {
	uint8_t *buf;
	size_t cap;		/* capacity of buf */
	size_t len;		/* bytes written */
	int err;		/* 0 or the first failure (sticky) */
	unsigned int depth;	/* vectors open */
	struct ktlso_writer_vector open[KTLSO_WRITER_MAX_DEPTH];
};

void ktlso_writer_init(struct ktlso_writer *w, void *buf, size_t cap);

int ktlso_put_u8(struct ktlso_writer *w, uint8_t v);
int ktlso_put_u16(struct ktlso_writer *w, uint16_t v);
int ktlso_put_u24(struct ktlso_writer *w, uint32_t v);
int ktlso_put_u32(struct ktlso_writer *w, uint32_t v);
int ktlso_put_u48(struct ktlso_writer *w, uint64_t v);
int ktlso_put_u64(struct ktlso_writer *w, uint64_t v);
int ktlso_put_bytes(struct ktlso_writer *w, const void *src, size_t n);

/* @str (at most 255 bytes) in a vector with a one-byte length. */
int ktlso_put_str8(struct ktlso_writer *w, const char *str);

int ktlso_writer_open_vector(struct ktlso_writer *w, unsigned int prefix_len,
			     size_t min, size_t max);
int ktlso_writer_close_vector(struct ktlso_writer *w);
int ktlso_writer_finish(struct ktlso_writer *w, size_t *len);
int ktlso_writer_invalid(struct ktlso_writer *w);

#endif /* KTLSO_ENGINE_CODEC_H */
