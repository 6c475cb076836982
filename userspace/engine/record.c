// SPDX-License-Identifier: GPL-2.0
/*
 * AEAD record protection for TLS 1.2 and TLS 1.3. See record.h.
 */
#include "engine/record.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "engine/alert.h"
#include "engine/codec.h"

#define TLS_LEGACY_VERSION 0x0303	/* every protected record's version */
#define TLS12_AAD_LEN 13		/* seq(8) type(1) version(2) length(2) */

static void store_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static bool is_tls13(const struct ktlso_record_protection *rp)
{
	return rp->version == KTLSO_TLS13_VERSION;
}

/* Bytes of explicit nonce this direction's records carry (TLS 1.2 GCM/CCM). */
static size_t explicit_nonce_len(const struct ktlso_record_protection *rp)
{
	return is_tls13(rp) ? 0 : rp->aead->tls12_explicit_nonce_len;
}

/* Bytes of rp->iv in use: the full IV, or TLS 1.2's 4-byte salt. */
static size_t fixed_iv_len(const struct ktlso_record_protection *rp)
{
	return is_tls13(rp) ? KTLSO_AEAD_NONCE_LEN : rp->aead->tls12_fixed_iv_len;
}

/*
 * The AEAD ciphers, fetched once per process (a fetch by name is a
 * method-store lookup under a lock; a handshake keys eight directions).
 * Immutable and shared by every thread; a failed fetch is retried by name
 * at each use.
 */
static EVP_CIPHER *ciphers[KTLSO_AEAD_AES_128_CCM + 1];
static pthread_once_t ciphers_once = PTHREAD_ONCE_INIT;

static void ciphers_fetch(void)
{
	const struct ktlso_aead_info *info;
	unsigned int i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		info = ktlso_aead_info(i);
		if (info)
			ciphers[i] = EVP_CIPHER_fetch(NULL, info->evp_name,
						      NULL);
	}
	ERR_clear_error();
}

/* The fetched cipher of @id; NULL when it has to be fetched by name. */
static const EVP_CIPHER *cached_cipher(enum ktlso_aead id)
{
	pthread_once(&ciphers_once, ciphers_fetch);
	if ((unsigned int)id >= sizeof(ciphers) / sizeof(ciphers[0]))
		return NULL;
	return ciphers[id];
}

/* Key the cipher once: CCM also needs its tag length before the key. */
static int cipher_init(struct ktlso_record_protection *rp, const uint8_t *key)
{
	EVP_CIPHER *fetched = NULL;
	const EVP_CIPHER *cipher;
	int enc = rp->encrypt ? 1 : 0;
	int ok;

	cipher = cached_cipher(rp->aead->id);
	if (!cipher)
		cipher = fetched = EVP_CIPHER_fetch(NULL, rp->aead->evp_name,
						    NULL);
	if (!cipher)
		return -KTLSO_ERROR_CRYPTO;
	ok = EVP_CipherInit_ex2(rp->ctx, cipher, NULL, NULL, enc, NULL) &&
	     EVP_CIPHER_CTX_ctrl(rp->ctx, EVP_CTRL_AEAD_SET_IVLEN,
				 KTLSO_AEAD_NONCE_LEN, NULL) > 0 &&
	     (!rp->aead->ccm ||
	      EVP_CIPHER_CTX_ctrl(rp->ctx, EVP_CTRL_AEAD_SET_TAG,
				  KTLSO_AEAD_TAG_LEN, NULL) > 0) &&
	     EVP_CipherInit_ex2(rp->ctx, NULL, key, NULL, enc, NULL);
	EVP_CIPHER_free(fetched);
	return ok ? 0 : -KTLSO_ERROR_CRYPTO;
}

/**
 * ktlso_record_init() - set up one direction of record protection
 * @rp: the state to set up: new or cleared (this does not release an old
 *	state); ktlso_record_clear() releases it
 * @version: KTLSO_TLS12_VERSION or KTLSO_TLS13_VERSION
 * @suite_id: the negotiated cipher suite, of that version
 * @keys: the direction's key and IV (keysched.h)
 * @seq: the sequence number of the first record
 * @encrypt: true to seal records, false to open them
 *
 * Return: 0 or a negative engine error; @rp is cleared on failure.
 */
int ktlso_record_init(struct ktlso_record_protection *rp, uint16_t version,
		      uint16_t suite_id, const struct ktlso_traffic_keys *keys,
		      uint64_t seq, bool encrypt)
{
	const struct ktlso_suite *suite = ktlso_suite_find(suite_id);
	int ret;

	memset(rp, 0, sizeof(*rp));
	if (!suite || suite->version != version || !keys)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	rp->aead = ktlso_aead_info(suite->aead);
	rp->version = version;
	rp->encrypt = encrypt;
	rp->seq = seq;
	if (!rp->aead || keys->key_len != rp->aead->key_len ||
	    keys->iv_len != fixed_iv_len(rp)) {
		memset(rp, 0, sizeof(*rp));
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	memcpy(rp->iv, keys->iv, keys->iv_len);
	rp->ctx = EVP_CIPHER_CTX_new();
	ret = rp->ctx ? cipher_init(rp, keys->key) : -KTLSO_ERROR_NO_MEMORY;
	if (ret)
		ktlso_record_clear(rp);
	return ret;
}

void ktlso_record_clear(struct ktlso_record_protection *rp)
{
	EVP_CIPHER_CTX_free(rp->ctx);	/* wipes the key schedule */
	OPENSSL_cleanse(rp, sizeof(*rp));
}

/*
 * The per-record nonce for sequence number @seq. With an explicit nonce
 * (TLS 1.2 GCM/CCM) it is salt || @explicit; otherwise iv XOR seq, the
 * sequence number left-padded with zeros to the IV length.
 */
static void build_nonce(const struct ktlso_record_protection *rp, uint64_t seq,
			const uint8_t *explicit, uint8_t nonce[KTLSO_AEAD_NONCE_LEN])
{
	size_t salt = fixed_iv_len(rp);
	uint8_t be[8];
	int i;

	if (explicit_nonce_len(rp)) {
		memcpy(nonce, rp->iv, salt);
		memcpy(nonce + salt, explicit, KTLSO_AEAD_NONCE_LEN - salt);
		return;
	}
	memcpy(nonce, rp->iv, KTLSO_AEAD_NONCE_LEN);
	store_be64(be, seq);
	for (i = 0; i < 8; i++)
		nonce[KTLSO_AEAD_NONCE_LEN - 8 + i] ^= be[i];
}

/* TLS 1.2 additional data: seq_num + type + version + length (plaintext). */
static void build_tls12_aad(uint64_t seq, uint8_t type, size_t plain_len,
			    uint8_t aad[TLS12_AAD_LEN])
{
	store_be64(aad, seq);
	aad[8] = type;
	aad[9] = TLS_LEGACY_VERSION >> 8;
	aad[10] = TLS_LEGACY_VERSION & 0xff;
	aad[11] = (uint8_t)(plain_len >> 8);
	aad[12] = (uint8_t)plain_len;
}

struct aead_op {
	const uint8_t *nonce;
	const uint8_t *aad;
	size_t aad_len;
	const uint8_t *in;
	uint8_t *out;		/* may equal in */
	size_t len;
	uint8_t *tag_out;		/* sealing: receives the tag */
	const uint8_t *tag_in;		/* opening: the tag to check */
};

/* libcrypto takes the expected tag through a non-const pointer; it copies. */
static int set_expected_tag(EVP_CIPHER_CTX *ctx, const uint8_t *tag)
{
	return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
				   KTLSO_AEAD_TAG_LEN, (void *)tag) > 0;
}

/* Run one AEAD operation in the direction rp was keyed for. */
static int aead_run(struct ktlso_record_protection *rp, const struct aead_op *op)
{
	EVP_CIPHER_CTX *ctx = rp->ctx;
	bool ccm = rp->aead->ccm;
	int n, ok;

	ok = (!ccm || rp->encrypt || set_expected_tag(ctx, op->tag_in)) &&
	     EVP_CipherInit_ex2(ctx, NULL, NULL, op->nonce, rp->encrypt, NULL) &&
	     (!ccm || EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)op->len)) &&
	     EVP_CipherUpdate(ctx, NULL, &n, op->aad, (int)op->aad_len);
	if (!ok)
		return -KTLSO_ERROR_CRYPTO;
	/* CCM checks its tag in this update; a failure is a bad tag. */
	ok = EVP_CipherUpdate(ctx, op->out, &n, op->in, (int)op->len);
	if (ccm && !rp->encrypt)
		return ok ? 0 : -KTLSO_ALERT_BAD_RECORD_MAC;
	if (!ok)
		return -KTLSO_ERROR_CRYPTO;
	if (!rp->encrypt) {
		if (!set_expected_tag(ctx, op->tag_in))
			return -KTLSO_ERROR_CRYPTO;
		return EVP_CipherFinal_ex(ctx, op->out + op->len, &n) > 0 ?
			0 : -KTLSO_ALERT_BAD_RECORD_MAC;
	}
	if (EVP_CipherFinal_ex(ctx, op->out + op->len, &n) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, KTLSO_AEAD_TAG_LEN,
				op->tag_out) <= 0)
		return -KTLSO_ERROR_CRYPTO;
	return 0;
}

/* Refuse a record once 2^64 of them have used this key. */
static int seq_check(const struct ktlso_record_protection *rp)
{
	return rp->exhausted ? -KTLSO_ERROR_SEQUENCE_EXHAUSTED : 0;
}

static void seq_advance(struct ktlso_record_protection *rp)
{
	if (rp->seq == UINT64_MAX)
		rp->exhausted = true;
	else
		rp->seq++;
}

/**
 * ktlso_record_sealed_len() - size of the record ktlso_record_seal() makes
 * @rp: the sealing state
 * @plain_len: bytes of content
 * @pad_len: TLS 1.3 zero padding (0 for TLS 1.2)
 *
 * Return: header + explicit nonce + content (+ TLS 1.3 type and padding) +
 * tag; SIZE_MAX when @plain_len or @pad_len alone exceeds 2^14, which no
 * record can carry (and no buffer can hold).
 */
size_t ktlso_record_sealed_len(const struct ktlso_record_protection *rp,
			       size_t plain_len, size_t pad_len)
{
	size_t inner;

	if (plain_len > KTLSO_MAX_PLAINTEXT_LEN ||
	    pad_len > KTLSO_MAX_PLAINTEXT_LEN)
		return SIZE_MAX;
	inner = plain_len + (is_tls13(rp) ? 1 + pad_len : 0);

	return KTLSO_RECORD_HEADER_LEN + explicit_nonce_len(rp) + inner +
	       KTLSO_AEAD_TAG_LEN;
}

/*
 * The content types a protected record may carry: TLS 1.2 protects all four
 * once keys are on; TLS 1.3 never protects change_cipher_spec (RFC 8446
 * section 5: a protected one is an unexpected_message).
 */
static bool content_type_valid(const struct ktlso_record_protection *rp,
			       uint8_t type)
{
	uint8_t lowest = is_tls13(rp) ? KTLSO_CONTENT_ALERT :
					KTLSO_CONTENT_CHANGE_CIPHER_SPEC;

	return type >= lowest && type <= KTLSO_CONTENT_APPLICATION_DATA;
}

static int seal_args_check(const struct ktlso_record_protection *rp,
			   uint8_t type, const uint8_t *plain, size_t plain_len,
			   size_t pad_len, const uint8_t *out)
{
	if (!rp->ctx || !rp->encrypt || !out || (!plain && plain_len) ||
	    !content_type_valid(rp, type) || plain_len > KTLSO_MAX_PLAINTEXT_LEN)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (is_tls13(rp) ? pad_len > KTLSO_MAX_PLAINTEXT_LEN - plain_len :
			   pad_len != 0)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return seq_check(rp);
}

/**
 * ktlso_record_seal() - protect one record
 * @rp: the sealing state
 * @type: the content type: 20 .. 23 (TLS 1.2), 21 .. 23 (TLS 1.3)
 * @plain: the content, @plain_len bytes (at most 2^14)
 * @plain_len: bytes of content
 * @pad_len: TLS 1.3: zero bytes of padding after the inner content type
 *	(content + 1 + padding at most 2^14 + 1); TLS 1.2: must be 0
 * @out: receives the whole record, header included; must not overlap @plain
 * @out_cap: bytes available at @out (see ktlso_record_sealed_len())
 * @out_len: receives the record length
 *
 * On success the sequence number advances.
 *
 * Return: 0, -KTLSO_ERROR_SEQUENCE_EXHAUSTED, -KTLSO_ERROR_NO_SPACE,
 * -KTLSO_ERROR_INVALID_ARGUMENT or -KTLSO_ERROR_CRYPTO.
 */
int ktlso_record_seal(struct ktlso_record_protection *rp, uint8_t type,
		      const uint8_t *plain, size_t plain_len, size_t pad_len,
		      uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t total, body, xn = 0, inner;
	uint8_t nonce[KTLSO_AEAD_NONCE_LEN], aad[TLS12_AAD_LEN];
	struct aead_op op;
	uint8_t *p;
	int ret;

	*out_len = 0;
	ret = seal_args_check(rp, type, plain, plain_len, pad_len, out);
	if (ret)
		return ret;
	total = ktlso_record_sealed_len(rp, plain_len, pad_len);
	if (total > out_cap)
		return -KTLSO_ERROR_NO_SPACE;
	body = total - KTLSO_RECORD_HEADER_LEN;
	xn = explicit_nonce_len(rp);
	inner = body - xn - KTLSO_AEAD_TAG_LEN;

	/* Header: TLS 1.3 hides the type behind application_data. */
	out[0] = is_tls13(rp) ? KTLSO_CONTENT_APPLICATION_DATA : type;
	out[1] = TLS_LEGACY_VERSION >> 8;
	out[2] = TLS_LEGACY_VERSION & 0xff;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	p = out + KTLSO_RECORD_HEADER_LEN;
	if (xn)
		store_be64(p, rp->seq);
	if (plain_len)
		memcpy(p + xn, plain, plain_len);
	if (is_tls13(rp)) {
		p[xn + plain_len] = type;
		memset(p + xn + plain_len + 1, 0, pad_len);
	}
	build_nonce(rp, rp->seq, p, nonce);
	if (!is_tls13(rp))
		build_tls12_aad(rp->seq, type, plain_len, aad);

	op = (struct aead_op){
		.nonce = nonce,
		.aad = is_tls13(rp) ? out : aad,
		.aad_len = is_tls13(rp) ? KTLSO_RECORD_HEADER_LEN : TLS12_AAD_LEN,
		.in = p + xn, .out = p + xn, .len = inner,
		.tag_out = p + xn + inner,
	};
	ret = aead_run(rp, &op);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (ret) {
		OPENSSL_cleanse(out, total);
		return ret;
	}
	seq_advance(rp);
	*out_len = total;
	return 0;
}

struct record_header {
	uint8_t type;
	uint16_t version;
	uint16_t length;
};

/* Parse the 5-byte header; the record must be exactly one whole record. */
static int parse_header(const uint8_t *record, size_t record_len,
			struct record_header *h)
{
	struct ktlso_reader r;

	ktlso_reader_init(&r, record, record_len);
	ktlso_get_u8(&r, &h->type);
	ktlso_get_u16(&r, &h->version);
	ktlso_get_u16(&r, &h->length);
	if (r.err)
		return r.err;
	return h->length == ktlso_reader_remaining(&r) ?
		0 : -KTLSO_ALERT_DECODE_ERROR;
}

/* The header checks of RFC 8446 5.1-5.2 / RFC 5246 6.2 before decryption. */
static int open_header_check(const struct ktlso_record_protection *rp,
			     const struct record_header *h)
{
	size_t min = explicit_nonce_len(rp) + KTLSO_AEAD_TAG_LEN +
		     (is_tls13(rp) ? 1 : 0);

	if (is_tls13(rp)) {
		/* legacy_record_version is ignored, but authenticated. */
		if (h->type != KTLSO_CONTENT_APPLICATION_DATA)
			return -KTLSO_ALERT_UNEXPECTED_MESSAGE;
		if (h->length > KTLSO_TLS13_MAX_CIPHERTEXT_LEN)
			return -KTLSO_ALERT_RECORD_OVERFLOW;
	} else {
		if (!content_type_valid(rp, h->type))
			return -KTLSO_ALERT_UNEXPECTED_MESSAGE;
		if (h->version != TLS_LEGACY_VERSION)
			return -KTLSO_ALERT_PROTOCOL_VERSION;
		if (h->length > KTLSO_TLS12_MAX_CIPHERTEXT_LEN)
			return -KTLSO_ALERT_RECORD_OVERFLOW;
	}
	/* Too short to hold a tag (and a TLS 1.3 inner type): cannot verify. */
	if (h->length < min)
		return -KTLSO_ALERT_BAD_RECORD_MAC;
	/*
	 * Every AEAD here adds exactly its tag, so the header tells the
	 * plaintext's length: TLS 1.2's content may not exceed 2^14 (RFC
	 * 5246 6.2.1), and TLS 1.3's whole TLSInnerPlaintext (content, type
	 * and padding) may not exceed 2^14 + 1 (RFC 8446 5.4), padding or
	 * not: record_overflow (5.2), whether or not the record would
	 * authenticate.
	 */
	if (h->length - min > KTLSO_MAX_PLAINTEXT_LEN)
		return -KTLSO_ALERT_RECORD_OVERFLOW;
	return 0;
}

/*
 * TLS 1.3: find the inner content type behind the zero padding. All-zero
 * plaintext has none, and change_cipher_spec or an unknown type may not be
 * there: unexpected_message (RFC 8446 sections 5 and 5.4).
 */
static int strip_padding(const struct ktlso_record_protection *rp,
			 uint8_t *inner, size_t inner_len, uint8_t *type,
			 size_t *content_len)
{
	size_t i = inner_len;

	while (i > 0 && inner[i - 1] == 0)
		i--;
	if (i == 0 || !content_type_valid(rp, inner[i - 1]))
		return -KTLSO_ALERT_UNEXPECTED_MESSAGE;
	*type = inner[i - 1];
	*content_len = i - 1;
	return 0;
}

static int open_args_check(const struct ktlso_record_protection *rp,
			   const uint8_t *record, const uint8_t *type,
			   const uint8_t *out, const size_t *out_len)
{
	if (!rp->ctx || rp->encrypt || !record || !type || !out || !out_len)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return seq_check(rp);
}

/**
 * ktlso_record_open() - verify and decrypt one record
 * @rp: the opening state
 * @record: one whole record, header included
 * @record_len: its length; the header's length field must match it
 * @type: receives the content type (TLS 1.3: the inner type)
 * @out: receives the content; must not overlap @record
 * @out_cap: bytes at @out; the ciphertext length less nonce and tag suffices
 * @out_len: receives the content length
 *
 * On success the sequence number advances; on failure nothing changes and
 * @out holds no plaintext.
 *
 * Return: 0, or the alert to send:
 * -KTLSO_ALERT_BAD_RECORD_MAC: authentication failed, or the record is too
 *	short to authenticate;
 * -KTLSO_ALERT_DECODE_ERROR: the header's length does not match @record_len;
 * -KTLSO_ALERT_RECORD_OVERFLOW: ciphertext over its limit, or plaintext
 *	over 2^14 bytes (TLS 1.3: a TLSInnerPlaintext over 2^14 + 1 bytes,
 *	padding included);
 * -KTLSO_ALERT_UNEXPECTED_MESSAGE: a wrong outer type; TLS 1.3: no inner
 *	type, or an inner change_cipher_spec or unknown type;
 * -KTLSO_ALERT_PROTOCOL_VERSION: a TLS 1.2 record not of version 0x0303;
 * or a local error (-KTLSO_ERROR_SEQUENCE_EXHAUSTED, -KTLSO_ERROR_NO_SPACE,
 * -KTLSO_ERROR_INVALID_ARGUMENT, -KTLSO_ERROR_CRYPTO).
 */
int ktlso_record_open(struct ktlso_record_protection *rp,
		      const uint8_t *record, size_t record_len, uint8_t *type,
		      uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t nonce[KTLSO_AEAD_NONCE_LEN], aad[TLS12_AAD_LEN];
	struct record_header h;
	const uint8_t *body;
	size_t xn, inner;
	struct aead_op op;
	int ret;

	ret = open_args_check(rp, record, type, out, out_len);
	if (ret)
		return ret;
	*out_len = 0;
	*type = 0;
	ret = parse_header(record, record_len, &h);
	if (ret == 0)
		ret = open_header_check(rp, &h);
	if (ret)
		return ret;
	xn = explicit_nonce_len(rp);
	body = record + KTLSO_RECORD_HEADER_LEN;
	inner = h.length - xn - KTLSO_AEAD_TAG_LEN;
	if (inner > out_cap)
		return -KTLSO_ERROR_NO_SPACE;

	build_nonce(rp, rp->seq, body, nonce);
	if (!is_tls13(rp))
		build_tls12_aad(rp->seq, h.type, inner, aad);
	op = (struct aead_op){
		.nonce = nonce,
		.aad = is_tls13(rp) ? record : aad,
		.aad_len = is_tls13(rp) ? KTLSO_RECORD_HEADER_LEN : TLS12_AAD_LEN,
		.in = body + xn, .out = out, .len = inner,
		.tag_in = body + xn + inner,
	};
	ret = aead_run(rp, &op);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (ret == 0 && is_tls13(rp))
		ret = strip_padding(rp, out, inner, type, out_len);
	else if (ret == 0) {
		*type = h.type;
		*out_len = inner;
	}
	if (ret) {
		OPENSSL_cleanse(out, inner);
		*out_len = 0;
		*type = 0;
		return ret;
	}
	seq_advance(rp);
	return 0;
}
