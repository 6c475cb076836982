/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop: one epoll instance, a callback per watched descriptor.
 *
 *	struct kd_loop loop;
 *	struct kd_watch w = { .fd = fd, .cb = on_ready };
 *
 *	kd_loop_init(&loop);
 *	kd_loop_set(&loop, &w, EPOLLIN);
 *	for (;;)
 *		kd_loop_wait(&loop, timeout_ms);	(calls on_ready)
 *
 * Level-triggered. A callback may add, change or remove any watch, but may
 * free only its own (the others may have events pending in the batch).
 * Remove a watch before closing its descriptor: a socket installed by
 * HS_ACCEPT shares its file with the application, so closing our
 * descriptor alone would leave the registration behind.
 */
#ifndef KTLSOD_LOOP_H
#define KTLSOD_LOOP_H

#include <stdint.h>

struct kd_watch {
	int fd;
	uint32_t events;	/* as registered; 0: not registered */
	void (*cb)(struct kd_watch *w, uint32_t revents);
};

struct kd_loop {
	int epfd;
};

/* Return: 0 or -errno. */
int kd_loop_init(struct kd_loop *l);
void kd_loop_fini(struct kd_loop *l);

/**
 * kd_loop_set() - watch @w->fd for @events (EPOLLIN, EPOLLOUT)
 * @l: the loop
 * @w: the watch (not copied: must stay put while registered)
 * @events: what to wait for (not 0); EPOLLERR and EPOLLHUP always come
 *
 * Return: 0 or -errno.
 */
int kd_loop_set(struct kd_loop *l, struct kd_watch *w, uint32_t events);

/* Stop watching; a no-op for a watch not registered. */
void kd_loop_del(struct kd_loop *l, struct kd_watch *w);

/**
 * kd_loop_wait() - wait for events and run their callbacks
 * @l: the loop
 * @timeout_ms: at most this long; -1: no limit
 *
 * Return: the number of callbacks run (0 on timeout or a signal), or
 * -errno.
 */
int kd_loop_wait(struct kd_loop *l, int timeout_ms);

/* CLOCK_MONOTONIC, in milliseconds. */
uint64_t kd_now_ms(void);

/* CLOCK_REALTIME, in milliseconds: the clock of tickets' ages. */
uint64_t kd_wall_ms(void);

#endif /* KTLSOD_LOOP_H */
