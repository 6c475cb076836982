// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 key updates run by the kernel (RFC 8446 4.6.3, 7.2): the
 * KTLSO_TX_SECRET, KTLSO_RX_SECRET, KTLSO_KEY_UPDATE and KTLSO_KEY_STATE
 * options of <linux/ktlso.h>, the module parameter tx_key_records, the
 * KeyUpdate records on the wire and the alerts that end a connection whose
 * peer sends a malformed one.
 *
 * ktlso is on one end of a loopback TCP connection, with TLS 1.3 keys in
 * both directions; the test plays the TLS peer on the other end, over plain
 * TCP.  It seals and opens every record itself with the engine's OpenSSL
 * record layer, and derives every secret, key and IV with the engine's key
 * schedule (HKDF-Expand-Label(secret, "traffic upd", "", Hash.length), then
 * "key" and "iv"), never from anything the kernel reports.  Each record
 * that opens on either side thus cross-checks the kernel's derivation
 * against the engine's.  The first keys come from random secrets; the
 * receive direction starts at sequence number RX_SEQ0, not 0, so that a
 * kernel that does not restart at 0 after an update is caught.
 *
 * Wire expectations, from RFC 8446 and the uAPI:
 *  - a KeyUpdate is one handshake record (inner type 22) holding exactly
 *    24, 0, 0, 1, request_update; the kernel's own are sealed under the
 *    key they retire, and the next record opens under the next key at
 *    sequence number 0;
 *  - a peer's update_requested is answered by one KeyUpdate with
 *    update_not_requested before the kernel's next record (several
 *    requests in a row may share one answer); update_not_requested is
 *    never answered; without a transmit secret nothing is answered;
 *  - with tx_key_records = L, every transmit key seals at most L records,
 *    its KeyUpdate included, and is replaced only when it has sealed L;
 *  - a malformed KeyUpdate is answered by one fatal alert record (inner
 *    type 21: level 2, description) sealed under the current transmit key,
 *    and every later read fails with the same errno: decode_error (50) and
 *    EBADMSG for a body other than one byte, illegal_parameter (47) and
 *    EBADMSG for a request_update other than 0 or 1, unexpected_message
 *    (10) and EPROTO for a KeyUpdate that is not the last message of its
 *    record (another KeyUpdate or a NewSessionTicket after it) or is
 *    split over records, and for another post-handshake message than
 *    KeyUpdate and NewSessionTicket (CertificateRequest, Finished).  A
 *    NewSessionTicket alone or before a KeyUpdate is left out: the uAPI
 *    says what ktlso does with tickets only for sockets the daemon ran.
 *
 * Tests, each over TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and
 * TLS_CHACHA20_POLY1305_SHA256:
 *   secret_*			the KTLSO_TX_SECRET / KTLSO_RX_SECRET contract
 *   keys_after_secret_are_ebusy	the kernel owns the key schedule
 *   key_state_*		KTLSO_KEY_STATE before and after
 *   rx_*			the peer's KeyUpdates are consumed in the kernel
 *   update_request*		and answered
 *   key_update_*		KTLSO_KEY_UPDATE
 *   no_update_without_cause	nothing is sent that nobody asked for
 *   tx_limit_*			tx_key_records, on every send path
 *   bad_*			malformed KeyUpdates and other messages
 *   flood_of_requests_gets_one_reply	10000 requests, one answer
 *   sock_diag_reports_generations	KTLSO_INFO_TX_GEN / _RX_GEN
 *
 * Counters of /proc/net/ktlso_stat: TlsRxKeyUpdate counts the peer's
 * KeyUpdates taken in the kernel, TlsTxKeyUpdate the KeyUpdates the kernel
 * sent.  Needs root (the module parameter) and runs in the VM.
 */

#include "ktlso_diag.h"
#include "tls13_sched.h"

#define RX_SEQ0		5	/* the peer's first record to the kernel */
#define TX_SEQ0		0	/* the kernel's first record to the peer */

/* RFC 8446 5.5: at most 2^24.5 full-size records under one AES-GCM key. */
#define GCM_RECORDS_MAX		23726566ULL

#define HT_NEW_SESSION_TICKET	4
#define HT_CERTIFICATE_REQUEST	13
#define HT_FINISHED		20

#define ALERT_FATAL		2
#define ALERT_UNEXPECTED	10
#define ALERT_ILLEGAL_PARAM	47
#define ALERT_DECODE_ERROR	50

#define FLOOD			10000
#define SEEN_MAX		1024	/* records one test reads from the kernel */

/* --- one direction's key schedule, as the peer keeps it --------------------- */

FIXTURE_VARIANT(key_update)
{
	uint16_t cipher;
	uint16_t suite;		/* the IANA cipher suite */
	uint16_t hash;		/* the suite's hash, the uAPI's name for it */
	size_t hash_len;
	uint16_t other_hash;	/* a hash that is not the suite's */
	size_t other_len;
	bool gcm;		/* RFC 8446 5.5's AES-GCM bound applies */
};

/* A random secret of the variant's suite. */
static void sched_init(struct __test_metadata *_metadata, struct sched *s,
		       const FIXTURE_VARIANT(key_update) *variant, bool encrypt,
		       uint64_t seq)
{
	ASSERT_EQ(0, sched_init_random(s, variant->suite, variant->cipher,
				       variant->hash, encrypt, seq));
	ASSERT_EQ(variant->hash_len, s->len);
}

static int set_secret_len(int fd, int opt, const void *ts, socklen_t len)
{
	return setsockopt(fd, SOL_TLS, opt, ts, len) ? -errno : 0;
}

static int set_secret(int fd, int opt, const struct ktlso_traffic_secret *ts)
{
	return set_secret_len(fd, opt, ts, sizeof(*ts));
}

static int key_update_len(int fd, const void *arg, socklen_t len)
{
	return setsockopt(fd, SOL_TLS, KTLSO_KEY_UPDATE, arg, len) ? -errno : 0;
}

static int key_update(int fd, uint32_t request)
{
	return key_update_len(fd, &request, sizeof(request));
}

/* --- the fixture: ktlso with TLS 1.3 keys both ways, the test its peer ------ */

FIXTURE(key_update)
{
	int fd;			/* ktlso: TLS_TX and TLS_RX set, no secrets */
	int peer;		/* plain TCP: the test is the TLS peer */
	struct sched tx;	/* what fd sends: the peer opens with it */
	struct sched rx;	/* what fd receives: the peer seals with it */
	bool param_changed;	/* tx_key_records to be set back to 0 */
};

FIXTURE_VARIANT_ADD(key_update, tls13_aes_gcm_128)
{
	.cipher = TLS_CIPHER_AES_GCM_128, .suite = 0x1301,
	.hash = KTLSO_HASH_SHA256, .hash_len = 32,
	.other_hash = KTLSO_HASH_SHA384, .other_len = 48, .gcm = true,
};

FIXTURE_VARIANT_ADD(key_update, tls13_aes_gcm_256)
{
	.cipher = TLS_CIPHER_AES_GCM_256, .suite = 0x1302,
	.hash = KTLSO_HASH_SHA384, .hash_len = 48,
	.other_hash = KTLSO_HASH_SHA256, .other_len = 32, .gcm = true,
};

FIXTURE_VARIANT_ADD(key_update, tls13_chacha20_poly1305)
{
	.cipher = TLS_CIPHER_CHACHA20_POLY1305, .suite = 0x1303,
	.hash = KTLSO_HASH_SHA256, .hash_len = 32,
	.other_hash = KTLSO_HASH_SHA384, .other_len = 48,
};

static void set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void install_keys(struct __test_metadata *_metadata, int fd, int opt,
			 const struct sched *s, uint64_t seq)
{
	struct tls_keys k;
	int err;

	keys_of_secret(_metadata, s, s->secret, seq, &k);
	err = keys_install(fd, opt, &k);
	ASSERT_EQ(0, err) {
		TH_LOG("%s: %s", opt == TLS_TX ? "TLS_TX" : "TLS_RX",
		       strerror(-err));
	}
}

FIXTURE_SETUP(key_update)
{
	self->fd = self->peer = -1;
	if (testing_intree())
		SKIP(return, "key updates in the kernel are ktlso's own");
	/* A bound left behind by a test that did not finish. */
	if (param_read() > 0)
		ASSERT_EQ(0, param_write(0));
	sched_init(_metadata, &self->tx, variant, false, TX_SEQ0);
	sched_init(_metadata, &self->rx, variant, true, RX_SEQ0);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->peer, &self->fd));
	ASSERT_EQ(0, ktlso_attach(self->fd));
	install_keys(_metadata, self->fd, TLS_TX, &self->tx, TX_SEQ0);
	install_keys(_metadata, self->fd, TLS_RX, &self->rx, RX_SEQ0);
	set_nodelay(self->fd);
	set_nodelay(self->peer);
	set_rcvtimeo(self->fd, RCV_TIMEOUT_S);
	set_rcvtimeo(self->peer, RCV_TIMEOUT_S);
}

FIXTURE_TEARDOWN(key_update)
{
	if (self->param_changed)
		EXPECT_EQ(0, param_write(0));
	sched_clear(&self->tx);
	sched_clear(&self->rx);
	if (self->fd >= 0)
		ktlso_close_now(self->fd);
	if (self->peer >= 0)
		close(self->peer);
}

/* Give the kernel the secrets of the keys setup installed. */
static void install_secrets(struct __test_metadata *_metadata,
			    FIXTURE_DATA(key_update) *self, bool tx, bool rx)
{
	struct ktlso_traffic_secret ts;
	int err;

	if (tx) {
		ts = secret_arg(&self->tx, self->tx.secret);
		err = set_secret(self->fd, KTLSO_TX_SECRET, &ts);
		ASSERT_EQ(0, err) {
			TH_LOG("KTLSO_TX_SECRET: %s", strerror(-err));
		}
	}
	if (rx) {
		ts = secret_arg(&self->rx, self->rx.secret);
		err = set_secret(self->fd, KTLSO_RX_SECRET, &ts);
		ASSERT_EQ(0, err) {
			TH_LOG("KTLSO_RX_SECRET: %s", strerror(-err));
		}
	}
	explicit_bzero(&ts, sizeof(ts));
}

static struct ktlso_key_state key_state(struct __test_metadata *_metadata,
					int fd)
{
	struct ktlso_key_state st;
	socklen_t len = sizeof(st);

	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, getsockopt(fd, SOL_TLS, KTLSO_KEY_STATE, &st, &len)) {
		TH_LOG("KTLSO_KEY_STATE: %s", strerror(errno));
	}
	ASSERT_EQ(sizeof(st), len);
	return st;
}

/* A counter of /proc/net/ktlso_stat, which must have it. */
static long counter(struct __test_metadata *_metadata, const char *name)
{
	long v = ktlso_stat(name);

	ASSERT_LE(0, v) {
		TH_LOG("no %s in /proc/net/ktlso_stat", name);
	}
	return v;
}

/* --- what the peer sends: records sealed under its copy of fd's RX keys ----- */

struct wire {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

static void wire_seal(struct __test_metadata *_metadata, struct wire *w,
		      struct sched *s, uint8_t type, const void *data,
		      size_t len, size_t pad)
{
	size_t need = HDR_LEN + len + pad + 1 + TAG_LEN, n = 0;

	if (w->len + need > w->cap) {
		w->cap = (w->len + need) * 2;
		w->buf = realloc(w->buf, w->cap);
		ASSERT_NE(NULL, w->buf);
	}
	ASSERT_EQ(0, ktlso_record_seal(&s->rp, type, data, len, pad,
				       w->buf + w->len, w->cap - w->len, &n));
	w->len += n;
}

/* A KeyUpdate record, and the peer's key update after it. */
static void wire_key_update(struct __test_metadata *_metadata, struct wire *w,
			    struct sched *s, uint8_t request)
{
	const uint8_t msg[] = { HT_KEY_UPDATE, 0, 0, 1, request };

	wire_seal(_metadata, w, s, TYPE_HANDSHAKE, msg, sizeof(msg), 0);
	ASSERT_EQ(0, sched_next(s));
}

static void wire_free(struct wire *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static void peer_send(struct __test_metadata *_metadata,
		      FIXTURE_DATA(key_update) *self, const struct wire *w)
{
	int err = ktlso_write_all(self->peer, w->buf, w->len);

	ASSERT_EQ(0, err) {
		TH_LOG("peer writing %zu bytes: %s", w->len, strerror(-err));
	}
}

/*
 * Write @len bytes of @buf to @fd from a child, in pieces of uneven sizes
 * when @pieces: the kernel then finds records cut anywhere.  The child
 * exits with 0 or the errno of the write that failed (reap_sender()).
 */
static pid_t spawn_writer(struct __test_metadata *_metadata, int fd,
			  const uint8_t *buf, size_t len, bool pieces)
{
	static const size_t sizes[] = { 1, 2, 5, 27, 100, 3, 1000, 4096, 13 };
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t off = 0, i = 0;
		int err = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (!err && off < len) {
			size_t n = pieces ? sizes[i++ % ARRAY_SIZE(sizes)] :
					    len - off;

			if (n > len - off)
				n = len - off;
			err = ktlso_write_all(fd, buf + off, n);
			off += n;
		}
		_exit(err ? -err : 0);
	}
	return pid;
}

/* --- what the application reads and writes ---------------------------------- */

/*
 * Read @len bytes on @fd, whatever records they came in: application data
 * only (no KeyUpdate is ever delivered), no error (no EKEYEXPIRED), the
 * bytes of @want in order.
 */
static void app_read(struct __test_metadata *_metadata, int fd,
		     const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len ? len : 1);
	size_t off = 0;

	ASSERT_NE(NULL, got);
	while (off < len) {
		uint8_t type = 0;
		ssize_t n = recv_typed(fd, got + off, len - off, &type);

		ASSERT_LT(0, n) {
			TH_LOG("after %zu of %zu bytes: %s", off, len,
			       n ? strerror(-n) : "end of stream");
		}
		ASSERT_EQ(TYPE_DATA, type) {
			TH_LOG("a record of type %u delivered after %zu bytes",
			       type, off);
		}
		off += n;
	}
	EXPECT_EQ(0, memcmp(want, got, len)) {
		TH_LOG("the %zu bytes read are not those sent", len);
	}
	free(got);
}

static void app_send(struct __test_metadata *_metadata, int fd,
		     const void *data, size_t len)
{
	int err = ktlso_write_all(fd, data, len);

	ASSERT_EQ(0, err) {
		TH_LOG("sending %zu bytes: %s", len, strerror(-err));
	}
}

/* --- what the peer reads: records opened under its copy of fd's TX keys ----- */

/* One record the peer read from the kernel. */
struct seen {
	uint64_t gen;		/* the transmit generation it opened under */
	uint64_t seq;		/* its sequence number under that key */
	uint8_t type;		/* inner content type */
	int request;		/* a KeyUpdate's request_update; -1: not one */
	size_t len;		/* plaintext bytes */
};

struct take {
	struct seen rec[SEEN_MAX];
	size_t nr;
	size_t updates;		/* KeyUpdates among them */
};

static struct take *take_new(struct __test_metadata *_metadata)
{
	struct take *t = calloc(1, sizeof(*t));

	ASSERT_NE(NULL, t);
	return t;
}

/*
 * Read the next record the kernel sent and open it under the peer's copy
 * of the transmit schedule; follow a KeyUpdate, which must be one whole
 * message.  Returns the inner content type; the content is at @out
 * (MAX_PAYLOAD + 256 bytes), *@n bytes.
 */
static uint8_t peer_next(struct __test_metadata *_metadata,
			 FIXTURE_DATA(key_update) *self, struct take *t,
			 uint8_t *out, size_t *n)
{
	static uint8_t rec[HDR_LEN + MAX_PAYLOAD + 256];
	struct seen *s;
	size_t body;
	uint8_t type;
	int err;

	ASSERT_LT(t->nr, (size_t)SEEN_MAX);
	err = ktlso_read_all(self->peer, rec, HDR_LEN);
	ASSERT_EQ(0, err) {
		TH_LOG("record %zu from the kernel: %s", t->nr, strerror(-err));
	}
	EXPECT_EQ(TYPE_DATA, rec[0]);
	EXPECT_EQ(0x03, rec[1]);
	EXPECT_EQ(0x03, rec[2]);
	body = (size_t)rec[3] << 8 | rec[4];
	ASSERT_LE(body, (size_t)MAX_PAYLOAD + 256);
	err = ktlso_read_all(self->peer, rec + HDR_LEN, body);
	ASSERT_EQ(0, err) {
		TH_LOG("record %zu from the kernel, %zu bytes: %s", t->nr,
		       body, strerror(-err));
	}
	s = &t->rec[t->nr++];
	s->gen = self->tx.gen;
	s->seq = self->tx.rp.seq;
	s->request = -1;
	ASSERT_EQ(0, ktlso_record_open(&self->tx.rp, rec, HDR_LEN + body, &type,
				       out, MAX_PAYLOAD + 256, n)) {
		TH_LOG("record %zu does not open under transmit generation %llu, sequence number %llu",
		       t->nr - 1, (unsigned long long)s->gen,
		       (unsigned long long)s->seq);
	}
	s->type = type;
	s->len = *n;
	if (type != TYPE_HANDSHAKE)
		return type;
	ASSERT_EQ(5ULL, *n) {
		TH_LOG("a handshake record of %zu bytes", *n);
	}
	ASSERT_EQ(HT_KEY_UPDATE, out[0]);
	ASSERT_EQ(0, out[1]);
	ASSERT_EQ(0, out[2]);
	ASSERT_EQ(1, out[3]);
	ASSERT_GE(1, out[4]);
	s->request = out[4];
	t->updates++;
	ASSERT_EQ(0, sched_next(&self->tx));
	return type;
}

/*
 * Read records until @len bytes of application data came, the bytes of
 * @want; KeyUpdates are followed, anything else fails.
 */
static void peer_take(struct __test_metadata *_metadata,
		      FIXTURE_DATA(key_update) *self, struct take *t,
		      const uint8_t *want, size_t len)
{
	static uint8_t out[MAX_PAYLOAD + 256];
	size_t off = 0, n;

	while (off < len) {
		uint8_t type = peer_next(_metadata, self, t, out, &n);

		if (type == TYPE_HANDSHAKE)
			continue;
		ASSERT_EQ(TYPE_DATA, type);
		ASSERT_LE(n, len - off) {
			TH_LOG("%zu bytes more than the %zu sent", n - (len - off),
			       len);
		}
		EXPECT_EQ(0, memcmp(want + off, out, n)) {
			TH_LOG("record %zu: content differs", t->nr - 1);
		}
		off += n;
	}
}

/* Nothing (more) from the kernel within @ms. */
static void peer_expects_nothing(struct __test_metadata *_metadata,
				 FIXTURE_DATA(key_update) *self, int ms)
{
	EXPECT_TRUE(nothing_readable(self->peer, ms)) {
		TH_LOG("the kernel sent something unasked");
	}
}

/* Log the records the peer read. */
static void take_dump(struct __test_metadata *_metadata, const struct take *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		const struct seen *r = &t->rec[i];
		const char *ku = r->request < 0 ? "" :
				 r->request ? ", KeyUpdate(update_requested)" :
					      ", KeyUpdate(update_not_requested)";

		TH_LOG("record %zu: generation %llu, seq %llu, type %u, %zu bytes%s",
		       i, (unsigned long long)r->gen,
		       (unsigned long long)r->seq, r->type, r->len, ku);
	}
}

/*
 * The records in @t are @want_req (a KeyUpdate's request_update, -1 for
 * data) under generations @want_gen.
 */
static void expect_records(struct __test_metadata *_metadata,
			   const struct take *t, const int *want_req,
			   const uint64_t *want_gen, size_t nr)
{
	size_t i;

	ASSERT_EQ(nr, t->nr) {
		take_dump(_metadata, t);
	}
	for (i = 0; i < nr; i++) {
		EXPECT_EQ(want_req[i], t->rec[i].request) {
			TH_LOG("record %zu", i);
		}
		EXPECT_EQ(want_gen[i], t->rec[i].gen) {
			TH_LOG("record %zu", i);
		}
	}
}

/* ===========================================================================
 * KTLSO_TX_SECRET / KTLSO_RX_SECRET
 * =========================================================================== */

/* Both secrets install, and the kernel says so. */
TEST_F(key_update, secret_installs_after_keys)
{
	struct ktlso_key_state st = key_state(_metadata, self->fd);
	static const uint8_t zero[sizeof(st.reserved)];

	EXPECT_EQ(0ULL, st.tx_gen);
	EXPECT_EQ(0ULL, st.rx_gen);
	EXPECT_EQ(0, st.tx_auto);
	EXPECT_EQ(0, st.rx_auto);
	EXPECT_EQ(0, st.rx_pending);
	EXPECT_EQ(0ULL, st.tx_limit);	/* no transmit secret */

	install_secrets(_metadata, self, true, false);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(1, st.tx_auto);
	EXPECT_EQ(0, st.rx_auto);
	EXPECT_LT(0ULL, st.tx_limit);

	install_secrets(_metadata, self, false, true);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(0ULL, st.tx_gen);
	EXPECT_EQ(0ULL, st.rx_gen);
	EXPECT_EQ(1, st.tx_auto);
	EXPECT_EQ(1, st.rx_auto);
	EXPECT_EQ(0, st.rx_pending);
	EXPECT_EQ(0, memcmp(zero, st.reserved, sizeof(zero)));
	EXPECT_EQ(0ULL, st.tx_records);
	EXPECT_LT(0ULL, st.tx_limit);
}

/* KTLSO_KEY_STATE takes exactly its size. */
TEST_F(key_update, key_state_bad_length_is_einval)
{
	static const socklen_t lens[] = {
		0, 1, sizeof(struct ktlso_key_state) - 1,
		sizeof(struct ktlso_key_state) + 1,
		sizeof(struct ktlso_key_state) + 8,
	};
	uint8_t buf[sizeof(struct ktlso_key_state) + 16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		socklen_t len = lens[i];

		EXPECT_EQ(-1, getsockopt(self->fd, SOL_TLS, KTLSO_KEY_STATE,
					 buf, &len)) {
			TH_LOG("length %u accepted", lens[i]);
		}
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("length %u: %s", lens[i], strerror(errno));
		}
	}
	key_state(_metadata, self->fd);
}

/* No keys, or keys for the other direction only: nothing to own. */
TEST_F(key_update, secret_without_keys_is_einval)
{
	struct ktlso_traffic_secret tx = secret_arg(&self->tx, self->tx.secret);
	struct ktlso_traffic_secret rx = secret_arg(&self->rx, self->rx.secret);
	int fd, peer;

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &peer, &fd));
	ASSERT_EQ(0, ktlso_attach(fd));
	EXPECT_EQ(-EINVAL, set_secret(fd, KTLSO_TX_SECRET, &tx));
	EXPECT_EQ(-EINVAL, set_secret(fd, KTLSO_RX_SECRET, &rx));

	install_keys(_metadata, fd, TLS_TX, &self->tx, TX_SEQ0);
	EXPECT_EQ(-EINVAL, set_secret(fd, KTLSO_RX_SECRET, &rx));
	EXPECT_EQ(0, set_secret(fd, KTLSO_TX_SECRET, &tx));
	ktlso_close_now(fd);
	close(peer);
}

/* TLS 1.2 has no traffic secrets: its keys come from the key block. */
TEST_F(key_update, secret_for_tls12_keys_is_einval)
{
	struct ktlso_traffic_secret tx = secret_arg(&self->tx, self->tx.secret);
	struct ktlso_traffic_secret rx = secret_arg(&self->rx, self->rx.secret);
	struct tls_keys k;
	int fd, peer;

	keys_init(&k, TLS_1_2_VERSION, variant->cipher, 0, 0);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &peer, &fd));
	ASSERT_EQ(0, ktlso_attach(fd));
	ASSERT_EQ(0, keys_install(fd, TLS_TX, &k));
	ASSERT_EQ(0, keys_install(fd, TLS_RX, &k));
	EXPECT_EQ(-EINVAL, set_secret(fd, KTLSO_TX_SECRET, &tx));
	EXPECT_EQ(-EINVAL, set_secret(fd, KTLSO_RX_SECRET, &rx));
	ktlso_close_now(fd);
	close(peer);
}

/* The hash must be the cipher suite's, and nothing else. */
TEST_F(key_update, secret_wrong_hash_is_einval)
{
	static const uint16_t bad[] = { 0, KTLSO_HASH_SM3, 4, 0xffff };
	struct ktlso_traffic_secret ts;
	unsigned int i;

	/* Another hash, with its own length and with the suite's. */
	ts = secret_arg(&self->tx, self->tx.secret);
	ts.hash = variant->other_hash;
	ts.secret_len = variant->other_len;
	EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_TX_SECRET, &ts));
	ts.secret_len = variant->hash_len;
	EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_TX_SECRET, &ts));
	ts = secret_arg(&self->rx, self->rx.secret);
	ts.hash = variant->other_hash;
	EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_RX_SECRET, &ts));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ts = secret_arg(&self->tx, self->tx.secret);
		ts.hash = bad[i];
		EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_TX_SECRET, &ts)) {
			TH_LOG("hash %u", bad[i]);
		}
	}
	/* Nothing stuck. */
	install_secrets(_metadata, self, true, true);
}

/* secret_len is the hash's length, and nothing else. */
TEST_F(key_update, secret_wrong_len_is_einval)
{
	const uint16_t lens[] = {
		0, 1, variant->hash_len - 1, variant->hash_len + 1,
		KTLSO_SECRET_MAX + 1, 0xffff,
	};
	struct ktlso_traffic_secret ts;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		ts = secret_arg(&self->tx, self->tx.secret);
		ts.secret_len = lens[i];
		EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_TX_SECRET, &ts)) {
			TH_LOG("secret_len %u", lens[i]);
		}
		ts = secret_arg(&self->rx, self->rx.secret);
		ts.secret_len = lens[i];
		EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_RX_SECRET, &ts)) {
			TH_LOG("secret_len %u", lens[i]);
		}
	}
	install_secrets(_metadata, self, true, true);
}

TEST_F(key_update, secret_reserved_nonzero_is_einval)
{
	static const uint32_t bad[] = { 1, 0x100, 0x80000000u };
	struct ktlso_traffic_secret ts;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ts = secret_arg(&self->tx, self->tx.secret);
		ts.reserved = bad[i];
		EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_TX_SECRET, &ts));
		ts = secret_arg(&self->rx, self->rx.secret);
		ts.reserved = bad[i];
		EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_RX_SECRET, &ts));
	}
	install_secrets(_metadata, self, true, true);
}

/* optlen is exactly sizeof(struct ktlso_traffic_secret). */
TEST_F(key_update, secret_wrong_optlen_is_einval)
{
	struct {
		struct ktlso_traffic_secret ts;
		uint8_t more[16];
	} big = { .more = { 0 } };
	const socklen_t lens[] = {
		0, 1, sizeof(big.ts) - 1, sizeof(big.ts) + 1,
		sizeof(big.ts) + 8,
		/* just the bytes used: sizeof itself for SHA-384 */
		offsetof(struct ktlso_traffic_secret, secret) + variant->hash_len,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		if (lens[i] == sizeof(big.ts))
			continue;
		big.ts = secret_arg(&self->tx, self->tx.secret);
		EXPECT_EQ(-EINVAL, set_secret_len(self->fd, KTLSO_TX_SECRET,
						  &big, lens[i])) {
			TH_LOG("optlen %u", lens[i]);
		}
		big.ts = secret_arg(&self->rx, self->rx.secret);
		EXPECT_EQ(-EINVAL, set_secret_len(self->fd, KTLSO_RX_SECRET,
						  &big, lens[i])) {
			TH_LOG("optlen %u", lens[i]);
		}
	}
	explicit_bzero(&big, sizeof(big));
	install_secrets(_metadata, self, true, true);
}

/* A secret is taken only for the key and IV it derives. */
TEST_F(key_update, secret_not_deriving_keys_is_einval)
{
	uint8_t other[KTLSO_SECRET_MAX], next[KTLSO_SECRET_MAX];
	size_t len = variant->hash_len;
	struct ktlso_traffic_secret ts;
	struct ktlso_key_state st;
	int opt;

	for (opt = KTLSO_TX_SECRET; opt <= KTLSO_RX_SECRET; opt++) {
		struct sched *s = opt == KTLSO_TX_SECRET ? &self->tx : &self->rx;
		struct sched *o = opt == KTLSO_TX_SECRET ? &self->rx : &self->tx;
		const char *name = opt == KTLSO_TX_SECRET ? "TX" : "RX";

		/* A random secret. */
		ASSERT_EQ((ssize_t)len, getrandom(other, len, 0));
		ts = secret_arg(s, other);
		EXPECT_EQ(-EINVAL, set_secret(self->fd, opt, &ts)) {
			TH_LOG("%s: a random secret", name);
		}
		/* One bit off, first byte and last. */
		ts = secret_arg(s, s->secret);
		ts.secret[0] ^= 0x01;
		EXPECT_EQ(-EINVAL, set_secret(self->fd, opt, &ts)) {
			TH_LOG("%s: bit 0 flipped", name);
		}
		ts = secret_arg(s, s->secret);
		ts.secret[len - 1] ^= 0x80;
		EXPECT_EQ(-EINVAL, set_secret(self->fd, opt, &ts)) {
			TH_LOG("%s: the last bit flipped", name);
		}
		/* The next generation's: the keys installed are not its. */
		ASSERT_EQ(0, next_secret(s, s->secret, next));
		ts = secret_arg(s, next);
		EXPECT_EQ(-EINVAL, set_secret(self->fd, opt, &ts)) {
			TH_LOG("%s: the next generation's secret", name);
		}
		/* The other direction's. */
		ts = secret_arg(s, o->secret);
		EXPECT_EQ(-EINVAL, set_secret(self->fd, opt, &ts)) {
			TH_LOG("%s: the other direction's secret", name);
		}
	}
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(0, st.tx_auto);
	EXPECT_EQ(0, st.rx_auto);
	explicit_bzero(&ts, sizeof(ts));
	explicit_bzero(other, sizeof(other));
	explicit_bzero(next, sizeof(next));
	install_secrets(_metadata, self, true, true);
}

/* One secret per direction: a second one is EBUSY, even the next one. */
TEST_F(key_update, secret_twice_is_ebusy)
{
	uint8_t next[KTLSO_SECRET_MAX];
	struct ktlso_traffic_secret ts;

	install_secrets(_metadata, self, true, true);
	ts = secret_arg(&self->tx, self->tx.secret);
	EXPECT_EQ(-EBUSY, set_secret(self->fd, KTLSO_TX_SECRET, &ts));
	ASSERT_EQ(0, next_secret(&self->tx, self->tx.secret, next));
	ts = secret_arg(&self->tx, next);
	EXPECT_EQ(-EBUSY, set_secret(self->fd, KTLSO_TX_SECRET, &ts));
	ts = secret_arg(&self->rx, self->rx.secret);
	EXPECT_EQ(-EBUSY, set_secret(self->fd, KTLSO_RX_SECRET, &ts));
	ASSERT_EQ(0, next_secret(&self->rx, self->rx.secret, next));
	ts = secret_arg(&self->rx, next);
	EXPECT_EQ(-EBUSY, set_secret(self->fd, KTLSO_RX_SECRET, &ts));
	explicit_bzero(&ts, sizeof(ts));
	explicit_bzero(next, sizeof(next));
}

/* Does @buf hold any 8 consecutive bytes of @secret? */
static bool holds_secret(const uint8_t *buf, size_t len, const uint8_t *secret,
			 size_t secret_len)
{
	size_t i;

	for (i = 0; i + 8 <= secret_len; i++)
		if (memmem(buf, len, secret + i, 8))
			return true;
	return false;
}

/* Write-only: getsockopt fails and gives back none of the secret. */
TEST_F(key_update, secret_is_not_readable)
{
	static const socklen_t lens[] = {
		sizeof(struct ktlso_traffic_secret), 256,
	};
	uint8_t buf[256], next[KTLSO_SECRET_MAX];
	unsigned int i;
	int opt;

	install_secrets(_metadata, self, true, true);
	for (opt = KTLSO_TX_SECRET; opt <= KTLSO_RX_SECRET; opt++) {
		struct sched *s = opt == KTLSO_TX_SECRET ? &self->tx : &self->rx;

		ASSERT_EQ(0, next_secret(s, s->secret, next));
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			socklen_t len = lens[i];
			int ret;

			memset(buf, 0x5a, sizeof(buf));
			ret = getsockopt(self->fd, SOL_TLS, opt, buf, &len);
			EXPECT_EQ(-1, ret) {
				TH_LOG("getsockopt(%s) succeeded, %u bytes",
				       opt == KTLSO_TX_SECRET ? "KTLSO_TX_SECRET" :
				       "KTLSO_RX_SECRET", len);
			}
			if (ret)
				EXPECT_TRUE(errno == ENOPROTOOPT ||
					    errno == EINVAL) {
					TH_LOG("getsockopt: %s", strerror(errno));
				}
			EXPECT_FALSE(holds_secret(buf, sizeof(buf), s->secret,
						  s->len));
			EXPECT_FALSE(holds_secret(buf, sizeof(buf), next,
						  s->len));
		}
	}
	explicit_bzero(next, sizeof(next));
}

/* With a secret the kernel owns the direction's keys: TLS_TX/RX is EBUSY. */
TEST_F(key_update, keys_after_secret_are_ebusy)
{
	uint8_t next[KTLSO_SECRET_MAX];
	struct ktlso_key_state st;
	struct wire w = { 0 };
	struct take *t = take_new(_metadata);
	struct tls_keys k;

	install_secrets(_metadata, self, true, true);
	/* The keys as installed, and those of the next generation. */
	keys_of_secret(_metadata, &self->tx, self->tx.secret, TX_SEQ0, &k);
	EXPECT_EQ(-EBUSY, keys_install(self->fd, TLS_TX, &k));
	ASSERT_EQ(0, next_secret(&self->tx, self->tx.secret, next));
	keys_of_secret(_metadata, &self->tx, next, 0, &k);
	EXPECT_EQ(-EBUSY, keys_install(self->fd, TLS_TX, &k));
	keys_of_secret(_metadata, &self->rx, self->rx.secret, RX_SEQ0, &k);
	EXPECT_EQ(-EBUSY, keys_install(self->fd, TLS_RX, &k));
	ASSERT_EQ(0, next_secret(&self->rx, self->rx.secret, next));
	keys_of_secret(_metadata, &self->rx, next, 0, &k);
	EXPECT_EQ(-EBUSY, keys_install(self->fd, TLS_RX, &k));
	explicit_bzero(next, sizeof(next));

	/* Nothing changed: both directions run on generation 0. */
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(0ULL, st.tx_gen);
	EXPECT_EQ(0ULL, st.rx_gen);
	app_send(_metadata, self->fd, "after", 5);
	peer_take(_metadata, self, t, (const uint8_t *)"after", 5);
	EXPECT_EQ(0ULL, t->rec[0].gen);
	EXPECT_EQ((uint64_t)TX_SEQ0, t->rec[0].seq);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, "before", 6, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, (const uint8_t *)"before", 6);
	wire_free(&w);
	free(t);
}

/* ===========================================================================
 * The peer's KeyUpdates
 * =========================================================================== */

/* Data, KeyUpdate(update_not_requested), data: read as one stream. */
TEST_F(key_update, rx_update_is_consumed)
{
	long rx_before, tx_before;
	uint8_t *data = plaintext(_metadata, 3000, 1);
	struct ktlso_key_state st;
	struct wire w = { 0 };
	struct take *t = take_new(_metadata);

	install_secrets(_metadata, self, true, true);
	rx_before = counter(_metadata, "TlsRxKeyUpdate");
	tx_before = counter(_metadata, "TlsTxKeyUpdate");
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 1000, 0);
	wire_key_update(_metadata, &w, &self->rx, 0);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 1000, 2000, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data, 3000);

	st = key_state(_metadata, self->fd);
	EXPECT_EQ(1ULL, st.rx_gen);
	EXPECT_EQ(0ULL, st.tx_gen);
	EXPECT_EQ(0, st.rx_pending);
	EXPECT_EQ(rx_before + 1, counter(_metadata, "TlsRxKeyUpdate"));
	/* update_not_requested: nothing answers it, now or later. */
	peer_expects_nothing(_metadata, self, 200);
	app_send(_metadata, self->fd, data, 100);
	peer_take(_metadata, self, t, data, 100);
	EXPECT_EQ(1ULL, t->nr);
	EXPECT_EQ(0ULL, t->updates);
	EXPECT_EQ(tx_before, counter(_metadata, "TlsTxKeyUpdate"));
	EXPECT_EQ(0ULL, key_state(_metadata, self->fd).tx_gen);
	wire_free(&w);
	free(t);
	free(data);
}

/*
 * 200 data records each followed by a KeyUpdate, some KeyUpdates back to
 * back, the stream written in pieces that cut records anywhere.
 */
TEST_F(key_update, rx_many_updates)
{
	const size_t rounds = 200;
	size_t total = 0, i, updates = 0, off = 0;
	uint8_t *data;
	long before;
	struct wire w = { 0 };
	pid_t pid;

	install_secrets(_metadata, self, true, true);
	before = counter(_metadata, "TlsRxKeyUpdate");
	for (i = 0; i <= rounds; i++)
		total += 1 + i * 53 % 3000;
	data = plaintext(_metadata, total, 2);
	for (i = 0; i <= rounds; i++) {
		size_t n = 1 + i * 53 % 3000;

		wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + off, n, 0);
		off += n;
		if (i == rounds)
			break;
		wire_key_update(_metadata, &w, &self->rx, 0);
		updates++;
		if (i % 20 == 7) {
			wire_key_update(_metadata, &w, &self->rx, 0);
			wire_key_update(_metadata, &w, &self->rx, 0);
			updates += 2;
		}
	}
	pid = spawn_writer(_metadata, self->peer, w.buf, w.len, true);
	app_read(_metadata, self->fd, data, total);
	reap_sender(_metadata, pid, true);
	EXPECT_EQ(updates, key_state(_metadata, self->fd).rx_gen);
	EXPECT_EQ(before + (long)updates, counter(_metadata, "TlsRxKeyUpdate"));
	wire_free(&w);
	free(data);
}

/* Padding in the KeyUpdate's record and the next one is no matter. */
TEST_F(key_update, rx_update_in_padded_record)
{
	uint8_t *data = plaintext(_metadata, 600, 3);
	struct wire w = { 0 };

	install_secrets(_metadata, self, true, true);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 100, 0);
	{
		const uint8_t msg[] = { HT_KEY_UPDATE, 0, 0, 1, 0 };

		wire_seal(_metadata, &w, &self->rx, TYPE_HANDSHAKE, msg,
			  sizeof(msg), 1000);
		ASSERT_EQ(0, sched_next(&self->rx));
	}
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 100, 500, 333);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data, 600);
	EXPECT_EQ(1ULL, key_state(_metadata, self->fd).rx_gen);
	wire_free(&w);
	free(data);
}

/*
 * A KeyUpdate alone delivers nothing: a read finds nothing (poll may have
 * said readable while the record was not yet opened, as records are opened
 * by readers), and once it is consumed nothing stays readable.  The data
 * after it reads.
 */
TEST_F(key_update, rx_update_alone_delivers_nothing)
{
	uint8_t *data = plaintext(_metadata, 500, 4), buf[16];
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct wire w = { 0 };

	install_secrets(_metadata, self, true, true);
	wire_key_update(_metadata, &w, &self->rx, 0);
	peer_send(_metadata, self, &w);
	poll(&p, 1, 300);
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno) {
		TH_LOG("recv: %s", strerror(errno));
	}
	EXPECT_TRUE(nothing_readable(self->fd, 200)) {
		TH_LOG("poll says readable after the KeyUpdate was consumed");
	}
	wire_free(&w);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 500, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data, 500);
	EXPECT_EQ(1ULL, key_state(_metadata, self->fd).rx_gen);
	wire_free(&w);
	free(data);
}

struct blocked_reader {
	int fd;
	uint8_t *buf;
	size_t len;
	ssize_t got;
	int err;
};

static void *blocked_reader_main(void *arg)
{
	struct blocked_reader *r = arg;

	r->got = recv(r->fd, r->buf, r->len, MSG_WAITALL);
	r->err = r->got < 0 ? errno : 0;
	return NULL;
}

/* A reader blocked in recv sleeps through the KeyUpdate, wakes for data. */
TEST_F(key_update, rx_update_while_reader_blocked)
{
	uint8_t *data = plaintext(_metadata, 2000, 5);
	struct blocked_reader r = { .fd = self->fd, .len = 2000 };
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct wire w = { 0 };
	pthread_t tid;

	r.buf = malloc(r.len);
	ASSERT_NE(NULL, r.buf);
	install_secrets(_metadata, self, true, true);
	ASSERT_EQ(0, pthread_create(&tid, NULL, blocked_reader_main, &r));
	nanosleep(&pause, NULL);
	wire_key_update(_metadata, &w, &self->rx, 0);
	peer_send(_metadata, self, &w);
	wire_free(&w);
	nanosleep(&pause, NULL);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 1000, 0);
	wire_key_update(_metadata, &w, &self->rx, 0);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 1000, 1000, 0);
	peer_send(_metadata, self, &w);
	/* recv is bounded by SO_RCVTIMEO. */
	ASSERT_EQ(0, pthread_join(tid, NULL));
	ASSERT_EQ((ssize_t)r.len, r.got) {
		TH_LOG("recv: %s", r.got < 0 ? strerror(r.err) : "short");
	}
	EXPECT_EQ(0, memcmp(data, r.buf, r.len));
	EXPECT_EQ(2ULL, key_state(_metadata, self->fd).rx_gen);
	wire_free(&w);
	free(r.buf);
	free(data);
}

/* ===========================================================================
 * update_requested
 * =========================================================================== */

/*
 * The peer asks: the kernel's next record is its KeyUpdate
 * (update_not_requested) under the old key, then the data under the next.
 */
TEST_F(key_update, update_requested_answered_before_next_send)
{
	static const int req[] = { 0, -1 };
	static const uint64_t gen[] = { 0, 1 };
	uint8_t *data = plaintext(_metadata, 3000, 6);
	long rx_before, tx_before;
	struct ktlso_key_state st;
	struct wire w = { 0 };
	struct take *t = take_new(_metadata);

	install_secrets(_metadata, self, true, true);
	rx_before = counter(_metadata, "TlsRxKeyUpdate");
	tx_before = counter(_metadata, "TlsTxKeyUpdate");
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 1000, 0);
	wire_key_update(_metadata, &w, &self->rx, 1);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 1000, 1000, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data, 2000);

	app_send(_metadata, self->fd, data + 2000, 1000);
	peer_take(_metadata, self, t, data + 2000, 1000);
	expect_records(_metadata, t, req, gen, ARRAY_SIZE(req));
	EXPECT_EQ((uint64_t)TX_SEQ0, t->rec[0].seq);
	EXPECT_EQ(0ULL, t->rec[1].seq);
	peer_expects_nothing(_metadata, self, 100);

	st = key_state(_metadata, self->fd);
	EXPECT_EQ(1ULL, st.tx_gen);
	EXPECT_EQ(1ULL, st.rx_gen);
	EXPECT_EQ(rx_before + 1, counter(_metadata, "TlsRxKeyUpdate"));
	EXPECT_EQ(tx_before + 1, counter(_metadata, "TlsTxKeyUpdate"));
	wire_free(&w);
	free(t);
	free(data);
}

/*
 * Three requests before the application sends: at least one answer, at
 * most three, all update_not_requested, each under the key before it.
 */
TEST_F(key_update, update_requests_may_share_an_answer)
{
	uint8_t *data = plaintext(_metadata, 2000, 7);
	struct ktlso_key_state st;
	struct wire w = { 0 };
	struct take *t = take_new(_metadata);
	long before;
	size_t i;

	install_secrets(_metadata, self, true, true);
	before = counter(_metadata, "TlsTxKeyUpdate");
	wire_key_update(_metadata, &w, &self->rx, 1);
	wire_key_update(_metadata, &w, &self->rx, 1);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 500, 0);
	wire_key_update(_metadata, &w, &self->rx, 1);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 500, 500, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data, 1000);

	app_send(_metadata, self->fd, data + 1000, 1000);
	peer_take(_metadata, self, t, data + 1000, 1000);
	EXPECT_LE(1ULL, t->updates);
	EXPECT_GE(3ULL, t->updates);
	ASSERT_EQ(t->updates + 1, t->nr);
	for (i = 0; i < t->updates; i++)
		EXPECT_EQ(0, t->rec[i].request);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(t->updates, st.tx_gen);
	EXPECT_EQ(3ULL, st.rx_gen);
	EXPECT_EQ(before + (long)t->updates, counter(_metadata, "TlsTxKeyUpdate"));
	wire_free(&w);
	free(t);
	free(data);
}

/*
 * The receive secret alone is refused: the kernel could not answer a
 * peer's update_requested, which RFC 8446 4.6.3 makes a MUST.  After the
 * transmit secret it goes in.
 */
TEST_F(key_update, rx_secret_without_tx_secret_is_einval)
{
	struct ktlso_traffic_secret ts;
	struct ktlso_key_state st;

	ts = secret_arg(&self->rx, self->rx.secret);
	EXPECT_EQ(-EINVAL, set_secret(self->fd, KTLSO_RX_SECRET, &ts));
	explicit_bzero(&ts, sizeof(ts));
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(0, st.tx_auto);
	EXPECT_EQ(0, st.rx_auto);
	install_secrets(_metadata, self, true, true);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(1, st.tx_auto);
	EXPECT_EQ(1, st.rx_auto);
}

/*
 * 10000 requests in a row and no send meanwhile: the kernel takes them
 * all, keeps no queue of answers, and answers once when the application
 * sends.
 */
TEST_F_TIMEOUT(key_update, flood_of_requests_gets_one_reply, 180)
{
	uint8_t *data = plaintext(_metadata, 2000, 9);
	long rx_before, tx_before;
	struct ktlso_key_state st;
	struct wire w = { 0 };
	struct take *t = take_new(_metadata);
	size_t i;
	pid_t pid;

	install_secrets(_metadata, self, true, true);
	rx_before = counter(_metadata, "TlsRxKeyUpdate");
	tx_before = counter(_metadata, "TlsTxKeyUpdate");
	for (i = 0; i < FLOOD; i++)
		wire_key_update(_metadata, &w, &self->rx, 1);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 1000, 0);
	pid = spawn_writer(_metadata, self->peer, w.buf, w.len, false);
	set_rcvtimeo(self->fd, 60);
	app_read(_metadata, self->fd, data, 1000);
	reap_sender(_metadata, pid, true);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ((uint64_t)FLOOD, st.rx_gen);
	EXPECT_EQ(rx_before + FLOOD, counter(_metadata, "TlsRxKeyUpdate"));

	app_send(_metadata, self->fd, data + 1000, 1000);
	peer_take(_metadata, self, t, data + 1000, 1000);
	EXPECT_EQ(1ULL, t->updates) {
		TH_LOG("%zu KeyUpdates for %d requests", t->updates, FLOOD);
	}
	EXPECT_EQ(0, t->rec[0].request);
	peer_expects_nothing(_metadata, self, 100);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(t->updates, st.tx_gen);
	EXPECT_EQ(tx_before + (long)t->updates,
		  counter(_metadata, "TlsTxKeyUpdate"));
	wire_free(&w);
	free(t);
	free(data);
}

/* ===========================================================================
 * KTLSO_KEY_UPDATE
 * =========================================================================== */

/*
 * KTLSO_KEY_UPDATE with @request between two sends: data, the KeyUpdate,
 * both under generation 0, then data under generation 1.
 */
static void key_update_between_sends(struct __test_metadata *_metadata,
				     FIXTURE_DATA(key_update) *self,
				     uint32_t request, struct take *t,
				     const uint8_t *data)
{
	const int req[] = { -1, request, -1 };
	static const uint64_t gen[] = { 0, 0, 1 };
	long before;
	int err;

	install_secrets(_metadata, self, true, true);
	before = counter(_metadata, "TlsTxKeyUpdate");
	app_send(_metadata, self->fd, data, 700);
	err = key_update(self->fd, request);
	ASSERT_EQ(0, err) {
		TH_LOG("KTLSO_KEY_UPDATE %u: %s", request, strerror(-err));
	}
	app_send(_metadata, self->fd, data + 700, 300);
	peer_take(_metadata, self, t, data, 1000);
	expect_records(_metadata, t, req, gen, ARRAY_SIZE(req));
	EXPECT_EQ(0ULL, t->rec[2].seq);
	EXPECT_EQ(1ULL, key_state(_metadata, self->fd).tx_gen);
	EXPECT_EQ(before + 1, counter(_metadata, "TlsTxKeyUpdate"));
}

TEST_F(key_update, key_update_not_requested)
{
	uint8_t *data = plaintext(_metadata, 1000, 10);
	struct take *t = take_new(_metadata);

	key_update_between_sends(_metadata, self, KTLSO_KEY_UPDATE_NOT_REQUESTED,
				 t, data);
	peer_expects_nothing(_metadata, self, 100);
	EXPECT_EQ(0ULL, key_state(_metadata, self->fd).rx_gen);
	free(t);
	free(data);
}

/* The peer answers the request; the kernel does not answer the answer. */
TEST_F(key_update, key_update_requested)
{
	uint8_t *data = plaintext(_metadata, 2000, 11);
	struct take *t = take_new(_metadata);
	struct wire w = { 0 };
	long before;

	key_update_between_sends(_metadata, self, KTLSO_KEY_UPDATE_REQUESTED,
				 t, data);
	before = counter(_metadata, "TlsTxKeyUpdate");
	wire_key_update(_metadata, &w, &self->rx, 0);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 1000, 500, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data + 1000, 500);
	EXPECT_EQ(1ULL, key_state(_metadata, self->fd).rx_gen);

	app_send(_metadata, self->fd, data + 1500, 500);
	t->nr = t->updates = 0;
	peer_take(_metadata, self, t, data + 1500, 500);
	EXPECT_EQ(1ULL, t->nr);
	EXPECT_EQ(0ULL, t->updates);
	EXPECT_EQ(1ULL, t->rec[0].gen);
	EXPECT_EQ(1ULL, key_state(_metadata, self->fd).tx_gen);
	EXPECT_EQ(before, counter(_metadata, "TlsTxKeyUpdate"));
	wire_free(&w);
	free(t);
	free(data);
}

/* Two in a row: two KeyUpdates, under generations 0 and 1. */
TEST_F(key_update, key_update_twice)
{
	static const int req[] = { 0, 0, -1 };
	static const uint64_t gen[] = { 0, 1, 2 };
	struct take *t = take_new(_metadata);

	install_secrets(_metadata, self, true, true);
	ASSERT_EQ(0, key_update(self->fd, 0));
	ASSERT_EQ(0, key_update(self->fd, 0));
	app_send(_metadata, self->fd, "xyz", 3);
	peer_take(_metadata, self, t, (const uint8_t *)"xyz", 3);
	expect_records(_metadata, t, req, gen, ARRAY_SIZE(req));
	EXPECT_EQ(2ULL, key_state(_metadata, self->fd).tx_gen);
	free(t);
}

/*
 * A record left open by MSG_MORE is not cut: the KeyUpdate goes before it
 * is sealed, and its bytes, with the rest, go under the new key.
 */
TEST_F(key_update, key_update_before_open_record)
{
	static const int req[] = { 0, -1 };
	static const uint64_t gen[] = { 0, 1 };
	struct take *t = take_new(_metadata);

	install_secrets(_metadata, self, true, true);
	ASSERT_EQ(3, send(self->fd, "abc", 3, MSG_MORE));
	ASSERT_EQ(0, key_update(self->fd, 0));
	EXPECT_EQ(1, key_state(_metadata, self->fd).tx_auto);
	app_send(_metadata, self->fd, "defg", 4);
	peer_take(_metadata, self, t, (const uint8_t *)"abcdefg", 7);
	expect_records(_metadata, t, req, gen, ARRAY_SIZE(req));
	EXPECT_EQ(7ULL, t->rec[1].len);
	free(t);
}

/* No transmit secret, a value other than 0 or 1, a length other than 4. */
TEST_F(key_update, key_update_bad_args_is_einval)
{
	static const uint32_t bad[] = { 2, 255, 0xffffffffu };
	static const int req[] = { 1, -1 };
	static const uint64_t gen[] = { 0, 1 };
	uint64_t wide = 0;
	uint32_t zero = 0;
	uint16_t narrow = 0;
	struct take *t = take_new(_metadata);
	unsigned int i;
	int fd, peer;

	/* No keys at all. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &peer, &fd));
	ASSERT_EQ(0, ktlso_attach(fd));
	EXPECT_EQ(-EINVAL, key_update(fd, 0));
	ktlso_close_now(fd);
	close(peer);

	/* TX keys without their secret. */
	EXPECT_EQ(-EINVAL, key_update(self->fd, 0));
	EXPECT_EQ(-EINVAL, key_update(self->fd, 1));

	install_secrets(_metadata, self, true, false);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, key_update(self->fd, bad[i])) {
			TH_LOG("request %u", bad[i]);
		}
	EXPECT_EQ(-EINVAL, key_update_len(self->fd, &zero, 0));
	EXPECT_EQ(-EINVAL, key_update_len(self->fd, &zero, 1));
	EXPECT_EQ(-EINVAL, key_update_len(self->fd, &narrow, sizeof(narrow)));
	EXPECT_EQ(-EINVAL, key_update_len(self->fd, &wide, sizeof(wide)));
	peer_expects_nothing(_metadata, self, 200);
	EXPECT_EQ(0ULL, key_state(_metadata, self->fd).tx_gen);

	/* Nothing stuck. */
	ASSERT_EQ(0, key_update(self->fd, 1));
	app_send(_metadata, self->fd, "x", 1);
	peer_take(_metadata, self, t, (const uint8_t *)"x", 1);
	expect_records(_metadata, t, req, gen, ARRAY_SIZE(req));
	free(t);
}

/* With the default bound nothing is sent that nobody asked for. */
TEST_F(key_update, no_update_without_cause)
{
	uint8_t *data = plaintext(_metadata, 20 * 100, 12);
	struct ktlso_key_state st;
	struct take *t = take_new(_metadata);
	long before;
	size_t i;

	install_secrets(_metadata, self, true, true);
	before = counter(_metadata, "TlsTxKeyUpdate");
	for (i = 0; i < 20; i++)
		app_send(_metadata, self->fd, data + i * 100, 100);
	peer_take(_metadata, self, t, data, 20 * 100);
	EXPECT_EQ(20ULL, t->nr);
	EXPECT_EQ(0ULL, t->updates);
	peer_expects_nothing(_metadata, self, 100);
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(0ULL, st.tx_gen);
	EXPECT_EQ(20ULL, st.tx_records);
	EXPECT_EQ(before, counter(_metadata, "TlsTxKeyUpdate"));
	free(t);
	free(data);
}

/* ===========================================================================
 * tx_key_records
 * =========================================================================== */

#define LIMIT	3

static void set_limit(struct __test_metadata *_metadata,
		      FIXTURE_DATA(key_update) *self, unsigned long limit)
{
	int err = param_write(limit);

	ASSERT_EQ(0, err) {
		TH_LOG("writing %s: %s", PARAM_TX_KEY_RECORDS, strerror(-err));
	}
	self->param_changed = true;
	ASSERT_EQ((long)limit, param_read());
}

/*
 * Every key sealed at most @limit records, its KeyUpdate (update_not_
 * requested) the last of them, and was replaced only with @limit sealed.
 * A KeyUpdate may follow the last data: the kernel may update as soon as
 * a key has one record left, or before the next record it seals.
 */
static void check_limit(struct __test_metadata *_metadata,
			FIXTURE_DATA(key_update) *self, struct take *t,
			unsigned int limit)
{
	static uint8_t out[MAX_PAYLOAD + 256];
	struct ktlso_key_state st;
	size_t i, count = 0, n;
	uint64_t gen = 0;

	if (!nothing_readable(self->peer, 300))
		EXPECT_EQ(TYPE_HANDSHAKE, peer_next(_metadata, self, t, out, &n));
	peer_expects_nothing(_metadata, self, 100);
	for (i = 0; i < t->nr; i++) {
		ASSERT_EQ(gen, t->rec[i].gen);
		count++;
		ASSERT_GE(limit, count) {
			TH_LOG("transmit generation %llu sealed more than %u records",
			       (unsigned long long)gen, limit);
		}
		if (t->rec[i].request < 0)
			continue;
		EXPECT_EQ(0, t->rec[i].request);
		EXPECT_EQ(limit, count) {
			TH_LOG("transmit generation %llu replaced after %zu records",
			       (unsigned long long)gen, count);
		}
		gen++;
		count = 0;
	}
	st = key_state(_metadata, self->fd);
	EXPECT_EQ(t->updates, st.tx_gen);
	EXPECT_EQ(count, st.tx_records);
	EXPECT_EQ(limit, st.tx_limit);
}

/* tx_key_records = 3 and 50 sends: two data records and a KeyUpdate per key. */
TEST_F(key_update, tx_limit_bounds_records_per_key)
{
	size_t total = 0, off = 0, i;
	struct take *t = take_new(_metadata);
	uint8_t *data;
	long before;

	for (i = 0; i < 50; i++)
		total += 1 + i * 37 % 2000;
	data = plaintext(_metadata, total, 13);
	set_limit(_metadata, self, LIMIT);
	install_secrets(_metadata, self, true, true);
	EXPECT_EQ((uint64_t)LIMIT, key_state(_metadata, self->fd).tx_limit);
	before = counter(_metadata, "TlsTxKeyUpdate");
	for (i = 0; i < 50; i++) {
		size_t n = 1 + i * 37 % 2000;

		app_send(_metadata, self->fd, data + off, n);
		off += n;
	}
	peer_take(_metadata, self, t, data, total);
	EXPECT_EQ(50 + t->updates, t->nr);
	/* 50 data records, two per key: at least 24 updates. */
	EXPECT_LE(24ULL, t->updates);
	check_limit(_metadata, self, t, LIMIT);
	EXPECT_EQ(before + (long)t->updates, counter(_metadata, "TlsTxKeyUpdate"));
	free(t);
	free(data);
}

/* The bound holds inside one send, and on every send path. */
TEST_F(key_update, tx_limit_holds_on_every_send_path)
{
	static const struct step steps[] = {
		WRITE(10 * MAX_PAYLOAD + 100), IOV(3 * MAX_PAYLOAD + 17),
		SENDFILE(100000), MORE(10), WRITE(10), SPLICE(40000),
		SPLICE_MORE(7000), WRITE(1), TYPED(TYPE_DATA, 5),
	};
	size_t total = steps_plain_len(steps, ARRAY_SIZE(steps));
	uint8_t *data = plaintext(_metadata, total, 14);
	struct take *t = take_new(_metadata);
	pid_t pid;

	set_limit(_metadata, self, LIMIT);
	install_secrets(_metadata, self, true, false);
	pid = spawn_sender(_metadata, self->fd, steps, ARRAY_SIZE(steps), data);
	peer_take(_metadata, self, t, data, total);
	reap_sender(_metadata, pid, true);
	EXPECT_LE(10ULL, t->updates);
	check_limit(_metadata, self, t, LIMIT);
	free(t);
	free(data);
}

/* A KeyUpdate asked for starts a key's count again. */
TEST_F(key_update, tx_limit_counts_from_each_update)
{
	struct take *t = take_new(_metadata);

	set_limit(_metadata, self, LIMIT);
	install_secrets(_metadata, self, true, false);
	app_send(_metadata, self->fd, "a", 1);
	ASSERT_EQ(0, key_update(self->fd, 0));
	EXPECT_EQ(0ULL, key_state(_metadata, self->fd).tx_records);
	app_send(_metadata, self->fd, "b", 1);
	app_send(_metadata, self->fd, "c", 1);
	app_send(_metadata, self->fd, "d", 1);
	peer_take(_metadata, self, t, (const uint8_t *)"abcd", 4);
	/* a KU(asked) | b c KU | d: generation 1 reached its bound. */
	ASSERT_LE(5ULL, t->nr);
	EXPECT_EQ(0ULL, t->rec[0].gen);
	EXPECT_EQ(0, t->rec[1].request);
	EXPECT_EQ(1ULL, t->rec[2].gen);
	EXPECT_EQ(1ULL, t->rec[3].gen);
	EXPECT_EQ(0, t->rec[4].request);
	EXPECT_EQ(1ULL, t->rec[4].gen);
	free(t);
}

/* With tx_key_records 0 the cipher's own bound applies (RFC 8446 5.5). */
TEST_F(key_update, tx_limit_default_is_the_ciphers)
{
	struct ktlso_key_state st;

	ASSERT_EQ(0, param_read()) {
		TH_LOG("%s missing or not 0", PARAM_TX_KEY_RECORDS);
	}
	install_secrets(_metadata, self, true, false);
	st = key_state(_metadata, self->fd);
	EXPECT_LT(0ULL, st.tx_limit);
	if (variant->gcm)
		EXPECT_GE(GCM_RECORDS_MAX, st.tx_limit);
}

/* ===========================================================================
 * Malformed KeyUpdates and other post-handshake messages
 * =========================================================================== */

/* One handshake record's content. */
struct msg {
	const uint8_t *p;
	size_t len;
};

#define MSG(a)	{ (a), sizeof(a) }

/*
 * After some data, the peer sends the records @recs (handshake records,
 * sealed under receive generation 0): the reader fails with @err, sticky,
 * the receive key stays, and the peer gets one fatal alert @alert sealed
 * under transmit generation 0.
 */
static void expect_fatal(struct __test_metadata *_metadata,
			 FIXTURE_DATA(key_update) *self,
			 const struct msg *recs, size_t nr, uint8_t alert,
			 int err)
{
	static uint8_t out[MAX_PAYLOAD + 256];
	uint8_t *data = plaintext(_metadata, 500, 15), buf[64];
	struct take *t = take_new(_metadata);
	struct wire w = { 0 };
	size_t i, n;

	install_secrets(_metadata, self, true, true);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data, 500, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data, 500);
	wire_free(&w);

	for (i = 0; i < nr; i++)
		wire_seal(_metadata, &w, &self->rx, TYPE_HANDSHAKE, recs[i].p,
			  recs[i].len, 0);
	peer_send(_metadata, self, &w);
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(err, errno) {
		TH_LOG("recv: %s, not %s", strerror(errno), strerror(err));
	}
	EXPECT_EQ(-1, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(err, errno) {
		TH_LOG("recv again: %s, not %s", strerror(errno), strerror(err));
	}

	ASSERT_EQ(TYPE_ALERT, peer_next(_metadata, self, t, out, &n));
	ASSERT_EQ(2ULL, n);
	EXPECT_EQ(ALERT_FATAL, out[0]);
	EXPECT_EQ(alert, out[1]);
	EXPECT_EQ(0ULL, t->rec[0].gen);
	EXPECT_EQ(0ULL, key_state(_metadata, self->fd).rx_gen);
	wire_free(&w);
	free(t);
	free(data);
}

TEST_F(key_update, bad_key_update_empty_body)
{
	static const uint8_t ku[] = { HT_KEY_UPDATE, 0, 0, 0 };
	const struct msg recs[] = { MSG(ku) };

	expect_fatal(_metadata, self, recs, 1, ALERT_DECODE_ERROR, EBADMSG);
}

TEST_F(key_update, bad_key_update_two_byte_body)
{
	static const uint8_t ku[] = { HT_KEY_UPDATE, 0, 0, 2, 0, 0 };
	const struct msg recs[] = { MSG(ku) };

	expect_fatal(_metadata, self, recs, 1, ALERT_DECODE_ERROR, EBADMSG);
}

TEST_F(key_update, bad_key_update_value_2)
{
	static const uint8_t ku[] = { HT_KEY_UPDATE, 0, 0, 1, 2 };
	const struct msg recs[] = { MSG(ku) };

	expect_fatal(_metadata, self, recs, 1, ALERT_ILLEGAL_PARAM, EBADMSG);
}

TEST_F(key_update, bad_key_update_value_255)
{
	static const uint8_t ku[] = { HT_KEY_UPDATE, 0, 0, 1, 255 };
	const struct msg recs[] = { MSG(ku) };

	expect_fatal(_metadata, self, recs, 1, ALERT_ILLEGAL_PARAM, EBADMSG);
}

/* A key change must end its record (RFC 8446 5.1). */
TEST_F(key_update, bad_key_update_not_last_in_record)
{
	static const uint8_t two[] = {
		HT_KEY_UPDATE, 0, 0, 1, 0, HT_KEY_UPDATE, 0, 0, 1, 0,
	};
	const struct msg recs[] = { MSG(two) };

	expect_fatal(_metadata, self, recs, 1, ALERT_UNEXPECTED, EPROTO);
}

/* Whatever becomes of tickets, nothing may follow a KeyUpdate. */
TEST_F(key_update, bad_key_update_then_ticket_in_record)
{
	static const uint8_t ku_nst[] = {
		HT_KEY_UPDATE, 0, 0, 1, 0,
		/* NewSessionTicket: lifetime 60, age_add 0, nonce "", ticket
		 * { 0xaa }, no extensions */
		HT_NEW_SESSION_TICKET, 0, 0, 14,
		0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0, 0,
	};
	const struct msg recs[] = { MSG(ku_nst) };

	expect_fatal(_metadata, self, recs, 1, ALERT_UNEXPECTED, EPROTO);
}

TEST_F(key_update, bad_key_update_split_in_header)
{
	static const uint8_t head[] = { HT_KEY_UPDATE, 0, 0 };
	static const uint8_t tail[] = { 1, 0 };
	const struct msg recs[] = { MSG(head), MSG(tail) };

	expect_fatal(_metadata, self, recs, 2, ALERT_UNEXPECTED, EPROTO);
}

TEST_F(key_update, bad_key_update_split_after_header)
{
	static const uint8_t head[] = { HT_KEY_UPDATE, 0, 0, 1 };
	static const uint8_t tail[] = { 0 };
	const struct msg recs[] = { MSG(head), MSG(tail) };

	expect_fatal(_metadata, self, recs, 2, ALERT_UNEXPECTED, EPROTO);
}

/* Post-handshake authentication is not ktlso's. */
TEST_F(key_update, bad_certificate_request)
{
	/* context "", extensions: signature_algorithms { 0x0403 } */
	static const uint8_t cr[] = {
		HT_CERTIFICATE_REQUEST, 0, 0, 11,
		0, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3,
	};
	const struct msg recs[] = { MSG(cr) };

	expect_fatal(_metadata, self, recs, 1, ALERT_UNEXPECTED, EPROTO);
}

/* A handshake-phase message after the handshake. */
TEST_F(key_update, bad_finished_after_handshake)
{
	uint8_t fin[4 + 32] = { HT_FINISHED, 0, 0, 32 };
	const struct msg recs[] = { MSG(fin) };

	ktlso_fill(fin + 4, 32, 17);
	expect_fatal(_metadata, self, recs, 1, ALERT_UNEXPECTED, EPROTO);
}

/* ===========================================================================
 * sock_diag
 * =========================================================================== */

struct diag_gens {
	bool found;		/* the socket, with an INET_ULP_INFO_TLS nest */
	bool has_tx, has_rx;
	uint64_t tx, rx;
};

static void diag_parse_tls(struct rtattr *nest, struct diag_gens *g)
{
	int len = RTA_PAYLOAD(nest);
	struct rtattr *a;

	g->found = true;
	for (a = RTA_DATA(nest); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		unsigned int type = a->rta_type & NLA_TYPE_MASK;

		if (RTA_PAYLOAD(a) < sizeof(uint64_t))
			continue;
		if (type == KTLSO_INFO_TX_GEN) {
			memcpy(&g->tx, RTA_DATA(a), sizeof(g->tx));
			g->has_tx = true;
		} else if (type == KTLSO_INFO_RX_GEN) {
			memcpy(&g->rx, RTA_DATA(a), sizeof(g->rx));
			g->has_rx = true;
		}
	}
}

/* An INET_DIAG_ULP_INFO nest: its INET_ULP_INFO_TLS nest, if any. */
static void diag_parse(struct rtattr *ulp, void *arg)
{
	int ulen = RTA_PAYLOAD(ulp);
	struct rtattr *u;

	for (u = RTA_DATA(ulp); RTA_OK(u, ulen); u = RTA_NEXT(u, ulen))
		if ((u->rta_type & NLA_TYPE_MASK) == INET_ULP_INFO_TLS)
			diag_parse_tls(u, arg);
}

/* The key generations sock_diag reports for the IPv4 TCP socket @fd. */
static void diag_gens(struct __test_metadata *_metadata, int fd,
		      struct diag_gens *g)
{
	memset(g, 0, sizeof(*g));
	ktlso_diag_ulp(_metadata, fd, diag_parse, g);
}

TEST_F(key_update, sock_diag_reports_generations)
{
	uint8_t *data = plaintext(_metadata, 300, 16);
	struct take *t = take_new(_metadata);
	struct diag_gens g;
	struct wire w = { 0 };

	install_secrets(_metadata, self, true, true);
	diag_gens(_metadata, self->fd, &g);
	ASSERT_TRUE(g.found);
	EXPECT_TRUE(g.has_tx);
	EXPECT_TRUE(g.has_rx);
	EXPECT_EQ(0ULL, g.tx);
	EXPECT_EQ(0ULL, g.rx);

	/* One update sent, two taken. */
	ASSERT_EQ(0, key_update(self->fd, 0));
	app_send(_metadata, self->fd, data, 100);
	peer_take(_metadata, self, t, data, 100);
	wire_key_update(_metadata, &w, &self->rx, 0);
	wire_key_update(_metadata, &w, &self->rx, 0);
	wire_seal(_metadata, &w, &self->rx, TYPE_DATA, data + 100, 200, 0);
	peer_send(_metadata, self, &w);
	app_read(_metadata, self->fd, data + 100, 200);

	diag_gens(_metadata, self->fd, &g);
	ASSERT_TRUE(g.found);
	ASSERT_TRUE(g.has_tx);
	ASSERT_TRUE(g.has_rx);
	EXPECT_EQ(1ULL, g.tx);
	EXPECT_EQ(2ULL, g.rx);
	wire_free(&w);
	free(t);
	free(data);
}

TEST_HARNESS_MAIN
