// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: per-network-namespace counters, shown in /proc/net/ktlso_stat with
 * the names in-tree kTLS uses in /proc/net/tls_stat (ktlso has no device
 * offload, so the *Device counters are absent), and ktlso's own:
 * TlsRxZeroCopy, records decrypted straight into the reader's buffer, and
 * TlsRxTicketsForwarded and TlsRxTicketsDropped, TLS 1.3 records of
 * session tickets sent to the daemon, or dropped, after a client handshake
 * the daemon ran (tickets.c); TlsRxKeyUpdate and TlsTxKeyUpdate, the
 * KeyUpdates the kernel took and sent itself (keyupdate.c); TlsTxParallel,
 * records sealed on another CPU than their sender's, and
 * TlsTxParallelInline, records handed off that the sender sealed after all
 * because no other CPU had started on them (tx_parallel.c).  The rekey
 * counters are upstream's (Linux 6.14).
 */

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "ktlso.h"

struct ktlso_net {
	struct ktlso_mib __percpu *mib;
};

static unsigned int ktlso_net_id __read_mostly;

static const char *const ktlso_mib_names[KTLSO_MIB_MAX] = {
	[KTLSO_MIB_CURR_TX_SW]		= "TlsCurrTxSw",
	[KTLSO_MIB_CURR_RX_SW]		= "TlsCurrRxSw",
	[KTLSO_MIB_TX_SW]		= "TlsTxSw",
	[KTLSO_MIB_RX_SW]		= "TlsRxSw",
	[KTLSO_MIB_DECRYPT_ERROR]	= "TlsDecryptError",
	[KTLSO_MIB_DECRYPT_RETRY]	= "TlsDecryptRetry",
	[KTLSO_MIB_RX_NO_PAD_VIOL]	= "TlsRxNoPadViolation",
	[KTLSO_MIB_RX_ZEROCOPY]		= "TlsRxZeroCopy",
	[KTLSO_MIB_RX_TICKETS_DROPPED]	= "TlsRxTicketsDropped",
	[KTLSO_MIB_RX_TICKETS_FORWARDED] = "TlsRxTicketsForwarded",
	[KTLSO_MIB_TX_REKEY_OK]		= "TlsTxRekeyOk",
	[KTLSO_MIB_RX_REKEY_OK]		= "TlsRxRekeyOk",
	[KTLSO_MIB_TX_REKEY_ERROR]	= "TlsTxRekeyError",
	[KTLSO_MIB_RX_REKEY_ERROR]	= "TlsRxRekeyError",
	[KTLSO_MIB_RX_REKEY_RECEIVED]	= "TlsRxRekeyReceived",
	[KTLSO_MIB_RX_KEY_UPDATE]	= "TlsRxKeyUpdate",
	[KTLSO_MIB_TX_KEY_UPDATE]	= "TlsTxKeyUpdate",
	[KTLSO_MIB_TX_PARALLEL]		= "TlsTxParallel",
	[KTLSO_MIB_TX_PARALLEL_INLINE]	= "TlsTxParallelInline",
};

/**
 * ktlso_stats_add() - add @delta to counter @item of @net
 * @net: the network namespace the socket lives in
 * @item: KTLSO_MIB_*
 * @delta: +1 or -1
 *
 * Callable from any context.
 */
void ktlso_stats_add(struct net *net, int item, long delta)
{
	struct ktlso_net *kn = net_generic(net, ktlso_net_id);

	this_cpu_add(kn->mib->mibs[item], delta);
}

static int ktlso_stat_show(struct seq_file *seq, void *v)
{
	struct ktlso_net *kn = net_generic(seq->private, ktlso_net_id);
	long sum[KTLSO_MIB_MAX] = {};
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < KTLSO_MIB_MAX; i++)
			sum[i] += per_cpu_ptr(kn->mib, cpu)->mibs[i];
	for (i = 0; i < KTLSO_MIB_MAX; i++)
		seq_printf(seq, "%-32s\t%ld\n", ktlso_mib_names[i], sum[i]);
	return 0;
}

static int __net_init ktlso_net_init(struct net *net)
{
	struct ktlso_net *kn = net_generic(net, ktlso_net_id);

	kn->mib = alloc_percpu(struct ktlso_mib);
	if (!kn->mib)
		return -ENOMEM;
	if (!proc_create_net_single("ktlso_stat", 0444, net->proc_net,
				    ktlso_stat_show, NULL)) {
		free_percpu(kn->mib);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit ktlso_net_exit(struct net *net)
{
	struct ktlso_net *kn = net_generic(net, ktlso_net_id);

	remove_proc_entry("ktlso_stat", net->proc_net);
	free_percpu(kn->mib);
}

static struct pernet_operations ktlso_net_ops = {
	.init = ktlso_net_init,
	.exit = ktlso_net_exit,
	.id = &ktlso_net_id,
	.size = sizeof(struct ktlso_net),
};

int ktlso_stats_init(void)
{
	return register_pernet_subsys(&ktlso_net_ops);
}

void ktlso_stats_exit(void)
{
	unregister_pernet_subsys(&ktlso_net_ops);
}
