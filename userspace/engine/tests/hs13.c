// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 handshake engine, client against server in memory: every
 * suite x group x server key type, HelloRetryRequest, mutual
 * authentication, ALPN, SNI, middlebox compatibility, fragmentation,
 * non-blocking transports, application data and KeyUpdate, and the
 * exported kernel keys (each side's tx must be the other's rx, and must
 * open what the other side seals).
 *
 * The failure cases (wrong CA, tampered messages, record-layer faults...)
 * are in hs13_fail.c; the RFC 8448 trace in hs13_rfc8448.c.
 */
#include "kselftest_harness.h"

#include "engine/sig.h"
#include "hs_test.h"

FIXTURE(hs13) {
	struct hs_pair p;
};

FIXTURE_SETUP(hs13)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
}

FIXTURE_TEARDOWN(hs13)
{
	hs_pair_free(&self->p);
	EXPECT_EQ(0, test_leaks());
}

/*
 * The two results agree: parameters, and each side's tx keys (crypto_info
 * with sequence numbers, and secrets) are the other's rx.
 */
static void results_match(struct __test_metadata *_metadata, struct hs_pair *p,
			  struct ktlso_session_result *cr,
			  struct ktlso_session_result *sr)
{
	ASSERT_EQ(0, ktlso_session_result(p->c, cr));
	ASSERT_EQ(0, ktlso_session_result(p->s, sr));
	EXPECT_EQ(KTLSO_TLS13_VERSION, cr->version);
	EXPECT_EQ(cr->version, sr->version);
	EXPECT_EQ(cr->suite, sr->suite);
	EXPECT_EQ(cr->group, sr->group);
	EXPECT_EQ(cr->sig_scheme, sr->sig_scheme);
	EXPECT_EQ(cr->client_sig_scheme, sr->client_sig_scheme);
	EXPECT_STREQ(cr->alpn, sr->alpn);
	ASSERT_NE(0u, cr->tx_len);
	ASSERT_EQ(cr->tx_len, sr->rx_len);
	ASSERT_EQ(cr->rx_len, sr->tx_len);
	EXPECT_EQ(0, memcmp(&cr->tx, &sr->rx, cr->tx_len));
	EXPECT_EQ(0, memcmp(&cr->rx, &sr->tx, cr->rx_len));
	EXPECT_EQ(cr->tx_seq, sr->rx_seq);
	EXPECT_EQ(cr->rx_seq, sr->tx_seq);
	EXPECT_NE(0u, cr->secret_len);
	EXPECT_EQ(cr->secret_len, sr->secret_len);
	EXPECT_EQ(0, memcmp(cr->tx_secret, sr->rx_secret, cr->secret_len));
	EXPECT_EQ(0, memcmp(cr->rx_secret, sr->tx_secret, cr->secret_len));
	EXPECT_NE(0, memcmp(cr->tx_secret, cr->rx_secret, cr->secret_len));
}

/*
 * @from writes @msg through the engine; the record it puts on the wire
 * opens with @ci (the receiver's exported rx keys, as the kernel would
 * use them); then the receiving engine reads it too.
 */
static void data_one_way(struct __test_metadata *_metadata,
			 struct ktlso_session *from, struct ktlso_session *to,
			 struct pipe *wire, const union ktlso_crypto_info *ci,
			 uint16_t suite, const char *msg)
{
	struct ktlso_record_protection rp;
	uint8_t plain[256], type;
	size_t n, len = strlen(msg), rec_len;

	ASSERT_EQ(0, ktlso_session_write(from, msg, len, &n));
	ASSERT_EQ(len, n);
	ASSERT_LE(5u, pipe_pending(wire));
	rec_len = 5 + ((size_t)pipe_data(wire)[3] << 8 | pipe_data(wire)[4]);
	ASSERT_EQ(rec_len, pipe_pending(wire));
	ASSERT_EQ(0, ci_record(ci, suite, false, &rp));
	ASSERT_EQ(0, ktlso_record_open(&rp, pipe_data(wire), rec_len, &type,
				       plain, sizeof(plain), &n));
	ktlso_record_clear(&rp);
	EXPECT_EQ(KTLSO_CONTENT_APPLICATION_DATA, type);
	ASSERT_EQ(len, n);
	EXPECT_EQ(0, memcmp(plain, msg, len));

	memset(plain, 0, sizeof(plain));
	ASSERT_EQ(0, ktlso_session_read(to, plain, sizeof(plain), &n));
	ASSERT_EQ(len, n);
	EXPECT_EQ(0, memcmp(plain, msg, len));
	EXPECT_EQ(0u, pipe_pending(wire));
}

/* Seal with @ci (the sender's exported tx keys); the peer engine reads it. */
static void kernel_to_engine(struct __test_metadata *_metadata,
			     struct ktlso_session *to, struct pipe *wire,
			     const union ktlso_crypto_info *ci, uint16_t suite,
			     const char *msg)
{
	struct ktlso_record_protection rp;
	uint8_t rec[512], plain[256];
	size_t n, len = strlen(msg);

	ASSERT_EQ(0, ci_record(ci, suite, true, &rp));
	ASSERT_EQ(0, ktlso_record_seal(&rp, KTLSO_CONTENT_APPLICATION_DATA,
				       (const uint8_t *)msg, len, 0, rec,
				       sizeof(rec), &n));
	ktlso_record_clear(&rp);
	pipe_push(wire, rec, n);
	ASSERT_EQ(0, ktlso_session_read(to, plain, sizeof(plain), &n));
	ASSERT_EQ(len, n);
	EXPECT_EQ(0, memcmp(plain, msg, len));
}

/* Results agree, then data flows both ways, engine and "kernel" keys. */
static void session_ok(struct __test_metadata *_metadata, struct hs_pair *p)
{
	struct ktlso_session_result cr, sr;

	results_match(_metadata, p, &cr, &sr);
	data_one_way(_metadata, p->c, p->s, &p->c2s, &sr.rx, sr.suite,
		     "GET / HTTP/1.1");
	data_one_way(_metadata, p->s, p->c, &p->s2c, &cr.rx, cr.suite,
		     "HTTP/1.1 200 OK");
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
	/* Sequence numbers moved on by one record each way. */
	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	EXPECT_EQ(1u, cr.tx_seq);
	EXPECT_EQ(1u, cr.rx_seq);
	EXPECT_EQ(0, memcmp(&cr.tx, &sr.rx, cr.tx_len));
	EXPECT_EQ(0, memcmp(&cr.rx, &sr.tx, cr.rx_len));
	kernel_to_engine(_metadata, p->c, &p->s2c, &sr.tx, sr.suite,
			 "from the server's kernel");
	kernel_to_engine(_metadata, p->s, &p->c2s, &cr.tx, cr.suite,
			 "from the client's kernel");
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
}

/*
 * The leaf @s verified is @cred's, byte for byte; with @cred NULL, @s
 * verified none and offers none.
 */
static void expect_peer_cert(struct __test_metadata *_metadata,
			     const struct ktlso_session *s,
			     const struct ktlso_cred *cred)
{
	const uint8_t *der;
	uint8_t *want;
	size_t n, want_len;

	n = ktlso_session_peer_cert(s, &der);
	if (!cred) {
		EXPECT_EQ(0u, n);
		EXPECT_EQ(NULL, der);
		return;
	}
	ASSERT_EQ(0, ktlso_cred_der(cred, 0, &want, &want_len));
	EXPECT_EQ(want_len, n);
	if (n == want_len) {
		EXPECT_EQ(0, memcmp(der, want, n));
	}
	OPENSSL_free(want);
}

/* The default configuration: AES-128-GCM, x25519, ECDSA P-256. */
TEST_F(hs13, defaults)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(0x1301, r.suite);
	EXPECT_EQ(KTLSO_GROUP_X25519, r.group);
	EXPECT_EQ(KTLSO_SIG_ECDSA_SECP256R1_SHA256, r.sig_scheme);
	EXPECT_EQ(0, r.client_sig_scheme);
	EXPECT_TRUE(r.peer_verified);
	EXPECT_STREQ("CN=server.example", r.peer_identity);
	EXPECT_STREQ("server.example", r.server_name);
	EXPECT_EQ(0u, r.tx_seq);
	EXPECT_EQ(0u, r.rx_seq);
	ktlso_session_result_clear(&r);
	expect_peer_cert(_metadata, p->c, &p->srv[SRV_P256]);
	ASSERT_EQ(0, ktlso_session_result(p->s, &r));
	EXPECT_STREQ("server.example", r.server_name);
	EXPECT_FALSE(r.peer_verified);
	EXPECT_STREQ("", r.peer_identity);
	ktlso_session_result_clear(&r);
	expect_peer_cert(_metadata, p->s, NULL);
	session_ok(_metadata, p);
}


/* Fresh sessions and pipes, same configs (for loops over cases). */
static void pair_reset(struct hs_pair *p)
{
	ktlso_session_free(p->c);
	ktlso_session_free(p->s);
	p->c = p->s = NULL;
	pipe_free(&p->c2s);
	pipe_free(&p->s2c);
	p->rc = p->rs = KTLSO_WANT_READ;
	memset(&p->clog, 0, sizeof(p->clog));
	memset(&p->slog, 0, sizeof(p->slog));
}

/* Every suite x group x server key type, with data both ways each time. */
TEST_F(hs13, matrix)
{
	static const char *const suites[] = {
		"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
		"TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
	};
	static const uint16_t suite_ids[] = { 0x1301, 0x1302, 0x1303, 0x1304 };
	static const char *const groups[] = { "x25519", "secp256r1", "secp384r1" };
	static const uint16_t group_ids[] = {
		KTLSO_GROUP_X25519, KTLSO_GROUP_SECP256R1, KTLSO_GROUP_SECP384R1,
	};
	static const uint16_t schemes[SRV_KEY_TYPES] = {
		[SRV_RSA] = KTLSO_SIG_RSA_PSS_RSAE_SHA256,
		[SRV_P256] = KTLSO_SIG_ECDSA_SECP256R1_SHA256,
		[SRV_P384] = KTLSO_SIG_ECDSA_SECP384R1_SHA384,
		[SRV_ED25519] = KTLSO_SIG_ED25519,
	};
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	size_t i, j, k;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < 3; j++) {
			for (k = 0; k < SRV_KEY_TYPES; k++) {
				pair_reset(p);
				ASSERT_EQ(0, ktlso_config_set_suites(&p->ccfg,
								     suites[i]));
				ASSERT_EQ(0, ktlso_config_set_groups(&p->ccfg,
								     groups[j]));
				p->scfg.creds = &p->srv[k];
				hs_pair_ok(_metadata, p);
				ASSERT_EQ(0, ktlso_session_result(p->c, &r));
				EXPECT_EQ(suite_ids[i], r.suite);
				EXPECT_EQ(group_ids[j], r.group);
				EXPECT_EQ(schemes[k], r.sig_scheme);
				ktlso_session_result_clear(&r);
				session_ok(_metadata, p);
				if (_metadata->exit_code)
					TH_LOG("failed: %s %s key %zu", suites[i],
					       groups[j], k);
				ASSERT_EQ(0, _metadata->exit_code);
			}
		}
	}
}

/* The server's first flight: ServerHello, CCS, then one protected record. */
TEST_F(hs13, flight_coalesced)
{
	struct hs_pair *p = &self->p;
	uint8_t types[16];

	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_step(p);
	ASSERT_EQ(3u, pipe_record_types(&p->s2c, types, 16));
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, types[0]);
	EXPECT_EQ(KTLSO_CONTENT_CHANGE_CIPHER_SPEC, types[1]);
	EXPECT_EQ(KTLSO_CONTENT_APPLICATION_DATA, types[2]);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(0, p->rc);
	/* The client: CCS, then its Finished in one protected record. */
	ASSERT_EQ(2u, pipe_record_types(&p->c2s, types, 16));
	EXPECT_EQ(KTLSO_CONTENT_CHANGE_CIPHER_SPEC, types[0]);
	EXPECT_EQ(KTLSO_CONTENT_APPLICATION_DATA, types[1]);
	ASSERT_EQ(0, hs_pair_run(p));
	session_ok(_metadata, p);
}

/* Handshake records of one byte each way: reassembly across records. */
TEST_F(hs13, fragmented_one_byte_records)
{
	struct hs_pair *p = &self->p;
	uint8_t types[16];

	p->ccfg.test.hs_fragment = 1;
	p->scfg.test.hs_fragment = 1;
	p->scfg.creds = &p->srv[SRV_RSA];
	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_step(p);
	EXPECT_EQ(16u, pipe_record_types(&p->s2c, types, 16));
	ASSERT_EQ(0, hs_pair_run(p));
	session_ok(_metadata, p);
}

/*
 * Transports that move one byte per read, seven per write, and say EAGAIN
 * every other call: KTLSO_WANT_READ and KTLSO_WANT_WRITE both come back,
 * and calling again resumes.
 */
TEST_F(hs13, nonblocking_trickle)
{
	struct hs_pair *p = &self->p;
	bool want_write = false;
	int i;

	p->scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	p->ccfg.creds = &p->client;
	p->ccfg.n_creds = 1;
	p->c2s.max_read = p->s2c.max_read = 1;
	p->c2s.stall = p->s2c.stall = true;
	p->c2s.max_write = p->s2c.max_write = 7;
	p->c2s.wstall = p->s2c.wstall = true;
	ASSERT_EQ(0, hs_pair_start(p));
	for (i = 0; i < 100000 && (p->rc > 0 || p->rs > 0); i++) {
		hs_pair_step(p);
		want_write |= p->rc == KTLSO_WANT_WRITE ||
			      p->rs == KTLSO_WANT_WRITE;
	}
	ASSERT_EQ(0, p->rc) TH_LOG("%s", p->clog.last_error);
	ASSERT_EQ(0, p->rs) TH_LOG("%s", p->slog.last_error);
	EXPECT_TRUE(want_write);
	EXPECT_EQ(0u, pipe_pending(&p->c2s));
	EXPECT_EQ(0u, pipe_pending(&p->s2c));
	p->c2s.stall = p->s2c.stall = false;
	p->c2s.wstall = p->s2c.wstall = false;
	p->c2s.max_write = p->s2c.max_write = 0;
	session_ok(_metadata, p);
}

/* Whatever follows the handshake stays in the transport, for the kernel. */
TEST_F(hs13, never_reads_past_the_handshake)
{
	static const char extra[] = "\x17\x03\x03\x00\x05hello";
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(KTLSO_WANT_READ, p->rs);
	/* Bytes after the server's Finished: the client must not take them. */
	pipe_push(&p->s2c, extra, sizeof(extra) - 1);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(0, p->rc);
	EXPECT_EQ(sizeof(extra) - 1, pipe_pending(&p->s2c));
	EXPECT_EQ(0, memcmp(pipe_data(&p->s2c), extra, sizeof(extra) - 1));
	/* Bytes after the client's Finished: the server must not take them. */
	pipe_push(&p->c2s, extra, sizeof(extra) - 1);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	EXPECT_EQ(sizeof(extra) - 1, pipe_pending(&p->c2s));
	EXPECT_EQ(0, memcmp(pipe_data(&p->c2s), extra, sizeof(extra) - 1));
}

/* Records seen on one direction after a step. */
static size_t step_types(struct pipe *pp, uint8_t *types)
{
	size_t n = pipe_record_types(pp, types, 16);

	return n;
}

/* HelloRetryRequest forced: CCS once each way, around the retry. */
TEST_F(hs13, hello_retry_request)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	uint8_t t[16];

	p->scfg.test.force_hrr = true;
	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(1u, step_types(&p->c2s, t));		/* ClientHello1 */
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(2u, step_types(&p->s2c, t));		/* HRR, CCS */
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[0]);
	EXPECT_EQ(KTLSO_CONTENT_CHANGE_CIPHER_SPEC, t[1]);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(2u, step_types(&p->c2s, t));		/* CCS, ClientHello2 */
	EXPECT_EQ(KTLSO_CONTENT_CHANGE_CIPHER_SPEC, t[0]);
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[1]);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(2u, step_types(&p->s2c, t));		/* ServerHello, flight */
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[0]);
	EXPECT_EQ(KTLSO_CONTENT_APPLICATION_DATA, t[1]);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(1u, step_types(&p->c2s, t));		/* Finished only */
	EXPECT_EQ(KTLSO_CONTENT_APPLICATION_DATA, t[0]);
	ASSERT_EQ(0, hs_pair_run(p));
	ASSERT_EQ(0, ktlso_session_result(p->s, &r));
	EXPECT_EQ(KTLSO_GROUP_SECP256R1, r.group);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* HelloRetryRequest with a cookie: echoed in ClientHello2. */
struct cookie_seen {
	int client_hellos;
	bool cookie;
};

static void note_cookie(void *arg, struct ktlso_client_hello *ch)
{
	struct cookie_seen *c = arg;

	if (++c->client_hellos == 2)
		c->cookie = ch->cookie.len == 6 &&
			    memcmp(ch->cookie.p, "cookie", 6) == 0;
}

TEST_F(hs13, hello_retry_request_cookie)
{
	struct hs_pair *p = &self->p;
	struct cookie_seen seen = { 0 };

	p->scfg.test.force_hrr = true;
	p->scfg.test.hrr_cookie = (const uint8_t *)"cookie";
	p->scfg.test.hrr_cookie_len = 6;
	p->ccfg.test.client_hello = note_cookie;
	p->ccfg.test.arg = &seen;
	hs_pair_ok(_metadata, p);
	EXPECT_EQ(2, seen.client_hellos);
	EXPECT_TRUE(seen.cookie);
	session_ok(_metadata, p);
}

/* A real retry: the server supports only a group the client did not share. */
TEST_F(hs13, hello_retry_request_group)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_groups(&p->scfg, "secp384r1"));
	p->ccfg.middlebox_compat = false;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_GROUP_SECP384R1, r.group);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

static void legacy_version_tls10(void *arg, struct ktlso_client_hello *ch)
{
	(void)arg;
	ch->legacy_version = 0x0301;
}

/*
 * Above SSL 3.0 legacy_version is ignored when supported_versions is
 * there (RFC 8446 4.2.1): TLS 1.3 all the same.
 */
TEST_F(hs13, legacy_version_ignored_above_ssl3)
{
	struct hs_pair *p = &self->p;

	p->ccfg.test.client_hello = legacy_version_tls10;
	hs_pair_ok(_metadata, p);
	session_ok(_metadata, p);
}

/* No middlebox compatibility: no session id, and no CCS either way. */
TEST_F(hs13, no_middlebox_compat)
{
	struct hs_pair *p = &self->p;
	uint8_t t[16];

	p->ccfg.middlebox_compat = false;
	p->scfg.test.force_hrr = true;
	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_step(p);
	ASSERT_EQ(1u, step_types(&p->s2c, t));
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[0]);
	hs_pair_step(p);
	ASSERT_EQ(2u, step_types(&p->s2c, t));
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[0]);
	EXPECT_EQ(KTLSO_CONTENT_APPLICATION_DATA, t[1]);
	hs_pair_step(p);
	ASSERT_EQ(0, hs_pair_run(p));
	session_ok(_metadata, p);
}

static void mtls_ok(struct __test_metadata *_metadata, struct hs_pair *p,
		    bool with_cert)
{
	struct ktlso_session_result r;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->s, &r));
	if (with_cert) {
		EXPECT_TRUE(r.peer_verified);
		EXPECT_STREQ("CN=client.example", r.peer_identity);
		EXPECT_EQ(KTLSO_SIG_ECDSA_SECP256R1_SHA256, r.client_sig_scheme);
	} else {
		EXPECT_FALSE(r.peer_verified);
		EXPECT_STREQ("", r.peer_identity);
		EXPECT_EQ(0, r.client_sig_scheme);
	}
	ktlso_session_result_clear(&r);
	expect_peer_cert(_metadata, p->s, with_cert ? &p->client : NULL);
	session_ok(_metadata, p);
}

TEST_F(hs13, mtls_required)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	mtls_ok(_metadata, &self->p, true);
}

TEST_F(hs13, mtls_optional_with_cert)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	mtls_ok(_metadata, &self->p, true);
}

TEST_F(hs13, mtls_optional_without_cert)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	mtls_ok(_metadata, &self->p, false);
}

/* The server picks its own first preference among the client's offers. */
TEST_F(hs13, alpn)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "h2,http/1.1"));
	ASSERT_EQ(0, ktlso_config_set_alpn(&p->scfg, "spdy/3,http/1.1,h2"));
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_STREQ("http/1.1", r.alpn);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* A server without ALPN ignores the client's offer. */
TEST_F(hs13, alpn_server_has_none)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "h2"));
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_STREQ("", r.alpn);
	ktlso_session_result_clear(&r);
}

/* SNI picks the credential: other.example is an Ed25519 certificate. */
TEST_F(hs13, sni_selects_credential)
{
	struct hs_pair *p = &self->p;
	struct ktlso_cred creds[2];
	struct ktlso_session_result r;
	int round;

	creds[0] = p->srv[SRV_P256];
	creds[1] = p->other;
	p->scfg.creds = creds;
	p->scfg.n_creds = 2;
	for (round = 0; round < 2; round++) {
		pair_reset(p);
		p->ccfg.server_name = round ? "other.example" : "server.example";
		hs_pair_ok(_metadata, p);
		ASSERT_EQ(0, ktlso_session_result(p->c, &r));
		EXPECT_EQ(round ? KTLSO_SIG_ED25519 :
				  KTLSO_SIG_ECDSA_SECP256R1_SHA256, r.sig_scheme);
		EXPECT_STREQ(round ? "CN=other.example" : "CN=server.example",
			     r.peer_identity);
		ktlso_session_result_clear(&r);
		ASSERT_EQ(0, ktlso_session_result(p->s, &r));
		EXPECT_STREQ(p->ccfg.server_name, r.server_name);
		ktlso_session_result_clear(&r);
	}
}

/* KeyUpdate asked by the client, answered by the server: keys still match. */
TEST_F(hs13, key_update)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result before, cr, sr;
	uint8_t buf[64];
	size_t n;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &before));
	ASSERT_EQ(0, ktlso_session_key_update(p->c, true));
	EXPECT_EQ(KTLSO_WANT_READ, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	EXPECT_EQ(0u, n);
	EXPECT_EQ(KTLSO_WANT_READ, ktlso_session_read(p->c, buf, sizeof(buf), &n));
	results_match(_metadata, p, &cr, &sr);
	EXPECT_NE(0, memcmp(before.tx_secret, cr.tx_secret, cr.secret_len));
	EXPECT_NE(0, memcmp(before.rx_secret, cr.rx_secret, cr.secret_len));
	EXPECT_EQ(0u, cr.tx_seq);
	EXPECT_EQ(0u, cr.rx_seq);
	ktlso_session_result_clear(&before);
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
	session_ok(_metadata, p);
}

/* A NewSessionTicket before application data is consumed by the client. */
TEST_F(hs13, new_session_ticket_ignored)
{
	static const uint8_t ticket[] = "opaque ticket";
	struct hs_pair *p = &self->p;
	struct ktlso_session_result sr;
	struct ktlso_new_session_ticket nst;
	struct ktlso_record_protection rp;
	struct ktlso_writer w;
	uint8_t msg[128], rec[256], buf[64];
	size_t len, n;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	memset(&nst, 0, sizeof(nst));
	nst.lifetime = 3600;
	nst.nonce.p = (const uint8_t *)"\0\1";
	nst.nonce.len = 2;
	nst.ticket.p = ticket;
	nst.ticket.len = sizeof(ticket);
	ktlso_writer_init(&w, msg, sizeof(msg));
	ASSERT_EQ(0, ktlso_new_session_ticket_write(&w, &nst));
	ASSERT_EQ(0, ktlso_writer_finish(&w, &len));
	/* The server's kernel would seal these, with the exported keys. */
	ASSERT_EQ(0, ci_record(&sr.tx, sr.suite, true, &rp));
	ASSERT_EQ(0, ktlso_record_seal(&rp, KTLSO_CONTENT_HANDSHAKE, msg, len,
				       0, rec, sizeof(rec), &n));
	pipe_push(&p->s2c, rec, n);
	ASSERT_EQ(0, ktlso_record_seal(&rp, KTLSO_CONTENT_APPLICATION_DATA,
				       (const uint8_t *)"data", 4, 0, rec,
				       sizeof(rec), &n));
	pipe_push(&p->s2c, rec, n);
	ktlso_record_clear(&rp);
	ktlso_session_result_clear(&sr);
	ASSERT_EQ(0, ktlso_session_read(p->c, buf, sizeof(buf), &n));
	ASSERT_EQ(4u, n);
	EXPECT_EQ(0, memcmp(buf, "data", 4));
	EXPECT_EQ(0, p->clog.errors);
}

/* close_notify: the peer reads end of data, not an error. */
TEST_F(hs13, close_notify)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[16];
	size_t n = 1;
	int sent, received;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_close(p->c));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_write(p->c, "x", 1, &n));
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	EXPECT_EQ(0u, n);
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	EXPECT_EQ(0u, n);
	ktlso_session_alerts(p->s, &sent, &received);
	EXPECT_EQ(-1, sent);
	EXPECT_EQ(KTLSO_ALERT_CLOSE_NOTIFY, received);
}

/* No result before the handshake completes, and sessions need sound configs. */
TEST_F(hs13, states_and_configs)
{
	struct hs_pair *p = &self->p;
	struct ktlso_io io = { pipe_read, pipe_write, &p->cend };
	struct ktlso_session_result r;
	struct ktlso_session *s;
	size_t n;

	ASSERT_EQ(0, hs_pair_start(p));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_result(p->c, &r));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_write(p->c, "x", 1, &n));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_read(p->c, &r, 1, &n));

	/* A verifying client without a trust store. */
	p->ccfg.trust = NULL;
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_session_new(&s, &p->ccfg, KTLSO_ROLE_CLIENT, &io));
	EXPECT_NE(0, p->clog.errors);
	/* A server without credentials. */
	p->scfg.n_creds = 0;
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_session_new(&s, &p->scfg, KTLSO_ROLE_SERVER, &io));
	/* TLS 1.2 only, with TLS 1.3 suites only. */
	p->scfg.n_creds = 1;
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg, "TLS_AES_128_GCM_SHA256"));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_session_new(&s, &p->scfg, KTLSO_ROLE_SERVER, &io));
}

TEST_HARNESS_MAIN
