// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso's request building: the ALPN wire encoding and its limits, and
 * every rule on struct ktlso_params (role, timeout, server name, profile,
 * ALPN, flags), each checked to be refused before the socket is touched.
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "fake_kernel.h"

TEST(alpn_encodes_in_order)
{
	static const char *const protos[] = { "h2", "http/1.1", NULL };
	static const uint8_t want[] = {
		2, 'h', '2',
		8, 'h', 't', 't', 'p', '/', '1', '.', '1',
	};
	uint8_t out[64];

	memset(out, 0xee, sizeof(out));
	ASSERT_EQ((int)sizeof(want), ktlso_alpn_encode(protos, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(want, out, sizeof(want)));
	/* Nothing written past the end. */
	EXPECT_EQ(0xee, out[sizeof(want)]);
}

TEST(alpn_empty_list)
{
	static const char *const none[] = { NULL };
	uint8_t out[4] = { 0xee };

	EXPECT_EQ(0, ktlso_alpn_encode(NULL, out, sizeof(out)));
	EXPECT_EQ(0, ktlso_alpn_encode(none, out, sizeof(out)));
	EXPECT_EQ(0, ktlso_alpn_encode(none, NULL, 0));
	EXPECT_EQ(0xee, out[0]);
}

TEST(alpn_name_lengths)
{
	char n255[256], n256[257];
	const char *ok[] = { n255, NULL }, *too_long[] = { n256, NULL };
	const char *empty[] = { "h2", "", NULL };
	uint8_t out[300];

	memset(n255, 'a', 255);
	n255[255] = '\0';
	memset(n256, 'b', 256);
	n256[256] = '\0';
	ASSERT_EQ(256, ktlso_alpn_encode(ok, out, sizeof(out)));
	EXPECT_EQ(255, out[0]);
	EXPECT_EQ('a', out[255]);
	EXPECT_EQ(-EINVAL, ktlso_alpn_encode(too_long, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, ktlso_alpn_encode(empty, out, sizeof(out)));
}

TEST(alpn_duplicates_refused)
{
	static const char *const dup[] = { "h2", "http/1.1", "h2", NULL };

	uint8_t out[64];

	EXPECT_EQ(-EINVAL, ktlso_alpn_encode(dup, out, sizeof(out)));
}

/* Exactly fitting is fine; one byte short is -EMSGSIZE, at any name. */
TEST(alpn_capacity)
{
	static const char *const protos[] = { "h2", "http/1.1", NULL };
	uint8_t out[12];
	size_t cap;

	EXPECT_EQ(12, ktlso_alpn_encode(protos, out, 12));
	for (cap = 0; cap < 12; cap++)
		EXPECT_EQ(-EMSGSIZE, ktlso_alpn_encode(protos, out, cap)) {
			TH_LOG("cap %zu", cap);
		}
}

FIXTURE(params) {
	struct ktlso_hs_request req;
};

FIXTURE_SETUP(params)
{
	fake_install();
}

FIXTURE_TEARDOWN(params)
{
}

TEST_F(params, client_request_fields)
{
	static const char *const alpn[] = { "h2", "http/1.1", NULL };
	struct ktlso_params p = {
		.role = KTLSO_CLIENT,
		.timeout_ms = 5000,
		.server_name = "www.example.com",
		.profile = "web-1_a.b",
		.alpn = alpn,
	};
	static const uint8_t zero[KTLSO_HS_NAME_MAX];

	ASSERT_EQ(0, ktlso_lib_build_request(&p, &self->req));
	EXPECT_EQ(0, ktlso_params_check(&p));
	EXPECT_EQ(KTLSO_HS_ROLE_CLIENT, self->req.role);
	EXPECT_EQ(0, memcmp(zero, self->req.reserved, sizeof(self->req.reserved)));
	EXPECT_EQ(5000U, self->req.timeout_ms);
	EXPECT_STREQ("www.example.com", self->req.server_name);
	EXPECT_STREQ("web-1_a.b", self->req.profile);
	ASSERT_EQ(12U, self->req.alpn_len);
	EXPECT_EQ(0, memcmp("\x02h2\x08http/1.1", self->req.alpn, 12));
	/* The tails are zero: no stack garbage goes to the kernel. */
	EXPECT_EQ(0, memcmp(zero, self->req.server_name + 16,
			    sizeof(self->req.server_name) - 16));
	EXPECT_EQ(0, memcmp(zero, self->req.alpn + 12,
			    sizeof(self->req.alpn) - 12));
}

TEST_F(params, server_defaults)
{
	struct ktlso_params p = { .role = KTLSO_SERVER };

	ASSERT_EQ(0, ktlso_lib_build_request(&p, &self->req));
	EXPECT_EQ(KTLSO_HS_ROLE_SERVER, self->req.role);
	EXPECT_EQ(0U, self->req.timeout_ms);
	EXPECT_STREQ("", self->req.server_name);
	EXPECT_STREQ("", self->req.profile);
	EXPECT_EQ(0U, self->req.alpn_len);
}

TEST_F(params, limits_at_the_edge)
{
	char name[KTLSO_SERVER_NAME_MAX + 1], profile[KTLSO_PROFILE_MAX + 1];
	struct ktlso_params p = {
		.role = KTLSO_CLIENT,
		.timeout_ms = KTLSO_TIMEOUT_MAX_MS,
		.server_name = name,
		.profile = profile,
	};

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(profile, 'p', sizeof(profile) - 1);
	profile[sizeof(profile) - 1] = '\0';
	ASSERT_EQ(0, ktlso_lib_build_request(&p, &self->req));
	EXPECT_EQ((size_t)KTLSO_SERVER_NAME_MAX, strlen(self->req.server_name));
	EXPECT_EQ((size_t)KTLSO_PROFILE_MAX, strlen(self->req.profile));
	EXPECT_EQ((unsigned int)KTLSO_TIMEOUT_MAX_MS, self->req.timeout_ms);
}

/* Every refusal comes before the socket is touched. */
static void expect_refused(struct __test_metadata *_metadata,
			   const struct ktlso_params *p, const char *why)
{
	struct ktlso_hs_request req;

	EXPECT_EQ(-EINVAL, ktlso_lib_build_request(p, &req)) {
		TH_LOG("%s: built", why);
	}
	EXPECT_EQ(-EINVAL, ktlso_params_check(p)) {
		TH_LOG("%s: checked", why);
	}
	EXPECT_EQ(-EINVAL, ktlso_handshake(FAKE_FD, p)) {
		TH_LOG("%s: handshake went ahead", why);
	}
	EXPECT_EQ(-EINVAL, ktlso_handshake_start(FAKE_FD, p)) {
		TH_LOG("%s: start went ahead", why);
	}
	EXPECT_EQ(0, fake.n_set) {
		TH_LOG("%s: %d setsockopt calls", why, fake.n_set);
	}
}

TEST_F(params, bad_params_refused)
{
	static const char *const empty_alpn[] = { "", NULL };
	static const char *const dup_alpn[] = { "a", "a", NULL };
	const char *names[53];
	char store[52 * 5];
	char long_name[KTLSO_SERVER_NAME_MAX + 2];
	char long_profile[KTLSO_PROFILE_MAX + 2];
	struct ktlso_params p;
	int i;

	expect_refused(_metadata, NULL, "NULL params");

	p = (struct ktlso_params){ .role = 0 };
	expect_refused(_metadata, &p, "role 0");
	p = (struct ktlso_params){ .role = 3 };
	expect_refused(_metadata, &p, "role 3");

	p = (struct ktlso_params){ .role = KTLSO_CLIENT,
				   .timeout_ms = KTLSO_TIMEOUT_MAX_MS + 1 };
	expect_refused(_metadata, &p, "timeout");

	p = (struct ktlso_params){ .role = KTLSO_CLIENT, .flags = 1 };
	expect_refused(_metadata, &p, "flags");

	p = (struct ktlso_params){ .role = KTLSO_SERVER,
				   .server_name = "example.com" };
	expect_refused(_metadata, &p, "server with a server name");

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	p = (struct ktlso_params){ .role = KTLSO_CLIENT,
				   .server_name = long_name };
	expect_refused(_metadata, &p, "server name too long");
	p.server_name = "exa mple.com";
	expect_refused(_metadata, &p, "space in server name");
	p.server_name = "example.com\n";
	expect_refused(_metadata, &p, "newline in server name");
	p.server_name = "ex\x7f" "ample";
	expect_refused(_metadata, &p, "DEL in server name");

	memset(long_profile, 'p', sizeof(long_profile) - 1);
	long_profile[sizeof(long_profile) - 1] = '\0';
	p = (struct ktlso_params){ .role = KTLSO_CLIENT,
				   .profile = long_profile };
	expect_refused(_metadata, &p, "profile too long");
	p.profile = "../etc";
	expect_refused(_metadata, &p, "slash in profile");
	p.profile = "a b";
	expect_refused(_metadata, &p, "space in profile");
	p.profile = "caf\xc3\xa9";
	expect_refused(_metadata, &p, "non-ASCII profile");

	p = (struct ktlso_params){ .role = KTLSO_CLIENT, .alpn = empty_alpn };
	expect_refused(_metadata, &p, "empty ALPN name");
	p.alpn = dup_alpn;
	expect_refused(_metadata, &p, "repeated ALPN name");

	/* 52 names of 4 bytes: 260 bytes of wire format, over 256. */
	for (i = 0; i < 52; i++) {
		snprintf(store + i * 5, 5, "p%03d", i);
		names[i] = store + i * 5;
	}
	names[52] = NULL;
	p.alpn = names;
	expect_refused(_metadata, &p, "ALPN list over 256 bytes");
	/* 51 of them, 255 bytes, fit. */
	names[51] = NULL;
	ASSERT_EQ(0, ktlso_lib_build_request(&p, &self->req));
	EXPECT_EQ(255U, self->req.alpn_len);
	EXPECT_EQ(0, memcmp("\x04p050", self->req.alpn + 250, 5));
}

TEST_HARNESS_MAIN
