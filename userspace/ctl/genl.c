// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl: KTLSO_CMD_STATUS of the "ktlso" generic netlink family, with
 * libnl-genl-3.  The command is open to every user; the reply carries the
 * counters of the caller's network namespace.
 */
#include <errno.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/ktlso.h>

#include "ctl.h"

static struct nla_policy status_policy[KTLSO_A_MAX + 1] = {
	[KTLSO_A_PENDING] = { .type = NLA_U32 },
	[KTLSO_A_RUNNING] = { .type = NLA_U32 },
	[KTLSO_A_MAX_PENDING] = { .type = NLA_U32 },
	[KTLSO_A_LISTENERS] = { .type = NLA_U8 },
	[KTLSO_A_REQUESTED] = { .type = NLA_U64 },
	[KTLSO_A_COMPLETED] = { .type = NLA_U64 },
	[KTLSO_A_FAILED] = { .type = NLA_U64 },
	[KTLSO_A_TIMED_OUT] = { .type = NLA_U64 },
	[KTLSO_A_REFUSED] = { .type = NLA_U64 },
};

static uint32_t get_u32(struct nlattr **tb, int a, uint32_t *have)
{
	if (!tb[a])
		return 0;
	*have |= 1u << a;
	return nla_get_u32(tb[a]);
}

static uint64_t get_u64(struct nlattr **tb, int a, uint32_t *have)
{
	if (!tb[a])
		return 0;
	*have |= 1u << a;
	return nla_get_u64(tb[a]);
}

/**
 * ctl_status_parse() - the counters of a KTLSO_CMD_STATUS reply
 * @nlh: the reply
 * @st: filled in (its @family is left alone); @have says which attributes
 *	came, the others read 0
 *
 * Attributes this version does not know are ignored.
 *
 * Return: 0, or a negative libnl error for a malformed reply (an attribute
 * of the wrong size, a message that is not STATUS).
 */
int ctl_status_parse(struct nlmsghdr *nlh, struct ctl_status *st)
{
	struct nlattr *tb[KTLSO_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlh);
	int err;

	if (!genlmsg_valid_hdr(nlh, 0) || gh->cmd != KTLSO_CMD_STATUS)
		return -NLE_MSGTYPE_NOSUPPORT;
	err = genlmsg_parse(nlh, 0, tb, KTLSO_A_MAX, status_policy);
	if (err < 0)
		return err;
	st->have = 0;
	st->pending = get_u32(tb, KTLSO_A_PENDING, &st->have);
	st->running = get_u32(tb, KTLSO_A_RUNNING, &st->have);
	st->max_pending = get_u32(tb, KTLSO_A_MAX_PENDING, &st->have);
	st->listeners = false;
	if (tb[KTLSO_A_LISTENERS]) {
		st->have |= 1u << KTLSO_A_LISTENERS;
		st->listeners = nla_get_u8(tb[KTLSO_A_LISTENERS]) != 0;
	}
	st->requested = get_u64(tb, KTLSO_A_REQUESTED, &st->have);
	st->completed = get_u64(tb, KTLSO_A_COMPLETED, &st->have);
	st->failed = get_u64(tb, KTLSO_A_FAILED, &st->have);
	st->timed_out = get_u64(tb, KTLSO_A_TIMED_OUT, &st->have);
	st->refused = get_u64(tb, KTLSO_A_REFUSED, &st->have);
	return 0;
}

struct reply {
	struct ctl_status *st;
	int err;
	bool seen;
};

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	r->err = ctl_status_parse(nlmsg_hdr(msg), r->st);
	r->seen = true;
	return NL_OK;
}

/**
 * ctl_status_query() - ask the kernel for the handshake counters
 * @st: filled in
 *
 * Return: 0; -NLE_OBJ_NOTFOUND when the family is not registered (ktlso
 * is not loaded); another negative libnl error.
 */
int ctl_status_query(struct ctl_status *st)
{
	struct reply r = { .st = st };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int err;

	memset(st, 0, sizeof(*st));
	sk = nl_socket_alloc();
	if (!sk)
		return -NLE_NOMEM;
	err = genl_connect(sk);
	if (err < 0)
		goto out;
	err = genl_ctrl_resolve(sk, KTLSO_GENL_NAME);
	if (err < 0)
		goto out;
	st->family = err;

	msg = nlmsg_alloc();
	if (!msg) {
		err = -NLE_NOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, st->family, 0, 0,
			 KTLSO_CMD_STATUS, KTLSO_GENL_VERSION)) {
		nlmsg_free(msg);
		err = -NLE_NOMEM;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &r);
	/* Sends, frees the message, and reads up to the kernel's ACK. */
	err = nl_send_sync(sk, msg);
	if (!err && !r.seen)
		err = -NLE_MSG_TRUNC;
	if (!err)
		err = r.err;
out:
	nl_socket_free(sk);
	return err;
}

/* libnl's words for its error codes. */
const char *ctl_nl_strerror(int err)
{
	return nl_geterror(err);
}
