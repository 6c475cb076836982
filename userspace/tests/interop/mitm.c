// SPDX-License-Identifier: GPL-2.0
/*
 * mitm: a man in the middle for the interop tests. It accepts one TCP
 * connection on 127.0.0.1:LISTEN, connects to 127.0.0.1:TARGET and relays
 * both ways, following the TLS record framing of each direction, and can
 * spoil one thing on the way:
 *
 *   mitm LISTEN TARGET [--flip DIR:N[:OFF]] [--cut DIR:K]
 *
 *   --flip DIR:N[:OFF]  flip the low bit of byte OFF (counted from the
 *                       record header's first byte; default the record's
 *                       last byte) of the Nth record (1-based) going DIR
 *   --cut DIR:K         forward the first K bytes going DIR, then end that
 *                       direction: the receiver sees the end of the stream;
 *                       the sender's further bytes are read and dropped (so
 *                       that its writes do not fail: it learns of the cut
 *                       when the connection closes)
 *
 * DIR is c2s (client to server) or s2c. What it did goes to stderr, one
 * line each ("mitm: flipped byte 52 of record 3 c2s (type 23, 53 bytes)",
 * "mitm: cut c2s after 40 bytes"), so that a test can tell that the fault
 * happened. It exits when both directions have ended, or after 20 s.
 *
 * Built by the interop runner: cc -std=c11 -D_GNU_SOURCE -o mitm mitm.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_S 20
#define HDR_LEN 5

enum { C2S, S2C };

static const char *const dir_names[] = { "c2s", "s2c" };

struct fault {
	bool flip, cut;
	unsigned int record;		/* --flip: 1-based record number */
	long offset;			/* --flip: -1 for the last byte */
	unsigned long long cut_at;	/* --cut: bytes let through */
};

/* One direction of the relay, and where it stands in the record stream. */
struct dir {
	int from, to;
	const char *name;
	struct fault fault;
	bool done;
	bool dropping;			/* cut: read, but forward nothing */
	unsigned long long total;	/* bytes forwarded */
	uint8_t hdr[HDR_LEN];
	size_t pos;			/* offset in the current record */
	size_t rec_len;			/* header + body; 0 until known */
	unsigned int record;		/* current record, 1-based */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: mitm LISTEN TARGET [--flip DIR:N[:OFF]] [--cut DIR:K]\n"
		"       DIR: c2s or s2c\n");
	exit(2);
}

static int parse_dir(const char *s, const char **rest)
{
	int d;

	for (d = C2S; d <= S2C; d++)
		if (strncmp(s, dir_names[d], 3) == 0 && s[3] == ':') {
			*rest = s + 4;
			return d;
		}
	usage();
	return -1;
}

static unsigned long long parse_num(const char *s, char **end)
{
	unsigned long long v;

	errno = 0;
	v = strtoull(s, end, 10);
	if (errno || *end == s)
		usage();
	return v;
}

/* Track the record framing through one byte; spoil it when it is due. */
static void step(struct dir *d, uint8_t *b)
{
	struct fault *f = &d->fault;
	size_t target;

	if (d->pos == 0)
		d->record++;
	if (d->pos < HDR_LEN) {
		d->hdr[d->pos] = *b;
		if (d->pos == HDR_LEN - 1)
			d->rec_len = HDR_LEN + ((size_t)d->hdr[3] << 8 | d->hdr[4]);
	}
	if (f->flip && d->record == f->record && d->rec_len) {
		target = f->offset < 0 ? d->rec_len - 1 : (size_t)f->offset;
		if (d->pos == target) {
			*b ^= 1;
			f->flip = false;
			fprintf(stderr,
				"mitm: flipped byte %zu of record %u %s (type %u, %zu bytes)\n",
				target, d->record, d->name, d->hdr[0],
				d->rec_len);
		}
	}
	d->pos++;
	if (d->rec_len && d->pos == d->rec_len) {
		d->pos = 0;
		d->rec_len = 0;
	}
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void end_dir(struct dir *d)
{
	d->done = true;
	shutdown(d->to, SHUT_WR);
}

/* Move what the sender has; -1 when the receiver is gone. */
static int pump(struct dir *d)
{
	uint8_t buf[16384];
	unsigned long long left;
	ssize_t n;
	size_t i;

	n = recv(d->from, buf, sizeof(buf), 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		if (d->dropping)
			d->done = true;
		else
			end_dir(d);
		return 0;
	}
	if (d->dropping)
		return 0;
	if (d->fault.cut) {
		left = d->fault.cut_at - d->total;
		if ((unsigned long long)n >= left) {
			n = (ssize_t)left;
			d->fault.cut = false;
			d->dropping = true;
		}
	}
	for (i = 0; i < (size_t)n; i++)
		step(d, &buf[i]);
	if (write_all(d->to, buf, (size_t)n))
		return -1;
	d->total += (unsigned long long)n;
	if (d->dropping) {
		fprintf(stderr, "mitm: cut %s after %llu bytes\n", d->name,
			d->total);
		shutdown(d->to, SHUT_WR);
	}
	return 0;
}

static int tcp_socket(unsigned int port, bool listening)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (listening) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
		    listen(fd, 1))
			goto fail;
	} else if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static void parse_faults(int argc, char **argv, struct dir *dirs)
{
	const char *rest;
	char *end;
	int i, d;

	for (i = 3; i < argc; i++) {
		if (i + 1 == argc)
			usage();
		d = parse_dir(argv[i + 1], &rest);
		if (strcmp(argv[i], "--flip") == 0) {
			dirs[d].fault.flip = true;
			dirs[d].fault.record = (unsigned int)parse_num(rest, &end);
			dirs[d].fault.offset = -1;
			if (*end == ':')
				dirs[d].fault.offset =
					(long)parse_num(end + 1, &end);
		} else if (strcmp(argv[i], "--cut") == 0) {
			dirs[d].fault.cut = true;
			dirs[d].fault.cut_at = parse_num(rest, &end);
		} else {
			usage();
		}
		if (*end)
			usage();
		i++;
	}
}

int main(int argc, char **argv)
{
	struct dir dirs[2] = { { .name = "c2s" }, { .name = "s2c" } };
	struct pollfd p[2];
	unsigned int lport, tport;
	int lfd, cfd, sfd, d;
	char *end;

	if (argc < 3)
		usage();
	lport = (unsigned int)parse_num(argv[1], &end);
	tport = (unsigned int)parse_num(argv[2], &end);
	parse_faults(argc, argv, dirs);
	alarm(TIMEOUT_S);
	lfd = tcp_socket(lport, true);
	if (lfd < 0) {
		fprintf(stderr, "mitm: listen on %u: %s\n", lport,
			strerror(errno));
		return 1;
	}
	cfd = accept(lfd, NULL, NULL);
	close(lfd);
	sfd = cfd < 0 ? -1 : tcp_socket(tport, false);
	if (sfd < 0) {
		fprintf(stderr, "mitm: %s: %s\n", cfd < 0 ? "accept" : "connect",
			strerror(errno));
		return 1;
	}
	dirs[C2S].from = dirs[S2C].to = cfd;
	dirs[C2S].to = dirs[S2C].from = sfd;
	while (!dirs[C2S].done || !dirs[S2C].done) {
		for (d = C2S; d <= S2C; d++) {
			p[d].fd = dirs[d].done ? -1 : dirs[d].from;
			p[d].events = POLLIN;
			p[d].revents = 0;
		}
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (d = C2S; d <= S2C; d++)
			if (p[d].revents && pump(&dirs[d]))
				dirs[C2S].done = dirs[S2C].done = true;
	}
	close(cfd);
	close(sfd);
	return 0;
}
