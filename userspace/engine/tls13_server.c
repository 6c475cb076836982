// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 server state machine (RFC 8446 2, A.2):
 *
 *	WAIT_CH -(HRR)-> WAIT_CH2 -> (ServerHello [CCS] EncryptedExtensions
 *	[CertificateRequest] Certificate CertificateVerify Finished)
 *	-> [WAIT_CERT -> [WAIT_CV]] -> WAIT_FINISHED -> CONNECTED
 *	(then [NewSessionTicket...])
 *
 * A resumed handshake (tls13_psk.c) sends neither CertificateRequest nor
 * Certificate nor CertificateVerify and goes to WAIT_FINISHED.
 *
 * One handler per state; each returns 0 or the alert to send.
 *
 * Every server starts here; a ClientHello that does not get TLS 1.3 goes
 * to tls12_server.c when the configuration allows TLS 1.2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls13.h"

enum server_state {
	WAIT_CH,
	WAIT_CH2,
	WAIT_CERT,
	WAIT_CV,
	WAIT_FINISHED,
	CONNECTED,
};

#define LEGACY_VERSION 0x0303

/* --- negotiation ---------------------------------------------------------- */

/*
 * RFC 8446 4.2.1: TLS 1.3 when both offer it, else TLS 1.2 when we allow
 * it (the TLS 1.2 server judges the ClientHello); never SSL 3.0 (D.5). Return 0 to go on in TLS
 * 1.3, 1 when the TLS 1.2 state machine took over, or an error.
 */
static int choose_version(struct ktlso_session *s,
			  const struct ktlso_client_hello *ch,
			  const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	const struct ktlso_proto *tls12;
	int ret;

	/*
	 * RFC 8446 D.5: a ClientHello.legacy_version of 0x0300 (SSL 3.0)
	 * aborts with protocol_version, whatever supported_versions says;
	 * older values are no TLS ClientHello at all. Above it, the field
	 * is ignored when supported_versions is there (4.2.1).
	 */
	if (ch->legacy_version <= KTLSO_SSL3_VERSION)
		return ktlso_hs_fail(s, -KTLSO_ALERT_PROTOCOL_VERSION,
				     "ClientHello legacy_version 0x%04x",
				     ch->legacy_version);
	if (c->max_version >= KTLSO_TLS13_VERSION &&
	    ktlso_u16_list_has(&ch->supported_versions, KTLSO_TLS13_VERSION)) {
		s->version = KTLSO_TLS13_VERSION;
		return 0;
	}
	tls12 = ktlso_proto_find(KTLSO_TLS12_VERSION, true);
	if (c->min_version > KTLSO_TLS12_VERSION || s->hs13->hrr || !tls12)
		return ktlso_hs_fail(s, -KTLSO_ALERT_PROTOCOL_VERSION,
				     "client does not offer TLS 1.3");
	ret = ktlso_proto_takeover(s, tls12, msg);
	return ret ? ret : 1;
}

/* Our first preference the client offers. */
static int choose_suite(struct ktlso_session *s,
			const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	size_t i;

	for (i = 0; i < c->n_suites; i++) {
		const struct ktlso_suite *suite;

		suite = ktlso_suite_find(c->suites[i]);
		if (suite && suite->version == KTLSO_TLS13_VERSION &&
		    ktlso_u16_list_has(&ch->cipher_suites, suite->id)) {
			s->suite = suite;
			return 0;
		}
	}
	return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
			     "no cipher suite in common");
}

/*
 * The group: our first preference the client sent a share for; else our
 * first preference it supports, through a HelloRetryRequest (*@hrr). The
 * test hook force_hrr skips the shares.
 */
static int choose_group(struct ktlso_session *s,
			const struct ktlso_client_hello *ch, uint16_t *group,
			bool *hrr)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_key_share ks;
	size_t i;

	*hrr = false;
	for (i = 0; i < c->n_groups && !c->test.force_hrr; i++) {
		if (ktlso_key_share_list_find(&ch->key_shares, c->groups[i],
					      &ks)) {
			*group = c->groups[i];
			return 0;
		}
	}
	for (i = 0; i < c->n_groups; i++) {
		if (ktlso_u16_list_has(&ch->supported_groups, c->groups[i]) &&
		    !ktlso_key_share_list_find(&ch->key_shares, c->groups[i],
					       &ks)) {
			*group = c->groups[i];
			*hrr = true;
			return 0;
		}
	}
	for (i = 0; i < c->n_groups; i++) {
		if (ktlso_key_share_list_find(&ch->key_shares, c->groups[i],
					      &ks)) {
			*group = c->groups[i];
			return 0;
		}
	}
	return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
			     "no group in common");
}

static int choose_cred(struct ktlso_session *s,
		       const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls13_hs *hs = s->hs13;

	hs->cred = ktlso_cred_select(c->creds, c->n_creds,
				     s->sni[0] ? s->sni : NULL,
				     KTLSO_TLS13_VERSION, c->sigschemes,
				     c->n_sigschemes,
				     &ch->signature_algorithms);
	if (!hs->cred)
		return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
				     "no certificate fits the client's signature_algorithms");
	return ktlso_sigscheme_select(hs->cred->key, KTLSO_TLS13_VERSION,
				      c->sigschemes, c->n_sigschemes,
				      &ch->signature_algorithms, &hs->scheme);
}

/* --- ClientHello2 checks (RFC 8446 4.1.2) --------------------------------- */

static bool span_eq(const struct ktlso_span *a, const struct ktlso_span *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

static bool u16_list_eq(const struct ktlso_u16_list *a,
			const struct ktlso_u16_list *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->wire, b->wire, 2 * a->n));
}

static bool alpn_eq(const struct ktlso_alpn_list *a,
		    const struct ktlso_alpn_list *b)
{
	return a->wire_len == b->wire_len &&
	       (!a->wire_len || !memcmp(a->wire, b->wire, a->wire_len));
}

/* The extensions ClientHello2 may change, or must drop (early_data). */
#define CH2_MAY_CHANGE (KTLSO_EXT_BIT(KTLSO_EXT_KEY_SHARE) |	\
			KTLSO_EXT_BIT(KTLSO_EXT_COOKIE) |	\
			KTLSO_EXT_BIT(KTLSO_EXT_EARLY_DATA) |	\
			KTLSO_EXT_BIT(KTLSO_EXT_PRE_SHARED_KEY))

static bool ch2_same(const struct ktlso_client_hello *a,
		     const struct ktlso_client_hello *b)
{
	return a->legacy_version == b->legacy_version &&
	       !memcmp(a->random, b->random, KTLSO_RANDOM_LEN) &&
	       span_eq(&a->session_id, &b->session_id) &&
	       u16_list_eq(&a->cipher_suites, &b->cipher_suites) &&
	       span_eq(&a->compression_methods, &b->compression_methods) &&
	       (a->ext.present & ~CH2_MAY_CHANGE) ==
	       (b->ext.present & ~CH2_MAY_CHANGE) &&
	       span_eq(&a->server_name, &b->server_name) &&
	       span_eq(&a->status_request, &b->status_request) &&
	       u16_list_eq(&a->supported_groups, &b->supported_groups) &&
	       u16_list_eq(&a->signature_algorithms,
			   &b->signature_algorithms) &&
	       alpn_eq(&a->alpn, &b->alpn) &&
	       a->record_size_limit == b->record_size_limit &&
	       u16_list_eq(&a->supported_versions, &b->supported_versions) &&
	       a->psk_modes == b->psk_modes &&
	       span_eq(&a->certificate_authorities,
		       &b->certificate_authorities) &&
	       u16_list_eq(&a->signature_algorithms_cert,
			   &b->signature_algorithms_cert);
}

static int check_ch2(struct ktlso_session *s,
		     const struct ktlso_client_hello *ch2)
{
	const struct ktlso_test_hooks *t = &s->cfg->test;
	struct ktlso_tls13_hs *hs = s->hs13;
	struct ktlso_client_hello ch1;
	struct ktlso_key_share ks;
	struct ktlso_hs_msg m1;
	struct ktlso_span cookie = { t->hrr_cookie, t->hrr_cookie_len };

	if (ktlso_hs_msg_split(&m1, hs->ch1, hs->ch1_len) ||
	    ktlso_client_hello_parse(&ch1, &m1))
		return -KTLSO_ERROR_INVALID_ARGUMENT;	/* parsed once */
	if (!ch2_same(&ch1, ch2))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ClientHello2 changes more than RFC 8446 allows");
	if (ktlso_ext_has(&ch2->ext, KTLSO_EXT_EARLY_DATA))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ClientHello2 offers early data");
	/* RFC 8446 4.1.2: a PSK may be updated or removed, not added. */
	if (ktlso_ext_has(&ch2->ext, KTLSO_EXT_PRE_SHARED_KEY) &&
	    !ktlso_ext_has(&ch1.ext, KTLSO_EXT_PRE_SHARED_KEY))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ClientHello2 adds a pre_shared_key");
	if (!span_eq(&ch2->cookie, &cookie))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ClientHello2 does not echo the cookie");
	if (ch2->key_shares.n != 1 ||
	    !ktlso_key_share_list_find(&ch2->key_shares, hs->hrr_group, &ks))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ClientHello2 lacks the one share for %s",
				     ktlso_group_name(hs->hrr_group));
	return 0;
}

/* --- HelloRetryRequest ---------------------------------------------------- */

static int send_hrr(struct ktlso_session *s,
		    const struct ktlso_client_hello *ch,
		    const struct ktlso_hs_msg *msg, uint16_t group)
{
	const struct ktlso_test_hooks *t = &s->cfg->test;
	struct ktlso_tls13_hs *hs = s->hs13;
	struct ktlso_server_hello hrr;
	struct ktlso_writer w;
	int ret;

	if (!ktlso_hs_reader_empty(&s->hr))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "data after ClientHello1");
	hs->ch1 = OPENSSL_memdup(msg->raw.p, msg->raw.len);
	if (!hs->ch1)
		return -KTLSO_ERROR_NO_MEMORY;
	hs->ch1_len = msg->raw.len;
	hs->hrr = true;
	hs->hrr_group = group;
	hs->hrr_suite = s->suite->id;

	memset(&hrr, 0, sizeof(hrr));
	hrr.legacy_version = LEGACY_VERSION;
	hrr.hrr = true;
	hrr.session_id = ch->session_id;
	hrr.cipher_suite = s->suite->id;
	hrr.selected_version = KTLSO_TLS13_VERSION;
	ktlso_ext_set_add(&hrr.ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	hrr.key_share.group = group;
	ktlso_ext_set_add(&hrr.ext, KTLSO_EXT_KEY_SHARE);
	if (t->hrr_cookie_len) {
		hrr.cookie.p = t->hrr_cookie;
		hrr.cookie.len = t->hrr_cookie_len;
		ktlso_ext_set_add(&hrr.ext, KTLSO_EXT_COOKIE);
	}
	ret = ktlso_transcript_hrr(&s->ts);
	if (ret)
		return ret;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_server_hello_write(&w, &hrr);
	ret = ktlso_tls13_msg_send(s, &w);
	/* RFC 8446 D.4: a CCS right after our first message. */
	if (ret == 0 && ch->session_id.len)
		ret = ktlso_tx_ccs(s);
	ktlso_log(s, KTLSO_LOG_INFO, "HelloRetryRequest for %s",
		  ktlso_group_name(group));
	s->state = WAIT_CH2;
	return ret;
}

/* --- ServerHello and the rest of the first flight ------------------------- */

static int send_server_hello(struct ktlso_session *s,
			     const struct ktlso_client_hello *ch,
			     const struct ktlso_kex *kx)
{
	struct ktlso_server_hello sh;
	uint8_t pub[KTLSO_KEX_MAX_SHARE];
	struct ktlso_writer w;
	size_t len;
	int ret;

	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = LEGACY_VERSION;
	ret = ktlso_random(s, sh.random, KTLSO_RANDOM_LEN);
	if (ret == 0)
		ret = ktlso_kex_public(kx, pub, sizeof(pub), &len);
	if (ret)
		return ret;
	sh.session_id = ch->session_id;
	sh.cipher_suite = s->suite->id;
	sh.selected_version = KTLSO_TLS13_VERSION;
	ktlso_ext_set_add(&sh.ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	sh.key_share.group = kx->group;
	sh.key_share.key_exchange.p = pub;
	sh.key_share.key_exchange.len = len;
	ktlso_ext_set_add(&sh.ext, KTLSO_EXT_KEY_SHARE);
	if (s->resumed) {
		sh.selected_identity = s->hs13->psk_index;
		ktlso_ext_set_add(&sh.ext, KTLSO_EXT_PRE_SHARED_KEY);
	}
	ktlso_tls13_msg_begin(s, &w);
	ktlso_server_hello_write(&w, &sh);
	return ktlso_tls13_msg_send(s, &w);
}

static int send_encrypted_extensions(struct ktlso_session *s)
{
	struct ktlso_encrypted_extensions ee;
	struct ktlso_writer w;

	memset(&ee, 0, sizeof(ee));
	if (s->sni[0])		/* RFC 6066 3: acknowledged, empty */
		ktlso_ext_set_add(&ee.ext, KTLSO_EXT_SERVER_NAME);
	if (s->alpn[0]) {
		ee.alpn.p = (const uint8_t *)s->alpn;
		ee.alpn.len = strlen(s->alpn);
		ktlso_ext_set_add(&ee.ext, KTLSO_EXT_ALPN);
	}
	ktlso_tls13_msg_begin(s, &w);
	ktlso_encrypted_extensions_write(&w, &ee);
	return ktlso_tls13_msg_send(s, &w);
}

static int send_cert_request(struct ktlso_session *s)
{
	struct ktlso_certificate_request cr;
	struct ktlso_writer w;

	memset(&cr, 0, sizeof(cr));
	cr.signature_algorithms.v = s->cfg->sigschemes;
	cr.signature_algorithms.n = s->cfg->n_sigschemes;
	ktlso_ext_set_add(&cr.ext, KTLSO_EXT_SIGNATURE_ALGORITHMS);
	s->hs13->offered = cr.ext.present;
	s->hs13->cert_requested = true;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_certificate_request_write(&w, &cr);
	return ktlso_tls13_msg_send(s, &w);
}

/* ServerHello [CCS] then, under the handshake keys, the rest. */
static int send_first_flight(struct ktlso_session *s,
			     const struct ktlso_client_hello *ch,
			     uint8_t *shared, size_t shared_len,
			     const struct ktlso_kex *kx)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	int ret;

	ret = send_server_hello(s, ch, kx);
	if (ret == 0)
		ret = ktlso_tls13_handshake_secrets(s, shared, shared_len);
	if (ret == 0 && ch->session_id.len && !s->ccs_sent)
		ret = ktlso_tx_ccs(s);
	if (ret == 0)
		ret = ktlso_dir_set13(s, true, hs->s_hs);
	if (ret == 0)
		ret = ktlso_dir_set13(s, false, hs->c_hs);
	if (ret == 0)
		ret = send_encrypted_extensions(s);
	/* RFC 8446 4.3.2, 4.4.2: a resumed session shows no certificates. */
	if (ret == 0 && ktlso_peer_auth_on(s) && !s->resumed)
		ret = send_cert_request(s);
	if (ret == 0 && !s->resumed)
		ret = ktlso_tls13_send_certificate(s);
	if (ret == 0 && !s->resumed)
		ret = ktlso_tls13_send_cert_verify(s);
	if (ret == 0)
		ret = ktlso_tls13_send_finished(s);
	if (ret == 0)
		ret = ktlso_tls13_app_secrets(s);
	if (ret == 0)
		ret = ktlso_dir_set13(s, true, hs->s_ap);
	return ret;
}

/* A share for @group: ours, and the secret with the client's. */
static int key_exchange(struct ktlso_session *s,
			const struct ktlso_client_hello *ch, uint16_t group,
			struct ktlso_kex *kx, uint8_t *shared, size_t *len)
{
	struct ktlso_key_share ks;
	int ret;

	/* The group was chosen for the share the client sent. */
	if (!ktlso_key_share_list_find(&ch->key_shares, group, &ks))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = ktlso_tls13_kex_generate(s, kx, group);
	if (ret == 0)
		ret = ktlso_kex_derive(kx, ks.key_exchange.p,
				       ks.key_exchange.len, shared,
				       KTLSO_KEX_MAX_SECRET, len);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad key share from the client");
	s->group = group;
	return 0;
}

static int negotiate(struct ktlso_session *s,
		     const struct ktlso_client_hello *ch,
		     const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	uint8_t shared[KTLSO_KEX_MAX_SECRET];
	struct ktlso_kex kx = { 0 };
	uint16_t group = hs->hrr_group;
	size_t len = 0;
	bool hrr = false;
	int ret;

	if (!hs->hrr) {
		ret = choose_group(s, ch, &group, &hrr);
		if (ret)
			return ret;
		if (hrr)
			return send_hrr(s, ch, msg, group);
	}
	/*
	 * A resumed session needs no certificate (its ClientHello may even
	 * lack signature_algorithms, RFC 8446 9.2): the SNI and ALPN the
	 * ticket is checked against first, then a certificate if not.
	 */
	ret = ktlso_server_take_sni(s, ch);
	if (ret == 0)
		ret = ktlso_server_choose_alpn(s, ch);
	if (ret == 0)
		ret = ktlso_tls13_server_psk(s, ch);
	if (ret == 0 && !s->resumed)
		ret = choose_cred(s, ch);
	if (ret == 0 && !s->resumed)
		s->auth_ms = ktlso_now_ms(s);
	if (ret == 0)
		ret = key_exchange(s, ch, group, &kx, shared, &len);
	if (ret == 0)
		ret = send_first_flight(s, ch, shared, len, &kx);
	OPENSSL_cleanse(shared, sizeof(shared));
	ktlso_kex_free(&kx);
	if (ret)
		return ret;
	if (hs->ch1) {
		OPENSSL_clear_free(hs->ch1, hs->ch1_len);
		hs->ch1 = NULL;
	}
	s->state = hs->cert_requested ? WAIT_CERT : WAIT_FINISHED;
	return 0;
}

static int wait_ch(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	struct ktlso_client_hello ch;
	int ret;

	ret = ktlso_tls13_expect(s, msg, KTLSO_HS_CLIENT_HELLO);
	if (ret)
		return ret;
	ret = ktlso_client_hello_parse(&ch, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed ClientHello");
	ret = choose_version(s, &ch, msg);
	if (ret)
		return ret > 0 ? 0 : ret;
	s->ccs_ok = true;
	if (hs->hrr) {
		ret = check_ch2(s, &ch);
		if (ret)
			return ret;
		/* RFC 8446 4.2.10: early data ends with ClientHello2. */
		s->early_data = false;
	}
	if (!ktlso_ext_has(&ch.ext, KTLSO_EXT_KEY_SHARE))
		return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
				     "ClientHello without key shares (PSK only)");
	/*
	 * RFC 8446 4.2.10: early data is never accepted; the client's early
	 * records (which no key of ours opens) are skipped, up to a bound.
	 */
	if (!hs->hrr && ktlso_ext_has(&ch.ext, KTLSO_EXT_EARLY_DATA)) {
		s->early_data = true;
		s->early_skip = KTLSO_EARLY_DATA_SKIP_MAX;
		ktlso_log(s, KTLSO_LOG_INFO,
			  "client offers early data: refused, skipped");
	}
	if (!hs->hrr) {
		ret = choose_suite(s, &ch);
		if (ret == 0)
			ret = ktlso_transcript_start(&s->ts, s->suite->hash);
		if (ret)
			return ret;
	}
	ret = ktlso_tls13_server_binder_hash(s, &ch, msg);
	if (ret == 0)
		ret = ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
	if (ret)
		return ret;
	return negotiate(s, &ch, msg);
}

/* --- the client's second flight ------------------------------------------- */

static int wait_cert(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls13_expect(s, msg, KTLSO_HS_CERTIFICATE);

	if (ret == 0)
		ret = ktlso_tls13_check_certificate(s, msg);
	if (ret == 1) {
		if (s->cfg->peer_auth == KTLSO_PEER_AUTH_REQUIRE)
			return ktlso_hs_fail(s,
					     -KTLSO_ALERT_CERTIFICATE_REQUIRED,
					     "client sent no certificate");
		s->state = WAIT_FINISHED;
		return 0;
	}
	if (ret == 0)
		s->state = WAIT_CV;
	return ret;
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

static int wait_finished(struct ktlso_session *s,
			 const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls13_expect(s, msg, KTLSO_HS_FINISHED);

	if (ret == 0)
		ret = ktlso_tls13_check_finished(s, msg);
	if (ret == 0)
		ret = ktlso_dir_set13(s, false, s->hs13->c_ap);
	if (ret == 0 && s->hs13->tickets_wanted)
		ret = ktlso_tls13_res_master(s);
	if (ret)
		return ret;
	ktlso_tls13_send_tickets(s);
	s->ccs_ok = false;
	s->state = CONNECTED;
	s->connected = true;
	return 0;
}

static int server_start(struct ktlso_session *s)
{
	s->state = WAIT_CH;
	return ktlso_tls13_hs_new(s);
}

static const ktlso_hs_handler server_handlers[] = {
	[WAIT_CH] = wait_ch,
	[WAIT_CH2] = wait_ch,
	[WAIT_CERT] = wait_cert,
	[WAIT_CV] = wait_cv,
	[WAIT_FINISHED] = wait_finished,
};

const struct ktlso_proto ktlso_tls13_server = {
	.name = "TLS 1.3",
	.start = server_start,
	.handlers = server_handlers,
	.n_handlers = ARRAY_SIZE(server_handlers),
	.free = ktlso_tls13_hs_free,
};
