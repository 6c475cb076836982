// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 authentication messages for both roles: Certificate (RFC 5246
 * 7.4.2, 7.4.6) and the client's CertificateVerify (RFC 5246 7.4.8, a
 * signature over every handshake message before it), sent with our
 * credential and checked against the peer's chain through pki.h and
 * sig.h. The ServerKeyExchange signature is the roles' own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls12.h"
#include "engine/tls13.h"

int ktlso_tls12_send_certificate(struct ktlso_session *s)
{
	struct ktlso_tls12_certificate ct;
	struct ktlso_span *spans;
	struct ktlso_writer w;
	size_t n;
	int ret;

	ret = ktlso_cred_chain_der(s->hs12->cred, &spans, &n);
	if (ret)
		return ret;
	memset(&ct, 0, sizeof(ct));
	ct.certs.v = spans;
	ct.certs.n = n;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_tls12_certificate_write(&w, &ct);
	ret = ktlso_tls12_msg_send(s, &w);
	ktlso_cred_chain_free(spans, n);
	return ret;
}

int ktlso_tls12_check_certificate(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_span certs[KTLSO_PEER_CHAIN_MAX];
	struct ktlso_tls12_certificate ct;
	size_t n;
	int ret;

	ret = ktlso_tls12_certificate_parse(&ct, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed Certificate");
	if (ct.certs.n == 0) {
		ret = ktlso_tls12_msg_add(s, msg);
		return ret ? ret : 1;
	}
	ret = ktlso_tls12_cert_list_spans(&ct.certs, certs,
					  KTLSO_PEER_CHAIN_MAX, &n);
	if (ret == -KTLSO_ERROR_NO_SPACE)
		return ktlso_hs_fail(s, -KTLSO_ALERT_BAD_CERTIFICATE,
				     "peer chain of %zu certificates", n);
	if (ret == 0)
		ret = ktlso_peer_chain_check(s, &hs->peer, certs, n);
	if (ret)
		return ret;
	return ktlso_tls12_msg_add(s, msg);
}

int ktlso_tls12_send_cert_verify(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	struct ktlso_certificate_verify cv;
	struct ktlso_writer w;
	size_t sig_len;
	int ret;

	ret = ktlso_sign(hs->cred->key, hs->scheme, hs->log, hs->log_len, sig,
			 sizeof(sig), &sig_len);
	if (ret)
		return ktlso_hs_fail(s, ret, "cannot sign CertificateVerify");
	cv.algorithm = hs->scheme;
	cv.signature.p = sig;
	cv.signature.len = sig_len;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_certificate_verify_write(&w, &cv);
	s->client_sig_scheme = hs->scheme;
	return ktlso_tls12_msg_send(s, &w);
}

int ktlso_tls12_check_cert_verify(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_certificate_verify cv;
	const char *name;
	int ret;

	ret = ktlso_peer_cert_verify_parse(s, msg, &cv);
	if (ret)
		return ret;
	ret = ktlso_verify(hs->peer.key, cv.algorithm, KTLSO_TLS12_VERSION,
			   hs->log, hs->log_len, cv.signature.p,
			   cv.signature.len);
	name = ktlso_sigscheme_name(cv.algorithm);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad client CertificateVerify (%s)",
				     name ? name : "unknown scheme");
	s->client_sig_scheme = cv.algorithm;
	return ktlso_tls12_msg_add(s, msg);
}
