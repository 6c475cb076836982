/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the TLS 1.2 handshake (tls12_client.c, tls12_server.c and
 * the steps they share in tls12_hs.c and tls12_auth.c): the state both
 * roles keep while the handshake runs. Not part of the API; engine.h is.
 *
 * The engine's TLS 1.2 is RFC 5246 restricted to what is still safe:
 * ECDHE key exchange (RFC 8422, named curves, uncompressed points) with
 * ECDSA, Ed25519 or RSA signatures, AEAD suites only, the extended master
 * secret (RFC 7627) required, secure renegotiation signalled (RFC 5746)
 * and renegotiation refused, sessions resumed with RFC 5077 tickets
 * (tls12_ticket.c), never with session ids.
 *
 * A TLS 1.2 handshake always begins in the TLS 1.3 tables (session_int.h):
 * these tables only take over, the client on a TLS 1.2 ServerHello, the
 * server on a ClientHello that does not get TLS 1.3.
 *
 * As in tls13.h, every check*() function takes a received message,
 * verifies it and adds it to the transcript; every send*() function builds
 * a message and queues it (adding it to the transcript).
 */
#ifndef KTLSO_ENGINE_TLS12_H
#define KTLSO_ENGINE_TLS12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/kex.h"
#include "engine/keysched.h"
#include "engine/msg12.h"
#include "engine/pki.h"
#include "engine/session_int.h"

/* RFC 5746 3.3: TLS_EMPTY_RENEGOTIATION_INFO_SCSV. */
#define KTLSO_TLS12_RENEGOTIATION_SCSV 0x00ff
/* RFC 7507: TLS_FALLBACK_SCSV. */
#define KTLSO_TLS12_FALLBACK_SCSV 0x5600

/* The states of both roles (s->state while s->proto is a TLS 1.2 table). */
enum ktlso_tls12_state {
	/* client */
	KTLSO_TLS12_WAIT_SH,
	KTLSO_TLS12_WAIT_CERT,
	KTLSO_TLS12_WAIT_SKE,
	KTLSO_TLS12_WAIT_CR_SHD,
	KTLSO_TLS12_WAIT_SHD,
	/* server */
	KTLSO_TLS12_WAIT_CLIENT_CERT,
	KTLSO_TLS12_WAIT_CKE,
	KTLSO_TLS12_WAIT_CV,
	/* both: the peer's ChangeCipherSpec, then its Finished */
	KTLSO_TLS12_WAIT_CCS,
	KTLSO_TLS12_WAIT_FINISHED,
	KTLSO_TLS12_CONNECTED,
};

/* The authentication a TLS 1.2 suite asks of the server's certificate. */
enum ktlso_tls12_auth {
	KTLSO_TLS12_AUTH_NONE,	/* not a suite the engine runs */
	KTLSO_TLS12_AUTH_ECDSA,	/* ECDHE_ECDSA: EC or Ed25519 keys */
	KTLSO_TLS12_AUTH_RSA,	/* ECDHE_RSA: RSA keys */
};

struct ktlso_tls12_hs {
	uint8_t client_random[KTLSO_RANDOM_LEN];
	uint8_t server_random[KTLSO_RANDOM_LEN];
	/* client: ours; server: the client's, echoed when resuming */
	uint8_t session_id[KTLSO_SESSION_ID_MAX];
	size_t session_id_len;
	uint32_t offered;		/* client: the CH's extensions */
	struct ktlso_kex kex;		/* our ephemeral key */
	uint8_t pms[KTLSO_KEX_MAX_SECRET];	/* client: until the CKE */
	size_t pms_len;
	uint8_t master[KTLSO_TLS12_MASTER_SECRET_LEN];
	struct ktlso_traffic_keys client_write, server_write;
	struct ktlso_peer_cert peer;	/* the peer's leaf key */
	const struct ktlso_cred *cred;	/* ours, NULL: none */
	uint16_t scheme;		/* ours, to sign with */
	bool cert_requested;		/* CertificateRequest sent/seen */
	bool peer_cert;			/* server: the client sent one */
	bool renegotiation_info;	/* server: the client signalled */
	bool ec_point_formats;		/* server: the client sent it */
	bool ems;			/* the extended master secret is used */
	/* resumption (tls12_ticket.c) */
	bool abbreviated;		/* resuming: no certificates, no kex */
	bool ticket_ext;		/* server: the client's session_ticket;
					 * client: the server's (a
					 * NewSessionTicket comes) */
	bool tickets_wanted;		/* server: we send a NewSessionTicket */
	bool resume_offered;		/* client: a ticket in our ClientHello */
	uint8_t *nst;			/* client: the ticket received, kept */
	size_t nst_len;			/* until the Finished verifies */
	uint32_t nst_lifetime;
	/* Every handshake message so far: what CertificateVerify signs. */
	uint8_t *log;
	size_t log_len, log_cap;
};

int ktlso_tls12_hs_new(struct ktlso_session *s);

/*
 * RFC 7627 5.2: the peer's hello carries the extended master secret
 * (@peer_has), or the configuration accepts that it does not (a warning
 * is logged). Sets s->hs12->ems. Return: 0 or handshake_failure (failed).
 */
int ktlso_tls12_ems_check(struct ktlso_session *s, bool peer_has);
void ktlso_tls12_hs_free(struct ktlso_session *s);

/* The auth type of TLS 1.2 suite @id. */
enum ktlso_tls12_auth ktlso_tls12_suite_auth(uint16_t id);

/*
 * Our schemes (@c's, in order) that sign for @auth, into @out (room for
 * KTLSO_CONFIG_MAX_LIST). Return: how many.
 */
size_t ktlso_tls12_schemes_for(const struct ktlso_config *c,
			       enum ktlso_tls12_auth auth, uint16_t *out);

/* Does @key sign for @auth? */
bool ktlso_tls12_key_fits(EVP_PKEY *key, enum ktlso_tls12_auth auth);

/*
 * The TLS 1.2 additions to a ClientHello that offers TLS 1.2 (RFC 8422
 * ec_point_formats, RFC 7627 extended_master_secret, RFC 5746
 * renegotiation_info), for the TLS 1.3 client's builder.
 */
void ktlso_tls12_client_hello_exts(struct ktlso_client_hello *ch);

/* --- messages and the transcript (tls12_hs.c) ----------------------------- */

/* Queue the message built in s->scratch with @w (ktlso_tls13_msg_begin()). */
int ktlso_tls12_msg_send(struct ktlso_session *s, struct ktlso_writer *w);

/* Add a received message to the transcript and to the message log. */
int ktlso_tls12_msg_add(struct ktlso_session *s,
			const struct ktlso_hs_msg *msg);

/*
 * Start the transcript with the suite's hash; what it held (the client's
 * ClientHello) goes into the message log first.
 */
int ktlso_tls12_transcript_start(struct ktlso_session *s);

/*
 * Is this message of the type the state expects? In KTLSO_TLS12_WAIT_CCS
 * no handshake message is.
 */
int ktlso_tls12_expect(struct ktlso_session *s, const struct ktlso_hs_msg *msg,
		       uint8_t type);

/*
 * The next handshake message, as ktlso_rx_handshake() reads it, with TLS
 * 1.2's ChangeCipherSpec: taken only in KTLSO_TLS12_WAIT_CCS, where it
 * turns the receiving keys on and moves to KTLSO_TLS12_WAIT_FINISHED. A
 * client ignores a HelloRequest during the handshake (RFC 5246 7.4.1.1).
 */
int ktlso_tls12_rx_handshake(struct ktlso_session *s,
			     struct ktlso_hs_msg *msg);

/* --- keys (tls12_hs.c) ---------------------------------------------------- */

/*
 * The extended master secret (RFC 7627 4) from the ECDHE @pms and the
 * transcript through ClientKeyExchange, then both directions' keys
 * (RFC 5246 6.3); @pms is wiped.
 */
int ktlso_tls12_derive_keys(struct ktlso_session *s, uint8_t *pms,
			    size_t pms_len);

/* ChangeCipherSpec, then our sending keys on (sequence number 0). */
int ktlso_tls12_send_ccs(struct ktlso_session *s);

int ktlso_tls12_send_finished(struct ktlso_session *s);
int ktlso_tls12_check_finished(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg);

/* --- resumption (tls12_ticket.c) ----------------------------------------- */

/*
 * Server, with the ClientHello @ch checked and the ALPN protocol chosen:
 * note whether the client takes tickets (hs->tickets_wanted), and resume
 * the session of the ticket it offers when engine.h's checks hold
 * (s->resumed, hs->abbreviated, s->suite, hs->master). A ticket that is
 * not ours or does not fit gets a full handshake. Return: 0 or an error.
 */
int ktlso_tls12_server_resume(struct ktlso_session *s,
			      const struct ktlso_client_hello *ch);

/*
 * Server: our NewSessionTicket when hs->tickets_wanted; an empty ticket
 * (RFC 5077 3.3) when none can be sealed. Return: 0 or an error.
 */
int ktlso_tls12_send_ticket(struct ktlso_session *s);

/* Client: may cfg->resume be offered as a TLS 1.2 ticket? (logs why not) */
bool ktlso_tls12_client_can_resume(struct ktlso_session *s);

/*
 * Client: the session_ticket extension of a ClientHello that offers TLS
 * 1.2: with cfg->resume's ticket when @resume, empty when the
 * configuration takes tickets (cfg->ticket), else none.
 */
void ktlso_tls12_client_ticket_ext(const struct ktlso_session *s,
				   struct ktlso_client_hello *ch, bool resume);

/*
 * Client, a ServerHello that echoes our session id after we offered a
 * ticket: resume cfg->resume's session. Return: 0 or the alert to send.
 */
int ktlso_tls12_client_resumed(struct ktlso_session *s, uint16_t suite);

/* Client: a NewSessionTicket, kept until the server's Finished verifies. */
int ktlso_tls12_client_take_ticket(struct ktlso_session *s,
				   const struct ktlso_hs_msg *msg);

/* Client, connected: hand the ticket kept to cfg->ticket. */
void ktlso_tls12_client_give_ticket(struct ktlso_session *s);

/*
 * Both, resuming: the traffic keys from the session's master secret and
 * this handshake's randoms.
 */
int ktlso_tls12_resumed_keys(struct ktlso_session *s);

/* --- authentication (tls12_auth.c) ---------------------------------------- */

/* Our Certificate, of hs->cred (an empty one when NULL). */
int ktlso_tls12_send_certificate(struct ktlso_session *s);

/*
 * The peer's Certificate: verified against the trust store when the
 * configuration asks for it, else only decoded. Return: 0, 1 for an
 * empty certificate_list (the caller decides), or an error.
 */
int ktlso_tls12_check_certificate(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg);

/* Client: CertificateVerify over the message log, with hs->scheme. */
int ktlso_tls12_send_cert_verify(struct ktlso_session *s);
/* Server: the client's CertificateVerify. */
int ktlso_tls12_check_cert_verify(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg);

#endif /* KTLSO_ENGINE_TLS12_H */
