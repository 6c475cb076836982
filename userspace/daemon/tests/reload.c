// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's reloads (reload.h, kd_daemon_reload_collect()): a bad file
 * keeps the old configuration and a good one replaces it, while a
 * handshake in flight keeps the one it started with; a load runs off the
 * caller's thread, so one stuck on a file (a FIFO nobody writes stands for
 * a slow disk) holds up neither the caller nor a stop, and a SIGHUP during
 * a load brings one more load after it.
 */
#include <unistd.h>

#include "kselftest_harness.h"

#include "daemon/daemon.h"
#include "kd_test.h"

/*
 * SIGHUP: a bad file keeps the old configuration; a good one replaces it
 * while a handshake in flight keeps the one it started with.
 */
TEST(bad_keeps_good_replaces)
{
	struct kd_daemon d = { 0 };
	struct kd_config *in_flight;
	const struct kd_profile *p;
	struct kd_reports r;
	char path[KD_PATH];

	ASSERT_EQ(0, kd_test_write(path, "reload.conf",
				   "max_handshakes = 5\n"
				   "[profile default]\ncert = %s %s\n",
				   kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&d.conf, path, &r));
	d.conf_path = path;
	ASSERT_EQ(0, kd_reload_init(&d.reload, path, NULL));
	in_flight = kd_config_get(d.conf);
	p = kd_config_profile(in_flight, NULL);

	ASSERT_EQ(0, kd_test_write(path, "reload.conf",
				   "max_handshakes = 7\n"
				   "[profile default]\ncert = %s %s\n"
				   "mystery = 1\n",
				   kd_files.srv_cert, kd_files.srv_key));
	EXPECT_EQ(-1, kd_test_reload(&d, 30000));
	EXPECT_EQ(in_flight, d.conf);
	EXPECT_EQ(5u, d.conf->max_handshakes);
	EXPECT_EQ(2u, d.conf->refs);

	ASSERT_EQ(0, kd_test_write(path, "reload.conf",
				   "max_handshakes = 9\nlog_level = warning\n"
				   "[profile default]\ncafile = %s\n"
				   "[profile web]\ncert = %s %s\n",
				   kd_files.root, kd_files.srv_cert,
				   kd_files.srv_key));
	ASSERT_EQ(1, kd_test_reload(&d, 30000));
	EXPECT_NE(in_flight, d.conf);
	EXPECT_EQ(9u, d.conf->max_handshakes);
	EXPECT_TRUE(kd_log_get_level() == KD_LOG_WARNING);
	EXPECT_NE(NULL, kd_config_profile(d.conf, "web"));
	EXPECT_FALSE(kd_config_profile(d.conf, NULL)->can_server);
	/* The old one lives on for its handshake, unchanged. */
	EXPECT_EQ(1u, in_flight->refs);
	EXPECT_EQ(5u, in_flight->max_handshakes);
	EXPECT_EQ(p, kd_config_profile(in_flight, NULL));
	EXPECT_TRUE(p->can_server);
	EXPECT_NE(NULL, p->creds[0].key);
	/* Nothing ended: nothing to collect. */
	EXPECT_EQ(0, kd_daemon_reload_collect(&d));
	EXPECT_FALSE(kd_reload_fini(&d.reload, 0));
	kd_config_put(in_flight);
	kd_config_put(d.conf);
	kd_log_set_level(KD_LOG_ERROR);
	EXPECT_EQ(0, kd_test_leaks());
}

/*
 * A load stuck on a file: the request returns at once, nothing changes
 * until the file comes, and a request meanwhile brings a second load.
 */
TEST(off_the_callers_thread)
{
	char path[KD_PATH], fifo[KD_PATH];
	struct kd_daemon d = { 0 };
	struct kd_config *first;
	struct kd_reports r;
	uint64_t t0;
	pid_t feeder;

	ASSERT_EQ(0, kd_test_fifo(fifo, "slow-ca.pem"));
	ASSERT_EQ(0, kd_test_write(path, "slow.conf",
				   "[profile default]\ncert = %s %s\n",
				   kd_files.srv_cert, kd_files.srv_key));
	ASSERT_EQ(0, kd_test_load(&d.conf, path, &r));
	d.conf_path = path;
	ASSERT_EQ(0, kd_reload_init(&d.reload, path, NULL));
	first = d.conf;
	ASSERT_EQ(0, kd_test_write(path, "slow.conf",
				   "[profile default]\ncert = %s %s\n"
				   "[profile slow]\ncafile = %s\n",
				   kd_files.srv_cert, kd_files.srv_key, fifo));

	t0 = kd_now_ms();
	ASSERT_EQ(0, kd_reload_request(&d.reload));
	EXPECT_GT(1000u, kd_now_ms() - t0);
	EXPECT_FALSE(kd_test_reload_ended(&d, 300));
	EXPECT_EQ(0, kd_daemon_reload_collect(&d));
	EXPECT_EQ(first, d.conf);
	/* A SIGHUP meanwhile: noted, returns at once too. */
	t0 = kd_now_ms();
	ASSERT_EQ(0, kd_reload_request(&d.reload));
	EXPECT_GT(1000u, kd_now_ms() - t0);
	EXPECT_TRUE(d.reload.again);

	feeder = kd_test_feed_fifo(fifo);
	ASSERT_LT(0, feeder);
	ASSERT_TRUE(kd_test_reload_ended(&d, 20000));
	EXPECT_EQ(1, kd_daemon_reload_collect(&d));
	EXPECT_NE(first, d.conf);
	EXPECT_NE(NULL, kd_config_profile(d.conf, "slow"));
	EXPECT_TRUE(kd_config_profile(d.conf, "slow")->has_trust);
	first = d.conf;
	/* The second load, asked for during the first. */
	EXPECT_TRUE(d.reload.running);
	EXPECT_FALSE(d.reload.again);
	ASSERT_TRUE(kd_test_reload_ended(&d, 20000));
	EXPECT_EQ(1, kd_daemon_reload_collect(&d));
	EXPECT_NE(first, d.conf);
	EXPECT_FALSE(d.reload.running);
	kd_test_stop_feeding(feeder);

	EXPECT_FALSE(kd_reload_fini(&d.reload, 0));
	kd_config_put(d.conf);
	unlink(fifo);
	EXPECT_EQ(0, kd_test_leaks());
}

/*
 * A load of a configuration "NAME.conf" whose CA file is the new FIFO
 * "NAME-ca.pem" (its path into @fifo), started on @rl.
 */
static int start_stuck_load(struct kd_reload *rl, char *fifo,
			    const char *name)
{
	char path[KD_PATH], file[64];

	snprintf(file, sizeof(file), "%s-ca.pem", name);
	if (kd_test_fifo(fifo, file))
		return -1;
	snprintf(file, sizeof(file), "%s.conf", name);
	if (kd_test_write(path, file, "[profile slow]\ncafile = %s\n", fifo) ||
	    kd_reload_init(rl, path, NULL))
		return -1;
	return kd_reload_request(rl);
}

/* A stop waits for a load that ends in time, and drops what it loaded. */
TEST(stop_joins_a_load_that_ends)
{
	char fifo[KD_PATH];
	struct kd_reload rl;
	pid_t feeder;

	ASSERT_EQ(0, start_stuck_load(&rl, fifo, "late"));
	feeder = kd_test_feed_fifo(fifo);
	ASSERT_LT(0, feeder);
	EXPECT_FALSE(kd_reload_fini(&rl, 20000));
	kd_test_stop_feeding(feeder);
	EXPECT_FALSE(rl.running);
	EXPECT_EQ(NULL, rl.conf);
	EXPECT_EQ(-1, rl.fd);
	unlink(fifo);
	EXPECT_EQ(0, kd_test_leaks());
}

/* A stop does not wait long for a load stuck on a file. */
TEST(stop_leaves_a_stuck_load)
{
	char fifo[KD_PATH];
	struct kd_reload rl;
	uint64_t t0;
	pid_t feeder;

	ASSERT_EQ(0, start_stuck_load(&rl, fifo, "stuck"));
	t0 = kd_now_ms();
	EXPECT_TRUE(kd_reload_fini(&rl, 200));
	EXPECT_LE(200u, kd_now_ms() - t0);
	EXPECT_GT(5000u, kd_now_ms() - t0);

	/* What the process's exit would do, done here to free it all. */
	feeder = kd_test_feed_fifo(fifo);
	ASSERT_LT(0, feeder);
	ASSERT_EQ(0, pthread_join(rl.thread, NULL));
	kd_test_stop_feeding(feeder);
	EXPECT_EQ(0, rl.ret);
	kd_config_put(rl.conf);
	close(rl.fd);
	unlink(fifo);
	EXPECT_EQ(0, kd_test_leaks());
}

TEST_HARNESS_MAIN
