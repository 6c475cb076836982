/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-httpd's count of connections per client address, so that one
 * address cannot hold every connection slot (--max-per-addr): a client
 * that opens 64 connections and trickles bytes on each holds a few, and
 * everyone else is still served. Thread-safe.
 *
 *	peers_init(&p, max_per_addr, max_clients);
 *	if (peers_enter(&p, addr, &first_refusal))	(at accept)
 *		serve, then peers_leave(&p, addr);
 *	else
 *		close; log it when first_refusal
 *
 * An address is the IPv4 or IPv6 address alone (an IPv4-mapped IPv6
 * address counts as the IPv4 one); ports do not matter. Each call scans
 * at most max_clients entries.
 */
#ifndef KTLSO_HTTPD_PEERS_H
#define KTLSO_HTTPD_PEERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct peer_slot {
	uint8_t addr[16];		/* IPv4 in the first 4 bytes */
	uint8_t family;			/* AF_INET, AF_INET6; 0: free */
	unsigned int count;
	bool refusal_logged;
};

struct peers {
	pthread_mutex_t lock;
	unsigned int max;		/* per address; 0: no limit */
	struct peer_slot *v;
	size_t cap;
};

/* Return: 0 or -ENOMEM. @cap: the most connections served at once. */
int peers_init(struct peers *p, unsigned int max, size_t cap);
void peers_fini(struct peers *p);

/**
 * peers_enter() - count a new connection from @sa
 * @p: the counts
 * @sa: the client's address (AF_INET or AF_INET6; others are not counted)
 * @log_refusal: set when the connection is refused and it is the first
 *	refusal since the address went to its limit (log that one only)
 *
 * Return: true when the connection may be served (call peers_leave() at
 * its end), false when its address holds the maximum already.
 */
bool peers_enter(struct peers *p, const struct sockaddr *sa,
		 bool *log_refusal);

/* The connection peers_enter() let in has ended. */
void peers_leave(struct peers *p, const struct sockaddr *sa);

#endif /* KTLSO_HTTPD_PEERS_H */
