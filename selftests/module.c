// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso.ko's lifetime: sockets pin it, it unloads once none uses it, and
 * attaching the ULP loads it again through its module alias.
 *
 * Needs root and runs in the VM (selftests/vm/run makes ktlso.ko visible to
 * modprobe, so the kernel's autoloader can find it).
 */

#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ktlso_test.h"

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static bool module_loaded(void)
{
	return access("/sys/module/ktlso", F_OK) == 0;
}

/* Make sure ktlso is loaded, through the autoloader if need be. */
static void load_by_attach(struct __test_metadata *_metadata)
{
	int cfd, sfd;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ktlso_close_now(cfd);
	close(sfd);
	ASSERT_TRUE(module_loaded());
}

TEST(sockets_pin_the_module)
{
	int c1, s1, c2, s2, base;

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	base = ktlso_module_refcnt();

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &c1, &s1));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET6, &c2, &s2));
	ASSERT_EQ(0, ktlso_attach(c1));
	ASSERT_EQ(0, ktlso_attach(c2));
	ASSERT_EQ(0, ktlso_attach(s2));
	EXPECT_EQ(base + 3, ktlso_module_refcnt());

	/* In use: unloading must fail and leave the module in place. */
	EXPECT_EQ(-1, delete_module("ktlso"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(module_loaded());

	/* A failed attach takes no reference. */
	EXPECT_EQ(-EEXIST, ktlso_attach(c1));
	EXPECT_EQ(base + 3, ktlso_module_refcnt());

	ktlso_close_now(c1);
	close(s1);
	ktlso_close_now(c2);
	ktlso_close_now(s2);
	EXPECT_TRUE(ktlso_wait_refcnt(base, 5000));
}

TEST(gracefully_closed_sockets_release_the_module)
{
	char c;
	int cfd, sfd;

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ASSERT_EQ(0, ktlso_attach(sfd));
	EXPECT_EQ(2, ktlso_module_refcnt());
	/* FIN both ways, the client closing first. */
	close(cfd);
	EXPECT_EQ(0, read(sfd, &c, 1));
	close(sfd);
	EXPECT_TRUE(ktlso_wait_refcnt(0, 5000));
}

TEST(unload_then_autoload)
{
	int cfd, sfd;
	char name[16] = "";
	socklen_t len = sizeof(name);

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, delete_module("ktlso"));
	ASSERT_FALSE(module_loaded());

	/* The next attach finds the ULP through the tcp-ulp-ktlso alias. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	EXPECT_TRUE(module_loaded());
	ASSERT_EQ(0, getsockopt(cfd, SOL_TCP, TCP_ULP, name, &len));
	EXPECT_STREQ(KTLSO_ULP_NAME, name);
	ktlso_close_now(cfd);
	close(sfd);
	EXPECT_TRUE(ktlso_wait_refcnt(0, 5000));
}

TEST_HARNESS_MAIN
