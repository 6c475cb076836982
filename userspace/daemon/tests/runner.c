// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's handshake machinery without the kernel: clients and servers
 * of ktlsod's own profiles, on both ends of socketpairs, all in one event
 * loop, exactly as the daemon runs the sockets HS_ACCEPT hands it. Many at
 * once; a silent and a slow peer that hold nobody up and time out; the
 * outcome (errno, version, cipher, ALPN, peer identity) of every way a
 * handshake ends; keys that match on both ends; bad requests; the
 * configuration a handshake holds on to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "daemon/hs.h"
#include "daemon/runner.h"
#include "kd_test.h"

#define MAX_SIDES 64

/* One end of a connection, as the test sees it. */
struct side {
	struct kd_hs *h;
	int fd;
	bool done;
	unsigned int order;		/* 1 for the first to end */
	uint64_t started, ended;
	struct kd_outcome out;		/* out.peer_cert: NULL, see cert */
	uint8_t *cert;			/* out.peer_cert, copied; freed at
					 * teardown */
	int install_ret;		/* what the install hook returns */
	const char *install_step;	/* and the step it names */
	bool installed;
	bool fd_nonblocking;		/* O_NONBLOCK seen at install */
	union ktlso_crypto_info tx, rx;
	size_t tx_len, rx_len;
	/* the TLS 1.3 traffic secrets ktlsod gives the kernel */
	uint16_t suite;
	uint8_t tx_secret[KTLSO_MAX_HASH_LEN], rx_secret[KTLSO_MAX_HASH_LEN];
	size_t secret_len;
};

struct bed {
	struct kd_config *conf;
	struct kd_loop loop;
	struct kd_runner r;
	struct side s[MAX_SIDES];
	size_t n;
	unsigned int ended;
	bool keep_open;			/* on_done leaves the sockets open */
};

static int install_hook(void *arg, int fd,
			const struct ktlso_session_result *res,
			const char **step)
{
	struct side *sd = arg;

	sd->fd_nonblocking = fcntl(fd, F_GETFL) & O_NONBLOCK;
	*step = sd->install_step;
	if (sd->install_ret)
		return sd->install_ret;
	sd->tx = res->tx;
	sd->rx = res->rx;
	sd->tx_len = res->tx_len;
	sd->rx_len = res->rx_len;
	sd->suite = res->suite;
	memcpy(sd->tx_secret, res->tx_secret, sizeof(sd->tx_secret));
	memcpy(sd->rx_secret, res->rx_secret, sizeof(sd->rx_secret));
	sd->secret_len = res->secret_len;
	sd->installed = true;
	return 0;
}

static void on_done(void *arg, struct kd_hs *h)
{
	struct bed *b = arg;
	struct side *sd = h->user;

	sd->done = true;
	sd->order = ++b->ended;
	sd->ended = kd_now_ms();
	sd->out = h->out;
	/* The certificate is the session's, gone with it below. */
	if (h->out.peer_cert_len) {
		sd->cert = malloc(h->out.peer_cert_len);
		if (!sd->cert)
			abort();
		memcpy(sd->cert, h->out.peer_cert, h->out.peer_cert_len);
	}
	sd->out.peer_cert = NULL;
	if (!b->keep_open)
		close(h->fd);
	sd->h = NULL;
	kd_hs_free(h);
}

/* The leaf the side verified and passes on is the one in @pem_file. */
static void expect_cert(struct __test_metadata *_metadata,
			const struct side *sd, const char *pem_file)
{
	FILE *f = fopen(pem_file, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL;
	int len = x ? i2d_X509(x, &der) : -1;

	ASSERT_LT(0, len);
	EXPECT_EQ((size_t)len, sd->out.peer_cert_len);
	if ((size_t)len == sd->out.peer_cert_len) {
		EXPECT_EQ(0, memcmp(der, sd->cert, (size_t)len));
	}
	OPENSSL_free(der);
	X509_free(x);
	fclose(f);
}

struct req {
	enum ktlso_role role;
	const char *profile;
	const char *server_name;
	const char *alpn;		/* wire format */
	uint32_t timeout_ms;
	int install_ret;
	const char *install_step;
	const struct kd_requester *who;	/* NULL: root */
};

static const struct kd_requester root = { .known = true };

static struct side *start(struct bed *b, int fd, const struct req *rq)
{
	struct side *sd = &b->s[b->n++];
	struct kd_hs_params p = {
		.fd = fd,
		.role = rq->role,
		.profile = rq->profile,
		.server_name = rq->server_name,
		.alpn = (const uint8_t *)rq->alpn,
		.alpn_len = rq->alpn ? strlen(rq->alpn) : 0,
		.timeout_ms = rq->timeout_ms ? rq->timeout_ms : 20000,
		.peer = rq->role == KTLSO_ROLE_CLIENT ? "client" : "server",
		.who = rq->who ? rq->who : &root,
		.install = install_hook,
		.install_arg = sd,
	};

	sd->fd = fd;
	sd->install_ret = rq->install_ret;
	sd->install_step = rq->install_step;
	sd->started = kd_now_ms();
	if (kd_hs_new(&sd->h, b->conf, &p, sd->started))
		return NULL;
	sd->h->user = sd;
	kd_runner_add(&b->r, sd->h);
	return sd;
}

/* A connected pair, a handshake on each end. */
static void start_pair(struct bed *b, const struct req *server,
		       const struct req *client, struct side **sp,
		       struct side **cp)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	*sp = start(b, sv[0], server);
	*cp = start(b, sv[1], client);
}

/* Run the loop until nothing is in flight (or @max_ms passed). */
static void run(struct bed *b, uint64_t max_ms)
{
	uint64_t end = kd_now_ms() + max_ms;
	int t;

	while (b->r.n && kd_now_ms() < end) {
		t = kd_runner_timeout(&b->r, kd_now_ms());
		if (t < 0 || t > 200)
			t = 200;
		if (kd_loop_wait(&b->loop, t) < 0)
			break;
		kd_runner_expire(&b->r, kd_now_ms());
	}
}

FIXTURE(runner) {
	struct bed b;
};

FIXTURE_SETUP(runner)
{
	struct kd_reports rep;
	char path[KD_PATH];

	memset(&self->b, 0, sizeof(self->b));
	ASSERT_EQ(0, kd_test_write(path, "runner.conf",
		"handshake_timeout_ms = 1234\n"
		"[profile default]\n"
		"cert = srv.pem srv.key\n"
		"cert = other.pem other.key\n"
		"cafile = root.pem\n"
		"[profile h2]\n"
		"cert = srv.pem srv.key\n"
		"alpn = h2\n"
		"[profile mtls]\n"
		"cert = srv.pem srv.key\n"
		"cafile = root.pem\n"
		"client_auth = require\n"
		"[profile client]\n"
		"cafile = root.pem\n"
		"[profile client-cert]\n"
		"cafile = root.pem\n"
		"cert = client.pem client.key\n"
		"[profile wrong-ca]\n"
		"cafile = other-root.pem\n"
		"[profile any-name]\n"
		"cafile = root.pem\n"
		"verify_name = no\n"
		"[profile trusting]\n"
		"verify = no\n"
		"[profile tls12]\n"
		"cafile = root.pem\n"
		"min_version = 1.2\n"
		"max_version = 1.2\n"
		"[profile shared]\n"
		"cert = srv.pem srv.key\n"
		"cafile = root.pem\n"
		"allow = user:4000\n"
		"allow_server = user:4001 group:5000\n"
		"allow_client = user:4002\n"));
	ASSERT_EQ(0, kd_test_load(&self->b.conf, path, &rep))
		TH_LOG("%s", rep.msg[0]);
	ASSERT_EQ(0, kd_loop_init(&self->b.loop));
	kd_runner_init(&self->b.r, &self->b.loop, on_done, &self->b);
}

FIXTURE_TEARDOWN(runner)
{
	size_t i;

	kd_runner_abort(&self->b.r, ECONNABORTED, "teardown");
	for (i = 0; i < self->b.n; i++) {
		if (!self->b.s[i].done || self->b.keep_open)
			close(self->b.s[i].fd);
		free(self->b.s[i].cert);
	}
	kd_loop_fini(&self->b.loop);
	kd_config_put(self->b.conf);
	EXPECT_EQ(0, kd_test_leaks());
}

static const struct req server_default = {
	.role = KTLSO_ROLE_SERVER,
};

static const struct req client_default = {
	.role = KTLSO_ROLE_CLIENT, .profile = "client",
	.server_name = "server.example",
};

/* Both ends succeeded with @version; each one's tx keys are the other's rx. */
/*
 * The traffic secrets the kernel gets for its key updates (TLS 1.3): one
 * end's transmit secret is the other's receive secret, each of the suite's
 * hash length and accepted as the kernel's argument; TLS 1.2 has none.
 */
static void secrets_ok(struct __test_metadata *_metadata,
		       const struct side *sv, const struct side *cl,
		       uint16_t version)
{
	struct ktlso_traffic_secret ts;

	if (version != TLS_1_3_VERSION) {
		EXPECT_EQ(0u, cl->secret_len);
		EXPECT_EQ(0u, sv->secret_len);
		return;
	}
	ASSERT_EQ(ktlso_hash_len(ktlso_suite_find(cl->suite)->hash),
		  cl->secret_len);
	ASSERT_EQ(cl->secret_len, sv->secret_len);
	EXPECT_EQ(0, memcmp(cl->tx_secret, sv->rx_secret, cl->secret_len));
	EXPECT_EQ(0, memcmp(cl->rx_secret, sv->tx_secret, cl->secret_len));
	EXPECT_NE(0, memcmp(cl->tx_secret, cl->rx_secret, cl->secret_len));
	EXPECT_EQ(0, ktlso_traffic_secret_fill(&ts, cl->suite, cl->tx_secret,
					       cl->secret_len));
	ktlso_traffic_secret_clear(&ts);
}

static void pair_ok_version(struct __test_metadata *_metadata,
			    const struct side *sv, const struct side *cl,
			    uint16_t version)
{
	ASSERT_TRUE(sv->done);
	ASSERT_TRUE(cl->done);
	ASSERT_EQ(0, sv->out.status) TH_LOG("server: %s", sv->out.reason);
	ASSERT_EQ(0, cl->out.status) TH_LOG("client: %s", cl->out.reason);
	EXPECT_STREQ("", sv->out.reason);
	EXPECT_EQ(version, cl->out.version);
	EXPECT_EQ(cl->out.version, sv->out.version);
	EXPECT_EQ(cl->out.cipher, sv->out.cipher);
	EXPECT_EQ(cl->out.suite, sv->out.suite);
	EXPECT_STREQ(cl->out.alpn, sv->out.alpn);
	ASSERT_TRUE(sv->installed);
	ASSERT_TRUE(cl->installed);
	EXPECT_FALSE(sv->fd_nonblocking);
	EXPECT_FALSE(cl->fd_nonblocking);
	EXPECT_EQ(cl->out.cipher, cl->tx.info.cipher_type);
	EXPECT_EQ(version, cl->tx.info.version);
	ASSERT_NE(0u, cl->tx_len);
	ASSERT_EQ(cl->tx_len, sv->rx_len);
	ASSERT_EQ(cl->rx_len, sv->tx_len);
	EXPECT_EQ(0, memcmp(&cl->tx, &sv->rx, cl->tx_len));
	EXPECT_EQ(0, memcmp(&cl->rx, &sv->tx, cl->rx_len));
	EXPECT_NE(0, memcmp(&cl->tx, &cl->rx, cl->tx_len));
	secrets_ok(_metadata, sv, cl, version);
}

static void pair_ok(struct __test_metadata *_metadata, const struct side *sv,
		    const struct side *cl)
{
	pair_ok_version(_metadata, sv, cl, TLS_1_3_VERSION);
}

/* Many handshakes at once, in one loop, every one of them right. */
TEST_F(runner, many_at_once)
{
	struct side *sv[16], *cl[16];
	int i;

	for (i = 0; i < 16; i++)
		start_pair(&self->b, &server_default, &client_default, &sv[i],
			   &cl[i]);
	EXPECT_EQ(32u, self->b.r.n);
	run(&self->b, 60000);
	EXPECT_EQ(0u, self->b.r.n);
	for (i = 0; i < 16; i++) {
		pair_ok(_metadata, sv[i], cl[i]);
		EXPECT_EQ(TLS_CIPHER_AES_GCM_128, cl[i]->out.cipher);
		EXPECT_EQ(0x1301, cl[i]->out.suite);
		EXPECT_STREQ("CN=server.example", cl[i]->out.peer_identity);
		EXPECT_STREQ("", sv[i]->out.peer_identity);
		EXPECT_STREQ("", cl[i]->out.alpn);
	}
}

/* Run the loop until @sd is over (or @max_ms passed). */
static void run_until(struct bed *b, const struct side *sd, uint64_t max_ms)
{
	uint64_t end = kd_now_ms() + max_ms;

	while (!sd->done && kd_now_ms() < end) {
		if (kd_loop_wait(&b->loop, 200) < 0)
			break;
		kd_runner_expire(&b->r, kd_now_ms());
	}
}

/*
 * A peer that says nothing and one that stops mid-record: the handshakes
 * started after them all complete while they wait; they end at their
 * deadline, not a millisecond before.
 */
TEST_F(runner, silent_and_slow_peers)
{
	const struct req waiting = { .role = KTLSO_ROLE_SERVER,
				     .timeout_ms = 60000 };
	struct side *silent, *slow, *sv[8], *cl[8];
	int quiet[2], stalled[2], i;
	uint64_t deadline;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, quiet));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, stalled));
	silent = start(&self->b, quiet[0], &waiting);
	slow = start(&self->b, stalled[0], &waiting);
	/* A handshake record header, then nothing. */
	ASSERT_EQ(3, write(stalled[1], "\x16\x03\x01", 3));
	for (i = 0; i < 8; i++)
		start_pair(&self->b, &server_default, &client_default, &sv[i],
			   &cl[i]);
	for (i = 0; i < 8; i++) {
		run_until(&self->b, sv[i], 30000);
		run_until(&self->b, cl[i], 30000);
		pair_ok(_metadata, sv[i], cl[i]);
	}
	EXPECT_FALSE(silent->done);
	EXPECT_FALSE(slow->done);
	ASSERT_EQ(2u, self->b.r.n);

	/* Their deadline, on the runner's clock. */
	deadline = silent->h->deadline_ms;
	EXPECT_EQ(silent->started + 60000, deadline);
	EXPECT_LE(kd_runner_timeout(&self->b.r, kd_now_ms()), 60000);
	EXPECT_EQ(1000, kd_runner_timeout(&self->b.r, deadline - 1000));
	EXPECT_EQ(0, kd_runner_timeout(&self->b.r, deadline + 5));
	kd_runner_expire(&self->b.r, deadline - 1);
	EXPECT_FALSE(silent->done);
	kd_runner_expire(&self->b.r, slow->h->deadline_ms);
	ASSERT_TRUE(silent->done);
	ASSERT_TRUE(slow->done);
	EXPECT_EQ(0u, self->b.r.n);
	EXPECT_EQ(-1, kd_runner_timeout(&self->b.r, 0));
	EXPECT_EQ(ETIMEDOUT, silent->out.status);
	EXPECT_EQ(ETIMEDOUT, slow->out.status);
	EXPECT_STREQ("timed out", slow->out.reason);
	EXPECT_FALSE(silent->installed);
	close(quiet[1]);
	close(stalled[1]);
}

/* The deadline in real time, through the loop's timeout. */
TEST_F(runner, deadline)
{
	const struct req waiting = { .role = KTLSO_ROLE_CLIENT,
				     .profile = "client",
				     .server_name = "server.example",
				     .timeout_ms = 300 };
	struct side *sd;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	sd = start(&self->b, sv[0], &waiting);
	run(&self->b, 10000);
	ASSERT_TRUE(sd->done);
	EXPECT_EQ(ETIMEDOUT, sd->out.status);
	EXPECT_GE(sd->ended - sd->started, 300u);
	close(sv[1]);
}

/*
 * Nothing follows the handshake on the wire: a TLS 1.3 server sends no
 * NewSessionTicket (nor anything else) after the client's Finished, and
 * the client nothing after its Finished, so that the kernel record layer
 * starts on a clean stream.
 */
TEST_F(runner, nothing_after_the_handshake)
{
	struct side *sv, *cl;
	int pending = -1;

	self->b.keep_open = true;
	start_pair(&self->b, &server_default, &client_default, &sv, &cl);
	run(&self->b, 10000);
	pair_ok(_metadata, sv, cl);
	ASSERT_EQ(0, ioctl(cl->fd, FIONREAD, &pending));
	EXPECT_EQ(0, pending);
	ASSERT_EQ(0, ioctl(sv->fd, FIONREAD, &pending));
	EXPECT_EQ(0, pending);
	/* Still connected: it is the peer's silence, not a closed socket. */
	ASSERT_EQ(1, write(sv->fd, "x", 1));
	ASSERT_EQ(0, ioctl(cl->fd, FIONREAD, &pending));
	EXPECT_EQ(1, pending);
}

/* The peer goes away: end of file for a server, EPIPE for a client. */
TEST_F(runner, peer_gone)
{
	struct side *sv, *cl;
	int a[2], c[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, a));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, c));
	close(a[1]);
	close(c[1]);
	sv = start(&self->b, a[0], &server_default);
	cl = start(&self->b, c[0], &client_default);
	run(&self->b, 5000);
	ASSERT_TRUE(sv->done);
	ASSERT_TRUE(cl->done);
	EXPECT_EQ(ECONNRESET, sv->out.status);
	EXPECT_EQ(EPIPE, cl->out.status) TH_LOG("%s", cl->out.reason);
}

/* A descriptor that is not a socket: its errno. */
TEST_F(runner, not_a_socket)
{
	struct side *sv;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	sv = start(&self->b, p[0], &server_default);
	EXPECT_TRUE(sv->done);		/* at once: no wait for the loop */
	EXPECT_EQ(ENOTSOCK, sv->out.status);
	EXPECT_EQ(0u, self->b.r.n);
	close(p[1]);
}

/* An unknown CA: the client rejects (EACCES), the server is refused. */
TEST_F(runner, wrong_ca)
{
	const struct req client = { .role = KTLSO_ROLE_CLIENT,
				    .profile = "wrong-ca",
				    .server_name = "server.example" };
	struct side *sv, *cl;

	start_pair(&self->b, &server_default, &client, &sv, &cl);
	run(&self->b, 10000);
	EXPECT_EQ(EACCES, cl->out.status);
	EXPECT_NE(NULL, strstr(cl->out.reason, "server certificate rejected"))
		TH_LOG("%s", cl->out.reason);
	EXPECT_EQ(ECONNREFUSED, sv->out.status);
	EXPECT_FALSE(cl->installed);
	EXPECT_FALSE(sv->installed);
}

/* The name asked for is not the certificate's. */
TEST_F(runner, wrong_name)
{
	const struct req client = { .role = KTLSO_ROLE_CLIENT,
				    .profile = "client",
				    .server_name = "elsewhere.example" };
	struct side *sv, *cl;

	start_pair(&self->b, &server_default, &client, &sv, &cl);
	run(&self->b, 10000);
	EXPECT_EQ(EACCES, cl->out.status);
	EXPECT_EQ(ECONNREFUSED, sv->out.status);
}

/* Verification off: the handshake completes, no identity is reported. */
TEST_F(runner, verify_off)
{
	const struct req client = { .role = KTLSO_ROLE_CLIENT,
				    .profile = "trusting" };
	struct side *sv, *cl;

	start_pair(&self->b, &server_default, &client, &sv, &cl);
	run(&self->b, 10000);
	pair_ok(_metadata, sv, cl);
	EXPECT_STREQ("", cl->out.peer_identity);
	EXPECT_EQ(0u, cl->out.peer_cert_len);
}

/*
 * A verifying client's request without a server name: EINVAL at once,
 * saying why, unless the profile has verify_name = no (then the chain is
 * still verified).
 */
TEST_F(runner, client_without_server_name)
{
	const struct req no_name = { .role = KTLSO_ROLE_CLIENT,
				     .profile = "client" };
	const struct req any_name = { .role = KTLSO_ROLE_CLIENT,
				      .profile = "any-name" };
	struct side *sv, *cl, *sv2, *cl2;

	start_pair(&self->b, &server_default, &no_name, &sv, &cl);
	EXPECT_TRUE(cl->done);	/* at once: no wait for the loop */
	EXPECT_EQ(EINVAL, cl->out.status);
	EXPECT_STREQ("no server name in the request: profile client verifies the server's name (verify_name = no to allow that)",
		     cl->out.reason);
	EXPECT_FALSE(cl->installed);
	start_pair(&self->b, &server_default, &any_name, &sv2, &cl2);
	run(&self->b, 10000);
	pair_ok(_metadata, sv2, cl2);
	EXPECT_STREQ("CN=server.example", cl2->out.peer_identity);
	/* The server's end saw its peer go. */
	EXPECT_NE(0, sv->out.status);
}

/* A client that stops at TLS 1.2 gets it, with kernel keys to match. */
TEST_F(runner, tls12)
{
	const struct req client = { .role = KTLSO_ROLE_CLIENT,
				    .profile = "tls12",
				    .server_name = "server.example" };
	struct side *sv, *cl;

	start_pair(&self->b, &server_default, &client, &sv, &cl);
	run(&self->b, 10000);
	pair_ok_version(_metadata, sv, cl, TLS_1_2_VERSION);
	EXPECT_EQ(TLS_CIPHER_AES_GCM_128, cl->out.cipher);
	EXPECT_EQ(0xc02b, cl->out.suite);
	EXPECT_STREQ("CN=server.example", cl->out.peer_identity);
}

/* SNI picks the certificate. */
TEST_F(runner, sni)
{
	const struct req client = { .role = KTLSO_ROLE_CLIENT,
				    .profile = "client",
				    .server_name = "other.example" };
	struct side *sv, *cl;

	start_pair(&self->b, &server_default, &client, &sv, &cl);
	run(&self->b, 10000);
	pair_ok(_metadata, sv, cl);
	EXPECT_STREQ("CN=other.example", cl->out.peer_identity);
	expect_cert(_metadata, cl, kd_files.other_cert);
}

/* client_auth = require: no certificate is EACCES; one is an identity. */
TEST_F(runner, client_auth)
{
	const struct req server = { .role = KTLSO_ROLE_SERVER,
				    .profile = "mtls" };
	const struct req with_cert = { .role = KTLSO_ROLE_CLIENT,
				       .profile = "client-cert",
				       .server_name = "server.example" };
	struct side *sv, *cl, *sv2, *cl2;

	start_pair(&self->b, &server, &client_default, &sv, &cl);
	start_pair(&self->b, &server, &with_cert, &sv2, &cl2);
	run(&self->b, 10000);
	EXPECT_EQ(EACCES, sv->out.status) TH_LOG("%s", sv->out.reason);
	/*
	 * A TLS 1.3 client is done once it sent its Finished: the server's
	 * certificate_required reaches its record layer (the kernel), later.
	 */
	EXPECT_EQ(0, cl->out.status);
	pair_ok(_metadata, sv2, cl2);
	EXPECT_STREQ("CN=client.example", sv2->out.peer_identity);
	EXPECT_STREQ("CN=server.example", cl2->out.peer_identity);
	expect_cert(_metadata, sv2, kd_files.client_cert);
	expect_cert(_metadata, cl2, kd_files.srv_cert);
	/* No client certificate, no verified peer: nothing to pass on. */
	EXPECT_EQ(0u, sv->out.peer_cert_len);
}

/* ALPN: the profile's list, a request's list instead, no overlap. */
TEST_F(runner, alpn)
{
	const struct req h2_server = { .role = KTLSO_ROLE_SERVER,
				       .profile = "h2" };
	const struct req http11_server = { .role = KTLSO_ROLE_SERVER,
					   .profile = "h2",
					   .alpn = "\x08http/1.1" };
	const struct req both_client = { .role = KTLSO_ROLE_CLIENT,
					 .profile = "trusting",
					 .alpn = "\x02h2\x08http/1.1" };
	const struct req http11_client = { .role = KTLSO_ROLE_CLIENT,
					   .profile = "trusting",
					   .alpn = "\x08http/1.1" };
	struct side *s1, *c1, *s2, *c2, *s3, *c3;

	start_pair(&self->b, &h2_server, &both_client, &s1, &c1);
	start_pair(&self->b, &http11_server, &both_client, &s2, &c2);
	start_pair(&self->b, &h2_server, &http11_client, &s3, &c3);
	run(&self->b, 10000);
	pair_ok(_metadata, s1, c1);
	EXPECT_STREQ("h2", c1->out.alpn);
	pair_ok(_metadata, s2, c2);
	EXPECT_STREQ("http/1.1", s2->out.alpn);
	EXPECT_EQ(EPROTO, s3->out.status) TH_LOG("%s", s3->out.reason);
	EXPECT_EQ(ECONNREFUSED, c3->out.status);
}

/* Requests that cannot run end at once, with the reason. */
TEST_F(runner, bad_requests)
{
	const struct req cases[] = {
		{ .role = KTLSO_ROLE_SERVER, .profile = "nope" },
		/* h2 has no CA, and clients verify by default */
		{ .role = KTLSO_ROLE_CLIENT, .profile = "h2" },
		/* client has no certificate */
		{ .role = KTLSO_ROLE_SERVER, .profile = "client" },
		{ .role = KTLSO_ROLE_SERVER, .alpn = "\x05h2" },
		{ .role = (enum ktlso_role)7 },
	};
	static const int want[] = {
		ECONNABORTED, ECONNABORTED, ECONNABORTED, EINVAL, EINVAL,
	};
	static const char *const reasons[] = {
		"no profile \"nope\"",
		"profile h2 cannot act as a client (verify is on and it has no cafile/capath)",
		"profile client cannot act as a server (it has no cert)",
		"malformed ALPN list in the request",
		"bad role 7",
	};
	struct side *sd;
	size_t i;
	int sv[2];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
		sd = start(&self->b, sv[0], &cases[i]);
		ASSERT_NE(NULL, sd);
		EXPECT_TRUE(sd->done);
		EXPECT_EQ(want[i], sd->out.status);
		EXPECT_STREQ(reasons[i], sd->out.reason);
		EXPECT_EQ(0u, self->b.r.n);
		close(sv[1]);
	}
}

/* Profile "shared" lets uid 4002 act as a client only. */
static const struct kd_requester client_only = { .known = true,
	.uid = 4002, .gid = 4002 };

/*
 * Access lists: a profile without one serves root only; "allow" grants
 * both roles, "allow_server"/"allow_client" one; a refusal is EPERM and
 * marked denied, before any byte is exchanged.
 */
TEST_F(runner, access_refused)
{
	static const struct kd_requester nobody = { .known = true,
		.uid = 65534, .gid = 65534, .pid = 1 };
	static const struct kd_requester unknown = { .known = false };
	const struct req cases[] = {
		{ .role = KTLSO_ROLE_SERVER, .who = &nobody },
		{ .role = KTLSO_ROLE_CLIENT, .profile = "client",
		  .server_name = "server.example", .who = &nobody },
		{ .role = KTLSO_ROLE_SERVER, .profile = "shared",
		  .who = &nobody },
		{ .role = KTLSO_ROLE_SERVER, .profile = "shared",
		  .who = &client_only },
		{ .role = KTLSO_ROLE_SERVER, .who = &unknown },
	};
	static const char *const reasons[] = {
		"uid 65534 gid 65534 may not use profile default as a server",
		"uid 65534 gid 65534 may not use profile client as a client",
		"uid 65534 gid 65534 may not use profile shared as a server",
		"uid 4002 gid 4002 may not use profile shared as a server",
		"the kernel did not say who asked (ktlso module too old?)",
	};
	struct side *sd;
	char byte;
	size_t i;
	int sv[2];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
		sd = start(&self->b, sv[0], &cases[i]);
		ASSERT_NE(NULL, sd);
		EXPECT_TRUE(sd->done);
		EXPECT_EQ(EPERM, sd->out.status);
		EXPECT_TRUE(sd->out.denied);
		EXPECT_STREQ(reasons[i], sd->out.reason);
		EXPECT_FALSE(sd->installed);
		/* Closed without a byte sent to the peer. */
		EXPECT_EQ(0, recv(sv[1], &byte, 1, MSG_DONTWAIT));
		close(sv[1]);
	}
	EXPECT_EQ(0u, self->b.r.n);
}

/* Those the lists name get the role they are given. */
TEST_F(runner, access_granted)
{
	static const struct kd_requester both = { .known = true,
		.uid = 4000, .gid = 4000 };
	static const struct kd_requester server_user = { .known = true,
		.uid = 4001, .gid = 4001 };
	static const struct kd_requester server_group = { .known = true,
		.uid = 4100, .gid = 5000 };
	const struct req servers[] = {
		{ .role = KTLSO_ROLE_SERVER, .profile = "shared", .who = &both },
		{ .role = KTLSO_ROLE_SERVER, .profile = "shared",
		  .who = &server_user },
		{ .role = KTLSO_ROLE_SERVER, .profile = "shared",
		  .who = &server_group },
		{ .role = KTLSO_ROLE_SERVER },
	};
	const struct req clients[] = {
		{ .role = KTLSO_ROLE_CLIENT, .profile = "shared",
		  .server_name = "server.example", .who = &both },
		{ .role = KTLSO_ROLE_CLIENT, .profile = "client",
		  .server_name = "server.example" },
		{ .role = KTLSO_ROLE_CLIENT, .profile = "client",
		  .server_name = "server.example" },
		{ .role = KTLSO_ROLE_CLIENT, .profile = "shared",
		  .server_name = "server.example", .who = &client_only },
	};
	struct side *sv[4], *cl[4];
	size_t i;

	for (i = 0; i < 4; i++)
		start_pair(&self->b, &servers[i], &clients[i], &sv[i], &cl[i]);
	run(&self->b, 60000);
	for (i = 0; i < 4; i++) {
		pair_ok(_metadata, sv[i], cl[i]);
		EXPECT_FALSE(sv[i]->out.denied);
		EXPECT_FALSE(cl[i]->out.denied);
	}
}

/* Keys the socket refuses: the handshake fails (locally). */
TEST_F(runner, install_fails)
{
	const struct req server = { .role = KTLSO_ROLE_SERVER,
				    .install_ret = -ENOPROTOOPT };
	struct side *sv, *cl;

	start_pair(&self->b, &server, &client_default, &sv, &cl);
	run(&self->b, 10000);
	EXPECT_EQ(ECONNABORTED, sv->out.status);
	EXPECT_STREQ("installing the keys: Protocol not available",
		     sv->out.reason);
	EXPECT_EQ(0, cl->out.status);
}

/*
 * A kernel that takes the keys but not the traffic secrets (a ktlso.ko
 * without key updates): the handshake fails, and the reason logged names
 * the option, its errno, and what it means.
 */
TEST_F(runner, secret_refused)
{
	const struct req server = { .role = KTLSO_ROLE_SERVER,
				    .install_ret = -ENOPROTOOPT,
				    .install_step = "KTLSO_TX_SECRET" };
	const struct req client = { .role = KTLSO_ROLE_CLIENT,
				    .profile = "client",
				    .server_name = "server.example",
				    .install_ret = -ENOENT,
				    .install_step = "KTLSO_RX_SECRET" };
	struct side *sv, *cl;

	start_pair(&self->b, &server, &client, &sv, &cl);
	run(&self->b, 10000);
	EXPECT_EQ(ECONNABORTED, sv->out.status);
	EXPECT_STREQ("installing the keys: KTLSO_TX_SECRET: ENOPROTOOPT (Protocol not available): this ktlso.ko cannot run TLS 1.3 key updates",
		     sv->out.reason);
	EXPECT_EQ(ECONNABORTED, cl->out.status);
	EXPECT_STREQ("installing the keys: KTLSO_RX_SECRET: ENOENT (No such file or directory)",
		     cl->out.reason);
}

/* The real installer on a socket without a TLS layer: setsockopt's errno. */
TEST(kernel_keys_refused)
{
	struct ktlso_session_result res = { 0 };
	const char *step = NULL;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	res.tx.info.version = TLS_1_3_VERSION;
	res.tx.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	res.tx_len = sizeof(res.tx.aes_gcm_128);
	res.rx = res.tx;
	res.rx_len = res.tx_len;
	EXPECT_GT(0, kd_install_kernel_keys(NULL, sv[0], &res, &step));
	EXPECT_STREQ("TLS_TX", step);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A handshake keeps its configuration: dropped by the daemon (a reload),
 * it stays until the handshake ends. The deadline defaults to the file's.
 */
TEST_F(runner, holds_its_config)
{
	struct kd_config *conf = self->b.conf;
	const struct req rq = { .role = KTLSO_ROLE_SERVER };
	struct kd_hs_params p = { .role = KTLSO_ROLE_SERVER, .who = &root };
	struct kd_hs *h;
	struct side *sd;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	p.fd = sv[0];
	ASSERT_EQ(0, kd_hs_new(&h, conf, &p, 1000));
	EXPECT_EQ(1000u + 1234u, h->deadline_ms);
	EXPECT_STREQ("default", h->profile);
	EXPECT_EQ(2u, conf->refs);
	kd_hs_free(h);
	EXPECT_EQ(1u, conf->refs);

	sd = start(&self->b, sv[0], &rq);
	EXPECT_EQ(2u, conf->refs);
	self->b.conf = NULL;
	kd_config_put(conf);		/* what a reload does */
	EXPECT_EQ(1u, conf->refs);
	kd_runner_abort(&self->b.r, ECONNABORTED, "stopping");
	EXPECT_TRUE(sd->done);
	EXPECT_EQ(ECONNABORTED, sd->out.status);
	EXPECT_STREQ("stopping", sd->out.reason);
	close(sv[1]);
}

TEST(alpn_from_wire)
{
	struct ktlso_config cfg;
	uint8_t many[2 * (KTLSO_CONFIG_MAX_ALPN + 1)];
	size_t i;

	ktlso_config_init(&cfg);
	ASSERT_EQ(0, kd_alpn_from_wire(&cfg, (const uint8_t *)"\x02h2", 3));
	ASSERT_EQ(1u, cfg.n_alpn);
	EXPECT_STREQ("h2", cfg.alpn[0]);
	ASSERT_EQ(0, kd_alpn_from_wire(&cfg,
				       (const uint8_t *)"\x08http/1.1\x02h2",
				       12));
	ASSERT_EQ(2u, cfg.n_alpn);
	EXPECT_STREQ("http/1.1", cfg.alpn[0]);
	EXPECT_STREQ("h2", cfg.alpn[1]);
	/* Nothing: the list stays. */
	ASSERT_EQ(0, kd_alpn_from_wire(&cfg, NULL, 0));
	EXPECT_EQ(2u, cfg.n_alpn);
	/* Refused, and the list stays. */
	EXPECT_EQ(-EINVAL, kd_alpn_from_wire(&cfg, (const uint8_t *)"\x00", 1));
	EXPECT_EQ(-EINVAL, kd_alpn_from_wire(&cfg, (const uint8_t *)"\x03h2",
					     3));
	EXPECT_EQ(-EINVAL, kd_alpn_from_wire(&cfg,
					     (const uint8_t *)"\x02h\0", 3));
	EXPECT_EQ(-EINVAL, kd_alpn_from_wire(&cfg,
					     (const uint8_t *)"\x02h2\x02h2",
					     6));
	for (i = 0; i < KTLSO_CONFIG_MAX_ALPN + 1; i++) {
		many[2 * i] = 1;
		many[2 * i + 1] = (uint8_t)('a' + i);
	}
	EXPECT_EQ(-EINVAL, kd_alpn_from_wire(&cfg, many, sizeof(many)));
	EXPECT_EQ(0, kd_alpn_from_wire(&cfg, many, sizeof(many) - 2));
	EXPECT_EQ((size_t)KTLSO_CONFIG_MAX_ALPN, cfg.n_alpn);
}

TEST_HARNESS_MAIN
