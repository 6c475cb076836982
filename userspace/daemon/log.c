// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's log: stderr or syslog, filtered by level. See log.h.
 *
 * Thread-safe: every thread logs; the level is an atomic the main thread
 * sets (reloads); each line is one fprintf() (stdio locks the stream) or
 * one syslog() call. kd_log_init() runs before the workers start.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "daemon/log.h"

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

void kd_log(enum kd_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!kd_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_syslog)
		syslog(syslog_prio[level], "%s", line);
	else
		fprintf(stderr, "ktlsod: %s: %s\n", level_names[level], line);
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
