// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-hsbench: full TLS handshakes per second on one core, the ktlso
 * engine against OpenSSL's own libssl, in one process, with the same key,
 * certificate and CA.
 *
 * At start a P-256 CA and a P-256 server certificate for server.example
 * (issued by that CA: a chain of two) are made in memory. The engine loads
 * them from PEM files in a private temporary directory, removed at once;
 * libssl takes the same X509 and EVP_PKEY objects.
 *
 * One thread, pinned to the CPU it started on, runs a client and a server
 * of the same library, joined in memory (the engine: two sessions over
 * in-memory pipes through its io callbacks; libssl: two SSL objects over a
 * BIO pair), through one full handshake each time: no resumption, no
 * session tickets, no session cache, the client verifying the server's
 * chain against the CA and the server's name (DNS SAN) in both libraries.
 * The "resumed" case instead resumes, every time, the TLS 1.3 session of
 * one first full handshake, from its first ticket (psk_dhe_ke: an X25519
 * exchange, no certificate, no signature); both servers seal one new
 * ticket per handshake, which the clients do not read.
 * Before timing, one handshake per library shows that both negotiated the
 * case's version, suite, group and signature scheme with a verified
 * chain, and one with a wrong name shows that both reject it.
 *
 * Each figure is the median handshakes/s of --runs runs of --seconds each,
 * after a warm-up. Within a run the engine and libssl take turns of 50 ms
 * until each has had its time, so that both see the same machine. Seconds
 * are the benchmark thread's CPU time (CLOCK_THREAD_CPUTIME_ID): a figure
 * is what one core does, even on a machine busy with other work. The
 * report gives both figures and the ratio engine / OpenSSL. The exit
 * status is non-zero only when a handshake fails (or on a usage or setup
 * error), never for a low ratio.
 *
 *   ktlso-hsbench [--seconds S] [--runs N] [--csv] [--case tls13|tls12]
 *                 [--only engine|openssl]
 *   ktlso-hsbench --version | --help
 *
 * --case and --only narrow the timed runs (the checks still run both
 * libraries), for profiling one side: perf record -g ktlso-hsbench ...
 */

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench_cert.h"
#include "common/version.h"
#include "engine/alert.h"
#include "engine/engine.h"
#include "engine/kex.h"
#include "engine/sig.h"
#include "engine/ticket.h"

#define PROG "ktlso-hsbench"
#define HOST "server.example"
#define WRONG_HOST "other.example"
#define MAX_RUNS 31
#define PIPE_CAP (64u << 10)
#define BIO_PAIR_CAP 0		/* libssl's default size */
#define MAX_STEPS 64		/* steps per side before giving up */
#define SLICE_S 0.05		/* turns of the libraries within a run */

enum lib { LIB_ENGINE, LIB_OPENSSL, LIB_NUM };

/* One benchmark case: the same parameters in both libraries' words. */
struct bench_case {
	const char *name;
	const char *csv_name;
	const char *version;		/* ktlso_config_set_versions() */
	int ssl_version;		/* TLS1_3_VERSION, TLS1_2_VERSION */
	uint16_t suite;			/* IANA value */
	const char *engine_suite;	/* IANA name */
	const char *ssl_suite;		/* libssl's name for it */
	bool resume;			/* resume one session each time */
};

static const struct bench_case cases[] = {
	{
		.name = "TLS 1.3 AES-128-GCM X25519 ECDSA-P256",
		.csv_name = "tls13-aes128gcm-x25519-ecdsa-p256",
		.version = "1.3",
		.ssl_version = TLS1_3_VERSION,
		.suite = 0x1301,
		.engine_suite = "TLS_AES_128_GCM_SHA256",
		.ssl_suite = "TLS_AES_128_GCM_SHA256",
	},
	{
		.name = "TLS 1.3 AES-128-GCM X25519, resumed",
		.csv_name = "tls13-aes128gcm-x25519-resumed",
		.version = "1.3",
		.ssl_version = TLS1_3_VERSION,
		.suite = 0x1301,
		.engine_suite = "TLS_AES_128_GCM_SHA256",
		.ssl_suite = "TLS_AES_128_GCM_SHA256",
		.resume = true,
	},
	{
		.name = "TLS 1.2 ECDHE-ECDSA-AES128-GCM X25519",
		.csv_name = "tls12-ecdhe-ecdsa-aes128gcm-x25519",
		.version = "1.2",
		.ssl_version = TLS1_2_VERSION,
		.suite = 0xc02b,
		.engine_suite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		.ssl_suite = "ECDHE-ECDSA-AES128-GCM-SHA256",
	},
};

#define NUM_CASES (sizeof(cases) / sizeof(cases[0]))

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", PROG, what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/*
 * The CPU time of this thread: the rate is per second of one core's work,
 * whatever else the machine runs meanwhile.
 */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the PKI ------------------------------------------------------------- */

struct pki {
	EVP_PKEY *ca_key, *key;
	X509 *ca, *leaf;
	/* The engine's copies, loaded from PEM files that are then removed. */
	struct ktlso_cred cred;
	struct ktlso_trust trust;
};

static int write_pem(const char *path, X509 *x, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = x ? PEM_write_X509(f, x) :
		 PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) || !ok)
		return -1;
	return 0;
}

/* The engine reads PEM files: write them, load them, remove them. */
static int pki_load_engine(struct pki *p)
{
	char dir[] = "/tmp/ktlso-hsbench.XXXXXX";
	char ca[64], cert[64], key[64], err[256] = "";
	int ret = -1;

	if (!mkdtemp(dir))
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	if (!write_pem(ca, p->ca, NULL) && !write_pem(cert, p->leaf, NULL) &&
	    !write_pem(key, NULL, p->key) &&
	    !ktlso_cred_load(&p->cred, cert, key, err, sizeof(err)) &&
	    !ktlso_trust_load(&p->trust, ca, NULL, err, sizeof(err)))
		ret = 0;
	else if (err[0])
		fprintf(stderr, "%s: engine: %s\n", PROG, err);
	unlink(ca);
	unlink(cert);
	unlink(key);
	rmdir(dir);
	return ret;
}

static int pki_make(struct pki *p)
{
	memset(p, 0, sizeof(*p));
	p->ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	p->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!p->ca_key || !p->key)
		return -1;
	p->ca = bench_make_cert("ktlso-hsbench CA", p->ca_key, NULL, NULL, 1,
				NULL);
	p->leaf = p->ca ? bench_make_cert(HOST, p->key, p->ca, p->ca_key, 2,
					  "DNS:" HOST) : NULL;
	if (!p->leaf)
		return -1;
	return pki_load_engine(p);
}

static void pki_free(struct pki *p)
{
	ktlso_cred_free(&p->cred);
	ktlso_trust_free(&p->trust);
	X509_free(p->leaf);
	X509_free(p->ca);
	EVP_PKEY_free(p->key);
	EVP_PKEY_free(p->ca_key);
}

/* --- the engine: two sessions over in-memory pipes ------------------------ */

struct mem_pipe {
	uint8_t buf[PIPE_CAP];
	size_t len, off;
};

struct pipe_end {
	struct mem_pipe *in, *out;
};

static ssize_t pipe_read(void *ctx, void *buf, size_t len)
{
	struct mem_pipe *p = ((struct pipe_end *)ctx)->in;
	size_t n = p->len - p->off;

	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, p->buf + p->off, n);
	p->off += n;
	if (p->off == p->len)
		p->off = p->len = 0;
	return (ssize_t)n;
}

static ssize_t pipe_write(void *ctx, const void *buf, size_t len)
{
	struct mem_pipe *p = ((struct pipe_end *)ctx)->out;
	size_t room;

	if (p->off) {
		memmove(p->buf, p->buf + p->off, p->len - p->off);
		p->len -= p->off;
		p->off = 0;
	}
	room = sizeof(p->buf) - p->len;
	if (room == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (len > room)
		len = room;
	memcpy(p->buf + p->len, buf, len);
	p->len += len;
	return (ssize_t)len;
}

struct engine_side {
	struct ktlso_config ccfg, scfg;
	struct mem_pipe c2s, s2c;
	struct pipe_end cend, send;
	int rc, rs;			/* the last handshake's returns */
	char log[512];			/* the first error logged */
	struct ktlso_ticket_keys *keys;	/* resume: the server's */
	struct ktlso_client_ticket ticket;	/* resume: the one offered */
	bool have_ticket;
};

/* The client keeps the first ticket it gets, and offers it from then on. */
static void engine_ticket(void *arg, const struct ktlso_client_ticket *t)
{
	struct engine_side *e = arg;

	if (e->have_ticket)
		return;
	e->ticket = *t;
	e->have_ticket = true;
	e->ccfg.resume = &e->ticket;
}

static void engine_log(void *arg, enum ktlso_log_level level, const char *msg)
{
	struct engine_side *e = arg;

	if (level == KTLSO_LOG_ERROR && !e->log[0])
		snprintf(e->log, sizeof(e->log), "%s", msg);
}

static int engine_config(struct ktlso_config *cfg, const struct bench_case *bc)
{
	ktlso_config_init(cfg);
	if (ktlso_config_set_versions(cfg, bc->version, bc->version) ||
	    ktlso_config_set_suites(cfg, bc->engine_suite) ||
	    ktlso_config_set_groups(cfg, "x25519:secp256r1") ||
	    ktlso_config_set_sigschemes(cfg, "ecdsa_secp256r1_sha256"))
		return -1;
	cfg->n_key_shares = 1;
	return 0;
}

static int engine_init(struct engine_side *e, const struct pki *p,
		       const struct bench_case *bc)
{
	memset(e, 0, sizeof(*e));
	if (engine_config(&e->ccfg, bc) || engine_config(&e->scfg, bc))
		return -1;
	e->ccfg.trust = &p->trust;
	e->ccfg.server_name = HOST;
	e->scfg.creds = &p->cred;
	e->scfg.n_creds = 1;
	e->cend.in = &e->s2c;
	e->cend.out = &e->c2s;
	e->send.in = &e->c2s;
	e->send.out = &e->s2c;
	if (!bc->resume)
		return 0;
	if (ktlso_ticket_keys_new(&e->keys, 0) ||
	    ktlso_ticket_keys_rotate(e->keys, NULL))
		return -1;
	e->scfg.ticket_keys = e->keys;
	e->scfg.n_tickets = 1;
	e->ccfg.ticket = engine_ticket;
	e->ccfg.ticket_arg = e;
	return 0;
}

static void engine_free(struct engine_side *e)
{
	ktlso_ticket_keys_free(e->keys);
	ktlso_client_ticket_clear(&e->ticket);
}

/* What a checked handshake must have negotiated, both libraries alike. */
static int check_params(const char *lib, const struct bench_case *bc,
			int version, uint16_t suite, bool group_ok,
			bool scheme_ok, bool verified)
{
	if (version == bc->ssl_version && suite == bc->suite && group_ok &&
	    scheme_ok && verified)
		return 0;
	fprintf(stderr,
		"%s: %s: %s: negotiated version 0x%04x suite 0x%04x, x25519 %s, ecdsa_secp256r1_sha256 %s, chain %s\n",
		PROG, lib, bc->name, version, suite, group_ok ? "yes" : "no",
		scheme_ok ? "yes" : "no", verified ? "verified" : "not verified");
	return -1;
}

static int engine_check(struct ktlso_session *c, const struct bench_case *bc)
{
	struct ktlso_session_result r;
	int ret;

	if (ktlso_session_result(c, &r))
		return -1;
	ret = check_params("engine", bc, r.version, r.suite,
			   r.group == KTLSO_GROUP_X25519,
			   bc->resume ? r.resumed :
			   r.sig_scheme == KTLSO_SIG_ECDSA_SECP256R1_SHA256,
			   r.peer_verified);
	ktlso_session_result_clear(&r);
	return ret;
}

/*
 * One full handshake. @check: log errors and check what was negotiated.
 * Return: 0, 1 when a session cannot be made (the configuration is not
 * available), -1 when the handshake fails.
 */
static int engine_handshake(struct engine_side *e, const struct bench_case *bc,
			    bool check)
{
	struct ktlso_io cio = { pipe_read, pipe_write, &e->cend };
	struct ktlso_io sio = { pipe_read, pipe_write, &e->send };
	struct ktlso_session *c = NULL, *s = NULL;
	int i, ret = -1;

	e->c2s.len = e->c2s.off = e->s2c.len = e->s2c.off = 0;
	e->ccfg.log = e->scfg.log = check ? engine_log : NULL;
	e->ccfg.log_arg = e->scfg.log_arg = e;
	e->rc = e->rs = KTLSO_WANT_READ;
	if (ktlso_session_new(&c, &e->ccfg, KTLSO_ROLE_CLIENT, &cio) ||
	    ktlso_session_new(&s, &e->scfg, KTLSO_ROLE_SERVER, &sio)) {
		ret = 1;
		goto out;
	}
	for (i = 0; i < MAX_STEPS && (e->rc > 0 || e->rs > 0); i++) {
		if (e->rc > 0)
			e->rc = ktlso_session_handshake(c);
		if (e->rs > 0)
			e->rs = ktlso_session_handshake(s);
	}
	if (e->rc == 0 && e->rs == 0)
		ret = check ? engine_check(c, bc) : 0;
	/* The first time, the client reads the ticket the server sent. */
	if (ret == 0 && bc->resume && !e->have_ticket) {
		uint8_t byte;
		size_t n;

		ktlso_session_read(c, &byte, 1, &n);
		ret = e->have_ticket ? 0 : -1;
	}
out:
	ktlso_session_free(c);
	ktlso_session_free(s);
	return ret;
}

/* --- libssl: two SSL objects over a BIO pair ------------------------------ */

struct ssl_side {
	SSL_CTX *cctx, *sctx;
	const char *host;
	SSL_SESSION *sess;		/* resume: the session offered */
};

static SSL_CTX *ssl_ctx(const struct bench_case *bc, bool server)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
					    TLS_client_method());

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, bc->ssl_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, bc->ssl_version) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519:P-256") ||
	    !SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256") ||
	    !SSL_CTX_set_num_tickets(ctx, bc->resume ? 1 : 0) ||
	    (bc->ssl_version == TLS1_3_VERSION ?
		!SSL_CTX_set_ciphersuites(ctx, bc->ssl_suite) :
		!SSL_CTX_set_cipher_list(ctx, bc->ssl_suite))) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!bc->resume)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

static int ssl_init(struct ssl_side *o, const struct pki *p,
		    const struct bench_case *bc)
{
	memset(o, 0, sizeof(*o));
	o->host = HOST;
	o->cctx = ssl_ctx(bc, false);
	o->sctx = ssl_ctx(bc, true);
	if (!o->cctx || !o->sctx)
		return -1;
	/* The client verifies the chain against the CA, as the engine does. */
	SSL_CTX_set_verify(o->cctx, SSL_VERIFY_PEER, NULL);
	if (!X509_STORE_add_cert(SSL_CTX_get_cert_store(o->cctx), p->ca))
		return -1;
	/* The server sends its leaf only, as the engine's does. */
	SSL_CTX_set_mode(o->sctx, SSL_MODE_NO_AUTO_CHAIN);
	if (!SSL_CTX_use_certificate(o->sctx, p->leaf) ||
	    !SSL_CTX_use_PrivateKey(o->sctx, p->key) ||
	    !SSL_CTX_check_private_key(o->sctx))
		return -1;
	return 0;
}

static void ssl_free(struct ssl_side *o)
{
	SSL_SESSION_free(o->sess);
	SSL_CTX_free(o->cctx);
	SSL_CTX_free(o->sctx);
}

/* 1 when done, 0 to be called again, -1 on failure. */
static int ssl_step(SSL *ssl)
{
	int ret = SSL_do_handshake(ssl);

	if (ret == 1)
		return 1;
	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		return -1;
	}
}

static int ssl_check(SSL *c, const struct bench_case *bc)
{
	int type = NID_undef, md = NID_undef;

	SSL_get_peer_signature_type_nid(c, &type);
	SSL_get_peer_signature_nid(c, &md);
	return check_params("OpenSSL", bc, SSL_version(c),
			    (uint16_t)SSL_CIPHER_get_protocol_id(
				    SSL_get_current_cipher(c)),
			    SSL_get_negotiated_group(c) == NID_X25519,
			    bc->resume ? SSL_session_reused(c) :
			    type == EVP_PKEY_EC && md == NID_sha256,
			    SSL_get_verify_result(c) == X509_V_OK &&
			    SSL_get0_peer_certificate(c) != NULL);
}

/* One full handshake; @check as for engine_handshake(). 0 or -1. */
static int ssl_handshake(struct ssl_side *o, const struct bench_case *bc,
			 bool check)
{
	SSL *c = SSL_new(o->cctx), *s = SSL_new(o->sctx);
	BIO *cb = NULL, *sb = NULL;
	int i, rc = 0, rs = 0, ret = -1;

	if (!c || !s || !BIO_new_bio_pair(&cb, BIO_PAIR_CAP, &sb, BIO_PAIR_CAP))
		goto out;
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	/* SNI and the name check, as the engine's client does. */
	if (!SSL_set_tlsext_host_name(c, o->host) || !SSL_set1_host(c, o->host))
		goto out;
	/* A session is only offered to the host it came from. */
	if (o->sess && !strcmp(o->host, HOST) && !SSL_set_session(c, o->sess))
		goto out;
	for (i = 0; i < MAX_STEPS && rc == 0 && rs >= 0; i++) {
		rc = ssl_step(c);
		if (rs == 0)
			rs = ssl_step(s);
	}
	while (rc == 1 && rs == 0 && i++ < MAX_STEPS)
		rs = ssl_step(s);
	if (rc == 1 && rs == 1)
		ret = check ? ssl_check(c, bc) : 0;
	/* The first time, the client reads the ticket the server sent. */
	if (ret == 0 && bc->resume && !o->sess) {
		uint8_t byte;

		SSL_read(c, &byte, 1);
		o->sess = SSL_get1_session(c);
		ret = o->sess && SSL_SESSION_is_resumable(o->sess) ? 0 : -1;
	}
out:
	if (ret && check)
		ERR_print_errors_fp(stderr);
	ERR_clear_error();
	/*
	 * Freed without a shutdown, libssl takes the session for a bad one
	 * and marks it not resumable; the benchmark ends its connections so.
	 */
	if (bc->resume && c)
		SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(c);
	SSL_free(s);
	return ret;
}

/* --- measuring ------------------------------------------------------------ */

struct bench {
	const struct bench_case *bc;
	struct engine_side engine;
	struct ssl_side ssl;
	bool engine_available;
};

static int handshake(struct bench *b, enum lib lib)
{
	if (lib == LIB_ENGINE)
		return engine_handshake(&b->engine, b->bc, false) ? -1 : 0;
	return ssl_handshake(&b->ssl, b->bc, false);
}

static const char *const lib_names[LIB_NUM] = {
	[LIB_ENGINE] = "engine",
	[LIB_OPENSSL] = "OpenSSL",
};

/* Handshakes for @seconds of CPU time; exits if one fails. */
static void slice(struct bench *b, enum lib lib, double seconds,
		  unsigned long *n, double *spent)
{
	double t0 = cpu_now(), t;

	do {
		if (handshake(b, lib)) {
			fprintf(stderr, "%s: %s: %s: handshake failed",
				PROG, lib_names[lib], b->bc->name);
			if (lib == LIB_ENGINE)
				fprintf(stderr, " (client: %s, server: %s)",
					ktlso_session_strerror(b->engine.rc),
					ktlso_session_strerror(b->engine.rs));
			fputc('\n', stderr);
			exit(1);
		}
		(*n)++;
		t = cpu_now();
	} while (t - t0 < seconds);
	*spent += t - t0;
}

/*
 * One run: the libraries in @on take turns of SLICE_S until each has had
 * @seconds of CPU time, so that whatever else the machine does meanwhile
 * (other load, frequency changes) weighs on both alike. @rate: handshakes
 * per CPU second.
 */
static void measure(struct bench *b, const bool on[LIB_NUM], double seconds,
		    double rate[LIB_NUM])
{
	double spent[LIB_NUM] = { 0 };
	unsigned long n[LIB_NUM] = { 0 };
	bool more = true;
	int l;

	while (more) {
		more = false;
		for (l = 0; l < LIB_NUM; l++) {
			if (!on[l] || spent[l] >= seconds)
				continue;
			slice(b, l, seconds - spent[l] < SLICE_S ?
				    seconds - spent[l] : SLICE_S,
			      &n[l], &spent[l]);
			more |= spent[l] < seconds;
		}
	}
	for (l = 0; l < LIB_NUM; l++)
		rate[l] = on[l] ? (double)n[l] / spent[l] : 0;
}

/*
 * Before timing: one handshake per library that must negotiate the case's
 * parameters with a verified chain, and one to a wrong host name that must
 * fail. Return: 0, or -1 (the reason printed).
 */
static int bench_check(struct bench *b)
{
	struct engine_side *e = &b->engine;
	int ret;

	/* Resumed cases: a first, full handshake gets the ticket. */
	if (b->bc->resume && (engine_handshake(e, b->bc, false) ||
			      ssl_handshake(&b->ssl, b->bc, false))) {
		fprintf(stderr, "%s: %s: no first session\n", PROG,
			b->bc->name);
		return -1;
	}
	ret = engine_handshake(e, b->bc, true);
	if (ret > 0 && b->bc->ssl_version == TLS1_2_VERSION) {
		b->engine_available = false;	/* TLS 1.2 not there yet */
	} else if (ret) {
		fprintf(stderr, "%s: engine: %s: %s: %s\n", PROG, b->bc->name,
			ret > 0 ? "no session" : "handshake failed",
			e->log[0] ? e->log : "no reason logged");
		return -1;
	} else {
		b->engine_available = true;
		e->ccfg.server_name = WRONG_HOST;
		ret = engine_handshake(e, b->bc, false);
		e->ccfg.server_name = HOST;
		if (ret != -1 || e->rc != -KTLSO_ALERT_BAD_CERTIFICATE) {
			fprintf(stderr, "%s: engine: %s: the client accepted %s for %s\n",
				PROG, b->bc->name, HOST, WRONG_HOST);
			return -1;
		}
	}
	if (ssl_handshake(&b->ssl, b->bc, true)) {
		fprintf(stderr, "%s: OpenSSL: %s: handshake failed\n", PROG,
			b->bc->name);
		return -1;
	}
	b->ssl.host = WRONG_HOST;
	ret = ssl_handshake(&b->ssl, b->bc, false);
	b->ssl.host = HOST;
	if (ret != -1) {
		fprintf(stderr, "%s: OpenSSL: %s: the client accepted %s for %s\n",
			PROG, b->bc->name, HOST, WRONG_HOST);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Medians into @med (0 for a library not run). */
static void bench_run(struct bench *b, const bool run[LIB_NUM],
		      double seconds, int nruns, double warmup,
		      double med[LIB_NUM])
{
	double runs[LIB_NUM][MAX_RUNS], rate[LIB_NUM];
	bool on[LIB_NUM];
	int r, l;

	for (l = 0; l < LIB_NUM; l++)
		on[l] = run[l] && (l != LIB_ENGINE || b->engine_available);
	measure(b, on, warmup, rate);
	for (r = 0; r < nruns; r++) {
		measure(b, on, seconds, rate);
		for (l = 0; l < LIB_NUM; l++)
			runs[l][r] = rate[l];
	}
	for (l = 0; l < LIB_NUM; l++) {
		qsort(runs[l], nruns, sizeof(runs[l][0]), cmp_double);
		med[l] = runs[l][nruns / 2];
	}
}

/* --- the report ----------------------------------------------------------- */

static void cpu_model(char *out, size_t cap)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *p;

	snprintf(out, cap, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(p = strchr(line, ':')))
			continue;
		p += 1 + strspn(p + 1, " \t");
		p[strcspn(p, "\n")] = '\0';
		snprintf(out, cap, "%s", p);
		break;
	}
	fclose(f);
}

/* Pin to the CPU we run on; its number, or -1 when that failed. */
static int pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return cpu;
}

/* A figure, "n/a" (the engine cannot do the case) or "-" (not run). */
static const char *cell(char *buf, size_t cap, bool run, bool avail, double v)
{
	if (!run)
		return "-";
	if (!avail)
		return "n/a";
	snprintf(buf, cap, "%.1f", v);
	return buf;
}

static void print_row(const struct bench_case *bc, bool csv,
		      const bool run[LIB_NUM], bool engine_avail,
		      const double med[LIB_NUM])
{
	char ebuf[32], obuf[32], rbuf[32];
	const char *e, *o, *ratio = "-";

	e = cell(ebuf, sizeof(ebuf), run[LIB_ENGINE], engine_avail,
		 med[LIB_ENGINE]);
	o = cell(obuf, sizeof(obuf), run[LIB_OPENSSL], true, med[LIB_OPENSSL]);
	if (run[LIB_ENGINE] && !engine_avail) {
		ratio = csv ? "n/a" : "n/a (TLS 1.2 not available)";
	} else if (run[LIB_ENGINE] && run[LIB_OPENSSL]) {
		snprintf(rbuf, sizeof(rbuf), csv ? "%.3f" : "%.2f",
			 med[LIB_ENGINE] / med[LIB_OPENSSL]);
		ratio = rbuf;
	}
	if (csv)
		printf("%s,%s,%s,%s\n", bc->csv_name, e, o, ratio);
	else
		printf("%-38s  %12s  %12s  %s\n", bc->name, e, o, ratio);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--seconds S] [--runs N] [--csv] [--case tls13|tls12]\n"
		"       [--only engine|openssl]\n"
		"       %s --version | --help\n"
		"  --seconds S  length of one run (default 1)\n"
		"  --runs N     runs per figure, median reported (default 5, at most %d)\n"
		"  --csv        machine-readable output\n"
		"  --case C     time only this case\n"
		"  --only L     time only this library (for profiling)\n"
		"  --version    print the version, exit\n"
		"  --help       this text\n",
		PROG, PROG, MAX_RUNS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'c' },
		{ "case", required_argument, NULL, 'k' },
		{ "only", required_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double med[NUM_CASES][LIB_NUM], seconds = 1, warmup;
	bool avail[NUM_CASES], ran[NUM_CASES], csv = false;
	bool run[LIB_NUM] = { true, true };
	const char *only_case = NULL;
	static struct bench b;
	char cpu_name[128], *end;
	struct utsname u;
	struct pki pki;
	int nruns = 5, opt, cpu;
	size_t i;

	while ((opt = getopt_long(argc, argv, "s:r:ck:o:Vh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || !(seconds > 0) || seconds > 3600) {
				usage(stderr);
				return EX_USAGE;
			}
			break;
		case 'r':
			nruns = (int)strtol(optarg, &end, 10);
			if (*end || nruns < 1 || nruns > MAX_RUNS) {
				usage(stderr);
				return EX_USAGE;
			}
			break;
		case 'c':
			csv = true;
			break;
		case 'k':
			if (strcmp(optarg, "tls13") &&
			    strcmp(optarg, "tls12")) {
				usage(stderr);
				return EX_USAGE;
			}
			only_case = optarg;
			break;
		case 'o':
			if (!strcmp(optarg, "engine")) {
				run[LIB_OPENSSL] = false;
			} else if (!strcmp(optarg, "openssl")) {
				run[LIB_ENGINE] = false;
			} else {
				usage(stderr);
				return EX_USAGE;
			}
			break;
		case 'V':
			print_package_version(PROG);
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	warmup = seconds < 0.5 ? seconds : 0.5;

	cpu = pin_cpu();
	if (cpu < 0)
		fprintf(stderr, "%s: cannot pin to one CPU: %s\n", PROG,
			strerror(errno));
	if (pki_make(&pki))
		die("cannot make the test certificates");

	for (i = 0; i < NUM_CASES; i++) {
		b.bc = &cases[i];
		ran[i] = !only_case || !strncmp(only_case, b.bc->csv_name, 5);
		if (!ran[i])
			continue;
		if (engine_init(&b.engine, &pki, b.bc) ||
		    ssl_init(&b.ssl, &pki, b.bc))
			die("cannot set up a case");
		if (bench_check(&b))
			return 1;
		bench_run(&b, run, seconds, nruns, warmup, med[i]);
		avail[i] = b.engine_available;
		ssl_free(&b.ssl);
		engine_free(&b.engine);
	}
	pki_free(&pki);

	if (!csv) {
		uname(&u);
		cpu_model(cpu_name, sizeof(cpu_name));
		printf("%s: handshakes per second of CPU time, client + server in one thread\n",
		       PROG);
		printf("%s, Linux %s, %s\n", cpu_name, u.release,
		       OpenSSL_version(OPENSSL_VERSION));
		if (cpu >= 0)
			printf("pinned to CPU %d; ", cpu);
		else
			printf("NOT pinned to one CPU; ");
		printf("median of %d runs of %g s each (the libraries alternating every %g s) after %g s of warm-up\n",
		       nruns, seconds, SLICE_S, warmup);
		printf("P-256 server certificate issued by a P-256 CA, verified with its name;\n"
		       "full handshakes: no tickets, no session cache; resumed: one\n"
		       "ticket per handshake, the first session resumed each time\n\n");
		printf("%-38s  %12s  %12s  %s\n", "case", "engine hs/s",
		       "OpenSSL hs/s", "engine/OpenSSL");
	} else {
		if (cpu >= 0)
			fprintf(stderr, "%s: pinned to CPU %d\n", PROG, cpu);
		printf("case,engine_hs_per_s,openssl_hs_per_s,ratio\n");
	}
	for (i = 0; i < NUM_CASES; i++)
		if (ran[i])
			print_row(&cases[i], csv, run, avail[i], med[i]);
	return 0;
}
