// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl stats: the record layer's counters of /proc/net/ktlso_stat (for
 * the caller's network namespace) and the handshake counters.
 *
 * Exit status: 0; 1 when ktlso is not loaded; 3 when a source could not
 * be read.
 */
#include <errno.h>
#include <string.h>

#include <netlink/errno.h>

#include "ctl.h"

int ctl_cmd_stats(struct ctl_out *o)
{
	struct ctl_stat stats[CTL_STAT_MAX];
	struct ctl_status st;
	FILE *f;
	int n, i, err;

	f = fopen(CTL_STAT_PATH, "r");
	if (!f) {
		if (errno == ENOENT) {
			ctl_out_bool(o, "module", "module", false, "loaded",
				     "not loaded");
			return CTL_EXIT_NO_MODULE;
		}
		fprintf(stderr, PROG ": %s: %s\n", CTL_STAT_PATH,
			strerror(errno));
		return CTL_EXIT_ERROR;
	}
	n = ctl_proc_stats_parse(f, stats, CTL_STAT_MAX);
	fclose(f);
	if (n < 0) {
		fprintf(stderr, PROG ": %s: %s\n", CTL_STAT_PATH,
			strerror(-n));
		return CTL_EXIT_ERROR;
	}

	ctl_out_section(o, "record", "record layer:");
	for (i = 0; i < n; i++)
		ctl_out_i64(o, stats[i].name, stats[i].name, stats[i].value);
	ctl_out_section_end(o);

	err = ctl_status_query(&st);
	if (err) {
		fprintf(stderr, PROG ": no handshake counters: %s\n",
			ctl_nl_strerror(err));
		return CTL_EXIT_ERROR;
	}
	ctl_out_section(o, "handshake", "handshakes:");
	ctl_out_handshakes(o, &st);
	ctl_out_section_end(o);
	return CTL_EXIT_OK;
}
