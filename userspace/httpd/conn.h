/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-httpd: serving HTTP requests on one connection whose TLS is
 * already up (or on any stream socket: the tests use socketpairs).
 */
#ifndef KTLSO_HTTPD_CONN_H
#define KTLSO_HTTPD_CONN_H

#include <stdio.h>

/**
 * struct http_server - what every connection shares, read-only
 * @rootfd: the served directory
 * @log: where to log one line per request, NULL for nowhere
 * @request_ms: a request's head and body must arrive within this long of
 *	its first byte (0: no limit beyond the socket's idle timeout,
 *	SO_RCVTIMEO, which bounds each wait)
 */
struct http_server {
	int rootfd;
	FILE *log;
	unsigned int request_ms;
};

/**
 * http_serve_conn() - serve requests on @fd until either side closes
 * @srv: the server's settings
 * @fd: a connected stream socket, TLS ready
 * @peer: the client's address, for the log
 *
 * Does not close @fd.
 *
 * Return: the number of requests answered, or -errno when the connection
 * failed: -EAGAIN when the idle timeout, -ETIMEDOUT when the request
 * deadline passed in the middle of a request (both answered 408); a
 * timeout or EOF between requests is the normal end.
 */
int http_serve_conn(const struct http_server *srv, int fd, const char *peer);

#endif /* KTLSO_HTTPD_CONN_H */
