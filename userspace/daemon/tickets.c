// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's ticket keys and their rotation, here or through Redis. See
 * tickets.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "common/container_of.h"
#include "daemon/log.h"
#include "engine/alert.h"
#include "daemon/tickets.h"

unsigned int kd_tickets_keep(const struct kd_config *c)
{
	uint32_t longest = 0;
	unsigned long keep;
	size_t i;

	for (i = 0; i < c->n_profiles; i++) {
		const struct ktlso_config *tmpl = &c->profiles[i]->tmpl;

		if (tmpl->n_tickets && tmpl->ticket_lifetime > longest)
			longest = tmpl->ticket_lifetime;
	}
	keep = (longest + c->ticket_rotation_s - 1) / c->ticket_rotation_s;
	return keep > KTLSO_TICKET_KEEP_MAX ? KTLSO_TICKET_KEEP_MAX :
					      (unsigned int)keep;
}

static int timer_set(struct kd_tickets *t, unsigned int period_s)
{
	const struct itimerspec its = {
		.it_value = { .tv_sec = period_s },
		.it_interval = { .tv_sec = period_s },
	};

	if (timerfd_settime(t->timer.fd, 0, &its, NULL))
		return -errno;
	t->rotation_s = period_s;
	return 0;
}

static void on_timer(struct kd_watch *w, uint32_t revents)
{
	struct kd_tickets *t = container_of(w, struct kd_tickets, timer);
	uint64_t expirations;

	(void)revents;
	if (read(w->fd, &expirations, sizeof(expirations)) > 0)
		kd_tickets_rotate(t);
}

static void set_keep(struct kd_tickets *t, const struct kd_config *c)
{
	unsigned int keep = kd_tickets_keep(c);

	if (keep == KTLSO_TICKET_KEEP_MAX)
		kd_log(KD_LOG_WARNING,
		       "ticket_lifetime over %u x ticket_rotation: tickets stop resuming after %u s",
		       KTLSO_TICKET_KEEP_MAX,
		       KTLSO_TICKET_KEEP_MAX * c->ticket_rotation_s);
	ktlso_ticket_keys_set_keep(t->keys, keep);
	t->keep = keep;
}

int kd_tickets_init(struct kd_tickets *t, struct kd_loop *loop,
		    const struct kd_config *c)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->timer.fd = -1;
	t->loop = loop;
	ret = ktlso_ticket_keys_new(&t->keys, 0);
	if (ret == 0)
		ret = ktlso_ticket_keys_rotate(t->keys, NULL);
	if (ret) {
		kd_log(KD_LOG_ERROR, "ticket keys: %s", ktlso_error_name(ret));
		kd_tickets_fini(t);
		return -ENOMEM;
	}
	set_keep(t, c);
	t->timer.fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	t->timer.cb = on_timer;
	ret = t->timer.fd < 0 ? -errno :
	      timer_set(t, c->redis.on ? 0 : c->ticket_rotation_s);
	if (ret == 0)
		ret = kd_loop_set(loop, &t->timer, EPOLLIN);
	if (ret) {
		kd_log(KD_LOG_ERROR, "ticket key timer: %s", strerror(-ret));
		kd_tickets_fini(t);
		return ret;
	}
	if (c->redis.on)
		ret = kd_tickets_redis_start(&t->redis, t->keys, &c->redis,
					     c->ticket_rotation_s, t->keep);
	if (ret)
		kd_tickets_fini(t);
	return ret;
}

/* Redis on, off or elsewhere after a reload: 0 or -errno (logged). */
static int configure_redis(struct kd_tickets *t, const struct kd_config *c)
{
	if (t->redis.running && kd_redis_conf_equal(&t->redis.conf, &c->redis)) {
		kd_tickets_redis_configure(&t->redis, c->ticket_rotation_s,
					   t->keep);
		return 0;
	}
	kd_tickets_redis_stop(&t->redis);
	if (!c->redis.on)
		return 0;
	return kd_tickets_redis_start(&t->redis, t->keys, &c->redis,
				      c->ticket_rotation_s, t->keep);
}

void kd_tickets_configure(struct kd_tickets *t, const struct kd_config *c)
{
	unsigned int period;
	int ret;

	if (!t->keys)		/* not started */
		return;
	set_keep(t, c);
	if (configure_redis(t, c))
		kd_log(KD_LOG_ERROR,
		       "ticket keys stay local: redis could not be started");
	/* Only local keys rotate on the timer. */
	period = t->redis.running ? 0 : c->ticket_rotation_s;
	if (period == t->rotation_s)
		return;
	ret = timer_set(t, period);
	if (ret)
		kd_log(KD_LOG_ERROR, "ticket key timer: %s", strerror(-ret));
}

void kd_tickets_rotate(struct kd_tickets *t)
{
	int ret = ktlso_ticket_keys_rotate(t->keys, NULL);

	if (ret) {
		kd_log(KD_LOG_ERROR,
		       "ticket key rotation failed (%s): the current key stays",
		       ktlso_error_name(ret));
		return;
	}
	t->rotations++;
	kd_log(KD_LOG_DEBUG, "new ticket key (rotation %llu; %u previous kept)",
	       (unsigned long long)t->rotations, t->keep);
}

void kd_tickets_fini(struct kd_tickets *t)
{
	kd_tickets_redis_stop(&t->redis);
	if (t->timer.fd >= 0) {
		kd_loop_del(t->loop, &t->timer);
		close(t->timer.fd);
	}
	t->timer.fd = -1;
	ktlso_ticket_keys_free(t->keys);
	t->keys = NULL;
}
