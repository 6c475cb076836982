// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_get_info(), ktlso_send_alert() and ktlso_close_notify(): the
 * state, version, cipher, names, ALPN and peer of a finished handshake;
 * keys installed without the daemon; an in-tree kTLS socket; a plain TCP
 * socket of the host kernel; the alert records' type, bytes and flags,
 * through the fake and through a real socketpair.
 */
#include <arpa/inet.h>
#include <linux/tls.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "fake_kernel.h"

FIXTURE(info) {
	struct ktlso_info in;
};

FIXTURE_SETUP(info)
{
	fake_install();
	memset(&self->in, 0x5a, sizeof(self->in));
}

FIXTURE_TEARDOWN(info)
{
}

TEST_F(info, handshake_done)
{
	strcpy(fake.ulp, "ktlso");
	fake.res.state = KTLSO_HS_DONE;
	fake.res.version = TLS_1_3_VERSION;
	fake.res.cipher = TLS_CIPHER_AES_GCM_128;
	strcpy(fake.res.alpn, "h2");
	strcpy(fake.res.peer, "CN=server.example");
	fake.have_tx = fake.have_rx = true;
	fake.tx.version = fake.rx.version = TLS_1_3_VERSION;
	fake.tx.cipher_type = fake.rx.cipher_type = TLS_CIPHER_AES_GCM_128;

	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_EQ(KTLSO_STATE_DONE, (int)self->in.state);
	EXPECT_EQ(0, self->in.error);
	EXPECT_EQ(0x0304, self->in.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, self->in.cipher);
	EXPECT_STREQ("TLS 1.3", self->in.version_name);
	EXPECT_STREQ("AES-128-GCM", self->in.cipher_name);
	EXPECT_STREQ("h2", self->in.alpn);
	EXPECT_STREQ("CN=server.example", self->in.peer);
	EXPECT_STREQ("ktlso", self->in.ulp);
	EXPECT_TRUE(self->in.tx_keys);
	EXPECT_TRUE(self->in.rx_keys);
	EXPECT_FALSE(self->in.resumed);
}

/* The kernel's KTLSO_HS_RESUMED, and nothing else of its flags. */
TEST_F(info, resumed)
{
	strcpy(fake.ulp, "ktlso");
	fake.res.state = KTLSO_HS_DONE;
	fake.res.version = TLS_1_3_VERSION;
	fake.res.flags = KTLSO_HS_RESUMED;
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_TRUE(self->in.resumed);
	fake.res.flags = ~(uint32_t)KTLSO_HS_RESUMED;
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_FALSE(self->in.resumed);
}

/*
 * resumed lives in what was the tail padding of struct ktlso_info: the
 * struct an application built against the first header allocated holds
 * it, and nothing before it moved.
 */
TEST(info_layout_unchanged)
{
	EXPECT_EQ(568u, sizeof(struct ktlso_info));
	EXPECT_EQ(546u, offsetof(struct ktlso_info, ulp));
	EXPECT_LT(offsetof(struct ktlso_info, resumed),
		  offsetof(struct ktlso_info, ulp) + KTLSO_INFO_ULP_LEN + 8);
	EXPECT_GE(offsetof(struct ktlso_info, resumed),
		  offsetof(struct ktlso_info, ulp) + KTLSO_INFO_ULP_LEN);
}

TEST_F(info, handshake_failed)
{
	strcpy(fake.ulp, "ktlso");
	fake.res.state = KTLSO_HS_FAILED;
	fake.res.error = EACCES;
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_EQ(KTLSO_STATE_FAILED, (int)self->in.state);
	EXPECT_EQ(EACCES, self->in.error);
	EXPECT_STREQ("peer verification failed", ktlso_strerror(self->in.error));
	EXPECT_EQ(0, self->in.version);
	EXPECT_STREQ("", self->in.version_name);
	EXPECT_STREQ("", self->in.cipher_name);
	EXPECT_STREQ("", self->in.alpn);
	EXPECT_FALSE(self->in.tx_keys);
	EXPECT_FALSE(self->in.rx_keys);
}

/* A kernel that leaves the strings unterminated: they end anyway. */
TEST_F(info, unterminated_strings)
{
	strcpy(fake.ulp, "ktlso");
	fake.res.state = KTLSO_HS_DONE;
	memset(fake.res.alpn, 'a', sizeof(fake.res.alpn));
	memset(fake.res.peer, 'p', sizeof(fake.res.peer));
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_EQ(sizeof(self->in.alpn) - 1, strlen(self->in.alpn));
	EXPECT_EQ(sizeof(self->in.peer) - 1, strlen(self->in.peer));
}

/* Keys from ktlso_set_keys(): no handshake, the keys tell what runs. */
TEST_F(info, own_keys)
{
	struct tls12_crypto_info_chacha20_poly1305 k;

	memset(&k, 0, sizeof(k));
	k.info.version = TLS_1_2_VERSION;
	k.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
	ASSERT_EQ(0, ktlso_set_keys(FAKE_FD, &k.info, sizeof(k), NULL, 0));
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_EQ(KTLSO_STATE_NONE, (int)self->in.state);
	EXPECT_EQ(0x0303, self->in.version);
	EXPECT_STREQ("TLS 1.2", self->in.version_name);
	EXPECT_STREQ("CHACHA20-POLY1305", self->in.cipher_name);
	EXPECT_TRUE(self->in.tx_keys);
	EXPECT_FALSE(self->in.rx_keys);
}

/* In-tree kTLS: no KTLSO_HANDSHAKE option, but keys and a ULP name. */
TEST_F(info, intree_tls)
{
	strcpy(fake.ulp, "tls");
	fake.have_rx = true;
	fake.rx.version = TLS_1_3_VERSION;
	fake.rx.cipher_type = TLS_CIPHER_AES_GCM_256;
	ASSERT_EQ(0, ktlso_get_info(FAKE_FD, &self->in));
	EXPECT_STREQ("tls", self->in.ulp);
	EXPECT_EQ(KTLSO_STATE_NONE, (int)self->in.state);
	EXPECT_STREQ("AES-256-GCM", self->in.cipher_name);
	EXPECT_FALSE(self->in.tx_keys);
	EXPECT_TRUE(self->in.rx_keys);
}

/* The host kernel's own sockets: plain TCP, then not a socket at all. */
TEST_F(info, real_sockets)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l, c, s, sv[2], direct;

	ktlso_lib_sys = &ktlso_lib_sys_libc;
	l = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(l, 0);
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&a, &len));
	c = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, len));
	s = accept(l, NULL, NULL);
	ASSERT_GE(s, 0);

	ASSERT_EQ(0, ktlso_get_info(c, &self->in));
	EXPECT_EQ(KTLSO_STATE_NONE, (int)self->in.state);
	EXPECT_STREQ("", self->in.ulp);
	EXPECT_FALSE(self->in.tx_keys);
	EXPECT_FALSE(self->in.rx_keys);
	EXPECT_STREQ("", self->in.version_name);
	EXPECT_STREQ("", self->in.cipher_name);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_NE(0, getsockopt(sv[0], SOL_TCP, TCP_ULP, &a, &len));
	direct = errno;
	EXPECT_EQ(-direct, ktlso_get_info(sv[0], &self->in));
	EXPECT_EQ(-EBADF, ktlso_get_info(-1, &self->in));
	close(sv[0]);
	close(sv[1]);
	close(c);
	close(s);
	close(l);
}

TEST_F(info, alerts_through_the_fake)
{
	ASSERT_EQ(0, ktlso_send_alert(FAKE_FD, KTLSO_LEVEL_FATAL, 40));
	EXPECT_EQ(21, fake.sent_type);
	ASSERT_EQ(2U, fake.sent_len);
	EXPECT_EQ(2, fake.sent[0]);
	EXPECT_EQ(40, fake.sent[1]);
	EXPECT_TRUE(fake.sent_flags & MSG_NOSIGNAL);

	ASSERT_EQ(0, ktlso_close_notify(FAKE_FD));
	EXPECT_EQ(21, fake.sent_type);
	ASSERT_EQ(2U, fake.sent_len);
	EXPECT_EQ(1, fake.sent[0]);
	EXPECT_EQ(0, fake.sent[1]);

	fake.sent_len = 99;
	EXPECT_EQ(-EINVAL, ktlso_send_alert(FAKE_FD, 0, 0));
	EXPECT_EQ(-EINVAL, ktlso_send_alert(FAKE_FD, 3, 0));
	EXPECT_EQ(-EINVAL, ktlso_send_alert(FAKE_FD, 1, -1));
	EXPECT_EQ(-EINVAL, ktlso_send_alert(FAKE_FD, 1, 256));
	EXPECT_EQ(99U, fake.sent_len);
	ASSERT_EQ(0, ktlso_send_alert(FAKE_FD, KTLSO_LEVEL_WARNING, 255));
	EXPECT_EQ(255, fake.sent[1]);
}

/* A real socket carries the two alert bytes; a closed peer is -EPIPE. */
TEST_F(info, alerts_through_a_socketpair)
{
	uint8_t buf[8];
	int sv[2];

	ktlso_lib_sys = &ktlso_lib_sys_libc;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, ktlso_close_notify(sv[0]));
	ASSERT_EQ(2, read(sv[1], buf, sizeof(buf)));
	EXPECT_EQ(1, buf[0]);
	EXPECT_EQ(0, buf[1]);
	close(sv[1]);
	/* No SIGPIPE kills the test here. */
	EXPECT_EQ(-EPIPE, ktlso_send_alert(sv[0], KTLSO_LEVEL_FATAL, 80));
	close(sv[0]);
	EXPECT_EQ(-EBADF, ktlso_close_notify(sv[0]));
}

TEST_HARNESS_MAIN
