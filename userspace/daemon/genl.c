// SPDX-License-Identifier: GPL-2.0
/*
 * The "ktlso" generic netlink sockets of the daemon. See genl.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "daemon/genl.h"
#include "daemon/log.h"

/* How long a command may wait for the kernel's answer. */
#define CMD_TIMEOUT_S 5
/*
 * The tickets socket's receive buffer: a burst of connections' records of
 * tickets (up to 16 KiB each, a few hundred bytes as servers send them)
 * waits there for the main loop.
 */
#define TICKETS_RCVBUF (4 << 20)

void kd_genl_close(struct kd_genl *g)
{
	if (g->cmd)
		nl_socket_free(g->cmd);
	if (g->mc)
		nl_socket_free(g->mc);
	if (g->tk)
		nl_socket_free(g->tk);
	memset(g, 0, sizeof(*g));
}

static int nl_errno(int nlerr)
{
	return nlerr == -NLE_NOMEM ? -ENOMEM : -EIO;
}

int kd_genl_tickets_listen(struct kd_genl *g)
{
	int size = TICKETS_RCVBUF, ret;

	if (g->tickets_grp < 0)
		return -EOPNOTSUPP;
	if (g->tk)
		return 0;
	g->tk = nl_socket_alloc();
	if (!g->tk)
		return -ENOMEM;
	ret = genl_connect(g->tk);
	if (ret == 0) {
		nl_socket_disable_seq_check(g->tk);
		ret = nl_socket_add_membership(g->tk, g->tickets_grp);
	}
	if (ret == 0)
		ret = nl_socket_set_nonblocking(g->tk);
	if (ret) {
		nl_socket_free(g->tk);
		g->tk = NULL;
		return nl_errno(ret);
	}
	/* Past rmem_max: ktlsod keeps CAP_NET_ADMIN, which may. */
	if (setsockopt(nl_socket_get_fd(g->tk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)))
		setsockopt(nl_socket_get_fd(g->tk), SOL_SOCKET, SO_RCVBUF,
			   &size, sizeof(size));
	return 0;
}

int kd_genl_open(struct kd_genl *g)
{
	struct timeval tv = { .tv_sec = CMD_TIMEOUT_S };
	int grp, ret;

	memset(g, 0, sizeof(*g));
	g->cmd = nl_socket_alloc();
	g->mc = nl_socket_alloc();
	if (!g->cmd || !g->mc) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = genl_connect(g->cmd);
	if (ret)
		goto fail_nl;
	g->family = genl_ctrl_resolve(g->cmd, KTLSO_GENL_NAME);
	if (g->family < 0) {
		ret = -ENOENT;
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(g->cmd, KTLSO_GENL_NAME,
				    KTLSO_GENL_MCGRP_HS);
	if (grp < 0) {
		ret = -ENOENT;
		goto fail;
	}
	setsockopt(nl_socket_get_fd(g->cmd), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	ret = genl_connect(g->mc);
	if (ret)
		goto fail_nl;
	nl_socket_disable_seq_check(g->mc);
	ret = nl_socket_add_membership(g->mc, grp);
	if (ret)
		goto fail_nl;
	ret = nl_socket_set_nonblocking(g->mc);
	if (ret)
		goto fail_nl;
	/* A module that predates the group: no tickets, no TICKET_SESSION. */
	g->tickets_grp = genl_ctrl_resolve_grp(g->cmd, KTLSO_GENL_NAME,
					       KTLSO_GENL_MCGRP_TICKETS);
	return 0;
fail_nl:
	ret = nl_errno(ret);
fail:
	kd_genl_close(g);
	return ret;
}

int kd_genl_event_fd(const struct kd_genl *g)
{
	return nl_socket_get_fd(g->mc);
}

bool kd_genl_drain(struct kd_genl *g)
{
	int fd = nl_socket_get_fd(g->mc);
	bool ready = false;
	char buf[8192];
	ssize_t n;

	/* Only READY is sent to the group: any message is one. */
	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			ready = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			kd_log(KD_LOG_DEBUG, "netlink: notifications lost");
			ready = true;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			kd_log(KD_LOG_WARNING, "netlink: %s", strerror(errno));
		return ready;
	}
}

int kd_genl_tickets_fd(const struct kd_genl *g)
{
	return g->tk ? nl_socket_get_fd(g->tk) : -1;
}

unsigned int kd_genl_tickets_read(struct kd_genl *g, unsigned int max,
				  void (*fn)(void *arg,
					     const struct kd_tickets_msg *m),
				  void *arg)
{
	int fd = kd_genl_tickets_fd(g);
	struct kd_tickets_msg m;
	unsigned int lost = 0;
	struct nlmsghdr *nlh;
	/* A record's plaintext and the headers: one message at a time. */
	uint8_t buf[32768];
	ssize_t n;
	int len;

	if (fd < 0)
		return 0;
	for (; max; max--) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			lost++;
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				kd_log(KD_LOG_WARNING, "netlink: tickets: %s",
				       strerror(errno));
			return lost;
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (kd_tickets_msg_parse(nlh, &m) == 0)
				fn(arg, &m);
			else
				kd_log(KD_LOG_WARNING,
				       "netlink: a malformed tickets message");
		}
	}
	return lost;
}

/* --- commands ---------------------------------------------------------- */

struct reply {
	uint32_t seq;		/* the request's */
	int error;		/* the kernel's, negative */
	bool acked;
	bool got;
	int parse_err;
	struct kd_request *req;	/* HS_ACCEPT's */
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct reply *r = arg;

	(void)nla;
	r->error = err->error;
	r->acked = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	(void)msg;
	r->acked = true;
	return NL_STOP;
}

/*
 * Anything not answering this request answers an earlier one whose wait
 * was cut short: an HS_ACCEPT reply among them carries a descriptor the
 * kernel installed here, which is closed. (This replaces libnl's own
 * sequence check, which would report an error and leak it.)
 */
static int on_seq_check(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct reply *r = arg;
	int fd;

	if (nlh->nlmsg_seq == r->seq)
		return NL_OK;
	if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
		fd = kd_request_discard(nlh);
		if (fd >= 0)
			kd_log(KD_LOG_WARNING,
			       "netlink: a late HS_ACCEPT reply (fd %d closed)",
			       fd);
	}
	return NL_SKIP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	if (r->req && !r->got) {
		r->got = true;
		r->parse_err = kd_request_parse(nlmsg_hdr(msg), r->req);
	}
	return NL_OK;
}

/* Send @msg (consumed) and collect the reply and the ACK. */
static int call(struct kd_genl *g, struct nl_msg *msg, struct reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, r);
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	ret = nl_send_auto(g->cmd, msg);
	r->seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	/* A reply comes before its ACK, maybe in another datagram. */
	while (ret >= 0 && !r->acked)
		ret = nl_recvmsgs(g->cmd, cb);
	nl_cb_put(cb);
	if (r->error)
		return r->error;
	return ret < 0 ? nl_errno(ret) : 0;
}

static struct nl_msg *new_msg_size(struct kd_genl *g, uint8_t cmd,
				   size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0,
				0, cmd, KTLSO_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static struct nl_msg *new_msg(struct kd_genl *g, uint8_t cmd)
{
	return new_msg_size(g, cmd, 4096);
}

int kd_genl_accept(struct kd_genl *g, struct kd_request *req)
{
	struct reply r = { .req = req };
	struct nl_msg *msg = new_msg(g, KTLSO_CMD_HS_ACCEPT);
	int ret;

	memset(req, 0, sizeof(*req));
	req->fd = -1;
	if (!msg)
		return -ENOMEM;
	ret = call(g, msg, &r);
	if (ret)
		return ret;
	if (!r.got)
		return -EIO;
	return r.parse_err;
}

int kd_genl_done(struct kd_genl *g, int fd, const struct kd_outcome *o)
{
	struct reply r = { 0 };
	struct nl_msg *msg = new_msg_size(g, KTLSO_CMD_HS_DONE,
					  kd_done_size(o));

	if (!msg)
		return -ENOMEM;
	/* The group came with TICKET_SESSION and RESUMED. */
	if (kd_done_attrs(msg, fd, o, g->tickets_grp >= 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return call(g, msg, &r);
}
