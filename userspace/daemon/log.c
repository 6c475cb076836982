// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's log: stderr or syslog, filtered by level. See log.h.
 *
 * Thread-safe: every thread logs; the level is an atomic the main thread
 * sets (reloads); each line is one fprintf() (stdio locks the stream) or
 * one syslog() call; the peers' budget has a mutex. kd_log_init() runs
 * before the workers start.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "daemon/log.h"
#include "daemon/loop.h"

static _Atomic int log_level = KD_LOG_INFO;
static bool log_syslog;

static const char *const level_names[] = {
	[KD_LOG_ERROR] = "error",
	[KD_LOG_WARNING] = "warning",
	[KD_LOG_INFO] = "info",
	[KD_LOG_DEBUG] = "debug",
};

static const int syslog_prio[] = {
	[KD_LOG_ERROR] = LOG_ERR,
	[KD_LOG_WARNING] = LOG_WARNING,
	[KD_LOG_INFO] = LOG_INFO,
	[KD_LOG_DEBUG] = LOG_DEBUG,
};

void kd_log_init(enum kd_log_level level, bool use_syslog)
{
	if (log_syslog && !use_syslog)
		closelog();
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("ktlsod", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void kd_log_set_level(enum kd_log_level level)
{
	log_level = level;
}

enum kd_log_level kd_log_get_level(void)
{
	return (enum kd_log_level)log_level;
}

bool kd_log_enabled(enum kd_log_level level)
{
	return (int)level <= log_level;
}

static void emit(enum kd_log_level level, const char *line)
{
	if (log_syslog)
		syslog(syslog_prio[level], "%s", line);
	else
		fprintf(stderr, "ktlsod: %s: %s\n", level_names[level], line);
}

void kd_log(enum kd_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!kd_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(level, line);
}

/* The peers' budget: a token bucket, in thousandths of a line. */
static pthread_mutex_t peer_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t peer_tokens = KD_LOG_PEER_BURST * 1000ull;
static uint64_t peer_refilled_ms;
static unsigned long peer_dropped;

void kd_log_problem(void *arg, const char *msg)
{
	(void)arg;
	kd_log(KD_LOG_ERROR, "%s", msg);
}

bool kd_log_peer(enum kd_log_level level, const char *fmt, ...)
{
	unsigned long dropped = 0;
	char line[1024];
	bool keep;
	uint64_t now;
	va_list ap;
	int len;

	if (!kd_log_enabled(level))
		return true;
	pthread_mutex_lock(&peer_lock);
	now = kd_now_ms();
	if (peer_refilled_ms) {
		peer_tokens += (now - peer_refilled_ms) * KD_LOG_PEER_PER_S;
		if (peer_tokens > KD_LOG_PEER_BURST * 1000ull)
			peer_tokens = KD_LOG_PEER_BURST * 1000ull;
	}
	peer_refilled_ms = now;
	keep = peer_tokens >= 1000;
	if (keep) {
		peer_tokens -= 1000;
		dropped = peer_dropped;
		peer_dropped = 0;
	} else {
		peer_dropped++;
	}
	pthread_mutex_unlock(&peer_lock);
	if (!keep)
		return false;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (dropped && len >= 0 && (size_t)len < sizeof(line))
		snprintf(line + len, sizeof(line) - (size_t)len,
			 " (%lu similar lines dropped before this one)",
			 dropped);
	emit(level, line);
	return true;
}

int kd_log_level_parse(const char *name, enum kd_log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum kd_log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *kd_log_level_name(enum kd_log_level level)
{
	if ((size_t)level < sizeof(level_names) / sizeof(level_names[0]))
		return level_names[level];
	return "?";
}
