/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshakes in flight: each one's socket watched in the event loop,
 * stepped when it is ready, failed with ETIMEDOUT at its deadline, and
 * handed to the owner once over. One slow or silent peer holds up nobody:
 * no call ever blocks on a socket.
 *
 *	kd_runner_init(&r, &loop, on_done, arg);
 *	kd_runner_add(&r, h);			(h from kd_hs_new())
 *	for (;;) {
 *		kd_loop_wait(&loop, kd_runner_timeout(&r, kd_now_ms()));
 *		kd_runner_expire(&r, kd_now_ms());
 *	}
 *
 * on_done(arg, h) gets each handshake once it is over, no longer watched
 * nor listed: the callee reports h->out, closes h->fd and frees h.
 */
#ifndef KTLSOD_RUNNER_H
#define KTLSOD_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/hs.h"
#include "daemon/list.h"
#include "daemon/loop.h"

typedef void (*kd_done_fn)(void *arg, struct kd_hs *h);

struct kd_runner {
	struct kd_loop *loop;
	struct kd_list hs;		/* of kd_hs, by link */
	size_t n;			/* handshakes in flight */
	kd_done_fn done;
	void *arg;
};

void kd_runner_init(struct kd_runner *r, struct kd_loop *loop,
		    kd_done_fn done, void *arg);

/**
 * kd_runner_add() - take a new handshake
 * @r: the runner
 * @h: the handshake (owned by the runner until handed to done)
 *
 * Steps it once at once: a handshake already over (a bad request), or one
 * that fails to be watched, goes straight to done.
 */
void kd_runner_add(struct kd_runner *r, struct kd_hs *h);

/* Milliseconds until the nearest deadline (0 if passed); -1 for none. */
int kd_runner_timeout(const struct kd_runner *r, uint64_t now_ms);

/* Fail every handshake whose deadline has come with ETIMEDOUT. */
void kd_runner_expire(struct kd_runner *r, uint64_t now_ms);

/* Fail every handshake in flight with @status (shutting down). */
void kd_runner_abort(struct kd_runner *r, int status, const char *reason);

#endif /* KTLSOD_RUNNER_H */
