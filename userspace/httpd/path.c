// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-httpd: request-targets (RFC 9112 section 3.2) to paths below the
 * root, and opening them there without leaving it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "path.h"

#define INDEX_NAME	"index.html"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Skip "http://authority" or "https://authority" of an absolute-form. */
static size_t authority_len(const char *t, size_t len)
{
	size_t n, i;

	if (len >= 7 && !strncasecmp(t, "http://", 7))
		n = 7;
	else if (len >= 8 && !strncasecmp(t, "https://", 8))
		n = 8;
	else
		return 0;
	for (i = n; i < len && t[i] != '/' && t[i] != '?' && t[i] != '#'; i++)
		;
	return i;
}

/*
 * Append one decoded segment to @out (at *@pos): "" and "." vanish, ".."
 * is refused (400), a name starting with '.' is hidden (404).
 */
static int add_segment(const char *seg, size_t len, char *out, size_t cap,
		       size_t *pos)
{
	if (len == 0 || (len == 1 && seg[0] == '.'))
		return 0;
	if (len == 2 && seg[0] == '.' && seg[1] == '.')
		return -400;
	if (seg[0] == '.')
		return -404;
	if (*pos + (*pos ? 1 : 0) + len + 1 > cap)
		return -414;
	if (*pos)
		out[(*pos)++] = '/';
	memcpy(out + *pos, seg, len);
	*pos += len;
	out[*pos] = '\0';
	return 0;
}

/**
 * http_target_path() - the relative path a request-target names
 * @target: the request-target (origin-form "/a/b?q" or absolute-form
 *	"http://host/a/b"), as http_parse_request() found it
 * @len: its length
 * @out: the path: "" for the root, else "a/b" (no leading or trailing
 *	slash, segments joined by one '/')
 * @cap: bytes at @out (HTTP_MAX_PATH + 1 is plenty)
 * @trailing_slash: set when the path part ends with '/' (or is the root)
 *
 * Query and fragment are dropped; %XX escapes are decoded first and the
 * result split on '/', so "%2e%2e" and "..%2f" are ".." like any other.
 *
 * Return: 0; -400 for a target that is not a path, a bad escape, a
 * decoded NUL or control byte, or a ".." segment; -404 for a segment
 * starting with '.'; -414 for a path longer than @cap allows.
 */
int http_target_path(const char *target, size_t len, char *out, size_t cap,
		     bool *trailing_slash)
{
	char dec[HTTP_MAX_PATH + 1];
	size_t i, n = 0, pos = 0, start;
	int err;

	if (cap == 0)
		return -414;
	out[0] = '\0';
	*trailing_slash = false;
	i = authority_len(target, len);
	if (i > 0 && (i == len || target[i] != '/')) {
		/* "http://host" with no path (maybe a query): the root */
		*trailing_slash = true;
		return 0;
	}
	if (i == len || target[i] != '/')
		return -400;

	for (; i < len && target[i] != '?' && target[i] != '#'; i++) {
		char c = target[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -400;
			hi = hex_value(target[i + 1]);
			lo = hex_value(target[i + 2]);
			if (hi < 0 || lo < 0)
				return -400;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return -400;
		if (n == HTTP_MAX_PATH)
			return -414;
		dec[n++] = c;
	}
	*trailing_slash = dec[n - 1] == '/';

	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && dec[i] != '/')
			continue;
		err = add_segment(dec + start, i - start, out, cap, &pos);
		if (err)
			return err;
		start = i + 1;
	}
	if (pos == 0)
		*trailing_slash = true;
	return 0;
}

/* An errno from openat() as an HTTP status. */
static int open_status(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return -403;
	case ENOENT:
	case ENOTDIR:
	case ELOOP:		/* a symbolic link, with O_NOFOLLOW */
	case ENAMETOOLONG:
	case ENXIO:
		return -404;
	default:
		return -500;
	}
}

/*
 * Open the regular file @name in @dirfd: no link followed, and O_NONBLOCK
 * so that a FIFO cannot hang the server.  A directory comes back as such
 * (for its index) with *@is_dir set.
 */
static int open_leaf(int dirfd, const char *name, struct stat *st,
		     bool *is_dir)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
				     O_CLOEXEC | O_NOCTTY);

	*is_dir = false;
	if (fd < 0)
		return open_status(errno);
	if (fstat(fd, st)) {
		close(fd);
		return -500;
	}
	if (S_ISDIR(st->st_mode)) {
		*is_dir = true;
		return fd;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return -404;
	}
	return fd;
}

/**
 * http_open_below() - open a path from http_target_path() below the root
 * @rootfd: the served directory (an O_PATH or O_RDONLY descriptor)
 * @rel: the relative path, "" for the root
 * @want_dir_index: a directory means its index.html (the target ended with
 *	'/'); else a directory is reported as -301
 * @st: the opened file's status
 * @index: set when the file opened is a directory's index.html
 *
 * Every component is opened with O_NOFOLLOW, directories with O_DIRECTORY:
 * a symbolic link anywhere is "not found".
 *
 * Return: a descriptor of a regular file; -301 for a directory asked for
 * without the trailing slash; -403 where permission is denied; -404 for
 * anything missing, a link, or not a regular file; -500 otherwise.
 */
int http_open_below(int rootfd, const char *rel, bool want_dir_index,
		    struct stat *st, bool *index)
{
	char name[HTTP_MAX_PATH + 1];
	const char *p = rel, *slash;
	int dirfd, fd, err;
	bool is_dir;

	*index = false;
	dirfd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -500;
	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);

		if (n >= sizeof(name)) {
			close(dirfd);
			return -404;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
		err = errno;
		close(dirfd);
		if (fd < 0)
			return open_status(err);
		dirfd = fd;
		p = slash + 1;
	}

	if (*p) {
		fd = open_leaf(dirfd, p, st, &is_dir);
		close(dirfd);
		if (fd < 0)
			return fd;
		if (!is_dir)
			return fd;
		if (!want_dir_index) {
			close(fd);
			return -301;
		}
		dirfd = fd;
	}
	fd = open_leaf(dirfd, INDEX_NAME, st, &is_dir);
	close(dirfd);
	if (fd >= 0 && is_dir) {
		close(fd);
		return -404;
	}
	*index = fd >= 0;
	return fd;
}

/*
 * A path for a Location field: '/' + @rel + '/', every byte outside the
 * unreserved set and '/' percent-encoded.  Return: its length, or 0 when
 * it does not fit @cap (with its NUL).
 */
size_t http_path_encode(const char *rel, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	if (cap < 3)
		return 0;
	out[n++] = '/';
	for (; *rel; rel++) {
		unsigned char c = (unsigned char)*rel;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c)) {
			if (n + 1 >= cap)
				return 0;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= cap)
				return 0;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n + 2 > cap)
		return 0;
	if (n > 1)
		out[n++] = '/';
	out[n] = '\0';
	return n;
}
