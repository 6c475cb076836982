/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the TLS 1.3 handshake (tls13_client.c, tls13_server.c): the
 * state both roles keep while the handshake runs, and the steps they share
 * (key schedule, Certificate, CertificateVerify, Finished). Not part of
 * the API; engine.h is.
 *
 * Every check*() function takes a received message, verifies it, and adds
 * it to the transcript; every send*() function builds a message and
 * queues it (ktlso_tx_handshake() adds it to the transcript).
 */
#ifndef KTLSO_ENGINE_TLS13_H
#define KTLSO_ENGINE_TLS13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/kex.h"
#include "engine/pki.h"
#include "engine/session_int.h"

struct ktlso_tls13_hs {
	struct ktlso_kex kex[KTLSO_CONFIG_MAX_LIST];	/* our shares */
	size_t n_kex;
	uint8_t random[KTLSO_RANDOM_LEN];	/* client: CH2 repeats it */
	uint8_t session_id[KTLSO_SESSION_ID_MAX];
	size_t session_id_len;
	/* client: the ClientHello's extensions; server: the CR's */
	uint32_t offered;
	bool hrr;				/* HelloRetryRequest done */
	uint16_t hrr_group;			/* 0: the HRR named none */
	uint16_t hrr_suite;
	uint8_t *cookie;			/* client: the HRR's cookie */
	size_t cookie_len;
	uint8_t *ch1;				/* server: ClientHello1 */
	size_t ch1_len;
	uint8_t hs_secret[KTLSO_MAX_HASH_LEN];
	uint8_t c_hs[KTLSO_MAX_HASH_LEN], s_hs[KTLSO_MAX_HASH_LEN];
	uint8_t c_ap[KTLSO_MAX_HASH_LEN], s_ap[KTLSO_MAX_HASH_LEN];
	struct ktlso_peer_cert peer;		/* the peer's leaf key */
	const struct ktlso_cred *cred;		/* ours, NULL: none */
	uint16_t scheme;			/* ours, to sign with */
	bool cert_requested;			/* CertificateRequest seen */
	/* resumption (tls13_psk.c, tls13_ticket.c) */
	uint8_t psk[KTLSO_MAX_HASH_LEN];	/* chosen (server), offered */
	size_t psk_len;				/* 0: none */
	bool psk_offered;			/* client: in the ClientHello */
	uint16_t psk_index;			/* server: the one chosen */
	uint8_t binder_th[KTLSO_MAX_HASH_LEN];	/* server: binders cover */
	bool tickets_wanted;			/* server: psk_dhe_ke offered */
	bool ticket12;				/* client: a TLS 1.2 ticket in
						 * the ClientHello */
	uint8_t master[KTLSO_MAX_HASH_LEN];	/* until res master */
};

int ktlso_tls13_hs_new(struct ktlso_session *s);
void ktlso_tls13_hs_free(struct ktlso_session *s);

/* Build a message in s->scratch with @w, then queue it. */
void ktlso_tls13_msg_begin(struct ktlso_session *s, struct ktlso_writer *w);
int ktlso_tls13_msg_send(struct ktlso_session *s, struct ktlso_writer *w);

/* Our ephemeral key for @group (or the test hook's). */
int ktlso_tls13_kex_generate(struct ktlso_session *s, struct ktlso_kex *kx,
			     uint16_t group);

/* Is @v in @list[0..n)? */
bool ktlso_u16_in(const uint16_t *list, size_t n, uint16_t v);

/*
 * The handshake traffic secrets from the (EC)DHE @shared secret and the
 * transcript through ServerHello; @shared is wiped.
 */
int ktlso_tls13_handshake_secrets(struct ktlso_session *s, uint8_t *shared,
				  size_t shared_len);

/* The application traffic secrets, from the transcript through the
 * server's Finished; the handshake secret is wiped, the master secret
 * kept in hs->master (ktlso_tls13_res_master() wipes it). */
int ktlso_tls13_app_secrets(struct ktlso_session *s);

int ktlso_tls13_send_finished(struct ktlso_session *s);
int ktlso_tls13_check_finished(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg);

/* Our Certificate, of hs->cred (an empty one when NULL). */
int ktlso_tls13_send_certificate(struct ktlso_session *s);
int ktlso_tls13_send_cert_verify(struct ktlso_session *s);

/*
 * The peer's Certificate: verified against the trust store when the
 * configuration asks for it, else only decoded. Return: 0, 1 for an empty
 * certificate_list (the caller decides), or an error.
 */
int ktlso_tls13_check_certificate(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg);
int ktlso_tls13_check_cert_verify(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg);

/* --- resumption (tls13_psk.c, tls13_ticket.c) ---------------------------- */

/*
 * Server, before the ClientHello @msg (parsed into @ch) joins the
 * transcript, the suite chosen: when it offers PSKs that may be ours,
 * keep the hash its binders cover (hs->binder_th). Return: 0 or an error.
 */
int ktlso_tls13_server_binder_hash(struct ktlso_session *s,
				   const struct ktlso_client_hello *ch,
				   const struct ktlso_hs_msg *msg);

/*
 * Server, with the ClientHello parsed into @ch, the suite, SNI and ALPN
 * chosen, hs->binder_th kept: pick the
 * first offered ticket that opens and fits (engine.h lists the checks),
 * verify its binder, and resume (s->resumed, hs->psk). Notes whether the
 * client can take tickets at all (hs->tickets_wanted).
 * Return: 0 (resuming or not), or the alert to send.
 */
int ktlso_tls13_server_psk(struct ktlso_session *s,
			   const struct ktlso_client_hello *ch);

/*
 * Client: add psk_key_exchange_modes and, when cfg->resume may be
 * offered, a pre_shared_key with a zero binder, to @ch; @buf holds the
 * identity it points to. Then ktlso_tls13_client_binder() fills the
 * binder in the written message.
 */
struct ktlso_psk_offer_buf {
	uint8_t identities[2 + KTLSO_CLIENT_TICKET_MAX + 4];
	uint8_t binders[1 + KTLSO_MAX_HASH_LEN];
};

void ktlso_tls13_client_offer(struct ktlso_session *s,
			      struct ktlso_client_hello *ch,
			      struct ktlso_psk_offer_buf *buf);
int ktlso_tls13_client_binder(struct ktlso_session *s, uint8_t *msg,
			      size_t len);

/*
 * Client: the server's ServerHello selects our PSK (@sh has
 * pre_shared_key): check it and resume. Return: 0 or the alert.
 */
int ktlso_tls13_client_psk_taken(struct ktlso_session *s,
				 const struct ktlso_server_hello *sh);

/*
 * The resumption master secret, from hs->master and the transcript
 * through the client's Finished: into s->res_master; hs->master is wiped.
 */
int ktlso_tls13_res_master(struct ktlso_session *s);

/*
 * Server: the NewSessionTickets, sealed under the application keys. The
 * session is up by then: a ticket that cannot be made is only logged.
 */
void ktlso_tls13_send_tickets(struct ktlso_session *s);

/*
 * Client: a NewSessionTicket after the handshake, to cfg->ticket, made as
 * ktlso_resumption_tickets() makes one (tls13_ticket.c).
 */
int ktlso_tls13_take_ticket(struct ktlso_session *s,
			    const struct ktlso_hs_msg *msg);

/* Is this message of the type the state expects? */
int ktlso_tls13_expect(struct ktlso_session *s, const struct ktlso_hs_msg *msg,
		       uint8_t type);

#endif /* KTLSO_ENGINE_TLS13_H */
