// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.2 handshake messages against a real handshake: the messages of
 * vectors/tls12-openssl-handshake.txt (OpenSSL 3.0, ECDHE-ECDSA, client
 * authentication, session ticket) parsed and their fields checked, written
 * back byte for byte, cut at every byte, given trailing bytes and handed
 * to every other parser. The captured signatures and Finished messages are
 * checked too, which proves that the spans the parsers expose (the signed
 * ServerECDHParams, the certificates, the transcript) are the exact bytes.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "engine/alert.h"
#include "engine/keysched.h"
#include "engine/msg.h"
#include "engine/msg12.h"
#include "msg_test.h"
#include "vector_file.h"

#define DECODE (-KTLSO_ALERT_DECODE_ERROR)
#define UNEXPECTED (-KTLSO_ALERT_UNEXPECTED_MESSAGE)
#define BIT(e) KTLSO_EXT_BIT(KTLSO_EXT_##e)

/*
 * What the captured ClientHello offered (encrypt_then_mac, unknown to the
 * engine, aside), renegotiation_info by its SCSV.
 */
#define OFFERED								\
	(BIT(SERVER_NAME) | BIT(EC_POINT_FORMATS) | BIT(SUPPORTED_GROUPS) | \
	 BIT(SESSION_TICKET) | BIT(ALPN) | BIT(EXTENDED_MASTER_SECRET) |	\
	 BIT(SIGNATURE_ALGORITHMS))
#define OFFERED_SCSV (OFFERED | BIT(RENEGOTIATION_INFO))

/* The messages of the capture, in handshake order. */
enum which {
	W_CH, W_SH, W_SCERT, W_SKE, W_CR, W_SHD, W_CCERT, W_CKE, W_CV, W_CF,
	W_NST, W_SF, W_COUNT
};

static const char *const names[W_COUNT] = {
	"client_hello", "server_hello", "server_certificate",
	"server_key_exchange", "certificate_request", "server_hello_done",
	"client_certificate", "client_key_exchange", "certificate_verify",
	"client_finished", "new_session_ticket", "server_finished",
};

static const char *name_of(size_t i)
{
	return i < W_COUNT ? names[i] : "?";
}

FIXTURE(msg12) {
	struct test_vectors tv;
	struct test_msg m[W_COUNT];
};

FIXTURE_SETUP(msg12)
{
	size_t i;

	ASSERT_EQ(0, test_vectors_load(&self->tv,
				       "tls12-openssl-handshake.txt"));
	for (i = 0; i < W_COUNT; i++)
		msg_from_vector(_metadata, &self->tv, names[i], &self->m[i]);
}

FIXTURE_TEARDOWN(msg12)
{
	test_vectors_free(&self->tv);
	EXPECT_EQ(0, test_leaks());
}

union parsed {
	struct ktlso_client_hello ch;
	struct ktlso_tls12_server_hello sh;
	struct ktlso_tls12_certificate ct;
	struct ktlso_tls12_server_key_exchange ske;
	struct ktlso_tls12_certificate_request cr;
	struct ktlso_tls12_client_key_exchange cke;
	struct ktlso_certificate_verify cv;
	struct ktlso_finished fin;
	struct ktlso_tls12_new_session_ticket nst;
};

/* Run the parser for @w over @msg. */
static int parse_as(enum which w, const struct ktlso_hs_msg *msg,
		    union parsed *u)
{
	switch (w) {
	case W_CH:
		return ktlso_client_hello_parse(&u->ch, msg);
	case W_SH:
		return ktlso_tls12_server_hello_parse(&u->sh, msg, OFFERED_SCSV);
	case W_SCERT:
	case W_CCERT:
		return ktlso_tls12_certificate_parse(&u->ct, msg);
	case W_SKE:
		return ktlso_tls12_server_key_exchange_parse(&u->ske, msg);
	case W_CR:
		return ktlso_tls12_certificate_request_parse(&u->cr, msg);
	case W_SHD:
		return ktlso_tls12_server_hello_done_parse(msg);
	case W_CKE:
		return ktlso_tls12_client_key_exchange_parse(&u->cke, msg);
	case W_CV:
		return ktlso_certificate_verify_parse(&u->cv, msg);
	case W_CF:
	case W_SF:
		return ktlso_tls12_finished_parse(&u->fin, msg);
	case W_NST:
		return ktlso_tls12_new_session_ticket_parse(&u->nst, msg);
	case W_COUNT:
		break;
	}
	return -KTLSO_ERROR_INVALID_ARGUMENT;
}

/* Parse @msg as @w and write it back into @out (NewSessionTicket: none). */
static int reencode(enum which w, const struct ktlso_hs_msg *msg,
		    uint8_t *out, size_t cap, size_t *out_len)
{
	struct ktlso_writer wr;
	union parsed u;
	int ret = parse_as(w, msg, &u);

	if (ret)
		return ret;
	ktlso_writer_init(&wr, out, cap);
	switch (w) {
	case W_CH:
		ret = ktlso_client_hello_write(&wr, &u.ch);
		break;
	case W_SH:
		ret = ktlso_tls12_server_hello_write(&wr, &u.sh);
		break;
	case W_SCERT:
	case W_CCERT:
		ret = ktlso_tls12_certificate_write(&wr, &u.ct);
		break;
	case W_SKE:
		ret = ktlso_tls12_server_key_exchange_write(&wr, &u.ske);
		break;
	case W_CR:
		ret = ktlso_tls12_certificate_request_write(&wr, &u.cr);
		break;
	case W_SHD:
		ret = ktlso_tls12_server_hello_done_write(&wr);
		break;
	case W_CKE:
		ret = ktlso_tls12_client_key_exchange_write(&wr, &u.cke);
		break;
	case W_CV:
		ret = ktlso_certificate_verify_write(&wr, &u.cv);
		break;
	case W_CF:
	case W_SF:
		ret = ktlso_tls12_finished_write(&wr, &u.fin);
		break;
	case W_NST:
	case W_COUNT:
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	if (ret)
		return ret;
	return ktlso_writer_finish(&wr, out_len);
}

static bool span_is(const struct ktlso_span *s, const void *p, size_t len)
{
	return s->len == len && (len == 0 || memcmp(s->p, p, len) == 0);
}

/* The public key of DER certificate @cert (caller frees), or NULL. */
static EVP_PKEY *cert_key(const struct ktlso_span *cert, char *cn,
			  size_t cn_len)
{
	const unsigned char *p = cert->p;
	X509 *x = d2i_X509(NULL, &p, (long)cert->len);
	EVP_PKEY *key = NULL;

	if (!x)
		return NULL;
	if (p == cert->p + cert->len &&
	    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
				      cn, (int)cn_len) > 0)
		key = X509_get_pubkey(x);
	X509_free(x);
	return key;
}

/* Verify @sig over @data with @key and SHA-256 (RSA: PSS, salt = 32). */
static int verify_sha256(EVP_PKEY *key, bool pss, const uint8_t *data,
			 size_t len, const struct ktlso_span *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (ctx && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL,
					key) == 1 &&
	    (!pss ||
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
					       RSA_PSS_SALTLEN_DIGEST) == 1)))
		ok = EVP_DigestVerify(ctx, sig->p, sig->len, data, len);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The raw messages @from..@to (inclusive) back to back into @out. */
static size_t transcript(const struct test_msg *m, enum which from,
			 enum which to, uint8_t *out, size_t cap)
{
	size_t len = 0, i;

	for (i = from; i <= to; i++) {
		if (m[i].len > cap - len)
			return 0;
		memcpy(out + len, m[i].buf, m[i].len);
		len += m[i].len;
	}
	return len;
}

TEST_F(msg12, client_hello_fields)
{
	struct ktlso_client_hello ch;

	ASSERT_EQ(0, ktlso_client_hello_parse(&ch, &self->m[W_CH].msg));
	EXPECT_EQ(0x0303, ch.legacy_version);
	EXPECT_EQ(0, memcmp(self->m[W_CH].buf + 6, ch.random,
			    KTLSO_RANDOM_LEN));
	EXPECT_EQ(28U, ch.cipher_suites.n);
	EXPECT_EQ(0xc02c, ktlso_u16_list_at(&ch.cipher_suites, 0));
	EXPECT_TRUE(ktlso_u16_list_has(&ch.cipher_suites, 0x00ff));	/* SCSV */
	EXPECT_EQ(OFFERED, ch.ext.present);
	EXPECT_TRUE(span_is(&ch.server_name, "server.example", 14));
	EXPECT_TRUE(span_is(&ch.ec_point_formats, "\x00\x01\x02", 3));
	EXPECT_EQ(KTLSO_EXT_EC_POINT_FORMATS, ch.ext.order[1]);
	EXPECT_EQ(0U, ch.session_ticket.len);
	EXPECT_EQ(1U, ch.alpn.n);
	EXPECT_EQ(0U, ch.supported_versions.n);
	EXPECT_EQ(0, ktlso_tls12_client_hello_check(&ch));
}

TEST_F(msg12, server_hello_fields)
{
	struct ktlso_tls12_server_hello sh;

	ASSERT_EQ(0, ktlso_tls12_server_hello_parse(&sh, &self->m[W_SH].msg,
						    OFFERED_SCSV));
	EXPECT_EQ(0x0303, sh.legacy_version);
	EXPECT_EQ(0, memcmp(self->m[W_SH].buf + 6, sh.random,
			    KTLSO_RANDOM_LEN));
	EXPECT_EQ(0, ktlso_tls12_downgrade_sentinel(sh.random));
	EXPECT_EQ(0U, sh.session_id.len);
	EXPECT_EQ(0xc02c, sh.cipher_suite);
	EXPECT_TRUE(sh.extensions);
	EXPECT_EQ(BIT(RENEGOTIATION_INFO) | BIT(EC_POINT_FORMATS) |
		  BIT(SESSION_TICKET) | BIT(ALPN) |
		  BIT(EXTENDED_MASTER_SECRET), sh.ext.present);
	ASSERT_EQ(5, sh.ext.n);
	EXPECT_EQ(KTLSO_EXT_RENEGOTIATION_INFO, sh.ext.order[0]);
	EXPECT_EQ(KTLSO_EXT_EC_POINT_FORMATS, sh.ext.order[1]);
	EXPECT_EQ(KTLSO_EXT_SESSION_TICKET, sh.ext.order[2]);
	EXPECT_EQ(KTLSO_EXT_ALPN, sh.ext.order[3]);
	EXPECT_EQ(KTLSO_EXT_EXTENDED_MASTER_SECRET, sh.ext.order[4]);
	EXPECT_TRUE(span_is(&sh.alpn, "http/1.1", 8));
	EXPECT_TRUE(span_is(&sh.ec_point_formats, "\x00\x01\x02", 3));
	/* Without the SCSV, renegotiation_info was never offered. */
	EXPECT_EQ(-KTLSO_ALERT_UNSUPPORTED_EXTENSION,
		  ktlso_tls12_server_hello_parse(&sh, &self->m[W_SH].msg,
						 OFFERED));
	/* A TLS 1.3 parser sends this one here: no supported_versions. */
	{
		struct ktlso_server_hello sh13;

		EXPECT_EQ(-KTLSO_ALERT_PROTOCOL_VERSION,
			  ktlso_server_hello_parse(&sh13, &self->m[W_SH].msg,
						   OFFERED_SCSV));
	}
}

TEST_F(msg12, certificate_fields)
{
	struct ktlso_tls12_certificate ct;
	struct ktlso_span spans[2], one;
	EVP_PKEY *key;
	char cn[64];
	size_t n;

	ASSERT_EQ(0, ktlso_tls12_certificate_parse(&ct,
						   &self->m[W_SCERT].msg));
	ASSERT_EQ(1U, ct.certs.n);
	ASSERT_EQ(0, ktlso_tls12_cert_list_spans(&ct.certs, spans, 2, &n));
	ASSERT_EQ(1U, n);
	EXPECT_EQ(0x1a6U, spans[0].len);
	EXPECT_EQ(self->m[W_SCERT].buf + 10, spans[0].p);
	ASSERT_EQ(0, ktlso_tls12_cert_list_at(&ct.certs, 0, &one));
	EXPECT_TRUE(span_is(&one, spans[0].p, spans[0].len));
	EXPECT_EQ(-KTLSO_ERROR_INVALID_ARGUMENT,
		  ktlso_tls12_cert_list_at(&ct.certs, 1, &one));
	key = cert_key(&spans[0], cn, sizeof(cn));
	ASSERT_NE(NULL, key);
	EXPECT_STREQ("server.example", cn);
	EXPECT_EQ(EVP_PKEY_EC, EVP_PKEY_get_base_id(key));
	EVP_PKEY_free(key);

	ASSERT_EQ(0, ktlso_tls12_certificate_parse(&ct,
						   &self->m[W_CCERT].msg));
	ASSERT_EQ(1U, ct.certs.n);
	ASSERT_EQ(0, ktlso_tls12_cert_list_spans(&ct.certs, spans, 1, &n));
	key = cert_key(&spans[0], cn, sizeof(cn));
	ASSERT_NE(NULL, key);
	EXPECT_STREQ("client.example", cn);
	EXPECT_EQ(EVP_PKEY_RSA, EVP_PKEY_get_base_id(key));
	EVP_PKEY_free(key);
	/* No room for the one certificate: NO_SPACE, and the count. */
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_tls12_cert_list_spans(&ct.certs, spans, 0, &n));
	EXPECT_EQ(1U, n);
}

/*
 * The ServerKeyExchange signature verifies over client_random +
 * server_random + the params span, and over nothing else.
 */
TEST_F(msg12, server_key_exchange_signature)
{
	struct ktlso_tls12_server_key_exchange ske, built;
	struct ktlso_tls12_certificate ct;
	struct ktlso_client_hello ch;
	struct ktlso_tls12_server_hello sh;
	uint8_t content[KTLSO_TLS12_SKE_SIGNED_MAX];
	uint8_t again[KTLSO_TLS12_SKE_SIGNED_MAX];
	size_t len, len2, n;
	struct ktlso_span leaf;
	EVP_PKEY *key;
	char cn[64];

	ASSERT_EQ(0, ktlso_client_hello_parse(&ch, &self->m[W_CH].msg));
	ASSERT_EQ(0, ktlso_tls12_server_hello_parse(&sh, &self->m[W_SH].msg,
						    OFFERED_SCSV));
	ASSERT_EQ(0, ktlso_tls12_certificate_parse(&ct,
						   &self->m[W_SCERT].msg));
	ASSERT_EQ(0, ktlso_tls12_cert_list_spans(&ct.certs, &leaf, 1, &n));
	ASSERT_EQ(0, ktlso_tls12_server_key_exchange_parse(&ske,
						&self->m[W_SKE].msg));
	EXPECT_EQ(0x001d, ske.group);
	ASSERT_EQ(32U, ske.point.len);
	EXPECT_EQ(0xf7, ske.point.p[0]);
	EXPECT_EQ(0x36, ske.point.p[31]);
	EXPECT_EQ(self->m[W_SKE].msg.body.p, ske.params.p);
	EXPECT_EQ(36U, ske.params.len);
	EXPECT_EQ(0x0403, ske.algorithm);		/* ecdsa_secp256r1_sha256 */
	EXPECT_EQ(0x48U, ske.signature.len);

	ASSERT_EQ(0, ktlso_tls12_ske_signed_content(&ske, ch.random, sh.random,
						    content, sizeof(content),
						    &len));
	ASSERT_EQ(64U + 36U, len);
	key = cert_key(&leaf, cn, sizeof(cn));
	ASSERT_NE(NULL, key);
	EXPECT_EQ(1, verify_sha256(key, false, content, len, &ske.signature));
	/* Randoms swapped: not what was signed. */
	ASSERT_EQ(0, ktlso_tls12_ske_signed_content(&ske, sh.random, ch.random,
						    again, sizeof(again), &len2));
	EXPECT_NE(1, verify_sha256(key, false, again, len2, &ske.signature));
	EVP_PKEY_free(key);

	/* Built from the group and point: the same params bytes. */
	memset(&built, 0, sizeof(built));
	built.group = ske.group;
	built.point = ske.point;
	ASSERT_EQ(0, ktlso_tls12_ske_signed_content(&built, ch.random,
						    sh.random, again,
						    sizeof(again), &len2));
	ASSERT_EQ(len, len2);
	EXPECT_EQ(0, memcmp(content, again, len));
	EXPECT_EQ(-KTLSO_ERROR_NO_SPACE,
		  ktlso_tls12_ske_signed_content(&ske, ch.random, sh.random,
						 again, len - 1, &len2));
	EXPECT_EQ(0U, len2);
}

TEST_F(msg12, certificate_request_fields)
{
	struct ktlso_tls12_certificate_request cr;
	const unsigned char *p;
	X509_NAME *dn;
	char text[64];

	ASSERT_EQ(0, ktlso_tls12_certificate_request_parse(&cr,
						&self->m[W_CR].msg));
	EXPECT_TRUE(span_is(&cr.certificate_types, "\x01\x02\x40", 3));
	ASSERT_EQ(20U, cr.signature_algorithms.n);
	EXPECT_EQ(0x0403, ktlso_u16_list_at(&cr.signature_algorithms, 0));
	EXPECT_EQ(0x0602, ktlso_u16_list_at(&cr.signature_algorithms, 19));
	EXPECT_TRUE(ktlso_u16_list_has(&cr.signature_algorithms, 0x0804));
	/* One DistinguishedName: the client CA's, CN=client.example. */
	ASSERT_EQ(0x1dU, cr.certificate_authorities.len);
	EXPECT_EQ(0x00, cr.certificate_authorities.p[0]);
	EXPECT_EQ(0x1b, cr.certificate_authorities.p[1]);
	p = cr.certificate_authorities.p + 2;
	dn = d2i_X509_NAME(NULL, &p, 0x1b);
	ASSERT_NE(NULL, dn);
	EXPECT_LT(0, X509_NAME_get_text_by_NID(dn, NID_commonName, text,
					       sizeof(text)));
	EXPECT_STREQ("client.example", text);
	X509_NAME_free(dn);
}

TEST_F(msg12, server_hello_done_and_client_key_exchange)
{
	struct ktlso_tls12_client_key_exchange cke;

	EXPECT_EQ(0U, self->m[W_SHD].msg.body.len);
	EXPECT_EQ(0, ktlso_tls12_server_hello_done_parse(&self->m[W_SHD].msg));
	ASSERT_EQ(0, ktlso_tls12_client_key_exchange_parse(&cke,
						&self->m[W_CKE].msg));
	ASSERT_EQ(32U, cke.point.len);
	EXPECT_EQ(0xe7, cke.point.p[0]);
	EXPECT_EQ(0x5f, cke.point.p[31]);
}

/* TLS 1.2 CertificateVerify signs every handshake message before it. */
TEST_F(msg12, certificate_verify_signature)
{
	static uint8_t th[8192];
	struct ktlso_certificate_verify cv;
	struct ktlso_tls12_certificate ct;
	struct ktlso_span leaf;
	EVP_PKEY *key;
	size_t len, n;
	char cn[64];

	ASSERT_EQ(0, ktlso_certificate_verify_parse(&cv, &self->m[W_CV].msg));
	EXPECT_EQ(0x0804, cv.algorithm);		/* rsa_pss_rsae_sha256 */
	ASSERT_EQ(256U, cv.signature.len);
	ASSERT_EQ(0, ktlso_tls12_certificate_parse(&ct,
						   &self->m[W_CCERT].msg));
	ASSERT_EQ(0, ktlso_tls12_cert_list_spans(&ct.certs, &leaf, 1, &n));
	key = cert_key(&leaf, cn, sizeof(cn));
	ASSERT_NE(NULL, key);
	len = transcript(self->m, W_CH, W_CKE, th, sizeof(th));
	ASSERT_NE(0U, len);
	EXPECT_EQ(1, verify_sha256(key, true, th, len, &cv.signature));
	/* Without the ClientKeyExchange: no longer what was signed. */
	len -= self->m[W_CKE].len;
	EXPECT_NE(1, verify_sha256(key, true, th, len, &cv.signature));
	EVP_PKEY_free(key);
}

/*
 * Both Finished messages against the key log's master secret: the client's
 * covers ClientHello..CertificateVerify, the server's also the client's
 * Finished and the NewSessionTicket (RFC 5077 3.3). The suite is 0xc02c:
 * the PRF hash is SHA-384.
 */
TEST_F(msg12, finished_verify_data)
{
	const uint8_t *ms = VEC(&self->tv, "master_secret",
				KTLSO_TLS12_MASTER_SECRET_LEN)->data;
	static uint8_t th[8192];
	uint8_t hash[KTLSO_MAX_HASH_LEN];
	struct ktlso_finished fin;
	size_t len;

	ASSERT_EQ(0, ktlso_tls12_finished_parse(&fin, &self->m[W_CF].msg));
	ASSERT_EQ(12U, fin.verify_data.len);
	len = transcript(self->m, W_CH, W_CV, th, sizeof(th));
	ASSERT_EQ(0, ktlso_hash_digest(KTLSO_MD_SHA384, th, len, hash));
	EXPECT_EQ(0, ktlso_tls12_finished_verify(KTLSO_MD_SHA384, ms, true,
						 hash, fin.verify_data.p,
						 fin.verify_data.len));

	ASSERT_EQ(0, ktlso_tls12_finished_parse(&fin, &self->m[W_SF].msg));
	len = transcript(self->m, W_CH, W_NST, th, sizeof(th));
	ASSERT_EQ(0, ktlso_hash_digest(KTLSO_MD_SHA384, th, len, hash));
	EXPECT_EQ(0, ktlso_tls12_finished_verify(KTLSO_MD_SHA384, ms, false,
						 hash, fin.verify_data.p,
						 fin.verify_data.len));
	/* The client's label over the same hash: not this message. */
	EXPECT_EQ(-KTLSO_ALERT_DECRYPT_ERROR,
		  ktlso_tls12_finished_verify(KTLSO_MD_SHA384, ms, true, hash,
					      fin.verify_data.p,
					      fin.verify_data.len));
}

TEST_F(msg12, new_session_ticket_fields)
{
	struct ktlso_tls12_new_session_ticket nst;

	ASSERT_EQ(0, ktlso_tls12_new_session_ticket_parse(&nst,
						&self->m[W_NST].msg));
	EXPECT_EQ(7200U, nst.lifetime_hint);
	ASSERT_EQ(0x3d0U, nst.ticket.len);
	EXPECT_EQ(self->m[W_NST].msg.body.p + 6, nst.ticket.p);
	EXPECT_EQ(0x12, nst.ticket.p[0]);
}

TEST_F(msg12, change_cipher_spec)
{
	const struct test_vector *ccs = VEC(&self->tv, "change_cipher_spec", 1);

	EXPECT_EQ(0, ktlso_ccs_check(ccs->data, ccs->len));
	EXPECT_EQ(DECODE, ktlso_ccs_check(ccs->data, 0));
	EXPECT_EQ(DECODE, ktlso_ccs_check(NULL, 1));
	EXPECT_EQ(DECODE, ktlso_ccs_check((const uint8_t *)"\x01\x01", 2));
	EXPECT_EQ(DECODE, ktlso_ccs_check((const uint8_t *)"\x00", 1));
	EXPECT_EQ(DECODE, ktlso_ccs_check((const uint8_t *)"\x02", 1));
	EXPECT_EQ(DECODE, ktlso_ccs_check((const uint8_t *)"\xff", 1));
}

/*
 * The bytes @w must write back: the capture's, except that the ClientHello
 * loses the one extension the engine does not know (encrypt_then_mac, 22:
 * msg.h writes back known extensions only).
 */
static void expected_rewrite(struct __test_metadata *_metadata,
			     const struct test_msg *m, enum which w,
			     struct test_msg *want)
{
	static const uint8_t etm[4] = { 0x00, 0x16, 0x00, 0x00 };
	const size_t exts_at = 2 + 32 + 1 + 2 + 0x38 + 2;
	const uint8_t *body = m->msg.body.p;
	uint8_t buf[MSG_BUF_MAX];
	size_t len = m->msg.body.len, at;
	const uint8_t *hit;

	if (w != W_CH) {
		msg_build(_metadata, want, m->msg.type, body, len);
		return;
	}
	hit = memmem(body + exts_at + 2, len - exts_at - 2, etm, sizeof(etm));
	ASSERT_NE(NULL, hit);
	at = (size_t)(hit - body);
	memcpy(buf, body, at);
	memcpy(buf + at, hit + sizeof(etm), len - at - sizeof(etm));
	len -= sizeof(etm);
	buf[exts_at] = (uint8_t)((len - exts_at - 2) >> 8);
	buf[exts_at + 1] = (uint8_t)(len - exts_at - 2);
	msg_build(_metadata, want, m->msg.type, buf, len);
}

/* Every message with a writer is written back byte for byte. */
TEST_F(msg12, reencode_identical)
{
	uint8_t out[MSG_BUF_MAX];
	struct test_msg want;
	size_t out_len, i;

	for (i = 0; i < W_COUNT; i++) {
		if (i == W_NST)
			continue;
		expected_rewrite(_metadata, &self->m[i], i, &want);
		ASSERT_EQ(0, reencode(i, &self->m[i].msg, out, sizeof(out),
				      &out_len))
			TH_LOG("%s", name_of(i));
		ASSERT_EQ(want.len, out_len) TH_LOG("%s", name_of(i));
		EXPECT_EQ(0, memcmp(want.buf, out, out_len))
			TH_LOG("%s differs when written back", name_of(i));
	}
}

/* The writers stop cleanly, with NO_SPACE, at every too-small buffer. */
TEST_F(msg12, reencode_no_space)
{
	uint8_t out[MSG_BUF_MAX];
	struct test_msg want;
	size_t out_len, i, cap;

	for (i = 0; i < W_COUNT; i++) {
		if (i == W_NST)
			continue;
		expected_rewrite(_metadata, &self->m[i], i, &want);
		for (cap = 0; cap < want.len; cap++)
			ASSERT_EQ(-KTLSO_ERROR_NO_SPACE,
				  reencode(i, &self->m[i].msg, out, cap,
					   &out_len))
				TH_LOG("%s, %zu bytes", name_of(i), cap);
	}
}

/*
 * Every message cut at every byte, with its header fixed to the shorter
 * body: decode_error. Two cuts leave a valid message: the hellos ending
 * right after their compression method(s) (extensions are optional in
 * TLS 1.2).
 */
TEST_F(msg12, truncated_everywhere)
{
	struct test_msg cut;
	union parsed u;
	size_t i, k;

	for (i = 0; i < W_COUNT; i++) {
		const struct test_msg *m = &self->m[i];
		size_t body_len = m->msg.body.len;

		for (k = 0; k < body_len; k++) {
			int want = DECODE;

			if (i == W_CH && k == 2 + 32 + 1 + 2 + 0x38 + 2)
				want = 0;
			if (i == W_SH && k == 2 + 32 + 1 + 2 + 1)
				want = 0;
			msg_build(_metadata, &cut, m->msg.type, m->msg.body.p, k);
			ASSERT_EQ(want, parse_as(i, &cut.msg, &u))
				TH_LOG("%s body cut at %zu of %zu", name_of(i), k,
				       body_len);
		}
	}
}

/* One byte more than the message holds is a decode_error, for each. */
TEST_F(msg12, trailing_byte)
{
	uint8_t body[MSG_BUF_MAX];
	struct test_msg m;
	union parsed u;
	size_t i;

	for (i = 0; i < W_COUNT; i++) {
		size_t n = self->m[i].msg.body.len;

		memcpy(body, self->m[i].msg.body.p, n);
		body[n] = 0;
		msg_build(_metadata, &m, self->m[i].msg.type, body, n + 1);
		EXPECT_EQ(DECODE, parse_as(i, &m.msg, &u))
			TH_LOG("%s with a trailing byte", name_of(i));
	}
}

/* Each parser refuses every other message type. */
TEST_F(msg12, wrong_message_type)
{
	union parsed u;
	size_t i, j;

	for (i = 0; i < W_COUNT; i++)
		for (j = 0; j < W_COUNT; j++) {
			if (self->m[i].msg.type == self->m[j].msg.type)
				continue;
			EXPECT_EQ(UNEXPECTED, parse_as(i, &self->m[j].msg, &u))
				TH_LOG("%s parsed as %s", name_of(j), name_of(i));
		}
}

/* The size of the struct the parser of @w fills (0: none). */
static size_t parsed_size(enum which w)
{
	union parsed u;

	switch (w) {
	case W_CH: return sizeof(u.ch);
	case W_SH: return sizeof(u.sh);
	case W_SCERT: case W_CCERT: return sizeof(u.ct);
	case W_SKE: return sizeof(u.ske);
	case W_CR: return sizeof(u.cr);
	case W_CKE: return sizeof(u.cke);
	case W_CV: return sizeof(u.cv);
	case W_CF: case W_SF: return sizeof(u.fin);
	case W_NST: return sizeof(u.nst);
	default: return 0;
	}
}

/* A failed parse leaves nothing behind in the struct. */
TEST_F(msg12, failure_zeroes_result)
{
	union parsed u, zero;
	struct test_msg cut;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < W_COUNT; i++) {
		const struct ktlso_hs_msg *m = &self->m[i].msg;

		if (m->body.len == 0)
			continue;
		msg_build(_metadata, &cut, m->type, m->body.p, m->body.len - 1);
		memset(&u, 0xa5, sizeof(u));
		ASSERT_EQ(DECODE, parse_as(i, &cut.msg, &u))
			TH_LOG("%s", name_of(i));
		EXPECT_EQ(0, memcmp(&zero, &u, parsed_size(i)))
			TH_LOG("%s left bytes behind", name_of(i));
	}
}

TEST_HARNESS_MAIN
