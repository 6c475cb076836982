// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the TLS 1.2 message parsers (msg12.h), the
 * ClientHello's TLS 1.2 check and the ChangeCipherSpec check. Built into
 * build/fuzz/ by "make"; "make fuzz" runs it with run.sh. By hand:
 *
 *	make userspace
 *	build/fuzz/fuzz_msg12 -max_total_time=60
 *
 * Every input goes through every parser: bytes 0..3 are the offered
 * extension set a ServerHello is parsed against, the whole input is the
 * body. The oracles, beyond "no crash, no sanitizer report":
 *   - a parser fails with a negative alert or succeeds, nothing else;
 *   - the TLS 1.2 parsers keep nothing unknown, so a message they accept
 *     is written back as the very same body;
 *   - a ClientHello written back parses again and is then a fixed point
 *     (unknown extensions are dropped on the first write);
 *   - the spans a parser hands out lie inside the body, the extension set
 *     of a ServerHello is within what was offered and what TLS 1.2 allows,
 *     the signed content of a ServerKeyExchange is its randoms and params.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/msg.h"
#include "engine/msg12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Output room: a body written back is never longer than the input. */
#define ROOM(len) ((len) + KTLSO_HS_HEADER_LEN + 16)

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_ret(int ret)
{
	check(ret == 0 || (ret < 0 && ret > -KTLSO_ERROR_BASE));
}

/* Is @s empty or inside @body? */
static bool inside(const struct ktlso_span *s, const struct ktlso_hs_msg *m)
{
	if (s->len == 0)
		return true;
	return s->p >= m->body.p && s->len <= m->body.len &&
	       (size_t)(s->p - m->body.p) <= m->body.len - s->len;
}

/*
 * The body of @msg written back by a writer into @w: the same bytes as
 * the input, framed as a message of the same type.
 */
static void same_as_input(const struct ktlso_hs_msg *msg,
			  struct ktlso_writer *w, int ret)
{
	size_t len;

	check(ret == 0);
	check(ktlso_writer_finish(w, &len) == 0);
	check(len == msg->raw.len && memcmp(w->buf, msg->raw.p, len) == 0);
}

/* The framing of a message of @type around @body, in a fresh buffer. */
static uint8_t *frame(uint8_t type, const uint8_t *body, size_t len,
		      struct ktlso_hs_msg *msg)
{
	uint8_t *buf = malloc(len + KTLSO_HS_HEADER_LEN);

	check(buf != NULL);
	buf[0] = type;
	buf[1] = (uint8_t)(len >> 16);
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	if (len)
		memcpy(buf + KTLSO_HS_HEADER_LEN, body, len);
	check(ktlso_hs_msg_split(msg, buf, len + KTLSO_HS_HEADER_LEN) == 0);
	return buf;
}

static void server_hello(const struct ktlso_hs_msg *msg, uint32_t offered,
			 struct ktlso_writer *w)
{
	struct ktlso_tls12_server_hello sh;
	int ret = ktlso_tls12_server_hello_parse(&sh, msg, offered);

	check_ret(ret);
	if (ret)
		return;
	check(!(sh.ext.present & ~offered));
	check(!(sh.ext.present & ~KTLSO_TLS12_SH_EXTS));
	check(inside(&sh.session_id, msg) && inside(&sh.alpn, msg) &&
	      inside(&sh.ec_point_formats, msg) && inside(&sh.sct, msg));
	check(ktlso_tls12_downgrade_sentinel(sh.random) <= 2);
	same_as_input(msg, w, ktlso_tls12_server_hello_write(w, &sh));
}

static void certificate(const struct ktlso_hs_msg *msg,
			struct ktlso_writer *w)
{
	struct ktlso_tls12_certificate ct;
	struct ktlso_span spans[8], one;
	size_t n, i;
	int ret = ktlso_tls12_certificate_parse(&ct, msg);

	check_ret(ret);
	if (ret)
		return;
	ret = ktlso_tls12_cert_list_spans(&ct.certs, spans, 8, &n);
	check(n == ct.certs.n);
	check(ret == (n > 8 ? -KTLSO_ERROR_NO_SPACE : 0));
	for (i = 0; i < n && i < 8; i++) {
		check(spans[i].len > 0 && inside(&spans[i], msg));
		check(ktlso_tls12_cert_list_at(&ct.certs, i, &one) == 0);
		check(one.p == spans[i].p && one.len == spans[i].len);
	}
	same_as_input(msg, w, ktlso_tls12_certificate_write(w, &ct));
}

static void server_key_exchange(const struct ktlso_hs_msg *msg,
				struct ktlso_writer *w)
{
	static const uint8_t cr[KTLSO_RANDOM_LEN] = { 1 }, sr[KTLSO_RANDOM_LEN];
	uint8_t content[KTLSO_TLS12_SKE_SIGNED_MAX];
	struct ktlso_tls12_server_key_exchange ske;
	size_t len;
	int ret = ktlso_tls12_server_key_exchange_parse(&ske, msg);

	check_ret(ret);
	if (ret)
		return;
	check(ske.params.p == msg->body.p &&
	      ske.params.len == 4 + ske.point.len);
	check(inside(&ske.point, msg) && inside(&ske.signature, msg));
	check(ktlso_tls12_ske_signed_content(&ske, cr, sr, content,
					     sizeof(content), &len) == 0);
	check(len == 2 * KTLSO_RANDOM_LEN + ske.params.len &&
	      memcmp(content + 2 * KTLSO_RANDOM_LEN, ske.params.p,
		     ske.params.len) == 0);
	same_as_input(msg, w, ktlso_tls12_server_key_exchange_write(w, &ske));
}

static void certificate_request(const struct ktlso_hs_msg *msg,
				struct ktlso_writer *w)
{
	struct ktlso_tls12_certificate_request cr;
	int ret = ktlso_tls12_certificate_request_parse(&cr, msg);

	check_ret(ret);
	if (ret)
		return;
	check(cr.certificate_types.len > 0 && cr.signature_algorithms.n > 0);
	same_as_input(msg, w, ktlso_tls12_certificate_request_write(w, &cr));
}

static void server_hello_done(const struct ktlso_hs_msg *msg,
			      struct ktlso_writer *w)
{
	int ret = ktlso_tls12_server_hello_done_parse(msg);

	check_ret(ret);
	check((ret == 0) == (msg->body.len == 0));
	if (ret == 0)
		same_as_input(msg, w, ktlso_tls12_server_hello_done_write(w));
}

static void hello_request(const struct ktlso_hs_msg *msg,
			  struct ktlso_writer *w)
{
	int ret = ktlso_tls12_hello_request_parse(msg);

	check_ret(ret);
	check((ret == 0) == (msg->body.len == 0));
	if (ret == 0)
		same_as_input(msg, w, ktlso_tls12_hello_request_write(w));
}

static void client_key_exchange(const struct ktlso_hs_msg *msg,
				struct ktlso_writer *w)
{
	struct ktlso_tls12_client_key_exchange cke;
	int ret = ktlso_tls12_client_key_exchange_parse(&cke, msg);

	check_ret(ret);
	if (ret == 0)
		same_as_input(msg, w,
			      ktlso_tls12_client_key_exchange_write(w, &cke));
}

static void finished(const struct ktlso_hs_msg *msg, struct ktlso_writer *w)
{
	struct ktlso_finished fin;
	int ret = ktlso_tls12_finished_parse(&fin, msg);

	check_ret(ret);
	check((ret == 0) == (msg->body.len == 12));
	if (ret == 0)
		same_as_input(msg, w, ktlso_tls12_finished_write(w, &fin));
}

/* msg.h's parser: TLS 1.2 has the same CertificateVerify. */
static void certificate_verify(const struct ktlso_hs_msg *msg,
			       struct ktlso_writer *w)
{
	struct ktlso_certificate_verify cv;
	int ret = ktlso_certificate_verify_parse(&cv, msg);

	check_ret(ret);
	if (ret == 0)
		same_as_input(msg, w, ktlso_certificate_verify_write(w, &cv));
}

static void new_session_ticket(const struct ktlso_hs_msg *msg)
{
	struct ktlso_tls12_new_session_ticket nst;
	int ret = ktlso_tls12_new_session_ticket_parse(&nst, msg);

	check_ret(ret);
	if (ret == 0)
		check(inside(&nst.ticket, msg) &&
		      nst.ticket.len + 6 == msg->body.len);
}

/*
 * Write @ch into a fresh buffer of @cap bytes: the buffer, or NULL with
 * the writer's error in *@err.
 */
static uint8_t *client_hello_encode(const struct ktlso_client_hello *ch,
				    size_t cap, size_t *len, int *err)
{
	uint8_t *buf = malloc(cap);
	struct ktlso_writer w;

	check(buf != NULL);
	ktlso_writer_init(&w, buf, cap);
	*err = ktlso_client_hello_write(&w, ch);
	if (*err == 0)
		*err = ktlso_writer_finish(&w, len);
	if (*err) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The ClientHello parser is msg13.c's; here its TLS 1.2 side: the check a
 * TLS 1.2 server makes, and ec_point_formats through a write and a parse.
 * The writer may refuse what the parser took (a server_name list without
 * a host_name has nothing to write back), never for want of room.
 */
static void client_hello(const struct ktlso_hs_msg *msg)
{
	struct ktlso_client_hello ch, again;
	struct ktlso_hs_msg m1, m2;
	uint8_t *out1, *out2;
	size_t len1, len2;
	int ret = ktlso_client_hello_parse(&ch, msg);

	check_ret(ret);
	if (ret)
		return;
	check_ret(ktlso_tls12_client_hello_check(&ch));
	check(inside(&ch.ec_point_formats, msg));
	out1 = client_hello_encode(&ch, ROOM(msg->body.len), &len1, &ret);
	if (!out1) {
		check(ret == -KTLSO_ERROR_INVALID_ARGUMENT);
		return;
	}
	check(ktlso_hs_msg_split(&m1, out1, len1) == 0);
	check(ktlso_client_hello_parse(&again, &m1) == 0);
	check(again.ext.present == ch.ext.present);
	check(again.ec_point_formats.len == ch.ec_point_formats.len &&
	      (ch.ec_point_formats.len == 0 ||
	       memcmp(again.ec_point_formats.p, ch.ec_point_formats.p,
		      ch.ec_point_formats.len) == 0));
	check(ktlso_tls12_client_hello_check(&again) ==
	      ktlso_tls12_client_hello_check(&ch));
	out2 = client_hello_encode(&again, ROOM(len1), &len2, &ret);
	check(out2 != NULL);
	check(ktlso_hs_msg_split(&m2, out2, len2) == 0);
	check(len1 == len2 && memcmp(out1, out2, len1) == 0);
	free(out2);
	free(out1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = {
		KTLSO_HS_CLIENT_HELLO, KTLSO_HS_SERVER_HELLO,
		KTLSO_HS_CERTIFICATE, KTLSO_HS_SERVER_KEY_EXCHANGE,
		KTLSO_HS_CERTIFICATE_REQUEST, KTLSO_HS_SERVER_HELLO_DONE,
		KTLSO_HS_CLIENT_KEY_EXCHANGE, KTLSO_HS_CERTIFICATE_VERIFY,
		KTLSO_HS_FINISHED, KTLSO_HS_NEW_SESSION_TICKET,
		KTLSO_HS_HELLO_REQUEST,
	};
	struct ktlso_hs_msg msg;
	struct ktlso_writer w;
	uint32_t offered = 0;
	uint8_t *framed, *out;
	size_t i;

	if (size > KTLSO_HS_MAX_BODY_LEN)
		return 0;
	for (i = 0; i < 4 && i < size; i++)
		offered = offered << 8 | data[i];
	check((ktlso_ccs_check(data, size) == 0) ==
	      (size == 1 && data[0] == 1));
	out = malloc(ROOM(size));
	check(out != NULL);
	for (i = 0; i < sizeof(types); i++) {
		framed = frame(types[i], data, size, &msg);
		ktlso_writer_init(&w, out, ROOM(size));
		switch (types[i]) {
		case KTLSO_HS_CLIENT_HELLO:
			client_hello(&msg);
			break;
		case KTLSO_HS_SERVER_HELLO:
			server_hello(&msg, offered, &w);
			break;
		case KTLSO_HS_CERTIFICATE:
			certificate(&msg, &w);
			break;
		case KTLSO_HS_SERVER_KEY_EXCHANGE:
			server_key_exchange(&msg, &w);
			break;
		case KTLSO_HS_CERTIFICATE_REQUEST:
			certificate_request(&msg, &w);
			break;
		case KTLSO_HS_SERVER_HELLO_DONE:
			server_hello_done(&msg, &w);
			break;
		case KTLSO_HS_CLIENT_KEY_EXCHANGE:
			client_key_exchange(&msg, &w);
			break;
		case KTLSO_HS_CERTIFICATE_VERIFY:
			certificate_verify(&msg, &w);
			break;
		case KTLSO_HS_FINISHED:
			finished(&msg, &w);
			break;
		case KTLSO_HS_NEW_SESSION_TICKET:
			new_session_ticket(&msg);
			break;
		case KTLSO_HS_HELLO_REQUEST:
			hello_request(&msg, &w);
			break;
		}
		free(framed);
	}
	free(out);
	return 0;
}
