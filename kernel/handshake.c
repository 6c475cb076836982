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
 * Lifetime: struct ktlso_hs belongs to the socket's context and is freed
 * when the socket closes.  The namespace lists hold it only while pending
 * or running, under the namespace's lock, and closing unlinks it first.  A
 * pending request holds no reference on the socket's file, so an
 * application that closes its socket cancels it; HS_ACCEPT takes a
 * reference only if the file is still live.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>

#include <linux/ktlso.h>

#include "ktlso.h"

static unsigned int hs_max_pending = 1024;
module_param(hs_max_pending, uint, 0644);
MODULE_PARM_DESC(hs_max_pending,
		 "Handshake requests that may wait for the daemon, per network namespace (default 1024)");

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
 * @refused: requests refused at once (no daemon, too many pending)
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
 * End a listed request with @error (0: success), under hn->lock.  Return
 * false if it had ended already.
 */
static bool ktlso_hs_end_locked(struct ktlso_hs_net *hn, struct ktlso_hs *hs,
				int error)
{
	u32 state = hs->state;

	if (!ktlso_hs_listed(state))
		return false;
	list_del_init(&hs->list);
	if (state == KTLSO_HS_PENDING)
		hn->n_pending--;
	else
		hn->n_running--;
	hs->error = error;
	if (error) {
		hn->failed++;
		if (error == ETIMEDOUT)
			hn->timed_out++;
	} else {
		hn->completed++;
	}
	/* Pairs with the acquire in ktlso_hs_gate(): error before state. */
	smp_store_release(&hs->state,
			  error ? KTLSO_HS_FAILED : KTLSO_HS_DONE);
	return true;
}

/*
 * Fail a request from any context: the connection is reset (from a work
 * item, as that takes the socket lock) so that the daemon's side of the
 * handshake ends too, and waiters wake up.
 */
static void ktlso_hs_fail(struct ktlso_hs *hs, int error)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(hs->sk));
	bool ended;

	spin_lock_bh(&hn->lock);
	ended = ktlso_hs_end_locked(hn, hs, error);
	spin_unlock_bh(&hn->lock);
	if (ended) {
		schedule_work(&hs->abort_work);
		ktlso_hs_wake(hs->sk);
	}
}

static void ktlso_hs_timeout(struct timer_list *t)
{
	struct ktlso_hs *hs = from_timer(hs, t, timer);

	ktlso_hs_fail(hs, ETIMEDOUT);
}

static void ktlso_hs_abort_work(struct work_struct *work)
{
	struct ktlso_hs *hs = container_of(work, struct ktlso_hs, abort_work);

	/* Resets the connection and reports the error on the socket. */
	tcp_abort(hs->sk, hs->error);
	ktlso_hs_wake(hs->sk);
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

/**
 * ktlso_hs_check_keys() - may the caller touch TLS_TX/TLS_RX now?
 * @sk: the socket
 * @ctx: its context
 * @set: setsockopt (true) or getsockopt
 *
 * While a handshake is under way only the daemon running it may install
 * keys, and those stay hidden from the application ever after.
 *
 * Return: 0, or -EBUSY for anybody else during the handshake.
 */
int ktlso_hs_check_keys(struct sock *sk, struct ktlso_context *ctx, bool set)
{
	struct ktlso_hs *hs = READ_ONCE(ctx->hs);
	int gate;

	if (!hs)
		return 0;
	gate = ktlso_hs_gate(hs);
	if (gate > 0)
		return -EBUSY;
	/* Acquire: pairs with the release of each state change. */
	if (set && smp_load_acquire(&hs->state) != KTLSO_HS_RUNNING)
		return -EBUSY;
	if (set)
		WRITE_ONCE(ctx->keys_hidden, true);
	return 0;
}

/**
 * ktlso_hs_daemon_client() - do the keys being installed end a client
 *	handshake the daemon ran?
 * @ctx: the socket's context; the socket locked, inside TLS_TX/TLS_RX
 *	after ktlso_hs_check_keys() let the caller through
 *
 * Return: true when the handshake daemon installs keys for a handshake it
 * ran as the client.
 */
bool ktlso_hs_daemon_client(const struct ktlso_context *ctx)
{
	const struct ktlso_hs *hs = READ_ONCE(ctx->hs);

	return READ_ONCE(ctx->keys_hidden) && hs &&
	       hs->req.role == KTLSO_HS_ROLE_CLIENT;
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

/* Take @hs back out of the queue after the announcement failed. */
static void ktlso_hs_unqueue(struct sock *sk, struct ktlso_context *ctx,
			     struct ktlso_hs *hs)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(sk));
	bool listed;

	spin_lock_bh(&hn->lock);
	listed = ktlso_hs_listed(hs->state);
	if (listed) {
		list_del_init(&hs->list);
		hn->n_pending--;
		hn->requested--;
		hn->refused++;
	}
	spin_unlock_bh(&hn->lock);
	if (!listed) {
		/* A daemon took it already: it runs its course. */
		return;
	}
	timer_delete_sync(&hs->timer);
	lock_sock(sk);
	WRITE_ONCE(ctx->hs, NULL);
	ktlso_update_proto(sk, ctx);
	release_sock(sk);
	kfree(hs);
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
 * when the namespace has too many pending requests; -ENOMEM; -EFAULT.
 */
int ktlso_hs_request(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_get_ctx(sk);
	struct net *net = sock_net(sk);
	struct ktlso_hs_net *hn = ktlso_hs_net(net);
	struct ktlso_hs *hs;
	u32 timeout_ms;
	int err;

	if (sockptr_is_null(optval) || optlen != sizeof(hs->req))
		return -EINVAL;
	hs = kzalloc(sizeof(*hs), GFP_KERNEL_ACCOUNT);
	if (!hs)
		return -ENOMEM;
	if (copy_from_sockptr(&hs->req, optval, sizeof(hs->req))) {
		err = -EFAULT;
		goto err_free;
	}
	err = ktlso_hs_check_request(&hs->req);
	if (err)
		goto err_free;
	hs->sk = sk;
	INIT_LIST_HEAD(&hs->list);
	timer_setup(&hs->timer, ktlso_hs_timeout, 0);
	INIT_WORK(&hs->abort_work, ktlso_hs_abort_work);
	hs->state = KTLSO_HS_PENDING;
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
	err = ktlso_nl_notify_ready(net);
	if (err == -ESRCH && !ktlso_nl_has_listeners(net)) {
		ktlso_hs_unqueue(sk, ctx, hs);
		return err;
	}
	return 0;

err_unlock:
	release_sock(sk);
err_free:
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
 * @hs: the request, from ktlso_hs_accept()
 */
void ktlso_hs_abandon(struct ktlso_hs *hs)
{
	ktlso_hs_fail(hs, ECONNABORTED);
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

/**
 * ktlso_hs_done() - the daemon reports how the handshake on @sk ended
 * @sk: the socket behind the daemon's descriptor
 * @status: 0 for success, or a positive errno
 * @version: the TLS version, for a success
 * @cipher: the TLS_CIPHER_*, for a success
 * @alpn: the protocol agreed on, or ""
 * @peer: the peer's verified identity, or ""
 *
 * A success must have both directions' keys installed with @version and
 * @cipher; otherwise the handshake fails with ECONNABORTED, as the
 * application must never go on in plaintext.  Called with the socket
 * unlocked, from the daemon's process.
 *
 * Return: 0; -ENOENT if @sk has no running handshake (it may have timed
 * out); -EPERM if another process runs it; -EINVAL for a success without
 * the keys it claims.
 */
int ktlso_hs_done(struct sock *sk, u32 status, u16 version, u16 cipher,
		  const char *alpn, const char *peer)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(sock_net(sk));
	struct ktlso_context *ctx;
	struct ktlso_hs *hs;
	bool ended;
	int err = 0;

	lock_sock(sk);
	ctx = ktlso_sk_ctx(sk);
	hs = ctx ? ctx->hs : NULL;
	/* Acquire: pairs with the release in ktlso_hs_accept(). */
	if (!hs || smp_load_acquire(&hs->state) != KTLSO_HS_RUNNING) {
		err = -ENOENT;
		goto out;
	}
	if (!ktlso_hs_is_owner(hs)) {
		err = -EPERM;
		goto out;
	}
	if (!status &&
	    (!ctx->tx || !ctx->rx || ctx->tx_version != version ||
	     ctx->rx_version != version || ctx->tx_cipher != cipher ||
	     ctx->rx_cipher != cipher)) {
		status = ECONNABORTED;
		err = -EINVAL;
	}
	if (!status) {
		hs->version = version;
		hs->cipher = cipher;
		strscpy(hs->alpn, alpn, sizeof(hs->alpn));
		strscpy(hs->peer, peer, sizeof(hs->peer));
	}
	spin_lock_bh(&hn->lock);
	ended = ktlso_hs_end_locked(hn, hs, status);
	spin_unlock_bh(&hn->lock);
	if (!ended) {
		err = -ENOENT;		/* it timed out meanwhile */
		goto out;
	}
	timer_delete(&hs->timer);
	/*
	 * A failure leaves the connection to the application, which sees the
	 * error on every call and closes it: the daemon's alert is on its
	 * way and a reset could overtake it.
	 */
	if (!status)
		ktlso_update_proto(sk, ctx);
out:
	release_sock(sk);
	if (hs)
		ktlso_hs_wake(sk);
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
	list_for_each_entry_safe(hs, tmp, &hn->running, list) {
		if (hs->portid != portid)
			continue;
		ktlso_hs_end_locked(hn, hs, ECONNABORTED);
		schedule_work(&hs->abort_work);
		ktlso_hs_wake(hs->sk);
	}
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
	spin_unlock_bh(&hn->lock);
	c->max_pending = READ_ONCE(hs_max_pending);
}

/**
 * ktlso_hs_release() - the socket closes: cancel and free its request
 * @ctx: the context; no file refers to the socket any more
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
	timer_delete_sync(&hs->timer);
	cancel_work_sync(&hs->abort_work);
	put_pid(hs->owner);
	ctx->hs = NULL;
	kfree(hs);
}

static int __net_init ktlso_hs_net_init(struct net *net)
{
	struct ktlso_hs_net *hn = ktlso_hs_net(net);

	spin_lock_init(&hn->lock);
	INIT_LIST_HEAD(&hn->pending);
	INIT_LIST_HEAD(&hn->running);
	return 0;
}

static struct pernet_operations ktlso_hs_net_ops = {
	.init = ktlso_hs_net_init,
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
