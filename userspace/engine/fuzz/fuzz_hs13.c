// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the TLS 1.3 handshake state machines: an engine
 * client and an engine server run a real handshake in memory, and the
 * fuzzer's bytes edit the handshake messages one side sends before they
 * are encrypted (the engine's test.message_out hook). So the receiving
 * side parses fuzzed EncryptedExtensions, Certificate, CertificateVerify,
 * Finished, CertificateRequest and client Certificate under valid record
 * protection, which bytes fed as raw records (fuzz_hs12) cannot reach.
 *
 * Input: byte 0 picks the configuration (bit 0: edit the client's
 * messages, else the server's; bit 1: the server requires a client
 * certificate; bit 2: the server forces a HelloRetryRequest; bit 3: ALPN
 * on both sides; bit 4: TLS 1.2 allowed too), then edits, each
 * "nth(1) op(1) offset(2) len(1) data(len)": the nth message (from 0) of
 * the edited side gets op 0: its body replaced by data; 1: data written
 * at offset; 2: its body cut to offset bytes; 3: data inserted at offset;
 * 4: dropped. Lengths in the header follow the body.
 *
 * Beyond "no crash, no leak, no sanitizer report": each side ends with
 * success, an alert or KTLSO_WANT_READ; a failed side reports the alert
 * it sent or received and no keys; two sides that both succeed hold the
 * same keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "engine/alert.h"
#include "engine/engine.h"
#include "fuzz_fixtures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- in-memory pipes ------------------------------------------------------ */

struct pipe {
	uint8_t *buf;
	size_t len, off;
};

struct end {
	struct pipe *in, *out;
};

static ssize_t end_read(void *ctx, void *buf, size_t len)
{
	struct end *e = ctx;
	size_t n = e->in->len - e->in->off;

	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, e->in->buf + e->in->off, n);
	e->in->off += n;
	return (ssize_t)n;
}

static ssize_t end_write(void *ctx, const void *buf, size_t len)
{
	struct end *e = ctx;
	struct pipe *p = e->out;
	uint8_t *nb;

	/* A handshake writes well under 1 MiB: more is a runaway. */
	if (p->len + len > (1u << 20)) {
		errno = ENOSPC;
		return -1;
	}
	nb = realloc(p->buf, p->len + len);
	check(nb != NULL);
	p->buf = nb;
	memcpy(p->buf + p->len, buf, len);
	p->len += len;
	return (ssize_t)len;
}

/* --- the edits ------------------------------------------------------------ */

enum { OP_REPLACE, OP_WRITE, OP_CUT, OP_INSERT, OP_DROP, OP_COUNT };

struct edits {
	const uint8_t *p;	/* the edit list */
	size_t len;
	bool client;		/* whose messages */
	unsigned int seen;	/* that side's messages so far */
};

static void set_body_len(uint8_t *msg, size_t body)
{
	msg[1] = (uint8_t)(body >> 16);
	msg[2] = (uint8_t)(body >> 8);
	msg[3] = (uint8_t)body;
}

/* Apply one edit to @msg (header included, *@len bytes, room for @cap). */
static void apply(const uint8_t *e, const uint8_t *d, size_t dlen,
		  uint8_t *msg, size_t *len, size_t cap)
{
	size_t body = *len - 4, off = (size_t)e[2] << 8 | e[3];

	switch (e[1] % OP_COUNT) {
	case OP_REPLACE:
		if (4 + dlen <= cap) {
			memcpy(msg + 4, d, dlen);
			body = dlen;
		}
		break;
	case OP_WRITE:
		if (off < body) {
			if (dlen > body - off)
				dlen = body - off;
			memcpy(msg + 4 + off, d, dlen);
		}
		break;
	case OP_CUT:
		if (off < body)
			body = off;
		break;
	case OP_INSERT:
		if (off <= body && 4 + body + dlen <= cap) {
			memmove(msg + 4 + off + dlen, msg + 4 + off, body - off);
			memcpy(msg + 4 + off, d, dlen);
			body += dlen;
		}
		break;
	case OP_DROP:
		*len = 0;
		return;
	}
	set_body_len(msg, body);
	*len = 4 + body;
}

static int edit_hook(void *arg, bool server, uint8_t *msg, size_t *len,
		     size_t cap)
{
	struct edits *ed = arg;
	unsigned int nth;
	size_t i = 0, dlen;

	if (server == ed->client)
		return 0;
	nth = ed->seen++;
	while (i + 5 <= ed->len && *len) {
		const uint8_t *e = ed->p + i;

		dlen = e[4];
		if (dlen > ed->len - i - 5)
			dlen = ed->len - i - 5;
		if (e[0] == nth)
			apply(e, e + 5, dlen, msg, len, cap);
		i += 5 + dlen;
	}
	return 0;
}

/* --- one input ------------------------------------------------------------ */

static void config(struct ktlso_config *c, uint8_t bits, bool server,
		   struct edits *ed)
{
	ktlso_config_init(c);
	check(ktlso_config_set_versions(c, bits & 16 ? "1.2" : "1.3",
					"1.3") == 0);
	check(ktlso_config_set_groups(c, "x25519:P-256") == 0);
	c->test.random = fuzz_fixed_random;
	c->test.kex_generate = fuzz_fixed_kex;
	c->test.message_out = edit_hook;
	c->test.arg = ed;
	c->trust = &fuzz_trust;
	if (bits & 8)
		check(ktlso_config_set_alpn(c, "h2,http/1.1") == 0);
	if (server) {
		c->creds = &fuzz_cred;
		c->n_creds = 1;
		c->peer_auth = bits & 2 ? KTLSO_PEER_AUTH_REQUIRE :
					  KTLSO_PEER_AUTH_NONE;
		c->test.force_hrr = bits & 4;
	} else {
		c->server_name = "fuzz";
		c->creds = &fuzz_cred;
		c->n_creds = 1;
	}
}

/* The outcome of one side, checked as fuzz_hs12 does. */
static void check_side(struct ktlso_session *s, int ret)
{
	struct ktlso_session_result res;
	int sent, received;

	check(ret == KTLSO_WANT_READ || ret == KTLSO_WANT_WRITE || ret == 0 ||
	      ret == -KTLSO_ERROR_CLOSED ||
	      (ret < 0 && ret > -KTLSO_ERROR_BASE) ||
	      ret == -KTLSO_ERROR_IO);
	ktlso_session_alerts(s, &sent, &received);
	if (ret < 0 && ret > -KTLSO_ERROR_BASE)
		check(sent == -ret || received == -ret);
	if (ret < 0)
		check(ktlso_session_result(s, &res) == -KTLSO_ERROR_STATE);
}

static void same_keys(struct ktlso_session *c, struct ktlso_session *s)
{
	struct ktlso_session_result rc, rs;

	check(ktlso_session_result(c, &rc) == 0);
	check(ktlso_session_result(s, &rs) == 0);
	check(rc.tx_len == rs.rx_len && rc.rx_len == rs.tx_len);
	check(memcmp(&rc.tx, &rs.rx, rc.tx_len) == 0);
	check(memcmp(&rc.rx, &rs.tx, rc.rx_len) == 0);
	OPENSSL_cleanse(&rc, sizeof(rc));
	OPENSSL_cleanse(&rs, sizeof(rs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipe c2s = { 0 }, s2c = { 0 };
	struct end cend = { &s2c, &c2s }, send = { &c2s, &s2c };
	struct ktlso_io cio = { end_read, end_write, &cend };
	struct ktlso_io sio = { end_read, end_write, &send };
	struct ktlso_config ccfg, scfg;
	struct ktlso_session *c, *s;
	struct edits ed;
	size_t moved;
	int rc = KTLSO_WANT_READ, rs = KTLSO_WANT_READ, i;

	if (size < 1)
		return 0;
	fuzz_cred_setup();
	ed = (struct edits){ .p = data + 1, .len = size - 1,
			     .client = data[0] & 1 };
	config(&ccfg, data[0], false, &ed);
	config(&scfg, data[0], true, &ed);
	check(ktlso_session_new(&c, &ccfg, KTLSO_ROLE_CLIENT, &cio) == 0);
	check(ktlso_session_new(&s, &scfg, KTLSO_ROLE_SERVER, &sio) == 0);
	for (i = 0; i < 64 && (rc > 0 || rs > 0); i++) {
		moved = c2s.len + s2c.len + c2s.off + s2c.off;
		if (rc > 0)
			rc = ktlso_session_handshake(c);
		if (rs > 0)
			rs = ktlso_session_handshake(s);
		if (moved == c2s.len + s2c.len + c2s.off + s2c.off)
			break;
	}
	check_side(c, rc);
	check_side(s, rs);
	if (rc == 0 && rs == 0)
		same_keys(c, s);
	ktlso_session_free(c);
	ktlso_session_free(s);
	free(c2s.buf);
	free(s2c.buf);
	return 0;
}
