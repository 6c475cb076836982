// SPDX-License-Identifier: GPL-2.0
/*
 * The client session cache. See client_cache.h.
 *
 * A key is a struct node, in a chain of a hash table of a power of two
 * buckets (at least max_tickets: there are never more nodes than tickets),
 * indexed by the first bytes of the key, an HMAC no requester can steer.
 * A node holds its tickets oldest first. Every ticket is also on one
 * doubly linked list, oldest first, which eviction takes from. Nothing
 * here is recursive; every walk is bounded by a chain's length or by
 * KD_CLIENT_TICKETS_PER_KEY.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "daemon/client_cache.h"
#include "daemon/list.h"
#include "engine/msg.h"

#define HMAC_KEY_LEN 32

/*
 * Room for any ticket's encoding: each of its fields is a field of the
 * struct, with at most two bytes of length, after eight bytes of header.
 */
#define ENC_MAX (sizeof(struct ktlso_client_ticket) + 64)

struct node;

struct entry {
	struct kd_list age;		/* the cache's list */
	struct node *node;
	uint64_t received_ms;
	uint32_t lifetime;
	size_t len;
	uint8_t enc[];			/* the ticket, encoded */
};

struct node {
	struct node *next;		/* in its bucket */
	struct kd_client_key key;
	unsigned int n;
	struct entry *t[KD_CLIENT_TICKETS_PER_KEY];	/* oldest first */
};

struct kd_client_cache {
	EVP_MAC_CTX *mac;		/* keyed; duplicated for each key */
	pthread_mutex_t lock;		/* everything below */
	size_t max, mask;
	struct node **bucket;		/* mask + 1 of them */
	struct kd_list by_age;		/* of entries, oldest first */
	struct kd_client_cache_counts n;
};

int kd_client_cache_new(struct kd_client_cache **cp, size_t max_tickets)
{
	uint8_t key[HMAC_KEY_LEN];
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 digest, 0),
		OSSL_PARAM_construct_end(),
	};
	struct kd_client_cache *c;
	EVP_MAC *mac;
	size_t buckets = 1;
	int ret = -ENOMEM;

	*cp = NULL;
	if (max_tickets < 1 || max_tickets > KD_CLIENT_CACHE_MAX_TICKETS)
		return -EINVAL;
	while (buckets < max_tickets)
		buckets <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	kd_list_init(&c->by_age);
	c->max = max_tickets;
	c->mask = buckets - 1;
	c->bucket = calloc(buckets, sizeof(*c->bucket));
	if (!c->bucket)
		goto out;
	if (pthread_mutex_init(&c->lock, NULL)) {
		free(c->bucket);
		goto out;
	}
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac);
	if (c->mac && RAND_bytes(key, sizeof(key)) == 1 &&
	    EVP_MAC_init(c->mac, key, sizeof(key), params) == 1)
		ret = 0;
	OPENSSL_cleanse(key, sizeof(key));
	if (ret) {
		EVP_MAC_CTX_free(c->mac);
		pthread_mutex_destroy(&c->lock);
		free(c->bucket);
		goto out;
	}
	*cp = c;
	return 0;
out:
	free(c);
	return ret;
}

static void entry_free(struct entry *e)
{
	OPENSSL_clear_free(e, sizeof(*e) + e->len);
}

void kd_client_cache_free(struct kd_client_cache *c)
{
	struct kd_list *l, *tmp;
	size_t i;

	if (!c)
		return;
	kd_list_for_each_safe(l, tmp, &c->by_age)
		entry_free(container_of(l, struct entry, age));
	for (i = 0; i <= c->mask; i++) {
		struct node *nd, *nn;

		for (nd = c->bucket[i]; nd; nd = nn) {
			nn = nd->next;
			OPENSSL_clear_free(nd, sizeof(*nd));
		}
	}
	free(c->bucket);
	/* EVP_MAC_CTX_free() wipes the HMAC key. */
	EVP_MAC_CTX_free(c->mac);
	pthread_mutex_destroy(&c->lock);
	OPENSSL_clear_free(c, sizeof(*c));
}

/* A field into the HMAC: its length (8 bytes, big-endian), its bytes. */
static int mac_field(EVP_MAC_CTX *m, const void *p, size_t len)
{
	uint8_t l[8];
	uint64_t v = len;
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		l[i] = (uint8_t)v;
	return EVP_MAC_update(m, l, sizeof(l)) == 1 &&
	       (!len || EVP_MAC_update(m, p, len) == 1) ? 0 : -1;
}

static int mac_str(EVP_MAC_CTX *m, const char *s)
{
	s = s ? s : "";
	return mac_field(m, s, strlen(s));
}

int kd_client_cache_key(const struct kd_client_cache *c,
			struct kd_client_key *k, const char *profile,
			const char *server_name, const char *peer,
			const uint8_t *alpn, size_t alpn_len, uint32_t uid)
{
	static const char domain[] = "ktlsod client cache key 1";
	const uint8_t u[4] = {
		(uint8_t)(uid >> 24), (uint8_t)(uid >> 16),
		(uint8_t)(uid >> 8), (uint8_t)uid,
	};
	EVP_MAC_CTX *m = EVP_MAC_CTX_dup(c->mac);
	size_t len = 0;
	int ok;

	if (!alpn)
		alpn_len = 0;
	ok = m && !mac_field(m, domain, sizeof(domain) - 1) &&
	     !mac_str(m, profile) && !mac_str(m, server_name) &&
	     !mac_str(m, peer) && !mac_field(m, alpn, alpn_len) &&
	     !mac_field(m, u, sizeof(u)) &&
	     EVP_MAC_final(m, k->d, &len, sizeof(k->d)) == 1 &&
	     len == sizeof(k->d);
	EVP_MAC_CTX_free(m);
	if (ok)
		return 0;
	/* A key nothing else has. */
	if (RAND_bytes(k->d, sizeof(k->d)) != 1)
		memset(k->d, 0xa5, sizeof(k->d));
	return -ENOMEM;
}

static size_t bucket_of(const struct kd_client_cache *c,
			const struct kd_client_key *k)
{
	uint64_t h = 0;
	int i;

	for (i = 0; i < 8; i++)
		h = h << 8 | k->d[i];
	return (size_t)(h & c->mask);
}

static struct node **find(struct kd_client_cache *c,
			  const struct kd_client_key *k)
{
	struct node **p = &c->bucket[bucket_of(c, k)];

	while (*p && CRYPTO_memcmp((*p)->key.d, k->d, sizeof(k->d)))
		p = &(*p)->next;
	return p;
}

/*
 * Take @e off the cache's list and its node's tickets; the node goes
 * when it has none left, unless it is @keep. @e is not freed.
 */
static void unlink_entry(struct kd_client_cache *c, struct entry *e,
			 struct node *keep)
{
	struct node *nd = e->node, **p;
	unsigned int i;

	kd_list_del(&e->age);
	c->n.tickets--;

	for (i = 0; i < nd->n && nd->t[i] != e; i++)
		;
	for (; i + 1 < nd->n; i++)
		nd->t[i] = nd->t[i + 1];
	nd->t[--nd->n] = NULL;
	e->node = NULL;
	if (nd->n || nd == keep)
		return;
	p = find(c, &nd->key);
	*p = nd->next;
	OPENSSL_clear_free(nd, sizeof(*nd));
}

void kd_client_cache_flush(struct kd_client_cache *c)
{
	struct entry *e;

	pthread_mutex_lock(&c->lock);
	while ((e = kd_list_first_entry(&c->by_age, struct entry, age))) {
		unlink_entry(c, e, NULL);
		entry_free(e);
		c->n.flushed++;
	}
	pthread_mutex_unlock(&c->lock);
}

static bool ticket_ok(const struct ktlso_client_ticket *t)
{
	return memchr(t->server_name, 0, sizeof(t->server_name)) &&
	       memchr(t->alpn, 0, sizeof(t->alpn)) &&
	       memchr(t->peer_identity, 0, sizeof(t->peer_identity)) &&
	       t->lifetime > 0 && t->lifetime <= KTLSO_TICKET_LIFETIME_MAX;
}

int kd_client_cache_put(struct kd_client_cache *c,
			const struct kd_client_key *k,
			const struct ktlso_client_ticket *t)
{
	uint8_t buf[ENC_MAX];
	struct entry *e;
	struct node **p, *nd;
	size_t len = 0;

	if (!ticket_ok(t) ||
	    ktlso_client_ticket_encode(t, buf, sizeof(buf), &len))
		return -EINVAL;
	e = malloc(sizeof(*e) + len);
	if (!e) {
		OPENSSL_cleanse(buf, len);
		return -ENOMEM;
	}
	memset(e, 0, sizeof(*e));
	e->received_ms = t->received_ms;
	e->lifetime = t->lifetime;
	e->len = len;
	memcpy(e->enc, buf, len);
	OPENSSL_cleanse(buf, len);

	pthread_mutex_lock(&c->lock);
	p = find(c, k);
	nd = *p;
	if (!nd) {
		nd = calloc(1, sizeof(*nd));
		if (!nd) {
			pthread_mutex_unlock(&c->lock);
			entry_free(e);
			return -ENOMEM;
		}
		nd->key = *k;
		*p = nd;
	}
	if (nd->n == KD_CLIENT_TICKETS_PER_KEY) {
		struct entry *old = nd->t[0];

		unlink_entry(c, old, nd);
		entry_free(old);
		c->n.evicted++;
	} else if (c->n.tickets >= c->max) {
		struct entry *old = kd_list_first_entry(&c->by_age,
							struct entry, age);

		unlink_entry(c, old, nd);
		entry_free(old);
		c->n.evicted++;
	}
	e->node = nd;
	nd->t[nd->n++] = e;
	kd_list_add_tail(&e->age, &c->by_age);
	c->n.tickets++;
	c->n.stored++;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static bool expired(const struct entry *e, uint64_t now_ms)
{
	return now_ms < e->received_ms ||
	       now_ms - e->received_ms >= (uint64_t)e->lifetime * 1000;
}

int kd_client_cache_take(struct kd_client_cache *c,
			 const struct kd_client_key *k, uint64_t now_ms,
			 struct ktlso_client_ticket *t)
{
	struct node *nd;
	struct entry *e;
	int ret = -ENOENT;

	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&c->lock);
	nd = *find(c, k);
	while (nd && nd->n && ret) {
		e = nd->t[nd->n - 1];
		unlink_entry(c, e, nd);
		if (expired(e, now_ms))
			c->n.expired++;
		else if (ktlso_client_ticket_decode(t, e->enc, e->len) == 0)
			ret = 0;
		/* else: cannot be (put encoded it); dropped as it is. */
		entry_free(e);
	}
	if (nd && !nd->n) {
		struct node **p = find(c, k);

		*p = nd->next;
		OPENSSL_clear_free(nd, sizeof(*nd));
	}
	if (ret)
		c->n.missed++;
	else
		c->n.taken++;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

void kd_client_cache_counts(const struct kd_client_cache *c,
			    struct kd_client_cache_counts *n)
{
	struct kd_client_cache *w = (struct kd_client_cache *)c;

	pthread_mutex_lock(&w->lock);
	*n = c->n;
	pthread_mutex_unlock(&w->lock);
}
