/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso: internal declarations shared by the files of ktlso.ko.
 */
#ifndef _KTLSO_H
#define _KTLSO_H

#include <crypto/aead.h>
#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tls.h>

#include <linux/ktlso.h>

#define KTLSO_MAX_PAYLOAD	16384	/* TLSPlaintext.fragment, 2^14 */
#define KTLSO_HDR_LEN		5	/* type, legacy_version, length */
#define KTLSO_TAG_LEN		16	/* every supported AEAD */
#define KTLSO_NONCE_LEN		12	/* every supported AEAD */
#define KTLSO_TLS12_AAD_LEN	13	/* seq_num, type, version, length */
#define KTLSO_TLS13_AAD_LEN	KTLSO_HDR_LEN
#define KTLSO_MAX_EXPLICIT_NONCE 8	/* TLS 1.2 GCM and CCM */
#define KTLSO_CT_HANDSHAKE	22	/* ContentType handshake */
#define KTLSO_CT_APPLICATION_DATA 23	/* ContentType application_data */
#define KTLSO_CT_ALERT		21	/* ContentType alert */
#define KTLSO_HT_HELLO_REQUEST	0	/* HandshakeType hello_request (1.2) */
#define KTLSO_HT_NEW_SESSION_TICKET 4	/* HandshakeType new_session_ticket */
#define KTLSO_HT_KEY_UPDATE	24	/* HandshakeType key_update (1.3) */
#define KTLSO_HS_HDR_LEN	4	/* msg_type, uint24 length */
#define KTLSO_KEY_UPDATE_LEN	(KTLSO_HS_HDR_LEN + 1)
/* Largest record ktlso writes: TLS 1.3 adds the inner content type. */
#define KTLSO_MAX_RECORD	(KTLSO_HDR_LEN + KTLSO_MAX_EXPLICIT_NONCE + \
				 KTLSO_MAX_PAYLOAD + 1 + KTLSO_TAG_LEN)
#define KTLSO_MAX_CRYPTO_INFO	sizeof(struct tls12_crypto_info_aes_gcm_256)
#define KTLSO_AEAD_IV_MAX	16	/* the AEAD's IV: CCM's form is longest */

/**
 * struct ktlso_cipher - what ktlso needs to know about one TLS_CIPHER_* type
 * @type: the TLS_CIPHER_* number
 * @alg: the kernel crypto API AEAD name
 * @info_len: size of its struct tls12_crypto_info_*
 * @key_len: key bytes
 * @salt_len: implicit nonce bytes (crypto_info.salt)
 * @iv_len: crypto_info.iv bytes: the TLS 1.2 explicit nonce for GCM/CCM,
 *	the rest of the static IV otherwise
 * @key_off: offset of the key in the crypto_info struct
 * @salt_off: offset of the salt
 * @iv_off: offset of the iv
 * @rec_seq_off: offset of rec_seq (always 8 bytes)
 * @tls12_explicit: bytes of explicit nonce a TLS 1.2 record carries
 * @ccm: the crypto API wants a CCM-formatted IV (flags byte first)
 * @tls12_only: defined for TLS 1.2 only (ARIA, RFC 6209)
 * @hash: the hash of its TLS 1.3 cipher suites (enum ktlso_hash), 0 for
 *	none
 * @max_records: records one TLS 1.3 key may seal (RFC 9846 5.5); 0 where
 *	the sequence number runs out first
 */
struct ktlso_cipher {
	u16 type;
	const char *alg;
	u16 info_len;
	u8 key_len;
	u8 salt_len;
	u8 iv_len;
	u8 key_off;
	u8 salt_off;
	u8 iv_off;
	u8 rec_seq_off;
	u8 tls12_explicit;
	bool ccm;
	bool tls12_only;
	u8 hash;
	u64 max_records;
};

/**
 * struct ktlso_crypto - the keyed state of one direction
 * @cipher: the cipher in use
 * @version: TLS_1_2_VERSION or TLS_1_3_VERSION
 * @aead: the keyed AEAD transform
 * @req: the one AEAD request, reused for every record
 * @wait: completion for an asynchronous AEAD implementation
 * @sg: AAD and record body for @req
 * @aad: the additional data of the record being processed
 * @iv: salt followed by iv, as installed; on transmit the iv part advances
 *	per record for TLS 1.2 GCM/CCM, whose explicit nonce it is
 * @nonce: the AEAD IV of the record being processed (CCM form: 16 bytes)
 * @rec_seq: the next record's sequence number, big endian
 * @tail: where ktlso_open_sg() decrypts a TLS 1.3 record's last byte
 * @seq_exhausted: the record with sequence number 2^64 - 1 has been done
 * @records: records sealed or opened under this key
 * @info: the crypto_info as installed, for getsockopt()
 */
struct ktlso_crypto {
	const struct ktlso_cipher *cipher;
	u16 version;
	struct crypto_aead *aead;
	struct aead_request *req;
	struct crypto_wait wait;
	struct scatterlist sg[2];
	u8 aad[KTLSO_TLS12_AAD_LEN];
	u8 iv[KTLSO_NONCE_LEN];
	u8 nonce[KTLSO_AEAD_IV_MAX];
	u8 rec_seq[TLS_MAX_REC_SEQ_SIZE];
	u8 tail;
	bool seq_exhausted;
	u64 records;
	u8 info[KTLSO_MAX_CRYPTO_INFO];
};

/**
 * struct ktlso_seal_op - one record's sealing, set up by ktlso_seal_defer()
 *	and run by ktlso_seal_run(), maybe on another CPU
 * @req: its own request, for the AEAD of the key that set it up
 * @wait: completion for an asynchronous AEAD implementation
 * @src: the AEAD input, as for ktlso_seal_sg()
 * @dst: the AEAD output, likewise
 * @aad_len: bytes of additional data
 * @len: bytes to seal: the plaintext and TLS 1.3's content type byte
 * @aad: the additional data
 * @nonce: the AEAD IV, wiped once used
 */
struct ktlso_seal_op {
	struct aead_request *req;
	struct crypto_wait wait;
	struct scatterlist *src;
	struct scatterlist *dst;
	unsigned int aad_len;
	unsigned int len;
	u8 aad[KTLSO_TLS12_AAD_LEN];
	u8 nonce[KTLSO_AEAD_IV_MAX];
};

/**
 * struct ktlso_next_key - a direction's next key, keyed but not in use yet
 * @aead: the keyed AEAD transform
 * @req: its request
 * @info: the crypto_info it was made from
 *
 * Made by ktlso_crypto_prepare() where nothing may fail any more once the
 * switch is decided (a KeyUpdate already sealed or opened), then either
 * switched to (ktlso_crypto_switch()) or discarded; both wipe it.
 */
struct ktlso_next_key {
	struct crypto_aead *aead;
	struct aead_request *req;
	u8 info[KTLSO_MAX_CRYPTO_INFO];
};

/**
 * struct ktlso_secret - a direction's TLS 1.3 traffic secret (keyupdate.c)
 * @hmac: the HKDF's HMAC, keyed anew for every derivation
 * @len: the hash's length, and so the secret's
 * @secret: the current application traffic secret
 * @next: the next one while a key update is being made
 */
struct ktlso_secret {
	struct crypto_shash *hmac;
	u8 len;
	u8 secret[KTLSO_SECRET_MAX];
	u8 next[KTLSO_SECRET_MAX];
};

/* Plaintext pieces of one open record: spliced pages and copied runs. */
#define KTLSO_TX_PIECES		16
/*
 * Page-frag pieces of one sealed record: the first piece has at least the
 * 32 bytes sk_page_frag_refill() promises, every later one a whole page
 * (or the rest of the record), so a record of KTLSO_MAX_RECORD bytes takes
 * at most 1 + DIV_ROUND_UP(KTLSO_MAX_RECORD, PAGE_SIZE) of them.
 */
#define KTLSO_TX_OUT		8
/* Most records one socket has away on other CPUs (tx_parallel.c). */
#define KTLSO_TX_FLIGHTS	4
/* Pieces of the sealed records waiting to go: the ring's and one more. */
#define KTLSO_TX_OUT_MAX	((1 + KTLSO_TX_FLIGHTS) * KTLSO_TX_OUT)

/**
 * struct ktlso_tx_piece - a run of the open record's plaintext
 * @page: a page ktlso holds; NULL for bytes copied into ktlso_tx.plain,
 *	where they lie at their offset in the record
 * @off: where the run starts in @page
 * @len: its length
 * @user: @page is the sender's own memory, pinned only while the call that
 *	seals the record runs; otherwise a spliced page, referenced
 */
struct ktlso_tx_piece {
	struct page *page;
	unsigned int off;
	unsigned int len;
	bool user;
};

/**
 * struct ktlso_tx_flight - a full record in the ring of records sealed out
 *	of order: handed to another CPU, or sealed by the sender while
 *	records before it are still away
 * @work: seals it on the CPU it was queued on (tx_parallel.c)
 * @state: who seals it: the worker, or the sender
 * @done: completed by the worker once it sealed the record
 * @err: the sealing's outcome
 * @op: the sealing, set up with the record's sequence number
 * @in: the record's plaintext while away: spliced pages, each referenced
 * @nr_in: entries used in @in
 * @inner_type: TLS 1.3's content type byte, the AEAD's last input byte
 * @len: the record's bytes on the wire
 * @nr_out: its pieces in ktlso_tx.out
 * @sg_in: AEAD source: additional data, @in, @inner_type
 * @sg_out: AEAD destination: additional data, the record's pieces of
 *	ktlso_tx.out past its header
 *
 * Owned by the socket's transmit state; only the sender puts it in the
 * ring and takes it out, under the socket lock.
 */
struct ktlso_tx_flight {
	struct work_struct work;
	atomic_t state;
	struct completion done;
	int err;
	struct ktlso_seal_op op;
	struct ktlso_tx_piece in[KTLSO_TX_PIECES];
	unsigned int nr_in;
	u8 inner_type;
	size_t len;
	unsigned int nr_out;
	struct scatterlist sg_in[1 + KTLSO_TX_PIECES + 1];
	struct scatterlist sg_out[1 + KTLSO_TX_OUT];
};

/**
 * struct ktlso_tx - transmit state, present once TLS_TX is set
 * @c: keys and AEAD
 * @plain: plaintext copied from the sender (KTLSO_MAX_PAYLOAD bytes), each
 *	byte at its offset in the open record
 * @in: the open record's plaintext, in order
 * @nr_in: entries used in @in
 * @open_len: plaintext bytes in the open record, not yet sealed
 * @open_type: content type of those bytes
 * @inner_type: TLS 1.3's content type byte, the AEAD's last input byte
 * @user_pages: some of @in are the sender's pinned pages
 * @out: the records, one after the other: header, ciphertext and tag in
 *	pieces of the socket's page frag, each referenced; TCP gets these
 *	pages themselves.  First those to push, then the ring's, then the
 *	one being sealed
 * @nr_out: entries used in @out
 * @push_nr: entries of @out holding the records to push
 * @push_off: first byte of the records to push not yet handed to TCP
 * @push_len: bytes of them still to hand to TCP (0: nothing sealed waits)
 * @flight: the ring, in sequence order, then idle slots; each allocated
 *	the first time it is needed
 * @nr_flight: records in the ring: @flight[0 .. @nr_flight)
 * @flight_cpu: the CPU the last record handed off went to, or the last
 *	one found busy
 * @flight_pause: records to keep from other CPUs, after one came back
 *	unsealed (they were busy)
 * @sg_in: AEAD source: additional data, @in, @inner_type
 * @sg_out: AEAD destination: additional data, @out past the header
 * @err: a sticky error (negative errno) that ends all further sending
 * @lost: records a send had accepted were dropped when sending ended: the
 *	connection must end with a reset
 * @gen: key generation: how often the key changed since TLS_TX
 * @secret: KTLSO_TX_SECRET: the kernel updates this key; NULL otherwise
 * @update_owed: a KeyUpdate must go out before the next record (the
 *	peer asked, the application asked, or the key reached its limit)
 * @update_request: the request_update byte that KeyUpdate carries
 * @update_fresh: a KeyUpdate went out and no record after it: a peer's
 *	further update_requested needs no answer (RFC 8446 4.6.3)
 * @alert_owed: a fatal alert must go out, then nothing more
 * @alert: its AlertDescription
 * @ctl: the KeyUpdate or alert being sealed, then its content type byte
 *
 * The fields after @err are written under the socket lock by the receive
 * side too (a peer's update_requested, a fatal error); senders read them
 * under it.
 */
struct ktlso_tx {
	struct ktlso_crypto c;
	u8 *plain;
	struct ktlso_tx_piece in[KTLSO_TX_PIECES];
	unsigned int nr_in;
	size_t open_len;
	u8 open_type;
	u8 inner_type;
	bool user_pages;
	struct bio_vec out[KTLSO_TX_OUT_MAX];
	unsigned int nr_out;
	unsigned int push_nr;
	size_t push_off;
	size_t push_len;
	struct ktlso_tx_flight *flight[KTLSO_TX_FLIGHTS];
	unsigned int nr_flight;
	unsigned int flight_cpu;
	unsigned int flight_pause;
	struct scatterlist sg_in[1 + KTLSO_TX_PIECES + 1];
	struct scatterlist sg_out[1 + KTLSO_TX_OUT];
	int err;
	bool lost;
	u64 gen;
	struct ktlso_secret *secret;
	bool update_owed;
	u8 update_request;
	bool update_fresh;
	bool alert_owed;
	u8 alert;
	u8 ctl[KTLSO_KEY_UPDATE_LEN + 1];
};

/**
 * struct ktlso_rx_rec - a decrypted record kept aside for MSG_PEEK
 * @list: in ktlso_rx.parked, oldest first
 * @type: its content type
 * @off: first byte not yet consumed
 * @len: bytes of plaintext in @data
 * @data: the plaintext
 */
struct ktlso_rx_rec {
	struct list_head list;
	u8 type;
	u32 off;
	u32 len;
	u8 data[];
};

/*
 * Pages of a reader's buffer one record may be decrypted into: a whole
 * record's plaintext in one buffer takes at most five.
 */
#define KTLSO_RX_ZC_PAGES	16

/**
 * struct ktlso_rx - receive state, present once TLS_RX is set
 * @c: keys and AEAD
 * @buf: one record as it arrives from TCP, then its plaintext in place
 * @have: bytes of the record in @buf
 * @need: bytes the record has in all (KTLSO_HDR_LEN until its header is in)
 * @open: @buf holds a decrypted record; its plaintext is
 *	@buf[@off, @off + @len)
 * @type: the content type of the decrypted record
 * @off: first plaintext byte not yet consumed
 * @len: plaintext bytes left
 * @parked: decrypted records set aside so that MSG_PEEK can look past the
 *	record in @buf; they come before it
 * @parked_mem: bytes allocated for @parked, bounded by sk_rcvbuf
 * @ready: a reader would not wait: a whole record, a decrypted one or an
 *	error is there (read locklessly by poll)
 * @err: a sticky error: every later read reports it
 * @daemon_tickets: TLS 1.3 records holding only NewSessionTicket
 *	messages never reach the application: the handshake daemon ran the
 *	handshake as the client, and they go to it, or nowhere (tickets.c)
 * @daemon: the handshake daemon installed these keys: a post-handshake
 *	message the kernel does not handle ends the connection with an
 *	alert instead of reaching an application that cannot take it
 * @key_pending: a KeyUpdate was opened and the kernel does not run this
 *	direction's updates: nothing more is decrypted until TLS_RX installs
 *	the next key (read locklessly by poll)
 * @gen: key generation: how often the key changed since TLS_RX
 * @secret: KTLSO_RX_SECRET: the kernel takes the peer's KeyUpdates; NULL
 *	otherwise
 * @zc_pages: the reader's pages a record is being decrypted into
 * @zc_sg: the AEAD output over them: additional data, @zc_pages, and
 *	TLS 1.3's content type byte
 */
struct ktlso_rx {
	struct ktlso_crypto c;
	u8 *buf;
	size_t have;
	size_t need;
	bool open;
	u8 type;
	size_t off;
	size_t len;
	struct list_head parked;
	size_t parked_mem;
	bool ready;
	int err;
	bool daemon_tickets;
	bool daemon;
	bool key_pending;
	u64 gen;
	struct ktlso_secret *secret;
	struct page *zc_pages[KTLSO_RX_ZC_PAGES];
	struct scatterlist zc_sg[KTLSO_RX_ZC_PAGES + 2];
};

/**
 * struct ktlso_context - per-socket state of the ktlso ULP
 * @sk_proto: the socket's protocol before ktlso was attached; every
 *	operation ktlso does not handle itself is forwarded to it, and close
 *	puts it back
 * @sk: the socket this context belongs to
 * @family: KTLSO_IPV4 or KTLSO_IPV6, the index into the proto tables
 * @tx: transmit state, NULL until TLS_TX is set
 * @tx_version: TLS version of @tx, for sock_diag (read under RCU)
 * @tx_cipher: TLS_CIPHER_* of @tx, likewise
 * @tx_gen: @tx's key generation, likewise
 * @rx: receive state, NULL until TLS_RX is set
 * @rx_version: TLS version of @rx, for sock_diag (read under RCU)
 * @rx_cipher: TLS_CIPHER_* of @rx, likewise
 * @rx_gen: @rx's key generation, likewise
 * @tx_zc_ro: TLS_TX_ZEROCOPY_RO as set by the application
 * @rx_no_pad: TLS_RX_EXPECT_NO_PAD as set by the application
 * @hs: the handshake request, NULL if none was made (handshake.c); set
 *	under the socket lock, then kept until the socket closes
 * @daemon_keys: KTLSO_KEYS_TX and KTLSO_KEYS_RX for the directions whose
 *	keys the handshake daemon installed: getsockopt() never returns
 *	those, and HS_DONE needs both (written under the socket lock with
 *	release semantics, read by HS_DONE without it)
 * @sk_write_space: the socket's write_space callback before TLS_TX
 * @sk_data_ready: the socket's data_ready callback before TLS_RX
 * @tx_lock: serialises senders, @tx_work and close (taken before the
 *	socket lock, which a sender waiting for TCP send space drops)
 * @tx_work: pushes a sealed record TCP had no room for, once it has; it
 *	never waits for @tx_lock (see ktlso_tx_work())
 * @tx_bits: KTLSO_TX_WORK_PENDING
 * @rcu: defers freeing past readers that found the context under RCU
 *
 * Allocated when the ULP is attached, freed when the socket is closed.
 * Reached through inet_csk(sk)->icsk_ulp_data.
 */
struct ktlso_context {
	struct proto *sk_proto;
	struct sock *sk;
	int family;
	struct ktlso_tx *tx;
	u16 tx_version;
	u16 tx_cipher;
	u64 tx_gen;
	struct ktlso_rx *rx;
	u16 rx_version;
	u16 rx_cipher;
	u64 rx_gen;
	bool tx_zc_ro;
	bool rx_no_pad;
	struct ktlso_hs *hs;
	u8 daemon_keys;
	void (*sk_write_space)(struct sock *sk);
	void (*sk_data_ready)(struct sock *sk);
	struct mutex tx_lock;
	struct work_struct tx_work;
	unsigned long tx_bits;
	struct rcu_head rcu;
};

/*
 * ktlso_context.tx_bits: a push is owed to a record TCP had no room for;
 * the work item does it, or the sender holding tx_lock hands it back to
 * the work item as it lets go (see ktlso_tx_work()).
 */
#define KTLSO_TX_WORK_PENDING	0

enum {
	KTLSO_IPV4,
	KTLSO_IPV6,
	KTLSO_NUM_FAMILIES,
};

/* The socket's configuration: an index into the proto tables. */
enum {
	KTLSO_CONF_BASE = 0,	/* attached, no keys: pass-through */
	KTLSO_CONF_TX = 1,	/* TLS_TX set: records sealed on send */
	KTLSO_CONF_RX = 2,	/* TLS_RX set: records opened on receive */
	KTLSO_CONF_HS = 4,	/* a handshake request holds I/O back */
	KTLSO_NUM_CONFS = 8,	/* every combination of the three */
};

static inline struct ktlso_context *ktlso_get_ctx(const struct sock *sk)
{
	/* Only called on a socket that ktlso is attached to and whose
	 * context cannot go away under the caller (socket lock or an
	 * operation dispatched through ktlso's own struct proto).
	 */
	return (__force struct ktlso_context *)inet_csk(sk)->icsk_ulp_data;
}

/* Bytes of explicit nonce the records of @c carry. */
static inline size_t ktlso_explicit_len(const struct ktlso_crypto *c)
{
	return c->version == TLS_1_2_VERSION ? c->cipher->tls12_explicit : 0;
}

/* Offset of the payload in a record: header, then any explicit nonce. */
static inline size_t ktlso_body_off(const struct ktlso_crypto *c)
{
	return KTLSO_HDR_LEN + ktlso_explicit_len(c);
}

/* Directions of ktlso_context.daemon_keys. */
#define KTLSO_KEYS_TX		BIT(0)
#define KTLSO_KEYS_RX		BIT(1)
/* ktlso_hs_check_keys(): the caller is the daemon installing keys. */
#define KTLSO_HS_KEYS_DAEMON	1

/**
 * struct ktlso_hs - a socket's handshake request (handshake.c)
 * @list: in the namespace's pending or running list while listed
 * @sk: the socket
 * @req: the request as the application made it
 * @state: enum ktlso_hs_state; changes under the namespace's lock and is
 *	published with release semantics
 * @error: positive errno once failed
 * @deadline: jiffies at which the request times out
 * @timer: enforces @deadline
 * @work: after the end, in process context: resets the connection of a
 *	request that timed out, was abandoned or whose daemon went away
 *	(@reset), or moves a successful one off the handshake configuration
 * @reset: the end calls for a reset; set before @work is queued
 * @owner: thread group of the daemon running the handshake
 * @portid: netlink port of that daemon
 * @version: negotiated TLS version, once done
 * @cipher: negotiated TLS_CIPHER_*, once done
 * @alpn: negotiated protocol, once done
 * @peer: the peer's verified identity, once done
 * @peer_cert: the DER of the peer's verified leaf certificate, once done;
 *	NULL if the daemon passed none.  Set before the state is published
 *	as done, never changed after, freed when the socket closes
 * @peer_cert_len: its length, at most KTLSO_PEER_CERT_MAX
 * @cred: the requesting task's credentials, for HS_ACCEPT and the quota
 * @requester: the requesting task's thread group
 * @cgroup_id: the requesting task's cgroup v2 id, 0 without cgroups
 * @peer_addr: the connection's peer, as at the request, for HS_ACCEPT
 * @peer_addr_len: its length, or a negative errno if it had none
 * @ticket_session: once done, the id under which the daemon takes this
 *	client's TLS 1.3 session tickets (tickets.c), 0 if it takes none;
 *	set like @peer_cert
 * @ticket_records: records of tickets sent to the daemon so far; the
 *	receive path's, under the socket lock
 * @tickets_ended: the daemon was told that no more will come; likewise
 * @resumed: the daemon resumed a session, once done
 * @rcu: frees the request past pollers that found it under RCU
 */
struct ktlso_hs {
	struct list_head list;
	struct sock *sk;
	struct ktlso_hs_request req;
	u32 state;
	int error;
	unsigned long deadline;
	struct timer_list timer;
	struct work_struct work;
	bool reset;
	struct pid *owner;
	u32 portid;
	u16 version;
	u16 cipher;
	char alpn[KTLSO_HS_ALPN_MAX];
	char peer[KTLSO_HS_NAME_MAX];
	u8 *peer_cert;
	u32 peer_cert_len;
	const struct cred *cred;
	struct pid *requester;
	u64 cgroup_id;
	struct sockaddr_storage peer_addr;
	int peer_addr_len;
	u64 ticket_session;
	u8 ticket_records;
	bool tickets_ended;
	bool resumed;
	struct rcu_head rcu;
};

/**
 * struct ktlso_hs_outcome - what the daemon's HS_DONE reports
 * @status: 0 for success, or a positive errno
 * @version: the TLS version, for a success
 * @cipher: the TLS_CIPHER_*, for a success
 * @alpn: the protocol agreed on, or ""
 * @peer: the peer's verified identity, or ""
 * @peer_cert: the DER of the peer's verified leaf, or NULL
 * @peer_cert_len: its length, 1 to KTLSO_PEER_CERT_MAX with @peer_cert
 * @ticket_session: the id to forward a TLS 1.3 client's tickets under, or
 *	0 for none
 * @resumed: the daemon resumed a session
 *
 * Everything points into the netlink message, valid for the call only.
 */
struct ktlso_hs_outcome {
	u32 status;
	u16 version;
	u16 cipher;
	const char *alpn;
	const char *peer;
	const u8 *peer_cert;
	u32 peer_cert_len;
	u64 ticket_session;
	bool resumed;
};

/* The handshake counters of a namespace, for KTLSO_CMD_STATUS. */
struct ktlso_hs_counters {
	u32 pending;
	u32 running;
	u32 max_pending;
	u64 requested;
	u64 completed;
	u64 failed;
	u64 timed_out;
	u64 refused;
	u64 refused_quota;
};

/* Counters of /proc/net/ktlso_stat, per network namespace (stats.c). */
enum {
	KTLSO_MIB_CURR_TX_SW,	/* sockets with TLS_TX set now */
	KTLSO_MIB_CURR_RX_SW,	/* sockets with TLS_RX set now */
	KTLSO_MIB_TX_SW,	/* TLS_TX installations */
	KTLSO_MIB_RX_SW,	/* TLS_RX installations */
	KTLSO_MIB_DECRYPT_ERROR,
	KTLSO_MIB_DECRYPT_RETRY,
	KTLSO_MIB_RX_NO_PAD_VIOL,
	KTLSO_MIB_RX_ZEROCOPY,	/* records decrypted into the reader's buffer */
	KTLSO_MIB_RX_TICKETS_DROPPED,	/* records of tickets nobody can use */
	KTLSO_MIB_RX_TICKETS_FORWARDED,	/* records of tickets sent to the daemon */
	KTLSO_MIB_TX_REKEY_OK,	/* second TLS_TX accepted */
	KTLSO_MIB_RX_REKEY_OK,	/* second TLS_RX accepted */
	KTLSO_MIB_TX_REKEY_ERROR,	/* second TLS_TX refused */
	KTLSO_MIB_RX_REKEY_ERROR,	/* second TLS_RX refused */
	KTLSO_MIB_RX_REKEY_RECEIVED,	/* KeyUpdates left to the application */
	KTLSO_MIB_RX_KEY_UPDATE,	/* KeyUpdates taken in the kernel */
	KTLSO_MIB_TX_KEY_UPDATE,	/* KeyUpdates the kernel sent */
	KTLSO_MIB_TX_PARALLEL,	/* records sealed on another CPU */
	KTLSO_MIB_TX_PARALLEL_INLINE,	/* handed off, sealed by the sender */
	KTLSO_MIB_MAX,
};

struct ktlso_mib {
	long mibs[KTLSO_MIB_MAX];
};

/* stats.c */
int ktlso_stats_init(void);
void ktlso_stats_exit(void);
void ktlso_stats_add(struct net *net, int item, long delta);

/* main.c */
struct ktlso_context *ktlso_sk_ctx(struct sock *sk);

/* ulp_tls.c */
extern struct tcp_ulp_ops ktlso_tls_ulp_ops;
int ktlso_ulp_tls_init(void);
void ktlso_ulp_tls_exit(void);

/* handshake.c */
int ktlso_hs_init(void);
void ktlso_hs_exit(void);
int ktlso_hs_request(struct sock *sk, sockptr_t optval, unsigned int optlen);
int ktlso_hs_result(struct sock *sk, char __user *optval, int __user *optlen);
int ktlso_hs_peer_cert(struct sock *sk, char __user *optval,
		       int __user *optlen);
bool ktlso_hs_gates(const struct ktlso_context *ctx);
int ktlso_hs_wait(struct sock *sk, bool nonblock, long timeo);
__poll_t ktlso_hs_poll(struct file *file, struct socket *sock,
		       poll_table *wait, __poll_t mask);
int ktlso_hs_check_keys(struct sock *sk, struct ktlso_context *ctx, bool set);
void ktlso_hs_keys_installed(struct sock *sk, struct ktlso_context *ctx,
			     u8 dir);
bool ktlso_hs_daemon_client(struct sock *sk, const struct ktlso_context *ctx);
int ktlso_hs_accept(struct net *net, u32 portid, struct ktlso_hs **hsp,
		    struct file **filep);
void ktlso_hs_abandon(struct ktlso_hs *hs);
void ktlso_hs_unaccept(struct ktlso_hs *hs);
u32 ktlso_hs_time_left_ms(const struct ktlso_hs *hs);
int ktlso_hs_done(struct sock *sk, const struct ktlso_hs_outcome *out,
		  struct netlink_ext_ack *extack);
void ktlso_hs_daemon_gone(struct net *net, u32 portid);
void ktlso_hs_counters(struct net *net, struct ktlso_hs_counters *c);
void ktlso_hs_release(struct ktlso_context *ctx);

/* netlink.c */
int ktlso_nl_init(void);
void ktlso_nl_exit(void);
bool ktlso_nl_has_listeners(struct net *net);
struct sk_buff *ktlso_nl_ready_new(void);
int ktlso_nl_ready_send(struct net *net, struct sk_buff *skb);
int ktlso_nl_notify_ready(struct net *net);
int ktlso_nl_tickets(struct net *net, u64 id, const u8 *msgs, size_t len);
int ktlso_nl_tickets_end(struct net *net, u64 id);

/* tickets.c */
void ktlso_tickets_take(struct sock *sk, struct ktlso_context *ctx,
			const u8 *msgs, size_t len);
void ktlso_tickets_end(struct sock *sk, struct ktlso_hs *hs);

/* proto.c */
int ktlso_sk_init(struct sock *sk);
int ktlso_get_info(struct sock *sk, struct sk_buff *skb);
size_t ktlso_get_info_size(const struct sock *sk);
int ktlso_build_rx_ops(struct sock *sk, int family);
void ktlso_update_proto(struct sock *sk, struct ktlso_context *ctx);

/* crypto.c */
const struct ktlso_cipher *ktlso_cipher_get(u16 type);
int ktlso_crypto_init(struct ktlso_crypto *c, const struct ktlso_cipher *cipher,
		      u16 version, const u8 *info, unsigned int len);
void ktlso_crypto_clear(struct ktlso_crypto *c);
int ktlso_crypto_prepare(const struct ktlso_crypto *c, const u8 *info,
			 struct ktlso_next_key *nk);
void ktlso_crypto_switch(struct ktlso_crypto *c, struct ktlso_next_key *nk);
void ktlso_crypto_discard(struct ktlso_next_key *nk);
void ktlso_crypto_info(const struct ktlso_crypto *c, u8 *info);
size_t ktlso_max_record(const struct ktlso_crypto *c);
size_t ktlso_record_len(const struct ktlso_crypto *c, size_t len);
int ktlso_seal_sg(struct ktlso_crypto *c, u8 *hdr, u8 type, size_t len,
		  struct scatterlist *src, struct scatterlist *dst);
int ktlso_seal_defer(struct ktlso_crypto *c, struct ktlso_seal_op *op,
		     u8 *hdr, u8 type, size_t len, struct scatterlist *src,
		     struct scatterlist *dst);
int ktlso_seal_run(struct ktlso_seal_op *op);
int ktlso_seal_op_alloc(const struct ktlso_crypto *c,
			struct ktlso_seal_op *op, gfp_t gfp);
void ktlso_seal_op_free(struct ktlso_seal_op *op);
int ktlso_check_header(const struct ktlso_crypto *c, const u8 *hdr,
		       size_t *rec_len);
int ktlso_open(struct ktlso_crypto *c, u8 *rec, size_t rec_len, u8 *type,
	       size_t *off, size_t *len, bool *padded);
size_t ktlso_open_sg_len(const struct ktlso_crypto *c, const u8 *rec,
			 size_t rec_len);
int ktlso_open_sg(struct ktlso_crypto *c, const u8 *rec, size_t rec_len,
		  struct scatterlist *dst, unsigned int nents);

/* keys.c */
int ktlso_copy_crypto_info(struct sock *sk, const struct ktlso_crypto *mine,
			   const struct ktlso_crypto *other,
			   sockptr_t optval, unsigned int optlen, u8 *info,
			   const struct ktlso_cipher **cipher, u16 *version);
void ktlso_rekey_error(struct sock *sk, int optname);

/* keyupdate.c */
int ktlso_secret_install(struct sock *sk, struct ktlso_context *ctx,
			 int optname, sockptr_t optval, unsigned int optlen);
void ktlso_secret_free(struct ktlso_secret *s);
int ktlso_secret_next(struct ktlso_secret *s, const struct ktlso_crypto *c,
		      struct ktlso_next_key *nk);
void ktlso_secret_commit(struct ktlso_secret *s);
u64 ktlso_tx_key_limit(const struct ktlso_crypto *c);
int ktlso_key_state(struct sock *sk, char __user *optval,
		    int __user *optlen);
int ktlso_get_crypto_info(const struct ktlso_crypto *c, char __user *optval,
			  int __user *optlen);

/* tx.c */
int ktlso_set_tx(struct sock *sk, sockptr_t optval, unsigned int optlen);
int ktlso_tx_key_update(struct sock *sk, sockptr_t optval,
			unsigned int optlen);
void ktlso_tx_owe(struct sock *sk, struct ktlso_context *ctx);
void ktlso_tx_init_ctx(struct ktlso_context *ctx);
bool ktlso_tx_close(struct sock *sk, struct ktlso_context *ctx);
void ktlso_tx_free(struct ktlso_context *ctx);
int ktlso_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int ktlso_sendpage(struct sock *sk, struct page *page, int offset,
		   size_t size, int flags);
void ktlso_splice_eof(struct socket *sock);

/* tx_parallel.c */
unsigned int ktlso_par_flights(void);
void ktlso_par_init_flight(struct ktlso_tx_flight *f);
bool ktlso_par_pick(unsigned int *cpu);
void ktlso_par_sender_sealed(u64 start);
void ktlso_par_start(struct ktlso_tx_flight *f, unsigned int cpu);
void ktlso_par_sealed(struct ktlso_tx_flight *f);
bool ktlso_par_queued(struct ktlso_tx_flight *f);
bool ktlso_par_done(struct ktlso_tx_flight *f);
int ktlso_par_finish(struct net *net, struct ktlso_tx_flight *f,
		     bool *took_back);
void ktlso_par_stop(struct ktlso_tx_flight *f);
int ktlso_par_init(void);
void ktlso_par_exit(void);

/* rx.c */
int ktlso_set_rx(struct sock *sk, sockptr_t optval, unsigned int optlen);
int ktlso_set_no_pad(struct sock *sk, sockptr_t optval, unsigned int optlen);
int ktlso_get_no_pad(struct sock *sk, char __user *optval, int __user *optlen);
void ktlso_rx_free(struct ktlso_context *ctx);
int ktlso_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len);
bool ktlso_sock_is_readable(struct sock *sk);
__poll_t ktlso_poll(struct file *file, struct socket *sock,
		    struct poll_table_struct *wait);
ssize_t ktlso_splice_read(struct socket *sock, loff_t *ppos,
			  struct pipe_inode_info *pipe, size_t len,
			  unsigned int flags);

#endif /* _KTLSO_H */
