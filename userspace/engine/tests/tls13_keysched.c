// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 key schedule beyond RFC 8448's SHA-256 trace: the SHA-384 suite
 * (TLS_AES_256_GCM_SHA384), for which no published trace exists, checked
 * against HKDF-Expand with each HkdfLabel spelled out byte by byte here and
 * run through libcrypto directly; and every argument bound.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/keysched.h"
#include "vector_file.h"

#define SHA384 KTLSO_MD_SHA384
#define H48 48

/* Raw HKDF-Expand(SHA-384, @prk, @info) from libcrypto, no engine code. */
static void raw_expand(struct __test_metadata *_metadata, const uint8_t *prk,
		       const uint8_t *info, size_t info_len, uint8_t *out,
		       size_t out_len)
{
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM params[] = {
		OSSL_PARAM_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA384", 0),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)prk, H48),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
					info_len),
		OSSL_PARAM_END,
	};
	int ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	ASSERT_TRUE(ok);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 13 * i);
}

FIXTURE(tls13) {
	uint8_t secret[H48];
};

FIXTURE_SETUP(tls13)
{
	fill(self->secret, H48, 0x21);
}

FIXTURE_TEARDOWN(tls13)
{
	EXPECT_EQ(0, test_leaks());
}

TEST_F(tls13, sha384_traffic_keys)
{
	static const uint8_t key_info[] = {
		0x00, 0x20, 9, 't', 'l', 's', '1', '3', ' ', 'k', 'e', 'y', 0x00,
	};
	static const uint8_t iv_info[] = {
		0x00, 0x0c, 8, 't', 'l', 's', '1', '3', ' ', 'i', 'v', 0x00,
	};
	struct ktlso_traffic_keys keys;
	uint8_t key[32], iv[12];

	raw_expand(_metadata, self->secret, key_info, sizeof(key_info), key,
		   sizeof(key));
	raw_expand(_metadata, self->secret, iv_info, sizeof(iv_info), iv,
		   sizeof(iv));
	ASSERT_EQ(0, ktlso_tls13_traffic_keys(ktlso_suite_find(0x1302),
					      self->secret, &keys));
	ASSERT_EQ(32, keys.key_len);
	ASSERT_EQ(12, keys.iv_len);
	EXPECT_BYTES("write_key", key, keys.key, 32);
	EXPECT_BYTES("write_iv", iv, keys.iv, 12);
	ktlso_traffic_keys_clear(&keys);
}

/* Derive-Secret(secret, "derived", "") with Hash("") of SHA-384. */
TEST_F(tls13, sha384_derive_secret_empty_transcript)
{
	uint8_t info[2 + 1 + 13 + 1 + H48] = { 0x00, H48, 13 };
	uint8_t want[H48], got[H48];
	size_t n = 0;

	memcpy(info + 3, "tls13 derived", 13);
	info[16] = H48;
	ASSERT_EQ(1, EVP_Q_digest(NULL, "SHA384", NULL, "", 0, info + 17, &n));
	ASSERT_EQ((size_t)H48, n);
	raw_expand(_metadata, self->secret, info, sizeof(info), want, H48);
	ASSERT_EQ(0, ktlso_derive_secret(SHA384, self->secret, "derived",
					 NULL, got));
	EXPECT_BYTES("derived", want, got, H48);
}

/* Finished with SHA-384: HMAC-SHA384(finished_key, transcript hash). */
TEST_F(tls13, sha384_finished)
{
	static const uint8_t fk_info[] = {
		0x00, H48, 14, 't', 'l', 's', '1', '3', ' ', 'f', 'i', 'n', 'i',
		's', 'h', 'e', 'd', 0x00,
	};
	uint8_t fk[H48], th[H48], want[H48], got[H48];
	size_t n = 0;

	fill(th, H48, 0x77);
	raw_expand(_metadata, self->secret, fk_info, sizeof(fk_info), fk, H48);
	ASSERT_NE(NULL, EVP_Q_mac(NULL, "HMAC", NULL, "SHA384", NULL, fk, H48,
				  th, H48, want, H48, &n));
	ASSERT_EQ((size_t)H48, n);
	ASSERT_EQ(0, ktlso_tls13_finished_key(SHA384, self->secret, got));
	EXPECT_BYTES("finished_key", fk, got, H48);
	ASSERT_EQ(0, ktlso_tls13_finished(SHA384, self->secret, th, got));
	EXPECT_BYTES("verify_data", want, got, H48);
	EXPECT_EQ(0, ktlso_tls13_finished_verify(SHA384, self->secret, th,
						 want, H48));
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_tls13_finished_verify(SHA384, self->secret, th, want,
					      32));
}

/* A PSK enters the early secret; no PSK is Hash.length zeros. */
TEST_F(tls13, early_secret_psk)
{
	uint8_t zeros[H48] = { 0 }, a[H48], b[H48], c[H48];

	ASSERT_EQ(0, ktlso_tls13_early_secret(SHA384, NULL, 0, a));
	ASSERT_EQ(0, ktlso_tls13_early_secret(SHA384, zeros, H48, b));
	EXPECT_BYTES("early secret without PSK", b, a, H48);
	ASSERT_EQ(0, ktlso_tls13_early_secret(SHA384, self->secret, H48, c));
	EXPECT_NE(0, memcmp(a, c, H48));
}

TEST_F(tls13, argument_bounds)
{
	char label[KTLSO_HKDF_LABEL_MAX + 2];
	uint8_t ctx[KTLSO_HKDF_CONTEXT_MAX + 1] = { 0 }, out[H48];
	static uint8_t big[255 * H48 + 1];

	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hkdf_expand_label(SHA384, self->secret, label, NULL, 0,
					  out, H48));
	label[KTLSO_HKDF_LABEL_MAX] = '\0';	/* the longest label is fine */
	EXPECT_EQ(0, ktlso_hkdf_expand_label(SHA384, self->secret, label, NULL,
					     0, out, H48));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hkdf_expand_label(SHA384, self->secret, "x", ctx,
					  sizeof(ctx), out, H48));
	EXPECT_EQ(0, ktlso_hkdf_expand_label(SHA384, self->secret, "x", ctx,
					     sizeof(ctx) - 1, out, H48));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hkdf_expand_label(SHA384, self->secret, "x", NULL, 0,
					  out, 0));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hkdf_expand_label(SHA384, self->secret, "x", NULL, 0,
					  big, sizeof(big)));
	EXPECT_EQ(0, ktlso_hkdf_expand_label(SHA384, self->secret, "x", NULL,
					     0, big, sizeof(big) - 1));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hkdf_expand_label(SHA384, self->secret, "x", NULL, 1,
					  out, H48));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hkdf_extract(SHA384, self->secret, H48, NULL, 0, out));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls13_handshake_secret(SHA384, self->secret, NULL, 0,
					       out));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls13_derive(SHA384, self->secret,
				     (enum ktlso_tls13_secret)99, out, out));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_derive_secret((enum ktlso_md)5, self->secret, "x",
				      NULL, out));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hash_digest((enum ktlso_md)5, "", 0, out));
}

TEST_HARNESS_MAIN
