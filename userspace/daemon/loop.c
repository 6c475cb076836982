// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop over epoll. See loop.h.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <sys/epoll.h>

#include "daemon/loop.h"

#define BATCH 64

int kd_loop_init(struct kd_loop *l)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void kd_loop_fini(struct kd_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int kd_loop_set(struct kd_loop *l, struct kd_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	int op = w->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (!events)
		return -EINVAL;
	if (w->events == events)
		return 0;
	if (epoll_ctl(l->epfd, op, w->fd, &ev))
		return -errno;
	w->events = events;
	return 0;
}

void kd_loop_del(struct kd_loop *l, struct kd_watch *w)
{
	if (!w->events)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->events = 0;
}

int kd_loop_wait(struct kd_loop *l, int timeout_ms)
{
	struct epoll_event ev[BATCH];
	int n, i;

	n = epoll_wait(l->epfd, ev, BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct kd_watch *w = ev[i].data.ptr;

		w->cb(w, ev[i].events);
	}
	return n;
}

static uint64_t clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t kd_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t kd_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}
