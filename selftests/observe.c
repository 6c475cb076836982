// SPDX-License-Identifier: GPL-2.0
/*
 * What ktlso shows about itself: /proc/net/ktlso_stat counters (per network
 * namespace) and the sock_diag ULP info that "ss -tie" prints.
 */

#include <linux/tls.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "ktlso_diag.h"
#include "ktlso_test.h"

static int set_tx(int fd, __u16 version)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = version,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	memset(ci.key, 0x11, sizeof(ci.key));
	return setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)) ? -errno : 0;
}

TEST(stat_file_has_upstream_names)
{
	static const char *const names[] = {
		"TlsCurrTxSw", "TlsCurrRxSw", "TlsTxSw", "TlsRxSw",
		"TlsDecryptError", "TlsDecryptRetry", "TlsRxNoPadViolation",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		EXPECT_LE(0, ktlso_stat(names[i]));
}

/*
 * ktlso's own counters: direct decryption, tickets dropped and sent to
 * the daemon, KeyUpdates taken and sent in the kernel; and upstream's
 * rekey counters (6.14).
 */
TEST(stat_file_has_ktlso_names)
{
	static const char *const names[] = {
		"TlsRxZeroCopy", "TlsRxTicketsDropped",
		"TlsRxTicketsForwarded", "TlsRxKeyUpdate",
		"TlsTxKeyUpdate", "TlsTxRekeyOk", "TlsRxRekeyOk",
		"TlsTxRekeyError", "TlsRxRekeyError", "TlsRxRekeyReceived",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		EXPECT_LE(0, ktlso_stat(names[i]));
}

TEST(tx_counters_follow_sockets)
{
	long total, curr;
	int c1, s1, c2, s2;

	total = ktlso_stat("TlsTxSw");
	curr = ktlso_stat("TlsCurrTxSw");
	ASSERT_LE(0, total);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &c1, &s1));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET6, &c2, &s2));
	ASSERT_EQ(0, ktlso_attach(c1));
	ASSERT_EQ(0, ktlso_attach(c2));
	EXPECT_EQ(curr, ktlso_stat("TlsCurrTxSw"));
	ASSERT_EQ(0, set_tx(c1, TLS_1_3_VERSION));
	ASSERT_EQ(0, set_tx(c2, TLS_1_2_VERSION));
	EXPECT_EQ(total + 2, ktlso_stat("TlsTxSw"));
	EXPECT_EQ(curr + 2, ktlso_stat("TlsCurrTxSw"));
	/*
	 * A refused installation counts nothing, and neither does a TLS 1.3
	 * rekey (counted in TlsTxRekeyOk, rekey.c).
	 */
	EXPECT_EQ(-EBUSY, set_tx(c2, TLS_1_2_VERSION));
	ASSERT_EQ(0, set_tx(c1, TLS_1_3_VERSION));
	EXPECT_EQ(total + 2, ktlso_stat("TlsTxSw"));
	EXPECT_EQ(curr + 2, ktlso_stat("TlsCurrTxSw"));
	close(c1);
	EXPECT_EQ(curr + 1, ktlso_stat("TlsCurrTxSw"));
	close(c2);
	EXPECT_EQ(curr, ktlso_stat("TlsCurrTxSw"));
	EXPECT_EQ(total + 2, ktlso_stat("TlsTxSw"));
	close(s1);
	close(s2);
}

TEST(counters_are_per_namespace)
{
	int c, s;

	if (geteuid())
		SKIP(return, "needs root to unshare the network namespace");
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &c, &s));
	ASSERT_EQ(0, ktlso_attach(c));
	ASSERT_EQ(0, set_tx(c, TLS_1_3_VERSION));
	ASSERT_LE(1, ktlso_stat("TlsCurrTxSw"));

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	/* A fresh namespace has its own file, every counter at zero. */
	EXPECT_EQ(0, ktlso_stat("TlsCurrTxSw"));
	EXPECT_EQ(0, ktlso_stat("TlsTxSw"));
	close(c);
	close(s);
}

struct ulp_info {
	char name[32];
	__u16 version;
	__u16 cipher;
	__u16 txconf;
};

/* Read an INET_DIAG_ULP_INFO nest. */
static void parse_ulp(struct rtattr *ulp, void *arg)
{
	struct ulp_info *info = arg;
	int ulen = RTA_PAYLOAD(ulp), tlen;
	struct rtattr *u, *t;

	for (u = RTA_DATA(ulp); RTA_OK(u, ulen); u = RTA_NEXT(u, ulen)) {
		if (u->rta_type == INET_ULP_INFO_NAME)
			snprintf(info->name, sizeof(info->name), "%s",
				 (char *)RTA_DATA(u));
		if (u->rta_type != INET_ULP_INFO_TLS)
			continue;
		tlen = RTA_PAYLOAD(u);
		for (t = RTA_DATA(u); RTA_OK(t, tlen); t = RTA_NEXT(t, tlen)) {
			__u16 v = *(__u16 *)RTA_DATA(t);

			if (t->rta_type == TLS_INFO_VERSION)
				info->version = v;
			else if (t->rta_type == TLS_INFO_CIPHER)
				info->cipher = v;
			else if (t->rta_type == TLS_INFO_TXCONF)
				info->txconf = v;
		}
	}
}

/* Ask sock_diag about the established TCP socket @fd. */
static bool diag_ulp(struct __test_metadata *_metadata, int fd,
		     struct ulp_info *info)
{
	memset(info, 0, sizeof(*info));
	return ktlso_diag_ulp(_metadata, fd, parse_ulp, info) > 0;
}

TEST(sock_diag_shows_ulp_version_and_cipher)
{
	struct ulp_info info;
	int c, s;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &c, &s));
	ASSERT_EQ(0, ktlso_attach(c));
	ASSERT_TRUE(diag_ulp(_metadata, c, &info));
	EXPECT_STREQ(KTLSO_ULP_NAME, info.name);
	EXPECT_EQ(0, info.version);
	EXPECT_EQ(TLS_CONF_BASE, info.txconf);

	ASSERT_EQ(0, set_tx(c, TLS_1_3_VERSION));
	ASSERT_TRUE(diag_ulp(_metadata, c, &info));
	EXPECT_STREQ(KTLSO_ULP_NAME, info.name);
	EXPECT_EQ(TLS_1_3_VERSION, info.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, info.cipher);
	EXPECT_EQ(TLS_CONF_SW, info.txconf);
	close(c);
	close(s);
}

TEST_HARNESS_MAIN
