// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl: look at ktlso from the command line.
 *
 *	ktlsoctl [--json] status   module, daemon, handshake counters
 *	ktlsoctl [--json] stats    record layer and handshake counters
 *	ktlsoctl [--json] sockets  TLS sockets, with their key generations
 *	ktlsoctl --version
 *
 * --json may also follow the subcommand.  Exit statuses: 0 fine, 1 ktlso
 * not loaded, 2 (status) no handshake daemon, 3 a query failed, 64 usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/version.h"
#include "ctl.h"

static const struct {
	const char *name;
	int (*run)(struct ctl_out *o);
	const char *help;
} commands[] = {
	{ "status", ctl_cmd_status, "module, daemon and handshake counters" },
	{ "stats", ctl_cmd_stats, "record layer and handshake counters" },
	{ "sockets", ctl_cmd_sockets,
	  "TLS sockets: version, cipher, key generations" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " PROG " [--json] COMMAND\n"
		"       " PROG " --version | --help\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  --json   one JSON object instead of text\n");
}

int main(int argc, char **argv)
{
	const char *cmd = NULL;
	bool json = false;
	struct ctl_out o;
	size_t i;
	int a, ret;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json") || !strcmp(argv[a], "-j")) {
			json = true;
		} else if (!strcmp(argv[a], "--help") ||
			   !strcmp(argv[a], "-h")) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else if (!strcmp(argv[a], "--version") ||
			   !strcmp(argv[a], "-V")) {
			print_package_version(PROG);
		} else if (argv[a][0] == '-' || cmd) {
			usage(stderr);
			return CTL_EXIT_USAGE;
		} else {
			cmd = argv[a];
		}
	}
	if (!cmd) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		ctl_out_begin(&o, stdout, json);
		ret = commands[i].run(&o);
		ctl_out_end(&o);
		return ret;
	}
	fprintf(stderr, PROG ": unknown command: %s\n", cmd);
	usage(stderr);
	return CTL_EXIT_USAGE;
}
