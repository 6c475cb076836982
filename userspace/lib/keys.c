// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: keys from the application's own handshake, installed with
 * SOL_TLS TLS_TX and TLS_RX.
 */
#include <errno.h>
#include <linux/tls.h>

#include "internal.h"

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
