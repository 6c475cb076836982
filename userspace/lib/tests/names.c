// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_strerror() and the state, version and cipher names: the ktlso
 * meaning of every errno the uAPI documents, either sign, 0, the C
 * library's words for the rest, and never NULL.
 */
#include <limits.h>
#include <linux/tls.h>
#include <string.h>

#include "kselftest_harness.h"

#include <ktlso/ktlso.h>

TEST(strerror_ktlso_meanings)
{
	EXPECT_STREQ("no handshake daemon is running", ktlso_strerror(-ESRCH));
	EXPECT_STREQ("no handshake daemon is running", ktlso_strerror(ESRCH));
	EXPECT_NE(NULL, strstr(ktlso_strerror(-EBUSY),
			       "too many pending handshakes"));
	EXPECT_STREQ("the handshake timed out", ktlso_strerror(-ETIMEDOUT));
	EXPECT_STREQ("peer verification failed", ktlso_strerror(-EACCES));
	EXPECT_STREQ("the handshake daemon gave up or went away",
		     ktlso_strerror(-ECONNABORTED));
	EXPECT_STREQ("the peer sent a fatal alert",
		     ktlso_strerror(-ECONNREFUSED));
	EXPECT_STREQ("the peer violated the TLS protocol",
		     ktlso_strerror(-EPROTO));
	EXPECT_STREQ("a handshake was already requested on this socket",
		     ktlso_strerror(-EALREADY));
	EXPECT_STREQ("TLS keys are already installed on this socket",
		     ktlso_strerror(-EISCONN));
	EXPECT_STREQ("the handshake is still in progress",
		     ktlso_strerror(-EINPROGRESS));
	EXPECT_STREQ("ktlso is not available (kernel module not loaded)",
		     ktlso_strerror(-ENOENT));
	EXPECT_STREQ("another ULP is attached to the socket",
		     ktlso_strerror(-EEXIST));
	EXPECT_STREQ("the connection ended without close_notify (truncated)",
		     ktlso_strerror(-EPIPE));
	EXPECT_STREQ("success", ktlso_strerror(0));
}

TEST(strerror_others)
{
	EXPECT_STREQ(strerror(ENOMEM), ktlso_strerror(-ENOMEM));
	EXPECT_STREQ(strerror(ENOSPC), ktlso_strerror(ENOSPC));
	EXPECT_STREQ("unknown error", ktlso_strerror(INT_MIN));
	EXPECT_STREQ("unknown error", ktlso_strerror(-100000));
	EXPECT_STREQ("unknown error", ktlso_strerror(INT_MAX));
}

TEST(state_names)
{
	EXPECT_STREQ("none", ktlso_state_name(KTLSO_STATE_NONE));
	EXPECT_STREQ("pending", ktlso_state_name(KTLSO_STATE_PENDING));
	EXPECT_STREQ("running", ktlso_state_name(KTLSO_STATE_RUNNING));
	EXPECT_STREQ("done", ktlso_state_name(KTLSO_STATE_DONE));
	EXPECT_STREQ("failed", ktlso_state_name(KTLSO_STATE_FAILED));
	EXPECT_STREQ("unknown", ktlso_state_name(5));
	EXPECT_STREQ("unknown", ktlso_state_name(-1));
}

TEST(version_and_cipher_names)
{
	EXPECT_STREQ("TLS 1.2", ktlso_version_name(TLS_1_2_VERSION));
	EXPECT_STREQ("TLS 1.3", ktlso_version_name(TLS_1_3_VERSION));
	EXPECT_STREQ("", ktlso_version_name(0));
	EXPECT_STREQ("unknown", ktlso_version_name(0x0301));

	EXPECT_STREQ("AES-128-GCM", ktlso_cipher_name(TLS_CIPHER_AES_GCM_128));
	EXPECT_STREQ("AES-256-GCM", ktlso_cipher_name(TLS_CIPHER_AES_GCM_256));
	EXPECT_STREQ("AES-128-CCM", ktlso_cipher_name(TLS_CIPHER_AES_CCM_128));
	EXPECT_STREQ("CHACHA20-POLY1305",
		     ktlso_cipher_name(TLS_CIPHER_CHACHA20_POLY1305));
	EXPECT_STREQ("SM4-GCM", ktlso_cipher_name(55));
	EXPECT_STREQ("SM4-CCM", ktlso_cipher_name(56));
	EXPECT_STREQ("ARIA-128-GCM", ktlso_cipher_name(57));
	EXPECT_STREQ("ARIA-256-GCM", ktlso_cipher_name(58));
	EXPECT_STREQ("", ktlso_cipher_name(0));
	EXPECT_STREQ("unknown", ktlso_cipher_name(50));
	EXPECT_STREQ("unknown", ktlso_cipher_name(0xffff));
}

TEST_HARNESS_MAIN
