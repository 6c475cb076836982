/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates: our own credentials (a chain and its private key, loaded
 * from PEM files and chosen per handshake), the trust anchors, and the
 * verification of a peer's chain (RFC 8446 4.4.2.4, RFC 5280 through
 * libcrypto's X509_STORE_CTX).
 *
 *	struct ktlso_trust t;
 *	struct ktlso_peer_cert pc;
 *	char err[256];
 *	ktlso_trust_load(&t, "/etc/ssl/certs/ca-certificates.crt", NULL,
 *			 err, sizeof(err));
 *	ret = ktlso_verify_chain(&t, certs, n, "server.example", true, 0,
 *				 NULL, &pc, err, sizeof(err));
 *	... ktlso_verify(pc.key, scheme, ...) ...
 *	ktlso_peer_cert_clear(&pc);
 *	ktlso_trust_free(&t);
 *
 * Errors follow alert.h; functions that take @err also write a one-line,
 * NUL-terminated reason there on failure (@err may be NULL).
 */
#ifndef KTLSO_ENGINE_PKI_H
#define KTLSO_ENGINE_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "engine/msg.h"

/* One certificate chain and its private key. A zeroed struct is empty. */
struct ktlso_cred {
	X509 *leaf;
	/* The intermediates after the leaf, in order; may be empty. */
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
};

/**
 * ktlso_cred_load() - load a credential from PEM files
 * @cred: the credential to fill (its previous content is not freed)
 * @cert_file: PEM file with the leaf first, then the intermediates
 * @key_file: PEM private key (RSA, EC P-256/P-384 or Ed25519) matching the
 *	leaf
 * @err: where a one-line reason naming the file goes on failure, or NULL
 * @err_len: size of @err
 *
 * Return: 0; -KTLSO_ERROR_INVALID_ARGUMENT for a missing or unreadable
 * file, a file without a certificate or key, an unsupported key type or a
 * key that does not match the leaf; or a local error. @cred is left zeroed
 * on failure.
 */
int ktlso_cred_load(struct ktlso_cred *cred, const char *cert_file,
		    const char *key_file, char *err, size_t err_len);

/**
 * ktlso_cred_load_mem() - load a credential from PEM bytes
 * @cred: as for ktlso_cred_load()
 * @cert_name: names @cert_pem in errors (the file it was read from)
 * @cert_pem: the leaf, then the intermediates, in PEM
 * @cert_len: bytes in @cert_pem
 * @key_name: names @key_pem in errors
 * @key_pem: the private key in PEM (other PEM blocks before it are
 *	skipped, so a file holding both may be given twice)
 * @key_len: bytes in @key_pem
 * @err: as for ktlso_cred_load()
 * @err_len: size of @err
 *
 * For a caller that reads the files itself (ktlsod reads keys through a
 * privileged helper). The bytes are not kept; the caller wipes them.
 *
 * Return: as for ktlso_cred_load().
 */
int ktlso_cred_load_mem(struct ktlso_cred *cred, const char *cert_name,
			const void *cert_pem, size_t cert_len,
			const char *key_name, const void *key_pem,
			size_t key_len, char *err, size_t err_len);

/**
 * ktlso_cred_free() - free a credential; safe on a zeroed struct
 * @cred: the credential
 */
void ktlso_cred_free(struct ktlso_cred *cred);

/**
 * ktlso_cred_count() - certificates in a credential
 * @cred: the credential
 *
 * Return: 1 + the number of intermediates, 0 for an empty credential.
 */
size_t ktlso_cred_count(const struct ktlso_cred *cred);

/**
 * ktlso_cred_der() - the DER encoding of one of the credential's certificates
 * @cred: the credential
 * @i: 0 for the leaf, 1.. for the intermediates
 * @der: set to a buffer the caller frees with OPENSSL_free()
 * @len: set to the encoding's length
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT for @i out of range, or a local
 * error.
 */
int ktlso_cred_der(const struct ktlso_cred *cred, size_t i, uint8_t **der,
		   size_t *len);

/**
 * ktlso_cred_chain_der() - DER encodings of the whole chain, leaf first
 * @cred: the credential, or NULL (an empty chain)
 * @spans: set to an array the caller frees with ktlso_cred_chain_free(),
 *	or to NULL for an empty chain
 * @n: set to the number of certificates
 *
 * Return: 0, -KTLSO_ERROR_NO_MEMORY, or a local error (nothing to free).
 */
int ktlso_cred_chain_der(const struct ktlso_cred *cred,
			 struct ktlso_span **spans, size_t *n);

/**
 * ktlso_cred_chain_free() - free what ktlso_cred_chain_der() returned
 * @spans: the array, or NULL
 * @n: its length
 */
void ktlso_cred_chain_free(struct ktlso_span *spans, size_t n);

/**
 * ktlso_cred_select() - choose the credential for a handshake
 * @creds: the credentials, in configuration order
 * @n: entries in @creds
 * @sni: the server_name the client asked for, or NULL
 * @version: the negotiated version
 * @ours: our signature schemes, most preferred first
 * @n_ours: entries in @ours, at most KTLSO_CRED_SELECT_OURS_MAX
 * @peer_schemes: the peer's signature_algorithms
 *
 * A credential is usable when ktlso_sigscheme_select() finds a scheme for
 * its key. The choice is the first usable credential whose leaf matches
 * @sni (X509_check_host), else the first usable one. The peer's list is
 * read once (ktlso_u16_list_common()), whatever @n.
 *
 * Return: the credential, or NULL when none is usable.
 */
#define KTLSO_CRED_SELECT_OURS_MAX 32

const struct ktlso_cred *
ktlso_cred_select(const struct ktlso_cred *creds, size_t n, const char *sni,
		  uint16_t version, const uint16_t *ours, size_t n_ours,
		  const struct ktlso_u16_list *peer_schemes);

/**
 * ktlso_name_is_ip() - is @name an IPv4 or IPv6 address literal?
 * @name: a server name, or NULL
 *
 * Such a name is verified against the certificate's IP SANs (never its
 * DNS names) and is not sent as SNI (RFC 6066 3). Dotted-quad IPv4 and
 * RFC 4291 IPv6 text, as inet_pton() reads them: no brackets, no zone.
 *
 * Return: true for an address literal.
 */
bool ktlso_name_is_ip(const char *name);

/* The most certificate files a CA directory may hold. */
#define KTLSO_TRUST_DIR_MAX 4096

/* The trust anchors a peer's chain is verified against. */
struct ktlso_trust {
	X509_STORE *store;
};

/**
 * ktlso_trust_load() - load trust anchors
 * @t: the trust store to fill
 * @ca_file: a PEM bundle of CA certificates, or NULL
 * @ca_dir: a directory in c_rehash layout (<hash>.<n> files), or NULL
 * @err: where a one-line reason goes on failure, or NULL
 * @err_len: size of @err
 *
 * At least one of @ca_file and @ca_dir must be given. Both are read whole
 * here, the directory too (at most KTLSO_TRUST_DIR_MAX certificate
 * files): verifying against the store reads no file, so a certificate
 * added to the directory later is trusted only by the next load. The
 * store may then be used by many threads at once.
 *
 * Return: 0, -KTLSO_ERROR_INVALID_ARGUMENT when neither is given or one
 * cannot be loaded (@err names the file), or a local error.
 */
int ktlso_trust_load(struct ktlso_trust *t, const char *ca_file,
		     const char *ca_dir, char *err, size_t err_len);

/**
 * ktlso_trust_free() - free a trust store; safe on a zeroed struct
 * @t: the trust store
 */
void ktlso_trust_free(struct ktlso_trust *t);

/* The most certificates a peer's chain may hold, leaf included. */
#define KTLSO_PEER_CHAIN_MAX 16

/* The RSA key size policy's default and the range it may be set in. */
#define KTLSO_PEER_MIN_RSA_BITS 2048
#define KTLSO_PEER_MIN_RSA_BITS_LOW 1024
#define KTLSO_PEER_MIN_RSA_BITS_HIGH 16384

/**
 * struct ktlso_verify_policy - what a peer's chain must meet beyond RFC 5280
 * @min_rsa_bits: the smallest RSA (and RSA-PSS) key accepted anywhere in
 *	the path, trust anchor included (default KTLSO_PEER_MIN_RSA_BITS)
 * @allow_sha1: accept certificates signed with SHA-1 (default false).
 *	MD5, MD4 and MD2 signatures are refused whatever this says. The
 *	trust anchor's own signature is not checked: configuration, not its
 *	signature, makes it trusted.
 */
struct ktlso_verify_policy {
	unsigned int min_rsa_bits;
	bool allow_sha1;
};

/* What a verified peer chain yields. */
struct ktlso_peer_cert {
	/* The leaf's public key, freed by ktlso_peer_cert_clear(). */
	EVP_PKEY *key;
	/* The subject DN on one line, e.g. "CN=server.example,O=Example". */
	char identity[256];
};

/**
 * ktlso_peer_cert_clear() - free the peer's key and forget its identity
 * @pc: the peer certificate; safe on a zeroed struct, and idempotent
 */
void ktlso_peer_cert_clear(struct ktlso_peer_cert *pc);

/**
 * ktlso_verify_chain() - verify a peer's certificate chain
 * @t: the trust anchors
 * @certs: the chain as the peer sent it, DER, leaf first
 * @n: entries in @certs
 * @host: the name (DNS SAN) or IP address the leaf must match, or NULL
 * @peer_is_server: the peer is a server (serverAuth) or a client
 *	(clientAuth)
 * @now: the verification time, 0 for the current time
 * @policy: key and signature policy; NULL for the defaults
 * @out: filled on success, zeroed on failure; what it held before is
 *	overwritten, not freed (clear it with ktlso_peer_cert_clear() first)
 * @err: where a one-line reason goes on failure, or NULL
 * @err_len: size of @err
 *
 * Checks a path to a trusted root, validity periods, the leaf's key usage
 * (digitalSignature, when the extension is present), its extended key
 * usage (serverAuth or clientAuth, when present), @host (an address
 * literal against the IP SANs, a name against the DNS SANs), and every
 * certificate of the path against @policy.
 *
 * Return: 0, or
 * -KTLSO_ALERT_DECODE_ERROR for an empty list,
 * -KTLSO_ALERT_BAD_CERTIFICATE for unparsable DER, more than
 * KTLSO_PEER_CHAIN_MAX certificates, a bad signature, a host mismatch, or
 * a key or signature hash @policy refuses (the reason names it),
 * -KTLSO_ALERT_CERTIFICATE_EXPIRED for a certificate expired or not yet
 * valid,
 * -KTLSO_ALERT_UNKNOWN_CA when no path reaches a trusted root,
 * -KTLSO_ALERT_UNSUPPORTED_CERTIFICATE for a key type TLS cannot use or a
 * wrong key usage or extended key usage,
 * -KTLSO_ALERT_CERTIFICATE_UNKNOWN for anything else, or a local error.
 */
int ktlso_verify_chain(const struct ktlso_trust *t,
		       const struct ktlso_span *certs, size_t n,
		       const char *host, bool peer_is_server, time_t now,
		       const struct ktlso_verify_policy *policy,
		       struct ktlso_peer_cert *out, char *err, size_t err_len);

#endif /* KTLSO_ENGINE_PKI_H */
