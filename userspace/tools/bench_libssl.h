/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-bench's userspace reference: OpenSSL's libssl sealing TLS 1.3
 * AES-128-GCM records in the sending process, as a userspace TLS server
 * does. The handshake runs first over the same loopback connection (a
 * throwaway P-256 certificate, no tickets); then the sender writes with
 * SSL_write() and the receiving end reads the records raw and discards
 * them, exactly as it does for the kernel ULPs.
 *
 *	struct bench_ssl b;
 *	bench_ssl_init(&b);
 *	SSL *s = bench_ssl_pair(&b, send_fd, recv_fd);	(handshake done)
 *	SSL_write(s, ...); ...
 *	SSL_free(s);
 *	bench_ssl_free(&b);
 */
#ifndef KTLSO_TOOLS_BENCH_LIBSSL_H
#define KTLSO_TOOLS_BENCH_LIBSSL_H

#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct bench_ssl {
	SSL_CTX *srv, *cli;
};

/* A P-256 key and a self-signed certificate for it, valid for a day. */
static inline int bench_ssl_cert(EVP_PKEY **key, X509 **cert)
{
	X509_NAME *name;
	X509 *x;

	*key = EVP_EC_gen("P-256");
	*cert = x = X509_new();
	if (!*key || !x || !X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -60) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
	    !X509_set_pubkey(x, *key))
		return -1;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"ktlso-bench",
					-1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_sign(x, *key, EVP_sha256()))
		return -1;
	return 0;
}

/* TLS 1.3 only, AES-128-GCM only, on both sides. */
static inline SSL_CTX *bench_ssl_ctx(const SSL_METHOD *m)
{
	SSL_CTX *ctx = SSL_CTX_new(m);

	if (ctx && SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) &&
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) &&
	    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256"))
		return ctx;
	SSL_CTX_free(ctx);
	return NULL;
}

static inline void bench_ssl_free(struct bench_ssl *b)
{
	SSL_CTX_free(b->srv);
	SSL_CTX_free(b->cli);
	b->srv = b->cli = NULL;
}

static inline int bench_ssl_init(struct bench_ssl *b)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int ok;

	b->srv = bench_ssl_ctx(TLS_server_method());
	b->cli = bench_ssl_ctx(TLS_client_method());
	ok = b->srv && b->cli && !bench_ssl_cert(&key, &cert) &&
	     SSL_CTX_use_certificate(b->srv, cert) &&
	     SSL_CTX_use_PrivateKey(b->srv, key) &&
	     SSL_CTX_set_num_tickets(b->srv, 0);
	EVP_PKEY_free(key);
	X509_free(cert);
	if (!ok)
		bench_ssl_free(b);
	return ok ? 0 : -1;
}

struct bench_ssl_peer {
	SSL *ssl;
	int ok;
};

/* The receiving end's handshake, on a thread beside the sender's. */
static inline void *bench_ssl_connect(void *arg)
{
	struct bench_ssl_peer *p = arg;

	p->ok = SSL_connect(p->ssl) == 1;
	return NULL;
}

/**
 * bench_ssl_pair() - a TLS 1.3 session between two ends of a connection
 * @b: the contexts
 * @send_fd: the sending end (the server of the handshake)
 * @recv_fd: the receiving end; nothing of it is kept after the handshake
 *
 * Return: the sending end's SSL, ready for SSL_write(); NULL on failure.
 */
static inline SSL *bench_ssl_pair(struct bench_ssl *b, int send_fd,
				  int recv_fd)
{
	struct bench_ssl_peer peer = { .ssl = SSL_new(b->cli) };
	SSL *s = SSL_new(b->srv);
	pthread_t th;
	int ok;

	if (!s || !peer.ssl || !SSL_set_fd(s, send_fd) ||
	    !SSL_set_fd(peer.ssl, recv_fd) ||
	    pthread_create(&th, NULL, bench_ssl_connect, &peer)) {
		SSL_free(s);
		SSL_free(peer.ssl);
		return NULL;
	}
	ok = SSL_accept(s) == 1;
	pthread_join(th, NULL);
	SSL_free(peer.ssl);
	if (!ok || !peer.ok) {
		SSL_free(s);
		return NULL;
	}
	return s;
}

#endif /* KTLSO_TOOLS_BENCH_LIBSSL_H */
