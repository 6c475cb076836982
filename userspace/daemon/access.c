// SPDX-License-Identifier: GPL-2.0
/*
 * Profile access lists: parsing an "allow*" value, matching a requester,
 * describing a list. See access.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "daemon/access.h"
#include "daemon/conf_int.h"

#define CGROUP_PATH_MAX 1024		/* a configured or looked-up path */
#define PROC_CGROUP_MAX 8192		/* what is read of /proc/PID/cgroup */
#define GROUP_MEMBERS_MAX 65536

/* --- parsing ----------------------------------------------------------- */

/*
 * A cgroup path as configured: absolute, no empty, "." or ".."
 * component, no trailing '/' (but "/" itself, the root, is fine).
 */
static bool cgroup_path_valid(const char *p)
{
	const char *c = p;
	size_t len = strlen(p);

	if (p[0] != '/' || len >= CGROUP_PATH_MAX)
		return false;
	if (len == 1)
		return true;
	if (p[len - 1] == '/')
		return false;
	while (*c) {
		const char *next = strchr(c + 1, '/');
		size_t n = next ? (size_t)(next - c - 1) : strlen(c + 1);

		if (n == 0 || (n == 1 && c[1] == '.') ||
		    (n == 2 && c[1] == '.' && c[2] == '.'))
			return false;
		if (!next)
			break;
		c = next;
	}
	return true;
}

/* The uids of the group database's members of @gr. */
static int group_members(struct kd_acl_entry *e, const struct group *gr,
			 char *err, size_t err_len)
{
	size_t n = 0, i;

	while (gr->gr_mem[n] && n < GROUP_MEMBERS_MAX)
		n++;
	if (n == 0)
		return 0;
	e->members = calloc(n, sizeof(*e->members));
	if (!e->members) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct passwd *pw = getpwnam(gr->gr_mem[i]);

		/* A member without an account cannot ask for anything. */
		if (pw)
			e->members[e->n_members++] = (uint32_t)pw->pw_uid;
	}
	return 0;
}

static int parse_entry(struct kd_acl_entry *e, const char *text, char *err,
		       size_t err_len)
{
	const char *colon = strchr(text, ':');
	const char *arg = colon ? colon + 1 : "";
	/* Below (uid_t)-1, which means "no id". */
	long id = kd_parse_uint(arg, 0, (long)UINT32_MAX - 1);

	if (colon && strncmp(text, "user:", 5) == 0) {
		struct passwd *pw = id < 0 ? getpwnam(arg) : NULL;

		e->kind = KD_ACL_USER;
		if (id < 0 && !pw) {
			snprintf(err, err_len, "no user \"%s\"", arg);
			return -1;
		}
		e->id = id < 0 ? (uint32_t)pw->pw_uid : (uint32_t)id;
		return 0;
	}
	if (colon && strncmp(text, "group:", 6) == 0) {
		struct group *gr = id < 0 ? getgrnam(arg) :
				   getgrgid((gid_t)id);

		e->kind = KD_ACL_GROUP;
		if (id < 0 && !gr) {
			snprintf(err, err_len, "no group \"%s\"", arg);
			return -1;
		}
		e->id = gr ? (uint32_t)gr->gr_gid : (uint32_t)id;
		return gr ? group_members(e, gr, err, err_len) : 0;
	}
	if (colon && strncmp(text, "cgroup:", 7) == 0) {
		e->kind = KD_ACL_CGROUP;
		if (!cgroup_path_valid(arg)) {
			snprintf(err, err_len,
				 "\"%s\": a cgroup path is absolute, without '.', '..', empty components or a trailing '/'",
				 text);
			return -1;
		}
		return 0;
	}
	snprintf(err, err_len,
		 "\"%s\" is not user:NAME, group:NAME or cgroup:/PATH", text);
	return -1;
}

int kd_acl_add(struct kd_acl *acl, unsigned int roles, const char *value,
	       char *err, size_t err_len)
{
	char *copy = strdup(value), *tok, *save = NULL;
	int ret = 0;

	if (!copy) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " \t", &save); tok && !ret;
	     tok = strtok_r(NULL, " \t", &save)) {
		struct kd_acl_entry *e, *grown;

		if (acl->n == KD_ACL_MAX) {
			snprintf(err, err_len, "more than %d entries",
				 KD_ACL_MAX);
			ret = -1;
			break;
		}
		grown = realloc(acl->e, (acl->n + 1) * sizeof(*acl->e));
		if (!grown) {
			snprintf(err, err_len, "out of memory");
			ret = -1;
			break;
		}
		acl->e = grown;
		e = &acl->e[acl->n];
		memset(e, 0, sizeof(*e));
		e->roles = roles;
		e->text = strdup(tok);
		if (!e->text) {
			snprintf(err, err_len, "out of memory");
			ret = -1;
			break;
		}
		acl->n++;
		ret = parse_entry(e, tok, err, err_len);
	}
	free(copy);
	return ret;
}

void kd_acl_free(struct kd_acl *acl)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		free(acl->e[i].members);
		free(acl->e[i].text);
	}
	free(acl->e);
	acl->e = NULL;
	acl->n = 0;
}

/* --- matching ---------------------------------------------------------- */

/*
 * The cgroup v2 path of @who, from /proc/PID/cgroup, into @out; accepted
 * only if that directory's inode is the cgroup id the kernel recorded at
 * the request (on 64-bit kernels a cgroup's id is its kernfs inode
 * number). 0, or -1 when it cannot be established.
 */
static int requester_cgroup(const struct kd_requester *who,
			    const struct kd_acl_roots *roots, char *out,
			    size_t len)
{
	char path[CGROUP_PATH_MAX + 64], buf[PROC_CGROUP_MAX + 1];
	const char *line, *end;
	struct stat st;
	ssize_t n;
	int fd;

	if (!who->pid || !who->cgroup)
		return -1;
	snprintf(path, sizeof(path), "%s/%u/cgroup", roots->proc, who->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, PROC_CGROUP_MAX);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The unified hierarchy's line is "0::PATH". */
	for (line = buf; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line += 3;
		n = end ? end - line : (ssize_t)strlen(line);
		if (n <= 0 || (size_t)n >= len || line[0] != '/')
			return -1;
		memcpy(out, line, (size_t)n);
		out[n] = '\0';
		snprintf(path, sizeof(path), "%s%s", roots->cgroup, out);
		if (stat(path, &st) || !S_ISDIR(st.st_mode) ||
		    (uint64_t)st.st_ino != who->cgroup)
			return -1;
		return 0;
	}
	return -1;
}

/* Is cgroup @path @base or below it? */
static bool cgroup_under(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (n == 1)
		return true;
	return strncmp(path, base, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

static bool in_members(const struct kd_acl_entry *e, uint32_t uid)
{
	size_t i;

	for (i = 0; i < e->n_members; i++)
		if (e->members[i] == uid)
			return true;
	return false;
}

bool kd_acl_allows(const struct kd_acl *acl, enum ktlso_role role,
		   const struct kd_requester *who,
		   const struct kd_acl_roots *roots)
{
	static const struct kd_acl_roots real = { "/proc", "/sys/fs/cgroup" };
	char cg[CGROUP_PATH_MAX];
	int have_cg = 0;	/* 0: not looked up, 1: known, -1: unknown */
	size_t i;

	if (!who || !who->known)
		return false;
	if (who->uid == 0)
		return true;
	for (i = 0; i < acl->n; i++) {
		const struct kd_acl_entry *e = &acl->e[i];

		if (!(e->roles & (1u << role)))
			continue;
		switch (e->kind) {
		case KD_ACL_USER:
			if (e->id == who->uid)
				return true;
			break;
		case KD_ACL_GROUP:
			if (e->id == who->gid || in_members(e, who->uid))
				return true;
			break;
		case KD_ACL_CGROUP:
			if (!have_cg)
				have_cg = requester_cgroup(who,
							   roots ? roots : &real,
							   cg, sizeof(cg)) ?
					  -1 : 1;
			if (have_cg > 0 && cgroup_under(cg, e->text + 7))
				return true;
			break;
		}
	}
	return false;
}

void kd_acl_describe(const struct kd_acl *acl, enum ktlso_role role,
		     char *buf, size_t len)
{
	size_t off, i;

	off = (size_t)snprintf(buf, len, "root");
	for (i = 0; i < acl->n && off < len; i++)
		if (acl->e[i].roles & (1u << role))
			off += (size_t)snprintf(buf + off, len - off, ", %s",
						acl->e[i].text);
}
