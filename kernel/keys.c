// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the struct tls12_crypto_info_* of setsockopt/getsockopt(TLS_TX and
 * TLS_RX), validated and reported as upstream kTLS does.
 */

#include <linux/skmsg.h>
#include <linux/sockptr.h>
#include <linux/uaccess.h>
#include <net/tls.h>

#include "ktlso.h"

/**
 * ktlso_copy_crypto_info() - checks before installing keys, and copy-in
 * @sk: the socket, locked by the caller
 * @mine: this direction's state, NULL until its keys are set; with it,
 *	the call is a rekey (TLS 1.3 only, as upstream from Linux 6.14)
 * @other: the other direction's state, NULL when its keys are not set
 * @optval: the caller's struct tls12_crypto_info_*
 * @optlen: its length, which must be exactly that struct's size
 * @info: KTLSO_MAX_CRYPTO_INFO bytes to copy it to; the caller wipes it
 * @cipher: set to the cipher it names
 * @version: set to the TLS version it names
 *
 * The checks run in upstream's order, so that a call with several faults
 * gets the errno upstream gives.
 *
 * Return: 0; -EINVAL for a missing or short struct or a socket in a
 * sockmap; -EBUSY when this direction's TLS 1.2 keys are already set;
 * -EINVAL for a rekey to another version or cipher, a mis-sized struct, an
 * unknown version or cipher, a cipher the version does not define (ARIA is
 * TLS 1.2 only), or a version or cipher other than the other direction's;
 * -EFAULT.
 */
int ktlso_copy_crypto_info(struct sock *sk, const struct ktlso_crypto *mine,
			   const struct ktlso_crypto *other,
			   sockptr_t optval, unsigned int optlen, u8 *info,
			   const struct ktlso_cipher **cipher, u16 *version)
{
	struct tls_crypto_info *hdr = (struct tls_crypto_info *)info;
	const struct ktlso_cipher *c;
	bool in_sockmap;

	if (sockptr_is_null(optval) || optlen < sizeof(*hdr))
		return -EINVAL;
	rcu_read_lock();
	in_sockmap = sk_psock(sk);
	rcu_read_unlock();
	if (in_sockmap)
		return -EINVAL;
	if (mine && mine->version != TLS_1_3_VERSION)
		return -EBUSY;
	if (copy_from_sockptr(hdr, optval, sizeof(*hdr)))
		return -EFAULT;
	/* A rekey keeps the version and the cipher. */
	if (mine && (hdr->version != mine->version ||
		     hdr->cipher_type != mine->cipher->type))
		return -EINVAL;
	if (hdr->version != TLS_1_2_VERSION && hdr->version != TLS_1_3_VERSION)
		return -EINVAL;
	/* As upstream: both directions run one version and one cipher. */
	if (other && (other->version != hdr->version ||
		      other->cipher->type != hdr->cipher_type))
		return -EINVAL;
	c = ktlso_cipher_get(hdr->cipher_type);
	if (!c || optlen != c->info_len ||
	    (c->tls12_only && hdr->version != TLS_1_2_VERSION))
		return -EINVAL;
	if (copy_from_sockptr(info, optval, optlen))
		return -EFAULT;
	*cipher = c;
	*version = hdr->version;
	return 0;
}

/**
 * ktlso_rekey_error() - count a refused TLS_TX or TLS_RX on keyed state
 * @sk: the socket
 * @optname: TLS_TX or TLS_RX
 *
 * As upstream's TlsTxRekeyError and TlsRxRekeyError, which also count the
 * EBUSY of TLS 1.2 keys.
 */
void ktlso_rekey_error(struct sock *sk, int optname)
{
	ktlso_stats_add(sock_net(sk), optname == TLS_TX ?
			KTLSO_MIB_TX_REKEY_ERROR : KTLSO_MIB_RX_REKEY_ERROR, 1);
}

/**
 * ktlso_get_crypto_info() - getsockopt(TLS_TX or TLS_RX) for keyed state
 * @c: the direction's state, or NULL when its keys are not set
 * @optval: user buffer
 * @optlen: its length: sizeof(struct tls_crypto_info) for version and
 *	cipher only, or exactly the cipher's crypto_info size for everything,
 *	with the IV and record sequence number as they are now
 *
 * Called with the socket locked.
 *
 * Return: 0; -EINVAL for any other length; -EBUSY before the keys are set;
 * -EFAULT.
 */
int ktlso_get_crypto_info(const struct ktlso_crypto *c, char __user *optval,
			  int __user *optlen)
{
	u8 info[KTLSO_MAX_CRYPTO_INFO];
	int len, err = 0;

	if (get_user(len, optlen))
		return -EFAULT;
	if (!optval || len < (int)sizeof(struct tls_crypto_info))
		return -EINVAL;
	if (!c)
		return -EBUSY;
	if (len != sizeof(struct tls_crypto_info) && len != c->cipher->info_len)
		return -EINVAL;

	ktlso_crypto_info(c, info);
	if (copy_to_user(optval, info, len))
		err = -EFAULT;
	memzero_explicit(info, sizeof(info));
	return err;
}
