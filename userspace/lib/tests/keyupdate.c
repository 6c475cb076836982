// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_set_traffic_secret(), ktlso_key_update() and
 * ktlso_get_key_state(): every malformed argument refused before the
 * socket is touched; the kernel's struct exactly as the uAPI has it (hash,
 * length, zero padding, the secret's bytes); the direction picks the
 * option; the kernel's errors passed back; a kernel struct of another
 * size refused; real sockets without ktlso.
 */
#include <linux/tls.h>
#include <netinet/in.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "fake_kernel.h"

FIXTURE(ku) {
	uint8_t secret[KTLSO_SECRET_MAX + 1];
};

FIXTURE_SETUP(ku)
{
	size_t i;

	fake_install();
	strcpy(fake.ulp, KTLSO_ULP_NAME);
	for (i = 0; i < sizeof(self->secret); i++)
		self->secret[i] = (uint8_t)(0xa0 + i);
}

FIXTURE_TEARDOWN(ku)
{
}

static void expect_struct(struct __test_metadata *_metadata,
			  const struct ktlso_traffic_secret *ts,
			  unsigned int hash, const uint8_t *secret, size_t len)
{
	static const uint8_t zero[KTLSO_SECRET_MAX];

	EXPECT_EQ(hash, ts->hash);
	EXPECT_EQ(len, ts->secret_len);
	EXPECT_EQ(0u, ts->reserved);
	EXPECT_EQ(0, memcmp(secret, ts->secret, len));
	EXPECT_EQ(0, memcmp(zero, ts->secret + len, KTLSO_SECRET_MAX - len));
}

TEST_F(ku, secret_each_direction_and_hash)
{
	ASSERT_EQ(0, ktlso_set_traffic_secret(FAKE_FD, TLS_TX,
					      KTLSO_HASH_SHA256, self->secret,
					      32));
	ASSERT_EQ(1, fake.n_set);
	EXPECT_EQ(SOL_TLS, fake.set[0].level);
	EXPECT_EQ(KTLSO_TX_SECRET, fake.set[0].name);
	EXPECT_EQ(sizeof(struct ktlso_traffic_secret), fake.set[0].len);
	expect_struct(_metadata, &fake.tx_secret, KTLSO_HASH_SHA256,
		      self->secret, 32);

	ASSERT_EQ(0, ktlso_set_traffic_secret(FAKE_FD, TLS_RX,
					      KTLSO_HASH_SHA384, self->secret,
					      48));
	ASSERT_EQ(2, fake.n_set);
	EXPECT_EQ(KTLSO_RX_SECRET, fake.set[1].name);
	expect_struct(_metadata, &fake.rx_secret, KTLSO_HASH_SHA384,
		      self->secret, 48);

	ASSERT_EQ(0, ktlso_set_traffic_secret(FAKE_FD, TLS_TX, KTLSO_HASH_SM3,
					      self->secret, 32));
	expect_struct(_metadata, &fake.tx_secret, KTLSO_HASH_SM3,
		      self->secret, 32);
}

static void expect_refused(struct __test_metadata *_metadata, int dir,
			   unsigned int hash, const void *secret, size_t len,
			   const char *why)
{
	EXPECT_EQ(-EINVAL, ktlso_set_traffic_secret(FAKE_FD, dir, hash,
						    secret, len)) {
		TH_LOG("%s: accepted", why);
	}
	EXPECT_EQ(0, fake.n_set) {
		TH_LOG("%s: the socket was touched", why);
	}
}

TEST_F(ku, secret_bad_arguments_refused)
{
	const uint8_t *s = self->secret;

	expect_refused(_metadata, 0, KTLSO_HASH_SHA256, s, 32, "direction 0");
	expect_refused(_metadata, 3, KTLSO_HASH_SHA256, s, 32, "direction 3");
	expect_refused(_metadata, -1, KTLSO_HASH_SHA256, s, 32, "direction -1");
	expect_refused(_metadata, TLS_TX, 0, s, 32, "hash 0");
	expect_refused(_metadata, TLS_TX, 4, s, 32, "hash 4");
	expect_refused(_metadata, TLS_TX, 0x10001, s, 32, "hash beyond u16");
	expect_refused(_metadata, TLS_TX, KTLSO_HASH_SHA256, s, 31, "short");
	expect_refused(_metadata, TLS_TX, KTLSO_HASH_SHA256, s, 48,
		       "SHA-384's length for SHA-256");
	expect_refused(_metadata, TLS_RX, KTLSO_HASH_SHA384, s, 32,
		       "SHA-256's length for SHA-384");
	expect_refused(_metadata, TLS_RX, KTLSO_HASH_SHA384, s, 49, "long");
	expect_refused(_metadata, TLS_RX, KTLSO_HASH_SM3, s, 48, "SM3, 48");
	expect_refused(_metadata, TLS_TX, KTLSO_HASH_SHA256, s, 0, "empty");
	expect_refused(_metadata, TLS_TX, KTLSO_HASH_SHA256, NULL, 32, "NULL");
}

/* The kernel's answers come back as they are; ktlso is not attached here. */
TEST_F(ku, secret_kernel_errors)
{
	fake.secret_err = EBUSY;
	EXPECT_EQ(-EBUSY, ktlso_set_traffic_secret(FAKE_FD, TLS_TX,
						   KTLSO_HASH_SHA256,
						   self->secret, 32));
	fake.secret_err = EINVAL;
	EXPECT_EQ(-EINVAL, ktlso_set_traffic_secret(FAKE_FD, TLS_RX,
						    KTLSO_HASH_SHA256,
						    self->secret, 32));
	fake.secret_err = ENOENT;
	EXPECT_EQ(-ENOENT, ktlso_set_traffic_secret(FAKE_FD, TLS_TX,
						    KTLSO_HASH_SM3,
						    self->secret, 32));
	/* Keys are installed already: nothing attaches a ULP. */
	fake_install();
	EXPECT_EQ(-ENOPROTOOPT, ktlso_set_traffic_secret(FAKE_FD, TLS_TX,
							 KTLSO_HASH_SHA256,
							 self->secret, 32));
	EXPECT_EQ(1, fake.n_set);
	EXPECT_STREQ("", fake.ulp);
}

TEST_F(ku, key_update)
{
	ASSERT_EQ(0, ktlso_key_update(FAKE_FD, false));
	ASSERT_EQ(1, fake.n_set);
	EXPECT_EQ(SOL_TLS, fake.set[0].level);
	EXPECT_EQ(KTLSO_KEY_UPDATE, fake.set[0].name);
	EXPECT_EQ(sizeof(uint32_t), fake.set[0].len);
	EXPECT_EQ((uint32_t)KTLSO_KEY_UPDATE_NOT_REQUESTED, fake.key_update);

	ASSERT_EQ(0, ktlso_key_update(FAKE_FD, true));
	EXPECT_EQ((uint32_t)KTLSO_KEY_UPDATE_REQUESTED, fake.key_update);

	fake.key_update_err = EINVAL;	/* no transmit secret */
	EXPECT_EQ(-EINVAL, ktlso_key_update(FAKE_FD, true));
	fake.key_update_err = EKEYEXPIRED;
	EXPECT_EQ(-EKEYEXPIRED, ktlso_key_update(FAKE_FD, false));
	fake.key_update_err = EPIPE;
	EXPECT_EQ(-EPIPE, ktlso_key_update(FAKE_FD, false));
}

TEST_F(ku, key_state)
{
	struct ktlso_key_state st;

	fake.key_state.tx_gen = 300;
	fake.key_state.rx_gen = 7;
	fake.key_state.tx_auto = 1;
	fake.key_state.rx_auto = 1;
	fake.key_state.tx_records = 5;
	fake.key_state.tx_limit = 8;
	memset(&st, 0x5a, sizeof(st));
	ASSERT_EQ(0, ktlso_get_key_state(FAKE_FD, &st));
	EXPECT_EQ(0, memcmp(&fake.key_state, &st, sizeof(st)));

	EXPECT_EQ(-EINVAL, ktlso_get_key_state(FAKE_FD, NULL));

	/* A kernel whose struct is another size: refused, nothing kept. */
	fake.key_state_len = sizeof(st) - 8;
	memset(&st, 0x5a, sizeof(st));
	EXPECT_EQ(-EPROTO, ktlso_get_key_state(FAKE_FD, &st));
	EXPECT_EQ(0u, st.tx_gen);
	EXPECT_EQ(0u, st.tx_limit);
	fake.key_state_len = 0;

	/* An older module, or no ktlso: its errno, the struct zeroed. */
	fake.key_state_err = ENOPROTOOPT;
	memset(&st, 0x5a, sizeof(st));
	EXPECT_EQ(-ENOPROTOOPT, ktlso_get_key_state(FAKE_FD, &st));
	EXPECT_EQ(0u, st.rx_gen);
}

/* Real sockets of the host's kernel, which has no ktlso. */
TEST(without_ktlso)
{
	uint8_t secret[32] = { 1 };
	struct ktlso_key_state st;
	int sv[2], tcp;

	ktlso_lib_sys = &ktlso_lib_sys_libc;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_set_traffic_secret(
		sv[0], TLS_TX, KTLSO_HASH_SHA256, secret, sizeof(secret))));
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_key_update(sv[0], true)));
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_get_key_state(sv[0], &st)));
	close(sv[0]);
	close(sv[1]);

	tcp = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, tcp);
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_key_update(tcp, false)));
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_get_key_state(tcp, &st)));
	close(tcp);
	EXPECT_EQ(-EBADF, ktlso_key_update(tcp, false));
}

TEST_HARNESS_MAIN
