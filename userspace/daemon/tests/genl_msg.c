// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's netlink messages, without the kernel: HS_ACCEPT replies
 * built as kernel/netlink.c builds them, read by kd_request_parse(); the
 * HS_DONE attributes kd_done_attrs() writes, read back with the kernel's
 * rules (NUL-terminated strings, VERSION and CIPHER on success only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "daemon/genl.h"

#define FAMILY 0x1d

static struct nl_msg *reply(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 1, 1, FAMILY, 0, 0, KTLSO_CMD_HS_ACCEPT,
				KTLSO_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * A reply to an earlier HS_ACCEPT (one whose wait was cut short) comes
 * with a descriptor the kernel installed: discarding it closes that
 * descriptor, and touches nothing else (no descriptor, a bad one).
 */
TEST(stale_accept_reply_closes_its_descriptor)
{
	struct nl_msg *msg = reply();
	int p[2], other[2];

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(other));
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, (uint32_t)p[0]));
	/* Malformed otherwise (no ROLE): the descriptor still goes. */
	EXPECT_EQ(p[0], kd_request_discard(nlmsg_hdr(msg)));
	EXPECT_EQ(-1, fcntl(p[0], F_GETFD));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, fcntl(other[0], F_GETFD));
	nlmsg_free(msg);

	msg = reply();
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_SERVER));
	EXPECT_EQ(-1, kd_request_discard(nlmsg_hdr(msg)));
	nlmsg_free(msg);

	msg = reply();
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 0x80000000u));
	EXPECT_EQ(-1, kd_request_discard(nlmsg_hdr(msg)));
	nlmsg_free(msg);
	EXPECT_EQ(0, fcntl(other[0], F_GETFD));
	close(p[1]);
	close(other[0]);
	close(other[1]);
}

TEST(accept_reply)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(8443) };
	struct nl_msg *msg = reply();
	struct kd_request req;

	ASSERT_NE(NULL, msg);
	inet_pton(AF_INET6, "2001:db8::7", &sin6.sin6_addr);
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 42));
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_CLIENT));
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_TIMEOUT_MS, 4999));
	ASSERT_EQ(0, nla_put_string(msg, KTLSO_A_SERVER_NAME, "example.org"));
	ASSERT_EQ(0, nla_put_string(msg, KTLSO_A_PROFILE, "web"));
	ASSERT_EQ(0, nla_put(msg, KTLSO_A_ALPN, 3, "\x02h2"));
	ASSERT_EQ(0, nla_put(msg, KTLSO_A_PEER_ADDR, sizeof(sin6), &sin6));
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_REQ_UID, 65534));
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_REQ_GID, 65533));
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_REQ_PID, 4242));
	ASSERT_EQ(0, nla_put_u64(msg, KTLSO_A_REQ_CGROUP, 1ull << 40));
	ASSERT_EQ(0, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(42, req.fd);
	EXPECT_TRUE(req.role == KTLSO_ROLE_CLIENT);
	EXPECT_EQ(4999u, req.timeout_ms);
	EXPECT_STREQ("example.org", req.server_name);
	EXPECT_STREQ("web", req.profile);
	ASSERT_EQ(3u, req.alpn_len);
	EXPECT_EQ(0, memcmp(req.alpn, "\x02h2", 3));
	EXPECT_STREQ("[2001:db8::7]:8443", req.peer);
	EXPECT_TRUE(req.who.known);
	EXPECT_EQ(65534u, req.who.uid);
	EXPECT_EQ(65533u, req.who.gid);
	EXPECT_EQ(4242u, req.who.pid);
	EXPECT_EQ(1ull << 40, req.who.cgroup);
	nlmsg_free(msg);
}

/* What the kernel leaves out: no name, no ALPN, no address. */
TEST(accept_reply_minimal)
{
	struct nl_msg *msg = reply();
	struct kd_request req;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 3));
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_SERVER));
	ASSERT_EQ(0, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(3, req.fd);
	EXPECT_TRUE(req.role == KTLSO_ROLE_SERVER);
	EXPECT_EQ(0u, req.timeout_ms);
	EXPECT_STREQ("", req.server_name);
	EXPECT_STREQ("", req.profile);
	EXPECT_EQ(0u, req.alpn_len);
	EXPECT_STREQ("?", req.peer);
	EXPECT_FALSE(req.who.known);
	nlmsg_free(msg);
}

/* Bad replies are refused, with the descriptor kept to fail the request. */
TEST(accept_reply_bad)
{
	char long_name[KTLSO_HS_NAME_MAX + 8];
	uint8_t alpn[KTLSO_HS_ALPN_MAX + 1];
	struct kd_request req;
	struct nl_msg *msg;

	/* No descriptor at all. */
	msg = reply();
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_SERVER));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(-1, req.fd);
	nlmsg_free(msg);

	/* No role; a role of no meaning. */
	msg = reply();
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 9));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(9, req.fd);
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, 3));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(9, req.fd);
	nlmsg_free(msg);

	/* A requester named in part. */
	msg = reply();
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 11));
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_SERVER));
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_REQ_UID, 0));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(11, req.fd);
	nlmsg_free(msg);

	/* A server name that does not fit. */
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	msg = reply();
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 10));
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_CLIENT));
	ASSERT_EQ(0, nla_put_string(msg, KTLSO_A_SERVER_NAME, long_name));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(10, req.fd);
	nlmsg_free(msg);

	/* An ALPN list longer than a request holds. */
	memset(alpn, 1, sizeof(alpn));
	msg = reply();
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_SOCKFD, 11));
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_CLIENT));
	ASSERT_EQ(0, nla_put(msg, KTLSO_A_ALPN, sizeof(alpn), alpn));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(11, req.fd);
	nlmsg_free(msg);

	/* A SOCKFD of the wrong size. */
	msg = reply();
	ASSERT_EQ(0, nla_put_u16(msg, KTLSO_A_SOCKFD, 12));
	ASSERT_EQ(0, nla_put_u8(msg, KTLSO_A_ROLE, KTLSO_HS_ROLE_CLIENT));
	EXPECT_EQ(-EINVAL, kd_request_parse(nlmsg_hdr(msg), &req));
	EXPECT_EQ(-1, req.fd);
	nlmsg_free(msg);
}

/* HS_DONE, parsed as the kernel does (ktlso_done_policy). */
static int parse_done(struct nl_msg *msg, struct nlattr **a)
{
	static struct nla_policy policy[KTLSO_A_MAX + 1] = {
		[KTLSO_A_SOCKFD] = { .type = NLA_U32 },
		[KTLSO_A_STATUS] = { .type = NLA_U32 },
		[KTLSO_A_VERSION] = { .type = NLA_U16 },
		[KTLSO_A_CIPHER] = { .type = NLA_U16 },
		[KTLSO_A_ALPN] = { .type = NLA_STRING, .maxlen = 256 },
		[KTLSO_A_PEER_IDENTITY] = { .type = NLA_STRING,
					    .maxlen = KTLSO_HS_NAME_MAX },
		[KTLSO_A_PEER_CERT] = { .type = NLA_UNSPEC, .minlen = 1,
					.maxlen = KTLSO_PEER_CERT_MAX },
		[KTLSO_A_TICKET_SESSION] = { .type = NLA_U64 },
		[KTLSO_A_RESUMED] = { .type = NLA_FLAG },
	};

	return genlmsg_parse(nlmsg_hdr(msg), 0, a, KTLSO_A_MAX, policy);
}

static struct nl_msg *done_msg_for(const struct kd_outcome *o)
{
	struct nl_msg *msg = nlmsg_alloc_size(kd_done_size(o));

	if (msg && !genlmsg_put(msg, 1, 1, FAMILY, 0, 0, KTLSO_CMD_HS_DONE,
				KTLSO_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *done_msg(void)
{
	static const struct kd_outcome none;

	return done_msg_for(&none);
}

/* A NUL-terminated string attribute equal to @want. */
static bool string_attr(const struct nlattr *a, const char *want)
{
	size_t len = strlen(want) + 1;

	return a && (size_t)nla_len(a) == len &&
	       memcmp(nla_data(a), want, len) == 0;
}

TEST(done_success)
{
	struct kd_outcome o = {
		.status = 0, .version = 0x0304, .cipher = 52,
		.alpn = "http/1.1", .peer_identity = "CN=client.example",
	};
	struct nlattr *a[KTLSO_A_MAX + 1];
	struct nl_msg *msg = done_msg();

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, kd_done_attrs(msg, 17, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	ASSERT_NE(NULL, a[KTLSO_A_SOCKFD]);
	EXPECT_EQ(17u, nla_get_u32(a[KTLSO_A_SOCKFD]));
	ASSERT_NE(NULL, a[KTLSO_A_STATUS]);
	EXPECT_EQ(0u, nla_get_u32(a[KTLSO_A_STATUS]));
	ASSERT_NE(NULL, a[KTLSO_A_VERSION]);
	EXPECT_EQ(0x0304, nla_get_u16(a[KTLSO_A_VERSION]));
	ASSERT_NE(NULL, a[KTLSO_A_CIPHER]);
	EXPECT_EQ(52, nla_get_u16(a[KTLSO_A_CIPHER]));
	EXPECT_TRUE(string_attr(a[KTLSO_A_ALPN], "http/1.1"));
	EXPECT_TRUE(string_attr(a[KTLSO_A_PEER_IDENTITY],
				"CN=client.example"));
	nlmsg_free(msg);

	/* Nothing agreed, nobody verified: the attributes are left out. */
	o.alpn[0] = '\0';
	o.peer_identity[0] = '\0';
	msg = done_msg();
	ASSERT_EQ(0, kd_done_attrs(msg, 17, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	EXPECT_NE(NULL, a[KTLSO_A_VERSION]);
	EXPECT_EQ(NULL, a[KTLSO_A_ALPN]);
	EXPECT_EQ(NULL, a[KTLSO_A_PEER_IDENTITY]);
	EXPECT_EQ(NULL, a[KTLSO_A_PEER_CERT]);
	EXPECT_EQ(NULL, a[KTLSO_A_TICKET_SESSION]);
	EXPECT_EQ(NULL, a[KTLSO_A_RESUMED]);
	nlmsg_free(msg);
}

/* A client's ticket id and a resumption go with a success only. */
TEST(done_ticket_session_resumed)
{
	struct kd_outcome o = {
		.status = 0, .version = 0x0304, .cipher = 51,
		.resumed = true, .ticket_session = 0x8877665544332211ULL,
	};
	struct nlattr *a[KTLSO_A_MAX + 1];
	struct nl_msg *msg = done_msg();

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, kd_done_attrs(msg, 3, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	ASSERT_NE(NULL, a[KTLSO_A_TICKET_SESSION]);
	EXPECT_EQ(0x8877665544332211ULL, nla_get_u64(a[KTLSO_A_TICKET_SESSION]));
	EXPECT_NE(NULL, a[KTLSO_A_RESUMED]);
	nlmsg_free(msg);

	/* A module that predates them refuses them: not sent. */
	o.status = 0;
	msg = done_msg();
	ASSERT_EQ(0, kd_done_attrs(msg, 3, &o, false));
	ASSERT_EQ(0, parse_done(msg, a));
	EXPECT_NE(NULL, a[KTLSO_A_VERSION]);
	EXPECT_EQ(NULL, a[KTLSO_A_TICKET_SESSION]);
	EXPECT_EQ(NULL, a[KTLSO_A_RESUMED]);
	nlmsg_free(msg);

	o.status = ECONNABORTED;
	msg = done_msg();
	ASSERT_EQ(0, kd_done_attrs(msg, 3, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	EXPECT_EQ(NULL, a[KTLSO_A_TICKET_SESSION]);
	EXPECT_EQ(NULL, a[KTLSO_A_RESUMED]);
	nlmsg_free(msg);
}

/* A message of the group "tickets", built as kernel/netlink.c does. */
static struct nl_msg *tickets_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd,
				KTLSO_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

TEST(tickets_messages)
{
	static const uint8_t nst[] = { 4, 0, 0, 2, 7, 9 };
	struct kd_tickets_msg m;
	struct nl_msg *msg;

	msg = tickets_msg(KTLSO_CMD_TICKETS);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u64(msg, KTLSO_A_TICKET_SESSION, 42));
	ASSERT_EQ(0, nla_put(msg, KTLSO_A_TICKETS, sizeof(nst), nst));
	ASSERT_EQ(0, kd_tickets_msg_parse(nlmsg_hdr(msg), &m));
	EXPECT_FALSE(m.end);
	EXPECT_EQ(42u, m.id);
	ASSERT_EQ(sizeof(nst), m.len);
	EXPECT_EQ(0, memcmp(nst, m.msgs, sizeof(nst)));
	nlmsg_free(msg);

	msg = tickets_msg(KTLSO_CMD_TICKETS_END);
	ASSERT_EQ(0, nla_put_u64(msg, KTLSO_A_TICKET_SESSION, 43));
	ASSERT_EQ(0, kd_tickets_msg_parse(nlmsg_hdr(msg), &m));
	EXPECT_TRUE(m.end);
	EXPECT_EQ(43u, m.id);
	EXPECT_EQ(0u, m.len);
	nlmsg_free(msg);

	/* No id; tickets without tickets; an id of another size; READY. */
	msg = tickets_msg(KTLSO_CMD_TICKETS);
	ASSERT_EQ(0, nla_put(msg, KTLSO_A_TICKETS, sizeof(nst), nst));
	EXPECT_EQ(-EINVAL, kd_tickets_msg_parse(nlmsg_hdr(msg), &m));
	nlmsg_free(msg);
	msg = tickets_msg(KTLSO_CMD_TICKETS);
	ASSERT_EQ(0, nla_put_u64(msg, KTLSO_A_TICKET_SESSION, 42));
	EXPECT_EQ(-EINVAL, kd_tickets_msg_parse(nlmsg_hdr(msg), &m));
	EXPECT_EQ(0u, m.id);
	nlmsg_free(msg);
	msg = tickets_msg(KTLSO_CMD_TICKETS_END);
	ASSERT_EQ(0, nla_put_u32(msg, KTLSO_A_TICKET_SESSION, 42));
	EXPECT_EQ(-EINVAL, kd_tickets_msg_parse(nlmsg_hdr(msg), &m));
	nlmsg_free(msg);
	msg = tickets_msg(KTLSO_CMD_READY);
	ASSERT_EQ(0, nla_put_u64(msg, KTLSO_A_TICKET_SESSION, 42));
	EXPECT_EQ(-EINVAL, kd_tickets_msg_parse(nlmsg_hdr(msg), &m));
	nlmsg_free(msg);
}

/* The verified peer's leaf goes as it is, up to the kernel's limit. */
TEST(done_peer_cert)
{
	static uint8_t der[KTLSO_PEER_CERT_MAX];
	struct kd_outcome o = {
		.status = 0, .version = 0x0304, .cipher = 51,
		.peer_identity = "CN=client.example",
		.peer_cert = der, .peer_cert_len = sizeof(der),
	};
	struct nlattr *a[KTLSO_A_MAX + 1];
	struct nl_msg *msg;
	size_t i;

	for (i = 0; i < sizeof(der); i++)
		der[i] = (uint8_t)(i * 13 + 1);
	msg = done_msg_for(&o);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, kd_done_attrs(msg, 9, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	ASSERT_NE(NULL, a[KTLSO_A_PEER_CERT]);
	ASSERT_EQ((int)sizeof(der), nla_len(a[KTLSO_A_PEER_CERT]));
	EXPECT_EQ(0, memcmp(der, nla_data(a[KTLSO_A_PEER_CERT]), sizeof(der)));
	nlmsg_free(msg);

	/* A failure says nothing of the peer. */
	o.status = EACCES;
	msg = done_msg_for(&o);
	ASSERT_EQ(0, kd_done_attrs(msg, 9, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	EXPECT_EQ(NULL, a[KTLSO_A_PEER_CERT]);
	nlmsg_free(msg);
}

TEST(done_failure)
{
	struct kd_outcome o = {
		.status = EACCES, .version = 0x0304, .cipher = 51,
		.alpn = "h2", .reason = "unknown_ca",
	};
	struct nlattr *a[KTLSO_A_MAX + 1];
	struct nl_msg *msg = done_msg();

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, kd_done_attrs(msg, 5, &o, true));
	ASSERT_EQ(0, parse_done(msg, a));
	EXPECT_EQ(5u, nla_get_u32(a[KTLSO_A_SOCKFD]));
	EXPECT_EQ((uint32_t)EACCES, nla_get_u32(a[KTLSO_A_STATUS]));
	EXPECT_EQ(NULL, a[KTLSO_A_VERSION]);
	EXPECT_EQ(NULL, a[KTLSO_A_CIPHER]);
	EXPECT_EQ(NULL, a[KTLSO_A_ALPN]);
	EXPECT_EQ(NULL, a[KTLSO_A_PEER_IDENTITY]);
	nlmsg_free(msg);
}

TEST(peer_format)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(443) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(1) };
	char out[64];

	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	kd_peer_format(&sin, sizeof(sin), out, sizeof(out));
	EXPECT_STREQ("192.0.2.1:443", out);
	kd_peer_format(&sin6, sizeof(sin6), out, sizeof(out));
	EXPECT_STREQ("[::]:1", out);
	/* Too short for its family; an unknown family. */
	kd_peer_format(&sin6, sizeof(sin), out, sizeof(out));
	EXPECT_STREQ("?", out);
	sin.sin_family = AF_UNIX;
	kd_peer_format(&sin, sizeof(sin), out, sizeof(out));
	EXPECT_STREQ("?", out);
	kd_peer_format(&sin, 2, out, sizeof(out));
	EXPECT_STREQ("?", out);
}

TEST_HARNESS_MAIN
