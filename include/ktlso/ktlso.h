/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * libktlso: the application side of ktlso.
 *
 * ktlso runs the TLS record layer in the kernel and the handshake in a
 * daemon (ktlsod).  An application connects or accepts a TCP socket as
 * usual, asks for the handshake on it, and then uses plain read, write,
 * sendfile and splice: the kernel seals and opens the records.
 *
 *	struct ktlso_params p = {
 *		.role = KTLSO_CLIENT,
 *		.server_name = "example.com",
 *		.alpn = (const char *const[]){ "h2", "http/1.1", NULL },
 *	};
 *	int err = ktlso_handshake(fd, &p);
 *	if (err)
 *		fprintf(stderr, "TLS: %s\n", ktlso_strerror(err));
 *
 * Every function that can fail returns 0 (or a length) on success and a
 * negative errno on failure; none sets errno.  The library keeps no state
 * of its own: every function is thread-safe, and a socket can be handed
 * between threads freely.
 *
 * Applications that run their own handshake install the keys with
 * ktlso_set_keys() (and, for TLS 1.3 key updates, the traffic secrets
 * with ktlso_set_traffic_secret()) and never talk to the daemon.
 *
 * This header needs only the C library: it does not include the kernel's
 * <linux/ktlso.h> or <linux/tls.h>.
 */
#ifndef KTLSO_KTLSO_H
#define KTLSO_KTLSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility: these are its interface. */
#if defined(__GNUC__)
#define KTLSO_API __attribute__((visibility("default")))
#else
#define KTLSO_API
#endif

/* The SOL_TLS header every struct tls12_crypto_info_* starts with. */
struct tls_crypto_info;

/* Who speaks first: the client sends the ClientHello. */
enum ktlso_role {
	KTLSO_CLIENT = 1,
	KTLSO_SERVER = 2,
};

/* Where a socket's handshake stands (the kernel's enum ktlso_hs_state). */
enum ktlso_state {
	KTLSO_STATE_NONE = 0,		/* no handshake was requested */
	KTLSO_STATE_PENDING = 1,	/* queued, no daemon took it yet */
	KTLSO_STATE_RUNNING = 2,	/* the daemon runs it */
	KTLSO_STATE_DONE = 3,		/* keys installed, records flow */
	KTLSO_STATE_FAILED = 4,		/* see struct ktlso_info.error */
};

/* TLS alert levels for ktlso_send_alert(). */
#define KTLSO_LEVEL_WARNING	1
#define KTLSO_LEVEL_FATAL	2

/* Limits of the request, as the kernel enforces them. */
#define KTLSO_SERVER_NAME_MAX	255	/* bytes, without the NUL */
#define KTLSO_PROFILE_MAX	63	/* bytes, without the NUL */
#define KTLSO_ALPN_WIRE_MAX	256	/* the encoded ALPN list */
#define KTLSO_TIMEOUT_MAX_MS	300000

/**
 * struct ktlso_params - what to ask the handshake daemon for
 * @role: KTLSO_CLIENT or KTLSO_SERVER
 * @timeout_ms: for the whole handshake, from the request on; 0 takes the
 *	module's default (30 s unless its administrator changed it); at most
 *	KTLSO_TIMEOUT_MAX_MS.  The kernel enforces it and resets the
 *	connection when it passes.
 * @server_name: client only: the name to send (SNI) and to verify the
 *	server's certificate against; NULL or "" for none.  Printable ASCII
 *	without spaces, at most KTLSO_SERVER_NAME_MAX bytes.  A server must
 *	leave it NULL.
 * @profile: the daemon profile to use (certificates, trust anchors,
 *	versions, suites); NULL or "" for "default".  Letters, digits, '-',
 *	'_' and '.', at most KTLSO_PROFILE_MAX bytes.
 * @alpn: NULL, or a NULL-terminated array of protocol names to offer
 *	(client) or accept (server), most preferred first; see
 *	ktlso_alpn_encode() for the rules.
 * @flags: must be 0 (reserved for later versions).
 *
 * Zero-initialize it and set what you need: every zero field has the
 * meaning of "default" or "none".
 */
struct ktlso_params {
	enum ktlso_role role;
	unsigned int timeout_ms;
	const char *server_name;
	const char *profile;
	const char *const *alpn;
	unsigned int flags;
};

/* The sizes of struct ktlso_info's strings, their NUL included. */
#define KTLSO_INFO_ALPN_LEN	256
#define KTLSO_INFO_PEER_LEN	256
#define KTLSO_INFO_ULP_LEN	16

/**
 * struct ktlso_info - what ktlso_get_info() reports about a socket
 * @state: enum ktlso_state; KTLSO_STATE_NONE also when ktlso is not
 *	attached or the keys were installed with ktlso_set_keys()
 * @error: with KTLSO_STATE_FAILED, the handshake's positive errno
 *	(ktlso_strerror() names it); else 0
 * @version: the TLS version on the wire (0x0303 for TLS 1.2, 0x0304 for
 *	TLS 1.3), 0 while unknown
 * @cipher: the kernel's TLS_CIPHER_* number, 0 while unknown
 * @version_name: "TLS 1.2", "TLS 1.3", "" while unknown; never NULL
 * @cipher_name: "AES-128-GCM", "CHACHA20-POLY1305", ..., "" while
 *	unknown; never NULL
 * @tx_keys: transmit keys are installed: what the socket writes is sealed
 * @rx_keys: receive keys are installed: what it reads was opened
 * @alpn: the application protocol agreed on, "" for none
 * @peer: the peer's verified identity (its certificate's subject), ""
 *	when the peer was not authenticated; ktlso_get_peer() gives the
 *	certificate, its names and its fingerprint
 * @ulp: the upper layer protocol attached to the TCP socket ("ktlso",
 *	"tls"), "" for none
 * @resumed: the daemon resumed an earlier session with this server (no
 *	certificate was exchanged: @peer is the one the first handshake
 *	verified).  Added after KTLSO_1.3, in what was the struct's tail
 *	padding: its size and layout are unchanged
 */
struct ktlso_info {
	enum ktlso_state state;
	int error;
	uint16_t version;
	uint16_t cipher;
	const char *version_name;
	const char *cipher_name;
	bool tx_keys;
	bool rx_keys;
	char alpn[KTLSO_INFO_ALPN_LEN];
	char peer[KTLSO_INFO_PEER_LEN];
	char ulp[KTLSO_INFO_ULP_LEN];
	bool resumed;
};

/**
 * ktlso_attach_ulp() - attach ktlso to a connected TCP socket
 * @fd: the socket
 *
 * Data passes through unchanged until a handshake or ktlso_set_keys()
 * installs keys.  Attaching twice is not an error.  The ktlso functions
 * below call this themselves.
 *
 * Return: 0; -ENOENT when the kernel has no ktlso (the module is not
 * loaded and cannot be); -EEXIST when another ULP (in-tree "tls", say) is
 * attached; -ENOTCONN for a socket that is not connected; -EOPNOTSUPP or
 * -ENOPROTOOPT for a socket that is not TCP; another -errno.
 */
KTLSO_API int ktlso_attach_ulp(int fd);

/**
 * ktlso_handshake() - run the TLS handshake on a socket and wait for it
 * @fd: a connected TCP socket, with no keys and no earlier request
 * @p: the request
 *
 * Attaches ktlso if needed, hands the socket to the handshake daemon and
 * blocks until the handshake ends, however the socket's O_NONBLOCK is set.
 *
 * Signals: a signal handler that runs while it waits makes it return
 * -EINTR (whatever SA_RESTART says, like poll() and connect()); the
 * handshake goes on in the daemon.  Call ktlso_handshake_wait() to wait
 * again; calling ktlso_handshake() again fails with -EALREADY.
 *
 * On failure close the socket: it cannot carry plaintext any more.
 *
 * Return: 0 once the keys are installed; -EINVAL for bad @p (nothing was
 * done then); the errors of ktlso_attach_ulp() and of
 * ktlso_handshake_start(); the handshake's error as
 * ktlso_handshake_poll() returns it; -EINTR.
 */
KTLSO_API int ktlso_handshake(int fd, const struct ktlso_params *p);

/**
 * ktlso_handshake_start() - request the handshake and return at once
 * @fd: a connected TCP socket, with no keys and no earlier request
 * @p: the request
 *
 * For event loops that drive many handshakes: poll @fd for POLLIN or
 * POLLOUT (the kernel reports nothing until the handshake ends) and call
 * ktlso_handshake_poll() when it fires.  Until then the socket's reads and
 * writes block, or fail with -EAGAIN on a non-blocking socket.
 *
 * Return: 0 when the request is queued; -EINVAL for bad @p; the errors of
 * ktlso_attach_ulp(); -ESRCH (no daemon runs), -EBUSY (too many pending
 * handshakes), -EALREADY (the socket had a request already), -EISCONN
 * (keys are installed already), -ENOTCONN, or another -errno of the
 * kernel's.
 */
KTLSO_API int ktlso_handshake_start(int fd, const struct ktlso_params *p);

/**
 * ktlso_params_check() - would the kernel take this request?
 * @p: the request
 *
 * Checks @p as ktlso_handshake_start() does, without a socket: for
 * programs that take the parameters from their configuration and want to
 * refuse bad ones at start-up.
 *
 * Return: 0, or -EINVAL.
 */
KTLSO_API int ktlso_params_check(const struct ktlso_params *p);

/**
 * ktlso_handshake_poll() - where does the handshake on @fd stand?
 * @fd: a socket given to ktlso_handshake_start()
 *
 * Never blocks.
 *
 * Return: 0 when it is done; -EINPROGRESS while it runs; its error once it
 * failed: -ETIMEDOUT (it ran out of time), -EACCES (the peer failed
 * verification), -EPERM (the daemon's access list does not let this user
 * use the profile in this role), -ECONNREFUSED (the peer sent a fatal
 * alert), -EPROTO (the peer broke the protocol), -ECONNABORTED (the daemon
 * gave up or went away), or another errno the daemon reported; -EINVAL
 * when no handshake was requested on @fd; -ENOPROTOOPT (or -EOPNOTSUPP)
 * when ktlso is not attached.
 */
KTLSO_API int ktlso_handshake_poll(int fd);

/**
 * ktlso_handshake_wait() - wait for a started handshake to end
 * @fd: a socket given to ktlso_handshake_start()
 * @timeout_ms: how long to wait at most; negative (-1) for as long as it
 *	takes (the kernel's timeout ends every handshake); 0 to look once
 *
 * Return: what ktlso_handshake_poll() returns at the end, -EINPROGRESS
 * if @timeout_ms passed first, -EINTR if a signal handler ran, or another
 * -errno of poll().
 */
KTLSO_API int ktlso_handshake_wait(int fd, int timeout_ms);

/**
 * ktlso_get_info() - the TLS state of a socket
 * @fd: a TCP socket, ktlso attached or not
 * @out: filled in completely
 *
 * Works for sockets whose handshake the daemon ran, for those keyed with
 * ktlso_set_keys(), and for in-tree kTLS sockets too (@ulp says "tls").
 * The keys themselves are never reported.
 *
 * Return: 0; -EBADF, -ENOTSOCK, or another -errno of getsockopt() for a
 * descriptor that is not a TCP socket.
 */
KTLSO_API int ktlso_get_info(int fd, struct ktlso_info *out);

/* The largest peer certificate the kernel keeps (DER bytes). */
#define KTLSO_PEER_CERT_MAX		16384
/* A SHA-256 fingerprint: bytes, and as text with its NUL. */
#define KTLSO_PEER_SHA256_LEN		32
#define KTLSO_PEER_SHA256_TEXT_LEN	96

/**
 * struct ktlso_peer - the peer's verified certificate, for authorisation
 * @der: the leaf certificate's DER encoding, as the daemon verified it
 * @der_len: its length, 1 to KTLSO_PEER_CERT_MAX
 * @sha256: the SHA-256 of @der: the certificate's fingerprint
 * @sha256_text: the same as "AB:CD:...:EF", as
 *	"openssl x509 -noout -fingerprint -sha256" prints it after the "="
 * @subject: the subject on one line, RFC 2253 style
 *	("CN=client.example,O=Example"), as struct ktlso_info.peer has it;
 *	"" for an empty subject
 * @dns: the dNSName subjectAltNames as they are in the certificate
 *	(wildcards included), in its order, NULL-terminated
 * @n_dns: entries in @dns
 * @ip: the iPAddress subjectAltNames as text ("192.0.2.1",
 *	"2001:db8::1"), NULL-terminated
 * @n_ip: entries in @ip
 *
 * A dNSName with a NUL byte inside is left out, and so is an iPAddress
 * that is neither 4 nor 16 bytes long.  Other names (e-mail, URI, ...)
 * are not decoded: @der has them.  Everything belongs to the struct and
 * goes with ktlso_peer_free().
 */
struct ktlso_peer {
	const uint8_t *der;
	size_t der_len;
	uint8_t sha256[KTLSO_PEER_SHA256_LEN];
	char sha256_text[KTLSO_PEER_SHA256_TEXT_LEN];
	const char *subject;
	const char *const *dns;
	size_t n_dns;
	const char *const *ip;
	size_t n_ip;
};

/**
 * ktlso_get_peer() - the certificate the peer authenticated with
 * @fd: a socket whose handshake the daemon ran
 * @out: set to a new struct ktlso_peer (free it with ktlso_peer_free()),
 *	or to NULL on failure
 *
 * Only a peer whose certificate chain the daemon verified has one: the
 * server for a client that verifies (the default), the client for a
 * server whose profile asks for client certificates and got one.
 *
 * Return: 0; -ENODATA when there is none to report: the peer was not
 * authenticated, or the daemon or the kernel module predates this call,
 * or ktlso is not attached to @fd; -ENOTCONN while the handshake is not
 * done (none requested, under way, or failed); -EBADMSG when the
 * certificate does not decode; -ENOMEM; another -errno of getsockopt().
 */
KTLSO_API int ktlso_get_peer(int fd, struct ktlso_peer **out);

/**
 * ktlso_peer_parse() - decode a DER certificate as ktlso_get_peer() does
 * @der: the certificate (copied)
 * @len: its length, 1 to KTLSO_PEER_CERT_MAX
 * @out: set to a new struct ktlso_peer, or to NULL on failure
 *
 * For applications that keep certificates to compare with what
 * ktlso_get_peer() reports (a pinned fingerprint, say).
 *
 * Return: 0; -EINVAL for a @len out of range; -EBADMSG when @der is not
 * one whole DER certificate; -ENOMEM.
 */
KTLSO_API int ktlso_peer_parse(const void *der, size_t len,
			       struct ktlso_peer **out);

/**
 * ktlso_peer_free() - free what ktlso_get_peer() or ktlso_peer_parse() made
 * @peer: the struct, or NULL
 */
KTLSO_API void ktlso_peer_free(struct ktlso_peer *peer);

/**
 * ktlso_set_keys() - install keys from the application's own handshake
 * @fd: a connected TCP socket
 * @tx: the transmit keys, a struct tls12_crypto_info_* of <linux/tls.h>
 *	(with the sequence number of the next record to send); NULL to
 *	leave transmit alone
 * @tx_len: sizeof that struct
 * @rx: the receive keys, likewise; NULL to leave receive alone
 * @rx_len: sizeof that struct
 *
 * Attaches ktlso if needed, then installs @tx (SOL_TLS TLS_TX) and @rx
 * (TLS_RX), in that order.  The arguments are checked first: a version
 * other than TLS 1.2 or 1.3, an unknown cipher, a length that is not the
 * cipher's struct size, a cipher the version does not have, or two
 * directions with different versions or ciphers make it fail with -EINVAL
 * before anything is done.  The library does not copy or keep the keys;
 * wiping @tx and @rx afterwards is the caller's job.
 *
 * Return: 0; -EINVAL for bad arguments (both NULL included); the errors of
 * ktlso_attach_ulp(); -EBUSY when that direction's keys are already set;
 * another -errno of setsockopt().  When TLS_RX fails after TLS_TX
 * succeeded the transmit keys stay installed: close the socket.
 */
KTLSO_API int ktlso_set_keys(int fd, const struct tls_crypto_info *tx,
			     size_t tx_len, const struct tls_crypto_info *rx,
			     size_t rx_len);

/* The largest struct tls12_crypto_info_* of the TLS 1.3 suites. */
#define KTLSO_CRYPTO_INFO_MAX	56

/**
 * ktlso_tls13_crypto_info() - one direction's keys from a TLS 1.3 secret
 * @suite: the negotiated cipher suite (RFC 8446 B.4): 0x1301
 *	TLS_AES_128_GCM_SHA256, 0x1302 TLS_AES_256_GCM_SHA384, 0x1303
 *	TLS_CHACHA20_POLY1305_SHA256 or 0x1304 TLS_AES_128_CCM_SHA256
 * @secret: that direction's application traffic secret (RFC 8446 7.1:
 *	the client's for what the client sends, the server's for what the
 *	server sends), as a TLS library's key log names it:
 *	CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0
 * @len: its length, the suite's hash's: 32, or 48 for 0x1302
 * @seq: the sequence number of the next record under that secret: 0 when
 *	no record was sent under it yet
 * @out: receives the struct tls12_crypto_info_* of <linux/tls.h>, for
 *	ktlso_set_keys() or setsockopt(SOL_TLS, TLS_TX or TLS_RX)
 * @cap: bytes at @out; KTLSO_CRYPTO_INFO_MAX is always enough
 *
 * For applications that run the handshake with their own TLS library and
 * hand the record layer to ktlso (or to in-tree kTLS): derives the write
 * key and IV (RFC 8446 7.3) with libcrypto.  @out holds key material:
 * wipe it once installed; the library wipes its own copies.
 *
 * Return: the struct's length (the size to install); -EINVAL for a suite
 * that is not one of the above, a @len that is not its hash's, or a NULL
 * pointer; -ENOBUFS when @cap is too small (nothing written); -EIO when
 * libcrypto fails.
 */
KTLSO_API int ktlso_tls13_crypto_info(uint16_t suite, const void *secret,
				      size_t len, uint64_t seq, void *out,
				      size_t cap);

/**
 * ktlso_crypto_info_size() - the size of a version's and cipher's keys
 * @version: 0x0303 (TLS 1.2) or 0x0304 (TLS 1.3)
 * @cipher: a TLS_CIPHER_* number of <linux/tls.h>
 *
 * Return: the size of the matching struct tls12_crypto_info_*, or -EINVAL
 * when the kernel's record layer has no such version and cipher.
 */
KTLSO_API int ktlso_crypto_info_size(uint16_t version, uint16_t cipher);

/*
 * TLS 1.3 key updates (RFC 8446 4.6.3) run by the kernel.  After a
 * handshake the daemon ran, the kernel has both traffic secrets already:
 * it takes the peer's KeyUpdates, answers update_requested, and updates
 * its own transmit key before the AEAD's limit, all without the
 * application; ktlso_key_update() asks for an update now.  An application
 * that runs its own handshake hands the secrets over with
 * ktlso_set_traffic_secret() after ktlso_set_keys().
 *
 * The numbers and the struct below are those of ktlso's uAPI header,
 * <linux/ktlso.h> (installed beside this one): KTLSO_HASH_SHA256 (1),
 * KTLSO_HASH_SHA384 (2), KTLSO_HASH_SM3 (3), and struct ktlso_key_state.
 */
struct ktlso_key_state;

/**
 * ktlso_set_traffic_secret() - let the kernel update a direction's keys
 * @fd: a socket with that direction's TLS 1.3 keys, installed with
 *	ktlso_set_keys()
 * @dir: TLS_TX (1) or TLS_RX (2) of <linux/tls.h>
 * @hash: the cipher suite's hash: KTLSO_HASH_SHA256 for
 *	TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256 and
 *	TLS_AES_128_CCM_SHA256, KTLSO_HASH_SHA384 for TLS_AES_256_GCM_SHA384,
 *	KTLSO_HASH_SM3 for the SM4 suites
 * @secret: that direction's current application traffic secret (the
 *	client's or the server's application_traffic_secret_N, RFC 8446
 *	7.1), from which the installed key and IV were derived
 * @len: its length, the hash's: 32 (SHA-256, SM3) or 48 (SHA-384)
 *
 * From then on the kernel runs that direction's key schedule: receive, it
 * consumes the peer's KeyUpdates (an application never reads them) and
 * answers update_requested; transmit, it updates the key before the
 * AEAD's limit and when ktlso_key_update() asks.  Install the transmit
 * secret first: the kernel refuses the receive secret until it can answer
 * a peer's request.  The arguments are checked first (a @dir, @hash or
 * @len that is not one of the above, or a NULL @secret: -EINVAL before
 * the socket is touched).  The library copies the secret into the
 * kernel's struct and wipes that copy; wiping @secret is the caller's job.
 * The kernel never gives a secret back.
 *
 * Return: 0; -EINVAL for bad arguments, or from the kernel: no TLS 1.3
 * keys in that direction, the receive secret before the transmit one, a
 * hash other than the suite's, or a secret that does not derive the
 * installed key and IV; -EBUSY when that direction has a secret already;
 * -ENOENT when the kernel lacks the hash's HMAC; -ENOPROTOOPT (or
 * -EOPNOTSUPP) when ktlso is not attached or the module predates key
 * updates; another -errno of setsockopt().
 */
KTLSO_API int ktlso_set_traffic_secret(int fd, int dir, unsigned int hash,
				       const void *secret, size_t len);

/**
 * ktlso_key_update() - send a TLS 1.3 KeyUpdate now
 * @fd: a socket whose transmit secret the kernel has (a handshake the
 *	daemon ran, or ktlso_set_traffic_secret())
 * @request_peer: ask the peer to update its keys too (update_requested)
 *
 * As OpenSSL's SSL_key_update(): the kernel sends a KeyUpdate and seals
 * every later record under the next key; with @request_peer the peer
 * answers with a KeyUpdate of its own, which the kernel takes.  It never
 * blocks: the message goes out at once, or before the next record when a
 * record is still open (MSG_MORE) or waiting for room in TCP.
 *
 * Return: 0; -EINVAL when the kernel has no transmit secret (TLS 1.2, or
 * keys from ktlso_set_keys() alone); -EKEYEXPIRED when the transmit key
 * cannot be updated any more (2^48 - 1 updates); -ENOPROTOOPT (or
 * -EOPNOTSUPP) when ktlso is not attached or the module predates key
 * updates; the error that ended sending (-EPIPE, ...); another -errno
 * of setsockopt().
 */
KTLSO_API int ktlso_key_update(int fd, bool request_peer);

/**
 * ktlso_get_key_state() - how often the keys changed, and who changes them
 * @fd: a socket with ktlso attached
 * @st: filled in completely (zeroed on failure); see struct
 *	ktlso_key_state in <linux/ktlso.h>: the transmit and receive key
 *	generations (0 for the keys first installed), whether the kernel
 *	runs each direction's updates, the records sealed under the current
 *	transmit key and how many it may seal
 *
 * Return: 0; -EINVAL for a NULL @st; -ENOPROTOOPT (or -EOPNOTSUPP) when
 * ktlso is not attached or the module predates key updates; -EPROTO when
 * the kernel's struct is not the one this library knows; another -errno
 * of getsockopt().
 */
KTLSO_API int ktlso_get_key_state(int fd, struct ktlso_key_state *st);

/**
 * ktlso_send_alert() - send a TLS alert record through the record layer
 * @fd: a socket with transmit keys
 * @level: KTLSO_LEVEL_WARNING or KTLSO_LEVEL_FATAL
 * @desc: the AlertDescription, 0 to 255 (RFC 8446 section 6)
 *
 * The record is sealed like any other; after a fatal alert close the
 * socket.  SIGPIPE is never raised; a send that a signal interrupts before
 * anything went out is retried.
 *
 * Return: 0; -EINVAL for a bad @level or @desc; -EAGAIN on a full
 * non-blocking socket; another -errno of sendmsg().
 */
KTLSO_API int ktlso_send_alert(int fd, int level, int desc);

/**
 * ktlso_close_notify() - tell the peer that nothing more will be sent
 * @fd: a socket with transmit keys
 *
 * Sends the close_notify alert (warning, 0).  The caller typically then
 * calls shutdown(fd, SHUT_WR) or close(fd).
 *
 * Return: as ktlso_send_alert().
 */
KTLSO_API int ktlso_close_notify(int fd);

/**
 * struct ktlso_alert_msg - the alert that ended ktlso_recv()'s reading
 * @level: KTLSO_LEVEL_WARNING or KTLSO_LEVEL_FATAL as the peer sent it
 *	(TLS 1.3 gives it no meaning); 0 when no alert ended the call
 * @desc: the AlertDescription (RFC 8446 section 6): 0 for close_notify,
 *	40 for handshake_failure, ...; ktlso_alert_name() names it
 */
struct ktlso_alert_msg {
	uint8_t level;
	uint8_t desc;
};

/**
 * ktlso_recv() - read application data, telling a clean end from a cut one
 * @fd: a socket with receive keys (a handshake the daemon ran, or
 *	ktlso_set_keys())
 * @buf: where the data goes
 * @len: its size, at least 1
 * @flags: 0, or any of MSG_DONTWAIT, MSG_PEEK and MSG_WAITALL, as for
 *	recv(2)
 * @alert: NULL, or filled in with the alert when the return value is 0
 *	(close_notify) or -ECONNREFUSED; zeroed otherwise
 *
 * recv(2) for a TLS socket.  A plain read() returns 0 when TCP's stream
 * ends, whether the peer said it was done (close_notify) or the
 * connection was cut, by a failure or by an attacker, after any byte:
 * an application whose protocol does not frame its own end (a response
 * read to the end, a file) cannot tell a whole transfer from a truncated
 * one that way.  This call can: it returns 0 only after the peer's
 * close_notify, and -EPIPE when TCP's stream ends without one.
 *
 * Records that are not application data are the kernel's to hand over
 * and this call's to read (the kernel marks them with a
 * TLS_GET_RECORD_TYPE control message): an alert other than
 * close_notify ends the reading with -ECONNREFUSED, except user_canceled,
 * which a close_notify follows, and, in TLS 1.2, a warning (RFC 8446 6,
 * RFC 5246 7.2), which are skipped; handshake messages that reach the
 * application (session tickets, which the kernel drops itself only for a
 * client whose handshake the daemon ran; a TLS 1.2 HelloRequest) are
 * skipped.  To keep tickets or answer KeyUpdates yourself, read with
 * recvmsg(2).
 *
 * With MSG_PEEK, data and close_notify stay for the next call; records
 * this call skips are consumed all the same.  On a non-blocking socket
 * (or MSG_DONTWAIT, or SO_RCVTIMEO) -EAGAIN means nothing is there yet,
 * also after a skipped record.  A signal handler that runs while it waits
 * makes it return -EINTR (when SA_RESTART does not restart it), as
 * recv(2).  Once it returned 0 or an error other than -EAGAIN and -EINTR
 * the stream is over: do not read again (the next call would report
 * what follows, such as TCP's end as -EPIPE).  One reader at a time.
 *
 * Return: bytes of application data read (or looked at, with MSG_PEEK);
 * 0 after the peer's close_notify; -EPIPE when the stream ended without
 * close_notify (the data may be incomplete); -ECONNREFUSED when the peer
 * sent an alert that ends the session (@alert says which); -EPROTO for a
 * record that has no place here (a malformed alert, change_cipher_spec,
 * an unknown type) or more than 64 skipped records in a row;
 * -EKEYEXPIRED after a TLS 1.3 KeyUpdate the kernel does not follow (keys
 * from ktlso_set_keys() without ktlso_set_traffic_secret(); install the
 * next receive key, then read on); -EINVAL for a NULL @buf, a @len of 0
 * or other @flags; the errors of recvmsg(2), among them -EAGAIN, -EINTR,
 * -EBADMSG (a record that fails authentication, or a stream cut inside a
 * record) and -ECONNRESET (the peer reset the connection: cut as well).
 */
KTLSO_API ssize_t ktlso_recv(int fd, void *buf, size_t len, int flags,
			     struct ktlso_alert_msg *alert);

/**
 * ktlso_alert_name() - "close_notify", "handshake_failure", ...
 * @desc: an AlertDescription (struct ktlso_alert_msg.desc)
 *
 * Return: the RFC 8446 name, a static string; "unknown" for other values.
 */
KTLSO_API const char *ktlso_alert_name(int desc);

/**
 * ktlso_alpn_encode() - encode a protocol list in ALPN wire format
 * @protos: a NULL-terminated array of names, or NULL for none
 * @out: where to write the list (each name after a length byte)
 * @cap: bytes available at @out
 *
 * A name has 1 to 255 bytes; no name may appear twice.
 *
 * Return: the encoded length (0 for an empty list); -EINVAL for an empty,
 * too long or repeated name; -EMSGSIZE when the list needs more than @cap
 * bytes.
 */
KTLSO_API int ktlso_alpn_encode(const char *const *protos, uint8_t *out,
				size_t cap);

/**
 * ktlso_strerror() - what an error of this library means
 * @err: an error from a ktlso function (negative) or a handshake's errno
 *	(positive, as in struct ktlso_info.error)
 *
 * Return: a static, thread-safe string; errnos with a ktlso meaning get
 * that meaning ("no handshake daemon is running"), others the C library's
 * description.
 */
KTLSO_API const char *ktlso_strerror(int err);

/**
 * ktlso_state_name() - "none", "pending", "running", "done", "failed"
 * @state: enum ktlso_state
 *
 * Return: a static string; "unknown" for other values.
 */
KTLSO_API const char *ktlso_state_name(int state);

/**
 * ktlso_version_name() - "TLS 1.2" or "TLS 1.3"
 * @version: a TLS version number
 *
 * Return: a static string; "" for 0, "unknown" for other values.
 */
KTLSO_API const char *ktlso_version_name(uint16_t version);

/**
 * ktlso_cipher_name() - "AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"...
 * @cipher: a TLS_CIPHER_* number of <linux/tls.h>
 *
 * Return: a static string; "" for 0, "unknown" for other values.
 */
KTLSO_API const char *ktlso_cipher_name(uint16_t cipher);

#ifdef __cplusplus
}
#endif

#endif /* KTLSO_KTLSO_H */
