// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded work per peer: the largest lists a peer can put in one handshake
 * message (a 64 KiB ClientHello or Certificate) are answered in time linear
 * in their length. Each case times the side that receives the list (its
 * thread's CPU time across its handshake steps, as hs_pair counts it)
 * against a bound far above a normal handshake under the sanitizers and
 * far below what a quadratic walk costs (seconds for the ALPN case), and
 * checks the outcome is the one the protocol asks for.
 */
#include "kselftest_harness.h"

#include "hs_test.h"

/* Generous: a full handshake costs a few ms here, a quadratic walk seconds. */
#define BOUND_MS 150

/* Log the time taken (the figure is worth seeing), then check it. */
#define EXPECT_BOUNDED(ms, fmt, ...) do {				\
	TH_LOG(fmt ": %.1f ms", __VA_ARGS__, ms);			\
	EXPECT_GT(BOUND_MS, ms);					\
} while (0)

/* Room left for the rest of a ClientHello in a 64 KiB message. */
#define CH_ROOM 600

/* hs_pair_run(), and the CPU time of the server's (or client's) steps. */
static double run_timed(struct hs_pair *p, bool server)
{
	hs_pair_run(p);
	return server ? p->s_ms : p->c_ms;
}

/* --- ClientHello lists, rewritten by the client's hook ------------------- */

struct big_hello {
	struct ktlso_span *alpn;	/* ALPN names */
	uint16_t *u16;			/* one u16 list */
	size_t n;
	enum { BIG_ALPN, BIG_SUITES, BIG_SCHEMES, BIG_GROUPS } what;
};

static const uint8_t one_byte_names[256] = { 0 };

static void big_hello_hook(void *arg, struct ktlso_client_hello *ch);

/*
 * @n one-byte ALPN names (all different from the server's), then @last,
 * if any.
 */
static void big_alpn(struct hs_pair *p, struct big_hello *b, size_t n,
		     const char *last)
{
	size_t i;

	b->what = BIG_ALPN;
	b->n = n + (last != NULL);
	b->alpn = calloc(b->n, sizeof(*b->alpn));
	if (!b->alpn)
		abort();
	for (i = 0; i < n; i++) {
		b->alpn[i].p = &one_byte_names[i % 256];
		b->alpn[i].len = 1;
	}
	if (last) {
		b->alpn[n].p = (const uint8_t *)last;
		b->alpn[n].len = strlen(last);
	}
	p->ccfg.test.client_hello = big_hello_hook;
	p->ccfg.test.arg = b;
}

/* @n code points nobody assigned, then @tail (@n_tail of them). */
static void big_u16(struct hs_pair *p, struct big_hello *b, int what,
		    size_t n, const uint16_t *tail, size_t n_tail)
{
	size_t i;

	b->what = what;
	b->n = n + n_tail;
	b->u16 = calloc(b->n, sizeof(*b->u16));
	if (!b->u16)
		abort();
	for (i = 0; i < n; i++)
		b->u16[i] = (uint16_t)(0xfe00 + i % 0x100);
	if (n_tail)
		memcpy(b->u16 + n, tail, n_tail * sizeof(*tail));
	p->ccfg.test.client_hello = big_hello_hook;
	p->ccfg.test.arg = b;
}

static void big_hello_hook(void *arg, struct ktlso_client_hello *ch)
{
	struct big_hello *b = arg;

	switch (b->what) {
	case BIG_ALPN:
		ch->alpn.v = b->alpn;
		ch->alpn.n = b->n;
		ktlso_ext_set_add(&ch->ext, KTLSO_EXT_ALPN);
		break;
	case BIG_SUITES:
		ch->cipher_suites.v = b->u16;
		ch->cipher_suites.n = b->n;
		break;
	case BIG_SCHEMES:
		ch->signature_algorithms.v = b->u16;
		ch->signature_algorithms.n = b->n;
		break;
	case BIG_GROUPS:
		ch->supported_groups.v = b->u16;
		ch->supported_groups.n = b->n;
		break;
	}
}

static void big_hello_free(struct big_hello *b)
{
	free(b->alpn);
	free(b->u16);
}

FIXTURE(bounds) {
	struct hs_pair p;
	struct big_hello b;
};

FIXTURE_VARIANT(bounds) {
	uint16_t version;
};

FIXTURE_VARIANT_ADD(bounds, tls13) { .version = KTLSO_TLS13_VERSION };
FIXTURE_VARIANT_ADD(bounds, tls12) { .version = KTLSO_TLS12_VERSION };

FIXTURE_SETUP(bounds)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
	memset(&self->b, 0, sizeof(self->b));
	self->p.scfg.max_version = variant->version;
}

FIXTURE_TEARDOWN(bounds)
{
	hs_pair_free(&self->p);
	big_hello_free(&self->b);
	EXPECT_EQ(0, test_leaks());
}

static int set_alpn(struct ktlso_config *cfg)
{
	return ktlso_config_set_alpn(cfg, "h2,http/1.1");
}

/* The server holds every key type, so selection loops over all of them. */
static void all_creds(struct hs_pair *p)
{
	p->scfg.creds = p->srv;
	p->scfg.n_creds = SRV_KEY_TYPES;
}

TEST_F(bounds, alpn_32k_names_none_in_common)
{
	double ms;

	ASSERT_EQ(0, set_alpn(&self->p.scfg));
	big_alpn(&self->p, &self->b, 65536 / 2 - CH_ROOM / 2, NULL);
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	EXPECT_EQ(-KTLSO_ALERT_NO_APPLICATION_PROTOCOL, self->p.rs)
		TH_LOG("server: %s", self->p.slog.last_error);
	EXPECT_BOUNDED(ms, "%zu names", self->b.n);
}

TEST_F(bounds, alpn_32k_names_match_last)
{
	struct ktlso_session_result r;
	double ms;

	ASSERT_EQ(0, set_alpn(&self->p.scfg));
	ASSERT_EQ(0, set_alpn(&self->p.ccfg));
	big_alpn(&self->p, &self->b, 65536 / 2 - CH_ROOM / 2 - 8, "http/1.1");
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	ASSERT_EQ(0, self->p.rs) TH_LOG("server: %s", self->p.slog.last_error);
	ASSERT_EQ(0, ktlso_session_result(self->p.s, &r));
	EXPECT_STREQ("http/1.1", r.alpn);
	EXPECT_BOUNDED(ms, "%zu names", self->b.n);
}

TEST_F(bounds, cipher_suites_32k)
{
	static const uint16_t ours[] = { 0x1301, 0xc02b };
	double ms;

	all_creds(&self->p);
	big_u16(&self->p, &self->b, BIG_SUITES, 65536 / 2 - CH_ROOM / 2, ours, 2);
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	EXPECT_EQ(0, self->p.rs) TH_LOG("server: %s", self->p.slog.last_error);
	EXPECT_EQ(0, self->p.rc) TH_LOG("client: %s", self->p.clog.last_error);
	EXPECT_BOUNDED(ms, "%zu suites", self->b.n);
}

/*
 * Schemes no key of the server fits, then Ed25519 last: every suite and
 * every credential is tried against the list before the last one fits.
 */
TEST_F(bounds, signature_algorithms_32k)
{
	static const uint16_t ed25519[] = { 0x0807 };
	struct ktlso_session_result r;
	double ms;

	all_creds(&self->p);
	big_u16(&self->p, &self->b, BIG_SCHEMES, 32000, ed25519, 1);
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	ASSERT_EQ(0, self->p.rs) TH_LOG("server: %s", self->p.slog.last_error);
	ASSERT_EQ(0, ktlso_session_result(self->p.s, &r));
	EXPECT_EQ(0x0807, r.sig_scheme);
	EXPECT_BOUNDED(ms, "%zu schemes", self->b.n);
}

TEST_F(bounds, signature_algorithms_32k_none_usable)
{
	double ms;

	all_creds(&self->p);
	big_u16(&self->p, &self->b, BIG_SCHEMES, 65536 / 2 - CH_ROOM / 2, NULL, 0);
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	EXPECT_EQ(-KTLSO_ALERT_HANDSHAKE_FAILURE, self->p.rs)
		TH_LOG("server: %s", self->p.slog.last_error);
	EXPECT_BOUNDED(ms, "%zu schemes", self->b.n);
}

TEST_F(bounds, supported_groups_32k)
{
	static const uint16_t ours[] = { 0x001d, 0x0017 };
	double ms;

	big_u16(&self->p, &self->b, BIG_GROUPS, 65536 / 2 - CH_ROOM / 2, ours,
		2);
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	EXPECT_EQ(0, self->p.rs) TH_LOG("server: %s", self->p.slog.last_error);
	EXPECT_BOUNDED(ms, "%zu groups", self->b.n);
}

/* --- a Certificate of 10,000 one-byte entries ----------------------------- */

#define TINY_CERTS 10000

struct tiny_certs {
	uint8_t type;		/* the message to replace */
	bool server;		/* whose */
	bool tls13;
	int replaced;
};

/* Certificate: [context<0>] certificate_list of one-byte entries. */
static int tiny_certs_hook(void *arg, bool server, uint8_t *msg, size_t *len,
			   size_t cap)
{
	struct tiny_certs *t = arg;
	size_t entry = t->tls13 ? 6 : 4, body, list, off, i;

	if (server != t->server || msg[0] != t->type)
		return 0;
	list = TINY_CERTS * entry;
	body = (t->tls13 ? 1 : 0) + 3 + list;
	if (4 + body > cap)
		return -KTLSO_ERROR_NO_SPACE;
	msg[1] = (uint8_t)(body >> 16);
	msg[2] = (uint8_t)(body >> 8);
	msg[3] = (uint8_t)body;
	off = 4;
	if (t->tls13)
		msg[off++] = 0;
	msg[off++] = (uint8_t)(list >> 16);
	msg[off++] = (uint8_t)(list >> 8);
	msg[off++] = (uint8_t)list;
	for (i = 0; i < TINY_CERTS; i++) {
		msg[off++] = 0;
		msg[off++] = 0;
		msg[off++] = 1;
		msg[off++] = 0x30;
		if (t->tls13) {
			msg[off++] = 0;
			msg[off++] = 0;
		}
	}
	*len = off;
	t->replaced++;
	return 0;
}

/* The server's Certificate, as the client receives it. */
TEST_F(bounds, certificate_10000_entries)
{
	struct tiny_certs t = {
		.type = 11, .server = true,
		.tls13 = variant->version == KTLSO_TLS13_VERSION,
	};
	double ms;

	self->p.scfg.test.message_out = tiny_certs_hook;
	self->p.scfg.test.arg = &t;
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, false);
	EXPECT_EQ(1, t.replaced);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE, self->p.rc)
		TH_LOG("client: %s", self->p.clog.last_error);
	EXPECT_BOUNDED(ms, "%d entries", TINY_CERTS);
}

/* A client's Certificate, as a server that asks for one receives it. */
TEST_F(bounds, client_certificate_10000_entries)
{
	struct tiny_certs t = {
		.type = 11, .server = false,
		.tls13 = variant->version == KTLSO_TLS13_VERSION,
	};
	double ms;

	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	self->p.ccfg.test.message_out = tiny_certs_hook;
	self->p.ccfg.test.arg = &t;
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ms = run_timed(&self->p, true);
	EXPECT_EQ(1, t.replaced);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE, self->p.rs)
		TH_LOG("server: %s", self->p.slog.last_error);
	EXPECT_BOUNDED(ms, "%d entries", TINY_CERTS);
}

/* --- alerts that change nothing ------------------------------------------- */

#define WARNINGS 100000

/*
 * 10^5 warning alerts (unrecognized_name) before the ClientHello: the
 * server stops reading them after a few with unexpected_message, and logs
 * a bounded number of lines.
 */
TEST_F(bounds, warning_alert_flood)
{
	static const uint8_t warning[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
					   0x01, 112 };
	uint8_t *flood = malloc(WARNINGS * sizeof(warning));
	double ms;
	size_t i;

	ASSERT_NE(NULL, flood);
	for (i = 0; i < WARNINGS; i++)
		memcpy(flood + i * sizeof(warning), warning, sizeof(warning));
	ASSERT_EQ(0, hs_pair_start(&self->p));
	pipe_push(&self->p.c2s, flood, WARNINGS * sizeof(warning));
	free(flood);
	ms = run_timed(&self->p, true);
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE, self->p.rs)
		TH_LOG("server: %s", self->p.slog.last_error);
	EXPECT_GT(5, self->p.slog.warnings + self->p.slog.errors)
		TH_LOG("%d warnings, %d errors logged", self->p.slog.warnings,
		       self->p.slog.errors);
	EXPECT_BOUNDED(ms, "%d warning alerts", WARNINGS);
}

TEST_HARNESS_MAIN
