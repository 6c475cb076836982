// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-httpd: the status line and header fields of a response (RFC 9110,
 * RFC 9112 section 4): always HTTP/1.1, with Date, Server, Content-Length
 * and Connection, and Allow on 405.
 */
#include <inttypes.h>
#include <stdio.h>

#include "http.h"
#include "response.h"

/* IMF-fixdate (RFC 9110 section 5.6.7), whatever the locale. */
static void http_date(time_t t, char *buf, size_t cap)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/**
 * http_format_head() - write a response head
 * @buf: where to
 * @cap: bytes there (HTTP_HEAD_MAX always suffices)
 * @r: what to say
 * @now: the Date to send
 *
 * Return: the head's length, or -1 if it did not fit.
 */
int http_format_head(char *buf, size_t cap, const struct http_response *r,
		     time_t now)
{
	char date[40], modified[40];
	int n;

	http_date(now, date, sizeof(date));
	n = snprintf(buf, cap,
		     "HTTP/1.1 %d %s\r\n"
		     "Date: %s\r\n"
		     "Server: ktlso-httpd\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %" PRIu64 "\r\n",
		     r->status, http_reason(r->status), date,
		     r->content_type ? r->content_type :
				       "text/plain; charset=utf-8",
		     r->content_length);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	if (r->last_modified) {
		http_date(r->last_modified, modified, sizeof(modified));
		n += snprintf(buf + n, cap - (size_t)n,
			      "Last-Modified: %s\r\n", modified);
	}
	if ((size_t)n < cap && r->status == 405)
		n += snprintf(buf + n, cap - (size_t)n, "Allow: GET, HEAD\r\n");
	if ((size_t)n < cap && r->location)
		n += snprintf(buf + n, cap - (size_t)n, "Location: %s\r\n",
			      r->location);
	if ((size_t)n < cap) {
		if (!r->keep_alive)
			n += snprintf(buf + n, cap - (size_t)n,
				      "Connection: close\r\n");
		else if (r->announce_keep_alive)
			n += snprintf(buf + n, cap - (size_t)n,
				      "Connection: keep-alive\r\n");
	}
	if ((size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, "\r\n");
	if ((size_t)n >= cap)
		return -1;
	return n;
}
