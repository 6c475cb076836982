// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel AEAD logic of ktlsod, fed with made-up kernels: driver ranks,
 * the /proc/crypto reader, and the suite filter (what is left out, what
 * moves first). The real probe runs too, on whatever kernel is here.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "daemon/kalg.h"

TEST(names)
{
	EXPECT_STREQ("gcm(aes)", kd_kalg_name(KTLSO_AEAD_AES_128_GCM));
	EXPECT_STREQ("gcm(aes)", kd_kalg_name(KTLSO_AEAD_AES_256_GCM));
	EXPECT_STREQ("ccm(aes)", kd_kalg_name(KTLSO_AEAD_AES_128_CCM));
	EXPECT_STREQ("rfc7539(chacha20,poly1305)",
		     kd_kalg_name(KTLSO_AEAD_CHACHA20_POLY1305));
	EXPECT_EQ(NULL, kd_kalg_name((enum ktlso_aead)42));
}

TEST(driver_rank)
{
	static const struct {
		const char *driver;
		enum kd_kalg_rank rank;
	} cases[] = {
		/* x86, 6.1 and 6.12 */
		{ "generic-gcm-aesni", KD_RANK_ACCEL },
		{ "gcm-aes-aesni", KD_RANK_ACCEL },
		{ "gcm-aes-vaes-avx10_512", KD_RANK_ACCEL },
		{ "rfc7539(chacha20-simd,poly1305-simd)", KD_RANK_ACCEL },
		{ "gcm_base(ctr-aes-aesni,ghash-clmulni)", KD_RANK_ACCEL },
		{ "ccm_base(ctr-aes-aesni,cbcmac(aes-aesni))", KD_RANK_ACCEL },
		/* portable C */
		{ "gcm_base(ctr(aes-generic),ghash-generic)", KD_RANK_GENERIC },
		{ "ccm_base(ctr(aes-generic),cbcmac(aes-generic))",
		  KD_RANK_GENERIC },
		{ "rfc7539(chacha20-generic,poly1305-generic)",
		  KD_RANK_GENERIC },
		{ "gcm_base(ctr(aes-fixed-time),ghash-generic)",
		  KD_RANK_GENERIC },
		/* a mix */
		{ "gcm_base(ctr(aes-generic),ghash-clmulni)", KD_RANK_PARTIAL },
		{ "rfc7539(chacha20-simd,poly1305-generic)", KD_RANK_PARTIAL },
		/* arm64 */
		{ "gcm-aes-ce", KD_RANK_ACCEL },
		/* nothing known */
		{ "", KD_RANK_GENERIC },
		{ "()", KD_RANK_GENERIC },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_TRUE(kd_driver_rank(cases[i].driver) == cases[i].rank)
			TH_LOG("case %zu", i);
}

/* Excerpts in /proc/crypto's layout; the entries that must not win. */
static const char proc_text[] =
	"name         : gcm(aes)\n"
	"driver       : gcm_base(ctr(aes-generic),ghash-generic)\n"
	"module       : kernel\n"
	"priority     : 100\n"
	"refcnt       : 1\n"
	"selftest     : passed\n"
	"internal     : no\n"
	"type         : aead\n"
	"async        : no\n"
	"blocksize    : 1\n"
	"\n"
	"name         : gcm(aes)\n"
	"driver       : __generic-gcm-aesni\n"
	"module       : kernel\n"
	"priority     : 900\n"
	"selftest     : passed\n"
	"internal     : yes\n"
	"type         : aead\n"
	"\n"
	"name         : gcm(aes)\n"
	"driver       : broken-gcm\n"
	"priority     : 800\n"
	"selftest     : unknown\n"
	"internal     : no\n"
	"type         : aead\n"
	"\n"
	"name         : gcm(aes)\n"
	"driver       : failed-gcm\n"
	"priority     : 700\n"
	"selftest     : failed\n"
	"internal     : no\n"
	"type         : aead\n"
	"\n"
	"name         : gcm(aes)\n"
	"driver       : skcipher-named-gcm\n"
	"priority     : 600\n"
	"selftest     : passed\n"
	"internal     : no\n"
	"type         : skcipher\n"
	"\n"
	"name         : gcm(aes)\n"
	"driver       : generic-gcm-aesni\n"
	"module       : aesni_intel\n"
	"priority     : 400\n"
	"refcnt       : 1\n"
	"selftest     : passed\n"
	"internal     : no\n"
	"type         : aead\n"
	"\n"
	"name         : rfc4106(gcm(aes))\n"
	"driver       : rfc4106-gcm-aesni\n"
	"priority     : 400\n"
	"selftest     : passed\n"
	"internal     : no\n"
	"type         : aead\n"
	"\n"
	"name         : rfc7539(chacha20,poly1305)\n"
	"driver       : rfc7539(chacha20-simd,poly1305-simd)\n"
	"priority     : 300\n"
	"selftest     : passed\n"
	"internal     : no\n"
	"type         : aead";			/* no final newline */

TEST(proc_crypto)
{
	char driver[KD_DRIVER_MAX];

	ASSERT_EQ(0, kd_proc_crypto_driver(proc_text, "gcm(aes)", driver,
					   sizeof(driver)));
	EXPECT_STREQ("generic-gcm-aesni", driver);
	ASSERT_EQ(0, kd_proc_crypto_driver(proc_text,
					   "rfc7539(chacha20,poly1305)",
					   driver, sizeof(driver)));
	EXPECT_STREQ("rfc7539(chacha20-simd,poly1305-simd)", driver);
	EXPECT_EQ(-1, kd_proc_crypto_driver(proc_text, "ccm(aes)", driver,
					    sizeof(driver)));
	EXPECT_STREQ("", driver);
	EXPECT_EQ(-1, kd_proc_crypto_driver("", "gcm(aes)", driver,
					    sizeof(driver)));
	/* A short buffer truncates, never overflows. */
	ASSERT_EQ(0, kd_proc_crypto_driver(proc_text, "gcm(aes)", driver, 8));
	EXPECT_STREQ("generic", driver);
}

static void probe_set(struct kd_kalg_probe *p, enum ktlso_aead a,
		      enum kd_kalg_state state, const char *driver)
{
	p->aead[a].state = state;
	snprintf(p->aead[a].driver, sizeof(p->aead[a].driver), "%s", driver);
}

#define EXPECT_LIST(got, n, ...)                                             \
	do {                                                                 \
		static const uint16_t want_[] = { __VA_ARGS__ };             \
		size_t i_;                                                   \
		ASSERT_EQ(sizeof(want_) / sizeof(want_[0]), n);              \
		for (i_ = 0; i_ < n; i_++)                                   \
			EXPECT_EQ(want_[i_], got[i_]);                       \
	} while (0)

static const uint16_t all[] = {
	0x1301, 0x1302, 0x1303, 0x1304, 0xc02b, 0xcca9, 0xc0ac,
};
#define N_ALL (sizeof(all) / sizeof(all[0]))

TEST(filter_all_present_keeps_order)
{
	struct kd_kalg_probe p = { 0 };
	uint16_t out[N_ALL], dropped[N_ALL];
	size_t n, nd = 99;
	int i;

	for (i = 0; i < KD_KALG_COUNT; i++)
		probe_set(&p, (enum ktlso_aead)i, KD_KALG_PRESENT,
			  "x-aesni");
	n = kd_suites_filter(&p, all, N_ALL, out, dropped, &nd);
	EXPECT_EQ(0u, nd);
	EXPECT_LIST(out, n, 0x1301, 0x1302, 0x1303, 0x1304, 0xc02b, 0xcca9,
		    0xc0ac);
}

TEST(filter_missing_dropped)
{
	struct kd_kalg_probe p = { 0 };
	uint16_t out[N_ALL], dropped[N_ALL];
	size_t n, nd;

	probe_set(&p, KTLSO_AEAD_AES_128_GCM, KD_KALG_PRESENT, "gcm-aes-aesni");
	probe_set(&p, KTLSO_AEAD_AES_256_GCM, KD_KALG_PRESENT, "gcm-aes-aesni");
	probe_set(&p, KTLSO_AEAD_CHACHA20_POLY1305, KD_KALG_MISSING, "");
	probe_set(&p, KTLSO_AEAD_AES_128_CCM, KD_KALG_MISSING, "");
	n = kd_suites_filter(&p, all, N_ALL, out, dropped, &nd);
	EXPECT_LIST(out, n, 0x1301, 0x1302, 0xc02b);
	EXPECT_LIST(dropped, nd, 0x1303, 0x1304, 0xcca9, 0xc0ac);
}

/* Accelerated first, then partly, then portable C; stable within. */
TEST(filter_accelerated_first)
{
	struct kd_kalg_probe p = { 0 };
	uint16_t out[N_ALL];
	size_t n, nd;

	probe_set(&p, KTLSO_AEAD_AES_128_GCM, KD_KALG_PRESENT,
		  "gcm_base(ctr(aes-generic),ghash-generic)");
	probe_set(&p, KTLSO_AEAD_AES_256_GCM, KD_KALG_PRESENT,
		  "gcm_base(ctr(aes-generic),ghash-generic)");
	probe_set(&p, KTLSO_AEAD_CHACHA20_POLY1305, KD_KALG_PRESENT,
		  "rfc7539(chacha20-simd,poly1305-simd)");
	probe_set(&p, KTLSO_AEAD_AES_128_CCM, KD_KALG_PRESENT,
		  "ccm_base(ctr(aes-generic),cbcmac(aes-aesni))");
	n = kd_suites_filter(&p, all, N_ALL, out, NULL, &nd);
	EXPECT_EQ(0u, nd);
	EXPECT_LIST(out, n, 0x1303, 0xcca9, 0x1304, 0xc0ac, 0x1301, 0x1302,
		    0xc02b);
}

/* Not probed (no AF_ALG): kept, ranked as generic; unknown ids dropped. */
TEST(filter_unknown)
{
	struct kd_kalg_probe p = { 0 };
	const uint16_t in[] = { 0x1301, 0x0005, 0x1303 };
	uint16_t out[3], dropped[3];
	size_t n, nd;

	probe_set(&p, KTLSO_AEAD_CHACHA20_POLY1305, KD_KALG_PRESENT,
		  "chacha20poly1305-neon");
	n = kd_suites_filter(&p, in, 3, out, dropped, &nd);
	EXPECT_LIST(out, n, 0x1303, 0x1301);
	EXPECT_LIST(dropped, nd, 0x0005);
	n = kd_suites_filter(&p, in, 0, out, dropped, NULL);
	EXPECT_EQ(0u, n);
}

TEST(describe)
{
	struct kd_kalg_probe p = { 0 };
	char line[256];

	probe_set(&p, KTLSO_AEAD_AES_128_GCM, KD_KALG_PRESENT,
		  "generic-gcm-aesni");
	probe_set(&p, KTLSO_AEAD_AES_256_GCM, KD_KALG_PRESENT,
		  "gcm_base(ctr(aes-generic),ghash-clmulni)");
	probe_set(&p, KTLSO_AEAD_AES_128_CCM, KD_KALG_MISSING, "");
	p.aead[KTLSO_AEAD_CHACHA20_POLY1305].probe_errno = EAFNOSUPPORT;
	kd_kalg_describe(&p, KTLSO_AEAD_AES_128_GCM, line, sizeof(line));
	EXPECT_STREQ("AES-128-GCM (gcm(aes)): generic-gcm-aesni, accelerated",
		     line);
	kd_kalg_describe(&p, KTLSO_AEAD_AES_256_GCM, line, sizeof(line));
	EXPECT_STREQ("AES-256-GCM (gcm(aes)): gcm_base(ctr(aes-generic),ghash-clmulni), partly accelerated",
		     line);
	kd_kalg_describe(&p, KTLSO_AEAD_AES_128_CCM, line, sizeof(line));
	EXPECT_STREQ("AES-128-CCM (ccm(aes)): missing", line);
	kd_kalg_describe(&p, KTLSO_AEAD_CHACHA20_POLY1305, line, sizeof(line));
	EXPECT_STREQ("ChaCha20-Poly1305 (rfc7539(chacha20,poly1305)): not probed (Address family not supported by protocol), assumed present",
		     line);
}

/* The real probe: consistent whatever this kernel offers. */
TEST(probe_here)
{
	struct kd_kalg_probe p;
	char line[256];
	int i;

	kd_kalg_probe_run(&p);
	for (i = 0; i < KD_KALG_COUNT; i++) {
		const struct kd_kalg *k = &p.aead[i];

		kd_kalg_describe(&p, (enum ktlso_aead)i, line, sizeof(line));
		TH_LOG("%s", line);
		if (k->state == KD_KALG_MISSING)
			EXPECT_STREQ("", k->driver);
		if (k->state == KD_KALG_UNKNOWN)
			EXPECT_NE(0, k->probe_errno);
	}
	/* Both AES-GCM sizes are the same kernel algorithm. */
	EXPECT_STREQ(p.aead[KTLSO_AEAD_AES_128_GCM].driver,
		     p.aead[KTLSO_AEAD_AES_256_GCM].driver);
}

TEST_HARNESS_MAIN
