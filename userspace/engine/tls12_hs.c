// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 handshake steps both roles share: the handshake state's life,
 * queueing messages and keeping the transcript (and the message log that
 * CertificateVerify signs), reading messages with the ChangeCipherSpec
 * rule of RFC 5246 7.1, the extended master secret and key block (RFC 7627
 * 4, RFC 5246 6.3) and Finished (RFC 5246 7.4.9). See tls12.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/sig.h"
#include "engine/tls12.h"
#include "engine/tls13.h"

int ktlso_tls12_hs_new(struct ktlso_session *s)
{
	s->hs12 = calloc(1, sizeof(*s->hs12));
	return s->hs12 ? 0 : -KTLSO_ERROR_NO_MEMORY;
}

void ktlso_tls12_hs_free(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;

	if (!hs)
		return;
	ktlso_kex_free(&hs->kex);
	ktlso_peer_cert_clear(&hs->peer);
	ktlso_traffic_keys_clear(&hs->client_write);
	ktlso_traffic_keys_clear(&hs->server_write);
	if (hs->log)
		OPENSSL_clear_free(hs->log, hs->log_cap);
	free(hs->nst);
	OPENSSL_clear_free(hs, sizeof(*hs));
	s->hs12 = NULL;
}

/* --- suites and schemes --------------------------------------------------- */

enum ktlso_tls12_auth ktlso_tls12_suite_auth(uint16_t id)
{
	switch (id) {
	case 0xc02b:	/* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
	case 0xc02c:	/* TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
	case 0xcca9:	/* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
	case 0xc0ac:	/* TLS_ECDHE_ECDSA_WITH_AES_128_CCM */
		return KTLSO_TLS12_AUTH_ECDSA;
	case 0xc02f:	/* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	case 0xc030:	/* TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
	case 0xcca8:	/* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
		return KTLSO_TLS12_AUTH_RSA;
	default:
		return KTLSO_TLS12_AUTH_NONE;
	}
}

/* RFC 8422 5.1.1 and 5.5: ECDSA suites and certificates also carry EdDSA. */
static enum ktlso_tls12_auth scheme_auth(uint16_t scheme)
{
	switch (scheme) {
	case KTLSO_SIG_ECDSA_SECP256R1_SHA256:
	case KTLSO_SIG_ECDSA_SECP384R1_SHA384:
	case KTLSO_SIG_ED25519:
		return KTLSO_TLS12_AUTH_ECDSA;
	case KTLSO_SIG_RSA_PKCS1_SHA256:
	case KTLSO_SIG_RSA_PKCS1_SHA384:
	case KTLSO_SIG_RSA_PKCS1_SHA512:
	case KTLSO_SIG_RSA_PSS_RSAE_SHA256:
	case KTLSO_SIG_RSA_PSS_RSAE_SHA384:
	case KTLSO_SIG_RSA_PSS_RSAE_SHA512:
		return KTLSO_TLS12_AUTH_RSA;
	default:
		return KTLSO_TLS12_AUTH_NONE;
	}
}

size_t ktlso_tls12_schemes_for(const struct ktlso_config *c,
			       enum ktlso_tls12_auth auth, uint16_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < c->n_sigschemes && i < KTLSO_CONFIG_MAX_LIST; i++)
		if (auth != KTLSO_TLS12_AUTH_NONE &&
		    scheme_auth(c->sigschemes[i]) == auth)
			out[n++] = c->sigschemes[i];
	return n;
}

bool ktlso_tls12_key_fits(EVP_PKEY *key, enum ktlso_tls12_auth auth)
{
	switch (auth) {
	case KTLSO_TLS12_AUTH_ECDSA:
		return EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "ED25519");
	case KTLSO_TLS12_AUTH_RSA:
		return EVP_PKEY_is_a(key, "RSA");
	default:
		return false;
	}
}

void ktlso_tls12_client_hello_exts(struct ktlso_client_hello *ch)
{
	static const uint8_t uncompressed = KTLSO_EC_POINT_UNCOMPRESSED;

	ch->ec_point_formats.p = &uncompressed;
	ch->ec_point_formats.len = 1;
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_EC_POINT_FORMATS);
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_EXTENDED_MASTER_SECRET);
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_RENEGOTIATION_INFO);
}

/* --- messages and the transcript ------------------------------------------ */

static int log_add(struct ktlso_tls12_hs *hs, const uint8_t *p, size_t len)
{
	size_t cap;
	uint8_t *grown;

	if (len <= hs->log_cap - hs->log_len) {
		memcpy(hs->log + hs->log_len, p, len);
		hs->log_len += len;
		return 0;
	}
	cap = hs->log_cap ? hs->log_cap : 4096;
	while (cap - hs->log_len < len) {
		if (cap > (64u << 20))
			return -KTLSO_ERROR_NO_MEMORY;
		cap *= 2;
	}
	grown = malloc(cap);
	if (!grown)
		return -KTLSO_ERROR_NO_MEMORY;
	if (hs->log_len)
		memcpy(grown, hs->log, hs->log_len);
	if (hs->log)
		OPENSSL_clear_free(hs->log, hs->log_cap);
	hs->log = grown;
	hs->log_cap = cap;
	memcpy(hs->log + hs->log_len, p, len);
	hs->log_len += len;
	return 0;
}

int ktlso_tls12_msg_send(struct ktlso_session *s, struct ktlso_writer *w)
{
	size_t len, before = s->hs_out.len;
	int ret = ktlso_writer_finish(w, &len);

	if (ret)
		return ktlso_hs_fail(s, ret, "cannot build a handshake message");
	/* What the test hook left of it is what went out: log that. */
	ret = ktlso_tx_handshake(s, s->scratch, len, s->scratch_cap);
	if (ret == 0 && s->hs_out.len > before)
		ret = log_add(s->hs12, s->hs_out.p + before,
			      s->hs_out.len - before);
	return ret;
}

int ktlso_tls12_msg_add(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	int ret = ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);

	if (ret == 0)
		ret = log_add(s->hs12, msg->raw.p, msg->raw.len);
	return ret;
}

int ktlso_tls12_transcript_start(struct ktlso_session *s)
{
	int ret = 0;

	/* The client's ClientHello, held unhashed until now. */
	if (s->ts.pending_len)
		ret = log_add(s->hs12, s->ts.pending, s->ts.pending_len);
	if (ret == 0)
		ret = ktlso_transcript_start(&s->ts, s->suite->hash);
	return ret;
}

int ktlso_tls12_expect(struct ktlso_session *s, const struct ktlso_hs_msg *msg,
		       uint8_t type)
{
	bool ccs = s->state == KTLSO_TLS12_WAIT_CCS;

	if (msg->type == type && !ccs)
		return 0;
	return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
			     "%s where %s was expected",
			     ktlso_hs_type_name(msg->type),
			     ccs ? "ChangeCipherSpec" : ktlso_hs_type_name(type));
}

/* Turn one direction's record protection on, sequence number 0. */
static int dir_set(struct ktlso_session *s, bool tx)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	struct ktlso_dir *d = tx ? &s->tx : &s->rx;
	const struct ktlso_traffic_keys *keys;
	int ret;

	keys = tx == s->server ? &hs->server_write : &hs->client_write;
	ktlso_dir_clear(d);
	d->keys = *keys;
	ret = ktlso_record_init(&d->rp, KTLSO_TLS12_VERSION, s->suite->id,
				&d->keys, 0, tx);
	if (ret) {
		ktlso_dir_clear(d);
		return ret;
	}
	d->on = true;
	return 0;
}

/* RFC 5246 7.1: the peer's ChangeCipherSpec, right before its Finished. */
static int rx_ccs(struct ktlso_session *s)
{
	int ret;

	if (s->state != KTLSO_TLS12_WAIT_CCS)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "change_cipher_spec out of place");
	ret = ktlso_ccs_check(s->plain, s->plain_len);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed change_cipher_spec");
	if (!ktlso_hs_reader_empty(&s->hr))
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "change_cipher_spec inside a handshake message");
	/* RFC 5077 3.3: a NewSessionTicket announced must come first. */
	if (!s->server && s->hs12->ticket_ext)
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "change_cipher_spec before the NewSessionTicket announced");
	ret = dir_set(s, false);
	if (ret)
		return ret;
	s->ccs_received = true;
	s->state = KTLSO_TLS12_WAIT_FINISHED;
	return 0;
}

/*
 * RFC 5246 7.4.1.1: a client ignores HelloRequest while it negotiates.
 * Return: 1 to drop @msg, 0 to take it, or an error.
 */
static int skip_hello_request(struct ktlso_session *s,
			      const struct ktlso_hs_msg *msg)
{
	int ret;

	if (s->server || msg->type != KTLSO_HS_HELLO_REQUEST)
		return 0;
	ret = ktlso_tls12_hello_request_parse(msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed HelloRequest");
	ktlso_log(s, KTLSO_LOG_DEBUG,
		  "HelloRequest during the handshake ignored");
	return 1;
}

int ktlso_tls12_rx_handshake(struct ktlso_session *s, struct ktlso_hs_msg *msg)
{
	return ktlso_rx_handshake_with(s, msg, rx_ccs, skip_hello_request);
}

/* --- keys ----------------------------------------------------------------- */

int ktlso_tls12_ems_check(struct ktlso_session *s, bool peer_has)
{
	const char *peer = s->server ? "client" : "server";

	s->hs12->ems = peer_has;
	if (peer_has)
		return 0;
	if (s->cfg->ems != KTLSO_EMS_PREFERRED)
		return ktlso_hs_fail(s, -KTLSO_ALERT_HANDSHAKE_FAILURE,
				     "%s does not support the extended master secret",
				     peer);
	ktlso_log(s, KTLSO_LOG_WARNING,
		  "%s without the extended master secret accepted (ems = preferred): RFC 5246 master secret",
		  peer);
	return 0;
}

int ktlso_tls12_derive_keys(struct ktlso_session *s, uint8_t *pms,
			    size_t pms_len)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	enum ktlso_md h = s->suite->hash;
	uint8_t session_hash[KTLSO_MAX_HASH_LEN];
	int ret;

	if (hs->ems) {
		ret = ktlso_transcript_hash(&s->ts, session_hash);
		if (ret == 0)
			ret = ktlso_tls12_extended_master_secret(h, pms, pms_len,
								 session_hash,
								 ktlso_hash_len(h),
								 hs->master);
	} else {	/* RFC 7627 5.2: ems = preferred, a peer without it */
		ret = ktlso_tls12_master_secret(h, pms, pms_len,
						hs->client_random,
						hs->server_random, hs->master);
	}
	OPENSSL_cleanse(pms, pms_len);
	if (ret == 0)
		ret = ktlso_tls12_traffic_keys(s->suite, hs->master,
					       hs->client_random,
					       hs->server_random,
					       &hs->client_write,
					       &hs->server_write);
	return ret;
}

int ktlso_tls12_send_ccs(struct ktlso_session *s)
{
	int ret = ktlso_tx_ccs(s);

	return ret ? ret : dir_set(s, true);
}

int ktlso_tls12_send_finished(struct ktlso_session *s)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	uint8_t th[KTLSO_MAX_HASH_LEN], vd[KTLSO_TLS12_VERIFY_DATA_LEN];
	struct ktlso_finished fin;
	struct ktlso_writer w;
	int ret;

	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls12_finished(s->suite->hash, hs->master,
					   !s->server, th, vd);
	if (ret == 0) {
		fin.verify_data.p = vd;
		fin.verify_data.len = sizeof(vd);
		ktlso_tls13_msg_begin(s, &w);
		ktlso_tls12_finished_write(&w, &fin);
		ret = ktlso_tls12_msg_send(s, &w);
	}
	OPENSSL_cleanse(vd, sizeof(vd));
	return ret;
}

int ktlso_tls12_check_finished(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_hs *hs = s->hs12;
	uint8_t th[KTLSO_MAX_HASH_LEN];
	struct ktlso_finished fin;
	int ret;

	ret = ktlso_tls12_finished_parse(&fin, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed Finished");
	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls12_finished_verify(s->suite->hash, hs->master,
						  s->server, th,
						  fin.verify_data.p,
						  fin.verify_data.len);
	if (ret)
		return ktlso_hs_fail(s, ret, "the peer's Finished is wrong");
	return ktlso_tls12_msg_add(s, msg);
}
