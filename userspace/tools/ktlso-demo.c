// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-demo: show the ktlso ULP at work on a loopback TCP connection.
 *
 * Connects a client and a server over 127.0.0.1, attaches ktlso to both
 * ends and moves data through it unchanged; then installs TLS 1.3 transmit
 * keys and has in-tree kTLS open the records ktlso seals, checking every
 * byte, and shows one record as the wire carries it.  "make demo" runs it
 * in a VM with ktlso.ko loaded.
 *
 *   ktlso-demo [--version | --help]
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "common/version.h"
#include "loopback.h"

#define PROG "ktlso-demo"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define DEMO_BYTES (16u << 20)
#define CHUNK (64u << 10)

struct transfer {
	int fd;
	const unsigned char *buf;
	size_t len;
	int err;
};

static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/ktlso/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static void *writer(void *arg)
{
	struct transfer *t = arg;
	size_t off = 0;

	while (off < t->len) {
		size_t n = t->len - off < CHUNK ? t->len - off : CHUNK;
		ssize_t w = write(t->fd, t->buf + off, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			t->err = errno;
			break;
		}
		off += (size_t)w;
	}
	return NULL;
}

/* Send DEMO_BYTES from @from to @to; returns MB/s, exits on any mismatch. */
static double transfer(int from, int to, const unsigned char *out,
		       unsigned char *in, const char *label)
{
	struct transfer t = { .fd = from, .buf = out, .len = DEMO_BYTES };
	struct timespec a, b;
	size_t got = 0;
	pthread_t th;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (pthread_create(&th, NULL, writer, &t))
		tool_die(PROG, "pthread_create");
	while (got < DEMO_BYTES) {
		ssize_t r = read(to, in + got, DEMO_BYTES - got);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			tool_die(PROG, "read");
		}
		got += (size_t)r;
	}
	pthread_join(th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (t.err) {
		errno = t.err;
		tool_die(PROG, "write");
	}
	if (memcmp(out, in, DEMO_BYTES)) {
		fprintf(stderr, "ktlso-demo: %s: data changed in transit\n", label);
		exit(1);
	}
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	return DEMO_BYTES / secs / 1e6;
}

static void set_keys(int fd, const char *ulp, int dir,
		     const struct tls12_crypto_info_aes_gcm_128 *ci)
{
	if (setsockopt(fd, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		tool_die(PROG, ulp);
	if (setsockopt(fd, SOL_TLS, dir, ci, sizeof(*ci)))
		tool_die(PROG, dir == TLS_TX ? "setsockopt(SOL_TLS, TLS_TX)" :
				    "setsockopt(SOL_TLS, TLS_RX)");
}

static void show_rec_seq(int fd)
{
	struct tls12_crypto_info_aes_gcm_128 now;
	socklen_t len = sizeof(now);
	unsigned long long seq = 0;
	size_t i;

	if (getsockopt(fd, SOL_TLS, TLS_TX, &now, &len))
		tool_die(PROG, "getsockopt(SOL_TLS, TLS_TX)");
	for (i = 0; i < sizeof(now.rec_seq); i++)
		seq = seq << 8 | now.rec_seq[i];
	printf("  getsockopt(TLS_TX): next record sequence number %llu (%u MiB / 16 KiB records)\n",
	       seq, DEMO_BYTES >> 20);
	memset(&now, 0, sizeof(now));
}

/* Send a short message through ktlso and print the record TCP carried. */
static void show_wire(int cfd, int sfd)
{
	static const char msg[] = "hello, kernel TLS";
	unsigned char wire[5 + sizeof(msg) - 1 + 1 + 16];
	size_t i;

	if (write(cfd, msg, sizeof(msg) - 1) != (ssize_t)(sizeof(msg) - 1))
		tool_die(PROG, "write");
	for (i = 0; i < sizeof(wire);) {
		ssize_t r = read(sfd, wire + i, sizeof(wire) - i);

		if (r <= 0)
			tool_die(PROG, "read");
		i += (size_t)r;
	}
	printf("  wrote \"%s\" (%zu bytes); the peer read one %zu-byte record:\n   ",
	       msg, sizeof(msg) - 1, sizeof(wire));
	for (i = 0; i < sizeof(wire); i++)
		printf(" %02x%s", wire[i], i == 4 ? " |" : "");
	printf("\n  header: type %u (application_data), version %02x%02x, length %u;"
	       " the text is not in it\n",
	       wire[0], wire[1], wire[2], wire[3] << 8 | wire[4]);
	if (memmem(wire, sizeof(wire), msg, sizeof(msg) - 1)) {
		fprintf(stderr, "ktlso-demo: plaintext on the wire\n");
		exit(1);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [--version | --help]\n"
		"Shows ktlso at work on loopback TCP connections (ktlso.ko must\n"
		"be loaded, in-tree tls.ko loadable): data through the ULP\n"
		"unchanged, then TLS 1.3 records it seals opened by in-tree kTLS.\n");
}

/* No options but these two; anything else is a usage error. */
static void parse_args(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		print_package_version(PROG);
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		exit(0);
	}
	if (argc > 1) {
		usage(stderr);
		exit(EX_USAGE);
	}
}

int main(int argc, char **argv)
{
	unsigned char *out = malloc(DEMO_BYTES), *in = malloc(DEMO_BYTES);
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_3_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};
	double plain, c2s, s2c;	/* MB/s; TCG timings, for orientation only */
	char ulp[16] = "";
	socklen_t len = sizeof(ulp);
	struct utsname u;
	int cfd, sfd;
	size_t i;

	parse_args(argc, argv);
	if (!out || !in)
		tool_die(PROG, "malloc");
	/* Demo keys: in real use ktlsod derives them in the handshake. */
	memset(ci.key, 0x4b, sizeof(ci.key));
	memset(ci.salt, 0x53, sizeof(ci.salt));
	memset(ci.iv, 0x49, sizeof(ci.iv));
	for (i = 0; i < DEMO_BYTES; i++)
		out[i] = (unsigned char)(i * 2654435761u >> 13);
	uname(&u);
	printf("ktlso demo on Linux %s\n", u.release);
	printf("  ktlso.ko loaded, %d socket(s) using it\n", module_refcnt());

	printf("\n1. plain TCP over loopback, for reference\n");
	printf("  connected 127.0.0.1 -> 127.0.0.1:%u\n",
	       tool_tcp_pair(PROG, &cfd, &sfd));
	plain = transfer(cfd, sfd, out, in, "plain TCP");
	printf("  moved %u MiB client -> server, every byte checked (%.0f MB/s)\n",
	       DEMO_BYTES >> 20, plain);
	close(cfd);
	close(sfd);

	printf("\n2. the same with ktlso attached to both ends\n");
	printf("  connected 127.0.0.1 -> 127.0.0.1:%u\n",
	       tool_tcp_pair(PROG, &cfd, &sfd));
	if (setsockopt(cfd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(sfd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)))
		tool_die(PROG, "setsockopt(TCP_ULP, \"ktlso\")");
	if (getsockopt(cfd, SOL_TCP, TCP_ULP, ulp, &len))
		tool_die(PROG, "getsockopt(TCP_ULP)");
	printf("  setsockopt(SOL_TCP, TCP_ULP, \"%s\") on both ends: ok\n", ulp);
	printf("  ktlso.ko now pinned by %d socket(s)\n", module_refcnt());
	c2s = transfer(cfd, sfd, out, in, "client to server");
	printf("  moved %u MiB client -> server through ktlso, unchanged (%.0f MB/s)\n",
	       DEMO_BYTES >> 20, c2s);
	s2c = transfer(sfd, cfd, out, in, "server to client");
	printf("  moved %u MiB server -> client through ktlso, unchanged (%.0f MB/s)\n",
	       DEMO_BYTES >> 20, s2c);

	close(cfd);
	close(sfd);

	printf("\n3. TLS 1.3 AES-128-GCM records sealed by ktlso, opened by in-tree kTLS\n");
	printf("  connected 127.0.0.1 -> 127.0.0.1:%u\n",
	       tool_tcp_pair(PROG, &cfd, &sfd));
	set_keys(cfd, KTLSO_ULP_NAME, TLS_TX, &ci);
	set_keys(sfd, "tls", TLS_RX, &ci);
	printf("  client: ULP \"ktlso\", TLS_TX; server: in-tree ULP \"tls\", TLS_RX; same keys\n");
	c2s = transfer(cfd, sfd, out, in, "ktlso TX to kTLS RX");
	printf("  moved %u MiB: ktlso sealed it, in-tree kTLS opened it, every byte checked (%.0f MB/s)\n",
	       DEMO_BYTES >> 20, c2s);
	show_rec_seq(cfd);
	close(cfd);
	close(sfd);

	printf("\n4. what a plain TCP peer sees\n");
	printf("  connected 127.0.0.1 -> 127.0.0.1:%u\n",
	       tool_tcp_pair(PROG, &cfd, &sfd));
	set_keys(cfd, KTLSO_ULP_NAME, TLS_TX, &ci);
	show_wire(cfd, sfd);
	close(cfd);
	close(sfd);
	printf("\n5. closed every socket\n");
	for (i = 0; i < 100 && module_refcnt() > 0; i++)
		usleep(10000);
	printf("  ktlso.ko pinned by %d socket(s); it can be unloaded\n",
	       module_refcnt());
	free(out);
	free(in);
	return 0;
}
