// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's configuration: the defaults, and the parsers for the lists
 * a configuration file gives ("x25519:P-256", suite and scheme names,
 * "h2,http/1.1", "1.2".."1.3"). A failed parse leaves the config as it was.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/engine.h"
#include "engine/sig.h"

#define INVAL (-KTLSO_ERROR_INVALID_ARGUMENT)

TEST(defaults)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	/* TLS 1.3 preferred; TLS 1.2 (ECDHE, AEAD, EMS) allowed. */
	EXPECT_EQ(KTLSO_TLS12_VERSION, c.min_version);
	EXPECT_EQ(KTLSO_TLS13_VERSION, c.max_version);
	ASSERT_EQ(11u, c.n_suites);
	EXPECT_EQ(0x1301, c.suites[0]);
	EXPECT_EQ(0x1304, c.suites[3]);
	EXPECT_EQ(0xc02b, c.suites[4]);
	EXPECT_EQ(0xc0ac, c.suites[10]);
	ASSERT_EQ(3u, c.n_groups);
	EXPECT_EQ(KTLSO_GROUP_X25519, c.groups[0]);
	EXPECT_EQ(KTLSO_GROUP_SECP256R1, c.groups[1]);
	EXPECT_EQ(KTLSO_GROUP_SECP384R1, c.groups[2]);
	EXPECT_EQ(1u, c.n_key_shares);
	EXPECT_NE(0u, c.n_sigschemes);
	EXPECT_TRUE(c.peer_auth == KTLSO_PEER_AUTH_DEFAULT);
	EXPECT_TRUE(c.verify_name);
	EXPECT_EQ(2048u, c.peer_policy.min_rsa_bits);
	EXPECT_FALSE(c.peer_policy.allow_sha1);
	EXPECT_TRUE(c.middlebox_compat);
	EXPECT_TRUE(c.ems == KTLSO_EMS_REQUIRED);
	EXPECT_EQ(0u, c.n_alpn);
	EXPECT_STREQ("TLS_AES_128_GCM_SHA256", ktlso_suite_name(0x1301));
	EXPECT_EQ(NULL, ktlso_suite_name(0x0005));
}

TEST(groups)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	c.n_key_shares = 3;
	ASSERT_EQ(0, ktlso_config_set_groups(&c, "P-384:x25519"));
	ASSERT_EQ(2u, c.n_groups);
	EXPECT_EQ(KTLSO_GROUP_SECP384R1, c.groups[0]);
	EXPECT_EQ(KTLSO_GROUP_X25519, c.groups[1]);
	EXPECT_EQ(2u, c.n_key_shares);	/* no more shares than groups */
	EXPECT_EQ(INVAL, ktlso_config_set_groups(&c, "x25519:ffdhe2048"));
	EXPECT_EQ(INVAL, ktlso_config_set_groups(&c, "x25519:X25519"));
	EXPECT_EQ(INVAL, ktlso_config_set_groups(&c, "x25519::P-256"));
	EXPECT_EQ(INVAL, ktlso_config_set_groups(&c, ""));
	EXPECT_EQ(INVAL, ktlso_config_set_groups(&c, "x25519:"));
	ASSERT_EQ(2u, c.n_groups);
	EXPECT_EQ(KTLSO_GROUP_SECP384R1, c.groups[0]);
}

TEST(suites)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	ASSERT_EQ(0, ktlso_config_set_suites(&c, "TLS_CHACHA20_POLY1305_SHA256:"
					      "tls_aes_256_gcm_sha384"));
	ASSERT_EQ(2u, c.n_suites);
	EXPECT_EQ(0x1303, c.suites[0]);
	EXPECT_EQ(0x1302, c.suites[1]);
	EXPECT_EQ(INVAL, ktlso_config_set_suites(&c, "TLS_RSA_WITH_RC4_128_MD5"));
	EXPECT_EQ(2u, c.n_suites);
}

TEST(sigschemes)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	ASSERT_EQ(0, ktlso_config_set_sigschemes(&c, "ed25519:rsa_pss_rsae_sha384"));
	ASSERT_EQ(2u, c.n_sigschemes);
	EXPECT_EQ(KTLSO_SIG_ED25519, c.sigschemes[0]);
	EXPECT_EQ(KTLSO_SIG_RSA_PSS_RSAE_SHA384, c.sigschemes[1]);
	EXPECT_EQ(INVAL, ktlso_config_set_sigschemes(&c, "dsa_sha1"));
	/* No SHA-1 scheme exists to be configured, or accepted. */
	EXPECT_EQ(INVAL, ktlso_config_set_sigschemes(&c, "rsa_pkcs1_sha1"));
	EXPECT_EQ(INVAL, ktlso_config_set_sigschemes(&c, "ecdsa_sha1"));
}

TEST(alpn)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	ASSERT_EQ(0, ktlso_config_set_alpn(&c, "h2,http/1.1"));
	ASSERT_EQ(2u, c.n_alpn);
	EXPECT_STREQ("h2", c.alpn[0]);
	EXPECT_STREQ("http/1.1", c.alpn[1]);
	EXPECT_EQ(INVAL, ktlso_config_set_alpn(&c, "h2,,x"));
	EXPECT_EQ(INVAL, ktlso_config_set_alpn(&c, "h2,h2"));
	EXPECT_EQ(INVAL, ktlso_config_set_alpn(&c, "with space"));
	EXPECT_EQ(INVAL, ktlso_config_set_alpn(&c, "a,b,c,d,e,f,g,h,i"));
	EXPECT_EQ(2u, c.n_alpn);
}

TEST(versions)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	ASSERT_EQ(0, ktlso_config_set_versions(&c, "1.2", "TLSv1.3"));
	EXPECT_EQ(KTLSO_TLS12_VERSION, c.min_version);
	EXPECT_EQ(KTLSO_TLS13_VERSION, c.max_version);
	EXPECT_EQ(INVAL, ktlso_config_set_versions(&c, "1.3", "1.2"));
	EXPECT_EQ(INVAL, ktlso_config_set_versions(&c, "1.1", "1.3"));
	EXPECT_EQ(KTLSO_TLS12_VERSION, c.min_version);
}

TEST(ems)
{
	struct ktlso_config c;

	ktlso_config_init(&c);
	EXPECT_EQ(0, ktlso_config_set_ems(&c, "preferred"));
	EXPECT_TRUE(c.ems == KTLSO_EMS_PREFERRED);
	EXPECT_EQ(0, ktlso_config_set_ems(&c, "required"));
	EXPECT_TRUE(c.ems == KTLSO_EMS_REQUIRED);
	/* Unchanged on error. */
	EXPECT_EQ(0, ktlso_config_set_ems(&c, "preferred"));
	EXPECT_EQ(INVAL, ktlso_config_set_ems(&c, "optional"));
	EXPECT_EQ(INVAL, ktlso_config_set_ems(&c, "Required"));
	EXPECT_EQ(INVAL, ktlso_config_set_ems(&c, ""));
	EXPECT_EQ(INVAL, ktlso_config_set_ems(&c, NULL));
	EXPECT_TRUE(c.ems == KTLSO_EMS_PREFERRED);
}

TEST(error_names)
{
	EXPECT_STREQ("want read", ktlso_session_strerror(KTLSO_WANT_READ));
	EXPECT_STREQ("connection closed by the peer",
		     ktlso_session_strerror(-KTLSO_ERROR_CLOSED));
	EXPECT_STREQ("unknown_ca",
		     ktlso_session_strerror(-KTLSO_ALERT_UNKNOWN_CA));
}

TEST_HARNESS_MAIN
