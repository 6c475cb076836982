/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support for ktlsod: a PKI made once per program (the engine tests'
 * pki_test.h), configuration files written into its directory, a probe
 * result made up for the kernel, and a collector of load problems.
 *
 * Test programs are single translation units; everything here is static.
 */
#ifndef KTLSOD_TESTS_KD_TEST_H
#define KTLSOD_TESTS_KD_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "daemon/conf.h"
#include "daemon/daemon.h"
#include "daemon/kalg.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "engine/tests/pki_test.h"

#include "engine/tests/test_leaks.h"

/* 0 when LeakSanitizer finds nothing (or is not built in). */
static inline int kd_test_leaks(void)
{
	return test_leaks();
}

#ifdef __SANITIZE_THREAD__
const char *__tsan_default_options(void);

/* The ThreadSanitizer builds: a data race fails the test it happens in. */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1";
}
#endif

#define KD_PATH 4096

/* The files of the test PKI. */
struct kd_test_files {
	struct test_pki pki;
	char dir[KD_PATH];
	/* server.example (P-256) and other.example (Ed25519), chains. */
	char srv_cert[KD_PATH], srv_key[KD_PATH];
	char other_cert[KD_PATH], other_key[KD_PATH];
	/* client.example (P-256), a client certificate. */
	char client_cert[KD_PATH], client_key[KD_PATH];
	/* expired, for server.example */
	char expired_cert[KD_PATH], expired_key[KD_PATH];
	/* the root, and a root that signed nothing here */
	char root[KD_PATH], other_root[KD_PATH];
};

static struct kd_test_files kd_files;

/* "DIR/name" (the PKI's directory) into @out (KD_PATH bytes). */
static inline int kd_test_path(char *out, const char *name)
{
	int n = snprintf(out, KD_PATH, "%s%s%s", kd_files.pki.dir,
			 *name ? "/" : "", name);

	return n < 0 || n >= KD_PATH ? -1 : 0;
}

static inline int kd_test_leaf(const struct test_cert_spec *spec,
			       enum test_key_type type, const char *name,
			       char *cert, char *key)
{
	return test_pki_leaf_files(&kd_files.pki, spec, type, name, cert, key,
				   KD_PATH);
}

static inline int kd_test_files_make(void)
{
	const struct test_cert_spec srv = {
		.cn = "server.example", .san = "DNS:server.example",
		.eku = "serverAuth",
	};
	const struct test_cert_spec other = {
		.cn = "other.example", .san = "DNS:other.example",
		.eku = "serverAuth",
	};
	const struct test_cert_spec client = {
		.cn = "client.example", .eku = "clientAuth",
	};
	const struct test_cert_spec expired = {
		.cn = "server.example", .san = "DNS:server.example",
		.eku = "serverAuth", .not_before = -10 * TEST_DAY,
		.not_after = -TEST_DAY,
	};
	const struct test_cert_spec other_ca = {
		.cn = "unrelated root", .ca = true,
	};
	struct kd_test_files *f = &kd_files;
	EVP_PKEY *k;
	X509 *x;
	int ret;

	if (test_pki_init(&f->pki))
		return -1;
	if (kd_test_path(f->dir, "") ||
	    kd_test_path(f->root, "root.pem"))
		return -1;
	if (kd_test_leaf(&srv, TEST_KEY_P256, "srv", f->srv_cert, f->srv_key) ||
	    kd_test_leaf(&other, TEST_KEY_ED25519, "other", f->other_cert,
			 f->other_key) ||
	    kd_test_leaf(&client, TEST_KEY_P256, "client", f->client_cert,
			 f->client_key) ||
	    kd_test_leaf(&expired, TEST_KEY_P256, "expired", f->expired_cert,
			 f->expired_key))
		return -1;
	k = test_key_new(TEST_KEY_P256);
	x = k ? test_cert_new(&other_ca, k, NULL, NULL) : NULL;
	test_pki_path(&f->pki, "other-root.pem", f->other_root,
		      sizeof(f->other_root));
	ret = x ? test_write_certs(f->other_root, &x, 1) : -1;
	X509_free(x);
	EVP_PKEY_free(k);
	return ret;
}

/* Early (101..) so that other constructors of a test program can use it. */
static void __attribute__((constructor(150))) kd_test_init(void)
{
	kd_log_init(getenv("KTLSO_TEST_VERBOSE") ? KD_LOG_DEBUG :
						    KD_LOG_ERROR, false);
	if (kd_test_files_make()) {
		fprintf(stderr, "cannot make the test PKI\n");
		exit(1);
	}
}

/* Test children end with _exit(): only the harness's process gets here. */
static void __attribute__((destructor(150))) kd_test_fini(void)
{
	test_pki_free(&kd_files.pki);
}

/* Write @name (in the PKI directory) from a format; its path into @path. */
static inline int __attribute__((format(printf, 3, 4)))
kd_test_write(char *path, const char *name, const char *fmt, ...)
{
	FILE *f;
	va_list ap;
	int ret;

	if (kd_test_path(path, name))
		return -1;
	f = fopen(path, "w");
	if (!f)
		return -1;
	va_start(ap, fmt);
	ret = vfprintf(f, fmt, ap) < 0 ? -1 : 0;
	va_end(ap);
	return fclose(f) ? -1 : ret;
}

/* --- a made-up kernel --------------------------------------------------- */

/* Every AEAD present, with one driver for all. */
static inline void kd_test_probe(struct kd_kalg_probe *p, const char *driver)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < KD_KALG_COUNT; i++) {
		p->aead[i].state = KD_KALG_PRESENT;
		snprintf(p->aead[i].driver, sizeof(p->aead[i].driver), "%s",
			 driver);
	}
}

/* --- load problems ------------------------------------------------------- */

#define KD_MAX_REPORTS 32

struct kd_reports {
	char msg[KD_MAX_REPORTS][512];
	size_t n;
};

static inline void kd_test_report(void *arg, const char *msg)
{
	struct kd_reports *r = arg;

	if (getenv("KTLSO_TEST_VERBOSE"))
		fprintf(stderr, "  [report] %s\n", msg);
	if (r->n < KD_MAX_REPORTS)
		snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", msg);
	r->n++;
}

/* Load @path with a probe where everything is present and accelerated. */
static inline int kd_test_load(struct kd_config **c, const char *path,
			       struct kd_reports *r)
{
	struct kd_kalg_probe p;

	kd_test_probe(&p, "generic-gcm-aesni");
	memset(r, 0, sizeof(*r));
	return kd_config_load(c, path, &p, kd_test_report, r);
}

/* --- reloads ------------------------------------------------------------ */

/* Has a load on @d->reload ended (its fd readable) within @ms? */
static inline bool kd_test_reload_ended(struct kd_daemon *d, int ms)
{
	struct pollfd p = { .fd = kd_reload_fd(&d->reload), .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/*
 * What kd_daemon_run() does on a SIGHUP, waited for (at most @ms): a
 * reload of @d's configuration on the reload thread, swapped in. @d->reload
 * is set up (kd_reload_init()).
 *
 * Return: as kd_daemon_reload_collect(); -2 when the reload did not end
 * in time or could not start.
 */
static inline int kd_test_reload(struct kd_daemon *d, int ms)
{
	if (kd_reload_request(&d->reload) || !kd_test_reload_ended(d, ms))
		return -2;
	return kd_daemon_reload_collect(d);
}

/* A new FIFO @name in the PKI directory; its path into @path. */
static inline int kd_test_fifo(char *path, const char *name)
{
	if (kd_test_path(path, name))
		return -1;
	unlink(path);
	return mkfifo(path, 0600);
}

/*
 * A slow disk: a configuration names the FIFO @fifo as a file (a CA
 * file), and a load blocks on it until this child writes the root's PEM
 * into it, which it does whenever a reader has it open, for at most 30 s
 * or until kd_test_stop_feeding(). A reader may get the PEM twice (one
 * root, loaded twice), or go away during a write.
 *
 * Return: the child's pid, or -1.
 */
static inline pid_t kd_test_feed_fifo(const char *fifo)
{
	static char pem[16384];
	uint64_t end = kd_now_ms() + 30000;
	ssize_t n;
	pid_t pid;
	int fd;

	fd = open(kd_files.root, O_RDONLY);
	n = fd >= 0 ? read(fd, pem, sizeof(pem)) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	pid = fork();
	if (pid != 0)
		return pid;
	signal(SIGPIPE, SIG_IGN);
	while (kd_now_ms() < end) {
		fd = open(fifo, O_WRONLY | O_NONBLOCK);
		if (fd >= 0) {
			if (write(fd, pem, (size_t)n) < 0 && errno != EPIPE)
				_exit(1);
			close(fd);
		}
		/* Time for the reader to see the end and close. */
		usleep(fd >= 0 ? 50000 : 10000);
	}
	_exit(0);
}

static inline void kd_test_stop_feeding(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#endif /* KTLSOD_TESTS_KD_TEST_H */
