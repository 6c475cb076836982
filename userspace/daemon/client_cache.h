/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client session cache: the tickets servers gave to the connections
 * ktlsod ran as a client, kept to be offered on the next connection to
 * the same server. "The same server" is the same daemon profile, server
 * name (SNI), peer address ("192.0.2.1:443", "[2001:db8::1]:443"), ALPN
 * list offered (its wire bytes) and requesting uid: a struct
 * kd_client_key, an HMAC-SHA256 of those under a random key of the cache,
 * so that the table's layout cannot be steered by whoever chooses names.
 *
 *	kd_client_cache_new(&c, max);
 *	kd_client_cache_key(c, &k, profile, sni, peer, alpn, alpn_len, uid);
 *	kd_client_cache_put(c, &k, &ticket);	(each ticket received)
 *	kd_client_cache_take(c, &k, now, &ticket);	(before a handshake)
 *	kd_client_cache_free(c);
 *
 * Tickets are single use (RFC 8446 C.4): a take removes the ticket it
 * returns. A key holds at most KD_CLIENT_TICKETS_PER_KEY tickets (a new
 * one pushes the key's oldest out), the cache at most its max_tickets
 * (a new one pushes out the least recently added of all). A ticket is
 * kept encoded (ktlso_client_ticket_encode()), in a buffer of its size,
 * and wiped when it goes.
 *
 * Every function but new and free may be called from any thread at any
 * time (a mutex inside): workers put TLS 1.2 tickets, the main thread
 * takes tickets and puts TLS 1.3 ones. kd_client_cache_free() is called
 * once nobody else uses the cache.
 */
#ifndef KTLSOD_CLIENT_CACHE_H
#define KTLSOD_CLIENT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

#define KD_CLIENT_TICKETS_PER_KEY 4
/* max_tickets: at most this (the buckets: a pointer per ticket). */
#define KD_CLIENT_CACHE_MAX_TICKETS (1u << 20)

/* Where a ticket goes: an HMAC-SHA256 (kd_client_cache_key()). */
struct kd_client_key {
	uint8_t d[32];
};

struct kd_client_cache_counts {
	size_t tickets;			/* held now */
	uint64_t stored;		/* puts that kept a ticket */
	uint64_t taken;			/* takes that returned one */
	uint64_t missed;		/* takes that found none (-ENOENT) */
	uint64_t evicted;		/* pushed out by a newer ticket */
	uint64_t expired;		/* found expired by a take, dropped */
	uint64_t flushed;		/* dropped by kd_client_cache_flush() */
};

struct kd_client_cache;

/**
 * kd_client_cache_new() - an empty cache
 * @cp: set to the cache (NULL on failure)
 * @max_tickets: how many tickets it holds at most, 1 to
 *	KD_CLIENT_CACHE_MAX_TICKETS
 *
 * Return: 0, -EINVAL (@max_tickets out of range), -ENOMEM (or no
 * randomness, or no HMAC-SHA256 from libcrypto).
 */
int kd_client_cache_new(struct kd_client_cache **cp, size_t max_tickets);

/* Wipe every ticket and the HMAC key, free @c. NULL is a no-op. */
void kd_client_cache_free(struct kd_client_cache *c);

/* Wipe and drop every ticket (counted in flushed); the cache stays. */
void kd_client_cache_flush(struct kd_client_cache *c);

/**
 * kd_client_cache_key() - where a connection's tickets go
 * @c: the cache (each cache has its own HMAC key: a key is only good for
 *	the cache that made it)
 * @k: set to the key
 * @profile: the daemon profile (NULL: "")
 * @server_name: the SNI sent (NULL: "")
 * @peer: the server's address and port, as the daemon formats it
 *	(NULL: "")
 * @alpn: the ALPN list offered, wire format (NULL when @alpn_len is 0)
 * @alpn_len: its length
 * @uid: the requesting application's uid
 *
 * Each field goes into the HMAC with its length before it, so that two
 * different tuples never give the same input ("ab", "c" and "a", "bc"
 * differ).
 *
 * Return: 0; -ENOMEM when libcrypto fails, @k then random (it matches no
 * other key, so a caller that ignores the failure only misses).
 */
int kd_client_cache_key(const struct kd_client_cache *c,
			struct kd_client_key *k, const char *profile,
			const char *server_name, const char *peer,
			const uint8_t *alpn, size_t alpn_len, uint32_t uid);

/**
 * kd_client_cache_put() - keep a copy of a ticket
 * @c: the cache
 * @k: its key
 * @t: the ticket (copied, encoded; the caller still wipes its own)
 *
 * The key's oldest ticket goes when it holds KD_CLIENT_TICKETS_PER_KEY
 * already, else the least recently added of the cache when it is full
 * (either counted as evicted).
 *
 * Return: 0; -EINVAL for a ticket that does not encode, whose strings are
 * not terminated, or whose lifetime is 0 or over seven days; -ENOMEM.
 */
int kd_client_cache_put(struct kd_client_cache *c,
			const struct kd_client_key *k,
			const struct ktlso_client_ticket *t);

/**
 * kd_client_cache_take() - remove and return a ticket to offer
 * @c: the cache
 * @k: the connection's key
 * @now_ms: CLOCK_REALTIME in milliseconds, the tickets' received_ms clock
 * @t: set to the ticket (zeroed when there is none); the caller wipes it
 *	(ktlso_client_ticket_clear())
 *
 * Returns the newest of the key's tickets that has not expired (@now_ms -
 * received_ms < lifetime * 1000; one received after @now_ms counts as
 * expired, as the engine counts it). Expired ones met on the way, newest
 * first, are dropped and wiped; older ones after the one returned stay.
 *
 * Return: 0, or -ENOENT.
 */
int kd_client_cache_take(struct kd_client_cache *c,
			 const struct kd_client_key *k, uint64_t now_ms,
			 struct ktlso_client_ticket *t);

/* The counts, at one instant. */
void kd_client_cache_counts(const struct kd_client_cache *c,
			    struct kd_client_cache_counts *n);

#endif /* KTLSOD_CLIENT_CACHE_H */
