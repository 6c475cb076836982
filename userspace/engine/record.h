/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace record protection: seal and open one TLS record with an AEAD,
 * for TLS 1.2 (RFC 5246 6.2.3.3 with RFC 5288, RFC 6655, RFC 7905) and
 * TLS 1.3 (RFC 8446 section 5). The engine uses it for the encrypted part of
 * the handshake and for full userspace sessions; the kernel takes over the
 * same keys and sequence numbers afterwards (crypto_info.h).
 *
 * One struct ktlso_record_protection holds one direction's key, IV and next
 * sequence number. Sequence numbers never wrap: after the record numbered
 * 2^64-1 every call fails with -KTLSO_ERROR_SEQUENCE_EXHAUSTED.
 *
 * Nonces: TLS 1.3 and TLS 1.2 ChaCha20-Poly1305 use iv XOR the left-padded
 * sequence number; TLS 1.2 GCM and CCM use salt || explicit nonce, and the
 * explicit nonce this side sends is the sequence number.
 */
#ifndef KTLSO_ENGINE_RECORD_H
#define KTLSO_ENGINE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "engine/keysched.h"
#include "engine/suite.h"

enum ktlso_content_type {
	KTLSO_CONTENT_CHANGE_CIPHER_SPEC = 20,
	KTLSO_CONTENT_ALERT = 21,
	KTLSO_CONTENT_HANDSHAKE = 22,
	KTLSO_CONTENT_APPLICATION_DATA = 23,
};

#define KTLSO_RECORD_HEADER_LEN 5
#define KTLSO_MAX_PLAINTEXT_LEN 16384			/* 2^14 */
#define KTLSO_TLS13_MAX_CIPHERTEXT_LEN (16384 + 256)
#define KTLSO_TLS12_MAX_CIPHERTEXT_LEN (16384 + 2048)
/* The largest protected record either version may carry, header included. */
#define KTLSO_MAX_RECORD_LEN \
	(KTLSO_RECORD_HEADER_LEN + KTLSO_TLS12_MAX_CIPHERTEXT_LEN)

struct ktlso_record_protection {
	EVP_CIPHER_CTX *ctx;		/* keyed once, re-nonced per record */
	const struct ktlso_aead_info *aead;
	uint16_t version;
	bool encrypt;			/* a sealing or an opening direction */
	bool exhausted;			/* record 2^64-1 has been processed */
	uint8_t iv[KTLSO_AEAD_NONCE_LEN];	/* TLS 1.2 GCM/CCM: 4 bytes used */
	uint64_t seq;			/* sequence number of the next record */
};

int ktlso_record_init(struct ktlso_record_protection *rp, uint16_t version,
		      uint16_t suite_id, const struct ktlso_traffic_keys *keys,
		      uint64_t seq, bool encrypt);
void ktlso_record_clear(struct ktlso_record_protection *rp);

size_t ktlso_record_sealed_len(const struct ktlso_record_protection *rp,
			       size_t plain_len, size_t pad_len);

int ktlso_record_seal(struct ktlso_record_protection *rp, uint8_t type,
		      const uint8_t *plain, size_t plain_len, size_t pad_len,
		      uint8_t *out, size_t out_cap, size_t *out_len);
int ktlso_record_open(struct ktlso_record_protection *rp,
		      const uint8_t *record, size_t record_len, uint8_t *type,
		      uint8_t *out, size_t out_cap, size_t *out_len);

#endif /* KTLSO_ENGINE_RECORD_H */
