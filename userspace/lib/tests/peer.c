// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_get_peer() and ktlso_peer_parse(): the subject, the DNS and IP
 * subjectAltNames and the SHA-256 fingerprint of certificates made here
 * with libcrypto (pki_test.h), read through the fake kernel's
 * getsockopt(KTLSO_PEER_CERT); and every way there is none: a peer the
 * daemon did not verify or an older daemon (done, no certificate), an
 * older module, no ktlso, a handshake not done; bytes that are not one
 * certificate.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "engine/tests/pki_test.h"
#include "fake_kernel.h"

/* A self-signed certificate as @spec says, as DER (OPENSSL_free()). */
static uint8_t *make_der(const struct test_cert_spec *spec, size_t *len)
{
	EVP_PKEY *key = test_key_new(TEST_KEY_P256);
	X509 *x = key ? test_cert_new(spec, key, NULL, NULL) : NULL;
	uint8_t *der = x ? test_cert_der(x, len) : NULL;

	X509_free(x);
	EVP_PKEY_free(key);
	return der;
}

static const struct test_cert_spec named = {
	.cn = "client.example", .org = "Example",
	.san = "DNS:client.example,email:ops@example.com,DNS:*.svc.example,"
	       "IP:192.0.2.7,IP:2001:db8::1,URI:spiffe://example/client",
	.eku = "clientAuth",
};

FIXTURE(peer) {
	uint8_t *der;
	size_t len;
	struct ktlso_peer *p;
};

FIXTURE_SETUP(peer)
{
	fake_install();
	self->p = (struct ktlso_peer *)1;	/* must be set to NULL */
	self->der = make_der(&named, &self->len);
	ASSERT_NE(NULL, self->der);
	ASSERT_GE(sizeof(fake.peer_cert), self->len);
}

FIXTURE_TEARDOWN(peer)
{
	if (self->p != (struct ktlso_peer *)1)
		ktlso_peer_free(self->p);
	OPENSSL_free(self->der);
}

/* The fake's socket: a finished handshake whose daemon passed @der. */
static void done_with(const uint8_t *der, size_t len)
{
	strcpy(fake.ulp, "ktlso");
	fake.res.state = KTLSO_HS_DONE;
	memcpy(fake.peer_cert, der, len);
	fake.peer_cert_len = len;
}

/* What "openssl x509 -noout -fingerprint -sha256" computes and prints. */
static void expect_fingerprint(struct __test_metadata *_metadata,
			       const struct ktlso_peer *p, const uint8_t *der,
			       size_t len)
{
	const unsigned char *q = der;
	X509 *x = d2i_X509(NULL, &q, (long)len);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char text[KTLSO_PEER_SHA256_TEXT_LEN] = "";
	unsigned int i;

	ASSERT_NE(NULL, x);
	ASSERT_EQ(1, X509_digest(x, EVP_sha256(), md, &md_len));
	X509_free(x);
	ASSERT_EQ((unsigned int)KTLSO_PEER_SHA256_LEN, md_len);
	EXPECT_EQ(0, memcmp(md, p->sha256, md_len));
	for (i = 0; i < md_len; i++)
		snprintf(text + 3 * i, sizeof(text) - 3 * i, "%02X%s", md[i],
			 i + 1 < md_len ? ":" : "");
	EXPECT_STREQ(text, p->sha256_text);
	EXPECT_EQ(95u, strlen(p->sha256_text));
}

static void expect_named(struct __test_metadata *_metadata,
			 const struct ktlso_peer *p, const uint8_t *der,
			 size_t len)
{
	ASSERT_NE(NULL, p);
	ASSERT_EQ(len, p->der_len);
	EXPECT_EQ(0, memcmp(der, p->der, len));
	EXPECT_STREQ("CN=client.example,O=Example", p->subject);
	ASSERT_EQ(2u, p->n_dns);
	EXPECT_STREQ("client.example", p->dns[0]);
	EXPECT_STREQ("*.svc.example", p->dns[1]);
	EXPECT_EQ(NULL, p->dns[2]);
	ASSERT_EQ(2u, p->n_ip);
	EXPECT_STREQ("192.0.2.7", p->ip[0]);
	EXPECT_STREQ("2001:db8::1", p->ip[1]);
	EXPECT_EQ(NULL, p->ip[2]);
	expect_fingerprint(_metadata, p, der, len);
}

TEST_F(peer, from_the_kernel)
{
	done_with(self->der, self->len);
	ASSERT_EQ(0, ktlso_get_peer(FAKE_FD, &self->p));
	expect_named(_metadata, self->p, self->der, self->len);
	/* One call for the length, one for the bytes. */
	EXPECT_EQ(2, fake.n_peer_cert_calls);
}

TEST_F(peer, parse)
{
	ASSERT_EQ(0, ktlso_peer_parse(self->der, self->len, &self->p));
	expect_named(_metadata, self->p, self->der, self->len);
}

/* No subjectAltName at all: empty lists, never NULL ones. */
TEST_F(peer, no_alt_names)
{
	const struct test_cert_spec bare = { .cn = "bare.example" };
	size_t len;
	uint8_t *der = make_der(&bare, &len);

	ASSERT_NE(NULL, der);
	ASSERT_EQ(0, ktlso_peer_parse(der, len, &self->p));
	EXPECT_STREQ("CN=bare.example", self->p->subject);
	EXPECT_EQ(0u, self->p->n_dns);
	ASSERT_NE(NULL, self->p->dns);
	EXPECT_EQ(NULL, self->p->dns[0]);
	EXPECT_EQ(0u, self->p->n_ip);
	ASSERT_NE(NULL, self->p->ip);
	EXPECT_EQ(NULL, self->p->ip[0]);
	expect_fingerprint(_metadata, self->p, der, len);
	OPENSSL_free(der);
}

/*
 * The daemon passed none (the peer was not verified, or the daemon
 * predates the attribute): done, and nothing to report.
 */
TEST_F(peer, none_from_the_daemon)
{
	struct ktlso_info in;

	done_with(self->der, 0);
	strcpy(fake.res.peer, "CN=old.example");
	EXPECT_EQ(-ENODATA, ktlso_get_peer(FAKE_FD, &self->p));
	EXPECT_EQ(NULL, self->p);
	/* ktlso_get_info() goes on as before. */
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &in));
	EXPECT_EQ(KTLSO_STATE_DONE, (int)in.state);
	EXPECT_STREQ("CN=old.example", in.peer);
}

/* A module without KTLSO_PEER_CERT, and a socket without ktlso. */
TEST_F(peer, older_module_or_no_ktlso)
{
	done_with(self->der, self->len);
	fake.peer_cert_err = ENOPROTOOPT;
	EXPECT_EQ(-ENODATA, ktlso_get_peer(FAKE_FD, &self->p));
	EXPECT_EQ(NULL, self->p);
	fake.peer_cert_err = 0;
	strcpy(fake.ulp, "tls");
	EXPECT_EQ(-ENODATA, ktlso_get_peer(FAKE_FD, &self->p));
	EXPECT_EQ(NULL, self->p);
}

TEST_F(peer, not_done)
{
	done_with(self->der, self->len);
	fake.res.state = KTLSO_HS_RUNNING;
	EXPECT_EQ(-ENOTCONN, ktlso_get_peer(FAKE_FD, &self->p));
	EXPECT_EQ(NULL, self->p);
	fake.res.state = KTLSO_HS_FAILED;
	EXPECT_EQ(-ENOTCONN, ktlso_get_peer(FAKE_FD, &self->p));
}

/* Bytes that are not exactly one certificate decode to nothing. */
TEST_F(peer, not_a_certificate)
{
	uint8_t junk[64];
	uint8_t *longer = malloc(self->len + 1);

	memset(junk, 0x30, sizeof(junk));
	done_with(junk, sizeof(junk));
	EXPECT_EQ(-EBADMSG, ktlso_get_peer(FAKE_FD, &self->p));
	EXPECT_EQ(NULL, self->p);
	/* Cut short, and with a byte after it. */
	EXPECT_EQ(-EBADMSG, ktlso_peer_parse(self->der, self->len - 1,
					     &self->p));
	ASSERT_NE(NULL, longer);
	memcpy(longer, self->der, self->len);
	longer[self->len] = 0;
	EXPECT_EQ(-EBADMSG, ktlso_peer_parse(longer, self->len + 1,
					     &self->p));
	EXPECT_EQ(NULL, self->p);
	free(longer);
	EXPECT_EQ(-EINVAL, ktlso_peer_parse(self->der, 0, &self->p));
	EXPECT_EQ(-EINVAL, ktlso_peer_parse(self->der,
					    KTLSO_PEER_CERT_MAX + 1,
					    &self->p));
	ktlso_peer_free(NULL);
}

TEST_HARNESS_MAIN
