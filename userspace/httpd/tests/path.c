// SPDX-License-Identifier: GPL-2.0
/*
 * From request-target to file: decoding and normalizing targets (every
 * traversal spelling refused), opening below a root made in a temporary
 * directory (files, index.html, links inside and out, a FIFO, a missing
 * permission), Location encoding, Content-Type by extension, and the
 * response head's exact bytes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "httpd/mime.h"
#include "httpd/path.h"
#include "httpd/response.h"

static int target(const char *t, char *out, bool *slash)
{
	return http_target_path(t, strlen(t), out, HTTP_MAX_PATH + 1, slash);
}

struct path_case {
	const char *target;
	int ret;
	const char *path;
	bool slash;
};

TEST(targets)
{
	static const struct path_case cases[] = {
		{ "/", 0, "", true },
		{ "/index.html", 0, "index.html", false },
		{ "/a/b/c.txt", 0, "a/b/c.txt", false },
		{ "/a/b/", 0, "a/b", true },
		{ "//a///b", 0, "a/b", false },
		{ "/./a/./b/.", 0, "a/b", false },
		{ "/a?q=/../x", 0, "a", false },
		{ "/a#frag", 0, "a", false },
		{ "/a%20b", 0, "a b", false },
		{ "/%41%62", 0, "Ab", false },
		{ "/caf%C3%A9", 0, "caf\xc3\xa9", false },
		{ "/a%2Fb", 0, "a/b", false },
		{ "http://example.com/x/y", 0, "x/y", false },
		{ "HTTPS://example.com:8443/x?y", 0, "x", false },
		{ "http://example.com", 0, "", true },
		{ "http://example.com?x", 0, "", true },
		/* traversal, every spelling */
		{ "/..", -400, NULL, false },
		{ "/../etc/passwd", -400, NULL, false },
		{ "/a/../../b", -400, NULL, false },
		{ "/a/..", -400, NULL, false },
		{ "/%2e%2e/x", -400, NULL, false },
		{ "/%2E%2E%2Fx", -400, NULL, false },
		{ "/a/..%2f..%2fb", -400, NULL, false },
		{ "/.%2e/x", -400, NULL, false },
		/* hidden names */
		{ "/.git/config", -404, NULL, false },
		{ "/a/.htpasswd", -404, NULL, false },
		{ "/%2ehidden", -404, NULL, false },
		{ "/...", -404, NULL, false },
		/* not paths, bad escapes, control bytes */
		{ "*", -400, NULL, false },
		{ "index.html", -400, NULL, false },
		{ "ftp://x/y", -400, NULL, false },
		{ "/a%", -400, NULL, false },
		{ "/a%4", -400, NULL, false },
		{ "/a%zz", -400, NULL, false },
		{ "/a%00b", -400, NULL, false },
		{ "/a%0d%0aSet-Cookie:x", -400, NULL, false },
		{ "/a%7f", -400, NULL, false },
	};
	char out[HTTP_MAX_PATH + 1];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct path_case *c = &cases[i];
		bool slash = !c->slash;

		EXPECT_EQ(c->ret, target(c->target, out, &slash)) {
			TH_LOG("%s", c->target);
		}
		if (c->ret)
			continue;
		EXPECT_STREQ(c->path, out);
		EXPECT_EQ(c->slash, slash) {
			TH_LOG("%s", c->target);
		}
	}
}

TEST(target_length_bounds)
{
	char *t = malloc(3 * HTTP_MAX_PATH + 10), out[HTTP_MAX_PATH + 1];
	bool slash;

	ASSERT_NE(NULL, t);
	t[0] = '/';
	memset(t + 1, 'a', HTTP_MAX_PATH - 1);
	t[HTTP_MAX_PATH] = '\0';
	EXPECT_EQ(0, target(t, out, &slash));
	EXPECT_EQ((size_t)HTTP_MAX_PATH - 1, strlen(out));
	strcat(t, "a");
	EXPECT_EQ(-414, target(t, out, &slash));
	/* The output's capacity is a bound too. */
	EXPECT_EQ(-414, http_target_path("/abcdef", 7, out, 4, &slash));
	EXPECT_EQ(0, http_target_path("/abc", 4, out, 4, &slash));
	free(t);
}

FIXTURE(root) {
	char dir[64];
	char outside[64];
	int rootfd;
};

static void put_file(struct __test_metadata *_metadata, const char *dir,
		     const char *name, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	ASSERT_NE(NULL, f);
	fputs(content, f);
	fclose(f);
}

FIXTURE_SETUP(root)
{
	char p[256];

	strcpy(self->dir, "/tmp/ktlso-httpd-root.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	strcpy(self->outside, "/tmp/ktlso-httpd-out.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->outside));
	put_file(_metadata, self->outside, "secret", "secret\n");

	put_file(_metadata, self->dir, "index.html", "<p>root</p>\n");
	put_file(_metadata, self->dir, "a.txt", "hello\n");
	snprintf(p, sizeof(p), "%s/sub", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	put_file(_metadata, self->dir, "sub/page.css", "b{}\n");
	snprintf(p, sizeof(p), "%s/noindex", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/dirindex", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/dirindex/index.html", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));

	/* Links: to a file outside, to a directory outside, inside. */
	snprintf(p, sizeof(p), "%s/secret-link", self->dir);
	ASSERT_EQ(0, symlink("../../../../../../etc/passwd", p));
	snprintf(p, sizeof(p), "%s/out", self->dir);
	ASSERT_EQ(0, symlink(self->outside, p));
	snprintf(p, sizeof(p), "%s/alias.txt", self->dir);
	ASSERT_EQ(0, symlink("a.txt", p));
	snprintf(p, sizeof(p), "%s/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(p, 0644));

	self->rootfd = open(self->dir, O_PATH | O_DIRECTORY);
	ASSERT_GE(self->rootfd, 0);
}

FIXTURE_TEARDOWN(root)
{
	char cmd[300];

	close(self->rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", self->dir,
		 self->outside);
	EXPECT_EQ(0, system(cmd));
}

/* http_open_below() in the fixture's root; *@index as it reports. */
static int open_rel(FIXTURE_DATA(root) *self, const char *rel, bool dir_index,
		    bool *index)
{
	struct stat st;
	bool idx = false;
	int fd = http_open_below(self->rootfd, rel, dir_index, &st, &idx);

	if (index)
		*index = idx;
	/* Anything but a regular file coming back is a bug of its own. */
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		return -1000;
	}
	return fd;
}

/* The file's content, read from the descriptor http_open_below() gave. */
static void expect_content(struct __test_metadata *_metadata, int fd,
			   const char *want)
{
	char buf[128];
	ssize_t n;

	ASSERT_GE(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_GE(n, 0);
	buf[n] = '\0';
	EXPECT_STREQ(want, buf);
	close(fd);
}

TEST_F(root, regular_files_and_indexes)
{
	struct stat st;
	bool index;
	int fd;

	fd = http_open_below(self->rootfd, "a.txt", false, &st, &index);
	EXPECT_EQ(6, st.st_size);
	EXPECT_FALSE(index);
	expect_content(_metadata, fd, "hello\n");
	expect_content(_metadata, open_rel(self, "sub/page.css", false, &index),
		       "b{}\n");
	EXPECT_FALSE(index);
	expect_content(_metadata, open_rel(self, "", true, &index),
		       "<p>root</p>\n");
	EXPECT_TRUE(index);
	/* A file named with a trailing slash is still that file. */
	expect_content(_metadata, open_rel(self, "a.txt", true, &index),
		       "hello\n");
	EXPECT_FALSE(index);
}

TEST_F(root, directories)
{
	EXPECT_EQ(-301, open_rel(self, "sub", false, NULL));
	EXPECT_EQ(-404, open_rel(self, "sub", true, NULL));
	EXPECT_EQ(-404, open_rel(self, "noindex", true, NULL));
	/* An index.html that is a directory is no index. */
	EXPECT_EQ(-404, open_rel(self, "dirindex", true, NULL));
}

TEST_F(root, missing_and_odd_files)
{
	EXPECT_EQ(-404, open_rel(self, "nope", false, NULL));
	EXPECT_EQ(-404, open_rel(self, "nope/a", false, NULL));
	EXPECT_EQ(-404, open_rel(self, "a.txt/x", false, NULL));
	/* A FIFO: 404 at once, not a server stuck in open(). */
	EXPECT_EQ(-404, open_rel(self, "fifo", false, NULL));
}

/* No link is followed, whether it points out of the root or not. */
TEST_F(root, links_never_followed)
{
	EXPECT_EQ(-404, open_rel(self, "secret-link", false, NULL));
	EXPECT_EQ(-404, open_rel(self, "out/secret", false, NULL));
	EXPECT_EQ(-404, open_rel(self, "out", true, NULL));
	EXPECT_EQ(-404, open_rel(self, "alias.txt", false, NULL));
}

/*
 * A file the server may not read: 403.  As root (which reads every file)
 * the check runs in a child that drops to nobody first.
 */
TEST_F(root, permission_denied)
{
	char p[256];
	pid_t pid;
	int status;

	snprintf(p, sizeof(p), "%s/a.txt", self->dir);
	ASSERT_EQ(0, chmod(p, 0));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	if (geteuid() != 0) {
		EXPECT_EQ(-403, open_rel(self, "a.txt", false, NULL));
		return;
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		_exit(open_rel(self, "a.txt", false, NULL) == -403 ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(location_encoding)
{
	char out[64];

	EXPECT_EQ(7U, http_path_encode("a/sub", out, sizeof(out)));
	EXPECT_STREQ("/a/sub/", out);
	EXPECT_EQ(15U, http_path_encode("caf\xc3\xa9 x", out, sizeof(out)));
	EXPECT_STREQ("/caf%C3%A9%20x/", out);
	EXPECT_EQ(9U, http_path_encode("a-._~Z9", out, sizeof(out)));
	EXPECT_STREQ("/a-._~Z9/", out);
	/* Exactly enough room, then one byte short. */
	EXPECT_EQ(4U, http_path_encode("ab", out, 5));
	EXPECT_EQ(0U, http_path_encode("ab", out, 4));
	EXPECT_EQ(0U, http_path_encode("\x01", out, 5));
}

TEST(content_types)
{
	EXPECT_STREQ("text/html; charset=utf-8", http_content_type("index.html"));
	EXPECT_STREQ("text/html; charset=utf-8", http_content_type("a/B.HTM"));
	EXPECT_STREQ("text/plain; charset=utf-8", http_content_type("x.txt"));
	EXPECT_STREQ("text/css; charset=utf-8", http_content_type("s/p.css"));
	EXPECT_STREQ("image/png", http_content_type("i.png"));
	EXPECT_STREQ("image/jpeg", http_content_type("i.JPEG"));
	EXPECT_STREQ("application/json", http_content_type("d.json"));
	EXPECT_STREQ("application/octet-stream", http_content_type("README"));
	EXPECT_STREQ("application/octet-stream", http_content_type("x.tar.gz"));
	/* A dot in a directory name is no extension. */
	EXPECT_STREQ("application/octet-stream", http_content_type("a.html/b"));
	EXPECT_STREQ("application/octet-stream", http_content_type(".html"));
}

TEST(response_heads)
{
	char buf[HTTP_HEAD_MAX];
	struct http_response r = {
		.status = 200,
		.keep_alive = true,
		.content_type = "text/html; charset=utf-8",
		.content_length = 1234,
		.last_modified = 784111777,
	};

	/* 1994-11-06 08:49:37 UTC, RFC 9110's own example. */
	ASSERT_LT(0, http_format_head(buf, sizeof(buf), &r, 784111777));
	EXPECT_STREQ("HTTP/1.1 200 OK\r\n"
		     "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		     "Server: ktlso-httpd\r\n"
		     "Content-Type: text/html; charset=utf-8\r\n"
		     "Content-Length: 1234\r\n"
		     "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		     "\r\n", buf);

	r = (struct http_response){ .status = 405, .content_length = 5 };
	ASSERT_LT(0, http_format_head(buf, sizeof(buf), &r, 0));
	EXPECT_STREQ("HTTP/1.1 405 Method Not Allowed\r\n"
		     "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
		     "Server: ktlso-httpd\r\n"
		     "Content-Type: text/plain; charset=utf-8\r\n"
		     "Content-Length: 5\r\n"
		     "Allow: GET, HEAD\r\n"
		     "Connection: close\r\n"
		     "\r\n", buf);

	r = (struct http_response){ .status = 301, .keep_alive = true,
				    .announce_keep_alive = true,
				    .location = "/sub/" };
	ASSERT_LT(0, http_format_head(buf, sizeof(buf), &r, 0));
	EXPECT_NE(NULL, strstr(buf, "\r\nLocation: /sub/\r\n"));
	EXPECT_NE(NULL, strstr(buf, "\r\nConnection: keep-alive\r\n\r\n"));

	/* Too small a buffer: -1, never a cut head. */
	r.status = 200;
	EXPECT_EQ(-1, http_format_head(buf, 40, &r, 0));
	EXPECT_EQ(-1, http_format_head(buf, 150, &r, 0));
}

TEST_HARNESS_MAIN
