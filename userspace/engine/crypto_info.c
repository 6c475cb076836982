// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel TLS_TX / TLS_RX key export, and the TLS 1.3 traffic secrets for
 * KTLSO_TX_SECRET / KTLSO_RX_SECRET. See crypto_info.h.
 */
#include "engine/crypto_info.h"

#include <string.h>

#include <linux/ktlso.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/suite.h"

/* Where the fields of the one tls12_crypto_info_* struct in use live. */
struct crypto_info_layout {
	unsigned char *iv, *key, *salt, *rec_seq;
	size_t iv_size, key_size, salt_size, rec_seq_size;
	size_t len;
};

#define LAYOUT_OF(l, s)	do {						\
	(l)->iv = (s).iv;		(l)->iv_size = sizeof((s).iv);	\
	(l)->key = (s).key;		(l)->key_size = sizeof((s).key);	\
	(l)->salt = (s).salt;		(l)->salt_size = sizeof((s).salt);	\
	(l)->rec_seq = (s).rec_seq;	(l)->rec_seq_size = sizeof((s).rec_seq); \
	(l)->len = sizeof(s);						\
} while (0)

static int layout_for(union ktlso_crypto_info *ci, enum ktlso_aead aead,
		      struct crypto_info_layout *l)
{
	switch (aead) {
	case KTLSO_AEAD_AES_128_GCM:
		LAYOUT_OF(l, ci->aes_gcm_128);
		return 0;
	case KTLSO_AEAD_AES_256_GCM:
		LAYOUT_OF(l, ci->aes_gcm_256);
		return 0;
	case KTLSO_AEAD_CHACHA20_POLY1305:
		LAYOUT_OF(l, ci->chacha20_poly1305);
		return 0;
	case KTLSO_AEAD_AES_128_CCM:
		LAYOUT_OF(l, ci->aes_ccm_128);
		return 0;
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

static void store_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

/*
 * Place salt and IV. TLS 1.3: the 12-byte write_iv splits into salt (first
 * salt_size bytes) and iv (the rest). TLS 1.2 GCM/CCM: the 4-byte implicit
 * IV is the salt and iv holds the first explicit nonce, which the engine's
 * record layer makes equal to the record sequence number (the kernel then
 * increments it per record, as it does rec_seq). TLS 1.2 ChaCha20-Poly1305:
 * the 12-byte IV, no salt.
 */
static int place_nonce(const struct crypto_info_layout *l, uint16_t version,
		       const struct ktlso_aead_info *aead,
		       const struct ktlso_traffic_keys *keys, uint64_t next_seq)
{
	if (version == KTLSO_TLS13_VERSION || aead->tls12_explicit_nonce_len == 0) {
		if (keys->iv_len != l->salt_size + l->iv_size)
			return -KTLSO_ERROR_INVALID_ARGUMENT;
		memcpy(l->salt, keys->iv, l->salt_size);
		memcpy(l->iv, keys->iv + l->salt_size, l->iv_size);
		return 0;
	}
	if (keys->iv_len != l->salt_size || l->iv_size != 8)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	memcpy(l->salt, keys->iv, l->salt_size);
	store_be64(l->iv, next_seq);
	return 0;
}

/**
 * ktlso_crypto_info_fill() - build the TLS_TX / TLS_RX argument
 * @ci: receives the crypto_info
 * @len: receives the byte length to pass to setsockopt()
 * @version: KTLSO_TLS12_VERSION or KTLSO_TLS13_VERSION
 * @suite_id: the negotiated cipher suite, of that version
 * @keys: this direction's key and IV (ktlso_tls13_traffic_keys() or
 *	ktlso_tls12_traffic_keys())
 * @next_seq: the sequence number of the next record in this direction
 *
 * Return: 0, or -KTLSO_ERROR_INVALID_ARGUMENT (unknown suite, suite of
 * another version, key or IV of the wrong length); @ci is zeroed then.
 */
int ktlso_crypto_info_fill(union ktlso_crypto_info *ci, size_t *len,
			   uint16_t version, uint16_t suite_id,
			   const struct ktlso_traffic_keys *keys,
			   uint64_t next_seq)
{
	const struct ktlso_suite *suite = ktlso_suite_find(suite_id);
	const struct ktlso_aead_info *aead;
	struct crypto_info_layout l;
	int ret;

	ktlso_crypto_info_clear(ci);
	*len = 0;
	if (!suite || suite->version != version || !keys)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	aead = ktlso_aead_info(suite->aead);
	if (!aead || layout_for(ci, suite->aead, &l) != 0 ||
	    keys->key_len != l.key_size || l.rec_seq_size != 8)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = place_nonce(&l, version, aead, keys, next_seq);
	if (ret) {
		ktlso_crypto_info_clear(ci);
		return ret;
	}
	ci->info.version = version;
	ci->info.cipher_type = aead->kernel_cipher;
	memcpy(l.key, keys->key, l.key_size);
	store_be64(l.rec_seq, next_seq);
	*len = l.len;
	return 0;
}

void ktlso_crypto_info_clear(union ktlso_crypto_info *ci)
{
	OPENSSL_cleanse(ci, sizeof(*ci));
}

/**
 * ktlso_traffic_secret_fill() - build the KTLSO_TX_SECRET / _RX_SECRET
 *	argument
 * @ts: receives the secret, the kernel's number for the suite's hash and
 *	the secret's length; the rest zero
 * @suite_id: the negotiated cipher suite, a TLS 1.3 one
 * @secret: that direction's current application traffic secret
 *	(struct ktlso_session_result's tx_secret or rx_secret)
 * @len: its length, the suite's hash length
 *
 * Return: 0, or -KTLSO_ERROR_INVALID_ARGUMENT (unknown or TLS 1.2 suite,
 * or a length that is not the hash's); @ts is zeroed then.
 */
int ktlso_traffic_secret_fill(struct ktlso_traffic_secret *ts,
			      uint16_t suite_id, const uint8_t *secret,
			      size_t len)
{
	const struct ktlso_suite *suite = ktlso_suite_find(suite_id);

	ktlso_traffic_secret_clear(ts);
	if (!suite || suite->version != KTLSO_TLS13_VERSION || !secret ||
	    len != ktlso_hash_len(suite->hash) || len > sizeof(ts->secret))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ts->hash = suite->hash == KTLSO_MD_SHA384 ? KTLSO_HASH_SHA384 :
						    KTLSO_HASH_SHA256;
	ts->secret_len = (uint16_t)len;
	memcpy(ts->secret, secret, len);
	return 0;
}

void ktlso_traffic_secret_clear(struct ktlso_traffic_secret *ts)
{
	OPENSSL_cleanse(ts, sizeof(*ts));
}
