// SPDX-License-Identifier: GPL-2.0
/*
 * Session ticket keys and sealing. See ticket.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "engine/alert.h"
#include "engine/ticket.h"

struct slot {
	struct ktlso_ticket_key key;
	uint64_t seals;
};

struct ktlso_ticket_keys {
	pthread_mutex_t lock;
	EVP_CIPHER *cipher;		/* AES-256-GCM, fetched once */
	unsigned int keep;
	/* keys[0] seals; keys[1..n) open only, newest first. */
	struct slot keys[KTLSO_TICKET_INSTALL_MAX];
	size_t n;
};

int ktlso_ticket_keys_new(struct ktlso_ticket_keys **kp, unsigned int keep)
{
	struct ktlso_ticket_keys *k;

	*kp = NULL;
	if (keep > KTLSO_TICKET_KEEP_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	k = OPENSSL_zalloc(sizeof(*k));
	if (!k)
		return -KTLSO_ERROR_NO_MEMORY;
	k->keep = keep;
	k->cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	if (!k->cipher || pthread_mutex_init(&k->lock, NULL)) {
		EVP_CIPHER_free(k->cipher);
		OPENSSL_free(k);
		return -KTLSO_ERROR_CRYPTO;
	}
	*kp = k;
	return 0;
}

void ktlso_ticket_keys_free(struct ktlso_ticket_keys *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	EVP_CIPHER_free(k->cipher);
	OPENSSL_clear_free(k, sizeof(*k));
}

/* The slot of the key named @name; k->n when none is. Under k->lock. */
static size_t key_index(const struct ktlso_ticket_keys *k, const uint8_t *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!memcmp(k->keys[i].key.name, name,
			    KTLSO_TICKET_KEY_NAME_LEN))
			break;
	return i;
}

int ktlso_ticket_keys_rotate(struct ktlso_ticket_keys *k,
			     const struct ktlso_ticket_key *key)
{
	struct ktlso_ticket_key fresh;
	int ret = 0;

	if (key) {
		fresh = *key;
	} else if (RAND_bytes(fresh.name, sizeof(fresh.name)) != 1 ||
		   RAND_priv_bytes(fresh.secret, sizeof(fresh.secret)) != 1) {
		OPENSSL_cleanse(&fresh, sizeof(fresh));
		return -KTLSO_ERROR_CRYPTO;
	}
	pthread_mutex_lock(&k->lock);
	if (key_index(k, fresh.name) < k->n) {
		ret = -KTLSO_ERROR_INVALID_ARGUMENT;
		goto out;
	}
	/* The oldest beyond @keep go (more after an install); rest move. */
	while (k->n >= k->keep + 1) {
		OPENSSL_cleanse(&k->keys[k->n - 1], sizeof(k->keys[0]));
		k->n--;
	}
	memmove(&k->keys[1], &k->keys[0], k->n * sizeof(k->keys[0]));
	k->keys[0].key = fresh;
	k->keys[0].seals = 0;
	k->n++;
out:
	pthread_mutex_unlock(&k->lock);
	OPENSSL_cleanse(&fresh, sizeof(fresh));
	return ret;
}

int ktlso_ticket_keys_install(struct ktlso_ticket_keys *k,
			      const struct ktlso_ticket_key *keys, size_t n)
{
	struct slot *fresh;
	size_t i, j;

	if (!n || n > KTLSO_TICKET_INSTALL_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (!memcmp(keys[i].name, keys[j].name,
				    KTLSO_TICKET_KEY_NAME_LEN))
				return -KTLSO_ERROR_INVALID_ARGUMENT;
	fresh = OPENSSL_zalloc(n * sizeof(*fresh));
	if (!fresh)
		return -KTLSO_ERROR_NO_MEMORY;
	pthread_mutex_lock(&k->lock);
	for (i = 0; i < n; i++) {
		fresh[i].key = keys[i];
		/* A key already here keeps its count of tickets sealed. */
		j = key_index(k, keys[i].name);
		if (j < k->n)
			fresh[i].seals = k->keys[j].seals;
	}
	OPENSSL_cleanse(k->keys, sizeof(k->keys));
	memcpy(k->keys, fresh, n * sizeof(*fresh));
	k->n = n;
	pthread_mutex_unlock(&k->lock);
	OPENSSL_clear_free(fresh, n * sizeof(*fresh));
	return 0;
}

int ktlso_ticket_keys_set_keep(struct ktlso_ticket_keys *k, unsigned int keep)
{
	if (keep > KTLSO_TICKET_KEEP_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	pthread_mutex_lock(&k->lock);
	k->keep = keep;
	while (k->n > keep + 1)
		OPENSSL_cleanse(&k->keys[--k->n], sizeof(k->keys[0]));
	pthread_mutex_unlock(&k->lock);
	return 0;
}

/* One AES-256-GCM operation; 0 or 1 (open: the tag does not verify). */
static int gcm(const EVP_CIPHER *cipher, bool seal, const uint8_t *secret,
	       const uint8_t *nonce, const uint8_t *name, const uint8_t *ctx,
	       size_t ctx_len, const uint8_t *in, size_t len, uint8_t *out,
	       uint8_t *tag)
{
	uint8_t ctx_len8 = (uint8_t)ctx_len;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ret = -KTLSO_ERROR_CRYPTO;

	if (!c)
		return -KTLSO_ERROR_NO_MEMORY;
	if (EVP_CipherInit_ex2(c, cipher, secret, nonce, seal, NULL) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, name,
			     KTLSO_TICKET_KEY_NAME_LEN) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, &ctx_len8, 1) != 1 ||
	    (ctx_len && EVP_CipherUpdate(c, NULL, &n, ctx, (int)ctx_len) != 1) ||
	    EVP_CipherUpdate(c, out, &n, in, (int)len) != 1)
		goto out;
	if (!seal && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
					 KTLSO_TICKET_TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + n, &n) != 1) {
		ret = seal ? -KTLSO_ERROR_CRYPTO : 1;
		goto out;
	}
	if (seal && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
					KTLSO_TICKET_TAG_LEN, tag) != 1)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return ret;
}

int ktlso_ticket_seal(struct ktlso_ticket_keys *k, const uint8_t *ctx,
		      size_t ctx_len, const uint8_t *in, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t *nonce = out + KTLSO_TICKET_KEY_NAME_LEN;
	uint8_t *body = nonce + KTLSO_TICKET_NONCE_LEN;
	struct ktlso_ticket_key key;
	int ret;

	*out_len = 0;
	if (ctx_len > KTLSO_TICKET_CONTEXT_MAX || len > INT32_MAX ||
	    cap < len + KTLSO_TICKET_OVERHEAD)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	pthread_mutex_lock(&k->lock);
	if (!k->n || k->keys[0].seals >= KTLSO_TICKET_SEALS_MAX) {
		pthread_mutex_unlock(&k->lock);
		return 1;
	}
	k->keys[0].seals++;
	key = k->keys[0].key;
	pthread_mutex_unlock(&k->lock);

	memcpy(out, key.name, KTLSO_TICKET_KEY_NAME_LEN);
	ret = RAND_bytes(nonce, KTLSO_TICKET_NONCE_LEN) == 1 ? 0 :
	      -KTLSO_ERROR_CRYPTO;
	if (ret == 0)
		ret = gcm(k->cipher, true, key.secret, nonce, key.name, ctx,
			  ctx_len, in, len, body, body + len);
	OPENSSL_cleanse(&key, sizeof(key));
	if (ret) {
		OPENSSL_cleanse(out, cap);
		return ret;
	}
	*out_len = len + KTLSO_TICKET_OVERHEAD;
	return 0;
}

int ktlso_ticket_open(struct ktlso_ticket_keys *k, const uint8_t *ctx,
		      size_t ctx_len, const uint8_t *ticket, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	const uint8_t *nonce = ticket + KTLSO_TICKET_KEY_NAME_LEN;
	const uint8_t *body = nonce + KTLSO_TICKET_NONCE_LEN;
	uint8_t tag[KTLSO_TICKET_TAG_LEN];
	struct ktlso_ticket_key key;
	size_t i, body_len;
	int ret;

	*out_len = 0;
	if (ctx_len > KTLSO_TICKET_CONTEXT_MAX)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	if (len <= KTLSO_TICKET_OVERHEAD || len > INT32_MAX)
		return 1;
	body_len = len - KTLSO_TICKET_OVERHEAD;
	if (cap < body_len)
		return -KTLSO_ERROR_NO_SPACE;
	pthread_mutex_lock(&k->lock);
	i = key_index(k, ticket);
	if (i == k->n) {
		pthread_mutex_unlock(&k->lock);
		return 1;
	}
	key = k->keys[i].key;
	pthread_mutex_unlock(&k->lock);

	memcpy(tag, body + body_len, sizeof(tag));
	ret = gcm(k->cipher, false, key.secret, nonce, key.name, ctx, ctx_len,
		  body, body_len, out, tag);
	OPENSSL_cleanse(&key, sizeof(key));
	if (ret) {
		OPENSSL_cleanse(out, body_len);
		return ret;
	}
	*out_len = body_len;
	return 0;
}
