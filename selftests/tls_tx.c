// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit half of the record layer: TLS_TX key installation and the
 * records that write(), sendmsg() and sendfile() produce once keys are on.
 *
 * The sending socket carries the ULP named by $KTLSO_TEST_ULP ("ktlso" when
 * unset), so the same program run with KTLSO_TEST_ULP=tls checks the test
 * itself against in-tree kTLS.  What the sender writes is checked three ways:
 *
 *  - in-tree kTLS ("tls", TLS_RX) on the peer decrypts it;
 *  - the raw bytes are identical to what in-tree kTLS TX and the engine's
 *    OpenSSL record layer produce from the same keys and writes;
 *  - the engine's OpenSSL record layer opens every captured record and gets
 *    the plaintext and content types back.
 *
 * Expected lengths are computed from the record format: each record is a
 * 5-byte header, the TLS 1.2 GCM/CCM explicit nonce (8 bytes), at most 2^14
 * bytes of content, the TLS 1.3 inner content type (1 byte) and a 16-byte
 * tag.  Nothing here is a recorded output of the code under test.
 *
 * Tests, for TLS 1.2 and 1.3 x AES-GCM-128/256, ChaCha20-Poly1305 and
 * AES-CCM-128 (and SM4 / ARIA, skipped where in-tree kTLS refuses them):
 *   intree_rx_*			in-tree RX decrypts writes, iovecs, sendfile
 *   wire_identical_to_intree_and_engine	the same bytes as in-tree TX and OpenSSL
 *   engine_opens_*			OpenSSL opens captured records, types included
 *   record_type_cmsg_seen_by_intree_rx	TLS_SET_RECORD_TYPE arrives as sent
 *   set_* / get_* / failed_set_*	the TLS_TX setsockopt/getsockopt contract
 *   seq_exhaustion_is_ebadmsg		sequence numbers never wrap
 *   nonblocking_sends_until_eagain	what MSG_DONTWAIT accepted all arrives
 *   splice_and_sendfile_wire_identical	records that span spliced pages and
 *					calls, odd file offsets, MSG_MORE
 *					writes then sendfile: in-tree's bytes
 *   ring_*				records sealed out of order on
 *					several CPUs (tx_parallel 1 and 4):
 *					in-tree's bytes; with every CPU
 *					busy, each sealed by its sender
 * and, on one TLS 1.3 connection (the sem fixture), the send semantics:
 * MSG_MORE, record types, close, shutdown, SIGPIPE, SO_SNDTIMEO, spliced
 * pages kept in an open record, a file changed after sendfile() returned,
 * sendfile() to end of file, non-blocking sendfile(), close with a record
 * still pending, a user buffer reused once send() returned, a write that
 * faults midway; the work item that pushes a pending record never waits
 * for a sender; close never cuts a record; threads racing send, poll,
 * close and TLS_TX on one socket.
 */

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "tls_common.h"

#define PARAM_TX_PARALLEL	"/sys/module/ktlso/parameters/tx_parallel"

/* --- the fixture: one loopback connection per version x cipher ------------- */

FIXTURE(tls_tx)
{
	int tx;			/* the ULP under test, keys set by the test */
	int peer;		/* plain TCP until a test attaches in-tree RX */
	struct tls_keys keys;	/* first record SEQ_START */
	long tx_parallel;	/* to set back at teardown, or -1 */
	pid_t spinners[64];	/* busy loops to end at teardown, or 0 */
};

FIXTURE_VARIANT(tls_tx)
{
	uint16_t version;
	uint16_t cipher;
	uint16_t suite;		/* engine cipher suite for these records */
	bool optional;		/* SKIP where in-tree kTLS refuses it */
};

FIXTURE_VARIANT_ADD(tls_tx, tls12_aes_gcm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_GCM_128,
	.suite = 0xc02f,
};

FIXTURE_VARIANT_ADD(tls_tx, tls13_aes_gcm_128)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_GCM_128,
	.suite = 0x1301,
};

FIXTURE_VARIANT_ADD(tls_tx, tls12_aes_gcm_256)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_GCM_256,
	.suite = 0xc030,
};

FIXTURE_VARIANT_ADD(tls_tx, tls13_aes_gcm_256)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_GCM_256,
	.suite = 0x1302,
};

FIXTURE_VARIANT_ADD(tls_tx, tls12_chacha20_poly1305)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_CHACHA20_POLY1305,
	.suite = 0xcca8,
};

FIXTURE_VARIANT_ADD(tls_tx, tls13_chacha20_poly1305)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_CHACHA20_POLY1305,
	.suite = 0x1303,
};

FIXTURE_VARIANT_ADD(tls_tx, tls12_aes_ccm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_CCM_128,
	.suite = 0xc0ac,
};

FIXTURE_VARIANT_ADD(tls_tx, tls13_aes_ccm_128)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_CCM_128,
	.suite = 0x1304,
};

/* RFC 8998: SM4 suites are TLS 1.3's.  The engine has no SM4. */
FIXTURE_VARIANT_ADD(tls_tx, tls13_sm4_gcm)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_SM4_GCM,
	.optional = true,
};

FIXTURE_VARIANT_ADD(tls_tx, tls13_sm4_ccm)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_SM4_CCM,
	.optional = true,
};

/* RFC 6209: ARIA suites are TLS 1.2's; kTLS refuses them for 1.3. */
FIXTURE_VARIANT_ADD(tls_tx, tls12_aria_gcm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_ARIA_GCM_128,
	.optional = true,
};

FIXTURE_VARIANT_ADD(tls_tx, tls12_aria_gcm_256)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_ARIA_GCM_256,
	.optional = true,
};

FIXTURE_SETUP(tls_tx)
{
	bool no_ulp;
	int err;

	self->tx = self->peer = -1;
	self->tx_parallel = -1;
	memset(self->spinners, 0, sizeof(self->spinners));
	keys_init(&self->keys, variant->version, variant->cipher,
		  variant->suite, SEQ_START);
	/*
	 * Every test checks against in-tree kTLS, so a cipher it cannot run
	 * here cannot be tested: SM4 and ARIA need CONFIG_CRYPTO_SM4 /
	 * CONFIG_CRYPTO_ARIA, which Debian's kernels leave out.
	 */
	err = intree_accepts(&self->keys, &no_ulp);
	if (no_ulp)
		SKIP(return, "in-tree tls ULP unavailable: %s", strerror(-err));
	if (err && variant->optional)
		SKIP(return, "in-tree kTLS refuses %s TX keys: %s",
		     self->keys.c->name, strerror(-err));
	ASSERT_EQ(0, err) {
		TH_LOG("in-tree kTLS refuses %s TX keys: %s",
		       self->keys.c->name, strerror(-err));
	}
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->tx, &self->peer));
	ASSERT_EQ(0, ulp_attach(self->tx, test_ulp())) {
		TH_LOG("attaching ULP \"%s\"", test_ulp());
	}
	set_rcvtimeo(self->peer, RCV_TIMEOUT_S);
}

FIXTURE_TEARDOWN(tls_tx)
{
	char buf[24];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(self->spinners); i++) {
		if (self->spinners[i] > 0) {
			kill(self->spinners[i], SIGKILL);
			waitpid(self->spinners[i], NULL, 0);
		}
	}
	if (self->tx_parallel >= 0) {
		snprintf(buf, sizeof(buf), "%ld", self->tx_parallel);
		ktlso_write_str(PARAM_TX_PARALLEL, buf);
	}
	if (self->tx >= 0)
		ktlso_close_now(self->tx);
	if (self->peer >= 0)
		close(self->peer);
}

static void install_tx(struct __test_metadata *_metadata, int fd,
		       struct tls_keys *k)
{
	ASSERT_EQ(0, keys_install(fd, TLS_TX, k)) {
		TH_LOG("%s TLS_TX %s: %s", test_ulp(), k->c->name,
		       strerror(errno));
	}
}

/* Make @fd an in-tree kTLS receiver of what @k seals. */
static void install_intree_rx(struct __test_metadata *_metadata, int fd,
			      struct tls_keys *k)
{
	ASSERT_EQ(0, ulp_attach(fd, "tls"));
	ASSERT_EQ(0, keys_install(fd, TLS_RX, k));
}

/* Send @steps on @tx, read their plaintext back from the in-tree receiver. */
static void pass_through_intree(struct __test_metadata *_metadata, int tx,
				int rx, const struct step *steps, size_t n,
				unsigned int seed)
{
	size_t len = steps_plain_len(steps, n);
	uint8_t *data = plaintext(_metadata, len, seed);
	uint8_t *got = malloc(len);
	pid_t pid;
	int err;

	ASSERT_NE(NULL, got);
	pid = spawn_sender(_metadata, tx, steps, n, data);
	err = ktlso_read_all(rx, got, len);
	reap_sender(_metadata, pid, !err);
	ASSERT_EQ(0, err) {
		TH_LOG("reading %zu bytes through in-tree RX: %s", len,
		       strerror(-err));
	}
	expect_same_bytes(_metadata, "plaintext", data, got, len);
	free(data);
	free(got);
}

/* --- 1. interoperation with in-tree kTLS RX --------------------------------- */

TEST_F(tls_tx, intree_rx_decrypts_writes)
{
	static const size_t sizes[] = { 1, 100, 16384, 16385, 100000 };
	unsigned int i;

	install_tx(_metadata, self->tx, &self->keys);
	install_intree_rx(_metadata, self->peer, &self->keys);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct step s = WRITE(sizes[i]);

		pass_through_intree(_metadata, self->tx, self->peer, &s, 1, i);
	}
}

TEST_F(tls_tx, intree_rx_decrypts_iovecs)
{
	const struct step s = IOV(60000);

	install_tx(_metadata, self->tx, &self->keys);
	install_intree_rx(_metadata, self->peer, &self->keys);
	pass_through_intree(_metadata, self->tx, self->peer, &s, 1, 10);
}

TEST_F(tls_tx, intree_rx_decrypts_sendfile)
{
	const struct step s = SENDFILE(256 * 1024);
	const struct step w = WRITE(5000);

	install_tx(_metadata, self->tx, &self->keys);
	install_intree_rx(_metadata, self->peer, &self->keys);
	pass_through_intree(_metadata, self->tx, self->peer, &s, 1, 11);
	/* Writes after sendfile continue the same record stream. */
	pass_through_intree(_metadata, self->tx, self->peer, &w, 1, 12);
}

/* --- 2. the same bytes on the wire as in-tree kTLS and the engine ----------- */

/*
 * Run @steps on the socket under test and, with the same keys, on in-tree
 * kTLS TX: the two byte streams must be identical, and (where the engine
 * has the cipher) equal to what OpenSSL seals and open to the plaintext.
 * With @spliced (the steps hold records open across splice calls) the
 * in-tree comparison needs an in-tree kTLS that does that too.
 */
static void expect_wire_like_intree(struct __test_metadata *_metadata,
				    int tx, int peer, struct tls_keys *k,
				    const struct step *steps, size_t n,
				    unsigned int seed, bool spliced)
{
	bool with_intree = !spliced || intree_splice_keeps_more();
	size_t len = steps_plain_len(steps, n);
	size_t wire = steps_wire_len(k, steps, n);
	uint8_t *data = plaintext(_metadata, len, seed);
	uint8_t *ours, *theirs;
	int cfd, sfd;

	if (!with_intree && testing_intree())
		SKIP(return, "in-tree kTLS ends records at every splice here");
	install_tx(_metadata, tx, k);
	ours = capture(_metadata, tx, peer, steps, n, data, wire);
	if (with_intree) {
		/* The reference connection: in-tree kTLS TX, the same keys. */
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		ASSERT_EQ(0, ulp_attach(cfd, "tls"));
		install_tx(_metadata, cfd, k);
		set_rcvtimeo(sfd, RCV_TIMEOUT_S);
		theirs = capture(_metadata, cfd, sfd, steps, n, data, wire);
		expect_same_bytes(_metadata, "in-tree kTLS vs ULP under test",
				  theirs, ours, wire);
		ktlso_close_now(cfd);
		close(sfd);
		free(theirs);
	} else {
		TH_LOG("in-tree kTLS ends records at every splice here: "
		       "checked against the engine only");
	}
	if (k->suite) {
		uint8_t *ref = engine_seal(_metadata, k, SEQ_START, steps, n,
					   data, wire);

		expect_same_bytes(_metadata, "engine vs ULP under test",
				  ref, ours, wire);
		check_records(_metadata, k, SEQ_START, steps, n, data, ours,
			      wire);
		free(ref);
	}
	free(ours);
	free(data);
}

TEST_F(tls_tx, wire_identical_to_intree_and_engine)
{
	static const struct step steps[] = {
		WRITE(1),
		WRITE(16384),
		WRITE(16385),
		WRITE(40000),
		IOV(20000),
		TYPED(TYPE_ALERT, 2),
		WRITE(100),
	};

	expect_wire_like_intree(_metadata, self->tx, self->peer, &self->keys,
				steps, ARRAY_SIZE(steps), 20, false);
}

/*
 * Spliced pages are encrypted where they lie: records that start and end
 * inside pages, span several splice() calls (and, before Linux 6.5, one
 * sendpage per page), sendfile() from offsets that are not page aligned,
 * small MSG_MORE writes topped up by sendfile() and by splices, and a
 * record left open by SPLICE_F_MORE that a write or another content type
 * closes.  Every record must be the one OpenSSL seals, and the one in-tree
 * kTLS makes where it, too, keeps records open across splice calls.
 */
TEST_F(tls_tx, splice_and_sendfile_wire_identical)
{
	static const struct step steps[] = {
		SPLICE(40000),
		SENDFILE_AT(70000, 1000),
		SENDFILE_AT(5000, 4095),
		SENDFILE_AT(16384, 3),
		MORE(100),
		MORE(1),
		MORE(7),
		SENDFILE(30000),
		SPLICE_MORE(3000),
		WRITE(10),
		MORE(50),
		SPLICE_MORE(20000),
		SPLICE(1),
		SPLICE_MORE(700),
		TYPED(TYPE_ALERT, 2),
		SENDFILE(1),
	};

	expect_wire_like_intree(_metadata, self->tx, self->peer, &self->keys,
				steps, ARRAY_SIZE(steps), 21, true);
}

/*
 * Full records of one connection are sealed out of order, on other CPUs
 * too, in a ring of tx_parallel records, and pushed in order.  A file
 * many times the ring, spliced records left in the ring across calls and
 * at a change of content type, a file offset that is not page aligned:
 * the wire must be in-tree kTLS's and OpenSSL's byte for byte, whatever
 * sealed which record.  Records must have gone to the ring's workers
 * (with in-tree kTLS there is nothing to count).
 */
static const struct step ring_steps[] = {
	SENDFILE(300000),
	SPLICE_MORE(70000),
	TYPED(TYPE_ALERT, 2),
	SPLICE_MORE(100000),
	SPLICE(50000),
	SENDFILE_AT(200000, 4095),
	MORE(10),
	SENDFILE(100000),
};

/* Set tx_parallel to @n for this test; the teardown sets it back. */
static void set_tx_parallel(struct __test_metadata *_metadata,
			    long *saved, long n)
{
	char buf[24];

	if (testing_intree())
		return;
	*saved = ktlso_read_long(PARAM_TX_PARALLEL);
	ASSERT_LE(0, *saved) {
		TH_LOG("%s: %s", PARAM_TX_PARALLEL, strerror(errno));
	}
	snprintf(buf, sizeof(buf), "%ld", n);
	ASSERT_EQ(0, ktlso_write_str(PARAM_TX_PARALLEL, buf));
}

/* Records the ring's workers took, or that their sender took back. */
static long ring_handed_off(void)
{
	return ktlso_stat("TlsTxParallel") + ktlso_stat("TlsTxParallelInline");
}

static void expect_ring_wire(struct __test_metadata *_metadata,
			     FIXTURE_DATA(tls_tx) *self, long ring,
			     unsigned int seed)
{
	long before = ring_handed_off();

	set_tx_parallel(_metadata, &self->tx_parallel, ring);
	expect_wire_like_intree(_metadata, self->tx, self->peer, &self->keys,
				ring_steps, ARRAY_SIZE(ring_steps), seed, true);
	if (testing_intree() || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	EXPECT_LT(before, ring_handed_off()) {
		TH_LOG("no record went to another CPU (ring of %ld)", ring);
	}
}

TEST_F(tls_tx, ring_of_four_wire_identical)
{
	expect_ring_wire(_metadata, self, 4, 22);
}

TEST_F(tls_tx, ring_of_one_wire_identical)
{
	expect_ring_wire(_metadata, self, 1, 23);
}

/* What ring_look_at_cpus() sends: a few full records, for the ring. */
static const struct step ring_look_steps[] = {
	SENDFILE(65536),
};

/*
 * Send ring_look_steps on a connection of its own, so that the ring looks
 * at (samples) the CPUs the sender may pick.  Returns the milliseconds it
 * took: no worker sealed any of its records for longer.
 */
static long ring_look_at_cpus(struct __test_metadata *_metadata,
			      struct tls_keys *k)
{
	size_t n = ARRAY_SIZE(ring_look_steps);
	size_t wire = steps_wire_len(k, ring_look_steps, n);
	uint8_t *data = plaintext(_metadata, steps_plain_len(ring_look_steps, n),
				  25);
	long start, took;
	int tx, peer;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &tx, &peer));
	ASSERT_EQ(0, ulp_attach(tx, test_ulp()));
	set_rcvtimeo(peer, RCV_TIMEOUT_S);
	install_tx(_metadata, tx, k);
	start = ktlso_now_ms();
	free(capture(_metadata, tx, peer, ring_look_steps, n, data, wire));
	took = ktlso_now_ms() - start;
	ktlso_close_now(tx);
	close(peer);
	free(data);
	return took;
}

/*
 * Every CPU busy with a loop of its own, pinned there.  Once the ring has
 * seen them busy for a whole sampling window, it hands nothing off: a
 * worker would only take the place of other work there.  The wire stays
 * the same.  The sender stays on one CPU, so that it only looks at the
 * CPUs ring_look_at_cpus() looked at.  The window the ring samples next
 * runs from ring_look_at_cpus()'s last sample to the first record here,
 * and the workers' time in it counts as time to spare.  That time is no
 * more than ring_look_at_cpus() took, however slow the cipher (ARIA under
 * KASAN): a wait of 20 times that keeps it below a sixteenth.
 */
TEST_F_TIMEOUT(tls_tx, ring_with_every_cpu_busy_seals_in_the_sender, 120)
{
	cpu_set_t cpus, one;
	bool all_busy;
	long before, look_ms;
	size_t n = 0;
	int cpu;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(cpus), &cpus));
	for (cpu = 0; cpu < CPU_SETSIZE && n < ARRAY_SIZE(self->spinners);
	     cpu++) {
		if (!CPU_ISSET(cpu, &cpus))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		self->spinners[n] = fork();
		ASSERT_LE(0, self->spinners[n]);
		if (!self->spinners[n]) {
			alarm(60);	/* the teardown kills it before */
			if (sched_setaffinity(0, sizeof(one), &one))
				_exit(1);
			for (;;)
				;
		}
		if (!n)
			ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
		n++;
	}
	all_busy = n == (size_t)CPU_COUNT(&cpus);
	set_tx_parallel(_metadata, &self->tx_parallel, 4);
	look_ms = ring_look_at_cpus(_metadata, &self->keys);
	usleep((useconds_t)(look_ms < 25 ? 500 : 20 * look_ms) * 1000);
	before = ring_handed_off();
	expect_wire_like_intree(_metadata, self->tx, self->peer, &self->keys,
				ring_steps, ARRAY_SIZE(ring_steps), 24, true);
	if (testing_intree())
		return;
	if (!all_busy) {
		TH_LOG("more CPUs than spinners: not checking who sealed");
		return;
	}
	EXPECT_EQ(before, ring_handed_off()) {
		TH_LOG("%ld records went to a busy CPU (looked for %ld ms)",
		       ring_handed_off() - before, look_ms);
	}
}

/* --- 3. OpenSSL (the engine's record layer) opens what was sent ------------- */

TEST_F(tls_tx, engine_opens_records)
{
	static const struct step steps[] = {
		WRITE(1),
		WRITE(16385),
		TYPED(TYPE_ALERT, 2),
		TYPED(TYPE_HANDSHAKE, 4),
		IOV(33000),
		TYPED(TYPE_DATA, 1),
		WRITE(5000),
	};
	size_t n = ARRAY_SIZE(steps), len = steps_plain_len(steps, n);
	size_t wire = steps_wire_len(&self->keys, steps, n);
	uint8_t *data, *buf;

	SKIP_WITHOUT_ENGINE(&self->keys);
	data = plaintext(_metadata, len, 30);
	install_tx(_metadata, self->tx, &self->keys);
	buf = capture(_metadata, self->tx, self->peer, steps, n, data, wire);
	check_records(_metadata, &self->keys, SEQ_START, steps, n, data, buf,
		      wire);
	free(buf);
	free(data);
}

/*
 * Read records from @peer and open them with the engine until @len bytes
 * of plaintext came out, wherever the sender put record boundaries: they
 * must be @data, in data records.  Returns the number of records.
 */
static size_t open_stream(struct __test_metadata *_metadata,
			  struct tls_keys *k, uint64_t seq, int peer,
			  const uint8_t *data, size_t len)
{
	struct ktlso_record_protection rp;
	uint8_t *rec = malloc(MAX_RECORD), *out = malloc(MAX_PAYLOAD + 256);
	size_t done = 0, records = 0;

	ASSERT_NE(NULL, rec);
	ASSERT_NE(NULL, out);
	engine_init(_metadata, k, seq, false, &rp);
	while (done < len) {
		size_t body, got;
		uint8_t type;

		ASSERT_EQ(0, ktlso_read_all(peer, rec, HDR_LEN));
		body = (size_t)rec[3] << 8 | rec[4];
		ASSERT_LE(HDR_LEN + body, (size_t)MAX_RECORD);
		ASSERT_EQ(0, ktlso_read_all(peer, rec + HDR_LEN, body));
		open_record(_metadata, &rp, k, rec, HDR_LEN + body, &type, out,
			    &got);
		EXPECT_EQ(TYPE_DATA, type);
		ASSERT_GT(got, (size_t)0);
		ASSERT_LE(got, len - done);
		ASSERT_EQ(0, memcmp(data + done, out, got)) {
			TH_LOG("record at plaintext offset %zu differs", done);
		}
		done += got;
		records++;
	}
	ktlso_record_clear(&rp);
	free(rec);
	free(out);
	return records;
}

TEST_F(tls_tx, engine_opens_sendfile)
{
	const struct step s = SENDFILE(64 * 1024);
	uint8_t *data;
	pid_t pid;

	SKIP_WITHOUT_ENGINE(&self->keys);
	data = plaintext(_metadata, s.len, 31);
	install_tx(_metadata, self->tx, &self->keys);
	pid = spawn_sender(_metadata, self->tx, &s, 1, data);
	/* Record boundaries are the sender's choice here: read record by record. */
	open_stream(_metadata, &self->keys, SEQ_START, self->peer, data, s.len);
	reap_sender(_metadata, pid, true);
	EXPECT_TRUE(nothing_readable(self->peer, 100));
	free(data);
}

/* --- 4. TLS_SET_RECORD_TYPE ------------------------------------------------- */

TEST_F(tls_tx, record_type_cmsg_seen_by_intree_rx)
{
	static const struct step steps[] = {
		WRITE(3),
		TYPED(TYPE_ALERT, 2),
		TYPED(TYPE_HANDSHAKE, 7),
		WRITE(5),
	};
	size_t n = ARRAY_SIZE(steps), len = steps_plain_len(steps, n);
	uint8_t *data = plaintext(_metadata, len, 40);
	uint8_t buf[64], type;
	size_t i, off = 0;
	pid_t pid;

	install_tx(_metadata, self->tx, &self->keys);
	install_intree_rx(_metadata, self->peer, &self->keys);
	pid = spawn_sender(_metadata, self->tx, steps, n, data);
	/* One recvmsg never mixes record types: one record each here. */
	for (i = 0; i < n; i++) {
		ssize_t got = recv_typed(self->peer, buf, sizeof(buf), &type);

		ASSERT_EQ((ssize_t)steps[i].len, got) {
			TH_LOG("record %zu: %s", i,
			       got < 0 ? strerror(-got) : "short");
		}
		EXPECT_EQ(step_type(&steps[i]), type);
		EXPECT_EQ(0, memcmp(data + off, buf, got));
		off += got;
	}
	reap_sender(_metadata, pid, true);
	free(data);
}

/* --- 5. the key installation contract (upstream tls_main.c) ----------------- */

/* Nothing but EBUSY comes back while no TX keys are installed. */
static void expect_no_tx_keys(struct __test_metadata *_metadata, int fd)
{
	unsigned char buf[CRYPTO_INFO_BUF];
	socklen_t len = sizeof(struct tls_crypto_info);

	EXPECT_EQ(-EBUSY, get_tx_raw(fd, buf, &len));
}

TEST_F(tls_tx, set_short_optlen_is_einval)
{
	socklen_t len;

	for (len = 0; len < sizeof(struct tls_crypto_info); len++)
		EXPECT_EQ(-EINVAL, set_tx_raw(self->tx, self->keys.ci, len)) {
			TH_LOG("optlen %u", len);
		}
	EXPECT_EQ(-EINVAL, set_tx_raw(self->tx, NULL, self->keys.len));
	expect_no_tx_keys(_metadata, self->tx);
}

TEST_F(tls_tx, set_unknown_version_is_einval)
{
	static const uint16_t versions[] = {
		0, 0x0300, 0x0301, 0x0302, 0x0305, 0x0403, 0xfefd, 0xffff,
	};
	struct tls_keys k = self->keys;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		((struct tls_crypto_info *)k.ci)->version = versions[i];
		EXPECT_EQ(-EINVAL, keys_install(self->tx, TLS_TX, &k)) {
			TH_LOG("version %#x", versions[i]);
		}
	}
	expect_no_tx_keys(_metadata, self->tx);
}

TEST_F(tls_tx, set_unknown_cipher_is_einval)
{
	static const uint16_t types[] = { 0, 1, 50, 59, 60, 0x1301, 0xffff };
	struct tls_keys k = self->keys;
	unsigned int i;

	/* Each with this variant's (valid) length and the rest intact. */
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		((struct tls_crypto_info *)k.ci)->cipher_type = types[i];
		EXPECT_EQ(-EINVAL, keys_install(self->tx, TLS_TX, &k)) {
			TH_LOG("cipher type %u", types[i]);
		}
	}
	expect_no_tx_keys(_metadata, self->tx);
}

TEST_F(tls_tx, set_wrong_optlen_is_einval)
{
	socklen_t want = self->keys.len, lens[4 + ARRAY_SIZE(ciphers)];
	unsigned int i, n = 0;

	lens[n++] = sizeof(struct tls_crypto_info);
	lens[n++] = want - 1;
	lens[n++] = want + 1;
	lens[n++] = CRYPTO_INFO_BUF;
	/* Every other cipher's struct size. */
	for (i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (crypto_info_len(&ciphers[i]) != want)
			lens[n++] = crypto_info_len(&ciphers[i]);
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EINVAL, set_tx_raw(self->tx, self->keys.ci, lens[i])) {
			TH_LOG("optlen %u for a %u-byte struct", lens[i], want);
		}
	expect_no_tx_keys(_metadata, self->tx);
}

/*
 * Send one-byte records on @tx and read their wire bytes from @peer, so
 * that they are known to be on the wire.  Returns a buffer with them.
 */
static uint8_t *send_small_records(struct __test_metadata *_metadata,
				   struct tls_keys *k, int tx, int peer,
				   unsigned int count, unsigned int seed)
{
	struct step steps[8];
	uint8_t *data, *buf;
	unsigned int i;

	ASSERT_LE(count, ARRAY_SIZE(steps));
	for (i = 0; i < count; i++)
		steps[i] = (struct step)WRITE(1);
	data = plaintext(_metadata, count, seed);
	buf = capture(_metadata, tx, peer, steps, count, data,
		      steps_wire_len(k, steps, count));
	if (k->suite)
		check_records(_metadata, k, get_be64(ci_rec_seq(k)), steps,
			      count, data, buf, steps_wire_len(k, steps, count));
	free(data);
	return buf;
}

TEST_F(tls_tx, set_twice_is_ebusy)
{
	struct tls_keys other = self->keys;
	uint8_t *buf;

	/* A second TLS_TX on TLS 1.3 keys is a rekey (rekey.c). */
	if (self->keys.version != TLS_1_2_VERSION)
		SKIP(return, "TLS 1.2 only: TLS 1.3 rekeys");
	install_tx(_metadata, self->tx, &self->keys);
	EXPECT_EQ(-EBUSY, keys_install(self->tx, TLS_TX, &self->keys));
	/*
	 * Other keys, another cipher, a bad length: upstream tells "already
	 * set" before it looks at the cipher or the length, so EBUSY each.
	 */
	key_pattern(ci_key(&other), other.c->key_len, 999);
	EXPECT_EQ(-EBUSY, keys_install(self->tx, TLS_TX, &other));
	keys_init(&other, self->keys.version,
		  self->keys.c->type == TLS_CIPHER_AES_GCM_256 ?
		  TLS_CIPHER_AES_GCM_128 : TLS_CIPHER_AES_GCM_256, 0, 0);
	EXPECT_EQ(-EBUSY, keys_install(self->tx, TLS_TX, &other));
	EXPECT_EQ(-EBUSY, set_tx_raw(self->tx, self->keys.ci, self->keys.len + 1));
	/* The first keys, from the first sequence number, are the ones in use. */
	buf = send_small_records(_metadata, &self->keys, self->tx, self->peer,
				 2, 50);
	free(buf);
}

TEST_F(tls_tx, get_before_keys_is_ebusy)
{
	unsigned char buf[CRYPTO_INFO_BUF];
	socklen_t len = self->keys.len;

	EXPECT_EQ(-EBUSY, get_tx_raw(self->tx, buf, &len));
	len = sizeof(struct tls_crypto_info);
	EXPECT_EQ(-EBUSY, get_tx_raw(self->tx, buf, &len));
}

TEST_F(tls_tx, get_short_len_is_einval)
{
	unsigned char buf[CRYPTO_INFO_BUF];
	socklen_t len;

	/* The length is checked before whether keys are there... */
	len = sizeof(struct tls_crypto_info) - 1;
	EXPECT_EQ(-EINVAL, get_tx_raw(self->tx, buf, &len));
	install_tx(_metadata, self->tx, &self->keys);
	/* ...and after: anything shorter than the header is refused. */
	for (len = 0; len < sizeof(struct tls_crypto_info); len++) {
		socklen_t l = len;

		EXPECT_EQ(-EINVAL, get_tx_raw(self->tx, buf, &l)) {
			TH_LOG("len %u", len);
		}
	}
	/* Neither the header nor the struct: the wrong size for this cipher. */
	len = self->keys.len - 1;
	EXPECT_EQ(-EINVAL, get_tx_raw(self->tx, buf, &len));
	len = self->keys.len + 1;
	EXPECT_EQ(-EINVAL, get_tx_raw(self->tx, buf, &len));
}

TEST_F(tls_tx, get_header_only)
{
	unsigned char buf[CRYPTO_INFO_BUF];
	struct tls_crypto_info *info = (void *)buf;
	socklen_t len = sizeof(*info);
	unsigned int i;

	install_tx(_metadata, self->tx, &self->keys);
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, get_tx_raw(self->tx, buf, &len));
	EXPECT_EQ(sizeof(*info), len);
	EXPECT_EQ(self->keys.version, info->version);
	EXPECT_EQ(self->keys.c->type, info->cipher_type);
	/* Nothing beyond the header is written. */
	for (i = sizeof(*info); i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);
}

TEST_F(tls_tx, get_full_after_records)
{
	const unsigned int records = 3;
	struct tls_keys got = self->keys;
	unsigned char want_iv[16];
	socklen_t len = self->keys.len;
	uint8_t *buf;

	install_tx(_metadata, self->tx, &self->keys);
	memset(got.ci, 0, sizeof(got.ci));
	ASSERT_EQ(0, get_tx_raw(self->tx, got.ci, &len));
	EXPECT_EQ(self->keys.len, len);
	EXPECT_EQ(0, memcmp(self->keys.ci, got.ci, self->keys.len));

	buf = send_small_records(_metadata, &self->keys, self->tx, self->peer,
				 records, 60);
	free(buf);

	memset(got.ci, 0, sizeof(got.ci));
	len = self->keys.len;
	ASSERT_EQ(0, get_tx_raw(self->tx, got.ci, &len));
	EXPECT_EQ(self->keys.len, len);
	EXPECT_EQ(0, memcmp(self->keys.ci, got.ci, sizeof(struct tls_crypto_info)));
	EXPECT_EQ(0, memcmp(ci_key(&self->keys), ci_key(&got), got.c->key_len));
	EXPECT_EQ(0, memcmp(ci_salt(&self->keys), ci_salt(&got), got.c->salt_len));
	/* rec_seq is the next record's: SEQ_START + 3 carries into bit 32. */
	EXPECT_EQ(SEQ_START + records, get_be64(ci_rec_seq(&got)));
	/*
	 * iv: upstream reports the IV it will use next.  TLS 1.3 and
	 * ChaCha20-Poly1305 derive per-record nonces from rec_seq and keep iv
	 * as set; TLS 1.2 GCM/CCM send iv as the explicit nonce and count it
	 * up once per record, so it comes back advanced like rec_seq.
	 */
	memcpy(want_iv, ci_iv(&self->keys), self->keys.c->iv_len);
	if (explicit_nonce_len(&self->keys))
		put_be64(want_iv, get_be64(want_iv) + records);
	EXPECT_EQ(0, memcmp(want_iv, ci_iv(&got), got.c->iv_len));
}

TEST_F(tls_tx, failed_set_leaves_plaintext_socket)
{
	struct tls_keys bad = self->keys;
	uint8_t *data = plaintext(_metadata, 1000, 70), got[1000];
	uint8_t *buf;

	/* Every way to fail, each after the previous one. */
	EXPECT_EQ(-EINVAL, set_tx_raw(self->tx, bad.ci, 3));
	EXPECT_EQ(-EINVAL, set_tx_raw(self->tx, bad.ci, bad.len + 1));
	EXPECT_EQ(-EINVAL, set_tx_raw(self->tx, bad.ci, bad.len - 1));
	((struct tls_crypto_info *)bad.ci)->version = 0x0302;
	EXPECT_EQ(-EINVAL, keys_install(self->tx, TLS_TX, &bad));
	bad = self->keys;
	((struct tls_crypto_info *)bad.ci)->cipher_type = 50;
	EXPECT_EQ(-EINVAL, keys_install(self->tx, TLS_TX, &bad));
	expect_no_tx_keys(_metadata, self->tx);

	/* Data still goes out as it is. */
	ASSERT_EQ(0, ktlso_write_all(self->tx, data, 1000));
	ASSERT_EQ(0, ktlso_read_all(self->peer, got, 1000));
	EXPECT_EQ(0, memcmp(data, got, 1000));

	/* Good keys still install, and start at the first sequence number. */
	install_tx(_metadata, self->tx, &self->keys);
	buf = send_small_records(_metadata, &self->keys, self->tx, self->peer,
				 2, 71);
	free(buf);
	free(data);
}

/* Not a matter of version x cipher variants: one connection of its own. */
TEST(aria_with_tls13_is_einval)
{
	static const uint16_t arias[] = {
		TLS_CIPHER_ARIA_GCM_128, TLS_CIPHER_ARIA_GCM_256,
	};
	unsigned char buf[CRYPTO_INFO_BUF];
	socklen_t len = sizeof(struct tls_crypto_info);
	struct tls_keys k;
	unsigned int i;
	int cfd, sfd;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ulp_attach(cfd, test_ulp()));
	/*
	 * RFC 6209 defines ARIA suites for TLS 1.2 only, and upstream's
	 * validate_crypto_info() refuses them with TLS 1.3 before it looks
	 * for the algorithm: EINVAL whether or not the kernel has ARIA.
	 */
	for (i = 0; i < ARRAY_SIZE(arias); i++) {
		keys_init(&k, TLS_1_3_VERSION, arias[i], 0, SEQ_START);
		EXPECT_EQ(-EINVAL, keys_install(cfd, TLS_TX, &k)) {
			TH_LOG("%s with TLS 1.3", k.c->name);
		}
	}
	EXPECT_EQ(-EBUSY, get_tx_raw(cfd, buf, &len));
	ktlso_close_now(cfd);
	close(sfd);
}

/*
 * Asking the crypto API for a cipher it lacks makes it try to load a module
 * for every name it knows the cipher by: seconds each on a debug kernel,
 * more than the harness's default timeout over the four.
 */
FIXTURE(optional_cipher) {};
FIXTURE_SETUP(optional_cipher) {}
FIXTURE_TEARDOWN(optional_cipher) {}

TEST_F_TIMEOUT(optional_cipher, unavailable_refused_like_intree, 120)
{
	static const struct {
		uint16_t version, cipher;
	} optional[] = {
		{ TLS_1_3_VERSION, TLS_CIPHER_SM4_GCM },
		{ TLS_1_3_VERSION, TLS_CIPHER_SM4_CCM },
		{ TLS_1_2_VERSION, TLS_CIPHER_ARIA_GCM_128 },
		{ TLS_1_2_VERSION, TLS_CIPHER_ARIA_GCM_256 },
	};
	unsigned int i, refused = 0;
	struct tls_keys k;
	bool no_ulp;
	int err, cfd, sfd;

	/*
	 * Where in-tree kTLS cannot run a cipher (the kernel's crypto API
	 * lacks it), the variants above skip; the ULP under test must then
	 * refuse the keys the same way, and leave the socket without keys.
	 */
	for (i = 0; i < ARRAY_SIZE(optional); i++) {
		keys_init(&k, optional[i].version, optional[i].cipher, 0,
			  SEQ_START);
		err = intree_accepts(&k, &no_ulp);
		if (no_ulp)
			SKIP(return, "in-tree tls ULP unavailable");
		if (!err)
			continue;
		refused++;
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		ASSERT_EQ(0, ulp_attach(cfd, test_ulp()));
		EXPECT_EQ(err, keys_install(cfd, TLS_TX, &k)) {
			TH_LOG("%s", k.c->name);
		}
		expect_no_tx_keys(_metadata, cfd);
		ktlso_close_now(cfd);
		close(sfd);
	}
	if (!refused)
		SKIP(return, "this kernel runs every optional cipher");
}

/* --- 6. sequence number exhaustion -------------------------------------------- */

TEST_F(tls_tx, seq_exhaustion_is_ebadmsg)
{
	struct tls_keys k = self->keys;
	uint8_t *buf;
	char c = 'x';

	keys_set_seq(&k, UINT64_MAX - 1);
	install_tx(_metadata, self->tx, &k);
	if (testing_intree()) {
		/*
		 * In-tree kTLS counts rec_seq up right after sealing a record
		 * and aborts the socket (sk_err = EBADMSG) when it wraps: so
		 * record 2^64-1 is sealed but never reaches TCP, and the send
		 * that made it already fails.  Only record 2^64-2 goes out.
		 */
		buf = send_small_records(_metadata, &k, self->tx, self->peer,
					 1, 80);
		EXPECT_EQ(-1, send(self->tx, &c, 1, 0));
		EXPECT_EQ(EBADMSG, errno);
	} else {
		/*
		 * ktlso: records 2^64-2 and 2^64-1 are the last two a key may
		 * protect (RFC 8446 5.3, RFC 5246 6.1): both go out, open with
		 * their sequence numbers, and the next send is refused.
		 */
		buf = send_small_records(_metadata, &k, self->tx, self->peer,
					 2, 80);
	}
	free(buf);
	EXPECT_EQ(-1, send(self->tx, &c, 1, 0));
	EXPECT_EQ(EBADMSG, errno);
	/* It stays so, and nothing more reaches the wire. */
	EXPECT_EQ(-1, send(self->tx, &c, 1, 0));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_TRUE(nothing_readable(self->peer, 200));
}

/* --- 7. non-blocking sends --------------------------------------------------- */

TEST_F(tls_tx, nonblocking_sends_until_eagain)
{
	const size_t chunk = 16384, cap = 64 << 20;
	int small = 64 * 1024;
	uint8_t *data = plaintext(_metadata, cap / 64, 90), *got;
	size_t sent = 0, off;
	ssize_t n;

	/* Small buffers so that EAGAIN comes soon. */
	ASSERT_EQ(0, setsockopt(self->tx, SOL_SOCKET, SO_SNDBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, setsockopt(self->peer, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	install_tx(_metadata, self->tx, &self->keys);
	/* The plaintext repeats every cap/64 bytes: offsets map into @data. */
	for (;;) {
		size_t at = sent % (cap / 64), len = chunk;

		if (len > cap / 64 - at)
			len = cap / 64 - at;
		n = send(self->tx, data + at, len, MSG_DONTWAIT);
		if (n < 0)
			break;
		ASSERT_GT(n, 0);
		sent += n;
		ASSERT_LT(sent, cap) {
			TH_LOG("no EAGAIN after %zu bytes", sent);
		}
	}
	ASSERT_EQ(EAGAIN, errno) {
		TH_LOG("send failed after %zu bytes: %s", sent, strerror(errno));
	}
	ASSERT_NE((size_t)0, sent);

	/* Everything send() accepted arrives, in order, nothing more. */
	install_intree_rx(_metadata, self->peer, &self->keys);
	got = malloc(chunk);
	ASSERT_NE(NULL, got);
	for (off = 0; off < sent; ) {
		size_t at = off % (cap / 64), len = chunk;

		if (len > cap / 64 - at)
			len = cap / 64 - at;
		if (len > sent - off)
			len = sent - off;
		ASSERT_EQ(0, ktlso_read_all(self->peer, got, len)) {
			TH_LOG("reading at %zu of %zu", off, sent);
		}
		ASSERT_EQ(0, memcmp(data + at, got, len)) {
			TH_LOG("data at %zu of %zu differs", off, sent);
		}
		off += len;
	}
	EXPECT_EQ(-1, recv(self->peer, got, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	free(got);
	free(data);
}

/* --- 8. send semantics ----------------------------------------------------- */

/*
 * One TLS 1.3 AES-128-GCM sender with the ULP under test, and a peer that
 * is plain TCP (raw) or in-tree kTLS RX (intree).
 */
FIXTURE(sem)
{
	struct tls_keys keys;
	int tx;
	int raw_peer;
	int tx2;
	int rx_peer;
};

FIXTURE_SETUP(sem)
{
	bool no_ulp;

	self->tx = self->raw_peer = self->tx2 = self->rx_peer = -1;
	keys_init(&self->keys, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0x1301, 0);
	ASSERT_EQ(0, intree_accepts(&self->keys, &no_ulp));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->tx, &self->raw_peer));
	ASSERT_EQ(0, ulp_attach(self->tx, test_ulp()));
	ASSERT_EQ(0, keys_install(self->tx, TLS_TX, &self->keys));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->tx2, &self->rx_peer));
	ASSERT_EQ(0, ulp_attach(self->tx2, test_ulp()));
	ASSERT_EQ(0, keys_install(self->tx2, TLS_TX, &self->keys));
	ASSERT_EQ(0, ulp_attach(self->rx_peer, "tls"));
	ASSERT_EQ(0, keys_install(self->rx_peer, TLS_RX, &self->keys));
	set_rcvtimeo(self->raw_peer, RCV_TIMEOUT_S);
	set_rcvtimeo(self->rx_peer, RCV_TIMEOUT_S);
}

FIXTURE_TEARDOWN(sem)
{
	if (self->tx >= 0)
		ktlso_close_now(self->tx);
	if (self->tx2 >= 0)
		ktlso_close_now(self->tx2);
	if (self->raw_peer >= 0)
		close(self->raw_peer);
	if (self->rx_peer >= 0)
		close(self->rx_peer);
}

TEST_F(sem, msg_more_coalesces_into_one_record)
{
	unsigned char out[300], wire[sizeof(out) + 64];
	size_t want = wire_len(&self->keys, sizeof(out));

	ktlso_fill(out, sizeof(out), 1);
	ASSERT_EQ(100, send(self->tx, out, 100, MSG_MORE));
	ASSERT_EQ(100, send(self->tx, out + 100, 100, MSG_MORE));
	/* Nothing goes out while the record is open. */
	EXPECT_TRUE(nothing_readable(self->raw_peer, 200));
	ASSERT_EQ(100, send(self->tx, out + 200, 100, 0));
	ASSERT_EQ(0, ktlso_read_all(self->raw_peer, wire, want));
	EXPECT_EQ(TYPE_DATA, wire[0]);
	EXPECT_EQ(want - HDR_LEN, (size_t)(wire[3] << 8 | wire[4]));
	EXPECT_TRUE(nothing_readable(self->raw_peer, 200));
}

TEST_F(sem, msg_more_with_eor_is_einval)
{
	char c = 'x';

	EXPECT_EQ(-1, send(self->tx, &c, 1, MSG_MORE | MSG_EOR));
	/* In-tree kTLS before Linux 6.5 refuses MSG_EOR altogether. */
	if (testing_intree() && errno == EOPNOTSUPP)
		return;
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sem, record_type_with_msg_more_is_einval)
{
	char buf[CMSG_SPACE(1)] = {}, data[2] = { 1, 0 };
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(cm) = TYPE_ALERT;
	EXPECT_EQ(-1, sendmsg(self->tx, &msg, MSG_MORE));
	EXPECT_EQ(EINVAL, errno);
	/* Without MSG_MORE the same message goes out as one alert record. */
	EXPECT_EQ((ssize_t)sizeof(data), sendmsg(self->tx, &msg, 0));
}

TEST_F(sem, unsupported_flag_is_eopnotsupp)
{
	char c = 'x';

	EXPECT_EQ(-1, send(self->tx, &c, 1, MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(sem, close_sends_the_open_record)
{
	unsigned char out[1000], in[sizeof(out)];

	/* In-tree kTLS frees a record still open at close: its bytes are lost. */
	if (testing_intree())
		SKIP(return, "in-tree kTLS drops an open record at close");

	ktlso_fill(out, sizeof(out), 2);
	ASSERT_EQ((ssize_t)sizeof(out), send(self->tx2, out, sizeof(out), MSG_MORE));
	EXPECT_TRUE(nothing_readable(self->rx_peer, 200));
	close(self->tx2);
	self->tx2 = -1;
	ASSERT_EQ(0, ktlso_read_all(self->rx_peer, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
}

TEST_F(sem, send_after_shutdown_is_epipe)
{
	char c = 'x';

	/* In-tree kTLS reports such bytes as sent though TCP refused them. */
	if (testing_intree())
		SKIP(return, "in-tree kTLS accepts bytes after SHUT_WR");

	ASSERT_EQ(0, shutdown(self->tx, SHUT_WR));
	EXPECT_EQ(-1, send(self->tx, &c, 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe = 1;
}

TEST_F(sem, epipe_raises_sigpipe_unless_nosignal)
{
	struct sigaction sa = { .sa_handler = on_sigpipe }, old;
	char c = 'x';

	if (testing_intree())
		SKIP(return, "in-tree kTLS accepts bytes after SHUT_WR");

	ASSERT_EQ(0, shutdown(self->tx, SHUT_WR));
	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, &old));
	got_sigpipe = 0;
	EXPECT_EQ(-1, send(self->tx, &c, 1, MSG_NOSIGNAL));
	EXPECT_EQ(0, got_sigpipe);
	EXPECT_EQ(-1, send(self->tx, &c, 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, got_sigpipe);
	sigaction(SIGPIPE, &old, NULL);
}

TEST_F(sem, sndtimeo_bounds_a_blocked_send)
{
	struct timeval tv = { .tv_usec = 300 * 1000 };
	int small = 4096;
	static unsigned char big[4 << 20];
	struct timespec a, b;
	ssize_t n;
	double secs;

	/* The peer never reads: a large blocking send must stop at the
	 * timeout with a short count (or EAGAIN), not hang.
	 */
	ASSERT_EQ(0, setsockopt(self->tx, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)));
	ASSERT_EQ(0, setsockopt(self->raw_peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
	ASSERT_EQ(0, setsockopt(self->tx, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	clock_gettime(CLOCK_MONOTONIC, &a);
	n = send(self->tx, big, sizeof(big), MSG_NOSIGNAL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	if (n < 0) {
		EXPECT_EQ(EAGAIN, errno);
	} else {
		EXPECT_LT((size_t)n, sizeof(big));
	}
	EXPECT_LT(secs, 5.0);
}

/*
 * Forty spliced runs of 100 bytes, each from another page of the file, in
 * one record (SPLICE_F_MORE): more pieces than a record keeps references
 * to, so the rest is copied; the record must still be whole and in order.
 */
TEST_F(sem, many_spliced_pieces_make_one_record)
{
	const size_t runs = 40, run = 100, tail = 10;
	const size_t len = runs * run + tail;
	uint8_t *file = plaintext(_metadata, runs * 4096, 4);
	uint8_t *data = malloc(len);
	size_t i, records;
	int mfd, p[2];

	ASSERT_NE(NULL, data);
	mfd = memfd_with(file, runs * 4096, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < runs; i++) {
		loff_t off = i * 4096 + i % 7;

		memcpy(data + i * run, file + off, run);
		ASSERT_EQ((ssize_t)run, splice(mfd, &off, p[1], NULL, run, 0));
		ASSERT_EQ((ssize_t)run, splice(p[0], NULL, self->tx, NULL, run,
					       SPLICE_F_MORE));
	}
	memcpy(data + runs * run, "0123456789", tail);
	ASSERT_EQ((ssize_t)tail, send(self->tx, data + runs * run, tail, 0));

	records = open_stream(_metadata, &self->keys, 0, self->raw_peer, data,
			      len);
	EXPECT_TRUE(nothing_readable(self->raw_peer, 100));
	/* In-tree kTLS closes the record when its page list is full. */
	if (!testing_intree())
		EXPECT_EQ((size_t)1, records);
	close(p[0]);
	close(p[1]);
	close(mfd);
	free(data);
	free(file);
}

/*
 * sendfile() returns with its records sealed: bytes written to the file
 * afterwards never reach the peer.  @extra asks for more than the file
 * holds, so that the call ends at end of file (splice EOF) instead.
 */
static void sendfile_then_change_file(struct __test_metadata *_metadata,
				      int tx, int rx, size_t extra)
{
	const size_t len = 150000;
	uint8_t *data = plaintext(_metadata, len, 5);
	uint8_t *later = plaintext(_metadata, len, 6);
	uint8_t *got = malloc(len);
	int mfd = memfd_with(data, len, 0), err, status;
	pid_t pid;

	ASSERT_NE(NULL, got);
	ASSERT_LE(0, mfd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		off_t off = 0;
		ssize_t n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while ((size_t)off < len) {
			n = sendfile(tx, mfd, &off, len - off + extra);
			if (n <= 0)
				_exit(n < 0 ? errno : EPIPE);
		}
		/* At once: the peer may not even have read anything yet. */
		_exit(pwrite_all(mfd, later, len, 0) ? EIO : 0);
	}
	err = ktlso_read_all(rx, got, len);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, err) {
		TH_LOG("reading %zu bytes: %s", len, strerror(-err));
	}
	expect_same_bytes(_metadata, "file at sendfile time vs received",
			  data, got, len);
	close(mfd);
	free(got);
	free(later);
	free(data);
}

TEST_F(sem, file_changed_after_sendfile_is_not_sent)
{
	sendfile_then_change_file(_metadata, self->tx2, self->rx_peer, 0);
}

TEST_F(sem, sendfile_to_end_of_file_seals_the_last_record)
{
	sendfile_then_change_file(_metadata, self->tx2, self->rx_peer, 5000);
}

/*
 * A record left open by SPLICE_F_MORE keeps the file's pages, as in-tree
 * kTLS does from Linux 6.5 on: it is encrypted when it is sealed, from the
 * pages as they are then (a sendfile() or a splice() that promises nothing
 * more returns sealed, see above).  Where in-tree kTLS keeps such records
 * open, its bytes must be the same.
 */
TEST_F(sem, open_spliced_record_is_read_when_sealed)
{
	const size_t len = 5000, tail = 100;
	uint8_t *data = plaintext(_metadata, len + tail, 7);
	uint8_t *later = plaintext(_metadata, len, 8);
	size_t wire = wire_len(&self->keys, len + tail);
	const struct step one = WRITE(len + tail);
	uint8_t *bufs[2], *sealed, *ref;
	int fds[2] = { self->tx, -1 }, peers[2] = { self->raw_peer, -1 };
	int i, runs = 1, p[2];

	if (intree_splice_keeps_more()) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &fds[1], &peers[1]));
		ASSERT_EQ(0, ulp_attach(fds[1], "tls"));
		ASSERT_EQ(0, keys_install(fds[1], TLS_TX, &self->keys));
		set_rcvtimeo(peers[1], RCV_TIMEOUT_S);
		runs = 2;
	} else if (testing_intree()) {
		SKIP(return, "in-tree kTLS ends records at every splice here");
	}
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < runs; i++) {
		int mfd = memfd_with(data, len, 0);
		loff_t off = 0;

		ASSERT_LE(0, mfd);
		bufs[i] = malloc(wire);
		ASSERT_NE(NULL, bufs[i]);
		ASSERT_EQ((ssize_t)len, splice(mfd, &off, p[1], NULL, len, 0));
		ASSERT_EQ((ssize_t)len, splice(p[0], NULL, fds[i], NULL, len,
					       SPLICE_F_MORE));
		ASSERT_EQ(0, pwrite_all(mfd, later, len, 0));
		ASSERT_EQ((ssize_t)tail, send(fds[i], data + len, tail, 0));
		ASSERT_EQ(0, ktlso_read_all(peers[i], bufs[i], wire));
		close(mfd);
	}
	/* One record: the file as it was when the write sealed it, the tail. */
	sealed = malloc(len + tail);
	ASSERT_NE(NULL, sealed);
	memcpy(sealed, later, len);
	memcpy(sealed + len, data + len, tail);
	ref = engine_seal(_metadata, &self->keys, 0, &one, 1, sealed, wire);
	expect_same_bytes(_metadata, "engine vs ULP under test", ref, bufs[0],
			  wire);
	if (runs == 2) {
		expect_same_bytes(_metadata, "in-tree kTLS vs ULP under test",
				  bufs[1], bufs[0], wire);
		ktlso_close_now(fds[1]);
		close(peers[1]);
		free(bufs[1]);
	}
	close(p[0]);
	close(p[1]);
	free(bufs[0]);
	free(ref);
	free(sealed);
	free(later);
	free(data);
}

TEST_F(sem, close_sends_an_open_spliced_record)
{
	const size_t len = 3000;
	uint8_t *data = plaintext(_metadata, len, 9), *got = malloc(len);
	int mfd = memfd_with(data, len, 0), p[2];
	loff_t off = 0;

	if (testing_intree())
		SKIP(return, "in-tree kTLS drops an open record at close");
	ASSERT_NE(NULL, got);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ((ssize_t)len, splice(mfd, &off, p[1], NULL, len, 0));
	ASSERT_EQ((ssize_t)len, splice(p[0], NULL, self->tx2, NULL, len,
				       SPLICE_F_MORE));
	EXPECT_TRUE(nothing_readable(self->rx_peer, 200));
	close(mfd);
	close(self->tx2);
	self->tx2 = -1;
	ASSERT_EQ(0, ktlso_read_all(self->rx_peer, got, len));
	EXPECT_EQ(0, memcmp(data, got, len));
	close(p[0]);
	close(p[1]);
	free(got);
	free(data);
}

/*
 * Close with full records still in the ring (spliced with SPLICE_F_MORE,
 * some maybe on other CPUs still): every one goes out, in order, before
 * the FIN.
 */
TEST_F(sem, close_sends_the_records_in_the_ring)
{
	const size_t len = 6 * MAX_PAYLOAD;
	uint8_t *data = plaintext(_metadata, len, 10), *got = malloc(len);

	if (testing_intree())
		SKIP(return, "in-tree kTLS drops an open record at close");
	ASSERT_NE(NULL, got);
	ASSERT_EQ(0, send_splice(self->tx2, data, len, true));
	close(self->tx2);
	self->tx2 = -1;
	ASSERT_EQ(0, ktlso_read_all(self->rx_peer, got, len));
	EXPECT_EQ(0, memcmp(data, got, len));
	/* Then the clean end of the stream, nothing more. */
	EXPECT_EQ(0, recv(self->rx_peer, got, 1, 0));
	free(got);
	free(data);
}

/* Small buffers on both ends, so that TCP fills up soon. */
static void small_buffers(struct __test_metadata *_metadata, int tx, int rx)
{
	int small = 64 * 1024;

	ASSERT_EQ(0, setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
}

/*
 * Non-blocking sendfile() until TCP is full (a sealed record pending, an
 * open one holding spliced pages), then the rest blocking: everything
 * arrives once, in order.
 */
TEST_F(sem, nonblocking_sendfile_then_the_rest)
{
	const size_t len = 2 << 20;
	uint8_t *data = plaintext(_metadata, len, 10), *got = malloc(len);
	int mfd = memfd_with(data, len, 0), sync[2], err, status;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, got);
	ASSERT_LE(0, mfd);
	small_buffers(_metadata, self->tx2, self->rx_peer);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fl = fcntl(self->tx2, F_GETFL);
		off_t off = 0;
		ssize_t n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fcntl(self->tx2, F_SETFL, fl | O_NONBLOCK);
		while ((size_t)off < len) {
			n = sendfile(self->tx2, mfd, &off, len - off);
			if (n < 0 && errno == EAGAIN)
				break;
			if (n <= 0)
				_exit(n < 0 ? errno : EPIPE);
		}
		if ((size_t)off == len)
			_exit(EFBIG);		/* TCP never filled up */
		fcntl(self->tx2, F_SETFL, fl);
		if (write(sync[1], "x", 1) != 1)
			_exit(EIO);
		_exit(-sendfile_all(self->tx2, mfd, off, len - off));
	}
	ASSERT_EQ(1, read(sync[0], &c, 1));
	err = ktlso_read_all(self->rx_peer, got, len);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("sender: %s", strerror(WEXITSTATUS(status)));
	}
	ASSERT_EQ(0, err);
	expect_same_bytes(_metadata, "file vs received", data, got, len);
	close(sync[0]);
	close(sync[1]);
	close(mfd);
	free(got);
	free(data);
}

/*
 * close() with a sealed record that TCP had no room for, after
 * non-blocking sends: it does not wait (as in-tree kTLS does not), so the
 * connection may be reset; what the peer decrypts is still the stream's
 * beginning, whole records only, and nothing leaks (the VM run checks that
 * ktlso unloads).
 */
TEST_F(sem, close_with_a_pending_record)
{
	const size_t len = 1 << 20;
	uint8_t *data = plaintext(_metadata, len, 11), *got = malloc(len);
	size_t sent = 0, have = 0;
	ssize_t n;

	ASSERT_NE(NULL, got);
	small_buffers(_metadata, self->tx2, self->rx_peer);
	while (sent < len) {
		n = send(self->tx2, data + sent, len - sent < 10000 ?
			 len - sent : 10000, MSG_DONTWAIT);
		if (n < 0)
			break;
		sent += n;
	}
	ASSERT_EQ(EAGAIN, errno);
	close(self->tx2);
	self->tx2 = -1;
	for (;;) {
		n = recv(self->rx_peer, got + have, len - have, 0);
		if (n <= 0)
			break;
		have += n;
	}
	EXPECT_LE(have, sent);
	EXPECT_NE((size_t)0, have);
	expect_same_bytes(_metadata, "sent vs received", data, got, have);
	free(got);
	free(data);
}

/*
 * Records that a write fills or ends are encrypted straight from the
 * sender's memory: the buffer is the sender's again once send() returns,
 * whatever it writes there, and an open record never depends on it.
 */
TEST_F(sem, user_buffer_reused_after_send)
{
	static const size_t lens[] = { 5000, 20000, 16384, 3000, 40000 };
	static const int flags[] = { MSG_MORE, 0, MSG_MORE, MSG_MORE, 0 };
	size_t i, off = 0, total = 0;
	uint8_t *buf = malloc(40000), *want, *got;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		total += lens[i];
	want = malloc(total);
	got = malloc(total);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, got);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		ktlso_fill(buf, lens[i], 100 + i);
		memcpy(want + off, buf, lens[i]);
		ASSERT_EQ((ssize_t)lens[i],
			  send(self->tx2, buf, lens[i], flags[i]));
		memset(buf, 0xee, lens[i]);
		off += lens[i];
	}
	ASSERT_EQ(0, ktlso_read_all(self->rx_peer, got, total));
	expect_same_bytes(_metadata, "sent vs received", want, got, total);
	free(got);
	free(want);
	free(buf);
}

/*
 * A write whose buffer runs into an unreadable page stops there: the bytes
 * before it are accepted or none is, and the stream goes on intact.
 */
TEST_F(sem, write_faulting_midway_keeps_the_stream)
{
	const size_t page = sysconf(_SC_PAGESIZE), tail = 100;
	uint8_t *map, *want, *got;
	size_t head;
	ssize_t n;

	map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ktlso_fill(map, 3 * page, 12);
	want = malloc(3 * page + tail);
	got = malloc(3 * page + tail);
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, got);
	memcpy(want, map, page);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	n = send(self->tx2, map, 3 * page, 0);
	if (n < 0) {
		EXPECT_EQ(EFAULT, errno);
		head = 0;
	} else {
		EXPECT_LE((size_t)n, page);
		head = n;
	}
	ktlso_fill(want + head, tail, 13);
	ASSERT_EQ((ssize_t)tail, send(self->tx2, want + head, tail, 0));
	ASSERT_EQ(0, ktlso_read_all(self->rx_peer, got, head + tail));
	expect_same_bytes(_metadata, "sent vs received", want, got,
			  head + tail);
	EXPECT_TRUE(nothing_readable(self->rx_peer, 100));
	munmap(map, 3 * page);
	free(got);
	free(want);
}

/*
 * Random write sizes, random MSG_MORE, on a connection to in-tree RX:
 * the byte stream arrives whole and in order.
 */
TEST_F(sem, random_writes_arrive_intact)
{
	static unsigned char out[1 << 20], in[sizeof(out)];
	unsigned int seed = 12345;
	size_t off = 0;
	pid_t pid;
	int err;

	ktlso_fill(out, sizeof(out), 3);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		while (off < sizeof(out)) {
			size_t n = rand_r(&seed) % 40000 + 1;
			int flags = rand_r(&seed) % 3 == 0 ? MSG_MORE : 0;
			ssize_t w;

			if (n > sizeof(out) - off)
				n = sizeof(out) - off;
			if (off + n == sizeof(out))
				flags = 0;
			w = send(self->tx2, out + off, n, flags);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	err = ktlso_read_all(self->rx_peer, in, sizeof(in));
	reap_sender(_metadata, pid, err == 0);
	ASSERT_EQ(0, err);
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
}

/* --- 9. the work item, faults, close, races ---------------------------------- */

/* Read a small file into @buf, NUL-terminated; the bytes read or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/*
 * A kernel worker blocked (state D) in ktlso's transmit work, as its wait
 * channel or its stack shows: its pid, or 0 if there is none.
 */
static pid_t stuck_tx_worker(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[300], buf[4096], *p;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (read_small(path, buf, sizeof(buf)) <= 0 ||
		    !strstr(buf, "(kworker"))
			continue;
		p = strrchr(buf, ')');
		if (!p || p[1] != ' ' || p[2] != 'D')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/wchan", e->d_name);
		if (read_small(path, buf, sizeof(buf)) > 0 &&
		    strstr(buf, "ktlso"))
			found = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/%s/stack", e->d_name);
		if (read_small(path, buf, sizeof(buf)) > 0 &&
		    strstr(buf, "ktlso_tx_work"))
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/*
 * A blocking write of many MiB to a slow reader: TCP makes room now and
 * then, each time in the middle of a record the sender is still pushing.
 * The work item that pushes pending records must not wait for the sender
 * (a kworker in D state for as long as the write lasts, system_wq
 * stalled): sampled all along, no worker is ever blocked in it. Each
 * sample walks /proc, which takes most of a minute on a KASAN kernel:
 * hence the longer timeout.
 */
TEST_F_TIMEOUT(sem, tx_work_never_waits_for_a_sender, 180)
{
	const size_t len = 8 << 20, chunk = 64 * 1024;
	const struct step one = WRITE(len);
	size_t wire = wire_len(&self->keys, len), got = 0;
	uint8_t *data = plaintext(_metadata, len, 14), *buf = malloc(chunk);
	int stuck = 0, samples = 0;
	pid_t pid, worker = 0;

	ASSERT_NE(NULL, buf);
	small_buffers(_metadata, self->tx, self->raw_peer);
	pid = spawn_sender(_metadata, self->tx, &one, 1, data);
	while (got < wire) {
		ssize_t n = recv(self->raw_peer, buf, chunk, MSG_DONTWAIT);
		pid_t w;

		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0)
			got += n;
		/* A slow reader: the sender waits for room most of the time. */
		usleep(5000);
		samples++;
		w = stuck_tx_worker();
		if (w) {
			stuck++;
			worker = w;
		}
	}
	reap_sender(_metadata, pid, got == wire);
	EXPECT_EQ(wire, got);
	EXPECT_EQ(0, stuck) {
		TH_LOG("kworker %d blocked in ktlso_tx_work in %d of %d samples",
		       worker, stuck, samples);
	}
	free(buf);
	free(data);
}

/*
 * A write whose last 100 bytes are not mapped returns 100, and those 100
 * bytes reach the peer without any further call: a request/response peer
 * waits for them.
 */
TEST_F(sem, write_faulting_midway_sends_what_it_took)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	uint8_t *map, got[200];

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	ktlso_fill(map + page - 100, 100, 15);
	ASSERT_EQ(100, send(self->tx2, map + page - 100, 200, 0));
	EXPECT_FALSE(nothing_readable(self->rx_peer, 2000)) {
		TH_LOG("the 100 bytes send() took are not sent");
	}
	ASSERT_EQ(100, recv(self->rx_peer, got, sizeof(got), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(map + page - 100, got, 100));
	EXPECT_TRUE(nothing_readable(self->rx_peer, 100));
	munmap(map, page);
}

/* What a reader thread got from a raw peer: every byte up to EOF or error. */
struct drain {
	int fd;
	int delay_ms;		/* before the first read */
	uint8_t *buf;
	size_t cap;
	size_t len;
	int end;		/* 0: end of file; or the errno */
};

static void *drain_main(void *arg)
{
	struct drain *d = arg;

	usleep(d->delay_ms * 1000);
	for (;;) {
		ssize_t n = recv(d->fd, d->buf + d->len, d->cap - d->len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			d->end = n < 0 ? errno : 0;
			return NULL;
		}
		d->len += n;
		if (d->len == d->cap) {
			d->end = EFBIG;
			return NULL;
		}
	}
}

/*
 * What a peer read until the end: whole records of @k, opening to @data's
 * first bytes in order; after the last whole record only an error (a
 * reset) may follow a partial one, never an end of file.  Returns the
 * plaintext bytes.
 */
static size_t expect_whole_records(struct __test_metadata *_metadata,
				   struct tls_keys *k, const struct drain *d,
				   const uint8_t *data, size_t len)
{
	struct ktlso_record_protection rp;
	uint8_t *out = malloc(MAX_PAYLOAD + 256);
	size_t pos = 0, plain = 0;

	ASSERT_NE(NULL, out);
	engine_init(_metadata, k, 0, false, &rp);
	while (pos < d->len) {
		size_t rec, got;
		uint8_t type;

		rec = d->len - pos < HDR_LEN ? 0 :
		      HDR_LEN + ((size_t)d->buf[pos + 3] << 8 | d->buf[pos + 4]);
		if (!rec || rec > d->len - pos) {
			/* A cut record: only a reset may end the stream so. */
			EXPECT_NE(0, d->end) {
				TH_LOG("record at byte %zu cut: %zu of %zu bytes, then end of file",
				       pos, d->len - pos, rec);
			}
			break;
		}
		open_record(_metadata, &rp, k, d->buf + pos, rec, &type, out,
			    &got);
		ASSERT_LE(plain + got, len);
		ASSERT_EQ(0, memcmp(data + plain, out, got));
		plain += got;
		pos += rec;
	}
	ktlso_record_clear(&rp);
	free(out);
	return plain;
}

/*
 * A blocking send stopped by SO_SNDTIMEO leaves a record TCP took only
 * part of.  close() hands the rest to TCP without waiting for the peer (as
 * TCP's close does not, SO_SNDTIMEO back to forever or not): the peer,
 * which reads only seconds later, gets every record whole, then end of
 * file.
 */
TEST_F(sem, close_sends_a_pending_record_whole)
{
	const size_t len = 1 << 20;
	struct timeval tv = { .tv_usec = 200 * 1000 };
	uint8_t *data = plaintext(_metadata, len, 16);
	struct drain d = { .fd = self->raw_peer, .delay_ms = 2000 };
	struct timespec t0, t1;
	pthread_t reader;
	ssize_t n;

	if (testing_intree())
		SKIP(return, "in-tree kTLS frees the rest of a cut record");
	d.cap = wire_len(&self->keys, len);
	d.buf = malloc(d.cap);
	ASSERT_NE(NULL, d.buf);
	small_buffers(_metadata, self->tx, self->raw_peer);
	ASSERT_EQ(0, setsockopt(self->tx, SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	n = send(self->tx, data, len, 0);
	ASSERT_LT(0, n);
	ASSERT_GT((ssize_t)len, n);
	tv.tv_usec = 0;
	ASSERT_EQ(0, setsockopt(self->tx, SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	ASSERT_EQ(0, pthread_create(&reader, NULL, drain_main, &d));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(self->tx);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	self->tx = -1;
	EXPECT_GT(1000, (t1.tv_sec - t0.tv_sec) * 1000 +
			(t1.tv_nsec - t0.tv_nsec) / 1000000) {
		TH_LOG("close() waited for the peer to read");
	}
	pthread_join(reader, NULL);
	EXPECT_EQ(0, d.end) {
		TH_LOG("the peer's read ended with %s", strerror(d.end));
	}
	EXPECT_EQ((size_t)n, expect_whole_records(_metadata, &self->keys, &d,
						  data, len));
	free(d.buf);
	free(data);
}

/*
 * Non-blocking sends until EAGAIN, then close(): the record TCP took only
 * part of reaches the peer whole, and the stream ends after it; a cut
 * record is never followed by an end of file.
 */
TEST_F(sem, close_after_nonblocking_sends_never_cuts_a_record)
{
	const size_t len = 1 << 20;
	uint8_t *data = plaintext(_metadata, len, 17);
	struct drain d = { .fd = self->raw_peer };
	size_t sent = 0;
	ssize_t n;

	if (testing_intree())
		SKIP(return, "in-tree kTLS frees the rest of a cut record");
	d.cap = wire_len(&self->keys, len);
	d.buf = malloc(d.cap);
	ASSERT_NE(NULL, d.buf);
	small_buffers(_metadata, self->tx, self->raw_peer);
	/* Fill until TCP stays full: the peer's window is closed. */
	for (;;) {
		size_t before = sent;

		while (sent < len) {
			n = send(self->tx, data + sent, len - sent < 10000 ?
				 len - sent : 10000, MSG_DONTWAIT);
			if (n < 0)
				break;
			sent += n;
		}
		ASSERT_EQ(EAGAIN, errno);
		if (sent == before)
			break;
		usleep(100000);
	}
	close(self->tx);
	self->tx = -1;
	drain_main(&d);
	EXPECT_LE(expect_whole_records(_metadata, &self->keys, &d, data, len),
		  sent);
	free(d.buf);
	free(data);
}

/* A connection whose first end has the ULP under test, no keys yet. */
static int race_connect_tx(struct race *r, int *fd, int *peer)
{
	int err = ktlso_tcp_pair(AF_INET, fd, peer);

	if (err)
		return err;
	err = ulp_attach(*fd, test_ulp());
	if (err) {
		close(*fd);
		close(*peer);
	}
	return err;
}

static void race_send(struct race *r, unsigned int *seed)
{
	static uint8_t buf[40000];
	int i;

	for (i = 0; i < 20; i++) {
		int flags = MSG_DONTWAIT | MSG_NOSIGNAL |
			    (rand_r(seed) % 3 ? 0 : MSG_MORE);

		RACE_CHECK(r, "send", send(r->fd, buf,
					   rand_r(seed) % sizeof(buf) + 1,
					   flags),
			   EAGAIN, EBADF, EPIPE, ECONNRESET);
	}
}

static void race_set_tx(struct race *r, unsigned int *seed)
{
	race_keys(r, seed, TLS_TX);
}

static void race_drain_peer(struct race *r, unsigned int *seed)
{
	static uint8_t buf[65536];
	int i;

	for (i = 0; i < 20; i++)
		RACE_CHECK(r, "peer recv", recv(r->peer, buf, sizeof(buf),
						 MSG_DONTWAIT),
			   EAGAIN, ECONNRESET);
}

/*
 * Threads race send (MSG_MORE or not), poll, TLS_TX and close on one
 * socket, thousands of calls over fresh connections: every call ends with
 * an errno it may have, and the kernel logs nothing (the VM run checks).
 */
TEST(tx_racing_send_poll_close_setsockopt)
{
	static struct race r = {
		.fns = { race_send, race_send, race_poll, race_set_tx,
			 race_closer, race_drain_peer },
		.nr_fns = 6,
		.connect = race_connect_tx,
	};

	keys_init(&r.keys, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0, 0);
	race_run(_metadata, &r);
}

TEST_HARNESS_MAIN
