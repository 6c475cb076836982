// SPDX-License-Identifier: GPL-2.0
/*
 * Client-side session resumption on the main thread (client_resume.c):
 * off when the cache size is 0; a ticket id only for a successful client
 * with a resumption and a module that sends tickets; NewSessionTickets
 * the kernel forwards (written here byte by byte, RFC 8446 4.6.1) turned
 * into client tickets in the cache under the connection's key, their PSK
 * checked against an HKDF-Expand-Label computed here with OpenSSL;
 * messages for no connection, TICKETS_END, malformed messages (a
 * connection's earlier tickets kept, the connection ended), tickets not
 * kept (zero lifetime, too long), and the oldest connection pushed out;
 * a connection's tickets bounded by what its key holds
 * (KD_CLIENT_TICKETS_PER_KEY), the rest of the message not looked at, the
 * connection then over; the tickets' auth_ms the resumption's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "kselftest_harness.h"

#include "daemon/client_resume.h"
#include "daemon/log.h"
#include "daemon/loop.h"

#include "engine/tests/test_leaks.h"

/* The warnings the code logs for malformed tickets, unless asked for. */
static void __attribute__((constructor)) quiet(void)
{
	kd_log_init(getenv("KTLSO_TEST_VERBOSE") ? KD_LOG_DEBUG : KD_LOG_ERROR,
		    false);
}

#define SUITE_AES128 0x1301
#define TLS13 0x0304
#define SECRET_LEN 32

static const uint8_t h2[] = { 2, 'h', '2' };

/* --- what the test computes on its own ---------------------------------- */

/*
 * RFC 8446 4.6.1: HKDF-Expand-Label(secret, "resumption", nonce, 32) with
 * SHA-256, from OpenSSL's HKDF (expand only).
 */
static int expected_psk(const uint8_t *secret, size_t secret_len,
			const uint8_t *nonce, size_t nonce_len, uint8_t *out)
{
	static const char label[] = "tls13 resumption";
	uint8_t info[2 + 1 + sizeof(label) - 1 + 1 + 255];
	char digest[] = "SHA256";
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	size_t n = 0;
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf;
	int ok;

	if (nonce_len > 255)
		return -1;
	info[n++] = 0;
	info[n++] = 32;
	info[n++] = (uint8_t)(sizeof(label) - 1);
	memcpy(info + n, label, sizeof(label) - 1);
	n += sizeof(label) - 1;
	info[n++] = (uint8_t)nonce_len;
	if (nonce_len)
		memcpy(info + n, nonce, nonce_len);
	n += nonce_len;
	{
		OSSL_PARAM p[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
							 digest, 0),
			OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
							  (void *)secret,
							  secret_len),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
							  info, n),
			OSSL_PARAM_construct_end(),
		};

		kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
		ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
		ok = ctx && EVP_KDF_derive(ctx, out, 32, p) == 1;
		EVP_KDF_CTX_free(ctx);
		EVP_KDF_free(kdf);
	}
	return ok ? 0 : -1;
}

/* --- NewSessionTickets, byte by byte ------------------------------------ */

struct buf {
	uint8_t b[16384];
	size_t len;
};

static void put8(struct buf *b, uint8_t v)
{
	if (b->len < sizeof(b->b))
		b->b[b->len] = v;
	b->len++;
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)(v >> 8));
	put8(b, (uint8_t)v);
}

static void put24(struct buf *b, uint32_t v)
{
	put8(b, (uint8_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void putn(struct buf *b, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put8(b, p[i]);
}

/* One NewSessionTicket (type 4, uint24 length, RFC 8446 4.6.1). */
static void nst(struct buf *b, uint32_t lifetime, uint32_t age_add,
		const uint8_t *nonce, size_t nonce_len, const uint8_t *ticket,
		size_t ticket_len, const uint8_t *exts, size_t exts_len)
{
	put8(b, 4);
	put24(b, (uint32_t)(4 + 4 + 1 + nonce_len + 2 + ticket_len + 2 +
			    exts_len));
	put32(b, lifetime);
	put32(b, age_add);
	put8(b, (uint8_t)nonce_len);
	putn(b, nonce, nonce_len);
	put16(b, (uint16_t)ticket_len);
	putn(b, ticket, ticket_len);
	put16(b, (uint16_t)exts_len);
	putn(b, exts, exts_len);
}

/* A short valid NST whose age_add says which it is. */
static void nst_small(struct buf *b, uint32_t age_add)
{
	static const uint8_t nonce[2] = { 0, 7 };
	uint8_t ticket[16];

	memset(ticket, (int)(age_add & 0xff), sizeof(ticket));
	nst(b, 7200, age_add, nonce, sizeof(nonce), ticket, sizeof(ticket),
	    NULL, 0);
}

static struct kd_tickets_msg tickets(uint64_t id, const struct buf *b)
{
	return (struct kd_tickets_msg){ .id = id, .msgs = b->b,
					.len = b->len };
}

static struct kd_tickets_msg ends(uint64_t id)
{
	return (struct kd_tickets_msg){ .end = true, .id = id };
}

/* --- connections -------------------------------------------------------- */

static void resumption(struct ktlso_resumption *r, unsigned int seed)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->suite = SUITE_AES128;
	r->secret_len = SECRET_LEN;
	for (i = 0; i < SECRET_LEN; i++)
		r->secret[i] = (uint8_t)(0x40 + seed * 13 + i * 3);
	snprintf(r->server_name, sizeof(r->server_name), "server.example");
	snprintf(r->alpn, sizeof(r->alpn), "h2");
	r->peer_verified = true;
	snprintf(r->peer_identity, sizeof(r->peer_identity),
		 "CN=server.example %u", seed);
	r->auth_ms = kd_wall_ms() - 1000 * seed;
}

/* The key of the usual tuple, @uid telling connections apart. */
static void key(const struct kd_client_resume *cr, struct kd_client_key *k,
		uint32_t uid)
{
	kd_client_cache_key(cr->cache, k, "default", "server.example",
			    "192.0.2.1:443", h2, sizeof(h2), uid);
}

/* A successful TLS 1.3 client's handshake, its resumption @r. */
static struct kd_hs *hs_new(const struct kd_client_resume *cr,
			    struct ktlso_resumption *r, uint32_t uid)
{
	struct kd_hs *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->role = KTLSO_ROLE_CLIENT;
	h->out.version = TLS13;
	h->out.suite = SUITE_AES128;
	snprintf(h->peer, sizeof(h->peer), "192.0.2.1:443");
	snprintf(h->profile, sizeof(h->profile), "default");
	h->resumption = r;
	if (cr->cache)
		key(cr, &h->cache_key, uid);
	return h;
}

/*
 * Track a connection with a fresh id (kd_client_resume_id()): its
 * resumption from @seed, its key from @uid. Return: the id, 0 on failure.
 */
static uint64_t track(struct kd_client_resume *cr, unsigned int seed,
		      uint32_t uid)
{
	struct ktlso_resumption r;
	struct kd_hs *h;
	uint64_t id;

	resumption(&r, seed);
	h = hs_new(cr, &r, uid);
	if (!h)
		return 0;
	id = kd_client_resume_id(cr, h, true);
	if (id)
		kd_client_resume_track(cr, h, id);
	memset(&r, 0, sizeof(r));
	free(h);
	return id;
}

/* Take a ticket of @uid's key: 0 and *@age_add, or -ENOENT. */
static int take(struct kd_client_resume *cr, uint32_t uid, uint32_t *age_add)
{
	struct ktlso_client_ticket t;
	struct kd_client_key k;
	int ret;

	key(cr, &k, uid);
	ret = kd_client_cache_take(cr->cache, &k, kd_wall_ms(), &t);
	if (ret == 0 && age_add)
		*age_add = t.age_add;
	ktlso_client_ticket_clear(&t);
	return ret;
}

/* --- tests -------------------------------------------------------------- */

/* The helper above against RFC 8448 3 (res_master, nonce 00 00). */
TEST(expected_psk_is_rfc8448s)
{
	static const uint8_t res_master[32] = {
		0x7d, 0xf2, 0x35, 0xf2, 0x03, 0x1d, 0x2a, 0x05,
		0x12, 0x87, 0xd0, 0x2b, 0x02, 0x41, 0xb0, 0xbf,
		0xda, 0xf8, 0x6c, 0xc8, 0x56, 0x23, 0x1f, 0x2d,
		0x5a, 0xba, 0x46, 0xc4, 0x34, 0xec, 0x19, 0x6c,
	};
	static const uint8_t psk[32] = {
		0x4e, 0xcd, 0x0e, 0xb6, 0xec, 0x3b, 0x4d, 0x87,
		0xf5, 0xd6, 0x02, 0x8f, 0x92, 0x2c, 0xa4, 0xc5,
		0x85, 0x1a, 0x27, 0x7f, 0xd4, 0x13, 0x11, 0xc9,
		0xe6, 0x2d, 0x2c, 0x94, 0x92, 0xe1, 0xc4, 0xf3,
	};
	static const uint8_t nonce[2] = { 0, 0 };
	uint8_t out[32];

	ASSERT_EQ(0, expected_psk(res_master, sizeof(res_master), nonce,
				  sizeof(nonce), out));
	EXPECT_EQ(0, memcmp(psk, out, sizeof(psk)));
}

/* 0: off. No cache, no id, tickets ignored; fini safe (twice). */
TEST(off)
{
	struct kd_client_resume cr;
	struct ktlso_resumption r;
	struct kd_hs *h;
	struct buf b = { .len = 0 };
	struct kd_tickets_msg m;

	memset(&cr, 0x5a, sizeof(cr));
	ASSERT_EQ(0, kd_client_resume_init(&cr, 0));
	EXPECT_EQ(NULL, cr.cache);
	EXPECT_EQ(NULL, cr.conns);
	EXPECT_EQ(0u, cr.kept);
	EXPECT_EQ(0u, cr.unknown);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(0u, cr.lost);

	resumption(&r, 1);
	h = hs_new(&cr, &r, 1000);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0u, kd_client_resume_id(&cr, h, true));

	nst_small(&b, 1);
	m = tickets(1, &b);
	kd_client_resume_tickets(&cr, &m);
	m = ends(1);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(0u, cr.kept);
	EXPECT_EQ(0u, cr.unknown);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(NULL, cr.cache);

	kd_client_resume_fini(&cr);
	kd_client_resume_fini(&cr);
	free(h);
	EXPECT_EQ(0, test_leaks());
}

/* A size the cache refuses: an error, and nothing set up. */
TEST(init_out_of_range)
{
	struct kd_client_resume cr;

	memset(&cr, 0x5a, sizeof(cr));
	EXPECT_EQ(-EINVAL,
		  kd_client_resume_init(&cr, KD_CLIENT_CACHE_MAX_TICKETS + 1));
	EXPECT_EQ(NULL, cr.cache);
	EXPECT_EQ(NULL, cr.conns);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

TEST(id_only_for_a_successful_client_with_resumption)
{
	struct kd_client_resume cr;
	struct ktlso_resumption r;
	struct kd_hs *h;
	uint64_t a, b;

	ASSERT_EQ(0, kd_client_resume_init(&cr, 8));
	ASSERT_NE(NULL, cr.cache);
	resumption(&r, 1);
	h = hs_new(&cr, &r, 1000);
	ASSERT_NE(NULL, h);

	/* The module sends no tickets. */
	EXPECT_EQ(0u, kd_client_resume_id(&cr, h, false));
	/* Nothing to make tickets with (a server, TLS 1.2, no cache). */
	h->resumption = NULL;
	EXPECT_EQ(0u, kd_client_resume_id(&cr, h, true));
	h->resumption = &r;
	/* The handshake (or its hand-off) failed. */
	h->out.status = ECONNRESET;
	EXPECT_EQ(0u, kd_client_resume_id(&cr, h, true));
	h->out.status = 0;

	a = kd_client_resume_id(&cr, h, true);
	b = kd_client_resume_id(&cr, h, true);
	EXPECT_NE(0u, a);
	EXPECT_NE(0u, b);
	EXPECT_NE(a, b);

	free(h);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

/* Two NewSessionTickets, into the cache under the connection's key. */
TEST(tickets_end_to_end)
{
	static const uint8_t nonce1[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t nonce2[5] = { 0xde, 0xad, 0xbe, 0xef, 0x42 };
	/* early_data (42): max_early_data_size 16384 */
	static const uint8_t exts2[] = { 0, 42, 0, 4, 0, 0, 0x40, 0 };
	uint8_t ticket1[40], ticket2[300], secret[SECRET_LEN], psk[32];
	struct kd_client_cache_counts counts;
	struct ktlso_client_ticket t;
	struct kd_client_resume cr;
	struct ktlso_resumption r;
	struct kd_client_key k, other;
	struct kd_tickets_msg m;
	struct buf *b;
	struct kd_hs *h;
	uint64_t id, before, after, auth;
	size_t i;

	for (i = 0; i < sizeof(ticket1); i++)
		ticket1[i] = (uint8_t)(0x10 + i);
	for (i = 0; i < sizeof(ticket2); i++)
		ticket2[i] = (uint8_t)(i * 7 + 3);

	ASSERT_EQ(0, kd_client_resume_init(&cr, 16));
	memset(&r, 0, sizeof(r));
	r.suite = SUITE_AES128;
	r.secret_len = SECRET_LEN;
	for (i = 0; i < SECRET_LEN; i++)
		r.secret[i] = (uint8_t)(0xa0 ^ (i * 11));
	memcpy(secret, r.secret, sizeof(secret));
	snprintf(r.server_name, sizeof(r.server_name), "server.example");
	snprintf(r.alpn, sizeof(r.alpn), "h2");
	r.peer_verified = true;
	snprintf(r.peer_identity, sizeof(r.peer_identity),
		 "CN=server.example,O=Example");
	auth = kd_wall_ms() - 60 * 1000;
	r.auth_ms = auth;

	h = calloc(1, sizeof(*h));
	ASSERT_NE(NULL, h);
	h->role = KTLSO_ROLE_CLIENT;
	h->resumption = &r;
	ASSERT_EQ(0, kd_client_cache_key(cr.cache, &h->cache_key, "default",
					 "server.example", "192.0.2.1:443",
					 h2, sizeof(h2), 1000));
	id = kd_client_resume_id(&cr, h, true);
	ASSERT_NE(0u, id);
	kd_client_resume_track(&cr, h, id);
	/* The table has its own copies: the handshake's may go. */
	memset(&r, 0, sizeof(r));
	memset(&h->cache_key, 0, sizeof(h->cache_key));
	free(h);

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	nst(b, 7200, 0x11223344, nonce1, sizeof(nonce1), ticket1,
	    sizeof(ticket1), NULL, 0);
	nst(b, 3600, 0xfedcba98, nonce2, sizeof(nonce2), ticket2,
	    sizeof(ticket2), exts2, sizeof(exts2));
	ASSERT_GE(sizeof(b->b), b->len);
	m = tickets(id, b);
	before = kd_wall_ms();
	kd_client_resume_tickets(&cr, &m);
	after = kd_wall_ms();
	EXPECT_EQ(2u, cr.kept);
	EXPECT_EQ(0u, cr.unknown);
	EXPECT_EQ(0u, cr.malformed);
	kd_client_cache_counts(cr.cache, &counts);
	EXPECT_EQ(2u, counts.tickets);
	EXPECT_EQ(2u, counts.stored);

	/* Another key (another uid) has none. */
	ASSERT_EQ(0, kd_client_cache_key(cr.cache, &other, "default",
					 "server.example", "192.0.2.1:443",
					 h2, sizeof(h2), 1001));
	EXPECT_EQ(-ENOENT, kd_client_cache_take(cr.cache, &other, after, &t));

	ASSERT_EQ(0, kd_client_cache_key(cr.cache, &k, "default",
					 "server.example", "192.0.2.1:443",
					 h2, sizeof(h2), 1000));

	/* The newest first: the second ticket. */
	ASSERT_EQ(0, kd_client_cache_take(cr.cache, &k, after, &t));
	EXPECT_EQ(TLS13, t.version);
	EXPECT_EQ(SUITE_AES128, t.suite);
	EXPECT_EQ(3600u, t.lifetime);
	EXPECT_EQ(0xfedcba98, t.age_add);
	EXPECT_LE(before, t.received_ms);
	EXPECT_GE(after, t.received_ms);
	ASSERT_EQ(sizeof(ticket2), t.ticket_len);
	EXPECT_EQ(0, memcmp(ticket2, t.ticket, sizeof(ticket2)));
	EXPECT_STREQ("server.example", t.server_name);
	EXPECT_STREQ("h2", t.alpn);
	EXPECT_TRUE(t.peer_verified);
	EXPECT_STREQ("CN=server.example,O=Example", t.peer_identity);
	EXPECT_EQ(auth, t.auth_ms);
	ASSERT_EQ(32, t.psk_len);
	ASSERT_EQ(0, expected_psk(secret, sizeof(secret), nonce2,
				  sizeof(nonce2), psk));
	EXPECT_EQ(0, memcmp(psk, t.psk, sizeof(psk)));
	ktlso_client_ticket_clear(&t);

	ASSERT_EQ(0, kd_client_cache_take(cr.cache, &k, after, &t));
	EXPECT_EQ(TLS13, t.version);
	EXPECT_EQ(SUITE_AES128, t.suite);
	EXPECT_EQ(7200u, t.lifetime);
	EXPECT_EQ(0x11223344u, t.age_add);
	EXPECT_LE(before, t.received_ms);
	EXPECT_GE(after, t.received_ms);
	ASSERT_EQ(sizeof(ticket1), t.ticket_len);
	EXPECT_EQ(0, memcmp(ticket1, t.ticket, sizeof(ticket1)));
	EXPECT_STREQ("server.example", t.server_name);
	EXPECT_STREQ("h2", t.alpn);
	EXPECT_TRUE(t.peer_verified);
	EXPECT_STREQ("CN=server.example,O=Example", t.peer_identity);
	EXPECT_EQ(auth, t.auth_ms);
	ASSERT_EQ(32, t.psk_len);
	ASSERT_EQ(0, expected_psk(secret, sizeof(secret), nonce1,
				  sizeof(nonce1), psk));
	EXPECT_EQ(0, memcmp(psk, t.psk, sizeof(psk)));
	/* Each nonce its own PSK. */
	ASSERT_EQ(0, expected_psk(secret, sizeof(secret), nonce2,
				  sizeof(nonce2), psk));
	EXPECT_NE(0, memcmp(psk, t.psk, sizeof(psk)));
	ktlso_client_ticket_clear(&t);

	EXPECT_EQ(-ENOENT, kd_client_cache_take(cr.cache, &k, after, &t));

	/* The connection is still tracked: more tickets, later. */
	b->len = 0;
	nst_small(b, 0x77);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(3u, cr.kept);
	EXPECT_EQ(0u, cr.unknown);

	free(b);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(NULL, cr.cache);
	EXPECT_EQ(0, test_leaks());
}

TEST(unknown_ids_and_end)
{
	struct kd_client_cache_counts counts;
	struct kd_client_resume cr;
	struct kd_tickets_msg m;
	struct buf *b;
	uint64_t id, stranger;
	uint32_t age_add = 0;

	ASSERT_EQ(0, kd_client_resume_init(&cr, 8));
	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	id = track(&cr, 1, 1000);
	ASSERT_NE(0u, id);
	stranger = id ^ 0x8000000000000001ull;
	nst_small(b, 0x1234);

	/* Tickets for an id nobody tracks: counted, nothing kept. */
	m = tickets(stranger, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(1u, cr.unknown);
	EXPECT_EQ(0u, cr.kept);
	m = tickets(0, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(2u, cr.unknown);
	EXPECT_EQ(0u, cr.kept);
	kd_client_cache_counts(cr.cache, &counts);
	EXPECT_EQ(0u, counts.tickets);
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));

	/* The tracked one's are kept. */
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(1u, cr.kept);
	EXPECT_EQ(2u, cr.unknown);
	EXPECT_EQ(0, take(&cr, 1000, &age_add));
	EXPECT_EQ(0x1234u, age_add);

	/* TICKETS_END: known, so not counted; then its tickets are not. */
	m = ends(id);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(2u, cr.unknown);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(3u, cr.unknown);
	EXPECT_EQ(1u, cr.kept);
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));

	/* A second end, and one for an id never tracked. */
	m = ends(id);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(4u, cr.unknown);
	m = ends(stranger);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(5u, cr.unknown);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(1u, cr.kept);

	free(b);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

/*
 * For a fresh connection (uid @uid): a valid NST (@first_valid), then
 * @bad_len bytes of @bad, then (@trailing) another valid NST. Malformed
 * once, the first ticket kept, the last not, the connection over.
 */
static void malformed_case(struct __test_metadata *_metadata,
			   struct kd_client_resume *cr, uint32_t uid,
			   bool first_valid, const uint8_t *bad,
			   size_t bad_len, bool trailing)
{
	uint64_t kept = cr->kept, malformed = cr->malformed;
	uint64_t unknown = cr->unknown;
	struct kd_tickets_msg m;
	uint32_t age_add = 0;
	struct buf *b;
	uint64_t id;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	id = track(cr, uid, uid);
	ASSERT_NE(0u, id);
	if (first_valid)
		nst_small(b, 0xabc00000 | uid);
	putn(b, bad, bad_len);
	/* A valid one after the bad one is never read. */
	if (trailing)
		nst_small(b, 0xdef00000 | uid);
	m = tickets(id, b);
	kd_client_resume_tickets(cr, &m);
	EXPECT_EQ(malformed + 1, cr->malformed);
	EXPECT_EQ(kept + first_valid, cr->kept);
	EXPECT_EQ(unknown, cr->unknown);
	if (first_valid) {
		EXPECT_EQ(0, take(cr, uid, &age_add));
		EXPECT_EQ(0xabc00000 | uid, age_add);
	}
	EXPECT_EQ(-ENOENT, take(cr, uid, NULL));

	/* That connection is over: its next tickets are for no one. */
	b->len = 0;
	nst_small(b, 0x5555);
	m = tickets(id, b);
	kd_client_resume_tickets(cr, &m);
	EXPECT_EQ(unknown + 1, cr->unknown);
	EXPECT_EQ(kept + first_valid, cr->kept);
	EXPECT_EQ(malformed + 1, cr->malformed);
	EXPECT_EQ(-ENOENT, take(cr, uid, NULL));
	free(b);
}

TEST(malformed)
{
	/* A NST whose header announces 40 bytes, 10 of them there. */
	static const uint8_t cut_short[] = {
		4, 0, 0, 40, 0, 0, 0x1c, 0x20, 1, 2, 3, 4, 0, 1,
	};
	/* Whole as its header says, without its extensions field. */
	static const uint8_t no_exts[] = {
		4, 0, 0, 14, 0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 9, 0, 2, 0xaa,
		0xbb,
	};
	/* KeyUpdate (24), update_not_requested. */
	static const uint8_t key_update[] = { 24, 0, 0, 1, 0 };
	/* An empty ticket (ticket<1..2^16-1>). */
	static const uint8_t empty_ticket[] = {
		4, 0, 0, 13, 0, 0, 0x1c, 0x20, 1, 2, 3, 4, 0, 0, 0, 0, 0,
	};
	/* A lifetime over seven days (604801). */
	static const uint8_t too_long_lived[] = {
		4, 0, 0, 14, 0, 0x09, 0x3a, 0x81, 1, 2, 3, 4, 0, 0, 1, 0xcc,
		0, 0,
	};
	struct kd_client_resume cr;

	ASSERT_EQ(0, kd_client_resume_init(&cr, 64));
	/* Cut short at the end of the buffer (nothing may follow it). */
	malformed_case(_metadata, &cr, 1, true, cut_short, sizeof(cut_short),
		       false);
	malformed_case(_metadata, &cr, 2, false, cut_short, sizeof(cut_short),
		       false);
	malformed_case(_metadata, &cr, 3, true, no_exts, sizeof(no_exts),
		       true);
	malformed_case(_metadata, &cr, 4, false, no_exts, sizeof(no_exts),
		       true);
	malformed_case(_metadata, &cr, 5, true, key_update,
		       sizeof(key_update), true);
	malformed_case(_metadata, &cr, 6, false, key_update,
		       sizeof(key_update), true);
	malformed_case(_metadata, &cr, 7, true, empty_ticket,
		       sizeof(empty_ticket), true);
	malformed_case(_metadata, &cr, 8, true, too_long_lived,
		       sizeof(too_long_lived), true);
	EXPECT_EQ(8u, cr.malformed);
	EXPECT_EQ(5u, cr.kept);
	EXPECT_EQ(8u, cr.unknown);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

/* Tickets the engine does not keep: no count, the connection goes on. */
TEST(not_kept_is_not_an_end)
{
	static const uint8_t nonce[1] = { 3 };
	struct kd_client_resume cr;
	struct kd_tickets_msg m;
	uint32_t age_add = 0;
	uint8_t *big;
	struct buf *b;
	uint64_t id;

	ASSERT_EQ(0, kd_client_resume_init(&cr, 8));
	b = calloc(1, sizeof(*b));
	big = calloc(1, KTLSO_CLIENT_TICKET_MAX + 1);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, big);
	id = track(&cr, 1, 1000);
	ASSERT_NE(0u, id);

	/* A zero lifetime: "do not keep" (RFC 8446 4.6.1). */
	nst(b, 0, 0x01010101, nonce, sizeof(nonce), nonce, sizeof(nonce),
	    NULL, 0);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(0u, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(0u, cr.unknown);
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));

	/* A ticket over KTLSO_CLIENT_TICKET_MAX bytes. */
	b->len = 0;
	nst(b, 7200, 0x02020202, nonce, sizeof(nonce), big,
	    KTLSO_CLIENT_TICKET_MAX + 1, NULL, 0);
	ASSERT_GE(sizeof(b->b), b->len);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(0u, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(0u, cr.unknown);
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));

	/* Still tracked; in one buffer, the kept one after a zero one. */
	b->len = 0;
	nst(b, 0, 0x03030303, nonce, sizeof(nonce), nonce, sizeof(nonce),
	    NULL, 0);
	nst_small(b, 0x04040404);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(1u, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(0u, cr.unknown);
	EXPECT_EQ(0, take(&cr, 1000, &age_add));
	EXPECT_EQ(0x04040404u, age_add);
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));

	free(big);
	free(b);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

/* As many connections as tickets: a third pushes the first out. */
TEST(oldest_connection_pushed_out)
{
	struct kd_client_resume cr;
	struct kd_tickets_msg m;
	uint64_t id[3];
	uint32_t age_add = 0;
	struct buf *b;
	unsigned int i;

	ASSERT_EQ(0, kd_client_resume_init(&cr, 2));
	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	for (i = 0; i < 3; i++) {
		id[i] = track(&cr, i, 100 + i);
		ASSERT_NE(0u, id[i]);
	}

	for (i = 0; i < 3; i++) {
		b->len = 0;
		nst_small(b, 0x100 + i);
		m = tickets(id[i], b);
		kd_client_resume_tickets(&cr, &m);
	}
	EXPECT_EQ(1u, cr.unknown);
	EXPECT_EQ(2u, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(-ENOENT, take(&cr, 100, NULL));
	EXPECT_EQ(0, take(&cr, 101, &age_add));
	EXPECT_EQ(0x101u, age_add);
	EXPECT_EQ(0, take(&cr, 102, &age_add));
	EXPECT_EQ(0x102u, age_add);

	/* Its end, too, is for no one now; the others' are not. */
	m = ends(id[0]);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(2u, cr.unknown);
	m = ends(id[1]);
	kd_client_resume_tickets(&cr, &m);
	m = ends(id[2]);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(2u, cr.unknown);

	free(b);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

/*
 * A connection gives at most KD_CLIENT_TICKETS_PER_KEY tickets, all its
 * key holds: past them nothing of the message is looked at (each would
 * cost an HKDF), and the connection is over, its secret wiped.
 */
TEST(tickets_per_connection_bounded)
{
	/* KeyUpdate (24), update_not_requested. */
	static const uint8_t key_update[] = { 24, 0, 0, 1, 0 };
	const uint64_t per = KD_CLIENT_TICKETS_PER_KEY;
	struct kd_client_conns_counts n;
	struct kd_client_resume cr;
	struct kd_tickets_msg m;
	uint32_t age_add = 0;
	struct buf *b;
	uint64_t id;
	unsigned int i;

	ASSERT_EQ(4, KD_CLIENT_TICKETS_PER_KEY);
	ASSERT_EQ(0, kd_client_resume_init(&cr, 64));
	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);

	/* Six in one message: four kept, the connection ended. */
	id = track(&cr, 1, 1000);
	ASSERT_NE(0u, id);
	for (i = 0; i < 6; i++)
		nst_small(b, 0x100 + i);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(per, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(0u, cr.unknown);
	kd_client_conns_counts(cr.conns, &n);
	EXPECT_EQ(1u, n.ended);
	EXPECT_EQ(0u, n.now);
	for (i = KD_CLIENT_TICKETS_PER_KEY; i-- > 0;) {
		EXPECT_EQ(0, take(&cr, 1000, &age_add));
		EXPECT_EQ(0x100 + i, age_add);
	}
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));
	/* Its later tickets, and the kernel's end, are for no one. */
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(1u, cr.unknown);
	m = ends(id);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(2u, cr.unknown);
	EXPECT_EQ(per, cr.kept);
	EXPECT_EQ(-ENOENT, take(&cr, 1000, NULL));

	/* Three, then three more: one of those kept, then ended. */
	id = track(&cr, 2, 2000);
	ASSERT_NE(0u, id);
	b->len = 0;
	for (i = 0; i < 3; i++)
		nst_small(b, 0x200 + i);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(per + 3, cr.kept);
	kd_client_conns_counts(cr.conns, &n);
	EXPECT_EQ(1u, n.ended);
	EXPECT_EQ(1u, n.now);
	b->len = 0;
	for (i = 0; i < 3; i++)
		nst_small(b, 0x300 + i);
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(2 * per, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	EXPECT_EQ(2u, cr.unknown);
	kd_client_conns_counts(cr.conns, &n);
	EXPECT_EQ(2u, n.ended);
	EXPECT_EQ(0u, n.now);
	EXPECT_EQ(0, take(&cr, 2000, &age_add));
	EXPECT_EQ(0x300u, age_add);
	for (i = 3; i-- > 0;) {
		EXPECT_EQ(0, take(&cr, 2000, &age_add));
		EXPECT_EQ(0x200 + i, age_add);
	}
	EXPECT_EQ(-ENOENT, take(&cr, 2000, NULL));
	m = ends(id);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(3u, cr.unknown);

	/* Four, then what would be malformed: never read, no fault. */
	id = track(&cr, 3, 3000);
	ASSERT_NE(0u, id);
	b->len = 0;
	for (i = 0; i < 4; i++)
		nst_small(b, 0x400 + i);
	putn(b, key_update, sizeof(key_update));
	m = tickets(id, b);
	kd_client_resume_tickets(&cr, &m);
	EXPECT_EQ(3 * per, cr.kept);
	EXPECT_EQ(0u, cr.malformed);
	kd_client_conns_counts(cr.conns, &n);
	EXPECT_EQ(3u, n.ended);
	EXPECT_EQ(0u, n.now);

	free(b);
	kd_client_resume_fini(&cr);
	EXPECT_EQ(0, test_leaks());
}

TEST_HARNESS_MAIN
