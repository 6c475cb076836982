/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference record protection for tests: TLS records sealed and opened
 * straight from the RFCs' nonce and additional-data formulas on raw
 * libcrypto AEAD calls, with no engine code and no checks. Tests use it to
 * check the engine's wire format independently, and to make records the
 * engine refuses to make (an inner plaintext over 2^14 + 1 bytes, an
 * all-zero one, a forbidden inner type).
 *
 * Everything here is static inline; include it from single-file tests
 * (the engine's tests/record.c, hs13_fail.c, and the kernel selftests).
 */
#ifndef KTLSO_ENGINE_TESTS_RECORD_REF_H
#define KTLSO_ENGINE_TESTS_RECORD_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "engine/suite.h"

#define REF_TAG_LEN 16		/* every AEAD the engine and kTLS use */
#define REF_NONCE_LEN 12

/* One direction's keys, as the reference needs them. */
struct ref_keys {
	const struct ktlso_aead_info *aead;
	const uint8_t *key;
	/* TLS 1.3 and ChaCha20: the 12-byte IV; TLS 1.2 GCM/CCM: the salt */
	const uint8_t *iv;
	bool tls13;
};

struct ref_aead {
	const char *name;
	bool ccm;
	bool enc;
	const uint8_t *key, *nonce, *aad;
	size_t aad_len;
	const uint8_t *in;
	uint8_t *out;
	size_t len;
	uint8_t *tag;
};

/* One AEAD operation on a fresh context, as libcrypto's manual shows it. */
static inline bool ref_aead_run(const struct ref_aead *a)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, enc = a->enc;
	bool ok;

	ok = c && ctx && EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, REF_NONCE_LEN,
				 NULL) > 0 &&
	     (!a->ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
					      REF_TAG_LEN,
					      a->enc ? NULL : a->tag) > 0) &&
	     EVP_CipherInit_ex2(ctx, NULL, a->key, a->nonce, enc, NULL) &&
	     (!a->ccm || EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)a->len)) &&
	     EVP_CipherUpdate(ctx, NULL, &n, a->aad, (int)a->aad_len) &&
	     EVP_CipherUpdate(ctx, a->out, &n, a->in, (int)a->len);
	if (ok && !a->ccm && !a->enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, REF_TAG_LEN,
					 a->tag) > 0 &&
		     EVP_CipherFinal_ex(ctx, a->out + a->len, &n) > 0;
	if (ok && a->enc)
		ok = EVP_CipherFinal_ex(ctx, a->out + a->len, &n) > 0 &&
		     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, REF_TAG_LEN,
					 a->tag) > 0;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok;
}

static inline void ref_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* RFC 8446 5.3 / RFC 7905 2: iv XOR the 64-bit sequence number, left-padded. */
static inline void ref_xor_nonce(const uint8_t *iv, uint64_t seq,
				 uint8_t nonce[REF_NONCE_LEN])
{
	uint8_t s[8];
	int i;

	ref_be64(s, seq);
	memcpy(nonce, iv, REF_NONCE_LEN);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= s[i];
}

/* Bytes of explicit nonce a record of @k carries (TLS 1.2 GCM/CCM). */
static inline size_t ref_explicit_len(const struct ref_keys *k)
{
	return k->tls13 ? 0 : k->aead->tls12_explicit_nonce_len;
}

/*
 * The nonce and additional data of the record @rec (header written) with
 * @len bytes of plaintext; returns the additional data's length. TLS 1.2
 * GCM/CCM take the explicit nonce from the record.
 */
static inline size_t ref_nonce_aad(const struct ref_keys *k, uint64_t seq,
				   const uint8_t *rec, size_t len,
				   uint8_t nonce[REF_NONCE_LEN], uint8_t aad[13],
				   const uint8_t **aad_p)
{
	if (k->tls13) {
		ref_xor_nonce(k->iv, seq, nonce);
		*aad_p = rec;				/* the record header */
		return 5;
	}
	if (ref_explicit_len(k)) {			/* RFC 5288 3, 6655 3 */
		memcpy(nonce, k->iv, 4);
		memcpy(nonce + 4, rec + 5, 8);
	} else {					/* RFC 7905 2 */
		ref_xor_nonce(k->iv, seq, nonce);
	}
	ref_be64(aad, seq);				/* RFC 5246 6.2.3.3 */
	aad[8] = rec[0];
	aad[9] = 0x03;
	aad[10] = 0x03;
	aad[11] = (uint8_t)(len >> 8);
	aad[12] = (uint8_t)len;
	*aad_p = aad;
	return 13;
}

/*
 * Decrypt @rec (one whole record) the way the RFCs define it: false when
 * it does not authenticate. TLS 1.2 GCM/CCM also requires the explicit
 * nonce to be the sequence number, as the engine and the kernel send it.
 * TLS 1.3: @out receives the whole TLSInnerPlaintext.
 */
static inline bool ref_open(const struct ref_keys *k, uint64_t seq,
			    const uint8_t *rec, size_t rec_len, uint8_t *out,
			    size_t *out_len)
{
	size_t xn = ref_explicit_len(k);
	uint8_t nonce[REF_NONCE_LEN], aad[13], tag[REF_TAG_LEN], want_xn[8];
	struct ref_aead a = {
		.name = k->aead->evp_name, .ccm = k->aead->ccm,
		.key = k->key, .nonce = nonce, .out = out, .tag = tag,
	};

	if (rec_len < 5 + xn + REF_TAG_LEN)
		return false;
	a.in = rec + 5 + xn;
	a.len = rec_len - 5 - xn - REF_TAG_LEN;
	memcpy(tag, rec + rec_len - REF_TAG_LEN, REF_TAG_LEN);
	if (xn) {
		ref_be64(want_xn, seq);
		if (memcmp(rec + 5, want_xn, 8) != 0)
			return false;
	}
	a.aad_len = ref_nonce_aad(k, seq, rec, a.len, nonce, aad, &a.aad);
	*out_len = a.len;
	return ref_aead_run(&a);
}

/*
 * Protect @data as the RFCs define it, with no checks. TLS 1.3: @data is
 * the whole TLSInnerPlaintext (content, type, padding) and @type is
 * unused; TLS 1.2: @data is the content and @type the record's type. @rec
 * needs 5 + explicit nonce + @len + 16 bytes.
 */
static inline bool ref_seal(const struct ref_keys *k, uint64_t seq,
			    uint8_t type, const uint8_t *data, size_t len,
			    uint8_t *rec, size_t *rec_len)
{
	size_t xn = ref_explicit_len(k);
	size_t body = xn + len + REF_TAG_LEN;
	uint8_t nonce[REF_NONCE_LEN], aad[13];
	struct ref_aead a = {
		.name = k->aead->evp_name, .ccm = k->aead->ccm,
		.enc = true, .key = k->key, .nonce = nonce,
		.in = data, .out = rec + 5 + xn, .len = len,
		.tag = rec + 5 + xn + len,
	};

	rec[0] = k->tls13 ? 23 : type;
	rec[1] = 0x03;
	rec[2] = 0x03;
	rec[3] = (uint8_t)(body >> 8);
	rec[4] = (uint8_t)body;
	if (xn)
		ref_be64(rec + 5, seq);
	a.aad_len = ref_nonce_aad(k, seq, rec, len, nonce, aad, &a.aad);
	*rec_len = 5 + body;
	return ref_aead_run(&a);
}

#endif /* KTLSO_ENGINE_TESTS_RECORD_REF_H */
