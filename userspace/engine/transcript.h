/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake transcript hash (RFC 8446 4.4.1, RFC 5246 7.4.9).
 *
 * A client sends its ClientHello before it knows the hash (the server's
 * suite picks it), so the transcript keeps the messages it is given until
 * ktlso_transcript_start() names the hash, then hashes them and everything
 * after as it arrives. ktlso_transcript_hrr() replaces ClientHello1 by the
 * synthetic message_hash message that RFC 8446 4.4.1 puts in its place
 * when a HelloRetryRequest follows.
 */
#ifndef KTLSO_ENGINE_TRANSCRIPT_H
#define KTLSO_ENGINE_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "engine/suite.h"

struct ktlso_transcript {
	EVP_MD_CTX *ctx;		/* NULL until started */
	enum ktlso_md hash;
	uint8_t *pending;		/* messages before the start */
	size_t pending_len;
};

void ktlso_transcript_init(struct ktlso_transcript *t);
void ktlso_transcript_free(struct ktlso_transcript *t);
bool ktlso_transcript_started(const struct ktlso_transcript *t);

/* Hash with @hash from now on, the messages held so far first. */
int ktlso_transcript_start(struct ktlso_transcript *t, enum ktlso_md hash);

/* Add one whole handshake message (header included). */
int ktlso_transcript_add(struct ktlso_transcript *t, const uint8_t *msg,
			 size_t len);

/* The hash of everything added so far; ktlso_hash_len() bytes. */
int ktlso_transcript_hash(const struct ktlso_transcript *t, uint8_t *out);

/**
 * ktlso_transcript_hash_with() - the hash the transcript would have with
 *	@extra added, without adding it
 * @t: the transcript
 * @hash: the hash to use when @t has not started (it then holds the
 *	messages given so far, hashed with @hash too)
 * @extra, @len: the bytes after the transcript (RFC 8446 4.2.11.2: a
 *	ClientHello up to its binders)
 * @out: ktlso_hash_len() bytes
 *
 * Return: 0 or a negative engine error.
 */
int ktlso_transcript_hash_with(const struct ktlso_transcript *t,
			       enum ktlso_md hash, const uint8_t *extra,
			       size_t len, uint8_t *out);

/*
 * RFC 8446 4.4.1: the transcript so far (ClientHello1) becomes
 * message_hash(Hash(ClientHello1)). The transcript must have started.
 */
int ktlso_transcript_hrr(struct ktlso_transcript *t);

#endif /* KTLSO_ENGINE_TRANSCRIPT_H */
