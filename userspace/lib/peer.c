// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: the verified peer's certificate, from getsockopt(SOL_TLS,
 * KTLSO_PEER_CERT), and what an application authorises on: the subject,
 * the DNS and IP subjectAltNames and the SHA-256 fingerprint, decoded with
 * libcrypto.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "internal.h"

/*
 * The public struct and what it points to: every string and array is
 * the library's, freed by ktlso_peer_free().
 */
struct peer_alloc {
	struct ktlso_peer pub;
	uint8_t *der;
	char *subject;
	char **dns;
	char **ip;
};

/* The subject on one line, RFC 2253 style, as the daemon logs it. */
static char *subject_line(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out = NULL;
	long n = 0;

	if (!bio)
		return NULL;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253) >= 0)
		n = BIO_get_mem_data(bio, &p);
	if (n >= 0) {
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

/* Add a copy of @len bytes of @s to the NULL-terminated array @v. */
static int push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strndup(s, len);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

/*
 * The DNS and IP subjectAltNames.  A dNSName with a NUL inside, or an
 * iPAddress of another length than 4 or 16, is skipped: a name that could
 * be read two ways authorises nothing.
 */
static int alt_names(X509 *x, struct peer_alloc *pa)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
						NULL);
	char ip[INET6_ADDRSTRLEN];
	int i, err = 0;

	for (i = 0; names && i < sk_GENERAL_NAME_num(names) && !err; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const unsigned char *d;
		int len;

		if (g->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(g->d.dNSName);
			len = ASN1_STRING_length(g->d.dNSName);
			if (len > 0 && !memchr(d, 0, (size_t)len))
				err = push(&pa->dns, &pa->pub.n_dns,
					   (const char *)d, (size_t)len);
		} else if (g->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			len = ASN1_STRING_length(g->d.iPAddress);
			if ((len == 4 && inet_ntop(AF_INET, d, ip, sizeof(ip))) ||
			    (len == 16 && inet_ntop(AF_INET6, d, ip, sizeof(ip))))
				err = push(&pa->ip, &pa->pub.n_ip, ip,
					   strlen(ip));
		}
	}
	GENERAL_NAMES_free(names);
	return err;
}

static void fingerprint(struct ktlso_peer *p)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < KTLSO_PEER_SHA256_LEN; i++) {
		p->sha256_text[3 * i] = hex[p->sha256[i] >> 4];
		p->sha256_text[3 * i + 1] = hex[p->sha256[i] & 15];
		p->sha256_text[3 * i + 2] = ':';
	}
	p->sha256_text[3 * KTLSO_PEER_SHA256_LEN - 1] = '\0';
}

/* Fill @pa from the DER it holds already. */
static int decode(struct peer_alloc *pa)
{
	static char *const none[] = { NULL };
	const unsigned char *p = pa->der;
	unsigned int md_len = 0;
	X509 *x;
	int err;

	x = d2i_X509(NULL, &p, (long)pa->pub.der_len);
	if (!x || p != pa->der + pa->pub.der_len) {
		X509_free(x);
		return -EBADMSG;
	}
	err = -ENOMEM;
	if (!EVP_Digest(pa->der, pa->pub.der_len, pa->pub.sha256, &md_len,
			EVP_sha256(), NULL) ||
	    md_len != KTLSO_PEER_SHA256_LEN)
		goto out;
	fingerprint(&pa->pub);
	pa->subject = subject_line(x);
	if (!pa->subject)
		goto out;
	err = alt_names(x, pa);
out:
	X509_free(x);
	pa->pub.der = pa->der;
	pa->pub.subject = pa->subject ? pa->subject : "";
	pa->pub.dns = (const char *const *)(pa->dns ? pa->dns : none);
	pa->pub.ip = (const char *const *)(pa->ip ? pa->ip : none);
	return err;
}

KTLSO_API void ktlso_peer_free(struct ktlso_peer *peer)
{
	struct peer_alloc *pa = (struct peer_alloc *)peer;
	size_t i;

	if (!pa)
		return;
	for (i = 0; pa->dns && pa->dns[i]; i++)
		free(pa->dns[i]);
	for (i = 0; pa->ip && pa->ip[i]; i++)
		free(pa->ip[i]);
	free(pa->dns);
	free(pa->ip);
	free(pa->subject);
	free(pa->der);
	free(pa);
}

/* A peer for the @len bytes at @der, which it takes. */
static int peer_new(uint8_t *der, size_t len, struct ktlso_peer **out)
{
	struct peer_alloc *pa = calloc(1, sizeof(*pa));
	int err;

	if (!pa) {
		free(der);
		return -ENOMEM;
	}
	pa->der = der;
	pa->pub.der_len = len;
	err = decode(pa);
	if (err) {
		ktlso_peer_free(&pa->pub);
		return err;
	}
	*out = &pa->pub;
	return 0;
}

KTLSO_API int ktlso_peer_parse(const void *der, size_t len,
			       struct ktlso_peer **out)
{
	uint8_t *copy;

	*out = NULL;
	if (!der || !len || len > KTLSO_PEER_CERT_MAX)
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, der, len);
	return peer_new(copy, len, out);
}

/* getsockopt(KTLSO_PEER_CERT) into @buf of @cap: the length or -errno. */
static int read_cert(int fd, void *buf, socklen_t cap)
{
	socklen_t len = cap;

	if (ktlso_lib_sys->getsockopt(fd, SOL_TLS, KTLSO_PEER_CERT, buf, &len))
		return -errno;
	return len <= cap ? (int)len : -EPROTO;
}

KTLSO_API int ktlso_get_peer(int fd, struct ktlso_peer **out)
{
	socklen_t len = 0;
	uint8_t *der;
	int n;

	*out = NULL;
	/* How long is it?  The kernel says with ERANGE, or 0 for none. */
	if (!ktlso_lib_sys->getsockopt(fd, SOL_TLS, KTLSO_PEER_CERT, NULL,
				       &len))
		return -ENODATA;
	if (ktlso_lib_no_ulp(errno))
		return -ENODATA;
	if (errno != ERANGE)
		return -errno;
	if (!len || len > KTLSO_PEER_CERT_MAX)
		return -EPROTO;
	der = malloc(len);
	if (!der)
		return -ENOMEM;
	n = read_cert(fd, der, len);
	if (n <= 0) {
		free(der);
		return n ? n : -EPROTO;
	}
	return peer_new(der, (size_t)n, out);
}
