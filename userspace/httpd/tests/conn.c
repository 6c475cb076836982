// SPDX-License-Identifier: GPL-2.0
/*
 * The request loop of one connection, end to end over a socketpair (the
 * TLS record layer is the kernel's business; what goes through it is
 * exactly this): GET and HEAD with keep-alive, pipelining, a slow client,
 * a large file through sendfile, an empty file, 404, 405 with a body
 * skipped, 301 for a directory, 400/431/413/505 closing the connection,
 * HTTP/1.0 rules, the idle timeout (408 mid-request, silence between
 * requests), a half request then EOF, and the log lines.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "httpd/conn.h"

#define BIG_LEN		(300 * 1024 + 17)

struct reply {
	int status;
	long length;		/* Content-Length, -1 without */
	char head[4096];
	char *body;
};

FIXTURE(conn) {
	char dir[64];
	struct http_server srv;
	char *log;
	size_t log_len;
	int sv[2];
	pthread_t thread;
	bool running;
	int served;
	unsigned char *big;
};

static void *server_main(void *arg)
{
	FIXTURE_DATA(conn) *self = arg;

	self->served = http_serve_conn(&self->srv, self->sv[1], "peer");
	/* As the server does: close when the loop ends. */
	shutdown(self->sv[1], SHUT_RDWR);
	return NULL;
}

static void put(struct __test_metadata *_metadata, const char *dir,
		const char *name, const void *data, size_t len)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)len, write(fd, data, len));
	close(fd);
}

FIXTURE_SETUP(conn)
{
	struct timeval tv = { .tv_sec = 5 };
	char p[256];
	size_t i;

	strcpy(self->dir, "/tmp/ktlso-httpd-conn.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	put(_metadata, self->dir, "index.html", "<p>hi</p>\n", 10);
	put(_metadata, self->dir, "a.txt", "hello\n", 6);
	put(_metadata, self->dir, "empty.txt", "", 0);
	self->big = malloc(BIG_LEN);
	ASSERT_NE(NULL, self->big);
	for (i = 0; i < BIG_LEN; i++)
		self->big[i] = (unsigned char)(i * 7 + i / 251);
	put(_metadata, self->dir, "big.bin", self->big, BIG_LEN);
	snprintf(p, sizeof(p), "%s/sub", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));

	self->srv.rootfd = open(self->dir, O_PATH | O_DIRECTORY);
	ASSERT_GE(self->srv.rootfd, 0);
	self->srv.log = open_memstream(&self->log, &self->log_len);
	ASSERT_NE(NULL, self->srv.log);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, self->sv));
	/* The client never waits for ever on a broken server. */
	setsockopt(self->sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void start(FIXTURE_DATA(conn) *self)
{
	pthread_create(&self->thread, NULL, server_main, self);
	self->running = true;
}

/* Close the client side, wait for the server, return what it returned. */
static int finish(FIXTURE_DATA(conn) *self)
{
	shutdown(self->sv[0], SHUT_WR);
	pthread_join(self->thread, NULL);
	self->running = false;
	fflush(self->srv.log);
	return self->served;
}

FIXTURE_TEARDOWN(conn)
{
	char cmd[128];

	if (self->running)
		finish(self);
	fclose(self->srv.log);
	free(self->log);
	free(self->big);
	close(self->sv[0]);
	close(self->sv[1]);
	close(self->srv.rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	EXPECT_EQ(0, system(cmd));
}

static void send_str(struct __test_metadata *_metadata, int fd, const char *s)
{
	ASSERT_EQ((ssize_t)strlen(s), write(fd, s, strlen(s)));
}

/*
 * Read one response: the head, then Content-Length bytes of body unless
 * @head_only (a HEAD request).  The body is NUL-terminated.
 */
static void read_reply(struct __test_metadata *_metadata, int fd,
		       struct reply *r, bool head_only)
{
	size_t n = 0;
	const char *cl;
	long got = 0;

	memset(r, 0, sizeof(*r));
	r->length = -1;
	/* Byte by byte: nothing past the head is taken from the socket. */
	while (n < sizeof(r->head) - 1 &&
	       (n < 4 || memcmp(r->head + n - 4, "\r\n\r\n", 4))) {
		ASSERT_EQ(1, read(fd, r->head + n, 1)) {
			TH_LOG("head cut after %zu bytes: %s", n, r->head);
		}
		n++;
	}
	ASSERT_EQ(1, sscanf(r->head, "HTTP/1.1 %d ", &r->status));
	cl = strstr(r->head, "\r\nContent-Length: ");
	if (cl)
		r->length = atol(cl + 18);
	if (head_only || r->length < 0)
		return;
	r->body = malloc((size_t)r->length + 1);
	ASSERT_NE(NULL, r->body);
	while (got < r->length) {
		ssize_t k = read(fd, r->body + got, (size_t)(r->length - got));

		ASSERT_GT(k, 0);
		got += k;
	}
	r->body[got] = '\0';
}

static bool has_field(const struct reply *r, const char *field)
{
	return strstr(r->head, field) != NULL;
}

/* Nothing more comes: the server closed its side. */
static void expect_closed(struct __test_metadata *_metadata, int fd)
{
	char c;

	EXPECT_EQ(0, read(fd, &c, 1));
}

TEST_F(conn, keep_alive_get_head)
{
	struct reply r;

	start(self);
	send_str(_metadata, self->sv[0],
		 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	EXPECT_EQ(6, r.length);
	EXPECT_STREQ("hello\n", r.body);
	EXPECT_TRUE(has_field(&r, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	EXPECT_TRUE(has_field(&r, "\r\nLast-Modified: "));
	EXPECT_FALSE(has_field(&r, "Connection:"));
	free(r.body);

	send_str(_metadata, self->sv[0], "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	EXPECT_STREQ("<p>hi</p>\n", r.body);
	EXPECT_TRUE(has_field(&r, "text/html"));
	free(r.body);

	/* HEAD: the same head, no body (the next reply follows at once). */
	send_str(_metadata, self->sv[0],
		 "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		 "GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, true);
	EXPECT_EQ(200, r.status);
	EXPECT_EQ(6, r.length);
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	EXPECT_EQ(0, r.length);
	EXPECT_STREQ("", r.body);
	free(r.body);

	EXPECT_EQ(4, finish(self));
	EXPECT_NE(NULL, strstr(self->log, "peer \"GET /a.txt HTTP/1.1\" 200 6\n"));
	EXPECT_NE(NULL, strstr(self->log, "peer \"HEAD /a.txt HTTP/1.1\" 200 0\n"));
}

TEST_F(conn, large_file_through_sendfile)
{
	struct reply r;

	start(self);
	send_str(_metadata, self->sv[0],
		 "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	ASSERT_EQ(BIG_LEN, r.length);
	EXPECT_EQ(0, memcmp(self->big, r.body, BIG_LEN));
	EXPECT_TRUE(has_field(&r, "application/octet-stream"));
	free(r.body);
	EXPECT_EQ(1, finish(self));
}

/* A client that sends a byte at a time still gets its answers. */
TEST_F(conn, slow_client)
{
	static const char req[] = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	struct reply r;
	size_t i;

	start(self);
	for (i = 0; i < strlen(req); i++) {
		ASSERT_EQ(1, write(self->sv[0], req + i, 1));
		usleep(1000);
	}
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	EXPECT_STREQ("hello\n", r.body);
	free(r.body);
	EXPECT_EQ(1, finish(self));
}

TEST_F(conn, not_found_keeps_the_connection)
{
	struct reply r;

	start(self);
	send_str(_metadata, self->sv[0],
		 "GET /nope.html HTTP/1.1\r\nHost: x\r\n\r\n"
		 "GET /.hidden HTTP/1.1\r\nHost: x\r\n\r\n"
		 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(404, r.status);
	EXPECT_STREQ("404 Not Found\n", r.body);
	free(r.body);
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(404, r.status);
	free(r.body);
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	free(r.body);
	EXPECT_EQ(3, finish(self));
}

/* POST: 405 with Allow; its body is skipped and the next request served. */
TEST_F(conn, other_methods)
{
	struct reply r;

	start(self);
	send_str(_metadata, self->sv[0],
		 "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"
		 "hello world"
		 "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(405, r.status);
	EXPECT_TRUE(has_field(&r, "\r\nAllow: GET, HEAD\r\n"));
	free(r.body);
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	EXPECT_STREQ("hello\n", r.body);
	free(r.body);
	EXPECT_EQ(2, finish(self));
}

TEST_F(conn, directory_redirect)
{
	struct reply r;

	start(self);
	send_str(_metadata, self->sv[0], "GET /sub HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(301, r.status);
	EXPECT_TRUE(has_field(&r, "\r\nLocation: /sub/\r\n"));
	free(r.body);
	send_str(_metadata, self->sv[0], "GET /sub/ HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(404, r.status);
	free(r.body);
	EXPECT_EQ(2, finish(self));
}

struct closing_case {
	const char *req;
	int status;
};

/* Each of these is answered, then the connection is closed. */
TEST_F(conn, errors_close)
{
	static const struct closing_case cases[] = {
		{ "GET /a.txt HTTP/1.1\r\n\r\n", 400 },
		{ "GET /../a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 413 },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200 },
		{ "GET /a.txt HTTP/1.0\r\n\r\n", 200 },
	};
	struct reply r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (i) {
			finish(self);
			close(self->sv[0]);
			close(self->sv[1]);
			ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0,
						self->sv));
		}
		start(self);
		send_str(_metadata, self->sv[0], cases[i].req);
		read_reply(_metadata, self->sv[0], &r, false);
		EXPECT_EQ(cases[i].status, r.status) {
			TH_LOG("case %zu", i);
		}
		EXPECT_TRUE(has_field(&r, "\r\nConnection: close\r\n")) {
			TH_LOG("case %zu", i);
		}
		free(r.body);
		expect_closed(_metadata, self->sv[0]);
	}
}

/* A head over 8 KiB: 431, whatever follows. */
TEST_F(conn, head_too_large)
{
	char *junk = malloc(9000);
	struct reply r;

	ASSERT_NE(NULL, junk);
	memcpy(junk, "GET / HTTP/1.1\r\nX: ", 19);
	memset(junk + 19, 'a', 9000 - 19);
	start(self);
	ASSERT_EQ(9000, write(self->sv[0], junk, 9000));
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(431, r.status);
	free(r.body);
	free(junk);
	expect_closed(_metadata, self->sv[0]);
	EXPECT_EQ(0, finish(self));
}

TEST_F(conn, http10_keep_alive)
{
	struct reply r;

	start(self);
	send_str(_metadata, self->sv[0],
		 "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(200, r.status);
	EXPECT_TRUE(has_field(&r, "\r\nConnection: keep-alive\r\n"));
	free(r.body);
	send_str(_metadata, self->sv[0], "HEAD / HTTP/1.0\r\n\r\n");
	read_reply(_metadata, self->sv[0], &r, true);
	EXPECT_EQ(200, r.status);
	EXPECT_TRUE(has_field(&r, "\r\nConnection: close\r\n"));
	expect_closed(_metadata, self->sv[0]);
	EXPECT_EQ(2, finish(self));
}

/* Idle between requests: a quiet end; stuck inside one: 408. */
TEST_F(conn, idle_timeout)
{
	struct timeval tv = { .tv_usec = 200000 };
	struct reply r;

	setsockopt(self->sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	start(self);
	pthread_join(self->thread, NULL);
	self->running = false;
	EXPECT_EQ(0, self->served);

	close(self->sv[0]);
	close(self->sv[1]);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, self->sv));
	setsockopt(self->sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	start(self);
	send_str(_metadata, self->sv[0], "GET /a.txt HTTP/1.1\r\nHo");
	read_reply(_metadata, self->sv[0], &r, false);
	EXPECT_EQ(408, r.status);
	free(r.body);
	pthread_join(self->thread, NULL);
	self->running = false;
	EXPECT_EQ(-EAGAIN, self->served);
}

/*
 * A client that trickles a request, each byte well within the idle
 * timeout, gets 408 once the request deadline passes, not hours later.
 */
TEST_F(conn, request_deadline)
{
	static const char req[] = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	struct timeval tv = { .tv_sec = 2 };
	struct timespec t0, t1;
	struct reply r;
	size_t i;
	double ms;

	setsockopt(self->sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	self->srv.request_ms = 400;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start(self);
	for (i = 0; i < strlen(req); i++) {
		if (write(self->sv[0], req + i, 1) != 1)
			break;
		usleep(100000);
		if (poll(&(struct pollfd){ .fd = self->sv[0], .events = POLLIN },
			 1, 0) > 0)
			break;	/* the answer came */
	}
	read_reply(_metadata, self->sv[0], &r, false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(408, r.status);
	free(r.body);
	pthread_join(self->thread, NULL);
	self->running = false;
	EXPECT_EQ(-ETIMEDOUT, self->served);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	EXPECT_LT(ms, 1500) TH_LOG("408 after %.0f ms", ms);
	EXPECT_LT(i, strlen(req) - 1);
}

/* The deadline is per request: keep-alive requests each get a new one. */
TEST_F(conn, request_deadline_is_per_request)
{
	struct reply r;
	int k;

	self->srv.request_ms = 300;
	start(self);
	for (k = 0; k < 3; k++) {
		send_str(_metadata, self->sv[0], "GET /a.txt HTTP/1.1\r\n");
		usleep(200000);
		send_str(_metadata, self->sv[0], "Host: x\r\n\r\n");
		read_reply(_metadata, self->sv[0], &r, false);
		EXPECT_EQ(200, r.status);
		free(r.body);
		usleep(200000);
	}
	EXPECT_EQ(3, finish(self));
}

/* Half a request, then the client goes: no answer, a cut request. */
TEST_F(conn, eof_mid_request)
{
	char c;

	start(self);
	send_str(_metadata, self->sv[0], "GET /a.txt HTTP/1.1\r\n");
	EXPECT_EQ(-EPIPE, finish(self));
	EXPECT_EQ(0, read(self->sv[0], &c, 1));
}

TEST_HARNESS_MAIN
