// SPDX-License-Identifier: GPL-2.0
/*
 * The global settings of a fleet's shared ticket keys (tickets_redis.h):
 *
 *	ticket_keys = redis://HOST[:PORT]/PREFIX	(or "local")
 *	redis_user = NAME			(a Redis 6 ACL user)
 *	redis_password_file = FILE		(its first line)
 *
 * HOST is a name, an IPv4 address or a bracketed IPv6 one; PORT defaults
 * to 6379; PREFIX (letters, digits, "_.:-") begins the name of every key
 * ktlsod keeps there. The password file is read the way key files are
 * (through the key reader, its mode checked: key_file_check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <openssl/crypto.h>

#include "daemon/conf_int.h"

#define SCHEME "redis://"
#define DEFAULT_PORT 6379

static bool name_chars(const char *s, size_t len, const char *extra)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i])))
			return false;
	return len > 0;
}

/* "HOST[:PORT]" of @len bytes into @r; NULL when good, else why not. */
static const char *parse_authority(struct kd_redis_conf *r, const char *s,
				   size_t len)
{
	const char *host = s, *port = NULL, *end = s + len, *close;
	size_t host_len;
	long v;

	if (len && s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close)
			return "an IPv6 address without its ']'";
		host = s + 1;
		host_len = (size_t)(close - host);
		if (!name_chars(host, host_len, ":."))
			return "not an IPv6 address in brackets";
		if (close + 1 < end && close[1] != ':')
			return "something between ']' and the port";
		port = close + 1 < end ? close + 2 : NULL;
	} else {
		port = memchr(s, ':', len);
		host_len = port ? (size_t)(port - s) : len;
		if (port)
			port++;
		if (!name_chars(host, host_len, ".-"))
			return "not a host name or IPv4 address";
	}
	if (host_len >= sizeof(r->host))
		return "a host name too long";
	memcpy(r->host, host, host_len);
	r->host[host_len] = '\0';
	r->port = DEFAULT_PORT;
	if (port) {
		char digits[8];

		if ((size_t)(end - port) >= sizeof(digits))
			return "not a port from 1 to 65535";
		memcpy(digits, port, (size_t)(end - port));
		digits[end - port] = '\0';
		v = kd_parse_uint(digits, 1, 65535);
		if (v < 0)
			return "not a port from 1 to 65535";
		r->port = (unsigned int)v;
	}
	return NULL;
}

void kd_redis_conf_url(struct kd_load *ld, struct kd_redis_conf *r,
		       const char *key, const char *value, unsigned int line)
{
	const char *auth, *slash, *why;
	size_t n;

	if (strcmp(value, "local") == 0) {
		r->on = false;
		return;
	}
	if (strncmp(value, SCHEME, strlen(SCHEME)) != 0) {
		kd_load_error(ld, line,
			      "%s: \"%s\" is not local or redis://HOST[:PORT]/PREFIX",
			      key, value);
		return;
	}
	auth = value + strlen(SCHEME);
	slash = strchr(auth, '/');
	if (!slash) {
		kd_load_error(ld, line, "%s: \"%s\" has no /PREFIX", key, value);
		return;
	}
	why = parse_authority(r, auth, (size_t)(slash - auth));
	n = strlen(slash + 1);
	if (!why && (n > KD_REDIS_PREFIX_MAX ||
		     !name_chars(slash + 1, n, "_.:-")))
		why = "a PREFIX not of 1 to 64 letters, digits and \"_.:-\"";
	if (why) {
		kd_load_error(ld, line, "%s: \"%s\": %s", key, value, why);
		return;
	}
	memcpy(r->prefix, slash + 1, n + 1);
	r->on = true;
}

void kd_redis_conf_user(struct kd_load *ld, struct kd_redis_conf *r,
			const char *key, const char *value, unsigned int line)
{
	size_t n = strlen(value);

	if (n > KD_REDIS_USER_MAX || !name_chars(value, n, "_.-@")) {
		kd_load_error(ld, line,
			      "%s: \"%s\" is not a user name of 1 to 64 letters, digits and \"_.-@\"",
			      key, value);
		return;
	}
	memcpy(r->user, value, n + 1);
}

void kd_redis_conf_password(struct kd_load *ld, struct kd_redis_conf *r,
			    const char *key, const char *value,
			    unsigned int line)
{
	char *path = kd_load_path(ld, line, value), err[512];
	const struct kd_file *f;
	size_t n = 0;

	if (!path)
		return;
	f = kd_files_get(ld->files, path, err, sizeof(err));
	if (!f) {
		kd_load_error(ld, line, "%s: %s", key, err);
		goto out;
	}
	while (n < f->len && f->data[n] != '\n')
		n++;
	if (n && f->data[n - 1] == '\r')
		n--;
	if (!n || n > KD_REDIS_PASSWORD_MAX ||
	    memchr(f->data, '\0', n) || memchr(f->data, '\r', n)) {
		kd_load_error(ld, line,
			      "%s: %s: the first line is not a password of 1 to %d bytes",
			      key, path, KD_REDIS_PASSWORD_MAX);
		goto out;
	}
	memcpy(r->password, f->data, n);
	r->password[n] = '\0';
	if (f->mode & (S_IRWXG | S_IRWXO))
		kd_load_loose_key(ld, line, path, f->mode);
out:
	free(path);
}

void kd_redis_conf_check(struct kd_load *ld, const struct kd_redis_conf *r,
			 unsigned int user_line, unsigned int password_line)
{
	if (r->on) {
		if (user_line && !password_line)
			kd_load_error(ld, user_line,
				      "redis_user: needs redis_password_file");
		return;
	}
	if (user_line)
		kd_load_error(ld, user_line,
			      "redis_user: only with ticket_keys = redis://...");
	if (password_line)
		kd_load_error(ld, password_line,
			      "redis_password_file: only with ticket_keys = redis://...");
}

bool kd_redis_conf_equal(const struct kd_redis_conf *a,
			 const struct kd_redis_conf *b)
{
	return a->on == b->on && a->port == b->port &&
	       !strcmp(a->host, b->host) && !strcmp(a->prefix, b->prefix) &&
	       !strcmp(a->user, b->user) &&
	       strlen(a->password) == strlen(b->password) &&
	       !CRYPTO_memcmp(a->password, b->password, strlen(a->password));
}
