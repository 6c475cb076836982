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
 */
struct http_server {
	int rootfd;
	FILE *log;
};

int http_serve_conn(const struct http_server *srv, int fd, const char *peer);

#endif /* KTLSO_HTTPD_CONN_H */
