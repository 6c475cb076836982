/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A forked child playing the handshake daemon, for the selftests: the
 * plumbing (fork, a "subscribed" byte, a report at the end) around a body
 * each test writes, the body's usual start (subscribe, wait, accept), and
 * the application's two socket options of the handshake upcall.
 */
#ifndef KTLSO_DAEMON_H
#define KTLSO_DAEMON_H

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#include "ktlso_genl.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

struct ktlso_daemon {
	pid_t pid;
	int ready;		/* read end: one byte once subscribed */
	int report;		/* read end: the body's report at the end */
};

/*
 * The daemon's body: runs in the child with @ready (write one byte once
 * subscribed) and @out (write the report), and must _exit().
 */
typedef void (*ktlso_daemon_fn)(void *arg, int ready, int out);

/* Fork the daemon running @fn(@arg) and wait until it listens. */
static inline int ktlso_daemon_start(struct ktlso_daemon *d, ktlso_daemon_fn fn,
				     void *arg)
{
	int ready[2], out[2];
	char c;

	if (pipe(ready) || pipe(out))
		return -errno;
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0) {
		int fd;

		/* A daemon holds no descriptor of the test's sockets. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != ready[1] && fd != out[1])
				close(fd);
		fn(arg, ready[1], out[1]);
		_exit(127);
	}
	close(ready[1]);
	close(out[1]);
	d->ready = ready[0];
	d->report = out[0];
	if (read(d->ready, &c, 1) != 1)
		return -EIO;
	return 0;
}

/*
 * Collect the daemon's report (@len bytes into @rep) and exit status: 0
 * when it ran its course, with or without a report; its exit status, or
 * 128 if it did not exit.
 */
static inline int ktlso_daemon_finish(struct ktlso_daemon *d, void *rep,
				      size_t len)
{
	int status = -1;
	ssize_t n;

	memset(rep, 0, len);
	n = read(d->report, rep, len);
	if (waitpid(d->pid, &status, 0) != d->pid)
		return -1;
	close(d->ready);
	close(d->report);
	d->pid = 0;		/* nothing left for ktlso_daemon_kill() */
	if (n != (ssize_t)len && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;	/* bodies that end without a report */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static inline void ktlso_daemon_kill(struct ktlso_daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		close(d->ready);
		close(d->report);
		d->pid = 0;
	}
}

/*
 * A body's first steps: open the family's socket on @nl (the hs group
 * joined), say so on @ready, wait up to 5 s for a request and accept it
 * into @acc. Returns what HS_ACCEPT returned, 0 or -errno. The child
 * exits 2 when the socket or the pipe fails, 3 when no request comes.
 */
static inline int ktlso_daemon_accept(struct ktlso_nl *nl, int ready,
				      struct ktlso_nl_accepted *acc)
{
	if (ktlso_nl_open(nl, true))
		_exit(2);
	if (write(ready, "r", 1) != 1)
		_exit(2);
	if (!ktlso_nl_wait_ready(nl, 5000))
		_exit(3);
	return ktlso_nl_accept(nl, acc);
}

/* setsockopt(KTLSO_HANDSHAKE): 0 or -errno. */
static inline int ktlso_request_handshake(int fd,
					  const struct ktlso_hs_request *req)
{
	if (setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, req, sizeof(*req)))
		return -errno;
	return 0;
}

/* getsockopt(KTLSO_HANDSHAKE): 0 or -errno. */
static inline int ktlso_handshake_result(int fd, struct ktlso_hs_result *res)
{
	socklen_t len = sizeof(*res);

	memset(res, 0xff, sizeof(*res));
	if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, res, &len))
		return -errno;
	return len == sizeof(*res) ? 0 : -EMSGSIZE;
}

#endif /* KTLSO_DAEMON_H */
