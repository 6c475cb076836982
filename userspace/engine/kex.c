// SPDX-License-Identifier: GPL-2.0
/*
 * Ephemeral X25519 / P-256 / P-384 key exchange on libcrypto's EVP_PKEY.
 * See kex.h.
 */
#include "engine/kex.h"

#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "engine/alert.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define EC_POINT_UNCOMPRESSED 0x04	/* SEC 1 2.3.3 */

struct group_info {
	uint16_t id;
	const char *name;		/* IANA name */
	const char *alias;		/* the other name configs use */
	const char *key_type;		/* EVP_PKEY type */
	const char *curve;		/* EC group name; NULL for X25519 */
	uint8_t share_len;
	uint8_t secret_len;
};

static const struct group_info groups[] = {
	{ KTLSO_GROUP_X25519, "x25519", "X25519", "X25519", NULL, 32, 32 },
	{ KTLSO_GROUP_SECP256R1, "secp256r1", "P-256", "EC", "P-256", 65, 32 },
	{ KTLSO_GROUP_SECP384R1, "secp384r1", "P-384", "EC", "P-384", 97, 48 },
};

static const struct group_info *group_find(uint16_t group)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (groups[i].id == group)
			return &groups[i];
	return NULL;
}

bool ktlso_group_supported(uint16_t group)
{
	return group_find(group) != NULL;
}

size_t ktlso_group_share_len(uint16_t group)
{
	const struct group_info *g = group_find(group);

	return g ? g->share_len : 0;
}

const char *ktlso_group_name(uint16_t group)
{
	const struct group_info *g = group_find(group);

	return g ? g->name : NULL;
}

int ktlso_group_from_name(const char *name, uint16_t *group)
{
	size_t i;

	if (name == NULL || group == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		if (strcasecmp(name, groups[i].name) == 0 ||
		    strcasecmp(name, groups[i].alias) == 0) {
			*group = groups[i].id;
			return 0;
		}
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

void ktlso_kex_free(struct ktlso_kex *kx)
{
	if (kx == NULL)
		return;
	EVP_PKEY_free(kx->priv);	/* clears the private key's memory */
	kx->priv = NULL;
	kx->group = 0;
}

int ktlso_kex_generate(struct ktlso_kex *kx, uint16_t group)
{
	const struct group_info *g = group_find(group);
	EVP_PKEY *pkey;

	if (kx == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ktlso_kex_free(kx);
	if (g == NULL)
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (g->curve)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, g->key_type, g->curve);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, g->key_type);
	if (pkey == NULL) {
		ERR_clear_error();
		return -KTLSO_ERROR_CRYPTO;
	}
	kx->priv = pkey;
	kx->group = group;
	return 0;
}

int ktlso_kex_public(const struct ktlso_kex *kx, uint8_t *out, size_t cap,
		     size_t *len)
{
	const struct group_info *g;
	size_t n = 0;
	int ok;

	if (kx == NULL || kx->priv == NULL || out == NULL || len == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	*len = 0;
	g = group_find(kx->group);
	if (g == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (cap < g->share_len)
		return -KTLSO_ERROR_NO_SPACE;
	if (g->curve) {
		/* An EC key's encoded form is the uncompressed point. */
		ok = EVP_PKEY_get_octet_string_param(kx->priv,
				OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap,
				&n);
		ok = ok && n == g->share_len &&
		     out[0] == EC_POINT_UNCOMPRESSED;
	} else {
		n = cap;
		ok = EVP_PKEY_get_raw_public_key(kx->priv, out, &n) &&
		     n == g->share_len;
	}
	if (!ok) {
		ERR_clear_error();
		return -KTLSO_ERROR_CRYPTO;
	}
	*len = n;
	return 0;
}

/*
 * The peer's share as an EVP_PKEY. An EC point is decoded by libcrypto,
 * which refuses a point that is not on the curve.
 */
static EVP_PKEY *peer_key(const struct group_info *g, const uint8_t *peer,
			  size_t peer_len)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[3];

	if (g->curve == NULL)
		return EVP_PKEY_new_raw_public_key_ex(NULL, g->key_type, NULL,
						      peer, peer_len);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->key_type, NULL);
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->curve, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      (void *)peer, peer_len);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* Constant-time test for an all-zero buffer. */
static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int ktlso_kex_derive(const struct ktlso_kex *kx, const uint8_t *peer,
		     size_t peer_len, uint8_t *secret, size_t cap,
		     size_t *secret_len)
{
	const struct group_info *g;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pub = NULL;
	size_t n;
	int ret;

	if (kx == NULL || kx->priv == NULL || secret == NULL ||
	    secret_len == NULL || (peer == NULL && peer_len != 0))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	*secret_len = 0;
	g = group_find(kx->group);
	if (g == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (cap < g->secret_len)
		return -KTLSO_ERROR_NO_SPACE;
	/* RFC 8446 4.2.8.2: exactly one encoding, uncompressed points. */
	if (peer_len != g->share_len ||
	    (g->curve && peer[0] != EC_POINT_UNCOMPRESSED)) {
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
		goto out;
	}

	pub = peer_key(g, peer, peer_len);
	if (pub == NULL) {
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, kx->priv, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1) {
		ret = -KTLSO_ERROR_CRYPTO;
		goto out;
	}
	/* validate_peer: libcrypto's public key check on the peer's key. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pub, 1) != 1) {
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
		goto out;
	}
	n = g->secret_len;
	if (EVP_PKEY_derive(ctx, secret, &n) != 1 || n != g->secret_len) {
		/*
		 * libcrypto's X25519 fails on an all-zero result (a small
		 * order peer point): that is the peer's fault.
		 */
		ret = g->curve ? -KTLSO_ERROR_CRYPTO :
				 -KTLSO_ALERT_ILLEGAL_PARAMETER;
		goto out;
	}
	/* RFC 8446 7.4.2: X25519 must not yield the all-zero value. */
	if (!g->curve && all_zero(secret, n)) {
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
		goto out;
	}
	*secret_len = n;
	ret = 0;
out:
	if (ret) {
		OPENSSL_cleanse(secret, g->secret_len);
		ERR_clear_error();
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	return ret;
}
