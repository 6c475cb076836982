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

/*
 * Records one TLS 1.3 key may seal (RFC 9846 5.5): 2^24.5 full-size
 * records for a GCM mode of a 128-bit block cipher; for CCM, which no TLS
 * RFC bounds, that figure scaled as RFC 9001 6.6 scales QUIC's GCM bound
 * for CCM (2^-1.5); none for ChaCha20-Poly1305, whose bound lies beyond
 * the sequence number's 2^64.
 */
#define KTLSO_GCM_RECORDS	23726566ULL	/* 2^24.5 */
#define KTLSO_CCM_RECORDS	(1ULL << 23)

#define KTLSO_CIPHER(_type, _struct, _alg, _explicit, _ccm, _12only,	\
		     _hash, _records) {					\
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
	.hash		= _hash,					\
	.max_records	= _records,					\
}

static const struct ktlso_cipher ktlso_ciphers[] = {
	KTLSO_CIPHER(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128,
		     "gcm(aes)", 8, false, false,
		     KTLSO_HASH_SHA256, KTLSO_GCM_RECORDS),
	KTLSO_CIPHER(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256,
		     "gcm(aes)", 8, false, false,
		     KTLSO_HASH_SHA384, KTLSO_GCM_RECORDS),
	KTLSO_CIPHER(TLS_CIPHER_AES_CCM_128, tls12_crypto_info_aes_ccm_128,
		     "ccm(aes)", 8, true, false,
		     KTLSO_HASH_SHA256, KTLSO_CCM_RECORDS),
	KTLSO_CIPHER(TLS_CIPHER_CHACHA20_POLY1305,
		     tls12_crypto_info_chacha20_poly1305,
		     "rfc7539(chacha20,poly1305)", 0, false, false,
		     KTLSO_HASH_SHA256, 0),
	KTLSO_CIPHER(TLS_CIPHER_SM4_GCM, tls12_crypto_info_sm4_gcm,
		     "gcm(sm4)", 8, false, false,
		     KTLSO_HASH_SM3, KTLSO_GCM_RECORDS),
	KTLSO_CIPHER(TLS_CIPHER_SM4_CCM, tls12_crypto_info_sm4_ccm,
		     "ccm(sm4)", 8, true, false,
		     KTLSO_HASH_SM3, KTLSO_CCM_RECORDS),
	KTLSO_CIPHER(TLS_CIPHER_ARIA_GCM_128, tls12_crypto_info_aria_gcm_128,
		     "gcm(aria)", 8, false, true, 0, 0),
	KTLSO_CIPHER(TLS_CIPHER_ARIA_GCM_256, tls12_crypto_info_aria_gcm_256,
		     "gcm(aria)", 8, false, true, 0, 0),
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

/**
 * ktlso_crypto_init() - key one direction
 * @c: zeroed state to fill
 * @cipher: the cipher of @info
 * @version: TLS_1_2_VERSION or TLS_1_3_VERSION
 * @info: the validated struct tls12_crypto_info_* (@len bytes)
 * @len: its size
 *
 * On failure @c holds nothing that needs freeing beyond
 * ktlso_crypto_clear(), which the caller calls in every case.
 *
 * Return: 0, -ENOENT when the running kernel lacks the AEAD (as upstream),
 * -ENOMEM, or the crypto API's error for the key.
 */
int ktlso_crypto_init(struct ktlso_crypto *c, const struct ktlso_cipher *cipher,
		      u16 version, const u8 *info, unsigned int len)
{
	struct ktlso_next_key nk;
	int err;

	c->cipher = cipher;
	c->version = version;
	crypto_init_wait(&c->wait);
	err = ktlso_crypto_prepare(c, info, &nk);
	if (err)
		return err;
	ktlso_crypto_switch(c, &nk);
	return 0;
}

/**
 * ktlso_crypto_prepare() - key an AEAD for a direction's next key
 * @c: the direction, whose cipher @info has
 * @info: the validated crypto_info of the next key
 * @nk: filled on success
 *
 * Nothing in @c changes: a rekey that fails here leaves the key in use.
 *
 * Return: 0, -ENOENT when the running kernel lacks the AEAD (as upstream),
 * -ENOMEM, or the crypto API's error for the key.
 */
int ktlso_crypto_prepare(const struct ktlso_crypto *c, const u8 *info,
			 struct ktlso_next_key *nk)
{
	const struct ktlso_cipher *cipher = c->cipher;
	int err;

	nk->req = NULL;
	nk->aead = crypto_alloc_aead(cipher->alg, 0, 0);
	if (IS_ERR(nk->aead)) {
		err = PTR_ERR(nk->aead);
		nk->aead = NULL;
		return err;
	}
	err = crypto_aead_setkey(nk->aead, info + cipher->key_off,
				 cipher->key_len);
	if (!err)
		err = crypto_aead_setauthsize(nk->aead, KTLSO_TAG_LEN);
	if (!err) {
		nk->req = aead_request_alloc(nk->aead, GFP_KERNEL_ACCOUNT);
		if (!nk->req)
			err = -ENOMEM;
	}
	if (err) {
		ktlso_crypto_discard(nk);
		return err;
	}
	memcpy(nk->info, info, cipher->info_len);
	return 0;
}

/**
 * ktlso_crypto_switch() - put a prepared key in use
 * @c: the direction; its old AEAD, if any, is freed
 * @nk: made by ktlso_crypto_prepare() for @c; wiped
 *
 * The next record is sealed or opened under the new key, from the
 * sequence number its crypto_info carries.  Cannot fail.
 */
void ktlso_crypto_switch(struct ktlso_crypto *c, struct ktlso_next_key *nk)
{
	const struct ktlso_cipher *cipher = c->cipher;

	aead_request_free(c->req);		/* kfree_sensitive() */
	if (c->aead)
		crypto_free_aead(c->aead);	/* wipes the key schedule */
	c->aead = nk->aead;
	c->req = nk->req;
	memcpy(c->info, nk->info, cipher->info_len);
	memcpy(c->iv, nk->info + cipher->salt_off, cipher->salt_len);
	memcpy(c->iv + cipher->salt_len, nk->info + cipher->iv_off,
	       cipher->iv_len);
	memcpy(c->rec_seq, nk->info + cipher->rec_seq_off,
	       TLS_MAX_REC_SEQ_SIZE);
	c->seq_exhausted = false;
	c->records = 0;
	memzero_explicit(nk, sizeof(*nk));
}

/**
 * ktlso_crypto_discard() - drop a prepared key that will not be used
 * @nk: made by ktlso_crypto_prepare(), completely or not; wiped
 */
void ktlso_crypto_discard(struct ktlso_next_key *nk)
{
	aead_request_free(nk->req);
	if (nk->aead)
		crypto_free_aead(nk->aead);
	memzero_explicit(nk, sizeof(*nk));
}

/**
 * ktlso_crypto_clear() - free the AEAD and wipe keys, IVs and crypto_info
 * @c: state set up (completely or not) by ktlso_crypto_init()
 */
void ktlso_crypto_clear(struct ktlso_crypto *c)
{
	aead_request_free(c->req);		/* kfree_sensitive() */
	if (c->aead)
		crypto_free_aead(c->aead);	/* wipes the key schedule */
	memzero_explicit(c, sizeof(*c));
}

/**
 * ktlso_crypto_info() - the crypto_info as it stands now
 * @c: keyed state
 * @info: room for c->cipher->info_len bytes
 *
 * The installed struct with the current record sequence number and, on
 * transmit, the explicit nonce the next TLS 1.2 record will carry.
 */
void ktlso_crypto_info(const struct ktlso_crypto *c, u8 *info)
{
	const struct ktlso_cipher *cipher = c->cipher;

	memcpy(info, c->info, cipher->info_len);
	memcpy(info + cipher->iv_off, c->iv + cipher->salt_len, cipher->iv_len);
	memcpy(info + cipher->rec_seq_off, c->rec_seq, TLS_MAX_REC_SEQ_SIZE);
}

/**
 * ktlso_max_record() - the longest record @c may seal or open
 * @c: keyed state
 *
 * Return: header, explicit nonce, 2^14 bytes of plaintext, TLS 1.3's inner
 * content type, tag (RFC 8446 5.4 bounds TLSInnerPlaintext to 2^14 + 1).
 */
size_t ktlso_max_record(const struct ktlso_crypto *c)
{
	return ktlso_record_len(c, KTLSO_MAX_PAYLOAD);
}

/*
 * The AEAD IV of the current record into @out (16 bytes): salt || explicit
 * nonce when records carry one (@explicit points at it), else the static
 * IV XOR the sequence number.  CCM wants its flags byte in front.
 */
static u8 *ktlso_build_nonce(const struct ktlso_crypto *c, const u8 *explicit,
			     u8 *out)
{
	u8 *nonce = out;
	int i;

	memset(out, 0, KTLSO_AEAD_IV_MAX);
	if (c->cipher->ccm) {
		out[0] = KTLSO_CCM_IV_FLAGS;
		nonce++;
	}
	memcpy(nonce, c->iv, KTLSO_NONCE_LEN);
	if (explicit) {
		memcpy(nonce + c->cipher->salt_len, explicit,
		       ktlso_explicit_len(c));
		return out;
	}
	for (i = 0; i < TLS_MAX_REC_SEQ_SIZE; i++)
		nonce[KTLSO_NONCE_LEN - TLS_MAX_REC_SEQ_SIZE + i] ^= c->rec_seq[i];
	return out;
}

/*
 * TLS 1.2's additional data into @out: seq_num, type, version, plaintext
 * length.
 */
static unsigned int ktlso_tls12_aad(const struct ktlso_crypto *c, u8 type,
				    size_t len, u8 *out)
{
	memcpy(out, c->rec_seq, TLS_MAX_REC_SEQ_SIZE);
	out[8] = type;
	out[9] = TLS_1_2_VERSION_MAJOR;
	out[10] = TLS_1_2_VERSION_MINOR;
	out[11] = len >> 8;
	out[12] = len & 0xff;
	return KTLSO_TLS12_AAD_LEN;
}

/*
 * Run @req from @src to @dst (which may be @src): @len bytes after
 * @aad_len bytes of additional data, tag included when decrypting, under
 * @nonce, which is wiped after.  May sleep.
 */
static int ktlso_aead_run(struct aead_request *req, struct crypto_wait *wait,
			  struct scatterlist *src, struct scatterlist *dst,
			  size_t len, unsigned int aad_len, u8 *nonce,
			  bool encrypt)
{
	int err;

	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, wait);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, src, dst, len, nonce);
	err = crypto_wait_req(encrypt ? crypto_aead_encrypt(req) :
					crypto_aead_decrypt(req), wait);
	memzero_explicit(nonce, KTLSO_AEAD_IV_MAX);
	return err;
}

/* As ktlso_aead_run(), with c's own request, c->aad and c->nonce. */
static int ktlso_aead(struct ktlso_crypto *c, struct scatterlist *src,
		      struct scatterlist *dst, size_t len,
		      unsigned int aad_len, bool encrypt)
{
	return ktlso_aead_run(c->req, &c->wait, src, dst, len, aad_len,
			      c->nonce, encrypt);
}

/* Decrypt in place over @body (@len bytes, tag included). */
static int ktlso_decrypt_in_place(struct ktlso_crypto *c, u8 *body,
				  size_t len, unsigned int aad_len)
{
	sg_init_table(c->sg, 2);
	sg_set_buf(&c->sg[0], c->aad, aad_len);
	sg_set_buf(&c->sg[1], body, len);
	return ktlso_aead(c, c->sg, c->sg, len, aad_len, false);
}

/* One more record done under this key: never wraps. */
static void ktlso_seq_advance(struct ktlso_crypto *c)
{
	c->records++;
	if (ktlso_seq_is_last(c->rec_seq))
		c->seq_exhausted = true;
	else
		ktlso_be_increment(c->rec_seq, TLS_MAX_REC_SEQ_SIZE);
}

/**
 * ktlso_record_len() - wire length of a record
 * @c: keyed state
 * @len: plaintext bytes in it
 *
 * Return: header, explicit nonce, @len, TLS 1.3's inner content type, tag.
 */
size_t ktlso_record_len(const struct ktlso_crypto *c, size_t len)
{
	return ktlso_body_off(c) + len +
	       (c->version == TLS_1_3_VERSION ? 1 : 0) + KTLSO_TAG_LEN;
}

/*
 * Write the header (and explicit nonce) of the next record, of @type with
 * @len bytes of plaintext, to @hdr, and its additional data and AEAD IV to
 * @aad and @nonce.  Nothing in @c changes.
 *
 * Return: the length of the additional data, or -EBADMSG once the
 * sequence space is used up (never wraps).
 */
static int ktlso_seal_setup(const struct ktlso_crypto *c, u8 *hdr, u8 type,
			    size_t len, u8 *aad, u8 *nonce)
{
	size_t explicit = ktlso_explicit_len(c);
	bool tls13 = c->version == TLS_1_3_VERSION;
	size_t wire = explicit + len + (tls13 ? 1 : 0) + KTLSO_TAG_LEN;

	if (c->seq_exhausted)
		return -EBADMSG;

	hdr[0] = tls13 ? KTLSO_CT_APPLICATION_DATA : type;
	hdr[1] = TLS_1_2_VERSION_MAJOR;
	hdr[2] = TLS_1_2_VERSION_MINOR;
	hdr[3] = wire >> 8;
	hdr[4] = wire & 0xff;

	if (tls13) {
		memcpy(aad, hdr, KTLSO_TLS13_AAD_LEN);
		ktlso_build_nonce(c, NULL, nonce);
		return KTLSO_TLS13_AAD_LEN;
	}
	if (explicit)
		memcpy(hdr + KTLSO_HDR_LEN, c->iv + c->cipher->salt_len,
		       explicit);
	ktlso_build_nonce(c, explicit ? hdr + KTLSO_HDR_LEN : NULL, nonce);
	return ktlso_tls12_aad(c, type, len, aad);
}

/* The record set up by ktlso_seal_setup() has its sequence number. */
static void ktlso_seal_advance(struct ktlso_crypto *c)
{
	size_t explicit = ktlso_explicit_len(c);

	ktlso_seq_advance(c);
	if (explicit)
		ktlso_be_increment(c->iv + c->cipher->salt_len, explicit);
}

/**
 * ktlso_seal_sg() - seal one record from one scatterlist into another
 * @c: transmit state
 * @hdr: the first ktlso_body_off() bytes of the record: its header and any
 *	explicit nonce are written here
 * @type: the record's content type
 * @len: plaintext bytes (at most KTLSO_MAX_PAYLOAD)
 * @src: the AEAD input: entry 0 is set here to the additional data; the
 *	entries after it hold the @len bytes of plaintext and, for TLS 1.3,
 *	then one byte holding @type (TLSInnerPlaintext, RFC 8446 5.2)
 * @dst: the AEAD output: entry 0 is set here to the additional data; the
 *	entries after it cover the rest of the record, ktlso_record_len()
 *	less ktlso_body_off() bytes, for ciphertext and tag
 *
 * Advances the sequence number.  The plaintext is only read, and may lie
 * anywhere (spliced pages, a copy); @dst must not overlap it.  May sleep.
 *
 * Return: 0, -EBADMSG once the sequence space is used up (never wraps), or
 * the crypto API's error.
 */
int ktlso_seal_sg(struct ktlso_crypto *c, u8 *hdr, u8 type, size_t len,
		  struct scatterlist *src, struct scatterlist *dst)
{
	size_t inner = len + (c->version == TLS_1_3_VERSION ? 1 : 0);
	int aad_len, err;

	aad_len = ktlso_seal_setup(c, hdr, type, len, c->aad, c->nonce);
	if (aad_len < 0)
		return aad_len;
	/* Both point at c->aad: an AEAD that copies it to @dst is harmless. */
	sg_set_buf(&src[0], c->aad, aad_len);
	sg_set_buf(&dst[0], c->aad, aad_len);
	err = ktlso_aead(c, src, dst, inner, aad_len, true);
	if (err)
		return err;
	ktlso_seal_advance(c);
	return 0;
}

/**
 * ktlso_seal_defer() - give the next record its sequence number now, and
 *	seal it later, maybe on another CPU
 * @c: transmit state
 * @op: the operation to set up; its @req, allocated by ktlso_seal_op_alloc()
 *	for @c's current AEAD, must be free
 * @hdr: as for ktlso_seal_sg()
 * @type: likewise
 * @len: likewise
 * @src: likewise; entry 0 is set to @op's additional data
 * @dst: likewise
 *
 * Advances the sequence number as ktlso_seal_sg() does; the record is
 * sealed once ktlso_seal_run() ran @op.  @c's AEAD must stay keyed until
 * then: the key may not change while an operation is outstanding.
 *
 * Return: 0, or -EBADMSG once the sequence space is used up.
 */
int ktlso_seal_defer(struct ktlso_crypto *c, struct ktlso_seal_op *op,
		     u8 *hdr, u8 type, size_t len, struct scatterlist *src,
		     struct scatterlist *dst)
{
	int aad_len;

	aad_len = ktlso_seal_setup(c, hdr, type, len, op->aad, op->nonce);
	if (aad_len < 0)
		return aad_len;
	sg_set_buf(&src[0], op->aad, aad_len);
	sg_set_buf(&dst[0], op->aad, aad_len);
	op->src = src;
	op->dst = dst;
	op->aad_len = aad_len;
	op->len = len + (c->version == TLS_1_3_VERSION ? 1 : 0);
	ktlso_seal_advance(c);
	return 0;
}

/**
 * ktlso_seal_run() - seal the record ktlso_seal_defer() set up
 * @op: the operation; its IV is wiped
 *
 * Runs in any process context, one CPU at a time per @op.  May sleep.
 *
 * Return: 0, or the crypto API's error.
 */
int ktlso_seal_run(struct ktlso_seal_op *op)
{
	crypto_init_wait(&op->wait);
	return ktlso_aead_run(op->req, &op->wait, op->src, op->dst, op->len,
			      op->aad_len, op->nonce, true);
}

/**
 * ktlso_seal_op_alloc() - give @op a request for @c's current AEAD
 * @c: transmit state
 * @op: an operation without one
 * @gfp: allocation flags
 *
 * Return: 0 or -ENOMEM.
 */
int ktlso_seal_op_alloc(const struct ktlso_crypto *c,
			struct ktlso_seal_op *op, gfp_t gfp)
{
	op->req = aead_request_alloc(c->aead, gfp);
	return op->req ? 0 : -ENOMEM;
}

/**
 * ktlso_seal_op_free() - drop @op's request, if any, and wipe @op
 * @op: the operation, not running
 */
void ktlso_seal_op_free(struct ktlso_seal_op *op)
{
	aead_request_free(op->req);		/* kfree_sensitive() */
	memzero_explicit(op, sizeof(*op));
}

/**
 * ktlso_check_header() - validate a received record header
 * @c: receive state
 * @hdr: the 5-byte header
 * @rec_len: set to the length of the whole record
 *
 * Every AEAD here adds exactly its tag, so the header gives the plaintext
 * length: over 2^14 bytes of TLS 1.2 content, or over 2^14 + 1 bytes of
 * TLS 1.3 TLSInnerPlaintext, padding included (RFC 8446 5.4), is refused
 * here, before decryption, as upstream's tls_rx_msg_size() does.
 *
 * Return: 0; -EMSGSIZE for a record longer than the version and cipher
 * allow; -EBADMSG for one too short to hold the tag (and explicit nonce),
 * for a legacy_version other than 3.3 (RFC 8446 5.1 keeps it for 1.3), or
 * for a TLS 1.3 record whose outer type is not application_data (RFC 8446
 * 5.2).
 */
int ktlso_check_header(const struct ktlso_crypto *c, const u8 *hdr,
		       size_t *rec_len)
{
	size_t data_len = (hdr[3] << 8) | hdr[4];
	size_t min = ktlso_explicit_len(c) + KTLSO_TAG_LEN;

	if (data_len > ktlso_max_record(c) - KTLSO_HDR_LEN)
		return -EMSGSIZE;
	if (c->version == TLS_1_3_VERSION) {
		min += 1;
		if (hdr[0] != KTLSO_CT_APPLICATION_DATA)
			return -EBADMSG;
	}
	if (data_len < min || hdr[1] != TLS_1_2_VERSION_MAJOR ||
	    hdr[2] != TLS_1_2_VERSION_MINOR)
		return -EBADMSG;
	*rec_len = KTLSO_HDR_LEN + data_len;
	return 0;
}

/*
 * Set up the nonce and the additional data for opening the record at @rec
 * (header checked), whose inner plaintext has @plen bytes.
 *
 * Return: the length of the additional data.
 */
static unsigned int ktlso_open_prepare(struct ktlso_crypto *c, const u8 *rec,
				       size_t plen)
{
	size_t explicit = ktlso_explicit_len(c);

	if (c->version == TLS_1_3_VERSION) {
		memcpy(c->aad, rec, KTLSO_TLS13_AAD_LEN);
		ktlso_build_nonce(c, NULL, c->nonce);
		return KTLSO_TLS13_AAD_LEN;
	}
	ktlso_build_nonce(c, explicit ? rec + KTLSO_HDR_LEN : NULL, c->nonce);
	return ktlso_tls12_aad(c, rec[0], plen, c->aad);
}

/**
 * ktlso_open() - authenticate and decrypt one whole record, in place
 * @c: receive state
 * @rec: the record, its header already checked by ktlso_check_header()
 * @rec_len: its length
 * @type: set to the content type (TLS 1.3: the inner one)
 * @off: set to the offset of the plaintext in @rec
 * @len: set to the plaintext length (TLS 1.3: padding removed)
 * @padded: set when a TLS 1.3 record carried padding
 *
 * Advances the sequence number.  Nothing is reported from a record that
 * fails: on error the plaintext must not be used.  May sleep.
 *
 * Return: 0; -EBADMSG for a record that fails authentication, a TLS 1.3
 * record with no non-zero content type, or a record past the last
 * sequence number; or the crypto API's error.
 */
int ktlso_open(struct ktlso_crypto *c, u8 *rec, size_t rec_len, u8 *type,
	       size_t *off, size_t *len, bool *padded)
{
	size_t body = ktlso_body_off(c);
	size_t clen = rec_len - body;
	size_t plen = clen - KTLSO_TAG_LEN;
	unsigned int aad_len;
	int err;

	if (c->seq_exhausted)
		return -EBADMSG;

	aad_len = ktlso_open_prepare(c, rec, plen);
	err = ktlso_decrypt_in_place(c, rec + body, clen, aad_len);
	if (err)
		return err;
	ktlso_seq_advance(c);

	*padded = false;
	if (c->version == TLS_1_3_VERSION) {
		/* The content type is the last non-zero byte (RFC 8446 5.4). */
		while (plen && !rec[body + plen - 1])
			plen--;
		if (!plen)
			return -EBADMSG;
		plen--;
		*padded = plen + 1 != clen - KTLSO_TAG_LEN;
		*type = rec[body + plen];
	} else {
		*type = rec[0];
	}
	*off = body;
	*len = plen;
	return 0;
}

/**
 * ktlso_open_sg_len() - plaintext bytes ktlso_open_sg() would deliver
 * @c: receive state
 * @rec: a record whose header has been checked
 * @rec_len: its length
 *
 * Return: the record's plaintext length, assuming (for TLS 1.3) a record
 * of application data without padding; 0 for a TLS 1.2 record of another
 * type, which ktlso_open_sg() cannot deliver.
 */
size_t ktlso_open_sg_len(const struct ktlso_crypto *c, const u8 *rec,
			 size_t rec_len)
{
	if (c->version != TLS_1_3_VERSION &&
	    rec[0] != KTLSO_CT_APPLICATION_DATA)
		return 0;
	return rec_len - ktlso_record_len(c, 0);
}

/**
 * ktlso_open_sg() - open an application-data record into a scatterlist
 * @c: receive state
 * @rec: the record, its header already checked, and ktlso_open_sg_len()
 *	not 0 for it; only read
 * @rec_len: its length
 * @dst: the AEAD output, @nents + 2 entries: entry 0 is set here to the
 *	additional data; entries 1 to @nents are the caller's and cover
 *	exactly ktlso_open_sg_len() bytes; entry @nents + 1 is set here, for
 *	TLS 1.3, to the byte that should be the inner content type
 * @nents: the caller's entries in @dst
 *
 * Only a record of application data without padding can be delivered so.
 * A TLS 1.3 record's type is known only once decrypted: one that turns
 * out to be padded or of another type is declined after @dst has been
 * written, and must be opened again with ktlso_open().  The sequence
 * number advances only for a record delivered.  May sleep.
 *
 * Return: 0 when @dst holds the plaintext; 1 for a TLS 1.3 record declined;
 * or the errors of ktlso_open() (then @dst may hold unauthenticated bytes).
 */
int ktlso_open_sg(struct ktlso_crypto *c, const u8 *rec, size_t rec_len,
		  struct scatterlist *dst, unsigned int nents)
{
	size_t body = ktlso_body_off(c);
	size_t clen = rec_len - body;
	size_t plen = clen - KTLSO_TAG_LEN;
	bool tls13 = c->version == TLS_1_3_VERSION;
	unsigned int aad_len;
	int err;

	if (c->seq_exhausted)
		return -EBADMSG;

	aad_len = ktlso_open_prepare(c, rec, plen);
	sg_init_table(c->sg, 2);
	sg_set_buf(&c->sg[0], c->aad, aad_len);
	sg_set_buf(&c->sg[1], rec + body, clen);
	sg_set_buf(&dst[0], c->aad, aad_len);
	if (tls13) {
		c->tail = 0;
		sg_unmark_end(&dst[nents]);
		sg_set_buf(&dst[nents + 1], &c->tail, 1);
		sg_mark_end(&dst[nents + 1]);
	} else {
		sg_mark_end(&dst[nents]);
	}
	err = ktlso_aead(c, c->sg, dst, clen, aad_len, false);
	if (err)
		return err;
	if (tls13 && c->tail != KTLSO_CT_APPLICATION_DATA)
		return 1;
	ktlso_seq_advance(c);
	return 0;
}
