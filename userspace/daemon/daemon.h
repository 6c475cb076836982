/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlsod's main loop: netlink READY -> HS_ACCEPT -> a handshake on one of
 * the worker threads -> HS_DONE; SIGHUP reloads the configuration, SIGTERM
 * and SIGINT stop (handshakes in flight are failed with ECONNABORTED).
 *
 * Threads: the main thread owns netlink (HS_ACCEPT and HS_DONE go over its
 * one socket; the tickets the kernel forwards for the connections ktlsod
 * ran as a client come on another), signals, the configuration's
 * references and the counters;
 * handshakes run on the workers (workers.h says who touches what), and a
 * reload reads and parses the files on a thread of its own, handing the
 * main thread a configuration to swap in (reload.h). Nothing slow runs on
 * the main thread: it only moves requests, outcomes and configurations.
 */
#ifndef KTLSOD_DAEMON_H
#define KTLSOD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/client_resume.h"
#include "daemon/conf.h"
#include "daemon/genl.h"
#include "daemon/helper.h"
#include "daemon/inflight.h"
#include "daemon/kalg.h"
#include "daemon/loop.h"
#include "daemon/reload.h"
#include "daemon/tickets.h"
#include "daemon/workers.h"

struct kd_daemon {
	const char *conf_path;
	int verbosity;			/* -v count, on top of log_level */
	struct kd_config *conf;		/* the current one (a reference) */
	struct kd_kalg_probe probe;
	struct kd_genl genl;
	struct kd_helper helper;	/* reads the files on reload; or none */
	struct kd_loop loop;
	struct kd_workers workers;
	struct kd_reload reload;
	struct kd_inflight inflight;	/* per peer and per user */
	struct kd_tickets tickets;	/* TLS 1.3 ticket keys */
	struct kd_client_resume client;	/* clients' sessions */
	struct kd_watch nl_watch, sig_watch, done_watch, reload_watch;
	struct kd_watch tickets_watch;	/* the kernel's client tickets */
	bool want_accept;		/* requests may be pending */
	bool stop;
	bool failed;			/* stopping because of an error */
	bool reload_left;		/* still running: it holds the helper */
	uint64_t completed, failed_hs;
	uint64_t refused;		/* requests an access list refused */
	uint64_t busy;			/* over a per-peer or per-user bound */
};

/* The log level of @c with @verbosity steps more. */
enum kd_log_level kd_daemon_log_level(const struct kd_config *c,
				      int verbosity);

/* Log the probe result, one line per AEAD. */
void kd_daemon_log_probe(const struct kd_kalg_probe *p);

/* Log what a loaded configuration holds, one line per profile. */
void kd_daemon_log_config(const struct kd_config *c);

/**
 * kd_daemon_run() - serve until SIGTERM or SIGINT
 * @d: conf_path, verbosity, conf, probe, genl (open) and helper set
 *
 * SIGHUP loads the configuration again (through the key reader when there
 * is one, an unprivileged daemon's; else directly). On success the new
 * configuration serves new requests (handshakes in flight keep theirs); on
 * failure every problem is logged and the old one stays. A changed "user"
 * or "workers" takes effect at the next start.
 *
 * Return: 0 on a clean stop, 1 when the loop could not be set up or
 * failed, or the daemon may not take requests (no CAP_NET_ADMIN).
 */
int kd_daemon_run(struct kd_daemon *d);

/**
 * kd_daemon_reload_collect() - swap in what a reload loaded
 * @d: the daemon; its reload fd is readable
 *
 * On the main thread, when a reload started by SIGHUP (kd_reload_request()
 * on @d->reload) has ended: its configuration becomes @d->conf (the old
 * one lives on in the handshakes that hold it) and the log level follows
 * it.
 *
 * Return: 1 when swapped, 0 when no reload has ended, -1 when it failed
 * (logged; the old configuration stays).
 */
int kd_daemon_reload_collect(struct kd_daemon *d);

#endif /* KTLSOD_DAEMON_H */
