// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-tls: a TLS client and server on the ktlso handshake engine, in
 * userspace, over a plain TCP socket (no kernel offload): the engine's
 * interop test peer, in the manner of openssl s_client / s_server.
 *
 *   ktlso-tls client --connect HOST:PORT [--servername NAME] [--cafile F]
 *                    [--cert F --key F] [--noverify] [--sess-in F]
 *                    [--sess-out F] [COMMON...]
 *   ktlso-tls server --accept [HOST:]PORT --cert F --key F [--cert F --key F]
 *                    [--cafile F] [--verify] [--www] [--naccept N]
 *                    [--tickets N] [COMMON...]
 *   COMMON: --tls1.2 | --tls1.3 (default: both, 1.3 preferred),
 *           --suites LIST, --groups LIST (':'-separated), --alpn LIST,
 *           --ems required|preferred
 *           (','-separated), --quiet, -v, --help
 *   ktlso-tls --version
 *
 * After the handshake the negotiated parameters go to stderr, one
 * "name: value" line each (see print_params(); --quiet leaves them out).
 * Then stdin is relayed to the peer and the peer's data to stdout:
 *
 *  - EOF on stdin sends close_notify; the peer's data is still read.
 *  - The peer's close_notify ends the output (stdout is closed, unless a
 *    server has connections to come). Under TLS 1.3 stdin is still
 *    relayed until its EOF (half-close); under TLS 1.2 close_notify is
 *    answered at once and stdin is dropped (RFC 5246 7.2.1).
 *  - The connection ends when both directions are closed. One that ends
 *    without the peer's close_notify is a failure (truncation), unless our
 *    own close_notify has already been sent and the peer then closed the
 *    connection.
 *
 * A client makes one connection. A server, as openssl s_server does,
 * serves connection after connection, one at a time, until it is stopped,
 * or until it has served --naccept N of them. A connection that fails (its
 * handshake, or later) is reported and the server goes on with the next.
 * Every connection relays the one stdin and stdout: once stdin has ended,
 * each later connection gets close_notify right after its handshake. With
 * --www a server reads an HTTP request up to its blank line on each
 * connection, answers "HTTP/1.0 200 ok" with the negotiated parameters as
 * a text page and sends close_notify.
 *
 * Exit status: 0 when the connection closed cleanly (a server with
 * --naccept: all N of them), 1 on any failure (one line on stderr,
 * "ktlso-tls: handshake failed: received alert unknown_ca", "...: sent
 * alert bad_certificate [engine's reason]"; "session failed: ..." once the
 * handshake is complete on our side, as for a TLS 1.3 client whose
 * certificate or Finished the server refuses), 64 for bad arguments (usage
 * on stderr). -v adds the engine's log on stderr.
 *
 * The client verifies the server's chain and name (--servername, else the
 * host of --connect) against --cafile, else the system store
 * (/etc/ssl/certs), unless --noverify. A server picks among its --cert
 * pairs by the client's server name (the first is the default); --verify
 * requires a client certificate, verified the same way.
 *
 * Resumption: a server with --tickets N seals N tickets after each full
 * or resumed TLS 1.3 handshake (one in a TLS 1.2 handshake) under a ticket
 * key made at start, so that its later connections resume. A client with --sess-out FILE writes
 * the last ticket it receives there (ktlso's own encoding, holding the
 * PSK: mode 0600), and with --sess-in FILE offers that ticket; "resumed:
 * yes" among the parameters says whether the server took it.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/version.h"
#include "engine/alert.h"
#include "engine/engine.h"
#include "engine/kex.h"
#include "engine/pki.h"
#include "engine/sig.h"
#include "engine/suite.h"
#include "engine/ticket.h"

#define PROG "ktlso-tls"

#define EXIT_FAIL 1
#define EXIT_USAGE EX_USAGE	/* 64 */

#define MAX_CREDS 8
#define IO_BUF (16u << 10)		/* a record's worth of plaintext */
#define HTTP_REQUEST_MAX (16u << 10)
#define LINGER_MS 2000			/* wait for the peer's close */
#define LISTEN_BACKLOG 16		/* clients waiting their turn */
#define SYSTEM_CA_DIR "/etc/ssl/certs"

/* --- command line --------------------------------------------------------- */

struct options {
	enum ktlso_role role;
	const char *connect;		/* client: HOST:PORT */
	const char *accept;		/* server: [HOST:]PORT */
	const char *servername;
	const char *cafile;
	const char *certs[MAX_CREDS], *keys[MAX_CREDS];
	size_t n_certs, n_keys;
	const char *suites, *groups, *alpn, *ems;
	bool tls12, tls13;
	bool verify;			/* server: require a client certificate */
	bool noverify;			/* client: do not verify the server */
	bool www, quiet, verbose;
	unsigned long naccept;		/* server: connections; 0: endless */
	unsigned long tickets;		/* server: per handshake */
	const char *sess_in, *sess_out;	/* client: ticket files */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " client --connect HOST:PORT [--servername NAME]\n"
		"                 [--cafile FILE] [--cert FILE --key FILE] [--noverify]\n"
		"                 [--sess-in FILE] [--sess-out FILE] [COMMON...]\n"
		"       " PROG " server --accept [HOST:]PORT --cert FILE --key FILE\n"
		"                 [--cert FILE --key FILE]... [--cafile FILE] [--verify]\n"
		"                 [--www] [--naccept N] [--tickets N] [COMMON...]\n"
		"       " PROG " --version | --help\n"
		"COMMON: --tls1.2 | --tls1.3   only this version (default: both, 1.3 preferred)\n"
		"        --suites LIST         IANA suite names, ':'-separated\n"
		"        --groups LIST         x25519, secp256r1, secp384r1, ':'-separated\n"
		"        --alpn LIST           protocol names, ','-separated\n"
		"        --ems POLICY          required (default) or preferred: TLS 1.2\n"
		"                              peers without the extended master secret\n"
		"        --quiet               do not print the negotiated parameters\n"
		"        -v                    the engine's log on stderr\n"
		"        --help                this text\n"
		"The client verifies the server against --cafile (default: the system\n"
		"store, " SYSTEM_CA_DIR ") unless --noverify. A server with several\n"
		"--cert/--key pairs picks one by the client's server name. The server\n"
		"--verify requires a client certificate, verified against --cafile.\n"
		"Resumption: the server --tickets N issues N tickets per TLS 1.3\n"
		"handshake (1 to 16; one in TLS 1.2); the client --sess-out FILE keeps\n"
		"the last one it gets, --sess-in FILE offers it.\n"
		"stdin goes to the peer, the peer's data to stdout; parameters and\n"
		"errors to stderr. A client makes one connection; a server serves one\n"
		"after another until stopped, or --naccept N of them. Exit status: 0\n"
		"when every connection closed cleanly, 1 on a failure, 64 for bad\n"
		"arguments.\n");
}

/* "ktlso-tls: <message>" on stderr. */
static void __attribute__((format(printf, 1, 0)))
vfail(const char *fmt, va_list ap)
{
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

static int __attribute__((format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
	usage(stderr);
	return -1;
}

enum {
	OPT_CONNECT = 256, OPT_ACCEPT, OPT_SERVERNAME, OPT_CAFILE, OPT_CERT,
	OPT_KEY, OPT_NOVERIFY, OPT_VERIFY, OPT_WWW, OPT_TLS12, OPT_TLS13,
	OPT_SUITES, OPT_GROUPS, OPT_ALPN, OPT_EMS, OPT_QUIET, OPT_HELP,
	OPT_VERSION, OPT_NACCEPT, OPT_TICKETS, OPT_SESS_IN, OPT_SESS_OUT,
};

static const struct option long_options[] = {
	{ "connect", required_argument, NULL, OPT_CONNECT },
	{ "accept", required_argument, NULL, OPT_ACCEPT },
	{ "servername", required_argument, NULL, OPT_SERVERNAME },
	{ "cafile", required_argument, NULL, OPT_CAFILE },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "noverify", no_argument, NULL, OPT_NOVERIFY },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "www", no_argument, NULL, OPT_WWW },
	{ "naccept", required_argument, NULL, OPT_NACCEPT },
	{ "tickets", required_argument, NULL, OPT_TICKETS },
	{ "sess-in", required_argument, NULL, OPT_SESS_IN },
	{ "sess-out", required_argument, NULL, OPT_SESS_OUT },
	{ "tls1.2", no_argument, NULL, OPT_TLS12 },
	{ "tls1.3", no_argument, NULL, OPT_TLS13 },
	{ "suites", required_argument, NULL, OPT_SUITES },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "alpn", required_argument, NULL, OPT_ALPN },
	{ "ems", required_argument, NULL, OPT_EMS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* A count of 1 or more into @out; -1 for anything else. */
static int parse_count(const char *arg, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || !*out)
		return -1;
	return 0;
}

/* One option into @o; -1 for a bad one (reported). */
static int parse_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_CONNECT:
		o->connect = arg;
		break;
	case OPT_ACCEPT:
		o->accept = arg;
		break;
	case OPT_SERVERNAME:
		o->servername = arg;
		break;
	case OPT_CAFILE:
		o->cafile = arg;
		break;
	case OPT_CERT:
		if (o->n_certs == MAX_CREDS)
			return bad_usage("at most %d --cert", MAX_CREDS);
		o->certs[o->n_certs++] = arg;
		break;
	case OPT_KEY:
		if (o->n_keys == MAX_CREDS)
			return bad_usage("at most %d --key", MAX_CREDS);
		o->keys[o->n_keys++] = arg;
		break;
	case OPT_NOVERIFY:
		o->noverify = true;
		break;
	case OPT_VERIFY:
		o->verify = true;
		break;
	case OPT_WWW:
		o->www = true;
		break;
	case OPT_NACCEPT:
		if (parse_count(arg, &o->naccept))
			return bad_usage("--naccept: \"%s\" is not a number from 1 up",
					 arg);
		break;
	case OPT_TICKETS:
		if (parse_count(arg, &o->tickets) || o->tickets > KTLSO_TICKETS_MAX)
			return bad_usage("--tickets: \"%s\" is not a number from 1 to %d",
					 arg, KTLSO_TICKETS_MAX);
		break;
	case OPT_SESS_IN:
		o->sess_in = arg;
		break;
	case OPT_SESS_OUT:
		o->sess_out = arg;
		break;
	case OPT_TLS12:
		o->tls12 = true;
		break;
	case OPT_TLS13:
		o->tls13 = true;
		break;
	case OPT_SUITES:
		o->suites = arg;
		break;
	case OPT_GROUPS:
		o->groups = arg;
		break;
	case OPT_ALPN:
		o->alpn = arg;
		break;
	case OPT_EMS:
		o->ems = arg;
		break;
	case OPT_QUIET:
		o->quiet = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	default:
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The combinations one role does not take. */
static int check_options(const struct options *o)
{
	bool client = o->role == KTLSO_ROLE_CLIENT;

	if (o->n_certs != o->n_keys)
		return bad_usage("each --cert needs its --key");
	if (client) {
		if (!o->connect)
			return bad_usage("client: --connect HOST:PORT is required");
		if (o->accept || o->verify || o->www || o->naccept || o->tickets)
			return bad_usage("client: --accept, --verify, --www, --naccept and --tickets are server options");
		if (o->n_certs > 1)
			return bad_usage("client: one --cert/--key at most");
		return 0;
	}
	if (!o->accept)
		return bad_usage("server: --accept PORT is required");
	if (o->connect || o->servername || o->noverify || o->sess_in ||
	    o->sess_out)
		return bad_usage("server: --connect, --servername, --noverify, --sess-in and --sess-out are client options");
	if (!o->n_certs)
		return bad_usage("server: --cert FILE --key FILE is required");
	return 0;
}

static int parse_args(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	if (argc < 2) {
		usage(stderr);
		return -1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		exit(0);
	}
	if (strcmp(argv[1], "--version") == 0)
		print_package_version(PROG);
	if (strcmp(argv[1], "client") == 0)
		o->role = KTLSO_ROLE_CLIENT;
	else if (strcmp(argv[1], "server") == 0)
		o->role = KTLSO_ROLE_SERVER;
	else
		return bad_usage("the first argument is \"client\" or \"server\"");
	optind = 2;
	while ((c = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
		if (c == OPT_HELP || c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == OPT_VERSION)
			print_package_version(PROG);
		if (parse_option(o, c, optarg))
			return -1;
	}
	if (optind < argc)
		return bad_usage("unexpected argument \"%s\"", argv[optind]);
	return check_options(o);
}

/* --- the engine's configuration ------------------------------------------- */

struct tool {
	struct options opt;
	struct ktlso_config cfg;
	struct ktlso_cred creds[MAX_CREDS];
	size_t n_creds;
	struct ktlso_trust trust;
	char host[256];			/* client: from --connect */
	const char *port;
	char port_buf[32];
	int fd;
	struct ktlso_session *s;
	bool more;			/* server: connections to come */
	char last_error[512];		/* the engine's last error log line */
	struct ktlso_ticket_keys *ticket_keys;	/* server: --tickets */
	struct ktlso_client_ticket resume;	/* client: --sess-in */
};

static const char *const level_names[] = {
	[KTLSO_LOG_ERROR] = "error",
	[KTLSO_LOG_WARNING] = "warning",
	[KTLSO_LOG_INFO] = "info",
	[KTLSO_LOG_DEBUG] = "debug",
};

static void engine_log(void *arg, enum ktlso_log_level level, const char *msg)
{
	struct tool *t = arg;

	if (level == KTLSO_LOG_ERROR)
		snprintf(t->last_error, sizeof(t->last_error), "%s", msg);
	if (t->opt.verbose)
		fprintf(stderr, PROG ": engine %s: %s\n",
			(unsigned int)level <= KTLSO_LOG_DEBUG ?
			level_names[level] : "?", msg);
}

static void __attribute__((format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

/*
 * Version range and suites: --suites, else the engine's defaults for the
 * versions chosen. 0, -1 for a bad list (reported), or EXIT_FAIL.
 */
static int config_versions_suites(struct tool *t)
{
	struct ktlso_config *cfg = &t->cfg;
	const struct options *o = &t->opt;
	bool v12 = o->tls12 || !o->tls13, v13 = o->tls13 || !o->tls12;
	const struct ktlso_suite *suite;
	size_t i, n = 0;

	if (ktlso_config_set_versions(cfg, v12 ? "1.2" : "1.3",
				      v13 ? "1.3" : "1.2"))
		return bad_usage("bad version range");
	if (o->suites) {
		if (ktlso_config_set_suites(cfg, o->suites))
			return bad_usage("--suites: unknown, repeated or too many suite names in \"%s\"",
					 o->suites);
		return 0;
	}
	for (i = 0; i < cfg->n_suites; i++) {
		suite = ktlso_suite_find(cfg->suites[i]);
		if (suite && suite->version >= cfg->min_version &&
		    suite->version <= cfg->max_version)
			cfg->suites[n++] = cfg->suites[i];
	}
	cfg->n_suites = n;
	if (!n) {
		fail("the engine has no default suite for %s: give --suites",
		     o->tls12 ? "TLS 1.2" : "TLS 1.3");
		return EXIT_FAIL;
	}
	return 0;
}

/* --- resumption ----------------------------------------------------------- */

/* Client: each ticket received replaces --sess-out's (0600, atomically). */
static void save_ticket(void *arg, const struct ktlso_client_ticket *tk)
{
	struct tool *t = arg;
	uint8_t buf[sizeof(*tk) + 64];
	char tmp[4096];
	size_t len;
	int fd, ok;

	if (ktlso_client_ticket_encode(tk, buf, sizeof(buf), &len))
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->opt.sess_out);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;
	if (fd >= 0 && close(fd))
		ok = 0;
	if (!ok || rename(tmp, t->opt.sess_out)) {
		fail("%s: %s", t->opt.sess_out, strerror(errno));
		unlink(tmp);
	} else if (!t->opt.quiet) {
		fprintf(stderr, "ticket saved: %s\n", t->opt.sess_out);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* Client: --sess-in's ticket; a file that is no ticket is fatal. */
static int load_ticket(struct tool *t)
{
	uint8_t buf[sizeof(t->resume) + 64];
	ssize_t n;
	int fd, ret;

	fd = open(t->opt.sess_in, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail("%s: %s", t->opt.sess_in, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ret = n > 0 ? ktlso_client_ticket_decode(&t->resume, buf, (size_t)n) :
		      -1;
	OPENSSL_cleanse(buf, sizeof(buf));
	if (ret) {
		fail("%s: not a ticket written by --sess-out", t->opt.sess_in);
		return -1;
	}
	t->cfg.resume = &t->resume;
	return 0;
}

static int config_resumption(struct tool *t)
{
	const struct options *o = &t->opt;

	if (o->tickets) {
		if (ktlso_ticket_keys_new(&t->ticket_keys, 0) ||
		    ktlso_ticket_keys_rotate(t->ticket_keys, NULL)) {
			fail("cannot make a ticket key");
			return -1;
		}
		t->cfg.ticket_keys = t->ticket_keys;
		t->cfg.n_tickets = (unsigned int)o->tickets;
	}
	if (o->sess_out) {
		t->cfg.ticket = save_ticket;
		t->cfg.ticket_arg = t;
	}
	return o->sess_in ? load_ticket(t) : 0;
}

/* Credentials and trust anchors; a file that will not load is fatal. */
static int config_files(struct tool *t)
{
	const struct options *o = &t->opt;
	bool need_trust = o->role == KTLSO_ROLE_CLIENT ? !o->noverify :
							 o->verify;
	char err[256];
	size_t i;

	for (i = 0; i < o->n_certs; i++) {
		if (ktlso_cred_load(&t->creds[i], o->certs[i], o->keys[i], err,
				    sizeof(err))) {
			fail("%s", err);
			return -1;
		}
		t->n_creds++;
	}
	if (t->n_creds) {
		t->cfg.creds = t->creds;
		t->cfg.n_creds = t->n_creds;
	}
	if (!need_trust)
		return 0;
	if (ktlso_trust_load(&t->trust, o->cafile,
			     o->cafile ? NULL : SYSTEM_CA_DIR, err,
			     sizeof(err))) {
		fail("%s", err);
		return -1;
	}
	t->cfg.trust = &t->trust;
	return 0;
}

/*
 * Split "HOST:PORT", "[V6]:PORT" or (@need_host false) "PORT" into
 * t->host and t->port.
 */
static int split_host_port(struct tool *t, const char *spec, bool need_host)
{
	const char *colon, *host = spec, *end;
	size_t len;

	if (spec[0] == '[') {
		host = spec + 1;
		end = strchr(host, ']');
		if (!end || end[1] != ':')
			return -1;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		end = colon;
	}
	if (!colon) {
		if (need_host)
			return -1;
		t->host[0] = '\0';
		t->port = spec;
	} else {
		len = (size_t)(end - host);
		if (len >= sizeof(t->host))
			return -1;
		memcpy(t->host, host, len);
		t->host[len] = '\0';
		snprintf(t->port_buf, sizeof(t->port_buf), "%s", colon + 1);
		t->port = t->port_buf;
	}
	if (!t->port[0] || (need_host && !t->host[0]))
		return -1;
	return 0;
}

static int configure(struct tool *t)
{
	struct ktlso_config *cfg = &t->cfg;
	const struct options *o = &t->opt;
	bool client = o->role == KTLSO_ROLE_CLIENT;
	int ret;

	ktlso_config_init(cfg);
	cfg->log = engine_log;
	cfg->log_arg = t;
	if (split_host_port(t, client ? o->connect : o->accept, client))
		return bad_usage("bad address \"%s\"",
				 client ? o->connect : o->accept);
	ret = config_versions_suites(t);
	if (ret)
		return ret;
	if (o->groups && ktlso_config_set_groups(cfg, o->groups))
		return bad_usage("--groups: unknown, repeated or too many group names in \"%s\"",
				 o->groups);
	if (o->alpn && ktlso_config_set_alpn(cfg, o->alpn))
		return bad_usage("--alpn: bad protocol list \"%s\"", o->alpn);
	if (o->ems && ktlso_config_set_ems(cfg, o->ems))
		return bad_usage("--ems: \"%s\" is not required or preferred",
				 o->ems);
	if (client) {
		cfg->server_name = o->servername ? o->servername : t->host;
		cfg->peer_auth = o->noverify ? KTLSO_PEER_AUTH_NONE :
					       KTLSO_PEER_AUTH_REQUIRE;
	} else {
		cfg->peer_auth = o->verify ? KTLSO_PEER_AUTH_REQUIRE :
					     KTLSO_PEER_AUTH_NONE;
	}
	return config_files(t) || config_resumption(t) ? EXIT_FAIL : 0;
}

/* --- the TCP connection --------------------------------------------------- */

static int set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int tcp_connect(struct tool *t)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *res, *ai;
	int fd = -1, err, one = 1, saved = 0;

	err = getaddrinfo(t->host, t->port, &hints, &res);
	if (err) {
		fail("%s:%s: %s", t->host, t->port, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fail("cannot connect to %s:%s: %s", t->host, t->port,
		     strerror(saved));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (set_nonblocking(fd)) {
		fail("fcntl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_listen(struct tool *t)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	struct addrinfo *res, *ai;
	int fd = -1, err, one = 1, saved = 0;

	err = getaddrinfo(t->host[0] ? t->host : NULL, t->port, &hints, &res);
	if (err) {
		fail("%s: %s", t->opt.accept, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fail("cannot listen on %s: %s", t->opt.accept, strerror(saved));
	return fd;
}

/* Wait for the next connection on @lfd. */
static int tcp_accept(int lfd)
{
	int fd, one = 1;

	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0) {
		fail("accept: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (set_nonblocking(fd)) {
		fail("fcntl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The engine's transport: the non-blocking socket, never SIGPIPE. */
static ssize_t sock_read(void *ctx, void *buf, size_t len)
{
	const struct tool *t = ctx;

	return recv(t->fd, buf, len, 0);
}

static ssize_t sock_write(void *ctx, const void *buf, size_t len)
{
	const struct tool *t = ctx;

	return send(t->fd, buf, len, MSG_NOSIGNAL);
}

/* Wait until the socket is ready for @events (or failed); -1 on timeout. */
static int wait_socket(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

/*
 * Stop sending, then read and drop what comes until the peer closes, for
 * LINGER_MS at most. Closing a socket with unread bytes makes the kernel
 * reset the connection, and the reset can destroy what was just sent (the
 * page of --www, a fatal alert) before the peer reads it.
 */
static void linger_close(int fd)
{
	struct timespec start, now;
	char buf[4096];
	long ms = 0;

	shutdown(fd, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (wait_socket(fd, POLLIN, (int)(LINGER_MS - ms)) == 0 &&
	       recv(fd, buf, sizeof(buf), 0) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 +
		     (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= LINGER_MS)
			break;
	}
	close(fd);
}

/* --- reporting ------------------------------------------------------------ */

static void report_failure(const struct tool *t, const char *what, int err)
{
	int sent, received;

	ktlso_session_alerts(t->s, &sent, &received);
	if (err < 0 && err > -KTLSO_ERROR_BASE && received == -err)
		fail("%s failed: received alert %s", what,
		     ktlso_error_name(err));
	else if (sent >= 0)
		fail("%s failed: sent alert %s [%s]", what,
		     ktlso_error_name(-sent), t->last_error);
	else if (t->last_error[0])
		fail("%s failed: %s [%s]", what, ktlso_session_strerror(err),
		     t->last_error);
	else
		fail("%s failed: %s", what, ktlso_session_strerror(err));
}

static const char *or_none(const char *s)
{
	return s && *s ? s : "none";
}

static const char *scheme_str(uint16_t scheme, char *buf, size_t cap)
{
	const char *name = ktlso_sigscheme_name(scheme);

	if (!scheme)
		return "none";
	if (name)
		return name;
	snprintf(buf, cap, "0x%04x", scheme);
	return buf;
}

/* The negotiated parameters, one "name: value" per line, into @f. */
static void print_params(FILE *f, const struct ktlso_session_result *r,
			 const char *eol)
{
	const char *suite = ktlso_suite_name(r->suite);
	const char *group = ktlso_group_name(r->group);
	char b1[8], b2[8];

	fprintf(f, "version: %s%s", ktlso_tls_version_name(r->version), eol);
	if (suite)
		fprintf(f, "cipher: %s%s", suite, eol);
	else
		fprintf(f, "cipher: 0x%04x%s", r->suite, eol);
	if (group)
		fprintf(f, "group: %s%s", group, eol);
	else
		fprintf(f, "group: 0x%04x%s", r->group, eol);
	fprintf(f, "signature: %s%s", scheme_str(r->sig_scheme, b1, sizeof(b1)),
		eol);
	fprintf(f, "client signature: %s%s",
		scheme_str(r->client_sig_scheme, b2, sizeof(b2)), eol);
	fprintf(f, "alpn: %s%s", or_none(r->alpn), eol);
	fprintf(f, "server name: %s%s", or_none(r->server_name), eol);
	fprintf(f, "peer: %s%s", or_none(r->peer_identity), eol);
	fprintf(f, "peer verified: %s%s", r->peer_verified ? "yes" : "no", eol);
	fprintf(f, "resumed: %s%s", r->resumed ? "yes" : "no", eol);
}

/* --- the handshake -------------------------------------------------------- */

static int handshake(struct tool *t, struct ktlso_session_result *res)
{
	int ret;

	while ((ret = ktlso_session_handshake(t->s)) > 0)
		wait_socket(t->fd, ret == KTLSO_WANT_READ ? POLLIN : POLLOUT,
			    -1);
	if (ret < 0) {
		report_failure(t, "handshake", ret);
		return -1;
	}
	ret = ktlso_session_result(t->s, res);
	if (ret) {
		report_failure(t, "handshake", ret);
		return -1;
	}
	if (!t->opt.quiet)
		print_params(stderr, res, "\n");
	return 0;
}

/* --- relaying stdin and stdout -------------------------------------------- */

struct relay {
	uint8_t in[IO_BUF];		/* from stdin, not yet taken */
	size_t in_off, in_len;
	uint8_t out[IO_BUF];		/* from the peer */
	bool in_eof;			/* stdin ended */
	bool close_sent;		/* our close_notify is queued */
	bool tx_blocked;		/* the engine has output queued */
	bool peer_closed;		/* close_notify received */
	bool tls12;
};

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("writing stdout: %s", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Hand stdin data or close_notify to the engine while it takes them. */
static int relay_send(struct tool *t, struct relay *r)
{
	size_t n;
	int ret;

	while (!r->tx_blocked) {
		if (r->in_off < r->in_len) {
			ret = ktlso_session_write(t->s, r->in + r->in_off,
						  r->in_len - r->in_off, &n);
			r->in_off += n;
		} else if (r->in_eof && !r->close_sent) {
			/* All data is on the wire: only this can be queued. */
			ret = ktlso_session_close(t->s);
			r->close_sent = true;
			/*
			 * The peer said goodbye first and may be gone: our
			 * close_notify is a courtesy, not a failure.
			 */
			if (ret < 0 && r->peer_closed)
				ret = 0;
		} else {
			return 0;
		}
		if (ret < 0) {
			report_failure(t, "session", ret);
			return -1;
		}
		r->tx_blocked = ret == KTLSO_WANT_WRITE;
	}
	return 0;
}

/*
 * Read what the peer sent, up to WANT_READ: data to stdout, close_notify
 * ends the output.
 */
static int relay_receive(struct tool *t, struct relay *r)
{
	size_t got;
	int ret;

	while (!r->peer_closed) {
		ret = ktlso_session_read(t->s, r->out, sizeof(r->out), &got);
		if (ret == KTLSO_WANT_READ)
			break;
		if (ret == -KTLSO_ERROR_CLOSED && r->close_sent)
			return 1;	/* we said goodbye; the peer hung up */
		if (ret < 0) {
			report_failure(t, "session", ret);
			return -1;
		}
		if (got == 0) {
			r->peer_closed = true;
			if (!t->more)
				close(STDOUT_FILENO);
			if (r->tls12) {	/* RFC 5246 7.2.1: answer, drop */
				r->in_eof = true;
				r->in_off = r->in_len = 0;
			}
			break;
		}
		if (write_all(STDOUT_FILENO, r->out, got))
			return -1;
	}
	/* A KeyUpdate answer may be queued by the reads. */
	ret = ktlso_session_flush(t->s);
	if (ret < 0 && !r->peer_closed) {
		report_failure(t, "session", ret);
		return -1;
	}
	if (ret == KTLSO_WANT_WRITE)
		r->tx_blocked = true;
	return 0;
}

static int relay_stdin(struct relay *r)
{
	ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0) {
		fail("reading stdin: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		r->in_eof = true;
	r->in_off = 0;
	r->in_len = (size_t)n;
	return 0;
}

static int relay(struct tool *t, const struct ktlso_session_result *res)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct pollfd p[2];
	int ret = -1, n;

	if (!r) {
		fail("out of memory");
		return -1;
	}
	r->tls12 = res->version == KTLSO_TLS12_VERSION;
	for (;;) {
		if (relay_send(t, r))
			break;
		if (r->peer_closed && r->close_sent && !r->tx_blocked) {
			ret = 0;
			break;
		}
		/* Done with the socket but for stdin: do not poll its HUP. */
		p[0].fd = r->peer_closed && !r->tx_blocked ? -1 : t->fd;
		p[0].events = (r->peer_closed ? 0 : POLLIN) |
			      (r->tx_blocked ? POLLOUT : 0);
		p[1].fd = !r->in_eof && r->in_off == r->in_len ? STDIN_FILENO :
								  -1;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		n = poll(p, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents & (POLLOUT | POLLERR | POLLHUP) &&
		    r->tx_blocked) {
			n = ktlso_session_flush(t->s);
			/* Only our close_notify lost, after the peer's? */
			if (n < 0 && !(r->peer_closed && r->close_sent)) {
				report_failure(t, "session", n);
				break;
			}
			r->tx_blocked = n == KTLSO_WANT_WRITE;
		}
		if (p[0].revents & (POLLIN | POLLERR | POLLHUP) &&
		    !r->peer_closed) {
			n = relay_receive(t, r);
			if (n) {
				ret = n > 0 ? 0 : -1;
				break;
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			if (p[1].revents & POLLNVAL)
				r->in_eof = true;
			else if (relay_stdin(r))
				break;
		}
	}
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
	return ret;
}

/* --- --www ---------------------------------------------------------------- */

/* Read up to the request's blank line. */
static int www_read_request(struct tool *t, char *req, size_t cap)
{
	size_t len = 0, got;
	int ret;

	for (;;) {
		ret = ktlso_session_read(t->s, req + len, cap - 1 - len, &got);
		if (ret == KTLSO_WANT_READ) {
			wait_socket(t->fd, POLLIN, -1);
			continue;
		}
		if (ret < 0) {
			report_failure(t, "session", ret);
			return -1;
		}
		if (got == 0) {
			fail("the client closed before its request's end");
			return -1;
		}
		len += got;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			return 0;
		if (len == cap - 1) {
			fail("HTTP request headers over %zu bytes", cap - 1);
			return -1;
		}
	}
}

static int www_send(struct tool *t, const char *p, size_t len)
{
	size_t n;
	int ret;

	while (len) {
		ret = ktlso_session_write(t->s, p, len, &n);
		p += n;
		len -= n;
		while (ret == KTLSO_WANT_WRITE) {
			wait_socket(t->fd, POLLOUT, -1);
			ret = ktlso_session_flush(t->s);
		}
		if (ret < 0) {
			report_failure(t, "session", ret);
			return -1;
		}
	}
	return 0;
}

/* Answer one request, then close_notify. */
static int www(struct tool *t, const struct ktlso_session_result *res)
{
	char *buf = malloc(HTTP_REQUEST_MAX);
	char *page = NULL;
	size_t page_len = 0;
	int ret = -1;
	FILE *f;

	if (!buf) {
		fail("out of memory");
		return -1;
	}
	if (www_read_request(t, buf, HTTP_REQUEST_MAX))
		goto out;
	f = open_memstream(&page, &page_len);
	if (!f) {
		fail("open_memstream: %s", strerror(errno));
		goto out;
	}
	fprintf(f, "HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\n"
		"Connection: close\r\n\r\n" PROG "\r\n");
	print_params(f, res, "\r\n");
	if (fclose(f)) {
		fail("open_memstream: %s", strerror(errno));
		goto out;
	}
	if (www_send(t, page, page_len))
		goto out;
	ret = ktlso_session_close(t->s);
	while (ret == KTLSO_WANT_WRITE) {
		wait_socket(t->fd, POLLOUT, -1);
		ret = ktlso_session_flush(t->s);
	}
	if (ret < 0) {
		report_failure(t, "session", ret);
		goto out;
	}
	ret = 0;
out:
	free(page);
	free(buf);
	return ret;
}

/* --- connections ---------------------------------------------------------- */

/* A session for the next connection, whose socket will be t->fd. */
static int new_session(struct tool *t)
{
	const struct ktlso_io io = { sock_read, sock_write, t };
	int ret;

	t->last_error[0] = '\0';
	ret = ktlso_session_new(&t->s, &t->cfg, t->opt.role, &io);
	if (ret) {
		fail("cannot start a session: %s [%s]",
		     ktlso_session_strerror(ret), t->last_error);
		return -1;
	}
	return 0;
}

/* The connection on t->fd: the handshake, then --www or the relay. */
static int converse(struct tool *t)
{
	struct ktlso_session_result res;
	int ret;

	if (handshake(t, &res))
		return -1;
	ret = t->opt.www ? www(t, &res) : relay(t, &res);
	ktlso_session_result_clear(&res);
	/* --www: the client reads the page, then closes. */
	if (t->opt.www && ret == 0) {
		linger_close(t->fd);
		t->fd = -1;
	}
	return ret;
}

/* Session and socket go; after a failure the peer may read our alert first. */
static void end_connection(struct tool *t, bool failed)
{
	ktlso_session_free(t->s);
	t->s = NULL;
	if (t->fd >= 0 && failed)
		linger_close(t->fd);
	else if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/*
 * A server: connection after connection, until --naccept of them (or for
 * ever). The listener closes with the last accept, so that no further
 * client waits in its queue. -1 if any connection failed.
 */
static int serve(struct tool *t)
{
	unsigned long n;
	bool failed = false;
	int lfd, ret;

	lfd = tcp_listen(t);
	if (lfd < 0)
		return -1;
	for (n = 1; !t->opt.naccept || n <= t->opt.naccept; n++) {
		if (!t->s && new_session(t))
			break;
		t->fd = tcp_accept(lfd);
		if (t->fd < 0)
			break;
		t->more = n != t->opt.naccept;
		if (!t->more) {
			close(lfd);
			lfd = -1;
		}
		ret = converse(t);
		failed |= ret != 0;
		end_connection(t, ret != 0);
	}
	if (lfd >= 0) {
		close(lfd);
		return -1;	/* no session or no accept: stopped short */
	}
	return failed ? -1 : 0;
}

/* --- main ----------------------------------------------------------------- */

static int run(struct tool *t)
{
	/* The session first: a configuration error shows before any I/O. */
	if (new_session(t))
		return -1;
	if (t->opt.role == KTLSO_ROLE_SERVER)
		return serve(t);
	t->fd = tcp_connect(t);
	return t->fd < 0 ? -1 : converse(t);
}

int main(int argc, char **argv)
{
	struct tool *t = calloc(1, sizeof(*t));
	size_t i;
	int ret;

	if (!t) {
		fail("out of memory");
		return EXIT_FAIL;
	}
	t->fd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(&t->opt, argc, argv)) {
		ret = EXIT_USAGE;
		goto out;
	}
	ret = configure(t);
	if (ret) {
		ret = ret < 0 ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	ret = run(t) ? EXIT_FAIL : 0;
out:
	end_connection(t, ret);
	for (i = 0; i < t->n_creds; i++)
		ktlso_cred_free(&t->creds[i]);
	ktlso_trust_free(&t->trust);
	ktlso_ticket_keys_free(t->ticket_keys);
	ktlso_client_ticket_clear(&t->resume);
	free(t);
	return ret;
}
