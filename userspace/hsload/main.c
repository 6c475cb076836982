// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-hsload: handshake capacity over real TCP connections, for
 * scripts/hsbench.
 *
 *   ktlso-hsload serve --mode upcall|engine --port P --seconds S
 *                      [--cert F --key F [--tickets]]
 *   ktlso-hsload load --port P --seconds S [--clients N] [--tls 1.2|1.3]
 *                     [--count N] [--source IPV4] [--resume]
 *   ktlso-hsload hostile --port P --seconds S --kind alpn|sigalgs|suites|alerts
 *   ktlso-hsload --version | --help
 *
 * "serve" accepts connections on 127.0.0.1:P for S seconds and has each
 * one's server handshake done, then closes it:
 *   upcall  by ktlsod, through the kernel: ktlso_handshake_start() and an
 *           epoll loop over the sockets until ktlso_handshake_poll() says
 *           done (the request-to-completion time is what is measured);
 *   engine  by the ktlso engine in this process, one thread, non-blocking
 *           (the same handshakes without the upcall and the daemon); with
 *           --tickets it issues tickets, under a key made at start.
 * It prints one line: "serve MODE handshakes N failed N cpu_s X p50_ms X
 * p99_ms X" (cpu_s: this process's user + system time).
 *
 * "load" is the load generator: N connections at a time, each a full
 * handshake by the engine as a client that does not verify the server
 * (the cheapest client: its cost is shown, not hidden), an HTTP/1.0
 * request, and a wait for the server to end the connection, then a new
 * connection, for S seconds (or until --count handshakes are done; those
 * still running then are not counted). It prints "load handshakes N
 * failed N cpu_s X p50_ms X p99_ms X" (from connect() to the server's
 * close). Any server will do: nginx is measured the
 * same way. With --resume each connection offers the newest ticket any
 * earlier connection received (after the first full handshake, the load
 * is resumed handshakes: what a server's returning clients cost), and
 * "resumed N" is added to the line; the server must issue tickets (serve
 * --mode engine does with --tickets, ktlsod with its profile's
 * "tickets").
 *
 * Neither ever blocks on one connection: a slow one holds no other up.
 *
 * "hostile" sends the largest lists a ClientHello can hold, or 10^5
 * warning alerts, one connection after another (hostile.h), and prints
 * the longest the server took to answer: the load and a hostile client
 * together show that one peer cannot stall the others.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/version.h"
#include "engine/engine.h"
#include "engine/pki.h"
#include "engine/ticket.h"
#include "hsload/hostile.h"
#include "hsload/upcall.h"

#define MAX_CONNS 4096
#define MAX_SAMPLES (1u << 20)

struct opts {
	bool serve, hostile;
	const char *kind;
	const char *mode;		/* serve: "upcall" or "engine" */
	int port;
	double seconds;
	unsigned int clients;
	unsigned long count;		/* load: stop after this many; 0: S */
	const char *tls;		/* load: "1.2" or "1.3" */
	const char *cert, *key;
	struct in_addr source;		/* load: the local address */
	bool has_source;		/* else any */
	bool resume;			/* load: offer the newest ticket */
	bool tickets;			/* serve engine: issue tickets */
};

/* --- clocks and figures --------------------------------------------------- */

double hsload_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

struct figures {
	unsigned long done, failed, resumed;
	float *ms;			/* one time per handshake done */
	size_t n;
};

static void figure_add(struct figures *f, double ms)
{
	f->done++;
	if (f->n < MAX_SAMPLES)
		f->ms[f->n++] = (float)ms;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, struct figures *f, double cpu)
{
	double p50 = 0, p99 = 0;

	if (f->n) {
		qsort(f->ms, f->n, sizeof(*f->ms), cmp_float);
		p50 = f->ms[f->n / 2];
		p99 = f->ms[(f->n * 99) / 100];
	}
	printf("%s handshakes %lu failed %lu cpu_s %.2f p50_ms %.1f p99_ms %.1f",
	       what, f->done, f->failed, cpu, p50, p99);
	if (f->resumed)
		printf(" resumed %lu", f->resumed);
	printf("\n");
	fflush(stdout);
}

/* --- connections ---------------------------------------------------------- */

struct conn {
	int fd;
	double t0;
	struct ktlso_session *s;	/* engine modes */
	bool closing;			/* load: handshake done, until the end */
	bool resumed;			/* load: the server took our ticket */
	/* load --resume: the config with the ticket this one offers */
	struct ktlso_config cfg;
	struct ktlso_client_ticket ticket;
};

/* load --resume: the newest ticket any connection received. */
struct newest_ticket {
	struct ktlso_client_ticket t;
	bool have;
};

static void keep_ticket(void *arg, const struct ktlso_client_ticket *t)
{
	struct newest_ticket *nt = arg;

	nt->t = *t;
	nt->have = true;
}

static ssize_t fd_read(void *ctx, void *buf, size_t len)
{
	return recv(*(int *)ctx, buf, len, MSG_DONTWAIT);
}

static ssize_t fd_write(void *ctx, const void *buf, size_t len)
{
	return send(*(int *)ctx, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int watch(int ep, struct conn *c, uint32_t ev, int op)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	return epoll_ctl(ep, op, c->fd, &e);
}

static void conn_end(int ep, struct conn *c, struct figures *f, bool ok)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	f->resumed += ok && c->resumed;
	ktlso_session_free(c->s);
	if (ok)
		figure_add(f, hsload_now_ms() - c->t0);
	else
		f->failed++;
	ktlso_client_ticket_clear(&c->ticket);
	free(c);
}

/* Step an engine handshake; 1 while it runs, 0 done, -1 failed. */
static int engine_step(int ep, struct conn *c)
{
	int ret = ktlso_session_handshake(c->s);

	if (ret == KTLSO_WANT_READ || ret == KTLSO_WANT_WRITE)
		return watch(ep, c, ret == KTLSO_WANT_WRITE ? EPOLLOUT : EPOLLIN,
			     EPOLL_CTL_MOD) ? -1 : 1;
	return ret == 0 ? 0 : -1;
}

/*
 * @offer: a ticket for this connection to offer, copied with the config:
 * the newest one changes while the handshake runs.
 */
static struct conn *conn_new(int fd, const struct ktlso_config *cfg,
			     enum ktlso_role role,
			     const struct ktlso_client_ticket *offer)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->t0 = hsload_now_ms();
	if (cfg) {
		struct ktlso_io io = { fd_read, fd_write, &c->fd };

		c->cfg = *cfg;
		if (offer) {
			c->ticket = *offer;
			c->cfg.resume = &c->ticket;
		}
		if (ktlso_session_new(&c->s, &c->cfg, role, &io)) {
			free(c);
			return NULL;
		}
	}
	return c;
}

/* --- serve ---------------------------------------------------------------- */

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
					  SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096)) {
		perror("listen");
		exit(1);
	}
	return fd;
}

/* A new connection's server handshake: started, or ended already. */
static void serve_start(int ep, int fd, const struct ktlso_config *cfg,
			struct figures *f)
{
	struct conn *c = conn_new(fd, cfg, KTLSO_ROLE_SERVER, NULL);
	int ret;

	if (!c) {
		close(fd);
		f->failed++;
		return;
	}
	if (cfg) {
		if (watch(ep, c, EPOLLIN, EPOLL_CTL_ADD)) {
			conn_end(ep, c, f, false);
			return;
		}
		ret = engine_step(ep, c);
		if (ret <= 0)
			conn_end(ep, c, f, ret == 0);
		return;
	}
	ret = hsload_upcall_start(fd);
	if (ret || watch(ep, c, EPOLLIN, EPOLL_CTL_ADD)) {
		if (ret)
			fprintf(stderr, "ktlso_handshake_start: %s\n",
				strerror(-ret));
		conn_end(ep, c, f, false);
	}
}

static void serve_event(int ep, struct conn *c, bool engine,
			struct figures *f)
{
	int ret;

	if (engine) {
		ret = engine_step(ep, c);
		if (ret <= 0)
			conn_end(ep, c, f, ret == 0);
		return;
	}
	ret = hsload_upcall_poll(c->fd);
	if (ret != -EINPROGRESS)
		conn_end(ep, c, f, ret == 0);
}

static int serve(const struct opts *o)
{
	struct figures f = { .ms = calloc(MAX_SAMPLES, sizeof(float)) };
	struct ktlso_config cfg, *pcfg = NULL;
	struct ktlso_ticket_keys *keys = NULL;
	struct epoll_event ev[64];
	struct ktlso_cred cred;
	char err[256];
	bool engine = strcmp(o->mode, "engine") == 0;
	int lfd, ep, n, i, fd;
	double end, cpu0;

	if (!f.ms)
		return 1;
	if (engine) {
		if (!o->cert || !o->key ||
		    ktlso_cred_load(&cred, o->cert, o->key, err, sizeof(err))) {
			fprintf(stderr, "engine mode: --cert and --key: %s\n",
				o->cert ? err : "missing");
			return 1;
		}
		ktlso_config_init(&cfg);
		cfg.creds = &cred;
		cfg.n_creds = 1;
		if (o->tickets &&
		    (ktlso_ticket_keys_new(&keys, 0) ||
		     ktlso_ticket_keys_rotate(keys, NULL))) {
			fprintf(stderr, "ticket keys: cannot make them\n");
			return 1;
		}
		cfg.ticket_keys = keys;
		pcfg = &cfg;
	} else if (strcmp(o->mode, "upcall") != 0) {
		fprintf(stderr, "--mode upcall or engine\n");
		return 1;
	}
	lfd = listen_on(o->port);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &(struct epoll_event){
			.events = EPOLLIN, .data.ptr = NULL }))
		return 1;
	printf("serving %s on 127.0.0.1:%d\n", o->mode, o->port);
	fflush(stdout);
	cpu0 = cpu_s();
	end = hsload_now_ms() + o->seconds * 1e3;
	while (hsload_now_ms() < end) {
		n = epoll_wait(ep, ev, 64, 100);
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr) {
				serve_event(ep, ev[i].data.ptr, engine, &f);
				continue;
			}
			while ((fd = accept4(lfd, NULL, NULL,
					     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
				serve_start(ep, fd, pcfg, &f);
		}
	}
	report(engine ? "serve engine" : "serve upcall", &f, cpu_s() - cpu0);
	free(f.ms);
	if (engine)
		ktlso_cred_free(&cred);
	ktlso_ticket_keys_free(keys);
	return 0;
}

/* --- load ----------------------------------------------------------------- */

static struct conn *load_connect(int ep, const struct opts *o,
				 const struct ktlso_config *cfg,
				 const struct newest_ticket *nt)
{
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_addr = o->source };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)o->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
					  SOCK_CLOEXEC, 0);
	struct conn *c;

	if (fd < 0)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o->has_source && bind(fd, (struct sockaddr *)&src, sizeof(src))) {
		close(fd);
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	c = conn_new(fd, cfg, KTLSO_ROLE_CLIENT,
		     o->resume && nt->have ? &nt->t : NULL);
	if (!c || watch(ep, c, EPOLLOUT, EPOLL_CTL_ADD)) {
		close(fd);
		if (c)
			ktlso_session_free(c->s);
		free(c);
		return NULL;
	}
	return c;
}

/*
 * A load connection: the handshake, then a request ("GET / HTTP/1.0"),
 * then everything until the server ends the connection. So a connection
 * counts once the server is done with it too (in TLS 1.3 the client
 * finishes first), and N connections are at most N handshakes the server
 * holds. Return: 1 while it runs, 0 done, -1 the handshake failed.
 */
static int load_step(int ep, struct conn *c)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct ktlso_session_result r;
	uint8_t buf[4096];
	size_t n;
	int ret;

	if (!c->closing) {
		ret = engine_step(ep, c);
		if (ret)
			return ret;
		c->closing = true;
		if (c->cfg.resume && ktlso_session_result(c->s, &r) == 0) {
			c->resumed = r.resumed;
			ktlso_session_result_clear(&r);
		}
		/* A server that closes at once makes this fail: fine too. */
		ktlso_session_write(c->s, req, sizeof(req) - 1, &n);
	}
	do
		ret = ktlso_session_read(c->s, buf, sizeof(buf), &n);
	while (ret == 0 && n);
	if (ret == KTLSO_WANT_READ)
		return watch(ep, c, EPOLLIN, EPOLL_CTL_MOD) ? -1 : 1;
	/* The server's close (EOF, close_notify or a reset): done. */
	return 0;
}

static int load(const struct opts *o)
{
	struct figures f = { .ms = calloc(MAX_SAMPLES, sizeof(float)) };
	struct newest_ticket nt = { .have = false };
	struct epoll_event ev[64];
	struct ktlso_config cfg;
	unsigned int open_n = 0;
	double end, cpu0;
	int ep, n, i, ret;

	if (!f.ms)
		return 1;
	ktlso_config_init(&cfg);
	cfg.peer_auth = KTLSO_PEER_AUTH_NONE;
	cfg.verify_name = false;
	if (ktlso_config_set_versions(&cfg, o->tls, o->tls)) {
		fprintf(stderr, "--tls 1.2 or 1.3\n");
		return 1;
	}
	if (o->resume) {
		cfg.ticket = keep_ticket;
		cfg.ticket_arg = &nt;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return 1;
	cpu0 = cpu_s();
	end = hsload_now_ms() + o->seconds * 1e3;
	while (hsload_now_ms() < end && (!o->count || f.done < o->count)) {
		while (open_n < o->clients) {
			if (!load_connect(ep, o, &cfg, &nt)) {
				f.failed++;
				break;
			}
			open_n++;
		}
		n = epoll_wait(ep, ev, 64, 100);
		for (i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;

			ret = load_step(ep, c);
			if (ret <= 0) {
				conn_end(ep, c, &f, ret == 0);
				open_n--;
			}
		}
	}
	report("load", &f, cpu_s() - cpu0);
	free(f.ms);
	ktlso_client_ticket_clear(&nt.t);
	return f.done ? 0 : 1;
}

/* --- main ----------------------------------------------------------------- */

/* The usage on @f, then exit with @status. */
static _Noreturn void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: ktlso-hsload serve --mode upcall|engine --port P --seconds S\n"
		"                          [--cert F --key F [--tickets]]\n"
		"       ktlso-hsload load --port P --seconds S [--clients N] [--tls 1.2|1.3]\n"
		"                         [--count N] [--source IPV4] [--resume]\n"
		"       ktlso-hsload hostile --port P --seconds S --kind alpn|sigalgs|suites|alerts\n"
		"       ktlso-hsload --version | --help\n");
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "port", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "clients", required_argument, NULL, 'c' },
		{ "tls", required_argument, NULL, 't' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "kind", required_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'n' },
		{ "source", required_argument, NULL, 'S' },
		{ "resume", no_argument, NULL, 'r' },
		{ "tickets", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .mode = "upcall", .clients = 16, .tls = "1.3",
			  .seconds = 10 };
	int c;

	if (argc < 2)
		usage(stderr, EX_USAGE);
	if (strcmp(argv[1], "--version") == 0)
		print_package_version("ktlso-hsload");
	if (strcmp(argv[1], "--help") == 0)
		usage(stdout, 0);
	if (strcmp(argv[1], "serve") == 0)
		o.serve = true;
	else if (strcmp(argv[1], "hostile") == 0)
		o.hostile = true;
	else if (strcmp(argv[1], "load") != 0)
		usage(stderr, EX_USAGE);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.mode = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 's':
			o.seconds = atof(optarg);
			break;
		case 'c':
			o.clients = (unsigned int)atoi(optarg);
			break;
		case 't':
			if (strcmp(optarg, "1.2") && strcmp(optarg, "1.3"))
				usage(stderr, EX_USAGE);
			o.tls = optarg;
			break;
		case 'C':
			o.cert = optarg;
			break;
		case 'K':
			o.key = optarg;
			break;
		case 'k':
			o.kind = optarg;
			break;
		case 'n':
			o.count = strtoul(optarg, NULL, 10);
			break;
		case 'S':
			if (inet_pton(AF_INET, optarg, &o.source) != 1) {
				fprintf(stderr, "--source %s: not an IPv4 address\n",
					optarg);
				usage(stderr, EX_USAGE);
			}
			o.has_source = true;
			break;
		case 'r':
			o.resume = true;
			break;
		case 'T':
			o.tickets = true;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, EX_USAGE);
		}
	}
	if (o.port <= 0 || o.port > 65535 || o.seconds <= 0 ||
	    o.seconds > 3600 || o.clients < 1 || o.clients > MAX_CONNS)
		usage(stderr, EX_USAGE);
	signal(SIGPIPE, SIG_IGN);
	if (o.hostile)
		return o.kind ? hsload_hostile(o.port, o.kind, o.seconds) :
				EX_USAGE;
	return o.serve ? serve(&o) : load(&o);
}
