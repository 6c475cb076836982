/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlsod's privileges: what it gives up, and when.
 *
 *	kd_privs_harden();		first thing: no core dumps, keys
 *					in the locked secure heap
 *	load the configuration, open netlink, start the helper (helper.h)
 *	kd_privs_drop(conf->user);	become "user", keep CAP_NET_ADMIN
 *
 * The daemon parses everything that comes from the network and from
 * applications; after kd_privs_drop() it runs as an unprivileged user
 * whose only capability is CAP_NET_ADMIN (HS_ACCEPT and HS_DONE need it),
 * with no way back (no-new-privs, an empty bounding set) and no core
 * dumps. Reading key files again on SIGHUP is the helper's job.
 */
#ifndef KTLSOD_PRIVS_H
#define KTLSOD_PRIVS_H

#include <stddef.h>

/* Bytes of libcrypto's secure heap: private keys, ephemeral keys. */
#define KD_SECURE_HEAP (1u << 20)

/**
 * kd_privs_harden() - before any secret is read
 *
 * No core dumps (PR_SET_DUMPABLE 0, RLIMIT_CORE 0); libcrypto's secure
 * heap set up, so that the private keys it loads live in memory that is
 * locked (not swapped, when RLIMIT_MEMLOCK allows; logged otherwise) and
 * left out of dumps.
 *
 * Return: 0, or -1 with the reason logged.
 */
int kd_privs_harden(void);

/**
 * kd_privs_drop() - become @user with CAP_NET_ADMIN alone
 * @user: the account ("" to stay the user ktlsod was started as)
 *
 * Started as root: switch to @user's uid and primary gid with no
 * supplementary groups. Either way: permitted and effective capabilities
 * CAP_NET_ADMIN only (an error if it is not there to keep), none
 * inheritable or ambient, the bounding set emptied of everything else,
 * no-new-privs, not dumpable. Started as another user than @user: an
 * error (ktlsod cannot switch).
 *
 * Return: 0, or -1 with the reason logged.
 */
int kd_privs_drop(const char *user);

/**
 * kd_privs_keep() - reduce the capabilities to @caps, keep the user
 * @caps: capabilities in cap_from_text() form ("cap_net_raw=ep", or ""
 *	for none)
 *
 * As kd_privs_drop() without the switch of user: for the key reader,
 * which stays root to read root's key files and needs no capability.
 *
 * Return: 0, or -1 with the reason logged.
 */
int kd_privs_keep(const char *caps);

#endif /* KTLSOD_PRIVS_H */
