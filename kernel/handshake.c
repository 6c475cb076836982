// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the handshake upcall.
 *
 * setsockopt(SOL_TLS, KTLSO_HANDSHAKE) queues a request on the socket's
 * network namespace and announces it to the daemon (netlink.c).  The daemon
 * takes the oldest pending request with HS_ACCEPT, which installs the socket
 * in it as a file descriptor; it runs the handshake over that descriptor,
 * installs the keys with TLS_TX/TLS_RX and reports with HS_DONE.
 *
 * Meanwhile the socket sits in the "handshake" configuration of the proto
 * tables: its send, receive, splice and poll operations pass the daemon's
 * process through and hold everybody else back until the request ends.  A
 * timer enforces the request's timeout whatever the daemon does; a failed
 * request resets the connection so that the daemon's side ends too.
 *
 * Lifetime: struct ktlso_hs belongs to the socket's context from the
 * moment it is queued until the socket closes, whatever becomes of the
 * request: it is freed only by ktlso_hs_release(), after an RCU grace
 * period (poll reads it under RCU).  Every other user holds the socket's
 * file (the application in a call, the daemon through its descriptor) or
 * the namespace's lock while the request is listed; closing unlinks it
 * first.  A pending request holds no reference on the socket's file, so
 * an application that closes its socket cancels it; HS_ACCEPT takes a
 * reference only if the file is still live.  What a successful HS_DONE
 * records (version, cipher, ALPN, identity, the peer's certificate) is
 * written before the state is published as done and never changes
 * after; the certificate is freed with the request.
 *
 * Locking: hn->lock (a spinlock, also taken from the timer) orders every
 * change of a listed request's state.  The generic netlink handlers never
 * take the application's socket lock, which the application may hold for
 * as long as it likes: what they need of the socket is read without it
 * (the peer's address is recorded at the request, the installed keys are
 * published with release semantics), and the socket's switch off the
 * handshake configuration runs from a work item.  The key gates (who may
 * install or read TLS_TX/TLS_RX) are decided under the socket lock, with
 * the installation itself.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <net/tcp.h>

#include <linux/ktlso.h>

#include "ktlso.h"

static unsigned int hs_max_pending = 1024;
module_param(hs_max_pending, uint, 0644);
MODULE_PARM_DESC(hs_max_pending,
		 "Handshake requests that may wait for the daemon, per network namespace (default 1024)");

/*
 * Three quarters of the namespace's default bound: one busy uid (a server
 * and its clients all run as one user) still has room, and others keep a
 * quarter of the queue.
 */
static unsigned int hs_max_pending_uid = 768;
module_param(hs_max_pending_uid, uint, 0644);
MODULE_PARM_DESC(hs_max_pending_uid,
		 "Handshake requests one uid may have waiting for the daemon, per network namespace (default 768)");

static unsigned int hs_timeout_ms = 30000;
module_param(hs_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hs_timeout_ms,
		 "Timeout of a handshake request that names none, in ms (default 30000)");

/**
 * struct ktlso_hs_net - the handshake requests of one network namespace
 * @lock: protects everything here and the state of every request listed
 * @pending: requests no daemon has taken yet, oldest first
 * @running: requests a daemon runs
 * @n_pending: entries in @pending
 * @n_running: entries in @running
 * @requested: requests queued, ever
 * @completed: handshakes done
 * @failed: handshakes failed, timeouts and cancellations included
 * @timed_out: of those, the ones whose time ran out
 * @refused: requests refused (no daemon, too many pending, or the last
 *	daemon gone before the announcement went out)
 * @refused_quota: of those, the ones whose uid had too many pending
 */
struct ktlso_hs_net {
	spinlock_t lock;
	struct list_head pending;
	struct list_head running;
	u32 n_pending;
	u32 n_running;
	u64 requested;
	u64 completed;
	u64 failed;
	u64 timed_out;
	u64 refused;
	u64 refused_quota;
};

static unsigned int ktlso_hs_net_id __read_mostly;

static struct ktlso_hs_net *ktlso_hs_net(struct net *net)
{
	return net_generic(net, ktlso_hs_net_id);
}

static bool ktlso_hs_listed(u32 state)
{
	return state == KTLSO_HS_PENDING || state == KTLSO_HS_RUNNING;
}

/* Wake whoever waits on or polls the socket. */
static void ktlso_hs_wake(struct sock *sk)
{
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_all(&wq->wait);
	rcu_read_unlock();
}

/*
 * Take a listed request off its list and give it its final state: @error
 * (a positive errno) or, for 0, done.
 */
static void ktlso_hs_unlist_locked(struct ktlso_hs_net *hn,
				   struct ktlso_hs *hs, int error)
{
	lockdep_assert_held(&hn->lock);
	list_del_init(&hs->list);
	if (hs->state == KTLSO_HS_PENDING)
		hn->n_pending--;
	else
		hn->n_running--;
	hs->error = error;
	/* Pairs with the acquire in ktlso_hs_gate(): error before state. */
	smp_store_release(&hs->state,
			  error ? KTLSO_HS_FAILED : KTLSO_HS_DONE);
}

/*
 * End a listed request with @error (0: success) and count the outcome.
 * Return false if it had ended already.
 */
static bool ktlso_hs_end_locked(struct ktlso_hs_net *hn, struct ktlso_hs *hs,
				int error)
{
	lockdep_assert_held(&hn->lock);
	if (!ktlso_hs_listed(hs->state))
		return false;
	ktlso_hs_unlist_locked(hn, hs, error);
	if (error) {
		hn->failed++;
		if (error == ETIMEDOUT)
			hn->timed_out++;
	} else {
		hn->completed++;
	}
	return true;
}

/*
 * Fail a request if it is still listed, resetting its connection so that
 * the daemon's side of the handshake ends too (from the work item: that
 * takes the socket lock); hn->lock held.
 */
static void ktlso_hs_abort_locked(struct ktlso_hs_net *hn,
				  struct ktlso_hs *hs, int error)
{
	if (!ktlso_hs_end_locked(hn, hs, error))
		return;
	hs->reset = true;
	schedule_work(&hs->work);
	ktlso_hs_wake(hs->sk);
}

static void ktlso_hs_timeout(struct timer_list *t)
{
	struct ktlso_hs *hs = from_timer(hs, t, timer);
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(hs->sk));

	spin_lock_bh(&hn->lock);
	ktlso_hs_abort_locked(hn, hs, ETIMEDOUT);
	spin_unlock_bh(&hn->lock);
}

/*
 * What follows the end of a request in process context: a failure that
 * calls for it resets the connection; a success moves the socket off the
 * handshake configuration of the proto tables.  The generic netlink
 * handlers that end requests never wait for the socket lock themselves.
 */
static void ktlso_hs_work(struct work_struct *work)
{
	struct ktlso_hs *hs = container_of(work, struct ktlso_hs, work);
	struct sock *sk = hs->sk;

	if (READ_ONCE(hs->reset)) {
		/* Resets the connection and reports the error on the socket. */
		tcp_abort(sk, hs->error);
	} else {
		lock_sock(sk);
		ktlso_update_proto(sk, ktlso_get_ctx(sk));
		release_sock(sk);
	}
	ktlso_hs_wake(sk);
}

/**
 * ktlso_hs_gates() - whether the socket's I/O goes through the gate
 * @ctx: the socket's context
 *
 * Return: true while a handshake is pending or running, and after it
 * failed (every call then returns its error).
 */
bool ktlso_hs_gates(const struct ktlso_context *ctx)
{
	const struct ktlso_hs *hs = READ_ONCE(ctx->hs);

	return hs && READ_ONCE(hs->state) != KTLSO_HS_DONE;
}

static bool ktlso_hs_is_owner(const struct ktlso_hs *hs)
{
	return hs->owner == task_tgid(current);
}

/*
 * Where the caller stands: 0 to go on, 1 to wait, or a negative errno.
 * The daemon that runs the handshake goes on; so does everybody once it
 * is done.
 */
static int ktlso_hs_gate(const struct ktlso_hs *hs)
{
	/* Pairs with the release when the state changes. */
	u32 state = smp_load_acquire(&hs->state);

	switch (state) {
	case KTLSO_HS_DONE:
		return 0;
	case KTLSO_HS_FAILED:
		return -hs->error;
	case KTLSO_HS_RUNNING:
		return ktlso_hs_is_owner(hs) ? 0 : 1;
	default:
		return 1;
	}
}

/**
 * ktlso_hs_wait() - hold the caller back until the handshake lets it pass
 * @sk: the socket, not locked
 * @nonblock: return -EAGAIN instead of waiting
 * @timeo: how long to wait (SO_SNDTIMEO / SO_RCVTIMEO), in jiffies
 *
 * Return: 0 when the caller may use the socket (no handshake, handshake
 * done, or the caller is the daemon running it); the handshake's error
 * once it failed; -EAGAIN (non-blocking, or @timeo passed); -ERESTARTSYS
 * or -EINTR on a signal.
 */
int ktlso_hs_wait(struct sock *sk, bool nonblock, long timeo)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct ktlso_hs *hs = READ_ONCE(ctx->hs);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int ret;

	if (!hs)
		return 0;
	ret = ktlso_hs_gate(hs);
	if (ret <= 0)
		return ret;
	if (nonblock)
		return -EAGAIN;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		ret = ktlso_hs_gate(hs);
		if (ret <= 0)
			break;
		if (!timeo) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = sock_intr_errno(timeo);
			break;
		}
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return ret;
}

/**
 * ktlso_hs_poll() - poll() of a socket whose handshake gates its I/O
 * @file: the socket's file
 * @sock: the socket
 * @wait: the poll table
 * @mask: what poll() would report without the handshake
 *
 * Return: @mask for the daemon running the handshake and once it is done;
 * nothing while it is under way (the end wakes pollers); @mask with
 * EPOLLERR, EPOLLIN and EPOLLOUT once it failed, so that the next call
 * collects the error.
 */
__poll_t ktlso_hs_poll(struct file *file, struct socket *sock,
		       poll_table *wait, __poll_t mask)
{
	struct ktlso_context *ctx;
	struct ktlso_hs *hs;
	int gate = 0;

	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sock->sk)->icsk_ulp_data);
	hs = ctx ? READ_ONCE(ctx->hs) : NULL;
	if (hs)
		gate = ktlso_hs_gate(hs);
	rcu_read_unlock();

	if (gate > 0)
		return 0;
	if (gate < 0)
		return mask | EPOLLERR | EPOLLIN | EPOLLRDNORM | EPOLLOUT |
		       EPOLLWRNORM;
	return mask;
}

/* Is the caller the daemon running @ctx's handshake? */
static bool ktlso_hs_running_by_me(const struct ktlso_context *ctx)
{
	const struct ktlso_hs *hs = ctx->hs;

	/* Acquire: pairs with the release of each state change. */
	return hs && smp_load_acquire(&hs->state) == KTLSO_HS_RUNNING &&
	       ktlso_hs_is_owner(hs);
}

/**
 * ktlso_hs_check_keys() - may the caller touch TLS_TX/TLS_RX now?
 * @sk: the socket, locked: the answer holds until it is released, so
 *	that the installation it allows cannot race a handshake request
 * @ctx: its context
 * @set: setsockopt (true) or getsockopt
 *
 * While a handshake is pending or running only the daemon running it may
 * install keys, and those stay hidden from the application ever after
 * (see ktlso_hs_keys_installed()).
 *
 * Return: 0 for the application with no handshake in the way;
 * KTLSO_HS_KEYS_DAEMON for the daemon installing keys; -EBUSY for anybody
 * else during the handshake, and for installing keys after it; the
 * handshake's error once it failed.
 */
int ktlso_hs_check_keys(struct sock *sk, struct ktlso_context *ctx, bool set)
{
	struct ktlso_hs *hs = ctx->hs;
	int gate;

	sock_owned_by_me(sk);
	if (!hs)
		return 0;
	if (set)
		return ktlso_hs_running_by_me(ctx) ? KTLSO_HS_KEYS_DAEMON :
						      -EBUSY;
	gate = ktlso_hs_gate(hs);
	return gate > 0 ? -EBUSY : gate;
}

/**
 * ktlso_hs_keys_installed() - the daemon installed one direction's keys
 * @sk: the socket, locked
 * @ctx: its context, with that direction's keys in place
 * @dir: KTLSO_KEYS_TX or KTLSO_KEYS_RX
 *
 * From here on those keys read back as version and cipher only, and
 * HS_DONE may report success once both directions are the daemon's.
 */
void ktlso_hs_keys_installed(struct sock *sk, struct ktlso_context *ctx,
			     u8 dir)
{
	sock_owned_by_me(sk);
	/* Release: the keys' version and cipher before the flag. */
	smp_store_release(&ctx->daemon_keys, ctx->daemon_keys | dir);
}

/**
 * ktlso_hs_daemon_client() - is the caller the daemon ending a client
 *	handshake?
 * @sk: the socket, locked, inside TLS_TX/TLS_RX
 * @ctx: its context
 *
 * Return: true when the caller is the handshake daemon running a
 * handshake in which the socket is the client.
 */
bool ktlso_hs_daemon_client(struct sock *sk, const struct ktlso_context *ctx)
{
	sock_owned_by_me(sk);
	return ktlso_hs_running_by_me(ctx) &&
	       ctx->hs->req.role == KTLSO_HS_ROLE_CLIENT;
}

static bool ktlso_hs_profile_ok(const char *p)
{
	for (; *p; p++)
		if (!isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

/* Every entry of a wire-format ALPN list: a length byte (not 0), then it. */
static bool ktlso_hs_alpn_ok(const u8 *alpn, u32 len)
{
	u32 off = 0;

	while (off < len) {
		if (!alpn[off] || alpn[off] > len - off - 1)
			return false;
		off += 1 + alpn[off];
	}
	return true;
}

static int ktlso_hs_check_request(const struct ktlso_hs_request *req)
{
	if (req->role != KTLSO_HS_ROLE_CLIENT &&
	    req->role != KTLSO_HS_ROLE_SERVER)
		return -EINVAL;
	if (memchr_inv(req->reserved, 0, sizeof(req->reserved)))
		return -EINVAL;
	if (req->timeout_ms > KTLSO_HS_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (!memchr(req->server_name, 0, sizeof(req->server_name)) ||
	    !memchr(req->profile, 0, sizeof(req->profile)))
		return -EINVAL;
	if (req->role == KTLSO_HS_ROLE_SERVER && req->server_name[0])
		return -EINVAL;
	if (!ktlso_hs_profile_ok(req->profile))
		return -EINVAL;
	if (req->alpn_len > sizeof(req->alpn) ||
	    !ktlso_hs_alpn_ok(req->alpn, req->alpn_len))
		return -EINVAL;
	return 0;
}

/*
 * Refuse a queued request whose announcement failed, if no daemon has
 * taken it meanwhile (then it runs its course).  It stays the socket's,
 * failed with @error: other threads of the application may wait on it
 * already, and must not go on in plaintext.  Return true if refused.
 */
static bool ktlso_hs_refuse(struct ktlso_hs_net *hn, struct ktlso_hs *hs,
			    int error)
{
	bool refused;

	spin_lock_bh(&hn->lock);
	refused = hs->state == KTLSO_HS_PENDING;
	if (refused) {
		ktlso_hs_unlist_locked(hn, hs, error);
		hn->requested--;
		hn->refused++;
	}
	spin_unlock_bh(&hn->lock);
	if (refused) {
		timer_delete_sync(&hs->timer);
		ktlso_hs_wake(hs->sk);
	}
	return refused;
}

/* Requests of @uid waiting for a daemon (at most hs_max_pending). */
static unsigned int ktlso_hs_pending_of(struct ktlso_hs_net *hn, kuid_t uid)
{
	const struct ktlso_hs *hs;
	unsigned int n = 0;

	lockdep_assert_held(&hn->lock);
	list_for_each_entry(hs, &hn->pending, list)
		n += uid_eq(hs->cred->euid, uid);
	return n;
}

/* The calling task's cgroup v2 id, 0 without cgroups. */
static u64 ktlso_current_cgroup_id(void)
{
	u64 id = 0;

#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
#endif
	return id;
}

/* Drop what a request holds; nobody else may reach it any more. */
static void ktlso_hs_put_refs(struct ktlso_hs *hs)
{
	if (hs->cred)
		put_cred(hs->cred);
	put_pid(hs->requester);
	put_pid(hs->owner);
}

/**
 * ktlso_hs_request() - setsockopt(SOL_TLS, KTLSO_HANDSHAKE)
 * @sk: the socket, ktlso attached
 * @optval: a struct ktlso_hs_request
 * @optlen: its size
 *
 * Return: 0 once queued and announced; -EINVAL for a malformed request;
 * -EALREADY if the socket had a request before; -EISCONN if keys are set;
 * -ENOTCONN if the connection is gone; -ESRCH without a daemon; -EBUSY
 * when the namespace, or the caller's uid, has too many pending requests;
 * -ENOMEM; -EFAULT.
 * The announcement is built before the request is queued, so -ENOMEM
 * leaves nothing queued.  A request whose announcement finds no listener
 * after it was queued (the last daemon left meanwhile) is refused with
 * -ESRCH unless a daemon took it already, and that error then stays on
 * the socket as a failed handshake's would.
 */
int ktlso_hs_request(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct net *net = sock_net(sk);
	struct ktlso_hs_net *hn = ktlso_hs_net(net);
	struct sk_buff *ready;
	struct ktlso_hs *hs;
	u32 timeout_ms;
	int err;

	if (sockptr_is_null(optval) || optlen != sizeof(hs->req))
		return -EINVAL;
	hs = kzalloc(sizeof(*hs), GFP_KERNEL_ACCOUNT);
	if (!hs)
		return -ENOMEM;
	/* Its announcement, built now: once queued it needs no memory. */
	ready = ktlso_nl_ready_new();
	if (!ready) {
		kfree(hs);
		return -ENOMEM;
	}
	if (copy_from_sockptr(&hs->req, optval, sizeof(hs->req))) {
		err = -EFAULT;
		goto err_free;
	}
	err = ktlso_hs_check_request(&hs->req);
	if (err)
		goto err_free;
	hs->sk = sk;
	/* Who asks: the calling task, whoever opened the socket. */
	hs->cred = get_current_cred();
	hs->requester = get_pid(task_tgid(current));
	hs->cgroup_id = ktlso_current_cgroup_id();
	INIT_LIST_HEAD(&hs->list);
	timer_setup(&hs->timer, ktlso_hs_timeout, 0);
	INIT_WORK(&hs->work, ktlso_hs_work);
	hs->state = KTLSO_HS_PENDING;
	/* Now, so that HS_ACCEPT need not take the socket lock for it. */
	memset(&hs->peer_addr, 0, sizeof(hs->peer_addr));
	hs->peer_addr_len = kernel_getpeername(sk->sk_socket,
					       (struct sockaddr *)&hs->peer_addr);
	timeout_ms = hs->req.timeout_ms ? hs->req.timeout_ms :
		     min(READ_ONCE(hs_timeout_ms), KTLSO_HS_TIMEOUT_MAX_MS);
	hs->deadline = jiffies + msecs_to_jiffies(timeout_ms);

	lock_sock(sk);
	if (ctx->hs)
		err = -EALREADY;
	else if (ctx->tx || ctx->rx)
		err = -EISCONN;
	else if (sk->sk_state != TCP_ESTABLISHED)
		err = -ENOTCONN;
	else
		err = ktlso_build_rx_ops(sk, ctx->family);
	if (err)
		goto err_unlock;

	spin_lock_bh(&hn->lock);
	if (!ktlso_nl_has_listeners(net))
		err = -ESRCH;
	else if (hn->n_pending >= READ_ONCE(hs_max_pending))
		err = -EBUSY;
	else if (ktlso_hs_pending_of(hn, hs->cred->euid) >=
		 READ_ONCE(hs_max_pending_uid)) {
		err = -EBUSY;
		hn->refused_quota++;
	}
	if (err) {
		hn->refused++;
		spin_unlock_bh(&hn->lock);
		goto err_unlock;
	}
	/* The context and proto first: a daemon may take it at once. */
	WRITE_ONCE(ctx->hs, hs);
	ktlso_update_proto(sk, ctx);
	list_add_tail(&hs->list, &hn->pending);
	hn->n_pending++;
	hn->requested++;
	mod_timer(&hs->timer, hs->deadline);
	spin_unlock_bh(&hn->lock);
	release_sock(sk);

	/*
	 * A multicast nobody took (-ESRCH) may mean that the daemon left
	 * since the check, or only that its receive queue is full: then it
	 * sees the overrun and sweeps the queue, so the request stays.
	 */
	err = ktlso_nl_ready_send(net, ready);
	if (err == -ESRCH && ktlso_nl_has_listeners(net))
		err = 0;
	if (err && !ktlso_hs_refuse(hn, hs, -err))
		err = 0;
	return err;

err_unlock:
	release_sock(sk);
err_free:
	nlmsg_free(ready);
	ktlso_hs_put_refs(hs);
	kfree(hs);
	return err;
}

/**
 * ktlso_hs_result() - getsockopt(SOL_TLS, KTLSO_HANDSHAKE)
 * @sk: the socket, ktlso attached
 * @optval: user buffer for a struct ktlso_hs_result
 * @optlen: its length, exactly sizeof(struct ktlso_hs_result)
 *
 * Return: 0, -EINVAL for another length, -EFAULT.
 */
int ktlso_hs_result(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct ktlso_hs_result *res;
	struct ktlso_hs *hs;
	int len, err = 0;

	if (get_user(len, optlen))
		return -EFAULT;
	if (!optval || len != sizeof(*res))
		return -EINVAL;
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;

	lock_sock(sk);
	hs = ctx->hs;
	if (hs) {
		/* Acquire: error and results are written before the state. */
		res->state = smp_load_acquire(&hs->state);
		if (res->state == KTLSO_HS_FAILED)
			res->error = hs->error;
		if (res->state == KTLSO_HS_DONE) {
			res->version = hs->version;
			res->cipher = hs->cipher;
			res->flags = hs->resumed ? KTLSO_HS_RESUMED : 0;
			strscpy(res->alpn, hs->alpn, sizeof(res->alpn));
			strscpy(res->peer, hs->peer, sizeof(res->peer));
		}
	}
	release_sock(sk);

	if (copy_to_user(optval, res, sizeof(*res)))
		err = -EFAULT;
	kfree(res);
	return err;
}

/**
 * ktlso_hs_peer_cert() - getsockopt(SOL_TLS, KTLSO_PEER_CERT)
 * @sk: the socket, ktlso attached
 * @optval: user buffer for the certificate
 * @optlen: its length; set to the certificate's
 *
 * The certificate is read without the socket lock once the request is
 * seen done under it: a done request's results never change, and the
 * request lives until the socket closes, which cannot happen while the
 * caller is in a system call on it.
 *
 * Return: 0 (with the length 0 when the handshake left no certificate);
 * -ERANGE for a buffer too short, with the length needed written back;
 * -ENOTCONN unless the handshake is done; -EINVAL for a negative length;
 * -EFAULT.
 */
int ktlso_hs_peer_cert(struct sock *sk, char __user *optval,
		       int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	const struct ktlso_hs *hs;
	bool done;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	lock_sock(sk);
	hs = ctx->hs;
	/* Acquire: the certificate is written before the state. */
	done = hs && smp_load_acquire(&hs->state) == KTLSO_HS_DONE;
	release_sock(sk);
	if (!done)
		return -ENOTCONN;

	if (len < hs->peer_cert_len) {
		if (put_user(hs->peer_cert_len, optlen))
			return -EFAULT;
		return -ERANGE;
	}
	if (hs->peer_cert_len &&
	    copy_to_user(optval, hs->peer_cert, hs->peer_cert_len))
		return -EFAULT;
	if (put_user(hs->peer_cert_len, optlen))
		return -EFAULT;
	return 0;
}

/**
 * ktlso_hs_accept() - hand the oldest pending request of @net to the caller
 * @net: the caller's network namespace
 * @portid: the caller's netlink port, to fail its requests if it goes away
 * @hsp: the request taken
 * @filep: a reference on its socket's file, for the caller to install
 *
 * The request is running from here on, owned by the calling process.
 *
 * Return: 0, or -ENOENT when no request is pending.
 */
int ktlso_hs_accept(struct net *net, u32 portid, struct ktlso_hs **hsp,
		    struct file **filep)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(net);
	struct ktlso_hs *hs, *tmp;
	struct pid *owner = get_pid(task_tgid(current));
	int err = -ENOENT;

	spin_lock_bh(&hn->lock);
	list_for_each_entry_safe(hs, tmp, &hn->pending, list) {
		struct socket *sock = hs->sk->sk_socket;
		struct file *file = sock ? sock->file : NULL;

		/*
		 * A file whose count reached zero is being closed: its close
		 * will unlink the request, which the daemon must not get.
		 */
		if (!file || !atomic_long_inc_not_zero(&file->f_count))
			continue;
		list_move_tail(&hs->list, &hn->running);
		hn->n_pending--;
		hn->n_running++;
		hs->owner = owner;
		owner = NULL;
		hs->portid = portid;
		/* Release: ktlso_hs_gate() reads the owner after the state. */
		smp_store_release(&hs->state, KTLSO_HS_RUNNING);
		*hsp = hs;
		*filep = file;
		err = 0;
		break;
	}
	spin_unlock_bh(&hn->lock);
	put_pid(owner);
	return err;
}

/**
 * ktlso_hs_abandon() - the daemon could not be told about a request it took
 * @hs: the request, from ktlso_hs_accept(); the caller holds its file
 *
 * The request fails with ECONNABORTED and the connection is reset.
 */
void ktlso_hs_abandon(struct ktlso_hs *hs)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(hs->sk));

	spin_lock_bh(&hn->lock);
	ktlso_hs_abort_locked(hn, hs, ECONNABORTED);
	spin_unlock_bh(&hn->lock);
}

/**
 * ktlso_hs_unaccept() - the daemon's HS_ACCEPT reply was not delivered
 * @hs: the request, from ktlso_hs_accept(); the caller holds its file
 *
 * The daemon never learns of the request (its receive queue was full, or
 * it went away), so the request goes back to the head of the queue, as
 * pending as it was, for the next HS_ACCEPT of any daemon; a daemon whose
 * queue overran sweeps the queue.  Its timeout still runs.
 */
void ktlso_hs_unaccept(struct ktlso_hs *hs)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(hs->sk));
	struct pid *owner = NULL;

	spin_lock_bh(&hn->lock);
	if (hs->state == KTLSO_HS_RUNNING) {
		list_move(&hs->list, &hn->pending);
		hn->n_running--;
		hn->n_pending++;
		owner = hs->owner;
		hs->owner = NULL;
		hs->portid = 0;
		/* Pairs with the acquire in ktlso_hs_gate(). */
		smp_store_release(&hs->state, KTLSO_HS_PENDING);
	}
	spin_unlock_bh(&hn->lock);
	put_pid(owner);
}

/**
 * ktlso_hs_time_left_ms() - what remains of a request's timeout
 * @hs: the request
 *
 * Return: milliseconds, 0 if it has passed.
 */
u32 ktlso_hs_time_left_ms(const struct ktlso_hs *hs)
{
	long left = (long)(hs->deadline - jiffies);

	return left > 0 ? jiffies_to_msecs(left) : 0;
}

/*
 * Are both directions' keys the daemon's, with @version and @cipher?
 * Read without the socket lock: keys are never uninstalled while the
 * caller holds the socket's file.
 */
static bool ktlso_hs_keys_match(const struct ktlso_context *ctx, u16 version,
				u16 cipher)
{
	/* Acquire: pairs with the release in ktlso_hs_keys_installed(). */
	u8 keys = smp_load_acquire(&ctx->daemon_keys);

	return keys == (KTLSO_KEYS_TX | KTLSO_KEYS_RX) &&
	       READ_ONCE(ctx->tx_version) == version &&
	       READ_ONCE(ctx->rx_version) == version &&
	       READ_ONCE(ctx->tx_cipher) == cipher &&
	       READ_ONCE(ctx->rx_cipher) == cipher;
}

/**
 * ktlso_hs_done() - the daemon reports how the handshake on @sk ended
 * @sk: the socket behind the daemon's descriptor, which the caller holds;
 *	not locked, and its lock is not taken
 * @out: the outcome
 * @extack: for the reason of a refusal
 *
 * A success must have both directions' keys installed by the daemon with
 * the version and cipher it names; otherwise the handshake fails with
 * ECONNABORTED, as the application must never go on in plaintext.  A
 * success keeps a copy of the peer's certificate, if any, until the
 * socket closes; it is published with the state, so nobody reads it
 * before the handshake is done, and so are whether the session was
 * resumed and the id under which the daemon takes the client's tickets
 * (tickets.c).  After a success the socket leaves the handshake
 * configuration from a work item.
 *
 * Return: 0; -ENOENT if @sk has no running handshake (it may have timed
 * out); -EPERM if another process runs it; -EINVAL for a success without
 * the keys it claims, or, refusing the report whole with the request
 * still running, for a ticket id on a handshake other than a TLS 1.3
 * client's; -ENOMEM, with the request still running, when the
 * certificate cannot be copied.
 */
int ktlso_hs_done(struct sock *sk, const struct ktlso_hs_outcome *out,
		  struct netlink_ext_ack *extack)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(sk));
	u32 status = out->status;
	struct ktlso_context *ctx;
	struct ktlso_hs *hs;
	u8 *cert = NULL;
	int err = 0;

	ctx = ktlso_sk_ctx(sk);
	hs = ctx ? READ_ONCE(ctx->hs) : NULL;
	if (!hs)
		return -ENOENT;

	/* Copied now: nothing is allocated under the namespace's lock. */
	if (!status && out->peer_cert) {
		if (WARN_ON_ONCE(!out->peer_cert_len ||
				 out->peer_cert_len > KTLSO_PEER_CERT_MAX))
			return -EINVAL;
		cert = kvmalloc(out->peer_cert_len, GFP_KERNEL_ACCOUNT);
		if (!cert)
			return -ENOMEM;
		memcpy(cert, out->peer_cert, out->peer_cert_len);
	}

	spin_lock_bh(&hn->lock);
	if (hs->state != KTLSO_HS_RUNNING) {
		err = -ENOENT;		/* never taken, or it timed out */
		goto out_unlock;
	}
	if (!ktlso_hs_is_owner(hs)) {
		err = -EPERM;
		goto out_unlock;
	}
	if (!status && out->ticket_session &&
	    (hs->req.role != KTLSO_HS_ROLE_CLIENT ||
	     out->version != TLS_1_3_VERSION)) {
		NL_SET_ERR_MSG(extack,
			       "tickets are forwarded for TLS 1.3 clients only");
		err = -EINVAL;
		goto out_unlock;
	}
	if (!status && !ktlso_hs_keys_match(ctx, out->version, out->cipher)) {
		NL_SET_ERR_MSG(extack, "the keys reported are not installed");
		status = ECONNABORTED;
		err = -EINVAL;
	}
	if (!status) {
		hs->version = out->version;
		hs->cipher = out->cipher;
		strscpy(hs->alpn, out->alpn, sizeof(hs->alpn));
		strscpy(hs->peer, out->peer, sizeof(hs->peer));
		/* Running, so ours alone: no earlier HS_DONE set one. */
		hs->peer_cert = cert;
		hs->peer_cert_len = cert ? out->peer_cert_len : 0;
		cert = NULL;
		hs->resumed = out->resumed;
		hs->ticket_session = out->ticket_session;
	}
	/* Publishes the results above with the state (release). */
	ktlso_hs_end_locked(hn, hs, status);
	/*
	 * A failure leaves the connection to the application, which sees the
	 * error on every call and closes it: the daemon's alert is on its
	 * way and a reset could overtake it.
	 */
	if (!status)
		schedule_work(&hs->work);
	spin_unlock_bh(&hn->lock);
	kvfree(cert);
	timer_delete(&hs->timer);
	ktlso_hs_wake(sk);
	return err;

out_unlock:
	spin_unlock_bh(&hn->lock);
	kvfree(cert);
	return err;
}

/**
 * ktlso_hs_daemon_gone() - a netlink socket closed: fail what it ran
 * @net: its namespace
 * @portid: its port
 */
void ktlso_hs_daemon_gone(struct net *net, u32 portid)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(net);
	struct ktlso_hs *hs, *tmp;

	/*
	 * Under the lock none of these sockets can finish closing:
	 * ktlso_hs_release() takes it first.
	 */
	spin_lock_bh(&hn->lock);
	list_for_each_entry_safe(hs, tmp, &hn->running, list)
		if (hs->portid == portid)
			ktlso_hs_abort_locked(hn, hs, ECONNABORTED);
	spin_unlock_bh(&hn->lock);
}

/**
 * ktlso_hs_counters() - the namespace's handshake counters, for STATUS
 * @net: the namespace
 * @c: filled in
 */
void ktlso_hs_counters(struct net *net, struct ktlso_hs_counters *c)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(net);

	spin_lock_bh(&hn->lock);
	c->pending = hn->n_pending;
	c->running = hn->n_running;
	c->requested = hn->requested;
	c->completed = hn->completed;
	c->failed = hn->failed;
	c->timed_out = hn->timed_out;
	c->refused = hn->refused;
	c->refused_quota = hn->refused_quota;
	spin_unlock_bh(&hn->lock);
	c->max_pending = READ_ONCE(hs_max_pending);
}

/**
 * ktlso_hs_release() - the socket closes: cancel and free its request
 * @ctx: the context; no file refers to the socket any more, so nobody
 *	but a poller under RCU can still reach the request
 */
void ktlso_hs_release(struct ktlso_context *ctx)
{
	struct ktlso_hs *hs = ctx->hs;
	struct ktlso_hs_net *hn;

	if (!hs)
		return;
	hn = ktlso_hs_net(sock_net(ctx->sk));
	spin_lock_bh(&hn->lock);
	ktlso_hs_end_locked(hn, hs, ECONNABORTED);
	spin_unlock_bh(&hn->lock);
	/* Unlisted: neither the timer nor a daemon can queue the work now. */
	timer_delete_sync(&hs->timer);
	cancel_work_sync(&hs->work);
	ktlso_tickets_end(ctx->sk, hs);
	/* Pollers under RCU read the state only: the rest may go now. */
	ktlso_hs_put_refs(hs);
	kvfree(hs->peer_cert);
	WRITE_ONCE(ctx->hs, NULL);
	kfree_rcu(hs, rcu);
}

static int __net_init ktlso_hs_net_init(struct net *net)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(net);

	spin_lock_init(&hn->lock);
	INIT_LIST_HEAD(&hn->pending);
	INIT_LIST_HEAD(&hn->running);
	return 0;
}

/* Every socket holds its namespace: none can have a request left here. */
static void __net_exit ktlso_hs_net_exit(struct net *net)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(net);

	WARN_ON_ONCE(!list_empty(&hn->pending) || hn->n_pending);
	WARN_ON_ONCE(!list_empty(&hn->running) || hn->n_running);
}

static struct pernet_operations ktlso_hs_net_ops = {
	.init = ktlso_hs_net_init,
	.exit = ktlso_hs_net_exit,
	.id = &ktlso_hs_net_id,
	.size = sizeof(struct ktlso_hs_net),
};

int ktlso_hs_init(void)
{
	return register_pernet_subsys(&ktlso_hs_net_ops);
}

void ktlso_hs_exit(void)
{
	unregister_pernet_subsys(&ktlso_hs_net_ops);
}
