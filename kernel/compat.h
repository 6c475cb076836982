/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso: the differences between the kernels ktlso builds for (Debian's 6.1
 * and 6.12), kept here so the data path has no version conditionals.
 */
#ifndef _KTLSO_COMPAT_H
#define _KTLSO_COMPAT_H

#include <linux/version.h>

/*
 * Before 6.5, sendfile() and splice() into a socket reach the protocol
 * through proto->sendpage(); from 6.5 on they arrive as sendmsg() with
 * MSG_SPLICE_PAGES and proto->sendpage() is gone.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define KTLSO_HAVE_SENDPAGE 1
#else
#define KTLSO_HAVE_SENDPAGE 0
#define MSG_SENDPAGE_NOTLAST 0
#endif

#endif /* _KTLSO_COMPAT_H */
