/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resumption for the connections ktlsod runs as a client, on the main
 * thread: the session cache (client_cache.h) the handshakes take their
 * offer from and put their TLS 1.2 tickets in (hs.c), and the TLS 1.3
 * connections whose tickets the kernel forwards after the hand-off
 * (client_conns.h).
 *
 *	kd_client_resume_init(&cr, conf->client_cache);	(0: off)
 *	params.client_cache = cr.cache;		(each client handshake)
 *	o.ticket_session = kd_client_resume_id(&cr, h);	(before HS_DONE)
 *	kd_client_resume_track(&cr, h, id);	(HS_DONE succeeded)
 *	kd_client_resume_tickets(&cr, &msg);	(the group "tickets")
 *	kd_client_resume_fini(&cr);		(logs what it did)
 *
 * A connection is tracked from its HS_DONE until the kernel says no more
 * tickets will come, or it has given KD_CLIENT_TICKETS_PER_KEY tickets
 * (all its cache key holds: the rest of that message is not looked at,
 * and its later messages, the kernel's TICKETS_END too, count as
 * unknown), or the table's bound pushes it out: its resumption secret is
 * wiped then. Nothing here blocks or waits: a ticket costs an HKDF and a
 * copy, and a connection at most KD_CLIENT_TICKETS_PER_KEY of them,
 * however many tickets its server packs into its records.
 */
#ifndef KTLSOD_CLIENT_RESUME_H
#define KTLSOD_CLIENT_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/client_cache.h"
#include "daemon/client_conns.h"
#include "daemon/genl.h"
#include "daemon/hs.h"

struct kd_client_resume {
	struct kd_client_cache *cache;	/* NULL: clients never resume */
	struct kd_client_conns *conns;
	uint64_t kept;			/* TLS 1.3 tickets put in the cache */
	uint64_t unknown;		/* messages for no connection here */
	uint64_t malformed;		/* messages a server got wrong */
	uint64_t lost;			/* overruns of the tickets socket */
};

/**
 * kd_client_resume_init() - set up, with room for @max_tickets tickets
 * @cr: zeroed, or left off (cache NULL) when @max_tickets is 0
 * @max_tickets: "client_session_cache"; as many connections are tracked
 *
 * Return: 0, or -errno (nothing set up).
 */
int kd_client_resume_init(struct kd_client_resume *cr,
			  unsigned int max_tickets);

/* Log the counters, wipe and free everything. */
void kd_client_resume_fini(struct kd_client_resume *cr);

/**
 * kd_client_resume_id() - the ticket id to name in @h's HS_DONE
 * @cr: the state
 * @h: a handshake that is over
 * @kernel_tickets: the module sends tickets (the daemon listens)
 *
 * Return: a fresh random id for a successful TLS 1.3 client with what
 * its tickets need, 0 (none) otherwise.
 */
uint64_t kd_client_resume_id(const struct kd_client_resume *cr,
			     const struct kd_hs *h, bool kernel_tickets);

/*
 * @h's HS_DONE named @id (from kd_client_resume_id()) and succeeded: its
 * tickets may come now. A no-op when off or @h has no resumption.
 */
void kd_client_resume_track(struct kd_client_resume *cr, struct kd_hs *h,
			    uint64_t id);

/*
 * A message of the group "tickets": tickets into the cache (up to
 * KD_CLIENT_TICKETS_PER_KEY a connection, which then ends), or an end.
 */
void kd_client_resume_tickets(struct kd_client_resume *cr,
			      const struct kd_tickets_msg *m);

#endif /* KTLSOD_CLIENT_RESUME_H */
