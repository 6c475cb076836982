// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials, trust anchors and peer chain verification on libcrypto's
 * X509, X509_STORE and X509_STORE_CTX. See pki.h.
 */
#include "engine/pki.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "engine/alert.h"
#include "engine/sig.h"

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* The curve of an EC key; NID_undef when it has no named curve. */
static int ec_curve_nid(EVP_PKEY *key)
{
	char name[64];
	size_t len = 0;

	if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
		ERR_clear_error();
		return NID_undef;
	}
	return OBJ_sn2nid(name);
}

/* A key type that the signature schemes of sig.h can use. */
static bool key_usable(EVP_PKEY *key)
{
	int nid;

	if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "ED25519"))
		return true;
	if (!EVP_PKEY_is_a(key, "EC"))
		return false;
	nid = ec_curve_nid(key);
	return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1;
}

/* --- credentials ---------------------------------------------------------- */

void ktlso_cred_free(struct ktlso_cred *cred)
{
	if (cred == NULL)
		return;
	X509_free(cred->leaf);
	sk_X509_pop_free(cred->chain, X509_free);
	EVP_PKEY_free(cred->key);
	memset(cred, 0, sizeof(*cred));
}

/* Refuse a passphrase: the daemon never prompts. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* True when the last PEM read failed only because the input ended. */
static bool pem_at_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_PEM &&
	       ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

/* Where a credential's PEM comes from: a file, or bytes in memory. */
struct pem_src {
	const char *name;		/* the file, or what names the bytes */
	const void *mem;		/* NULL: read the file @name */
	size_t len;
};

static BIO *open_src(const struct pem_src *src, char *err, size_t err_len)
{
	BIO *bio;

	errno = 0;
	if (src->mem)
		bio = src->len <= INT_MAX ?
		      BIO_new_mem_buf(src->mem, (int)src->len) : NULL;
	else
		bio = BIO_new_file(src->name, "r");
	if (bio == NULL)
		set_err(err, err_len, "%s: cannot open: %s", src->name,
			strerror(errno ? errno : EIO));
	return bio;
}

static int load_certs(struct ktlso_cred *cred, const struct pem_src *src,
		      char *err, size_t err_len)
{
	const char *file = src->name;
	BIO *bio;
	X509 *x;
	int ret = 0;

	bio = open_src(src, err, err_len);
	if (bio == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	cred->leaf = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	if (cred->leaf == NULL) {
		set_err(err, err_len, "%s: no certificate", file);
		ret = -KTLSO_ERROR_INVALID_ARGUMENT;
		goto out;
	}
	cred->chain = sk_X509_new_null();
	if (cred->chain == NULL) {
		ret = -KTLSO_ERROR_NO_MEMORY;
		goto out;
	}
	for (;;) {
		ERR_clear_error();
		x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
		if (x == NULL) {
			if (pem_at_end())
				break;
			set_err(err, err_len, "%s: bad certificate #%d", file,
				sk_X509_num(cred->chain) + 2);
			ret = -KTLSO_ERROR_INVALID_ARGUMENT;
			goto out;
		}
		if (!sk_X509_push(cred->chain, x)) {
			X509_free(x);
			ret = -KTLSO_ERROR_NO_MEMORY;
			goto out;
		}
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

static int load_key(struct ktlso_cred *cred, const struct pem_src *src,
		    char *err, size_t err_len)
{
	const char *file = src->name;
	BIO *bio;

	bio = open_src(src, err, err_len);
	if (bio == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	cred->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (cred->key == NULL) {
		set_err(err, err_len, "%s: no private key (or encrypted)",
			file);
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	if (!key_usable(cred->key)) {
		set_err(err, err_len,
			"%s: unsupported key type (not RSA, EC P-256/P-384, Ed25519)",
			file);
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	return 0;
}

static int cred_load(struct ktlso_cred *cred, const struct pem_src *cert,
		     const struct pem_src *key, char *err, size_t err_len)
{
	int ret;

	set_err(err, err_len, "%s", "");
	if (cred == NULL || cert->name == NULL || key->name == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	memset(cred, 0, sizeof(*cred));
	ret = load_certs(cred, cert, err, err_len);
	if (ret)
		goto fail;
	ret = load_key(cred, key, err, err_len);
	if (ret)
		goto fail;
	if (EVP_PKEY_eq(X509_get0_pubkey(cred->leaf), cred->key) != 1) {
		ERR_clear_error();
		set_err(err, err_len, "%s: private key does not match %s",
			key->name, cert->name);
		ret = -KTLSO_ERROR_INVALID_ARGUMENT;
		goto fail;
	}
	return 0;
fail:
	ktlso_cred_free(cred);
	return ret;
}

int ktlso_cred_load(struct ktlso_cred *cred, const char *cert_file,
		    const char *key_file, char *err, size_t err_len)
{
	const struct pem_src cert = { .name = cert_file };
	const struct pem_src key = { .name = key_file };

	return cred_load(cred, &cert, &key, err, err_len);
}

int ktlso_cred_load_mem(struct ktlso_cred *cred, const char *cert_name,
			const void *cert_pem, size_t cert_len,
			const char *key_name, const void *key_pem,
			size_t key_len, char *err, size_t err_len)
{
	const struct pem_src cert = { cert_name, cert_pem, cert_len };
	const struct pem_src key = { key_name, key_pem, key_len };

	if (cert_pem == NULL || key_pem == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	return cred_load(cred, &cert, &key, err, err_len);
}

size_t ktlso_cred_count(const struct ktlso_cred *cred)
{
	if (cred == NULL || cred->leaf == NULL)
		return 0;
	return 1 + (cred->chain ? (size_t)sk_X509_num(cred->chain) : 0);
}

int ktlso_cred_der(const struct ktlso_cred *cred, size_t i, uint8_t **der,
		   size_t *len)
{
	X509 *x;
	int n;

	if (der == NULL || len == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	*der = NULL;
	*len = 0;
	if (i >= ktlso_cred_count(cred))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	x = i == 0 ? cred->leaf : sk_X509_value(cred->chain, (int)(i - 1));
	n = i2d_X509(x, der);
	if (n <= 0) {
		ERR_clear_error();
		*der = NULL;
		return -KTLSO_ERROR_CRYPTO;
	}
	*len = (size_t)n;
	return 0;
}

void ktlso_cred_chain_free(struct ktlso_span *spans, size_t n)
{
	size_t i;

	for (i = 0; spans && i < n; i++)
		OPENSSL_free((void *)spans[i].p);
	free(spans);
}

int ktlso_cred_chain_der(const struct ktlso_cred *cred,
			 struct ktlso_span **spans, size_t *n)
{
	size_t count = ktlso_cred_count(cred), i;
	struct ktlso_span *v;
	int ret = 0;

	*spans = NULL;
	*n = 0;
	if (!count)
		return 0;
	v = calloc(count, sizeof(*v));
	if (!v)
		return -KTLSO_ERROR_NO_MEMORY;
	for (i = 0; i < count && ret == 0; i++) {
		uint8_t *der;
		size_t len;

		ret = ktlso_cred_der(cred, i, &der, &len);
		if (ret == 0) {
			v[i].p = der;
			v[i].len = len;
		}
	}
	if (ret) {
		ktlso_cred_chain_free(v, count);
		return ret;
	}
	*spans = v;
	*n = count;
	return 0;
}

const struct ktlso_cred *
ktlso_cred_select(const struct ktlso_cred *creds, size_t n, const char *sni,
		  uint16_t version, const uint16_t *ours, size_t n_ours,
		  const struct ktlso_u16_list *peer_schemes)
{
	const struct ktlso_cred *first = NULL;
	uint16_t v[KTLSO_CRED_SELECT_OURS_MAX], scheme;
	struct ktlso_u16_list common = { .v = v };
	size_t i;

	if (creds == NULL || peer_schemes == NULL ||
	    n_ours > KTLSO_CRED_SELECT_OURS_MAX)
		return NULL;
	/* The peer's list once, not once per credential. */
	common.n = ktlso_u16_list_common(peer_schemes, ours, n_ours, v);
	for (i = 0; i < n; i++) {
		const struct ktlso_cred *c = &creds[i];

		if (c->leaf == NULL || c->key == NULL ||
		    ktlso_sigscheme_select(c->key, version, common.v, common.n,
					   &common, &scheme) != 0)
			continue;
		if (sni != NULL &&
		    X509_check_host(c->leaf, sni, 0,
				    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
				    NULL) == 1) {
			first = c;
			break;
		}
		if (first == NULL)
			first = c;
	}
	ERR_clear_error();
	return first;
}

/* --- trust anchors -------------------------------------------------------- */

void ktlso_trust_free(struct ktlso_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	t->store = NULL;
}

/*
 * OpenSSL fills a certificate's extension cache on first use, and two
 * threads doing it at once on one certificate race: the second rewrites
 * what the first is reading (openssl/openssl#32609, still open). Fill the
 * cache of every certificate in @store now, while the store is its
 * loader's alone.
 */
static void trust_cache_extensions(X509_STORE *store)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	X509 *x;
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (x != NULL)
			X509_check_purpose(x, -1, 0);
	}
}

/* A name as c_rehash and "openssl rehash" give a certificate: 8 hex, ".", n. */
static bool trust_dir_name(const char *name)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)name[i]))
			return false;
	if (name[8] != '.' || name[9] == '\0')
		return false;
	for (i = 9; name[i] != '\0'; i++)
		if (!isdigit((unsigned char)name[i]) || i > 12)
			return false;
	return true;
}

/*
 * Every certificate of the CA directory @dir, read now into @store.
 * OpenSSL's own directory lookup reads a file at each verification that
 * needs one; ktlsod verifies on its workers, where nothing may block on a
 * disk, so the directory is read whole here (and again at a reload), and
 * its certificates get their cache filled with the rest. Only
 * certificate names are read (<hash>.<n>; CRLs, <hash>.r<n>, are not
 * used), at most KTLSO_TRUST_DIR_MAX of them; such a name that is not a
 * regular file holding a certificate fails the load.
 */
static int trust_load_dir(X509_STORE *store, const char *dir, char *err,
			  size_t err_len)
{
	X509_LOOKUP *lu = X509_STORE_add_lookup(store, X509_LOOKUP_file());
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t n = 0;
	int ret = 0;
	DIR *dp;

	if (lu == NULL)
		return -KTLSO_ERROR_NO_MEMORY;
	dp = opendir(dir);
	if (dp == NULL) {
		set_err(err, err_len, "%s: %s", dir,
			errno == ENOTDIR ? "not a directory" : strerror(errno));
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	for (errno = 0; (de = readdir(dp)) != NULL; errno = 0) {
		if (!trust_dir_name(de->d_name))
			continue;
		if (++n > KTLSO_TRUST_DIR_MAX) {
			set_err(err, err_len,
				"%s: more than %d certificates", dir,
				KTLSO_TRUST_DIR_MAX);
			ret = -KTLSO_ERROR_INVALID_ARGUMENT;
			break;
		}
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path)) {
			set_err(err, err_len, "%s: name too long", dir);
			ret = -KTLSO_ERROR_INVALID_ARGUMENT;
			break;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			set_err(err, err_len, "%s: %s", path,
				errno ? strerror(errno) : "not a regular file");
			ret = -KTLSO_ERROR_INVALID_ARGUMENT;
			break;
		}
		if (X509_load_cert_file(lu, path, X509_FILETYPE_PEM) <= 0) {
			set_err(err, err_len, "%s: cannot load as a CA certificate",
				path);
			ret = -KTLSO_ERROR_INVALID_ARGUMENT;
			break;
		}
	}
	/* A directory read short would trust less than it holds: say so. */
	if (!ret && errno) {
		set_err(err, err_len, "%s: %s", dir, strerror(errno));
		ret = -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	closedir(dp);
	return ret;
}

int ktlso_trust_load(struct ktlso_trust *t, const char *ca_file,
		     const char *ca_dir, char *err, size_t err_len)
{
	int ret = 0;

	set_err(err, err_len, "%s", "");
	if (t == NULL)
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	t->store = NULL;
	if (ca_file == NULL && ca_dir == NULL) {
		set_err(err, err_len, "no CA file or CA directory");
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	}
	t->store = X509_STORE_new();
	if (t->store == NULL)
		return -KTLSO_ERROR_NO_MEMORY;
	if (ca_file != NULL && X509_STORE_load_file(t->store, ca_file) != 1) {
		set_err(err, err_len, "%s: cannot load CA certificates",
			ca_file);
		ret = -KTLSO_ERROR_INVALID_ARGUMENT;
		goto out;
	}
	if (ca_dir != NULL) {
		ret = trust_load_dir(t->store, ca_dir, err, err_len);
		if (ret)
			goto out;
	}
	trust_cache_extensions(t->store);
out:
	ERR_clear_error();
	if (ret)
		ktlso_trust_free(t);
	return ret;
}

/* --- peer chains ---------------------------------------------------------- */

void ktlso_peer_cert_clear(struct ktlso_peer_cert *pc)
{
	if (pc == NULL)
		return;
	EVP_PKEY_free(pc->key);
	memset(pc, 0, sizeof(*pc));
}

/* The alert for an X509_V_ERR_* verification result. */
static int verify_error_alert(int verr)
{
	switch (verr) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return -KTLSO_ALERT_CERTIFICATE_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return -KTLSO_ALERT_UNKNOWN_CA;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return -KTLSO_ALERT_BAD_CERTIFICATE;
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
		return -KTLSO_ALERT_UNSUPPORTED_CERTIFICATE;
	case X509_V_ERR_CERT_REVOKED:
		return -KTLSO_ALERT_CERTIFICATE_REVOKED;
	default:
		return -KTLSO_ALERT_CERTIFICATE_UNKNOWN;
	}
}

/* The subject of @x, one line, most specific RDN first ("CN=a,O=b"). */
static int subject_line(X509 *x, char *out, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ret = 0;

	if (bio == NULL)
		return -KTLSO_ERROR_NO_MEMORY;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253) < 0) {
		ret = -KTLSO_ERROR_CRYPTO;
		goto out;
	}
	n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		n = 0;
	if ((size_t)n >= cap)
		n = (long)cap - 1;	/* truncated: it is only a label */
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
out:
	BIO_free(bio);
	return ret;
}

/* Parse @certs into @leaf and @untrusted (the rest). */
static int decode_chain(const struct ktlso_span *certs, size_t n, X509 **leaf,
			STACK_OF(X509) *untrusted, char *err, size_t err_len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const unsigned char *p = certs[i].p;
		X509 *x = NULL;

		if (p != NULL && certs[i].len > 0 && certs[i].len <= LONG_MAX)
			x = d2i_X509(NULL, &p, (long)certs[i].len);
		if (x == NULL || p != certs[i].p + certs[i].len) {
			X509_free(x);
			set_err(err, err_len,
				"certificate %zu: cannot parse DER", i);
			return -KTLSO_ALERT_BAD_CERTIFICATE;
		}
		if (i == 0) {
			*leaf = x;
		} else if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			return -KTLSO_ERROR_NO_MEMORY;
		}
	}
	return 0;
}

bool ktlso_name_is_ip(const char *name)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return name && (inet_pton(AF_INET, name, addr) == 1 ||
			inet_pton(AF_INET6, name, addr) == 1);
}

/*
 * Point @param at @host: an address literal is matched against the IP
 * SANs only, a name against the DNS SANs only (never the subject's CN).
 * The SNI decision uses the same ktlso_name_is_ip(), so that no name is
 * sent as a host name and verified as an address, or the reverse.
 */
static int set_host(X509_VERIFY_PARAM *param, const char *host)
{
	int ok;

	X509_VERIFY_PARAM_set_hostflags(param,
					X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
					X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if (ktlso_name_is_ip(host))
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, host);
	else
		ok = X509_VERIFY_PARAM_set1_host(param, host, 0);
	return ok == 1 ? 0 : -KTLSO_ERROR_INVALID_ARGUMENT;
}

/* Checks on the leaf that the path validation leaves to TLS. */
static int check_leaf(X509 *leaf, char *err, size_t err_len)
{
	EVP_PKEY *key = X509_get0_pubkey(leaf);

	if (key == NULL || !key_usable(key)) {
		set_err(err, err_len,
			"certificate 0: key type not usable for TLS");
		return -KTLSO_ALERT_UNSUPPORTED_CERTIFICATE;
	}
	/* RFC 5280 4.2.1.3: signing needs digitalSignature when KU is there. */
	if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		set_err(err, err_len,
			"certificate 0: key usage lacks digitalSignature");
		return -KTLSO_ALERT_UNSUPPORTED_CERTIFICATE;
	}
	return 0;
}

/*
 * The key and signature policy, on the path X509_verify_cert() built.
 *
 * Explicit checks, not X509_VERIFY_PARAM_set_auth_level(): an auth level
 * binds key sizes and digests together (level 2 is RSA 2048 and no SHA-1;
 * level 1 refuses SHA-1 only since OpenSSL 3.0, which rates it 63 bits),
 * so the two settings of the policy could not be chosen apart, and its
 * errors ("EE certificate key too weak") say neither which key nor how
 * weak. The checks below name both, the same on every libcrypto.
 */
static int check_key_policy(X509 *x, int depth,
			    const struct ktlso_verify_policy *pol, char *err,
			    size_t err_len)
{
	EVP_PKEY *key = X509_get0_pubkey(x);
	int bits;

	if (key == NULL)
		return 0;	/* X509_verify_cert() decoded those it used */
	if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS"))
		return 0;
	bits = EVP_PKEY_get_bits(key);
	if (bits >= 0 && (unsigned int)bits >= pol->min_rsa_bits)
		return 0;
	set_err(err, err_len,
		"certificate %d: RSA key of %d bits, below the minimum of %u",
		depth, bits, pol->min_rsa_bits);
	return -KTLSO_ALERT_BAD_CERTIFICATE;
}

static int check_sig_policy(X509 *x, int depth,
			    const struct ktlso_verify_policy *pol, char *err,
			    size_t err_len)
{
	int md = NID_undef;

	/* As OpenSSL's own level checks do, refuse what it cannot rate. */
	if (!X509_get_signature_info(x, &md, NULL, NULL, NULL)) {
		set_err(err, err_len,
			"certificate %d: unknown signature algorithm", depth);
		return -KTLSO_ALERT_BAD_CERTIFICATE;
	}
	switch (md) {
	case NID_sha1:
		if (pol->allow_sha1)
			return 0;
		break;
	case NID_md5:
	case NID_md5_sha1:
	case NID_md4:
	case NID_md2:
		break;
	default:
		return 0;
	}
	set_err(err, err_len,
		"certificate %d: signed with %s, a hash too weak to trust",
		depth, OBJ_nid2sn(md));
	return -KTLSO_ALERT_BAD_CERTIFICATE;
}

static int check_policy(X509_STORE_CTX *ctx,
			const struct ktlso_verify_policy *pol, char *err,
			size_t err_len)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
	int i, n = sk_X509_num(path), ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		X509 *x = sk_X509_value(path, i);

		ret = check_key_policy(x, i, pol, err, err_len);
		/*
		 * The last is the trust anchor, trusted by configuration,
		 * not by its signature.
		 */
		if (ret == 0 && i < n - 1)
			ret = check_sig_policy(x, i, pol, err, err_len);
	}
	return ret;
}

int ktlso_verify_chain(const struct ktlso_trust *t,
		       const struct ktlso_span *certs, size_t n,
		       const char *host, bool peer_is_server, time_t now,
		       const struct ktlso_verify_policy *policy,
		       struct ktlso_peer_cert *out, char *err, size_t err_len)
{
	static const struct ktlso_verify_policy defaults = {
		.min_rsa_bits = KTLSO_PEER_MIN_RSA_BITS,
	};
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	const char *purpose = peer_is_server ? "ssl_server" : "ssl_client";
	X509 *leaf = NULL;
	int ret, verr, depth;

	set_err(err, err_len, "%s", "");
	if (t == NULL || t->store == NULL || out == NULL ||
	    (certs == NULL && n != 0))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (n == 0) {
		set_err(err, err_len, "empty certificate list");
		return -KTLSO_ALERT_DECODE_ERROR;
	}
	if (n > KTLSO_PEER_CHAIN_MAX) {
		set_err(err, err_len, "certificate chain of %zu is too long",
			n);
		return -KTLSO_ALERT_BAD_CERTIFICATE;
	}
	untrusted = sk_X509_new_null();
	ctx = X509_STORE_CTX_new();
	if (untrusted == NULL || ctx == NULL) {
		ret = -KTLSO_ERROR_NO_MEMORY;
		goto out;
	}
	ret = decode_chain(certs, n, &leaf, untrusted, err, err_len);
	if (ret)
		goto out;

	/* The named defaults set the purpose: serverAuth or clientAuth. */
	if (X509_STORE_CTX_init(ctx, t->store, leaf, untrusted) != 1 ||
	    X509_STORE_CTX_set_default(ctx, purpose) != 1) {
		ret = -KTLSO_ERROR_CRYPTO;
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	if (now != 0)
		X509_VERIFY_PARAM_set_time(param, now);
	if (host != NULL) {
		ret = set_host(param, host);
		if (ret) {
			set_err(err, err_len, "bad host name \"%s\"", host);
			goto out;
		}
	}

	if (X509_verify_cert(ctx) != 1) {
		verr = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		ret = verify_error_alert(verr);
		if (verr == X509_V_OK)
			ret = -KTLSO_ERROR_CRYPTO;
		set_err(err, err_len, "certificate %d: %s", depth,
			X509_verify_cert_error_string(verr));
		goto out;
	}
	ret = check_policy(ctx, policy ? policy : &defaults, err, err_len);
	if (ret)
		goto out;
	ret = check_leaf(leaf, err, err_len);
	if (ret)
		goto out;
	ret = subject_line(leaf, out->identity, sizeof(out->identity));
	if (ret)
		goto out;
	out->key = X509_get_pubkey(leaf);
	if (out->key == NULL)
		ret = -KTLSO_ERROR_CRYPTO;
out:
	if (ret)
		ktlso_peer_cert_clear(out);
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	return ret;
}
