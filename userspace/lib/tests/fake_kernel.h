/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake of the kernel side of one ktlso socket, for the library's host
 * tests: the library's socket calls (lib/internal.h's table) go to the
 * functions below for descriptor FAKE_FD, and to the C library for every
 * other descriptor.  A test sets how the socket answers (ULP attach
 * errors, the handshake's course over poll() calls, installed keys, the
 * records a reader finds) and reads back what the library asked (every
 * setsockopt, the request, the alerts it sent, its reads).
 *
 * The harness runs each test in its own process, so the one global fake
 * starts from zero in every test.
 */
#ifndef KTLSO_LIB_FAKE_KERNEL_H
#define KTLSO_LIB_FAKE_KERNEL_H

#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <time.h>

#include "lib/internal.h"

#define FAKE_FD		1000
#define FAKE_MAX_CALLS	16
#define FAKE_MAX_RECORDS 80
#define FAKE_RECORD_MAX	2048

struct fake_call {
	int level;
	int name;
	socklen_t len;
};

/* A record the kernel opened and has not handed over in full yet. */
struct fake_record {
	uint8_t type;		/* 23 application data, 21 alert, ... */
	uint8_t data[FAKE_RECORD_MAX];
	size_t len, off;
};

struct fake_kernel {
	/* --- how the socket answers -------------------------------- */
	char ulp[16];		/* attached ULP, "" for none */
	int attach_err;		/* TCP_ULP setsockopt fails with it */
	int request_err;	/* KTLSO_HANDSHAKE setsockopt fails with it */
	int tx_err;		/* TLS_TX setsockopt fails with it */
	/* the handshake's course: state until end_after poll() calls */
	struct ktlso_hs_result res;
	int end_after;		/* 0: never ends by itself */
	uint32_t end_state;
	uint32_t end_error;
	int poll_err;		/* the next poll() fails with it, once */
	bool always_ready;	/* poll() says POLLIN though nothing changed */
	short end_revents;	/* what poll() reports at the end */
	/* keys (for getsockopt TLS_TX/TLS_RX), version and cipher */
	struct tls_crypto_info tx, rx;
	bool have_tx, have_rx;
	int result_len;		/* getsockopt KTLSO_HANDSHAKE's length, 0: exact */
	/* getsockopt KTLSO_PEER_CERT: once done, these bytes (none: 0) */
	uint8_t peer_cert[KTLSO_PEER_CERT_MAX];
	size_t peer_cert_len;
	int peer_cert_err;	/* it fails with this (an older module) */
	int n_peer_cert_calls;
	/* key updates: these SOL_TLS calls fail with this errno */
	int secret_err, key_update_err, key_state_err;
	struct ktlso_key_state key_state;	/* getsockopt KTLSO_KEY_STATE */
	int key_state_len;	/* the length it reports, 0: exact */
	/* recvmsg(): these records in order, then TCP's end if eof, else
	 * recv_err (EAGAIN when 0) */
	struct fake_record rec[FAKE_MAX_RECORDS];
	int n_rec, next_rec;
	bool eof;
	int recv_err;

	/* --- what the library did ----------------------------------- */
	struct fake_call set[FAKE_MAX_CALLS];
	int n_set;
	struct ktlso_hs_request req;
	struct ktlso_traffic_secret tx_secret, rx_secret;
	uint32_t key_update;	/* the last KTLSO_KEY_UPDATE's value */
	int n_polls;
	int max_poll_timeout;
	uint8_t sent[64];
	size_t sent_len;
	int sent_type;		/* TLS_SET_RECORD_TYPE of the last sendmsg */
	int sent_flags;
	int n_recvs;		/* recvmsg() calls */
	int n_peeks;		/* of them with MSG_PEEK */
};

static struct fake_kernel fake;

static void fake_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int fake_setsockopt(int fd, int level, int name, const void *val,
			   socklen_t len)
{
	if (fd != FAKE_FD)
		return setsockopt(fd, level, name, val, len);
	if (fake.n_set < FAKE_MAX_CALLS)
		fake.set[fake.n_set++] = (struct fake_call){ level, name, len };
	if (level == SOL_TCP && name == TCP_ULP) {
		if (fake.attach_err)
			goto fail_attach;
		if (fake.ulp[0]) {
			errno = EEXIST;
			return -1;
		}
		strncpy(fake.ulp, val, sizeof(fake.ulp) - 1);
		return 0;
	}
	if (level != SOL_TLS || strcmp(fake.ulp, KTLSO_ULP_NAME)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	switch (name) {
	case KTLSO_HANDSHAKE:
		if (len != sizeof(fake.req)) {
			errno = EINVAL;
			return -1;
		}
		if (fake.request_err) {
			errno = fake.request_err;
			return -1;
		}
		memcpy(&fake.req, val, sizeof(fake.req));
		fake.res.state = KTLSO_HS_PENDING;
		return 0;
	case TLS_TX:
		if (fake.tx_err) {
			errno = fake.tx_err;
			return -1;
		}
		memcpy(&fake.tx, val, sizeof(fake.tx));
		fake.have_tx = true;
		return 0;
	case TLS_RX:
		memcpy(&fake.rx, val, sizeof(fake.rx));
		fake.have_rx = true;
		return 0;
	case KTLSO_TX_SECRET:
	case KTLSO_RX_SECRET:
		if (len != sizeof(struct ktlso_traffic_secret)) {
			errno = EINVAL;
			return -1;
		}
		if (fake.secret_err) {
			errno = fake.secret_err;
			return -1;
		}
		memcpy(name == KTLSO_TX_SECRET ? &fake.tx_secret :
						 &fake.rx_secret, val, len);
		return 0;
	case KTLSO_KEY_UPDATE:
		if (len != sizeof(uint32_t)) {
			errno = EINVAL;
			return -1;
		}
		if (fake.key_update_err) {
			errno = fake.key_update_err;
			return -1;
		}
		memcpy(&fake.key_update, val, sizeof(uint32_t));
		return 0;
	}
	errno = ENOPROTOOPT;
	return -1;
fail_attach:
	errno = fake.attach_err;
	return -1;
}

static int fake_getsockopt(int fd, int level, int name, void *val,
			   socklen_t *len)
{
	if (fd != FAKE_FD)
		return getsockopt(fd, level, name, val, len);
	if (level == SOL_TCP && name == TCP_ULP) {
		size_t n = strlen(fake.ulp);

		if (n > *len)
			n = *len;
		memcpy(val, fake.ulp, n);
		*len = (socklen_t)n;
		return 0;
	}
	if (level != SOL_TLS || !fake.ulp[0]) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (name == KTLSO_HANDSHAKE) {
		if (strcmp(fake.ulp, KTLSO_ULP_NAME)) {
			errno = ENOPROTOOPT;
			return -1;
		}
		if (*len != sizeof(fake.res)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(val, &fake.res, sizeof(fake.res));
		if (fake.result_len)
			*len = (socklen_t)fake.result_len;
		return 0;
	}
	if (name == KTLSO_PEER_CERT) {
		/* As the kernel: SO_PEERSEC's length rules, once done. */
		fake.n_peer_cert_calls++;
		if (fake.peer_cert_err || strcmp(fake.ulp, KTLSO_ULP_NAME)) {
			errno = fake.peer_cert_err ? fake.peer_cert_err :
						     ENOPROTOOPT;
			return -1;
		}
		if (fake.res.state != KTLSO_HS_DONE) {
			errno = ENOTCONN;
			return -1;
		}
		if (*len < fake.peer_cert_len) {
			*len = (socklen_t)fake.peer_cert_len;
			errno = ERANGE;
			return -1;
		}
		if (fake.peer_cert_len)
			memcpy(val, fake.peer_cert, fake.peer_cert_len);
		*len = (socklen_t)fake.peer_cert_len;
		return 0;
	}
	if (name == KTLSO_KEY_STATE) {
		if (strcmp(fake.ulp, KTLSO_ULP_NAME) || fake.key_state_err) {
			errno = fake.key_state_err ? fake.key_state_err :
						     ENOPROTOOPT;
			return -1;
		}
		if (*len != sizeof(fake.key_state)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(val, &fake.key_state, sizeof(fake.key_state));
		if (fake.key_state_len)
			*len = (socklen_t)fake.key_state_len;
		return 0;
	}
	if (name == TLS_TX || name == TLS_RX) {
		bool have = name == TLS_TX ? fake.have_tx : fake.have_rx;

		if (*len < sizeof(struct tls_crypto_info)) {
			errno = EINVAL;
			return -1;
		}
		if (!have) {
			errno = EBUSY;
			return -1;
		}
		memcpy(val, name == TLS_TX ? &fake.tx : &fake.rx,
		       sizeof(struct tls_crypto_info));
		*len = sizeof(struct tls_crypto_info);
		return 0;
	}
	errno = ENOPROTOOPT;
	return -1;
}

/*
 * While the handshake runs, poll() sleeps its whole timeout (nothing
 * happens) unless the test made it "always ready"; on the end_after-th
 * call the handshake ends and poll() returns at once.
 */
static int fake_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (n == 0 || fds[0].fd != FAKE_FD)
		return poll(fds, n, timeout);
	fake.n_polls++;
	if (timeout > fake.max_poll_timeout)
		fake.max_poll_timeout = timeout;
	if (fake.poll_err) {
		errno = fake.poll_err;
		fake.poll_err = 0;
		return -1;
	}
	if (fake.end_after && fake.n_polls >= fake.end_after &&
	    ktlso_lib_in_progress(fake.res.state)) {
		fake.res.state = fake.end_state;
		fake.res.error = fake.end_error;
		fds[0].revents = fake.end_revents ? fake.end_revents : POLLOUT;
		return 1;
	}
	if (fake.always_ready) {
		fds[0].revents = POLLIN;
		return 1;
	}
	if (timeout > 0)
		fake_sleep_ms(timeout);
	fds[0].revents = 0;
	return 0;
}

static ssize_t fake_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct cmsghdr *cmsg;
	size_t i;

	if (fd != FAKE_FD)
		return sendmsg(fd, msg, flags);
	fake.sent_len = 0;
	fake.sent_type = -1;
	fake.sent_flags = flags;
	for (cmsg = CMSG_FIRSTHDR((struct msghdr *)msg); cmsg;
	     cmsg = CMSG_NXTHDR((struct msghdr *)msg, cmsg))
		if (cmsg->cmsg_level == SOL_TLS &&
		    cmsg->cmsg_type == TLS_SET_RECORD_TYPE &&
		    cmsg->cmsg_len == CMSG_LEN(1))
			fake.sent_type = *CMSG_DATA(cmsg);
	for (i = 0; i < msg->msg_iovlen; i++) {
		size_t l = msg->msg_iov[i].iov_len;

		if (l > sizeof(fake.sent) - fake.sent_len)
			l = sizeof(fake.sent) - fake.sent_len;
		memcpy(fake.sent + fake.sent_len, msg->msg_iov[i].iov_base, l);
		fake.sent_len += l;
	}
	return (ssize_t)fake.sent_len;
}

/*
 * The receive rules of ktlso (kernel/rx.c): a TLS_GET_RECORD_TYPE cmsg
 * for the first record's type, a record that is not data needs room for
 * it (EIO) and is read on its own, data records run together in one read,
 * a short buffer leaves the rest of a record for the next, MSG_PEEK takes
 * nothing away.
 */
static ssize_t fake_recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t copied = 0, want = msg->msg_iov[0].iov_len;
	uint8_t *dst = msg->msg_iov[0].iov_base;
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg);
	int i = fake.next_rec, type = -1;
	bool rest;

	if (fd != FAKE_FD)
		return recvmsg(fd, msg, flags);
	fake.n_recvs++;
	fake.n_peeks += !!(flags & MSG_PEEK);
	while (copied < want && i < fake.n_rec) {
		struct fake_record *r = &fake.rec[i];
		size_t n = r->len - r->off;

		if (type >= 0 && r->type != type)
			break;
		if (type < 0) {
			type = r->type;
			if (!cmsg || msg->msg_controllen < CMSG_SPACE(1)) {
				if (type != 23) {
					errno = EIO;
					return -1;
				}
			} else {
				cmsg->cmsg_level = SOL_TLS;
				cmsg->cmsg_type = TLS_GET_RECORD_TYPE;
				cmsg->cmsg_len = CMSG_LEN(1);
				*CMSG_DATA(cmsg) = r->type;
				msg->msg_controllen = CMSG_SPACE(1);
			}
		}
		if (n > want - copied)
			n = want - copied;
		memcpy(dst + copied, r->data + r->off, n);
		copied += n;
		rest = r->off + n < r->len;
		if (!(flags & MSG_PEEK)) {
			r->off += n;
			fake.next_rec += !rest;
		}
		if (rest || type != 23)
			break;
		i++;
	}
	if (type >= 0)
		return (ssize_t)copied;
	msg->msg_controllen = 0;
	if (fake.eof)
		return 0;
	errno = fake.recv_err ? fake.recv_err : EAGAIN;
	return -1;
}

/* Queue a record for the reader. */
static inline void fake_record(uint8_t type, const void *data, size_t len)
{
	struct fake_record *r = &fake.rec[fake.n_rec++];

	r->type = type;
	memcpy(r->data, data, len);
	r->len = len;
	r->off = 0;
}

static const struct ktlso_sys fake_sys = {
	.setsockopt = fake_setsockopt,
	.getsockopt = fake_getsockopt,
	.poll = fake_poll,
	.sendmsg = fake_sendmsg,
	.recvmsg = fake_recvmsg,
};

/* Route the library's calls to the fake, with a fresh socket. */
static inline void fake_install(void)
{
	memset(&fake, 0, sizeof(fake));
	ktlso_lib_sys = &fake_sys;
}

/* The handshake ends on the n-th poll() with @state and @error. */
static inline void fake_end_after(int n, uint32_t state, uint32_t error)
{
	fake.end_after = n;
	fake.end_state = state;
	fake.end_error = error;
}

static inline int64_t test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* KTLSO_LIB_FAKE_KERNEL_H */
