// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: alert records, sent through the record layer with the
 * TLS_SET_RECORD_TYPE control message of upstream kTLS.
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>

#include "internal.h"

#define RECORD_TYPE_ALERT	21
#define ALERT_CLOSE_NOTIFY	0

KTLSO_API int ktlso_send_alert(int fd, int level, int desc)
{
	struct ktlso_lib_record_msg m;
	struct cmsghdr *cmsg;
	uint8_t body[2];
	ssize_t n;

	if (level != KTLSO_LEVEL_WARNING && level != KTLSO_LEVEL_FATAL)
		return -EINVAL;
	if (desc < 0 || desc > 255)
		return -EINVAL;
	body[0] = (uint8_t)level;
	body[1] = (uint8_t)desc;

	ktlso_lib_record_msg_init(&m, body, sizeof(body));
	cmsg = CMSG_FIRSTHDR(&m.msg);
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cmsg) = RECORD_TYPE_ALERT;

	do {
		n = ktlso_lib_sys->sendmsg(fd, &m.msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A record is sent whole or not at all. */
	return n == (ssize_t)sizeof(body) ? 0 : -EIO;
}

KTLSO_API int ktlso_close_notify(int fd)
{
	return ktlso_send_alert(fd, KTLSO_LEVEL_WARNING, ALERT_CLOSE_NOTIFY);
}
