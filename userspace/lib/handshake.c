// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: requesting the handshake and waiting for its end.
 *
 * The kernel keeps the socket silent for poll() while the handshake is
 * pending or running and wakes pollers when it ends (EPOLLERR with it on
 * failure); getsockopt(KTLSO_HANDSHAKE) then says how it ended.  The wait
 * loop below polls in slices and asks the kernel after every wakeup and
 * every slice, so a wakeup that is missed or spurious costs at most one
 * slice and never a wrong answer; a poll() that keeps saying "ready"
 * while the handshake runs (no kernel of ours does) costs a short pause
 * per round instead of a busy loop.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* The longest single poll(); the state is read again after each. */
#define WAIT_SLICE_MS	1000
/* The pause after poll() said "ready" while the handshake still runs. */
#define SPURIOUS_PAUSE_MS	10

/**
 * ktlso_lib_query() - getsockopt(SOL_TLS, KTLSO_HANDSHAKE)
 * @fd: the socket
 * @res: filled in
 *
 * Return: 0 or -errno; a reply of another size than the uAPI's is -EPROTO.
 */
int ktlso_lib_query(int fd, struct ktlso_hs_result *res)
{
	socklen_t len = sizeof(*res);

	memset(res, 0, sizeof(*res));
	if (ktlso_lib_sys->getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, res, &len))
		return -errno;
	if (len != sizeof(*res))
		return -EPROTO;
	/* The strings are the kernel's; make sure they end. */
	res->alpn[sizeof(res->alpn) - 1] = '\0';
	res->peer[sizeof(res->peer) - 1] = '\0';
	return 0;
}

KTLSO_API int ktlso_handshake_start(int fd, const struct ktlso_params *p)
{
	struct ktlso_hs_request req;
	int err;

	err = ktlso_lib_build_request(p, &req);
	if (err)
		return err;
	err = ktlso_attach_ulp(fd);
	if (err)
		return err;
	if (ktlso_lib_sys->setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req,
				      sizeof(req)))
		return -errno;
	return 0;
}

KTLSO_API int ktlso_handshake_poll(int fd)
{
	struct ktlso_hs_result res;
	int err;

	err = ktlso_lib_query(fd, &res);
	if (err)
		return err;
	switch (res.state) {
	case KTLSO_HS_NONE:
		return -EINVAL;
	case KTLSO_HS_PENDING:
	case KTLSO_HS_RUNNING:
		return -EINPROGRESS;
	case KTLSO_HS_DONE:
		return 0;
	case KTLSO_HS_FAILED:
		/* A failure always has a cause; a kernel that omits it lies. */
		if (res.error == 0 || res.error >= 4096)
			return -EPROTO;
		return -(int)res.error;
	default:
		return -EPROTO;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

KTLSO_API int ktlso_handshake_wait(int fd, int timeout_ms)
{
	int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
	bool spurious = false;
	int ret;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
		int slice = spurious ? SPURIOUS_PAUSE_MS : WAIT_SLICE_MS;

		ret = ktlso_handshake_poll(fd);
		if (ret != -EINPROGRESS)
			return ret;
		if (timeout_ms >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return -EINPROGRESS;
			if (left < slice)
				slice = (int)left;
		}
		if (spurious)
			ret = ktlso_lib_sys->poll(NULL, 0, slice);
		else
			ret = ktlso_lib_sys->poll(&pfd, 1, slice);
		if (ret < 0)
			return -errno;
		if (!spurious && ret > 0 && (pfd.revents & POLLNVAL))
			return -EBADF;
		spurious = !spurious && ret > 0;
	}
}

KTLSO_API int ktlso_handshake(int fd, const struct ktlso_params *p)
{
	int err;

	err = ktlso_handshake_start(fd, p);
	if (err)
		return err;
	return ktlso_handshake_wait(fd, -1);
}
