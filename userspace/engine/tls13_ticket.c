// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 tickets (RFC 8446 4.6.1): the resumption master secret, a
 * server's NewSessionTickets, and a client's turning of a
 * NewSessionTicket into a struct ktlso_client_ticket.
 *
 * A server's ticket is the session's struct ktlso_ticket_state, sealed
 * (ticket_state.h). Each ticket has its own nonce, so its own PSK; the
 * state holds that PSK rather than the resumption master secret, so that
 * one ticket opens one PSK.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
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
	if (ret) {
		ktlso_client_ticket_clear(&t);
		return ret;
	}
	t.age_add = nst.age_add;
	t.lifetime = nst.lifetime;
	ktlso_client_ticket_give(s, &t, nst.ticket.p, nst.ticket.len);
	return 0;
}
