// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel AEADs a profile may negotiate: driver ranks, the /proc/crypto
 * reader and the suite filter. Pure functions; kalg_probe.c asks the
 * kernel. See kalg.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/kalg.h"

const char *kd_kalg_name(enum ktlso_aead aead)
{
	switch (aead) {
	case KTLSO_AEAD_AES_128_GCM:
	case KTLSO_AEAD_AES_256_GCM:
		return "gcm(aes)";
	case KTLSO_AEAD_AES_128_CCM:
		return "ccm(aes)";
	case KTLSO_AEAD_CHACHA20_POLY1305:
		return "rfc7539(chacha20,poly1305)";
	}
	return NULL;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool leaf_is_generic(const char *leaf, size_t len)
{
	return ends_with(leaf, len, "-generic") ||
	       ends_with(leaf, len, "-fixed-time");
}

enum kd_kalg_rank kd_driver_rank(const char *driver)
{
	size_t leaves = 0, generic = 0, len;
	const char *p = driver, *end;

	while (*p) {
		len = strcspn(p, "(),");
		end = p + len;
		/* A name before '(' is a template; any other is a leaf. */
		if (len && *end != '(') {
			leaves++;
			generic += leaf_is_generic(p, len);
		}
		p = *end ? end + 1 : end;
	}
	if (leaves == 0 || generic == leaves)
		return KD_RANK_GENERIC;
	return generic ? KD_RANK_PARTIAL : KD_RANK_ACCEL;
}

/* One "key : value" line of /proc/crypto: is it @key? Its value, trimmed. */
static bool field(const char *line, size_t len, const char *key, char *val,
		  size_t cap)
{
	size_t klen = strlen(key), i, vlen;
	const char *colon = memchr(line, ':', len);
	const char *v;

	if (!colon || len < klen || memcmp(line, key, klen) != 0)
		return false;
	for (i = klen; line + i < colon; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	v = colon + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(line + len - v);
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen >= cap)
		vlen = cap - 1;
	memcpy(val, v, vlen);
	val[vlen] = '\0';
	return true;
}

struct crypto_entry {
	char name[KD_DRIVER_MAX], driver[KD_DRIVER_MAX], type[32];
	char selftest[32], internal[16], priority[16];
};

/* Does @e qualify, and beat the best so far (@best_prio)? */
static bool entry_better(const struct crypto_entry *e, const char *name,
			 long *best_prio)
{
	char *end;
	long prio;

	if (strcmp(e->name, name) != 0 || strcmp(e->type, "aead") != 0 ||
	    strcmp(e->internal, "yes") == 0 ||
	    strcmp(e->selftest, "unknown") == 0 || !e->driver[0])
		return false;
	if (e->selftest[0] && strcmp(e->selftest, "passed") != 0)
		return false;
	prio = strtol(e->priority, &end, 10);
	if (end == e->priority)
		prio = 0;
	if (prio <= *best_prio)
		return false;
	*best_prio = prio;
	return true;
}

static void entry_line(struct crypto_entry *e, const char *line, size_t len)
{
	if (field(line, len, "name", e->name, sizeof(e->name)) ||
	    field(line, len, "driver", e->driver, sizeof(e->driver)) ||
	    field(line, len, "type", e->type, sizeof(e->type)) ||
	    field(line, len, "selftest", e->selftest, sizeof(e->selftest)) ||
	    field(line, len, "internal", e->internal, sizeof(e->internal)))
		return;
	field(line, len, "priority", e->priority, sizeof(e->priority));
}

int kd_proc_crypto_driver(const char *text, const char *name, char *driver,
			  size_t cap)
{
	struct crypto_entry e;
	const char *p = text, *nl;
	long best = -1;
	size_t len;
	bool found = false;

	driver[0] = '\0';
	memset(&e, 0, sizeof(e));
	for (;;) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len)
			entry_line(&e, p, len);
		/* A blank line, or the end, closes an entry. */
		if (len == 0 || !nl) {
			if (entry_better(&e, name, &best)) {
				snprintf(driver, cap, "%s", e.driver);
				found = true;
			}
			memset(&e, 0, sizeof(e));
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return found ? 0 : -1;
}

enum kd_kalg_rank kd_kalg_rank_of(const struct kd_kalg_probe *p,
				  enum ktlso_aead aead)
{
	if ((size_t)aead >= KD_KALG_COUNT)
		return KD_RANK_GENERIC;
	return kd_driver_rank(p->aead[aead].driver);
}

size_t kd_suites_filter(const struct kd_kalg_probe *p, const uint16_t *in,
			size_t n, uint16_t *out, uint16_t *dropped,
			size_t *n_dropped)
{
	size_t i, n_out = 0, n_drop = 0;
	int rank;

	for (rank = KD_RANK_ACCEL; rank >= KD_RANK_GENERIC; rank--) {
		for (i = 0; i < n; i++) {
			const struct ktlso_suite *s = ktlso_suite_find(in[i]);
			bool keep = s && (size_t)s->aead < KD_KALG_COUNT &&
				    p->aead[s->aead].state != KD_KALG_MISSING;

			if (!keep) {
				/* Counted once, on the first pass. */
				if (rank == KD_RANK_ACCEL && dropped)
					dropped[n_drop] = in[i];
				if (rank == KD_RANK_ACCEL)
					n_drop++;
				continue;
			}
			if ((int)kd_kalg_rank_of(p, s->aead) == rank)
				out[n_out++] = in[i];
		}
	}
	if (n_dropped)
		*n_dropped = n_drop;
	return n_out;
}

static const char *rank_name(enum kd_kalg_rank rank)
{
	switch (rank) {
	case KD_RANK_ACCEL:
		return "accelerated";
	case KD_RANK_PARTIAL:
		return "partly accelerated";
	case KD_RANK_GENERIC:
		break;
	}
	return "generic";
}

void kd_kalg_describe(const struct kd_kalg_probe *p, enum ktlso_aead aead,
		      char *buf, size_t cap)
{
	const struct ktlso_aead_info *info = ktlso_aead_info(aead);
	const struct kd_kalg *k;

	if (!info || (size_t)aead >= KD_KALG_COUNT) {
		snprintf(buf, cap, "?");
		return;
	}
	k = &p->aead[aead];
	switch (k->state) {
	case KD_KALG_MISSING:
		snprintf(buf, cap, "%s (%s): missing", info->evp_name,
			 kd_kalg_name(aead));
		break;
	case KD_KALG_PRESENT:
		snprintf(buf, cap, "%s (%s): %s, %s", info->evp_name,
			 kd_kalg_name(aead), k->driver[0] ? k->driver : "?",
			 rank_name(kd_driver_rank(k->driver)));
		break;
	case KD_KALG_UNKNOWN:
		snprintf(buf, cap, "%s (%s): not probed (%s), assumed present",
			 info->evp_name, kd_kalg_name(aead),
			 k->probe_errno ? strerror(k->probe_errno) : "?");
		break;
	}
}
