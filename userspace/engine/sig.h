/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signature schemes (RFC 8446 4.2.3, RFC 5246 7.4.1.4.1 as updated by
 * RFC 8446): which scheme fits which key in which version, the choice of a
 * scheme against the peer's signature_algorithms, and signing and verifying
 * with libcrypto's EVP_DigestSign / EVP_DigestVerify.
 *
 * ECDSA signatures are DER-encoded ECDSA-Sig-Value structures, as TLS
 * carries them. RSASSA-PSS uses MGF1 with the scheme's hash and a salt as
 * long as the hash. Ed25519 is the one-shot PureEdDSA.
 *
 * Errors follow alert.h.
 */
#ifndef KTLSO_ENGINE_SIG_H
#define KTLSO_ENGINE_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "engine/msg.h"

/* SignatureScheme values (RFC 8446 4.2.3). */
enum {
	KTLSO_SIG_RSA_PKCS1_SHA256 = 0x0401,
	KTLSO_SIG_RSA_PKCS1_SHA384 = 0x0501,
	KTLSO_SIG_RSA_PKCS1_SHA512 = 0x0601,
	KTLSO_SIG_ECDSA_SECP256R1_SHA256 = 0x0403,
	KTLSO_SIG_ECDSA_SECP384R1_SHA384 = 0x0503,
	KTLSO_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
	KTLSO_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
	KTLSO_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
	KTLSO_SIG_ED25519 = 0x0807,
};

#define KTLSO_SIG_MAX_LEN 1024			/* RSA-8192 */

/**
 * ktlso_sigscheme_name() - the IANA name of a signature scheme
 * @scheme: a SignatureScheme value
 *
 * Return: "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", ...; NULL for
 * a scheme the engine does not implement.
 */
const char *ktlso_sigscheme_name(uint16_t scheme);

/**
 * ktlso_sigscheme_from_name() - parse a scheme's IANA name (any case)
 * @name: the name
 * @scheme: set to the SignatureScheme value
 *
 * Return: 0, or -KTLSO_ERROR_INVALID_ARGUMENT for an unknown name.
 */
int ktlso_sigscheme_from_name(const char *name, uint16_t *scheme);

/**
 * ktlso_sigscheme_fits_key() - whether a scheme can be used with a key
 * @scheme: a SignatureScheme value
 * @key: a public or private key
 * @version: KTLSO_TLS12_VERSION or KTLSO_TLS13_VERSION
 *
 * rsa_pkcs1_* only in TLS 1.2 (RFC 8446 4.2.3). In TLS 1.3 an ecdsa scheme
 * binds the curve; in TLS 1.2 ecdsa_secp256r1_sha256 etc. mean "ECDSA with
 * that hash" on any supported curve. rsa_pss_rsae_* needs an rsaEncryption
 * key, ed25519 an Ed25519 key.
 *
 * Return: true when @scheme fits.
 */
bool ktlso_sigscheme_fits_key(uint16_t scheme, EVP_PKEY *key,
			      uint16_t version);

/**
 * ktlso_sigscheme_select() - choose the scheme to sign with
 * @key: our private key
 * @version: the negotiated version
 * @ours: our schemes, most preferred first
 * @n_ours: entries in @ours
 * @peer: the schemes the peer offered (signature_algorithms)
 * @scheme: set to the choice
 *
 * The choice is the first of @ours that the peer offered and that fits
 * @key.
 *
 * Return: 0, or -KTLSO_ALERT_HANDSHAKE_FAILURE when none does.
 */
int ktlso_sigscheme_select(EVP_PKEY *key, uint16_t version,
			   const uint16_t *ours, size_t n_ours,
			   const struct ktlso_u16_list *peer, uint16_t *scheme);

/**
 * ktlso_sign() - sign a message with a scheme
 * @key: a private key that fits @scheme
 * @scheme: a SignatureScheme value
 * @msg: the message (the whole signed content, not a digest of it)
 * @len: length of @msg
 * @sig: where the signature is written
 * @cap: capacity of @sig (KTLSO_SIG_MAX_LEN is always enough)
 * @sig_len: set to the signature's length
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT when @scheme does not fit @key
 * in any version or is unknown, -KTLSO_ERROR_NO_SPACE, or
 * -KTLSO_ERROR_CRYPTO.
 */
int ktlso_sign(EVP_PKEY *key, uint16_t scheme, const uint8_t *msg, size_t len,
	       uint8_t *sig, size_t cap, size_t *sig_len);

/**
 * ktlso_verify() - verify a peer's signature
 * @key: the peer's public key
 * @scheme: the scheme the peer named
 * @version: the negotiated version
 * @msg: the signed content
 * @len: length of @msg
 * @sig: the signature
 * @sig_len: length of @sig
 *
 * Return: 0; -KTLSO_ALERT_ILLEGAL_PARAMETER when @scheme does not fit @key
 * for @version; -KTLSO_ALERT_DECRYPT_ERROR for a bad signature; or a local
 * error.
 */
int ktlso_verify(EVP_PKEY *key, uint16_t scheme, uint16_t version,
		 const uint8_t *msg, size_t len, const uint8_t *sig,
		 size_t sig_len);

/* Length of the TLS 1.3 signed content for a transcript hash of @th_len. */
#define KTLSO_TLS13_SIGNED_CONTENT_LEN(th_len) (64 + 33 + 1 + (th_len))

/**
 * ktlso_tls13_signed_content() - the content a CertificateVerify signs
 * @server: the server's (true) or the client's (false) CertificateVerify
 * @th: the transcript hash
 * @th_len: length of @th (at most KTLSO_MAX_HASH_LEN)
 * @out: where the content is written
 * @cap: capacity of @out
 * @len: set to the content's length
 *
 * RFC 8446 4.4.3: 64 bytes of 0x20, "TLS 1.3, server CertificateVerify" or
 * "TLS 1.3, client CertificateVerify", a 0x00 byte, then @th.
 *
 * Return: 0, -KTLSO_ERROR_NO_SPACE or -KTLSO_ERROR_INVALID_ARGUMENT.
 */
int ktlso_tls13_signed_content(bool server, const uint8_t *th, size_t th_len,
			       uint8_t *out, size_t cap, size_t *len);

#endif /* KTLSO_ENGINE_SIG_H */
