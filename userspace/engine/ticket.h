/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session ticket keys: what a server seals its resumption state with, so
 * that it keeps no state per session (RFC 5077 4's recommended shape,
 * RFC 8446 4.6.1's "self-encrypted" ticket).
 *
 * A key set holds the current key, which seals, and up to @keep previous
 * keys, which only open: a rotation makes a new key current and the
 * oldest beyond @keep is wiped. Every key has a 16-byte name, written in
 * clear at the front of each ticket it seals, so that opening picks the
 * key by name and a ticket of an unknown key costs no decryption.
 *
 * A ticket is
 *
 *	key name (16) | nonce (12) | AES-256-GCM(state) | tag (16)
 *
 * with the key name and the caller's context (the profile the state
 * belongs to) as additional data: a ticket sealed for one context does not
 * open in another. Nonces are random; a key seals at most
 * KTLSO_TICKET_SEALS_MAX tickets (then sealing declines until the next
 * rotation), which keeps random-nonce collisions out of reach (NIST SP
 * 800-38D 8.3).
 *
 * A key set is shared by every session of every thread: sealing, opening
 * and rotation take its lock, and no function keeps it while calling out.
 * Keys are never logged; they are wiped when retired and when freed.
 */
#ifndef KTLSO_ENGINE_TICKET_H
#define KTLSO_ENGINE_TICKET_H

#include <stddef.h>
#include <stdint.h>

#define KTLSO_TICKET_KEY_NAME_LEN 16
#define KTLSO_TICKET_SECRET_LEN 32		/* AES-256 */
#define KTLSO_TICKET_KEEP_MAX 15		/* previous keys */
/* Keys a set holds at most: the current one, the previous, one ahead. */
#define KTLSO_TICKET_INSTALL_MAX (KTLSO_TICKET_KEEP_MAX + 2)
#define KTLSO_TICKET_NONCE_LEN 12
#define KTLSO_TICKET_TAG_LEN 16
#define KTLSO_TICKET_OVERHEAD (KTLSO_TICKET_KEY_NAME_LEN + \
			       KTLSO_TICKET_NONCE_LEN + KTLSO_TICKET_TAG_LEN)
#define KTLSO_TICKET_CONTEXT_MAX 255
#define KTLSO_TICKET_SEALS_MAX (1ull << 31)

struct ktlso_ticket_key {
	uint8_t name[KTLSO_TICKET_KEY_NAME_LEN];
	uint8_t secret[KTLSO_TICKET_SECRET_LEN];
};

struct ktlso_ticket_keys;

/**
 * ktlso_ticket_keys_new() - an empty key set
 * @kp: set to the new key set
 * @keep: previous keys that still open tickets, at most
 *	KTLSO_TICKET_KEEP_MAX
 *
 * It seals nothing until the first ktlso_ticket_keys_rotate().
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT or -KTLSO_ERROR_NO_MEMORY.
 */
int ktlso_ticket_keys_new(struct ktlso_ticket_keys **kp, unsigned int keep);

/* Wipe and free every key; NULL is a no-op. No session may use it then. */
void ktlso_ticket_keys_free(struct ktlso_ticket_keys *k);

/**
 * ktlso_ticket_keys_rotate() - make a key the sealing one
 * @k: the key set
 * @key: the new key (copied), or NULL for a random one
 *
 * The former current key becomes the newest previous one. A @key whose
 * name is already in the set is refused: two keys under one name would
 * make tickets unopenable.
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT for a name in use, or
 * -KTLSO_ERROR_CRYPTO when no random key could be made.
 */
int ktlso_ticket_keys_rotate(struct ktlso_ticket_keys *k,
			     const struct ktlso_ticket_key *key);

/**
 * ktlso_ticket_keys_install() - replace every key at once
 * @k: the key set
 * @keys: the new keys (copied); @keys[0] seals, the others only open
 * @n: how many, 1 to KTLSO_TICKET_INSTALL_MAX
 *
 * For keys shared by a fleet (one source decides them all): the set's
 * keys become exactly these, whatever @keep says, until the next rotation
 * or install; a key already in the set keeps its count of tickets sealed.
 * Keys not among @keys are wiped.
 *
 * Return: 0; -KTLSO_ERROR_INVALID_ARGUMENT for @n out of range or two
 * keys of one name; -KTLSO_ERROR_NO_MEMORY.
 */
int ktlso_ticket_keys_install(struct ktlso_ticket_keys *k,
			      const struct ktlso_ticket_key *keys, size_t n);

/**
 * ktlso_ticket_keys_set_keep() - change how many previous keys are kept
 * @k: the key set
 * @keep: at most KTLSO_TICKET_KEEP_MAX; the oldest beyond it are wiped
 *
 * Return: 0 or -KTLSO_ERROR_INVALID_ARGUMENT.
 */
int ktlso_ticket_keys_set_keep(struct ktlso_ticket_keys *k, unsigned int keep);

/**
 * ktlso_ticket_seal() - seal @len bytes of state into a ticket
 * @k: the key set
 * @ctx: the context the ticket is bound to, @ctx_len bytes (at most
 *	KTLSO_TICKET_CONTEXT_MAX)
 * @in: the state
 * @out: room for @len + KTLSO_TICKET_OVERHEAD bytes
 * @out_len: set to the ticket's length
 *
 * Return: 0; 1 when no key may seal (none yet, or the current one has
 * sealed KTLSO_TICKET_SEALS_MAX tickets): issue no ticket; or a negative
 * engine error.
 */
int ktlso_ticket_seal(struct ktlso_ticket_keys *k, const uint8_t *ctx,
		      size_t ctx_len, const uint8_t *in, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len);

/**
 * ktlso_ticket_open() - open a ticket sealed by ktlso_ticket_seal()
 * @k: the key set
 * @ctx, @ctx_len: the context it must have been sealed for
 * @ticket, @len: the ticket
 * @out: room for @len - KTLSO_TICKET_OVERHEAD bytes
 * @out_len: set to the state's length
 *
 * Return: 0 with the state in @out; 1 for a ticket that is not ours (too
 * short, unknown key name, wrong context, forged or damaged), with @out
 * wiped: the caller falls back to a full handshake; or a negative engine
 * error.
 */
int ktlso_ticket_open(struct ktlso_ticket_keys *k, const uint8_t *ctx,
		      size_t ctx_len, const uint8_t *ticket, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len);

#endif /* KTLSO_ENGINE_TICKET_H */
