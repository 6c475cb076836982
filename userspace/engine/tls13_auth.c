// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 authentication messages for both roles: Certificate (RFC 8446
 * 4.4.2) and CertificateVerify (RFC 8446 4.4.3), sent with our credential
 * and checked against the peer's chain through pki.h and sig.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls13.h"

int ktlso_tls13_send_certificate(struct ktlso_session *s)
{
	struct ktlso_cert_entry *entries = NULL;
	struct ktlso_certificate ct;
	struct ktlso_span *spans;
	struct ktlso_writer w;
	size_t n, i;
	int ret;

	ret = ktlso_cred_chain_der(s->hs13->cred, &spans, &n);
	if (ret)
		return ret;
	if (n) {
		entries = calloc(n, sizeof(*entries));
		if (!entries) {
			ktlso_cred_chain_free(spans, n);
			return -KTLSO_ERROR_NO_MEMORY;
		}
	}
	for (i = 0; i < n; i++)
		entries[i].cert_data = spans[i];	/* no extensions */
	memset(&ct, 0, sizeof(ct));
	ct.certs.v = entries;
	ct.certs.n = n;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_certificate_write(&w, &ct);
	ret = ktlso_tls13_msg_send(s, &w);
	free(entries);
	ktlso_cred_chain_free(spans, n);
	return ret;
}

int ktlso_tls13_send_cert_verify(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	uint8_t th[KTLSO_MAX_HASH_LEN];
	uint8_t content[KTLSO_TLS13_SIGNED_CONTENT_LEN(KTLSO_MAX_HASH_LEN)];
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	struct ktlso_certificate_verify cv;
	struct ktlso_writer w;
	size_t len, sig_len;
	int ret;

	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_signed_content(s->server, th,
						 ktlso_hash_len(s->suite->hash),
						 content, sizeof(content),
						 &len);
	if (ret == 0)
		ret = ktlso_sign(hs->cred->key, hs->scheme, content, len, sig,
				 sizeof(sig), &sig_len);
	if (ret)
		return ktlso_hs_fail(s, ret, "cannot sign CertificateVerify");
	cv.algorithm = hs->scheme;
	cv.signature.p = sig;
	cv.signature.len = sig_len;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_certificate_verify_write(&w, &cv);
	if (s->server)
		s->sig_scheme = hs->scheme;
	else
		s->client_sig_scheme = hs->scheme;
	return ktlso_tls13_msg_send(s, &w);
}

int ktlso_tls13_check_certificate(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	struct ktlso_certificate ct;
	struct ktlso_span spans[KTLSO_PEER_CHAIN_MAX];
	struct ktlso_list_iter it = { 0 };
	struct ktlso_cert_entry entry;
	size_t n;
	int ret;

	ret = ktlso_certificate_parse(&ct, msg, hs->offered);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed Certificate");
	if (ct.context.len)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "Certificate with a request context");
	if (ct.certs.n == 0) {
		ret = ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
		return ret ? ret : 1;
	}
	/* Refused before any walk: a 64 KiB message holds ~10,900 entries. */
	if (ct.certs.n > KTLSO_PEER_CHAIN_MAX)
		return ktlso_hs_fail(s, -KTLSO_ALERT_BAD_CERTIFICATE,
				     "peer chain of %zu certificates",
				     ct.certs.n);
	for (n = 0; (ret = ktlso_cert_list_next(&ct.certs, &it, &entry)) > 0;)
		spans[n++] = entry.cert_data;
	if (ret == 0)
		ret = ktlso_peer_chain_check(s, &hs->peer, spans, n);
	if (ret)
		return ret;
	return ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
}

int ktlso_tls13_check_cert_verify(struct ktlso_session *s,
				  const struct ktlso_hs_msg *msg)
{
	uint8_t th[KTLSO_MAX_HASH_LEN];
	uint8_t content[KTLSO_TLS13_SIGNED_CONTENT_LEN(KTLSO_MAX_HASH_LEN)];
	struct ktlso_certificate_verify cv;
	const char *name;
	size_t len;
	int ret;

	ret = ktlso_peer_cert_verify_parse(s, msg, &cv);
	if (ret)
		return ret;
	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_signed_content(!s->server, th,
						 ktlso_hash_len(s->suite->hash),
						 content, sizeof(content),
						 &len);
	if (ret == 0)
		ret = ktlso_verify(s->hs13->peer.key, cv.algorithm,
				   KTLSO_TLS13_VERSION, content, len,
				   cv.signature.p, cv.signature.len);
	name = ktlso_sigscheme_name(cv.algorithm);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad %s CertificateVerify (%s)",
				     s->server ? "client" : "server",
				     name ? name : "unknown scheme");
	if (s->server)
		s->client_sig_scheme = cv.algorithm;
	else
		s->sig_scheme = cv.algorithm;
	return ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
}
