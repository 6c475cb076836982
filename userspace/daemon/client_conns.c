// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 client connections whose tickets may still come. See
 * client_conns.h.
 *
 * Each connection is on a chain of its bucket (its id, mixed, masked)
 * and on a doubly linked list, oldest first, for eviction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>

#include <openssl/crypto.h>

#include "daemon/client_conns.h"
#include "daemon/list.h"

struct entry {
	struct entry *next;		/* in its bucket */
	struct kd_list age;		/* the table's list */
	struct kd_client_conn conn;
};

struct kd_client_conns {
	size_t max, mask;
	struct entry **bucket;		/* mask + 1 of them */
	struct kd_list by_age;		/* of entries, oldest first */
	struct kd_client_conns_counts n;
};

int kd_client_conns_new(struct kd_client_conns **cp, size_t max)
{
	struct kd_client_conns *c;
	size_t buckets = 1;

	*cp = NULL;
	if (max < 1 || max > KD_CLIENT_CONNS_MAX)
		return -EINVAL;
	while (buckets < max)
		buckets <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->bucket = calloc(buckets, sizeof(*c->bucket));
	if (!c->bucket) {
		free(c);
		return -ENOMEM;
	}
	kd_list_init(&c->by_age);
	c->max = max;
	c->mask = buckets - 1;
	*cp = c;
	return 0;
}

/* The entry holds the resumption master secret: all of it is wiped. */
static void entry_free(struct entry *e)
{
	OPENSSL_clear_free(e, sizeof(*e));
}

void kd_client_conns_free(struct kd_client_conns *c)
{
	struct kd_list *l, *tmp;

	if (!c)
		return;
	kd_list_for_each_safe(l, tmp, &c->by_age)
		entry_free(container_of(l, struct entry, age));
	free(c->bucket);
	free(c);
}

/*
 * Ids are random, but the caller could pass any: mix all 64 bits into
 * the low ones (splitmix64's finalizer) before masking.
 */
static size_t bucket_of(const struct kd_client_conns *c, uint64_t id)
{
	id ^= id >> 30;
	id *= 0xbf58476d1ce4e5b9ull;
	id ^= id >> 27;
	id *= 0x94d049bb133111ebull;
	id ^= id >> 31;
	return (size_t)(id & c->mask);
}

static struct entry **find(struct kd_client_conns *c, uint64_t id)
{
	struct entry **p = &c->bucket[bucket_of(c, id)];

	while (*p && (*p)->conn.id != id)
		p = &(*p)->next;
	return p;
}

/* Take the entry *@p (a bucket's link to it) out of the table; wipe it. */
static void drop(struct kd_client_conns *c, struct entry **p)
{
	struct entry *e = *p;

	*p = e->next;
	kd_list_del(&e->age);
	c->n.now--;
	entry_free(e);
}

int kd_client_conns_add(struct kd_client_conns *c, uint64_t id,
			const struct ktlso_resumption *r,
			const struct kd_client_key *k)
{
	struct entry *e, **p;

	if (!id)
		return -EINVAL;
	if (*find(c, id))
		return -EEXIST;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->conn.id = id;
	e->conn.resumption = *r;
	e->conn.key = *k;
	if (c->n.now >= c->max) {
		struct entry *old = kd_list_first_entry(&c->by_age,
							struct entry, age);

		drop(c, find(c, old->conn.id));
		c->n.evicted++;
	}
	p = &c->bucket[bucket_of(c, id)];
	e->next = *p;
	*p = e;
	kd_list_add_tail(&e->age, &c->by_age);
	c->n.now++;
	c->n.added++;
	return 0;
}

struct kd_client_conn *kd_client_conns_find(struct kd_client_conns *c,
					    uint64_t id)
{
	struct entry *e = id ? *find(c, id) : NULL;

	return e ? &e->conn : NULL;
}

int kd_client_conns_end(struct kd_client_conns *c, uint64_t id)
{
	struct entry **p = find(c, id);

	if (!id || !*p)
		return -ENOENT;
	drop(c, p);
	c->n.ended++;
	return 0;
}

void kd_client_conns_counts(const struct kd_client_conns *c,
			    struct kd_client_conns_counts *n)
{
	*n = c->n;
}

uint64_t kd_client_conn_id(void)
{
	uint64_t id = 0;
	ssize_t n;

	while (!id) {
		n = getrandom(&id, sizeof(id), 0);
		if (n == (ssize_t)sizeof(id))
			continue;
		id = 0;
		if (n < 0 && errno != EINTR)
			return 0;
	}
	return id;
}
