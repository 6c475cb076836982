// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-hsload's upcall side. See upcall.h.
 */
#include <ktlso/ktlso.h>

#include "hsload/upcall.h"

int hsload_upcall_start(int fd)
{
	static const struct ktlso_params p = { .role = KTLSO_SERVER };

	return ktlso_handshake_start(fd, &p);
}

int hsload_upcall_poll(int fd)
{
	return ktlso_handshake_poll(fd);
}
