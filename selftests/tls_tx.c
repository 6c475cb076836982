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
 */

#include <linux/tls.h>
#include <poll.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "ktlso_test.h"

#include "engine/record.h"
#include "engine/suite.h"

/*
 * Cipher numbers newer than some <linux/tls.h> copies (SM4: 6.0, ARIA:
 * 6.1).  Only the numbers are needed: the crypto_info layout is derived
 * from field sizes below.
 */
#ifndef TLS_CIPHER_SM4_GCM
#define TLS_CIPHER_SM4_GCM		55
#endif
#ifndef TLS_CIPHER_SM4_CCM
#define TLS_CIPHER_SM4_CCM		56
#endif
#ifndef TLS_CIPHER_ARIA_GCM_128
#define TLS_CIPHER_ARIA_GCM_128		57
#endif
#ifndef TLS_CIPHER_ARIA_GCM_256
#define TLS_CIPHER_ARIA_GCM_256		58
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define HDR_LEN		5		/* type, legacy_record_version, length */
#define TAG_LEN		16		/* every AEAD kTLS offers */
#define EXPLICIT_NONCE	8		/* TLS 1.2 GCM and CCM */
#define MAX_PAYLOAD	16384		/* 2^14 */
#define REC_SEQ_LEN	8
#define MAX_RECORD	(HDR_LEN + EXPLICIT_NONCE + MAX_PAYLOAD + 1 + TAG_LEN)

#define TYPE_ALERT	21
#define TYPE_HANDSHAKE	22
#define TYPE_DATA	23

/*
 * The first record's sequence number in most tests: not zero, and two
 * records away from a carry out of the low 32 bits, so that an
 * implementation that ignores rec_seq or counts in 32 bits is caught.
 */
#define SEQ_START	0x00000000fffffffeULL

#define RCV_TIMEOUT_S	10

/* --- ciphers and crypto_info ------------------------------------------------ */

/*
 * Every struct tls12_crypto_info_* is the 4-byte tls_crypto_info followed by
 * unsigned char arrays iv, key, salt, rec_seq, in that order: its layout
 * follows from the field sizes.
 */
struct cipher_desc {
	const char *name;
	uint16_t type;
	uint8_t iv_len;
	uint8_t key_len;
	uint8_t salt_len;
	/* TLS 1.2 records carry crypto_info.iv as an 8-byte explicit nonce */
	bool explicit_nonce;
};

static const struct cipher_desc ciphers[] = {
	{ "AES-GCM-128", TLS_CIPHER_AES_GCM_128, 8, 16, 4, true },
	{ "AES-GCM-256", TLS_CIPHER_AES_GCM_256, 8, 32, 4, true },
	{ "AES-CCM-128", TLS_CIPHER_AES_CCM_128, 8, 16, 4, true },
	{ "CHACHA20-POLY1305", TLS_CIPHER_CHACHA20_POLY1305, 12, 32, 0, false },
	{ "SM4-GCM", TLS_CIPHER_SM4_GCM, 8, 16, 4, true },
	{ "SM4-CCM", TLS_CIPHER_SM4_CCM, 8, 16, 4, true },
	{ "ARIA-GCM-128", TLS_CIPHER_ARIA_GCM_128, 8, 16, 4, true },
	{ "ARIA-GCM-256", TLS_CIPHER_ARIA_GCM_256, 8, 32, 4, true },
};

static size_t crypto_info_len(const struct cipher_desc *c)
{
	return sizeof(struct tls_crypto_info) + c->iv_len + c->key_len +
	       c->salt_len + REC_SEQ_LEN;
}

/* The derived layout must agree with the uapi header wherever it has one. */
_Static_assert(sizeof(struct tls12_crypto_info_aes_gcm_128) == 4 + 8 + 16 + 4 + 8,
	       "aes_gcm_128 layout");
_Static_assert(sizeof(struct tls12_crypto_info_aes_gcm_256) == 4 + 8 + 32 + 4 + 8,
	       "aes_gcm_256 layout");
_Static_assert(sizeof(struct tls12_crypto_info_aes_ccm_128) == 4 + 8 + 16 + 4 + 8,
	       "aes_ccm_128 layout");
_Static_assert(sizeof(struct tls12_crypto_info_chacha20_poly1305) == 4 + 12 + 32 + 0 + 8,
	       "chacha20_poly1305 layout");

static const struct cipher_desc *cipher_find(uint16_t type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (ciphers[i].type == type)
			return &ciphers[i];
	return NULL;
}

/* The largest crypto_info, with room for deliberately oversized options. */
#define CRYPTO_INFO_BUF	128

/* One direction's keys, as the TLS_TX / TLS_RX argument and its parts. */
struct tx_keys {
	const struct cipher_desc *c;
	uint16_t version;
	uint16_t suite;			/* engine cipher suite, 0: none */
	unsigned char ci[CRYPTO_INFO_BUF];
	socklen_t len;
};

static unsigned char *ci_iv(struct tx_keys *k)
{
	return k->ci + sizeof(struct tls_crypto_info);
}

static unsigned char *ci_key(struct tx_keys *k)
{
	return ci_iv(k) + k->c->iv_len;
}

static unsigned char *ci_salt(struct tx_keys *k)
{
	return ci_key(k) + k->c->key_len;
}

static unsigned char *ci_rec_seq(struct tx_keys *k)
{
	return ci_salt(k) + k->c->salt_len;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A fixed byte pattern: distinct per @seed, never all zero. */
static void key_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 37 + i * 11 + 1);
}

static bool is_tls13(const struct tx_keys *k)
{
	return k->version == TLS_1_3_VERSION;
}

/* Bytes of explicit nonce each record carries. */
static size_t explicit_nonce_len(const struct tx_keys *k)
{
	return !is_tls13(k) && k->c->explicit_nonce ? EXPLICIT_NONCE : 0;
}

/*
 * Deterministic keys for one version and cipher, first record @seq.  For
 * TLS 1.2 GCM/CCM the explicit nonce starts at @seq, as TLS stacks (and
 * the engine's record layer) make it: then every record's explicit nonce
 * equals its sequence number.
 */
static void keys_init(struct tx_keys *k, uint16_t version, uint16_t cipher,
		      uint16_t suite, uint64_t seq)
{
	unsigned int seed = cipher * 4 + (version & 0xf);

	memset(k, 0, sizeof(*k));
	k->c = cipher_find(cipher);
	k->version = version;
	k->suite = suite;
	k->len = crypto_info_len(k->c);
	((struct tls_crypto_info *)k->ci)->version = version;
	((struct tls_crypto_info *)k->ci)->cipher_type = cipher;
	key_pattern(ci_key(k), k->c->key_len, seed);
	key_pattern(ci_salt(k), k->c->salt_len, seed + 100);
	if (explicit_nonce_len(k))
		put_be64(ci_iv(k), seq);
	else
		key_pattern(ci_iv(k), k->c->iv_len, seed + 200);
	put_be64(ci_rec_seq(k), seq);
}

/* The sequence number and explicit nonce of the first record. */
static void keys_set_seq(struct tx_keys *k, uint64_t seq)
{
	if (explicit_nonce_len(k))
		put_be64(ci_iv(k), seq);
	put_be64(ci_rec_seq(k), seq);
}

/* --- record arithmetic ------------------------------------------------------- */

static size_t record_overhead(const struct tx_keys *k)
{
	return HDR_LEN + explicit_nonce_len(k) + (is_tls13(k) ? 1 : 0) + TAG_LEN;
}

/* Wire bytes for @len bytes of one content type written in one call. */
static size_t wire_len(const struct tx_keys *k, size_t len)
{
	size_t records = (len + MAX_PAYLOAD - 1) / MAX_PAYLOAD;

	return len + records * record_overhead(k);
}

/* --- the socket under test ------------------------------------------------ */

static const char *test_ulp(void)
{
	const char *s = getenv("KTLSO_TEST_ULP");

	return s && *s ? s : KTLSO_ULP_NAME;
}

static bool testing_intree(void)
{
	return strcmp(test_ulp(), "tls") == 0;
}

static int ulp_attach(int fd, const char *name)
{
	if (setsockopt(fd, SOL_TCP, TCP_ULP, name, strlen(name) + 1))
		return -errno;
	return 0;
}

static int keys_install(int fd, int opt, const struct tx_keys *k)
{
	if (setsockopt(fd, SOL_TLS, opt, k->ci, k->len))
		return -errno;
	return 0;
}

/* setsockopt(TLS_TX) with an arbitrary buffer and length; 0 or -errno. */
static int set_tx_raw(int fd, const void *buf, socklen_t len)
{
	if (setsockopt(fd, SOL_TLS, TLS_TX, buf, len))
		return -errno;
	return 0;
}

/* getsockopt(TLS_TX) into @buf with *@len in and out; 0 or -errno. */
static int get_tx_raw(int fd, void *buf, socklen_t *len)
{
	if (getsockopt(fd, SOL_TLS, TLS_TX, buf, len))
		return -errno;
	return 0;
}

/*
 * Does in-tree kTLS on this kernel take these keys for TX?  0, or the
 * -errno of the step that failed; *@no_ulp is set when it was attaching the
 * "tls" ULP itself.
 */
static int intree_accepts(const struct tx_keys *k, bool *no_ulp)
{
	int cfd, sfd, err;

	*no_ulp = false;
	err = ktlso_tcp_pair(AF_INET, &cfd, &sfd);
	if (err)
		return err;
	err = ulp_attach(cfd, "tls");
	if (err)
		*no_ulp = true;
	else
		err = keys_install(cfd, TLS_TX, k);
	ktlso_close_now(cfd);
	close(sfd);
	return err;
}

static void set_rcvtimeo(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Is nothing (more) readable on @fd within @ms? */
static bool nothing_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

/* --- what the sender does: steps run in a child, read by the parent -------- */

enum step_kind {
	STEP_WRITE,		/* one write() */
	STEP_IOV,		/* one sendmsg() over many iovecs */
	STEP_TYPED,		/* one sendmsg() with a TLS_SET_RECORD_TYPE cmsg */
	STEP_SENDFILE,		/* sendfile() from a memfd */
};

struct step {
	enum step_kind kind;
	size_t len;
	uint8_t type;		/* STEP_TYPED only */
};

#define WRITE(n)	{ .kind = STEP_WRITE, .len = (n) }
#define IOV(n)		{ .kind = STEP_IOV, .len = (n) }
#define TYPED(t, n)	{ .kind = STEP_TYPED, .len = (n), .type = (t) }
#define SENDFILE(n)	{ .kind = STEP_SENDFILE, .len = (n) }

static uint8_t step_type(const struct step *s)
{
	return s->kind == STEP_TYPED ? s->type : TYPE_DATA;
}

static size_t steps_plain_len(const struct step *steps, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += steps[i].len;
	return len;
}

/* Wire length of steps whose record boundaries follow from the writes. */
static size_t steps_wire_len(const struct tx_keys *k, const struct step *steps,
			     size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += wire_len(k, steps[i].len);
	return len;
}

static int sendmsg_all(int fd, struct msghdr *msg, size_t len)
{
	ssize_t n = sendmsg(fd, msg, 0);

	if (n < 0)
		return -errno;
	/* A blocking sendmsg with no signal to interrupt it sends it all. */
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Split @len bytes over iovecs of uneven sizes, one of them empty. */
static int send_iov(int fd, const uint8_t *data, size_t len)
{
	static const size_t pieces[] = { 1, 7, 0, 4096, 16384, 3000, 12345 };
	struct iovec iov[64];
	struct msghdr msg = { .msg_iov = iov };
	size_t off = 0, i = 0;

	while (off < len) {
		size_t n = pieces[i % ARRAY_SIZE(pieces)];

		if (i == ARRAY_SIZE(iov))
			return -E2BIG;
		if (n > len - off)
			n = len - off;
		iov[i].iov_base = (void *)(data + off);
		iov[i].iov_len = n;
		off += n;
		i++;
	}
	msg.msg_iovlen = i;
	return sendmsg_all(fd, &msg, len);
}

/* One sendmsg() whose record carries content type @type. */
static int send_typed(int fd, uint8_t type, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cmsg) = type;
	n = sendmsg(fd, &msg, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

static int send_file(int fd, const uint8_t *data, size_t len)
{
	int mfd = memfd_create("tls_tx-sendfile", 0), err;
	off_t off = 0;

	if (mfd < 0)
		return -errno;
	err = ktlso_write_all(mfd, data, len);
	while (!err && (size_t)off < len) {
		ssize_t n = sendfile(fd, mfd, &off, len - off);

		if (n <= 0)
			err = n < 0 ? -errno : -EPIPE;
	}
	close(mfd);
	return err;
}

static int send_step(int fd, const struct step *s, const uint8_t *data)
{
	switch (s->kind) {
	case STEP_WRITE:
		return ktlso_write_all(fd, data, s->len);
	case STEP_IOV:
		return send_iov(fd, data, s->len);
	case STEP_TYPED:
		return send_typed(fd, s->type, data, s->len);
	case STEP_SENDFILE:
		return send_file(fd, data, s->len);
	}
	return -EINVAL;
}

/*
 * Run @steps on @fd in a child, so that the parent can read while the child
 * blocks in send.  @data is the concatenated plaintext of all steps.  The
 * child exits with 0 or the errno of the step that failed, and dies with its
 * parent should the test abort.
 */
static pid_t spawn_sender(struct __test_metadata *_metadata, int fd,
			  const struct step *steps, size_t n, const uint8_t *data)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t i, off = 0;
		int err = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (i = 0; i < n && !err; i++) {
			err = send_step(fd, &steps[i], data + off);
			off += steps[i].len;
		}
		_exit(err ? -err : 0);
	}
	return pid;
}

/*
 * Wait for the sender; if the reader gave up (@reader_ok false) the sender
 * may be blocked for good in send, so stop it first.
 */
static void reap_sender(struct __test_metadata *_metadata, pid_t pid,
			bool reader_ok)
{
	int status;

	if (!reader_ok)
		kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (!reader_ok)
		return;
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("sender failed: %s", strerror(WEXITSTATUS(status)));
	}
}

/* Plaintext for @len bytes of steps, different for every @seed. */
static uint8_t *plaintext(struct __test_metadata *_metadata, size_t len,
			  unsigned int seed)
{
	uint8_t *p = malloc(len ? len : 1);

	ASSERT_NE(NULL, p);
	ktlso_fill(p, len, seed << 16);
	return p;
}

/* Run @steps on @tx and read exactly @wire raw bytes from @peer. */
static uint8_t *capture(struct __test_metadata *_metadata, int tx, int peer,
			const struct step *steps, size_t n, const uint8_t *data,
			size_t wire)
{
	uint8_t *buf = malloc(wire + 1);
	pid_t pid;
	int err;

	ASSERT_NE(NULL, buf);
	pid = spawn_sender(_metadata, tx, steps, n, data);
	err = ktlso_read_all(peer, buf, wire);
	reap_sender(_metadata, pid, !err);
	ASSERT_EQ(0, err) {
		TH_LOG("reading %zu wire bytes: %s", wire, strerror(-err));
	}
	/* The computed length is all there is. */
	EXPECT_TRUE(nothing_readable(peer, 100));
	return buf;
}

/* --- the engine's OpenSSL record layer -------------------------------------- */

static void engine_init(struct __test_metadata *_metadata, struct tx_keys *k,
			uint64_t seq, bool encrypt,
			struct ktlso_record_protection *rp)
{
	struct ktlso_traffic_keys tk = { .key_len = k->c->key_len };

	memcpy(tk.key, ci_key(k), k->c->key_len);
	if (explicit_nonce_len(k)) {
		/* TLS 1.2 GCM/CCM: the implicit part; the rest is on the wire. */
		memcpy(tk.iv, ci_salt(k), k->c->salt_len);
		tk.iv_len = k->c->salt_len;
	} else {
		/* TLS 1.3 and ChaCha20: the whole static IV, salt first. */
		memcpy(tk.iv, ci_salt(k), k->c->salt_len);
		memcpy(tk.iv + k->c->salt_len, ci_iv(k), k->c->iv_len);
		tk.iv_len = k->c->salt_len + k->c->iv_len;
	}
	ASSERT_EQ(0, ktlso_record_init(rp, k->version, k->suite, &tk, seq,
				       encrypt));
}

/* The engine cannot open this cipher: SKIP from a test body. */
#define SKIP_WITHOUT_ENGINE(k) do {					\
	if (!(k)->suite)						\
		SKIP(return, "the engine has no %s record layer",	\
		     (k)->c->name);					\
} while (0)

/*
 * Open one record at @rec (at most @avail bytes there) with the engine and
 * check its header: legacy_record_version 0x0303, and an outer type that is
 * the content type (TLS 1.2) or application_data (TLS 1.3).  Returns the
 * record's length; its content is at @out, *@out_len bytes, of content type
 * *@got_type.
 */
static size_t open_record(struct __test_metadata *_metadata,
			  struct ktlso_record_protection *rp,
			  const struct tx_keys *k, const uint8_t *rec,
			  size_t avail, uint8_t *got_type, uint8_t *out,
			  size_t *out_len)
{
	size_t len;

	ASSERT_GE(avail, (size_t)HDR_LEN);
	len = HDR_LEN + ((size_t)rec[3] << 8 | rec[4]);
	ASSERT_LE(len, avail);
	EXPECT_EQ(0x03, rec[1]);
	EXPECT_EQ(0x03, rec[2]);
	if (is_tls13(k))
		EXPECT_EQ(TYPE_DATA, rec[0]);
	ASSERT_EQ(0, ktlso_record_open(rp, rec, len, got_type, out,
				       MAX_PAYLOAD + 256, out_len)) {
		TH_LOG("record of %zu bytes does not open", len);
	}
	if (!is_tls13(k))
		EXPECT_EQ(rec[0], *got_type);
	return len;
}

/*
 * Check that @wire (@wire_total bytes) is exactly the records @steps make:
 * every record opens, in order, with the right content type and content;
 * a step's content is split into records of 2^14 bytes and a remainder.
 */
static void check_records(struct __test_metadata *_metadata, struct tx_keys *k,
			  uint64_t seq, const struct step *steps, size_t n,
			  const uint8_t *data, const uint8_t *wire,
			  size_t wire_total)
{
	struct ktlso_record_protection rp;
	uint8_t *out = malloc(MAX_PAYLOAD + 256);
	size_t i, off = 0, pos = 0;

	ASSERT_NE(NULL, out);
	engine_init(_metadata, k, seq, false, &rp);
	for (i = 0; i < n; i++) {
		size_t done = 0;

		while (done < steps[i].len) {
			size_t want = steps[i].len - done, got;
			uint8_t type;

			if (want > MAX_PAYLOAD)
				want = MAX_PAYLOAD;
			pos += open_record(_metadata, &rp, k, wire + pos,
					   wire_total - pos, &type, out, &got);
			EXPECT_EQ(step_type(&steps[i]), type);
			ASSERT_EQ(want, got);
			EXPECT_EQ(0, memcmp(data + off + done, out, got)) {
				TH_LOG("step %zu: record content differs", i);
			}
			done += got;
		}
		off += steps[i].len;
	}
	EXPECT_EQ(wire_total, pos);
	ktlso_record_clear(&rp);
	free(out);
}

/* Seal @steps with the engine: the records any correct sender makes. */
static uint8_t *engine_seal(struct __test_metadata *_metadata, struct tx_keys *k,
			    uint64_t seq, const struct step *steps, size_t n,
			    const uint8_t *data, size_t wire_total)
{
	struct ktlso_record_protection rp;
	uint8_t *wire = malloc(wire_total);
	size_t i, off = 0, pos = 0;

	ASSERT_NE(NULL, wire);
	engine_init(_metadata, k, seq, true, &rp);
	for (i = 0; i < n; i++) {
		size_t done = 0;

		while (done < steps[i].len) {
			size_t chunk = steps[i].len - done, len;

			if (chunk > MAX_PAYLOAD)
				chunk = MAX_PAYLOAD;
			ASSERT_EQ(0, ktlso_record_seal(&rp, step_type(&steps[i]),
						       data + off + done, chunk,
						       0, wire + pos,
						       wire_total - pos, &len));
			pos += len;
			done += chunk;
		}
		off += steps[i].len;
	}
	ASSERT_EQ(wire_total, pos);
	ktlso_record_clear(&rp);
	return wire;
}

/* memcmp that says where two captures first differ. */
static void expect_same_bytes(struct __test_metadata *_metadata,
			      const char *what, const uint8_t *a,
			      const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len && a[i] == b[i]; i++)
		;
	EXPECT_EQ(len, i) {
		TH_LOG("%s: first difference at byte %zu of %zu", what, i, len);
	}
}

/* recvmsg() of one record's worth on an in-tree RX socket, with its type. */
static ssize_t recv_typed(int fd, void *buf, size_t cap, uint8_t *type)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))];
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0)
		return -errno;
	*type = 0;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_TLS &&
		    cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(cmsg);
	return n;
}

/* --- the fixture: one loopback connection per version x cipher ------------- */

FIXTURE(tls_tx)
{
	int tx;			/* the ULP under test, keys set by the test */
	int peer;		/* plain TCP until a test attaches in-tree RX */
	struct tx_keys keys;	/* first record SEQ_START */
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
	if (self->tx >= 0)
		ktlso_close_now(self->tx);
	if (self->peer >= 0)
		close(self->peer);
}

static void install_tx(struct __test_metadata *_metadata, int fd,
		       struct tx_keys *k)
{
	ASSERT_EQ(0, keys_install(fd, TLS_TX, k)) {
		TH_LOG("%s TLS_TX %s: %s", test_ulp(), k->c->name,
		       strerror(errno));
	}
}

/* Make @fd an in-tree kTLS receiver of what @k seals. */
static void install_intree_rx(struct __test_metadata *_metadata, int fd,
			      struct tx_keys *k)
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
	size_t n = ARRAY_SIZE(steps), len = steps_plain_len(steps, n);
	size_t wire = steps_wire_len(&self->keys, steps, n);
	uint8_t *data = plaintext(_metadata, len, 20);
	uint8_t *ours, *theirs;
	int cfd, sfd;

	/* The reference connection: in-tree kTLS TX, the same keys. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ulp_attach(cfd, "tls"));
	install_tx(_metadata, cfd, &self->keys);
	set_rcvtimeo(sfd, RCV_TIMEOUT_S);
	install_tx(_metadata, self->tx, &self->keys);

	ours = capture(_metadata, self->tx, self->peer, steps, n, data, wire);
	theirs = capture(_metadata, cfd, sfd, steps, n, data, wire);
	expect_same_bytes(_metadata, "in-tree kTLS vs ULP under test",
			  theirs, ours, wire);
	if (self->keys.suite) {
		uint8_t *ref = engine_seal(_metadata, &self->keys, SEQ_START,
					   steps, n, data, wire);

		expect_same_bytes(_metadata, "engine vs ULP under test",
				  ref, ours, wire);
		free(ref);
	}
	ktlso_close_now(cfd);
	close(sfd);
	free(ours);
	free(theirs);
	free(data);
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

TEST_F(tls_tx, engine_opens_sendfile)
{
	const struct step s = SENDFILE(64 * 1024);
	struct ktlso_record_protection rp;
	uint8_t *data, *rec, *out;
	size_t done = 0;
	pid_t pid;

	SKIP_WITHOUT_ENGINE(&self->keys);
	data = plaintext(_metadata, s.len, 31);
	rec = malloc(MAX_RECORD);
	out = malloc(MAX_PAYLOAD + 256);
	ASSERT_NE(NULL, rec);
	ASSERT_NE(NULL, out);
	install_tx(_metadata, self->tx, &self->keys);
	engine_init(_metadata, &self->keys, SEQ_START, false, &rp);
	pid = spawn_sender(_metadata, self->tx, &s, 1, data);
	/* Record boundaries are the sender's choice here: read record by record. */
	while (done < s.len) {
		size_t body, got;
		uint8_t type;

		ASSERT_EQ(0, ktlso_read_all(self->peer, rec, HDR_LEN));
		body = (size_t)rec[3] << 8 | rec[4];
		ASSERT_LE(HDR_LEN + body, (size_t)MAX_RECORD);
		ASSERT_EQ(0, ktlso_read_all(self->peer, rec + HDR_LEN, body));
		open_record(_metadata, &rp, &self->keys, rec, HDR_LEN + body,
			    &type, out, &got);
		EXPECT_EQ(TYPE_DATA, type);
		ASSERT_GT(got, (size_t)0);
		ASSERT_LE(got, s.len - done);
		ASSERT_EQ(0, memcmp(data + done, out, got)) {
			TH_LOG("record at plaintext offset %zu differs", done);
		}
		done += got;
	}
	reap_sender(_metadata, pid, true);
	EXPECT_TRUE(nothing_readable(self->peer, 100));
	ktlso_record_clear(&rp);
	free(rec);
	free(out);
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
	struct tx_keys k = self->keys;
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
	struct tx_keys k = self->keys;
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
				   struct tx_keys *k, int tx, int peer,
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
	struct tx_keys other = self->keys;
	uint8_t *buf;

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
	struct tx_keys got = self->keys;
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
	struct tx_keys bad = self->keys;
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
	struct tx_keys k;
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

TEST(unavailable_cipher_refused_like_intree)
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
	struct tx_keys k;
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
	struct tx_keys k = self->keys;
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
	struct tx_keys keys;
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

TEST_HARNESS_MAIN
