// SPDX-License-Identifier: GPL-2.0
/*
 * The peer's certificate chain, for both versions and both roles: whether
 * we verify it, and the check of the chain a Certificate message carried
 * (through pki.h), or, when we do not verify, the decoding of its leaf's
 * key for the signatures that follow; the first checks of its
 * CertificateVerify; and what a client does with the server's name (sent
 * as SNI unless an address, verified either way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "engine/alert.h"
#include "engine/pki.h"
#include "engine/session_int.h"
#include "engine/tls13.h"	/* ktlso_u16_in() */

bool ktlso_peer_auth_on(const struct ktlso_session *s)
{
	enum ktlso_peer_auth a = s->cfg->peer_auth;

	if (s->server)
		return a == KTLSO_PEER_AUTH_OPTIONAL ||
		       a == KTLSO_PEER_AUTH_REQUIRE;
	return a != KTLSO_PEER_AUTH_NONE;
}

const char *ktlso_client_sni(const struct ktlso_config *c)
{
	const char *name = c->server_name;

	return name && *name && !ktlso_name_is_ip(name) ? name : NULL;
}

/* The subject of @x on one line, RFC 2253 style, as pki.c writes it. */
static void subject_line(X509 *x, char *out, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n = 0;

	out[0] = '\0';
	if (!bio)
		return;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253) >= 0)
		n = BIO_get_mem_data(bio, &p);
	if (n > 0)
		snprintf(out, cap, "%.*s", (int)n, p);
	BIO_free(bio);
}

/* Without verification: only the leaf's key, for the signatures. */
static int decode_leaf(struct ktlso_session *s, struct ktlso_peer_cert *pc,
		       const struct ktlso_span *leaf)
{
	const unsigned char *p = leaf->p;
	X509 *x = d2i_X509(NULL, &p, (long)leaf->len);

	if (!x || p != leaf->p + leaf->len) {
		X509_free(x);
		return ktlso_hs_fail(s, -KTLSO_ALERT_BAD_CERTIFICATE,
				     "the peer's certificate does not decode");
	}
	pc->key = X509_get_pubkey(x);
	subject_line(x, pc->identity, sizeof(pc->identity));
	X509_free(x);
	if (!pc->key)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
				     "the peer's certificate has no usable key");
	return 0;
}

static int check_chain(struct ktlso_session *s, struct ktlso_peer_cert *pc,
		       const struct ktlso_span *certs, size_t n)
{
	const struct ktlso_config *c = s->cfg;
	char err[256] = "";
	int ret;

	if (!ktlso_peer_auth_on(s))
		return decode_leaf(s, pc, &certs[0]);
	ret = ktlso_verify_chain(c->trust, certs, n,
				 s->server ? NULL : c->server_name, !s->server,
				 c->verify_time, &c->peer_policy, pc, err,
				 sizeof(err));
	if (ret)
		return ktlso_hs_fail(s, ret, "%s certificate rejected: %s",
				     s->server ? "client" : "server", err);
	/* For whoever authorises on the peer's identity afterwards. */
	free(s->peer_leaf);
	s->peer_leaf_len = 0;
	s->peer_leaf = malloc(certs[0].len);
	if (!s->peer_leaf)
		return ktlso_hs_fail(s, -KTLSO_ERROR_NO_MEMORY,
				     "out of memory for the peer's certificate");
	memcpy(s->peer_leaf, certs[0].p, certs[0].len);
	s->peer_leaf_len = certs[0].len;
	s->peer_verified = true;
	return 0;
}

int ktlso_peer_chain_check(struct ktlso_session *s, struct ktlso_peer_cert *pc,
			   const struct ktlso_span *certs, size_t n)
{
	int ret = check_chain(s, pc, certs, n);

	if (ret)
		return ret;
	snprintf(s->peer_identity, sizeof(s->peer_identity), "%s",
		 pc->identity);
	return 0;
}

int ktlso_peer_cert_verify_parse(struct ktlso_session *s,
				 const struct ktlso_hs_msg *msg,
				 struct ktlso_certificate_verify *cv)
{
	const struct ktlso_config *c = s->cfg;
	int ret;

	ret = ktlso_certificate_verify_parse(cv, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed CertificateVerify");
	/* Our signature_algorithms listed exactly our schemes. */
	if (!ktlso_u16_in(c->sigschemes, c->n_sigschemes, cv->algorithm))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "CertificateVerify scheme 0x%04x not offered",
				     cv->algorithm);
	return 0;
}
