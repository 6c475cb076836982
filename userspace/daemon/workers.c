// SPDX-License-Identifier: GPL-2.0
/*
 * Handshakes on worker threads. See workers.h.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "common/container_of.h"
#include "daemon/log.h"
#include "daemon/workers.h"

struct kd_worker {
	struct kd_workers *ws;
	size_t index;
	pthread_t thread;
	struct kd_loop loop;
	struct kd_runner runner;
	struct kd_watch inbox_watch;	/* an eventfd */
	pthread_mutex_t lock;		/* the inbox and the stop request */
	struct kd_hs *in_head, *in_tail;
	bool stop;
	int stop_status;
	const char *stop_reason;
	bool stopping;			/* the thread's own copy of stop */
	atomic_size_t load;		/* given, not yet queued back */
	atomic_size_t handled;		/* given since the start */
};

size_t kd_workers_default(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	if (n < 1)
		return 1;
	return n > KD_WORKERS_MAX ? KD_WORKERS_MAX : (size_t)n;
}

static void kick(int fd)
{
	uint64_t one = 1;

	/* Only EAGAIN can fail it (a counter near 2^64): already readable. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		kd_log(KD_LOG_ERROR, "eventfd: %s", strerror(errno));
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		;
}

static void queue_push(struct kd_hs **head, struct kd_hs **tail,
		       struct kd_hs *h)
{
	h->qnext = NULL;
	if (*tail)
		(*tail)->qnext = h;
	else
		*head = h;
	*tail = h;
}

/* --- a worker's thread ---------------------------------------------------- */

/* The runner's done: back to the main thread. */
static void worker_done(void *arg, struct kd_hs *h)
{
	struct kd_worker *w = arg;
	struct kd_workers *ws = w->ws;

	pthread_mutex_lock(&ws->lock);
	queue_push(&ws->done_head, &ws->done_tail, h);
	pthread_mutex_unlock(&ws->lock);
	atomic_fetch_sub(&w->load, 1);
	kick(ws->done_fd);
}

static void on_inbox(struct kd_watch *watch, uint32_t revents)
{
	struct kd_worker *w = container_of(watch, struct kd_worker,
					   inbox_watch);
	struct kd_hs *h, *next;
	const char *reason;
	int status;

	(void)revents;
	drain(watch->fd);
	pthread_mutex_lock(&w->lock);
	h = w->in_head;
	w->in_head = w->in_tail = NULL;
	w->stopping = w->stop;
	status = w->stop_status;
	reason = w->stop_reason;
	pthread_mutex_unlock(&w->lock);
	for (; h; h = next) {
		next = h->qnext;
		h->qnext = NULL;
		if (w->stopping) {
			/* Not started: nothing to undo, nothing to step. */
			if (h->want)
				kd_hs_fail(h, status, reason);
			worker_done(w, h);
			continue;
		}
		kd_runner_add(&w->runner, h);
	}
}

static void *worker_main(void *arg)
{
	struct kd_worker *w = arg;
	const char *reason;
	int ret;

	while (!w->stopping) {
		ret = kd_loop_wait(&w->loop,
				   kd_runner_timeout(&w->runner, kd_now_ms()));
		if (ret < 0) {
			kd_log(KD_LOG_ERROR, "worker %zu: epoll_wait: %s",
			       w->index, strerror(-ret));
			break;
		}
		kd_runner_expire(&w->runner, kd_now_ms());
	}
	/* An epoll failure stops one worker: what it holds goes back. */
	pthread_mutex_lock(&w->lock);
	ret = w->stop ? w->stop_status : ECONNABORTED;
	reason = w->stop ? w->stop_reason : "worker failed";
	pthread_mutex_unlock(&w->lock);
	kd_runner_abort(&w->runner, ret, reason);
	return NULL;
}

/* --- the pool, from the main thread --------------------------------------- */

static void worker_fini(struct kd_worker *w)
{
	kd_loop_del(&w->loop, &w->inbox_watch);
	if (w->inbox_watch.fd >= 0)
		close(w->inbox_watch.fd);
	kd_loop_fini(&w->loop);
	pthread_mutex_destroy(&w->lock);
}

static int worker_init(struct kd_workers *ws, struct kd_worker *w, size_t i)
{
	int ret;

	w->ws = ws;
	w->index = i;
	w->inbox_watch.fd = -1;
	atomic_init(&w->load, 0);
	atomic_init(&w->handled, 0);
	ret = pthread_mutex_init(&w->lock, NULL);
	if (ret)
		return -ret;
	ret = kd_loop_init(&w->loop);
	if (ret)
		goto fail;
	kd_runner_init(&w->runner, &w->loop, worker_done, w);
	w->inbox_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->inbox_watch.cb = on_inbox;
	if (w->inbox_watch.fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = kd_loop_set(&w->loop, &w->inbox_watch, EPOLLIN);
	if (ret)
		goto fail;
	return 0;
fail:
	worker_fini(w);
	return ret;
}

/* Ask @w to stop; its thread fails what it holds and exits. */
static void worker_stop(struct kd_worker *w, int status, const char *reason)
{
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	w->stop_status = status;
	w->stop_reason = reason;
	pthread_mutex_unlock(&w->lock);
	kick(w->inbox_watch.fd);
}

/* Stop and join the first @n workers (all of them started). */
static void workers_join(struct kd_workers *ws, size_t n, int status,
			 const char *reason)
{
	size_t i;

	for (i = 0; i < n; i++)
		worker_stop(&ws->w[i], status, reason);
	for (i = 0; i < n; i++) {
		pthread_join(ws->w[i].thread, NULL);
		/* What reached the inbox after the thread's last look. */
		on_inbox(&ws->w[i].inbox_watch, 0);
		worker_fini(&ws->w[i]);
	}
}

int kd_workers_start(struct kd_workers *ws, size_t n, kd_done_fn done,
		     void *arg)
{
	sigset_t all, old;
	size_t i;
	int ret;

	memset(ws, 0, sizeof(*ws));
	if (n < 1 || n > KD_WORKERS_MAX)
		return -EINVAL;
	ws->done = done;
	ws->arg = arg;
	ws->w = calloc(n, sizeof(*ws->w));
	if (!ws->w)
		return -ENOMEM;
	ret = pthread_mutex_init(&ws->lock, NULL);
	if (ret) {
		free(ws->w);
		return -ret;
	}
	ws->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ws->done_fd < 0) {
		ret = -errno;
		goto fail_lock;
	}
	/* Threads inherit the mask: signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < n; i++) {
		ret = worker_init(ws, &ws->w[i], i);
		if (ret)
			break;
		ret = -pthread_create(&ws->w[i].thread, NULL, worker_main,
				      &ws->w[i]);
		if (ret) {
			worker_fini(&ws->w[i]);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		workers_join(ws, i, ECONNABORTED, "no worker");
		close(ws->done_fd);
		goto fail_lock;
	}
	ws->n = n;
	return 0;
fail_lock:
	pthread_mutex_destroy(&ws->lock);
	free(ws->w);
	memset(ws, 0, sizeof(*ws));
	return ret;
}

void kd_workers_submit(struct kd_workers *ws, struct kd_hs *h)
{
	struct kd_worker *w = &ws->w[ws->next], *c;
	size_t i, least = atomic_load(&w->load), load;

	/* The least loaded, ties going round so that idle ones share. */
	for (i = 1; i < ws->n && least; i++) {
		c = &ws->w[(ws->next + i) % ws->n];
		load = atomic_load(&c->load);
		if (load < least) {
			least = load;
			w = c;
		}
	}
	ws->next = (w->index + 1) % ws->n;
	ws->in_flight++;
	atomic_fetch_add(&w->load, 1);
	atomic_fetch_add(&w->handled, 1);
	pthread_mutex_lock(&w->lock);
	queue_push(&w->in_head, &w->in_tail, h);
	pthread_mutex_unlock(&w->lock);
	kick(w->inbox_watch.fd);
}

int kd_workers_done_fd(const struct kd_workers *ws)
{
	return ws->done_fd;
}

size_t kd_workers_collect(struct kd_workers *ws)
{
	struct kd_hs *h, *next;
	size_t n = 0;

	drain(ws->done_fd);
	pthread_mutex_lock(&ws->lock);
	h = ws->done_head;
	ws->done_head = ws->done_tail = NULL;
	pthread_mutex_unlock(&ws->lock);
	for (; h; h = next) {
		next = h->qnext;
		h->qnext = NULL;
		ws->in_flight--;
		ws->done(ws->arg, h);
		n++;
	}
	return n;
}

size_t kd_workers_load(const struct kd_workers *ws, size_t i,
		       size_t *handled)
{
	struct kd_worker *w = &ws->w[i];

	if (handled)
		*handled = atomic_load(&w->handled);
	return atomic_load(&w->load);
}

void kd_workers_stop(struct kd_workers *ws, int status, const char *reason)
{
	if (!ws->w)
		return;
	workers_join(ws, ws->n, status, reason);
	kd_workers_collect(ws);
	close(ws->done_fd);
	pthread_mutex_destroy(&ws->lock);
	free(ws->w);
	memset(ws, 0, sizeof(*ws));
}
