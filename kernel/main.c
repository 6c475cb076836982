// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: module entry points and registration of the "ktlso" TCP ULP (and,
 * as ulp_tls asks, of "tls": ulp_tls.c).
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

/**
 * ktlso_sk_ctx() - the ktlso context of any socket, if it has one
 * @sk: a socket whose file the caller holds: the context, once attached,
 *	lives until the socket is closed; the socket need not be locked
 *
 * Return: the context, or NULL if @sk is not TCP or ktlso is not attached
 * (or is being attached right now).
 */
struct ktlso_context *ktlso_sk_ctx(struct sock *sk)
{
	const struct tcp_ulp_ops *ops;

	if (sk->sk_type != SOCK_STREAM || sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return NULL;
	ops = READ_ONCE(inet_csk(sk)->icsk_ulp_ops);
	if (ops != &ktlso_ulp_ops && ops != &ktlso_tls_ulp_ops)
		return NULL;
	return rcu_dereference_protected(inet_csk(sk)->icsk_ulp_data, 1);
}

static int __init ktlso_module_init(void)
{
	int err;

	err = ktlso_stats_init();
	if (err)
		return err;
	err = ktlso_par_init();
	if (err)
		goto err_stats;
	err = ktlso_hs_init();
	if (err)
		goto err_par;
	err = ktlso_nl_init();
	if (err) {
		pr_err("cannot register generic netlink family \"%s\": %d\n",
		       KTLSO_GENL_NAME, err);
		goto err_hs;
	}
	err = tcp_register_ulp(&ktlso_ulp_ops);
	if (err) {
		pr_err("cannot register TCP ULP \"%s\": %d\n",
		       KTLSO_ULP_NAME, err);
		goto err_nl;
	}
	err = ktlso_ulp_tls_init();
	if (err)
		goto err_ulp;
	return 0;

err_ulp:
	tcp_unregister_ulp(&ktlso_ulp_ops);
err_nl:
	ktlso_nl_exit();
err_hs:
	ktlso_hs_exit();
err_par:
	ktlso_par_exit();
err_stats:
	ktlso_stats_exit();
	return err;
}

/*
 * Every socket with the ULP attached holds a reference on this module (taken
 * by the TCP core when it looked the ULP up, dropped when the socket is
 * destroyed), so this only runs once no socket uses ktlso any more.
 */
static void __exit ktlso_module_exit(void)
{
	ktlso_ulp_tls_exit();
	tcp_unregister_ulp(&ktlso_ulp_ops);
	ktlso_nl_exit();
	ktlso_hs_exit();
	ktlso_par_exit();
	ktlso_stats_exit();
}

module_init(ktlso_module_init);
module_exit(ktlso_module_exit);

MODULE_DESCRIPTION("ktlso: kernel TLS record layer with a userspace handshake");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTLSO_VERSION);
MODULE_ALIAS_TCP_ULP(KTLSO_ULP_NAME);
