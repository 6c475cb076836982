// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the TLS 1.2 handshake state machines (and the
 * version negotiation that leads to them): an engine client or server
 * reads the fuzzer's bytes as its peer's records. Built into build/fuzz/
 * by "make"; "make check" runs it briefly, "make fuzz" for FUZZ_SECONDS.
 *
 * Input: byte 0 picks the role and the configuration (bit 0: server;
 * bit 1: TLS 1.3 allowed too; bit 2: a server asks for a client
 * certificate; bit 3: ALPN h2 and http/1.1); the rest is a list of records, each "type(1) length(1)
 * body", framed into TLS records as the engine reads them (so that the
 * fuzzer spends its time in the handshake, not in the record header).
 * Randoms and the x25519 key are fixed (fuzz_fixtures.h), so that the
 * engine's flight, and with it the keys of the records that follow, is
 * the same in every run: a corpus entry that got past ServerHello keeps
 * doing so.
 *
 * Beyond "no crash, no leak, no sanitizer report": the handshake ends
 * with KTLSO_WANT_READ, success, end of input, or an alert, and a failed
 * session reports the alert it sent (or received) and no keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "engine/alert.h"
#include "engine/engine.h"
#include "fuzz_fixtures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	fuzz_cred_setup();
	server = data[0] & 1;
	ktlso_config_init(&cfg);
	check(ktlso_config_set_versions(&cfg, "1.2",
					data[0] & 2 ? "1.3" : "1.2") == 0);
	cfg.test.random = fuzz_fixed_random;
	cfg.test.kex_generate = fuzz_fixed_kex;
	if (data[0] & 8)
		check(ktlso_config_set_alpn(&cfg, "h2,http/1.1") == 0);
	if (server) {
		cfg.creds = &fuzz_cred;
		cfg.n_creds = 1;
		cfg.trust = &fuzz_trust;
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
