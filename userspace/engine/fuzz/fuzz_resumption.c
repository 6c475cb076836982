// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over ktlso_resumption_tickets(): what a server sends
 * a daemon-run client after the hand-off, as the kernel forwards it. Built
 * into build/fuzz/ by "make"; "make check" runs it briefly, "make fuzz"
 * for FUZZ_SECONDS.
 *
 * Input: byte 0 is @max, byte 1 picks the suite (SHA-256 or SHA-384), the
 * rest is the record's plaintext. Beyond "no crash, no sanitizer report":
 * the return is the number of tickets handed over, at most @max, or a
 * negative alert; every ticket handed over is whole (the suite's PSK
 * length, a ticket of 1 to KTLSO_CLIENT_TICKET_MAX bytes, a lifetime of 1
 * to seven days, the resumption's names).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	const struct ktlso_resumption *r;
	int n;
};

static void check(void *arg, const struct ktlso_client_ticket *t)
{
	struct seen *s = arg;

	if (t->psk_len != s->r->secret_len || t->suite != s->r->suite ||
	    t->version != KTLSO_TLS13_VERSION || t->ticket_len < 1 ||
	    t->ticket_len > KTLSO_CLIENT_TICKET_MAX || t->lifetime < 1 ||
	    t->lifetime > KTLSO_TICKET_LIFETIME_MAX ||
	    strcmp(t->server_name, s->r->server_name) ||
	    strcmp(t->alpn, s->r->alpn) || t->auth_ms != s->r->auth_ms)
		abort();
	s->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktlso_resumption r;
	struct seen s = { .r = &r };
	unsigned int max;
	int ret;

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof(r));
	max = data[0];
	r.suite = data[1] & 1 ? 0x1302 : 0x1301;	/* AES-256-GCM-SHA384 */
	r.secret_len = data[1] & 1 ? 48 : 32;
	memset(r.secret, 0x5a, r.secret_len);
	strcpy(r.server_name, "server.example");
	strcpy(r.alpn, "h2");
	r.auth_ms = 1700000000000ull;
	ret = ktlso_resumption_tickets(&r, data + 2, size - 2,
				       1700000001000ull, max, check, &s);
	if (ret >= 0 ? ret != s.n || (unsigned int)ret > max :
		       ret < -255)
		abort();
	return 0;
}
