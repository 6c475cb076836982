// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's configuration file: the defaults, every key, every problem
 * reported as FILE:LINE with the load refused, relative paths, roles, the
 * kernel suite filter applied to profiles. Reloads are tests/reload.c.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "daemon/conf.h"
#include "daemon/tickets.h"
#include "engine/kex.h"
#include "engine/sig.h"
#include "kd_test.h"

/* @in with every '@' replaced by the test directory. */
static void subst_dir(const char *in, char *out, size_t cap)
{
	size_t off = 0;

	for (; *in && off + 1 < cap; in++) {
		if (*in == '@')
			off += (size_t)snprintf(out + off, cap - off, "%s",
						kd_files.dir);
		else
			out[off++] = *in;
	}
	out[off < cap ? off : cap - 1] = '\0';
}

/* The problems reported, exactly and in order ('@': the test directory). */
static void expect_reports(struct __test_metadata *_metadata,
			   const struct kd_reports *r, const char *path,
			   const char *const *want, size_t n)
{
	char full[1024], line[512];
	size_t i;

	ASSERT_EQ(n, r->n) {
		for (i = 0; i < r->n && i < KD_MAX_REPORTS; i++)
			TH_LOG("got: %s", r->msg[i]);
	}
	for (i = 0; i < n; i++) {
		subst_dir(want[i], line, sizeof(line));
		snprintf(full, sizeof(full), "%s:%s", path, line);
		EXPECT_STREQ(full, r->msg[i]);
	}
}

#define EXPECT_REPORTS(r, path, ...)                                          \
	do {                                                                  \
		static const char *const want_[] = { __VA_ARGS__ };           \
		expect_reports(_metadata, r, path, want_,                     \
			       sizeof(want_) / sizeof(want_[0]));             \
	} while (0)

TEST(defaults)
{
	struct ktlso_config init;
	const struct kd_profile *p;
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "defaults.conf",
				   "[profile default]\ncert = %s %s\ncafile = %s\n",
				   kd_files.srv_cert, kd_files.srv_key,
				   kd_files.root));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_EQ(0u, r.n);
	EXPECT_EQ(1u, c->refs);
	EXPECT_STREQ(path, c->path);
	EXPECT_TRUE(c->log_level == KD_LOG_INFO);
	EXPECT_EQ(256u, c->max_handshakes);
	EXPECT_EQ(30000u, c->timeout_ms);
	EXPECT_EQ(0u, c->workers);
	EXPECT_EQ(64u, c->max_per_peer);
	EXPECT_EQ(0u, c->max_per_user);
	ASSERT_EQ(1u, c->n_profiles);
	p = kd_config_profile(c, "");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(p, kd_config_profile(c, NULL));
	EXPECT_EQ(p, kd_config_profile(c, "default"));
	EXPECT_EQ(NULL, kd_config_profile(c, "web"));
	EXPECT_STREQ("default", p->name);
	EXPECT_EQ(1u, p->line);
	EXPECT_EQ(1u, p->n_creds);
	EXPECT_TRUE(p->has_trust);
	EXPECT_TRUE(p->verify);
	EXPECT_TRUE(p->verify_name);
	EXPECT_TRUE(p->client_auth == KD_CLIENT_AUTH_NONE);
	EXPECT_TRUE(p->can_client);
	EXPECT_TRUE(p->can_server);
	/* The engine's defaults, all of them (every AEAD ranks the same). */
	ktlso_config_init(&init);
	EXPECT_EQ(init.min_version, p->tmpl.min_version);
	EXPECT_EQ(init.max_version, p->tmpl.max_version);
	ASSERT_EQ(init.n_suites, p->tmpl.n_suites);
	EXPECT_EQ(0, memcmp(init.suites, p->tmpl.suites,
			    init.n_suites * sizeof(init.suites[0])));
	ASSERT_EQ(init.n_groups, p->tmpl.n_groups);
	EXPECT_EQ(0, memcmp(init.groups, p->tmpl.groups,
			    init.n_groups * sizeof(init.groups[0])));
	EXPECT_EQ(init.n_sigschemes, p->tmpl.n_sigschemes);
	EXPECT_EQ(0u, p->tmpl.n_alpn);
	EXPECT_TRUE(p->tmpl.ems == KTLSO_EMS_REQUIRED);
	EXPECT_EQ(2048u, p->tmpl.peer_policy.min_rsa_bits);
	EXPECT_FALSE(p->tmpl.peer_policy.allow_sha1);
	kd_profile_engine_config(p, KTLSO_ROLE_CLIENT, &init);
	EXPECT_TRUE(init.verify_name);
	kd_config_put(c);
	EXPECT_EQ(0, kd_test_leaks());
}

TEST(every_key)
{
	struct ktlso_config cfg;
	const struct kd_profile *p;
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "keys.conf",
		"# a comment\n"
		"  ; another\n"
		"\n"
		"log_level = debug\n"
		"max_handshakes=12\n"
		"workers = 3\n"
		"max_handshakes_per_peer = 0\n"
		"max_handshakes_per_user = 9\n"
		"[global]\n"
		"   handshake_timeout_ms   =   1500   \n"
		"[ profile  web ]\n"
		"cert = %s %s\n"
		"cert = %s %s\n"
		"cafile = %s\n"
		"capath = %s\n"
		"min_version = 1.3\n"
		"max_version = TLSv1.3\n"
		"suites = TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384\n"
		"groups = P-384:x25519\n"
		"signature_schemes = ed25519:ecdsa_secp256r1_sha256\n"
		"alpn = h2,http/1.1\n"
		"client_auth = optional\n"
		"verify = no\n"
		"peer_min_rsa_bits = 3072\n"
		"[profile up.stream-2_x]\n"
		"cafile = %s\n"
		"client_auth = require\n"
		"ems = preferred\n"
		"verify_name = no\n"
		"peer_sha1 = allow\n"
		"peer_min_rsa_bits = 1024\n",
		kd_files.srv_cert, kd_files.srv_key, kd_files.other_cert,
		kd_files.other_key, kd_files.root, kd_files.dir,
		kd_files.root));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_TRUE(c->log_level == KD_LOG_DEBUG);
	EXPECT_EQ(12u, c->max_handshakes);
	EXPECT_EQ(3u, c->workers);
	EXPECT_EQ(0u, c->max_per_peer);
	EXPECT_EQ(9u, c->max_per_user);
	EXPECT_EQ(1500u, c->timeout_ms);
	ASSERT_EQ(2u, c->n_profiles);
	p = kd_config_profile(c, "web");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(11u, p->line);
	EXPECT_EQ(2u, p->n_creds);
	EXPECT_TRUE(p->has_trust);
	EXPECT_FALSE(p->verify);
	EXPECT_TRUE(p->verify_name);
	EXPECT_TRUE(p->client_auth == KD_CLIENT_AUTH_OPTIONAL);
	EXPECT_TRUE(p->tmpl.ems == KTLSO_EMS_REQUIRED);
	EXPECT_EQ(3072u, p->tmpl.peer_policy.min_rsa_bits);
	EXPECT_FALSE(p->tmpl.peer_policy.allow_sha1);
	EXPECT_EQ(KTLSO_TLS13_VERSION, p->tmpl.min_version);
	EXPECT_EQ(KTLSO_TLS13_VERSION, p->tmpl.max_version);
	ASSERT_EQ(2u, p->tmpl.n_suites);
	EXPECT_EQ(0x1303, p->tmpl.suites[0]);
	EXPECT_EQ(0x1302, p->tmpl.suites[1]);
	ASSERT_EQ(2u, p->tmpl.n_groups);
	EXPECT_EQ(KTLSO_GROUP_SECP384R1, p->tmpl.groups[0]);
	ASSERT_EQ(2u, p->tmpl.n_sigschemes);
	EXPECT_EQ(KTLSO_SIG_ED25519, p->tmpl.sigschemes[0]);
	ASSERT_EQ(2u, p->tmpl.n_alpn);
	EXPECT_STREQ("h2", p->tmpl.alpn[0]);
	EXPECT_STREQ("http/1.1", p->tmpl.alpn[1]);

	/* Per role: verify for a client, client_auth for a server. */
	kd_profile_engine_config(p, KTLSO_ROLE_CLIENT, &cfg);
	EXPECT_TRUE(cfg.peer_auth == KTLSO_PEER_AUTH_NONE);
	EXPECT_TRUE(cfg.creds == p->creds);
	EXPECT_EQ(2u, cfg.n_creds);
	EXPECT_EQ(&p->trust, cfg.trust);
	kd_profile_engine_config(p, KTLSO_ROLE_SERVER, &cfg);
	EXPECT_TRUE(cfg.peer_auth == KTLSO_PEER_AUTH_OPTIONAL);

	p = kd_config_profile(c, "up.stream-2_x");
	ASSERT_NE(NULL, p);
	EXPECT_TRUE(p->can_client);
	EXPECT_FALSE(p->can_server);	/* no cert */
	EXPECT_FALSE(p->verify_name);
	kd_profile_engine_config(p, KTLSO_ROLE_CLIENT, &cfg);
	EXPECT_TRUE(cfg.peer_auth == KTLSO_PEER_AUTH_REQUIRE);
	EXPECT_FALSE(cfg.verify_name);
	EXPECT_EQ(NULL, cfg.creds);
	EXPECT_TRUE(cfg.ems == KTLSO_EMS_PREFERRED);
	EXPECT_EQ(1024u, cfg.peer_policy.min_rsa_bits);
	EXPECT_TRUE(cfg.peer_policy.allow_sha1);
	/* The chain policy holds for client certificates too. */
	kd_profile_engine_config(p, KTLSO_ROLE_SERVER, &cfg);
	EXPECT_TRUE(cfg.peer_auth == KTLSO_PEER_AUTH_REQUIRE);
	EXPECT_TRUE(cfg.ems == KTLSO_EMS_PREFERRED);
	EXPECT_EQ(1024u, cfg.peer_policy.min_rsa_bits);
	EXPECT_TRUE(cfg.peer_policy.allow_sha1);
	kd_config_put(c);
	EXPECT_EQ(0, kd_test_leaks());
}

/* Relative paths are taken from the configuration file's directory. */
TEST(relative_paths)
{
	const struct kd_profile *p;
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "relative.conf",
				   "[profile default]\n"
				   "cert = srv.pem srv.key\n"
				   "cafile = root.pem\n"));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	p = kd_config_profile(c, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1u, p->n_creds);
	kd_config_put(c);

	/*
	 * The file itself named relative to the working directory, from
	 * above its own: "DIR/relative.conf", whose paths are below DIR.
	 */
	ASSERT_EQ(0, chdir(kd_files.dir));
	ASSERT_EQ(0, chdir(".."));
	snprintf(path, sizeof(path), "%s/relative.conf",
		 strrchr(kd_files.dir, '/') + 1);
	ASSERT_EQ(0, kd_test_load(&c, path, &r)) TH_LOG("%s", r.msg[0]);
	EXPECT_EQ(1u, kd_config_profile(c, NULL)->n_creds);
	EXPECT_STREQ(path, c->path);
	kd_config_put(c);
	ASSERT_EQ(0, chdir("/"));
}

/* Every syntax and value problem, each with its line, all in one go. */
TEST(problems_reported)
{
	struct kd_reports r;
	struct kd_config *c = (struct kd_config *)1;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "bad.conf",
		"log_level = loud\n"				/* 1 */
		"max_handshakes = 0\n"				/* 2 */
		"handshake_timeout_ms = 12x\n"			/* 3 */
		"max_handshakes = 70000\n"			/* 4 */
		"colour = blue\n"				/* 5 */
		"just words\n"					/* 6 */
		"Bad-Key = 1\n"					/* 7 */
		"log_level =\n"					/* 8 */
		"[profile one\n"				/* 9 */
		"[zone x]\n"					/* 10 */
		"ignored = in a bad section\n"			/* 11 */
		"[profile a/b]\n"				/* 12 */
		"[profile two]\n"				/* 13 */
		"cert = %s %s extra\n"				/* 14 */
		"cert = /nonexistent.pem\n"			/* 15 */
		"cafile = missing-ca.pem\n"			/* 16 */
		"min_version = 1.1\n"				/* 17 */
		"suites = TLS_AES_128_GCM_SHA256:TLS_FOO\n"	/* 18 */
		"groups = x25519::P-256\n"			/* 19 */
		"signature_schemes = ed25519:ed25519\n"		/* 20 */
		"alpn = h2,,x\n"				/* 21 */
		"client_auth = sometimes\n"			/* 22 */
		"verify = perhaps\n"				/* 23 */
		"verify = no\n"					/* 24 */
		"ems = optional\n"				/* 25 */
		"ems = preferred\n"				/* 26 */
		"flavour = mild\n"				/* 27 */
		"[profile two]\n"				/* 28 */
		"[global]\n"					/* 29 */
		"log_level = info\n"				/* 30 */
		"log_level = debug\n"				/* 31 */
		"workers = 0\n"				/* 32 */
		"max_handshakes_per_peer = 65537\n",		/* 33 */
		kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_EQ(NULL, c);
	EXPECT_REPORTS(&r, path,
		"1: log_level: \"loud\" is not error, warning, info or debug",
		"2: max_handshakes: \"0\" is not a number from 1 to 65536",
		"3: handshake_timeout_ms: \"12x\" is not a number from 1 to 300000",
		"4: max_handshakes: given twice (first on line 2)",
		"5: unknown global key \"colour\"",
		"6: expected \"key = value\"",
		"7: bad key \"Bad-Key\"",
		"8: log_level: empty value",
		"9: a section header ends with ']'",
		"10: unknown section [zone x] (expected [global] or [profile NAME])",
		"12: bad profile name \"a/b\" (1 to 63 letters, digits, '-', '_', '.')",
		"14: cert: expected CERTFILE [KEYFILE]",
		"15: cert: /nonexistent.pem: cannot open: No such file or directory",
		"16: cafile: @/missing-ca.pem: cannot load CA certificates",
		"17: min_version: \"1.1\" is not 1.2 or 1.3",
		"18: suites: unknown name \"TLS_FOO\"",
		"19: groups: empty name in \"x25519::P-256\"",
		"20: signature_schemes: a name is given twice in \"ed25519:ed25519\"",
		"21: alpn: empty name in \"h2,,x\"",
		"22: client_auth: \"sometimes\" is not none, optional or require",
		"23: verify: \"perhaps\" is not yes or no",
		"24: verify: given twice (first on line 23)",
		"25: ems: \"optional\" is not required or preferred",
		"26: ems: given twice (first on line 25)",
		"27: unknown profile key \"flavour\"",
		"28: profile two defined twice (first on line 13)",
		"30: log_level: given twice (first on line 1)",
		"31: log_level: given twice (first on line 1)",
		"32: workers: \"0\" is not auto or a number from 1 to 256",
		"33: max_handshakes_per_peer: \"65537\" is not a number from 0 to 65536");
	EXPECT_EQ(0, kd_test_leaks());
}

TEST(workers_key)
{
	static const char *const ok[] = { "auto", "1", "256" };
	static const unsigned int want[] = { 0, 1, 256 };
	static const char *const bad[] = { "257", "-1", "all", "" };
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];
	size_t i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, kd_test_write(path, "workers.conf",
					   "workers = %s\n[profile default]\ncert = %s %s\n",
					   ok[i], kd_files.srv_cert,
					   kd_files.srv_key));
		ASSERT_EQ(0, kd_test_load(&c, path, &r)) TH_LOG("%s", ok[i]);
		EXPECT_EQ(want[i], c->workers);
		kd_config_put(c);
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, kd_test_write(path, "workers.conf",
					   "workers = %s\n[profile default]\ncert = %s %s\n",
					   bad[i], kd_files.srv_cert,
					   kd_files.srv_key));
		EXPECT_EQ(-1, kd_test_load(&c, path, &r)) TH_LOG("%s", bad[i]);
		EXPECT_EQ(1u, r.n);
	}
	EXPECT_EQ(0, kd_test_leaks());
}

/*
 * A fleet's keys: "ticket_keys" (local, redis://HOST[:PORT]/PREFIX),
 * "redis_user", "redis_password_file" (its first line, mode checked as a
 * key file's), and each malformed one refused.
 */
/* fleet.conf: @global, then a profile. */
static int fleet_conf(char *path, const char *global)
{
	return kd_test_write(path, "fleet.conf", "%s[profile default]\ncert = %s %s\n",
			     global, kd_files.srv_cert, kd_files.srv_key);
}

TEST(redis_ticket_keys)
{
	static const char *const bad[] = {
		"ticket_keys = redis:/h/p\n",
		"ticket_keys = redis://h:0/p\n",
		"ticket_keys = redis://h:65536/p\n",
		"ticket_keys = redis://h:12x/p\n",
		"ticket_keys = redis://h\n",
		"ticket_keys = redis://h/\n",
		"ticket_keys = redis://h/a b\n",
		"ticket_keys = redis://[::1/p\n",
		"ticket_keys = redis://[::1]x/p\n",
		"ticket_keys = redis://h_h/p\n",
		"ticket_keys = redis://h/"
		"12345678901234567890123456789012345678901234567890123456789012345\n",
		"redis_user = u\n",
		"ticket_keys = redis://h/p\nredis_user = u\n",
		"ticket_keys = redis://h/p\nredis_user = a b\n",
		"ticket_keys = redis://h/p\nredis_password_file = /nonexistent\n",
		"ticket_keys = redis://h/p\nredis_password_file = empty.pw\n",
	};
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH], pw[KD_PATH];
	size_t i;

	/* The default: local keys. */
	ASSERT_EQ(0, fleet_conf(path, "log_level = info\n"));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_FALSE(c->redis.on);
	kd_config_put(c);

	ASSERT_EQ(0, kd_test_write(pw, "redis.pw", "s3cret pass\nignored\n"));
	ASSERT_EQ(0, chmod(pw, 0600));
	ASSERT_EQ(0, fleet_conf(path, "ticket_keys = redis://[::1]:7000/fleet:a\n"
				"redis_user = ktlsod\n"
				"redis_password_file = redis.pw\n"));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_TRUE(c->redis.on);
	EXPECT_STREQ("::1", c->redis.host);
	EXPECT_EQ(7000u, c->redis.port);
	EXPECT_STREQ("fleet:a", c->redis.prefix);
	EXPECT_STREQ("ktlsod", c->redis.user);
	EXPECT_STREQ("s3cret pass", c->redis.password);
	kd_config_put(c);

	ASSERT_EQ(0, fleet_conf(path, "ticket_keys = redis://redis.example/k\n"));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_STREQ("redis.example", c->redis.host);
	EXPECT_EQ(6379u, c->redis.port);
	EXPECT_EQ(0, c->redis.password[0]);
	kd_config_put(c);

	/* A password others may read is a key file's problem. */
	ASSERT_EQ(0, chmod(pw, 0644));
	ASSERT_EQ(0, fleet_conf(path, "ticket_keys = redis://h/p\n"
				"redis_password_file = redis.pw\n"));
	EXPECT_EQ(-1, kd_test_load(&c, path, &r));
	ASSERT_LE(1u, r.n);
	EXPECT_NE(NULL, strstr(r.msg[0], "redis.pw")) TH_LOG("%s", r.msg[0]);

	ASSERT_EQ(0, kd_test_write(pw, "empty.pw", "\n"));
	ASSERT_EQ(0, chmod(pw, 0600));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, fleet_conf(path, bad[i]));
		EXPECT_EQ(-1, kd_test_load(&c, path, &r)) TH_LOG("%s", bad[i]);
		ASSERT_LE(1u, r.n);
		EXPECT_NE(NULL, strstr(r.msg[0], "redis")) TH_LOG("%s", r.msg[0]);
	}
	EXPECT_EQ(0, kd_test_leaks());
}

/*
 * Resumption: "tickets", "ticket_lifetime" per profile, "ticket_rotation"
 * globally; their defaults, bounds, and the previous ticket keys they need.
 */
TEST(ticket_keys)
{
	static const char *const bad[] = {
		"ticket_rotation = 59\n", "ticket_rotation = 86401\n",
		"[profile x]\ntickets = 17\n",
		"[profile x]\nticket_lifetime = 0\n",
		"[profile x]\nticket_lifetime = 604801\n",
		"[profile x]\ntickets = 1\ntickets = 2\n",
	};
	const struct kd_profile *a, *b;
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];
	size_t i;

	ASSERT_EQ(0, kd_test_write(path, "tickets.conf",
				   "[profile a]\ncert = %s %s\n"
				   "[profile b]\ncert = %s %s\n"
				   "tickets = 0\nticket_lifetime = 604800\n",
				   kd_files.srv_cert, kd_files.srv_key,
				   kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	a = kd_config_profile(c, "a");
	b = kd_config_profile(c, "b");
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(3600u, c->ticket_rotation_s);
	EXPECT_EQ(2u, a->tmpl.n_tickets);
	EXPECT_EQ(7200u, a->tmpl.ticket_lifetime);
	EXPECT_EQ(0u, b->tmpl.n_tickets);
	/* b issues none: a's 7200 s over 3600 s rotations. */
	EXPECT_EQ(2u, kd_tickets_keep(c));
	kd_config_put(c);

	ASSERT_EQ(0, kd_test_write(path, "tickets.conf",
				   "ticket_rotation = 600\n"
				   "[profile a]\ncert = %s %s\n"
				   "tickets = 16\nticket_lifetime = 601\n",
				   kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_EQ(600u, c->ticket_rotation_s);
	EXPECT_EQ(16u, kd_config_profile(c, "a")->tmpl.n_tickets);
	EXPECT_EQ(2u, kd_tickets_keep(c));
	kd_config_put(c);

	ASSERT_EQ(0, kd_test_write(path, "tickets.conf",
				   "ticket_rotation = 60\n"
				   "[profile a]\ncert = %s %s\n"
				   "ticket_lifetime = 604800\n",
				   kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_EQ((unsigned int)KTLSO_TICKET_KEEP_MAX, kd_tickets_keep(c));
	kd_config_put(c);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, kd_test_write(path, "tickets.conf", "%s", bad[i]));
		EXPECT_EQ(-1, kd_test_load(&c, path, &r)) TH_LOG("%s", bad[i]);
		ASSERT_LE(1u, r.n);
		EXPECT_NE(NULL, strstr(r.msg[0], "ticket")) TH_LOG("%s", r.msg[0]);
	}
	EXPECT_EQ(0, kd_test_leaks());
}

/* "client_session_cache": its default, 0 (off), its bound. */
TEST(client_session_cache)
{
	static const char *const bad[] = {
		"-1", "1048577", "many", "",
	};
	static const char *const good[] = { NULL, "0", "1048576" };
	static const unsigned int want[] = { 1024, 0, 1048576 };
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(0, kd_test_write(path, "cc.conf",
					   "%s%s%s[profile a]\ncert = %s %s\n",
					   good[i] ? "client_session_cache = " : "",
					   good[i] ? good[i] : "",
					   good[i] ? "\n" : "",
					   kd_files.srv_cert, kd_files.srv_key));
		ASSERT_EQ(0, kd_test_load(&c, path, &r));
		EXPECT_EQ(want[i], c->client_cache);
		kd_config_put(c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, kd_test_write(path, "cc.conf",
					   "client_session_cache = %s\n"
					   "[profile a]\ncert = %s %s\n", bad[i],
					   kd_files.srv_cert, kd_files.srv_key));
		EXPECT_EQ(-1, kd_test_load(&c, path, &r)) TH_LOG("%s", bad[i]);
		ASSERT_LE(1u, r.n);
		EXPECT_NE(NULL, strstr(r.msg[0], "client_session_cache"))
			TH_LOG("%s", r.msg[0]);
	}
	EXPECT_EQ(0, kd_test_leaks());
}

/* The verification keys: every bad value, and each key given twice. */
TEST(verification_keys_reported)
{
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "verification.conf",
		"[profile up]\n"				/* 1 */
		"cafile = %s\n"				/* 2 */
		"verify_name = sometimes\n"			/* 3 */
		"verify_name = no\n"				/* 4 */
		"peer_min_rsa_bits = 1023\n"			/* 5 */
		"peer_min_rsa_bits = 2048\n"			/* 6 */
		"[profile up2]\n"				/* 7 */
		"cafile = %s\n"				/* 8 */
		"peer_min_rsa_bits = 16385\n"			/* 9 */
		"peer_sha1 = yes\n"				/* 10 */
		"peer_sha1 = allow\n"				/* 11 */
		"[profile up3]\n"				/* 12 */
		"cafile = %s\n"				/* 13 */
		"peer_min_rsa_bits = 2k\n"			/* 14 */
		"[profile up4]\n"				/* 15 */
		"cafile = %s\n"				/* 16 */
		"peer_min_rsa_bits = -2048\n",			/* 17 */
		kd_files.root, kd_files.root, kd_files.root, kd_files.root));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path,
		"3: verify_name: \"sometimes\" is not yes or no",
		"4: verify_name: given twice (first on line 3)",
		"5: peer_min_rsa_bits: \"1023\" is not a number of bits from 1024 to 16384",
		"6: peer_min_rsa_bits: given twice (first on line 5)",
		"9: peer_min_rsa_bits: \"16385\" is not a number of bits from 1024 to 16384",
		"10: peer_sha1: \"yes\" is not refuse or allow",
		"11: peer_sha1: given twice (first on line 10)",
		"14: peer_min_rsa_bits: \"2k\" is not a number of bits from 1024 to 16384",
		"17: peer_min_rsa_bits: \"-2048\" is not a number of bits from 1024 to 16384");
	EXPECT_EQ(0, kd_test_leaks());
}

/* Problems between keys, reported at the line that causes them. */
TEST(problems_between_keys)
{
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "between.conf",
		"[profile versions]\n"			/* 1 */
		"cafile = %s\n"				/* 2 */
		"max_version = 1.2\n"			/* 3 */
		"min_version = 1.3\n"			/* 4 */
		"[profile auth]\n"			/* 5 */
		"cert = %s %s\n"			/* 6 */
		"client_auth = require\n"		/* 7 */
		"[profile nothing]\n"			/* 8 */
		"alpn = h2\n"				/* 9 */
		"[profile mismatch]\n"			/* 10 */
		"cert = %s %s\n"			/* 11 */
		"[profile tls12only]\n"			/* 12 */
		"cafile = %s\n"				/* 13 */
		"min_version = 1.2\n"			/* 14 */
		"max_version = 1.2\n"			/* 15 */
		"suites = TLS_AES_128_GCM_SHA256\n",	/* 16 */
		kd_files.root, kd_files.srv_cert, kd_files.srv_key,
		kd_files.srv_cert, kd_files.other_key, kd_files.root));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path,
		"4: min_version is above max_version",
		"7: client_auth needs cafile or capath",
		"8: profile nothing serves no role: a server needs a cert, a verifying client needs cafile or capath",
		"11: cert: @/other.key: private key does not match @/srv.pem",
		"16: profile tls12only: no cipher suite for the versions configured that the kernel can run");
	EXPECT_EQ(0, kd_test_leaks());
}

/* A file that cannot be read; a file with no profile. */
TEST(file_problems)
{
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH], msg[KD_PATH + 64];

	ASSERT_EQ(0, kd_test_path(path, "no-such.conf"));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	ASSERT_EQ(1u, r.n);
	snprintf(msg, sizeof(msg), "%s: cannot open: %s", path,
		 strerror(ENOENT));
	EXPECT_STREQ(msg, r.msg[0]);

	ASSERT_EQ(0, kd_test_write(path, "empty.conf",
				   "# nothing\nlog_level = info\n"));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path, "2: no [profile NAME] section");

	ASSERT_EQ(0, kd_test_write(path, "nul.conf", "[profile a]\nverify = no%c\n",
				   '\0'));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path, "2: NUL byte in the line");
}

/* @out: @a then @b. */
static int concat(const char *out, const char *a, const char *b)
{
	const char *const files[] = { a, b };
	FILE *o = fopen(out, "w"), *in;
	char buf[4096];
	size_t n, k;
	int ret = o ? 0 : -1;

	for (k = 0; k < 2 && ret == 0; k++) {
		in = fopen(files[k], "r");
		if (!in) {
			ret = -1;
			break;
		}
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			if (fwrite(buf, 1, n, o) != n)
				ret = -1;
		fclose(in);
	}
	if (o && fclose(o))
		ret = -1;
	return ret;
}

/* Too many certificates; an expired one only warns. */
TEST(certificates)
{
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH], body[8192];
	size_t off = 0;
	int i;

	off += (size_t)snprintf(body, sizeof(body), "[profile many]\n");
	for (i = 0; i < KD_MAX_CREDS + 1; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
					"cert = %s %s\n", kd_files.srv_cert,
					kd_files.srv_key);
	ASSERT_EQ(0, kd_test_write(path, "many.conf", "%s", body));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path, "10: cert: more than 8 certificates");

	/* The key in the certificate's file: KEYFILE may be left out. */
	ASSERT_EQ(0, kd_test_write(path, "expired.conf",
				   "[profile old]\ncert = %s %s\n"
				   "[profile onefile]\ncert = %s\n",
				   kd_files.expired_cert, kd_files.expired_key,
				   kd_files.srv_key));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path, "4: cert: @/srv.key: no certificate");
	ASSERT_EQ(0, kd_test_path(path, "both.pem"));
	ASSERT_EQ(0, concat(path, kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, chmod(path, 0600));
	ASSERT_EQ(0, kd_test_write(path, "expired.conf",
				   "[profile old]\ncert = %s %s\n"
				   "[profile onefile]\ncert = both.pem\n",
				   kd_files.expired_cert, kd_files.expired_key));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_EQ(0u, r.n);
	EXPECT_EQ(1u, kd_config_profile(c, "onefile")->n_creds);
	kd_config_put(c);
	EXPECT_EQ(0, kd_test_leaks());
}

/* Profiles negotiate only what the kernel runs, accelerated first. */
TEST(kernel_suites)
{
	const struct kd_profile *p;
	struct kd_kalg_probe probe;
	struct kd_reports r = { 0 };
	struct kd_config *c;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "suites.conf",
		"[profile default]\n"
		"cafile = %s\n"
		"min_version = 1.3\n"
		"suites = TLS_AES_128_CCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
		"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384\n",
		kd_files.root));
	kd_test_probe(&probe, "gcm_base(ctr(aes-generic),ghash-generic)");
	probe.aead[KTLSO_AEAD_AES_128_CCM].state = KD_KALG_MISSING;
	probe.aead[KTLSO_AEAD_AES_128_CCM].driver[0] = '\0';
	snprintf(probe.aead[KTLSO_AEAD_CHACHA20_POLY1305].driver,
		 KD_DRIVER_MAX, "rfc7539(chacha20-simd,poly1305-simd)");
	ASSERT_EQ(0, kd_config_load(&c, path, &probe, kd_test_report, &r));
	p = kd_config_profile(c, NULL);
	ASSERT_EQ(3u, p->tmpl.n_suites);
	EXPECT_EQ(0x1303, p->tmpl.suites[0]);	/* SIMD */
	EXPECT_EQ(0x1301, p->tmpl.suites[1]);	/* generic, in file order */
	EXPECT_EQ(0x1302, p->tmpl.suites[2]);
	kd_config_put(c);

	/* Nothing left: refused. */
	probe.aead[KTLSO_AEAD_CHACHA20_POLY1305].state = KD_KALG_MISSING;
	probe.aead[KTLSO_AEAD_AES_128_GCM].state = KD_KALG_MISSING;
	probe.aead[KTLSO_AEAD_AES_256_GCM].state = KD_KALG_MISSING;
	ASSERT_EQ(-1, kd_config_load(&c, path, &probe, kd_test_report, &r));
	EXPECT_REPORTS(&r, path,
		"4: profile default: no cipher suite for the versions configured that the kernel can run");
	EXPECT_EQ(0, kd_test_leaks());
}

TEST(profile_names)
{
	char name[KD_PROFILE_NAME_MAX + 1];

	EXPECT_TRUE(kd_profile_name_valid("default"));
	EXPECT_TRUE(kd_profile_name_valid("A.b-c_9"));
	EXPECT_FALSE(kd_profile_name_valid(""));
	EXPECT_FALSE(kd_profile_name_valid("a b"));
	EXPECT_FALSE(kd_profile_name_valid("a/b"));
	memset(name, 'x', KD_PROFILE_NAME_MAX - 1);
	name[KD_PROFILE_NAME_MAX - 1] = '\0';
	EXPECT_TRUE(kd_profile_name_valid(name));
	name[KD_PROFILE_NAME_MAX - 1] = 'x';
	name[KD_PROFILE_NAME_MAX] = '\0';
	EXPECT_FALSE(kd_profile_name_valid(name));
}

/*
 * "allow", "allow_server", "allow_client": repeatable, the entries add up
 * with their roles; a bad entry is a FILE:LINE problem; no list at all is
 * root only.
 */
TEST(access_keys)
{
	const struct kd_profile *p;
	struct kd_reports r;
	struct kd_config *c;
	char path[KD_PATH];
	char who[256];

	ASSERT_EQ(0, kd_test_write(path, "acl.conf",
		"[profile default]\n"
		"cert = %s %s\n"
		"cafile = %s\n"
		"allow = user:root group:0\n"
		"allow_server = cgroup:/system.slice/nginx.service\n"
		"allow_server = user:33\n"
		"allow_client = user:1000\n"
		"[profile closed]\n"
		"cert = %s %s\n",
		kd_files.srv_cert, kd_files.srv_key, kd_files.root,
		kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&c, path, &r)) TH_LOG("%s", r.msg[0]);
	p = kd_config_profile(c, NULL);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(5u, p->acl.n);
	kd_acl_describe(&p->acl, KTLSO_ROLE_SERVER, who, sizeof(who));
	EXPECT_STREQ("root, user:root, group:0, cgroup:/system.slice/nginx.service, user:33",
		     who);
	kd_acl_describe(&p->acl, KTLSO_ROLE_CLIENT, who, sizeof(who));
	EXPECT_STREQ("root, user:root, group:0, user:1000", who);
	p = kd_config_profile(c, "closed");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0u, p->acl.n);
	kd_config_put(c);

	ASSERT_EQ(0, kd_test_write(path, "acl-bad.conf",
		"[profile default]\n"				/* 1 */
		"cert = %s %s\n"				/* 2 */
		"allow = user:no-such-user-ktlso\n"		/* 3 */
		"allow_server = group:no-such-group-ktlso\n"	/* 4 */
		"allow_client = cgroup:relative\n"		/* 5 */
		"allow = nobody\n",				/* 6 */
		kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path,
		"3: allow: no user \"no-such-user-ktlso\"",
		"4: allow_server: no group \"no-such-group-ktlso\"",
		"5: allow_client: \"cgroup:relative\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'",
		"6: allow: \"nobody\" is not user:NAME, group:NAME or cgroup:/PATH");
	EXPECT_EQ(0, kd_test_leaks());
}

/*
 * A key file its group or others may access is refused (every one of
 * them, where it is named), unless "key_file_check = warn", which may
 * come after the profiles; a file holding certificate and key counts as
 * a key file. Certificate files may be readable by all.
 */
TEST(key_files_private)
{
	char path[KD_PATH], both[KD_PATH], key[KD_PATH];
	const struct kd_profile *p;
	struct kd_reports r;
	struct kd_config *c;

	ASSERT_EQ(0, kd_test_path(both, "both-open.pem"));
	ASSERT_EQ(0, concat(both, kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, chmod(both, 0644));
	ASSERT_EQ(0, kd_test_path(key, "srv-open.key"));
	ASSERT_EQ(0, concat(key, kd_files.srv_key, kd_files.srv_key));
	ASSERT_EQ(0, chmod(key, 0620));
	ASSERT_EQ(0, chmod(kd_files.srv_cert, 0644));
	ASSERT_EQ(0, kd_test_write(path, "open.conf",
		"[profile a]\n"
		"cert = %s\n"
		"[profile b]\n"
		"cert = %s %s\n"
		"[profile c]\n"
		"cert = %s %s\n",
		both, kd_files.srv_cert, key, kd_files.srv_cert,
		kd_files.srv_key));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path,
		"2: @/both-open.pem: its group or others have access to this key file (mode 0644): chmod go-rwx it, or set key_file_check = warn",
		"4: @/srv-open.key: its group or others have access to this key file (mode 0620): chmod go-rwx it, or set key_file_check = warn");

	ASSERT_EQ(0, kd_test_write(path, "open-ok.conf",
		"[profile a]\n"
		"cert = %s\n"
		"[global]\n"
		"key_file_check = warn\n",
		both));
	ASSERT_EQ(0, kd_test_load(&c, path, &r)) TH_LOG("%s", r.msg[0]);
	p = kd_config_profile(c, "a");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1u, p->n_creds);
	EXPECT_TRUE(c->keys_lax);
	kd_config_put(c);

	ASSERT_EQ(0, kd_test_write(path, "open-bad.conf",
		"key_file_check = maybe\n"
		"user = no-such-user-ktlso\n"
		"[profile a]\n"
		"cert = %s %s\n",
		kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path,
		"1: key_file_check: \"maybe\" is not strict or warn",
		"2: user: no user \"no-such-user-ktlso\"");
	ASSERT_EQ(0, kd_test_write(path, "root.conf",
		"user = root\n"
		"[profile a]\n"
		"cert = %s %s\n",
		kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(-1, kd_test_load(&c, path, &r));
	EXPECT_REPORTS(&r, path,
		"1: user: \"root\" is root; name an unprivileged user, or leave the key out");
	ASSERT_EQ(0, kd_test_write(path, "user.conf",
		"user = nobody\n"
		"[profile a]\n"
		"cert = %s %s\n",
		kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&c, path, &r));
	EXPECT_STREQ("nobody", c->user);
	EXPECT_FALSE(c->keys_lax);
	kd_config_put(c);
	EXPECT_EQ(0, kd_test_leaks());
}

TEST_HARNESS_MAIN
