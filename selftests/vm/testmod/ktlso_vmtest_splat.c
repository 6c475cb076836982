// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_vmtest_splat: makes one of the debug kernel's checkers report when
 * loaded, chosen by the "splat" parameter:
 *
 *   leak     a 64-byte allocation nothing points to (kmemleak)
 *   kasan    a one-byte read past the end of an allocation (KASAN)
 *   sleep    a GFP_KERNEL allocation under a spinlock (DEBUG_ATOMIC_SLEEP)
 *   lockdep  two mutexes taken in both orders (lockdep: a possible
 *            circular locking dependency; nothing deadlocks)
 *
 * selftests/vm/selftest.sh loads it on the debug kernel to prove that the VM
 * runner fails a run on each of these reports.  Nothing else uses it; it is
 * never installed.
 */

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *splat = "";
module_param(splat, charp, 0444);
MODULE_PARM_DESC(splat, "leak, kasan, sleep or lockdep");

static DEFINE_SPINLOCK(vmtest_lock);
static DEFINE_MUTEX(vmtest_mutex_a);
static DEFINE_MUTEX(vmtest_mutex_b);

static void vmtest_leak(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	memset(p, 0x6b, 64);
	/* The only pointer goes out of scope here: the object leaks. */
	OPTIMIZER_HIDE_VAR(p);
	pr_info("ktlso_vmtest_splat: leaked 64 bytes\n");
}

static void vmtest_kasan(void)
{
	size_t size = 17;
	char *p;

	OPTIMIZER_HIDE_VAR(size);
	p = kmalloc(size, GFP_KERNEL);
	if (!p)
		return;
	pr_info("ktlso_vmtest_splat: read past the end: %d\n",
		READ_ONCE(p[size]));
	kfree(p);
}

static void vmtest_sleep(void)
{
	void *p;

	/* GFP_KERNEL may sleep: might_sleep() reports it under the lock. */
	spin_lock(&vmtest_lock);
	p = kmalloc(8, GFP_KERNEL);
	spin_unlock(&vmtest_lock);
	kfree(p);
}

static void vmtest_lockdep(void)
{
	mutex_lock(&vmtest_mutex_a);
	mutex_lock(&vmtest_mutex_b);
	mutex_unlock(&vmtest_mutex_b);
	mutex_unlock(&vmtest_mutex_a);

	mutex_lock(&vmtest_mutex_b);
	mutex_lock(&vmtest_mutex_a);
	mutex_unlock(&vmtest_mutex_a);
	mutex_unlock(&vmtest_mutex_b);
}

static int __init vmtest_splat_init(void)
{
	if (!strcmp(splat, "leak"))
		vmtest_leak();
	else if (!strcmp(splat, "kasan"))
		vmtest_kasan();
	else if (!strcmp(splat, "sleep"))
		vmtest_sleep();
	else if (!strcmp(splat, "lockdep"))
		vmtest_lockdep();
	else
		return -EINVAL;
	return 0;
}

static void __exit vmtest_splat_exit(void)
{
}

module_init(vmtest_splat_init);
module_exit(vmtest_splat_exit);

MODULE_DESCRIPTION("ktlso VM runner selftest: one debug-kernel report on load");
MODULE_LICENSE("GPL");
