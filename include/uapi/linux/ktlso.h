/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktlso: kernel TLS record layer with a userspace handshake daemon.
 *
 * The SOL_TLS socket options of ktlso are those of upstream <linux/tls.h>,
 * with the same numbers and structures; this header holds only what is
 * ktlso's own.
 */
#ifndef _UAPI_LINUX_KTLSO_H
#define _UAPI_LINUX_KTLSO_H

#include <linux/types.h>

/*
 * The name to pass to setsockopt(fd, SOL_TCP, TCP_ULP, ...) to attach ktlso
 * to a connected TCP socket.  The module carries the alias "tcp-ulp-ktlso",
 * so the first such call loads it.
 */
#define KTLSO_ULP_NAME		"ktlso"

/*
 * ktlso-only SOL_TLS options are numbered from KTLSO_SOCKOPT_BASE upwards.
 * Upstream numbers its SOL_TLS options densely from 1, so this range cannot
 * meet an upstream option for the foreseeable life of the uAPI.
 */
#define KTLSO_SOCKOPT_BASE	0x4b540000

/*
 * setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(struct
 * ktlso_hs_request)) asks the handshake daemon to run the TLS handshake on a
 * connected socket with ktlso attached and no keys.  It returns at once:
 *
 *	0	the request is queued and announced to the daemon;
 *	ESRCH	no daemon listens (nothing is queued, the socket is as
 *		before); if the last daemon left while the request was
 *		being queued, the request fails with ESRCH instead, and
 *		the socket then behaves as after a failed handshake;
 *	ENOMEM	no memory to queue or announce the request (nothing is
 *		queued; the request may be repeated);
 *	EBUSY	the namespace's bound on pending requests is reached, or
 *		the caller's uid has hs_max_pending_uid requests pending;
 *	EALREADY the socket has had a handshake request already;
 *	EISCONN	keys are installed on the socket already;
 *	EINVAL	a malformed request (see struct ktlso_hs_request).
 *
 * Until the handshake ends the application's send, recv, splice and
 * sendfile block (non-blocking: EAGAIN), and poll reports nothing; at the
 * end poll wakes up.  After success data moves through the record layer;
 * after failure every call returns the handshake's error: ETIMEDOUT (the
 * timeout passed; the kernel enforces it, resetting the connection),
 * EACCES (the peer failed verification), EPERM (the daemon's access list
 * does not let the requester use that profile in that role), ECONNABORTED
 * (the daemon gave up or went away), ECONNREFUSED (the peer sent a fatal
 * alert), EPROTO (the peer broke the protocol), or whatever errno the
 * daemon reported.
 *
 * getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &res, &len) with len exactly
 * sizeof(struct ktlso_hs_result) reads where the handshake stands.
 *
 * Keys the daemon installs are never readable by the application:
 * getsockopt(TLS_TX/TLS_RX) then returns struct tls_crypto_info (version
 * and cipher) only, with the length set to its size.
 */
#define KTLSO_HANDSHAKE		(KTLSO_SOCKOPT_BASE + 1)

/*
 * getsockopt(fd, SOL_TLS, KTLSO_PEER_CERT, buf, &len) reads the peer's
 * certificate as the daemon verified it: the DER encoding of the leaf, at
 * most KTLSO_PEER_CERT_MAX bytes, for the application's authorisation
 * (subject, subjectAltNames, fingerprint).  It exists only after a
 * successful handshake in which the daemon verified the peer's chain and
 * passed the leaf on (KTLSO_A_PEER_CERT), and stays until the socket
 * closes.  There is no setsockopt.
 *
 *	0	 the handshake is done: len is set to the certificate's
 *		 length, which the first len bytes of buf hold; 0 when there
 *		 is none (the peer was not authenticated, or the daemon
 *		 passed no certificate);
 *	ERANGE	 len is shorter than the certificate: len is set to the
 *		 length needed and nothing is copied (as SO_PEERSEC does),
 *		 so a call with len 0 asks for the length;
 *	ENOTCONN no handshake was requested, it is pending or running, or
 *		 it failed;
 *	EINVAL	 len is negative.
 */
#define KTLSO_PEER_CERT		(KTLSO_SOCKOPT_BASE + 2)

/*
 * The largest peer certificate the kernel keeps (KTLSO_A_PEER_CERT,
 * KTLSO_PEER_CERT).  Leaf certificates are about 1 to 2 KiB, and an
 * RSA-8192 key with hundreds of names stays under it; a daemon leaves
 * out, and logs, a leaf that does not fit.
 */
#define KTLSO_PEER_CERT_MAX	16384

/*
 * TLS 1.3 key updates run by the kernel (RFC 8446 4.6.3, 7.2).
 *
 * setsockopt(fd, SOL_TLS, KTLSO_TX_SECRET or KTLSO_RX_SECRET, &s,
 * sizeof(struct ktlso_traffic_secret)) gives the kernel the current
 * application traffic secret of one direction whose TLS 1.3 keys are
 * installed (TLS_TX or TLS_RX), so that the kernel updates that
 * direction's keys itself from then on:
 *
 *  - receive: a KeyUpdate from the peer is consumed in the kernel, never
 *    delivered; the next secret is HKDF-Expand-Label(secret, "traffic
 *    upd", "", Hash.length), key and IV follow from it, the sequence
 *    number starts again at 0.  When the peer asks (update_requested) and
 *    the transmit secret is installed too, the kernel sends a KeyUpdate of
 *    its own before the next record it sends;
 *  - transmit: the kernel sends a KeyUpdate and changes keys before a key
 *    has sealed as many records as its AEAD may (RFC 9846 5.5; the module
 *    parameter tx_key_records lowers the bound, at least 2): a key seals
 *    at most that many records, its own KeyUpdate included; and when the
 *    application asks (KTLSO_KEY_UPDATE).
 *
 * KTLSO_RX_SECRET needs KTLSO_TX_SECRET first (EINVAL otherwise): the
 * kernel must be able to answer a peer's update_requested.  An answer, and
 * a fatal alert, go out at once when no record is open (MSG_MORE) or
 * waiting for room in TCP, otherwise before the next record, or at close.
 *
 * A KeyUpdate that is malformed (a body other than one byte 0 or 1, not
 * the last message of its record, or split over records) ends the
 * connection with a decode_error, illegal_parameter or unexpected_message
 * alert sent to the peer, and reads fail with EBADMSG (EPROTO for an
 * unexpected message).  Other post-handshake messages than KeyUpdate and
 * NewSessionTicket are unexpected_message.  At most KTLSO_MAX_KEY_UPDATES
 * updates per direction.
 *
 * A secret is never readable back, and is wiped when it is replaced and
 * when the socket closes.  The kernel checks that it derives the key and
 * IV installed, so it cannot be installed for another key.  Once a
 * direction has a secret, setting TLS_TX or TLS_RX again on it fails with
 * EBUSY: the kernel owns that key schedule.
 *
 *	0	installed;
 *	EINVAL	bad length, reserved bytes not zero, a hash that is not the
 *		cipher suite's, a secret length that is not the hash's, no
 *		TLS 1.3 keys in that direction, KTLSO_RX_SECRET before
 *		KTLSO_TX_SECRET, or a secret that does not derive the
 *		installed key and IV;
 *	EBUSY	that direction has a secret already;
 *	ENOENT	the kernel lacks the HMAC the hash needs;
 *	ENOMEM.
 *
 * ktlsod installs both secrets after every TLS 1.3 handshake it runs.
 */
#define KTLSO_TX_SECRET		(KTLSO_SOCKOPT_BASE + 3)
#define KTLSO_RX_SECRET		(KTLSO_SOCKOPT_BASE + 4)

enum ktlso_hash {
	KTLSO_HASH_SHA256 = 1,	/* TLS_AES_128_GCM_SHA256, CHACHA20, CCM */
	KTLSO_HASH_SHA384 = 2,	/* TLS_AES_256_GCM_SHA384 */
	KTLSO_HASH_SM3 = 3,	/* TLS_SM4_GCM_SM3, TLS_SM4_CCM_SM3 */
};

#define KTLSO_SECRET_MAX	48	/* SHA-384 */

/**
 * struct ktlso_traffic_secret - a direction's application traffic secret
 * @hash: enum ktlso_hash, the cipher suite's hash
 * @secret_len: bytes of @secret used: the hash's length
 * @reserved: must be zero
 * @secret: the secret
 */
struct ktlso_traffic_secret {
	__u16	hash;
	__u16	secret_len;
	__u32	reserved;
	__u8	secret[KTLSO_SECRET_MAX];
};

/* At most this many key updates per direction and connection. */
#define KTLSO_MAX_KEY_UPDATES	((1ULL << 48) - 1)

/*
 * setsockopt(fd, SOL_TLS, KTLSO_KEY_UPDATE, &request, sizeof(__u32))
 * sends a KeyUpdate now, as OpenSSL's SSL_key_update() does, and changes
 * the transmit key after it: request is KTLSO_KEY_UPDATE_NOT_REQUESTED or
 * KTLSO_KEY_UPDATE_REQUESTED (the peer is asked to update its keys too).
 * The KeyUpdate is sealed at once when no record is open (MSG_MORE) or
 * waiting for room in TCP; otherwise it goes out before the next record is
 * sealed (the open record's bytes then go under the new key).
 *
 *	0	the KeyUpdate is sealed and queued;
 *	EINVAL	bad length or value, or no transmit secret installed;
 *	EKEYEXPIRED the transmit key is at KTLSO_MAX_KEY_UPDATES;
 *	ENOMEM;
 *	or the error that ended sending (EPIPE, EBADMSG, ...).
 */
#define KTLSO_KEY_UPDATE	(KTLSO_SOCKOPT_BASE + 5)
#define KTLSO_KEY_UPDATE_NOT_REQUESTED	0
#define KTLSO_KEY_UPDATE_REQUESTED	1

/*
 * getsockopt(fd, SOL_TLS, KTLSO_KEY_STATE, &st, &len) with len exactly
 * sizeof(struct ktlso_key_state) reads how often each direction's keys
 * changed (a second TLS_TX/TLS_RX, or an update in the kernel) and
 * whether the kernel runs its updates.  sock_diag reports the generations
 * too, as KTLSO_INFO_TX_GEN and KTLSO_INFO_RX_GEN (u64) in the
 * INET_ULP_INFO_TLS nest.
 *
 *	EINVAL	another length.
 */
#define KTLSO_KEY_STATE		(KTLSO_SOCKOPT_BASE + 6)

/**
 * struct ktlso_key_state - where the key schedules stand
 * @tx_gen: transmit key generation: 0 for the keys first installed
 * @rx_gen: receive key generation, likewise
 * @tx_auto: 1 if the kernel updates the transmit key (KTLSO_TX_SECRET)
 * @rx_auto: 1 if the kernel takes the peer's KeyUpdates (KTLSO_RX_SECRET)
 * @rx_pending: 1 while reads fail with EKEYEXPIRED, waiting for TLS_RX
 * @reserved: zero
 * @tx_records: records sealed under the current transmit key
 * @tx_limit: records the current transmit key may seal, its KeyUpdate
 *	included (0: no transmit secret; all ones: no bound but the
 *	sequence number's)
 */
struct ktlso_key_state {
	__u64	tx_gen;
	__u64	rx_gen;
	__u8	tx_auto;
	__u8	rx_auto;
	__u8	rx_pending;
	__u8	reserved[5];
	__u64	tx_records;
	__u64	tx_limit;
};

/*
 * sock_diag attributes of ktlso's own in the INET_ULP_INFO_TLS nest,
 * numbered far above upstream's TLS_INFO_* (which ss ignores).
 */
#define KTLSO_INFO_TX_GEN	0x3000
#define KTLSO_INFO_RX_GEN	0x3001

enum ktlso_hs_role {
	KTLSO_HS_ROLE_CLIENT = 1,
	KTLSO_HS_ROLE_SERVER = 2,
};

#define KTLSO_HS_NAME_MAX	256	/* server name and peer identity */
#define KTLSO_HS_PROFILE_MAX	64
#define KTLSO_HS_ALPN_MAX	256	/* the ALPN list, wire format */
#define KTLSO_HS_TIMEOUT_MAX_MS	300000

/**
 * struct ktlso_hs_request - what the application asks for
 * @role: enum ktlso_hs_role
 * @reserved: must be zero
 * @timeout_ms: from the request to the end of the handshake; 0 takes the
 *	module's default (parameter hs_timeout_ms), at most
 *	KTLSO_HS_TIMEOUT_MAX_MS
 * @alpn_len: bytes used in @alpn
 * @server_name: NUL-terminated; the name a client asks for and verifies
 *	(empty: none); must be empty for a server
 * @profile: NUL-terminated name of the daemon's profile (certificates,
 *	trust, versions); empty means "default".  Letters, digits, '-', '_'
 *	and '.' only
 * @alpn: the protocols to offer (client) or accept (server) in preference
 *	order, as in the ALPN extension: a length byte then the name, for each
 */
struct ktlso_hs_request {
	__u8	role;
	__u8	reserved[3];
	__u32	timeout_ms;
	__u32	alpn_len;
	char	server_name[KTLSO_HS_NAME_MAX];
	char	profile[KTLSO_HS_PROFILE_MAX];
	__u8	alpn[KTLSO_HS_ALPN_MAX];
};

enum ktlso_hs_state {
	KTLSO_HS_NONE = 0,	/* no handshake was requested */
	KTLSO_HS_PENDING,	/* queued, no daemon has taken it yet */
	KTLSO_HS_RUNNING,	/* a daemon runs it */
	KTLSO_HS_DONE,		/* keys installed: the record layer runs */
	KTLSO_HS_FAILED,	/* @error says why */
};

/**
 * struct ktlso_hs_result - where the handshake stands
 * @state: enum ktlso_hs_state
 * @error: with KTLSO_HS_FAILED, a positive errno; else 0
 * @version: TLS_1_2_VERSION or TLS_1_3_VERSION once done
 * @cipher: TLS_CIPHER_* once done
 * @flags: once done, KTLSO_HS_RESUMED when the daemon resumed an earlier
 *	session (no certificate was exchanged; @peer is the identity the
 *	full handshake verified); else zero
 * @alpn: the protocol agreed on, NUL-terminated (empty: none)
 * @peer: the peer's verified identity (certificate subject), empty if the
 *	peer was not authenticated; KTLSO_PEER_CERT reads the certificate
 */
struct ktlso_hs_result {
	__u32	state;
	__u32	error;
	__u16	version;
	__u16	cipher;
	__u32	flags;
	char	alpn[KTLSO_HS_ALPN_MAX];
	char	peer[KTLSO_HS_NAME_MAX];
};

#define KTLSO_HS_RESUMED	0x1	/* struct ktlso_hs_result.flags */

/*
 * The generic netlink family between the kernel and the daemon.
 *
 * A request is announced with KTLSO_CMD_READY on the multicast group
 * KTLSO_GENL_MCGRP_HS.  The daemon answers with KTLSO_CMD_HS_ACCEPT, which
 * takes the oldest pending request of its network namespace, installs the
 * socket in the daemon as a new file descriptor (O_CLOEXEC) and replies
 * with it and the request's parameters; ENOENT when none is pending.  The
 * descriptor exists only once the reply is queued to the daemon: a reply
 * that cannot be delivered (a full receive queue) puts the request back
 * at the head of the queue, and the daemon sees the overrun.  The
 * daemon runs the handshake on that descriptor (plain TCP until it installs
 * keys with SOL_TLS TLS_TX/TLS_RX), then sends KTLSO_CMD_HS_DONE with the
 * same descriptor and the outcome.  A success whose keys are not installed
 * in both directions, with the version and cipher reported, is refused
 * (EINVAL) and fails the handshake (ECONNABORTED).  Only the process that
 * accepted a request may finish it; its socket I/O during the handshake is
 * not blocked.  HS_ACCEPT and HS_DONE need CAP_NET_ADMIN, and so does
 * joining KTLSO_GENL_MCGRP_HS or KTLSO_GENL_MCGRP_TICKETS (in the
 * namespace's user namespace); KTLSO_CMD_STATUS is open to all.  No
 * handler waits for the application's socket lock.  A daemon whose
 * netlink socket closes fails the requests it runs with ECONNABORTED.
 *
 * A TLS 1.3 server sends its NewSessionTickets after the handshake, when
 * the kernel holds the keys.  On a socket the daemon ran as the client they
 * never reach the application, which could not resume a session anyway:
 * the daemon, which can, asks for them by adding KTLSO_A_TICKET_SESSION
 * (a non-zero id of its choosing) to a successful HS_DONE.  Each record of
 * whole NewSessionTickets the application's reads come to is then sent to
 * the group KTLSO_GENL_MCGRP_TICKETS as KTLSO_CMD_TICKETS, with that id
 * and the record's plaintext (KTLSO_A_TICKETS), up to
 * KTLSO_TICKET_RECORDS_MAX records per connection; KTLSO_CMD_TICKETS_END
 * with the id says that no more will come (that many were sent, or the
 * socket closed), so that the daemon can wipe what it kept to turn
 * tickets into resumable sessions.  Tickets nobody takes (no id, no
 * listener, the bound reached, no memory) are dropped and counted
 * (TlsRxTicketsDropped; those sent: TlsRxTicketsForwarded).  An id on
 * a handshake other than a TLS 1.3 client's refuses the HS_DONE whole
 * (EINVAL) and the request runs on as before it; an id of 0 is out of
 * range (ERANGE).  KTLSO_A_RESUMED in
 * HS_DONE says that the session was resumed (struct ktlso_hs_result.flags).
 */
#define KTLSO_GENL_NAME		"ktlso"
#define KTLSO_GENL_VERSION	1
#define KTLSO_GENL_MCGRP_HS	"hs"
#define KTLSO_GENL_MCGRP_TICKETS "tickets"

/* Records of tickets forwarded per connection, at most. */
#define KTLSO_TICKET_RECORDS_MAX 16

enum ktlso_genl_cmd {
	KTLSO_CMD_UNSPEC,
	KTLSO_CMD_READY,	/* kernel -> group: requests are pending */
	KTLSO_CMD_HS_ACCEPT,	/* daemon: take the oldest pending request */
	KTLSO_CMD_HS_DONE,	/* daemon: the handshake's outcome */
	KTLSO_CMD_STATUS,	/* anyone: handshake counters */
	KTLSO_CMD_TICKETS,	/* kernel -> tickets group: a client's tickets */
	KTLSO_CMD_TICKETS_END,	/* kernel -> tickets group: no more will come */
	__KTLSO_CMD_MAX,
};
#define KTLSO_CMD_MAX (__KTLSO_CMD_MAX - 1)

enum ktlso_genl_attr {
	KTLSO_A_UNSPEC,
	KTLSO_A_SOCKFD,		/* u32: the descriptor in the daemon */
	KTLSO_A_ROLE,		/* u8: enum ktlso_hs_role */
	KTLSO_A_TIMEOUT_MS,	/* u32: time left when accepted */
	KTLSO_A_SERVER_NAME,	/* string */
	KTLSO_A_PROFILE,	/* string */
	KTLSO_A_ALPN,		/* HS_ACCEPT: binary, the ALPN list in wire
				 * format; HS_DONE: string, the protocol
				 * agreed on */
	KTLSO_A_PEER_ADDR,	/* binary: struct sockaddr_in or _in6 */
	KTLSO_A_STATUS,		/* u32: 0 for success, else a positive errno
				 * of <asm-generic/errno.h> (at most
				 * EHWPOISON: ERANGE beyond) */
	KTLSO_A_VERSION,	/* u16: TLS_1_2_VERSION, TLS_1_3_VERSION */
	KTLSO_A_CIPHER,		/* u16: TLS_CIPHER_* */
	KTLSO_A_PEER_IDENTITY,	/* string */
	KTLSO_A_PENDING,	/* u32: requests waiting for a daemon */
	KTLSO_A_RUNNING,	/* u32: requests a daemon runs */
	KTLSO_A_MAX_PENDING,	/* u32: the bound on pending requests */
	KTLSO_A_LISTENERS,	/* u8: 1 if a daemon listens to the group */
	KTLSO_A_REQUESTED,	/* u64: requests accepted into the queue */
	KTLSO_A_COMPLETED,	/* u64: handshakes done */
	KTLSO_A_FAILED,		/* u64: handshakes failed (timeouts too) */
	KTLSO_A_TIMED_OUT,	/* u64: handshakes that ran out of time */
	KTLSO_A_REFUSED,	/* u64: requests refused (no daemon, bound,
				 * quota, daemon gone while queueing) */
	/*
	 * HS_ACCEPT: who made the request (the task that called
	 * setsockopt(KTLSO_HANDSHAKE), not whoever opened the socket), as
	 * seen from the daemon: uid and gid (effective) in the daemon's user
	 * namespace (the overflow id, 65534, if unmapped there), the thread
	 * group id in its pid namespace (0 if invisible there), and the
	 * cgroup v2 id (the cgroup directory's inode number; 0 without
	 * cgroup v2).  The request's network namespace is the daemon's.
	 */
	KTLSO_A_REQ_UID,	/* u32 */
	KTLSO_A_REQ_GID,	/* u32 */
	KTLSO_A_REQ_PID,	/* u32 */
	KTLSO_A_REQ_CGROUP,	/* u64 */
	KTLSO_A_REFUSED_QUOTA,	/* STATUS, u64: requests refused because
				 * their uid had hs_max_pending_uid pending */
	/*
	 * HS_DONE, binary: the DER encoding of the peer's leaf certificate,
	 * 1 to KTLSO_PEER_CERT_MAX bytes, sent only for a peer whose chain
	 * the daemon verified; the application reads it with
	 * getsockopt(KTLSO_PEER_CERT).  Ignored with a failure status.  A
	 * longer one fails the policy (ERANGE): the HS_DONE is refused
	 * whole and the request runs on as before it.
	 */
	KTLSO_A_PEER_CERT,
	/*
	 * u64, not 0: HS_DONE: forward the connection's tickets under this
	 * id; TICKETS, TICKETS_END: the connection they are about.
	 */
	KTLSO_A_TICKET_SESSION,
	KTLSO_A_TICKETS,	/* TICKETS, binary: whole NewSessionTicket
				 * messages, one record's plaintext */
	KTLSO_A_RESUMED,	/* HS_DONE, flag: the session was resumed */
	__KTLSO_A_MAX,
};
#define KTLSO_A_MAX (__KTLSO_A_MAX - 1)

#endif /* _UAPI_LINUX_KTLSO_H */
