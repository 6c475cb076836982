// SPDX-License-Identifier: GPL-2.0
/*
 * A TLS server whose handshake the ktlso daemon (ktlsod) runs, driven
 * without blocking: the application never sees a key or a certificate.
 *
 *	hs-server PORT [PROFILE]
 *
 * accepts one connection on 127.0.0.1:PORT, has ktlsod run the handshake
 * with PROFILE of its configuration ("default"), reads one line, answers
 * "echo: " and the line, then ends the session the TLS way: its own
 * close_notify, then the client's.  It says how the client ended, and
 * exits 0 for a clean close_notify, 3 for a cut stream, 1 otherwise.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "hs-server: %s: %s\n", what, ktlso_strerror(err));
	return 1;
}

/* Send all of @buf on the non-blocking socket. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int err = n < 0 && errno == EAGAIN ? wait_for(fd, POLLOUT) : 0;

		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (err)
			return err;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ktlso_params p = { .role = KTLSO_SERVER };
	struct ktlso_alert_msg alert;
	char line[1024], reply[1100];
	size_t got = 0;
	int fd, err;
	ssize_t n;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: hs-server PORT [PROFILE]\n");
		return 64;	/* EX_USAGE, as every ktlso program */
	}
	p.profile = argv[2];		/* NULL: "default" */
	fd = accept_one(argv[1]);
	if (fd < 0)
		return fail("accept", -errno);

	/* The handshake: queued for ktlsod at once, then waited for. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	err = ktlso_handshake_start(fd, &p);
	if (!err)
		err = wait_handshake(fd);
	if (err)
		return fail("handshake", err);

	/* One line of data; the kernel opened its records. */
	while (!memchr(line, '\n', got)) {
		n = recv_wait(fd, line + got, sizeof(line) - 1 - got, &alert);
		if (n <= 0)
			return fail("reading the line", n ? (int)n : -ENODATA);
		got += (size_t)n;
		if (got == sizeof(line) - 1)
			return fail("reading the line", -EMSGSIZE);
	}
	line[got] = '\0';
	printf("got: %s", line);
	n = snprintf(reply, sizeof(reply), "echo: %s", line);
	err = send_all(fd, reply, (size_t)n);
	if (!err)
		err = ktlso_close_notify(fd);	/* we are done sending */
	if (err)
		return fail("answering", err);

	/* Whatever else the client sends, up to its end. */
	do {
		n = recv_wait(fd, line, sizeof(line), &alert);
	} while (n > 0);
	if (n == 0)
		printf("the client ended with close_notify\n");
	else if (n == -EPIPE)
		printf("truncated: the client closed without close_notify\n");
	else if (n == -ECONNREFUSED)
		printf("alert from the client: %s\n",
		       ktlso_alert_name(alert.desc));
	else
		fail("reading", (int)n);
	close(fd);
	return n == 0 ? 0 : n == -EPIPE ? 3 : 1;
}
