// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 and TLS 1.2 key schedules on libcrypto's HKDF, HMAC and TLS1-PRF.
 * See keysched.h.
 */
#include "engine/keysched.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "engine/alert.h"
#include "engine/codec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t zero_bytes[KTLSO_MAX_HASH_LEN];

static bool hash_valid(enum ktlso_md hash)
{
	return hash == KTLSO_MD_SHA256 || hash == KTLSO_MD_SHA384;
}

/*
 * The libcrypto algorithms the key schedules run, fetched once per process:
 * a fetch by name is a method-store lookup under a lock, and a handshake
 * makes some forty derivations. The fetched objects are immutable and
 * shared by every thread; they live as long as the process. A fetch that
 * fails here is retried by name at each use (and fails there, cleanly).
 * Hash("") is kept too: Derive-Secret(., "derived", "") needs it twice per
 * handshake.
 */
static struct {
	EVP_KDF *hkdf;
	EVP_KDF *tls1_prf;
	EVP_MAC *hmac;
	EVP_MD *md[KTLSO_MD_SHA384 + 1];
	uint8_t empty_hash[KTLSO_MD_SHA384 + 1][KTLSO_MAX_HASH_LEN];
	bool have_empty_hash[KTLSO_MD_SHA384 + 1];
} algs;

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void algs_fetch(void)
{
	unsigned int h, len;

	algs.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	algs.tls1_prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	for (h = KTLSO_MD_SHA256; h <= KTLSO_MD_SHA384; h++) {
		algs.md[h] = EVP_MD_fetch(NULL, ktlso_hash_name(h), NULL);
		len = 0;
		algs.have_empty_hash[h] =
			algs.md[h] &&
			EVP_Digest("", 0, algs.empty_hash[h], &len, algs.md[h],
				   NULL) &&
			len == ktlso_hash_len(h);
	}
	ERR_clear_error();
}

static void algs_init(void)
{
	pthread_once(&algs_once, algs_fetch);
}

void ktlso_traffic_keys_clear(struct ktlso_traffic_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}

int ktlso_hash_digest(enum ktlso_md hash, const void *data, size_t len,
		      uint8_t *out)
{
	unsigned int out_len = 0;
	EVP_MD *md, *fetched = NULL;
	int ok;

	if (!hash_valid(hash) || (data == NULL && len != 0))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (data == NULL)
		data = zero_bytes;
	algs_init();
	md = algs.md[hash];
	if (md == NULL)
		md = fetched = EVP_MD_fetch(NULL, ktlso_hash_name(hash), NULL);
	ok = md && EVP_Digest(data, len, out, &out_len, md, NULL) &&
	     out_len == ktlso_hash_len(hash);
	EVP_MD_free(fetched);
	if (!ok) {
		OPENSSL_cleanse(out, ktlso_hash_len(hash));
		return -KTLSO_ERROR_CRYPTO;
	}
	return 0;
}

/* HMAC-Hash(@key, @data) into @out (ktlso_hash_len() bytes). */
static int hmac(enum ktlso_md hash, const uint8_t *key, size_t key_len,
		const uint8_t *data, size_t data_len, uint8_t *out)
{
	size_t n = ktlso_hash_len(hash), out_len = 0;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	int ok;

	algs_init();
	if (algs.hmac == NULL) {
		ok = EVP_Q_mac(NULL, "HMAC", NULL, ktlso_hash_name(hash), NULL,
			       key, key_len, data, data_len, out, n,
			       &out_len) != NULL;
	} else {
		params[0] = OSSL_PARAM_construct_utf8_string(
				OSSL_MAC_PARAM_DIGEST,
				(char *)ktlso_hash_name(hash), 0);
		params[1] = OSSL_PARAM_construct_end();
		ctx = EVP_MAC_CTX_new(algs.hmac);
		ok = ctx && EVP_MAC_init(ctx, key, key_len, params) &&
		     EVP_MAC_update(ctx, data, data_len) &&
		     EVP_MAC_final(ctx, out, &out_len, n);
		EVP_MAC_CTX_free(ctx);	/* wipes the keyed state */
	}
	if (!ok || out_len != n) {
		OPENSSL_cleanse(out, n);
		return -KTLSO_ERROR_CRYPTO;
	}
	return 0;
}

/*
 * Run the libcrypto KDF @kdf (NULL: fetch @alg now) with @params; @out is
 * wiped on failure.
 */
static int kdf_derive(EVP_KDF *kdf, const char *alg,
		      const OSSL_PARAM params[], uint8_t *out, size_t out_len)
{
	EVP_KDF_CTX *ctx;
	int ret = 0;

	if (kdf == NULL) {
		kdf = EVP_KDF_fetch(NULL, alg, NULL);
		ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
		EVP_KDF_free(kdf);	/* the context holds a reference */
	} else {
		ctx = EVP_KDF_CTX_new(kdf);
	}
	if (ctx == NULL || EVP_KDF_derive(ctx, out, out_len, params) != 1)
		ret = -KTLSO_ERROR_CRYPTO;
	EVP_KDF_CTX_free(ctx);
	if (ret)
		OPENSSL_cleanse(out, out_len);
	return ret;
}

static int hkdf(const OSSL_PARAM params[], uint8_t *out, size_t out_len)
{
	algs_init();
	return kdf_derive(algs.hkdf, "HKDF", params, out, out_len);
}

static int tls1_prf(const OSSL_PARAM params[], uint8_t *out, size_t out_len)
{
	algs_init();
	return kdf_derive(algs.tls1_prf, "TLS1-PRF", params, out, out_len);
}

/* --- TLS 1.3 --------------------------------------------------------------- */

/**
 * ktlso_hkdf_extract() - HKDF-Extract (RFC 5869 section 2.2)
 * @hash: the suite's hash
 * @salt: the salt, @salt_len bytes
 * @salt_len: bytes of salt (non-zero)
 * @ikm: the input keying material, @ikm_len bytes
 * @ikm_len: bytes of IKM (non-zero)
 * @prk: receives ktlso_hash_len(@hash) bytes
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT or -KTLSO_ERROR_CRYPTO.
 */
int ktlso_hkdf_extract(enum ktlso_md hash, const uint8_t *salt,
		       size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		       uint8_t *prk)
{
	int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
	OSSL_PARAM params[5];

	if (!hash_valid(hash) || !salt || !salt_len || !ikm || !ikm_len)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
			(char *)ktlso_hash_name(hash), 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
			(void *)ikm, ikm_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			(void *)salt, salt_len);
	params[4] = OSSL_PARAM_construct_end();
	return hkdf(params, prk, ktlso_hash_len(hash));
}

/*
 * struct HkdfLabel (RFC 8446 section 7.1):
 *	uint16 length; opaque label<7..255> = "tls13 " + Label;
 *	opaque context<0..255>;
 */
#define HKDF_LABEL_PREFIX "tls13 "
#define HKDF_LABEL_BUF (2 + 1 + 255 + 1 + 255)

static int encode_hkdf_label(uint8_t *buf, size_t *len, size_t out_len,
			     const char *label, const uint8_t *context,
			     size_t context_len)
{
	struct ktlso_writer w;

	ktlso_writer_init(&w, buf, HKDF_LABEL_BUF);
	ktlso_put_u16(&w, (uint16_t)out_len);
	ktlso_writer_open_vector(&w, 1, 7, 255);
	ktlso_put_bytes(&w, HKDF_LABEL_PREFIX, strlen(HKDF_LABEL_PREFIX));
	ktlso_put_bytes(&w, label, strlen(label));
	ktlso_writer_close_vector(&w);
	ktlso_writer_open_vector(&w, 1, 0, 255);
	ktlso_put_bytes(&w, context, context_len);
	ktlso_writer_close_vector(&w);
	return ktlso_writer_finish(&w, len);
}

/**
 * ktlso_hkdf_expand_label() - HKDF-Expand-Label (RFC 8446 section 7.1)
 * @hash: the suite's hash
 * @secret: a PRK of ktlso_hash_len(@hash) bytes
 * @label: the label without its "tls13 " prefix, a C string of at most
 *	KTLSO_HKDF_LABEL_MAX bytes
 * @context: the context, @context_len bytes (NULL when empty)
 * @context_len: at most KTLSO_HKDF_CONTEXT_MAX
 * @out: receives @out_len bytes
 * @out_len: 1 .. min(255 * ktlso_hash_len(@hash), 65535)
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT or -KTLSO_ERROR_CRYPTO.
 */
int ktlso_hkdf_expand_label(enum ktlso_md hash, const uint8_t *secret,
			    const char *label, const uint8_t *context,
			    size_t context_len, uint8_t *out, size_t out_len)
{
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	uint8_t info[HKDF_LABEL_BUF];
	OSSL_PARAM params[5];
	size_t info_len;
	int ret;

	if (!hash_valid(hash) || !secret || !label || !out ||
	    strlen(label) > KTLSO_HKDF_LABEL_MAX ||
	    context_len > KTLSO_HKDF_CONTEXT_MAX ||
	    (context == NULL && context_len != 0) || out_len == 0 ||
	    out_len > 255 * ktlso_hash_len(hash) || out_len > UINT16_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = encode_hkdf_label(info, &info_len, out_len, label, context,
				context_len);
	if (ret)
		return ret;
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
			(char *)ktlso_hash_name(hash), 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
			(void *)secret, ktlso_hash_len(hash));
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
			info, info_len);
	params[4] = OSSL_PARAM_construct_end();
	return hkdf(params, out, out_len);
}

/**
 * ktlso_derive_secret() - Derive-Secret (RFC 8446 section 7.1)
 * @hash: the suite's hash
 * @secret: a secret of ktlso_hash_len(@hash) bytes
 * @label: the label, without "tls13 "
 * @transcript_hash: Transcript-Hash(Messages), ktlso_hash_len(@hash) bytes;
 *	NULL for the empty transcript (Hash(""))
 * @out: receives ktlso_hash_len(@hash) bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_derive_secret(enum ktlso_md hash, const uint8_t *secret,
			const char *label, const uint8_t *transcript_hash,
			uint8_t *out)
{
	uint8_t empty_hash[KTLSO_MAX_HASH_LEN];
	int ret;

	if (!hash_valid(hash))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (transcript_hash == NULL) {
		algs_init();
		if (algs.have_empty_hash[hash]) {
			transcript_hash = algs.empty_hash[hash];
		} else {
			ret = ktlso_hash_digest(hash, NULL, 0, empty_hash);
			if (ret)
				return ret;
			transcript_hash = empty_hash;
		}
	}
	return ktlso_hkdf_expand_label(hash, secret, label, transcript_hash,
				       ktlso_hash_len(hash), out,
				       ktlso_hash_len(hash));
}

/* Extract(Derive-Secret(@prev, "derived", ""), @ikm or zeros) into @out. */
static int next_stage(enum ktlso_md hash, const uint8_t *prev,
		      const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
	uint8_t derived[KTLSO_MAX_HASH_LEN];
	size_t n = ktlso_hash_len(hash);
	int ret;

	ret = ktlso_derive_secret(hash, prev, "derived", NULL, derived);
	if (ret == 0)
		ret = ktlso_hkdf_extract(hash, derived, n, ikm ? ikm : zero_bytes,
					 ikm ? ikm_len : n, out);
	OPENSSL_cleanse(derived, sizeof(derived));
	return ret;
}

/**
 * ktlso_tls13_early_secret() - Early Secret = HKDF-Extract(0, PSK)
 * @hash: the suite's hash
 * @psk: the pre-shared key, or NULL for none (Hash.length zero bytes)
 * @psk_len: bytes of @psk
 * @early_secret: receives ktlso_hash_len(@hash) bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls13_early_secret(enum ktlso_md hash, const uint8_t *psk,
			     size_t psk_len, uint8_t *early_secret)
{
	size_t n;

	if (!hash_valid(hash))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	n = ktlso_hash_len(hash);
	return ktlso_hkdf_extract(hash, zero_bytes, n, psk ? psk : zero_bytes,
				  psk ? psk_len : n, early_secret);
}

/* Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE) */
int ktlso_tls13_handshake_secret(enum ktlso_md hash,
				 const uint8_t *early_secret,
				 const uint8_t *shared_secret,
				 size_t shared_secret_len,
				 uint8_t *handshake_secret)
{
	if (!hash_valid(hash) || !shared_secret || !shared_secret_len)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return next_stage(hash, early_secret, shared_secret, shared_secret_len,
			  handshake_secret);
}

/* Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0) */
int ktlso_tls13_master_secret(enum ktlso_md hash,
			      const uint8_t *handshake_secret,
			      uint8_t *master_secret)
{
	if (!hash_valid(hash))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return next_stage(hash, handshake_secret, NULL, 0, master_secret);
}

static const char *const tls13_labels[] = {
	[KTLSO_TLS13_EXT_BINDER] = "ext binder",
	[KTLSO_TLS13_RES_BINDER] = "res binder",
	[KTLSO_TLS13_C_E_TRAFFIC] = "c e traffic",
	[KTLSO_TLS13_E_EXP_MASTER] = "e exp master",
	[KTLSO_TLS13_C_HS_TRAFFIC] = "c hs traffic",
	[KTLSO_TLS13_S_HS_TRAFFIC] = "s hs traffic",
	[KTLSO_TLS13_C_AP_TRAFFIC] = "c ap traffic",
	[KTLSO_TLS13_S_AP_TRAFFIC] = "s ap traffic",
	[KTLSO_TLS13_EXP_MASTER] = "exp master",
	[KTLSO_TLS13_RES_MASTER] = "res master",
};

/**
 * ktlso_tls13_derive() - one of the named secrets of RFC 8446 section 7.1
 * @hash: the suite's hash
 * @stage_secret: the early, handshake or master secret that @which hangs off
 * @which: the secret wanted (the enum comment names its stage and label)
 * @transcript_hash: the transcript hash RFC 8446 gives for @which; NULL for
 *	the binder keys, whose context is the empty transcript
 * @out: receives ktlso_hash_len(@hash) bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls13_derive(enum ktlso_md hash, const uint8_t *stage_secret,
		       enum ktlso_tls13_secret which,
		       const uint8_t *transcript_hash, uint8_t *out)
{
	if ((unsigned int)which >= ARRAY_SIZE(tls13_labels))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (transcript_hash == NULL && which != KTLSO_TLS13_EXT_BINDER &&
	    which != KTLSO_TLS13_RES_BINDER)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return ktlso_derive_secret(hash, stage_secret, tls13_labels[which],
				   transcript_hash, out);
}

/**
 * ktlso_tls13_traffic_keys() - [sender]_write_key and _iv (RFC 8446 7.3)
 * @suite: a TLS 1.3 suite
 * @traffic_secret: a traffic secret of the suite's hash length
 * @keys: receives the AEAD key and the 12-byte IV
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls13_traffic_keys(const struct ktlso_suite *suite,
			     const uint8_t *traffic_secret,
			     struct ktlso_traffic_keys *keys)
{
	const struct ktlso_aead_info *aead;
	int ret;

	ktlso_traffic_keys_clear(keys);
	if (!suite || suite->version != KTLSO_TLS13_VERSION)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	aead = ktlso_aead_info(suite->aead);
	if (!aead)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = ktlso_hkdf_expand_label(suite->hash, traffic_secret, "key", NULL,
				      0, keys->key, aead->key_len);
	if (ret == 0)
		ret = ktlso_hkdf_expand_label(suite->hash, traffic_secret, "iv",
					      NULL, 0, keys->iv,
					      KTLSO_AEAD_NONCE_LEN);
	if (ret) {
		ktlso_traffic_keys_clear(keys);
		return ret;
	}
	keys->key_len = aead->key_len;
	keys->iv_len = KTLSO_AEAD_NONCE_LEN;
	return 0;
}

/* finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) */
int ktlso_tls13_finished_key(enum ktlso_md hash, const uint8_t *base_key,
			     uint8_t *finished_key)
{
	if (!hash_valid(hash))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return ktlso_hkdf_expand_label(hash, base_key, "finished", NULL, 0,
				       finished_key, ktlso_hash_len(hash));
}

/**
 * ktlso_tls13_finished() - Finished verify_data (RFC 8446 section 4.4.4)
 * @hash: the suite's hash
 * @base_key: the sender's handshake traffic secret (or a binder key)
 * @transcript_hash: Transcript-Hash(Handshake Context, Certificate*,
 *	CertificateVerify*), ktlso_hash_len(@hash) bytes
 * @verify_data: receives ktlso_hash_len(@hash) bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls13_finished(enum ktlso_md hash, const uint8_t *base_key,
			 const uint8_t *transcript_hash, uint8_t *verify_data)
{
	uint8_t finished_key[KTLSO_MAX_HASH_LEN];
	size_t n = ktlso_hash_len(hash);
	int ret;

	if (!transcript_hash)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = ktlso_tls13_finished_key(hash, base_key, finished_key);
	if (ret == 0)
		ret = hmac(hash, finished_key, n, transcript_hash, n,
			   verify_data);
	OPENSSL_cleanse(finished_key, sizeof(finished_key));
	return ret;
}

/**
 * ktlso_tls13_finished_verify() - check a peer's Finished in constant time
 * @hash: the suite's hash
 * @base_key: the peer's handshake traffic secret
 * @transcript_hash: the transcript hash the peer's Finished covers
 * @received: the verify_data received
 * @received_len: its length
 *
 * Return: 0 on a match, -KTLSO_ALERT_DECODE_ERROR if @received_len is not
 * the hash length, -KTLSO_ALERT_DECRYPT_ERROR on a mismatch, or another
 * negative engine error.
 */
int ktlso_tls13_finished_verify(enum ktlso_md hash, const uint8_t *base_key,
				const uint8_t *transcript_hash,
				const uint8_t *received, size_t received_len)
{
	uint8_t expected[KTLSO_MAX_HASH_LEN];
	int ret;

	if (!hash_valid(hash) || !received)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (received_len != ktlso_hash_len(hash))
		return -KTLSO_ALERT_DECODE_ERROR;
	ret = ktlso_tls13_finished(hash, base_key, transcript_hash, expected);
	if (ret == 0 && CRYPTO_memcmp(expected, received, received_len) != 0)
		ret = -KTLSO_ALERT_DECRYPT_ERROR;
	OPENSSL_cleanse(expected, sizeof(expected));
	return ret;
}

/* application_traffic_secret_N+1 (RFC 8446 section 7.2) */
int ktlso_tls13_next_traffic_secret(enum ktlso_md hash,
				    const uint8_t *traffic_secret,
				    uint8_t *next)
{
	if (!hash_valid(hash))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return ktlso_hkdf_expand_label(hash, traffic_secret, "traffic upd",
				       NULL, 0, next, ktlso_hash_len(hash));
}

/* The PSK of a NewSessionTicket (RFC 8446 section 4.6.1) */
int ktlso_tls13_resumption_psk(enum ktlso_md hash,
			       const uint8_t *resumption_master_secret,
			       const uint8_t *ticket_nonce, size_t nonce_len,
			       uint8_t *psk)
{
	if (!hash_valid(hash))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return ktlso_hkdf_expand_label(hash, resumption_master_secret,
				       "resumption", ticket_nonce, nonce_len,
				       psk, ktlso_hash_len(hash));
}

/* --- TLS 1.2 --------------------------------------------------------------- */

/* PRF(@secret, @label, @seed_a + @seed_b) with libcrypto's TLS1-PRF. */
static int prf2(enum ktlso_md hash, const uint8_t *secret, size_t secret_len,
		const char *label, const uint8_t *seed_a, size_t a_len,
		const uint8_t *seed_b, size_t b_len, uint8_t *out,
		size_t out_len)
{
	OSSL_PARAM params[6], *p = params;

	if (!hash_valid(hash) || !secret || !secret_len || !label ||
	    !*label || (!seed_a && a_len) || (!seed_b && b_len) ||
	    a_len + b_len > KTLSO_TLS12_PRF_SEED_MAX || !out || !out_len ||
	    out_len > KTLSO_TLS12_PRF_OUT_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
			(char *)ktlso_hash_name(hash), 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
			(void *)secret, secret_len);
	/* Several seed parameters concatenate, in order. */
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
			(void *)label, strlen(label));
	if (a_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
				(void *)seed_a, a_len);
	if (b_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
				(void *)seed_b, b_len);
	*p = OSSL_PARAM_construct_end();
	return tls1_prf(params, out, out_len);
}

/**
 * ktlso_tls12_prf() - PRF(secret, label, seed) of RFC 5246 section 5
 * @hash: P_SHA256 or P_SHA384
 * @secret: the secret, @secret_len (non-zero) bytes
 * @secret_len: bytes of @secret
 * @label: an ASCII label, a non-empty C string
 * @seed: the seed, @seed_len bytes (at most KTLSO_TLS12_PRF_SEED_MAX)
 * @seed_len: bytes of @seed
 * @out: receives @out_len bytes (1 .. KTLSO_TLS12_PRF_OUT_MAX)
 * @out_len: bytes wanted
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls12_prf(enum ktlso_md hash, const uint8_t *secret,
		    size_t secret_len, const char *label, const uint8_t *seed,
		    size_t seed_len, uint8_t *out, size_t out_len)
{
	return prf2(hash, secret, secret_len, label, seed, seed_len, NULL, 0,
		    out, out_len);
}

/* master_secret = PRF(pms, "master secret", client_random + server_random) */
int ktlso_tls12_master_secret(enum ktlso_md hash, const uint8_t *pre_master,
			      size_t pre_master_len,
			      const uint8_t *client_random,
			      const uint8_t *server_random,
			      uint8_t *master_secret)
{
	if (!client_random || !server_random)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return prf2(hash, pre_master, pre_master_len, "master secret",
		    client_random, KTLSO_TLS12_RANDOM_LEN, server_random,
		    KTLSO_TLS12_RANDOM_LEN, master_secret,
		    KTLSO_TLS12_MASTER_SECRET_LEN);
}

/**
 * ktlso_tls12_extended_master_secret() - RFC 7627 section 4
 * @hash: the PRF hash
 * @pre_master: the pre-master secret
 * @pre_master_len: its length
 * @session_hash: Hash(handshake messages through ClientKeyExchange)
 * @session_hash_len: its length, 1 .. KTLSO_MAX_HASH_LEN
 * @master_secret: receives KTLSO_TLS12_MASTER_SECRET_LEN bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls12_extended_master_secret(enum ktlso_md hash,
				       const uint8_t *pre_master,
				       size_t pre_master_len,
				       const uint8_t *session_hash,
				       size_t session_hash_len,
				       uint8_t *master_secret)
{
	if (!session_hash || !session_hash_len ||
	    session_hash_len > KTLSO_MAX_HASH_LEN)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return prf2(hash, pre_master, pre_master_len, "extended master secret",
		    session_hash, session_hash_len, NULL, 0, master_secret,
		    KTLSO_TLS12_MASTER_SECRET_LEN);
}

/* key_block = PRF(master, "key expansion", server_random + client_random) */
int ktlso_tls12_key_block(enum ktlso_md hash, const uint8_t *master_secret,
			  const uint8_t *client_random,
			  const uint8_t *server_random, uint8_t *key_block,
			  size_t len)
{
	if (!client_random || !server_random)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return prf2(hash, master_secret, KTLSO_TLS12_MASTER_SECRET_LEN,
		    "key expansion", server_random, KTLSO_TLS12_RANDOM_LEN,
		    client_random, KTLSO_TLS12_RANDOM_LEN, key_block, len);
}

/*
 * Copy one key or IV out of the key block at *@off, advancing it.
 */
static void take_key_material(const uint8_t *block, size_t *off, uint8_t *dst,
			      size_t n)
{
	memcpy(dst, block + *off, n);
	*off += n;
}

/**
 * ktlso_tls12_traffic_keys() - split the key block (RFC 5246 section 6.3)
 * @suite: a TLS 1.2 AEAD suite (no MAC keys: mac_key_length is 0)
 * @master_secret: the (extended) master secret, 48 bytes
 * @client_random: ClientHello.random, 32 bytes
 * @server_random: ServerHello.random, 32 bytes
 * @client_write: receives client_write_key and client_write_IV
 * @server_write: receives server_write_key and server_write_IV
 *
 * The key block is client_write_key, server_write_key, client_write_IV,
 * server_write_IV; each IV is the suite's fixed IV: 4 bytes of salt for GCM
 * (RFC 5288) and CCM (RFC 6655), 12 bytes for ChaCha20-Poly1305 (RFC 7905).
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls12_traffic_keys(const struct ktlso_suite *suite,
			     const uint8_t *master_secret,
			     const uint8_t *client_random,
			     const uint8_t *server_random,
			     struct ktlso_traffic_keys *client_write,
			     struct ktlso_traffic_keys *server_write)
{
	uint8_t block[2 * (KTLSO_AEAD_MAX_KEY_LEN + KTLSO_AEAD_NONCE_LEN)];
	const struct ktlso_aead_info *aead;
	size_t key_len, iv_len, off = 0;
	int ret;

	ktlso_traffic_keys_clear(client_write);
	ktlso_traffic_keys_clear(server_write);
	if (!suite || suite->version != KTLSO_TLS12_VERSION)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	aead = ktlso_aead_info(suite->aead);
	if (!aead)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	key_len = aead->key_len;
	iv_len = aead->tls12_fixed_iv_len;
	ret = ktlso_tls12_key_block(suite->hash, master_secret, client_random,
				    server_random, block,
				    2 * (key_len + iv_len));
	if (ret)
		return ret;
	take_key_material(block, &off, client_write->key, key_len);
	take_key_material(block, &off, server_write->key, key_len);
	take_key_material(block, &off, client_write->iv, iv_len);
	take_key_material(block, &off, server_write->iv, iv_len);
	client_write->key_len = server_write->key_len = (uint8_t)key_len;
	client_write->iv_len = server_write->iv_len = (uint8_t)iv_len;
	OPENSSL_cleanse(block, sizeof(block));
	return 0;
}

/**
 * ktlso_tls12_finished() - Finished verify_data (RFC 5246 section 7.4.9)
 * @hash: the PRF hash (also the handshake hash)
 * @master_secret: the master secret, 48 bytes
 * @from_client: true for "client finished", false for "server finished"
 * @handshake_hash: Hash(handshake_messages), ktlso_hash_len(@hash) bytes
 * @verify_data: receives KTLSO_TLS12_VERIFY_DATA_LEN bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_tls12_finished(enum ktlso_md hash, const uint8_t *master_secret,
			 bool from_client, const uint8_t *handshake_hash,
			 uint8_t *verify_data)
{
	if (!hash_valid(hash) || !handshake_hash)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return prf2(hash, master_secret, KTLSO_TLS12_MASTER_SECRET_LEN,
		    from_client ? "client finished" : "server finished",
		    handshake_hash, ktlso_hash_len(hash), NULL, 0, verify_data,
		    KTLSO_TLS12_VERIFY_DATA_LEN);
}

/**
 * ktlso_tls12_finished_verify() - check a peer's Finished in constant time
 * @hash: the PRF hash
 * @master_secret: the master secret
 * @from_client: whether the peer is the client
 * @handshake_hash: the handshake hash the peer's Finished covers
 * @received: the verify_data received
 * @received_len: its length
 *
 * Return: 0 on a match, -KTLSO_ALERT_DECODE_ERROR for a wrong length,
 * -KTLSO_ALERT_DECRYPT_ERROR on a mismatch, or another negative error.
 */
int ktlso_tls12_finished_verify(enum ktlso_md hash,
				const uint8_t *master_secret, bool from_client,
				const uint8_t *handshake_hash,
				const uint8_t *received, size_t received_len)
{
	uint8_t expected[KTLSO_TLS12_VERIFY_DATA_LEN];
	int ret;

	if (!received)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (received_len != KTLSO_TLS12_VERIFY_DATA_LEN)
		return -KTLSO_ALERT_DECODE_ERROR;
	ret = ktlso_tls12_finished(hash, master_secret, from_client,
				   handshake_hash, expected);
	if (ret == 0 && CRYPTO_memcmp(expected, received, received_len) != 0)
		ret = -KTLSO_ALERT_DECRYPT_ERROR;
	OPENSSL_cleanse(expected, sizeof(expected));
	return ret;
}
