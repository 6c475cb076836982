// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 resumption in the handshake (RFC 8446 2.2, 4.2.9, 4.2.11): the
 * server's choice among the tickets a ClientHello offers, the client's
 * offer and its binder, and the client's check of the server's choice.
 * What a ticket holds is ticket_state.c's, NewSessionTicket
 * tls13_ticket.c's. Only psk_dhe_ke is used: every resumed handshake has
 * a fresh (EC)DHE exchange, for forward secrecy.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/keysched.h"
#include "engine/msg_ext.h"
#include "engine/ticket_state.h"
#include "engine/tls13.h"

/* Offered identities looked at, at most: each costs an AEAD open. */
#define PSK_TRIED_MAX 8

/* The binder of @psk over @th, the hash of the transcript to the binders. */
static int binder(enum ktlso_md h, const uint8_t *psk, size_t psk_len,
		  const uint8_t *th, uint8_t *out)
{
	uint8_t early[KTLSO_MAX_HASH_LEN], key[KTLSO_MAX_HASH_LEN];
	int ret;

	ret = ktlso_tls13_early_secret(h, psk, psk_len, early);
	if (ret == 0)
		ret = ktlso_tls13_derive(h, early, KTLSO_TLS13_RES_BINDER, NULL,
					 key);
	if (ret == 0)
		ret = ktlso_tls13_finished(h, key, th, out);
	OPENSSL_cleanse(early, sizeof(early));
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

/* Does the client take our tickets (psk_dhe_ke), with keys to seal them? */
static bool tickets_wanted(const struct ktlso_session *s,
			   const struct ktlso_client_hello *ch)
{
	return s->cfg->ticket_keys && (ch->psk_modes & KTLSO_PSK_DHE_KE_BIT);
}

int ktlso_tls13_server_binder_hash(struct ktlso_session *s,
				   const struct ktlso_client_hello *ch,
				   const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;

	/* Only a PSK ktlso_tls13_server_psk() may take needs the hash. */
	if (!tickets_wanted(s, ch) ||
	    !ktlso_ext_has(&ch->ext, KTLSO_EXT_PRE_SHARED_KEY))
		return 0;
	/* The ClientHello up to its binders (RFC 8446 4.2.11.2). */
	return ktlso_transcript_hash_with(&s->ts, s->suite->hash, msg->raw.p,
					  msg->raw.len - 2 -
					  ch->psk_binders.len,
					  hs->binder_th);
}

/* --- server --------------------------------------------------------------- */

/* The @i-th binder of the list (the parser checked its shape). */
static int nth_binder(const struct ktlso_client_hello *ch, size_t i,
		      struct ktlso_span *out)
{
	struct ktlso_reader r, b;
	size_t k;

	ktlso_reader_init(&r, ch->psk_binders.p, ch->psk_binders.len);
	for (k = 0; k <= i; k++)
		if (ktlso_get_vector(&r, 1, 32, 255, &b))
			return -KTLSO_ALERT_DECODE_ERROR;
	ktlso_span_of(&b, out);
	return 0;
}

/* Can the session in @st be resumed here? 0 yes, 1 no (logged why). */
static int ticket_fits(struct ktlso_session *s,
		       const struct ktlso_ticket_state *st, uint32_t obf_age)
{
	uint64_t now = ktlso_now_ms(s);
	uint64_t server_age = now > st->issued_ms ? now - st->issued_ms : 0;
	uint32_t client_age = obf_age - st->age_add;	/* mod 2^32 */
	uint64_t skew = client_age > server_age ? client_age - server_age :
						  server_age - client_age;
	const char *why = ktlso_ticket_state_fits(s, st, KTLSO_TLS13_VERSION,
						  now);

	if (!why && ktlso_suite_find(st->suite)->hash != s->suite->hash)
		why = "for another hash than the suite chosen";
	if (!why && skew > s->cfg->ticket_age_tolerance_ms)
		why = "with an age off by more than the tolerance";
	if (!why)
		return 0;
	ktlso_log(s, KTLSO_LOG_DEBUG, "ticket not resumed: %s", why);
	return 1;
}

int ktlso_tls13_server_psk(struct ktlso_session *s,
			   const struct ktlso_client_hello *ch)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	size_t hlen = ktlso_hash_len(s->suite->hash), i;
	uint8_t want[KTLSO_MAX_HASH_LEN];
	struct ktlso_ticket_state st;
	struct ktlso_reader r, id;
	struct ktlso_span got;
	uint32_t age;
	int ret = 1;

	hs->tickets_wanted = tickets_wanted(s, ch);
	if (!hs->tickets_wanted ||
	    !ktlso_ext_has(&ch->ext, KTLSO_EXT_PRE_SHARED_KEY))
		return 0;
	ktlso_reader_init(&r, ch->psk_identities.p, ch->psk_identities.len);
	for (i = 0; i < ch->psk_count && i < PSK_TRIED_MAX; i++) {
		if (ktlso_get_vector(&r, 2, 1, 0xffff, &id) ||
		    ktlso_get_u32(&r, &age))
			return ktlso_hs_fail(s, -KTLSO_ALERT_DECODE_ERROR,
					     "malformed PSK identity");
		ret = ktlso_ticket_state_open(s, id.buf, id.len, &st);
		if (ret == 0)
			ret = ticket_fits(s, &st, age);
		if (ret <= 0)
			break;
		OPENSSL_cleanse(&st, sizeof(st));
	}
	if (ret)
		return ret < 0 ? ret : 0;

	/* RFC 8446 4.2.11.2: the chosen one's binder must verify. */
	ret = nth_binder(ch, i, &got);
	if (ret == 0)
		ret = binder(s->suite->hash, st.psk, st.psk_len,
			     hs->binder_th, want);
	if (ret == 0 && (got.len != hlen || CRYPTO_memcmp(got.p, want, hlen)))
		ret = ktlso_hs_fail(s, -KTLSO_ALERT_DECRYPT_ERROR,
				    "the PSK binder does not verify");
	if (ret == 0) {
		memcpy(hs->psk, st.psk, st.psk_len);
		hs->psk_len = st.psk_len;
		hs->psk_index = (uint16_t)i;
		s->resumed = true;
		s->auth_ms = st.auth_ms;
		if (ktlso_peer_auth_on(s)) {
			s->peer_verified = st.peer_verified;
			snprintf(s->peer_identity, sizeof(s->peer_identity),
				 "%s", st.peer_identity);
		}
	}
	OPENSSL_cleanse(&st, sizeof(st));
	OPENSSL_cleanse(want, sizeof(want));
	return ret;
}

/* --- client --------------------------------------------------------------- */

/* Does one of our TLS 1.3 suites have @hash? */
static bool hash_offered(const struct ktlso_config *c, enum ktlso_md hash)
{
	const struct ktlso_suite *suite;
	size_t i;

	for (i = 0; i < c->n_suites; i++) {
		suite = ktlso_suite_find(c->suites[i]);
		if (suite && suite->version == KTLSO_TLS13_VERSION &&
		    suite->hash == hash)
			return true;
	}
	return false;
}

/* May cfg->resume be offered in this ClientHello? */
static bool can_offer(struct ktlso_session *s)
{
	const struct ktlso_config *c = s->cfg;
	const struct ktlso_client_ticket *t = c->resume;
	struct ktlso_tls13_hs *hs = s->hs13;
	const struct ktlso_suite *suite;
	const char *why = NULL;

	if (!t || t->version == KTLSO_TLS12_VERSION)	/* tls12_ticket.c's */
		return false;
	suite = ktlso_suite_find(t->suite);
	if (t->version != KTLSO_TLS13_VERSION || !suite ||
	    suite->version != KTLSO_TLS13_VERSION ||
	    t->psk_len != ktlso_hash_len(suite->hash) || !t->ticket_len ||
	    t->ticket_len > KTLSO_CLIENT_TICKET_MAX)
		why = "not a TLS 1.3 ticket";
	else
		why = ktlso_client_ticket_unfit(s, t);
	if (!why && !hash_offered(c, suite->hash))
		why = "of a hash none of our suites has";
	if (!why && hs->hrr &&
	    ktlso_suite_find(hs->hrr_suite)->hash != suite->hash)
		why = "of another hash than the server's suite";
	if (!why)
		return true;
	ktlso_log(s, KTLSO_LOG_DEBUG, "ticket not offered: %s", why);
	return false;
}

void ktlso_tls13_client_offer(struct ktlso_session *s,
			      struct ktlso_client_hello *ch,
			      struct ktlso_psk_offer_buf *buf)
{
	const struct ktlso_config *c = s->cfg;
	const struct ktlso_client_ticket *t = c->resume;
	struct ktlso_tls13_hs *hs = s->hs13;
	size_t hlen, n = 0;
	uint32_t age;

	hs->psk_offered = false;
	OPENSSL_cleanse(hs->psk, sizeof(hs->psk));
	hs->psk_len = 0;
	if (!c->ticket && !t)
		return;
	ch->psk_modes = KTLSO_PSK_DHE_KE_BIT;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_PSK_KEY_EXCHANGE_MODES);
	if (!can_offer(s))
		return;
	hlen = t->psk_len;
	age = (uint32_t)(ktlso_now_ms(s) - t->received_ms) + t->age_add;
	buf->identities[n++] = (uint8_t)(t->ticket_len >> 8);
	buf->identities[n++] = (uint8_t)t->ticket_len;
	memcpy(buf->identities + n, t->ticket, t->ticket_len);
	n += t->ticket_len;
	buf->identities[n++] = (uint8_t)(age >> 24);
	buf->identities[n++] = (uint8_t)(age >> 16);
	buf->identities[n++] = (uint8_t)(age >> 8);
	buf->identities[n++] = (uint8_t)age;
	buf->binders[0] = (uint8_t)hlen;
	memset(buf->binders + 1, 0, hlen);	/* ktlso_tls13_client_binder() */
	ch->psk_identities.p = buf->identities;
	ch->psk_identities.len = n;
	ch->psk_binders.p = buf->binders;
	ch->psk_binders.len = 1 + hlen;
	ch->psk_count = 1;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_PRE_SHARED_KEY);
	memcpy(hs->psk, t->psk, hlen);
	hs->psk_len = hlen;
	hs->psk_offered = true;
}

/*
 * The binder goes in the last bytes of the message: pre_shared_key is the
 * last extension and its binder list the extension's end.
 */
int ktlso_tls13_client_binder(struct ktlso_session *s, uint8_t *msg,
			      size_t len)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	uint8_t th[KTLSO_MAX_HASH_LEN];
	const struct ktlso_suite *suite;
	size_t hlen = hs->psk_len;
	int ret;

	if (!hs->psk_offered)
		return 0;
	suite = ktlso_suite_find(s->cfg->resume->suite);
	if (len < 3 + hlen || msg[len - hlen - 1] != hlen)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = ktlso_transcript_hash_with(&s->ts, suite->hash, msg,
					 len - 3 - hlen, th);
	if (ret == 0)
		ret = binder(suite->hash, hs->psk, hlen, th, msg + len - hlen);
	return ret;
}

int ktlso_tls13_client_psk_taken(struct ktlso_session *s,
				 const struct ktlso_server_hello *sh)
{
	const struct ktlso_client_ticket *t = s->cfg->resume;
	struct ktlso_tls13_hs *hs = s->hs13;

	if (!hs->psk_offered)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNSUPPORTED_EXTENSION,
				     "ServerHello selects a PSK not offered");
	if (sh->selected_identity != 0)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerHello selects PSK %u of 1",
				     sh->selected_identity);
	if (ktlso_suite_find(t->suite)->hash != s->suite->hash)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server resumes with a suite of another hash");
	s->resumed = true;
	s->auth_ms = t->auth_ms;	/* its tickets' (client_ticket.c) */
	s->peer_verified = t->peer_verified;
	snprintf(s->peer_identity, sizeof(s->peer_identity), "%s",
		 t->peer_identity);
	return 0;
}
