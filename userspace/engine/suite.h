/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cipher suites the engine knows, and the parameters of their AEADs and
 * hashes: the single table that the key schedule, the record layer and the
 * kernel key export all read.
 */
#ifndef KTLSO_ENGINE_SUITE_H
#define KTLSO_ENGINE_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SSL 3.0: no Hello may carry it, or less (RFC 8446 D.5). */
#define KTLSO_SSL3_VERSION 0x0300
#define KTLSO_TLS12_VERSION 0x0303
#define KTLSO_TLS13_VERSION 0x0304

/*
 * The engine's hashes (HKDF, PRF, transcript).  Not the uAPI's enum
 * ktlso_hash of <linux/ktlso.h>, whose numbers the kernel takes:
 * ktlso_traffic_secret_fill() (crypto_info.h) maps one to the other.
 */
enum ktlso_md {
	KTLSO_MD_SHA256,
	KTLSO_MD_SHA384,
};

#define KTLSO_MAX_HASH_LEN 48

enum ktlso_aead {
	KTLSO_AEAD_AES_128_GCM,
	KTLSO_AEAD_AES_256_GCM,
	KTLSO_AEAD_CHACHA20_POLY1305,
	KTLSO_AEAD_AES_128_CCM,
};

#define KTLSO_AEAD_MAX_KEY_LEN 32
#define KTLSO_AEAD_NONCE_LEN 12		/* every AEAD here: 96-bit nonces */
#define KTLSO_AEAD_TAG_LEN 16		/* every AEAD here: 128-bit tags */
#define KTLSO_TLS12_EXPLICIT_NONCE_LEN 8

struct ktlso_aead_info {
	enum ktlso_aead id;
	const char *evp_name;		/* OpenSSL cipher name */
	uint16_t kernel_cipher;		/* TLS_CIPHER_* of <linux/tls.h> */
	uint8_t key_len;
	/*
	 * TLS 1.2 only: bytes of the IV taken from the key block (the GCM/CCM
	 * "salt" of RFC 5288 / RFC 6655, or ChaCha20-Poly1305's whole 12-byte
	 * IV, RFC 7905) and bytes of explicit nonce carried in each record.
	 */
	uint8_t tls12_fixed_iv_len;
	uint8_t tls12_explicit_nonce_len;
	bool ccm;			/* needs CCM's extra EVP steps */
};

struct ktlso_suite {
	uint16_t id;			/* IANA CipherSuite value */
	uint16_t version;		/* KTLSO_TLS12_VERSION or KTLSO_TLS13_VERSION */
	enum ktlso_aead aead;
	enum ktlso_md hash;		/* TLS 1.3 HKDF hash / TLS 1.2 PRF hash */
	const char *name;		/* IANA name */
};

size_t ktlso_hash_len(enum ktlso_md hash);

/* The OpenSSL digest name ("SHA256", "SHA384"). */
const char *ktlso_hash_name(enum ktlso_md hash);

/* NULL for a value outside enum ktlso_aead. */
const struct ktlso_aead_info *ktlso_aead_info(enum ktlso_aead aead);

/* NULL for a suite the engine does not implement. */
const struct ktlso_suite *ktlso_suite_find(uint16_t id);

#endif /* KTLSO_ENGINE_SUITE_H */
