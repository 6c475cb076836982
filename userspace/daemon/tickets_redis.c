// SPDX-License-Identifier: GPL-2.0
/*
 * A fleet's ticket keys through Redis (hiredis). See tickets_redis.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "daemon/log.h"
#include "daemon/tickets_redis.h"
#include "engine/alert.h"

#define KEY_LEN (KTLSO_TICKET_KEY_NAME_LEN + KTLSO_TICKET_SECRET_LEN)
#define TIMEOUT_MS 1000
/* PREFIX:E, E a 64-bit decimal */
#define NAME_MAX_LEN (KD_REDIS_PREFIX_MAX + 1 + 20 + 1)

struct conn {
	redisContext *ctx;
	char why[160];			/* the last failure */
};

/* Note why (@what, and @detail when not NULL), drop the connection: -1. */
static int fail(struct conn *cn, const char *what, const char *detail)
{
	snprintf(cn->why, sizeof(cn->why), "%s%s%.64s", what,
		 detail ? ": " : "", detail ? detail : "");
	if (cn->ctx) {
		redisFree(cn->ctx);
		cn->ctx = NULL;
	}
	return -1;
}

/* A reply that is an error, or none (the connection failed). */
static int reply_failed(struct conn *cn, redisReply *rep, const char *what)
{
	if (!rep)
		return fail(cn, what, cn->ctx && cn->ctx->errstr[0] ?
			    cn->ctx->errstr : "no reply");
	if (rep->type != REDIS_REPLY_ERROR)
		return 0;
	fail(cn, what, rep->str);
	freeReplyObject(rep);
	return -1;
}

static int connect_auth(struct conn *cn, const struct kd_redis_conf *c)
{
	const struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000 };
	redisReply *rep;

	if (cn->ctx)
		return 0;
	cn->ctx = redisConnectWithTimeout(c->host, (int)c->port, tv);
	if (!cn->ctx)
		return fail(cn, "out of memory", NULL);
	if (cn->ctx->err)
		return fail(cn, cn->ctx->errstr, NULL);
	if (redisSetTimeout(cn->ctx, tv) != REDIS_OK)
		return fail(cn, "cannot set a timeout", NULL);
	if (!c->password[0])
		return 0;
	rep = c->user[0] ?
	      redisCommand(cn->ctx, "AUTH %s %s", c->user, c->password) :
	      redisCommand(cn->ctx, "AUTH %s", c->password);
	if (reply_failed(cn, rep, "AUTH"))
		return -1;
	freeReplyObject(rep);
	return 0;
}

static void key_name(char *out, const struct kd_redis_conf *c, int64_t epoch)
{
	snprintf(out, NAME_MAX_LEN, "%s:%" PRId64, c->prefix, epoch);
}

/* Epoch @e's key, made now unless someone made it first. */
static int create(struct conn *cn, const struct kd_redis_conf *c, int64_t e,
		  unsigned int ttl_s)
{
	uint8_t key[KEY_LEN];
	char name[NAME_MAX_LEN];
	redisReply *rep;

	if (RAND_bytes(key, KTLSO_TICKET_KEY_NAME_LEN) != 1 ||
	    RAND_priv_bytes(key + KTLSO_TICKET_KEY_NAME_LEN,
			    KTLSO_TICKET_SECRET_LEN) != 1)
		return fail(cn, "no random key", NULL);
	key_name(name, c, e);
	rep = redisCommand(cn->ctx, "SET %s %b NX EX %u", name, key,
			   sizeof(key), ttl_s);
	OPENSSL_cleanse(key, sizeof(key));
	if (reply_failed(cn, rep, "SET"))
		return -1;
	freeReplyObject(rep);
	return 0;
}

/*
 * E+1, E, E-1 ... E-@keep in one MGET, into @out: E's first (it seals),
 * then the rest present. Return: how many, or -1.
 */
static int fetch(struct conn *cn, const struct kd_redis_conf *c, int64_t e,
		 unsigned int keep, struct ktlso_ticket_key *out)
{
	char names[KTLSO_TICKET_KEEP_MAX + 3][NAME_MAX_LEN];
	const char *argv[KTLSO_TICKET_KEEP_MAX + 3];
	size_t argl[KTLSO_TICKET_KEEP_MAX + 3], i, argc = 0;
	redisReply *rep, *el;
	int n = 1;

	argv[argc] = "MGET";
	argl[argc++] = 4;
	for (i = 0; i <= keep + 1; i++) {
		key_name(names[i], c, e + 1 - (int64_t)i);
		argv[argc] = names[i];
		argl[argc++] = strlen(names[i]);
	}
	rep = redisCommandArgv(cn->ctx, (int)argc, argv, argl);
	if (reply_failed(cn, rep, "MGET"))
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != argc - 1) {
		freeReplyObject(rep);
		return fail(cn, "MGET: not the array asked for", NULL);
	}
	for (i = 0; i < rep->elements; i++) {
		el = rep->element[i];
		if (el->type == REDIS_REPLY_NIL)
			continue;
		if (el->type != REDIS_REPLY_STRING || el->len != KEY_LEN) {
			freeReplyObject(rep);
			return fail(cn, "a key in Redis is not 48 bytes", NULL);
		}
		/* i == 1 is E: first; the others after it, newest first. */
		memcpy(&out[i == 1 ? 0 : n++], el->str, KEY_LEN);
	}
	if (rep->element[1]->type == REDIS_REPLY_NIL) {
		freeReplyObject(rep);
		OPENSSL_cleanse(out, sizeof(*out) * KTLSO_TICKET_INSTALL_MAX);
		return fail(cn, "the current key vanished", NULL);
	}
	freeReplyObject(rep);
	return n;
}

/* One exchange for epoch @e: 0 with the keys installed, or -1. */
static int sync_keys(struct kd_tickets_redis *r, struct conn *cn, int64_t e,
		     unsigned int rotation_s, unsigned int keep)
{
	struct ktlso_ticket_key keys[KTLSO_TICKET_INSTALL_MAX];
	unsigned int ttl = (keep + 3) * rotation_s;
	int n, ret;

	if (connect_auth(cn, &r->conf) || create(cn, &r->conf, e, ttl) ||
	    create(cn, &r->conf, e + 1, ttl))
		return -1;
	n = fetch(cn, &r->conf, e, keep, keys);
	if (n < 0)
		return -1;
	ret = ktlso_ticket_keys_install(r->keys, keys, (size_t)n);
	OPENSSL_cleanse(keys, sizeof(keys));
	if (ret)
		return fail(cn, "cannot install the keys",
			    ktlso_error_name(ret));
	return 0;
}

static int64_t epoch_of(time_t now, unsigned int rotation_s)
{
	return (int64_t)now / rotation_s;
}

static void *run(void *arg)
{
	struct kd_tickets_redis *r = arg;
	struct conn cn = { 0 };
	struct timespec until;
	unsigned int rotation_s, keep;
	int64_t e;
	time_t now, next;
	int ret;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		rotation_s = r->rotation_s;
		keep = r->keep;
		pthread_mutex_unlock(&r->lock);

		now = time(NULL);
		e = epoch_of(now, rotation_s);
		ret = sync_keys(r, &cn, e, rotation_s, keep);

		pthread_mutex_lock(&r->lock);
		if (ret == 0) {
			if (!r->shared)
				kd_log(KD_LOG_INFO,
				       "ticket keys: shared through redis %s:%u/%s (epoch %" PRId64 "; %" PRIu64 " attempts failed so far)",
				       r->conf.host, r->conf.port,
				       r->conf.prefix, e, r->failures);
			r->syncs++;
			r->epoch = e;
			r->shared = true;
		} else {
			if (r->shared || !r->failures)
				kd_log(KD_LOG_WARNING,
				       "redis %s:%u: %s; handshakes go on with the keys held, retried every %d s",
				       r->conf.host, r->conf.port, cn.why,
				       KD_REDIS_RETRY_S);
			r->failures++;
			r->shared = false;
			/* Keys still rotate: a local one seals this epoch. */
			if (r->epoch < e &&
			    ktlso_ticket_keys_rotate(r->keys, NULL) == 0) {
				r->epoch = e;
				kd_log(KD_LOG_INFO,
				       "ticket keys: a local key for epoch %" PRId64 " (its tickets resume only here)",
				       e);
			}
		}
		/* Next: a retry, a refresh, or a second into the next epoch. */
		next = (time_t)((e + 1) * (int64_t)rotation_s - now) + 1;
		if (next > KD_REDIS_REFRESH_S)
			next = KD_REDIS_REFRESH_S;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += ret ? KD_REDIS_RETRY_S : next;
		while (!r->stop && !r->kick &&
		       pthread_cond_timedwait(&r->wake, &r->lock,
					      &until) != ETIMEDOUT)
			;
		r->kick = false;
	}
	pthread_mutex_unlock(&r->lock);
	if (cn.ctx)
		redisFree(cn.ctx);
	return NULL;
}

int kd_tickets_redis_start(struct kd_tickets_redis *r,
			   struct ktlso_ticket_keys *keys,
			   const struct kd_redis_conf *conf,
			   unsigned int rotation_s, unsigned int keep)
{
	pthread_condattr_t attr;
	int ret;

	memset(r, 0, sizeof(*r));
	r->keys = keys;
	r->conf = *conf;
	r->epoch = -1;
	r->rotation_s = rotation_s;
	r->keep = keep;
	ret = pthread_mutex_init(&r->lock, NULL);
	if (ret)
		goto fail;
	ret = pthread_condattr_init(&attr);
	if (ret == 0)
		ret = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (ret == 0)
		ret = pthread_cond_init(&r->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (ret) {
		pthread_mutex_destroy(&r->lock);
		goto fail;
	}
	ret = pthread_create(&r->thread, NULL, run, r);
	if (ret) {
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		goto fail;
	}
	r->running = true;
	return 0;
fail:
	kd_log(KD_LOG_ERROR, "ticket keys through redis: %s", strerror(ret));
	OPENSSL_cleanse(&r->conf, sizeof(r->conf));
	return -ret;
}

void kd_tickets_redis_configure(struct kd_tickets_redis *r,
				unsigned int rotation_s, unsigned int keep)
{
	if (!r->running)
		return;
	pthread_mutex_lock(&r->lock);
	if (r->rotation_s != rotation_s || r->keep != keep) {
		r->rotation_s = rotation_s;
		r->keep = keep;
		r->kick = true;
		pthread_cond_signal(&r->wake);
	}
	pthread_mutex_unlock(&r->lock);
}

void kd_tickets_redis_stop(struct kd_tickets_redis *r)
{
	if (!r->running)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	kd_log(KD_LOG_INFO, "ticket keys through redis: %" PRIu64 " exchanges, %" PRIu64 " failed",
	       r->syncs, r->failures);
	OPENSSL_cleanse(&r->conf, sizeof(r->conf));
	r->running = false;
}
