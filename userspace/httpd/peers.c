// SPDX-License-Identifier: GPL-2.0
/*
 * Connections per client address. See peers.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"

int peers_init(struct peers *p, unsigned int max, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->v = calloc(cap ? cap : 1, sizeof(*p->v));
	if (!p->v)
		return -ENOMEM;
	p->max = max;
	p->cap = cap;
	return pthread_mutex_init(&p->lock, NULL) ? -ENOMEM : 0;
}

void peers_fini(struct peers *p)
{
	pthread_mutex_destroy(&p->lock);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* @sa as a slot's key; false for a family that is not counted. */
static bool key_of(const struct sockaddr *sa, struct peer_slot *k)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;

	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		k->family = AF_INET;
		memcpy(k->addr, &s4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	if (memcmp(s6->sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
		k->family = AF_INET;
		memcpy(k->addr, s6->sin6_addr.s6_addr + 12, 4);
	} else {
		k->family = AF_INET6;
		memcpy(k->addr, s6->sin6_addr.s6_addr, 16);
	}
	return true;
}

static struct peer_slot *find(struct peers *p, const struct peer_slot *k,
			      struct peer_slot **free_slot)
{
	size_t i;

	*free_slot = NULL;
	for (i = 0; i < p->cap; i++) {
		struct peer_slot *s = &p->v[i];

		if (!s->family) {
			if (!*free_slot)
				*free_slot = s;
			continue;
		}
		if (s->family == k->family &&
		    memcmp(s->addr, k->addr, sizeof(k->addr)) == 0)
			return s;
	}
	return NULL;
}

bool peers_enter(struct peers *p, const struct sockaddr *sa,
		 bool *log_refusal)
{
	struct peer_slot k, *s, *free_slot;
	bool ok = true;

	*log_refusal = false;
	if (!p->max || !key_of(sa, &k))
		return true;
	pthread_mutex_lock(&p->lock);
	s = find(p, &k, &free_slot);
	if (!s) {
		/* Every slot taken means max_clients connections: none. */
		s = free_slot;
		if (s) {
			*s = k;
			s->count = 0;
		} else {
			ok = false;
		}
	}
	if (s && s->count >= p->max) {
		ok = false;
		*log_refusal = !s->refusal_logged;
		s->refusal_logged = true;
	} else if (s) {
		s->count++;
	}
	pthread_mutex_unlock(&p->lock);
	return ok;
}

void peers_leave(struct peers *p, const struct sockaddr *sa)
{
	struct peer_slot k, *s, *free_slot;

	if (!p->max || !key_of(sa, &k))
		return;
	pthread_mutex_lock(&p->lock);
	s = find(p, &k, &free_slot);
	if (s && s->count) {
		s->count--;
		s->refusal_logged = false;
		if (!s->count)
			memset(s, 0, sizeof(*s));
	}
	pthread_mutex_unlock(&p->lock);
}
