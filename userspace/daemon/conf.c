// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file: lines, sections, the global keys, problem
 * reports, and the loaded object's lifetime. profile.c handles what is
 * inside a [profile NAME] section. See conf.h.
 */
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "daemon/conf_int.h"

#define LINE_MAX_LEN 4096

/* --- reports and helpers ------------------------------------------------ */

void kd_load_error(struct kd_load *ld, unsigned int line, const char *fmt,
		   ...)
{
	char msg[1024], full[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(full, sizeof(full), "%s:%u: %s", ld->path, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", ld->path, msg);
	ld->errors++;
	if (ld->report)
		ld->report(ld->arg, full);
}

char *kd_load_path(struct kd_load *ld, unsigned int line, const char *path)
{
	char *out;

	if (path[0] == '/')
		out = strdup(path);
	else if (asprintf(&out, "%s/%s", ld->dir, path) < 0)
		out = NULL;
	if (!out)
		kd_load_error(ld, line, "out of memory");
	return out;
}

int kd_parse_bool(const char *value)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0)
			return 1;
		if (strcasecmp(value, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* --- global keys ------------------------------------------------------- */

long kd_parse_uint(const char *value, long min, long max)
{
	char *end;
	long v;

	if (value[0] < '0' || value[0] > '9')
		return -1;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	return v;
}

/* Configurations loaded so far (a reload loads on a thread of its own). */
static _Atomic uint64_t generations;

enum gkey {
	GK_LOG_LEVEL, GK_MAX_HANDSHAKES, GK_TIMEOUT, GK_USER, GK_KEY_CHECK,
	GK_WORKERS, GK_PER_PEER, GK_PER_USER, GK_TICKET_ROTATION,
	GK_TICKET_KEYS, GK_REDIS_USER, GK_REDIS_PASSWORD, GK_CLIENT_CACHE,
	GK_COUNT
};

static const char *const global_keys[GK_COUNT] = {
	[GK_LOG_LEVEL] = "log_level",
	[GK_MAX_HANDSHAKES] = "max_handshakes",
	[GK_TIMEOUT] = "handshake_timeout_ms",
	[GK_USER] = "user",
	[GK_KEY_CHECK] = "key_file_check",
	[GK_WORKERS] = "workers",
	[GK_PER_PEER] = "max_handshakes_per_peer",
	[GK_PER_USER] = "max_handshakes_per_user",
	[GK_TICKET_ROTATION] = "ticket_rotation",
	[GK_TICKET_KEYS] = "ticket_keys",
	[GK_REDIS_USER] = "redis_user",
	[GK_REDIS_PASSWORD] = "redis_password_file",
	[GK_CLIENT_CACHE] = "client_session_cache",
};

/* "user = NAME": an account that exists, and is not root's. */
static void key_user(struct kd_load *ld, struct kd_config *c,
		     const char *key, const char *value, unsigned int line)
{
	struct passwd *pw = getpwnam(value);

	if (strlen(value) >= sizeof(c->user))
		kd_load_error(ld, line, "%s: \"%s\" is too long", key, value);
	else if (!pw)
		kd_load_error(ld, line, "%s: no user \"%s\"", key, value);
	else if (pw->pw_uid == 0)
		kd_load_error(ld, line,
			      "%s: \"%s\" is root; name an unprivileged user, or leave the key out",
			      key, value);
	else
		snprintf(c->user, sizeof(c->user), "%s", value);
}

void kd_load_loose_key(struct kd_load *ld, unsigned int line,
		       const char *path, unsigned int mode)
{
	struct kd_loose_key *v;

	v = realloc(ld->loose, (ld->n_loose + 1) * sizeof(*v));
	if (!v || !(path = strdup(path))) {
		if (v)
			ld->loose = v;
		kd_load_error(ld, line, "out of memory");
		return;
	}
	ld->loose = v;
	v[ld->n_loose++] = (struct kd_loose_key){ line, mode, (char *)path };
}

/* Key files others may read: refused, unless key_file_check = warn. */
static void check_loose_keys(struct kd_load *ld, const struct kd_config *c)
{
	size_t i;

	for (i = 0; i < ld->n_loose; i++) {
		const struct kd_loose_key *k = &ld->loose[i];

		if (c->keys_lax)
			kd_log(KD_LOG_WARNING,
			       "%s:%u: %s: its group or others have access to this key file (mode %04o)",
			       ld->path, k->line, k->path, k->mode);
		else
			kd_load_error(ld, k->line,
				      "%s: its group or others have access to this key file (mode %04o): chmod go-rwx it, or set key_file_check = warn",
				      k->path, k->mode);
		free(k->path);
	}
	free(ld->loose);
	ld->loose = NULL;
	ld->n_loose = 0;
}

static void global_key(struct kd_load *ld, struct kd_config *c,
		       unsigned int *seen, const char *key, const char *value,
		       unsigned int line)
{
	enum kd_log_level level;
	long v;
	int k;

	for (k = 0; k < GK_COUNT; k++)
		if (strcmp(key, global_keys[k]) == 0)
			break;
	if (k == GK_COUNT) {
		kd_load_error(ld, line, "unknown global key \"%s\"", key);
		return;
	}
	if (seen[k]) {
		kd_load_error(ld, line, "%s: given twice (first on line %u)",
			      key, seen[k]);
		return;
	}
	seen[k] = line;
	switch (k) {
	case GK_LOG_LEVEL:
		if (kd_log_level_parse(value, &level))
			kd_load_error(ld, line,
				      "%s: \"%s\" is not error, warning, info or debug",
				      key, value);
		else
			c->log_level = level;
		break;
	case GK_MAX_HANDSHAKES:
		v = kd_parse_uint(value, 1, KD_MAX_HANDSHAKES_LIMIT);
		if (v < 0)
			kd_load_error(ld, line, "%s: \"%s\" is not a number from 1 to %d",
				      key, value, KD_MAX_HANDSHAKES_LIMIT);
		else
			c->max_handshakes = (unsigned int)v;
		break;
	case GK_TIMEOUT:
		v = kd_parse_uint(value, 1, 300000);
		if (v < 0)
			kd_load_error(ld, line, "%s: \"%s\" is not a number from 1 to 300000",
				      key, value);
		else
			c->timeout_ms = (unsigned int)v;
		break;
	case GK_USER:
		key_user(ld, c, key, value, line);
		break;
	case GK_KEY_CHECK:
		if (strcmp(value, "strict") == 0 || strcmp(value, "warn") == 0)
			c->keys_lax = value[0] == 'w';
		else
			kd_load_error(ld, line, "%s: \"%s\" is not strict or warn",
				      key, value);
		break;
	case GK_WORKERS:
		v = strcmp(value, "auto") == 0 ? 0 :
		    kd_parse_uint(value, 1, KD_WORKERS_MAX);
		if (v < 0)
			kd_load_error(ld, line, "%s: \"%s\" is not auto or a number from 1 to %d",
				      key, value, KD_WORKERS_MAX);
		else
			c->workers = (unsigned int)v;
		break;
	case GK_PER_PEER:
	case GK_PER_USER:
		v = kd_parse_uint(value, 0, KD_MAX_HANDSHAKES_LIMIT);
		if (v < 0)
			kd_load_error(ld, line, "%s: \"%s\" is not a number from 0 to %d",
				      key, value, KD_MAX_HANDSHAKES_LIMIT);
		else if (k == GK_PER_PEER)
			c->max_per_peer = (unsigned int)v;
		else
			c->max_per_user = (unsigned int)v;
		break;
	case GK_TICKET_ROTATION:
		v = kd_parse_uint(value, KD_TICKET_ROTATION_MIN,
				  KD_TICKET_ROTATION_MAX);
		if (v < 0)
			kd_load_error(ld, line, "%s: \"%s\" is not a number of seconds from %d to %d",
				      key, value, KD_TICKET_ROTATION_MIN,
				      KD_TICKET_ROTATION_MAX);
		else
			c->ticket_rotation_s = (unsigned int)v;
		break;
	case GK_TICKET_KEYS:
		kd_redis_conf_url(ld, &c->redis, key, value, line);
		break;
	case GK_REDIS_USER:
		kd_redis_conf_user(ld, &c->redis, key, value, line);
		break;
	case GK_REDIS_PASSWORD:
		kd_redis_conf_password(ld, &c->redis, key, value, line);
		break;
	case GK_CLIENT_CACHE:
		v = kd_parse_uint(value, 0, KD_CLIENT_CACHE_MAX);
		if (v < 0)
			kd_load_error(ld, line, "%s: \"%s\" is not a number of tickets from 0 to %d",
				      key, value, KD_CLIENT_CACHE_MAX);
		else
			c->client_cache = (unsigned int)v;
		break;
	}
}

/* --- lines ------------------------------------------------------------- */

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static bool key_valid(const char *key)
{
	if (!*key)
		return false;
	for (; *key; key++)
		if (!((*key >= 'a' && *key <= 'z') || *key == '_' ||
		      (*key >= '0' && *key <= '9')))
			return false;
	return true;
}

/* The parse in progress. */
struct parse {
	struct kd_load *ld;
	struct kd_config *c;
	unsigned int global_seen[GK_COUNT];
	bool in_global;			/* before any section, or [global] */
	bool in_bad_section;		/* an unknown section: keys skipped */
	struct kd_profile_build *b;	/* the open [profile] section */
	struct seen_name {
		char name[KD_PROFILE_NAME_MAX];
		unsigned int line;
	} *seen;			/* every [profile] header so far */
	size_t n_seen;
};

static int add_profile(struct kd_config *c, struct kd_profile *p)
{
	struct kd_profile **v;

	v = realloc(c->profiles, (c->n_profiles + 1) * sizeof(*v));
	if (!v)
		return -1;
	c->profiles = v;
	c->profiles[c->n_profiles++] = p;
	return 0;
}

static void close_section(struct parse *ps)
{
	struct kd_profile *p;

	if (!ps->b)
		return;
	p = kd_profile_end(ps->ld, ps->b);
	ps->b = NULL;
	if (p && add_profile(ps->c, p)) {
		kd_load_error(ps->ld, p->line, "out of memory");
		kd_profile_free(p);
	}
}

/* Was a section for this profile seen before (loaded or not)? */
static bool profile_seen(struct parse *ps, const char *name,
			 unsigned int line, unsigned int *first)
{
	struct seen_name *v;
	size_t i;

	for (i = 0; i < ps->n_seen; i++) {
		if (strcmp(ps->seen[i].name, name) == 0) {
			*first = ps->seen[i].line;
			return true;
		}
	}
	v = realloc(ps->seen, (ps->n_seen + 1) * sizeof(*v));
	if (v) {
		ps->seen = v;
		snprintf(v[ps->n_seen].name, sizeof(v->name), "%s", name);
		v[ps->n_seen++].line = line;
	}
	return false;
}

static void section(struct parse *ps, char *s, unsigned int line)
{
	size_t len = strlen(s);
	unsigned int first;
	char *inner, *name;

	close_section(ps);
	ps->in_global = false;
	ps->in_bad_section = true;
	if (s[len - 1] != ']') {
		kd_load_error(ps->ld, line, "a section header ends with ']'");
		return;
	}
	s[len - 1] = '\0';
	inner = trim(s + 1);
	if (strcmp(inner, "global") == 0) {
		ps->in_global = true;
		ps->in_bad_section = false;
		return;
	}
	if (strncmp(inner, "profile", 7) != 0 ||
	    (inner[7] != ' ' && inner[7] != '\t')) {
		kd_load_error(ps->ld, line,
			      "unknown section [%s] (expected [global] or [profile NAME])",
			      inner);
		return;
	}
	name = trim(inner + 7);
	if (profile_seen(ps, name, line, &first)) {
		kd_load_error(ps->ld, line,
			      "profile %s defined twice (first on line %u)",
			      name, first);
		return;
	}
	ps->b = kd_profile_begin(ps->ld, name, line);
	ps->in_bad_section = false;
}

static void parse_line(struct parse *ps, char *raw, size_t raw_len,
		       unsigned int line)
{
	char *s, *eq, *key, *value;

	if (strlen(raw) != raw_len) {
		kd_load_error(ps->ld, line, "NUL byte in the line");
		return;
	}
	if (raw_len > LINE_MAX_LEN) {
		kd_load_error(ps->ld, line, "line longer than %d bytes",
			      LINE_MAX_LEN);
		return;
	}
	s = trim(raw);
	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		section(ps, s, line);
		return;
	}
	eq = strchr(s, '=');
	if (!eq) {
		kd_load_error(ps->ld, line, "expected \"key = value\"");
		return;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!key_valid(key)) {
		kd_load_error(ps->ld, line, "bad key \"%s\"", key);
		return;
	}
	if (!*value) {
		kd_load_error(ps->ld, line, "%s: empty value", key);
		return;
	}
	if (ps->in_bad_section)
		return;
	if (ps->in_global)
		global_key(ps->ld, ps->c, ps->global_seen, key, value, line);
	else if (ps->b)
		kd_profile_key(ps->ld, ps->b, key, value, line);
}

static void parse_file(struct parse *ps, FILE *f)
{
	unsigned int line = 0;
	size_t cap = 0;
	char *buf = NULL;
	ssize_t n;

	while ((n = getline(&buf, &cap, f)) >= 0)
		parse_line(ps, buf, (size_t)n, ++line);
	if (ferror(f))
		kd_load_error(ps->ld, line + 1, "read error: %s",
			      strerror(errno));
	free(buf);
	close_section(ps);
	if (ps->c->n_profiles == 0 && ps->ld->errors == 0)
		kd_load_error(ps->ld, line, "no [profile NAME] section");
}

/* --- the object -------------------------------------------------------- */

static void config_free(struct kd_config *c)
{
	size_t i;

	for (i = 0; i < c->n_profiles; i++)
		kd_profile_free(c->profiles[i]);
	free(c->profiles);
	free(c->path);
	OPENSSL_cleanse(&c->redis, sizeof(c->redis));
	free(c);
}

static char *dir_of(const char *path)
{
	char *copy = strdup(path), *dir, *out;

	if (!copy)
		return NULL;
	dir = dirname(copy);
	out = strdup(dir);
	free(copy);
	return out;
}

int kd_config_load(struct kd_config **cp, const char *path,
		   const struct kd_kalg_probe *probe, kd_report_fn report,
		   void *arg)
{
	struct kd_files files;
	int ret;

	kd_files_init(&files, KD_FILES_READ);
	ret = kd_config_load_files(cp, path, probe, &files, report, arg);
	kd_files_free(&files);
	return ret;
}

int kd_config_load_files(struct kd_config **cp, const char *path,
			 const struct kd_kalg_probe *probe,
			 struct kd_files *files, kd_report_fn report,
			 void *arg)
{
	struct kd_load ld = {
		.path = path, .probe = probe, .report = report, .arg = arg,
		.files = files,
	};
	struct parse ps = { .ld = &ld, .in_global = true };
	const struct kd_file *text;
	char err[512];
	struct kd_config *c;
	FILE *f;

	*cp = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path)) || !(ld.dir = dir_of(path))) {
		kd_load_error(&ld, 0, "out of memory");
		goto fail;
	}
	c->refs = 1;
	c->generation = atomic_fetch_add(&generations, 1) + 1;
	c->log_level = KD_LOG_INFO;
	c->max_handshakes = KD_DEFAULT_MAX_HANDSHAKES;
	c->max_per_peer = KD_DEFAULT_MAX_PER_PEER;
	c->timeout_ms = KD_DEFAULT_TIMEOUT_MS;
	c->ticket_rotation_s = KD_DEFAULT_TICKET_ROTATION;
	c->client_cache = KD_DEFAULT_CLIENT_CACHE;
	ps.c = c;
	/* As given: relative to the working directory, unlike what it names. */
	text = kd_files_get(files, path, err, sizeof(err));
	if (!text) {
		/* The report names the file already: "cannot open: why". */
		kd_load_error(&ld, 0, "%s",
			      strncmp(err, path, strlen(path)) == 0 ?
			      err + strlen(path) + 2 : err);
		goto fail;
	}
	f = text->len ? fmemopen(text->data, text->len, "r") :
			fopen("/dev/null", "re");
	if (!f) {
		kd_load_error(&ld, 0, "cannot open: %s", strerror(errno));
		goto fail;
	}
	parse_file(&ps, f);
	fclose(f);
	free(ps.seen);
	kd_redis_conf_check(&ld, &c->redis, ps.global_seen[GK_REDIS_USER],
			    ps.global_seen[GK_REDIS_PASSWORD]);
	check_loose_keys(&ld, c);
	if (ld.errors)
		goto fail;
	if (!kd_config_profile(c, NULL))
		kd_log(KD_LOG_WARNING,
		       "%s: no profile \"default\": requests that name no profile will fail",
		       path);
	free(ld.dir);
	*cp = c;
	return 0;
fail:
	free(ld.dir);
	if (c)
		config_free(c);
	return -1;
}

struct kd_config *kd_config_get(struct kd_config *c)
{
	c->refs++;
	return c;
}

void kd_config_put(struct kd_config *c)
{
	if (c && --c->refs == 0)
		config_free(c);
}

const struct kd_profile *kd_config_profile(const struct kd_config *c,
					   const char *name)
{
	size_t i;

	if (!name || !*name)
		name = "default";
	for (i = 0; i < c->n_profiles; i++)
		if (strcmp(c->profiles[i]->name, name) == 0)
			return c->profiles[i];
	return NULL;
}
