/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.3 client connections whose tickets may still come. Once ktlsod
 * hands a client connection's keys to the kernel, the server's later
 * NewSessionTickets reach the daemon through the kernel, tagged with a
 * 64-bit id the daemon chose for the connection (kd_client_conn_id()).
 * This table keeps, per id, what turns them into client tickets (a
 * struct ktlso_resumption: it holds the resumption master secret) and the
 * cache key they go under (client_cache.h), until the connection ends.
 *
 *	id = kd_client_conn_id();
 *	kd_client_conns_add(cs, id, &resumption, &key);	(after hand-off)
 *	conn = kd_client_conns_find(cs, id);	(tickets for id came)
 *	... ktlso_resumption_tickets(&conn->resumption, ...), each
 *	    ticket into the cache under conn->key; conn->tickets += kept
 *	kd_client_conns_end(cs, id);		(the connection closed)
 *
 * At most max connections are kept: past that, the oldest is dropped
 * (its later tickets are then lost, nothing else). Entries are found by
 * id in a hash table of a power of two buckets, at least max; everything
 * is O(1). Whatever leaves the table is wiped.
 *
 * Main thread only: no lock inside.
 */
#ifndef KTLSOD_CLIENT_CONNS_H
#define KTLSOD_CLIENT_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/client_cache.h"
#include "engine/engine.h"

/* max: at most this (the buckets: a pointer per connection). */
#define KD_CLIENT_CONNS_MAX (1u << 20)

struct kd_client_conn {
	uint64_t id;
	struct ktlso_resumption resumption;
	struct kd_client_key key;
	unsigned int tickets;		/* so far: the caller counts */
};

struct kd_client_conns_counts {
	size_t now;			/* connections held */
	uint64_t added, ended, evicted;	/* evicted: dropped, the oldest,
					 * to make room for a new one */
};

struct kd_client_conns;

/**
 * kd_client_conns_new() - an empty table
 * @cp: set to the table (NULL on failure)
 * @max: how many connections it holds at most, 1 to KD_CLIENT_CONNS_MAX
 *
 * Return: 0, -EINVAL (@max out of range), -ENOMEM.
 */
int kd_client_conns_new(struct kd_client_conns **cp, size_t max);

/* Wipe every connection, free @c. NULL is a no-op. */
void kd_client_conns_free(struct kd_client_conns *c);

/**
 * kd_client_conns_add() - a connection whose tickets may come
 * @c: the table
 * @id: its id (kd_client_conn_id()), not 0
 * @r: what its tickets need (copied; the caller wipes its own)
 * @k: the cache key its tickets go under (copied)
 *
 * When the table is full, its oldest connection is dropped (wiped,
 * counted as evicted) first.
 *
 * Return: 0; -EINVAL (@id 0); -EEXIST (@id is in the table: nothing
 * changes); -ENOMEM.
 */
int kd_client_conns_add(struct kd_client_conns *c, uint64_t id,
			const struct ktlso_resumption *r,
			const struct kd_client_key *k);

/**
 * kd_client_conns_find() - a connection, by id
 * @c: the table
 * @id: its id
 *
 * Return: the connection, or NULL when @id is not in the table. The
 * pointer is good until the next kd_client_conns_add(), _end() or _free()
 * on @c; the caller may change ->tickets, nothing else.
 */
struct kd_client_conn *kd_client_conns_find(struct kd_client_conns *c,
					    uint64_t id);

/**
 * kd_client_conns_end() - the connection is over: drop it, wiped
 * @c: the table
 * @id: its id
 *
 * Return: 0, or -ENOENT when @id is not in the table.
 */
int kd_client_conns_end(struct kd_client_conns *c, uint64_t id);

void kd_client_conns_counts(const struct kd_client_conns *c,
			    struct kd_client_conns_counts *n);

/**
 * kd_client_conn_id() - a new connection id
 *
 * Return: 64 random bits from getrandom(2), never 0; 0 only when
 * getrandom() fails for another reason than EINTR (no such call: a
 * kernel before 3.17), which kd_client_conns_add() refuses.
 */
uint64_t kd_client_conn_id(void);

#endif /* KTLSOD_CLIENT_CONNS_H */
