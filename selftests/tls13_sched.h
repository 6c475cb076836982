/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer's view of a TLS 1.3 key schedule (RFC 8446 7.1-7.3): the
 * application traffic secret of one direction, its next generations and
 * their keys, derived with the engine's key schedule; the secret argument
 * of KTLSO_TX_SECRET / KTLSO_RX_SECRET; and the module parameter
 * tx_key_records, after which the kernel sends a KeyUpdate of its own.
 * For key_update and faults.
 */
#ifndef TLS13_SCHED_H
#define TLS13_SCHED_H

#include <sys/random.h>

#include "tls_common.h"

#include "engine/keysched.h"

#define PARAM_TX_KEY_RECORDS	"/sys/module/ktlso/parameters/tx_key_records"
#define HT_KEY_UPDATE		24

/*
 * The application traffic secret of one direction, its generation (0: the
 * keys first installed) and the peer's record protection under it: sealing
 * for what the kernel receives, opening for what it sends.
 */
struct sched {
	const struct ktlso_suite *suite;
	uint16_t cipher;		/* TLS_CIPHER_* */
	uint16_t hash;			/* the uAPI's enum ktlso_hash */
	size_t len;			/* the hash's length, the secret's */
	uint8_t secret[KTLSO_SECRET_MAX];
	uint64_t gen;
	bool encrypt;
	bool ready;
	struct ktlso_record_protection rp;
};

/* Key the peer's record protection for @s's secret, first record @seq. */
static inline int sched_start(struct sched *s, uint64_t seq)
{
	struct ktlso_traffic_keys tk;
	int err;

	if (s->ready)
		ktlso_record_clear(&s->rp);
	s->ready = false;
	err = ktlso_tls13_traffic_keys(s->suite, s->secret, &tk);
	if (!err)
		err = ktlso_record_init(&s->rp, TLS_1_3_VERSION, s->suite->id,
					&tk, seq, s->encrypt);
	ktlso_traffic_keys_clear(&tk);
	s->ready = !err;
	return err;
}

/*
 * A random secret of IANA cipher suite @suite (kernel cipher @cipher, uAPI
 * hash @hash), keyed for sealing (@encrypt) or opening from record @seq.
 */
static inline int sched_init_random(struct sched *s, uint16_t suite,
				    uint16_t cipher, uint16_t hash,
				    bool encrypt, uint64_t seq)
{
	memset(s, 0, sizeof(*s));
	s->suite = ktlso_suite_find(suite);
	if (!s->suite)
		return -ENOENT;
	s->cipher = cipher;
	s->hash = hash;
	s->len = ktlso_hash_len(s->suite->hash);
	if (getrandom(s->secret, s->len, 0) != (ssize_t)s->len)
		return -EIO;
	s->encrypt = encrypt;
	return sched_start(s, seq);
}

/* application_traffic_secret_N+1 of @secret (RFC 8446 7.2). */
static inline int next_secret(const struct sched *s, const uint8_t *secret,
			      uint8_t *next)
{
	return ktlso_hkdf_expand_label(s->suite->hash, secret, "traffic upd",
				       NULL, 0, next, s->len);
}

/* The KeyUpdate: the next secret, its keys, sequence numbers from 0. */
static inline int sched_next(struct sched *s)
{
	uint8_t next[KTLSO_SECRET_MAX];
	int err;

	err = next_secret(s, s->secret, next);
	memcpy(s->secret, next, s->len);
	explicit_bzero(next, sizeof(next));
	s->gen++;
	return err ?: sched_start(s, 0);
}

static inline void sched_clear(struct sched *s)
{
	if (s->ready)
		ktlso_record_clear(&s->rp);
	s->ready = false;
	explicit_bzero(s->secret, sizeof(s->secret));
}

/* The TLS_TX / TLS_RX argument for @secret of @s's suite, first record @seq. */
static inline void keys_of_secret(struct __test_metadata *_metadata,
				  const struct sched *s, const uint8_t *secret,
				  uint64_t seq, struct tls_keys *k)
{
	struct ktlso_traffic_keys tk;

	ASSERT_EQ(0, ktlso_tls13_traffic_keys(s->suite, secret, &tk));
	keys_init(k, TLS_1_3_VERSION, s->cipher, s->suite->id, seq);
	ASSERT_NE(NULL, k->c);
	ASSERT_EQ(k->c->key_len, tk.key_len);
	ASSERT_EQ(k->c->salt_len + k->c->iv_len, tk.iv_len);
	memcpy(ci_key(k), tk.key, tk.key_len);
	/* The 12-byte IV is salt || iv in crypto_info. */
	memcpy(ci_salt(k), tk.iv, k->c->salt_len);
	memcpy(ci_iv(k), tk.iv + k->c->salt_len, k->c->iv_len);
	ktlso_traffic_keys_clear(&tk);
}

/* The struct the kernel takes for @secret of @s's suite. */
static inline struct ktlso_traffic_secret secret_arg(const struct sched *s,
						     const uint8_t *secret)
{
	struct ktlso_traffic_secret ts = {
		.hash = s->hash,
		.secret_len = s->len,
	};

	memcpy(ts.secret, secret, s->len);
	return ts;
}

/* tx_key_records, or -1. */
static inline long param_read(void)
{
	return ktlso_read_long(PARAM_TX_KEY_RECORDS);
}

static inline int param_write(unsigned long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu\n", v);
	return ktlso_write_str(PARAM_TX_KEY_RECORDS, buf);
}

#endif /* TLS13_SCHED_H */
