// SPDX-License-Identifier: GPL-2.0
/*
 * The shared library's interface: build/lib/libktlso.so.1 loads by its
 * soname, exports every function of <ktlso/ktlso.h> at the version that
 * brought it (KTLSO_1 to KTLSO_1.3) and at no older one, and nothing else:
 * the internals (the socket call table, the request builder, the engine's
 * code built in) stay hidden.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include <ktlso/ktlso.h>

/* Every version node of libktlso.map, oldest first, with what it brought. */
static const char *const v1[] = {
	"ktlso_alpn_encode", "ktlso_attach_ulp", "ktlso_cipher_name",
	"ktlso_close_notify", "ktlso_crypto_info_size", "ktlso_get_info",
	"ktlso_handshake", "ktlso_handshake_poll", "ktlso_handshake_start",
	"ktlso_handshake_wait", "ktlso_params_check", "ktlso_send_alert",
	"ktlso_set_keys",
	"ktlso_state_name", "ktlso_strerror", "ktlso_version_name", NULL,
};

/* 1.1: the peer's certificate. */
static const char *const v1_1[] = {
	"ktlso_get_peer", "ktlso_peer_free", "ktlso_peer_parse", NULL,
};

/* 1.2: TLS 1.3 key updates run by the kernel. */
static const char *const v1_2[] = {
	"ktlso_get_key_state", "ktlso_key_update", "ktlso_set_traffic_secret",
	NULL,
};

/* 1.3: reading to a clean or a cut end; keys from a TLS 1.3 secret. */
static const char *const v1_3[] = {
	"ktlso_alert_name", "ktlso_recv", "ktlso_tls13_crypto_info", NULL,
};

static const struct {
	const char *node;
	const char *const *names;
} versions[] = {
	{ "KTLSO_1", v1 },
	{ "KTLSO_1.1", v1_1 },
	{ "KTLSO_1.2", v1_2 },
	{ "KTLSO_1.3", v1_3 },
};

#define N_VERSIONS (sizeof(versions) / sizeof(versions[0]))

/* The library's internals, and the engine's code built into it. */
static const char *const hidden[] = {
	"ktlso_lib_sys", "ktlso_lib_sys_libc", "ktlso_lib_build_request",
	"ktlso_lib_query", "ktlso_lib_cipher", "ktlso_lib_ulp_name",
	"ktlso_error_name", "ktlso_tls13_traffic_keys", "ktlso_crypto_info_fill",
	"ktlso_suite_find",
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

/* Each function at the version that brought it, and at no older one. */
TEST_F(so, exports_the_api)
{
	const char *const *name;
	size_t v, older;

	for (v = 0; v < N_VERSIONS; v++)
		for (name = versions[v].names; *name; name++) {
			EXPECT_NE(NULL, dlvsym(self->h, *name,
					       versions[v].node)) {
				TH_LOG("%s@%s missing", *name, versions[v].node);
			}
			for (older = 0; older < v; older++)
				EXPECT_EQ(NULL, dlvsym(self->h, *name,
						       versions[older].node)) {
					TH_LOG("%s@%s exists", *name,
					       versions[older].node);
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
	const char *const *name;
	char line[256], sym[200];
	int seen = 0, api = 0;
	size_t v;

	ASSERT_NE(NULL, nm);
	for (v = 0; v < N_VERSIONS; v++)
		for (name = versions[v].names; *name; name++)
			api++;
	while (fgets(line, sizeof(line), nm)) {
		bool known = false;
		char *at;

		if (sscanf(line, "%*s %*s %199s", sym) != 1)
			continue;
		at = strchr(sym, '@');
		if (at)
			*at = '\0';
		for (v = 0; v < N_VERSIONS; v++) {
			if (!strcmp(sym, versions[v].node))
				break;
			for (name = versions[v].names; *name; name++)
				known |= !strcmp(sym, *name);
		}
		if (v < N_VERSIONS)
			continue;	/* the version node itself */
		EXPECT_TRUE(known) {
			TH_LOG("%s is exported", sym);
		}
		seen++;
	}
	EXPECT_EQ(0, pclose(nm));
	EXPECT_EQ(api, seen);
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
