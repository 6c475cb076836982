// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso.ko's lifetime: sockets pin it, it unloads once none uses it, and
 * attaching the ULP loads it again through its module alias; it unloads
 * and comes back while sockets come and go and a daemon runs handshakes,
 * and a daemon's netlink socket that outlives the module fails cleanly.
 *
 * Needs root and runs in the VM (selftests/vm/run makes ktlso.ko visible to
 * modprobe, so the kernel's autoloader can find it).
 */

#include <sys/mman.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "ktlso_daemon.h"
#include "ktlso_genl.h"
#include "ktlso_test.h"

/* Make sure ktlso is loaded, through the autoloader if need be. */
static void load_by_attach(struct __test_metadata *_metadata)
{
	int cfd, sfd;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ktlso_close_now(cfd);
	close(sfd);
	ASSERT_TRUE(ktlso_module_loaded("ktlso"));
}

TEST(sockets_pin_the_module)
{
	int c1, s1, c2, s2, base;

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	base = ktlso_module_refcnt();

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &c1, &s1));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET6, &c2, &s2));
	ASSERT_EQ(0, ktlso_attach(c1));
	ASSERT_EQ(0, ktlso_attach(c2));
	ASSERT_EQ(0, ktlso_attach(s2));
	EXPECT_EQ(base + 3, ktlso_module_refcnt());

	/* In use: unloading must fail and leave the module in place. */
	EXPECT_EQ(-1, ktlso_delete_module("ktlso"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(ktlso_module_loaded("ktlso"));

	/* A failed attach takes no reference. */
	EXPECT_EQ(-EEXIST, ktlso_attach(c1));
	EXPECT_EQ(base + 3, ktlso_module_refcnt());

	ktlso_close_now(c1);
	close(s1);
	ktlso_close_now(c2);
	ktlso_close_now(s2);
	EXPECT_TRUE(ktlso_wait_refcnt(base, 5000));
}

TEST(gracefully_closed_sockets_release_the_module)
{
	char c;
	int cfd, sfd;

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ASSERT_EQ(0, ktlso_attach(sfd));
	EXPECT_EQ(2, ktlso_module_refcnt());
	/* FIN both ways, the client closing first. */
	close(cfd);
	EXPECT_EQ(0, read(sfd, &c, 1));
	close(sfd);
	EXPECT_TRUE(ktlso_wait_refcnt(0, 5000));
}

TEST(unload_then_autoload)
{
	int cfd, sfd;
	char name[16] = "";
	socklen_t len = sizeof(name);

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, ktlso_delete_module("ktlso"));
	ASSERT_FALSE(ktlso_module_loaded("ktlso"));

	/* The next attach finds the ULP through the tcp-ulp-ktlso alias. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	EXPECT_TRUE(ktlso_module_loaded("ktlso"));
	ASSERT_EQ(0, getsockopt(cfd, SOL_TCP, TCP_ULP, name, &len));
	EXPECT_STREQ(KTLSO_ULP_NAME, name);
	ktlso_close_now(cfd);
	close(sfd);
	EXPECT_TRUE(ktlso_wait_refcnt(0, 5000));
}

/* --- unloading under load -------------------------------------------------- */

/*
 * The churn runs at least LOAD_MIN_SECONDS, then until every kind of event
 * it is there to mix has happened (an unload, an attach per worker, a
 * refused handshake), but no longer than LOAD_MAX_SECONDS: on a debug
 * kernel a module autoload alone can take seconds.
 */
#define LOAD_MIN_SECONDS	3
#define LOAD_MAX_SECONDS	60
#define CHURN_WORKERS		2

/* An errno nobody expected, and where: the first one a process saw. */
struct unexpected {
	char what[24];
	int err;		/* negative errno, 0: none */
};

static void note_unexpected(struct unexpected *u, const char *what, int err)
{
	if (u->err)
		return;
	strncpy(u->what, what, sizeof(u->what) - 1);
	u->err = err;
}

/*
 * What the refusing daemon did.  It (re)subscribes whenever no READY came
 * for a while, as the family may have gone with the module and come back
 * under another id, and takes every pending request after subscribing:
 * requests announced to a subscription it dropped are not lost.
 */
struct refuser_report {
	unsigned int opens;		/* subscriptions made */
	unsigned int open_failures;	/* family absent (module unloaded) */
	unsigned int accepted;
	unsigned int done;		/* HS_DONE EACCES taken */
	unsigned int stale;		/* HS_ACCEPT ENOENT */
	struct unexpected bad;
};

/* Take every pending request and refuse it; false if the family is gone. */
static void refuse_pending(struct ktlso_nl *nl, struct refuser_report *rep)
{
	struct ktlso_nl_accepted acc;
	int err;

	for (;;) {
		err = ktlso_nl_accept(nl, &acc);
		if (err) {
			/* Nothing pending, or the family id is stale. */
			if (err == -ENOENT)
				rep->stale++;
			else
				note_unexpected(&rep->bad, "HS_ACCEPT", err);
			return;
		}
		rep->accepted++;
		/* The request's socket pins the module: this must work. */
		err = ktlso_nl_done(nl, acc.fd, EACCES, 0, 0, NULL, NULL);
		if (err)
			note_unexpected(&rep->bad, "HS_DONE", err);
		else
			rep->done++;
		close(acc.fd);
	}
}

/*
 * The churn's processes stop on flags only the test sets.  A test that
 * ends early (a failed ASSERT leaves through the harness, past any code of
 * ours; its fixture teardown is not reliably run in this process) must not
 * leave them churning into the next test: they die with it, and in any
 * case after the longest churn.
 */
static void die_with_the_test(pid_t test)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != test)
		_exit(1);	/* it ended before the line above */
	alarm(LOAD_MAX_SECONDS + 30);
}

/* Set by the test, in memory shared with its children: stop now. */
static bool stop_set(const int *stop)
{
	return __atomic_load_n(stop, __ATOMIC_ACQUIRE);
}

/*
 * What one churning process did; shared with the test, which reads the
 * counters while the process runs (count() and counted()).
 */
struct churn_report {
	unsigned int attached;
	unsigned int absent;		/* attach ENOENT: ULP unregistered */
	unsigned int keyed;		/* TLS_TX set and a record written */
	unsigned int refused;		/* handshakes the daemon refused */
	unsigned int no_daemon;		/* request ESRCH: not subscribed now */
	struct unexpected bad;
};

static void count(unsigned int *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static unsigned int counted(const unsigned int *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Everything the test shares with its children. */
struct churn_shared {
	struct churn_report reps[CHURN_WORKERS];
	int stop;		/* the churn ends */
	int daemon_stop;	/* the daemon ends, after the churn */
	pid_t test;		/* the test's process, their parent */
};

static void refuser_run(void *arg, int ready, int out)
{
	const struct churn_shared *sh = arg;
	const int *stop = &sh->daemon_stop;
	struct refuser_report rep = { 0 };
	bool told = false;
	struct ktlso_nl nl;

	die_with_the_test(sh->test);
	while (!stop_set(stop)) {
		if (ktlso_nl_open(&nl, true)) {
			rep.open_failures++;
			usleep(5000);
			continue;
		}
		rep.opens++;
		if (!told && write(ready, "r", 1) != 1)
			_exit(2);
		told = true;
		do
			refuse_pending(&nl, &rep);
		while (ktlso_nl_wait_ready(&nl, 100) && !stop_set(stop));
		ktlso_nl_close(&nl);
	}
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(3);
	_exit(0);
}

static const struct tls12_crypto_info_aes_gcm_128 churn_key = {
	.info = { .version = TLS_1_3_VERSION,
		  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.key = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
};

/* One connection: attach, then keys and a write, a handshake, or nothing. */
static void churn_once(struct churn_report *rep, unsigned int i)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_CLIENT,
		.timeout_ms = 5000,
	};
	struct timeval tv = { .tv_sec = 5 };
	char buf[100] = { 0 };
	int cfd, sfd, err;

	err = ktlso_tcp_pair(i % 2 ? AF_INET6 : AF_INET, &cfd, &sfd);
	if (err) {
		note_unexpected(&rep->bad, "tcp pair", err);
		return;
	}
	err = ktlso_attach(cfd);
	if (err == -ENOENT) {
		count(&rep->absent);
		goto out;
	}
	if (err) {
		note_unexpected(&rep->bad, "attach", err);
		goto out;
	}
	count(&rep->attached);
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	switch (i % 3) {
	case 1:
		if (setsockopt(cfd, SOL_TLS, TLS_TX, &churn_key,
			       sizeof(churn_key)))
			note_unexpected(&rep->bad, "TLS_TX", -errno);
		else if (write(cfd, buf, sizeof(buf)) != sizeof(buf))
			note_unexpected(&rep->bad, "write", -errno);
		else
			count(&rep->keyed);
		break;
	case 2:
		err = ktlso_request_handshake(cfd, &req);
		if (err == -ESRCH) {
			count(&rep->no_daemon);
			break;
		}
		if (err) {
			note_unexpected(&rep->bad, "KTLSO_HANDSHAKE", err);
			break;
		}
		/* The daemon's verdict reaches the application. */
		if (read(cfd, buf, sizeof(buf)) != -1 || errno != EACCES)
			note_unexpected(&rep->bad, "read after request",
					-errno);
		else
			count(&rep->refused);
		break;
	}
out:
	ktlso_close_now(cfd);
	close(sfd);
}

static pid_t churn_start(struct churn_report *rep, const int *stop,
			 unsigned int seed)
{
	pid_t test = getpid(), pid = fork();

	if (pid == 0) {
		unsigned int i;

		die_with_the_test(test);
		srand(seed);
		for (i = 0; !stop_set(stop); i++) {
			churn_once(rep, i);
			if (rep->bad.err)
				_exit(1);
			/* Gaps in which no ktlso socket may exist. */
			usleep(rand() % 4000);
		}
		_exit(0);
	}
	return pid;
}

/*
 * The first keys of a boot may make the kernel load and self-test its AEAD
 * (modprobe under TCG: seconds): not inside the timed window.
 */
static void warm_up_keys(struct __test_metadata *_metadata)
{
	int cfd, sfd;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	ASSERT_EQ(0, setsockopt(cfd, SOL_TLS, TLS_TX, &churn_key,
				sizeof(churn_key)));
	ktlso_close_now(cfd);
	close(sfd);
}

/* Has every kind of event the churn mixes happened yet? */
static bool churn_mixed(const struct churn_shared *sh, unsigned int unloads)
{
	unsigned int i, refused = 0;

	for (i = 0; i < CHURN_WORKERS; i++) {
		if (!counted(&sh->reps[i].attached))
			return false;
		refused += counted(&sh->reps[i].refused);
	}
	return unloads && refused;
}

/*
 * Unload, again and again, while sockets with ktlso are made and closed
 * in a loop, some with keys, some asking a daemon for a handshake the
 * daemon refuses.  An unload attempt either works or finds the module busy;
 * after one that worked, the next attach loads ktlso again.
 */
FIXTURE(unload) {};
FIXTURE_SETUP(unload) {}
FIXTURE_TEARDOWN(unload) {}

TEST_F_TIMEOUT(unload, under_load, LOAD_MAX_SECONDS + 90)
{
	struct churn_shared *sh;
	struct churn_report *reps;
	struct refuser_report drep;
	struct ktlso_daemon d = { 0 };
	unsigned int unloads = 0, busy = 0, absent = 0, refused = 0, i;
	pid_t workers[CHURN_WORKERS];
	long start, now;
	int status;

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	warm_up_keys(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	reps = sh->reps;

	/* The daemon outlives the churn: no request may lose its daemon. */
	sh->test = getpid();
	ASSERT_EQ(0, ktlso_daemon_start(&d, refuser_run, sh));
	for (i = 0; i < CHURN_WORKERS; i++) {
		workers[i] = churn_start(&reps[i], &sh->stop, i + 1);
		ASSERT_GT(workers[i], 0);
	}

	start = ktlso_now_ms();
	for (;;) {
		int cfd, sfd;

		now = ktlso_now_ms();
		if (now - start >= LOAD_MAX_SECONDS * 1000 ||
		    (now - start >= LOAD_MIN_SECONDS * 1000 &&
		     churn_mixed(sh, unloads)))
			break;
		usleep(20000);
		if (!ktlso_module_loaded("ktlso")) {
			absent++;	/* an autoload is under way */
			continue;
		}
		if (ktlso_delete_module("ktlso")) {
			ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) {
				TH_LOG("delete_module: %s", strerror(errno));
			}
			busy++;
			continue;
		}
		unloads++;
		/* Gone; the next attach brings it back. */
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
		EXPECT_EQ(0, ktlso_attach(cfd));
		EXPECT_TRUE(ktlso_module_loaded("ktlso"));
		ktlso_close_now(cfd);
		close(sfd);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);

	for (i = 0; i < CHURN_WORKERS; i++) {
		ASSERT_EQ(workers[i], waitpid(workers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("worker %u: %s: %s (status %#x)", i,
			       reps[i].bad.what, strerror(-reps[i].bad.err),
			       status);
		}
		TH_LOG("worker %u: %u attached, %u ENOENT, %u keyed, %u refused, %u ESRCH",
		       i, reps[i].attached, reps[i].absent, reps[i].keyed,
		       reps[i].refused, reps[i].no_daemon);
		EXPECT_GT(reps[i].attached, 0u);
		refused += reps[i].refused;
	}
	__atomic_store_n(&sh->daemon_stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, ktlso_daemon_finish(&d, &drep, sizeof(drep)));
	TH_LOG("%.1f s; unloads %u, busy %u, absent %u; daemon: %u subscriptions, %u without the family, %u refused",
	       (now - start) / 1000.0, unloads, busy, absent, drep.opens,
	       drep.open_failures, drep.done);
	EXPECT_EQ(0, drep.bad.err) {
		TH_LOG("daemon: %s: %s", drep.bad.what,
		       strerror(-drep.bad.err));
	}
	EXPECT_EQ(drep.accepted, drep.done);
	EXPECT_EQ(refused, drep.done);
	/* The churn left room to unload, and the daemon had work. */
	EXPECT_GT(unloads, 0u);
	EXPECT_GT(drep.done, 0u);
	munmap(sh, sizeof(*sh));

	/* Nothing is left: ktlso unloads, and loads again on demand. */
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	EXPECT_EQ(0, ktlso_delete_module("ktlso"));
	load_by_attach(_metadata);
}

/*
 * A daemon's generic netlink socket does not keep ktlso loaded; once the
 * family is gone, every command on the old socket fails with ENOENT, and a
 * subscription from before the unload does not count as a daemon after
 * ktlso comes back.
 */
TEST(daemon_socket_outlives_module)
{
	struct ktlso_hs_request req = { .role = KTLSO_HS_ROLE_CLIENT };
	struct ktlso_nl_accepted acc;
	struct ktlso_nl_status st;
	struct ktlso_nl nl, fresh;
	int cfd, sfd;

	if (geteuid())
		SKIP(return, "needs root");
	load_by_attach(_metadata);
	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, ktlso_nl_open(&nl, true));

	ASSERT_EQ(0, ktlso_delete_module("ktlso")) {
		TH_LOG("delete_module with a daemon subscribed: %s",
		       strerror(errno));
	}
	ASSERT_FALSE(ktlso_module_loaded("ktlso"));
	EXPECT_EQ(-ENOENT, ktlso_nl_accept(&nl, &acc));
	EXPECT_EQ(-1, acc.fd);
	EXPECT_EQ(-ENOENT, ktlso_nl_done(&nl, 0, EACCES, 0, 0, NULL, NULL));
	EXPECT_EQ(-ENOENT, ktlso_nl_status(&nl, &st));
	EXPECT_FALSE(ktlso_nl_wait_ready(&nl, 50));
	EXPECT_FALSE(ktlso_module_loaded("ktlso"));

	/* Back by autoload: the old subscription listens to nothing. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &cfd, &sfd));
	ASSERT_EQ(0, ktlso_attach(cfd));
	EXPECT_EQ(-ESRCH, ktlso_request_handshake(cfd, &req));
	EXPECT_EQ(-ENOENT, ktlso_nl_accept(&nl, &acc));
	EXPECT_EQ(-1, acc.fd);
	ASSERT_EQ(0, ktlso_nl_open(&fresh, false));
	ASSERT_EQ(0, ktlso_nl_status(&fresh, &st));
	EXPECT_EQ(0, st.listeners);
	EXPECT_EQ(0u, st.pending);
	ktlso_nl_close(&fresh);
	ktlso_nl_close(&nl);
	ktlso_close_now(cfd);
	close(sfd);
	EXPECT_TRUE(ktlso_wait_refcnt(0, 5000));
}

TEST_HARNESS_MAIN
