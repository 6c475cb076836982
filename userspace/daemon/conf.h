/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlsod's configuration: the file format, the loaded object (global
 * settings and the profiles, with their certificates, keys and trust
 * stores loaded), and its lifetime.
 *
 *	struct kd_config *c;
 *
 *	if (kd_config_load(&c, "/etc/ktlso/ktlsod.conf", &probe, report,
 *			   arg))
 *		exit(1);		(every problem went to report())
 *	prof = kd_config_profile(c, req.profile);
 *	kd_config_get(c);		(a handshake holds a reference)
 *	...
 *	kd_config_put(c);		(freed with the last reference)
 *
 * The format, line by line (see ktlsod.conf.example):
 *
 *	# comment			(also ';'; whole lines only)
 *	key = value			(global keys, before any section)
 *	[global]			(global keys may go here too)
 *	[profile NAME]			(NAME as in struct ktlso_hs_request)
 *	key = value			(profile keys)
 *
 * Every problem is reported as "FILE:LINE: message" and fails the load;
 * the whole file is read, so that every problem is reported at once.
 */
#ifndef KTLSOD_CONF_H
#define KTLSOD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/access.h"
#include "daemon/files.h"
#include "daemon/kalg.h"
#include "daemon/log.h"
#include "engine/engine.h"

#define KD_MAX_CREDS 8		/* cert lines per profile */
#define KD_DEFAULT_MAX_HANDSHAKES 256
#define KD_MAX_HANDSHAKES_LIMIT 65536
#define KD_WORKERS_MAX 256		/* "workers" */
#define KD_DEFAULT_MAX_PER_PEER 64	/* "max_handshakes_per_peer" */
#define KD_DEFAULT_TIMEOUT_MS 30000
#define KD_PROFILE_NAME_MAX 64	/* KTLSO_HS_PROFILE_MAX, NUL included */
#define KD_DEFAULT_TICKET_ROTATION 3600	/* "ticket_rotation", seconds */
#define KD_TICKET_ROTATION_MIN 60
#define KD_TICKET_ROTATION_MAX 86400
#define KD_DEFAULT_CLIENT_CACHE 1024	/* "client_session_cache", tickets */
#define KD_CLIENT_CACHE_MAX 1048576	/* KD_CLIENT_CACHE_MAX_TICKETS */

enum kd_client_auth {
	KD_CLIENT_AUTH_NONE,
	KD_CLIENT_AUTH_OPTIONAL,
	KD_CLIENT_AUTH_REQUIRE,
};

/**
 * struct kd_profile - one [profile NAME] section, loaded
 * @name: the profile's name
 * @line: the line of its section header
 * @creds: the "cert" lines, loaded, in file order (SNI picks among them)
 * @n_creds: entries used in @creds
 * @trust: "cafile" and "capath", loaded (@has_trust)
 * @has_trust: a trust store was configured
 * @verify: clients verify the server (the "verify" key; default yes)
 * @verify_name: a verifying client's request must carry a server name
 *	(the "verify_name" key; default yes)
 * @client_auth: what a server asks of clients
 * @can_client: usable for client handshakes (verification has a trust
 *	store, or is off)
 * @can_server: usable for server handshakes (a certificate, and a trust
 *	store if clients are asked for certificates)
 * @acl: who may use it in which role ("allow", "allow_server",
 *	"allow_client"); empty: root only
 * @tmpl: the engine configuration every handshake of this profile starts
 *	from: its suites filtered and ordered for the kernel, the peer chain
 *	policy ("peer_min_rsa_bits", "peer_sha1"), TLS 1.3 tickets as a
 *	server ("tickets", n_tickets: 0 for no resumption;
 *	"ticket_lifetime"), @creds and @trust borrowed; the handshake adds
 *	server name, ALPN, the daemon's ticket keys and logging
 */
struct kd_profile {
	char name[KD_PROFILE_NAME_MAX];
	unsigned int line;
	struct ktlso_cred creds[KD_MAX_CREDS];
	size_t n_creds;
	struct ktlso_trust trust;
	bool has_trust;
	bool verify;
	bool verify_name;
	enum kd_client_auth client_auth;
	bool can_client, can_server;
	struct kd_acl acl;
	struct ktlso_config tmpl;
};

/**
 * struct kd_config - a loaded configuration file
 * @refs: references; freed when the last is dropped
 * @path: the file it was read from
 * @log_level: "log_level" (default info)
 * @max_handshakes: "max_handshakes": the bound on handshakes in flight
 * @timeout_ms: "handshake_timeout_ms": the deadline of a request that
 *	comes without one
 * @user: "user": who ktlsod runs as once started ("" to stay as
 *	started)
 * @keys_lax: "key_file_check = warn": key files others may read are
 *	loaded with a warning instead of refused
 * @workers: "workers": handshake threads; 0 ("auto", the default): one
 *	per CPU ktlsod may run on (read at start only)
 * @max_per_peer: "max_handshakes_per_peer": of @max_handshakes, at most
 *	this many from one peer address (default 64; 0: no bound)
 * @max_per_user: "max_handshakes_per_user": at most this many asked for
 *	by one local user (default 0: no bound)
 * @ticket_rotation_s: "ticket_rotation": seconds between two ticket
 *	keys (default 3600)
 * @generation: this load's own number (no other configuration this
 *	process loads has it): the client session cache keeps the sessions
 *	each one verified apart (hs.c)
 * @client_cache: "client_session_cache": tickets kept for the
 *	connections ktlsod runs as a client (client_cache.h; default 1024;
 *	0: clients never resume) (read at start only)
 * @redis: "ticket_keys = redis://...", "redis_user",
 *	"redis_password_file": where a fleet's shared ticket keys are
 *	(@redis.on false: "ticket_keys = local", the default)
 * @profiles: the profiles, in file order
 * @n_profiles: entries in @profiles
 */
#define KD_REDIS_PREFIX_MAX 64
#define KD_REDIS_USER_MAX 64
#define KD_REDIS_PASSWORD_MAX 256

/*
 * The Redis server a fleet shares its ticket keys through
 * (tickets_redis.h). @password is read from "redis_password_file" and
 * wiped when the configuration goes.
 */
struct kd_redis_conf {
	bool on;
	char host[256];
	unsigned int port;
	char prefix[KD_REDIS_PREFIX_MAX + 1];
	char user[KD_REDIS_USER_MAX + 1];	/* "": AUTH with a password only */
	char password[KD_REDIS_PASSWORD_MAX + 1];	/* "": no AUTH */
};

/* Do @a and @b name the same server, account and keys? */
bool kd_redis_conf_equal(const struct kd_redis_conf *a,
			 const struct kd_redis_conf *b);

struct kd_config {
	unsigned int refs;
	char *path;
	enum kd_log_level log_level;
	unsigned int max_handshakes;
	unsigned int timeout_ms;
	char user[64];
	bool keys_lax;
	unsigned int workers;
	unsigned int max_per_peer, max_per_user;
	unsigned int ticket_rotation_s;
	uint64_t generation;
	unsigned int client_cache;
	struct kd_redis_conf redis;
	struct kd_profile **profiles;
	size_t n_profiles;
};

/* Where load problems go: one "FILE:LINE: message" per call. */
typedef void (*kd_report_fn)(void *arg, const char *msg);

/**
 * kd_config_load() - read, check and load a configuration file
 * @cp: set to the new configuration (one reference) on success, else NULL
 * @path: the file; relative paths inside it are relative to its directory
 * @probe: the kernel's AEADs (each profile's suites are filtered by it)
 * @report: called once per problem found
 * @arg: passed to @report
 *
 * Return: 0, or -1 when any problem was found (nothing is kept then).
 */
int kd_config_load(struct kd_config **cp, const char *path,
		   const struct kd_kalg_probe *probe, kd_report_fn report,
		   void *arg);

/**
 * kd_config_load_files() - kd_config_load() reading through a file set
 * @cp: as for kd_config_load()
 * @path: as for kd_config_load()
 * @probe: as for kd_config_load()
 * @files: where the configuration file and each certificate and key file
 *	are read from (see files.h): KD_FILES_READ keeps what it read (the
 *	privileged helper sends it on), KD_FILES_REPLAY reads only what it
 *	holds. CA files and directories are always read directly.
 * @report: as for kd_config_load()
 * @arg: as for kd_config_load()
 *
 * Return: 0, or -1 when any problem was found.
 */
int kd_config_load_files(struct kd_config **cp, const char *path,
			 const struct kd_kalg_probe *probe,
			 struct kd_files *files, kd_report_fn report,
			 void *arg);

/* Take a reference; returns @c. */
struct kd_config *kd_config_get(struct kd_config *c);

/* Drop a reference; the last one frees everything (keys are wiped). */
void kd_config_put(struct kd_config *c);

/**
 * kd_config_profile() - a profile by name
 * @c: the configuration
 * @name: the requested name; "" (or NULL) means "default"
 *
 * Return: the profile, or NULL when there is none of that name.
 */
const struct kd_profile *kd_config_profile(const struct kd_config *c,
					   const char *name);

/**
 * kd_profile_engine_config() - the engine configuration for one handshake
 * @p: the profile
 * @role: the handshake's role
 * @out: filled from the profile's template, with the peer authentication
 *	the role asks for ("verify" for a client, "client_auth" for a server)
 *
 * The caller adds the server name, ALPN and log callback. @out borrows the
 * profile's credentials and trust store: the configuration holding @p must
 * outlive the session (hold a reference).
 */
void kd_profile_engine_config(const struct kd_profile *p,
			      enum ktlso_role role, struct ktlso_config *out);

/**
 * kd_profile_name_valid() - can @name name a profile?
 * @name: the name
 *
 * Return: true for 1 to KD_PROFILE_NAME_MAX - 1 letters, digits, '-', '_'
 * and '.', as struct ktlso_hs_request allows.
 */
bool kd_profile_name_valid(const char *name);

#endif /* KTLSOD_CONF_H */
