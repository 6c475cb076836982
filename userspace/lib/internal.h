/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktlso internals: the system calls the library makes, behind a table,
 * and the helpers its files share.  Nothing here is exported from the
 * shared library (it is built with hidden visibility and a version script);
 * the host tests link the static archive and reach these directly.
 */
#ifndef KTLSO_LIB_INTERNAL_H
#define KTLSO_LIB_INTERNAL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/ktlso.h>

#include <ktlso/ktlso.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * The socket calls of the library.  ktlso_lib_sys points at the C
 * library's; a host test points it at a fake kernel to drive the state
 * logic (pending, running, done, failed) and the records a reader meets
 * without ktlso.ko.
 */
struct ktlso_sys {
	int (*setsockopt)(int fd, int level, int name, const void *val,
			  socklen_t len);
	int (*getsockopt)(int fd, int level, int name, void *val,
			  socklen_t *len);
	int (*poll)(struct pollfd *fds, nfds_t n, int timeout_ms);
	ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
	ssize_t (*recvmsg)(int fd, struct msghdr *msg, int flags);
};

extern const struct ktlso_sys ktlso_lib_sys_libc;
extern const struct ktlso_sys *ktlso_lib_sys;

/*
 * A message over one buffer with room for one SOL_TLS record-type control
 * message: TLS_SET_RECORD_TYPE on the way out, TLS_GET_RECORD_TYPE in.
 */
struct ktlso_lib_record_msg {
	union {
		char buf[CMSG_SPACE(sizeof(unsigned char))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr msg;
};

static inline void ktlso_lib_record_msg_init(struct ktlso_lib_record_msg *m,
					     void *buf, size_t len)
{
	memset(&m->control, 0, sizeof(m->control));
	m->iov = (struct iovec){ .iov_base = buf, .iov_len = len };
	m->msg = (struct msghdr){
		.msg_iov = &m->iov,
		.msg_iovlen = 1,
		.msg_control = m->control.buf,
		.msg_controllen = sizeof(m->control.buf),
	};
}

/* One kernel cipher: its struct tls12_crypto_info_* size and name. */
struct ktlso_cipher_desc {
	uint16_t type;			/* TLS_CIPHER_* */
	uint16_t info_len;		/* its tls12_crypto_info_* size */
	bool tls12_only;		/* no TLS 1.3 suite uses it */
	const char *name;
};

const struct ktlso_cipher_desc *ktlso_lib_cipher(uint16_t type);

/*
 * The errno of a SOL_TLS call on a TCP socket without ktlso (or on a
 * socket that is not TCP): ENOPROTOOPT or EOPNOTSUPP, by kernel version.
 */
static inline bool ktlso_lib_no_ulp(int err)
{
	return err == ENOPROTOOPT || err == EOPNOTSUPP;
}

int ktlso_lib_ulp_name(int fd, char *name, socklen_t cap);

int ktlso_lib_build_request(const struct ktlso_params *p,
			    struct ktlso_hs_request *req);

int ktlso_lib_query(int fd, struct ktlso_hs_result *res);

/* Pending or running: the end has not come. */
static inline bool ktlso_lib_in_progress(uint32_t state)
{
	return state == KTLSO_HS_PENDING || state == KTLSO_HS_RUNNING;
}

#endif /* KTLSO_LIB_INTERNAL_H */
