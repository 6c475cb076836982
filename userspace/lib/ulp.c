// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: attaching the ktlso ULP to a TCP socket.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "internal.h"

/**
 * ktlso_lib_ulp_name() - the name of the ULP attached to a TCP socket
 * @fd: the socket
 * @name: where to write it, NUL-terminated ("" for none)
 * @cap: bytes at @name, at least 2
 *
 * Return: 0 or -errno of getsockopt(TCP_ULP).
 */
int ktlso_lib_ulp_name(int fd, char *name, socklen_t cap)
{
	socklen_t len = cap - 1;

	memset(name, 0, cap);
	if (ktlso_lib_sys->getsockopt(fd, SOL_TCP, TCP_ULP, name, &len))
		return -errno;
	return 0;
}

/**
 * ktlso_attach_ulp() - attach ktlso to a connected TCP socket
 * @fd: the socket
 *
 * Return: 0 (also when ktlso was attached already), or a negative errno:
 * -EEXIST when another ULP holds the socket.
 */
KTLSO_API int ktlso_attach_ulp(int fd)
{
	char name[KTLSO_INFO_ULP_LEN];
	int err;

	if (!ktlso_lib_sys->setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
				       sizeof(KTLSO_ULP_NAME)))
		return 0;
	err = errno;
	if (err != EEXIST)
		return -err;
	/* Some ULP is there: fine if it is ours. */
	err = ktlso_lib_ulp_name(fd, name, sizeof(name));
	if (err)
		return err;
	return strcmp(name, KTLSO_ULP_NAME) ? -EEXIST : 0;
}
