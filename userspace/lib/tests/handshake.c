// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso's handshake calls against a fake kernel (fake_kernel.h): ULP
 * attach (fresh, already ktlso, another ULP, no module), the request's
 * errors, the wait loop through pending and running to done or failed,
 * the errno of every failure, EINTR, a closed descriptor, spurious
 * wakeups and the caller's timeout; then the same error paths on real
 * sockets of the host kernel, which has no ktlso: a socketpair and a
 * loopback TCP connection.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "fake_kernel.h"

static const struct ktlso_params server = { .role = KTLSO_SERVER };

FIXTURE(hs) {
	int unused;
};

FIXTURE_SETUP(hs)
{
	fake_install();
}

FIXTURE_TEARDOWN(hs)
{
}

TEST_F(hs, attaches_then_requests)
{
	static const char *const alpn[] = { "http/1.1", NULL };
	struct ktlso_params p = {
		.role = KTLSO_CLIENT,
		.server_name = "example.org",
		.alpn = alpn,
		.timeout_ms = 1234,
	};

	ASSERT_EQ(0, ktlso_handshake_start(FAKE_FD, &p));
	ASSERT_EQ(2, fake.n_set);
	EXPECT_EQ(SOL_TCP, fake.set[0].level);
	EXPECT_EQ(TCP_ULP, fake.set[0].name);
	EXPECT_STREQ("ktlso", fake.ulp);
	EXPECT_EQ(SOL_TLS, fake.set[1].level);
	EXPECT_EQ(KTLSO_HANDSHAKE, fake.set[1].name);
	EXPECT_EQ(sizeof(struct ktlso_hs_request), fake.set[1].len);
	EXPECT_EQ(KTLSO_HS_ROLE_CLIENT, fake.req.role);
	EXPECT_EQ(1234U, fake.req.timeout_ms);
	EXPECT_STREQ("example.org", fake.req.server_name);
	EXPECT_EQ(9U, fake.req.alpn_len);
	EXPECT_EQ(-EINPROGRESS, ktlso_handshake_poll(FAKE_FD));
	fake.res.state = KTLSO_HS_RUNNING;
	EXPECT_EQ(-EINPROGRESS, ktlso_handshake_poll(FAKE_FD));
	fake.res.state = KTLSO_HS_DONE;
	EXPECT_EQ(0, ktlso_handshake_poll(FAKE_FD));
}

TEST_F(hs, ktlso_already_attached)
{
	strcpy(fake.ulp, "ktlso");
	EXPECT_EQ(0, ktlso_attach_ulp(FAKE_FD));
	EXPECT_EQ(0, ktlso_handshake_start(FAKE_FD, &server));
	EXPECT_EQ(KTLSO_HS_ROLE_SERVER, fake.req.role);
}

TEST_F(hs, other_ulp_attached)
{
	strcpy(fake.ulp, "tls");
	EXPECT_EQ(-EEXIST, ktlso_attach_ulp(FAKE_FD));
	EXPECT_EQ(-EEXIST, ktlso_handshake(FAKE_FD, &server));
	/* The TCP_ULP attempt only: no request went out. */
	EXPECT_EQ(2, fake.n_set);
	EXPECT_EQ(TCP_ULP, fake.set[1].name);
}

TEST_F(hs, attach_errors_pass_through)
{
	static const int errs[] = { ENOENT, ENOTCONN, EOPNOTSUPP, ENOPROTOOPT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errs); i++) {
		fake.attach_err = errs[i];
		fake.n_set = 0;
		EXPECT_EQ(-errs[i], ktlso_handshake(FAKE_FD, &server));
		EXPECT_EQ(1, fake.n_set);
	}
}

TEST_F(hs, request_errors_pass_through)
{
	static const int errs[] = { ESRCH, EBUSY, EALREADY, EISCONN, ENOTCONN };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errs); i++) {
		fake.request_err = errs[i];
		EXPECT_EQ(-errs[i], ktlso_handshake(FAKE_FD, &server));
		/* A refused request never waits. */
		EXPECT_EQ(0, fake.n_polls);
	}
}

/* Pending, running, then done on the third poll(): 0. */
TEST_F(hs, blocking_waits_until_done)
{
	fake_end_after(3, KTLSO_HS_DONE, 0);
	fake.res.state = KTLSO_HS_NONE;
	ASSERT_EQ(0, ktlso_handshake(FAKE_FD, &server));
	EXPECT_EQ(3, fake.n_polls);
	EXPECT_LE(fake.max_poll_timeout, 1000);
	EXPECT_GT(fake.max_poll_timeout, 0);
}

/* Each failure comes back as its own errno. */
TEST_F(hs, blocking_returns_the_handshake_error)
{
	static const int errs[] = {
		ETIMEDOUT, EACCES, ECONNABORTED, ECONNREFUSED, EPROTO, EIO,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errs); i++) {
		fake_install();
		fake_end_after(2, KTLSO_HS_FAILED, errs[i]);
		fake.end_revents = POLLERR | POLLIN | POLLOUT;
		EXPECT_EQ(-errs[i], ktlso_handshake(FAKE_FD, &server));
		EXPECT_EQ(2, fake.n_polls);
	}
}

/* A failed state without an errno, or an unknown state: -EPROTO. */
TEST_F(hs, inconsistent_kernel_answers)
{
	strcpy(fake.ulp, "ktlso");
	fake.res.state = KTLSO_HS_FAILED;
	fake.res.error = 0;
	EXPECT_EQ(-EPROTO, ktlso_handshake_poll(FAKE_FD));
	fake.res.error = 5000;
	EXPECT_EQ(-EPROTO, ktlso_handshake_poll(FAKE_FD));
	fake.res.state = 17;
	EXPECT_EQ(-EPROTO, ktlso_handshake_poll(FAKE_FD));
	/* A result of another size than the uAPI's. */
	fake.res.state = KTLSO_HS_DONE;
	fake.result_len = sizeof(struct ktlso_hs_result) - 4;
	EXPECT_EQ(-EPROTO, ktlso_handshake_poll(FAKE_FD));
}

TEST_F(hs, poll_without_request)
{
	EXPECT_EQ(-EOPNOTSUPP, ktlso_handshake_poll(FAKE_FD));
	strcpy(fake.ulp, "ktlso");
	EXPECT_EQ(-EINVAL, ktlso_handshake_poll(FAKE_FD));
	strcpy(fake.ulp, "tls");
	EXPECT_EQ(-ENOPROTOOPT, ktlso_handshake_poll(FAKE_FD));
}

/* A signal: -EINTR, the handshake goes on, and waiting again ends it. */
TEST_F(hs, eintr_then_wait_again)
{
	fake.poll_err = EINTR;
	fake_end_after(2, KTLSO_HS_DONE, 0);
	EXPECT_EQ(-EINTR, ktlso_handshake(FAKE_FD, &server));
	EXPECT_EQ((__u32)KTLSO_HS_PENDING, fake.res.state);
	/* The request is not sent twice. */
	EXPECT_EQ(2, fake.n_set);
	EXPECT_EQ(0, ktlso_handshake_wait(FAKE_FD, -1));
	EXPECT_EQ(2, fake.n_polls);
	EXPECT_EQ(2, fake.n_set);
}

TEST_F(hs, closed_descriptor)
{
	fake.end_after = 1;
	fake.end_state = KTLSO_HS_RUNNING;
	fake.end_revents = POLLNVAL;
	ASSERT_EQ(0, ktlso_handshake_start(FAKE_FD, &server));
	EXPECT_EQ(-EBADF, ktlso_handshake_wait(FAKE_FD, -1));
}

/* The caller's timeout passes first: -EINPROGRESS, near the time asked. */
TEST_F(hs, wait_times_out)
{
	int64_t t0;

	ASSERT_EQ(0, ktlso_handshake_start(FAKE_FD, &server));
	t0 = test_now_ms();
	EXPECT_EQ(-EINPROGRESS, ktlso_handshake_wait(FAKE_FD, 150));
	EXPECT_GE(test_now_ms() - t0, 150);
	EXPECT_LT(test_now_ms() - t0, 1000);
	EXPECT_LE(fake.max_poll_timeout, 150);
	/* A zero timeout looks once and never polls. */
	fake.n_polls = 0;
	EXPECT_EQ(-EINPROGRESS, ktlso_handshake_wait(FAKE_FD, 0));
	EXPECT_EQ(0, fake.n_polls);
	fake.res.state = KTLSO_HS_DONE;
	EXPECT_EQ(0, ktlso_handshake_wait(FAKE_FD, 0));
}

/*
 * poll() that keeps saying "ready" while the handshake runs: no busy loop
 * (a pause after each such answer), and the end is still seen.
 */
TEST_F(hs, spurious_wakeups_do_not_spin)
{
	ASSERT_EQ(0, ktlso_handshake_start(FAKE_FD, &server));
	fake.always_ready = true;
	EXPECT_EQ(-EINPROGRESS, ktlso_handshake_wait(FAKE_FD, 300));
	/* 300 ms with a 10 ms pause per round: some 30 polls, not 10^5. */
	EXPECT_LT(fake.n_polls, 60);
	EXPECT_GT(fake.n_polls, 5);
	fake_end_after(fake.n_polls + 3, KTLSO_HS_DONE, 0);
	EXPECT_EQ(0, ktlso_handshake_wait(FAKE_FD, 2000));
}

/* --- the host kernel's own sockets (no ktlso there) -------------------- */

static bool host_has_ktlso(void)
{
	return access("/sys/module/ktlso", F_OK) == 0;
}

static int tcp_pair(int *c, int *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, len) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return -1;
	*c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&a, len))
		return -1;
	*s = accept(l, NULL, NULL);
	close(l);
	return *s < 0 ? -1 : 0;
}

/* A socket that is not TCP: the kernel's refusal, as it gives it. */
TEST(real_socketpair_is_refused)
{
	int sv[2], direct;

	ktlso_lib_sys = &ktlso_lib_sys_libc;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_NE(0, setsockopt(sv[0], SOL_TCP, TCP_ULP, "ktlso", 6));
	direct = errno;
	EXPECT_TRUE(direct == EOPNOTSUPP || direct == ENOPROTOOPT);
	EXPECT_EQ(-direct, ktlso_attach_ulp(sv[0]));
	EXPECT_EQ(-direct, ktlso_handshake(sv[0], &server));
	EXPECT_EQ(-direct, ktlso_handshake_start(sv[0], &server));
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_handshake_poll(sv[0])));
	close(sv[0]);
	close(sv[1]);
}

TEST(real_bad_descriptors)
{
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ENOTSOCK, ktlso_handshake(fd, &server));
	EXPECT_EQ(-ENOTSOCK, ktlso_handshake_poll(fd));
	close(fd);
	EXPECT_EQ(-EBADF, ktlso_handshake(fd, &server));
	EXPECT_EQ(-EBADF, ktlso_handshake_wait(fd, 10));
}

/* A loopback TCP connection on a kernel without ktlso: -ENOENT. */
TEST(real_tcp_without_module)
{
	int c, s;

	if (host_has_ktlso())
		SKIP(return, "ktlso is loaded here");
	ASSERT_EQ(0, tcp_pair(&c, &s));
	EXPECT_EQ(-ENOENT, ktlso_attach_ulp(c));
	EXPECT_EQ(-ENOENT, ktlso_handshake(c, &server));
	/* Still plain TCP afterwards. */
	EXPECT_TRUE(ktlso_lib_no_ulp(-ktlso_handshake_poll(c)));
	EXPECT_EQ(3, write(c, "abc", 3));
	close(c);
	close(s);
}

TEST_HARNESS_MAIN
