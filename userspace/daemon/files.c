// SPDX-License-Identifier: GPL-2.0
/*
 * The files of one configuration load: read, looked up, packed for the
 * daemon and unpacked. See files.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <openssl/crypto.h>

#include "daemon/files.h"

#define PATH_LEN_MAX 4096

void kd_files_init(struct kd_files *fs, enum kd_files_mode mode)
{
	memset(fs, 0, sizeof(*fs));
	fs->mode = mode;
}

static void file_free(struct kd_file *f)
{
	if (f->data)
		OPENSSL_clear_free(f->data, f->cap);
	free(f->path);
	free(f);
}

void kd_files_free(struct kd_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		file_free(fs->f[i]);
	free(fs->f);
	fs->f = NULL;
	fs->n = 0;
}

/* A new, empty entry at the end of @fs; NULL when full or out of memory. */
static struct kd_file *append(struct kd_files *fs)
{
	struct kd_file **grown, *f;

	if (fs->n == KD_FILES_MAX)
		return NULL;
	grown = realloc(fs->f, (fs->n + 1) * sizeof(*fs->f));
	if (!grown)
		return NULL;
	fs->f = grown;
	f = calloc(1, sizeof(*f));
	if (f)
		fs->f[fs->n++] = f;
	return f;
}

/* Read @fd whole into @f (at most KD_FILE_MAX bytes); 0 or -errno. */
static int read_all(int fd, struct kd_file *f)
{
	struct stat st;
	size_t cap, len = 0;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > (off_t)KD_FILE_MAX)
		return -EFBIG;
	f->mode = st.st_mode & 07777;
	/* One byte more than it claims, to see a file that grew. */
	cap = (size_t)st.st_size + 1;
	f->data = OPENSSL_zalloc(cap + 1);
	if (!f->data)
		return -ENOMEM;
	f->cap = cap + 1;
	while (len < cap) {
		n = read(fd, f->data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	f->len = len;
	return len == cap ? -EAGAIN : 0;
}

/*
 * Can only root change what @st describes? Owned by root, and neither its
 * group nor others may write it; a sticky directory (/tmp) may be
 * writable by all, since only the owner of an entry may rename or remove
 * it, and the entry below is checked in turn. Otherwise @err says why.
 */
static bool roots_alone(const char *what, const struct stat *st, char *err,
			size_t err_len)
{
	if (st->st_uid != 0)
		snprintf(err, err_len, "%s belongs to uid %u, not root", what,
			 (unsigned int)st->st_uid);
	else if ((st->st_mode & (S_IWGRP | S_IWOTH)) &&
		 !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
		snprintf(err, err_len, "%s is writable by its group or others",
			 what);
	else
		return true;
	return false;
}

/*
 * For the key reader (root, reading for the unprivileged daemon): @path
 * resolved, and every directory above it that only root can change, so
 * that nobody else can swap a file or a directory of the path meanwhile.
 * The resolved path into @real (PATH_MAX), or -1 with @err set.
 */
static int safe_path(const char *path, char *real, char *err, size_t err_len)
{
	char dir[PATH_MAX], why[PATH_MAX + 64];
	struct stat st;
	char *slash;

	if (!realpath(path, real)) {
		snprintf(err, err_len, "%s: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", real);
	while ((slash = strrchr(dir, '/'))) {
		slash[slash == dir ? 1 : 0] = '\0';
		if (stat(dir, &st)) {
			snprintf(err, err_len, "%s: cannot open: %s: %s", path,
				 dir, strerror(errno));
			return -1;
		}
		if (!roots_alone(dir, &st, why, sizeof(why))) {
			snprintf(err, err_len,
				 "%s: the key reader reads only what root alone can change: %s",
				 path, why);
			return -1;
		}
		if (slash == dir)
			break;
	}
	return 0;
}

static const struct kd_file *read_file(struct kd_files *fs, const char *path,
				       char *err, size_t err_len)
{
	char real[PATH_MAX], why[PATH_MAX + 64];
	bool root = fs->mode == KD_FILES_READ_ROOT;
	struct kd_file *f = append(fs);
	struct stat st;
	int fd = -1, ret;

	if (!f) {
		snprintf(err, err_len, "%s: more than %d files, or out of memory",
			 path, KD_FILES_MAX);
		return NULL;
	}
	f->path = strdup(path);
	if (!f->path) {
		snprintf(err, err_len, "%s: out of memory", path);
		goto fail;
	}
	if (root && safe_path(path, real, err, err_len))
		goto fail;
	/* O_NONBLOCK: a FIFO or a device must not hold the reader up. */
	fd = open(root ? real : path,
		  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		  (root ? O_NOFOLLOW : 0));
	if (fd >= 0 && root && fstat(fd, &st) == 0 &&
	    !roots_alone(path, &st, why, sizeof(why))) {
		snprintf(err, err_len,
			 "%s: the key reader reads only what root alone can change: %s",
			 path, why);
		goto fail;
	}
	ret = fd < 0 ? -errno : read_all(fd, f);
	if (ret) {
		snprintf(err, err_len, "%s: cannot open: %s", path,
			 ret == -EINVAL ? "not a regular file" :
			 ret == -EFBIG ? "larger than 1 MiB" :
			 ret == -EAGAIN ? "it changed while being read" :
			 strerror(-ret));
		goto fail;
	}
	close(fd);
	return f;
fail:
	if (fd >= 0)
		close(fd);
	file_free(f);
	fs->n--;
	return NULL;
}

const struct kd_file *kd_files_get(struct kd_files *fs, const char *path,
				   char *err, size_t err_len)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i]->path, path) == 0)
			return fs->f[i];
	if (fs->mode != KD_FILES_REPLAY)
		return read_file(fs, path, err, err_len);
	snprintf(err, err_len,
		 "%s: not among the files read for this reload (did the configuration change meanwhile? try again)",
		 path);
	return NULL;
}

/* --- packing: per file, u32 path length, path, u32 mode, u32 length, data */

static int put(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t n;

	while (len) {
		n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int kd_files_pack(const struct kd_files *fs, int fd)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < fs->n && !ret; i++) {
		const struct kd_file *f = fs->f[i];
		uint32_t hdr[3] = { (uint32_t)strlen(f->path), f->mode,
				    (uint32_t)f->len };

		ret = put(fd, &hdr[0], sizeof(hdr[0]));
		if (!ret)
			ret = put(fd, f->path, hdr[0]);
		if (!ret)
			ret = put(fd, &hdr[1], 2 * sizeof(hdr[0]));
		if (!ret)
			ret = put(fd, f->data, f->len);
	}
	return ret;
}

/* Exactly @len bytes at @off; 1 at a clean end of file, 0, or -errno. */
static int get(int fd, off_t *off, void *p, size_t len, bool eof_ok)
{
	uint8_t *b = p;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, b + got, len - got, *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got == 0 && eof_ok ? 1 : -EBADMSG;
		got += (size_t)n;
		*off += n;
	}
	return 0;
}

int kd_files_unpack(struct kd_files *fs, int fd)
{
	off_t off = 0;
	uint32_t hdr[2], plen;
	struct kd_file *f;
	int ret;

	kd_files_init(fs, KD_FILES_REPLAY);
	for (;;) {
		ret = get(fd, &off, &plen, sizeof(plen), true);
		if (ret)
			break;
		if (plen == 0 || plen >= PATH_LEN_MAX) {
			ret = -EBADMSG;
			break;
		}
		f = append(fs);
		if (!f) {
			ret = fs->n == KD_FILES_MAX ? -EBADMSG : -ENOMEM;
			break;
		}
		f->path = calloc(1, plen + 1);
		if (!f->path) {
			ret = -ENOMEM;
			break;
		}
		ret = get(fd, &off, f->path, plen, false);
		if (!ret)
			ret = get(fd, &off, hdr, sizeof(hdr), false);
		if (ret)
			break;
		if (hdr[1] > KD_FILE_MAX || strlen(f->path) != plen) {
			ret = -EBADMSG;
			break;
		}
		f->mode = hdr[0] & 07777;
		f->len = hdr[1];
		f->data = OPENSSL_zalloc(f->len + 1);
		if (!f->data) {
			ret = -ENOMEM;
			break;
		}
		f->cap = f->len + 1;
		ret = get(fd, &off, f->data, f->len, false);
		if (ret)
			break;
	}
	if (ret == 1)
		return 0;
	kd_files_free(fs);
	return ret;
}
