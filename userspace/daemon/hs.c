// SPDX-License-Identifier: GPL-2.0
/*
 * One handshake on a connected socket, driven without blocking. See hs.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include <linux/tls.h>

#include "daemon/errmap.h"
#include "daemon/hs.h"
#include "daemon/log.h"
#include "engine/alert.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* One direction's TLS 1.3 traffic secret, wiped once the kernel has it. */
static int install_secret(int fd, int opt, uint16_t suite,
			  const uint8_t *secret, size_t len)
{
	struct ktlso_traffic_secret ts;
	int ret = 0;

	if (ktlso_traffic_secret_fill(&ts, suite, secret, len))
		return -EINVAL;
	if (setsockopt(fd, SOL_TLS, opt, &ts, sizeof(ts)))
		ret = -errno;
	ktlso_traffic_secret_clear(&ts);
	return ret;
}

int kd_install_kernel_keys(void *arg, int fd,
			   const struct ktlso_session_result *res,
			   const char **step)
{
	int ret;

	(void)arg;
	*step = "TLS_TX";
	if (setsockopt(fd, SOL_TLS, TLS_TX, &res->tx, (socklen_t)res->tx_len))
		return -errno;
	*step = "TLS_RX";
	if (setsockopt(fd, SOL_TLS, TLS_RX, &res->rx, (socklen_t)res->rx_len))
		return -errno;
	if (res->version != KTLSO_TLS13_VERSION)
		return 0;
	*step = "KTLSO_TX_SECRET";
	ret = install_secret(fd, KTLSO_TX_SECRET, res->suite, res->tx_secret,
			     res->secret_len);
	if (ret)
		return ret;
	*step = "KTLSO_RX_SECRET";
	return install_secret(fd, KTLSO_RX_SECRET, res->suite, res->rx_secret,
			      res->secret_len);
}

/* --- the transport: the socket, never blocking ------------------------- */

static ssize_t hs_read(void *ctx, void *buf, size_t len)
{
	struct kd_hs *h = ctx;
	ssize_t n = recv(h->fd, buf, len, MSG_DONTWAIT);

	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		h->io_errno = errno;
	return n;
}

static ssize_t hs_write(void *ctx, const void *buf, size_t len)
{
	struct kd_hs *h = ctx;
	ssize_t n = send(h->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		h->io_errno = errno;
	return n;
}

/* The engine's lines: its errors become the handshake's reason. */
static void hs_log(void *arg, enum ktlso_log_level level, const char *msg)
{
	struct kd_hs *h = arg;

	if (level == KTLSO_LOG_ERROR)
		snprintf(h->last_error, sizeof(h->last_error), "%s", msg);
	/* What a peer sent, over and over if it likes. */
	kd_log_peer(level == KTLSO_LOG_WARNING ? KD_LOG_WARNING : KD_LOG_DEBUG,
		    "%s: %s", h->peer, msg);
}

/* --- set-up ------------------------------------------------------------ */

int kd_alpn_from_wire(struct ktlso_config *cfg, const uint8_t *wire,
		      size_t len)
{
	char names[KTLSO_CONFIG_MAX_ALPN][KTLSO_ALPN_NAME_MAX + 1];
	size_t off = 0, n = 0, l, i;

	if (len == 0)
		return 0;
	while (off < len) {
		l = wire[off++];
		if (l == 0 || l > len - off || n == KTLSO_CONFIG_MAX_ALPN ||
		    memchr(wire + off, '\0', l))
			return -EINVAL;
		memcpy(names[n], wire + off, l);
		names[n][l] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(names[i], names[n]) == 0)
				return -EINVAL;
		n++;
		off += l;
	}
	memcpy(cfg->alpn, names, n * sizeof(names[0]));
	cfg->n_alpn = n;
	return 0;
}

static void over(struct kd_hs *h, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void over(struct kd_hs *h, int status, const char *fmt, ...)
{
	va_list ap;

	h->want = 0;
	h->out.status = status;
	va_start(ap, fmt);
	vsnprintf(h->out.reason, sizeof(h->out.reason), fmt, ap);
	va_end(ap);
	ktlso_session_free(h->s);
	h->s = NULL;
}

/* --- a client's resumption ---------------------------------------------- */

/* A ticket this handshake got (TLS 1.2, on a worker): into the cache. */
static void keep_ticket(void *arg, const struct ktlso_client_ticket *t)
{
	struct kd_hs *h = arg;
	int ret = kd_client_cache_put(h->cache, &h->cache_key, t);

	if (ret)
		kd_log(KD_LOG_DEBUG, "%s: a ticket not kept: %s", h->peer,
		       strerror(-ret));
}

/*
 * Where this server's tickets are kept, the newest one to offer, and the
 * callback that keeps those this handshake gets (which also makes the
 * engine keep what TLS 1.3 tickets need).
 */
static void client_resume_setup(struct kd_hs *h, const struct kd_hs_params *p)
{
	/*
	 * The profile of this configuration: a reload may change what a
	 * server must prove, and a session verified before it is not
	 * resumed after it ('/' is in no profile's name).
	 */
	char profile[KD_PROFILE_NAME_MAX + 24];

	snprintf(profile, sizeof(profile), "%s/%llu", h->profile,
		 (unsigned long long)h->conf->generation);
	/* Without its key (libcrypto failed), no cache for this one. */
	if (kd_client_cache_key(p->client_cache, &h->cache_key, profile,
				p->server_name, h->peer, p->alpn, p->alpn_len,
				p->who && p->who->known ? p->who->uid :
							  UINT32_MAX))
		return;
	h->cache = p->client_cache;
	h->cfg.ticket = keep_ticket;
	h->cfg.ticket_arg = h;
	h->offer = malloc(sizeof(*h->offer));
	if (h->offer && kd_client_cache_take(h->cache, &h->cache_key,
					     kd_wall_ms(), h->offer) == 0) {
		h->cfg.resume = h->offer;
		return;
	}
	free(h->offer);
	h->offer = NULL;
}

/* A TLS 1.3 client's: what its tickets need, once the session goes. */
static void take_resumption(struct kd_hs *h)
{
	if (!h->cache)
		return;
	h->resumption = malloc(sizeof(*h->resumption));
	if (h->resumption &&
	    ktlso_session_resumption(h->s, h->resumption) == 0)
		return;
	free(h->resumption);
	h->resumption = NULL;
}

/* The engine configuration for the request; 0 or a failure reported. */
static int setup(struct kd_hs *h, const struct kd_hs_params *p)
{
	const struct kd_profile *prof = kd_config_profile(h->conf, p->profile);
	const struct ktlso_io io = { hs_read, hs_write, h };
	bool client = p->role == KTLSO_ROLE_CLIENT;
	int ret;

	if (!prof) {
		over(h, ECONNABORTED, "no profile \"%s\"", h->profile);
		return -1;
	}
	if (!kd_acl_allows(&prof->acl, p->role, p->who, NULL)) {
		h->out.denied = true;
		if (p->who && p->who->known)
			over(h, EPERM,
			     "uid %u gid %u may not use profile %s as a %s",
			     p->who->uid, p->who->gid, prof->name,
			     client ? "client" : "server");
		else
			over(h, EPERM,
			     "the kernel did not say who asked (ktlso module too old?)");
		return -1;
	}
	if (client ? !prof->can_client : !prof->can_server) {
		over(h, ECONNABORTED, "profile %s cannot act as a %s (%s)",
		     prof->name, client ? "client" : "server",
		     client ? "verify is on and it has no cafile/capath" :
			      "it has no cert");
		return -1;
	}
	/*
	 * The application's mistake, not the profile's: EINVAL before the
	 * engine, which would refuse it too (as a config it cannot use).
	 */
	if (client && prof->verify && prof->verify_name &&
	    (!p->server_name || !p->server_name[0])) {
		over(h, EINVAL,
		     "no server name in the request: profile %s verifies the server's name (verify_name = no to allow that)",
		     prof->name);
		return -1;
	}
	kd_profile_engine_config(prof, p->role, &h->cfg);
	if (kd_alpn_from_wire(&h->cfg, p->alpn, p->alpn_len)) {
		over(h, EINVAL, "malformed ALPN list in the request");
		return -1;
	}
	if (client && p->server_name && p->server_name[0]) {
		snprintf(h->server_name, sizeof(h->server_name), "%s",
			 p->server_name);
		h->cfg.server_name = h->server_name;
	}
	/* Tickets sealed for this profile open only for it. */
	if (!client && p->ticket_keys && h->cfg.n_tickets) {
		h->cfg.ticket_keys = p->ticket_keys;
		h->cfg.ticket_context = prof->name;
	}
	if (client && p->client_cache)
		client_resume_setup(h, p);
	h->cfg.log = hs_log;
	h->cfg.log_arg = h;
	ret = ktlso_session_new(&h->s, &h->cfg, p->role, &io);
	if (ret) {
		over(h, ECONNABORTED, "%s",
		     h->last_error[0] ? h->last_error : ktlso_error_name(ret));
		return -1;
	}
	return 0;
}

int kd_hs_new(struct kd_hs **hp, struct kd_config *conf,
	      const struct kd_hs_params *p, uint64_t now_ms)
{
	struct kd_hs *h = calloc(1, sizeof(*h));
	uint32_t timeout;

	*hp = NULL;
	if (!h)
		return -ENOMEM;
	h->fd = p->fd;
	h->role = p->role;
	h->conf = kd_config_get(conf);
	h->install = p->install;
	h->install_arg = p->install_arg;
	snprintf(h->peer, sizeof(h->peer), "%s", p->peer ? p->peer : "?");
	if (p->who)
		h->who = *p->who;
	snprintf(h->profile, sizeof(h->profile), "%s",
		 p->profile && p->profile[0] ? p->profile : "default");
	timeout = p->timeout_ms ? p->timeout_ms : conf->timeout_ms;
	h->deadline_ms = now_ms + timeout;
	h->want = KTLSO_WANT_READ;
	if (p->role != KTLSO_ROLE_CLIENT && p->role != KTLSO_ROLE_SERVER)
		over(h, EINVAL, "bad role %d", (int)p->role);
	else
		setup(h, p);
	*hp = h;
	return 0;
}

/* --- running ----------------------------------------------------------- */

/*
 * Copy the verified peer's leaf, for the application's authorisation, out
 * of the session (which goes at the end), if the kernel can keep it. One
 * beyond its limit, or one we have no memory for, is left out with a
 * warning (the application then finds none, as for an unauthenticated
 * peer) rather than failing a handshake the peer did nothing wrong in.
 */
static void take_peer_cert(struct kd_hs *h)
{
	struct kd_outcome *o = &h->out;
	const uint8_t *der;
	size_t len = ktlso_session_peer_cert(h->s, &der);

	if (!len)
		return;
	if (len > KTLSO_PEER_CERT_MAX) {
		kd_log(KD_LOG_WARNING,
		       "%s: the peer's certificate (%zu bytes) exceeds the kernel's %d: the application gets none",
		       h->peer, len, KTLSO_PEER_CERT_MAX);
		return;
	}
	o->peer_cert = malloc(len);
	if (!o->peer_cert) {
		kd_log(KD_LOG_WARNING,
		       "%s: out of memory: the application gets no peer certificate",
		       h->peer);
		return;
	}
	memcpy(o->peer_cert, der, len);
	o->peer_cert_len = len;
}

/*
 * The kernel refused keys the handshake agreed on: a local failure
 * (ECONNABORTED, as errmap.h has it), with the option and its errno in
 * the reason that the outcome's log line carries.
 */
static void install_failed(struct kd_hs *h, const char *step, int err)
{
	const char *hint = "";

	if (err == ENOPROTOOPT && step && strstr(step, "_SECRET"))
		hint = ": this ktlso.ko cannot run TLS 1.3 key updates";
	if (step)
		over(h, ECONNABORTED, "installing the keys: %s: %s (%s)%s",
		     step, kd_errno_name(err), strerror(err), hint);
	else
		over(h, ECONNABORTED, "installing the keys: %s",
		     strerror(err));
}

static void succeed(struct kd_hs *h)
{
	struct ktlso_session_result res;
	struct kd_outcome *o = &h->out;
	const char *step = NULL;
	int ret;

	ret = ktlso_session_result(h->s, &res);
	if (ret) {
		over(h, ECONNABORTED, "no result: %s",
		     ktlso_session_strerror(ret));
		return;
	}
	ret = h->install ? h->install(h->install_arg, h->fd, &res, &step) : 0;
	if (ret) {
		ktlso_session_result_clear(&res);
		install_failed(h, step, -ret);
		return;
	}
	o->version = res.version;
	o->cipher = res.tx.info.cipher_type;
	o->suite = res.suite;
	o->resumed = res.resumed;
	snprintf(o->alpn, sizeof(o->alpn), "%s", res.alpn);
	if (res.peer_verified)
		snprintf(o->peer_identity, sizeof(o->peer_identity), "%s",
			 res.peer_identity);
	ktlso_session_result_clear(&res);
	take_peer_cert(h);
	if (o->version == KTLSO_TLS13_VERSION)
		take_resumption(h);
	over(h, 0, "%s", "");
}

static void fail(struct kd_hs *h, int err)
{
	int received;

	ktlso_session_alerts(h->s, NULL, &received);
	over(h, kd_errno_from_engine(err, received, h->io_errno), "%s",
	     h->last_error[0] ? h->last_error : ktlso_session_strerror(err));
}

int kd_hs_step(struct kd_hs *h)
{
	int ret;

	if (!h->want)
		return 0;
	ret = ktlso_session_handshake(h->s);
	if (ret > 0)
		h->want = ret;
	else if (ret == 0)
		succeed(h);
	else
		fail(h, ret);
	return h->want;
}

void kd_hs_fail(struct kd_hs *h, int status, const char *reason)
{
	if (h->want)
		over(h, status, "%s", reason);
}

void kd_hs_free(struct kd_hs *h)
{
	if (!h)
		return;
	ktlso_session_free(h->s);
	kd_config_put(h->conf);
	free(h->out.peer_cert);
	if (h->offer) {
		ktlso_client_ticket_clear(h->offer);
		free(h->offer);
	}
	if (h->resumption) {
		ktlso_resumption_clear(h->resumption);
		free(h->resumption);
	}
	free(h);
}
