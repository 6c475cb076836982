// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 handshake failures, client against server in memory: each case
 * checks the exact alert on both sides (the one sent, the one received),
 * the return codes, and that the failing side logged why. Misbehaviour is
 * injected through the engine's test hooks (a ClientHello edited before
 * it is written, a handshake message rewritten before it is sent) or by
 * editing the records in the pipes.
 *
 * Cases: negotiation (suites, groups, credentials, curves, schemes, ALPN,
 * versions, the downgrade sentinel, TLS_FALLBACK_SCSV), the extended
 * master secret and renegotiation_info rules, certificates, tampered
 * signatures and Finished messages, messages truncated, garbled, dropped,
 * duplicated or out of order, ChangeCipherSpec at the wrong time, and the
 * renegotiation attempts and stray messages after the handshake.
 */
#include "kselftest_harness.h"

#include "engine/msg12.h"
#include "engine/sig.h"
#include "hs_test.h"

#define NONE (-1)

/* --- rewriting one side's handshake messages ------------------------------ */

enum tamper_action {
	FLIP_LAST,		/* flip the last byte */
	TRUNCATE,		/* drop the last body byte, fix the length */
	EXTEND,			/* add a zero byte to the body, fix the length */
	DUPLICATE,		/* send it twice */
	DROP,			/* do not send it */
	APPEND_PARTIAL,		/* add the start of another message */
	PUT_U16,		/* write @value at @offset */
	EDIT_SH,		/* a TLS 1.2 ServerHello: @edit_sh on it */
	REPLACE,		/* send @replacement instead */
	RI_NOT_EMPTY,		/* renegotiation_info with one byte in it */
};

struct tamper {
	bool server;
	uint8_t type;
	int nth;
	enum tamper_action action;
	size_t offset;
	uint16_t value;
	void (*edit_sh)(struct ktlso_tls12_server_hello *sh, void *arg);
	void *arg;
	const uint8_t *replacement;
	size_t replacement_len;
	int seen;
	struct tamper *next;		/* another rule */
};

static void set_len(uint8_t *msg, size_t body)
{
	msg[1] = (uint8_t)(body >> 16);
	msg[2] = (uint8_t)(body >> 8);
	msg[3] = (uint8_t)body;
}

/* A ServerHello parsed, edited and written back in place. */
static int edit_server_hello(struct tamper *t, uint8_t *msg, size_t *len,
			     size_t cap)
{
	struct ktlso_tls12_server_hello sh;
	struct ktlso_hs_msg m;
	struct ktlso_writer w;
	uint8_t *copy = malloc(*len), *out = malloc(cap);
	int ret = -KTLSO_ERROR_NO_MEMORY;

	if (!copy || !out)
		goto out;
	memcpy(copy, msg, *len);
	ret = ktlso_hs_msg_split(&m, copy, *len);
	if (ret == 0)
		ret = ktlso_tls12_server_hello_parse(&sh, &m, 0xffffffffu);
	if (ret)
		goto out;
	t->edit_sh(&sh, t->arg);
	ktlso_writer_init(&w, out, cap);
	ktlso_tls12_server_hello_write(&w, &sh);
	ret = ktlso_writer_finish(&w, len);
	if (ret == 0)
		memcpy(msg, out, *len);
out:
	free(copy);
	free(out);
	return ret;
}

/*
 * The extension block's offset in a ClientHello or ServerHello: after
 * version, random, session id, suites (or suite) and compression.
 */
static size_t exts_offset(const uint8_t *msg)
{
	size_t off = 4 + 2 + 32;

	off += 1 + msg[off];				/* session id */
	if (msg[0] == KTLSO_HS_SERVER_HELLO)
		return off + 2 + 1;
	off += 2 + ((size_t)msg[off] << 8 | msg[off + 1]);	/* suites */
	return off + 1 + msg[off];			/* compression */
}

/* renegotiation_info (ff 01, empty) gets one byte: the lengths follow. */
static int ri_not_empty(uint8_t *msg, size_t *len, size_t cap)
{
	static const uint8_t empty_ri[] = { 0xff, 0x01, 0x00, 0x01, 0x00 };
	size_t ext = exts_offset(msg), i, block;

	for (i = ext + 2; i + sizeof(empty_ri) <= *len; i++)
		if (!memcmp(msg + i, empty_ri, sizeof(empty_ri)))
			break;
	if (i + sizeof(empty_ri) > *len || *len + 1 > cap)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	memmove(msg + i + 6, msg + i + 5, *len - (i + 5));
	msg[i + 3] = 2;		/* extension body: 2 bytes */
	msg[i + 4] = 1;		/* renegotiated_connection<1> */
	msg[i + 5] = 0xaa;
	(*len)++;
	block = ((size_t)msg[ext] << 8 | msg[ext + 1]) + 1;
	msg[ext] = (uint8_t)(block >> 8);
	msg[ext + 1] = (uint8_t)block;
	set_len(msg, *len - 4);
	return 0;
}

static int tamper_apply(struct tamper *t, uint8_t *msg, size_t *len,
			size_t cap)
{
	switch (t->action) {
	case FLIP_LAST:
		msg[*len - 1] ^= 0x01;
		break;
	case TRUNCATE:
		(*len)--;
		set_len(msg, *len - 4);
		break;
	case EXTEND:
		msg[(*len)++] = 0;
		set_len(msg, *len - 4);
		break;
	case DUPLICATE:
		if (2 * *len > cap)
			return -KTLSO_ERROR_NO_SPACE;
		memcpy(msg + *len, msg, *len);
		*len *= 2;
		break;
	case DROP:
		*len = 0;
		break;
	case APPEND_PARTIAL:
		msg[(*len)++] = KTLSO_HS_FINISHED;
		msg[(*len)++] = 0;
		break;
	case PUT_U16:
		msg[t->offset] = (uint8_t)(t->value >> 8);
		msg[t->offset + 1] = (uint8_t)t->value;
		break;
	case EDIT_SH:
		return edit_server_hello(t, msg, len, cap);
	case RI_NOT_EMPTY:
		return ri_not_empty(msg, len, cap);
	case REPLACE:
		memcpy(msg, t->replacement, t->replacement_len);
		*len = t->replacement_len;
		break;
	}
	return 0;
}

static int tamper_hook(void *arg, bool server, uint8_t *msg, size_t *len,
		       size_t cap)
{
	struct tamper *t;
	int ret;

	for (t = arg; t; t = t->next) {
		if (t->server != server || msg[0] != t->type)
			continue;
		if (++t->seen != t->nth)
			continue;
		ret = tamper_apply(t, msg, len, cap);
		if (ret || *len == 0)
			return ret;
	}
	return 0;
}

static void set_tamper(struct hs_pair *p, struct tamper *t)
{
	struct ktlso_config *cfg = t->server ? &p->scfg : &p->ccfg;

	cfg->test.message_out = tamper_hook;
	cfg->test.arg = t;
}

FIXTURE(fail12) {
	struct hs_pair p;
	struct tamper t, t2;
};

FIXTURE_SETUP(fail12)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.2", "1.2"));
}

FIXTURE_TEARDOWN(fail12)
{
	hs_pair_free(&self->p);
	EXPECT_EQ(0, test_leaks());
}

/* --- outcomes ------------------------------------------------------------- */

/* After a run: @snd sent @alert, @rcv received it, both failed with it. */
static void check_failed(struct __test_metadata *_metadata, struct hs_pair *p,
			 bool server_sends, int alert)
{
	struct ktlso_session_result r;
	struct ktlso_session *snd = server_sends ? p->s : p->c;
	struct ktlso_session *rcv = server_sends ? p->c : p->s;
	struct test_log *slog = server_sends ? &p->slog : &p->clog;
	struct test_log *rlog = server_sends ? &p->clog : &p->slog;

	EXPECT_EQ(-alert, server_sends ? p->rs : p->rc)
		TH_LOG("sender: %s", slog->last_error);
	EXPECT_EQ(-alert, server_sends ? p->rc : p->rs)
		TH_LOG("receiver: %s", rlog->last_error);
	expect_alerted(_metadata, snd, rcv, alert);
	EXPECT_EQ(1, slog->errors);
	EXPECT_NE(0u, strlen(slog->last_error));
	/* Failed sessions yield no keys, and keep failing. */
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_result(snd, &r));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_result(rcv, &r));
	EXPECT_EQ(-alert, ktlso_session_handshake(snd));
}

static void fails_with(struct __test_metadata *_metadata, struct hs_pair *p,
		       bool server_sends, int alert)
{
	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_run(p);
	check_failed(_metadata, p, server_sends, alert);
}

/*
 * The side that sends the last Finished completed; the other fails on
 * what followed and alerts under its keys: the first learns it by reading.
 */
static void then_fails_late(struct __test_metadata *_metadata,
			    struct hs_pair *p, bool server_sends, int alert)
{
	struct ktlso_session *snd = server_sends ? p->s : p->c;
	struct ktlso_session *rcv = server_sends ? p->c : p->s;
	struct test_log *slog = server_sends ? &p->slog : &p->clog;
	uint8_t buf[16];
	size_t n;

	hs_pair_run(p);
	EXPECT_EQ(0, server_sends ? p->rc : p->rs);
	EXPECT_EQ(-alert, server_sends ? p->rs : p->rc)
		TH_LOG("sender: %s", slog->last_error);
	EXPECT_EQ(-alert, ktlso_session_read(rcv, buf, sizeof(buf), &n));
	expect_alerted(_metadata, snd, rcv, alert);
	EXPECT_EQ(1, slog->errors);
}

static void fails_late(struct __test_metadata *_metadata, struct hs_pair *p,
		       bool server_sends, int alert)
{
	ASSERT_EQ(0, hs_pair_start(p));
	then_fails_late(_metadata, p, server_sends, alert);
}

/* --- negotiation ---------------------------------------------------------- */

TEST_F(fail12, no_common_suite)
{
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.ccfg,
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.scfg,
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail12, no_common_group)
{
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.ccfg, "x25519"));
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.scfg, "secp384r1"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

/* An RSA certificate only, and the client offers ECDHE_ECDSA only. */
TEST_F(fail12, no_certificate_for_the_suites)
{
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.ccfg,
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
	self->p.scfg.creds = &self->p.srv[SRV_RSA];
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

/* RFC 8422 5.3: a P-384 certificate for a client without secp384r1. */
TEST_F(fail12, certificate_curve_not_supported)
{
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.ccfg, "x25519:secp256r1"));
	self->p.scfg.creds = &self->p.srv[SRV_P384];
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail12, no_usable_signature_scheme)
{
	ASSERT_EQ(0, ktlso_config_set_sigschemes(&self->p.ccfg,
						 "ed25519:rsa_pss_rsae_sha256"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail12, alpn_no_overlap)
{
	ASSERT_EQ(0, ktlso_config_set_alpn(&self->p.ccfg, "h2"));
	ASSERT_EQ(0, ktlso_config_set_alpn(&self->p.scfg, "http/1.1"));
	fails_with(_metadata, &self->p, true,
		   KTLSO_ALERT_NO_APPLICATION_PROTOCOL);
}

/* --- versions ------------------------------------------------------------- */

TEST_F(fail12, tls12_client_tls13_only_server)
{
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.3", "1.3"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_PROTOCOL_VERSION);
}

TEST_F(fail12, tls13_only_client_tls12_server)
{
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.3", "1.3"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_PROTOCOL_VERSION);
}

static void offer_tls12_only(void *arg, struct ktlso_client_hello *ch)
{
	static const uint16_t v12[] = { KTLSO_TLS12_VERSION };

	(void)arg;
	ch->supported_versions.v = v12;
	ch->supported_versions.n = 1;
}

/*
 * Someone strips TLS 1.3 from a TLS 1.3 client's offer: the TLS 1.3 server
 * settles for TLS 1.2 with the sentinel in its random, and the client,
 * which offered TLS 1.3, refuses it (RFC 8446 4.1.3).
 */
TEST_F(fail12, downgrade_sentinel)
{
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.2", "1.3"));
	self->p.ccfg.test.client_hello = offer_tls12_only;
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/*
 * RFC 8446 D.5: legacy_version 0x0300 is protocol_version, also when
 * supported_versions offers only TLS 1.2 (and a TLS 1.2 server would go
 * by supported_versions, RFC 8446 4.2.1).
 */
static void tls12_only_ssl3_legacy(void *arg, struct ktlso_client_hello *ch)
{
	offer_tls12_only(arg, ch);
	ktlso_ext_set_add(&ch->ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	ch->legacy_version = 0x0300;
}

TEST_F(fail12, client_hello_legacy_version_ssl3)
{
	self->p.ccfg.test.client_hello = tls12_only_ssl3_legacy;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_PROTOCOL_VERSION);
}

/* D.5 for the ServerHello: SSL 3.0 is protocol_version. */
TEST_F(fail12, server_hello_legacy_version_ssl3)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = PUT_U16, .offset = 4,
				   .value = 0x0300 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_PROTOCOL_VERSION);
}

static void fallback_scsv(void *arg, struct ktlso_client_hello *ch)
{
	static uint16_t suites[KTLSO_CONFIG_MAX_LIST + 1];
	size_t i;

	(void)arg;
	for (i = 0; i < ch->cipher_suites.n && i < KTLSO_CONFIG_MAX_LIST; i++)
		suites[i] = ktlso_u16_list_at(&ch->cipher_suites, i);
	suites[i] = 0x5600;
	ch->cipher_suites.v = suites;
	ch->cipher_suites.wire = NULL;
	ch->cipher_suites.n = i + 1;
}

/* RFC 7507: a fallback retry to a server that could do TLS 1.3. */
TEST_F(fail12, fallback_scsv)
{
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.2", "1.3"));
	self->p.ccfg.test.client_hello = fallback_scsv;
	fails_with(_metadata, &self->p, true,
		   KTLSO_ALERT_INAPPROPRIATE_FALLBACK);
}

/* --- extended master secret and renegotiation_info ------------------------ */

static void drop_ext(void *arg, struct ktlso_client_hello *ch)
{
	const enum ktlso_ext *e = arg;

	ch->ext.present &= ~KTLSO_EXT_BIT(*e);
	ch->ext.n = 0;		/* write in enum order */
}

TEST_F(fail12, client_without_extended_master_secret)
{
	static const enum ktlso_ext ems = KTLSO_EXT_EXTENDED_MASTER_SECRET;

	self->p.ccfg.test.client_hello = drop_ext;
	self->p.ccfg.test.arg = (void *)&ems;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

/*
 * ems = required (the default) refuses a peer without the extended master
 * secret whatever the peer's own policy: handshake_failure, RFC 7627 5.2's
 * "abort the handshake". The server with ems = preferred accepts the
 * legacy ClientHello and answers without the extension; the client, which
 * requires it, refuses that ServerHello.
 */
static void ems_required_refuses(struct __test_metadata *_metadata,
				 struct hs_pair *p, bool server_requires)
{
	static const enum ktlso_ext ems = KTLSO_EXT_EXTENDED_MASTER_SECRET;

	(server_requires ? &p->ccfg : &p->scfg)->ems = KTLSO_EMS_PREFERRED;
	p->ccfg.test.client_hello = drop_ext;
	p->ccfg.test.arg = (void *)&ems;
	fails_with(_metadata, p, server_requires,
		   KTLSO_ALERT_HANDSHAKE_FAILURE);
	/* A preferring server accepted the client, and said so. */
	EXPECT_EQ(server_requires ? 0 : 1, p->slog.warnings);
	EXPECT_EQ(0, p->clog.warnings);
}

TEST_F(fail12, ems_required_server_refuses_preferred_client_without_it)
{
	ems_required_refuses(_metadata, &self->p, true);
}

TEST_F(fail12, ems_required_client_refuses_preferred_server_without_it)
{
	ems_required_refuses(_metadata, &self->p, false);
}

/* Without renegotiation_info the server goes on, and answers none. */
static void sh_no_ri_seen(struct ktlso_tls12_server_hello *sh, void *arg)
{
	*(bool *)arg = ktlso_ext_has(&sh->ext, KTLSO_EXT_RENEGOTIATION_INFO);
}

TEST_F(fail12, client_without_renegotiation_info)
{
	static const enum ktlso_ext ri = KTLSO_EXT_RENEGOTIATION_INFO;
	struct hs_pair *p = &self->p;
	bool answered = true;

	p->ccfg.test.client_hello = drop_ext;
	p->ccfg.test.arg = (void *)&ri;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = EDIT_SH,
				   .edit_sh = sh_no_ri_seen, .arg = &answered };
	set_tamper(p, &self->t);
	/* The client insists on it, and refuses the answer without it. */
	fails_with(_metadata, p, false, KTLSO_ALERT_HANDSHAKE_FAILURE);
	EXPECT_FALSE(answered);
}

static void sh_drop_ems(struct ktlso_tls12_server_hello *sh, void *arg)
{
	(void)arg;
	sh->ext.present &= ~KTLSO_EXT_BIT(KTLSO_EXT_EXTENDED_MASTER_SECRET);
	sh->ext.n = 0;
}

TEST_F(fail12, server_without_extended_master_secret)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = EDIT_SH,
				   .edit_sh = sh_drop_ems };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

static void sh_drop_ri(struct ktlso_tls12_server_hello *sh, void *arg)
{
	(void)arg;
	sh->ext.present &= ~KTLSO_EXT_BIT(KTLSO_EXT_RENEGOTIATION_INFO);
	sh->ext.n = 0;
}

TEST_F(fail12, server_without_renegotiation_info)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = EDIT_SH,
				   .edit_sh = sh_drop_ri };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail12, client_renegotiation_info_not_empty)
{
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_CLIENT_HELLO,
				   .nth = 1, .action = RI_NOT_EMPTY };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail12, server_renegotiation_info_not_empty)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = RI_NOT_EMPTY };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

/* --- the ServerHello's choices -------------------------------------------- */

static void sh_ticket(struct ktlso_tls12_server_hello *sh, void *arg)
{
	(void)arg;
	ktlso_ext_set_add(&sh->ext, KTLSO_EXT_SESSION_TICKET);
}

/* We never offer session_ticket: its acknowledgement was not asked for. */
TEST_F(fail12, server_acknowledges_session_ticket)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = EDIT_SH,
				   .edit_sh = sh_ticket };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNSUPPORTED_EXTENSION);
}

/* ServerHello: type(1) len(3) version(2) random(32) sid(1+0) suite(2). */
#define SH_SUITE_OFFSET 39

TEST_F(fail12, server_suite_not_offered)
{
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.ccfg,
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = PUT_U16,
				   .offset = SH_SUITE_OFFSET, .value = 0xc02c };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* An ECDHE_RSA suite named for a P-256 certificate. */
TEST_F(fail12, certificate_does_not_fit_suite)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = PUT_U16,
				   .offset = SH_SUITE_OFFSET, .value = 0xc02f };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNSUPPORTED_CERTIFICATE);
}

struct sid_echo {
	uint8_t id[32];
	size_t len;
};

static void note_session_id(void *arg, struct ktlso_client_hello *ch)
{
	struct sid_echo *e = arg;

	memcpy(e->id, ch->session_id.p, ch->session_id.len);
	e->len = ch->session_id.len;
}

static void sh_echo_session_id(struct ktlso_tls12_server_hello *sh, void *arg)
{
	struct sid_echo *e = arg;

	sh->session_id.p = e->id;
	sh->session_id.len = e->len;
}

/* A server "resuming" the compatibility session id of a TLS 1.3 client. */
TEST_F(fail12, server_resumes_unknown_session)
{
	struct sid_echo echo = { .len = 0 };

	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.3"));
	self->p.ccfg.test.client_hello = note_session_id;
	self->p.ccfg.test.arg = &echo;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = EDIT_SH,
				   .edit_sh = sh_echo_session_id, .arg = &echo };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
	EXPECT_EQ(32u, echo.len);
}

/* --- certificates --------------------------------------------------------- */

TEST_F(fail12, wrong_ca)
{
	self->p.ccfg.trust = &self->p.other_trust;
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_UNKNOWN_CA);
}

TEST_F(fail12, wrong_hostname)
{
	self->p.ccfg.server_name = "wrong.example";
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE);
}

TEST_F(fail12, expired_certificate)
{
	self->p.scfg.creds = &self->p.expired;
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_CERTIFICATE_EXPIRED);
}

/* RFC 5246 7.4.6: handshake_failure (TLS 1.3 has certificate_required). */
TEST_F(fail12, client_certificate_missing)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail12, client_certificate_untrusted)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.scfg.trust = &self->p.other_trust;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_UNKNOWN_CA);
}

/* A server certificate for serverAuth is no client certificate. */
TEST_F(fail12, client_certificate_wrong_usage)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.srv[SRV_P256];
	self->p.ccfg.n_creds = 1;
	fails_with(_metadata, &self->p, true,
		   KTLSO_ALERT_UNSUPPORTED_CERTIFICATE);
}

/* A server's empty certificate_list. */
TEST_F(fail12, server_certificate_empty)
{
	static const uint8_t empty[] = { KTLSO_HS_CERTIFICATE, 0, 0, 3, 0, 0, 0 };

	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_CERTIFICATE,
				   .nth = 1, .action = REPLACE,
				   .replacement = empty,
				   .replacement_len = sizeof(empty) };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECODE_ERROR);
}

/* --- signatures and Finished ---------------------------------------------- */

/* ServerKeyExchange: curve_type(1) group(2) point(1+32) for x25519. */
#define SKE_GROUP_OFFSET 5
#define SKE_ALG_OFFSET (4 + 1 + 2 + 1 + 32)

TEST_F(fail12, server_key_exchange_bad_signature)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_SERVER_KEY_EXCHANGE,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECRYPT_ERROR);
}

TEST_F(fail12, server_key_exchange_bad_signature_rsa)
{
	self->p.scfg.creds = &self->p.srv[SRV_RSA];
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_SERVER_KEY_EXCHANGE,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECRYPT_ERROR);
}

TEST_F(fail12, server_key_exchange_group_not_offered)
{
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.ccfg, "x25519:secp256r1"));
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_SERVER_KEY_EXCHANGE,
				   .nth = 1, .action = PUT_U16,
				   .offset = SKE_GROUP_OFFSET,
				   .value = KTLSO_GROUP_SECP384R1 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

TEST_F(fail12, server_key_exchange_scheme_not_offered)
{
	ASSERT_EQ(0, ktlso_config_set_sigschemes(&self->p.ccfg,
						 "ecdsa_secp256r1_sha256"));
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_SERVER_KEY_EXCHANGE,
				   .nth = 1, .action = PUT_U16,
				   .offset = SKE_ALG_OFFSET,
				   .value = KTLSO_SIG_ECDSA_SECP384R1_SHA384 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* ecdsa_sha1 (0x0203): the engine has no SHA-1 scheme to offer. */
TEST_F(fail12, server_key_exchange_sha1_scheme)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_SERVER_KEY_EXCHANGE,
				   .nth = 1, .action = PUT_U16,
				   .offset = SKE_ALG_OFFSET, .value = 0x0203 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* An RSA-PSS scheme named for an ECDSA key. */
TEST_F(fail12, server_key_exchange_scheme_wrong_key)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_SERVER_KEY_EXCHANGE,
				   .nth = 1, .action = PUT_U16,
				   .offset = SKE_ALG_OFFSET,
				   .value = KTLSO_SIG_RSA_PSS_RSAE_SHA256 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

TEST_F(fail12, client_certificate_verify_bad_signature)
{
	self->t = (struct tamper){ .server = false,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client_rsa;
	self->p.ccfg.n_creds = 1;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_DECRYPT_ERROR);
}

TEST_F(fail12, client_certificate_verify_scheme_not_offered)
{
	ASSERT_EQ(0, ktlso_config_set_sigschemes(&self->p.scfg,
		"ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"));
	self->t = (struct tamper){ .server = false,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = PUT_U16, .offset = 4,
				   .value = KTLSO_SIG_ECDSA_SECP384R1_SHA384 };
	set_tamper(&self->p, &self->t);
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* The server's Finished is the last message: the server completed. */
TEST_F(fail12, tampered_server_finished)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_FINISHED,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	fails_late(_metadata, &self->p, false, KTLSO_ALERT_DECRYPT_ERROR);
}

/* The server fails before its CCS: its alert goes in plaintext. */
TEST_F(fail12, tampered_client_finished)
{
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_FINISHED,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_DECRYPT_ERROR);
}

/* A bit flipped in the protected client Finished record. */
TEST_F(fail12, corrupted_finished_record)
{
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	p->c2s.buf[p->c2s.len - 1] ^= 0x80;
	hs_pair_run(p);
	check_failed(_metadata, p, true, KTLSO_ALERT_BAD_RECORD_MAC);
}

/* --- malformed messages --------------------------------------------------- */

static void tamper_fails(struct __test_metadata *_metadata, struct hs_pair *p,
			 struct tamper *t, bool server_sends, int alert)
{
	set_tamper(p, t);
	fails_with(_metadata, p, server_sends, alert);
}

#define TAMPER(srv, ty, act) \
	((struct tamper){ .server = (srv), .type = (ty), .nth = 1, .action = (act) })

TEST_F(fail12, truncated_server_hello)
{
	self->t = TAMPER(true, KTLSO_HS_SERVER_HELLO, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, truncated_certificate)
{
	self->t = TAMPER(true, KTLSO_HS_CERTIFICATE, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, truncated_server_key_exchange)
{
	self->t = TAMPER(true, KTLSO_HS_SERVER_KEY_EXCHANGE, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, truncated_certificate_request)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	self->t = TAMPER(true, KTLSO_HS_CERTIFICATE_REQUEST, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, garbled_server_hello_done)
{
	self->t = TAMPER(true, KTLSO_HS_SERVER_HELLO_DONE, EXTEND);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, truncated_client_key_exchange)
{
	self->t = TAMPER(false, KTLSO_HS_CLIENT_KEY_EXCHANGE, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_DECODE_ERROR);
}

/* A P-256 point of the right length, not on the curve. */
TEST_F(fail12, client_key_exchange_bad_point)
{
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.ccfg, "secp256r1"));
	self->t = TAMPER(false, KTLSO_HS_CLIENT_KEY_EXCHANGE, FLIP_LAST);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_ILLEGAL_PARAMETER);
}

TEST_F(fail12, truncated_client_finished)
{
	self->t = TAMPER(false, KTLSO_HS_FINISHED, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, truncated_server_finished)
{
	self->t = TAMPER(true, KTLSO_HS_FINISHED, TRUNCATE);
	set_tamper(&self->p, &self->t);
	fails_late(_metadata, &self->p, false, KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail12, truncated_client_hello)
{
	self->t = TAMPER(false, KTLSO_HS_CLIENT_HELLO, TRUNCATE);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_DECODE_ERROR);
}

/* --- order: messages missing or repeated ---------------------------------- */

TEST_F(fail12, missing_server_certificate)
{
	self->t = TAMPER(true, KTLSO_HS_CERTIFICATE, DROP);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, missing_server_key_exchange)
{
	self->t = TAMPER(true, KTLSO_HS_SERVER_KEY_EXCHANGE, DROP);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* The server gets the CCS where the ClientKeyExchange should be. */
TEST_F(fail12, missing_client_key_exchange)
{
	self->t = TAMPER(false, KTLSO_HS_CLIENT_KEY_EXCHANGE, DROP);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, missing_client_certificate)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	self->t = TAMPER(false, KTLSO_HS_CERTIFICATE, DROP);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, missing_client_certificate_verify)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	self->t = TAMPER(false, KTLSO_HS_CERTIFICATE_VERIFY, DROP);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, duplicated_server_certificate)
{
	self->t = TAMPER(true, KTLSO_HS_CERTIFICATE, DUPLICATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, duplicated_server_key_exchange)
{
	self->t = TAMPER(true, KTLSO_HS_SERVER_KEY_EXCHANGE, DUPLICATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, duplicated_certificate_request)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	self->t = TAMPER(true, KTLSO_HS_CERTIFICATE_REQUEST, DUPLICATE);
	tamper_fails(_metadata, &self->p, &self->t, false,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/*
 * A second ServerHelloDone, in a record of its own on the wire (the
 * server's transcript has one: the extended master secret would differ
 * otherwise), reaches the client after it sent its flight: its alert goes
 * under its new keys, and the server, done by then, reads it.
 */
TEST_F(fail12, duplicated_server_hello_done)
{
	static const uint8_t shd[] = { 0x16, 0x03, 0x03, 0x00, 0x04,
				       KTLSO_HS_SERVER_HELLO_DONE, 0, 0, 0 };
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	pipe_push(&p->s2c, shd, sizeof(shd));
	then_fails_late(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, duplicated_client_key_exchange)
{
	self->t = TAMPER(false, KTLSO_HS_CLIENT_KEY_EXCHANGE, DUPLICATE);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* Nothing may follow the Finished in its record. */
TEST_F(fail12, duplicated_client_finished)
{
	self->t = TAMPER(false, KTLSO_HS_FINISHED, DUPLICATE);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail12, duplicated_server_finished)
{
	self->t = TAMPER(true, KTLSO_HS_FINISHED, DUPLICATE);
	set_tamper(&self->p, &self->t);
	fails_late(_metadata, &self->p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* --- ChangeCipherSpec ----------------------------------------------------- */

static const uint8_t ccs_record[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };

/* Insert @rec after the first @skip bytes pending in @pp. */
static void pipe_insert(struct pipe *pp, size_t skip, const uint8_t *rec,
			size_t len)
{
	size_t pending = pipe_pending(pp);
	uint8_t *tmp = malloc(pending);

	memcpy(tmp, pipe_data(pp), pending);
	pp->len = pp->off = 0;
	pipe_push(pp, tmp, skip);
	pipe_push(pp, rec, len);
	pipe_push(pp, tmp + skip, pending - skip);
	free(tmp);
}

/* Remove the record that starts @skip bytes into what @pp holds. */
static void pipe_remove_record(struct pipe *pp, size_t skip)
{
	size_t pending = pipe_pending(pp), rec;
	uint8_t *tmp = malloc(pending);

	memcpy(tmp, pipe_data(pp), pending);
	rec = 5 + ((size_t)tmp[skip + 3] << 8 | tmp[skip + 4]);
	pp->len = pp->off = 0;
	pipe_push(pp, tmp, skip);
	pipe_push(pp, tmp + skip + rec, pending - skip - rec);
	free(tmp);
}

static size_t record_len(const struct pipe *pp, size_t at)
{
	const uint8_t *d = pipe_data(pp) + at;

	return 5 + ((size_t)d[3] << 8 | d[4]);
}

/* ClientHello, the server's flight, the client's flight: all in the pipes. */
static void client_flight(struct __test_metadata *_metadata, struct hs_pair *p)
{
	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(KTLSO_WANT_READ, p->rs);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
}

TEST_F(fail12, ccs_before_client_hello)
{
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	pipe_prepend(&p->c2s, ccs_record, sizeof(ccs_record));
	hs_pair_run(p);
	check_failed(_metadata, p, true, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* A TLS 1.2 client takes no CCS before the ServerHello. */
TEST_F(fail12, ccs_before_server_hello)
{
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	pipe_prepend(&p->s2c, ccs_record, sizeof(ccs_record));
	hs_pair_run(p);
	check_failed(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* A CCS right after the ServerHello (records of one byte each). */
TEST_F(fail12, ccs_after_server_hello)
{
	struct hs_pair *p = &self->p;
	size_t sh_len;

	p->scfg.test.hs_fragment = 1;
	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	/* Records 1..3 carry the ServerHello's 24-bit length. */
	sh_len = 4 + ((size_t)pipe_data(&p->s2c)[6 + 5] << 16 |
		      (size_t)pipe_data(&p->s2c)[12 + 5] << 8 |
		      pipe_data(&p->s2c)[18 + 5]);
	pipe_insert(&p->s2c, 6 * sh_len, ccs_record, sizeof(ccs_record));
	hs_pair_run(p);
	check_failed(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* The client's Finished comes without its CCS, in plaintext to the server. */
TEST_F(fail12, finished_without_ccs)
{
	struct hs_pair *p = &self->p;

	client_flight(_metadata, p);
	pipe_remove_record(&p->c2s, record_len(&p->c2s, 0));
	hs_pair_run(p);
	check_failed(_metadata, p, true, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* The server's CCS, twice: the second is read under the new keys. */
TEST_F(fail12, ccs_twice)
{
	struct hs_pair *p = &self->p;

	client_flight(_metadata, p);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	pipe_insert(&p->s2c, 0, ccs_record, sizeof(ccs_record));
	then_fails_late(_metadata, p, false, KTLSO_ALERT_BAD_RECORD_MAC);
}

/* RFC 5246 7.1: one byte of value 1. */
TEST_F(fail12, ccs_bad_value)
{
	static const uint8_t bad[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x02 };
	struct hs_pair *p = &self->p;

	client_flight(_metadata, p);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	pipe_remove_record(&p->s2c, 0);
	pipe_insert(&p->s2c, 0, bad, sizeof(bad));
	then_fails_late(_metadata, p, false, KTLSO_ALERT_DECODE_ERROR);
}

/* The ClientKeyExchange's record ends with the start of another message. */
TEST_F(fail12, ccs_inside_a_message)
{
	self->t = TAMPER(false, KTLSO_HS_CLIENT_KEY_EXCHANGE, APPEND_PARTIAL);
	tamper_fails(_metadata, &self->p, &self->t, true,
		     KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* --- after the handshake -------------------------------------------------- */

static size_t hs_message(uint8_t *buf, uint8_t type, const uint8_t *body,
			 size_t len)
{
	buf[0] = type;
	buf[1] = 0;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	if (len)
		memcpy(buf + 4, body, len);
	return 4 + len;
}

/* The one record in @wire opens with @ci as a warning no_renegotiation. */
static void expect_no_renegotiation(struct __test_metadata *_metadata,
				    struct pipe *wire,
				    const union ktlso_crypto_info *ci,
				    uint16_t suite)
{
	struct ktlso_record_protection rp;
	uint8_t plain[64], type;
	size_t n;

	ASSERT_NE(0u, pipe_pending(wire));
	ASSERT_EQ(record_len(wire, 0), pipe_pending(wire));
	ASSERT_EQ(0, ci_record(ci, suite, false, &rp));
	ASSERT_EQ(0, ktlso_record_open(&rp, pipe_data(wire),
				       pipe_pending(wire), &type, plain,
				       sizeof(plain), &n));
	ktlso_record_clear(&rp);
	EXPECT_EQ(KTLSO_CONTENT_ALERT, type);
	ASSERT_EQ(2u, n);
	EXPECT_EQ(1, plain[0]);				/* warning */
	EXPECT_EQ(KTLSO_ALERT_NO_RENEGOTIATION, plain[1]);
	pipe_consume(wire, pipe_pending(wire));
}


/*
 * A HelloRequest after the handshake: the client refuses with a warning
 * no_renegotiation and the session goes on.
 */
TEST_F(fail12, renegotiation_hello_request)
{
	struct hs_pair *p = &self->p;
	struct connected k;
	uint8_t msg[16], buf[16];
	size_t n;

	connect_pair(_metadata, p, &k);
	kernel_send(_metadata, &p->s2c, &k.s_tx, KTLSO_CONTENT_HANDSHAKE, msg,
		    hs_message(msg, KTLSO_HS_HELLO_REQUEST, NULL, 0));
	kernel_send(_metadata, &p->s2c, &k.s_tx, KTLSO_CONTENT_APPLICATION_DATA,
		    (const uint8_t *)"data", 4);
	ASSERT_EQ(0, ktlso_session_read(p->c, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	EXPECT_EQ(0, memcmp(buf, "data", 4));
	/* The alert, under the client's keys, as the server's kernel reads. */
	expect_no_renegotiation(_metadata, &p->c2s, &k.sr.rx, k.sr.suite);
	EXPECT_EQ(0, p->clog.errors);
	disconnect(&k);
}

/* A ClientHello after the handshake: the server refuses the same way. */
TEST_F(fail12, renegotiation_client_hello)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_hello ch;
	struct ktlso_writer w;
	struct connected k;
	static const uint16_t suites[] = { 0xc02b };
	static const uint8_t null_compression;
	uint8_t msg[128], buf[16];
	size_t len, n;

	connect_pair(_metadata, p, &k);
	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = KTLSO_TLS12_VERSION;
	ch.cipher_suites.v = suites;
	ch.cipher_suites.n = 1;
	ch.compression_methods.p = &null_compression;
	ch.compression_methods.len = 1;
	ktlso_writer_init(&w, msg, sizeof(msg));
	ASSERT_EQ(0, ktlso_client_hello_write(&w, &ch));
	ASSERT_EQ(0, ktlso_writer_finish(&w, &len));
	kernel_send(_metadata, &p->c2s, &k.c_tx, KTLSO_CONTENT_HANDSHAKE, msg, len);
	EXPECT_EQ(KTLSO_WANT_READ, ktlso_session_read(p->s, buf, sizeof(buf),
						      &n));
	expect_no_renegotiation(_metadata, &p->s2c, &k.cr.rx, k.cr.suite);
	/* The session goes on. */
	kernel_send(_metadata, &p->c2s, &k.c_tx, KTLSO_CONTENT_APPLICATION_DATA,
		    (const uint8_t *)"more", 4);
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	disconnect(&k);
}

/* A HelloRequest to a server is a message out of place. */
TEST_F(fail12, hello_request_to_server)
{
	struct hs_pair *p = &self->p;
	struct connected k;
	uint8_t msg[16], buf[16];
	size_t n;
	int sent, received;

	connect_pair(_metadata, p, &k);
	kernel_send(_metadata, &p->c2s, &k.c_tx, KTLSO_CONTENT_HANDSHAKE, msg,
		    hs_message(msg, KTLSO_HS_HELLO_REQUEST, NULL, 0));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_session_read(p->s, buf, sizeof(buf), &n));
	ktlso_session_alerts(p->s, &sent, &received);
	EXPECT_EQ(KTLSO_ALERT_UNEXPECTED_MESSAGE, sent);
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_session_read(p->c, buf, sizeof(buf), &n));
	disconnect(&k);
}

/* TLS 1.2 has no post-handshake NewSessionTicket. */
TEST_F(fail12, new_session_ticket_after_handshake)
{
	static const uint8_t nst[] = { 0, 0, 0x0e, 0x10, 0, 2, 'h', 'i' };
	struct hs_pair *p = &self->p;
	struct connected k;
	uint8_t msg[32], buf[16];
	size_t n;

	connect_pair(_metadata, p, &k);
	kernel_send(_metadata, &p->s2c, &k.s_tx, KTLSO_CONTENT_HANDSHAKE, msg,
		    hs_message(msg, KTLSO_HS_NEW_SESSION_TICKET, nst,
			       sizeof(nst)));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_session_read(p->c, buf, sizeof(buf), &n));
	EXPECT_EQ(1, p->clog.errors);
	disconnect(&k);
}

/*
 * A NewSessionTicket where a server that issues tickets puts it, before
 * its CCS: we offered no session_ticket, so it may not come.
 */
TEST_F(fail12, new_session_ticket_during_handshake)
{
	static const uint8_t nst[] = { 0, 0, 0x0e, 0x10, 0, 2, 'h', 'i' };
	struct hs_pair *p = &self->p;
	uint8_t rec[32];

	client_flight(_metadata, p);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	rec[0] = KTLSO_CONTENT_HANDSHAKE;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = 0;
	rec[4] = (uint8_t)hs_message(rec + 5, KTLSO_HS_NEW_SESSION_TICKET, nst,
				     sizeof(nst));
	pipe_insert(&p->s2c, 0, rec, 5 + rec[4]);
	then_fails_late(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/*
 * RFC 5246 6.2.1, RFC 8446 5.1: no empty handshake, alert or
 * change_cipher_spec record: unexpected_message, as OpenSSL, NSS and
 * GnuTLS answer it.
 */
TEST_F(fail12, empty_records_during_handshake)
{
	static const uint8_t types[] = {
		KTLSO_CONTENT_ALERT, KTLSO_CONTENT_HANDSHAKE,
		KTLSO_CONTENT_CHANGE_CIPHER_SPEC,
	};
	struct hs_pair *p = &self->p;
	uint8_t rec[] = { 0, 0x03, 0x03, 0x00, 0x00 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		rec[0] = types[i];
		TH_LOG("content type %u", rec[0]);
		ASSERT_EQ(0, hs_pair_start(p));
		p->rc = ktlso_session_handshake(p->c);
		pipe_prepend(&p->c2s, rec, sizeof(rec));
		hs_pair_run(p);
		check_failed(_metadata, p, true,
			     KTLSO_ALERT_UNEXPECTED_MESSAGE);
		hs_pair_reset(p);
	}
}

TEST_F(fail12, empty_alert_after_handshake)
{
	empty_record_fails(_metadata, &self->p, false, KTLSO_CONTENT_ALERT);
}

/* Application data before the keys. */
TEST_F(fail12, application_data_before_finished)
{
	static const uint8_t rec[] = { 0x17, 0x03, 0x03, 0x00, 0x01, 0x00 };
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	pipe_push(&p->s2c, rec, sizeof(rec));
	/* The client reads it after it sent its flight. */
	then_fails_late(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_HARNESS_MAIN
