/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the handshake fuzzers hold fixed: one self-signed P-256 credential
 * for the name "fuzz", made once per process, and a trust store holding
 * it (so that a peer's chain verifies and a client certificate can be
 * asked for); randoms and x25519 keys that are the same in every run, so
 * that a reproducer replays the same handshake. Fuzzers are single
 * translation units; everything here is static.
 */
#ifndef KTLSO_ENGINE_FUZZ_FIXTURES_H
#define KTLSO_ENGINE_FUZZ_FIXTURES_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/kex.h"
#include "engine/pki.h"

static void check(bool ok)
{
	if (!ok)
		abort();
}

static struct ktlso_cred fuzz_cred;
static struct ktlso_trust fuzz_trust;

static X509 *fuzz_self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509_EXTENSION *san = NULL;
	X509V3_CTX v3;
	bool ok = x && name &&
		  X509_set_version(x, X509_VERSION_3) &&
		  ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
		  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					     (const unsigned char *)"fuzz",
					     -1, -1, 0) &&
		  X509_set_subject_name(x, name) &&
		  X509_set_issuer_name(x, name) &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -86400) &&
		  X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
		  X509_set_pubkey(x, key);

	if (ok) {
		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
					  "DNS:fuzz");
		ok = san && X509_add_ext(x, san, -1) &&
		     X509_sign(x, key, EVP_sha256());
	}
	X509_EXTENSION_free(san);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static void fuzz_cred_setup(void)
{
	if (fuzz_cred.key)
		return;
	fuzz_cred.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	check(fuzz_cred.key != NULL);
	fuzz_cred.leaf = fuzz_self_signed(fuzz_cred.key);
	check(fuzz_cred.leaf != NULL);
	fuzz_trust.store = X509_STORE_new();
	check(fuzz_trust.store &&
	      X509_STORE_add_cert(fuzz_trust.store, fuzz_cred.leaf));
}

/* The engine's test.random hook: the same bytes every time. */
static int fuzz_fixed_random(void *arg, uint8_t *out, size_t len)
{
	(void)arg;
	memset(out, 0x5a, len);
	return 0;
}

/*
 * The engine's test.kex_generate hook: x25519 from one fixed private key
 * (both sides of a pair may hold it: the shared secret is still one), other
 * groups as usual.
 */
static int fuzz_fixed_kex(void *arg, struct ktlso_kex *kx, uint16_t group)
{
	uint8_t priv[32];

	(void)arg;
	if (group != 0x001d)
		return ktlso_kex_generate(kx, group);
	memset(priv, 0x11, sizeof(priv));
	kx->priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
						sizeof(priv));
	if (!kx->priv)
		return ktlso_kex_generate(kx, group);
	kx->group = group;
	return 0;
}

#endif /* KTLSO_ENGINE_FUZZ_FIXTURES_H */
