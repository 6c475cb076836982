/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the message layer (msg12.c, msg13.c, ext13.c): message
 * framing, span and list codec helpers, and each message's extension block. Not part of the engine's
 * API; msg.h is.
 */
#ifndef KTLSO_ENGINE_MSG_EXT_H
#define KTLSO_ENGINE_MSG_EXT_H

#include "engine/codec.h"
#include "engine/msg.h"

/*
 * Start parsing @msg, which must be of @type (else unexpected_message):
 * @r reads its body.
 */
int ktlso_hs_msg_body(const struct ktlso_hs_msg *msg, uint8_t type,
		      struct ktlso_reader *r);

/* Open a message to write: its type and a u24 length, patched on close. */
int ktlso_hs_msg_open(struct ktlso_writer *w, uint8_t type);

/* @s = the bytes of sub-reader @v, or an empty span if @v failed. */
void ktlso_span_of(const struct ktlso_reader *v, struct ktlso_span *s);

/* Write @s as a vector with a @prefix_len-byte length in [@min, @max]. */
int ktlso_put_span_vector(struct ktlso_writer *w, unsigned int prefix_len,
			  size_t min, size_t max, const struct ktlso_span *s);

/* A vector of u16 values, @min..@max bytes, of even length. */
int ktlso_u16_list_get(struct ktlso_reader *r, unsigned int prefix_len,
		       size_t min, size_t max, struct ktlso_u16_list *l);
int ktlso_u16_list_put(struct ktlso_writer *w, unsigned int prefix_len,
		       size_t min, size_t max, const struct ktlso_u16_list *l);

/*
 * Extension blocks: @exts is the body of the extensions vector. The
 * parsers fill the message's ext set and extension fields; the writers
 * write the whole extensions vector, length included.
 */
int ktlso_client_hello_exts(struct ktlso_client_hello *ch,
			    struct ktlso_reader *exts);
int ktlso_client_hello_write_exts(struct ktlso_writer *w,
				  const struct ktlso_client_hello *ch);
/* Every key share names a group of supported_groups (RFC 8446 4.2.8). */
int ktlso_client_hello_check_shares(const struct ktlso_client_hello *ch);

int ktlso_server_hello_exts(struct ktlso_server_hello *sh,
			    struct ktlso_reader *exts, uint32_t offered);
int ktlso_server_hello_write_exts(struct ktlso_writer *w,
				  const struct ktlso_server_hello *sh);

int ktlso_encrypted_extensions_exts(struct ktlso_encrypted_extensions *ee,
				    struct ktlso_reader *exts,
				    uint32_t offered);
int ktlso_encrypted_extensions_write_exts(struct ktlso_writer *w,
				const struct ktlso_encrypted_extensions *ee);

/* A CertificateEntry's extensions: validated, kept as bytes. */
int ktlso_cert_entry_exts(struct ktlso_reader *exts, uint32_t offered);

int ktlso_certificate_request_exts(struct ktlso_certificate_request *cr,
				   struct ktlso_reader *exts);
int ktlso_certificate_request_write_exts(struct ktlso_writer *w,
				const struct ktlso_certificate_request *cr);

int ktlso_new_session_ticket_exts(struct ktlso_new_session_ticket *nst,
				  struct ktlso_reader *exts);
int ktlso_new_session_ticket_write_exts(struct ktlso_writer *w,
				const struct ktlso_new_session_ticket *nst);

#endif /* KTLSO_ENGINE_MSG_EXT_H */
