// SPDX-License-Identifier: GPL-2.0
/*
 * One [profile NAME] section: its keys, the checks between them, the
 * kernel suite filter and a dry run of the engine with the result. See
 * conf.h for the keys, conf_int.h for the interface with conf.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <openssl/x509.h>

#include "daemon/conf_int.h"
#include "engine/alert.h"
#include "engine/suite.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum pkey {
	PK_CERT,
	PK_CAFILE,
	PK_CAPATH,
	PK_MIN_VERSION,
	PK_MAX_VERSION,
	PK_SUITES,
	PK_GROUPS,
	PK_SIGSCHEMES,
	PK_ALPN,
	PK_CLIENT_AUTH,
	PK_VERIFY,
	PK_VERIFY_NAME,
	PK_PEER_MIN_RSA_BITS,
	PK_PEER_SHA1,
	PK_EMS,
	PK_ALLOW,
	PK_ALLOW_SERVER,
	PK_ALLOW_CLIENT,
	PK_TICKETS,
	PK_TICKET_LIFETIME,
	PK_COUNT,
};

struct kd_profile_build {
	struct kd_profile *p;
	unsigned int errors_before;	/* ld->errors when the section began */
	unsigned int key_line[PK_COUNT];	/* 0: not given */
	uint16_t min_version, max_version;	/* 0: not given */
	char *cafile, *capath;			/* absolute */
};

typedef void (*key_fn)(struct kd_load *ld, struct kd_profile_build *b,
		       const char *key, const char *value, unsigned int line);

/* --- list values ------------------------------------------------------- */

typedef int (*list_setter)(struct ktlso_config *cfg, const char *list);

/*
 * A list the engine refused: say which name is wrong (unknown, or a
 * duplicate) or that there are too many.
 */
static void list_error(struct kd_load *ld, unsigned int line, const char *key,
		       const char *value, char sep, list_setter set,
		       size_t max)
{
	char *copy = strdup(value), *name, *save = NULL;
	char seps[2] = { sep, '\0' };
	struct ktlso_config tmp;
	size_t n = 0;

	if (!copy) {
		kd_load_error(ld, line, "out of memory");
		return;
	}
	if (value[0] == sep || value[strlen(value) - 1] == sep ||
	    strstr(value, (char[]){ sep, sep, '\0' })) {
		kd_load_error(ld, line, "%s: empty name in \"%s\"", key,
			      value);
		goto out;
	}
	for (name = strtok_r(copy, seps, &save); name;
	     name = strtok_r(NULL, seps, &save)) {
		ktlso_config_init(&tmp);
		if (set(&tmp, name)) {
			kd_load_error(ld, line, "%s: unknown name \"%s\"", key,
				      name);
			goto out;
		}
		n++;
	}
	if (n > max)
		kd_load_error(ld, line, "%s: more than %zu names", key, max);
	else
		kd_load_error(ld, line, "%s: a name is given twice in \"%s\"",
			      key, value);
out:
	free(copy);
}

static void set_list(struct kd_load *ld, struct kd_profile_build *b,
		     const char *key, const char *value, unsigned int line,
		     char sep, list_setter set, size_t max)
{
	if (set(&b->p->tmpl, value))
		list_error(ld, line, key, value, sep, set, max);
}

static void key_suites(struct kd_load *ld, struct kd_profile_build *b,
		       const char *key, const char *value, unsigned int line)
{
	set_list(ld, b, key, value, line, ':', ktlso_config_set_suites,
		 KTLSO_CONFIG_MAX_LIST);
}

static void key_groups(struct kd_load *ld, struct kd_profile_build *b,
		       const char *key, const char *value, unsigned int line)
{
	set_list(ld, b, key, value, line, ':', ktlso_config_set_groups,
		 KTLSO_CONFIG_MAX_LIST);
}

static void key_sigschemes(struct kd_load *ld, struct kd_profile_build *b,
			   const char *key, const char *value,
			   unsigned int line)
{
	set_list(ld, b, key, value, line, ':', ktlso_config_set_sigschemes,
		 KTLSO_CONFIG_MAX_LIST);
}

static void key_alpn(struct kd_load *ld, struct kd_profile_build *b,
		     const char *key, const char *value, unsigned int line)
{
	set_list(ld, b, key, value, line, ',', ktlso_config_set_alpn,
		 KTLSO_CONFIG_MAX_ALPN);
}

/* --- versions, enums --------------------------------------------------- */

static void key_version(struct kd_load *ld, struct kd_profile_build *b,
			const char *key, const char *value, unsigned int line)
{
	struct ktlso_config tmp;

	ktlso_config_init(&tmp);
	if (ktlso_config_set_versions(&tmp, value, value)) {
		kd_load_error(ld, line, "%s: \"%s\" is not 1.2 or 1.3", key,
			      value);
		return;
	}
	if (strcmp(key, "min_version") == 0)
		b->min_version = tmp.min_version;
	else
		b->max_version = tmp.max_version;
}

static void key_client_auth(struct kd_load *ld, struct kd_profile_build *b,
			    const char *key, const char *value,
			    unsigned int line)
{
	if (strcmp(value, "none") == 0)
		b->p->client_auth = KD_CLIENT_AUTH_NONE;
	else if (strcmp(value, "optional") == 0)
		b->p->client_auth = KD_CLIENT_AUTH_OPTIONAL;
	else if (strcmp(value, "require") == 0)
		b->p->client_auth = KD_CLIENT_AUTH_REQUIRE;
	else
		kd_load_error(ld, line,
			      "%s: \"%s\" is not none, optional or require",
			      key, value);
}

/* "verify" and "verify_name": yes or no. */
static void key_verify(struct kd_load *ld, struct kd_profile_build *b,
		       const char *key, const char *value, unsigned int line)
{
	int v = kd_parse_bool(value);

	if (v < 0)
		kd_load_error(ld, line, "%s: \"%s\" is not yes or no", key,
			      value);
	else if (strcmp(key, "verify") == 0)
		b->p->verify = v;
	else
		b->p->verify_name = v;
}

/*
 * "tickets = N": TLS 1.3 session tickets per handshake as a server (0:
 * no resumption); "ticket_lifetime = SECONDS": how long one may resume.
 */
static void key_tickets(struct kd_load *ld, struct kd_profile_build *b,
			const char *key, const char *value, unsigned int line)
{
	bool count = strcmp(key, "tickets") == 0;
	long lo = count ? 0 : 1;
	long hi = count ? KTLSO_TICKETS_MAX : KTLSO_TICKET_LIFETIME_MAX;
	long v = kd_parse_uint(value, lo, hi);

	if (v < 0)
		kd_load_error(ld, line, "%s: \"%s\" is not a number from %ld to %ld",
			      key, value, lo, hi);
	else if (count)
		b->p->tmpl.n_tickets = (unsigned int)v;
	else
		b->p->tmpl.ticket_lifetime = (uint32_t)v;
}

/* "peer_min_rsa_bits = N": the weakest RSA key a verified peer chain holds. */
static void key_peer_min_rsa_bits(struct kd_load *ld,
				  struct kd_profile_build *b, const char *key,
				  const char *value, unsigned int line)
{
	long v = kd_parse_uint(value, KTLSO_PEER_MIN_RSA_BITS_LOW,
			       KTLSO_PEER_MIN_RSA_BITS_HIGH);

	if (v < 0)
		kd_load_error(ld, line,
			      "%s: \"%s\" is not a number of bits from %d to %d",
			      key, value, KTLSO_PEER_MIN_RSA_BITS_LOW,
			      KTLSO_PEER_MIN_RSA_BITS_HIGH);
	else
		b->p->tmpl.peer_policy.min_rsa_bits = (unsigned int)v;
}

/* "peer_sha1 = refuse | allow": SHA-1 signatures in a peer chain. */
static void key_peer_sha1(struct kd_load *ld, struct kd_profile_build *b,
			  const char *key, const char *value,
			  unsigned int line)
{
	if (strcmp(value, "refuse") == 0)
		b->p->tmpl.peer_policy.allow_sha1 = false;
	else if (strcmp(value, "allow") == 0)
		b->p->tmpl.peer_policy.allow_sha1 = true;
	else
		kd_load_error(ld, line, "%s: \"%s\" is not refuse or allow",
			      key, value);
}

/*
 * "ems = required | preferred": whether TLS 1.2 peers without the extended
 * master secret (RFC 7627) are refused (the default) or accepted, each
 * such handshake logged as a warning by the engine.
 */
static void key_ems(struct kd_load *ld, struct kd_profile_build *b,
		    const char *key, const char *value, unsigned int line)
{
	if (ktlso_config_set_ems(&b->p->tmpl, value))
		kd_load_error(ld, line, "%s: \"%s\" is not required or preferred",
			      key, value);
}

/*
 * "allow", "allow_server", "allow_client": who may use the profile in both
 * roles, as a server, as a client. Repeatable; the entries add up.
 */
static void key_allow(struct kd_load *ld, struct kd_profile_build *b,
		      const char *key, const char *value, unsigned int line)
{
	unsigned int roles = KD_ACL_BOTH;
	char err[512];

	if (strcmp(key, "allow_server") == 0)
		roles = KD_ACL_SERVER;
	else if (strcmp(key, "allow_client") == 0)
		roles = KD_ACL_CLIENT;
	if (kd_acl_add(&b->p->acl, roles, value, err, sizeof(err)))
		kd_load_error(ld, line, "%s: %s", key, err);
}

/* --- files ------------------------------------------------------------- */

static bool cert_expired(const struct ktlso_cred *c)
{
	return X509_cmp_current_time(X509_get0_notAfter(c->leaf)) < 0;
}

/* "cert = CERTFILE [KEYFILE]": the key may sit in the certificate file. */
static void key_cert(struct kd_load *ld, struct kd_profile_build *b,
		     const char *key, const char *value, unsigned int line)
{
	struct kd_profile *p = b->p;
	char *copy = strdup(value), *save = NULL, *cert, *keyf, *extra;
	char *cert_abs = NULL, *key_abs = NULL;
	const struct kd_file *cf, *kf;
	char err[512];

	if (!copy) {
		kd_load_error(ld, line, "out of memory");
		return;
	}
	cert = strtok_r(copy, " \t", &save);
	keyf = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!cert || extra) {
		kd_load_error(ld, line, "%s: expected CERTFILE [KEYFILE]", key);
		goto out;
	}
	if (p->n_creds == KD_MAX_CREDS) {
		kd_load_error(ld, line, "%s: more than %d certificates", key,
			      KD_MAX_CREDS);
		goto out;
	}
	cert_abs = kd_load_path(ld, line, cert);
	key_abs = kd_load_path(ld, line, keyf ? keyf : cert);
	if (!cert_abs || !key_abs)
		goto out;
	cf = kd_files_get(ld->files, cert_abs, err, sizeof(err));
	kf = cf ? kd_files_get(ld->files, key_abs, err, sizeof(err)) : NULL;
	if (!kf ||
	    ktlso_cred_load_mem(&p->creds[p->n_creds], cert_abs, cf->data,
				cf->len, key_abs, kf->data, kf->len, err,
				sizeof(err))) {
		kd_load_error(ld, line, "%s: %s", key, err);
		goto out;
	}
	if (kf->mode & (S_IRWXG | S_IRWXO))
		kd_load_loose_key(ld, line, key_abs, kf->mode);
	if (cert_expired(&p->creds[p->n_creds]))
		kd_log(KD_LOG_WARNING, "%s:%u: %s: the certificate has expired",
		       ld->path, line, cert_abs);
	p->n_creds++;
out:
	free(cert_abs);
	free(key_abs);
	free(copy);
}

/* cafile and capath: checked alone here, loaded together at the end. */
static void key_trust(struct kd_load *ld, struct kd_profile_build *b,
		      const char *key, const char *value, unsigned int line)
{
	bool file = strcmp(key, "cafile") == 0;
	struct ktlso_trust t = { 0 };
	char err[512], *path = kd_load_path(ld, line, value);

	if (!path)
		return;
	if (ktlso_trust_load(&t, file ? path : NULL, file ? NULL : path, err,
			     sizeof(err))) {
		kd_load_error(ld, line, "%s: %s", key, err);
		free(path);
		return;
	}
	ktlso_trust_free(&t);
	if (file)
		b->cafile = path;
	else
		b->capath = path;
}

static const struct {
	const char *name;
	enum pkey id;
	bool repeat;
	key_fn fn;
} profile_keys[] = {
	{ "cert", PK_CERT, true, key_cert },
	{ "cafile", PK_CAFILE, false, key_trust },
	{ "capath", PK_CAPATH, false, key_trust },
	{ "min_version", PK_MIN_VERSION, false, key_version },
	{ "max_version", PK_MAX_VERSION, false, key_version },
	{ "suites", PK_SUITES, false, key_suites },
	{ "groups", PK_GROUPS, false, key_groups },
	{ "signature_schemes", PK_SIGSCHEMES, false, key_sigschemes },
	{ "alpn", PK_ALPN, false, key_alpn },
	{ "client_auth", PK_CLIENT_AUTH, false, key_client_auth },
	{ "verify", PK_VERIFY, false, key_verify },
	{ "verify_name", PK_VERIFY_NAME, false, key_verify },
	{ "peer_min_rsa_bits", PK_PEER_MIN_RSA_BITS, false,
	  key_peer_min_rsa_bits },
	{ "peer_sha1", PK_PEER_SHA1, false, key_peer_sha1 },
	{ "ems", PK_EMS, false, key_ems },
	{ "allow", PK_ALLOW, true, key_allow },
	{ "allow_server", PK_ALLOW_SERVER, true, key_allow },
	{ "allow_client", PK_ALLOW_CLIENT, true, key_allow },
	{ "tickets", PK_TICKETS, false, key_tickets },
	{ "ticket_lifetime", PK_TICKET_LIFETIME, false, key_tickets },
};

/* --- the section ------------------------------------------------------- */

bool kd_profile_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len >= KD_PROFILE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_' && name[i] != '.')
			return false;
	return true;
}

struct kd_profile_build *kd_profile_begin(struct kd_load *ld,
					  const char *name, unsigned int line)
{
	struct kd_profile_build *b = calloc(1, sizeof(*b));

	if (b)
		b->p = calloc(1, sizeof(*b->p));
	if (!b || !b->p) {
		free(b);
		kd_load_error(ld, line, "out of memory");
		return NULL;
	}
	b->errors_before = ld->errors;
	if (!kd_profile_name_valid(name))
		kd_load_error(ld, line,
			      "bad profile name \"%s\" (1 to %d letters, digits, '-', '_', '.')",
			      name, KD_PROFILE_NAME_MAX - 1);
	snprintf(b->p->name, sizeof(b->p->name), "%s", name);
	b->p->line = line;
	b->p->verify = true;
	b->p->verify_name = true;
	b->p->client_auth = KD_CLIENT_AUTH_NONE;
	ktlso_config_init(&b->p->tmpl);
	return b;
}

void kd_profile_key(struct kd_load *ld, struct kd_profile_build *b,
		    const char *key, const char *value, unsigned int line)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profile_keys); i++) {
		if (strcmp(key, profile_keys[i].name) != 0)
			continue;
		if (!profile_keys[i].repeat && b->key_line[profile_keys[i].id]) {
			kd_load_error(ld, line,
				      "%s: given twice (first on line %u)", key,
				      b->key_line[profile_keys[i].id]);
			return;
		}
		if (!b->key_line[profile_keys[i].id])
			b->key_line[profile_keys[i].id] = line;
		profile_keys[i].fn(ld, b, key, value, line);
		return;
	}
	kd_load_error(ld, line, "unknown profile key \"%s\"", key);
}

/* The line to blame for @id: where it was given, else the header. */
static unsigned int blame(const struct kd_profile_build *b, enum pkey id)
{
	return b->key_line[id] ? b->key_line[id] : b->p->line;
}

static void finish_versions(struct kd_load *ld, struct kd_profile_build *b)
{
	struct ktlso_config *t = &b->p->tmpl;
	/* Unset ends take the engine's defaults, narrowed to fit. */
	uint16_t max = b->max_version ? b->max_version : t->max_version;
	uint16_t min = b->min_version ? b->min_version :
		       (t->min_version > max ? max : t->min_version);

	if (!b->max_version && max < min)
		max = min;
	if (min > max) {
		kd_load_error(ld, blame(b, b->key_line[PK_MIN_VERSION] >
					   b->key_line[PK_MAX_VERSION] ?
					   PK_MIN_VERSION : PK_MAX_VERSION),
			      "min_version is above max_version");
		return;
	}
	t->min_version = min;
	t->max_version = max;
}

static void finish_suites(struct kd_load *ld, struct kd_profile_build *b)
{
	struct ktlso_config *t = &b->p->tmpl;
	uint16_t kept[KTLSO_CONFIG_MAX_LIST], dropped[KTLSO_CONFIG_MAX_LIST];
	size_t n, n_dropped, i, usable = 0;

	n = kd_suites_filter(ld->probe, t->suites, t->n_suites, kept, dropped,
			     &n_dropped);
	for (i = 0; i < n_dropped; i++) {
		const struct ktlso_suite *s = ktlso_suite_find(dropped[i]);

		kd_log(KD_LOG_INFO,
		       "%s:%u: profile %s: %s left out: the kernel has no %s",
		       ld->path, blame(b, PK_SUITES), b->p->name,
		       s ? s->name : "?", s ? kd_kalg_name(s->aead) : "?");
	}
	for (i = 0; i < n; i++) {
		const struct ktlso_suite *s = ktlso_suite_find(kept[i]);

		if (s->version >= t->min_version &&
		    s->version <= t->max_version)
			usable++;
	}
	if (usable == 0) {
		kd_load_error(ld, blame(b, PK_SUITES),
			      "profile %s: no cipher suite for the versions configured that the kernel can run",
			      b->p->name);
		return;
	}
	memcpy(t->suites, kept, n * sizeof(kept[0]));
	t->n_suites = n;
}

static void finish_trust(struct kd_load *ld, struct kd_profile_build *b)
{
	struct kd_profile *p = b->p;
	char err[512];

	if (!b->cafile && !b->capath)
		return;
	if (ktlso_trust_load(&p->trust, b->cafile, b->capath, err,
			     sizeof(err))) {
		kd_load_error(ld, blame(b, b->cafile ? PK_CAFILE : PK_CAPATH),
			      "%s", err);
		return;
	}
	p->has_trust = true;
}

static void finish_roles(struct kd_load *ld, struct kd_profile_build *b)
{
	struct kd_profile *p = b->p;

	if (p->client_auth != KD_CLIENT_AUTH_NONE && !p->has_trust) {
		kd_load_error(ld, blame(b, PK_CLIENT_AUTH),
			      "client_auth needs cafile or capath");
		return;
	}
	p->can_client = !p->verify || p->has_trust;
	p->can_server = p->n_creds > 0;
	if (!p->can_client && !p->can_server)
		kd_load_error(ld, p->line,
			      "profile %s serves no role: a server needs a cert, a verifying client needs cafile or capath",
			      p->name);
}

static ssize_t dry_io(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static ssize_t dry_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return (ssize_t)len;
}

static void dry_log(void *arg, enum ktlso_log_level level, const char *msg)
{
	if (level == KTLSO_LOG_ERROR)
		snprintf(arg, 256, "%s", msg);
}

/* Would the engine take this profile in @role? */
static void dry_run(struct kd_load *ld, struct kd_profile *p,
		    enum ktlso_role role)
{
	const struct ktlso_io io = { dry_io, dry_write, NULL };
	struct ktlso_session *s;
	struct ktlso_config cfg;
	char why[256] = "";
	int ret;

	kd_profile_engine_config(p, role, &cfg);
	/* Each client request brings its own name: stand one in. */
	if (role == KTLSO_ROLE_CLIENT)
		cfg.server_name = "dry-run.invalid";
	cfg.log = dry_log;
	cfg.log_arg = why;
	ret = ktlso_session_new(&s, &cfg, role, &io);
	if (ret == 0) {
		ktlso_session_free(s);
		return;
	}
	kd_load_error(ld, p->line, "profile %s: the engine refuses it as a %s: %s",
		      p->name, role == KTLSO_ROLE_SERVER ? "server" : "client",
		      why[0] ? why : ktlso_error_name(ret));
}

struct kd_profile *kd_profile_end(struct kd_load *ld,
				  struct kd_profile_build *b)
{
	struct kd_profile *p = b->p;

	finish_versions(ld, b);
	finish_suites(ld, b);
	finish_trust(ld, b);
	if (ld->errors == b->errors_before)
		finish_roles(ld, b);
	if (ld->errors == b->errors_before && p->can_client)
		dry_run(ld, p, KTLSO_ROLE_CLIENT);
	if (ld->errors == b->errors_before && p->can_server)
		dry_run(ld, p, KTLSO_ROLE_SERVER);
	free(b->cafile);
	free(b->capath);
	if (ld->errors != b->errors_before) {
		kd_profile_free(p);
		p = NULL;
	}
	free(b);
	return p;
}

void kd_profile_free(struct kd_profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_creds; i++)
		ktlso_cred_free(&p->creds[i]);
	ktlso_trust_free(&p->trust);
	kd_acl_free(&p->acl);
	free(p);
}

void kd_profile_engine_config(const struct kd_profile *p,
			      enum ktlso_role role, struct ktlso_config *out)
{
	*out = p->tmpl;
	out->creds = p->n_creds ? p->creds : NULL;
	out->n_creds = p->n_creds;
	out->trust = p->has_trust ? &p->trust : NULL;
	if (role == KTLSO_ROLE_CLIENT) {
		out->peer_auth = p->verify ? KTLSO_PEER_AUTH_REQUIRE :
					     KTLSO_PEER_AUTH_NONE;
		out->verify_name = p->verify_name;
		return;
	}
	switch (p->client_auth) {
	case KD_CLIENT_AUTH_NONE:
		out->peer_auth = KTLSO_PEER_AUTH_NONE;
		break;
	case KD_CLIENT_AUTH_OPTIONAL:
		out->peer_auth = KTLSO_PEER_AUTH_OPTIONAL;
		break;
	case KD_CLIENT_AUTH_REQUIRE:
		out->peer_auth = KTLSO_PEER_AUTH_REQUIRE;
		break;
	}
}
