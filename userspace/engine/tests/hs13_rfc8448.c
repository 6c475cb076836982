// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's TLS 1.3 client driven through RFC 8448 section 3 ("Simple
 * 1-RTT Handshake"): with the trace's random and ephemeral x25519 key
 * injected through the test hooks, and its ClientHello extensions set as
 * the trace has them, the client must write the trace's ClientHello byte
 * for byte, accept the server's records from the trace, write the trace's
 * protected Finished record, export the trace's application keys, consume
 * the NewSessionTicket, and seal application data as the trace does.
 *
 * The server's certificate in the trace is a self-signed RSA-1024 one
 * (expired since 2026): the client runs with KTLSO_PEER_AUTH_NONE, which
 * still checks the server's CertificateVerify against it.
 */
#include <openssl/evp.h>

#include "kselftest_harness.h"

#include "engine/kex.h"
#include "engine/sig.h"
#include "hs_test.h"

/* RFC 8448 3, "{client} create an ephemeral x25519 key pair": private key. */
static const uint8_t client_x25519_private[32] = {
	0x49, 0xaf, 0x42, 0xba, 0x7f, 0x79, 0x94, 0x85, 0x2d, 0x71, 0x3e, 0xf2,
	0x78, 0x4b, 0xcb, 0xca, 0xa7, 0x91, 0x1d, 0xe2, 0x6a, 0xdc, 0x56, 0x42,
	0xcb, 0x63, 0x45, 0x40, 0xe7, 0xea, 0x50, 0x05,
};

/* The ClientHello's supported_groups and signature_algorithms in the trace. */
static const uint16_t trace_groups[] = {
	0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
};
static const uint16_t trace_schemes[] = {
	0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806,
	0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202,
};

FIXTURE(rfc8448_client) {
	struct test_vectors tv;
	struct ktlso_config cfg;
	struct pipe c2s, s2c;
	struct pipe_end end;
	struct ktlso_session *c;
	struct test_log log;
	const uint8_t *client_random;
};

/* The trace's random: bytes 6..38 of its ClientHello. */
static int trace_random(void *arg, uint8_t *out, size_t len)
{
	FIXTURE_DATA(rfc8448_client) *self = arg;

	if (len != 32)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	memcpy(out, self->client_random, 32);
	return 0;
}

static int trace_key(void *arg, struct ktlso_kex *kx, uint16_t group)
{
	(void)arg;
	if (group != KTLSO_GROUP_X25519)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	kx->group = group;
	kx->priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
						client_x25519_private,
						sizeof(client_x25519_private));
	return kx->priv ? 0 : -KTLSO_ERROR_CRYPTO;
}

/* The trace's extensions, in its order. */
static void trace_client_hello(void *arg, struct ktlso_client_hello *ch)
{
	static const enum ktlso_ext order[] = {
		KTLSO_EXT_SERVER_NAME, KTLSO_EXT_RENEGOTIATION_INFO,
		KTLSO_EXT_SUPPORTED_GROUPS, KTLSO_EXT_SESSION_TICKET,
		KTLSO_EXT_KEY_SHARE, KTLSO_EXT_SUPPORTED_VERSIONS,
		KTLSO_EXT_SIGNATURE_ALGORITHMS,
		KTLSO_EXT_PSK_KEY_EXCHANGE_MODES, KTLSO_EXT_RECORD_SIZE_LIMIT,
	};
	size_t i;

	(void)arg;
	memset(&ch->ext, 0, sizeof(ch->ext));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		ktlso_ext_set_add(&ch->ext, order[i]);
	ch->supported_groups.v = trace_groups;
	ch->supported_groups.n = sizeof(trace_groups) / 2;
	ch->signature_algorithms.v = trace_schemes;
	ch->signature_algorithms.n = sizeof(trace_schemes) / 2;
	ch->session_ticket.p = NULL;
	ch->session_ticket.len = 0;
	ch->psk_modes = KTLSO_PSK_DHE_KE_BIT;
	ch->record_size_limit = 0x4001;
}

FIXTURE_SETUP(rfc8448_client)
{
	struct ktlso_io io = { pipe_read, pipe_write, &self->end };
	struct ktlso_config *c = &self->cfg;

	ASSERT_EQ(0, test_vectors_load(&self->tv, "rfc8448-simple-1rtt.txt"));
	self->client_random = VEC(&self->tv, "client_hello", 0)->data + 6;
	ktlso_config_init(c);
	ASSERT_EQ(0, ktlso_config_set_versions(c, "1.3", "1.3"));
	ASSERT_EQ(0, ktlso_config_set_suites(c, "TLS_AES_128_GCM_SHA256:"
					     "TLS_CHACHA20_POLY1305_SHA256:"
					     "TLS_AES_256_GCM_SHA384"));
	ASSERT_EQ(0, ktlso_config_set_groups(c, "x25519"));
	c->middlebox_compat = false;
	c->peer_auth = KTLSO_PEER_AUTH_NONE;
	c->server_name = "server";
	c->log = test_log_cb;
	c->log_arg = &self->log;
	c->test.arg = self;
	c->test.random = trace_random;
	c->test.kex_generate = trace_key;
	c->test.client_hello = trace_client_hello;
	self->end.in = &self->s2c;
	self->end.out = &self->c2s;
	ASSERT_EQ(0, ktlso_session_new(&self->c, c, KTLSO_ROLE_CLIENT, &io));
}

FIXTURE_TEARDOWN(rfc8448_client)
{
	ktlso_session_free(self->c);
	pipe_free(&self->c2s);
	pipe_free(&self->s2c);
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

/* The first record in @p, header stripped, must be @want. */
static void expect_record(struct __test_metadata *_metadata, struct pipe *p,
			  uint8_t type, const struct test_vector *want)
{
	ASSERT_LE(5 + want->len, pipe_pending(p));
	EXPECT_EQ(type, pipe_data(p)[0]);
	EXPECT_EQ(want->len, (size_t)pipe_data(p)[3] << 8 | pipe_data(p)[4]);
	EXPECT_EQ(0, memcmp(pipe_data(p) + 5, want->data, want->len));
	pipe_consume(p, 5 + want->len);
}

TEST_F(rfc8448_client, simple_1rtt)
{
	const struct test_vectors *tv = &self->tv;
	const struct test_vector *sh = VEC(tv, "server_hello", 0);
	const struct test_vector *v;
	struct ktlso_session_result r;
	struct ktlso_traffic_keys keys;
	uint8_t hdr[5] = { 0x16, 0x03, 0x03, 0, 0 }, buf[64];
	uint64_t seq;
	size_t n;

	/* ClientHello, byte for byte. */
	ASSERT_EQ(KTLSO_WANT_READ, ktlso_session_handshake(self->c));
	expect_record(_metadata, &self->c2s, KTLSO_CONTENT_HANDSHAKE,
		      VEC(tv, "client_hello", 196));
	ASSERT_EQ(0u, pipe_pending(&self->c2s));

	/* The server's ServerHello and protected flight. */
	hdr[3] = (uint8_t)(sh->len >> 8);
	hdr[4] = (uint8_t)sh->len;
	pipe_push(&self->s2c, hdr, sizeof(hdr));
	pipe_push(&self->s2c, sh->data, sh->len);
	v = VEC(tv, "server_flight_record", 0);
	pipe_push(&self->s2c, v->data, v->len);
	ASSERT_EQ(0, ktlso_session_handshake(self->c))
		TH_LOG("%s", self->log.last_error);

	/* The client's Finished record, byte for byte. */
	v = VEC(tv, "client_finished_record", 58);
	ASSERT_EQ(v->len, pipe_pending(&self->c2s));
	EXPECT_EQ(0, memcmp(pipe_data(&self->c2s), v->data, v->len));
	pipe_consume(&self->c2s, v->len);

	/* The application keys the kernel would get. */
	ASSERT_EQ(0, ktlso_session_result(self->c, &r));
	EXPECT_EQ(0x1301, r.suite);
	EXPECT_EQ(KTLSO_GROUP_X25519, r.group);
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA256, r.sig_scheme);
	EXPECT_FALSE(r.peer_verified);
	EXPECT_STREQ("CN=rsa", r.peer_identity);
	ASSERT_EQ(32u, r.secret_len);
	EXPECT_EQ(0, memcmp(r.tx_secret, VEC(tv, "c_ap_traffic", 32)->data, 32));
	EXPECT_EQ(0, memcmp(r.rx_secret, VEC(tv, "s_ap_traffic", 32)->data, 32));
	ASSERT_EQ(0, ci_keys(&r.tx, &keys, &seq));
	EXPECT_EQ(0, memcmp(keys.key, VEC(tv, "c_ap_key", 16)->data, 16));
	EXPECT_EQ(0, memcmp(keys.iv, VEC(tv, "c_ap_iv", 12)->data, 12));
	EXPECT_EQ(0u, seq);
	ASSERT_EQ(0, ci_keys(&r.rx, &keys, &seq));
	EXPECT_EQ(0, memcmp(keys.key, VEC(tv, "s_ap_key", 16)->data, 16));
	EXPECT_EQ(0, memcmp(keys.iv, VEC(tv, "s_ap_iv", 12)->data, 12));
	EXPECT_EQ(0u, seq);
	ktlso_traffic_keys_clear(&keys);
	ktlso_session_result_clear(&r);

	/* NewSessionTicket (seq 0) is dropped; application data (seq 1) read. */
	v = VEC(tv, "server_ticket_record", 0);
	pipe_push(&self->s2c, v->data, v->len);
	v = VEC(tv, "server_app_record", 0);
	pipe_push(&self->s2c, v->data, v->len);
	v = VEC(tv, "app_data", 50);
	ASSERT_EQ(0, ktlso_session_read(self->c, buf, sizeof(buf), &n));
	ASSERT_EQ(v->len, n);
	EXPECT_EQ(0, memcmp(buf, v->data, v->len));

	/* The client's application data record, byte for byte. */
	ASSERT_EQ(0, ktlso_session_write(self->c, v->data, v->len, &n));
	ASSERT_EQ(v->len, n);
	v = VEC(tv, "client_app_record", 72);
	ASSERT_EQ(v->len, pipe_pending(&self->c2s));
	EXPECT_EQ(0, memcmp(pipe_data(&self->c2s), v->data, v->len));
	EXPECT_EQ(0, self->log.errors);
}

/* The injected key is the trace's: its public half is in the ClientHello. */
TEST_F(rfc8448_client, ephemeral_key_matches_trace)
{
	struct ktlso_kex kx = { 0 };
	uint8_t pub[32];
	size_t len;
	const uint8_t *ch = VEC(&self->tv, "client_hello", 196)->data;

	ASSERT_EQ(0, trace_key(NULL, &kx, KTLSO_GROUP_X25519));
	ASSERT_EQ(0, ktlso_kex_public(&kx, pub, sizeof(pub), &len));
	ktlso_kex_free(&kx);
	ASSERT_EQ(32u, len);
	/* key_share: ... 00 33 00 26 00 24 00 1d 00 20 <32 bytes> */
	EXPECT_EQ(0, memcmp(ch + 109, pub, 32));
}

TEST_HARNESS_MAIN
