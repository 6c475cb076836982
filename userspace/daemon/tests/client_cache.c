// SPDX-License-Identifier: GPL-2.0
/*
 * The client session cache (client_cache.c): a ticket comes back equal,
 * once; newest first; at most four per key and max_tickets in all, the
 * least recently added pushed out; expired tickets skipped and dropped;
 * keys that differ for every field of the tuple, length-prefixed (no
 * "ab"+"c" = "a"+"bc"), and per cache; bad tickets refused; bounded under
 * many keys; and several threads putting and taking at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "daemon/client_cache.h"

#include "engine/tests/test_leaks.h"

#define NOW 1700000000000ull

/* A valid ticket, its fields made from @seed. */
static void ticket(struct ktlso_client_ticket *t, unsigned int seed)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->version = 0x0304;
	t->suite = 0x1301;
	t->psk_len = 32;
	for (i = 0; i < t->psk_len; i++)
		t->psk[i] = (uint8_t)(seed * 7 + i);
	t->age_add = 0x01020304u ^ seed;
	t->lifetime = 7200;
	t->received_ms = NOW;
	snprintf(t->server_name, sizeof(t->server_name), "server.example");
	snprintf(t->alpn, sizeof(t->alpn), "h2");
	t->peer_verified = true;
	snprintf(t->peer_identity, sizeof(t->peer_identity),
		 "CN=server.example %u", seed);
	t->ticket_len = 100 + seed % 64;
	for (i = 0; i < t->ticket_len; i++)
		t->ticket[i] = (uint8_t)(seed + i);
}

/* The seed a ticket was made from (its age_add), as ticket() made it. */
static unsigned int seed_of(const struct ktlso_client_ticket *t)
{
	return t->age_add ^ 0x01020304u;
}

static int ticket_eq(const struct ktlso_client_ticket *a,
		     const struct ktlso_client_ticket *b)
{
	return a->version == b->version && a->suite == b->suite &&
	       a->psk_len == b->psk_len &&
	       !memcmp(a->psk, b->psk, a->psk_len) &&
	       a->age_add == b->age_add && a->lifetime == b->lifetime &&
	       a->received_ms == b->received_ms &&
	       !strcmp(a->server_name, b->server_name) &&
	       !strcmp(a->alpn, b->alpn) &&
	       a->peer_verified == b->peer_verified &&
	       !strcmp(a->peer_identity, b->peer_identity) &&
	       a->ticket_len == b->ticket_len &&
	       !memcmp(a->ticket, b->ticket, a->ticket_len);
}

static const uint8_t h2[] = { 2, 'h', '2' };

/* A key of the usual tuple, with @uid. */
static void key(const struct kd_client_cache *c, struct kd_client_key *k,
		uint32_t uid)
{
	kd_client_cache_key(c, k, "default", "server.example",
			    "192.0.2.1:443", h2, sizeof(h2), uid);
}

static int key_eq(const struct kd_client_key *a,
		  const struct kd_client_key *b)
{
	return !memcmp(a->d, b->d, sizeof(a->d));
}

static int is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

TEST(new_bounds)
{
	struct kd_client_cache *c = (void *)1;

	EXPECT_EQ(-EINVAL, kd_client_cache_new(&c, 0));
	EXPECT_EQ(NULL, c);
	EXPECT_EQ(-EINVAL,
		  kd_client_cache_new(&c, KD_CLIENT_CACHE_MAX_TICKETS + 1));
	ASSERT_EQ(0, kd_client_cache_new(&c, 1));
	kd_client_cache_free(c);
	kd_client_cache_free(NULL);
	EXPECT_EQ(0, test_leaks());
}

TEST(roundtrip)
{
	struct ktlso_client_ticket t, u;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	key(c, &k, 1000);
	ticket(&t, 1);
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	memset(&u, 0x55, sizeof(u));
	ASSERT_EQ(0, kd_client_cache_take(c, &k, NOW + 1000, &u));
	EXPECT_TRUE(ticket_eq(&t, &u));

	/* Every field at its longest. */
	memset(&t, 0, sizeof(t));
	t.version = 0x0303;
	t.suite = 0xc02c;
	t.psk_len = KTLSO_MAX_HASH_LEN;
	memset(t.psk, 0xee, sizeof(t.psk));
	t.age_add = 0xffffffffu;
	t.lifetime = 604800;
	t.received_ms = NOW;
	memset(t.server_name, 's', sizeof(t.server_name) - 1);
	memset(t.alpn, 'a', sizeof(t.alpn) - 1);
	memset(t.peer_identity, 'p', sizeof(t.peer_identity) - 1);
	t.peer_verified = false;
	t.ticket_len = KTLSO_CLIENT_TICKET_MAX;
	memset(t.ticket, 0x77, sizeof(t.ticket));
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ASSERT_EQ(0, kd_client_cache_take(c, &k, NOW, &u));
	EXPECT_TRUE(ticket_eq(&t, &u));

	kd_client_cache_counts(c, &n);
	EXPECT_EQ(0u, n.tickets);
	EXPECT_EQ(2u, n.stored);
	EXPECT_EQ(2u, n.taken);
	EXPECT_EQ(0u, n.missed);
	ktlso_client_ticket_clear(&u);
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(single_use)
{
	struct ktlso_client_ticket t, u;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	key(c, &k, 0);
	ticket(&t, 2);
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ASSERT_EQ(0, kd_client_cache_take(c, &k, NOW, &u));
	memset(&u, 0x55, sizeof(u));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, NOW, &u));
	EXPECT_TRUE(is_zero(&u, sizeof(u)));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(1u, n.taken);
	EXPECT_EQ(1u, n.missed);
	EXPECT_EQ(0u, n.tickets);
	kd_client_cache_free(c);
}

/* A flush drops every ticket of every key; the cache works on. */
TEST(flush)
{
	struct ktlso_client_ticket t, u;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k, l;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	key(c, &k, 0);
	key(c, &l, 1);
	ticket(&t, 2);
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ASSERT_EQ(0, kd_client_cache_put(c, &l, &t));
	kd_client_cache_flush(c);
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(0u, n.tickets);
	EXPECT_EQ(3u, n.flushed);
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, NOW, &u));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &l, NOW, &u));
	ASSERT_EQ(0, kd_client_cache_put(c, &l, &t));
	ASSERT_EQ(0, kd_client_cache_take(c, &l, NOW, &u));
	EXPECT_TRUE(ticket_eq(&t, &u));
	kd_client_cache_free(c);
}

TEST(newest_first)
{
	struct ktlso_client_ticket t;
	struct kd_client_cache *c;
	struct kd_client_key k;
	unsigned int i;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	key(c, &k, 0);
	for (i = 1; i <= 3; i++) {
		ticket(&t, i);
		ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	}
	for (i = 3; i >= 1; i--) {
		ASSERT_EQ(0, kd_client_cache_take(c, &k, NOW, &t));
		EXPECT_EQ(i, seed_of(&t));
	}
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, NOW, &t));
	kd_client_cache_free(c);
}

TEST(per_key_bound)
{
	struct ktlso_client_ticket t;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k, other;
	unsigned int i;

	ASSERT_EQ(0, kd_client_cache_new(&c, 64));
	key(c, &k, 0);
	key(c, &other, 1);
	ticket(&t, 100);
	ASSERT_EQ(0, kd_client_cache_put(c, &other, &t));
	for (i = 1; i <= 6; i++) {
		ticket(&t, i);
		ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	}
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(KD_CLIENT_TICKETS_PER_KEY + 1u, n.tickets);
	EXPECT_EQ(2u, n.evicted);
	EXPECT_EQ(7u, n.stored);
	/* 6, 5, 4, 3: the two oldest went. */
	for (i = 6; i >= 3; i--) {
		ASSERT_EQ(0, kd_client_cache_take(c, &k, NOW, &t));
		EXPECT_EQ(i, seed_of(&t));
	}
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, NOW, &t));
	/* The other key lost nothing. */
	ASSERT_EQ(0, kd_client_cache_take(c, &other, NOW, &t));
	EXPECT_EQ(100u, seed_of(&t));
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(global_bound)
{
	struct ktlso_client_ticket t;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k[5];
	unsigned int i;

	ASSERT_EQ(0, kd_client_cache_new(&c, 3));
	for (i = 0; i < 5; i++)
		key(c, &k[i], i);
	/* k0: 1; k1: 2; k0: 3 (full); k2: 4 pushes 1 out, k0 keeps 3. */
	ticket(&t, 1);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[0], &t));
	ticket(&t, 2);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[1], &t));
	ticket(&t, 3);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[0], &t));
	ticket(&t, 4);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[2], &t));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(3u, n.tickets);
	EXPECT_EQ(1u, n.evicted);
	/* k3: 5 pushes 2 out (k1 now empty); k4: 6 pushes 3 out. */
	ticket(&t, 5);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[3], &t));
	ticket(&t, 6);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[4], &t));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(3u, n.tickets);
	EXPECT_EQ(3u, n.evicted);
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k[0], NOW, &t));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k[1], NOW, &t));
	for (i = 2; i < 5; i++) {
		ASSERT_EQ(0, kd_client_cache_take(c, &k[i], NOW, &t));
		EXPECT_EQ(i + 2, seed_of(&t));
	}

	/* A cache of one: each put replaces the one held. */
	kd_client_cache_free(c);
	ASSERT_EQ(0, kd_client_cache_new(&c, 1));
	ticket(&t, 1);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[0], &t));
	ticket(&t, 2);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[0], &t));
	ticket(&t, 3);
	ASSERT_EQ(0, kd_client_cache_put(c, &k[1], &t));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k[0], NOW, &t));
	ASSERT_EQ(0, kd_client_cache_take(c, &k[1], NOW, &t));
	EXPECT_EQ(3u, seed_of(&t));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(2u, n.evicted);
	EXPECT_EQ(0u, n.tickets);
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(expiry)
{
	struct ktlso_client_ticket t;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	key(c, &k, 0);
	/* 1: 10 s from 1000; 2: 100 s from 2000; 3: 1 s from 3000. */
	ticket(&t, 1);
	t.received_ms = 1000;
	t.lifetime = 10;
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ticket(&t, 2);
	t.received_ms = 2000;
	t.lifetime = 100;
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ticket(&t, 3);
	t.received_ms = 3000;
	t.lifetime = 1;
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));

	/* At 4000, 3 is exactly 1 s old: expired, dropped; 2 comes. */
	ASSERT_EQ(0, kd_client_cache_take(c, &k, 4000, &t));
	EXPECT_EQ(2u, seed_of(&t));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(1u, n.expired);
	EXPECT_EQ(1u, n.tickets);	/* 1, still good, stays */
	/* 1 expires at 11000: good at 10999, not at 11000. */
	ticket(&t, 4);
	t.received_ms = 1000;
	t.lifetime = 10;
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	ASSERT_EQ(0, kd_client_cache_take(c, &k, 10999, &t));
	EXPECT_EQ(4u, seed_of(&t));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, 11000, &t));
	EXPECT_TRUE(is_zero(&t, sizeof(t)));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(2u, n.expired);
	EXPECT_EQ(0u, n.tickets);
	EXPECT_EQ(1u, n.missed);

	/* Received after now: expired, as the engine counts it. */
	ticket(&t, 5);
	t.received_ms = NOW + 1;
	ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, NOW, &t));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(3u, n.expired);
	EXPECT_EQ(0u, n.tickets);
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(keys_differ)
{
	const uint8_t h11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
	const uint8_t both[] = { 2, 'h', '2', 8, 'h', 't', 't', 'p', '/',
				 '1', '.', '1' };
	struct kd_client_key k[16], again;
	struct kd_client_cache *c;
	int i, j, m = 0;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	kd_client_cache_key(c, &k[m++], "p", "server.example", "192.0.2.1:443",
			    h2, sizeof(h2), 1000);
	/* The same tuple, the same key. */
	kd_client_cache_key(c, &again, "p", "server.example", "192.0.2.1:443",
			    h2, sizeof(h2), 1000);
	EXPECT_TRUE(key_eq(&k[0], &again));
	/* Each field changed alone. */
	kd_client_cache_key(c, &k[m++], "q", "server.example", "192.0.2.1:443",
			    h2, sizeof(h2), 1000);
	kd_client_cache_key(c, &k[m++], "p", "other.example", "192.0.2.1:443",
			    h2, sizeof(h2), 1000);
	kd_client_cache_key(c, &k[m++], "p", "server.example", "192.0.2.1:444",
			    h2, sizeof(h2), 1000);
	kd_client_cache_key(c, &k[m++], "p", "server.example",
			    "[2001:db8::1]:443", h2, sizeof(h2), 1000);
	kd_client_cache_key(c, &k[m++], "p", "server.example", "192.0.2.1:443",
			    h11, sizeof(h11), 1000);
	kd_client_cache_key(c, &k[m++], "p", "server.example", "192.0.2.1:443",
			    both, sizeof(both), 1000);
	kd_client_cache_key(c, &k[m++], "p", "server.example", "192.0.2.1:443",
			    NULL, 0, 1000);
	kd_client_cache_key(c, &k[m++], "p", "server.example", "192.0.2.1:443",
			    h2, sizeof(h2), 1001);
	/* What naive concatenation would confuse. */
	kd_client_cache_key(c, &k[m++], "ab", "c", "", NULL, 0, 0);
	kd_client_cache_key(c, &k[m++], "a", "bc", "", NULL, 0, 0);
	kd_client_cache_key(c, &k[m++], "", "a", "bc", NULL, 0, 0);
	kd_client_cache_key(c, &k[m++], "", "", "ab",
			    (const uint8_t *)"c", 1, 0);
	kd_client_cache_key(c, &k[m++], "", "", "a",
			    (const uint8_t *)"bc", 2, 0);
	kd_client_cache_key(c, &k[m++], "", "", "", NULL, 0, 0);
	ASSERT_LE(m, 16);
	for (i = 0; i < m; i++) {
		for (j = i + 1; j < m; j++) {
			EXPECT_FALSE(key_eq(&k[i], &k[j])) {
				TH_LOG("keys %d and %d are equal", i, j);
			}
		}
	}
	/* NULL strings are "". */
	kd_client_cache_key(c, &again, NULL, NULL, NULL, NULL, 0, 0);
	EXPECT_TRUE(key_eq(&k[m - 1], &again));
	kd_client_cache_free(c);
}

TEST(key_per_cache)
{
	struct kd_client_cache *a, *b;
	struct kd_client_key ka, kb;
	struct ktlso_client_ticket t;

	ASSERT_EQ(0, kd_client_cache_new(&a, 16));
	ASSERT_EQ(0, kd_client_cache_new(&b, 16));
	key(a, &ka, 1000);
	key(b, &kb, 1000);
	EXPECT_FALSE(key_eq(&ka, &kb));
	ticket(&t, 1);
	ASSERT_EQ(0, kd_client_cache_put(a, &ka, &t));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(a, &kb, NOW, &t));
	EXPECT_EQ(0, kd_client_cache_take(a, &ka, NOW, &t));
	kd_client_cache_free(a);
	kd_client_cache_free(b);
}

TEST(bad_tickets)
{
	struct ktlso_client_ticket t;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k;

	ASSERT_EQ(0, kd_client_cache_new(&c, 16));
	key(c, &k, 0);
	ticket(&t, 1);
	t.psk_len = 0;
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	t.psk_len = KTLSO_MAX_HASH_LEN + 1;
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	ticket(&t, 1);
	t.ticket_len = 0;
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	t.ticket_len = KTLSO_CLIENT_TICKET_MAX + 1;
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	ticket(&t, 1);
	t.lifetime = 0;
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	t.lifetime = 604801;
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	ticket(&t, 1);
	memset(t.server_name, 'x', sizeof(t.server_name));
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	ticket(&t, 1);
	memset(t.alpn, 'x', sizeof(t.alpn));
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	ticket(&t, 1);
	memset(t.peer_identity, 'x', sizeof(t.peer_identity));
	EXPECT_EQ(-EINVAL, kd_client_cache_put(c, &k, &t));
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(0u, n.stored);
	EXPECT_EQ(0u, n.tickets);
	EXPECT_EQ(-ENOENT, kd_client_cache_take(c, &k, NOW, &t));
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(many_keys)
{
	struct ktlso_client_ticket t;
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	struct kd_client_key k;
	uint32_t i;

	ASSERT_EQ(0, kd_client_cache_new(&c, 1024));
	for (i = 0; i < 10000; i++) {
		key(c, &k, i);
		ticket(&t, i);
		ASSERT_EQ(0, kd_client_cache_put(c, &k, &t));
		kd_client_cache_counts(c, &n);
		ASSERT_LE(n.tickets, 1024u);
	}
	EXPECT_EQ(1024u, n.tickets);
	EXPECT_EQ(10000u - 1024u, n.evicted);
	/* The first 8976 went; the last 1024 are there. */
	for (i = 0; i < 10000; i += 97) {
		key(c, &k, i);
		if (i < 10000 - 1024) {
			EXPECT_EQ(-ENOENT,
				  kd_client_cache_take(c, &k, NOW, &t));
		} else {
			ASSERT_EQ(0, kd_client_cache_take(c, &k, NOW, &t));
			EXPECT_EQ(i, seed_of(&t));
		}
	}
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

#define THREADS 4
#define ROUNDS 3000

struct worker {
	struct kd_client_cache *c;
	unsigned int id;
	unsigned int puts, takes;
	int fails;
};

/*
 * Each thread puts under its own keys and under a shared one, and takes
 * from both: what it takes from its own keys it put itself.
 */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct ktlso_client_ticket t;
	struct kd_client_key own, shared;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		key(w->c, &own, 1000 + w->id * 8 + i % 8);
		key(w->c, &shared, 0);
		ticket(&t, w->id << 16 | i);
		if (kd_client_cache_put(w->c, i % 3 ? &own : &shared, &t))
			w->fails++;
		else
			w->puts++;
		if (i % 2 == 0 &&
		    kd_client_cache_take(w->c, &own, NOW, &t) == 0) {
			w->takes++;
			if (seed_of(&t) >> 16 != w->id)
				w->fails++;
		}
		if (i % 5 == 0 &&
		    kd_client_cache_take(w->c, &shared, NOW, &t) == 0)
			w->takes++;
	}
	ktlso_client_ticket_clear(&t);
	return NULL;
}

TEST(threads)
{
	struct worker w[THREADS];
	pthread_t th[THREADS];
	struct kd_client_cache_counts n;
	struct kd_client_cache *c;
	uint64_t puts = 0, takes = 0;
	unsigned int i;

	/* Small, so that eviction happens too. */
	ASSERT_EQ(0, kd_client_cache_new(&c, 20));
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .c = c, .id = i + 1 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, work, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, w[i].fails);
		puts += w[i].puts;
		takes += w[i].takes;
	}
	kd_client_cache_counts(c, &n);
	EXPECT_EQ(puts, n.stored);
	EXPECT_EQ(takes, n.taken);
	EXPECT_EQ(0u, n.expired);
	EXPECT_LE(n.tickets, 20u);
	/* Every ticket stored was taken, pushed out, or is still there. */
	EXPECT_EQ(n.stored, n.taken + n.evicted + n.tickets);
	kd_client_cache_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST_HARNESS_MAIN
