// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for ktlso-httpd's request-head parser and target
 * decoder.  Beyond the sanitizers it checks the parser's promises: a head
 * lies inside the input and at most HTTP_MAX_HEAD long, its strings point
 * into it, a head parses the same when cut to its own length and needs more
 * bytes when cut shorter; and a decoded path has no "." or ".." segment,
 * no empty segment, no leading or trailing '/', and no control byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpd/http.h"
#include "httpd/path.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *target, size_t len)
{
	char out[HTTP_MAX_PATH + 1];
	const char *seg;
	bool slash;
	size_t n, i;

	if (http_target_path(target, len, out, sizeof(out), &slash))
		return;
	n = strlen(out);
	CHECK(n <= HTTP_MAX_PATH);
	if (n == 0)
		return;
	CHECK(out[0] != '/' && out[n - 1] != '/');
	for (i = 0; i < n; i++)
		CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	for (seg = out;; seg += strcspn(seg, "/") + 1) {
		CHECK(strcspn(seg, "/") > 0);
		CHECK(seg[0] != '.');
		if (!strchr(seg, '/'))
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request req, again;
	int n;

	n = http_parse_request(buf, size, &req);
	CHECK(n == 0 || n == -400 || n == -431 || n == -501 || n == -505 ||
	      n > 0);
	if (n <= 0)
		return 0;
	CHECK((size_t)n == req.head_len && (size_t)n <= size &&
	      n <= HTTP_MAX_HEAD);
	CHECK(req.method_str >= buf && req.method_str + req.method_len <= buf + n);
	CHECK(req.target >= buf && req.target + req.target_len <= buf + n);
	CHECK(req.minor == 0 || req.minor == 1);
	CHECK(req.content_length < 1000000000000000ULL);

	CHECK(http_parse_request(buf, (size_t)n, &again) == n);
	CHECK(again.keep_alive == req.keep_alive && again.method == req.method);
	CHECK(http_parse_request(buf, (size_t)n - 1, &again) == 0);

	check_path(req.target, req.target_len);
	return 0;
}
