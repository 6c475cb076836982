// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-bench: transmit throughput of ktlso against in-tree kTLS, measured
 * in one run on one machine.
 *
 * For each ULP ("ktlso", "tls") and each workload (16 KiB write() calls;
 * sendfile() of a file), a loopback TCP connection gets TLS 1.3
 * AES-128-GCM transmit keys and moves --size bytes to a peer that reads
 * and discards the records, so only the sending side's work is compared.
 * Each case runs --runs times; the report gives medians, the ratio
 * ktlso / kTLS and a bar per case.  Absolute figures depend on the machine
 * (under qemu TCG they mean nothing); the ratio is the result.
 *
 *   ktlso-bench [--size MiB] [--runs N]
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "loopback.h"

#define PROG "ktlso-bench"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define WRITE_CHUNK (16u << 10)
#define MAX_RUNS 31

enum workload { WL_WRITE, WL_SENDFILE, WL_NUM };

static const char *const wl_names[WL_NUM] = {
	[WL_WRITE] = "16 KiB writes",
	[WL_SENDFILE] = "sendfile",
};

static const char *const ulps[] = { KTLSO_ULP_NAME, "tls" };
#define NUM_ULPS (sizeof(ulps) / sizeof(ulps[0]))

static void install_tx(int fd, const char *ulp)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_3_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	memset(ci.key, 0x42, sizeof(ci.key));
	memset(ci.salt, 0x24, sizeof(ci.salt));
	memset(ci.iv, 0x18, sizeof(ci.iv));
	if (setsockopt(fd, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		tool_die(PROG, ulp);
	if (setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)))
		tool_die(PROG, "setsockopt(SOL_TLS, TLS_TX)");
}

struct drain {
	int fd;
	size_t got;
	int err;
};

/* Read and discard the records until the sender closes. */
static void *drain(void *arg)
{
	struct drain *d = arg;
	static char buf[1 << 18];

	for (;;) {
		ssize_t r = read(d->fd, buf, sizeof(buf));

		if (r <= 0) {
			d->err = r < 0 ? errno : 0;
			break;
		}
		d->got += (size_t)r;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fewest wire bytes for @len plaintext bytes: full 16 KiB TLS 1.3 records. */
static size_t wire_bytes(size_t len)
{
	size_t records = (len + 16383) / 16384;

	return len + records * (5 + 1 + 16);
}

static double run_once(const char *ulp, enum workload wl, int file,
		       const char *buf, size_t size)
{
	struct drain d = { 0 };
	pthread_t th;
	double t0, t1;
	size_t done = 0;
	off_t off = 0;
	int cfd, sfd;

	tool_tcp_pair(PROG, &cfd, &sfd);
	install_tx(cfd, ulp);
	d.fd = sfd;
	if (pthread_create(&th, NULL, drain, &d))
		tool_die(PROG, "pthread_create");
	t0 = now();
	while (done < size) {
		ssize_t n;

		if (wl == WL_WRITE)
			n = write(cfd, buf + done % (WRITE_CHUNK * 4),
				  size - done < WRITE_CHUNK ? size - done : WRITE_CHUNK);
		else
			n = sendfile(cfd, file, &off, size - done);
		if (n <= 0)
			tool_die(PROG, wl == WL_WRITE ? "write" : "sendfile");
		done += (size_t)n;
	}
	close(cfd);
	pthread_join(th, NULL);
	t1 = now();
	if (d.err) {
		errno = d.err;
		tool_die(PROG, "read");
	}
	/* Every byte must have gone out, sealed: at least one tag per 16 KiB. */
	if (d.got < wire_bytes(size)) {
		fprintf(stderr, "ktlso-bench: %s: %zu bytes on the wire, expected at least %zu\n",
			ulp, d.got, wire_bytes(size));
		exit(1);
	}
	close(sfd);
	return (double)size / (t1 - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bar(double v, double max)
{
	int i, n = max > 0 ? (int)(v / max * 40 + 0.5) : 0;

	for (i = 0; i < n; i++)
		putchar('#');
}

int main(int argc, char **argv)
{
	double med[WL_NUM][NUM_ULPS], runs[MAX_RUNS], max = 0;
	size_t size = 32u << 20;
	int nruns = 5, file, opt;
	struct utsname u;
	unsigned int w, i;
	char *buf;
	int r;

	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	while ((opt = getopt_long(argc, argv, "s:r:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			size = (size_t)strtoul(optarg, NULL, 10) << 20;
			break;
		case 'r':
			nruns = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: ktlso-bench [--size MiB] [--runs N]\n");
			return 2;
		}
	}
	if (!size || nruns < 1 || nruns > MAX_RUNS) {
		fprintf(stderr, "ktlso-bench: --size must be > 0, --runs 1..%d\n",
			MAX_RUNS);
		return 2;
	}

	buf = malloc(WRITE_CHUNK * 5);
	if (!buf)
		tool_die(PROG, "malloc");
	for (i = 0; i < WRITE_CHUNK * 5; i++)
		buf[i] = (char)(i * 131u >> 3);
	file = memfd_create("ktlso-bench", 0);
	if (file < 0)
		tool_die(PROG, "memfd_create");
	for (i = 0; i < size; i += WRITE_CHUNK)
		if (write(file, buf, WRITE_CHUNK) != (ssize_t)WRITE_CHUNK)
			tool_die(PROG, "write file");

	uname(&u);
	printf("ktlso-bench: TLS 1.3 AES-128-GCM transmit, Linux %s, %zu MiB per run,"
	       " median of %d runs\n\n", u.release, size >> 20, nruns);
	for (w = 0; w < WL_NUM; w++) {
		for (i = 0; i < NUM_ULPS; i++) {
			for (r = 0; r < nruns; r++)
				runs[r] = run_once(ulps[i], w, file, buf, size);
			qsort(runs, nruns, sizeof(runs[0]), cmp_double);
			med[w][i] = runs[nruns / 2];
			if (med[w][i] > max)
				max = med[w][i];
		}
	}

	printf("%-14s  %-6s  %10s  %s\n", "workload", "ULP", "MB/s", "");
	for (w = 0; w < WL_NUM; w++) {
		for (i = 0; i < NUM_ULPS; i++) {
			printf("%-14s  %-6s  %10.1f  ", i ? "" : wl_names[w],
			       ulps[i], med[w][i]);
			bar(med[w][i], max);
			putchar('\n');
		}
		printf("%-14s  %-6s  %10.2f  (ktlso / in-tree kTLS)\n", "", "ratio",
		       med[w][0] / med[w][1]);
	}
	free(buf);
	close(file);
	return 0;
}
