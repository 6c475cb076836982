// SPDX-License-Identifier: GPL-2.0
/*
 * The handshakes in flight over the event loop. See runner.h.
 */
#include <errno.h>
#include <string.h>

#include <sys/epoll.h>

#include "daemon/runner.h"

void kd_runner_init(struct kd_runner *r, struct kd_loop *loop,
		    kd_done_fn done, void *arg)
{
	memset(r, 0, sizeof(*r));
	kd_list_init(&r->hs);
	r->loop = loop;
	r->done = done;
	r->arg = arg;
}

static void unlink_hs(struct kd_runner *r, struct kd_hs *h)
{
	kd_list_del(&h->link);
	h->runner = NULL;
	r->n--;
}

/* @h is over: out of the loop and the list, to the owner. */
static void finish(struct kd_runner *r, struct kd_hs *h)
{
	kd_loop_del(r->loop, &h->watch);
	unlink_hs(r, h);
	r->done(r->arg, h);
}

/* Watch for what the engine waits for, or finish. */
static void rearm(struct kd_runner *r, struct kd_hs *h)
{
	uint32_t ev;
	int ret;

	if (!h->want) {
		finish(r, h);
		return;
	}
	ev = h->want == KTLSO_WANT_WRITE ? EPOLLOUT : EPOLLIN;
	ret = kd_loop_set(r->loop, &h->watch, ev);
	if (ret) {
		kd_hs_fail(h, ECONNABORTED, "cannot watch the socket");
		finish(r, h);
	}
}

static void on_ready(struct kd_watch *w, uint32_t revents)
{
	struct kd_hs *h = container_of(w, struct kd_hs, watch);
	struct kd_runner *r = h->runner;

	(void)revents;	/* errors and hangups surface through the step */
	kd_hs_step(h);
	rearm(r, h);
}

void kd_runner_add(struct kd_runner *r, struct kd_hs *h)
{
	h->runner = r;
	kd_list_add_tail(&h->link, &r->hs);
	r->n++;
	h->watch.fd = h->fd;
	h->watch.events = 0;
	h->watch.cb = on_ready;
	kd_hs_step(h);
	rearm(r, h);
}

int kd_runner_timeout(const struct kd_runner *r, uint64_t now_ms)
{
	const struct kd_list *l;
	uint64_t first = UINT64_MAX;

	for (l = r->hs.next; l != &r->hs; l = l->next) {
		const struct kd_hs *h = container_of(l, struct kd_hs, link);

		if (h->deadline_ms < first)
			first = h->deadline_ms;
	}
	if (first == UINT64_MAX)
		return -1;
	if (first <= now_ms)
		return 0;
	if (first - now_ms > INT32_MAX)
		return INT32_MAX;
	return (int)(first - now_ms);
}

void kd_runner_expire(struct kd_runner *r, uint64_t now_ms)
{
	struct kd_list *l, *tmp;

	kd_list_for_each_safe(l, tmp, &r->hs) {
		struct kd_hs *h = container_of(l, struct kd_hs, link);

		if (h->deadline_ms > now_ms)
			continue;
		kd_hs_fail(h, ETIMEDOUT, "timed out");
		finish(r, h);
	}
}

void kd_runner_abort(struct kd_runner *r, int status, const char *reason)
{
	struct kd_hs *h;

	while ((h = kd_list_first_entry(&r->hs, struct kd_hs, link))) {
		kd_hs_fail(h, status, reason);
		finish(r, h);
	}
}
