// SPDX-License-Identifier: GPL-2.0
/*
 * A TLS 1.3 client's tickets after the hand-off (engine.h:
 * ktlso_session_resumption(), ktlso_resumption_tickets()), engine client
 * against engine server in memory. The server's NewSessionTickets are
 * taken out of its real post-handshake records, opened with the client's
 * exported receive keys as the kernel would, and turned into tickets
 * apart from the session: they must be the tickets the session's own
 * ticket callback gets from the same records, and must resume. Then the
 * states without a resumption, and the faults of the messages (cut
 * short, another type, malformed), the tickets not kept (zero lifetime,
 * too long) and empty input, each checked against the session's path;
 * the bound on the tickets kept (max), past which nothing is looked at.
 * A resumed session's tickets keep the first full handshake's auth_ms,
 * as the session's own do.
 */
#include <limits.h>

#include "kselftest_harness.h"

#include "engine/ticket.h"
#include "hs_test.h"
#include "resume_test.h"

FIXTURE(detached) {
	struct hs_pair p;
	struct ktlso_ticket_keys *keys;
	struct collected got;		/* the session's ticket callback */
	struct collected det;		/* ktlso_resumption_tickets()'s */
	struct clocks clk;
};

FIXTURE_SETUP(detached)
{
	resume_pair_init(_metadata, &self->p, &self->keys, &self->got);
	clocks_attach(&self->p, &self->clk);
	ASSERT_EQ(0, ktlso_config_set_alpn(&self->p.scfg, "h2,http/1.1"));
	ASSERT_EQ(0, ktlso_config_set_alpn(&self->p.ccfg, "h2"));
}

FIXTURE_TEARDOWN(detached)
{
	hs_pair_free(&self->p);
	ktlso_ticket_keys_free(self->keys);
	OPENSSL_cleanse(&self->got, sizeof(self->got));
	OPENSSL_cleanse(&self->det, sizeof(self->det));
	EXPECT_EQ(0, test_leaks());
}

/* --- helpers -------------------------------------------------------------- */

#define MAX_RECORDS 8

/* The plaintext of the server's records, and where each record's ends. */
struct plain {
	uint8_t buf[2 * KTLSO_MAX_PLAINTEXT_LEN];
	size_t len;
	size_t end[MAX_RECORDS];
	int n;
};

/*
 * The server's records pending for the client, opened with the client's
 * exported receive keys (@cr: what the kernel's TLS_RX would get) and
 * left in the pipe for the session to read too.
 */
static void open_server_records(struct __test_metadata *_metadata,
				struct hs_pair *p,
				const struct ktlso_session_result *cr,
				struct plain *pl)
{
	const uint8_t *d = pipe_data(&p->s2c);
	size_t left = pipe_pending(&p->s2c), rlen, n;
	struct ktlso_record_protection rp;
	uint8_t type;
	int ret = 0;

	memset(pl, 0, sizeof(*pl));
	ASSERT_EQ(0, ci_record(&cr->rx, cr->suite, false, &rp));
	while (ret == 0 && left >= KTLSO_RECORD_HEADER_LEN &&
	       pl->n < MAX_RECORDS) {
		rlen = KTLSO_RECORD_HEADER_LEN + ((size_t)d[3] << 8 | d[4]);
		if (rlen > left)
			break;
		ret = ktlso_record_open(&rp, d, rlen, &type, pl->buf + pl->len,
					sizeof(pl->buf) - pl->len, &n);
		if (ret == 0 && type != KTLSO_CONTENT_HANDSHAKE)
			ret = -1;
		pl->len += n;
		pl->end[pl->n++] = pl->len;
		d += rlen;
		left -= rlen;
	}
	ktlso_record_clear(&rp);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0u, left);
}

/* The server's "kernel" (@k) sends @msg, one record, to the client. */
static void server_sends(struct __test_metadata *_metadata, struct hs_pair *p,
			 struct connected *k, const uint8_t *msg, size_t len)
{
	static uint8_t rec[KTLSO_MAX_RECORD_LEN];
	size_t n;

	ASSERT_EQ(0, ktlso_record_seal(&k->s_tx, KTLSO_CONTENT_HANDSHAKE, msg,
				       len, 0, rec, sizeof(rec), &n));
	pipe_push(&p->s2c, rec, n);
}

/* Every field of two tickets. */
static void same_ticket(struct __test_metadata *_metadata,
			const struct ktlso_client_ticket *a,
			const struct ktlso_client_ticket *b)
{
	EXPECT_EQ(a->version, b->version);
	EXPECT_EQ(a->suite, b->suite);
	ASSERT_EQ(a->psk_len, b->psk_len);
	EXPECT_EQ(0, memcmp(a->psk, b->psk, a->psk_len));
	EXPECT_EQ(a->age_add, b->age_add);
	EXPECT_EQ(a->lifetime, b->lifetime);
	EXPECT_EQ(a->received_ms, b->received_ms);
	EXPECT_EQ(a->auth_ms, b->auth_ms);
	EXPECT_STREQ(a->server_name, b->server_name);
	EXPECT_STREQ(a->alpn, b->alpn);
	EXPECT_EQ(a->peer_verified, b->peer_verified);
	EXPECT_STREQ(a->peer_identity, b->peer_identity);
	ASSERT_EQ(a->ticket_len, b->ticket_len);
	EXPECT_EQ(0, memcmp(a->ticket, b->ticket, a->ticket_len));
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

/* A handshake offering @t; it must complete, resumed or not. */
static void offer(struct __test_metadata *_metadata, struct hs_pair *p,
		  const struct ktlso_client_ticket *t, bool resumed)
{
	hs_pair_reset(p);
	p->ccfg.resume = t;
	hs_pair_ok(_metadata, p);
	read_tickets(_metadata, p);
	results_agree(_metadata, p, resumed);
}

/*
 * A handshake (resuming @t when not NULL); the client's resumption
 * checked against its result; the server's tickets turned into client
 * tickets both ways (self->det apart from the session, self->got through
 * the session) and compared; @pl keeps their plaintext.
 */
static void both_ways(struct __test_metadata *_metadata,
		      FIXTURE_DATA(detached) *self,
		      const struct ktlso_client_ticket *t, struct connected *k,
		      struct plain *pl)
{
	struct hs_pair *p = &self->p;
	const struct ktlso_suite *suite;
	struct ktlso_resumption r;
	int i, n;

	hs_pair_reset(p);
	p->ccfg.resume = t;
	self->got.n = self->det.n = 0;
	connect_pair(_metadata, p, k);
	EXPECT_EQ(t != NULL, k->cr.resumed);

	ASSERT_EQ(0, ktlso_session_resumption(p->c, &r));
	suite = ktlso_suite_find(k->cr.suite);
	ASSERT_NE(NULL, suite);
	EXPECT_EQ(k->cr.suite, r.suite);
	EXPECT_EQ(ktlso_hash_len(suite->hash), r.secret_len);
	EXPECT_FALSE(all_zero(r.secret, r.secret_len));
	EXPECT_TRUE(all_zero(r.secret + r.secret_len,
			     sizeof(r.secret) - r.secret_len));
	EXPECT_STREQ(p->ccfg.server_name, r.server_name);
	EXPECT_STREQ(k->cr.alpn, r.alpn);
	EXPECT_EQ(k->cr.peer_verified, r.peer_verified);
	EXPECT_STREQ(k->cr.peer_identity, r.peer_identity);
	/* This full handshake's time, or the resumed ticket's. */
	EXPECT_EQ(t ? t->auth_ms : self->clk.client, r.auth_ms);

	/* The server's tickets, as its records' plaintext, apart. */
	open_server_records(_metadata, p, &k->cr, pl);
	ASSERT_EQ((int)p->scfg.n_tickets, pl->n);
	n = ktlso_resumption_tickets(&r, pl->buf, pl->len, self->clk.client,
				     MAX_TICKETS, collect, &self->det);
	ktlso_resumption_clear(&r);
	EXPECT_TRUE(all_zero(&r, sizeof(r)));
	ASSERT_EQ((int)p->scfg.n_tickets, n);
	ASSERT_EQ(n, self->det.n);

	/* The same records, read by the session. */
	read_tickets(_metadata, p);
	ASSERT_EQ(n, self->got.n);
	for (i = 0; i < n; i++)
		same_ticket(_metadata, &self->got.t[i], &self->det.t[i]);
	EXPECT_NE(0, memcmp(self->det.t[0].psk, self->det.t[1].psk,
			    self->det.t[0].psk_len));
}

/* Full handshake, tickets both ways, each detached one resumes. */
static void detached_tickets_resume(struct __test_metadata *_metadata,
				    FIXTURE_DATA(detached) *self)
{
	struct hs_pair *p = &self->p;
	struct ktlso_client_ticket t[2];
	uint64_t first = self->clk.client;
	struct connected k;
	struct plain pl;

	both_ways(_metadata, self, NULL, &k, &pl);
	disconnect(&k);
	EXPECT_EQ(first, self->det.t[0].auth_ms);
	EXPECT_EQ(first, self->det.t[1].auth_ms);
	t[0] = self->det.t[0];
	t[1] = self->det.t[1];
	offer(_metadata, p, &t[0], true);
	offer(_metadata, p, &t[1], true);
	/*
	 * A resumed session's later tickets too, 1000 s on: received then,
	 * of the first authentication; and they resume again.
	 */
	self->clk.client += 1000 * 1000ull;
	self->clk.server += 1000 * 1000ull;
	both_ways(_metadata, self, &t[0], &k, &pl);
	disconnect(&k);
	EXPECT_EQ(self->clk.client, self->det.t[0].received_ms);
	EXPECT_EQ(first, self->det.t[0].auth_ms);
	EXPECT_EQ(first, self->det.t[1].auth_ms);
	t[0] = self->det.t[1];
	offer(_metadata, p, &t[0], true);
	OPENSSL_cleanse(t, sizeof(t));
}

/* --- the tickets the session would have had ------------------------------- */

TEST_F(detached, same_tickets_and_they_resume)
{
	detached_tickets_resume(_metadata, self);
	EXPECT_STREQ("h2", self->det.t[0].alpn);
	EXPECT_TRUE(self->det.t[0].peer_verified);
	EXPECT_EQ(0x1301, self->det.t[0].suite);
}

TEST_F(detached, same_tickets_sha384)
{
	ASSERT_EQ(0, ktlso_config_set_suites(&self->p.scfg,
					     "TLS_AES_256_GCM_SHA384"));
	detached_tickets_resume(_metadata, self);
	EXPECT_EQ(0x1302, self->det.t[0].suite);
	EXPECT_EQ(48, self->det.t[0].psk_len);
}

TEST_F(detached, same_tickets_unverified_server)
{
	self->p.ccfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	detached_tickets_resume(_metadata, self);
	EXPECT_FALSE(self->det.t[0].peer_verified);
}

/* --- no resumption to take ------------------------------------------------ */

/* ktlso_session_resumption() of @s is STATE, and leaves @r all zero. */
static void no_resumption(struct __test_metadata *_metadata,
			  const struct ktlso_session *s)
{
	struct ktlso_resumption r;

	memset(&r, 0xa5, sizeof(r));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_resumption(s, &r));
	EXPECT_TRUE(all_zero(&r, sizeof(r)));
	/* And that is no resumption to make tickets with. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_resumption_tickets(&r, NULL, 0, 0, 1, collect, NULL));
}

TEST_F(detached, server_session)
{
	hs_pair_ok(_metadata, &self->p);
	no_resumption(_metadata, self->p.s);
}

TEST_F(detached, tls12_session)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result cr;

	p->ccfg.max_version = KTLSO_TLS12_VERSION;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	EXPECT_EQ(KTLSO_TLS12_VERSION, cr.version);
	ktlso_session_result_clear(&cr);
	/* It took its ticket in the handshake; no resumption after. */
	EXPECT_EQ(1, self->got.n);
	no_resumption(_metadata, p->c);
}

TEST_F(detached, client_without_ticket_callback)
{
	struct hs_pair *p = &self->p;
	struct ktlso_resumption r;

	/* The same client with one has a resumption: the callback decides. */
	hs_pair_ok(_metadata, p);
	EXPECT_EQ(0, ktlso_session_resumption(p->c, &r));
	ktlso_resumption_clear(&r);
	hs_pair_reset(p);
	p->ccfg.ticket = NULL;
	hs_pair_ok(_metadata, p);
	no_resumption(_metadata, p->c);
}

TEST_F(detached, handshake_not_complete)
{
	struct hs_pair *p = &self->p;
	struct ktlso_resumption r;

	ASSERT_EQ(0, hs_pair_start(p));
	no_resumption(_metadata, p->c);
	/* ClientHello sent; then the server's flight, not yet read. */
	EXPECT_EQ(KTLSO_WANT_READ, ktlso_session_handshake(p->c));
	no_resumption(_metadata, p->c);
	EXPECT_EQ(KTLSO_WANT_READ, ktlso_session_handshake(p->s));
	no_resumption(_metadata, p->c);
	/* The client's Finished sent: complete, the secret there. */
	EXPECT_EQ(0, ktlso_session_handshake(p->c));
	EXPECT_EQ(0, ktlso_session_resumption(p->c, &r));
	EXPECT_FALSE(all_zero(r.secret, r.secret_len));
	ktlso_resumption_clear(&r);
}

/* --- the messages --------------------------------------------------------- */

/* A full handshake; @r the client's resumption, @pl the server's NSTs. */
static void take(struct __test_metadata *_metadata,
		 FIXTURE_DATA(detached) *self, struct connected *k,
		 struct ktlso_resumption *r, struct plain *pl)
{
	struct hs_pair *p = &self->p;

	connect_pair(_metadata, p, k);
	ASSERT_EQ(0, ktlso_session_resumption(p->c, r));
	open_server_records(_metadata, p, &k->cr, pl);
	ASSERT_EQ(2, pl->n);
	/* The session reads its tickets: self->got, the reference. */
	read_tickets(_metadata, p);
	ASSERT_EQ(2, self->got.n);
	self->det.n = 0;
}

/* ktlso_resumption_tickets() into self->det, emptied first. */
static int tickets_max(FIXTURE_DATA(detached) *self,
		       const struct ktlso_resumption *r, const uint8_t *msgs,
		       size_t len, unsigned int max)
{
	self->det.n = 0;
	return ktlso_resumption_tickets(r, msgs, len, self->clk.client, max,
					collect, &self->det);
}

static int tickets(FIXTURE_DATA(detached) *self,
		   const struct ktlso_resumption *r, const uint8_t *msgs,
		   size_t len)
{
	return tickets_max(self, r, msgs, len, MAX_TICKETS);
}

TEST_F(detached, every_cut_is_decode_error_after_whole_tickets)
{
	struct ktlso_resumption r;
	struct connected k;
	struct plain pl;
	size_t cut;
	int whole;

	take(_metadata, self, &k, &r, &pl);
	ASSERT_EQ(2, tickets(self, &r, pl.buf, pl.len));
	for (cut = 0; cut < pl.len; cut++) {
		whole = cut >= pl.end[0] ? 1 : 0;
		if (cut == 0 || cut == pl.end[0]) {
			EXPECT_EQ(whole, tickets(self, &r, pl.buf, cut));
		} else {
			EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
				  tickets(self, &r, pl.buf, cut))
				TH_LOG("cut at %zu", cut);
		}
		ASSERT_EQ(whole, self->det.n);
		if (whole)
			same_ticket(_metadata, &self->got.t[0],
				    &self->det.t[0]);
	}
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

TEST_F(detached, other_message_is_unexpected)
{
	struct ktlso_key_update ku = { KTLSO_KU_NOT_REQUESTED };
	uint8_t buf[sizeof(((struct plain *)0)->buf) + 16];
	struct ktlso_resumption r;
	struct ktlso_writer w;
	struct connected k;
	struct plain pl;
	size_t n, first;

	take(_metadata, self, &k, &r, &pl);
	first = pl.end[0];
	/* A ticket, then a KeyUpdate: the ticket is delivered first. */
	memcpy(buf, pl.buf, first);
	ktlso_writer_init(&w, buf + first, sizeof(buf) - first);
	ktlso_key_update_write(&w, &ku);
	ASSERT_EQ(0, ktlso_writer_finish(&w, &n));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  tickets(self, &r, buf, first + n));
	ASSERT_EQ(1, self->det.n);
	same_ticket(_metadata, &self->got.t[0], &self->det.t[0]);
	/* The KeyUpdate alone; then a ticket body typed Finished. */
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  tickets(self, &r, buf + first, n));
	EXPECT_EQ(0, self->det.n);
	memcpy(buf, pl.buf, first);
	buf[0] = KTLSO_HS_FINISHED;
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  tickets(self, &r, buf, first));
	EXPECT_EQ(0, self->det.n);
	buf[0] = KTLSO_HS_NEW_SESSION_TICKET;
	EXPECT_EQ(1, tickets(self, &r, buf, first));
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

/*
 * @max bounds the tickets kept, and the work: nothing after the @max-th
 * ticket kept is parsed, so a fault there is no error.
 */
TEST_F(detached, max_stops_early)
{
	struct ktlso_key_update ku = { KTLSO_KU_NOT_REQUESTED };
	uint8_t buf[2 * sizeof(((struct plain *)0)->buf) + 16];
	struct ktlso_resumption r;
	struct ktlso_writer w;
	struct connected k;
	struct plain pl;
	size_t n, len, first;

	take(_metadata, self, &k, &r, &pl);
	first = pl.end[0];
	/* Three tickets: the server's two, then its first again. */
	memcpy(buf, pl.buf, pl.len);
	memcpy(buf + pl.len, pl.buf, first);
	len = pl.len + first;
	EXPECT_EQ(2, tickets_max(self, &r, buf, len, 2));
	ASSERT_EQ(2, self->det.n);
	same_ticket(_metadata, &self->got.t[0], &self->det.t[0]);
	same_ticket(_metadata, &self->got.t[1], &self->det.t[1]);
	EXPECT_EQ(3, tickets_max(self, &r, buf, len, 3));
	EXPECT_EQ(3, self->det.n);
	EXPECT_EQ(3, tickets_max(self, &r, buf, len, UINT_MAX));
	EXPECT_EQ(3, self->det.n);

	/* Two tickets, then a KeyUpdate: with max 2, not even looked at. */
	ktlso_writer_init(&w, buf + pl.len, sizeof(buf) - pl.len);
	ktlso_key_update_write(&w, &ku);
	ASSERT_EQ(0, ktlso_writer_finish(&w, &n));
	len = pl.len + n;
	EXPECT_EQ(2, tickets_max(self, &r, buf, len, 2));
	EXPECT_EQ(2, self->det.n);
	/* Nor a byte cut short there; with room for a third, the errors. */
	EXPECT_EQ(2, tickets_max(self, &r, buf, pl.len + 1, 2));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  tickets_max(self, &r, buf, len, 3));
	EXPECT_EQ(2, self->det.n);
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  tickets_max(self, &r, buf, pl.len + 1, 3));
	EXPECT_EQ(2, self->det.n);
	/* Max 1: the first ticket; the second, retyped, not parsed either. */
	buf[first] = KTLSO_HS_KEY_UPDATE;
	EXPECT_EQ(1, tickets_max(self, &r, buf, len, 1));
	ASSERT_EQ(1, self->det.n);
	same_ticket(_metadata, &self->got.t[0], &self->det.t[0]);
	buf[first] = KTLSO_HS_NEW_SESSION_TICKET;
	/* Max 0: nothing looked at, nothing kept, not even the KeyUpdate. */
	EXPECT_EQ(0, tickets_max(self, &r, buf + pl.len, n, 0));
	EXPECT_EQ(0, tickets_max(self, &r, buf, len, 0));
	EXPECT_EQ(0, self->det.n);
	/* A ticket not kept does not count: with max 1, the second. */
	memset(buf + 4, 0, 4);		/* the first one's lifetime */
	EXPECT_EQ(1, tickets_max(self, &r, buf, len, 1));
	ASSERT_EQ(1, self->det.n);
	same_ticket(_metadata, &self->got.t[1], &self->det.t[0]);
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

/* A NewSessionTicket's u24 body length, read and written. */
static size_t body_len(const uint8_t *msg)
{
	return (size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3];
}

static void set_body_len(uint8_t *msg, size_t len)
{
	msg[1] = (uint8_t)(len >> 16);
	msg[2] = (uint8_t)(len >> 8);
	msg[3] = (uint8_t)len;
}

TEST_F(detached, malformed_ticket_is_the_parsers_alert)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[sizeof(((struct plain *)0)->buf) + 16], *second;
	struct ktlso_resumption r;
	struct connected k;
	struct plain pl;
	size_t first, len2;

	take(_metadata, self, &k, &r, &pl);
	first = pl.end[0];
	memcpy(buf, pl.buf, pl.len);
	second = buf + first;
	len2 = pl.len - first;
	/* A lifetime over seven days: illegal_parameter. */
	second[4] = 0xff;
	EXPECT_EQ(-KTLSO_ALERT_ILLEGAL_PARAMETER,
		  tickets(self, &r, buf, pl.len));
	ASSERT_EQ(1, self->det.n);
	same_ticket(_metadata, &self->got.t[0], &self->det.t[0]);
	/* A byte past the extensions, framed in: decode_error. */
	memcpy(buf, pl.buf, pl.len);
	set_body_len(second, body_len(second) + 1);
	second[len2] = 0;
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  tickets(self, &r, buf, pl.len + 1));
	ASSERT_EQ(1, self->det.n);
	/* The session fails the same message with the same alert. */
	server_sends(_metadata, p, &k, second, len2 + 1);
	read_fails_with(_metadata, p, false, KTLSO_ALERT_DECODE_ERROR);
	EXPECT_NE(NULL, strstr(p->clog.last_error,
			       "malformed NewSessionTicket"));
	/* A session that failed has no resumption any more. */
	no_resumption(_metadata, p->c);
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

TEST_F(detached, zero_lifetime_not_kept)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[sizeof(((struct plain *)0)->buf)];
	struct ktlso_resumption r;
	struct connected k;
	struct plain pl;

	take(_metadata, self, &k, &r, &pl);
	memcpy(buf, pl.buf, pl.len);
	memset(buf + 4, 0, 4);		/* the first one's lifetime */
	EXPECT_EQ(1, tickets(self, &r, buf, pl.len));
	ASSERT_EQ(1, self->det.n);
	same_ticket(_metadata, &self->got.t[1], &self->det.t[0]);
	EXPECT_EQ(0, tickets(self, &r, buf, pl.end[0]));
	EXPECT_EQ(0, self->det.n);
	/* The session does not keep it either, and says so. */
	self->got.n = 0;
	memset(&p->clog, 0, sizeof(p->clog));
	server_sends(_metadata, p, &k, buf, pl.end[0]);
	read_tickets(_metadata, p);
	EXPECT_EQ(0, self->got.n);
	EXPECT_NE(NULL, strstr(p->clog.all, "NewSessionTicket not kept"));
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

/* A NewSessionTicket carrying a ticket of @len bytes, into @msg. */
static size_t nst_of(struct __test_metadata *_metadata, uint8_t *msg,
		     size_t cap, size_t len, uint8_t fill)
{
	static uint8_t ticket[KTLSO_CLIENT_TICKET_MAX + 1];
	static const uint8_t nonce[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ktlso_new_session_ticket nst = {
		.lifetime = 3600,
		.age_add = 0x11223344,
		.nonce = { nonce, sizeof(nonce) },
		.ticket = { ticket, len },
	};
	struct ktlso_writer w;
	size_t n = 0;

	memset(ticket, fill, sizeof(ticket));
	ktlso_writer_init(&w, msg, cap);
	ktlso_new_session_ticket_write(&w, &nst);
	EXPECT_EQ(0, ktlso_writer_finish(&w, &n));
	return n;
}

TEST_F(detached, too_long_not_kept)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[2 * (KTLSO_CLIENT_TICKET_MAX + 64)];
	struct ktlso_resumption r;
	struct connected k;
	struct plain pl;
	size_t n1, n2;

	take(_metadata, self, &k, &r, &pl);
	/* The longest kept, then one byte longer. */
	n1 = nst_of(_metadata, buf, sizeof(buf), KTLSO_CLIENT_TICKET_MAX, 1);
	n2 = nst_of(_metadata, buf + n1, sizeof(buf) - n1,
		    KTLSO_CLIENT_TICKET_MAX + 1, 2);
	ASSERT_NE(0u, n1);
	ASSERT_NE(0u, n2);
	EXPECT_EQ(1, tickets(self, &r, buf, n1 + n2));
	ASSERT_EQ(1, self->det.n);
	EXPECT_EQ(KTLSO_CLIENT_TICKET_MAX, self->det.t[0].ticket_len);
	EXPECT_EQ(0, tickets(self, &r, buf + n1, n2));
	/* The session: the same ticket from the first, the second logged. */
	self->got.n = 0;
	memset(&p->clog, 0, sizeof(p->clog));
	server_sends(_metadata, p, &k, buf, n1);
	server_sends(_metadata, p, &k, buf + n1, n2);
	read_tickets(_metadata, p);
	ASSERT_EQ(1, self->got.n);
	EXPECT_EQ(1, tickets(self, &r, buf, n1));
	same_ticket(_metadata, &self->got.t[0], &self->det.t[0]);
	EXPECT_NE(NULL, strstr(p->clog.all,
			       "NewSessionTicket of 4097 bytes not kept (at most 4096)"));
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

TEST_F(detached, empty_input)
{
	struct ktlso_resumption r;
	struct connected k;
	struct plain pl;

	take(_metadata, self, &k, &r, &pl);
	EXPECT_EQ(0, tickets(self, &r, NULL, 0));
	EXPECT_EQ(0, tickets(self, &r, pl.buf, 0));
	EXPECT_EQ(0, self->det.n);
	/* A caller's mistakes: no callback, or bytes at NULL. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_resumption_tickets(&r, pl.buf, pl.len, 0, 1, NULL,
					   NULL));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_resumption_tickets(&r, NULL, 1, 0, 1, collect,
					   &self->det));
	EXPECT_EQ(0, self->det.n);
	ktlso_resumption_clear(&r);
	disconnect(&k);
}

TEST_HARNESS_MAIN
