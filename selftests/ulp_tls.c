// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso answering to the TCP ULP name "tls" (the ulp_tls parameter), so
 * that applications written for in-tree kTLS run on it unmodified:
 * refused while in-tree kTLS (tls.ko) holds the name; records sealed and
 * opened by ktlso through it, tls.ko refused meanwhile; the name given
 * back on clearing, with the sockets already attached going on; and the
 * parameter taken at load time.
 *
 * Needs root and runs in the VM: it loads and unloads tls.ko and ktlso.ko.
 * Every test leaves ulp_tls clear and tls.ko unloaded.
 */

#include "tls_common.h"

#define PARAM_ULP_TLS	"/sys/module/ktlso/parameters/ulp_tls"

static const struct step steps[] = {
	WRITE(20000),
	SENDFILE(40000),
	WRITE(1),
};

/* ulp_tls as the module reports it: 'Y', 'N', or 0 if unreadable. */
static char ulp_tls(void)
{
	char buf[4] = "";
	int fd = open(PARAM_ULP_TLS, O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf)) < 1)
		buf[0] = 0;
	close(fd);
	return buf[0];
}

/* Unload module @name, waiting up to 5 s for its last sockets to go. */
static int unload(const char *name)
{
	long end = ktlso_now_ms() + 5000;

	for (;;) {
		if (!ktlso_delete_module(name) ||
		    errno == ENOENT)
			return 0;
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			return -errno;
		if (ktlso_now_ms() > end)
			return -EBUSY;
		usleep(20 * 1000);
	}
}

/* Run modprobe with @args, quietly: its exit status. */
static int modprobe(const char *args)
{
	char cmd[128];
	int st;

	snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/null 2>&1", args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A connected pair; @tx attached to ULP @name, its TX keys set. */
static void tx_pair(struct __test_metadata *_metadata, const char *name,
		    struct tls_keys *k, int *tx, int *peer)
{
	char got[16] = "";
	socklen_t len = sizeof(got);

	keys_init(k, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, 0x1301,
		  SEQ_START);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, tx, peer));
	ASSERT_EQ(0, ulp_attach(*tx, name));
	ASSERT_EQ(0, getsockopt(*tx, SOL_TCP, TCP_ULP, got, &len));
	EXPECT_STREQ(name, got);
	ASSERT_EQ(0, keys_install(*tx, TLS_TX, k));
	set_rcvtimeo(*peer, RCV_TIMEOUT_S);
}

/* Send steps on @tx; the records on the wire must open to them. */
static void expect_records(struct __test_metadata *_metadata,
			   struct tls_keys *k, int tx, int peer,
			   unsigned int seed)
{
	size_t n = ARRAY_SIZE(steps), wire = steps_wire_len(k, steps, n);
	uint8_t *data = plaintext(_metadata, steps_plain_len(steps, n), seed);
	uint8_t *buf = capture(_metadata, tx, peer, steps, n, data, wire);

	check_records(_metadata, k, SEQ_START, steps, n, data, buf, wire);
	free(buf);
	free(data);
}

FIXTURE(alias)
{
	int tx, peer;
};

FIXTURE_SETUP(alias)
{
	int fd, peer;

	self->tx = -1;
	self->peer = -1;
	if (geteuid())
		SKIP(return, "needs root");
	/* ktlso loaded (by its alias), tls.ko not. */
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &fd, &peer));
	ASSERT_EQ(0, ktlso_attach(fd));
	ktlso_close_now(fd);
	close(peer);
	ASSERT_EQ(0, ktlso_write_str(PARAM_ULP_TLS, "0"));
	ASSERT_EQ(0, unload("tls"));
}

FIXTURE_TEARDOWN(alias)
{
	if (self->tx >= 0)
		ktlso_close_now(self->tx);
	if (self->peer >= 0)
		close(self->peer);
	if (ktlso_module_loaded("ktlso"))
		ktlso_write_str(PARAM_ULP_TLS, "0");
	else
		modprobe("ktlso");
	unload("tls");
}

TEST_F(alias, off_by_default)
{
	EXPECT_EQ('N', ulp_tls());
}

/* While tls.ko holds "tls", ktlso cannot take it, and says so. */
TEST_F(alias, refused_while_intree_holds_tls)
{
	ASSERT_EQ(0, modprobe("tls"));
	ASSERT_TRUE(ktlso_module_loaded("tls"));
	EXPECT_EQ(-EEXIST, ktlso_write_str(PARAM_ULP_TLS, "1"));
	EXPECT_EQ('N', ulp_tls());
}

/*
 * With ulp_tls set, a socket attached as "tls" is ktlso's: ktlso counts
 * it and seals its records, and tls.ko stays unloaded.
 */
TEST_F(alias, tls_name_seals_with_ktlso)
{
	long before = ktlso_stat("TlsTxSw");
	struct tls_keys k;

	ASSERT_EQ(0, ktlso_write_str(PARAM_ULP_TLS, "1"));
	EXPECT_EQ('Y', ulp_tls());
	tx_pair(_metadata, "tls", &k, &self->tx, &self->peer);
	EXPECT_EQ(before + 1, ktlso_stat("TlsTxSw"));
	expect_records(_metadata, &k, self->tx, self->peer, 40);
	EXPECT_FALSE(ktlso_module_loaded("tls"));
}

/* And it opens records: TLS_RX through the name too. */
TEST_F(alias, tls_name_opens_with_ktlso)
{
	size_t n = ARRAY_SIZE(steps), wire, plain = steps_plain_len(steps, n);
	long before = ktlso_stat("TlsRxSw");
	uint8_t *data, *sealed, *got;
	struct tls_keys k;

	ASSERT_EQ(0, ktlso_write_str(PARAM_ULP_TLS, "1"));
	keys_init(&k, TLS_1_2_VERSION, TLS_CIPHER_CHACHA20_POLY1305, 0xcca8,
		  SEQ_START);
	wire = steps_wire_len(&k, steps, n);
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->peer, &self->tx));
	ASSERT_EQ(0, ulp_attach(self->tx, "tls"));
	ASSERT_EQ(0, keys_install(self->tx, TLS_RX, &k));
	EXPECT_EQ(before + 1, ktlso_stat("TlsRxSw"));
	set_rcvtimeo(self->tx, RCV_TIMEOUT_S);
	data = plaintext(_metadata, plain, 41);
	sealed = engine_seal(_metadata, &k, SEQ_START, steps, n, data, wire);
	got = malloc(plain);
	ASSERT_NE(NULL, got);
	ASSERT_EQ(0, ktlso_write_all(self->peer, sealed, wire));
	ASSERT_EQ(0, ktlso_read_all(self->tx, got, plain));
	EXPECT_EQ(0, memcmp(data, got, plain));
	free(got);
	free(sealed);
	free(data);
}

/* While ktlso answers to "tls", loading tls.ko fails and changes nothing. */
TEST_F(alias, intree_refused_while_answering)
{
	struct tls_keys k;

	ASSERT_EQ(0, ktlso_write_str(PARAM_ULP_TLS, "1"));
	EXPECT_NE(0, modprobe("tls"));
	EXPECT_FALSE(ktlso_module_loaded("tls"));
	tx_pair(_metadata, "tls", &k, &self->tx, &self->peer);
	expect_records(_metadata, &k, self->tx, self->peer, 42);
}

/*
 * Clearing ulp_tls gives the name back: a socket attached before goes on
 * with ktlso, the next one attached as "tls" gets in-tree kTLS (loaded
 * on demand, as root).
 */
TEST_F(alias, cleared_gives_the_name_back)
{
	int fd, peer;
	struct tls_keys k;

	ASSERT_EQ(0, ktlso_write_str(PARAM_ULP_TLS, "1"));
	tx_pair(_metadata, "tls", &k, &self->tx, &self->peer);
	ASSERT_EQ(0, ktlso_write_str(PARAM_ULP_TLS, "0"));
	EXPECT_EQ('N', ulp_tls());
	expect_records(_metadata, &k, self->tx, self->peer, 43);
	EXPECT_FALSE(ktlso_module_loaded("tls"));

	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &fd, &peer));
	EXPECT_EQ(0, ulp_attach(fd, "tls"));
	EXPECT_TRUE(ktlso_module_loaded("tls"));
	EXPECT_LT(0, ktlso_read_long("/sys/module/tls/refcnt"));
	ktlso_close_now(fd);
	close(peer);
	/* Taking it again waits for in-tree kTLS to go. */
	EXPECT_EQ(-EEXIST, ktlso_write_str(PARAM_ULP_TLS, "1"));
}

/*
 * ulp_tls=1 at load time (modprobe options): the module comes up holding
 * "tls"; and does not load at all when tls.ko holds it.
 */
TEST_F(alias, set_at_load_time)
{
	struct tls_keys k;

	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, unload("ktlso"));
	ASSERT_EQ(0, modprobe("ktlso ulp_tls=1"));
	EXPECT_EQ('Y', ulp_tls());
	tx_pair(_metadata, "tls", &k, &self->tx, &self->peer);
	expect_records(_metadata, &k, self->tx, self->peer, 44);
	ktlso_close_now(self->tx);
	close(self->peer);
	self->tx = self->peer = -1;

	ASSERT_TRUE(ktlso_wait_refcnt(0, 5000));
	ASSERT_EQ(0, unload("ktlso"));
	ASSERT_EQ(0, modprobe("tls"));
	EXPECT_NE(0, modprobe("ktlso ulp_tls=1"));
	EXPECT_FALSE(ktlso_module_loaded("ktlso"));
}

TEST_HARNESS_MAIN
