// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: answering to the TCP ULP name "tls", in place of in-tree kTLS.
 *
 * Applications that use in-tree kTLS (OpenSSL 3's SSL_OP_ENABLE_KTLS, and
 * so nginx and every OpenSSL program) attach the ULP by the name "tls",
 * hard-coded.  With the parameter ulp_tls set, ktlso registers a second
 * tcp_ulp_ops under that name, so that those applications, unmodified,
 * run on ktlso: its SOL_TLS options are in-tree kTLS's.
 *
 * Only one ULP may hold a name.  Setting ulp_tls while in-tree kTLS holds
 * "tls" fails with -EEXIST.  The other way round needs care: tls.ko's
 * init ignores a failure to register its ULP and would load all the same,
 * then, on unload, unlink a list entry it never linked.  So while ktlso
 * holds "tls", a module notifier refuses to load tls.ko (-EBUSY, logged).
 * The notifier also tracks a tls.ko that is loading or loaded, so that
 * ulp_tls cannot be set in the moment between its notifier call and its
 * own registration.  (A tls.ko that was already loading when ktlso itself
 * loaded is not seen; tcp_register_ulp() still refuses once it holds the
 * name.)
 *
 * Clearing ulp_tls gives the name back: sockets that attached through it
 * stay ktlso's until they close, each holding a reference on this module.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <net/tcp.h>

#include "ktlso.h"

#define KTLSO_INTREE_MODULE	"tls"

struct tcp_ulp_ops ktlso_tls_ulp_ops __read_mostly = {
	.name	= "tls",
	.owner	= THIS_MODULE,
	.init	= ktlso_sk_init,
	.get_info = ktlso_get_info,
	.get_info_size = ktlso_get_info_size,
};

/*
 * ktlso_ulp_tls_lock orders setting ulp_tls against tls.ko's loading.
 * ulp_tls: what the parameter says; ktlso_tls_registered: whether
 * ktlso_tls_ulp_ops is registered (ulp_tls, once the module is up);
 * ktlso_intree_seen: a tls.ko is loading or loaded.
 */
static DEFINE_MUTEX(ktlso_ulp_tls_lock);
static bool ulp_tls;
static bool ktlso_ulp_tls_up;
static bool ktlso_tls_registered;
static bool ktlso_intree_seen;

/* Register or unregister ktlso_tls_ulp_ops as @on says. */
static int ktlso_ulp_tls_apply(bool on)
{
	int err;

	lockdep_assert_held(&ktlso_ulp_tls_lock);
	if (on == ktlso_tls_registered)
		return 0;
	if (!on) {
		tcp_unregister_ulp(&ktlso_tls_ulp_ops);
		ktlso_tls_registered = false;
		pr_info("gave back TCP ULP \"tls\"\n");
		return 0;
	}
	err = ktlso_intree_seen ? -EEXIST :
				  tcp_register_ulp(&ktlso_tls_ulp_ops);
	if (err) {
		pr_warn("cannot answer to TCP ULP \"tls\": in-tree kTLS (module %s) holds it; unload it first\n",
			KTLSO_INTREE_MODULE);
		return err;
	}
	ktlso_tls_registered = true;
	pr_info("answering to TCP ULP \"tls\"; loading module %s is refused until ulp_tls is cleared\n",
		KTLSO_INTREE_MODULE);
	return 0;
}

static int ktlso_ulp_tls_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	mutex_lock(&ktlso_ulp_tls_lock);
	/* At load time the parameters are parsed before the module's init. */
	err = ktlso_ulp_tls_up ? ktlso_ulp_tls_apply(on) : 0;
	if (!err)
		ulp_tls = on;
	mutex_unlock(&ktlso_ulp_tls_lock);
	return err;
}

static const struct kernel_param_ops ktlso_ulp_tls_ops = {
	.set = ktlso_ulp_tls_set,
	.get = param_get_bool,
};

module_param_cb(ulp_tls, &ktlso_ulp_tls_ops, &ulp_tls, 0644);
MODULE_PARM_DESC(ulp_tls,
		 "Also answer to TCP ULP \"tls\", so that applications written for in-tree kTLS run on ktlso (refused while module tls is loaded; module tls is refused while set)");

static int ktlso_module_event(struct notifier_block *nb, unsigned long event,
			      void *data)
{
	struct module *mod = data;
	int err = 0;

	if (strcmp(mod->name, KTLSO_INTREE_MODULE))
		return NOTIFY_DONE;
	mutex_lock(&ktlso_ulp_tls_lock);
	switch (event) {
	case MODULE_STATE_COMING:
		if (ktlso_tls_registered) {
			pr_warn("refusing to load module %s: ktlso answers to TCP ULP \"tls\" (clear /sys/module/ktlso/parameters/ulp_tls first)\n",
				KTLSO_INTREE_MODULE);
			err = -EBUSY;
			break;
		}
		ktlso_intree_seen = true;
		break;
	case MODULE_STATE_GOING:
		ktlso_intree_seen = false;
		break;
	}
	mutex_unlock(&ktlso_ulp_tls_lock);
	return notifier_from_errno(err);
}

static struct notifier_block ktlso_module_nb = {
	.notifier_call = ktlso_module_event,
};

/**
 * ktlso_ulp_tls_init() - watch for tls.ko, and take "tls" if ulp_tls says
 *
 * Return: 0, or -EBUSY if ulp_tls=1 was asked for at load time and in-tree
 * kTLS holds the name: the module then does not load.  (Not -EEXIST:
 * modprobe takes that for "already loaded" and reports success.)
 */
int ktlso_ulp_tls_init(void)
{
	int err;

	err = register_module_notifier(&ktlso_module_nb);
	if (err)
		return err;
	mutex_lock(&ktlso_ulp_tls_lock);
	ktlso_ulp_tls_up = true;
	err = ktlso_ulp_tls_apply(ulp_tls);
	if (err) {
		ktlso_ulp_tls_up = false;
		if (err == -EEXIST)
			err = -EBUSY;
	}
	mutex_unlock(&ktlso_ulp_tls_lock);
	if (err)
		unregister_module_notifier(&ktlso_module_nb);
	return err;
}

/**
 * ktlso_ulp_tls_exit() - give "tls" back and stop watching tls.ko
 *
 * No socket uses either name any more: each holds a module reference.
 */
void ktlso_ulp_tls_exit(void)
{
	mutex_lock(&ktlso_ulp_tls_lock);
	ktlso_ulp_tls_apply(false);
	ktlso_ulp_tls_up = false;
	mutex_unlock(&ktlso_ulp_tls_lock);
	unregister_module_notifier(&ktlso_module_nb);
}
