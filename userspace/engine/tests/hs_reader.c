// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake framing and reassembly: the RFC 8448 server flight (four
 * messages in one record) opened with the record layer and fed whole, byte
 * by byte and in every chunk size; message size limits; empty fragments;
 * undrained input; the key-change boundary check; the header writer.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/msg.h"
#include "msg_test.h"
#include "vector_file.h"

#define DECODE_ERROR (-KTLSO_ALERT_DECODE_ERROR)

static const char *const flight_msgs[] = {
	"encrypted_extensions", "certificate", "certificate_verify",
	"server_finished",
};

FIXTURE(hs_reader) {
	struct test_vectors tv;
	struct ktlso_hs_reader hr;
	uint8_t flight[1024];
	size_t flight_len;
};

FIXTURE_SETUP(hs_reader)
{
	ASSERT_EQ(0, test_vectors_load(&self->tv, "rfc8448-simple-1rtt.txt"));
	open_trace_record(_metadata, &self->tv, "s_hs_traffic",
			  "server_flight_record", self->flight,
			  sizeof(self->flight), &self->flight_len);
	ASSERT_EQ(0, ktlso_hs_reader_init(&self->hr, 4096));
}

FIXTURE_TEARDOWN(hs_reader)
{
	ktlso_hs_reader_free(&self->hr);
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

/*
 * Feed the flight in chunks of @chunk bytes, draining after each; the
 * four messages must come out whole, in order, and equal to the trace's.
 */
static void feed_flight(struct __test_metadata *_metadata,
			FIXTURE_DATA(hs_reader) *self, size_t chunk)
{
	struct ktlso_hs_msg msg;
	size_t off = 0, got = 0, taken = 0;
	int ret;

	while (off < self->flight_len) {
		size_t n = self->flight_len - off < chunk ?
			   self->flight_len - off : chunk;

		ASSERT_EQ(0, ktlso_hs_reader_feed(&self->hr, self->flight + off,
						  n));
		off += n;
		while ((ret = ktlso_hs_reader_next(&self->hr, &msg)) == 1) {
			const struct test_vector *v;

			ASSERT_LT(got, ARRAY_SIZE(flight_msgs));
			v = VEC(&self->tv, flight_msgs[got], 0);
			ASSERT_EQ(v->len, msg.raw.len) TH_LOG("chunk %zu", chunk);
			EXPECT_EQ(0, memcmp(v->data, msg.raw.p, v->len));
			EXPECT_EQ(v->data[0], msg.type);
			EXPECT_EQ(v->len - KTLSO_HS_HEADER_LEN, msg.body.len);
			EXPECT_EQ(msg.raw.p + KTLSO_HS_HEADER_LEN, msg.body.p);
			taken += msg.raw.len;
			got++;
		}
		ASSERT_EQ(0, ret);
		/* Bytes are held back exactly while a message is incomplete. */
		EXPECT_EQ(taken == off, ktlso_hs_reader_empty(&self->hr));
	}
	EXPECT_EQ(ARRAY_SIZE(flight_msgs), got);
}

TEST_F(hs_reader, several_messages_in_one_record)
{
	feed_flight(_metadata, self, self->flight_len);
}

TEST_F(hs_reader, one_byte_fragments)
{
	feed_flight(_metadata, self, 1);
}

TEST_F(hs_reader, every_chunk_size)
{
	size_t chunk;

	for (chunk = 2; chunk < self->flight_len; chunk++) {
		ktlso_hs_reader_free(&self->hr);
		ASSERT_EQ(0, ktlso_hs_reader_init(&self->hr, 4096));
		feed_flight(_metadata, self, chunk);
	}
}

/* A header announcing more than the maximum fails before the body. */
TEST_F(hs_reader, message_too_long)
{
	static const uint8_t header[] = { 0x0b, 0x00, 0x10, 0x01 };
	static const uint8_t at_max[] = { 0x0b, 0x00, 0x10, 0x00 };
	struct ktlso_hs_reader hr;
	struct ktlso_hs_msg msg;

	ASSERT_EQ(0, ktlso_hs_reader_feed(&self->hr, header, sizeof(header)));
	EXPECT_EQ(DECODE_ERROR, ktlso_hs_reader_next(&self->hr, &msg));
	/* Sticky. */
	EXPECT_EQ(DECODE_ERROR, ktlso_hs_reader_feed(&self->hr, header, 1));
	EXPECT_EQ(DECODE_ERROR, ktlso_hs_reader_next(&self->hr, &msg));

	/* Exactly the maximum is accepted and waits for its body. */
	ASSERT_EQ(0, ktlso_hs_reader_init(&hr, 4096));
	ASSERT_EQ(0, ktlso_hs_reader_feed(&hr, at_max, sizeof(at_max)));
	EXPECT_EQ(0, ktlso_hs_reader_next(&hr, &msg));
	EXPECT_FALSE(ktlso_hs_reader_empty(&hr));
	ktlso_hs_reader_free(&hr);
}

/* The largest body fits even when a full record follows it. */
TEST_F(hs_reader, largest_message_across_records)
{
	static uint8_t rec[KTLSO_MAX_PLAINTEXT_LEN];
	struct ktlso_hs_msg msg;
	size_t body = 4096, sent = 0, n;
	int ret = 0;

	memset(rec, 0x5a, sizeof(rec));
	rec[0] = KTLSO_HS_CERTIFICATE;
	rec[1] = 0;
	rec[2] = (uint8_t)(body >> 8);
	rec[3] = (uint8_t)body;
	/* 4 + 4096 bytes of this message, then a full record of another. */
	while (sent < KTLSO_HS_HEADER_LEN + body) {
		n = KTLSO_HS_HEADER_LEN + body - sent;
		if (n > 1000)
			n = 1000;
		ASSERT_EQ(0, ktlso_hs_reader_feed(&self->hr, rec, n));
		sent += n;
		ret = ktlso_hs_reader_next(&self->hr, &msg);
		if (sent < KTLSO_HS_HEADER_LEN + body)
			ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(1, ret);
	EXPECT_EQ(body, msg.body.len);
	EXPECT_EQ(0, ktlso_hs_reader_next(&self->hr, &msg));
	ASSERT_EQ(0, ktlso_hs_reader_feed(&self->hr, rec, sizeof(rec)));
}

TEST_F(hs_reader, empty_fragment)
{
	struct ktlso_hs_msg msg;

	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_hs_reader_feed(&self->hr, self->flight, 0));
	EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
		  ktlso_hs_reader_next(&self->hr, &msg));
}

TEST_F(hs_reader, oversized_feed_and_undrained)
{
	static uint8_t big[KTLSO_MAX_PLAINTEXT_LEN + 1];
	static const uint8_t fin[] = { 0x14, 0x00, 0x00, 0x01, 0xaa };
	struct ktlso_hs_reader hr;
	size_t i;
	int ret = 0;

	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hs_reader_feed(&self->hr, big, sizeof(big)));

	/* Whole messages never taken out: the buffer eventually fills. */
	ASSERT_EQ(0, ktlso_hs_reader_init(&hr, 16));
	for (i = 0; i < 10000 && ret == 0; i++)
		ret = ktlso_hs_reader_feed(&hr, fin, sizeof(fin));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE, ret);
	ktlso_hs_reader_free(&hr);

	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_hs_reader_init(&hr, 0));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hs_reader_init(&hr, KTLSO_HS_MAX_BODY_LEN + 1));
	ktlso_hs_reader_free(&hr);
}

TEST_F(hs_reader, partial_header_then_rest)
{
	static const uint8_t ku[] = { 0x18, 0x00, 0x00, 0x01, 0x01 };
	struct ktlso_hs_msg msg;
	size_t i;

	for (i = 0; i < sizeof(ku); i++) {
		ASSERT_EQ(0, ktlso_hs_reader_feed(&self->hr, ku + i, 1));
		if (i + 1 < sizeof(ku)) {
			ASSERT_EQ(0, ktlso_hs_reader_next(&self->hr, &msg));
			EXPECT_FALSE(ktlso_hs_reader_empty(&self->hr));
		}
	}
	ASSERT_EQ(1, ktlso_hs_reader_next(&self->hr, &msg));
	EXPECT_EQ(KTLSO_HS_KEY_UPDATE, msg.type);
	EXPECT_EQ(1U, msg.body.len);
	EXPECT_TRUE(ktlso_hs_reader_empty(&self->hr));
}

/* A zero-length body is a whole message (EndOfEarlyData has one). */
TEST_F(hs_reader, empty_body)
{
	static const uint8_t eoed[] = { 0x05, 0x00, 0x00, 0x00 };
	struct ktlso_hs_msg msg;

	ASSERT_EQ(0, ktlso_hs_reader_feed(&self->hr, eoed, sizeof(eoed)));
	ASSERT_EQ(1, ktlso_hs_reader_next(&self->hr, &msg));
	EXPECT_EQ(KTLSO_HS_END_OF_EARLY_DATA, msg.type);
	EXPECT_EQ(0U, msg.body.len);
	EXPECT_EQ(4U, msg.raw.len);
}

TEST(split_and_header)
{
	static const uint8_t fin[] = { 0x14, 0x00, 0x00, 0x02, 0xaa, 0xbb };
	uint8_t out[8];
	struct ktlso_hs_msg msg;
	struct ktlso_writer w;
	size_t len;

	ASSERT_EQ(0, ktlso_hs_msg_split(&msg, fin, sizeof(fin)));
	EXPECT_EQ(KTLSO_HS_FINISHED, msg.type);
	EXPECT_EQ(2U, msg.body.len);
	EXPECT_EQ(fin + 4, msg.body.p);
	EXPECT_EQ(DECODE_ERROR, ktlso_hs_msg_split(&msg, fin, 5));
	EXPECT_EQ(DECODE_ERROR, ktlso_hs_msg_split(&msg, fin, 3));
	EXPECT_EQ(DECODE_ERROR, ktlso_hs_msg_split(&msg, NULL, 0));

	ktlso_writer_init(&w, out, sizeof(out));
	ASSERT_EQ(0, ktlso_hs_header_write(&w, KTLSO_HS_FINISHED, 2));
	ASSERT_EQ(0, ktlso_put_bytes(&w, fin + 4, 2));
	ASSERT_EQ(0, ktlso_writer_finish(&w, &len));
	ASSERT_EQ(sizeof(fin), len);
	EXPECT_EQ(0, memcmp(fin, out, len));

	ktlso_writer_init(&w, out, sizeof(out));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_hs_header_write(&w, KTLSO_HS_MESSAGE_HASH,
					KTLSO_HS_MAX_BODY_LEN + 1));
}

TEST_HARNESS_MAIN
