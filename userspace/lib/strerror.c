// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: error messages, in the words of ktlso where an errno has a
 * ktlso meaning (the uAPI header lists them), the C library's otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

static const struct {
	int err;
	const char *msg;
} messages[] = {
	/* Asking for a handshake (setsockopt KTLSO_HANDSHAKE). */
	{ ESRCH, "no handshake daemon is running" },
	{ EBUSY, "too many pending handshakes (or keys already set)" },
	{ EALREADY, "a handshake was already requested on this socket" },
	{ EISCONN, "TLS keys are already installed on this socket" },
	{ EINVAL, "invalid argument, or no handshake requested" },
	{ EINPROGRESS, "the handshake is still in progress" },
	/* How a handshake fails. */
	{ ETIMEDOUT, "the handshake timed out" },
	{ EACCES, "peer verification failed" },
	{ EPERM, "this user may not use the profile in this role" },
	{ ECONNABORTED, "the handshake daemon gave up or went away" },
	{ ECONNREFUSED, "the peer sent a fatal alert" },
	{ EPROTO, "the peer violated the TLS protocol" },
	/* Reading (ktlso_recv()). */
	{ EPIPE, "the connection ended without close_notify (truncated)" },
	/* Attaching ktlso (TCP_ULP). */
	{ ENOENT, "ktlso is not available (kernel module not loaded)" },
	{ EEXIST, "another ULP is attached to the socket" },
	{ ENOTCONN, "the socket is not connected" },
	{ ENOPROTOOPT, "ktlso is not attached to the socket (or not TCP)" },
	{ EOPNOTSUPP, "not a TCP socket, or ktlso is not attached" },
	/* Encoding the ALPN list. */
	{ EMSGSIZE, "the ALPN list is too long" },
};

KTLSO_API const char *ktlso_strerror(int err)
{
	const char *msg;
	size_t i;

	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	for (i = 0; i < ARRAY_SIZE(messages); i++)
		if (messages[i].err == err)
			return messages[i].msg;
	/* Static and thread-safe, unlike strerror(). */
	msg = strerrordesc_np(err);
	return msg ? msg : "unknown error";
}
