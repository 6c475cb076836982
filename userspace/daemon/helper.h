/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key reader: a small process that stays root so that an unprivileged
 * ktlsod can still reload its configuration.
 *
 * ktlsod started as root with "user = NAME" forks it just before it drops
 * to NAME. On each SIGHUP the daemon asks it (one byte on a socketpair);
 * it loads the configuration file exactly as the daemon would, reading
 * the file and every certificate and key file it names, and sends back
 * those files' bytes in a sealed memfd (files.h), or a refusal when the
 * configuration has a problem (which it logs). The daemon then loads the
 * same configuration from those bytes alone.
 *
 * So the daemon gets only the files the configuration (root's file)
 * names, never a path of its choosing; the helper parses nothing that
 * comes from the network or from applications, keeps no capability (root's
 * own files need none), cannot gain privileges, is not dumpable, and exits
 * when the daemon goes away. It reads only files that root alone can
 * change, down every directory of their resolved paths, so the daemon
 * cannot point it at another file (files.h, KD_FILES_READ_ROOT).
 */
#ifndef KTLSOD_HELPER_H
#define KTLSOD_HELPER_H

#include <sys/types.h>

#include "daemon/files.h"

struct kd_helper {
	pid_t pid;		/* 0: no helper */
	int fd;
};

/* No helper (a zeroed one is none too): kd_helper_stop() is a no-op. */
#define KD_HELPER_NONE ((struct kd_helper){ .pid = 0, .fd = -1 })

/**
 * kd_helper_start() - fork the key reader
 * @h: the helper, set up on success
 * @conf_path: the configuration file, absolute
 *
 * Return: 0, or -1 with the reason logged.
 */
int kd_helper_start(struct kd_helper *h, const char *conf_path);

/**
 * kd_helper_read() - have the helper read the configuration's files
 * @h: a started helper
 * @out: set to the files read (KD_FILES_REPLAY) on success
 *
 * Blocks until the helper answers (bounded by a 30 s timeout).
 *
 * Return: 0; -1 when the configuration has a problem (the helper logged
 * it) or the helper is gone or does not answer (logged here).
 */
int kd_helper_read(struct kd_helper *h, struct kd_files *out);

/* Close the channel and reap the helper (it exits on end of file). */
void kd_helper_stop(struct kd_helper *h);

#endif /* KTLSOD_HELPER_H */
