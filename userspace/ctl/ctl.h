/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlsoctl: the pieces its subcommands share.
 *
 *	genl.c		KTLSO_CMD_STATUS over generic netlink (libnl)
 *	procstat.c	/proc/net/ktlso_stat
 *	output.c	text or JSON output
 *	status.c	"ktlsoctl status"
 *	stats.c		"ktlsoctl stats"
 *	sockets.c	"ktlsoctl sockets" (sock_diag)
 */
#ifndef KTLSO_CTL_H
#define KTLSO_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#define PROG "ktlsoctl"

/* Exit statuses. */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_NO_MODULE = 1,		/* ktlso is not loaded */
	CTL_EXIT_NO_DAEMON = 2,		/* status: no handshake daemon */
	CTL_EXIT_ERROR = 3,		/* a query failed */
	CTL_EXIT_USAGE = EX_USAGE,	/* 64 */
};

/* --- output ------------------------------------------------------------ */

/**
 * struct ctl_out - where a subcommand writes, as text or as one JSON object
 * @f: the stream
 * @json: JSON instead of text
 * @depth: open objects
 * @count: members written in each open object
 */
struct ctl_out {
	FILE *f;
	bool json;
	int depth;
	int count[4];
};

void ctl_out_begin(struct ctl_out *o, FILE *f, bool json);
void ctl_out_end(struct ctl_out *o);
void ctl_out_section(struct ctl_out *o, const char *key, const char *title);
void ctl_out_section_end(struct ctl_out *o);
void ctl_out_u64(struct ctl_out *o, const char *key, const char *label,
		 uint64_t v);
void ctl_out_i64(struct ctl_out *o, const char *key, const char *label,
		 int64_t v);
void ctl_out_bool(struct ctl_out *o, const char *key, const char *label,
		  bool v, const char *yes, const char *no);
void ctl_out_str(struct ctl_out *o, const char *key, const char *label,
		 const char *v);
void ctl_json_string(FILE *f, const char *s);

/* --- KTLSO_CMD_STATUS ---------------------------------------------------- */

/**
 * struct ctl_status - the handshake counters of the caller's namespace
 * @family: the generic netlink family's id
 * @have: bit (1 << KTLSO_A_*) set for each attribute the kernel sent
 * @pending: requests waiting for a daemon
 * @running: requests a daemon runs
 * @max_pending: the bound on @pending
 * @listeners: a daemon listens to the handshake group
 * @requested: requests queued, since the module loaded
 * @completed: handshakes done
 * @failed: handshakes failed, timeouts included
 * @timed_out: handshakes that ran out of time
 * @refused: requests refused at once (no daemon, too many pending)
 */
struct ctl_status {
	int family;
	uint32_t have;
	uint32_t pending;
	uint32_t running;
	uint32_t max_pending;
	bool listeners;
	uint64_t requested;
	uint64_t completed;
	uint64_t failed;
	uint64_t timed_out;
	uint64_t refused;
};

struct nlmsghdr;

int ctl_status_parse(struct nlmsghdr *nlh, struct ctl_status *st);
int ctl_status_query(struct ctl_status *st);
const char *ctl_nl_strerror(int err);

/* --- /proc/net/ktlso_stat ------------------------------------------------ */

#define CTL_STAT_PATH		"/proc/net/ktlso_stat"
#define CTL_STAT_NAME_MAX	48
#define CTL_STAT_MAX		64

struct ctl_stat {
	char name[CTL_STAT_NAME_MAX];
	int64_t value;
};

int ctl_proc_stats_parse(FILE *f, struct ctl_stat *out, size_t cap);

/* --- subcommands ---------------------------------------------------------- */

int ctl_cmd_status(struct ctl_out *o);
void ctl_out_handshakes(struct ctl_out *o, const struct ctl_status *st);
int ctl_cmd_stats(struct ctl_out *o);
int ctl_cmd_sockets(struct ctl_out *o);

/* --- sock_diag ------------------------------------------------------------ */

/**
 * struct ctl_sock - a TCP socket as sock_diag describes it
 * @local: "ADDR:PORT" ("[ADDR]:PORT" for IPv6)
 * @peer: the same for the other end
 * @ulp: the ULP's name ("" for none)
 * @version: TLS_1_2_VERSION, TLS_1_3_VERSION; 0 before any key
 * @cipher: TLS_CIPHER_*; 0 before any key
 * @txconf: TLS_CONF_* of the transmit side
 * @rxconf: TLS_CONF_* of the receive side
 * @zc_ro_tx: TLS_TX_ZEROCOPY_RO is on
 * @rx_no_pad: TLS_RX_EXPECT_NO_PAD is on
 * @have_gen: the kernel reported key generations (ktlso)
 * @tx_gen: the transmit key's generation: 0, then one more per update
 * @rx_gen: the receive key's
 */
struct ctl_sock {
	char local[64], peer[64];
	char ulp[16];
	uint16_t version, cipher;
	uint16_t txconf, rxconf;
	bool zc_ro_tx, rx_no_pad;
	bool have_gen;
	uint64_t tx_gen, rx_gen;
};

struct nlmsghdr;

/**
 * ctl_sock_parse() - one inet_diag answer
 * @h: a SOCK_DIAG_BY_FAMILY message (struct inet_diag_msg and attributes)
 * @s: filled
 *
 * Return: 1 for a socket with a TLS ULP (ktlso or tls), 0 for another, or
 * -EINVAL for a message too short or of another family.
 */
int ctl_sock_parse(const struct nlmsghdr *h, struct ctl_sock *s);

#endif /* KTLSO_CTL_H */
