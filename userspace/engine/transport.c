// SPDX-License-Identifier: GPL-2.0
/*
 * The record transport: TLS records over the caller's read and write
 * callbacks, in plaintext or under the current keys, with the record-layer
 * rules of RFC 8446 section 5 (sizes, content types, change_cipher_spec,
 * alerts). See session_int.h.
 *
 * Reading takes one record at a time: the 5-byte header, then exactly the
 * body the header announces, so nothing after the record is consumed. A
 * record read in part (EAGAIN) is kept and completed by the next call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/session_int.h"

#define TLS_RECORD_VERSION 0x0303
#define PLAIN_CAP KTLSO_TLS12_MAX_CIPHERTEXT_LEN
#define BUF_LIMIT (16u << 20)		/* queued output, a sanity bound */

/* --- buffers -------------------------------------------------------------- */

static int buf_reserve(struct ktlso_buf *b, size_t extra)
{
	size_t cap;
	uint8_t *p;

	if (extra <= b->cap - b->len)
		return 0;
	if (extra > BUF_LIMIT - b->len)
		return -KTLSO_ERROR_NO_MEMORY;
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < extra)
		cap *= 2;
	p = malloc(cap);
	if (!p)
		return -KTLSO_ERROR_NO_MEMORY;
	if (b->len)
		memcpy(p, b->p, b->len);
	if (b->p)
		OPENSSL_clear_free(b->p, b->cap);
	b->p = p;
	b->cap = cap;
	return 0;
}

static void buf_reset(struct ktlso_buf *b)
{
	if (b->p)
		OPENSSL_cleanse(b->p, b->len);
	b->len = 0;
	b->off = 0;
}

static void buf_free(struct ktlso_buf *b)
{
	if (b->p)
		OPENSSL_clear_free(b->p, b->cap);
	memset(b, 0, sizeof(*b));
}

int ktlso_transport_init(struct ktlso_session *s)
{
	size_t max = s->cfg->max_handshake_message;
	int ret;

	s->rec = malloc(KTLSO_MAX_RECORD_LEN);
	s->plain = malloc(PLAIN_CAP);
	s->scratch_cap = KTLSO_HS_HEADER_LEN + max;
	s->scratch = malloc(s->scratch_cap);
	if (!s->rec || !s->plain || !s->scratch)
		return -KTLSO_ERROR_NO_MEMORY;
	ret = ktlso_hs_reader_init(&s->hr, max);
	return ret;
}

void ktlso_dir_clear(struct ktlso_dir *d)
{
	if (d->rp.ctx)
		ktlso_record_clear(&d->rp);
	ktlso_traffic_keys_clear(&d->keys);
	OPENSSL_cleanse(d, sizeof(*d));
}

void ktlso_transport_free(struct ktlso_session *s)
{
	ktlso_dir_clear(&s->tx);
	ktlso_dir_clear(&s->rx);
	if (s->rec)
		OPENSSL_clear_free(s->rec, KTLSO_MAX_RECORD_LEN);
	if (s->plain)
		OPENSSL_clear_free(s->plain, PLAIN_CAP);
	if (s->scratch)
		OPENSSL_clear_free(s->scratch, s->scratch_cap);
	s->rec = s->plain = s->scratch = NULL;
	buf_free(&s->out);
	buf_free(&s->hs_out);
	ktlso_hs_reader_free(&s->hr);
}

/* --- reading -------------------------------------------------------------- */

/* Read until s->rec holds @want bytes: never more. */
static int rx_fill(struct ktlso_session *s, size_t want)
{
	while (s->rec_len < want) {
		ssize_t n = s->io.read(s->io.ctx, s->rec + s->rec_len,
				       want - s->rec_len);

		if (n > 0) {
			s->rec_len += (size_t)n;
			continue;
		}
		if (n == 0)
			return -KTLSO_ERROR_CLOSED;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return KTLSO_WANT_READ;
		s->io_errno = errno;
		return -KTLSO_ERROR_IO;
	}
	return 0;
}

static bool tls13(const struct ktlso_session *s)
{
	return s->version == KTLSO_TLS13_VERSION;
}

/* Is a record of outer @type opened with the receiving keys? */
static bool rx_protected(const struct ktlso_session *s, uint8_t type)
{
	return s->rx.on &&
	       (!tls13(s) || type == KTLSO_CONTENT_APPLICATION_DATA);
}

/* RFC 8446 5.1, 5.2: the checks a header allows before its body is read. */
static int rx_header_check(struct ktlso_session *s, uint8_t type, size_t len)
{
	size_t max_protected = tls13(s) ? KTLSO_TLS13_MAX_CIPHERTEXT_LEN :
					  KTLSO_TLS12_MAX_CIPHERTEXT_LEN;

	if (type < KTLSO_CONTENT_CHANGE_CIPHER_SPEC ||
	    type > KTLSO_CONTENT_APPLICATION_DATA)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "record of unknown content type %u", type);
	if (rx_protected(s, type)) {
		if (len > max_protected)
			return ktlso_hs_fail(s, -KTLSO_ALERT_RECORD_OVERFLOW,
					     "protected record of %zu bytes",
					     len);
		return 0;
	}
	if (len > KTLSO_MAX_PLAINTEXT_LEN)
		return ktlso_hs_fail(s, -KTLSO_ALERT_RECORD_OVERFLOW,
				     "plaintext record of %zu bytes", len);
	if (type == KTLSO_CONTENT_APPLICATION_DATA)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "application data before the keys");
	if (s->rx.on && type == KTLSO_CONTENT_HANDSHAKE)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "plaintext handshake record under keys");
	/*
	 * A peer that fails before it switches its keys sends its alert in
	 * plaintext: taken during the handshake, refused after it.
	 */
	if (s->rx.on && type == KTLSO_CONTENT_ALERT && s->connected)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "plaintext alert after the handshake");
	return 0;
}

/*
 * RFC 8446 4.2.10: a server that refused early data drops the client's
 * application_data records that no key of its opens (before ClientHello2,
 * none does), up to s->early_skip bytes; the first record that opens, or
 * ClientHello2, ends the skipping. Return: 0 (the record of @len bytes is
 * dropped), or unexpected_message past the bound.
 */
static int rx_early_skip(struct ktlso_session *s, size_t len)
{
	if (len > s->early_skip)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "more early data than is skipped");
	s->early_skip -= len;
	return 0;
}

int ktlso_rx_record(struct ktlso_session *s, uint8_t *type)
{
	bool early;
	size_t len;
	int ret;

again:
	ret = rx_fill(s, KTLSO_RECORD_HEADER_LEN);
	if (ret)
		return ret;
	len = (size_t)s->rec[3] << 8 | s->rec[4];
	early = s->early_data && s->rec[0] == KTLSO_CONTENT_APPLICATION_DATA &&
		len <= KTLSO_TLS13_MAX_CIPHERTEXT_LEN;
	ret = early ? 0 : rx_header_check(s, s->rec[0], len);
	if (ret)
		return ret;
	ret = rx_fill(s, KTLSO_RECORD_HEADER_LEN + len);
	if (ret)
		return ret;
	s->rec_len = 0;
	s->plain_off = 0;
	if (rx_protected(s, s->rec[0])) {
		ret = ktlso_record_open(&s->rx.rp, s->rec,
					KTLSO_RECORD_HEADER_LEN + len, type,
					s->plain, PLAIN_CAP, &s->plain_len);
		/* Only what does not authenticate is early data. */
		if (early && ret == -KTLSO_ALERT_BAD_RECORD_MAC) {
			ret = rx_early_skip(s, len);
			if (ret == 0)
				goto again;
			return ret;
		}
		if (ret)
			return ktlso_hs_fail(s, ret, "cannot open a record: %s",
					     ktlso_error_name(ret));
		s->early_data = false;
		return 0;
	}
	if (early) {		/* no keys yet: after a HelloRetryRequest */
		ret = rx_early_skip(s, len);
		if (ret == 0)
			goto again;
		return ret;
	}
	*type = s->rec[0];
	memcpy(s->plain, s->rec + KTLSO_RECORD_HEADER_LEN, len);
	s->plain_len = len;
	return 0;
}

/*
 * An alert that changes nothing costs the peer 7 bytes and us a log line:
 * a few in a row are allowed (OpenSSL allows 4), more end the handshake,
 * and only the first ones of a session are logged.
 */
#define WARNINGS_IN_ROW_MAX 4
#define WARNINGS_LOGGED 2

static int rx_warning(struct ktlso_session *s, uint8_t desc)
{
	if (desc != KTLSO_ALERT_USER_CANCELED)
		s->alert_received = -1;
	if (++s->warnings_in_row > WARNINGS_IN_ROW_MAX)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "%u warning alerts in a row",
				     s->warnings_in_row);
	if (++s->warnings <= WARNINGS_LOGGED)
		ktlso_log(s, KTLSO_LOG_WARNING, "peer sent warning alert %s%s",
			  ktlso_error_name(-(int)desc),
			  s->warnings == WARNINGS_LOGGED ?
			  " (further ones are not logged)" : "");
	return 0;
}

int ktlso_rx_alert(struct ktlso_session *s, const uint8_t *body, size_t len)
{
	uint8_t desc;

	if (len != 2)
		return ktlso_hs_fail(s, -KTLSO_ALERT_DECODE_ERROR,
				     "alert record of %zu bytes", len);
	desc = body[1];
	s->alert_received = desc;
	if (desc == KTLSO_ALERT_CLOSE_NOTIFY) {
		s->close_received = true;
		return -KTLSO_ERROR_CLOSED;
	}
	/*
	 * user_canceled, and below TLS 1.3 a warning, leave the connection
	 * up (RFC 5246 7.2): unrecognized_name (RFC 6066 3) from a server
	 * that does not know the name, no_renegotiation (RFC 5246 7.2.2)
	 * after a refused renegotiation. TLS 1.3 ignores the level (RFC
	 * 8446 6).
	 */
	if (desc == KTLSO_ALERT_USER_CANCELED ||
	    (body[0] == KTLSO_ALERT_LEVEL_WARNING &&
	     s->version != KTLSO_TLS13_VERSION))
		return rx_warning(s, desc);
	s->peer_alerted = true;
	return ktlso_hs_fail(s, -(int)desc, "peer sent a fatal alert (%u)",
			     desc);
}

/* RFC 8446 5: one CCS, value 1, between ClientHello and the peer's Finished */
static int rx_ccs(struct ktlso_session *s)
{
	if (!s->ccs_ok)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "change_cipher_spec out of place");
	if (s->plain_len != 1 || s->plain[0] != 1)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "malformed change_cipher_spec");
	if (s->ccs_received)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "second change_cipher_spec");
	if (!ktlso_hs_reader_empty(&s->hr))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "change_cipher_spec inside a handshake message");
	s->ccs_received = true;
	return 0;
}

int ktlso_rx_content(struct ktlso_session *s, uint8_t type,
		     int (*ccs)(struct ktlso_session *s))
{
	int ret;

	/*
	 * RFC 8446 5.1 (RFC 5246 6.2.1): only application data may come in
	 * an empty record. An empty handshake, alert or change_cipher_spec
	 * record is a message out of place (what OpenSSL, NSS and GnuTLS
	 * answer), not a malformed one: unexpected_message for all three.
	 */
	if (s->plain_len == 0 && type != KTLSO_CONTENT_APPLICATION_DATA)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "empty record of content type %u", type);
	if (type != KTLSO_CONTENT_ALERT && s->plain_len)
		s->warnings_in_row = 0;
	switch (type) {
	case KTLSO_CONTENT_HANDSHAKE:
		ret = ktlso_hs_reader_feed(&s->hr, s->plain, s->plain_len);
		if (ret)
			return ktlso_hs_fail(s, ret,
					     "handshake record not taken: %s",
					     ktlso_error_name(ret));
		return 0;
	case KTLSO_CONTENT_CHANGE_CIPHER_SPEC:
		if (ccs)
			return ccs(s);
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "change_cipher_spec after the handshake");
	case KTLSO_CONTENT_ALERT:
		return ktlso_rx_alert(s, s->plain, s->plain_len);
	default:
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "application data during the handshake");
	}
}

int ktlso_rx_handshake_with(struct ktlso_session *s, struct ktlso_hs_msg *msg,
			    int (*ccs)(struct ktlso_session *s),
			    int (*skip)(struct ktlso_session *s,
					const struct ktlso_hs_msg *msg))
{
	uint8_t type;
	int ret;

	for (;;) {
		ret = ktlso_hs_reader_next(&s->hr, msg);
		if (ret < 0)
			return ktlso_hs_fail(s, ret, "handshake message too long");
		if (ret > 0) {
			ret = skip ? skip(s, msg) : 0;
			if (ret == 1)
				continue;
			return ret;
		}
		ret = ktlso_rx_record(s, &type);
		if (ret)
			return ret;
		ret = ktlso_rx_content(s, type, ccs);
		OPENSSL_cleanse(s->plain, s->plain_len);
		s->plain_len = 0;
		if (ret)
			return ret;
	}
}

int ktlso_rx_handshake(struct ktlso_session *s, struct ktlso_hs_msg *msg)
{
	return ktlso_rx_handshake_with(s, msg, rx_ccs, NULL);
}

/* --- writing -------------------------------------------------------------- */

int ktlso_tx_record(struct ktlso_session *s, uint8_t type, const uint8_t *data,
		    size_t len)
{
	size_t need, n;
	uint8_t *p;
	bool plain;
	int ret;

	if (len > KTLSO_MAX_PLAINTEXT_LEN)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	plain = !s->tx.on ||
		(tls13(s) && type == KTLSO_CONTENT_CHANGE_CIPHER_SPEC);
	if (!plain) {
		need = ktlso_record_sealed_len(&s->tx.rp, len, 0);
		ret = buf_reserve(&s->out, need);
		p = s->out.p + s->out.len;
		if (ret == 0)
			ret = ktlso_record_seal(&s->tx.rp, type, data, len, 0,
						p, need, &n);
		if (ret)
			return ret;
		s->out.len += n;
		return 0;
	}
	ret = buf_reserve(&s->out, KTLSO_RECORD_HEADER_LEN + len);
	if (ret)
		return ret;
	p = s->out.p + s->out.len;
	p[0] = type;
	p[1] = TLS_RECORD_VERSION >> 8;
	p[2] = TLS_RECORD_VERSION & 0xff;
	p[3] = (uint8_t)(len >> 8);
	p[4] = (uint8_t)len;
	if (len)
		memcpy(p + KTLSO_RECORD_HEADER_LEN, data, len);
	s->out.len += KTLSO_RECORD_HEADER_LEN + len;
	return 0;
}

int ktlso_tx_handshake(struct ktlso_session *s, uint8_t *msg, size_t len,
		       size_t cap)
{
	const struct ktlso_test_hooks *t = &s->cfg->test;
	int ret;

	if (t->message_out) {
		ret = t->message_out(t->arg, s->server, msg, &len, cap);
		if (ret || len == 0)
			return ret;
		if (len > cap)
			return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	ret = ktlso_transcript_add(&s->ts, msg, len);
	if (ret == 0)
		ret = buf_reserve(&s->hs_out, len);
	if (ret)
		return ret;
	memcpy(s->hs_out.p + s->hs_out.len, msg, len);
	s->hs_out.len += len;
	return 0;
}

int ktlso_tx_seal_handshake(struct ktlso_session *s)
{
	size_t frag = s->cfg->test.hs_fragment;
	size_t off, n;
	int ret = 0;

	if (frag == 0 || frag > KTLSO_MAX_PLAINTEXT_LEN)
		frag = KTLSO_MAX_PLAINTEXT_LEN;
	for (off = 0; off < s->hs_out.len && ret == 0; off += n) {
		n = s->hs_out.len - off < frag ? s->hs_out.len - off : frag;
		ret = ktlso_tx_record(s, KTLSO_CONTENT_HANDSHAKE,
				      s->hs_out.p + off, n);
	}
	buf_reset(&s->hs_out);
	return ret;
}

int ktlso_tx_ccs(struct ktlso_session *s)
{
	static const uint8_t one = 1;
	int ret = ktlso_tx_seal_handshake(s);

	if (ret == 0)
		ret = ktlso_tx_record(s, KTLSO_CONTENT_CHANGE_CIPHER_SPEC, &one,
				      1);
	if (ret == 0)
		s->ccs_sent = true;
	return ret;
}

int ktlso_tx_alert(struct ktlso_session *s, uint8_t level, uint8_t desc)
{
	uint8_t body[2] = { level, desc };

	return ktlso_tx_record(s, KTLSO_CONTENT_ALERT, body, sizeof(body));
}

int ktlso_tx_flush(struct ktlso_session *s)
{
	int ret = ktlso_tx_seal_handshake(s);

	if (ret)
		return ret;
	while (s->out.off < s->out.len) {
		ssize_t n = s->io.write(s->io.ctx, s->out.p + s->out.off,
					s->out.len - s->out.off);

		if (n > 0) {
			s->out.off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return KTLSO_WANT_WRITE;
		s->io_errno = n < 0 ? errno : EPIPE;
		return -KTLSO_ERROR_IO;
	}
	buf_reset(&s->out);
	return 0;
}

void ktlso_tx_discard_handshake(struct ktlso_session *s)
{
	buf_reset(&s->hs_out);
}

int ktlso_dir_set13(struct ktlso_session *s, bool tx, const uint8_t *secret)
{
	struct ktlso_dir *d = tx ? &s->tx : &s->rx;
	size_t hlen = ktlso_hash_len(s->suite->hash);
	int ret;

	if (tx) {
		ret = ktlso_tx_seal_handshake(s);
		if (ret)
			return ret;
	} else if (!ktlso_hs_reader_empty(&s->hr)) {
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "handshake message spans a key change");
	}
	ktlso_dir_clear(d);
	ret = ktlso_tls13_traffic_keys(s->suite, secret, &d->keys);
	if (ret == 0)
		ret = ktlso_record_init(&d->rp, KTLSO_TLS13_VERSION,
					s->suite->id, &d->keys, 0, tx);
	if (ret) {
		ktlso_dir_clear(d);
		return ret;
	}
	memcpy(d->secret, secret, hlen);
	d->on = true;
	return 0;
}
