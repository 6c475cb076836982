// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 resumption with tickets (RFC 5077, RFC 7627 5.3), engine client
 * against engine server in memory: the ticket a full handshake issues
 * before the server's ChangeCipherSpec, delivered once the server's
 * Finished verifies; the abbreviated handshake, both roles, its keys and
 * sequence numbers; a new ticket on every resumption, its lifetime cut to
 * the first authentication's, and the client's keeping the time of that
 * authentication (auth_ms), a ticket of one seven days old not offered;
 * client authentication carried over; and each reason a ticket is not
 * resumed (a rotated-out key, another context, expired, another ALPN, a
 * suite no longer offered, no client certificate where one is required,
 * no extended master secret, a damaged ticket, a ticket of the other
 * version) giving a full handshake.
 *
 * The server's messages go through a test hook that notes its ServerHello
 * and can rewrite one message type, for what a client must refuse: a
 * NewSessionTicket sent twice, or announced and not sent (unexpected
 * message, in full and abbreviated handshakes); a resuming ServerHello
 * with another suite (illegal_parameter) or without the extended master
 * secret (handshake_failure); a bad server Finished (decrypt_error, and
 * the ticket that came before it is not delivered). And what it must
 * accept: a TLS 1.2-1.3 server resuming a TLS 1.2-only client, its
 * downgrade sentinel included (RFC 8446 4.1.3); a TLS 1.2-1.3 client
 * without middlebox compatibility offering a TLS 1.2 ticket, resumed by
 * a TLS 1.2 server, a full TLS 1.3 handshake with a TLS 1.3 one; no
 * server_name in a resuming ServerHello (RFC 6066 3).
 */
#include "kselftest_harness.h"

#include "engine/msg12.h"
#include "engine/ticket.h"
#include "hs_test.h"
#include "resume_test.h"

/* --- the server's messages, noted and rewritten --------------------------- */

enum rewrite {
	KEEP,
	DUPLICATE,		/* send it twice */
	DROP,			/* do not send it */
	FLIP_LAST,		/* flip its last byte */
	SH_SUITE,		/* a ServerHello: name .suite */
	SH_NO_EMS,		/* a ServerHello: drop extended_master_secret */
};

/*
 * Both sides' test hooks take one argument: this. The clocks come first,
 * as client_now() and server_now() read them; then what server_hook()
 * does to the server's messages of .type, and the last ServerHello it let
 * out, as sent.
 */
struct hooks {
	struct clocks clk;
	uint8_t type;
	enum rewrite action;
	uint16_t suite;
	uint8_t sh[512];
	size_t sh_len;
};

/* The TLS 1.2 ServerHello @msg, parsed, edited as @h says, written back. */
static int edit_server_hello(const struct hooks *h, uint8_t *msg, size_t *len,
			     size_t cap)
{
	struct ktlso_tls12_server_hello sh;
	uint8_t in[512], out[512];
	struct ktlso_hs_msg m;
	struct ktlso_writer w;
	int ret;

	if (*len > sizeof(in))
		return -KTLSO_ERROR_NO_SPACE;
	memcpy(in, msg, *len);
	ret = ktlso_hs_msg_split(&m, in, *len);
	if (ret == 0)
		ret = ktlso_tls12_server_hello_parse(&sh, &m, UINT32_MAX);
	if (ret)
		return ret;
	if (h->action == SH_SUITE) {
		sh.cipher_suite = h->suite;
	} else {
		sh.ext.present &=
			~KTLSO_EXT_BIT(KTLSO_EXT_EXTENDED_MASTER_SECRET);
		sh.ext.n = 0;		/* the rest in enum order */
	}
	ktlso_writer_init(&w, out, cap < sizeof(out) ? cap : sizeof(out));
	ktlso_tls12_server_hello_write(&w, &sh);
	ret = ktlso_writer_finish(&w, len);
	if (ret == 0)
		memcpy(msg, out, *len);
	return ret;
}

static int rewrite_message(const struct hooks *h, uint8_t *msg, size_t *len,
			   size_t cap)
{
	switch (h->action) {
	case KEEP:
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
	case FLIP_LAST:
		msg[*len - 1] ^= 0x01;
		break;
	case SH_SUITE:
	case SH_NO_EMS:
		return edit_server_hello(h, msg, len, cap);
	}
	return 0;
}

static int server_hook(void *arg, bool server, uint8_t *msg, size_t *len,
		       size_t cap)
{
	struct hooks *h = arg;
	int ret = 0;

	if (!server)
		return 0;
	if (msg[0] == h->type)
		ret = rewrite_message(h, msg, len, cap);
	if (ret == 0 && *len && *len <= sizeof(h->sh) &&
	    msg[0] == KTLSO_HS_SERVER_HELLO) {
		memcpy(h->sh, msg, *len);
		h->sh_len = *len;
	}
	return ret;
}

/* The last ServerHello the server sent, a TLS 1.2 one, parsed into @sh. */
static void sent_server_hello(struct __test_metadata *_metadata,
			      const struct hooks *h,
			      struct ktlso_tls12_server_hello *sh)
{
	struct ktlso_hs_msg m;

	ASSERT_NE(0u, h->sh_len);
	ASSERT_EQ(0, ktlso_hs_msg_split(&m, h->sh, h->sh_len));
	ASSERT_EQ(0, ktlso_tls12_server_hello_parse(sh, &m, UINT32_MAX));
}

FIXTURE(resume12) {
	struct hs_pair p;
	struct ktlso_ticket_keys *keys;
	struct collected got;
	struct hooks h;
};

FIXTURE_SETUP(resume12)
{
	resume_pair_init(_metadata, &self->p, &self->keys, &self->got);
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.2", "1.2"));
	clocks_attach(&self->p, &self->h.clk);
	/* The hook's argument is the hooks' state; the clocks come first. */
	self->p.scfg.test.message_out = server_hook;
	self->p.ccfg.test.arg = self->p.scfg.test.arg = &self->h;
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
	self->h.clk.server += 7201 * 1000ull;
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->slog.all, "expired"));
	/* On both: the client does not offer it. */
	self->h.clk.client += 7200 * 1000ull;
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
	self->h.clk.client += 7000 * 1000ull;
	self->h.clk.server += 7000 * 1000ull;
	handshake(_metadata, p, &self->got, &t, true, 1);
	EXPECT_EQ(200u, self->got.t[0].lifetime);
	t = self->got.t[0];
	p->scfg.ticket_lifetime = 3600;
	handshake(_metadata, p, &self->got, &t, false, 1);
	ktlso_client_ticket_clear(&t);
}

/* A resumed session's ticket: of the first full handshake's authentication. */
TEST_F(resume12, resumed_ticket_keeps_the_first_authentication)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;
	uint64_t first = self->h.clk.client;

	full(_metadata, p, &self->got);
	EXPECT_EQ(first, self->got.t[0].auth_ms);
	EXPECT_EQ(first, self->got.t[0].received_ms);
	t = self->got.t[0];
	/* Resumed 1000 s later: received then, authenticated at first. */
	self->h.clk.client += 1000 * 1000ull;
	self->h.clk.server += 1000 * 1000ull;
	handshake(_metadata, p, &self->got, &t, true, 1);
	EXPECT_EQ(self->h.clk.client, self->got.t[0].received_ms);
	EXPECT_EQ(first, self->got.t[0].auth_ms);
	/* And from that one, again: still the first. */
	t = self->got.t[0];
	self->h.clk.client += 1000 * 1000ull;
	self->h.clk.server += 1000 * 1000ull;
	handshake(_metadata, p, &self->got, &t, true, 1);
	EXPECT_EQ(first, self->got.t[0].auth_ms);
	/* A full handshake begins a new chain. */
	full(_metadata, p, &self->got);
	EXPECT_EQ(self->h.clk.client, self->got.t[0].auth_ms);
	EXPECT_LT(first, self->got.t[0].auth_ms);
	ktlso_client_ticket_clear(&t);
}

/*
 * RFC 8446 4.6.1's bound, for TLS 1.2 too: a ticket of an authentication
 * seven days old is not offered, whatever its lifetime (the server would
 * resume it: its own record of the authentication is recent).
 */
TEST_F(resume12, old_authentication_not_offered)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	t.auth_ms = self->h.clk.client - KTLSO_TICKET_LIFETIME_MAX * 1000ull;
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->clog.all,
			       "ticket not offered: of an authentication older than seven days"));
	/* A millisecond younger: offered, and resumed. */
	t.auth_ms++;
	handshake(_metadata, p, &self->got, &t, true, 1);
	EXPECT_EQ(NULL, strstr(p->clog.all, "ticket not offered"));
	/* Authenticated after it was received: inconsistent, not offered. */
	t.auth_ms = t.received_ms + 1;
	handshake(_metadata, p, &self->got, &t, false, 1);
	EXPECT_NE(NULL, strstr(p->clog.all,
			       "ticket not offered: of an authentication after its receipt"));
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

/* --- what the client refuses ---------------------------------------------- */

/*
 * A handshake offering @t (or none) that the client fails with @alert,
 * its one error saying @why; the ticket callback never ran. A full
 * handshake's client has sent its ChangeCipherSpec when the server's last
 * flight comes: its alert goes under its keys to a server that completed
 * and learns of it by reading. A resuming client has not: the server,
 * waiting for the client's Finished, fails on the plaintext alert.
 */
static void client_refuses(struct __test_metadata *_metadata,
			   struct hs_pair *p, struct collected *got,
			   const struct ktlso_client_ticket *t, int alert,
			   const char *why)
{
	uint8_t buf[16];
	size_t n;

	hs_pair_reset(p);
	p->ccfg.resume = t;
	got->n = 0;
	ASSERT_EQ(0, hs_pair_start(p));
	EXPECT_NE(0, hs_pair_run(p));
	EXPECT_EQ(-alert, p->rc)
		TH_LOG("client: %s", p->clog.last_error);
	if (t) {
		EXPECT_EQ(-alert, p->rs);
	} else {
		EXPECT_EQ(0, p->rs);
		EXPECT_EQ(-alert,
			  ktlso_session_read(p->s, buf, sizeof(buf), &n));
	}
	expect_alerted(_metadata, p->c, p->s, alert);
	EXPECT_EQ(1, p->clog.errors);
	EXPECT_NE(NULL, strstr(p->clog.last_error, why))
		TH_LOG("client: %s", p->clog.last_error);
	EXPECT_EQ(0, got->n);
}

/* A ticket from a full handshake that nothing rewrote, into @t. */
static void ticket(struct __test_metadata *_metadata,
		   FIXTURE_DATA(resume12) *self, struct ktlso_client_ticket *t)
{
	self->h.action = KEEP;
	full(_metadata, &self->p, &self->got);
	*t = self->got.t[0];
}

/* RFC 5077 3.3: one NewSessionTicket, and only one. */
TEST_F(resume12, new_session_ticket_twice)
{
	struct ktlso_client_ticket t;

	ticket(_metadata, self, &t);
	self->h.type = KTLSO_HS_NEW_SESSION_TICKET;
	self->h.action = DUPLICATE;
	client_refuses(_metadata, &self->p, &self->got, NULL,
		       KTLSO_ALERT_UNEXPECTED_MESSAGE, "a second one");
	client_refuses(_metadata, &self->p, &self->got, &t,
		       KTLSO_ALERT_UNEXPECTED_MESSAGE, "a second one");
	ktlso_client_ticket_clear(&t);
}

/* RFC 5077 3.3: announced in the ServerHello, it must come (if empty). */
TEST_F(resume12, new_session_ticket_announced_not_sent)
{
	struct ktlso_client_ticket t;

	ticket(_metadata, self, &t);
	self->h.type = KTLSO_HS_NEW_SESSION_TICKET;
	self->h.action = DROP;
	client_refuses(_metadata, &self->p, &self->got, NULL,
		       KTLSO_ALERT_UNEXPECTED_MESSAGE,
		       "before the NewSessionTicket announced");
	client_refuses(_metadata, &self->p, &self->got, &t,
		       KTLSO_ALERT_UNEXPECTED_MESSAGE,
		       "before the NewSessionTicket announced");
	ktlso_client_ticket_clear(&t);
}

/* RFC 5246 7.4.1.3: a resumed session keeps its suite. */
TEST_F(resume12, resuming_server_hello_other_suite)
{
	struct ktlso_client_ticket t;

	ticket(_metadata, self, &t);
	ASSERT_EQ(0xc02b, t.suite);
	/* Offered by the client, so only the resumption rule refuses it. */
	self->h.type = KTLSO_HS_SERVER_HELLO;
	self->h.action = SH_SUITE;
	self->h.suite = 0xc02c;
	client_refuses(_metadata, &self->p, &self->got, &t,
		       KTLSO_ALERT_ILLEGAL_PARAMETER, "another suite");
	ktlso_client_ticket_clear(&t);
}

/*
 * RFC 7627 5.3: a resuming ServerHello without the extended master
 * secret is refused, by a client that requires it anyway and by one that
 * would make a full handshake without it: its session had one.
 */
TEST_F(resume12, resuming_server_hello_without_ems)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	ticket(_metadata, self, &t);
	self->h.type = KTLSO_HS_SERVER_HELLO;
	self->h.action = SH_NO_EMS;
	client_refuses(_metadata, p, &self->got, &t,
		       KTLSO_ALERT_HANDSHAKE_FAILURE,
		       "server does not support the extended master secret");
	p->ccfg.ems = KTLSO_EMS_PREFERRED;
	client_refuses(_metadata, p, &self->got, &t,
		       KTLSO_ALERT_HANDSHAKE_FAILURE,
		       "resumes without the extended master secret");
	ktlso_client_ticket_clear(&t);
}

/*
 * The ticket comes before the server's Finished: if that does not verify,
 * the ticket is not delivered, in a full handshake or a resumed one.
 */
TEST_F(resume12, bad_server_finished_no_ticket)
{
	struct ktlso_client_ticket t;

	ticket(_metadata, self, &t);
	self->h.type = KTLSO_HS_FINISHED;
	self->h.action = FLIP_LAST;	/* in verify_data */
	client_refuses(_metadata, &self->p, &self->got, NULL,
		       KTLSO_ALERT_DECRYPT_ERROR, "Finished is wrong");
	client_refuses(_metadata, &self->p, &self->got, &t,
		       KTLSO_ALERT_DECRYPT_ERROR, "Finished is wrong");
	ktlso_client_ticket_clear(&t);
}

/* --- across versions ------------------------------------------------------ */

/*
 * A server that could do TLS 1.3 resumes a TLS 1.2-only client: its
 * abbreviated ServerHello has the downgrade sentinel, as every TLS 1.2
 * ServerHello of such a server, and only a client that offered TLS 1.3
 * may refuse it (RFC 8446 4.1.3).
 */
TEST_F(resume12, tls13_server_resumes_tls12_client)
{
	struct hs_pair *p = &self->p;
	struct ktlso_tls12_server_hello sh;
	struct ktlso_client_ticket t;

	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	full(_metadata, p, &self->got);
	t = self->got.t[0];
	sent_server_hello(_metadata, &self->h, &sh);
	EXPECT_EQ(1, ktlso_tls12_downgrade_sentinel(sh.random));
	EXPECT_EQ(0u, sh.session_id.len);
	handshake(_metadata, p, &self->got, &t, true, 1);
	sent_server_hello(_metadata, &self->h, &sh);
	EXPECT_EQ(1, ktlso_tls12_downgrade_sentinel(sh.random));
	EXPECT_EQ(32u, sh.session_id.len);
	ktlso_client_ticket_clear(&t);
}

/*
 * A TLS 1.2-1.3 client without middlebox compatibility sends a session id
 * only for its TLS 1.2 ticket (RFC 5077 3.4). A TLS 1.2 server resumes
 * it; a TLS 1.3 server echoes the id in a full TLS 1.3 handshake, which
 * the client accepts, with TLS 1.3 tickets after it.
 */
TEST_F(resume12, tls13_client_offers_tls12_ticket)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	struct ktlso_tls12_server_hello sh;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.3"));
	p->ccfg.middlebox_compat = false;
	handshake(_metadata, p, &self->got, &t, true, 1);
	sent_server_hello(_metadata, &self->h, &sh);
	EXPECT_EQ(32u, sh.session_id.len);
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(sh.random));

	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	hs_pair_reset(p);
	p->ccfg.resume = &t;
	self->got.n = 0;
	hs_pair_ok(_metadata, p);
	read_tickets(_metadata, p);
	results_agree(_metadata, p, false);
	/* legacy_session_id_echo: after type, length, version and random. */
	ASSERT_LT(4u + 2 + 32, self->h.sh_len);
	EXPECT_EQ(32, self->h.sh[4 + 2 + 32]);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_TLS13_VERSION, r.version);
	ktlso_session_result_clear(&r);
	ASSERT_EQ((int)p->scfg.n_tickets, self->got.n);
	EXPECT_EQ(KTLSO_TLS13_VERSION, self->got.t[0].version);
	ktlso_client_ticket_clear(&t);
}

/*
 * RFC 6066 3: a server acknowledges server_name in a full handshake and
 * not when it resumes; it still knows the name the session was made for.
 */
TEST_F(resume12, resuming_server_hello_without_server_name)
{
	struct hs_pair *p = &self->p;
	struct ktlso_tls12_server_hello sh;
	struct ktlso_session_result sr;
	struct ktlso_client_ticket t;

	full(_metadata, p, &self->got);
	t = self->got.t[0];
	sent_server_hello(_metadata, &self->h, &sh);
	EXPECT_TRUE(ktlso_ext_has(&sh.ext, KTLSO_EXT_SERVER_NAME));
	handshake(_metadata, p, &self->got, &t, true, 1);
	sent_server_hello(_metadata, &self->h, &sh);
	EXPECT_FALSE(ktlso_ext_has(&sh.ext, KTLSO_EXT_SERVER_NAME));
	EXPECT_TRUE(ktlso_ext_has(&sh.ext, KTLSO_EXT_SESSION_TICKET));
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	EXPECT_STREQ("server.example", sr.server_name);
	ktlso_session_result_clear(&sr);
	ktlso_client_ticket_clear(&t);
}

TEST_HARNESS_MAIN
