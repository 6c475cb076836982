// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-httpd: the request-head parser (RFC 9112 sections 2 to 6 and RFC
 * 9110 section 5), strict where leniency invites request smuggling: CRLF
 * line ends only, one space between the request line's parts, no
 * whitespace before a field's colon, no obsolete line folding, no control
 * bytes, a Host field exactly once in HTTP/1.1, Content-Length digits
 * only and never two different ones, Transfer-Encoding refused.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

/* A cursor over the head: the bytes before the blank line. */
struct cursor {
	const char *p;
	const char *end;
};

/* tchar of RFC 9110 section 5.6.2. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* A field value byte: VCHAR, obs-text, SP or HTAB. */
static bool is_value_char(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

/*
 * Before the head is complete: a byte that can never be part of a valid
 * head (NUL, or LF without CR before it) makes waiting for more useless.
 */
static bool hopeless(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\0')
			return true;
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			return true;
	}
	return false;
}

/* The next line, without its CRLF; false at the end of the head. */
static bool next_line(struct cursor *c, const char **line, size_t *len)
{
	const char *eol;

	if (c->p >= c->end)
		return false;
	eol = memmem(c->p, (size_t)(c->end - c->p), "\r\n", 2);
	if (!eol)
		eol = c->end;	/* the last line ends at the blank line */
	*line = c->p;
	*len = (size_t)(eol - c->p);
	c->p = eol + (eol < c->end ? 2 : 0);
	return true;
}

/* "HTTP/" DIGIT "." DIGIT; 0, -400 or -505. */
static int parse_version(const char *v, size_t len, int *minor)
{
	if (len != 8 || memcmp(v, "HTTP/", 5) || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return -400;
	if (v[5] != '1')
		return -505;
	*minor = v[7] == '0' ? 0 : 1;
	return 0;
}

static int parse_request_line(const char *line, size_t len,
			      struct http_request *req)
{
	const char *sp1, *sp2, *end = line + len;
	size_t i;

	sp1 = memchr(line, ' ', len);
	if (!sp1 || sp1 == line)
		return -400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1)
		return -400;

	req->method_str = line;
	req->method_len = (size_t)(sp1 - line);
	for (i = 0; i < req->method_len; i++)
		if (!is_tchar((unsigned char)line[i]))
			return -400;
	req->target = sp1 + 1;
	req->target_len = (size_t)(sp2 - sp1 - 1);
	for (i = 0; i < req->target_len; i++) {
		unsigned char c = (unsigned char)req->target[i];

		if (c <= ' ' || c >= 0x7f)
			return -400;
	}
	if (req->method_len == 3 && !memcmp(line, "GET", 3))
		req->method = HTTP_GET;
	else if (req->method_len == 4 && !memcmp(line, "HEAD", 4))
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	return parse_version(sp2 + 1, (size_t)(end - sp2 - 1), &req->minor);
}

/* Does the comma-separated list @v (@len bytes) hold token @tok? */
static bool list_has(const char *v, size_t len, const char *tok)
{
	size_t tlen = strlen(tok);

	while (len) {
		const char *comma = memchr(v, ',', len);
		size_t n = comma ? (size_t)(comma - v) : len;
		const char *s = v, *e = v + n;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == tlen && !strncasecmp(s, tok, tlen))
			return true;
		if (!comma)
			break;
		len -= n + 1;
		v = comma + 1;
	}
	return false;
}

/* Content-Length: 1*DIGIT; 15 digits at most, so that it cannot overflow. */
static int parse_length(const char *v, size_t len, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0 || len > 15)
		return -400;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -400;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return 0;
}

struct fields {
	int n;
	int hosts;
	bool close, keep_alive, has_length, chunked;
	uint64_t length;
};

static int parse_field(const char *line, size_t len, struct fields *f)
{
	const char *colon = memchr(line, ':', len), *v, *e;
	size_t name_len, i;
	uint64_t length;

	if (++f->n > HTTP_MAX_FIELDS)
		return -431;
	/* obs-fold, or whitespace where a name should be */
	if (!colon || colon == line)
		return -400;
	name_len = (size_t)(colon - line);
	for (i = 0; i < name_len; i++)
		if (!is_tchar((unsigned char)line[i]))
			return -400;
	v = colon + 1;
	e = line + len;
	for (i = 0; v + i < e; i++)
		if (!is_value_char((unsigned char)v[i]))
			return -400;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;

#define IS(name) (name_len == sizeof(name) - 1 && \
		  !strncasecmp(line, name, sizeof(name) - 1))
	if (IS("Host")) {
		f->hosts++;
	} else if (IS("Connection")) {
		f->close |= list_has(v, (size_t)(e - v), "close");
		f->keep_alive |= list_has(v, (size_t)(e - v), "keep-alive");
	} else if (IS("Content-Length")) {
		if (parse_length(v, (size_t)(e - v), &length))
			return -400;
		if (f->has_length && length != f->length)
			return -400;
		f->has_length = true;
		f->length = length;
	} else if (IS("Transfer-Encoding")) {
		f->chunked = true;
	}
#undef IS
	return 0;
}

/**
 * http_parse_request() - parse one request head at the start of @buf
 * @buf: the bytes received so far
 * @len: how many
 * @req: filled in when the head is whole
 *
 * Empty lines before the request line are skipped (RFC 9112 section 2.2).
 * Only the first HTTP_MAX_HEAD bytes are looked at.
 *
 * Return: the head's length when it is whole and valid; 0 when more bytes
 * are needed; -400 for a malformed head, -431 for one over HTTP_MAX_HEAD
 * bytes or HTTP_MAX_FIELDS fields, -501 for a Transfer-Encoding, -505 for
 * an HTTP major version other than 1.  On a negative return the caller
 * answers with that status and closes the connection.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	struct fields f = { 0 };
	struct cursor c;
	const char *line, *blank;
	size_t skip = 0, line_len, head_end;
	int err;

	memset(req, 0, sizeof(*req));
	if (len > HTTP_MAX_HEAD)
		len = HTTP_MAX_HEAD;
	while (skip + 2 <= len && buf[skip] == '\r' && buf[skip + 1] == '\n')
		skip += 2;
	blank = memmem(buf + skip, len - skip, "\r\n\r\n", 4);
	if (!blank) {
		if (hopeless(buf + skip, len - skip))
			return -400;
		return len == HTTP_MAX_HEAD ? -431 : 0;
	}
	head_end = (size_t)(blank - buf) + 4;
	if (hopeless(buf + skip, head_end - skip))
		return -400;

	c.p = buf + skip;
	c.end = blank;
	if (!next_line(&c, &line, &line_len))
		return -400;
	err = parse_request_line(line, line_len, req);
	if (err)
		return err;
	while (next_line(&c, &line, &line_len)) {
		err = parse_field(line, line_len, &f);
		if (err)
			return err;
	}

	if (f.chunked)
		return -501;
	if (f.hosts > 1 || (req->minor >= 1 && f.hosts != 1))
		return -400;
	req->content_length = f.has_length ? f.length : 0;
	if (req->minor >= 1)
		req->keep_alive = !f.close;
	else
		req->keep_alive = f.keep_alive && !f.close;
	req->head_len = head_end;
	return (int)head_end;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
