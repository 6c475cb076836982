// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: keys from the application's own handshake, installed with
 * SOL_TLS TLS_TX and TLS_RX, and made from a TLS 1.3 traffic secret by the
 * engine's key schedule (built into the library).
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>

#include "engine/crypto_info.h"
#include "engine/keysched.h"
#include "internal.h"

_Static_assert(sizeof(union ktlso_crypto_info) <= KTLSO_CRYPTO_INFO_MAX,
	       "KTLSO_CRYPTO_INFO_MAX holds every cipher's struct");

/* One direction's struct: a version and cipher the kernel has, its size. */
static int check_one(const struct tls_crypto_info *ci, size_t len)
{
	int want;

	if (len < sizeof(*ci))
		return -EINVAL;
	want = ktlso_crypto_info_size(ci->version, ci->cipher_type);
	if (want < 0 || len != (size_t)want)
		return -EINVAL;
	return 0;
}

static int install(int fd, int opt, const struct tls_crypto_info *ci,
		   size_t len)
{
	if (ktlso_lib_sys->setsockopt(fd, SOL_TLS, opt, ci, (socklen_t)len))
		return -errno;
	return 0;
}

KTLSO_API int ktlso_set_keys(int fd, const struct tls_crypto_info *tx,
			     size_t tx_len, const struct tls_crypto_info *rx,
			     size_t rx_len)
{
	int err;

	if (!tx && !rx)
		return -EINVAL;
	if ((tx && check_one(tx, tx_len)) || (rx && check_one(rx, rx_len)))
		return -EINVAL;
	/* As the kernel has it: one version and one cipher both ways. */
	if (tx && rx && (tx->version != rx->version ||
			 tx->cipher_type != rx->cipher_type))
		return -EINVAL;

	err = ktlso_attach_ulp(fd);
	if (err)
		return err;
	if (tx) {
		err = install(fd, TLS_TX, tx, tx_len);
		if (err)
			return err;
	}
	if (rx)
		err = install(fd, TLS_RX, rx, rx_len);
	return err;
}

KTLSO_API int ktlso_tls13_crypto_info(uint16_t suite, const void *secret,
				      size_t len, uint64_t seq, void *out,
				      size_t cap)
{
	const struct ktlso_suite *s = ktlso_suite_find(suite);
	struct ktlso_traffic_keys keys;
	union ktlso_crypto_info ci;
	size_t ci_len;
	int ret;

	if (!s || s->version != KTLSO_TLS13_VERSION || !secret || !out ||
	    len != ktlso_hash_len(s->hash))
		return -EINVAL;
	if (ktlso_tls13_traffic_keys(s, secret, &keys))
		return -EIO;
	ret = ktlso_crypto_info_fill(&ci, &ci_len, KTLSO_TLS13_VERSION, suite,
				     &keys, seq);
	ktlso_traffic_keys_clear(&keys);
	if (ret)
		ret = -EINVAL;		/* a suite the kernel has no struct for */
	else if (cap < ci_len)
		ret = -ENOBUFS;
	else
		ret = (int)ci_len;
	if (ret > 0)
		memcpy(out, &ci, ci_len);
	ktlso_crypto_info_clear(&ci);
	return ret;
}
