// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's worker threads without the kernel: many handshakes over
 * socketpairs spread over several workers, each with the right outcome
 * and matching keys on both ends; every worker used; silent peers that
 * hold up no one on their worker; failures that stay with their own
 * handshake; a stop with handshakes in flight; bad pool sizes. Built twice:
 * with ASan/UBSan as daemon-workers, with ThreadSanitizer as
 * daemon-workers-tsan.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/tls.h>

#include "kselftest_harness.h"

#include "daemon/workers.h"
#include "kd_test.h"

#define MAX_SIDES 256

struct side {
	int fd;
	bool done;
	struct kd_outcome out;
	uint64_t ended;
	union ktlso_crypto_info tx, rx;
	size_t tx_len, rx_len;
};

struct bed {
	struct kd_config *conf;
	struct kd_workers ws;
	struct side s[MAX_SIDES];
	size_t n, ended;
};

/* Runs on a worker; the main thread reads the side once it is done. */
static int install_hook(void *arg, int fd,
			const struct ktlso_session_result *res,
			const char **step)
{
	struct side *sd = arg;

	(void)fd;
	(void)step;
	sd->tx = res->tx;
	sd->rx = res->rx;
	sd->tx_len = res->tx_len;
	sd->rx_len = res->rx_len;
	return 0;
}

/* The main thread's: every handshake comes back here exactly once. */
static void on_done(void *arg, struct kd_hs *h)
{
	struct bed *b = arg;
	struct side *sd = h->user;

	if (sd->done)
		abort();
	sd->done = true;
	sd->ended = kd_now_ms();
	sd->out = h->out;
	sd->out.peer_cert = NULL;
	b->ended++;
	kd_hs_free(h);
}

static const struct kd_requester root = { .known = true };

static struct side *start(struct bed *b, int fd, enum ktlso_role role,
			  const char *profile, uint32_t timeout_ms)
{
	struct side *sd = &b->s[b->n++];
	struct kd_hs_params p = {
		.fd = fd,
		.role = role,
		.profile = profile,
		.server_name = role == KTLSO_ROLE_CLIENT ? "server.example" :
							   NULL,
		.timeout_ms = timeout_ms,
		.peer = role == KTLSO_ROLE_CLIENT ? "client" : "server",
		.who = &root,
		.install = install_hook,
		.install_arg = sd,
	};
	struct kd_hs *h;

	sd->fd = fd;
	if (kd_hs_new(&h, b->conf, &p, kd_now_ms()))
		abort();
	h->user = sd;
	kd_workers_submit(&b->ws, h);
	return sd;
}

/* A connected pair: a server of @sp and a client of @cp. */
static void start_pair(struct bed *b, const char *sp, const char *cp,
		       struct side **server, struct side **client)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	*server = start(b, sv[0], KTLSO_ROLE_SERVER, sp, 20000);
	*client = start(b, sv[1], KTLSO_ROLE_CLIENT, cp, 20000);
}

/* Collect on the main thread until @want sides are done, or @max_ms. */
static void collect_until(struct bed *b, size_t want, uint64_t max_ms)
{
	uint64_t end = kd_now_ms() + max_ms;
	struct pollfd p = { .fd = kd_workers_done_fd(&b->ws),
			    .events = POLLIN };

	while (b->ended < want && kd_now_ms() < end) {
		poll(&p, 1, 100);
		kd_workers_collect(&b->ws);
	}
}

static bool keys_match(const struct side *a, const struct side *b)
{
	return a->tx_len && a->tx_len == b->rx_len &&
	       memcmp(&a->tx, &b->rx, a->tx_len) == 0 &&
	       a->rx_len == b->tx_len && memcmp(&a->rx, &b->tx, a->rx_len) == 0;
}

FIXTURE(workers) {
	struct bed b;
};

FIXTURE_VARIANT(workers) {
	size_t n;
};

FIXTURE_VARIANT_ADD(workers, one) { .n = 1 };
FIXTURE_VARIANT_ADD(workers, four) { .n = 4 };

FIXTURE_SETUP(workers)
{
	struct kd_reports rep;
	char path[KD_PATH];

	memset(&self->b, 0, sizeof(self->b));
	ASSERT_EQ(0, kd_test_write(path, "workers.conf",
		"[profile default]\n"
		"cert = srv.pem srv.key\n"
		"[profile client]\n"
		"cafile = root.pem\n"
		"[profile wrong-ca]\n"
		"cafile = other-root.pem\n"
		"[profile tls12]\n"
		"cafile = root.pem\n"
		"max_version = 1.2\n"));
	ASSERT_EQ(0, kd_test_load(&self->b.conf, path, &rep))
		TH_LOG("%s", rep.msg[0]);
	ASSERT_EQ(0, kd_workers_start(&self->b.ws, variant->n, on_done,
				      &self->b));
}

FIXTURE_TEARDOWN(workers)
{
	size_t i;

	kd_workers_stop(&self->b.ws, ECONNABORTED, "teardown");
	for (i = 0; i < self->b.n; i++) {
		EXPECT_TRUE(self->b.s[i].done);
		close(self->b.s[i].fd);
	}
	kd_config_put(self->b.conf);
	EXPECT_EQ(0, kd_test_leaks());
}

#define PAIRS 48

TEST_F(workers, many_pairs_spread)
{
	struct side *sv[PAIRS], *cl[PAIRS];
	size_t i, handled, total = 0;

	for (i = 0; i < PAIRS; i++)
		start_pair(&self->b, "default", i % 3 ? "client" : "tls12",
			   &sv[i], &cl[i]);
	collect_until(&self->b, 2 * PAIRS, 60000);
	ASSERT_EQ(2U * PAIRS, self->b.ended);
	for (i = 0; i < PAIRS; i++) {
		EXPECT_EQ(0, sv[i]->out.status) TH_LOG("%s", sv[i]->out.reason);
		EXPECT_EQ(0, cl[i]->out.status) TH_LOG("%s", cl[i]->out.reason);
		EXPECT_EQ(i % 3 ? TLS_1_3_VERSION : TLS_1_2_VERSION,
			  cl[i]->out.version);
		EXPECT_TRUE(keys_match(sv[i], cl[i])) TH_LOG("pair %zu", i);
	}
	for (i = 0; i < variant->n; i++) {
		EXPECT_EQ(0U, kd_workers_load(&self->b.ws, i, &handled));
		EXPECT_LT(0U, handled) TH_LOG("worker %zu got nothing", i);
		total += handled;
	}
	EXPECT_EQ(2U * PAIRS, total);
	EXPECT_EQ(0U, self->b.ws.in_flight);
}

/*
 * Servers whose clients never speak sit on every worker; handshakes
 * started after them complete long before their deadline.
 */
TEST_F(workers, silent_peers_hold_up_no_one)
{
	struct side *sv[16], *cl[16], *silent[8];
	int quiet[8];
	uint64_t t0 = kd_now_ms();
	size_t i;

	for (i = 0; i < 8; i++) {
		int sp[2];

		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
					sp));
		silent[i] = start(&self->b, sp[0], KTLSO_ROLE_SERVER,
				  "default", 4000);
		quiet[i] = sp[1];
	}
	for (i = 0; i < 16; i++)
		start_pair(&self->b, "default", "client", &sv[i], &cl[i]);
	collect_until(&self->b, 32, 30000);
	ASSERT_EQ(32U, self->b.ended);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, sv[i]->out.status) TH_LOG("%s", sv[i]->out.reason);
		EXPECT_EQ(0, cl[i]->out.status) TH_LOG("%s", cl[i]->out.reason);
		EXPECT_GT(t0 + 4000, cl[i]->ended);
	}
	for (i = 0; i < 8; i++)
		EXPECT_FALSE(silent[i]->done);
	collect_until(&self->b, 40, 15000);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(ETIMEDOUT, silent[i]->out.status);
		EXPECT_LE(t0 + 4000, silent[i]->ended);
		close(quiet[i]);
	}
}

/* A failed verification ends its own pair only. */
TEST_F(workers, failures_stay_with_their_handshake)
{
	struct side *sv[24], *cl[24];
	size_t i;

	for (i = 0; i < 24; i++)
		start_pair(&self->b, "default", i % 2 ? "wrong-ca" : "client",
			   &sv[i], &cl[i]);
	collect_until(&self->b, 48, 60000);
	ASSERT_EQ(48U, self->b.ended);
	for (i = 0; i < 24; i++) {
		if (i % 2) {
			EXPECT_NE(0, cl[i]->out.status);
			EXPECT_NE(0, sv[i]->out.status);
		} else {
			EXPECT_EQ(0, cl[i]->out.status)
				TH_LOG("%s", cl[i]->out.reason);
			EXPECT_TRUE(keys_match(sv[i], cl[i]));
		}
	}
}

/* Stopping hands back everything in flight, failed with the status. */
TEST_F(workers, stop_with_handshakes_in_flight)
{
	struct side *silent[12];
	int quiet[12];
	size_t i;

	for (i = 0; i < 12; i++) {
		int sp[2];

		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
					sp));
		silent[i] = start(&self->b, sp[0], KTLSO_ROLE_SERVER,
				  "default", 20000);
		quiet[i] = sp[1];
	}
	kd_workers_stop(&self->b.ws, ECONNABORTED, "stopping");
	EXPECT_EQ(12U, self->b.ended);
	for (i = 0; i < 12; i++) {
		EXPECT_EQ(ECONNABORTED, silent[i]->out.status);
		EXPECT_STREQ("stopping", silent[i]->out.reason);
		close(quiet[i]);
	}
}

TEST(pool_sizes)
{
	struct kd_workers ws;
	size_t n = kd_workers_default();
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	EXPECT_LE(1U, n);
	EXPECT_GE((size_t)online, n);
	EXPECT_EQ(-EINVAL, kd_workers_start(&ws, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, kd_workers_start(&ws, KD_WORKERS_MAX + 1, NULL,
					    NULL));
	/* A pool never started, or stopped, stops again harmlessly. */
	kd_workers_stop(&ws, ECONNABORTED, "none");
}

TEST_HARNESS_MAIN
