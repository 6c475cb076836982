/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handshakes in flight per peer address and per requesting user, so that
 * one address (or one local user) cannot hold every worker: past
 * "max_handshakes_per_peer" (or "_per_user") a new request fails at once
 * with EBUSY. Main thread only (requests start and end there).
 *
 *	kd_inflight_init(&f);
 *	if (kd_inflight_enter(&f, peer_key, uid_key, max_peer, max_user) == 0)
 *		run it; at its end kd_inflight_leave(&f, peer_key, uid_key);
 *
 * Keys are strings: the peer's address without its port ("192.0.2.1",
 * "2001:db8::1"; "" when the kernel did not say) and "uid N" ("" when not
 * known); an empty key is not counted. A hash table of 1024 chains; an
 * entry exists while its count is above zero.
 */
#ifndef KTLSOD_INFLIGHT_H
#define KTLSOD_INFLIGHT_H

#include <stddef.h>

#define KD_INFLIGHT_BUCKETS 1024
#define KD_INFLIGHT_KEY_MAX 64

struct kd_inflight_entry;

struct kd_inflight {
	struct kd_inflight_entry *bucket[KD_INFLIGHT_BUCKETS];
	size_t entries;
};

void kd_inflight_init(struct kd_inflight *f);
void kd_inflight_fini(struct kd_inflight *f);

/**
 * kd_inflight_enter() - count a new handshake
 * @f: the counts
 * @peer: its peer key ("" for none)
 * @user: its user key ("" for none)
 * @max_peer: at most this many per peer key (0: no bound)
 * @max_user: at most this many per user key (0: no bound)
 *
 * Return: 0 (counted under both keys: kd_inflight_leave() at its end),
 * -EBUSY when either key is at its bound (nothing counted), -ENOMEM.
 */
int kd_inflight_enter(struct kd_inflight *f, const char *peer,
		      const char *user, unsigned int max_peer,
		      unsigned int max_user);

/* The handshake counted by kd_inflight_enter() is over. */
void kd_inflight_leave(struct kd_inflight *f, const char *peer,
		       const char *user);

/* How many are counted under @key (0 for none). */
unsigned int kd_inflight_count(const struct kd_inflight *f, const char *key);

/**
 * kd_inflight_peer_key() - a request's peer address without its port
 * @peer: "ADDR:PORT" or "[ADDR]:PORT" (kd_peer_format()), or "?"
 * @out: the address, "" when there is none
 * @len: room in @out
 */
void kd_inflight_peer_key(const char *peer, char *out, size_t len);

#endif /* KTLSOD_INFLIGHT_H */
