// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 message rules, as tables of hand-built messages and the alert
 * each must give: the ServerHello's extensions (not offered, duplicated,
 * not a TLS 1.2 ServerHello's, malformed renegotiation_info,
 * ec_point_formats without uncompressed, ALPN with two names, every
 * acknowledgement's shape), its fixed fields, and every field rule of the
 * other TLS 1.2 messages. Every message that parses is also written back
 * byte for byte. Then the writers from host-form structs and what they
 * refuse, the ClientHello's TLS 1.2 extensions, the TLS 1.3 parsers'
 * refusal of ec_point_formats, and the downgrade sentinel.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/msg.h"
#include "engine/msg12.h"
#include "msg_test.h"
#include "vector_file.h"

#define OK 0
#define DECODE (-KTLSO_ALERT_DECODE_ERROR)
#define ILLEGAL (-KTLSO_ALERT_ILLEGAL_PARAMETER)
#define UNSUPPORTED (-KTLSO_ALERT_UNSUPPORTED_EXTENSION)
#define HS_FAILURE (-KTLSO_ALERT_HANDSHAKE_FAILURE)
#define PROTOCOL (-KTLSO_ALERT_PROTOCOL_VERSION)
#define INVALID (-KTLSO_ERROR_INVALID_ARGUMENT)

#define BIT(e) KTLSO_EXT_BIT(KTLSO_EXT_##e)
#define ALL ((uint32_t)(KTLSO_EXT_BIT(KTLSO_EXT_COUNT) - 1))
#define SPAN(s) ((struct ktlso_span){ (const uint8_t *)(s), sizeof(s) - 1 })

#define RANDOM "1111111111111111111111111111111111111111111111111111111111111111"
#define KEY32 "0202020202020202020202020202020202020202020202020202020202020202"
/* A TLS 1.2 ServerHello up to its extensions: no session id, 0xc02f. */
#define SH_FIXED "0303" RANDOM "00 c02f 00"

/* Hex digits of @s (anything else skipped) into @out; the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1, x;

	for (; *s; s++) {
		x = hex_nibble((unsigned char)*s);
		if (x < 0)
			continue;
		if (hi < 0) {
			hi = x;
			continue;
		}
		if (n < cap)
			out[n] = (uint8_t)(hi << 4 | x);
		n++;
		hi = -1;
	}
	return n;
}

/* A message of @type whose body is @hex. */
static void build_hex(struct __test_metadata *_metadata, struct test_msg *m,
		      uint8_t type, const char *hex)
{
	uint8_t body[MSG_BUF_MAX];
	size_t n = unhex(hex, body, sizeof(body));

	ASSERT_LE(n, sizeof(body));
	msg_build(_metadata, m, type, body, n);
}

/* A ServerHello: SH_FIXED, then an extensions vector of @exts (or none). */
static void build_sh(struct __test_metadata *_metadata, struct test_msg *m,
		     const char *exts)
{
	uint8_t body[MSG_BUF_MAX];
	size_t n = unhex(SH_FIXED, body, sizeof(body)), e;

	if (exts) {
		e = unhex(exts, body + n + 2, sizeof(body) - n - 2);
		ASSERT_LE(e, sizeof(body) - n - 2);
		body[n] = (uint8_t)(e >> 8);
		body[n + 1] = (uint8_t)e;
		n += 2 + e;
	}
	msg_build(_metadata, m, KTLSO_HS_SERVER_HELLO, body, n);
}

/* Write with @write from @st into @out; assert success and split. */
#define WRITE_MSG(out, write, ...)					\
	do {								\
		struct ktlso_writer _w;					\
									\
		ktlso_writer_init(&_w, (out)->buf, sizeof((out)->buf));	\
		ASSERT_EQ(0, write(&_w, ##__VA_ARGS__));		\
		ASSERT_EQ(0, ktlso_writer_finish(&_w, &(out)->len));	\
		ASSERT_EQ(0, ktlso_hs_msg_split(&(out)->msg, (out)->buf, \
						(out)->len));		\
	} while (0)

/* What @write gives for @st: the writer's error, or 0. */
#define WRITE_RESULT(write, ...)					\
	({								\
		uint8_t _buf[MSG_BUF_MAX];				\
		struct ktlso_writer _w;					\
		size_t _len;						\
		int _ret;						\
									\
		ktlso_writer_init(&_w, _buf, sizeof(_buf));		\
		_ret = write(&_w, ##__VA_ARGS__);			\
		if (_ret == 0)						\
			_ret = ktlso_writer_finish(&_w, &_len);		\
		_ret;							\
	})

static bool same_bytes(const struct test_msg *a, const struct test_msg *b)
{
	return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

static bool span_is(const struct ktlso_span *s, const void *p, size_t len)
{
	return s->len == len && (len == 0 || memcmp(s->p, p, len) == 0);
}

/* --- ServerHello extensions ----------------------------------------------- */

struct sh_case {
	const char *what;
	const char *exts;	/* NULL: no extensions vector */
	uint32_t offered;
	int want;
};

static const struct sh_case sh_cases[] = {
	{ "no extensions vector", NULL, ALL, OK },
	{ "empty extensions vector", "", ALL, OK },
	{ "every TLS 1.2 answer", "ff01 0001 00  000b 0002 0100  0023 0000 "
	  "0010 0005 0003 026832  0017 0000  0000 0000  0005 0000 "
	  "001c 0002 4000  0012 0006 0004 0002 abcd", ALL, OK },
	/* Acknowledgements are empty. */
	{ "server_name ack", "0000 0000", ALL, OK },
	{ "server_name with a body", "0000 0001 00", ALL, DECODE },
	{ "status_request ack", "0005 0000", ALL, OK },
	{ "status_request with a body", "0005 0001 01", ALL, DECODE },
	{ "extended_master_secret", "0017 0000", ALL, OK },
	{ "extended_master_secret with a body", "0017 0001 00", ALL, DECODE },
	{ "session_ticket ack", "0023 0000", ALL, OK },
	{ "session_ticket with a body", "0023 0002 abcd", ALL, DECODE },
	/* RFC 5746 3.4. */
	{ "renegotiation_info initial", "ff01 0001 00", ALL, OK },
	{ "renegotiation_info one byte", "ff01 0002 01 00", ALL, HS_FAILURE },
	{ "renegotiation_info renegotiating", "ff01 0019 18"
	  "010101010101010101010101 020202020202020202020202", ALL,
	  HS_FAILURE },
	{ "renegotiation_info empty body", "ff01 0000", ALL, DECODE },
	{ "renegotiation_info trailing byte", "ff01 0002 00 00", ALL, DECODE },
	{ "renegotiation_info past its body", "ff01 0002 05 00", ALL, DECODE },
	/* RFC 8422 5.2. */
	{ "ec_point_formats uncompressed", "000b 0002 01 00", ALL, OK },
	{ "ec_point_formats all three", "000b 0004 03 000102", ALL, OK },
	{ "ec_point_formats uncompressed last", "000b 0004 03 010200", ALL,
	  OK },
	{ "ec_point_formats without uncompressed", "000b 0003 02 0102", ALL,
	  ILLEGAL },
	{ "ec_point_formats empty list", "000b 0001 00", ALL, DECODE },
	{ "ec_point_formats empty body", "000b 0000", ALL, DECODE },
	{ "ec_point_formats trailing byte", "000b 0003 01 00 00", ALL, DECODE },
	/* RFC 7301 3.1. */
	{ "ALPN one name", "0010 0005 0003 026832", ALL, OK },
	{ "ALPN two names", "0010 000e 000c 026832 08687474702f312e31", ALL,
	  DECODE },
	{ "ALPN empty name", "0010 0003 0001 00", ALL, DECODE },
	{ "ALPN empty list", "0010 0002 0000", ALL, DECODE },
	{ "ALPN name past the list", "0010 0005 0003 036832", ALL, DECODE },
	/* RFC 6962 3.3.1. */
	{ "SCT list", "0012 0006 0004 0002 abcd", ALL, OK },
	{ "SCT empty list", "0012 0002 0000", ALL, DECODE },
	{ "SCT empty entry", "0012 0004 0002 0000", ALL, DECODE },
	/* RFC 8449 4. */
	{ "record_size_limit 2^14", "001c 0002 4000", ALL, OK },
	{ "record_size_limit 64", "001c 0002 0040", ALL, OK },
	{ "record_size_limit 63", "001c 0002 003f", ALL, ILLEGAL },
	{ "record_size_limit 2^14+1", "001c 0002 4001", ALL, ILLEGAL },
	{ "record_size_limit 3 bytes", "001c 0003 400000", ALL, DECODE },
	{ "record_size_limit 1 byte", "001c 0001 40", ALL, DECODE },
	/* The block. */
	{ "extended_master_secret twice", "0017 0000 0017 0000", ALL, ILLEGAL },
	{ "renegotiation_info twice", "ff01 0001 00 0017 0000 ff01 0001 00",
	  ALL, ILLEGAL },
	{ "ALPN not offered", "0010 0005 0003 026832", ALL & ~BIT(ALPN),
	  UNSUPPORTED },
	{ "extended_master_secret not offered", "0017 0000",
	  ALL & ~BIT(EXTENDED_MASTER_SECRET), UNSUPPORTED },
	{ "renegotiation_info not offered", "ff01 0001 00",
	  ALL & ~BIT(RENEGOTIATION_INFO), UNSUPPORTED },
	{ "ec_point_formats not offered", "000b 0002 01 00",
	  ALL & ~BIT(EC_POINT_FORMATS), UNSUPPORTED },
	{ "nothing offered", "0000 0000", 0, UNSUPPORTED },
	{ "unknown extension", "fafa 0000", ALL, UNSUPPORTED },
	{ "encrypt_then_mac (never offered)", "0016 0000", ALL, UNSUPPORTED },
	{ "supported_versions: TLS 1.3 only", "002b 0002 0303", ALL, ILLEGAL },
	{ "supported_versions not offered", "002b 0002 0303", 0, UNSUPPORTED },
	{ "key_share: TLS 1.3 only", "0033 0024 001d 0020 " KEY32, ALL,
	  ILLEGAL },
	{ "supported_groups: not a ServerHello's", "000a 0004 0002 001d", ALL,
	  ILLEGAL },
	{ "signature_algorithms: not a ServerHello's", "000d 0004 0002 0403",
	  ALL, ILLEGAL },
	{ "pre_shared_key: TLS 1.3 only", "0029 0002 0000", ALL, ILLEGAL },
	{ "extension past the block", "0017 0004 00", ALL, DECODE },
	{ "a lone byte in the block", "00", ALL, DECODE },
	{ "type without a length", "0017", ALL, DECODE },
};

TEST(server_hello_extension_cases)
{
	struct ktlso_tls12_server_hello sh;
	struct test_msg m, again;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sh_cases); i++) {
		const struct sh_case *c = &sh_cases[i];

		build_sh(_metadata, &m, c->exts);
		ASSERT_EQ(c->want, ktlso_tls12_server_hello_parse(&sh, &m.msg,
								  c->offered))
			TH_LOG("%s", c->what);
		if (c->want != OK)
			continue;
		EXPECT_EQ(c->exts != NULL, sh.extensions) TH_LOG("%s", c->what);
		WRITE_MSG(&again, ktlso_tls12_server_hello_write, &sh);
		EXPECT_TRUE(same_bytes(&m, &again))
			TH_LOG("%s: written back differently", c->what);
	}
}

TEST(server_hello_extension_fields)
{
	struct ktlso_tls12_server_hello sh;
	struct test_msg m;

	build_sh(_metadata, &m, "0010 0005 0003 026832  000b 0004 03 010200 "
		 "001c 0002 0200  0012 0006 0004 0002 abcd  ff01 0001 00");
	ASSERT_EQ(0, ktlso_tls12_server_hello_parse(&sh, &m.msg, ALL));
	EXPECT_EQ(0x0303, sh.legacy_version);
	EXPECT_EQ(0x11, sh.random[0]);
	EXPECT_EQ(0xc02f, sh.cipher_suite);
	EXPECT_TRUE(span_is(&sh.alpn, "h2", 2));
	EXPECT_TRUE(span_is(&sh.ec_point_formats, "\x01\x02\x00", 3));
	EXPECT_EQ(0x0200, sh.record_size_limit);
	EXPECT_TRUE(span_is(&sh.sct, "\x00\x02\xab\xcd", 4));
	EXPECT_EQ(BIT(ALPN) | BIT(EC_POINT_FORMATS) | BIT(RECORD_SIZE_LIMIT) |
		  BIT(SCT) | BIT(RENEGOTIATION_INFO), sh.ext.present);
	ASSERT_EQ(5, sh.ext.n);
	EXPECT_EQ(KTLSO_EXT_ALPN, sh.ext.order[0]);
	EXPECT_EQ(KTLSO_EXT_RENEGOTIATION_INFO, sh.ext.order[4]);
	/* Exactly the extensions above are allowed in a TLS 1.2 ServerHello. */
	EXPECT_EQ(0U, sh.ext.present & ~KTLSO_TLS12_SH_EXTS);
}

struct body_case {
	const char *what;
	const char *body;
	int want;
};

static const struct body_case sh_fixed_cases[] = {
	{ "TLS 1.2", "0303" RANDOM "00 c02f 00", OK },
	{ "TLS 1.1", "0302" RANDOM "00 c02f 00", PROTOCOL },
	{ "SSL 3.0", "0300" RANDOM "00 c02f 00", PROTOCOL },
	{ "0x0304 as legacy_version", "0304" RANDOM "00 c02f 00", PROTOCOL },
	{ "deflate", "0303" RANDOM "00 c02f 01", ILLEGAL },
	{ "32-byte session id", "0303" RANDOM "20" RANDOM "c02f 00", OK },
	{ "33-byte session id", "0303" RANDOM "21" RANDOM "33 c02f 00",
	  DECODE },
	{ "session id past the end", "0303" RANDOM "05 0102", DECODE },
	{ "extensions length byte only", "0303" RANDOM "00 c02f 00 00",
	  DECODE },
	{ "random short", "0303 1111", DECODE },
};

TEST(server_hello_fixed_cases)
{
	struct ktlso_tls12_server_hello sh;
	struct test_msg m, again;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sh_fixed_cases); i++) {
		const struct body_case *c = &sh_fixed_cases[i];

		build_hex(_metadata, &m, KTLSO_HS_SERVER_HELLO, c->body);
		ASSERT_EQ(c->want, ktlso_tls12_server_hello_parse(&sh, &m.msg,
								  ALL))
			TH_LOG("%s", c->what);
		if (c->want != OK)
			continue;
		EXPECT_FALSE(sh.extensions);
		WRITE_MSG(&again, ktlso_tls12_server_hello_write, &sh);
		EXPECT_TRUE(same_bytes(&m, &again)) TH_LOG("%s", c->what);
	}
}

/* --- the other messages' field rules -------------------------------------- */

static const struct body_case ct_cases[] = {
	{ "empty list", "000000", OK },
	{ "one certificate", "000006 000003 300100", OK },
	{ "two certificates", "00000c 000003 300100 000003 300200", OK },
	{ "empty certificate", "000009 000003 300100 000000", DECODE },
	{ "certificate past the list", "000005 000003 3001", DECODE },
	{ "list past the message", "000007 000003 300100", DECODE },
	{ "no list", "", DECODE },
	{ "TLS 1.3 layout (context, entry extensions)",
	  "00 000008 000003 300100 0000", DECODE },
};

static const struct body_case ske_cases[] = {
	{ "x25519, empty signature", "03 001d 01 aa 0403 0000", OK },
	{ "P-256 point", "03 0017 41 04"
	  "0101010101010101010101010101010101010101010101010101010101010101"
	  "0101010101010101010101010101010101010101010101010101010101010101"
	  " 0403 0002 abcd", OK },
	{ "explicit_prime", "01 001d 01 aa 0403 0000", ILLEGAL },
	{ "explicit_char2", "02 001d 01 aa 0403 0000", ILLEGAL },
	{ "curve type 0", "00 001d 01 aa 0403 0000", ILLEGAL },
	{ "curve type 255", "ff", ILLEGAL },
	{ "empty point", "03 001d 00 0403 0000", DECODE },
	{ "point past the message", "03 001d 20 aa", DECODE },
	{ "no signature", "03 001d 01 aa 0403", DECODE },
	{ "no algorithm", "03 001d 01 aa", DECODE },
	{ "signature past the message", "03 001d 01 aa 0403 0003 abcd", DECODE },
	{ "curve only", "03 001d", DECODE },
	{ "empty", "", DECODE },
};

static const struct body_case cr_cases[] = {
	{ "minimal", "01 40 0002 0403 0000", OK },
	{ "two types, two schemes", "02 0140 0004 0403 0804 0000", OK },
	{ "one authority", "01 40 0002 0403 0005 0003 300100", OK },
	{ "two authorities", "01 40 0002 0403 000a 0003 300100 0003 300200",
	  OK },
	{ "no certificate types", "00 0002 0403 0000", DECODE },
	{ "no signature algorithms", "01 40 0000 0000", DECODE },
	{ "odd signature algorithms", "01 40 0003 040305 0000", DECODE },
	{ "empty distinguished name", "01 40 0002 0403 0002 0000", DECODE },
	{ "name past the list", "01 40 0002 0403 0004 0003 3001", DECODE },
	{ "no authorities vector", "01 40 0002 0403", DECODE },
	{ "TLS 1.3 layout (context, extensions)",
	  "00 0008 000d 0004 0002 0403", DECODE },
};

static const struct body_case shd_cases[] = {
	{ "empty", "", OK },
	{ "one byte", "00", DECODE },
};

static const struct body_case cke_cases[] = {
	{ "x25519", "20 " KEY32, OK },
	{ "one byte", "01 aa", OK },
	{ "empty point", "00", DECODE },
	{ "nothing", "", DECODE },
	{ "point past the message", "02 aa", DECODE },
	{ "trailing byte", "01 aa bb", DECODE },
	{ "DHE layout (u16 length)", "0001 aa", DECODE },
};

static const struct body_case cv_cases[] = {
	{ "empty signature", "0403 0000", OK },
	{ "signature", "0804 0002 abcd", OK },
	{ "signature past the message", "0804 0003 abcd", DECODE },
	{ "algorithm only", "0804", DECODE },
};

static const struct body_case fin_cases[] = {
	{ "12 bytes", "0102030405060708090a0b0c", OK },
	{ "11 bytes", "0102030405060708090a0b", DECODE },
	{ "13 bytes", "0102030405060708090a0b0c0d", DECODE },
	{ "32 bytes (TLS 1.3, SHA-256)", KEY32, DECODE },
	{ "empty", "", DECODE },
};

static const struct body_case nst_cases[] = {
	{ "no ticket after all", "00001c20 0000", OK },
	{ "ticket", "00000000 0003 abcdef", OK },
	{ "ticket past the message", "00001c20 0004 abcdef", DECODE },
	{ "lifetime only", "00001c20", DECODE },
	{ "trailing byte", "00001c20 0000 00", DECODE },
	{ "TLS 1.3 layout", "00001c20 fad6aac5 02 0000 0004 aabbccdd 0000",
	  DECODE },
};

/* Parse @msg as a TLS 1.2 message of @type; write it back into @out. */
static int parse_write(uint8_t type, const struct ktlso_hs_msg *msg,
		       struct ktlso_writer *out)
{
	union {
		struct ktlso_tls12_certificate ct;
		struct ktlso_tls12_server_key_exchange ske;
		struct ktlso_tls12_certificate_request cr;
		struct ktlso_tls12_client_key_exchange cke;
		struct ktlso_certificate_verify cv;
		struct ktlso_finished fin;
		struct ktlso_tls12_new_session_ticket nst;
	} u;
	int ret;

	switch (type) {
	case KTLSO_HS_CERTIFICATE:
		ret = ktlso_tls12_certificate_parse(&u.ct, msg);
		return ret ? ret : ktlso_tls12_certificate_write(out, &u.ct);
	case KTLSO_HS_SERVER_KEY_EXCHANGE:
		ret = ktlso_tls12_server_key_exchange_parse(&u.ske, msg);
		return ret ? ret :
		       ktlso_tls12_server_key_exchange_write(out, &u.ske);
	case KTLSO_HS_CERTIFICATE_REQUEST:
		ret = ktlso_tls12_certificate_request_parse(&u.cr, msg);
		return ret ? ret :
		       ktlso_tls12_certificate_request_write(out, &u.cr);
	case KTLSO_HS_SERVER_HELLO_DONE:
		ret = ktlso_tls12_server_hello_done_parse(msg);
		return ret ? ret : ktlso_tls12_server_hello_done_write(out);
	case KTLSO_HS_CLIENT_KEY_EXCHANGE:
		ret = ktlso_tls12_client_key_exchange_parse(&u.cke, msg);
		return ret ? ret :
		       ktlso_tls12_client_key_exchange_write(out, &u.cke);
	case KTLSO_HS_CERTIFICATE_VERIFY:
		ret = ktlso_certificate_verify_parse(&u.cv, msg);
		return ret ? ret : ktlso_certificate_verify_write(out, &u.cv);
	case KTLSO_HS_FINISHED:
		ret = ktlso_tls12_finished_parse(&u.fin, msg);
		return ret ? ret : ktlso_tls12_finished_write(out, &u.fin);
	case KTLSO_HS_NEW_SESSION_TICKET:	/* parse only */
		return ktlso_tls12_new_session_ticket_parse(&u.nst, msg);
	default:
		return INVALID;
	}
}

static void run_body_cases(struct __test_metadata *_metadata, uint8_t type,
			   const struct body_case *cases, size_t n)
{
	uint8_t out[MSG_BUF_MAX];
	struct ktlso_writer w;
	struct test_msg m;
	size_t i, len;

	for (i = 0; i < n; i++) {
		build_hex(_metadata, &m, type, cases[i].body);
		ktlso_writer_init(&w, out, sizeof(out));
		ASSERT_EQ(cases[i].want, parse_write(type, &m.msg, &w))
			TH_LOG("type %u: %s", type, cases[i].what);
		if (cases[i].want != OK || type == KTLSO_HS_NEW_SESSION_TICKET)
			continue;
		ASSERT_EQ(0, ktlso_writer_finish(&w, &len));
		EXPECT_EQ(m.len, len) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, memcmp(m.buf, out, len))
			TH_LOG("%s: written back differently", cases[i].what);
	}
}

TEST(certificate_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CERTIFICATE, ct_cases,
		       ARRAY_SIZE(ct_cases));
}

TEST(server_key_exchange_cases)
{
	run_body_cases(_metadata, KTLSO_HS_SERVER_KEY_EXCHANGE, ske_cases,
		       ARRAY_SIZE(ske_cases));
}

TEST(certificate_request_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CERTIFICATE_REQUEST, cr_cases,
		       ARRAY_SIZE(cr_cases));
}

TEST(server_hello_done_cases)
{
	run_body_cases(_metadata, KTLSO_HS_SERVER_HELLO_DONE, shd_cases,
		       ARRAY_SIZE(shd_cases));
}

TEST(client_key_exchange_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CLIENT_KEY_EXCHANGE, cke_cases,
		       ARRAY_SIZE(cke_cases));
}

TEST(certificate_verify_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CERTIFICATE_VERIFY, cv_cases,
		       ARRAY_SIZE(cv_cases));
}

TEST(finished_cases)
{
	run_body_cases(_metadata, KTLSO_HS_FINISHED, fin_cases,
		       ARRAY_SIZE(fin_cases));
}

TEST(new_session_ticket_cases)
{
	run_body_cases(_metadata, KTLSO_HS_NEW_SESSION_TICKET, nst_cases,
		       ARRAY_SIZE(nst_cases));
}

/* --- writers from host-form structs --------------------------------------- */

TEST(server_hello_writer)
{
	static const char want_hex[] = SH_FIXED " 0018"
		"000b 0002 0100  0010 0005 0003 026832  0017 0000  ff01 0001 00";
	struct ktlso_tls12_server_hello sh, back;
	struct test_msg m, want;

	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = 0x0303;
	memset(sh.random, 0x11, sizeof(sh.random));
	sh.cipher_suite = 0xc02f;
	sh.extensions = true;
	sh.ext.present = BIT(RENEGOTIATION_INFO) | BIT(EXTENDED_MASTER_SECRET) |
			 BIT(ALPN) | BIT(EC_POINT_FORMATS);
	sh.alpn = SPAN("h2");
	sh.ec_point_formats = SPAN("\0");
	/* No order given: enum order. */
	WRITE_MSG(&m, ktlso_tls12_server_hello_write, &sh);
	build_hex(_metadata, &want, KTLSO_HS_SERVER_HELLO, want_hex);
	EXPECT_TRUE(same_bytes(&want, &m));
	ASSERT_EQ(0, ktlso_tls12_server_hello_parse(&back, &m.msg, ALL));
	EXPECT_EQ(sh.ext.present, back.ext.present);
	EXPECT_TRUE(span_is(&back.alpn, "h2", 2));

	/* An order given: that order. */
	sh.ext.n = 4;
	sh.ext.order[0] = KTLSO_EXT_RENEGOTIATION_INFO;
	sh.ext.order[1] = KTLSO_EXT_ALPN;
	sh.ext.order[2] = KTLSO_EXT_EXTENDED_MASTER_SECRET;
	sh.ext.order[3] = KTLSO_EXT_EC_POINT_FORMATS;
	WRITE_MSG(&m, ktlso_tls12_server_hello_write, &sh);
	ASSERT_EQ(0, ktlso_tls12_server_hello_parse(&back, &m.msg, ALL));
	EXPECT_EQ(0, memcmp(sh.ext.order, back.ext.order, 4));

	/* No extensions at all, or an empty block. */
	memset(&sh.ext, 0, sizeof(sh.ext));
	sh.extensions = false;
	WRITE_MSG(&m, ktlso_tls12_server_hello_write, &sh);
	EXPECT_EQ(KTLSO_HS_HEADER_LEN + 38U, m.len);
	sh.extensions = true;
	WRITE_MSG(&m, ktlso_tls12_server_hello_write, &sh);
	EXPECT_EQ(KTLSO_HS_HEADER_LEN + 40U, m.len);
}

TEST(server_hello_writer_refuses)
{
	struct ktlso_tls12_server_hello sh, base;

	memset(&base, 0, sizeof(base));
	base.legacy_version = 0x0303;
	base.cipher_suite = 0xc02f;
	base.extensions = true;

	sh = base;
	sh.legacy_version = 0x0304;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(KEY_SHARE);
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(SUPPORTED_VERSIONS);
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(EC_POINT_FORMATS);
	sh.ec_point_formats = SPAN("\x01\x02");
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(EXTENDED_MASTER_SECRET);
	sh.extensions = false;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(RECORD_SIZE_LIMIT);
	sh.record_size_limit = 63;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh.record_size_limit = 16385;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh.record_size_limit = 16384;
	EXPECT_EQ(0, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(ALPN);
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh = base;
	sh.ext.present = BIT(SCT);
	sh.sct = SPAN("\x00\x05\xab");
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	/* An order that does not list exactly ->present. */
	sh = base;
	sh.ext.present = BIT(EXTENDED_MASTER_SECRET) | BIT(SESSION_TICKET);
	sh.ext.n = 1;
	sh.ext.order[0] = KTLSO_EXT_EXTENDED_MASTER_SECRET;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh.ext.n = 3;
	sh.ext.order[1] = KTLSO_EXT_SESSION_TICKET;
	sh.ext.order[2] = KTLSO_EXT_SESSION_TICKET;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
	sh.ext.n = 2;
	EXPECT_EQ(0, WRITE_RESULT(ktlso_tls12_server_hello_write, &sh));
}

TEST(certificate_writer)
{
	static const uint8_t a[] = { 0x30, 0x01, 0x00 }, b[] = { 0x30, 0x00 };
	const struct ktlso_span certs[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct ktlso_tls12_certificate ct, back;
	struct ktlso_span spans[2];
	struct test_msg m, want;
	size_t n;

	memset(&ct, 0, sizeof(ct));
	ct.certs.v = certs;
	ct.certs.n = 2;
	WRITE_MSG(&m, ktlso_tls12_certificate_write, &ct);
	build_hex(_metadata, &want, KTLSO_HS_CERTIFICATE,
		  "00000b 000003 300100 000002 3000");
	EXPECT_TRUE(same_bytes(&want, &m));
	ASSERT_EQ(0, ktlso_tls12_certificate_parse(&back, &m.msg));
	ASSERT_EQ(0, ktlso_tls12_cert_list_spans(&back.certs, spans, 2, &n));
	ASSERT_EQ(2U, n);
	EXPECT_TRUE(span_is(&spans[0], a, sizeof(a)));
	EXPECT_TRUE(span_is(&spans[1], b, sizeof(b)));
	ASSERT_EQ(0, ktlso_tls12_cert_list_at(&back.certs, 1, &spans[0]));
	EXPECT_TRUE(span_is(&spans[0], b, sizeof(b)));
	/* The host form through the same accessors. */
	ASSERT_EQ(0, ktlso_tls12_cert_list_spans(&ct.certs, spans, 2, &n));
	EXPECT_TRUE(span_is(&spans[1], b, sizeof(b)));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_tls12_cert_list_spans(&ct.certs, spans, 1, &n));
	EXPECT_EQ(2U, n);

	/* An empty certificate; a wire form whose count is wrong. */
	ct.certs.n = 1;
	ct.certs.v = &(struct ktlso_span){ a, 0 };
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_certificate_write, &ct));
	ct = back;
	ct.certs.n = 3;
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_certificate_write, &ct));
	EXPECT_EQ(INVALID,
		  ktlso_tls12_cert_list_spans(&ct.certs, spans, 2, &n));
	memset(&ct, 0, sizeof(ct));
	WRITE_MSG(&m, ktlso_tls12_certificate_write, &ct);
	build_hex(_metadata, &want, KTLSO_HS_CERTIFICATE, "000000");
	EXPECT_TRUE(same_bytes(&want, &m));
}

TEST(key_exchange_writers)
{
	static const uint8_t point[32] = { 0x02, [31] = 0x03 };
	static const uint8_t big[256] = { 0 };
	static const uint8_t cr_rand[32] = { 0xc1 }, sr_rand[32] = { 0x5e };
	struct ktlso_tls12_server_key_exchange ske, back;
	struct ktlso_tls12_client_key_exchange cke, cke_back;
	uint8_t content[KTLSO_TLS12_SKE_SIGNED_MAX];
	struct test_msg m, want;
	size_t len;

	memset(&ske, 0, sizeof(ske));
	ske.group = 0x001d;
	ske.point = (struct ktlso_span){ point, sizeof(point) };
	ske.algorithm = 0x0804;
	ske.signature = SPAN("sig");
	WRITE_MSG(&m, ktlso_tls12_server_key_exchange_write, &ske);
	build_hex(_metadata, &want, KTLSO_HS_SERVER_KEY_EXCHANGE,
		  "03 001d 20 02000000000000000000000000000000"
		  "00000000000000000000000000000003 0804 0003 736967");
	EXPECT_TRUE(same_bytes(&want, &m));
	ASSERT_EQ(0, ktlso_tls12_server_key_exchange_parse(&back, &m.msg));
	EXPECT_EQ(0x001d, back.group);
	EXPECT_TRUE(span_is(&back.point, point, sizeof(point)));
	EXPECT_TRUE(span_is(&back.signature, "sig", 3));
	EXPECT_TRUE(span_is(&back.params, m.msg.body.p, 36));

	/* The signed content: randoms, then the params as written. */
	ASSERT_EQ(0, ktlso_tls12_ske_signed_content(&ske, cr_rand, sr_rand,
						    content, sizeof(content),
						    &len));
	ASSERT_EQ(100U, len);
	EXPECT_EQ(0, memcmp(content, cr_rand, 32));
	EXPECT_EQ(0, memcmp(content + 32, sr_rand, 32));
	EXPECT_EQ(0, memcmp(content + 64, m.msg.body.p, 36));

	ske.point = (struct ktlso_span){ point, 0 };
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_server_key_exchange_write, &ske));
	EXPECT_EQ(INVALID,
		  ktlso_tls12_ske_signed_content(&ske, cr_rand, sr_rand,
						 content, sizeof(content),
						 &len));
	ske.point = (struct ktlso_span){ big, sizeof(big) };
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_server_key_exchange_write, &ske));
	ske.point = (struct ktlso_span){ big, 255 };
	ASSERT_EQ(0, ktlso_tls12_ske_signed_content(&ske, cr_rand, sr_rand,
						    content, sizeof(content),
						    &len));
	EXPECT_EQ(sizeof(content), len);

	memset(&cke, 0, sizeof(cke));
	cke.point = (struct ktlso_span){ point, sizeof(point) };
	WRITE_MSG(&m, ktlso_tls12_client_key_exchange_write, &cke);
	EXPECT_EQ(KTLSO_HS_HEADER_LEN + 33U, m.len);
	ASSERT_EQ(0, ktlso_tls12_client_key_exchange_parse(&cke_back, &m.msg));
	EXPECT_TRUE(span_is(&cke_back.point, point, sizeof(point)));
	cke.point.len = 0;
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_client_key_exchange_write, &cke));
	cke.point = (struct ktlso_span){ big, sizeof(big) };
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_client_key_exchange_write, &cke));
}

TEST(certificate_request_writer)
{
	static const uint16_t schemes[] = { 0x0403, 0x0804 };
	struct ktlso_tls12_certificate_request cr, back;
	struct test_msg m, want;

	memset(&cr, 0, sizeof(cr));
	cr.certificate_types = SPAN("\x01\x40");
	cr.signature_algorithms = (struct ktlso_u16_list){ schemes, NULL, 2 };
	cr.certificate_authorities = SPAN("\x00\x03\x30\x01\x00");
	WRITE_MSG(&m, ktlso_tls12_certificate_request_write, &cr);
	build_hex(_metadata, &want, KTLSO_HS_CERTIFICATE_REQUEST,
		  "02 0140 0004 0403 0804 0005 0003 300100");
	EXPECT_TRUE(same_bytes(&want, &m));
	ASSERT_EQ(0, ktlso_tls12_certificate_request_parse(&back, &m.msg));
	EXPECT_EQ(2U, back.signature_algorithms.n);
	EXPECT_EQ(0x0804, ktlso_u16_list_at(&back.signature_algorithms, 1));

	cr.certificate_authorities = SPAN("\x00\x04\x30\x01\x00");
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_certificate_request_write, &cr));
	cr.certificate_authorities = SPAN("\x00\x00");
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_certificate_request_write, &cr));
	cr.certificate_authorities = SPAN("");
	EXPECT_EQ(0, WRITE_RESULT(ktlso_tls12_certificate_request_write, &cr));
	cr.certificate_types = SPAN("");
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_certificate_request_write, &cr));
	cr.certificate_types = SPAN("\x40");
	cr.signature_algorithms.n = 0;
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_tls12_certificate_request_write, &cr));
}

TEST(finished_and_done_writers)
{
	struct ktlso_finished fin;
	struct test_msg m, want;

	fin.verify_data = SPAN("0123456789ab");
	WRITE_MSG(&m, ktlso_tls12_finished_write, &fin);
	EXPECT_EQ(KTLSO_HS_HEADER_LEN + 12U, m.len);
	EXPECT_EQ(KTLSO_HS_FINISHED, m.buf[0]);
	fin.verify_data = SPAN("0123456789a");
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_finished_write, &fin));
	fin.verify_data = SPAN("0123456789abcdef0123456789abcdef");
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_tls12_finished_write, &fin));

	WRITE_MSG(&m, ktlso_tls12_server_hello_done_write);
	build_hex(_metadata, &want, KTLSO_HS_SERVER_HELLO_DONE, "");
	EXPECT_TRUE(same_bytes(&want, &m));
	EXPECT_EQ(4U, m.len);
}

/* --- ClientHello: the TLS 1.2 extensions ---------------------------------- */

TEST(client_hello_tls12_extensions)
{
	static const uint16_t suites[] = { 0xc02b, 0xc02f, 0x00ff };
	static const uint16_t groups[] = { 0x001d, 0x0017 };
	static const uint16_t schemes[] = { 0x0403, 0x0804 };
	static const char *const want_exts[] = {
		"000b 0002 01 00", "0017 0000", "0023 0000", "ff01 0001 00",
	};
	struct ktlso_client_hello ch, back;
	struct test_msg m, again;
	uint8_t ext[16];
	size_t i, n;

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0303;
	memset(ch.random, 0x33, sizeof(ch.random));
	ch.cipher_suites = (struct ktlso_u16_list){ suites, NULL, 3 };
	ch.compression_methods = SPAN("\0");
	ch.supported_groups = (struct ktlso_u16_list){ groups, NULL, 2 };
	ch.signature_algorithms = (struct ktlso_u16_list){ schemes, NULL, 2 };
	ch.ec_point_formats = SPAN("\0");
	ch.ext.present = BIT(SUPPORTED_GROUPS) | BIT(EC_POINT_FORMATS) |
			 BIT(SIGNATURE_ALGORITHMS) |
			 BIT(EXTENDED_MASTER_SECRET) | BIT(SESSION_TICKET) |
			 BIT(RENEGOTIATION_INFO);
	WRITE_MSG(&m, ktlso_client_hello_write, &ch);
	for (i = 0; i < ARRAY_SIZE(want_exts); i++) {
		n = unhex(want_exts[i], ext, sizeof(ext));
		EXPECT_NE(NULL, memmem(m.buf, m.len, ext, n))
			TH_LOG("%s not written", want_exts[i]);
	}
	ASSERT_EQ(0, ktlso_client_hello_parse(&back, &m.msg));
	EXPECT_EQ(ch.ext.present, back.ext.present);
	EXPECT_TRUE(span_is(&back.ec_point_formats, "\0", 1));
	EXPECT_EQ(0U, back.session_ticket.len);
	EXPECT_TRUE(ktlso_u16_list_has(&back.cipher_suites, 0x00ff));
	EXPECT_EQ(0, ktlso_tls12_client_hello_check(&back));
	WRITE_MSG(&again, ktlso_client_hello_write, &back);
	EXPECT_TRUE(same_bytes(&m, &again));

	/* A ticket being presented travels as is. */
	ch.session_ticket = SPAN("\xab\xcd");
	WRITE_MSG(&m, ktlso_client_hello_write, &ch);
	n = unhex("0023 0002 abcd", ext, sizeof(ext));
	EXPECT_NE(NULL, memmem(m.buf, m.len, ext, n));
	ASSERT_EQ(0, ktlso_client_hello_parse(&back, &m.msg));
	EXPECT_TRUE(span_is(&back.session_ticket, "\xab\xcd", 2));

	/* ec_point_formats<1..255>: an empty list cannot be written. */
	ch.ec_point_formats = SPAN("");
	EXPECT_EQ(INVALID, WRITE_RESULT(ktlso_client_hello_write, &ch));
}

#define CH_FIXED "0303" RANDOM "00 0004 c02f 00ff"

static const struct body_case ch12_cases[] = {
	{ "uncompressed offered", CH_FIXED "01 00 0006 000b 0002 01 00", OK },
	{ "uncompressed among others",
	  CH_FIXED "01 00 0008 000b 0004 03 020100", OK },
	{ "no ec_point_formats at all", CH_FIXED "01 00 0000", OK },
	{ "no extensions at all", CH_FIXED "01 00", OK },
	{ "ec_point_formats without uncompressed",
	  CH_FIXED "01 00 0007 000b 0003 02 0102", ILLEGAL },
	{ "null compression missing", CH_FIXED "01 01", ILLEGAL },
	{ "null among compressions", CH_FIXED "02 0100", OK },
};

/*
 * The parser takes any ec_point_formats list; a TLS 1.2 server's check
 * wants uncompressed, and null compression. An empty list is malformed.
 */
TEST(client_hello_tls12_check)
{
	struct ktlso_client_hello ch;
	struct test_msg m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ch12_cases); i++) {
		build_hex(_metadata, &m, KTLSO_HS_CLIENT_HELLO,
			  ch12_cases[i].body);
		ASSERT_EQ(0, ktlso_client_hello_parse(&ch, &m.msg))
			TH_LOG("%s", ch12_cases[i].what);
		EXPECT_EQ(ch12_cases[i].want, ktlso_tls12_client_hello_check(&ch))
			TH_LOG("%s", ch12_cases[i].what);
	}
	build_hex(_metadata, &m, KTLSO_HS_CLIENT_HELLO,
		  CH_FIXED "01 00 0005 000b 0001 00");
	EXPECT_EQ(DECODE, ktlso_client_hello_parse(&ch, &m.msg));
	build_hex(_metadata, &m, KTLSO_HS_CLIENT_HELLO,
		  CH_FIXED "01 00 0006 000b 0002 02 00");
	EXPECT_EQ(DECODE, ktlso_client_hello_parse(&ch, &m.msg));
	build_hex(_metadata, &m, KTLSO_HS_CLIENT_HELLO,
		  CH_FIXED "01 00 000c 000b 0002 01 00 000b 0002 01 00");
	EXPECT_EQ(ILLEGAL, ktlso_client_hello_parse(&ch, &m.msg));
}

/* --- TLS 1.3 keeps its rules ---------------------------------------------- */

/*
 * ec_point_formats is a ClientHello extension only in TLS 1.3's table: a
 * TLS 1.3 ServerHello or EncryptedExtensions carrying it is
 * illegal_parameter even when offered, and the TLS 1.3 writers refuse it.
 */
TEST(tls13_refuses_ec_point_formats)
{
	struct ktlso_server_hello sh;
	struct ktlso_encrypted_extensions ee;
	struct test_msg m;

	build_hex(_metadata, &m, KTLSO_HS_SERVER_HELLO,
		  "0303" RANDOM "00 1301 00 002e 002b 0002 0304 "
		  "0033 0024 001d 0020 " KEY32);
	ASSERT_EQ(0, ktlso_server_hello_parse(&sh, &m.msg, ALL));
	build_hex(_metadata, &m, KTLSO_HS_SERVER_HELLO,
		  "0303" RANDOM "00 1301 00 0034 002b 0002 0304 "
		  "0033 0024 001d 0020 " KEY32 " 000b 0002 0100");
	EXPECT_EQ(ILLEGAL, ktlso_server_hello_parse(&sh, &m.msg, ALL));
	build_hex(_metadata, &m, KTLSO_HS_ENCRYPTED_EXTENSIONS,
		  "0006 000b 0002 0100");
	EXPECT_EQ(ILLEGAL, ktlso_encrypted_extensions_parse(&ee, &m.msg, ALL));
	build_hex(_metadata, &m, KTLSO_HS_ENCRYPTED_EXTENSIONS, "0000");
	ASSERT_EQ(0, ktlso_encrypted_extensions_parse(&ee, &m.msg, ALL));
	ee.ext.present = BIT(EC_POINT_FORMATS);
	EXPECT_EQ(INVALID,
		  WRITE_RESULT(ktlso_encrypted_extensions_write, &ee));
	EXPECT_EQ(11, ktlso_ext_code(KTLSO_EXT_EC_POINT_FORMATS));
	EXPECT_EQ(KTLSO_EXT_EC_POINT_FORMATS, ktlso_ext_from_code(11));
	EXPECT_EQ(KTLSO_EXT_PRE_SHARED_KEY, KTLSO_EXT_COUNT - 1);
}

/* --- the downgrade sentinel ----------------------------------------------- */

TEST(downgrade_sentinel)
{
	uint8_t random[KTLSO_RANDOM_LEN];

	memset(random, 0x5a, sizeof(random));
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(random));
	memcpy(random + 24, "DOWNGRD\x01", 8);
	EXPECT_EQ(1, ktlso_tls12_downgrade_sentinel(random));
	random[31] = 0x00;
	EXPECT_EQ(2, ktlso_tls12_downgrade_sentinel(random));
	random[31] = 0x02;
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(random));
	memcpy(random + 24, "DOWNGRE\x01", 8);
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(random));
	/* Anywhere but the last 8 bytes: no sentinel. */
	memset(random, 0x5a, sizeof(random));
	memcpy(random + 23, "DOWNGRD\x01", 8);
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(random));
	memset(random, 0, sizeof(random));
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(random));
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(ktlso_hrr_random));
}

TEST_HARNESS_MAIN
