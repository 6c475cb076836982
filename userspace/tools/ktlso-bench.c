// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-bench: throughput of ktlso against in-tree kTLS and against
 * userspace TLS (OpenSSL's libssl), measured in one run on one machine.
 *
 * For each ULP ("ktlso", "tls") and each workload, a loopback TCP
 * connection moves --size bytes of plaintext under TLS 1.3 AES-128-GCM,
 * and only one side of it does TLS, so that side's work is compared:
 *
 *  - transmit, with 16 KiB write() calls and with sendfile() of a file: the
 *    ULP seals, the peer reads and discards the records; and "libssl", a
 *    userspace server's way (bench_libssl.h): SSL_write() of the same
 *    16 KiB buffers, and for the file, pread() then SSL_write();
 *  - receive, with 16 KiB read() calls: the peer writes records sealed
 *    beforehand (by the engine's record layer), the ULP opens them, and
 *    every plaintext byte is checked; once as is, once with
 *    TLS_RX_EXPECT_NO_PAD, which lets both ULPs decrypt TLS 1.3 records
 *    straight into the reader's buffer.
 *
 * Each case runs --runs times, the ULPs taking turns; the report gives
 * medians of MB/s and of the CPU seconds per GB the TLS side's thread
 * used (user + system, getrusage(RUSAGE_THREAD): the sealing or opening
 * in the kernel counts as its system time; softirq work done elsewhere
 * does not), the ratio ktlso / kTLS and a bar per case, and with --ceiling
 * (the kernel's AES-128-GCM alone, in MB/s: scripts/crypto-ceiling) each
 * figure as a share of it.  Absolute figures depend on the machine (under
 * qemu TCG they mean nothing); the ratios are the result.
 *
 *   ktlso-bench [--size MiB] [--runs N] [--ceiling MB/s]
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
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "bench_libssl.h"
#include "engine/record.h"
#include "loopback.h"

#define PROG "ktlso-bench"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define WRITE_CHUNK (16u << 10)
#define MAX_RUNS 31

enum workload { WL_WRITE, WL_SENDFILE, WL_READ, WL_READ_NOPAD, WL_NUM };

static const char *const wl_names[WL_NUM] = {
	[WL_WRITE] = "16 KiB writes",
	[WL_SENDFILE] = "sendfile",
	[WL_READ] = "16 KiB reads",
	[WL_READ_NOPAD] = "... no-pad",
};

/* The one set of keys: TLS 1.3 AES-128-GCM, salt || iv = the write_iv. */
#define BENCH_KEY	0x42
#define BENCH_SALT	0x24
#define BENCH_IV	0x18

/* The last, libssl, is userspace TLS: transmit only. */
static const char *const ulps[] = { KTLSO_ULP_NAME, "tls", "libssl" };
#define NUM_ULPS (sizeof(ulps) / sizeof(ulps[0]))
#define LIBSSL (NUM_ULPS - 1)

static struct bench_ssl ssl_ctxs;

/* Attach @ulp to @fd and install the bench keys for direction @optname. */
static void install_keys(int fd, const char *ulp, int optname)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_3_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	memset(ci.key, BENCH_KEY, sizeof(ci.key));
	memset(ci.salt, BENCH_SALT, sizeof(ci.salt));
	memset(ci.iv, BENCH_IV, sizeof(ci.iv));
	if (setsockopt(fd, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		tool_die(PROG, ulp);
	if (setsockopt(fd, SOL_TLS, optname, &ci, sizeof(ci)))
		tool_die(PROG, optname == TLS_TX ? "setsockopt(SOL_TLS, TLS_TX)" :
						    "setsockopt(SOL_TLS, TLS_RX)");
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

/* CPU seconds (user + system) the calling thread has used. */
static double thread_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		tool_die(PROG, "getrusage");
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
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

/* What a userspace server does: SSL_write(), of a buffer or what it read. */
static ssize_t ssl_send(SSL *s, enum workload wl, int file, const char *buf,
			size_t done, size_t len)
{
	static char chunk[WRITE_CHUNK];
	ssize_t n;

	if (len > WRITE_CHUNK)
		len = WRITE_CHUNK;
	if (wl == WL_SENDFILE) {
		n = pread(file, chunk, len, (off_t)done);
		if (n <= 0)
			return -1;
		len = (size_t)n;
		buf = chunk;
	} else {
		buf += done % (WRITE_CHUNK * 4);
	}
	n = SSL_write(s, buf, (int)len);
	return n > 0 ? n : -1;
}

static double run_once(const char *ulp, enum workload wl, int file,
		       const char *buf, size_t size, double *cpu_per_gb)
{
	struct drain d = { 0 };
	SSL *ssl = NULL;
	pthread_t th;
	double t0, t1, c0, c1;
	size_t done = 0;
	off_t off = 0;
	int cfd, sfd;

	tool_tcp_pair(PROG, &cfd, &sfd);
	if (ulp == ulps[LIBSSL]) {
		ssl = bench_ssl_pair(&ssl_ctxs, cfd, sfd);
		if (!ssl) {
			fprintf(stderr, "%s: libssl handshake failed\n", PROG);
			exit(1);
		}
	} else {
		install_keys(cfd, ulp, TLS_TX);
	}
	d.fd = sfd;
	if (pthread_create(&th, NULL, drain, &d))
		tool_die(PROG, "pthread_create");
	t0 = now();
	c0 = thread_cpu();
	while (done < size) {
		ssize_t n;

		if (ssl)
			n = ssl_send(ssl, wl, file, buf, done, size - done);
		else if (wl == WL_WRITE)
			n = write(cfd, buf + done % (WRITE_CHUNK * 4),
				  size - done < WRITE_CHUNK ? size - done : WRITE_CHUNK);
		else
			n = sendfile(cfd, file, &off, size - done);
		if (n <= 0)
			tool_die(PROG, ssl ? "SSL_write" :
				 wl == WL_WRITE ? "write" : "sendfile");
		done += (size_t)n;
	}
	c1 = thread_cpu();
	*cpu_per_gb = (c1 - c0) / ((double)size / 1e9);
	SSL_free(ssl);
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

/*
 * The plaintext of the stream: @pattern (WRITE_CHUNK bytes, periodic within
 * them) repeated, as in the file sendfile() sends.
 */
static const char *pattern;

/* Seal @size bytes of the stream into full records, as a peer would. */
static uint8_t *seal_stream(size_t size, size_t *wire_len)
{
	struct ktlso_traffic_keys tk = { .key_len = 16, .iv_len = 12 };
	struct ktlso_record_protection rp;
	size_t off = 0, pos = 0, cap = wire_bytes(size);
	uint8_t *wire = malloc(cap);

	if (!wire)
		tool_die(PROG, "malloc");
	memset(tk.key, BENCH_KEY, tk.key_len);
	memset(tk.iv, BENCH_SALT, 4);
	memset(tk.iv + 4, BENCH_IV, 8);
	if (ktlso_record_init(&rp, TLS_1_3_VERSION, 0x1301, &tk, 0, true)) {
		fprintf(stderr, "%s: cannot key the record layer\n", PROG);
		exit(1);
	}
	while (off < size) {
		size_t n = size - off < WRITE_CHUNK ? size - off : WRITE_CHUNK;
		size_t got;

		if (ktlso_record_seal(&rp, 23, (const uint8_t *)pattern, n, 0,
				      wire + pos, cap - pos, &got)) {
			fprintf(stderr, "%s: sealing failed\n", PROG);
			exit(1);
		}
		off += n;
		pos += got;
	}
	ktlso_record_clear(&rp);
	*wire_len = pos;
	return wire;
}

struct feed {
	int fd;
	const uint8_t *wire;
	size_t len;
	int err;
};

/* Write the sealed records as plain TCP bytes, then close. */
static void *feed(void *arg)
{
	struct feed *f = arg;
	size_t done = 0;

	while (done < f->len) {
		ssize_t n = write(f->fd, f->wire + done, f->len - done);

		if (n <= 0) {
			f->err = n < 0 ? errno : EPIPE;
			break;
		}
		done += (size_t)n;
	}
	close(f->fd);
	return NULL;
}

/* Receive @size bytes through @ulp in 16 KiB reads, each byte checked. */
static double run_rx(const char *ulp, const uint8_t *wire, size_t wire_len,
		     size_t size, int no_pad, double *cpu_per_gb)
{
	struct feed f = { .wire = wire, .len = wire_len };
	static char buf[WRITE_CHUNK];
	size_t got = 0;
	pthread_t th;
	double t0, t1, c0;
	int cfd, sfd;

	tool_tcp_pair(PROG, &cfd, &sfd);
	install_keys(sfd, ulp, TLS_RX);
	if (no_pad && setsockopt(sfd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &no_pad,
				 sizeof(no_pad)))
		tool_die(PROG, "setsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD)");
	f.fd = cfd;
	t0 = now();
	c0 = thread_cpu();
	if (pthread_create(&th, NULL, feed, &f))
		tool_die(PROG, "pthread_create");
	for (;;) {
		ssize_t n = read(sfd, buf, sizeof(buf));

		if (n < 0)
			tool_die(PROG, "read");
		if (n == 0)
			break;
		if ((size_t)n > size - got ||
		    memcmp(buf, pattern + got % WRITE_CHUNK, (size_t)n)) {
			fprintf(stderr, "%s: %s: wrong plaintext at byte %zu\n",
				PROG, ulp, got);
			exit(1);
		}
		got += (size_t)n;
	}
	t1 = now();
	*cpu_per_gb = (thread_cpu() - c0) / ((double)size / 1e9);
	pthread_join(th, NULL);
	if (f.err) {
		errno = f.err;
		tool_die(PROG, "write");
	}
	if (got != size) {
		fprintf(stderr, "%s: %s: %zu plaintext bytes read, expected %zu\n",
			PROG, ulp, got, size);
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
	double med[WL_NUM][NUM_ULPS], runs[NUM_ULPS][MAX_RUNS], max = 0;
	double cpu_med[WL_NUM][NUM_ULPS], cpu[NUM_ULPS][MAX_RUNS];
	double ceiling = 0;
	char *end;
	size_t size = 32u << 20;
	int nruns = 5, file, opt;
	struct utsname u;
	unsigned int w, i;
	size_t wire_len;
	uint8_t *wire;
	char *buf;
	int r;

	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ "ceiling", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	while ((opt = getopt_long(argc, argv, "s:r:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			size = (size_t)strtoul(optarg, NULL, 10) << 20;
			break;
		case 'r':
			nruns = atoi(optarg);
			break;
		case 'c':
			errno = 0;
			ceiling = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(ceiling > 0)) {
				fprintf(stderr, "ktlso-bench: --ceiling %s: not a positive MB/s figure\n",
					optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: ktlso-bench [--size MiB] [--runs N] [--ceiling MB/s]\n");
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

	pattern = buf;
	wire = seal_stream(size, &wire_len);

	uname(&u);
	printf("ktlso-bench: TLS 1.3 AES-128-GCM, Linux %s, %zu MiB per run,"
	       " median of %d runs\n\n", u.release, size >> 20, nruns);
	if (bench_ssl_init(&ssl_ctxs)) {
		fprintf(stderr, "%s: cannot set up libssl\n", PROG);
		return 1;
	}
	for (w = 0; w < WL_NUM; w++) {
		/* The ULPs take turns, so drift in the host's load hits all. */
		for (r = 0; r < nruns; r++) {
			for (i = 0; i < NUM_ULPS; i++) {
				runs[i][r] = cpu[i][r] = 0;
				if (w < WL_READ)
					runs[i][r] = run_once(ulps[i], w, file,
							      buf, size,
							      &cpu[i][r]);
				else if (i != LIBSSL)
					runs[i][r] = run_rx(ulps[i], wire,
							    wire_len, size,
							    w == WL_READ_NOPAD,
							    &cpu[i][r]);
			}
		}
		for (i = 0; i < NUM_ULPS; i++) {
			qsort(runs[i], nruns, sizeof(runs[i][0]), cmp_double);
			qsort(cpu[i], nruns, sizeof(cpu[i][0]), cmp_double);
			med[w][i] = runs[i][nruns / 2];
			cpu_med[w][i] = cpu[i][nruns / 2];
			if (med[w][i] > max)
				max = med[w][i];
		}
	}

	printf("%-14s  %-6s  %10s  %9s  %s\n", "workload", "ULP", "MB/s",
	       "CPU s/GB", ceiling > 0 ? "of ceiling" : "");
	for (w = 0; w < WL_NUM; w++) {
		for (i = 0; i < NUM_ULPS; i++) {
			/* libssl's receive is not measured (no raw keys). */
			if (i == LIBSSL && w >= WL_READ)
				continue;
			printf("%-14s  %-6s  %10.1f  %9.1f  ",
			       i ? "" : wl_names[w], ulps[i], med[w][i],
			       cpu_med[w][i]);
			if (ceiling > 0)
				printf("%9.0f%%  ", 100 * med[w][i] / ceiling);
			bar(med[w][i], max);
			putchar('\n');
		}
		printf("%-14s  %-6s  %10.2f  (ktlso / in-tree kTLS)\n", "", "ratio",
		       med[w][0] / med[w][1]);
		if (w < WL_READ)
			printf("%-14s  %-6s  %10.2f  (ktlso / libssl)\n", "",
			       "ratio", med[w][0] / med[w][LIBSSL]);
	}
	if (ceiling > 0)
		printf("\nceiling: the kernel's AES-128-GCM alone, %.1f MB/s\n",
		       ceiling);
	bench_ssl_free(&ssl_ctxs);
	free(wire);
	free(buf);
	close(file);
	return 0;
}
