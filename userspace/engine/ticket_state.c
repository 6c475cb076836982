// SPDX-License-Identifier: GPL-2.0
/*
 * A server ticket's state, for both versions (ticket_state.h). Encoded
 * as
 *
 *	u8 format (1) | u16 version | u16 suite | u64 issued_ms |
 *	u64 auth_ms | u32 lifetime | u32 age_add | psk<32..48> |
 *	sni<0..255> | alpn<0..255> | u8 peer_verified |
 *	peer_identity<0..255>
 *
 * (vectors with a one-byte length), then sealed (ticket.h). auth_ms is
 * the time of the full handshake a chain of resumptions began with:
 * tickets issued on a resumed session keep it, and their lifetime ends
 * where the first one's did, so that an authentication (the client's
 * certificate, the profile's settings then) is never carried past one
 * ticket_lifetime.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/suite.h"
#include "engine/ticket.h"
#include "engine/ticket_state.h"

#define STATE_FORMAT 1

static const char *context(const struct ktlso_config *c)
{
	return c->ticket_context ? c->ticket_context : "";
}

static int state_encode(const struct ktlso_ticket_state *st, uint8_t *out,
			size_t cap, size_t *len)
{
	struct ktlso_writer w;

	ktlso_writer_init(&w, out, cap);
	ktlso_put_u8(&w, STATE_FORMAT);
	ktlso_put_u16(&w, st->version);
	ktlso_put_u16(&w, st->suite);
	ktlso_put_u64(&w, st->issued_ms);
	ktlso_put_u64(&w, st->auth_ms);
	ktlso_put_u32(&w, st->lifetime);
	ktlso_put_u32(&w, st->age_add);
	ktlso_writer_open_vector(&w, 1, 32, KTLSO_MAX_HASH_LEN);
	ktlso_put_bytes(&w, st->psk, st->psk_len);
	ktlso_writer_close_vector(&w);
	ktlso_put_str8(&w, st->sni);
	ktlso_put_str8(&w, st->alpn);
	ktlso_put_u8(&w, st->peer_verified);
	ktlso_put_str8(&w, st->peer_identity);
	return ktlso_writer_finish(&w, len);
}

/* 0, or 1 for bytes that are no state of ours. */
static int state_decode(struct ktlso_ticket_state *st, const uint8_t *in,
			size_t len)
{
	struct ktlso_reader r, psk;
	uint8_t format = 0, verified = 2;

	memset(st, 0, sizeof(*st));
	ktlso_reader_init(&r, in, len);
	ktlso_get_u8(&r, &format);
	ktlso_get_u16(&r, &st->version);
	ktlso_get_u16(&r, &st->suite);
	ktlso_get_u64(&r, &st->issued_ms);
	ktlso_get_u64(&r, &st->auth_ms);
	ktlso_get_u32(&r, &st->lifetime);
	ktlso_get_u32(&r, &st->age_add);
	if (ktlso_get_vector(&r, 1, 32, KTLSO_MAX_HASH_LEN, &psk) == 0) {
		memcpy(st->psk, psk.buf, psk.len);
		st->psk_len = psk.len;
	}
	ktlso_get_str8(&r, st->sni, sizeof(st->sni));
	ktlso_get_str8(&r, st->alpn, sizeof(st->alpn));
	ktlso_get_u8(&r, &verified);
	ktlso_get_str8(&r, st->peer_identity, sizeof(st->peer_identity));
	st->peer_verified = verified == 1;
	if (ktlso_reader_end(&r) || format != STATE_FORMAT || verified > 1) {
		OPENSSL_cleanse(st, sizeof(*st));
		return 1;
	}
	return 0;
}

uint32_t ktlso_ticket_lifetime(const struct ktlso_session *s, uint64_t now)
{
	uint64_t end = s->auth_ms + (uint64_t)s->cfg->ticket_lifetime * 1000;

	return now >= end ? 0 : (uint32_t)((end - now) / 1000);
}

void ktlso_ticket_state_init(struct ktlso_session *s,
			     struct ktlso_ticket_state *st)
{
	memset(st, 0, sizeof(*st));
	st->version = s->version;
	st->suite = s->suite->id;
	st->issued_ms = ktlso_now_ms(s);
	st->auth_ms = s->auth_ms;
	st->lifetime = ktlso_ticket_lifetime(s, st->issued_ms);
	snprintf(st->sni, sizeof(st->sni), "%s", s->sni);
	snprintf(st->alpn, sizeof(st->alpn), "%s", s->alpn);
	st->peer_verified = s->peer_verified;
	snprintf(st->peer_identity, sizeof(st->peer_identity), "%s",
		 s->peer_identity);
}

int ktlso_ticket_state_seal(struct ktlso_session *s,
			    const struct ktlso_ticket_state *st, uint8_t *out,
			    size_t cap, size_t *len)
{
	const char *ctx = context(s->cfg);
	uint8_t plain[KTLSO_TICKET_STATE_MAX];
	size_t n;
	int ret;

	ret = state_encode(st, plain, sizeof(plain), &n);
	if (ret == 0)
		ret = ktlso_ticket_seal(s->cfg->ticket_keys,
					(const uint8_t *)ctx, strlen(ctx),
					plain, n, out, cap, len);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret;
}

int ktlso_ticket_state_open(struct ktlso_session *s, const uint8_t *ticket,
			    size_t len, struct ktlso_ticket_state *st)
{
	const char *ctx = context(s->cfg);
	uint8_t plain[KTLSO_TICKET_STATE_MAX];
	size_t n;
	int ret;

	ret = ktlso_ticket_open(s->cfg->ticket_keys, (const uint8_t *)ctx,
				strlen(ctx), ticket, len, plain,
				sizeof(plain), &n);
	if (ret == -KTLSO_ERROR_NO_SPACE)
		ret = 1;		/* longer than any ticket we seal */
	if (ret == 0)
		ret = state_decode(st, plain, n);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret;
}

const char *ktlso_ticket_state_fits(const struct ktlso_session *s,
				    const struct ktlso_ticket_state *st,
				    uint16_t version, uint64_t now)
{
	const struct ktlso_config *c = s->cfg;
	const struct ktlso_suite *suite = ktlso_suite_find(st->suite);
	uint64_t age = now > st->issued_ms ? now - st->issued_ms : 0;

	if (st->version != version || !suite || suite->version != version)
		return "of another version";
	if (now + c->ticket_age_tolerance_ms < st->issued_ms)
		return "issued in the future";
	if (age > (uint64_t)st->lifetime * 1000)
		return "expired";
	if (now > st->auth_ms + (uint64_t)c->ticket_lifetime * 1000)
		return "of an authentication older than ticket_lifetime";
	if (strcmp(st->sni, s->sni))
		return "for another server name";
	if (strcmp(st->alpn, s->alpn))
		return "for another ALPN protocol";
	if (c->peer_auth == KTLSO_PEER_AUTH_REQUIRE && !st->peer_verified)
		return "of a client without a certificate";
	return NULL;
}
