/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.2 handshake messages (RFC 5246 section 7.4, RFC 8422 for ECDHE,
 * RFC 5077 for NewSessionTicket) and the TLS 1.2 extension rules (RFC 5746
 * renegotiation_info, RFC 7627 extended_master_secret, RFC 7301 ALPN,
 * RFC 6066 server_name and status_request, RFC 8449 record_size_limit).
 *
 * The conventions are msg.h's: parsed structs borrow from the message body
 * (struct ktlso_span, wire-form lists), nothing is allocated, a failed
 * parse leaves its struct zeroed, and a parsed message written back gives
 * the same bytes. Writers append one whole message, header included, and
 * fail with -KTLSO_ERROR_INVALID_ARGUMENT for a struct no parser would
 * accept, or with the writer's -KTLSO_ERROR_NO_SPACE.
 *
 * Messages that both versions share keep msg.h's parser:
 *   ClientHello          ktlso_client_hello_parse() (any version), then
 *                        ktlso_tls12_client_hello_check() on a server
 *                        that selects TLS 1.2;
 *   CertificateVerify    ktlso_certificate_verify_parse(): in TLS 1.2 the
 *                        same wire (SignatureAndHashAlgorithm, which has
 *                        the values of a SignatureScheme, and
 *                        signature<0..2^16-1>).
 *
 * A client tells a TLS 1.2 ServerHello from a TLS 1.3 one by
 * supported_versions: ktlso_server_hello_parse() answers protocol_version
 * for a ServerHello without it, which is the cue to parse it again with
 * ktlso_tls12_server_hello_parse().
 *
 * Errors (alert.h): decode_error for every length or framing fault,
 * illegal_parameter for a field value out of range, unsupported_extension
 * for a ServerHello extension the client did not offer (RFC 5246 7.4.1.4),
 * handshake_failure for a renegotiation_info that is not the initial
 * handshake's (RFC 5746 3.4), protocol_version for a ServerHello of
 * another version, unexpected_message for a message of another type.
 */
#ifndef KTLSO_ENGINE_MSG12_H
#define KTLSO_ENGINE_MSG12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/codec.h"
#include "engine/msg.h"

/* RFC 8422 5.1.2: ECPointFormat uncompressed. */
#define KTLSO_EC_POINT_UNCOMPRESSED 0
/* RFC 8422 5.4: ECCurveType named_curve, the only one still defined. */
#define KTLSO_EC_CURVE_TYPE_NAMED 3
/* RFC 8449 4: the largest record_size_limit in TLS 1.2 (2^14). */
#define KTLSO_TLS12_RECORD_SIZE_LIMIT_MAX 16384
/* client_random + server_random + ServerECDHParams with a 255-byte point. */
#define KTLSO_TLS12_SKE_SIGNED_MAX (2 * KTLSO_RANDOM_LEN + 4 + 255)

/* RFC 5246 7.4.1.1: HelloRequest, the one message type msg.h lacks. */
#define KTLSO_HS_HELLO_REQUEST 0

/* --- the downgrade sentinel and ChangeCipherSpec ------------------------- */

/**
 * ktlso_tls12_downgrade_sentinel() - RFC 8446 4.1.3 in a ServerHello random
 * @random: the server's random
 *
 * A TLS 1.3 server that negotiates an older version ends its random with
 * "DOWNGRD" and 0x01 (TLS 1.2) or 0x00 (TLS 1.1 or below). A client that
 * offered TLS 1.3 and sees either must abort with illegal_parameter.
 *
 * Return: 1 for "DOWNGRD\x01", 2 for "DOWNGRD\x00", otherwise 0.
 */
int ktlso_tls12_downgrade_sentinel(const uint8_t random[KTLSO_RANDOM_LEN]);

/**
 * ktlso_ccs_check() - check a ChangeCipherSpec record's body
 * @body: the record's plaintext
 * @len: its length
 *
 * RFC 5246 7.1: the body is exactly one byte of value 1. Anything else is
 * a decode_error, the alert RFC 5246 7.2.2 gives to "a message that could
 * not be decoded because some field was out of the specified range or the
 * length of the message was incorrect". (TLS 1.3's compatibility CCS is
 * another rule: RFC 8446 5 answers a bad one with unexpected_message.)
 *
 * Return: 0, or decode_error.
 */
int ktlso_ccs_check(const uint8_t *body, size_t len);

/* --- ClientHello ---------------------------------------------------------- */

/**
 * ktlso_tls12_client_hello_check() - the checks of a TLS 1.2 server
 * @ch: a ClientHello parsed by ktlso_client_hello_parse()
 *
 * Return: 0; illegal_parameter when compression_methods lacks null (RFC
 * 5246 7.4.1.2) or ec_point_formats lacks uncompressed (RFC 8422 5.1.2).
 */
int ktlso_tls12_client_hello_check(const struct ktlso_client_hello *ch);

/* --- ServerHello ---------------------------------------------------------- */

/*
 * A TLS 1.2 ServerHello. ->extensions tells whether the extensions vector
 * was there at all (RFC 5246 7.4.1.3 lets a server leave it out), so that
 * an absent and an empty block are both written back as they came. The
 * fields below it are valid when the extension is in ->ext; server_name,
 * extended_master_secret, session_ticket and status_request are empty
 * acknowledgements, and renegotiation_info has been checked to be the
 * initial handshake's (empty renegotiated_connection).
 */
struct ktlso_tls12_server_hello {
	uint16_t legacy_version;		/* 0x0303 */
	uint8_t random[KTLSO_RANDOM_LEN];
	struct ktlso_span session_id;		/* 0..32 bytes */
	uint16_t cipher_suite;
	bool extensions;			/* the vector is present */
	struct ktlso_ext_set ext;
	struct ktlso_span alpn;			/* the one protocol selected */
	struct ktlso_span ec_point_formats;	/* list body: uncompressed in it */
	struct ktlso_span sct;			/* SCT list body (RFC 6962) */
	uint16_t record_size_limit;		/* 64..2^14 */
};

/*
 * The extensions a TLS 1.2 ServerHello may carry (KTLSO_EXT_BIT()s): any
 * other known extension, even offered, is illegal_parameter there.
 */
#define KTLSO_TLS12_SH_EXTS						\
	(KTLSO_EXT_BIT(KTLSO_EXT_SERVER_NAME) |				\
	 KTLSO_EXT_BIT(KTLSO_EXT_STATUS_REQUEST) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_EC_POINT_FORMATS) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_ALPN) |				\
	 KTLSO_EXT_BIT(KTLSO_EXT_SCT) |					\
	 KTLSO_EXT_BIT(KTLSO_EXT_EXTENDED_MASTER_SECRET) |		\
	 KTLSO_EXT_BIT(KTLSO_EXT_RECORD_SIZE_LIMIT) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_SESSION_TICKET) |			\
	 KTLSO_EXT_BIT(KTLSO_EXT_RENEGOTIATION_INFO))

/**
 * ktlso_tls12_server_hello_parse() - parse a TLS 1.2 ServerHello
 * @sh: the result; borrows from @msg
 * @msg: a handshake message
 * @offered: the extensions (KTLSO_EXT_BIT()s) of the ClientHello this
 *	     answers; the engine's client counts the
 *	     TLS_EMPTY_RENEGOTIATION_INFO_SCSV as offering renegotiation_info
 *	     (RFC 5746 3.4), so it passes that bit when it sent the SCSV
 *
 * Checks, after the framing: legacy_version 0x0303 (else
 * protocol_version), compression_method null (else illegal_parameter),
 * then each extension: unknown or not offered is unsupported_extension,
 * one seen twice or known but not a TLS 1.2 ServerHello's is
 * illegal_parameter (as the TLS 1.3 parsers do), a body of the wrong shape
 * is decode_error (ALPN with other than exactly one name included),
 * ec_point_formats without uncompressed and a record_size_limit outside
 * 64..2^14 are illegal_parameter, a renegotiation_info whose
 * renegotiated_connection is not empty is handshake_failure.
 *
 * The cipher suite, session id and ALPN name are not matched against the
 * offer here, and the downgrade sentinel is not looked at: those are the
 * handshake's decisions (ktlso_tls12_downgrade_sentinel()).
 *
 * Return: 0 or a negative alert.
 */
int ktlso_tls12_server_hello_parse(struct ktlso_tls12_server_hello *sh,
				   const struct ktlso_hs_msg *msg,
				   uint32_t offered);
int ktlso_tls12_server_hello_write(struct ktlso_writer *w,
				   const struct ktlso_tls12_server_hello *sh);

/* --- Certificate ---------------------------------------------------------- */

/*
 * A TLS 1.2 certificate_list: ASN.1Cert<1..2^24-1> entries with no
 * per-entry extensions, unlike msg.h's struct ktlso_cert_list. Host form
 * (.v, .n spans) or wire form (.wire, .wire_len, .n).
 */
struct ktlso_tls12_cert_list {
	const struct ktlso_span *v;
	const uint8_t *wire;
	size_t wire_len;
	size_t n;
};

struct ktlso_tls12_certificate {
	struct ktlso_tls12_cert_list certs;	/* leaf first; may be empty */
};

/* Certificate @i (DER) of @l: 0, or -KTLSO_ERROR_INVALID_ARGUMENT. */
int ktlso_tls12_cert_list_at(const struct ktlso_tls12_cert_list *l, size_t i,
			     struct ktlso_span *cert);

/**
 * ktlso_tls12_cert_list_spans() - every certificate of @l into an array
 * @l: a certificate list
 * @out: @cap spans, filled leaf first (the input of pki.h's
 *	 ktlso_verify_chain())
 * @cap: room in @out
 * @n: set to the number of certificates
 *
 * Return: 0, or -KTLSO_ERROR_NO_SPACE when @l holds more than @cap
 * certificates (*@n is then the count it holds).
 */
int ktlso_tls12_cert_list_spans(const struct ktlso_tls12_cert_list *l,
				struct ktlso_span *out, size_t cap, size_t *n);

/**
 * ktlso_tls12_certificate_parse() - parse a TLS 1.2 Certificate
 * @ct: the result; its wire-form list borrows from @msg
 * @msg: a handshake message
 *
 * An empty certificate_list is valid here: a client without a suitable
 * certificate sends one (RFC 5246 7.4.6); a server's empty list is the
 * handshake's to refuse. The DER is not looked into (pki.h does that).
 *
 * Return: 0, decode_error, or unexpected_message.
 */
int ktlso_tls12_certificate_parse(struct ktlso_tls12_certificate *ct,
				  const struct ktlso_hs_msg *msg);
int ktlso_tls12_certificate_write(struct ktlso_writer *w,
				  const struct ktlso_tls12_certificate *ct);

/* --- ServerKeyExchange (ECDHE) -------------------------------------------- */

/*
 * RFC 8422 5.4 with RFC 5246 7.4.3's digitally-signed: ServerECDHParams
 * (curve_type named_curve, namedcurve, point<1..255>), then the
 * SignatureAndHashAlgorithm and signature<0..2^16-1>.
 *
 * ->params is set by the parser to the exact ServerECDHParams bytes, the
 * part of the signed content that the message carries; a writer ignores
 * it and encodes ->group and ->point.
 */
struct ktlso_tls12_server_key_exchange {
	uint16_t group;				/* NamedCurve (NamedGroup) */
	struct ktlso_span point;		/* the server's public share */
	struct ktlso_span params;		/* ServerECDHParams, as is */
	uint16_t algorithm;			/* SignatureAndHashAlgorithm */
	struct ktlso_span signature;
};

/**
 * ktlso_tls12_server_key_exchange_parse() - parse an ECDHE ServerKeyExchange
 * @ske: the result; borrows from @msg
 * @msg: a handshake message
 *
 * The group and the point are checked by the key exchange (kex.h), the
 * algorithm and the signature by the handshake (sig.h), over
 * ktlso_tls12_ske_signed_content().
 *
 * Return: 0 or a negative alert; illegal_parameter for a curve_type other
 * than named_curve (checked first: the rest of an explicit curve's params
 * has another layout), decode_error for every length fault.
 */
int ktlso_tls12_server_key_exchange_parse(
		struct ktlso_tls12_server_key_exchange *ske,
		const struct ktlso_hs_msg *msg);
int ktlso_tls12_server_key_exchange_write(struct ktlso_writer *w,
		const struct ktlso_tls12_server_key_exchange *ske);

/**
 * ktlso_tls12_ske_signed_content() - the bytes a ServerKeyExchange signs
 * @ske: a parsed ServerKeyExchange (its ->params are used as received), or
 *	 one being built (->params empty: ->group and ->point are encoded)
 * @client_random: ClientHello.random
 * @server_random: ServerHello.random
 * @out: at least KTLSO_TLS12_SKE_SIGNED_MAX bytes will always do
 * @cap: room in @out
 * @len: set to the length written
 *
 * RFC 8422 5.4: client_random + server_random + ServerECDHParams.
 *
 * Return: 0, -KTLSO_ERROR_NO_SPACE, or -KTLSO_ERROR_INVALID_ARGUMENT for a
 * point the message could not carry.
 */
int ktlso_tls12_ske_signed_content(
		const struct ktlso_tls12_server_key_exchange *ske,
		const uint8_t client_random[KTLSO_RANDOM_LEN],
		const uint8_t server_random[KTLSO_RANDOM_LEN],
		uint8_t *out, size_t cap, size_t *len);

/* --- CertificateRequest --------------------------------------------------- */

/* RFC 5246 7.4.4, ClientCertificateType values. */
enum ktlso_tls12_cert_type {
	KTLSO_CERT_TYPE_RSA_SIGN = 1,
	KTLSO_CERT_TYPE_ECDSA_SIGN = 64,	/* RFC 8422 5.5 */
};

struct ktlso_tls12_certificate_request {
	struct ktlso_span certificate_types;		/* 1..255 bytes */
	struct ktlso_u16_list signature_algorithms;	/* 1..32767 */
	/* DistinguishedName<1..2^16-1> entries, validated, as is. */
	struct ktlso_span certificate_authorities;
};

/**
 * ktlso_tls12_certificate_request_parse() - parse a TLS 1.2 request
 * @cr: the result; borrows from @msg
 * @msg: a handshake message
 *
 * RFC 5246 7.4.4: certificate_types<1..2^8-1>,
 * supported_signature_algorithms<2..2^16-2> (even),
 * certificate_authorities<0..2^16-1> of DistinguishedName<1..2^16-1>.
 * The values are not judged: unknown types and schemes are the peer's
 * right.
 *
 * Return: 0, decode_error, or unexpected_message.
 */
int ktlso_tls12_certificate_request_parse(
		struct ktlso_tls12_certificate_request *cr,
		const struct ktlso_hs_msg *msg);
int ktlso_tls12_certificate_request_write(struct ktlso_writer *w,
		const struct ktlso_tls12_certificate_request *cr);

/* --- HelloRequest -------------------------------------------------------- */

/*
 * RFC 5246 7.4.1.1: an empty body. It is never part of the transcript;
 * the engine refuses the renegotiation it asks for.
 *
 * Return: 0, decode_error for a body that is not empty, or
 * unexpected_message.
 */
int ktlso_tls12_hello_request_parse(const struct ktlso_hs_msg *msg);
int ktlso_tls12_hello_request_write(struct ktlso_writer *w);

/* --- ServerHelloDone ------------------------------------------------------ */

/* Return: 0, or decode_error for a body that is not empty. */
int ktlso_tls12_server_hello_done_parse(const struct ktlso_hs_msg *msg);
int ktlso_tls12_server_hello_done_write(struct ktlso_writer *w);

/* --- ClientKeyExchange (ECDHE) -------------------------------------------- */

/* RFC 8422 5.7: ClientECDiffieHellmanPublic, ecdh_Yc<1..255>. */
struct ktlso_tls12_client_key_exchange {
	struct ktlso_span point;
};

int ktlso_tls12_client_key_exchange_parse(
		struct ktlso_tls12_client_key_exchange *cke,
		const struct ktlso_hs_msg *msg);
int ktlso_tls12_client_key_exchange_write(struct ktlso_writer *w,
		const struct ktlso_tls12_client_key_exchange *cke);

/* --- Finished ------------------------------------------------------------- */

/* verify_data is exactly 12 bytes (RFC 5246 7.4.9), else decode_error. */
int ktlso_tls12_finished_parse(struct ktlso_finished *fin,
			       const struct ktlso_hs_msg *msg);
int ktlso_tls12_finished_write(struct ktlso_writer *w,
			       const struct ktlso_finished *fin);

/* --- NewSessionTicket ----------------------------------------------------- */

/*
 * RFC 5077 3.3: ticket_lifetime_hint and ticket<0..2^16-1> (an empty
 * ticket: the server issues none after all).
 */
struct ktlso_tls12_new_session_ticket {
	uint32_t lifetime_hint;			/* seconds; 0: unspecified */
	struct ktlso_span ticket;
};

int ktlso_tls12_new_session_ticket_parse(
		struct ktlso_tls12_new_session_ticket *nst,
		const struct ktlso_hs_msg *msg);
int ktlso_tls12_new_session_ticket_write(struct ktlso_writer *w,
		const struct ktlso_tls12_new_session_ticket *nst);

#endif /* KTLSO_ENGINE_MSG12_H */
