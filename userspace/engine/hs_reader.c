// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake message framing and reassembly across records. See msg.h.
 */
#include "engine/msg.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/record.h"

int ktlso_hs_msg_split(struct ktlso_hs_msg *msg, const uint8_t *data,
		       size_t len)
{
	struct ktlso_reader r, body;
	int ret;

	memset(msg, 0, sizeof(*msg));
	ktlso_reader_init(&r, data, len);
	ret = ktlso_get_u8(&r, &msg->type);
	if (ret == 0)
		ret = ktlso_get_vector(&r, 3, 0, KTLSO_HS_MAX_BODY_LEN, &body);
	if (ret == 0)
		ret = ktlso_reader_end(&r);
	if (ret) {
		memset(msg, 0, sizeof(*msg));
		return ret;
	}
	msg->body.p = body.buf;
	msg->body.len = body.len;
	msg->raw.p = data;
	msg->raw.len = len;
	return 0;
}

int ktlso_hs_header_write(struct ktlso_writer *w, uint8_t type,
			  size_t body_len)
{
	int ret;

	if (body_len > KTLSO_HS_MAX_BODY_LEN)
		return ktlso_writer_invalid(w);
	ret = ktlso_put_u8(w, type);
	if (ret == 0)
		ret = ktlso_put_u24(w, (uint32_t)body_len);
	return ret;
}

/* --- reader --------------------------------------------------------------- */

int ktlso_hs_reader_init(struct ktlso_hs_reader *hr, size_t max_body)
{
	memset(hr, 0, sizeof(*hr));
	if (max_body == 0 || max_body > KTLSO_HS_MAX_BODY_LEN)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	hr->cap = KTLSO_HS_HEADER_LEN + max_body + KTLSO_MAX_PLAINTEXT_LEN;
	hr->buf = malloc(hr->cap);
	if (!hr->buf) {
		hr->cap = 0;
		return -KTLSO_ERROR_NO_MEMORY;
	}
	hr->max_body = max_body;
	return 0;
}

void ktlso_hs_reader_free(struct ktlso_hs_reader *hr)
{
	/* Tickets and the peer's messages: not secret, but not kept either. */
	if (hr->buf)
		OPENSSL_clear_free(hr->buf, hr->cap);
	memset(hr, 0, sizeof(*hr));
}

static int hs_reader_fail(struct ktlso_hs_reader *hr, int err)
{
	if (hr->err == 0)
		hr->err = err;
	return hr->err;
}

/**
 * ktlso_hs_reader_feed() - add one handshake record's plaintext
 * @hr: the reader
 * @data: the bytes
 * @len: 1 to 2^14 bytes (RFC 8446 5.1 forbids empty handshake fragments)
 *
 * Return: 0; -KTLSO_ALERT_UNEXPECTED_MESSAGE for an empty fragment;
 * -KTLSO_ERROR_INVALID_ARGUMENT for more than 2^14 bytes; -KTLSO_ERROR_NO_SPACE
 * when whole messages were left undrained. Errors are sticky.
 */
int ktlso_hs_reader_feed(struct ktlso_hs_reader *hr, const uint8_t *data,
			 size_t len)
{
	if (hr->err)
		return hr->err;
	if (!hr->buf || len > KTLSO_MAX_PLAINTEXT_LEN)
		return hs_reader_fail(hr, -KTLSO_ERROR_INVALID_ARGUMENT);
	if (len == 0)
		return hs_reader_fail(hr, -KTLSO_ALERT_UNEXPECTED_MESSAGE);
	if (hr->start) {
		memmove(hr->buf, hr->buf + hr->start, hr->len - hr->start);
		hr->len -= hr->start;
		hr->start = 0;
	}
	if (len > hr->cap - hr->len)
		return hs_reader_fail(hr, -KTLSO_ERROR_NO_SPACE);
	memcpy(hr->buf + hr->len, data, len);
	hr->len += len;
	return 0;
}

/**
 * ktlso_hs_reader_next() - take the next whole message, if there is one
 * @hr: the reader
 * @msg: set to the message (pointing into the reader's buffer)
 *
 * Return: 1 with @msg set, 0 when more bytes are needed, or a negative
 * error: decode_error for a body longer than the reader's maximum.
 */
int ktlso_hs_reader_next(struct ktlso_hs_reader *hr, struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r;
	uint32_t body_len;
	uint8_t type;
	size_t avail = hr->len - hr->start;

	memset(msg, 0, sizeof(*msg));
	if (hr->err)
		return hr->err;
	if (avail < KTLSO_HS_HEADER_LEN)
		return 0;
	ktlso_reader_init(&r, hr->buf + hr->start, avail);
	ktlso_get_u8(&r, &type);
	ktlso_get_u24(&r, &body_len);
	if (body_len > hr->max_body)
		return hs_reader_fail(hr, -KTLSO_ALERT_DECODE_ERROR);
	if (avail - KTLSO_HS_HEADER_LEN < body_len)
		return 0;
	msg->type = type;
	msg->raw.p = hr->buf + hr->start;
	msg->raw.len = KTLSO_HS_HEADER_LEN + (size_t)body_len;
	msg->body.p = msg->raw.p + KTLSO_HS_HEADER_LEN;
	msg->body.len = body_len;
	hr->start += msg->raw.len;
	return 1;
}

bool ktlso_hs_reader_empty(const struct ktlso_hs_reader *hr)
{
	return hr->len == hr->start;
}
