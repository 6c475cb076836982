// SPDX-License-Identifier: GPL-2.0
/*
 * An HTTPS server that runs its own TLS 1.3 handshake with OpenSSL's libssl
 * and then gives the record layer to the kernel: from then on plain
 * sendfile(2) sends the file, and the kernel encrypts it.
 *
 *	openssl-server [--raw] PORT CERT KEY FILE
 *
 * serves FILE to one client (whatever it asks for) and exits.  The keys go
 * to ktlso with libktlso's ktlso_set_keys(), or with --raw the way code
 * written for in-tree kTLS does it: setsockopt(TCP_ULP) and
 * setsockopt(SOL_TLS, TLS_TX / TLS_RX).  Either way libssl's secrets come
 * from its key log callback, and ktlso_tls13_crypto_info() turns each into
 * the struct the kernel takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ktlso.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktlso/ktlso.h>

#include "common.h"

/* The application traffic secrets each side sends under, from the key log. */
struct secret {
	unsigned char b[48];
	size_t len;
};
struct secrets {
	struct secret client, server;
};

/* libssl calls this with "LABEL <client random> <secret in hex>". */
static void keylog(const SSL *ssl, const char *line)
{
	struct secrets *s = SSL_get_app_data(ssl);
	struct secret *to =
		!strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) ? &s->client :
		!strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) ? &s->server :
		NULL;

	if (to && !OPENSSL_hexstr2buf_ex(to->b, sizeof(to->b), &to->len,
					 strrchr(line, ' ') + 1, '\0'))
		to->len = 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "openssl-server: %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * Right after SSL_accept() nothing was sent or received under the
 * application secrets (no session tickets were asked for), so both
 * directions start at record 0.  With @raw, as in-tree kTLS programs do.
 */
static int give_keys(int fd, const struct secrets *s, uint16_t suite, bool raw)
{
	unsigned char tx[KTLSO_CRYPTO_INFO_MAX], rx[KTLSO_CRYPTO_INFO_MAX];
	int txlen = ktlso_tls13_crypto_info(suite, s->server.b, s->server.len,
					    0, tx, sizeof(tx));
	int rxlen = ktlso_tls13_crypto_info(suite, s->client.b, s->client.len,
					    0, rx, sizeof(rx));
	int err = txlen < 0 ? txlen : rxlen < 0 ? rxlen : 0;
	unsigned int hash = s->server.len == 48 ? KTLSO_HASH_SHA384 :
						  KTLSO_HASH_SHA256;

	if (!err && raw) {
		if (setsockopt(fd, SOL_TCP, TCP_ULP, "ktlso", sizeof("ktlso")) ||
		    setsockopt(fd, SOL_TLS, TLS_TX, tx, (socklen_t)txlen) ||
		    setsockopt(fd, SOL_TLS, TLS_RX, rx, (socklen_t)rxlen))
			err = -errno;
	} else if (!err) {
		err = ktlso_set_keys(fd, (const void *)tx, (size_t)txlen,
				     (const void *)rx, (size_t)rxlen);
		/* With the secrets too, ktlso runs TLS 1.3 key updates itself
		 * (the suite's hash: 48 bytes are SHA-384's). */
		if (!err)
			err = ktlso_set_traffic_secret(fd, TLS_TX, hash,
						       s->server.b, s->server.len);
		if (!err)
			err = ktlso_set_traffic_secret(fd, TLS_RX, hash,
						       s->client.b, s->client.len);
	}
	OPENSSL_cleanse(tx, sizeof(tx));	/* key material: wipe it */
	OPENSSL_cleanse(rx, sizeof(rx));
	if (err)
		fprintf(stderr, "openssl-server: keys: %s\n", ktlso_strerror(err));
	return err;
}

/* The handshake in libssl, the keys to the kernel, the SSL object gone. */
static int handshake(int fd, const char *cert, const char *key, bool raw)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	struct secrets s = { 0 };
	SSL *ssl = NULL;
	int err = -1;

	if (ctx && SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) &&
	    SSL_CTX_set_num_tickets(ctx, 0) &&
	    SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 &&
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1) {
		SSL_CTX_set_keylog_callback(ctx, keylog);
		ssl = SSL_new(ctx);
	}
	if (ssl && SSL_set_fd(ssl, fd) && SSL_set_app_data(ssl, &s) &&
	    SSL_accept(ssl) == 1 && !SSL_has_pending(ssl) && s.client.len &&
	    s.server.len)
		err = give_keys(fd, &s, SSL_CIPHER_get_protocol_id(
					SSL_get_current_cipher(ssl)), raw);
	else
		fprintf(stderr, "openssl-server: TLS handshake failed\n");
	OPENSSL_cleanse(&s, sizeof(s));
	SSL_free(ssl);			/* sends nothing; fd stays open */
	SSL_CTX_free(ctx);
	return err;
}

int main(int argc, char **argv)
{
	bool raw = argc == 6 && !strcmp(argv[1], "--raw");
	char req[4096], head[128];
	size_t got = 0;
	struct stat st;
	int fd, file;
	off_t off = 0;
	ssize_t n;

	if (argc != 5 + raw) {
		fprintf(stderr, "usage: openssl-server [--raw] PORT CERT KEY FILE\n");
		return 64;	/* EX_USAGE, as every ktlso program */
	}
	argv += raw;
	file = open(argv[4], O_RDONLY);
	if (file < 0 || fstat(file, &st))
		return fail(argv[4]);
	fd = accept_one(argv[1]);
	if (fd < 0)
		return fail("accept");
	if (handshake(fd, argv[2], argv[3], raw))
		return 1;

	/* Plain socket calls from here: read the request head... */
	while (!memmem(req, got, "\r\n\r\n", 4)) {
		n = ktlso_recv(fd, req + got, sizeof(req) - got, 0, NULL);
		if (n <= 0 || (got += (size_t)n) == sizeof(req)) {
			fprintf(stderr, "openssl-server: request: %s\n",
				n < 0 ? ktlso_strerror((int)n) :
				n ? "too long" : "the client closed");
			return 1;
		}
	}
	/* ...answer with the file, which the kernel seals as it sends... */
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		     "Content-Length: %lld\r\nConnection: close\r\n\r\n",
		     (long long)st.st_size);
	if (send(fd, head, (size_t)n, MSG_MORE) != n)
		return fail("send");
	while (off < st.st_size)
		if (sendfile(fd, file, &off, (size_t)(st.st_size - off)) <= 0)
			return fail("sendfile");
	/* ...and end with close_notify, then wait for the client's. */
	ktlso_close_notify(fd);
	shutdown(fd, SHUT_WR);
	n = ktlso_recv(fd, req, sizeof(req), 0, NULL);
	printf("served %lld bytes; the client %s\n", (long long)st.st_size,
	       n == 0 ? "sent close_notify" :
	       n < 0 ? ktlso_strerror((int)n) : "sent more");
	close(fd);
	return 0;
}
