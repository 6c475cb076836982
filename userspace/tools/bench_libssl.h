/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-bench's userspace references: OpenSSL's libssl as a userspace TLS
 * server runs it, sealing and opening records in the process, and libssl
 * driving in-tree kTLS itself (SSL_OP_ENABLE_KTLS), as nginx's
 * "ssl_conf_command Options KTLS" does.  One struct bench_ssl is one TLS
 * 1.3 suite, with or without kTLS; its handshakes run over a loopback
 * connection with a throwaway P-256 certificate and no tickets:
 *
 *	struct bench_ssl b;
 *	bench_ssl_init(&b, "TLS_AES_128_GCM_SHA256", false);
 *	SSL *c, *s = bench_ssl_pair(&b, server_fd, client_fd, &c);
 *	SSL_write(s, ...) / SSL_read(c, ...)	(handshake done)
 *	b.secret, b.secret_len: the server's traffic secret, to seal for c
 *	SSL_free(s); SSL_free(c);
 *	bench_ssl_free(&b);
 */
#ifndef KTLSO_TOOLS_BENCH_LIBSSL_H
#define KTLSO_TOOLS_BENCH_LIBSSL_H

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "bench_cert.h"

#define BENCH_SSL_SECRET_MAX 64

struct bench_ssl {
	SSL_CTX *srv, *cli;
	/*
	 * The server's application traffic secret of the last handshake
	 * (from the key log), so that a receive benchmark can seal records
	 * for the client as a peer would; wiped by bench_ssl_free().
	 */
	unsigned char secret[BENCH_SSL_SECRET_MAX];
	size_t secret_len;
};

/* Keep SERVER_TRAFFIC_SECRET_0 of the key log in the bench_ssl. */
static inline void bench_ssl_keylog(const SSL *ssl, const char *line)
{
	static const char label[] = "SERVER_TRAFFIC_SECRET_0 ";
	struct bench_ssl *b = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	const char *hex;
	unsigned char *bin;
	long len;

	if (strncmp(line, label, sizeof(label) - 1))
		return;
	hex = strrchr(line, ' ');
	bin = hex ? OPENSSL_hexstr2buf(hex + 1, &len) : NULL;
	if (bin && len > 0 && (size_t)len <= sizeof(b->secret)) {
		memcpy(b->secret, bin, (size_t)len);
		b->secret_len = (size_t)len;
	}
	if (bin)
		OPENSSL_clear_free(bin, (size_t)len);
}

/* TLS 1.3 only, @suite only, on both sides; kTLS on request. */
static inline SSL_CTX *bench_ssl_ctx(const SSL_METHOD *m, const char *suite,
				     bool ktls)
{
	SSL_CTX *ctx = SSL_CTX_new(m);

	if (ctx && SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) &&
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) &&
	    SSL_CTX_set_ciphersuites(ctx, suite)) {
		if (ktls)
			SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
		return ctx;
	}
	SSL_CTX_free(ctx);
	return NULL;
}

static inline void bench_ssl_free(struct bench_ssl *b)
{
	SSL_CTX_free(b->srv);
	SSL_CTX_free(b->cli);
	b->srv = b->cli = NULL;
	OPENSSL_cleanse(b->secret, sizeof(b->secret));
	b->secret_len = 0;
}

/* Contexts for TLS 1.3 with @suite (an IANA name), libssl driving kTLS if @ktls. */
static inline int bench_ssl_init(struct bench_ssl *b, const char *suite,
				 bool ktls)
{
	EVP_PKEY *key;
	X509 *cert;
	int ok;

	memset(b, 0, sizeof(*b));
	b->srv = bench_ssl_ctx(TLS_server_method(), suite, ktls);
	b->cli = bench_ssl_ctx(TLS_client_method(), suite, ktls);
	/* A throwaway P-256 key, its certificate self-signed. */
	key = EVP_EC_gen("P-256");
	cert = key ? bench_make_cert("ktlso-bench", key, NULL, NULL, 1, NULL) :
		     NULL;
	ok = b->srv && b->cli && cert &&
	     SSL_CTX_use_certificate(b->srv, cert) &&
	     SSL_CTX_use_PrivateKey(b->srv, key) &&
	     SSL_CTX_set_num_tickets(b->srv, 0) &&
	     SSL_CTX_set_app_data(b->srv, b);
	if (ok)
		SSL_CTX_set_keylog_callback(b->srv, bench_ssl_keylog);
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

/* The client's handshake, on a thread beside the server's. */
static inline void *bench_ssl_connect(void *arg)
{
	struct bench_ssl_peer *p = arg;

	p->ok = SSL_connect(p->ssl) == 1;
	return NULL;
}

/**
 * bench_ssl_pair() - a TLS 1.3 session between two ends of a connection
 * @b: the contexts
 * @server_fd: the server's end
 * @client_fd: the client's end
 * @client: where to keep the client's SSL; NULL: nothing of the client's
 *	end is kept after the handshake (it is read raw)
 *
 * Return: the server's SSL, the handshake done; NULL on failure.
 */
static inline SSL *bench_ssl_pair(struct bench_ssl *b, int server_fd,
				  int client_fd, SSL **client)
{
	struct bench_ssl_peer peer = { .ssl = SSL_new(b->cli) };
	SSL *s = SSL_new(b->srv);
	pthread_t th;
	int ok;

	b->secret_len = 0;
	if (!s || !peer.ssl || !SSL_set_fd(s, server_fd) ||
	    !SSL_set_fd(peer.ssl, client_fd) ||
	    pthread_create(&th, NULL, bench_ssl_connect, &peer)) {
		SSL_free(s);
		SSL_free(peer.ssl);
		return NULL;
	}
	ok = SSL_accept(s) == 1;
	pthread_join(th, NULL);
	if (!ok || !peer.ok || !b->secret_len) {
		SSL_free(s);
		SSL_free(peer.ssl);
		return NULL;
	}
	if (client)
		*client = peer.ssl;
	else
		SSL_free(peer.ssl);
	return s;
}

#endif /* KTLSO_TOOLS_BENCH_LIBSSL_H */
