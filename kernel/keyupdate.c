// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: TLS 1.3 key updates run by the kernel (RFC 8446 4.6.3, 7.2, 7.3).
 *
 * A direction whose application traffic secret was installed
 * (KTLSO_TX_SECRET, KTLSO_RX_SECRET) derives its own next keys:
 *
 *	secret' = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)
 *	key     = HKDF-Expand-Label(secret', "key", "", key_length)
 *	iv      = HKDF-Expand-Label(secret', "iv", "", iv_length)
 *
 * with the sequence number starting again at 0.  Every output is at most
 * one hash long, so HKDF-Expand is one HMAC: T(1) = HMAC(PRK, info || 1).
 * The HMAC is the kernel crypto API's hmac(sha256), hmac(sha384) or
 * hmac(sm3), allocated when the secret is installed, so that an update
 * needs no allocation of its own for the secret (the new AEAD still does,
 * see ktlso_crypto_prepare()).
 *
 * Secrets are never readable back; they are wiped when replaced and when
 * the socket closes.  The sealing of KeyUpdate messages lives in tx.c, and
 * their parsing in rx.c; this file holds the key schedule, the limits, and
 * the socket options around them.
 */

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <linux/uaccess.h>
#include <net/tls.h>

#include "ktlso.h"

static unsigned long tx_key_records;
module_param(tx_key_records, ulong, 0644);
MODULE_PARM_DESC(tx_key_records,
		 "Records a TLS 1.3 transmit key may seal, its KeyUpdate included, before the kernel updates it; 0 (default) takes the cipher's own bound (2^24.5 for GCM); at least 2");

/* The HMAC behind each enum ktlso_hash, and its output length. */
static const struct {
	const char *hmac;
	u8 len;
} ktlso_hashes[] = {
	[KTLSO_HASH_SHA256] = { "hmac(sha256)", 32 },
	[KTLSO_HASH_SHA384] = { "hmac(sha384)", 48 },
	[KTLSO_HASH_SM3] = { "hmac(sm3)", 32 },
};

/* "tls13 " and the longest label this file uses. */
#define KTLSO_LABEL_PREFIX	"tls13 "
#define KTLSO_LABEL_MAX		(sizeof(KTLSO_LABEL_PREFIX) - 1 + \
				 sizeof("traffic upd") - 1)

/**
 * ktlso_tx_key_limit() - records the transmit key @c may seal
 * @c: transmit state, TLS 1.3
 *
 * Return: the cipher's bound, or the module parameter where lower; 0 for
 * no bound (ChaCha20-Poly1305 without the parameter).
 */
u64 ktlso_tx_key_limit(const struct ktlso_crypto *c)
{
	u64 limit = c->cipher->max_records;
	u64 param = READ_ONCE(tx_key_records);

	if (param) {
		param = max_t(u64, param, 2);
		if (!limit || param < limit)
			limit = param;
	}
	return limit;
}

/*
 * HKDF-Expand-Label(@prk, @label, "", @len) into @out, @len at most the
 * hash's length; the HMAC must already be keyed with @prk.
 */
static int ktlso_hkdf_label(struct ktlso_secret *s, const char *label,
			    u8 *out, unsigned int len)
{
	SHASH_DESC_ON_STACK(desc, s->hmac);
	u8 info[2 + 1 + KTLSO_LABEL_MAX + 1 + 1];
	u8 t[KTLSO_SECRET_MAX];
	size_t l = strlen(label);
	size_t n = 0;
	int err;

	if (WARN_ON_ONCE(len > s->len || l > KTLSO_LABEL_MAX - 6))
		return -EINVAL;
	info[n++] = len >> 8;			/* HkdfLabel.length */
	info[n++] = len & 0xff;
	info[n++] = sizeof(KTLSO_LABEL_PREFIX) - 1 + l;
	memcpy(info + n, KTLSO_LABEL_PREFIX, sizeof(KTLSO_LABEL_PREFIX) - 1);
	n += sizeof(KTLSO_LABEL_PREFIX) - 1;
	memcpy(info + n, label, l);
	n += l;
	info[n++] = 0;				/* empty context */
	info[n++] = 1;				/* T(1) */

	desc->tfm = s->hmac;
	err = crypto_shash_digest(desc, info, n, t);
	shash_desc_zero(desc);
	if (!err)
		memcpy(out, t, len);
	memzero_explicit(t, sizeof(t));
	return err;
}

/*
 * The crypto_info of the key that traffic secret @secret stands for:
 * version and cipher of @c, key and IV derived, sequence number 0.
 */
static int ktlso_secret_keys(struct ktlso_secret *s, const u8 *secret,
			     const struct ktlso_crypto *c, u8 *info)
{
	const struct ktlso_cipher *cipher = c->cipher;
	struct tls_crypto_info *hdr = (struct tls_crypto_info *)info;
	u8 iv[KTLSO_NONCE_LEN];
	int err;

	err = crypto_shash_setkey(s->hmac, secret, s->len);
	if (err)
		return err;
	memset(info, 0, cipher->info_len);
	hdr->version = c->version;
	hdr->cipher_type = cipher->type;
	err = ktlso_hkdf_label(s, "key", info + cipher->key_off,
			       cipher->key_len);
	if (!err)
		err = ktlso_hkdf_label(s, "iv", iv, sizeof(iv));
	if (!err) {
		memcpy(info + cipher->salt_off, iv, cipher->salt_len);
		memcpy(info + cipher->iv_off, iv + cipher->salt_len,
		       cipher->iv_len);
	}
	memzero_explicit(iv, sizeof(iv));
	return err;
}

/**
 * ktlso_secret_next() - derive a direction's next secret and key
 * @s: the direction's secret
 * @c: the direction's keyed state
 * @nk: filled with the next key, keyed (ktlso_crypto_prepare())
 *
 * The next secret waits in @s->next: ktlso_secret_commit() makes it the
 * current one once the key is switched; nothing needs undoing otherwise.
 *
 * Return: 0, -ENOMEM, or the crypto API's error.
 */
int ktlso_secret_next(struct ktlso_secret *s, const struct ktlso_crypto *c,
		      struct ktlso_next_key *nk)
{
	u8 info[KTLSO_MAX_CRYPTO_INFO];
	int err;

	err = crypto_shash_setkey(s->hmac, s->secret, s->len);
	if (!err)
		err = ktlso_hkdf_label(s, "traffic upd", s->next, s->len);
	if (!err)
		err = ktlso_secret_keys(s, s->next, c, info);
	if (!err)
		err = ktlso_crypto_prepare(c, info, nk);
	memzero_explicit(info, sizeof(info));
	if (err)
		memzero_explicit(s->next, sizeof(s->next));
	return err;
}

/**
 * ktlso_secret_commit() - the key from ktlso_secret_next() is in use
 * @s: the direction's secret
 */
void ktlso_secret_commit(struct ktlso_secret *s)
{
	memcpy(s->secret, s->next, s->len);
	memzero_explicit(s->next, sizeof(s->next));
}

/**
 * ktlso_secret_free() - wipe and free a secret
 * @s: the secret, or NULL
 */
void ktlso_secret_free(struct ktlso_secret *s)
{
	if (!s)
		return;
	if (s->hmac)
		crypto_free_shash(s->hmac);	/* wipes the keyed pads */
	kfree_sensitive(s);
}

/*
 * Build the secret of struct @ts for the direction @c, checking that it
 * stands for the key in use there.
 */
static int ktlso_secret_new(const struct ktlso_traffic_secret *ts,
			    const struct ktlso_crypto *c,
			    struct ktlso_secret **sp)
{
	const struct ktlso_cipher *cipher = c->cipher;
	u8 info[KTLSO_MAX_CRYPTO_INFO];
	struct ktlso_secret *s;
	int err;

	if (!cipher->hash || ts->hash != cipher->hash ||
	    ts->secret_len != ktlso_hashes[cipher->hash].len)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->len = ts->secret_len;
	s->hmac = crypto_alloc_shash(ktlso_hashes[cipher->hash].hmac, 0, 0);
	if (IS_ERR(s->hmac)) {
		err = PTR_ERR(s->hmac);
		s->hmac = NULL;
		goto err_free;
	}
	memcpy(s->secret, ts->secret, s->len);
	err = ktlso_secret_keys(s, s->secret, c, info);
	if (err)
		goto err_free;
	/* The key and the static IV in use must be this secret's. */
	if (crypto_memneq(info + cipher->key_off, c->info + cipher->key_off,
			  cipher->key_len) ||
	    crypto_memneq(info + cipher->salt_off, c->iv, cipher->salt_len) ||
	    crypto_memneq(info + cipher->iv_off, c->iv + cipher->salt_len,
			  cipher->iv_len)) {
		err = -EINVAL;
		goto err_free;
	}
	memzero_explicit(info, sizeof(info));
	*sp = s;
	return 0;

err_free:
	memzero_explicit(info, sizeof(info));
	ktlso_secret_free(s);
	return err;
}

/**
 * ktlso_secret_install() - setsockopt(KTLSO_TX_SECRET or KTLSO_RX_SECRET)
 * @sk: the socket, locked by the caller, which decided under that lock
 *	that the caller may install keys
 * @ctx: its context
 * @optname: KTLSO_TX_SECRET or KTLSO_RX_SECRET
 * @optval: a struct ktlso_traffic_secret
 * @optlen: its size
 *
 * Return: 0; -EINVAL, -EBUSY, -ENOENT, -ENOMEM, -EFAULT as the uAPI
 * header says.
 */
int ktlso_secret_install(struct sock *sk, struct ktlso_context *ctx,
			 int optname, sockptr_t optval, unsigned int optlen)
{
	bool tx = optname == KTLSO_TX_SECRET;
	struct ktlso_traffic_secret ts;
	struct ktlso_secret **slot;
	struct ktlso_crypto *c;
	int err;

	sock_owned_by_me(sk);
	if (sockptr_is_null(optval) || optlen != sizeof(ts))
		return -EINVAL;
	if (tx) {
		c = ctx->tx ? &ctx->tx->c : NULL;
		slot = ctx->tx ? &ctx->tx->secret : NULL;
	} else {
		c = ctx->rx ? &ctx->rx->c : NULL;
		slot = ctx->rx ? &ctx->rx->secret : NULL;
		/* Without it no update_requested could be answered. */
		if (!ctx->tx || !ctx->tx->secret)
			return -EINVAL;
	}
	if (!c || c->version != TLS_1_3_VERSION)
		return -EINVAL;
	if (*slot)
		return -EBUSY;
	if (copy_from_sockptr(&ts, optval, sizeof(ts)))
		return -EFAULT;
	err = ts.reserved ? -EINVAL : ktlso_secret_new(&ts, c, slot);
	memzero_explicit(&ts, sizeof(ts));
	return err;
}

/**
 * ktlso_key_state() - getsockopt(KTLSO_KEY_STATE)
 * @sk: the socket
 * @optval: user buffer for a struct ktlso_key_state
 * @optlen: its length, which must be exactly that
 *
 * Return: 0, -EINVAL for another length, -EFAULT.
 */
int ktlso_key_state(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct ktlso_key_state st = {};
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len != sizeof(st) || !optval)
		return -EINVAL;
	lock_sock(sk);
	if (ctx->tx) {
		st.tx_gen = ctx->tx->gen;
		st.tx_auto = !!ctx->tx->secret;
		st.tx_records = ctx->tx->c.records;
		if (ctx->tx->secret)
			st.tx_limit = ktlso_tx_key_limit(&ctx->tx->c) ?: U64_MAX;
	}
	if (ctx->rx) {
		st.rx_gen = ctx->rx->gen;
		st.rx_auto = !!ctx->rx->secret;
		st.rx_pending = ctx->rx->key_pending;
	}
	release_sock(sk);
	if (copy_to_user(optval, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}
