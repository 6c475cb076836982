/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlsod's log: one line per call, with a level, to stderr or to syslog.
 *
 *	kd_log_init(KD_LOG_INFO, false);
 *	kd_log(KD_LOG_WARNING, "profile %s: no suite left", name);
 *
 * Lines below the current level are dropped. The level names are those of
 * the configuration file ("error", "warning", "info", "debug").
 */
#ifndef KTLSOD_LOG_H
#define KTLSOD_LOG_H

#include <stdbool.h>

enum kd_log_level {
	KD_LOG_ERROR,
	KD_LOG_WARNING,
	KD_LOG_INFO,
	KD_LOG_DEBUG,
};

/**
 * kd_log_init() - set where lines go and which are kept
 * @level: the most verbose level kept
 * @syslog: true: syslog (ident "ktlsod", facility daemon); false: stderr
 */
void kd_log_init(enum kd_log_level level, bool syslog);

/* Change the level only (a reload, -v). */
void kd_log_set_level(enum kd_log_level level);
enum kd_log_level kd_log_get_level(void);

/* Would a line at @level be kept? (Skip building expensive lines.) */
bool kd_log_enabled(enum kd_log_level level);

void kd_log(enum kd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Lines a peer can cause at will (a failed handshake, the engine's
 * warnings about what a peer sent) share one budget for the whole daemon:
 * KD_LOG_PEER_BURST at once, KD_LOG_PEER_PER_S a second on average. Those
 * over it are dropped and counted, and the next line kept says how many.
 */
#define KD_LOG_PEER_BURST 20
#define KD_LOG_PEER_PER_S 5

/*
 * A configuration load's problem reporter (kd_report_fn, conf.h) that logs
 * each problem as an error; @arg is unused.
 */
void kd_log_problem(void *arg, const char *msg);

/**
 * kd_log_peer() - kd_log(), within the peers' budget
 * @level: as kd_log()'s
 * @fmt: as kd_log()'s
 *
 * Return: whether the line was logged (or below the level anyway: true).
 */
bool kd_log_peer(enum kd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * kd_log_level_parse() - a level from its name
 * @name: "error", "warning", "info" or "debug"
 * @level: set on success
 *
 * Return: 0, or -1 for an unknown name.
 */
int kd_log_level_parse(const char *name, enum kd_log_level *level);

const char *kd_log_level_name(enum kd_log_level level);

#endif /* KTLSOD_LOG_H */
