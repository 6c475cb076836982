/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the "ktlso" generic netlink family (libnl-genl-3):
 * READY notifications, HS_ACCEPT and HS_DONE. The message parts (what a
 * reply means, what HS_DONE carries) are pure functions over libnl
 * messages, tested without the kernel; the socket parts are thin.
 *
 *	struct kd_genl g;
 *	struct kd_request req;
 *
 *	kd_genl_open(&g);		(-ENOENT: the module is not loaded)
 *	poll kd_genl_event_fd(&g); if (kd_genl_drain(&g))
 *		while (kd_genl_accept(&g, &req) == 0)
 *			run the handshake on req.fd, then
 *			kd_genl_done(&g, req.fd, &outcome); close(req.fd);
 *
 * HS_ACCEPT and HS_DONE go over one socket (the kernel ties a request to
 * the process that accepted it, and fails those of a socket that closes);
 * the notifications come on another, non-blocking, in the event loop, and
 * the session tickets of the clients ktlsod ran on a third.
 */
#ifndef KTLSOD_GENL_H
#define KTLSOD_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/ktlso.h>

#include "daemon/hs.h"

/* A request HS_ACCEPT handed over. */
struct kd_request {
	int fd;				/* installed in this process; -1 none */
	enum ktlso_role role;		/* the engine's value */
	uint32_t timeout_ms;		/* time left; 0 when not given */
	char server_name[KTLSO_HS_NAME_MAX];
	char profile[KTLSO_HS_PROFILE_MAX];
	uint8_t alpn[KTLSO_HS_ALPN_MAX];
	size_t alpn_len;
	char peer[64];			/* "192.0.2.1:443", "[2001:db8::1]:443" */
	struct kd_requester who;	/* who asked; .known false if not said */
};

/**
 * kd_request_parse() - read an HS_ACCEPT reply
 * @nlh: the reply message
 * @req: filled; @req->fd is set (else -1) even when the rest is bad, so
 *	that the caller can fail the request and close it
 *
 * Return: 0, or -EINVAL for a reply without SOCKFD or ROLE, an unknown
 * role, a string that does not fit, or an oversized ALPN list.
 */
int kd_request_parse(struct nlmsghdr *nlh, struct kd_request *req);

/**
 * kd_request_discard() - drop an HS_ACCEPT reply nobody waits for
 * @nlh: a reply to an earlier request (its sequence number is not the
 *	one awaited)
 *
 * The kernel installed the reply's descriptor in this process when it
 * sent it: close it, so that no late reply leaks one.
 *
 * Return: the descriptor closed, or -1 when the reply names none.
 */
int kd_request_discard(struct nlmsghdr *nlh);

/**
 * kd_done_attrs() - the attributes of HS_DONE
 * @msg: a message with its genl header
 * @fd: the request's descriptor
 * @o: the outcome; a success adds VERSION, CIPHER, and ALPN (the agreed
 *	protocol, a string), PEER_IDENTITY and PEER_CERT when not empty,
 *	and with @tickets TICKET_SESSION when not 0 and RESUMED when set
 * @tickets: the module has the group "tickets" and these attributes (an
 *	older one refuses an HS_DONE that has them)
 *
 * Return: 0 or -EMSGSIZE (@msg needs kd_done_size() bytes).
 */
int kd_done_attrs(struct nl_msg *msg, int fd, const struct kd_outcome *o,
		  bool tickets);

/* A message of the group "tickets" (<linux/ktlso.h>). */
struct kd_tickets_msg {
	bool end;			/* TICKETS_END: no more will come */
	uint64_t id;			/* the connection's ticket id */
	const uint8_t *msgs;		/* TICKETS: whole NewSessionTickets, */
	size_t len;			/* pointing into the message */
};

/**
 * kd_tickets_msg_parse() - read a message of the group "tickets"
 * @nlh: the message
 * @m: filled in
 *
 * Return: 0, or -EINVAL for another command, a message without its id,
 * or TICKETS without tickets.
 */
int kd_tickets_msg_parse(struct nlmsghdr *nlh, struct kd_tickets_msg *m);

/**
 * kd_done_size() - how large a message kd_done_attrs() needs
 * @o: the outcome
 *
 * Return: bytes for the message, headers included.
 */
size_t kd_done_size(const struct kd_outcome *o);

/**
 * kd_peer_format() - a socket address for logs
 * @addr: struct sockaddr_in or sockaddr_in6 (KTLSO_A_PEER_ADDR)
 * @len: its length
 * @out: "192.0.2.1:443", "[2001:db8::1]:443", or "?"
 * @cap: size of @out
 */
void kd_peer_format(const void *addr, size_t len, char *out, size_t cap);

struct kd_genl {
	struct nl_sock *cmd;		/* HS_ACCEPT, HS_DONE */
	struct nl_sock *mc;		/* READY notifications */
	struct nl_sock *tk;		/* the group "tickets"; NULL: not
					 * listening */
	int family;
	int tickets_grp;		/* its id; negative: a module without
					 * it (nor TICKET_SESSION, RESUMED) */
};

/* Return: 0, -ENOENT when the family is not registered, or -errno. */
int kd_genl_open(struct kd_genl *g);
void kd_genl_close(struct kd_genl *g);

/* The descriptor to watch for notifications. */
int kd_genl_event_fd(const struct kd_genl *g);

/*
 * Read every pending notification. Return: true when a request may be
 * pending (a READY came, or notifications were lost to an overrun).
 */
bool kd_genl_drain(struct kd_genl *g);

/* Return: 0, -ENOENT when no request is pending, or -errno. */
int kd_genl_accept(struct kd_genl *g, struct kd_request *req);

/* Return: 0, or the kernel's -errno (-ENOENT: the request is gone). */
int kd_genl_done(struct kd_genl *g, int fd, const struct kd_outcome *o);

/**
 * kd_genl_tickets_listen() - join the group "tickets", on a socket of its own
 * @g: the sockets
 *
 * Return: 0; -EOPNOTSUPP when the module has no such group; -errno.
 */
int kd_genl_tickets_listen(struct kd_genl *g);

/* The descriptor to watch for tickets; -1 when not listening. */
int kd_genl_tickets_fd(const struct kd_genl *g);

/**
 * kd_genl_tickets_read() - read pending messages of "tickets"
 * @g: the sockets
 * @max: at most this many, so that the main loop goes on to its other
 *	work meanwhile (the descriptor stays readable)
 * @fn: called with each message that parses (a malformed one is logged)
 * @arg: for @fn
 *
 * Return: the times messages were lost to a full receive buffer.
 */
unsigned int kd_genl_tickets_read(struct kd_genl *g, unsigned int max,
				  void (*fn)(void *arg,
					     const struct kd_tickets_msg *m),
				  void *arg);

#endif /* KTLSOD_GENL_H */
