// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 key updates driven by the application, as upstream Linux has
 * them from 6.14 on (Documentation/networking/tls.rst, "TLS 1.3 Key
 * Updates"), which ktlso offers byte for byte on 6.1 and 6.12:
 *
 *  - a second setsockopt(TLS_TX or TLS_RX) with the version and cipher of
 *    the first installs the next key; another version, cipher or length is
 *    EINVAL and leaves the old key in place; TLS 1.2 keys stay EBUSY;
 *  - transmit: the records after the rekey are sealed with the new key,
 *    numbered from the new crypto_info's rec_seq, at once;
 *  - receive: once a handshake record whose first byte is KeyUpdate (24)
 *    has been decrypted, decryption stops behind it.  The record itself is
 *    read like any control record (with room for its cmsg, or EIO); after
 *    it, reads, peeks and splices fail with EKEYEXPIRED and poll() shows
 *    no POLLIN until TLS_RX gives the next key, under which the records
 *    queued meanwhile are opened;
 *  - /proc/net/ktlso_stat (in-tree: /proc/net/tls_stat) counts
 *    TlsTxRekeyOk, TlsRxRekeyOk, TlsTxRekeyError, TlsRxRekeyError and
 *    TlsRxRekeyReceived as upstream does.
 *
 * The socket under test carries $KTLSO_TEST_ULP ("ktlso" when unset); its
 * peer is plain TCP, and the engine's OpenSSL record layer seals what the
 * peer sends and opens what it gets.  Under KTLSO_TEST_ULP=tls on a kernel
 * whose kTLS has no rekey (before 6.14: a second TLS_TX is EBUSY) the
 * rekey tests skip; ktlso is never skipped.
 */

#include <sys/utsname.h>

#include "tls_common.h"

#define HT_NEW_SESSION_TICKET	4
#define HT_KEY_UPDATE		24

/* RFC 8446 4.6.3: a KeyUpdate message, update_not_requested / _requested. */
#define KU_LEN			5
static const uint8_t key_update[2][KU_LEN] = {
	{ HT_KEY_UPDATE, 0, 0, 1, 0 },
	{ HT_KEY_UPDATE, 0, 0, 1, 1 },
};

/* Key generations a fixture prepares per direction. */
#define GENS			6

/*
 * The first record after a transmit rekey in the tests that check the
 * sequence number: not 0 (which a stack ignoring rec_seq would also get
 * right) and one record away from a carry out of the low 32 bits.
 */
#define TX_REKEY_SEQ		0x00000000ffffffffULL

#define REC_BUF			(MAX_RECORD + 256)

/* --- the ULP under test and its counters ----------------------------------- */

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) ? "this kernel" : u.release;
}

/*
 * Skip, from a fixture setup or a test, where in-tree kTLS is tested and
 * has no rekey.  Any other answer of the probe goes on: the test then
 * fails where in-tree kTLS does.
 */
#define SKIP_WITHOUT_REKEY() do {					\
	if (testing_intree() && intree_rekey_probe() == -EBUSY)		\
		SKIP(return, "in-tree kTLS on %s has no TLS 1.3 rekey "	\
		     "(Linux 6.14+): a second TLS_TX is EBUSY",		\
		     kernel_release());					\
} while (0)

static const char *stat_file(void)
{
	return testing_intree() ? "/proc/net/tls_stat" : "/proc/net/ktlso_stat";
}

static long stat_of(const char *name)
{
	return ktlso_stat_in(stat_file(), name);
}

struct counters {
	long tx_ok, rx_ok, tx_err, rx_err, rx_received;
};

static const struct {
	const char *name;
	size_t off;
} counter_names[] = {
	{ "TlsTxRekeyOk", offsetof(struct counters, tx_ok) },
	{ "TlsRxRekeyOk", offsetof(struct counters, rx_ok) },
	{ "TlsTxRekeyError", offsetof(struct counters, tx_err) },
	{ "TlsRxRekeyError", offsetof(struct counters, rx_err) },
	{ "TlsRxRekeyReceived", offsetof(struct counters, rx_received) },
};

static long *counter(struct counters *c, size_t i)
{
	return (long *)((char *)c + counter_names[i].off);
}

static struct counters counters_now(void)
{
	struct counters c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counter_names); i++)
		*counter(&c, i) = stat_of(counter_names[i].name);
	return c;
}

/*
 * Every rekey counter exists (a missing one reads -1) and moved by its
 * delta in @d since @before.
 */
static void expect_counters(struct __test_metadata *_metadata,
			    struct counters *before, struct counters d)
{
	struct counters now = counters_now();
	char missing[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counter_names); i++) {
		long was = *counter(before, i), is = *counter(&now, i);

		if (was < 0) {
			strcat(missing, " ");
			strcat(missing, counter_names[i].name);
			continue;
		}
		EXPECT_EQ(was + *counter(&d, i), is) {
			TH_LOG("%s moved by %ld, want %ld",
			       counter_names[i].name, is - was,
			       *counter(&d, i));
		}
	}
	EXPECT_STREQ("", missing) {
		TH_LOG("missing from %s:%s", stat_file(), missing);
	}
}

#define EXPECT_COUNTERS(before, ...) \
	expect_counters(_metadata, before, (struct counters){ __VA_ARGS__ })

/*
 * The second (third, ...) setsockopt of @k: 0 or -errno, logged when the
 * ULP refuses, as ktlso did before it had rekey (EBUSY).
 */
static int rekey(struct __test_metadata *_metadata, int fd, int opt,
		 const struct tls_keys *k)
{
	int err = keys_install(fd, opt, k);

	if (err)
		TH_LOG("rekey %s: %s", opt == TLS_TX ? "TLS_TX" : "TLS_RX",
		       strerror(-err));
	return err;
}

/* --- the peer: the engine's record layer, one direction at a time ---------- */

struct dir {
	struct ktlso_record_protection rp;
	const struct tls_keys *k;
	bool ready;
};

/* (Re)start @d on keys @k from their rec_seq: after a KeyUpdate, say. */
static void dir_start(struct __test_metadata *_metadata, struct dir *d,
		      struct tls_keys *k, bool encrypt)
{
	if (d->ready)
		ktlso_record_clear(&d->rp);
	d->ready = false;
	engine_init(_metadata, k, get_be64(ci_rec_seq(k)), encrypt, &d->rp);
	d->k = k;
	d->ready = true;
}

static void dir_clear(struct dir *d)
{
	if (d->ready)
		ktlso_record_clear(&d->rp);
	d->ready = false;
}

/* Records the peer will write, sealed as they are added. */
struct wire {
	uint8_t *buf;
	size_t len, cap;
};

static void wire_add(struct __test_metadata *_metadata, struct wire *w,
		     struct dir *d, uint8_t type, const void *data, size_t len)
{
	size_t n = 0;

	if (w->cap - w->len < REC_BUF) {
		w->cap = w->cap * 2 + 4 * REC_BUF;
		w->buf = realloc(w->buf, w->cap);
		ASSERT_NE(NULL, w->buf);
	}
	ASSERT_EQ(0, ktlso_record_seal(&d->rp, type, data, len, 0,
				       w->buf + w->len, w->cap - w->len, &n));
	w->len += n;
}

/* Data records of pattern @seed, @len bytes, at most 2^14 per record. */
static void wire_add_data(struct __test_metadata *_metadata, struct wire *w,
			  struct dir *d, unsigned int seed, size_t len)
{
	uint8_t *data = plaintext(_metadata, len, seed);
	size_t off;

	for (off = 0; off < len; off += MAX_PAYLOAD)
		wire_add(_metadata, w, d, TYPE_DATA, data + off,
			 len - off < MAX_PAYLOAD ? len - off : MAX_PAYLOAD);
	free(data);
}

/* Write @len bytes of the wire from @off. */
static void wire_write(struct __test_metadata *_metadata, struct wire *w,
		       int fd, size_t off, size_t len)
{
	ASSERT_EQ(0, ktlso_write_all(fd, w->buf + off, len));
}

static void wire_flush(struct __test_metadata *_metadata, struct wire *w,
		       int fd)
{
	wire_write(_metadata, w, fd, 0, w->len);
	w->len = 0;
}

/* Read one whole record from the peer's socket @fd; its length. */
static size_t read_record(struct __test_metadata *_metadata, int fd,
			  uint8_t *rec)
{
	size_t len;
	int err;

	err = ktlso_read_all(fd, rec, HDR_LEN);
	ASSERT_EQ(0, err) {
		TH_LOG("no record came: %s", strerror(-err));
	}
	len = (size_t)rec[3] << 8 | rec[4];
	ASSERT_GE((size_t)REC_BUF - HDR_LEN, len);
	ASSERT_EQ(0, ktlso_read_all(fd, rec + HDR_LEN, len));
	return HDR_LEN + len;
}

/*
 * The next record the peer @fd gets opens under @d (and so was sealed with
 * its key and sequence number) and holds @type and @data.
 */
static void expect_record(struct __test_metadata *_metadata, int fd,
			  struct dir *d, uint8_t type, const void *data,
			  size_t len, const char *what)
{
	uint8_t *rec = malloc(REC_BUF), *out = malloc(REC_BUF), got_type = 0;
	size_t n, got = 0;

	ASSERT_NE(NULL, rec);
	ASSERT_NE(NULL, out);
	n = read_record(_metadata, fd, rec);
	/* TLS 1.3: the outer header says application_data, version 3.3. */
	EXPECT_EQ(TYPE_DATA, rec[0]);
	EXPECT_EQ(0x03, rec[1]);
	EXPECT_EQ(0x03, rec[2]);
	ASSERT_EQ(0, ktlso_record_open(&d->rp, rec, n, &got_type, out, REC_BUF,
				       &got)) {
		TH_LOG("%s: the record (%zu bytes) does not open under the "
		       "expected key and sequence number", what, n);
	}
	EXPECT_EQ(type, got_type) {
		TH_LOG("%s: content type", what);
	}
	ASSERT_EQ(len, got) {
		TH_LOG("%s: length", what);
	}
	EXPECT_EQ(0, memcmp(data, out, len)) {
		TH_LOG("%s: content differs", what);
	}
	free(out);
	free(rec);
}

static void expect_data_record(struct __test_metadata *_metadata, int fd,
			       struct dir *d, unsigned int seed, size_t len,
			       const char *what)
{
	uint8_t *data = plaintext(_metadata, len, seed);

	expect_record(_metadata, fd, d, TYPE_DATA, data, len, what);
	free(data);
}

/* --- the socket under test ------------------------------------------------- */

/* No send in these tests may block for good. */
static void set_sndtimeo(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* recv(): the bytes, or -errno. */
static ssize_t recv_err(int fd, void *buf, size_t len, int flags)
{
	ssize_t n = recv(fd, buf, len, flags);

	return n < 0 ? -errno : n;
}

/* Read @len bytes of data pattern @seed in one MSG_WAITALL recv. */
static void expect_data(struct __test_metadata *_metadata, int fd,
			unsigned int seed, size_t len, const char *what)
{
	uint8_t *want = plaintext(_metadata, len, seed), *got = malloc(len);
	ssize_t n;

	ASSERT_NE(NULL, got);
	n = recv_err(fd, got, len, MSG_WAITALL);
	ASSERT_EQ((ssize_t)len, n) {
		TH_LOG("%s: %s", what, n < 0 ? strerror(-n) : "short read");
	}
	EXPECT_EQ(0, memcmp(want, got, len)) {
		TH_LOG("%s: content differs", what);
	}
	free(got);
	free(want);
}

/* The KeyUpdate @ku arrives with its cmsg: content type 22, bytes intact. */
static void expect_key_update(struct __test_metadata *_metadata, int fd,
			      const uint8_t *ku)
{
	uint8_t buf[64], type = 0;
	ssize_t n = recv_typed(fd, buf, sizeof(buf), &type);

	ASSERT_EQ(KU_LEN, n) {
		TH_LOG("reading the KeyUpdate: %s",
		       n < 0 ? strerror(-n) : "wrong length");
	}
	EXPECT_EQ(TYPE_HANDSHAKE, type);
	EXPECT_EQ(0, memcmp(ku, buf, KU_LEN));
}

static bool readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * After a KeyUpdate was read, and before TLS_RX is set again: every way
 * of reading fails with EKEYEXPIRED (none of them waits for data) and
 * poll() shows nothing to read.  A receive timeout of 1 s meanwhile, so
 * that a socket that does wait fails these checks, not the harness's
 * time limit.
 */
static void expect_paused(struct __test_metadata *_metadata, int fd)
{
	uint8_t buf[256], type;
	int p[2];

	set_rcvtimeo(fd, 1);
	EXPECT_EQ(-EKEYEXPIRED, recv_err(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(-EKEYEXPIRED, recv_err(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(-EKEYEXPIRED, recv_err(fd, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(-EKEYEXPIRED, recv_err(fd, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(-EKEYEXPIRED, recv_typed(fd, buf, sizeof(buf), &type));
	EXPECT_EQ(-EKEYEXPIRED, recv_typed_flags(fd, buf, sizeof(buf),
						 MSG_PEEK, &type));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EKEYEXPIRED, errno);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	EXPECT_EQ(-1, splice(fd, NULL, p[1], NULL, sizeof(buf), 0));
	EXPECT_EQ(EKEYEXPIRED, errno);
	close(p[0]);
	close(p[1]);
	EXPECT_FALSE(readable_within(fd, 100)) {
		TH_LOG("poll() shows POLLIN while the receive key is expired");
	}
	set_rcvtimeo(fd, RCV_TIMEOUT_S);
}

/* getsockopt(@opt) with the full struct: @k's values, record @seq next. */
static void expect_info(struct __test_metadata *_metadata, int fd, int opt,
			const struct tls_keys *k, uint64_t seq)
{
	unsigned char buf[CRYPTO_INFO_BUF];
	struct tls_keys w = *k;
	socklen_t len = k->len;

	ASSERT_EQ(0, getsockopt(fd, SOL_TLS, opt, buf, &len)) {
		TH_LOG("getsockopt: %s", strerror(errno));
	}
	ASSERT_EQ(k->len, len);
	EXPECT_EQ(0, memcmp(w.ci, buf, sizeof(struct tls_crypto_info)));
	EXPECT_EQ(0, memcmp(ci_key(&w), buf + (ci_key(&w) - w.ci),
			    w.c->key_len)) {
		TH_LOG("not the key installed last");
	}
	EXPECT_EQ(0, memcmp(ci_iv(&w), buf + (ci_iv(&w) - w.ci),
			    w.c->iv_len)) {
		TH_LOG("not the iv installed last");
	}
	EXPECT_EQ(0, memcmp(ci_salt(&w), buf + (ci_salt(&w) - w.ci),
			    w.c->salt_len)) {
		TH_LOG("not the salt installed last");
	}
	EXPECT_EQ(seq, get_be64(buf + (ci_rec_seq(&w) - w.ci)));
}

/* Another TLS 1.3 cipher than @c, for refused rekeys. */
static uint16_t other_cipher(uint16_t c)
{
	return c == TLS_CIPHER_AES_GCM_128 ? TLS_CIPHER_AES_GCM_256 :
					     TLS_CIPHER_AES_GCM_128;
}

/* --- the fixture: one connection per TLS 1.3 cipher ------------------------- */

FIXTURE(rekey)
{
	int fd;			/* the ULP under test, both directions keyed */
	int peer;		/* plain TCP */
	/*
	 * Generation g of each direction.  The directions never share a key
	 * (transmit is generation GENS + g), so a rekey applied to the wrong
	 * direction cannot go unnoticed.  Generation 0 starts at SEQ_START,
	 * later ones at 0, as after a KeyUpdate.
	 */
	struct tls_keys rx[GENS];
	struct tls_keys tx[GENS];
	struct dir seal;	/* what the peer sends: the fd's RX keys */
	struct dir open;	/* what the peer gets: the fd's TX keys */
	struct wire w;
	struct counters before;
};

FIXTURE_VARIANT(rekey)
{
	uint16_t cipher;
	uint16_t suite;		/* the engine's TLS 1.3 cipher suite */
};

FIXTURE_VARIANT_ADD(rekey, aes_gcm_128)
{
	.cipher = TLS_CIPHER_AES_GCM_128, .suite = 0x1301,
};

FIXTURE_VARIANT_ADD(rekey, aes_gcm_256)
{
	.cipher = TLS_CIPHER_AES_GCM_256, .suite = 0x1302,
};

FIXTURE_VARIANT_ADD(rekey, chacha20_poly1305)
{
	.cipher = TLS_CIPHER_CHACHA20_POLY1305, .suite = 0x1303,
};

FIXTURE_VARIANT_ADD(rekey, aes_ccm_128)
{
	.cipher = TLS_CIPHER_AES_CCM_128, .suite = 0x1304,
};

FIXTURE_SETUP(rekey)
{
	unsigned int g;

	self->fd = self->peer = -1;
	SKIP_WITHOUT_REKEY();
	for (g = 0; g < GENS; g++) {
		uint64_t seq = g ? 0 : SEQ_START;

		keys_init_gen(&self->rx[g], TLS_1_3_VERSION, variant->cipher,
			      variant->suite, seq, g);
		keys_init_gen(&self->tx[g], TLS_1_3_VERSION, variant->cipher,
			      variant->suite, seq, GENS + g);
	}
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->peer, &self->fd));
	ASSERT_EQ(0, ulp_attach(self->fd, test_ulp()));
	ASSERT_EQ(0, keys_install(self->fd, TLS_TX, &self->tx[0]));
	ASSERT_EQ(0, keys_install(self->fd, TLS_RX, &self->rx[0]));
	ASSERT_EQ(0, set_nodelay(self->fd));
	ASSERT_EQ(0, set_nodelay(self->peer));
	set_rcvtimeo(self->fd, RCV_TIMEOUT_S);
	set_rcvtimeo(self->peer, RCV_TIMEOUT_S);
	set_sndtimeo(self->fd, RCV_TIMEOUT_S);
	dir_start(_metadata, &self->seal, &self->rx[0], true);
	dir_start(_metadata, &self->open, &self->tx[0], false);
	self->before = counters_now();
}

FIXTURE_TEARDOWN(rekey)
{
	dir_clear(&self->seal);
	dir_clear(&self->open);
	free(self->w.buf);
	if (self->fd >= 0)
		ktlso_close_now(self->fd);
	if (self->peer >= 0)
		close(self->peer);
}

/*
 * Send @len bytes of pattern @seed from the socket under test in one
 * send() with @flags (MSG_DONTWAIT: what must not wait).
 */
static void send_flags(struct __test_metadata *_metadata, int fd,
		       unsigned int seed, size_t len, int flags)
{
	uint8_t *data = plaintext(_metadata, len, seed);
	ssize_t n = send(fd, data, len, flags);

	ASSERT_EQ((ssize_t)len, n) {
		TH_LOG("send: %s", n < 0 ? strerror(errno) : "short");
	}
	free(data);
}

static void send_data(struct __test_metadata *_metadata, int fd,
		      unsigned int seed, size_t len)
{
	send_flags(_metadata, fd, seed, len, 0);
}

/* --- transmit ---------------------------------------------------------------- */

/*
 * Records before the rekey, the KeyUpdate among them, are sealed with the
 * old key; those after it with the new key, numbered from the rec_seq the
 * new crypto_info carries, and sending does not wait for anything.  A
 * KeyUpdate the application sends changes nothing by itself.
 */
TEST_F(rekey, tx_records_after_rekey_use_new_key_and_seq)
{
	struct tls_keys k = self->tx[1];
	long tx_sw = stat_of("TlsTxSw"), curr_tx = stat_of("TlsCurrTxSw");

	keys_set_seq(&k, TX_REKEY_SEQ);
	send_data(_metadata, self->fd, 1, 100);
	ASSERT_EQ(0, send_typed(self->fd, TYPE_HANDSHAKE, key_update[0],
				KU_LEN));
	send_data(_metadata, self->fd, 2, 200);
	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_TX, &k));
	send_flags(_metadata, self->fd, 3, 300, MSG_DONTWAIT);
	send_data(_metadata, self->fd, 4, MAX_PAYLOAD);
	send_data(_metadata, self->fd, 5, 1);

	expect_data_record(_metadata, self->peer, &self->open, 1, 100,
			   "first record, old key");
	expect_record(_metadata, self->peer, &self->open, TYPE_HANDSHAKE,
		      key_update[0], KU_LEN, "the KeyUpdate, old key");
	expect_data_record(_metadata, self->peer, &self->open, 2, 200,
			   "after the KeyUpdate, before the rekey: old key");
	dir_start(_metadata, &self->open, &k, false);
	expect_data_record(_metadata, self->peer, &self->open, 3, 300,
			   "first record after the rekey: new key, new seq");
	expect_data_record(_metadata, self->peer, &self->open, 4, MAX_PAYLOAD,
			   "second record after the rekey");
	expect_data_record(_metadata, self->peer, &self->open, 5, 1,
			   "third record after the rekey, past the carry");
	EXPECT_TRUE(nothing_readable(self->peer, 100));
	EXPECT_COUNTERS(&self->before, .tx_ok = 1);
	/* A rekey is not a new installation. */
	EXPECT_EQ(tx_sw, stat_of("TlsTxSw"));
	EXPECT_EQ(curr_tx, stat_of("TlsCurrTxSw"));
}

/*
 * A rekey while full records are still in the ring of records sealed out
 * of order (spliced with SPLICE_F_MORE): they are sealed under the old key
 * they were numbered for, and go before the first record under the new
 * one.
 */
TEST_F(rekey, tx_rekey_with_records_in_the_ring)
{
	const size_t len = 4 * MAX_PAYLOAD;
	uint8_t *data = plaintext(_metadata, len, 6);
	struct tls_keys k = self->tx[1];
	size_t off;

	keys_set_seq(&k, TX_REKEY_SEQ);
	ASSERT_EQ(0, send_splice(self->fd, data, len, true));
	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_TX, &k));
	send_data(_metadata, self->fd, 7, 300);

	for (off = 0; off < len; off += MAX_PAYLOAD)
		expect_record(_metadata, self->peer, &self->open, TYPE_DATA,
			      data + off, MAX_PAYLOAD,
			      "spliced before the rekey: old key");
	dir_start(_metadata, &self->open, &k, false);
	expect_data_record(_metadata, self->peer, &self->open, 7, 300,
			   "first record after the rekey: new key, new seq");
	EXPECT_TRUE(nothing_readable(self->peer, 100));
	EXPECT_COUNTERS(&self->before, .tx_ok = 1);
	free(data);
}

/* getsockopt(TLS_TX) reports the new key, and its sequence number moves on. */
TEST_F(rekey, tx_getsockopt_reports_new_key)
{
	struct tls_keys k = self->tx[1];
	int i;

	keys_set_seq(&k, TX_REKEY_SEQ);
	expect_info(_metadata, self->fd, TLS_TX, &self->tx[0], SEQ_START);
	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_TX, &k));
	expect_info(_metadata, self->fd, TLS_TX, &k, TX_REKEY_SEQ);
	dir_start(_metadata, &self->open, &k, false);
	for (i = 0; i < 3; i++) {
		send_data(_metadata, self->fd, 10 + i, 10);
		expect_data_record(_metadata, self->peer, &self->open, 10 + i,
				   10, "after the rekey");
	}
	expect_info(_metadata, self->fd, TLS_TX, &k, TX_REKEY_SEQ + 3);
	/* The receive direction kept its key. */
	expect_info(_metadata, self->fd, TLS_RX, &self->rx[0], SEQ_START);
}

/* Generation after generation, each record under the key of its time. */
TEST_F(rekey, tx_many_generations)
{
	unsigned int g;

	for (g = 0; g + 1 < GENS; g++) {
		send_data(_metadata, self->fd, 20 + g, 1000);
		ASSERT_EQ(0, send_typed(self->fd, TYPE_HANDSHAKE,
					key_update[g & 1], KU_LEN));
		ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_TX,
				   &self->tx[g + 1]));
		expect_data_record(_metadata, self->peer, &self->open, 20 + g,
				   1000, "data");
		expect_record(_metadata, self->peer, &self->open,
			      TYPE_HANDSHAKE, key_update[g & 1], KU_LEN,
			      "KeyUpdate");
		dir_start(_metadata, &self->open, &self->tx[g + 1], false);
	}
	send_data(_metadata, self->fd, 99, 1000);
	expect_data_record(_metadata, self->peer, &self->open, 99, 1000,
			   "last generation");
	EXPECT_COUNTERS(&self->before, .tx_ok = GENS - 1);
}

/*
 * Another cipher, another version or a wrong length: EINVAL, counted as a
 * failed rekey, and the old key goes on as if nothing had been asked; a
 * right rekey afterwards works.
 */
TEST_F(rekey, tx_refused_rekey_keeps_old_key)
{
	struct tls_keys bad;

	keys_init_gen(&bad, TLS_1_3_VERSION, other_cipher(variant->cipher), 0,
		      0, 1);
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_TX, &bad));
	keys_init_gen(&bad, TLS_1_2_VERSION, variant->cipher, 0, 0, 1);
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_TX, &bad));
	bad = self->tx[1];
	bad.len++;
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_TX, &bad));
	bad.len -= 2;
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_TX, &bad));
	EXPECT_COUNTERS(&self->before, .tx_err = 4);

	expect_info(_metadata, self->fd, TLS_TX, &self->tx[0], SEQ_START);
	send_data(_metadata, self->fd, 30, 500);
	expect_data_record(_metadata, self->peer, &self->open, 30, 500,
			   "after refused rekeys: the old key");

	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_TX, &self->tx[1]));
	send_data(_metadata, self->fd, 31, 500);
	dir_start(_metadata, &self->open, &self->tx[1], false);
	expect_data_record(_metadata, self->peer, &self->open, 31, 500,
			   "after the rekey that worked");
	EXPECT_COUNTERS(&self->before, .tx_err = 4, .tx_ok = 1);
}

/* --- receive ----------------------------------------------------------------- */

/*
 * The KeyUpdate is a control record like any other: the data records
 * before it are read normally, a read stops at it, and it is delivered
 * only to a reader with room for its cmsg (without: EIO, and it stays;
 * splice: EINVAL, and it stays).  It is counted once.
 */
TEST_F(rekey, rx_key_update_read_with_cmsg_only)
{
	uint8_t buf[4096], *want;
	int p[2];

	wire_add_data(_metadata, &self->w, &self->seal, 40, 1000);
	wire_add_data(_metadata, &self->w, &self->seal, 41, 500);
	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[1], KU_LEN);
	wire_flush(_metadata, &self->w, self->peer);

	expect_data(_metadata, self->fd, 40, 1000, "first data record");
	/* A read, even MSG_WAITALL, stops where the content type changes. */
	ASSERT_EQ(500, recv_err(self->fd, buf, sizeof(buf), MSG_WAITALL));
	want = plaintext(_metadata, 500, 41);
	EXPECT_EQ(0, memcmp(want, buf, 500));
	free(want);
	EXPECT_EQ(-EIO, recv_err(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(-EIO, recv_err(self->fd, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	EXPECT_EQ(-1, splice(self->fd, NULL, p[1], NULL, sizeof(buf), 0));
	EXPECT_EQ(EINVAL, errno);
	close(p[0]);
	close(p[1]);
	expect_key_update(_metadata, self->fd, key_update[1]);
	expect_paused(_metadata, self->fd);
	EXPECT_COUNTERS(&self->before, .rx_received = 1);
}

/*
 * Behind the KeyUpdate, reading stops until TLS_RX is set again, though
 * the records sealed under the next key are in already; the transmit
 * direction goes on meanwhile.  Then those records open under the new key,
 * intact, and getsockopt(TLS_RX) reports it.
 */
TEST_F(rekey, rx_paused_until_next_key)
{
	long rx_sw = stat_of("TlsRxSw"), curr_rx = stat_of("TlsCurrRxSw");

	wire_add_data(_metadata, &self->w, &self->seal, 50, 700);
	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[0], KU_LEN);
	dir_start(_metadata, &self->seal, &self->rx[1], true);
	wire_add_data(_metadata, &self->w, &self->seal, 51, 3000);
	wire_add_data(_metadata, &self->w, &self->seal, 52, MAX_PAYLOAD);
	wire_flush(_metadata, &self->w, self->peer);

	expect_data(_metadata, self->fd, 50, 700, "before the KeyUpdate");
	EXPECT_TRUE(readable_within(self->fd, 1000)) {
		TH_LOG("the KeyUpdate itself is not readable");
	}
	expect_key_update(_metadata, self->fd, key_update[0]);
	expect_paused(_metadata, self->fd);
	EXPECT_COUNTERS(&self->before, .rx_received = 1);

	/* Sending does not pause with receiving. */
	send_data(_metadata, self->fd, 53, 100);
	expect_data_record(_metadata, self->peer, &self->open, 53, 100,
			   "sent while receiving is paused");

	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX, &self->rx[1]));
	EXPECT_TRUE(readable_within(self->fd, 2000)) {
		TH_LOG("no POLLIN after the new key, with records queued");
	}
	expect_data(_metadata, self->fd, 51, 3000, "first under the new key");
	expect_data(_metadata, self->fd, 52, MAX_PAYLOAD, "second");
	EXPECT_TRUE(nothing_readable(self->fd, 50));
	expect_info(_metadata, self->fd, TLS_RX, &self->rx[1], 2);
	expect_info(_metadata, self->fd, TLS_TX, &self->tx[0], SEQ_START + 1);
	EXPECT_COUNTERS(&self->before, .rx_received = 1, .rx_ok = 1);
	EXPECT_EQ(rx_sw, stat_of("TlsRxSw"));
	EXPECT_EQ(curr_rx, stat_of("TlsCurrRxSw"));
}

/*
 * A blocking read or splice while the key is expired fails at once: there
 * is nothing it could wait for that TLS_RX would not have to come first.
 */
TEST_F(rekey, rx_blocking_read_while_paused_fails_at_once)
{
	struct timespec t;
	uint8_t buf[64];
	int p[2];

	ASSERT_EQ(0, pipe(p));
	set_rcvtimeo(self->fd, 5);
	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[0], KU_LEN);
	wire_flush(_metadata, &self->w, self->peer);
	expect_key_update(_metadata, self->fd, key_update[0]);

	clock_gettime(CLOCK_MONOTONIC, &t);
	EXPECT_EQ(-EKEYEXPIRED, recv_err(self->fd, buf, sizeof(buf), 0));
	EXPECT_GT(2000, ms_since(&t)) {
		TH_LOG("recv blocked for %ld ms", ms_since(&t));
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	EXPECT_EQ(-1, splice(self->fd, NULL, p[1], NULL, sizeof(buf), 0));
	EXPECT_EQ(EKEYEXPIRED, errno);
	EXPECT_GT(2000, ms_since(&t)) {
		TH_LOG("splice blocked for %ld ms", ms_since(&t));
	}
	close(p[0]);
	close(p[1]);
}

struct poller {
	int fd;
	atomic_bool started, done;
	int ret;
	short revents;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	atomic_store(&p->started, true);
	p->ret = poll(&pfd, 1, 5000);
	p->revents = pfd.revents;
	atomic_store(&p->done, true);
	return NULL;
}

/*
 * A poll() that waits while the key is expired, with records queued
 * behind the KeyUpdate, is woken by TLS_RX from another thread.
 */
TEST_F(rekey, rx_poll_woken_by_next_key)
{
	struct poller p = { .fd = self->fd };
	struct timespec t;
	pthread_t tid;
	int err, i;

	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[0], KU_LEN);
	dir_start(_metadata, &self->seal, &self->rx[1], true);
	wire_add_data(_metadata, &self->w, &self->seal, 60, 2000);
	wire_flush(_metadata, &self->w, self->peer);
	expect_key_update(_metadata, self->fd, key_update[0]);

	ASSERT_EQ(0, pthread_create(&tid, NULL, poll_thread, &p));
	for (i = 0; i < 2000 && !atomic_load(&p.started); i++)
		usleep(1000);
	/* Time to get into poll() and find nothing to read. */
	usleep(200000);
	EXPECT_FALSE(atomic_load(&p.done)) {
		TH_LOG("poll() returned %d, revents %#x, while the key is expired",
		       p.ret, p.revents);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	/* No ASSERT before the join: the thread must not outlive the test. */
	err = rekey(_metadata, self->fd, TLS_RX, &self->rx[1]);
	pthread_join(tid, NULL);
	ASSERT_EQ(0, err);
	EXPECT_EQ(1, p.ret);
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_GT(2000, ms_since(&t)) {
		TH_LOG("poll() woke %ld ms after TLS_RX", ms_since(&t));
	}
	expect_data(_metadata, self->fd, 60, 2000, "under the new key");
}

/*
 * A peek runs into the KeyUpdate: with a cmsg it sees type 22 (and leaves
 * the record where it is), without one EIO; reads then take the data and
 * the KeyUpdate, and only then is the key expired.  Peeks do not count
 * the KeyUpdate again.
 */
TEST_F(rekey, rx_peek_reaches_key_update)
{
	uint8_t buf[4096], type;
	int i;

	wire_add_data(_metadata, &self->w, &self->seal, 70, 700);
	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[1], KU_LEN);
	dir_start(_metadata, &self->seal, &self->rx[1], true);
	wire_add_data(_metadata, &self->w, &self->seal, 71, 800);
	wire_flush(_metadata, &self->w, self->peer);

	ASSERT_EQ(700, recv_typed_flags(self->fd, buf, sizeof(buf), MSG_PEEK,
					&type));
	EXPECT_EQ(TYPE_DATA, type);
	ASSERT_EQ(700, recv_typed_flags(self->fd, buf, sizeof(buf),
					MSG_PEEK | MSG_WAITALL, &type));
	EXPECT_EQ(TYPE_DATA, type);
	expect_data(_metadata, self->fd, 70, 700, "data before the KeyUpdate");
	for (i = 0; i < 2; i++) {
		memset(buf, 0, KU_LEN);
		ASSERT_EQ(KU_LEN, recv_typed_flags(self->fd, buf, sizeof(buf),
						   MSG_PEEK, &type));
		EXPECT_EQ(TYPE_HANDSHAKE, type);
		EXPECT_EQ(0, memcmp(key_update[1], buf, KU_LEN));
	}
	EXPECT_EQ(-EIO, recv_err(self->fd, buf, sizeof(buf), MSG_PEEK));
	expect_key_update(_metadata, self->fd, key_update[1]);
	expect_paused(_metadata, self->fd);
	EXPECT_COUNTERS(&self->before, .rx_received = 1);

	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX, &self->rx[1]));
	ASSERT_EQ(800, recv_typed_flags(self->fd, buf, sizeof(buf), MSG_PEEK,
					&type));
	EXPECT_EQ(TYPE_DATA, type);
	expect_data(_metadata, self->fd, 71, 800, "under the new key");
}

/*
 * Upstream takes TLS_RX again without any KeyUpdate received: the records
 * after it are opened with the new key.  A KeyUpdate later pauses as
 * usual.
 */
TEST_F(rekey, rx_rekey_before_any_key_update)
{
	wire_add_data(_metadata, &self->w, &self->seal, 80, 600);
	wire_flush(_metadata, &self->w, self->peer);
	expect_data(_metadata, self->fd, 80, 600, "under the first key");

	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX, &self->rx[1]));
	EXPECT_COUNTERS(&self->before, .rx_ok = 1);
	dir_start(_metadata, &self->seal, &self->rx[1], true);
	wire_add_data(_metadata, &self->w, &self->seal, 81, 600);
	wire_flush(_metadata, &self->w, self->peer);
	expect_data(_metadata, self->fd, 81, 600, "under the second key");

	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[0], KU_LEN);
	dir_start(_metadata, &self->seal, &self->rx[2], true);
	wire_add_data(_metadata, &self->w, &self->seal, 82, 600);
	wire_flush(_metadata, &self->w, self->peer);
	expect_key_update(_metadata, self->fd, key_update[0]);
	expect_paused(_metadata, self->fd);
	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX, &self->rx[2]));
	expect_data(_metadata, self->fd, 82, 600, "under the third key");
	EXPECT_COUNTERS(&self->before, .rx_ok = 2, .rx_received = 1);
}

/* Refused receive rekeys before any KeyUpdate: the old key goes on. */
TEST_F(rekey, rx_refused_rekey_keeps_old_key)
{
	struct tls_keys bad;

	keys_init_gen(&bad, TLS_1_3_VERSION, other_cipher(variant->cipher), 0,
		      0, 1);
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_RX, &bad));
	keys_init_gen(&bad, TLS_1_2_VERSION, variant->cipher, 0, 0, 1);
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_RX, &bad));
	bad = self->rx[1];
	bad.len++;
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_RX, &bad));
	bad.len -= 2;
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_RX, &bad));
	EXPECT_COUNTERS(&self->before, .rx_err = 4);

	wire_add_data(_metadata, &self->w, &self->seal, 90, 900);
	wire_flush(_metadata, &self->w, self->peer);
	expect_data(_metadata, self->fd, 90, 900, "after refused rekeys");
	expect_info(_metadata, self->fd, TLS_RX, &self->rx[0], SEQ_START + 1);
}

/*
 * While the key is expired, a rekey with the wrong cipher or version is
 * EINVAL and leaves the socket paused, also as more of a record under the
 * next key arrives; the right key then opens it.
 */
TEST_F(rekey, rx_refused_rekey_while_paused_stays_paused)
{
	struct tls_keys bad;
	size_t half;

	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[0], KU_LEN);
	dir_start(_metadata, &self->seal, &self->rx[1], true);
	wire_add_data(_metadata, &self->w, &self->seal, 100, 5000);
	/* The KeyUpdate and half the next record, the rest later. */
	half = self->w.len - 2500;
	wire_write(_metadata, &self->w, self->peer, 0, half);
	expect_key_update(_metadata, self->fd, key_update[0]);

	keys_init_gen(&bad, TLS_1_3_VERSION, other_cipher(variant->cipher), 0,
		      0, 1);
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_RX, &bad));
	keys_init_gen(&bad, TLS_1_2_VERSION, variant->cipher, 0, 0, 1);
	EXPECT_EQ(-EINVAL, keys_install(self->fd, TLS_RX, &bad));
	EXPECT_COUNTERS(&self->before, .rx_err = 2, .rx_received = 1);
	expect_paused(_metadata, self->fd);
	wire_write(_metadata, &self->w, self->peer, half, self->w.len - half);
	expect_paused(_metadata, self->fd);

	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX, &self->rx[1]));
	expect_data(_metadata, self->fd, 100, 5000, "under the new key");
	EXPECT_COUNTERS(&self->before, .rx_err = 2, .rx_received = 1,
			.rx_ok = 1);
}

/*
 * Every generation's records and KeyUpdate queued at once: each KeyUpdate
 * stops decryption right behind itself, each TLS_RX resumes it.
 */
TEST_F(rekey, rx_many_generations_queued)
{
	unsigned int g;

	for (g = 0; g < GENS; g++) {
		if (g)
			dir_start(_metadata, &self->seal, &self->rx[g], true);
		wire_add_data(_metadata, &self->w, &self->seal, 110 + g,
			      100 + 1000 * g);
		if (g + 1 < GENS)
			wire_add(_metadata, &self->w, &self->seal,
				 TYPE_HANDSHAKE, key_update[g & 1], KU_LEN);
	}
	wire_flush(_metadata, &self->w, self->peer);
	for (g = 0; g < GENS; g++) {
		expect_data(_metadata, self->fd, 110 + g, 100 + 1000 * g,
			    "data of one generation");
		if (g + 1 == GENS)
			break;
		expect_key_update(_metadata, self->fd, key_update[g & 1]);
		expect_paused(_metadata, self->fd);
		ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX,
				   &self->rx[g + 1]));
	}
	EXPECT_COUNTERS(&self->before, .rx_ok = GENS - 1,
			.rx_received = GENS - 1);
}

/*
 * More full records under the next key than the receive buffer holds: the
 * peer blocks in TCP while the key is expired and finishes once it is
 * replaced; every byte arrives.
 */
TEST_F(rekey, rx_full_records_queued_behind_key_update)
{
	const size_t total = 40 * MAX_PAYLOAD;
	uint8_t *want = plaintext(_metadata, total, 120), *got = malloc(total);
	ssize_t n;
	pid_t pid;

	ASSERT_NE(NULL, got);
	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE,
		 key_update[0], KU_LEN);
	dir_start(_metadata, &self->seal, &self->rx[1], true);
	wire_add_data(_metadata, &self->w, &self->seal, 120, total);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(-ktlso_write_all(self->peer, self->w.buf, self->w.len));
	}
	expect_key_update(_metadata, self->fd, key_update[0]);
	/* Let the peer fill what TCP will hold. */
	usleep(100000);
	expect_paused(_metadata, self->fd);
	ASSERT_EQ(0, rekey(_metadata, self->fd, TLS_RX, &self->rx[1]));
	n = recv(self->fd, got, total, MSG_WAITALL);
	reap_sender(_metadata, pid, n == (ssize_t)total);
	ASSERT_EQ((ssize_t)total, n) {
		TH_LOG("read %zd of %zu bytes: %s", n, total,
		       n < 0 ? strerror(errno) : "");
	}
	EXPECT_EQ(0, memcmp(want, got, total));
	free(got);
	free(want);
}

/*
 * Only a KeyUpdate pauses: another handshake message (a NewSessionTicket)
 * is delivered as before and the data after it opens with the same key.
 */
TEST_F(rekey, rx_other_handshake_message_does_not_pause)
{
	static const uint8_t nst[] = {
		HT_NEW_SESSION_TICKET, 0, 0, 13, 0, 0, 0, 60, 1, 2, 3, 4,
		0, 0, 1, 0xaa, 0, 0,
	};
	uint8_t buf[64], type = 0;

	wire_add(_metadata, &self->w, &self->seal, TYPE_HANDSHAKE, nst,
		 sizeof(nst));
	wire_add_data(_metadata, &self->w, &self->seal, 130, 400);
	wire_flush(_metadata, &self->w, self->peer);
	ASSERT_EQ((ssize_t)sizeof(nst), recv_typed(self->fd, buf, sizeof(buf),
						   &type));
	EXPECT_EQ(TYPE_HANDSHAKE, type);
	EXPECT_EQ(0, memcmp(nst, buf, sizeof(nst)));
	expect_data(_metadata, self->fd, 130, 400, "after a NewSessionTicket");
	EXPECT_COUNTERS(&self->before);
}

/* --- without the fixture -------------------------------------------------------- */

/*
 * TLS 1.2 has no key update: the second TLS_TX or TLS_RX is EBUSY, as it
 * always was (and upstream counts it as a failed rekey); the keys in
 * place keep working.
 */
TEST(tls12_second_set_is_ebusy)
{
	static const struct {
		uint16_t cipher, suite;
	} v[] = {
		{ TLS_CIPHER_AES_GCM_128, 0xc02f },
		{ TLS_CIPHER_AES_GCM_256, 0xc030 },
		{ TLS_CIPHER_CHACHA20_POLY1305, 0xcca8 },
		{ TLS_CIPHER_AES_CCM_128, 0xc0ac },
	};
	struct counters before = counters_now();
	bool counted = !testing_intree() || before.tx_err >= 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct tls_keys k0, k1;
		struct dir seal = {}, open = {};
		struct wire w = {};
		int fd, peer;

		keys_init_gen(&k0, TLS_1_2_VERSION, v[i].cipher, v[i].suite,
			      SEQ_START, 0);
		keys_init_gen(&k1, TLS_1_2_VERSION, v[i].cipher, v[i].suite,
			      0, 1);
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &peer, &fd));
		ASSERT_EQ(0, ulp_attach(fd, test_ulp()));
		ASSERT_EQ(0, keys_install(fd, TLS_TX, &k0));
		ASSERT_EQ(0, keys_install(fd, TLS_RX, &k0));
		set_rcvtimeo(fd, RCV_TIMEOUT_S);
		set_rcvtimeo(peer, RCV_TIMEOUT_S);
		EXPECT_EQ(-EBUSY, keys_install(fd, TLS_TX, &k1));
		EXPECT_EQ(-EBUSY, keys_install(fd, TLS_RX, &k1));
		EXPECT_EQ(-EBUSY, keys_install(fd, TLS_TX, &k0));

		dir_start(_metadata, &open, &k0, false);
		send_data(_metadata, fd, 140 + i, 300);
		expect_data_record(_metadata, peer, &open, 140 + i, 300,
				   "TLS 1.2, after EBUSY");
		dir_start(_metadata, &seal, &k0, true);
		wire_add_data(_metadata, &w, &seal, 150 + i, 300);
		wire_flush(_metadata, &w, peer);
		expect_data(_metadata, fd, 150 + i, 300, "TLS 1.2, after EBUSY");
		dir_clear(&seal);
		dir_clear(&open);
		free(w.buf);
		ktlso_close_now(fd);
		close(peer);
	}
	if (counted)
		EXPECT_COUNTERS(&before, .tx_err = 2 * ARRAY_SIZE(v),
				.rx_err = ARRAY_SIZE(v));
	else
		TH_LOG("%s has no rekey counters: not checked", stat_file());
}

/*
 * Every cipher the ULP takes for TLS 1.3, SM4 included (which the engine
 * lacks), from the ULP under test to itself: KeyUpdate, transmit rekey on
 * one end, the pause and the receive rekey on the other, data intact.
 * Ciphers the running kernel has no implementation of are passed over.
 */
TEST(every_tls13_cipher_end_to_end)
{
	unsigned int i, tried = 0;

	SKIP_WITHOUT_REKEY();
	for (i = 0; i < ARRAY_SIZE(ciphers); i++) {
		uint8_t out[3000], in[3000], type;
		struct tls_keys k0, k1;
		int a, b, err;

		if (ciphers[i].type == TLS_CIPHER_ARIA_GCM_128 ||
		    ciphers[i].type == TLS_CIPHER_ARIA_GCM_256)
			continue;	/* TLS 1.2 only */
		keys_init_gen(&k0, TLS_1_3_VERSION, ciphers[i].type, 0,
			      SEQ_START, 0);
		keys_init_gen(&k1, TLS_1_3_VERSION, ciphers[i].type, 0, 0, 1);
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &a, &b));
		ASSERT_EQ(0, ulp_attach(a, test_ulp()));
		ASSERT_EQ(0, ulp_attach(b, test_ulp()));
		err = keys_install(a, TLS_TX, &k0);
		if (err == -ENOENT) {
			TH_LOG("%s: not in this kernel", ciphers[i].name);
			ktlso_close_now(a);
			close(b);
			continue;
		}
		TH_LOG("%s", ciphers[i].name);
		ASSERT_EQ(0, err);
		ASSERT_EQ(0, keys_install(b, TLS_RX, &k0));
		set_rcvtimeo(b, RCV_TIMEOUT_S);

		ktlso_fill(out, sizeof(out), i);
		ASSERT_EQ(1000, send(a, out, 1000, 0));
		ASSERT_EQ(0, send_typed(a, TYPE_HANDSHAKE, key_update[0],
					KU_LEN));
		ASSERT_EQ(0, rekey(_metadata, a, TLS_TX, &k1));
		ASSERT_EQ(2000, send(a, out + 1000, 2000, 0));

		ASSERT_EQ(1000, recv(b, in, sizeof(in), MSG_WAITALL));
		ASSERT_EQ(KU_LEN, recv_typed(b, in + 1000, sizeof(in) - 1000,
					     &type));
		EXPECT_EQ(TYPE_HANDSHAKE, type);
		EXPECT_EQ(0, memcmp(key_update[0], in + 1000, KU_LEN));
		EXPECT_EQ(-EKEYEXPIRED, recv_err(b, in + 1000, 2000, 0));
		ASSERT_EQ(0, rekey(_metadata, b, TLS_RX, &k1));
		ASSERT_EQ(2000, recv(b, in + 1000, 2000, MSG_WAITALL));
		EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
		ktlso_close_now(a);
		close(b);
		tried++;
	}
	EXPECT_LE(4U, tried);
}

TEST_HARNESS_MAIN
