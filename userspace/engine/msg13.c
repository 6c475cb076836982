// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 handshake messages (RFC 8446 section 4): parsers and writers.
 * See msg.h. Extension bodies are in ext13.c; this file holds the message
 * layouts and the checks that span a whole message.
 */
#include "engine/msg.h"

#include <string.h>

#include "engine/alert.h"
#include "engine/msg_ext.h"
#include "engine/suite.h"

const uint8_t ktlso_hrr_random[KTLSO_RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* "DOWNGRD" followed by 0x01 (TLS 1.2) or 0x00 (TLS 1.1 and below). */
static const uint8_t downgrade_prefix[7] = {
	0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44,
};

uint16_t ktlso_random_downgrade(const uint8_t random[KTLSO_RANDOM_LEN])
{
	const uint8_t *tail = random + KTLSO_RANDOM_LEN - 8;

	if (memcmp(tail, downgrade_prefix, sizeof(downgrade_prefix)) != 0)
		return 0;
	if (tail[7] == 0x01)
		return KTLSO_TLS12_VERSION;
	if (tail[7] == 0x00)
		return 0x0302;
	return 0;
}

int ktlso_hs_msg_body(const struct ktlso_hs_msg *msg, uint8_t type,
		      struct ktlso_reader *r)
{
	ktlso_reader_init(r, msg->body.p, msg->body.len);
	if (msg->type != type)
		return -KTLSO_ALERT_UNEXPECTED_MESSAGE;
	return 0;
}

int ktlso_hs_msg_open(struct ktlso_writer *w, uint8_t type)
{
	int ret = ktlso_put_u8(w, type);

	if (ret == 0)
		ret = ktlso_writer_open_vector(w, 3, 0, KTLSO_HS_MAX_BODY_LEN);
	return ret;
}

/* --- ClientHello ---------------------------------------------------------- */

/* The checks RFC 8446 4.1.2 and 9.2 make of a ClientHello offering 1.3. */
static int client_hello_check13(const struct ktlso_client_hello *ch)
{
	const struct ktlso_ext_set *x = &ch->ext;
	bool psk = ktlso_ext_has(x, KTLSO_EXT_PRE_SHARED_KEY);
	bool groups = ktlso_ext_has(x, KTLSO_EXT_SUPPORTED_GROUPS);
	bool shares = ktlso_ext_has(x, KTLSO_EXT_KEY_SHARE);

	if (ch->compression_methods.len != 1 ||
	    ch->compression_methods.p[0] != 0)
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (psk && !ktlso_ext_has(x, KTLSO_EXT_PSK_KEY_EXCHANGE_MODES))
		return -KTLSO_ALERT_MISSING_EXTENSION;
	if (!psk && (!groups ||
		     !ktlso_ext_has(x, KTLSO_EXT_SIGNATURE_ALGORITHMS)))
		return -KTLSO_ALERT_MISSING_EXTENSION;
	if (groups != shares)
		return -KTLSO_ALERT_MISSING_EXTENSION;
	return ktlso_client_hello_check_shares(ch);
}

/**
 * ktlso_client_hello_parse() - parse a ClientHello
 * @ch: the result; borrows from @msg
 * @msg: a handshake message
 *
 * Accepts a ClientHello of any version (a TLS 1.2 ClientHello may have no
 * extensions at all). When supported_versions offers TLS 1.3, the
 * ClientHello is also held to RFC 8446: null compression only, and the
 * mandatory extensions present together. Unknown extensions are ignored.
 *
 * Return: 0 or a negative alert.
 */
int ktlso_client_hello_parse(struct ktlso_client_hello *ch,
			     const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, v;
	int ret;

	memset(ch, 0, sizeof(*ch));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CLIENT_HELLO, &r);
	if (ret)
		return ret;
	ktlso_get_u16(&r, &ch->legacy_version);
	ktlso_get_bytes(&r, ch->random, KTLSO_RANDOM_LEN);
	ktlso_get_vector(&r, 1, 0, KTLSO_SESSION_ID_MAX, &v);
	ktlso_span_of(&v, &ch->session_id);
	ret = ktlso_u16_list_get(&r, 2, 2, 0xfffe, &ch->cipher_suites);
	if (ret)
		goto fail;
	ret = ktlso_get_vector(&r, 1, 1, 0xff, &v);
	ktlso_span_of(&v, &ch->compression_methods);
	if (ret)
		goto fail;
	if (ktlso_reader_remaining(&r)) {
		ret = ktlso_get_vector(&r, 2, 0, 0xffff, &v);
		if (ret == 0)
			ret = ktlso_client_hello_exts(ch, &v);
		if (ret)
			goto fail;
	}
	ret = ktlso_reader_end(&r);
	if (ret == 0 && ktlso_u16_list_has(&ch->supported_versions,
					   KTLSO_TLS13_VERSION))
		ret = client_hello_check13(ch);
fail:
	if (ret)
		memset(ch, 0, sizeof(*ch));
	return ret;
}

int ktlso_client_hello_write(struct ktlso_writer *w,
			     const struct ktlso_client_hello *ch)
{
	int ret;

	ktlso_hs_msg_open(w, KTLSO_HS_CLIENT_HELLO);
	ktlso_put_u16(w, ch->legacy_version);
	ktlso_put_bytes(w, ch->random, KTLSO_RANDOM_LEN);
	ktlso_put_span_vector(w, 1, 0, KTLSO_SESSION_ID_MAX, &ch->session_id);
	ktlso_u16_list_put(w, 2, 2, 0xfffe, &ch->cipher_suites);
	ktlso_put_span_vector(w, 1, 1, 0xff, &ch->compression_methods);
	ret = ktlso_client_hello_write_exts(w, ch);
	if (ret)
		return ret;
	return ktlso_writer_close_vector(w);
}

/* --- ServerHello and HelloRetryRequest ------------------------------------ */

/**
 * ktlso_server_hello_parse() - parse a TLS 1.3 ServerHello or HRR
 * @sh: the result; borrows from @msg; ->hrr tells which of the two
 * @msg: a handshake message
 * @offered: the extensions of the ClientHello this answers
 *
 * Return: 0 or a negative alert; protocol_version for a ServerHello
 * without supported_versions (a TLS 1.2 or older server: not this
 * parser's), illegal_parameter for one that selects a version other than
 * TLS 1.3, missing_extension for a ServerHello with neither key_share nor
 * pre_shared_key, illegal_parameter for an HRR that would change nothing.
 */
int ktlso_server_hello_parse(struct ktlso_server_hello *sh,
			     const struct ktlso_hs_msg *msg, uint32_t offered)
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
	if (r.err == 0 && ktlso_reader_remaining(&r))
		ktlso_get_vector(&r, 2, 0, 0xffff, &exts);
	ret = ktlso_reader_end(&r);
	if (ret)
		goto fail;
	if (compression != 0) {
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
		goto fail;
	}
	sh->hrr = memcmp(sh->random, ktlso_hrr_random, KTLSO_RANDOM_LEN) == 0;
	ret = ktlso_server_hello_exts(sh, &exts, offered);
	if (ret)
		goto fail;
	if (sh->selected_version != KTLSO_TLS13_VERSION)
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
	else if (sh->hrr && !ktlso_ext_has(&sh->ext, KTLSO_EXT_KEY_SHARE) &&
		 !ktlso_ext_has(&sh->ext, KTLSO_EXT_COOKIE))
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
	else if (!sh->hrr && !ktlso_ext_has(&sh->ext, KTLSO_EXT_KEY_SHARE) &&
		 !ktlso_ext_has(&sh->ext, KTLSO_EXT_PRE_SHARED_KEY))
		ret = -KTLSO_ALERT_MISSING_EXTENSION;
fail:
	if (ret)
		memset(sh, 0, sizeof(*sh));
	return ret;
}

/* An HRR is written with the HRR random, whatever ->random holds. */
int ktlso_server_hello_write(struct ktlso_writer *w,
			     const struct ktlso_server_hello *sh)
{
	int ret;

	ktlso_hs_msg_open(w, KTLSO_HS_SERVER_HELLO);
	ktlso_put_u16(w, sh->legacy_version);
	ktlso_put_bytes(w, sh->hrr ? ktlso_hrr_random : sh->random,
			KTLSO_RANDOM_LEN);
	ktlso_put_span_vector(w, 1, 0, KTLSO_SESSION_ID_MAX, &sh->session_id);
	ktlso_put_u16(w, sh->cipher_suite);
	ktlso_put_u8(w, 0);
	ret = ktlso_server_hello_write_exts(w, sh);
	if (ret)
		return ret;
	return ktlso_writer_close_vector(w);
}

/* --- EncryptedExtensions -------------------------------------------------- */

int ktlso_encrypted_extensions_parse(struct ktlso_encrypted_extensions *ee,
				     const struct ktlso_hs_msg *msg,
				     uint32_t offered)
{
	struct ktlso_reader r, exts;
	int ret;

	memset(ee, 0, sizeof(*ee));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_ENCRYPTED_EXTENSIONS, &r);
	if (ret)
		return ret;
	ktlso_get_vector(&r, 2, 0, 0xffff, &exts);
	ret = ktlso_reader_end(&r);
	if (ret == 0)
		ret = ktlso_encrypted_extensions_exts(ee, &exts, offered);
	if (ret)
		memset(ee, 0, sizeof(*ee));
	return ret;
}

int ktlso_encrypted_extensions_write(struct ktlso_writer *w,
				     const struct ktlso_encrypted_extensions *ee)
{
	int ret;

	ktlso_hs_msg_open(w, KTLSO_HS_ENCRYPTED_EXTENSIONS);
	ret = ktlso_encrypted_extensions_write_exts(w, ee);
	if (ret)
		return ret;
	return ktlso_writer_close_vector(w);
}

/* --- Certificate ---------------------------------------------------------- */

/**
 * ktlso_certificate_parse() - parse a Certificate (X.509 entries)
 * @ct: the result; borrows from @msg
 * @msg: a handshake message
 * @offered: status_request and signed_certificate_timestamp may answer
 *	     only what the ClientHello (or CertificateRequest) held
 *
 * An empty certificate_list is valid here: only a client may send one, and
 * whether that is acceptable is the handshake's decision (a client answers
 * an empty server Certificate with decode_error, RFC 8446 4.4.2.4).
 *
 * Return: 0 or a negative alert.
 */
int ktlso_certificate_parse(struct ktlso_certificate *ct,
			    const struct ktlso_hs_msg *msg, uint32_t offered)
{
	struct ktlso_reader r, v, list;
	int ret;

	memset(ct, 0, sizeof(*ct));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CERTIFICATE, &r);
	if (ret)
		return ret;
	ktlso_get_vector(&r, 1, 0, 0xff, &v);
	ktlso_span_of(&v, &ct->context);
	ktlso_get_vector(&r, 3, 0, KTLSO_HS_MAX_BODY_LEN, &list);
	ret = ktlso_reader_end(&r);
	if (ret)
		goto fail;
	ct->certs.wire = list.buf;
	ct->certs.wire_len = list.len;
	while (ktlso_reader_remaining(&list)) {
		struct ktlso_reader data, exts;

		ktlso_get_vector(&list, 3, 1, KTLSO_HS_MAX_BODY_LEN, &data);
		ret = ktlso_get_vector(&list, 2, 0, 0xffff, &exts);
		if (ret == 0)
			ret = ktlso_cert_entry_exts(&exts, offered);
		if (ret)
			goto fail;
		ct->certs.n++;
	}
fail:
	if (ret)
		memset(ct, 0, sizeof(*ct));
	return ret;
}

int ktlso_certificate_write(struct ktlso_writer *w,
			    const struct ktlso_certificate *ct)
{
	const struct ktlso_cert_list *l = &ct->certs;
	size_t i;

	if (!l->v && !l->wire && l->n)
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_CERTIFICATE);
	ktlso_put_span_vector(w, 1, 0, 0xff, &ct->context);
	ktlso_writer_open_vector(w, 3, 0, KTLSO_HS_MAX_BODY_LEN);
	if (!l->v && l->wire)			/* as parsed: validated */
		ktlso_put_bytes(w, l->wire, l->wire_len);
	for (i = 0; l->v && i < l->n && w->err == 0; i++) {
		ktlso_put_span_vector(w, 3, 1, KTLSO_HS_MAX_BODY_LEN,
				      &l->v[i].cert_data);
		ktlso_put_span_vector(w, 2, 0, 0xffff, &l->v[i].extensions);
	}
	ktlso_writer_close_vector(w);
	return ktlso_writer_close_vector(w);
}

/* --- CertificateRequest --------------------------------------------------- */

int ktlso_certificate_request_parse(struct ktlso_certificate_request *cr,
				    const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, v, exts;
	int ret;

	memset(cr, 0, sizeof(*cr));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CERTIFICATE_REQUEST, &r);
	if (ret)
		return ret;
	ktlso_get_vector(&r, 1, 0, 0xff, &v);
	ktlso_span_of(&v, &cr->context);
	ktlso_get_vector(&r, 2, 2, 0xffff, &exts);
	ret = ktlso_reader_end(&r);
	if (ret == 0)
		ret = ktlso_certificate_request_exts(cr, &exts);
	if (ret == 0 && !ktlso_ext_has(&cr->ext, KTLSO_EXT_SIGNATURE_ALGORITHMS))
		ret = -KTLSO_ALERT_MISSING_EXTENSION;
	if (ret)
		memset(cr, 0, sizeof(*cr));
	return ret;
}

int ktlso_certificate_request_write(struct ktlso_writer *w,
				    const struct ktlso_certificate_request *cr)
{
	int ret;

	if (!ktlso_ext_has(&cr->ext, KTLSO_EXT_SIGNATURE_ALGORITHMS))
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_CERTIFICATE_REQUEST);
	ktlso_put_span_vector(w, 1, 0, 0xff, &cr->context);
	ret = ktlso_certificate_request_write_exts(w, cr);
	if (ret)
		return ret;
	return ktlso_writer_close_vector(w);
}

/* --- CertificateVerify ---------------------------------------------------- */

int ktlso_certificate_verify_parse(struct ktlso_certificate_verify *cv,
				   const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, sig;
	int ret;

	memset(cv, 0, sizeof(*cv));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_CERTIFICATE_VERIFY, &r);
	if (ret)
		return ret;
	ktlso_get_u16(&r, &cv->algorithm);
	ktlso_get_vector(&r, 2, 0, 0xffff, &sig);
	ret = ktlso_reader_end(&r);
	if (ret) {
		memset(cv, 0, sizeof(*cv));
		return ret;
	}
	ktlso_span_of(&sig, &cv->signature);
	return 0;
}

int ktlso_certificate_verify_write(struct ktlso_writer *w,
				   const struct ktlso_certificate_verify *cv)
{
	ktlso_hs_msg_open(w, KTLSO_HS_CERTIFICATE_VERIFY);
	ktlso_put_u16(w, cv->algorithm);
	ktlso_put_span_vector(w, 2, 0, 0xffff, &cv->signature);
	return ktlso_writer_close_vector(w);
}

/* --- Finished ------------------------------------------------------------- */

int ktlso_finished_parse(struct ktlso_finished *fin,
			 const struct ktlso_hs_msg *msg, size_t hash_len)
{
	struct ktlso_reader r;
	int ret;

	memset(fin, 0, sizeof(*fin));
	if (hash_len == 0 || hash_len > KTLSO_MAX_HASH_LEN)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_FINISHED, &r);
	if (ret)
		return ret;
	ktlso_get_span(&r, hash_len, &fin->verify_data.p);
	ret = ktlso_reader_end(&r);
	if (ret) {
		memset(fin, 0, sizeof(*fin));
		return ret;
	}
	fin->verify_data.len = hash_len;
	return 0;
}

int ktlso_finished_write(struct ktlso_writer *w,
			 const struct ktlso_finished *fin)
{
	if (fin->verify_data.len == 0 ||
	    fin->verify_data.len > KTLSO_MAX_HASH_LEN)
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_FINISHED);
	ktlso_put_bytes(w, fin->verify_data.p, fin->verify_data.len);
	return ktlso_writer_close_vector(w);
}

/* --- NewSessionTicket ----------------------------------------------------- */

int ktlso_new_session_ticket_parse(struct ktlso_new_session_ticket *nst,
				   const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r, v, exts;
	int ret;

	memset(nst, 0, sizeof(*nst));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_NEW_SESSION_TICKET, &r);
	if (ret)
		return ret;
	ktlso_get_u32(&r, &nst->lifetime);
	ktlso_get_u32(&r, &nst->age_add);
	ktlso_get_vector(&r, 1, 0, 0xff, &v);
	ktlso_span_of(&v, &nst->nonce);
	ktlso_get_vector(&r, 2, 1, 0xffff, &v);
	ktlso_span_of(&v, &nst->ticket);
	ktlso_get_vector(&r, 2, 0, 0xfffe, &exts);
	ret = ktlso_reader_end(&r);
	if (ret == 0 && nst->lifetime > KTLSO_TICKET_LIFETIME_MAX)
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (ret == 0)
		ret = ktlso_new_session_ticket_exts(nst, &exts);
	if (ret)
		memset(nst, 0, sizeof(*nst));
	return ret;
}

int ktlso_new_session_ticket_write(struct ktlso_writer *w,
				   const struct ktlso_new_session_ticket *nst)
{
	int ret;

	if (nst->lifetime > KTLSO_TICKET_LIFETIME_MAX)
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_NEW_SESSION_TICKET);
	ktlso_put_u32(w, nst->lifetime);
	ktlso_put_u32(w, nst->age_add);
	ktlso_put_span_vector(w, 1, 0, 0xff, &nst->nonce);
	ktlso_put_span_vector(w, 2, 1, 0xffff, &nst->ticket);
	ret = ktlso_new_session_ticket_write_exts(w, nst);
	if (ret)
		return ret;
	return ktlso_writer_close_vector(w);
}

/* --- KeyUpdate ------------------------------------------------------------ */

int ktlso_key_update_parse(struct ktlso_key_update *ku,
			   const struct ktlso_hs_msg *msg)
{
	struct ktlso_reader r;
	int ret;

	memset(ku, 0, sizeof(*ku));
	ret = ktlso_hs_msg_body(msg, KTLSO_HS_KEY_UPDATE, &r);
	if (ret)
		return ret;
	ktlso_get_u8(&r, &ku->request_update);
	ret = ktlso_reader_end(&r);
	if (ret == 0 && ku->request_update > KTLSO_KU_REQUESTED)
		ret = -KTLSO_ALERT_ILLEGAL_PARAMETER;
	if (ret)
		memset(ku, 0, sizeof(*ku));
	return ret;
}

int ktlso_key_update_write(struct ktlso_writer *w,
			   const struct ktlso_key_update *ku)
{
	if (ku->request_update > KTLSO_KU_REQUESTED)
		return ktlso_writer_invalid(w);
	ktlso_hs_msg_open(w, KTLSO_HS_KEY_UPDATE);
	ktlso_put_u8(w, ku->request_update);
	return ktlso_writer_close_vector(w);
}
