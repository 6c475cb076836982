// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's privileges: hardening before secrets, and the drop to an
 * unprivileged user with CAP_NET_ADMIN alone. See privs.h.
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "daemon/log.h"
#include "daemon/privs.h"

/* RLIMIT_CORE 0, soft and hard. */
static bool core_dumps_off(void)
{
	const struct rlimit none = { 0, 0 };
	struct rlimit now;

	if (setrlimit(RLIMIT_CORE, &none) == 0)
		return true;
	/* A sandbox may forbid setrlimit(): enough if the hard limit is 0. */
	return getrlimit(RLIMIT_CORE, &now) == 0 && now.rlim_max == 0;
}

int kd_privs_harden(void)
{
	if (!core_dumps_off() || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		kd_log(KD_LOG_ERROR, "cannot turn core dumps off: %s",
		       strerror(errno));
		return -1;
	}
	switch (CRYPTO_secure_malloc_init(KD_SECURE_HEAP, 32)) {
	case 1:
		return 0;
	case 2:
		kd_log(KD_LOG_WARNING,
		       "private keys may be swapped out: RLIMIT_MEMLOCK is below %u KiB",
		       KD_SECURE_HEAP / 1024);
		return 0;
	default:
		kd_log(KD_LOG_ERROR, "libcrypto's secure heap: cannot set it up");
		return -1;
	}
}

/* Empty the bounding set but for the capabilities @keep holds. */
static void bound(cap_t keep)
{
	cap_flag_value_t v;
	cap_value_t c;
	int dropped = 0, refused = 0;

	for (c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (cap_get_flag(keep, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			continue;
		if (cap_get_bound(c) != 1)
			continue;
		if (cap_drop_bound(c))
			refused++;
		else
			dropped++;
	}
	/* Without CAP_SETPCAP (started unprivileged) the unit's bound holds. */
	if (refused)
		kd_log(KD_LOG_DEBUG,
		       "bounding set: %d capabilities dropped, %d could not be (no CAP_SETPCAP)",
		       dropped, refused);
}

/* Permitted and effective @text, nothing else; no way back. */
static int reduce(const char *text, cap_t keep)
{
	int ret = -1;

	if (cap_set_proc(keep)) {
		kd_log(KD_LOG_ERROR, "capabilities \"%s\": %s", text,
		       strerror(errno));
		goto out;
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient()) {
		kd_log(KD_LOG_ERROR, "ambient capabilities: %s",
		       strerror(errno));
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		kd_log(KD_LOG_ERROR, "prctl: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	return ret;
}

static cap_t parse(const char *text)
{
	cap_t c = cap_from_text(text[0] ? text : "=");

	if (!c)
		kd_log(KD_LOG_ERROR, "capabilities \"%s\": %s", text,
		       strerror(errno));
	return c;
}

int kd_privs_keep(const char *caps)
{
	cap_t keep = parse(caps);
	int ret;

	if (!keep)
		return -1;
	bound(keep);
	ret = reduce(caps, keep);
	cap_free(keep);
	return ret;
}

/* Switch to @pw, keeping the permitted capabilities for reduce(). */
static int become(const struct passwd *pw)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid)) {
		kd_log(KD_LOG_ERROR, "cannot become user %s: %s", pw->pw_name,
		       strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

int kd_privs_drop(const char *user)
{
	static const char text[] = "cap_net_admin=ep";
	struct passwd *pw = NULL;
	cap_flag_value_t have;
	cap_t keep, now;
	int ret = -1;

	if (user[0]) {
		pw = getpwnam(user);
		if (!pw) {
			kd_log(KD_LOG_ERROR, "user %s: no such user", user);
			return -1;
		}
		if (geteuid() != 0 && geteuid() != pw->pw_uid) {
			kd_log(KD_LOG_ERROR,
			       "user = %s, but ktlsod was started as uid %u: start it as root or as %s",
			       user, (unsigned int)geteuid(), user);
			return -1;
		}
	} else if (geteuid() == 0) {
		kd_log(KD_LOG_WARNING,
		       "running as root: set \"user\" in the configuration");
	}
	now = cap_get_proc();
	if (!now || cap_get_flag(now, CAP_NET_ADMIN, CAP_PERMITTED, &have) ||
	    have != CAP_SET) {
		kd_log(KD_LOG_ERROR,
		       "ktlsod needs CAP_NET_ADMIN and does not have it");
		cap_free(now);
		return -1;
	}
	cap_free(now);
	keep = parse(text);
	if (!keep)
		return -1;
	bound(keep);
	if (pw && geteuid() == 0 && become(pw))
		goto out;
	ret = reduce(text, keep);
	if (!ret)
		kd_log(KD_LOG_INFO, "running as uid %u gid %u with CAP_NET_ADMIN only",
		       (unsigned int)geteuid(), (unsigned int)getegid());
out:
	cap_free(keep);
	return ret;
}
