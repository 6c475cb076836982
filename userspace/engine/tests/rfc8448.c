// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 key schedule and record protection against RFC 8448 section 3,
 * "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256). Every expected value is
 * read from vectors/rfc8448-simple-1rtt.txt. Transcript hashes are always
 * computed from the trace's handshake messages. The step tests take a step's
 * secret input from the vectors, so that a failure names one step; the
 * full_chain test derives everything from the x25519 shared secret and the
 * messages alone.
 */
#include <stdint.h>
#include <string.h>

#include <linux/ktlso.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/crypto_info.h"
#include "engine/keysched.h"
#include "engine/record.h"
#include "vector_file.h"

#define SHA256 KTLSO_MD_SHA256
#define SUITE_AES_128_GCM_SHA256 0x1301
#define HLEN 32

FIXTURE(rfc8448) {
	struct test_vectors tv;
	/* Transcript hashes computed here from the trace's messages. */
	uint8_t hash_ch_sh[HLEN], hash_ch_cv[HLEN], hash_ch_sf[HLEN],
		hash_ch_cf[HLEN];
};

/* Hash of the concatenation of the named handshake messages. */
static void transcript(struct __test_metadata *_metadata,
		       const struct test_vectors *tv, const char *const names[],
		       uint8_t out[HLEN])
{
	uint8_t buf[2048];
	size_t len = 0;

	for (; *names; names++) {
		const struct test_vector *m = VEC(tv, *names, 0);

		ASSERT_GE(sizeof(buf) - len, m->len);
		memcpy(buf + len, m->data, m->len);
		len += m->len;
	}
	ASSERT_EQ(0, ktlso_hash_digest(SHA256, buf, len, out));
}

FIXTURE_SETUP(rfc8448)
{
	static const char *const to_sh[] = {
		"client_hello", "server_hello", NULL };
	static const char *const to_cv[] = {
		"client_hello", "server_hello", "encrypted_extensions",
		"certificate", "certificate_verify", NULL };
	static const char *const to_sf[] = {
		"client_hello", "server_hello", "encrypted_extensions",
		"certificate", "certificate_verify", "server_finished", NULL };
	static const char *const to_cf[] = {
		"client_hello", "server_hello", "encrypted_extensions",
		"certificate", "certificate_verify", "server_finished",
		"client_finished", NULL };

	ASSERT_EQ(0, test_vectors_load(&self->tv, "rfc8448-simple-1rtt.txt"));
	transcript(_metadata, &self->tv, to_sh, self->hash_ch_sh);
	transcript(_metadata, &self->tv, to_cv, self->hash_ch_cv);
	transcript(_metadata, &self->tv, to_sf, self->hash_ch_sf);
	transcript(_metadata, &self->tv, to_cf, self->hash_ch_cf);
}

FIXTURE_TEARDOWN(rfc8448)
{
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

/* The transcript hashes the RFC prints match the messages it prints. */
TEST_F(rfc8448, transcript_hashes)
{
	const struct test_vectors *tv = &self->tv;

	EXPECT_BYTES("Hash(CH..SH)", VEC(tv, "hash_to_server_hello", HLEN)->data,
		     self->hash_ch_sh, HLEN);
	EXPECT_BYTES("Hash(CH..SF)",
		     VEC(tv, "hash_to_server_finished", HLEN)->data,
		     self->hash_ch_sf, HLEN);
	EXPECT_BYTES("Hash(CH..CF)",
		     VEC(tv, "hash_to_client_finished", HLEN)->data,
		     self->hash_ch_cf, HLEN);
}

/* Early secret -> handshake secret -> master secret, and "derived". */
TEST_F(rfc8448, stage_secrets)
{
	const struct test_vectors *tv = &self->tv;
	const struct test_vector *ecdhe = VEC(tv, "ecdhe_shared_secret", HLEN);
	uint8_t early[HLEN], derived[HLEN], hs[HLEN], master[HLEN];

	ASSERT_EQ(0, ktlso_tls13_early_secret(SHA256, NULL, 0, early));
	EXPECT_BYTES("early secret", VEC(tv, "early_secret", HLEN)->data,
		     early, HLEN);
	ASSERT_EQ(0, ktlso_derive_secret(SHA256, early, "derived", NULL,
					 derived));
	EXPECT_BYTES("derived (early)", VEC(tv, "derived_early", HLEN)->data,
		     derived, HLEN);

	ASSERT_EQ(0, ktlso_tls13_handshake_secret(SHA256, early, ecdhe->data,
						  ecdhe->len, hs));
	EXPECT_BYTES("handshake secret",
		     VEC(tv, "handshake_secret", HLEN)->data, hs, HLEN);
	ASSERT_EQ(0, ktlso_derive_secret(SHA256, hs, "derived", NULL, derived));
	EXPECT_BYTES("derived (handshake)",
		     VEC(tv, "derived_handshake", HLEN)->data, derived, HLEN);

	ASSERT_EQ(0, ktlso_tls13_master_secret(SHA256, hs, master));
	EXPECT_BYTES("master secret", VEC(tv, "master_secret", HLEN)->data,
		     master, HLEN);
}

/* The traffic, exporter and resumption secrets off their stage secrets. */
TEST_F(rfc8448, derived_secrets)
{
	const struct test_vectors *tv = &self->tv;
	const uint8_t *hs = VEC(tv, "handshake_secret", HLEN)->data;
	const uint8_t *ms = VEC(tv, "master_secret", HLEN)->data;
	const struct {
		const uint8_t *stage;
		enum ktlso_tls13_secret which;
		const uint8_t *hash;
		const char *vector;
	} cases[] = {
		{ hs, KTLSO_TLS13_C_HS_TRAFFIC, self->hash_ch_sh, "c_hs_traffic" },
		{ hs, KTLSO_TLS13_S_HS_TRAFFIC, self->hash_ch_sh, "s_hs_traffic" },
		{ ms, KTLSO_TLS13_C_AP_TRAFFIC, self->hash_ch_sf, "c_ap_traffic" },
		{ ms, KTLSO_TLS13_S_AP_TRAFFIC, self->hash_ch_sf, "s_ap_traffic" },
		{ ms, KTLSO_TLS13_EXP_MASTER, self->hash_ch_sf, "exp_master" },
		{ ms, KTLSO_TLS13_RES_MASTER, self->hash_ch_cf, "res_master" },
	};
	uint8_t out[HLEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, ktlso_tls13_derive(SHA256, cases[i].stage,
						cases[i].which, cases[i].hash,
						out));
		EXPECT_BYTES(cases[i].vector, VEC(tv, cases[i].vector, HLEN)->data,
			     out, HLEN);
	}
	/* Only the binder keys may use the empty transcript implicitly. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls13_derive(SHA256, hs, KTLSO_TLS13_C_HS_TRAFFIC, NULL,
				     out));
}

/* [sender]_write_key / _iv for the four traffic secrets. */
TEST_F(rfc8448, traffic_keys)
{
	const struct ktlso_suite *suite = ktlso_suite_find(SUITE_AES_128_GCM_SHA256);
	const struct test_vectors *tv = &self->tv;
	static const char *const names[][3] = {
		{ "s_hs_traffic", "s_hs_key", "s_hs_iv" },
		{ "c_hs_traffic", "c_hs_key", "c_hs_iv" },
		{ "s_ap_traffic", "s_ap_key", "s_ap_iv" },
		{ "c_ap_traffic", "c_ap_key", "c_ap_iv" },
	};
	struct ktlso_traffic_keys keys;
	size_t i;

	ASSERT_NE(NULL, suite);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite,
				VEC(tv, names[i][0], HLEN)->data, &keys));
		ASSERT_EQ(16, keys.key_len);
		ASSERT_EQ(12, keys.iv_len);
		EXPECT_BYTES(names[i][1], VEC(tv, names[i][1], 16)->data,
			     keys.key, 16);
		EXPECT_BYTES(names[i][2], VEC(tv, names[i][2], 12)->data,
			     keys.iv, 12);
	}
	ktlso_traffic_keys_clear(&keys);
	/* A TLS 1.2 suite has no TLS 1.3 traffic keys. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls13_traffic_keys(ktlso_suite_find(0xc02f),
				VEC(tv, "c_ap_traffic", HLEN)->data, &keys));
}

/* Both Finished messages: finished_key, verify_data, and verification. */
TEST_F(rfc8448, finished)
{
	const struct test_vectors *tv = &self->tv;
	const uint8_t *s_hs = VEC(tv, "s_hs_traffic", HLEN)->data;
	const uint8_t *c_hs = VEC(tv, "c_hs_traffic", HLEN)->data;
	const struct test_vector *sf = VEC(tv, "server_finished", 4 + HLEN);
	const struct test_vector *cf = VEC(tv, "client_finished", 4 + HLEN);
	uint8_t out[HLEN], bad[HLEN];

	ASSERT_EQ(0, ktlso_tls13_finished_key(SHA256, s_hs, out));
	EXPECT_BYTES("server finished_key",
		     VEC(tv, "s_finished_key", HLEN)->data, out, HLEN);
	ASSERT_EQ(0, ktlso_tls13_finished_key(SHA256, c_hs, out));
	EXPECT_BYTES("client finished_key",
		     VEC(tv, "c_finished_key", HLEN)->data, out, HLEN);

	/* Server: over CH..CertificateVerify; client: over CH..server Finished. */
	ASSERT_EQ(0, ktlso_tls13_finished(SHA256, s_hs, self->hash_ch_cv, out));
	EXPECT_BYTES("server verify_data",
		     VEC(tv, "s_finished_verify_data", HLEN)->data, out, HLEN);
	EXPECT_BYTES("server Finished body", sf->data + 4, out, HLEN);
	ASSERT_EQ(0, ktlso_tls13_finished(SHA256, c_hs, self->hash_ch_sf, out));
	EXPECT_BYTES("client verify_data",
		     VEC(tv, "c_finished_verify_data", HLEN)->data, out, HLEN);
	EXPECT_BYTES("client Finished body", cf->data + 4, out, HLEN);

	EXPECT_EQ(0, ktlso_tls13_finished_verify(SHA256, s_hs, self->hash_ch_cv,
						 sf->data + 4, HLEN));
	EXPECT_EQ(0, ktlso_tls13_finished_verify(SHA256, c_hs, self->hash_ch_sf,
						 cf->data + 4, HLEN));
	memcpy(bad, cf->data + 4, HLEN);
	bad[HLEN - 1] ^= 0x01;
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
		  ktlso_tls13_finished_verify(SHA256, c_hs, self->hash_ch_sf,
					      bad, HLEN));
	/* The right bytes under the wrong key or transcript fail too. */
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
		  ktlso_tls13_finished_verify(SHA256, s_hs, self->hash_ch_sf,
					      cf->data + 4, HLEN));
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
		  ktlso_tls13_finished_verify(SHA256, c_hs, self->hash_ch_cv,
					      cf->data + 4, HLEN));
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_tls13_finished_verify(SHA256, c_hs, self->hash_ch_sf,
					      cf->data + 4, HLEN - 1));
}

/* Compare @got with the vector @name (ktlso_hash_len() bytes unless @len). */
static void expect_vec(struct __test_metadata *_metadata,
		       const struct test_vectors *tv, const char *name,
		       const uint8_t *got, size_t len)
{
	const struct test_vector *v = VEC(tv, name, len);

	EXPECT_BYTES(name, v->data, got, len);
}

/* The whole schedule from the shared secret and the messages only. */
TEST_F(rfc8448, full_chain)
{
	const struct ktlso_suite *suite = ktlso_suite_find(SUITE_AES_128_GCM_SHA256);
	const struct test_vectors *tv = &self->tv;
	const struct test_vector *ecdhe = VEC(tv, "ecdhe_shared_secret", HLEN);
	uint8_t early[HLEN], hs[HLEN], ms[HLEN], c_hs[HLEN], s_hs[HLEN],
		c_ap[HLEN], s_ap[HLEN], exporter[HLEN], res[HLEN], out[HLEN];
	struct ktlso_traffic_keys k;

	ASSERT_EQ(0, ktlso_tls13_early_secret(SHA256, NULL, 0, early));
	ASSERT_EQ(0, ktlso_tls13_handshake_secret(SHA256, early, ecdhe->data,
						  ecdhe->len, hs));
	ASSERT_EQ(0, ktlso_tls13_derive(SHA256, hs, KTLSO_TLS13_C_HS_TRAFFIC,
					self->hash_ch_sh, c_hs));
	ASSERT_EQ(0, ktlso_tls13_derive(SHA256, hs, KTLSO_TLS13_S_HS_TRAFFIC,
					self->hash_ch_sh, s_hs));
	ASSERT_EQ(0, ktlso_tls13_master_secret(SHA256, hs, ms));
	ASSERT_EQ(0, ktlso_tls13_derive(SHA256, ms, KTLSO_TLS13_C_AP_TRAFFIC,
					self->hash_ch_sf, c_ap));
	ASSERT_EQ(0, ktlso_tls13_derive(SHA256, ms, KTLSO_TLS13_S_AP_TRAFFIC,
					self->hash_ch_sf, s_ap));
	ASSERT_EQ(0, ktlso_tls13_derive(SHA256, ms, KTLSO_TLS13_EXP_MASTER,
					self->hash_ch_sf, exporter));
	ASSERT_EQ(0, ktlso_tls13_derive(SHA256, ms, KTLSO_TLS13_RES_MASTER,
					self->hash_ch_cf, res));
	expect_vec(_metadata, tv, "early_secret", early, HLEN);
	expect_vec(_metadata, tv, "handshake_secret", hs, HLEN);
	expect_vec(_metadata, tv, "c_hs_traffic", c_hs, HLEN);
	expect_vec(_metadata, tv, "s_hs_traffic", s_hs, HLEN);
	expect_vec(_metadata, tv, "master_secret", ms, HLEN);
	expect_vec(_metadata, tv, "c_ap_traffic", c_ap, HLEN);
	expect_vec(_metadata, tv, "s_ap_traffic", s_ap, HLEN);
	expect_vec(_metadata, tv, "exp_master", exporter, HLEN);
	expect_vec(_metadata, tv, "res_master", res, HLEN);

	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite, s_hs, &k));
	expect_vec(_metadata, tv, "s_hs_key", k.key, 16);
	expect_vec(_metadata, tv, "s_hs_iv", k.iv, 12);
	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite, c_hs, &k));
	expect_vec(_metadata, tv, "c_hs_key", k.key, 16);
	expect_vec(_metadata, tv, "c_hs_iv", k.iv, 12);
	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite, s_ap, &k));
	expect_vec(_metadata, tv, "s_ap_key", k.key, 16);
	expect_vec(_metadata, tv, "s_ap_iv", k.iv, 12);
	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite, c_ap, &k));
	expect_vec(_metadata, tv, "c_ap_key", k.key, 16);
	expect_vec(_metadata, tv, "c_ap_iv", k.iv, 12);
	ktlso_traffic_keys_clear(&k);

	ASSERT_EQ(0, ktlso_tls13_finished(SHA256, s_hs, self->hash_ch_cv, out));
	expect_vec(_metadata, tv, "s_finished_verify_data", out, HLEN);
	ASSERT_EQ(0, ktlso_tls13_finished(SHA256, c_hs, self->hash_ch_sf, out));
	expect_vec(_metadata, tv, "c_finished_verify_data", out, HLEN);
	ASSERT_EQ(0, ktlso_tls13_resumption_psk(SHA256, res,
			VEC(tv, "ticket_nonce", 2)->data, 2, out));
	expect_vec(_metadata, tv, "resumption_psk", out, HLEN);
}

/* The ticket PSK from the resumption master secret and ticket_nonce. */
TEST_F(rfc8448, resumption_psk)
{
	const struct test_vectors *tv = &self->tv;
	const struct test_vector *nonce = VEC(tv, "ticket_nonce", 2);
	uint8_t psk[HLEN];

	ASSERT_EQ(0, ktlso_tls13_resumption_psk(SHA256,
			VEC(tv, "res_master", HLEN)->data, nonce->data,
			nonce->len, psk));
	EXPECT_BYTES("resumption PSK", VEC(tv, "resumption_psk", HLEN)->data,
		     psk, HLEN);
}

/*
 * KeyUpdate's next secret. RFC 8448 has no KeyUpdate, so the expected value
 * is HKDF-Expand with the HkdfLabel spelled out byte by byte here
 * (length 32, "tls13 traffic upd", empty context), run through libcrypto
 * directly: this checks the engine's label encoding independently.
 */
TEST_F(rfc8448, key_update)
{
	static const uint8_t info[] = {
		0x00, 0x20, 17, 't', 'l', 's', '1', '3', ' ', 't', 'r', 'a',
		'f', 'f', 'i', 'c', ' ', 'u', 'p', 'd', 0x00,
	};
	const uint8_t *secret = VEC(&self->tv, "c_ap_traffic", HLEN)->data;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	uint8_t expected[HLEN], next[HLEN], again[HLEN];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM params[] = {
		OSSL_PARAM_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, HLEN),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
					sizeof(info)),
		OSSL_PARAM_END,
	};

	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(1, EVP_KDF_derive(ctx, expected, HLEN, params));
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);

	ASSERT_EQ(0, ktlso_tls13_next_traffic_secret(SHA256, secret, next));
	EXPECT_BYTES("application_traffic_secret_1", expected, next, HLEN);
	/* Each generation derives from the one before: N+2 differs from N+1. */
	ASSERT_EQ(0, ktlso_tls13_next_traffic_secret(SHA256, next, again));
	EXPECT_NE(0, memcmp(next, again, HLEN));
}

/*
 * Open a protected record of the trace with keys derived from its
 * traffic secret, check the content, and seal the content back to the
 * identical record bytes.
 */
static void record_round_trip(struct __test_metadata *_metadata,
			      const struct test_vectors *tv,
			      const char *secret_name, uint64_t seq,
			      const char *record_name, uint8_t want_type,
			      const uint8_t *want, size_t want_len)
{
	const struct ktlso_suite *suite = ktlso_suite_find(SUITE_AES_128_GCM_SHA256);
	const struct test_vector *rec = VEC(tv, record_name, 0);
	struct ktlso_record_protection rx, tx;
	struct ktlso_traffic_keys keys;
	uint8_t plain[2048], sealed[2048], type;
	size_t plain_len, sealed_len;

	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite,
			VEC(tv, secret_name, HLEN)->data, &keys));
	ASSERT_EQ(0, ktlso_record_init(&rx, KTLSO_TLS13_VERSION, suite->id,
				       &keys, seq, false));
	ASSERT_EQ(0, ktlso_record_init(&tx, KTLSO_TLS13_VERSION, suite->id,
				       &keys, seq, true));
	ktlso_traffic_keys_clear(&keys);

	ASSERT_EQ(0, ktlso_record_open(&rx, rec->data, rec->len, &type, plain,
				       sizeof(plain), &plain_len))
		TH_LOG("%s does not open", record_name);
	EXPECT_EQ(want_type, type);
	EXPECT_EQ(seq + 1, rx.seq);
	if (want) {
		ASSERT_EQ(want_len, plain_len);
		EXPECT_BYTES(record_name, want, plain, want_len);
	}
	ASSERT_EQ(0, ktlso_record_seal(&tx, type, plain, plain_len, 0, sealed,
				       sizeof(sealed), &sealed_len));
	ASSERT_EQ(rec->len, sealed_len);
	EXPECT_BYTES(record_name, rec->data, sealed, sealed_len);
	ktlso_record_clear(&rx);
	ktlso_record_clear(&tx);
}

TEST_F(rfc8448, server_flight_record)
{
	const struct test_vectors *tv = &self->tv;
	static const char *const msgs[] = {
		"encrypted_extensions", "certificate", "certificate_verify",
		"server_finished",
	};
	uint8_t flight[1024];
	size_t len = 0, i;

	for (i = 0; i < 4; i++) {
		const struct test_vector *m = VEC(tv, msgs[i], 0);

		ASSERT_GE(sizeof(flight) - len, m->len);
		memcpy(flight + len, m->data, m->len);
		len += m->len;
	}
	record_round_trip(_metadata, tv, "s_hs_traffic", 0,
			  "server_flight_record", KTLSO_CONTENT_HANDSHAKE,
			  flight, len);
}

TEST_F(rfc8448, client_finished_record)
{
	const struct test_vector *cf = VEC(&self->tv, "client_finished", 0);

	record_round_trip(_metadata, &self->tv, "c_hs_traffic", 0,
			  "client_finished_record", KTLSO_CONTENT_HANDSHAKE,
			  cf->data, cf->len);
}

TEST_F(rfc8448, application_records)
{
	const struct test_vector *app = VEC(&self->tv, "app_data", 50);

	/* The server's NewSessionTicket took its sequence number 0. */
	record_round_trip(_metadata, &self->tv, "s_ap_traffic", 0,
			  "server_ticket_record", KTLSO_CONTENT_HANDSHAKE,
			  NULL, 0);
	record_round_trip(_metadata, &self->tv, "c_ap_traffic", 0,
			  "client_app_record", KTLSO_CONTENT_APPLICATION_DATA,
			  app->data, app->len);
	record_round_trip(_metadata, &self->tv, "s_ap_traffic", 1,
			  "server_app_record", KTLSO_CONTENT_APPLICATION_DATA,
			  app->data, app->len);
}

/* A trace record under the wrong key, sequence number or bytes fails. */
TEST_F(rfc8448, record_rejects)
{
	const struct ktlso_suite *suite = ktlso_suite_find(SUITE_AES_128_GCM_SHA256);
	const struct test_vector *rec = VEC(&self->tv, "client_app_record", 72);
	struct ktlso_record_protection rx;
	struct ktlso_traffic_keys keys;
	uint8_t copy[72], plain[128], type;
	size_t plain_len;

	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite,
			VEC(&self->tv, "c_ap_traffic", HLEN)->data, &keys));
	/* Sequence number 1 instead of 0. */
	ASSERT_EQ(0, ktlso_record_init(&rx, KTLSO_TLS13_VERSION, suite->id,
				       &keys, 1, false));
	EXPECT_EQ(-KTLSO_ALERT_BAD_RECORD_MAC,
		  ktlso_record_open(&rx, rec->data, rec->len, &type, plain,
				    sizeof(plain), &plain_len));
	EXPECT_EQ(1U, rx.seq);
	ktlso_record_clear(&rx);

	/* One flipped bit in the legacy version (authenticated, not checked). */
	ASSERT_EQ(0, ktlso_record_init(&rx, KTLSO_TLS13_VERSION, suite->id,
				       &keys, 0, false));
	memcpy(copy, rec->data, sizeof(copy));
	copy[2] ^= 0x01;
	EXPECT_EQ(-KTLSO_ALERT_BAD_RECORD_MAC,
		  ktlso_record_open(&rx, copy, sizeof(copy), &type, plain,
				    sizeof(plain), &plain_len));
	EXPECT_EQ(0U, plain_len);
	/* The untouched record still opens: failures do not consume seq. */
	EXPECT_EQ(0, ktlso_record_open(&rx, rec->data, rec->len, &type, plain,
				       sizeof(plain), &plain_len));
	ktlso_record_clear(&rx);
	ktlso_traffic_keys_clear(&keys);
}

/* The kernel's TLS_TX/TLS_RX argument for the client's application keys. */
TEST_F(rfc8448, crypto_info)
{
	const struct ktlso_suite *suite = ktlso_suite_find(SUITE_AES_128_GCM_SHA256);
	const uint8_t *key = VEC(&self->tv, "c_ap_key", 16)->data;
	const uint8_t *iv = VEC(&self->tv, "c_ap_iv", 12)->data;
	static const uint8_t seq_be[8] = { 0, 0, 0, 0, 0, 0, 0x01, 0x02 };
	struct tls12_crypto_info_aes_gcm_128 *gcm;
	struct ktlso_traffic_keys keys;
	union ktlso_crypto_info ci;
	size_t len;

	ASSERT_EQ(0, ktlso_tls13_traffic_keys(suite,
			VEC(&self->tv, "c_ap_traffic", HLEN)->data, &keys));
	ASSERT_EQ(0, ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS13_VERSION,
					    suite->id, &keys, 0x0102));
	gcm = &ci.aes_gcm_128;
	EXPECT_EQ(sizeof(*gcm), len);
	EXPECT_EQ(TLS_1_3_VERSION, gcm->info.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, gcm->info.cipher_type);
	EXPECT_BYTES("key", key, gcm->key, 16);
	EXPECT_BYTES("salt (iv[0..3])", iv, gcm->salt, 4);
	EXPECT_BYTES("iv (iv[4..11])", iv + 4, gcm->iv, 8);
	EXPECT_BYTES("rec_seq", seq_be, gcm->rec_seq, 8);

	/* A TLS 1.3 suite under the TLS 1.2 version is refused. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS12_VERSION,
					 suite->id, &keys, 0));
	EXPECT_EQ(0U, len);
	ktlso_traffic_keys_clear(&keys);
	ktlso_crypto_info_clear(&ci);
}

/*
 * The kernel's KTLSO_TX_SECRET/KTLSO_RX_SECRET argument for the client's
 * application traffic secret: the uAPI's hash number and length, the
 * secret's bytes, zeros after; TLS 1.2 suites and wrong lengths refused.
 */
TEST_F(rfc8448, traffic_secret)
{
	const uint8_t *secret = VEC(&self->tv, "c_ap_traffic", HLEN)->data;
	static const uint8_t zero[KTLSO_SECRET_MAX];
	uint8_t secret48[48];
	struct ktlso_traffic_secret ts;

	ASSERT_EQ(0, ktlso_traffic_secret_fill(&ts, SUITE_AES_128_GCM_SHA256,
					       secret, HLEN));
	EXPECT_EQ(KTLSO_HASH_SHA256, ts.hash);
	EXPECT_EQ(HLEN, ts.secret_len);
	EXPECT_EQ(0U, ts.reserved);
	EXPECT_BYTES("secret", secret, ts.secret, HLEN);
	EXPECT_BYTES("zeros after it", zero, ts.secret + HLEN,
		     sizeof(ts.secret) - HLEN);

	/* Every TLS 1.3 suite: its hash, by the engine's suite table. */
	memset(secret48, 0x5a, sizeof(secret48));
	ASSERT_EQ(0, ktlso_traffic_secret_fill(&ts, 0x1302, secret48, 48));
	EXPECT_EQ(KTLSO_HASH_SHA384, ts.hash);
	EXPECT_EQ(48, ts.secret_len);
	EXPECT_BYTES("secret", secret48, ts.secret, 48);
	ASSERT_EQ(0, ktlso_traffic_secret_fill(&ts, 0x1303, secret, HLEN));
	EXPECT_EQ(KTLSO_HASH_SHA256, ts.hash);
	ASSERT_EQ(0, ktlso_traffic_secret_fill(&ts, 0x1304, secret, HLEN));
	EXPECT_EQ(KTLSO_HASH_SHA256, ts.hash);

	/* Refused, and left all zero. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_traffic_secret_fill(&ts, 0x1302, secret, HLEN));
	EXPECT_BYTES("refused: zero", zero, ts.secret, sizeof(ts.secret));
	EXPECT_EQ(0, ts.hash);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_traffic_secret_fill(&ts, SUITE_AES_128_GCM_SHA256,
					    secret48, 48));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_traffic_secret_fill(&ts, 0xc02f, secret, HLEN));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_traffic_secret_fill(&ts, 0x1305, secret, HLEN));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_traffic_secret_fill(&ts, SUITE_AES_128_GCM_SHA256,
					    NULL, HLEN));
	ktlso_traffic_secret_clear(&ts);
}

TEST_HARNESS_MAIN
