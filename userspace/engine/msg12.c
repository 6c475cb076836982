// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 handshake messages (RFC 5246 7.4, RFC 8422, RFC 5077) and the
 * extensions a TLS 1.2 ServerHello may answer with: parsers, writers and
 * the rules that span a message. See msg12.h. The list and span helpers
 * are the message layer's (msg_ext.h); ClientHello, CertificateVerify and
 * the Finished layout are msg13.c's.
 */
#include "engine/msg12.h"

#include <string.h>

#include "engine/alert.h"
#include "engine/keysched.h"
#include "engine/msg_ext.h"
#include "engine/suite.h"

#define BIT(e) KTLSO_EXT_BIT(KTLSO_EXT_##e)

/* RFC 8449 4: the smallest record_size_limit an endpoint may announce. */
#define RECORD_SIZE_LIMIT_MIN 64

static bool span_has_byte(const struct ktlso_span *s, uint8_t b)
{
	return s->p && s->len && memchr(s->p, b, s->len) != NULL;
}

/* --- the downgrade sentinel and ChangeCipherSpec ------------------------- */

int ktlso_tls12_downgrade_sentinel(const uint8_t random[KTLSO_RANDOM_LEN])
{
	switch (ktlso_random_downgrade(random)) {
	case KTLSO_TLS12_VERSION:
		return 1;
	case 0x0302:
		return 2;
	default:
		return 0;
	}
}

int ktlso_ccs_check(const uint8_t *body, size_t len)
{
	if (!body || len != 1 || body[0] != 1)
		return -KTLSO_ALERT_DECODE_ERROR;
	return 0;
}

/* --- ClientHello ---------------------------------------------------------- */

int ktlso_tls12_client_hello_check(const struct ktlso_client_hello *ch)
{
	if (!span_has_byte(&ch->compression_methods, 0))
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (ktlso_ext_has(&ch->ext, KTLSO_EXT_EC_POINT_FORMATS) &&
	    !span_has_byte(&ch->ec_point_formats, KTLSO_EC_POINT_UNCOMPRESSED))
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	return 0;
}

/* --- ServerHello extensions ----------------------------------------------- */

/* RFC 7301 3.1: a ProtocolNameList holding exactly one name. */
static int alpn_one_get(struct ktlso_reader *r, struct ktlso_span *name)
{
	struct ktlso_reader list, v;
	int ret;

	ktlso_get_vector(r, 2, 2, 0xffff, &list);
	ret = ktlso_get_vector(&list, 1, 1, 0xff, &v);
	if (ret == 0)
		ret = ktlso_reader_end(&list);
	if (ret)
		return ktlso_reader_fail(r);
	ktlso_span_of(&v, name);
	return 0;
}

/* RFC 8422 5.2: ECPointFormatList<1..255>, uncompressed among them. */
static int point_formats_get(struct ktlso_reader *r, struct ktlso_span *s)
{
	struct ktlso_reader v;
	int ret = ktlso_get_vector(r, 1, 1, 0xff, &v);

	if (ret)
		return ret;
	ktlso_span_of(&v, s);
	if (!span_has_byte(s, KTLSO_EC_POINT_UNCOMPRESSED))
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	return 0;
}

/* RFC 6962 3.3.1: SerializedSCT sct_list<1..2^16-1>, each <1..2^16-1>. */
static int sct_list_check(struct ktlso_reader list)
{
	struct ktlso_reader v;

	while (ktlso_reader_remaining(&list))
		if (ktlso_get_vector(&list, 2, 1, 0xffff, &v))
			return list.err;
	return 0;
}

static int sct_list_get(struct ktlso_reader *r, struct ktlso_span *s)
{
	struct ktlso_reader list;
	int ret = ktlso_get_vector(r, 2, 1, 0xffff, &list);

	if (ret == 0 && sct_list_check(list))
		ret = ktlso_reader_fail(r);
	if (ret == 0)
		ktlso_span_of(&list, s);
	return ret;
}

/* RFC 8449 4, with TLS 1.2's 2^14 as the largest value a client takes. */
static bool record_size_limit_ok(uint16_t limit)
{
	return limit >= RECORD_SIZE_LIMIT_MIN &&
	       limit <= KTLSO_TLS12_RECORD_SIZE_LIMIT_MAX;
}

/* RFC 5746 3.4: an initial handshake's renegotiated_connection is empty. */
static int renegotiation_info_get(struct ktlso_reader *r)
{
	struct ktlso_reader v;
	int ret = ktlso_get_vector(r, 1, 0, 0xff, &v);

	if (ret == 0 && v.len != 0)
		return -KTLSO_ALERT_HANDSHAKE_FAILURE;
	return ret;
}

static int sh_ext_get(struct ktlso_tls12_server_hello *sh, enum ktlso_ext e,
		      struct ktlso_reader *r)
{
	int ret;

	switch (e) {
	case KTLSO_EXT_SERVER_NAME:		/* empty acknowledgements */
	case KTLSO_EXT_STATUS_REQUEST:
	case KTLSO_EXT_EXTENDED_MASTER_SECRET:
	case KTLSO_EXT_SESSION_TICKET:
		return ktlso_reader_end(r);
	case KTLSO_EXT_EC_POINT_FORMATS:
		return point_formats_get(r, &sh->ec_point_formats);
	case KTLSO_EXT_ALPN:
		return alpn_one_get(r, &sh->alpn);
	case KTLSO_EXT_SCT:
		return sct_list_get(r, &sh->sct);
	case KTLSO_EXT_RECORD_SIZE_LIMIT:
		ret = ktlso_get_u16(r, &sh->record_size_limit);
		if (ret == 0 && !record_size_limit_ok(sh->record_size_limit))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		return ret;
	case KTLSO_EXT_RENEGOTIATION_INFO:
		return renegotiation_info_get(r);
	default:
		break;
	}
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not a TLS 1.2 SH's */
}

/*
 * Walk the ServerHello's extension block. Every extension answers one the
 * client offered, so an unknown one cannot have been; a known one was
 * offered at most once, so a repeat is caught by the set itself.
 */
static int sh_exts_get(struct ktlso_tls12_server_hello *sh,
		       struct ktlso_reader *block, uint32_t offered)
{
	int ret;

	while (ktlso_reader_remaining(block)) {
		struct ktlso_reader body;
		uint16_t code;
		int e;

		ktlso_get_u16(block, &code);
		ret = ktlso_get_vector(block, 2, 0, 0xffff, &body);
		if (ret)
			return ret;
		e = ktlso_ext_from_code(code);
		if (e < 0 || !(offered & KTLSO_EXT_BIT(e)))
			return -KTLSO_ALERT_UNSUPPORTED_EXTENSION;
		if (ktlso_ext_has(&sh->ext, (enum ktlso_ext)e) ||
		    !(KTLSO_TLS12_SH_EXTS & KTLSO_EXT_BIT(e)))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		ktlso_ext_set_add(&sh->ext, (enum ktlso_ext)e);
		ret = sh_ext_get(sh, (enum ktlso_ext)e, &body);
		if (ret == 0)
			ret = ktlso_reader_end(&body);
		if (ret)
			return ret;
	}
	return 0;
}

static int sh_ext_put(struct ktlso_writer *w,
		      const struct ktlso_tls12_server_hello *sh,
		      enum ktlso_ext e)
{
	struct ktlso_reader sct;

	switch (e) {
	case KTLSO_EXT_SERVER_NAME:
	case KTLSO_EXT_STATUS_REQUEST:
	case KTLSO_EXT_EXTENDED_MASTER_SECRET:
	case KTLSO_EXT_SESSION_TICKET:
		return w->err;
	case KTLSO_EXT_EC_POINT_FORMATS:
		if (!span_has_byte(&sh->ec_point_formats,
				   KTLSO_EC_POINT_UNCOMPRESSED))
			return ktlso_writer_invalid(w);
		return ktlso_put_span_vector(w, 1, 1, 0xff,
					     &sh->ec_point_formats);
	case KTLSO_EXT_ALPN:
		ktlso_writer_open_vector(w, 2, 2, 0xffff);
		ktlso_put_span_vector(w, 1, 1, 0xff, &sh->alpn);
		return ktlso_writer_close_vector(w);
	case KTLSO_EXT_SCT:
		ktlso_reader_init(&sct, sh->sct.p, sh->sct.len);
		if (sct_list_check(sct))
			return ktlso_writer_invalid(w);
		return ktlso_put_span_vector(w, 2, 1, 0xffff, &sh->sct);
	case KTLSO_EXT_RECORD_SIZE_LIMIT:
		if (!record_size_limit_ok(sh->record_size_limit))
			return ktlso_writer_invalid(w);
		return ktlso_put_u16(w, sh->record_size_limit);
	case KTLSO_EXT_RENEGOTIATION_INFO:
		return ktlso_put_u8(w, 0);	/* renegotiated_connection<0> */
	default:
		break;
	}
	return ktlso_writer_invalid(w);
}

/*
 * Write the extension block: none at all when ->extensions is false, else
 * ->ext in ->order when it is given (it must list exactly ->present), or
 * in enum order.
 */
static int sh_exts_put(struct ktlso_writer *w,
		       const struct ktlso_tls12_server_hello *sh)
{
	const struct ktlso_ext_set *x = &sh->ext;
	unsigned int count = x->n ? x->n : KTLSO_EXT_COUNT, i;
	uint32_t done = 0;

	if (!sh->extensions)
		return x->present || x->n ? ktlso_writer_invalid(w) : w->err;
	if (x->n > KTLSO_EXT_COUNT || (x->present & ~KTLSO_TLS12_SH_EXTS))
		return ktlso_writer_invalid(w);
	ktlso_writer_open_vector(w, 2, 0, 0xffff);
	for (i = 0; i < count && w->err == 0; i++) {
		unsigned int e = x->n ? x->order[i] : i;

		if (!x->n && !(x->present & KTLSO_EXT_BIT(e)))
			continue;
		if (e >= KTLSO_EXT_COUNT || !(x->present & KTLSO_EXT_BIT(e)) ||
		    (done & KTLSO_EXT_BIT(e)))
			return ktlso_writer_invalid(w);
		ktlso_put_u16(w, (uint16_t)ktlso_ext_code((enum ktlso_ext)e));
		ktlso_writer_open_vector(w, 2, 0, 0xffff);
		sh_ext_put(w, sh, (enum ktlso_ext)e);
		ktlso_writer_close_vector(w);
		done |= KTLSO_EXT_BIT(e);
	}
	if (w->err == 0 && done != x->present)
		return ktlso_writer_invalid(w);
	return ktlso_writer_close_vector(w);
}

/* --- ServerHello ---------------------------------------------------------- */

int ktlso_tls12_server_hello_parse(struct ktlso_tls12_server_hello *sh,
				   const struct ktlso_hs_msg *msg,
				   uint32_t offered)
{
	struct ktlso_reader r, v, exts;
	uint8_t compression;
	int ret;

	memset(sh, 0, sizeof(*sh));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_SERVER_HELLO, &r);
	if (ret)
		return ret;
	ktlso_get_u16(&r, &sh->legacy_version);
	ktlso_get_bytes(&r, sh->random, KTLSO_RANDOM_LEN);
	ktlso_get_vector(&r, 1, 0, KTLSO_SESSION_ID_MAX, &v);
	ktlso_span_of(&v, &sh->session_id);
	ktlso_get_u16(&r, &sh->cipher_suite);
	ktlso_get_u8(&r, &compression);
	ktlso_reader_init(&exts, NULL, 0);
	if (r.err == 0 && ktlso_reader_remaining(&r)) {
		sh->extensions = true;
		ktlso_get_vector(&r, 2, 0, 0xffff, &exts);
	}
	ret = ktlso_reader_end(&r);
	if (ret == 0 && sh->legacy_version != KTLSO_TLS12_VERSION)
		ret = -KTLSO_ALERT_PROTOCOL_VERSION;
	if (ret == 0 && compression != 0)
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (ret == 0)
		ret = sh_exts_get(sh, &exts, offered);
	if (ret)
		memset(sh, 0, sizeof(*sh));
	return ret;
}

int ktlso_tls12_server_hello_write(struct ktlso_writer *w,
				   const struct ktlso_tls12_server_hello *sh)
{
	int ret;

	if (sh->legacy_version != KTLSO_TLS12_VERSION)
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_SERVER_HELLO);
	ktlso_put_u16(w, sh->legacy_version);
	ktlso_put_bytes(w, sh->random, KTLSO_RANDOM_LEN);
	ktlso_put_span_vector(w, 1, 0, KTLSO_SESSION_ID_MAX, &sh->session_id);
	ktlso_put_u16(w, sh->cipher_suite);
	ktlso_put_u8(w, 0);
	ret = sh_exts_put(w, sh);
	if (ret)
		return ret;
	return ktlso_writer_close_vector(w);
}

/* --- Certificate ---------------------------------------------------------- */

/*
 * Walk a certificate_list body: every entry ASN.1Cert<1..2^24-1>. Fill
 * @out (up to @cap entries) and count them into *@n.
 */
static int cert_list_walk(const uint8_t *wire, size_t len,
			  struct ktlso_span *out, size_t cap, size_t *n)
{
	struct ktlso_reader r, cert;

	*n = 0;
	ktlso_reader_init(&r, wire, len);
	while (ktlso_reader_remaining(&r)) {
		if (ktlso_get_vector(&r, 3, 1, KTLSO_HS_MAX_BODY_LEN, &cert))
			return r.err;
		if (*n < cap)
			ktlso_span_of(&cert, &out[*n]);
		(*n)++;
	}
	return 0;
}

int ktlso_tls12_cert_list_spans(const struct ktlso_tls12_cert_list *l,
				struct ktlso_span *out, size_t cap, size_t *n)
{
	size_t i;
	int ret;

	*n = 0;
	if (l->v) {
		for (i = 0; i < l->n && i < cap; i++)
			out[i] = l->v[i];
		*n = l->n;
	} else if (l->n) {
		ret = cert_list_walk(l->wire, l->wire_len, out, cap, n);
		if (ret || *n != l->n) {
			*n = 0;
			return ret ? ret : -KTLSO_ERROR_INVALID_ARGUMENT;
		}
	}
	return *n > cap ? -KTLSO_ERROR_NO_SPACE : 0;
}

int ktlso_tls12_cert_list_at(const struct ktlso_tls12_cert_list *l, size_t i,
			     struct ktlso_span *cert)
{
	struct ktlso_reader r, v;
	size_t k;

	memset(cert, 0, sizeof(*cert));
	if (i >= l->n)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (l->v) {
		*cert = l->v[i];
		return 0;
	}
	ktlso_reader_init(&r, l->wire, l->wire_len);
	for (k = 0; k <= i; k++)
		if (ktlso_get_vector(&r, 3, 1, KTLSO_HS_MAX_BODY_LEN, &v))
			return -KTLSO_ERROR_INVALID_ARGUMENT;
	ktlso_span_of(&v, cert);
	return 0;
}

int ktlso_tls12_certificate_parse(struct ktlso_tls12_certificate *ct,
				  const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, list;
	int ret;

	memset(ct, 0, sizeof(*ct));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CERTIFICATE, &r);
	if (ret)
		return ret;
	ktlso_get_vector(&r, 3, 0, KTLSO_HS_MAX_BODY_LEN, &list);
	ret = ktlso_reader_end(&r);
	if (ret == 0)
		ret = cert_list_walk(list.buf, list.len, NULL, 0, &ct->certs.n);
	if (ret) {
		memset(ct, 0, sizeof(*ct));
		return ret;
	}
	ct->certs.wire = list.buf;
	ct->certs.wire_len = list.len;
	return 0;
}

int ktlso_tls12_certificate_write(struct ktlso_writer *w,
				  const struct ktlso_tls12_certificate *ct)
{
	const struct ktlso_tls12_cert_list *l = &ct->certs;
	size_t i, n;

	if (!l->v && l->n &&
	    (cert_list_walk(l->wire, l->wire_len, NULL, 0, &n) || n != l->n))
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_CERTIFICATE);
	ktlso_writer_open_vector(w, 3, 0, KTLSO_HS_MAX_BODY_LEN);
	if (!l->v && l->n)
		ktlso_put_bytes(w, l->wire, l->wire_len);
	for (i = 0; l->v && i < l->n && w->err == 0; i++)
		ktlso_put_span_vector(w, 3, 1, KTLSO_HS_MAX_BODY_LEN, &l->v[i]);
	ktlso_writer_close_vector(w);
	return ktlso_writer_close_vector(w);
}

/* --- ServerKeyExchange (ECDHE) -------------------------------------------- */

int ktlso_tls12_server_key_exchange_parse(
		struct ktlso_tls12_server_key_exchange *ske,
		const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, point, sig;
	uint8_t curve_type;
	int ret;

	memset(ske, 0, sizeof(*ske));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_SERVER_KEY_EXCHANGE, &r);
	if (ret)
		return ret;
	ret = ktlso_get_u8(&r, &curve_type);
	/* explicit_prime and explicit_char2 are gone (RFC 8422 5.4). */
	if (ret == 0 && curve_type != KTLSO_EC_CURVE_TYPE_NAMED)
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	ktlso_get_u16(&r, &ske->group);
	ktlso_get_vector(&r, 1, 1, 0xff, &point);
	ske->params.len = r.off;
	ktlso_get_u16(&r, &ske->algorithm);
	ktlso_get_vector(&r, 2, 0, 0xffff, &sig);
	ret = ktlso_reader_end(&r);
	if (ret) {
		memset(ske, 0, sizeof(*ske));
		return ret;
	}
	ske->params.p = msg->body.p;
	ktlso_span_of(&point, &ske->point);
	ktlso_span_of(&sig, &ske->signature);
	return 0;
}

/* ServerECDHParams: named_curve, the group, the point. */
static int ecdh_params_put(struct ktlso_writer *w,
			   const struct ktlso_tls12_server_key_exchange *ske)
{
	ktlso_put_u8(w, KTLSO_EC_CURVE_TYPE_NAMED);
	ktlso_put_u16(w, ske->group);
	return ktlso_put_span_vector(w, 1, 1, 0xff, &ske->point);
}

int ktlso_tls12_server_key_exchange_write(struct ktlso_writer *w,
		const struct ktlso_tls12_server_key_exchange *ske)
{
	ktlso_hs_msg_open(w, KTLSO_HS_SERVER_KEY_EXCHANGE);
	ecdh_params_put(w, ske);
	ktlso_put_u16(w, ske->algorithm);
	ktlso_put_span_vector(w, 2, 0, 0xffff, &ske->signature);
	return ktlso_writer_close_vector(w);
}

int ktlso_tls12_ske_signed_content(
		const struct ktlso_tls12_server_key_exchange *ske,
		const uint8_t client_random[KTLSO_RANDOM_LEN],
		const uint8_t server_random[KTLSO_RANDOM_LEN],
		uint8_t *out, size_t cap, size_t *len)
{
	struct ktlso_writer w;

	*len = 0;
	if (ske->params.len && !ske->params.p)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ktlso_writer_init(&w, out, cap);
	ktlso_put_bytes(&w, client_random, KTLSO_RANDOM_LEN);
	ktlso_put_bytes(&w, server_random, KTLSO_RANDOM_LEN);
	if (ske->params.len)
		ktlso_put_bytes(&w, ske->params.p, ske->params.len);
	else
		ecdh_params_put(&w, ske);
	return ktlso_writer_finish(&w, len);
}

/* --- CertificateRequest --------------------------------------------------- */

/* DistinguishedName<1..2^16-1> entries, back to back. */
static int authorities_check(struct ktlso_reader list)
{
	struct ktlso_reader dn;

	while (ktlso_reader_remaining(&list))
		if (ktlso_get_vector(&list, 2, 1, 0xffff, &dn))
			return list.err;
	return 0;
}

int ktlso_tls12_certificate_request_parse(
		struct ktlso_tls12_certificate_request *cr,
		const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, v, cas;
	int ret;

	memset(cr, 0, sizeof(*cr));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CERTIFICATE_REQUEST, &r);
	if (ret)
		return ret;
	ktlso_get_vector(&r, 1, 1, 0xff, &v);
	ktlso_span_of(&v, &cr->certificate_types);
	ktlso_u16_list_get(&r, 2, 2, 0xfffe, &cr->signature_algorithms);
	ktlso_get_vector(&r, 2, 0, 0xffff, &cas);
	ret = ktlso_reader_end(&r);
	if (ret == 0)
		ret = authorities_check(cas);
	if (ret) {
		memset(cr, 0, sizeof(*cr));
		return ret;
	}
	ktlso_span_of(&cas, &cr->certificate_authorities);
	return 0;
}

int ktlso_tls12_certificate_request_write(struct ktlso_writer *w,
		const struct ktlso_tls12_certificate_request *cr)
{
	struct ktlso_reader cas;

	ktlso_reader_init(&cas, cr->certificate_authorities.p,
			  cr->certificate_authorities.len);
	if (authorities_check(cas))
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_CERTIFICATE_REQUEST);
	ktlso_put_span_vector(w, 1, 1, 0xff, &cr->certificate_types);
	ktlso_u16_list_put(w, 2, 2, 0xfffe, &cr->signature_algorithms);
	ktlso_put_span_vector(w, 2, 0, 0xffff, &cr->certificate_authorities);
	return ktlso_writer_close_vector(w);
}

/* --- HelloRequest -------------------------------------------------------- */

int ktlso_tls12_hello_request_parse(const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r;
	int ret = ktlso_hs_msg_body(msg, KTLSO_HS_HELLO_REQUEST, &r);

	return ret ? ret : ktlso_reader_end(&r);
}

int ktlso_tls12_hello_request_write(struct ktlso_writer *w)
{
	ktlso_hs_msg_open(w, KTLSO_HS_HELLO_REQUEST);
	return ktlso_writer_close_vector(w);
}

/* --- ServerHelloDone ------------------------------------------------------ */

int ktlso_tls12_server_hello_done_parse(const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r;
	int ret = ktlso_hs_msg_body(msg, KTLSO_HS_SERVER_HELLO_DONE, &r);

	return ret ? ret : ktlso_reader_end(&r);
}

int ktlso_tls12_server_hello_done_write(struct ktlso_writer *w)
{
	ktlso_hs_msg_open(w, KTLSO_HS_SERVER_HELLO_DONE);
	return ktlso_writer_close_vector(w);
}

/* --- ClientKeyExchange (ECDHE) -------------------------------------------- */

int ktlso_tls12_client_key_exchange_parse(
		struct ktlso_tls12_client_key_exchange *cke,
		const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, point;
	int ret;

	memset(cke, 0, sizeof(*cke));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CLIENT_KEY_EXCHANGE, &r);
	if (ret)
		return ret;
	ktlso_get_vector(&r, 1, 1, 0xff, &point);
	ret = ktlso_reader_end(&r);
	if (ret == 0)
		ktlso_span_of(&point, &cke->point);
	return ret;
}

int ktlso_tls12_client_key_exchange_write(struct ktlso_writer *w,
		const struct ktlso_tls12_client_key_exchange *cke)
{
	ktlso_hs_msg_open(w, KTLSO_HS_CLIENT_KEY_EXCHANGE);
	ktlso_put_span_vector(w, 1, 1, 0xff, &cke->point);
	return ktlso_writer_close_vector(w);
}

/* --- Finished ------------------------------------------------------------- */

int ktlso_tls12_finished_parse(struct ktlso_finished *fin,
			       const struct ktlso_hs_msg *msg)
{
	return ktlso_finished_parse(fin, msg, KTLSO_TLS12_VERIFY_DATA_LEN);
}

int ktlso_tls12_finished_write(struct ktlso_writer *w,
			       const struct ktlso_finished *fin)
{
	if (fin->verify_data.len != KTLSO_TLS12_VERIFY_DATA_LEN)
		return ktlso_writer_invalid(w);
	return ktlso_finished_write(w, fin);
}

/* --- NewSessionTicket ----------------------------------------------------- */

int ktlso_tls12_new_session_ticket_parse(
		struct ktlso_tls12_new_session_ticket *nst,
		const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, ticket;
	int ret;

	memset(nst, 0, sizeof(*nst));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_NEW_SESSION_TICKET, &r);
	if (ret)
		return ret;
	ktlso_get_u32(&r, &nst->lifetime_hint);
	ktlso_get_vector(&r, 2, 0, 0xffff, &ticket);
	ret = ktlso_reader_end(&r);
	if (ret) {
		memset(nst, 0, sizeof(*nst));
		return ret;
	}
	ktlso_span_of(&ticket, &nst->ticket);
	return 0;
}

int ktlso_tls12_new_session_ticket_write(struct ktlso_writer *w,
		const struct ktlso_tls12_new_session_ticket *nst)
{
	ktlso_hs_msg_open(w, KTLSO_HS_NEW_SESSION_TICKET);
	ktlso_put_u32(w, nst->lifetime_hint);
	ktlso_put_span_vector(w, 2, 0, 0xffff, &nst->ticket);
	return ktlso_writer_close_vector(w);
}
