// SPDX-License-Identifier: GPL-2.0
/*
 * What the messages of the "ktlso" family carry, for the daemon: the
 * HS_ACCEPT reply read, HS_DONE written. See genl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netlink/attr.h>

#include "daemon/genl.h"

static struct nla_policy accept_policy[KTLSO_A_MAX + 1] = {
	[KTLSO_A_SOCKFD] = { .type = NLA_U32 },
	[KTLSO_A_ROLE] = { .type = NLA_U8 },
	[KTLSO_A_TIMEOUT_MS] = { .type = NLA_U32 },
	[KTLSO_A_SERVER_NAME] = { .type = NLA_STRING,
				  .maxlen = KTLSO_HS_NAME_MAX },
	[KTLSO_A_PROFILE] = { .type = NLA_STRING,
			      .maxlen = KTLSO_HS_PROFILE_MAX },
	[KTLSO_A_ALPN] = { .type = NLA_UNSPEC, .maxlen = KTLSO_HS_ALPN_MAX },
	[KTLSO_A_PEER_ADDR] = { .type = NLA_UNSPEC },
	[KTLSO_A_REQ_UID] = { .type = NLA_U32 },
	[KTLSO_A_REQ_GID] = { .type = NLA_U32 },
	[KTLSO_A_REQ_PID] = { .type = NLA_U32 },
	[KTLSO_A_REQ_CGROUP] = { .type = NLA_U64 },
};

/* A string attribute into @out: false when it does not fit. */
static bool get_string(const struct nlattr *a, char *out, size_t cap)
{
	const char *s = nla_data(a);
	size_t len = (size_t)nla_len(a);

	if (len && s[len - 1] == '\0')
		len--;
	if (len >= cap || memchr(s, '\0', len))
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

int kd_request_parse(struct nlmsghdr *nlh, struct kd_request *req)
{
	struct nlattr *a[KTLSO_A_MAX + 1];
	uint8_t role;

	memset(req, 0, sizeof(*req));
	req->fd = -1;
	snprintf(req->peer, sizeof(req->peer), "?");
	/* The descriptor first, whatever else is wrong. */
	if (genlmsg_parse(nlh, 0, a, KTLSO_A_MAX, NULL))
		return -EINVAL;
	if (a[KTLSO_A_SOCKFD] && nla_len(a[KTLSO_A_SOCKFD]) == 4 &&
	    nla_get_u32(a[KTLSO_A_SOCKFD]) <= INT32_MAX)
		req->fd = (int)nla_get_u32(a[KTLSO_A_SOCKFD]);
	if (genlmsg_parse(nlh, 0, a, KTLSO_A_MAX, accept_policy) ||
	    req->fd < 0 || !a[KTLSO_A_ROLE])
		return -EINVAL;
	role = nla_get_u8(a[KTLSO_A_ROLE]);
	if (role == KTLSO_HS_ROLE_CLIENT)
		req->role = KTLSO_ROLE_CLIENT;
	else if (role == KTLSO_HS_ROLE_SERVER)
		req->role = KTLSO_ROLE_SERVER;
	else
		return -EINVAL;
	if (a[KTLSO_A_TIMEOUT_MS])
		req->timeout_ms = nla_get_u32(a[KTLSO_A_TIMEOUT_MS]);
	if (a[KTLSO_A_SERVER_NAME] &&
	    !get_string(a[KTLSO_A_SERVER_NAME], req->server_name,
			sizeof(req->server_name)))
		return -EINVAL;
	if (a[KTLSO_A_PROFILE] &&
	    !get_string(a[KTLSO_A_PROFILE], req->profile,
			sizeof(req->profile)))
		return -EINVAL;
	if (a[KTLSO_A_ALPN]) {
		req->alpn_len = (size_t)nla_len(a[KTLSO_A_ALPN]);
		if (req->alpn_len > sizeof(req->alpn))
			return -EINVAL;
		memcpy(req->alpn, nla_data(a[KTLSO_A_ALPN]), req->alpn_len);
	}
	if (a[KTLSO_A_PEER_ADDR])
		kd_peer_format(nla_data(a[KTLSO_A_PEER_ADDR]),
			       (size_t)nla_len(a[KTLSO_A_PEER_ADDR]), req->peer,
			       sizeof(req->peer));
	/* All four or none: a module that names the requester names it whole. */
	if (a[KTLSO_A_REQ_UID] || a[KTLSO_A_REQ_GID] || a[KTLSO_A_REQ_PID] ||
	    a[KTLSO_A_REQ_CGROUP]) {
		if (!a[KTLSO_A_REQ_UID] || !a[KTLSO_A_REQ_GID] ||
		    !a[KTLSO_A_REQ_PID] || !a[KTLSO_A_REQ_CGROUP])
			return -EINVAL;
		req->who.known = true;
		req->who.uid = nla_get_u32(a[KTLSO_A_REQ_UID]);
		req->who.gid = nla_get_u32(a[KTLSO_A_REQ_GID]);
		req->who.pid = nla_get_u32(a[KTLSO_A_REQ_PID]);
		req->who.cgroup = nla_get_u64(a[KTLSO_A_REQ_CGROUP]);
	}
	return 0;
}

int kd_request_discard(struct nlmsghdr *nlh)
{
	struct kd_request req;

	kd_request_parse(nlh, &req);
	if (req.fd >= 0)
		close(req.fd);
	return req.fd;
}

int kd_done_attrs(struct nl_msg *msg, int fd, const struct kd_outcome *o,
		  bool tickets)
{
	if (nla_put_u32(msg, KTLSO_A_SOCKFD, (uint32_t)fd) ||
	    nla_put_u32(msg, KTLSO_A_STATUS, (uint32_t)o->status))
		return -EMSGSIZE;
	if (o->status)
		return 0;
	if (nla_put_u16(msg, KTLSO_A_VERSION, o->version) ||
	    nla_put_u16(msg, KTLSO_A_CIPHER, o->cipher) ||
	    (o->alpn[0] && nla_put_string(msg, KTLSO_A_ALPN, o->alpn)) ||
	    (o->peer_identity[0] &&
	     nla_put_string(msg, KTLSO_A_PEER_IDENTITY, o->peer_identity)) ||
	    (o->peer_cert_len &&
	     nla_put(msg, KTLSO_A_PEER_CERT, (int)o->peer_cert_len,
		     o->peer_cert)) ||
	    (tickets && o->ticket_session &&
	     nla_put_u64(msg, KTLSO_A_TICKET_SESSION, o->ticket_session)) ||
	    (tickets && o->resumed && nla_put_flag(msg, KTLSO_A_RESUMED)))
		return -EMSGSIZE;
	return 0;
}

int kd_tickets_msg_parse(struct nlmsghdr *nlh, struct kd_tickets_msg *m)
{
	struct nlattr *a[KTLSO_A_MAX + 1];
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	if (genlmsg_parse(nlh, 0, a, KTLSO_A_MAX, NULL))
		return -EINVAL;
	g = nlmsg_data(nlh);
	if ((g->cmd != KTLSO_CMD_TICKETS && g->cmd != KTLSO_CMD_TICKETS_END) ||
	    !a[KTLSO_A_TICKET_SESSION] ||
	    nla_len(a[KTLSO_A_TICKET_SESSION]) != sizeof(uint64_t))
		return -EINVAL;
	m->end = g->cmd == KTLSO_CMD_TICKETS_END;
	m->id = nla_get_u64(a[KTLSO_A_TICKET_SESSION]);
	if (m->end)
		return 0;
	if (!a[KTLSO_A_TICKETS]) {
		memset(m, 0, sizeof(*m));
		return -EINVAL;
	}
	m->msgs = nla_data(a[KTLSO_A_TICKETS]);
	m->len = (size_t)nla_len(a[KTLSO_A_TICKETS]);
	return 0;
}

size_t kd_done_size(const struct kd_outcome *o)
{
	/* Everything but the certificate fits a page with room to spare. */
	return 4096 + (o->status ? 0 : (size_t)nla_total_size(
				(int)o->peer_cert_len));
}

void kd_peer_format(const void *addr, size_t len, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	snprintf(out, cap, "?");
	if (len >= sizeof(sin) &&
	    ((const struct sockaddr *)addr)->sa_family == AF_INET) {
		memcpy(&sin, addr, sizeof(sin));
		if (inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip)))
			snprintf(out, cap, "%s:%u", ip, ntohs(sin.sin_port));
	} else if (len >= sizeof(sin6) &&
		   ((const struct sockaddr *)addr)->sa_family == AF_INET6) {
		memcpy(&sin6, addr, sizeof(sin6));
		if (inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof(ip)))
			snprintf(out, cap, "[%s]:%u", ip,
				 ntohs(sin6.sin6_port));
	}
}
