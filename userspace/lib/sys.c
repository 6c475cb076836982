// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: the C library's socket calls, the ones every build uses.
 */
#include <errno.h>

#include "internal.h"

const struct ktlso_sys ktlso_lib_sys_libc = {
	.setsockopt = setsockopt,
	.getsockopt = getsockopt,
	.poll = poll,
	.sendmsg = sendmsg,
	.recvmsg = recvmsg,
};

const struct ktlso_sys *ktlso_lib_sys = &ktlso_lib_sys_libc;
