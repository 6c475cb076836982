// SPDX-License-Identifier: GPL-2.0
/*
 * Races around the handshake upcall, each test the reproducer of a defect
 * of ktlso.ko's kernel review (issue 10) or a bounded stress of the same
 * paths:
 *
 *  - a listener leaving between the kernel's check and its announcement
 *    must not free or detach a request somebody else uses;
 *  - HS_ACCEPT's descriptor exists only once its reply is queued;
 *  - nothing in the generic netlink handlers waits for the application's
 *    socket lock, which the application can hold as long as it likes;
 *  - key installation and the handshake request are decided under the
 *    socket lock, so they cannot both succeed.
 *
 * The application's socket lock is held "hostage" deterministically: a
 * setsockopt(TCP_MD5SIG) whose option straddles a userfaultfd page takes
 * the lock, then faults while copying the rest of its struct, and stays
 * there until the test resolves the fault.
 */

#include <fcntl.h>
#include <linux/tls.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <netinet/tcp.h>

#include "kselftest_harness.h"
#include "ktlso_genl.h"
#include "ktlso_test.h"

static const struct tls12_crypto_info_aes_gcm_128 app_key = {
	.info = { .version = TLS_1_3_VERSION,
		  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.key = { 0x11, 0x22, 0x33, 0x44 },
};

/* A server-role request; @tag names it (as its profile) for the daemon. */
static int request_tagged(int fd, uint32_t timeout_ms, int tag)
{
	struct ktlso_hs_request req = {
		.role = KTLSO_HS_ROLE_SERVER,
		.timeout_ms = timeout_ms,
	};

	snprintf(req.profile, sizeof(req.profile), "r%d", tag);
	if (setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)))
		return -errno;
	return 0;
}

static int request(int fd, uint32_t timeout_ms)
{
	return request_tagged(fd, timeout_ms, 0);
}

static int result(int fd, struct ktlso_hs_result *res)
{
	socklen_t len = sizeof(*res);

	if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, res, &len))
		return -errno;
	return 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The state letter of thread @tid ('S', 'D', ...), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait up to @ms for thread @tid to sleep uninterruptibly (in lock_sock). */
static bool wait_blocked(pid_t tid, int ms)
{
	long end = ktlso_now_ms() + ms;

	while (ktlso_now_ms() < end) {
		if (thread_state(tid) == 'D')
			return true;
		usleep(2000);
	}
	return false;
}

/* --- a call run in a thread, waited for with a deadline ------------------ */

struct call {
	pthread_t thread;
	pid_t tid;
	int (*fn)(struct call *c);
	int fd;
	int ret;
	void *arg;
	atomic_int done;
};

static void *call_main(void *arg)
{
	struct call *c = arg;

	c->tid = syscall(SYS_gettid);
	c->ret = c->fn(c);
	atomic_store(&c->done, 1);
	return NULL;
}

static int call_start(struct call *c, int (*fn)(struct call *c), int fd)
{
	c->fn = fn;
	c->fd = fd;
	c->tid = 0;
	atomic_store(&c->done, 0);
	if (pthread_create(&c->thread, NULL, call_main, c))
		return -1;
	while (!__atomic_load_n(&c->tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	return 0;
}

/* Has the call returned within @ms? */
static bool call_wait(struct call *c, int ms)
{
	long end = ktlso_now_ms() + ms;

	while (!atomic_load(&c->done) && ktlso_now_ms() < end)
		usleep(2000);
	return atomic_load(&c->done);
}

/* --- the socket lock held hostage --------------------------------------- */

struct hostage {
	int uffd;
	char *area;		/* two pages: ordinary, then userfaultfd */
	long page;
	struct call call;
};

static int hostage_md5sig(struct call *c)
{
	struct hostage *h = c->arg;
	/* The int TCP copies before locking is readable; the rest faults. */
	char *opt = h->area + h->page - sizeof(int);

	if (setsockopt(c->fd, IPPROTO_TCP, TCP_MD5SIG, opt,
		       sizeof(struct tcp_md5sig)))
		return -errno;
	return 0;
}

/*
 * Take @fd's socket lock and keep it: returns once the holder is inside
 * the fault, the lock held.  0, or -1 if userfaultfd is not available.
 */
static int hostage_take(struct hostage *h, int fd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct pollfd p;

	memset(h, 0, sizeof(*h));
	h->page = sysconf(_SC_PAGESIZE);
	h->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h->uffd < 0 || ioctl(h->uffd, UFFDIO_API, &api))
		return -1;
	h->area = mmap(NULL, 2 * h->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->area == MAP_FAILED)
		return -1;
	h->area[0] = 0;		/* the first page is ordinary memory */
	reg.range.start = (unsigned long)h->area + h->page;
	reg.range.len = h->page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(h->uffd, UFFDIO_REGISTER, &reg))
		return -1;
	h->call.arg = h;
	if (call_start(&h->call, hostage_md5sig, fd))
		return -1;
	/* The fault reaches us once the holder copies under the lock. */
	p.fd = h->uffd;
	p.events = POLLIN;
	return poll(&p, 1, 5000) == 1 ? 0 : -1;
}

/* Resolve the fault: the holder finishes its call and drops the lock. */
static void hostage_release(struct hostage *h)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (unsigned long)h->area + h->page,
			   .len = h->page },
	};

	ioctl(h->uffd, UFFDIO_ZEROPAGE, &zp);
	pthread_join(h->call.thread, NULL);
	close(h->uffd);
	munmap(h->area, 2 * h->page);
}

/* --- the calls the tests run in threads -------------------------------- */

struct nl_call {
	struct ktlso_nl *nl;
	struct ktlso_nl_accepted acc;
	int fd;
};

static int do_accept(struct call *c)
{
	struct nl_call *n = c->arg;

	return ktlso_nl_accept(n->nl, &n->acc);
}

static int do_done_eacces(struct call *c)
{
	struct nl_call *n = c->arg;

	return ktlso_nl_done(n->nl, n->fd, EACCES, 0, 0, NULL, NULL);
}

static int do_resolve_nlctrl(struct call *c)
{
	struct nl_sock *s = nl_socket_alloc();
	int id = -1;

	if (s && !genl_connect(s))
		id = genl_ctrl_resolve(s, "nlctrl");
	if (s)
		nl_socket_free(s);
	return id < 0 ? id : 0;
}

static int do_request(struct call *c)
{
	return request(c->fd, 5000);
}

static int do_set_tx(struct call *c)
{
	if (setsockopt(c->fd, SOL_TLS, TLS_TX, &app_key, sizeof(app_key)))
		return -errno;
	return 0;
}

/* --- tests --------------------------------------------------------------- */

/*
 * The application's socket lock, held as long as the application likes,
 * must stall neither the daemon's HS_ACCEPT and HS_DONE nor anybody's
 * generic netlink (the handlers ran under genl_mutex and took the socket
 * lock: kernel_getpeername() and HS_DONE's lock_sock()).
 */
TEST(hostage_lock_stalls_nobody)
{
	struct ktlso_nl listener, nl;
	struct call acc = { 0 }, done = { 0 }, resolve = { 0 };
	struct nl_call n = { .nl = &nl };
	struct hostage h;
	int app, peer;
	char buf[8];

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &app, &peer));
	ASSERT_EQ(0, ktlso_attach(app));
	ASSERT_EQ(0, ktlso_nl_open(&listener, true));
	ASSERT_EQ(0, ktlso_nl_open(&nl, false));
	ASSERT_EQ(0, request(app, 10000));
	if (hostage_take(&h, app))
		SKIP(return, "userfaultfd not available");

	acc.arg = &n;
	ASSERT_EQ(0, call_start(&acc, do_accept, -1));
	EXPECT_TRUE(call_wait(&acc, 3000)) {
		TH_LOG("HS_ACCEPT waits for the application's socket lock");
	}
	ASSERT_EQ(0, call_start(&resolve, do_resolve_nlctrl, -1));
	EXPECT_TRUE(call_wait(&resolve, 3000)) {
		TH_LOG("generic netlink is stalled for everybody");
	}
	if (atomic_load(&acc.done) && acc.ret == 0) {
		EXPECT_EQ(AF_INET, n.acc.peer.ss_family);
		n.fd = n.acc.fd;
		done.arg = &n;
		ASSERT_EQ(0, call_start(&done, do_done_eacces, -1));
		EXPECT_TRUE(call_wait(&done, 3000)) {
			TH_LOG("HS_DONE waits for the application's socket lock");
		}
	}

	hostage_release(&h);
	pthread_join(acc.thread, NULL);
	pthread_join(resolve.thread, NULL);
	EXPECT_EQ(0, acc.ret);
	EXPECT_EQ(0, resolve.ret);
	if (done.thread) {
		pthread_join(done.thread, NULL);
		EXPECT_EQ(0, done.ret);
		EXPECT_EQ(-1, read(app, buf, sizeof(buf)));
		EXPECT_EQ(EACCES, errno);
		close(n.fd);
	}
	ktlso_nl_close(&nl);
	ktlso_nl_close(&listener);
	ktlso_close_now(app);
	close(peer);
}

/*
 * TLS_TX by the application and a handshake request, both waiting for the
 * socket lock: whichever gets it first, the other must be refused (the
 * key gate was checked before the lock, so both went through).
 */
TEST(keys_and_request_exclusive)
{
	struct ktlso_nl listener;
	int round, both = 0, rounds = 10;

	ASSERT_EQ(0, ktlso_nl_open(&listener, true));
	for (round = 0; round < rounds; round++) {
		struct call req = { 0 }, tx = { 0 };
		struct hostage h;
		int app, peer;

		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &app, &peer));
		ASSERT_EQ(0, ktlso_attach(app));
		if (hostage_take(&h, app))
			SKIP(return, "userfaultfd not available");
		/* The request queues on the lock first, then the keys. */
		ASSERT_EQ(0, call_start(&req, do_request, app));
		ASSERT_TRUE(wait_blocked(req.tid, 3000));
		ASSERT_EQ(0, call_start(&tx, do_set_tx, app));
		ASSERT_TRUE(wait_blocked(tx.tid, 3000));
		hostage_release(&h);
		pthread_join(req.thread, NULL);
		pthread_join(tx.thread, NULL);
		/* One of them, never both. */
		EXPECT_TRUE(req.ret == 0 || tx.ret == 0);
		if (req.ret == 0 && tx.ret == 0)
			both++;
		if (req.ret == 0) {
			EXPECT_EQ(-EBUSY, tx.ret);
		} else {
			EXPECT_EQ(-EISCONN, req.ret);
		}
		ktlso_close_now(app);
		close(peer);
	}
	EXPECT_EQ(0, both);
	ktlso_nl_close(&listener);
}

/*
 * HS_ACCEPT whose reply cannot be delivered (the daemon's receive queue
 * is full): no descriptor may appear in the daemon, and the request must
 * not be left running with nobody knowing of it.  It goes back to the
 * queue, where the daemon finds it once it has drained its socket.
 */
TEST(accept_reply_dropped)
{
	struct ktlso_nl listener, full, nl;
	struct ktlso_nl_accepted acc;
	struct ktlso_nl_status st;
	int app, peer, fds, i, zero = 0;
	char buf[8192];

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &app, &peer));
	ASSERT_EQ(0, ktlso_attach(app));
	ASSERT_EQ(0, ktlso_nl_open(&listener, true));
	ASSERT_EQ(0, ktlso_nl_open(&nl, false));
	ASSERT_EQ(0, ktlso_nl_open(&full, false));
	ASSERT_EQ(0, request(app, 10000));

	/* Fill the daemon socket's receive queue with STATUS replies. */
	ASSERT_EQ(0, setsockopt(nl_socket_get_fd(full.cmd), SOL_SOCKET,
				SO_RCVBUFFORCE, &zero, sizeof(zero)));
	for (i = 0; i < 16; i++)
		ASSERT_LE(0, nl_send_auto(full.cmd,
					  ktlso_nl_msg(&full,
						       KTLSO_CMD_STATUS)));
	fds = count_fds();
	ASSERT_LE(0, nl_send_auto(full.cmd,
				  ktlso_nl_msg(&full, KTLSO_CMD_HS_ACCEPT)));
	EXPECT_EQ(fds, count_fds()) {
		TH_LOG("a descriptor was installed whose reply was dropped");
	}
	ASSERT_EQ(0, ktlso_nl_status(&nl, &st));
	EXPECT_EQ(1u, st.pending);
	EXPECT_EQ(0u, st.running);

	/* Drained, the daemon takes it and can finish it. */
	while (recv(nl_socket_get_fd(full.cmd), buf, sizeof(buf),
		    MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
	ASSERT_EQ(0, ktlso_nl_accept(&nl, &acc));
	ASSERT_LE(0, acc.fd);
	EXPECT_EQ(0, ktlso_nl_done(&nl, acc.fd, EACCES, 0, 0, NULL, NULL));
	EXPECT_EQ(-1, read(app, buf, 1));
	EXPECT_EQ(EACCES, errno);
	close(acc.fd);
	ktlso_nl_close(&full);
	ktlso_nl_close(&nl);
	ktlso_nl_close(&listener);
	ktlso_close_now(app);
	close(peer);
}

/* --- a listener that leaves between the check and the announcement ------ */

/* Once every socket is closed, the namespace has no request left. */
static void expect_no_request_left(struct __test_metadata *_metadata)
{
	struct ktlso_nl_status st;

	ASSERT_EQ(0, ktlso_nl_status_once(&st));
	EXPECT_EQ(0u, st.pending);
	EXPECT_EQ(0u, st.running);
}

#define MAX_SEEN 8192

struct seen {
	atomic_int stop;
	atomic_int n_accepted;
	atomic_int done_failed;
	int accepted[MAX_SEEN];		/* tags of the requests taken */
};

/* Join and leave the handshake group as fast as possible. */
static void flap_listener(struct seen *s)
{
	struct ktlso_nl nl;
	int grp;

	if (ktlso_nl_open(&nl, false))
		_exit(2);
	grp = genl_ctrl_resolve_grp(nl.cmd, KTLSO_GENL_NAME,
				    KTLSO_GENL_MCGRP_HS);
	if (grp < 0)
		_exit(3);
	while (!atomic_load(&s->stop)) {
		nl_socket_add_membership(nl.cmd, grp);
		nl_socket_drop_membership(nl.cmd, grp);
	}
	_exit(0);
}

/* Take every request there is and fail it at once. */
static void take_requests(struct seen *s)
{
	struct ktlso_nl_accepted acc;
	struct ktlso_nl nl;

	if (ktlso_nl_open(&nl, false))
		_exit(2);
	while (!atomic_load(&s->stop)) {
		int i;

		if (ktlso_nl_accept(&nl, &acc))
			continue;
		i = atomic_fetch_add(&s->n_accepted, 1);
		if (i < MAX_SEEN)
			s->accepted[i] = atoi(acc.profile + 1);
		if (ktlso_nl_done(&nl, acc.fd, EACCES, 0, 0, NULL, NULL))
			atomic_fetch_add(&s->done_failed, 1);
		close(acc.fd);
	}
	_exit(0);
}

/*
 * A request refused because the last listener left after the check must
 * be one that nobody took, must wake whoever waits on it with the error
 * and keep failing the socket's I/O (another thread may have been held
 * back by it): never plaintext, never a freed request, and the
 * namespace's counts intact.  A refusal at the check itself leaves no
 * trace, as without a daemon.
 */
TEST(listener_leaves)
{
	struct seen *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int refused = 0, late = 0, queued = 0, taken_refused = 0;
	static int refused_tag[4096];
	pid_t flap, take;
	long end;
	int i, j;

	ASSERT_NE(MAP_FAILED, s);
	memset(s, 0, sizeof(*s));
	flap = fork();
	if (flap == 0)
		flap_listener(s);
	take = fork();
	if (take == 0)
		take_requests(s);
	ASSERT_GT(flap, 0);
	ASSERT_GT(take, 0);

	end = ktlso_now_ms() + 4000;
	for (i = 0; i < 3000 && ktlso_now_ms() < end; i++) {
		struct ktlso_hs_result res;
		int app, peer, err;

		ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &app, &peer));
		ASSERT_EQ(0, ktlso_attach(app));
		err = request_tagged(app, 3000, i + 1);
		if (err == -ESRCH) {
			if (refused < (int)ARRAY_SIZE(refused_tag))
				refused_tag[refused] = i + 1;
			refused++;
			ASSERT_EQ(0, result(app, &res));
			if (res.state == KTLSO_HS_FAILED) {
				/* Refused after queueing: the socket fails. */
				late++;
				EXPECT_EQ(ESRCH, (int)res.error);
				EXPECT_EQ(-1, send(app, "x", 1, MSG_DONTWAIT |
						   MSG_NOSIGNAL));
				EXPECT_EQ(ESRCH, errno);
			} else {
				EXPECT_EQ(KTLSO_HS_NONE, (int)res.state);
			}
		} else {
			EXPECT_EQ(0, err);
			queued++;
		}
		ktlso_close_now(app);
		close(peer);
	}
	atomic_store(&s->stop, 1);
	waitpid(flap, NULL, 0);
	waitpid(take, NULL, 0);

	for (i = 0; i < refused && i < (int)ARRAY_SIZE(refused_tag); i++)
		for (j = 0; j < s->n_accepted && j < MAX_SEEN; j++)
			if (refused_tag[i] == s->accepted[j])
				taken_refused++;
	TH_LOG("%d requests queued, %d refused (%d after queueing), %d taken by the daemon",
	       queued, refused, late, atomic_load(&s->n_accepted));
	EXPECT_EQ(0, taken_refused) {
		TH_LOG("a request the daemon ran was refused under it");
	}
	EXPECT_EQ(0, atomic_load(&s->done_failed)) {
		TH_LOG("HS_DONE found no request on a socket it was given");
	}
	expect_no_request_left(_metadata);
	munmap(s, sizeof(*s));
}

/* --- a bounded storm on the whole upcall ---------------------------------- */

/*
 * One short-lived daemon: takes requests for @ms and ends each at random
 * (fails it, drops its descriptor, completes it with keys, or dies with
 * it), then exits, whatever it still runs.
 */
static void storm_daemon(int ms, unsigned int seed)
{
	struct ktlso_nl_accepted acc;
	struct ktlso_nl nl;
	long end = ktlso_now_ms() + ms;

	if (ktlso_nl_open(&nl, true))
		_exit(2);
	while (ktlso_now_ms() < end) {
		if (ktlso_nl_accept(&nl, &acc)) {
			ktlso_nl_wait_ready(&nl, 5);
			continue;
		}
		switch (rand_r(&seed) % 4) {
		case 0:
			ktlso_nl_done(&nl, acc.fd, EACCES, 0, 0, NULL, NULL);
			break;
		case 1:		/* the request runs until its timeout */
			break;
		case 2:
			if (!setsockopt(acc.fd, SOL_TLS, TLS_TX, &app_key,
					sizeof(app_key)) &&
			    !setsockopt(acc.fd, SOL_TLS, TLS_RX, &app_key,
					sizeof(app_key)))
				ktlso_nl_done(&nl, acc.fd, 0, TLS_1_3_VERSION,
					      TLS_CIPHER_AES_GCM_128, NULL,
					      NULL);
			break;
		default:
			_exit(0);	/* dies mid-handshake */
		}
		close(acc.fd);
	}
	_exit(0);
}

/* Daemons one after the other, with gaps without any, until @stop. */
static void storm_daemons(atomic_int *stop)
{
	unsigned int seed = getpid();

	while (!atomic_load(stop)) {
		pid_t pid = fork();

		if (pid == 0)
			storm_daemon(20 + rand_r(&seed) % 200, rand_r(&seed));
		if (pid > 0)
			waitpid(pid, NULL, 0);
		usleep(rand_r(&seed) % 20000);
	}
	_exit(0);
}

/* What an application's call may return while all this goes on. */
static bool storm_errno_ok(int e)
{
	switch (e) {
	case EAGAIN: case EBUSY: case EINTR: case ETIMEDOUT: case EACCES:
	case ECONNABORTED: case ECONNRESET: case EPIPE: case ESRCH:
	case ENOTCONN: case EISCONN: case EALREADY: case EINVAL:
	case EBADMSG: case EIO:
		return true;
	}
	return false;
}

struct storm_sock {
	int fd;
	atomic_int stop;
	atomic_int bad_errno;
};

static void storm_check(struct storm_sock *ss, long ret)
{
	if (ret < 0 && !storm_errno_ok(errno))
		atomic_store(&ss->bad_errno, errno);
}

static void *storm_io(void *arg)
{
	struct storm_sock *ss = arg;
	struct tls12_crypto_info_aes_gcm_128 info;
	struct ktlso_hs_result res;
	struct pollfd p = { .fd = ss->fd, .events = POLLIN | POLLOUT };
	char buf[256];
	socklen_t len;

	while (!atomic_load(&ss->stop)) {
		storm_check(ss, recv(ss->fd, buf, sizeof(buf), MSG_DONTWAIT));
		storm_check(ss, send(ss->fd, buf, sizeof(buf),
				     MSG_DONTWAIT | MSG_NOSIGNAL));
		storm_check(ss, poll(&p, 1, 1));
		len = sizeof(info);
		storm_check(ss, getsockopt(ss->fd, SOL_TLS, TLS_TX, &info,
					   &len));
		len = sizeof(res);
		storm_check(ss, getsockopt(ss->fd, SOL_TLS, KTLSO_HANDSHAKE,
					   &res, &len));
	}
	return NULL;
}

static void *storm_keys(void *arg)
{
	struct storm_sock *ss = arg;

	while (!atomic_load(&ss->stop)) {
		storm_check(ss, request(ss->fd, 300));
		storm_check(ss, setsockopt(ss->fd, SOL_TLS, TLS_RX, &app_key,
					   sizeof(app_key)));
		/* A blocking read: held at the gate, then woken by the end. */
		storm_check(ss, recv(ss->fd, &ss->fd, 0, 0));
	}
	return NULL;
}

/*
 * Threads racing I/O, key options and the request itself on each socket
 * while daemons come and go (failing, completing, abandoning and dying
 * with requests) and the socket is shut down under them.  Nothing may
 * hang, crash or splat, every call returns a real errno, and at the end
 * the namespace has no request left.
 */
TEST(storm)
{
	atomic_int *stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned int seed = 1;
	int rounds = 0, bad = 0;
	pid_t daemons;
	long end;

	ASSERT_NE(MAP_FAILED, stop);
	*stop = 0;
	daemons = fork();
	if (daemons == 0)
		storm_daemons(stop);
	ASSERT_GT(daemons, 0);

	end = ktlso_now_ms() + 4000;
	while (ktlso_now_ms() < end) {
		struct timeval tv = { .tv_usec = 200000 };
		struct storm_sock ss = { 0 };
		pthread_t io[2], keys;
		int peer, i;

		ASSERT_EQ(0, ktlso_tcp_pair(rounds % 2 ? AF_INET6 : AF_INET,
					    &ss.fd, &peer));
		ASSERT_EQ(0, ktlso_attach(ss.fd));
		setsockopt(ss.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_create(&io[i], NULL, storm_io,
						    &ss));
		ASSERT_EQ(0, pthread_create(&keys, NULL, storm_keys, &ss));
		usleep(rand_r(&seed) % 30000);
		if (rand_r(&seed) % 2)
			shutdown(ss.fd, SHUT_RDWR);
		else
			close(peer);
		usleep(rand_r(&seed) % 10000);
		atomic_store(&ss.stop, 1);
		for (i = 0; i < 2; i++)
			pthread_join(io[i], NULL);
		pthread_join(keys, NULL);
		if (atomic_load(&ss.bad_errno)) {
			TH_LOG("a call returned errno %d",
			       atomic_load(&ss.bad_errno));
			bad++;
		}
		ktlso_close_now(ss.fd);
		close(peer);
		rounds++;
	}
	atomic_store(stop, 1);
	waitpid(daemons, NULL, 0);
	TH_LOG("%d sockets", rounds);
	EXPECT_EQ(0, bad);

	/* Daemons gone, sockets closed: nothing may be left queued. */
	expect_no_request_left(_metadata);
	munmap(stop, sizeof(*stop));
}

TEST_HARNESS_MAIN
