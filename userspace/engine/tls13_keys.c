// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 handshake steps both roles share: the handshake state's life,
 * building and queueing messages, the key schedule stages over the
 * transcript (RFC 8446 7.1) and Finished (RFC 8446 4.4.4). See tls13.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/keysched.h"
#include "engine/tls13.h"

int ktlso_tls13_hs_new(struct ktlso_session *s)
{
	s->hs13 = calloc(1, sizeof(*s->hs13));
	return s->hs13 ? 0 : -KTLSO_ERROR_NO_MEMORY;
}

void ktlso_tls13_hs_free(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	size_t i;

	if (!hs)
		return;
	for (i = 0; i < hs->n_kex; i++)
		ktlso_kex_free(&hs->kex[i]);
	if (hs->cookie)
		OPENSSL_clear_free(hs->cookie, hs->cookie_len);
	if (hs->ch1)
		OPENSSL_clear_free(hs->ch1, hs->ch1_len);
	ktlso_peer_cert_clear(&hs->peer);
	OPENSSL_clear_free(hs, sizeof(*hs));
	s->hs13 = NULL;
}

void ktlso_tls13_msg_begin(struct ktlso_session *s, struct ktlso_writer *w)
{
	ktlso_writer_init(w, s->scratch, s->scratch_cap);
}

int ktlso_tls13_msg_send(struct ktlso_session *s, struct ktlso_writer *w)
{
	size_t len;
	int ret = ktlso_writer_finish(w, &len);

	if (ret)
		return ktlso_hs_fail(s, ret, "cannot build a handshake message");
	return ktlso_tx_handshake(s, s->scratch, len, s->scratch_cap);
}

int ktlso_tls13_kex_generate(struct ktlso_session *s, struct ktlso_kex *kx,
			     uint16_t group)
{
	const struct ktlso_test_hooks *t = &s->cfg->test;

	ktlso_kex_free(kx);
	if (t->kex_generate)
		return t->kex_generate(t->arg, kx, group);
	return ktlso_kex_generate(kx, group);
}

bool ktlso_u16_in(const uint16_t *list, size_t n, uint16_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

int ktlso_tls13_expect(struct ktlso_session *s, const struct ktlso_hs_msg *msg,
		       uint8_t type)
{
	if (msg->type == type)
		return 0;
	return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
			     "%s where %s was expected",
			     ktlso_hs_type_name(msg->type),
			     ktlso_hs_type_name(type));
}

int ktlso_tls13_handshake_secrets(struct ktlso_session *s, uint8_t *shared,
				  size_t shared_len)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	enum ktlso_md h = s->suite->hash;
	uint8_t early[KTLSO_MAX_HASH_LEN], th[KTLSO_MAX_HASH_LEN];
	int ret;

	/* A resumed session's PSK, else zeros (RFC 8446 7.1). */
	ret = ktlso_tls13_early_secret(h, s->resumed ? hs->psk : NULL,
				       s->resumed ? hs->psk_len : 0, early);
	if (ret == 0)
		ret = ktlso_tls13_handshake_secret(h, early, shared, shared_len,
						   hs->hs_secret);
	OPENSSL_cleanse(early, sizeof(early));
	OPENSSL_cleanse(shared, shared_len);
	if (ret == 0)
		ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_derive(h, hs->hs_secret,
					 KTLSO_TLS13_C_HS_TRAFFIC, th,
					 hs->c_hs);
	if (ret == 0)
		ret = ktlso_tls13_derive(h, hs->hs_secret,
					 KTLSO_TLS13_S_HS_TRAFFIC, th,
					 hs->s_hs);
	return ret;
}

int ktlso_tls13_app_secrets(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	enum ktlso_md h = s->suite->hash;
	uint8_t th[KTLSO_MAX_HASH_LEN];
	int ret;

	/* The master secret stays for the resumption master secret. */
	ret = ktlso_tls13_master_secret(h, hs->hs_secret, hs->master);
	OPENSSL_cleanse(hs->hs_secret, sizeof(hs->hs_secret));
	if (ret == 0)
		ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_derive(h, hs->master,
					 KTLSO_TLS13_C_AP_TRAFFIC, th, hs->c_ap);
	if (ret == 0)
		ret = ktlso_tls13_derive(h, hs->master,
					 KTLSO_TLS13_S_AP_TRAFFIC, th, hs->s_ap);
	return ret;
}

/* Our Finished: keyed by our own handshake traffic secret. */
int ktlso_tls13_send_finished(struct ktlso_session *s)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	uint8_t th[KTLSO_MAX_HASH_LEN], vd[KTLSO_MAX_HASH_LEN];
	struct ktlso_finished fin;
	struct ktlso_writer w;
	int ret;

	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_finished(s->suite->hash,
					   s->server ? hs->s_hs : hs->c_hs, th,
					   vd);
	if (ret == 0) {
		fin.verify_data.p = vd;
		fin.verify_data.len = ktlso_hash_len(s->suite->hash);
		ktlso_tls13_msg_begin(s, &w);
		ktlso_finished_write(&w, &fin);
		ret = ktlso_tls13_msg_send(s, &w);
	}
	OPENSSL_cleanse(vd, sizeof(vd));
	return ret;
}

/* The peer's Finished: keyed by the peer's handshake traffic secret. */
int ktlso_tls13_check_finished(struct ktlso_session *s,
			       const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls13_hs *hs = s->hs13;
	size_t hlen = ktlso_hash_len(s->suite->hash);
	const uint8_t *base = s->server ? hs->c_hs : hs->s_hs;
	uint8_t th[KTLSO_MAX_HASH_LEN];
	struct ktlso_finished fin;
	int ret;

	ret = ktlso_finished_parse(&fin, msg, hlen);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed Finished");
	ret = ktlso_transcript_hash(&s->ts, th);
	if (ret == 0)
		ret = ktlso_tls13_finished_verify(s->suite->hash, base, th,
						  fin.verify_data.p,
						  fin.verify_data.len);
	if (ret)
		return ktlso_hs_fail(s, ret, "the peer's Finished is wrong");
	return ktlso_transcript_add(&s->ts, msg->raw.p, msg->raw.len);
}
