/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support for the handshake message tests: take an RFC 8448 message
 * from the vectors, build messages from a body, write a message into a
 * buffer, and open the trace's protected records.
 */
#ifndef KTLSO_ENGINE_TESTS_MSG_TEST_H
#define KTLSO_ENGINE_TESTS_MSG_TEST_H

#include <stdint.h>
#include <string.h>

#include "engine/alert.h"
#include "engine/codec.h"
#include "engine/keysched.h"
#include "engine/msg.h"
#include "engine/record.h"
#include "vector_file.h"

#define MSG_BUF_MAX 4096

/* A message built or copied by a test. */
struct test_msg {
	uint8_t buf[MSG_BUF_MAX];
	size_t len;
	struct ktlso_hs_msg msg;
};

/* Frame @body as a message of @type into @m (and split it into m->msg). */
static inline void msg_build(struct __test_metadata *_metadata,
			     struct test_msg *m, uint8_t type,
			     const uint8_t *body, size_t body_len)
{
	ASSERT_GE(sizeof(m->buf) - KTLSO_HS_HEADER_LEN, body_len);
	m->buf[0] = type;
	m->buf[1] = (uint8_t)(body_len >> 16);
	m->buf[2] = (uint8_t)(body_len >> 8);
	m->buf[3] = (uint8_t)body_len;
	if (body_len)
		memcpy(m->buf + KTLSO_HS_HEADER_LEN, body, body_len);
	m->len = KTLSO_HS_HEADER_LEN + body_len;
	ASSERT_EQ(0, ktlso_hs_msg_split(&m->msg, m->buf, m->len));
}

/* The RFC 8448 message @name, split. */
static inline void msg_from_vector(struct __test_metadata *_metadata,
				   const struct test_vectors *tv,
				   const char *name, struct test_msg *m)
{
	const struct test_vector *v = VEC(tv, name, 0);

	ASSERT_GE(sizeof(m->buf), v->len);
	memcpy(m->buf, v->data, v->len);
	m->len = v->len;
	ASSERT_EQ(0, ktlso_hs_msg_split(&m->msg, m->buf, m->len))
		TH_LOG("%s does not frame", name);
}

/* Open the trace's record @record_name under @secret_name at @seq. */
static inline void open_trace_record(struct __test_metadata *_metadata,
				     const struct test_vectors *tv,
				     const char *secret_name,
				     const char *record_name, uint8_t *plain,
				     size_t cap, size_t *plain_len)
{
	const struct test_vector *rec = VEC(tv, record_name, 0);
	struct ktlso_record_protection rx;
	struct ktlso_traffic_keys keys;
	uint8_t type;

	ASSERT_EQ(0, ktlso_tls13_traffic_keys(ktlso_suite_find(0x1301),
			VEC(tv, secret_name, 32)->data, &keys));
	ASSERT_EQ(0, ktlso_record_init(&rx, KTLSO_TLS13_VERSION, 0x1301, &keys,
				       0, false));
	ktlso_traffic_keys_clear(&keys);
	ASSERT_EQ(0, ktlso_record_open(&rx, rec->data, rec->len, &type, plain,
				       cap, plain_len));
	ktlso_record_clear(&rx);
	ASSERT_EQ(KTLSO_CONTENT_HANDSHAKE, type);
}

#endif /* KTLSO_ENGINE_TESTS_MSG_TEST_H */
