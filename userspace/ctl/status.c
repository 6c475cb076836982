// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl status: is ktlso loaded (its generic netlink family registered),
 * does a handshake daemon listen, and the handshake counters.
 *
 * Exit status: 0 when both hold, 1 when ktlso is not loaded, 2 when no
 * daemon listens, 3 when the kernel could not be asked.
 */
#include <netlink/errno.h>

#include <linux/ktlso.h>

#include "ctl.h"

/**
 * ctl_out_handshakes() - the handshake counters, for "status" and "stats"
 * @o: the output
 * @st: the counters
 */
void ctl_out_handshakes(struct ctl_out *o, const struct ctl_status *st)
{
	ctl_out_u64(o, "pending", "pending", st->pending);
	ctl_out_u64(o, "running", "running", st->running);
	ctl_out_u64(o, "max_pending", "max pending", st->max_pending);
	ctl_out_u64(o, "requested", "requested", st->requested);
	ctl_out_u64(o, "completed", "completed", st->completed);
	ctl_out_u64(o, "failed", "failed", st->failed);
	ctl_out_u64(o, "timed_out", "timed out", st->timed_out);
	ctl_out_u64(o, "refused", "refused", st->refused);
}

int ctl_cmd_status(struct ctl_out *o)
{
	struct ctl_status st;
	int err;

	err = ctl_status_query(&st);
	if (err == -NLE_OBJ_NOTFOUND) {
		ctl_out_bool(o, "module", "module", false, "loaded",
			     "not loaded");
		return CTL_EXIT_NO_MODULE;
	}
	if (err) {
		fprintf(stderr, PROG ": cannot ask the kernel: %s\n",
			ctl_nl_strerror(err));
		return CTL_EXIT_ERROR;
	}
	ctl_out_bool(o, "module", "module", true, "loaded", "not loaded");
	ctl_out_u64(o, "family_id", "family id", (uint64_t)st.family);
	ctl_out_bool(o, "daemon", "daemon", st.listeners, "listening",
		     "not running");
	ctl_out_handshakes(o, &st);
	return st.listeners ? CTL_EXIT_OK : CTL_EXIT_NO_DAEMON;
}
