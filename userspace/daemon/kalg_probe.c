// SPDX-License-Identifier: GPL-2.0
/*
 * Ask the running kernel which AEADs it has: AF_ALG through libkcapi, then
 * /proc/crypto for the driver it chose. See kalg.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kcapi.h>

#include "daemon/kalg.h"

#define PROC_CRYPTO_MAX (4u << 20)

/* The whole of /proc/crypto, NUL-terminated; NULL if unreadable. */
static char *read_proc_crypto(void)
{
	FILE *f = fopen("/proc/crypto", "re");
	size_t len = 0, cap = 65536, n;
	char *buf = NULL, *tmp;

	if (!f)
		return NULL;
	for (;;) {
		tmp = realloc(buf, cap + 1);
		if (!tmp)
			goto fail;
		buf = tmp;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap)
			break;
		if (cap >= PROC_CRYPTO_MAX)
			goto fail;
		cap *= 2;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

static void probe_one(struct kd_kalg *k, enum ktlso_aead aead)
{
	const struct ktlso_aead_info *info = ktlso_aead_info(aead);
	static const uint8_t zero_key[KTLSO_AEAD_MAX_KEY_LEN];
	struct kcapi_handle *h = NULL;
	int ret;

	ret = kcapi_aead_init(&h, kd_kalg_name(aead), 0);
	if (ret == 0) {
		ret = kcapi_aead_setkey(h, zero_key, info->key_len);
		if (ret == 0)
			ret = kcapi_aead_settaglen(h, KTLSO_AEAD_TAG_LEN);
		kcapi_aead_destroy(h);
		/* The algorithm exists but refuses TLS's key or tag. */
		k->state = ret == 0 ? KD_KALG_PRESENT : KD_KALG_MISSING;
		return;
	}
	if (ret == -ENOENT) {
		k->state = KD_KALG_MISSING;
		return;
	}
	k->state = KD_KALG_UNKNOWN;
	k->probe_errno = -ret;
}

void kd_kalg_probe_run(struct kd_kalg_probe *p)
{
	char *text;
	size_t i;

	memset(p, 0, sizeof(*p));
	kcapi_set_verbosity(KCAPI_LOG_NONE);
	for (i = 0; i < KD_KALG_COUNT; i++)
		probe_one(&p->aead[i], (enum ktlso_aead)i);
	/* Probing instantiated the templates: /proc/crypto lists them now. */
	text = read_proc_crypto();
	if (!text)
		return;
	for (i = 0; i < KD_KALG_COUNT; i++) {
		struct kd_kalg *k = &p->aead[i];

		if (k->state == KD_KALG_MISSING)
			continue;
		if (kd_proc_crypto_driver(text, kd_kalg_name((enum ktlso_aead)i),
					  k->driver, sizeof(k->driver)) == 0)
			k->state = KD_KALG_PRESENT;
	}
	free(text);
}
