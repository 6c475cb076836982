// SPDX-License-Identifier: GPL-2.0
/*
 * Connections per client address (peers.c): the limit holds per address,
 * addresses are independent of each other and of ports, an IPv4-mapped
 * IPv6 address is its IPv4 one, a slot frees when its last connection
 * ends, one refusal per burst is flagged for the log, and threads may
 * enter and leave at once.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "kselftest_harness.h"

#include "../peers.h"

static struct sockaddr_storage v4(const char *a, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, a, &s->sin_addr);
	return ss;
}

static struct sockaddr_storage v6(const char *a)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &s->sin6_addr);
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

TEST(limit_per_address)
{
	struct sockaddr_storage a = v4("192.0.2.1", 1000),
				a2 = v4("192.0.2.1", 2000),
				b = v4("192.0.2.2", 1000),
				m = v6("::ffff:192.0.2.1"), c = v6("2001:db8::1");
	struct peers p;
	bool first;
	int i;

	ASSERT_EQ(0, peers_init(&p, 3, 8));
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(peers_enter(&p, i % 2 ? SA(a2) : SA(a), &first));
	/* The fourth from that address, whatever its port or form. */
	EXPECT_FALSE(peers_enter(&p, SA(a), &first));
	EXPECT_TRUE(first);
	EXPECT_FALSE(peers_enter(&p, SA(m), &first));
	EXPECT_FALSE(first);
	/* Others are not affected. */
	EXPECT_TRUE(peers_enter(&p, SA(b), &first));
	EXPECT_TRUE(peers_enter(&p, SA(c), &first));
	/* One ends: one more may come, and a new refusal is logged. */
	peers_leave(&p, SA(a2));
	EXPECT_TRUE(peers_enter(&p, SA(m), &first));
	EXPECT_FALSE(peers_enter(&p, SA(a), &first));
	EXPECT_TRUE(first);
	peers_fini(&p);
}

/* Slots are as many as connections served at once, and are reused. */
TEST(slots_reused)
{
	struct sockaddr_storage s;
	char addr[32];
	struct peers p;
	bool first;
	int round, i;

	ASSERT_EQ(0, peers_init(&p, 2, 4));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			snprintf(addr, sizeof(addr), "198.51.100.%d",
				 round * 4 + i);
			s = v4(addr, 1);
			EXPECT_TRUE(peers_enter(&p, SA(s), &first));
		}
		/* A fifth address while four are served: no slot. */
		s = v4("203.0.113.9", 1);
		EXPECT_FALSE(peers_enter(&p, SA(s), &first));
		for (i = 0; i < 4; i++) {
			snprintf(addr, sizeof(addr), "198.51.100.%d",
				 round * 4 + i);
			s = v4(addr, 1);
			peers_leave(&p, SA(s));
		}
	}
	peers_fini(&p);
}

/* No limit, or an address family that is not counted: always in. */
TEST(unlimited)
{
	struct sockaddr_storage a = v4("192.0.2.1", 1), u;
	struct peers p;
	bool first;
	int i;

	ASSERT_EQ(0, peers_init(&p, 0, 2));
	for (i = 0; i < 10; i++)
		EXPECT_TRUE(peers_enter(&p, SA(a), &first));
	peers_fini(&p);
	ASSERT_EQ(0, peers_init(&p, 1, 2));
	memset(&u, 0, sizeof(u));
	u.ss_family = AF_UNIX;
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(peers_enter(&p, SA(u), &first));
	peers_fini(&p);
}

#define THREADS 8
#define ROUNDS 2000

static struct peers shared;

static void *churn(void *arg)
{
	struct sockaddr_storage a = v4((const char *)arg, 1);
	bool first;
	int i;

	for (i = 0; i < ROUNDS; i++)
		if (peers_enter(&shared, SA(a), &first))
			peers_leave(&shared, SA(a));
	return NULL;
}

TEST(threads)
{
	static const char *const addrs[2] = { "192.0.2.7", "192.0.2.8" };
	struct sockaddr_storage a = v4(addrs[0], 1);
	pthread_t t[THREADS];
	bool first;
	int i;

	ASSERT_EQ(0, peers_init(&shared, 4, 16));
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn,
					    (void *)addrs[i % 2]));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* Every enter was left: the full limit is free again. */
	for (i = 0; i < 4; i++)
		EXPECT_TRUE(peers_enter(&shared, SA(a), &first));
	EXPECT_FALSE(peers_enter(&shared, SA(a), &first));
	peers_fini(&shared);
}

TEST_HARNESS_MAIN
