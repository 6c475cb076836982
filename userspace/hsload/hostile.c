// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-hsload's hostile client. See hostile.h.
 *
 * The lists go through the engine's own ClientHello writer (its test
 * hook rewrites the ClientHello before it is encoded), so that each is a
 * well-formed message of the largest size a server takes; the alerts are
 * written raw.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/alert.h"
#include "engine/engine.h"
#include "engine/msg.h"
#include "hsload/hostile.h"

/* What fits in a 64 KiB ClientHello besides the rest of it. */
#define BIG_LIST	32400
#define WARNINGS	100000
#define ANSWER_MS	20000

struct hostile {
	const char *kind;
	struct ktlso_span *names;
	uint16_t *u16;
};

static const uint8_t one_byte = 'x';

static void hostile_hello(void *arg, struct ktlso_client_hello *ch)
{
	static const uint16_t tail_suites[] = { 0x1301, 0x1302, 0x1303,
						0xc02b, 0xc02f };
	struct hostile *h = arg;
	size_t i;

	if (strcmp(h->kind, "alpn") == 0) {
		for (i = 0; i < BIG_LIST; i++) {
			h->names[i].p = &one_byte;
			h->names[i].len = 1;
		}
		ch->alpn.v = h->names;
		ch->alpn.wire = NULL;
		ch->alpn.n = BIG_LIST;
		ktlso_ext_set_add(&ch->ext, KTLSO_EXT_ALPN);
	} else if (strcmp(h->kind, "sigalgs") == 0) {
		for (i = 0; i < BIG_LIST - 1; i++)
			h->u16[i] = (uint16_t)(0xfe00 + i % 0x100);
		h->u16[BIG_LIST - 1] = 0x0403;
		ch->signature_algorithms.v = h->u16;
		ch->signature_algorithms.wire = NULL;
		ch->signature_algorithms.n = BIG_LIST;
	} else if (strcmp(h->kind, "suites") == 0) {
		for (i = 0; i < BIG_LIST - 5; i++)
			h->u16[i] = (uint16_t)(0xfe00 + i % 0x100);
		memcpy(h->u16 + BIG_LIST - 5, tail_suites, sizeof(tail_suites));
		ch->cipher_suites.v = h->u16;
		ch->cipher_suites.wire = NULL;
		ch->cipher_suites.n = BIG_LIST;
	}
}

static ssize_t sock_read(void *ctx, void *buf, size_t len)
{
	return recv(*(int *)ctx, buf, len, 0);
}

static ssize_t sock_write(void *ctx, const void *buf, size_t len)
{
	return send(*(int *)ctx, buf, len, MSG_NOSIGNAL);
}

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = ANSWER_MS / 1000 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * 10^5 warning alerts, then wait for the server to end the connection.
 * Return: the wait in ms, or -1 when it never came.
 */
static double alert_flood(int fd)
{
	static const uint8_t warning[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
					   0x01, 112 };
	uint8_t *buf = malloc(WARNINGS * sizeof(warning)), junk[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double t0 = hsload_now_ms();
	size_t i, off = 0, len = WARNINGS * sizeof(warning);
	ssize_t n;

	if (!buf)
		return -1;
	for (i = 0; i < WARNINGS; i++)
		memcpy(buf + i * sizeof(warning), warning, sizeof(warning));
	/* The server may close long before all of it is written. */
	while (off < len) {
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(buf);
	while (poll(&p, 1, ANSWER_MS) > 0) {
		n = recv(fd, junk, sizeof(junk), 0);
		if (n <= 0)
			return hsload_now_ms() - t0;
	}
	return -1;
}

/*
 * One hostile ClientHello through the engine: the handshake runs until
 * the server answers it (its flight, or an alert). Return: the wait in
 * ms, or -1 when no answer came.
 */
static double big_hello(int fd, struct hostile *h)
{
	struct ktlso_io io = { sock_read, sock_write, &fd };
	struct ktlso_config cfg;
	struct ktlso_session *s;
	double t0 = hsload_now_ms();
	int ret;

	ktlso_config_init(&cfg);
	cfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	cfg.verify_name = false;
	cfg.test.client_hello = hostile_hello;
	cfg.test.arg = h;
	if (ktlso_session_new(&s, &cfg, KTLSO_ROLE_CLIENT, &io))
		return -1;
	ret = ktlso_session_handshake(s);
	ktlso_session_free(s);
	/* Success, or an alert from the server: either way, an answer. */
	if (ret == 0 || (ret < 0 && ret > -KTLSO_ERROR_BASE))
		return hsload_now_ms() - t0;
	return -1;
}

int hsload_hostile(int port, const char *kind, double seconds)
{
	struct hostile h = { .kind = kind };
	unsigned long conns = 0, answered = 0;
	double end, max_ms = 0, ms;
	bool alerts = strcmp(kind, "alerts") == 0;
	int fd;

	if (!alerts && strcmp(kind, "alpn") && strcmp(kind, "sigalgs") &&
	    strcmp(kind, "suites")) {
		fprintf(stderr, "--kind alpn, sigalgs, suites or alerts\n");
		return 1;
	}
	h.names = calloc(BIG_LIST, sizeof(*h.names));
	h.u16 = calloc(BIG_LIST, sizeof(*h.u16));
	if (!h.names || !h.u16)
		return 1;
	end = hsload_now_ms() + seconds * 1e3;
	while (hsload_now_ms() < end) {
		fd = connect_to(port);
		if (fd < 0)
			break;
		conns++;
		ms = alerts ? alert_flood(fd) : big_hello(fd, &h);
		close(fd);
		if (ms < 0)
			continue;
		answered++;
		if (ms > max_ms)
			max_ms = ms;
	}
	free(h.names);
	free(h.u16);
	printf("hostile %s connections %lu answered %lu max_ms %.0f\n", kind,
	       conns, answered, max_ms);
	fflush(stdout);
	return conns ? 0 : 1;
}
