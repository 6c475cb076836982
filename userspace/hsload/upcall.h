/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-hsload's server handshakes through the kernel upcall (libktlso),
 * in a file of their own: <ktlso/ktlso.h> and the engine's headers both
 * name enum ktlso_role.
 */
#ifndef KTLSO_HSLOAD_UPCALL_H
#define KTLSO_HSLOAD_UPCALL_H

/* ktlso_handshake_start() as a server with the default profile. */
int hsload_upcall_start(int fd);

/* ktlso_handshake_poll(): 0 done, -EINPROGRESS, or the -errno it ended with. */
int hsload_upcall_poll(int fd);

#endif /* KTLSO_HSLOAD_UPCALL_H */
