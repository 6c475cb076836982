// SPDX-License-Identifier: GPL-2.0
/*
 * Signature schemes on libcrypto's EVP_DigestSign / EVP_DigestVerify.
 * See sig.h.
 */
#include "engine/sig.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "engine/alert.h"
#include "engine/suite.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum sig_kind {
	SIG_RSA_PKCS1,
	SIG_RSA_PSS_RSAE,
	SIG_ECDSA,
	SIG_ED25519,
};

struct scheme_info {
	uint16_t id;
	enum sig_kind kind;
	const char *name;	/* IANA name */
	const char *md;		/* digest name; NULL for Ed25519 */
	size_t md_len;
	int curve_nid;		/* ECDSA in TLS 1.3: the curve it binds */
};

static const struct scheme_info schemes[] = {
	{ KTLSO_SIG_ECDSA_SECP256R1_SHA256, SIG_ECDSA,
	  "ecdsa_secp256r1_sha256", "SHA256", 32, NID_X9_62_prime256v1 },
	{ KTLSO_SIG_ECDSA_SECP384R1_SHA384, SIG_ECDSA,
	  "ecdsa_secp384r1_sha384", "SHA384", 48, NID_secp384r1 },
	{ KTLSO_SIG_ED25519, SIG_ED25519, "ed25519", NULL, 0, NID_undef },
	{ KTLSO_SIG_RSA_PSS_RSAE_SHA256, SIG_RSA_PSS_RSAE,
	  "rsa_pss_rsae_sha256", "SHA256", 32, NID_undef },
	{ KTLSO_SIG_RSA_PSS_RSAE_SHA384, SIG_RSA_PSS_RSAE,
	  "rsa_pss_rsae_sha384", "SHA384", 48, NID_undef },
	{ KTLSO_SIG_RSA_PSS_RSAE_SHA512, SIG_RSA_PSS_RSAE,
	  "rsa_pss_rsae_sha512", "SHA512", 64, NID_undef },
	{ KTLSO_SIG_RSA_PKCS1_SHA256, SIG_RSA_PKCS1,
	  "rsa_pkcs1_sha256", "SHA256", 32, NID_undef },
	{ KTLSO_SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1,
	  "rsa_pkcs1_sha384", "SHA384", 48, NID_undef },
	{ KTLSO_SIG_RSA_PKCS1_SHA512, SIG_RSA_PKCS1,
	  "rsa_pkcs1_sha512", "SHA512", 64, NID_undef },
};

static const struct scheme_info *scheme_find(uint16_t scheme)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++)
		if (schemes[i].id == scheme)
			return &schemes[i];
	return NULL;
}

const char *ktlso_sigscheme_name(uint16_t scheme)
{
	const struct scheme_info *s = scheme_find(scheme);

	return s ? s->name : NULL;
}

int ktlso_sigscheme_from_name(const char *name, uint16_t *scheme)
{
	size_t i;

	if (name == NULL || scheme == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	for (i = 0; i < ARRAY_SIZE(schemes); i++) {
		if (strcasecmp(name, schemes[i].name) == 0) {
			*scheme = schemes[i].id;
			return 0;
		}
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

/* The NID of an EC key's curve; NID_undef when it has no named curve. */
static int ec_curve_nid(EVP_PKEY *key)
{
	char name[64];
	size_t len = 0;

	if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
		ERR_clear_error();
		return NID_undef;
	}
	return OBJ_sn2nid(name);
}

static bool ec_curve_supported(int nid)
{
	return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1;
}

/* Whether @s fits @key for @version, @s known. */
static bool scheme_fits(const struct scheme_info *s, EVP_PKEY *key,
			uint16_t version)
{
	int nid;

	if (version != KTLSO_TLS12_VERSION && version != KTLSO_TLS13_VERSION)
		return false;
	switch (s->kind) {
	case SIG_RSA_PKCS1:
		/* RFC 8446 4.2.3: never in a TLS 1.3 CertificateVerify. */
		if (version != KTLSO_TLS12_VERSION)
			return false;
		/* "RSA" is rsaEncryption; "RSA-PSS" keys are not. */
		return EVP_PKEY_is_a(key, "RSA");
	case SIG_RSA_PSS_RSAE:
		/* RFC 8017 9.1.1: emLen >= hLen + sLen + 2, sLen = hLen. */
		return EVP_PKEY_is_a(key, "RSA") &&
		       (size_t)EVP_PKEY_get_size(key) >= 2 * s->md_len + 2;
	case SIG_ECDSA:
		if (!EVP_PKEY_is_a(key, "EC"))
			return false;
		nid = ec_curve_nid(key);
		if (version == KTLSO_TLS13_VERSION)
			return nid == s->curve_nid;
		return ec_curve_supported(nid);
	case SIG_ED25519:
		return EVP_PKEY_is_a(key, "ED25519");
	}
	return false;
}

bool ktlso_sigscheme_fits_key(uint16_t scheme, EVP_PKEY *key,
			      uint16_t version)
{
	const struct scheme_info *s = scheme_find(scheme);

	return s != NULL && key != NULL && scheme_fits(s, key, version);
}

int ktlso_sigscheme_select(EVP_PKEY *key, uint16_t version,
			   const uint16_t *ours, size_t n_ours,
			   const struct ktlso_u16_list *peer, uint16_t *scheme)
{
	size_t i;

	if (key == NULL || peer == NULL || scheme == NULL ||
	    (ours == NULL && n_ours != 0))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	for (i = 0; i < n_ours; i++) {
		if (ktlso_u16_list_has(peer, ours[i]) &&
		    ktlso_sigscheme_fits_key(ours[i], key, version)) {
			*scheme = ours[i];
			return 0;
		}
	}
	return -KTLSO_ALERT_HANDSHAKE_FAILURE;
}

/*
 * Set up @mctx to sign or verify with @s and @key: the scheme's digest
 * (none for Ed25519, which is one-shot), and for RSA its padding.
 */
static int digest_init(EVP_MD_CTX *mctx, const struct scheme_info *s,
		       EVP_PKEY *key, bool sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (sign)
		ok = EVP_DigestSignInit_ex(mctx, &pctx, s->md, NULL, NULL, key,
					   NULL);
	else
		ok = EVP_DigestVerifyInit_ex(mctx, &pctx, s->md, NULL, NULL,
					     key, NULL);
	if (ok != 1)
		return -KTLSO_ERROR_CRYPTO;
	switch (s->kind) {
	case SIG_RSA_PKCS1:
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
		break;
	case SIG_RSA_PSS_RSAE:
		/* RFC 8446 4.2.3: MGF1 with the same hash, salt = hLen. */
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx,
						  RSA_PKCS1_PSS_PADDING) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, s->md, NULL) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
						      (int)s->md_len) > 0;
		break;
	default:
		ok = 1;
		break;
	}
	return ok ? 0 : -KTLSO_ERROR_CRYPTO;
}

int ktlso_sign(EVP_PKEY *key, uint16_t scheme, const uint8_t *msg, size_t len,
	       uint8_t *sig, size_t cap, size_t *sig_len)
{
	const struct scheme_info *s = scheme_find(scheme);
	EVP_MD_CTX *mctx = NULL;
	size_t n;
	int max, ret;

	if (key == NULL || sig == NULL || sig_len == NULL ||
	    (msg == NULL && len != 0))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	*sig_len = 0;
	if (s == NULL || (!scheme_fits(s, key, KTLSO_TLS12_VERSION) &&
			  !scheme_fits(s, key, KTLSO_TLS13_VERSION)))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	max = EVP_PKEY_get_size(key);
	if (max <= 0)
		return -KTLSO_ERROR_CRYPTO;
	if (cap < (size_t)max)
		return -KTLSO_ERROR_NO_SPACE;

	mctx = EVP_MD_CTX_new();
	if (mctx == NULL)
		return -KTLSO_ERROR_NO_MEMORY;
	ret = digest_init(mctx, s, key, true);
	if (ret)
		goto out;
	n = cap;
	if (EVP_DigestSign(mctx, sig, &n, msg ? msg : (const uint8_t *)"",
			   len) != 1) {
		ret = -KTLSO_ERROR_CRYPTO;
		goto out;
	}
	*sig_len = n;
out:
	if (ret) {
		OPENSSL_cleanse(sig, cap);
		ERR_clear_error();
	}
	EVP_MD_CTX_free(mctx);
	return ret;
}

int ktlso_verify(EVP_PKEY *key, uint16_t scheme, uint16_t version,
		 const uint8_t *msg, size_t len, const uint8_t *sig,
		 size_t sig_len)
{
	const struct scheme_info *s = scheme_find(scheme);
	EVP_MD_CTX *mctx;
	int ret;

	if (key == NULL || (msg == NULL && len != 0) ||
	    (sig == NULL && sig_len != 0))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (s == NULL || !scheme_fits(s, key, version))
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (sig_len == 0 || sig_len > KTLSO_SIG_MAX_LEN)
		return -KTLSO_ALERT_DECRYPT_ERROR;
	/* RFC 8017 8.1.2, 8.2.2: an RSA signature is exactly k octets. */
	if ((s->kind == SIG_RSA_PKCS1 || s->kind == SIG_RSA_PSS_RSAE) &&
	    sig_len != (size_t)EVP_PKEY_get_size(key))
		return -KTLSO_ALERT_DECRYPT_ERROR;

	mctx = EVP_MD_CTX_new();
	if (mctx == NULL)
		return -KTLSO_ERROR_NO_MEMORY;
	ret = digest_init(mctx, s, key, false);
	if (ret == 0 &&
	    EVP_DigestVerify(mctx, sig, sig_len,
			     msg ? msg : (const uint8_t *)"", len) != 1)
		ret = -KTLSO_ALERT_DECRYPT_ERROR;
	if (ret)
		ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	return ret;
}

static const char server_context[] = "TLS 1.3, server CertificateVerify";
static const char client_context[] = "TLS 1.3, client CertificateVerify";

int ktlso_tls13_signed_content(bool server, const uint8_t *th, size_t th_len,
			       uint8_t *out, size_t cap, size_t *len)
{
	const char *context = server ? server_context : client_context;
	size_t context_len = strlen(context);
	size_t total = 64 + context_len + 1 + th_len;

	if (th == NULL || out == NULL || len == NULL || th_len == 0 ||
	    th_len > KTLSO_MAX_HASH_LEN)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	*len = 0;
	if (cap < total)
		return -KTLSO_ERROR_NO_SPACE;
	memset(out, 0x20, 64);
	memcpy(out + 64, context, context_len);
	out[64 + context_len] = 0x00;
	memcpy(out + 64 + context_len + 1, th, th_len);
	*len = total;
	return 0;
}
