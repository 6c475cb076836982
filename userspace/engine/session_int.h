/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the handshake engine: the session object, the record
 * transport over the caller's callbacks, and the per-version protocol
 * table the handshake driver dispatches through. Not part of the API;
 * engine.h is.
 */
#ifndef KTLSO_ENGINE_SESSION_INT_H
#define KTLSO_ENGINE_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/keysched.h"
#include "engine/msg.h"
#include "engine/record.h"
#include "engine/transcript.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct ktlso_session;
struct ktlso_peer_cert;

/* Takes one handshake message in a state: 0 or an error. */
typedef int (*ktlso_hs_handler)(struct ktlso_session *s,
				const struct ktlso_hs_msg *msg);

/*
 * One version's handshake, for one role: the state machine behind
 * ktlso_session_handshake(). ->start runs once, before any input;
 * ->handlers[s->state] takes each handshake message in turn and returns 0
 * or an error (a state without a handler, such as the final one, takes
 * none: unexpected_message); the handshake is over when a handler sets
 * s->connected. ->free releases the
 * version's handshake state (and wipes it), whether or not it completed;
 * it may be called more than once.
 *
 * Version negotiation starts in the TLS 1.3 tables, whatever the
 * configured range: their ClientHello offers every version configured (a
 * plain TLS 1.2 ClientHello when TLS 1.3 is not), and their server reads
 * every ClientHello. When the peer picks another version, that version's
 * table (ktlso_proto_find()) gets the message that decided it through
 * ->takeover: the server's ClientHello, not yet in the transcript, or the
 * client's ServerHello, with the ClientHello still held, unhashed, in
 * s->ts and its random and session id in s->hs13. The new table copies
 * what it needs and may free the TLS 1.3 state at once; from then on
 * s->proto is that table. Such a table has no ->start.
 *
 * ->rx, when set, reads the next handshake message in place of
 * ktlso_rx_handshake(): TLS 1.2 handles its ChangeCipherSpec there.
 */
struct ktlso_proto {
	const char *name;
	int (*start)(struct ktlso_session *s);
	const ktlso_hs_handler *handlers;	/* indexed by s->state */
	size_t n_handlers;
	int (*takeover)(struct ktlso_session *s,
			const struct ktlso_hs_msg *msg);
	int (*rx)(struct ktlso_session *s, struct ktlso_hs_msg *msg);
	void (*free)(struct ktlso_session *s);
};

extern const struct ktlso_proto ktlso_tls13_client;
extern const struct ktlso_proto ktlso_tls13_server;
extern const struct ktlso_proto ktlso_tls12_client;
extern const struct ktlso_proto ktlso_tls12_server;

/* One direction of record protection, and the keys behind it. */
struct ktlso_dir {
	bool on;			/* records are protected */
	struct ktlso_record_protection rp;
	struct ktlso_traffic_keys keys;
	uint8_t secret[KTLSO_MAX_HASH_LEN];	/* TLS 1.3 traffic secret */
};

/* Bytes waiting for the transport. */
struct ktlso_buf {
	uint8_t *p;
	size_t len, cap;
	size_t off;			/* already written */
};

struct ktlso_tls13_hs;
struct ktlso_tls12_hs;

struct ktlso_session {
	const struct ktlso_config *cfg;
	struct ktlso_io io;
	bool server;
	const struct ktlso_proto *proto;
	int state;			/* the proto's */
	bool started;
	bool connected;
	int error;			/* sticky: the first failure */
	int alert_sent, alert_received;	/* -1: none */
	bool peer_alerted;		/* the failure is the peer's alert */
	/*
	 * Alerts that leave the connection up (warnings below TLS 1.3,
	 * user_canceled): in a row without a non-empty record between them,
	 * and in all; only the first few are logged.
	 */
	unsigned int warnings_in_row, warnings;
	bool logged;			/* the failure has its log line */
	int io_errno;			/* errno of a transport failure */
	bool close_sent, close_received;

	/* negotiated */
	uint16_t version;
	const struct ktlso_suite *suite;
	uint16_t group;
	uint16_t sig_scheme, client_sig_scheme;
	bool peer_verified;
	char alpn[KTLSO_ALPN_NAME_MAX + 1];
	char sni[256];
	char peer_identity[256];
	uint8_t *peer_leaf;		/* DER of the verified peer's leaf */
	size_t peer_leaf_len;

	/* record layer */
	struct ktlso_dir tx, rx;
	uint8_t *rec;			/* the record being read */
	size_t rec_len;			/* bytes of it read so far */
	uint8_t *plain;			/* an opened record's content */
	size_t plain_len, plain_off;	/* application data not yet read */
	struct ktlso_buf out;		/* sealed records to write */
	struct ktlso_buf hs_out;	/* handshake bytes not yet sealed */
	struct ktlso_hs_reader hr;
	bool ccs_ok;			/* a peer CCS may arrive now */
	bool ccs_received, ccs_sent;
	bool first_record_sent;

	struct ktlso_transcript ts;
	uint8_t *scratch;		/* builds one outgoing message */
	size_t scratch_cap;

	/* resumption */
	bool resumed;
	uint64_t auth_ms;		/* when the peer last showed its
					 * certificate (full handshake; a
					 * client resuming: its ticket's) */
	uint8_t res_master[KTLSO_MAX_HASH_LEN];	/* TLS 1.3 client */
	bool res_master_set;
	bool early_data;		/* server: skipping the client's */
	size_t early_skip;		/* bytes of it that may still come */

	struct ktlso_tls13_hs *hs13;	/* TLS 1.3 handshake state */
	struct ktlso_tls12_hs *hs12;	/* TLS 1.2 handshake state */
};

/* --- logging and failure (session.c) -------------------------------------- */

void ktlso_log(struct ktlso_session *s, enum ktlso_log_level level,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Log why the handshake fails with @err, once, and return @err: handlers
 * end with "return ktlso_hs_fail(s, -KTLSO_ALERT_..., "why", ...)".
 */
int ktlso_hs_fail(struct ktlso_session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "ClientHello", "Finished", ... for log lines; "unknown" otherwise. */
const char *ktlso_hs_type_name(uint8_t type);

/* The wall clock in milliseconds (or the test hook's). */
uint64_t ktlso_now_ms(const struct ktlso_session *s);

/* Fill @out with random bytes (or the test hook's). */
int ktlso_random(struct ktlso_session *s, uint8_t *out, size_t len);

/*
 * End the session with @err: log it (if not yet), send the alert it
 * calls for (none for a peer's alert or a transport failure), wipe every
 * key. Return: @err.
 */
int ktlso_session_abort(struct ktlso_session *s, int err);

/* The handshake table for @version and role; NULL for another version. */
const struct ktlso_proto *ktlso_proto_find(uint16_t version, bool server);

/* Hand the handshake to @to, which takes @msg (see struct ktlso_proto). */
int ktlso_proto_takeover(struct ktlso_session *s, const struct ktlso_proto *to,
			 const struct ktlso_hs_msg *msg);

/* --- the peer's certificate (peer_auth.c) -------------------------------- */

/**
 * ktlso_peer_auth_on() - do we verify the peer's certificate chain?
 * @s: the session
 *
 * A server verifies (and asks for) a client certificate when peer_auth is
 * KTLSO_PEER_AUTH_OPTIONAL or KTLSO_PEER_AUTH_REQUIRE; a client verifies
 * the server's unless peer_auth is KTLSO_PEER_AUTH_NONE.
 *
 * Return: true when the chain is verified.
 */
bool ktlso_peer_auth_on(const struct ktlso_session *s);

/**
 * ktlso_client_sni() - the client's server_name, if it goes in SNI
 * @c: the client's configuration
 *
 * RFC 6066 3: a literal IPv4 or IPv6 address is not a server_name; the
 * client verifies it against the certificate's IP SANs but does not send
 * it (ktlso_name_is_ip()).
 *
 * Return: c->server_name, or NULL when there is none or it is an address.
 */
const char *ktlso_client_sni(const struct ktlso_config *c);

/**
 * ktlso_peer_chain_check() - take the chain of the peer's Certificate
 * @s: the session
 * @pc: the version's peer certificate, filled on success
 * @certs: the chain, DER, leaf first
 * @n: entries in @certs, at least one
 *
 * Verifies the chain (ktlso_verify_chain(), setting s->peer_verified and
 * keeping a copy of the leaf's DER in s->peer_leaf) when
 * ktlso_peer_auth_on(), else only decodes the leaf's key; then copies the
 * leaf's subject into s->peer_identity. Failures are logged.
 *
 * Return: 0 or the alert to send (ktlso_hs_fail()).
 */
int ktlso_peer_chain_check(struct ktlso_session *s, struct ktlso_peer_cert *pc,
			   const struct ktlso_span *certs, size_t n);

/**
 * ktlso_peer_cert_verify_parse() - parse the peer's CertificateVerify
 * @s: the session
 * @msg: the message
 * @cv: filled on success
 *
 * Return: 0; the parser's alert for a malformed message, or
 * -KTLSO_ALERT_ILLEGAL_PARAMETER for a scheme not among ours (the ones
 * our ClientHello or CertificateRequest offered). Failures are logged.
 */
int ktlso_peer_cert_verify_parse(struct ktlso_session *s,
				 const struct ktlso_hs_msg *msg,
				 struct ktlso_certificate_verify *cv);

/* --- a client's tickets, both versions (client_ticket.c) ----------------- */

/**
 * ktlso_client_ticket_unfit() - the checks of an offer both versions make
 * @s: the client session
 * @t: cfg->resume
 *
 * Return: NULL when @t may be offered as far as these go, else why not
 * (for the log): for another server name, of a session whose server was
 * not verified (a verifying client), with a lifetime over seven days, of
 * an authentication after its receipt (inconsistent), expired, of an
 * authentication older than seven days (KTLSO_TICKET_LIFETIME_MAX).
 */
const char *ktlso_client_ticket_unfit(struct ktlso_session *s,
				      const struct ktlso_client_ticket *t);

/**
 * ktlso_client_resumption() - the session's part of its client tickets
 * @s: the client session
 * @r: zeroed, then given the config's server name and the session's ALPN
 *	protocol, peer_verified, peer identity and auth_ms (s->auth_ms: this
 *	full handshake's time, or a resumed session's offered ticket's
 *	auth_ms); the version's part (suite, secret) is left to the caller
 */
void ktlso_client_resumption(const struct ktlso_session *s,
			     struct ktlso_resumption *r);

/**
 * ktlso_client_ticket_hand() - complete a client ticket and hand it over
 * @r: the session's part (ktlso_client_resumption())
 * @t: the version's part filled (version, suite, psk, age_add, lifetime);
 *	@r's strings, peer_verified and auth_ms, @now_ms and the ticket are
 *	added here; wiped on return
 * @ticket: the server's ticket, @len bytes (at most
 *	KTLSO_CLIENT_TICKET_MAX)
 * @now_ms: the ticket's received_ms
 * @cb: takes @t; @arg is its first argument
 *
 * The one way a client ticket is made, whatever the version and whether
 * the session is still ours (ktlso_client_ticket_give()) or not
 * (ktlso_resumption_tickets()).
 */
void ktlso_client_ticket_hand(const struct ktlso_resumption *r,
			      struct ktlso_client_ticket *t,
			      const uint8_t *ticket, size_t len,
			      uint64_t now_ms,
			      void (*cb)(void *arg,
					 const struct ktlso_client_ticket *t),
			      void *arg);

/**
 * ktlso_client_ticket_give() - hand a ticket received to cfg->ticket
 * @s: the client session, connected (or about to be)
 * @t: the version's part filled (version, suite, psk, age_add, lifetime);
 *	the session's part (server name, ALPN, authentication, receipt time)
 *	and the ticket are added here (ktlso_client_ticket_hand()); wiped
 *	on return
 * @ticket: the server's ticket, @len bytes (at most
 *	KTLSO_CLIENT_TICKET_MAX)
 */
void ktlso_client_ticket_give(struct ktlso_session *s,
			      struct ktlso_client_ticket *t,
			      const uint8_t *ticket, size_t len);

/* --- server extensions (server_ext.c) ------------------------------------- */

/**
 * ktlso_server_take_sni() - keep the ClientHello's server_name in s->sni
 * @s: the session (a server)
 * @ch: the ClientHello
 *
 * Return: 0 (s->sni untouched without the extension), or
 * -KTLSO_ALERT_ILLEGAL_PARAMETER for a name that does not fit.
 */
int ktlso_server_take_sni(struct ktlso_session *s,
			  const struct ktlso_client_hello *ch);

/**
 * ktlso_server_choose_alpn() - our first ALPN protocol the client offers
 * @s: the session (a server); the choice goes to s->alpn
 * @ch: the ClientHello
 *
 * Return: 0 (nothing chosen when either side has no ALPN), or
 * -KTLSO_ALERT_NO_APPLICATION_PROTOCOL when none is in common.
 */
int ktlso_server_choose_alpn(struct ktlso_session *s,
			     const struct ktlso_client_hello *ch);

/* --- transport (transport.c) ---------------------------------------------- */

/* Allocate the record buffers; free them (wiping what they hold). */
int ktlso_transport_init(struct ktlso_session *s);
void ktlso_transport_free(struct ktlso_session *s);

/*
 * The next whole handshake message: 0 with @msg set (valid until the next
 * call), KTLSO_WANT_READ, or an error. A change_cipher_spec record is
 * dropped where RFC 8446 5 allows one; alerts end the handshake.
 */
int ktlso_rx_handshake(struct ktlso_session *s, struct ktlso_hs_msg *msg);

/**
 * ktlso_rx_handshake_with() - ktlso_rx_handshake() with the version's rules
 * @s: the session
 * @msg: set to the next handshake message on success
 * @ccs: takes a change_cipher_spec record (its content in s->plain)
 * @skip: when not NULL, judges each message first: 1 to drop it and read
 *	on, 0 to return it, or an error
 *
 * Return: 0 with @msg set, KTLSO_WANT_READ, or an error.
 */
int ktlso_rx_handshake_with(struct ktlso_session *s, struct ktlso_hs_msg *msg,
			    int (*ccs)(struct ktlso_session *s),
			    int (*skip)(struct ktlso_session *s,
					const struct ktlso_hs_msg *msg));

/**
 * ktlso_rx_content() - take one opened record (s->plain) that is not
 *	handed to the application
 * @s: the session
 * @type: its content type, from ktlso_rx_record()
 * @ccs: takes a change_cipher_spec record, or NULL when none may come
 *
 * Handshake bytes go to s->hr, alerts to ktlso_rx_alert(); anything else
 * (application data, or a change_cipher_spec without @ccs) is
 * unexpected_message, and so is an empty record of any of these types
 * (RFC 8446 5.1).
 *
 * Return: 0 or an error.
 */
int ktlso_rx_content(struct ktlso_session *s, uint8_t type,
		     int (*ccs)(struct ktlso_session *s));

/*
 * Read one record and open it: 0 with *@type and s->plain (s->plain_len
 * bytes) set, KTLSO_WANT_READ, or an error. Alerts and CCS are returned,
 * not handled.
 */
int ktlso_rx_record(struct ktlso_session *s, uint8_t *type);

/* Handle an alert record's content: 0 for user_canceled, else an error. */
int ktlso_rx_alert(struct ktlso_session *s, const uint8_t *body, size_t len);

/*
 * Queue one outgoing handshake message (header included): the test hook
 * sees it first, then the transcript; it is sealed with the current send
 * keys when the flight is flushed or the keys change.
 */
int ktlso_tx_handshake(struct ktlso_session *s, uint8_t *msg, size_t len,
		       size_t cap);

/* Seal the queued handshake bytes into records under the current keys. */
int ktlso_tx_seal_handshake(struct ktlso_session *s);

/* Drop handshake bytes not yet sealed: a failing flight is not sent. */
void ktlso_tx_discard_handshake(struct ktlso_session *s);

/* A change_cipher_spec record (always in plaintext). */
int ktlso_tx_ccs(struct ktlso_session *s);

/* One record of @type carrying @len (at most 2^14) bytes. */
int ktlso_tx_record(struct ktlso_session *s, uint8_t type, const uint8_t *data,
		    size_t len);

int ktlso_tx_alert(struct ktlso_session *s, uint8_t level, uint8_t desc);

/* Write what is queued: 0, KTLSO_WANT_WRITE or an error. */
int ktlso_tx_flush(struct ktlso_session *s);

/*
 * Switch a direction to TLS 1.3 traffic @secret (sequence number 0);
 * queued handshake bytes are sealed under the old keys first. Switching
 * the receiving side while a message is half-read is unexpected_message
 * (RFC 8446 5.1).
 */
int ktlso_dir_set13(struct ktlso_session *s, bool tx, const uint8_t *secret);
void ktlso_dir_clear(struct ktlso_dir *d);

#endif /* KTLSO_ENGINE_SESSION_INT_H */
