// SPDX-License-Identifier: GPL-2.0
/*
 * The session tickets of a client whose handshake the daemon ran: with a
 * ticket id in HS_DONE (KTLSO_A_TICKET_SESSION) each record of whole
 * NewSessionTickets the application's reads come to goes to the group
 * "tickets" (KTLSO_CMD_TICKETS, the record's plaintext under that id), at
 * most KTLSO_TICKET_RECORDS_MAX records, then KTLSO_CMD_TICKETS_END, which
 * also comes when the socket closes; without an id, or a listener, they
 * are dropped.  Either way the application reads what follows them.  An
 * id on a server's or a TLS 1.2 handshake refuses the HS_DONE whole; an
 * id of 0 is out of the policy's range.  KTLSO_A_RESUMED shows in the
 * handshake's result.
 *
 * A forked child plays the daemon: it takes the request, installs keys
 * and sends its HS_DONE (or two: a refused one, then one that passes).
 * This process listens to the group as the daemon's other socket would.
 */

#include <linux/tls.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ktlso_daemon.h"
#include "ktlso_genl.h"
#include "ktlso_test.h"

#define HS_RECORD	22
#define QUIET_MS	200	/* no message within this: none will come */

/* What the daemon child reports in HS_DONE. */
struct done {
	bool send;		/* this HS_DONE is sent */
	bool has_id;		/* with KTLSO_A_TICKET_SESSION */
	uint64_t id;
	bool resumed;		/* with KTLSO_A_RESUMED */
};

/* What the daemon child does: the request's keys, then one or two HS_DONEs. */
struct script {
	uint16_t version;	/* of the keys and the HS_DONE */
	struct done first, second;
};

/* What the daemon child saw, sent back over a pipe. */
struct report {
	int accept_err;
	int keys_err;
	int done_err;
	int second_done_err;
};

static const uint8_t key_bytes[16] = { 0xa0, 0xa1, 0xa2, 0xa3 };
static const uint8_t peer_key_bytes[16] = { 0xb0, 0xb1, 0xb2, 0xb3 };

static struct tls12_crypto_info_aes_gcm_128 keys_of(uint16_t version,
						    const uint8_t *key)
{
	struct tls12_crypto_info_aes_gcm_128 k = {
		.info = { .version = version,
			  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	};

	memcpy(k.key, key, sizeof(k.key));
	return k;
}

/* Install TLS_TX @tx and TLS_RX @rx of @version on @fd. */
static int set_keys(int fd, uint16_t version, const uint8_t *tx,
		    const uint8_t *rx)
{
	struct tls12_crypto_info_aes_gcm_128 t = keys_of(version, tx);
	struct tls12_crypto_info_aes_gcm_128 r = keys_of(version, rx);

	if (setsockopt(fd, SOL_TLS, TLS_TX, &t, sizeof(t)) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, &r, sizeof(r)))
		return -errno;
	return 0;
}

static int send_done(struct ktlso_nl *nl, int fd, uint16_t version,
		     const struct done *d)
{
	return ktlso_nl_done_session(nl, fd, version, TLS_CIPHER_AES_GCM_128,
				     d->has_id ? &d->id : NULL, d->resumed);
}

static void daemon_body(void *varg, int ready, int out)
{
	const struct script *sc = varg;
	struct ktlso_nl_accepted acc;
	struct report rep = { 0 };
	struct ktlso_nl nl;
	int fd;

	rep.accept_err = ktlso_daemon_accept(&nl, ready, &acc);
	fd = acc.fd;
	if (rep.accept_err)
		goto out;
	rep.keys_err = set_keys(fd, sc->version, key_bytes, peer_key_bytes);
	if (rep.keys_err)
		goto out;
	if (sc->first.send)
		rep.done_err = send_done(&nl, fd, sc->version, &sc->first);
	if (sc->second.send)
		rep.second_done_err = send_done(&nl, fd, sc->version,
						&sc->second);
out:
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(5);
	ktlso_nl_close(&nl);
	_exit(0);
}

/* Two whole NewSessionTicket messages (type 4, 24-bit length, body). */
static const uint8_t two_tickets[] = {
	4, 0, 0, 5, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
	4, 0, 0, 3, 1, 2, 3,
};
static const uint8_t one_ticket[] = { 4, 0, 0, 2, 7, 9 };

FIXTURE(tickets) {
	int app, peer;
	struct ktlso_daemon d;
	struct nl_sock *tk;	/* the group's listener; NULL: none */
	struct ktlso_nl_ticket msg;
};

FIXTURE_SETUP(tickets)
{
	struct timeval tv = { .tv_sec = 10 };

	memset(&self->d, 0, sizeof(self->d));
	ASSERT_EQ(0, ktlso_tcp_pair(AF_INET, &self->app, &self->peer));
	ASSERT_EQ(0, ktlso_attach(self->app));
	setsockopt(self->app, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(self->peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ASSERT_EQ(0, ktlso_nl_tickets_open(&self->tk));
}

FIXTURE_TEARDOWN(tickets)
{
	ktlso_daemon_kill(&self->d);
	ktlso_close_now(self->app);
	ktlso_close_now(self->peer);
	if (self->tk)
		nl_socket_free(self->tk);
}

/*
 * A handshake the daemon child runs for @role by @sc; both ends keyed
 * once it is over (the peer with ktlso too).  Returns the report.
 */
static struct report handshake(struct __test_metadata *_metadata,
			       FIXTURE_DATA(tickets) *self, int role,
			       const struct script *sc)
{
	struct ktlso_hs_request req = {
		.role = role,
		.timeout_ms = 20000,
		.profile = "web",
	};
	struct report rep;

	if (role == KTLSO_HS_ROLE_CLIENT)
		strcpy(req.server_name, "peer.example");
	EXPECT_EQ(0, ktlso_daemon_start(&self->d, daemon_body, (void *)sc));
	EXPECT_EQ(0, ktlso_request_handshake(self->app, &req));
	EXPECT_EQ(0, ktlso_daemon_finish(&self->d, &rep, sizeof(rep)));
	EXPECT_EQ(0, rep.accept_err);
	EXPECT_EQ(0, rep.keys_err);
	EXPECT_EQ(0, ktlso_attach(self->peer));
	EXPECT_EQ(0, set_keys(self->peer, sc->version, peer_key_bytes,
			      key_bytes));
	return rep;
}

/* A TLS 1.3 client's handshake whose HS_DONE names @id (0: no id). */
static void client13(struct __test_metadata *_metadata,
		     FIXTURE_DATA(tickets) *self, uint64_t id)
{
	struct script sc = {
		.version = TLS_1_3_VERSION,
		.first = { .send = true, .has_id = id != 0, .id = id },
	};
	struct report rep = handshake(_metadata, self, KTLSO_HS_ROLE_CLIENT,
				      &sc);

	ASSERT_EQ(0, rep.done_err);
}

/* The peer sends @len bytes of tickets, then "after": the app reads that. */
static void tickets_then_data(struct __test_metadata *_metadata,
			      FIXTURE_DATA(tickets) *self, const void *t,
			      size_t len)
{
	char buf[64];

	ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, t, len));
	ASSERT_EQ(0, ktlso_write_all(self->peer, "after", 5));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(5, read(self->app, buf, sizeof(buf)));
	ASSERT_STREQ("after", buf);
}

static int hs_flags(int fd)
{
	struct ktlso_hs_result res;

	if (ktlso_handshake_result(fd, &res))
		return -1;
	return res.state == KTLSO_HS_DONE ? (int)res.flags : -2;
}

/*
 * The records of tickets reach the listener exactly, under the id, and
 * the end comes when the application closes its socket.
 */
TEST_F(tickets, forwarded_then_end_at_close)
{
	const uint64_t id = 0x1122334455667788ULL;
	long fwd = ktlso_stat("TlsRxTicketsForwarded");
	long dropped = ktlso_stat("TlsRxTicketsDropped");

	ASSERT_LE(0, fwd);
	client13(_metadata, self, id);
	EXPECT_EQ(0, hs_flags(self->app));
	tickets_then_data(_metadata, self, two_tickets, sizeof(two_tickets));
	ASSERT_EQ(0, ktlso_nl_tickets_next(self->tk, 2000, &self->msg));
	EXPECT_EQ(KTLSO_CMD_TICKETS, self->msg.cmd);
	EXPECT_EQ(id, self->msg.id);
	ASSERT_EQ((int)sizeof(two_tickets), self->msg.len);
	EXPECT_EQ(0, memcmp(two_tickets, self->msg.data, sizeof(two_tickets)));

	tickets_then_data(_metadata, self, one_ticket, sizeof(one_ticket));
	ASSERT_EQ(0, ktlso_nl_tickets_next(self->tk, 2000, &self->msg));
	EXPECT_EQ(KTLSO_CMD_TICKETS, self->msg.cmd);
	EXPECT_EQ(id, self->msg.id);
	ASSERT_EQ((int)sizeof(one_ticket), self->msg.len);
	EXPECT_EQ(0, memcmp(one_ticket, self->msg.data, sizeof(one_ticket)));
	EXPECT_EQ(fwd + 2, ktlso_stat("TlsRxTicketsForwarded"));
	EXPECT_EQ(dropped, ktlso_stat("TlsRxTicketsDropped"));

	/* Nothing yet: the connection is open. */
	EXPECT_EQ(-ETIMEDOUT, ktlso_nl_tickets_next(self->tk, QUIET_MS,
						    &self->msg));
	close(self->app);
	self->app = -1;
	ASSERT_EQ(0, ktlso_nl_tickets_next(self->tk, 2000, &self->msg));
	EXPECT_EQ(KTLSO_CMD_TICKETS_END, self->msg.cmd);
	EXPECT_EQ(id, self->msg.id);
	EXPECT_EQ(-1, self->msg.len);
	EXPECT_EQ(-ETIMEDOUT, ktlso_nl_tickets_next(self->tk, QUIET_MS,
						    &self->msg));
}

/*
 * KTLSO_TICKET_RECORDS_MAX records go, then the end; later records are
 * dropped, and the close sends no second end.
 */
TEST_F(tickets, bounded_per_connection)
{
	const uint64_t id = 77;
	long fwd = ktlso_stat("TlsRxTicketsForwarded");
	long dropped = ktlso_stat("TlsRxTicketsDropped");
	int i;

	client13(_metadata, self, id);
	for (i = 0; i < KTLSO_TICKET_RECORDS_MAX + 2; i++)
		ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, one_ticket,
					sizeof(one_ticket)));
	tickets_then_data(_metadata, self, one_ticket, sizeof(one_ticket));
	for (i = 0; i < KTLSO_TICKET_RECORDS_MAX; i++) {
		ASSERT_EQ(0, ktlso_nl_tickets_next(self->tk, 2000,
						   &self->msg));
		ASSERT_EQ(KTLSO_CMD_TICKETS, self->msg.cmd);
		EXPECT_EQ(id, self->msg.id);
	}
	ASSERT_EQ(0, ktlso_nl_tickets_next(self->tk, 2000, &self->msg));
	EXPECT_EQ(KTLSO_CMD_TICKETS_END, self->msg.cmd);
	EXPECT_EQ(id, self->msg.id);
	EXPECT_EQ(fwd + KTLSO_TICKET_RECORDS_MAX,
		  ktlso_stat("TlsRxTicketsForwarded"));
	EXPECT_EQ(dropped + 3, ktlso_stat("TlsRxTicketsDropped"));
	close(self->app);
	self->app = -1;
	EXPECT_EQ(-ETIMEDOUT, ktlso_nl_tickets_next(self->tk, QUIET_MS,
						    &self->msg));
}

/* Without an id the daemon takes nothing: dropped, no end at close. */
TEST_F(tickets, no_id_dropped)
{
	long fwd = ktlso_stat("TlsRxTicketsForwarded");
	long dropped = ktlso_stat("TlsRxTicketsDropped");

	client13(_metadata, self, 0);
	tickets_then_data(_metadata, self, two_tickets, sizeof(two_tickets));
	EXPECT_EQ(dropped + 1, ktlso_stat("TlsRxTicketsDropped"));
	EXPECT_EQ(fwd, ktlso_stat("TlsRxTicketsForwarded"));
	close(self->app);
	self->app = -1;
	EXPECT_EQ(-ETIMEDOUT, ktlso_nl_tickets_next(self->tk, QUIET_MS,
						    &self->msg));
}

/* An id, and nobody listening: dropped all the same. */
TEST_F(tickets, no_listener_dropped)
{
	long fwd = ktlso_stat("TlsRxTicketsForwarded");
	long dropped = ktlso_stat("TlsRxTicketsDropped");

	nl_socket_free(self->tk);
	self->tk = NULL;
	client13(_metadata, self, 5);
	tickets_then_data(_metadata, self, two_tickets, sizeof(two_tickets));
	EXPECT_EQ(dropped + 1, ktlso_stat("TlsRxTicketsDropped"));
	EXPECT_EQ(fwd, ktlso_stat("TlsRxTicketsForwarded"));
}

/*
 * A server gets no tickets: an id refuses its HS_DONE whole, the request
 * runs on, and one without passes; tickets still reach that application.
 */
TEST_F(tickets, id_refused_for_server)
{
	struct script sc = {
		.version = TLS_1_3_VERSION,
		.first = { .send = true, .has_id = true, .id = 9 },
		.second = { .send = true },
	};
	struct report rep = handshake(_metadata, self, KTLSO_HS_ROLE_SERVER,
				      &sc);
	uint8_t buf[64], type = 0;

	EXPECT_EQ(-EINVAL, rep.done_err);
	EXPECT_EQ(0, rep.second_done_err);
	ASSERT_EQ(0, hs_flags(self->app));
	ASSERT_EQ(0, send_typed(self->peer, HS_RECORD, two_tickets,
				sizeof(two_tickets)));
	EXPECT_EQ((ssize_t)sizeof(two_tickets),
		  recv_typed(self->app, buf, sizeof(buf), &type));
	EXPECT_EQ(HS_RECORD, type);
	EXPECT_EQ(-ETIMEDOUT, ktlso_nl_tickets_next(self->tk, QUIET_MS,
						    &self->msg));
}

/* TLS 1.2 has no tickets after the handshake: an id is refused. */
TEST_F(tickets, id_refused_for_tls12)
{
	struct script sc = {
		.version = TLS_1_2_VERSION,
		.first = { .send = true, .has_id = true, .id = 9 },
		.second = { .send = true },
	};
	struct report rep = handshake(_metadata, self, KTLSO_HS_ROLE_CLIENT,
				      &sc);

	EXPECT_EQ(-EINVAL, rep.done_err);
	EXPECT_EQ(0, rep.second_done_err);
	EXPECT_EQ(0, hs_flags(self->app));
}

/* An id of 0 is out of the policy's range; the request runs on. */
TEST_F(tickets, id_zero_out_of_range)
{
	struct script sc = {
		.version = TLS_1_3_VERSION,
		.first = { .send = true, .has_id = true, .id = 0 },
		.second = { .send = true, .has_id = true, .id = 3 },
	};
	struct report rep = handshake(_metadata, self, KTLSO_HS_ROLE_CLIENT,
				      &sc);

	EXPECT_EQ(-ERANGE, rep.done_err);
	EXPECT_EQ(0, rep.second_done_err);
	tickets_then_data(_metadata, self, one_ticket, sizeof(one_ticket));
	ASSERT_EQ(0, ktlso_nl_tickets_next(self->tk, 2000, &self->msg));
	EXPECT_EQ(KTLSO_CMD_TICKETS, self->msg.cmd);
	EXPECT_EQ(3u, self->msg.id);
}

/* KTLSO_A_RESUMED shows in the result's flags. */
TEST_F(tickets, resumed_in_result)
{
	struct script sc = {
		.version = TLS_1_3_VERSION,
		.first = { .send = true, .resumed = true },
	};
	struct report rep = handshake(_metadata, self, KTLSO_HS_ROLE_CLIENT,
				      &sc);

	EXPECT_EQ(0, rep.done_err);
	EXPECT_EQ(KTLSO_HS_RESUMED, hs_flags(self->app));
}

/* Only administrators may listen to the group. */
TEST_F(tickets, unprivileged_cannot_listen)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct nl_sock *sk;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		_exit(ktlso_nl_tickets_open(&sk) == -EPERM ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
