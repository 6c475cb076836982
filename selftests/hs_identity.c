// SPDX-License-Identifier: GPL-2.0
/*
 * Who asked for a handshake: HS_ACCEPT tells the daemon the uid, gid,
 * thread group and cgroup v2 id of the task that called
 * setsockopt(KTLSO_HANDSHAKE) (not of whoever opened the socket), in the
 * daemon's user and pid namespaces; and one uid cannot fill a namespace's
 * queue (hs_max_pending_uid).  The test process plays the daemon; forked
 * children make the requests on a socket they inherited.
 */

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ktlso_genl.h"
#include "ktlso_test.h"

#define PARAM_UID_QUOTA "/sys/module/ktlso/parameters/hs_max_pending_uid"
#define NOBODY		65534

static int request(int fd)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_SERVER,
		.timeout_ms = 10000,
	};

	if (setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)))
		return -errno;
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* The cgroup v2 id of the calling process: its directory's inode. */
static int64_t own_cgroup_id(void)
{
	char line[512], path[600];
	struct stat st;
	FILE *f = fopen("/proc/self/cgroup", "r");
	int64_t id = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
		if (!stat(path, &st))
			id = (int64_t)st.st_ino;
	}
	fclose(f);
	return id;
}

FIXTURE(who) {
	int app, peer;
	struct ktlso_nl listener, nl;
};

FIXTURE_SETUP(who)
{
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->app, &self->peer));
	ASSERT_EQ(0, ktlso_attach(self->app));
	ASSERT_EQ(0, ktlso_nl_open(&self->listener, true));
	ASSERT_EQ(0, ktlso_nl_open(&self->nl, false));
}

FIXTURE_TEARDOWN(who)
{
	ktlso_nl_close(&self->nl);
	ktlso_nl_close(&self->listener);
	ktlso_close_now(self->app);
	ktlso_close_now(self->peer);
}

/* Take the one pending request; its descriptor is closed. */
static int take(FIXTURE_DATA(who) *self, struct ktlso_nl_accepted *acc)
{
	int err = ktlso_nl_accept(&self->nl, acc);

	if (!err)
		close(acc->fd);
	return err;
}

/*
 * Fork a child that waits for a byte on a pipe, then makes the request
 * on @fd and exits with its errno; @setup runs in the child first.
 */
static pid_t requester(int fd, int (*setup)(void), int *go)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		if (setup && setup())
			_exit(100);
		if (read(p[0], &c, 1) != 1)
			_exit(101);
		_exit(-request(fd));
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int finish(pid_t pid, int go)
{
	int status = -1;

	if (write(go, "g", 1) != 1)
		return -1;
	close(go);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int become_nobody(void)
{
	return setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

TEST_F(who, root)
{
	struct ktlso_nl_accepted acc;

	ASSERT_EQ(0, request(self->app));
	ASSERT_EQ(0, take(self, &acc));
	EXPECT_EQ(0, acc.uid);
	EXPECT_EQ(0, acc.gid);
	EXPECT_EQ(getpid(), acc.pid);
	EXPECT_EQ(own_cgroup_id(), acc.cgroup);
}

/* The requester, not the socket's opener: a child that became nobody. */
TEST_F(who, other_user)
{
	struct ktlso_nl_accepted acc;
	int go;
	pid_t pid = requester(self->app, become_nobody, &go);

	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, finish(pid, go));
	ASSERT_EQ(0, take(self, &acc));
	EXPECT_EQ(NOBODY, acc.uid);
	EXPECT_EQ(NOBODY, acc.gid);
	EXPECT_EQ(pid, acc.pid);
}

TEST_F(who, other_cgroup)
{
	char dir[64], procs[80], num[16];
	struct ktlso_nl_accepted acc;
	struct stat st;
	int go, rc;
	pid_t pid;

	if (own_cgroup_id() < 0)
		SKIP(return, "no cgroup v2 mounted at /sys/fs/cgroup");
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/ktlso-test-%d", getpid());
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, stat(dir, &st));
	pid = requester(self->app, NULL, &go);
	ASSERT_GT(pid, 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(num, sizeof(num), "%d", pid);
	rc = write_file(procs, num);
	EXPECT_EQ(0, finish(pid, go));
	rmdir(dir);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, take(self, &acc));
	EXPECT_EQ((int64_t)st.st_ino, acc.cgroup);
	EXPECT_NE(own_cgroup_id(), acc.cgroup);
}

/*
 * A requester in a child user namespace is root there; the daemon sees
 * the ids that root maps to outside (1000 and 2000).
 */
TEST_F(who, child_user_namespace)
{
	struct ktlso_nl_accepted acc;
	int up[2], down[2];	/* child -> test, test -> child */
	char path[64], c;
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* uid 1000 outside, root inside once the maps are written. */
		if (setgid(2000) || setuid(1000) || unshare(CLONE_NEWUSER))
			_exit(102);
		if (write(up[1], "u", 1) != 1)
			_exit(103);
		if (read(down[0], &c, 1) != 1)
			_exit(104);
		if (getuid() != 0 || getgid() != 0)
			_exit(105);
		_exit(-request(self->app));
	}
	close(up[1]);
	close(down[0]);
	ASSERT_EQ(1, read(up[0], &c, 1));
	close(up[0]);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, write_file(path, "0 1000 1"));
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	ASSERT_EQ(0, write_file(path, "deny"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, write_file(path, "0 2000 1"));
	ASSERT_EQ(0, finish(pid, down[1]));
	ASSERT_EQ(0, take(self, &acc));
	EXPECT_EQ(1000, acc.uid);
	EXPECT_EQ(2000, acc.gid);
	EXPECT_EQ(pid, acc.pid);
}

/* A daemon in another pid namespace cannot see the requester's pid. */
TEST_F(who, daemon_pid_namespace)
{
	int status = -1;
	pid_t pid;

	ASSERT_EQ(0, request(self->app));
	ASSERT_EQ(0, unshare(CLONE_NEWPID) ? -errno : 0);
	pid = fork();	/* pid 1 of the new namespace */
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct ktlso_nl_accepted acc;
		struct ktlso_nl nl;

		if (ktlso_nl_open(&nl, false) || ktlso_nl_accept(&nl, &acc))
			_exit(1);
		_exit(acc.pid == 0 && acc.uid == 0 ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* One uid cannot fill the queue: EBUSY past hs_max_pending_uid, counted. */
TEST_F(who, uid_quota)
{
	struct ktlso_nl_status st0, st;
	int app[3], peer[3], i, rc = -1;
	char old[16] = "";
	FILE *f = fopen(PARAM_UID_QUOTA, "r");
	pid_t pid;

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(old, sizeof(old), f));
	fclose(f);
	ASSERT_EQ(0, ktlso_nl_status(&self->nl, &st0));
	ASSERT_EQ(0, write_file(PARAM_UID_QUOTA, "2"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &app[i], &peer[i]));
		ASSERT_EQ(0, ktlso_attach(app[i]));
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (become_nobody())
			_exit(100);
		if (request(app[0]) || request(app[1]))
			_exit(101);
		_exit(request(app[2]) == -EBUSY ? 0 : 102);
	}
	waitpid(pid, &rc, 0);
	EXPECT_EQ(0, WEXITSTATUS(rc));
	/* Another uid is not held back by nobody's requests. */
	EXPECT_EQ(0, request(self->app));
	ASSERT_EQ(0, ktlso_nl_status(&self->nl, &st));
	EXPECT_EQ(st0.refused_quota + 1, st.refused_quota);
	EXPECT_EQ(3u, st.pending);
	ASSERT_EQ(0, write_file(PARAM_UID_QUOTA, old));
	for (i = 0; i < 3; i++) {
		ktlso_close_now(app[i]);
		ktlso_close_now(peer[i]);
	}
}

TEST_HARNESS_MAIN
