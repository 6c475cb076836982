/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support: make keys and X.509 certificates at test time with
 * libcrypto, and write them as PEM files into a private temporary
 * directory. No key or certificate is ever committed.
 *
 *	struct test_pki pki;
 *	struct test_cert_spec spec = { .cn = "server.example",
 *		.san = "DNS:server.example", .eku = "serverAuth" };
 *	EVP_PKEY *key = test_key_new(TEST_KEY_P256);
 *	X509 *leaf;
 *
 *	test_pki_init(&pki);			root CA and intermediate
 *	leaf = test_pki_leaf(&pki, &spec, key);	issued by the intermediate
 *	test_write_certs(path, (X509 *[]){ leaf, pki.inter }, 2);
 *	...
 *	test_pki_free(&pki);			removes the directory too
 *
 * Functions return NULL or -1 on failure (and leave nothing allocated), so
 * that a test can ASSERT on them. Test programs are single translation
 * units; everything here is static.
 */
#ifndef KTLSO_ENGINE_TESTS_PKI_TEST_H
#define KTLSO_ENGINE_TESTS_PKI_TEST_H

#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TEST_DAY (24L * 3600)

enum test_key_type {
	TEST_KEY_RSA2048,
	TEST_KEY_P256,
	TEST_KEY_P384,
	TEST_KEY_ED25519,
	TEST_KEY_P521,		/* a curve the engine does not support */
	TEST_KEY_X25519,	/* a key that cannot sign at all */
	TEST_KEY_RSA1024,	/* below the peer key policy's minimum */
};

/* A fresh private key of @type; NULL on failure. */
static inline EVP_PKEY *test_key_new(enum test_key_type type)
{
	switch (type) {
	case TEST_KEY_RSA2048:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case TEST_KEY_P256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case TEST_KEY_P384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case TEST_KEY_ED25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case TEST_KEY_P521:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	case TEST_KEY_X25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	case TEST_KEY_RSA1024:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	}
	return NULL;
}

/*
 * What a certificate says. Extension values use the openssl x509v3_config
 * syntax; NULL leaves the extension out. A CA gets basicConstraints
 * CA:TRUE and, unless @ku says otherwise, keyCertSign and cRLSign.
 */
struct test_cert_spec {
	const char *cn;			/* subject commonName */
	const char *org;		/* subject organizationName, or NULL */
	bool ca;
	const char *san;		/* "DNS:a.example,IP:192.0.2.1" */
	const char *ku;			/* "critical,digitalSignature" */
	const char *eku;		/* "serverAuth,clientAuth" */
	/* The issuer's digest ("SHA1", "MD5"); NULL: SHA-256. */
	const char *digest;
	/*
	 * Validity, in seconds from @base (or from now when @base is 0).
	 * Both 0: from a day ago to a year ahead.
	 */
	time_t base;
	long not_before;
	long not_after;
};

static inline int test_cert_add_ext(X509 *x, X509 *issuer, int nid,
				    const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	if (value == NULL)
		return 0;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static inline int test_cert_set_name(X509 *x, const struct test_cert_spec *s)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (s->org &&
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)s->org, -1, -1,
					0))
		return -1;
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)s->cn, -1, -1,
					0))
		return -1;
	return 0;
}

/*
 * A certificate for @key as @spec says, signed by @issuer_key and naming
 * @issuer as its issuer; self-signed (by @key) when @issuer is NULL.
 */
static inline X509 *test_cert_new(const struct test_cert_spec *spec,
				  EVP_PKEY *key, X509 *issuer,
				  EVP_PKEY *issuer_key)
{
	static uint32_t serial = 1;
	time_t base = spec->base ? spec->base : time(NULL);
	long nb = spec->not_before, na = spec->not_after;
	X509 *x = X509_new();
	const EVP_MD *md;
	const char *ku = spec->ku;

	if (x == NULL)
		return NULL;
	if (nb == 0 && na == 0) {
		nb = -TEST_DAY;
		na = 365 * TEST_DAY;
	}
	if (issuer == NULL)
		issuer_key = key;
	if (spec->ca && ku == NULL)
		ku = "critical,keyCertSign,cRLSign";
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), (long)serial++) ||
	    !X509_time_adj_ex(X509_getm_notBefore(x), 0, nb, &base) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), 0, na, &base) ||
	    test_cert_set_name(x, spec) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
					      X509_get_subject_name(x)) ||
	    !X509_set_pubkey(x, key))
		goto fail;
	if (test_cert_add_ext(x, issuer ? issuer : x, NID_basic_constraints,
			      spec->ca ? "critical,CA:TRUE" : "CA:FALSE") ||
	    test_cert_add_ext(x, issuer ? issuer : x,
			      NID_subject_key_identifier, "hash") ||
	    (issuer && test_cert_add_ext(x, issuer,
					 NID_authority_key_identifier,
					 "keyid:always")) ||
	    test_cert_add_ext(x, issuer ? issuer : x, NID_key_usage, ku) ||
	    test_cert_add_ext(x, issuer ? issuer : x, NID_ext_key_usage,
			      spec->eku) ||
	    test_cert_add_ext(x, issuer ? issuer : x, NID_subject_alt_name,
			      spec->san))
		goto fail;
	/* Ed25519 signs without a separate digest. */
	md = EVP_PKEY_is_a(issuer_key, "ED25519") ? NULL :
	     spec->digest ? EVP_get_digestbyname(spec->digest) : EVP_sha256();
	if (X509_sign(x, issuer_key, md) <= 0)
		goto fail;
	return x;
fail:
	ERR_print_errors_fp(stderr);
	X509_free(x);
	return NULL;
}

/* Write @n certificates as one PEM file. */
static inline int test_write_certs(const char *path, X509 *const *certs,
				   size_t n)
{
	BIO *bio = BIO_new_file(path, "w");
	size_t i;
	int ret = 0;

	if (bio == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(bio, certs[i]))
			ret = -1;
	BIO_free(bio);
	return ret;
}

/* Write @key as an unencrypted PKCS#8 PEM file only its owner may read. */
static inline int test_write_key(const char *path, EVP_PKEY *key)
{
	BIO *bio = BIO_new_file(path, "w");
	int ret;

	if (bio == NULL)
		return -1;
	if (chmod(path, 0600)) {
		BIO_free(bio);
		return -1;
	}
	ret = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) ?
	      0 : -1;
	BIO_free(bio);
	return ret;
}

/* Write @ca into @dir as "<subject hash>.0", the c_rehash layout. */
static inline int test_write_hashed(const char *dir, X509 *ca)
{
	char path[4096];
	unsigned long h = X509_NAME_hash(X509_get_subject_name(ca));

	snprintf(path, sizeof(path), "%s/%08lx.0", dir, h);
	return test_write_certs(path, &ca, 1);
}

/* The DER of @x in a buffer freed with OPENSSL_free(); NULL on failure. */
static inline uint8_t *test_cert_der(X509 *x, size_t *len)
{
	uint8_t *der = NULL;
	int n = i2d_X509(x, &der);

	if (n <= 0)
		return NULL;
	*len = (size_t)n;
	return der;
}

static inline int test_rmtree_one(const char *path, const struct stat *st,
				  int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove @dir and everything under it. */
static inline int test_rmtree(const char *dir)
{
	return nftw(dir, test_rmtree_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A root CA, an intermediate under it, and a directory for files. */
struct test_pki {
	char dir[64];			/* mkdtemp() directory */
	EVP_PKEY *root_key, *inter_key;
	X509 *root, *inter;
	char root_pem[128];		/* dir/root.pem: the root alone */
};

static inline void test_pki_free(struct test_pki *p)
{
	X509_free(p->root);
	X509_free(p->inter);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->inter_key);
	if (p->dir[0])
		test_rmtree(p->dir);
	memset(p, 0, sizeof(*p));
}

/*
 * Root "ktlso test root" (P-384) and "ktlso test intermediate" (P-256),
 * valid from 30 days ago for ten years.
 */
static inline int test_pki_init(struct test_pki *p)
{
	const struct test_cert_spec root = {
		.cn = "ktlso test root", .org = "ktlso", .ca = true,
		.not_before = -30 * TEST_DAY, .not_after = 3650 * TEST_DAY,
	};
	const struct test_cert_spec inter = {
		.cn = "ktlso test intermediate", .org = "ktlso", .ca = true,
		.not_before = -30 * TEST_DAY, .not_after = 3650 * TEST_DAY,
	};
	static const char tmpl[] = "/tmp/ktlso-pki-XXXXXX";

	memset(p, 0, sizeof(*p));
	memcpy(p->dir, tmpl, sizeof(tmpl));
	if (mkdtemp(p->dir) == NULL) {
		p->dir[0] = '\0';
		return -1;
	}
	snprintf(p->root_pem, sizeof(p->root_pem), "%s/root.pem", p->dir);
	p->root_key = test_key_new(TEST_KEY_P384);
	p->inter_key = test_key_new(TEST_KEY_P256);
	if (p->root_key == NULL || p->inter_key == NULL)
		goto fail;
	p->root = test_cert_new(&root, p->root_key, NULL, NULL);
	if (p->root == NULL)
		goto fail;
	p->inter = test_cert_new(&inter, p->inter_key, p->root, p->root_key);
	if (p->inter == NULL || test_write_certs(p->root_pem, &p->root, 1))
		goto fail;
	return 0;
fail:
	test_pki_free(p);
	return -1;
}

/* A leaf for @key issued by the intermediate. */
static inline X509 *test_pki_leaf(struct test_pki *p,
				  const struct test_cert_spec *spec,
				  EVP_PKEY *key)
{
	return test_cert_new(spec, key, p->inter, p->inter_key);
}

/* "dir/name" into @buf. */
static inline const char *test_pki_path(const struct test_pki *p,
					const char *name, char *buf,
					size_t len)
{
	snprintf(buf, len, "%s/%s", p->dir, name);
	return buf;
}

/*
 * A new @type key and its leaf issued by the intermediate, written as
 * "dir/NAME.pem" (leaf, then intermediate) and "dir/NAME.key"; their paths
 * go to @cert and @key (@cap bytes each).  Returns 0 or -1.
 */
static inline int test_pki_leaf_files(struct test_pki *p,
				      const struct test_cert_spec *spec,
				      enum test_key_type type, const char *name,
				      char *cert, char *key, size_t cap)
{
	EVP_PKEY *k = test_key_new(type);
	X509 *leaf = k ? test_pki_leaf(p, spec, k) : NULL;
	char buf[64];
	int ret = -1;

	if (leaf) {
		snprintf(buf, sizeof(buf), "%s.pem", name);
		test_pki_path(p, buf, cert, cap);
		snprintf(buf, sizeof(buf), "%s.key", name);
		test_pki_path(p, buf, key, cap);
		ret = test_write_certs(cert, (X509 *[]){ leaf, p->inter }, 2) ||
		      test_write_key(key, k);
	}
	X509_free(leaf);
	EVP_PKEY_free(k);
	return ret;
}

#endif /* KTLSO_ENGINE_TESTS_PKI_TEST_H */
