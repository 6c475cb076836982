// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the ciphers ktlso knows and the sealing of one TLS record.
 *
 * Record protection follows RFC 5246/5288 (TLS 1.2 AES-GCM, with the
 * explicit nonce carried in the record), RFC 6655 (AES-CCM), RFC 7905
 * (ChaCha20-Poly1305: static IV XOR sequence number) and RFC 8446 §5.2-5.3
 * (TLS 1.3: static IV XOR sequence number, header as additional data, inner
 * content type after the payload).
 */

#include <linux/kernel.h>
#include <net/tls.h>

#include "ktlso.h"

#define KTLSO_CIPHER(_type, _struct, _alg, _explicit, _ccm, _12only) {	\
	.type		= _type,					\
	.alg		= _alg,						\
	.info_len	= sizeof(struct _struct),			\
	.key_len	= _type ## _KEY_SIZE,				\
	.salt_len	= _type ## _SALT_SIZE,				\
	.iv_len		= _type ## _IV_SIZE,				\
	.key_off	= offsetof(struct _struct, key),		\
	.salt_off	= offsetof(struct _struct, salt),		\
	.iv_off		= offsetof(struct _struct, iv),			\
	.rec_seq_off	= offsetof(struct _struct, rec_seq),		\
	.tls12_explicit	= _explicit,					\
	.ccm		= _ccm,						\
	.tls12_only	= _12only,					\
}

static const struct ktlso_cipher ktlso_ciphers[] = {
	KTLSO_CIPHER(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128,
		     "gcm(aes)", 8, false, false),
	KTLSO_CIPHER(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256,
		     "gcm(aes)", 8, false, false),
	KTLSO_CIPHER(TLS_CIPHER_AES_CCM_128, tls12_crypto_info_aes_ccm_128,
		     "ccm(aes)", 8, true, false),
	KTLSO_CIPHER(TLS_CIPHER_CHACHA20_POLY1305,
		     tls12_crypto_info_chacha20_poly1305,
		     "rfc7539(chacha20,poly1305)", 0, false, false),
	KTLSO_CIPHER(TLS_CIPHER_SM4_GCM, tls12_crypto_info_sm4_gcm,
		     "gcm(sm4)", 8, false, false),
	KTLSO_CIPHER(TLS_CIPHER_SM4_CCM, tls12_crypto_info_sm4_ccm,
		     "ccm(sm4)", 8, true, false),
	KTLSO_CIPHER(TLS_CIPHER_ARIA_GCM_128, tls12_crypto_info_aria_gcm_128,
		     "gcm(aria)", 8, false, true),
	KTLSO_CIPHER(TLS_CIPHER_ARIA_GCM_256, tls12_crypto_info_aria_gcm_256,
		     "gcm(aria)", 8, false, true),
};

static_assert(TLS_CIPHER_AES_GCM_128_SALT_SIZE +
	      TLS_CIPHER_AES_GCM_128_IV_SIZE == KTLSO_NONCE_LEN);
static_assert(TLS_CIPHER_CHACHA20_POLY1305_IV_SIZE == KTLSO_NONCE_LEN);
static_assert(sizeof(struct tls12_crypto_info_aria_gcm_256) <=
	      KTLSO_MAX_CRYPTO_INFO);
static_assert(sizeof(struct tls12_crypto_info_chacha20_poly1305) <=
	      KTLSO_MAX_CRYPTO_INFO);

/* Flags byte of a CCM IV: L' = 15 - 12 - 1 = 2 for a 12-byte nonce. */
#define KTLSO_CCM_IV_FLAGS	2

/**
 * ktlso_cipher_get() - look up a TLS_CIPHER_* type
 * @type: crypto_info.cipher_type as given by the application
 *
 * Return: the cipher, or NULL if ktlso does not know @type.
 */
const struct ktlso_cipher *ktlso_cipher_get(u16 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ktlso_ciphers); i++)
		if (ktlso_ciphers[i].type == type)
			return &ktlso_ciphers[i];
	return NULL;
}

static void ktlso_be_increment(u8 *p, size_t len)
{
	while (len--)
		if (++p[len])
			break;
}

static bool ktlso_seq_is_last(const u8 seq[TLS_MAX_REC_SEQ_SIZE])
{
	return memchr_inv(seq, 0xff, TLS_MAX_REC_SEQ_SIZE) == NULL;
}

/* Bytes of explicit nonce this direction's records carry. */
static size_t ktlso_explicit_len(const struct ktlso_tx *tx)
{
	return ktlso_tx_body_off(tx) - KTLSO_HDR_LEN;
}

/*
 * The AEAD nonce of the next record into @nonce (KTLSO_NONCE_LEN bytes):
 * salt || explicit nonce when the record carries one, else the static IV
 * XOR the sequence number.
 */
static void ktlso_build_nonce(const struct ktlso_tx *tx, u8 *nonce)
{
	int i;

	memcpy(nonce, tx->iv, KTLSO_NONCE_LEN);
	if (ktlso_explicit_len(tx))
		return;
	for (i = 0; i < TLS_MAX_REC_SEQ_SIZE; i++)
		nonce[KTLSO_NONCE_LEN - TLS_MAX_REC_SEQ_SIZE + i] ^= tx->rec_seq[i];
}

/**
 * ktlso_tx_seal() - seal the plaintext gathered in tx->rec into a record
 * @tx: transmit state; the plaintext sits in tx->rec after the header and
 *	explicit nonce
 * @type: the record's content type
 * @len: plaintext bytes (at most KTLSO_MAX_PAYLOAD)
 *
 * Writes header, explicit nonce, ciphertext and tag in place, advances the
 * sequence number and sets up tx->push_off/push_len to cover the record.
 * Called with the socket locked; may sleep if the AEAD is asynchronous.
 *
 * Return: 0, -EBADMSG once the sequence space is used up (never wraps), or
 * the crypto API's error.
 */
int ktlso_tx_seal(struct ktlso_tx *tx, u8 type, size_t len)
{
	size_t explicit = ktlso_explicit_len(tx);
	size_t body = KTLSO_HDR_LEN + explicit;
	bool tls13 = tx->version == TLS_1_3_VERSION;
	size_t inner = len + (tls13 ? 1 : 0);
	size_t wire = explicit + inner + KTLSO_TAG_LEN;
	u8 *hdr = tx->rec, *iv = tx->nonce;
	unsigned int aad_len;
	int err;

	if (tx->seq_exhausted)
		return -EBADMSG;

	hdr[0] = tls13 ? KTLSO_CT_APPLICATION_DATA : type;
	hdr[1] = TLS_1_2_VERSION_MAJOR;
	hdr[2] = TLS_1_2_VERSION_MINOR;
	hdr[3] = wire >> 8;
	hdr[4] = wire & 0xff;

	if (tls13) {
		tx->rec[body + len] = type;
		memcpy(tx->aad, hdr, KTLSO_TLS13_AAD_LEN);
		aad_len = KTLSO_TLS13_AAD_LEN;
	} else {
		memcpy(tx->aad, tx->rec_seq, TLS_MAX_REC_SEQ_SIZE);
		tx->aad[8] = type;
		tx->aad[9] = TLS_1_2_VERSION_MAJOR;
		tx->aad[10] = TLS_1_2_VERSION_MINOR;
		tx->aad[11] = len >> 8;
		tx->aad[12] = len & 0xff;
		aad_len = KTLSO_TLS12_AAD_LEN;
	}
	if (explicit)
		memcpy(hdr + KTLSO_HDR_LEN, tx->iv + tx->cipher->salt_len, explicit);

	memset(iv, 0, sizeof(tx->nonce));
	if (tx->cipher->ccm) {
		iv[0] = KTLSO_CCM_IV_FLAGS;
		ktlso_build_nonce(tx, iv + 1);
	} else {
		ktlso_build_nonce(tx, iv);
	}

	sg_init_table(tx->sg, 2);
	sg_set_buf(&tx->sg[0], tx->aad, aad_len);
	sg_set_buf(&tx->sg[1], tx->rec + body, inner + KTLSO_TAG_LEN);
	aead_request_set_callback(tx->req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &tx->wait);
	aead_request_set_ad(tx->req, aad_len);
	aead_request_set_crypt(tx->req, tx->sg, tx->sg, inner, iv);
	err = crypto_wait_req(crypto_aead_encrypt(tx->req), &tx->wait);
	memzero_explicit(iv, sizeof(tx->nonce));
	if (err)
		return err;

	if (ktlso_seq_is_last(tx->rec_seq))
		tx->seq_exhausted = true;
	else
		ktlso_be_increment(tx->rec_seq, TLS_MAX_REC_SEQ_SIZE);
	if (explicit)
		ktlso_be_increment(tx->iv + tx->cipher->salt_len, explicit);

	tx->push_off = 0;
	tx->push_len = KTLSO_HDR_LEN + wire;
	return 0;
}
