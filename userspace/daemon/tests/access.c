// SPDX-License-Identifier: GPL-2.0
/*
 * Profile access lists on their own: what an entry may look like, which
 * requester matches which entry in which role, root and the unknown
 * requester, and cgroups looked up through a fake /proc and cgroup tree
 * (a cgroup's id is its directory's inode number, as on cgroup2).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "daemon/access.h"
#include "kd_test.h"

static int add(struct kd_acl *acl, unsigned int roles, const char *value,
	       char *err)
{
	return kd_acl_add(acl, roles, value, err, 256);
}

TEST(entries_parsed)
{
	struct kd_acl acl = { 0 };
	char err[256] = "";
	char text[256];

	ASSERT_EQ(0, add(&acl, KD_ACL_BOTH,
			 "user:root user:1234  group:0\tcgroup:/a/b cgroup:/",
			 err)) TH_LOG("%s", err);
	ASSERT_EQ(5u, acl.n);
	EXPECT_TRUE(acl.e[0].kind == KD_ACL_USER);
	EXPECT_EQ(0u, acl.e[0].id);
	EXPECT_EQ(1234u, acl.e[1].id);
	EXPECT_TRUE(acl.e[2].kind == KD_ACL_GROUP);
	EXPECT_EQ(0u, acl.e[2].id);
	EXPECT_TRUE(acl.e[3].kind == KD_ACL_CGROUP);
	EXPECT_STREQ("cgroup:/a/b", acl.e[3].text);
	ASSERT_EQ(0, add(&acl, KD_ACL_CLIENT, "user:7", err));
	kd_acl_describe(&acl, KTLSO_ROLE_CLIENT, text, sizeof(text));
	EXPECT_STREQ("root, user:root, user:1234, group:0, cgroup:/a/b, cgroup:/, user:7",
		     text);
	kd_acl_describe(&acl, KTLSO_ROLE_SERVER, text, sizeof(text));
	EXPECT_STREQ("root, user:root, user:1234, group:0, cgroup:/a/b, cgroup:/",
		     text);
	/* Cut to fit, always terminated. */
	kd_acl_describe(&acl, KTLSO_ROLE_SERVER, text, 12);
	EXPECT_STREQ("root, user:", text);
	kd_acl_free(&acl);
	EXPECT_EQ(0u, acl.n);
	kd_acl_describe(&acl, KTLSO_ROLE_SERVER, text, sizeof(text));
	EXPECT_STREQ("root", text);
}

TEST(bad_entries)
{
	static const struct {
		const char *value, *err;
	} cases[] = {
		{ "user:no-such-user-ktlso",
		  "no user \"no-such-user-ktlso\"" },
		{ "group:no-such-group-ktlso",
		  "no group \"no-such-group-ktlso\"" },
		{ "user:", "no user \"\"" },
		{ "user:4294967295", "no user \"4294967295\"" },
		{ "root", "\"root\" is not user:NAME, group:NAME or cgroup:/PATH" },
		{ "uid:0", "\"uid:0\" is not user:NAME, group:NAME or cgroup:/PATH" },
		{ "cgroup:system.slice",
		  "\"cgroup:system.slice\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'" },
		{ "cgroup:/a/", "\"cgroup:/a/\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'" },
		{ "cgroup:/a//b", "\"cgroup:/a//b\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'" },
		{ "cgroup:/a/../b", "\"cgroup:/a/../b\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'" },
		{ "cgroup:/./b", "\"cgroup:/./b\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'" },
	};
	struct kd_acl acl = { 0 };
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		EXPECT_EQ(-1, add(&acl, KD_ACL_BOTH, cases[i].value, err));
		EXPECT_STREQ(cases[i].err, err);
		kd_acl_free(&acl);
	}
	/* ".." inside a name is a name. */
	EXPECT_EQ(0, add(&acl, KD_ACL_BOTH, "cgroup:/a..b/.c", err));
	kd_acl_free(&acl);
}

TEST(bounded)
{
	struct kd_acl acl = { 0 };
	char err[256];
	int i;

	for (i = 0; i < KD_ACL_MAX; i++)
		ASSERT_EQ(0, add(&acl, KD_ACL_BOTH, "user:1", err));
	EXPECT_EQ(-1, add(&acl, KD_ACL_BOTH, "user:1", err));
	EXPECT_STREQ("more than 64 entries", err);
	EXPECT_EQ((size_t)KD_ACL_MAX, acl.n);
	kd_acl_free(&acl);
}

TEST(users_groups_roles)
{
	struct kd_requester who = { .known = true, .uid = 1000, .gid = 100 };
	struct kd_acl acl = { 0 };
	char err[256];

	/* Empty: root only; the unknown requester never. */
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &who, NULL));
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, NULL, NULL));
	who.uid = 0;
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &who, NULL));
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &who, NULL));
	who.known = false;
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &who, NULL));
	who.known = true;

	ASSERT_EQ(0, add(&acl, KD_ACL_SERVER, "user:1000", err));
	ASSERT_EQ(0, add(&acl, KD_ACL_CLIENT, "group:200", err));
	who.uid = 1000;
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &who, NULL));
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &who, NULL));
	who.gid = 200;
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &who, NULL));
	who.uid = 1001;
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &who, NULL));
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &who, NULL));
	/* A uid is not a gid. */
	who.uid = 200;
	who.gid = 1000;
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &who, NULL));
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &who, NULL));
	kd_acl_free(&acl);
}

/* A fake /proc and cgroup tree under the test directory. */
/* Paths under the test directory: short enough, whatever KD_PATH says. */
#define SUB_PATH 512

FIXTURE(cgroups) {
	char proc[SUB_PATH], cg[SUB_PATH];
	struct kd_acl_roots roots;
	struct kd_requester who;
};

static void mkdirs(const char *base, const char *rel)
{
	char path[KD_PATH];
	const char *p;

	for (p = rel; (p = strchr(p + 1, '/'));) {
		snprintf(path, sizeof(path), "%s%.*s", base, (int)(p - rel),
			 rel);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s%s", base, rel);
	mkdir(path, 0700);
}

/* Put pid 4242 in cgroup @rel: its /proc line, and the id the kernel gave. */
static uint64_t place(FIXTURE_DATA(cgroups) *self, const char *rel)
{
	char path[KD_PATH];
	struct stat st;
	FILE *f;

	mkdirs(self->cg, rel);
	snprintf(path, sizeof(path), "%s/4242/cgroup", self->proc);
	f = fopen(path, "w");
	if (!f)
		return 0;
	fprintf(f, "12:pids:/elsewhere\n0::%s\n", rel);
	fclose(f);
	snprintf(path, sizeof(path), "%s%s", self->cg, rel);
	if (stat(path, &st))
		return 0;
	return st.st_ino;
}

FIXTURE_SETUP(cgroups)
{
	char path[KD_PATH];

	snprintf(self->proc, sizeof(self->proc), "%.400s/proc", kd_files.dir);
	snprintf(self->cg, sizeof(self->cg), "%.400s/cg", kd_files.dir);
	mkdir(self->proc, 0700);
	mkdir(self->cg, 0700);
	snprintf(path, sizeof(path), "%s/4242", self->proc);
	mkdir(path, 0700);
	self->roots = (struct kd_acl_roots){ self->proc, self->cg };
	self->who = (struct kd_requester){ .known = true, .uid = 1000,
					   .gid = 1000, .pid = 4242 };
	self->who.cgroup = place(self, "/system.slice/nginx.service");
	ASSERT_NE(0u, self->who.cgroup);
}

FIXTURE_TEARDOWN(cgroups)
{
}

TEST_F(cgroups, path_and_below)
{
	struct kd_acl acl = { 0 };
	char err[256];

	ASSERT_EQ(0, add(&acl, KD_ACL_SERVER,
			 "cgroup:/system.slice/nginx.service", err));
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				  &self->roots));
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_CLIENT, &self->who,
				   &self->roots));
	/* A process in a child cgroup of the service. */
	self->who.cgroup = place(self, "/system.slice/nginx.service/worker");
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				  &self->roots));
	/* A sibling whose name the entry is a prefix of. */
	self->who.cgroup = place(self, "/system.slice/nginx.service2");
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				   &self->roots));
	self->who.cgroup = place(self, "/system.slice");
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				   &self->roots));
	kd_acl_free(&acl);
	ASSERT_EQ(0, add(&acl, KD_ACL_SERVER, "cgroup:/", err));
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				  &self->roots));
	kd_acl_free(&acl);
}

/*
 * The path /proc shows must be the cgroup the kernel named: a process
 * that moved (or a pid reused) since the request does not match.
 */
TEST_F(cgroups, moved_or_unknown_refused)
{
	uint64_t old = self->who.cgroup;
	struct kd_acl acl = { 0 };
	char err[256];

	ASSERT_EQ(0, add(&acl, KD_ACL_BOTH,
			 "cgroup:/system.slice/nginx.service", err));
	/* Asked from elsewhere, then moved into the service. */
	self->who.cgroup = place(self, "/user.slice");
	place(self, "/system.slice/nginx.service");
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				   &self->roots));
	self->who.cgroup = old;
	EXPECT_TRUE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				  &self->roots));
	/* Not visible in our pid namespace, no cgroup v2, gone. */
	self->who.pid = 0;
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				   &self->roots));
	self->who.pid = 4242;
	self->who.cgroup = 0;
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				   &self->roots));
	self->who.cgroup = old;
	self->who.pid = 4243;
	EXPECT_FALSE(kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &self->who,
				   &self->roots));
	kd_acl_free(&acl);
}

TEST_HARNESS_MAIN
