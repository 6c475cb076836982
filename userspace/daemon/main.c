// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod: the ktlso handshake daemon.
 *
 *	ktlsod --config FILE [--foreground] [-v|-vv] [--syslog] [--check]
 *	       [--pid-file FILE]
 *	ktlsod --probe
 *	ktlsod --version
 *
 * Runs the TLS handshakes the ktlso kernel module asks for (generic
 * netlink family "ktlso") and installs the keys on the sockets. --check
 * loads the configuration (certificates, keys, CAs) and exits: 0 if it is
 * good, 1 with every problem on stderr otherwise. --probe prints, one line
 * each, the kernel's AEADs the record layer can use and the driver the
 * kernel gives them (what a benchmark must say it measured), and exits.
 * A bad command line exits 64 (EX_USAGE).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/version.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/privs.h"

struct options {
	const char *config;
	const char *pid_file;
	bool foreground, syslog, check, probe;
	int verbosity;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ktlsod --config FILE [--foreground] [-v|-vv] [--syslog] [--check]\n"
		"              [--pid-file FILE]\n"
		"       ktlsod --probe\n"
		"       ktlsod --version\n"
		"\n"
		"  -c, --config FILE    the configuration file (see ktlsod.conf.example)\n"
		"  -f, --foreground     do not daemonise\n"
		"  -v, --verbose        one log level more than the file's log_level\n"
		"                       (twice: two levels)\n"
		"  -s, --syslog         log to syslog (always when daemonised)\n"
		"  -n, --check          load the configuration, report, exit 0 or 1\n"
		"  -p, --pid-file FILE  write the daemon's pid there\n"
		"  -P, --probe          print the kernel's AEADs and their drivers, exit\n"
		"  -V, --version        print ktlsod's version, exit\n"
		"  -h, --help           this text\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "syslog", no_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'n' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "probe", no_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:fvsnp:PVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbosity++;
			break;
		case 's':
			o->syslog = true;
			break;
		case 'n':
			o->check = true;
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		case 'P':
			o->probe = true;
			break;
		case 'V':
			print_package_version("ktlsod");
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->config == !o->probe) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * @path made absolute against the working directory, which daemon(3)
 * leaves for "/" (a reload reads the file again); NULL when out of memory.
 */
static char *absolute(const char *path)
{
	char *cwd, *out = NULL;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd && asprintf(&out, "%s/%s", cwd, path) < 0)
		out = NULL;
	free(cwd);
	return out;
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f);
}

/* --probe: what kd_daemon_log_probe() logs, on stdout. */
static int print_probe(void)
{
	struct kd_kalg_probe p;
	char line[256];
	size_t i;

	kd_kalg_probe_run(&p);
	for (i = 0; i < KD_KALG_COUNT; i++) {
		kd_kalg_describe(&p, (enum ktlso_aead)i, line, sizeof(line));
		printf("%s\n", line);
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct kd_daemon d = { 0 };
	char *config = NULL, *pid_file = NULL;
	struct options o;
	int ret = 1;

	if (parse_args(argc, argv, &o))
		return EX_USAGE;
	if (o.probe)
		return print_probe();
	config = absolute(o.config);
	pid_file = o.pid_file ? absolute(o.pid_file) : NULL;
	if (!config || (o.pid_file && !pid_file)) {
		fprintf(stderr, "ktlsod: out of memory\n");
		goto out;
	}
	/* Until the file says otherwise: info, or more with -v. */
	kd_log_init(o.verbosity ? KD_LOG_DEBUG : KD_LOG_INFO,
		    o.syslog && !o.check);
	d.conf_path = config;
	d.verbosity = o.verbosity;
	d.helper = KD_HELPER_NONE;
	/* Before any key is read. */
	if (kd_privs_harden())
		goto out;
	kd_kalg_probe_run(&d.probe);
	/* Problems name the file as given on the command line. */
	if (kd_config_load(&d.conf, o.config, &d.probe, kd_log_problem, NULL))
		goto out;
	kd_log_set_level(kd_daemon_log_level(d.conf, o.verbosity));
	kd_daemon_log_probe(&d.probe);
	kd_daemon_log_config(d.conf);
	if (o.check) {
		ret = 0;
		goto out;
	}
	ret = kd_genl_open(&d.genl);
	if (ret) {
		kd_log(KD_LOG_ERROR, "netlink family \"%s\": %s", KTLSO_GENL_NAME,
		       ret == -ENOENT ? "not found (is the ktlso module loaded?)" :
					strerror(-ret));
		ret = 1;
		goto out;
	}
	ret = 1;
	if (!o.foreground) {
		if (daemon(0, 0)) {
			kd_log(KD_LOG_ERROR, "daemon: %s", strerror(errno));
			goto out_genl;
		}
		kd_log_init(kd_log_get_level(), true);
	}
	if (pid_file && write_pid_file(pid_file))
		kd_log(KD_LOG_WARNING, "%s: %s", pid_file, strerror(errno));
	/* Root becoming d.conf->user: the key reader stays behind as root. */
	if (geteuid() == 0 && d.conf->user[0] &&
	    kd_helper_start(&d.helper, config))
		goto out_pid;
	if (kd_privs_drop(d.conf->user))
		goto out_pid;
	ret = kd_daemon_run(&d);
out_pid:
	/* After the drop this may fail: the file is root's. */
	if (pid_file)
		unlink(pid_file);
	/* A reload left running still uses it; it ends with this process. */
	if (!d.reload_left)
		kd_helper_stop(&d.helper);
out_genl:
	kd_genl_close(&d.genl);
out:
	kd_config_put(d.conf);
	/* A reload left running reads the path until this process ends. */
	if (!d.reload_left)
		free(config);
	free(pid_file);
	/*
	 * A reload left running holds &d, on this stack, and may call into
	 * libcrypto: end here, without the exit handlers that would free
	 * what it uses or the stack it uses.
	 */
	if (d.reload_left) {
		fflush(NULL);
		_exit(ret);
	}
	return ret;
}
