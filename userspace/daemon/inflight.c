// SPDX-License-Identifier: GPL-2.0
/*
 * Handshakes in flight per peer and per user. See inflight.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/inflight.h"

struct kd_inflight_entry {
	struct kd_inflight_entry *next;
	unsigned int count;
	char key[KD_INFLIGHT_KEY_MAX];
};

void kd_inflight_init(struct kd_inflight *f)
{
	memset(f, 0, sizeof(*f));
}

void kd_inflight_fini(struct kd_inflight *f)
{
	struct kd_inflight_entry *e, *next;
	size_t i;

	for (i = 0; i < KD_INFLIGHT_BUCKETS; i++)
		for (e = f->bucket[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	memset(f, 0, sizeof(*f));
}

/* FNV-1a: keys are addresses and uids, not chosen freely by a peer. */
static size_t hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h % KD_INFLIGHT_BUCKETS;
}

static struct kd_inflight_entry **find(struct kd_inflight *f, const char *key)
{
	struct kd_inflight_entry **p = &f->bucket[hash(key)];

	while (*p && strcmp((*p)->key, key))
		p = &(*p)->next;
	return p;
}

unsigned int kd_inflight_count(const struct kd_inflight *f, const char *key)
{
	struct kd_inflight_entry **p;

	if (!key[0])
		return 0;
	p = find((struct kd_inflight *)f, key);
	return *p ? (*p)->count : 0;
}

static int add(struct kd_inflight *f, const char *key)
{
	struct kd_inflight_entry **p, *e;

	if (!key[0])
		return 0;
	p = find(f, key);
	if (!*p) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		snprintf(e->key, sizeof(e->key), "%s", key);
		*p = e;
		f->entries++;
	}
	(*p)->count++;
	return 0;
}

static void drop(struct kd_inflight *f, const char *key)
{
	struct kd_inflight_entry **p, *e;

	if (!key[0])
		return;
	p = find(f, key);
	e = *p;
	if (!e)
		return;
	if (--e->count == 0) {
		*p = e->next;
		free(e);
		f->entries--;
	}
}

int kd_inflight_enter(struct kd_inflight *f, const char *peer,
		      const char *user, unsigned int max_peer,
		      unsigned int max_user)
{
	if ((max_peer && kd_inflight_count(f, peer) >= max_peer) ||
	    (max_user && kd_inflight_count(f, user) >= max_user))
		return -EBUSY;
	if (add(f, peer))
		return -ENOMEM;
	if (add(f, user)) {
		drop(f, peer);
		return -ENOMEM;
	}
	return 0;
}

void kd_inflight_leave(struct kd_inflight *f, const char *peer,
		       const char *user)
{
	drop(f, peer);
	drop(f, user);
}

void kd_inflight_peer_key(const char *peer, char *out, size_t len)
{
	const char *end;
	size_t n;

	out[0] = '\0';
	if (peer[0] == '[') {
		end = strchr(peer, ']');
		peer++;
	} else {
		end = strrchr(peer, ':');
	}
	if (!end || end == peer)
		return;
	n = (size_t)(end - peer);
	if (n >= len)
		return;
	memcpy(out, peer, n);
	out[n] = '\0';
}
