// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-httpd: the request loop of one connection.
 *
 * Requests are read into one HTTP_MAX_HEAD buffer; what follows a head
 * (a pipelined request) stays for the next round.  A body of a GET or HEAD
 * (or of a refused method) is read and dropped, up to HTTP_MAX_BODY.
 * Files go out with sendfile(2), which the kernel record layer seals as it
 * sends; the head goes first with MSG_MORE so that both share records.
 *
 * Reads go through ktlso_recv(), which tells the client's close_notify
 * from a connection cut without one and from a fatal alert.  Between
 * requests either end is a normal one (HTTP framed every response);
 * inside a request a cut is an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ktlso/ktlso.h>

#include "conn.h"
#include "http.h"
#include "mime.h"
#include "path.h"
#include "response.h"

/* The most sendfile(2) moves per call. */
#define SENDFILE_CHUNK		(1u << 30)

struct conn {
	const struct http_server *srv;
	int fd;
	const char *peer;
	struct timeval idle;		/* the socket's SO_RCVTIMEO */
	uint64_t deadline_ms;		/* the request's; 0: none begun */
	size_t len;			/* bytes in buf */
	char buf[HTTP_MAX_HEAD];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A request's first byte is here: its deadline starts. */
static void request_begins(struct conn *c)
{
	if (c->srv->request_ms && !c->deadline_ms)
		c->deadline_ms = now_ms() + c->srv->request_ms;
}

/*
 * Wait no longer than the request's deadline: SO_RCVTIMEO is the idle
 * timeout or what is left of the deadline, the shorter.  Return: 0, or
 * -ETIMEDOUT once the deadline has passed.
 */
static int wait_bound(struct conn *c)
{
	uint64_t now, left_ms, idle_ms;
	struct timeval tv = c->idle;

	if (!c->deadline_ms)
		return 0;
	now = now_ms();
	if (now >= c->deadline_ms)
		return -ETIMEDOUT;
	left_ms = c->deadline_ms - now;
	idle_ms = (uint64_t)c->idle.tv_sec * 1000 +
		  (uint64_t)c->idle.tv_usec / 1000;
	if (!idle_ms || left_ms < idle_ms) {
		tv.tv_sec = (time_t)(left_ms / 1000);
		tv.tv_usec = (suseconds_t)(left_ms % 1000) * 1000;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

/*
 * Read more into the buffer.  Return: bytes read; 0 after the client's
 * close_notify; -EPIPE when the connection ended without one; -errno
 * (-EAGAIN: the idle timeout, -ETIMEDOUT: the request's deadline,
 * -ECONNREFUSED: a fatal alert, logged with its name).
 */
static ssize_t conn_recv(struct conn *c)
{
	struct ktlso_alert_msg alert;
	ssize_t n;
	int err;

	do {
		err = wait_bound(c);
		if (err)
			return err;
		n = ktlso_recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
			       0, &alert);
	} while (n == -EINTR);
	if (n == -EAGAIN && wait_bound(c))
		return -ETIMEDOUT;
	if (n == -ECONNREFUSED)
		fprintf(stderr, "%s: alert %s from the client\n", c->peer,
			ktlso_alert_name(alert.desc));
	if (n <= 0)
		return n;
	request_begins(c);
	c->len += (size_t)n;
	return n;
}

static int send_all(int fd, const void *buf, size_t len, int flags)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, flags | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* All @size bytes of @file; a file that shrank meanwhile is -EIO. */
static int sendfile_all(int fd, int file, uint64_t size)
{
	off_t off = 0;

	while ((uint64_t)off < size) {
		uint64_t left = size - (uint64_t)off;
		ssize_t n = sendfile(fd, file, &off,
				     left < SENDFILE_CHUNK ? left :
							     SENDFILE_CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
	}
	return 0;
}

static void log_request(const struct conn *c, const struct http_request *req,
			int status, uint64_t bytes)
{
	if (!c->srv->log)
		return;
	if (req)
		fprintf(c->srv->log,
			"%s \"%.*s %.*s HTTP/1.%d\" %d %" PRIu64 "\n", c->peer, (int)req->method_len, req->method_str,
			(int)req->target_len, req->target, req->minor, status,
			bytes);
	else
		fprintf(c->srv->log, "%s (malformed request) %d\n", c->peer,
			status);
}

/*
 * A response without a file: the status as a line of text (no body for
 * HEAD).  Return: 0, or -errno of the send.
 */
static int send_status(struct conn *c, const struct http_request *req,
		       int status, bool keep_alive, const char *location)
{
	char head[HTTP_HEAD_MAX], body[64];
	struct http_response r = {
		.status = status,
		.keep_alive = keep_alive,
		.announce_keep_alive = keep_alive && req && req->minor == 0,
		.location = location,
	};
	bool with_body = !req || req->method != HTTP_HEAD;
	int hlen, blen, err;

	blen = snprintf(body, sizeof(body), "%d %s\n", status,
			http_reason(status));
	r.content_length = (uint64_t)blen;
	hlen = http_format_head(head, sizeof(head), &r, time(NULL));
	if (hlen < 0)
		return -EMSGSIZE;
	log_request(c, req, status, with_body ? (uint64_t)blen : 0);
	if (!with_body)
		return send_all(c->fd, head, (size_t)hlen, 0);
	err = send_all(c->fd, head, (size_t)hlen, MSG_MORE);
	if (err)
		return err;
	return send_all(c->fd, body, (size_t)blen, 0);
}

static int send_file(struct conn *c, const struct http_request *req,
		     const char *name, int file, const struct stat *st)
{
	char head[HTTP_HEAD_MAX];
	struct http_response r = {
		.status = 200,
		.keep_alive = req->keep_alive,
		.announce_keep_alive = req->keep_alive && req->minor == 0,
		.content_type = http_content_type(name),
		.content_length = (uint64_t)st->st_size,
		.last_modified = st->st_mtime,
	};
	bool body = req->method == HTTP_GET && st->st_size > 0;
	int hlen, err;

	hlen = http_format_head(head, sizeof(head), &r, time(NULL));
	if (hlen < 0)
		return -EMSGSIZE;
	log_request(c, req, 200, body ? (uint64_t)st->st_size : 0);
	err = send_all(c->fd, head, (size_t)hlen, body ? MSG_MORE : 0);
	if (err || !body)
		return err;
	return sendfile_all(c->fd, file, (uint64_t)st->st_size);
}

/* Drop @n bytes from the front of the buffer. */
static void consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Read and drop a request body of @len bytes.  Return: 0 or -errno. */
static int discard_body(struct conn *c, uint64_t len)
{
	while (len) {
		size_t n;

		if (c->len == 0) {
			ssize_t r = conn_recv(c);

			if (r <= 0)
				return r ? (int)r : -ECONNRESET;
		}
		n = c->len < len ? c->len : (size_t)len;
		consume(c, n);
		len -= n;
	}
	return 0;
}

/* The status of a refusal, and whether the connection survives it. */
static int refuse(struct conn *c, const struct http_request *req, int status,
		  bool keep)
{
	int err = send_status(c, req, status, keep, NULL);

	return err ? err : keep;
}

/*
 * Answer one parsed request.  Return: 1 to go on with the connection, 0
 * to close it, -errno when sending failed.
 */
static int handle(struct conn *c, const struct http_request *req)
{
	char path[HTTP_MAX_PATH + 1], location[3 * HTTP_MAX_PATH + 4];
	bool slash, index;
	struct stat st;
	int file, err;

	if (req->method == HTTP_OTHER)
		return refuse(c, req, 405, req->keep_alive);
	err = http_target_path(req->target, req->target_len, path,
			       sizeof(path), &slash);
	/* Malformed targets close the connection; hidden names do not. */
	if (err)
		return refuse(c, req, -err, err == -404 && req->keep_alive);
	file = http_open_below(c->srv->rootfd, path, slash, &st, &index);
	if (file == -301) {
		if (!http_path_encode(path, location, sizeof(location)))
			return refuse(c, req, 414, false);
		err = send_status(c, req, 301, req->keep_alive, location);
		return err ? err : req->keep_alive;
	}
	if (file < 0)
		return refuse(c, req, -file, file != -500 && req->keep_alive);
	err = send_file(c, req, index ? "index.html" : path, file, &st);
	close(file);
	return err ? err : req->keep_alive;
}

int http_serve_conn(const struct http_server *srv, int fd, const char *peer)
{
	struct conn *c = calloc(1, sizeof(*c));
	socklen_t tvlen = sizeof(c->idle);
	struct http_request req;
	int served = 0, n, ret;

	if (!c)
		return -ENOMEM;
	c->srv = srv;
	c->fd = fd;
	c->peer = peer;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &c->idle, &tvlen))
		memset(&c->idle, 0, sizeof(c->idle));
	for (;;) {
		n = http_parse_request(c->buf, c->len, &req);
		if (n == 0) {
			ssize_t r = conn_recv(c);

			if (r > 0)
				continue;
			if (c->len == 0 &&
			    (r == 0 || r == -EPIPE || r == -EAGAIN)) {
				ret = served;
			} else if (r == -EAGAIN || r == -ETIMEDOUT) {
				send_status(c, NULL, 408, false, NULL);
				ret = (int)r;
			} else {
				ret = r ? (int)r : -ECONNRESET;
			}
			break;
		}
		if (n < 0) {
			send_status(c, NULL, -n, false, NULL);
			ret = served;
			break;
		}
		if (req.content_length > HTTP_MAX_BODY) {
			send_status(c, &req, 413, false, NULL);
			ret = served;
			break;
		}
		/* The head's bytes stay put while the request is answered. */
		ret = handle(c, &req);
		served++;
		if (ret <= 0) {
			ret = ret ? ret : served;
			break;
		}
		consume(c, req.head_len);
		ret = discard_body(c, req.content_length);
		if (ret)
			break;
		/* The next request's clock starts with its first byte. */
		c->deadline_ms = 0;
		if (c->len)
			request_begins(c);
	}
	free(c);
	return ret;
}
