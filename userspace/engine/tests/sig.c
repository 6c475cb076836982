// SPDX-License-Identifier: GPL-2.0
/*
 * Signature schemes (sig.h): which scheme fits which key in which version,
 * sign/verify round trips for every scheme on every key that fits it, every
 * other combination refused, tampering caught, the PSS and PKCS#1
 * parameters checked with libcrypto's low-level verify, scheme selection,
 * the RFC 8446 4.4.3 signed content against a buffer built by hand, and
 * known answers: RFC 8032 (Ed25519), RFC 6979 (ECDSA P-256) and the RFC 8448
 * server CertificateVerify (rsa_pss_rsae_sha256) over the real transcript.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/keysched.h"
#include "engine/sig.h"
#include "engine/suite.h"
#include "pki_test.h"
#include "vector_file.h"

#define TLS12 KTLSO_TLS12_VERSION
#define TLS13 KTLSO_TLS13_VERSION
#define ILLEGAL_PARAMETER (-KTLSO_ALERT_ILLEGAL_PARAMETER)
#define DECRYPT_ERROR (-KTLSO_ALERT_DECRYPT_ERROR)
#define HANDSHAKE_FAILURE (-KTLSO_ALERT_HANDSHAKE_FAILURE)

enum { K_RSA, K_P256, K_P384, K_ED25519, N_KEYS };

static const char *const key_names[N_KEYS] = {
	"RSA-2048", "P-256", "P-384", "Ed25519",
};

static const uint16_t schemes[] = {
	KTLSO_SIG_RSA_PKCS1_SHA256, KTLSO_SIG_RSA_PKCS1_SHA384,
	KTLSO_SIG_RSA_PKCS1_SHA512, KTLSO_SIG_ECDSA_SECP256R1_SHA256,
	KTLSO_SIG_ECDSA_SECP384R1_SHA384, KTLSO_SIG_RSA_PSS_RSAE_SHA256,
	KTLSO_SIG_RSA_PSS_RSAE_SHA384, KTLSO_SIG_RSA_PSS_RSAE_SHA512,
	KTLSO_SIG_ED25519,
};
#define N_SCHEMES ARRAY_SIZE(schemes)

/* Which scheme fits which key (columns in the order of schemes[]). */
static const bool fits13[N_KEYS][9] = {
	[K_RSA] =     { 0, 0, 0, 0, 0, 1, 1, 1, 0 },
	[K_P256] =    { 0, 0, 0, 1, 0, 0, 0, 0, 0 },
	[K_P384] =    { 0, 0, 0, 0, 1, 0, 0, 0, 0 },
	[K_ED25519] = { 0, 0, 0, 0, 0, 0, 0, 0, 1 },
};
static const bool fits12[N_KEYS][9] = {
	[K_RSA] =     { 1, 1, 1, 0, 0, 1, 1, 1, 0 },
	[K_P256] =    { 0, 0, 0, 1, 1, 0, 0, 0, 0 },
	[K_P384] =    { 0, 0, 0, 1, 1, 0, 0, 0, 0 },
	[K_ED25519] = { 0, 0, 0, 0, 0, 0, 0, 0, 1 },
};

static const uint8_t message[] = "the content a CertificateVerify signs";

FIXTURE(sig) {
	EVP_PKEY *key[N_KEYS];
	struct test_vectors tv;
};

FIXTURE_SETUP(sig)
{
	static const enum test_key_type types[N_KEYS] = {
		[K_RSA] = TEST_KEY_RSA2048, [K_P256] = TEST_KEY_P256,
		[K_P384] = TEST_KEY_P384, [K_ED25519] = TEST_KEY_ED25519,
	};
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		self->key[i] = test_key_new(types[i]);
		ASSERT_NE(NULL, self->key[i]);
	}
	ASSERT_EQ(0, test_vectors_load(&self->tv, "sig-kat.txt"));
}

FIXTURE_TEARDOWN(sig)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		EVP_PKEY_free(self->key[i]);
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

TEST_F(sig, names)
{
	static const char *const names[] = {
		"rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512",
		"ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384",
		"rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384",
		"rsa_pss_rsae_sha512", "ed25519",
	};
	uint16_t s;
	size_t i;

	for (i = 0; i < N_SCHEMES; i++) {
		EXPECT_STREQ(names[i], ktlso_sigscheme_name(schemes[i]));
		s = 0;
		EXPECT_EQ(0, ktlso_sigscheme_from_name(names[i], &s));
		EXPECT_EQ(schemes[i], s);
	}
	EXPECT_EQ(0, ktlso_sigscheme_from_name("RSA_PSS_RSAE_SHA256", &s));
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, s);
	EXPECT_EQ(0, ktlso_sigscheme_from_name("Ed25519", &s));
	EXPECT_EQ(KTLSO_SIG_ED25519, s);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_sigscheme_from_name("ed448", &s));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_sigscheme_from_name("rsa_pss_pss_sha256", &s));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_sigscheme_from_name("", &s));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_sigscheme_from_name(NULL, &s));
	/* ed448, rsa_pss_pss_sha256, ecdsa_sha1, rsa_pkcs1_sha1. */
	EXPECT_EQ(NULL, ktlso_sigscheme_name(0x0808));
	EXPECT_EQ(NULL, ktlso_sigscheme_name(0x0809));
	EXPECT_EQ(NULL, ktlso_sigscheme_name(0x0203));
	EXPECT_EQ(NULL, ktlso_sigscheme_name(0x0201));
}

/* The table above, and keys and schemes that fit nothing. */
TEST_F(sig, fits_key)
{
	EVP_PKEY *odd[3];
	EVP_PKEY_CTX *ctx;
	size_t k, s, i;

	for (k = 0; k < N_KEYS; k++) {
		for (s = 0; s < N_SCHEMES; s++) {
			EXPECT_EQ(fits13[k][s],
				  ktlso_sigscheme_fits_key(schemes[s],
							   self->key[k], TLS13))
				TH_LOG("%s %s TLS 1.3", key_names[k],
				       ktlso_sigscheme_name(schemes[s]));
			EXPECT_EQ(fits12[k][s],
				  ktlso_sigscheme_fits_key(schemes[s],
							   self->key[k], TLS12))
				TH_LOG("%s %s TLS 1.2", key_names[k],
				       ktlso_sigscheme_name(schemes[s]));
			/* No other version. */
			EXPECT_FALSE(ktlso_sigscheme_fits_key(schemes[s],
						self->key[k], 0x0302));
		}
		EXPECT_FALSE(ktlso_sigscheme_fits_key(0x0808, self->key[k],
						      TLS13));
		EXPECT_FALSE(ktlso_sigscheme_fits_key(0x0809, self->key[k],
						      TLS13));
		EXPECT_FALSE(ktlso_sigscheme_fits_key(0x0203, self->key[k],
						      TLS12));
	}
	/* P-521, X25519 and an RSASSA-PSS-only key fit no scheme. */
	odd[0] = test_key_new(TEST_KEY_P521);
	odd[1] = test_key_new(TEST_KEY_X25519);
	odd[2] = NULL;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(1, EVP_PKEY_keygen_init(ctx));
	ASSERT_EQ(1, EVP_PKEY_generate(ctx, &odd[2]));
	EVP_PKEY_CTX_free(ctx);
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		ASSERT_NE(NULL, odd[i]);
		for (s = 0; s < N_SCHEMES; s++) {
			EXPECT_FALSE(ktlso_sigscheme_fits_key(schemes[s],
							      odd[i], TLS13));
			EXPECT_FALSE(ktlso_sigscheme_fits_key(schemes[s],
							      odd[i], TLS12));
		}
	}
	for (i = 0; i < ARRAY_SIZE(odd); i++)
		EVP_PKEY_free(odd[i]);
	EXPECT_FALSE(ktlso_sigscheme_fits_key(KTLSO_SIG_ED25519, NULL, TLS13));
}

/* Check an ECDSA signature is one DER ECDSA-Sig-Value and nothing more. */
static void expect_ecdsa_der(struct __test_metadata *_metadata,
			     const uint8_t *sig, size_t len)
{
	const uint8_t *p = sig;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	uint8_t *again = NULL;
	int n;

	ASSERT_NE(NULL, es);
	EXPECT_EQ(sig + len, p);
	n = i2d_ECDSA_SIG(es, &again);
	EXPECT_EQ((int)len, n);
	if (n > 0)
		EXPECT_EQ(0, memcmp(sig, again, len));
	OPENSSL_free(again);
	ECDSA_SIG_free(es);
}

/*
 * Every scheme on every key it fits: sign, verify in each version, and
 * every tampering and every other scheme refused with the exact alert.
 */
TEST_F(sig, round_trips)
{
	uint8_t sig[KTLSO_SIG_MAX_LEN], bad[KTLSO_SIG_MAX_LEN];
	uint8_t msg[sizeof(message)];
	static const uint16_t versions[] = { TLS12, TLS13 };
	size_t k, s, s2, v, len;
	int n_signed = 0;

	for (k = 0; k < N_KEYS; k++) {
		EVP_PKEY *key = self->key[k];

		for (s = 0; s < N_SCHEMES; s++) {
			const char *name = ktlso_sigscheme_name(schemes[s]);

			if (!fits12[k][s] && !fits13[k][s]) {
				EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
					  ktlso_sign(key, schemes[s], message,
						     sizeof(message), sig,
						     sizeof(sig), &len))
					TH_LOG("%s %s", key_names[k], name);
				continue;
			}
			ASSERT_EQ(0, ktlso_sign(key, schemes[s], message,
						sizeof(message), sig,
						sizeof(sig), &len))
				TH_LOG("%s %s", key_names[k], name);
			n_signed++;
			if (k == K_RSA)
				EXPECT_EQ(256U, len);
			if (k == K_ED25519)
				EXPECT_EQ(64U, len);
			if (k == K_P256 || k == K_P384)
				expect_ecdsa_der(_metadata, sig, len);

			for (v = 0; v < ARRAY_SIZE(versions); v++) {
				uint16_t ver = versions[v];
				bool fit = ver == TLS13 ? fits13[k][s] :
							  fits12[k][s];

				EXPECT_EQ(fit ? 0 : ILLEGAL_PARAMETER,
					  ktlso_verify(key, schemes[s], ver,
						       message, sizeof(message),
						       sig, len))
					TH_LOG("%s %s %#x", key_names[k], name,
					       ver);
				if (!fit)
					continue;

				/* The message changed. */
				memcpy(msg, message, sizeof(msg));
				msg[3] ^= 0x01;
				EXPECT_EQ(DECRYPT_ERROR,
					  ktlso_verify(key, schemes[s], ver,
						       msg, sizeof(msg), sig,
						       len));
				EXPECT_EQ(DECRYPT_ERROR,
					  ktlso_verify(key, schemes[s], ver,
						       message,
						       sizeof(message) - 1,
						       sig, len));
				/* The signature changed, cut or empty. */
				memcpy(bad, sig, len);
				bad[len / 2] ^= 0x10;
				EXPECT_EQ(DECRYPT_ERROR,
					  ktlso_verify(key, schemes[s], ver,
						       message, sizeof(message),
						       bad, len));
				memcpy(bad, sig, len);
				bad[len - 1] ^= 0x01;
				EXPECT_EQ(DECRYPT_ERROR,
					  ktlso_verify(key, schemes[s], ver,
						       message, sizeof(message),
						       bad, len));
				EXPECT_EQ(DECRYPT_ERROR,
					  ktlso_verify(key, schemes[s], ver,
						       message, sizeof(message),
						       sig, len - 1));
				EXPECT_EQ(DECRYPT_ERROR,
					  ktlso_verify(key, schemes[s], ver,
						       message, sizeof(message),
						       sig, 0));

				/*
				 * Under every other scheme: illegal_parameter
				 * when it does not fit, a bad signature when
				 * it does (another hash or padding).
				 */
				for (s2 = 0; s2 < N_SCHEMES; s2++) {
					bool fit2 = ver == TLS13 ?
						    fits13[k][s2] :
						    fits12[k][s2];

					if (s2 == s)
						continue;
					EXPECT_EQ(fit2 ? DECRYPT_ERROR :
							 ILLEGAL_PARAMETER,
						  ktlso_verify(key, schemes[s2],
							       ver, message,
							       sizeof(message),
							       sig, len))
						TH_LOG("%s signed %s, checked as %s %#x",
						       key_names[k], name,
						       ktlso_sigscheme_name(schemes[s2]),
						       ver);
				}
			}
		}
	}
	/* 6 RSA schemes + 2 ECDSA on each curve (TLS 1.2) + Ed25519. */
	EXPECT_EQ(6 + 2 + 2 + 1, n_signed);
}

/* A signature by one key does not verify under another of the same kind. */
TEST_F(sig, wrong_key)
{
	static const struct {
		int k;
		enum test_key_type type;
		uint16_t scheme;
	} cases[] = {
		{ K_RSA, TEST_KEY_RSA2048, KTLSO_SIG_RSA_PSS_RSAE_SHA256 },
		{ K_P256, TEST_KEY_P256, KTLSO_SIG_ECDSA_SECP256R1_SHA256 },
		{ K_P384, TEST_KEY_P384, KTLSO_SIG_ECDSA_SECP384R1_SHA384 },
		{ K_ED25519, TEST_KEY_ED25519, KTLSO_SIG_ED25519 },
	};
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EVP_PKEY *other = test_key_new(cases[i].type);

		ASSERT_NE(NULL, other);
		ASSERT_EQ(0, ktlso_sign(self->key[cases[i].k], cases[i].scheme,
					message, sizeof(message), sig,
					sizeof(sig), &len));
		EXPECT_EQ(DECRYPT_ERROR,
			  ktlso_verify(other, cases[i].scheme, TLS13, message,
				       sizeof(message), sig, len));
		EVP_PKEY_free(other);
	}
}

/* rsa_pkcs1_* in TLS 1.2 only; ECDSA on any supported curve in TLS 1.2. */
TEST_F(sig, version_rules)
{
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	size_t len;

	ASSERT_EQ(0, ktlso_sign(self->key[K_RSA], KTLSO_SIG_RSA_PKCS1_SHA256,
				message, sizeof(message), sig, sizeof(sig),
				&len));
	EXPECT_EQ(0, ktlso_verify(self->key[K_RSA], KTLSO_SIG_RSA_PKCS1_SHA256,
				  TLS12, message, sizeof(message), sig, len));
	EXPECT_EQ(ILLEGAL_PARAMETER,
		  ktlso_verify(self->key[K_RSA], KTLSO_SIG_RSA_PKCS1_SHA256,
			       TLS13, message, sizeof(message), sig, len));

	/* ecdsa_secp256r1_sha256 on a P-384 key: SHA-256 with P-384. */
	ASSERT_EQ(0, ktlso_sign(self->key[K_P384],
				KTLSO_SIG_ECDSA_SECP256R1_SHA256, message,
				sizeof(message), sig, sizeof(sig), &len));
	EXPECT_EQ(0, ktlso_verify(self->key[K_P384],
				  KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS12,
				  message, sizeof(message), sig, len));
	EXPECT_EQ(ILLEGAL_PARAMETER,
		  ktlso_verify(self->key[K_P384],
			       KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13, message,
			       sizeof(message), sig, len));
	/* The hash is the scheme's: the same signature as SHA-384 fails. */
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(self->key[K_P384],
			       KTLSO_SIG_ECDSA_SECP384R1_SHA384, TLS12, message,
			       sizeof(message), sig, len));

	ASSERT_EQ(0, ktlso_sign(self->key[K_P256],
				KTLSO_SIG_ECDSA_SECP384R1_SHA384, message,
				sizeof(message), sig, sizeof(sig), &len));
	EXPECT_EQ(0, ktlso_verify(self->key[K_P256],
				  KTLSO_SIG_ECDSA_SECP384R1_SHA384, TLS12,
				  message, sizeof(message), sig, len));
	EXPECT_EQ(ILLEGAL_PARAMETER,
		  ktlso_verify(self->key[K_P256],
			       KTLSO_SIG_ECDSA_SECP384R1_SHA384, TLS13, message,
			       sizeof(message), sig, len));
}

/* A libcrypto verify context for @key with RSA @pad over @md. */
static EVP_PKEY_CTX *rsa_verify_ctx(EVP_PKEY *key, int pad, const EVP_MD *md,
				    const EVP_MD *mgf1, int salt)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);

	if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0 ||
	    (pad == RSA_PKCS1_PSS_PADDING &&
	     (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf1) <= 0 ||
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) <= 0))) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int raw_verify(EVP_PKEY *key, int pad, const EVP_MD *md,
		      const EVP_MD *mgf1, int salt, const uint8_t *sig,
		      size_t sig_len)
{
	EVP_PKEY_CTX *ctx = rsa_verify_ctx(key, pad, md, mgf1, salt);
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen;
	int ret;

	if (ctx == NULL)
		return -1;
	EVP_Digest(message, sizeof(message), digest, &dlen, md, NULL);
	ret = EVP_PKEY_verify(ctx, sig, sig_len, digest, dlen);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/*
 * The RSA parameters, checked with libcrypto's one-step verify of a
 * digest: PSS with MGF1 over the same hash and a salt of the hash's length
 * (RFC 8446 4.2.3), PKCS#1 v1.5 over the scheme's hash; and a PSS
 * signature with another salt length refused.
 */
TEST_F(sig, rsa_parameters)
{
	static const struct {
		uint16_t scheme;
		const char *md;
		int salt;
	} pss[] = {
		{ KTLSO_SIG_RSA_PSS_RSAE_SHA256, "SHA256", 32 },
		{ KTLSO_SIG_RSA_PSS_RSAE_SHA384, "SHA384", 48 },
		{ KTLSO_SIG_RSA_PSS_RSAE_SHA512, "SHA512", 64 },
	};
	EVP_PKEY *key = self->key[K_RSA];
	uint8_t sig[KTLSO_SIG_MAX_LEN], digest[EVP_MAX_MD_SIZE];
	const EVP_MD *sha1 = EVP_sha1();
	size_t i, len;
	unsigned int dlen;

	for (i = 0; i < ARRAY_SIZE(pss); i++) {
		const EVP_MD *md = EVP_get_digestbyname(pss[i].md);
		EVP_PKEY_CTX *ctx;

		ASSERT_NE(NULL, md);
		ASSERT_EQ(0, ktlso_sign(key, pss[i].scheme, message,
					sizeof(message), sig, sizeof(sig),
					&len));
		EXPECT_EQ(1, raw_verify(key, RSA_PKCS1_PSS_PADDING, md, md,
					pss[i].salt, sig, len)) TH_LOG("%s", pss[i].md);
		EXPECT_NE(1, raw_verify(key, RSA_PKCS1_PSS_PADDING, md, md,
					20, sig, len));
		EXPECT_NE(1, raw_verify(key, RSA_PKCS1_PSS_PADDING, md, sha1,
					pss[i].salt, sig, len));

		/* A valid PSS signature with a 20-byte salt is refused. */
		ctx = EVP_PKEY_CTX_new(key, NULL);
		ASSERT_NE(NULL, ctx);
		ASSERT_EQ(1, EVP_PKEY_sign_init(ctx));
		ASSERT_LT(0, EVP_PKEY_CTX_set_rsa_padding(ctx,
						RSA_PKCS1_PSS_PADDING));
		ASSERT_LT(0, EVP_PKEY_CTX_set_signature_md(ctx, md));
		ASSERT_LT(0, EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md));
		ASSERT_LT(0, EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 20));
		ASSERT_EQ(1, EVP_Digest(message, sizeof(message), digest, &dlen,
					md, NULL));
		len = sizeof(sig);
		ASSERT_EQ(1, EVP_PKEY_sign(ctx, sig, &len, digest, dlen));
		EVP_PKEY_CTX_free(ctx);
		EXPECT_EQ(1, raw_verify(key, RSA_PKCS1_PSS_PADDING, md, md, 20,
					sig, len));
		EXPECT_EQ(DECRYPT_ERROR,
			  ktlso_verify(key, pss[i].scheme, TLS13, message,
				       sizeof(message), sig, len));
	}

	ASSERT_EQ(0, ktlso_sign(key, KTLSO_SIG_RSA_PKCS1_SHA384, message,
				sizeof(message), sig, sizeof(sig), &len));
	EXPECT_EQ(1, raw_verify(key, RSA_PKCS1_PADDING, EVP_sha384(), NULL, 0,
				sig, len));
	EXPECT_NE(1, raw_verify(key, RSA_PKCS1_PADDING, EVP_sha256(), NULL, 0,
				sig, len));
}

/* Output buffers and arguments. */
TEST_F(sig, buffers)
{
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	size_t len;

	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_sign(self->key[K_RSA], KTLSO_SIG_RSA_PSS_RSAE_SHA256,
			     message, sizeof(message), sig, 255, &len));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_sign(self->key[K_ED25519], KTLSO_SIG_ED25519, message,
			     sizeof(message), sig, 63, &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_sign(self->key[K_ED25519], 0x0808, message,
			     sizeof(message), sig, sizeof(sig), &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_sign(NULL, KTLSO_SIG_ED25519, message, sizeof(message),
			     sig, sizeof(sig), &len));
	/* An unknown scheme named by a peer is illegal_parameter. */
	EXPECT_EQ(ILLEGAL_PARAMETER,
		  ktlso_verify(self->key[K_ED25519], 0x0808, TLS13, message,
			       sizeof(message), sig, 64));
	/* An empty message signs and verifies. */
	ASSERT_EQ(0, ktlso_sign(self->key[K_P256],
				KTLSO_SIG_ECDSA_SECP256R1_SHA256, NULL, 0, sig,
				sizeof(sig), &len));
	EXPECT_EQ(0, ktlso_verify(self->key[K_P256],
				  KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13, NULL,
				  0, sig, len));
}

TEST_F(sig, select)
{
	static const uint16_t ours[] = {
		KTLSO_SIG_ECDSA_SECP256R1_SHA256, KTLSO_SIG_RSA_PSS_RSAE_SHA256,
		KTLSO_SIG_ED25519, KTLSO_SIG_RSA_PKCS1_SHA256,
	};
	static const uint16_t peer_v[] = {
		KTLSO_SIG_ED25519, KTLSO_SIG_RSA_PSS_RSAE_SHA256,
		KTLSO_SIG_RSA_PKCS1_SHA256,
	};
	/* The same list on the wire, and one with ECDSA P-256 only. */
	static const uint8_t peer_wire[] = { 0x08, 0x07, 0x08, 0x04, 0x04, 0x01 };
	static const uint8_t ecdsa_wire[] = { 0x04, 0x03 };
	const struct ktlso_u16_list peer = { .v = peer_v, .n = 3 };
	const struct ktlso_u16_list wire = { .wire = peer_wire, .n = 3 };
	const struct ktlso_u16_list ecdsa = { .wire = ecdsa_wire, .n = 1 };
	static const uint16_t pss_first[] = {
		KTLSO_SIG_RSA_PSS_RSAE_SHA384, KTLSO_SIG_RSA_PSS_RSAE_SHA256,
	};
	static const uint16_t pss_last[] = {
		KTLSO_SIG_RSA_PSS_RSAE_SHA256, KTLSO_SIG_RSA_PSS_RSAE_SHA384,
	};
	const struct ktlso_u16_list both = { .v = pss_last, .n = 2 };
	const struct ktlso_u16_list empty = { .v = NULL, .n = 0 };
	uint16_t s;

	/* Our order decides among those the peer offered. */
	s = 0;
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_RSA], TLS13, ours, 4,
					    &peer, &s));
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, s);
	s = 0;
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_RSA], TLS13, ours, 4,
					    &wire, &s));
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, s);
	s = 0;
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_ED25519], TLS13, ours,
					    4, &wire, &s));
	EXPECT_EQ(KTLSO_SIG_ED25519, s);
	/* The peer did not offer ECDSA. */
	EXPECT_EQ(HANDSHAKE_FAILURE,
		  ktlso_sigscheme_select(self->key[K_P256], TLS13, ours, 4,
					 &peer, &s));
	s = 0;
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_P256], TLS13, ours, 4,
					    &ecdsa, &s));
	EXPECT_EQ(KTLSO_SIG_ECDSA_SECP256R1_SHA256, s);
	/* P-384 with ecdsa_secp256r1_sha256: TLS 1.2 only. */
	EXPECT_EQ(HANDSHAKE_FAILURE,
		  ktlso_sigscheme_select(self->key[K_P384], TLS13, ours, 4,
					 &ecdsa, &s));
	s = 0;
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_P384], TLS12, ours, 4,
					    &ecdsa, &s));
	EXPECT_EQ(KTLSO_SIG_ECDSA_SECP256R1_SHA256, s);
	/* PKCS#1 is a choice in TLS 1.2 only. */
	EXPECT_EQ(HANDSHAKE_FAILURE,
		  ktlso_sigscheme_select(self->key[K_RSA], TLS13, ours + 3, 1,
					 &peer, &s));
	s = 0;
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_RSA], TLS12, ours + 3,
					    1, &peer, &s));
	EXPECT_EQ(KTLSO_SIG_RSA_PKCS1_SHA256, s);
	/* Reversing our preference reverses the choice. */
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_RSA], TLS13, pss_first,
					    2, &both, &s));
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA384, s);
	EXPECT_EQ(0, ktlso_sigscheme_select(self->key[K_RSA], TLS13, pss_last,
					    2, &both, &s));
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, s);
	EXPECT_EQ(HANDSHAKE_FAILURE,
		  ktlso_sigscheme_select(self->key[K_RSA], TLS13, ours, 4,
					 &empty, &s));
	EXPECT_EQ(HANDSHAKE_FAILURE,
		  ktlso_sigscheme_select(self->key[K_RSA], TLS13, ours, 0,
					 &peer, &s));
}

/* RFC 8446 4.4.3, with the context strings spelled out byte by byte. */
TEST_F(sig, tls13_signed_content)
{
	static const uint8_t server_ctx[] = {
		/* "TLS 1.3, server CertificateVerify" */
		0x54, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x33, 0x2c, 0x20,
		0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x20,
		0x43, 0x65, 0x72, 0x74, 0x69, 0x66, 0x69, 0x63, 0x61, 0x74,
		0x65, 0x56, 0x65, 0x72, 0x69, 0x66, 0x79,
	};
	static const uint8_t client_ctx[] = {
		/* "TLS 1.3, client CertificateVerify" */
		0x54, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x33, 0x2c, 0x20,
		0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x20,
		0x43, 0x65, 0x72, 0x74, 0x69, 0x66, 0x69, 0x63, 0x61, 0x74,
		0x65, 0x56, 0x65, 0x72, 0x69, 0x66, 0x79,
	};
	uint8_t th[48], want[200], out[200];
	size_t i, n, len, th_len;
	int side;

	for (i = 0; i < sizeof(th); i++)
		th[i] = (uint8_t)(0xa0 + i);
	for (side = 0; side < 2; side++) {
		for (th_len = 32; th_len <= 48; th_len += 16) {
			n = 0;
			for (i = 0; i < 64; i++)
				want[n++] = 0x20;
			memcpy(want + n, side ? server_ctx : client_ctx, 33);
			n += 33;
			want[n++] = 0x00;
			memcpy(want + n, th, th_len);
			n += th_len;

			memset(out, 0xee, sizeof(out));
			ASSERT_EQ(0, ktlso_tls13_signed_content(side, th,
					th_len, out, sizeof(out), &len));
			ASSERT_EQ(n, len);
			EXPECT_EQ(KTLSO_TLS13_SIGNED_CONTENT_LEN(th_len), len);
			EXPECT_EQ(0, memcmp(want, out, n));
			EXPECT_EQ(0xee, out[n]);
			EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
				  ktlso_tls13_signed_content(side, th, th_len,
							     out, n - 1, &len));
		}
	}
	EXPECT_EQ(130, KTLSO_TLS13_SIGNED_CONTENT_LEN(32));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls13_signed_content(true, th, 0, out, sizeof(out),
					     &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls13_signed_content(true, th, 49, out, sizeof(out),
					     &len));
}

/* RFC 8032 7.1 TEST 2: Ed25519 is deterministic, so sign is a KAT too. */
TEST_F(sig, ed25519_known_answer)
{
	const struct test_vectors *tv = &self->tv;
	const struct test_vector *priv = VEC(tv, "ed25519_priv", 32);
	const struct test_vector *pub = VEC(tv, "ed25519_pub", 32);
	const struct test_vector *msg = VEC(tv, "ed25519_msg", 1);
	const struct test_vector *want = VEC(tv, "ed25519_sig", 64);
	EVP_PKEY *sk, *pk;
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	size_t len;

	sk = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, priv->data,
					     priv->len);
	pk = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub->data,
					    pub->len);
	ASSERT_NE(NULL, sk);
	ASSERT_NE(NULL, pk);
	ASSERT_EQ(0, ktlso_sign(sk, KTLSO_SIG_ED25519, msg->data, msg->len, sig,
				sizeof(sig), &len));
	ASSERT_EQ(64U, len);
	EXPECT_BYTES("Ed25519 signature", want->data, sig, 64);
	EXPECT_EQ(0, ktlso_verify(pk, KTLSO_SIG_ED25519, TLS13, msg->data,
				  msg->len, want->data, want->len));
	EXPECT_EQ(0, ktlso_verify(pk, KTLSO_SIG_ED25519, TLS12, msg->data,
				  msg->len, want->data, want->len));
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_ED25519, TLS13, msg->data, 0,
			       want->data, want->len));
	EVP_PKEY_free(sk);
	EVP_PKEY_free(pk);
}

/* An EC public key from its uncompressed point. */
static EVP_PKEY *ec_public(const char *curve, const uint8_t *pt, size_t len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
				       (char *)curve, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt,
					len),
		OSSL_PARAM_END,
	};

	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* RFC 6979 A.2.5: a published ECDSA signature, DER-encoded as TLS sends it. */
TEST_F(sig, ecdsa_known_answer)
{
	const struct test_vectors *tv = &self->tv;
	const struct test_vector *pub = VEC(tv, "ecdsa_p256_pub", 65);
	const struct test_vector *msg = VEC(tv, "ecdsa_p256_msg", 6);
	const struct test_vector *r = VEC(tv, "ecdsa_p256_sha256_r", 32);
	const struct test_vector *s = VEC(tv, "ecdsa_p256_sha256_s", 32);
	uint8_t der[80];
	size_t n = 0;
	EVP_PKEY *pk;

	/*
	 * SEQUENCE { INTEGER r, INTEGER s }, both with a leading 0x00 since
	 * their top bits are set: 2 + 2 * (2 + 33) = 72 octets.
	 */
	ASSERT_TRUE(r->data[0] & 0x80);
	ASSERT_TRUE(s->data[0] & 0x80);
	der[n++] = 0x30;
	der[n++] = 70;
	der[n++] = 0x02;
	der[n++] = 33;
	der[n++] = 0x00;
	memcpy(der + n, r->data, 32);
	n += 32;
	der[n++] = 0x02;
	der[n++] = 33;
	der[n++] = 0x00;
	memcpy(der + n, s->data, 32);
	n += 32;
	ASSERT_EQ(72U, n);

	pk = ec_public("P-256", pub->data, pub->len);
	ASSERT_NE(NULL, pk);
	EXPECT_EQ(0, ktlso_verify(pk, KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13,
				  msg->data, msg->len, der, n));
	/* Not with SHA-384, not another message, not a changed s. */
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_ECDSA_SECP384R1_SHA384, TLS12,
			       msg->data, msg->len, der, n));
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13,
			       msg->data, msg->len - 1, der, n));
	der[n - 1] ^= 0x01;
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13,
			       msg->data, msg->len, der, n));
	der[n - 1] ^= 0x01;
	/* DER only: a trailing byte is refused. */
	der[n] = 0x00;
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13,
			       msg->data, msg->len, der, n + 1));
	/* The raw r || s form (as in JOSE) is not what TLS carries. */
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_ECDSA_SECP256R1_SHA256, TLS13,
			       msg->data, msg->len, der + 5, 64));
	EVP_PKEY_free(pk);
}

/* A handshake message's body, after its 4-byte header. */
static void body_reader(struct __test_metadata *_metadata,
			const struct test_vector *m, uint8_t type,
			struct ktlso_reader *r)
{
	uint8_t t;
	uint32_t len;

	ktlso_reader_init(r, m->data, m->len);
	ASSERT_EQ(0, ktlso_get_u8(r, &t));
	ASSERT_EQ(type, t);
	ASSERT_EQ(0, ktlso_get_u24(r, &len));
	ASSERT_EQ(ktlso_reader_remaining(r), len);
}

/*
 * RFC 8448 section 3: the server's CertificateVerify (rsa_pss_rsae_sha256)
 * verified with the public key of the server's certificate, over
 * Hash(ClientHello .. Certificate) computed from the trace's messages.
 */
TEST_F(sig, rfc8448_certificate_verify)
{
	static const char *const to_cert[] = {
		"client_hello", "server_hello", "encrypted_extensions",
		"certificate",
	};
	struct test_vectors trace;
	const struct test_vector *cert_msg, *cv_msg;
	struct ktlso_reader r, list, sig_r;
	const uint8_t *der, *sig, *p;
	uint8_t transcript[2048], th[32], content[200], ctx_len;
	uint16_t scheme;
	uint32_t der_len;
	size_t i, n = 0, len;
	X509 *x;
	EVP_PKEY *pk;

	ASSERT_EQ(0, test_vectors_load(&trace, "rfc8448-simple-1rtt.txt"));
	for (i = 0; i < ARRAY_SIZE(to_cert); i++) {
		const struct test_vector *m = VEC(&trace, to_cert[i], 0);

		ASSERT_GE(sizeof(transcript) - n, m->len);
		memcpy(transcript + n, m->data, m->len);
		n += m->len;
	}
	ASSERT_EQ(0, ktlso_hash_digest(KTLSO_MD_SHA256, transcript, n, th));

	/* Certificate: context<0..255>, certificate_list<0..2^24-1>. */
	cert_msg = VEC(&trace, "certificate", 0);
	body_reader(_metadata, cert_msg, 11, &r);
	ASSERT_EQ(0, ktlso_get_u8(&r, &ctx_len));
	ASSERT_EQ(0, ctx_len);
	ASSERT_EQ(0, ktlso_get_vector(&r, 3, 1, 0xffffff, &list));
	ASSERT_EQ(0, ktlso_get_u24(&list, &der_len));
	ASSERT_EQ(0, ktlso_get_span(&list, der_len, &der));
	p = der;
	x = d2i_X509(NULL, &p, der_len);
	ASSERT_NE(NULL, x);
	ASSERT_EQ(der + der_len, p);

	/* CertificateVerify: algorithm, signature<0..2^16-1>. */
	cv_msg = VEC(&trace, "certificate_verify", 0);
	body_reader(_metadata, cv_msg, 15, &r);
	ASSERT_EQ(0, ktlso_get_u16(&r, &scheme));
	ASSERT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, scheme);
	ASSERT_EQ(0, ktlso_get_vector(&r, 2, 1, 0xffff, &sig_r));
	len = ktlso_reader_remaining(&sig_r);
	ASSERT_EQ(128U, len);
	ASSERT_EQ(0, ktlso_get_span(&sig_r, len, &sig));

	pk = X509_get0_pubkey(x);
	ASSERT_NE(NULL, pk);
	ASSERT_EQ(0, ktlso_tls13_signed_content(true, th, sizeof(th), content,
						sizeof(content), &n));
	EXPECT_EQ(0, ktlso_verify(pk, scheme, TLS13, content, n, sig, len));

	/* The client's context, another transcript, another hash: refused. */
	ASSERT_EQ(0, ktlso_tls13_signed_content(false, th, sizeof(th), content,
						sizeof(content), &n));
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, scheme, TLS13, content, n, sig, len));
	th[0] ^= 0x01;
	ASSERT_EQ(0, ktlso_tls13_signed_content(true, th, sizeof(th), content,
						sizeof(content), &n));
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, scheme, TLS13, content, n, sig, len));
	th[0] ^= 0x01;
	ASSERT_EQ(0, ktlso_tls13_signed_content(true, th, sizeof(th), content,
						sizeof(content), &n));
	EXPECT_EQ(DECRYPT_ERROR,
		  ktlso_verify(pk, KTLSO_SIG_RSA_PSS_RSAE_SHA384, TLS13,
			       content, n, sig, len));
	/* A 1024-bit key is too short for PSS with SHA-512 (RFC 8017 9.1.1). */
	EXPECT_EQ(ILLEGAL_PARAMETER,
		  ktlso_verify(pk, KTLSO_SIG_RSA_PSS_RSAE_SHA512, TLS13,
			       content, n, sig, len));
	EXPECT_EQ(ILLEGAL_PARAMETER,
		  ktlso_verify(pk, KTLSO_SIG_RSA_PKCS1_SHA256, TLS13, content,
			       n, sig, len));
	X509_free(x);
	test_vectors_free(&trace);
}

TEST_HARNESS_MAIN
