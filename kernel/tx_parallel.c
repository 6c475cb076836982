// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: sealing one connection's records on other CPUs.
 *
 * In-tree kTLS seals every record in the sender's context, so one fat
 * connection runs at one core's AEAD speed.  Records are independent once
 * each has its sequence number, so the transmit side (tx.c) may hand a full
 * record to a worker on another CPU, go on filling and sealing the next one
 * itself, and then push both in sequence order: order on the wire comes
 * from the sender, which alone assigns sequence numbers and pushes, never
 * from the workers.  At most tx_parallel records per socket are away at a
 * time (and fewer than the online CPUs), which bounds the memory in flight.
 *
 * Who seals a record handed off is decided by one compare-and-exchange on
 * its state: the worker when it starts in time, or else the sender, which
 * seals it inline when it wants the record and no worker has started on it.
 * So when every CPU is busy, with many connections, records are sealed
 * where in-tree kTLS seals them and nothing waits on a queue; tx.c then
 * hands nothing off for a while.
 *
 * Lifetime: a flight belongs to its socket's transmit state, which cancels
 * its work item before freeing it (ktlso_par_stop()).  A worker touches
 * the flight after completing it only in the work item's own return.
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include "ktlso.h"

static unsigned int tx_parallel = KTLSO_TX_FLIGHTS;
module_param(tx_parallel, uint, 0644);
MODULE_PARM_DESC(tx_parallel,
		 "Records of one connection sealed on other CPUs at once (0: every record in the sender's context; at most "
		 __stringify(KTLSO_TX_FLIGHTS) ", and fewer than the online CPUs)");

static struct workqueue_struct *ktlso_seal_wq;

/* ktlso_tx_flight.state */
enum {
	KTLSO_FLIGHT_IDLE,	/* not handed off */
	KTLSO_FLIGHT_QUEUED,	/* handed off, nobody sealing it yet */
	KTLSO_FLIGHT_WORKER,	/* a worker took it: wait for @done */
	KTLSO_FLIGHT_INLINE,	/* the sender took it back */
};

/**
 * ktlso_par_flights() - how many records a socket may have away now
 *
 * Return: 0 to KTLSO_TX_FLIGHTS.
 */
unsigned int ktlso_par_flights(void)
{
	unsigned int n = min_t(unsigned int, READ_ONCE(tx_parallel),
			       KTLSO_TX_FLIGHTS);

	return min_t(unsigned int, n, num_online_cpus() - 1);
}

static void ktlso_par_work(struct work_struct *work)
{
	struct ktlso_tx_flight *f = container_of(work, struct ktlso_tx_flight,
						 work);

	/* A stale run, for a flight the sender took back, does nothing. */
	if (atomic_cmpxchg(&f->state, KTLSO_FLIGHT_QUEUED,
			   KTLSO_FLIGHT_WORKER) != KTLSO_FLIGHT_QUEUED)
		return;
	f->err = ktlso_seal_run(&f->op);
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

/**
 * ktlso_par_start() - hand a record, set up in @f->op, to another CPU
 * @f: the flight, idle
 * @cpu: the CPU the socket's last flight went to; updated
 *
 * The workers run on the online CPUs after @cpu in turn, skipping the one
 * the sender runs on (a hint: the sender may move).  A work item queued
 * on a CPU that goes offline meanwhile still runs, on another one; with
 * no other CPU left, the sender takes the record back.
 */
void ktlso_par_start(struct ktlso_tx_flight *f, unsigned int *cpu)
{
	unsigned int next = ktlso_par_next_cpu(*cpu);

	if (next == raw_smp_processor_id())
		next = ktlso_par_next_cpu(next);
	*cpu = next;
	f->err = 0;
	reinit_completion(&f->done);
	/* The worker's cmpxchg orders the set-up flight before its use. */
	atomic_set_release(&f->state, KTLSO_FLIGHT_QUEUED);
	queue_work_on(next, ktlso_seal_wq, &f->work);
}

/**
 * ktlso_par_finish() - have the record of @f sealed, by whoever can now
 * @net: the socket's namespace, for the counters
 * @f: the flight, handed off by ktlso_par_start()
 * @took_back: set if no worker had started on it, so the caller sealed it
 *
 * Seals the record here if no worker has taken it, else waits for the
 * worker, which only needs CPU time to finish.  May sleep.
 *
 * Return: 0 or the sealing's error.
 */
int ktlso_par_finish(struct net *net, struct ktlso_tx_flight *f,
		     bool *took_back)
{
	*took_back = atomic_cmpxchg(&f->state, KTLSO_FLIGHT_QUEUED,
				    KTLSO_FLIGHT_INLINE) == KTLSO_FLIGHT_QUEUED;
	if (*took_back) {
		f->err = ktlso_seal_run(&f->op);
		ktlso_stats_add(net, KTLSO_MIB_TX_PARALLEL_INLINE, 1);
	} else {
		wait_for_completion(&f->done);
		ktlso_stats_add(net, KTLSO_MIB_TX_PARALLEL, 1);
	}
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
