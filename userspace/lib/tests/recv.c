// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_recv() and ktlso_alert_name(): data as it comes; 0 only after a
 * close_notify, -EPIPE for TCP's end without one; fatal alerts and, in
 * TLS 1.3, every alert but the closure ones refused with the alert
 * reported; user_canceled, TLS 1.2 warnings and handshake records
 * skipped, within a bound; MSG_PEEK leaving data and close_notify in
 * place; buffers of one byte; -EAGAIN, -EINTR and the kernel's errors
 * passed back; malformed records and bad arguments; a real socket
 * without receive keys.
 */
#include <linux/tls.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "fake_kernel.h"

#define CT_CCS		20
#define CT_ALERT	21
#define CT_HANDSHAKE	22
#define CT_DATA		23

static const uint8_t close_notify[2] = { 1, 0 };
static const uint8_t user_canceled[2] = { 1, 90 };
/* A NewSessionTicket's start: the kernel hands such records over. */
static const uint8_t ticket[8] = { 4, 0, 0, 4, 1, 2, 3, 4 };

FIXTURE(rcv) {
	char buf[64];
	struct ktlso_alert_msg alert;
};

/* A TLS 1.3 socket with receive keys, nothing queued. */
FIXTURE_SETUP(rcv)
{
	fake_install();
	strcpy(fake.ulp, KTLSO_ULP_NAME);
	fake.rx.version = TLS_1_3_VERSION;
	fake.rx.cipher_type = TLS_CIPHER_AES_GCM_128;
	fake.have_rx = true;
	memset(&self->alert, 0xff, sizeof(self->alert));
}

FIXTURE_TEARDOWN(rcv)
{
}

static void alert2(uint8_t level, uint8_t desc)
{
	const uint8_t a[2] = { level, desc };

	fake_record(CT_ALERT, a, sizeof(a));
}

/* The next read ends with the alert @desc, which is called @name. */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(rcv) *self, int desc, const char *name)
{
	EXPECT_EQ(-ECONNREFUSED, ktlso_recv(FAKE_FD, self->buf,
					    sizeof(self->buf), 0,
					    &self->alert));
	EXPECT_EQ(desc, self->alert.desc);
	EXPECT_STREQ(name, ktlso_alert_name(self->alert.desc));
}

TEST_F(rcv, data_then_close_notify)
{
	fake_record(CT_DATA, "hello", 5);
	fake_record(CT_DATA, " world", 6);
	fake_record(CT_ALERT, close_notify, 2);
	fake.eof = true;

	ASSERT_EQ(11, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				 &self->alert));
	EXPECT_EQ(0, memcmp("hello world", self->buf, 11));
	EXPECT_EQ(0, self->alert.level);
	EXPECT_EQ(0, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				&self->alert));
	EXPECT_EQ(KTLSO_LEVEL_WARNING, self->alert.level);
	EXPECT_EQ(0, self->alert.desc);
	EXPECT_STREQ("close_notify", ktlso_alert_name(self->alert.desc));
}

TEST_F(rcv, end_without_close_notify_is_truncation)
{
	fake_record(CT_DATA, "partial", 7);
	fake.eof = true;

	ASSERT_EQ(7, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				&self->alert));
	EXPECT_EQ(-EPIPE, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				     &self->alert));
	EXPECT_EQ(0, self->alert.level);
	EXPECT_EQ(0, self->alert.desc);
	EXPECT_STREQ("the connection ended without close_notify (truncated)",
		     ktlso_strerror(-EPIPE));
}

TEST_F(rcv, fatal_alert_is_reported)
{
	fake_record(CT_DATA, "x", 1);
	alert2(KTLSO_LEVEL_FATAL, 40);

	ASSERT_EQ(1, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				NULL));
	expect_refused(_metadata, self, 40, "handshake_failure");
	EXPECT_EQ(KTLSO_LEVEL_FATAL, self->alert.level);
}

/* RFC 8446 6.2: in TLS 1.3 the level means nothing: an error is an error. */
TEST_F(rcv, tls13_warning_is_an_error)
{
	alert2(KTLSO_LEVEL_WARNING, 42);
	fake_record(CT_DATA, "late", 4);

	expect_refused(_metadata, self, 42, "bad_certificate");
	EXPECT_EQ(KTLSO_LEVEL_WARNING, self->alert.level);
}

/* RFC 5246 7.2: after a TLS 1.2 warning the connection goes on. */
TEST_F(rcv, tls12_warning_is_skipped)
{
	fake.rx.version = TLS_1_2_VERSION;
	alert2(KTLSO_LEVEL_WARNING, 100);
	fake_record(CT_DATA, "on", 2);
	alert2(KTLSO_LEVEL_FATAL, 20);

	ASSERT_EQ(2, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				&self->alert));
	EXPECT_EQ(0, memcmp("on", self->buf, 2));
	EXPECT_EQ(0, self->alert.level);
	expect_refused(_metadata, self, 20, "bad_record_mac");
}

/* RFC 8446 6.1: user_canceled, then close_notify: a clean end. */
TEST_F(rcv, user_canceled_then_close_notify)
{
	fake_record(CT_ALERT, user_canceled, 2);
	fake_record(CT_ALERT, close_notify, 2);

	EXPECT_EQ(0, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				&self->alert));
	EXPECT_EQ(0, self->alert.desc);
	EXPECT_EQ(KTLSO_LEVEL_WARNING, self->alert.level);
}

TEST_F(rcv, tickets_are_skipped)
{
	fake_record(CT_HANDSHAKE, ticket, sizeof(ticket));
	fake_record(CT_HANDSHAKE, ticket, sizeof(ticket));
	fake_record(CT_DATA, "data", 4);

	ASSERT_EQ(4, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				NULL));
	EXPECT_EQ(0, memcmp("data", self->buf, 4));
	EXPECT_EQ(fake.n_rec, fake.next_rec);
}

/* A record longer than the buffer is skipped whole, in slices. */
TEST_F(rcv, long_handshake_record_short_buffer)
{
	uint8_t big[FAKE_RECORD_MAX];

	memset(big, 4, sizeof(big));
	fake_record(CT_HANDSHAKE, big, sizeof(big));
	fake_record(CT_DATA, "0123456789", 10);

	ASSERT_EQ(3, ktlso_recv(FAKE_FD, self->buf, 3, 0, NULL));
	EXPECT_EQ(0, memcmp("012", self->buf, 3));
	ASSERT_EQ(7, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				NULL));
	EXPECT_EQ(0, memcmp("3456789", self->buf, 7));
}

TEST_F(rcv, peek_leaves_data_and_close_notify)
{
	fake_record(CT_HANDSHAKE, ticket, sizeof(ticket));
	fake_record(CT_DATA, "abc", 3);
	fake_record(CT_ALERT, close_notify, 2);
	fake.eof = true;

	ASSERT_EQ(3, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				MSG_PEEK, NULL));
	EXPECT_EQ(0, memcmp("abc", self->buf, 3));
	/* The ticket went; the data stayed. */
	EXPECT_EQ(1, fake.next_rec);
	ASSERT_EQ(3, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				NULL));
	EXPECT_EQ(0, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				MSG_PEEK, &self->alert));
	EXPECT_EQ(0, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				MSG_PEEK, &self->alert));
	EXPECT_EQ(0, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				&self->alert));
	EXPECT_EQ(fake.n_rec, fake.next_rec);
	EXPECT_EQ(-EPIPE, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf), 0,
				     NULL));
}

TEST_F(rcv, peek_fatal_alert_stays)
{
	alert2(KTLSO_LEVEL_FATAL, 80);

	EXPECT_EQ(-ECONNREFUSED, ktlso_recv(FAKE_FD, self->buf, 1, MSG_PEEK,
					    &self->alert));
	EXPECT_EQ(80, self->alert.desc);
	EXPECT_EQ(0, fake.next_rec);
}

/* An alert never lands half in a one-byte buffer, half lost. */
TEST_F(rcv, one_byte_buffer)
{
	fake_record(CT_DATA, "ab", 2);
	fake_record(CT_HANDSHAKE, ticket, sizeof(ticket));
	fake_record(CT_DATA, "c", 1);
	fake_record(CT_ALERT, close_notify, 2);

	ASSERT_EQ(1, ktlso_recv(FAKE_FD, self->buf, 1, 0, NULL));
	EXPECT_EQ('a', self->buf[0]);
	ASSERT_EQ(1, ktlso_recv(FAKE_FD, self->buf, 1, 0, NULL));
	EXPECT_EQ('b', self->buf[0]);
	ASSERT_EQ(1, ktlso_recv(FAKE_FD, self->buf, 1, 0, NULL));
	EXPECT_EQ('c', self->buf[0]);
	EXPECT_EQ(0, ktlso_recv(FAKE_FD, self->buf, 1, 0, &self->alert));
	EXPECT_EQ(KTLSO_LEVEL_WARNING, self->alert.level);
	EXPECT_EQ(fake.n_rec, fake.next_rec);
}

/* Non-blocking: a skipped ticket and nothing after it is -EAGAIN. */
TEST_F(rcv, again_after_a_skipped_record)
{
	fake_record(CT_HANDSHAKE, ticket, sizeof(ticket));

	EXPECT_EQ(-EAGAIN, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				      MSG_DONTWAIT, NULL));
	EXPECT_EQ(1, fake.next_rec);
	fake_record(CT_DATA, "now", 3);
	EXPECT_EQ(3, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				MSG_DONTWAIT, NULL));
}

TEST_F(rcv, kernel_errors_pass)
{
	static const int errs[] = { EINTR, EAGAIN, EBADMSG, ECONNRESET,
				    EKEYEXPIRED, EMSGSIZE };
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fake.recv_err = errs[i];
		EXPECT_EQ(-errs[i], ktlso_recv(FAKE_FD, self->buf,
					       sizeof(self->buf), 0,
					       &self->alert));
		EXPECT_EQ(0, self->alert.level);
	}
	/* The same after a skipped ticket, and with a one-byte buffer. */
	fake_record(CT_HANDSHAKE, ticket, sizeof(ticket));
	fake.recv_err = EINTR;
	EXPECT_EQ(-EINTR, ktlso_recv(FAKE_FD, self->buf, 1, 0, NULL));
}

/* A peer that sends nothing but records to skip is refused. */
TEST_F(rcv, skipping_is_bounded)
{
	int i;

	for (i = 0; i < 70; i++)
		fake_record(CT_ALERT, user_canceled, 2);
	fake_record(CT_DATA, "never", 5);
	EXPECT_EQ(-EPROTO, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				      0, NULL));
	EXPECT_LE(fake.n_recvs, 2 * 70 + 2);
}

TEST_F(rcv, malformed_records)
{
	static const uint8_t three[3] = { 2, 40, 0 }, ccs[1] = { 1 };

	fake_record(CT_ALERT, three, sizeof(three));
	EXPECT_EQ(-EPROTO, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				      0, NULL));
	fake_install();
	fake_record(CT_ALERT, ccs, 1);
	EXPECT_EQ(-EPROTO, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				      0, NULL));
	fake_install();
	fake_record(CT_CCS, ccs, 1);
	EXPECT_EQ(-EPROTO, ktlso_recv(FAKE_FD, self->buf, sizeof(self->buf),
				      0, NULL));
	fake_install();
	fake_record(99, ccs, 1);
	EXPECT_EQ(-EPROTO, ktlso_recv(FAKE_FD, self->buf, 1, 0, NULL));
	/* A buffer that just fits an alert must not hide a longer one. */
	fake_install();
	fake_record(CT_ALERT, (const uint8_t[]){ 1, 0, 0 }, 3);
	EXPECT_EQ(-EPROTO, ktlso_recv(FAKE_FD, self->buf, 2, 0, NULL));
}

TEST_F(rcv, bad_arguments)
{
	fake_record(CT_DATA, "x", 1);
	EXPECT_EQ(-EINVAL, ktlso_recv(FAKE_FD, NULL, 4, 0, &self->alert));
	EXPECT_EQ(0, self->alert.level);
	EXPECT_EQ(-EINVAL, ktlso_recv(FAKE_FD, self->buf, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, ktlso_recv(FAKE_FD, self->buf, 4, MSG_OOB, NULL));
	EXPECT_EQ(-EINVAL, ktlso_recv(FAKE_FD, self->buf, 4, MSG_TRUNC, NULL));
	EXPECT_EQ(0, fake.n_recvs);
}

/* Without receive keys no close_notify can come: TCP's end is a cut. */
TEST(plain_socket)
{
	char buf[8];
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(3, write(sv[0], "raw", 3));
	close(sv[0]);
	ASSERT_EQ(3, ktlso_recv(sv[1], buf, sizeof(buf), 0, NULL));
	EXPECT_EQ(-EPIPE, ktlso_recv(sv[1], buf, sizeof(buf), 0, NULL));
	close(sv[1]);
}

TEST(alert_names)
{
	/* The RFC's names, and nothing for what is no alert (-0x101 is
	 * one of the engine's own errors, which never go on the wire). */
	static const struct {
		int desc;
		const char *name;
	} names[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" },
		{ 90, "user_canceled" }, { 120, "no_application_protocol" },
		{ 1, "unknown" }, { 255, "unknown" }, { 256, "unknown" },
		{ -1, "unknown" }, { -0x101, "unknown" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		EXPECT_STREQ(names[i].name, ktlso_alert_name(names[i].desc));
}

TEST_HARNESS_MAIN
