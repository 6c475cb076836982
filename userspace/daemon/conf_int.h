/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the configuration loader: the state of one load (conf.c
 * reads the file, profile.c builds each profile). Not part of conf.h.
 */
#ifndef KTLSOD_CONF_INT_H
#define KTLSOD_CONF_INT_H

#include <stdbool.h>

#include "daemon/conf.h"

/* One load in progress. */
struct kd_load {
	const char *path;		/* the file, as named */
	char *dir;			/* its directory, for relative paths */
	const struct kd_kalg_probe *probe;
	kd_report_fn report;
	void *arg;
	unsigned int errors;
	struct kd_files *files;		/* where files are read from */
	struct kd_loose_key {		/* key files others may access */
		unsigned int line;
		unsigned int mode;
		char *path;
	} *loose;
	size_t n_loose;
};

/*
 * Remember that the key file @path, named on @line, has permission bits
 * @mode that give its group or others access: once the whole file is
 * read (key_file_check may come later), that is a problem or a warning.
 */
void kd_load_loose_key(struct kd_load *ld, unsigned int line,
		       const char *path, unsigned int mode);

/* Report "PATH:LINE: message" (line 0: "PATH: message"); counts it. */
void kd_load_error(struct kd_load *ld, unsigned int line, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/*
 * @path made absolute against the configuration file's directory, in a
 * buffer the caller frees; NULL when out of memory (reported).
 */
char *kd_load_path(struct kd_load *ld, unsigned int line, const char *path);

/* "yes"/"no" and friends; -1 for anything else. */
int kd_parse_bool(const char *value);

/* A decimal in [@min, @max]; -1 when it is not. */
long kd_parse_uint(const char *value, long min, long max);

/* --- the Redis settings (conf_redis.c) ---------------------------------- */

/* "ticket_keys = local | redis://HOST[:PORT]/PREFIX" */
void kd_redis_conf_url(struct kd_load *ld, struct kd_redis_conf *r,
		       const char *key, const char *value, unsigned int line);

/* "redis_user = NAME" */
void kd_redis_conf_user(struct kd_load *ld, struct kd_redis_conf *r,
			const char *key, const char *value, unsigned int line);

/* "redis_password_file = FILE": read as a key file is (mode checked). */
void kd_redis_conf_password(struct kd_load *ld, struct kd_redis_conf *r,
			    const char *key, const char *value,
			    unsigned int line);

/*
 * Once the file is read: a user or password only with Redis, a user only
 * with a password.
 */
void kd_redis_conf_check(struct kd_load *ld, const struct kd_redis_conf *r,
			 unsigned int user_line, unsigned int password_line);

struct kd_profile_build;

/* A profile section begins: NULL when out of memory (reported). */
struct kd_profile_build *kd_profile_begin(struct kd_load *ld,
					  const char *name, unsigned int line);

/* One "key = value" of the section; problems are reported. */
void kd_profile_key(struct kd_load *ld, struct kd_profile_build *b,
		    const char *key, const char *value, unsigned int line);

/*
 * The section ends: the checks between keys, the suite filter, the engine
 * dry run. Returns the profile, or NULL when any problem was found in the
 * section (reported). @b is freed either way.
 */
struct kd_profile *kd_profile_end(struct kd_load *ld,
				  struct kd_profile_build *b);

/* Free a profile, wiping its keys; NULL is a no-op. */
void kd_profile_free(struct kd_profile *p);

#endif /* KTLSOD_CONF_INT_H */
