/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handshakes on N threads. Each worker is an event loop with its own
 * runner (runner.h); the main thread hands it new handshakes and gets them
 * back once they are over:
 *
 *	kd_workers_start(&ws, n, on_done, arg);
 *	watch kd_workers_done_fd(&ws) in the main loop; when readable:
 *		kd_workers_collect(&ws);	(on_done(arg, h) for each)
 *	kd_workers_submit(&ws, h);		(h from kd_hs_new())
 *	...
 *	kd_workers_stop(&ws, ECONNABORTED, "stopping");	(on_done for all)
 *
 * A new handshake goes to the worker with the fewest in flight, so a
 * worker never idles while another holds a backlog, and as in the runner
 * no call blocks on a socket: a slow or silent peer delays nobody.
 *
 * Who touches what:
 * - the main thread: kd_hs_new() and the done callback (so kd_hs_free(),
 *   the kd_config references and every counter), netlink, and swapping in
 *   what a reload loaded (reload.h: the load is on a thread of its own);
 * - a worker: the handshakes it was given, from submit until it queues
 *   them back (their engine sessions, sockets, deadlines), and read-only
 *   their configuration (OpenSSL keys and X509_STOREs, which OpenSSL
 *   allows to be used by many threads at once);
 * - shared: the queues (a mutex each, the hand-over points), the load
 *   counters (atomics), the log (log.h: thread-safe).
 */
#ifndef KTLSOD_WORKERS_H
#define KTLSOD_WORKERS_H

#include <pthread.h>
#include <stddef.h>

#include "daemon/hs.h"
#include "daemon/runner.h"

struct kd_worker;

struct kd_workers {
	struct kd_worker *w;
	size_t n;
	size_t next;			/* where the least-loaded search starts */
	int done_fd;			/* eventfd: handshakes to collect */
	pthread_mutex_t lock;		/* the done queue */
	struct kd_hs *done_head, *done_tail;
	size_t in_flight;		/* main thread: submitted, not collected */
	kd_done_fn done;
	void *arg;
};

/**
 * kd_workers_default() - how many workers to run when not configured
 *
 * Return: the CPUs this process may run on (its affinity mask), at least
 * 1 and at most KD_WORKERS_MAX.
 */
size_t kd_workers_default(void);

/**
 * kd_workers_start() - start @n worker threads
 * @ws: the pool
 * @n: 1 to KD_WORKERS_MAX
 * @done: called on the main thread, from kd_workers_collect() and
 *	kd_workers_stop(), with each handshake that is over
 * @arg: for @done
 *
 * The threads block every signal: signals are the main thread's.
 *
 * Return: 0, or -errno (nothing left running then).
 */
int kd_workers_start(struct kd_workers *ws, size_t n, kd_done_fn done,
		     void *arg);

/* Hand @h to the least-loaded worker (it owns @h until @done gets it). */
void kd_workers_submit(struct kd_workers *ws, struct kd_hs *h);

/* The descriptor that is readable when handshakes wait to be collected. */
int kd_workers_done_fd(const struct kd_workers *ws);

/**
 * kd_workers_collect() - take back the handshakes that are over
 * @ws: the pool
 *
 * Return: how many were handed to @done.
 */
size_t kd_workers_collect(struct kd_workers *ws);

/**
 * kd_workers_load() - handshakes a worker holds
 * @ws: the pool
 * @i: the worker
 * @handled: set to how many it was given since the start, if not NULL
 *
 * Return: those given and not yet over.
 */
size_t kd_workers_load(const struct kd_workers *ws, size_t i,
		       size_t *handled);

/**
 * kd_workers_stop() - fail what is in flight and stop the threads
 * @ws: the pool
 * @status: the errno every handshake still running ends with
 * @reason: and the reason
 *
 * Returns once every thread has exited and @done has had every
 * handshake ever submitted.
 */
void kd_workers_stop(struct kd_workers *ws, int status, const char *reason);

#endif /* KTLSOD_WORKERS_H */
