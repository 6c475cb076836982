/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates made in memory for the benchmarks (ktlso-hsbench's CA and
 * leaf, ktlso-bench's libssl server): no file, nothing to clean up.
 */
#ifndef KTLSO_TOOLS_BENCH_CERT_H
#define KTLSO_TOOLS_BENCH_CERT_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static inline int bench_cert_ext(X509 *x, X509 *issuer, int nid,
				 const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/**
 * bench_make_cert() - a certificate for a benchmark's in-memory PKI
 * @cn: the subject's common name
 * @key: the subject's key
 * @issuer: the CA's certificate; NULL for a self-signed CA certificate
 * @issuer_key: the CA's key (unused when @issuer is NULL)
 * @serial: the serial number
 * @san: a leaf's subjectAltName ("DNS:host"); unused for a CA
 *
 * Valid from a day ago for a year, signed with SHA-256.
 *
 * Return: the certificate, or NULL on failure.
 */
static inline X509 *bench_make_cert(const char *cn, EVP_PKEY *key,
				    X509 *issuer, EVP_PKEY *issuer_key,
				    long serial, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name;
	int err;

	if (!x)
		return NULL;
	name = X509_get_subject_name(x);
	err = !X509_set_version(x, 2) ||
	      !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
	      !X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) ||
	      !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) ||
	      !X509_set_pubkey(x, key) ||
	      !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					  (const unsigned char *)cn, -1, -1,
					  0) ||
	      !X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer :
									x));
	if (!err && !issuer)
		err = bench_cert_ext(x, x, NID_basic_constraints,
				     "critical,CA:TRUE") ||
		      bench_cert_ext(x, x, NID_key_usage,
				     "critical,keyCertSign,cRLSign") ||
		      bench_cert_ext(x, x, NID_subject_key_identifier, "hash");
	else if (!err)
		err = bench_cert_ext(x, issuer, NID_basic_constraints,
				     "CA:FALSE") ||
		      bench_cert_ext(x, issuer, NID_key_usage,
				     "critical,digitalSignature") ||
		      bench_cert_ext(x, issuer, NID_ext_key_usage,
				     "serverAuth") ||
		      bench_cert_ext(x, issuer, NID_subject_alt_name, san) ||
		      bench_cert_ext(x, issuer, NID_authority_key_identifier,
				     "keyid");
	if (err || !X509_sign(x, issuer ? issuer_key : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

#endif /* KTLSO_TOOLS_BENCH_CERT_H */
