// SPDX-License-Identifier: GPL-2.0
/*
 * kd_install_kernel_keys() against a fake SOL_TLS layer: TLS_TX, TLS_RX,
 * then for TLS 1.3 the two application traffic secrets (transmit first,
 * as the kernel wants) with the uAPI's hash number, the hash's length and
 * the result's bytes; nothing more for TLS 1.2; the first refusal stops
 * it, and its errno and option come back.  Then what a handshake whose
 * keys the kernel refused reports.
 *
 * The test defines setsockopt() itself, so the daemon's calls on FAKE_FD
 * land in the fake; every other descriptor gets the system call.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#include "kselftest_harness.h"

#include "daemon/hs.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define FAKE_FD		1000
#define MAX_CALLS	8

struct call {
	int level, name;
	socklen_t len;
	struct ktlso_traffic_secret ts;	/* for the KTLSO_*_SECRET calls */
};

static struct {
	struct call c[MAX_CALLS];
	int n;
	int fail_name;		/* this option fails ... */
	int fail_errno;		/* ... with this errno */
} fake;

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct call *c;

	if (fd != FAKE_FD)
		return (int)syscall(SYS_setsockopt, fd, level, name, val, len);
	if (fake.n == MAX_CALLS) {
		errno = E2BIG;
		return -1;
	}
	c = &fake.c[fake.n++];
	c->level = level;
	c->name = name;
	c->len = len;
	if ((name == KTLSO_TX_SECRET || name == KTLSO_RX_SECRET) &&
	    len == sizeof(c->ts))
		memcpy(&c->ts, val, sizeof(c->ts));
	if (name == fake.fail_name) {
		errno = fake.fail_errno;
		return -1;
	}
	return 0;
}

/* A TLS 1.3 result: crypto_info headers only (the fake reads no keys). */
static void result13(struct ktlso_session_result *res, uint16_t suite,
		     size_t secret_len)
{
	memset(res, 0, sizeof(*res));
	res->version = 0x0304;
	res->suite = suite;
	res->tx.info.version = TLS_1_3_VERSION;
	res->tx.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	res->tx_len = sizeof(res->tx.aes_gcm_128);
	res->rx = res->tx;
	res->rx_len = res->tx_len;
	memset(res->tx_secret, 0x11, secret_len);
	memset(res->rx_secret, 0x22, secret_len);
	res->secret_len = secret_len;
}

static void expect_secret(struct __test_metadata *_metadata,
			  const struct call *c, int name, uint16_t hash,
			  const uint8_t *secret, size_t len)
{
	static const uint8_t zero[KTLSO_SECRET_MAX];

	EXPECT_EQ(SOL_TLS, c->level);
	EXPECT_EQ(name, c->name);
	ASSERT_EQ(sizeof(struct ktlso_traffic_secret), c->len);
	EXPECT_EQ(hash, c->ts.hash);
	EXPECT_EQ(len, c->ts.secret_len);
	EXPECT_EQ(0u, c->ts.reserved);
	EXPECT_EQ(0, memcmp(secret, c->ts.secret, len));
	EXPECT_EQ(0, memcmp(zero, c->ts.secret + len, KTLSO_SECRET_MAX - len));
}

FIXTURE(install) {
	struct ktlso_session_result res;
	const char *step;
};

FIXTURE_SETUP(install)
{
	memset(&fake, 0, sizeof(fake));
	self->step = NULL;
}

FIXTURE_TEARDOWN(install)
{
}

TEST_F(install, tls13_keys_then_both_secrets)
{
	result13(&self->res, 0x1301, 32);
	ASSERT_EQ(0, kd_install_kernel_keys(NULL, FAKE_FD, &self->res,
					    &self->step));
	ASSERT_EQ(4, fake.n);
	EXPECT_EQ(TLS_TX, fake.c[0].name);
	EXPECT_EQ(self->res.tx_len, fake.c[0].len);
	EXPECT_EQ(TLS_RX, fake.c[1].name);
	expect_secret(_metadata, &fake.c[2], KTLSO_TX_SECRET,
		      KTLSO_HASH_SHA256, self->res.tx_secret, 32);
	expect_secret(_metadata, &fake.c[3], KTLSO_RX_SECRET,
		      KTLSO_HASH_SHA256, self->res.rx_secret, 32);
}

TEST_F(install, sha384_suite)
{
	result13(&self->res, 0x1302, 48);
	ASSERT_EQ(0, kd_install_kernel_keys(NULL, FAKE_FD, &self->res,
					    &self->step));
	ASSERT_EQ(4, fake.n);
	expect_secret(_metadata, &fake.c[2], KTLSO_TX_SECRET,
		      KTLSO_HASH_SHA384, self->res.tx_secret, 48);
	expect_secret(_metadata, &fake.c[3], KTLSO_RX_SECRET,
		      KTLSO_HASH_SHA384, self->res.rx_secret, 48);
}

/* TLS 1.2 has no traffic secrets: the keys alone. */
TEST_F(install, tls12_keys_only)
{
	result13(&self->res, 0xc02f, 0);
	self->res.version = 0x0303;
	ASSERT_EQ(0, kd_install_kernel_keys(NULL, FAKE_FD, &self->res,
					    &self->step));
	ASSERT_EQ(2, fake.n);
	EXPECT_EQ(TLS_TX, fake.c[0].name);
	EXPECT_EQ(TLS_RX, fake.c[1].name);
}

/* A kernel without key updates: the handshake's keys are refused. */
TEST_F(install, tx_secret_refused)
{
	fake.fail_name = KTLSO_TX_SECRET;
	fake.fail_errno = ENOPROTOOPT;
	result13(&self->res, 0x1303, 32);
	EXPECT_EQ(-ENOPROTOOPT, kd_install_kernel_keys(NULL, FAKE_FD,
						       &self->res,
						       &self->step));
	ASSERT_NE(NULL, self->step);
	EXPECT_STREQ("KTLSO_TX_SECRET", self->step);
	/* The receive secret is not tried after the transmit one failed. */
	EXPECT_EQ(3, fake.n);
}

TEST_F(install, rx_secret_refused)
{
	fake.fail_name = KTLSO_RX_SECRET;
	fake.fail_errno = ENOENT;
	result13(&self->res, 0x1301, 32);
	EXPECT_EQ(-ENOENT, kd_install_kernel_keys(NULL, FAKE_FD, &self->res,
						  &self->step));
	EXPECT_STREQ("KTLSO_RX_SECRET", self->step);
	EXPECT_EQ(4, fake.n);
}

TEST_F(install, rx_keys_refused)
{
	fake.fail_name = TLS_RX;
	fake.fail_errno = EINVAL;
	result13(&self->res, 0x1301, 32);
	EXPECT_EQ(-EINVAL, kd_install_kernel_keys(NULL, FAKE_FD, &self->res,
						  &self->step));
	EXPECT_STREQ("TLS_RX", self->step);
	EXPECT_EQ(2, fake.n);
}

/* A result whose secret is not the suite's length never reaches the kernel. */
TEST_F(install, bad_secret_length)
{
	result13(&self->res, 0x1302, 32);
	EXPECT_EQ(-EINVAL, kd_install_kernel_keys(NULL, FAKE_FD, &self->res,
						  &self->step));
	EXPECT_STREQ("KTLSO_TX_SECRET", self->step);
	EXPECT_EQ(2, fake.n);
}

TEST_HARNESS_MAIN
