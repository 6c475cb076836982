// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl's pieces: STATUS replies built as the kernel builds them (u64
 * attributes with pad attributes before them) and parsed back, with
 * attributes missing, unknown or mis-sized; /proc/net/ktlso_stat in the
 * kernel's format and broken; text and JSON output byte for byte, string
 * escaping included; sock_diag answers with and without a TLS ULP, with
 * and without key generations; and the commands against the host kernel,
 * which has no ktlso.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/ktlso.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>

#include "kselftest_harness.h"

#include "ctl/ctl.h"

#define FAMILY	0x1c

/* A reply of @cmd, as ktlso_nl_status() fills it when @full. */
static struct nl_msg *status_msg(int cmd, bool full)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 1, FAMILY, 0, 0, cmd, 1))
		return NULL;
	nla_put_u32(msg, KTLSO_A_PENDING, 3);
	nla_put_u32(msg, KTLSO_A_RUNNING, 2);
	nla_put_u32(msg, KTLSO_A_MAX_PENDING, 256);
	nla_put_u8(msg, KTLSO_A_LISTENERS, 1);
	/* nla_put_u64_64bit() pads with an empty KTLSO_A_UNSPEC. */
	nla_put(msg, KTLSO_A_UNSPEC, 0, NULL);
	nla_put_u64(msg, KTLSO_A_REQUESTED, 0x100000005ULL);
	if (full) {
		nla_put(msg, KTLSO_A_UNSPEC, 0, NULL);
		nla_put_u64(msg, KTLSO_A_COMPLETED, 4);
		nla_put_u64(msg, KTLSO_A_FAILED, 1);
		nla_put_u64(msg, KTLSO_A_TIMED_OUT, 1);
		nla_put_u64(msg, KTLSO_A_REFUSED, 7);
	}
	return msg;
}

TEST(status_reply_parsed)
{
	struct nl_msg *msg = status_msg(KTLSO_CMD_STATUS, true);
	struct ctl_status st;

	ASSERT_NE(NULL, msg);
	/* A newer kernel's attribute this version does not know. */
	nla_put_u32(msg, KTLSO_A_MAX + 1, 99);
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, ctl_status_parse(nlmsg_hdr(msg), &st));
	EXPECT_EQ(3U, st.pending);
	EXPECT_EQ(2U, st.running);
	EXPECT_EQ(256U, st.max_pending);
	EXPECT_TRUE(st.listeners);
	EXPECT_EQ(0x100000005ULL, st.requested);
	EXPECT_EQ(4U, st.completed);
	EXPECT_EQ(1U, st.failed);
	EXPECT_EQ(1U, st.timed_out);
	EXPECT_EQ(7U, st.refused);
	EXPECT_TRUE(!!(st.have & (1u << KTLSO_A_REFUSED)));
	nlmsg_free(msg);
}

/* Attributes an older kernel does not send read 0, and are marked so. */
TEST(status_reply_partial)
{
	struct nl_msg *msg = status_msg(KTLSO_CMD_STATUS, false);
	struct ctl_status st;

	ASSERT_NE(NULL, msg);
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, ctl_status_parse(nlmsg_hdr(msg), &st));
	EXPECT_EQ(0x100000005ULL, st.requested);
	EXPECT_EQ(0U, st.completed);
	EXPECT_EQ(0U, st.refused);
	EXPECT_FALSE(!!(st.have & (1u << KTLSO_A_COMPLETED)));
	EXPECT_TRUE(!!(st.have & (1u << KTLSO_A_REQUESTED)));
	nlmsg_free(msg);
}

TEST(status_reply_malformed)
{
	struct nl_msg *msg = status_msg(KTLSO_CMD_READY, true);
	struct ctl_status st;

	ASSERT_NE(NULL, msg);
	EXPECT_GT(0, ctl_status_parse(nlmsg_hdr(msg), &st));
	nlmsg_free(msg);

	/* A counter of four bytes where eight are due. */
	msg = nlmsg_alloc();
	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, genlmsg_put(msg, 0, 1, FAMILY, 0, 0,
				    KTLSO_CMD_STATUS, 1));
	nla_put_u32(msg, KTLSO_A_COMPLETED, 4);
	EXPECT_GT(0, ctl_status_parse(nlmsg_hdr(msg), &st));
	nlmsg_free(msg);
}

/* What kernel/stats.c prints: "%-32s\t%ld\n" per counter. */
TEST(proc_stats_kernel_format)
{
	static const char text[] =
		"TlsCurrTxSw                     \t2\n"
		"TlsCurrRxSw                     \t0\n"
		"TlsTxSw                         \t123456789012\n"
		"TlsDecryptError                 \t-1\n";
	struct ctl_stat st[CTL_STAT_MAX];
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(4, ctl_proc_stats_parse(f, st, CTL_STAT_MAX));
	EXPECT_STREQ("TlsCurrTxSw", st[0].name);
	EXPECT_EQ(2, st[0].value);
	EXPECT_STREQ("TlsTxSw", st[2].name);
	EXPECT_EQ(123456789012LL, st[2].value);
	EXPECT_EQ(-1, st[3].value);
	fclose(f);
}

/*
 * The whole file as a module with TLS 1.3 key updates prints it: every
 * counter read, in order, the key-update ones too (ktlsoctl stats shows
 * whatever the kernel lists).
 */
TEST(proc_stats_key_update_counters)
{
	static const char *const names[] = {
		"TlsCurrTxSw", "TlsCurrRxSw", "TlsTxSw", "TlsRxSw",
		"TlsDecryptError", "TlsDecryptRetry", "TlsRxNoPadViolation",
		"TlsRxZeroCopy", "TlsRxTicketsDropped", "TlsTxRekeyOk",
		"TlsRxRekeyOk", "TlsTxRekeyError", "TlsRxRekeyError",
		"TlsRxRekeyReceived", "TlsRxKeyUpdate", "TlsTxKeyUpdate",
	};
	struct ctl_stat st[CTL_STAT_MAX];
	char text[2048];
	size_t i, off = 0;
	FILE *f;

	for (i = 0; i < (sizeof(names) / sizeof(names[0])); i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"%-32s\t%zu\n", names[i], 1000 + i);
	f = fmemopen(text, off, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ((int)(sizeof(names) / sizeof(names[0])), ctl_proc_stats_parse(f, st,
							       CTL_STAT_MAX));
	fclose(f);
	for (i = 0; i < (sizeof(names) / sizeof(names[0])); i++) {
		EXPECT_STREQ(names[i], st[i].name);
		EXPECT_EQ((int64_t)(1000 + i), st[i].value);
	}
}

static int parse_text(const char *text, size_t cap)
{
	struct ctl_stat st[CTL_STAT_MAX];
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	if (!f)
		return -1000;
	n = ctl_proc_stats_parse(f, st, cap);
	fclose(f);
	return n;
}

TEST(proc_stats_broken)
{
	EXPECT_EQ(0, parse_text("\n", CTL_STAT_MAX));
	EXPECT_EQ(1, parse_text("A 1", CTL_STAT_MAX));
	EXPECT_EQ(-EBADMSG, parse_text("A\n", CTL_STAT_MAX));
	EXPECT_EQ(-EBADMSG, parse_text("A 1 2\n", CTL_STAT_MAX));
	EXPECT_EQ(-EBADMSG, parse_text("A 1x\n", CTL_STAT_MAX));
	EXPECT_EQ(-EBADMSG, parse_text("A 99999999999999999999\n",
				       CTL_STAT_MAX));
	EXPECT_EQ(-EBADMSG, parse_text("A\"b 1\n", CTL_STAT_MAX));
	EXPECT_EQ(-E2BIG, parse_text("A 1\nB 2\nC 3\n", 2));
	EXPECT_EQ(2, parse_text("A 1\nB 2\n", 2));
}

/* Run @fn into a memory stream; the text written. */
static char *capture(bool json, void (*fn)(struct ctl_out *o))
{
	struct ctl_out o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	ctl_out_begin(&o, f, json);
	fn(&o);
	ctl_out_end(&o);
	fclose(f);
	return buf;
}

static void write_sample(struct ctl_out *o)
{
	struct ctl_status st = { .pending = 1, .max_pending = 256,
				 .requested = 10, .completed = 9,
				 .refused = 2 };

	ctl_out_bool(o, "module", "module", true, "loaded", "not loaded");
	ctl_out_str(o, "name", "name", "a\"b\\c\n\x01");
	ctl_out_section(o, "record", "record layer:");
	ctl_out_i64(o, "TlsTxSw", "TlsTxSw", -3);
	ctl_out_section_end(o);
	ctl_out_section(o, "handshake", "handshakes:");
	ctl_out_handshakes(o, &st);
	ctl_out_section_end(o);
}

TEST(output_json)
{
	char *s = capture(true, write_sample);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("{\"module\":true,\"name\":\"a\\\"b\\\\c\\n\\u0001\","
		     "\"record\":{\"TlsTxSw\":-3},"
		     "\"handshake\":{\"pending\":1,\"running\":0,"
		     "\"max_pending\":256,\"requested\":10,\"completed\":9,"
		     "\"failed\":0,\"timed_out\":0,\"refused\":2}}\n", s);
	free(s);
}

TEST(output_text)
{
	char *s = capture(false, write_sample);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("module:        loaded\n"
		     "name:          a\"b\\c\n\x01\n"
		     "record layer:\n"
		     "  TlsTxSw:       -3\n"
		     "handshakes:\n"
		     "  pending:       1\n"
		     "  running:       0\n"
		     "  max pending:   256\n"
		     "  requested:     10\n"
		     "  completed:     9\n"
		     "  failed:        0\n"
		     "  timed out:     0\n"
		     "  refused:       2\n", s);
	free(s);
}

static bool ktlso_loaded(void)
{
	return access("/sys/module/ktlso", F_OK) == 0;
}

static int status_rc;

static void run_status(struct ctl_out *o)
{
	status_rc = ctl_cmd_status(o);
}

static void run_stats(struct ctl_out *o)
{
	status_rc = ctl_cmd_stats(o);
}

/* The host kernel has no ktlso: the family is not found; exit 1. */
TEST(host_without_module)
{
	struct ctl_status st;
	char *s;

	if (ktlso_loaded())
		SKIP(return, "ktlso is loaded here");
	EXPECT_EQ(-NLE_OBJ_NOTFOUND, ctl_status_query(&st));
	s = capture(true, run_status);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(CTL_EXIT_NO_MODULE, status_rc);
	EXPECT_STREQ("{\"module\":false}\n", s);
	free(s);
	s = capture(false, run_stats);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(CTL_EXIT_NO_MODULE, status_rc);
	EXPECT_STREQ("module:        not loaded\n", s);
	free(s);
}

/* An inet_diag answer for 192.0.2.1:443 -> 198.51.100.7:50000, ULP @ulp. */
static struct nl_msg *diag_msg(const char *ulp, bool tls, bool gens)
{
	struct inet_diag_msg m = { .idiag_family = AF_INET };
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *u, *t;

	if (!msg || !nlmsg_put(msg, 0, 1, SOCK_DIAG_BY_FAMILY, 0, 0))
		return NULL;
	m.id.idiag_sport = htons(443);
	m.id.idiag_dport = htons(50000);
	inet_pton(AF_INET, "192.0.2.1", m.id.idiag_src);
	inet_pton(AF_INET, "198.51.100.7", m.id.idiag_dst);
	if (nlmsg_append(msg, &m, sizeof(m), NLMSG_ALIGNTO))
		return NULL;
	nla_put_u32(msg, INET_DIAG_MARK, 7);	/* another attribute first */
	if (!ulp)
		return msg;
	u = nla_nest_start(msg, INET_DIAG_ULP_INFO);
	nla_put_string(msg, INET_ULP_INFO_NAME, ulp);
	if (tls) {
		t = nla_nest_start(msg, INET_ULP_INFO_TLS);
		nla_put_u16(msg, TLS_INFO_VERSION, TLS_1_3_VERSION);
		nla_put_u16(msg, TLS_INFO_CIPHER, TLS_CIPHER_AES_GCM_256);
		nla_put_u16(msg, TLS_INFO_TXCONF, TLS_CONF_SW);
		nla_put_u16(msg, TLS_INFO_RXCONF, TLS_CONF_BASE);
		nla_put_flag(msg, TLS_INFO_ZC_RO_TX);
		if (gens) {
			nla_put(msg, TLS_INFO_UNSPEC, 0, NULL);	/* the pad */
			nla_put_u64(msg, KTLSO_INFO_TX_GEN, 5);
			nla_put(msg, TLS_INFO_UNSPEC, 0, NULL);
			nla_put_u64(msg, KTLSO_INFO_RX_GEN, 0x100000002ULL);
		}
		nla_nest_end(msg, t);
	}
	nla_nest_end(msg, u);
	return msg;
}

TEST(sock_diag_parsed)
{
	struct nl_msg *msg = diag_msg("ktlso", true, true);
	struct ctl_sock s;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(1, ctl_sock_parse(nlmsg_hdr(msg), &s));
	EXPECT_STREQ("192.0.2.1:443", s.local);
	EXPECT_STREQ("198.51.100.7:50000", s.peer);
	EXPECT_STREQ("ktlso", s.ulp);
	EXPECT_EQ(TLS_1_3_VERSION, s.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_256, s.cipher);
	EXPECT_EQ(TLS_CONF_SW, s.txconf);
	EXPECT_EQ(TLS_CONF_BASE, s.rxconf);
	EXPECT_TRUE(s.zc_ro_tx);
	EXPECT_FALSE(s.rx_no_pad);
	EXPECT_TRUE(s.have_gen);
	EXPECT_EQ(5u, s.tx_gen);
	EXPECT_EQ(0x100000002ULL, s.rx_gen);
	nlmsg_free(msg);
}

TEST(sock_diag_others)
{
	struct nl_msg *msg;
	struct ctl_sock s;

	/* In-tree kTLS: shown, without generations. */
	msg = diag_msg("tls", true, false);
	ASSERT_EQ(1, ctl_sock_parse(nlmsg_hdr(msg), &s));
	EXPECT_FALSE(s.have_gen);
	nlmsg_free(msg);
	/* ktlso attached, no keys yet: shown, no TLS nest. */
	msg = diag_msg("ktlso", false, false);
	ASSERT_EQ(1, ctl_sock_parse(nlmsg_hdr(msg), &s));
	EXPECT_EQ(0, s.version);
	nlmsg_free(msg);
	/* Another ULP, or none: not ours. */
	msg = diag_msg("mptcp", false, false);
	EXPECT_EQ(0, ctl_sock_parse(nlmsg_hdr(msg), &s));
	nlmsg_free(msg);
	msg = diag_msg(NULL, false, false);
	EXPECT_EQ(0, ctl_sock_parse(nlmsg_hdr(msg), &s));
	EXPECT_STREQ("", s.ulp);
	nlmsg_free(msg);
	/* Too short for an inet_diag_msg. */
	msg = nlmsg_alloc();
	ASSERT_NE(NULL, nlmsg_put(msg, 0, 1, SOCK_DIAG_BY_FAMILY, 0, 0));
	EXPECT_EQ(-EINVAL, ctl_sock_parse(nlmsg_hdr(msg), &s));
	nlmsg_free(msg);
}

TEST_HARNESS_MAIN
