/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-httpd: HTTP/1.1 request heads (RFC 9112), parsed in place and
 * bounded, and the rules the server keeps by them.
 *
 *	struct http_request req;
 *	int n = http_parse_request(buf, len, &req);
 *	n > 0: a whole head of n bytes; 0: read more; < 0: answer -n, close
 */
#ifndef KTLSO_HTTPD_HTTP_H
#define KTLSO_HTTPD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest request head taken, request line and fields together. */
#define HTTP_MAX_HEAD		8192
/* The most header fields in one request. */
#define HTTP_MAX_FIELDS		100
/* The largest Content-Length taken (GET and HEAD bodies are discarded). */
#define HTTP_MAX_BODY		65536

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER,		/* any other token: 405 */
};

/**
 * struct http_request - a parsed request head; strings point into the
 *	buffer given to http_parse_request() and are not NUL-terminated
 * @method: GET, HEAD or another
 * @method_str: the method as sent
 * @method_len: its length
 * @target: the request-target as sent (printable ASCII, no spaces)
 * @target_len: its length
 * @minor: 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x)
 * @keep_alive: whether the connection stays open after the response, by
 *	the version's default and the Connection field
 * @content_length: the body's length (0 without Content-Length)
 * @head_len: bytes of the head, empty lines before it and the blank line
 *	that ends it included
 */
struct http_request {
	enum http_method method;
	const char *method_str;
	size_t method_len;
	const char *target;
	size_t target_len;
	int minor;
	bool keep_alive;
	uint64_t content_length;
	size_t head_len;
};

int http_parse_request(const char *buf, size_t len, struct http_request *req);

/* The reason phrase of a status code the server sends. */
const char *http_reason(int status);

#endif /* KTLSO_HTTPD_HTTP_H */
