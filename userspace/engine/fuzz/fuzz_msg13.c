// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the TLS 1.3 handshake message parsers and the
 * handshake reader. Built into build/fuzz/ by "make"; "make check" runs it
 * briefly, "make fuzz" for FUZZ_SECONDS. By hand:
 *
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *	      -Iuserspace -Iinclude -Iinclude/uapi \
 *	      userspace/engine/fuzz/fuzz_msg13.c $(ls userspace/engine/[a-z]*.c) \
 *	      -lcrypto -o build/fuzz_msg13
 *	build/fuzz_msg13 -max_total_time=60
 *
 * Input: byte 0 picks the target, bytes 1..4 the offered extension set,
 * the rest is a message body (or, for the reader, a byte stream cut into
 * records at the lengths its own first bytes give). Beyond "no crash, no
 * sanitizer report", every message that parses and can be written back
 * must parse again and write back to the very same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum target {
	T_CH, T_SH, T_EE, T_CT, T_CR, T_CV, T_FIN, T_NST, T_KU, T_READER,
	T_COUNT
};

static const uint8_t target_type[T_COUNT] = {
	[T_CH] = KTLSO_HS_CLIENT_HELLO,
	[T_SH] = KTLSO_HS_SERVER_HELLO,
	[T_EE] = KTLSO_HS_ENCRYPTED_EXTENSIONS,
	[T_CT] = KTLSO_HS_CERTIFICATE,
	[T_CR] = KTLSO_HS_CERTIFICATE_REQUEST,
	[T_CV] = KTLSO_HS_CERTIFICATE_VERIFY,
	[T_FIN] = KTLSO_HS_FINISHED,
	[T_NST] = KTLSO_HS_NEW_SESSION_TICKET,
	[T_KU] = KTLSO_HS_KEY_UPDATE,
};

union parsed {
	struct ktlso_client_hello ch;
	struct ktlso_server_hello sh;
	struct ktlso_encrypted_extensions ee;
	struct ktlso_certificate ct;
	struct ktlso_certificate_request cr;
	struct ktlso_certificate_verify cv;
	struct ktlso_finished fin;
	struct ktlso_new_session_ticket nst;
	struct ktlso_key_update ku;
};

static int parse(enum target t, union parsed *u,
		 const struct ktlso_hs_msg *msg, uint32_t offered)
{
	switch (t) {
	case T_CH: return ktlso_client_hello_parse(&u->ch, msg);
	case T_SH: return ktlso_server_hello_parse(&u->sh, msg, offered);
	case T_EE: return ktlso_encrypted_extensions_parse(&u->ee, msg, offered);
	case T_CT: return ktlso_certificate_parse(&u->ct, msg, offered);
	case T_CR: return ktlso_certificate_request_parse(&u->cr, msg);
	case T_CV: return ktlso_certificate_verify_parse(&u->cv, msg);
	case T_FIN: return ktlso_finished_parse(&u->fin, msg, 32);
	case T_NST: return ktlso_new_session_ticket_parse(&u->nst, msg);
	case T_KU: return ktlso_key_update_parse(&u->ku, msg);
	default: return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
}

static int write_msg(enum target t, const union parsed *u,
		     struct ktlso_writer *w)
{
	switch (t) {
	case T_CH: return ktlso_client_hello_write(w, &u->ch);
	case T_SH: return ktlso_server_hello_write(w, &u->sh);
	case T_EE: return ktlso_encrypted_extensions_write(w, &u->ee);
	case T_CT: return ktlso_certificate_write(w, &u->ct);
	case T_CR: return ktlso_certificate_request_write(w, &u->cr);
	case T_CV: return ktlso_certificate_verify_write(w, &u->cv);
	case T_FIN: return ktlso_finished_write(w, &u->fin);
	case T_NST: return ktlso_new_session_ticket_write(w, &u->nst);
	case T_KU: return ktlso_key_update_write(w, &u->ku);
	default: return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
}

/* Write @u into a fresh buffer; return it (malloc'd) or NULL. */
static uint8_t *encode(enum target t, const union parsed *u, size_t cap,
		       size_t *len)
{
	uint8_t *buf = malloc(cap);
	struct ktlso_writer w;

	if (!buf)
		abort();
	ktlso_writer_init(&w, buf, cap);
	if (write_msg(t, u, &w) || ktlso_writer_finish(&w, len)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void fuzz_message(enum target t, const uint8_t *body, size_t len,
			 uint32_t offered)
{
	union parsed a, b;
	struct ktlso_hs_msg msg;
	uint8_t *framed, *out1, *out2;
	size_t cap = len + 64, len1, len2;
	int ret;

	framed = malloc(len + KTLSO_HS_HEADER_LEN);
	if (!framed)
		abort();
	framed[0] = target_type[t];
	framed[1] = (uint8_t)(len >> 16);
	framed[2] = (uint8_t)(len >> 8);
	framed[3] = (uint8_t)len;
	if (len)
		memcpy(framed + KTLSO_HS_HEADER_LEN, body, len);
	if (ktlso_hs_msg_split(&msg, framed, len + KTLSO_HS_HEADER_LEN))
		abort();
	ret = parse(t, &a, &msg, offered);
	if (ret > 0)
		abort();
	if (ret == 0) {
		out1 = encode(t, &a, cap, &len1);
		if (out1) {
			if (ktlso_hs_msg_split(&msg, out1, len1) ||
			    parse(t, &b, &msg, offered) != 0)
				abort();
			out2 = encode(t, &b, cap, &len2);
			if (!out2 || len1 != len2 || memcmp(out1, out2, len1))
				abort();
			free(out2);
			free(out1);
		}
	}
	free(framed);
}

/* Cut @data into records: each record's length is its first byte + 1. */
static void fuzz_reader(const uint8_t *data, size_t size)
{
	struct ktlso_hs_reader hr;
	struct ktlso_hs_msg msg;
	size_t off = 0;
	int ret;

	if (ktlso_hs_reader_init(&hr, 1024))
		abort();
	while (off < size) {
		size_t n = (size_t)data[off] + 1;

		off++;
		if (n > size - off)
			n = size - off;
		if (n == 0)
			break;
		if (ktlso_hs_reader_feed(&hr, data + off, n))
			break;
		off += n;
		while ((ret = ktlso_hs_reader_next(&hr, &msg)) == 1)
			if (msg.body.len > 1024 ||
			    msg.raw.len != msg.body.len + KTLSO_HS_HEADER_LEN)
				abort();
		if (ret < 0)
			break;
	}
	ktlso_hs_reader_free(&hr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum target t;
	uint32_t offered;

	if (size < 5)
		return 0;
	t = (enum target)(data[0] % T_COUNT);
	offered = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
		  (uint32_t)data[3] << 8 | data[4];
	if (t == T_READER)
		fuzz_reader(data + 5, size - 5);
	else
		fuzz_message(t, data + 5, size - 5, offered);
	return 0;
}
