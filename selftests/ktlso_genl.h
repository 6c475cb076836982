/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal client of the "ktlso" generic netlink family for the selftests
 * (libnl-genl-3): what the handshake daemon does, reduced to single calls
 * that return the kernel's errno exactly.
 */
#ifndef KTLSO_GENL_H
#define KTLSO_GENL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/ktlso.h>

struct ktlso_nl {
	struct nl_sock *cmd;	/* requests and their replies */
	struct nl_sock *mc;	/* READY notifications */
	int family;
};

/* What HS_ACCEPT returned. */
struct ktlso_nl_accepted {
	int fd;
	int role;
	uint32_t timeout_ms;
	char server_name[KTLSO_HS_NAME_MAX];
	char profile[KTLSO_HS_PROFILE_MAX];
	uint8_t alpn[KTLSO_HS_ALPN_MAX];
	int alpn_len;
	struct sockaddr_storage peer;
	int peer_len;
	/* The requester, as the daemon sees it; -1 when not sent. */
	int64_t uid, gid, pid;
	int64_t cgroup;
};

/* The counters of KTLSO_CMD_STATUS. */
struct ktlso_nl_status {
	uint32_t pending, running, max_pending;
	int listeners;
	uint64_t requested, completed, failed, timed_out, refused;
	uint64_t refused_quota;
};

struct ktlso_nl_reply {
	int error;			/* the kernel's, negative */
	bool acked;
	struct ktlso_nl_accepted *acc;
	struct ktlso_nl_status *st;
};

static inline void ktlso_nl_close(struct ktlso_nl *nl)
{
	if (nl->cmd)
		nl_socket_free(nl->cmd);
	if (nl->mc)
		nl_socket_free(nl->mc);
	memset(nl, 0, sizeof(*nl));
}

/*
 * Connect to the family; with @subscribe, also join the handshake group (a
 * daemon).  Returns 0 or -errno (-ENOENT: the family is not registered).
 */
static inline int ktlso_nl_open(struct ktlso_nl *nl, bool subscribe)
{
	int grp;

	memset(nl, 0, sizeof(*nl));
	nl->cmd = nl_socket_alloc();
	if (!nl->cmd || genl_connect(nl->cmd))
		goto err;
	nl->family = genl_ctrl_resolve(nl->cmd, KTLSO_GENL_NAME);
	if (nl->family < 0) {
		ktlso_nl_close(nl);
		return -ENOENT;
	}
	if (subscribe) {
		grp = genl_ctrl_resolve_grp(nl->cmd, KTLSO_GENL_NAME,
					    KTLSO_GENL_MCGRP_HS);
		nl->mc = nl_socket_alloc();
		if (grp < 0 || !nl->mc || genl_connect(nl->mc))
			goto err;
		nl_socket_disable_seq_check(nl->mc);
		if (nl_socket_add_membership(nl->mc, grp))
			goto err;
	}
	return 0;
err:
	ktlso_nl_close(nl);
	return -EIO;
}

/* Wait up to @ms for a READY notification; returns true if one came. */
static inline bool ktlso_nl_wait_ready(struct ktlso_nl *nl, int ms)
{
	struct pollfd p = { .fd = nl_socket_get_fd(nl->mc), .events = POLLIN };
	char buf[8192];

	if (poll(&p, 1, ms) != 1)
		return false;
	/* Drain: every notification says the same ("look at the queue"). */
	while (recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	return true;
}

static inline int ktlso_nl_on_error(struct sockaddr_nl *nla,
				    struct nlmsgerr *err, void *arg)
{
	struct ktlso_nl_reply *r = arg;

	r->error = err->error;
	r->acked = true;
	return NL_STOP;
}

static inline int ktlso_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct ktlso_nl_reply *r = arg;

	r->acked = true;
	return NL_STOP;
}

static inline int ktlso_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct ktlso_nl_reply *r = arg;
	struct nlattr *a[KTLSO_A_MAX + 1];
	struct ktlso_nl_accepted *acc = r->acc;
	struct ktlso_nl_status *st = r->st;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, KTLSO_A_MAX, NULL))
		return NL_SKIP;
	if (acc) {
		if (a[KTLSO_A_SOCKFD])
			acc->fd = nla_get_u32(a[KTLSO_A_SOCKFD]);
		if (a[KTLSO_A_ROLE])
			acc->role = nla_get_u8(a[KTLSO_A_ROLE]);
		if (a[KTLSO_A_TIMEOUT_MS])
			acc->timeout_ms = nla_get_u32(a[KTLSO_A_TIMEOUT_MS]);
		if (a[KTLSO_A_SERVER_NAME])
			nla_strlcpy(acc->server_name, a[KTLSO_A_SERVER_NAME],
				    sizeof(acc->server_name));
		if (a[KTLSO_A_PROFILE])
			nla_strlcpy(acc->profile, a[KTLSO_A_PROFILE],
				    sizeof(acc->profile));
		if (a[KTLSO_A_ALPN] &&
		    nla_len(a[KTLSO_A_ALPN]) <= (int)sizeof(acc->alpn)) {
			acc->alpn_len = nla_len(a[KTLSO_A_ALPN]);
			memcpy(acc->alpn, nla_data(a[KTLSO_A_ALPN]),
			       acc->alpn_len);
		}
		if (a[KTLSO_A_PEER_ADDR] &&
		    nla_len(a[KTLSO_A_PEER_ADDR]) <= (int)sizeof(acc->peer)) {
			acc->peer_len = nla_len(a[KTLSO_A_PEER_ADDR]);
			memcpy(&acc->peer, nla_data(a[KTLSO_A_PEER_ADDR]),
			       acc->peer_len);
		}
		if (a[KTLSO_A_REQ_UID])
			acc->uid = nla_get_u32(a[KTLSO_A_REQ_UID]);
		if (a[KTLSO_A_REQ_GID])
			acc->gid = nla_get_u32(a[KTLSO_A_REQ_GID]);
		if (a[KTLSO_A_REQ_PID])
			acc->pid = nla_get_u32(a[KTLSO_A_REQ_PID]);
		if (a[KTLSO_A_REQ_CGROUP])
			acc->cgroup = (int64_t)nla_get_u64(a[KTLSO_A_REQ_CGROUP]);
	}
	if (st) {
		if (a[KTLSO_A_PENDING])
			st->pending = nla_get_u32(a[KTLSO_A_PENDING]);
		if (a[KTLSO_A_RUNNING])
			st->running = nla_get_u32(a[KTLSO_A_RUNNING]);
		if (a[KTLSO_A_MAX_PENDING])
			st->max_pending = nla_get_u32(a[KTLSO_A_MAX_PENDING]);
		if (a[KTLSO_A_LISTENERS])
			st->listeners = nla_get_u8(a[KTLSO_A_LISTENERS]);
		if (a[KTLSO_A_REQUESTED])
			st->requested = nla_get_u64(a[KTLSO_A_REQUESTED]);
		if (a[KTLSO_A_COMPLETED])
			st->completed = nla_get_u64(a[KTLSO_A_COMPLETED]);
		if (a[KTLSO_A_FAILED])
			st->failed = nla_get_u64(a[KTLSO_A_FAILED]);
		if (a[KTLSO_A_TIMED_OUT])
			st->timed_out = nla_get_u64(a[KTLSO_A_TIMED_OUT]);
		if (a[KTLSO_A_REFUSED])
			st->refused = nla_get_u64(a[KTLSO_A_REFUSED]);
		if (a[KTLSO_A_REFUSED_QUOTA])
			st->refused_quota =
				nla_get_u64(a[KTLSO_A_REFUSED_QUOTA]);
	}
	return NL_OK;
}

/* Send @msg (consumed) and collect the reply; returns 0 or -errno. */
static inline int ktlso_nl_call(struct ktlso_nl *nl, struct nl_msg *msg,
				struct ktlso_nl_reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, ktlso_nl_on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ktlso_nl_on_ack, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ktlso_nl_on_valid, r);
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	err = nl_send_auto(nl->cmd, msg);
	nlmsg_free(msg);
	/* A reply comes before its ACK, maybe in another datagram. */
	while (err >= 0 && !r->acked)
		err = nl_recvmsgs(nl->cmd, cb);
	nl_cb_put(cb);
	if (r->error)
		return r->error;
	return err < 0 ? -EIO : 0;
}

/* A message of the family with room for @size bytes of attributes. */
static inline struct nl_msg *ktlso_nl_msg_size(struct ktlso_nl *nl, int cmd,
					       size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN +
					      size);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family,
				0, 0, cmd, KTLSO_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static inline struct nl_msg *ktlso_nl_msg(struct ktlso_nl *nl, int cmd)
{
	return ktlso_nl_msg_size(nl, cmd, 4096);
}

static inline int ktlso_nl_accept(struct ktlso_nl *nl,
				  struct ktlso_nl_accepted *acc)
{
	struct ktlso_nl_reply r = { .acc = acc };
	struct nl_msg *msg = ktlso_nl_msg(nl, KTLSO_CMD_HS_ACCEPT);

	memset(acc, 0, sizeof(*acc));
	acc->fd = -1;
	acc->uid = acc->gid = acc->pid = acc->cgroup = -1;
	if (!msg)
		return -ENOMEM;
	return ktlso_nl_call(nl, msg, &r);
}

/* HS_DONE with any of its attributes (NULL @alpn, @peer, @cert: none). */
static inline int ktlso_nl_done_full(struct ktlso_nl *nl, int fd,
				     uint32_t status, uint16_t version,
				     uint16_t cipher, const char *alpn,
				     const char *peer, const void *cert,
				     size_t cert_len)
{
	struct ktlso_nl_reply r = { 0 };
	struct nl_msg *msg = ktlso_nl_msg_size(nl, KTLSO_CMD_HS_DONE,
					       cert_len + 4096);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KTLSO_A_SOCKFD, fd) ||
	    nla_put_u32(msg, KTLSO_A_STATUS, status) ||
	    (!status && (nla_put_u16(msg, KTLSO_A_VERSION, version) ||
			 nla_put_u16(msg, KTLSO_A_CIPHER, cipher))) ||
	    (alpn && nla_put_string(msg, KTLSO_A_ALPN, alpn)) ||
	    (peer && nla_put_string(msg, KTLSO_A_PEER_IDENTITY, peer)) ||
	    (cert && nla_put(msg, KTLSO_A_PEER_CERT, (int)cert_len, cert))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ktlso_nl_call(nl, msg, &r);
}

/* HS_DONE; @status 0 sends @version/@cipher/@alpn/@peer too. */
static inline int ktlso_nl_done(struct ktlso_nl *nl, int fd, uint32_t status,
				uint16_t version, uint16_t cipher,
				const char *alpn, const char *peer)
{
	return ktlso_nl_done_full(nl, fd, status, version, cipher, alpn, peer,
				  NULL, 0);
}

/*
 * HS_DONE as ktlso_nl_done() (no ALPN), passing @cert_len bytes of @cert
 * as KTLSO_A_PEER_CERT whatever the policy allows, with any @status.
 */
static inline int ktlso_nl_done_cert(struct ktlso_nl *nl, int fd,
				     uint32_t status, uint16_t version,
				     uint16_t cipher, const char *peer,
				     const void *cert, size_t cert_len)
{
	return ktlso_nl_done_full(nl, fd, status, version, cipher, NULL, peer,
				  cert, cert_len);
}

/*
 * A successful HS_DONE with a ticket id (KTLSO_A_TICKET_SESSION, sent as
 * it is, zero too; NULL: none) and, with @resumed, KTLSO_A_RESUMED.
 */
static inline int ktlso_nl_done_session(struct ktlso_nl *nl, int fd,
					uint16_t version, uint16_t cipher,
					const uint64_t *ticket_session,
					bool resumed)
{
	struct ktlso_nl_reply r = { 0 };
	struct nl_msg *msg = ktlso_nl_msg(nl, KTLSO_CMD_HS_DONE);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KTLSO_A_SOCKFD, fd) ||
	    nla_put_u32(msg, KTLSO_A_STATUS, 0) ||
	    nla_put_u16(msg, KTLSO_A_VERSION, version) ||
	    nla_put_u16(msg, KTLSO_A_CIPHER, cipher) ||
	    (ticket_session &&
	     nla_put_u64(msg, KTLSO_A_TICKET_SESSION, *ticket_session)) ||
	    (resumed && nla_put_flag(msg, KTLSO_A_RESUMED))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ktlso_nl_call(nl, msg, &r);
}

/*
 * A listener of the group "tickets", as a daemon's: a non-blocking socket
 * of its own.  Returns 0 or -errno (-EPERM: not allowed to join).
 */
static inline int ktlso_nl_tickets_open(struct nl_sock **skp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp, err = -EIO;

	*skp = NULL;
	if (!sk || genl_connect(sk))
		goto err;
	grp = genl_ctrl_resolve_grp(sk, KTLSO_GENL_NAME,
				    KTLSO_GENL_MCGRP_TICKETS);
	if (grp < 0)
		goto err;
	nl_socket_disable_seq_check(sk);
	err = nl_socket_add_membership(sk, grp);
	if (err) {
		err = err == -NLE_PERM ? -EPERM : -EIO;
		goto err;
	}
	*skp = sk;
	return 0;
err:
	if (sk)
		nl_socket_free(sk);
	return err;
}

/* One message of the group "tickets". */
struct ktlso_nl_ticket {
	int cmd;			/* KTLSO_CMD_TICKETS or _TICKETS_END */
	uint64_t id;			/* KTLSO_A_TICKET_SESSION; 0: none */
	int len;			/* of @data; -1 without KTLSO_A_TICKETS */
	uint8_t data[16384];
};

/*
 * Wait up to @ms for the next message of the group.  Returns 0 with @t
 * filled, -ETIMEDOUT, -ENOBUFS (messages were lost) or -EIO.
 */
static inline int ktlso_nl_tickets_next(struct nl_sock *sk, int ms,
					struct ktlso_nl_ticket *t)
{
	struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	struct nlattr *a[KTLSO_A_MAX + 1];
	static uint8_t buf[32768];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->len = -1;
	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	n = recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == ENOBUFS ? -ENOBUFS : -EIO;
	if (!nlmsg_ok(nlh, (int)n) || genlmsg_parse(nlh, 0, a, KTLSO_A_MAX,
						    NULL))
		return -EIO;
	g = nlmsg_data(nlh);
	t->cmd = g->cmd;
	if (a[KTLSO_A_TICKET_SESSION])
		t->id = nla_get_u64(a[KTLSO_A_TICKET_SESSION]);
	if (a[KTLSO_A_TICKETS] &&
	    nla_len(a[KTLSO_A_TICKETS]) <= (int)sizeof(t->data)) {
		t->len = nla_len(a[KTLSO_A_TICKETS]);
		memcpy(t->data, nla_data(a[KTLSO_A_TICKETS]), t->len);
	}
	return 0;
}

static inline int ktlso_nl_status(struct ktlso_nl *nl,
				  struct ktlso_nl_status *st)
{
	struct ktlso_nl_reply r = { .st = st };
	struct nl_msg *msg = ktlso_nl_msg(nl, KTLSO_CMD_STATUS);

	memset(st, 0, sizeof(*st));
	if (!msg)
		return -ENOMEM;
	return ktlso_nl_call(nl, msg, &r);
}

/* STATUS over a socket of its own, for a check at the end of a test. */
static inline int ktlso_nl_status_once(struct ktlso_nl_status *st)
{
	struct ktlso_nl nl;
	int err = ktlso_nl_open(&nl, false);

	if (!err)
		err = ktlso_nl_status(&nl, st);
	ktlso_nl_close(&nl);
	return err;
}

#endif /* KTLSO_GENL_H */
