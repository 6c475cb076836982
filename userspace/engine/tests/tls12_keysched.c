// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 key schedule: the PRF (P_SHA256, P_SHA384) against the published
 * "test label" vectors, master secret and key block against NIST CAVP,
 * extended master secret against NIST ACVP, the key-block split for every
 * AEAD, Finished, and the kernel crypto_info built from the split keys.
 * Expected values come from vectors/tls12-prf.txt and
 * vectors/tls12-key-block.txt.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/crypto_info.h"
#include "engine/keysched.h"
#include "vector_file.h"

#define MS_LEN KTLSO_TLS12_MASTER_SECRET_LEN
#define RND_LEN KTLSO_TLS12_RANDOM_LEN

FIXTURE(tls12) {
	struct test_vectors prf;
	struct test_vectors kb;
};

FIXTURE_SETUP(tls12)
{
	ASSERT_EQ(0, test_vectors_load(&self->prf, "tls12-prf.txt"));
	ASSERT_EQ(0, test_vectors_load(&self->kb, "tls12-key-block.txt"));
}

FIXTURE_TEARDOWN(tls12)
{
	test_vectors_free(&self->prf);
	test_vectors_free(&self->kb);
	EXPECT_EQ(0, test_leaks());
}

/* Look up "<prefix>_<field>" in @tv. */
static const struct test_vector *field(struct __test_metadata *_metadata,
				       const struct test_vectors *tv,
				       const char *prefix, const char *name,
				       size_t len)
{
	char full[VECTOR_NAME_MAX];

	snprintf(full, sizeof(full), "%s_%s", prefix, name);
	return VEC(tv, full, len);
}

static void prf_case(struct __test_metadata *_metadata,
		     const struct test_vectors *tv, const char *prefix,
		     enum ktlso_md hash)
{
	const struct test_vector *label = VEC(tv, "label", 0);
	const struct test_vector *secret = field(_metadata, tv, prefix, "secret", 0);
	const struct test_vector *seed = field(_metadata, tv, prefix, "seed", 0);
	const struct test_vector *want = field(_metadata, tv, prefix, "output", 0);
	char label_str[64];
	uint8_t out[256];

	ASSERT_LT(label->len, sizeof(label_str));
	memcpy(label_str, label->data, label->len);
	label_str[label->len] = '\0';
	ASSERT_LE(want->len, sizeof(out));
	ASSERT_EQ(0, ktlso_tls12_prf(hash, secret->data, secret->len, label_str,
				     seed->data, seed->len, out, want->len));
	EXPECT_BYTES(prefix, want->data, out, want->len);
}

TEST_F(tls12, prf_sha256)
{
	prf_case(_metadata, &self->prf, "sha256", KTLSO_MD_SHA256);
}

TEST_F(tls12, prf_sha384)
{
	prf_case(_metadata, &self->prf, "sha384", KTLSO_MD_SHA384);
}

TEST_F(tls12, prf_bounds)
{
	uint8_t secret[16] = { 1 }, out[16];

	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_prf(KTLSO_MD_SHA256, secret, 0, "x", NULL, 0,
				  out, sizeof(out)));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_prf(KTLSO_MD_SHA256, secret, sizeof(secret), "",
				  NULL, 0, out, sizeof(out)));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_prf(KTLSO_MD_SHA256, secret, sizeof(secret), "x",
				  NULL, 0, out, 0));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_prf(KTLSO_MD_SHA256, secret, sizeof(secret), "x",
				  NULL, 0, out, KTLSO_TLS12_PRF_OUT_MAX + 1));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_prf((enum ktlso_md)7, secret, sizeof(secret),
				  "x", NULL, 0, out, sizeof(out)));
}

/* CAVP: pre-master secret -> master secret -> key_block. */
static void cavp_case(struct __test_metadata *_metadata,
		      const struct test_vectors *tv, const char *prefix,
		      enum ktlso_md hash)
{
	const struct test_vector *pms =
		field(_metadata, tv, prefix, "pre_master_secret", 0);
	const struct test_vector *want_kb =
		field(_metadata, tv, prefix, "key_block", 128);
	uint8_t ms[MS_LEN], kb[128];

	ASSERT_EQ(0, ktlso_tls12_master_secret(hash, pms->data, pms->len,
			field(_metadata, tv, prefix, "client_hello_random", RND_LEN)->data,
			field(_metadata, tv, prefix, "server_hello_random", RND_LEN)->data,
			ms));
	EXPECT_BYTES("master secret",
		     field(_metadata, tv, prefix, "master_secret", MS_LEN)->data,
		     ms, MS_LEN);
	ASSERT_EQ(0, ktlso_tls12_key_block(hash, ms,
			field(_metadata, tv, prefix, "client_random", RND_LEN)->data,
			field(_metadata, tv, prefix, "server_random", RND_LEN)->data,
			kb, sizeof(kb)));
	EXPECT_BYTES("key block", want_kb->data, kb, sizeof(kb));
}

TEST_F(tls12, cavp_sha256)
{
	cavp_case(_metadata, &self->kb, "cavp_sha256", KTLSO_MD_SHA256);
}

TEST_F(tls12, cavp_sha384)
{
	cavp_case(_metadata, &self->kb, "cavp_sha384", KTLSO_MD_SHA384);
}

/* ACVP RFC 7627: pre-master secret + session hash -> EMS -> key_block. */
static void ems_case(struct __test_metadata *_metadata,
		     const struct test_vectors *tv, const char *prefix,
		     enum ktlso_md hash)
{
	const struct test_vector *pms =
		field(_metadata, tv, prefix, "pre_master_secret", 0);
	const struct test_vector *sh =
		field(_metadata, tv, prefix, "session_hash", ktlso_hash_len(hash));
	const uint8_t *cr = field(_metadata, tv, prefix, "client_random", RND_LEN)->data;
	const uint8_t *sr = field(_metadata, tv, prefix, "server_random", RND_LEN)->data;
	const struct test_vector *want_kb =
		field(_metadata, tv, prefix, "key_block", 128);
	uint8_t ms[MS_LEN], plain_ms[MS_LEN], kb[128];

	ASSERT_EQ(0, ktlso_tls12_extended_master_secret(hash, pms->data,
			pms->len, sh->data, sh->len, ms));
	EXPECT_BYTES("extended master secret",
		     field(_metadata, tv, prefix, "master_secret", MS_LEN)->data,
		     ms, MS_LEN);
	ASSERT_EQ(0, ktlso_tls12_key_block(hash, ms, cr, sr, kb, sizeof(kb)));
	EXPECT_BYTES("key block", want_kb->data, kb, sizeof(kb));

	/* The same inputs without EMS give another master secret. */
	ASSERT_EQ(0, ktlso_tls12_master_secret(hash, pms->data, pms->len, cr,
					       sr, plain_ms));
	EXPECT_NE(0, memcmp(ms, plain_ms, MS_LEN));
}

TEST_F(tls12, ems_sha256)
{
	ems_case(_metadata, &self->kb, "ems_sha256", KTLSO_MD_SHA256);
}

TEST_F(tls12, ems_sha384)
{
	ems_case(_metadata, &self->kb, "ems_sha384", KTLSO_MD_SHA384);
}

/*
 * The key block split of RFC 5246 section 6.3 for each AEAD: no MAC keys,
 * then client_write_key, server_write_key, client_write_IV, server_write_IV.
 * The expected keys are the slices of the CAVP key block at those offsets.
 */
static void split_case(struct __test_metadata *_metadata,
		       const struct test_vectors *tv, const char *prefix,
		       uint16_t suite_id, size_t key_len, size_t iv_len)
{
	const struct ktlso_suite *suite = ktlso_suite_find(suite_id);
	const uint8_t *kb = field(_metadata, tv, prefix, "key_block", 128)->data;
	struct ktlso_traffic_keys c, s;

	ASSERT_NE(NULL, suite);
	ASSERT_EQ(0, ktlso_tls12_traffic_keys(suite,
			field(_metadata, tv, prefix, "master_secret", MS_LEN)->data,
			field(_metadata, tv, prefix, "client_random", RND_LEN)->data,
			field(_metadata, tv, prefix, "server_random", RND_LEN)->data,
			&c, &s));
	ASSERT_EQ(key_len, c.key_len);
	ASSERT_EQ(key_len, s.key_len);
	ASSERT_EQ(iv_len, c.iv_len);
	ASSERT_EQ(iv_len, s.iv_len);
	EXPECT_BYTES("client_write_key", kb, c.key, key_len);
	EXPECT_BYTES("server_write_key", kb + key_len, s.key, key_len);
	EXPECT_BYTES("client_write_IV", kb + 2 * key_len, c.iv, iv_len);
	EXPECT_BYTES("server_write_IV", kb + 2 * key_len + iv_len, s.iv, iv_len);
	ktlso_traffic_keys_clear(&c);
	ktlso_traffic_keys_clear(&s);
}

TEST_F(tls12, key_block_split)
{
	/* AES-128-GCM (RFC 5288): 16-byte keys, 4-byte salts. */
	split_case(_metadata, &self->kb, "cavp_sha256", 0xc02f, 16, 4);
	/* ChaCha20-Poly1305 (RFC 7905): 32-byte keys, 12-byte IVs. */
	split_case(_metadata, &self->kb, "cavp_sha256", 0xcca9, 32, 12);
	/* AES-128-CCM (RFC 7251): 16-byte keys, 4-byte salts. */
	split_case(_metadata, &self->kb, "cavp_sha256", 0xc0ac, 16, 4);
	/* AES-256-GCM with the SHA-384 PRF. */
	split_case(_metadata, &self->kb, "cavp_sha384", 0xc030, 32, 4);
}

TEST_F(tls12, key_block_split_rejects_tls13_suite)
{
	const struct test_vectors *tv = &self->kb;
	struct ktlso_traffic_keys c, s;

	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_traffic_keys(ktlso_suite_find(0x1301),
			VEC(tv, "cavp_sha256_master_secret", MS_LEN)->data,
			VEC(tv, "cavp_sha256_client_random", RND_LEN)->data,
			VEC(tv, "cavp_sha256_server_random", RND_LEN)->data,
			&c, &s));
	EXPECT_EQ(0, c.key_len);
}

/*
 * Finished: verify_data = PRF(master_secret, finished_label,
 * Hash(handshake_messages))[0..11]. No published vector exists; the PRF is
 * proven above, so this checks label, length and the verification paths.
 */
TEST_F(tls12, finished)
{
	const uint8_t *ms = VEC(&self->kb, "cavp_sha256_master_secret", MS_LEN)->data;
	uint8_t hh[32], cv[12], sv[12], want[12];
	size_t i;

	for (i = 0; i < sizeof(hh); i++)
		hh[i] = (uint8_t)i;
	ASSERT_EQ(0, ktlso_tls12_finished(KTLSO_MD_SHA256, ms, true, hh, cv));
	ASSERT_EQ(0, ktlso_tls12_prf(KTLSO_MD_SHA256, ms, MS_LEN,
				     "client finished", hh, sizeof(hh), want,
				     sizeof(want)));
	EXPECT_BYTES("client verify_data", want, cv, sizeof(cv));
	ASSERT_EQ(0, ktlso_tls12_finished(KTLSO_MD_SHA256, ms, false, hh, sv));
	ASSERT_EQ(0, ktlso_tls12_prf(KTLSO_MD_SHA256, ms, MS_LEN,
				     "server finished", hh, sizeof(hh), want,
				     sizeof(want)));
	EXPECT_BYTES("server verify_data", want, sv, sizeof(sv));

	EXPECT_EQ(0, ktlso_tls12_finished_verify(KTLSO_MD_SHA256, ms, true,
						 hh, cv, sizeof(cv)));
	/* The client's verify_data is not the server's. */
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
		  ktlso_tls12_finished_verify(KTLSO_MD_SHA256, ms, false, hh,
					      cv, sizeof(cv)));
	cv[0] ^= 0x80;
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
		  ktlso_tls12_finished_verify(KTLSO_MD_SHA256, ms, true, hh,
					      cv, sizeof(cv)));
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_tls12_finished_verify(KTLSO_MD_SHA256, ms, true, hh,
					      cv, sizeof(cv) - 1));
}

/* Split keys -> TLS_TX/TLS_RX crypto_info, for each kernel cipher. */
TEST_F(tls12, crypto_info)
{
	const struct test_vectors *tv = &self->kb;
	static const uint8_t seq_be[8] = { 0, 0, 0, 0, 0, 0, 0, 7 };
	struct ktlso_traffic_keys c, s;
	union ktlso_crypto_info ci;
	size_t len;

	/* AES-128-GCM: salt = client_write_IV, iv = the first explicit nonce. */
	ASSERT_EQ(0, ktlso_tls12_traffic_keys(ktlso_suite_find(0xc02b),
			VEC(tv, "cavp_sha256_master_secret", MS_LEN)->data,
			VEC(tv, "cavp_sha256_client_random", RND_LEN)->data,
			VEC(tv, "cavp_sha256_server_random", RND_LEN)->data,
			&c, &s));
	ASSERT_EQ(0, ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION,
					    0xc02b, &c, 7));
	EXPECT_EQ(sizeof(ci.aes_gcm_128), len);
	EXPECT_EQ(TLS_1_2_VERSION, ci.info.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, ci.info.cipher_type);
	EXPECT_BYTES("key", c.key, ci.aes_gcm_128.key, 16);
	EXPECT_BYTES("salt", c.iv, ci.aes_gcm_128.salt, 4);
	EXPECT_BYTES("iv", seq_be, ci.aes_gcm_128.iv, 8);
	EXPECT_BYTES("rec_seq", seq_be, ci.aes_gcm_128.rec_seq, 8);

	/* AES-128-CCM: the same layout, cipher 53. */
	ASSERT_EQ(0, ktlso_tls12_traffic_keys(ktlso_suite_find(0xc0ac),
			VEC(tv, "cavp_sha256_master_secret", MS_LEN)->data,
			VEC(tv, "cavp_sha256_client_random", RND_LEN)->data,
			VEC(tv, "cavp_sha256_server_random", RND_LEN)->data,
			&c, &s));
	ASSERT_EQ(0, ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION,
					    0xc0ac, &s, 7));
	EXPECT_EQ(sizeof(ci.aes_ccm_128), len);
	EXPECT_EQ(TLS_CIPHER_AES_CCM_128, ci.info.cipher_type);
	EXPECT_BYTES("key", s.key, ci.aes_ccm_128.key, 16);
	EXPECT_BYTES("salt", s.iv, ci.aes_ccm_128.salt, 4);
	EXPECT_BYTES("iv", seq_be, ci.aes_ccm_128.iv, 8);

	/* ChaCha20-Poly1305: the whole 12-byte IV, no salt. */
	ASSERT_EQ(0, ktlso_tls12_traffic_keys(ktlso_suite_find(0xcca8),
			VEC(tv, "cavp_sha256_master_secret", MS_LEN)->data,
			VEC(tv, "cavp_sha256_client_random", RND_LEN)->data,
			VEC(tv, "cavp_sha256_server_random", RND_LEN)->data,
			&c, &s));
	ASSERT_EQ(0, ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION,
					    0xcca8, &s, 7));
	EXPECT_EQ(sizeof(ci.chacha20_poly1305), len);
	EXPECT_EQ(TLS_CIPHER_CHACHA20_POLY1305, ci.info.cipher_type);
	EXPECT_BYTES("key", s.key, ci.chacha20_poly1305.key, 32);
	EXPECT_BYTES("iv", s.iv, ci.chacha20_poly1305.iv, 12);
	EXPECT_BYTES("rec_seq", seq_be, ci.chacha20_poly1305.rec_seq, 8);

	/* AES-256-GCM under the SHA-384 PRF. */
	ASSERT_EQ(0, ktlso_tls12_traffic_keys(ktlso_suite_find(0xc02c),
			VEC(tv, "cavp_sha384_master_secret", MS_LEN)->data,
			VEC(tv, "cavp_sha384_client_random", RND_LEN)->data,
			VEC(tv, "cavp_sha384_server_random", RND_LEN)->data,
			&c, &s));
	ASSERT_EQ(0, ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION,
					    0xc02c, &c, 7));
	EXPECT_EQ(sizeof(ci.aes_gcm_256), len);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_256, ci.info.cipher_type);
	EXPECT_BYTES("key", c.key, ci.aes_gcm_256.key, 32);
	EXPECT_BYTES("salt", c.iv, ci.aes_gcm_256.salt, 4);

	/* Keys of another suite's shape are refused, and ci is left zeroed. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION, 0xc02b,
					 &c, 0));
	EXPECT_EQ(0U, len);
	EXPECT_EQ(0, ci.info.cipher_type);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION, 0x1234,
					 &c, 0));
	ktlso_traffic_keys_clear(&c);
	ktlso_traffic_keys_clear(&s);
	ktlso_crypto_info_clear(&ci);
}

TEST_HARNESS_MAIN
