// SPDX-License-Identifier: GPL-2.0
/*
 * The cipher suite and AEAD tables. See suite.h.
 */
#include "engine/suite.h"

#include <linux/tls.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct ktlso_aead_info ktlso_aeads[] = {
	[KTLSO_AEAD_AES_128_GCM] = {
		.id = KTLSO_AEAD_AES_128_GCM,
		.evp_name = "AES-128-GCM",
		.kernel_cipher = TLS_CIPHER_AES_GCM_128,
		.key_len = TLS_CIPHER_AES_GCM_128_KEY_SIZE,
		.tls12_fixed_iv_len = TLS_CIPHER_AES_GCM_128_SALT_SIZE,
		.tls12_explicit_nonce_len = TLS_CIPHER_AES_GCM_128_IV_SIZE,
	},
	[KTLSO_AEAD_AES_256_GCM] = {
		.id = KTLSO_AEAD_AES_256_GCM,
		.evp_name = "AES-256-GCM",
		.kernel_cipher = TLS_CIPHER_AES_GCM_256,
		.key_len = TLS_CIPHER_AES_GCM_256_KEY_SIZE,
		.tls12_fixed_iv_len = TLS_CIPHER_AES_GCM_256_SALT_SIZE,
		.tls12_explicit_nonce_len = TLS_CIPHER_AES_GCM_256_IV_SIZE,
	},
	[KTLSO_AEAD_CHACHA20_POLY1305] = {
		.id = KTLSO_AEAD_CHACHA20_POLY1305,
		.evp_name = "ChaCha20-Poly1305",
		.kernel_cipher = TLS_CIPHER_CHACHA20_POLY1305,
		.key_len = TLS_CIPHER_CHACHA20_POLY1305_KEY_SIZE,
		.tls12_fixed_iv_len = TLS_CIPHER_CHACHA20_POLY1305_IV_SIZE,
		.tls12_explicit_nonce_len = 0,
	},
	[KTLSO_AEAD_AES_128_CCM] = {
		.id = KTLSO_AEAD_AES_128_CCM,
		.evp_name = "AES-128-CCM",
		.kernel_cipher = TLS_CIPHER_AES_CCM_128,
		.key_len = TLS_CIPHER_AES_CCM_128_KEY_SIZE,
		.tls12_fixed_iv_len = TLS_CIPHER_AES_CCM_128_SALT_SIZE,
		.tls12_explicit_nonce_len = TLS_CIPHER_AES_CCM_128_IV_SIZE,
		.ccm = true,
	},
};

static const struct ktlso_suite ktlso_suites[] = {
	/* TLS 1.3, RFC 8446 appendix B.4. */
	{ 0x1301, KTLSO_TLS13_VERSION, KTLSO_AEAD_AES_128_GCM, KTLSO_MD_SHA256,
	  "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, KTLSO_TLS13_VERSION, KTLSO_AEAD_AES_256_GCM, KTLSO_MD_SHA384,
	  "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, KTLSO_TLS13_VERSION, KTLSO_AEAD_CHACHA20_POLY1305,
	  KTLSO_MD_SHA256, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, KTLSO_TLS13_VERSION, KTLSO_AEAD_AES_128_CCM, KTLSO_MD_SHA256,
	  "TLS_AES_128_CCM_SHA256" },
	/* TLS 1.2: RFC 5289 (GCM), RFC 7905 (ChaCha20), RFC 7251 (CCM). */
	{ 0xc02b, KTLSO_TLS12_VERSION, KTLSO_AEAD_AES_128_GCM, KTLSO_MD_SHA256,
	  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc02c, KTLSO_TLS12_VERSION, KTLSO_AEAD_AES_256_GCM, KTLSO_MD_SHA384,
	  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc02f, KTLSO_TLS12_VERSION, KTLSO_AEAD_AES_128_GCM, KTLSO_MD_SHA256,
	  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc030, KTLSO_TLS12_VERSION, KTLSO_AEAD_AES_256_GCM, KTLSO_MD_SHA384,
	  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xcca8, KTLSO_TLS12_VERSION, KTLSO_AEAD_CHACHA20_POLY1305,
	  KTLSO_MD_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xcca9, KTLSO_TLS12_VERSION, KTLSO_AEAD_CHACHA20_POLY1305,
	  KTLSO_MD_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xc0ac, KTLSO_TLS12_VERSION, KTLSO_AEAD_AES_128_CCM, KTLSO_MD_SHA256,
	  "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
};

size_t ktlso_hash_len(enum ktlso_md hash)
{
	return hash == KTLSO_MD_SHA384 ? 48 : 32;
}

const char *ktlso_hash_name(enum ktlso_md hash)
{
	return hash == KTLSO_MD_SHA384 ? "SHA384" : "SHA256";
}

const struct ktlso_aead_info *ktlso_aead_info(enum ktlso_aead aead)
{
	if ((unsigned int)aead >= ARRAY_SIZE(ktlso_aeads))
		return NULL;
	return &ktlso_aeads[aead];
}

const struct ktlso_suite *ktlso_suite_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ktlso_suites); i++)
		if (ktlso_suites[i].id == id)
			return &ktlso_suites[i];
	return NULL;
}
