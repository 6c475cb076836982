/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake engine: one TLS connection's handshake (client or server)
 * over a byte transport the caller provides, then the keys the kernel
 * record layer needs, or a userspace session under the engine's own record
 * protection.
 *
 *	struct ktlso_config cfg;
 *	struct ktlso_session *s;
 *	struct ktlso_session_result res;
 *
 *	ktlso_config_init(&cfg);
 *	cfg.trust = &trust;
 *	cfg.server_name = "server.example";
 *	ktlso_session_new(&s, &cfg, KTLSO_ROLE_CLIENT, &io);
 *	while ((ret = ktlso_session_handshake(s)) > 0)
 *		wait for the socket (KTLSO_WANT_READ / KTLSO_WANT_WRITE);
 *	if (ret == 0 && ktlso_session_result(s, &res) == 0) {
 *		setsockopt(fd, SOL_TLS, TLS_TX, &res.tx, res.tx_len);
 *		setsockopt(fd, SOL_TLS, TLS_RX, &res.rx, res.rx_len);
 *		ktlso_session_result_clear(&res);
 *	}
 *	ktlso_session_free(s);
 *
 * Transport. The engine reads and writes through the two callbacks of
 * struct ktlso_io, which behave like read(2) and write(2) on a socket:
 * bytes transferred, 0 for end of file, or -1 with errno set. EAGAIN (or
 * EWOULDBLOCK) is not an error: the call returns KTLSO_WANT_READ or
 * KTLSO_WANT_WRITE and the same function is called again once the
 * transport is ready; EINTR is retried.
 *
 * The engine never reads a byte it does not need. It reads one record at
 * a time, its 5-byte header and then exactly the length the header
 * announces, and stops reading as soon as the handshake is complete: the
 * TLS 1.3 client after its Finished, the TLS 1.2 client after the
 * server's Finished, the server after the client's Finished (a TLS 1.2
 * server then sends its ChangeCipherSpec and Finished). Handshake bytes
 * after the last Finished in its record are unexpected_message: they
 * could not be handed over. What the peer sends next (application data,
 * a NewSessionTicket, a KeyUpdate, an alert) is still in the socket when
 * the caller hands it to the kernel
 * record layer, with the sequence numbers ktlso_session_result() reports.
 * Handing the socket over is only correct at that point: once
 * ktlso_session_read() has been called, the keys and sequence numbers have
 * moved on and ktlso_session_result() reports the new ones.
 *
 * Errors follow alert.h, plus the local errors below. On any handshake
 * failure the engine sends the fatal alert to the peer itself (in
 * plaintext, or under the current keys, RFC 8446 section 6), logs one line
 * through the configured log callback, wipes every secret and keeps
 * returning the same error; no keys are ever reported for a failed
 * handshake. A fatal alert received from the peer is returned as its
 * negative description too; ktlso_session_alerts() tells the two apart.
 *
 * Versions. TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246) are implemented,
 * TLS 1.3 preferred: a client offers every version of [min_version,
 * max_version] in one ClientHello, a server picks TLS 1.3 when both
 * allow it. A TLS 1.3-capable server that settles for TLS 1.2 marks its
 * random with the RFC 8446 4.1.3 downgrade sentinel, and a client that
 * offered TLS 1.3 refuses such a ServerHello (illegal_parameter); a
 * client configured for TLS 1.2 only does not look at it.
 *
 * TLS 1.2 is held to what is still safe, with no knob to relax it:
 *  - ECDHE only (x25519, secp256r1, secp384r1; named curves, uncompressed
 *    points) with AEAD suites only: the ECDHE_ECDSA and ECDHE_RSA suites
 *    with AES-GCM and ChaCha20-Poly1305, and ECDHE_ECDSA with AES-128-CCM.
 *    ECDSA suites take P-256, P-384 and Ed25519 certificates (RFC 8422),
 *    RSA suites RSA certificates; the server chooses the suite, in its
 *    preference order, for which it has a credential (by SNI, as in TLS
 *    1.3) that signs with a scheme the client accepts.
 *  - The extended master secret (RFC 7627) is required by default: a
 *    client always offers it, a server always answers it, and a peer that
 *    does not support it is refused with handshake_failure (RFC 7627 5.2's
 *    "abort the handshake"). With KTLSO_EMS_PREFERRED (the one knob, for
 *    operators who must serve old peers knowingly) such a peer is
 *    accepted with the RFC 5246 master secret, and a warning is logged
 *    for every such handshake; a server then does not answer the
 *    extension (RFC 7627 5.2).
 *  - Secure renegotiation (RFC 5746): the client sends an empty
 *    renegotiation_info and refuses (handshake_failure) a server that
 *    does not answer with one; a server answers one (or the SCSV) with an
 *    empty one. A non-empty one in the initial handshake is
 *    handshake_failure. Renegotiation itself is refused: after the
 *    handshake, ktlso_session_read() answers a HelloRequest (client) or a
 *    ClientHello (server) with a warning no_renegotiation alert and goes
 *    on (RFC 5246 7.2.2: that alert is always a warning); a client ignores
 *    a HelloRequest during the handshake (RFC 5246 7.4.1.1).
 *  - Resumption with RFC 5077 session tickets only (below); session
 *    ids resume nothing: a server's is empty unless it resumes a ticket,
 *    and a server that echoes ours when we offered no ticket is
 *    illegal_parameter.
 *  - A server that demands a client certificate (KTLSO_PEER_AUTH_REQUIRE)
 *    and gets an empty Certificate sends handshake_failure (RFC 5246
 *    7.4.6; TLS 1.3 sends certificate_required); the other certificate
 *    and signature alerts are TLS 1.3's.
 *  - A TLS 1.3-capable server refuses TLS_FALLBACK_SCSV
 *    (inappropriate_fallback, RFC 7507).
 * ktlso_session_result() then reports TLS 1.2 crypto_info for both
 * directions, with the next sequence number 1 (each side's Finished was
 * record 0 under the new keys) and, for AES-GCM/CCM, the explicit nonce
 * of the next record, which the engine makes equal to its sequence
 * number, as the kernel does; tx_secret and rx_secret are empty.
 */
#ifndef KTLSO_ENGINE_ENGINE_H
#define KTLSO_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "engine/crypto_info.h"
#include "engine/kex.h"
#include "engine/msg.h"
#include "engine/pki.h"
#include "engine/suite.h"

/* Positive returns: not an error, call again when the transport is ready. */
#define KTLSO_WANT_READ 1
#define KTLSO_WANT_WRITE 2

/* Local errors of the session layer (alert.h numbers the others). */
enum {
	KTLSO_ERROR_IO = 0x180,		/* the transport failed */
	KTLSO_ERROR_CLOSED = 0x181,	/* EOF, or close_notify */
	KTLSO_ERROR_STATE = 0x182,	/* not in the session's state */
};

enum ktlso_role {
	KTLSO_ROLE_CLIENT,
	KTLSO_ROLE_SERVER,
};

enum ktlso_log_level {
	KTLSO_LOG_ERROR,
	KTLSO_LOG_WARNING,
	KTLSO_LOG_INFO,
	KTLSO_LOG_DEBUG,
};

/*
 * Peer authentication. A client always authenticates the server unless
 * told KTLSO_PEER_AUTH_NONE (then the server's CertificateVerify is still
 * checked against its leaf, but the chain and name are not). A server
 * asks for no client certificate by default, requests one with OPTIONAL
 * (a client may send none) and demands one with REQUIRE.
 */
enum ktlso_peer_auth {
	KTLSO_PEER_AUTH_DEFAULT,	/* client: REQUIRE; server: NONE */
	KTLSO_PEER_AUTH_NONE,
	KTLSO_PEER_AUTH_OPTIONAL,
	KTLSO_PEER_AUTH_REQUIRE,
};

/* TLS 1.2: a peer without the extended master secret (RFC 7627). */
enum ktlso_ems {
	KTLSO_EMS_REQUIRED,		/* refused: handshake_failure */
	KTLSO_EMS_PREFERRED,		/* accepted, logged as a warning */
};

/*
 * Session resumption, TLS 1.3 (RFC 8446 2.2, 4.2.11, 4.6.1), and TLS 1.2
 * (RFC 5077 tickets, RFC 7627 5.3); the TLS 1.2 differences are at the
 * end.
 *
 * Server: with ticket_keys set, a handshake whose client offers
 * psk_dhe_ke ends with n_tickets NewSessionTickets, sent under the
 * application keys before the handshake call returns (the sequence
 * numbers ktlso_session_result() reports count them). Each ticket is the
 * session's state sealed under the current ticket key (ticket.h) and
 * bound to ticket_context: no state stays on the server. A ClientHello
 * offering such a ticket resumes, with a fresh (EC)DHE exchange
 * (psk_dhe_ke only, for forward secrecy) and no certificates, when all of
 * these hold; otherwise the ticket is ignored and the handshake is a full
 * one:
 *  - the ticket opens under one of the keys and the same context;
 *  - it has not outlived its lifetime, and the client's idea of its age
 *    (obfuscated_ticket_age) is within ticket_age_tolerance_ms of ours;
 *  - the suite chosen has the ticket's hash; the SNI and the ALPN
 *    protocol chosen are the ticket's; a server that requires a client
 *    certificate resumes only a session whose client had one;
 *  - the full handshake its chain of resumptions began with is less
 *    than ticket_lifetime old (tickets issued on a resumed session end
 *    where the first one did): an authentication is never carried
 *    further.
 * The binder of the ticket chosen is verified in constant time; a wrong
 * one is decrypt_error (RFC 8446 4.2.11.2). Early data is never accepted:
 * a client that sends it gets a 1-RTT handshake, its early records
 * skipped (RFC 8446 4.2.10), up to KTLSO_EARLY_DATA_SKIP_MAX bytes.
 *
 * Client: a resumable session is a struct ktlso_client_ticket, made from
 * each NewSessionTicket the server sends (ktlso_session_read() hands it to
 * the ticket callback; after a hand-off, ktlso_resumption_tickets() below
 * makes the same tickets). Set resume to one to offer it in the next
 * handshake with the same server: ktlso_session_result().resumed then
 * says whether the server took it; a server that declines gets a full
 * handshake. A ticket is only offered when its server_name is the
 * config's, it has not expired, one of our suites has its hash, (for a
 * verifying client) the server was verified in the full handshake, and
 * that full handshake, the one with a certificate its chain of
 * resumptions began with (auth_ms: tickets received on a resumed session
 * keep the offered ticket's), is less than seven days
 * (KTLSO_TICKET_LIFETIME_MAX) old: however long a server keeps issuing
 * tickets, it shows its certificate again at least that often (RFC 8446
 * 4.6.1). The caller keys its cache by server, ALPN and profile.
 *
 * TLS 1.2: a server with ticket_keys and n_tickets > 0 answers a
 * ClientHello's session_ticket extension (when the extended master
 * secret is used: RFC 7627 5.3) with one NewSessionTicket before its
 * ChangeCipherSpec, in full and abbreviated handshakes alike; its ticket
 * holds the master secret. A ticket resumes (RFC 5077 3.1, the server's
 * Finished first, no certificates, no key exchange) on the checks above
 * but the hash and age ones, and when the ClientHello offers the
 * session's suite and the extended master secret; otherwise the
 * handshake is a full one. A client offers a TLS 1.2 resume ticket (with
 * a session id, which the server echoes when it resumes) on the same
 * checks, its suite in place of its hash; it gets each new ticket, once
 * the server's Finished verifies, through the ticket callback before
 * ktlso_session_handshake() returns; a server that announces one and
 * sends its ChangeCipherSpec without it gets unexpected_message. A resumed
 * TLS 1.2 session reports no group and no signature scheme (0): none was
 * used. No TLS 1.2 ticket is ever taken as a TLS 1.3 PSK, or the
 * reverse.
 */
#define KTLSO_CLIENT_TICKET_MAX 4096	/* longer tickets are not kept */
#define KTLSO_TICKETS_MAX 16		/* n_tickets */
#define KTLSO_EARLY_DATA_SKIP_MAX (16 * 16384)

struct ktlso_client_ticket {
	uint16_t version;		/* of the session it resumes */
	uint16_t suite;			/* of the session it resumes */
	uint8_t psk[KTLSO_MAX_HASH_LEN];	/* RFC 8446 4.6.1's PSK; TLS
						 * 1.2: the master secret */
	uint8_t psk_len;
	uint32_t age_add;		/* TLS 1.3 */
	uint32_t lifetime;		/* seconds, as the server said (TLS
					 * 1.2: 7200 when it says nothing) */
	uint64_t received_ms;		/* CLOCK_REALTIME, milliseconds */
	uint64_t auth_ms;		/* the same clock: the full handshake,
					 * with a certificate, its chain of
					 * resumptions began with; at most
					 * received_ms */
	char server_name[256];		/* the config's; "" when none */
	char alpn[256];			/* the session's; "" when none */
	bool peer_verified;		/* as in the full handshake */
	char peer_identity[256];
	uint16_t ticket_len;
	uint8_t ticket[KTLSO_CLIENT_TICKET_MAX];
};

/* Wipe a client ticket (it holds a PSK). */
void ktlso_client_ticket_clear(struct ktlso_client_ticket *t);

/*
 * A client ticket as bytes, for a file or a cache outside the process,
 * and back. The encoding is ktlso's own and versioned; it holds the PSK.
 * Return: 0; -KTLSO_ERROR_NO_SPACE; decode: -KTLSO_ALERT_DECODE_ERROR for
 * bytes that are not an encoded ticket.
 */
int ktlso_client_ticket_encode(const struct ktlso_client_ticket *t,
			       uint8_t *out, size_t cap, size_t *len);
int ktlso_client_ticket_decode(struct ktlso_client_ticket *t,
			       const uint8_t *in, size_t len);

/*
 * A TLS 1.3 client's tickets after the hand-off. Once a session's records
 * are protected elsewhere (ktlsod hands its keys to the kernel), the
 * NewSessionTickets the server sends later never pass through
 * ktlso_session_read(): ktlso_session_resumption() takes out of the
 * session what turns them into client tickets, and
 * ktlso_resumption_tickets() does the turning, wherever the messages
 * come from. The struct holds the resumption master secret: wipe it with
 * ktlso_resumption_clear() once no more tickets can come.
 */
struct ktlso_session;			/* below */

struct ktlso_resumption {
	uint16_t suite;			/* the session's */
	uint8_t secret[KTLSO_MAX_HASH_LEN];	/* resumption_master_secret */
	uint8_t secret_len;
	uint64_t auth_ms;		/* this and the rest: as in struct
					 * ktlso_client_ticket */
	char server_name[256];
	char alpn[256];
	bool peer_verified;
	char peer_identity[256];
};

/**
 * ktlso_session_resumption() - what the session's later tickets need
 * @s: a TLS 1.3 client session whose handshake is complete, with a ticket
 *	callback configured (the secret is kept only then)
 * @r: filled in
 *
 * No other session has the secret: not a server, not a TLS 1.2 session
 * (its ticket comes within the handshake), not a client without a ticket
 * callback, not one whose handshake is incomplete or that failed.
 *
 * Return: 0, or -KTLSO_ERROR_STATE for any other session (@r zeroed).
 */
int ktlso_session_resumption(const struct ktlso_session *s,
			     struct ktlso_resumption *r);

/* Wipe a struct ktlso_resumption (it holds the secret): all zero after. */
void ktlso_resumption_clear(struct ktlso_resumption *r);

/**
 * ktlso_resumption_tickets() - NewSessionTickets into client tickets
 * @r: from ktlso_session_resumption()
 * @msgs: whole handshake messages, headers included, each of them a
 *	NewSessionTicket (a TLS 1.3 record's plaintext, say)
 * @len: their length
 * @now_ms: CLOCK_REALTIME in milliseconds: the tickets' received_ms
 * @max: the most tickets to keep (a bound on the work a server can cause:
 *	each ticket kept costs an HKDF); over INT_MAX counts as INT_MAX
 * @cb: called with each ticket kept; it copies what it keeps (the ticket
 *	is wiped after the call)
 * @arg: for @cb
 *
 * Tickets are taken as ktlso_session_read() takes them (the same code
 * makes them): one with a zero lifetime, or longer than
 * KTLSO_CLIENT_TICKET_MAX, is not kept (nor counted against @max). The
 * messages are read in one pass, and the pass stops at the @max-th ticket
 * kept: the rest of @msgs is then not looked at, neither parsed nor
 * derived, so a fault in it is no error. Empty input (@len 0) and @max 0
 * return 0 without looking at @msgs (@r and @cb are checked first).
 *
 * Return: the tickets kept (at most @max), or a negative alert for a
 * message that is cut short, malformed (decode_error, illegal_parameter)
 * or not a NewSessionTicket (unexpected_message), the tickets before it
 * handed to @cb already; -KTLSO_ERROR_INVALID_ARGUMENT for an @r that is
 * not of a TLS 1.3 suite (a zeroed one) or no @cb.
 */
int ktlso_resumption_tickets(const struct ktlso_resumption *r,
			     const uint8_t *msgs, size_t len, uint64_t now_ms,
			     unsigned int max,
			     void (*cb)(void *arg,
					const struct ktlso_client_ticket *t),
			     void *arg);

struct ktlso_ticket_keys;		/* ticket.h */

#define KTLSO_CONFIG_MAX_LIST 16	/* suites, groups, schemes */
#define KTLSO_CONFIG_MAX_ALPN 8
#define KTLSO_ALPN_NAME_MAX 255

/*
 * Test-only hooks: never set outside tests. They let a test make the
 * engine deterministic (RFC 8448 traces) or make it misbehave on purpose
 * (negative tests of the peer).
 */
struct ktlso_test_hooks {
	void *arg;
	/* Fill @out instead of RAND_bytes(): randoms and session ids. */
	int (*random)(void *arg, uint8_t *out, size_t len);
	/* Make the ephemeral key of @group instead of ktlso_kex_generate(). */
	int (*kex_generate)(void *arg, struct ktlso_kex *kx, uint16_t group);
	/* Edit a ClientHello just before it is written. */
	void (*client_hello)(void *arg, struct ktlso_client_hello *ch);
	/*
	 * Rewrite an outgoing handshake message, header included, before
	 * the transcript sees it: *@len may change (up to @cap); 0 drops
	 * the message. Return 0 or an engine error.
	 */
	int (*message_out)(void *arg, bool server, uint8_t *msg, size_t *len,
			   size_t cap);
	/* Server: accept only a group the client sent no key share for. */
	bool force_hrr;
	/* Server: a cookie to put in the HelloRetryRequest. */
	const uint8_t *hrr_cookie;
	size_t hrr_cookie_len;
	/* Largest handshake record payload sent (0: 2^14). */
	size_t hs_fragment;
	/* The wall clock in milliseconds, for tickets (CLOCK_REALTIME). */
	uint64_t (*now_ms)(void *arg);
};

/*
 * What a session negotiates with. Initialise with ktlso_config_init(),
 * then change fields or use the ktlso_config_set_*() parsers. The
 * credentials and trust store are borrowed; the config and everything it
 * points to must outlive the sessions made from it, unchanged.
 */
struct ktlso_config {
	uint16_t min_version;		/* KTLSO_TLS12_VERSION .. */
	uint16_t max_version;		/* .. KTLSO_TLS13_VERSION */
	/* Preference lists, most preferred first. */
	uint16_t suites[KTLSO_CONFIG_MAX_LIST];
	size_t n_suites;
	uint16_t groups[KTLSO_CONFIG_MAX_LIST];
	size_t n_groups;
	uint16_t sigschemes[KTLSO_CONFIG_MAX_LIST];
	size_t n_sigschemes;
	/* Client: key shares sent in the first ClientHello (first groups). */
	size_t n_key_shares;
	/* Server: chosen by SNI; client: for client authentication. */
	const struct ktlso_cred *creds;
	size_t n_creds;
	const struct ktlso_trust *trust;
	enum ktlso_peer_auth peer_auth;
	time_t verify_time;		/* 0: the current time */
	/*
	 * What a verified peer chain must meet (pki.h): RSA keys of at
	 * least 2048 bits, no SHA-1 (nor MD5) signatures, by default.
	 */
	struct ktlso_verify_policy peer_policy;
	/*
	 * Client: the server's name, verified against the certificate's
	 * DNS SANs, or an IPv4/IPv6 literal, verified against its IP SANs;
	 * sent as SNI unless an address (RFC 6066 3).
	 */
	const char *server_name;
	/*
	 * Client, verifying the server: a server_name is required (true, the
	 * default: ktlso_session_new() refuses a config without one, since
	 * any certificate the trust store vouches for would otherwise do).
	 * False accepts a config without one, knowingly; a name given is
	 * still verified.
	 */
	bool verify_name;
	/* ALPN protocols, most preferred first. */
	char alpn[KTLSO_CONFIG_MAX_ALPN][KTLSO_ALPN_NAME_MAX + 1];
	size_t n_alpn;
	/* RFC 8446 appendix D.4; on by default. */
	bool middlebox_compat;
	/* TLS 1.2 peers without the extended master secret; REQUIRED. */
	enum ktlso_ems ems;
	/* Longest handshake message accepted (default 65536). */
	size_t max_handshake_message;
	/* Server: resumption (above); NULL: no tickets issued or taken. */
	struct ktlso_ticket_keys *ticket_keys;
	unsigned int n_tickets;		/* per full handshake; default 2,
					 * at most KTLSO_TICKETS_MAX */
	uint32_t ticket_lifetime;	/* seconds, 1 to 604800; default 7200 */
	uint32_t ticket_age_tolerance_ms;	/* default 10000 */
	/* What tickets are bound to (the profile's name); "" by default. */
	const char *ticket_context;
	/* Client: a ticket to offer (borrowed), or NULL. */
	const struct ktlso_client_ticket *resume;
	/* Client: called with each ticket received; it copies what it keeps. */
	void (*ticket)(void *arg, const struct ktlso_client_ticket *t);
	void *ticket_arg;
	void (*log)(void *arg, enum ktlso_log_level level, const char *msg);
	void *log_arg;
	struct ktlso_test_hooks test;
};

/**
 * ktlso_config_init() - the safe defaults
 * @cfg: the config to fill
 *
 * TLS 1.2 to TLS 1.3 (TLS 1.3 preferred; TLS 1.2 as restricted above);
 * the four TLS 1.3 suites with TLS_AES_128_GCM_SHA256 first, then the
 * seven TLS 1.2 ECDHE AEAD suites (ECDSA before RSA: AES-128-GCM,
 * AES-256-GCM, ChaCha20-Poly1305, then ECDHE_ECDSA AES-128-CCM); x25519,
 * secp256r1, secp384r1 with one key share (x25519); ECDSA, Ed25519,
 * RSA-PSS and RSA PKCS#1 schemes (PKCS#1 for certificate chains in TLS
 * 1.3, for signatures too in TLS 1.2); middlebox compatibility mode; peer
 * authentication as KTLSO_PEER_AUTH_DEFAULT says, a verifying client
 * with a server_name only (verify_name), peer chains with RSA keys of
 * KTLSO_PEER_MIN_RSA_BITS or more and no SHA-1 signatures; the extended
 * master secret required. The engine implements no SHA-1 signature
 * scheme: a peer's CertificateVerify or ServerKeyExchange naming one is
 * never accepted (illegal_parameter: not offered). Set min_version to
 * KTLSO_TLS13_VERSION (or ktlso_config_set_versions(cfg, "1.3", "1.3"))
 * for TLS 1.3 only.
 */
void ktlso_config_init(struct ktlso_config *cfg);

/*
 * Parsers for configuration strings. Lists are separated by ':' (',' for
 * ALPN, whose names may hold ':'). Names: suites by IANA name
 * ("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; a
 * list may mix both versions' suites, each version uses its own), groups
 * as ktlso_group_from_name() reads them,
 * schemes by IANA name, versions as "1.2" / "1.3". On failure the config is
 * unchanged and -KTLSO_ERROR_INVALID_ARGUMENT is returned.
 */
int ktlso_config_set_suites(struct ktlso_config *cfg, const char *list);
int ktlso_config_set_groups(struct ktlso_config *cfg, const char *list);
int ktlso_config_set_sigschemes(struct ktlso_config *cfg, const char *list);
int ktlso_config_set_alpn(struct ktlso_config *cfg, const char *list);
int ktlso_config_set_versions(struct ktlso_config *cfg, const char *min,
			      const char *max);
/* "required" or "preferred" (see enum ktlso_ems). */
int ktlso_config_set_ems(struct ktlso_config *cfg, const char *policy);

/* The IANA name of a suite the engine implements; NULL otherwise. */
const char *ktlso_suite_name(uint16_t id);

/* "TLS 1.2" or "TLS 1.3" for a version the engine speaks; else "unknown". */
const char *ktlso_tls_version_name(uint16_t version);

struct ktlso_io {
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	ssize_t (*write)(void *ctx, const void *buf, size_t len);
	void *ctx;
};

struct ktlso_session;

/**
 * ktlso_session_new() - a session for one connection
 * @sp: set to the new session
 * @cfg: the configuration (borrowed, see struct ktlso_config)
 * @role: client or server
 * @io: the transport (copied)
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT for a config the role cannot
 * use (logged: a server without credentials, verification without a trust
 * store, a verifying client without a server_name while verify_name is
 * set, an empty list, no suite of a version in [min_version,
 * max_version]...), or -KTLSO_ERROR_NO_MEMORY.
 */
int ktlso_session_new(struct ktlso_session **sp,
		      const struct ktlso_config *cfg, enum ktlso_role role,
		      const struct ktlso_io *io);

/**
 * ktlso_session_handshake() - run the handshake as far as the transport
 * allows
 * @s: the session
 *
 * Return: 0 once the handshake is complete (and on every later call),
 * KTLSO_WANT_READ or KTLSO_WANT_WRITE to be called again, or a negative
 * error (the same one on every later call).
 */
int ktlso_session_handshake(struct ktlso_session *s);

/* What a completed handshake yields. Wipe with ktlso_session_result_clear(). */
struct ktlso_session_result {
	uint16_t version;
	uint16_t suite;
	uint16_t group;
	/* The server's CertificateVerify (TLS 1.2: ServerKeyExchange). */
	uint16_t sig_scheme;
	uint16_t client_sig_scheme;	/* the client's; 0 when none */
	char alpn[KTLSO_ALPN_NAME_MAX + 1];	/* "" when none */
	char server_name[256];		/* SNI; "" when none */
	bool peer_verified;		/* chain checked against trust */
	char peer_identity[256];	/* peer's subject; "" when none */
	/*
	 * A resumed session: no certificate was exchanged; peer_verified
	 * and peer_identity are the full handshake's, the peer's
	 * certificate is not known (ktlso_session_peer_cert() has none).
	 */
	bool resumed;
	/* Kernel TLS_TX / TLS_RX arguments, with the next sequence numbers. */
	union ktlso_crypto_info tx, rx;
	size_t tx_len, rx_len;
	uint64_t tx_seq, rx_seq;
	/* TLS 1.3: the current application traffic secrets (TLS 1.2: none). */
	uint8_t tx_secret[KTLSO_MAX_HASH_LEN];
	uint8_t rx_secret[KTLSO_MAX_HASH_LEN];
	size_t secret_len;
};

/**
 * ktlso_session_result() - the negotiated parameters and current keys
 * @s: a session whose handshake is complete
 * @res: filled; holds secrets
 *
 * Return: 0, or -KTLSO_ERROR_STATE before the handshake is complete or
 * after a failure (@res is zeroed then).
 */
int ktlso_session_result(const struct ktlso_session *s,
			 struct ktlso_session_result *res);
void ktlso_session_result_clear(struct ktlso_session_result *res);

/**
 * ktlso_session_peer_cert() - the peer's leaf certificate, if verified
 * @s: the session
 * @der: set to its DER encoding, borrowed from @s (valid until
 *	ktlso_session_free()); NULL when there is none
 *
 * Return: its length; 0 before the handshake is complete, after a
 * failure, and when the peer's chain was not verified (a client with
 * peer_auth none, a server that asked for no certificate or got none).
 */
size_t ktlso_session_peer_cert(const struct ktlso_session *s,
			       const uint8_t **der);

/**
 * ktlso_session_alerts() - the alerts a session sent and received
 * @s: the session
 * @sent: set to the fatal alert description sent, or -1
 * @received: set to the alert description received, or -1
 */
void ktlso_session_alerts(const struct ktlso_session *s, int *sent,
			  int *received);

/**
 * ktlso_session_write() - send application data under the engine's keys
 * @s: a session whose handshake is complete
 * @buf: the data
 * @len: its length (records of at most 2^14 bytes are made)
 * @written: set to the bytes accepted
 *
 * Accepted bytes are sealed and queued; KTLSO_WANT_WRITE says some are not
 * on the transport yet (call ktlso_session_flush() or this again).
 *
 * Return: 0, KTLSO_WANT_WRITE, or a negative error.
 */
int ktlso_session_write(struct ktlso_session *s, const void *buf, size_t len,
			size_t *written);

/* Write what is queued. Return: 0, KTLSO_WANT_WRITE or a negative error. */
int ktlso_session_flush(struct ktlso_session *s);

/**
 * ktlso_session_read() - receive application data
 * @s: a session whose handshake is complete
 * @buf: where the data goes
 * @cap: its capacity
 * @got: set to the bytes read; 0 with a 0 return: the peer sent
 *	close_notify
 *
 * Post-handshake messages are handled on the way. TLS 1.3: a client hands
 * each NewSessionTicket to the config's ticket callback as a struct
 * ktlso_client_ticket (or drops it, parsed, without one); KeyUpdate updates the receiving keys
 * and, when the peer asks, is answered with a KeyUpdate of ours (queued
 * output is written as far as the transport takes it; the rest goes with
 * the next write or ktlso_session_flush()). TLS 1.2: a HelloRequest (to a
 * client) or a ClientHello (to a server) is answered with a warning
 * no_renegotiation alert, queued the same way. Anything else after the
 * handshake (a CertificateRequest, a change_cipher_spec, a TLS 1.2
 * NewSessionTicket) is unexpected_message.
 *
 * Return: 0, KTLSO_WANT_READ, or a negative error (a fatal alert sent or
 * received).
 */
int ktlso_session_read(struct ktlso_session *s, void *buf, size_t cap,
		       size_t *got);

/**
 * ktlso_session_key_update() - update our sending keys (RFC 8446 4.6.3)
 * @s: a TLS 1.3 session whose handshake is complete
 * @request_peer: ask the peer to update its sending keys too
 *
 * Return: 0, KTLSO_WANT_WRITE, or a negative error.
 */
int ktlso_session_key_update(struct ktlso_session *s, bool request_peer);

/**
 * ktlso_session_close() - send close_notify
 * @s: the session
 *
 * Return: 0, KTLSO_WANT_WRITE, or a negative error.
 */
int ktlso_session_close(struct ktlso_session *s);

/* Free a session, wiping every secret it holds; NULL is a no-op. */
void ktlso_session_free(struct ktlso_session *s);

/* A short name for any value the functions above return. */
const char *ktlso_session_strerror(int err);

#endif /* KTLSO_ENGINE_ENGINE_H */
