// SPDX-License-Identifier: GPL-2.0
/*
 * Handshakes in flight per peer and per user (inflight.c): the bounds per
 * key, keys independent of each other, nothing counted on a refusal,
 * entries gone at zero, empty keys never counted, and the peer key taken
 * from the daemon's "ADDR:PORT" forms.
 */
#include <errno.h>
#include <stdio.h>

#include "kselftest_harness.h"

#include "daemon/inflight.h"

TEST(bounds_per_key)
{
	struct kd_inflight f;
	int i;

	kd_inflight_init(&f);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kd_inflight_enter(&f, "192.0.2.1", "uid 7", 3, 0));
	/* The peer is full; the user has no bound. */
	EXPECT_EQ(-EBUSY, kd_inflight_enter(&f, "192.0.2.1", "uid 7", 3, 0));
	EXPECT_EQ(3u, kd_inflight_count(&f, "192.0.2.1"));
	EXPECT_EQ(3u, kd_inflight_count(&f, "uid 7"));
	/* Another peer, same user: in, until the user's bound. */
	EXPECT_EQ(0, kd_inflight_enter(&f, "192.0.2.2", "uid 7", 3, 4));
	EXPECT_EQ(-EBUSY, kd_inflight_enter(&f, "192.0.2.3", "uid 7", 3, 4));
	EXPECT_EQ(0u, kd_inflight_count(&f, "192.0.2.3"));
	EXPECT_EQ(0, kd_inflight_enter(&f, "192.0.2.3", "uid 8", 3, 4));
	/* One ends: its peer has room again. */
	kd_inflight_leave(&f, "192.0.2.1", "uid 7");
	EXPECT_EQ(0, kd_inflight_enter(&f, "192.0.2.1", "uid 9", 3, 4));
	EXPECT_EQ(6u, f.entries);	/* three peers, three users */
	kd_inflight_fini(&f);
}

TEST(entries_go_at_zero)
{
	struct kd_inflight f;
	char key[32];
	int i;

	kd_inflight_init(&f);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		ASSERT_EQ(0, kd_inflight_enter(&f, key, "", 1, 1));
	}
	EXPECT_EQ(5000u, f.entries);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		kd_inflight_leave(&f, key, "");
	}
	EXPECT_EQ(0u, f.entries);
	/* Empty keys: never counted, never bounded. */
	for (i = 0; i < 10; i++)
		EXPECT_EQ(0, kd_inflight_enter(&f, "", "", 1, 1));
	EXPECT_EQ(0u, f.entries);
	kd_inflight_fini(&f);
}

TEST(peer_keys)
{
	char k[64];

	kd_inflight_peer_key("192.0.2.1:443", k, sizeof(k));
	EXPECT_STREQ("192.0.2.1", k);
	kd_inflight_peer_key("[2001:db8::1]:8443", k, sizeof(k));
	EXPECT_STREQ("2001:db8::1", k);
	kd_inflight_peer_key("?", k, sizeof(k));
	EXPECT_STREQ("", k);
	kd_inflight_peer_key(":1", k, sizeof(k));
	EXPECT_STREQ("", k);
	kd_inflight_peer_key("[", k, sizeof(k));
	EXPECT_STREQ("", k);
	kd_inflight_peer_key("192.0.2.100:1", k, 8);
	EXPECT_STREQ("", k);
}

TEST_HARNESS_MAIN
