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
 *
 * and, for TLS 1.3, the traffic secret the keys came from, in the form
 * ktlso's KTLSO_TX_SECRET / KTLSO_RX_SECRET take (struct
 * ktlso_traffic_secret of <linux/ktlso.h>), so that the kernel can run
 * that direction's key updates:
 *
 *	struct ktlso_traffic_secret ts;
 *	ktlso_traffic_secret_fill(&ts, 0x1301, res.tx_secret, res.secret_len);
 *	setsockopt(fd, SOL_TLS, KTLSO_TX_SECRET, &ts, sizeof(ts));
 *	ktlso_traffic_secret_clear(&ts);
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

/* <linux/ktlso.h>'s, which only the callers of these two need. */
struct ktlso_traffic_secret;

int ktlso_traffic_secret_fill(struct ktlso_traffic_secret *ts,
			      uint16_t suite_id, const uint8_t *secret,
			      size_t len);

void ktlso_traffic_secret_clear(struct ktlso_traffic_secret *ts);

#endif /* KTLSO_ENGINE_CRYPTO_INFO_H */
