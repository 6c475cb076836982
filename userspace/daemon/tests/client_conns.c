// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 client connections whose tickets may still come
 * (client_conns.c): add, find, end; a duplicate id and id 0 refused; the
 * oldest dropped when full, and only then; bounded under many ids; ids
 * from kd_client_conn_id() non-zero and distinct.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "daemon/client_conns.h"

#include "engine/tests/test_leaks.h"

/* A resumption and a key made from @seed. */
static void conn_data(struct ktlso_resumption *r, struct kd_client_key *k,
		      unsigned int seed)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->suite = 0x1301;
	r->secret_len = 32;
	for (i = 0; i < r->secret_len; i++)
		r->secret[i] = (uint8_t)(seed * 3 + i);
	snprintf(r->server_name, sizeof(r->server_name), "s%u.example", seed);
	snprintf(r->alpn, sizeof(r->alpn), "h2");
	r->peer_verified = true;
	snprintf(r->peer_identity, sizeof(r->peer_identity), "CN=s%u", seed);
	for (i = 0; i < sizeof(k->d); i++)
		k->d[i] = (uint8_t)(seed + i);
}

/* Does @c hold @seed's data? */
static int conn_is(const struct kd_client_conn *c, uint64_t id,
		   unsigned int seed)
{
	struct ktlso_resumption r;
	struct kd_client_key k;

	conn_data(&r, &k, seed);
	return c && c->id == id && !memcmp(&c->resumption, &r, sizeof(r)) &&
	       !memcmp(&c->key, &k, sizeof(k));
}

TEST(new_bounds)
{
	struct kd_client_conns *c = (void *)1;

	EXPECT_EQ(-EINVAL, kd_client_conns_new(&c, 0));
	EXPECT_EQ(NULL, c);
	EXPECT_EQ(-EINVAL, kd_client_conns_new(&c, KD_CLIENT_CONNS_MAX + 1));
	ASSERT_EQ(0, kd_client_conns_new(&c, 1));
	kd_client_conns_free(c);
	kd_client_conns_free(NULL);
}

TEST(add_find_end)
{
	struct kd_client_conns_counts n;
	struct kd_client_conns *c;
	struct kd_client_conn *conn;
	struct ktlso_resumption r;
	struct kd_client_key k;
	uint64_t id;

	ASSERT_EQ(0, kd_client_conns_new(&c, 16));
	for (id = 1; id <= 5; id++) {
		conn_data(&r, &k, (unsigned int)id);
		ASSERT_EQ(0, kd_client_conns_add(c, id << 40 | id, &r, &k));
	}
	memset(&r, 0, sizeof(r));
	for (id = 1; id <= 5; id++) {
		conn = kd_client_conns_find(c, id << 40 | id);
		EXPECT_TRUE(conn_is(conn, id << 40 | id, (unsigned int)id));
		ASSERT_NE(NULL, conn);
		EXPECT_EQ(0u, conn->tickets);
	}
	EXPECT_EQ(NULL, kd_client_conns_find(c, 6));
	EXPECT_EQ(NULL, kd_client_conns_find(c, 1));
	/* The caller counts the tickets. */
	conn = kd_client_conns_find(c, 3ull << 40 | 3);
	ASSERT_NE(NULL, conn);
	conn->tickets += 2;
	EXPECT_EQ(2u, kd_client_conns_find(c, 3ull << 40 | 3)->tickets);

	EXPECT_EQ(0, kd_client_conns_end(c, 3ull << 40 | 3));
	EXPECT_EQ(NULL, kd_client_conns_find(c, 3ull << 40 | 3));
	EXPECT_EQ(-ENOENT, kd_client_conns_end(c, 3ull << 40 | 3));
	EXPECT_EQ(-ENOENT, kd_client_conns_end(c, 99));
	/* The others are still there. */
	EXPECT_TRUE(conn_is(kd_client_conns_find(c, 2ull << 40 | 2),
			    2ull << 40 | 2, 2));
	EXPECT_TRUE(conn_is(kd_client_conns_find(c, 4ull << 40 | 4),
			    4ull << 40 | 4, 4));
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(4u, n.now);
	EXPECT_EQ(5u, n.added);
	EXPECT_EQ(1u, n.ended);
	EXPECT_EQ(0u, n.evicted);
	/* An id ended may come again. */
	conn_data(&r, &k, 7);
	EXPECT_EQ(0, kd_client_conns_add(c, 3ull << 40 | 3, &r, &k));
	EXPECT_TRUE(conn_is(kd_client_conns_find(c, 3ull << 40 | 3),
			    3ull << 40 | 3, 7));
	kd_client_conns_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(duplicate_and_zero)
{
	struct kd_client_conns_counts n;
	struct kd_client_conns *c;
	struct ktlso_resumption r;
	struct kd_client_key k;

	ASSERT_EQ(0, kd_client_conns_new(&c, 4));
	conn_data(&r, &k, 1);
	ASSERT_EQ(0, kd_client_conns_add(c, 42, &r, &k));
	conn_data(&r, &k, 2);
	EXPECT_EQ(-EEXIST, kd_client_conns_add(c, 42, &r, &k));
	EXPECT_TRUE(conn_is(kd_client_conns_find(c, 42), 42, 1));
	EXPECT_EQ(-EINVAL, kd_client_conns_add(c, 0, &r, &k));
	EXPECT_EQ(NULL, kd_client_conns_find(c, 0));
	EXPECT_EQ(-ENOENT, kd_client_conns_end(c, 0));
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(1u, n.now);
	EXPECT_EQ(1u, n.added);
	/* A duplicate in a full table drops nothing. */
	ASSERT_EQ(0, kd_client_conns_add(c, 43, &r, &k));
	ASSERT_EQ(0, kd_client_conns_add(c, 44, &r, &k));
	ASSERT_EQ(0, kd_client_conns_add(c, 45, &r, &k));
	EXPECT_EQ(-EEXIST, kd_client_conns_add(c, 45, &r, &k));
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(4u, n.now);
	EXPECT_EQ(0u, n.evicted);
	EXPECT_NE(NULL, kd_client_conns_find(c, 42));
	kd_client_conns_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(evicts_oldest)
{
	struct kd_client_conns_counts n;
	struct kd_client_conns *c;
	struct ktlso_resumption r;
	struct kd_client_key k;
	uint64_t id;

	ASSERT_EQ(0, kd_client_conns_new(&c, 3));
	for (id = 1; id <= 3; id++) {
		conn_data(&r, &k, (unsigned int)id);
		ASSERT_EQ(0, kd_client_conns_add(c, id, &r, &k));
	}
	/* Full: 4 drops 1. */
	conn_data(&r, &k, 4);
	ASSERT_EQ(0, kd_client_conns_add(c, 4, &r, &k));
	EXPECT_EQ(NULL, kd_client_conns_find(c, 1));
	for (id = 2; id <= 4; id++) {
		EXPECT_TRUE(conn_is(kd_client_conns_find(c, id), id,
				    (unsigned int)id));
	}
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(3u, n.now);
	EXPECT_EQ(1u, n.evicted);
	/* 3 ends: room for 5, nothing dropped; then 6 drops 2. */
	EXPECT_EQ(0, kd_client_conns_end(c, 3));
	conn_data(&r, &k, 5);
	ASSERT_EQ(0, kd_client_conns_add(c, 5, &r, &k));
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(1u, n.evicted);
	conn_data(&r, &k, 6);
	ASSERT_EQ(0, kd_client_conns_add(c, 6, &r, &k));
	EXPECT_EQ(NULL, kd_client_conns_find(c, 2));
	EXPECT_NE(NULL, kd_client_conns_find(c, 4));
	EXPECT_NE(NULL, kd_client_conns_find(c, 5));
	EXPECT_NE(NULL, kd_client_conns_find(c, 6));
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(3u, n.now);
	EXPECT_EQ(2u, n.evicted);
	EXPECT_EQ(6u, n.added);
	EXPECT_EQ(1u, n.ended);
	kd_client_conns_free(c);
	EXPECT_EQ(0, test_leaks());
}

TEST(many_ids)
{
	struct kd_client_conns_counts n;
	struct kd_client_conns *c;
	struct ktlso_resumption r;
	struct kd_client_key k;
	uint64_t i;

	ASSERT_EQ(0, kd_client_conns_new(&c, 1000));
	conn_data(&r, &k, 1);
	/* Ids that differ only in their high bits, then in their low. */
	for (i = 1; i <= 50000; i++) {
		ASSERT_EQ(0, kd_client_conns_add(c, i << 44 | 1, &r, &k));
		if (i % 3 == 0)
			ASSERT_EQ(0, kd_client_conns_end(c, i << 44 | 1));
	}
	kd_client_conns_counts(c, &n);
	EXPECT_EQ(1000u, n.now);
	EXPECT_EQ(50000u - 1000u - 50000u / 3, n.evicted);
	for (i = 1; i <= 50000; i++) {
		ASSERT_EQ(0, kd_client_conns_add(c, i, &r, &k));
	}
	for (i = 50000 - 999; i <= 50000; i++) {
		ASSERT_NE(NULL, kd_client_conns_find(c, i));
	}
	EXPECT_EQ(NULL, kd_client_conns_find(c, 50000 - 1000));
	kd_client_conns_free(c);
	EXPECT_EQ(0, test_leaks());
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(ids)
{
	static uint64_t id[10000];
	size_t i;

	for (i = 0; i < 10000; i++) {
		id[i] = kd_client_conn_id();
		ASSERT_NE(0u, id[i]);
	}
	qsort(id, 10000, sizeof(id[0]), cmp_u64);
	for (i = 1; i < 10000; i++) {
		ASSERT_NE(id[i - 1], id[i]);
	}
}

TEST_HARNESS_MAIN
