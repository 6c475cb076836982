/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fleet's ticket keys, shared through Redis ("ticket_keys =
 * redis://HOST[:PORT]/PREFIX"), so that a ticket one ktlsod issues
 * resumes on any other.
 *
 * Time is cut into epochs of "ticket_rotation" seconds of the wall clock
 * (the fleet's clocks are assumed NTP-close). Epoch E's key is the Redis
 * string PREFIX:E, 48 bytes (a 16-byte key name, a 32-byte secret). Each
 * instance, at the start of each epoch, creates E's and E+1's keys if
 * nobody has yet (SET NX with an expiry: the first writer wins, and all
 * read the same), then reads E+1 down to E-keep in one MGET and installs
 * them: E's seals, the others open. E+1's key is known everywhere one
 * epoch before anyone seals with it, so a ticket sealed by an instance
 * whose clock runs a little ahead still opens on the others. The same
 * exchange is repeated every KD_REDIS_REFRESH_S within an epoch, so that
 * instances that disagree (Redis lost its keys and came back empty) agree
 * again within that time.
 *
 * Redis is never on a handshake's path: a thread of its own talks to it
 * (one-second timeouts), and handshakes use whatever keys are installed.
 * When Redis cannot be reached the installed keys stay (logged once per
 * outage, each failed attempt counted; retried every few seconds); at an
 * epoch boundary without Redis, a local key takes over sealing, so that
 * keys still rotate (tickets sealed with it resume only on this instance
 * until Redis is back). Keys are never logged.
 *
 *	kd_tickets_redis_start(&r, keys, conf);	(ticket_keys = redis://)
 *	kd_tickets_redis_configure(&r, conf);	(a reload: period, keep)
 *	kd_tickets_redis_stop(&r);		(joins the thread)
 */
#ifndef KTLSOD_TICKETS_REDIS_H
#define KTLSOD_TICKETS_REDIS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "engine/ticket.h"

/* Seconds between two attempts while Redis cannot be reached. */
#define KD_REDIS_RETRY_S 3
/* Seconds between two exchanges while it can, at most. */
#define KD_REDIS_REFRESH_S 30

struct kd_tickets_redis {
	struct ktlso_ticket_keys *keys;	/* the daemon's (borrowed) */
	struct kd_redis_conf conf;	/* a copy: the password wiped at stop */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;		/* what follows */
	pthread_cond_t wake;
	bool stop, kick;		/* kick: the settings changed */
	unsigned int rotation_s, keep;
	uint64_t syncs, failures;	/* attempts that worked, failed */
	int64_t epoch;			/* of the key sealing; -1: none yet */
	bool shared;			/* ... and it came from Redis */
};

/**
 * kd_tickets_redis_start() - start sharing @keys through Redis
 * @r: the state, zeroed by the call
 * @keys: the daemon's key set; it keeps sealing with what it holds until
 *	the first exchange with Redis
 * @conf: where (copied)
 * @rotation_s: "ticket_rotation", the length of an epoch
 * @keep: previous epochs' keys that still open (kd_tickets_keep())
 *
 * Return: 0 or -errno (logged).
 */
int kd_tickets_redis_start(struct kd_tickets_redis *r,
			   struct ktlso_ticket_keys *keys,
			   const struct kd_redis_conf *conf,
			   unsigned int rotation_s, unsigned int keep);

/* A reloaded configuration's period and keys kept (same Redis). */
void kd_tickets_redis_configure(struct kd_tickets_redis *r,
				unsigned int rotation_s, unsigned int keep);

/* Stop the thread, wait for it, wipe the password; a no-op when stopped. */
void kd_tickets_redis_stop(struct kd_tickets_redis *r);

#endif /* KTLSOD_TICKETS_REDIS_H */
