// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 resumption with tickets (RFC 5077, RFC 7627 5.3), engine client
 * against engine server in memory: the ticket a full handshake issues
 * before the server's ChangeCipherSpec, delivered once the server's
 * Finished verifies; the abbreviated handshake, both roles, its keys and
 * sequence numbers; a new ticket on every resumption, its lifetime cut to
 * the first authentication's; client authentication carried over; and
 * each reason a ticket is not resumed (a rotated-out key, another
 * context, expired, another ALPN, a suite no longer offered, no client
 * certificate where one is required, no extended master secret, a damaged
 * ticket, a ticket of the other version) giving a full handshake.
 */
#include "kselftest_harness.h"

#include "engine/ticket.h"
#include "hs_test.h"
#include "resume_test.h"

FIXTURE(resume12) {
	struct hs_pair p;
	struct ktlso_ticket_keys *keys;
	struct collected got;
	struct clocks clk;
};

FIXTURE_SETUP(resume12)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_ticket_keys_new(&self->keys, 1));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->keys, NULL));
	self->p.scfg.ticket_keys = self->keys;
	self->p.scfg.ticket_context = "profile-a";
	self->p.ccfg.ticket = collect;
	self->p.ccfg.ticket_arg = &self->got;
	self->clk.client = self->clk.server = 1700000000000ull;
	self->p.ccfg.test.now_ms = client_now;
	self->p.scfg.test.now_ms = server_now;
	self->p.ccfg.test.arg = self->p.scfg.test.arg = &self->clk;
}

FIXTURE_TEARDOWN(resume12)
{
	hs_pair_free(&self->p);
	ktlso_ticket_keys_free(self->keys);
	memset(&self->got, 0, sizeof(self->got));
	EXPECT_EQ(0, test_leaks());
}

/* A handshake offering @t (or none), resumed or not, with @tickets. */
static void handshake(struct __test_metadata *_metadata, struct hs_pair *p,
		      struct collected *got,
		      const struct ktlso_client_ticket *t, bool resumed,
		      int tickets)
{
	struct ktlso_session_result r;

	hs_pair_reset(p);
	p->ccfg.resume = t;
	got->n = 0;
	hs_pair_ok(_metadata, p);
	/* Nothing follows a TLS 1.2 handshake: the ticket came within it. */
	EXPECT_EQ(0u, pipe_pending(&p->s2c));
	EXPECT_EQ(0u, pipe_pending(&p->c2s));
	EXPECT_EQ(tickets, got->n);
	results_agree(_metadata, p, resumed);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_TLS12_VERSION, r.version);
	/* Each side's Finished was record 0 under the new keys. */
	EXPECT_EQ(1u, r.tx_seq);
	EXPECT_EQ(1u, r.rx_seq);
	ktlso_session_result_clear(&r);
}

static void full(struct __test_metadata *_metadata, struct hs_pair *p,
		 struct collected *got)
{
	handshake(_metadata, p, got, NULL, false, 1);
}

TEST_F(resume12, ticket_then_resumed)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result cr;
	struct ktlso_client_ticket t;
	char identity[256];
	uint8_t buf[16];
	size_t n;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	EXPECT_EQ(KTLSO_TLS12_VERSION, t.version);
	EXPECT_EQ(48, t.psk_len);
	EXPECT_EQ(7200u, t.lifetime);
	EXPECT_STREQ("server.example", t.server_name);
	EXPECT_TRUE(t.peer_verified);
	snprintf(identity, sizeof(identity), "%s", t.peer_identity);
	ASSERT_NE(0, identity[0]);

	/* Resumed; a new ticket comes with it. */
	handshake(_metadata, p, &self->got, &t, true, 1);
	EXPECT_NE(0, memcmp(t.ticket, self->got.t[0].ticket, t.ticket_len));
	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	EXPECT_TRUE(cr.peer_verified);
	EXPECT_STREQ(identity, cr.peer_identity);
	ktlso_session_result_clear(&cr);
	ASSERT_EQ(0, ktlso_session_write(p->c, "ping", 4, &n));
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(0, ktlso_session_write(p->s, "pong", 4, &n));
	ASSERT_EQ(0, ktlso_session_read(p->c, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	/* And the new ticket resumes too. */
	t = self->got.t[0];
	handshake(_metadata, p, &self->got, &t, true, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, every_suite)
{
	static const char *const suites[] = {
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	};
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg, suites[i]));
		full(_metadata, p, &self->got);
		t = self->got.t[0];
		handshake(_metadata, p, &self->got, &t, true, 1);
	}
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, client_certificate_carried_over)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result sr;
	struct ktlso_client_ticket t;

	p->scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	p->ccfg.creds = &p->client;
	p->ccfg.n_creds = 1;
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	handshake(_metadata, p, &self->got, &t, true, 1);
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	EXPECT_TRUE(sr.peer_verified);
	EXPECT_NE(NULL, strstr(sr.peer_identity, "client.example"));
	ktlso_session_result_clear(&sr);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, no_certificate_not_resumed_where_required)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	p->scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	p->scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	p->ccfg.creds = &p->client;
	p->ccfg.n_creds = 1;
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, rotation)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->keys, NULL));
	handshake(_metadata, p, &self->got, &t, true, 1);
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->keys, NULL));
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, other_context_not_resumed)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	p->scfg.ticket_context = "profile-b";
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, expired)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	/* On the server only: the client still offers it. */
	self->clk.server += 7201 * 1000ull;
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->slog.all, "expired"));
	/* On both: the client does not offer it. */
	self->clk.client += 7200 * 1000ull;
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->clog.all, "expired"));
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, authentication_not_carried_past_the_lifetime)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	self->clk.client += 7000 * 1000ull;
	self->clk.server += 7000 * 1000ull;
	handshake(_metadata, p, &self->got, &t, true, 1);
	EXPECT_EQ(200u, self->got.t[0].lifetime);
	t = self->got.t[0];
	p->scfg.ticket_lifetime = 3600;
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, other_alpn_not_resumed)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	ASSERT_EQ(0, ktlso_config_set_alpn(&p->scfg, "h2,http/1.1"));
	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "h2"));
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	EXPECT_STREQ("h2", t.alpn);
	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "http/1.1"));
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, suite_no_longer_offered)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
			"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	EXPECT_EQ(0xc02c, t.suite);
	/* By the server: a full handshake with its suite. */
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
			"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->slog.all, "suite"));
	/* By the client: not offered. */
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
			"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->ccfg,
			"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->clog.all, "suite"));
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, damaged_ticket_is_a_full_handshake)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	t.ticket[40] ^= 1;		/* sealed part: does not open */
	handshake(_metadata, p, &self->got, &t, false, 1);
	t = self->got.t[0];
	t.ticket[0] ^= 1;		/* key name: not ours */
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, no_key_to_seal_sends_an_empty_ticket)
{
	struct hs_pair *p = &self->p;
	struct ktlso_ticket_keys *none;

	ASSERT_EQ(0, ktlso_ticket_keys_new(&none, 0));
	p->scfg.ticket_keys = none;
	handshake(_metadata, p, &self->got, NULL, false, 0);
	EXPECT_NE(NULL, strstr(p->clog.all, "NewSessionTicket not kept"));
	p->scfg.ticket_keys = self->keys;
	ktlso_ticket_keys_free(none);
}

TEST_F(resume12, no_ticket_keys_no_ticket)
{
	struct hs_pair *p = &self->p;

	p->scfg.ticket_keys = NULL;
	handshake(_metadata, p, &self->got, NULL, false, 0);
	p->scfg.ticket_keys = self->keys;
	p->scfg.n_tickets = 0;
	handshake(_metadata, p, &self->got, NULL, false, 0);
}

/* The ClientHello without extended_master_secret. */
static void drop_ems(void *arg, struct ktlso_client_hello *ch)
{
	size_t i, n = 0;

	(void)arg;
	for (i = 0; i < ch->ext.n; i++)
		if (ch->ext.order[i] != KTLSO_EXT_EXTENDED_MASTER_SECRET)
			ch->ext.order[n++] = ch->ext.order[i];
	ch->ext.n = (uint8_t)n;
	ch->ext.present &= ~KTLSO_EXT_BIT(KTLSO_EXT_EXTENDED_MASTER_SECRET);
}

/* RFC 7627 5.3: no ticket without it, no resumption without it. */
TEST_F(resume12, extended_master_secret_bound)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	p->scfg.ems = KTLSO_EMS_PREFERRED;
	p->ccfg.ems = KTLSO_EMS_PREFERRED;
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	p->ccfg.test.client_hello = drop_ems;
	handshake(_metadata, p, &self->got, NULL, false, 0);
	handshake(_metadata, p, &self->got, &t, false, 0);
	EXPECT_NE(NULL, strstr(p->slog.all, "extended master secret"));
	ktlso_client_ticket_clear(&t);
}

/* A TLS 1.2 server's ticket, offered as a TLS 1.3 PSK, and back. */
TEST_F(resume12, other_version_not_resumed)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
			"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:TLS_AES_256_GCM_SHA384"));
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	t.version = KTLSO_TLS13_VERSION;
	t.suite = 0x1302;		/* SHA-384: a PSK of 48 bytes */
	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.3", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	hs_pair_reset(p);
	p->ccfg.resume = &t;
	self->got.n = 0;
	hs_pair_ok(_metadata, p);
	read_tickets(_metadata, p);
	results_agree(_metadata, p, false);
	EXPECT_NE(NULL, strstr(p->slog.all, "another version"));
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume12, tls13_ticket_not_offered_in_tls12)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
			"TLS_AES_256_GCM_SHA384:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
	hs_pair_reset(p);
	self->got.n = 0;
	hs_pair_ok(_metadata, p);
	read_tickets(_metadata, p);
	ASSERT_LE(1, self->got.n);
	t = self->got.t[0];
	EXPECT_EQ(KTLSO_TLS13_VERSION, t.version);
	/* Now the server does TLS 1.2 only; relabelled, it is not ours. */
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.2"));
	handshake(_metadata, p, &self->got, &t, false, 1);
	t.version = KTLSO_TLS12_VERSION;
	t.suite = 0xc02c;
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->slog.all, "another version"));
	ktlso_client_ticket_clear(&t);
}

TEST_HARNESS_MAIN
