// SPDX-License-Identifier: GPL-2.0
/*
 * A TLS client whose handshake the ktlso daemon (ktlsod) runs, driven
 * without blocking; it shows how a reader tells a complete answer from a
 * cut one.
 *
 *	hs-client PORT SERVER_NAME MESSAGE [PROFILE]
 *
 * connects to 127.0.0.1:PORT, has ktlsod run the handshake with PROFILE of
 * its configuration ("default"), verifying the server as SERVER_NAME,
 * sends MESSAGE and a newline, then prints all the server sends until the
 * server ends.  A plain read() would return 0 at the end whether the
 * server sent close_notify or the connection was cut; ktlso_recv() tells
 * them apart.  Exit status: 0 after the server's close_notify, 3 for a
 * cut stream (truncation), 4 for an alert, 1 for other errors.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	struct ktlso_params p = { .role = KTLSO_CLIENT };
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct ktlso_alert_msg alert;
	char buf[4096];
	ssize_t n;
	int fd, err;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: hs-client PORT SERVER_NAME MESSAGE [PROFILE]\n");
		return 64;	/* EX_USAGE, as every ktlso program */
	}
	p.server_name = argv[2];	/* sent as SNI, and verified */
	p.profile = argv[4];		/* NULL: "default" */
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("hs-client: connect");
		return 1;
	}

	/* Request the handshake, then wait for it with poll(2). */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	err = ktlso_handshake_start(fd, &p);
	if (!err)
		err = wait_handshake(fd);
	/* A short message fits the socket's empty send buffer at once. */
	n = snprintf(buf, sizeof(buf), "%s\n", argv[3]);
	if (!err && (size_t)n >= sizeof(buf))
		err = -EMSGSIZE;
	if (!err && send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
		err = -EIO;		/* the socket's error comes next */
	if (err) {
		fprintf(stderr, "hs-client: %s\n", ktlso_strerror(err));
		return 1;
	}

	/* Everything the server sends, as it comes, to its end. */
	while ((n = recv_wait(fd, buf, sizeof(buf), &alert)) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
	if (n == 0) {
		printf("close_notify: the server's data is complete\n");
		ktlso_close_notify(fd);		/* and ours: a clean end */
	} else if (n == -EPIPE) {
		printf("truncated: the server closed without close_notify\n");
	} else if (n == -ECONNREFUSED) {
		printf("alert from the server: %s\n",
		       ktlso_alert_name(alert.desc));
	} else {
		fprintf(stderr, "hs-client: %s\n", ktlso_strerror((int)n));
	}
	close(fd);
	return n == 0 ? 0 : n == -EPIPE ? 3 : n == -ECONNREFUSED ? 4 : 1;
}
