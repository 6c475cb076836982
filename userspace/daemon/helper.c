// SPDX-License-Identifier: GPL-2.0
/*
 * The key reader: reads the configuration's files as root for an
 * unprivileged daemon. See helper.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "daemon/conf.h"
#include "daemon/helper.h"
#include "daemon/kalg.h"
#include "daemon/log.h"
#include "daemon/privs.h"

#define ASK 'R'
#define FILES_OK '0'
#define REFUSED '1'
#define READY 'Y'
#define ANSWER_TIMEOUT_S 30

/* The files of one load in a sealed memfd; -1 when the load fails. */
static int read_files(const char *conf_path)
{
	struct kd_kalg_probe probe;
	struct kd_config *c;
	struct kd_files fs;
	int fd = -1, ret;

	kd_kalg_probe_run(&probe);
	kd_files_init(&fs, KD_FILES_READ_ROOT);
	if (kd_config_load_files(&c, conf_path, &probe, &fs, kd_log_problem,
				 NULL))
		goto out;
	kd_config_put(c);
	fd = memfd_create("ktlsod-files", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		kd_log(KD_LOG_ERROR, "key reader: memfd: %s", strerror(errno));
		goto out;
	}
	ret = kd_files_pack(&fs, fd);
	if (!ret && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
				F_SEAL_WRITE | F_SEAL_SEAL))
		ret = -errno;
	if (ret) {
		kd_log(KD_LOG_ERROR, "key reader: %s", strerror(-ret));
		close(fd);
		fd = -1;
	}
out:
	kd_files_free(&fs);
	return fd;
}

static int answer(int sock, char status, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &status, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static void __attribute__((noreturn)) helper_main(int sock,
						  const char *conf_path,
						  pid_t parent)
{
	sigset_t all;
	char cmd;
	ssize_t n;
	int fd;

	/* Nothing of the daemon's but the channel and the standard streams. */
	closelog();
	if (sock != 3 && dup2(sock, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	sock = 3;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) || getppid() != parent)
		_exit(0);
	/* Root's own files need no capability; nobody else's are read. */
	if (kd_privs_keep("") ||
	    answer(sock, READY, -1))
		_exit(1);
	for (;;) {
		n = read(sock, &cmd, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		if (cmd != ASK)
			_exit(1);
		fd = read_files(conf_path);
		if (answer(sock, fd >= 0 ? FILES_OK : REFUSED, fd))
			_exit(0);
		if (fd >= 0)
			close(fd);
	}
}

int kd_helper_start(struct kd_helper *h, const char *conf_path)
{
	const struct timeval tmo = { ANSWER_TIMEOUT_S, 0 };
	pid_t parent = getpid();
	char ready = 0;
	ssize_t n;
	int sv[2];

	*h = KD_HELPER_NONE;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		kd_log(KD_LOG_ERROR, "key reader: socketpair: %s",
		       strerror(errno));
		return -1;
	}
	h->pid = fork();
	if (h->pid < 0) {
		kd_log(KD_LOG_ERROR, "key reader: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		*h = KD_HELPER_NONE;
		return -1;
	}
	if (h->pid == 0) {
		close(sv[0]);
		helper_main(sv[1], conf_path, parent);
	}
	close(sv[1]);
	h->fd = sv[0];
	setsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	/* Ready once it holds no more than it should. */
	do
		n = recv(h->fd, &ready, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1 || ready != READY) {
		kd_log(KD_LOG_ERROR, "key reader: it did not start");
		kd_helper_stop(h);
		return -1;
	}
	kd_log(KD_LOG_DEBUG, "key reader: pid %d", (int)h->pid);
	return 0;
}

int kd_helper_read(struct kd_helper *h, struct kd_files *out)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char status = 0, cmd = ASK;
	struct iovec iov = { &status, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd = -1, ret;
	ssize_t n;

	kd_files_init(out, KD_FILES_REPLAY);
	if (h->pid <= 0 || send(h->fd, &cmd, 1, MSG_NOSIGNAL) != 1) {
		kd_log(KD_LOG_ERROR, "the key reader is gone: restart ktlsod to reload");
		return -1;
	}
	do
		n = recvmsg(h->fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		kd_log(KD_LOG_ERROR, "the key reader %s: restart ktlsod to reload",
		       n < 0 && errno == EAGAIN ? "does not answer" : "is gone");
		/* Its late answer must not pass for the next one's. */
		kill(h->pid, SIGKILL);
		kd_helper_stop(h);
		return -1;
	}
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (status != FILES_OK || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ret = kd_files_unpack(out, fd);
	close(fd);
	if (ret) {
		kd_log(KD_LOG_ERROR, "the key reader's files: %s",
		       strerror(-ret));
		return -1;
	}
	return 0;
}

void kd_helper_stop(struct kd_helper *h)
{
	if (h->pid > 0) {
		close(h->fd);
		kill(h->pid, SIGTERM);
		waitpid(h->pid, NULL, 0);
	}
	*h = KD_HELPER_NONE;
}
