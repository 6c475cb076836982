/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One handshake on a connected socket: the engine driven without ever
 * blocking, a deadline, and an outcome for HS_DONE. Nothing here knows
 * about netlink: the socket may be the one HS_ACCEPT installed, or one
 * end of a socketpair in a test.
 *
 *	struct kd_hs_params p = { .fd = fd, .role = KTLSO_ROLE_SERVER,
 *				  .profile = "web", .timeout_ms = 10000,
 *				  .install = kd_install_kernel_keys };
 *	struct kd_hs *h;
 *
 *	kd_hs_new(&h, conf, &p, kd_now_ms());
 *	while (kd_hs_step(h) > 0)
 *		wait for h->want (KTLSO_WANT_READ / KTLSO_WANT_WRITE),
 *		or call kd_hs_fail(h, ETIMEDOUT, ...) at h->deadline_ms;
 *	report h->out (status 0: keys installed), close h->fd, kd_hs_free(h);
 *
 * The socket is used with MSG_DONTWAIT and its file flags are left alone:
 * the file may be shared with the application that asked for the
 * handshake, whose own blocking mode must not change.
 */
#ifndef KTLSOD_HS_H
#define KTLSOD_HS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ktlso.h>

#include "daemon/client_cache.h"
#include "daemon/conf.h"
#include "daemon/list.h"
#include "daemon/loop.h"
#include "engine/engine.h"

/* What a finished handshake reports (HS_DONE). */
struct kd_outcome {
	int status;			/* 0, or a positive errno */
	uint16_t version;		/* TLS_1_2_VERSION, TLS_1_3_VERSION */
	uint16_t cipher;		/* TLS_CIPHER_* */
	uint16_t suite;			/* IANA value, for logs */
	char alpn[KTLSO_ALPN_NAME_MAX + 1];	/* "" when none */
	char peer_identity[KTLSO_HS_NAME_MAX];	/* verified peers only */
	/*
	 * The DER of a verified peer's leaf, at most KTLSO_PEER_CERT_MAX
	 * bytes (a longer one is left out, with a warning); NULL otherwise.
	 * The handshake's own copy: freed by kd_hs_free().
	 */
	uint8_t *peer_cert;
	size_t peer_cert_len;
	char reason[256];		/* why it failed; "" on success */
	bool denied;			/* the profile's access list said no */
	bool resumed;			/* an earlier session was resumed */
	/* HS_DONE's KTLSO_A_TICKET_SESSION: the kernel sends the tickets */
	uint64_t ticket_session;
};

/*
 * Install the keys of a completed handshake on @fd. Return 0 or -errno,
 * with *@step set to what failed ("TLS_RX", ...) when the hook can say.
 * @res holds secrets; it is wiped by the caller after the call.
 */
typedef int (*kd_install_fn)(void *arg, int fd,
			     const struct ktlso_session_result *res,
			     const char **step);

/**
 * kd_install_kernel_keys() - hand the keys to the kernel's record layer
 * @arg: unused
 * @fd: the socket, ktlso attached (in-tree kTLS would take TLS 1.2 keys
 *	alone: it has no KTLSO_*_SECRET)
 * @res: the result, with the next sequence numbers
 * @step: set to the option that failed, on failure
 *
 * setsockopt(SOL_TLS) TLS_TX, then TLS_RX; for TLS 1.3 then
 * KTLSO_TX_SECRET and KTLSO_RX_SECRET (in that order, as the kernel
 * wants), so that the kernel runs the key updates of both directions
 * itself. Every one must succeed: a kernel that cannot take the secrets
 * (ENOPROTOOPT from a ktlso.ko without key updates, ENOENT without the
 * hash's HMAC) fails the handshake rather than leave a session that a
 * peer's KeyUpdate would end.
 *
 * Return: 0 or -errno of the failed setsockopt.
 */
int kd_install_kernel_keys(void *arg, int fd,
			   const struct ktlso_session_result *res,
			   const char **step);

struct kd_hs_params {
	int fd;
	enum ktlso_role role;
	const char *profile;		/* NULL or "": "default" */
	const char *server_name;	/* client: asked for and verified */
	const uint8_t *alpn;		/* wire format; empty: the profile's */
	size_t alpn_len;
	uint32_t timeout_ms;		/* 0: the configuration's */
	const char *peer;		/* the peer's address, for logs */
	const struct kd_requester *who;	/* NULL: not known */
	kd_install_fn install;
	void *install_arg;
	/* TLS 1.3 ticket keys for servers (tickets.h); NULL: none */
	struct ktlso_ticket_keys *ticket_keys;
	/*
	 * Clients: the session cache (client_cache.h) a ticket for this
	 * server is taken from and the new ones go to; NULL: none
	 */
	struct kd_client_cache *client_cache;
};

/**
 * struct kd_hs - a handshake in flight
 * @fd: the socket (not owned: closed by the owner after the outcome)
 * @role: client or server
 * @want: KTLSO_WANT_READ or KTLSO_WANT_WRITE while running, 0 once over
 * @deadline_ms: on the kd_now_ms() clock
 * @out: the outcome, once @want is 0
 * @peer: the peer's address, for logs
 * @profile: the profile's name ("default" for an empty request)
 * @who: who asked for it
 * @user: the owner's
 * @resumption: a TLS 1.3 client's, with a session cache, once over: what
 *	turns the tickets the kernel forwards into resumable sessions (the
 *	owner takes it, and wipes it); NULL otherwise
 * @cache_key: where this server's tickets go in the session cache
 *
 * The other fields are private: the engine session and its configuration
 * (a reference on the kd_config it came from), the ticket it offers, and
 * the runner's links.
 */
struct kd_hs {
	int fd;
	enum ktlso_role role;
	int want;
	uint64_t deadline_ms;
	struct kd_outcome out;
	char peer[64];
	char profile[KD_PROFILE_NAME_MAX];
	struct kd_requester who;
	void *user;
	struct ktlso_resumption *resumption;
	struct kd_client_key cache_key;

	struct kd_config *conf;
	struct kd_client_cache *cache;
	struct ktlso_client_ticket *offer;
	struct ktlso_config cfg;
	char server_name[KTLSO_HS_NAME_MAX];
	struct ktlso_session *s;
	int io_errno;
	char last_error[256];
	kd_install_fn install;
	void *install_arg;
	/* kd_runner's */
	struct kd_watch watch;
	struct kd_runner *runner;
	struct kd_list link;
	/* kd_workers' hand-over queues */
	struct kd_hs *qnext;
};

/**
 * kd_hs_new() - set up a handshake
 * @hp: set to the handshake
 * @conf: the configuration (a reference is taken)
 * @p: the request
 * @now_ms: the current kd_now_ms(), for the deadline
 *
 * A request that cannot run (no such profile, a requester the profile's
 * access list does not allow in that role: EPERM and @out.denied, a
 * profile that cannot take the role, a malformed ALPN list, an engine
 * refusal) still yields a handshake, already over: @want 0 and the reason
 * in @out.
 *
 * Return: 0, or -ENOMEM (nothing allocated then).
 */
int kd_hs_new(struct kd_hs **hp, struct kd_config *conf,
	      const struct kd_hs_params *p, uint64_t now_ms);

/**
 * kd_hs_step() - run the handshake as far as the socket allows
 * @h: the handshake
 *
 * On completion the keys are installed (@h->install) and wiped, and the
 * engine session is freed. A client with a session cache has put the
 * TLS 1.2 tickets it got there already, and keeps in @h->resumption what
 * its TLS 1.3 tickets need.
 *
 * Return: @h->want: KTLSO_WANT_READ, KTLSO_WANT_WRITE, or 0 when over.
 */
int kd_hs_step(struct kd_hs *h);

/* End a running handshake with @status (ETIMEDOUT...) and @reason. */
void kd_hs_fail(struct kd_hs *h, int status, const char *reason);

/* Free it (the descriptor is not closed); NULL is a no-op. */
void kd_hs_free(struct kd_hs *h);

/**
 * kd_alpn_from_wire() - an ALPN list in wire format into @cfg
 * @cfg: its alpn and n_alpn are set
 * @wire: length byte, then the name, for each
 * @len: bytes in @wire (0: @cfg is left alone)
 *
 * Return: 0, or -EINVAL for an empty name, a NUL byte in a name, a
 * duplicate, a truncated list or more than KTLSO_CONFIG_MAX_ALPN names.
 */
int kd_alpn_from_wire(struct ktlso_config *cfg, const uint8_t *wire,
		      size_t len);

#endif /* KTLSOD_HS_H */
