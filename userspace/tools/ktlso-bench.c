// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-bench: the record layer's throughput and CPU cost, ktlso against
 * in-tree kTLS and against userspace TLS, measured in one run on one
 * machine.  Four systems take turns:
 *
 *  ktlso      the ktlso ULP, keyed with setsockopt(SOL_TLS);
 *  kTLS       in-tree kTLS (ULP "tls"), keyed the same way;
 *  libssl     OpenSSL's libssl sealing and opening in the process, as a
 *             userspace server does (bench_libssl.h);
 *  ossl+kTLS  libssl driving in-tree kTLS itself (SSL_OP_ENABLE_KTLS,
 *             SSL_sendfile()), as nginx's "Options KTLS" does.
 *
 * For each TLS 1.3 suite (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305) and
 * each workload, a loopback TCP connection moves the plaintext, and only
 * one side of it does TLS, so that side's work is compared:
 *
 *  - transmit: 1 KiB and 16 KiB writes, and a file of --size MiB sent with
 *    sendfile() (libssl: pread() then SSL_write() of 16 KiB; ossl+kTLS:
 *    SSL_sendfile()); the peer reads the records raw and discards them;
 *    and a quarter of that over each of 4 connections at once, each
 *    with its own sending and reading threads: the many-connection case,
 *    where every CPU of a small machine is busy;
 *  - receive: 16 KiB reads of records a peer sealed beforehand (the
 *    engine's record layer, under fixed keys for the ULPs, under the
 *    handshake's server traffic secret for libssl), every plaintext byte
 *    checked; for the ULPs once more with TLS_RX_EXPECT_NO_PAD, which
 *    lets them decrypt TLS 1.3 records straight into the reader's buffer.
 *
 * The 1 KiB case moves an eighth of --size (it is syscall-bound, and
 * slow).  A case a system cannot run is shown as n/a: OpenSSL 3.0 (Debian
 * 12's) does not put TLS 1.3 receive on kTLS, and libssl has no no-pad.  Each case runs --runs times, the
 * systems taking turns, and the report gives the median MB/s with its
 * spread, the median CPU seconds per GB, each figure as a share of the
 * kernel's crypto ceiling (--ceiling, from scripts/crypto-ceiling), and
 * the ratios that matter.
 *
 * CPU per GB counts what the TLS side costs the machine: all the CPU time
 * the machine spent during the case (/proc/stat: user, nice, system, irq
 * and softirq, over every CPU, so that work done in softirq or a kernel
 * worker counts wherever it ran) less the peer threads' own time
 * (getrusage(RUSAGE_THREAD)).  On loopback the receiving TCP's softirq
 * work runs mostly in the sender's context, and counts with it, alike for
 * every system.  Absolute figures depend on the machine (under qemu TCG
 * they mean nothing); the ratios are the result.
 *
 *   ktlso-bench [--size MiB] [--runs N] [--suites LIST] [--workloads LIST]
 *               [--systems LIST] [--ceiling SUITE=MB/s,...] [--tsv FILE]
 *   ktlso-bench --version | --help
 *
 * (--workloads write-1k,sendfile,... and --systems ktlso,libssl,...: only
 * those cases, e.g. to profile one.)
 */

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#include "bench_libssl.h"
#include "engine/crypto_info.h"
#include "engine/record.h"
#include "common/version.h"
#include "loopback.h"

#define PROG "ktlso-bench"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define CHUNK (16u << 10)
#define MAX_RUNS 31

enum sys { SYS_KTLSO, SYS_KTLS, SYS_LIBSSL, SYS_OSSL_KTLS, SYS_NUM };

static const char *const sys_names[SYS_NUM] = {
	[SYS_KTLSO] = "ktlso",
	[SYS_KTLS] = "kTLS",
	[SYS_LIBSSL] = "libssl",
	[SYS_OSSL_KTLS] = "ossl+kTLS",
};

static const char *const sys_ulps[] = {
	[SYS_KTLSO] = KTLSO_ULP_NAME,
	[SYS_KTLS] = "tls",
};

static bool is_ulp(enum sys s)
{
	return s == SYS_KTLSO || s == SYS_KTLS;
}

enum workload { WL_WRITE_1K, WL_WRITE_16K, WL_SENDFILE, WL_SENDFILE_X4,
		WL_READ, WL_READ_NOPAD, WL_NUM };

/* Connections of the many-connection case: two per CPU of the test bed. */
#define STREAMS 4

static const struct {
	const char *name, *key;
	size_t chunk;		/* write/read size; libssl's for sendfile */
	unsigned int streams;	/* connections at once, each its own threads */
	bool sendfile, rx;
} wls[WL_NUM] = {
	[WL_WRITE_1K] = { "1 KiB writes", "write-1k", 1024, 1 },
	[WL_WRITE_16K] = { "16 KiB writes", "write-16k", CHUNK, 1 },
	[WL_SENDFILE] = { "sendfile", "sendfile", CHUNK, 1, true },
	[WL_SENDFILE_X4] = { "sendfile x4", "sendfile-x4", CHUNK, STREAMS,
			     true },
	[WL_READ] = { "16 KiB reads", "read-16k", CHUNK, 1, false, true },
	[WL_READ_NOPAD] = { "... no-pad", "read-16k-nopad", CHUNK, 1, false,
			    true },
};

static const struct {
	const char *key, *label;
	uint16_t id;
} suites[] = {
	{ "aes128gcm", "AES-128-GCM", 0x1301 },
	{ "aes256gcm", "AES-256-GCM", 0x1302 },
	{ "chacha20", "ChaCha20-Poly1305", 0x1303 },
};

#define NUM_SUITES (sizeof(suites) / sizeof(suites[0]))

/* The ULPs' fixed keys: key, and write_iv (TLS 1.3), of these bytes. */
#define BENCH_KEY	0x42
#define BENCH_IV	0x18

/* Everything one suite's cases need, set up before they run. */
struct suite_ctx {
	unsigned int idx;			/* into suites[] */
	const struct ktlso_suite *ks;
	struct bench_ssl ssl;			/* libssl */
	struct bench_ssl ossl_ktls;		/* libssl driving kTLS */
	struct ktlso_traffic_keys keys;		/* the ULPs' */
	uint8_t *wire;				/* --size, sealed with keys;
						 * NULL until a ULP receives */
	size_t wire_len;
	double ceiling;				/* MB/s; 0: none given */
};

/* The plaintext: CHUNK bytes of pattern (periodic within them), repeated. */
static char *pattern;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* CPU seconds the whole machine has been busy: user, nice, system, irq, softirq. */
static double machine_busy(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		tool_die(PROG, "/proc/stat");
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
		   &sys, &idle, &iowait, &irq, &softirq);
	fclose(f);
	if (n != 7) {
		fprintf(stderr, "%s: /proc/stat: no cpu line\n", PROG);
		exit(1);
	}
	return (double)(user + nice + sys + irq + softirq) /
	       (double)sysconf(_SC_CLK_TCK);
}

/* Fewest wire bytes for @len plaintext bytes: full 16 KiB TLS 1.3 records. */
static size_t wire_bytes(size_t len)
{
	size_t records = (len + 16383) / 16384;

	return len + records * (5 + 1 + 16);
}

/* Plaintext bytes a case moves. */
static size_t case_bytes(enum workload w, size_t size)
{
	if (w == WL_WRITE_1K)
		return size / 8 > (1u << 20) ? size / 8 : size;
	return size;
}

/* Attach @ulp to @fd and install @sc's keys for direction @optname. */
static void install_keys(int fd, const char *ulp, int optname,
			 const struct suite_ctx *sc)
{
	union ktlso_crypto_info ci;
	size_t len;

	if (ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS13_VERSION, sc->ks->id,
				   &sc->keys, 0)) {
		fprintf(stderr, "%s: no crypto_info for suite 0x%04x\n", PROG,
			sc->ks->id);
		exit(1);
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		tool_die(PROG, ulp);
	if (setsockopt(fd, SOL_TLS, optname, &ci, len))
		tool_die(PROG, optname == TLS_TX ? "setsockopt(SOL_TLS, TLS_TX)" :
						    "setsockopt(SOL_TLS, TLS_RX)");
	ktlso_crypto_info_clear(&ci);
}

/* Seal @size bytes of the stream into full records under @keys, as a peer would. */
static uint8_t *seal_stream(uint16_t suite_id,
			    const struct ktlso_traffic_keys *keys, size_t size,
			    size_t *wire_len)
{
	struct ktlso_record_protection rp;
	size_t off = 0, pos = 0, cap = wire_bytes(size);
	uint8_t *wire = malloc(cap);

	if (!wire)
		tool_die(PROG, "malloc");
	if (ktlso_record_init(&rp, KTLSO_TLS13_VERSION, suite_id, keys, 0,
			      true)) {
		fprintf(stderr, "%s: cannot key the record layer\n", PROG);
		exit(1);
	}
	while (off < size) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;
		size_t got;

		if (ktlso_record_seal(&rp, KTLSO_CONTENT_APPLICATION_DATA,
				      (const uint8_t *)pattern, n, 0,
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

/* The peer of a transmit case: reads and discards the records. */
struct drain {
	int fd;
	size_t got;
	int err;
	double cpu;
};

static void *drain(void *arg)
{
	struct drain *d = arg;
	const size_t cap = 1 << 18;
	char *buf = malloc(cap);
	double c0 = thread_cpu();

	if (!buf)
		tool_die(PROG, "malloc");
	for (;;) {
		ssize_t r = read(d->fd, buf, cap);

		if (r <= 0) {
			d->err = r < 0 ? errno : 0;
			break;
		}
		d->got += (size_t)r;
	}
	d->cpu = thread_cpu() - c0;
	free(buf);
	return NULL;
}

/* The peer of a receive case: writes sealed records as plain TCP bytes. */
struct feed {
	int fd;
	const uint8_t *wire;
	size_t len;
	int err;
	double cpu;
};

static void *feed(void *arg)
{
	struct feed *f = arg;
	double c0 = thread_cpu();
	size_t done = 0;

	while (done < f->len) {
		ssize_t n = write(f->fd, f->wire + done, f->len - done);

		if (n <= 0) {
			f->err = n < 0 ? errno : EPIPE;
			break;
		}
		done += (size_t)n;
	}
	shutdown(f->fd, SHUT_WR);
	f->cpu = thread_cpu() - c0;
	return NULL;
}

/* One measurement: MB/s and CPU s/GB, or n/a. */
struct sample {
	double mbps, cpu_gb;
	bool na;
};

/*
 * One chunk of a transmit case, at @done bytes into the file; > 0 bytes
 * sent, or exits.  @chunk: the stream's buffer for libssl's file reads.
 */
static size_t tx_step(enum sys s, enum workload w, int fd, SSL *ssl, int file,
		      size_t done, size_t left, char *chunk)
{
	size_t len = left < wls[w].chunk ? left : wls[w].chunk;
	const char *buf = pattern + done % CHUNK;
	off_t off = (off_t)done;
	ssize_t n;

	if (wls[w].sendfile && is_ulp(s)) {
		n = sendfile(fd, file, &off, left);
		if (n <= 0)
			tool_die(PROG, "sendfile");
		return (size_t)n;
	}
	if (wls[w].sendfile && s == SYS_OSSL_KTLS) {
		n = SSL_sendfile(ssl, file, off, left, 0);
		if (n <= 0)
			tool_die(PROG, "SSL_sendfile");
		return (size_t)n;
	}
	if (wls[w].sendfile) {
		n = pread(file, chunk, len, off);
		if (n <= 0)
			tool_die(PROG, "pread");
		len = (size_t)n;
		buf = chunk;
	}
	/* pattern is 5 chunks long: any offset within one has a chunk after it. */
	n = ssl ? SSL_write(ssl, buf, (int)len) : write(fd, buf, len);
	if (n <= 0)
		tool_die(PROG, ssl ? "SSL_write" : "write");
	return (size_t)n;
}

/* Set up @s's TLS on @cfd (the sender; @sfd is the peer); NULL for a ULP. */
static SSL *tx_setup(enum sys s, struct suite_ctx *sc, int cfd, int sfd,
		     bool *na)
{
	struct bench_ssl *b = s == SYS_LIBSSL ? &sc->ssl : &sc->ossl_ktls;
	SSL *ssl;

	*na = false;
	if (is_ulp(s)) {
		install_keys(cfd, sys_ulps[s], TLS_TX, sc);
		return NULL;
	}
	ssl = bench_ssl_pair(b, cfd, sfd, NULL);
	if (!ssl) {
		fprintf(stderr, "%s: %s: handshake failed\n", PROG, sys_names[s]);
		exit(1);
	}
	if (s == SYS_OSSL_KTLS && !BIO_get_ktls_send(SSL_get_wbio(ssl))) {
		SSL_free(ssl);
		*na = true;
	}
	return *na ? NULL : ssl;
}

/* One connection of a transmit case: its sender and its peer. */
struct tx_stream {
	enum sys s;
	enum workload w;
	int cfd, sfd, file;
	SSL *ssl;
	size_t size;
	struct drain d;
	pthread_t drain_th, send_th;
	char chunk[CHUNK];
};

static void *tx_send(void *arg)
{
	struct tx_stream *t = arg;
	size_t done = 0;

	while (done < t->size)
		done += tx_step(t->s, t->w, t->cfd, t->ssl, t->file, done,
				t->size - done, t->chunk);
	SSL_free(t->ssl);
	close(t->cfd);
	return NULL;
}

/*
 * A transmit case: @size bytes over wls[@w].streams connections at once,
 * each with a sending and a draining thread.
 */
static struct sample run_tx(enum sys s, enum workload w, struct suite_ctx *sc,
			    int file, size_t size)
{
	unsigned int i, n = wls[w].streams;
	/* Whole chunks each, from the file's start; the last takes the rest. */
	size_t each = size / n / CHUNK * CHUNK;
	struct sample res = { 0 };
	struct tx_stream *t = calloc(n, sizeof(*t));
	double t0, t1, b0, b1, peer_cpu = 0;
	size_t got = 0;

	if (!t)
		tool_die(PROG, "calloc");
	for (i = 0; i < n; i++) {
		tool_tcp_pair(PROG, &t[i].cfd, &t[i].sfd);
		t[i].ssl = tx_setup(s, sc, t[i].cfd, t[i].sfd, &res.na);
		t[i].s = s;
		t[i].w = w;
		t[i].file = file;
		t[i].size = i + 1 < n ? each : size - (n - 1) * each;
		t[i].d.fd = t[i].sfd;
		if (res.na) {
			do {
				SSL_free(t[i].ssl);
				close(t[i].cfd);
				close(t[i].sfd);
			} while (i-- > 0);
			free(t);
			return res;
		}
	}
	b0 = machine_busy();
	t0 = now();
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i].drain_th, NULL, drain, &t[i].d) ||
		    pthread_create(&t[i].send_th, NULL, tx_send, &t[i]))
			tool_die(PROG, "pthread_create");
	for (i = 0; i < n; i++) {
		pthread_join(t[i].send_th, NULL);
		pthread_join(t[i].drain_th, NULL);
	}
	t1 = now();
	b1 = machine_busy();
	for (i = 0; i < n; i++) {
		if (t[i].d.err) {
			errno = t[i].d.err;
			tool_die(PROG, "read");
		}
		/* Every byte must have gone out, sealed: a tag per 16 KiB at least. */
		if (t[i].d.got < wire_bytes(t[i].size)) {
			fprintf(stderr, "%s: %s: %zu bytes on the wire, expected at least %zu\n",
				PROG, sys_names[s], t[i].d.got,
				wire_bytes(t[i].size));
			exit(1);
		}
		got += t[i].size;
		peer_cpu += t[i].d.cpu;
		close(t[i].sfd);
	}
	free(t);
	res.mbps = (double)got / (t1 - t0) / 1e6;
	res.cpu_gb = (b1 - b0 - peer_cpu) / ((double)got / 1e9);
	return res;
}

/*
 * A libssl receiver, its handshake done on @sfd (the client's end); the
 * records it will read sealed into @wire under the session's keys.
 */
static SSL *rx_ssl_setup(enum sys s, struct suite_ctx *sc, int cfd, int sfd,
			 size_t size, uint8_t **wire, size_t *wire_len,
			 bool *na)
{
	struct bench_ssl *b = s == SYS_LIBSSL ? &sc->ssl : &sc->ossl_ktls;
	struct ktlso_traffic_keys keys;
	SSL *srv, *cli = NULL;

	srv = bench_ssl_pair(b, cfd, sfd, &cli);
	if (!srv) {
		fprintf(stderr, "%s: %s: handshake failed\n", PROG, sys_names[s]);
		exit(1);
	}
	SSL_free(srv);		/* the feed writes raw on cfd from here */
	if (s == SYS_OSSL_KTLS && !BIO_get_ktls_recv(SSL_get_rbio(cli))) {
		SSL_free(cli);
		*na = true;
		return NULL;
	}
	if (ktlso_tls13_traffic_keys(sc->ks, b->secret, &keys)) {
		fprintf(stderr, "%s: cannot derive the server's keys\n", PROG);
		exit(1);
	}
	*wire = seal_stream(sc->ks->id, &keys, size, wire_len);
	ktlso_traffic_keys_clear(&keys);
	return cli;
}

/* Receive @size bytes with 16 KiB reads, each byte checked. */
static struct sample run_rx(enum sys s, enum workload w, struct suite_ctx *sc,
			    size_t size)
{
	struct feed f = { 0 };
	static char buf[CHUNK];
	struct sample res = { 0 };
	uint8_t *own_wire = NULL;
	double t0, t1, b0, b1;
	size_t got = 0;
	int cfd, sfd, one = 1;
	pthread_t th;
	SSL *ssl = NULL;

	if (w == WL_READ_NOPAD && !is_ulp(s)) {
		res.na = true;
		return res;
	}
	tool_tcp_pair(PROG, &cfd, &sfd);
	if (is_ulp(s)) {
		/* Sealed once per suite, on first use (not in a profile of others). */
		if (!sc->wire)
			sc->wire = seal_stream(sc->ks->id, &sc->keys, size,
					       &sc->wire_len);
		f.wire = sc->wire;
		f.len = sc->wire_len;
		install_keys(sfd, sys_ulps[s], TLS_RX, sc);
		if (w == WL_READ_NOPAD &&
		    setsockopt(sfd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
			       sizeof(one)))
			tool_die(PROG, "setsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD)");
	} else {
		ssl = rx_ssl_setup(s, sc, cfd, sfd, size, &own_wire, &f.len,
				   &res.na);
		if (res.na) {
			close(cfd);
			close(sfd);
			return res;
		}
		f.wire = own_wire;
	}
	f.fd = cfd;
	b0 = machine_busy();
	t0 = now();
	if (pthread_create(&th, NULL, feed, &f))
		tool_die(PROG, "pthread_create");
	while (got < size) {
		ssize_t n = ssl ? SSL_read(ssl, buf, sizeof(buf)) :
				  read(sfd, buf, sizeof(buf));

		if (n <= 0) {
			fprintf(stderr, "%s: %s: read ended at byte %zu of %zu: %s\n",
				PROG, sys_names[s], got, size,
				n < 0 ? strerror(errno) : "end of stream");
			exit(1);
		}
		if ((size_t)n > size - got ||
		    memcmp(buf, pattern + got % CHUNK, (size_t)n)) {
			fprintf(stderr, "%s: %s: wrong plaintext at byte %zu\n",
				PROG, sys_names[s], got);
			exit(1);
		}
		got += (size_t)n;
	}
	pthread_join(th, NULL);
	t1 = now();
	b1 = machine_busy();
	if (f.err) {
		errno = f.err;
		tool_die(PROG, "write");
	}
	SSL_free(ssl);
	free(own_wire);
	close(cfd);
	close(sfd);
	res.mbps = (double)size / (t1 - t0) / 1e6;
	res.cpu_gb = (b1 - b0 - f.cpu) / ((double)size / 1e9);
	return res;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, min and max of a case's runs; NAN if any run was n/a. */
struct summary {
	double mbps, lo, hi, cpu_gb;
};

static struct summary summarize(struct sample *runs, int n)
{
	double mb[MAX_RUNS], cpu[MAX_RUNS];
	struct summary sum = { NAN, NAN, NAN, NAN };
	int i;

	for (i = 0; i < n; i++) {
		if (runs[i].na)
			return sum;
		mb[i] = runs[i].mbps;
		cpu[i] = runs[i].cpu_gb;
	}
	qsort(mb, n, sizeof(mb[0]), cmp_double);
	qsort(cpu, n, sizeof(cpu[0]), cmp_double);
	sum.mbps = mb[n / 2];
	sum.lo = mb[0];
	sum.hi = mb[n - 1];
	sum.cpu_gb = cpu[n / 2];
	return sum;
}

static void bar(double v, double max)
{
	int i, n = max > 0 && !isnan(v) ? (int)(v / max * 30 + 0.5) : 0;

	for (i = 0; i < n; i++)
		putchar('#');
}

static void print_ratio(const char *what, enum sys other,
			const struct summary *row)
{
	const struct summary *a = &row[SYS_KTLSO], *b = &row[other];

	if (isnan(a->mbps) || isnan(b->mbps))
		return;
	printf("%-14s  ktlso / %-9s  MB/s %.2f, CPU per GB %.2f%s\n", "",
	       sys_names[other], a->mbps / b->mbps, a->cpu_gb / b->cpu_gb,
	       what);
}

/* The tables of one suite, and its lines of the TSV file. */
static void report_suite(const struct suite_ctx *sc,
			 struct summary sum[WL_NUM][SYS_NUM], FILE *tsv)
{
	double max = 0;
	unsigned int w, s;

	for (w = 0; w < WL_NUM; w++)
		for (s = 0; s < SYS_NUM; s++)
			if (!isnan(sum[w][s].mbps) && sum[w][s].mbps > max)
				max = sum[w][s].mbps;
	printf("TLS 1.3 %s\n", suites[sc->idx].label);
	printf("%-14s  %-9s  %7s  %13s  %8s  %s\n", "workload", "system",
	       "MB/s", "(min-max)", "CPU s/GB", sc->ceiling > 0 ? "of ceiling" : "");
	for (w = 0; w < WL_NUM; w++) {
		for (s = 0; s < SYS_NUM && isnan(sum[w][s].mbps); s++)
			;
		if (s == SYS_NUM)	/* not run (--workloads, --systems) */
			continue;
		for (s = 0; s < SYS_NUM; s++) {
			const struct summary *x = &sum[w][s];

			if (w == WL_READ_NOPAD && !is_ulp(s))
				continue;
			printf("%-14s  %-9s  ", s ? "" : wls[w].name, sys_names[s]);
			if (isnan(x->mbps)) {
				printf("%7s\n", "n/a");
				continue;
			}
			printf("%7.1f  (%5.1f-%5.1f)  %8.1f  ", x->mbps, x->lo,
			       x->hi, x->cpu_gb);
			if (sc->ceiling > 0)
				printf("%9.0f%%  ", 100 * x->mbps / sc->ceiling);
			bar(x->mbps, max);
			putchar('\n');
			if (tsv)
				fprintf(tsv, "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\n",
					suites[sc->idx].key, wls[w].key,
					sys_names[s], x->mbps, x->lo, x->hi,
					x->cpu_gb, sc->ceiling > 0 ?
					x->mbps / sc->ceiling : 0);
		}
		print_ratio("", SYS_KTLS, sum[w]);
		print_ratio(wls[w].sendfile ? " (goal: CPU <= 0.6)" : "",
			    SYS_LIBSSL, sum[w]);
		print_ratio("", SYS_OSSL_KTLS, sum[w]);
	}
	if (sc->ceiling > 0)
		printf("ceiling: the kernel's %s alone, %.1f MB/s\n",
		       suites[sc->idx].label, sc->ceiling);
	putchar('\n');
}

static void suite_setup(struct suite_ctx *sc, unsigned int idx)
{
	const struct ktlso_aead_info *aead;

	sc->idx = idx;
	sc->ks = ktlso_suite_find(suites[idx].id);
	aead = sc->ks ? ktlso_aead_info(sc->ks->aead) : NULL;
	if (!aead || bench_ssl_init(&sc->ssl, sc->ks->name, false) ||
	    bench_ssl_init(&sc->ossl_ktls, sc->ks->name, true)) {
		fprintf(stderr, "%s: cannot set up %s\n", PROG,
			suites[idx].label);
		exit(1);
	}
	sc->keys.key_len = aead->key_len;
	sc->keys.iv_len = KTLSO_AEAD_NONCE_LEN;
	memset(sc->keys.key, BENCH_KEY, aead->key_len);
	memset(sc->keys.iv, BENCH_IV, KTLSO_AEAD_NONCE_LEN);
}

static void suite_free(struct suite_ctx *sc)
{
	bench_ssl_free(&sc->ssl);
	bench_ssl_free(&sc->ossl_ktls);
	ktlso_traffic_keys_clear(&sc->keys);
	free(sc->wire);
}

static const char *suite_name(unsigned int i)
{
	return suites[i].key;
}

static const char *system_name(unsigned int i)
{
	return sys_names[i];
}

static const char *workload_name(unsigned int i)
{
	return wls[i].key;
}

/* Which of the @n names @name_of gives is @key (@len bytes); -1 if none. */
static int name_index(const char *key, size_t len, unsigned int n,
		      const char *(*name_of)(unsigned int i))
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strlen(name_of(i)) == len && !strncmp(name_of(i), key, len))
			return (int)i;
	return -1;
}

/*
 * --suites, --workloads or --systems a,b: which of the @n named by
 * @name_of run.  Returns -1 on a name it does not know.
 */
static int parse_list(const char *arg, bool *want, unsigned int n,
		      const char *(*name_of)(unsigned int i))
{
	const char *p = arg;

	memset(want, 0, n * sizeof(want[0]));
	while (*p) {
		size_t len = strcspn(p, ",");
		int i = name_index(p, len, n, name_of);

		if (i < 0)
			return -1;
		want[i] = true;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* --ceiling aes128gcm=40.1,...: the kernel's crypto ceiling per suite. */
static int parse_ceiling(const char *arg, double ceiling[NUM_SUITES])
{
	const char *p = arg;

	while (*p) {
		size_t len = strcspn(p, "=,");
		int i = name_index(p, len, NUM_SUITES, suite_name);
		char *end;

		if (i < 0 || p[len] != '=')
			return -1;
		errno = 0;
		ceiling[i] = strtod(p + len + 1, &end);
		if (errno || end == p + len + 1 || (*end && *end != ',') ||
		    !(ceiling[i] > 0))
			return -1;
		p = end + (*end == ',');
	}
	return 0;
}

/* The usage on @f, then exit with @status. */
static _Noreturn void usage(FILE *f, int status)
{
	fprintf(f, "usage: ktlso-bench [--size MiB] [--runs N] [--suites LIST]\n"
		"                   [--workloads LIST] [--systems LIST]\n"
		"                   [--ceiling SUITE=MB/s,...] [--tsv FILE]\n"
		"       ktlso-bench --version | --help\n"
		"  --size MiB       bytes per case (default 32, at most 1024)\n"
		"  --runs N         runs per case, median reported (default 3, at most %d)\n"
		"  --suites LIST    aes128gcm, aes256gcm, chacha20 (default: all)\n"
		"  --workloads LIST write-1k, write-16k, sendfile, sendfile-x4, read-16k,\n"
		"                   read-16k-nopad (default: all)\n"
		"  --systems LIST   ktlso, kTLS, libssl, ossl+kTLS (default: all)\n"
		"  --ceiling SUITE=MB/s,...  the kernel's crypto alone per suite\n"
		"                   (scripts/crypto-ceiling): figures as its share\n"
		"  --tsv FILE       the figures as tab-separated values too\n"
		"  --version        print the version, exit\n"
		"  --help           this text\n"
		"LISTs are ','-separated.\n", MAX_RUNS);
	exit(status);
}

int main(int argc, char **argv)
{
	static struct sample runs[WL_NUM][SYS_NUM][MAX_RUNS];
	struct summary sum[WL_NUM][SYS_NUM];
	double ceiling[NUM_SUITES] = { 0 };
	bool want[NUM_SUITES] = { true, true, true };
	bool want_wl[WL_NUM] = { true, true, true, true, true, true };
	bool want_sys[SYS_NUM] = { true, true, true, true };
	unsigned long mib = 32;
	const char *tsv_path = NULL;
	FILE *tsv = NULL;
	int nruns = 3, file, opt, r;
	unsigned int i, w, s;
	struct utsname u;
	char *end;
	size_t size;

	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ "suites", required_argument, NULL, 'S' },
		{ "workloads", required_argument, NULL, 'w' },
		{ "systems", required_argument, NULL, 'y' },
		{ "ceiling", required_argument, NULL, 'c' },
		{ "tsv", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	while ((opt = getopt_long(argc, argv, "s:r:S:w:y:c:t:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			errno = 0;
			mib = strtoul(optarg, &end, 10);
			if (errno || *end || !mib || mib > 1024)
				usage(stderr, EX_USAGE);
			break;
		case 'r': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > MAX_RUNS)
				usage(stderr, EX_USAGE);
			nruns = (int)v;
			break;
		}
		case 'S':
			if (parse_list(optarg, want, NUM_SUITES, suite_name))
				usage(stderr, EX_USAGE);
			break;
		case 'w':
			if (parse_list(optarg, want_wl, WL_NUM, workload_name))
				usage(stderr, EX_USAGE);
			break;
		case 'y':
			if (parse_list(optarg, want_sys, SYS_NUM, system_name))
				usage(stderr, EX_USAGE);
			break;
		case 'c':
			if (parse_ceiling(optarg, ceiling)) {
				fprintf(stderr, "%s: --ceiling %s: not SUITE=MB/s,...\n",
					PROG, optarg);
				exit(EX_USAGE);
			}
			break;
		case 't':
			tsv_path = optarg;
			break;
		case 'V':
			print_package_version(PROG);
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EX_USAGE);
	size = (size_t)mib << 20;

	/* Five chunks, so that any offset within one has a whole chunk after it. */
	pattern = malloc(CHUNK * 5);
	if (!pattern)
		tool_die(PROG, "malloc");
	for (i = 0; i < CHUNK * 5; i++)
		pattern[i] = (char)(i * 131u >> 3);
	file = memfd_create("ktlso-bench", 0);
	if (file < 0)
		tool_die(PROG, "memfd_create");
	for (i = 0; i < size; i += CHUNK)
		if (write(file, pattern, CHUNK) != (ssize_t)CHUNK)
			tool_die(PROG, "write file");
	if (tsv_path) {
		tsv = fopen(tsv_path, "w");
		if (!tsv)
			tool_die(PROG, tsv_path);
		fprintf(tsv, "suite\tworkload\tsystem\tmbps\tmbps_min\tmbps_max\tcpu_s_per_gb\tof_ceiling\n");
	}

	uname(&u);
	printf("ktlso-bench: TLS 1.3, Linux %s, %zu MiB per case (1 KiB writes:"
	       " %zu MiB), median of %d runs\n", u.release, size >> 20,
	       case_bytes(WL_WRITE_1K, size) >> 20, nruns);
	printf("CPU s/GB: the machine's busy time (/proc/stat) less the peer threads'\n\n");
	for (i = 0; i < NUM_SUITES; i++) {
		struct suite_ctx sc = { .ceiling = ceiling[i] };

		if (!want[i])
			continue;
		suite_setup(&sc, i);
		for (w = 0; w < WL_NUM; w++) {
			size_t bytes = case_bytes(w, size);

			if (!want_wl[w]) {
				for (s = 0; s < SYS_NUM; s++)
					sum[w][s] = (struct summary){ NAN, NAN, NAN, NAN };
				continue;
			}
			/* The systems take turns, so drift in the host's load hits all. */
			for (r = 0; r < nruns; r++)
				for (s = 0; s < SYS_NUM; s++)
					runs[w][s][r] = !want_sys[s] ?
						(struct sample){ .na = true } :
						wls[w].rx ?
						run_rx(s, w, &sc, bytes) :
						run_tx(s, w, &sc, file, bytes);
			for (s = 0; s < SYS_NUM; s++)
				sum[w][s] = summarize(runs[w][s], nruns);
		}
		report_suite(&sc, sum, tsv);
		suite_free(&sc);
	}
	if (tsv && fclose(tsv))
		tool_die(PROG, tsv_path);
	free(pattern);
	close(file);
	return 0;
}
