// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: module entry points and registration of the "ktlso" TCP ULP.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/tcp.h>

#include <linux/ktlso.h>

#include "ktlso.h"

static struct tcp_ulp_ops ktlso_ulp_ops __read_mostly = {
	.name	= KTLSO_ULP_NAME,
	.owner	= THIS_MODULE,
	.init	= ktlso_sk_init,
	.get_info = ktlso_get_info,
	.get_info_size = ktlso_get_info_size,
};

static int __init ktlso_module_init(void)
{
	int err;

	err = ktlso_stats_init();
	if (err)
		return err;
	err = tcp_register_ulp(&ktlso_ulp_ops);
	if (err) {
		pr_err("cannot register TCP ULP \"%s\": %d\n",
		       KTLSO_ULP_NAME, err);
		ktlso_stats_exit();
		return err;
	}
	return 0;
}

/*
 * Every socket with the ULP attached holds a reference on this module (taken
 * by the TCP core when it looked the ULP up, dropped when the socket is
 * destroyed), so this only runs once no socket uses ktlso any more.
 */
static void __exit ktlso_module_exit(void)
{
	tcp_unregister_ulp(&ktlso_ulp_ops);
	ktlso_stats_exit();
}

module_init(ktlso_module_init);
module_exit(ktlso_module_exit);

MODULE_DESCRIPTION("ktlso: kernel TLS record layer with a userspace handshake");
MODULE_LICENSE("GPL");
MODULE_ALIAS_TCP_ULP(KTLSO_ULP_NAME);
