/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's session ticket keys: one key set (engine/ticket.h) for
 * every profile and worker, made at start and kept across reloads (a
 * reload does not end resumption), rotated on a timer every
 * "ticket_rotation" seconds; or, with "ticket_keys = redis://...", the
 * keys of a fleet, shared through Redis (tickets_redis.h), the timer
 * then idle. It keeps as many previous keys as the
 * longest "ticket_lifetime" of the configuration needs, so that a ticket
 * opens for its whole lifetime and no longer. Keys are random, never
 * logged, and wiped when retired.
 *
 *	kd_tickets_init(&t, &loop, conf);	(at start)
 *	kd_tickets_configure(&t, conf);		(each reload)
 *	... kd_hs_params.ticket_keys = t.keys ...
 *	kd_tickets_fini(&t);			(after the workers stopped)
 */
#ifndef KTLSOD_TICKETS_H
#define KTLSOD_TICKETS_H

#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/loop.h"
#include "daemon/tickets_redis.h"
#include "engine/ticket.h"

struct kd_tickets {
	struct ktlso_ticket_keys *keys;
	struct kd_watch timer;		/* a timerfd, every rotation_s */
	struct kd_loop *loop;
	unsigned int rotation_s;	/* the timer's; 0: idle */
	unsigned int keep;
	uint64_t rotations;
	struct kd_tickets_redis redis;	/* when conf->redis.on */
};

/* The previous keys @c needs: ceil(longest lifetime / rotation), capped. */
unsigned int kd_tickets_keep(const struct kd_config *c);

/**
 * kd_tickets_init() - the first key, and the rotation timer
 * @t: the daemon's tickets
 * @loop: the loop the timer runs in
 * @c: the configuration
 *
 * Return: 0 or -errno (logged).
 */
int kd_tickets_init(struct kd_tickets *t, struct kd_loop *loop,
		    const struct kd_config *c);

/*
 * A reloaded configuration: the period and the keys kept may change. A
 * no-op before kd_tickets_init().
 */
void kd_tickets_configure(struct kd_tickets *t, const struct kd_config *c);

/* Make a new key current now (the timer calls this). */
void kd_tickets_rotate(struct kd_tickets *t);

/* Stop the timer and Redis, wipe every key. No handshake may use them. */
void kd_tickets_fini(struct kd_tickets *t);

#endif /* KTLSOD_TICKETS_H */
