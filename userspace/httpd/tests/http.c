// SPDX-License-Identifier: GPL-2.0
/*
 * The request-head parser: request lines, fields, the keep-alive rules of
 * HTTP/1.0 and 1.1 and the Connection field, incomplete input at every
 * length, the size bounds, and malformed input of each kind with the
 * status it earns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "httpd/http.h"

static int parse(const char *s, struct http_request *req)
{
	return http_parse_request(s, strlen(s), req);
}

TEST(simple_get)
{
	static const char in[] = "GET /index.html?x=1 HTTP/1.1\r\n"
				 "Host: example.com\r\n"
				 "User-Agent: test\r\n\r\n";
	struct http_request req;

	ASSERT_EQ((int)strlen(in), parse(in, &req));
	EXPECT_EQ(HTTP_GET, (int)req.method);
	ASSERT_EQ(3U, req.method_len);
	EXPECT_EQ(0, memcmp("GET", req.method_str, 3));
	ASSERT_EQ(15U, req.target_len);
	EXPECT_EQ(0, memcmp("/index.html?x=1", req.target, 15));
	EXPECT_EQ(1, req.minor);
	EXPECT_TRUE(req.keep_alive);
	EXPECT_EQ(0U, req.content_length);
	EXPECT_EQ(strlen(in), req.head_len);
}

TEST(head_and_other_methods)
{
	struct http_request req;

	ASSERT_LT(0, parse("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", &req));
	EXPECT_EQ(HTTP_HEAD, (int)req.method);
	ASSERT_LT(0, parse("POST / HTTP/1.1\r\nHost: a\r\n\r\n", &req));
	EXPECT_EQ(HTTP_OTHER, (int)req.method);
	/* Methods are case-sensitive: "get" is some other method. */
	ASSERT_LT(0, parse("get / HTTP/1.1\r\nHost: a\r\n\r\n", &req));
	EXPECT_EQ(HTTP_OTHER, (int)req.method);
	ASSERT_LT(0, parse("GETX / HTTP/1.1\r\nHost: a\r\n\r\n", &req));
	EXPECT_EQ(HTTP_OTHER, (int)req.method);
}

/* Only what precedes the blank line is the head; the rest is left. */
TEST(pipelined_requests)
{
	static const char in[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
				 "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request req;
	int n;

	n = parse(in, &req);
	ASSERT_EQ((int)strlen(in) / 2, n);
	EXPECT_EQ(0, memcmp("/a", req.target, 2));
	ASSERT_EQ(n, parse(in + n, &req));
	EXPECT_EQ(0, memcmp("/b", req.target, 2));
}

TEST(leading_empty_lines_skipped)
{
	static const char in[] = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request req;

	ASSERT_EQ((int)strlen(in), parse(in, &req));
	EXPECT_EQ(1U, req.target_len);
	/* Empty lines alone: wait for the request. */
	EXPECT_EQ(0, parse("\r\n\r\n\r\n", &req));
}

/* Every proper prefix of a valid head needs more bytes, none is an error. */
TEST(incomplete_at_every_length)
{
	static const char in[] = "GET /x HTTP/1.1\r\nHost: h\r\n"
				 "Connection: keep-alive\r\n\r\n";
	struct http_request req;
	size_t i;

	for (i = 0; i < strlen(in); i++)
		EXPECT_EQ(0, http_parse_request(in, i, &req)) {
			TH_LOG("prefix of %zu bytes", i);
		}
	EXPECT_EQ((int)strlen(in), http_parse_request(in, strlen(in), &req));
}

struct ka_case {
	const char *version;
	const char *connection;		/* NULL: no Connection field */
	bool keep_alive;
};

TEST(keep_alive_rules)
{
	static const struct ka_case cases[] = {
		{ "HTTP/1.1", NULL, true },
		{ "HTTP/1.1", "close", false },
		{ "HTTP/1.1", "Close", false },
		{ "HTTP/1.1", "keep-alive", true },
		{ "HTTP/1.1", "keep-alive, close", false },
		{ "HTTP/1.1", "Upgrade,  CLOSE ", false },
		{ "HTTP/1.1", "closed", true },
		{ "HTTP/1.0", NULL, false },
		{ "HTTP/1.0", "keep-alive", true },
		{ "HTTP/1.0", "Keep-Alive", true },
		{ "HTTP/1.0", "foo, keep-alive", true },
		{ "HTTP/1.0", "keep-alive, close", false },
		{ "HTTP/1.0", "close", false },
		/* A later 1.x is treated as 1.1. */
		{ "HTTP/1.2", NULL, true },
	};
	struct http_request req;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ka_case *c = &cases[i];

		snprintf(buf, sizeof(buf), "GET / %s\r\nHost: h\r\n%s%s%s\r\n",
			 c->version, c->connection ? "Connection: " : "",
			 c->connection ? c->connection : "",
			 c->connection ? "\r\n" : "");
		ASSERT_LT(0, parse(buf, &req)) {
			TH_LOG("%s", buf);
		}
		EXPECT_EQ(c->keep_alive, req.keep_alive) {
			TH_LOG("%s / %s", c->version,
			       c->connection ? c->connection : "-");
		}
	}
}

TEST(two_connection_fields_combine)
{
	struct http_request req;

	ASSERT_LT(0, parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
			   "Connection: close\r\n\r\n", &req));
	EXPECT_FALSE(req.keep_alive);
}

TEST(http10_without_host)
{
	struct http_request req;

	ASSERT_LT(0, parse("GET / HTTP/1.0\r\n\r\n", &req));
	EXPECT_EQ(0, req.minor);
	EXPECT_FALSE(req.keep_alive);
}

TEST(field_whitespace_and_case)
{
	struct http_request req;

	ASSERT_LT(0, parse("GET / HTTP/1.1\r\nhOsT:h\r\n"
			   "content-length: \t 12 \t\r\n\r\n", &req));
	EXPECT_EQ(12U, req.content_length);
	ASSERT_LT(0, parse("GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\n"
			   "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
			   &req));
	EXPECT_EQ(5U, req.content_length);
	/* obs-text in a value is taken. */
	ASSERT_LT(0, parse("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n",
			   &req));
}

struct bad_case {
	const char *in;
	int status;
};

TEST(malformed_heads)
{
	static const struct bad_case cases[] = {
		/* request line */
		{ "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ " GET / HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", -400 },
		{ "GET /\r\nHost: h\r\n\r\n", -400 },
		{ "GET\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\n", 0 },
		{ "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET /\xff HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET / HTTP/1.x\r\nHost: h\r\n\r\n", -400 },
		{ "GET / HTTP/11\r\nHost: h\r\n\r\n", -400 },
		{ "GET / http/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET / HTTP/1.10\r\nHost: h\r\n\r\n", -400 },
		{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", -505 },
		{ "GET / HTTP/0.9\r\nHost: h\r\n\r\n", -505 },
		/* line ends */
		{ "GET / HTTP/1.1\nHost: h\n\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\n\r\n", -400 },
		{ "GET / HTTP/1.1\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", -400 },
		/* fields */
		{ "GET / HTTP/1.1\r\nHost : h\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fz\r\n\r\n", -400 },
		/* Host: exactly once in 1.1, at most once in 1.0 */
		{ "GET / HTTP/1.1\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400 },
		{ "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", -400 },
		/* bodies */
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		  "Content-Length: 2\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1,1\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", -501 },
	};
	struct http_request req;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;

		EXPECT_EQ(cases[i].status, parse(in, &req)) {
			TH_LOG("case %zu: %.40s", i, in ? in : "");
		}
	}
}

/* A NUL anywhere in the head is refused, even before the head ends. */
TEST(nul_bytes)
{
	static const char in[] = "GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request req;

	EXPECT_EQ(-400, http_parse_request(in, sizeof(in) - 1, &req));
	EXPECT_EQ(-400, http_parse_request(in, 8, &req));
}

/*
 * The 8 KiB bound: a head that fits exactly is taken; one more byte
 * before the blank line is 431, however much more arrives.
 */
TEST(head_size_bound)
{
	static const char start[] = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
	size_t fill = HTTP_MAX_HEAD - strlen(start) - 4;
	char *buf = malloc(HTTP_MAX_HEAD + 100);
	struct http_request req;

	ASSERT_NE(NULL, buf);
	strcpy(buf, start);
	memset(buf + strlen(start), 'v', fill);
	memcpy(buf + strlen(start) + fill, "\r\n\r\n", 4);
	EXPECT_EQ(HTTP_MAX_HEAD, http_parse_request(buf, HTTP_MAX_HEAD, &req));

	memset(buf + strlen(start), 'v', fill + 1);
	memcpy(buf + strlen(start) + fill + 1, "\r\n\r\n", 4);
	EXPECT_EQ(0, http_parse_request(buf, HTTP_MAX_HEAD - 1, &req));
	EXPECT_EQ(-431, http_parse_request(buf, HTTP_MAX_HEAD, &req));
	EXPECT_EQ(-431, http_parse_request(buf, HTTP_MAX_HEAD + 5, &req));
	free(buf);
}

TEST(field_count_bound)
{
	char *buf = malloc(HTTP_MAX_HEAD);
	struct http_request req;
	size_t n;
	int i;

	ASSERT_NE(NULL, buf);
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (i = 1; i < HTTP_MAX_FIELDS; i++)
		n += (size_t)sprintf(buf + n, "X%d: 1\r\n", i);
	strcpy(buf + n, "\r\n");
	EXPECT_LT(0, parse(buf, &req));
	strcpy(buf + n, "Y: 2\r\n\r\n");
	EXPECT_EQ(-431, parse(buf, &req));
	free(buf);
}

TEST(reasons)
{
	EXPECT_STREQ("OK", http_reason(200));
	EXPECT_STREQ("Not Found", http_reason(404));
	EXPECT_STREQ("Method Not Allowed", http_reason(405));
	EXPECT_STREQ("Request Header Fields Too Large", http_reason(431));
	EXPECT_STREQ("Unknown", http_reason(299));
}

TEST_HARNESS_MAIN
