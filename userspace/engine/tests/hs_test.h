/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support for the handshake engine: an engine client and an engine
 * server joined by two in-memory byte pipes, stepped alternately (both
 * sides are non-blocking: an empty pipe reads as EAGAIN), a PKI made once
 * per test program, and helpers to check what the two sides exported.
 *
 * Test programs are single translation units; everything here is static.
 */
#ifndef KTLSO_ENGINE_TESTS_HS_TEST_H
#define KTLSO_ENGINE_TESTS_HS_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/tls.h>

#include "engine/alert.h"
#include "engine/crypto_info.h"
#include "engine/engine.h"
#include "engine/pki.h"
#include "engine/record.h"
#include "pki_test.h"
#include "vector_file.h"

/* --- pipes ---------------------------------------------------------------- */

struct pipe {
	uint8_t *buf;
	size_t len, off, cap;
	size_t max_read;	/* 0: any; else at most this per read() */
	bool stall;		/* every other read() is EAGAIN */
	bool stalled;
	bool eof;		/* reads 0 once empty */
	size_t max_write;	/* 0: any; else at most this per write() */
	bool wstall;		/* every other write() is EAGAIN */
	bool wstalled;
};

static inline void pipe_push(struct pipe *p, const void *data, size_t len)
{
	if (p->len + len > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;

		while (cap < p->len + len)
			cap *= 2;
		p->buf = realloc(p->buf, cap);
		if (!p->buf)
			abort();
		p->cap = cap;
	}
	memcpy(p->buf + p->len, data, len);
	p->len += len;
}

static inline size_t pipe_pending(const struct pipe *p)
{
	return p->len - p->off;
}

static inline const uint8_t *pipe_data(const struct pipe *p)
{
	return p->buf + p->off;
}

static inline void pipe_consume(struct pipe *p, size_t n)
{
	p->off += n;
}

/* Put @data in front of what is pending. */
static inline void pipe_prepend(struct pipe *p, const void *data, size_t len)
{
	size_t pending = pipe_pending(p);
	uint8_t *tmp = malloc(pending + len);

	if (!tmp)
		abort();
	memcpy(tmp, data, len);
	memcpy(tmp + len, pipe_data(p), pending);
	p->len = p->off = 0;
	pipe_push(p, tmp, pending + len);
	free(tmp);
}

static inline void pipe_free(struct pipe *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* One end: reads one pipe, writes the other. */
struct pipe_end {
	struct pipe *in, *out;
};

static inline ssize_t pipe_read(void *ctx, void *buf, size_t len)
{
	struct pipe_end *e = ctx;
	struct pipe *p = e->in;
	size_t n = pipe_pending(p);

	if (p->stall && (p->stalled = !p->stalled)) {
		errno = EAGAIN;
		return -1;
	}
	if (n == 0) {
		if (p->eof)
			return 0;
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	if (p->max_read && n > p->max_read)
		n = p->max_read;
	memcpy(buf, pipe_data(p), n);
	pipe_consume(p, n);
	return (ssize_t)n;
}

static inline ssize_t pipe_write(void *ctx, const void *buf, size_t len)
{
	struct pipe_end *e = ctx;
	struct pipe *p = e->out;

	if (p->wstall && (p->wstalled = !p->wstalled)) {
		errno = EAGAIN;
		return -1;
	}
	if (p->max_write && len > p->max_write)
		len = p->max_write;
	pipe_push(p, buf, len);
	return (ssize_t)len;
}

/* Content types of the records pending in @p, into @types (at most @max). */
static inline size_t pipe_record_types(const struct pipe *p, uint8_t *types,
				       size_t max)
{
	const uint8_t *d = pipe_data(p);
	size_t left = pipe_pending(p), n = 0, len;

	while (left >= 5 && n < max) {
		len = (size_t)d[3] << 8 | d[4];
		if (left < 5 + len)
			break;
		types[n++] = d[0];
		d += 5 + len;
		left -= 5 + len;
	}
	return n;
}

/* --- logs ----------------------------------------------------------------- */

struct test_log {
	char last_error[512];
	int errors;
	char last_warning[512];
	int warnings;
	char all[4096];			/* every line, as long as room lasts */
};

static inline void test_log_cb(void *arg, enum ktlso_log_level level,
			       const char *msg)
{
	struct test_log *l = arg;
	size_t used = strlen(l->all);

	if (getenv("KTLSO_TEST_VERBOSE"))
		fprintf(stderr, "  [log %d] %s\n", level, msg);
	snprintf(l->all + used, sizeof(l->all) - used, "%s\n", msg);
	if (level == KTLSO_LOG_ERROR) {
		snprintf(l->last_error, sizeof(l->last_error), "%s", msg);
		l->errors++;
	}
	if (level == KTLSO_LOG_WARNING) {
		snprintf(l->last_warning, sizeof(l->last_warning), "%s", msg);
		l->warnings++;
	}
}

/* --- the PKI, made once per program, before the tests fork ---------------- */

enum { SRV_RSA, SRV_P256, SRV_P384, SRV_ED25519, SRV_KEY_TYPES };

#define PATH_LEN 128

struct test_files {
	struct test_pki pki;
	char other_root[PATH_LEN];	/* a root that signed nothing here */
	char srv_cert[SRV_KEY_TYPES][PATH_LEN], srv_key[SRV_KEY_TYPES][PATH_LEN];
	char other_cert[PATH_LEN], other_key[PATH_LEN];	/* other.example */
	char expired_cert[PATH_LEN], expired_key[PATH_LEN];
	char client_cert[PATH_LEN], client_key[PATH_LEN];
	char client_rsa_cert[PATH_LEN], client_rsa_key[PATH_LEN];
};

static struct test_files test_files;

static inline int test_leaf_files(const struct test_cert_spec *spec,
				  enum test_key_type type, const char *name,
				  char *cert, char *key)
{
	return test_pki_leaf_files(&test_files.pki, spec, type, name, cert,
				   key, PATH_LEN);
}

static inline int test_files_make(void)
{
	static const enum test_key_type types[SRV_KEY_TYPES] = {
		TEST_KEY_RSA2048, TEST_KEY_P256, TEST_KEY_P384, TEST_KEY_ED25519,
	};
	static const char *const names[SRV_KEY_TYPES] = {
		"srv-rsa", "srv-p256", "srv-p384", "srv-ed25519",
	};
	const struct test_cert_spec srv = {
		.cn = "server.example", .san = "DNS:server.example",
		.eku = "serverAuth",
	};
	const struct test_cert_spec other = {
		.cn = "other.example", .san = "DNS:other.example",
		.eku = "serverAuth",
	};
	const struct test_cert_spec expired = {
		.cn = "server.example", .san = "DNS:server.example",
		.eku = "serverAuth", .not_before = -10 * TEST_DAY,
		.not_after = -TEST_DAY,
	};
	const struct test_cert_spec client = {
		.cn = "client.example", .eku = "clientAuth",
	};
	const struct test_cert_spec other_ca = {
		.cn = "unrelated root", .ca = true,
	};
	struct test_files *f = &test_files;
	EVP_PKEY *k;
	X509 *x;
	int i, ret;

	if (test_pki_init(&f->pki))
		return -1;
	for (i = 0; i < SRV_KEY_TYPES; i++)
		if (test_leaf_files(&srv, types[i], names[i], f->srv_cert[i],
				    f->srv_key[i]))
			return -1;
	if (test_leaf_files(&other, TEST_KEY_ED25519, "other", f->other_cert,
			    f->other_key) ||
	    test_leaf_files(&expired, TEST_KEY_P256, "expired",
			    f->expired_cert, f->expired_key) ||
	    test_leaf_files(&client, TEST_KEY_P256, "client", f->client_cert,
			    f->client_key) ||
	    test_leaf_files(&client, TEST_KEY_RSA2048, "client-rsa",
			    f->client_rsa_cert, f->client_rsa_key))
		return -1;
	k = test_key_new(TEST_KEY_P256);
	x = k ? test_cert_new(&other_ca, k, NULL, NULL) : NULL;
	test_pki_path(&f->pki, "other-root.pem", f->other_root,
		      sizeof(f->other_root));
	ret = x ? test_write_certs(f->other_root, &x, 1) : -1;
	X509_free(x);
	EVP_PKEY_free(k);
	return ret;
}

static void __attribute__((constructor)) test_files_init(void)
{
	if (test_files_make()) {
		fprintf(stderr, "cannot make the test PKI\n");
		exit(1);
	}
}

/* Test children end with _exit(): only the harness's process gets here. */
static void __attribute__((destructor)) test_files_fini(void)
{
	test_pki_free(&test_files.pki);
}

/* --- crypto_info ---------------------------------------------------------- */

/*
 * Keys and next sequence number back out of a crypto_info. The IV comes
 * back as salt || iv: for TLS 1.2 AES-GCM/CCM that is the 4-byte salt and
 * the next explicit nonce (ci_record() keeps the salt only).
 */
static inline int ci_keys(const union ktlso_crypto_info *ci,
			  struct ktlso_traffic_keys *keys, uint64_t *seq)
{
	const unsigned char *key, *salt, *iv, *rec_seq;
	size_t key_len, salt_len, iv_len;
	int i;

	memset(keys, 0, sizeof(*keys));
	switch (ci->info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		key = ci->aes_gcm_128.key;
		key_len = sizeof(ci->aes_gcm_128.key);
		salt = ci->aes_gcm_128.salt;
		salt_len = sizeof(ci->aes_gcm_128.salt);
		iv = ci->aes_gcm_128.iv;
		iv_len = sizeof(ci->aes_gcm_128.iv);
		rec_seq = ci->aes_gcm_128.rec_seq;
		break;
	case TLS_CIPHER_AES_GCM_256:
		key = ci->aes_gcm_256.key;
		key_len = sizeof(ci->aes_gcm_256.key);
		salt = ci->aes_gcm_256.salt;
		salt_len = sizeof(ci->aes_gcm_256.salt);
		iv = ci->aes_gcm_256.iv;
		iv_len = sizeof(ci->aes_gcm_256.iv);
		rec_seq = ci->aes_gcm_256.rec_seq;
		break;
	case TLS_CIPHER_CHACHA20_POLY1305:
		key = ci->chacha20_poly1305.key;
		key_len = sizeof(ci->chacha20_poly1305.key);
		salt = ci->chacha20_poly1305.salt;
		salt_len = sizeof(ci->chacha20_poly1305.salt);
		iv = ci->chacha20_poly1305.iv;
		iv_len = sizeof(ci->chacha20_poly1305.iv);
		rec_seq = ci->chacha20_poly1305.rec_seq;
		break;
	case TLS_CIPHER_AES_CCM_128:
		key = ci->aes_ccm_128.key;
		key_len = sizeof(ci->aes_ccm_128.key);
		salt = ci->aes_ccm_128.salt;
		salt_len = sizeof(ci->aes_ccm_128.salt);
		iv = ci->aes_ccm_128.iv;
		iv_len = sizeof(ci->aes_ccm_128.iv);
		rec_seq = ci->aes_ccm_128.rec_seq;
		break;
	default:
		return -1;
	}
	memcpy(keys->key, key, key_len);
	keys->key_len = (uint8_t)key_len;
	memcpy(keys->iv, salt, salt_len);
	memcpy(keys->iv + salt_len, iv, iv_len);
	keys->iv_len = (uint8_t)(salt_len + iv_len);
	*seq = 0;
	for (i = 0; i < 8; i++)
		*seq = *seq << 8 | rec_seq[i];
	return 0;
}

/*
 * Record protection from a crypto_info, as the kernel would set it up,
 * for the version the crypto_info names.
 */
static inline int ci_record(const union ktlso_crypto_info *ci, uint16_t suite,
			    bool encrypt, struct ktlso_record_protection *rp)
{
	const struct ktlso_suite *s = ktlso_suite_find(suite);
	const struct ktlso_aead_info *aead = s ? ktlso_aead_info(s->aead) : NULL;
	uint16_t version = ci->info.version;
	struct ktlso_traffic_keys keys;
	uint64_t seq;
	int ret = aead ? ci_keys(ci, &keys, &seq) : -1;

	if (ret == 0 && version == KTLSO_TLS12_VERSION)
		keys.iv_len = aead->tls12_fixed_iv_len;
	if (ret == 0)
		ret = ktlso_record_init(rp, version, suite, &keys, seq, encrypt);
	ktlso_traffic_keys_clear(&keys);
	return ret;
}

/* --- a client and a server ------------------------------------------------ */

struct hs_pair {
	struct ktlso_config ccfg, scfg;
	struct ktlso_trust trust, other_trust;
	struct ktlso_cred srv[SRV_KEY_TYPES], other, expired, client;
	struct ktlso_cred client_rsa;
	struct pipe c2s, s2c;
	struct pipe_end cend, send;
	struct ktlso_session *c, *s;
	struct test_log clog, slog;
	int rc, rs;			/* the last handshake returns */
	double c_ms, s_ms;		/* each side's steps, thread CPU ms */
};

static inline int hs_pair_load(struct hs_pair *p)
{
	struct test_files *f = &test_files;
	char err[256];
	int i;

	for (i = 0; i < SRV_KEY_TYPES; i++)
		if (ktlso_cred_load(&p->srv[i], f->srv_cert[i], f->srv_key[i],
				    err, sizeof(err)))
			goto fail;
	if (ktlso_cred_load(&p->other, f->other_cert, f->other_key, err,
			    sizeof(err)) ||
	    ktlso_cred_load(&p->expired, f->expired_cert, f->expired_key, err,
			    sizeof(err)) ||
	    ktlso_cred_load(&p->client, f->client_cert, f->client_key, err,
			    sizeof(err)) ||
	    ktlso_cred_load(&p->client_rsa, f->client_rsa_cert,
			    f->client_rsa_key, err, sizeof(err)) ||
	    ktlso_trust_load(&p->trust, f->pki.root_pem, NULL, err, sizeof(err)) ||
	    ktlso_trust_load(&p->other_trust, f->other_root, NULL, err,
			     sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "hs_pair_load: %s\n", err);
	return -1;
}

/* Default configs: a P-256 server for server.example, a verifying client. */
static inline int hs_pair_init(struct hs_pair *p)
{
	memset(p, 0, sizeof(*p));
	p->rc = p->rs = KTLSO_WANT_READ;
	if (hs_pair_load(p))
		return -1;
	ktlso_config_init(&p->ccfg);
	p->ccfg.trust = &p->trust;
	p->ccfg.server_name = "server.example";
	p->ccfg.log = test_log_cb;
	p->ccfg.log_arg = &p->clog;
	ktlso_config_init(&p->scfg);
	p->scfg.creds = &p->srv[SRV_P256];
	p->scfg.n_creds = 1;
	p->scfg.trust = &p->trust;
	p->scfg.log = test_log_cb;
	p->scfg.log_arg = &p->slog;
	p->cend.in = &p->s2c;
	p->cend.out = &p->c2s;
	p->send.in = &p->c2s;
	p->send.out = &p->s2c;
	return 0;
}

static inline int hs_pair_start(struct hs_pair *p)
{
	struct ktlso_io cio = { pipe_read, pipe_write, &p->cend };
	struct ktlso_io sio = { pipe_read, pipe_write, &p->send };

	if (ktlso_session_new(&p->c, &p->ccfg, KTLSO_ROLE_CLIENT, &cio) ||
	    ktlso_session_new(&p->s, &p->scfg, KTLSO_ROLE_SERVER, &sio))
		return -1;
	return 0;
}

static inline double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One step of each side that is still running, its CPU time counted. */
static inline void hs_pair_step(struct hs_pair *p)
{
	double t;

	if (p->rc > 0) {
		t = thread_cpu_ms();
		p->rc = ktlso_session_handshake(p->c);
		p->c_ms += thread_cpu_ms() - t;
	}
	if (p->rs > 0) {
		t = thread_cpu_ms();
		p->rs = ktlso_session_handshake(p->s);
		p->s_ms += thread_cpu_ms() - t;
	}
}

/* Step both sides until neither can move; 0 when both completed. */
static inline int hs_pair_run(struct hs_pair *p)
{
	size_t moved;
	int i;

	for (i = 0; i < 100000 && (p->rc > 0 || p->rs > 0); i++) {
		moved = p->c2s.len + p->s2c.len + p->c2s.off + p->s2c.off;
		hs_pair_step(p);
		if (moved == p->c2s.len + p->s2c.len + p->c2s.off + p->s2c.off &&
		    !p->c2s.stall && !p->s2c.stall)
			break;
	}
	return p->rc == 0 && p->rs == 0 ? 0 : -1;
}

/* Fresh sessions, pipes and logs, same configs (for loops over cases). */
static inline void hs_pair_reset(struct hs_pair *p)
{
	ktlso_session_free(p->c);
	ktlso_session_free(p->s);
	p->c = p->s = NULL;
	pipe_free(&p->c2s);
	pipe_free(&p->s2c);
	p->rc = p->rs = KTLSO_WANT_READ;
	p->c_ms = p->s_ms = 0;
	memset(&p->clog, 0, sizeof(p->clog));
	memset(&p->slog, 0, sizeof(p->slog));
}

static inline void hs_pair_free(struct hs_pair *p)
{
	int i;

	ktlso_session_free(p->c);
	ktlso_session_free(p->s);
	for (i = 0; i < SRV_KEY_TYPES; i++)
		ktlso_cred_free(&p->srv[i]);
	ktlso_cred_free(&p->other);
	ktlso_cred_free(&p->expired);
	ktlso_cred_free(&p->client);
	ktlso_cred_free(&p->client_rsa);
	ktlso_trust_free(&p->trust);
	ktlso_trust_free(&p->other_trust);
	pipe_free(&p->c2s);
	pipe_free(&p->s2c);
	memset(p, 0, sizeof(*p));
}

/* --- after the handshake: each side's "kernel" --------------------------- */

/*
 * These use the kselftest harness's assertions: include
 * kselftest_harness.h before this header.
 */

/* A handshake that must succeed, with the reasons in the log if not. */
static inline void hs_pair_ok(struct __test_metadata *_metadata,
			      struct hs_pair *p)
{
	ASSERT_EQ(0, hs_pair_start(p));
	ASSERT_EQ(0, hs_pair_run(p))
		TH_LOG("client %s (%s), server %s (%s)",
		       ktlso_session_strerror(p->rc), p->clog.last_error,
		       ktlso_session_strerror(p->rs), p->slog.last_error);
	EXPECT_EQ(0, p->clog.errors);
	EXPECT_EQ(0, p->slog.errors);
}

/* @snd sent the fatal @alert and received none; @rcv received it. */
static inline void expect_alerted(struct __test_metadata *_metadata,
				  const struct ktlso_session *snd,
				  const struct ktlso_session *rcv, int alert)
{
	int sent, received;

	ktlso_session_alerts(snd, &sent, &received);
	EXPECT_EQ(alert, sent);
	EXPECT_EQ(-1, received);
	ktlso_session_alerts(rcv, &sent, &received);
	EXPECT_EQ(-1, sent);
	EXPECT_EQ(alert, received);
}

/* A completed pair, and each side's "kernel" sending with its keys. */
struct connected {
	struct ktlso_session_result cr, sr;
	struct ktlso_record_protection c_tx, s_tx;
};

static inline void connect_pair(struct __test_metadata *_metadata,
				struct hs_pair *p, struct connected *k)
{
	memset(k, 0, sizeof(*k));
	ASSERT_EQ(0, hs_pair_start(p));
	ASSERT_EQ(0, hs_pair_run(p));
	ASSERT_EQ(0, ktlso_session_result(p->c, &k->cr));
	ASSERT_EQ(0, ktlso_session_result(p->s, &k->sr));
	ASSERT_EQ(0, ci_record(&k->cr.tx, k->cr.suite, true, &k->c_tx));
	ASSERT_EQ(0, ci_record(&k->sr.tx, k->sr.suite, true, &k->s_tx));
}

static inline void disconnect(struct connected *k)
{
	ktlso_session_result_clear(&k->cr);
	ktlso_session_result_clear(&k->sr);
	ktlso_record_clear(&k->c_tx);
	ktlso_record_clear(&k->s_tx);
}

/* Seal @msg as a record of @type with @rp (a "kernel") into @wire. */
static inline void kernel_send(struct __test_metadata *_metadata,
			       struct pipe *wire,
			       struct ktlso_record_protection *rp, uint8_t type,
			       const uint8_t *msg, size_t len)
{
	uint8_t rec[512];
	size_t n;

	ASSERT_EQ(0, ktlso_record_seal(rp, type, msg, len, 0, rec, sizeof(rec),
				       &n));
	pipe_push(wire, rec, n);
}

/*
 * After the handshake, one side reads what its peer's kernel sent and
 * fails: the reader (@server_reads) sent @alert, the other side reads it.
 */
static inline void read_fails_with(struct __test_metadata *_metadata,
				   struct hs_pair *p, bool server_reads,
				   int alert)
{
	struct ktlso_session *rd = server_reads ? p->s : p->c;
	struct ktlso_session *peer = server_reads ? p->c : p->s;
	struct test_log *log = server_reads ? &p->slog : &p->clog;
	uint8_t buf[16];
	size_t n;

	EXPECT_EQ(-alert, ktlso_session_read(rd, buf, sizeof(buf), &n))
		TH_LOG("reader: %s", log->last_error);
	EXPECT_EQ(-alert, ktlso_session_read(peer, buf, sizeof(buf), &n));
	expect_alerted(_metadata, rd, peer, alert);
	EXPECT_EQ(1, log->errors);
}

/*
 * After the handshake the server's "kernel" (@from_server; else the
 * client's) sends an empty record of @type: the reader answers
 * unexpected_message (RFC 8446 5.1).
 */
static inline void empty_record_fails(struct __test_metadata *_metadata,
				      struct hs_pair *p, bool from_server,
				      uint8_t type)
{
	struct connected k;

	connect_pair(_metadata, p, &k);
	kernel_send(_metadata, from_server ? &p->s2c : &p->c2s,
		    from_server ? &k.s_tx : &k.c_tx, type, NULL, 0);
	read_fails_with(_metadata, p, !from_server,
			KTLSO_ALERT_UNEXPECTED_MESSAGE);
	disconnect(&k);
}

#endif /* KTLSO_ENGINE_TESTS_HS_TEST_H */
