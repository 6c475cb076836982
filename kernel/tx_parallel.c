// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: sealing one connection's records on other CPUs.
 *
 * In-tree kTLS seals every record in the sender's context, so one fat
 * connection runs at one core's AEAD speed.  Records are independent once
 * each has its sequence number, so the transmit side (tx.c) keeps a small
 * ring of full records sealed out of order: the sender gives each its
 * sequence number, hands it to a worker on another CPU when no record in
 * the ring still waits for one and a CPU lately had time to spare, and
 * otherwise seals it itself; records
 * are pushed to TCP in sequence order, as those at the front are sealed,
 * by the sender alone.  So the sender and the workers seal at once, the
 * sender also pushes, and the ring (tx_parallel records, at most
 * KTLSO_TX_FLIGHTS) bounds the memory in flight.
 *
 * Who seals a record handed off is decided by one compare-and-exchange on
 * its state: the worker when it starts in time, or else the sender, which
 * seals it itself when it needs the record and no worker has started on
 * it; tx.c then hands nothing off for a while.  Nothing ever waits on a
 * queue for a CPU.  A busy CPU often starts the worker in time all the
 * same, though, and the worker then only takes the place of other work
 * there, at the cost of moving the record between caches.  So records go
 * only to CPUs that were idle (or ran the ring's workers) for part of
 * their last sampled window (ktlso_par_spare()): with every CPU busy, as
 * on a server with many connections per core, each sender seals its own
 * records.
 *
 * Lifetime: a flight belongs to its socket's transmit state, which cancels
 * its work item before freeing it (ktlso_par_stop()).  A worker touches
 * the flight after completing it only in the work item's own return.
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kernel_stat.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/tick.h>
#include <linux/workqueue.h>

#include "ktlso.h"

static unsigned int tx_parallel = KTLSO_TX_FLIGHTS;
module_param(tx_parallel, uint, 0644);
MODULE_PARM_DESC(tx_parallel,
		 "Full records of one connection sealed out of order, on other CPUs too (0: every record in the sender's context, as in-tree kTLS; at most "
		 __stringify(KTLSO_TX_FLIGHTS) ")");

static struct workqueue_struct *ktlso_seal_wq;

/* ktlso_tx_flight.state */
enum {
	KTLSO_FLIGHT_IDLE,	/* not in the ring */
	KTLSO_FLIGHT_QUEUED,	/* handed off, nobody sealing it yet */
	KTLSO_FLIGHT_WORKER,	/* a worker took it: wait for @done */
	KTLSO_FLIGHT_SEALED,	/* the sender sealed it */
};

/**
 * ktlso_par_flights() - how many records a socket's ring may hold now
 *
 * Return: 0 (one CPU online, or tx_parallel 0) to KTLSO_TX_FLIGHTS.
 */
unsigned int ktlso_par_flights(void)
{
	if (num_online_cpus() < 2)
		return 0;
	return min_t(unsigned int, READ_ONCE(tx_parallel), KTLSO_TX_FLIGHTS);
}

/*
 * Nanoseconds each CPU spent sealing records, by the ring's workers and by
 * senders, each counted on the CPU where the sealing ended.
 */
struct ktlso_par_sealing {
	u64 worker;
	u64 sender;
};

static DEFINE_PER_CPU(struct ktlso_par_sealing, ktlso_par_sealing);

static void ktlso_par_work(struct work_struct *work)
{
	struct ktlso_tx_flight *f = container_of(work, struct ktlso_tx_flight,
						 work);
	u64 start = local_clock();

	/* A stale run, for a flight the sender took back, does nothing. */
	if (atomic_cmpxchg(&f->state, KTLSO_FLIGHT_QUEUED,
			   KTLSO_FLIGHT_WORKER) != KTLSO_FLIGHT_QUEUED)
		return;
	f->err = ktlso_seal_run(&f->op);
	this_cpu_add(ktlso_par_sealing.worker, local_clock() - start);
	complete(&f->done);
}

/**
 * ktlso_par_init_flight() - set up a new flight's work item
 * @f: the flight, zeroed
 */
void ktlso_par_init_flight(struct ktlso_tx_flight *f)
{
	INIT_WORK(&f->work, ktlso_par_work);
	init_completion(&f->done);
	atomic_set(&f->state, KTLSO_FLIGHT_IDLE);
}

/* The online CPU after @cpu, wrapping around. */
static unsigned int ktlso_par_next_cpu(unsigned int cpu)
{
	cpu = cpumask_next(cpu, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

/*
 * How much of a CPU was idle lately, sampled at most once per window by
 * whichever sender asks first.  A CPU whose last window had less than
 * 1/KTLSO_PAR_SPARE of it to spare gets no records: its own work would
 * wait for them, or they for it.  The ring's workers' time there counts
 * as spare, less what senders there spent sealing their own records: a
 * worker on a CPU that only reads, say, keeps its place, but where
 * senders seal too (many connections) it would only take theirs.
 */
#define KTLSO_PAR_WINDOW_NS	(20 * NSEC_PER_MSEC)
#define KTLSO_PAR_SPARE		16
#define KTLSO_PAR_TRIES		4

struct ktlso_par_load {
	spinlock_t lock;	/* one sampler at a time; others skip */
	u64 stamp;		/* ktime_get_ns() at the last sample */
	u64 idle;		/* ktlso_par_idle_ns() then */
	u64 worker;		/* ktlso_par_sealing's counts then */
	u64 sender;
	bool spare;		/* enough time to spare in the last window */
};

static DEFINE_PER_CPU(struct ktlso_par_load, ktlso_par_load);

/**
 * ktlso_par_sender_sealed() - count a record its sender sealed
 * @start: local_clock() when the sealing began
 */
void ktlso_par_sender_sealed(u64 start)
{
	this_cpu_add(ktlso_par_sealing.sender, local_clock() - start);
}

/* Time @cpu spent idle (or waiting for I/O) since boot, as /proc/stat. */
static u64 ktlso_par_idle_ns(unsigned int cpu)
{
	struct kernel_cpustat kcs;
	u64 idle = get_cpu_idle_time_us(cpu, NULL);

	if (idle != (u64)-1)
		return (idle + get_cpu_iowait_time_us(cpu, NULL)) *
		       NSEC_PER_USEC;
	/* Without NOHZ the tick counts idle time. */
	kcpustat_cpu_fetch(&kcs, cpu);
	return kcs.cpustat[CPUTIME_IDLE] + kcs.cpustat[CPUTIME_IOWAIT];
}

/* Take a new sample of @cpu into @l, its lock held, at @now. */
static void ktlso_par_sample(struct ktlso_par_load *l, unsigned int cpu,
			     u64 now)
{
	const struct ktlso_par_sealing *sl = per_cpu_ptr(&ktlso_par_sealing,
							 cpu);
	u64 idle = ktlso_par_idle_ns(cpu);
	u64 worker = READ_ONCE(sl->worker), sender = READ_ONCE(sl->sender);
	/* iowait, counted remotely, can seem to go back a little */
	u64 spare = idle > l->idle ? idle - l->idle : 0;

	if (worker - l->worker > sender - l->sender)
		spare += (worker - l->worker) - (sender - l->sender);
	WRITE_ONCE(l->spare, spare * KTLSO_PAR_SPARE >= now - l->stamp);
	l->idle = idle;
	l->worker = worker;
	l->sender = sender;
	WRITE_ONCE(l->stamp, now);
}

/* Did @cpu have time to spare in its last sampled window? */
static bool ktlso_par_spare(unsigned int cpu)
{
	struct ktlso_par_load *l = per_cpu_ptr(&ktlso_par_load, cpu);
	u64 now = ktime_get_ns();

	if (now - READ_ONCE(l->stamp) < KTLSO_PAR_WINDOW_NS ||
	    !spin_trylock(&l->lock))
		return READ_ONCE(l->spare);
	if (now - l->stamp >= KTLSO_PAR_WINDOW_NS)
		ktlso_par_sample(l, cpu, now);
	spin_unlock(&l->lock);
	return READ_ONCE(l->spare);
}

/**
 * ktlso_par_pick() - choose a CPU to seal a socket's next record on
 * @cpu: the CPU the socket's last record went to, or the last one found
 *	busy; updated
 *
 * Takes the online CPUs after @cpu in turn, skipping the one the sender
 * runs on (a hint: the sender may move), and the first of the next few
 * that lately had time to spare.  On a server whose CPUs are all
 * busy, every record is then sealed by its own sender, as in-tree kTLS
 * does; the next pick goes on from where this one stopped, so that every
 * CPU gets looked at.
 *
 * Return: true if @cpu is set to the CPU to hand the record to.
 */
bool ktlso_par_pick(unsigned int *cpu)
{
	unsigned int next = *cpu, self = raw_smp_processor_id(), i;

	for (i = 0; i < KTLSO_PAR_TRIES; i++) {
		next = ktlso_par_next_cpu(next);
		if (next == self)
			next = ktlso_par_next_cpu(next);
		if (next == self)
			return false;
		*cpu = next;
		if (ktlso_par_spare(next))
			return true;
	}
	return false;
}

/**
 * ktlso_par_start() - hand a record, set up in @f->op, to another CPU
 * @f: the flight, idle
 * @cpu: the CPU, from ktlso_par_pick()
 *
 * A work item queued on a CPU that goes offline meanwhile still runs, on
 * another one; with no other CPU left, the sender takes the record back.
 */
void ktlso_par_start(struct ktlso_tx_flight *f, unsigned int cpu)
{
	f->err = 0;
	reinit_completion(&f->done);
	/* The worker's cmpxchg orders the set-up flight before its use. */
	atomic_set_release(&f->state, KTLSO_FLIGHT_QUEUED);
	queue_work_on(cpu, ktlso_seal_wq, &f->work);
}

/**
 * ktlso_par_sealed() - the sender sealed the record of @f itself
 * @f: the flight, idle
 */
void ktlso_par_sealed(struct ktlso_tx_flight *f)
{
	f->err = 0;
	atomic_set(&f->state, KTLSO_FLIGHT_SEALED);
}

/**
 * ktlso_par_queued() - is @f handed off with no worker started on it yet?
 * @f: the flight
 *
 * Return: true if so; the answer may be stale by the time it is used.
 */
bool ktlso_par_queued(struct ktlso_tx_flight *f)
{
	return atomic_read(&f->state) == KTLSO_FLIGHT_QUEUED;
}

/**
 * ktlso_par_done() - is the record of @f sealed?
 * @f: the flight, in the ring
 *
 * Return: true if ktlso_par_finish() would not wait, nor seal.
 */
bool ktlso_par_done(struct ktlso_tx_flight *f)
{
	switch (atomic_read(&f->state)) {
	case KTLSO_FLIGHT_SEALED:
		return true;
	case KTLSO_FLIGHT_WORKER:
		return completion_done(&f->done);
	default:
		return false;
	}
}

/**
 * ktlso_par_finish() - have the record of @f sealed, by whoever can now
 * @net: the socket's namespace, for the counters
 * @f: the flight, in the ring
 * @took_back: set if it was handed off and no worker had started on it,
 *	so the caller sealed it
 *
 * Seals the record here if no worker has taken it, else waits for the
 * worker, which only needs CPU time to finish.  May sleep.
 *
 * Return: 0 or the sealing's error.
 */
int ktlso_par_finish(struct net *net, struct ktlso_tx_flight *f,
		     bool *took_back)
{
	*took_back = false;
	if (atomic_read(&f->state) == KTLSO_FLIGHT_SEALED)
		return f->err;
	if (atomic_cmpxchg(&f->state, KTLSO_FLIGHT_QUEUED,
			   KTLSO_FLIGHT_SEALED) == KTLSO_FLIGHT_QUEUED) {
		u64 start = local_clock();

		*took_back = true;
		f->err = ktlso_seal_run(&f->op);
		ktlso_par_sender_sealed(start);
		ktlso_stats_add(net, KTLSO_MIB_TX_PARALLEL_INLINE, 1);
		return f->err;
	}
	wait_for_completion(&f->done);
	ktlso_stats_add(net, KTLSO_MIB_TX_PARALLEL, 1);
	return f->err;
}

/**
 * ktlso_par_stop() - make sure no worker runs or will run for @f
 * @f: the flight, not handed off (finished or never started)
 *
 * May sleep.
 */
void ktlso_par_stop(struct ktlso_tx_flight *f)
{
	cancel_work_sync(&f->work);
}

/**
 * ktlso_par_init() - make the workers' workqueue
 *
 * Per-CPU, of normal priority: a worker on a busy CPU waits its turn, and
 * meanwhile its sender seals the record itself.
 *
 * Return: 0 or -ENOMEM.
 */
int ktlso_par_init(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(&ktlso_par_load, cpu)->lock);
	ktlso_seal_wq = alloc_workqueue("ktlso_seal", 0, 0);
	return ktlso_seal_wq ? 0 : -ENOMEM;
}

/**
 * ktlso_par_exit() - destroy the workqueue; no socket uses it any more
 */
void ktlso_par_exit(void)
{
	destroy_workqueue(ktlso_seal_wq);
}
