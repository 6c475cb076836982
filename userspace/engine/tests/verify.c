// SPDX-License-Identifier: GPL-2.0
/*
 * Verification that cannot be skipped, client against server in memory,
 * both versions: a verifying client needs a server name; an IP literal is
 * checked against the certificate's IP SANs and never sent as SNI; the
 * peer chain's key and signature policy (RSA below 2048 bits and SHA-1 or
 * MD5 signatures refused by default, in both directions).
 */
#include "kselftest_harness.h"

#include "hs_test.h"

static const uint16_t versions[] = { KTLSO_TLS13_VERSION, KTLSO_TLS12_VERSION };

static const char *version_name(uint16_t v)
{
	return v == KTLSO_TLS13_VERSION ? "1.3" : "1.2";
}

FIXTURE(verify) {
	struct hs_pair p;
	struct ktlso_cred cred;		/* the case's peer credential */
	EVP_PKEY *ca_key;		/* the case's own intermediate */
	X509 *ca;
};

FIXTURE_SETUP(verify)
{
	ASSERT_EQ(0, hs_pair_init(&self->p));
	memset(&self->cred, 0, sizeof(self->cred));
	self->ca_key = NULL;
	self->ca = NULL;
}

FIXTURE_TEARDOWN(verify)
{
	hs_pair_free(&self->p);
	ktlso_cred_free(&self->cred);
	X509_free(self->ca);
	EVP_PKEY_free(self->ca_key);
	EXPECT_EQ(0, test_leaks());
}

static const struct test_cert_spec server_spec = {
	.cn = "server.example", .san = "DNS:server.example",
	.eku = "serverAuth",
};

static const struct test_cert_spec client_spec = {
	.cn = "client.example", .eku = "clientAuth",
};

/*
 * A credential for a new @type key: its leaf per @spec, issued by @issuer
 * (the test PKI's intermediate when NULL), chained to that issuer.
 */
static void make_cred(struct __test_metadata *_metadata,
		      FIXTURE_DATA(verify) *self,
		      const struct test_cert_spec *spec,
		      enum test_key_type type, X509 *issuer,
		      EVP_PKEY *issuer_key)
{
	struct ktlso_cred *c = &self->cred;

	if (!issuer) {
		issuer = test_files.pki.inter;
		issuer_key = test_files.pki.inter_key;
	}
	ktlso_cred_free(c);
	c->key = test_key_new(type);
	ASSERT_NE(NULL, c->key);
	c->leaf = test_cert_new(spec, c->key, issuer, issuer_key);
	ASSERT_NE(NULL, c->leaf);
	c->chain = sk_X509_new_null();
	ASSERT_NE(NULL, c->chain);
	ASSERT_EQ(1, X509_up_ref(issuer));
	ASSERT_NE(0, sk_X509_push(c->chain, issuer));
}

/* The case's own intermediate, @type key, signed by the root per @spec. */
static void make_ca(struct __test_metadata *_metadata,
		    FIXTURE_DATA(verify) *self,
		    const struct test_cert_spec *spec, enum test_key_type type)
{
	self->ca_key = test_key_new(type);
	ASSERT_NE(NULL, self->ca_key);
	self->ca = test_cert_new(spec, self->ca_key, test_files.pki.root,
				 test_files.pki.root_key);
	ASSERT_NE(NULL, self->ca);
}

/* The server presents the case's credential. */
static void serve_cred(FIXTURE_DATA(verify) *self)
{
	self->p.scfg.creds = &self->cred;
	self->p.scfg.n_creds = 1;
}

/* The client presents the case's credential; the server demands one. */
static void client_cred(FIXTURE_DATA(verify) *self)
{
	self->p.ccfg.creds = &self->cred;
	self->p.ccfg.n_creds = 1;
	self->p.scfg.peer_auth = KTLSO_PEER_AUTH_REQUIRE;
}

static void set_version(struct __test_metadata *_metadata,
			struct hs_pair *p, uint16_t v)
{
	ASSERT_EQ(0, ktlso_config_set_versions(&p->ccfg, version_name(v),
					       version_name(v)));
	ASSERT_EQ(0, ktlso_config_set_versions(&p->scfg, version_name(v),
					       version_name(v)));
}

/* The handshake completes; the client verified the server. */
static void handshake_ok(struct __test_metadata *_metadata, struct hs_pair *p)
{
	struct ktlso_session_result r;

	ASSERT_EQ(0, hs_pair_start(p));
	ASSERT_EQ(0, hs_pair_run(p))
		TH_LOG("client %s (%s), server %s (%s)",
		       ktlso_session_strerror(p->rc), p->clog.last_error,
		       ktlso_session_strerror(p->rs), p->slog.last_error);
	ASSERT_EQ(0, ktlso_session_result(p->c, &r));
	EXPECT_TRUE(r.peer_verified);
	ktlso_session_result_clear(&r);
}

/*
 * The handshake fails at the side that verifies (@server_verifies: the
 * server, a client certificate) with @alert sent, and the reason logged
 * holds @why.
 */
static void refused(struct __test_metadata *_metadata, struct hs_pair *p,
		    bool server_verifies, int alert, const char *why)
{
	struct test_log *log = server_verifies ? &p->slog : &p->clog;
	uint8_t buf[16];
	size_t n;

	ASSERT_EQ(0, hs_pair_start(p));
	hs_pair_run(p);
	EXPECT_EQ(-alert, server_verifies ? p->rs : p->rc)
		TH_LOG("verifier: %s", log->last_error);
	/* A TLS 1.3 client is done before the server reads its chain. */
	if (server_verifies && p->rc == 0)
		EXPECT_EQ(-alert, ktlso_session_read(p->c, buf, sizeof(buf),
						     &n));
	expect_alerted(_metadata, server_verifies ? p->s : p->c,
		       server_verifies ? p->c : p->s, alert);
	EXPECT_EQ(1, log->errors);
	EXPECT_NE(NULL, strstr(log->last_error, why))
		TH_LOG("logged: %s", log->last_error);
}

/* --- the server's name ---------------------------------------------------- */

TEST_F(verify, client_without_server_name_refused)
{
	struct ktlso_io io = { pipe_read, pipe_write, &self->p.cend };
	struct ktlso_session *s = NULL;
	const char *names[] = { NULL, "" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		self->p.ccfg.server_name = names[i];
		memset(&self->p.clog, 0, sizeof(self->p.clog));
		EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
			  ktlso_session_new(&s, &self->p.ccfg,
					    KTLSO_ROLE_CLIENT, &io));
		EXPECT_EQ(NULL, s);
		EXPECT_EQ(1, self->p.clog.errors);
		EXPECT_NE(NULL, strstr(self->p.clog.last_error, "server_name"))
			TH_LOG("logged: %s", self->p.clog.last_error);
	}
}

/*
 * verify_name off: the chain is still verified, the name is not, and the
 * engine warns about it.
 */
TEST_F(verify, verify_name_off_lets_a_client_without_name_run)
{
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	size_t v;

	p->ccfg.server_name = NULL;
	p->ccfg.verify_name = false;
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		set_version(_metadata, p, versions[v]);
		handshake_ok(_metadata, p);
		EXPECT_EQ(1, p->clog.warnings);
		EXPECT_NE(NULL, strstr(p->clog.last_warning,
				       "name is not checked"));
		ASSERT_EQ(0, ktlso_session_result(p->s, &r));
		EXPECT_STREQ("", r.server_name);
		ktlso_session_result_clear(&r);
		hs_pair_reset(p);
	}
	/* The chain still is: an untrusted server is refused. */
	p->ccfg.trust = &p->other_trust;
	refused(_metadata, p, false, KTLSO_ALERT_UNKNOWN_CA, "certificate");
}

/* A name given is verified, verify_name or not. */
TEST_F(verify, verify_name_off_still_checks_a_name_given)
{
	self->p.ccfg.verify_name = false;
	self->p.ccfg.server_name = "wrong.example";
	refused(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE,
		"hostname mismatch");
}

/* Without verification there is no name to check: nothing to refuse. */
TEST_F(verify, client_without_verification_needs_no_name)
{
	self->p.ccfg.server_name = NULL;
	self->p.ccfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ASSERT_EQ(0, hs_pair_run(&self->p));
}

/* --- IP literals ---------------------------------------------------------- */

static const struct test_cert_spec ip_spec = {
	.cn = "192.0.2.7", .san = "IP:192.0.2.7,IP:2001:db8::1",
	.eku = "serverAuth",
};

/* The address, matched against the IP SANs, and no SNI sent. */
TEST_F(verify, ip_literal_matches_ip_san)
{
	static const char *const ips[] = {
		"192.0.2.7", "2001:db8::1", "2001:0db8:0::0001",
	};
	struct hs_pair *p = &self->p;
	struct ktlso_session_result r;
	size_t v, i;

	make_cred(_metadata, self, &ip_spec, TEST_KEY_P256, NULL, NULL);
	serve_cred(self);
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		for (i = 0; i < ARRAY_SIZE(ips); i++) {
			TH_LOG("TLS %s, %s", version_name(versions[v]), ips[i]);
			set_version(_metadata, p, versions[v]);
			p->ccfg.server_name = ips[i];
			handshake_ok(_metadata, p);
			ASSERT_EQ(0, ktlso_session_result(p->s, &r));
			EXPECT_STREQ("", r.server_name);
			ktlso_session_result_clear(&r);
			ASSERT_EQ(0, ktlso_session_result(p->c, &r));
			EXPECT_STREQ("", r.server_name);
			ktlso_session_result_clear(&r);
			hs_pair_reset(p);
		}
	}
}

/* The same text as a DNS name does not certify the address. */
TEST_F(verify, ip_literal_against_dns_san_refused)
{
	const struct test_cert_spec dns_spec = {
		.cn = "192.0.2.7", .san = "DNS:192.0.2.7",
		.eku = "serverAuth",
	};
	size_t v;

	make_cred(_metadata, self, &dns_spec, TEST_KEY_P256, NULL, NULL);
	serve_cred(self);
	self->p.ccfg.server_name = "192.0.2.7";
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		set_version(_metadata, &self->p, versions[v]);
		refused(_metadata, &self->p, false,
			KTLSO_ALERT_BAD_CERTIFICATE, "IP address mismatch");
		hs_pair_reset(&self->p);
	}
}

TEST_F(verify, ip_literal_mismatch_refused)
{
	static const char *const ips[] = { "192.0.2.8", "2001:db8::2" };
	size_t v, i;

	make_cred(_metadata, self, &ip_spec, TEST_KEY_P256, NULL, NULL);
	serve_cred(self);
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		for (i = 0; i < ARRAY_SIZE(ips); i++) {
			set_version(_metadata, &self->p, versions[v]);
			self->p.ccfg.server_name = ips[i];
			refused(_metadata, &self->p, false,
				KTLSO_ALERT_BAD_CERTIFICATE,
				"IP address mismatch");
			hs_pair_reset(&self->p);
		}
	}
}

/* --- key strength --------------------------------------------------------- */

TEST_F(verify, weak_rsa_server_refused)
{
	size_t v;

	make_cred(_metadata, self, &server_spec, TEST_KEY_RSA1024, NULL, NULL);
	serve_cred(self);
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		set_version(_metadata, &self->p, versions[v]);
		refused(_metadata, &self->p, false,
			KTLSO_ALERT_BAD_CERTIFICATE,
			"certificate 0: RSA key of 1024 bits");
		hs_pair_reset(&self->p);
	}
}

TEST_F(verify, weak_rsa_client_refused)
{
	size_t v;

	make_cred(_metadata, self, &client_spec, TEST_KEY_RSA1024, NULL, NULL);
	client_cred(self);
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		set_version(_metadata, &self->p, versions[v]);
		refused(_metadata, &self->p, true, KTLSO_ALERT_BAD_CERTIFICATE,
			"certificate 0: RSA key of 1024 bits");
		hs_pair_reset(&self->p);
	}
}

TEST_F(verify, weak_rsa_accepted_when_configured)
{
	size_t v;

	make_cred(_metadata, self, &server_spec, TEST_KEY_RSA1024, NULL, NULL);
	serve_cred(self);
	self->p.ccfg.peer_policy.min_rsa_bits = 1024;
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		set_version(_metadata, &self->p, versions[v]);
		handshake_ok(_metadata, &self->p);
		hs_pair_reset(&self->p);
	}
	/* The bar is the configured one: 2048 bits fail at 3072. */
	ktlso_cred_free(&self->cred);
	make_cred(_metadata, self, &server_spec, TEST_KEY_RSA2048, NULL, NULL);
	self->p.ccfg.peer_policy.min_rsa_bits = 3072;
	refused(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE,
		"RSA key of 2048 bits, below the minimum of 3072");
}

/* A client certificate meets the server's policy, not the client's. */
TEST_F(verify, weak_rsa_client_accepted_when_configured)
{
	make_cred(_metadata, self, &client_spec, TEST_KEY_RSA1024, NULL, NULL);
	client_cred(self);
	self->p.scfg.peer_policy.min_rsa_bits = 1024;
	handshake_ok(_metadata, &self->p);
}

/* A weak key anywhere in the path counts, not only the leaf's. */
TEST_F(verify, weak_rsa_intermediate_refused)
{
	const struct test_cert_spec ca_spec = {
		.cn = "weak intermediate", .ca = true,
	};

	make_ca(_metadata, self, &ca_spec, TEST_KEY_RSA1024);
	make_cred(_metadata, self, &server_spec, TEST_KEY_P256, self->ca,
		  self->ca_key);
	serve_cred(self);
	refused(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE,
		"certificate 1: RSA key of 1024 bits");
}

TEST_F(verify, policy_out_of_range_refused)
{
	struct ktlso_io io = { pipe_read, pipe_write, &self->p.cend };
	static const unsigned int bad[] = { 0, 512, 1023, 16385 };
	struct ktlso_session *s = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		self->p.ccfg.peer_policy.min_rsa_bits = bad[i];
		EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
			  ktlso_session_new(&s, &self->p.ccfg,
					    KTLSO_ROLE_CLIENT, &io));
	}
	EXPECT_NE(NULL, strstr(self->p.clog.last_error, "min_rsa_bits"));
}

/* Unverified (verify off), nothing is held to the policy. */
TEST_F(verify, no_policy_without_verification)
{
	struct test_cert_spec spec = server_spec;

	spec.digest = "SHA1";
	make_cred(_metadata, self, &spec, TEST_KEY_RSA1024, NULL, NULL);
	serve_cred(self);
	self->p.ccfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	ASSERT_EQ(0, hs_pair_start(&self->p));
	ASSERT_EQ(0, hs_pair_run(&self->p));
}

/* --- signature hashes ----------------------------------------------------- */

TEST_F(verify, sha1_signed_server_refused)
{
	struct test_cert_spec spec = server_spec;
	size_t v;

	spec.digest = "SHA1";
	make_cred(_metadata, self, &spec, TEST_KEY_P256, NULL, NULL);
	serve_cred(self);
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		set_version(_metadata, &self->p, versions[v]);
		refused(_metadata, &self->p, false,
			KTLSO_ALERT_BAD_CERTIFICATE,
			"certificate 0: signed with SHA1");
		hs_pair_reset(&self->p);
	}
}

TEST_F(verify, sha1_signed_client_refused)
{
	struct test_cert_spec spec = client_spec;

	spec.digest = "SHA1";
	make_cred(_metadata, self, &spec, TEST_KEY_P256, NULL, NULL);
	client_cred(self);
	refused(_metadata, &self->p, true, KTLSO_ALERT_BAD_CERTIFICATE,
		"certificate 0: signed with SHA1");
}

TEST_F(verify, sha1_signed_intermediate_refused)
{
	const struct test_cert_spec ca_spec = {
		.cn = "sha1 intermediate", .ca = true, .digest = "SHA1",
	};

	make_ca(_metadata, self, &ca_spec, TEST_KEY_P256);
	make_cred(_metadata, self, &server_spec, TEST_KEY_P256, self->ca,
		  self->ca_key);
	serve_cred(self);
	refused(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE,
		"certificate 1: signed with SHA1");
}

TEST_F(verify, sha1_signed_accepted_when_configured)
{
	struct test_cert_spec spec = server_spec;

	spec.digest = "SHA1";
	make_cred(_metadata, self, &spec, TEST_KEY_P256, NULL, NULL);
	serve_cred(self);
	self->p.ccfg.peer_policy.allow_sha1 = true;
	handshake_ok(_metadata, &self->p);
}

/* MD5 is refused even where SHA-1 is allowed. */
TEST_F(verify, md5_signed_server_refused)
{
	const struct test_cert_spec ca_spec = {
		.cn = "rsa intermediate", .ca = true,
	};
	struct test_cert_spec spec = server_spec;

	/* MD5 signatures need an RSA issuer. */
	make_ca(_metadata, self, &ca_spec, TEST_KEY_RSA2048);
	spec.digest = "MD5";
	make_cred(_metadata, self, &spec, TEST_KEY_P256, self->ca,
		  self->ca_key);
	serve_cred(self);
	self->p.ccfg.peer_policy.allow_sha1 = true;
	refused(_metadata, &self->p, false, KTLSO_ALERT_BAD_CERTIFICATE,
		"certificate 0: signed with MD5");
}

TEST_HARNESS_MAIN
