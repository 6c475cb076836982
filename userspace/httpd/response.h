/* SPDX-License-Identifier: GPL-2.0 */
/* ktlso-httpd: response heads. */
#ifndef KTLSO_HTTPD_RESPONSE_H
#define KTLSO_HTTPD_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Room for any head http_format_head() writes. */
#define HTTP_HEAD_MAX	(512 + 2048)

/**
 * struct http_response - what a response head says
 * @status: the status code
 * @keep_alive: the connection stays open afterwards
 * @announce_keep_alive: say "Connection: keep-alive" (HTTP/1.0 clients)
 * @content_type: the media type, or NULL for text/plain
 * @content_length: the body's length (sent or, for HEAD, not)
 * @last_modified: the file's mtime, 0 for none
 * @location: for 301, the new path; else NULL
 */
struct http_response {
	int status;
	bool keep_alive;
	bool announce_keep_alive;
	const char *content_type;
	uint64_t content_length;
	time_t last_modified;
	const char *location;
};

int http_format_head(char *buf, size_t cap, const struct http_response *r,
		     time_t now);

#endif /* KTLSO_HTTPD_RESPONSE_H */
