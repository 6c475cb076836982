/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may use a profile, and in which role: a profile's access list, read
 * from its "allow", "allow_server" and "allow_client" keys, and matched
 * against the requester the kernel names in HS_ACCEPT.
 *
 *	struct kd_acl acl = { 0 };
 *
 *	kd_acl_add(&acl, KD_ACL_SERVER, "user:www-data cgroup:/system.slice/nginx.service",
 *		   err, sizeof(err));	(at load: names resolved here)
 *	if (!kd_acl_allows(&acl, KTLSO_ROLE_SERVER, &who, NULL))
 *		refuse with EPERM;
 *	kd_acl_free(&acl);
 *
 * An entry is one of
 *
 *	user:NAME | user:UID	the requester's effective uid
 *	group:NAME | group:GID	its effective gid, or a user the group
 *				database lists as a member (read at load)
 *	cgroup:/PATH		its cgroup v2, PATH itself or below it, as
 *				ktlsod sees /sys/fs/cgroup
 *
 * uid 0 may always use every profile in every role: root can read the
 * key files anyway. An empty list therefore means "root only". A request
 * whose requester the kernel did not name is refused.
 */
#ifndef KTLSOD_ACCESS_H
#define KTLSOD_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

#define KD_ACL_MAX 64			/* entries per profile */

/* The roles an entry grants: bits, by enum ktlso_role. */
#define KD_ACL_CLIENT	(1u << KTLSO_ROLE_CLIENT)
#define KD_ACL_SERVER	(1u << KTLSO_ROLE_SERVER)
#define KD_ACL_BOTH	(KD_ACL_CLIENT | KD_ACL_SERVER)

/**
 * struct kd_requester - who asked for a handshake, as the kernel saw it
 * @known: the kernel said (older modules do not)
 * @uid: effective uid, in ktlsod's user namespace
 * @gid: effective gid, likewise
 * @pid: thread group id in ktlsod's pid namespace, 0 if invisible there
 * @cgroup: cgroup v2 id, 0 without cgroup v2
 */
struct kd_requester {
	bool known;
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	uint64_t cgroup;
};

enum kd_acl_kind { KD_ACL_USER, KD_ACL_GROUP, KD_ACL_CGROUP };

/**
 * struct kd_acl_entry - one entry of an access list
 * @kind: user, group or cgroup
 * @roles: KD_ACL_CLIENT and/or KD_ACL_SERVER
 * @id: the uid or gid
 * @members: a group's members by uid (from the group database)
 * @n_members: entries in @members
 * @text: the entry as given ("user:www-data"), for --check and logs;
 *	a cgroup's path starts at text + 7
 */
struct kd_acl_entry {
	enum kd_acl_kind kind;
	unsigned int roles;
	uint32_t id;
	uint32_t *members;
	size_t n_members;
	char *text;
};

/* A profile's access list. */
struct kd_acl {
	struct kd_acl_entry *e;
	size_t n;
};

/**
 * kd_acl_add() - add the entries of one "allow*" value
 * @acl: the list
 * @roles: what they grant
 * @value: entries separated by blanks
 * @err: the first problem (an unknown user or group, a malformed entry,
 *	too many entries)
 * @err_len: its size
 *
 * Return: 0, or -1 with @err set (entries before the bad one are kept;
 * the load fails anyway).
 */
int kd_acl_add(struct kd_acl *acl, unsigned int roles, const char *value,
	       char *err, size_t err_len);

/* Free the entries; @acl is left empty. */
void kd_acl_free(struct kd_acl *acl);

/* Where a requester's cgroup is looked up: /proc and /sys/fs/cgroup. */
struct kd_acl_roots {
	const char *proc;
	const char *cgroup;
};

/**
 * kd_acl_allows() - may @who use a profile with @acl in @role?
 * @acl: the profile's list
 * @role: the request's role
 * @who: the requester; NULL or unknown is refused
 * @roots: where to look up cgroups; NULL for the real ones
 *
 * A cgroup entry is matched by the requester's cgroup path, read from
 * /proc/PID/cgroup and accepted only if the directory of that path has
 * the cgroup id the kernel gave (so a pid reused or a process moved since
 * the request cannot match; such a request is refused).
 *
 * Return: true when allowed.
 */
bool kd_acl_allows(const struct kd_acl *acl, enum ktlso_role role,
		   const struct kd_requester *who,
		   const struct kd_acl_roots *roots);

/**
 * kd_acl_describe() - who may use a profile in @role, for people
 * @acl: the list
 * @role: the role
 * @buf: "root, user:www-data, cgroup:/system.slice/nginx.service"
 * @len: its size (the text is cut to fit)
 */
void kd_acl_describe(const struct kd_acl *acl, enum ktlso_role role,
		     char *buf, size_t len);

#endif /* KTLSOD_ACCESS_H */
