/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ephemeral (EC)DHE key exchange for the TLS 1.3 key_share and the TLS 1.2
 * ServerKeyExchange: X25519 (RFC 7748) and the NIST curves P-256 and P-384
 * (RFC 8446 4.2.8.2, uncompressed points only). libcrypto does the
 * arithmetic; this file holds the TLS encodings and the checks TLS asks of
 * a peer's share.
 *
 *	struct ktlso_kex kx = { 0 };
 *	ktlso_kex_generate(&kx, KTLSO_GROUP_X25519);
 *	ktlso_kex_public(&kx, share, sizeof(share), &share_len);
 *	ktlso_kex_derive(&kx, peer, peer_len, secret, sizeof(secret), &n);
 *	ktlso_kex_free(&kx);
 *
 * Errors follow alert.h: illegal_parameter for a bad peer share or an
 * unsupported group, local errors otherwise. The shared secret is written
 * only into the caller's buffer, which the caller wipes after use.
 */
#ifndef KTLSO_ENGINE_KEX_H
#define KTLSO_ENGINE_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* NamedGroup values (RFC 8446 4.2.7). */
enum {
	KTLSO_GROUP_SECP256R1 = 0x0017,
	KTLSO_GROUP_SECP384R1 = 0x0018,
	KTLSO_GROUP_X25519 = 0x001d,
};

#define KTLSO_KEX_MAX_SHARE 97		/* a P-384 uncompressed point */
#define KTLSO_KEX_MAX_SECRET 48

/* One side's ephemeral key pair. A zeroed struct holds no key. */
struct ktlso_kex {
	uint16_t group;
	EVP_PKEY *priv;
};

/**
 * ktlso_group_supported() - whether the engine implements a named group
 * @group: a NamedGroup value
 *
 * Return: true for x25519, secp256r1 and secp384r1.
 */
bool ktlso_group_supported(uint16_t group);

/**
 * ktlso_group_share_len() - the length of a key_exchange for a group
 * @group: a NamedGroup value
 *
 * Return: 32 for x25519, 65 for secp256r1, 97 for secp384r1, 0 when the
 * group is not supported.
 */
size_t ktlso_group_share_len(uint16_t group);

/**
 * ktlso_group_name() - the IANA name of a group
 * @group: a NamedGroup value
 *
 * Return: "x25519", "secp256r1" or "secp384r1"; NULL when not supported.
 */
const char *ktlso_group_name(uint16_t group);

/**
 * ktlso_group_from_name() - parse a group name, as a config file gives it
 * @name: an IANA name or "X25519", "P-256", "P-384" (any case)
 * @group: set to the NamedGroup value
 *
 * Return: 0, or -KTLSO_ERROR_INVALID_ARGUMENT for an unknown name.
 */
int ktlso_group_from_name(const char *name, uint16_t *group);

/**
 * ktlso_kex_generate() - make a fresh ephemeral key pair
 * @kx: the key pair to fill; any key it held is freed first
 * @group: a NamedGroup value
 *
 * Return: 0, -KTLSO_ALERT_ILLEGAL_PARAMETER for an unsupported group, or a
 * local error.
 */
int ktlso_kex_generate(struct ktlso_kex *kx, uint16_t group);

/**
 * ktlso_kex_public() - this side's share in its TLS encoding
 * @kx: a generated key pair
 * @out: where the share is written
 * @cap: capacity of @out
 * @len: set to the share's length
 *
 * X25519: the raw 32-byte u-coordinate. EC: 0x04 || X || Y, each
 * coordinate left-padded to the field size.
 *
 * Return: 0, -KTLSO_ERROR_NO_SPACE, -KTLSO_ERROR_INVALID_ARGUMENT when @kx
 * holds no key, or -KTLSO_ERROR_CRYPTO.
 */
int ktlso_kex_public(const struct ktlso_kex *kx, uint8_t *out, size_t cap,
		     size_t *len);

/**
 * ktlso_kex_derive() - the shared secret with a peer's share
 * @kx: this side's key pair
 * @peer: the peer's key_exchange, in its TLS encoding
 * @peer_len: length of @peer
 * @secret: where the shared secret is written
 * @cap: capacity of @secret (KTLSO_KEX_MAX_SECRET is always enough)
 * @secret_len: set to the secret's length (32, 32 or 48)
 *
 * The peer's share must have exactly the group's length; an EC share must
 * be an uncompressed point on the curve, an X25519 result must not be all
 * zeros (RFC 8446 7.4.2).
 *
 * Return: 0, -KTLSO_ALERT_ILLEGAL_PARAMETER for a bad peer share, or a
 * local error. @secret is zeroed on failure.
 */
int ktlso_kex_derive(const struct ktlso_kex *kx, const uint8_t *peer,
		     size_t peer_len, uint8_t *secret, size_t cap,
		     size_t *secret_len);

/**
 * ktlso_kex_free() - free the key pair
 * @kx: a key pair; safe on a zeroed struct, and idempotent
 */
void ktlso_kex_free(struct ktlso_kex *kx);

#endif /* KTLSO_ENGINE_KEX_H */
