// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-client: a TLS client whose handshake the ktlso daemon runs and whose
 * records the kernel seals and opens; the application side is libktlso and
 * plain read/write.  It relays stdin and stdout like "openssl s_client",
 * fetches one URL path (--get), or opens many connections at once (--load)
 * to show that handshakes proceed side by side.  While relaying it can ask
 * the kernel for a TLS 1.3 KeyUpdate every so many bytes (--key-update),
 * and it can print how often the keys changed (--key-state).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#include <ktlso/ktlso.h>

#include "common/version.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define PROG		"ktlso-client"
#define MAX_ALPN	16
#define MAX_LOAD	4096

struct opts {
	const char *host, *port;
	const char *server_name;
	const char *get;
	const char *out;
	struct ktlso_params params;
	const char *alpn[MAX_ALPN + 1];
	char *alpn_buf;
	unsigned int load;
	unsigned long long key_update;	/* bytes between KeyUpdates; 0: none */
	bool update_requested;
	bool key_state;
	bool quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " --connect HOST:PORT [options]\n"
"       " PROG " --version\n"
"  --servername NAME  name to send and verify (default: HOST; an address\n"
"                     is verified against the certificate's IP SANs)\n"
"  --profile NAME     ktlsod profile (default: \"default\")\n"
"  --alpn LIST        protocols to offer, comma separated\n"
"  --timeout MS       handshake timeout (default: the kernel's)\n"
"  --get PATH         send an HTTP/1.0 GET for PATH, write the body to\n"
"                     stdout (or --out FILE); exit 1 unless the status is 200\n"
"  --out FILE         where --get writes the body\n"
"  --load N           open N connections at once, handshake on all, then\n"
"                     (with --get) fetch PATH on each; report and exit 1 if\n"
"                     any failed\n"
"  --quiet            do not print the negotiated parameters\n"
"  --key-update BYTES while relaying, send a TLS 1.3 KeyUpdate (the kernel\n"
"                     changes its transmit key) after every BYTES sent\n"
"  --update-requested those KeyUpdates ask the server to update its keys too\n"
"  --key-state        at the end, print how often each direction's keys\n"
"                     changed to stderr; exit 1 if the kernel cannot say\n"
"  --version          print the version, exit\n"
"  --help             this text\n"
"Without --get or --load, relays stdin to the server and the server to stdout;\n"
"end of stdin sends close_notify.  A server that ends without close_notify\n"
"(a truncated stream) or with another alert makes it exit 1.\n");
}

static int split_alpn(struct opts *o, const char *list)
{
	char *save = NULL, *tok;
	unsigned int n = 0;

	free(o->alpn_buf);
	o->alpn_buf = strdup(list);
	if (!o->alpn_buf)
		return -ENOMEM;
	for (tok = strtok_r(o->alpn_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_ALPN)
			return -E2BIG;
		o->alpn[n++] = tok;
	}
	o->alpn[n] = NULL;
	o->params.alpn = n ? o->alpn : NULL;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "servername", required_argument, NULL, 's' },
		{ "profile", required_argument, NULL, 'p' },
		{ "alpn", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "get", required_argument, NULL, 'g' },
		{ "out", required_argument, NULL, 'o' },
		{ "load", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "key-update", required_argument, NULL, 'k' },
		{ "update-requested", no_argument, NULL, 'K' },
		{ "key-state", no_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char hostbuf[256];
	char *end, *colon;
	unsigned long v;
	int c;

	o->params.role = KTLSO_CLIENT;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (strlen(optarg) >= sizeof(hostbuf))
				return -1;
			strcpy(hostbuf, optarg);
			colon = strrchr(hostbuf, ':');
			if (!colon || colon == hostbuf || !colon[1])
				return -1;
			*colon = '\0';
			o->host = hostbuf;
			o->port = colon + 1;
			if (o->host[0] == '[' && colon[-1] == ']') {
				colon[-1] = '\0';
				o->host++;
			}
			break;
		case 's':
			o->server_name = optarg;
			break;
		case 'p':
			o->params.profile = optarg;
			break;
		case 'a':
			if (split_alpn(o, optarg))
				return -1;
			break;
		case 't':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v > KTLSO_TIMEOUT_MAX_MS)
				return -1;
			o->params.timeout_ms = v;
			break;
		case 'g':
			o->get = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'l':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > MAX_LOAD)
				return -1;
			o->load = v;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'k':
			errno = 0;
			o->key_update = strtoull(optarg, &end, 10);
			if (errno || *end || !o->key_update ||
			    optarg[0] == '-')
				return -1;
			break;
		case 'K':
			o->update_requested = true;
			break;
		case 'S':
			o->key_state = true;
			break;
		case 'V':
			print_package_version(PROG);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc || !o->host || (o->out && !o->get))
		return -1;
	/* KeyUpdates on the way are a relay's; --load has no one socket. */
	if ((o->key_update && (o->get || o->load)) ||
	    (o->update_requested && !o->key_update) ||
	    (o->key_state && o->load))
		return -1;
	/*
	 * HOST is what the server's certificate must name: a host name
	 * (its DNS SANs) or an address literal (its IP SANs; ktlsod does
	 * not send it as SNI).
	 */
	if (!o->server_name)
		o->server_name = o->host;
	o->params.server_name = o->server_name;
	return ktlso_params_check(&o->params) ? -1 : 0;
}

static int tcp_connect(const struct opts *o)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai, *a;
	int fd = -1, err;

	err = getaddrinfo(o->host, o->port, &hints, &ai);
	if (err) {
		fprintf(stderr, "ktlso-client: %s:%s: %s\n", o->host, o->port,
			gai_strerror(err));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		fprintf(stderr, "ktlso-client: connect %s:%s: %s\n", o->host,
			o->port, strerror(errno));
	return fd;
}

/* "name: a, b, c" for a list of the peer's names, nothing for none. */
static void print_names(const char *name, const char *const *v)
{
	size_t i;

	if (!v[0])
		return;
	fprintf(stderr, "%s: ", name);
	for (i = 0; v[i]; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", v[i]);
	fputc('\n', stderr);
}

static void print_info(int fd)
{
	struct ktlso_peer *peer = NULL;
	struct ktlso_info in;

	if (ktlso_get_info(fd, &in)) {
		fprintf(stderr, "ktlso-client: cannot read the TLS state\n");
		return;
	}
	fprintf(stderr,
		"version: %s\ncipher: %s\nalpn: %s\npeer: %s\nresumed: %s\n",
		in.version_name, in.cipher_name, in.alpn[0] ? in.alpn : "none",
		in.peer[0] ? in.peer : "none", in.resumed ? "yes" : "no");
	if (ktlso_get_peer(fd, &peer))
		return;
	fprintf(stderr, "peer-sha256: %s\n", peer->sha256_text);
	print_names("peer-dns", peer->dns);
	print_names("peer-ip", peer->ip);
	ktlso_peer_free(peer);
}

/*
 * --key-state: "key-state: tx_gen N rx_gen N tx_auto N rx_auto N
 * tx_limit N" on stderr: how often each direction's keys changed on this
 * socket, whether the kernel runs the updates, and how many records the
 * current transmit key may seal.  Return 0, or -errno when it cannot say.
 */
static int print_key_state(int fd)
{
	struct ktlso_key_state st;
	int err = ktlso_get_key_state(fd, &st);

	if (err) {
		fprintf(stderr, "ktlso-client: key state: %s\n",
			ktlso_strerror(err));
		return err;
	}
	fprintf(stderr,
		"key-state: tx_gen %llu rx_gen %llu tx_auto %u rx_auto %u tx_limit %llu\n",
		(unsigned long long)st.tx_gen, (unsigned long long)st.rx_gen,
		st.tx_auto, st.rx_auto, (unsigned long long)st.tx_limit);
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * read() for a socket whose records the kernel opens (ktlso_recv()):
 * data as it comes; 0 after the server's close_notify; -EPIPE when the
 * connection ended without one (the data may be cut short); an alert that
 * ends the session is printed with its name and is -ECONNREFUSED.  On a
 * non-blocking socket -EAGAIN when nothing is there (a record the kernel
 * consumed, or one ktlso_recv() skipped, woke the caller up).
 */
static ssize_t tls_read(int fd, void *buf, size_t len)
{
	struct ktlso_alert_msg alert;
	ssize_t n;

	do {
		n = ktlso_recv(fd, buf, len, 0, &alert);
	} while (n == -EINTR);
	if (n == -ECONNREFUSED)
		fprintf(stderr, "ktlso-client: alert %s (%d) from the server\n",
			ktlso_alert_name(alert.desc), alert.desc);
	if (n == -EKEYEXPIRED)
		fprintf(stderr, "ktlso-client: the server updated its keys (KeyUpdate) and the kernel did not follow\n");
	return n;
}

/*
 * The relay's socket side: what stdin gave that the socket did not take
 * yet, and the KeyUpdates asked for on the way.  The socket is
 * non-blocking, so that the relay keeps reading what the server sends
 * while the server does not read (an echo server, both directions in
 * flight): neither side can wait for the other.
 */
struct relay {
	int fd;
	char buf[16384];
	size_t len, off;		/* stdin bytes in buf, sent of them */
	bool stdin_done;		/* end of stdin seen */
	bool closed;			/* close_notify sent, SHUT_WR */
	unsigned long long every;	/* --key-update: bytes between them */
	unsigned long long sent, next_update;
	bool request;			/* --update-requested */
	bool update_due;
	unsigned long long *updates;	/* KeyUpdates the kernel sent for us */
};

static bool relay_wants_out(const struct relay *r)
{
	return r->off < r->len || r->update_due ||
	       (r->stdin_done && !r->closed);
}

/*
 * Send what the socket takes now: a KeyUpdate that is due first, then
 * the rest of the buffer; at the end of stdin, close_notify.  Return 0
 * (also when the socket is full) or -errno.
 */
static int relay_flush(struct relay *r)
{
	ssize_t n;
	int err;

	for (;;) {
		if (r->update_due) {
			err = ktlso_key_update(r->fd, r->request);
			if (err == -EAGAIN)
				return 0;
			if (err) {
				fprintf(stderr, "ktlso-client: KeyUpdate: %s\n",
					err == -EINVAL ?
					"the kernel does not run this socket's key updates (TLS 1.2, or no traffic secret)" :
					ktlso_strerror(err));
				return err;
			}
			r->update_due = false;
			(*r->updates)++;
		}
		if (r->off == r->len)
			break;
		n = send(r->fd, r->buf + r->off, r->len - r->off,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		r->off += (size_t)n;
		r->sent += (unsigned long long)n;
		if (r->every && r->sent >= r->next_update) {
			r->update_due = true;
			r->next_update = r->sent + r->every;
		}
	}
	if (r->stdin_done && !r->closed) {
		err = ktlso_close_notify(r->fd);
		if (err == -EAGAIN)
			return 0;
		if (err)
			return err;
		shutdown(r->fd, SHUT_WR);
		r->closed = true;
	}
	return 0;
}

/*
 * stdin -> socket, socket -> stdout, until the server ends; *@updates
 * counts the KeyUpdates --key-update had the kernel send.
 */
static int relay(int fd, const struct opts *o, unsigned long long *updates)
{
	struct relay r = {
		.fd = fd,
		.every = o->key_update,
		.next_update = o->key_update,
		.request = o->update_requested,
		.updates = updates,
	};
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = fd },
	};
	char in[16384];
	ssize_t n;
	int err, flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	for (;;) {
		/* Read stdin only once the socket took what it gave. */
		p[0].fd = !r.stdin_done && r.off == r.len ? STDIN_FILENO : -1;
		p[1].events = POLLIN | (relay_wants_out(&r) ? POLLOUT : 0);
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].fd >= 0 && p[0].revents) {
			n = read(STDIN_FILENO, r.buf, sizeof(r.buf));
			if (n < 0 && errno != EINTR)
				return -errno;
			if (n == 0)
				r.stdin_done = true;
			else if (n > 0) {
				r.len = (size_t)n;
				r.off = 0;
			}
		}
		if (relay_wants_out(&r)) {
			err = relay_flush(&r);
			if (err)
				return err;
		}
		if (p[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			n = tls_read(fd, in, sizeof(in));
			if (n == -EAGAIN)
				continue;
			if (n < 0)
				return n;
			if (n == 0)
				return 0;
			err = write_all(STDOUT_FILENO, in, n);
			if (err)
				return err;
		}
	}
}

/*
 * One GET over @fd; the body goes to @out_fd (-1: discard).  Returns 0 for
 * a 200 whose body is complete, 1 for another status, or -errno.
 */
static int http_get(int fd, const char *host, const char *path, int out_fd)
{
	char req[1024], hdr[8192];
	size_t have = 0;
	long long want = -1, got = 0;
	char *eoh = NULL, *cl;
	int status = 0, err;
	ssize_t n;

	/* RFC 3986 3.2.2: an IPv6 literal goes in brackets. */
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s%s%s\r\nConnection: close\r\n\r\n",
		     path, strchr(host, ':') ? "[" : "", host,
		     strchr(host, ':') ? "]" : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		return -EINVAL;
	err = write_all(fd, req, n);
	if (err)
		return err;
	while (!eoh) {
		if (have == sizeof(hdr) - 1)
			return -EMSGSIZE;
		n = tls_read(fd, hdr + have, sizeof(hdr) - 1 - have);
		if (n < 0)
			return n;
		if (n == 0)
			return -EPIPE;
		have += n;
		hdr[have] = '\0';
		eoh = strstr(hdr, "\r\n\r\n");
	}
	if (sscanf(hdr, "HTTP/1.%*d %d", &status) != 1)
		return -EPROTO;
	*eoh = '\0';
	cl = strcasestr(hdr, "\r\ncontent-length:");
	if (cl)
		want = strtoll(cl + 17, NULL, 10);
	eoh += 4;
	n = hdr + have - eoh;
	for (;;) {
		if (n > 0) {
			if (out_fd >= 0) {
				err = write_all(out_fd, eoh, n);
				if (err)
					return err;
			}
			got += n;
		}
		if (want >= 0 && got >= want)
			break;
		eoh = hdr;
		n = tls_read(fd, hdr, sizeof(hdr));
		if (n < 0)
			return n;
		if (n == 0)
			break;
	}
	if (want >= 0 && got != want)
		return -EPIPE;
	return status == 200 ? 0 : 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --load: N handshakes in flight at once. */
static int load(const struct opts *o)
{
	unsigned int i, ok = 0, failed = 0, pending = 0;
	struct pollfd *p = calloc(o->load, sizeof(*p));
	int *err = calloc(o->load, sizeof(*err));
	long t0 = now_ms();
	int ret = 1;

	if (!p || !err)
		goto out;
	for (i = 0; i < o->load; i++) {
		p[i].fd = tcp_connect(o);
		p[i].events = POLLIN | POLLOUT;
		err[i] = p[i].fd < 0 ? -ECONNREFUSED :
			 ktlso_handshake_start(p[i].fd, &o->params);
		if (err[i]) {
			if (p[i].fd >= 0)
				close(p[i].fd);
			p[i].fd = -1;
		} else {
			err[i] = -EINPROGRESS;
			pending++;
		}
	}
	while (pending) {
		if (poll(p, o->load, -1) < 0 && errno != EINTR)
			goto out;
		for (i = 0; i < o->load; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			err[i] = ktlso_handshake_poll(p[i].fd);
			if (err[i] == -EINPROGRESS)
				continue;
			if (!err[i] && o->get) {
				int r = http_get(p[i].fd, o->server_name,
						 o->get, -1);

				err[i] = r > 0 ? -EPROTO : r;
			}
			close(p[i].fd);
			p[i].fd = -1;
			pending--;
		}
	}
	for (i = 0; i < o->load; i++) {
		if (!err[i]) {
			ok++;
			continue;
		}
		failed++;
		fprintf(stderr, "ktlso-client: connection %u: %s\n", i,
			ktlso_strerror(err[i]));
	}
	printf("connections: %u ok, %u failed, %ld ms\n", ok, failed,
	       now_ms() - t0);
	ret = failed ? 1 : 0;
out:
	free(p);
	free(err);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	unsigned long long updates = 0;
	int fd, out_fd = STDOUT_FILENO, err;

	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return EX_USAGE;
	}
	if (o.load)
		return load(&o);

	fd = tcp_connect(&o);
	if (fd < 0)
		return 1;
	err = ktlso_handshake(fd, &o.params);
	if (err) {
		fprintf(stderr, "ktlso-client: handshake failed: %s\n",
			ktlso_strerror(err));
		close(fd);
		return 1;
	}
	if (!o.quiet)
		print_info(fd);
	if (o.get) {
		if (o.out) {
			out_fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC |
				      O_CLOEXEC, 0644);
			if (out_fd < 0) {
				fprintf(stderr, "ktlso-client: %s: %s\n", o.out,
					strerror(errno));
				close(fd);
				return 1;
			}
		}
		err = http_get(fd, o.server_name, o.get, out_fd);
		if (out_fd != STDOUT_FILENO)
			close(out_fd);
		if (err > 0)
			fprintf(stderr, "ktlso-client: GET %s: not 200\n",
				o.get);
	} else {
		err = relay(fd, &o, &updates);
	}
	if (err < 0)
		fprintf(stderr, "ktlso-client: %s\n", ktlso_strerror(err));
	if (o.key_update)
		fprintf(stderr, "key-updates: %llu asked\n", updates);
	if (o.key_state && print_key_state(fd) && !err)
		err = 1;
	close(fd);
	free(o.alpn_buf);
	return err ? 1 : 0;
}
