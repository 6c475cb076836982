/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the record-layer selftests (tls_tx.c, tls_rx.c): the cipher
 * table and crypto_info layout, deterministic keys, record arithmetic, the
 * socket under test ($KTLSO_TEST_ULP, "ktlso" when unset, so that the same
 * test run with KTLSO_TEST_ULP=tls checks itself against in-tree kTLS), a
 * sender child running scripted writes, and the engine's OpenSSL record
 * layer to seal and open records independently of any kernel.
 */
#ifndef KTLSO_TLS_COMMON_H
#define KTLSO_TLS_COMMON_H

#include <linux/tls.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>

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

static inline size_t crypto_info_len(const struct cipher_desc *c)
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

static inline const struct cipher_desc *cipher_find(uint16_t type)
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
struct tls_keys {
	const struct cipher_desc *c;
	uint16_t version;
	uint16_t suite;			/* engine cipher suite, 0: none */
	unsigned char ci[CRYPTO_INFO_BUF];
	socklen_t len;
};

static inline unsigned char *ci_iv(struct tls_keys *k)
{
	return k->ci + sizeof(struct tls_crypto_info);
}

static inline unsigned char *ci_key(struct tls_keys *k)
{
	return ci_iv(k) + k->c->iv_len;
}

static inline unsigned char *ci_salt(struct tls_keys *k)
{
	return ci_key(k) + k->c->key_len;
}

static inline unsigned char *ci_rec_seq(struct tls_keys *k)
{
	return ci_salt(k) + k->c->salt_len;
}

static inline void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static inline uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A fixed byte pattern: distinct per @seed, never all zero. */
static inline void key_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 37 + i * 11 + 1);
}

static inline bool is_tls13(const struct tls_keys *k)
{
	return k->version == TLS_1_3_VERSION;
}

/* Bytes of explicit nonce each record carries. */
static inline size_t explicit_nonce_len(const struct tls_keys *k)
{
	return !is_tls13(k) && k->c->explicit_nonce ? EXPLICIT_NONCE : 0;
}

/*
 * Deterministic keys for one version and cipher, first record @seq.  For
 * TLS 1.2 GCM/CCM the explicit nonce starts at @seq, as TLS stacks (and
 * the engine's record layer) make it: then every record's explicit nonce
 * equals its sequence number.
 */
static inline void keys_init(struct tls_keys *k, uint16_t version, uint16_t cipher,
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
static inline void keys_set_seq(struct tls_keys *k, uint64_t seq)
{
	if (explicit_nonce_len(k))
		put_be64(ci_iv(k), seq);
	put_be64(ci_rec_seq(k), seq);
}

/*
 * The keys of key generation @gen, for the rekey tests: generation 0 is
 * exactly what keys_init() makes; every later one has a key, salt and IV
 * of its own (as the keys after a TLS 1.3 KeyUpdate have, RFC 8446 7.2),
 * so that a record opens only under the generation that sealed it.  Its
 * first record is @seq (after a real KeyUpdate: 0).
 */
static inline void keys_init_gen(struct tls_keys *k, uint16_t version,
				 uint16_t cipher, uint16_t suite, uint64_t seq,
				 unsigned int gen)
{
	/*
	 * 300 apart: key_pattern() bytes of consecutive generations then
	 * differ by 300 * 37 mod 256 = 92, and repeat only after 64.
	 */
	unsigned int seed = cipher * 4 + (version & 0xf) + gen * 300;

	keys_init(k, version, cipher, suite, seq);
	if (!gen)
		return;
	key_pattern(ci_key(k), k->c->key_len, seed);
	key_pattern(ci_salt(k), k->c->salt_len, seed + 100);
	if (!explicit_nonce_len(k))
		key_pattern(ci_iv(k), k->c->iv_len, seed + 200);
}

/* --- record arithmetic ------------------------------------------------------- */

static inline size_t record_overhead(const struct tls_keys *k)
{
	return HDR_LEN + explicit_nonce_len(k) + (is_tls13(k) ? 1 : 0) + TAG_LEN;
}

/* Wire bytes for @len bytes of one content type written in one call. */
static inline size_t wire_len(const struct tls_keys *k, size_t len)
{
	size_t records = (len + MAX_PAYLOAD - 1) / MAX_PAYLOAD;

	return len + records * record_overhead(k);
}

/* --- the socket under test ------------------------------------------------ */

static inline const char *test_ulp(void)
{
	const char *s = getenv("KTLSO_TEST_ULP");

	return s && *s ? s : KTLSO_ULP_NAME;
}

static inline bool testing_intree(void)
{
	return strcmp(test_ulp(), "tls") == 0;
}

static inline int ulp_attach(int fd, const char *name)
{
	if (setsockopt(fd, SOL_TCP, TCP_ULP, name, strlen(name) + 1))
		return -errno;
	return 0;
}

static inline int keys_install(int fd, int opt, const struct tls_keys *k)
{
	if (setsockopt(fd, SOL_TLS, opt, k->ci, k->len))
		return -errno;
	return 0;
}

/* setsockopt(TLS_TX) with an arbitrary buffer and length; 0 or -errno. */
static inline int set_tx_raw(int fd, const void *buf, socklen_t len)
{
	if (setsockopt(fd, SOL_TLS, TLS_TX, buf, len))
		return -errno;
	return 0;
}

/* getsockopt(TLS_TX) into @buf with *@len in and out; 0 or -errno. */
static inline int get_tx_raw(int fd, void *buf, socklen_t *len)
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
static inline int intree_accepts(const struct tls_keys *k, bool *no_ulp)
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

/*
 * Does in-tree kTLS take a second TLS_TX of TLS 1.3 keys, the rekey of
 * Linux 6.14 on?  0 if it does; otherwise the -errno of the step that
 * failed: -EBUSY from the second TLS_TX on a kernel without rekey.
 */
static inline int intree_rekey_probe(void)
{
	struct tls_keys k0, k1;
	int cfd, sfd, err;

	keys_init_gen(&k0, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0, 0, 0);
	keys_init_gen(&k1, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0, 0, 1);
	err = ktlso_tcp_pair(AF_INET, &cfd, &sfd);
	if (err)
		return err;
	err = ulp_attach(cfd, "tls");
	if (!err)
		err = keys_install(cfd, TLS_TX, &k0);
	if (!err)
		err = keys_install(cfd, TLS_TX, &k1);
	ktlso_close_now(cfd);
	close(sfd);
	return err;
}

static inline void set_rcvtimeo(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Is nothing (more) readable on @fd within @ms? */
static inline bool nothing_readable(int fd, int ms)
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
	STEP_MORE,		/* one send() with MSG_MORE: the record stays open */
	STEP_SPLICE,		/* memfd -> pipe -> socket in SPLICE_CHUNK pieces */
	STEP_SPLICE_MORE,	/* the same, the last piece with SPLICE_F_MORE too */
	STEP_SENDFILE_AT,	/* sendfile() of a memfd's bytes at offset .off */
};

struct step {
	enum step_kind kind;
	size_t len;
	uint8_t type;		/* STEP_TYPED only */
	size_t off;		/* STEP_SENDFILE_AT only */
};

#define WRITE(n)	{ .kind = STEP_WRITE, .len = (n) }
#define IOV(n)		{ .kind = STEP_IOV, .len = (n) }
#define TYPED(t, n)	{ .kind = STEP_TYPED, .len = (n), .type = (t) }
#define SENDFILE(n)	{ .kind = STEP_SENDFILE, .len = (n) }
#define MORE(n)		{ .kind = STEP_MORE, .len = (n) }
#define SPLICE(n)	{ .kind = STEP_SPLICE, .len = (n) }
#define SPLICE_MORE(n)	{ .kind = STEP_SPLICE_MORE, .len = (n) }
#define SENDFILE_AT(n, o) { .kind = STEP_SENDFILE_AT, .len = (n), .off = (o) }

/*
 * Splice steps move this much per splice() into the socket: not a multiple
 * of the page size, so that records start and end inside pages and span
 * several calls.
 */
#define SPLICE_CHUNK	5000

static inline uint8_t step_type(const struct step *s)
{
	return s->kind == STEP_TYPED ? s->type : TYPE_DATA;
}

/* Does the step leave its record open for the next one? */
static inline bool step_more(const struct step *s)
{
	return s->kind == STEP_MORE || s->kind == STEP_SPLICE_MORE;
}

static inline size_t steps_plain_len(const struct step *steps, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += steps[i].len;
	return len;
}

/* One record a correct sender makes: its content type and length. */
struct rec_plan {
	uint8_t type;
	size_t len;
};

/*
 * The records @steps make, as in-tree kTLS cuts them: 2^14 bytes each, the
 * open record closed at the end of a step that promises nothing more and
 * before a step of another content type.  Returns a malloc'ed array of
 * *@count records (never empty: the caller frees it).
 */
static inline struct rec_plan *plan_records(const struct step *steps, size_t n,
					    size_t *count)
{
	size_t i, nr = 0, open = 0, cap = 1;
	struct rec_plan *plan;
	uint8_t type = TYPE_DATA;

	for (i = 0; i < n; i++)
		cap += steps[i].len / MAX_PAYLOAD + 2;
	plan = calloc(cap, sizeof(*plan));
	if (!plan)
		abort();
	for (i = 0; i < n; i++) {
		size_t left = steps[i].len;

		if (open && step_type(&steps[i]) != type) {
			plan[nr++] = (struct rec_plan){ type, open };
			open = 0;
		}
		type = step_type(&steps[i]);
		while (left) {
			size_t take = MAX_PAYLOAD - open;

			if (take > left)
				take = left;
			open += take;
			left -= take;
			if (open == MAX_PAYLOAD) {
				plan[nr++] = (struct rec_plan){ type, open };
				open = 0;
			}
		}
		if (open && !step_more(&steps[i])) {
			plan[nr++] = (struct rec_plan){ type, open };
			open = 0;
		}
	}
	*count = nr;
	return plan;
}

/* Wire length of the records @steps make. */
static inline size_t steps_wire_len(const struct tls_keys *k, const struct step *steps,
			     size_t n)
{
	size_t i, nr, len = 0;
	struct rec_plan *plan = plan_records(steps, n, &nr);

	for (i = 0; i < nr; i++)
		len += plan[i].len + record_overhead(k);
	free(plan);
	return len;
}

static inline int sendmsg_all(int fd, struct msghdr *msg, size_t len)
{
	ssize_t n = sendmsg(fd, msg, 0);

	if (n < 0)
		return -errno;
	/* A blocking sendmsg with no signal to interrupt it sends it all. */
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Split @len bytes over iovecs of uneven sizes, one of them empty. */
static inline int send_iov(int fd, const uint8_t *data, size_t len)
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

/* pwrite() all of @len bytes at @off; returns 0 or -errno. */
static inline int pwrite_all(int fd, const void *buf, size_t len, size_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0)
			return -errno;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* A memfd holding @len bytes of @data at offset @off; or -errno. */
static inline int memfd_with(const uint8_t *data, size_t len, size_t off)
{
	int mfd = memfd_create("tls_tx-file", 0), err;

	if (mfd < 0)
		return -errno;
	err = pwrite_all(mfd, data, len, off);
	if (err) {
		close(mfd);
		return err;
	}
	return mfd;
}

/* sendfile() @len bytes of @mfd from offset @off, all of them. */
static inline int sendfile_all(int fd, int mfd, size_t off, size_t len)
{
	off_t pos = off;

	while ((size_t)pos < off + len) {
		ssize_t n = sendfile(fd, mfd, &pos, off + len - pos);

		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
	}
	return 0;
}

static inline int send_file(int fd, const uint8_t *data, size_t len, size_t off)
{
	int mfd = memfd_with(data, len, off), err;

	if (mfd < 0)
		return mfd;
	err = sendfile_all(fd, mfd, off, len);
	close(mfd);
	return err;
}

/*
 * Splice @len bytes of a file into @fd through a pipe, SPLICE_CHUNK bytes
 * per splice() into the socket; each but the last says SPLICE_F_MORE, the
 * last too with @more.  The pages the socket gets are the file's own.
 */
static inline int send_splice(int fd, const uint8_t *data, size_t len, bool more)
{
	int mfd = memfd_with(data, len, 0), p[2], err = 0;
	loff_t in = 0;
	size_t done = 0;

	if (mfd < 0)
		return mfd;
	if (pipe(p)) {
		close(mfd);
		return -errno;
	}
	while (!err && done < len) {
		size_t chunk = len - done < SPLICE_CHUNK ? len - done : SPLICE_CHUNK;
		unsigned int flags = more || done + chunk < len ? SPLICE_F_MORE : 0;
		size_t moved = 0;
		ssize_t n;

		n = splice(mfd, &in, p[1], NULL, chunk, 0);
		if (n != (ssize_t)chunk) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		while (!err && moved < chunk) {
			n = splice(p[0], NULL, fd, NULL, chunk - moved, flags);
			if (n <= 0)
				err = n < 0 ? -errno : -EPIPE;
			else
				moved += n;
		}
		done += chunk;
	}
	close(p[0]);
	close(p[1]);
	close(mfd);
	return err;
}

static inline int send_step(int fd, const struct step *s, const uint8_t *data)
{
	ssize_t n;

	switch (s->kind) {
	case STEP_WRITE:
		return ktlso_write_all(fd, data, s->len);
	case STEP_IOV:
		return send_iov(fd, data, s->len);
	case STEP_TYPED:
		return send_typed(fd, s->type, data, s->len);
	case STEP_SENDFILE:
		return send_file(fd, data, s->len, 0);
	case STEP_SENDFILE_AT:
		return send_file(fd, data, s->len, s->off);
	case STEP_MORE:
		n = send(fd, data, s->len, MSG_MORE);
		if (n < 0)
			return -errno;
		return (size_t)n == s->len ? 0 : -EMSGSIZE;
	case STEP_SPLICE:
	case STEP_SPLICE_MORE:
		return send_splice(fd, data, s->len, s->kind == STEP_SPLICE_MORE);
	}
	return -EINVAL;
}

/*
 * Run @steps on @fd in a child, so that the parent can read while the child
 * blocks in send.  @data is the concatenated plaintext of all steps.  The
 * child exits with 0 or the errno of the step that failed, and dies with its
 * parent should the test abort.
 */
static inline pid_t spawn_sender(struct __test_metadata *_metadata, int fd,
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
static inline void reap_sender(struct __test_metadata *_metadata, pid_t pid,
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
static inline uint8_t *plaintext(struct __test_metadata *_metadata, size_t len,
			  unsigned int seed)
{
	uint8_t *p = malloc(len ? len : 1);

	ASSERT_NE(NULL, p);
	ktlso_fill(p, len, seed << 16);
	return p;
}

/* Run @steps on @tx and read exactly @wire raw bytes from @peer. */
static inline uint8_t *capture(struct __test_metadata *_metadata, int tx, int peer,
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

/*
 * Does in-tree kTLS keep a record open across a splice() with
 * SPLICE_F_MORE, as it does from Linux 6.5 on?  Before, its sendpage path
 * honours only MSG_SENDPAGE_NOTLAST: the last page of every splice call
 * (and of every pipe-full of a long sendfile()) ends its record.  ktlso
 * keeps MSG_MORE's meaning on every kernel, so only where this holds are
 * its spliced records byte for byte in-tree's.  Probed once.
 */
static inline bool intree_splice_keeps_more(void)
{
	static int keeps = -1;
	struct tls_keys k;
	int cfd, sfd, mfd, p[2];
	uint8_t ten[10] = { 0 }, hdr[HDR_LEN];
	loff_t off = 0;

	if (keeps >= 0)
		return keeps;
	keys_init(&k, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0, 0);
	keeps = 0;
	if (ktlso_tcp_pair(AF_INET, &cfd, &sfd))
		return keeps;
	mfd = memfd_with(ten, sizeof(ten), 0);
	if (mfd >= 0 && !pipe(p)) {
		if (!ulp_attach(cfd, "tls") && !keys_install(cfd, TLS_TX, &k) &&
		    splice(mfd, &off, p[1], NULL, sizeof(ten), 0) == sizeof(ten) &&
		    splice(p[0], NULL, cfd, NULL, sizeof(ten),
			   SPLICE_F_MORE) == sizeof(ten) &&
		    send(cfd, ten, 1, 0) == 1) {
			/* TCP may hold the bytes back (MSG_MORE): look at
			 * the first record, once the write pushed it.
			 */
			set_rcvtimeo(sfd, RCV_TIMEOUT_S);
			keeps = !ktlso_read_all(sfd, hdr, sizeof(hdr)) &&
				(size_t)(hdr[3] << 8 | hdr[4]) ==
				sizeof(ten) + 1 + record_overhead(&k) - HDR_LEN;
		}
		close(p[0]);
		close(p[1]);
	}
	if (mfd >= 0)
		close(mfd);
	ktlso_close_now(cfd);
	close(sfd);
	return keeps;
}

/* --- the engine's OpenSSL record layer -------------------------------------- */

static inline void engine_init(struct __test_metadata *_metadata, struct tls_keys *k,
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
static inline size_t open_record(struct __test_metadata *_metadata,
			  struct ktlso_record_protection *rp,
			  const struct tls_keys *k, const uint8_t *rec,
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
 * Check that @wire (@wire_total bytes) is exactly the records @steps make
 * (plan_records()): every record opens, in order, with the right content
 * type, length and content.
 */
static inline void check_records(struct __test_metadata *_metadata, struct tls_keys *k,
			  uint64_t seq, const struct step *steps, size_t n,
			  const uint8_t *data, const uint8_t *wire,
			  size_t wire_total)
{
	struct ktlso_record_protection rp;
	uint8_t *out = malloc(MAX_PAYLOAD + 256);
	size_t i, nr, off = 0, pos = 0;
	struct rec_plan *plan = plan_records(steps, n, &nr);

	ASSERT_NE(NULL, out);
	engine_init(_metadata, k, seq, false, &rp);
	for (i = 0; i < nr; i++) {
		size_t got;
		uint8_t type;

		pos += open_record(_metadata, &rp, k, wire + pos,
				   wire_total - pos, &type, out, &got);
		EXPECT_EQ(plan[i].type, type);
		ASSERT_EQ(plan[i].len, got) {
			TH_LOG("record %zu of %zu", i, nr);
		}
		EXPECT_EQ(0, memcmp(data + off, out, got)) {
			TH_LOG("record %zu: content differs", i);
		}
		off += got;
	}
	EXPECT_EQ(wire_total, pos);
	ktlso_record_clear(&rp);
	free(plan);
	free(out);
}

/* Seal @steps with the engine: the records any correct sender makes. */
static inline uint8_t *engine_seal(struct __test_metadata *_metadata, struct tls_keys *k,
			    uint64_t seq, const struct step *steps, size_t n,
			    const uint8_t *data, size_t wire_total)
{
	struct ktlso_record_protection rp;
	uint8_t *wire = malloc(wire_total);
	size_t i, nr, off = 0, pos = 0;
	struct rec_plan *plan = plan_records(steps, n, &nr);

	ASSERT_NE(NULL, wire);
	engine_init(_metadata, k, seq, true, &rp);
	for (i = 0; i < nr; i++) {
		size_t len;

		ASSERT_EQ(0, ktlso_record_seal(&rp, plan[i].type, data + off,
					       plan[i].len, 0, wire + pos,
					       wire_total - pos, &len));
		pos += len;
		off += plan[i].len;
	}
	ASSERT_EQ(wire_total, pos);
	ktlso_record_clear(&rp);
	free(plan);
	return wire;
}

/* memcmp that says where two captures first differ. */
static inline void expect_same_bytes(struct __test_metadata *_metadata,
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

/* --- threads racing on one socket ------------------------------------------ */

/*
 * race_run() gives several threads one fresh connection at a time and lets
 * each do a short burst of calls on it at once (one thread may close it
 * midway), for RACE_SECONDS.  A thread reports a call that failed with an
 * errno outside its list through race_check(); the first one is kept.
 */
#define RACE_SECONDS	2
#define RACE_MAX_FNS	8

struct race;
typedef void (*race_fn)(struct race *r, unsigned int *seed);

struct race {
	race_fn fns[RACE_MAX_FNS];
	unsigned int nr_fns;
	/* Makes a connection: the socket under test and its peer; 0 or -errno. */
	int (*connect)(struct race *r, int *fd, int *peer);
	struct tls_keys keys;
	const uint8_t *wire;	/* bytes a peer may send, test-specific */
	size_t wire_len;
	int fd;			/* this round's socket under test */
	int peer;
	int pipe[2];		/* non-blocking, for splice; made by the test */
	atomic_bool closed;	/* fd was closed by a racing thread */
	atomic_bool stop;
	pthread_barrier_t go, done;
	atomic_ulong calls;
	atomic_int bad_errno;
	const char *_Atomic bad_what;
	unsigned long rounds;
};

struct race_thread {
	struct race *r;
	race_fn fn;
	unsigned int seed;
};

static inline void *race_thread_main(void *arg)
{
	struct race_thread *t = arg;

	for (;;) {
		pthread_barrier_wait(&t->r->go);
		if (atomic_load(&t->r->stop))
			return NULL;
		t->fn(t->r, &t->seed);
		pthread_barrier_wait(&t->r->done);
	}
}

/*
 * Check one call's result: @ret < 0 with errno among the @nr_ok in @ok is
 * fine, as is success.  Anything else is remembered as the race's failure.
 */
static inline void race_check(struct race *r, const char *what, long ret,
			      const int *ok, size_t nr_ok)
{
	int err = errno, none = 0;
	size_t i;

	atomic_fetch_add(&r->calls, 1);
	if (ret >= 0)
		return;
	for (i = 0; i < nr_ok; i++)
		if (ok[i] == err)
			return;
	if (atomic_compare_exchange_strong(&r->bad_errno, &none, err))
		atomic_store(&r->bad_what, what);
}

#define RACE_CHECK(r, what, ret, ...) do {				\
	static const int __ok[] = { __VA_ARGS__ };			\
	race_check(r, what, ret, __ok, ARRAY_SIZE(__ok));		\
} while (0)

/* Close this round's socket, once, whoever gets there first. */
static inline void race_close(struct race *r)
{
	if (!atomic_exchange(&r->closed, true))
		close(r->fd);
}

/* Busy-wait up to @max_us microseconds, a random amount. */
static inline void race_delay(unsigned int *seed, unsigned int max_us)
{
	struct timespec a, b;
	long us = rand_r(seed) % (max_us + 1);

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L +
	       (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

/* Ops every race has: poll the socket, close it after a while. */
static inline void race_poll(struct race *r, unsigned int *seed)
{
	int i;

	for (i = 0; i < 50; i++) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN | POLLOUT };

		RACE_CHECK(r, "poll", poll(&p, 1, 0), EINTR);
	}
}

static inline void race_closer(struct race *r, unsigned int *seed)
{
	race_delay(seed, 1000);
	race_close(r);
}

/* Install, then read, the keys of @optname (TLS_TX or TLS_RX), late. */
static inline void race_keys(struct race *r, unsigned int *seed, int optname)
{
	uint8_t info[CRYPTO_INFO_BUF];
	socklen_t len = r->keys.len;

	race_delay(seed, 300);
	RACE_CHECK(r, optname == TLS_TX ? "setsockopt(TLS_TX)" :
					  "setsockopt(TLS_RX)",
		   setsockopt(r->fd, SOL_TLS, optname, r->keys.ci,
			      r->keys.len),
		   EBUSY, EBADF);
	RACE_CHECK(r, optname == TLS_TX ? "getsockopt(TLS_TX)" :
					  "getsockopt(TLS_RX)",
		   getsockopt(r->fd, SOL_TLS, optname, info, &len),
		   EBUSY, EBADF);
}

/* Run the race; every call's errno checked, no round may fail to start. */
static inline void race_run(struct __test_metadata *_metadata, struct race *r)
{
	struct race_thread t[RACE_MAX_FNS];
	pthread_t tid[RACE_MAX_FNS];
	struct timespec start, now;
	unsigned int i;
	int err = 0;

	ASSERT_LE(r->nr_fns, (unsigned int)RACE_MAX_FNS);
	ASSERT_EQ(0, pthread_barrier_init(&r->go, NULL, r->nr_fns + 1));
	ASSERT_EQ(0, pthread_barrier_init(&r->done, NULL, r->nr_fns + 1));
	for (i = 0; i < r->nr_fns; i++) {
		t[i] = (struct race_thread){ r, r->fns[i], 7919 * (i + 1) };
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, race_thread_main,
					    &t[i]));
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		err = r->connect(r, &r->fd, &r->peer);
		if (err)
			break;
		atomic_store(&r->closed, false);
		pthread_barrier_wait(&r->go);
		pthread_barrier_wait(&r->done);
		race_close(r);
		close(r->peer);
		r->rounds++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < RACE_SECONDS);
	atomic_store(&r->stop, true);
	pthread_barrier_wait(&r->go);
	for (i = 0; i < r->nr_fns; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&r->go);
	pthread_barrier_destroy(&r->done);
	ASSERT_EQ(0, err) {
		TH_LOG("connection %lu: %s", r->rounds, strerror(-err));
	}
	EXPECT_EQ(0, atomic_load(&r->bad_errno)) {
		TH_LOG("%s failed with %s", atomic_load(&r->bad_what),
		       strerror(atomic_load(&r->bad_errno)));
	}
	TH_LOG("%lu connections, %lu calls", r->rounds,
	       atomic_load(&r->calls));
}

#endif /* KTLSO_TLS_COMMON_H */
