// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: what a socket's TLS state is, from getsockopt(KTLSO_HANDSHAKE)
 * and getsockopt(TLS_TX / TLS_RX) with only the struct tls_crypto_info
 * header asked for (keys are never read).
 */
#include <errno.h>
#include <linux/tls.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/*
 * resumed came after KTLSO_1.3, in the tail padding of the struct
 * KTLSO_1 defined: an application built against an older header still
 * passes a struct big enough for everything this writes.
 */
#if defined(__x86_64__) || defined(__aarch64__)
_Static_assert(sizeof(struct ktlso_info) == 568 &&
	       offsetof(struct ktlso_info, resumed) == 562,
	       "struct ktlso_info must keep the size and layout of 1.0");
#endif

/*
 * Are one direction's keys installed?  1 with @hdr filled, 0 when not
 * (EBUSY: no keys, or the handshake holds them back; no ULP), or -errno.
 */
static int keys_of(int fd, int opt, struct tls_crypto_info *hdr)
{
	socklen_t len = sizeof(*hdr);

	memset(hdr, 0, sizeof(*hdr));
	if (!ktlso_lib_sys->getsockopt(fd, SOL_TLS, opt, hdr, &len))
		return len >= sizeof(*hdr) ? 1 : -EPROTO;
	if (errno == EBUSY || ktlso_lib_no_ulp(errno))
		return 0;
	return -errno;
}

KTLSO_API int ktlso_get_info(int fd, struct ktlso_info *out)
{
	struct ktlso_hs_result res;
	struct tls_crypto_info tx, rx;
	int err, have_tx, have_rx;

	memset(out, 0, sizeof(*out));
	out->version_name = "";
	out->cipher_name = "";

	err = ktlso_lib_ulp_name(fd, out->ulp, sizeof(out->ulp));
	if (err)
		return err;

	err = ktlso_lib_query(fd, &res);
	if (err && !ktlso_lib_no_ulp(-err))
		return err;
	if (!err) {
		out->state = (enum ktlso_state)res.state;
		out->error = (int)res.error;
		out->version = res.version;
		out->cipher = res.cipher;
		memcpy(out->alpn, res.alpn, sizeof(out->alpn));
		memcpy(out->peer, res.peer, sizeof(out->peer));
		out->resumed = res.flags & KTLSO_HS_RESUMED;
	}

	have_tx = keys_of(fd, TLS_TX, &tx);
	if (have_tx < 0)
		return have_tx;
	have_rx = keys_of(fd, TLS_RX, &rx);
	if (have_rx < 0)
		return have_rx;
	out->tx_keys = have_tx;
	out->rx_keys = have_rx;

	/* Keys installed without the daemon: the keys tell what runs. */
	if (!out->version && have_tx) {
		out->version = tx.version;
		out->cipher = tx.cipher_type;
	} else if (!out->version && have_rx) {
		out->version = rx.version;
		out->cipher = rx.cipher_type;
	}
	out->version_name = ktlso_version_name(out->version);
	out->cipher_name = ktlso_cipher_name(out->cipher);
	return 0;
}
