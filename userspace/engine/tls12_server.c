// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.2 server state machine (RFC 5246 7.3):
 *
 *	(TLS 1.3 server: ClientHello) -> (ServerHello Certificate
 *	ServerKeyExchange [CertificateRequest] ServerHelloDone)
 *	-> [WAIT_CLIENT_CERT] -> WAIT_CKE -> [WAIT_CV] -> WAIT_CCS
 *	-> WAIT_FINISHED -> ([NewSessionTicket] ChangeCipherSpec Finished)
 *	-> CONNECTED
 *
 * or, resuming the session of the ClientHello's ticket (tls12_ticket.c):
 *
 *	(TLS 1.3 server: ClientHello) -> (ServerHello [NewSessionTicket]
 *	ChangeCipherSpec Finished) -> WAIT_CCS -> WAIT_FINISHED -> CONNECTED
 *
 * The TLS 1.3 server reads every ClientHello and hands over one that does
 * not get TLS 1.3 (->takeover). One handler per state; each returns 0 or
 * the alert to send.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls12.h"
#include "engine/tls13.h"

/* RFC 8446 4.1.3: the last 8 bytes of a TLS 1.3 server's TLS 1.2 random. */
static const uint8_t downgrade_tls12[8] = {
	'D', 'O', 'W', 'N', 'G', 'R', 'D', 0x01,
};

/* --- negotiation ---------------------------------------------------------- */

/*
 * The ClientHello must allow TLS 1.2: in supported_versions when it has
 * one (RFC 8446 4.2.1), else by legacy_version (RFC 5246 E.1).
 */
static int check_version(struct ktlso_session *s,
			 const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;

	if (ktlso_ext_has(&ch->ext, KTLSO_EXT_SUPPORTED_VERSIONS) ?
	    !ktlso_u16_list_has(&ch->supported_versions, KTLSO_TLS12_VERSION) :
	    ch->legacy_version < KTLSO_TLS12_VERSION)
		return ktlso_hs_fail(s, -KTLSO_ALERT_PROTOCOL_VERSION,
				     "client does not offer TLS 1.2");
	/* RFC 7507 3: a fallback retry while we could do better. */
	if (c->max_version > KTLSO_TLS12_VERSION &&
	    ktlso_u16_list_has(&ch->cipher_suites, KTLSO_TLS12_FALLBACK_SCSV))
		return ktlso_hs_fail(s, -KTLSO_ALERT_INAPPROPRIATE_FALLBACK,
				     "TLS_FALLBACK_SCSV from a TLS 1.3 client");
	return 0;
}

static int check_client_hello(struct ktlso_session *s,
			      const struct ktlso_client_hello *ch)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	int ret;

	ret = check_version(s, ch);
	if (ret)
		return ret;
	ret = ktlso_tls12_client_hello_check(ch);
	if (ret)
		return ktlso_hs_fail(s, ret,
				     "ClientHello lacks null compression or uncompressed points");
	/* RFC 7627 5.2: refused, or accepted as the config says. */
	ret = ktlso_tls12_ems_check(s, ktlso_ext_has(&ch->ext,
					KTLSO_EXT_EXTENDED_MASTER_SECRET));
	if (ret)
		return ret;
	/* RFC 5746 3.6: the extension (checked empty) or the SCSV. */
	hs->renegotiation_info =
		ktlso_ext_has(&ch->ext, KTLSO_EXT_RENEGOTIATION_INFO) ||
		ktlso_u16_list_has(&ch->cipher_suites,
				   KTLSO_TLS12_RENEGOTIATION_SCSV);
	hs->ec_point_formats = ktlso_ext_has(&ch->ext,
					     KTLSO_EXT_EC_POINT_FORMATS);
	memcpy(hs->client_random, ch->random, KTLSO_RANDOM_LEN);
	return ktlso_server_take_sni(s, ch);
}

/*
 * RFC 8422 5.1.1: our first preference among the client's groups; a
 * client without supported_groups takes any (RFC 8422 4).
 */
static int choose_group(struct ktlso_session *s,
			const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	size_t i;

	for (i = 0; i < c->n_groups; i++) {
		if (!ktlso_group_supported(c->groups[i]))
			continue;
		if (!ktlso_ext_has(&ch->ext, KTLSO_EXT_SUPPORTED_GROUPS) ||
		    ktlso_u16_list_has(&ch->supported_groups, c->groups[i])) {
			s->group = c->groups[i];
			return 0;
		}
	}
	return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
			     "no group in common");
}

/*
 * RFC 8422 5.3: an ECDSA certificate's curve must be one the client
 * supports (any, without supported_groups). Ed25519 and RSA keys have no
 * curve to match.
 */
static bool curve_fits(EVP_PKEY *key, const struct ktlso_client_hello *ch)
{
	char name[64];
	size_t len = 0;
	uint16_t group;

	if (!EVP_PKEY_is_a(key, "EC") ||
	    !ktlso_ext_has(&ch->ext, KTLSO_EXT_SUPPORTED_GROUPS))
		return true;
	if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1)
		return false;
	if (strcmp(name, "prime256v1") == 0)
		group = KTLSO_GROUP_SECP256R1;
	else if (strcmp(name, "secp384r1") == 0)
		group = KTLSO_GROUP_SECP384R1;
	else
		return false;
	return ktlso_u16_list_has(&ch->supported_groups, group);
}

/*
 * Our credential for a suite of @auth: the SNI's first, else the first,
 * among those whose key signs for @auth with one of @ours the client
 * accepts, on a curve it supports.
 */
static int choose_cred(struct ktlso_session *s,
		       const struct ktlso_client_hello *ch,
		       enum ktlso_tls12_auth auth, const uint16_t *ours,
		       size_t n_ours)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls12_hs *hs = s->hs12;
	const struct ktlso_cred *pick;
	struct ktlso_cred *fit;
	size_t *index, i, n = 0;

	hs->cred = NULL;
	fit = calloc(c->n_creds, sizeof(*fit));
	index = calloc(c->n_creds, sizeof(*index));
	if (!fit || !index) {
		free(fit);
		free(index);
		return -KTLSO_ERROR_NO_MEMORY;
	}
	for (i = 0; i < c->n_creds; i++) {
		if (!c->creds[i].key ||
		    !ktlso_tls12_key_fits(c->creds[i].key, auth) ||
		    !curve_fits(c->creds[i].key, ch))
			continue;
		fit[n] = c->creds[i];	/* borrowed, not owned */
		index[n++] = i;
	}
	pick = ktlso_cred_select(fit, n, s->sni[0] ? s->sni : NULL,
				 KTLSO_TLS12_VERSION, ours, n_ours,
				 &ch->signature_algorithms);
	if (pick)
		hs->cred = &c->creds[index[pick - fit]];
	free(fit);
	free(index);
	if (!hs->cred)
		return 0;
	return ktlso_sigscheme_select(hs->cred->key, KTLSO_TLS12_VERSION, ours,
				      n_ours, &ch->signature_algorithms,
				      &hs->scheme);
}

/*
 * Our first suite the client offers for which a credential fits
 * (choose_cred()). RFC 5246 7.4.1.4.1: a client without
 * signature_algorithms accepts only SHA-1, which we do not sign with.
 */
static int choose_suite(struct ktlso_session *s,
			const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	uint16_t ours[KTLSO_CONFIG_MAX_LIST];
	bool common = false;
	size_t i, n;
	int ret;

	for (i = 0; i < c->n_suites; i++) {
		const struct ktlso_suite *suite = ktlso_suite_find(c->suites[i]);
		enum ktlso_tls12_auth auth;

		if (!suite || suite->version != KTLSO_TLS12_VERSION ||
		    !ktlso_u16_list_has(&ch->cipher_suites, suite->id))
			continue;
		auth = ktlso_tls12_suite_auth(suite->id);
		if (auth == KTLSO_TLS12_AUTH_NONE)
			continue;
		common = true;
		n = ktlso_tls12_schemes_for(c, auth, ours);
		ret = choose_cred(s, ch, auth, ours, n);
		if (ret < 0 && ret != -KTLSO_ALERT_HANDSHAKE_FAILURE)
			return ret;
		if (ret == 0 && s->hs12->cred) {
			s->suite = suite;
			return 0;
		}
	}
	s->hs12->cred = NULL;
	if (!common)
		return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
				     "no cipher suite in common");
	return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
			     "no certificate fits the client's suites, groups, schemes");
}

/* --- our flight ----------------------------------------------------------- */

static int send_server_hello(struct ktlso_session *s)
{
	static const uint8_t uncompressed = KTLSO_EC_POINT_UNCOMPRESSED;
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_server_hello sh;
	struct ktlso_writer w;
	int ret;

	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = KTLSO_TLS12_VERSION;
	ret = ktlso_random(s, hs->server_random, KTLSO_RANDOM_LEN);
	if (ret)
		return ret;
	if (s->cfg->max_version >= KTLSO_TLS13_VERSION)
		memcpy(hs->server_random + KTLSO_RANDOM_LEN - 8,
		       downgrade_tls12, sizeof(downgrade_tls12));
	memcpy(sh.random, hs->server_random, KTLSO_RANDOM_LEN);
	/*
	 * An empty session id, the session not cached (RFC 5246 7.4.1.3);
	 * the client's when its ticket resumes (RFC 5077 3.4).
	 */
	if (hs->abbreviated) {
		sh.session_id.p = hs->session_id;
		sh.session_id.len = hs->session_id_len;
	}
	sh.cipher_suite = s->suite->id;
	sh.extensions = true;
	if (hs->renegotiation_info)
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_RENEGOTIATION_INFO);
	/* RFC 6066 3: acknowledged, empty; not when resuming. */
	if (s->sni[0] && !hs->abbreviated)
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_SERVER_NAME);
	if (hs->ec_point_formats) {
		sh.ec_point_formats.p = &uncompressed;
		sh.ec_point_formats.len = 1;
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_EC_POINT_FORMATS);
	}
	if (s->alpn[0]) {
		sh.alpn.p = (const uint8_t *)s->alpn;
		sh.alpn.len = strlen(s->alpn);
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_ALPN);
	}
	/* RFC 7627 5.2: not to a client that did not send it. */
	if (hs->ems)
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_EXTENDED_MASTER_SECRET);
	if (hs->tickets_wanted)	/* RFC 5077 3.2: a NewSessionTicket comes */
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_SESSION_TICKET);
	ktlso_tls13_msg_begin(s, &w);
	ktlso_tls12_server_hello_write(&w, &sh);
	return ktlso_tls12_msg_send(s, &w);
}

/* RFC 8422 5.4: our share, signed with both randoms. */
static int send_server_key_exchange(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_server_key_exchange ske;
	uint8_t pub[KTLSO_KEX_MAX_SHARE], sig[KTLSO_SIG_MAX_LEN];
	uint8_t content[KTLSO_TLS12_SKE_SIGNED_MAX];
	struct ktlso_writer w;
	size_t len, sig_len;
	int ret;

	memset(&ske, 0, sizeof(ske));
	ret = ktlso_tls13_kex_generate(s, &hs->kex, s->group);
	if (ret == 0)
		ret = ktlso_kex_public(&hs->kex, pub, sizeof(pub), &len);
	if (ret)
		return ret;
	ske.group = s->group;
	ske.point.p = pub;
	ske.point.len = len;
	ske.algorithm = hs->scheme;
	ret = ktlso_tls12_ske_signed_content(&ske, hs->client_random,
					     hs->server_random, content,
					     sizeof(content), &len);
	if (ret == 0)
		ret = ktlso_sign(hs->cred->key, hs->scheme, content, len, sig,
				 sizeof(sig), &sig_len);
	if (ret)
		return ktlso_hs_fail(s, ret, "cannot sign ServerKeyExchange");
	ske.signature.p = sig;
	ske.signature.len = sig_len;
	s->sig_scheme = hs->scheme;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_tls12_server_key_exchange_write(&w, &ske);
	return ktlso_tls12_msg_send(s, &w);
}

static int send_cert_request(struct ktlso_session *s)
{
	static const uint8_t types[] = {
		KTLSO_CERT_TYPE_ECDSA_SIGN, KTLSO_CERT_TYPE_RSA_SIGN,
	};
	struct ktlso_tls12_certificate_request cr;
	struct ktlso_writer w;

	memset(&cr, 0, sizeof(cr));
	cr.certificate_types.p = types;
	cr.certificate_types.len = sizeof(types);
	cr.signature_algorithms.v = s->cfg->sigschemes;
	cr.signature_algorithms.n = s->cfg->n_sigschemes;
	s->hs12->cert_requested = true;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_tls12_certificate_request_write(&w, &cr);
	return ktlso_tls12_msg_send(s, &w);
}

static int send_flight(struct ktlso_session *s)
{
	struct ktlso_writer w;
	int ret;

	ret = send_server_hello(s);
	if (ret == 0)
		ret = ktlso_tls12_send_certificate(s);
	if (ret == 0)
		ret = send_server_key_exchange(s);
	if (ret == 0 && ktlso_peer_auth_on(s))
		ret = send_cert_request(s);
	if (ret == 0) {
		ktlso_tls13_msg_begin(s, &w);
		ktlso_tls12_server_hello_done_write(&w);
		ret = ktlso_tls12_msg_send(s, &w);
	}
	return ret;
}

/* RFC 5077 3.1: the abbreviated handshake's flight, then the client's. */
static int send_abbreviated_flight(struct ktlso_session *s)
{
	int ret = send_server_hello(s);

	if (ret == 0)
		ret = ktlso_tls12_resumed_keys(s);
	if (ret == 0)
		ret = ktlso_tls12_send_ticket(s);
	if (ret == 0)
		ret = ktlso_tls12_send_ccs(s);
	if (ret == 0)
		ret = ktlso_tls12_send_finished(s);
	return ret;
}

static int wait_ch(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	struct ktlso_client_hello ch;
	int ret;

	ret = ktlso_client_hello_parse(&ch, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed ClientHello");
	ret = check_client_hello(s, &ch);
	if (ret == 0)
		ret = ktlso_server_choose_alpn(s, &ch);
	if (ret == 0)
		ret = ktlso_tls12_server_resume(s, &ch);
	if (ret == 0 && !s->resumed) {
		s->auth_ms = ktlso_now_ms(s);
		ret = choose_group(s, &ch);
		if (ret == 0)
			ret = choose_suite(s, &ch);
	}
	if (ret)
		return ret;
	s->version = KTLSO_TLS12_VERSION;
	ret = ktlso_tls12_transcript_start(s);
	if (ret == 0)
		ret = ktlso_tls12_msg_add(s, msg);
	if (ret)
		return ret;
	if (s->resumed) {
		ret = send_abbreviated_flight(s);
		s->state = KTLSO_TLS12_WAIT_CCS;
		return ret;
	}
	ret = send_flight(s);
	if (ret == 0)
		s->state = s->hs12->cert_requested ?
			   KTLSO_TLS12_WAIT_CLIENT_CERT : KTLSO_TLS12_WAIT_CKE;
	return ret;
}

/* --- the client's flight -------------------------------------------------- */

static int wait_client_cert(struct ktlso_session *s,
			    const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls12_expect(s, msg, KTLSO_HS_CERTIFICATE);

	if (ret == 0)
		ret = ktlso_tls12_check_certificate(s, msg);
	if (ret == 1) {
		/* RFC 5246 7.4.6: handshake_failure, at our discretion. */
		if (s->cfg->peer_auth == KTLSO_PEER_AUTH_REQUIRE)
			return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
					     "client sent no certificate");
		ret = 0;
	} else if (ret == 0) {
		s->hs12->peer_cert = true;
	}
	if (ret == 0)
		s->state = KTLSO_TLS12_WAIT_CKE;
	return ret;
}

static int wait_cke(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_client_key_exchange cke;
	uint8_t pms[KTLSO_KEX_MAX_SECRET];
	size_t len;
	int ret;

	ret = ktlso_tls12_expect(s, msg, KTLSO_HS_CLIENT_KEY_EXCHANGE);
	if (ret)
		return ret;
	ret = ktlso_tls12_client_key_exchange_parse(&cke, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed ClientKeyExchange");
	ret = ktlso_kex_derive(&hs->kex, cke.point.p, cke.point.len, pms,
			       sizeof(pms), &len);
	ktlso_kex_free(&hs->kex);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad key share from the client");
	ret = ktlso_tls12_msg_add(s, msg);
	if (ret == 0)
		ret = ktlso_tls12_derive_keys(s, pms, len);
	OPENSSL_cleanse(pms, sizeof(pms));
	if (ret == 0)
		s->state = hs->peer_cert ? KTLSO_TLS12_WAIT_CV :
					   KTLSO_TLS12_WAIT_CCS;
	return ret;
}

static int wait_cv(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls12_expect(s, msg, KTLSO_HS_CERTIFICATE_VERIFY);

	if (ret == 0)
		ret = ktlso_tls12_check_cert_verify(s, msg);
	if (ret == 0)
		s->state = KTLSO_TLS12_WAIT_CCS;
	return ret;
}

static int wait_finished(struct ktlso_session *s,
			 const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls12_expect(s, msg, KTLSO_HS_FINISHED);

	if (ret == 0)
		ret = ktlso_tls12_check_finished(s, msg);
	/* Nothing may follow: it could not be handed to the kernel. */
	if (ret == 0 && !ktlso_hs_reader_empty(&s->hr))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "handshake data after the client's Finished");
	/* Resuming, our Finished went first: the client's ends it. */
	if (ret == 0 && !s->hs12->abbreviated) {
		ret = ktlso_tls12_send_ticket(s);
		if (ret == 0)
			ret = ktlso_tls12_send_ccs(s);
		if (ret == 0)
			ret = ktlso_tls12_send_finished(s);
	}
	if (ret)
		return ret;
	s->state = KTLSO_TLS12_CONNECTED;
	s->connected = true;
	return 0;
}

/* --- dispatch ------------------------------------------------------------- */

/* The TLS 1.3 server's ClientHello does not get TLS 1.3. */
static int server_takeover(struct ktlso_session *s,
			   const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls12_hs_new(s);

	if (ret)
		return ret;
	ktlso_tls13_hs_free(s);
	return wait_ch(s, msg);
}

static const ktlso_hs_handler server_handlers[] = {
	[KTLSO_TLS12_WAIT_CLIENT_CERT] = wait_client_cert,
	[KTLSO_TLS12_WAIT_CKE] = wait_cke,
	[KTLSO_TLS12_WAIT_CV] = wait_cv,
	[KTLSO_TLS12_WAIT_CCS] = wait_finished,
	[KTLSO_TLS12_WAIT_FINISHED] = wait_finished,
};

const struct ktlso_proto ktlso_tls12_server = {
	.name = "TLS 1.2",
	.handlers = server_handlers,
	.n_handlers = ARRAY_SIZE(server_handlers),
	.takeover = server_takeover,
	.rx = ktlso_tls12_rx_handshake,
	.free = ktlso_tls12_hs_free,
};
