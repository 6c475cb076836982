// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching the ktlso ULP: which sockets accept it, that data passes through
 * unchanged until keys are set, and that SOL_TLS options it cannot honour
 * are refused.  Transmit keys and records are tls_tx.c's.
 */

#include <linux/tls.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

#include "kselftest_harness.h"
#include "ktlso_test.h"

FIXTURE(conn)
{
	int cfd;
	int sfd;
};

FIXTURE_VARIANT(conn)
{
	int family;
};

FIXTURE_VARIANT_ADD(conn, ipv4)
{
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(conn, ipv6)
{
	.family = AF_INET6,
};

FIXTURE_SETUP(conn)
{
	ASSERT_EQ(0, ktlso_tcp_pair(variant->family, &self->cfd, &self->sfd));
}

FIXTURE_TEARDOWN(conn)
{
	close(self->cfd);
	close(self->sfd);
}

TEST_F(conn, attach_reports_name)
{
	char name[16] = "";
	socklen_t len = sizeof(name);

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	ASSERT_EQ(0, getsockopt(self->cfd, SOL_TCP, TCP_ULP, name, &len));
	EXPECT_STREQ(KTLSO_ULP_NAME, name);
}

TEST_F(conn, attach_twice_is_eexist)
{
	ASSERT_EQ(0, ktlso_attach(self->cfd));
	EXPECT_EQ(-EEXIST, ktlso_attach(self->cfd));
}

TEST_F(conn, attach_over_other_ulp_is_eexist)
{
	/* In-tree kTLS is autoloaded; a socket carries one ULP at most. */
	if (setsockopt(self->cfd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")))
		SKIP(return, "in-tree tls ULP unavailable: %s", strerror(errno));
	EXPECT_EQ(-EEXIST, ktlso_attach(self->cfd));
}

/* Move @len bytes from @from to @to in chunks and compare them. */
static int pass_bytes(struct __test_metadata *_metadata, int from, int to,
		      size_t len, unsigned int seed)
{
	char *out = malloc(len), *in = malloc(len);
	size_t done = 0;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	ktlso_fill(out, len, seed);
	while (done < len) {
		size_t n = len - done < 65536 ? len - done : 65536;

		ASSERT_EQ(0, ktlso_write_all(from, out + done, n));
		ASSERT_EQ(0, ktlso_read_all(to, in + done, n));
		done += n;
	}
	EXPECT_EQ(0, memcmp(out, in, len));
	free(out);
	free(in);
	return 0;
}

TEST_F(conn, passthrough_one_side)
{
	/* Only the client has ktlso: the plain peer must see the same bytes. */
	ASSERT_EQ(0, ktlso_attach(self->cfd));
	pass_bytes(_metadata, self->cfd, self->sfd, 1 << 20, 1);
	pass_bytes(_metadata, self->sfd, self->cfd, 1 << 20, 2);
}

TEST_F(conn, passthrough_both_sides)
{
	static const size_t sizes[] = { 1, 2, 100, 4095, 16384, 16385, 300000 };
	unsigned int i;

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	ASSERT_EQ(0, ktlso_attach(self->sfd));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pass_bytes(_metadata, self->cfd, self->sfd, sizes[i], i);
		pass_bytes(_metadata, self->sfd, self->cfd, sizes[i], i + 100);
	}
}

TEST_F(conn, passthrough_sendfile)
{
	size_t len = 256 * 1024;
	char *out = malloc(len), *in = malloc(len);
	off_t off = 0;
	int mfd;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, ktlso_attach(self->cfd));
	mfd = memfd_create("ktlso-sendfile", 0);
	ASSERT_GE(mfd, 0);
	ktlso_fill(out, len, 7);
	ASSERT_EQ(0, ktlso_write_all(mfd, out, len));
	while ((size_t)off < len) {
		ssize_t n = sendfile(self->cfd, mfd, &off, len - off);

		ASSERT_GT(n, 0);
	}
	ASSERT_EQ(0, ktlso_read_all(self->sfd, in, len));
	EXPECT_EQ(0, memcmp(out, in, len));
	close(mfd);
	free(out);
	free(in);
}

TEST_F(conn, other_levels_still_reach_tcp)
{
	int one = 1, val = 0;
	socklen_t len = sizeof(val);

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	ASSERT_EQ(0, setsockopt(self->cfd, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(0, getsockopt(self->cfd, SOL_TCP, TCP_NODELAY, &val, &len));
	EXPECT_EQ(1, val);
	val = 0;
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->cfd, SOL_SOCKET, SO_TYPE, &val, &len));
	EXPECT_EQ(SOCK_STREAM, val);
	/* An unknown TCP option is still TCP's to refuse. */
	EXPECT_EQ(-1, setsockopt(self->cfd, SOL_TCP, 9999, &one, sizeof(one)));
	EXPECT_EQ(ENOPROTOOPT, errno);
}

TEST_F(conn, unknown_tls_options_refused)
{
	static const int opts[] = { 0, 5, 99, -1 };
	unsigned char buf[64];
	socklen_t len;
	unsigned int i;
	int one = 1;

	/* SOL_TLS options ktlso does not define: ENOPROTOOPT both ways. */
	ASSERT_EQ(0, ktlso_attach(self->cfd));
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, setsockopt(self->cfd, SOL_TLS, opts[i], &one,
					 sizeof(one)));
		EXPECT_EQ(ENOPROTOOPT, errno);
		len = sizeof(buf);
		errno = 0;
		EXPECT_EQ(-1, getsockopt(self->cfd, SOL_TLS, opts[i], buf, &len));
		EXPECT_EQ(ENOPROTOOPT, errno);
	}
	/* Refusing them must not have disturbed the connection. */
	pass_bytes(_metadata, self->cfd, self->sfd, 4096, 3);
}

TEST_F(conn, rx_keys_unset_is_ebusy)
{
	unsigned char buf[sizeof(struct tls12_crypto_info_aes_gcm_128)];
	socklen_t len = sizeof(buf);

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	EXPECT_EQ(-1, getsockopt(self->cfd, SOL_TLS, TLS_RX, buf, &len));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(conn, tx_keys_unset_is_ebusy)
{
	unsigned char buf[sizeof(struct tls12_crypto_info_aes_gcm_128)];
	socklen_t len = sizeof(buf);

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	EXPECT_EQ(-1, getsockopt(self->cfd, SOL_TLS, TLS_TX, buf, &len));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(conn, disconnect_refused)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	EXPECT_EQ(-1, connect(self->cfd, &sa, sizeof(sa)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	pass_bytes(_metadata, self->cfd, self->sfd, 4096, 4);
}

TEST_F(conn, peer_close_seen_through_ulp)
{
	char c;

	ASSERT_EQ(0, ktlso_attach(self->cfd));
	ASSERT_EQ(0, shutdown(self->sfd, SHUT_WR));
	EXPECT_EQ(0, read(self->cfd, &c, 1));
}

FIXTURE(unconnected)
{
	int fd;
};

FIXTURE_VARIANT(unconnected)
{
	int family;
};

FIXTURE_VARIANT_ADD(unconnected, ipv4)
{
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(unconnected, ipv6)
{
	.family = AF_INET6,
};

FIXTURE_SETUP(unconnected)
{
	self->fd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(unconnected)
{
	close(self->fd);
}

TEST_F(unconnected, fresh_socket_is_enotconn)
{
	EXPECT_EQ(-ENOTCONN, ktlso_attach(self->fd));
}

TEST_F(unconnected, listening_socket_is_enotconn)
{
	ASSERT_EQ(0, listen(self->fd, 1));
	EXPECT_EQ(-ENOTCONN, ktlso_attach(self->fd));
}

TEST_F(unconnected, failed_attach_leaves_socket_usable)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int cfd, sfd;

	ASSERT_EQ(-ENOTCONN, ktlso_attach(self->fd));
	ASSERT_EQ(0, listen(self->fd, 1));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&ss, &len));
	cfd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, connect(cfd, (struct sockaddr *)&ss, len));
	sfd = accept(self->fd, NULL, NULL);
	ASSERT_GE(sfd, 0);
	EXPECT_EQ(0, ktlso_attach(sfd));
	close(cfd);
	close(sfd);
}

TEST(udp_socket_has_no_tcp_ulp)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ENOPROTOOPT, ktlso_attach(fd));
	close(fd);
}

TEST_HARNESS_MAIN
