// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration defaults and the parsers for configuration strings
 * ("x25519:secp256r1", suite names, "h2,http/1.1"). See engine.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/alert.h"
#include "engine/engine.h"
#include "engine/kex.h"
#include "engine/sig.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_MAX_LEN 64

/*
 * TLS 1.3's suites, then TLS 1.2's: ECDHE with an AEAD only, ECDSA before
 * RSA at each strength.
 */
static const uint16_t default_suites[] = {
	0x1301, 0x1302, 0x1303, 0x1304,
	0xc02b,		/* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
	0xc02f,		/* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	0xc02c,		/* TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
	0xc030,		/* TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
	0xcca9,		/* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
	0xcca8,		/* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
	0xc0ac,		/* TLS_ECDHE_ECDSA_WITH_AES_128_CCM */
};

static const uint16_t default_groups[] = {
	KTLSO_GROUP_X25519, KTLSO_GROUP_SECP256R1, KTLSO_GROUP_SECP384R1,
};

/*
 * CertificateVerify schemes first; RSA PKCS#1 last, for the signatures
 * in certificate chains only (RFC 8446 4.2.3).
 */
static const uint16_t default_sigschemes[] = {
	KTLSO_SIG_ECDSA_SECP256R1_SHA256, KTLSO_SIG_ECDSA_SECP384R1_SHA384,
	KTLSO_SIG_ED25519, KTLSO_SIG_RSA_PSS_RSAE_SHA256,
	KTLSO_SIG_RSA_PSS_RSAE_SHA384, KTLSO_SIG_RSA_PSS_RSAE_SHA512,
	KTLSO_SIG_RSA_PKCS1_SHA256, KTLSO_SIG_RSA_PKCS1_SHA384,
	KTLSO_SIG_RSA_PKCS1_SHA512,
};

void ktlso_config_init(struct ktlso_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->min_version = KTLSO_TLS12_VERSION;
	cfg->max_version = KTLSO_TLS13_VERSION;
	memcpy(cfg->suites, default_suites, sizeof(default_suites));
	cfg->n_suites = ARRAY_SIZE(default_suites);
	memcpy(cfg->groups, default_groups, sizeof(default_groups));
	cfg->n_groups = ARRAY_SIZE(default_groups);
	memcpy(cfg->sigschemes, default_sigschemes, sizeof(default_sigschemes));
	cfg->n_sigschemes = ARRAY_SIZE(default_sigschemes);
	cfg->n_key_shares = 1;
	cfg->peer_auth = KTLSO_PEER_AUTH_DEFAULT;
	cfg->verify_name = true;
	cfg->peer_policy.min_rsa_bits = KTLSO_PEER_MIN_RSA_BITS;
	cfg->peer_policy.allow_sha1 = false;
	cfg->middlebox_compat = true;
	cfg->ems = KTLSO_EMS_REQUIRED;
	cfg->max_handshake_message = 65536;
	cfg->n_tickets = 2;
	cfg->ticket_lifetime = 7200;
	cfg->ticket_age_tolerance_ms = 10000;
}

static const uint16_t all_suites[] = {
	0x1301, 0x1302, 0x1303, 0x1304,
	0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0xc0ac,
};

const char *ktlso_suite_name(uint16_t id)
{
	const struct ktlso_suite *suite = ktlso_suite_find(id);

	return suite ? suite->name : NULL;
}

const char *ktlso_tls_version_name(uint16_t version)
{
	switch (version) {
	case KTLSO_TLS12_VERSION:
		return "TLS 1.2";
	case KTLSO_TLS13_VERSION:
		return "TLS 1.3";
	default:
		return "unknown";
	}
}

static int suite_from_name(const char *name, uint16_t *id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_suites); i++) {
		const char *n = ktlso_suite_name(all_suites[i]);

		if (n && strcasecmp(n, name) == 0) {
			*id = all_suites[i];
			return 0;
		}
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

typedef int (*name_parser)(const char *name, uint16_t *value);

/*
 * Parse a @sep-separated list of names into @out (@max entries): no empty
 * name, no unknown name, no duplicate.
 */
static int parse_u16_list(const char *list, char sep, name_parser parse,
			  uint16_t *out, size_t max, size_t *n)
{
	char name[NAME_MAX_LEN];
	const char *p = list, *end;
	size_t len, count = 0, i;
	uint16_t v;

	if (!list || !*list)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	for (;;) {
		end = strchr(p, sep);
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || len >= sizeof(name) || count == max)
			return -KTLSO_ERROR_INVALID_ARGUMENT;
		memcpy(name, p, len);
		name[len] = '\0';
		if (parse(name, &v))
			return -KTLSO_ERROR_INVALID_ARGUMENT;
		for (i = 0; i < count; i++)
			if (out[i] == v)
				return -KTLSO_ERROR_INVALID_ARGUMENT;
		out[count++] = v;
		if (!end)
			break;
		p = end + 1;
	}
	*n = count;
	return 0;
}

static int set_list(uint16_t *dst, size_t *n_dst, const char *list,
		    name_parser parse)
{
	uint16_t v[KTLSO_CONFIG_MAX_LIST];
	size_t n;
	int ret = parse_u16_list(list, ':', parse, v, ARRAY_SIZE(v), &n);

	if (ret)
		return ret;
	memcpy(dst, v, n * sizeof(v[0]));
	*n_dst = n;
	return 0;
}

int ktlso_config_set_suites(struct ktlso_config *cfg, const char *list)
{
	return set_list(cfg->suites, &cfg->n_suites, list, suite_from_name);
}

static int group_parse(const char *name, uint16_t *group)
{
	return ktlso_group_from_name(name, group);
}

int ktlso_config_set_groups(struct ktlso_config *cfg, const char *list)
{
	int ret = set_list(cfg->groups, &cfg->n_groups, list, group_parse);

	if (ret == 0 && cfg->n_key_shares > cfg->n_groups)
		cfg->n_key_shares = cfg->n_groups;
	return ret;
}

static int scheme_parse(const char *name, uint16_t *scheme)
{
	return ktlso_sigscheme_from_name(name, scheme);
}

int ktlso_config_set_sigschemes(struct ktlso_config *cfg, const char *list)
{
	return set_list(cfg->sigschemes, &cfg->n_sigschemes, list,
			scheme_parse);
}

/* "h2,http/1.1": printable ASCII names of 1..255 bytes, no duplicates. */
int ktlso_config_set_alpn(struct ktlso_config *cfg, const char *list)
{
	char names[KTLSO_CONFIG_MAX_ALPN][KTLSO_ALPN_NAME_MAX + 1];
	const char *p = list, *end;
	size_t len, n = 0, i;

	if (!list || !*list)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || len > KTLSO_ALPN_NAME_MAX ||
		    n == KTLSO_CONFIG_MAX_ALPN)
			return -KTLSO_ERROR_INVALID_ARGUMENT;
		for (i = 0; i < len; i++)
			if (p[i] < 0x21 || p[i] > 0x7e)
				return -KTLSO_ERROR_INVALID_ARGUMENT;
		memcpy(names[n], p, len);
		names[n][len] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(names[i], names[n]) == 0)
				return -KTLSO_ERROR_INVALID_ARGUMENT;
		n++;
		if (!end)
			break;
		p = end + 1;
	}
	memcpy(cfg->alpn, names, sizeof(names));
	cfg->n_alpn = n;
	return 0;
}

static int version_parse(const char *name, uint16_t *v)
{
	if (strcmp(name, "1.2") == 0 || strcasecmp(name, "TLSv1.2") == 0)
		*v = KTLSO_TLS12_VERSION;
	else if (strcmp(name, "1.3") == 0 || strcasecmp(name, "TLSv1.3") == 0)
		*v = KTLSO_TLS13_VERSION;
	else
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return 0;
}

int ktlso_config_set_versions(struct ktlso_config *cfg, const char *min,
			      const char *max)
{
	uint16_t lo, hi;

	if (!min || !max || version_parse(min, &lo) ||
	    version_parse(max, &hi) || lo > hi)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	cfg->min_version = lo;
	cfg->max_version = hi;
	return 0;
}

int ktlso_config_set_ems(struct ktlso_config *cfg, const char *policy)
{
	if (policy && strcmp(policy, "required") == 0)
		cfg->ems = KTLSO_EMS_REQUIRED;
	else if (policy && strcmp(policy, "preferred") == 0)
		cfg->ems = KTLSO_EMS_PREFERRED;
	else
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return 0;
}
