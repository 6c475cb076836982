// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the generic netlink family "ktlso" between the kernel and the
 * handshake daemon (the protocol is described in <linux/ktlso.h>).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <linux/ktlso.h>

#include "ktlso.h"

enum {
	KTLSO_MCGRP_HS_IDX,
	KTLSO_MCGRP_TICKETS_IDX,
};

/*
 * Listening is for administrators: a listener makes requests queue (and
 * wait for their timeout) where no daemon may take them, and the tickets
 * of the daemon's clients are nobody else's business.
 */
static const struct genl_multicast_group ktlso_mcgrps[] = {
	[KTLSO_MCGRP_HS_IDX] = {
		.name = KTLSO_GENL_MCGRP_HS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[KTLSO_MCGRP_TICKETS_IDX] = {
		.name = KTLSO_GENL_MCGRP_TICKETS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * The last errno of <asm-generic/errno.h>: the numbers above it are the
 * kernel's own (ERESTARTSYS, EIOCBQUEUED, ...), which must never reach the
 * application as a handshake's error.
 */
#define KTLSO_ERRNO_MAX		EHWPOISON

static const struct nla_policy ktlso_done_policy[KTLSO_A_MAX + 1] = {
	[KTLSO_A_SOCKFD]	= { .type = NLA_U32 },
	[KTLSO_A_STATUS]	= NLA_POLICY_MAX(NLA_U32, KTLSO_ERRNO_MAX),
	[KTLSO_A_VERSION]	= { .type = NLA_U16 },
	[KTLSO_A_CIPHER]	= { .type = NLA_U16 },
	[KTLSO_A_ALPN]		= { .type = NLA_NUL_STRING, .len = 255 },
	[KTLSO_A_PEER_IDENTITY]	= { .type = NLA_NUL_STRING,
				    .len = KTLSO_HS_NAME_MAX - 1 },
	[KTLSO_A_PEER_CERT]	= NLA_POLICY_RANGE(NLA_BINARY, 1,
						   KTLSO_PEER_CERT_MAX),
	[KTLSO_A_TICKET_SESSION] = NLA_POLICY_MIN(NLA_U64, 1),
	[KTLSO_A_RESUMED]	= { .type = NLA_FLAG },
};

static struct genl_family ktlso_genl_family;

/**
 * ktlso_nl_has_listeners() - is a daemon subscribed in @net?
 * @net: the namespace
 *
 * Return: true if some socket listens to the handshake group.
 */
bool ktlso_nl_has_listeners(struct net *net)
{
	return genl_has_listeners(&ktlso_genl_family, net, KTLSO_MCGRP_HS_IDX);
}

/**
 * ktlso_nl_ready_new() - build a READY announcement, to send later
 *
 * Built before a request is queued, so that no memory is needed to
 * announce it once it is: a request is either refused with nothing
 * queued, or queued and announced.
 *
 * Return: the message, or NULL without memory.
 */
struct sk_buff *ktlso_nl_ready_new(void)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(0, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &ktlso_genl_family, 0, KTLSO_CMD_READY);
	if (!hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

/**
 * ktlso_nl_ready_send() - announce pending requests to the daemons of @net
 * @net: the namespace
 * @skb: from ktlso_nl_ready_new(); consumed
 *
 * Return: 0; -ESRCH when no listener took it (none listens, or every
 * listener's receive queue is full: it will see an overrun).
 */
int ktlso_nl_ready_send(struct net *net, struct sk_buff *skb)
{
	return genlmsg_multicast_netns(&ktlso_genl_family, net, skb, 0,
				       KTLSO_MCGRP_HS_IDX, GFP_KERNEL);
}

/**
 * ktlso_nl_notify_ready() - build and send a READY announcement
 * @net: the namespace
 *
 * Return: as ktlso_nl_ready_send(), or -ENOMEM.
 */
int ktlso_nl_notify_ready(struct net *net)
{
	struct sk_buff *skb = ktlso_nl_ready_new();

	return skb ? ktlso_nl_ready_send(net, skb) : -ENOMEM;
}

/*
 * Send @cmd about the tickets of connection @id, with @len bytes of
 * @msgs unless @msgs is NULL, to the daemons of @net.  Process context.
 */
static int ktlso_nl_tickets_send(struct net *net, u8 cmd, u64 id,
				 const u8 *msgs, size_t len)
{
	struct sk_buff *skb;
	void *hdr;

	might_sleep();
	/* A record's worth of memory for nobody: not even allocated. */
	if (!genl_has_listeners(&ktlso_genl_family, net,
				KTLSO_MCGRP_TICKETS_IDX))
		return -ESRCH;
	skb = genlmsg_new(nla_total_size_64bit(sizeof(u64)) +
			  (msgs ? nla_total_size(len) : 0), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &ktlso_genl_family, 0, cmd);
	if (!hdr ||
	    nla_put_u64_64bit(skb, KTLSO_A_TICKET_SESSION, id,
			      KTLSO_A_UNSPEC) ||
	    (msgs && nla_put(skb, KTLSO_A_TICKETS, len, msgs))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&ktlso_genl_family, net, skb, 0,
				       KTLSO_MCGRP_TICKETS_IDX, GFP_KERNEL);
}

/**
 * ktlso_nl_tickets() - send a client's NewSessionTickets to the daemons
 * @net: the connection's namespace
 * @id: the id the daemon gave the connection in HS_DONE
 * @msgs: whole NewSessionTicket messages, a record's plaintext
 * @len: their length
 *
 * Return: 0 once some listener took it; -ESRCH when none listens or
 * none had room; -ENOMEM, -EMSGSIZE.
 */
int ktlso_nl_tickets(struct net *net, u64 id, const u8 *msgs, size_t len)
{
	return ktlso_nl_tickets_send(net, KTLSO_CMD_TICKETS, id, msgs, len);
}

/**
 * ktlso_nl_tickets_end() - no more tickets will come for connection @id
 * @net: the connection's namespace
 * @id: the id the daemon gave the connection in HS_DONE
 *
 * Return: as ktlso_nl_tickets().
 */
int ktlso_nl_tickets_end(struct net *net, u64 id)
{
	return ktlso_nl_tickets_send(net, KTLSO_CMD_TICKETS_END, id, NULL, 0);
}

static size_t ktlso_accept_msg_size(void)
{
	return nla_total_size(sizeof(u32)) +			/* SOCKFD */
	       nla_total_size(sizeof(u8)) +			/* ROLE */
	       nla_total_size(sizeof(u32)) +			/* TIMEOUT_MS */
	       nla_total_size(KTLSO_HS_NAME_MAX) +		/* SERVER_NAME */
	       nla_total_size(KTLSO_HS_PROFILE_MAX) +		/* PROFILE */
	       nla_total_size(KTLSO_HS_ALPN_MAX) +		/* ALPN */
	       nla_total_size(sizeof(struct sockaddr_in6)) +	/* PEER_ADDR */
	       nla_total_size(sizeof(u32)) * 3 +		/* REQ_UID/GID/PID */
	       nla_total_size_64bit(sizeof(u64));		/* REQ_CGROUP */
}

/*
 * The reply to HS_ACCEPT, built in the daemon's context: the requester's
 * ids are translated into the daemon's user and pid namespaces.
 */
static int ktlso_put_accept(struct sk_buff *skb, int fd,
			    const struct ktlso_hs *hs)
{
	const struct ktlso_hs_request *req = &hs->req;
	struct user_namespace *ns = current_user_ns();

	if (nla_put_u32(skb, KTLSO_A_SOCKFD, fd) ||
	    nla_put_u8(skb, KTLSO_A_ROLE, req->role) ||
	    nla_put_u32(skb, KTLSO_A_TIMEOUT_MS, ktlso_hs_time_left_ms(hs)) ||
	    (req->server_name[0] &&
	     nla_put_string(skb, KTLSO_A_SERVER_NAME, req->server_name)) ||
	    nla_put_string(skb, KTLSO_A_PROFILE,
			   req->profile[0] ? req->profile : "default") ||
	    (req->alpn_len &&
	     nla_put(skb, KTLSO_A_ALPN, req->alpn_len, req->alpn)) ||
	    (hs->peer_addr_len > 0 &&
	     nla_put(skb, KTLSO_A_PEER_ADDR, hs->peer_addr_len,
		     &hs->peer_addr)) ||
	    nla_put_u32(skb, KTLSO_A_REQ_UID,
			from_kuid_munged(ns, hs->cred->euid)) ||
	    nla_put_u32(skb, KTLSO_A_REQ_GID,
			from_kgid_munged(ns, hs->cred->egid)) ||
	    nla_put_u32(skb, KTLSO_A_REQ_PID, pid_vnr(hs->requester)) ||
	    nla_put_u64_64bit(skb, KTLSO_A_REQ_CGROUP, hs->cgroup_id,
			      KTLSO_A_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

/*
 * HS_ACCEPT: the oldest pending request becomes the caller's.  The
 * descriptor is installed only once the reply that names it is queued to
 * the daemon: a reply that cannot be built fails the request
 * (ECONNABORTED); one that cannot be delivered (the daemon's receive
 * queue is full) puts the request back in the queue.  Either way nothing
 * is left behind in the daemon.
 */
static int ktlso_nl_accept(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct ktlso_hs *hs;
	struct sk_buff *msg;
	struct file *file;
	int fd, err;
	void *hdr;

	msg = genlmsg_new(ktlso_accept_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_msg;
	}
	err = ktlso_hs_accept(net, info->snd_portid, &hs, &file);
	if (err)
		goto err_fd;

	hdr = genlmsg_put_reply(msg, info, &ktlso_genl_family, 0,
				KTLSO_CMD_HS_ACCEPT);
	if (!hdr || ktlso_put_accept(msg, fd, hs)) {
		ktlso_hs_abandon(hs);
		err = -EMSGSIZE;
		goto err_file;
	}
	genlmsg_end(msg, hdr);

	/* Consumes the message, delivered or not. */
	err = genlmsg_reply(msg, info);
	if (err) {
		ktlso_hs_unaccept(hs);
		fput(file);
		put_unused_fd(fd);
		/* Other daemons may take it meanwhile. */
		ktlso_nl_notify_ready(net);
		return err;
	}
	fd_install(fd, file);
	return 0;

err_file:
	fput(file);
err_fd:
	put_unused_fd(fd);
err_msg:
	nlmsg_free(msg);
	return err;
}

/* The socket behind the caller's descriptor, if it is a TCP one. */
static struct socket *ktlso_nl_socket(struct genl_info *info, int *err)
{
	struct socket *sock;
	struct sock *sk;

	sock = sockfd_lookup(nla_get_u32(info->attrs[KTLSO_A_SOCKFD]), err);
	if (!sock)
		return NULL;
	sk = sock->sk;
	if (!sk || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		sockfd_put(sock);
		*err = -ENOTSOCK;
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KTLSO_A_SOCKFD],
				    "not a TCP socket");
		return NULL;
	}
	return sock;
}

static int ktlso_nl_done(struct sk_buff *skb, struct genl_info *info)
{
	struct ktlso_hs_outcome out = { .alpn = "", .peer = "" };
	struct nlattr **a = info->attrs;
	struct socket *sock;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KTLSO_A_SOCKFD) ||
	    GENL_REQ_ATTR_CHECK(info, KTLSO_A_STATUS))
		return -EINVAL;
	out.status = nla_get_u32(a[KTLSO_A_STATUS]);
	if (!out.status) {
		if (GENL_REQ_ATTR_CHECK(info, KTLSO_A_VERSION) ||
		    GENL_REQ_ATTR_CHECK(info, KTLSO_A_CIPHER))
			return -EINVAL;
		out.version = nla_get_u16(a[KTLSO_A_VERSION]);
		out.cipher = nla_get_u16(a[KTLSO_A_CIPHER]);
		if (a[KTLSO_A_ALPN])
			out.alpn = nla_data(a[KTLSO_A_ALPN]);
		if (a[KTLSO_A_PEER_IDENTITY])
			out.peer = nla_data(a[KTLSO_A_PEER_IDENTITY]);
		/* Its length is the policy's: 1 to KTLSO_PEER_CERT_MAX. */
		if (a[KTLSO_A_PEER_CERT]) {
			out.peer_cert = nla_data(a[KTLSO_A_PEER_CERT]);
			out.peer_cert_len = nla_len(a[KTLSO_A_PEER_CERT]);
		}
		if (a[KTLSO_A_TICKET_SESSION])
			out.ticket_session =
				nla_get_u64(a[KTLSO_A_TICKET_SESSION]);
		out.resumed = nla_get_flag(a[KTLSO_A_RESUMED]);
	}
	sock = ktlso_nl_socket(info, &err);
	if (!sock)
		return err;
	err = ktlso_hs_done(sock->sk, &out, info->extack);
	sockfd_put(sock);
	if (err == -ENOENT)
		GENL_SET_ERR_MSG(info, "no handshake runs on this socket");
	else if (err == -EPERM)
		GENL_SET_ERR_MSG(info, "another process runs this handshake");
	return err;
}

static int ktlso_nl_status(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct ktlso_hs_counters c;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ktlso_genl_family, 0,
				KTLSO_CMD_STATUS);
	if (!hdr)
		goto err;
	ktlso_hs_counters(net, &c);
	if (nla_put_u32(msg, KTLSO_A_PENDING, c.pending) ||
	    nla_put_u32(msg, KTLSO_A_RUNNING, c.running) ||
	    nla_put_u32(msg, KTLSO_A_MAX_PENDING, c.max_pending) ||
	    nla_put_u8(msg, KTLSO_A_LISTENERS, ktlso_nl_has_listeners(net)) ||
	    nla_put_u64_64bit(msg, KTLSO_A_REQUESTED, c.requested,
			      KTLSO_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, KTLSO_A_COMPLETED, c.completed,
			      KTLSO_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, KTLSO_A_FAILED, c.failed, KTLSO_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, KTLSO_A_TIMED_OUT, c.timed_out,
			      KTLSO_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, KTLSO_A_REFUSED, c.refused,
			      KTLSO_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, KTLSO_A_REFUSED_QUOTA, c.refused_quota,
			      KTLSO_A_UNSPEC))
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops ktlso_genl_ops[] = {
	{
		.cmd = KTLSO_CMD_HS_ACCEPT,
		.doit = ktlso_nl_accept,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KTLSO_CMD_HS_DONE,
		.doit = ktlso_nl_done,
		.policy = ktlso_done_policy,
		.maxattr = KTLSO_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KTLSO_CMD_STATUS,
		.doit = ktlso_nl_status,
	},
};

static struct genl_family ktlso_genl_family __ro_after_init = {
	.name = KTLSO_GENL_NAME,
	.version = KTLSO_GENL_VERSION,
	.netnsok = true,
	/*
	 * No handler relies on genl_mutex: the namespace's lock orders the
	 * requests, and none takes an application's socket lock, so neither
	 * this family nor any other waits on an application.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ktlso_genl_ops,
	.n_ops = ARRAY_SIZE(ktlso_genl_ops),
	/* Every command gets strict validation: none predates it. */
	.resv_start_op = KTLSO_CMD_UNSPEC + 1,
	.mcgrps = ktlso_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ktlso_mcgrps),
};

/*
 * A daemon's netlink socket closing (its process exited, say) fails the
 * handshakes it was running at once, rather than at their timeouts.
 */
static int ktlso_nl_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid)
		ktlso_hs_daemon_gone(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block ktlso_nl_notifier = {
	.notifier_call = ktlso_nl_event,
};

int ktlso_nl_init(void)
{
	int err;

	err = genl_register_family(&ktlso_genl_family);
	if (err)
		return err;
	err = netlink_register_notifier(&ktlso_nl_notifier);
	if (err)
		genl_unregister_family(&ktlso_genl_family);
	return err;
}

void ktlso_nl_exit(void)
{
	netlink_unregister_notifier(&ktlso_nl_notifier);
	genl_unregister_family(&ktlso_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(KTLSO_GENL_NAME);
