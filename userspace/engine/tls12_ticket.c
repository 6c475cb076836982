// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 session resumption with tickets (RFC 5077), bound to the
 * extended master secret (RFC 7627 5.3): a server's ticket is the
 * session's struct ktlso_ticket_state (ticket_state.h) with the master
 * secret as its secret; only sessions with the extended master secret get
 * one, and only a ClientHello with it resumes one. The abbreviated
 * handshake is RFC 5077 3.1's:
 *
 *	ClientHello(session_ticket: ticket)  ->
 *		<- ServerHello(our session id) [NewSessionTicket]
 *		   ChangeCipherSpec Finished
 *	ChangeCipherSpec Finished  ->
 *
 * The server echoes the client's session id when it resumes (RFC 5077
 * 3.4), so the client always sends one with a ticket. Session ids alone
 * resume nothing: the server keeps no session cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/ticket.h"
#include "engine/ticket_state.h"
#include "engine/tls12.h"
#include "engine/tls13.h"

/* A ticket without a lifetime hint is kept as long as our own default. */
#define HINTLESS_LIFETIME 7200

int ktlso_tls12_resumed_keys(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;

	return ktlso_tls12_traffic_keys(s->suite, hs->master, hs->client_random,
					hs->server_random, &hs->client_write,
					&hs->server_write);
}

/* --- server --------------------------------------------------------------- */

/* Can the session in @st be resumed here? NULL yes, else why not. */
static const char *ticket_fits(struct ktlso_session *s,
			       const struct ktlso_client_hello *ch,
			       const struct ktlso_ticket_state *st)
{
	const struct ktlso_config *c = s->cfg;
	const char *why = ktlso_ticket_state_fits(s, st, KTLSO_TLS12_VERSION,
						  ktlso_now_ms(s));

	if (why)
		return why;
	if (st->psk_len != KTLSO_TLS12_MASTER_SECRET_LEN)
		return "of another version";
	/* RFC 5246 7.4.1.3: the session's suite, still offered by both. */
	if (!ktlso_u16_list_has(&ch->cipher_suites, st->suite) ||
	    !ktlso_u16_in(c->suites, c->n_suites, st->suite))
		return "of a suite no longer offered";
	/* RFC 7627 5.3: every ticket of ours has the extended master secret. */
	if (!s->hs12->ems)
		return "offered without the extended master secret";
	return NULL;
}

int ktlso_tls12_server_resume(struct ktlso_session *s,
			      const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_ticket_state st;
	const char *why;
	int ret;

	hs->ticket_ext = ktlso_ext_has(&ch->ext, KTLSO_EXT_SESSION_TICKET);
	hs->tickets_wanted = c->ticket_keys && c->n_tickets && hs->ticket_ext &&
			     hs->ems;
	if (!c->ticket_keys || !hs->ticket_ext || !ch->session_ticket.len)
		return 0;
	ret = ktlso_ticket_state_open(s, ch->session_ticket.p,
				      ch->session_ticket.len, &st);
	if (ret)
		return ret < 0 ? ret : 0;
	why = ticket_fits(s, ch, &st);
	if (why) {
		ktlso_log(s, KTLSO_LOG_DEBUG, "ticket not resumed: %s", why);
		OPENSSL_cleanse(&st, sizeof(st));
		return 0;
	}
	s->suite = ktlso_suite_find(st.suite);
	memcpy(hs->master, st.psk, KTLSO_TLS12_MASTER_SECRET_LEN);
	memcpy(hs->session_id, ch->session_id.p, ch->session_id.len);
	hs->session_id_len = ch->session_id.len;
	hs->abbreviated = true;
	s->resumed = true;
	s->auth_ms = st.auth_ms;
	if (ktlso_peer_auth_on(s)) {
		s->peer_verified = st.peer_verified;
		snprintf(s->peer_identity, sizeof(s->peer_identity), "%s",
			 st.peer_identity);
	}
	OPENSSL_cleanse(&st, sizeof(st));
	return 0;
}

int ktlso_tls12_send_ticket(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	uint8_t ticket[KTLSO_TICKET_STATE_MAX + KTLSO_TICKET_OVERHEAD];
	struct ktlso_tls12_new_session_ticket nst = { 0 };
	struct ktlso_ticket_state st;
	struct ktlso_writer w;
	size_t len = 0;
	int ret = 1;

	if (!hs->tickets_wanted)
		return 0;
	/* The state says nothing of it: every ticket's session has it. */
	if (!hs->ems)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ktlso_ticket_state_init(s, &st);
	memcpy(st.psk, hs->master, KTLSO_TLS12_MASTER_SECRET_LEN);
	st.psk_len = KTLSO_TLS12_MASTER_SECRET_LEN;
	if (st.lifetime)
		ret = ktlso_ticket_state_seal(s, &st, ticket, sizeof(ticket),
					      &len);
	nst.lifetime_hint = st.lifetime;
	OPENSSL_cleanse(&st, sizeof(st));
	/* RFC 5077 3.3: the extension was acknowledged; say "none" then. */
	if (ret < 0)
		ktlso_log(s, KTLSO_LOG_WARNING, "no ticket issued: %s",
			  ktlso_error_name(ret));
	else if (ret)
		ktlso_log(s, KTLSO_LOG_INFO,
			  "no ticket issued: no key may seal, or the authentication is as old as a ticket's lifetime");
	if (ret) {
		len = 0;
		nst.lifetime_hint = 0;
	}
	nst.ticket.p = ticket;
	nst.ticket.len = len;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_tls12_new_session_ticket_write(&w, &nst);
	return ktlso_tls12_msg_send(s, &w);
}

/* --- client --------------------------------------------------------------- */

bool ktlso_tls12_client_can_resume(struct ktlso_session *s)
{
	const struct ktlso_config *c = s->cfg;
	const struct ktlso_client_ticket *t = c->resume;
	const struct ktlso_suite *suite;
	const char *why = NULL;

	if (!t || t->version != KTLSO_TLS12_VERSION)
		return false;
	suite = ktlso_suite_find(t->suite);
	if (!suite || suite->version != KTLSO_TLS12_VERSION ||
	    t->psk_len != KTLSO_TLS12_MASTER_SECRET_LEN || !t->ticket_len ||
	    t->ticket_len > KTLSO_CLIENT_TICKET_MAX)
		why = "not a TLS 1.2 ticket";
	else
		why = ktlso_client_ticket_unfit(s, t);
	if (!why && !ktlso_u16_in(c->suites, c->n_suites, t->suite))
		why = "of a suite we no longer offer";
	if (!why)
		return true;
	ktlso_log(s, KTLSO_LOG_DEBUG, "ticket not offered: %s", why);
	return false;
}

void ktlso_tls12_client_ticket_ext(const struct ktlso_session *s,
				   struct ktlso_client_hello *ch, bool resume)
{
	const struct ktlso_client_ticket *t = s->cfg->resume;

	if (resume) {
		ch->session_ticket.p = t->ticket;
		ch->session_ticket.len = t->ticket_len;
	} else if (!s->cfg->ticket) {
		return;
	}
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_SESSION_TICKET);
}

int ktlso_tls12_client_resumed(struct ktlso_session *s, uint16_t suite)
{
	const struct ktlso_client_ticket *t = s->cfg->resume;
	struct ktlso_tls12_hs *hs = s->hs12;

	if (suite != t->suite)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server resumes with another suite");
	/* RFC 7627 5.3: our tickets all come from such sessions. */
	if (!hs->ems)
		return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
				     "server resumes without the extended master secret");
	memcpy(hs->master, t->psk, KTLSO_TLS12_MASTER_SECRET_LEN);
	hs->abbreviated = true;
	s->resumed = true;
	s->auth_ms = t->auth_ms;	/* its tickets' (client_ticket.c) */
	s->peer_verified = t->peer_verified;
	snprintf(s->peer_identity, sizeof(s->peer_identity), "%s",
		 t->peer_identity);
	return 0;
}

int ktlso_tls12_client_take_ticket(struct ktlso_session *s,
				   const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_new_session_ticket nst;
	int ret;

	/* RFC 5077 3.3: once, and only after the extension was answered. */
	if (!hs->ticket_ext)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "NewSessionTicket unannounced, or a second one");
	ret = ktlso_tls12_new_session_ticket_parse(&nst, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed NewSessionTicket");
	ret = ktlso_tls12_msg_add(s, msg);
	if (ret)
		return ret;
	hs->ticket_ext = false;
	if (!s->cfg->ticket || !hs->ems || !nst.ticket.len ||
	    nst.ticket.len > KTLSO_CLIENT_TICKET_MAX) {
		ktlso_log(s, KTLSO_LOG_DEBUG, "NewSessionTicket not kept");
		return 0;
	}
	hs->nst = malloc(nst.ticket.len);
	if (!hs->nst)
		return -KTLSO_ERROR_NO_MEMORY;
	memcpy(hs->nst, nst.ticket.p, nst.ticket.len);
	hs->nst_len = nst.ticket.len;
	hs->nst_lifetime = nst.lifetime_hint ? nst.lifetime_hint :
					       HINTLESS_LIFETIME;
	if (hs->nst_lifetime > KTLSO_TICKET_LIFETIME_MAX)
		hs->nst_lifetime = KTLSO_TICKET_LIFETIME_MAX;
	return 0;
}

void ktlso_tls12_client_give_ticket(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_client_ticket t;

	if (!hs->nst_len)
		return;
	memset(&t, 0, sizeof(t));
	t.version = KTLSO_TLS12_VERSION;
	t.suite = s->suite->id;
	memcpy(t.psk, hs->master, KTLSO_TLS12_MASTER_SECRET_LEN);
	t.psk_len = KTLSO_TLS12_MASTER_SECRET_LEN;
	t.lifetime = hs->nst_lifetime;
	ktlso_client_ticket_give(s, &t, hs->nst, hs->nst_len);
}
