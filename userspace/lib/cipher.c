// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: the kernel record layer's ciphers and versions, by number and
 * by name, and the names of the handshake states.
 */
#include <errno.h>
#include <linux/tls.h>

#include "internal.h"

/* Cipher numbers newer than some <linux/tls.h> copies. */
#ifndef TLS_CIPHER_SM4_GCM
#define TLS_CIPHER_SM4_GCM		55
#endif
#ifndef TLS_CIPHER_SM4_CCM
#define TLS_CIPHER_SM4_CCM		56
#endif
#ifndef TLS_CIPHER_ARIA_GCM_128
#define TLS_CIPHER_ARIA_GCM_128		57
#endif
#ifndef TLS_CIPHER_ARIA_GCM_256
#define TLS_CIPHER_ARIA_GCM_256		58
#endif

/*
 * struct tls12_crypto_info_*: the 4-byte header, then iv, key, salt and an
 * 8-byte rec_seq.  Sizes follow from those fields, written out so that the
 * table does not depend on how new the installed <linux/tls.h> is.
 */
#define INFO_LEN(iv, key, salt)	(4 + (iv) + (key) + (salt) + 8)

static const struct ktlso_cipher_desc ciphers[] = {
	{ TLS_CIPHER_AES_GCM_128, INFO_LEN(8, 16, 4), false, "AES-128-GCM" },
	{ TLS_CIPHER_AES_GCM_256, INFO_LEN(8, 32, 4), false, "AES-256-GCM" },
	{ TLS_CIPHER_AES_CCM_128, INFO_LEN(8, 16, 4), false, "AES-128-CCM" },
	{ TLS_CIPHER_CHACHA20_POLY1305, INFO_LEN(12, 32, 0), false,
	  "CHACHA20-POLY1305" },
	{ TLS_CIPHER_SM4_GCM, INFO_LEN(8, 16, 4), false, "SM4-GCM" },
	{ TLS_CIPHER_SM4_CCM, INFO_LEN(8, 16, 4), false, "SM4-CCM" },
	{ TLS_CIPHER_ARIA_GCM_128, INFO_LEN(8, 16, 4), true, "ARIA-128-GCM" },
	{ TLS_CIPHER_ARIA_GCM_256, INFO_LEN(8, 32, 4), true, "ARIA-256-GCM" },
};

_Static_assert(sizeof(struct tls12_crypto_info_aes_gcm_128) ==
	       INFO_LEN(8, 16, 4), "aes_gcm_128");
_Static_assert(sizeof(struct tls12_crypto_info_aes_gcm_256) ==
	       INFO_LEN(8, 32, 4), "aes_gcm_256");
_Static_assert(sizeof(struct tls12_crypto_info_aes_ccm_128) ==
	       INFO_LEN(8, 16, 4), "aes_ccm_128");
_Static_assert(sizeof(struct tls12_crypto_info_chacha20_poly1305) ==
	       INFO_LEN(12, 32, 0), "chacha20_poly1305");

/**
 * ktlso_lib_cipher() - the record layer's description of a cipher
 * @type: TLS_CIPHER_*
 *
 * Return: the entry, or NULL for a cipher the kernel does not have.
 */
const struct ktlso_cipher_desc *ktlso_lib_cipher(uint16_t type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (ciphers[i].type == type)
			return &ciphers[i];
	return NULL;
}

KTLSO_API int ktlso_crypto_info_size(uint16_t version, uint16_t cipher)
{
	const struct ktlso_cipher_desc *c = ktlso_lib_cipher(cipher);

	if (version != TLS_1_2_VERSION && version != TLS_1_3_VERSION)
		return -EINVAL;
	if (!c || (c->tls12_only && version != TLS_1_2_VERSION))
		return -EINVAL;
	return c->info_len;
}

KTLSO_API const char *ktlso_cipher_name(uint16_t cipher)
{
	const struct ktlso_cipher_desc *c = ktlso_lib_cipher(cipher);

	if (cipher == 0)
		return "";
	return c ? c->name : "unknown";
}

KTLSO_API const char *ktlso_version_name(uint16_t version)
{
	switch (version) {
	case 0:
		return "";
	case TLS_1_2_VERSION:
		return "TLS 1.2";
	case TLS_1_3_VERSION:
		return "TLS 1.3";
	default:
		return "unknown";
	}
}

_Static_assert((int)KTLSO_STATE_NONE == (int)KTLSO_HS_NONE &&
	       (int)KTLSO_STATE_PENDING == (int)KTLSO_HS_PENDING &&
	       (int)KTLSO_STATE_RUNNING == (int)KTLSO_HS_RUNNING &&
	       (int)KTLSO_STATE_DONE == (int)KTLSO_HS_DONE &&
	       (int)KTLSO_STATE_FAILED == (int)KTLSO_HS_FAILED, "states");

KTLSO_API const char *ktlso_state_name(int state)
{
	switch (state) {
	case KTLSO_STATE_NONE:
		return "none";
	case KTLSO_STATE_PENDING:
		return "pending";
	case KTLSO_STATE_RUNNING:
		return "running";
	case KTLSO_STATE_DONE:
		return "done";
	case KTLSO_STATE_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}
