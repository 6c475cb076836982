// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 tickets (RFC 8446 4.6.1): the resumption master secret, a
 * server's NewSessionTickets, and a client's turning of a
 * NewSessionTicket into a struct ktlso_client_ticket, whether the session
 * reads it (ktlso_tls13_take_ticket()) or its records went elsewhere
 * first (ktlso_session_resumption(), ktlso_resumption_tickets()): one
 * path, nst_ticket(), for both.
 *
 * A server's ticket is the session's struct ktlso_ticket_state, sealed
 * (ticket_state.h). Each ticket has its own nonce, so its own PSK; the
 * state holds that PSK rather than the resumption master secret, so that
 * one ticket opens one PSK.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/engine.h"
#include "engine/keysched.h"
#include "engine/ticket.h"
#include "engine/ticket_state.h"
#include "engine/tls13.h"

#define TICKET_NONCE_LEN 8

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

static int send_ticket(struct ktlso_session *s, unsigned int i)
{
	uint8_t ticket[KTLSO_TICKET_STATE_MAX + KTLSO_TICKET_OVERHEAD];
	uint8_t nonce[TICKET_NONCE_LEN] = { 0 }, rnd[4];
	uint8_t msg[64 + sizeof(ticket)];
	struct ktlso_new_session_ticket nst = { 0 };
	struct ktlso_ticket_state st;
	struct ktlso_writer w;
	size_t len, tlen;
	int ret;

	nonce[TICKET_NONCE_LEN - 1] = (uint8_t)i;	/* i < KTLSO_TICKETS_MAX */
	ktlso_ticket_state_init(s, &st);
	st.psk_len = ktlso_hash_len(s->suite->hash);
	ret = st.lifetime ? ktlso_random(s, rnd, sizeof(rnd)) : 1;
	if (ret == 0)
		st.age_add = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 |
			     (uint32_t)rnd[2] << 8 | rnd[3];
	if (ret == 0)
		ret = ktlso_tls13_resumption_psk(s->suite->hash, s->res_master,
						 nonce, sizeof(nonce), st.psk);
	if (ret == 0)
		ret = ktlso_ticket_state_seal(s, &st, ticket, sizeof(ticket),
					      &tlen);
	nst.lifetime = st.lifetime;
	nst.age_add = st.age_add;
	OPENSSL_cleanse(&st, sizeof(st));
	if (ret)
		return ret;
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

/* --- client: NewSessionTickets into client tickets ----------------------- */

/* What became of a NewSessionTicket, when no error did (nst_ticket()). */
enum nst_fate {
	NST_KEPT,
	NST_NOT_KEPT,		/* not wanted, or a zero lifetime */
	NST_TOO_LONG,		/* a ticket over KTLSO_CLIENT_TICKET_MAX */
};

/* @r's suite, or NULL when @r cannot make TLS 1.3 tickets. */
static const struct ktlso_suite *resumption_suite(
	const struct ktlso_resumption *r)
{
	const struct ktlso_suite *suite = ktlso_suite_find(r->suite);

	if (!suite || suite->version != KTLSO_TLS13_VERSION ||
	    r->secret_len != ktlso_hash_len(suite->hash))
		return NULL;
	return suite;
}

/*
 * One parsed NewSessionTicket @nst, with @r (of @suite), into a client
 * ticket for @cb: what both ktlso_tls13_take_ticket() and
 * ktlso_resumption_tickets() do with each. Return: an enum nst_fate, or
 * an error.
 */
static int nst_ticket(const struct ktlso_resumption *r,
		      const struct ktlso_suite *suite,
		      const struct ktlso_new_session_ticket *nst,
		      uint64_t now_ms,
		      void (*cb)(void *arg,
				 const struct ktlso_client_ticket *t),
		      void *arg)
{
	struct ktlso_client_ticket t;
	int ret;

	if (nst->lifetime == 0)
		return NST_NOT_KEPT;
	if (nst->ticket.len > KTLSO_CLIENT_TICKET_MAX)
		return NST_TOO_LONG;
	memset(&t, 0, sizeof(t));
	t.version = KTLSO_TLS13_VERSION;
	t.suite = r->suite;
	t.psk_len = r->secret_len;
	ret = ktlso_tls13_resumption_psk(suite->hash, r->secret, nst->nonce.p,
					 nst->nonce.len, t.psk);
	if (ret) {
		ktlso_client_ticket_clear(&t);
		return ret;
	}
	t.age_add = nst->age_add;
	t.lifetime = nst->lifetime;
	ktlso_client_ticket_hand(r, &t, nst->ticket.p, nst->ticket.len, now_ms,
				 cb, arg);
	return NST_KEPT;
}

/* A client session's resumption, the caller having checked it has one. */
static void session_resumption(const struct ktlso_session *s,
			       struct ktlso_resumption *r)
{
	ktlso_client_resumption(s, r);
	r->suite = s->suite->id;
	r->secret_len = (uint8_t)ktlso_hash_len(s->suite->hash);
	memcpy(r->secret, s->res_master, r->secret_len);
}

int ktlso_tls13_take_ticket(struct ktlso_session *s,
			    const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_new_session_ticket nst;
	struct ktlso_resumption r;
	int ret;

	ret = ktlso_new_session_ticket_parse(&nst, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed NewSessionTicket");
	if (!c->ticket || !s->res_master_set) {
		ret = NST_NOT_KEPT;
	} else {
		session_resumption(s, &r);
		ret = nst_ticket(&r, s->suite, &nst, ktlso_now_ms(s), c->ticket,
				 c->ticket_arg);
		ktlso_resumption_clear(&r);
	}
	if (ret == NST_NOT_KEPT)
		ktlso_log(s, KTLSO_LOG_DEBUG, "NewSessionTicket not kept");
	else if (ret == NST_TOO_LONG)
		ktlso_log(s, KTLSO_LOG_INFO,
			  "NewSessionTicket of %zu bytes not kept (at most %d)",
			  nst.ticket.len, KTLSO_CLIENT_TICKET_MAX);
	return ret < 0 ? ret : 0;
}

/* --- client: tickets after the hand-off (engine.h) ------------------------ */

int ktlso_session_resumption(const struct ktlso_session *s,
			     struct ktlso_resumption *r)
{
	if (s->server || s->version != KTLSO_TLS13_VERSION || !s->connected ||
	    s->error || !s->res_master_set || !s->suite) {
		ktlso_resumption_clear(r);
		return -KTLSO_ERROR_STATE;
	}
	session_resumption(s, r);
	return 0;
}

int ktlso_resumption_tickets(const struct ktlso_resumption *r,
			     const uint8_t *msgs, size_t len, uint64_t now_ms,
			     unsigned int max,
			     void (*cb)(void *arg,
					const struct ktlso_client_ticket *t),
			     void *arg)
{
	const struct ktlso_suite *suite = r ? resumption_suite(r) : NULL;
	struct ktlso_new_session_ticket nst;
	struct ktlso_hs_msg msg;
	struct ktlso_reader rd;
	const uint8_t *body;
	uint32_t body_len;
	uint8_t type;
	size_t n;
	int ret, kept = 0;

	if (!suite || !cb || (!msgs && len))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (max > INT_MAX)
		max = INT_MAX;
	/* Past the @max-th ticket kept, nothing is even parsed. */
	while (len && (unsigned int)kept < max) {
		/* One whole message: its header, and the body it announces. */
		ktlso_reader_init(&rd, msgs, len);
		ktlso_get_u8(&rd, &type);
		ktlso_get_u24(&rd, &body_len);
		ret = ktlso_get_span(&rd, body_len, &body);
		n = KTLSO_HS_HEADER_LEN + (size_t)body_len;
		if (ret == 0)
			ret = ktlso_hs_msg_split(&msg, msgs, n);
		if (ret == 0)
			ret = ktlso_new_session_ticket_parse(&nst, &msg);
		if (ret == 0)
			ret = nst_ticket(r, suite, &nst, now_ms, cb, arg);
		if (ret < 0)
			return ret;
		if (ret == NST_KEPT)
			kept++;
		msgs += n;
		len -= n;
	}
	return kept;
}
