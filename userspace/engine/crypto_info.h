/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One direction's keys in the form the kernel's SOL_TLS TLS_TX / TLS_RX
 * setsockopt takes (struct tls12_crypto_info_* of <linux/tls.h>), for
 * in-tree kTLS and for ktlso alike:
 *
 *	union ktlso_crypto_info ci;
 *	size_t len;
 *	ktlso_crypto_info_fill(&ci, &len, KTLSO_TLS13_VERSION, 0x1301, &keys, 0);
 *	setsockopt(fd, SOL_TLS, TLS_TX, &ci, len);
 *	ktlso_crypto_info_clear(&ci);
 */
#ifndef KTLSO_ENGINE_CRYPTO_INFO_H
#define KTLSO_ENGINE_CRYPTO_INFO_H

#include <stddef.h>
#include <stdint.h>

#include <linux/tls.h>

#include "engine/keysched.h"

union ktlso_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 aes_gcm_128;
	struct tls12_crypto_info_aes_gcm_256 aes_gcm_256;
	struct tls12_crypto_info_chacha20_poly1305 chacha20_poly1305;
	struct tls12_crypto_info_aes_ccm_128 aes_ccm_128;
};

int ktlso_crypto_info_fill(union ktlso_crypto_info *ci, size_t *len,
			   uint16_t version, uint16_t suite_id,
			   const struct ktlso_traffic_keys *keys,
			   uint64_t next_seq);

void ktlso_crypto_info_clear(union ktlso_crypto_info *ci);

#endif /* KTLSO_ENGINE_CRYPTO_INFO_H */
