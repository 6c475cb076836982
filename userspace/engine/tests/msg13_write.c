// SPDX-License-Identifier: GPL-2.0
/*
 * The message writers: every message type built from host-form structs
 * (arrays, not wire bytes), written, parsed back and compared field by
 * field; the parse of that written back byte for byte; and the structs the
 * writers must refuse.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/msg.h"
#include "msg_test.h"
#include "vector_file.h"

#define INVALID (-KTLSO_ERROR_INVALID_ARGUMENT)
#define BIT(e) KTLSO_EXT_BIT(KTLSO_EXT_##e)
#define SPAN(s) ((struct ktlso_span){ (const uint8_t *)(s), sizeof(s) - 1 })

static bool span_eq(const struct ktlso_span *a, const struct ktlso_span *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* Write with @write into @out and split the result. */
#define WRITE_MSG(out, write, st)					\
	do {								\
		struct ktlso_writer _w;					\
									\
		ktlso_writer_init(&_w, (out)->buf, sizeof((out)->buf));	\
		ASSERT_EQ(0, write(&_w, (st)));				\
		ASSERT_EQ(0, ktlso_writer_finish(&_w, &(out)->len));	\
		ASSERT_EQ(0, ktlso_hs_msg_split(&(out)->msg, (out)->buf, \
						(out)->len));		\
	} while (0)

/* Parse @m, write the result again: the same bytes. */
#define REWRITE_SAME(m, write, st)					\
	do {								\
		struct test_msg _again;					\
									\
		WRITE_MSG(&_again, write, (st));			\
		ASSERT_EQ((m)->len, _again.len);			\
		EXPECT_EQ(0, memcmp((m)->buf, _again.buf, _again.len));	\
	} while (0)

static const uint16_t suites[] = { 0x1302, 0x1301, 0x1303, 0x1304 };
static const uint16_t groups[] = { 0x001d, 0x0017, 0x0018 };
static const uint16_t sigalgs[] = { 0x0403, 0x0804, 0x0807 };
static const uint16_t versions[] = { 0x0304, 0x0303 };
static const uint8_t key_x25519[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const uint8_t key_p256[65] = { 4, 9, 8, 7 };

static void fill_client_hello(struct ktlso_client_hello *ch,
			      struct ktlso_key_share *shares,
			      struct ktlso_span *alpn)
{
	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = 0x0303;
	memset(ch->random, 0x42, sizeof(ch->random));
	ch->session_id = SPAN("0123456789abcdef0123456789abcdef");
	ch->cipher_suites = (struct ktlso_u16_list){ suites, NULL, 4 };
	ch->compression_methods = SPAN("\0");
	shares[0] = (struct ktlso_key_share){ 0x001d,
		{ key_x25519, sizeof(key_x25519) } };
	shares[1] = (struct ktlso_key_share){ 0x0017,
		{ key_p256, sizeof(key_p256) } };
	alpn[0] = SPAN("h2");
	alpn[1] = SPAN("http/1.1");
	ch->server_name = SPAN("example.com");
	ch->supported_groups = (struct ktlso_u16_list){ groups, NULL, 3 };
	ch->signature_algorithms = (struct ktlso_u16_list){ sigalgs, NULL, 3 };
	ch->signature_algorithms_cert = (struct ktlso_u16_list){ sigalgs, NULL, 2 };
	ch->supported_versions = (struct ktlso_u16_list){ versions, NULL, 2 };
	ch->key_shares = (struct ktlso_key_share_list){ shares, NULL, 0, 2 };
	ch->alpn = (struct ktlso_alpn_list){ alpn, NULL, 0, 2 };
	ch->cookie = SPAN("cookie!");
	ch->psk_modes = KTLSO_PSK_KE_BIT | KTLSO_PSK_DHE_KE_BIT;
	ch->record_size_limit = 0x4001;
	ch->status_request = SPAN("\x01\x00\x00\x00\x00");
	ch->certificate_authorities = SPAN("\x00\x03\x30\x01\x00");
	ch->session_ticket = SPAN("opaque ticket");
	ch->psk_identities = SPAN("\x00\x03" "abc" "\x00\x00\x00\x07");
	ch->psk_binders = SPAN("\x20" "0123456789abcdef0123456789abcdef");
	ch->psk_count = 1;
	ch->ext.present = BIT(SERVER_NAME) | BIT(STATUS_REQUEST) |
		BIT(SUPPORTED_GROUPS) | BIT(SIGNATURE_ALGORITHMS) | BIT(ALPN) |
		BIT(SCT) | BIT(EXTENDED_MASTER_SECRET) | BIT(RECORD_SIZE_LIMIT) |
		BIT(SESSION_TICKET) | BIT(EARLY_DATA) | BIT(SUPPORTED_VERSIONS) |
		BIT(COOKIE) | BIT(PSK_KEY_EXCHANGE_MODES) |
		BIT(CERTIFICATE_AUTHORITIES) | BIT(POST_HANDSHAKE_AUTH) |
		BIT(SIGNATURE_ALGORITHMS_CERT) | BIT(KEY_SHARE) |
		BIT(RENEGOTIATION_INFO) | BIT(PRE_SHARED_KEY);
}

static void u16_lists_equal(struct __test_metadata *_metadata,
			    const struct ktlso_u16_list *a,
			    const struct ktlso_u16_list *b, const char *what)
{
	size_t i;

	ASSERT_EQ(a->n, b->n) TH_LOG("%s", what);
	for (i = 0; i < a->n; i++)
		EXPECT_EQ(ktlso_u16_list_at(a, i), ktlso_u16_list_at(b, i))
			TH_LOG("%s[%zu]", what, i);
}

TEST(client_hello_round_trip)
{
	struct ktlso_client_hello in, out;
	struct ktlso_key_share shares[2], ks;
	struct ktlso_span alpn[2], name;
	struct ktlso_list_iter it = { 0 };
	struct test_msg m;
	size_t i;

	fill_client_hello(&in, shares, alpn);
	WRITE_MSG(&m, ktlso_client_hello_write, &in);
	ASSERT_EQ(0, ktlso_client_hello_parse(&out, &m.msg));

	EXPECT_EQ(in.legacy_version, out.legacy_version);
	EXPECT_EQ(0, memcmp(in.random, out.random, KTLSO_RANDOM_LEN));
	EXPECT_TRUE(span_eq(&in.session_id, &out.session_id));
	u16_lists_equal(_metadata, &in.cipher_suites, &out.cipher_suites,
			"suites");
	EXPECT_TRUE(span_eq(&in.compression_methods, &out.compression_methods));
	EXPECT_EQ(in.ext.present, out.ext.present);
	/* Written in enum order, pre_shared_key last. */
	ASSERT_EQ(19, out.ext.n);
	for (i = 1; i < out.ext.n; i++)
		EXPECT_LT(out.ext.order[i - 1], out.ext.order[i]);
	EXPECT_EQ(KTLSO_EXT_PRE_SHARED_KEY, out.ext.order[18]);
	EXPECT_TRUE(span_eq(&in.server_name, &out.server_name));
	EXPECT_TRUE(span_eq(&in.status_request, &out.status_request));
	u16_lists_equal(_metadata, &in.supported_groups, &out.supported_groups,
			"groups");
	u16_lists_equal(_metadata, &in.signature_algorithms,
			&out.signature_algorithms, "sigalgs");
	u16_lists_equal(_metadata, &in.signature_algorithms_cert,
			&out.signature_algorithms_cert, "sigalgs_cert");
	u16_lists_equal(_metadata, &in.supported_versions,
			&out.supported_versions, "versions");
	ASSERT_EQ(2U, out.alpn.n);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, ktlso_alpn_list_next(&out.alpn, &it, &name));
		EXPECT_TRUE(span_eq(&alpn[i], &name));
	}
	EXPECT_EQ(0, ktlso_alpn_list_next(&out.alpn, &it, &name));
	memset(&it, 0, sizeof(it));
	ASSERT_EQ(2U, out.key_shares.n);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, ktlso_key_share_list_next(&out.key_shares, &it,
						       &ks));
		EXPECT_EQ(shares[i].group, ks.group);
		EXPECT_TRUE(span_eq(&shares[i].key_exchange, &ks.key_exchange));
	}
	ASSERT_TRUE(ktlso_key_share_list_find(&out.key_shares, 0x0017, &ks));
	EXPECT_EQ(65U, ks.key_exchange.len);
	EXPECT_TRUE(ktlso_key_share_list_find(&in.key_shares, 0x0017, &ks));
	EXPECT_FALSE(ktlso_key_share_list_find(&in.key_shares, 0x0018, &ks));
	EXPECT_TRUE(span_eq(&in.cookie, &out.cookie));
	EXPECT_EQ(in.psk_modes, out.psk_modes);
	EXPECT_EQ(in.record_size_limit, out.record_size_limit);
	EXPECT_TRUE(span_eq(&in.certificate_authorities,
			    &out.certificate_authorities));
	EXPECT_TRUE(span_eq(&in.session_ticket, &out.session_ticket));
	EXPECT_TRUE(span_eq(&in.psk_identities, &out.psk_identities));
	EXPECT_TRUE(span_eq(&in.psk_binders, &out.psk_binders));
	EXPECT_EQ(1U, out.psk_count);
	REWRITE_SAME(&m, ktlso_client_hello_write, &out);

	/* An explicit order is kept. */
	memset(&in.ext, 0, sizeof(in.ext));
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_KEY_SHARE);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_SIGNATURE_ALGORITHMS);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_SUPPORTED_GROUPS);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_SUPPORTED_GROUPS);	/* once */
	WRITE_MSG(&m, ktlso_client_hello_write, &in);
	ASSERT_EQ(0, ktlso_client_hello_parse(&out, &m.msg));
	ASSERT_EQ(4, out.ext.n);
	EXPECT_EQ(0, memcmp(in.ext.order, out.ext.order, 4));
}

TEST(server_hello_round_trip)
{
	struct ktlso_server_hello in, out;
	struct test_msg m;
	uint32_t offered = BIT(KEY_SHARE) | BIT(SUPPORTED_VERSIONS) |
			   BIT(PRE_SHARED_KEY);

	memset(&in, 0, sizeof(in));
	in.legacy_version = 0x0303;
	memset(in.random, 0x24, sizeof(in.random));
	in.session_id = SPAN("0123456789abcdef0123456789abcdef");
	in.cipher_suite = 0x1302;
	in.selected_version = KTLSO_TLS13_VERSION;
	in.key_share = (struct ktlso_key_share){ 0x0017,
		{ key_p256, sizeof(key_p256) } };
	in.selected_identity = 3;
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_KEY_SHARE);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_PRE_SHARED_KEY);
	WRITE_MSG(&m, ktlso_server_hello_write, &in);
	ASSERT_EQ(0, ktlso_server_hello_parse(&out, &m.msg, offered));
	EXPECT_FALSE(out.hrr);
	EXPECT_EQ(0, memcmp(in.random, out.random, KTLSO_RANDOM_LEN));
	EXPECT_TRUE(span_eq(&in.session_id, &out.session_id));
	EXPECT_EQ(0x1302, out.cipher_suite);
	EXPECT_EQ(KTLSO_TLS13_VERSION, out.selected_version);
	EXPECT_EQ(0x0017, out.key_share.group);
	EXPECT_TRUE(span_eq(&in.key_share.key_exchange,
			    &out.key_share.key_exchange));
	EXPECT_EQ(3, out.selected_identity);
	EXPECT_EQ(in.ext.present, out.ext.present);
	REWRITE_SAME(&m, ktlso_server_hello_write, &out);

	/* The same struct as an HRR: the special random, selected_group. */
	in.hrr = true;
	in.cookie = SPAN("state");
	memset(&in.ext, 0, sizeof(in.ext));
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_SUPPORTED_VERSIONS);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_KEY_SHARE);
	ktlso_ext_set_add(&in.ext, KTLSO_EXT_COOKIE);
	WRITE_MSG(&m, ktlso_server_hello_write, &in);
	ASSERT_EQ(0, ktlso_server_hello_parse(&out, &m.msg, offered));
	EXPECT_TRUE(out.hrr);
	EXPECT_EQ(0, memcmp(ktlso_hrr_random, out.random, KTLSO_RANDOM_LEN));
	EXPECT_EQ(0x0017, out.key_share.group);
	EXPECT_EQ(0U, out.key_share.key_exchange.len);
	EXPECT_TRUE(span_eq(&in.cookie, &out.cookie));
	REWRITE_SAME(&m, ktlso_server_hello_write, &out);
}

TEST(encrypted_extensions_round_trip)
{
	struct ktlso_encrypted_extensions in, out;
	struct test_msg m;

	memset(&in, 0, sizeof(in));
	in.alpn = SPAN("http/1.1");
	in.record_size_limit = 512;
	in.supported_groups = (struct ktlso_u16_list){ groups, NULL, 3 };
	in.ext.present = BIT(SERVER_NAME) | BIT(ALPN) | BIT(RECORD_SIZE_LIMIT) |
			 BIT(SUPPORTED_GROUPS);
	WRITE_MSG(&m, ktlso_encrypted_extensions_write, &in);
	ASSERT_EQ(0, ktlso_encrypted_extensions_parse(&out, &m.msg,
						      in.ext.present));
	EXPECT_EQ(in.ext.present, out.ext.present);
	EXPECT_TRUE(span_eq(&in.alpn, &out.alpn));
	EXPECT_EQ(512, out.record_size_limit);
	u16_lists_equal(_metadata, &in.supported_groups, &out.supported_groups,
			"groups");
	REWRITE_SAME(&m, ktlso_encrypted_extensions_write, &out);

	/* Nothing at all: an empty extensions vector. */
	memset(&in, 0, sizeof(in));
	WRITE_MSG(&m, ktlso_encrypted_extensions_write, &in);
	EXPECT_EQ(6U, m.len);
	ASSERT_EQ(0, ktlso_encrypted_extensions_parse(&out, &m.msg, 0));
	EXPECT_EQ(0U, out.ext.present);
}

TEST(certificate_round_trip)
{
	static const uint8_t der1[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	static const uint8_t der2[] = { 0x30, 0x00 };
	/* An OCSP response on the first entry. */
	static const uint8_t ocsp[] = { 0x00, 0x05, 0x00, 0x06, 0x01, 0x00,
					0x00, 0x02, 0xab, 0xcd };
	struct ktlso_cert_entry entries[2] = {
		{ { der1, sizeof(der1) }, { ocsp, sizeof(ocsp) } },
		{ { der2, sizeof(der2) }, { NULL, 0 } },
	};
	struct ktlso_certificate in, out;
	struct ktlso_list_iter it = { 0 };
	struct ktlso_cert_entry e;
	struct test_msg m;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.context = SPAN("ctx");
	in.certs = (struct ktlso_cert_list){ entries, NULL, 0, 2 };
	WRITE_MSG(&m, ktlso_certificate_write, &in);
	ASSERT_EQ(0, ktlso_certificate_parse(&out, &m.msg,
					     BIT(STATUS_REQUEST)));
	EXPECT_TRUE(span_eq(&in.context, &out.context));
	ASSERT_EQ(2U, out.certs.n);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, ktlso_cert_list_next(&out.certs, &it, &e));
		EXPECT_TRUE(span_eq(&entries[i].cert_data, &e.cert_data));
		EXPECT_TRUE(span_eq(&entries[i].extensions, &e.extensions));
	}
	REWRITE_SAME(&m, ktlso_certificate_write, &out);
	/* The OCSP entry needs status_request offered. */
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_EXTENSION,
		  ktlso_certificate_parse(&out, &m.msg, 0));
}

TEST(certificate_request_round_trip)
{
	struct ktlso_certificate_request in, out;
	struct test_msg m;

	memset(&in, 0, sizeof(in));
	in.context = SPAN("\x01\x02");
	in.signature_algorithms = (struct ktlso_u16_list){ sigalgs, NULL, 3 };
	in.signature_algorithms_cert = (struct ktlso_u16_list){ sigalgs, NULL, 1 };
	in.certificate_authorities = SPAN("\x00\x03\x30\x01\x00");
	in.oid_filters = SPAN("\x03\x2a\x03\x04\x00\x01\xff");
	in.ext.present = BIT(SIGNATURE_ALGORITHMS) | BIT(SIGNATURE_ALGORITHMS_CERT) |
			 BIT(CERTIFICATE_AUTHORITIES) | BIT(OID_FILTERS) |
			 BIT(STATUS_REQUEST) | BIT(SCT);
	WRITE_MSG(&m, ktlso_certificate_request_write, &in);
	ASSERT_EQ(0, ktlso_certificate_request_parse(&out, &m.msg));
	EXPECT_TRUE(span_eq(&in.context, &out.context));
	EXPECT_EQ(in.ext.present, out.ext.present);
	u16_lists_equal(_metadata, &in.signature_algorithms,
			&out.signature_algorithms, "sigalgs");
	u16_lists_equal(_metadata, &in.signature_algorithms_cert,
			&out.signature_algorithms_cert, "sigalgs_cert");
	EXPECT_TRUE(span_eq(&in.certificate_authorities,
			    &out.certificate_authorities));
	EXPECT_TRUE(span_eq(&in.oid_filters, &out.oid_filters));
	REWRITE_SAME(&m, ktlso_certificate_request_write, &out);
}

TEST(small_messages_round_trip)
{
	static const uint8_t verify48[48] = { 0xde, 0xad, [47] = 0xef };
	struct ktlso_certificate_verify cv_in = { 0x0807, SPAN("signature") },
					cv_out;
	struct ktlso_finished fin_in = { { verify48, 48 } }, fin_out;
	struct ktlso_new_session_ticket nst_in, nst_out;
	struct ktlso_key_update ku_in, ku_out;
	struct test_msg m;

	WRITE_MSG(&m, ktlso_certificate_verify_write, &cv_in);
	ASSERT_EQ(0, ktlso_certificate_verify_parse(&cv_out, &m.msg));
	EXPECT_EQ(0x0807, cv_out.algorithm);
	EXPECT_TRUE(span_eq(&cv_in.signature, &cv_out.signature));
	REWRITE_SAME(&m, ktlso_certificate_verify_write, &cv_out);

	WRITE_MSG(&m, ktlso_finished_write, &fin_in);
	EXPECT_EQ(4U + 48, m.len);
	ASSERT_EQ(0, ktlso_finished_parse(&fin_out, &m.msg, 48));
	EXPECT_TRUE(span_eq(&fin_in.verify_data, &fin_out.verify_data));
	REWRITE_SAME(&m, ktlso_finished_write, &fin_out);

	memset(&nst_in, 0, sizeof(nst_in));
	nst_in.lifetime = KTLSO_TICKET_LIFETIME_MAX;
	nst_in.age_add = 0x01020304;
	nst_in.nonce = SPAN("\x00\x01");
	nst_in.ticket = SPAN("a ticket");
	nst_in.max_early_data_size = 16384;
	nst_in.ext.present = BIT(EARLY_DATA);
	WRITE_MSG(&m, ktlso_new_session_ticket_write, &nst_in);
	ASSERT_EQ(0, ktlso_new_session_ticket_parse(&nst_out, &m.msg));
	EXPECT_EQ(nst_in.lifetime, nst_out.lifetime);
	EXPECT_EQ(nst_in.age_add, nst_out.age_add);
	EXPECT_TRUE(span_eq(&nst_in.nonce, &nst_out.nonce));
	EXPECT_TRUE(span_eq(&nst_in.ticket, &nst_out.ticket));
	EXPECT_EQ(16384U, nst_out.max_early_data_size);
	EXPECT_EQ(BIT(EARLY_DATA), nst_out.ext.present);
	REWRITE_SAME(&m, ktlso_new_session_ticket_write, &nst_out);

	for (ku_in.request_update = 0; ku_in.request_update < 2;
	     ku_in.request_update++) {
		WRITE_MSG(&m, ktlso_key_update_write, &ku_in);
		EXPECT_EQ(5U, m.len);
		ASSERT_EQ(0, ktlso_key_update_parse(&ku_out, &m.msg));
		EXPECT_EQ(ku_in.request_update, ku_out.request_update);
	}
}

/* Run @write on @st into a fresh writer and return its result. */
#define WRITE_RET(write, st)						\
	({								\
		uint8_t _buf[MSG_BUF_MAX];				\
		struct ktlso_writer _w;					\
		size_t _len;						\
		int _r;							\
									\
		ktlso_writer_init(&_w, _buf, sizeof(_buf));		\
		_r = write(&_w, (st));					\
		if (_r == 0)						\
			_r = ktlso_writer_finish(&_w, &_len);		\
		_r;							\
	})

TEST(writers_refuse)
{
	struct ktlso_client_hello ch;
	struct ktlso_server_hello sh;
	struct ktlso_encrypted_extensions ee;
	struct ktlso_certificate_request cr;
	struct ktlso_new_session_ticket nst;
	struct ktlso_key_update ku = { 2 };
	struct ktlso_finished fin = { { NULL, 0 } };
	struct ktlso_key_share shares[2];
	struct ktlso_span alpn[2];

	fill_client_hello(&ch, shares, alpn);
	ASSERT_EQ(0, WRITE_RET(ktlso_client_hello_write, &ch));
	/* A 33-byte session id. */
	ch.session_id = SPAN("0123456789abcdef0123456789abcdef!");
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	/* pre_shared_key not last in an explicit order. */
	memset(&ch.ext, 0, sizeof(ch.ext));
	ktlso_ext_set_add(&ch.ext, KTLSO_EXT_PRE_SHARED_KEY);
	ktlso_ext_set_add(&ch.ext, KTLSO_EXT_KEY_SHARE);
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	/* An order naming an extension not present. */
	memset(&ch.ext, 0, sizeof(ch.ext));
	ktlso_ext_set_add(&ch.ext, KTLSO_EXT_KEY_SHARE);
	ch.ext.present = 0;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	/* present with a bit the order leaves out. */
	ktlso_ext_set_add(&ch.ext, KTLSO_EXT_COOKIE);
	ch.ext.present |= BIT(KEY_SHARE) | BIT(ALPN);
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	/* oid_filters is a CertificateRequest extension. */
	fill_client_hello(&ch, shares, alpn);
	ch.ext.present |= BIT(OID_FILTERS);
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	/* An empty cookie, an empty key, an empty ALPN name, a small limit. */
	fill_client_hello(&ch, shares, alpn);
	ch.cookie.len = 0;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	shares[1].key_exchange.len = 0;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	alpn[0].len = 0;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	ch.record_size_limit = 63;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	ch.psk_modes = 0;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	/* A count with no elements behind it; bytes with no pointer. */
	fill_client_hello(&ch, shares, alpn);
	ch.supported_groups = (struct ktlso_u16_list){ NULL, NULL, 2 };
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	ch.key_shares = (struct ktlso_key_share_list){ NULL, NULL, 0, 1 };
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	ch.alpn = (struct ktlso_alpn_list){ NULL, NULL, 0, 1 };
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));
	fill_client_hello(&ch, shares, alpn);
	ch.cookie = (struct ktlso_span){ NULL, 4 };
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_client_hello_write, &ch));

	/* A ServerHello: cookie only in an HRR; supported_versions always. */
	memset(&sh, 0, sizeof(sh));
	sh.selected_version = KTLSO_TLS13_VERSION;
	sh.key_share.group = 0x001d;
	sh.key_share.key_exchange = SPAN("k");
	sh.cookie = SPAN("c");
	sh.ext.present = BIT(SUPPORTED_VERSIONS) | BIT(KEY_SHARE);
	EXPECT_EQ(0, WRITE_RET(ktlso_server_hello_write, &sh));
	sh.ext.present |= BIT(COOKIE);
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_server_hello_write, &sh));
	sh.hrr = true;
	EXPECT_EQ(0, WRITE_RET(ktlso_server_hello_write, &sh));
	sh.ext.present = BIT(KEY_SHARE);
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_server_hello_write, &sh));

	/* EncryptedExtensions: key_share has no place there. */
	memset(&ee, 0, sizeof(ee));
	ee.ext.present = BIT(KEY_SHARE);
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_encrypted_extensions_write, &ee));
	ee.ext.present = BIT(ALPN);		/* with an empty name */
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_encrypted_extensions_write, &ee));

	/* CertificateRequest without signature_algorithms. */
	memset(&cr, 0, sizeof(cr));
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_certificate_request_write, &cr));

	memset(&nst, 0, sizeof(nst));
	nst.ticket = SPAN("t");
	EXPECT_EQ(0, WRITE_RET(ktlso_new_session_ticket_write, &nst));
	nst.lifetime = KTLSO_TICKET_LIFETIME_MAX + 1;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_new_session_ticket_write, &nst));
	nst.lifetime = 0;
	nst.ticket.len = 0;
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_new_session_ticket_write, &nst));

	EXPECT_EQ(INVALID, WRITE_RET(ktlso_key_update_write, &ku));
	EXPECT_EQ(INVALID, WRITE_RET(ktlso_finished_write, &fin));
}

TEST_HARNESS_MAIN
