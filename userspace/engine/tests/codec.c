// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded reader and writer: every integer width, vectors and their
 * bounds, truncation, trailing bytes, sticky errors, and the writer's
 * capacity, nesting and length patching.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/codec.h"

#define DECODE_ERROR (-KTLSO_ALERT_DECODE_ERROR)

TEST(reader_integers)
{
	static const uint8_t in[] = {
		0x01,					/* u8 */
		0x02, 0x03,				/* u16 */
		0x04, 0x05, 0x06,			/* u24 */
		0x07, 0x08, 0x09, 0x0a,			/* u32 */
		0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,	/* u48 */
		0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8,	/* u64 */
	};
	struct ktlso_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;
	uint64_t u48, u64;

	ktlso_reader_init(&r, in, sizeof(in));
	ASSERT_EQ(0, ktlso_get_u8(&r, &u8));
	ASSERT_EQ(0, ktlso_get_u16(&r, &u16));
	ASSERT_EQ(0, ktlso_get_u24(&r, &u24));
	ASSERT_EQ(0, ktlso_get_u32(&r, &u32));
	ASSERT_EQ(0, ktlso_get_u48(&r, &u48));
	ASSERT_EQ(0, ktlso_get_u64(&r, &u64));
	EXPECT_EQ(0x01, u8);
	EXPECT_EQ(0x0203, u16);
	EXPECT_EQ(0x040506U, u24);
	EXPECT_EQ(0x0708090aU, u32);
	EXPECT_EQ(0x0b0c0d0e0f10ULL, u48);
	EXPECT_EQ(0xfffefdfcfbfaf9f8ULL, u64);
	EXPECT_EQ(0U, ktlso_reader_remaining(&r));
	EXPECT_EQ(0, ktlso_reader_end(&r));
}

/* Each width, one byte short: decode_error, zeroed output, nothing read. */
TEST(reader_truncated_integers)
{
	static const uint8_t in[8] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22 };
	struct ktlso_reader r;
	uint16_t u16 = 0xffff;
	uint32_t u32 = 0xffffffff;
	uint64_t u64 = UINT64_MAX;
	uint8_t u8 = 0xff;

	ktlso_reader_init(&r, in, 0);
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u8(&r, &u8));
	EXPECT_EQ(0, u8);
	ktlso_reader_init(&r, in, 1);
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u16(&r, &u16));
	EXPECT_EQ(0, u16);
	EXPECT_EQ(0U, r.off);
	ktlso_reader_init(&r, in, 2);
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u24(&r, &u32));
	EXPECT_EQ(0U, u32);
	ktlso_reader_init(&r, in, 3);
	u32 = 1;
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u32(&r, &u32));
	EXPECT_EQ(0U, u32);
	ktlso_reader_init(&r, in, 5);
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u48(&r, &u64));
	EXPECT_EQ(0U, u64);
	ktlso_reader_init(&r, in, 7);
	u64 = 1;
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u64(&r, &u64));
	EXPECT_EQ(0U, u64);
	EXPECT_EQ(0U, r.off);
}

TEST(reader_bytes_and_span)
{
	static const uint8_t in[] = { 1, 2, 3, 4, 5 };
	struct ktlso_reader r;
	const uint8_t *p;
	uint8_t out[4];

	ktlso_reader_init(&r, in, sizeof(in));
	ASSERT_EQ(0, ktlso_get_bytes(&r, out, 2));
	EXPECT_EQ(0, memcmp(out, in, 2));
	ASSERT_EQ(0, ktlso_get_span(&r, 2, &p));
	EXPECT_EQ(in + 2, p);
	ASSERT_EQ(0, ktlso_get_bytes(&r, out, 0));
	/* Two bytes wanted, one left. */
	memset(out, 0x55, sizeof(out));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_bytes(&r, out, 2));
	EXPECT_EQ(0, out[0]);
	EXPECT_EQ(0, out[1]);
	EXPECT_EQ(DECODE_ERROR, ktlso_get_span(&r, 1, &p));
	EXPECT_EQ(NULL, p);
	/* A length near SIZE_MAX must not wrap the bounds check. */
	ktlso_reader_init(&r, in, sizeof(in));
	ASSERT_EQ(0, ktlso_get_span(&r, 1, &p));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_span(&r, SIZE_MAX, &p));
	EXPECT_EQ(NULL, p);
}

/* After the first failure nothing more is read, even what would fit. */
TEST(reader_sticky)
{
	static const uint8_t in[] = { 0x00, 0x05, 0x01 };
	struct ktlso_reader r;
	uint8_t u8 = 0xff;
	uint32_t u32;

	ktlso_reader_init(&r, in, sizeof(in));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u32(&r, &u32));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u8(&r, &u8));
	EXPECT_EQ(0, u8);
	EXPECT_EQ(0U, r.off);
	EXPECT_EQ(DECODE_ERROR, ktlso_reader_end(&r));
}

TEST(reader_trailing_bytes)
{
	static const uint8_t in[] = { 0x12, 0x34, 0x56 };
	struct ktlso_reader r;
	uint16_t v;

	ktlso_reader_init(&r, in, sizeof(in));
	ASSERT_EQ(0, ktlso_get_u16(&r, &v));
	EXPECT_EQ(DECODE_ERROR, ktlso_reader_end(&r));
	/* And the failure sticks. */
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u8(&r, &(uint8_t){ 0 }));
}

TEST(reader_empty_input)
{
	struct ktlso_reader r;

	ktlso_reader_init(&r, NULL, 10);	/* NULL means empty */
	EXPECT_EQ(0U, ktlso_reader_remaining(&r));
	EXPECT_EQ(0, ktlso_reader_end(&r));
}

/* 8-, 16- and 24-bit vectors, nested, each ended exactly. */
TEST(vector_nested)
{
	static const uint8_t in[] = {
		0x00, 0x00, 0x09,		/* <0..2^24-1>, 9 bytes */
		  0x00, 0x07,			/* <0..2^16-1>, 7 bytes */
		    0x03, 'a', 'b', 'c',	/* <1..255>, 3 bytes */
		    0x02, 'd', 'e',		/* <1..255>, 2 bytes */
	};
	struct ktlso_reader r, outer, mid, inner;
	uint8_t buf[3];

	ktlso_reader_init(&r, in, sizeof(in));
	ASSERT_EQ(0, ktlso_get_vector(&r, 3, 0, 0xffffff, &outer));
	ASSERT_EQ(0, ktlso_reader_end(&r));
	ASSERT_EQ(0, ktlso_get_vector(&outer, 2, 0, 0xffff, &mid));
	ASSERT_EQ(0, ktlso_reader_end(&outer));
	ASSERT_EQ(0, ktlso_get_vector(&mid, 1, 1, 255, &inner));
	ASSERT_EQ(3U, ktlso_reader_remaining(&inner));
	ASSERT_EQ(0, ktlso_get_bytes(&inner, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(0, ktlso_reader_end(&inner));
	ASSERT_EQ(0, ktlso_get_vector(&mid, 1, 1, 255, &inner));
	ASSERT_EQ(0, ktlso_get_bytes(&inner, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	EXPECT_EQ(0, ktlso_reader_end(&inner));
	EXPECT_EQ(0, ktlso_reader_end(&mid));
}

TEST(vector_bound_violations)
{
	/* Length 4 announced, 3 bytes present: truncated body. */
	static const uint8_t truncated[] = { 0x00, 0x04, 1, 2, 3 };
	/* Length 3 where at most 2 are allowed: over-long. */
	static const uint8_t too_long[] = { 0x03, 1, 2, 3 };
	/* Empty where at least 1 is required: under-long. */
	static const uint8_t too_short[] = { 0x00 };
	/* The prefix itself cut short. */
	static const uint8_t short_prefix[] = { 0x00, 0x00 };
	/* One byte inside the vector left unread. */
	static const uint8_t trailing[] = { 0x02, 0xaa, 0xbb };
	struct ktlso_reader r, sub;
	uint8_t u8;

	ktlso_reader_init(&r, truncated, sizeof(truncated));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_vector(&r, 2, 0, 0xffff, &sub));
	EXPECT_EQ(0U, ktlso_reader_remaining(&sub));
	EXPECT_EQ(DECODE_ERROR, ktlso_reader_end(&sub));

	ktlso_reader_init(&r, too_long, sizeof(too_long));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_vector(&r, 1, 0, 2, &sub));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u8(&sub, &u8));

	ktlso_reader_init(&r, too_short, sizeof(too_short));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_vector(&r, 1, 1, 255, &sub));

	ktlso_reader_init(&r, short_prefix, sizeof(short_prefix));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_vector(&r, 3, 0, 0xffffff, &sub));

	ktlso_reader_init(&r, trailing, sizeof(trailing));
	ASSERT_EQ(0, ktlso_get_vector(&r, 1, 0, 255, &sub));
	ASSERT_EQ(0, ktlso_get_u8(&sub, &u8));
	EXPECT_EQ(DECODE_ERROR, ktlso_reader_end(&sub));
	/* The parent itself was consumed exactly. */
	EXPECT_EQ(0, ktlso_reader_end(&r));
}

/* A vector's bounds are inclusive. */
TEST(vector_bounds_inclusive)
{
	static const uint8_t two[] = { 0x02, 7, 8 };
	struct ktlso_reader r, sub;

	ktlso_reader_init(&r, two, sizeof(two));
	EXPECT_EQ(0, ktlso_get_vector(&r, 1, 2, 2, &sub));
	EXPECT_EQ(2U, ktlso_reader_remaining(&sub));
}

/* A sub-reader can never see past its vector into the parent's bytes. */
TEST(vector_confines_sub_reader)
{
	static const uint8_t in[] = { 0x01, 0xaa, 0xbb, 0xcc };
	struct ktlso_reader r, sub;
	uint16_t v;

	ktlso_reader_init(&r, in, sizeof(in));
	ASSERT_EQ(0, ktlso_get_vector(&r, 1, 0, 255, &sub));
	EXPECT_EQ(DECODE_ERROR, ktlso_get_u16(&sub, &v));
	ASSERT_EQ(0, ktlso_get_u16(&r, &v));
	EXPECT_EQ(0xbbcc, v);
}

TEST(vector_bad_arguments)
{
	static const uint8_t in[] = { 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct ktlso_reader r, sub;

	ktlso_reader_init(&r, in, sizeof(in));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_get_vector(&r, 4, 0, 10, &sub));
	ktlso_reader_init(&r, in, sizeof(in));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_get_vector(&r, 1, 5, 4, &sub));
	EXPECT_EQ(0U, r.off);
}

TEST(writer_integers)
{
	static const uint8_t want[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
		0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 'x', 'y',
	};
	struct ktlso_writer w;
	uint8_t buf[sizeof(want)];
	size_t len;

	ktlso_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, ktlso_put_u8(&w, 0x01));
	ASSERT_EQ(0, ktlso_put_u16(&w, 0x0203));
	ASSERT_EQ(0, ktlso_put_u24(&w, 0x040506));
	ASSERT_EQ(0, ktlso_put_u32(&w, 0x0708090a));
	ASSERT_EQ(0, ktlso_put_u48(&w, 0x0b0c0d0e0f10ULL));
	ASSERT_EQ(0, ktlso_put_u64(&w, 0xfffefdfcfbfaf9f8ULL));
	ASSERT_EQ(0, ktlso_put_bytes(&w, "xy", 2));
	ASSERT_EQ(0, ktlso_writer_finish(&w, &len));
	ASSERT_EQ(sizeof(want), len);
	EXPECT_EQ(0, memcmp(want, buf, len));
}

/* Values too wide for their field are refused, not truncated. */
TEST(writer_value_too_wide)
{
	struct ktlso_writer w;
	uint8_t buf[16];
	size_t len;

	ktlso_writer_init(&w, buf, sizeof(buf));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_put_u24(&w, 0x1000000));
	EXPECT_EQ(0U, w.len);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_writer_finish(&w, &len));
	ktlso_writer_init(&w, buf, sizeof(buf));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_put_u48(&w, 0x1000000000000ULL));
}

/* Capacity: the write that does not fit fails and later ones too. */
TEST(writer_capacity_sticky)
{
	struct ktlso_writer w;
	uint8_t buf[8];
	size_t len = 99;

	memset(buf, 0xee, sizeof(buf));
	ktlso_writer_init(&w, buf, 3);
	ASSERT_EQ(0, ktlso_put_u16(&w, 0xabcd));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE, ktlso_put_u16(&w, 0x1234));
	EXPECT_EQ(0xee, buf[2]);		/* nothing partial written */
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE, ktlso_put_u8(&w, 0x01));
	EXPECT_EQ(0xee, buf[2]);
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE, ktlso_writer_finish(&w, &len));
	EXPECT_EQ(0U, len);
	/* A huge length cannot wrap the capacity check. */
	ktlso_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, ktlso_put_u8(&w, 0));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE, ktlso_put_bytes(&w, buf, SIZE_MAX));
}

/* What writer_vectors wrote, the reader reads back within bounds. */
static void read_back(struct __test_metadata *_metadata, const uint8_t *buf,
		      size_t len)
{
	struct ktlso_reader r, a, b, c;
	uint16_t tail;

	ktlso_reader_init(&r, buf, len);
	ASSERT_EQ(0, ktlso_get_vector(&r, 3, 0, 0xffffff, &a));
	ASSERT_EQ(0, ktlso_get_vector(&a, 2, 1, 0xffff, &b));
	ASSERT_EQ(0, ktlso_get_vector(&b, 1, 1, 255, &c));
	EXPECT_EQ(2U, ktlso_reader_remaining(&c));
	ASSERT_EQ(0, ktlso_get_vector(&b, 1, 0, 255, &c));
	EXPECT_EQ(0, ktlso_reader_end(&c));
	ASSERT_EQ(0, ktlso_get_u16(&b, &tail));
	EXPECT_EQ(0xbeef, tail);
	EXPECT_EQ(0, ktlso_reader_end(&b));
	EXPECT_EQ(0, ktlso_reader_end(&a));
	EXPECT_EQ(0, ktlso_reader_end(&r));
}

/* Placeholders are patched when vectors close, at every depth. */
TEST(writer_vectors)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x08,		/* u24 length */
		  0x00, 0x06,			/* u16 length */
		    0x02, 'h', '2',		/* u8 length */
		    0x00,			/* empty u8 vector */
		    0xbe, 0xef,
	};
	struct ktlso_writer w;
	uint8_t buf[32];
	size_t len;

	ktlso_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 3, 0, 0xffffff));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 2, 1, 0xffff));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 1, 1, 255));
	ASSERT_EQ(0, ktlso_put_bytes(&w, "h2", 2));
	ASSERT_EQ(0, ktlso_writer_close_vector(&w));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 1, 0, 255));
	ASSERT_EQ(0, ktlso_writer_close_vector(&w));
	ASSERT_EQ(0, ktlso_put_u16(&w, 0xbeef));
	ASSERT_EQ(0, ktlso_writer_close_vector(&w));
	ASSERT_EQ(0, ktlso_writer_close_vector(&w));
	ASSERT_EQ(0, ktlso_writer_finish(&w, &len));
	ASSERT_EQ(sizeof(want), len);
	EXPECT_EQ(0, memcmp(want, buf, len));

	read_back(_metadata, buf, len);
}

TEST(writer_vector_bound_violations)
{
	struct ktlso_writer w;
	uint8_t buf[600];
	size_t len;

	/* Body longer than its declared maximum. */
	ktlso_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 1, 0, 2));
	ASSERT_EQ(0, ktlso_put_bytes(&w, "abc", 3));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_writer_close_vector(&w));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_writer_finish(&w, &len));

	/* Body shorter than its minimum. */
	ktlso_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 2, 2, 10));
	ASSERT_EQ(0, ktlso_put_u8(&w, 1));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_writer_close_vector(&w));

	/* A maximum the prefix cannot express. */
	ktlso_writer_init(&w, buf, sizeof(buf));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_writer_open_vector(&w, 1, 0, 256));
	EXPECT_EQ(0U, w.len);

	/* Close with nothing open; finish with a vector still open. */
	ktlso_writer_init(&w, buf, sizeof(buf));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_writer_close_vector(&w));
	ktlso_writer_init(&w, buf, sizeof(buf));
	ASSERT_EQ(0, ktlso_writer_open_vector(&w, 1, 0, 255));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT, ktlso_writer_finish(&w, &len));
	EXPECT_EQ(0U, len);

	/* The placeholder itself does not fit. */
	ktlso_writer_init(&w, buf, 2);
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE, ktlso_writer_open_vector(&w, 3, 0, 10));
}

TEST(writer_nesting_limit)
{
	struct ktlso_writer w;
	uint8_t buf[64];
	int i;

	ktlso_writer_init(&w, buf, sizeof(buf));
	for (i = 0; i < KTLSO_WRITER_MAX_DEPTH; i++)
		ASSERT_EQ(0, ktlso_writer_open_vector(&w, 1, 0, 255));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_writer_open_vector(&w, 1, 0, 255));
}

/* Error names for log lines. */
TEST(error_names)
{
	EXPECT_STREQ("ok", ktlso_error_name(0));
	EXPECT_STREQ("decode_error", ktlso_error_name(DECODE_ERROR));
	EXPECT_STREQ("bad_record_mac",
		     ktlso_error_name(-KTLSO_ALERT_BAD_RECORD_MAC));
	EXPECT_STREQ("record sequence number exhausted",
		     ktlso_error_name(-KTLSO_ERROR_SEQUENCE_EXHAUSTED));
	EXPECT_STREQ("unknown", ktlso_error_name(-3));
	EXPECT_EQ(KTLSO_ALERT_DECODE_ERROR, ktlso_error_alert(DECODE_ERROR));
	EXPECT_EQ(KTLSO_ALERT_INTERNAL_ERROR,
		  ktlso_error_alert(-KTLSO_ERROR_NO_SPACE));
}

TEST_HARNESS_MAIN
