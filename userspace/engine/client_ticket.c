// SPDX-License-Identifier: GPL-2.0
/*
 * A client's resumable session (struct ktlso_client_ticket): what both
 * versions do with one (the checks before an offer; the session's part
 * of a ticket received, struct ktlso_resumption, and the ticket's
 * hand-over; session_int.h), and its bytes, for a file or a cache
 * outside the process (engine.h). The encoding:
 *
 *	"KTLSOTK" | u8 format (2) | u16 version | u16 suite | psk<32..48> |
 *	u32 age_add | u32 lifetime | u64 received_ms | u64 auth_ms |
 *	server_name<0..255> | alpn<0..255> | u8 peer_verified |
 *	peer_identity<0..255> | ticket<1..KTLSO_CLIENT_TICKET_MAX>
 *
 * (psk and the strings with a one-byte length, the ticket with two).
 * Format 1, written before auth_ms was, is the same without it: it
 * decodes with auth_ms = received_ms (each ticket then counts as
 * authenticated when received, as those versions took it).
 */
#include <string.h>

#include <openssl/crypto.h>

#include <stdio.h>

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/engine.h"
#include "engine/session_int.h"

static const char magic[7] = "KTLSOTK";

#define FORMAT 2
#define FORMAT_NO_AUTH_MS 1	/* decoded still */

void ktlso_client_ticket_clear(struct ktlso_client_ticket *t)
{
	OPENSSL_cleanse(t, sizeof(*t));
}

int ktlso_client_ticket_encode(const struct ktlso_client_ticket *t,
			       uint8_t *out, size_t cap, size_t *len)
{
	struct ktlso_writer w;
	int ret;

	*len = 0;
	if (t->psk_len > sizeof(t->psk) ||
	    t->ticket_len > KTLSO_CLIENT_TICKET_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ktlso_writer_init(&w, out, cap);
	ktlso_put_bytes(&w, magic, sizeof(magic));
	ktlso_put_u8(&w, FORMAT);
	ktlso_put_u16(&w, t->version);
	ktlso_put_u16(&w, t->suite);
	ktlso_writer_open_vector(&w, 1, 32, KTLSO_MAX_HASH_LEN);
	ktlso_put_bytes(&w, t->psk, t->psk_len);
	ktlso_writer_close_vector(&w);
	ktlso_put_u32(&w, t->age_add);
	ktlso_put_u32(&w, t->lifetime);
	ktlso_put_u64(&w, t->received_ms);
	ktlso_put_u64(&w, t->auth_ms);
	ktlso_put_str8(&w, t->server_name);
	ktlso_put_str8(&w, t->alpn);
	ktlso_put_u8(&w, t->peer_verified);
	ktlso_put_str8(&w, t->peer_identity);
	ktlso_writer_open_vector(&w, 2, 1, KTLSO_CLIENT_TICKET_MAX);
	ktlso_put_bytes(&w, t->ticket, t->ticket_len);
	ktlso_writer_close_vector(&w);
	ret = ktlso_writer_finish(&w, len);
	if (ret)
		OPENSSL_cleanse(out, cap);
	return ret;
}

int ktlso_client_ticket_decode(struct ktlso_client_ticket *t,
			       const uint8_t *in, size_t len)
{
	struct ktlso_reader r, v;
	uint8_t m[sizeof(magic)] = { 0 }, format = 0, verified = 2;
	int ret;

	memset(t, 0, sizeof(*t));
	ktlso_reader_init(&r, in, len);
	ktlso_get_bytes(&r, m, sizeof(m));
	ktlso_get_u8(&r, &format);
	ktlso_get_u16(&r, &t->version);
	ktlso_get_u16(&r, &t->suite);
	if (ktlso_get_vector(&r, 1, 32, KTLSO_MAX_HASH_LEN, &v) == 0) {
		memcpy(t->psk, v.buf, v.len);
		t->psk_len = (uint8_t)v.len;
	}
	ktlso_get_u32(&r, &t->age_add);
	ktlso_get_u32(&r, &t->lifetime);
	ktlso_get_u64(&r, &t->received_ms);
	if (format == FORMAT_NO_AUTH_MS)
		t->auth_ms = t->received_ms;
	else
		ktlso_get_u64(&r, &t->auth_ms);
	ktlso_get_str8(&r, t->server_name, sizeof(t->server_name));
	ktlso_get_str8(&r, t->alpn, sizeof(t->alpn));
	ktlso_get_u8(&r, &verified);
	ktlso_get_str8(&r, t->peer_identity, sizeof(t->peer_identity));
	if (ktlso_get_vector(&r, 2, 1, KTLSO_CLIENT_TICKET_MAX, &v) == 0) {
		memcpy(t->ticket, v.buf, v.len);
		t->ticket_len = (uint16_t)v.len;
	}
	ret = ktlso_reader_end(&r);
	if (ret == 0 && (memcmp(m, magic, sizeof(magic)) ||
			 (format != FORMAT && format != FORMAT_NO_AUTH_MS) ||
			 verified > 1 ||
			 t->lifetime > KTLSO_TICKET_LIFETIME_MAX))
		ret = -KTLSO_ALERT_DECODE_ERROR;
	if (ret) {
		ktlso_client_ticket_clear(t);
		return -KTLSO_ALERT_DECODE_ERROR;
	}
	t->peer_verified = verified;
	return 0;
}

const char *ktlso_client_ticket_unfit(struct ktlso_session *s,
				      const struct ktlso_client_ticket *t)
{
	const struct ktlso_config *c = s->cfg;
	uint64_t now = ktlso_now_ms(s);

	if (strcmp(t->server_name, c->server_name ? c->server_name : ""))
		return "for another server";
	if (ktlso_peer_auth_on(s) && !t->peer_verified)
		return "of a session whose server was not verified";
	if (t->lifetime > KTLSO_TICKET_LIFETIME_MAX)
		return "with a lifetime over seven days";
	if (t->auth_ms > t->received_ms)
		return "of an authentication after its receipt";
	/* A clock gone back (now < received_ms) counts as expired too. */
	if (now - t->received_ms >= (uint64_t)t->lifetime * 1000)
		return "expired";
	/* RFC 8446 4.6.1: a server's certificate is not carried further. */
	if (now - t->auth_ms >= (uint64_t)KTLSO_TICKET_LIFETIME_MAX * 1000)
		return "of an authentication older than seven days";
	return NULL;
}

/* @src, NUL-terminated or not within @src_cap, into @dst, zero-filled. */
static void copy_str(char *dst, size_t cap, const char *src, size_t src_cap)
{
	size_t n = strnlen(src, src_cap);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	memset(dst + n, 0, cap - n);
}

void ktlso_client_resumption(const struct ktlso_session *s,
			     struct ktlso_resumption *r)
{
	const struct ktlso_config *c = s->cfg;

	memset(r, 0, sizeof(*r));
	snprintf(r->server_name, sizeof(r->server_name), "%s",
		 c->server_name ? c->server_name : "");
	snprintf(r->alpn, sizeof(r->alpn), "%s", s->alpn);
	r->peer_verified = s->peer_verified;
	snprintf(r->peer_identity, sizeof(r->peer_identity), "%s",
		 s->peer_identity);
	r->auth_ms = s->auth_ms;
}

void ktlso_resumption_clear(struct ktlso_resumption *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}

void ktlso_client_ticket_hand(const struct ktlso_resumption *r,
			      struct ktlso_client_ticket *t,
			      const uint8_t *ticket, size_t len,
			      uint64_t now_ms,
			      void (*cb)(void *arg,
					 const struct ktlso_client_ticket *t),
			      void *arg)
{
	t->received_ms = now_ms;
	t->auth_ms = r->auth_ms;
	copy_str(t->server_name, sizeof(t->server_name), r->server_name,
		 sizeof(r->server_name));
	copy_str(t->alpn, sizeof(t->alpn), r->alpn, sizeof(r->alpn));
	t->peer_verified = r->peer_verified;
	copy_str(t->peer_identity, sizeof(t->peer_identity), r->peer_identity,
		 sizeof(r->peer_identity));
	t->ticket_len = (uint16_t)len;
	memcpy(t->ticket, ticket, len);
	cb(arg, t);
	ktlso_client_ticket_clear(t);
}

void ktlso_client_ticket_give(struct ktlso_session *s,
			      struct ktlso_client_ticket *t,
			      const uint8_t *ticket, size_t len)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_resumption r;

	ktlso_client_resumption(s, &r);
	ktlso_client_ticket_hand(&r, t, ticket, len, ktlso_now_ms(s),
				 c->ticket, c->ticket_arg);
	ktlso_resumption_clear(&r);
}
