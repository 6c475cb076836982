// SPDX-License-Identifier: GPL-2.0
/*
 * The session object: creation, the handshake driver that dispatches each
 * message to the negotiated version's state machine, failure handling
 * (log, alert, wipe), and the result. See engine.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "engine/alert.h"
#include "engine/session_int.h"
#include "engine/ticket.h"
#include "engine/tls12.h"
#include "engine/tls13.h"


/* --- logging and failure -------------------------------------------------- */

static void vlog(struct ktlso_session *s, enum ktlso_log_level level,
		 const char *fmt, va_list ap)
{
	char line[512];
	int n;

	if (!s->cfg->log)
		return;
	n = snprintf(line, sizeof(line), "%s: ",
		     s->server ? "server" : "client");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	s->cfg->log(s->cfg->log_arg, level, line);
}

void ktlso_log(struct ktlso_session *s, enum ktlso_log_level level,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(s, level, fmt, ap);
	va_end(ap);
}

int ktlso_hs_fail(struct ktlso_session *s, int err, const char *fmt, ...)
{
	char why[384];
	va_list ap;

	if (s->logged || err >= 0)
		return err;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ktlso_log(s, KTLSO_LOG_ERROR, "%s (%s)", why,
		  ktlso_session_strerror(err));
	s->logged = true;
	return err;
}

const char *ktlso_hs_type_name(uint8_t type)
{
	switch (type) {
	case KTLSO_HS_HELLO_REQUEST:
		return "HelloRequest";
	case KTLSO_HS_CLIENT_HELLO:
		return "ClientHello";
	case KTLSO_HS_SERVER_HELLO:
		return "ServerHello";
	case KTLSO_HS_NEW_SESSION_TICKET:
		return "NewSessionTicket";
	case KTLSO_HS_END_OF_EARLY_DATA:
		return "EndOfEarlyData";
	case KTLSO_HS_ENCRYPTED_EXTENSIONS:
		return "EncryptedExtensions";
	case KTLSO_HS_CERTIFICATE:
		return "Certificate";
	case KTLSO_HS_SERVER_KEY_EXCHANGE:
		return "ServerKeyExchange";
	case KTLSO_HS_CERTIFICATE_REQUEST:
		return "CertificateRequest";
	case KTLSO_HS_SERVER_HELLO_DONE:
		return "ServerHelloDone";
	case KTLSO_HS_CERTIFICATE_VERIFY:
		return "CertificateVerify";
	case KTLSO_HS_CLIENT_KEY_EXCHANGE:
		return "ClientKeyExchange";
	case KTLSO_HS_FINISHED:
		return "Finished";
	case KTLSO_HS_KEY_UPDATE:
		return "KeyUpdate";
	default:
		return "unknown message";
	}
}

int ktlso_random(struct ktlso_session *s, uint8_t *out, size_t len)
{
	const struct ktlso_test_hooks *t = &s->cfg->test;

	if (t->random)
		return t->random(t->arg, out, len);
	return RAND_bytes(out, (int)len) == 1 ? 0 : -KTLSO_ERROR_CRYPTO;
}

uint64_t ktlso_now_ms(const struct ktlso_session *s)
{
	const struct ktlso_test_hooks *t = &s->cfg->test;
	struct timespec ts;

	if (t->now_ms)
		return t->now_ms(t->arg);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool sends_alert(const struct ktlso_session *s, int err)
{
	return !s->peer_alerted && err != -KTLSO_ERROR_IO &&
	       err != -KTLSO_ERROR_CLOSED && err != -KTLSO_ERROR_STATE;
}

static void wipe_keys(struct ktlso_session *s)
{
	if (s->proto)
		s->proto->free(s);
	ktlso_tls13_hs_free(s);
	ktlso_tls12_hs_free(s);
	ktlso_dir_clear(&s->tx);
	ktlso_dir_clear(&s->rx);
	ktlso_transcript_free(&s->ts);
	OPENSSL_cleanse(s->res_master, sizeof(s->res_master));
	s->res_master_set = false;
	if (s->plain)
		OPENSSL_cleanse(s->plain, KTLSO_TLS12_MAX_CIPHERTEXT_LEN);
	s->plain_len = 0;
	s->plain_off = 0;
}

int ktlso_session_abort(struct ktlso_session *s, int err)
{
	int desc;

	if (s->error)
		return s->error;
	if (err == -KTLSO_ERROR_CLOSED && !s->logged)
		ktlso_hs_fail(s, err, "peer closed the connection%s",
			      s->close_received ? " (close_notify)" : "");
	else if (err == -KTLSO_ERROR_IO && !s->logged)
		ktlso_hs_fail(s, err, "transport error: %s",
			      strerror(s->io_errno));
	else
		ktlso_hs_fail(s, err, "%s failed",
			      s->connected ? "session" : "handshake");
	s->error = err;
	if (sends_alert(s, err)) {
		desc = ktlso_error_alert(err);
		ktlso_tx_discard_handshake(s);
		if (ktlso_tx_alert(s, KTLSO_ALERT_LEVEL_FATAL, (uint8_t)desc) == 0) {
			s->alert_sent = desc;
			ktlso_tx_flush(s);	/* best effort */
		}
	}
	wipe_keys(s);
	return err;
}

/* --- creation ------------------------------------------------------------- */

const struct ktlso_proto *ktlso_proto_find(uint16_t version, bool server)
{
	if (version == KTLSO_TLS13_VERSION)
		return server ? &ktlso_tls13_server : &ktlso_tls13_client;
	if (version == KTLSO_TLS12_VERSION)
		return server ? &ktlso_tls12_server : &ktlso_tls12_client;
	return NULL;
}

int ktlso_proto_takeover(struct ktlso_session *s, const struct ktlso_proto *to,
			 const struct ktlso_hs_msg *msg)
{
	if (!to->takeover)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	s->proto = to;
	return to->takeover(s, msg);
}

static int config_error(struct ktlso_session *s, const char *why)
{
	ktlso_log(s, KTLSO_LOG_ERROR, "bad configuration: %s", why);
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

/* Does the suite list hold a suite of a version in the range? */
static bool suite_in_range(const struct ktlso_config *c)
{
	size_t i;

	for (i = 0; i < c->n_suites; i++) {
		const struct ktlso_suite *suite = ktlso_suite_find(c->suites[i]);

		if (suite && suite->version >= c->min_version &&
		    suite->version <= c->max_version)
			return true;
	}
	return false;
}

static int config_check(struct ktlso_session *s)
{
	const struct ktlso_config *c = s->cfg;
	bool verify = ktlso_peer_auth_on(s);

	if (c->min_version > c->max_version ||
	    c->min_version < KTLSO_TLS12_VERSION ||
	    c->max_version > KTLSO_TLS13_VERSION ||
	    !ktlso_proto_find(c->min_version, s->server) ||
	    !ktlso_proto_find(c->max_version, s->server))
		return config_error(s, "bad version range");
	if (!c->n_suites || !c->n_groups || !c->n_sigschemes ||
	    c->n_suites > KTLSO_CONFIG_MAX_LIST ||
	    c->n_groups > KTLSO_CONFIG_MAX_LIST ||
	    c->n_sigschemes > KTLSO_CONFIG_MAX_LIST ||
	    c->n_alpn > KTLSO_CONFIG_MAX_ALPN)
		return config_error(s, "empty or oversized preference list");
	if (!suite_in_range(c))
		return config_error(s, "no cipher suite of a version configured");
	if (c->max_handshake_message < 1024 ||
	    c->max_handshake_message > KTLSO_HS_MAX_BODY_LEN)
		return config_error(s, "max_handshake_message out of range");
	if (s->server && (!c->creds || !c->n_creds))
		return config_error(s, "a server needs a credential");
	if (verify && (!c->trust || !c->trust->store))
		return config_error(s, "peer verification needs a trust store");
	if (c->peer_policy.min_rsa_bits < KTLSO_PEER_MIN_RSA_BITS_LOW ||
	    c->peer_policy.min_rsa_bits > KTLSO_PEER_MIN_RSA_BITS_HIGH)
		return config_error(s, "peer_policy.min_rsa_bits out of range");
	if (c->ticket_keys &&
	    (c->n_tickets > KTLSO_TICKETS_MAX ||
	     c->ticket_lifetime < 1 ||
	     c->ticket_lifetime > KTLSO_TICKET_LIFETIME_MAX ||
	     (c->ticket_context &&
	      strlen(c->ticket_context) > KTLSO_TICKET_CONTEXT_MAX)))
		return config_error(s, "ticket settings out of range");
	if (verify && !s->server && (!c->server_name || !*c->server_name)) {
		if (c->verify_name)
			return config_error(s,
					    "no server_name to verify the server against (verify_name is on)");
		ktlso_log(s, KTLSO_LOG_WARNING,
			  "no server_name: the server's name is not checked");
	}
	return 0;
}

int ktlso_session_new(struct ktlso_session **sp,
		      const struct ktlso_config *cfg, enum ktlso_role role,
		      const struct ktlso_io *io)
{
	struct ktlso_session *s;
	int ret;

	*sp = NULL;
	if (!cfg || !io || !io->read || !io->write ||
	    (role != KTLSO_ROLE_CLIENT && role != KTLSO_ROLE_SERVER))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -KTLSO_ERROR_NO_MEMORY;
	s->cfg = cfg;
	s->io = *io;
	s->server = role == KTLSO_ROLE_SERVER;
	s->alert_sent = -1;
	s->alert_received = -1;
	ktlso_transcript_init(&s->ts);
	ret = config_check(s);
	if (ret == 0) {
		/* Negotiation starts there, whatever the range (session_int.h). */
		s->proto = ktlso_proto_find(KTLSO_TLS13_VERSION, s->server);
		ret = ktlso_transport_init(s);
	}
	if (ret) {
		ktlso_session_free(s);
		return ret;
	}
	*sp = s;
	return 0;
}

void ktlso_session_free(struct ktlso_session *s)
{
	if (!s)
		return;
	wipe_keys(s);
	ktlso_transport_free(s);
	free(s->peer_leaf);
	OPENSSL_clear_free(s, sizeof(*s));
}

/* --- the handshake driver ------------------------------------------------- */

static void handshake_done(struct ktlso_session *s)
{
	s->proto->free(s);
	ktlso_tls13_hs_free(s);
	ktlso_tls12_hs_free(s);
	ktlso_transcript_free(&s->ts);
	ktlso_log(s, KTLSO_LOG_INFO, "%s handshake complete%s: %s, %s%s%s",
		  s->proto->name, s->resumed ? " (resumed)" : "",
		  s->suite->name,
		  ktlso_group_name(s->group) ? ktlso_group_name(s->group) : "?",
		  s->alpn[0] ? ", alpn " : "", s->alpn);
}

/* The current state's handler takes @msg; a state without one takes none. */
static int proto_handle(struct ktlso_session *s, const struct ktlso_hs_msg *msg)
{
	const struct ktlso_proto *p = s->proto;

	if (s->state >= 0 && (size_t)s->state < p->n_handlers &&
	    p->handlers[s->state])
		return p->handlers[s->state](s, msg);
	return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
			     "%s after the handshake",
			     ktlso_hs_type_name(msg->type));
}

int ktlso_session_handshake(struct ktlso_session *s)
{
	struct ktlso_hs_msg msg;
	int ret;

	if (s->error) {
		ktlso_tx_flush(s);
		return s->error;
	}
	if (!s->started) {
		s->started = true;
		ret = s->proto->start(s);
		if (ret < 0)
			return ktlso_session_abort(s, ret);
	}
	for (;;) {
		ret = ktlso_tx_flush(s);
		if (ret)
			return ret > 0 ? ret : ktlso_session_abort(s, ret);
		if (s->connected)
			return 0;
		ret = s->proto->rx ? s->proto->rx(s, &msg) :
				     ktlso_rx_handshake(s, &msg);
		if (ret == KTLSO_WANT_READ)
			return ret;
		if (ret < 0)
			return ktlso_session_abort(s, ret);
		ret = proto_handle(s, &msg);
		if (ret < 0)
			return ktlso_session_abort(s, ret);
		if (s->connected)
			handshake_done(s);
	}
}

/* --- results -------------------------------------------------------------- */

size_t ktlso_session_peer_cert(const struct ktlso_session *s,
			       const uint8_t **der)
{
	*der = NULL;
	if (s->error || !s->connected || !s->peer_verified)
		return 0;
	*der = s->peer_leaf;
	return s->peer_leaf_len;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

int ktlso_session_result(const struct ktlso_session *s,
			 struct ktlso_session_result *res)
{
	size_t hlen;
	int ret;

	memset(res, 0, sizeof(*res));
	if (s->error || !s->connected)
		return -KTLSO_ERROR_STATE;
	res->version = s->version;
	res->suite = s->suite->id;
	res->group = s->group;
	res->sig_scheme = s->sig_scheme;
	res->client_sig_scheme = s->client_sig_scheme;
	copy_str(res->alpn, sizeof(res->alpn), s->alpn);
	copy_str(res->server_name, sizeof(res->server_name), s->sni);
	res->peer_verified = s->peer_verified;
	res->resumed = s->resumed;
	copy_str(res->peer_identity, sizeof(res->peer_identity),
		 s->peer_identity);
	res->tx_seq = s->tx.rp.seq;
	res->rx_seq = s->rx.rp.seq;
	ret = ktlso_crypto_info_fill(&res->tx, &res->tx_len, s->version,
				     s->suite->id, &s->tx.keys, s->tx.rp.seq);
	if (ret == 0)
		ret = ktlso_crypto_info_fill(&res->rx, &res->rx_len, s->version,
					     s->suite->id, &s->rx.keys,
					     s->rx.rp.seq);
	if (ret) {
		ktlso_session_result_clear(res);
		return ret;
	}
	if (s->version == KTLSO_TLS13_VERSION) {
		hlen = ktlso_hash_len(s->suite->hash);
		memcpy(res->tx_secret, s->tx.secret, hlen);
		memcpy(res->rx_secret, s->rx.secret, hlen);
		res->secret_len = hlen;
	}
	return 0;
}

void ktlso_session_result_clear(struct ktlso_session_result *res)
{
	OPENSSL_cleanse(res, sizeof(*res));
}

void ktlso_session_alerts(const struct ktlso_session *s, int *sent,
			  int *received)
{
	if (sent)
		*sent = s->alert_sent;
	if (received)
		*received = s->alert_received;
}

const char *ktlso_session_strerror(int err)
{
	switch (err) {
	case KTLSO_WANT_READ:
		return "want read";
	case KTLSO_WANT_WRITE:
		return "want write";
	case -KTLSO_ERROR_IO:
		return "transport error";
	case -KTLSO_ERROR_CLOSED:
		return "connection closed by the peer";
	case -KTLSO_ERROR_STATE:
		return "not allowed in this state";
	default:
		return ktlso_error_name(err);
	}
}
