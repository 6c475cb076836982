// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl sockets: the caller's namespace's TCP sockets that carry a TLS
 * ULP (ktlso or in-tree kTLS), from sock_diag: addresses, version, cipher,
 * each direction's configuration and, for ktlso, each direction's key
 * generation (KTLSO_INFO_TX_GEN/RX_GEN: 0 for the first key, one more per
 * KeyUpdate or rekey).  "ss -tie" reads the same attributes but prints
 * only upstream's, so the generations are shown here.
 *
 * Exit status: 0; 3 when sock_diag could not be read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/ktlso.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tls.h>

#include <ktlso/ktlso.h>

#include "ctl.h"
#include "sock_diag.h"

static void addr_format(int family, const __be32 *addr, __be16 port,
			char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, ip, sizeof(ip));
	snprintf(out, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
		 ntohs(port));
}

static uint16_t rta_u16(const struct rtattr *a)
{
	uint16_t v = 0;

	if (RTA_PAYLOAD(a) >= sizeof(v))
		memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}

static uint64_t rta_u64(const struct rtattr *a)
{
	uint64_t v = 0;

	if (RTA_PAYLOAD(a) >= sizeof(v))
		memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}

/* The INET_ULP_INFO_TLS nest. */
static void tls_info(const struct rtattr *nest, struct ctl_sock *s)
{
	const struct rtattr *a = RTA_DATA(nest);
	int len = (int)RTA_PAYLOAD(nest);

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type & NLA_TYPE_MASK) {
		case TLS_INFO_VERSION:
			s->version = rta_u16(a);
			break;
		case TLS_INFO_CIPHER:
			s->cipher = rta_u16(a);
			break;
		case TLS_INFO_TXCONF:
			s->txconf = rta_u16(a);
			break;
		case TLS_INFO_RXCONF:
			s->rxconf = rta_u16(a);
			break;
		case TLS_INFO_ZC_RO_TX:
			s->zc_ro_tx = true;
			break;
		case TLS_INFO_RX_NO_PAD:
			s->rx_no_pad = true;
			break;
		case KTLSO_INFO_TX_GEN:
			s->have_gen = true;
			s->tx_gen = rta_u64(a);
			break;
		case KTLSO_INFO_RX_GEN:
			s->have_gen = true;
			s->rx_gen = rta_u64(a);
			break;
		}
	}
}

int ctl_sock_parse(const struct nlmsghdr *h, struct ctl_sock *s)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a, *u;
	int len, ulen;

	memset(s, 0, sizeof(*s));
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    (m->idiag_family != AF_INET && m->idiag_family != AF_INET6))
		return -EINVAL;
	addr_format(m->idiag_family, m->id.idiag_src, m->id.idiag_sport,
		    s->local, sizeof(s->local));
	addr_format(m->idiag_family, m->id.idiag_dst, m->id.idiag_dport,
		    s->peer, sizeof(s->peer));
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		if ((a->rta_type & NLA_TYPE_MASK) != INET_DIAG_ULP_INFO)
			continue;
		ulen = (int)RTA_PAYLOAD(a);
		for (u = RTA_DATA(a); RTA_OK(u, ulen); u = RTA_NEXT(u, ulen)) {
			switch (u->rta_type & NLA_TYPE_MASK) {
			case INET_ULP_INFO_NAME:
				snprintf(s->ulp, sizeof(s->ulp), "%.*s",
					 (int)RTA_PAYLOAD(u),
					 (const char *)RTA_DATA(u));
				break;
			case INET_ULP_INFO_TLS:
				tls_info(u, s);
				break;
			}
		}
	}
	/* Only the TLS ULPs: mptcp and others are not ours to show. */
	return strcmp(s->ulp, "ktlso") == 0 || strcmp(s->ulp, "tls") == 0;
}

static const char *conf_name(uint16_t conf)
{
	switch (conf) {
	case TLS_CONF_BASE:
		return "none";
	case TLS_CONF_SW:
		return "sw";
	case TLS_CONF_HW:
		return "hw";
	case TLS_CONF_HW_RECORD:
		return "hw-record";
	}
	return "?";
}

static void out_sock(struct ctl_out *o, const struct ctl_sock *s)
{
	char key[160];
	const char *name;

	snprintf(key, sizeof(key), "%s -> %s", s->local, s->peer);
	ctl_out_section(o, key, key);
	ctl_out_str(o, "ulp", "ulp", s->ulp);
	name = s->version ? ktlso_version_name(s->version) : NULL;
	ctl_out_str(o, "version", "version", name ? name : "none");
	name = s->cipher ? ktlso_cipher_name(s->cipher) : NULL;
	ctl_out_str(o, "cipher", "cipher", name ? name : "none");
	ctl_out_str(o, "tx", "tx", conf_name(s->txconf));
	ctl_out_str(o, "rx", "rx", conf_name(s->rxconf));
	if (s->have_gen) {
		ctl_out_u64(o, "tx_gen", "tx key generation", s->tx_gen);
		ctl_out_u64(o, "rx_gen", "rx key generation", s->rx_gen);
	}
	ctl_out_section_end(o);
}

struct shown {
	struct ctl_out *o;
	unsigned int n;
};

static void show(const struct nlmsghdr *h, void *arg)
{
	struct shown *sh = arg;
	struct ctl_sock s;

	if (ctl_sock_parse(h, &s) == 1) {
		out_sock(sh->o, &s);
		sh->n++;
	}
}

int ctl_cmd_sockets(struct ctl_out *o)
{
	struct shown sh = { .o = o };
	int err;

	ctl_out_section(o, "sockets", "TLS sockets:");
	err = ktlso_sock_diag_dump(AF_INET, ~0u, show, &sh);
	if (!err)
		err = ktlso_sock_diag_dump(AF_INET6, ~0u, show, &sh);
	ctl_out_section_end(o);
	if (err) {
		fprintf(stderr, PROG ": sock_diag: %s\n", strerror(-err));
		return CTL_EXIT_ERROR;
	}
	if (!sh.n && !o->json)
		fprintf(o->f, "  (none)\n");
	return CTL_EXIT_OK;
}
