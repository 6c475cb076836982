// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's privileges, each case in a child process so that the test
 * keeps its own: hardening (no core dumps, the secure heap), the drop to
 * an unprivileged user with CAP_NET_ADMIN alone and no way back, and a
 * reload after the drop through the key reader, which hands over only
 * what the configuration names. The drop needs root: skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "kselftest_harness.h"

#include "daemon/daemon.h"
#include "daemon/privs.h"
#include "kd_test.h"

#define CAP_NET_ADMIN_MASK "0000000000001000"

static int pid_status(pid_t pid, const char *key, char *out, size_t len);

/* The value of "Key:\t..." in /proc/self/status, into @out. */
static int status_field(const char *key, char *out, size_t len)
{
	return pid_status(getpid(), key, out, len);
}

/* Run @fn in a child; its exit status (0: every check held). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int hardened(void *arg)
{
	struct rlimit rl;

	(void)arg;
	if (kd_privs_harden())
		return 1;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 2;
	if (getrlimit(RLIMIT_CORE, &rl) || rl.rlim_cur || rl.rlim_max)
		return 3;
	if (CRYPTO_secure_malloc_initialized() != 1)
		return 4;
	return 0;
}

TEST(harden)
{
	EXPECT_EQ(0, in_child(hardened, NULL));
}

static int drop(void *arg)
{
	const struct passwd *pw = getpwnam(arg);
	char v[128];
	int fd;

	if (!pw || kd_privs_drop(arg))
		return 1;
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getgid() != pw->pw_gid || getgroups(0, NULL) != 0)
		return 2;
	if (status_field("CapEff", v, sizeof(v)) ||
	    strcmp(v, CAP_NET_ADMIN_MASK) != 0)
		return 3;
	if (status_field("CapPrm", v, sizeof(v)) ||
	    strcmp(v, CAP_NET_ADMIN_MASK) != 0)
		return 4;
	if (status_field("CapInh", v, sizeof(v)) ||
	    strcmp(v, "0000000000000000") != 0)
		return 5;
	if (status_field("CapAmb", v, sizeof(v)) ||
	    strcmp(v, "0000000000000000") != 0)
		return 6;
	if (status_field("CapBnd", v, sizeof(v)) ||
	    strcmp(v, CAP_NET_ADMIN_MASK) != 0)
		return 7;
	if (status_field("NoNewPrivs", v, sizeof(v)) || strcmp(v, "1") != 0)
		return 8;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 9;
	/* No way back. */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 10;
	/* Root's private files are out of reach. */
	fd = open(kd_files.srv_key, O_RDONLY);
	if (fd >= 0 || errno != EACCES)
		return 11;
	return 0;
}

TEST(drop_to_nobody)
{
	if (geteuid() != 0)
		SKIP(return, "needs root");
	EXPECT_EQ(0, in_child(drop, "nobody"));
}

static int drop_wrong_start(void *arg)
{
	(void)arg;
	/* Started as daemon (uid 1), told to run as nobody: refused. */
	if (setresgid(1, 1, 1) || setresuid(1, 1, 1))
		return 1;
	return kd_privs_drop("nobody") == -1 ? 0 : 2;
}

TEST(drop_refused_from_another_user)
{
	if (geteuid() != 0)
		SKIP(return, "needs root");
	EXPECT_EQ(0, in_child(drop_wrong_start, NULL));
}

/* Write @body as the configuration @path, mode 0600: only root reads it. */
static int write_conf(const char *path, const char *body)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t len = (ssize_t)strlen(body);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, body, (size_t)len) == len;
	return close(fd) == 0 && ok ? 0 : -1;
}

/* A field of /proc/PID/status, into @out. */
static int pid_status(pid_t pid, const char *key, char *out, size_t len)
{
	char path[64], line[256];
	size_t n = strlen(key);
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			snprintf(out, len, "%s", line + n + 2);
			out[strcspn(out, "\n")] = '\0';
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The daemon's side: load, start the key reader, drop to nobody; then
 * reload twice when the test says so (a good file, then a bad one).
 */
static int daemon_side(const char *conf, int tell, int wait_for)
{
	struct kd_daemon d = { 0 };
	struct kd_reports r;
	pid_t helper;
	char go;

	if (kd_test_load(&d.conf, conf, &r))
		return 1;
	d.conf_path = conf;
	if (kd_helper_start(&d.helper, conf) || kd_privs_drop(d.conf->user) ||
	    kd_reload_init(&d.reload, conf, &d.helper))
		return 2;
	helper = d.helper.pid;
	/* The daemon itself can read neither the file nor the keys. */
	if (open(conf, O_RDONLY) >= 0 || open(kd_files.srv_key, O_RDONLY) >= 0)
		return 3;
	if (write(tell, &helper, sizeof(helper)) != sizeof(helper) ||
	    read(wait_for, &go, 1) != 1)
		return 4;
	/* The good file: reloaded, keys and all. */
	if (kd_test_reload(&d, 30000) != 1 || d.conf->max_handshakes != 9 ||
	    !kd_config_profile(d.conf, "web") ||
	    !kd_config_profile(d.conf, "web")->creds[0].key)
		return 5;
	if (write(tell, &helper, sizeof(helper)) != sizeof(helper) ||
	    read(wait_for, &go, 1) != 1)
		return 6;
	/* The bad one: refused, the good one stays. */
	if (kd_test_reload(&d, 30000) != -1 || d.conf->max_handshakes != 9)
		return 7;
	if (kd_reload_fini(&d.reload, 0))
		return 8;
	kd_helper_stop(&d.helper);
	kd_config_put(d.conf);
	return 0;
}

TEST(reload_after_the_drop)
{
	char conf[KD_PATH], body[5 * KD_PATH], v[64];
	int to_test[2], to_daemon[2], status;
	pid_t pid, helper;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, kd_test_path(conf, "privs.conf"));
	snprintf(body, sizeof(body),
		 "user = nobody\n[profile default]\ncert = %s %s\n",
		 kd_files.srv_cert, kd_files.srv_key);
	ASSERT_EQ(0, write_conf(conf, body));
	ASSERT_EQ(0, pipe(to_test));
	ASSERT_EQ(0, pipe(to_daemon));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(daemon_side(conf, to_test[1], to_daemon[0]));
	close(to_test[1]);
	close(to_daemon[0]);

	ASSERT_EQ((ssize_t)sizeof(helper),
		  read(to_test[0], &helper, sizeof(helper)));
	/* The key reader: root without any capability, no way up. */
	ASSERT_EQ(0, pid_status(helper, "Uid", v, sizeof(v)));
	EXPECT_STREQ("0\t0\t0\t0", v);
	ASSERT_EQ(0, pid_status(helper, "CapEff", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", v);
	ASSERT_EQ(0, pid_status(helper, "CapBnd", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", v);
	ASSERT_EQ(0, pid_status(helper, "NoNewPrivs", v, sizeof(v)));
	EXPECT_STREQ("1", v);
	ASSERT_EQ(0, pid_status(pid, "CapEff", v, sizeof(v)));
	EXPECT_STREQ(CAP_NET_ADMIN_MASK, v);

	snprintf(body, sizeof(body),
		 "user = nobody\nmax_handshakes = 9\n"
		 "[profile default]\ncert = %s %s\n"
		 "[profile web]\ncert = %s %s\n",
		 kd_files.srv_cert, kd_files.srv_key, kd_files.other_cert,
		 kd_files.other_key);
	ASSERT_EQ(0, write_conf(conf, body));
	ASSERT_EQ(1, write(to_daemon[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(helper),
		  read(to_test[0], &helper, sizeof(helper)));
	ASSERT_EQ(0, write_conf(conf, "user = nobody\nmystery = 1\n"));
	ASSERT_EQ(1, write(to_daemon[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The key reader went with the daemon. */
	EXPECT_EQ(-1, kill(helper, 0));
	close(to_test[0]);
	close(to_daemon[1]);
}

TEST_HARNESS_MAIN
