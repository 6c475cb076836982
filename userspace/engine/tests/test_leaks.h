/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support: a leak check for a test's own process. The harness ends
 * test processes with _exit(), which skips LeakSanitizer's exit-time
 * check; a test calls this at its end instead.
 */
#ifndef KTLSO_TESTS_TEST_LEAKS_H
#define KTLSO_TESTS_TEST_LEAKS_H

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/* 0 when LeakSanitizer finds nothing (or is not built in). */
static inline int test_leaks(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __lsan_do_recoverable_leak_check();
#else
	return 0;
#endif
}

#endif /* KTLSO_TESTS_TEST_LEAKS_H */
