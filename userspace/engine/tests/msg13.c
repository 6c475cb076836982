// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 handshake messages against RFC 8448 section 3 ("Simple 1-RTT
 * Handshake"): every message of the trace parsed and its fields checked,
 * written back byte for byte, cut at every byte, given trailing bytes and
 * handed to every other parser. The NewSessionTicket is taken from the
 * trace's protected record, opened with the record layer.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/msg.h"
#include "msg_test.h"
#include "vector_file.h"

#define DECODE_ERROR (-KTLSO_ALERT_DECODE_ERROR)
#define UNEXPECTED (-KTLSO_ALERT_UNEXPECTED_MESSAGE)
#define HLEN 32

/* What the RFC 8448 client offered: the server messages answer this. */
#define RFC_OFFERED							\
	(KTLSO_EXT_BIT(KTLSO_EXT_SERVER_NAME) |				\
	 KTLSO_EXT_BIT(KTLSO_EXT_RENEGOTIATION_INFO) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_SUPPORTED_GROUPS) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_SESSION_TICKET) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_KEY_SHARE) |				\
	 KTLSO_EXT_BIT(KTLSO_EXT_SUPPORTED_VERSIONS) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_SIGNATURE_ALGORITHMS) |		\
	 KTLSO_EXT_BIT(KTLSO_EXT_PSK_KEY_EXCHANGE_MODES) |		\
	 KTLSO_EXT_BIT(KTLSO_EXT_RECORD_SIZE_LIMIT))

/* The messages of the trace, and which parser takes each. */
enum which {
	W_CH, W_SH, W_EE, W_CT, W_CV, W_SF, W_CF, W_NST, W_COUNT
};

static const char *const names[W_COUNT] = {
	"client_hello", "server_hello", "encrypted_extensions", "certificate",
	"certificate_verify", "server_finished", "client_finished",
	"new_session_ticket",
};

static const char *name_of(size_t i)
{
	return i < W_COUNT && names[i] ? names[i] : "?";
}

FIXTURE(msg13) {
	struct test_vectors tv;
	struct test_msg m[W_COUNT];
};

FIXTURE_SETUP(msg13)
{
	uint8_t plain[512];
	size_t plain_len, i;

	ASSERT_EQ(0, test_vectors_load(&self->tv, "rfc8448-simple-1rtt.txt"));
	for (i = 0; i < W_NST; i++)
		msg_from_vector(_metadata, &self->tv, names[i], &self->m[i]);
	/* The NewSessionTicket travels in the first application record. */
	open_trace_record(_metadata, &self->tv, "s_ap_traffic",
			  "server_ticket_record", plain, sizeof(plain),
			  &plain_len);
	ASSERT_LE(plain_len, sizeof(self->m[W_NST].buf));
	memcpy(self->m[W_NST].buf, plain, plain_len);
	self->m[W_NST].len = plain_len;
	ASSERT_EQ(0, ktlso_hs_msg_split(&self->m[W_NST].msg,
					self->m[W_NST].buf, plain_len));
}

FIXTURE_TEARDOWN(msg13)
{
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

/* Run the parser for @w over @msg. */
static int parse_as(enum which w, const struct ktlso_hs_msg *msg)
{
	union {
		struct ktlso_client_hello ch;
		struct ktlso_server_hello sh;
		struct ktlso_encrypted_extensions ee;
		struct ktlso_certificate ct;
		struct ktlso_certificate_verify cv;
		struct ktlso_finished fin;
		struct ktlso_new_session_ticket nst;
	} u;

	switch (w) {
	case W_CH:
		return ktlso_client_hello_parse(&u.ch, msg);
	case W_SH:
		return ktlso_server_hello_parse(&u.sh, msg, RFC_OFFERED);
	case W_EE:
		return ktlso_encrypted_extensions_parse(&u.ee, msg, RFC_OFFERED);
	case W_CT:
		return ktlso_certificate_parse(&u.ct, msg, RFC_OFFERED);
	case W_CV:
		return ktlso_certificate_verify_parse(&u.cv, msg);
	case W_SF:
	case W_CF:
		return ktlso_finished_parse(&u.fin, msg, HLEN);
	case W_NST:
		return ktlso_new_session_ticket_parse(&u.nst, msg);
	case W_COUNT:
		break;
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

/* Write @out with the writer of @w from the parse of @msg. */
static int reencode(enum which w, const struct ktlso_hs_msg *msg,
		    uint8_t *out, size_t cap, size_t *out_len)
{
	struct ktlso_client_hello ch;
	struct ktlso_server_hello sh;
	struct ktlso_encrypted_extensions ee;
	struct ktlso_certificate ct;
	struct ktlso_certificate_verify cv;
	struct ktlso_finished fin;
	struct ktlso_new_session_ticket nst;
	struct ktlso_writer wr;
	int ret = 0;

	ktlso_writer_init(&wr, out, cap);
	switch (w) {
	case W_CH:
		ret = ktlso_client_hello_parse(&ch, msg);
		if (!ret)
			ret = ktlso_client_hello_write(&wr, &ch);
		break;
	case W_SH:
		ret = ktlso_server_hello_parse(&sh, msg, RFC_OFFERED);
		if (!ret)
			ret = ktlso_server_hello_write(&wr, &sh);
		break;
	case W_EE:
		ret = ktlso_encrypted_extensions_parse(&ee, msg, RFC_OFFERED);
		if (!ret)
			ret = ktlso_encrypted_extensions_write(&wr, &ee);
		break;
	case W_CT:
		ret = ktlso_certificate_parse(&ct, msg, RFC_OFFERED);
		if (!ret)
			ret = ktlso_certificate_write(&wr, &ct);
		break;
	case W_CV:
		ret = ktlso_certificate_verify_parse(&cv, msg);
		if (!ret)
			ret = ktlso_certificate_verify_write(&wr, &cv);
		break;
	case W_SF:
	case W_CF:
		ret = ktlso_finished_parse(&fin, msg, HLEN);
		if (!ret)
			ret = ktlso_finished_write(&wr, &fin);
		break;
	case W_NST:
		ret = ktlso_new_session_ticket_parse(&nst, msg);
		if (!ret)
			ret = ktlso_new_session_ticket_write(&wr, &nst);
		break;
	case W_COUNT:
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	if (ret)
		return ret;
	return ktlso_writer_finish(&wr, out_len);
}

static bool span_is(const struct ktlso_span *s, const void *p, size_t len)
{
	return s->len == len && (len == 0 || memcmp(s->p, p, len) == 0);
}

TEST_F(msg13, client_hello_fields)
{
	static const uint16_t suites[] = { 0x1301, 0x1303, 0x1302 };
	static const uint16_t groups[] = {
		0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102,
		0x0103, 0x0104,
	};
	static const uint16_t sigalgs[] = {
		0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806,
		0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602,
		0x0202,
	};
	struct ktlso_client_hello ch;
	struct ktlso_list_iter it = { 0 };
	struct ktlso_key_share ks;
	const uint8_t *raw = self->m[W_CH].buf;
	size_t i;

	ASSERT_EQ(0, ktlso_client_hello_parse(&ch, &self->m[W_CH].msg));
	EXPECT_EQ(0x0303, ch.legacy_version);
	EXPECT_EQ(0, memcmp(raw + 6, ch.random, KTLSO_RANDOM_LEN));
	EXPECT_EQ(0xcb, ch.random[0]);
	EXPECT_EQ(0xe7, ch.random[31]);
	EXPECT_EQ(0U, ch.session_id.len);
	ASSERT_EQ(3U, ch.cipher_suites.n);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(suites[i], ktlso_u16_list_at(&ch.cipher_suites, i));
	EXPECT_TRUE(span_is(&ch.compression_methods, "\0", 1));
	EXPECT_TRUE(span_is(&ch.server_name, "server", 6));
	ASSERT_EQ(ARRAY_SIZE(groups), ch.supported_groups.n);
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		EXPECT_EQ(groups[i], ktlso_u16_list_at(&ch.supported_groups, i));
	ASSERT_EQ(ARRAY_SIZE(sigalgs), ch.signature_algorithms.n);
	for (i = 0; i < ARRAY_SIZE(sigalgs); i++)
		EXPECT_EQ(sigalgs[i],
			  ktlso_u16_list_at(&ch.signature_algorithms, i));
	ASSERT_EQ(1U, ch.supported_versions.n);
	EXPECT_EQ(KTLSO_TLS13_VERSION,
		  ktlso_u16_list_at(&ch.supported_versions, 0));
	ASSERT_EQ(1U, ch.key_shares.n);
	ASSERT_EQ(1, ktlso_key_share_list_next(&ch.key_shares, &it, &ks));
	EXPECT_EQ(0x001d, ks.group);
	ASSERT_EQ(32U, ks.key_exchange.len);
	EXPECT_EQ(0x99, ks.key_exchange.p[0]);
	EXPECT_EQ(0x2c, ks.key_exchange.p[31]);
	EXPECT_TRUE(ktlso_key_share_list_find(&ch.key_shares, 0x001d, &ks));
	EXPECT_FALSE(ktlso_key_share_list_find(&ch.key_shares, 0x0017, &ks));
	EXPECT_EQ(KTLSO_PSK_DHE_KE_BIT, ch.psk_modes);
	EXPECT_EQ(0x4001, ch.record_size_limit);
	EXPECT_EQ(0U, ch.session_ticket.len);
	EXPECT_EQ(RFC_OFFERED, ch.ext.present);
	ASSERT_EQ(9, ch.ext.n);
	EXPECT_EQ(KTLSO_EXT_SERVER_NAME, ch.ext.order[0]);
	EXPECT_EQ(KTLSO_EXT_RENEGOTIATION_INFO, ch.ext.order[1]);
	EXPECT_EQ(KTLSO_EXT_RECORD_SIZE_LIMIT, ch.ext.order[8]);
	EXPECT_FALSE(ktlso_ext_has(&ch.ext, KTLSO_EXT_EARLY_DATA));
	EXPECT_FALSE(ktlso_ext_has(&ch.ext, KTLSO_EXT_PRE_SHARED_KEY));
	EXPECT_EQ(0U, ch.alpn.n);
}

TEST_F(msg13, server_hello_fields)
{
	struct ktlso_server_hello sh;
	const uint8_t *raw = self->m[W_SH].buf;

	ASSERT_EQ(0, ktlso_server_hello_parse(&sh, &self->m[W_SH].msg,
					      RFC_OFFERED));
	EXPECT_FALSE(sh.hrr);
	EXPECT_EQ(0x0303, sh.legacy_version);
	EXPECT_EQ(0, memcmp(raw + 6, sh.random, KTLSO_RANDOM_LEN));
	EXPECT_EQ(0xa6, sh.random[0]);
	EXPECT_EQ(0U, ktlso_random_downgrade(sh.random));
	EXPECT_EQ(0U, sh.session_id.len);
	EXPECT_EQ(0x1301, sh.cipher_suite);
	EXPECT_EQ(KTLSO_TLS13_VERSION, sh.selected_version);
	EXPECT_EQ(0x001d, sh.key_share.group);
	ASSERT_EQ(32U, sh.key_share.key_exchange.len);
	EXPECT_EQ(0xc9, sh.key_share.key_exchange.p[0]);
	EXPECT_EQ(0x0f, sh.key_share.key_exchange.p[31]);
	EXPECT_EQ(KTLSO_EXT_BIT(KTLSO_EXT_KEY_SHARE) |
		  KTLSO_EXT_BIT(KTLSO_EXT_SUPPORTED_VERSIONS), sh.ext.present);
	EXPECT_EQ(KTLSO_EXT_KEY_SHARE, sh.ext.order[0]);
}

TEST_F(msg13, encrypted_extensions_fields)
{
	struct ktlso_encrypted_extensions ee;

	ASSERT_EQ(0, ktlso_encrypted_extensions_parse(&ee, &self->m[W_EE].msg,
						      RFC_OFFERED));
	EXPECT_EQ(KTLSO_EXT_BIT(KTLSO_EXT_SUPPORTED_GROUPS) |
		  KTLSO_EXT_BIT(KTLSO_EXT_RECORD_SIZE_LIMIT) |
		  KTLSO_EXT_BIT(KTLSO_EXT_SERVER_NAME), ee.ext.present);
	ASSERT_EQ(9U, ee.supported_groups.n);
	EXPECT_EQ(0x001d, ktlso_u16_list_at(&ee.supported_groups, 0));
	EXPECT_EQ(0x0104, ktlso_u16_list_at(&ee.supported_groups, 8));
	EXPECT_EQ(0x4001, ee.record_size_limit);
	EXPECT_EQ(0U, ee.alpn.len);
}

TEST_F(msg13, certificate_fields)
{
	struct ktlso_list_iter it = { 0 };
	struct ktlso_certificate ct;
	struct ktlso_cert_entry e;

	ASSERT_EQ(0, ktlso_certificate_parse(&ct, &self->m[W_CT].msg,
					     RFC_OFFERED));
	EXPECT_EQ(0U, ct.context.len);
	ASSERT_EQ(1U, ct.certs.n);
	ASSERT_EQ(1, ktlso_cert_list_next(&ct.certs, &it, &e));
	ASSERT_EQ(0x1b0U, e.cert_data.len);
	EXPECT_EQ(0, memcmp(e.cert_data.p, "\x30\x82\x01\xac", 4));
	EXPECT_EQ(0U, e.extensions.len);
	EXPECT_EQ(0, ktlso_cert_list_next(&ct.certs, &it, &e));
	EXPECT_EQ(0U, e.cert_data.len);
}

TEST_F(msg13, certificate_verify_fields)
{
	struct ktlso_certificate_verify cv;

	ASSERT_EQ(0, ktlso_certificate_verify_parse(&cv, &self->m[W_CV].msg));
	EXPECT_EQ(0x0804, cv.algorithm);		/* rsa_pss_rsae_sha256 */
	ASSERT_EQ(128U, cv.signature.len);
	EXPECT_EQ(0x5a, cv.signature.p[0]);
	EXPECT_EQ(0xf3, cv.signature.p[127]);
}

TEST_F(msg13, finished_fields)
{
	struct ktlso_finished fin;

	ASSERT_EQ(0, ktlso_finished_parse(&fin, &self->m[W_SF].msg, HLEN));
	EXPECT_TRUE(span_is(&fin.verify_data,
		VEC(&self->tv, "s_finished_verify_data", HLEN)->data, HLEN));
	ASSERT_EQ(0, ktlso_finished_parse(&fin, &self->m[W_CF].msg, HLEN));
	EXPECT_TRUE(span_is(&fin.verify_data,
		VEC(&self->tv, "c_finished_verify_data", HLEN)->data, HLEN));
	/* A SHA-384 suite expects 48 bytes. */
	EXPECT_EQ(DECODE_ERROR,
		  ktlso_finished_parse(&fin, &self->m[W_CF].msg, 48));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_finished_parse(&fin, &self->m[W_CF].msg, 0));
}

TEST_F(msg13, new_session_ticket_fields)
{
	struct ktlso_new_session_ticket nst;

	ASSERT_EQ(0, ktlso_new_session_ticket_parse(&nst, &self->m[W_NST].msg));
	EXPECT_EQ(0x1eU, nst.lifetime);
	EXPECT_EQ(0xfad6aac5U, nst.age_add);
	EXPECT_TRUE(span_is(&nst.nonce, VEC(&self->tv, "ticket_nonce", 2)->data,
			    2));
	ASSERT_EQ(0xb2U, nst.ticket.len);
	EXPECT_EQ(0x2c, nst.ticket.p[0]);
	EXPECT_EQ(KTLSO_EXT_BIT(KTLSO_EXT_EARLY_DATA), nst.ext.present);
	EXPECT_EQ(0x400U, nst.max_early_data_size);
}

/* Every message of the trace is written back byte for byte. */
TEST_F(msg13, reencode_identical)
{
	uint8_t out[MSG_BUF_MAX];
	size_t out_len, i;

	for (i = 0; i < W_COUNT; i++) {
		ASSERT_EQ(0, reencode(i, &self->m[i].msg, out, sizeof(out),
				      &out_len))
			TH_LOG("%s", name_of(i));
		ASSERT_EQ(self->m[i].len, out_len) TH_LOG("%s", name_of(i));
		EXPECT_EQ(0, memcmp(self->m[i].buf, out, out_len))
			TH_LOG("%s differs when written back", name_of(i));
	}
}

/* The writer stops cleanly, with NO_SPACE, at every too-small buffer. */
TEST_F(msg13, reencode_no_space)
{
	uint8_t out[MSG_BUF_MAX];
	size_t out_len, i, cap;

	for (i = 0; i < W_COUNT; i++)
		for (cap = 0; cap < self->m[i].len; cap++)
			ASSERT_EQ(-KTLSO_ERROR_NO_SPACE,
				  reencode(i, &self->m[i].msg, out, cap,
					   &out_len))
				TH_LOG("%s, %zu bytes", name_of(i), cap);
}

/*
 * Every message cut at every byte: as a whole message it no longer frames;
 * with its header fixed to the shorter body, its parser fails with
 * decode_error. Two cuts leave a valid shape: a ClientHello ending after
 * its compression methods is a TLS 1.2 ClientHello without extensions, and
 * a ServerHello ending after its compression method is a TLS 1.2
 * ServerHello, which this parser answers with protocol_version.
 */
TEST_F(msg13, truncated_everywhere)
{
	struct ktlso_hs_msg split;
	struct test_msg cut;
	size_t i, k;

	for (i = 0; i < W_COUNT; i++) {
		const struct test_msg *m = &self->m[i];
		size_t body_len = m->msg.body.len;

		for (k = 0; k < m->len; k++)
			ASSERT_EQ(DECODE_ERROR,
				  ktlso_hs_msg_split(&split, m->buf, k))
				TH_LOG("%s framed at %zu bytes", name_of(i), k);
		for (k = 0; k < body_len; k++) {
			int want = DECODE_ERROR;

			if (i == W_CH && k == 2 + 32 + 1 + 2 + 6 + 2)
				want = 0;
			if (i == W_SH && k == 2 + 32 + 1 + 2 + 1)
				want = -KTLSO_ALERT_PROTOCOL_VERSION;
			msg_build(_metadata, &cut, m->msg.type, m->msg.body.p, k);
			ASSERT_EQ(want, parse_as(i, &cut.msg))
				TH_LOG("%s body cut at %zu of %zu", name_of(i), k,
				       body_len);
		}
	}
}

/* One byte more than the message holds is a decode_error, for each. */
TEST_F(msg13, trailing_byte)
{
	uint8_t body[MSG_BUF_MAX];
	struct test_msg m;
	size_t i;

	for (i = 0; i < W_COUNT; i++) {
		size_t n = self->m[i].msg.body.len;

		memcpy(body, self->m[i].msg.body.p, n);
		body[n] = 0;
		msg_build(_metadata, &m, self->m[i].msg.type, body, n + 1);
		EXPECT_EQ(DECODE_ERROR, parse_as(i, &m.msg))
			TH_LOG("%s with a trailing byte", name_of(i));
	}
}

/* Each parser refuses every other message type. */
TEST_F(msg13, wrong_message_type)
{
	size_t i, j;

	for (i = 0; i < W_COUNT; i++)
		for (j = 0; j < W_COUNT; j++) {
			if (self->m[i].msg.type == self->m[j].msg.type)
				continue;
			EXPECT_EQ(UNEXPECTED, parse_as(i, &self->m[j].msg))
				TH_LOG("%s parsed as %s", name_of(j), name_of(i));
		}
}

/* A failed parse leaves nothing behind in the struct. */
TEST_F(msg13, failure_zeroes_result)
{
	struct ktlso_client_hello ch, zero;
	struct test_msg cut;

	memset(&zero, 0, sizeof(zero));
	msg_build(_metadata, &cut, KTLSO_HS_CLIENT_HELLO,
		  self->m[W_CH].msg.body.p, self->m[W_CH].msg.body.len - 1);
	memset(&ch, 0xa5, sizeof(ch));
	EXPECT_EQ(DECODE_ERROR, ktlso_client_hello_parse(&ch, &cut.msg));
	EXPECT_EQ(0, memcmp(&zero, &ch, sizeof(ch)));
}

TEST_HARNESS_MAIN
