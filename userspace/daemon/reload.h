/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration reloads off the main loop. A reload reads files: the
 * configuration, every certificate and key, CA bundles and directories,
 * through the key reader when there is one (which may take up to its
 * 30 s timeout), and the kernel's AEADs are probed again. The main thread
 * must not wait for any of that, since it passes every request and
 * outcome between the kernel and the workers; so a load runs on a thread
 * of its own, and the main thread only swaps its result in:
 *
 *	kd_reload_init(&r, conf_path, &helper);
 *	watch kd_reload_fd(&r) in the main loop;
 *	on SIGHUP:	kd_reload_request(&r);
 *	when readable:	kd_reload_collect(&r, &conf, &probe);
 *	at the end:	kd_reload_fini(&r, wait_ms);
 *
 * One load at a time. A request while one runs is remembered, and another
 * load starts when it ends (any number of requests meanwhile count as
 * one), so the last SIGHUP always sees the files as they were when it
 * came.
 *
 * Who touches what: a load's thread, its result (@ret, @conf, @probe)
 * and, while it runs, the key reader (nothing else uses it then); the
 * main thread everything else, and a result only after joining the
 * thread that made it.
 */
#ifndef KTLSOD_RELOAD_H
#define KTLSOD_RELOAD_H

#include <pthread.h>
#include <stdbool.h>

#include "daemon/conf.h"
#include "daemon/helper.h"
#include "daemon/kalg.h"

struct kd_reload {
	const char *conf_path;
	struct kd_helper *helper;	/* or NULL: the files are read here */
	int fd;				/* eventfd: a load has ended */
	pthread_t thread;
	bool running;			/* a load's thread to join */
	bool again;			/* requested while one ran */
	/* A load's result: its thread writes it, then the main thread. */
	int ret;
	struct kd_config *conf;
	struct kd_kalg_probe probe;
};

/**
 * kd_reload_init() - set up reloads of @conf_path
 * @r: the reloader
 * @conf_path: the configuration file, absolute; must outlive @r
 * @helper: the key reader, or NULL (or one with no process) to read the
 *	files in this process
 *
 * Return: 0 or -errno (no eventfd).
 */
int kd_reload_init(struct kd_reload *r, const char *conf_path,
		   struct kd_helper *helper);

/* Readable when a load has ended: call kd_reload_collect(). */
static inline int kd_reload_fd(const struct kd_reload *r)
{
	return r->fd;
}

/**
 * kd_reload_request() - load the configuration again, off this thread
 * @r: the reloader
 *
 * Starts a load, or when one runs, has another follow it. Returns at once.
 *
 * Return: 0, or -errno when no thread could be started (logged).
 */
int kd_reload_request(struct kd_reload *r);

/**
 * kd_reload_collect() - the result of a load that has ended
 * @r: the reloader
 * @conf: set to the new configuration (a reference for the caller) on 1
 * @probe: set to the kernel probe the load used, on 1
 *
 * Starts the load that was asked for meanwhile, if any.
 *
 * Return: 1 with a new configuration; 0 when no load has ended; -1 when
 * the load failed (its problems are logged; the old configuration stays).
 */
int kd_reload_collect(struct kd_reload *r, struct kd_config **conf,
		      struct kd_kalg_probe *probe);

/**
 * kd_reload_fini() - wait for a running load, then release @r
 * @r: the reloader
 * @wait_ms: how long a running load may still take
 *
 * A load that ends in time is joined and its result dropped. One that
 * does not (a file that never ends, a key reader that hangs) is left to
 * the process's exit, and logged; its thread still holds the key reader
 * then, so the caller must not stop the helper.
 *
 * Return: true when a load was left running.
 */
bool kd_reload_fini(struct kd_reload *r, unsigned int wait_ms);

#endif /* KTLSOD_RELOAD_H */
