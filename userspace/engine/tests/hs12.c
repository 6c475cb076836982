// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.2 handshake engine, client against server in memory: every
 * TLS 1.2 suite x group x fitting server key type (RSA for ECDHE_RSA;
 * P-256, P-384 and Ed25519 for ECDHE_ECDSA), the choice of suite by
 * credential, signature schemes (RSA PKCS#1 and PSS), mutual
 * authentication, ALPN, SNI, the ClientHello of each version range,
 * version negotiation across TLS 1.2 and 1.3 (and the downgrade sentinel a
 * TLS 1.2-only client must accept), the flights' record layout,
 * fragmentation, non-blocking transports, and the exported kernel keys:
 * each side's tx crypto_info must be the other's rx, with sequence number
 * 1 after the Finished messages, and must open what the other side seals;
 * and the extended master secret, key block and verify_data recomputed
 * from the wire with libcrypto's own TLS1-PRF.
 *
 * There is no known-answer run against vectors/tls12-openssl-handshake.txt:
 * the capture holds the session's master secret but not the client's
 * ephemeral private key, so the engine client cannot be made to replay it
 * (tests/msg12.c checks the captured Finished messages instead).
 *
 * The failure cases are in hs12_fail.c.
 */
#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "kselftest_harness.h"

#include "engine/msg12.h"
#include "engine/sig.h"
#include "hs_test.h"

FIXTURE(hs12) {
	struct hs_pair p;
};

FIXTURE_SETUP(hs12)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
	/* Most cases: TLS 1.2 on both sides. */
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.ccfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_config_set_versions(&self->p.scfg, "1.2", "1.2"));
}

FIXTURE_TEARDOWN(hs12)
{
	hs_pair_free(&self->p);
	EXPECT_EQ(0, test_leaks());
}

/* The record sequence number a crypto_info holds (rec_seq). */
static uint64_t ci_seq(const union ktlso_crypto_info *ci)
{
	struct ktlso_traffic_keys keys;
	uint64_t seq = ~0ull;

	if (ci_keys(ci, &keys, &seq))
		return ~0ull;
	ktlso_traffic_keys_clear(&keys);
	return seq;
}

/*
 * TLS 1.2 AES-GCM/CCM: the crypto_info's iv is the next explicit nonce,
 * which the engine keeps equal to the sequence number.
 */
static uint64_t ci_explicit_nonce(const union ktlso_crypto_info *ci)
{
	const unsigned char *iv;
	uint64_t v = 0;
	int i;

	switch (ci->info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		iv = ci->aes_gcm_128.iv;
		break;
	case TLS_CIPHER_AES_GCM_256:
		iv = ci->aes_gcm_256.iv;
		break;
	case TLS_CIPHER_AES_CCM_128:
		iv = ci->aes_ccm_128.iv;
		break;
	default:
		return ~0ull;
	}
	for (i = 0; i < 8; i++)
		v = v << 8 | iv[i];
	return v;
}

/*
 * The two results agree, as TLS 1.2 results: each side's tx crypto_info
 * is the other's rx, the next sequence number is @seq both ways.
 */
static void results_match(struct __test_metadata *_metadata, struct hs_pair *p,
			  struct ktlso_session_result *cr,
			  struct ktlso_session_result *sr, uint64_t seq)
{
	ASSERT_EQ(0, ktlso_session_result(p->c, cr));
	ASSERT_EQ(0, ktlso_session_result(p->s, sr));
	EXPECT_EQ(KTLSO_TLS12_VERSION, cr->version);
	EXPECT_EQ(cr->version, sr->version);
	EXPECT_EQ(cr->suite, sr->suite);
	EXPECT_EQ(cr->group, sr->group);
	EXPECT_EQ(cr->sig_scheme, sr->sig_scheme);
	EXPECT_EQ(cr->client_sig_scheme, sr->client_sig_scheme);
	EXPECT_STREQ(cr->alpn, sr->alpn);
	EXPECT_EQ(KTLSO_TLS12_VERSION, cr->tx.info.version);
	EXPECT_EQ(KTLSO_TLS12_VERSION, cr->rx.info.version);
	ASSERT_NE(0u, cr->tx_len);
	ASSERT_EQ(cr->tx_len, sr->rx_len);
	ASSERT_EQ(cr->rx_len, sr->tx_len);
	EXPECT_EQ(0, memcmp(&cr->tx, &sr->rx, cr->tx_len));
	EXPECT_EQ(0, memcmp(&cr->rx, &sr->tx, cr->rx_len));
	EXPECT_NE(0, memcmp(&cr->tx, &cr->rx, cr->tx_len));
	EXPECT_EQ(seq, cr->tx_seq);
	EXPECT_EQ(seq, cr->rx_seq);
	EXPECT_EQ(seq, sr->tx_seq);
	EXPECT_EQ(seq, sr->rx_seq);
	EXPECT_EQ(seq, ci_seq(&cr->tx));
	EXPECT_EQ(seq, ci_seq(&cr->rx));
	if (cr->tx.info.cipher_type != TLS_CIPHER_CHACHA20_POLY1305) {
		EXPECT_EQ(seq, ci_explicit_nonce(&cr->tx));
		EXPECT_EQ(seq, ci_explicit_nonce(&sr->tx));
	}
	EXPECT_EQ(0u, cr->secret_len);
	EXPECT_EQ(0u, sr->secret_len);
}

/*
 * @from writes @msg through the engine; the record on the wire opens with
 * @ci (the receiver's exported rx keys, as the kernel would use them);
 * then the receiving engine reads it too.
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

/*
 * Results agree, then data flows both ways, engine and "kernel" keys.
 * @seq: the records of each side's Finished (1 unless fragmented).
 */
static void session_ok_seq(struct __test_metadata *_metadata,
			   struct hs_pair *p, uint64_t seq)
{
	struct ktlso_session_result cr, sr;

	results_match(_metadata, p, &cr, &sr, seq);
	data_one_way(_metadata, p->c, p->s, &p->c2s, &sr.rx, sr.suite,
		     "GET / HTTP/1.1");
	data_one_way(_metadata, p->s, p->c, &p->s2c, &cr.rx, cr.suite,
		     "HTTP/1.1 200 OK");
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
	/* Sequence numbers moved on by one record each way. */
	results_match(_metadata, p, &cr, &sr, seq + 1);
	kernel_to_engine(_metadata, p->c, &p->s2c, &sr.tx, sr.suite,
			 "from the server's kernel");
	kernel_to_engine(_metadata, p->s, &p->c2s, &cr.tx, cr.suite,
			 "from the client's kernel");
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
}

static void session_ok(struct __test_metadata *_metadata, struct hs_pair *p)
{
	session_ok_seq(_metadata, p, 1);
}

/* The defaults, TLS 1.2 only: ECDHE_ECDSA AES-128-GCM, x25519, P-256. */
TEST_F(hs12, defaults)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	const uint8_t *der;
	uint8_t *want;
	size_t want_len;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_TLS12_VERSION, r.version);
	EXPECT_EQ(0xc02b, r.suite);
	EXPECT_EQ(KTLSO_GROUP_X25519, r.group);
	EXPECT_EQ(KTLSO_SIG_ECDSA_SECP256R1_SHA256, r.sig_scheme);
	EXPECT_EQ(0, r.client_sig_scheme);
	EXPECT_TRUE(r.peer_verified);
	EXPECT_STREQ("CN=server.example", r.peer_identity);
	EXPECT_STREQ("server.example", r.server_name);
	EXPECT_EQ(1u, r.tx_seq);
	EXPECT_EQ(1u, r.rx_seq);
	ktlso_session_result_clear(&r);
	ASSERT_EQ(0, ktlso_cred_der(&p->srv[SRV_P256], 0, &want, &want_len));
	ASSERT_EQ(want_len, ktlso_session_peer_cert(p->c, &der));
	EXPECT_EQ(0, memcmp(der, want, want_len));
	OPENSSL_free(want);
	EXPECT_EQ(0u, ktlso_session_peer_cert(p->s, &der));
	ASSERT_EQ(0, ktlso_session_result(p->s, &r));
	EXPECT_STREQ("server.example", r.server_name);
	EXPECT_FALSE(r.peer_verified);
	EXPECT_STREQ("", r.peer_identity);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

struct suite_case {
	const char *name;
	uint16_t id;
	bool rsa;
};

static const struct suite_case suites12[] = {
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, false },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, false },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, false },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", 0xc0ac, false },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, true },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, true },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, true },
};

/*
 * Every suite x group x server key type that fits the suite, data both
 * ways each time. In TLS 1.2 an ECDSA scheme names only the hash: the
 * P-384 key signs with our first, ecdsa_secp256r1_sha256.
 */
TEST_F(hs12, matrix)
{
	static const char *const groups[] = { "x25519", "secp256r1", "secp384r1" };
	static const uint16_t group_ids[] = {
		KTLSO_GROUP_X25519, KTLSO_GROUP_SECP256R1, KTLSO_GROUP_SECP384R1,
	};
	static const uint16_t schemes[SRV_KEY_TYPES] = {
		[SRV_RSA] = KTLSO_SIG_RSA_PSS_RSAE_SHA256,
		[SRV_P256] = KTLSO_SIG_ECDSA_SECP256R1_SHA256,
		[SRV_P384] = KTLSO_SIG_ECDSA_SECP256R1_SHA256,
		[SRV_ED25519] = KTLSO_SIG_ED25519,
	};
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	size_t i, j, k, runs = 0;

	for (i = 0; i < sizeof(suites12) / sizeof(suites12[0]); i++) {
		for (j = 0; j < 3; j++) {
			for (k = 0; k < SRV_KEY_TYPES; k++) {
				if (suites12[i].rsa != (k == SRV_RSA))
					continue;
				hs_pair_reset(p);
				ASSERT_EQ(0, ktlso_config_set_suites(&p->ccfg,
							suites12[i].name));
				/*
				 * The server picks the group; the client
				 * offers all (RFC 8422 5.3: the certificate's
				 * curve must be among them).
				 */
				ASSERT_EQ(0, ktlso_config_set_groups(&p->scfg,
								     groups[j]));
				p->scfg.creds = &p->srv[k];
				hs_pair_ok(_metadata, p);
				ASSERT_EQ(0, ktlso_session_result(p->c, &r));
				EXPECT_EQ(suites12[i].id, r.suite);
				EXPECT_EQ(group_ids[j], r.group);
				EXPECT_EQ(schemes[k], r.sig_scheme);
				ktlso_session_result_clear(&r);
				session_ok(_metadata, p);
				if (_metadata->exit_code)
					TH_LOG("failed: %s %s key %zu",
					       suites12[i].name, groups[j], k);
				ASSERT_EQ(0, _metadata->exit_code);
				runs++;
			}
		}
	}
	EXPECT_EQ(4u * 3 * 3 + 3u * 3, runs);
}

/* The server's preferences win: group and suite. */
TEST_F(hs12, server_preference)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_groups(&p->ccfg,
					     "x25519:secp384r1:secp256r1"));
	ASSERT_EQ(0, ktlso_config_set_groups(&p->scfg, "secp384r1:x25519"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->ccfg,
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:"
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_GROUP_SECP384R1, r.group);
	EXPECT_EQ(0xcca9, r.suite);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/*
 * The suite follows the credential: a server with an RSA certificate only
 * skips its ECDHE_ECDSA preferences; with both, SNI picks the certificate
 * and so the suite.
 */
TEST_F(hs12, suite_follows_credential)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	p->scfg.creds = &p->srv[SRV_RSA];
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(0xc02f, r.suite);
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, r.sig_scheme);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* The server's Certificate message, as sent. */
struct cert_seen {
	uint8_t msg[8192];
	size_t len;
};

static int note_certificate(void *arg, bool server, uint8_t *msg, size_t *len,
			    size_t cap)
{
	struct cert_seen *c = arg;

	(void)cap;
	if (server && msg[0] == KTLSO_HS_CERTIFICATE && *len <= sizeof(c->msg)) {
		memcpy(c->msg, msg, *len);
		c->len = *len;
	}
	return 0;
}

/* Did the server send @cred's leaf? */
static bool sent_leaf(const struct cert_seen *c, const struct ktlso_cred *cred)
{
	uint8_t *der;
	size_t len;
	bool found;

	if (ktlso_cred_der(cred, 0, &der, &len))
		return false;
	found = memmem(c->msg, c->len, der, len) != NULL;
	OPENSSL_free(der);
	return found;
}

/*
 * RFC 8422 5.3: an ECDSA certificate on a curve the client supports. The
 * P-384 certificate is first, but the client has no secp384r1: the server
 * takes the P-256 one, for the same suite.
 */
TEST_F(hs12, certificate_curve_from_client_groups)
{
	struct hs_pair *p = &self->p;
	struct ktlso_cred creds[2];
	struct cert_seen seen = { .len = 0 };
	struct ktlso_session_result r;

	creds[0] = p->srv[SRV_P384];
	creds[1] = p->srv[SRV_P256];
	p->scfg.creds = creds;
	p->scfg.n_creds = 2;
	p->scfg.test.message_out = note_certificate;
	p->scfg.test.arg = &seen;
	ASSERT_EQ(0, ktlso_config_set_groups(&p->ccfg, "x25519:secp256r1"));
	hs_pair_ok(_metadata, p);
	EXPECT_TRUE(sent_leaf(&seen, &p->srv[SRV_P256]));
	EXPECT_FALSE(sent_leaf(&seen, &p->srv[SRV_P384]));
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(0xc02b, r.suite);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
	/* With secp384r1 offered, the first certificate. */
	hs_pair_reset(p);
	ASSERT_EQ(0, ktlso_config_set_groups(&p->ccfg, "x25519:secp384r1"));
	hs_pair_ok(_metadata, p);
	EXPECT_TRUE(sent_leaf(&seen, &p->srv[SRV_P384]));
	session_ok(_metadata, p);
}

/* RSA PKCS#1 signs in TLS 1.2 when the client asks for nothing else. */
TEST_F(hs12, rsa_pkcs1_signature)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_sigschemes(&p->ccfg, "rsa_pkcs1_sha384"));
	p->scfg.creds = &p->srv[SRV_RSA];
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_SIG_RSA_PKCS1_SHA384, r.sig_scheme);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* SNI picks the credential: other.example is an Ed25519 certificate. */
TEST_F(hs12, sni_selects_credential)
{
	struct hs_pair *p = &self->p;
	struct ktlso_cred creds[3];
	struct ktlso_session_result r;
	int round;

	creds[0] = p->srv[SRV_P256];
	creds[1] = p->other;
	creds[2] = p->srv[SRV_RSA];
	p->scfg.creds = creds;
	p->scfg.n_creds = 3;
	for (round = 0; round < 2; round++) {
		hs_pair_reset(p);
		p->ccfg.server_name = round ? "other.example" : "server.example";
		hs_pair_ok(_metadata, p);
		ASSERT_EQ(0, ktlso_session_result(p->c, &r));
		EXPECT_EQ(0xc02b, r.suite);
		EXPECT_EQ(round ? KTLSO_SIG_ED25519 :
				  KTLSO_SIG_ECDSA_SECP256R1_SHA256, r.sig_scheme);
		EXPECT_STREQ(round ? "CN=other.example" : "CN=server.example",
			     r.peer_identity);
		ktlso_session_result_clear(&r);
		ASSERT_EQ(0, ktlso_session_result(p->s, &r));
		EXPECT_STREQ(p->ccfg.server_name, r.server_name);
		ktlso_session_result_clear(&r);
		session_ok(_metadata, p);
	}
}

static void mtls_ok(struct __test_metadata *_metadata, struct hs_pair *p,
		    const char *identity, uint16_t scheme)
{
	struct ktlso_session_result r;

	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->s, &r));
	EXPECT_EQ(identity != NULL, r.peer_verified);
	EXPECT_STREQ(identity ? identity : "", r.peer_identity);
	EXPECT_EQ(scheme, r.client_sig_scheme);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

TEST_F(hs12, mtls_required)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	mtls_ok(_metadata, &self->p, "CN=client.example",
		KTLSO_SIG_ECDSA_SECP256R1_SHA256);
}

/* An RSA client certificate under an ECDHE_ECDSA suite, RSA-PSS. */
TEST_F(hs12, mtls_required_rsa_client)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client_rsa;
	self->p.ccfg.n_creds = 1;
	mtls_ok(_metadata, &self->p, "CN=client.example",
		KTLSO_SIG_RSA_PSS_RSAE_SHA256);
}

/* The client signs with PKCS#1 when the server asks for nothing else. */
TEST_F(hs12, mtls_rsa_pkcs1)
{
	ASSERT_EQ(0, ktlso_config_set_sigschemes(&self->p.scfg,
		"ecdsa_secp256r1_sha256:rsa_pkcs1_sha256"));
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	self->p.ccfg.creds = &self->p.client_rsa;
	self->p.ccfg.n_creds = 1;
	mtls_ok(_metadata, &self->p, "CN=client.example",
		KTLSO_SIG_RSA_PKCS1_SHA256);
}

TEST_F(hs12, mtls_optional_with_cert)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	self->p.ccfg.creds = &self->p.client;
	self->p.ccfg.n_creds = 1;
	mtls_ok(_metadata, &self->p, "CN=client.example",
		KTLSO_SIG_ECDSA_SECP256R1_SHA256);
}

TEST_F(hs12, mtls_optional_without_cert)
{
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	mtls_ok(_metadata, &self->p, NULL, 0);
}

/* A client that does not verify the server still checks its signature. */
TEST_F(hs12, client_peer_auth_none)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	const uint8_t *der;

	p->ccfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	p->ccfg.trust = NULL;
	p->ccfg.server_name = "not.checked.example";
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_FALSE(r.peer_verified);
	EXPECT_STREQ("CN=server.example", r.peer_identity);
	ktlso_session_result_clear(&r);
	/* Nothing to authorise on: the certificate was not verified. */
	EXPECT_EQ(0u, ktlso_session_peer_cert(p->c, &der));
	EXPECT_EQ(NULL, der);
	session_ok(_metadata, p);
}

TEST_F(hs12, alpn)
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

TEST_F(hs12, alpn_server_has_none)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_alpn(&p->ccfg, "h2"));
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_STREQ("", r.alpn);
	ktlso_session_result_clear(&r);
}

/* --- ClientHello and version negotiation ---------------------------------- */

struct ch_seen {
	int n;
	struct ktlso_client_hello ch;	/* shallow: only the counts below */
	uint16_t suites[32];
	size_t n_suites;
	uint16_t versions[4];
	size_t n_versions;
	size_t session_id_len;
	uint8_t point_format;
};

static void note_client_hello(void *arg, struct ktlso_client_hello *ch)
{
	struct ch_seen *c = arg;
	size_t i;

	c->n++;
	c->ch.ext = ch->ext;
	c->n_suites = ch->cipher_suites.n;
	for (i = 0; i < ch->cipher_suites.n && i < 32; i++)
		c->suites[i] = ktlso_u16_list_at(&ch->cipher_suites, i);
	c->n_versions = ch->supported_versions.n;
	for (i = 0; i < ch->supported_versions.n && i < 4; i++)
		c->versions[i] = ktlso_u16_list_at(&ch->supported_versions, i);
	c->session_id_len = ch->session_id.len;
	c->point_format = ch->ec_point_formats.len == 1 ?
			  ch->ec_point_formats.p[0] : 0xff;
}

#define HAS(set, e) (((set).present & KTLSO_EXT_BIT(KTLSO_EXT_##e)) != 0)

/*
 * A client of TLS 1.2 and 1.3 (the default) offers both, the TLS 1.3
 * suites first, and carries what a TLS 1.2 server needs; against a TLS
 * 1.2 server (no sentinel: it cannot do TLS 1.3) it settles for TLS 1.2.
 */
TEST_F(hs12, client_hello_both_versions)
{
	struct hs_pair *p = &self->p;
	struct ch_seen seen = { 0 };
	struct ktlso_session_result r;
	size_t i;

	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.3"));
	p->ccfg.test.client_hello = note_client_hello;
	p->ccfg.test.arg = &seen;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(1, seen.n);
	ASSERT_EQ(2u, seen.n_versions);
	EXPECT_EQ(KTLSO_TLS13_VERSION, seen.versions[0]);
	EXPECT_EQ(KTLSO_TLS12_VERSION, seen.versions[1]);
	EXPECT_TRUE(HAS(seen.ch.ext, KEY_SHARE));
	EXPECT_TRUE(HAS(seen.ch.ext, SUPPORTED_VERSIONS));
	EXPECT_TRUE(HAS(seen.ch.ext, EXTENDED_MASTER_SECRET));
	EXPECT_TRUE(HAS(seen.ch.ext, RENEGOTIATION_INFO));
	EXPECT_TRUE(HAS(seen.ch.ext, EC_POINT_FORMATS));
	EXPECT_TRUE(HAS(seen.ch.ext, SUPPORTED_GROUPS));
	EXPECT_TRUE(HAS(seen.ch.ext, SIGNATURE_ALGORITHMS));
	EXPECT_TRUE(HAS(seen.ch.ext, SERVER_NAME));
	EXPECT_FALSE(HAS(seen.ch.ext, SESSION_TICKET));
	EXPECT_EQ(KTLSO_EC_POINT_UNCOMPRESSED, seen.point_format);
	EXPECT_EQ(32u, seen.session_id_len);	/* middlebox compatibility */
	ASSERT_EQ(11u, seen.n_suites);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0x13, seen.suites[i] >> 8);
	for (i = 4; i < 11; i++)
		EXPECT_NE(0x13, seen.suites[i] >> 8);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_TLS12_VERSION, r.version);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* The 1.2 suites come after the 1.3 ones whatever the configured order. */
TEST_F(hs12, client_hello_suite_order)
{
	struct hs_pair *p = &self->p;
	struct ch_seen seen = { 0 };

	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->ccfg,
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"
		"TLS_AES_256_GCM_SHA384:"
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:"
		"TLS_AES_128_GCM_SHA256"));
	p->ccfg.test.client_hello = note_client_hello;
	p->ccfg.test.arg = &seen;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(4u, seen.n_suites);
	EXPECT_EQ(0x1302, seen.suites[0]);
	EXPECT_EQ(0x1301, seen.suites[1]);
	EXPECT_EQ(0xc02b, seen.suites[2]);
	EXPECT_EQ(0xc02f, seen.suites[3]);
}

/* A TLS 1.2-only client sends a TLS 1.2 ClientHello. */
TEST_F(hs12, client_hello_tls12_only)
{
	struct hs_pair *p = &self->p;
	struct ch_seen seen = { 0 };
	size_t i;

	p->ccfg.test.client_hello = note_client_hello;
	p->ccfg.test.arg = &seen;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(1, seen.n);
	EXPECT_FALSE(HAS(seen.ch.ext, SUPPORTED_VERSIONS));
	EXPECT_FALSE(HAS(seen.ch.ext, KEY_SHARE));
	EXPECT_FALSE(HAS(seen.ch.ext, SESSION_TICKET));
	EXPECT_TRUE(HAS(seen.ch.ext, EXTENDED_MASTER_SECRET));
	EXPECT_TRUE(HAS(seen.ch.ext, RENEGOTIATION_INFO));
	EXPECT_TRUE(HAS(seen.ch.ext, EC_POINT_FORMATS));
	EXPECT_EQ(0u, seen.n_versions);
	EXPECT_EQ(0u, seen.session_id_len);
	ASSERT_EQ(7u, seen.n_suites);
	for (i = 0; i < 7; i++) {
		ASSERT_NE(NULL, ktlso_suite_find(seen.suites[i]));
		EXPECT_EQ(KTLSO_TLS12_VERSION,
			  ktlso_suite_find(seen.suites[i])->version);
	}
	session_ok(_metadata, p);
}

/* The server's random, as its ServerHello carried it. */
struct sh_seen {
	int n;
	uint8_t random[32];
};

static int note_server_hello(void *arg, bool server, uint8_t *msg,
			     size_t *len, size_t cap)
{
	struct sh_seen *sh = arg;

	(void)cap;
	if (server && msg[0] == KTLSO_HS_SERVER_HELLO && *len >= 38) {
		memcpy(sh->random, msg + 6, 32);
		sh->n++;
	}
	return 0;
}

/*
 * A TLS 1.2-only client against a TLS 1.3-capable server: TLS 1.2, and
 * the server's random carries the downgrade sentinel, which this client
 * must not refuse (RFC 8446 4.1.3).
 */
TEST_F(hs12, tls12_client_tls13_server)
{
	struct hs_pair *p = &self->p;
	struct sh_seen sh = { 0 };
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	p->scfg.test.message_out = note_server_hello;
	p->scfg.test.arg = &sh;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(1, sh.n);
	EXPECT_EQ(1, ktlso_tls12_downgrade_sentinel(sh.random));
	ASSERT_EQ(0, ktlso_session_result(p->s, &r));
	EXPECT_EQ(KTLSO_TLS12_VERSION, r.version);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* A TLS 1.2-only server has no sentinel to set. */
TEST_F(hs12, tls13_client_tls12_server)
{
	struct hs_pair *p = &self->p;
	struct sh_seen sh = { 0 };

	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.3"));
	p->scfg.test.message_out = note_server_hello;
	p->scfg.test.arg = &sh;
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(1, sh.n);
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(sh.random));
	session_ok(_metadata, p);
}

/* Both able to do TLS 1.3: TLS 1.3 it is. */
TEST_F(hs12, both_versions_prefer_tls13)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(KTLSO_TLS13_VERSION, r.version);
	EXPECT_EQ(0x1301, r.suite);
	ktlso_session_result_clear(&r);
}

/* A TLS 1.3 server without TLS 1.3 suites in common still does TLS 1.2. */
TEST_F(hs12, tls12_suites_only_in_common)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;

	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, "1.2", "1.2"));
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, "1.2", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_suites(&p->scfg,
		"TLS_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
	hs_pair_ok(_metadata, p);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_EQ(0xc02c, r.suite);
	ktlso_session_result_clear(&r);
	session_ok(_metadata, p);
}

/* --- the keys, recomputed with libcrypto's own TLS 1.2 PRF ----------------- */

/* What one side's hooks see: its ephemeral key, and the shared message log. */
struct kat_side {
	struct kat *k;
	EVP_PKEY *priv;
};

struct kat {
	struct kat_side client, server;
	uint8_t log[16384];
	size_t len;
	size_t through_cke;		/* log length once the CKE is in */
	size_t client_finished;		/* its offset */
};

static int kat_kex(void *arg, struct ktlso_kex *kx, uint16_t group)
{
	struct kat_side *side = arg;
	int ret = ktlso_kex_generate(kx, group);

	if (ret == 0 && EVP_PKEY_up_ref(kx->priv))
		side->priv = kx->priv;
	return ret;
}

/* Both sides append what they send: the log is the transcript. */
static int kat_message(void *arg, bool server, uint8_t *msg, size_t *len,
		       size_t cap)
{
	struct kat *k = ((struct kat_side *)arg)->k;

	(void)cap;
	if (k->len + *len > sizeof(k->log))
		return -KTLSO_ERROR_NO_SPACE;
	if (!server && msg[0] == KTLSO_HS_FINISHED)
		k->client_finished = k->len;
	memcpy(k->log + k->len, msg, *len);
	k->len += *len;
	if (!server && msg[0] == KTLSO_HS_CLIENT_KEY_EXCHANGE)
		k->through_cke = k->len;
	return 0;
}

/* TLS1-PRF(SHA-256) of libcrypto's KDF: @label then the seeds. */
static int prf(const uint8_t *secret, size_t secret_len, const char *label,
	       const uint8_t *s1, size_t l1, const uint8_t *s2, size_t l2,
	       uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6], *q = params;
	int ok;

	*q++ = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_octet_string("secret", (void *)secret,
						 secret_len);
	*q++ = OSSL_PARAM_construct_octet_string("seed", (void *)label,
						 strlen(label));
	*q++ = OSSL_PARAM_construct_octet_string("seed", (void *)s1, l1);
	if (l2)
		*q++ = OSSL_PARAM_construct_octet_string("seed", (void *)s2,
							 l2);
	*q = OSSL_PARAM_construct_end();
	ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static int ecdh(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t *out, size_t *len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
	int ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
		 EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
		 EVP_PKEY_derive(ctx, out, len) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

/*
 * RFC 7627 4 and RFC 5246 6.3, 7.4.9 computed here from the two ephemeral
 * keys and the messages on the wire, with libcrypto's TLS1-PRF: the
 * exported keys of both directions and the client's verify_data must be
 * what they give. (Client and server agreeing on a wrong derivation would
 * pass every other test here; this one and interop would not.)
 */
static void keys_from_the_rfcs(struct __test_metadata *_metadata,
			       struct hs_pair *p, bool ems)
{
	struct kat *k = calloc(1, sizeof(*k));
	struct ktlso_session_result cr, sr;
	uint8_t pms[64], hash[32], master[48], block[40], vd[12];
	const uint8_t *client_random, *server_random;
	size_t pms_len = sizeof(pms);

	ASSERT_NE(NULL, k);
	k->client.k = k->server.k = k;
	p->ccfg.test.arg = &k->client;
	p->scfg.test.arg = &k->server;
	p->ccfg.test.kex_generate = p->scfg.test.kex_generate = kat_kex;
	p->ccfg.test.message_out = p->scfg.test.message_out = kat_message;
	hs_pair_ok(_metadata, p);
	ASSERT_NE(NULL, k->client.priv);
	ASSERT_NE(NULL, k->server.priv);
	ASSERT_NE(0u, k->through_cke);
	ASSERT_NE(0u, k->client_finished);
	ASSERT_EQ(KTLSO_HS_CLIENT_HELLO, k->log[0]);
	client_random = k->log + 6;
	/* The ServerHello follows the ClientHello (u24 body length). */
	server_random = k->log + 4 + ((size_t)k->log[1] << 16 |
				      (size_t)k->log[2] << 8 | k->log[3]) + 6;
	ASSERT_EQ(KTLSO_HS_SERVER_HELLO, server_random[-6]);

	ASSERT_EQ(0, ecdh(k->client.priv, k->server.priv, pms, &pms_len));
	ASSERT_EQ(32u, pms_len);
	ASSERT_EQ(0, EVP_Digest(k->log, k->through_cke, hash, NULL,
				EVP_sha256(), NULL) == 1 ? 0 : -1);
	if (ems) {
		ASSERT_EQ(0, prf(pms, pms_len, "extended master secret", hash,
				 32, NULL, 0, master, sizeof(master)));
	} else {	/* RFC 5246 8.1 */
		ASSERT_EQ(0, prf(pms, pms_len, "master secret", client_random,
				 32, server_random, 32, master,
				 sizeof(master)));
	}
	ASSERT_EQ(0, prf(master, 48, "key expansion", server_random, 32,
			 client_random, 32, block, sizeof(block)));
	/* No CertificateVerify: the client's Finished covers the same. */
	ASSERT_EQ(k->through_cke, k->client_finished);
	ASSERT_EQ(0, prf(master, 48, "client finished", hash, 32, NULL, 0,
			 vd, sizeof(vd)));
	EXPECT_EQ(0, memcmp(k->log + k->client_finished + 4, vd, 12));

	ASSERT_EQ(0, ktlso_session_result(p->c, &cr));
	ASSERT_EQ(0, ktlso_session_result(p->s, &sr));
	ASSERT_EQ(TLS_CIPHER_AES_GCM_128, cr.tx.info.cipher_type);
	/* client_write_key, server_write_key, client_write_IV, server's. */
	EXPECT_EQ(0, memcmp(cr.tx.aes_gcm_128.key, block, 16));
	EXPECT_EQ(0, memcmp(cr.rx.aes_gcm_128.key, block + 16, 16));
	EXPECT_EQ(0, memcmp(cr.tx.aes_gcm_128.salt, block + 32, 4));
	EXPECT_EQ(0, memcmp(cr.rx.aes_gcm_128.salt, block + 36, 4));
	EXPECT_EQ(0, memcmp(sr.rx.aes_gcm_128.key, block, 16));
	EXPECT_EQ(0, memcmp(sr.tx.aes_gcm_128.key, block + 16, 16));
	ktlso_session_result_clear(&cr);
	ktlso_session_result_clear(&sr);
	OPENSSL_cleanse(master, sizeof(master));
	EVP_PKEY_free(k->client.priv);
	EVP_PKEY_free(k->server.priv);
	free(k);
	session_ok(_metadata, p);
}

TEST_F(hs12, keys_from_the_rfcs)
{
	keys_from_the_rfcs(_metadata, &self->p, true);
	EXPECT_EQ(0, self->p.clog.warnings);
	EXPECT_EQ(0, self->p.slog.warnings);
}

/* With ems = preferred both sides still use it when both can. */
TEST_F(hs12, ems_preferred_uses_ems)
{
	self->p.ccfg.ems = self->p.scfg.ems = KTLSO_EMS_PREFERRED;
	keys_from_the_rfcs(_metadata, &self->p, true);
	EXPECT_EQ(0, self->p.clog.warnings);
	EXPECT_EQ(0, self->p.slog.warnings);
}

static void drop_ems(struct ktlso_client_hello *ch)
{
	ch->ext.present &= ~KTLSO_EXT_BIT(KTLSO_EXT_EXTENDED_MASTER_SECRET);
	ch->ext.n = 0;		/* write in enum order */
}

/* A legacy client: its ClientHello has no extended_master_secret. */
static void legacy_client_hello(void *arg, struct ktlso_client_hello *ch)
{
	(void)arg;
	drop_ems(ch);
}

/*
 * ems = preferred on both sides and a client that does not offer it: the
 * server accepts it and does not answer the extension (RFC 7627 5.2), the
 * client accepts a server without it, both derive the RFC 5246 master
 * secret, and each logs one warning for the handshake.
 */
TEST_F(hs12, ems_preferred_accepts_peers_without_it)
{
	struct hs_pair *p = &self->p;

	p->ccfg.ems = p->scfg.ems = KTLSO_EMS_PREFERRED;
	p->ccfg.test.client_hello = legacy_client_hello;
	keys_from_the_rfcs(_metadata, p, false);
	EXPECT_EQ(1, p->slog.warnings);
	EXPECT_NE(NULL, strstr(p->slog.last_warning,
			       "client without the extended master secret"));
	EXPECT_EQ(1, p->clog.warnings);
	EXPECT_NE(NULL, strstr(p->clog.last_warning,
			       "server without the extended master secret"));
}

/* --- records and transports ----------------------------------------------- */

/*
 * The flights: the server's first in one plaintext record; the client's
 * [ClientKeyExchange] CCS [Finished]; the server's CCS [Finished].
 */
TEST_F(hs12, flights)
{
	struct hs_pair *p = &self->p;
	uint8_t t[16];

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	ASSERT_EQ(1u, pipe_record_types(&p->c2s, t, 16));
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(KTLSO_WANT_READ, p->rs);
	ASSERT_EQ(1u, pipe_record_types(&p->s2c, t, 16));
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[0]);
	pipe_free(&p->c2s);		/* the ClientHello, read */
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	ASSERT_EQ(3u, pipe_record_types(&p->c2s, t, 16));
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[0]);
	EXPECT_EQ(KTLSO_CONTENT_CHANGE_CIPHER_SPEC, t[1]);
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[2]);
	/* CKE is 4 + 1 + 32 bytes; the Finished record is sealed. */
	EXPECT_EQ(37u, (size_t)pipe_data(&p->c2s)[3] << 8 |
		       pipe_data(&p->c2s)[4]);
	pipe_free(&p->s2c);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	ASSERT_EQ(2u, pipe_record_types(&p->s2c, t, 16));
	EXPECT_EQ(KTLSO_CONTENT_CHANGE_CIPHER_SPEC, t[0]);
	EXPECT_EQ(KTLSO_CONTENT_HANDSHAKE, t[1]);
	/* 8 explicit nonce + 16 Finished + 16 tag. */
	EXPECT_EQ(40u, (size_t)pipe_data(&p->s2c)[6 + 3] << 8 |
		       pipe_data(&p->s2c)[6 + 4]);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(0, p->rc);
	session_ok(_metadata, p);
}

TEST_F(hs12, fragmented_one_byte_records)
{
	struct hs_pair *p = &self->p;
	uint8_t types[16];

	p->ccfg.test.hs_fragment = 1;
	p->scfg.test.hs_fragment = 1;
	p->scfg.creds = &p->srv[SRV_RSA];
	p->scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
	p->ccfg.creds = &p->client;
	p->ccfg.n_creds = 1;
	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_step(p);
	EXPECT_EQ(16u, pipe_record_types(&p->s2c, types, 16));
	ASSERT_EQ(0, hs_pair_run(p));
	/* Each Finished (16 bytes) went in 16 records. */
	session_ok_seq(_metadata, p, 16);
}

TEST_F(hs12, nonblocking_trickle)
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
TEST_F(hs12, never_reads_past_the_handshake)
{
	static const char extra[] = "\x17\x03\x03\x00\x05hello";
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(KTLSO_WANT_READ, p->rc);
	/* Bytes after the client's Finished: the server must not take them. */
	pipe_push(&p->c2s, extra, sizeof(extra) - 1);
	p->rs = ktlso_session_handshake(p->s);
	ASSERT_EQ(0, p->rs);
	EXPECT_EQ(sizeof(extra) - 1, pipe_pending(&p->c2s));
	EXPECT_EQ(0, memcmp(pipe_data(&p->c2s), extra, sizeof(extra) - 1));
	/* Bytes after the server's Finished: the client must not take them. */
	pipe_push(&p->s2c, extra, sizeof(extra) - 1);
	p->rc = ktlso_session_handshake(p->c);
	ASSERT_EQ(0, p->rc);
	EXPECT_EQ(sizeof(extra) - 1, pipe_pending(&p->s2c));
	EXPECT_EQ(0, memcmp(pipe_data(&p->s2c), extra, sizeof(extra) - 1));
}

/*
 * RFC 5246 7.4.1.1: a HelloRequest during the handshake is ignored, and
 * kept out of the transcript: before the ServerHello and after the
 * server's first flight.
 */
TEST_F(hs12, hello_request_during_handshake)
{
	static const uint8_t hello_request[] = {
		0x16, 0x03, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	};
	struct hs_pair *p = &self->p;

	ASSERT_EQ(0, hs_pair_start(p));
	p->rc = ktlso_session_handshake(p->c);
	p->rs = ktlso_session_handshake(p->s);
	pipe_prepend(&p->s2c, hello_request, sizeof(hello_request));
	pipe_push(&p->s2c, hello_request, sizeof(hello_request));
	ASSERT_EQ(0, hs_pair_run(p)) TH_LOG("%s", p->clog.last_error);
	EXPECT_EQ(0, p->clog.errors);
	session_ok(_metadata, p);
}

/* TLS 1.2 has no KeyUpdate; close_notify works as in TLS 1.3. */
TEST_F(hs12, key_update_and_close)
{
	struct hs_pair *p = &self->p;
	uint8_t buf[16];
	size_t n = 1;
	int sent, received;

	hs_pair_ok(_metadata, p);
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_key_update(p->c, false));
	ASSERT_EQ(0, ktlso_session_close(p->c));
	EXPECT_EQ(-KTLSO_ERROR_STATE, ktlso_session_write(p->c, "x", 1, &n));
	ASSERT_EQ(0, ktlso_session_read(p->s, buf, sizeof(buf), &n));
	EXPECT_EQ(0u, n);
	ktlso_session_alerts(p->s, &sent, &received);
	EXPECT_EQ(-1, sent);
	EXPECT_EQ(KTLSO_ALERT_CLOSE_NOTIFY, received);
}

TEST_HARNESS_MAIN
