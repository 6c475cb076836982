/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ktlso selftests: loopback TCP connections, records
 * of a chosen content type, counters, and the module's state as sysfs
 * shows it.
 */
#ifndef KTLSO_TEST_H
#define KTLSO_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/*
 * Connect a TCP client to a listener on the loopback address of @family and
 * return both ends of the established connection.  Returns 0 or -errno.
 */
static inline int ktlso_tcp_pair(int family, int *client, int *server)
{
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					     sizeof(struct sockaddr_in);
	int lfd, cfd = -1, sfd = -1, err;

	if (family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	else
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &len))
		goto fail;
	cfd = socket(family, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&ss, len))
		goto fail;
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		goto fail;
	close(lfd);
	*client = cfd;
	*server = sfd;
	return 0;
fail:
	err = -errno;
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return err;
}

/* Attach the ktlso ULP; returns 0 or -errno. */
static inline int ktlso_attach(int fd)
{
	if (setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
		       sizeof(KTLSO_ULP_NAME)))
		return -errno;
	return 0;
}

/* Close with an RST so the socket is destroyed at once, not in FIN_WAIT. */
static inline void ktlso_close_now(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Write all of @len bytes; returns 0 or -errno. */
static inline int ktlso_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Read exactly @len bytes; returns 0, -errno, or -EPIPE on early EOF. */
static inline int ktlso_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* Fill @buf with a pattern that depends on @seed and every byte's offset. */
static inline void ktlso_fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 2654435761u + seed) >> 13);
}

/* CLOCK_MONOTONIC in milliseconds. */
static inline long ktlso_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The number a sysfs or debugfs file @path holds, or -1. */
static inline long ktlso_read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * Write @val to the sysfs or debugfs file @path in one write(): 0, or
 * -errno (the write's own, as a parameter's setter returned it).
 */
static inline int ktlso_write_str(const char *path, const char *val)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? -errno : n == (ssize_t)strlen(val) ? 0 : -EIO;
	close(fd);
	return err;
}

/* Is module @name loaded (or still going away)? */
static inline bool ktlso_module_loaded(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* Unload module @name if nothing uses it: 0, or -1 with errno set. */
static inline int ktlso_delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/* The module's reference count from sysfs, or -1 if it is not loaded. */
static inline int ktlso_module_refcnt(void)
{
	return ktlso_read_long("/sys/module/ktlso/refcnt");
}

/* Wait up to @ms for the module refcount to become @want. */
static inline bool ktlso_wait_refcnt(int want, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < ms / 10; i++) {
		if (ktlso_module_refcnt() == want)
			return true;
		nanosleep(&ts, NULL);
	}
	return ktlso_module_refcnt() == want;
}

/* Counter @name of the stat file @file (as /proc/net/tls_stat), or -1. */
static inline long ktlso_stat_in(const char *file, const char *name)
{
	char key[64];
	long val, found = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

/* Counter @name of this network namespace's /proc/net/ktlso_stat, or -1. */
static inline long ktlso_stat(const char *name)
{
	return ktlso_stat_in("/proc/net/ktlso_stat", name);
}

/* One sendmsg() whose record carries content type @type. */
static inline int send_typed(int fd, uint8_t type, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cmsg) = type;
	n = sendmsg(fd, &msg, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/*
 * recvmsg() of one record's worth with @flags and room for its
 * TLS_GET_RECORD_TYPE cmsg: the bytes read (or -errno), the type in @type
 * (0 if none came).
 */
static inline ssize_t recv_typed_flags(int fd, void *buf, size_t cap,
				       int flags, uint8_t *type)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))];
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	*type = 0;
	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return -errno;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_TLS &&
		    cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(cmsg);
	return n;
}

/* recv_typed_flags() without flags. */
static inline ssize_t recv_typed(int fd, void *buf, size_t cap, uint8_t *type)
{
	return recv_typed_flags(fd, buf, cap, 0, type);
}

#endif /* KTLSO_TEST_H */
