// SPDX-License-Identifier: GPL-2.0
/*
 * Key exchange (kex.h): group names, fresh key pairs on each group agreeing
 * with each other, known answers from RFC 7748 and RFC 5903
 * (vectors/kex-kat.txt), and every kind of bad peer share refused with
 * illegal_parameter and no secret left behind.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/kex.h"
#include "vector_file.h"

#define ILLEGAL_PARAMETER (-KTLSO_ALERT_ILLEGAL_PARAMETER)

static const uint16_t all_groups[] = {
	KTLSO_GROUP_X25519, KTLSO_GROUP_SECP256R1, KTLSO_GROUP_SECP384R1,
};

/* A key pair for @group from a known private key (and public key). */
static EVP_PKEY *key_from_private(uint16_t group, const uint8_t *priv,
				  size_t priv_len, const uint8_t *pub,
				  size_t pub_len)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d;

	if (group == KTLSO_GROUP_X25519)
		return EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL,
						       priv, priv_len);
	bld = OSSL_PARAM_BLD_new();
	d = BN_bin2bn(priv, (int)priv_len, NULL);
	if (bld == NULL || d == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
			group == KTLSO_GROUP_SECP256R1 ? "P-256" : "P-384", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    (pub && !OSSL_PARAM_BLD_push_octet_string(bld,
					OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	BN_clear_free(d);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

FIXTURE(kex) {
	struct test_vectors tv;
	struct ktlso_kex a, b;
};

FIXTURE_SETUP(kex)
{
	memset(&self->a, 0, sizeof(self->a));
	memset(&self->b, 0, sizeof(self->b));
	ASSERT_EQ(0, test_vectors_load(&self->tv, "kex-kat.txt"));
}

FIXTURE_TEARDOWN(kex)
{
	ktlso_kex_free(&self->a);
	ktlso_kex_free(&self->b);
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

TEST_F(kex, group_names)
{
	static const struct {
		const char *name;
		uint16_t group;
	} names[] = {
		{ "x25519", KTLSO_GROUP_X25519 },
		{ "X25519", KTLSO_GROUP_X25519 },
		{ "secp256r1", KTLSO_GROUP_SECP256R1 },
		{ "P-256", KTLSO_GROUP_SECP256R1 },
		{ "p-256", KTLSO_GROUP_SECP256R1 },
		{ "SECP384R1", KTLSO_GROUP_SECP384R1 },
		{ "P-384", KTLSO_GROUP_SECP384R1 },
	};
	static const char bad[][12] = {
		"", "x448", "secp521r1", "P-521", "P256", "x25519 ", "ffdhe2048",
	};
	uint16_t g;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		g = 0;
		EXPECT_EQ(0, ktlso_group_from_name(names[i].name, &g))
			TH_LOG("%s", names[i].name);
		EXPECT_EQ(names[i].group, g);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
			  ktlso_group_from_name(bad[i], &g)) TH_LOG("%s", bad[i]);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_group_from_name(NULL, &g));

	EXPECT_STREQ("x25519", ktlso_group_name(KTLSO_GROUP_X25519));
	EXPECT_STREQ("secp256r1", ktlso_group_name(KTLSO_GROUP_SECP256R1));
	EXPECT_STREQ("secp384r1", ktlso_group_name(KTLSO_GROUP_SECP384R1));
	EXPECT_EQ(32U, ktlso_group_share_len(KTLSO_GROUP_X25519));
	EXPECT_EQ(65U, ktlso_group_share_len(KTLSO_GROUP_SECP256R1));
	EXPECT_EQ(97U, ktlso_group_share_len(KTLSO_GROUP_SECP384R1));
	EXPECT_EQ((size_t)KTLSO_KEX_MAX_SHARE,
		  ktlso_group_share_len(KTLSO_GROUP_SECP384R1));
	for (i = 0; i < ARRAY_SIZE(all_groups); i++)
		EXPECT_TRUE(ktlso_group_supported(all_groups[i]));

	/* secp521r1, x448, ffdhe2048 and nothing. */
	EXPECT_FALSE(ktlso_group_supported(0x0019));
	EXPECT_FALSE(ktlso_group_supported(0x001e));
	EXPECT_FALSE(ktlso_group_supported(0x0100));
	EXPECT_FALSE(ktlso_group_supported(0));
	EXPECT_EQ(0U, ktlso_group_share_len(0x0019));
	EXPECT_EQ(NULL, ktlso_group_name(0x0019));
}

TEST_F(kex, generate_unsupported_group)
{
	EXPECT_EQ(ILLEGAL_PARAMETER, ktlso_kex_generate(&self->a, 0x0019));
	EXPECT_EQ(NULL, self->a.priv);
	EXPECT_EQ(ILLEGAL_PARAMETER, ktlso_kex_generate(&self->a, 0x001e));
	EXPECT_EQ(NULL, self->a.priv);
	/* A failed generate drops the key held before. */
	ASSERT_EQ(0, ktlso_kex_generate(&self->a, KTLSO_GROUP_X25519));
	EXPECT_EQ(ILLEGAL_PARAMETER, ktlso_kex_generate(&self->a, 0));
	EXPECT_EQ(NULL, self->a.priv);
}

/* Two fresh key pairs per group agree; a third one does not. */
TEST_F(kex, round_trip)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_groups); i++) {
		uint16_t g = all_groups[i];
		size_t want = ktlso_group_share_len(g);
		uint8_t pa[KTLSO_KEX_MAX_SHARE], pb[KTLSO_KEX_MAX_SHARE];
		uint8_t sa[KTLSO_KEX_MAX_SECRET], sb[KTLSO_KEX_MAX_SECRET];
		uint8_t sc[KTLSO_KEX_MAX_SECRET];
		size_t la, lb, na, nb, nc;
		struct ktlso_kex c = { 0 };

		ASSERT_EQ(0, ktlso_kex_generate(&self->a, g));
		ASSERT_EQ(0, ktlso_kex_generate(&self->b, g));
		ASSERT_EQ(0, ktlso_kex_generate(&c, g));
		EXPECT_EQ(g, self->a.group);
		ASSERT_EQ(0, ktlso_kex_public(&self->a, pa, sizeof(pa), &la));
		ASSERT_EQ(0, ktlso_kex_public(&self->b, pb, sizeof(pb), &lb));
		EXPECT_EQ(want, la);
		EXPECT_EQ(want, lb);
		EXPECT_NE(0, memcmp(pa, pb, la));
		if (g != KTLSO_GROUP_X25519) {
			EXPECT_EQ(0x04, pa[0]);
			EXPECT_EQ(0x04, pb[0]);
		}
		ASSERT_EQ(0, ktlso_kex_derive(&self->a, pb, lb, sa, sizeof(sa),
					      &na));
		ASSERT_EQ(0, ktlso_kex_derive(&self->b, pa, la, sb, sizeof(sb),
					      &nb));
		ASSERT_EQ(0, ktlso_kex_derive(&c, pa, la, sc, sizeof(sc), &nc));
		ktlso_kex_free(&c);
		EXPECT_EQ(g == KTLSO_GROUP_SECP384R1 ? 48U : 32U, na);
		ASSERT_EQ(na, nb);
		EXPECT_EQ(0, memcmp(sa, sb, na)) TH_LOG("group %#x", g);
		EXPECT_NE(0, memcmp(sa, sc, na)) TH_LOG("group %#x", g);
		EXPECT_FALSE(all_zero(sa, na));
	}
}

/* Derive from a known private key and a known peer share. */
static void check_kat(struct __test_metadata *_metadata,
		      struct ktlso_kex *kx, uint16_t group,
		      const struct test_vector *priv,
		      const struct test_vector *pub,
		      const struct test_vector *peer,
		      const struct test_vector *shared)
{
	uint8_t out[KTLSO_KEX_MAX_SHARE], secret[KTLSO_KEX_MAX_SECRET];
	size_t len;

	kx->group = group;
	kx->priv = key_from_private(group, priv->data, priv->len,
				    group == KTLSO_GROUP_X25519 || !pub ? NULL :
				    pub->data, pub ? pub->len : 0);
	ASSERT_NE(NULL, kx->priv);
	if (pub) {
		ASSERT_EQ(0, ktlso_kex_public(kx, out, sizeof(out), &len));
		ASSERT_EQ(pub->len, len);
		EXPECT_BYTES("public share", pub->data, out, len);
	}
	ASSERT_EQ(0, ktlso_kex_derive(kx, peer->data, peer->len, secret,
				      sizeof(secret), &len));
	ASSERT_EQ(shared->len, len);
	EXPECT_BYTES("shared secret", shared->data, secret, len);
	ktlso_kex_free(kx);
}

TEST_F(kex, known_answers)
{
	const struct test_vectors *tv = &self->tv;

	/* RFC 7748 6.1, both directions. */
	check_kat(_metadata, &self->a, KTLSO_GROUP_X25519,
		  VEC(tv, "x25519_a_priv", 32), VEC(tv, "x25519_a_pub", 32),
		  VEC(tv, "x25519_b_pub", 32), VEC(tv, "x25519_shared", 32));
	check_kat(_metadata, &self->a, KTLSO_GROUP_X25519,
		  VEC(tv, "x25519_b_priv", 32), VEC(tv, "x25519_b_pub", 32),
		  VEC(tv, "x25519_a_pub", 32), VEC(tv, "x25519_shared", 32));
	/* RFC 5903 8.1, both directions. */
	check_kat(_metadata, &self->a, KTLSO_GROUP_SECP256R1,
		  VEC(tv, "p256_i", 32), VEC(tv, "p256_gi", 65),
		  VEC(tv, "p256_gr", 65), VEC(tv, "p256_shared", 32));
	check_kat(_metadata, &self->a, KTLSO_GROUP_SECP256R1,
		  VEC(tv, "p256_r", 32), VEC(tv, "p256_gr", 65),
		  VEC(tv, "p256_gi", 65), VEC(tv, "p256_shared", 32));
	/* RFC 5903 8.2, the initiator's side. */
	check_kat(_metadata, &self->a, KTLSO_GROUP_SECP384R1,
		  VEC(tv, "p384_i", 48), NULL, VEC(tv, "p384_gr", 97),
		  VEC(tv, "p384_shared", 48));
}

/* @peer must fail with illegal_parameter and leave @secret zeroed. */
static void expect_refused(struct __test_metadata *_metadata,
			   const struct ktlso_kex *kx, const uint8_t *peer,
			   size_t peer_len, const char *what)
{
	uint8_t secret[KTLSO_KEX_MAX_SECRET];
	size_t len = 99;

	memset(secret, 0xaa, sizeof(secret));
	EXPECT_EQ(ILLEGAL_PARAMETER, ktlso_kex_derive(kx, peer, peer_len,
						      secret, sizeof(secret),
						      &len)) TH_LOG("%s", what);
	EXPECT_EQ(0U, len) TH_LOG("%s", what);
	EXPECT_TRUE(all_zero(secret, ktlso_group_share_len(kx->group) == 97 ?
				     48 : 32)) TH_LOG("%s", what);
}

TEST_F(kex, share_lengths)
{
	uint8_t buf[KTLSO_KEX_MAX_SHARE + 2];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(all_groups); i++) {
		uint16_t g = all_groups[i];
		size_t n = ktlso_group_share_len(g);

		ASSERT_EQ(0, ktlso_kex_generate(&self->a, g));
		ASSERT_EQ(0, ktlso_kex_generate(&self->b, g));
		ASSERT_EQ(0, ktlso_kex_public(&self->b, buf, sizeof(buf), &len));
		buf[n] = 0;
		expect_refused(_metadata, &self->a, buf, n - 1, "short");
		expect_refused(_metadata, &self->a, buf, n + 1, "long");
		expect_refused(_metadata, &self->a, buf, 0, "empty");
		expect_refused(_metadata, &self->a, NULL, 0, "NULL");
		/* The point at infinity: a single 0x00 (SEC 1 2.3.3). */
		buf[0] = 0;
		expect_refused(_metadata, &self->a, buf, 1, "infinity");
	}
}

TEST_F(kex, ec_point_formats)
{
	static const uint16_t ec[] = {
		KTLSO_GROUP_SECP256R1, KTLSO_GROUP_SECP384R1,
	};
	uint8_t pub[KTLSO_KEX_MAX_SHARE], bad[KTLSO_KEX_MAX_SHARE];
	size_t i, len, flen;

	for (i = 0; i < ARRAY_SIZE(ec); i++) {
		ASSERT_EQ(0, ktlso_kex_generate(&self->a, ec[i]));
		ASSERT_EQ(0, ktlso_kex_generate(&self->b, ec[i]));
		ASSERT_EQ(0, ktlso_kex_public(&self->b, pub, sizeof(pub), &len));
		flen = (len - 1) / 2;

		/* Compressed, at its own length and padded to full length. */
		memcpy(bad, pub, len);
		bad[0] = 0x02 | (pub[len - 1] & 1);
		expect_refused(_metadata, &self->a, bad, 1 + flen,
			       "compressed");
		expect_refused(_metadata, &self->a, bad, len,
			       "compressed prefix, full length");
		/* Hybrid (X9.62 0x06/0x07). */
		bad[0] = 0x06 | (pub[len - 1] & 1);
		expect_refused(_metadata, &self->a, bad, len, "hybrid");
		/* Infinity padded to full length. */
		memset(bad, 0, len);
		expect_refused(_metadata, &self->a, bad, len, "zeros");
		bad[0] = 0x04;
		expect_refused(_metadata, &self->a, bad, len, "(0, 0)");
		/* Not on the curve: Y changed. */
		memcpy(bad, pub, len);
		bad[len - 1] ^= 0x01;
		expect_refused(_metadata, &self->a, bad, len, "off the curve");
		/* X = p and X = 2^n - 1: coordinates out of range. */
		memset(bad + 1, 0xff, flen);
		expect_refused(_metadata, &self->a, bad, len, "X = 2^n - 1");
		if (ec[i] == KTLSO_GROUP_SECP256R1) {
			/* p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
			static const uint8_t p256[32] = {
				0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
				0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			};

			memcpy(bad + 1, p256, 32);
			expect_refused(_metadata, &self->a, bad, len, "X = p");
		}
		/* The genuine share still works after all that. */
		memcpy(bad, pub, len);
		{
			uint8_t s[KTLSO_KEX_MAX_SECRET];
			size_t n;

			EXPECT_EQ(0, ktlso_kex_derive(&self->a, bad, len, s,
						      sizeof(s), &n));
		}
	}
}

/* Small-order u-coordinates give the all-zero secret (RFC 8446 7.4.2). */
TEST_F(kex, x25519_small_order)
{
	uint8_t u[32];

	ASSERT_EQ(0, ktlso_kex_generate(&self->a, KTLSO_GROUP_X25519));
	memset(u, 0, sizeof(u));
	expect_refused(_metadata, &self->a, u, 32, "u = 0");
	u[0] = 1;
	expect_refused(_metadata, &self->a, u, 32, "u = 1");
	/* u = p = 2^255 - 19 (little-endian), non-canonical 0. */
	memset(u, 0xff, sizeof(u));
	u[0] = 0xed;
	u[31] = 0x7f;
	expect_refused(_metadata, &self->a, u, 32, "u = p");
	/* u = p + 1, non-canonical 1. */
	u[0] = 0xee;
	expect_refused(_metadata, &self->a, u, 32, "u = p + 1");
}

TEST_F(kex, buffers_and_misuse)
{
	uint8_t pub[KTLSO_KEX_MAX_SHARE], secret[KTLSO_KEX_MAX_SECRET];
	struct ktlso_kex zero = { 0 };
	size_t len;

	/* A zeroed struct: no key, freeing is harmless, twice. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_kex_public(&zero, pub, sizeof(pub), &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_kex_derive(&zero, pub, 32, secret, sizeof(secret),
				   &len));
	ktlso_kex_free(&zero);
	ktlso_kex_free(&zero);
	ktlso_kex_free(NULL);

	/* Generating again replaces the key (the leak check sees a leak). */
	ASSERT_EQ(0, ktlso_kex_generate(&self->a, KTLSO_GROUP_SECP384R1));
	ASSERT_EQ(0, ktlso_kex_generate(&self->a, KTLSO_GROUP_SECP384R1));
	ASSERT_EQ(0, ktlso_kex_generate(&self->b, KTLSO_GROUP_SECP384R1));

	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_kex_public(&self->a, pub, 96, &len));
	ASSERT_EQ(0, ktlso_kex_public(&self->b, pub, 97, &len));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_kex_derive(&self->a, pub, len, secret, 47, &len));

	ktlso_kex_free(&self->a);
	EXPECT_EQ(NULL, self->a.priv);
	EXPECT_EQ(0, self->a.group);
	ktlso_kex_free(&self->a);
}

TEST_HARNESS_MAIN
