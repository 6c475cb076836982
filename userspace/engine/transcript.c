// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake transcript hash. See transcript.h.
 */
#include "engine/transcript.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "engine/alert.h"
#include "engine/msg.h"

void ktlso_transcript_init(struct ktlso_transcript *t)
{
	memset(t, 0, sizeof(*t));
}

void ktlso_transcript_free(struct ktlso_transcript *t)
{
	EVP_MD_CTX_free(t->ctx);
	if (t->pending)
		OPENSSL_clear_free(t->pending, t->pending_len);
	memset(t, 0, sizeof(*t));
}

bool ktlso_transcript_started(const struct ktlso_transcript *t)
{
	return t->ctx != NULL;
}

/*
 * The transcript hashes, fetched once per process (a fetch by name is a
 * method-store lookup under a lock). Immutable and shared by every
 * thread; a failed fetch is retried by name at each use.
 */
static EVP_MD *mds[KTLSO_MD_SHA384 + 1];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void mds_fetch(void)
{
	unsigned int h;

	for (h = KTLSO_MD_SHA256; h <= KTLSO_MD_SHA384; h++)
		mds[h] = EVP_MD_fetch(NULL, ktlso_hash_name(h), NULL);
	ERR_clear_error();
}

static int md_init(struct ktlso_transcript *t)
{
	EVP_MD *fetched = NULL;
	const EVP_MD *md = NULL;
	int ok;

	pthread_once(&mds_once, mds_fetch);
	if ((unsigned int)t->hash < sizeof(mds) / sizeof(mds[0]))
		md = mds[t->hash];
	if (!md)
		md = fetched = EVP_MD_fetch(NULL, ktlso_hash_name(t->hash),
					    NULL);
	if (!md)
		return -KTLSO_ERROR_CRYPTO;
	ok = EVP_DigestInit_ex2(t->ctx, md, NULL);
	EVP_MD_free(fetched);
	return ok ? 0 : -KTLSO_ERROR_CRYPTO;
}

int ktlso_transcript_start(struct ktlso_transcript *t, enum ktlso_md hash)
{
	int ret;

	if (t->ctx)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	t->ctx = EVP_MD_CTX_new();
	if (!t->ctx)
		return -KTLSO_ERROR_NO_MEMORY;
	t->hash = hash;
	ret = md_init(t);
	if (ret == 0 && t->pending_len &&
	    !EVP_DigestUpdate(t->ctx, t->pending, t->pending_len))
		ret = -KTLSO_ERROR_CRYPTO;
	if (t->pending)
		OPENSSL_clear_free(t->pending, t->pending_len);
	t->pending = NULL;
	t->pending_len = 0;
	if (ret) {
		EVP_MD_CTX_free(t->ctx);
		t->ctx = NULL;
	}
	return ret;
}

int ktlso_transcript_add(struct ktlso_transcript *t, const uint8_t *msg,
			 size_t len)
{
	uint8_t *grown;

	if (t->ctx && !EVP_DigestUpdate(t->ctx, msg, len))
		return -KTLSO_ERROR_CRYPTO;
	if (t->ctx)
		return 0;
	if (len > SIZE_MAX - t->pending_len)
		return -KTLSO_ERROR_NO_MEMORY;
	grown = malloc(t->pending_len + len);
	if (!grown)
		return -KTLSO_ERROR_NO_MEMORY;
	if (t->pending_len)
		memcpy(grown, t->pending, t->pending_len);
	memcpy(grown + t->pending_len, msg, len);
	if (t->pending)
		OPENSSL_clear_free(t->pending, t->pending_len);
	t->pending = grown;
	t->pending_len += len;
	return 0;
}

int ktlso_transcript_hash(const struct ktlso_transcript *t, uint8_t *out)
{
	EVP_MD_CTX *copy;
	int ok;

	if (!t->ctx)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	copy = EVP_MD_CTX_new();
	if (!copy)
		return -KTLSO_ERROR_NO_MEMORY;
	ok = EVP_MD_CTX_copy_ex(copy, t->ctx) &&
	     EVP_DigestFinal_ex(copy, out, NULL);
	EVP_MD_CTX_free(copy);
	return ok ? 0 : -KTLSO_ERROR_CRYPTO;
}

int ktlso_transcript_hash_with(const struct ktlso_transcript *t,
			       enum ktlso_md hash, const uint8_t *extra,
			       size_t len, uint8_t *out)
{
	struct ktlso_transcript copy = { 0 };
	int ret;

	if (!t->ctx) {
		/* Not started: hash what it holds, then @extra, with @hash. */
		ret = ktlso_transcript_start(&copy, hash);
		if (ret == 0 && t->pending_len)
			ret = ktlso_transcript_add(&copy, t->pending,
						   t->pending_len);
	} else {
		copy.hash = t->hash;
		copy.ctx = EVP_MD_CTX_new();
		ret = copy.ctx && EVP_MD_CTX_copy_ex(copy.ctx, t->ctx) ? 0 :
		      -KTLSO_ERROR_CRYPTO;
	}
	if (ret == 0)
		ret = ktlso_transcript_add(&copy, extra, len);
	if (ret == 0)
		ret = ktlso_transcript_hash(&copy, out);
	ktlso_transcript_free(&copy);
	return ret;
}

int ktlso_transcript_hrr(struct ktlso_transcript *t)
{
	uint8_t msg[KTLSO_HS_HEADER_LEN + KTLSO_MAX_HASH_LEN];
	size_t hlen = ktlso_hash_len(t->hash);
	int ret;

	ret = ktlso_transcript_hash(t, msg + KTLSO_HS_HEADER_LEN);
	if (ret)
		return ret;
	msg[0] = KTLSO_HS_MESSAGE_HASH;
	msg[1] = 0;
	msg[2] = 0;
	msg[3] = (uint8_t)hlen;
	ret = md_init(t);
	if (ret == 0)
		ret = ktlso_transcript_add(t, msg, KTLSO_HS_HEADER_LEN + hlen);
	return ret;
}
