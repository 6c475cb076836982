// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso_vmtest_warn: makes the kernel log one WARNING when loaded.
 *
 * The VM runner must fail any run whose kernel log holds a splat, even when
 * the command itself succeeded; selftests/vm/selftest.sh loads this module
 * to prove that it does.  Nothing else uses it.
 */

#include <linux/bug.h>
#include <linux/module.h>

static int __init vmtest_warn_init(void)
{
	WARN(1, "ktlso_vmtest_warn: deliberate warning for the VM runner selftest\n");
	return 0;
}

static void __exit vmtest_warn_exit(void)
{
}

module_init(vmtest_warn_init);
module_exit(vmtest_warn_exit);

MODULE_DESCRIPTION("ktlso VM runner selftest: logs one WARNING on load");
MODULE_LICENSE("GPL");
