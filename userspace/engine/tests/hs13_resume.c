// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 resumption, engine client against engine server in memory:
 * tickets issued after a full handshake (their records counted in the
 * server's sequence numbers), received by the client's ticket callback,
 * and resumed; with HelloRetryRequest; client authentication carried
 * over; and each reason a ticket is not resumed (rotated-out key, other
 * context, expired, age off, ALPN, hash, a client without certificate
 * where one is required, psk_ke only) giving a full handshake, a tampered
 * binder giving decrypt_error; early data offered and skipped. A
 * client's tickets keep the time of the full handshake their chain of
 * resumptions began with (auth_ms), and one whose authentication is
 * seven days old, or inconsistent, is not offered. Also the ticket keys
 * (seal, open, rotation) and the client ticket's encoding (formats 2 and
 * 1).
 */
#include "kselftest_harness.h"

#include "engine/ticket.h"
#include "hs_test.h"
#include "resume_test.h"

FIXTURE(resume) {
	struct hs_pair p;
	struct ktlso_ticket_keys *keys;
	struct collected got;
	struct clocks clk;
};

FIXTURE_SETUP(resume)
{
	resume_pair_init(_metadata, &self->p, &self->keys, &self->got);
	clocks_attach(&self->p, &self->clk);
}

FIXTURE_TEARDOWN(resume)
{
	hs_pair_free(&self->p);
	ktlso_ticket_keys_free(self->keys);
	memset(&self->got, 0, sizeof(self->got));
	EXPECT_EQ(0, test_leaks());
}

/* A full handshake that leaves the client with the server's tickets. */
static void full_with_tickets(struct __test_metadata *_metadata,
			      struct hs_pair *p, struct collected *got)
{
	hs_pair_reset(p);
	p->ccfg.resume = NULL;
	got->n = 0;
	hs_pair_ok(_metadata, p);
	read_tickets(_metadata, p);
	results_agree(_metadata, p, false);
	ASSERT_EQ((int)p->scfg.n_tickets, got->n);
}

/* Then a handshake offering @t: resumed or full. */
static void again(struct __test_metadata *_metadata, struct hs_pair *p,
		  const struct ktlso_client_ticket *t, bool resumed)
{
	hs_pair_reset(p);
	p->ccfg.resume = t;
	hs_pair_ok(_metadata, p);
	read_tickets(_metadata, p);
	results_agree(_metadata, p, resumed);
}

TEST_F(resume, tickets_then_resumed)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result cr, sr;
	char identity[256];
	uint8_t buf[16];
	size_t n;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	/* The two tickets went under the application keys, counted. */
	EXPECT_EQ(2u, sr.tx_seq);
	EXPECT_EQ(0u, cr.rx_seq);
	snprintf(identity, sizeof(identity), "%s", cr.peer_identity);
	ASSERT_NE(0, identity[0]);
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
	read_tickets(_metadata, p);
	ASSERT_EQ(2, self->got.n);
	EXPECT_EQ(KTLSO_TLS13_VERSION, self->got.t[0].version);
	EXPECT_STREQ("server.example", self->got.t[0].server_name);
	EXPECT_EQ(7200u, self->got.t[0].lifetime);
	EXPECT_NE(0, memcmp(self->got.t[0].psk, self->got.t[1].psk,
			    self->got.t[0].psk_len));
	results_agree(_metadata, p, false);

	again(_metadata, p, &self->got.t[1], true);
	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	EXPECT_TRUE(cr.peer_verified);
	EXPECT_STREQ(identity, cr.peer_identity);
	ktlso_session_result_clear(&cr);
	/* Application data flows; the resumed session issued tickets too. */
	ASSERT_EQ(0, ktlso_session_write(p->c, "ping", 4, &n));
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(0, ktlso_session_write(p->s, "pong", 4, &n));
	ASSERT_EQ(0, ktlso_session_read(p->c, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	EXPECT_EQ(4, self->got.n);
}

TEST_F(resume, after_hello_retry_request)
{
	struct hs_pair *p = &self->p;
	static const uint16_t p256[] = { 0x0017 };

	full_with_tickets(_metadata, p, &self->got);
	/* The client's one share is x25519; the server takes P-256 only. */
	memcpy(p->scfg.groups, p256, sizeof(p256));
	p->scfg.n_groups = 1;
	again(_metadata, p, &self->got.t[0], true);
}

TEST_F(resume, client_certificate_carried_over)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result sr;

	p->scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	p->ccfg.creds = &p->client;
	p->ccfg.n_creds = 1;
	full_with_tickets(_metadata, p, &self->got);
	again(_metadata, p, &self->got.t[0], true);
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	EXPECT_TRUE(sr.peer_verified);
	EXPECT_NE(NULL, strstr(sr.peer_identity, "client.example"));
	ktlso_session_result_clear(&sr);
}

TEST_F(resume, no_certificate_not_resumed_where_required)
{
	struct hs_pair *p = &self->p;

	p->scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	full_with_tickets(_metadata, p, &self->got);
	/* Now the profile requires one: a full handshake, with one. */
	p->scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	p->ccfg.creds = &p->client;
	p->ccfg.n_creds = 1;
	again(_metadata, p, &self->got.t[0], false);
}

TEST_F(resume, rotation)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full_with_tickets(_metadata, p, &self->got);
	t = self->got.t[0];
	/* One rotation: the key is a previous one, which still opens. */
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->keys, NULL));
	again(_metadata, p, &t, true);
	/* Two: it is gone (keep is 1), a full handshake. */
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->keys, NULL));
	again(_metadata, p, &t, false);
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume, other_context_not_resumed)
{
	struct hs_pair *p = &self->p;

	full_with_tickets(_metadata, p, &self->got);
	p->scfg.ticket_context = "profile-b";
	again(_metadata, p, &self->got.t[0], false);
}

TEST_F(resume, expired_not_offered)
{
	struct hs_pair *p = &self->p;

	full_with_tickets(_metadata, p, &self->got);
	self->clk.client += 7200 * 1000ull;
	self->clk.server += 7200 * 1000ull;
	again(_metadata, p, &self->got.t[0], false);
}

TEST_F(resume, expired_on_the_server_not_resumed)
{
	struct hs_pair *p = &self->p;

	full_with_tickets(_metadata, p, &self->got);
	/* The client thinks it fresh; the server's clock says otherwise. */
	self->clk.server += 7201 * 1000ull;
	again(_metadata, p, &self->got.t[0], false);
}

TEST_F(resume, age_off_not_resumed)
{
	struct hs_pair *p = &self->p;

	full_with_tickets(_metadata, p, &self->got);
	self->clk.server += 11 * 1000;	/* tolerance 10 s */
	again(_metadata, p, &self->got.t[0], false);
	self->clk.client += 2 * 1000;	/* 9 s apart: within it */
	again(_metadata, p, &self->got.t[0], true);
}

TEST_F(resume, other_alpn_not_resumed)
{
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, ktlso_config_set_alpn(&p->scfg, "h2,http/1.1"));
	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "h2"));
	full_with_tickets(_metadata, p, &self->got);
	EXPECT_STREQ("h2", self->got.t[0].alpn);
	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "http/1.1"));
	again(_metadata, p, &self->got.t[0], false);
}

TEST_F(resume, other_hash_not_resumed)
{
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
					     "TLS_AES_256_GCM_SHA384"));
	full_with_tickets(_metadata, p, &self->got);
	EXPECT_EQ(0x1302, self->got.t[0].suite);
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
					     "TLS_AES_128_GCM_SHA256"));
	again(_metadata, p, &self->got.t[0], false);
	/* Same hash, another suite: resumed with the server's choice. */
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
					     "TLS_AES_256_GCM_SHA384"));
	full_with_tickets(_metadata, p, &self->got);
	ASSERT_EQ(0, ktlso_config_set_suites(&p->ccfg,
					     "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"));
	again(_metadata, p, &self->got.t[0], true);
}

TEST_F(resume, authentication_not_carried_past_the_lifetime)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full_with_tickets(_metadata, p, &self->got);
	t = self->got.t[0];
	/* Resumed 7000 s later: the new tickets end with the first's. */
	self->clk.client += 7000 * 1000ull;
	self->clk.server += 7000 * 1000ull;
	self->got.n = 0;
	again(_metadata, p, &t, true);
	ASSERT_EQ(2, self->got.n);
	EXPECT_EQ(200u, self->got.t[0].lifetime);
	/* A shorter ticket_lifetime now: the old authentication is refused. */
	p->scfg.ticket_lifetime = 3600;
	again(_metadata, p, &self->got.t[1], false);
	ktlso_client_ticket_clear(&t);
}

/* A resumed session's tickets: of the first full handshake's authentication. */
TEST_F(resume, resumed_tickets_keep_the_first_authentication)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;
	uint64_t first = self->clk.client;

	/* The tickets read 5 s after the handshake: auth_ms is its time. */
	hs_pair_reset(p);
	p->ccfg.resume = NULL;
	hs_pair_ok(_metadata, p);
	self->clk.client += 5000;
	read_tickets(_metadata, p);
	ASSERT_EQ(2, self->got.n);
	EXPECT_EQ(first, self->got.t[0].auth_ms);
	EXPECT_EQ(first, self->got.t[1].auth_ms);
	EXPECT_EQ(first + 5000, self->got.t[0].received_ms);
	t = self->got.t[0];
	/* Resumed 1000 s later: received then, authenticated at first. */
	self->clk.client += 1000 * 1000ull;
	self->clk.server += 1005 * 1000ull;
	self->got.n = 0;
	again(_metadata, p, &t, true);
	ASSERT_EQ(2, self->got.n);
	EXPECT_EQ(self->clk.client, self->got.t[0].received_ms);
	EXPECT_EQ(first, self->got.t[0].auth_ms);
	EXPECT_EQ(first, self->got.t[1].auth_ms);
	/* And from one of those, again: still the first. */
	t = self->got.t[1];
	self->clk.client += 1000 * 1000ull;
	self->clk.server += 1000 * 1000ull;
	self->got.n = 0;
	again(_metadata, p, &t, true);
	ASSERT_EQ(2, self->got.n);
	EXPECT_EQ(first, self->got.t[0].auth_ms);
	/* A full handshake begins a new chain. */
	full_with_tickets(_metadata, p, &self->got);
	EXPECT_EQ(self->clk.client, self->got.t[0].auth_ms);
	EXPECT_LT(first, self->got.t[0].auth_ms);
	ktlso_client_ticket_clear(&t);
}

/*
 * RFC 8446 4.6.1: whatever its own lifetime, a ticket of an
 * authentication seven days old is not offered (the server here would
 * still resume it: its own record of the authentication is recent).
 */
TEST_F(resume, old_authentication_not_offered)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full_with_tickets(_metadata, p, &self->got);
	t = self->got.t[0];
	t.auth_ms = self->clk.client - KTLSO_TICKET_LIFETIME_MAX * 1000ull;
	again(_metadata, p, &t, false);
	EXPECT_NE(NULL, strstr(p->clog.all,
			       "ticket not offered: of an authentication older than seven days"));
	/* A millisecond younger: offered, and resumed. */
	t.auth_ms++;
	again(_metadata, p, &t, true);
	EXPECT_EQ(NULL, strstr(p->clog.all, "ticket not offered"));
	/* Authenticated after it was received: inconsistent, not offered. */
	t.auth_ms = t.received_ms + 1;
	again(_metadata, p, &t, false);
	EXPECT_NE(NULL, strstr(p->clog.all,
			       "ticket not offered: of an authentication after its receipt"));
	ktlso_client_ticket_clear(&t);
}

TEST_F(resume, unverified_session_not_offered_by_a_verifying_client)
{
	struct hs_pair *p = &self->p;

	p->ccfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	full_with_tickets(_metadata, p, &self->got);
	EXPECT_FALSE(self->got.t[0].peer_verified);
	p->ccfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	again(_metadata, p, &self->got.t[0], false);
}

/* RFC 8446 9.2: a ClientHello offering a PSK may omit signature_algorithms. */
static void drop_sigalgs(void *arg, struct ktlso_client_hello *ch)
{
	size_t i, n = 0;

	(void)arg;
	for (i = 0; i < ch->ext.n; i++)
		if (ch->ext.order[i] != KTLSO_EXT_SIGNATURE_ALGORITHMS)
			ch->ext.order[n++] = ch->ext.order[i];
	ch->ext.n = (uint8_t)n;
	ch->ext.present &= ~KTLSO_EXT_BIT(KTLSO_EXT_SIGNATURE_ALGORITHMS);
}

TEST_F(resume, without_signature_algorithms)
{
	struct hs_pair *p = &self->p;

	full_with_tickets(_metadata, p, &self->got);
	p->ccfg.test.client_hello = drop_sigalgs;
	again(_metadata, p, &self->got.t[0], true);
}

static void psk_ke_only(void *arg, struct ktlso_client_hello *ch)
{
	(void)arg;
	ch->psk_modes = KTLSO_PSK_KE_BIT;
}

TEST_F(resume, psk_ke_only_neither_resumed_nor_ticketed)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full_with_tickets(_metadata, p, &self->got);
	t = self->got.t[0];
	p->ccfg.test.client_hello = psk_ke_only;
	self->got.n = 0;
	again(_metadata, p, &t, false);
	read_tickets(_metadata, p);
	EXPECT_EQ(0, self->got.n);
	ktlso_client_ticket_clear(&t);
}

/* The ClientHello's last byte is its binder's. */
static int flip_binder(void *arg, bool server, uint8_t *msg, size_t *len,
		       size_t cap)
{
	(void)arg;
	(void)cap;
	if (!server && msg[0] == KTLSO_HS_CLIENT_HELLO)
		msg[*len - 1] ^= 1;
	return 0;
}

TEST_F(resume, tampered_binder_is_decrypt_error)
{
	struct hs_pair *p = &self->p;

	full_with_tickets(_metadata, p, &self->got);
	hs_pair_reset(p);
	p->ccfg.resume = &self->got.t[0];
	p->ccfg.test.message_out = flip_binder;
	ASSERT_EQ(0, hs_pair_start(p));
	EXPECT_NE(0, hs_pair_run(p));
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR, p->rs);
	expect_alerted(_metadata, p->s, p->c, KTLSO_ALERT_DECRYPT_ERROR);
	EXPECT_NE(NULL, strstr(p->slog.last_error, "binder"));
}

TEST_F(resume, foreign_ticket_is_a_full_handshake)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t;

	full_with_tickets(_metadata, p, &self->got);
	t = self->got.t[0];
	t.ticket[20] ^= 1;		/* sealed part: does not open */
	again(_metadata, p, &t, false);
	t = self->got.t[0];
	t.ticket[0] ^= 1;		/* key name: not ours */
	again(_metadata, p, &t, false);
	ktlso_client_ticket_clear(&t);
}

/* early_data goes before pre_shared_key, which stays last. */
static void offer_early_data(void *arg, struct ktlso_client_hello *ch)
{
	(void)arg;
	if (ch->ext.order[ch->ext.n - 1] != KTLSO_EXT_PRE_SHARED_KEY)
		return;
	ch->ext.order[ch->ext.n - 1] = KTLSO_EXT_EARLY_DATA;
	ch->ext.present |= KTLSO_EXT_BIT(KTLSO_EXT_EARLY_DATA);
	ch->ext.order[ch->ext.n++] = KTLSO_EXT_PRE_SHARED_KEY;
}

/* A record that looks like 0-RTT data: no key of the server opens it. */
static void push_early_record(struct pipe *wire, size_t len)
{
	uint8_t rec[5 + 512];

	memset(rec, 0x5a, sizeof(rec));
	rec[0] = KTLSO_CONTENT_APPLICATION_DATA;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(len >> 8);
	rec[4] = (uint8_t)len;
	pipe_push(wire, rec, 5 + len);
}

/* A resuming ClientHello offering early data is sent; the server waits. */
static void start_with_early_data(struct __test_metadata *_metadata,
				  struct hs_pair *p, struct collected *got)
{
	full_with_tickets(_metadata, p, got);
	hs_pair_reset(p);
	p->ccfg.resume = &got->t[0];
	p->ccfg.test.client_hello = offer_early_data;
	ASSERT_EQ(0, hs_pair_start(p));
	/* ClientHello and the compatibility CCS. */
	EXPECT_EQ(KTLSO_WANT_READ, ktlso_session_handshake(p->c));
}

TEST_F(resume, early_data_offered_is_skipped)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[16];
	size_t n;

	start_with_early_data(_metadata, p, &self->got);
	push_early_record(&p->c2s, 300);
	push_early_record(&p->c2s, 512);
	ASSERT_EQ(0, hs_pair_run(p))
		TH_LOG("client %s (%s), server %s (%s)",
		       ktlso_session_strerror(p->rc), p->clog.last_error,
		       ktlso_session_strerror(p->rs), p->slog.last_error);
	read_tickets(_metadata, p);
	results_agree(_metadata, p, true);
	ASSERT_EQ(0, ktlso_session_write(p->c, "1-RTT", 5, &n));
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	EXPECT_EQ(5u, n);
}

TEST_F(resume, too_much_early_data_is_refused)
{
	struct hs_pair *p = &self->p;
	int i;

	start_with_early_data(_metadata, p, &self->got);
	for (i = 0; i <= KTLSO_EARLY_DATA_SKIP_MAX / 512; i++)
		push_early_record(&p->c2s, 512);
	EXPECT_NE(0, hs_pair_run(p));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE, p->rs);
}

/* --- the pieces ----------------------------------------------------------- */

TEST(ticket_keys)
{
	struct ktlso_ticket_key key = { .name = "0123456789abcdef" };
	struct ktlso_ticket_keys *k;
	uint8_t ticket[64 + KTLSO_TICKET_OVERHEAD], out[64];
	size_t len, n;

	ASSERT_EQ(0, ktlso_ticket_keys_new(&k, 0));
	/* No key yet: nothing sealed. */
	EXPECT_EQ(1, ktlso_ticket_seal(k, (const uint8_t *)"c", 1,
				       (const uint8_t *)"state", 5, ticket,
				       sizeof(ticket), &len));
	memset(key.secret, 7, sizeof(key.secret));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(k, &key));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_ticket_keys_rotate(k, &key));
	ASSERT_EQ(0, ktlso_ticket_seal(k, (const uint8_t *)"c", 1,
				       (const uint8_t *)"state", 5, ticket,
				       sizeof(ticket), &len));
	EXPECT_EQ(5u + KTLSO_TICKET_OVERHEAD, len);
	EXPECT_EQ(0, memcmp(ticket, key.name, KTLSO_TICKET_KEY_NAME_LEN));
	ASSERT_EQ(0, ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket, len,
				       out, sizeof(out), &n));
	ASSERT_EQ(5u, n);
	EXPECT_EQ(0, memcmp(out, "state", 5));
	/* Another context, a flipped bit, a short ticket: not ours. */
	EXPECT_EQ(1, ktlso_ticket_open(k, (const uint8_t *)"d", 1, ticket, len,
				       out, sizeof(out), &n));
	ticket[len - 1] ^= 1;
	EXPECT_EQ(1, ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket, len,
				       out, sizeof(out), &n));
	EXPECT_EQ(1, ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket,
				       KTLSO_TICKET_OVERHEAD, out, sizeof(out),
				       &n));
	/* keep 0: a rotation retires the key at once. */
	ticket[len - 1] ^= 1;
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(k, NULL));
	EXPECT_EQ(1, ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket, len,
				       out, sizeof(out), &n));
	/* keep 1: the previous key opens, until keep goes back to 0. */
	ASSERT_EQ(0, ktlso_ticket_keys_set_keep(k, 1));
	ASSERT_EQ(0, ktlso_ticket_seal(k, (const uint8_t *)"c", 1,
				       (const uint8_t *)"state", 5, ticket,
				       sizeof(ticket), &len));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(k, NULL));
	EXPECT_EQ(0, ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket, len,
				       out, sizeof(out), &n));
	ASSERT_EQ(0, ktlso_ticket_keys_set_keep(k, 0));
	EXPECT_EQ(1, ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket, len,
				       out, sizeof(out), &n));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_ticket_keys_set_keep(k, KTLSO_TICKET_KEEP_MAX + 1));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_ticket_keys_new(&k, KTLSO_TICKET_KEEP_MAX + 1));
	ktlso_ticket_keys_free(k);
}

/* Seal "state" with @k into @ticket (@len); 0 or the error. */
static int seal_state(struct ktlso_ticket_keys *k, uint8_t *ticket,
		      size_t *len)
{
	return ktlso_ticket_seal(k, (const uint8_t *)"c", 1,
				 (const uint8_t *)"state", 5, ticket,
				 5 + KTLSO_TICKET_OVERHEAD, len);
}

static int open_state(struct ktlso_ticket_keys *k, const uint8_t *ticket,
		      size_t len)
{
	uint8_t out[16];
	size_t n;

	return ktlso_ticket_open(k, (const uint8_t *)"c", 1, ticket, len, out,
				 sizeof(out), &n);
}

TEST(ticket_keys_install)
{
	struct ktlso_ticket_key keys[KTLSO_TICKET_INSTALL_MAX + 1], two[2];
	uint8_t ta[5 + KTLSO_TICKET_OVERHEAD], tb[sizeof(ta)];
	struct ktlso_ticket_keys *k;
	size_t la, lb, i;

	memset(keys, 0, sizeof(keys));
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		keys[i].name[0] = (uint8_t)(i + 1);
		memset(keys[i].secret, (int)i + 1, sizeof(keys[i].secret));
	}
	ASSERT_EQ(0, ktlso_ticket_keys_new(&k, 0));
	/* A alone: it seals. */
	ASSERT_EQ(0, ktlso_ticket_keys_install(k, &keys[0], 1));
	ASSERT_EQ(0, seal_state(k, ta, &la));
	EXPECT_EQ(keys[0].name[0], ta[0]);
	/* B current, A still opens (whatever keep says). */
	two[0] = keys[1];
	two[1] = keys[0];
	ASSERT_EQ(0, ktlso_ticket_keys_install(k, two, 2));
	ASSERT_EQ(0, seal_state(k, tb, &lb));
	EXPECT_EQ(keys[1].name[0], tb[0]);
	EXPECT_EQ(0, open_state(k, ta, la));
	EXPECT_EQ(0, open_state(k, tb, lb));
	/* C alone: neither opens any more. */
	ASSERT_EQ(0, ktlso_ticket_keys_install(k, &keys[2], 1));
	EXPECT_EQ(1, open_state(k, ta, la));
	EXPECT_EQ(1, open_state(k, tb, lb));
	/* Bad sets change nothing. */
	two[0] = keys[0];
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_ticket_keys_install(k, two, 2));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_ticket_keys_install(k, keys, 0));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_ticket_keys_install(k, keys, ARRAY_SIZE(keys)));
	ASSERT_EQ(0, seal_state(k, ta, &la));
	EXPECT_EQ(keys[2].name[0], ta[0]);
	/* The most it holds; a rotation then trims to keep (0). */
	ASSERT_EQ(0, ktlso_ticket_keys_install(k, keys,
					       KTLSO_TICKET_INSTALL_MAX));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(k, NULL));
	EXPECT_EQ(1, open_state(k, ta, la));
	ktlso_ticket_keys_free(k);
	OPENSSL_cleanse(keys, sizeof(keys));
	OPENSSL_cleanse(two, sizeof(two));
}

TEST(client_ticket_encoding)
{
	struct ktlso_client_ticket t, back;
	uint8_t buf[sizeof(t) + 64], v1[sizeof(buf)];
	size_t len, cut, auth;

	memset(&t, 0, sizeof(t));
	t.version = KTLSO_TLS13_VERSION;
	t.suite = 0x1301;
	t.psk_len = 32;
	memset(t.psk, 0xaa, 32);
	t.age_add = 0x01020304;
	t.lifetime = 7200;
	t.received_ms = 1700000000123ull;
	t.auth_ms = 1699999000456ull;
	snprintf(t.server_name, sizeof(t.server_name), "server.example");
	snprintf(t.alpn, sizeof(t.alpn), "h2");
	t.peer_verified = true;
	snprintf(t.peer_identity, sizeof(t.peer_identity), "CN=server.example");
	t.ticket_len = 100;
	memset(t.ticket, 0x55, 100);
	ASSERT_EQ(0, ktlso_client_ticket_encode(&t, buf, sizeof(buf), &len));
	ASSERT_EQ(0, ktlso_client_ticket_decode(&back, buf, len));
	EXPECT_EQ(0, memcmp(&t, &back, sizeof(t)));
	EXPECT_EQ(1699999000456ull, back.auth_ms);
	/* Format 1: no auth_ms (after received_ms); it is received_ms. */
	auth = 7 + 1 + 2 + 2 + 1 + t.psk_len + 4 + 4 + 8;
	memcpy(v1, buf, auth);
	memcpy(v1 + auth, buf + auth + 8, len - auth - 8);
	EXPECT_EQ(2, v1[7]);
	v1[7] = 1;
	ASSERT_EQ(0, ktlso_client_ticket_decode(&back, v1, len - 8));
	EXPECT_EQ(t.received_ms, back.auth_ms);
	back.auth_ms = t.auth_ms;
	EXPECT_EQ(0, memcmp(&t, &back, sizeof(t)));
	/* Each format's bytes under the other's number; an unknown one. */
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_client_ticket_decode(&back, buf, len - 8));
	buf[7] = 1;
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_client_ticket_decode(&back, buf, len));
	v1[7] = 2;
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_client_ticket_decode(&back, v1, len - 8));
	buf[7] = 3;
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_client_ticket_decode(&back, buf, len));
	buf[7] = 2;
	ASSERT_EQ(0, ktlso_client_ticket_decode(&back, buf, len));
	/* Every truncation, and a byte more, is refused. */
	for (cut = 0; cut < len; cut++)
		EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
			  ktlso_client_ticket_decode(&back, buf, cut));
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_client_ticket_decode(&back, buf, len + 1));
	buf[0] ^= 1;
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_client_ticket_decode(&back, buf, len));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_client_ticket_encode(&t, buf, 40, &len));
}

TEST_HARNESS_MAIN
