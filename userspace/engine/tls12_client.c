// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.2 client state machine (RFC 5246 7.3):
 *
 *	(TLS 1.3 client: ClientHello) -> WAIT_SH -> WAIT_CERT -> WAIT_SKE
 *	-> WAIT_CR_SHD -> [WAIT_SHD] -> (our [Certificate] ClientKeyExchange
 *	[CertificateVerify] ChangeCipherSpec Finished) -> WAIT_CCS
 *	-> WAIT_FINISHED -> CONNECTED
 *
 * or, when the server resumes the session of our ticket (tls12_ticket.c):
 *
 *	WAIT_SH -> WAIT_CCS -> WAIT_FINISHED -> (our ChangeCipherSpec
 *	Finished) -> CONNECTED
 *
 * In WAIT_CCS a NewSessionTicket may come first, when the ServerHello
 * announced one.
 *
 * The TLS 1.3 client sends the ClientHello (with this version's
 * extensions when the configuration allows TLS 1.2) and hands over the
 * ServerHello that picks TLS 1.2 (->takeover). One handler per state;
 * each returns 0 or the alert to send.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls12.h"
#include "engine/tls13.h"

/* --- ServerHello ---------------------------------------------------------- */

static int check_suite(struct ktlso_session *s,
		       const struct ktlso_tls12_server_hello *sh)
{
	const struct ktlso_config *c = s->cfg;
	const struct ktlso_suite *suite = ktlso_suite_find(sh->cipher_suite);

	if (!suite || suite->version != KTLSO_TLS12_VERSION ||
	    ktlso_tls12_suite_auth(suite->id) == KTLSO_TLS12_AUTH_NONE ||
	    !ktlso_u16_in(c->suites, c->n_suites, suite->id))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server chose suite 0x%04x, not offered",
				     sh->cipher_suite);
	s->suite = suite;
	return 0;
}

static int check_alpn(struct ktlso_session *s,
		      const struct ktlso_tls12_server_hello *sh)
{
	const struct ktlso_config *c = s->cfg;
	size_t i;

	if (!ktlso_ext_has(&sh->ext, KTLSO_EXT_ALPN))
		return 0;
	for (i = 0; i < c->n_alpn; i++)
		if (strlen(c->alpn[i]) == sh->alpn.len &&
		    memcmp(c->alpn[i], sh->alpn.p, sh->alpn.len) == 0)
			break;
	if (i == c->n_alpn)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server chose an ALPN protocol not offered");
	memcpy(s->alpn, c->alpn[i], sh->alpn.len + 1);
	return 0;
}

/*
 * RFC 7627 5.2 and RFC 5746 3.4: a server that does not support the
 * extended master secret or secure renegotiation is refused.
 */
static int check_server_hello(struct ktlso_session *s,
			      const struct ktlso_tls12_server_hello *sh)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	bool echo;
	int ret;

	ret = check_suite(s, sh);
	if (ret)
		return ret;
	/* RFC 5077 3.4: our id echoed resumes our ticket's session. */
	echo = sh->session_id.len && sh->session_id.len == hs->session_id_len &&
	       CRYPTO_memcmp(sh->session_id.p, hs->session_id,
			     hs->session_id_len) == 0;
	if (echo && !hs->resume_offered)
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server resumes a session never made");
	ret = ktlso_tls12_ems_check(s, ktlso_ext_has(&sh->ext,
					KTLSO_EXT_EXTENDED_MASTER_SECRET));
	if (ret)
		return ret;
	if (!ktlso_ext_has(&sh->ext, KTLSO_EXT_RENEGOTIATION_INFO))
		return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
				     "server does not support secure renegotiation");
	hs->ticket_ext = ktlso_ext_has(&sh->ext, KTLSO_EXT_SESSION_TICKET);
	ret = check_alpn(s, sh);
	if (ret == 0 && echo)
		ret = ktlso_tls12_client_resumed(s, sh->cipher_suite);
	return ret;
}

static int wait_sh(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_server_hello sh;
	int ret;

	ret = ktlso_tls12_expect(s, msg, KTLSO_HS_SERVER_HELLO);
	if (ret)
		return ret;
	ret = ktlso_tls12_server_hello_parse(&sh, msg, hs->offered);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed TLS 1.2 ServerHello");
	ret = check_server_hello(s, &sh);
	if (ret)
		return ret;
	memcpy(hs->server_random, sh.random, KTLSO_RANDOM_LEN);
	s->version = KTLSO_TLS12_VERSION;
	if (ktlso_client_sni(s->cfg))
		snprintf(s->sni, sizeof(s->sni), "%s", s->cfg->server_name);
	ret = ktlso_tls12_transcript_start(s);
	if (ret == 0)
		ret = ktlso_tls12_msg_add(s, msg);
	if (ret == 0 && s->resumed)
		ret = ktlso_tls12_resumed_keys(s);
	if (ret == 0)
		s->state = s->resumed ? KTLSO_TLS12_WAIT_CCS :
					KTLSO_TLS12_WAIT_CERT;
	return ret;
}

/* --- the server's flight -------------------------------------------------- */

static int wait_cert(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	enum ktlso_tls12_auth auth = ktlso_tls12_suite_auth(s->suite->id);
	int ret = ktlso_tls12_expect(s, msg, KTLSO_HS_CERTIFICATE);

	if (ret == 0)
		ret = ktlso_tls12_check_certificate(s, msg);
	if (ret == 1)
		return ktlso_hs_fail(s, -KTLSO_ALERT_DECODE_ERROR,
				     "server sent an empty Certificate");
	if (ret)
		return ret;
	/* RFC 8422 5.3, RFC 5246 7.4.2: the key the suite signs with. */
	if (!ktlso_tls12_key_fits(s->hs12->peer.key, auth))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
				     "server certificate key does not fit %s",
				     s->suite->name);
	s->state = KTLSO_TLS12_WAIT_SKE;
	return 0;
}

/* RFC 8422 5.4: the signature over both randoms and ServerECDHParams. */
static int check_ske_signature(struct ktlso_session *s,
			       const struct ktlso_tls12_server_key_exchange *ske)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls12_hs *hs = s->hs12;
	uint8_t content[KTLSO_TLS12_SKE_SIGNED_MAX];
	const char *name = ktlso_sigscheme_name(ske->algorithm);
	size_t len;
	int ret;

	if (!ktlso_u16_in(c->sigschemes, c->n_sigschemes, ske->algorithm))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerKeyExchange scheme 0x%04x not offered",
				     ske->algorithm);
	ret = ktlso_tls12_ske_signed_content(ske, hs->client_random,
					     hs->server_random, content,
					     sizeof(content), &len);
	if (ret == 0)
		ret = ktlso_verify(hs->peer.key, ske->algorithm,
				   KTLSO_TLS12_VERSION, content, len,
				   ske->signature.p, ske->signature.len);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad ServerKeyExchange signature (%s)",
				     name ? name : "unknown scheme");
	s->sig_scheme = ske->algorithm;
	return 0;
}

static int wait_ske(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_server_key_exchange ske;
	int ret;

	ret = ktlso_tls12_expect(s, msg, KTLSO_HS_SERVER_KEY_EXCHANGE);
	if (ret)
		return ret;
	ret = ktlso_tls12_server_key_exchange_parse(&ske, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed ServerKeyExchange");
	if (!ktlso_u16_in(c->groups, c->n_groups, ske.group))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "ServerKeyExchange group 0x%04x not offered",
				     ske.group);
	ret = check_ske_signature(s, &ske);
	if (ret)
		return ret;
	ret = ktlso_tls13_kex_generate(s, &hs->kex, ske.group);
	if (ret == 0)
		ret = ktlso_kex_derive(&hs->kex, ske.point.p, ske.point.len,
				       hs->pms, sizeof(hs->pms), &hs->pms_len);
	if (ret)
		return ktlso_hs_fail(s, ret, "bad key share from the server");
	s->group = ske.group;
	s->state = KTLSO_TLS12_WAIT_CR_SHD;
	return ktlso_tls12_msg_add(s, msg);
}

/* Our schemes for the key types the request accepts (RFC 5246 7.4.4). */
static size_t request_schemes(const struct ktlso_config *c,
			      const struct ktlso_span *types, uint16_t *out)
{
	size_t n = 0;

	if (memchr(types->p, KTLSO_CERT_TYPE_ECDSA_SIGN, types->len))
		n = ktlso_tls12_schemes_for(c, KTLSO_TLS12_AUTH_ECDSA, out);
	if (memchr(types->p, KTLSO_CERT_TYPE_RSA_SIGN, types->len))
		n += ktlso_tls12_schemes_for(c, KTLSO_TLS12_AUTH_RSA, out + n);
	return n;
}

static int handle_cert_request(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_tls12_certificate_request cr;
	uint16_t ours[2 * KTLSO_CONFIG_MAX_LIST];
	size_t n;
	int ret;

	ret = ktlso_tls12_certificate_request_parse(&cr, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed CertificateRequest");
	hs->cert_requested = true;
	n = request_schemes(c, &cr.certificate_types, ours);
	if (c->n_creds && n)
		hs->cred = ktlso_cred_select(c->creds, c->n_creds, NULL,
					     KTLSO_TLS12_VERSION, ours, n,
					     &cr.signature_algorithms);
	if (hs->cred)
		ret = ktlso_sigscheme_select(hs->cred->key, KTLSO_TLS12_VERSION,
					     ours, n, &cr.signature_algorithms,
					     &hs->scheme);
	if (ret)
		return ktlso_hs_fail(s, ret, "no scheme for our certificate");
	if (!hs->cred)
		ktlso_log(s, KTLSO_LOG_WARNING,
			  "server asks for a certificate; sending none");
	s->state = KTLSO_TLS12_WAIT_SHD;
	return ktlso_tls12_msg_add(s, msg);
}

static int send_client_key_exchange(struct ktlso_session *s)
{
	struct ktlso_tls12_client_key_exchange cke;
	uint8_t pub[KTLSO_KEX_MAX_SHARE];
	struct ktlso_writer w;
	size_t len;
	int ret;

	ret = ktlso_kex_public(&s->hs12->kex, pub, sizeof(pub), &len);
	if (ret)
		return ret;
	cke.point.p = pub;
	cke.point.len = len;
	ktlso_tls13_msg_begin(s, &w);
	ktlso_tls12_client_key_exchange_write(&w, &cke);
	return ktlso_tls12_msg_send(s, &w);
}

/*
 * Our flight: [Certificate] ClientKeyExchange [CertificateVerify]
 * ChangeCipherSpec Finished, the keys made once the ClientKeyExchange is
 * in the transcript (RFC 7627 4).
 */
static int send_flight(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	int ret = 0;

	if (hs->cert_requested)
		ret = ktlso_tls12_send_certificate(s);
	if (ret == 0)
		ret = send_client_key_exchange(s);
	if (ret == 0)
		ret = ktlso_tls12_derive_keys(s, hs->pms, hs->pms_len);
	hs->pms_len = 0;
	ktlso_kex_free(&hs->kex);
	if (ret == 0 && hs->cert_requested && hs->cred)
		ret = ktlso_tls12_send_cert_verify(s);
	if (ret == 0)
		ret = ktlso_tls12_send_ccs(s);
	if (ret == 0)
		ret = ktlso_tls12_send_finished(s);
	return ret;
}

static int wait_shd(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls12_expect(s, msg, KTLSO_HS_SERVER_HELLO_DONE);

	if (ret == 0)
		ret = ktlso_tls12_server_hello_done_parse(msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed ServerHelloDone");
	ret = ktlso_tls12_msg_add(s, msg);
	if (ret == 0)
		ret = send_flight(s);
	if (ret == 0)
		s->state = KTLSO_TLS12_WAIT_CCS;
	return ret;
}

static int wait_cr_shd(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	if (msg->type == KTLSO_HS_CERTIFICATE_REQUEST)
		return handle_cert_request(s, msg);
	return wait_shd(s, msg);
}

static int wait_finished(struct ktlso_session *s,
			 const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_tls12_expect(s, msg, KTLSO_HS_FINISHED);

	if (ret == 0)
		ret = ktlso_tls12_check_finished(s, msg);
	if (ret)
		return ret;
	/* Nothing may follow: it could not be handed to the kernel. */
	if (!ktlso_hs_reader_empty(&s->hr))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "handshake data after the server's Finished");
	/* Resuming, the server's Finished went first: ours ends it. */
	if (s->hs12->abbreviated) {
		ret = ktlso_tls12_send_ccs(s);
		if (ret == 0)
			ret = ktlso_tls12_send_finished(s);
		if (ret)
			return ret;
	}
	/* The server showed its certificate now; resuming, its ticket did. */
	if (!s->resumed)
		s->auth_ms = ktlso_now_ms(s);
	ktlso_tls12_client_give_ticket(s);
	s->state = KTLSO_TLS12_CONNECTED;
	s->connected = true;
	return 0;
}

/* RFC 5077 3.3: the server's NewSessionTicket comes before its CCS. */
static int wait_ccs(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	if (msg->type == KTLSO_HS_NEW_SESSION_TICKET)
		return ktlso_tls12_client_take_ticket(s, msg);
	return wait_finished(s, msg);
}

/* --- dispatch ------------------------------------------------------------- */

/*
 * The TLS 1.3 client's ServerHello picked TLS 1.2: its random, session
 * id and offered extensions carry over; its key shares are dropped.
 */
static int client_takeover(struct ktlso_session *s,
			   const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs13 = s->hs13;
	struct ktlso_tls12_hs *hs;
	int ret;

	if (!hs13)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = ktlso_tls12_hs_new(s);
	if (ret)
		return ret;
	hs = s->hs12;
	memcpy(hs->client_random, hs13->random, KTLSO_RANDOM_LEN);
	memcpy(hs->session_id, hs13->session_id, hs13->session_id_len);
	hs->session_id_len = hs13->session_id_len;
	hs->offered = hs13->offered;
	hs->resume_offered = hs13->ticket12;
	ktlso_tls13_hs_free(s);
	s->state = KTLSO_TLS12_WAIT_SH;
	return wait_sh(s, msg);
}

static const ktlso_hs_handler client_handlers[] = {
	[KTLSO_TLS12_WAIT_SH] = wait_sh,
	[KTLSO_TLS12_WAIT_CERT] = wait_cert,
	[KTLSO_TLS12_WAIT_SKE] = wait_ske,
	[KTLSO_TLS12_WAIT_CR_SHD] = wait_cr_shd,
	[KTLSO_TLS12_WAIT_SHD] = wait_shd,
	[KTLSO_TLS12_WAIT_CCS] = wait_ccs,
	[KTLSO_TLS12_WAIT_FINISHED] = wait_finished,
};

const struct ktlso_proto ktlso_tls12_client = {
	.name = "TLS 1.2",
	.handlers = client_handlers,
	.n_handlers = ARRAY_SIZE(client_handlers),
	.takeover = client_takeover,
	.rx = ktlso_tls12_rx_handshake,
	.free = ktlso_tls12_hs_free,
};
