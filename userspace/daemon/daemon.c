// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's main loop: requests from netlink to the workers, outcomes
 * back, signals. See daemon.h.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <linux/tls.h>

#include "common/container_of.h"
#include "daemon/daemon.h"
#include "daemon/errmap.h"
#include "daemon/log.h"
#include "engine/suite.h"

/* How long a stop waits for a reload that is reading files. */
#define RELOAD_STOP_WAIT_MS 5000

enum kd_log_level kd_daemon_log_level(const struct kd_config *c,
				      int verbosity)
{
	int level = (int)c->log_level + verbosity;

	return level > KD_LOG_DEBUG ? KD_LOG_DEBUG : (enum kd_log_level)level;
}

void kd_daemon_log_probe(const struct kd_kalg_probe *p)
{
	char line[256];
	size_t i;

	for (i = 0; i < KD_KALG_COUNT; i++) {
		kd_kalg_describe(p, (enum ktlso_aead)i, line, sizeof(line));
		kd_log(KD_LOG_INFO, "kernel AEAD %s", line);
	}
}

void kd_daemon_log_config(const struct kd_config *c)
{
	char suites[512], who[1024];
	size_t i, j, off;

	for (i = 0; i < c->n_profiles; i++) {
		const struct kd_profile *p = c->profiles[i];

		off = 0;
		suites[0] = '\0';
		for (j = 0; j < p->tmpl.n_suites && off < sizeof(suites); j++) {
			const struct ktlso_suite *s =
				ktlso_suite_find(p->tmpl.suites[j]);

			/* Those of the versions the profile negotiates. */
			if (s->version < p->tmpl.min_version ||
			    s->version > p->tmpl.max_version)
				continue;
			off += (size_t)snprintf(suites + off,
						sizeof(suites) - off, "%s%s",
						off ? ":" : "", s->name);
		}
		kd_log(KD_LOG_INFO,
		       "profile %s:%s%s, %zu cert(s), suites %s", p->name,
		       p->can_server ? " server" : "",
		       p->can_client ? " client" : "", p->n_creds, suites);
		if (p->can_server) {
			kd_acl_describe(&p->acl, KTLSO_ROLE_SERVER, who,
					sizeof(who));
			kd_log(KD_LOG_INFO, "profile %s: server for %s",
			       p->name, who);
		}
		if (p->can_client) {
			kd_acl_describe(&p->acl, KTLSO_ROLE_CLIENT, who,
					sizeof(who));
			kd_log(KD_LOG_INFO, "profile %s: client for %s",
			       p->name, who);
		}
	}
	kd_log(KD_LOG_INFO,
	       "%s: %zu profile(s), at most %u handshakes at once, %u per peer address, %u per user (0: no bound)",
	       c->path, c->n_profiles, c->max_handshakes, c->max_per_peer,
	       c->max_per_user);
}

/* --- outcomes ---------------------------------------------------------- */

static void log_outcome(const struct kd_hs *h)
{
	const struct kd_outcome *o = &h->out;
	const char *role = h->role == KTLSO_ROLE_CLIENT ? "client" : "server";
	char who[64] = "";

	if (h->who.known)
		snprintf(who, sizeof(who), " for uid %u pid %u", h->who.uid,
			 h->who.pid);
	if (o->status) {
		/* A peer can fail handshakes as fast as it connects. */
		kd_log_peer(KD_LOG_WARNING, "%s %s profile %s%s: %s: %s (%s)",
			    h->peer, role, h->profile, who,
			    o->denied ? "refused" : "failed",
			    kd_errno_name(o->status), o->reason);
		return;
	}
	kd_log(KD_LOG_INFO, "%s %s profile %s%s: %s %s%s%s%s%s%s", h->peer,
	       role, h->profile, who, ktlso_tls_version_name(o->version),
	       ktlso_suite_name(o->suite) ? ktlso_suite_name(o->suite) : "?",
	       o->alpn[0] ? ", alpn " : "", o->alpn,
	       o->peer_identity[0] ? ", peer " : "", o->peer_identity,
	       o->resumed ? ", resumed" : "");
}

/*
 * Report @o for @fd to the kernel, then let the descriptor go.
 * Return: 0, or the -errno of HS_DONE.
 */
static int report(struct kd_daemon *d, int fd, const struct kd_outcome *o)
{
	int ret = kd_genl_done(&d->genl, fd, o);

	if (ret == -ENOENT || (ret == -EINVAL && o->status))
		kd_log(KD_LOG_DEBUG, "HS_DONE: the kernel had ended it already");
	else if (ret)
		kd_log(KD_LOG_WARNING, "HS_DONE: %s", strerror(-ret));
	close(fd);
	return ret;
}

/* Report a request's outcome and count it. Return: as report(). */
static int report_counted(struct kd_daemon *d, int fd,
			  const struct kd_outcome *o)
{
	int ret = report(d, fd, o);

	if (o->denied)
		d->refused++;
	else if (o->status || ret)
		d->failed_hs++;
	else
		d->completed++;
	return ret;
}

/* The keys a request is counted under (inflight.h). */
static void inflight_keys(const char *peer, const struct kd_requester *who,
			  char *pk, char *uk)
{
	kd_inflight_peer_key(peer, pk, KD_INFLIGHT_KEY_MAX);
	uk[0] = '\0';
	if (who->known)
		snprintf(uk, KD_INFLIGHT_KEY_MAX, "uid %u", who->uid);
}

static void on_done(void *arg, struct kd_hs *h)
{
	char pk[KD_INFLIGHT_KEY_MAX], uk[KD_INFLIGHT_KEY_MAX];
	struct kd_daemon *d = arg;

	inflight_keys(h->peer, &h->who, pk, uk);
	kd_inflight_leave(&d->inflight, pk, uk);
	log_outcome(h);
	/* A TLS 1.3 client's tickets come through the kernel, under an id. */
	h->out.ticket_session = kd_client_resume_id(
		&d->client, h, kd_genl_tickets_fd(&d->genl) >= 0);
	if (report_counted(d, h->fd, &h->out) == 0 && h->out.ticket_session)
		kd_client_resume_track(&d->client, h, h->out.ticket_session);
	kd_hs_free(h);
}

/* --- requests ---------------------------------------------------------- */

static void start(struct kd_daemon *d, const struct kd_request *req)
{
	const struct kd_hs_params p = {
		.fd = req->fd,
		.role = req->role,
		.profile = req->profile,
		.server_name = req->server_name,
		.alpn = req->alpn,
		.alpn_len = req->alpn_len,
		.timeout_ms = req->timeout_ms,
		.peer = req->peer,
		.who = &req->who,
		.install = kd_install_kernel_keys,
		.ticket_keys = d->tickets.keys,
		.client_cache = d->client.cache,
	};
	char pk[KD_INFLIGHT_KEY_MAX], uk[KD_INFLIGHT_KEY_MAX];
	struct kd_outcome o = { .status = ECONNABORTED };
	struct kd_hs *h;
	int ret;

	/* One address, or one local user, never holds every worker. */
	inflight_keys(req->peer, &req->who, pk, uk);
	ret = kd_inflight_enter(&d->inflight, pk, uk, d->conf->max_per_peer,
				d->conf->max_per_user);
	if (ret == -EBUSY) {
		kd_log_peer(KD_LOG_WARNING,
			    "%s: refused: EBUSY (%u handshakes in flight for this address, %u for %s)",
			    req->peer, kd_inflight_count(&d->inflight, pk),
			    kd_inflight_count(&d->inflight, uk),
			    uk[0] ? uk : "uid ?");
		o.status = EBUSY;
		d->busy++;
		report(d, req->fd, &o);
		return;
	}
	if (ret || kd_hs_new(&h, d->conf, &p, kd_now_ms())) {
		if (!ret)
			kd_inflight_leave(&d->inflight, pk, uk);
		kd_log(KD_LOG_WARNING, "%s: out of memory", req->peer);
		report_counted(d, req->fd, &o);
		return;
	}
	kd_workers_submit(&d->workers, h);
}

/* Take pending requests while there is room. */
static void accept_pending(struct kd_daemon *d)
{
	struct kd_outcome bad = { .status = EINVAL };
	struct kd_request req;
	int ret;

	while (d->want_accept && !d->stop &&
	       d->workers.in_flight < d->conf->max_handshakes) {
		ret = kd_genl_accept(&d->genl, &req);
		if (ret == 0) {
			start(d, &req);
			continue;
		}
		if (req.fd >= 0) {
			kd_log(KD_LOG_WARNING, "%s: malformed HS_ACCEPT reply",
			       req.peer);
			report_counted(d, req.fd, &bad);
			continue;
		}
		if (ret == -EPERM) {
			/* Nothing will ever work: say so and stop. */
			kd_log(KD_LOG_ERROR,
			       "HS_ACCEPT: not permitted (ktlsod needs CAP_NET_ADMIN)");
			d->stop = d->failed = true;
		} else if (ret != -ENOENT) {
			kd_log(KD_LOG_ERROR, "HS_ACCEPT: %s", strerror(-ret));
		}
		d->want_accept = false;
	}
}

/* --- configuration ----------------------------------------------------- */

int kd_daemon_reload_collect(struct kd_daemon *d)
{
	struct kd_kalg_probe probe;
	struct kd_config *c;
	int ret;

	ret = kd_reload_collect(&d->reload, &c, &probe);
	if (ret <= 0)
		return ret;
	if (strcmp(c->user, d->conf->user) != 0)
		kd_log(KD_LOG_WARNING,
		       "user = %s: takes effect when ktlsod starts again",
		       c->user[0] ? c->user : "(none)");
	if (c->workers != d->conf->workers)
		kd_log(KD_LOG_WARNING,
		       "workers: the change takes effect when ktlsod starts again");
	if (c->client_cache != d->conf->client_cache)
		kd_log(KD_LOG_WARNING,
		       "client_session_cache: the change takes effect when ktlsod starts again");
	/*
	 * Sessions verified under the old configuration are not resumed
	 * under the new one (hs.c keys them by configuration): free them.
	 */
	if (d->client.cache)
		kd_client_cache_flush(d->client.cache);
	d->probe = probe;
	kd_config_put(d->conf);
	d->conf = c;
	kd_tickets_configure(&d->tickets, c);
	kd_log_set_level(kd_daemon_log_level(c, d->verbosity));
	kd_daemon_log_config(c);
	/* A larger bound may let waiting requests in. */
	d->want_accept = true;
	return 1;
}

/* --- events ------------------------------------------------------------ */

static void on_netlink(struct kd_watch *w, uint32_t revents)
{
	struct kd_daemon *d = container_of(w, struct kd_daemon, nl_watch);

	(void)revents;
	if (kd_genl_drain(&d->genl))
		d->want_accept = true;
}

static void on_ticket_msg(void *arg, const struct kd_tickets_msg *m)
{
	kd_client_resume_tickets(arg, m);
}

/*
 * Messages of the group "tickets", a bounded number at a time: a server
 * that sends many costs the main loop a moment, never its requests.
 */
#define TICKETS_READ_MAX 64

static void read_tickets(struct kd_daemon *d)
{
	unsigned int lost;

	if (!d->client.cache)
		return;
	lost = kd_genl_tickets_read(&d->genl, TICKETS_READ_MAX, on_ticket_msg,
				    &d->client);
	if (!lost)
		return;
	d->client.lost += lost;
	/* Servers choose how many they send: within the peers' budget. */
	kd_log_peer(KD_LOG_WARNING,
		    "netlink: session tickets lost (the receive buffer was full): those clients' next connections may not resume");
}

static void on_tickets(struct kd_watch *w, uint32_t revents)
{
	(void)revents;
	read_tickets(container_of(w, struct kd_daemon, tickets_watch));
}

/*
 * Clients' sessions, and the kernel's tickets for them: on when the
 * configuration keeps any and the module sends them.
 */
static int client_resume_start(struct kd_daemon *d)
{
	int ret;

	ret = kd_client_resume_init(&d->client, d->conf->client_cache);
	if (ret) {
		kd_log(KD_LOG_ERROR, "client session cache: %s",
		       strerror(-ret));
		return ret;
	}
	if (!d->client.cache)
		return 0;
	ret = kd_genl_tickets_listen(&d->genl);
	if (ret == -EOPNOTSUPP) {
		kd_log(KD_LOG_INFO,
		       "this ktlso.ko forwards no session tickets: TLS 1.3 clients will not resume");
		return 0;
	}
	if (ret) {
		kd_log(KD_LOG_ERROR, "netlink: tickets: %s", strerror(-ret));
		return ret;
	}
	d->tickets_watch = (struct kd_watch){
		.fd = kd_genl_tickets_fd(&d->genl), .cb = on_tickets };
	if (kd_loop_set(&d->loop, &d->tickets_watch, EPOLLIN)) {
		kd_log(KD_LOG_ERROR, "epoll: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void on_reload(struct kd_watch *w, uint32_t revents)
{
	struct kd_daemon *d = container_of(w, struct kd_daemon, reload_watch);

	(void)revents;
	kd_daemon_reload_collect(d);
}

static void on_workers_done(struct kd_watch *w, uint32_t revents)
{
	struct kd_daemon *d = container_of(w, struct kd_daemon, done_watch);

	(void)revents;
	kd_workers_collect(&d->workers);
}

static void on_signal(struct kd_watch *w, uint32_t revents)
{
	struct kd_daemon *d = container_of(w, struct kd_daemon, sig_watch);
	struct signalfd_siginfo si;

	(void)revents;
	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			/* Not when stopping: the stop would wait for it. */
			if (!d->stop)
				kd_reload_request(&d->reload);
		} else {
			kd_log(KD_LOG_INFO, "signal %u: stopping", si.ssi_signo);
			d->stop = true;
		}
	}
}

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int kd_daemon_run(struct kd_daemon *d)
{
	int ret, sigfd, status = 1;
	size_t n;

	ret = kd_loop_init(&d->loop);
	if (ret) {
		kd_log(KD_LOG_ERROR, "epoll: %s", strerror(-ret));
		return 1;
	}
	sigfd = signals_open();
	if (sigfd < 0) {
		kd_log(KD_LOG_ERROR, "signalfd: %s", strerror(errno));
		goto out_loop;
	}
	ret = kd_reload_init(&d->reload, d->conf_path, &d->helper);
	if (ret) {
		kd_log(KD_LOG_ERROR, "eventfd: %s", strerror(-ret));
		goto out_sig;
	}
	kd_inflight_init(&d->inflight);
	ret = kd_tickets_init(&d->tickets, &d->loop, d->conf);
	if (ret)
		goto out_reload;
	ret = client_resume_start(d);
	if (ret)
		goto out_client;
	/* After signals_open(): the workers start with them blocked. */
	n = d->conf->workers ? d->conf->workers : kd_workers_default();
	ret = kd_workers_start(&d->workers, n, on_done, d);
	if (ret) {
		kd_log(KD_LOG_ERROR, "%zu workers: %s", n, strerror(-ret));
		goto out_client;
	}
	d->nl_watch = (struct kd_watch){ .fd = kd_genl_event_fd(&d->genl),
					 .cb = on_netlink };
	d->sig_watch = (struct kd_watch){ .fd = sigfd, .cb = on_signal };
	d->done_watch = (struct kd_watch){
		.fd = kd_workers_done_fd(&d->workers), .cb = on_workers_done };
	d->reload_watch = (struct kd_watch){ .fd = kd_reload_fd(&d->reload),
					     .cb = on_reload };
	if (kd_loop_set(&d->loop, &d->nl_watch, EPOLLIN) ||
	    kd_loop_set(&d->loop, &d->sig_watch, EPOLLIN) ||
	    kd_loop_set(&d->loop, &d->done_watch, EPOLLIN) ||
	    kd_loop_set(&d->loop, &d->reload_watch, EPOLLIN)) {
		kd_log(KD_LOG_ERROR, "epoll: %s", strerror(errno));
		goto out_workers;
	}
	kd_log(KD_LOG_INFO, "ready: %zu worker(s)", n);
	/* Requests may have been queued before we subscribed. */
	d->want_accept = true;
	while (!d->stop) {
		/*
		 * Tickets before requests: a client that connects again once
		 * its last connection read the server's tickets resumes. (Their
		 * own watch reads them the rest of the time.)
		 */
		if (d->want_accept)
			read_tickets(d);
		accept_pending(d);
		ret = kd_loop_wait(&d->loop, -1);
		if (ret < 0) {
			kd_log(KD_LOG_ERROR, "epoll_wait: %s", strerror(-ret));
			break;
		}
	}
	status = d->stop && !d->failed ? 0 : 1;
out_workers:
	kd_loop_del(&d->loop, &d->done_watch);
	kd_workers_stop(&d->workers, ECONNABORTED, "ktlsod is stopping");
	kd_inflight_fini(&d->inflight);
	kd_log(KD_LOG_INFO,
	       "stopped: %llu handshakes completed, %llu failed, %llu refused by access lists, %llu over a per-peer or per-user bound",
	       (unsigned long long)d->completed,
	       (unsigned long long)d->failed_hs,
	       (unsigned long long)d->refused,
	       (unsigned long long)d->busy);
out_client:
	/* The workers have stopped: no handshake takes or puts tickets. */
	kd_client_resume_fini(&d->client);
out_reload:
	/* No handshake holds the ticket keys once the workers have stopped. */
	kd_tickets_fini(&d->tickets);
	/* A reload that does not end soon is left to the exit. */
	d->reload_left = kd_reload_fini(&d->reload, RELOAD_STOP_WAIT_MS);
out_sig:
	close(sigfd);
out_loop:
	kd_loop_fini(&d->loop);
	return status;
}
