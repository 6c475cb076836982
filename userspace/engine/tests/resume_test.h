/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the resumption tests of both versions share: a ticket callback
 * that collects the client's tickets, a clock per side, a pair set up
 * for resumption, the client's reading of TLS 1.3 tickets, and the check
 * that both sides' results agree. Include kselftest_harness.h and
 * hs_test.h first.
 */
#ifndef KTLSO_ENGINE_TESTS_RESUME_TEST_H
#define KTLSO_ENGINE_TESTS_RESUME_TEST_H

#define MAX_TICKETS 4

struct collected {
	struct ktlso_client_ticket t[MAX_TICKETS];
	int n;
};

static inline void collect(void *arg, const struct ktlso_client_ticket *t)
{
	struct collected *c = arg;

	if (c->n < MAX_TICKETS)
		c->t[c->n] = *t;
	c->n++;
}

/* One clock for both sides, in ms; each side may be moved apart. */
struct clocks {
	uint64_t client, server;
};

static inline uint64_t client_now(void *arg)
{
	return ((struct clocks *)arg)->client;
}

static inline uint64_t server_now(void *arg)
{
	return ((struct clocks *)arg)->server;
}

/*
 * @p set up for resumption: a server with one ticket key (*@keys, which
 * the caller frees) for the context "profile-a", a client whose tickets
 * @got collects. The clocks are the caller's to set.
 */
static inline void resume_pair_init(struct __test_metadata *_metadata,
				    struct hs_pair *p,
				    struct ktlso_ticket_keys **keys,
				    struct collected *got)
{
	ASSERT_EQ(0, hs_pair_init(p));
	ASSERT_EQ(0, ktlso_ticket_keys_new(keys, 1));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(*keys, NULL));
	p->scfg.ticket_keys = *keys;
	p->scfg.ticket_context = "profile-a";
	p->ccfg.ticket = collect;
	p->ccfg.ticket_arg = got;
}

/* Both sides of @p on @clk, at the same instant to begin with. */
static inline void clocks_attach(struct hs_pair *p, struct clocks *clk)
{
	clk->client = clk->server = 1700000000000ull;
	p->ccfg.test.now_ms = client_now;
	p->scfg.test.now_ms = server_now;
	p->ccfg.test.arg = p->scfg.test.arg = clk;
}

/* Both results agree, keys included, and say @resumed. */
static inline void results_agree(struct __test_metadata *_metadata,
				 struct hs_pair *p, bool resumed)
{
	struct ktlso_session_result cr, sr;

	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	EXPECT_EQ(resumed, cr.resumed);
	EXPECT_EQ(resumed, sr.resumed);
	EXPECT_EQ(cr.suite, sr.suite);
	ASSERT_EQ(cr.tx_len, sr.rx_len);
	ASSERT_EQ(cr.rx_len, sr.tx_len);
	EXPECT_EQ(0, memcmp(&cr.tx, &sr.rx, cr.tx_len));
	EXPECT_EQ(0, memcmp(&cr.rx, &sr.tx, cr.rx_len));
	EXPECT_EQ(cr.tx_seq, sr.rx_seq);
	EXPECT_EQ(cr.rx_seq, sr.tx_seq);
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
}

/* The client reads what came after the handshake: the tickets. */
static inline void read_tickets(struct __test_metadata *_metadata,
				struct hs_pair *p)
{
	uint8_t buf[16];
	size_t n;

	EXPECT_EQ(KTLSO_WANT_READ,
		  ktlso_session_read(p->c, buf, sizeof(buf), &n));
	EXPECT_EQ(0u, pipe_pending(&p->s2c));
}

#endif /* KTLSO_ENGINE_TESTS_RESUME_TEST_H */
