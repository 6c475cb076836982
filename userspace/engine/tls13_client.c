// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 client state machine (RFC 8446 2, A.1):
 *
 *	START -> WAIT_SH -(HRR: ClientHello2)-> WAIT_SH -> WAIT_EE
 *	      -> WAIT_CERT_CR -> [WAIT_CERT] -> WAIT_CV -> WAIT_FINISHED
 *	      -> CONNECTED, once our [Certificate [CertificateVerify]]
 *		 Finished is sent
 *
 * When the server resumes the session we offered (tls13_psk.c), WAIT_EE
 * goes straight to WAIT_FINISHED: no certificates.
 *
 * One handler per state; each returns 0 or the alert to send.
 *
 * Every client starts here: with TLS 1.2 in the configured range the
 * ClientHello carries what a TLS 1.2 server needs too (a plain TLS 1.2
 * ClientHello when TLS 1.3 is not in it), and a ServerHello that picks
 * TLS 1.2 goes to tls12_client.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls12.h"
#include "engine/tls13.h"

enum client_state {
	WAIT_SH,
	WAIT_EE,
	WAIT_CERT_CR,
	WAIT_CERT,
	WAIT_CV,
	WAIT_FINISHED,
	CONNECTED,
};

#define LEGACY_VERSION 0x0303

/* --- ClientHello ---------------------------------------------------------- */

static bool offers13(const struct ktlso_config *c)
{
	return c->max_version >= KTLSO_TLS13_VERSION;
}

static bool offers12(const struct ktlso_config *c)
{
	return c->min_version <= KTLSO_TLS12_VERSION;
}

/*
 * Our suites for the versions we offer, in preference order: the TLS 1.3
 * ones first, then TLS 1.2's.
 */
static size_t offered_suites(const struct ktlso_config *c, uint16_t *out)
{
	static const uint16_t versions[] = {
		KTLSO_TLS13_VERSION, KTLSO_TLS12_VERSION,
	};
	size_t i, v, n = 0;

	for (v = 0; v < 2; v++) {
		if (versions[v] < c->min_version ||
		    versions[v] > c->max_version)
			continue;
		for (i = 0; i < c->n_suites; i++) {
			const struct ktlso_suite *suite;

			suite = ktlso_suite_find(c->suites[i]);
			if (suite && suite->version == versions[v])
				out[n++] = suite->id;
		}
	}
	return n;
}

struct ch_buffers {
	uint16_t suites[KTLSO_CONFIG_MAX_LIST];
	uint16_t versions[2];
	uint8_t pub[KTLSO_CONFIG_MAX_LIST][KTLSO_KEX_MAX_SHARE];
	struct ktlso_key_share shares[KTLSO_CONFIG_MAX_LIST];
	struct ktlso_span alpn[KTLSO_CONFIG_MAX_ALPN];
	struct ktlso_psk_offer_buf psk;
};

static int ch_key_shares(struct ktlso_session *s, struct ktlso_client_hello *ch,
			 struct ch_buffers *b)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	size_t i, len;
	int ret;

	for (i = 0; i < hs->n_kex; i++) {
		ret = ktlso_kex_public(&hs->kex[i], b->pub[i],
				       sizeof(b->pub[i]), &len);
		if (ret)
			return ret;
		b->shares[i].group = hs->kex[i].group;
		b->shares[i].key_exchange.p = b->pub[i];
		b->shares[i].key_exchange.len = len;
	}
	ch->key_shares.v = b->shares;
	ch->key_shares.n = hs->n_kex;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_KEY_SHARE);
	return 0;
}

static void ch_extensions(struct ktlso_session *s,
			  struct ktlso_client_hello *ch, struct ch_buffers *b)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls13_hs *hs = s->hs13;
	size_t i, n = 0;

	if (ktlso_client_sni(c)) {
		ch->server_name.p = (const uint8_t *)c->server_name;
		ch->server_name.len = strlen(c->server_name);
		ktlso_ext_set_add(&ch->ext, KTLSO_EXT_SERVER_NAME);
	}
	ch->supported_groups.v = c->groups;
	ch->supported_groups.n = c->n_groups;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_SUPPORTED_GROUPS);
	ch->signature_algorithms.v = c->sigschemes;
	ch->signature_algorithms.n = c->n_sigschemes;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_SIGNATURE_ALGORITHMS);
	for (i = 0; i < c->n_alpn; i++) {
		b->alpn[i].p = (const uint8_t *)c->alpn[i];
		b->alpn[i].len = strlen(c->alpn[i]);
	}
	if (c->n_alpn) {
		ch->alpn.v = b->alpn;
		ch->alpn.n = c->n_alpn;
		ktlso_ext_set_add(&ch->ext, KTLSO_EXT_ALPN);
	}
	if (offers12(c)) {
		ktlso_tls12_client_hello_exts(ch);
		ktlso_tls12_client_ticket_ext(s, ch, hs->ticket12);
	}
	/* A TLS 1.2 ClientHello has no supported_versions (RFC 8446 4.2.1). */
	if (!offers13(c))
		return;
	b->versions[n++] = KTLSO_TLS13_VERSION;
	if (offers12(c))
		b->versions[n++] = KTLSO_TLS12_VERSION;
	ch->supported_versions.v = b->versions;
	ch->supported_versions.n = n;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	if (hs->cookie) {
		ch->cookie.p = hs->cookie;
		ch->cookie.len = hs->cookie_len;
		ktlso_ext_set_add(&ch->ext, KTLSO_EXT_COOKIE);
	}
}

/*
 * ClientHello1, or ClientHello2 after a HelloRetryRequest: the same
 * message, with the new key share and the cookie (RFC 8446 4.1.2).
 */
static int send_client_hello(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	static const uint8_t null_compression = 0;
	struct ktlso_client_hello ch;
	struct ch_buffers b;
	struct ktlso_writer w;
	size_t len;
	int ret;

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = LEGACY_VERSION;
	memcpy(ch.random, hs->random, KTLSO_RANDOM_LEN);
	ch.session_id.p = hs->session_id;
	ch.session_id.len = hs->session_id_len;
	ch.cipher_suites.v = b.suites;
	ch.cipher_suites.n = offered_suites(s->cfg, b.suites);
	ch.compression_methods.p = &null_compression;
	ch.compression_methods.len = 1;
	ch_extensions(s, &ch, &b);
	ret = offers13(s->cfg) ? ch_key_shares(s, &ch, &b) : 0;
	if (ret)
		return ret;
	if (offers13(s->cfg))
		ktlso_tls13_client_offer(s, &ch, &b.psk);
	if (s->cfg->test.client_hello)
		s->cfg->test.client_hello(s->cfg->test.arg, &ch);
	hs->offered = ch.ext.present;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_client_hello_write(&w, &ch);
	ret = ktlso_writer_finish(&w, &len);
	if (ret == 0)
		ret = ktlso_tls13_client_binder(s, s->scratch, len);
	if (ret)
		return ktlso_hs_fail(s, ret, "cannot build the ClientHello");
	return ktlso_tx_handshake(s, s->scratch, len, s->scratch_cap);
}

static int client_start(struct ktlso_session *s)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls13_hs *hs;
	size_t i, n;
	int ret;

	ret = ktlso_tls13_hs_new(s);
	if (ret)
		return ret;
	hs = s->hs13;
	ret = ktlso_random(s, hs->random, KTLSO_RANDOM_LEN);
	/* RFC 5077 3.4: a session id tells us the server resumed. */
	hs->ticket12 = offers12(c) && ktlso_tls12_client_can_resume(s);
	if (ret == 0 && ((c->middlebox_compat && offers13(c)) ||
			 hs->ticket12)) {
		hs->session_id_len = KTLSO_SESSION_ID_MAX;
		ret = ktlso_random(s, hs->session_id, hs->session_id_len);
	}
	n = c->n_key_shares ? c->n_key_shares : 1;
	if (n > c->n_groups)
		n = c->n_groups;
	if (!offers13(c))
		n = 0;
	for (i = 0; i < n && ret == 0; i++) {
		ret = ktlso_tls13_kex_generate(s, &hs->kex[i], c->groups[i]);
		hs->n_kex = i + 1;
	}
	if (ret == 0)
		ret = send_client_hello(s);
	if (ret)
		return ktlso_hs_fail(s, ret, "cannot build the ClientHello");
	/* RFC 8446 5: a compatibility CCS may come; TLS 1.2 has none here. */
	s->ccs_ok = offers13(c);
	s->state = WAIT_SH;
	return 0;
}

/* --- ServerHello and HelloRetryRequest ------------------------------------ */

/*
 * A ServerHello without supported_versions: TLS 1.2 or older. A TLS 1.3
 * client must refuse the downgrade sentinel (RFC 8446 4.1.3); a client
 * that offered TLS 1.2 only must not.
 */
static int legacy_server_hello(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg)
{
	uint8_t random[KTLSO_RANDOM_LEN];
	const struct ktlso_proto *tls12;
	struct ktlso_reader r;
	uint16_t version;

	ktlso_reader_init(&r, msg->body.p, msg->body.len);
	ktlso_get_u16(&r, &version);
	if (ktlso_get_bytes(&r, random, sizeof(random)))
		return ktlso_hs_fail(s, r.err, "malformed ServerHello");
	if (offers13(s->cfg) && ktlso_random_downgrade(random))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "downgrade sentinel in a TLS 0x%04x ServerHello",
				     version);
	if (version == KTLSO_TLS12_VERSION && !s->hs13->hrr &&
	    offers12(s->cfg)) {
		tls12 = ktlso_proto_find(KTLSO_TLS12_VERSION, false);
		if (tls12)
			return ktlso_proto_takeover(s, tls12, msg);
	}
	return ktlso_hs_fail(s, -KTLSO_ALERT_PROTOCOL_VERSION,
			     "server chose version 0x%04x", version);
}

/* What ServerHello and HelloRetryRequest must both get right. */
static int check_hello_common(struct ktlso_session *s,
			      const struct ktlso_server_hello *sh)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	const struct ktlso_suite *suite = ktlso_suite_find(sh->cipher_suite);
	uint16_t ours[KTLSO_CONFIG_MAX_LIST];
	size_t n = offered_suites(s->cfg, ours);

	/* RFC 8446 D.5: SSL 3.0 is protocol_version; the rest 4.1.3's. */
	if (sh->legacy_version <= KTLSO_SSL3_VERSION)
		return ktlso_hs_fail(s, -KTLSO_ALERT_PROTOCOL_VERSION,
				     "ServerHello legacy_version 0x%04x",
				     sh->legacy_version);
	if (sh->legacy_version != LEGACY_VERSION)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerHello legacy_version 0x%04x",
				     sh->legacy_version);
	if (sh->session_id.len != hs->session_id_len ||
	    CRYPTO_memcmp(sh->session_id.p, hs->session_id,
			  hs->session_id_len) != 0)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerHello does not echo our session id");
	if (!suite || suite->version != KTLSO_TLS13_VERSION ||
	    !ktlso_u16_in(ours, n, suite->id))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server chose suite 0x%04x, not offered",
				     sh->cipher_suite);
	if (hs->hrr && suite->id != hs->hrr_suite)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerHello suite differs from the HelloRetryRequest's");
	s->suite = suite;
	s->version = KTLSO_TLS13_VERSION;
	return 0;
}

static struct ktlso_kex *find_kex(struct ktlso_tls13_hs *hs, uint16_t group)
{
	size_t i;

	for (i = 0; i < hs->n_kex; i++)
		if (hs->kex[i].group == group)
			return &hs->kex[i];
	return NULL;
}

static void free_kex(struct ktlso_tls13_hs *hs)
{
	size_t i;

	for (i = 0; i < hs->n_kex; i++)
		ktlso_kex_free(&hs->kex[i]);
	hs->n_kex = 0;
}

/* RFC 8446 4.1.4: a HelloRetryRequest must change something. */
static int check_hrr(struct ktlso_session *s,
		     const struct ktlso_server_hello *hrr)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls13_hs *hs = s->hs13;
	uint16_t g = hrr->key_share.group;

	if (hs->hrr)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "second HelloRetryRequest");
	if (!ktlso_ext_has(&hrr->ext, KTLSO_EXT_KEY_SHARE))
		return 0;
	if (!ktlso_u16_in(c->groups, c->n_groups, g))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "HelloRetryRequest for group 0x%04x, not offered",
				     g);
	if (find_kex(hs, g))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "HelloRetryRequest for group %s, already shared",
				     ktlso_group_name(g));
	return 0;
}

static int handle_hrr(struct ktlso_session *s,
		      const struct ktlso_server_hello *hrr,
		      const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	int ret;

	ret = check_hrr(s, hrr);
	if (ret == 0)
		ret = check_hello_common(s, hrr);
	if (ret)
		return ret;
	ret = ktlso_transcript_start(&s->ts, s->suite->hash);
	if (ret == 0)
		ret = ktlso_transcript_hrr(&s->ts);
	if (ret == 0)
		ret = ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
	if (ret)
		return ret;
	if (!ktlso_hs_reader_empty(&s->hr))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "data after the HelloRetryRequest");
	hs->hrr = true;
	hs->hrr_suite = s->suite->id;
	if (hrr->cookie.len) {
		hs->cookie = OPENSSL_memdup(hrr->cookie.p, hrr->cookie.len);
		if (!hs->cookie)
			return -KTLSO_ERROR_NO_MEMORY;
		hs->cookie_len = hrr->cookie.len;
	}
	if (ktlso_ext_has(&hrr->ext, KTLSO_EXT_KEY_SHARE)) {
		hs->hrr_group = hrr->key_share.group;
		free_kex(hs);
		ret = ktlso_tls13_kex_generate(s, &hs->kex[0], hs->hrr_group);
		if (ret)
			return ret;
		hs->n_kex = 1;
	}
	ktlso_log(s, KTLSO_LOG_INFO, "HelloRetryRequest%s%s",
		  hs->hrr_group ? " for " : "",
		  hs->hrr_group ? ktlso_group_name(hs->hrr_group) : "");
	/* RFC 8446 D.4: the CCS goes before the second flight. */
	if (s->cfg->middlebox_compat && !s->ccs_sent) {
		ret = ktlso_tx_ccs(s);
		if (ret)
			return ret;
	}
	return send_client_hello(s);
}

static int handle_server_hello(struct ktlso_session *s,
			       const struct ktlso_server_hello *sh,
			       const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	uint8_t shared[KTLSO_KEX_MAX_SECRET];
	struct ktlso_kex *kx;
	size_t len;
	int ret;

	ret = check_hello_common(s, sh);
	if (ret == 0 && ktlso_ext_has(&sh->ext, KTLSO_EXT_PRE_SHARED_KEY))
		ret = ktlso_tls13_client_psk_taken(s, sh);
	if (ret)
		return ret;
	kx = find_kex(hs, sh->key_share.group);
	if (!kx)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerHello key share for group 0x%04x, not sent",
				     sh->key_share.group);
	if (!ktlso_transcript_started(&s->ts))
		ret = ktlso_transcript_start(&s->ts, s->suite->hash);
	if (ret == 0)
		ret = ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
	if (ret)
		return ret;
	ret = ktlso_kex_derive(kx, sh->key_share.key_exchange.p,
			       sh->key_share.key_exchange.len, shared,
			       sizeof(shared), &len);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad key share from the server");
	s->group = kx->group;
	free_kex(hs);
	ret = ktlso_tls13_handshake_secrets(s, shared, len);
	if (ret == 0)
		ret = ktlso_dir_set13(s, false, hs->s_hs);
	if (ret == 0)
		ret = ktlso_dir_set13(s, true, hs->c_hs);
	if (ret == 0)
		s->state = WAIT_EE;
	return ret;
}

static int wait_sh(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	struct ktlso_server_hello sh;
	int ret;

	/* RFC 5246 7.4.1.1: ignored while we negotiate (TLS 1.2 offered). */
	if (msg->type == KTLSO_HS_HELLO_REQUEST && offers12(s->cfg)) {
		ret = ktlso_tls12_hello_request_parse(msg);
		if (ret)
			return ktlso_hs_fail(s, ret, "malformed HelloRequest");
		ktlso_log(s, KTLSO_LOG_DEBUG, "HelloRequest ignored");
		return 0;
	}
	ret = ktlso_tls13_expect(s, msg, KTLSO_HS_SERVER_HELLO);
	if (ret)
		return ret;
	ret = ktlso_server_hello_parse(&sh, msg, s->hs13->offered);
	if (ret == -KTLSO_ALERT_PROTOCOL_VERSION)
		return legacy_server_hello(s, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed ServerHello");
	if (sh.hrr)
		return handle_hrr(s, &sh, msg);
	return handle_server_hello(s, &sh, msg);
}

/* --- the server's encrypted flight ---------------------------------------- */

static int wait_ee(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_encrypted_extensions ee;
	size_t i;
	int ret;

	ret = ktlso_tls13_expect(s, msg, KTLSO_HS_ENCRYPTED_EXTENSIONS);
	if (ret)
		return ret;
	ret = ktlso_encrypted_extensions_parse(&ee, msg, s->hs13->offered);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed EncryptedExtensions");
	if (ee.alpn.len) {
		for (i = 0; i < c->n_alpn; i++)
			if (strlen(c->alpn[i]) == ee.alpn.len &&
			    memcmp(c->alpn[i], ee.alpn.p, ee.alpn.len) == 0)
				break;
		if (i == c->n_alpn)
			return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
					     "server chose an ALPN protocol not offered");
		memcpy(s->alpn, c->alpn[i], ee.alpn.len + 1);
	}
	if (ktlso_client_sni(s->cfg))
		snprintf(s->sni, sizeof(s->sni), "%s", s->cfg->server_name);
	s->state = s->resumed ? WAIT_FINISHED : WAIT_CERT_CR;
	return ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
}

static int handle_cert_request(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls13_hs *hs = s->hs13;
	struct ktlso_certificate_request cr;
	int ret;

	ret = ktlso_certificate_request_parse(&cr, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed CertificateRequest");
	if (cr.context.len)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "CertificateRequest with a context");
	hs->cert_requested = true;
	if (c->n_creds)
		hs->cred = ktlso_cred_select(c->creds, c->n_creds, NULL,
					     KTLSO_TLS13_VERSION, c->sigschemes,
					     c->n_sigschemes,
					     &cr.signature_algorithms);
	if (hs->cred)
		ret = ktlso_sigscheme_select(hs->cred->key, KTLSO_TLS13_VERSION,
					     c->sigschemes, c->n_sigschemes,
					     &cr.signature_algorithms,
					     &hs->scheme);
	if (ret)
		return ktlso_hs_fail(s, ret, "no scheme for our certificate");
	if (!hs->cred)
		ktlso_log(s, KTLSO_LOG_WARNING,
			  "server asks for a certificate; sending none");
	s->state = WAIT_CERT;
	return ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
}

static int wait_cert(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls13_expect(s, msg, KTLSO_HS_CERTIFICATE);

	if (ret == 0)
		ret = ktlso_tls13_check_certificate(s, msg);
	if (ret == 1)
		return ktlso_hs_fail(s, -KTLSO_ALERT_DECODE_ERROR,
				     "server sent an empty Certificate");
	if (ret == 0)
		s->state = WAIT_CV;
	return ret;
}

static int wait_cert_cr(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	if (msg->type == KTLSO_HS_CERTIFICATE_REQUEST)
		return handle_cert_request(s, msg);
	return wait_cert(s, msg);
}

static int wait_cv(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls13_expect(s, msg, KTLSO_HS_CERTIFICATE_VERIFY);

	if (ret == 0)
		ret = ktlso_tls13_check_cert_verify(s, msg);
	if (ret == 0)
		s->state = WAIT_FINISHED;
	return ret;
}

/* Our second flight: [CCS] [Certificate [CertificateVerify]] Finished. */
static int send_second_flight(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	int ret = 0;

	if (s->cfg->middlebox_compat && !s->ccs_sent)
		ret = ktlso_tx_ccs(s);
	if (ret == 0 && hs->cert_requested)
		ret = ktlso_tls13_send_certificate(s);
	if (ret == 0 && hs->cert_requested && hs->cred)
		ret = ktlso_tls13_send_cert_verify(s);
	if (ret == 0)
		ret = ktlso_tls13_send_finished(s);
	if (ret == 0)
		ret = ktlso_dir_set13(s, true, hs->c_ap);
	return ret;
}

static int wait_finished(struct ktlso_session *s,
			 const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	int ret = ktlso_tls13_expect(s, msg, KTLSO_HS_FINISHED);

	if (ret == 0)
		ret = ktlso_tls13_check_finished(s, msg);
	if (ret == 0)
		ret = ktlso_tls13_app_secrets(s);
	if (ret == 0)
		ret = ktlso_dir_set13(s, false, hs->s_ap);
	if (ret)
		return ret;
	s->ccs_ok = false;
	/* The server showed its certificate now; resuming, its ticket did. */
	if (!s->resumed)
		s->auth_ms = ktlso_now_ms(s);
	ret = send_second_flight(s);
	/* For the tickets that may come (ktlso_tls13_take_ticket()). */
	if (ret == 0 && s->cfg->ticket)
		ret = ktlso_tls13_res_master(s);
	if (ret)
		return ret;
	s->state = CONNECTED;
	s->connected = true;
	return 0;
}

/* --- dispatch ------------------------------------------------------------- */

static const ktlso_hs_handler client_handlers[] = {
	[WAIT_SH] = wait_sh,
	[WAIT_EE] = wait_ee,
	[WAIT_CERT_CR] = wait_cert_cr,
	[WAIT_CERT] = wait_cert,
	[WAIT_CV] = wait_cv,
	[WAIT_FINISHED] = wait_finished,
};

const struct ktlso_proto ktlso_tls13_client = {
	.name = "TLS 1.3",
	.start = client_start,
	.handlers = client_handlers,
	.n_handlers = ARRAY_SIZE(client_handlers),
	.free = ktlso_tls13_hs_free,
};
