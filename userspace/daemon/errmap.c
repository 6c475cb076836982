// SPDX-License-Identifier: GPL-2.0
/*
 * Engine errors to handshake errnos. See errmap.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/errmap.h"
#include "engine/alert.h"
#include "engine/engine.h"

/* The alerts we send when the peer fails authentication. */
static bool auth_alert(int desc)
{
	switch (desc) {
	case KTLSO_ALERT_BAD_CERTIFICATE:
	case KTLSO_ALERT_UNSUPPORTED_CERTIFICATE:
	case KTLSO_ALERT_CERTIFICATE_REVOKED:
	case KTLSO_ALERT_CERTIFICATE_EXPIRED:
	case KTLSO_ALERT_CERTIFICATE_UNKNOWN:
	case KTLSO_ALERT_UNKNOWN_CA:
	case KTLSO_ALERT_ACCESS_DENIED:
	case KTLSO_ALERT_DECRYPT_ERROR:
	case KTLSO_ALERT_CERTIFICATE_REQUIRED:
		return true;
	default:
		return false;
	}
}

int kd_errno_from_engine(int err, int alert_received, int io_errno)
{
	int desc;

	if (err >= 0)
		return ECONNABORTED;	/* not a failure: a caller's bug */
	if (err == -KTLSO_ERROR_IO)
		return io_errno > 0 ? io_errno : EIO;
	if (err == -KTLSO_ERROR_CLOSED)
		return ECONNRESET;
	if (err <= -KTLSO_ERROR_BASE)
		return ECONNABORTED;
	desc = -err;
	if (alert_received == desc)
		return ECONNREFUSED;
	if (auth_alert(desc))
		return EACCES;
	if (desc == KTLSO_ALERT_INTERNAL_ERROR)
		return ECONNABORTED;
	return EPROTO;
}

const char *kd_errno_name(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EPROTO:
		return "EPROTO";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ECONNRESET:
		return "ECONNRESET";
	case ECONNABORTED:
		return "ECONNABORTED";
	case EPIPE:
		return "EPIPE";
	case EIO:
		return "EIO";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case ENOMEM:
		return "ENOMEM";
	case EBUSY:
		return "EBUSY";
	case ENOPROTOOPT:
		return "ENOPROTOOPT";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	case ENETUNREACH:
		return "ENETUNREACH";
	default:
		return "E?";
	}
}
