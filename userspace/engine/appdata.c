// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace session after the handshake: application data under the
 * engine's record protection, the post-handshake messages of TLS 1.3
 * (NewSessionTicket, KeyUpdate: RFC 8446 4.6), TLS 1.2's refusal of
 * renegotiation (RFC 5246 7.4.1.1, 7.2.2; RFC 5746) and close_notify.
 * See engine.h.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "engine/alert.h"
#include "engine/keysched.h"
#include "engine/msg12.h"
#include "engine/session_int.h"
#include "engine/tls13.h"


static int usable(const struct ktlso_session *s)
{
	if (s->error)
		return s->error;
	return s->connected ? 0 : -KTLSO_ERROR_STATE;
}

/* Send a KeyUpdate, then switch our sending keys (RFC 8446 4.6.3). */
static int send_key_update(struct ktlso_session *s, bool request_peer)
{
	struct ktlso_key_update ku = {
		.request_update = request_peer ? KTLSO_KU_REQUESTED :
						 KTLSO_KU_NOT_REQUESTED,
	};
	uint8_t msg[KTLSO_HS_HEADER_LEN + 1];
	uint8_t next[KTLSO_MAX_HASH_LEN];
	struct ktlso_writer w;
	size_t len;
	int ret;

	ktlso_writer_init(&w, msg, sizeof(msg));
	ktlso_key_update_write(&w, &ku);
	ret = ktlso_writer_finish(&w, &len);
	if (ret == 0)
		ret = ktlso_tx_record(s, KTLSO_CONTENT_HANDSHAKE, msg, len);
	if (ret == 0)
		ret = ktlso_tls13_next_traffic_secret(s->suite->hash,
						      s->tx.secret, next);
	if (ret == 0)
		ret = ktlso_dir_set13(s, true, next);
	OPENSSL_cleanse(next, sizeof(next));
	return ret;
}

static int recv_key_update(struct ktlso_session *s,
			   const struct ktlso_hs_msg *msg)
{
	uint8_t next[KTLSO_MAX_HASH_LEN];
	struct ktlso_key_update ku;
	int ret;

	ret = ktlso_key_update_parse(&ku, msg);
	if (ret)
		return ktlso_hs_fail(s, ret, "malformed KeyUpdate");
	ret = ktlso_tls13_next_traffic_secret(s->suite->hash, s->rx.secret,
					      next);
	if (ret == 0)
		ret = ktlso_dir_set13(s, false, next);
	OPENSSL_cleanse(next, sizeof(next));
	if (ret == 0 && ku.request_update == KTLSO_KU_REQUESTED)
		ret = send_key_update(s, false);
	return ret;
}

/*
 * TLS 1.2: no message is expected after the handshake. A HelloRequest to
 * the client and a ClientHello to the server ask for renegotiation, which
 * the engine refuses with the warning alert RFC 5246 7.2.2 defines for
 * it; the session goes on. Anything else is unexpected_message.
 */
static int post_handshake12(struct ktlso_session *s,
			    const struct ktlso_hs_msg *msg)
{
	int ret;

	if (msg->type == KTLSO_HS_HELLO_REQUEST && !s->server) {
		ret = ktlso_tls12_hello_request_parse(msg);
		if (ret)
			return ktlso_hs_fail(s, ret, "malformed HelloRequest");
	} else if (msg->type != KTLSO_HS_CLIENT_HELLO || !s->server) {
		return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
				     "%s after the handshake",
				     ktlso_hs_type_name(msg->type));
	}
	/*
	 * A renegotiating ClientHello is refused unread: its
	 * renegotiation_info carries the client's verify_data (RFC 5746 3.5).
	 */
	ktlso_log(s, KTLSO_LOG_WARNING, "%s: renegotiation refused",
		  ktlso_hs_type_name(msg->type));
	return ktlso_tx_alert(s, KTLSO_ALERT_LEVEL_WARNING,
			      KTLSO_ALERT_NO_RENEGOTIATION);
}

static int post_handshake(struct ktlso_session *s,
			  const struct ktlso_hs_msg *msg)
{
	if (s->version == KTLSO_TLS12_VERSION)
		return post_handshake12(s, msg);
	switch (msg->type) {
	case KTLSO_HS_NEW_SESSION_TICKET:
		if (s->server)
			break;
		return ktlso_tls13_take_ticket(s, msg);
	case KTLSO_HS_KEY_UPDATE:
		return recv_key_update(s, msg);
	default:
		break;
	}
	return ktlso_hs_fail(s, -KTLSO_ALERT_UNEXPECTED_MESSAGE,
			     "%s after the handshake",
			     ktlso_hs_type_name(msg->type));
}

/* The whole messages of the handshake records read so far. */
static int handshake_msgs(struct ktlso_session *s)
{
	struct ktlso_hs_msg msg;
	int ret;

	while ((ret = ktlso_hs_reader_next(&s->hr, &msg)) == 1) {
		ret = post_handshake(s, &msg);
		if (ret)
			return ret;
	}
	if (ret)
		return ktlso_hs_fail(s, ret, "handshake message too long");
	return 0;
}

/* Take one record: 0 (*@app: application data), KTLSO_WANT_READ, or error */
static int read_record(struct ktlso_session *s, bool *app)
{
	uint8_t type;
	int ret = ktlso_rx_record(s, &type);

	*app = false;
	if (ret)
		return ret;
	if (type == KTLSO_CONTENT_APPLICATION_DATA) {
		*app = true;
		return 0;
	}
	/* No change_cipher_spec after the handshake. */
	ret = ktlso_rx_content(s, type, NULL);
	if (ret == 0 && type == KTLSO_CONTENT_HANDSHAKE)
		ret = handshake_msgs(s);
	s->plain_len = 0;
	s->plain_off = 0;
	return ret;
}

int ktlso_session_read(struct ktlso_session *s, void *buf, size_t cap,
		       size_t *got)
{
	size_t n;
	bool app;
	int ret;

	*got = 0;
	ret = usable(s);
	if (ret || s->close_received)
		return ret;
	ret = ktlso_tx_flush(s);	/* a KeyUpdate answer, say */
	if (ret < 0)
		return ktlso_session_abort(s, ret);
	while (s->plain_off == s->plain_len) {
		ret = read_record(s, &app);
		if (ret == -KTLSO_ERROR_CLOSED && s->close_received)
			return 0;
		if (ret < 0)
			return ktlso_session_abort(s, ret);
		if (ret == KTLSO_WANT_READ)
			return ret;
		ret = ktlso_tx_flush(s);
		if (ret < 0)
			return ktlso_session_abort(s, ret);
	}
	n = s->plain_len - s->plain_off;
	if (n > cap)
		n = cap;
	memcpy(buf, s->plain + s->plain_off, n);
	OPENSSL_cleanse(s->plain + s->plain_off, n);
	s->plain_off += n;
	*got = n;
	return 0;
}

int ktlso_session_flush(struct ktlso_session *s)
{
	int ret = usable(s);

	if (ret)
		return ret;
	ret = ktlso_tx_flush(s);
	return ret < 0 ? ktlso_session_abort(s, ret) : ret;
}

int ktlso_session_write(struct ktlso_session *s, const void *buf, size_t len,
			size_t *written)
{
	int ret;

	*written = 0;
	ret = usable(s);
	if (ret == 0 && s->close_sent)
		ret = -KTLSO_ERROR_STATE;
	if (ret)
		return ret;
	ret = ktlso_session_flush(s);
	if (ret || len == 0)
		return ret;
	if (len > KTLSO_MAX_PLAINTEXT_LEN)
		len = KTLSO_MAX_PLAINTEXT_LEN;
	ret = ktlso_tx_record(s, KTLSO_CONTENT_APPLICATION_DATA, buf, len);
	if (ret)
		return ktlso_session_abort(s, ret);
	*written = len;
	return ktlso_session_flush(s);
}

int ktlso_session_key_update(struct ktlso_session *s, bool request_peer)
{
	int ret = usable(s);

	if (ret == 0 && (s->close_sent || s->version != KTLSO_TLS13_VERSION))
		ret = -KTLSO_ERROR_STATE;
	if (ret)
		return ret;
	ret = send_key_update(s, request_peer);
	if (ret)
		return ktlso_session_abort(s, ret);
	return ktlso_session_flush(s);
}

int ktlso_session_close(struct ktlso_session *s)
{
	int ret = usable(s);

	if (ret)
		return ret;
	if (!s->close_sent) {
		ret = ktlso_tx_alert(s, KTLSO_ALERT_LEVEL_WARNING,
				     KTLSO_ALERT_CLOSE_NOTIFY);
		if (ret)
			return ktlso_session_abort(s, ret);
		s->close_sent = true;
	}
	return ktlso_session_flush(s);
}
