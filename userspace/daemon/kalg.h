/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AEADs of the running kernel: which of the algorithms the ktlso
 * module allocates (kernel/crypto.c: "gcm(aes)", "ccm(aes)",
 * "rfc7539(chacha20,poly1305)") the kernel can run, and through which
 * driver, so that a profile negotiates only suites the record layer can
 * take, accelerated ones first.
 *
 *	struct kd_kalg_probe probe;
 *	uint16_t out[KTLSO_CONFIG_MAX_LIST], dropped[KTLSO_CONFIG_MAX_LIST];
 *	size_t n_dropped;
 *
 *	kd_kalg_probe_run(&probe);		(libkcapi + /proc/crypto)
 *	n = kd_suites_filter(&probe, cfg.suites, cfg.n_suites, out,
 *			     dropped, &n_dropped);
 *
 * Everything but kd_kalg_probe_run() is a pure function, tested with
 * made-up probe results and /proc/crypto texts.
 */
#ifndef KTLSOD_KALG_H
#define KTLSOD_KALG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/suite.h"

enum kd_kalg_state {
	KD_KALG_UNKNOWN,	/* could not ask (no AF_ALG): assumed present */
	KD_KALG_MISSING,	/* the kernel has no such algorithm */
	KD_KALG_PRESENT,
};

/* How fast a driver is, from its name (kd_driver_rank()). */
enum kd_kalg_rank {
	KD_RANK_GENERIC = 0,	/* portable C throughout */
	KD_RANK_PARTIAL = 1,	/* some parts accelerated */
	KD_RANK_ACCEL = 2,	/* architecture-specific code throughout */
};

/* Indexed by enum ktlso_aead. */
#define KD_KALG_COUNT (KTLSO_AEAD_AES_128_CCM + 1)
#define KD_DRIVER_MAX 128

struct kd_kalg {
	enum kd_kalg_state state;
	int probe_errno;		/* why the state is UNKNOWN, or 0 */
	char driver[KD_DRIVER_MAX];	/* from /proc/crypto; "" unknown */
};

struct kd_kalg_probe {
	struct kd_kalg aead[KD_KALG_COUNT];
};

/**
 * kd_kalg_name() - the kernel crypto API name the ktlso module allocates
 * @aead: an engine AEAD
 *
 * Return: "gcm(aes)" for both AES-GCM key sizes, "ccm(aes)" or
 * "rfc7539(chacha20,poly1305)"; NULL for an unknown value.
 */
const char *kd_kalg_name(enum ktlso_aead aead);

/**
 * kd_driver_rank() - how accelerated a kernel crypto driver is
 * @driver: the driver name of /proc/crypto, e.g. "generic-gcm-aesni" or
 *	"gcm_base(ctr(aes-generic),ghash-generic)"
 *
 * The driver name of a template instance nests the drivers it is built
 * from; the innermost names (leaves) are implementations, and those whose
 * name ends in "-generic" or "-fixed-time" are portable C. An empty name
 * is KD_RANK_GENERIC (nothing known).
 *
 * Return: KD_RANK_ACCEL when no leaf is portable C, KD_RANK_GENERIC when
 * every leaf is, KD_RANK_PARTIAL otherwise.
 */
enum kd_kalg_rank kd_driver_rank(const char *driver);

/**
 * kd_proc_crypto_driver() - the driver the kernel picks for an algorithm
 * @text: the contents of /proc/crypto (NUL-terminated)
 * @name: the algorithm name ("gcm(aes)")
 * @driver: where the driver name goes
 * @cap: size of @driver
 *
 * Among the entries of type "aead" named @name, not internal and whose
 * self-test did not fail, the one of the highest priority: the one the
 * crypto API allocates.
 *
 * Return: 0, or -1 when no such entry is listed (@driver is then "").
 */
int kd_proc_crypto_driver(const char *text, const char *name, char *driver,
			  size_t cap);

/* The rank a suite's AEAD has in @p (KD_RANK_GENERIC when unknown). */
enum kd_kalg_rank kd_kalg_rank_of(const struct kd_kalg_probe *p,
				  enum ktlso_aead aead);

/**
 * kd_suites_filter() - the suites of a list the kernel can run
 * @p: the probe result
 * @in: suite ids, most preferred first
 * @n: entries in @in
 * @out: the kept suites (room for @n)
 * @dropped: the dropped suites (room for @n), or NULL
 * @n_dropped: set to the number dropped (may be NULL)
 *
 * Drops the suites the engine does not know and those whose AEAD is
 * KD_KALG_MISSING; keeps UNKNOWN ones. The kept suites are sorted by the
 * rank of their AEAD's driver, highest first, in @in's order within a
 * rank.
 *
 * Return: the number of suites in @out.
 */
size_t kd_suites_filter(const struct kd_kalg_probe *p, const uint16_t *in,
			size_t n, uint16_t *out, uint16_t *dropped,
			size_t *n_dropped);

/**
 * kd_kalg_describe() - one line on one AEAD of a probe, for the log
 * @p: the probe result
 * @aead: which
 * @buf: where the line goes
 * @cap: size of @buf
 *
 * E.g. "gcm(aes): generic-gcm-aesni (accelerated)", "ccm(aes): missing".
 */
void kd_kalg_describe(const struct kd_kalg_probe *p, enum ktlso_aead aead,
		      char *buf, size_t cap);

/**
 * kd_kalg_probe_run() - ask the running kernel
 * @p: filled
 *
 * Allocates each algorithm through AF_ALG (libkcapi) with the key length
 * TLS uses, then reads /proc/crypto for the driver the kernel chose. Where
 * AF_ALG is unavailable the state is UNKNOWN (present when /proc/crypto
 * lists the algorithm).
 */
void kd_kalg_probe_run(struct kd_kalg_probe *p);

#endif /* KTLSOD_KALG_H */
