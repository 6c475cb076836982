// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the session tickets of a client whose handshake the daemon ran.
 *
 * A TLS 1.3 server sends its NewSessionTickets after the handshake, under
 * keys the kernel holds by then.  The application could do nothing with
 * them; the daemon, which keeps the session's resumption secret, can, if
 * it asked for them in HS_DONE (KTLSO_A_TICKET_SESSION).  The receive path
 * hands every record of whole tickets it comes to here (rx.c): it goes to
 * the multicast group "tickets" under the daemon's id, at most
 * KTLSO_TICKET_RECORDS_MAX records per connection, and the daemon hears
 * once that no more will come: after the last record the bound lets
 * through, or when the socket closes.  Whatever is not sent (no id, no
 * listener, the bound reached, no memory) is dropped and counted; no
 * ticket ever reaches the application.
 *
 * State: the id is the request's, written by HS_DONE before it publishes
 * the handshake as done and never changed after.  The count of records
 * sent and the end flag belong to the receive path, which runs under the
 * socket lock, and then to the socket's release, when no file refers to
 * the socket any more.
 */

#include <net/sock.h>

#include "ktlso.h"

/* The daemon's id for @hs's tickets, 0 when it takes none. */
static u64 ktlso_tickets_session(const struct ktlso_hs *hs)
{
	/* Acquire: pairs with HS_DONE's release of the state. */
	if (smp_load_acquire(&hs->state) != KTLSO_HS_DONE)
		return 0;
	return hs->ticket_session;
}

/**
 * ktlso_tickets_take() - a record of whole NewSessionTickets was opened
 * @sk: the socket, owned by the caller
 * @ctx: its context; the daemon ran its handshake as a TLS 1.3 client
 * @msgs: the record's plaintext: one or more whole NewSessionTickets
 * @len: its length, at most a record's
 *
 * Sends the record to the daemon, or drops it; either way it is consumed.
 */
void ktlso_tickets_take(struct sock *sk, struct ktlso_context *ctx,
			const u8 *msgs, size_t len)
{
	struct ktlso_hs *hs = ctx->hs;
	struct net *net = sock_net(sk);
	u64 id;

	sock_owned_by_me(sk);
	BUILD_BUG_ON(KTLSO_TICKET_RECORDS_MAX > U8_MAX);
	id = ktlso_tickets_session(hs);
	if (!id || hs->tickets_ended || ktlso_nl_tickets(net, id, msgs, len)) {
		ktlso_stats_add(net, KTLSO_MIB_RX_TICKETS_DROPPED, 1);
		return;
	}
	ktlso_stats_add(net, KTLSO_MIB_RX_TICKETS_FORWARDED, 1);
	if (++hs->ticket_records == KTLSO_TICKET_RECORDS_MAX)
		ktlso_tickets_end(sk, hs);
}

/**
 * ktlso_tickets_end() - tell the daemon that no more tickets will come
 * @sk: the socket, owned by the caller or no longer reachable by anyone
 * @hs: its handshake request
 *
 * Once per connection, and only if the daemon took its tickets.  A notice
 * that cannot be sent is not retried: the daemon bounds what it keeps.
 */
void ktlso_tickets_end(struct sock *sk, struct ktlso_hs *hs)
{
	u64 id = ktlso_tickets_session(hs);

	if (!id || hs->tickets_ended)
		return;
	hs->tickets_ended = true;
	ktlso_nl_tickets_end(sock_net(sk), id);
}
