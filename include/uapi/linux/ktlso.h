/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktlso: kernel TLS record layer with a userspace handshake daemon.
 *
 * The SOL_TLS socket options of ktlso are those of upstream <linux/tls.h>,
 * with the same numbers and structures; this header holds only what is
 * ktlso's own.
 */
#ifndef _UAPI_LINUX_KTLSO_H
#define _UAPI_LINUX_KTLSO_H

/*
 * The name to pass to setsockopt(fd, SOL_TCP, TCP_ULP, ...) to attach ktlso
 * to a connected TCP socket.  The module carries the alias "tcp-ulp-ktlso",
 * so the first such call loads it.
 */
#define KTLSO_ULP_NAME		"ktlso"

/*
 * ktlso-only SOL_TLS options are numbered from KTLSO_SOCKOPT_BASE upwards.
 * Upstream numbers its SOL_TLS options densely from 1, so this range cannot
 * meet an upstream option for the foreseeable life of the uAPI.
 */
#define KTLSO_SOCKOPT_BASE	0x4b540000

#endif /* _UAPI_LINUX_KTLSO_H */
