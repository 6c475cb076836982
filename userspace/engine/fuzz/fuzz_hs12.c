// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the TLS 1.2 handshake state machines (and the
 * version negotiation that leads to them): an engine client or server
 * reads the fuzzer's bytes as its peer's records. Built into build/fuzz/
 * by "make"; "make check" runs it briefly, "make fuzz" for FUZZ_SECONDS.
 *
 * Input: byte 0 picks the role and the configuration (bit 0: server;
 * bit 1: TLS 1.3 allowed too; bit 2: a server asks for a client
 * certificate); the rest is a list of records, each "type(1) length(1)
 * body", framed into TLS records as the engine reads them (so that the
 * fuzzer spends its time in the handshake, not in the record header).
 *
 * Beyond "no crash, no leak, no sanitizer report": the handshake ends
 * with KTLSO_WANT_READ, success, end of input, or an alert, and a failed
 * session reports the alert it sent (or received) and no keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/alert.h"
#include "engine/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* --- a self-signed P-256 credential, made once ---------------------------- */

static struct ktlso_cred cred;
static struct ktlso_trust trust;

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	bool ok = x && name &&
		  X509_set_version(x, X509_VERSION_3) &&
		  ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
		  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					     (const unsigned char *)"fuzz",
					     -1, -1, 0) &&
		  X509_set_subject_name(x, name) &&
		  X509_set_issuer_name(x, name) &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -86400) &&
		  X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
		  X509_set_pubkey(x, key) &&
		  X509_sign(x, key, EVP_sha256());

	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static void setup(void)
{
	if (cred.key)
		return;
	cred.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	check(cred.key != NULL);
	cred.leaf = self_signed(cred.key);
	check(cred.leaf != NULL);
	trust.store = X509_STORE_new();
	check(trust.store && X509_STORE_add_cert(trust.store, cred.leaf));
}

/* --- the peer's bytes, and where ours go ---------------------------------- */

struct feed {
	uint8_t *buf;
	size_t len, off;
};

static ssize_t feed_read(void *ctx, void *buf, size_t len)
{
	struct feed *f = ctx;
	size_t n = f->len - f->off;

	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, f->buf + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static ssize_t sink_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return (ssize_t)len;
}

/* "type(1) length(1) body" entries into TLS records. */
static void frame_records(const uint8_t *data, size_t size, struct feed *f)
{
	size_t i = 0, n;

	f->buf = malloc(size / 2 * 5 + size + 5);
	check(f->buf != NULL);
	f->len = f->off = 0;
	while (i + 2 <= size) {
		n = data[i + 1];
		if (n > size - i - 2)
			n = size - i - 2;
		f->buf[f->len++] = data[i];
		f->buf[f->len++] = 3;
		f->buf[f->len++] = 3;
		f->buf[f->len++] = 0;
		f->buf[f->len++] = (uint8_t)n;
		memcpy(f->buf + f->len, data + i + 2, n);
		f->len += n;
		i += 2 + n;
	}
}

static int fixed_random(void *arg, uint8_t *out, size_t len)
{
	(void)arg;
	memset(out, 0x5a, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktlso_session_result res;
	struct ktlso_config cfg;
	struct ktlso_session *s;
	struct feed f;
	struct ktlso_io io = { feed_read, sink_write, &f };
	bool server;
	int ret, i, sent, received;

	if (size < 1)
		return 0;
	setup();
	server = data[0] & 1;
	ktlso_config_init(&cfg);
	check(ktlso_config_set_versions(&cfg, "1.2",
					data[0] & 2 ? "1.3" : "1.2") == 0);
	cfg.test.random = fixed_random;
	if (server) {
		cfg.creds = &cred;
		cfg.n_creds = 1;
		cfg.trust = &trust;
		if (data[0] & 4)
			cfg.peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
	} else {
		cfg.peer_auth = KTLSO_PEER_AUTH_NONE;
		cfg.server_name = "fuzz";
	}
	frame_records(data + 1, size - 1, &f);
	check(ktlso_session_new(&s, &cfg, server ? KTLSO_ROLE_SERVER :
						   KTLSO_ROLE_CLIENT, &io) == 0);
	for (i = 0; i < 64; i++) {
		ret = ktlso_session_handshake(s);
		if (ret != KTLSO_WANT_READ || f.off == f.len)
			break;
	}
	check(ret == KTLSO_WANT_READ || ret == 0 ||
	      ret == -KTLSO_ERROR_CLOSED ||
	      (ret < 0 && ret > -KTLSO_ERROR_BASE));
	ktlso_session_alerts(s, &sent, &received);
	if (ret < 0 && ret > -KTLSO_ERROR_BASE)
		check(sent == -ret || received == -ret);
	if (ret < 0)
		check(ktlso_session_result(s, &res) == -KTLSO_ERROR_STATE);
	ktlso_session_free(s);
	free(f.buf);
	return 0;
}
