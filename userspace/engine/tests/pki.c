// SPDX-License-Identifier: GPL-2.0
/*
 * Certificates (pki.h): peer chain verification against CA files and CA
 * directories, with each failure mapped to its alert; credentials loaded
 * from PEM files, with the reason for each refusal naming the file; and
 * the choice of a credential by SNI and by signature scheme. Every key and
 * certificate is made at test time (pki_test.h) in a temporary directory.
 */
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/pki.h"
#include "engine/sig.h"
#include "engine/suite.h"
#include "pki_test.h"
#include "vector_file.h"

#define TLS12 KTLSO_TLS12_VERSION
#define TLS13 KTLSO_TLS13_VERSION
#define CHAIN_MAX 4U
#define PATH_LEN 256

/* A chain as a peer sends it: DER certificates, leaf first. */
struct chain {
	uint8_t *der[CHAIN_MAX];
	struct ktlso_span span[CHAIN_MAX];
	size_t n;
};

static void chain_free(struct chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		OPENSSL_free(c->der[i]);
	memset(c, 0, sizeof(*c));
}

static void chain_add(struct __test_metadata *_metadata, struct chain *c,
		      X509 *x)
{
	size_t len;

	ASSERT_LT(c->n, CHAIN_MAX);
	c->der[c->n] = test_cert_der(x, &len);
	ASSERT_NE(NULL, c->der[c->n]);
	c->span[c->n].p = c->der[c->n];
	c->span[c->n].len = len;
	c->n++;
}

static const struct test_cert_spec server_spec = {
	.cn = "server.example", .org = "ktlso test",
	.san = "DNS:server.example,DNS:*.wild.example",
	.ku = "critical,digitalSignature", .eku = "serverAuth",
};

FIXTURE(pki) {
	struct test_pki pki;
	struct ktlso_trust trust;
	struct ktlso_peer_cert pc;
	struct chain chain;
	EVP_PKEY *key;		/* the leaf's */
	X509 *leaf;
	char err[256];
	char path[PATH_LEN];
};

FIXTURE_SETUP(pki)
{
	memset(&self->trust, 0, sizeof(self->trust));
	memset(&self->pc, 0, sizeof(self->pc));
	memset(&self->chain, 0, sizeof(self->chain));
	self->leaf = NULL;
	self->key = NULL;
	ASSERT_EQ(0, test_pki_init(&self->pki));
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, self->pki.root_pem, NULL,
				      self->err, sizeof(self->err)));
	self->key = test_key_new(TEST_KEY_P256);
	ASSERT_NE(NULL, self->key);
}

FIXTURE_TEARDOWN(pki)
{
	ktlso_peer_cert_clear(&self->pc);
	ktlso_trust_free(&self->trust);
	chain_free(&self->chain);
	X509_free(self->leaf);
	EVP_PKEY_free(self->key);
	test_pki_free(&self->pki);
	EXPECT_EQ(0, test_leaks());
}

/* Issue the fixture's leaf per @spec (for self->key), chained as [leaf, inter]. */
static void make_leaf(struct __test_metadata *_metadata,
		      FIXTURE_DATA(pki) *self, const struct test_cert_spec *spec,
		      bool with_inter)
{
	chain_free(&self->chain);
	X509_free(self->leaf);
	self->leaf = test_pki_leaf(&self->pki, spec, self->key);
	ASSERT_NE(NULL, self->leaf);
	chain_add(_metadata, &self->chain, self->leaf);
	if (with_inter)
		chain_add(_metadata, &self->chain, self->pki.inter);
}

static int verify_at(FIXTURE_DATA(pki) *self, const char *host, bool server,
		     time_t now)
{
	ktlso_peer_cert_clear(&self->pc);
	return ktlso_verify_chain(&self->trust, self->chain.span, self->chain.n,
				  host, server, now, NULL, &self->pc, self->err,
				  sizeof(self->err));
}

static int verify(FIXTURE_DATA(pki) *self, const char *host, bool server)
{
	return verify_at(self, host, server, 0);
}

TEST_F(pki, good_chain_ca_file)
{
	make_leaf(_metadata, self, &server_spec, true);
	ASSERT_EQ(0, verify(self, "server.example", true)) TH_LOG("%s", self->err);
	EXPECT_STREQ("", self->err);
	EXPECT_STREQ("CN=server.example,O=ktlso test", self->pc.identity);
	ASSERT_NE(NULL, self->pc.key);
	EXPECT_EQ(1, EVP_PKEY_eq(self->pc.key, self->key));

	EXPECT_EQ(0, verify(self, NULL, true));
	EXPECT_EQ(0, verify(self, "SERVER.example", true));
	EXPECT_EQ(0, verify(self, "a.wild.example", true));
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  verify(self, "b.a.wild.example", true));
	EXPECT_EQ(NULL, self->pc.key);
	EXPECT_STREQ("", self->pc.identity);

	/* After a failure, a success fills @out again; clearing is idempotent. */
	EXPECT_EQ(0, verify(self, "server.example", true));
	EXPECT_STREQ("CN=server.example,O=ktlso test", self->pc.identity);
	ktlso_peer_cert_clear(&self->pc);
	ktlso_peer_cert_clear(&self->pc);
	EXPECT_EQ(NULL, self->pc.key);
	EXPECT_STREQ("", self->pc.identity);
}

/* Leaves of every key type; the key that comes back verifies signatures. */
TEST_F(pki, leaf_key_types)
{
	static const struct {
		enum test_key_type type;
		uint16_t scheme;
	} cases[] = {
		{ TEST_KEY_RSA2048, KTLSO_SIG_RSA_PSS_RSAE_SHA256 },
		{ TEST_KEY_P256, KTLSO_SIG_ECDSA_SECP256R1_SHA256 },
		{ TEST_KEY_P384, KTLSO_SIG_ECDSA_SECP384R1_SHA384 },
		{ TEST_KEY_ED25519, KTLSO_SIG_ED25519 },
	};
	static const uint8_t msg[] = "signed content";
	uint8_t sig[KTLSO_SIG_MAX_LEN];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EVP_PKEY_free(self->key);
		self->key = test_key_new(cases[i].type);
		ASSERT_NE(NULL, self->key);
		make_leaf(_metadata, self, &server_spec, true);
		ASSERT_EQ(0, verify(self, "server.example", true))
			TH_LOG("key type %d: %s", cases[i].type, self->err);
		ASSERT_EQ(0, ktlso_sign(self->key, cases[i].scheme, msg,
					sizeof(msg), sig, sizeof(sig), &len));
		EXPECT_EQ(0, ktlso_verify(self->pc.key, cases[i].scheme, TLS13,
					  msg, sizeof(msg), sig, len));
		EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
			  ktlso_verify(self->pc.key, cases[i].scheme, TLS13,
				       msg, sizeof(msg) - 1, sig, len));
	}
}

/* A leaf key TLS cannot use: P-521. */
TEST_F(pki, unsupported_key_type)
{
	EVP_PKEY_free(self->key);
	self->key = test_key_new(TEST_KEY_P521);
	ASSERT_NE(NULL, self->key);
	make_leaf(_metadata, self, &server_spec, true);
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "key type"));
	EXPECT_EQ(NULL, self->pc.key);
}

TEST_F(pki, good_chain_ca_dir)
{
	char cadir[PATH_LEN], empty[PATH_LEN];

	test_pki_path(&self->pki, "cadir", cadir, sizeof(cadir));
	test_pki_path(&self->pki, "empty", empty, sizeof(empty));
	ASSERT_EQ(0, mkdir(cadir, 0700));
	ASSERT_EQ(0, mkdir(empty, 0700));
	ASSERT_EQ(0, test_write_hashed(cadir, self->pki.root));
	make_leaf(_metadata, self, &server_spec, true);

	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, NULL, cadir, self->err,
				      sizeof(self->err)));
	EXPECT_EQ(0, verify(self, "server.example", true)) TH_LOG("%s", self->err);
	EXPECT_STREQ("CN=server.example,O=ktlso test", self->pc.identity);

	/* A directory without the root. */
	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, NULL, empty, self->err,
				      sizeof(self->err)));
	EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA, verify(self, "server.example", true));

	/* A file without it and a directory with it. */
	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, self->pki.root_pem, empty,
				      self->err, sizeof(self->err)));
	EXPECT_EQ(0, verify(self, "server.example", true));
}

/*
 * A CA directory is read at load, whole: verification reads no file, so a
 * root removed after the load still vouches and one added after it does
 * not until the next load.
 */
TEST_F(pki, ca_dir_read_at_load)
{
	char cadir[PATH_LEN], hashed[PATH_LEN + 16];
	unsigned long h = X509_NAME_hash(X509_get_subject_name(self->pki.root));

	test_pki_path(&self->pki, "cadir", cadir, sizeof(cadir));
	snprintf(hashed, sizeof(hashed), "%s/%08lx.0", cadir, h);
	ASSERT_EQ(0, mkdir(cadir, 0700));
	make_leaf(_metadata, self, &server_spec, true);

	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, NULL, cadir, self->err,
				      sizeof(self->err)));
	ASSERT_EQ(0, test_write_hashed(cadir, self->pki.root));
	EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA,
		  verify(self, "server.example", true));

	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, NULL, cadir, self->err,
				      sizeof(self->err)));
	ASSERT_EQ(0, unlink(hashed));
	EXPECT_EQ(0, verify(self, "server.example", true)) TH_LOG("%s", self->err);
}

/*
 * What a CA directory may hold: certificates under c_rehash names (other
 * names and CRLs are passed over); a hashed name that is not a regular
 * file holding a certificate, or more than KTLSO_TRUST_DIR_MAX of them,
 * fail the load with the reason.
 */
TEST_F(pki, ca_dir_bounds)
{
	char cadir[PATH_LEN], path[PATH_LEN + 32];
	unsigned long h = X509_NAME_hash(X509_get_subject_name(self->pki.root));
	struct ktlso_trust t = { 0 };
	FILE *f;
	int i;

	test_pki_path(&self->pki, "cadir", cadir, sizeof(cadir));
	ASSERT_EQ(0, mkdir(cadir, 0700));
	ASSERT_EQ(0, test_write_hashed(cadir, self->pki.root));
	/* Passed over: not certificate names. */
	snprintf(path, sizeof(path), "%s/README", cadir);
	ASSERT_NE(NULL, f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/%08lx.r0", cadir, h);
	ASSERT_NE(NULL, f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/0123abcd.00000", cadir);
	ASSERT_NE(NULL, f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/0123abcg.0", cadir);
	ASSERT_EQ(0, mkdir(path, 0700));
	make_leaf(_metadata, self, &server_spec, true);
	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, NULL, cadir, self->err,
				      sizeof(self->err))) TH_LOG("%s", self->err);
	EXPECT_EQ(0, verify(self, "server.example", true)) TH_LOG("%s", self->err);

	/* A hashed name that is a directory, then one that is not a PEM. */
	snprintf(path, sizeof(path), "%s/%08lx.2", cadir, h);
	ASSERT_EQ(0, mkdir(path, 0700));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, NULL, cadir, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not a regular file"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, rmdir(path));
	snprintf(path, sizeof(path), "%s/%08lx.1", cadir, h);
	ASSERT_NE(NULL, f = fopen(path, "w"));
	fputs("not a certificate\n", f);
	fclose(f);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, NULL, cadir, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, path)) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, t.store);
	ASSERT_EQ(0, unlink(path));

	/* One certificate file over the bound (links to the one root). */
	snprintf(path, sizeof(path), "%s/%08lx.0", cadir, h);
	for (i = 1; i < KTLSO_TRUST_DIR_MAX; i++) {
		char link[PATH_LEN + 32];

		snprintf(link, sizeof(link), "%s/%08x.0", cadir, (unsigned int)i);
		ASSERT_EQ(0, symlink(path, link));
	}
	ASSERT_EQ(0, ktlso_trust_load(&t, NULL, cadir, self->err,
				      sizeof(self->err))) TH_LOG("%s", self->err);
	ktlso_trust_free(&t);
	snprintf(path, sizeof(path), "%s/ffffffff.9", cadir);
	ASSERT_EQ(0, test_write_certs(path, &self->pki.root, 1));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, NULL, cadir, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "more than 4096")) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, t.store);
}

TEST_F(pki, missing_intermediate)
{
	make_leaf(_metadata, self, &server_spec, false);
	EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA, verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "issuer")) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, self->pc.key);

	/* Trusting the intermediate alone is not enough either. */
	ktlso_trust_free(&self->trust);
	test_pki_path(&self->pki, "inter.pem", self->path, sizeof(self->path));
	ASSERT_EQ(0, test_write_certs(self->path, &self->pki.inter, 1));
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, self->path, NULL,
				      self->err, sizeof(self->err)));
	EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA, verify(self, "server.example", true));
}

/* Another root, and an impostor with the root's name but another key. */
TEST_F(pki, wrong_ca)
{
	const struct test_cert_spec other = {
		.cn = "other root", .org = "ktlso", .ca = true,
	};
	const struct test_cert_spec impostor = {
		.cn = "ktlso test root", .org = "ktlso", .ca = true,
	};
	const struct test_cert_spec *specs[] = { &other, &impostor };
	size_t i;

	make_leaf(_metadata, self, &server_spec, true);
	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		EVP_PKEY *k = test_key_new(TEST_KEY_P256);
		X509 *root;

		ASSERT_NE(NULL, k);
		root = test_cert_new(specs[i], k, NULL, NULL);
		ASSERT_NE(NULL, root);
		test_pki_path(&self->pki, "wrong.pem", self->path,
			      sizeof(self->path));
		ASSERT_EQ(0, test_write_certs(self->path, &root, 1));
		X509_free(root);
		EVP_PKEY_free(k);
		ktlso_trust_free(&self->trust);
		ASSERT_EQ(0, ktlso_trust_load(&self->trust, self->path, NULL,
					      self->err, sizeof(self->err)));
		EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA,
			  verify(self, "server.example", true))
			TH_LOG("%s: %s", specs[i]->cn, self->err);
	}
}

TEST_F(pki, self_signed_leaf)
{
	X509 *x = test_cert_new(&server_spec, self->key, NULL, NULL);

	ASSERT_NE(NULL, x);
	chain_add(_metadata, &self->chain, x);
	X509_free(x);
	EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA, verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "self-signed")) TH_LOG("%s", self->err);
}

TEST_F(pki, validity)
{
	struct test_cert_spec spec = server_spec;

	/* Expired yesterday. */
	spec.not_before = -10 * TEST_DAY;
	spec.not_after = -TEST_DAY;
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_CERTIFICATE_EXPIRED,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "expired")) TH_LOG("%s", self->err);
	/* ... but valid at a time within its validity. */
	EXPECT_EQ(0, verify_at(self, "server.example", true,
			       time(NULL) - 5 * TEST_DAY)) TH_LOG("%s", self->err);

	/* Valid from tomorrow. */
	spec.not_before = TEST_DAY;
	spec.not_after = 10 * TEST_DAY;
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_CERTIFICATE_EXPIRED,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "not yet valid")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, verify_at(self, "server.example", true,
			       time(NULL) + 2 * TEST_DAY));

	/* A valid leaf, checked two years ahead. */
	make_leaf(_metadata, self, &server_spec, true);
	EXPECT_EQ(0, verify(self, "server.example", true));
	EXPECT_EQ(-KTLSO_ALERT_CERTIFICATE_EXPIRED,
		  verify_at(self, "server.example", true,
			    time(NULL) + 730 * TEST_DAY));
}

TEST_F(pki, expired_intermediate)
{
	const struct test_cert_spec inter = {
		.cn = "ktlso old intermediate", .ca = true,
		.not_before = -100 * TEST_DAY, .not_after = -TEST_DAY,
	};
	EVP_PKEY *ik = test_key_new(TEST_KEY_P256);
	X509 *ix, *leaf;

	ASSERT_NE(NULL, ik);
	ix = test_cert_new(&inter, ik, self->pki.root, self->pki.root_key);
	ASSERT_NE(NULL, ix);
	leaf = test_cert_new(&server_spec, self->key, ix, ik);
	ASSERT_NE(NULL, leaf);
	chain_add(_metadata, &self->chain, leaf);
	chain_add(_metadata, &self->chain, ix);
	X509_free(leaf);
	X509_free(ix);
	EVP_PKEY_free(ik);
	EXPECT_EQ(-KTLSO_ALERT_CERTIFICATE_EXPIRED,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "certificate 1")) TH_LOG("%s", self->err);
}

TEST_F(pki, host_names)
{
	const struct test_cert_spec cn_only = {
		.cn = "server.example", .eku = "serverAuth",
	};

	make_leaf(_metadata, self, &server_spec, true);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  verify(self, "other.example", true));
	EXPECT_NE(NULL, strstr(self->err, "mismatch")) TH_LOG("%s", self->err);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  verify(self, "example", true));
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  verify(self, "wild.example", true));

	/* The subject's CN is never a host name: only the SAN counts. */
	make_leaf(_metadata, self, &cn_only, true);
	EXPECT_EQ(0, verify(self, NULL, true));
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  verify(self, "server.example", true));
}

TEST_F(pki, ip_addresses)
{
	struct test_cert_spec spec = server_spec;

	spec.san = "DNS:server.example,IP:192.0.2.7,IP:2001:db8::1";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(0, verify(self, "192.0.2.7", true)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, verify(self, "2001:db8::1", true)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, verify(self, "2001:0db8:0::0001", true));
	EXPECT_EQ(0, verify(self, "server.example", true));
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE, verify(self, "192.0.2.8", true));
	EXPECT_NE(NULL, strstr(self->err, "IP address mismatch"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE, verify(self, "2001:db8::2", true));

	/* An address written as a DNS name does not match an address. */
	spec.san = "DNS:192.0.2.7";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE, verify(self, "192.0.2.7", true));
}

/* What is an address (verified as one, never sent as SNI) and what not. */
TEST_F(pki, name_is_ip)
{
	static const struct {
		const char *name;
		bool ip;
	} cases[] = {
		{ "192.0.2.7", true }, { "127.0.0.1", true }, { "::1", true },
		{ "2001:db8::1", true }, { "::ffff:192.0.2.7", true },
		{ "server.example", false }, { "localhost", false },
		{ "192.0.2", false }, { "192.0.2.07", false },
		{ "192.0.2.7.", false }, { "[::1]", false },
		{ "fe80::1%eth0", false }, { " 192.0.2.7", false }, { "", false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_EQ(cases[i].ip, ktlso_name_is_ip(cases[i].name))
			TH_LOG("case %zu", i);
}

TEST_F(pki, extended_key_usage)
{
	struct test_cert_spec spec = server_spec;

	spec.eku = "clientAuth";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "purpose")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, verify(self, NULL, false)) TH_LOG("%s", self->err);

	spec.eku = "serverAuth";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(0, verify(self, NULL, true));
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, NULL, false));

	spec.eku = "serverAuth,clientAuth";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(0, verify(self, NULL, true));
	EXPECT_EQ(0, verify(self, NULL, false));

	spec.eku = NULL;
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(0, verify(self, NULL, true));
	EXPECT_EQ(0, verify(self, NULL, false));

	spec.eku = "codeSigning";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, NULL, true));
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, NULL, false));
}

TEST_F(pki, key_usage)
{
	struct test_cert_spec spec = server_spec;

	spec.ku = "critical,keyEncipherment";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "digitalSignature"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, NULL, false));

	spec.ku = "critical,keyCertSign";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		  verify(self, "server.example", true));

	spec.ku = "digitalSignature,keyEncipherment";
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(0, verify(self, "server.example", true));

	spec.ku = NULL;
	make_leaf(_metadata, self, &spec, true);
	EXPECT_EQ(0, verify(self, "server.example", true));
}

TEST_F(pki, bad_der)
{
	static const uint8_t garbage[] = { 0x30, 0x03, 0x02, 0x01 };
	uint8_t buf[4096];
	struct ktlso_span spans[2];

	make_leaf(_metadata, self, &server_spec, true);

	/* Garbage, empty, cut short, one byte too many. */
	spans[0].p = garbage;
	spans[0].len = sizeof(garbage);
	spans[1] = self->chain.span[1];
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, spans, 2, NULL, true, 0,
				     NULL, &self->pc, self->err,
				     sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "certificate 0")) TH_LOG("%s", self->err);
	spans[0].len = 0;
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, spans, 2, NULL, true, 0,
				     NULL, &self->pc, self->err,
				     sizeof(self->err)));
	spans[0] = self->chain.span[0];
	spans[0].len--;
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, spans, 2, NULL, true, 0,
				     NULL, &self->pc, self->err,
				     sizeof(self->err)));
	ASSERT_GT(sizeof(buf), self->chain.span[0].len);
	memcpy(buf, self->chain.span[0].p, self->chain.span[0].len);
	buf[self->chain.span[0].len] = 0;
	spans[0].p = buf;
	spans[0].len = self->chain.span[0].len + 1;
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, spans, 2, NULL, true, 0,
				     NULL, &self->pc, self->err,
				     sizeof(self->err)));

	/* A bad intermediate. */
	spans[0] = self->chain.span[0];
	spans[1].p = garbage;
	spans[1].len = sizeof(garbage);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, spans, 2, NULL, true, 0,
				     NULL, &self->pc, self->err,
				     sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "certificate 1")) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, self->pc.key);
}

/* A leaf whose signature does not verify under the intermediate's key. */
TEST_F(pki, bad_signature)
{
	make_leaf(_metadata, self, &server_spec, true);
	self->chain.der[0][self->chain.span[0].len - 1] ^= 0x01;
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  verify(self, "server.example", true));
	EXPECT_NE(NULL, strstr(self->err, "signature")) TH_LOG("%s", self->err);
}

TEST_F(pki, empty_list)
{
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_verify_chain(&self->trust, NULL, 0, NULL, true, 0,
				     NULL, &self->pc, self->err,
				     sizeof(self->err)));
	EXPECT_STREQ("empty certificate list", self->err);
	EXPECT_EQ(NULL, self->pc.key);
	/* No @err: still the alert. */
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_verify_chain(&self->trust, self->chain.span, 0, NULL,
				     true, 0, NULL, &self->pc, NULL, 0));
}

/* A chain longer than KTLSO_PEER_CHAIN_MAX is refused before parsing. */
TEST_F(pki, long_chain)
{
	struct ktlso_span spans[KTLSO_PEER_CHAIN_MAX + 1];
	size_t i;

	make_leaf(_metadata, self, &server_spec, true);
	spans[0] = self->chain.span[0];
	for (i = 1; i < ARRAY_SIZE(spans); i++)
		spans[i] = self->chain.span[1];
	EXPECT_EQ(0, ktlso_verify_chain(&self->trust, spans,
					KTLSO_PEER_CHAIN_MAX, NULL, true, 0,
					NULL, &self->pc, self->err,
					sizeof(self->err))) TH_LOG("%s", self->err);
	ktlso_peer_cert_clear(&self->pc);
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, spans, ARRAY_SIZE(spans),
				     NULL, true, 0, NULL, &self->pc, self->err,
				     sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "too long")) TH_LOG("%s", self->err);
}

TEST_F(pki, trust_load_errors)
{
	struct ktlso_trust t = { 0 };
	char missing[PATH_LEN], keyfile[PATH_LEN];

	test_pki_path(&self->pki, "missing.pem", missing, sizeof(missing));
	test_pki_path(&self->pki, "key.pem", keyfile, sizeof(keyfile));
	ASSERT_EQ(0, test_write_key(keyfile, self->key));

	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, NULL, NULL, self->err, sizeof(self->err)));
	EXPECT_STRNE("", self->err);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, missing, NULL, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, missing)) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, t.store);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, keyfile, NULL, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, keyfile)) TH_LOG("%s", self->err);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, NULL, missing, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, missing)) TH_LOG("%s", self->err);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, NULL, self->pki.root_pem, self->err,
				   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not a directory"));
	/* A good file with a bad directory fails as a whole. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_trust_load(&t, self->pki.root_pem, missing, self->err,
				   sizeof(self->err)));
	EXPECT_EQ(NULL, t.store);
	ktlso_trust_free(&t);
	ktlso_trust_free(&t);
}

/* Write the fixture's leaf (and the intermediate) and @key as PEM files. */
static void write_cred(struct __test_metadata *_metadata,
		       FIXTURE_DATA(pki) *self, const char *name, X509 *leaf,
		       EVP_PKEY *key, char *cert_path, char *key_path)
{
	X509 *certs[2] = { leaf, self->pki.inter };
	char file[64];

	snprintf(file, sizeof(file), "%s.crt", name);
	test_pki_path(&self->pki, file, cert_path, PATH_LEN);
	snprintf(file, sizeof(file), "%s.key", name);
	test_pki_path(&self->pki, file, key_path, PATH_LEN);
	ASSERT_EQ(0, test_write_certs(cert_path, certs, 2));
	ASSERT_EQ(0, test_write_key(key_path, key));
}

TEST_F(pki, cred_load)
{
	char crt[PATH_LEN], key[PATH_LEN];
	struct ktlso_cred cred;
	uint8_t *der, *want;
	size_t len, want_len, i, n;
	struct chain sent = { 0 };
	struct ktlso_span *spans;

	make_leaf(_metadata, self, &server_spec, true);
	write_cred(_metadata, self, "server", self->leaf, self->key, crt, key);
	ASSERT_EQ(0, ktlso_cred_load(&cred, crt, key, self->err,
				     sizeof(self->err))) TH_LOG("%s", self->err);
	EXPECT_STREQ("", self->err);
	ASSERT_EQ(2U, ktlso_cred_count(&cred));
	EXPECT_EQ(1, EVP_PKEY_eq(cred.key, self->key));

	/* The DER of each certificate, as a Certificate message sends it. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ktlso_cred_der(&cred, i, &der, &len));
		want = test_cert_der(i ? self->pki.inter : self->leaf,
				     &want_len);
		ASSERT_NE(NULL, want);
		ASSERT_EQ(want_len, len);
		EXPECT_EQ(0, memcmp(want, der, len));
		OPENSSL_free(want);
		sent.der[i] = der;
		sent.span[i].p = der;
		sent.span[i].len = len;
		sent.n++;
	}
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_der(&cred, 2, &der, &len));
	EXPECT_EQ(NULL, der);

	/* The whole chain at once: the same encodings, leaf first. */
	ASSERT_EQ(0, ktlso_cred_chain_der(&cred, &spans, &n));
	ASSERT_EQ(2U, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(sent.span[i].len, spans[i].len);
		EXPECT_EQ(0, memcmp(sent.span[i].p, spans[i].p, spans[i].len));
	}
	ktlso_cred_chain_free(spans, n);
	ASSERT_EQ(0, ktlso_cred_chain_der(NULL, &spans, &n));
	EXPECT_EQ(0U, n);
	EXPECT_EQ(NULL, spans);

	/* What one side loads, the other verifies. */
	EXPECT_EQ(0, ktlso_verify_chain(&self->trust, sent.span, sent.n,
					"server.example", true, 0, NULL,
					&self->pc, self->err,
					sizeof(self->err)));
	chain_free(&sent);
	ktlso_cred_free(&cred);
	EXPECT_EQ(0U, ktlso_cred_count(&cred));
	ktlso_cred_free(&cred);
}

/* Each refusal names the file at fault and leaves the credential empty. */
TEST_F(pki, cred_load_errors)
{
	char crt[PATH_LEN], key[PATH_LEN], other_crt[PATH_LEN],
	     other_key[PATH_LEN], missing[PATH_LEN], bad[PATH_LEN];
	struct ktlso_cred cred;
	EVP_PKEY *other = test_key_new(TEST_KEY_P256);
	X509 *other_leaf;
	FILE *f;

	ASSERT_NE(NULL, other);
	make_leaf(_metadata, self, &server_spec, true);
	write_cred(_metadata, self, "server", self->leaf, self->key, crt, key);
	other_leaf = test_pki_leaf(&self->pki, &server_spec, other);
	ASSERT_NE(NULL, other_leaf);
	write_cred(_metadata, self, "other", other_leaf, other, other_crt,
		   other_key);
	X509_free(other_leaf);
	EVP_PKEY_free(other);
	test_pki_path(&self->pki, "missing.pem", missing, sizeof(missing));

	/* The key of another certificate. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, crt, other_key, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, other_key)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "does not match"));
	EXPECT_EQ(NULL, cred.leaf);
	EXPECT_EQ(NULL, cred.chain);
	EXPECT_EQ(NULL, cred.key);

	/* Missing files. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, missing, key, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, missing)) TH_LOG("%s", self->err);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, crt, missing, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, missing)) TH_LOG("%s", self->err);

	/* A PEM file without a certificate (a key), and one without a key. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, key, key, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, key)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "no certificate"));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, crt, crt, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, crt)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "no private key"));

	/* A damaged second certificate. */
	test_pki_path(&self->pki, "bad.crt", bad, sizeof(bad));
	ASSERT_EQ(0, test_write_certs(bad, &self->leaf, 1));
	f = fopen(bad, "a");
	ASSERT_NE(NULL, f);
	fputs("-----BEGIN CERTIFICATE-----\nMIIBnotbase64!!\n"
	      "-----END CERTIFICATE-----\n", f);
	fclose(f);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, bad, key, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, bad)) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, cred.leaf);
}

TEST_F(pki, cred_unsupported_key)
{
	char crt[PATH_LEN], key[PATH_LEN];
	struct ktlso_cred cred;

	EVP_PKEY_free(self->key);
	self->key = test_key_new(TEST_KEY_P521);
	ASSERT_NE(NULL, self->key);
	make_leaf(_metadata, self, &server_spec, true);
	write_cred(_metadata, self, "p521", self->leaf, self->key, crt, key);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_cred_load(&cred, crt, key, self->err,
				  sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, key)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "unsupported key type"));
}

TEST_F(pki, cred_select)
{
	static const struct {
		const char *name, *dns;
		enum test_key_type type;
	} defs[] = {
		{ "a", "DNS:a.example", TEST_KEY_RSA2048 },
		{ "b", "DNS:b.example,DNS:*.b.example", TEST_KEY_P256 },
		{ "c", "DNS:c.example", TEST_KEY_ED25519 },
	};
	static const uint16_t ours[] = {
		KTLSO_SIG_ED25519, KTLSO_SIG_ECDSA_SECP256R1_SHA256,
		KTLSO_SIG_RSA_PSS_RSAE_SHA256, KTLSO_SIG_RSA_PKCS1_SHA256,
	};
	static const uint16_t all_v[] = {
		KTLSO_SIG_RSA_PSS_RSAE_SHA256, KTLSO_SIG_ECDSA_SECP256R1_SHA256,
		KTLSO_SIG_ED25519,
	};
	static const uint16_t ecdsa_v[] = { KTLSO_SIG_ECDSA_SECP256R1_SHA256 };
	static const uint16_t ed_v[] = { KTLSO_SIG_ED25519 };
	static const uint16_t pkcs1_v[] = { KTLSO_SIG_RSA_PKCS1_SHA256 };
	const struct ktlso_u16_list all = { .v = all_v, .n = 3 };
	const struct ktlso_u16_list ecdsa = { .v = ecdsa_v, .n = 1 };
	const struct ktlso_u16_list ed = { .v = ed_v, .n = 1 };
	const struct ktlso_u16_list pkcs1 = { .v = pkcs1_v, .n = 1 };
	struct ktlso_cred creds[3];
	size_t i;

	memset(creds, 0, sizeof(creds));
	for (i = 0; i < ARRAY_SIZE(defs); i++) {
		struct test_cert_spec spec = server_spec;
		char crt[PATH_LEN], key[PATH_LEN];
		EVP_PKEY *k = test_key_new(defs[i].type);
		X509 *x;

		ASSERT_NE(NULL, k);
		spec.cn = defs[i].name;
		spec.san = defs[i].dns;
		x = test_pki_leaf(&self->pki, &spec, k);
		ASSERT_NE(NULL, x);
		write_cred(_metadata, self, defs[i].name, x, k, crt, key);
		X509_free(x);
		EVP_PKEY_free(k);
		ASSERT_EQ(0, ktlso_cred_load(&creds[i], crt, key, self->err,
					     sizeof(self->err)));
	}

	/* By name, when the peer takes every scheme. */
	EXPECT_EQ(&creds[1], ktlso_cred_select(creds, 3, "b.example", TLS13,
					       ours, 4, &all));
	EXPECT_EQ(&creds[1], ktlso_cred_select(creds, 3, "x.b.example", TLS13,
					       ours, 4, &all));
	EXPECT_EQ(&creds[2], ktlso_cred_select(creds, 3, "C.EXAMPLE", TLS13,
					       ours, 4, &all));
	EXPECT_EQ(&creds[0], ktlso_cred_select(creds, 3, "a.example", TLS13,
					       ours, 4, &all));
	/* No name, or an unknown one: the first usable. */
	EXPECT_EQ(&creds[0], ktlso_cred_select(creds, 3, NULL, TLS13, ours, 4,
					       &all));
	EXPECT_EQ(&creds[0], ktlso_cred_select(creds, 3, "z.example", TLS13,
					       ours, 4, &all));

	/* By key type: the name's credential cannot sign what the peer takes. */
	EXPECT_EQ(&creds[1], ktlso_cred_select(creds, 3, "a.example", TLS13,
					       ours, 4, &ecdsa));
	EXPECT_EQ(&creds[2], ktlso_cred_select(creds, 3, "b.example", TLS13,
					       ours, 4, &ed));
	EXPECT_EQ(&creds[2], ktlso_cred_select(creds, 3, NULL, TLS13, ours, 4,
					       &ed));
	/* Only rsa_pkcs1: nothing in TLS 1.3, the RSA one in TLS 1.2. */
	EXPECT_EQ(NULL, ktlso_cred_select(creds, 3, "a.example", TLS13, ours, 4,
					  &pkcs1));
	EXPECT_EQ(&creds[0], ktlso_cred_select(creds, 3, "c.example", TLS12,
					       ours, 4, &pkcs1));
	/* Our own list limits too. */
	EXPECT_EQ(&creds[1], ktlso_cred_select(creds, 3, "a.example", TLS13,
					       ours + 1, 1, &all));
	EXPECT_EQ(NULL, ktlso_cred_select(creds, 0, "a.example", TLS13, ours, 4,
					  &all));

	for (i = 0; i < ARRAY_SIZE(creds); i++)
		ktlso_cred_free(&creds[i]);
}

/*
 * The RFC 8448 server certificate (self-signed "CN=rsa", RSA-1024, valid
 * 2016-07-30 to 2026-07-30) as its own trust anchor, at fixed times.
 */
TEST_F(pki, rfc8448_certificate)
{
	const struct ktlso_verify_policy rsa1024 = { .min_rsa_bits = 1024 };
	struct test_vectors trace;
	const struct test_vector *m;
	struct ktlso_reader r, list;
	struct ktlso_span span;
	const uint8_t *der, *p;
	uint8_t ctx_len;
	uint32_t len;
	X509 *x;

	ASSERT_EQ(0, test_vectors_load(&trace, "rfc8448-simple-1rtt.txt"));
	m = VEC(&trace, "certificate", 0);
	ktlso_reader_init(&r, m->data, m->len);
	ASSERT_EQ(0, ktlso_get_span(&r, 4, &p));	/* header */
	ASSERT_EQ(0, ktlso_get_u8(&r, &ctx_len));
	ASSERT_EQ(0, ktlso_get_vector(&r, 3, 1, 0xffffff, &list));
	ASSERT_EQ(0, ktlso_get_u24(&list, &len));
	ASSERT_EQ(0, ktlso_get_span(&list, len, &der));
	span.p = der;
	span.len = len;
	p = der;
	x = d2i_X509(NULL, &p, len);
	ASSERT_NE(NULL, x);
	test_pki_path(&self->pki, "rfc8448.pem", self->path, sizeof(self->path));
	ASSERT_EQ(0, test_write_certs(self->path, &x, 1));
	X509_free(x);
	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, self->path, NULL, self->err,
				      sizeof(self->err)));

	/* Its RSA-1024 key is below the default policy. */
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, &span, 1, NULL, true,
				     1577836800, NULL, &self->pc, self->err,
				     sizeof(self->err)));
	EXPECT_STREQ("certificate 0: RSA key of 1024 bits, below the minimum of 2048",
		     self->err);
	/* 2020-01-01 and 2030-01-01, 00:00 UTC. */
	EXPECT_EQ(0, ktlso_verify_chain(&self->trust, &span, 1, NULL, true,
					1577836800, &rsa1024, &self->pc,
					self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	EXPECT_STREQ("CN=rsa", self->pc.identity);
	EXPECT_TRUE(EVP_PKEY_is_a(self->pc.key, "RSA"));
	EXPECT_EQ(1024, EVP_PKEY_get_bits(self->pc.key));
	ktlso_peer_cert_clear(&self->pc);
	EXPECT_EQ(-KTLSO_ALERT_CERTIFICATE_EXPIRED,
		  ktlso_verify_chain(&self->trust, &span, 1, NULL, true,
				     1893456000, &rsa1024, &self->pc, self->err,
				     sizeof(self->err)));
	/* No subjectAltName: no host name matches it. */
	EXPECT_EQ(-KTLSO_ALERT_BAD_CERTIFICATE,
		  ktlso_verify_chain(&self->trust, &span, 1, "rsa", true,
				     1577836800, &rsa1024, &self->pc, self->err,
				     sizeof(self->err)));
	/* Not trusted by our own root. */
	ktlso_trust_free(&self->trust);
	ASSERT_EQ(0, ktlso_trust_load(&self->trust, self->pki.root_pem, NULL,
				      self->err, sizeof(self->err)));
	EXPECT_EQ(-KTLSO_ALERT_UNKNOWN_CA,
		  ktlso_verify_chain(&self->trust, &span, 1, NULL, true,
				     1577836800, &rsa1024, &self->pc, self->err,
				     sizeof(self->err)));
	test_vectors_free(&trace);
}

TEST_HARNESS_MAIN
