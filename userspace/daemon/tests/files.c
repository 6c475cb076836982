// SPDX-License-Identifier: GPL-2.0
/*
 * The file set of a configuration load: reading (bounded, regular files
 * only), packing for the daemon and unpacking with every bound checked,
 * replaying, and the key reader's rule that it reads only what root alone
 * can change (a file of another user, a directory others may write, a
 * link through one: refused). The ownership cases need root: skipped
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "daemon/files.h"
#include "kd_test.h"

/* DIR/name, written with @body and @mode; its path into @out. */
static int put_file(char *out, const char *name, const char *body,
		    mode_t mode)
{
	int fd, ok;

	if (kd_test_path(out, name))
		return -1;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	ok = write(fd, body, strlen(body)) == (ssize_t)strlen(body);
	return close(fd) == 0 && ok && chmod(out, mode) == 0 ? 0 : -1;
}

TEST(read_pack_unpack_replay)
{
	char a[KD_PATH], b[KD_PATH], err[512];
	const struct kd_file *f;
	struct kd_files rd, rp;
	int fd;

	ASSERT_EQ(0, put_file(a, "files-a", "alpha\n", 0600));
	ASSERT_EQ(0, put_file(b, "files-b", "", 0644));
	kd_files_init(&rd, KD_FILES_READ);
	f = kd_files_get(&rd, a, err, sizeof(err));
	ASSERT_NE(NULL, f) TH_LOG("%s", err);
	EXPECT_EQ(6u, f->len);
	EXPECT_EQ(0600u, f->mode);
	EXPECT_EQ(0, memcmp("alpha\n", f->data, 6));
	EXPECT_EQ(f, kd_files_get(&rd, a, err, sizeof(err)));
	ASSERT_NE(NULL, kd_files_get(&rd, b, err, sizeof(err)));
	EXPECT_EQ(2u, rd.n);

	fd = memfd_create("files-test", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kd_files_pack(&rd, fd));
	ASSERT_EQ(0, kd_files_unpack(&rp, fd));
	ASSERT_EQ(2u, rp.n);
	f = kd_files_get(&rp, a, err, sizeof(err));
	ASSERT_NE(NULL, f);
	EXPECT_EQ(6u, f->len);
	EXPECT_EQ(0600u, f->mode);
	EXPECT_EQ(0, memcmp("alpha\n", f->data, 6));
	f = kd_files_get(&rp, b, err, sizeof(err));
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0u, f->len);
	EXPECT_EQ(0644u, f->mode);
	/* Replay reads nothing from disk. */
	EXPECT_EQ(NULL, kd_files_get(&rp, "/etc/hostname", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not among the files read"));
	kd_files_free(&rd);
	kd_files_free(&rp);
	close(fd);
	EXPECT_EQ(0, kd_test_leaks());
}

TEST(read_refusals)
{
	struct kd_files rd;
	char p[KD_PATH], err[512];

	kd_files_init(&rd, KD_FILES_READ);
	ASSERT_EQ(0, kd_test_path(p, "no-such-file"));
	EXPECT_EQ(NULL, kd_files_get(&rd, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file"));
	EXPECT_EQ(NULL, kd_files_get(&rd, kd_files.dir, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a regular file"));
	/* A FIFO must not hold the reader up. */
	ASSERT_EQ(0, kd_test_path(p, "files-fifo"));
	ASSERT_EQ(0, mkfifo(p, 0600));
	EXPECT_EQ(NULL, kd_files_get(&rd, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a regular file"));
	EXPECT_EQ(0u, rd.n);
	kd_files_free(&rd);
}

/* What an unpack must refuse: each a stream kd_files_pack() never makes. */
TEST(unpack_bounds)
{
	struct {
		uint32_t plen;
		char path[4];
		uint32_t mode, len;
	} rec = { 4, "/abc", 0600, 0 };
	struct kd_files rp;
	uint32_t huge = 1u << 20;
	int fd;

	fd = memfd_create("files-bad", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	/* Truncated inside a record. */
	ASSERT_EQ(6, write(fd, &rec, 6));
	EXPECT_EQ(-EBADMSG, kd_files_unpack(&rp, fd));
	EXPECT_EQ(0u, rp.n);
	/* A path length of 0, then one of 4096. */
	ASSERT_EQ(0, ftruncate(fd, 0));
	rec.plen = 0;
	ASSERT_EQ((ssize_t)sizeof(rec), pwrite(fd, &rec, sizeof(rec), 0));
	EXPECT_EQ(-EBADMSG, kd_files_unpack(&rp, fd));
	rec.plen = 4096;
	ASSERT_EQ((ssize_t)sizeof(rec), pwrite(fd, &rec, sizeof(rec), 0));
	EXPECT_EQ(-EBADMSG, kd_files_unpack(&rp, fd));
	/* A file over the bound, a NUL in the path. */
	rec.plen = 4;
	rec.len = huge + 1;
	ASSERT_EQ((ssize_t)sizeof(rec), pwrite(fd, &rec, sizeof(rec), 0));
	EXPECT_EQ(-EBADMSG, kd_files_unpack(&rp, fd));
	rec.len = 0;
	rec.path[2] = '\0';
	ASSERT_EQ((ssize_t)sizeof(rec), pwrite(fd, &rec, sizeof(rec), 0));
	EXPECT_EQ(-EBADMSG, kd_files_unpack(&rp, fd));
	/* Data shorter than its length. */
	rec.path[2] = 'b';
	rec.len = 10;
	ASSERT_EQ((ssize_t)sizeof(rec), pwrite(fd, &rec, sizeof(rec), 0));
	EXPECT_EQ(-EBADMSG, kd_files_unpack(&rp, fd));
	/* And the good one. */
	rec.len = 0;
	ASSERT_EQ((ssize_t)sizeof(rec), pwrite(fd, &rec, sizeof(rec), 0));
	ASSERT_EQ(0, kd_files_unpack(&rp, fd));
	EXPECT_EQ(1u, rp.n);
	kd_files_free(&rp);
	close(fd);
	EXPECT_EQ(0, kd_test_leaks());
}

/*
 * The key reader: root's files in root's directories, yes; a file of
 * another user, a directory others may write, a link through one, no.
 */
TEST(read_root_alone)
{
	char dir[KD_PATH], good[KD_PATH], p[KD_PATH + 64], q[KD_PATH + 64];
	char err[1024];
	struct kd_files rd;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	kd_files_init(&rd, KD_FILES_READ_ROOT);
	ASSERT_EQ(0, put_file(good, "files-root", "key\n", 0600));
	ASSERT_NE(NULL, kd_files_get(&rd, good, err, sizeof(err)))
		TH_LOG("%s", err);

	/* Another user's file. */
	ASSERT_EQ(0, put_file(p, "files-other", "key\n", 0600));
	ASSERT_EQ(0, chown(p, 65534, 65534));
	EXPECT_EQ(NULL, kd_files_get(&rd, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "belongs to uid 65534, not root"));

	/* Root's file others may write. */
	ASSERT_EQ(0, put_file(p, "files-open", "key\n", 0602));
	EXPECT_EQ(NULL, kd_files_get(&rd, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "writable by its group or others"));

	/* Root's file in a directory others may write (not sticky). */
	ASSERT_EQ(0, kd_test_path(dir, "files-open-dir"));
	ASSERT_EQ(0, mkdir(dir, 0777));
	ASSERT_EQ(0, chmod(dir, 0777));
	snprintf(p, sizeof(p), "%s/key", dir);
	ASSERT_EQ(0, put_file(q, "files-open-dir/key", "key\n", 0600));
	EXPECT_EQ(NULL, kd_files_get(&rd, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "files-open-dir is writable"));

	/* A link, in root's directory, to root's file: followed, fine. */
	ASSERT_EQ(0, kd_test_path(p, "files-link"));
	ASSERT_EQ(0, symlink(good, p));
	EXPECT_NE(NULL, kd_files_get(&rd, p, err, sizeof(err)))
		TH_LOG("%s", err);
	/* A link through the directory others may write: refused. */
	ASSERT_EQ(0, kd_test_path(p, "files-link-open"));
	snprintf(q, sizeof(q), "%s/key", dir);
	ASSERT_EQ(0, symlink(q, p));
	EXPECT_EQ(NULL, kd_files_get(&rd, p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "files-open-dir is writable"));
	kd_files_free(&rd);
	EXPECT_EQ(0, kd_test_leaks());
}

TEST_HARNESS_MAIN
