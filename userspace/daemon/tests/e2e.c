// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod end to end, with the ktlso module: build/bin/ktlsod runs with a
 * configuration made here, TCP connections over loopback ask for
 * handshakes with KTLSO_HANDSHAKE, and the record layer then carries data
 * both ways. Success, concurrency, verification failures, unknown
 * profiles, the kernel's timeout, SIGHUP reloads (good and bad, and one
 * stuck on a file while handshakes go on).
 *
 * Needs the module loaded and CAP_NET_ADMIN (a VM run: selftests/vm/run
 * -- build/tests/host/daemon-e2e); everywhere else every test is skipped.
 * One daemon serves the whole program: started before the tests, stopped
 * after them (it must exit 0).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#include "kselftest_harness.h"

#include "daemon/genl.h"
#include "kd_test.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static struct {
	pid_t pid;			/* 0: no daemon (skip) */
	char why[128];			/* why there is none */
	char conf[KD_PATH], log[KD_PATH];
} d;

static const char *const conf_text =
	"log_level = info\n"
	"[profile default]\n"
	"cert = srv.pem srv.key\n"
	"[profile web]\n"
	"cert = srv.pem srv.key\n"
	"alpn = http/1.1\n"
	"[profile client]\n"
	"cafile = root.pem\n"
	"[profile wrong-ca]\n"
	"cafile = other-root.pem\n"
	"[profile tls12]\n"
	"cafile = root.pem\n"
	"max_version = 1.2\n";

/* How many lines of the daemon's log hold @what. */
static int log_count(const char *what)
{
	FILE *f = fopen(d.log, "r");
	size_t cap = 0;
	char *line = NULL;
	int n = 0;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) >= 0)
		n += strstr(line, what) != NULL;
	free(line);
	fclose(f);
	return n;
}

/* Wait until @count lines of the log hold @what (or @ms pass). */
static bool log_has(const char *what, int count, int ms)
{
	int i;

	for (i = 0; i < ms / 50; i++) {
		if (log_count(what) >= count)
			return true;
		usleep(50000);
	}
	return false;
}

static void __attribute__((constructor(200))) daemon_start(void)
{
	struct kd_genl g;
	int fd;

	if (geteuid() != 0) {
		snprintf(d.why, sizeof(d.why), "needs root (CAP_NET_ADMIN)");
		return;
	}
	if (kd_genl_open(&g)) {
		snprintf(d.why, sizeof(d.why), "no ktlso netlink family (module not loaded)");
		return;
	}
	kd_genl_close(&g);
	if (kd_test_write(d.conf, "e2e.conf", "%s", conf_text) ||
	    kd_test_path(d.log, "ktlsod.log"))
		abort();
	d.pid = fork();
	if (d.pid == 0) {
		fd = open(d.log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execl(KTLSO_SRCDIR "/build/bin/ktlsod", "ktlsod", "--config",
		      d.conf, "--foreground", (char *)NULL);
		_exit(127);
	}
	if (d.pid < 0 || !log_has("ready", 1, 120000)) {
		snprintf(d.why, sizeof(d.why), "ktlsod did not start");
		if (d.pid > 0)
			kill(d.pid, SIGKILL);
		d.pid = 0;
		/* Not a skip: a daemon that fails to start is a failure. */
		fprintf(stderr, "ktlsod did not start\n");
		exit(1);
	}
}

static void __attribute__((destructor(200))) daemon_stop(void)
{
	int status = 0;
	char buf[4096];
	ssize_t n;
	int fd;

	if (!d.pid)
		return;
	kill(d.pid, SIGTERM);
	waitpid(d.pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "# ktlsod ended with status %#x; its log:\n",
			status);
		fd = open(d.log, O_RDONLY);
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stderr);
		if (fd >= 0)
			close(fd);
		_exit(1);
	}
}

/* --- the application's side ---------------------------------------------- */

struct conn {
	int c, s;			/* client and server ends */
};

static int tcp_pair(struct conn *cn)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 8) ||
	    getsockname(l, (void *)&a, &len))
		return -1;
	cn->c = socket(AF_INET, SOCK_STREAM, 0);
	if (cn->c < 0 || connect(cn->c, (void *)&a, sizeof(a)))
		return -1;
	cn->s = accept(l, NULL, NULL);
	close(l);
	return cn->s < 0 ? -1 : 0;
}

static int ask(int fd, int role, const char *profile, const char *name,
	       const char *alpn, uint32_t timeout_ms)
{
	struct ktlso_hs_request r;

	memset(&r, 0, sizeof(r));
	r.role = (uint8_t)role;
	r.timeout_ms = timeout_ms;
	if (profile)
		snprintf(r.profile, sizeof(r.profile), "%s", profile);
	if (name)
		snprintf(r.server_name, sizeof(r.server_name), "%s", name);
	if (alpn) {
		r.alpn_len = (uint32_t)strlen(alpn);
		memcpy(r.alpn, alpn, r.alpn_len);
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
		       sizeof(KTLSO_ULP_NAME) - 1) ||
	    setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &r, sizeof(r)))
		return -errno;
	return 0;
}

/* Poll the handshake's state until it ends (or 60 s: TCG is slow). */
static int wait_end(int fd, struct ktlso_hs_result *res)
{
	socklen_t len;
	int i;

	for (i = 0; i < 1200; i++) {
		len = sizeof(*res);
		if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, res, &len))
			return -errno;
		if (res->state == KTLSO_HS_DONE || res->state == KTLSO_HS_FAILED)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

static void close_conn(struct conn *cn)
{
	close(cn->c);
	close(cn->s);
}

/* Both done; data crosses the record layer both ways. */
static void handshake_ok(struct __test_metadata *_metadata, struct conn *cn,
			 struct ktlso_hs_result *cr,
			 struct ktlso_hs_result *sr)
{
	char buf[32];

	ASSERT_EQ(0, wait_end(cn->c, cr));
	ASSERT_EQ(0, wait_end(cn->s, sr));
	ASSERT_EQ((uint32_t)KTLSO_HS_DONE, cr->state)
		TH_LOG("client error %u", cr->error);
	ASSERT_EQ((uint32_t)KTLSO_HS_DONE, sr->state)
		TH_LOG("server error %u", sr->error);
	EXPECT_EQ(cr->version, sr->version);
	EXPECT_EQ(cr->cipher, sr->cipher);
	ASSERT_EQ(4, write(cn->c, "ping", 4));
	ASSERT_EQ(4, read(cn->s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(5, write(cn->s, "pong!", 5));
	ASSERT_EQ(5, read(cn->c, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "pong!", 5));
}

#define NEED_DAEMON()                                                   \
	do {                                                            \
		if (!d.pid)                                             \
			SKIP(return, "%s", d.why);                      \
	} while (0)

TEST(handshake_and_data)
{
	struct ktlso_hs_result cr, sr;
	struct conn cn;

	NEED_DAEMON();
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "web", NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "client",
			 "server.example", "\x02h2\x08http/1.1", 0));
	handshake_ok(_metadata, &cn, &cr, &sr);
	EXPECT_EQ(TLS_1_3_VERSION, cr.version);
	EXPECT_STREQ("http/1.1", cr.alpn);
	EXPECT_STREQ("http/1.1", sr.alpn);
	EXPECT_STREQ("CN=server.example", cr.peer);
	EXPECT_STREQ("", sr.peer);
	close_conn(&cn);
}

/* The log names who asked: this process, as the kernel told ktlsod. */
TEST(log_names_the_requester)
{
	struct ktlso_hs_result cr, sr;
	char who[64];
	struct conn cn;
	int before;

	NEED_DAEMON();
	snprintf(who, sizeof(who), "profile web for uid 0 pid %d: TLS",
		 (int)getpid());
	before = log_count(who);
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "web", NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "client",
			 "server.example", NULL, 0));
	handshake_ok(_metadata, &cn, &cr, &sr);
	EXPECT_TRUE(log_has(who, before + 1, 5000)) {
		TH_LOG("no log line holds \"%s\"", who);
	}
	close_conn(&cn);
}

TEST(tls12)
{
	struct ktlso_hs_result cr, sr;
	struct conn cn;

	NEED_DAEMON();
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, NULL, NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "tls12",
			 "server.example", NULL, 0));
	handshake_ok(_metadata, &cn, &cr, &sr);
	EXPECT_EQ(TLS_1_2_VERSION, cr.version);
	EXPECT_STREQ("CN=server.example", cr.peer);
	close_conn(&cn);
}

TEST(many_at_once)
{
	struct ktlso_hs_result cr, sr;
	struct conn cn[16];
	int i;

	NEED_DAEMON();
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, tcp_pair(&cn[i]));
		ASSERT_EQ(0, ask(cn[i].s, KTLSO_HS_ROLE_SERVER, NULL, NULL,
				 NULL, 0));
		ASSERT_EQ(0, ask(cn[i].c, KTLSO_HS_ROLE_CLIENT, "client",
				 "server.example", NULL, 0));
	}
	for (i = 0; i < 16; i++) {
		handshake_ok(_metadata, &cn[i], &cr, &sr);
		close_conn(&cn[i]);
	}
}

TEST(unknown_ca)
{
	struct ktlso_hs_result cr, sr;
	struct conn cn;

	NEED_DAEMON();
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, NULL, NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "wrong-ca",
			 "server.example", NULL, 0));
	ASSERT_EQ(0, wait_end(cn.c, &cr));
	ASSERT_EQ(0, wait_end(cn.s, &sr));
	EXPECT_EQ((uint32_t)KTLSO_HS_FAILED, cr.state);
	EXPECT_EQ((uint32_t)EACCES, cr.error);
	EXPECT_EQ((uint32_t)KTLSO_HS_FAILED, sr.state);
	EXPECT_EQ((uint32_t)ECONNREFUSED, sr.error);
	close_conn(&cn);
}

TEST(unknown_profile)
{
	struct ktlso_hs_result sr;
	struct conn cn;

	NEED_DAEMON();
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "nosuch", NULL, NULL, 0));
	ASSERT_EQ(0, wait_end(cn.s, &sr));
	EXPECT_EQ((uint32_t)KTLSO_HS_FAILED, sr.state);
	EXPECT_EQ((uint32_t)ECONNABORTED, sr.error);
	close_conn(&cn);
}

/* A peer that never speaks: the request's own timeout ends it. */
TEST(silent_peer_times_out)
{
	struct ktlso_hs_result sr;
	struct conn cn;

	NEED_DAEMON();
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, NULL, NULL, NULL, 1500));
	ASSERT_EQ(0, wait_end(cn.s, &sr));
	EXPECT_EQ((uint32_t)KTLSO_HS_FAILED, sr.state);
	EXPECT_EQ((uint32_t)ETIMEDOUT, sr.error);
	close_conn(&cn);
}

/*
 * A reload stuck on a file (a FIFO nobody writes yet stands for a slow
 * disk) holds up no handshake: requests are still taken and served, and
 * the new configuration comes in once the file does.
 */
TEST(reload_off_the_loop)
{
	struct ktlso_hs_result cr, sr;
	char path[KD_PATH], fifo[KD_PATH];
	struct conn cn;
	pid_t feeder;
	int i, loads, reloads;

	NEED_DAEMON();
	ASSERT_EQ(0, kd_test_fifo(fifo, "slow-ca.pem"));
	ASSERT_EQ(0, kd_test_write(path, "e2e.conf",
				   "%s[profile slow]\ncafile = %s\n",
				   conf_text, fifo));
	loads = log_count("profile slow:");
	reloads = log_count("reloading /");
	ASSERT_EQ(0, kill(d.pid, SIGHUP));
	ASSERT_TRUE(log_has("reloading /", reloads + 1, 60000));
	usleep(300000);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, tcp_pair(&cn));
		ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "web", NULL, NULL,
				 15000));
		ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "client",
				 "server.example", NULL, 15000));
		handshake_ok(_metadata, &cn, &cr, &sr);
		close_conn(&cn);
	}
	EXPECT_EQ(loads, log_count("profile slow:"));

	feeder = kd_test_feed_fifo(fifo);
	ASSERT_LT(0, feeder);
	EXPECT_TRUE(log_has("profile slow:", loads + 1, 60000));
	kd_test_stop_feeding(feeder);
	unlink(fifo);
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "web", NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "slow", "server.example",
			 NULL, 0));
	handshake_ok(_metadata, &cn, &cr, &sr);
	close_conn(&cn);
}

/* SIGHUP: a bad file changes nothing; a good one adds a profile. */
TEST(reload)
{
	struct ktlso_hs_result cr, sr;
	struct conn cn;
	char path[KD_PATH];

	NEED_DAEMON();
	ASSERT_EQ(0, kd_test_write(path, "e2e.conf", "%sbogus = 1\n",
				   conf_text));
	ASSERT_EQ(0, kill(d.pid, SIGHUP));
	ASSERT_TRUE(log_has("the old configuration stays", 1, 60000));
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "web", NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "client",
			 "server.example", NULL, 0));
	handshake_ok(_metadata, &cn, &cr, &sr);
	close_conn(&cn);

	ASSERT_EQ(0, kd_test_write(path, "e2e.conf",
				   "%s[profile late]\ncert = srv.pem srv.key\n",
				   conf_text));
	ASSERT_EQ(0, kill(d.pid, SIGHUP));
	ASSERT_TRUE(log_has("profile late:", 1, 60000));
	ASSERT_EQ(0, tcp_pair(&cn));
	ASSERT_EQ(0, ask(cn.s, KTLSO_HS_ROLE_SERVER, "late", NULL, NULL, 0));
	ASSERT_EQ(0, ask(cn.c, KTLSO_HS_ROLE_CLIENT, "client",
			 "server.example", NULL, 0));
	handshake_ok(_metadata, &cn, &cr, &sr);
	close_conn(&cn);
}

TEST_HARNESS_MAIN
