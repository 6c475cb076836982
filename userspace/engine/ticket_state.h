/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a server's ticket holds, for both versions: the session state it
 * seals under the current ticket key (ticket.h), bound to the config's
 * ticket_context, and opens again when a client offers the ticket. TLS
 * 1.3 keeps the ticket's own PSK in it (tls13_ticket.c), TLS 1.2 the
 * session's master secret (tls12_ticket.c); the version in the state
 * keeps one version's ticket from ever being taken by the other. Not part
 * of the API; engine.h is.
 */
#ifndef KTLSO_ENGINE_TICKET_STATE_H
#define KTLSO_ENGINE_TICKET_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/session_int.h"

struct ktlso_ticket_state {
	uint16_t version;
	uint16_t suite;
	uint64_t issued_ms;			/* CLOCK_REALTIME */
	uint64_t auth_ms;			/* of the full handshake */
	uint32_t lifetime;			/* seconds */
	uint32_t age_add;			/* TLS 1.3 only */
	uint8_t psk[KTLSO_MAX_HASH_LEN];	/* or the TLS 1.2 master */
	size_t psk_len;
	char sni[256];
	char alpn[KTLSO_ALPN_NAME_MAX + 1];
	bool peer_verified;
	char peer_identity[256];
};

/* The longest sealed state: what a ticket of ours can be, at most. */
#define KTLSO_TICKET_STATE_MAX (1 + 2 + 2 + 8 + 8 + 4 + 4 + 1 + \
				KTLSO_MAX_HASH_LEN + 3 * 256 + 1)

/**
 * ktlso_ticket_state_init() - the state of the session @s, issued now
 * @s: a server session, connected or about to be
 * @st: filled with the session's version, suite, SNI, ALPN and client
 *	authentication, issued_ms, auth_ms and the lifetime left
 *	(ktlso_ticket_lifetime()); the caller adds the secret
 */
void ktlso_ticket_state_init(struct ktlso_session *s,
			     struct ktlso_ticket_state *st);

/*
 * The lifetime of a ticket issued at @now: cfg->ticket_lifetime, cut to
 * what is left of s->auth_ms's; 0: none left, issue no ticket.
 */
uint32_t ktlso_ticket_lifetime(const struct ktlso_session *s, uint64_t now);

/**
 * ktlso_ticket_state_seal() - seal @st under the current ticket key
 * @s: the session (its config's ticket_keys and ticket_context)
 * @st: the state
 * @out: room for KTLSO_TICKET_STATE_MAX + KTLSO_TICKET_OVERHEAD bytes
 * @cap: its size
 * @len: set to the ticket's length
 *
 * Return: 0; 1 when no key may seal (issue no ticket); or an error.
 */
int ktlso_ticket_state_seal(struct ktlso_session *s,
			    const struct ktlso_ticket_state *st, uint8_t *out,
			    size_t cap, size_t *len);

/**
 * ktlso_ticket_state_open() - open a ticket a client offers
 * @s: the session (its config's ticket_keys and ticket_context)
 * @ticket: the ticket, @len bytes
 * @st: filled on success
 *
 * Return: 0 with @st filled; 1 for bytes that are not our ticket (not
 * logged: any client may offer anything); or an engine error.
 */
int ktlso_ticket_state_open(struct ktlso_session *s, const uint8_t *ticket,
			    size_t len, struct ktlso_ticket_state *st);

/**
 * ktlso_ticket_state_fits() - the checks both versions make of a ticket
 * @s: the server session, its SNI and ALPN chosen
 * @st: an opened ticket
 * @version: the version being negotiated; a ticket of the other is
 *	refused
 * @now: ktlso_now_ms()
 *
 * Return: NULL when it may resume here (as far as these checks go), else
 * why not, for the log: of another version, issued in the future,
 * expired, of an authentication older than ticket_lifetime, for another
 * server name or ALPN protocol, of a client without a certificate where
 * one is required.
 */
const char *ktlso_ticket_state_fits(const struct ktlso_session *s,
				    const struct ktlso_ticket_state *st,
				    uint16_t version, uint64_t now);

#endif /* KTLSO_ENGINE_TICKET_STATE_H */
