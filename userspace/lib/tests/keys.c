// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_set_keys() and ktlso_crypto_info_size(): every version and cipher
 * the kernel's record layer has, with its struct size; each malformed
 * argument refused before the socket is touched; TX installed before RX,
 * with the caller's exact bytes and length; the kernel's errors passed
 * back; a real socket that is not TCP.  ktlso_tls13_crypto_info(): RFC
 * 8448's application traffic keys from its secrets, laid out as the
 * kernel reads them, for every TLS 1.3 suite's struct; bad suites,
 * lengths and buffers refused.
 */
#include <linux/tls.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "fake_kernel.h"
#include "engine/tests/vector_file.h"

#define TLS12 TLS_1_2_VERSION
#define TLS13 TLS_1_3_VERSION

TEST(crypto_info_sizes)
{
	static const struct {
		uint16_t version, cipher;
		int size;
	} cases[] = {
		{ TLS12, TLS_CIPHER_AES_GCM_128,
		  sizeof(struct tls12_crypto_info_aes_gcm_128) },
		{ TLS13, TLS_CIPHER_AES_GCM_128,
		  sizeof(struct tls12_crypto_info_aes_gcm_128) },
		{ TLS13, TLS_CIPHER_AES_GCM_256,
		  sizeof(struct tls12_crypto_info_aes_gcm_256) },
		{ TLS12, TLS_CIPHER_AES_CCM_128,
		  sizeof(struct tls12_crypto_info_aes_ccm_128) },
		{ TLS13, TLS_CIPHER_CHACHA20_POLY1305,
		  sizeof(struct tls12_crypto_info_chacha20_poly1305) },
		{ TLS13, 55 /* SM4-GCM */, 40 },
		{ TLS13, 56 /* SM4-CCM */, 40 },
		{ TLS12, 57 /* ARIA-GCM-128 */, 40 },
		{ TLS12, 58 /* ARIA-GCM-256 */, 56 },
		/* ARIA has no TLS 1.3 suite; the kernel refuses it there. */
		{ TLS13, 57, -EINVAL },
		{ TLS13, 58, -EINVAL },
		{ TLS12, 50, -EINVAL },
		{ TLS12, 59, -EINVAL },
		{ TLS12, 0, -EINVAL },
		{ 0x0302, TLS_CIPHER_AES_GCM_128, -EINVAL },
		{ 0x0305, TLS_CIPHER_AES_GCM_128, -EINVAL },
		{ 0, TLS_CIPHER_AES_GCM_128, -EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_EQ(cases[i].size, ktlso_crypto_info_size(cases[i].version,
								cases[i].cipher)) {
			TH_LOG("version %#x cipher %u", cases[i].version,
			       cases[i].cipher);
		}
}

FIXTURE(keys) {
	struct tls12_crypto_info_aes_gcm_128 tx, rx;
	struct tls12_crypto_info_chacha20_poly1305 cc;
};

FIXTURE_SETUP(keys)
{
	fake_install();
	memset(&self->tx, 0x11, sizeof(self->tx));
	self->tx.info.version = TLS13;
	self->tx.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memset(&self->rx, 0x22, sizeof(self->rx));
	self->rx.info = self->tx.info;
	memset(&self->cc, 0x33, sizeof(self->cc));
	self->cc.info.version = TLS13;
	self->cc.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
}

FIXTURE_TEARDOWN(keys)
{
}

TEST_F(keys, tx_then_rx)
{
	ASSERT_EQ(0, ktlso_set_keys(FAKE_FD, &self->tx.info, sizeof(self->tx),
				    &self->rx.info, sizeof(self->rx)));
	ASSERT_EQ(3, fake.n_set);
	EXPECT_EQ(TCP_ULP, fake.set[0].name);
	EXPECT_STREQ("ktlso", fake.ulp);
	EXPECT_EQ(SOL_TLS, fake.set[1].level);
	EXPECT_EQ(TLS_TX, fake.set[1].name);
	EXPECT_EQ(sizeof(self->tx), fake.set[1].len);
	EXPECT_EQ(TLS_RX, fake.set[2].name);
	EXPECT_EQ(sizeof(self->rx), fake.set[2].len);
	EXPECT_TRUE(fake.have_tx);
	EXPECT_TRUE(fake.have_rx);
}

TEST_F(keys, one_direction)
{
	ASSERT_EQ(0, ktlso_set_keys(FAKE_FD, NULL, 0, &self->cc.info,
				    sizeof(self->cc)));
	ASSERT_EQ(2, fake.n_set);
	EXPECT_EQ(TLS_RX, fake.set[1].name);
	EXPECT_EQ(sizeof(self->cc), fake.set[1].len);
	EXPECT_FALSE(fake.have_tx);
	/* Later, the other direction; ktlso is attached already. */
	self->cc.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
	ASSERT_EQ(0, ktlso_set_keys(FAKE_FD, &self->cc.info, sizeof(self->cc),
				    NULL, 0));
	EXPECT_TRUE(fake.have_tx);
}

static void expect_refused(struct __test_metadata *_metadata,
			   const struct tls_crypto_info *tx, size_t tx_len,
			   const struct tls_crypto_info *rx, size_t rx_len,
			   const char *why)
{
	EXPECT_EQ(-EINVAL, ktlso_set_keys(FAKE_FD, tx, tx_len, rx, rx_len)) {
		TH_LOG("%s: accepted", why);
	}
	EXPECT_EQ(0, fake.n_set) {
		TH_LOG("%s: the socket was touched", why);
	}
}

TEST_F(keys, bad_arguments_refused)
{
	struct tls12_crypto_info_aes_gcm_256 big;
	struct tls_crypto_info *tx = &self->tx.info;
	size_t len = sizeof(self->tx);

	expect_refused(_metadata, NULL, 0, NULL, 0, "no keys");
	expect_refused(_metadata, tx, len - 1, NULL, 0, "short");
	expect_refused(_metadata, tx, len + 1, NULL, 0, "long");
	expect_refused(_metadata, tx, 2, NULL, 0, "shorter than the header");
	expect_refused(_metadata, NULL, 0, tx, 0, "empty rx");

	/* An AES-128 struct's size for AES-256: refused. */
	memset(&big, 0, sizeof(big));
	big.info.version = TLS13;
	big.info.cipher_type = TLS_CIPHER_AES_GCM_256;
	expect_refused(_metadata, &big.info, len, NULL, 0, "256 with 128's size");
	EXPECT_EQ(0, ktlso_set_keys(FAKE_FD, &big.info, sizeof(big), NULL, 0));
	fake_install();

	self->tx.info.version = 0x0302;
	expect_refused(_metadata, tx, len, NULL, 0, "TLS 1.1");
	self->tx.info.version = TLS13;
	self->tx.info.cipher_type = 99;
	expect_refused(_metadata, tx, len, NULL, 0, "unknown cipher");
	self->tx.info.cipher_type = 57;	/* ARIA-GCM-128 */
	expect_refused(_metadata, tx, len, NULL, 0, "ARIA in TLS 1.3");
	self->tx.info.cipher_type = TLS_CIPHER_AES_GCM_128;

	/* The two directions disagree. */
	self->rx.info.version = TLS12;
	expect_refused(_metadata, tx, len, &self->rx.info, sizeof(self->rx),
		       "versions differ");
	self->rx.info.version = TLS13;
	expect_refused(_metadata, tx, len, &self->cc.info, sizeof(self->cc),
		       "ciphers differ");
}

TEST_F(keys, kernel_errors_pass_back)
{
	fake.tx_err = EBUSY;
	EXPECT_EQ(-EBUSY, ktlso_set_keys(FAKE_FD, &self->tx.info,
					 sizeof(self->tx), &self->rx.info,
					 sizeof(self->rx)));
	/* RX is not tried after TX failed. */
	EXPECT_EQ(2, fake.n_set);
	EXPECT_FALSE(fake.have_rx);

	fake_install();
	strcpy(fake.ulp, "tls");
	EXPECT_EQ(-EEXIST, ktlso_set_keys(FAKE_FD, &self->tx.info,
					  sizeof(self->tx), NULL, 0));
	EXPECT_FALSE(fake.have_tx);

	fake_install();
	fake.attach_err = ENOENT;
	EXPECT_EQ(-ENOENT, ktlso_set_keys(FAKE_FD, &self->tx.info,
					  sizeof(self->tx), NULL, 0));
}

TEST_F(keys, real_socketpair)
{
	int sv[2];

	ktlso_lib_sys = &ktlso_lib_sys_libc;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_set_keys(sv[0], &self->tx.info,
						     sizeof(self->tx), NULL,
						     0)));
	close(sv[0]);
	close(sv[1]);
}

/* RFC 8448 3: the server's and client's application keys, any sequence. */
TEST(tls13_keys_from_rfc8448)
{
	static const struct {
		const char *secret, *key, *iv;
		uint64_t seq;
	} dirs[] = {
		{ "s_ap_traffic", "s_ap_key", "s_ap_iv", 0 },
		{ "c_ap_traffic", "c_ap_key", "c_ap_iv", 0x0102030405060708ull },
	};
	struct tls12_crypto_info_aes_gcm_128 ci;
	struct test_vectors tv;
	size_t i;

	ASSERT_EQ(0, test_vectors_load(&tv, "rfc8448-simple-1rtt.txt"));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const struct test_vector *secret, *key, *iv;
		uint8_t seq[8];
		int b;

		secret = vector_need(_metadata, &tv, dirs[i].secret, 32);
		key = vector_need(_metadata, &tv, dirs[i].key, 16);
		iv = vector_need(_metadata, &tv, dirs[i].iv, 12);
		memset(&ci, 0xee, sizeof(ci));
		ASSERT_EQ((int)sizeof(ci),
			  ktlso_tls13_crypto_info(0x1301, secret->data, 32,
						  dirs[i].seq, &ci,
						  sizeof(ci)));
		EXPECT_EQ(TLS_1_3_VERSION, ci.info.version);
		EXPECT_EQ(TLS_CIPHER_AES_GCM_128, ci.info.cipher_type);
		EXPECT_EQ(0, memcmp(key->data, ci.key, 16));
		EXPECT_EQ(0, memcmp(iv->data, ci.salt, 4));
		EXPECT_EQ(0, memcmp(iv->data + 4, ci.iv, 8));
		for (b = 0; b < 8; b++)
			seq[b] = (uint8_t)(dirs[i].seq >> (56 - 8 * b));
		EXPECT_EQ(0, memcmp(seq, ci.rec_seq, 8));
		/* What ktlso_set_keys() takes as it is. */
		EXPECT_EQ((int)sizeof(ci),
			  ktlso_crypto_info_size(ci.info.version,
						 ci.info.cipher_type));
	}
	test_vectors_free(&tv);
}

TEST(tls13_keys_every_suite)
{
	static const struct {
		uint16_t suite, cipher;
		size_t secret_len;
		int size;
	} cases[] = {
		{ 0x1301, TLS_CIPHER_AES_GCM_128, 32,
		  sizeof(struct tls12_crypto_info_aes_gcm_128) },
		{ 0x1302, TLS_CIPHER_AES_GCM_256, 48,
		  sizeof(struct tls12_crypto_info_aes_gcm_256) },
		{ 0x1303, TLS_CIPHER_CHACHA20_POLY1305, 32,
		  sizeof(struct tls12_crypto_info_chacha20_poly1305) },
		{ 0x1304, TLS_CIPHER_AES_CCM_128, 32,
		  sizeof(struct tls12_crypto_info_aes_ccm_128) },
	};
	uint8_t secret[48], out[KTLSO_CRYPTO_INFO_MAX];
	size_t i;

	memset(secret, 0x5a, sizeof(secret));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tls_crypto_info *h = (const void *)out;

		EXPECT_EQ(cases[i].size,
			  ktlso_tls13_crypto_info(cases[i].suite, secret,
						  cases[i].secret_len, 0, out,
						  sizeof(out)));
		EXPECT_EQ(TLS_1_3_VERSION, h->version);
		EXPECT_EQ(cases[i].cipher, h->cipher_type);
		/* One byte short: nothing written. */
		memset(out, 0, sizeof(out));
		EXPECT_EQ(-ENOBUFS,
			  ktlso_tls13_crypto_info(cases[i].suite, secret,
						  cases[i].secret_len, 0, out,
						  (size_t)cases[i].size - 1));
		EXPECT_EQ(0, h->version);
		/* The other hash's length. */
		EXPECT_EQ(-EINVAL,
			  ktlso_tls13_crypto_info(cases[i].suite, secret,
						  80 - cases[i].secret_len, 0,
						  out, sizeof(out)));
	}
}

TEST(tls13_keys_refused)
{
	static const uint8_t secret[32] = { 1 };
	static uint8_t out[KTLSO_CRYPTO_INFO_MAX];
	/* A TLS 1.2 suite, unknown suites, missing pointers, no secret. */
	static const struct {
		uint16_t suite;
		const void *secret;
		size_t len;
		void *out;
	} cases[] = {
		{ 0xc02f, secret, 32, out }, { 0x1305, secret, 32, out },
		{ 0, secret, 32, out }, { 0x1301, NULL, 32, out },
		{ 0x1301, secret, 32, NULL }, { 0x1301, secret, 0, out },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(-EINVAL, ktlso_tls13_crypto_info(cases[i].suite,
							   cases[i].secret,
							   cases[i].len, 0,
							   cases[i].out,
							   sizeof(out)));
}

TEST_HARNESS_MAIN
