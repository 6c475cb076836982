// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-httpd: a small HTTPS static file server on ktlso.
 *
 *	ktlso-httpd --root DIR --listen PORT [--addr A] [--profile NAME]
 *		    [--timeout MS] [--alpn LIST] [--max-clients N]
 *		    [--max-per-addr N] [--idle-timeout S]
 *		    [--request-timeout S] [--once] [--quiet]
 *	ktlso-httpd --version
 *
 * Each accepted connection is handed to the handshake daemon with
 * ktlso_handshake() (server role, the given profile); once the kernel holds
 * the keys, a thread serves GET and HEAD over plain socket calls and
 * sendfile(2), and the kernel seals every record.  At most --max-clients
 * connections are served at once; the rest wait in the listen queue.  No
 * one address holds more than --max-per-addr of them (more are closed at
 * once, the first refusal of a burst logged), and every request must
 * arrive whole within --request-timeout of its first byte (408 after),
 * so slow clients that trickle bytes hold slots for seconds, not hours.  A
 * failed handshake is logged and its connection closed; the server goes
 * on.  --once serves one connection and exits: 0 if its handshake
 * succeeded, 1 if not.
 *
 * It prints "ktlso-httpd: listening on ADDR port PORT" on stdout once it
 * listens (with --listen 0 the kernel picks the port), and logs one line
 * per connection and per request on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <ktlso/ktlso.h>

#include "common/version.h"
#include "conn.h"
#include "peers.h"

#define PROG		"ktlso-httpd"
#define MAX_ALPN	8
#define PEER_LEN	(INET6_ADDRSTRLEN + 16)

struct options {
	const char *root;
	const char *port;
	const char *addr;
	const char *profile;
	unsigned int timeout_ms;
	unsigned int max_clients;
	unsigned int max_per_addr;
	unsigned int idle_s;
	unsigned int request_s;
	bool once;
	bool quiet;
	char *alpn_buf;
	const char *alpn[MAX_ALPN + 1];
};

struct client {
	int fd;
	struct sockaddr_storage addr;
	char peer[PEER_LEN];
};

static struct options opt = {
	.max_clients = 64,
	.max_per_addr = 8,
	.idle_s = 30,
	.request_s = 10,
};
static struct peers peers;
static struct http_server server;
static struct ktlso_params params;

static pthread_mutex_t active_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t active_cond = PTHREAD_COND_INITIALIZER;
static unsigned int active;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --root DIR --listen PORT [options]\n"
		"       " PROG " --version\n"
		"  --root DIR         serve the files below DIR\n"
		"  --listen PORT      TCP port (0: any free one)\n"
		"  --addr A           address to listen on (default: all)\n"
		"  --profile NAME     ktlsod profile for the handshake\n"
		"  --timeout MS       handshake timeout (default: module's)\n"
		"  --alpn LIST        protocols to accept, comma-separated\n"
		"                     (default http/1.1; \"\" for no ALPN)\n"
		"  --max-clients N    connections served at once (default 64)\n"
		"  --max-per-addr N   of which from one client address (8; 0: any)\n"
		"  --idle-timeout S   close connections idle for S s (30)\n"
		"  --request-timeout S  a request must arrive whole within S s of\n"
		"                     its first byte (10; 0: no limit)\n"
		"  --once             serve one connection, then exit\n"
		"  --quiet            log failures only\n"
		"  --version          print the version, exit\n"
		"  --help             this text\n");
}

/* An unsigned number in [0, max]; -1 for anything else. */
static long parse_uint(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

/* "h2,http/1.1" into opt.alpn; "" for none. */
static int parse_alpn(const char *list)
{
	char *p, *save = NULL, *tok;
	int n = 0;

	free(opt.alpn_buf);
	opt.alpn_buf = strdup(list);
	if (!opt.alpn_buf)
		return -1;
	for (p = opt.alpn_buf; (tok = strtok_r(p, ",", &save)); p = NULL) {
		if (n == MAX_ALPN)
			return -1;
		opt.alpn[n++] = tok;
	}
	opt.alpn[n] = NULL;
	return 0;
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "listen", required_argument, NULL, 'l' },
		{ "addr", required_argument, NULL, 'a' },
		{ "profile", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "alpn", required_argument, NULL, 'A' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "max-per-addr", required_argument, NULL, 'P' },
		{ "request-timeout", required_argument, NULL, 'R' },
		{ "once", no_argument, NULL, '1' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	if (parse_alpn("http/1.1"))
		return -1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.root = optarg;
			break;
		case 'l':
			if (parse_uint(optarg, 65535) < 0)
				goto bad;
			opt.port = optarg;
			break;
		case 'a':
			opt.addr = optarg;
			break;
		case 'p':
			opt.profile = optarg;
			break;
		case 't':
			v = parse_uint(optarg, KTLSO_TIMEOUT_MAX_MS);
			if (v < 0)
				goto bad;
			opt.timeout_ms = (unsigned int)v;
			break;
		case 'A':
			if (parse_alpn(optarg))
				goto bad;
			break;
		case 'm':
			v = parse_uint(optarg, 100000);
			if (v < 1)
				goto bad;
			opt.max_clients = (unsigned int)v;
			break;
		case 'i':
			v = parse_uint(optarg, 86400);
			if (v < 1)
				goto bad;
			opt.idle_s = (unsigned int)v;
			break;
		case 'P':
			v = parse_uint(optarg, 100000);
			if (v < 0)
				goto bad;
			opt.max_per_addr = (unsigned int)v;
			break;
		case 'R':
			v = parse_uint(optarg, 86400);
			if (v < 0)
				goto bad;
			opt.request_s = (unsigned int)v;
			break;
		case '1':
			opt.once = true;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'V':
			print_package_version(PROG);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !opt.root || !opt.port) {
		usage(stderr);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, PROG ": bad value: %s\n", optarg);
	return -1;
}

static void peer_name(struct sockaddr_storage *ss, socklen_t len,
		      char *out, size_t cap)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN], port[8];

	/* An IPv4 client of the dual-stack listener, as IPv4. */
	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = sin6->sin6_port,
		};

		memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
		memcpy(ss, &sin, sizeof(sin));
		len = sizeof(sin);
	}
	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host),
			port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(out, cap, "?");
	else if (ss->ss_family == AF_INET6)
		snprintf(out, cap, "[%s]:%s", host, port);
	else
		snprintf(out, cap, "%s:%s", host, port);
}

static int open_listener(void)
{
	struct addrinfo hints = {
		.ai_family = opt.addr ? AF_UNSPEC : AF_INET6,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	int fd = -1, one = 1, zero = 0, err;

	err = getaddrinfo(opt.addr, opt.port, &hints, &res);
	if (err && !opt.addr) {
		/* No IPv6 here: all IPv4 addresses. */
		hints.ai_family = AF_INET;
		err = getaddrinfo(NULL, opt.port, &hints, &res);
	}
	if (err) {
		fprintf(stderr, PROG ": %s: %s\n", opt.addr ? opt.addr : "*",
			gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* The default address takes IPv4 clients too. */
		if (ai->ai_family == AF_INET6 && !opt.addr)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				   sizeof(zero));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 128))
			break;
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, PROG ": cannot listen on port %s: %s\n",
			opt.port, strerror(errno));
	return fd;
}

static void announce(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN], port[8];

	if (getsockname(lfd, (struct sockaddr *)&ss, &len) ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
			sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	printf(PROG ": listening on %s port %s\n", host, port);
	fflush(stdout);
}

/*
 * One connection, from the handshake to the close.  Return: whether the
 * handshake succeeded.
 */
static bool serve_client(struct client *cl)
{
	struct timeval tv = { .tv_sec = opt.idle_s };
	struct ktlso_info info;
	int err, n, one = 1;

	setsockopt(cl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cl->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/*
	 * A response ends with a partial segment, which Nagle would hold
	 * until the client ACKs the rest, and a client may delay that ACK
	 * for up to 40 ms: a stall per response on a kept-alive connection.
	 * The response's pieces are joined by MSG_MORE (conn.c), so nothing
	 * is sent short that Nagle should have merged.
	 */
	setsockopt(cl->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	err = ktlso_handshake(cl->fd, &params);
	/* A signal handler ran: the handshake goes on, wait for it again. */
	while (err == -EINTR)
		err = ktlso_handshake_wait(cl->fd, -1);
	if (err) {
		fprintf(stderr, "%s: TLS handshake failed: %s\n", cl->peer,
			ktlso_strerror(err));
		close(cl->fd);
		return false;
	}
	if (!opt.quiet && !ktlso_get_info(cl->fd, &info)) {
		struct ktlso_peer *peer = NULL;

		/* The client's certificate, when the profile asked for one. */
		ktlso_get_peer(cl->fd, &peer);
		fprintf(stderr, "%s: %s %s%s%s%s%s%s%s\n", cl->peer,
			info.version_name, info.cipher_name,
			info.alpn[0] ? ", ALPN " : "", info.alpn,
			info.peer[0] ? ", client " : "", info.peer,
			peer ? ", sha256 " : "", peer ? peer->sha256_text : "");
		ktlso_peer_free(peer);
	}

	n = http_serve_conn(&server, cl->fd, cl->peer);
	/* A cut or reset connection is the client's doing; an alert
	 * was logged with its name. */
	if (n < 0 && n != -ECONNRESET && n != -EPIPE && n != -ECONNREFUSED)
		fprintf(stderr, "%s: connection failed: %s\n", cl->peer,
			ktlso_strerror(n));
	if (n >= 0)
		ktlso_close_notify(cl->fd);
	close(cl->fd);
	return true;
}

static void *client_thread(void *arg)
{
	struct client *cl = arg;

	serve_client(cl);
	peers_leave(&peers, (struct sockaddr *)&cl->addr);
	free(cl);
	pthread_mutex_lock(&active_lock);
	active--;
	pthread_cond_signal(&active_cond);
	pthread_mutex_unlock(&active_lock);
	return NULL;
}

static struct client *accept_client(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct client *cl;
	int fd;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			continue;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			fprintf(stderr, PROG ": accept: %s\n", strerror(errno));
			usleep(100000);
			continue;
		default:
			fprintf(stderr, PROG ": accept: %s\n", strerror(errno));
			return NULL;
		}
	}
	cl = malloc(sizeof(*cl));
	if (!cl) {
		close(fd);
		return NULL;
	}
	cl->fd = fd;
	cl->addr = ss;
	peer_name(&ss, len, cl->peer, sizeof(cl->peer));
	return cl;
}

static int serve_forever(int lfd)
{
	pthread_attr_t attr;
	pthread_t tid;
	bool first;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		struct client *cl;

		pthread_mutex_lock(&active_lock);
		while (active >= opt.max_clients)
			pthread_cond_wait(&active_cond, &active_lock);
		active++;
		pthread_mutex_unlock(&active_lock);

		cl = accept_client(lfd);
		if (!cl)
			return 1;
		if (!peers_enter(&peers, (struct sockaddr *)&cl->addr, &first)) {
			if (first)
				fprintf(stderr,
					"%s: more than %u connections from this address: closing the new ones\n",
					cl->peer, opt.max_per_addr);
			close(cl->fd);
			free(cl);
			pthread_mutex_lock(&active_lock);
			active--;
			pthread_mutex_unlock(&active_lock);
			continue;
		}
		if (pthread_create(&tid, &attr, client_thread, cl)) {
			fprintf(stderr, "%s: no thread for it\n", cl->peer);
			peers_leave(&peers, (struct sockaddr *)&cl->addr);
			close(cl->fd);
			free(cl);
			pthread_mutex_lock(&active_lock);
			active--;
			pthread_mutex_unlock(&active_lock);
		}
	}
}

int main(int argc, char **argv)
{
	struct client *cl;
	int lfd, ret;

	if (parse_options(argc, argv))
		return EX_USAGE;
	signal(SIGPIPE, SIG_IGN);

	server.rootfd = open(opt.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (server.rootfd < 0) {
		fprintf(stderr, PROG ": %s: %s\n", opt.root, strerror(errno));
		return 1;
	}
	server.log = opt.quiet ? NULL : stderr;
	server.request_ms = opt.request_s * 1000;
	if (peers_init(&peers, opt.max_per_addr, opt.max_clients)) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	params.role = KTLSO_SERVER;
	params.profile = opt.profile;
	params.timeout_ms = opt.timeout_ms;
	params.alpn = opt.alpn[0] ? opt.alpn : NULL;
	/* Refuse a bad profile or ALPN list now, not at every client. */
	if (ktlso_params_check(&params)) {
		fprintf(stderr, PROG ": bad --profile or --alpn\n");
		return EX_USAGE;
	}

	lfd = open_listener();
	if (lfd < 0)
		return 1;
	announce(lfd);

	if (!opt.once)
		return serve_forever(lfd);
	cl = accept_client(lfd);
	if (!cl)
		return 1;
	close(lfd);
	ret = serve_client(cl) ? 0 : 1;
	free(cl);
	return ret;
}
