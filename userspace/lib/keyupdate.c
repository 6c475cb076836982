// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: TLS 1.3 key updates run by the kernel: the traffic secrets
 * (KTLSO_TX_SECRET, KTLSO_RX_SECRET), a KeyUpdate on demand
 * (KTLSO_KEY_UPDATE) and where the key schedules stand (KTLSO_KEY_STATE).
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>

#include "internal.h"

/* The hash's output length, which the secret must have; 0 if unknown. */
static size_t hash_len(unsigned int hash)
{
	switch (hash) {
	case KTLSO_HASH_SHA256:
	case KTLSO_HASH_SM3:
		return 32;
	case KTLSO_HASH_SHA384:
		return 48;
	}
	return 0;
}

KTLSO_API int ktlso_set_traffic_secret(int fd, int dir, unsigned int hash,
				       const void *secret, size_t len)
{
	struct ktlso_traffic_secret ts;
	int opt, err = 0;

	if (dir == TLS_TX)
		opt = KTLSO_TX_SECRET;
	else if (dir == TLS_RX)
		opt = KTLSO_RX_SECRET;
	else
		return -EINVAL;
	if (!secret || !hash_len(hash) || len != hash_len(hash) ||
	    len > sizeof(ts.secret))
		return -EINVAL;

	memset(&ts, 0, sizeof(ts));
	ts.hash = (uint16_t)hash;
	ts.secret_len = (uint16_t)len;
	memcpy(ts.secret, secret, len);
	if (ktlso_lib_sys->setsockopt(fd, SOL_TLS, opt, &ts, sizeof(ts)))
		err = -errno;
	explicit_bzero(&ts, sizeof(ts));
	return err;
}

KTLSO_API int ktlso_key_update(int fd, bool request_peer)
{
	uint32_t request = request_peer ? KTLSO_KEY_UPDATE_REQUESTED :
					  KTLSO_KEY_UPDATE_NOT_REQUESTED;

	if (ktlso_lib_sys->setsockopt(fd, SOL_TLS, KTLSO_KEY_UPDATE, &request,
				      sizeof(request)))
		return -errno;
	return 0;
}

KTLSO_API int ktlso_get_key_state(int fd, struct ktlso_key_state *st)
{
	socklen_t len = sizeof(*st);

	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	if (ktlso_lib_sys->getsockopt(fd, SOL_TLS, KTLSO_KEY_STATE, st, &len))
		return -errno;
	if (len != sizeof(*st)) {
		memset(st, 0, sizeof(*st));
		return -EPROTO;
	}
	return 0;
}
