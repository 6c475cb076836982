// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures injected into ktlso's calls, on the calling thread
 * only, with the kernel's fault injection (failslab and fail_page_alloc,
 * Documentation/fault-injection/fault-injection.rst): task-filter=Y and
 * /proc/self/task/<tid>/make-it-fail=1 around the one call under test,
 * ignore-gfp-wait=N (sleeping allocations fail too), min-order=0 (single
 * pages too), verbose=0.  ignore-gfp-highmem stays Y: the test's own page
 * faults (user memory is highmem-capable) are spared.  times is set to a
 * large budget and read back, so each case knows how many allocations
 * were failed and cannot pass without any.
 *
 * Each case runs its call up to ITERATIONS times (or CASE_SECONDS) with
 * failures injected, turns injection off after every call, then checks:
 *
 *  - the call succeeded, or failed with one of the errnos written down at
 *    the case (ENOMEM, and why any other);
 *  - nothing was lost or corrupted: what a send reported as sent reaches
 *    in-tree kTLS RX on the peer intact and in order; what a recv, a peek
 *    or a splice returned is the stream the in-tree kTLS peer sent;
 *  - a failed TLS_TX / TLS_RX installed nothing (getsockopt says EBUSY,
 *    the counters did not move) and a retry without injection succeeds; a
 *    failed attach took no module reference; a failed KTLSO_HANDSHAKE
 *    queued nothing and may be asked again;
 *  - an ENOMEM is not sticky: the next call without injection works.
 *
 * Skips without /sys/kernel/debug/failslab (Debian's kernels lack
 * CONFIG_FAILSLAB); the debug kernel (make check-debug) has it.  Needs
 * root, and runs in the VM.
 */

#include <sys/syscall.h>

#include "ktlso_daemon.h"
#include "ktlso_genl.h"
#include "tls13_sched.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define FAIL_PAGE	"/sys/kernel/debug/fail_page_alloc"
#define FI_TIMES	1000000		/* budget of failures, read back */

#define ITERATIONS	200
#define CASE_SECONDS	20		/* each loop stops here at the latest */
#define CASE_TIMEOUT	90		/* the harness's, per test */

/* --- the fault injection ---------------------------------------------- */

struct fi {
	int ctl;		/* this thread's make-it-fail, for writing */
};

static int fi_set(const char *dir, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return ktlso_write_str(path, val);
}

static long fi_get(const char *dir, const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return ktlso_read_long(path);
}

#define SKIP_WITHOUT_FI() do {						\
	if (access(FAILSLAB, F_OK))					\
		SKIP(return, "no %s: this kernel has no failslab "	\
		     "(CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)",	\
		     FAILSLAB);						\
	if (geteuid())							\
		SKIP(return, "needs root");				\
} while (0)

/* Open the calling thread's make-it-fail; 0 or -errno. */
static int fi_open_ctl(struct fi *fi)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail",
		 (long)syscall(SYS_gettid));
	fi->ctl = open(path, O_WRONLY);
	return fi->ctl < 0 ? -errno : 0;
}

/* Set @attr of failslab and fail_page_alloc alike. */
static void fi_set_both(struct __test_metadata *_metadata, const char *attr,
			const char *val)
{
	ASSERT_EQ(0, fi_set(FAILSLAB, attr, val) ?:
		     fi_set(FAIL_PAGE, attr, val)) {
		TH_LOG("setting %s", attr);
	}
}

/*
 * Fail allocations with @probability percent, for tasks with make-it-fail
 * only, and open this thread's switch (off).
 */
static void fi_arm(struct __test_metadata *_metadata, struct fi *fi,
		   int probability)
{
	static const char *const attrs[][2] = {
		{ "probability", "0" },		/* quiet while set up */
		{ "task-filter", "Y" },
		{ "ignore-gfp-wait", "N" },
		{ "interval", "1" },
		{ "space", "0" },
		{ "verbose", "0" },
	};
	char p[16], t[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		fi_set_both(_metadata, attrs[i][0], attrs[i][1]);
	snprintf(t, sizeof(t), "%d", FI_TIMES);
	fi_set_both(_metadata, "times", t);
	ASSERT_EQ(0, fi_set(FAILSLAB, "cache-filter", "N"));
	ASSERT_EQ(0, fi_set(FAIL_PAGE, "min-order", "0"));
	ASSERT_EQ(0, fi_set(FAIL_PAGE, "ignore-gfp-highmem", "Y"));
	ASSERT_EQ(0, fi_open_ctl(fi));
	snprintf(p, sizeof(p), "%d", probability);
	fi_set_both(_metadata, "probability", p);
}

static void fi_on(struct fi *fi)
{
	if (write(fi->ctl, "1", 1) != 1)
		abort();
}

/* Nothing in this write allocates; still, insist (errno is kept). */
static void fi_off(struct fi *fi)
{
	int err = errno, i;

	for (i = 0; i < 1000; i++)
		if (write(fi->ctl, "0", 1) == 1) {
			errno = err;
			return;
		}
	abort();
}

/* Allocations failed since fi_arm(). */
static long fi_injected(void)
{
	return (FI_TIMES - fi_get(FAILSLAB, "times")) +
	       (FI_TIMES - fi_get(FAIL_PAGE, "times"));
}

static void fi_disarm(struct fi *fi)
{
	if (fi->ctl >= 0) {
		fi_off(fi);
		close(fi->ctl);
		fi->ctl = -1;
	}
	fi_set(FAILSLAB, "probability", "0");
	fi_set(FAIL_PAGE, "probability", "0");
}

/* --- common ----------------------------------------------------------- */

/* The stream the data cases move: byte o is src[o % PERIOD]. */
#define PERIOD		250000
#define MAX_CHUNK	102400

static uint8_t *stream_src(struct __test_metadata *_metadata)
{
	uint8_t *src = malloc(PERIOD + MAX_CHUNK);

	ASSERT_NE(NULL, src);
	ktlso_fill(src, PERIOD, 0x5eed);
	memcpy(src + PERIOD, src, MAX_CHUNK);
	return src;
}

static const uint8_t *stream_at(const uint8_t *src, size_t off)
{
	return src + off % PERIOD;
}

/* Wait up to 5 s for counter @name to read @want. */
static bool stat_settles(const char *name, long want)
{
	int i;

	for (i = 0; i < 500 && ktlso_stat(name) != want; i++)
		usleep(10000);
	return ktlso_stat(name) == want;
}

/* --- attaching -------------------------------------------------------- */

FIXTURE(attach) {
	struct fi fi;
};

FIXTURE_SETUP(attach)
{
	self->fi.ctl = -1;
}

FIXTURE_TEARDOWN(attach)
{
	fi_disarm(&self->fi);
}

/*
 * setsockopt(TCP_ULP, "ktlso"): 0, or ENOMEM (the context could not be
 * allocated), after which the socket has no ULP, the module reference the
 * TCP core took is dropped, and attaching again works.
 */
TEST_F_TIMEOUT(attach, attach, CASE_TIMEOUT)
{
	int i, r, cfd, sfd, ok = 0, enomem = 0;
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, injected;
	char name[16], c = 'x';
	socklen_t len;

	SKIP_WITHOUT_FI();
	/* Loaded, and nothing holds it. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ktlso_close_now(cfd);
	close(sfd);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));

	fi_arm(_metadata, &self->fi, 30);
	for (i = 0; i < ITERATIONS && ktlso_now_ms() < end; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(i % 2 ? AF_INET6 : AF_INET, &cfd,
					    &sfd));
		fi_on(&self->fi);
		r = ktlso_attach(cfd);
		fi_off(&self->fi);
		if (r) {
			ASSERT_EQ(-ENOMEM, r) {
				TH_LOG("attach %d: %s", i, strerror(-r));
			}
			enomem++;
			len = sizeof(name);
			ASSERT_EQ(0, getsockopt(cfd, SOL_TCP, TCP_ULP, name,
						&len));
			EXPECT_EQ(0u, len);
			ASSERT_EQ(0, ktlso_attach(cfd));
		} else {
			ok++;
		}
		/* Pass-through both ways. */
		ASSERT_EQ(1, write(cfd, &c, 1));
		ASSERT_EQ(1, read(sfd, &c, 1));
		ASSERT_EQ(1, write(sfd, &c, 1));
		ASSERT_EQ(1, read(cfd, &c, 1));
		ktlso_close_now(cfd);
		close(sfd);
	}
	injected = fi_injected();
	fi_disarm(&self->fi);
	TH_LOG("%d attaches: %d ok, %d ENOMEM; %ld allocations failed",
	       i, ok, enomem, injected);
	EXPECT_GT(injected, 0);
	EXPECT_GT(enomem, 0);
	/* No reference leaked by a failed attach. */
	EXPECT_TRUE(ktlso_wait_refcnt(0, 5000));
}

/* --- TLS_TX and TLS_RX ------------------------------------------------ */

FIXTURE(keys) {
	struct fi fi;
	struct tls_keys k;
};

FIXTURE_VARIANT(keys) {
	uint16_t version;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(keys, tls12_aes_gcm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(keys, tls13_aes_gcm_128)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(keys, tls13_aes_gcm_256)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_GCM_256,
};

FIXTURE_VARIANT_ADD(keys, tls12_chacha20_poly1305)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_CHACHA20_POLY1305,
};

FIXTURE_VARIANT_ADD(keys, tls13_chacha20_poly1305)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_CHACHA20_POLY1305,
};

FIXTURE_VARIANT_ADD(keys, tls12_aes_ccm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_CCM_128,
};

FIXTURE_SETUP(keys)
{
	self->fi.ctl = -1;
	keys_init(&self->k, variant->version, variant->cipher, 0, SEQ_START);
}

FIXTURE_TEARDOWN(keys)
{
	fi_disarm(&self->fi);
}

/*
 * One connection: ktlso on @fd with keys @opt (TLS_TX or TLS_RX) set by
 * the caller, in-tree kTLS on @peer for the other direction; a message
 * must cross.
 */
static void expect_records_cross(struct __test_metadata *_metadata, int fd,
				 int peer, int opt, struct tls_keys *k, int i)
{
	char msg[32], got[32] = { 0 };
	int n = snprintf(msg, sizeof(msg), "message %d", i);
	int from = opt == TLS_TX ? fd : peer, to = opt == TLS_TX ? peer : fd;

	ASSERT_EQ(0, ulp_attach(peer, "tls"));
	ASSERT_EQ(0, keys_install(peer, opt == TLS_TX ? TLS_RX : TLS_TX, k));
	set_rcvtimeo(to, RCV_TIMEOUT_S);
	ASSERT_EQ(0, ktlso_write_all(from, msg, n));
	ASSERT_EQ(0, ktlso_read_all(to, got, n));
	ASSERT_EQ(0, memcmp(msg, got, n));
}

/*
 * The end of a case of @calls key installs (@what) with keys @opt of
 * cipher @name: injection off, the counts logged (@ok at once, @enomem
 * after an ENOMEM), and allocations failed and calls met it.
 */
static void install_case_end(struct __test_metadata *_metadata,
			     struct fi *fi, int opt, const char *name,
			     const char *what, int calls, int ok, int enomem)
{
	long injected = fi_injected();

	fi_disarm(fi);
	TH_LOG("%s %s: %d %s, %d at once, %d after ENOMEM; %ld allocations failed",
	       opt == TLS_TX ? "TLS_TX" : "TLS_RX", name, calls, what, ok,
	       enomem, injected);
	EXPECT_GT(injected, 0);
	EXPECT_GT(enomem, 0);
}

/*
 * setsockopt(TLS_TX or TLS_RX) with allocations failing: 0, or ENOMEM
 * (the state, the AEAD, its request or the record buffer could not be
 * allocated).  A failure installs nothing: getsockopt says EBUSY ("no
 * keys"), TlsTxSw/TlsRxSw count only installs that worked, and the same
 * keys installed again without injection work, records crossing with an
 * in-tree kTLS peer.
 */
static void install_case(struct __test_metadata *_metadata,
			 FIXTURE_DATA(keys) *self, int opt)
{
	const char *total = opt == TLS_TX ? "TlsTxSw" : "TlsRxSw";
	const char *curr = opt == TLS_TX ? "TlsCurrTxSw" : "TlsCurrRxSw";
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, total0, curr0;
	int i, r, cfd, sfd, ok = 0, enomem = 0;
	unsigned char info[CRYPTO_INFO_BUF];
	socklen_t len;

	SKIP_WITHOUT_FI();
	/*
	 * The first use of an AEAD may instantiate and self-test it
	 * (cryptomgr): an allocation failure there is the crypto API's
	 * ENOENT ("no such cipher"), not ktlso's business.  Done here first.
	 */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ASSERT_EQ(0, keys_install(cfd, opt, &self->k)) {
		TH_LOG("%s: %s", self->k.c->name, strerror(errno));
	}
	expect_records_cross(_metadata, cfd, sfd, opt, &self->k, -1);
	ktlso_close_now(cfd);
	close(sfd);
	total0 = ktlso_stat(total);
	ASSERT_TRUE(stat_settles(curr, 0));
	curr0 = ktlso_stat(curr);

	fi_arm(_metadata, &self->fi, 30);
	for (i = 0; i < ITERATIONS && ktlso_now_ms() < end; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		ASSERT_EQ(0, ktlso_attach(cfd));
		fi_on(&self->fi);
		r = keys_install(cfd, opt, &self->k);
		fi_off(&self->fi);
		if (r) {
			ASSERT_EQ(-ENOMEM, r) {
				TH_LOG("install %d: %s", i, strerror(-r));
			}
			enomem++;
			len = sizeof(info);
			EXPECT_EQ(-1, getsockopt(cfd, SOL_TLS, opt, info,
						 &len));
			EXPECT_EQ(EBUSY, errno);
			ASSERT_EQ(0, keys_install(cfd, opt, &self->k));
		} else {
			ok++;
		}
		expect_records_cross(_metadata, cfd, sfd, opt, &self->k, i);
		ktlso_close_now(cfd);
		close(sfd);
	}
	install_case_end(_metadata, &self->fi, opt, self->k.c->name, "installs",
			 i, ok, enomem);
	/* Every socket got its keys exactly once, and freed them. */
	EXPECT_EQ(total0 + i, ktlso_stat(total));
	EXPECT_TRUE(stat_settles(curr, curr0));
}

TEST_F_TIMEOUT(keys, tls_tx_install, CASE_TIMEOUT)
{
	install_case(_metadata, self, TLS_TX);
}

TEST_F_TIMEOUT(keys, tls_rx_install, CASE_TIMEOUT)
{
	install_case(_metadata, self, TLS_RX);
}

/* --- data: transmit and receive ------------------------------------------- */

FIXTURE(data) {
	struct fi fi;
	struct tls_keys k;
	int fd;			/* ktlso */
	int peer;		/* in-tree kTLS */
	uint8_t *src;
	pid_t child;
};

FIXTURE_VARIANT(data) {
	uint16_t version;
};

FIXTURE_VARIANT_ADD(data, tls12_aes_gcm_128)
{
	.version = TLS_1_2_VERSION,
};

FIXTURE_VARIANT_ADD(data, tls13_aes_gcm_128)
{
	.version = TLS_1_3_VERSION,
};

FIXTURE_SETUP(data)
{
	self->fi.ctl = -1;
	self->fd = self->peer = -1;
	self->child = 0;
	self->src = NULL;
	keys_init(&self->k, variant->version, TLS_CIPHER_AES_GCM_128, 0,
		  SEQ_START);
	SKIP_WITHOUT_FI();
	self->src = stream_src(_metadata);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->fd, &self->peer));
	ASSERT_EQ(0, ktlso_attach(self->fd));
	ASSERT_EQ(0, ulp_attach(self->peer, "tls"));
}

FIXTURE_TEARDOWN(data)
{
	fi_disarm(&self->fi);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->fd >= 0)
		ktlso_close_now(self->fd);
	if (self->peer >= 0)
		close(self->peer);
	free(self->src);
}

/* What the reader of the send case saw. */
struct reader_report {
	size_t total;		/* bytes read before EOF or an error */
	ssize_t bad_at;		/* first byte that differs, -1: none */
	int err;		/* read's errno, 0: a clean EOF */
};

/* Read @fd to its end, checking every byte against the stream. */
static void reader_run(int fd, const uint8_t *src, int out)
{
	struct reader_report rep = { .bad_at = -1 };
	uint8_t *buf = malloc(MAX_CHUNK);
	ssize_t n, j;

	alarm(CASE_TIMEOUT);
	set_rcvtimeo(fd, 30);
	while (buf) {
		n = read(fd, buf, MAX_CHUNK);
		if (n <= 0) {
			rep.err = n ? errno : 0;
			break;
		}
		for (j = 0; rep.bad_at < 0 && j < n; j++)
			if (buf[j] != stream_at(src, rep.total)[j])
				rep.bad_at = rep.total + j;
		rep.total += n;
	}
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	_exit(0);
}

/* What send_calls() saw. */
struct send_run {
	int calls;		/* made, the one that failed for good included */
	int shorts, enomem;	/* short counts; ENOMEM, passing or not */
	size_t total;		/* bytes the calls reported sent */
	size_t extra;		/* the length of the call that failed for good */
	bool stuck;		/* one did: ENOMEM for good */
};

/*
 * The calls of the send cases: send() of 1 B, 16 KiB and 100 KiB of the
 * stream and sendfile() of 40000 bytes of it from @mfd, taking turns, each
 * with injection on, up to @max calls or until @end or one fails for good.
 * An ENOMEM is told from the other by one byte sent without injection.
 * @name says whose calls in the log ("" or "round N ").
 */
static void send_calls(struct __test_metadata *_metadata, struct fi *fi,
		       int fd, int mfd, const uint8_t *src, int max, long end,
		       const char *name, struct send_run *run)
{
	static const size_t lens[] = { 1, 16384, MAX_CHUNK, 40000 };
	int i;

	memset(run, 0, sizeof(*run));
	for (i = 0; i < max && ktlso_now_ms() < end; i++) {
		size_t len = lens[i % ARRAY_SIZE(lens)];
		off_t off = run->total % PERIOD;
		ssize_t r;
		int err;

		fi_on(fi);
		if (i % ARRAY_SIZE(lens) == 3)
			r = sendfile(fd, mfd, &off, len);
		else
			r = send(fd, stream_at(src, run->total), len,
				 MSG_NOSIGNAL);
		err = errno;
		fi_off(fi);
		ASSERT_NE(0, r) {
			TH_LOG("%scall %d of %zu bytes returned 0", name, i,
			       len);
		}
		if (r < 0) {
			ASSERT_EQ(ENOMEM, err) {
				TH_LOG("%scall %d of %zu bytes: %s", name, i,
				       len, strerror(err));
			}
			run->enomem++;
			/* Passing, or for good? */
			r = send(fd, stream_at(src, run->total), 1,
				 MSG_NOSIGNAL);
			if (r == 1) {
				run->total++;
				continue;
			}
			ASSERT_EQ(ENOMEM, errno) {
				TH_LOG("after ENOMEM: %s", strerror(errno));
			}
			run->stuck = true;
			run->extra = len;
			i++;
			break;
		}
		ASSERT_LE((size_t)r, len);
		run->shorts += (size_t)r < len;
		run->total += r;
	}
	run->calls = i;
}

/*
 * After send_calls() on @fd: an error that stuck stays, and the socket
 * says so; else the socket works, and nothing it accepted stays behind
 * (one more byte seals whatever stayed open, counted in @run).  Then EOF
 * to the reader *@child, its report (@size bytes at @rep) from @out, and
 * its exit status.
 */
static int send_calls_end(struct __test_metadata *_metadata, int fd,
			  const uint8_t *src, struct send_run *run,
			  pid_t *child, int out, void *rep, size_t size)
{
	int status;

	if (run->stuck) {
		EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
		EXPECT_EQ(ENOMEM, errno);
	} else {
		ASSERT_EQ(0, ktlso_write_all(fd, stream_at(src, run->total),
					     1));
		run->total++;
	}
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	ASSERT_EQ((ssize_t)size, read(out, rep, size));
	ASSERT_EQ(*child, waitpid(*child, &status, 0));
	*child = 0;
	close(out);
	return status;
}

/*
 * send() of 1 B, 16 KiB and 100 KiB and sendfile() of 40000 bytes, taking
 * turns, with allocations failing in the sender (probability 10 %: each
 * failure TCP meets costs it a wait of up to 200 ms).  Outcomes:
 *
 *  - a count, which may be short: a record that could not get pages for
 *    its ciphertext stays open and the bytes before it count as sent
 *    (ktlso_tx_sendmsg());
 *  - ENOMEM: nothing accepted (no page for the ciphertext, no splice
 *    pipe), and the next send without injection works;
 *  - ENOMEM for good: the AEAD itself failed (its walk of scattered
 *    plaintext allocates a bounce buffer, GFP_ATOMIC), which ends the
 *    sending side as any sealing failure does (ktlso_tx_abort(), as
 *    in-tree kTLS, which reports EBADMSG there): every later send says
 *    ENOMEM; the failing call's records sealed before it may have gone
 *    out although it reports none ("returned even after a partial
 *    send", ktlso_sendmsg());
 *
 * never 0.  An ENOMEM is told from the other by one byte sent without
 * injection.  Afterwards one more byte goes through (sealing whatever
 * stayed open), unless the error stuck, and in-tree kTLS RX on the peer
 * reads the bytes the calls reported, intact and in order (with a stuck
 * error, at most the failing call's whole records more), then a clean end.
 */
TEST_F_TIMEOUT(data, send, CASE_TIMEOUT)
{
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, injected;
	struct reader_report rep;
	int mfd, out[2], status;
	struct send_run run;

	ASSERT_EQ(0, keys_install(self->fd, TLS_TX, &self->k));
	ASSERT_EQ(0, keys_install(self->peer, TLS_RX, &self->k));
	mfd = memfd_with(self->src, PERIOD + MAX_CHUNK, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, pipe(out));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(out[0]);
		reader_run(self->peer, self->src, out[1]);
	}
	close(out[1]);
	close(self->peer);
	self->peer = -1;

	fi_arm(_metadata, &self->fi, 10);
	send_calls(_metadata, &self->fi, self->fd, mfd, self->src, ITERATIONS,
		   end, "", &run);
	injected = fi_injected();
	fi_disarm(&self->fi);

	status = send_calls_end(_metadata, self->fd, self->src, &run,
				&self->child, out[0], &rep, sizeof(rep));
	close(mfd);
	TH_LOG("%d calls, %zu bytes: %d short, %d ENOMEM%s; peer read %zu; %ld allocations failed",
	       run.calls, run.total, run.shorts, run.enomem,
	       run.stuck ? " (the last for good)" : "", rep.total, injected);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, rep.err) {
		TH_LOG("in-tree RX: %s", strerror(rep.err));
	}
	EXPECT_EQ(-1, rep.bad_at);
	EXPECT_LE(run.total, rep.total);
	EXPECT_GE(run.total + run.extra, rep.total);
	EXPECT_GT(injected, 0);
}

/* The in-tree kTLS sender of the receive case: the stream, then EOF. */
#define STREAM_LEN	(2 << 20)

static void writer_run(int fd, const uint8_t *src)
{
	static const size_t lens[] = { 1, 100, 5000, 16384, 40000, 16383 };
	size_t off = 0, i;
	int err = 0;

	alarm(CASE_TIMEOUT);
	for (i = 0; !err && off < STREAM_LEN; i++) {
		size_t len = lens[i % ARRAY_SIZE(lens)];

		if (len > STREAM_LEN - off)
			len = STREAM_LEN - off;
		err = ktlso_write_all(fd, stream_at(src, off), len);
		off += len;
	}
	if (!err && shutdown(fd, SHUT_WR))
		err = -errno;
	_exit(-err);
}

/* Do @n bytes of @buf continue the stream at @off? */
static bool stream_matches(const uint8_t *src, size_t off, const uint8_t *buf,
			   size_t n)
{
	return !memcmp(buf, stream_at(src, off), n);
}

enum rx_op { RX_RECV, RX_PEEK, RX_SPLICE, RX_OPS };
static const char *const rx_op_name[] = { "recv", "MSG_PEEK", "splice" };

/*
 * recv(), recv(MSG_PEEK | MSG_WAITALL) over several records, and splice()
 * to a pipe, taking turns, with allocations failing in the reader.
 * Outcomes: bytes; ENOMEM (a peek that had to set a record aside, a
 * splice that got no page for the plaintext), after which a peek of one
 * byte without injection works; or ENOMEM for good: the AEAD failed to
 * open a record (its walk allocates, GFP_ATOMIC), a receive error that is
 * sticky like any other (ktlso_rx_abort(); in-tree kTLS aborts with
 * EBADMSG there) and raises POLLERR.  Never 0 before the end.  Every byte
 * returned continues the stream the in-tree kTLS peer sends; a peek
 * returns what the next read will; unless the error stuck, the rest of
 * the stream and a clean end are read after the loop without injection.
 */
TEST_F_TIMEOUT(data, receive, CASE_TIMEOUT)
{
	static const size_t lens[] = { 1, 65536, 40000, 16384, 7, 30000, 100 };
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, injected;
	int i, p[2], status, enomem[RX_OPS] = { 0 }, done[RX_OPS] = { 0 };
	uint8_t *buf = malloc(65536);
	size_t got = 0;
	bool stuck = false;
	ssize_t r;

	ASSERT_NE(NULL, buf);
	memset(buf, 0, 65536);		/* no page faults under injection */
	ASSERT_EQ(0, keys_install(self->fd, TLS_RX, &self->k));
	if (variant->version == TLS_1_3_VERSION) {
		/* Records decrypted straight into the reader's buffer too. */
		unsigned int one = 1;

		ASSERT_EQ(0, setsockopt(self->fd, SOL_TLS,
					TLS_RX_EXPECT_NO_PAD, &one,
					sizeof(one)));
	}
	ASSERT_EQ(0, keys_install(self->peer, TLS_TX, &self->k));
	ASSERT_EQ(0, pipe(p));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child)
		writer_run(self->peer, self->src);
	close(self->peer);
	self->peer = -1;
	set_rcvtimeo(self->fd, RCV_TIMEOUT_S);

	fi_arm(_metadata, &self->fi, 30);
	for (i = 0; i < ITERATIONS && got < STREAM_LEN && ktlso_now_ms() < end;
	     i++) {
		enum rx_op op = i % RX_OPS;
		size_t len = lens[i % ARRAY_SIZE(lens)];
		int err;

		if (len > STREAM_LEN - got)
			len = STREAM_LEN - got;
		fi_on(&self->fi);
		if (op == RX_RECV)
			r = recv(self->fd, buf, len, 0);
		else if (op == RX_PEEK)
			r = recv(self->fd, buf, len, MSG_PEEK | MSG_WAITALL);
		else
			r = splice(self->fd, NULL, p[1], NULL, len, 0);
		err = errno;
		fi_off(&self->fi);
		ASSERT_NE(0, r) {
			TH_LOG("%s %d: end of stream at %zu of %d",
			       rx_op_name[op], i, got, STREAM_LEN);
		}
		if (r < 0) {
			ASSERT_EQ(ENOMEM, err) {
				TH_LOG("%s %d of %zu bytes: %s",
				       rx_op_name[op], i, len, strerror(err));
			}
			enomem[op]++;
			/* Passing, or for good? */
			r = recv(self->fd, buf, 1, MSG_PEEK);
			if (r == 1) {
				ASSERT_TRUE(stream_matches(self->src, got,
							   buf, 1));
				continue;
			}
			ASSERT_EQ(ENOMEM, errno) {
				TH_LOG("after ENOMEM: %s", strerror(errno));
			}
			stuck = true;
			break;
		}
		ASSERT_LE((size_t)r, len);
		done[op]++;
		if (op == RX_SPLICE)
			ASSERT_EQ(0, ktlso_read_all(p[0], buf, r));
		ASSERT_TRUE(stream_matches(self->src, got, buf, r)) {
			TH_LOG("%s %d: %zd bytes at %zu differ",
			       rx_op_name[op], i, r, got);
		}
		if (op != RX_PEEK)
			got += r;
	}
	injected = fi_injected();
	fi_disarm(&self->fi);

	if (stuck) {
		struct pollfd pfd = { .fd = self->fd, .events = POLLIN };

		/* It stays, and poll says so. */
		EXPECT_EQ(-1, recv(self->fd, buf, 65536, 0));
		EXPECT_EQ(ENOMEM, errno);
		EXPECT_EQ(1, poll(&pfd, 1, 0));
		EXPECT_TRUE(pfd.revents & POLLERR);
		TH_LOG("%d calls, %zu bytes: the last ENOMEM for good; %ld allocations failed",
		       i, got, injected);
		EXPECT_GT(injected, 0);
		goto out;
	}
	/* The rest of the stream, then its end. */
	while (got < STREAM_LEN) {
		r = recv(self->fd, buf, 65536, 0);
		ASSERT_LT(0, r) {
			TH_LOG("at %zu of %d: %s", got, STREAM_LEN,
			       r ? strerror(errno) : "end of stream");
		}
		ASSERT_TRUE(stream_matches(self->src, got, buf, r));
		got += r;
	}
	EXPECT_EQ(0, recv(self->fd, buf, 1, 0));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_EQ(0, status);
	TH_LOG("%d calls: recv %d ok %d ENOMEM, peek %d ok %d ENOMEM, splice %d ok %d ENOMEM; %ld allocations failed",
	       i, done[RX_RECV], enomem[RX_RECV], done[RX_PEEK],
	       enomem[RX_PEEK], done[RX_SPLICE], enomem[RX_SPLICE], injected);
	EXPECT_GT(injected, 0);
out:
	close(p[0]);
	close(p[1]);
	free(buf);
}

/* --- the handshake upcall ------------------------------------------------- */

/*
 * The daemon of these cases: takes every request announced to it (READY,
 * or an overrun of its group socket) and refuses it with EACCES.  With
 * @inject, allocations fail on its thread during each HS_ACCEPT and
 * HS_DONE.  Outcomes it accepts there:
 *
 *  HS_ACCEPT	the request and its descriptor; ENOENT (none pending);
 *		ENOMEM (the reply could not be allocated: the request stays
 *		pending and is taken by the next try); EIO, libnl's word for
 *		a message that never left (netlink_sendmsg: ENOBUFS) or for
 *		an ENOBUFS standing for a message the kernel could not
 *		allocate (the ACK): see hs_daemon_resync().
 *  HS_DONE	0; ENOMEM (attributes not parsed: nothing done, the retry
 *		must work); EIO (as above: done or not, the retry without
 *		injection says 0 or ENOENT, "already done").
 */
struct hs_daemon_cfg {
	bool inject;
	long deadline;
};

struct hs_daemon_report {
	unsigned int accepted, refused, resyncs, unseen;
	unsigned int accept_enomem, accept_eio, done_enomem, done_eio;
	long injected;
	char bad_what[32];
	int bad_err;
};

struct hs_daemon {
	struct ktlso_nl nl;
	struct fi fi;
	struct hs_daemon_report rep;
	struct nl_sock *retired[16];	/* command sockets given up */
	int n_retired;
};

static volatile sig_atomic_t hs_daemon_stop;

static void hs_daemon_on_signal(int sig)
{
	hs_daemon_stop = 1;
}

static void hs_daemon_bad(struct hs_daemon *d, const char *what, int err)
{
	if (!d->rep.bad_err) {
		strncpy(d->rep.bad_what, what, sizeof(d->rep.bad_what) - 1);
		d->rep.bad_err = err;
	}
}

static int hs_nl_ok(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int hs_nl_skip_error(struct sockaddr_nl *nla, struct nlmsgerr *err,
			    void *arg)
{
	return NL_SKIP;
}

/*
 * After EIO the command socket may still hold what the call never read:
 * the kernel queued the reply, then could not allocate the ACK and flagged
 * ENOBUFS, which the next recvmsg() reports before the queued reply.  An
 * HS_ACCEPT reply read that way carries a descriptor installed in this
 * process: a request that is ours.  libnl's sequence count is also one
 * ACK behind for good.  So read whatever is queued, at any sequence
 * number, and go on with a new command socket; the old one is closed once
 * the requests taken through it are finished (closing it fails them).
 *
 * Return: the descriptor of a request accepted unseen, or -1.
 */
static int hs_daemon_resync(struct hs_daemon *d)
{
	struct ktlso_nl_accepted acc = { .fd = -1 };
	struct ktlso_nl_reply r = { .acc = &acc };
	struct nl_sock *old = d->nl.cmd, *fresh;
	int fd = nl_socket_get_fd(old), fl, i;
	struct nl_cb *cb;

	d->rep.resyncs++;
	if (d->n_retired == (int)ARRAY_SIZE(d->retired))
		return -1;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	fresh = nl_socket_alloc();
	if (!cb || !fresh || genl_connect(fresh)) {
		hs_daemon_bad(d, "new command socket", -ENOMEM);
		goto out;
	}
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, hs_nl_ok, NULL);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, hs_nl_ok, NULL);
	nl_cb_err(cb, NL_CB_CUSTOM, hs_nl_skip_error, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ktlso_nl_on_valid, &r);
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	acc.fd = -1;
	for (i = 0; i < 64; i++) {
		int err = nl_recvmsgs(old, cb);

		if (err == 0 || err == -NLE_AGAIN)
			break;
	}
	d->retired[d->n_retired++] = old;
	d->nl.cmd = fresh;
	fresh = NULL;
out:
	if (fresh)
		nl_socket_free(fresh);
	if (cb)
		nl_cb_put(cb);
	if (acc.fd >= 0)
		d->rep.unseen++;
	return acc.fd;
}

/* Close the command sockets given up, once nothing taken through them runs. */
static void hs_daemon_retire(struct hs_daemon *d)
{
	while (d->n_retired)
		nl_socket_free(d->retired[--d->n_retired]);
}

/* Refuse the request on @fd; the report says how. */
static void hs_daemon_refuse(struct hs_daemon *d, int fd)
{
	int err, again, tries, unseen;

	if (d->fi.ctl >= 0)
		fi_on(&d->fi);
	err = ktlso_nl_done(&d->nl, fd, EACCES, 0, 0, NULL, NULL);
	if (d->fi.ctl >= 0)
		fi_off(&d->fi);
	if (!err) {
		d->rep.refused++;
		return;
	}
	if (err == -ENOMEM) {
		d->rep.done_enomem++;
	} else if (err == -EIO) {
		d->rep.done_eio++;
		unseen = hs_daemon_resync(d);
		if (unseen >= 0) {	/* no HS_ACCEPT was under way */
			hs_daemon_bad(d, "HS_DONE: an accept reply", -EPROTO);
			close(unseen);
		}
	} else {
		hs_daemon_bad(d, "HS_DONE", err);
		return;
	}
	for (tries = 0; tries < 3; tries++) {
		again = ktlso_nl_done(&d->nl, fd, EACCES, 0, 0, NULL, NULL);
		if (!again || (again == -ENOENT && err == -EIO)) {
			d->rep.refused++;
			return;
		}
		if (again != -EIO) {
			hs_daemon_bad(d, "HS_DONE again", again);
			return;
		}
		hs_daemon_resync(d);
	}
	hs_daemon_bad(d, "HS_DONE: no answer", -EIO);
}

static void hs_daemon_take(struct hs_daemon *d, int fd)
{
	d->rep.accepted++;
	hs_daemon_refuse(d, fd);
	close(fd);
	hs_daemon_retire(d);
}

/*
 * Take every pending request.  Return true once the queue was seen empty;
 * false after errors, when the daemon must sweep again without waiting for
 * a READY (a request may be pending that no READY will announce, e.g. one
 * put back after its HS_ACCEPT reply was lost).
 */
static bool hs_daemon_sweep(struct hs_daemon *d)
{
	struct ktlso_nl_accepted acc;
	int err, tries, unseen;

	for (tries = 0; tries < 50 && !d->rep.bad_err; tries++) {
		/*
		 * Every request taken so far is finished: the command sockets
		 * given up may close now, so that a resync always has room to
		 * read the next one out (it reads nothing when full).
		 */
		hs_daemon_retire(d);
		if (d->fi.ctl >= 0)
			fi_on(&d->fi);
		err = ktlso_nl_accept(&d->nl, &acc);
		if (d->fi.ctl >= 0)
			fi_off(&d->fi);
		if (err == -EIO) {
			d->rep.accept_eio++;
			unseen = hs_daemon_resync(d);
			if (acc.fd < 0)
				acc.fd = unseen;
			else if (unseen >= 0)
				hs_daemon_bad(d, "HS_ACCEPT: two replies",
					      -EPROTO);
		}
		if (acc.fd >= 0) {
			hs_daemon_take(d, acc.fd);
			continue;
		}
		if (err == -ENOENT)
			return true;
		if (err == -ENOMEM) {
			d->rep.accept_enomem++;
		} else if (err != -EIO) {
			hs_daemon_bad(d, "HS_ACCEPT", err);
			return true;
		}
	}
	return false;
}

static void hs_daemon_run(void *arg, int ready, int out)
{
	const struct hs_daemon_cfg *cfg = arg;
	struct hs_daemon d = { .fi.ctl = -1 };
	struct sigaction sa = { .sa_handler = hs_daemon_on_signal };
	bool swept = true;

	/* No SA_RESTART: the signal ends the daemon's wait at once. */
	sigaction(SIGUSR1, &sa, NULL);
	if (ktlso_nl_open(&d.nl, true))
		_exit(2);
	if (cfg->inject && fi_open_ctl(&d.fi))
		_exit(3);
	if (write(ready, "r", 1) != 1)
		_exit(4);
	while (!hs_daemon_stop && ktlso_now_ms() < cfg->deadline && !d.rep.bad_err)
		if (ktlso_nl_wait_ready(&d.nl, 100) || !swept)
			swept = hs_daemon_sweep(&d);
	if (d.fi.ctl >= 0) {
		fi_off(&d.fi);
		d.rep.injected = fi_injected();
	}
	ktlso_nl_close(&d.nl);
	if (write(out, &d.rep, sizeof(d.rep)) != sizeof(d.rep))
		_exit(5);
	_exit(0);
}

FIXTURE(hs) {
	struct fi fi;
	struct ktlso_daemon d;
	struct hs_daemon_cfg cfg;
};

FIXTURE_SETUP(hs)
{
	self->fi.ctl = -1;
	memset(&self->d, 0, sizeof(self->d));
}

FIXTURE_TEARDOWN(hs)
{
	fi_disarm(&self->fi);
	ktlso_daemon_kill(&self->d);
}

static void hs_daemon_start(struct __test_metadata *_metadata,
			    FIXTURE_DATA(hs) *self, bool inject)
{
	self->cfg.inject = inject;
	self->cfg.deadline = ktlso_now_ms() + (CASE_SECONDS + 30) * 1000;
	ASSERT_EQ(0, ktlso_daemon_start(&self->d, hs_daemon_run, &self->cfg));
}

static void hs_daemon_stop_and_report(struct __test_metadata *_metadata,
				      FIXTURE_DATA(hs) *self,
				      struct hs_daemon_report *rep)
{
	kill(self->d.pid, SIGUSR1);
	ASSERT_EQ(0, ktlso_daemon_finish(&self->d, rep, sizeof(*rep)));
	EXPECT_EQ(0, rep->bad_err) {
		TH_LOG("daemon: %s: %s", rep->bad_what,
		       strerror(-rep->bad_err));
	}
	EXPECT_EQ(rep->accepted, rep->refused);
}

/* Once every socket is closed, the namespace has no request left. */
static void expect_no_request_left(struct __test_metadata *_metadata)
{
	struct ktlso_nl_status st;

	ASSERT_EQ(0, ktlso_nl_status_once(&st));
	EXPECT_EQ(0u, st.pending);
	EXPECT_EQ(0u, st.running);
}

static struct ktlso_hs_request hs_req(uint32_t timeout_ms)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_CLIENT,
		.timeout_ms = timeout_ms,
		.server_name = "peer.example",
	};
	return req;
}

/* The application's read after a request: the daemon's EACCES. */
static int hs_verdict(int fd)
{
	char c;

	if (read(fd, &c, 1) >= 0)
		return 0;
	return errno;
}

/*
 * setsockopt(KTLSO_HANDSHAKE) with allocations failing in the
 * application.  0 promises "queued and announced" (<linux/ktlso.h>): the
 * daemon, which takes requests only when told, refuses it and the
 * application reads EACCES; a request whose announcement was lost would
 * end in ETIMEDOUT instead (counted; the case stops after three).  ENOMEM
 * (the request or the announcement's message could not be allocated)
 * queues nothing: the state stays KTLSO_HS_NONE and asking again without
 * injection works.
 */
TEST_F_TIMEOUT(hs, request, CASE_TIMEOUT)
{
	struct ktlso_hs_request req = hs_req(1500);
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, injected;
	int i, r, cfd, sfd, ok = 0, enomem = 0, lost = 0, v;
	struct hs_daemon_report rep;
	struct ktlso_hs_result res;

	SKIP_WITHOUT_FI();
	hs_daemon_start(_metadata, self, false);
	fi_arm(_metadata, &self->fi, 30);
	for (i = 0; i < ITERATIONS && ktlso_now_ms() < end && lost < 3; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		ASSERT_EQ(0, ktlso_attach(cfd));
		set_rcvtimeo(cfd, RCV_TIMEOUT_S);
		fi_on(&self->fi);
		r = ktlso_request_handshake(cfd, &req);
		fi_off(&self->fi);
		if (r) {
			ASSERT_EQ(-ENOMEM, r) {
				TH_LOG("request %d: %s", i, strerror(-r));
			}
			enomem++;
			ASSERT_EQ(0, ktlso_handshake_result(cfd, &res));
			EXPECT_EQ(KTLSO_HS_NONE, (int)res.state);
			ASSERT_EQ(0, ktlso_request_handshake(cfd, &req));
		} else {
			ok++;
		}
		v = hs_verdict(cfd);
		if (v == ETIMEDOUT && !r) {
			lost++;
			TH_LOG("request %d: setsockopt said 0, but no daemon heard of it: %s",
			       i, strerror(v));
		} else {
			EXPECT_EQ(EACCES, v) {
				TH_LOG("request %d: %s", i, strerror(v));
			}
		}
		ktlso_close_now(cfd);
		close(sfd);
	}
	injected = fi_injected();
	fi_disarm(&self->fi);
	hs_daemon_stop_and_report(_metadata, self, &rep);
	TH_LOG("%d requests: %d queued at once, %d after ENOMEM, %d never announced; %ld allocations failed",
	       i, ok, enomem, lost, injected);
	EXPECT_EQ(0, lost);
	EXPECT_EQ((unsigned int)(i - lost), rep.refused);
	EXPECT_GT(injected, 0);
	EXPECT_GT(enomem, 0);
	expect_no_request_left(_metadata);
}

/*
 * HS_ACCEPT and HS_DONE with allocations failing in the daemon (see
 * hs_daemon_run() for what it accepts): every request still ends with
 * the daemon's verdict, none is left pending or running, and the
 * application never waits for its timeout.
 */
TEST_F_TIMEOUT(hs, daemon, CASE_TIMEOUT)
{
	struct ktlso_hs_request req = hs_req(10000);
	long end = ktlso_now_ms() + CASE_SECONDS * 1000;
	struct hs_daemon_report rep;
	int i, cfd, sfd, v;

	SKIP_WITHOUT_FI();
	/* The daemon's switch is its own; the rate is everyone's. */
	fi_arm(_metadata, &self->fi, 30);
	hs_daemon_start(_metadata, self, true);
	for (i = 0; i < ITERATIONS / 2 && ktlso_now_ms() < end; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		ASSERT_EQ(0, ktlso_attach(cfd));
		set_rcvtimeo(cfd, 15);
		ASSERT_EQ(0, ktlso_request_handshake(cfd, &req));
		v = hs_verdict(cfd);
		EXPECT_EQ(EACCES, v) {
			TH_LOG("request %d: %s", i, strerror(v));
		}
		ktlso_close_now(cfd);
		close(sfd);
		if (v != EACCES)
			break;
	}
	hs_daemon_stop_and_report(_metadata, self, &rep);
	fi_disarm(&self->fi);
	TH_LOG("%d requests; HS_ACCEPT: %u ENOMEM, %u EIO; HS_DONE: %u ENOMEM, %u EIO; %u resyncs found %u accepted unseen; %ld allocations failed",
	       i, rep.accept_enomem, rep.accept_eio, rep.done_enomem,
	       rep.done_eio, rep.resyncs, rep.unseen, rep.injected);
	EXPECT_EQ((unsigned int)i, rep.refused);
	EXPECT_GT(rep.injected, 0);
	EXPECT_GT(rep.accept_enomem + rep.accept_eio + rep.done_enomem +
		  rep.done_eio, 0u);
	expect_no_request_left(_metadata);
}

/* --- TLS 1.3 rekey: a second TLS_TX or TLS_RX ------------------------------ */

FIXTURE(rekey) {
	struct fi fi;
	struct tls_keys k0, k1;		/* generations 0 and 1 */
};

FIXTURE_VARIANT(rekey) {
	uint16_t cipher;
	uint16_t suite;			/* the engine's, to seal and open */
};

FIXTURE_VARIANT_ADD(rekey, tls13_aes_gcm_128)
{
	.cipher = TLS_CIPHER_AES_GCM_128, .suite = 0x1301,
};

FIXTURE_VARIANT_ADD(rekey, tls13_aes_gcm_256)
{
	.cipher = TLS_CIPHER_AES_GCM_256, .suite = 0x1302,
};

FIXTURE_VARIANT_ADD(rekey, tls13_chacha20_poly1305)
{
	.cipher = TLS_CIPHER_CHACHA20_POLY1305, .suite = 0x1303,
};

/* Generation 0 starts at SEQ_START, generation 1 at 0 (a KeyUpdate's). */
FIXTURE_SETUP(rekey)
{
	self->fi.ctl = -1;
	keys_init_gen(&self->k0, TLS_1_3_VERSION, variant->cipher,
		      variant->suite, SEQ_START, 0);
	keys_init_gen(&self->k1, TLS_1_3_VERSION, variant->cipher,
		      variant->suite, 0, 1);
}

FIXTURE_TEARDOWN(rekey)
{
	fi_disarm(&self->fi);
}

/*
 * One message @i across the connection, ktlso on @fd with keys @opt, the
 * test on plain TCP @peer sealing (TLS_RX) or opening (TLS_TX) with @rp,
 * the engine's record protection under the generation the kernel must use.
 */
static void rekey_cross(struct __test_metadata *_metadata, int fd, int peer,
			int opt, struct ktlso_record_protection *rp, int i)
{
	static uint8_t rec[HDR_LEN + MAX_PAYLOAD + 256], out[MAX_PAYLOAD + 256];
	char msg[32];
	int n = snprintf(msg, sizeof(msg), "message %d", i);
	uint64_t seq = rp->seq;
	size_t len, body;
	uint8_t type;

	if (opt == TLS_RX) {
		ASSERT_EQ(0, ktlso_record_seal(rp, TYPE_DATA, (uint8_t *)msg, n, 0, rec,
					       sizeof(rec), &len));
		ASSERT_EQ(0, ktlso_write_all(peer, rec, len));
		ASSERT_EQ(0, ktlso_read_all(fd, out, n)) {
			TH_LOG("message %d, sequence number %llu: %s", i,
			       (unsigned long long)seq, strerror(errno));
		}
		ASSERT_EQ(0, memcmp(msg, out, n));
		return;
	}
	ASSERT_EQ(0, ktlso_write_all(fd, msg, n));
	ASSERT_EQ(0, ktlso_read_all(peer, rec, HDR_LEN));
	body = (size_t)rec[3] << 8 | rec[4];
	ASSERT_LE(body, (size_t)MAX_PAYLOAD + 256);
	ASSERT_EQ(0, ktlso_read_all(peer, rec + HDR_LEN, body));
	ASSERT_EQ(0, ktlso_record_open(rp, rec, HDR_LEN + body, &type, out,
				       sizeof(out), &len)) {
		TH_LOG("message %d does not open at sequence number %llu", i,
		       (unsigned long long)seq);
	}
	EXPECT_EQ(TYPE_DATA, type);
	ASSERT_EQ((size_t)n, len);
	ASSERT_EQ(0, memcmp(msg, out, n));
}

/* getsockopt(@opt) of the full struct: @k with @seq as the next record. */
static void expect_keys(struct __test_metadata *_metadata, int fd, int opt,
			const struct tls_keys *k, uint64_t seq)
{
	unsigned char info[CRYPTO_INFO_BUF];
	struct tls_keys want = *k;
	socklen_t len = k->len;

	keys_set_seq(&want, seq);
	ASSERT_EQ(0, getsockopt(fd, SOL_TLS, opt, info, &len)) {
		TH_LOG("getsockopt: %s", strerror(errno));
	}
	ASSERT_EQ(k->len, len);
	EXPECT_EQ(0, memcmp(want.ci, info, len)) {
		TH_LOG("not generation 0's keys at sequence number %llu",
		       (unsigned long long)seq);
	}
}

/*
 * A second setsockopt(TLS_TX or TLS_RX) with TLS 1.3 keys (rekey.c) and
 * allocations failing: 0, or ENOMEM (the next AEAD or its request could
 * not be allocated: ktlso_crypto_prepare()).  On ENOMEM the old key stays
 * (ktlso_tx_rekey(), ktlso_rx_rekey()): getsockopt returns generation 0's
 * keys and its next sequence number, records still cross under it,
 * TlsTxRekeyError / TlsRxRekeyError count the failure, and the same
 * rekey without injection works.  Afterwards records cross under
 * generation 1, numbered from its rec_seq.  Each round on a fresh
 * connection: generation 0 installed and used without injection first.
 */
static void rekey_case(struct __test_metadata *_metadata,
		       FIXTURE_DATA(rekey) *self, int opt)
{
	const char *ok_name = opt == TLS_TX ? "TlsTxRekeyOk" : "TlsRxRekeyOk";
	const char *err_name = opt == TLS_TX ? "TlsTxRekeyError" :
					       "TlsRxRekeyError";
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, oks0, errs0, e;
	struct ktlso_record_protection rp0, rp1;
	int i, r, cfd, sfd, ok = 0, enomem = 0;

	SKIP_WITHOUT_FI();
	oks0 = ktlso_stat(ok_name);
	errs0 = ktlso_stat(err_name);
	ASSERT_LE(0, oks0);
	ASSERT_LE(0, errs0);

	fi_arm(_metadata, &self->fi, 30);
	for (i = 0; i < ITERATIONS && ktlso_now_ms() < end; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		ASSERT_EQ(0, ktlso_attach(cfd));
		set_rcvtimeo(cfd, RCV_TIMEOUT_S);
		set_rcvtimeo(sfd, RCV_TIMEOUT_S);
		ASSERT_EQ(0, keys_install(cfd, opt, &self->k0));
		engine_init(_metadata, &self->k0, SEQ_START, opt == TLS_RX,
			    &rp0);
		engine_init(_metadata, &self->k1, 0, opt == TLS_RX, &rp1);
		rekey_cross(_metadata, cfd, sfd, opt, &rp0, i);
		rekey_cross(_metadata, cfd, sfd, opt, &rp0, i);

		e = ktlso_stat(err_name);
		fi_on(&self->fi);
		r = keys_install(cfd, opt, &self->k1);
		fi_off(&self->fi);
		if (r) {
			ASSERT_EQ(-ENOMEM, r) {
				TH_LOG("rekey %d: %s", i, strerror(-r));
			}
			enomem++;
			EXPECT_EQ(e + 1, ktlso_stat(err_name));
			/* Generation 0 is still there, and in use. */
			expect_keys(_metadata, cfd, opt, &self->k0, rp0.seq);
			rekey_cross(_metadata, cfd, sfd, opt, &rp0, i);
			expect_keys(_metadata, cfd, opt, &self->k0, rp0.seq);
			ASSERT_EQ(0, keys_install(cfd, opt, &self->k1));
		} else {
			ok++;
			EXPECT_EQ(e, ktlso_stat(err_name));
		}
		expect_keys(_metadata, cfd, opt, &self->k1, 0);
		rekey_cross(_metadata, cfd, sfd, opt, &rp1, i);
		rekey_cross(_metadata, cfd, sfd, opt, &rp1, i);
		ktlso_record_clear(&rp0);
		ktlso_record_clear(&rp1);
		ktlso_close_now(cfd);
		close(sfd);
	}
	install_case_end(_metadata, &self->fi, opt, self->k0.c->name, "rekeys",
			 i, ok, enomem);
	/* Every connection rekeyed once, every ENOMEM counted once. */
	EXPECT_EQ(oks0 + i, ktlso_stat(ok_name));
	EXPECT_EQ(errs0 + enomem, ktlso_stat(err_name));
}

TEST_F_TIMEOUT(rekey, tls_tx_rekey, CASE_TIMEOUT)
{
	rekey_case(_metadata, self, TLS_TX);
}

TEST_F_TIMEOUT(rekey, tls_rx_rekey, CASE_TIMEOUT)
{
	rekey_case(_metadata, self, TLS_RX);
}

/* --- KeyUpdates sent by the kernel (KTLSO_TX_SECRET) ------------------------ */

#define KU_LIMIT	3

static const char *ku_suite_name(uint16_t id)
{
	const struct ktlso_suite *suite = ktlso_suite_find(id);

	return suite ? suite->name : "?";
}

/* What the peer of the KeyUpdate case saw. */
struct ku_report {
	size_t total;		/* application bytes before EOF or trouble */
	ssize_t bad_at;		/* first byte that differs, -1: none */
	int err;		/* what ended it, 0: a clean EOF */
	char what[48];		/* and where */
	unsigned long records, updates;
	unsigned int max_per_key;	/* most records one key sealed */
	unsigned int early;	/* keys replaced before KU_LIMIT records */
	unsigned int last;	/* records the last key sealed */
};

static void ku_fail(struct ku_report *rep, const char *what, int err)
{
	snprintf(rep->what, sizeof(rep->what), "%s", what);
	rep->err = err;
}

/*
 * Read @fd to its end as the TLS peer: open every record under the
 * generation the engine derives, follow KeyUpdates, count each key's
 * records, check the application bytes against the stream.
 */
static void ku_reader_run(int fd, const uint8_t *src, struct sched *s,
			  int out)
{
	static uint8_t rec[HDR_LEN + MAX_PAYLOAD + 256],
		       pt[MAX_PAYLOAD + 256];
	struct ku_report rep = { .bad_at = -1 };
	unsigned int count = 0;
	size_t body, n, j;
	uint8_t type;
	ssize_t r;
	int err;

	alarm(CASE_TIMEOUT);
	set_rcvtimeo(fd, 30);
	for (;;) {
		r = read(fd, rec, 1);
		if (r <= 0) {
			if (r < 0)
				ku_fail(&rep, "reading a record", errno);
			break;
		}
		err = ktlso_read_all(fd, rec + 1, HDR_LEN - 1);
		body = (size_t)rec[3] << 8 | rec[4];
		if (!err && body > MAX_PAYLOAD + 256)
			err = -EMSGSIZE;
		if (!err)
			err = ktlso_read_all(fd, rec + HDR_LEN, body);
		if (err) {
			ku_fail(&rep, "a record cut short", -err);
			break;
		}
		if (ktlso_record_open(&s->rp, rec, HDR_LEN + body, &type, pt,
				      sizeof(pt), &n)) {
			ku_fail(&rep, "a record that does not open", EBADMSG);
			break;
		}
		rep.records++;
		if (++count > rep.max_per_key)
			rep.max_per_key = count;
		if (type == TYPE_HANDSHAKE) {
			if (n != 5 || pt[0] != HT_KEY_UPDATE || pt[1] ||
			    pt[2] || pt[3] != 1 || pt[4]) {
				ku_fail(&rep, "not a KeyUpdate", EPROTO);
				break;
			}
			rep.updates++;
			rep.early += count < KU_LIMIT;
			count = 0;
			if (sched_next(s)) {
				ku_fail(&rep, "deriving the next key", EIO);
				break;
			}
			continue;
		}
		if (type != TYPE_DATA) {
			ku_fail(&rep, "a record of another type", EPROTO);
			break;
		}
		for (j = 0; rep.bad_at < 0 && j < n; j++)
			if (pt[j] != stream_at(src, rep.total)[j])
				rep.bad_at = rep.total + j;
		rep.total += n;
	}
	rep.last = count;
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	_exit(0);
}

FIXTURE(ku) {
	struct fi fi;
	int fd;			/* ktlso: TLS 1.3 TLS_TX and its secret */
	int peer;		/* plain TCP: the test is the TLS peer */
	uint8_t *src;
	pid_t child;
	bool param_changed;
	struct sched s;		/* generation 0's, for the reader */
};

FIXTURE_VARIANT(ku) {
	uint16_t cipher;
	uint16_t suite;
	uint16_t hash;		/* the uAPI's enum ktlso_hash */
};

FIXTURE_VARIANT_ADD(ku, tls13_aes_gcm_128)
{
	.cipher = TLS_CIPHER_AES_GCM_128, .suite = 0x1301,
	.hash = KTLSO_HASH_SHA256,
};

FIXTURE_VARIANT_ADD(ku, tls13_aes_gcm_256)
{
	.cipher = TLS_CIPHER_AES_GCM_256, .suite = 0x1302,
	.hash = KTLSO_HASH_SHA384,
};

FIXTURE_VARIANT_ADD(ku, tls13_chacha20_poly1305)
{
	.cipher = TLS_CIPHER_CHACHA20_POLY1305, .suite = 0x1303,
	.hash = KTLSO_HASH_SHA256,
};

FIXTURE_SETUP(ku)
{
	self->fi.ctl = -1;
	self->fd = self->peer = -1;
	self->child = 0;
	self->src = NULL;
	self->param_changed = false;
	memset(&self->s, 0, sizeof(self->s));
	SKIP_WITHOUT_FI();
	self->src = stream_src(_metadata);
	ASSERT_EQ(0, param_write(KU_LIMIT));
	self->param_changed = true;
}

/* Close this round's connection and forget its schedule. */
static void ku_disconnect(FIXTURE_DATA(ku) *self)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	self->child = 0;
	sched_clear(&self->s);
	if (self->fd >= 0)
		ktlso_close_now(self->fd);
	if (self->peer >= 0)
		close(self->peer);
	self->fd = self->peer = -1;
}

FIXTURE_TEARDOWN(ku)
{
	fi_disarm(&self->fi);
	ku_disconnect(self);
	if (self->param_changed)
		EXPECT_EQ(0, param_write(0));
	free(self->src);
}

/*
 * A fresh connection: ktlso with TLS 1.3 transmit keys from a random
 * secret and that secret installed (the kernel runs the KeyUpdates,
 * tx_key_records is KU_LIMIT); the reader's schedule at generation 0.
 */
static void ku_connect(struct __test_metadata *_metadata,
		       FIXTURE_DATA(ku) *self,
		       const FIXTURE_VARIANT(ku) *variant)
{
	struct ktlso_traffic_secret ts;
	struct tls_keys k;

	ASSERT_EQ(0, sched_init_random(&self->s, variant->suite,
				       variant->cipher, variant->hash, false,
				       0));
	keys_of_secret(_metadata, &self->s, self->s.secret, 0, &k);

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->fd, &self->peer));
	ASSERT_EQ(0, ktlso_attach(self->fd));
	ASSERT_EQ(0, keys_install(self->fd, TLS_TX, &k));
	ts = secret_arg(&self->s, self->s.secret);
	ASSERT_EQ(0, setsockopt(self->fd, SOL_TLS, KTLSO_TX_SECRET, &ts,
				sizeof(ts))) {
		TH_LOG("KTLSO_TX_SECRET: %s", strerror(errno));
	}
	explicit_bzero(&ts, sizeof(ts));
	explicit_bzero(&k, sizeof(k));
}

#define KU_ROUND_CALLS	40	/* calls per connection at most */

/* What the rounds of the KeyUpdate case add up to. */
struct ku_totals {
	int rounds, calls, shorts, enomem, stuck;
	int stuck_at_update;	/* where a KeyUpdate was due next */
	size_t bytes;
	unsigned long records, updates;
	unsigned int max_per_key;
};

/*
 * One connection (ku_connect()) of the KeyUpdate case: up to
 * KU_ROUND_CALLS sends with injection, until one fails for good or @end,
 * then the checks.
 */
static void ku_round(struct __test_metadata *_metadata, FIXTURE_DATA(ku) *self,
		     const FIXTURE_VARIANT(ku) *variant, int mfd, long end,
		     struct ku_totals *tot)
{
	int out[2], status;
	struct ktlso_key_state st;
	struct ku_report rep;
	struct send_run run;
	socklen_t stlen = sizeof(st);
	char name[24];
	long ku0;

	ku_connect(_metadata, self, variant);
	ku0 = ktlso_stat("TlsTxKeyUpdate");
	ASSERT_EQ(0, pipe(out));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(out[0]);
		ku_reader_run(self->peer, self->src, &self->s, out[1]);
	}
	close(out[1]);
	close(self->peer);
	self->peer = -1;

	snprintf(name, sizeof(name), "round %d ", tot->rounds);
	send_calls(_metadata, &self->fi, self->fd, mfd, self->src,
		   KU_ROUND_CALLS, end, name, &run);
	tot->calls += run.calls;
	tot->shorts += run.shorts;
	tot->enomem += run.enomem;

	status = send_calls_end(_metadata, self->fd, self->src, &run,
				&self->child, out[0], &rep, sizeof(rep));
	tot->stuck += run.stuck;
	ASSERT_EQ(0, getsockopt(self->fd, SOL_TLS, KTLSO_KEY_STATE, &st,
				&stlen));
	tot->rounds++;
	/* The failing record was a KeyUpdate if one was due next. */
	tot->stuck_at_update += run.stuck && rep.last == KU_LIMIT - 1;
	tot->bytes += rep.total;
	tot->records += rep.records;
	tot->updates += rep.updates;
	if (rep.max_per_key > tot->max_per_key)
		tot->max_per_key = rep.max_per_key;
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, rep.err) {
		TH_LOG("round %d: peer: %s after %zu bytes, %lu records: %s",
		       tot->rounds, rep.what, rep.total, rep.records,
		       strerror(rep.err));
	}
	EXPECT_EQ(-1, rep.bad_at) {
		TH_LOG("round %d: byte %zd differs", tot->rounds, rep.bad_at);
	}
	EXPECT_LE(run.total, rep.total) {
		TH_LOG("round %d: %zu bytes reported sent, %zu arrived",
		       tot->rounds, run.total, rep.total);
	}
	EXPECT_GE(run.total + run.extra, rep.total) {
		TH_LOG("round %d: %zu bytes reported sent (+%zu), %zu arrived",
		       tot->rounds, run.total, run.extra, rep.total);
	}
	EXPECT_GE((unsigned int)KU_LIMIT, rep.max_per_key) {
		TH_LOG("round %d: a key sealed %u records", tot->rounds,
		       rep.max_per_key);
	}
	EXPECT_EQ(0u, rep.early) {
		TH_LOG("round %d: %u keys replaced early", tot->rounds,
		       rep.early);
	}
	EXPECT_EQ(rep.updates, st.tx_gen);
	EXPECT_EQ((unsigned long long)KU_LIMIT,
		  (unsigned long long)st.tx_limit);
	EXPECT_EQ(ku0 + (long)rep.updates, ktlso_stat("TlsTxKeyUpdate"));
	ku_disconnect(self);
}

/*
 * send() of 1 B, 16 KiB and 100 KiB and sendfile() of 40000 bytes, taking
 * turns, with allocations failing in the sender (10 %), while the kernel
 * sends a KeyUpdate every KU_LIMIT - 1 records (tx_key_records KU_LIMIT).
 * A KeyUpdate whose next key cannot be made fails with nothing sealed
 * (ktlso_tx_send_update()), and the sender waits for memory as for any
 * record (ktlso_tx_seal()).  Outcomes as in data.send: a count, maybe
 * short; ENOMEM, passing (the next send without injection works) or for
 * good (a sealing failure, the AEAD's GFP_ATOMIC walk, ends sending; the
 * round's connection ends there and the next round takes a new one).  The
 * peer, opening every record under the generation the engine derives from
 * the secret, reads every byte the calls reported exactly once and in
 * order (with a stuck error, at most the failing call's whole records
 * more), then a clean end; no key sealed more than KU_LIMIT records, its
 * KeyUpdate included, nor was replaced before; KTLSO_KEY_STATE and
 * TlsTxKeyUpdate agree with the KeyUpdates seen.
 */
TEST_F_TIMEOUT(ku, send, CASE_TIMEOUT)
{
	long end = ktlso_now_ms() + CASE_SECONDS * 1000, injected;
	struct ku_totals tot = { 0 };
	int mfd;

	mfd = memfd_with(self->src, PERIOD + MAX_CHUNK, 0);
	ASSERT_LE(0, mfd);
	fi_arm(_metadata, &self->fi, 10);
	while (tot.calls < ITERATIONS && ktlso_now_ms() < end &&
	       !_metadata->exit_code) {
		ku_round(_metadata, self, variant, mfd, end, &tot);
		if (self->child || self->fd >= 0)
			break;		/* an ASSERT ended the round */
	}
	injected = fi_injected();
	fi_disarm(&self->fi);
	close(mfd);
	TH_LOG("%s: %d connections, %d calls: %d short, %d ENOMEM, %d of them for good (%d where a KeyUpdate was due); peer read %zu bytes in %lu records, %lu KeyUpdates, at most %u records a key; %ld allocations failed",
	       ku_suite_name(variant->suite), tot.rounds, tot.calls,
	       tot.shorts, tot.enomem, tot.stuck, tot.stuck_at_update,
	       tot.bytes, tot.records,
	       tot.updates, tot.max_per_key, injected);
	EXPECT_LT(0ul, tot.updates);
	EXPECT_GT(injected, 0);
}

TEST_HARNESS_MAIN
