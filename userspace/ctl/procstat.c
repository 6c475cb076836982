// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl: /proc/net/ktlso_stat, one "Name<whitespace>value" line per
 * counter, the names those of in-tree kTLS's /proc/net/tls_stat.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* A counter name: letters and digits, as the kernel prints them. */
static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/**
 * ctl_proc_stats_parse() - read the counters of /proc/net/ktlso_stat
 * @f: the file
 * @out: the counters, in the file's order
 * @cap: entries at @out
 *
 * Return: the number of counters read; -EBADMSG for a line that is not a
 * name and a decimal value; -E2BIG for more than @cap counters.
 */
int ctl_proc_stats_parse(FILE *f, struct ctl_stat *out, size_t cap)
{
	char line[256];
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *name, *value, *end, *save = NULL;
		long long v;

		if (!strchr(line, '\n') && !feof(f))
			return -EBADMSG;	/* a line longer than any */
		name = strtok_r(line, " \t\n", &save);
		if (!name)
			continue;		/* blank */
		value = strtok_r(NULL, " \t\n", &save);
		if (!value || strtok_r(NULL, " \t\n", &save))
			return -EBADMSG;
		if (!name_ok(name) || strlen(name) >= CTL_STAT_NAME_MAX)
			return -EBADMSG;
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno || *end || end == value)
			return -EBADMSG;
		if (n == cap)
			return -E2BIG;
		strcpy(out[n].name, name);
		out[n].value = v;
		n++;
	}
	return (int)n;
}
