// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 extensions and message field rules, as tables of hand-built
 * extension blocks and the alert each must give: duplicates, unknown and
 * unoffered extensions, extensions a message may not carry, missing
 * mandatory ones, pre_shared_key placement, renegotiation_info, SNI, ALPN,
 * key shares, HelloRetryRequest detection and every length rule.
 * ClientHello and ServerHello cases keep the RFC 8448 messages' fixed
 * fields and replace or extend their extensions.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/msg.h"
#include "msg_test.h"
#include "vector_file.h"

#define OK 0
#define DECODE (-KTLSO_ALERT_DECODE_ERROR)
#define ILLEGAL (-KTLSO_ALERT_ILLEGAL_PARAMETER)
#define UNSUPPORTED (-KTLSO_ALERT_UNSUPPORTED_EXTENSION)
#define MISSING (-KTLSO_ALERT_MISSING_EXTENSION)
#define HS_FAILURE (-KTLSO_ALERT_HANDSHAKE_FAILURE)
#define PROTOCOL (-KTLSO_ALERT_PROTOCOL_VERSION)

#define BIT(e) KTLSO_EXT_BIT(KTLSO_EXT_##e)

/* The RFC 8448 ClientHello's offer, plus ALPN, early_data, PSK, SCT, OCSP. */
#define OFFERED								\
	(BIT(SERVER_NAME) | BIT(RENEGOTIATION_INFO) |			\
	 BIT(SUPPORTED_GROUPS) | BIT(SESSION_TICKET) | BIT(KEY_SHARE) |	\
	 BIT(SUPPORTED_VERSIONS) | BIT(SIGNATURE_ALGORITHMS) |		\
	 BIT(PSK_KEY_EXCHANGE_MODES) | BIT(RECORD_SIZE_LIMIT) | BIT(ALPN) | \
	 BIT(EARLY_DATA) | BIT(PRE_SHARED_KEY) | BIT(SCT) |		\
	 BIT(STATUS_REQUEST))

/* Fields of the RFC 8448 hellos before their extensions. */
#define CH_FIXED_LEN 45
#define SH_FIXED_LEN 38

/* A minimal TLS 1.3 offer: versions, groups, signature schemes, a share. */
#define SV13 "002b 0003 020304"
#define GROUPS "000a 0004 0002 001d"
#define SIGALGS "000d 0004 0002 0804"
#define X25519_KEY "0101010101010101010101010101010101010101010101010101010101010101"
#define SHARE "0033 0026 0024 001d 0020 " X25519_KEY
#define BASE13 SV13 GROUPS SIGALGS SHARE
/* pre_shared_key: one identity "abcde", age 0; one 32-byte binder. */
#define PSK "0029 0030 000b 0005 6162636465 00000000 " \
	    "0021 20 " X25519_KEY

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int x = hex_nibble((unsigned char)*s);

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

FIXTURE(ext13) {
	struct test_vectors tv;
	struct test_msg ch, sh;
};

FIXTURE_SETUP(ext13)
{
	ASSERT_EQ(0, test_vectors_load(&self->tv, "rfc8448-simple-1rtt.txt"));
	msg_from_vector(_metadata, &self->tv, "client_hello", &self->ch);
	msg_from_vector(_metadata, &self->tv, "server_hello", &self->sh);
}

FIXTURE_TEARDOWN(ext13)
{
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

/*
 * Build a message: @fixed_len bytes of @fixed, then an extensions vector
 * holding @base's extensions (if @base) followed by the hex @exts.
 */
static void build(struct __test_metadata *_metadata, struct test_msg *out,
		  uint8_t type, const uint8_t *fixed, size_t fixed_len,
		  const struct ktlso_hs_msg *base, const char *exts)
{
	uint8_t body[MSG_BUF_MAX];
	size_t len = fixed_len + 2, n;

	ASSERT_LT(fixed_len + 2, sizeof(body));
	memcpy(body, fixed, fixed_len);
	if (base) {
		n = base->body.len - fixed_len - 2;
		memcpy(body + len, base->body.p + fixed_len + 2, n);
		len += n;
	}
	n = unhex(exts, body + len, sizeof(body) - len);
	ASSERT_LE(n, sizeof(body) - len);
	len += n;
	body[fixed_len] = (uint8_t)((len - fixed_len - 2) >> 8);
	body[fixed_len + 1] = (uint8_t)(len - fixed_len - 2);
	msg_build(_metadata, out, type, body, len);
}

struct ext_case {
	const char *what;
	bool keep_base;		/* the RFC message's extensions come first */
	const char *exts;
	int want;
};

static const struct ext_case ch_cases[] = {
	{ "RFC 8448 as is", true, "", OK },
	{ "supported_versions twice", true, SV13, ILLEGAL },
	{ "unknown extension ignored", true, "fafa 0000", OK },
	{ "GREASE with data ignored", true, "0a0a 0001 00", OK },
	{ "unknown extension twice", true, "fafa 0000 fafa 0001 00", ILLEGAL },
	{ "pre_shared_key last", true, PSK, OK },
	{ "pre_shared_key not last", true, PSK "fafa 0000", ILLEGAL },
	{ "pre_shared_key without modes", false, BASE13 PSK, MISSING },
	{ "psk: 1 identity, 2 binders", true,
	  "0029 0051 000b 0005 6162636465 00000000 0042 20 " X25519_KEY
	  "20 " X25519_KEY, ILLEGAL },
	{ "psk: 31-byte binder", true,
	  "0029 002f 000b 0005 6162636465 00000000 0020 1f "
	  "01010101010101010101010101010101010101010101010101010101010101",
	  DECODE },
	{ "psk: identity list too short", true, "0029 0006 0000 0002 0000",
	  DECODE },
	{ "early_data offered", true, "002a 0000", OK },
	{ "early_data with a body", true, "002a 0001 00", DECODE },
	{ "cookie with a trailing byte", true, "002c 0004 0001 aabb", DECODE },
	{ "cookie empty", true, "002c 0002 0000", DECODE },
	{ "extension past the block", true, "002c 0010 00", DECODE },
	{ "ALPN h2, http/1.1", true, "0010 000e 000c 026832 08687474702f312e31",
	  OK },
	{ "ALPN empty name", true, "0010 0006 0004 026832 00", DECODE },
	{ "ALPN empty list", true, "0010 0002 0000", DECODE },
	{ "ALPN name past the list", true, "0010 0005 0003 036832", DECODE },
	{ "status_request", true, "0005 0005 01 0000 0000", OK },
	{ "post_handshake_auth", true, "0031 0000", OK },
	{ "post_handshake_auth with a body", true, "0031 0001 00", DECODE },
	{ "signature_algorithms_cert", true, "0032 0004 0002 0804", OK },
	{ "signature_algorithms_cert odd", true, "0032 0005 0003 080400",
	  DECODE },
	{ "certificate_authorities", true, "002f 0007 0005 0003 300100", OK },
	{ "certificate_authorities too short", true, "002f 0004 0002 0000",
	  DECODE },
	{ "oid_filters: CertificateRequest only", true, "0030 0002 0000",
	  ILLEGAL },
	{ "extended_master_secret", true, "0017 0000", OK },
	{ "extended_master_secret with a body", true, "0017 0001 00", DECODE },
	{ "SCT request", true, "0012 0000", OK },
	/* Whole blocks. */
	{ "minimal TLS 1.3 offer", false, BASE13, OK },
	{ "no key_share", false, SV13 GROUPS SIGALGS, MISSING },
	{ "no supported_groups", false, SV13 SIGALGS SHARE, MISSING },
	{ "no signature_algorithms", false, SV13 GROUPS SHARE, MISSING },
	{ "TLS 1.2 offer: no 1.3 rules", false, GROUPS SIGALGS, OK },
	{ "TLS 1.2 in supported_versions only", false,
	  "002b 0003 020303" GROUPS, OK },
	{ "share for a group not offered", false,
	  SV13 GROUPS SIGALGS "0033 0026 0024 0017 0020 " X25519_KEY, ILLEGAL },
	{ "two shares for one group", false,
	  SV13 GROUPS SIGALGS "0033 004a 0048 001d 0020 " X25519_KEY
	  "001d 0020 " X25519_KEY, ILLEGAL },
	{ "share with an empty key", false,
	  SV13 GROUPS SIGALGS "0033 0006 0004 001d 0000", DECODE },
	{ "share list past its end", false,
	  SV13 GROUPS SIGALGS "0033 0006 0004 001d 0004 01", DECODE },
	{ "no shares at all (HRR wanted)", false,
	  SV13 GROUPS SIGALGS "0033 0002 0000", OK },
	{ "supported_versions odd", false,
	  "002b 0004 03030400" GROUPS SIGALGS SHARE, DECODE },
	{ "supported_versions empty", false,
	  "002b 0001 00" GROUPS SIGALGS SHARE, DECODE },
	{ "supported_groups odd", false,
	  SV13 "000a 0005 0003 001d00" SIGALGS SHARE, DECODE },
	{ "renegotiation_info empty", false, BASE13 "ff01 0001 00", OK },
	{ "renegotiation_info not empty", false, BASE13 "ff01 0002 0100",
	  HS_FAILURE },
	{ "renegotiation_info short", false, BASE13 "ff01 0000", DECODE },
	{ "server_name", false, BASE13 "0000 000b 0009 00 0006 736572766572",
	  OK },
	{ "server_name: two host_names", false,
	  BASE13 "0000 0013 0011 00 0006 736572766572 00 0005 7365727665",
	  ILLEGAL },
	{ "server_name: NUL in the name", false,
	  BASE13 "0000 000b 0009 00 0006 736572007672", ILLEGAL },
	{ "server_name: other name type too", false,
	  BASE13 "0000 000f 000d 01 0001 78 00 0006 736572766572", OK },
	{ "server_name: empty list", false, BASE13 "0000 0002 0000", DECODE },
	{ "server_name: empty name", false, BASE13 "0000 0005 0003 00 0000",
	  DECODE },
	{ "record_size_limit below 64", false, BASE13 "001c 0002 003f",
	  ILLEGAL },
	{ "record_size_limit 64", false, BASE13 "001c 0002 0040", OK },
	{ "psk_key_exchange_modes empty", false, BASE13 "002d 0001 00",
	  DECODE },
	{ "psk_key_exchange_modes unknown mode", false,
	  BASE13 "002d 0003 020107", OK },
};

TEST_F(ext13, client_hello_cases)
{
	struct ktlso_client_hello ch;
	struct test_msg m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ch_cases); i++) {
		const struct ext_case *c = &ch_cases[i];

		build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
		      CH_FIXED_LEN, c->keep_base ? &self->ch.msg : NULL,
		      c->exts);
		EXPECT_EQ(c->want, ktlso_client_hello_parse(&ch, &m.msg))
			TH_LOG("ClientHello: %s", c->what);
	}
}

/*
 * Duplicates among many extensions: both before and after the parser
 * switches from its short list to a bitmap of every type.
 */
TEST_F(ext13, many_extensions_duplicates)
{
	struct ktlso_client_hello ch;
	struct test_msg m;
	char exts[64 * 10 + 32];
	size_t n, i, len;

	for (n = 30; n < 40; n++) {
		len = 0;
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(exts + len, sizeof(exts) - len,
						"7a%02zx 0000 ", i);
		build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
		      CH_FIXED_LEN, &self->ch.msg, exts);
		EXPECT_EQ(OK, ktlso_client_hello_parse(&ch, &m.msg))
			TH_LOG("%zu distinct unknown extensions", n);
		/* Then the first one again, and the last one again. */
		snprintf(exts + len, sizeof(exts) - len, "7a00 0000");
		build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
		      CH_FIXED_LEN, &self->ch.msg, exts);
		EXPECT_EQ(ILLEGAL, ktlso_client_hello_parse(&ch, &m.msg))
			TH_LOG("first of %zu repeated", n);
		snprintf(exts + len, sizeof(exts) - len, "7a%02zx 0000", n - 1);
		build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
		      CH_FIXED_LEN, &self->ch.msg, exts);
		EXPECT_EQ(ILLEGAL, ktlso_client_hello_parse(&ch, &m.msg))
			TH_LOG("last of %zu repeated", n);
		/* A known one of the RFC's, after them all. */
		snprintf(exts + len, sizeof(exts) - len, "000a 0004 0002 001d");
		build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
		      CH_FIXED_LEN, &self->ch.msg, exts);
		EXPECT_EQ(ILLEGAL, ktlso_client_hello_parse(&ch, &m.msg))
			TH_LOG("supported_groups after %zu", n);
	}
}

/* What the successful cases above decode to. */
TEST_F(ext13, client_hello_decoded)
{
	struct ktlso_client_hello ch;
	struct ktlso_list_iter it = { 0 };
	struct ktlso_span name;
	struct test_msg m;

	build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
	      CH_FIXED_LEN, &self->ch.msg,
	      "fafa 0000 0010 000e 000c 026832 08687474702f312e31 002a 0000 "
	      PSK);
	ASSERT_EQ(0, ktlso_client_hello_parse(&ch, &m.msg));
	ASSERT_EQ(2U, ch.alpn.n);
	ASSERT_EQ(1, ktlso_alpn_list_next(&ch.alpn, &it, &name));
	EXPECT_EQ(2U, name.len);
	EXPECT_EQ(0, memcmp(name.p, "h2", 2));
	ASSERT_EQ(1, ktlso_alpn_list_next(&ch.alpn, &it, &name));
	EXPECT_EQ(8U, name.len);
	EXPECT_EQ(0, memcmp(name.p, "http/1.1", 8));
	EXPECT_EQ(0, ktlso_alpn_list_next(&ch.alpn, &it, &name));
	EXPECT_TRUE(ktlso_ext_has(&ch.ext, KTLSO_EXT_EARLY_DATA));
	EXPECT_TRUE(ktlso_ext_has(&ch.ext, KTLSO_EXT_PRE_SHARED_KEY));
	EXPECT_EQ(1U, ch.psk_count);
	EXPECT_EQ(11U, ch.psk_identities.len);
	EXPECT_EQ(33U, ch.psk_binders.len);
	/* The unknown extension is skipped: 9 + ALPN, early_data, PSK. */
	EXPECT_EQ(12, ch.ext.n);
	EXPECT_EQ(KTLSO_EXT_PRE_SHARED_KEY, ch.ext.order[11]);

	build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, self->ch.msg.body.p,
	      CH_FIXED_LEN, NULL,
	      BASE13 "002d 0003 020107 0000 000f 000d 01 0001 78 00 0006 736572766572");
	ASSERT_EQ(0, ktlso_client_hello_parse(&ch, &m.msg));
	EXPECT_EQ(KTLSO_PSK_DHE_KE_BIT, ch.psk_modes);
	EXPECT_EQ(6U, ch.server_name.len);
	EXPECT_EQ(0, memcmp(ch.server_name.p, "server", 6));
}

/* The fields before the extensions. */
TEST_F(ext13, client_hello_fixed_fields)
{
	struct ktlso_client_hello ch;
	uint8_t body[256];
	struct test_msg m;
	size_t n;

	/* Null compression and one more: TLS 1.3 forbids it. */
	n = unhex("0303" X25519_KEY "00 0002 1301 02 0001 0007" SV13, body,
		  sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(ILLEGAL, ktlso_client_hello_parse(&ch, &m.msg));
	/* The same in a TLS 1.2 ClientHello is fine. */
	n = unhex("0303" X25519_KEY "00 0002 c02f 02 0001 0000", body,
		  sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(OK, ktlso_client_hello_parse(&ch, &m.msg));
	/* No extensions vector at all (TLS 1.2). */
	n = unhex("0303" X25519_KEY "00 0002 c02f 01 00", body, sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(OK, ktlso_client_hello_parse(&ch, &m.msg));
	EXPECT_EQ(0U, ch.ext.present);
	/* A 33-byte session id. */
	n = unhex("0303" X25519_KEY "21" X25519_KEY "aa 0002 1301 01 00 0000",
		  body, sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(DECODE, ktlso_client_hello_parse(&ch, &m.msg));
	/* A 32-byte one is the limit. */
	n = unhex("0303" X25519_KEY "20" X25519_KEY "0002 1301 01 00 0000",
		  body, sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(OK, ktlso_client_hello_parse(&ch, &m.msg));
	EXPECT_EQ(32U, ch.session_id.len);
	/* Odd cipher_suites; empty cipher_suites; no compression. */
	n = unhex("0303" X25519_KEY "00 0003 130113 01 00", body, sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(DECODE, ktlso_client_hello_parse(&ch, &m.msg));
	n = unhex("0303" X25519_KEY "00 0000 01 00", body, sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(DECODE, ktlso_client_hello_parse(&ch, &m.msg));
	n = unhex("0303" X25519_KEY "00 0002 1301 00", body, sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	EXPECT_EQ(DECODE, ktlso_client_hello_parse(&ch, &m.msg));
	/* The renegotiation SCSV is an ordinary suite value to the parser. */
	n = unhex("0303" X25519_KEY "00 0004 c02f 00ff 01 00", body,
		  sizeof(body));
	msg_build(_metadata, &m, KTLSO_HS_CLIENT_HELLO, body, n);
	ASSERT_EQ(OK, ktlso_client_hello_parse(&ch, &m.msg));
	EXPECT_TRUE(ktlso_u16_list_has(&ch.cipher_suites, 0x00ff));
	EXPECT_FALSE(ktlso_u16_list_has(&ch.cipher_suites, 0x1301));
}

struct sh_case {
	const char *what;
	bool hrr;
	uint32_t offered;
	const char *exts;
	int want;
};

#define SH_SHARE "0033 0024 001d 0020 " X25519_KEY

static const struct sh_case sh_cases[] = {
	{ "ServerHello", false, OFFERED, SH_SHARE "002b 0002 0304", OK },
	{ "ServerHello, versions first", false, OFFERED,
	  "002b 0002 0304" SH_SHARE, OK },
	{ "cookie in a ServerHello", false, OFFERED,
	  "002b 0002 0304" SH_SHARE "002c 0003 0001 aa", ILLEGAL },
	{ "unknown extension", false, OFFERED,
	  "002b 0002 0304" SH_SHARE "fafa 0000", UNSUPPORTED },
	{ "key_share not offered", false, OFFERED & ~BIT(KEY_SHARE),
	  "002b 0002 0304" SH_SHARE, UNSUPPORTED },
	{ "renegotiation_info in TLS 1.3", false, OFFERED,
	  "002b 0002 0304" SH_SHARE "ff01 0001 00", ILLEGAL },
	{ "extended_master_secret in TLS 1.3", false,
	  OFFERED | BIT(EXTENDED_MASTER_SECRET),
	  "002b 0002 0304" SH_SHARE "0017 0000", ILLEGAL },
	{ "early_data in a ServerHello", false, OFFERED,
	  "002b 0002 0304" SH_SHARE "002a 0000", ILLEGAL },
	{ "selects TLS 1.2 in supported_versions", false, OFFERED,
	  "002b 0002 0303" SH_SHARE, ILLEGAL },
	{ "no supported_versions", false, OFFERED, SH_SHARE, PROTOCOL },
	{ "no extensions at all", false, OFFERED, "", PROTOCOL },
	{ "no key_share, no pre_shared_key", false, OFFERED,
	  "002b 0002 0304", MISSING },
	{ "pre_shared_key only", false, OFFERED,
	  "002b 0002 0304 0029 0002 0000", OK },
	{ "pre_shared_key not offered", false, OFFERED & ~BIT(PRE_SHARED_KEY),
	  "002b 0002 0304 0029 0002 0000", UNSUPPORTED },
	{ "supported_versions twice", false, OFFERED,
	  "002b 0002 0304" SH_SHARE "002b 0002 0304", ILLEGAL },
	{ "supported_versions too long", false, OFFERED,
	  "002b 0003 030400" SH_SHARE, DECODE },
	{ "key_share with an empty key", false, OFFERED,
	  "002b 0002 0304 0033 0004 001d 0000", DECODE },
	{ "malformed block", false, OFFERED, "002b 0002 03", DECODE },
	{ "HRR: selected_group", true, OFFERED,
	  "002b 0002 0304 0033 0002 0017", OK },
	{ "HRR: cookie, never offered", true, OFFERED,
	  "002b 0002 0304 002c 0004 0002 abcd", OK },
	{ "HRR: changes nothing", true, OFFERED, "002b 0002 0304", ILLEGAL },
	{ "HRR: a whole key share", true, OFFERED,
	  "002b 0002 0304" SH_SHARE, DECODE },
	{ "HRR: pre_shared_key", true, OFFERED,
	  "002b 0002 0304 0033 0002 0017 0029 0002 0000", ILLEGAL },
	{ "HRR: empty cookie", true, OFFERED,
	  "002b 0002 0304 002c 0002 0000", DECODE },
	{ "HRR: no supported_versions", true, OFFERED, "0033 0002 0017",
	  PROTOCOL },
};

TEST_F(ext13, server_hello_cases)
{
	struct ktlso_server_hello sh;
	uint8_t fixed[SH_FIXED_LEN];
	struct test_msg m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sh_cases); i++) {
		const struct sh_case *c = &sh_cases[i];

		memcpy(fixed, self->sh.msg.body.p, SH_FIXED_LEN);
		if (c->hrr)
			memcpy(fixed + 2, ktlso_hrr_random, KTLSO_RANDOM_LEN);
		build(_metadata, &m, KTLSO_HS_SERVER_HELLO, fixed, SH_FIXED_LEN,
		      NULL, c->exts);
		if (c->exts[0] == '\0')		/* no extensions vector */
			msg_build(_metadata, &m, KTLSO_HS_SERVER_HELLO, fixed,
				  SH_FIXED_LEN);
		EXPECT_EQ(c->want, ktlso_server_hello_parse(&sh, &m.msg,
							    c->offered))
			TH_LOG("ServerHello: %s", c->what);
		if (c->want == OK)
			EXPECT_EQ(c->hrr, sh.hrr) TH_LOG("%s", c->what);
	}
}

TEST_F(ext13, hello_retry_request)
{
	struct ktlso_server_hello sh;
	uint8_t fixed[SH_FIXED_LEN];
	struct test_msg m;

	memcpy(fixed, self->sh.msg.body.p, SH_FIXED_LEN);
	memcpy(fixed + 2, ktlso_hrr_random, KTLSO_RANDOM_LEN);
	build(_metadata, &m, KTLSO_HS_SERVER_HELLO, fixed, SH_FIXED_LEN, NULL,
	      "002b 0002 0304 0033 0002 0017 002c 0004 0002 abcd");
	ASSERT_EQ(0, ktlso_server_hello_parse(&sh, &m.msg, OFFERED));
	EXPECT_TRUE(sh.hrr);
	EXPECT_EQ(0x0017, sh.key_share.group);
	EXPECT_EQ(0U, sh.key_share.key_exchange.len);
	ASSERT_EQ(2U, sh.cookie.len);
	EXPECT_EQ(0xab, sh.cookie.p[0]);
	/* One bit off the HRR random: an ordinary ServerHello. */
	fixed[2 + 31] ^= 1;
	build(_metadata, &m, KTLSO_HS_SERVER_HELLO, fixed, SH_FIXED_LEN, NULL,
	      "002b 0002 0304 0033 0002 0017");
	EXPECT_EQ(DECODE, ktlso_server_hello_parse(&sh, &m.msg, OFFERED));
	/* A compression method other than null. */
	memcpy(fixed, self->sh.msg.body.p, SH_FIXED_LEN);
	fixed[SH_FIXED_LEN - 1] = 1;
	build(_metadata, &m, KTLSO_HS_SERVER_HELLO, fixed, SH_FIXED_LEN, NULL,
	      SH_SHARE "002b 0002 0304");
	EXPECT_EQ(ILLEGAL, ktlso_server_hello_parse(&sh, &m.msg, OFFERED));
}

TEST(downgrade_sentinel)
{
	uint8_t random[KTLSO_RANDOM_LEN];

	memset(random, 0x11, sizeof(random));
	EXPECT_EQ(0, ktlso_random_downgrade(random));
	memcpy(random + 24, "DOWNGRD\x01", 8);
	EXPECT_EQ(KTLSO_TLS12_VERSION, ktlso_random_downgrade(random));
	memcpy(random + 24, "DOWNGRD\x00", 8);
	EXPECT_EQ(0x0302, ktlso_random_downgrade(random));
	memcpy(random + 24, "DOWNGRD\x02", 8);
	EXPECT_EQ(0, ktlso_random_downgrade(random));
}

struct body_case {
	const char *what;
	uint32_t offered;
	const char *body;
	int want;
};

static const struct body_case ee_cases[] = {
	{ "empty", OFFERED, "0000", OK },
	{ "no vector", OFFERED, "", DECODE },
	{ "ALPN h2", OFFERED, "0009 0010 0005 0003 026832", OK },
	{ "ALPN two names", OFFERED, "000c 0010 0008 0006 026832 026833",
	  DECODE },
	{ "ALPN not offered", OFFERED & ~BIT(ALPN),
	  "0009 0010 0005 0003 026832", UNSUPPORTED },
	{ "key_share", OFFERED, "0028" SH_SHARE, ILLEGAL },
	{ "supported_versions", OFFERED, "0006 002b 0002 0304", ILLEGAL },
	{ "unknown", OFFERED, "0004 fafa 0000", UNSUPPORTED },
	{ "renegotiation_info", OFFERED, "0005 ff01 0001 00", ILLEGAL },
	{ "server_name not empty", OFFERED, "0005 0000 0001 00", DECODE },
	{ "server_name not offered", OFFERED & ~BIT(SERVER_NAME),
	  "0004 0000 0000", UNSUPPORTED },
	{ "early_data accepted", OFFERED, "0004 002a 0000", OK },
	{ "early_data never offered", OFFERED & ~BIT(EARLY_DATA),
	  "0004 002a 0000", UNSUPPORTED },
	{ "record_size_limit 63", OFFERED, "0006 001c 0002 003f", ILLEGAL },
	{ "record_size_limit 3 bytes", OFFERED, "0007 001c 0003 400100",
	  DECODE },
	{ "supported_groups twice", OFFERED, "0010" GROUPS GROUPS, ILLEGAL },
	{ "a length past the end", OFFERED, "0004 000a 0002 001d", DECODE },
	{ "status_request (Certificate only)", OFFERED, "0004 0005 0000",
	  ILLEGAL },
};

TEST(encrypted_extensions_alpn)
{
	struct ktlso_encrypted_extensions ee;
	uint8_t body[64];
	struct test_msg m;
	size_t n = unhex("0009 0010 0005 0003 026832", body, sizeof(body));

	msg_build(_metadata, &m, KTLSO_HS_ENCRYPTED_EXTENSIONS, body, n);
	ASSERT_EQ(0, ktlso_encrypted_extensions_parse(&ee, &m.msg, OFFERED));
	EXPECT_EQ(2U, ee.alpn.len);
	EXPECT_EQ(0, memcmp(ee.alpn.p, "h2", 2));
	EXPECT_EQ(BIT(ALPN), ee.ext.present);
}

static const struct body_case ct_cases[] = {
	{ "one certificate", OFFERED, "00 000007 000002 3000 0000", OK },
	{ "empty list", OFFERED, "00 000000", OK },
	{ "context", OFFERED, "01 aa 000007 000002 3000 0000", OK },
	{ "empty certificate", OFFERED, "00 000005 000000 0000", DECODE },
	{ "OCSP status", OFFERED,
	  "00 000013 000002 3000 000c 0005 0008 01 000004 deadbeef", OK },
	{ "OCSP not requested", OFFERED & ~BIT(STATUS_REQUEST),
	  "00 000013 000002 3000 000c 0005 0008 01 000004 deadbeef",
	  UNSUPPORTED },
	{ "OCSP empty response", OFFERED,
	  "00 00000f 000002 3000 0008 0005 0004 01 000000", DECODE },
	{ "SCT list", OFFERED, "00 00000f 000002 3000 0008 0012 0004 0002 abcd",
	  OK },
	{ "key_share in an entry", OFFERED,
	  "00 00000d 000002 3000 0006 0033 0002 0017", ILLEGAL },
	{ "unknown in an entry", OFFERED, "00 00000b 000002 3000 0004 fafa 0000",
	  UNSUPPORTED },
	{ "entry past the list", OFFERED, "00 000007 000003 3000 0000", DECODE },
	{ "extensions past the entry", OFFERED, "00 000007 000002 3000 0001",
	  DECODE },
	{ "list longer than the message", OFFERED, "00 000008 000002 3000 0000",
	  DECODE },
};

static const struct body_case cr_cases[] = {
	{ "signature_algorithms", 0, "00 0008" SIGALGS, OK },
	{ "context", 0, "02 abcd 0008" SIGALGS, OK },
	{ "no signature_algorithms", 0, "00 000b 002f 0007 0005 0003 300100",
	  MISSING },
	{ "empty extensions", 0, "00 0000", DECODE },
	{ "unknown ignored", 0, "00 000c" SIGALGS "fafa 0000", OK },
	{ "key_share", 0, "00 000e" SIGALGS "0033 0002 0017", ILLEGAL },
	{ "status_request", 0, "00 000c" SIGALGS "0005 0000", OK },
	{ "status_request with a body", 0, "00 000d" SIGALGS "0005 0001 00",
	  DECODE },
	{ "oid_filters", 0, "00 0015" SIGALGS "0030 0009 0007 03 2a0304 0001 ff",
	  OK },
	{ "oid_filters: empty oid", 0, "00 0012" SIGALGS "0030 0006 0004 00 0001 ff",
	  DECODE },
	{ "certificate_authorities", 0, "00 0013" SIGALGS "002f 0007 0005 0003 300100",
	  OK },
	{ "signature_algorithms_cert", 0, "00 0010" SIGALGS "0032 0004 0002 0403",
	  OK },
	{ "signature_algorithms twice", 0, "00 0010" SIGALGS SIGALGS, ILLEGAL },
	{ "signature_algorithms empty", 0, "00 0006 000d 0002 0000", DECODE },
};

static const struct body_case nst_cases[] = {
	{ "plain", 0, "0000001e 00000001 00 0001 aa 0000", OK },
	{ "nonce and early_data", 0,
	  "0000001e 00000001 02 0000 0002 aabb 0008 002a 0004 00000400", OK },
	{ "seven days", 0, "00093a80 00000001 00 0001 aa 0000", OK },
	{ "seven days and a second", 0, "00093a81 00000001 00 0001 aa 0000",
	  ILLEGAL },
	{ "empty ticket", 0, "0000001e 00000001 00 0000 0000", DECODE },
	{ "unknown ignored", 0, "0000001e 00000001 00 0001 aa 0004 fafa 0000",
	  OK },
	{ "key_share", 0, "0000001e 00000001 00 0001 aa 0006 0033 0002 0017",
	  ILLEGAL },
	{ "early_data short", 0,
	  "0000001e 00000001 00 0001 aa 0006 002a 0002 0400", DECODE },
	{ "early_data twice", 0,
	  "0000001e 00000001 00 0001 aa 0010 002a 0004 00000400 002a 0004 00000400",
	  ILLEGAL },
	{ "no extensions vector", 0, "0000001e 00000001 00 0001 aa", DECODE },
};

static const struct body_case cv_cases[] = {
	{ "signature", 0, "0804 0002 abcd", OK },
	{ "empty signature", 0, "0403 0000", OK },
	{ "short", 0, "0804 00", DECODE },
	{ "signature past the end", 0, "0804 0003 abcd", DECODE },
};

static const struct body_case ku_cases[] = {
	{ "update_not_requested", 0, "00", OK },
	{ "update_requested", 0, "01", OK },
	{ "2", 0, "02", ILLEGAL },
	{ "empty", 0, "", DECODE },
	{ "two bytes", 0, "0100", DECODE },
};

static int parse_body(uint8_t type, const struct ktlso_hs_msg *msg,
		      uint32_t offered)
{
	struct ktlso_certificate ct;
	struct ktlso_certificate_request cr;
	struct ktlso_new_session_ticket nst;
	struct ktlso_certificate_verify cv;
	struct ktlso_key_update ku;
	struct ktlso_encrypted_extensions ee;

	switch (type) {
	case KTLSO_HS_ENCRYPTED_EXTENSIONS:
		return ktlso_encrypted_extensions_parse(&ee, msg, offered);
	case KTLSO_HS_CERTIFICATE:
		return ktlso_certificate_parse(&ct, msg, offered);
	case KTLSO_HS_CERTIFICATE_REQUEST:
		return ktlso_certificate_request_parse(&cr, msg);
	case KTLSO_HS_NEW_SESSION_TICKET:
		return ktlso_new_session_ticket_parse(&nst, msg);
	case KTLSO_HS_CERTIFICATE_VERIFY:
		return ktlso_certificate_verify_parse(&cv, msg);
	case KTLSO_HS_KEY_UPDATE:
		return ktlso_key_update_parse(&ku, msg);
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

static void run_body_cases(struct __test_metadata *_metadata, uint8_t type,
			   const struct body_case *cases, size_t n_cases)
{
	uint8_t body[512];
	struct test_msg m;
	size_t i, n;

	for (i = 0; i < n_cases; i++) {
		n = unhex(cases[i].body, body, sizeof(body));
		ASSERT_LE(n, sizeof(body));
		msg_build(_metadata, &m, type, body, n);
		EXPECT_EQ(cases[i].want, parse_body(type, &m.msg,
						    cases[i].offered))
			TH_LOG("type %u: %s", type, cases[i].what);
	}
}

TEST(encrypted_extensions_cases)
{
	run_body_cases(_metadata, KTLSO_HS_ENCRYPTED_EXTENSIONS, ee_cases,
		       ARRAY_SIZE(ee_cases));
}

TEST(certificate_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CERTIFICATE, ct_cases,
		       ARRAY_SIZE(ct_cases));
}

TEST(certificate_request_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CERTIFICATE_REQUEST, cr_cases,
		       ARRAY_SIZE(cr_cases));
}

TEST(new_session_ticket_cases)
{
	run_body_cases(_metadata, KTLSO_HS_NEW_SESSION_TICKET, nst_cases,
		       ARRAY_SIZE(nst_cases));
}

TEST(certificate_verify_cases)
{
	run_body_cases(_metadata, KTLSO_HS_CERTIFICATE_VERIFY, cv_cases,
		       ARRAY_SIZE(cv_cases));
}

TEST(key_update_cases)
{
	run_body_cases(_metadata, KTLSO_HS_KEY_UPDATE, ku_cases,
		       ARRAY_SIZE(ku_cases));
}

TEST(extension_codes)
{
	int e;

	for (e = 0; e < KTLSO_EXT_COUNT; e++)
		EXPECT_EQ(e, ktlso_ext_from_code((uint16_t)ktlso_ext_code(e)));
	EXPECT_EQ(0, ktlso_ext_code(KTLSO_EXT_SERVER_NAME));
	EXPECT_EQ(41, ktlso_ext_code(KTLSO_EXT_PRE_SHARED_KEY));
	EXPECT_EQ(0xff01, ktlso_ext_code(KTLSO_EXT_RENEGOTIATION_INFO));
	EXPECT_EQ(-1, ktlso_ext_code(KTLSO_EXT_COUNT));
	EXPECT_EQ(-1, ktlso_ext_from_code(0xfafa));
}

TEST_HARNESS_MAIN
