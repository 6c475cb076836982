// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake upcall: KTLSO_HANDSHAKE requests, the "ktlso" generic
 * netlink family, and how the application's socket behaves before, during
 * and after a handshake.  A forked child plays the daemon: it takes the
 * request, talks plaintext with the peer over the installed descriptor,
 * installs keys and reports; the peer end then talks TLS records with the
 * application through the record layer, post-handshake messages included.
 */

#include <linux/tls.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ktlso_daemon.h"
#include "ktlso_genl.h"
#include "ktlso_test.h"

#define HELLO		"HELLO"		/* daemon -> peer, in plaintext */
#define WORLD		"WORLD"		/* peer -> daemon, in plaintext */
#define PARAM_MAX_PENDING "/sys/module/ktlso/parameters/hs_max_pending"

/* What the daemon child does with the request it takes. */
enum script {
	D_COMPLETE,		/* HELLO/WORLD, keys, HS_DONE success */
	D_FAIL,			/* HS_DONE with EACCES */
	D_HANG,			/* take the request, never finish */
	D_IDLE,			/* subscribe, never take a request */
	D_DIE,			/* take the request, then exit */
	D_NO_KEYS,		/* HS_DONE success without keys */
	D_WRONG_CIPHER,		/* keys installed, HS_DONE names another cipher */
	D_CHILD_DONE,		/* a forked process sends HS_DONE */
	D_KERNEL_ERRNO,		/* HS_DONE with ERESTARTSYS, then EACCES */
};

/* What the daemon child saw, sent back over a pipe. */
struct report {
	int accept_err;
	int done_err;
	int second_done_err;
	struct ktlso_nl_accepted acc;
	int peer_port;
};

static const struct tls12_crypto_info_aes_gcm_128 key_a = {
	.info = { .version = TLS_1_3_VERSION,
		  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.iv = { 1, 2, 3, 4, 5, 6, 7, 8 },
	.key = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf },
	.salt = { 9, 10, 11, 12 },
};

static const struct tls12_crypto_info_aes_gcm_128 key_b = {
	.info = { .version = TLS_1_3_VERSION,
		  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.iv = { 8, 7, 6, 5, 4, 3, 2, 1 },
	.key = { 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
		 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf },
	.salt = { 12, 11, 10, 9 },
};

static int set_keys(int fd, const void *tx, const void *rx)
{
	if (setsockopt(fd, SOL_TLS, TLS_TX, tx, sizeof(key_a)) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, rx, sizeof(key_a)))
		return -errno;
	return 0;
}

static void daemon_run(enum script script, int ready, int out)
{
	struct report rep = { 0 };
	struct ktlso_nl nl;
	char buf[sizeof(WORLD) - 1];
	int fd;

	if (ktlso_nl_open(&nl, true))
		_exit(2);
	if (write(ready, "r", 1) != 1)
		_exit(2);
	if (script == D_IDLE) {
		pause();
		_exit(0);
	}
	if (!ktlso_nl_wait_ready(&nl, 5000))
		_exit(3);
	rep.accept_err = ktlso_nl_accept(&nl, &rep.acc);
	fd = rep.acc.fd;
	if (rep.accept_err)
		goto out;
	if (script == D_DIE)
		_exit(0);	/* everything closes, netlink socket too */
	if (script == D_HANG) {
		/* Until the kernel resets the connection at the timeout. */
		rep.done_err = read(fd, buf, sizeof(buf)) < 0 ? -errno : 0;
		rep.second_done_err = ktlso_nl_done(&nl, fd, 0, TLS_1_3_VERSION,
						    TLS_CIPHER_AES_GCM_128,
						    NULL, NULL);
		goto out;
	}
	if (ktlso_write_all(fd, HELLO, sizeof(HELLO) - 1) ||
	    ktlso_read_all(fd, buf, sizeof(buf)) ||
	    memcmp(buf, WORLD, sizeof(buf)))
		_exit(4);
	switch (script) {
	case D_FAIL:
		rep.done_err = ktlso_nl_done(&nl, fd, EACCES, 0, 0, NULL, NULL);
		break;
	case D_KERNEL_ERRNO:
		rep.done_err = ktlso_nl_done(&nl, fd, 512 /* ERESTARTSYS */,
					     0, 0, NULL, NULL);
		rep.second_done_err = ktlso_nl_done(&nl, fd, EACCES, 0, 0,
						    NULL, NULL);
		break;
	case D_NO_KEYS:
		rep.done_err = ktlso_nl_done(&nl, fd, 0, TLS_1_3_VERSION,
					     TLS_CIPHER_AES_GCM_128, NULL, NULL);
		break;
	case D_CHILD_DONE: {
		pid_t pid = fork();

		if (pid == 0) {
			struct ktlso_nl nl2;
			int err = ktlso_nl_open(&nl2, false);

			if (!err)
				err = ktlso_nl_done(&nl2, fd, EACCES, 0, 0,
						    NULL, NULL);
			_exit(err == -EPERM ? 0 : 1);
		}
		{
			int status = -1;

			waitpid(pid, &status, 0);
			rep.done_err = WIFEXITED(status) ?
				       WEXITSTATUS(status) : 128;
		}
		rep.second_done_err = ktlso_nl_done(&nl, fd, ECONNREFUSED, 0, 0,
						    NULL, NULL);
		break;
	}
	default:
		rep.done_err = set_keys(fd, &key_a, &key_b);
		if (rep.done_err)
			break;
		rep.done_err = ktlso_nl_done(&nl, fd, 0, TLS_1_3_VERSION,
					     script == D_WRONG_CIPHER ?
					     TLS_CIPHER_AES_GCM_256 :
					     TLS_CIPHER_AES_GCM_128,
					     "h2", "CN=peer.example");
		/* Finishing twice is refused. */
		rep.second_done_err = ktlso_nl_done(&nl, fd, 0,
						    TLS_1_3_VERSION,
						    TLS_CIPHER_AES_GCM_128,
						    NULL, NULL);
		break;
	}
out:
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(5);
	ktlso_nl_close(&nl);
	_exit(0);
}

/* The script's body for ktlso_daemon_start(). */
static void daemon_body(void *arg, int ready, int out)
{
	daemon_run(*(enum script *)arg, ready, out);
}

static int daemon_start(struct ktlso_daemon *d, enum script script)
{
	return ktlso_daemon_start(d, daemon_body, &script);
}

static int daemon_finish(struct ktlso_daemon *d, struct report *rep)
{
	return ktlso_daemon_finish(d, rep, sizeof(*rep));
}

static struct ktlso_hs_request client_req(uint32_t timeout_ms)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_CLIENT,
		.timeout_ms = timeout_ms,
		.server_name = "peer.example",
		.profile = "web",
		.alpn = { 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.',
			  '1' },
		.alpn_len = 12,
	};
	return req;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int write_param(const char *path, unsigned int v)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = fprintf(f, "%u\n", v) < 0;
	return fclose(f) || err ? -EIO : 0;
}

static int read_param(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

FIXTURE(hs) {
	int app, peer;
	struct ktlso_daemon d;
};

FIXTURE_SETUP(hs)
{
	struct timeval tv = { .tv_sec = 10 };

	memset(&self->d, 0, sizeof(self->d));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->app, &self->peer));
	ASSERT_EQ(0, ktlso_attach(self->app));
	/* Nothing here may hang the run. */
	setsockopt(self->app, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(self->app, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(self->peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

FIXTURE_TEARDOWN(hs)
{
	ktlso_daemon_kill(&self->d);
	ktlso_close_now(self->app);
	ktlso_close_now(self->peer);
}

/*
 * Start a daemon child running @script, make request @req, and play the
 * peer's part of the plaintext exchange: HELLO in, WORLD out.
 */
static void handshake_talk(struct __test_metadata *_metadata,
			   FIXTURE_DATA(hs) *self, enum script script,
			   const struct ktlso_hs_request *req)
{
	char buf[sizeof(HELLO) - 1];

	ASSERT_EQ(0, daemon_start(&self->d, script));
	ASSERT_EQ(0, ktlso_request_handshake(self->app, req));
	ASSERT_EQ(0, ktlso_read_all(self->peer, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, HELLO, sizeof(buf)));
	ASSERT_EQ(0, ktlso_write_all(self->peer, WORLD, sizeof(WORLD) - 1));
}

/* With nobody listening, a request fails at once and leaves no trace. */
TEST_F(hs, no_daemon)
{
	struct ktlso_hs_request req = client_req(1000);
	struct ktlso_hs_result res;
	char c = 'x';

	ASSERT_EQ(-ESRCH, ktlso_request_handshake(self->app, &req));
	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_NONE, (int)res.state);
	EXPECT_EQ(0, (int)res.error);
	/* The socket is as before: plain TCP. */
	ASSERT_EQ(1, write(self->app, &c, 1));
	ASSERT_EQ(1, read(self->peer, &c, 1));
}

/* Malformed requests are refused before anything else is looked at. */
TEST_F(hs, bad_requests)
{
	struct ktlso_hs_request req;
	struct ktlso_hs_result res;
	socklen_t len;

	req = client_req(0);
	ASSERT_EQ(-1, setsockopt(self->app, SOL_TLS, KTLSO_HANDSHAKE, &req,
				 sizeof(req) - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, setsockopt(self->app, SOL_TLS, KTLSO_HANDSHAKE, NULL,
				 sizeof(req)));
	EXPECT_EQ(EINVAL, errno);

	req = client_req(0);
	req.role = 3;
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	req.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(KTLSO_HS_TIMEOUT_MAX_MS + 1);
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	memset(req.server_name, 'a', sizeof(req.server_name));
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	memset(req.profile, 'a', sizeof(req.profile));
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	strcpy(req.profile, "../etc");
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	req.role = KTLSO_HS_ROLE_SERVER;	/* a server names nobody */
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	req.alpn[0] = 3;			/* runs into the next entry */
	req.alpn_len = 3;
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	req.alpn[0] = 0;			/* an empty name */
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));
	req = client_req(0);
	req.alpn_len = KTLSO_HS_ALPN_MAX + 1;
	EXPECT_EQ(-EINVAL, ktlso_request_handshake(self->app, &req));

	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_NONE, (int)res.state);
	/* getsockopt wants exactly the struct. */
	len = sizeof(res) - 1;
	ASSERT_EQ(-1, getsockopt(self->app, SOL_TLS, KTLSO_HANDSHAKE, &res,
				 &len));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * The whole path: the daemon talks plaintext with the peer through its
 * descriptor while the application is held back, installs keys, reports;
 * the application then exchanges records with the peer.
 */
TEST_F(hs, complete)
{
	struct ktlso_hs_request req = client_req(20000);
	struct tls12_crypto_info_aes_gcm_128 info;
	struct sockaddr_in app_addr;
	socklen_t len = sizeof(app_addr);
	struct ktlso_hs_result res;
	struct pollfd p = { .fd = self->app, .events = POLLIN | POLLOUT };
	struct report rep;
	char buf[64];

	ASSERT_EQ(0, getsockname(self->app, (struct sockaddr *)&app_addr,
				 &len));
	ASSERT_EQ(0, daemon_start(&self->d, D_COMPLETE));
	ASSERT_EQ(0, ktlso_request_handshake(self->app, &req));
	/* Only one request per socket. */
	EXPECT_EQ(-EALREADY, ktlso_request_handshake(self->app, &req));

	/* The daemon speaks first, through its own descriptor. */
	ASSERT_EQ(0, ktlso_read_all(self->peer, buf, sizeof(HELLO) - 1));
	ASSERT_EQ(0, memcmp(buf, HELLO, sizeof(HELLO) - 1));

	/* Meanwhile the application is held back, and cannot touch keys. */
	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_RUNNING, (int)res.state);
	EXPECT_EQ(-1, recv(self->app, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, send(self->app, "x", 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, poll(&p, 1, 100));
	EXPECT_EQ(-1, setsockopt(self->app, SOL_TLS, TLS_TX, &key_a,
				 sizeof(key_a)));
	EXPECT_EQ(EBUSY, errno);
	len = sizeof(info);
	EXPECT_EQ(-1, getsockopt(self->app, SOL_TLS, TLS_TX, &info, &len));
	EXPECT_EQ(EBUSY, errno);

	/* The peer answers; it then switches to records itself. */
	ASSERT_EQ(0, ktlso_write_all(self->peer, WORLD, sizeof(WORLD) - 1));
	ASSERT_EQ(0, ktlso_attach(self->peer));
	ASSERT_EQ(0, set_keys(self->peer, &key_b, &key_a));
	ASSERT_EQ(0, ktlso_write_all(self->peer, "from peer", 9));

	/* A blocking read waits for the end, then gets the record's data. */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, ktlso_read_all(self->app, buf, 9));
	EXPECT_STREQ("from peer", buf);
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLOUT);
	ASSERT_EQ(0, ktlso_write_all(self->app, "from app", 8));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, ktlso_read_all(self->peer, buf, 8));
	EXPECT_STREQ("from app", buf);

	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_DONE, (int)res.state);
	EXPECT_EQ(0, (int)res.error);
	EXPECT_EQ(TLS_1_3_VERSION, res.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, res.cipher);
	EXPECT_STREQ("h2", res.alpn);
	EXPECT_STREQ("CN=peer.example", res.peer);

	/* The daemon's keys: version and cipher only, whatever the length. */
	memset(&info, 0x5a, sizeof(info));
	len = sizeof(info);
	ASSERT_EQ(0, getsockopt(self->app, SOL_TLS, TLS_TX, &info, &len));
	EXPECT_EQ(sizeof(struct tls_crypto_info), len);
	EXPECT_EQ(TLS_1_3_VERSION, info.info.version);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, info.info.cipher_type);
	EXPECT_EQ(0x5a, info.key[0]);
	len = sizeof(info);
	ASSERT_EQ(0, getsockopt(self->app, SOL_TLS, TLS_RX, &info, &len));
	EXPECT_EQ(sizeof(struct tls_crypto_info), len);
	/* And no new request on a socket with keys. */
	EXPECT_EQ(-EALREADY, ktlso_request_handshake(self->app, &req));

	/* What the daemon was told, and what it was refused. */
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(0, rep.accept_err);
	EXPECT_EQ(0, rep.done_err);
	EXPECT_EQ(-ENOENT, rep.second_done_err);
	EXPECT_EQ(KTLSO_HS_ROLE_CLIENT, rep.acc.role);
	EXPECT_STREQ("peer.example", rep.acc.server_name);
	EXPECT_STREQ("web", rep.acc.profile);
	EXPECT_EQ((int)req.alpn_len, rep.acc.alpn_len);
	EXPECT_EQ(0, memcmp(req.alpn, rep.acc.alpn, req.alpn_len));
	EXPECT_TRUE(rep.acc.timeout_ms > 0 && rep.acc.timeout_ms <= 20000);
	EXPECT_EQ((int)sizeof(struct sockaddr_in), rep.acc.peer_len);
	EXPECT_EQ(AF_INET, rep.acc.peer.ss_family);
}

/* A daemon's failure reaches every call of the application. */
TEST_F(hs, daemon_reports_failure)
{
	struct ktlso_hs_request req = client_req(20000);
	struct ktlso_hs_result res;
	struct report rep;
	char buf[8];

	handshake_talk(_metadata, self, D_FAIL, &req);
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, send(self->app, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_FAILED, (int)res.state);
	EXPECT_EQ(EACCES, (int)res.error);
	EXPECT_EQ(0, res.version);
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(0, rep.done_err);
}

/*
 * Only errnos userspace knows may end a handshake: the kernel's internal
 * ones (ERESTARTSYS, EIOCBQUEUED, ...) would reach the application.
 */
TEST_F(hs, done_kernel_errno)
{
	struct ktlso_hs_request req = client_req(20000);
	struct report rep;
	char buf[8];

	handshake_talk(_metadata, self, D_KERNEL_ERRNO, &req);
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(-ERANGE, rep.done_err);
	EXPECT_EQ(0, rep.second_done_err);
}

/* A success without the keys it claims is refused and fails the request. */
TEST_F(hs, success_without_keys)
{
	struct ktlso_hs_request req = client_req(20000);
	struct report rep;
	char buf[8];

	handshake_talk(_metadata, self, D_NO_KEYS, &req);
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(ECONNABORTED, errno);
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(-EINVAL, rep.done_err);
}

/* So is one whose keys are not the cipher it names. */
TEST_F(hs, success_wrong_cipher)
{
	struct ktlso_hs_request req = client_req(20000);
	struct report rep;
	char buf[8];

	handshake_talk(_metadata, self, D_WRONG_CIPHER, &req);
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(ECONNABORTED, errno);
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(-EINVAL, rep.done_err);
	EXPECT_EQ(-ENOENT, rep.second_done_err);
}

/* Only the process that took the request may finish it. */
TEST_F(hs, done_by_another_process)
{
	struct ktlso_hs_request req = client_req(20000);
	struct report rep;
	char buf[8];

	handshake_talk(_metadata, self, D_CHILD_DONE, &req);
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(ECONNREFUSED, errno);
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(0, rep.done_err);		/* the other got EPERM */
	EXPECT_EQ(0, rep.second_done_err);	/* the owner's HS_DONE */
}

/*
 * A daemon that takes a request and never finishes: the kernel's timer
 * fails it, resets the connection, and refuses the late report.
 */
TEST_F(hs, timeout_running)
{
	struct ktlso_hs_request req = client_req(400);
	struct ktlso_hs_result res;
	struct timespec t0;
	struct report rep;
	char buf[8];

	ASSERT_EQ(0, daemon_start(&self->d, D_HANG));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, ktlso_request_handshake(self->app, &req));
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_GE(elapsed_ms(&t0), 350);
	EXPECT_LT(elapsed_ms(&t0), 5000);
	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_FAILED, (int)res.state);
	EXPECT_EQ(ETIMEDOUT, (int)res.error);
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	EXPECT_EQ(0, rep.accept_err);
	EXPECT_NE(0, rep.done_err);		/* its read ended in error */
	EXPECT_EQ(-ENOENT, rep.second_done_err);
}

/* A request no daemon takes times out too. */
TEST_F(hs, timeout_pending)
{
	struct ktlso_hs_request req = client_req(300);
	struct pollfd p = { .fd = self->app, .events = POLLIN };
	struct timespec t0;
	char buf[8];

	ASSERT_EQ(0, daemon_start(&self->d, D_IDLE));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, ktlso_request_handshake(self->app, &req));
	/* poll wakes up at the end, with the error to collect. */
	ASSERT_EQ(1, poll(&p, 1, 5000));
	EXPECT_TRUE(p.revents & POLLERR);
	EXPECT_GE(elapsed_ms(&t0), 250);
	EXPECT_EQ(-1, recv(self->app, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ETIMEDOUT, errno);
}

/* A daemon that dies mid-handshake fails its requests at once. */
TEST_F(hs, daemon_dies)
{
	struct ktlso_hs_request req = client_req(20000);
	struct timespec t0;
	struct report rep;
	char buf[8];

	ASSERT_EQ(0, daemon_start(&self->d, D_DIE));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, ktlso_request_handshake(self->app, &req));
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(ECONNABORTED, errno);
	EXPECT_LT(elapsed_ms(&t0), 5000);
	EXPECT_EQ(0, daemon_finish(&self->d, &rep));
}

/* Closing the socket cancels a pending request: no daemon ever gets it. */
TEST_F(hs, close_cancels)
{
	struct ktlso_hs_request req = client_req(20000);
	struct ktlso_nl_accepted acc;
	struct ktlso_nl_status st;
	struct ktlso_nl nl;

	ASSERT_EQ(0, daemon_start(&self->d, D_IDLE));
	ASSERT_EQ(0, ktlso_request_handshake(self->app, &req));
	ASSERT_EQ(0, ktlso_nl_open(&nl, false));
	ASSERT_EQ(0, ktlso_nl_status(&nl, &st));
	EXPECT_EQ(1u, st.pending);
	EXPECT_EQ(1, st.listeners);
	close(self->app);
	self->app = -1;
	EXPECT_EQ(-ENOENT, ktlso_nl_accept(&nl, &acc));
	EXPECT_EQ(-1, acc.fd);
	ASSERT_EQ(0, ktlso_nl_status(&nl, &st));
	EXPECT_EQ(0u, st.pending);
	EXPECT_EQ(0u, st.running);
	ktlso_nl_close(&nl);
}

/* Over the bound on pending requests: EBUSY, and nothing queued. */
TEST_F(hs, pending_bound)
{
	struct ktlso_hs_request req = client_req(20000);
	int old = read_param(PARAM_MAX_PENDING);
	struct ktlso_nl_status st0, st;
	int extra[3], peers[3], i;
	struct ktlso_nl nl;

	ASSERT_GT(old, 0);
	ASSERT_EQ(0, daemon_start(&self->d, D_IDLE));
	ASSERT_EQ(0, ktlso_nl_open(&nl, false));
	ASSERT_EQ(0, ktlso_nl_status(&nl, &st0));
	ASSERT_EQ(0, write_param(PARAM_MAX_PENDING, 2));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &extra[i], &peers[i]));
		ASSERT_EQ(0, ktlso_attach(extra[i]));
	}
	EXPECT_EQ(0, ktlso_request_handshake(extra[0], &req));
	EXPECT_EQ(0, ktlso_request_handshake(extra[1], &req));
	EXPECT_EQ(-EBUSY, ktlso_request_handshake(extra[2], &req));
	ASSERT_EQ(0, ktlso_nl_status(&nl, &st));
	EXPECT_EQ(2u, st.pending);
	EXPECT_EQ(2u, st.max_pending);
	EXPECT_EQ(st0.refused + 1, st.refused);
	EXPECT_EQ(st0.requested + 2, st.requested);
	/* The refused socket is untouched and may ask again later. */
	ASSERT_EQ(0, write_param(PARAM_MAX_PENDING, old));
	EXPECT_EQ(0, ktlso_request_handshake(extra[2], &req));
	for (i = 0; i < 3; i++) {
		ktlso_close_now(extra[i]);
		ktlso_close_now(peers[i]);
	}
	ASSERT_EQ(0, ktlso_nl_status(&nl, &st));
	EXPECT_EQ(0u, st.pending);
	ktlso_nl_close(&nl);
}

/*
 * HS_ACCEPT, HS_DONE and the handshake group are for administrators;
 * STATUS is for anyone.
 */
TEST_F(hs, unprivileged)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct ktlso_nl_accepted acc;
		struct ktlso_nl_status st;
		struct ktlso_nl nl;
		int grp;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (ktlso_nl_open(&nl, false))
			_exit(11);
		if (ktlso_nl_accept(&nl, &acc) != -EPERM)
			_exit(12);
		if (ktlso_nl_done(&nl, 0, 0, TLS_1_3_VERSION,
				  TLS_CIPHER_AES_GCM_128, NULL, NULL) != -EPERM)
			_exit(13);
		if (ktlso_nl_status(&nl, &st))
			_exit(14);
		/* Nor may it listen: a listener makes requests queue. */
		grp = genl_ctrl_resolve_grp(nl.cmd, KTLSO_GENL_NAME,
					    KTLSO_GENL_MCGRP_HS);
		if (grp < 0)
			_exit(15);
		if (nl_socket_add_membership(nl.cmd, grp) != -NLE_PERM)
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* HS_DONE on a descriptor without a running handshake. */
TEST_F(hs, done_without_request)
{
	struct ktlso_nl nl;
	int udp = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_EQ(0, ktlso_nl_open(&nl, false));
	EXPECT_EQ(-ENOENT, ktlso_nl_done(&nl, self->app, 0, TLS_1_3_VERSION,
					 TLS_CIPHER_AES_GCM_128, NULL, NULL));
	EXPECT_EQ(-ENOENT, ktlso_nl_done(&nl, self->peer, EACCES, 0, 0,
					 NULL, NULL));
	EXPECT_EQ(-ENOTSOCK, ktlso_nl_done(&nl, udp, EACCES, 0, 0, NULL,
					   NULL));
	EXPECT_EQ(-EBADF, ktlso_nl_done(&nl, 1000, EACCES, 0, 0, NULL, NULL));
	/* Status out of range, and success without version/cipher. */
	EXPECT_EQ(-ERANGE, ktlso_nl_done(&nl, self->app, 5000, 0, 0, NULL,
					 NULL));
	close(udp);
	ktlso_nl_close(&nl);
}

/* A request on a socket that already has keys. */
TEST_F(hs, keys_first)
{
	struct ktlso_hs_request req = client_req(1000);

	ASSERT_EQ(0, daemon_start(&self->d, D_IDLE));
	ASSERT_EQ(0, setsockopt(self->app, SOL_TLS, TLS_TX, &key_a,
				sizeof(key_a)));
	EXPECT_EQ(-EISCONN, ktlso_request_handshake(self->app, &req));
}

/* --- after the handshake: post-handshake messages ------------------------ */

/* A handshake the D_COMPLETE daemon finishes for @req; both ends keyed. */
static void handshake_done(struct __test_metadata *_metadata,
			   FIXTURE_DATA(hs) *self,
			   const struct ktlso_hs_request *req)
{
	struct report rep;

	handshake_talk(_metadata, self, D_COMPLETE, req);
	ASSERT_EQ(0, ktlso_attach(self->peer));
	ASSERT_EQ(0, set_keys(self->peer, &key_b, &key_a));
	ASSERT_EQ(0, daemon_finish(&self->d, &rep));
	ASSERT_EQ(0, rep.done_err);
}

#define HS_RECORD	22
/* Two whole NewSessionTicket messages (type 4, 24-bit length, body). */
static const unsigned char two_tickets[] = {
	4, 0, 0, 5, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
	4, 0, 0, 3, 1, 2, 3,
};
/* A ticket, then the start of another that continues in the next record. */
static const unsigned char ticket_and_part[] = {
	4, 0, 0, 2, 7, 7,
	4, 0, 0, 9, 1, 2,
};

/*
 * After a TLS 1.3 handshake the daemon ran as the client, records of whole
 * tickets never reach the application (nobody here can resume a session):
 * a plain read gets the data after them.  A ticket cut across records is
 * delivered as a handshake record as before: EIO for a plain read, the
 * type through the cmsg.  (This fake daemon installs no traffic secrets:
 * what a KeyUpdate does then, and with them, is key_update.c's.)
 */
TEST_F(hs, tickets_dropped_for_daemon_client)
{
	struct ktlso_hs_request req = client_req(20000);
	long dropped = ktlso_stat("TlsRxTicketsDropped");
	unsigned char buf[64];
	uint8_t type = 0;
	ssize_t n;

	ASSERT_LE(0, dropped);
	handshake_done(_metadata, self, &req);
	ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, two_tickets,
				sizeof(two_tickets)));
	ASSERT_EQ(0, ktlso_write_all(self->peer, "after", 5));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(5, read(self->app, buf, sizeof(buf)));
	EXPECT_STREQ("after", (char *)buf);

	ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, ticket_and_part,
				sizeof(ticket_and_part)));
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	n = recv_typed(self->app, buf, sizeof(buf), &type);
	ASSERT_EQ((ssize_t)sizeof(ticket_and_part), n);
	EXPECT_EQ(HS_RECORD, type);

	/* Poll, MSG_DONTWAIT: a dropped record leaves nothing to read. */
	ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, two_tickets,
				sizeof(two_tickets)));
	usleep(100000);
	EXPECT_EQ(-1, recv(self->app, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(dropped + 2, ktlso_stat("TlsRxTicketsDropped"));
}

/* A server never gets tickets: for it the rule does not apply. */
TEST_F(hs, tickets_kept_for_daemon_server)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_SERVER,
		.timeout_ms = 20000,
		.profile = "web",
	};
	long dropped = ktlso_stat("TlsRxTicketsDropped");
	unsigned char buf[64];
	uint8_t type = 0;
	ssize_t n;

	handshake_done(_metadata, self, &req);
	ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, two_tickets,
				sizeof(two_tickets)));
	EXPECT_EQ(-1, read(self->app, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	n = recv_typed(self->app, buf, sizeof(buf), &type);
	EXPECT_EQ((ssize_t)sizeof(two_tickets), n);
	EXPECT_EQ(HS_RECORD, type);
	EXPECT_EQ(dropped, ktlso_stat("TlsRxTicketsDropped"));
}

TEST_HARNESS_MAIN
