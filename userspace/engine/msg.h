/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.3 handshake messages (RFC 8446 section 4): typed structs, a bounded
 * parser and a writer for each, and the handshake framing (type, u24 length)
 * with a reader that reassembles messages across records.
 *
 * Parsed structs borrow: every struct ktlso_span and every wire-form list
 * points into the message body that was parsed, which must outlive them.
 * Nothing is allocated and nothing is copied except fixed-size fields.
 *
 * Lists have two forms. A parser fills the wire form (.wire, .wire_len: the
 * vector's body, already validated); a caller who builds a message to write
 * fills the host form (.v, an array of .n elements) instead. The accessors
 * below read either, and a writer writes either, so that a parsed message
 * can be written back unchanged.
 *
 * Extensions: each message carries a struct ktlso_ext_set, the set of known
 * extensions it holds (a bit per enum ktlso_ext) and their order on the
 * wire. A parser records the order it saw; a writer emits the extensions in
 * .order when .n is non-zero, else every extension of .present in enum
 * order (pre_shared_key last, as RFC 8446 4.2.11 demands). Unknown
 * extensions are skipped by the parsers where RFC 8446 says to ignore them
 * and are not written back: a parsed message re-encodes byte-identically
 * when every extension in it is known.
 *
 * The parsers of messages that answer an offer (ServerHello/HRR,
 * EncryptedExtensions, Certificate) take @offered, the set of extensions
 * (KTLSO_EXT_BIT()s) that the client's ClientHello held (or, for a client's
 * Certificate, that the server's CertificateRequest held): RFC 8446 4.2
 * forbids a response to an extension that was not offered, and they reject
 * unknown extensions for the same reason. ClientHello, CertificateRequest
 * and NewSessionTicket ignore unknown extensions, as RFC 8446 requires.
 *
 * Errors (alert.h): decode_error for every length or framing fault,
 * illegal_parameter for a field value or an extension that the message may
 * not carry, unsupported_extension for a response that was not offered,
 * missing_extension for a mandatory one absent, unexpected_message when a
 * parser is handed a message of another type.
 */
#ifndef KTLSO_ENGINE_MSG_H
#define KTLSO_ENGINE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/codec.h"

/* --- handshake framing ---------------------------------------------------- */

enum ktlso_hs_type {
	KTLSO_HS_CLIENT_HELLO = 1,
	KTLSO_HS_SERVER_HELLO = 2,
	KTLSO_HS_NEW_SESSION_TICKET = 4,
	KTLSO_HS_END_OF_EARLY_DATA = 5,
	KTLSO_HS_ENCRYPTED_EXTENSIONS = 8,
	KTLSO_HS_CERTIFICATE = 11,
	KTLSO_HS_SERVER_KEY_EXCHANGE = 12,	/* TLS 1.2 */
	KTLSO_HS_CERTIFICATE_REQUEST = 13,
	KTLSO_HS_SERVER_HELLO_DONE = 14,	/* TLS 1.2 */
	KTLSO_HS_CERTIFICATE_VERIFY = 15,
	KTLSO_HS_CLIENT_KEY_EXCHANGE = 16,	/* TLS 1.2 */
	KTLSO_HS_FINISHED = 20,
	KTLSO_HS_KEY_UPDATE = 24,
	KTLSO_HS_MESSAGE_HASH = 254,
};

#define KTLSO_HS_HEADER_LEN 4
#define KTLSO_HS_MAX_BODY_LEN 0xffffff		/* what a u24 can say */
#define KTLSO_RANDOM_LEN 32
#define KTLSO_SESSION_ID_MAX 32

struct ktlso_span {
	const uint8_t *p;
	size_t len;
};

/* One whole handshake message. */
struct ktlso_hs_msg {
	uint8_t type;
	struct ktlso_span body;		/* the body, after the 4-byte header */
	struct ktlso_span raw;		/* header and body: the transcript input */
};

/*
 * ktlso_hs_msg_split() - frame exactly one whole message
 * @msg: set to the message in @data
 * @data, @len: a message, header included, and nothing after it
 *
 * Return: 0, or decode_error when @len is not exactly one message.
 */
int ktlso_hs_msg_split(struct ktlso_hs_msg *msg, const uint8_t *data,
		       size_t len);

/* The 4-byte header; the body follows with the writer. */
int ktlso_hs_header_write(struct ktlso_writer *w, uint8_t type,
			  size_t body_len);

/*
 * The handshake reader: accepts the plaintext of handshake records as they
 * arrive and yields whole messages, whatever the record boundaries. It
 * owns a buffer of max_body + 4 + 2^14 bytes, allocated once.
 *
 *	ktlso_hs_reader_init(&hr, 65536);
 *	for each handshake record:
 *		ret = ktlso_hs_reader_feed(&hr, plain, plain_len);
 *		while ((ret = ktlso_hs_reader_next(&hr, &msg)) == 1)
 *			handle(&msg);
 *		if (ret < 0) fail
 *	ktlso_hs_reader_free(&hr);
 *
 * A message returned by next() stays valid until the next feed() or free().
 * Drain next() until it returns 0 before feeding again; each feed() takes
 * at most one record's plaintext (2^14 bytes). A header announcing a body
 * longer than max_body fails with decode_error before the body arrives.
 */
struct ktlso_hs_reader {
	uint8_t *buf;
	size_t cap;
	size_t max_body;
	size_t start;		/* first byte not yet returned */
	size_t len;		/* bytes held */
	int err;		/* sticky */
};

int ktlso_hs_reader_init(struct ktlso_hs_reader *hr, size_t max_body);
void ktlso_hs_reader_free(struct ktlso_hs_reader *hr);
int ktlso_hs_reader_feed(struct ktlso_hs_reader *hr, const uint8_t *data,
			 size_t len);
int ktlso_hs_reader_next(struct ktlso_hs_reader *hr, struct ktlso_hs_msg *msg);

/*
 * True when no partial message is held: TLS 1.3 forbids a message to span
 * a key change (RFC 8446 5.1), so the engine checks this before changing
 * keys and sends unexpected_message otherwise.
 */
bool ktlso_hs_reader_empty(const struct ktlso_hs_reader *hr);

/* --- extensions ----------------------------------------------------------- */

/* The extensions the engine knows, in the order a writer emits them. */
enum ktlso_ext {
	KTLSO_EXT_SERVER_NAME,			/* 0 */
	KTLSO_EXT_STATUS_REQUEST,		/* 5 */
	KTLSO_EXT_SUPPORTED_GROUPS,		/* 10 */
	KTLSO_EXT_EC_POINT_FORMATS,		/* 11, TLS 1.2 */
	KTLSO_EXT_SIGNATURE_ALGORITHMS,		/* 13 */
	KTLSO_EXT_ALPN,				/* 16 */
	KTLSO_EXT_SCT,				/* 18 signed_certificate_timestamp */
	KTLSO_EXT_EXTENDED_MASTER_SECRET,	/* 23, TLS 1.2 */
	KTLSO_EXT_RECORD_SIZE_LIMIT,		/* 28 */
	KTLSO_EXT_SESSION_TICKET,		/* 35, TLS 1.2 */
	KTLSO_EXT_EARLY_DATA,			/* 42 */
	KTLSO_EXT_SUPPORTED_VERSIONS,		/* 43 */
	KTLSO_EXT_COOKIE,			/* 44 */
	KTLSO_EXT_PSK_KEY_EXCHANGE_MODES,	/* 45 */
	KTLSO_EXT_CERTIFICATE_AUTHORITIES,	/* 47 */
	KTLSO_EXT_OID_FILTERS,			/* 48 */
	KTLSO_EXT_POST_HANDSHAKE_AUTH,		/* 49 */
	KTLSO_EXT_SIGNATURE_ALGORITHMS_CERT,	/* 50 */
	KTLSO_EXT_KEY_SHARE,			/* 51 */
	KTLSO_EXT_RENEGOTIATION_INFO,		/* 0xff01, TLS 1.2 */
	KTLSO_EXT_PRE_SHARED_KEY,		/* 41, always last */
	KTLSO_EXT_COUNT
};

#define KTLSO_EXT_BIT(e) (1u << (e))

/* The IANA ExtensionType of @e; -1 for a value outside enum ktlso_ext. */
int ktlso_ext_code(enum ktlso_ext e);

/* The enum ktlso_ext for an IANA code; -1 for an extension not known. */
int ktlso_ext_from_code(uint16_t code);

struct ktlso_ext_set {
	uint32_t present;		/* KTLSO_EXT_BIT()s */
	uint8_t n;			/* extensions in order[] */
	uint8_t order[KTLSO_EXT_COUNT];	/* enum ktlso_ext, wire order */
};

/* Add @e (once) at the end of @set's order. */
void ktlso_ext_set_add(struct ktlso_ext_set *set, enum ktlso_ext e);

static inline bool ktlso_ext_has(const struct ktlso_ext_set *set,
				 enum ktlso_ext e)
{
	return set->present & KTLSO_EXT_BIT(e);
}

/* --- lists ---------------------------------------------------------------- */

/*
 * Lists of variable-length entries are kept as received (wire form) or as
 * built (host form, ->v) and read front to back with an iterator: there is
 * no random access, so no walk can cost more than one pass over the
 * message (a 64 KiB ClientHello holds ~32,700 ALPN names).
 */
struct ktlso_list_iter {
	struct ktlso_reader r;		/* the rest of the wire form */
	size_t i;			/* entries returned so far */
};

/**
 * ktlso_*_list_next() - the next entry of a list
 * @l: the list
 * @it: the walk, zeroed before the first call
 * @out: the entry
 *
 * Return: 1 with *@out, 0 after the last entry, or a negative engine
 * error for a wire form that does not hold ->n well-formed entries (not
 * possible for a list the parser accepted).
 */

/* A list of u16 values: suites, groups, signature schemes, versions. */
struct ktlso_u16_list {
	const uint16_t *v;		/* host form */
	const uint8_t *wire;		/* wire form: n big-endian u16s */
	size_t n;
};

uint16_t ktlso_u16_list_at(const struct ktlso_u16_list *l, size_t i);
bool ktlso_u16_list_has(const struct ktlso_u16_list *l, uint16_t value);

/**
 * ktlso_u16_list_common() - the values of ours that a peer's list holds
 * @l: the peer's list (up to 32,767 values in a ClientHello)
 * @ours: our values, @n_ours of them
 * @out: room for @n_ours values
 *
 * One pass over @l, so that a choice looping over credentials or suites
 * can then test the few common values instead of the peer's whole list.
 *
 * Return: how many values of @ours @l holds, put in @out in @ours' order.
 */
size_t ktlso_u16_list_common(const struct ktlso_u16_list *l,
			     const uint16_t *ours, size_t n_ours,
			     uint16_t *out);

struct ktlso_key_share {
	uint16_t group;
	struct ktlso_span key_exchange;
};

/* The client's KeyShareEntry list. */
struct ktlso_key_share_list {
	const struct ktlso_key_share *v;
	const uint8_t *wire;
	size_t wire_len;
	size_t n;
};

int ktlso_key_share_list_next(const struct ktlso_key_share_list *l,
			      struct ktlso_list_iter *it,
			      struct ktlso_key_share *ks);
/* Return: true and *@ks when @group has an entry. */
bool ktlso_key_share_list_find(const struct ktlso_key_share_list *l,
			       uint16_t group, struct ktlso_key_share *ks);

/* A ProtocolNameList (ALPN). */
struct ktlso_alpn_list {
	const struct ktlso_span *v;
	const uint8_t *wire;
	size_t wire_len;
	size_t n;
};

int ktlso_alpn_list_next(const struct ktlso_alpn_list *l,
			 struct ktlso_list_iter *it, struct ktlso_span *name);

struct ktlso_cert_entry {
	struct ktlso_span cert_data;	/* a DER X.509 certificate */
	struct ktlso_span extensions;	/* the extensions vector's body */
};

struct ktlso_cert_list {
	const struct ktlso_cert_entry *v;
	const uint8_t *wire;
	size_t wire_len;
	size_t n;
};

int ktlso_cert_list_next(const struct ktlso_cert_list *l,
			 struct ktlso_list_iter *it,
			 struct ktlso_cert_entry *entry);

/* --- messages ------------------------------------------------------------- */

#define KTLSO_PSK_KE_BIT 0x1		/* psk_ke (0) offered */
#define KTLSO_PSK_DHE_KE_BIT 0x2	/* psk_dhe_ke (1) offered */

/*
 * A ClientHello. Fields of extensions are valid when the extension is in
 * ->ext. early_data is only recorded: the engine offers no 0-RTT and a
 * server that sees it must reject the early data (RFC 8446 4.2.10).
 * renegotiation_info, when present, has been checked empty (RFC 5746 3.6:
 * handshake_failure otherwise); the TLS_EMPTY_RENEGOTIATION_INFO_SCSV is
 * found with ktlso_u16_list_has(&ch->cipher_suites, 0x00ff).
 */
struct ktlso_client_hello {
	uint16_t legacy_version;
	uint8_t random[KTLSO_RANDOM_LEN];
	struct ktlso_span session_id;			/* 0..32 bytes */
	struct ktlso_u16_list cipher_suites;
	struct ktlso_span compression_methods;		/* 1..255 bytes */
	struct ktlso_ext_set ext;
	struct ktlso_span server_name;			/* host_name */
	struct ktlso_span status_request;		/* body, as is */
	struct ktlso_u16_list supported_groups;
	struct ktlso_span ec_point_formats;		/* list body, 1..255 */
	struct ktlso_u16_list signature_algorithms;
	struct ktlso_alpn_list alpn;
	uint16_t record_size_limit;
	struct ktlso_span session_ticket;		/* TLS 1.2, as is */
	struct ktlso_u16_list supported_versions;
	struct ktlso_span cookie;
	uint8_t psk_modes;				/* KTLSO_PSK_*_BIT */
	struct ktlso_span certificate_authorities;	/* list body, as is */
	struct ktlso_u16_list signature_algorithms_cert;
	struct ktlso_key_share_list key_shares;
	/* pre_shared_key: the two vectors' bodies, validated, as is */
	struct ktlso_span psk_identities;
	struct ktlso_span psk_binders;
	size_t psk_count;				/* identities == binders */
};

/* ServerHello and HelloRetryRequest. */
struct ktlso_server_hello {
	uint16_t legacy_version;
	uint8_t random[KTLSO_RANDOM_LEN];
	bool hrr;				/* random is the HRR value */
	struct ktlso_span session_id;
	uint16_t cipher_suite;
	struct ktlso_ext_set ext;
	uint16_t selected_version;
	/* ServerHello: the server's share. HRR: .group only (selected_group). */
	struct ktlso_key_share key_share;
	struct ktlso_span cookie;		/* HRR */
	uint16_t selected_identity;		/* ServerHello pre_shared_key */
};

struct ktlso_encrypted_extensions {
	struct ktlso_ext_set ext;		/* server_name: empty ack */
	struct ktlso_u16_list supported_groups;
	struct ktlso_span alpn;			/* the one protocol selected */
	uint16_t record_size_limit;
};

struct ktlso_certificate {
	struct ktlso_span context;
	struct ktlso_cert_list certs;
};

struct ktlso_certificate_request {
	struct ktlso_span context;
	/* status_request and signed_certificate_timestamp: empty requests */
	struct ktlso_ext_set ext;
	struct ktlso_u16_list signature_algorithms;
	struct ktlso_span certificate_authorities;
	struct ktlso_span oid_filters;		/* list body, validated */
	struct ktlso_u16_list signature_algorithms_cert;
};

struct ktlso_certificate_verify {
	uint16_t algorithm;
	struct ktlso_span signature;
};

struct ktlso_finished {
	struct ktlso_span verify_data;
};

#define KTLSO_TICKET_LIFETIME_MAX 604800	/* seven days */

struct ktlso_new_session_ticket {
	uint32_t lifetime;
	uint32_t age_add;
	struct ktlso_span nonce;
	struct ktlso_span ticket;
	struct ktlso_ext_set ext;
	uint32_t max_early_data_size;		/* early_data */
};

/*
 * KeyUpdateRequest (RFC 8446 4.6.3); the KTLSO_KEY_UPDATE_* of
 * <linux/ktlso.h> are the same numbers, for the kernel's setsockopt.
 */
enum ktlso_key_update_request {
	KTLSO_KU_NOT_REQUESTED = 0,
	KTLSO_KU_REQUESTED = 1,
};

struct ktlso_key_update {
	uint8_t request_update;
};

/* The HelloRetryRequest random (RFC 8446 4.1.3). */
extern const uint8_t ktlso_hrr_random[KTLSO_RANDOM_LEN];

/*
 * The downgrade sentinel in a ServerHello random (RFC 8446 4.1.3):
 * KTLSO_TLS12_VERSION for "DOWNGRD\1", 0x0302 for "DOWNGRD\0", else 0.
 */
uint16_t ktlso_random_downgrade(const uint8_t random[KTLSO_RANDOM_LEN]);

int ktlso_client_hello_parse(struct ktlso_client_hello *ch,
			     const struct ktlso_hs_msg *msg);
int ktlso_server_hello_parse(struct ktlso_server_hello *sh,
			     const struct ktlso_hs_msg *msg, uint32_t offered);
int ktlso_encrypted_extensions_parse(struct ktlso_encrypted_extensions *ee,
				     const struct ktlso_hs_msg *msg,
				     uint32_t offered);
int ktlso_certificate_parse(struct ktlso_certificate *ct,
			    const struct ktlso_hs_msg *msg, uint32_t offered);
int ktlso_certificate_request_parse(struct ktlso_certificate_request *cr,
				    const struct ktlso_hs_msg *msg);
int ktlso_certificate_verify_parse(struct ktlso_certificate_verify *cv,
				   const struct ktlso_hs_msg *msg);
/* @hash_len: the suite's hash length, the only valid verify_data length. */
int ktlso_finished_parse(struct ktlso_finished *fin,
			 const struct ktlso_hs_msg *msg, size_t hash_len);
int ktlso_new_session_ticket_parse(struct ktlso_new_session_ticket *nst,
				   const struct ktlso_hs_msg *msg);
int ktlso_key_update_parse(struct ktlso_key_update *ku,
			   const struct ktlso_hs_msg *msg);

/*
 * Writers append one whole message, header included, to @w; they check
 * what they write as the parsers do (lengths, counts) and fail with
 * -KTLSO_ERROR_INVALID_ARGUMENT for a struct no parser would accept, or
 * with the writer's -KTLSO_ERROR_NO_SPACE.
 */
int ktlso_client_hello_write(struct ktlso_writer *w,
			     const struct ktlso_client_hello *ch);
int ktlso_server_hello_write(struct ktlso_writer *w,
			     const struct ktlso_server_hello *sh);
int ktlso_encrypted_extensions_write(struct ktlso_writer *w,
				     const struct ktlso_encrypted_extensions *ee);
int ktlso_certificate_write(struct ktlso_writer *w,
			    const struct ktlso_certificate *ct);
int ktlso_certificate_request_write(struct ktlso_writer *w,
				    const struct ktlso_certificate_request *cr);
int ktlso_certificate_verify_write(struct ktlso_writer *w,
				   const struct ktlso_certificate_verify *cv);
int ktlso_finished_write(struct ktlso_writer *w,
			 const struct ktlso_finished *fin);
int ktlso_new_session_ticket_write(struct ktlso_writer *w,
				   const struct ktlso_new_session_ticket *nst);
int ktlso_key_update_write(struct ktlso_writer *w,
			   const struct ktlso_key_update *ku);

#endif /* KTLSO_ENGINE_MSG_H */
