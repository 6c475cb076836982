// SPDX-License-Identifier: GPL-2.0
/*
 * The shared library's interface: build/lib/libktlso.so.1 loads by its
 * soname, exports every function of <ktlso/ktlso.h> at the version that
 * brought it (KTLSO_1, KTLSO_1.1, KTLSO_1.2), and nothing else: the internals (the
 * socket call table, the request builder) stay hidden.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include <ktlso/ktlso.h>

static const char *const exported[] = {
	"ktlso_alpn_encode", "ktlso_attach_ulp", "ktlso_cipher_name",
	"ktlso_close_notify", "ktlso_crypto_info_size", "ktlso_get_info",
	"ktlso_handshake", "ktlso_handshake_poll", "ktlso_handshake_start",
	"ktlso_handshake_wait", "ktlso_params_check", "ktlso_send_alert",
	"ktlso_set_keys",
	"ktlso_state_name", "ktlso_strerror", "ktlso_version_name",
};

/* Added in 1.1: the peer's certificate. */
static const char *const exported_1_1[] = {
	"ktlso_get_peer", "ktlso_peer_free", "ktlso_peer_parse",
};

/* Added in 1.2: TLS 1.3 key updates run by the kernel. */
static const char *const exported_1_2[] = {
	"ktlso_get_key_state", "ktlso_key_update", "ktlso_set_traffic_secret",
};

static const char *const hidden[] = {
	"ktlso_lib_sys", "ktlso_lib_sys_libc", "ktlso_lib_build_request",
	"ktlso_lib_query", "ktlso_lib_cipher", "ktlso_lib_ulp_name",
};

FIXTURE(so) {
	void *h;
};

FIXTURE_SETUP(so)
{
	self->h = dlopen(KTLSO_LIBDIR "/libktlso.so.1", RTLD_NOW | RTLD_LOCAL);
	ASSERT_NE(NULL, self->h) {
		TH_LOG("%s", dlerror());
	}
}

FIXTURE_TEARDOWN(so)
{
	if (self->h)
		dlclose(self->h);
}

TEST_F(so, exports_the_api)
{
	size_t i;

	for (i = 0; i < sizeof(exported) / sizeof(exported[0]); i++) {
		EXPECT_NE(NULL, dlvsym(self->h, exported[i], "KTLSO_1")) {
			TH_LOG("%s@KTLSO_1 missing", exported[i]);
		}
	}
	for (i = 0; i < sizeof(exported_1_1) / sizeof(exported_1_1[0]); i++) {
		EXPECT_NE(NULL, dlvsym(self->h, exported_1_1[i], "KTLSO_1.1")) {
			TH_LOG("%s@KTLSO_1.1 missing", exported_1_1[i]);
		}
		EXPECT_EQ(NULL, dlvsym(self->h, exported_1_1[i], "KTLSO_1")) {
			TH_LOG("%s@KTLSO_1 exists", exported_1_1[i]);
		}
	}
	for (i = 0; i < sizeof(exported_1_2) / sizeof(exported_1_2[0]); i++) {
		EXPECT_NE(NULL, dlvsym(self->h, exported_1_2[i], "KTLSO_1.2")) {
			TH_LOG("%s@KTLSO_1.2 missing", exported_1_2[i]);
		}
		EXPECT_EQ(NULL, dlvsym(self->h, exported_1_2[i], "KTLSO_1.1")) {
			TH_LOG("%s@KTLSO_1.1 exists", exported_1_2[i]);
		}
		EXPECT_EQ(NULL, dlvsym(self->h, exported_1_2[i], "KTLSO_1")) {
			TH_LOG("%s@KTLSO_1 exists", exported_1_2[i]);
		}
	}
}

TEST_F(so, hides_the_rest)
{
	size_t i;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		EXPECT_EQ(NULL, dlsym(self->h, hidden[i])) {
			TH_LOG("%s is exported", hidden[i]);
		}
	}
}

/* Every dynamic symbol the library defines is one of the API's. */
TEST(nothing_else_exported)
{
	FILE *nm = popen("nm -D --defined-only " KTLSO_LIBDIR "/libktlso.so.1",
			 "r");
	char line[256], sym[200];
	int seen = 0;
	size_t i;

	ASSERT_NE(NULL, nm);
	while (fgets(line, sizeof(line), nm)) {
		bool known = false;
		char *at;

		if (sscanf(line, "%*s %*s %199s", sym) != 1)
			continue;
		at = strchr(sym, '@');
		if (at)
			*at = '\0';
		if (!strcmp(sym, "KTLSO_1") || !strcmp(sym, "KTLSO_1.1") ||
		    !strcmp(sym, "KTLSO_1.2"))
			continue;
		for (i = 0; i < sizeof(exported) / sizeof(exported[0]); i++)
			known |= !strcmp(sym, exported[i]);
		for (i = 0; i < sizeof(exported_1_1) / sizeof(exported_1_1[0]);
		     i++)
			known |= !strcmp(sym, exported_1_1[i]);
		for (i = 0; i < sizeof(exported_1_2) / sizeof(exported_1_2[0]);
		     i++)
			known |= !strcmp(sym, exported_1_2[i]);
		EXPECT_TRUE(known) {
			TH_LOG("%s is exported", sym);
		}
		seen++;
	}
	EXPECT_EQ(0, pclose(nm));
	EXPECT_EQ((int)(sizeof(exported) / sizeof(exported[0]) +
			sizeof(exported_1_1) / sizeof(exported_1_1[0]) +
			sizeof(exported_1_2) / sizeof(exported_1_2[0])), seen);
}

/* The loaded copy works: a call through the shared object. */
TEST_F(so, calls_work)
{
	const char *(*name)(int) = (const char *(*)(int))dlsym(self->h,
							       "ktlso_strerror");

	ASSERT_NE(NULL, name);
	EXPECT_STREQ("no handshake daemon is running", name(-ESRCH));
}

TEST(soname_link)
{
	char target[PATH_MAX];
	ssize_t n = readlink(KTLSO_LIBDIR "/libktlso.so", target,
			     sizeof(target) - 1);

	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ("libktlso.so.1", target);
}

TEST_HARNESS_MAIN
