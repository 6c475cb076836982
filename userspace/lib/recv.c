// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: reading a socket whose records the kernel opens, so that the
 * application can tell the peer's close_notify (the data is complete) from
 * a TCP end without one (it may have been cut) and from an alert that ends
 * the session.  A plain read() returns 0 for all three.
 *
 * The kernel reports every record that is not application data with a
 * TLS_GET_RECORD_TYPE control message, on a read of its own: an alert as
 * its two bytes (level, description); a handshake record the kernel did
 * not take itself (session tickets a server or an application that
 * installed its own keys receives; a TLS 1.2 HelloRequest) as it is.
 *
 * Reads of application data go straight into the caller's buffer.  Once a
 * record is found that is not data, the stream's head is looked at with
 * MSG_PEEK into a buffer of our own first, so that skipping a record never
 * consumes data the caller's buffer could not take.
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>

#include "engine/alert.h"
#include "internal.h"

#define CT_ALERT		21
#define CT_HANDSHAKE		22
#define CT_APPLICATION_DATA	23

#define ALERT_CLOSE_NOTIFY	0
#define ALERT_USER_CANCELED	90

/* Records skipped in one call (reads of them) before the peer is refused. */
#define SKIP_MAX		64
/* Where the head of the stream is looked at: an alert, or a slice of a
 * record to skip. */
#define HEAD_LEN		1024

enum verdict {
	END = 0,		/* close_notify: the end of the data */
	SKIP = 1,		/* not the application's: read on */
};

/* One recvmsg(); *@type is the record type (application data without a
 * control message, as on a socket without receive keys). */
static ssize_t read_record(int fd, void *buf, size_t len, int flags,
			   int *type)
{
	struct ktlso_lib_record_msg m;
	struct cmsghdr *c;
	ssize_t n;

	ktlso_lib_record_msg_init(&m, buf, len);
	n = ktlso_lib_sys->recvmsg(fd, &m.msg, flags);
	if (n < 0)
		return -errno;
	*type = CT_APPLICATION_DATA;
	for (c = CMSG_FIRSTHDR(&m.msg); c; c = CMSG_NXTHDR(&m.msg, c))
		if (c->cmsg_level == SOL_TLS &&
		    c->cmsg_type == TLS_GET_RECORD_TYPE &&
		    c->cmsg_len >= CMSG_LEN(sizeof(unsigned char)))
			*type = *CMSG_DATA(c);
	return n;
}

/* The receive keys' TLS version, TLS 1.3's when it cannot be read. */
static uint16_t rx_version(int fd)
{
	struct tls_crypto_info info;
	socklen_t len = sizeof(info);

	if (ktlso_lib_sys->getsockopt(fd, SOL_TLS, TLS_RX, &info, &len) ||
	    len < sizeof(info))
		return TLS_1_3_VERSION;
	return info.version;
}

/*
 * An alert (RFC 8446 6, RFC 5246 7.2).  close_notify ends the data.
 * user_canceled is a closure alert that a close_notify follows: read on.
 * TLS 1.3 treats every other alert as an error whatever its level says;
 * TLS 1.2 lets the connection go on after a warning.
 */
static int on_alert(int fd, const uint8_t *p, ssize_t n,
		    struct ktlso_alert_msg *alert)
{
	if (n != 2)
		return -EPROTO;		/* one alert, whole, per record */
	if (p[1] == ALERT_USER_CANCELED)
		return SKIP;
	if (p[1] != ALERT_CLOSE_NOTIFY && p[0] == KTLSO_LEVEL_WARNING &&
	    rx_version(fd) == TLS_1_2_VERSION)
		return SKIP;
	if (alert) {
		alert->level = p[0];
		alert->desc = p[1];
	}
	return p[1] == ALERT_CLOSE_NOTIFY ? END : -ECONNREFUSED;
}

/* What a record that is not application data means for the reader. */
static int on_record(int fd, int type, const uint8_t *p, ssize_t n,
		     struct ktlso_alert_msg *alert)
{
	if (type == CT_ALERT)
		return on_alert(fd, p, n, alert);
	if (type == CT_HANDSHAKE)
		return SKIP;		/* tickets, HelloRequest */
	return -EPROTO;			/* change_cipher_spec, unknown */
}

KTLSO_API ssize_t ktlso_recv(int fd, void *buf, size_t len, int flags,
			     struct ktlso_alert_msg *alert)
{
	const int peek = (flags & ~MSG_WAITALL) | MSG_PEEK;
	uint8_t head[HEAD_LEN];
	int type, i, ret;
	ssize_t n;

	if (alert)
		memset(alert, 0, sizeof(*alert));
	if (!buf || !len || (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL)))
		return -EINVAL;

	/* The common case: data, straight into the caller's buffer.  An
	 * alert must fit with a byte to spare, or a longer (malformed) one
	 * would pass for two bytes: smaller buffers look first. */
	if (len > 2) {
		n = read_record(fd, buf, len, flags, &type);
		if (n < 0 || type == CT_APPLICATION_DATA)
			return n ? n : -EPIPE;
		if (!(flags & MSG_PEEK)) {
			ret = on_record(fd, type, buf, n, alert);
			if (ret != SKIP)
				return ret;
		}
	}
	for (i = 0; i < SKIP_MAX; i++) {
		n = read_record(fd, head, sizeof(head), peek, &type);
		if (n < 0)
			return n;
		if (type == CT_APPLICATION_DATA) {
			if (!n)
				return -EPIPE;
			n = read_record(fd, buf, len, flags, &type);
			return n ? n : -EPIPE;
		}
		ret = on_record(fd, type, head, n, alert);
		if (ret < 0 || (ret == END && (flags & MSG_PEEK)))
			return ret;
		/* Take what was looked at: it is there, no wait. */
		n = read_record(fd, head, (size_t)n, MSG_DONTWAIT, &type);
		if (n < 0)
			return n;
		if (ret == END)
			return 0;
	}
	return -EPROTO;
}

KTLSO_API const char *ktlso_alert_name(int desc)
{
	/* The engine's table, built into the library; it names 0 "ok". */
	if (desc == ALERT_CLOSE_NOTIFY)
		return "close_notify";
	if (desc < 0 || desc > 255)
		return "unknown";
	return ktlso_error_name(-desc);
}
