// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 tickets (RFC 8446 4.6.1): the resumption master secret, what a
 * server's ticket holds and its NewSessionTickets, and a client's turning
 * of a NewSessionTicket into a struct ktlso_client_ticket.
 *
 * A server's ticket is a struct ktlso_ticket_state, encoded as below and
 * sealed under the current ticket key (ticket.h), bound to the config's
 * ticket_context:
 *
 *	u8 format (1) | u16 version | u16 suite | u64 issued_ms |
 *	u64 auth_ms | u32 lifetime | u32 age_add | psk<32..48> |
 *	sni<0..255> | alpn<0..255> | u8 peer_verified |
 *	peer_identity<0..255>
 *
 * (vectors with a one-byte length). Each ticket has its own nonce, so its
 * own PSK; the state holds that PSK rather than the resumption master
 * secret, so that one ticket opens one PSK. auth_ms is the time of the
 * full handshake a chain of resumptions began with: tickets issued on a
 * resumed session keep it, and their lifetime ends where the first one's
 * did, so that an authentication (the client's certificate, the profile's
 * settings then) is never carried past one ticket_lifetime.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/keysched.h"
#include "engine/ticket.h"
#include "engine/tls13.h"

#define STATE_FORMAT 1
#define STATE_MAX (1 + 2 + 2 + 8 + 8 + 4 + 4 + 1 + KTLSO_MAX_HASH_LEN + \
		   3 * 256 + 1)
#define TICKET_NONCE_LEN 8

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

int ktlso_tls13_ticket_open(struct ktlso_session *s, const uint8_t *identity,
			    size_t len, struct ktlso_ticket_state *st)
{
	const char *ctx = context(s->cfg);
	uint8_t plain[STATE_MAX];
	size_t n;
	int ret;

	ret = ktlso_ticket_open(s->cfg->ticket_keys, (const uint8_t *)ctx,
				strlen(ctx), identity, len, plain,
				sizeof(plain), &n);
	if (ret == -KTLSO_ERROR_NO_SPACE)
		ret = 1;		/* longer than any ticket we seal */
	if (ret == 0)
		ret = state_decode(st, plain, n);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret;
}

int ktlso_tls13_res_master(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	uint8_t th[KTLSO_MAX_HASH_LEN];
	int ret;

	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_derive(s->suite->hash, hs->master,
					 KTLSO_TLS13_RES_MASTER, th,
					 s->res_master);
	OPENSSL_cleanse(hs->master, sizeof(hs->master));
	s->res_master_set = ret == 0;
	return ret;
}

/* --- server: NewSessionTicket --------------------------------------------- */

/*
 * The lifetime of a ticket issued now: the configured one, cut to what is
 * left of the authentication's (see the top of this file); 0: none left.
 */
static uint32_t ticket_lifetime(const struct ktlso_session *s, uint64_t now)
{
	uint64_t end = s->auth_ms + (uint64_t)s->cfg->ticket_lifetime * 1000;

	return now >= end ? 0 : (uint32_t)((end - now) / 1000);
}

static int send_ticket(struct ktlso_session *s, unsigned int i)
{
	const struct ktlso_config *c = s->cfg;
	uint8_t plain[STATE_MAX], ticket[STATE_MAX + KTLSO_TICKET_OVERHEAD];
	uint8_t nonce[TICKET_NONCE_LEN] = { 0 }, rnd[4];
	uint8_t msg[64 + sizeof(ticket)];
	struct ktlso_new_session_ticket nst = { 0 };
	struct ktlso_ticket_state st;
	struct ktlso_writer w;
	size_t len, tlen;
	uint32_t age_add = 0;
	int ret;

	memset(&st, 0, sizeof(st));
	nonce[TICKET_NONCE_LEN - 1] = (uint8_t)i;	/* i < KTLSO_TICKETS_MAX */
	st.version = KTLSO_TLS13_VERSION;
	st.suite = s->suite->id;
	st.issued_ms = ktlso_now_ms(s);
	st.auth_ms = s->auth_ms;
	st.lifetime = ticket_lifetime(s, st.issued_ms);
	st.psk_len = ktlso_hash_len(s->suite->hash);
	snprintf(st.sni, sizeof(st.sni), "%s", s->sni);
	snprintf(st.alpn, sizeof(st.alpn), "%s", s->alpn);
	st.peer_verified = s->peer_verified;
	snprintf(st.peer_identity, sizeof(st.peer_identity), "%s",
		 s->peer_identity);
	ret = st.lifetime ? ktlso_random(s, rnd, sizeof(rnd)) : 1;
	if (ret == 0)
		age_add = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 |
			  (uint32_t)rnd[2] << 8 | rnd[3];
	st.age_add = age_add;
	if (ret == 0)
		ret = ktlso_tls13_resumption_psk(s->suite->hash, s->res_master,
						 nonce, sizeof(nonce), st.psk);
	if (ret == 0)
		ret = state_encode(&st, plain, sizeof(plain), &len);
	if (ret == 0)
		ret = ktlso_ticket_seal(c->ticket_keys,
					(const uint8_t *)context(c),
					strlen(context(c)), plain, len, ticket,
					sizeof(ticket), &tlen);
	nst.lifetime = st.lifetime;
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(&st, sizeof(st));
	if (ret)
		return ret;
	nst.age_add = age_add;
	nst.nonce.p = nonce;
	nst.nonce.len = sizeof(nonce);
	nst.ticket.p = ticket;
	nst.ticket.len = tlen;
	ktlso_writer_init(&w, msg, sizeof(msg));
	ktlso_new_session_ticket_write(&w, &nst);
	ret = ktlso_writer_finish(&w, &len);
	if (ret == 0)
		ret = ktlso_tx_record(s, KTLSO_CONTENT_HANDSHAKE, msg, len);
	return ret;
}

void ktlso_tls13_send_tickets(struct ktlso_session *s)
{
	const struct ktlso_config *c = s->cfg;
	unsigned int i;
	int ret = 0;

	if (!s->hs13->tickets_wanted || !s->res_master_set)
		return;
	/* The session is up: a ticket that cannot be made is only logged. */
	for (i = 0; i < c->n_tickets && ret == 0; i++)
		ret = send_ticket(s, i);
	if (ret == 1)
		ktlso_log(s, KTLSO_LOG_INFO,
			  "no ticket issued: no key may seal, or the authentication is as old as a ticket's lifetime");
	else if (ret)
		ktlso_log(s, KTLSO_LOG_WARNING, "no ticket issued: %s",
			  ktlso_error_name(ret));
	/* A server needs the secret for nothing else. */
	OPENSSL_cleanse(s->res_master, sizeof(s->res_master));
	s->res_master_set = false;
}

/* --- client: a NewSessionTicket received ---------------------------------- */

int ktlso_tls13_take_ticket(struct ktlso_session *s,
			    const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_new_session_ticket nst;
	struct ktlso_client_ticket t;
	int ret;

	ret = ktlso_new_session_ticket_parse(&nst, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed NewSessionTicket");
	if (!c->ticket || !s->res_master_set || nst.lifetime == 0) {
		ktlso_log(s, KTLSO_LOG_DEBUG, "NewSessionTicket not kept");
		return 0;
	}
	if (nst.ticket.len > KTLSO_CLIENT_TICKET_MAX) {
		ktlso_log(s, KTLSO_LOG_INFO,
			  "NewSessionTicket of %zu bytes not kept (at most %d)",
			  nst.ticket.len, KTLSO_CLIENT_TICKET_MAX);
		return 0;
	}
	memset(&t, 0, sizeof(t));
	t.version = KTLSO_TLS13_VERSION;
	t.suite = s->suite->id;
	t.psk_len = (uint8_t)ktlso_hash_len(s->suite->hash);
	ret = ktlso_tls13_resumption_psk(s->suite->hash, s->res_master,
					 nst.nonce.p, nst.nonce.len, t.psk);
	if (ret)
		return ret;
	t.age_add = nst.age_add;
	t.lifetime = nst.lifetime;
	t.received_ms = ktlso_now_ms(s);
	snprintf(t.server_name, sizeof(t.server_name), "%s",
		 c->server_name ? c->server_name : "");
	snprintf(t.alpn, sizeof(t.alpn), "%s", s->alpn);
	t.peer_verified = s->peer_verified;
	snprintf(t.peer_identity, sizeof(t.peer_identity), "%s",
		 s->peer_identity);
	t.ticket_len = (uint16_t)nst.ticket.len;
	memcpy(t.ticket, nst.ticket.p, nst.ticket.len);
	c->ticket(c->ticket_arg, &t);
	ktlso_client_ticket_clear(&t);
	return 0;
}
