// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 handshake failures, client against server in memory: each case
 * checks the exact alert on both sides (the one sent, the one received),
 * the return codes, and that the failing side logged why. Misbehaviour is
 * injected through the engine's test hooks (a handshake message rewritten
 * before it is sent) or by editing the bytes in the pipes.
 */
#include "kselftest_harness.h"

#include "hs_test.h"
#include "record_ref.h"

/* Rewrite the @nth message of @type that one side sends. */
enum tamper_action {
	FLIP_LAST,		/* flip the last byte */
	TRUNCATE,		/* drop the last body byte, fix the length */
	DUPLICATE,		/* send it twice */
	DROP,			/* do not send it */
	APPEND_PARTIAL,		/* add the start of another message */
	FLIP_AT,		/* flip the byte at @offset */
	SWAP_SUITES,		/* ClientHello: swap the first two suites */
	HRR_GROUP,		/* HRR: name @group instead */
	SAVE,			/* keep a copy, change nothing */
	REPLACE_SAVED,		/* send the saved copy instead */
	REPLACE,		/* send @replacement instead */
	PUT_U16,		/* write @value at @offset */
};

struct tamper {
	bool server;
	uint8_t type;
	int nth;
	enum tamper_action action;
	size_t offset;
	uint16_t group;
	uint16_t value;
	const uint8_t *replacement;
	size_t replacement_len;
	int seen;
	uint8_t saved[1024];
	size_t saved_len;
	const struct tamper *from;	/* REPLACE_SAVED: whose copy */
	struct tamper *next;		/* another rule */
};

static void flip(uint8_t *p)
{
	*p ^= 0x01;
}

static int tamper_apply(struct tamper *t, uint8_t *msg, size_t *len,
			size_t cap)
{
	size_t body = *len - 4, sid, i;

	switch (t->action) {
	case FLIP_LAST:
		flip(&msg[*len - 1]);
		break;
	case FLIP_AT:
		flip(&msg[t->offset]);
		break;
	case TRUNCATE:
		body--;
		msg[1] = (uint8_t)(body >> 16);
		msg[2] = (uint8_t)(body >> 8);
		msg[3] = (uint8_t)body;
		*len = body + 4;
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
		msg[(*len)++] = KTLSO_HS_ENCRYPTED_EXTENSIONS;
		msg[(*len)++] = 0;
		break;
	case SWAP_SUITES:
		/* type(1) len(3) version(2) random(32) sid(1+n) suites(2+..) */
		sid = msg[38];
		i = 39 + sid + 2;
		msg[i] ^= msg[i + 2];
		msg[i + 2] ^= msg[i];
		msg[i] ^= msg[i + 2];
		msg[i + 1] ^= msg[i + 3];
		msg[i + 3] ^= msg[i + 1];
		msg[i + 1] ^= msg[i + 3];
		break;
	case HRR_GROUP:
		/* the key_share extension of an HRR: 00 33 00 02 <group> */
		for (i = 40; i + 6 <= *len; i++) {
			if (!memcmp(msg + i, "\x00\x33\x00\x02", 4)) {
				msg[i + 4] = (uint8_t)(t->group >> 8);
				msg[i + 5] = (uint8_t)t->group;
				break;
			}
		}
		break;
	case SAVE:
		memcpy(t->saved, msg, *len);
		t->saved_len = *len;
		break;
	case REPLACE_SAVED:
		memcpy(msg, t->from->saved, t->from->saved_len);
		*len = t->from->saved_len;
		break;
	case REPLACE:
		memcpy(msg, t->replacement, t->replacement_len);
		*len = t->replacement_len;
		break;
	case PUT_U16:
		msg[t->offset] = (uint8_t)(t->value >> 8);
		msg[t->offset + 1] = (uint8_t)t->value;
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

FIXTURE(fail) {
	struct hs_pair p;
	struct tamper t, t2;
};

FIXTURE_SETUP(fail)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
}

FIXTURE_TEARDOWN(fail)
{
	hs_pair_free(&self->p);
	EXPECT_EQ(0, test_leaks());
}

#define NONE (-1)

/*
 * Run the handshake; both sides end with an error: @sender sent @alert,
 * the other side received it.
 */
static void fails_with(struct __test_metadata *_metadata, struct hs_pair *p,
		       bool server_sends, int alert)
{
	struct ktlso_session_result r;
	struct ktlso_session *snd, *rcv;
	struct test_log *slog;

	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_run(p);
	snd = server_sends ? p->s : p->c;
	rcv = server_sends ? p->c : p->s;
	slog = server_sends ? &p->slog : &p->clog;
	EXPECT_EQ(-alert, server_sends ? p->rs : p->rc)
		TH_LOG("sender: %s", slog->last_error);
	EXPECT_EQ(-alert, server_sends ? p->rc : p->rs)
		TH_LOG("receiver: %s", (server_sends ? &p->clog : &p->slog)->last_error);
	expect_alerted(_metadata, snd, rcv, alert);
	EXPECT_EQ(1, slog->errors);
	EXPECT_NE(0u, strlen(slog->last_error));
	/* Failed sessions yield no keys, and keep failing. */
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_result(snd, &r));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_result(rcv, &r));
	EXPECT_EQ(-alert, ktlso_session_handshake(snd));
}

/*
 * The server fails after the client's last message: the client completed
 * its handshake and learns of the alert when it reads.
 */
static void server_fails_late(struct __test_metadata *_metadata,
			      struct hs_pair *p, int alert)
{
	uint8_t buf[16];
	size_t n;

	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_run(p);
	EXPECT_EQ(0, p->rc);
	EXPECT_EQ(-alert, p->rs) TH_LOG("server: %s", p->slog.last_error);
	EXPECT_EQ(-alert, ktlso_session_read(p->c, buf, sizeof(buf), &n));
	expect_alerted(_metadata, p->s, p->c, alert);
	EXPECT_EQ(1, p->slog.errors);
}

/* --- certificates --------------------------------------------------------- */

TEST_F(fail, wrong_ca)
{
	self->p.ccfg.trust = &self->p.other_trust;
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_UNKNOWN_CA);
}

TEST_F(fail, wrong_hostname)
{
	self->p.ccfg.server_name = "wrong.example";
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE);
}

TEST_F(fail, expired_certificate)
{
	self->p.scfg.creds = &self->p.expired;
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_CERTIFICATE_EXPIRED);
}

TEST_F(fail, client_certificate_missing)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	server_fails_late(_metadata, &self->p,
			  KTLSO_ALERT_CERTIFICATE_REQUIRED);
}

TEST_F(fail, client_certificate_untrusted)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.scfg.trust = &self->p.other_trust;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	server_fails_late(_metadata, &self->p, KTLSO_ALERT_UNKNOWN_CA);
}

/* --- negotiation ---------------------------------------------------------- */

TEST_F(fail, no_common_suite)
{
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.ccfg,
					     "TLS_AES_128_GCM_SHA256"));
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.scfg,
					     "TLS_AES_256_GCM_SHA384"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail, no_common_group)
{
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.ccfg, "x25519"));
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.scfg, "secp384r1"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

TEST_F(fail, alpn_no_overlap)
{
	ASSERT_EQ(0, ktlso_config_set_alpn(&self->p.ccfg, "h2"));
	ASSERT_EQ(0, ktlso_config_set_alpn(&self->p.scfg, "http/1.1"));
	fails_with(_metadata, &self->p, true,
		   KTLSO_ALERT_NO_APPLICATION_PROTOCOL);
}

/* A server certificate that fits none of the client's schemes. */
TEST_F(fail, no_usable_signature_scheme)
{
	ASSERT_EQ(0, ktlso_config_set_sigschemes(&self->p.ccfg,
						 "ed25519:rsa_pss_rsae_sha256"));
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_HANDSHAKE_FAILURE);
}

/* --- tampered and malformed messages -------------------------------------- */

TEST_F(fail, tampered_server_finished)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_FINISHED,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECRYPT_ERROR);
}

TEST_F(fail, tampered_client_finished)
{
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_FINISHED,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	server_fails_late(_metadata, &self->p, KTLSO_ALERT_DECRYPT_ERROR);
}

TEST_F(fail, tampered_server_certificate_verify)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = FLIP_LAST };
	set_tamper(&self->p, &self->t);
	self->p.scfg.creds = &self->p.srv[SRV_RSA];
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECRYPT_ERROR);
}

TEST_F(fail, tampered_client_certificate_verify)
{
	self->t = (struct tamper){ .server = false,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = FLIP_AT, .offset = 12 };
	set_tamper(&self->p, &self->t);
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	server_fails_late(_metadata, &self->p, KTLSO_ALERT_DECRYPT_ERROR);
}

/* A CertificateVerify naming a scheme that does not fit the key. */
TEST_F(fail, certificate_verify_wrong_scheme)
{
	/* ecdsa_secp256r1_sha256 (04 03) becomes ecdsa_secp384r1 (05 03). */
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = FLIP_AT, .offset = 4 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* rsa_pkcs1_sha1 and ecdsa_sha1: the engine has no SHA-1 scheme to offer. */
static const uint16_t sha1_schemes[] = { 0x0201, 0x0203 };

TEST_F(fail, certificate_verify_sha1_scheme)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sha1_schemes); i++) {
		self->t = (struct tamper){ .server = true,
					   .type = KTLSO_HS_CERTIFICATE_VERIFY,
					   .nth = 1, .action = PUT_U16,
					   .offset = 4,
					   .value = sha1_schemes[i] };
		set_tamper(&self->p, &self->t);
		fails_with(_metadata, &self->p, false,
			   KTLSO_ALERT_ILLEGAL_PARAMETER);
		hs_pair_reset(&self->p);
	}
}

TEST_F(fail, client_certificate_verify_sha1_scheme)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	self->t = (struct tamper){ .server = false,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = PUT_U16, .offset = 4,
				   .value = sha1_schemes[1] };
	set_tamper(&self->p, &self->t);
	server_fails_late(_metadata, &self->p, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

TEST_F(fail, truncated_server_hello)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = TRUNCATE };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail, truncated_encrypted_extensions)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_ENCRYPTED_EXTENSIONS,
				   .nth = 1, .action = TRUNCATE };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail, truncated_certificate)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_CERTIFICATE,
				   .nth = 1, .action = TRUNCATE };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail, truncated_client_hello)
{
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_CLIENT_HELLO,
				   .nth = 1, .action = TRUNCATE };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_DECODE_ERROR);
}

TEST_F(fail, duplicated_encrypted_extensions)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_ENCRYPTED_EXTENSIONS,
				   .nth = 1, .action = DUPLICATE };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, missing_certificate_verify)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_CERTIFICATE_VERIFY,
				   .nth = 1, .action = DROP };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, missing_encrypted_extensions)
{
	self->t = (struct tamper){ .server = true,
				   .type = KTLSO_HS_ENCRYPTED_EXTENSIONS,
				   .nth = 1, .action = DROP };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* Anything after the client's Finished in its record spans a key change. */
TEST_F(fail, duplicated_client_finished)
{
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_FINISHED,
				   .nth = 1, .action = DUPLICATE };
	set_tamper(&self->p, &self->t);
	server_fails_late(_metadata, &self->p,
			  KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* The ServerHello's record carries the start of the next message. */
TEST_F(fail, message_spans_key_change)
{
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = APPEND_PARTIAL };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* --- HelloRetryRequest ---------------------------------------------------- */

TEST_F(fail, client_hello2_changes_suites)
{
	self->p.scfg.test.force_hrr = true;
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_CLIENT_HELLO,
				   .nth = 2, .action = SWAP_SUITES };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

TEST_F(fail, client_hello2_changes_random)
{
	self->p.scfg.test.force_hrr = true;
	self->t = (struct tamper){ .server = false, .type = KTLSO_HS_CLIENT_HELLO,
				   .nth = 2, .action = FLIP_AT, .offset = 10 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

static void drop_cookie(void *arg, struct ktlso_client_hello *ch)
{
	int *n = arg;

	if (++*n == 2) {
		ch->ext.present &= ~KTLSO_EXT_BIT(KTLSO_EXT_COOKIE);
		ch->ext.n = 0;		/* write in enum order */
	}
}

TEST_F(fail, client_hello2_without_cookie)
{
	int n = 0;

	self->p.scfg.test.force_hrr = true;
	self->p.scfg.test.hrr_cookie = (const uint8_t *)"cookie";
	self->p.scfg.test.hrr_cookie_len = 6;
	self->p.ccfg.test.client_hello = drop_cookie;
	self->p.ccfg.test.arg = &n;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_ILLEGAL_PARAMETER);
	EXPECT_EQ(2, n);
}

/* An HRR for the group the client already sent a share for. */
TEST_F(fail, hello_retry_request_changes_nothing)
{
	self->p.scfg.test.force_hrr = true;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = HRR_GROUP,
				   .group = KTLSO_GROUP_X25519 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* An HRR for a group the client never offered. */
TEST_F(fail, hello_retry_request_unoffered_group)
{
	ASSERT_EQ(0, ktlso_config_set_groups(&self->p.ccfg, "x25519:secp256r1"));
	self->p.scfg.test.force_hrr = true;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = HRR_GROUP,
				   .group = KTLSO_GROUP_SECP384R1 };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

TEST_F(fail, second_hello_retry_request)
{
	self->p.scfg.test.force_hrr = true;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = SAVE };
	self->t2 = (struct tamper){ .server = true,
				    .type = KTLSO_HS_SERVER_HELLO, .nth = 2,
				    .action = REPLACE_SAVED, .from = &self->t };
	self->t.next = &self->t2;
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false,
		   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* --- versions ------------------------------------------------------------- */

/* A TLS 1.2 ServerHello: version, random, empty session id, suite, null. */
static size_t tls12_server_hello(uint8_t *msg, bool sentinel)
{
	static const uint8_t tail[8] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D', 1 };
	size_t i, n = 0;

	msg[n++] = KTLSO_HS_SERVER_HELLO;
	msg[n++] = 0;
	msg[n++] = 0;
	msg[n++] = 38;
	msg[n++] = 3;
	msg[n++] = 3;
	for (i = 0; i < 32; i++)
		msg[n++] = (uint8_t)(0x40 + i);
	if (sentinel)
		memcpy(msg + n - 8, tail, 8);
	msg[n++] = 0;
	msg[n++] = 0xc0;
	msg[n++] = 0x2f;
	msg[n++] = 0;
	return n;
}

TEST_F(fail, downgrade_sentinel)
{
	uint8_t msg[64];

	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.3"));
	self->p.ccfg.middlebox_compat = false;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = REPLACE,
				   .replacement = msg,
				   .replacement_len = tls12_server_hello(msg, true) };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_ILLEGAL_PARAMETER);
}

/* A client of TLS 1.3 only. */
TEST_F(fail, tls12_server_refused)
{
	uint8_t msg[64];

	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.3", "1.3"));
	self->p.ccfg.middlebox_compat = false;
	self->t = (struct tamper){ .server = true, .type = KTLSO_HS_SERVER_HELLO,
				   .nth = 1, .action = REPLACE,
				   .replacement = msg,
				   .replacement_len = tls12_server_hello(msg, false) };
	set_tamper(&self->p, &self->t);
	fails_with(_metadata, &self->p, false, KTLSO_ALERT_PROTOCOL_VERSION);
}

static void tls12_client_hello(void *arg, struct ktlso_client_hello *ch)
{
	static const uint16_t v12[] = { KTLSO_TLS12_VERSION };

	(void)arg;
	ch->supported_versions.v = v12;
	ch->supported_versions.n = 1;
}

/* A server of TLS 1.3 only. */
TEST_F(fail, tls12_client_refused)
{
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.3", "1.3"));
	self->p.ccfg.test.client_hello = tls12_client_hello;
	fails_with(_metadata, &self->p, true, KTLSO_ALERT_PROTOCOL_VERSION);
}

/*
 * RFC 8446 D.5: a ClientHello whose legacy_version is SSL 3.0 (0x0300) is
 * refused with protocol_version, and so is anything older, even when
 * supported_versions offers TLS 1.3 (which otherwise alone decides, 4.2.1).
 */
static void set_legacy_version(void *arg, struct ktlso_client_hello *ch)
{
	ch->legacy_version = *(const uint16_t *)arg;
}

TEST_F(fail, client_hello_legacy_version_ssl3_or_older)
{
	static const uint16_t old[] = { 0x0300, 0x0200, 0x0002, 0x0000 };
	uint16_t v;
	size_t i;

	self->p.ccfg.test.client_hello = set_legacy_version;
	self->p.ccfg.test.arg = &v;
	for (i = 0; i < ARRAY_SIZE(old); i++) {
		v = old[i];
		TH_LOG("legacy_version 0x%04x", v);
		fails_with(_metadata, &self->p, true,
			   KTLSO_ALERT_PROTOCOL_VERSION);
		hs_pair_reset(&self->p);
	}
}

/*
 * D.5 again, for the ServerHello a TLS 1.3 server sends: SSL 3.0 is
 * protocol_version; any other legacy_version but 0x0303 stays
 * illegal_parameter (4.1.3).
 */
TEST_F(fail, server_hello_legacy_version)
{
	static const struct {
		uint16_t version;
		int alert;
	} cases[] = {
		{ 0x0300, KTLSO_ALERT_PROTOCOL_VERSION },
		{ 0x0302, KTLSO_ALERT_ILLEGAL_PARAMETER },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		TH_LOG("legacy_version 0x%04x", cases[i].version);
		self->t = (struct tamper){ .server = true,
					   .type = KTLSO_HS_SERVER_HELLO,
					   .nth = 1, .action = PUT_U16,
					   .offset = 4,
					   .value = cases[i].version };
		set_tamper(&self->p, &self->t);
		fails_with(_metadata, &self->p, false, cases[i].alert);
		hs_pair_reset(&self->p);
	}
}

/* --- record layer --------------------------------------------------------- */

static const uint8_t ccs_record[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };

/* The server's first flight is in s2c: [ServerHello][CCS][protected]. */
static size_t first_record_len(const struct pipe *pp)
{
	const uint8_t *d = pipe_data(pp);

	return 5 + ((size_t)d[3] << 8 | d[4]);
}

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

/* Run the client's ClientHello and the server's first flight. */
static void first_flights(struct __test_metadata *_metadata, struct hs_pair *p)
{
	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(KTLSO_WANT_READ, p->rs);
}

/* Finish a run started by hand, then check as fails_with() does. */
static void then_fails(struct __test_metadata *_metadata, struct hs_pair *p,
		       bool server_sends, int alert)
{
	int sent, received;

	hs_pair_run(p);
	EXPECT_EQ(-alert, server_sends ? p->rs : p->rc)
		TH_LOG("%s", (server_sends ? &p->slog : &p->clog)->last_error);
	EXPECT_EQ(-alert, server_sends ? p->rc : p->rs);
	ktlso_session_alerts(server_sends ? p->s : p->c, &sent, &received);
	EXPECT_EQ(alert, sent);
	ktlso_session_alerts(server_sends ? p->c : p->s, &sent, &received);
	EXPECT_EQ(alert, received);
}

/* The server reads @rec before the ClientHello, and refuses it: @alert. */
static void record_before_client_hello(struct __test_metadata *_metadata,
				       struct hs_pair *p, const uint8_t *rec,
				       size_t len, int alert)
{
	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	pipe_prepend(&p->c2s, rec, len);
	then_fails(_metadata, p, true, alert);
}

TEST_F(fail, ccs_before_client_hello)
{
	record_before_client_hello(_metadata, &self->p, ccs_record,
				   sizeof(ccs_record),
				   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, ccs_bad_value)
{
	static const uint8_t bad[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x02 };
	struct hs_pair *p = &self->p;

	first_flights(_metadata, p);
	pipe_insert(&p->s2c, first_record_len(&p->s2c), bad, sizeof(bad));
	then_fails(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, ccs_twice)
{
	struct hs_pair *p = &self->p;

	first_flights(_metadata, p);
	pipe_insert(&p->s2c, first_record_len(&p->s2c), ccs_record,
		    sizeof(ccs_record));
	then_fails(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* A CCS between two fragments of the ServerHello. */
TEST_F(fail, ccs_inside_a_message)
{
	struct hs_pair *p = &self->p;

	p->scfg.test.hs_fragment = 1;
	first_flights(_metadata, p);
	pipe_insert(&p->s2c, 3 * 6, ccs_record, sizeof(ccs_record));
	then_fails(_metadata, p, false, KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/* The client's CCS comes before its Finished, not after. */
TEST_F(fail, ccs_after_finished)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[8];
	size_t n;

	first_flights(_metadata, p);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(0, p->rc);
	pipe_push(&p->c2s, ccs_record, sizeof(ccs_record));
	/* The server stops after the Finished: the CCS is the kernel's. */
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	EXPECT_EQ(sizeof(ccs_record), pipe_pending(&p->c2s));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_session_read(p->s, buf, sizeof(buf), &n));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_session_read(p->c, buf, sizeof(buf), &n));
}

TEST_F(fail, plaintext_record_overflow)
{
	static const uint8_t hdr[] = { 0x16, 0x03, 0x03, 0x40, 0x01 };
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	pipe_prepend(&p->c2s, hdr, sizeof(hdr));
	then_fails(_metadata, p, true, KTLSO_ALERT_RECORD_OVERFLOW);
	/* Refused on the header: the body was never read. */
	EXPECT_NE(0u, pipe_pending(&p->c2s));
}

TEST_F(fail, protected_record_overflow)
{
	static const uint8_t hdr[] = { 0x17, 0x03, 0x03, 0x41, 0x01 };
	struct hs_pair *p = &self->p;
	uint8_t buf[8];
	size_t n;

	ASSERT_EQ(0, hs_pair_start(p));
	ASSERT_EQ(0, hs_pair_run(p));
	pipe_push(&p->s2c, hdr, sizeof(hdr));
	EXPECT_EQ(-KTLSO_ALERT_RECORD_OVERFLOW,
		  ktlso_session_read(p->c, buf, sizeof(buf), &n));
	EXPECT_EQ(-KTLSO_ALERT_RECORD_OVERFLOW,
		  ktlso_session_read(p->s, buf, sizeof(buf), &n));
}

/*
 * RFC 8446 5.4: a TLSInnerPlaintext over 2^14 + 1 bytes (2^14 of content,
 * its type, one byte of padding) is record_overflow, though its
 * ciphertext is within the 2^14 + 256 limit. The engine cannot seal one:
 * the reference construction does, with the server's keys.
 */
TEST_F(fail, protected_inner_plaintext_overflow)
{
	size_t inner = KTLSO_MAX_PLAINTEXT_LEN + 2, rec_len;
	uint8_t *data = calloc(1, inner);
	uint8_t *rec = malloc(KTLSO_MAX_RECORD_LEN);
	struct ktlso_traffic_keys keys;
	struct connected k;
	uint64_t seq;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, rec);
	connect_pair(_metadata, &self->p, &k);
	ASSERT_EQ(0, ci_keys(&k.sr.tx, &keys, &seq));
	memset(data, 'x', KTLSO_MAX_PLAINTEXT_LEN);
	data[KTLSO_MAX_PLAINTEXT_LEN] = KTLSO_CONTENT_APPLICATION_DATA;
	ASSERT_TRUE(ref_seal(&(struct ref_keys){
				.aead = ktlso_aead_info(
					ktlso_suite_find(k.sr.suite)->aead),
				.key = keys.key, .iv = keys.iv, .tls13 = true },
			     seq, 0, data, inner, rec, &rec_len));
	pipe_push(&self->p.s2c, rec, rec_len);
	read_fails_with(_metadata, &self->p, false,
			KTLSO_ALERT_RECORD_OVERFLOW);
	ktlso_traffic_keys_clear(&keys);
	disconnect(&k);
	free(rec);
	free(data);
}

TEST_F(fail, unknown_content_type)
{
	static const uint8_t rec[] = { 0x18, 0x03, 0x03, 0x00, 0x01, 0x01 };

	record_before_client_hello(_metadata, &self->p, rec, sizeof(rec),
				   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, application_data_before_keys)
{
	static const uint8_t rec[] = { 0x17, 0x03, 0x03, 0x00, 0x01, 0x00 };

	record_before_client_hello(_metadata, &self->p, rec, sizeof(rec),
				   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, empty_handshake_record)
{
	static const uint8_t rec[] = { 0x16, 0x03, 0x03, 0x00, 0x00 };

	record_before_client_hello(_metadata, &self->p, rec, sizeof(rec),
				   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

/*
 * RFC 8446 5.1: only application data may come in an empty record; an
 * alert record holds exactly one alert. An empty alert record is
 * unexpected_message (as OpenSSL, NSS and GnuTLS answer it), like an
 * empty handshake record, in plaintext and under keys.
 */
TEST_F(fail, empty_alert_record)
{
	static const uint8_t rec[] = { 0x15, 0x03, 0x03, 0x00, 0x00 };

	record_before_client_hello(_metadata, &self->p, rec, sizeof(rec),
				   KTLSO_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(fail, empty_protected_alert_record)
{
	empty_record_fails(_metadata, &self->p, true, KTLSO_CONTENT_ALERT);
}

TEST_F(fail, empty_protected_handshake_record)
{
	empty_record_fails(_metadata, &self->p, true, KTLSO_CONTENT_HANDSHAKE);
}

/* An alert record of one byte is malformed: decode_error. */
TEST_F(fail, short_alert_record)
{
	static const uint8_t rec[] = { 0x15, 0x03, 0x03, 0x00, 0x01, 0x02 };

	record_before_client_hello(_metadata, &self->p, rec, sizeof(rec),
				   KTLSO_ALERT_DECODE_ERROR);
}

/* A flipped bit in the server's protected flight. */
TEST_F(fail, corrupted_protected_record)
{
	struct hs_pair *p = &self->p;
	uint8_t *last;

	first_flights(_metadata, p);
	last = p->s2c.buf + p->s2c.len - 1;
	*last ^= 0x80;
	then_fails(_metadata, p, false, KTLSO_ALERT_BAD_RECORD_MAC);
}

/* The peer hangs up mid-handshake: an error, no alert either way. */
TEST_F(fail, transport_eof)
{
	struct hs_pair *p = &self->p;
	int sent, received;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->s2c.eof = true;
	p->rc = ktlso_session_handshake(p->c);
	EXPECT_EQ(-KTLSO_ERROR_CLOSED, p->rc);
	ktlso_session_alerts(p->c, &sent, &received);
	EXPECT_EQ(NONE, sent);
	EXPECT_EQ(NONE, received);
	EXPECT_EQ(1, p->clog.errors);
}

/* close_notify in the middle of the handshake. */
TEST_F(fail, close_notify_during_handshake)
{
	static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 1, 0 };
	struct hs_pair *p = &self->p;
	int sent, received;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	pipe_push(&p->s2c, alert, sizeof(alert));
	p->rc = ktlso_session_handshake(p->c);
	EXPECT_EQ(-KTLSO_ERROR_CLOSED, p->rc);
	ktlso_session_alerts(p->c, &sent, &received);
	EXPECT_EQ(NONE, sent);
	EXPECT_EQ(KTLSO_ALERT_CLOSE_NOTIFY, received);
}

TEST_HARNESS_MAIN
