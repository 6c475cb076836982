// SPDX-License-Identifier: GPL-2.0
/*
 * The peer's certificate: HS_DONE passes the verified leaf's DER
 * (KTLSO_A_PEER_CERT) and the application reads it back with
 * getsockopt(KTLSO_PEER_CERT).  The bytes come back exactly; the policy
 * refuses an empty or oversized attribute and the request runs on; a
 * short buffer gets ERANGE and the length needed; nothing is readable
 * before HS_DONE, after a failure, or when the daemon passed no
 * certificate (a peer it did not verify, or an older daemon).
 *
 * A forked child plays the daemon: it takes the request, installs keys,
 * and then finishes step by step.  At each step it writes a byte to its
 * "ready" pipe and waits for SIGUSR1, so that the application can look
 * at its socket in between.  The kernel treats the certificate as opaque
 * bytes, so a pattern stands in for DER here.
 */

#include <linux/tls.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "ktlso_daemon.h"
#include "ktlso_genl.h"
#include "ktlso_test.h"

/* What the daemon child does once it holds the request and the keys. */
enum script {
	D_CERT,		/* HS_DONE with a certificate of cert_len bytes,
			 * then another HS_DONE with another one */
	D_NO_CERT,	/* HS_DONE without a certificate, as older daemons */
	D_OVERSIZE,	/* HS_DONE with KTLSO_PEER_CERT_MAX + 1 bytes, a
			 * step, then HS_DONE with cert_len bytes */
	D_EMPTY,	/* HS_DONE with an empty one, a step, then without */
	D_FAIL_CERT,	/* HS_DONE with EACCES and a certificate */
};

struct script_arg {
	enum script script;
	size_t cert_len;
};

/* What the daemon child saw, sent back over a pipe. */
struct report {
	int accept_err;
	int keys_err;
	int done_err;
	int second_done_err;
};

static const struct tls12_crypto_info_aes_gcm_128 key_a = {
	.info = { .version = TLS_1_3_VERSION,
		  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.key = { 0xa0, 0xa1, 0xa2, 0xa3 },
};

static const struct tls12_crypto_info_aes_gcm_128 key_b = {
	.info = { .version = TLS_1_3_VERSION,
		  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.key = { 0xb0, 0xb1, 0xb2, 0xb3 },
};

static uint8_t cert_a[KTLSO_PEER_CERT_MAX + 1];
static uint8_t cert_b[KTLSO_PEER_CERT_MAX + 1];

/* Two distinct patterns, none a run of one byte. */
static void fill_certs(void)
{
	size_t i;

	for (i = 0; i < sizeof(cert_a); i++) {
		cert_a[i] = (uint8_t)(i * 7 + (i >> 8));
		cert_b[i] = (uint8_t)~cert_a[i];
	}
}

/* In the daemon: say where we are, wait for the application's go. */
static void step(int ready)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (write(ready, "s", 1) != 1 || sigwait(&set, &sig))
		_exit(6);
}

static void daemon_body(void *varg, int ready, int out)
{
	const struct script_arg *arg = varg;
	struct ktlso_nl_accepted acc;
	struct report rep = { 0 };
	struct ktlso_nl nl;
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		_exit(2);
	rep.accept_err = ktlso_daemon_accept(&nl, ready, &acc);
	fd = acc.fd;
	if (rep.accept_err)
		goto out;
	if (setsockopt(fd, SOL_TLS, TLS_TX, &key_a, sizeof(key_a)) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, &key_b, sizeof(key_b))) {
		rep.keys_err = -errno;
		goto out;
	}
	/* Running, keys installed, no HS_DONE yet. */
	step(ready);

	switch (arg->script) {
	case D_CERT:
		rep.done_err = ktlso_nl_done_cert(&nl, fd, 0, TLS_1_3_VERSION,
						  TLS_CIPHER_AES_GCM_128,
						  "CN=peer.example", cert_a,
						  arg->cert_len);
		rep.second_done_err = ktlso_nl_done_cert(&nl, fd, 0,
							 TLS_1_3_VERSION,
							 TLS_CIPHER_AES_GCM_128,
							 NULL, cert_b, 100);
		break;
	case D_NO_CERT:
		rep.done_err = ktlso_nl_done(&nl, fd, 0, TLS_1_3_VERSION,
					     TLS_CIPHER_AES_GCM_128, NULL,
					     "CN=peer.example");
		break;
	case D_OVERSIZE:
	case D_EMPTY:
		rep.done_err = ktlso_nl_done_cert(&nl, fd, 0, TLS_1_3_VERSION,
						  TLS_CIPHER_AES_GCM_128, NULL,
						  cert_b,
						  arg->script == D_EMPTY ? 0 :
						  KTLSO_PEER_CERT_MAX + 1);
		step(ready);
		if (arg->script == D_EMPTY)
			rep.second_done_err =
				ktlso_nl_done(&nl, fd, 0, TLS_1_3_VERSION,
					      TLS_CIPHER_AES_GCM_128, NULL,
					      NULL);
		else
			rep.second_done_err =
				ktlso_nl_done_cert(&nl, fd, 0, TLS_1_3_VERSION,
						   TLS_CIPHER_AES_GCM_128,
						   NULL, cert_a,
						   arg->cert_len);
		break;
	case D_FAIL_CERT:
		rep.done_err = ktlso_nl_done_cert(&nl, fd, EACCES, 0, 0, NULL,
						  cert_a, arg->cert_len);
		break;
	}
out:
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(5);
	ktlso_nl_close(&nl);
	_exit(0);
}

FIXTURE(cert) {
	int app, peer;
	struct ktlso_daemon d;
	struct script_arg arg;
};

FIXTURE_SETUP(cert)
{
	struct timeval tv = { .tv_sec = 10 };

	fill_certs();
	memset(&self->d, 0, sizeof(self->d));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->app, &self->peer));
	ASSERT_EQ(0, ktlso_attach(self->app));
	setsockopt(self->app, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

FIXTURE_TEARDOWN(cert)
{
	ktlso_daemon_kill(&self->d);
	ktlso_close_now(self->app);
	ktlso_close_now(self->peer);
}

/* getsockopt(KTLSO_PEER_CERT) with a buffer of @cap: 0 or -errno, @len set. */
static int peer_cert(int fd, void *buf, int cap, int *len)
{
	socklen_t l = (socklen_t)cap;
	int ret;

	ret = getsockopt(fd, SOL_TLS, KTLSO_PEER_CERT, buf, &l) ? -errno : 0;
	*len = (int)l;
	return ret;
}

static int hs_state(int fd)
{
	struct ktlso_hs_result res;

	return ktlso_handshake_result(fd, &res) ? -1 : (int)res.state;
}

/* The daemon's next step: wait until it is there. */
static int wait_step(FIXTURE_DATA(cert) *self)
{
	char c;

	return read(self->d.ready, &c, 1) == 1 ? 0 : -EIO;
}

static void go(FIXTURE_DATA(cert) *self)
{
	kill(self->d.pid, SIGUSR1);
}

/* Wait up to 5 s for the handshake to leave RUNNING. */
static int wait_end(int fd)
{
	int i, st = -1;

	for (i = 0; i < 500; i++) {
		st = hs_state(fd);
		if (st != KTLSO_HS_RUNNING && st != KTLSO_HS_PENDING)
			break;
		usleep(10000);
	}
	return st;
}

/*
 * Start the daemon with @script, make the request, and wait until the
 * daemon holds it with the keys installed: nothing is readable yet.
 */
static void start(struct __test_metadata *_metadata, FIXTURE_DATA(cert) *self,
		  enum script script, size_t cert_len)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_CLIENT,
		.timeout_ms = 20000,
		.server_name = "peer.example",
	};
	uint8_t buf[64];
	int len;

	self->arg.script = script;
	self->arg.cert_len = cert_len;
	/* Before any request: no handshake, no certificate. */
	EXPECT_EQ(-ENOTCONN, peer_cert(self->app, buf, sizeof(buf), &len));
	ASSERT_EQ(0, ktlso_daemon_start(&self->d, daemon_body, &self->arg));
	ASSERT_EQ(0, ktlso_request_handshake(self->app, &req));
	ASSERT_EQ(0, wait_step(self));
	ASSERT_EQ(KTLSO_HS_RUNNING, hs_state(self->app));
	EXPECT_EQ(-ENOTCONN, peer_cert(self->app, buf, sizeof(buf), &len));
	EXPECT_EQ(-ENOTCONN, peer_cert(self->app, buf, 0, &len));
}

/*
 * The certificate comes back byte for byte, with the usual length rules,
 * and a second HS_DONE can neither end the request again nor replace it.
 */
static void round_trip(struct __test_metadata *_metadata,
		       FIXTURE_DATA(cert) *self, size_t n)
{
	static uint8_t buf[KTLSO_PEER_CERT_MAX + 64];
	struct ktlso_hs_result res;
	struct report rep;
	int len;

	start(_metadata, self, D_CERT, n);
	go(self);
	ASSERT_EQ(0, ktlso_daemon_finish(&self->d, &rep, sizeof(rep)));
	ASSERT_EQ(0, rep.accept_err);
	ASSERT_EQ(0, rep.keys_err);
	EXPECT_EQ(0, rep.done_err);
	EXPECT_EQ(-ENOENT, rep.second_done_err);
	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_DONE, (int)res.state);
	EXPECT_STREQ("CN=peer.example", res.peer);

	/* How long is it?  Nothing is written with a short buffer. */
	memset(buf, 0x5a, sizeof(buf));
	EXPECT_EQ(-ERANGE, peer_cert(self->app, NULL, 0, &len));
	EXPECT_EQ((int)n, len);
	EXPECT_EQ(-ERANGE, peer_cert(self->app, buf, (int)n - 1, &len));
	EXPECT_EQ((int)n, len);
	EXPECT_EQ(0x5a, buf[0]);
	if (n > 1) {
		EXPECT_EQ(0x5a, buf[n - 2]);
	}

	/* Exactly long enough, and longer: the bytes, and its length. */
	ASSERT_EQ(0, peer_cert(self->app, buf, (int)n, &len));
	ASSERT_EQ((int)n, len);
	EXPECT_EQ(0, memcmp(buf, cert_a, n));
	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(0, peer_cert(self->app, buf, sizeof(buf), &len));
	ASSERT_EQ((int)n, len);
	EXPECT_EQ(0, memcmp(buf, cert_a, n));
	EXPECT_EQ(0x5a, buf[n]);
}

TEST_F(cert, round_trip)
{
	round_trip(_metadata, self, 1234);
}

TEST_F(cert, round_trip_max)
{
	round_trip(_metadata, self, KTLSO_PEER_CERT_MAX);
}

TEST_F(cert, round_trip_one_byte)
{
	round_trip(_metadata, self, 1);
}

/*
 * An oversized certificate fails the policy: that HS_DONE changes
 * nothing, the request still runs, and a proper one then ends it.
 */
TEST_F(cert, oversize_refused)
{
	uint8_t buf[2048];
	struct report rep;
	int len;

	start(_metadata, self, D_OVERSIZE, 777);
	go(self);
	ASSERT_EQ(0, wait_step(self));
	EXPECT_EQ(KTLSO_HS_RUNNING, hs_state(self->app));
	EXPECT_EQ(-ENOTCONN, peer_cert(self->app, buf, sizeof(buf), &len));
	go(self);
	ASSERT_EQ(0, ktlso_daemon_finish(&self->d, &rep, sizeof(rep)));
	EXPECT_EQ(-ERANGE, rep.done_err);
	EXPECT_EQ(0, rep.second_done_err);
	EXPECT_EQ(KTLSO_HS_DONE, hs_state(self->app));
	ASSERT_EQ(0, peer_cert(self->app, buf, sizeof(buf), &len));
	ASSERT_EQ(777, len);
	EXPECT_EQ(0, memcmp(buf, cert_a, 777));
}

/* So does an empty one; without a certificate it then ends. */
TEST_F(cert, empty_refused)
{
	uint8_t buf[64];
	struct report rep;
	int len;

	start(_metadata, self, D_EMPTY, 0);
	go(self);
	ASSERT_EQ(0, wait_step(self));
	EXPECT_EQ(KTLSO_HS_RUNNING, hs_state(self->app));
	go(self);
	ASSERT_EQ(0, ktlso_daemon_finish(&self->d, &rep, sizeof(rep)));
	EXPECT_EQ(-ERANGE, rep.done_err);
	EXPECT_EQ(0, rep.second_done_err);
	EXPECT_EQ(KTLSO_HS_DONE, hs_state(self->app));
	len = -1;
	ASSERT_EQ(0, peer_cert(self->app, buf, sizeof(buf), &len));
	EXPECT_EQ(0, len);
}

/*
 * A daemon that passes no certificate (the peer was not verified, or the
 * daemon predates the attribute): done, and the length is 0.
 */
TEST_F(cert, none_from_daemon)
{
	struct ktlso_hs_result res;
	uint8_t buf[64];
	struct report rep;
	int len;

	start(_metadata, self, D_NO_CERT, 0);
	go(self);
	ASSERT_EQ(0, ktlso_daemon_finish(&self->d, &rep, sizeof(rep)));
	EXPECT_EQ(0, rep.done_err);
	ASSERT_EQ(0, ktlso_handshake_result(self->app, &res));
	EXPECT_EQ(KTLSO_HS_DONE, (int)res.state);
	EXPECT_STREQ("CN=peer.example", res.peer);
	len = -1;
	ASSERT_EQ(0, peer_cert(self->app, buf, sizeof(buf), &len));
	EXPECT_EQ(0, len);
	len = -1;
	ASSERT_EQ(0, peer_cert(self->app, NULL, 0, &len));
	EXPECT_EQ(0, len);
}

/* A failure keeps no certificate, whatever the daemon sent with it. */
TEST_F(cert, failure_keeps_none)
{
	uint8_t buf[2048];
	struct report rep;
	int len;

	start(_metadata, self, D_FAIL_CERT, 1000);
	go(self);
	ASSERT_EQ(0, ktlso_daemon_finish(&self->d, &rep, sizeof(rep)));
	EXPECT_EQ(0, rep.done_err);
	EXPECT_EQ(KTLSO_HS_FAILED, wait_end(self->app));
	EXPECT_EQ(-ENOTCONN, peer_cert(self->app, buf, sizeof(buf), &len));
}

/* Keys the application installed itself: there was no handshake. */
TEST_F(cert, own_keys)
{
	uint8_t buf[64];
	int len;

	ASSERT_EQ(0, setsockopt(self->app, SOL_TLS, TLS_TX, &key_a,
				sizeof(key_a)));
	EXPECT_EQ(-ENOTCONN, peer_cert(self->app, buf, sizeof(buf), &len));
}

/* A negative length is refused; there is no setsockopt. */
TEST_F(cert, bad_calls)
{
	uint8_t buf[64];
	int len;

	EXPECT_EQ(-EINVAL, peer_cert(self->app, buf, -1, &len));
	EXPECT_EQ(-1, setsockopt(self->app, SOL_TLS, KTLSO_PEER_CERT, buf,
				 sizeof(buf)));
	EXPECT_EQ(ENOPROTOOPT, errno);
}

TEST_HARNESS_MAIN
