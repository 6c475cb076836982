// SPDX-License-Identifier: GPL-2.0
/*
 * The receive half of the record layer: TLS_RX key installation and what
 * recvmsg(), read(), splice() and poll() make of the records that arrive.
 *
 * The receiving socket carries the ULP named by $KTLSO_TEST_ULP ("ktlso"
 * when unset); KTLSO_TEST_ULP=tls runs the same tests against in-tree kTLS.
 * Records come from two independent senders:
 *
 *  - in-tree kTLS ("tls", TLS_TX) on the peer, for in-tree TX -> ktlso RX;
 *  - the engine's OpenSSL record layer, whose records the test writes raw
 *    over plain TCP, in chunks of its choosing: this is how the tests
 *    control segmentation, content types, padding and corruption.
 *
 * Where in-tree kTLS and ktlso deliberately differ the expectation says so
 * (want_errno()): ktlso reports a malformed header as EBADMSG (in-tree:
 * EINVAL for a bad version) and a stream that ends inside a record as
 * EBADMSG (in-tree: end of file).
 *
 * Also: MSG_PEEK past many empty records stays within the receive buffer,
 * neither TCP_ZEROCOPY_RECEIVE nor an in-kernel reader (KCM's strparser,
 * through read_sock) ever gets ciphertext, and threads racing
 * recv, splice, poll, close and TLS_RX on one socket end every call with an
 * errno it may have.
 */

#include <linux/bpf.h>
#include <linux/kcm.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "tls_common.h"
#include "engine/tests/record_ref.h"

#define SMALL		1000		/* a record much smaller than 2^14 */

/* --- sealing records with the engine ---------------------------------------- */

struct sealer {
	struct ktlso_record_protection rp;
	bool ready;
};

static void sealer_init(struct __test_metadata *_metadata, struct sealer *s,
			struct tls_keys *k, uint64_t seq)
{
	engine_init(_metadata, k, seq, true, &s->rp);
	s->ready = true;
}

static void sealer_clear(struct sealer *s)
{
	if (s->ready)
		ktlso_record_clear(&s->rp);
	s->ready = false;
}

/* Seal one record of @type into @out; returns its length. */
static size_t seal(struct __test_metadata *_metadata, struct sealer *s,
		   uint8_t type, const void *data, size_t len, size_t pad,
		   uint8_t *out)
{
	size_t n = 0;

	ASSERT_EQ(0, ktlso_record_seal(&s->rp, type, data, len, pad, out,
				       MAX_RECORD + 256, &n));
	return n;
}

/* Seal @len bytes of data into records of at most @chunk bytes. */
static uint8_t *seal_stream(struct __test_metadata *_metadata,
			    struct sealer *s, const uint8_t *data, size_t len,
			    size_t chunk, size_t *wire_len_out)
{
	size_t records = len / chunk + 2, off = 0, pos = 0;
	uint8_t *wire = malloc(records * (MAX_RECORD + 256));

	ASSERT_NE(NULL, wire);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		pos += seal(_metadata, s, TYPE_DATA, data + off, n, 0,
			    wire + pos);
		off += n;
	}
	*wire_len_out = pos;
	return wire;
}

/* --- the receiving socket ---------------------------------------------------- */

/* The errno the ULP under test gives where ktlso and in-tree differ. */
static int want_errno(int ktlso, int intree)
{
	return testing_intree() ? intree : ktlso;
}

static long stat_of(const char *name)
{
	return ktlso_stat_in(testing_intree() ? "/proc/net/tls_stat" :
						"/proc/net/ktlso_stat", name);
}

/* Read @len bytes with reads of at most @step bytes; 0 or -errno. */
static int read_in_steps(int fd, uint8_t *buf, size_t len, size_t step)
{
	size_t off = 0;

	while (off < len) {
		size_t want = len - off < step ? len - off : step;
		ssize_t n = recv(fd, buf + off, want, 0);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		off += n;
	}
	return 0;
}

static bool readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static int set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* --- the fixture: one connection per version x cipher ----------------------- */

FIXTURE(tls_rx)
{
	int rx;			/* ULP under test, TLS_RX set by setup */
	int raw;		/* its plain TCP peer: writes sealed records */
	struct tls_keys keys;	/* first record SEQ_START */
	struct sealer s;	/* seals what @raw writes */
};

FIXTURE_VARIANT(tls_rx)
{
	uint16_t version;
	uint16_t cipher;
	uint16_t suite;		/* engine cipher suite, 0: none */
};

FIXTURE_VARIANT_ADD(tls_rx, tls12_aes_gcm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_GCM_128,
	.suite = 0xc02f,
};

FIXTURE_VARIANT_ADD(tls_rx, tls13_aes_gcm_128)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_GCM_128,
	.suite = 0x1301,
};

FIXTURE_VARIANT_ADD(tls_rx, tls12_aes_gcm_256)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_GCM_256,
	.suite = 0xc030,
};

FIXTURE_VARIANT_ADD(tls_rx, tls13_aes_gcm_256)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_GCM_256,
	.suite = 0x1302,
};

FIXTURE_VARIANT_ADD(tls_rx, tls12_chacha20_poly1305)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_CHACHA20_POLY1305,
	.suite = 0xcca8,
};

FIXTURE_VARIANT_ADD(tls_rx, tls13_chacha20_poly1305)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_CHACHA20_POLY1305,
	.suite = 0x1303,
};

FIXTURE_VARIANT_ADD(tls_rx, tls12_aes_ccm_128)
{
	.version = TLS_1_2_VERSION, .cipher = TLS_CIPHER_AES_CCM_128,
	.suite = 0xc0ac,
};

FIXTURE_VARIANT_ADD(tls_rx, tls13_aes_ccm_128)
{
	.version = TLS_1_3_VERSION, .cipher = TLS_CIPHER_AES_CCM_128,
	.suite = 0x1304,
};

/* A connection whose receiver has the ULP under test and keys @k. */
static void rx_pair(struct __test_metadata *_metadata, struct tls_keys *k,
		    int *rx, int *raw)
{
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, raw, rx));
	ASSERT_EQ(0, ulp_attach(*rx, test_ulp()));
	ASSERT_EQ(0, keys_install(*rx, TLS_RX, k));
	ASSERT_EQ(0, set_nodelay(*raw));
	set_rcvtimeo(*rx, RCV_TIMEOUT_S);
}

FIXTURE_SETUP(tls_rx)
{
	self->rx = self->raw = -1;
	keys_init(&self->keys, variant->version, variant->cipher,
		  variant->suite, SEQ_START);
	rx_pair(_metadata, &self->keys, &self->rx, &self->raw);
	sealer_init(_metadata, &self->s, &self->keys, SEQ_START);
}

FIXTURE_TEARDOWN(tls_rx)
{
	sealer_clear(&self->s);
	if (self->rx >= 0)
		ktlso_close_now(self->rx);
	if (self->raw >= 0)
		close(self->raw);
}

/* In-tree kTLS TX on one end, the ULP under test RX on the other. */
TEST_F(tls_rx, intree_tx_to_rx)
{
	static const struct step steps[] = {
		WRITE(1), WRITE(SMALL), WRITE(MAX_PAYLOAD), WRITE(MAX_PAYLOAD + 1),
		IOV(3 * MAX_PAYLOAD + 17), SENDFILE(100000), WRITE(5),
	};
	size_t total = steps_plain_len(steps, ARRAY_SIZE(steps));
	uint8_t *data = plaintext(_metadata, total, 1);
	uint8_t *got = malloc(total);
	int tx, rx, err;
	pid_t pid;

	ASSERT_NE(NULL, got);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &tx, &rx));
	ASSERT_EQ(0, ulp_attach(tx, "tls"));
	ASSERT_EQ(0, keys_install(tx, TLS_TX, &self->keys));
	ASSERT_EQ(0, ulp_attach(rx, test_ulp()));
	ASSERT_EQ(0, keys_install(rx, TLS_RX, &self->keys));
	set_rcvtimeo(rx, RCV_TIMEOUT_S);

	pid = spawn_sender(_metadata, tx, steps, ARRAY_SIZE(steps), data);
	/* Odd read sizes: reads end inside records and span them. */
	err = read_in_steps(rx, got, total, 7777);
	reap_sender(_metadata, pid, !err);
	ASSERT_EQ(0, err) {
		TH_LOG("reading %zu bytes: %s", total, strerror(-err));
	}
	EXPECT_EQ(0, memcmp(data, got, total));
	EXPECT_TRUE(nothing_readable(rx, 100));
	ktlso_close_now(tx);
	close(rx);
	free(got);
	free(data);
}

/* OpenSSL-sealed records of every content type open with their types. */
TEST_F(tls_rx, engine_records_open_with_types)
{
	static const uint8_t types[] = {
		TYPE_DATA, TYPE_HANDSHAKE, TYPE_DATA, TYPE_ALERT, TYPE_DATA,
	};
	uint8_t *wire = malloc(ARRAY_SIZE(types) * (MAX_RECORD + 256));
	uint8_t data[300], got[400], type;
	size_t i, pos = 0;

	SKIP_WITHOUT_ENGINE(&self->keys);
	ASSERT_NE(NULL, wire);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ktlso_fill(data, sizeof(data), i);
		pos += seal(_metadata, &self->s, types[i], data, 10 + i * 50, 0,
			    wire + pos);
	}
	ASSERT_EQ(0, ktlso_write_all(self->raw, wire, pos));
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ktlso_fill(data, sizeof(data), i);
		ASSERT_EQ((ssize_t)(10 + i * 50),
			  recv_typed(self->rx, got, sizeof(got), &type));
		EXPECT_EQ(types[i], type);
		EXPECT_EQ(0, memcmp(data, got, 10 + i * 50));
	}
	free(wire);
}

/* getsockopt(TLS_RX) reports the keys with the next sequence number. */
TEST_F(tls_rx, get_rx_reports_next_seq)
{
	unsigned char buf[CRYPTO_INFO_BUF], rec[MAX_RECORD + 256];
	socklen_t len = self->keys.len;
	struct tls_keys want = self->keys;
	uint8_t got[8];
	int i;

	SKIP_WITHOUT_ENGINE(&self->keys);
	for (i = 0; i < 3; i++) {
		size_t n = seal(_metadata, &self->s, TYPE_DATA, "abc", 3, 0, rec);

		ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
		ASSERT_EQ(3, recv(self->rx, got, sizeof(got), 0));
	}
	ASSERT_EQ(0, getsockopt(self->rx, SOL_TLS, TLS_RX, buf, &len));
	ASSERT_EQ(self->keys.len, len);
	/*
	 * Version, cipher, key, salt as installed, and the next sequence
	 * number.  The iv is the static IV where records carry no explicit
	 * nonce; for TLS 1.2 GCM/CCM it is the sender's per-record nonce and
	 * says nothing about receiving (in-tree reports various values).
	 */
	EXPECT_EQ(0, memcmp(want.ci, buf, sizeof(struct tls_crypto_info)));
	EXPECT_EQ(0, memcmp(ci_key(&want), buf + (ci_key(&want) - want.ci),
			    want.c->key_len + want.c->salt_len));
	if (!explicit_nonce_len(&want))
		EXPECT_EQ(0, memcmp(ci_iv(&want), buf + (ci_iv(&want) - want.ci),
				    want.c->iv_len));
	EXPECT_EQ(SEQ_START + 3, get_be64(buf + want.len - REC_SEQ_LEN));
	/* Header only, and a wrong length. */
	len = sizeof(struct tls_crypto_info);
	ASSERT_EQ(0, getsockopt(self->rx, SOL_TLS, TLS_RX, buf, &len));
	EXPECT_EQ(self->keys.version, ((struct tls_crypto_info *)buf)->version);
	len = self->keys.len - 1;
	EXPECT_EQ(-1, getsockopt(self->rx, SOL_TLS, TLS_RX, buf, &len));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(tls_rx, set_rx_twice_is_ebusy)
{
	/* A second TLS_RX on TLS 1.3 keys is a rekey (rekey.c). */
	if (self->keys.version != TLS_1_2_VERSION)
		SKIP(return, "TLS 1.2 only: TLS 1.3 rekeys");
	EXPECT_EQ(-EBUSY, keys_install(self->rx, TLS_RX, &self->keys));
}

TEST_F(tls_rx, set_rx_bad_length_is_einval)
{
	struct tls_keys k = self->keys;
	int fd, peer;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &peer, &fd));
	ASSERT_EQ(0, ulp_attach(fd, test_ulp()));
	k.len = self->keys.len + 1;
	EXPECT_EQ(-EINVAL, keys_install(fd, TLS_RX, &k));
	k.len = self->keys.len - 1;
	EXPECT_EQ(-EINVAL, keys_install(fd, TLS_RX, &k));
	k.len = sizeof(struct tls_crypto_info) - 1;
	EXPECT_EQ(-EINVAL, keys_install(fd, TLS_RX, &k));
	/* Nothing stuck: the right length still works. */
	EXPECT_EQ(0, keys_install(fd, TLS_RX, &self->keys));
	ktlso_close_now(fd);
	close(peer);
}

/* Both directions run one version and cipher, whichever is set first. */
TEST_F(tls_rx, tx_with_other_version_or_cipher_is_einval)
{
	struct tls_keys other;
	uint16_t v = is_tls13(&self->keys) ? TLS_1_2_VERSION : TLS_1_3_VERSION;
	uint16_t c = self->keys.c->type == TLS_CIPHER_AES_GCM_128 ?
		     TLS_CIPHER_AES_GCM_256 : TLS_CIPHER_AES_GCM_128;

	keys_init(&other, v, self->keys.c->type, 0, 0);
	EXPECT_EQ(-EINVAL, keys_install(self->rx, TLS_TX, &other));
	keys_init(&other, self->keys.version, c, 0, 0);
	EXPECT_EQ(-EINVAL, keys_install(self->rx, TLS_TX, &other));
	EXPECT_EQ(0, keys_install(self->rx, TLS_TX, &self->keys));
}

/* Records that arrive before TLS_RX is set are opened once it is. */
TEST_F(tls_rx, records_before_keys)
{
	uint8_t rec[2 * (MAX_RECORD + 256)], data[SMALL], got[2 * SMALL];
	size_t n;
	int fd, raw;

	SKIP_WITHOUT_ENGINE(&self->keys);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &raw, &fd));
	ASSERT_EQ(0, ulp_attach(fd, test_ulp()));
	ktlso_fill(data, sizeof(data), 9);
	n = seal(_metadata, &self->s, TYPE_DATA, data, sizeof(data), 0, rec);
	n += seal(_metadata, &self->s, TYPE_DATA, data, sizeof(data), 0,
		  rec + n);
	ASSERT_EQ(0, ktlso_write_all(raw, rec, n));
	usleep(100000);
	ASSERT_EQ(0, keys_install(fd, TLS_RX, &self->keys));
	EXPECT_TRUE(readable_within(fd, 1000));
	set_rcvtimeo(fd, RCV_TIMEOUT_S);
	ASSERT_EQ((ssize_t)sizeof(got),
		  recv(fd, got, sizeof(got), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(data, got, SMALL));
	EXPECT_EQ(0, memcmp(data, got + SMALL, SMALL));
	ktlso_close_now(fd);
	close(raw);
}

/* One record trickling in byte by byte: readable only once it is whole. */
TEST_F(tls_rx, record_split_into_single_bytes)
{
	uint8_t rec[MAX_RECORD + 256], data[200], got[sizeof(data)];
	size_t n, i;

	SKIP_WITHOUT_ENGINE(&self->keys);
	ktlso_fill(data, sizeof(data), 3);
	n = seal(_metadata, &self->s, TYPE_DATA, data, sizeof(data), 0, rec);
	for (i = 0; i + 1 < n; i++) {
		ASSERT_EQ(1, write(self->raw, rec + i, 1));
		if (i % 40 == 0 || i + 2 == n) {
			EXPECT_FALSE(readable_within(self->rx, 20)) {
				TH_LOG("readable after %zu of %zu bytes", i + 1, n);
			}
			EXPECT_EQ(-1, recv(self->rx, got, sizeof(got), MSG_DONTWAIT));
			EXPECT_EQ(EAGAIN, errno);
		}
	}
	ASSERT_EQ(1, write(self->raw, rec + n - 1, 1));
	EXPECT_TRUE(readable_within(self->rx, 2000));
	ASSERT_EQ((ssize_t)sizeof(data), recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(data, got, sizeof(data)));
}

/* Many records in one segment, read with one MSG_WAITALL recv. */
TEST_F(tls_rx, many_records_in_one_write)
{
	size_t wire_n, total = 50 * 97;
	uint8_t *data = plaintext(_metadata, total, 4), *wire, *got;

	SKIP_WITHOUT_ENGINE(&self->keys);
	got = malloc(total);
	ASSERT_NE(NULL, got);
	wire = seal_stream(_metadata, &self->s, data, total, 97, &wire_n);
	ASSERT_EQ(0, ktlso_write_all(self->raw, wire, wire_n));
	ASSERT_EQ((ssize_t)total, recv(self->rx, got, total, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(data, got, total));
	free(got);
	free(wire);
	free(data);
}

/*
 * Random record sizes, random TCP segmentation, random read sizes: every
 * byte arrives, in order.
 */
TEST_F(tls_rx, random_segmentation_end_to_end)
{
	size_t total = 300000, wire_n = 0, off = 0, pos = 0;
	uint8_t *data = plaintext(_metadata, total, 5), *wire, *got;
	unsigned int seed = 0x5eed ^ variant->cipher ^ variant->version;
	pid_t pid;
	int err;

	SKIP_WITHOUT_ENGINE(&self->keys);
	got = malloc(total);
	/* Every record holds at least one byte: at most @total records. */
	wire = malloc(total * (1 + record_overhead(&self->keys)));
	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, wire);
	srand(seed);
	while (off < total) {
		size_t n = 1 + rand() % (rand() % 4 ? 3000 : MAX_PAYLOAD);

		if (n > total - off)
			n = total - off;
		wire_n += seal(_metadata, &self->s, TYPE_DATA, data + off, n, 0,
			       wire + wire_n);
		off += n;
	}

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (pos < wire_n) {
			size_t n = 1 + rand() % (rand() % 3 ? 700 : 20000);

			if (n > wire_n - pos)
				n = wire_n - pos;
			if (ktlso_write_all(self->raw, wire + pos, n))
				_exit(1);
			pos += n;
			if (rand() % 8 == 0)
				usleep(rand() % 2000);
		}
		_exit(0);
	}
	off = 0;
	err = 0;
	while (off < total && !err) {
		size_t want = 1 + rand() % 9000;
		ssize_t n;

		if (want > total - off)
			want = total - off;
		n = recv(self->rx, got + off, want, 0);
		if (n <= 0)
			err = n ? -errno : -EPIPE;
		else
			off += n;
	}
	reap_sender(_metadata, pid, !err);
	ASSERT_EQ(0, err) {
		TH_LOG("after %zu of %zu bytes: %s", off, total, strerror(-err));
	}
	EXPECT_EQ(0, memcmp(data, got, total));
	free(got);
	free(wire);
	free(data);
}

/*
 * A single flipped bit anywhere after the header of a record: the records
 * before it arrive intact, then EBADMSG, and never a byte of the bad one.
 */
TEST_F(tls_rx, random_bit_flip_is_ebadmsg)
{
	uint8_t rec[3 * (MAX_RECORD + 256)], data[SMALL], got[3 * SMALL];
	unsigned int seed = 0xf11b ^ variant->cipher ^ variant->version;
	int round;

	SKIP_WITHOUT_ENGINE(&self->keys);
	srand(seed);
	for (round = 0; round < 24; round++) {
		struct sealer s = {};
		size_t n1, n2, bit;
		int rx, raw;

		rx_pair(_metadata, &self->keys, &rx, &raw);
		sealer_init(_metadata, &s, &self->keys, SEQ_START);
		ktlso_fill(data, sizeof(data), round);
		n1 = seal(_metadata, &s, TYPE_DATA, data, sizeof(data), 0, rec);
		n2 = seal(_metadata, &s, TYPE_DATA, data, sizeof(data), 0,
			  rec + n1);
		seal(_metadata, &s, TYPE_DATA, data, sizeof(data), 0,
		     rec + n1 + n2);
		bit = (HDR_LEN * 8) + rand() % ((n2 - HDR_LEN) * 8);
		rec[n1 + bit / 8] ^= 1u << (bit % 8);
		ASSERT_EQ(0, ktlso_write_all(raw, rec, n1 + 2 * n2));

		ASSERT_EQ((ssize_t)SMALL, recv(rx, got, sizeof(got), 0));
		EXPECT_EQ(0, memcmp(data, got, SMALL));
		EXPECT_EQ(-1, recv(rx, got, sizeof(got), 0)) {
			TH_LOG("bit %zu of record 2 flipped, data delivered", bit);
		}
		EXPECT_EQ(EBADMSG, errno);
		sealer_clear(&s);
		ktlso_close_now(rx);
		close(raw);
	}
}

/* A bad tag: EBADMSG, again on the next read, POLLERR, and counted. */
TEST_F(tls_rx, bad_tag_is_sticky_ebadmsg)
{
	uint8_t rec[2 * (MAX_RECORD + 256)], got[64];
	long before = stat_of("TlsDecryptError");
	struct pollfd p = { .fd = self->rx, .events = POLLIN };
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	n = seal(_metadata, &self->s, TYPE_DATA, "secret", 6, 0, rec);
	rec[n - 1] ^= 0x80;
	n += seal(_metadata, &self->s, TYPE_DATA, "later", 5, 0, rec + n);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	EXPECT_EQ(-1, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(EBADMSG, errno);
	if (before >= 0)
		EXPECT_EQ(before + 1, stat_of("TlsDecryptError"));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLERR);
	/* Nothing after the bad record is ever delivered. */
	errno = 0;
	EXPECT_EQ(-1, recv(self->rx, got, sizeof(got), MSG_DONTWAIT));
	/* In-tree: EBADMSG again or EAGAIN, depending on timing. */
	if (!testing_intree())
		EXPECT_EQ(EBADMSG, errno);
}

/*
 * Decryption into the reader's buffer.  TLS 1.3 needs the application's
 * promise of unpadded records first (as upstream); the tests make it.
 */
static void expect_no_pad(struct __test_metadata *_metadata, int fd,
			  const struct tls_keys *k)
{
	unsigned int one = 1;

	if (is_tls13(k))
		ASSERT_EQ(0, setsockopt(fd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
					sizeof(one)));
}

/* A counter of ktlso's own: -1 (not checked) under in-tree kTLS. */
static long zc_count(void)
{
	return testing_intree() ? -1 : stat_of("TlsRxZeroCopy");
}

/*
 * Records that fit are decrypted straight into the reader's buffer, even
 * one in a shared file mapping; one that does not fit, or a buffer spread
 * over more pages than ktlso pins, is decrypted in place and copied.  The
 * bytes are the same either way.
 */
TEST_F(tls_rx, direct_decrypt_into_reader_buffer)
{
	static const size_t lens[] = { MAX_PAYLOAD, SMALL, 1, MAX_PAYLOAD };
	uint8_t *data[ARRAY_SIZE(lens)], *wire, *map, *pages, *got;
	size_t i, pos = 0, page = sysconf(_SC_PAGESIZE), off;
	long zc = zc_count();
	struct iovec iov[24];
	int mfd;

	SKIP_WITHOUT_ENGINE(&self->keys);
	if (!testing_intree())
		ASSERT_LE(0, zc);
	expect_no_pad(_metadata, self->rx, &self->keys);
	wire = malloc(ARRAY_SIZE(lens) * (MAX_RECORD + 256));
	got = malloc(MAX_PAYLOAD);
	ASSERT_NE(NULL, wire);
	ASSERT_NE(NULL, got);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		data[i] = plaintext(_metadata, lens[i], 40 + i);
		pos += seal(_metadata, &self->s, TYPE_DATA, data[i], lens[i], 0,
			    wire + pos);
	}
	ASSERT_EQ(0, ktlso_write_all(self->raw, wire, pos));

	/* A whole record into a MAP_SHARED memfd page range, then read back. */
	mfd = memfd_create("tls_rx-direct", 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, MAX_PAYLOAD + page));
	map = mmap(NULL, MAX_PAYLOAD + page, PROT_READ | PROT_WRITE,
		   MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ((ssize_t)MAX_PAYLOAD, recv(self->rx, map + 100, MAX_PAYLOAD,
					      MSG_WAITALL));
	ASSERT_EQ((ssize_t)MAX_PAYLOAD, pread(mfd, got, MAX_PAYLOAD, 100));
	EXPECT_EQ(0, memcmp(data[0], got, MAX_PAYLOAD));
	if (zc >= 0)
		EXPECT_EQ(zc + 1, zc_count());
	munmap(map, MAX_PAYLOAD + page);
	close(mfd);

	/* Too short a buffer: in place, and the rest stays for the next read. */
	ASSERT_EQ((ssize_t)SMALL - 1, recv(self->rx, got, SMALL - 1, 0));
	ASSERT_EQ(1, recv(self->rx, got + SMALL - 1, 1, 0));
	EXPECT_EQ(0, memcmp(data[1], got, SMALL));
	if (zc >= 0)
		EXPECT_EQ(zc + 1, zc_count());

	ASSERT_EQ(1, recv(self->rx, got, 1, 0));
	EXPECT_EQ(data[2][0], got[0]);
	if (zc >= 0)
		EXPECT_EQ(zc + 2, zc_count());

	/* One record over 24 pages, each iovec on its own page. */
	pages = mmap(NULL, 24 * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	for (i = 0, off = 0; i < ARRAY_SIZE(iov); i++) {
		iov[i].iov_base = pages + i * page + 8;
		iov[i].iov_len = i + 1 < ARRAY_SIZE(iov) ?
				 MAX_PAYLOAD / ARRAY_SIZE(iov) :
				 MAX_PAYLOAD - off;
		off += iov[i].iov_len;
	}
	ASSERT_LT(iov[ARRAY_SIZE(iov) - 1].iov_len, page - 8);
	ASSERT_EQ((ssize_t)MAX_PAYLOAD, readv(self->rx, iov, ARRAY_SIZE(iov)));
	for (i = 0, off = 0; i < ARRAY_SIZE(iov); i++) {
		EXPECT_EQ(0, memcmp(data[3] + off, iov[i].iov_base,
				    iov[i].iov_len));
		off += iov[i].iov_len;
	}
	if (zc >= 0)
		EXPECT_EQ(zc + 2, zc_count());
	munmap(pages, 24 * page);

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		free(data[i]);
	free(got);
	free(wire);
}

/*
 * TLS 1.3 shows padding and the content type only after decryption: such
 * a record, decrypted into the reader's buffer first, is decrypted again
 * in place (TlsDecryptRetry) and delivered by the usual rules.  TLS 1.2
 * names the type in the clear and needs no second try.
 */
TEST_F(tls_rx, direct_declined_records_are_retried)
{
	uint8_t rec[MAX_RECORD + 256], got[256], type = 0;
	long retry = stat_of("TlsDecryptRetry");
	long viol = stat_of("TlsRxNoPadViolation");
	long zc = zc_count();
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	expect_no_pad(_metadata, self->rx, &self->keys);

	n = seal(_metadata, &self->s, TYPE_DATA, "padded", 6,
		 is_tls13(&self->keys) ? 40 : 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(6, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(got, "padded", 6));

	n = seal(_metadata, &self->s, TYPE_ALERT, "\x01\x00", 2, 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	EXPECT_EQ(-1, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(2, recv_typed(self->rx, got, sizeof(got), &type));
	EXPECT_EQ(TYPE_ALERT, type);
	EXPECT_EQ(0, memcmp(got, "\x01\x00", 2));

	n = seal(_metadata, &self->s, TYPE_DATA, "plain", 5, 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(5, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(got, "plain", 5));

	if (!testing_intree()) {
		int tries = is_tls13(&self->keys) ? 2 : 0;

		EXPECT_EQ(retry + tries, stat_of("TlsDecryptRetry"));
		EXPECT_EQ(viol + (is_tls13(&self->keys) ? 1 : 0),
			  stat_of("TlsRxNoPadViolation"));
		EXPECT_EQ(zc + (is_tls13(&self->keys) ? 1 : 2), zc_count());
	}
}

/*
 * A record that fails authentication leaves none of its would-be plaintext
 * in the reader's buffer, though it was decrypted there.
 */
TEST_F(tls_rx, direct_bad_tag_leaves_no_plaintext)
{
	uint8_t rec[MAX_RECORD + 256], data[SMALL], got[SMALL];
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	if (testing_intree())
		SKIP(return, "in-tree kTLS leaves unauthenticated bytes in the buffer");
	expect_no_pad(_metadata, self->rx, &self->keys);
	ktlso_fill(data, sizeof(data), 77);
	n = seal(_metadata, &self->s, TYPE_DATA, data, sizeof(data), 0, rec);
	rec[n - 1] ^= 0x01;		/* the tag only: the body decrypts */
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	memset(got, 0x5a, sizeof(got));
	EXPECT_EQ(-1, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_EQ(NULL, memmem(got, sizeof(got), data, 16));
}

/*
 * A buffer the kernel cannot write: EFAULT, and the record is not lost:
 * the next read, into good memory, gets it whole.
 */
TEST_F(tls_rx, direct_bad_address_loses_nothing)
{
	uint8_t rec[MAX_RECORD + 256], data[SMALL], got[SMALL];
	size_t n, page = sysconf(_SC_PAGESIZE);
	uint8_t *ro;

	SKIP_WITHOUT_ENGINE(&self->keys);
	expect_no_pad(_metadata, self->rx, &self->keys);
	ktlso_fill(data, sizeof(data), 78);
	n = seal(_metadata, &self->s, TYPE_DATA, data, sizeof(data), 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, recv(self->rx, ro, SMALL, 0));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, page);
	ASSERT_EQ((ssize_t)SMALL, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(data, got, SMALL));
}

/* A header announcing more than the version and cipher allow. */
TEST_F(tls_rx, oversized_record_is_emsgsize)
{
	size_t max = MAX_PAYLOAD + explicit_nonce_len(&self->keys) +
		     (is_tls13(&self->keys) ? 1 : 0) + TAG_LEN + 1;
	uint8_t hdr[HDR_LEN] = { TYPE_DATA, 3, 3, max >> 8, max & 0xff };
	char c;

	if (testing_intree())
		SKIP(return, "in-tree reports a bad header through sk_err alone: a reader may see EAGAIN");
	ASSERT_EQ(0, ktlso_write_all(self->raw, hdr, sizeof(hdr)));
	EXPECT_EQ(-1, recv(self->rx, &c, 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
}

/*
 * RFC 8446 5.4: a TLS 1.3 TLSInnerPlaintext (content, type and padding)
 * may not exceed 2^14 + 1 bytes.  Here 2^14 bytes of data, the type and one
 * byte of padding, authentic under the connection's keys (sealed by the
 * reference construction: the engine refuses to): EMSGSIZE, as for any
 * oversized record, and sticky.
 */
TEST_F(tls_rx, tls13_inner_plaintext_overflow_is_emsgsize)
{
	size_t inner = MAX_PAYLOAD + 2, rec_len;
	uint8_t *data, *rec, iv[REF_NONCE_LEN];
	struct ref_keys rk;
	char c;

	if (!is_tls13(&self->keys))
		SKIP(return, "TLS 1.3 only");
	SKIP_WITHOUT_ENGINE(&self->keys);
	if (testing_intree())
		SKIP(return, "in-tree reports a bad header through sk_err alone: a reader may see EAGAIN");
	data = calloc(1, inner);
	rec = malloc(HDR_LEN + inner + TAG_LEN);
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, rec);
	memset(data, 'x', MAX_PAYLOAD);
	data[MAX_PAYLOAD] = TYPE_DATA;
	memcpy(iv, ci_salt(&self->keys), self->keys.c->salt_len);
	memcpy(iv + self->keys.c->salt_len, ci_iv(&self->keys),
	       self->keys.c->iv_len);
	rk = (struct ref_keys){
		.aead = ktlso_aead_info(ktlso_suite_find(self->keys.suite)->aead),
		.key = ci_key(&self->keys), .iv = iv, .tls13 = true,
	};
	ASSERT_TRUE(ref_seal(&rk, SEQ_START, TYPE_DATA, data, inner, rec,
			     &rec_len));
	ASSERT_EQ(HDR_LEN + inner + TAG_LEN, rec_len);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, rec_len));
	EXPECT_EQ(-1, recv(self->rx, &c, 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, recv(self->rx, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(EMSGSIZE, errno);
	free(rec);
	free(data);
}

/* At 2^14 + 1 bytes with padding (2^14 - 1 of data) the record is taken. */
TEST_F(tls_rx, tls13_padded_record_at_the_limit_is_accepted)
{
	uint8_t *rec = malloc(MAX_RECORD + 256), *data, *got;
	size_t n;

	if (!is_tls13(&self->keys))
		SKIP(return, "TLS 1.3 only");
	SKIP_WITHOUT_ENGINE(&self->keys);
	data = plaintext(_metadata, MAX_PAYLOAD - 1, 7);
	got = malloc(MAX_PAYLOAD);
	ASSERT_NE(NULL, rec);
	ASSERT_NE(NULL, got);
	n = seal(_metadata, &self->s, TYPE_DATA, data, MAX_PAYLOAD - 1, 1, rec);
	ASSERT_EQ(record_overhead(&self->keys) + MAX_PAYLOAD, n);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(MAX_PAYLOAD - 1,
		  recv(self->rx, got, MAX_PAYLOAD - 1, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(data, got, MAX_PAYLOAD - 1));
	free(got);
	free(data);
	free(rec);
}

/* The largest record the version allows is taken. */
TEST_F(tls_rx, max_size_record_is_accepted)
{
	uint8_t *rec = malloc(MAX_RECORD + 256), *data, *got;
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	data = plaintext(_metadata, MAX_PAYLOAD, 6);
	got = malloc(MAX_PAYLOAD);
	ASSERT_NE(NULL, rec);
	ASSERT_NE(NULL, got);
	n = seal(_metadata, &self->s, TYPE_DATA, data, MAX_PAYLOAD, 0, rec);
	ASSERT_EQ(record_overhead(&self->keys) + MAX_PAYLOAD, n);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(MAX_PAYLOAD, recv(self->rx, got, MAX_PAYLOAD, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(data, got, MAX_PAYLOAD));
	free(got);
	free(data);
	free(rec);
}

/* A record too short to hold its tag. */
TEST_F(tls_rx, short_record_is_ebadmsg)
{
	uint8_t rec[HDR_LEN + TAG_LEN] = { TYPE_DATA, 3, 3, 0, TAG_LEN - 1 };
	char c;

	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, HDR_LEN + TAG_LEN - 1));
	EXPECT_EQ(-1, recv(self->rx, &c, 1, 0));
	EXPECT_EQ(EBADMSG, errno);
}

/* legacy_record_version must be 3.3, in TLS 1.3 too. */
TEST_F(tls_rx, bad_record_version_is_refused)
{
	uint8_t rec[MAX_RECORD + 256];
	char c;
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	n = seal(_metadata, &self->s, TYPE_DATA, "x", 1, 0, rec);
	rec[2] = 0x01;
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	EXPECT_EQ(-1, recv(self->rx, &c, 1, 0));
	EXPECT_EQ(want_errno(EBADMSG, EINVAL), errno);
}

/* The stream ends inside a record: that record was cut, not delivered. */
TEST_F(tls_rx, truncated_record_at_eof)
{
	uint8_t rec[MAX_RECORD + 256], got[SMALL] = {};
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	n = seal(_metadata, &self->s, TYPE_DATA, got, sizeof(got), 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n - 10));
	ASSERT_EQ(0, shutdown(self->raw, SHUT_WR));
	errno = 0;
	EXPECT_EQ(want_errno(-1, 0), recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(want_errno(EBADMSG, 0), errno);
}

/* A clean end of stream after whole records is end of file. */
TEST_F(tls_rx, eof_after_whole_records)
{
	uint8_t rec[MAX_RECORD + 256], got[16];
	size_t n;

	SKIP_WITHOUT_ENGINE(&self->keys);
	n = seal(_metadata, &self->s, TYPE_DATA, "bye", 3, 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(0, shutdown(self->raw, SHUT_WR));
	EXPECT_EQ(3, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, recv(self->rx, got, sizeof(got), 0));
}

/* The last sequence number is used, then the key is spent. */
TEST_F(tls_rx, seq_exhaustion_is_ebadmsg)
{
	uint8_t rec[2 * (MAX_RECORD + 256)], got[8];
	struct tls_keys k = self->keys;
	struct sealer s = {};
	size_t n;
	int rx, raw;

	SKIP_WITHOUT_ENGINE(&self->keys);
	keys_set_seq(&k, UINT64_MAX);
	rx_pair(_metadata, &k, &rx, &raw);
	sealer_init(_metadata, &s, &k, UINT64_MAX);
	n = seal(_metadata, &s, TYPE_DATA, "last", 4, 0, rec);
	ASSERT_EQ(0, ktlso_write_all(raw, rec, n));
	EXPECT_EQ(4, recv(rx, got, sizeof(got), 0));
	/* Whatever follows cannot be opened: there is no next nonce. */
	memcpy(rec + n, rec, n);
	ASSERT_EQ(0, ktlso_write_all(raw, rec + n, n));
	EXPECT_EQ(-1, recv(rx, got, sizeof(got), 0));
	EXPECT_EQ(EBADMSG, errno);
	sealer_clear(&s);
	ktlso_close_now(rx);
	close(raw);
}

/* --- receive semantics, on TLS 1.3 and TLS 1.2 AES-128-GCM ------------------ */

FIXTURE(rsem)
{
	int rx;
	int raw;
	struct tls_keys keys;
	struct sealer s;
};

FIXTURE_VARIANT(rsem)
{
	uint16_t version;
	uint16_t suite;
};

FIXTURE_VARIANT_ADD(rsem, tls13) { .version = TLS_1_3_VERSION, .suite = 0x1301 };
FIXTURE_VARIANT_ADD(rsem, tls12) { .version = TLS_1_2_VERSION, .suite = 0xc02f };

FIXTURE_SETUP(rsem)
{
	keys_init(&self->keys, variant->version, TLS_CIPHER_AES_GCM_128,
		  variant->suite, SEQ_START);
	rx_pair(_metadata, &self->keys, &self->rx, &self->raw);
	sealer_init(_metadata, &self->s, &self->keys, SEQ_START);
}

FIXTURE_TEARDOWN(rsem)
{
	sealer_clear(&self->s);
	ktlso_close_now(self->rx);
	close(self->raw);
}

/* Seal and send records of @types with @lens bytes of pattern @seed + i. */
static void send_records(struct __test_metadata *_metadata,
			 FIXTURE_DATA(rsem) *self, const uint8_t *types,
			 const size_t *lens, size_t n)
{
	uint8_t *wire = malloc(n * (MAX_RECORD + 256)), *data;
	size_t i, pos = 0;

	ASSERT_NE(NULL, wire);
	for (i = 0; i < n; i++) {
		data = plaintext(_metadata, lens[i], i + 1);
		pos += seal(_metadata, &self->s, types[i], data, lens[i], 0,
			    wire + pos);
		free(data);
	}
	ASSERT_EQ(0, ktlso_write_all(self->raw, wire, pos));
	free(wire);
}

/* Does @buf hold record @i's content (pattern i + 1) from offset @off? */
static bool is_record(const uint8_t *buf, size_t i, size_t off, size_t len)
{
	uint8_t *want = malloc(off + len);
	bool same;

	ktlso_fill(want, off + len, (i + 1) << 16);
	same = !memcmp(want + off, buf, len);
	free(want);
	return same;
}

TEST_F(rsem, readv_into_many_iovecs)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { 700, 700 };
	uint8_t buf[1400];
	struct iovec iov[9];
	size_t i, off = 0;

	for (i = 0; i < ARRAY_SIZE(iov); i++) {
		size_t len = i == ARRAY_SIZE(iov) - 1 ? sizeof(buf) - off :
							1 + i * 31;

		iov[i].iov_base = buf + off;
		iov[i].iov_len = len;
		off += len;
	}
	send_records(_metadata, self, types, lens, 2);
	usleep(50000);
	ASSERT_EQ(1400, readv(self->rx, iov, ARRAY_SIZE(iov)));
	EXPECT_TRUE(is_record(buf, 0, 0, 700));
	EXPECT_TRUE(is_record(buf + 700, 1, 0, 700));
}

TEST_F(rsem, one_byte_reads)
{
	static const uint8_t types[] = { TYPE_DATA };
	static const size_t lens[] = { 300 };
	uint8_t buf[300];
	size_t i;

	send_records(_metadata, self, types, lens, 1);
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(1, recv(self->rx, buf + i, 1, 0));
	EXPECT_TRUE(is_record(buf, 0, 0, sizeof(buf)));
	EXPECT_FALSE(readable_within(self->rx, 50));
}

TEST_F(rsem, waitall_spans_records)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { 100, 200, 300 };
	uint8_t buf[600];

	send_records(_metadata, self, types, lens, 3);
	ASSERT_EQ(600, recv(self->rx, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_TRUE(is_record(buf, 0, 0, 100));
	EXPECT_TRUE(is_record(buf + 100, 1, 0, 200));
	EXPECT_TRUE(is_record(buf + 300, 2, 0, 300));
}

TEST_F(rsem, dontwait_without_record_is_eagain)
{
	char c;

	EXPECT_EQ(-1, recv(self->rx, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

/* SO_RCVTIMEO runs out while only part of a record is in. */
TEST_F(rsem, rcvtimeo_on_partial_record)
{
	uint8_t rec[MAX_RECORD + 256];
	struct timeval tv = { .tv_usec = 200000 };
	struct timespec a, b;
	size_t n;
	char c;

	n = seal(_metadata, &self->s, TYPE_DATA, "partial", 7, 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n - 1));
	ASSERT_EQ(0, setsockopt(self->rx, SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(-1, recv(self->rx, &c, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	clock_gettime(CLOCK_MONOTONIC, &b);
	EXPECT_LE(150, (b.tv_sec - a.tv_sec) * 1000 +
		       (b.tv_nsec - a.tv_nsec) / 1000000);
	/* The last byte completes it. */
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec + n - 1, 1));
	EXPECT_EQ(7, recv(self->rx, rec, sizeof(rec), 0));
}

TEST_F(rsem, peek_then_read)
{
	static const uint8_t types[] = { TYPE_DATA };
	static const size_t lens[] = { 500 };
	uint8_t a[500], b[500];

	send_records(_metadata, self, types, lens, 1);
	ASSERT_EQ(200, recv(self->rx, a, 200, MSG_PEEK | MSG_WAITALL));
	ASSERT_EQ(500, recv(self->rx, a, sizeof(a), MSG_PEEK | MSG_WAITALL));
	ASSERT_EQ(500, recv(self->rx, b, sizeof(b), 0));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	EXPECT_TRUE(is_record(b, 0, 0, sizeof(b)));
}

/* MSG_PEEK | MSG_WAITALL looks across records without consuming them. */
TEST_F(rsem, peek_across_records)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { 100, 200, 300 };
	uint8_t p[600], r[600];

	send_records(_metadata, self, types, lens, 3);
	ASSERT_EQ(450, recv(self->rx, p, 450, MSG_PEEK | MSG_WAITALL));
	ASSERT_EQ(50, recv(self->rx, r, 50, 0));
	ASSERT_EQ(550, recv(self->rx, p + 50, 550, MSG_PEEK | MSG_WAITALL));
	ASSERT_EQ(550, recv(self->rx, r + 50, 550, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(p, r, 600));
	EXPECT_TRUE(is_record(r, 0, 0, 100));
	EXPECT_TRUE(is_record(r + 100, 1, 0, 200));
	EXPECT_TRUE(is_record(r + 300, 2, 0, 300));
}

/* Close with records set aside by a peek: nothing leaks (module unload). */
TEST_F(rsem, close_after_peek_across_records)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { 1000, 1000, 1000 };
	uint8_t p[3000];

	send_records(_metadata, self, types, lens, 3);
	ASSERT_EQ(3000, recv(self->rx, p, sizeof(p), MSG_PEEK | MSG_WAITALL));
}

/* A non-data record needs a cmsg buffer; without one: EIO, and it stays. */
TEST_F(rsem, control_record_without_cmsg_is_eio)
{
	static const uint8_t types[] = { TYPE_ALERT, TYPE_DATA };
	static const size_t lens[] = { 2, 10 };
	uint8_t buf[64], type;

	send_records(_metadata, self, types, lens, 2);
	usleep(50000);
	EXPECT_EQ(-1, recv(self->rx, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(2, recv_typed(self->rx, buf, sizeof(buf), &type));
	EXPECT_EQ(TYPE_ALERT, type);
	EXPECT_TRUE(is_record(buf, 0, 0, 2));
	ASSERT_EQ(10, recv_typed(self->rx, buf, sizeof(buf), &type));
	EXPECT_EQ(TYPE_DATA, type);
}

/*
 * One read never mixes record types, even with MSG_WAITALL.  Alerts, not
 * handshake records: the pattern of the third record starts with 24, and
 * a TLS 1.3 handshake record starting so is a KeyUpdate (rekey.c).
 */
TEST_F(rsem, read_stops_at_type_change)
{
	static const uint8_t types[] = {
		TYPE_DATA, TYPE_DATA, TYPE_ALERT, TYPE_ALERT, TYPE_DATA,
	};
	static const size_t lens[] = { 10, 20, 30, 40, 50 };
	uint8_t buf[256], type;

	send_records(_metadata, self, types, lens, 5);
	usleep(50000);
	ASSERT_EQ(30, recv_typed(self->rx, buf, sizeof(buf), &type));
	EXPECT_EQ(TYPE_DATA, type);
	/* A non-data record is read on its own. */
	ASSERT_EQ(30, recv_typed(self->rx, buf, sizeof(buf), &type));
	EXPECT_EQ(TYPE_ALERT, type);
	EXPECT_TRUE(is_record(buf, 2, 0, 30));
	ASSERT_EQ(40, recv_typed(self->rx, buf, sizeof(buf), &type));
	EXPECT_EQ(TYPE_ALERT, type);
	ASSERT_EQ(50, recv(self->rx, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_TRUE(is_record(buf, 4, 0, 50));
}

TEST_F(rsem, splice_out_data_records)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { MAX_PAYLOAD, 5000 };
	uint8_t *buf = malloc(MAX_PAYLOAD + 5000);
	size_t got = 0;
	int p[2];

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, pipe(p));
	send_records(_metadata, self, types, lens, 2);
	while (got < MAX_PAYLOAD + 5000) {
		ssize_t n = splice(self->rx, NULL, p[1], NULL,
				   MAX_PAYLOAD + 5000 - got, 0);

		ASSERT_LT(0, n);
		ASSERT_EQ(0, ktlso_read_all(p[0], buf + got, n));
		got += n;
	}
	EXPECT_TRUE(is_record(buf, 0, 0, MAX_PAYLOAD));
	EXPECT_TRUE(is_record(buf + MAX_PAYLOAD, 1, 0, 5000));
	close(p[0]);
	close(p[1]);
	free(buf);
}

TEST_F(rsem, splice_of_control_record_is_einval)
{
	static const uint8_t types[] = { TYPE_ALERT };
	static const size_t lens[] = { 2 };
	uint8_t buf[8], type;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	send_records(_metadata, self, types, lens, 1);
	usleep(50000);
	EXPECT_EQ(-1, splice(self->rx, NULL, p[1], NULL, 100, 0));
	EXPECT_EQ(EINVAL, errno);
	/* The record is still there for a reader with a cmsg buffer. */
	EXPECT_EQ(2, recv_typed(self->rx, buf, sizeof(buf), &type));
	EXPECT_EQ(TYPE_ALERT, type);
	close(p[0]);
	close(p[1]);
}

/* epoll (edge-triggered) wakes once the record is whole, not before. */
TEST_F(rsem, epoll_waits_for_whole_record)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	uint8_t rec[MAX_RECORD + 256];
	int ep = epoll_create1(0);
	size_t n;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->rx, &ev));
	n = seal(_metadata, &self->s, TYPE_DATA, rec + 4000, 3000, 0, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n / 2));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 200));
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec + n / 2, n - n / 2));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 2000));
	EXPECT_NE(0, (int)(out.events & EPOLLIN));
	close(ep);
}

/* TLS 1.3 padding is removed; with EXPECT_NO_PAD it is also counted. */
TEST_F(rsem, padding_removed_and_counted)
{
	uint8_t rec[MAX_RECORD + 256], got[64];
	unsigned int one = 1, val = 0;
	socklen_t len = sizeof(val);
	long before;
	size_t n;

	if (!is_tls13(&self->keys)) {
		EXPECT_EQ(-1, setsockopt(self->rx, SOL_TLS, TLS_RX_EXPECT_NO_PAD,
					 &one, sizeof(one)));
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_EQ(0, getsockopt(self->rx, SOL_TLS, TLS_RX_EXPECT_NO_PAD,
				&val, &len));
	EXPECT_EQ(0U, val);
	n = seal(_metadata, &self->s, TYPE_DATA, "padded", 6, 100, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(6, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(got, "padded", 6));

	ASSERT_EQ(0, setsockopt(self->rx, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
				sizeof(one)));
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->rx, SOL_TLS, TLS_RX_EXPECT_NO_PAD,
				&val, &len));
	EXPECT_EQ(1U, val);
	before = stat_of("TlsRxNoPadViolation");
	n = seal(_metadata, &self->s, TYPE_DATA, "again", 5, 7, rec);
	ASSERT_EQ(0, ktlso_write_all(self->raw, rec, n));
	ASSERT_EQ(5, recv(self->rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(got, "again", 5));
	if (before >= 0)
		EXPECT_EQ(before + 1, stat_of("TlsRxNoPadViolation"));
	/* Values other than 0 and 1 are refused. */
	one = 2;
	EXPECT_EQ(-1, setsockopt(self->rx, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
				 sizeof(one)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rsem, zerocopy_ro_option)
{
	unsigned int v = 1, got = 0;
	socklen_t len = sizeof(got);

	ASSERT_EQ(0, setsockopt(self->rx, SOL_TLS, TLS_TX_ZEROCOPY_RO, &v,
				sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->rx, SOL_TLS, TLS_TX_ZEROCOPY_RO, &got,
				&len));
	EXPECT_EQ(1U, got);
	v = 2;
	EXPECT_EQ(-1, setsockopt(self->rx, SOL_TLS, TLS_TX_ZEROCOPY_RO, &v,
				 sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(self->rx, SOL_TLS, TLS_TX_ZEROCOPY_RO, &v, 2));
	EXPECT_EQ(EINVAL, errno);
	len = 2;
	EXPECT_EQ(-1, getsockopt(self->rx, SOL_TLS, TLS_TX_ZEROCOPY_RO, &got,
				 &len));
	EXPECT_EQ(EINVAL, errno);
}

/* Counters of installed receive keys. */
TEST_F(rsem, rx_counters)
{
	long total = stat_of("TlsRxSw"), curr = stat_of("TlsCurrRxSw");
	int rx, raw;

	ASSERT_LE(1, curr);
	rx_pair(_metadata, &self->keys, &rx, &raw);
	EXPECT_EQ(total + 1, stat_of("TlsRxSw"));
	EXPECT_EQ(curr + 1, stat_of("TlsCurrRxSw"));
	ktlso_close_now(rx);
	close(raw);
	EXPECT_EQ(curr, stat_of("TlsCurrRxSw"));
}

/* Both directions on one socket: an echo through in-tree kTLS. */
TEST_F(rsem, tx_and_rx_on_one_socket)
{
	uint8_t out[5000], back[5000];
	int a, b;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &a, &b));
	ASSERT_EQ(0, ulp_attach(a, test_ulp()));
	ASSERT_EQ(0, keys_install(a, TLS_RX, &self->keys));
	ASSERT_EQ(0, keys_install(a, TLS_TX, &self->keys));
	ASSERT_EQ(0, ulp_attach(b, "tls"));
	ASSERT_EQ(0, keys_install(b, TLS_TX, &self->keys));
	ASSERT_EQ(0, keys_install(b, TLS_RX, &self->keys));
	set_rcvtimeo(a, RCV_TIMEOUT_S);
	set_rcvtimeo(b, RCV_TIMEOUT_S);
	ktlso_fill(out, sizeof(out), 77);
	ASSERT_EQ((ssize_t)sizeof(out), send(b, out, sizeof(out), 0));
	ASSERT_EQ((ssize_t)sizeof(back), recv(a, back, sizeof(back), MSG_WAITALL));
	ASSERT_EQ((ssize_t)sizeof(back), send(a, back, sizeof(back), 0));
	memset(back, 0, sizeof(back));
	ASSERT_EQ((ssize_t)sizeof(back), recv(b, back, sizeof(back), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(out, back, sizeof(out)));
	ktlso_close_now(a);
	close(b);
}

/*
 * A peer sends thousands of empty records to a reader that only peeks.
 * Each one set aside costs an allocation even with no payload: the records
 * parked must stay within the receive buffer, so ktlso stops taking them
 * from TCP and TCP's flow control stops the peer.  Ordinary reads then
 * consume them, the peer finishes, and the stream is intact.
 */
TEST_F(rsem, peek_past_empty_records_is_bounded)
{
	const size_t records = 10000;
	int small = 4096;
	uint8_t *wire = malloc(records * (HDR_LEN + EXPLICIT_NONCE + 1 +
					  TAG_LEN) + MAX_RECORD);
	size_t i, sent = 0, total = 0, last = 0;
	struct timespec a, b;
	uint8_t buf[16];
	ssize_t n;

	ASSERT_NE(NULL, wire);
	ASSERT_EQ(0, setsockopt(self->rx, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, setsockopt(self->raw, SOL_SOCKET, SO_SNDBUF, &small,
				sizeof(small)));
	for (i = 0; i < records; i++)
		total += seal(_metadata, &self->s, TYPE_DATA, "", 0, 0,
			      wire + total);

	/* Peek while the peer sends, until it is done or stalls for 1 s. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (sent < total) {
		n = send(self->raw, wire + sent, total - sent, MSG_DONTWAIT);
		if (n > 0)
			sent += n;
		else
			ASSERT_EQ(EAGAIN, errno);
		EXPECT_EQ(-1, recv(self->rx, buf, 1, MSG_PEEK | MSG_DONTWAIT));
		EXPECT_EQ(EAGAIN, errno);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (sent != last) {
			last = sent;
			a = b;
		} else if (b.tv_sec - a.tv_sec >= 2) {
			break;
		}
		usleep(1000);
	}
	EXPECT_LT(sent, total) {
		TH_LOG("all %zu empty records were taken from TCP by peeking",
		       records);
	}

	/* Reads consume them: the peer finishes, then a data record comes. */
	while (sent < total) {
		n = send(self->raw, wire + sent, total - sent, MSG_DONTWAIT);
		if (n > 0)
			sent += n;
		else
			ASSERT_EQ(EAGAIN, errno);
		EXPECT_EQ(-1, recv(self->rx, buf, sizeof(buf), MSG_DONTWAIT));
		EXPECT_EQ(EAGAIN, errno);
	}
	n = seal(_metadata, &self->s, TYPE_DATA, "end", 3, 0, wire);
	ASSERT_EQ(0, ktlso_write_all(self->raw, wire, n));
	ASSERT_EQ(3, recv(self->rx, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "end", 3));
	free(wire);
}

/*
 * struct tcp_zerocopy_receive as <linux/tcp.h> has it: glibc's copy in
 * <netinet/tcp.h> stops at recv_skip_hint.
 */
struct zc_receive {
	uint64_t address;
	uint32_t length;
	uint32_t recv_skip_hint;
	uint32_t inq;
	int32_t err;
	uint64_t copybuf_address;
	int32_t copybuf_len;
	uint32_t flags;
	uint64_t msg_control;
	uint64_t msg_controllen;
	uint32_t msg_flags;
	uint32_t reserved;
};

#ifndef TCP_ZEROCOPY_RECEIVE
#define TCP_ZEROCOPY_RECEIVE	35
#endif

/*
 * TCP_ZEROCOPY_RECEIVE reads TCP's queue behind the ULP's back: with
 * TLS_RX set it would map or copy ciphertext (the records ktlso has not
 * taken yet).  It is refused, and the records are still there, in order.
 */
TEST_F(rsem, zerocopy_receive_gives_no_ciphertext)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { 3 * 4096, 3 * 4096 };
	const size_t map_len = 16 * 4096, copy_len = 65536;
	uint8_t *copybuf = malloc(copy_len), *buf = malloc(6 * 4096);
	struct zc_receive zc = { 0 };
	socklen_t zlen = sizeof(zc);
	void *map;
	int ret;

	if (testing_intree())
		SKIP(return, "in-tree kTLS passes TCP_ZEROCOPY_RECEIVE to TCP");
	ASSERT_NE(NULL, copybuf);
	ASSERT_NE(NULL, buf);
	map = mmap(NULL, map_len, PROT_READ, MAP_SHARED, self->rx, 0);
	ASSERT_NE(MAP_FAILED, map);
	send_records(_metadata, self, types, lens, 2);
	usleep(100000);
	zc.address = (uintptr_t)map;
	zc.length = map_len;
	zc.copybuf_address = (uintptr_t)copybuf;
	zc.copybuf_len = copy_len;
	ret = getsockopt(self->rx, SOL_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &zlen);
	EXPECT_EQ(-1, ret) {
		TH_LOG("TCP_ZEROCOPY_RECEIVE gave %u bytes mapped, %d copied%s",
		       zc.length, zc.copybuf_len,
		       zc.copybuf_len > 0 && copybuf[0] == TYPE_DATA &&
		       copybuf[1] == 3 && copybuf[2] == 3 ?
		       ": a record's ciphertext" : "");
	}
	if (ret == 0)
		goto out;
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(6 * 4096, recv(self->rx, buf, 6 * 4096, MSG_WAITALL));
	EXPECT_TRUE(is_record(buf, 0, 0, 3 * 4096));
	EXPECT_TRUE(is_record(buf + 3 * 4096, 1, 0, 3 * 4096));
out:
	munmap(map, map_len);
	free(buf);
	free(copybuf);
}

/* A socket filter that takes the whole of what it is shown: skb->len. */
static int load_len_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_1, .off = offsetof(struct __sk_buff, len) },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.insn_cnt = ARRAY_SIZE(insns),
		.insns = (uintptr_t)insns,
		.license = (uintptr_t)"GPL",
	};

	return syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

/*
 * KCM reads the TCP socket attached to it through the socket's read_sock
 * (its strparser), as NVMe/TCP does: with TLS_RX set that would hand it
 * ciphertext.  It gets nothing; detached again, the socket still reads its
 * records in order.
 */
TEST_F(rsem, kcm_reads_no_ciphertext)
{
	static const uint8_t types[] = { TYPE_DATA, TYPE_DATA };
	static const size_t lens[] = { 500, 700 };
	struct kcm_unattach un = { .fd = self->rx };
	struct kcm_attach at = { .fd = self->rx };
	uint8_t buf[2048];
	ssize_t n;
	int kcm;

	if (testing_intree())
		SKIP(return, "in-tree kTLS decrypts for read_sock from 6.5 on");
	kcm = socket(AF_KCM, SOCK_DGRAM, KCMPROTO_CONNECTED);
	if (kcm < 0)
		SKIP(return, "no KCM: %s", strerror(errno));
	at.bpf_fd = load_len_prog();
	ASSERT_LE(0, at.bpf_fd) {
		TH_LOG("BPF_PROG_LOAD: %s", strerror(errno));
	}
	send_records(_metadata, self, types, lens, 2);
	usleep(50000);
	ASSERT_EQ(0, ioctl(kcm, SIOCKCMATTACH, &at));
	usleep(500000);
	n = recv(kcm, buf, sizeof(buf), MSG_DONTWAIT);
	EXPECT_EQ(-1, n) {
		TH_LOG("KCM got %zd bytes%s", n,
		       n > 3 && buf[0] == TYPE_DATA && buf[1] == 3 &&
		       buf[2] == 3 ? ", a record's ciphertext" : "");
	}
	ASSERT_EQ(0, ioctl(kcm, SIOCKCMUNATTACH, &un));
	close(kcm);
	close(at.bpf_fd);
	set_rcvtimeo(self->rx, 2);
	n = recv(self->rx, buf, 1200, MSG_WAITALL);
	ASSERT_EQ(1200, n) {
		TH_LOG("read %zd bytes: KCM's read_sock took the rest", n);
	}
	EXPECT_TRUE(is_record(buf, 0, 0, 500));
	EXPECT_TRUE(is_record(buf + 500, 1, 0, 700));
}

/* --- threads racing on one receiving socket --------------------------------- */

/*
 * A connection whose first end has the ULP under test, no keys yet, and is
 * non-blocking: TCP's splice_read, before TLS_RX, waits for data unless
 * the socket itself is (SPLICE_F_NONBLOCK is about the pipe).
 */
static int race_connect_rx(struct race *r, int *fd, int *peer)
{
	int err = ktlso_tcp_pair(AF_INET, peer, fd);

	if (err)
		return err;
	err = ulp_attach(*fd, test_ulp());
	if (!err && (set_nodelay(*peer) ||
		     fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK)))
		err = -errno;
	if (err) {
		close(*fd);
		close(*peer);
	}
	return err;
}

static void race_recv(struct race *r, unsigned int *seed)
{
	static uint8_t buf[20000];
	int i;

	for (i = 0; i < 20; i++) {
		int flags = MSG_DONTWAIT | (rand_r(seed) % 4 ? 0 : MSG_PEEK);

		RACE_CHECK(r, "recv", recv(r->fd, buf,
					   rand_r(seed) % sizeof(buf) + 1,
					   flags),
			   EAGAIN, EBADF, EBADMSG, EMSGSIZE, EIO, ECONNRESET);
	}
}

static void race_splice(struct race *r, unsigned int *seed)
{
	static uint8_t buf[65536];
	int i;

	for (i = 0; i < 5; i++) {
		RACE_CHECK(r, "splice", splice(r->fd, NULL, r->pipe[1], NULL,
					       rand_r(seed) % 20000 + 1,
					       SPLICE_F_NONBLOCK),
			   EAGAIN, EBADF, EINVAL, EBADMSG, EMSGSIZE,
			   ECONNRESET);
		while (read(r->pipe[0], buf, sizeof(buf)) > 0)
			;
	}
}

static void race_set_rx(struct race *r, unsigned int *seed)
{
	race_keys(r, seed, TLS_RX);
}

/* The peer writes the sealed records, as fast as TCP takes them. */
static void race_peer_send(struct race *r, unsigned int *seed)
{
	size_t off = 0;
	int i;

	for (i = 0; i < 50 && off < r->wire_len; i++) {
		ssize_t n = send(r->peer, r->wire + off, r->wire_len - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		RACE_CHECK(r, "peer send", n, EAGAIN, ECONNRESET, EPIPE);
		if (n > 0)
			off += n;
	}
}

/*
 * Threads race recv (MSG_PEEK or not), splice, poll, TLS_RX and close on
 * one socket while its peer sends records, thousands of calls over fresh
 * connections: every call ends with an errno it may have, and the kernel
 * logs nothing (the VM run checks).
 */
TEST(rx_racing_recv_poll_close_setsockopt)
{
	static struct race r = {
		.fns = { race_recv, race_recv, race_splice, race_poll,
			 race_set_rx, race_closer, race_peer_send },
		.nr_fns = 7,
		.connect = race_connect_rx,
	};
	struct sealer s;
	uint8_t *wire = malloc(20 * (MAX_RECORD + 256)), data[3000];
	size_t i, pos = 0;

	ASSERT_NE(NULL, wire);
	keys_init(&r.keys, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0x1301, 0);
	sealer_init(_metadata, &s, &r.keys, 0);
	for (i = 0; i < 20; i++) {
		size_t len = (i * 997) % sizeof(data) + 1;

		ktlso_fill(data, len, i);
		pos += seal(_metadata, &s, i % 7 ? TYPE_DATA : TYPE_HANDSHAKE,
			    data, len, 0, wire + pos);
	}
	sealer_clear(&s);
	r.wire = wire;
	r.wire_len = pos;
	ASSERT_EQ(0, pipe2(r.pipe, O_NONBLOCK));
	race_run(_metadata, &r);
	close(r.pipe[0]);
	close(r.pipe[1]);
	free(wire);
}

TEST_HARNESS_MAIN
