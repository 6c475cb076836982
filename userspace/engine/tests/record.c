// SPDX-License-Identifier: GPL-2.0
/*
 * Record protection for every version x AEAD: round trips, the wire format
 * checked against a reference built here straight from the RFCs' nonce and
 * additional-data formulas (a second, independent construction on raw
 * libcrypto AEAD calls), tampering, reordering, sequence exhaustion and
 * every length limit. RFC 8448's records (rfc8448.c) pin TLS 1.3 AES-GCM to
 * published bytes; this file covers the remaining combinations.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/record.h"
#include "record_ref.h"
#include "vector_file.h"

#define TAG_LEN 16
#define BUF_LEN (KTLSO_MAX_RECORD_LEN + 64)

FIXTURE(record) {
	const struct ktlso_suite *suite;
	const struct ktlso_aead_info *aead;
	struct ktlso_traffic_keys keys;
	struct ktlso_record_protection tx, rx;
	uint8_t *plain, *sealed, *opened;
};

FIXTURE_VARIANT(record) {
	uint16_t version;
	uint16_t suite;
};

FIXTURE_VARIANT_ADD(record, tls13_aes_128_gcm) { KTLSO_TLS13_VERSION, 0x1301 };
FIXTURE_VARIANT_ADD(record, tls13_aes_256_gcm) { KTLSO_TLS13_VERSION, 0x1302 };
FIXTURE_VARIANT_ADD(record, tls13_chacha20_poly1305) { KTLSO_TLS13_VERSION, 0x1303 };
FIXTURE_VARIANT_ADD(record, tls13_aes_128_ccm) { KTLSO_TLS13_VERSION, 0x1304 };
FIXTURE_VARIANT_ADD(record, tls12_aes_128_gcm) { KTLSO_TLS12_VERSION, 0xc02f };
FIXTURE_VARIANT_ADD(record, tls12_aes_256_gcm) { KTLSO_TLS12_VERSION, 0xc030 };
FIXTURE_VARIANT_ADD(record, tls12_chacha20_poly1305) { KTLSO_TLS12_VERSION, 0xcca8 };
FIXTURE_VARIANT_ADD(record, tls12_aes_128_ccm) { KTLSO_TLS12_VERSION, 0xc0ac };

static bool tls13(const FIXTURE_VARIANT(record) *variant)
{
	return variant->version == KTLSO_TLS13_VERSION;
}

/* (Re)key both directions at sequence number @seq. */
static void rekey(struct __test_metadata *_metadata,
		  FIXTURE_DATA(record) *self,
		  const FIXTURE_VARIANT(record) *variant, uint64_t seq)
{
	ktlso_record_clear(&self->tx);
	ktlso_record_clear(&self->rx);
	ASSERT_EQ(0, ktlso_record_init(&self->tx, variant->version,
				       variant->suite, &self->keys, seq, true));
	ASSERT_EQ(0, ktlso_record_init(&self->rx, variant->version,
				       variant->suite, &self->keys, seq, false));
}

FIXTURE_SETUP(record)
{
	size_t i;

	self->suite = ktlso_suite_find(variant->suite);
	ASSERT_NE(NULL, self->suite);
	self->aead = ktlso_aead_info(self->suite->aead);
	ASSERT_NE(NULL, self->aead);
	self->keys.key_len = self->aead->key_len;
	self->keys.iv_len = tls13(variant) ? KTLSO_AEAD_NONCE_LEN :
					     self->aead->tls12_fixed_iv_len;
	for (i = 0; i < sizeof(self->keys.key); i++)
		self->keys.key[i] = (uint8_t)(0x40 + 3 * i);
	for (i = 0; i < sizeof(self->keys.iv); i++)
		self->keys.iv[i] = (uint8_t)(0xa0 + 5 * i);
	self->plain = malloc(BUF_LEN);
	self->sealed = malloc(BUF_LEN);
	self->opened = malloc(BUF_LEN);
	ASSERT_NE(NULL, self->plain);
	ASSERT_NE(NULL, self->sealed);
	ASSERT_NE(NULL, self->opened);
	for (i = 0; i < BUF_LEN; i++)
		self->plain[i] = (uint8_t)(i * 31 + 7);
	rekey(_metadata, self, variant, 0);
}

FIXTURE_TEARDOWN(record)
{
	ktlso_record_clear(&self->tx);
	ktlso_record_clear(&self->rx);
	free(self->plain);
	free(self->sealed);
	free(self->opened);
	EXPECT_EQ(0, test_leaks());
}

/* The reference construction (record_ref.h) with this fixture's keys. */
#define REF(self, variant)						\
	(&(struct ref_keys){ .aead = (self)->aead,			\
			     .key = (self)->keys.key,			\
			     .iv = (self)->keys.iv,			\
			     .tls13 = tls13(variant) })

/* --- tests ---------------------------------------------------------------- */

/* Seal, check the wire format against the reference, open, compare. */
static void seal_open(struct __test_metadata *_metadata,
		      FIXTURE_DATA(record) *self,
		      const FIXTURE_VARIANT(record) *variant, uint8_t type,
		      size_t len, size_t pad)
{
	uint64_t seq = self->tx.seq;
	size_t sealed_len, opened_len, ref_len;
	uint8_t got_type;

	ASSERT_EQ(0, ktlso_record_seal(&self->tx, type, self->plain, len, pad,
				       self->sealed, BUF_LEN, &sealed_len));
	ASSERT_EQ(ktlso_record_sealed_len(&self->tx, len, pad), sealed_len);
	EXPECT_EQ(seq + 1, self->tx.seq);
	/* Header: TLS 1.3 shows application_data; version 0x0303; length. */
	EXPECT_EQ(tls13(variant) ? 23 : type, self->sealed[0]);
	EXPECT_EQ(0x03, self->sealed[1]);
	EXPECT_EQ(0x03, self->sealed[2]);
	EXPECT_EQ(sealed_len - 5,
		  (size_t)(self->sealed[3] << 8 | self->sealed[4]));

	ASSERT_TRUE(ref_open(REF(self, variant), seq, self->sealed, sealed_len,
			     self->opened, &ref_len))
		TH_LOG("reference rejects a %zu-byte record", len);
	if (tls13(variant)) {
		ASSERT_EQ(len + 1 + pad, ref_len);
		EXPECT_EQ(type, self->opened[len]);
	} else {
		ASSERT_EQ(len, ref_len);
	}
	EXPECT_EQ(0, memcmp(self->plain, self->opened, len));

	memset(self->opened, 0xcc, len + 1);
	ASSERT_EQ(0, ktlso_record_open(&self->rx, self->sealed, sealed_len,
				       &got_type, self->opened, BUF_LEN,
				       &opened_len));
	EXPECT_EQ(type, got_type);
	ASSERT_EQ(len, opened_len);
	EXPECT_EQ(0, memcmp(self->plain, self->opened, len));
	EXPECT_EQ(seq + 1, self->rx.seq);
}

TEST_F(record, round_trip)
{
	static const size_t lens[] = {
		0, 1, 15, 16, 17, 100, 1000, KTLSO_MAX_PLAINTEXT_LEN,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		seal_open(_metadata, self, variant,
			  KTLSO_CONTENT_APPLICATION_DATA, lens[i], 0);
		seal_open(_metadata, self, variant, KTLSO_CONTENT_HANDSHAKE,
			  lens[i], 0);
	}
	seal_open(_metadata, self, variant, KTLSO_CONTENT_ALERT, 2, 0);
	EXPECT_EQ(2 * 8 + 1U, self->rx.seq);
}

/* TLS 1.3 pads within the inner plaintext; TLS 1.2 has no padding. */
TEST_F(record, padding)
{
	size_t len;

	if (!tls13(variant)) {
		EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
			  ktlso_record_seal(&self->tx, KTLSO_CONTENT_HANDSHAKE,
					    self->plain, 10, 1, self->sealed,
					    BUF_LEN, &len));
		EXPECT_EQ(0U, self->tx.seq);
		return;
	}
	seal_open(_metadata, self, variant, KTLSO_CONTENT_HANDSHAKE, 10, 1);
	seal_open(_metadata, self, variant, KTLSO_CONTENT_APPLICATION_DATA, 0,
		  100);
	/* The largest inner plaintext: 2^14 of content + type and padding. */
	seal_open(_metadata, self, variant, KTLSO_CONTENT_APPLICATION_DATA,
		  KTLSO_MAX_PLAINTEXT_LEN - 50, 50);
	seal_open(_metadata, self, variant, KTLSO_CONTENT_ALERT, 2,
		  KTLSO_MAX_PLAINTEXT_LEN - 2);
	/* One byte more of padding than fits. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_seal(&self->tx, KTLSO_CONTENT_ALERT, self->plain,
				    2, KTLSO_MAX_PLAINTEXT_LEN - 1, self->sealed,
				    BUF_LEN, &len));
}

/* Sequence numbers past 2^32 reach every byte of the nonce. */
TEST_F(record, high_sequence_numbers)
{
	rekey(_metadata, self, variant, 0x0102030405060708ULL);
	seal_open(_metadata, self, variant, KTLSO_CONTENT_APPLICATION_DATA,
		  33, 0);
	seal_open(_metadata, self, variant, KTLSO_CONTENT_APPLICATION_DATA,
		  33, 0);
}

/* What flipping the low bit of record byte @i must make open() return. */
static int tamper_error(const FIXTURE_VARIANT(record) *variant, size_t i)
{
	if (i == 0)		/* type 23 -> 22 */
		return tls13(variant) ? -KTLSO_ALERT_UNEXPECTED_MESSAGE :
					-KTLSO_ALERT_BAD_RECORD_MAC;
	if (i <= 2)		/* legacy version */
		return tls13(variant) ? -KTLSO_ALERT_BAD_RECORD_MAC :
					-KTLSO_ALERT_PROTOCOL_VERSION;
	if (i <= 4)		/* length */
		return -KTLSO_ALERT_DECODE_ERROR;
	return -KTLSO_ALERT_BAD_RECORD_MAC;	/* nonce, ciphertext, tag */
}

/* Every single-bit change anywhere in the record is rejected. */
TEST_F(record, tamper)
{
	size_t sealed_len, out_len, i;
	uint8_t type;
	int ret;

	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				       self->plain, 40, 0, self->sealed,
				       BUF_LEN, &sealed_len));
	for (i = 0; i < sealed_len; i++) {
		self->sealed[i] ^= 0x01;
		ret = ktlso_record_open(&self->rx, self->sealed, sealed_len,
					&type, self->opened, BUF_LEN, &out_len);
		self->sealed[i] ^= 0x01;
		EXPECT_EQ(tamper_error(variant, i), ret) TH_LOG("byte %zu", i);
		EXPECT_EQ(0U, out_len);
	}
	/* Nothing above consumed a sequence number. */
	EXPECT_EQ(0U, self->rx.seq);
	EXPECT_EQ(0, ktlso_record_open(&self->rx, self->sealed, sealed_len,
				       &type, self->opened, BUF_LEN, &out_len));
}

/* A record out of order, or replayed, does not authenticate. */
TEST_F(record, reorder_and_replay)
{
	uint8_t *second = self->opened + KTLSO_MAX_RECORD_LEN / 2, type;
	size_t first_len, second_len, out_len;

	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_HANDSHAKE,
				       self->plain, 20, 0, self->sealed, 100,
				       &first_len));
	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_HANDSHAKE,
				       self->plain, 20, 0, second, 100,
				       &second_len));
	EXPECT_EQ(-KTLSO_ALERT_BAD_RECORD_MAC,
		  ktlso_record_open(&self->rx, second, second_len, &type,
				    self->plain, BUF_LEN, &out_len));
	ASSERT_EQ(0, ktlso_record_open(&self->rx, self->sealed, first_len,
				       &type, self->plain, BUF_LEN, &out_len));
	EXPECT_EQ(-KTLSO_ALERT_BAD_RECORD_MAC,
		  ktlso_record_open(&self->rx, self->sealed, first_len, &type,
				    self->plain, BUF_LEN, &out_len));
	EXPECT_EQ(0, ktlso_record_open(&self->rx, second, second_len, &type,
				       self->plain, BUF_LEN, &out_len));
}

/* The records numbered 2^64-2 and 2^64-1 go; the next is refused. */
TEST_F(record, sequence_exhaustion)
{
	size_t len[2], out_len, spare_len;
	uint8_t *second = self->sealed + 64, type;

	rekey(_metadata, self, variant, UINT64_MAX - 1);
	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				       self->plain, 8, 0, self->sealed, 64,
				       &len[0]));
	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				       self->plain, 8, 0, second, 64, &len[1]));
	EXPECT_EQ(-KTLSO_ERROR_SEQUENCE_EXHAUSTED,
		  ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				    self->plain, 8, 0, self->opened, 64,
				    &spare_len));
	EXPECT_EQ(0U, spare_len);
	EXPECT_TRUE(ref_open(REF(self, variant), UINT64_MAX, second, len[1],
			     self->opened, &out_len));

	ASSERT_EQ(0, ktlso_record_open(&self->rx, self->sealed, len[0], &type,
				       self->opened, BUF_LEN, &out_len));
	ASSERT_EQ(0, ktlso_record_open(&self->rx, second, len[1], &type,
				       self->opened, BUF_LEN, &out_len));
	EXPECT_EQ(-KTLSO_ERROR_SEQUENCE_EXHAUSTED,
		  ktlso_record_open(&self->rx, second, len[1], &type,
				    self->opened, BUF_LEN, &out_len));
}

TEST_F(record, seal_limits)
{
	size_t need = ktlso_record_sealed_len(&self->tx, 100, 0), len;

	EXPECT_EQ(SIZE_MAX, ktlso_record_sealed_len(&self->tx,
			KTLSO_MAX_PLAINTEXT_LEN + 1, 0));
	EXPECT_EQ(SIZE_MAX, ktlso_record_sealed_len(&self->tx, 0, SIZE_MAX));

	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				    self->plain, KTLSO_MAX_PLAINTEXT_LEN + 1, 0,
				    self->sealed, BUF_LEN, &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				    self->plain, 100,
				    tls13(variant) ? KTLSO_MAX_PLAINTEXT_LEN - 99 : 1,
				    self->sealed, BUF_LEN, &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_seal(&self->tx, 0, self->plain, 100, 0,
				    self->sealed, BUF_LEN, &len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_seal(&self->tx, 24, self->plain, 100, 0,
				    self->sealed, BUF_LEN, &len));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				    self->plain, 100, 0, self->sealed, need - 1,
				    &len));
	/* Opening state cannot seal. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_seal(&self->rx, KTLSO_CONTENT_APPLICATION_DATA,
				    self->plain, 100, 0, self->sealed, BUF_LEN,
				    &len));
	/* None of that consumed a sequence number. */
	EXPECT_EQ(0U, self->tx.seq);
	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				       self->plain, 100, 0, self->sealed, need,
				       &len));
	EXPECT_EQ(need, len);
	/* TLS 1.3 never protects change_cipher_spec; TLS 1.2 does. */
	EXPECT_EQ(tls13(variant) ? -KTLSO_ERROR_INVALID_ARGUMENT : 0,
		  ktlso_record_seal(&self->tx, KTLSO_CONTENT_CHANGE_CIPHER_SPEC,
				    self->plain, 1, 0, self->sealed, BUF_LEN,
				    &len));
	EXPECT_EQ(tls13(variant) ? 1U : 2U, self->tx.seq);
}

TEST_F(record, open_limits)
{
	size_t sealed_len, out_len, xn;
	uint8_t type, *big = self->sealed;
	size_t max_ct = tls13(variant) ? KTLSO_TLS13_MAX_CIPHERTEXT_LEN :
					 KTLSO_TLS12_MAX_CIPHERTEXT_LEN;

	xn = tls13(variant) ? 0 : self->aead->tls12_explicit_nonce_len;
	ASSERT_EQ(0, ktlso_record_seal(&self->tx, KTLSO_CONTENT_APPLICATION_DATA,
				       self->plain, 100, 0, self->opened,
				       BUF_LEN, &sealed_len));
	/* Output one byte short of the content. */
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_record_open(&self->rx, self->opened, sealed_len, &type,
				    self->plain, 100 + (tls13(variant) ? 1 : 0) - 1,
				    &out_len));
	/* Truncated header; a record shorter or longer than its header says. */
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_record_open(&self->rx, self->opened, 4, &type,
				    self->plain, BUF_LEN, &out_len));
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_record_open(&self->rx, self->opened, sealed_len - 1,
				    &type, self->plain, BUF_LEN, &out_len));
	EXPECT_EQ(-KTLSO_ALERT_DECODE_ERROR,
		  ktlso_record_open(&self->rx, self->opened, sealed_len + 1,
				    &type, self->plain, BUF_LEN, &out_len));
	/* Sealing state cannot open. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_open(&self->tx, self->opened, sealed_len, &type,
				    self->plain, BUF_LEN, &out_len));

	/* Ciphertext one byte over the version's limit: record_overflow. */
	memset(big, 0, BUF_LEN);
	big[0] = 23;
	big[1] = big[2] = 0x03;
	big[3] = (uint8_t)((max_ct + 1) >> 8);
	big[4] = (uint8_t)(max_ct + 1);
	EXPECT_EQ(-KTLSO_ALERT_RECORD_OVERFLOW,
		  ktlso_record_open(&self->rx, big, 5 + max_ct + 1, &type,
				    self->plain, BUF_LEN, &out_len));
	if (!tls13(variant)) {
		/* TLS 1.2: content over 2^14 even within the ciphertext limit. */
		size_t ct = xn + KTLSO_MAX_PLAINTEXT_LEN + 1 + TAG_LEN;

		big[3] = (uint8_t)(ct >> 8);
		big[4] = (uint8_t)ct;
		EXPECT_EQ(-KTLSO_ALERT_RECORD_OVERFLOW,
			  ktlso_record_open(&self->rx, big, 5 + ct, &type,
					    self->plain, BUF_LEN, &out_len));
	}
	/* Too short to carry a tag (and TLS 1.3's inner type). */
	big[3] = 0;
	big[4] = (uint8_t)(xn + TAG_LEN - (tls13(variant) ? 0 : 1));
	EXPECT_EQ(-KTLSO_ALERT_BAD_RECORD_MAC,
		  ktlso_record_open(&self->rx, big, 5 + big[4], &type,
				    self->plain, BUF_LEN, &out_len));
	/* A TLS 1.2 record with an unknown content type. */
	if (!tls13(variant)) {
		self->opened[0] = 24;
		EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
			  ktlso_record_open(&self->rx, self->opened, sealed_len,
					    &type, self->plain, BUF_LEN,
					    &out_len));
	}
	EXPECT_EQ(0U, self->rx.seq);
}

/*
 * Records the engine never sends but must judge: made by the reference.
 * TLS 1.3: an all-zero inner plaintext has no content type, and
 * change_cipher_spec or an unknown type may not be one (unexpected_message);
 * content over 2^14 is record_overflow, though the
 * ciphertext is within its limit; an empty record opens. TLS 1.2: the same
 * content overflow, and an empty record.
 */
TEST_F(record, reference_records_at_limits)
{
	uint8_t *data = self->plain, type;
	size_t rec_len, out_len, big = KTLSO_MAX_PLAINTEXT_LEN + 1;
	const uint8_t app = KTLSO_CONTENT_APPLICATION_DATA;

	if (tls13(variant)) {
		memset(data, 0, 32);
		ASSERT_TRUE(ref_seal(REF(self, variant), 0, app, data, 32,
				     self->sealed, &rec_len));
		EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
			  ktlso_record_open(&self->rx, self->sealed, rec_len,
					    &type, self->opened, BUF_LEN,
					    &out_len));
	}
	if (tls13(variant)) {
		/* Inner change_cipher_spec, and an unknown inner type. */
		data[0] = 'x';
		data[1] = KTLSO_CONTENT_CHANGE_CIPHER_SPEC;
		ASSERT_TRUE(ref_seal(REF(self, variant), 0, app, data, 2,
				     self->sealed, &rec_len));
		EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
			  ktlso_record_open(&self->rx, self->sealed, rec_len,
					    &type, self->opened, BUF_LEN,
					    &out_len));
		data[1] = 0x42;
		ASSERT_TRUE(ref_seal(REF(self, variant), 0, app, data, 2,
				     self->sealed, &rec_len));
		EXPECT_EQ(-KTLSO_ALERT_UNEXPECTED_MESSAGE,
			  ktlso_record_open(&self->rx, self->sealed, rec_len,
					    &type, self->opened, BUF_LEN,
					    &out_len));
	}
	memset(data, 0x61, big);
	data[big] = app;		/* TLS 1.3's inner type */
	ASSERT_TRUE(ref_seal(REF(self, variant), 0, app, data,
			     big + (tls13(variant) ? 1 : 0), self->sealed,
			     &rec_len));
	EXPECT_EQ(-KTLSO_ALERT_RECORD_OVERFLOW,
		  ktlso_record_open(&self->rx, self->sealed, rec_len, &type,
				    self->opened, BUF_LEN, &out_len));

	data[0] = app;
	ASSERT_TRUE(ref_seal(REF(self, variant), 0, app, data,
			     tls13(variant) ? 1 : 0, self->sealed, &rec_len));
	EXPECT_EQ(0, ktlso_record_open(&self->rx, self->sealed, rec_len, &type,
				       self->opened, BUF_LEN, &out_len));
	EXPECT_EQ(0U, out_len);
	EXPECT_EQ(app, type);
	EXPECT_EQ(1U, self->rx.seq);
}

/*
 * RFC 8446 5.4: the full encoded TLSInnerPlaintext (content, type and
 * padding) must not exceed 2^14 + 1 bytes, whatever the content's own
 * length; over it is record_overflow (5.2), and the ciphertext is still
 * within its 2^14 + 256 limit. At 2^14 + 1 it opens.
 */
TEST_F(record, tls13_inner_plaintext_limit)
{
	static const struct {
		size_t content, pad;
		int want;
	} cases[] = {
		{ KTLSO_MAX_PLAINTEXT_LEN, 1, -KTLSO_ALERT_RECORD_OVERFLOW },
		{ KTLSO_MAX_PLAINTEXT_LEN - 1, 2, -KTLSO_ALERT_RECORD_OVERFLOW },
		{ 0, KTLSO_MAX_PLAINTEXT_LEN + 1, -KTLSO_ALERT_RECORD_OVERFLOW },
		{ 10, 200, 0 },
		{ KTLSO_MAX_PLAINTEXT_LEN - 1, 1, 0 },
		{ 0, KTLSO_MAX_PLAINTEXT_LEN, 0 },
		{ KTLSO_MAX_PLAINTEXT_LEN, 0, 0 },
	};
	const uint8_t app = KTLSO_CONTENT_APPLICATION_DATA;
	uint8_t *data = self->plain, type;
	size_t i, inner, rec_len, out_len;
	uint64_t seq;

	if (!tls13(variant))
		SKIP(return, "TLS 1.3 only");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		inner = cases[i].content + 1 + cases[i].pad;
		seq = self->rx.seq;
		memset(data, 0x61, cases[i].content);
		data[cases[i].content] = app;
		memset(data + cases[i].content + 1, 0, cases[i].pad);
		ASSERT_TRUE(ref_seal(REF(self, variant), seq, app, data, inner,
				     self->sealed, &rec_len));
		ASSERT_GE((size_t)KTLSO_TLS13_MAX_CIPHERTEXT_LEN, rec_len - 5);
		memset(self->opened, 0xcc, inner);
		EXPECT_EQ(cases[i].want,
			  ktlso_record_open(&self->rx, self->sealed, rec_len,
					    &type, self->opened, BUF_LEN,
					    &out_len))
			TH_LOG("content %zu, padding %zu", cases[i].content,
			       cases[i].pad);
		if (cases[i].want) {
			/* Nothing given, nothing consumed. */
			EXPECT_EQ(seq, self->rx.seq);
			EXPECT_EQ(0U, out_len);
			continue;
		}
		EXPECT_EQ(seq + 1, self->rx.seq);
		EXPECT_EQ(cases[i].content, out_len);
		EXPECT_EQ(app, type);
	}
}

TEST_F(record, init_rejects)
{
	struct ktlso_record_protection rp;
	struct ktlso_traffic_keys bad = self->keys;

	/* The suite of the other version. */
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_init(&rp, tls13(variant) ? KTLSO_TLS12_VERSION :
					 KTLSO_TLS13_VERSION, variant->suite,
				    &self->keys, 0, true));
	EXPECT_EQ(NULL, rp.ctx);
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_init(&rp, variant->version, 0x0000, &self->keys,
				    0, true));
	bad.key_len--;
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_init(&rp, variant->version, variant->suite, &bad,
				    0, true));
	bad = self->keys;
	bad.iv_len = tls13(variant) ? 4 : 12 + 4 - bad.iv_len;
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_record_init(&rp, variant->version, variant->suite, &bad,
				    0, true));
	ktlso_traffic_keys_clear(&bad);
}

TEST_HARNESS_MAIN
