// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 extensions (RFC 8446 section 4.2 and the RFCs it lists): which
 * message may carry which, the bodies' parsers and writers, and the lists
 * they hold. See msg.h.
 */
#include <string.h>

#include "engine/alert.h"
#include "engine/msg.h"
#include "engine/msg_ext.h"

/* The messages an extension block appears in (RFC 8446 4.2 table). */
enum ext_ctx {
	CTX_CH, CTX_SH, CTX_HRR, CTX_EE, CTX_CT, CTX_CR, CTX_NST,
};

#define IN(c) (1u << CTX_##c)
#define IN_CTX(mask, ctx) ((((unsigned int)(mask)) >> (ctx)) & 1u)

struct ext_info {
	uint16_t code;
	uint8_t contexts;	/* IN()s */
};

static const struct ext_info ext_table[KTLSO_EXT_COUNT] = {
	[KTLSO_EXT_SERVER_NAME] = { 0, IN(CH) | IN(EE) },
	[KTLSO_EXT_STATUS_REQUEST] = { 5, IN(CH) | IN(CR) | IN(CT) },
	[KTLSO_EXT_SUPPORTED_GROUPS] = { 10, IN(CH) | IN(EE) },
	/* TLS 1.2 only (RFC 8422): a TLS 1.3 server may not answer it. */
	[KTLSO_EXT_EC_POINT_FORMATS] = { 11, IN(CH) },
	[KTLSO_EXT_SIGNATURE_ALGORITHMS] = { 13, IN(CH) | IN(CR) },
	[KTLSO_EXT_ALPN] = { 16, IN(CH) | IN(EE) },
	[KTLSO_EXT_SCT] = { 18, IN(CH) | IN(CR) | IN(CT) },
	[KTLSO_EXT_EXTENDED_MASTER_SECRET] = { 23, IN(CH) },
	[KTLSO_EXT_RECORD_SIZE_LIMIT] = { 28, IN(CH) | IN(EE) },
	[KTLSO_EXT_SESSION_TICKET] = { 35, IN(CH) },
	[KTLSO_EXT_EARLY_DATA] = { 42, IN(CH) | IN(EE) | IN(NST) },
	[KTLSO_EXT_SUPPORTED_VERSIONS] = { 43, IN(CH) | IN(SH) | IN(HRR) },
	[KTLSO_EXT_COOKIE] = { 44, IN(CH) | IN(HRR) },
	[KTLSO_EXT_PSK_KEY_EXCHANGE_MODES] = { 45, IN(CH) },
	[KTLSO_EXT_CERTIFICATE_AUTHORITIES] = { 47, IN(CH) | IN(CR) },
	[KTLSO_EXT_OID_FILTERS] = { 48, IN(CR) },
	[KTLSO_EXT_POST_HANDSHAKE_AUTH] = { 49, IN(CH) },
	[KTLSO_EXT_SIGNATURE_ALGORITHMS_CERT] = { 50, IN(CH) | IN(CR) },
	[KTLSO_EXT_KEY_SHARE] = { 51, IN(CH) | IN(SH) | IN(HRR) },
	/* TLS 1.2 only (RFC 5746): never in a TLS 1.3 server message. */
	[KTLSO_EXT_RENEGOTIATION_INFO] = { 0xff01, IN(CH) },
	[KTLSO_EXT_PRE_SHARED_KEY] = { 41, IN(CH) | IN(SH) },
};

/* Blocks that answer the peer's offer: unknown or unoffered is an error. */
#define RESPONSE_CTXS (IN(SH) | IN(HRR) | IN(EE) | IN(CT))

/* RFC 8449: the smallest record_size_limit an endpoint may announce. */
#define RECORD_SIZE_LIMIT_MIN 64

int ktlso_ext_code(enum ktlso_ext e)
{
	if ((unsigned int)e >= KTLSO_EXT_COUNT)
		return -1;
	return ext_table[e].code;
}

int ktlso_ext_from_code(uint16_t code)
{
	int e;

	for (e = 0; e < KTLSO_EXT_COUNT; e++)
		if (ext_table[e].code == code)
			return e;
	return -1;
}

void ktlso_ext_set_add(struct ktlso_ext_set *set, enum ktlso_ext e)
{
	if ((unsigned int)e >= KTLSO_EXT_COUNT ||
	    (set->present & KTLSO_EXT_BIT(e)) || set->n >= KTLSO_EXT_COUNT)
		return;
	set->present |= KTLSO_EXT_BIT(e);
	set->order[set->n++] = (uint8_t)e;
}

/* --- spans and lists ------------------------------------------------------ */

void ktlso_span_of(const struct ktlso_reader *v, struct ktlso_span *s)
{
	s->p = v->err ? NULL : v->buf;
	s->len = v->err ? 0 : v->len;
}

int ktlso_put_span_vector(struct ktlso_writer *w, unsigned int prefix_len,
			  size_t min, size_t max, const struct ktlso_span *s)
{
	if (!s->p && s->len)
		return ktlso_writer_invalid(w);
	ktlso_writer_open_vector(w, prefix_len, min, max);
	ktlso_put_bytes(w, s->p, s->len);
	return ktlso_writer_close_vector(w);
}

/* The rest of @r as a span (extension bodies kept as they are). */
static int get_rest(struct ktlso_reader *r, struct ktlso_span *s)
{
	s->len = ktlso_reader_remaining(r);
	return ktlso_get_span(r, s->len, &s->p);
}

int ktlso_u16_list_get(struct ktlso_reader *r, unsigned int prefix_len,
		       size_t min, size_t max, struct ktlso_u16_list *l)
{
	struct ktlso_reader v;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = ktlso_get_vector(r, prefix_len, min, max, &v);
	if (ret)
		return ret;
	if (v.len % 2)
		return ktlso_reader_fail(r);
	l->wire = v.buf;
	l->n = v.len / 2;
	return 0;
}

int ktlso_u16_list_put(struct ktlso_writer *w, unsigned int prefix_len,
		       size_t min, size_t max, const struct ktlso_u16_list *l)
{
	size_t i;

	if ((!l->v && !l->wire && l->n) || l->n > SIZE_MAX / 2)
		return ktlso_writer_invalid(w);
	ktlso_writer_open_vector(w, prefix_len, min, max);
	if (l->v) {
		for (i = 0; i < l->n && w->err == 0; i++)
			ktlso_put_u16(w, l->v[i]);
	} else if (l->n) {
		ktlso_put_bytes(w, l->wire, 2 * l->n);
	}
	return ktlso_writer_close_vector(w);
}

uint16_t ktlso_u16_list_at(const struct ktlso_u16_list *l, size_t i)
{
	if (i >= l->n || (!l->v && !l->wire))
		return 0;
	if (l->v)
		return l->v[i];
	return (uint16_t)(l->wire[2 * i] << 8 | l->wire[2 * i + 1]);
}

bool ktlso_u16_list_has(const struct ktlso_u16_list *l, uint16_t value)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ktlso_u16_list_at(l, i) == value)
			return true;
	return false;
}

/*
 * A set of u16 values (groups, extension types...): a bit each, so that a
 * peer's list of up to 2^15 values is looked up in constant time.
 */
struct u16_set {
	uint8_t bits[65536 / 8];
};

static bool u16_set_has(const struct u16_set *set, uint16_t v)
{
	return set->bits[v / 8] & (1u << (v % 8));
}

static void u16_set_add(struct u16_set *set, uint16_t v)
{
	set->bits[v / 8] |= (uint8_t)(1u << (v % 8));
}

/* @set holds exactly the values of @l. */
static void u16_set_of_list(struct u16_set *set,
			    const struct ktlso_u16_list *l)
{
	size_t i;

	memset(set, 0, sizeof(*set));
	for (i = 0; i < l->n; i++)
		u16_set_add(set, ktlso_u16_list_at(l, i));
}

size_t ktlso_u16_list_common(const struct ktlso_u16_list *l,
			     const uint16_t *ours, size_t n_ours,
			     uint16_t *out)
{
	struct u16_set held;
	size_t i, n = 0;

	u16_set_of_list(&held, l);
	for (i = 0; i < n_ours; i++)
		if (u16_set_has(&held, ours[i]))
			out[n++] = ours[i];
	return n;
}

/* One KeyShareEntry. */
static int key_share_get(struct ktlso_reader *r, struct ktlso_key_share *ks)
{
	struct ktlso_reader v;

	ktlso_get_u16(r, &ks->group);
	ktlso_get_vector(r, 2, 1, 0xffff, &v);
	ktlso_span_of(&v, &ks->key_exchange);
	return r->err;
}

static int key_share_put(struct ktlso_writer *w,
			 const struct ktlso_key_share *ks)
{
	ktlso_put_u16(w, ks->group);
	return ktlso_put_span_vector(w, 2, 1, 0xffff, &ks->key_exchange);
}

/*
 * Start or go on with a walk of a list of @n entries: 1 when there is
 * one more entry to read (from ->r unless the list is in host form).
 */
static int iter_more(struct ktlso_list_iter *it, size_t n,
		     const uint8_t *wire, size_t wire_len)
{
	if (it->i >= n)
		return 0;
	if (it->i == 0)
		ktlso_reader_init(&it->r, wire, wire_len);
	return it->r.err ? -KTLSO_ERROR_INVALID_ARGUMENT : 1;
}

int ktlso_key_share_list_next(const struct ktlso_key_share_list *l,
			      struct ktlso_list_iter *it,
			      struct ktlso_key_share *ks)
{
	int ret = iter_more(it, l->n, l->wire, l->wire_len);

	memset(ks, 0, sizeof(*ks));
	if (ret <= 0)
		return ret;
	if (l->v)
		*ks = l->v[it->i];
	else if (key_share_get(&it->r, ks))
		return -KTLSO_ERROR_INVALID_ARGUMENT;
	it->i++;
	return 1;
}

bool ktlso_key_share_list_find(const struct ktlso_key_share_list *l,
			       uint16_t group, struct ktlso_key_share *ks)
{
	struct ktlso_list_iter it = { 0 };

	while (ktlso_key_share_list_next(l, &it, ks) > 0)
		if (ks->group == group)
			return true;
	memset(ks, 0, sizeof(*ks));
	return false;
}

int ktlso_alpn_list_next(const struct ktlso_alpn_list *l,
			 struct ktlso_list_iter *it, struct ktlso_span *name)
{
	struct ktlso_reader v;
	int ret = iter_more(it, l->n, l->wire, l->wire_len);

	memset(name, 0, sizeof(*name));
	if (ret <= 0)
		return ret;
	if (l->v) {
		*name = l->v[it->i];
	} else {
		if (ktlso_get_vector(&it->r, 1, 1, 0xff, &v))
			return -KTLSO_ERROR_INVALID_ARGUMENT;
		ktlso_span_of(&v, name);
	}
	it->i++;
	return 1;
}

int ktlso_cert_list_next(const struct ktlso_cert_list *l,
			 struct ktlso_list_iter *it,
			 struct ktlso_cert_entry *entry)
{
	struct ktlso_reader data, exts;
	int ret = iter_more(it, l->n, l->wire, l->wire_len);

	memset(entry, 0, sizeof(*entry));
	if (ret <= 0)
		return ret;
	if (l->v) {
		*entry = l->v[it->i];
	} else {
		ktlso_get_vector(&it->r, 3, 1, KTLSO_HS_MAX_BODY_LEN, &data);
		if (ktlso_get_vector(&it->r, 2, 0, 0xffff, &exts))
			return -KTLSO_ERROR_INVALID_ARGUMENT;
		ktlso_span_of(&data, &entry->cert_data);
		ktlso_span_of(&exts, &entry->extensions);
	}
	it->i++;
	return 1;
}

/* --- the extension block walk --------------------------------------------- */

typedef int (*ext_parse_fn)(void *msg, enum ktlso_ext e,
			    struct ktlso_reader *body);
typedef int (*ext_write_fn)(struct ktlso_writer *w, const void *msg,
			    enum ktlso_ext e);

/*
 * Duplicate detection for one block: a short list of the types seen, and
 * a bitmap over all 2^16 types once a block holds more extensions than
 * the list (only then is the bitmap cleared: most blocks are small).
 */
#define DUP_SMALL 32

struct dup_check {
	size_t n;
	uint16_t small[DUP_SMALL];
	struct u16_set seen;
};

static bool dup_seen(struct dup_check *d, uint16_t code)
{
	size_t i;

	if (d->n < DUP_SMALL) {
		for (i = 0; i < d->n; i++)
			if (d->small[i] == code)
				return true;
		d->small[d->n++] = code;
		return false;
	}
	if (d->n == DUP_SMALL) {
		memset(&d->seen, 0, sizeof(d->seen));
		for (i = 0; i < DUP_SMALL; i++)
			u16_set_add(&d->seen, d->small[i]);
		d->n++;
	}
	if (u16_set_has(&d->seen, code))
		return true;
	u16_set_add(&d->seen, code);
	return false;
}

/*
 * Walk one extension block: duplicates (known or not) are illegal_parameter;
 * unknown extensions are skipped, except in a response, where they cannot
 * have been offered; a known extension that @ctx may not carry is
 * illegal_parameter, one that was not offered unsupported_extension
 * (RFC 8446 4.2); every body is consumed exactly.
 */
static int ext_block_parse(struct ktlso_reader *block, enum ext_ctx ctx,
			   uint32_t offered, struct ktlso_ext_set *set,
			   ext_parse_fn parse, void *msg)
{
	struct dup_check dup;
	int ret;

	dup.n = 0;
	memset(set, 0, sizeof(*set));
	while (ktlso_reader_remaining(block)) {
		struct ktlso_reader body;
		uint16_t code;
		int e;

		ktlso_get_u16(block, &code);
		ret = ktlso_get_vector(block, 2, 0, 0xffff, &body);
		if (ret)
			return ret;
		if (dup_seen(&dup, code))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		/* RFC 8446 4.2.11: pre_shared_key comes last. */
		if (ctx == CTX_CH && ktlso_ext_has(set, KTLSO_EXT_PRE_SHARED_KEY))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		e = ktlso_ext_from_code(code);
		if (e < 0) {
			if (IN_CTX(RESPONSE_CTXS, ctx))
				return -KTLSO_ALERT_UNSUPPORTED_EXTENSION;
			continue;
		}
		if (!IN_CTX(ext_table[e].contexts, ctx))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		if (IN_CTX(RESPONSE_CTXS, ctx) && !(offered & KTLSO_EXT_BIT(e)) &&
		    !(ctx == CTX_HRR && e == KTLSO_EXT_COOKIE))
			return -KTLSO_ALERT_UNSUPPORTED_EXTENSION;
		ktlso_ext_set_add(set, (enum ktlso_ext)e);
		ret = parse(msg, (enum ktlso_ext)e, &body);
		if (ret == 0)
			ret = ktlso_reader_end(&body);
		if (ret)
			return ret;
	}
	return 0;
}

static int write_one_ext(struct ktlso_writer *w, enum ext_ctx ctx,
			 enum ktlso_ext e, ext_write_fn write, const void *msg)
{
	if (!IN_CTX(ext_table[e].contexts, ctx))
		return ktlso_writer_invalid(w);
	ktlso_put_u16(w, ext_table[e].code);
	ktlso_writer_open_vector(w, 2, 0, 0xffff);
	if (w->err == 0)
		write(w, msg, e);
	return ktlso_writer_close_vector(w);
}

/*
 * Write @set as an extensions vector: in ->order when it is given (it must
 * list exactly ->present), else in enum order.
 */
static int ext_block_write(struct ktlso_writer *w, enum ext_ctx ctx,
			   const struct ktlso_ext_set *set, size_t min,
			   size_t max, ext_write_fn write, const void *msg)
{
	unsigned int count = set->n ? set->n : KTLSO_EXT_COUNT;
	uint32_t done = 0;
	unsigned int i;

	if (set->n > KTLSO_EXT_COUNT)
		goto invalid;
	ktlso_writer_open_vector(w, 2, min, max);
	for (i = 0; i < count && w->err == 0; i++) {
		unsigned int e = set->n ? set->order[i] : i;

		if (!set->n && !(set->present & KTLSO_EXT_BIT(e)))
			continue;
		if (e >= KTLSO_EXT_COUNT || !(set->present & KTLSO_EXT_BIT(e)) ||
		    (done & KTLSO_EXT_BIT(e)))
			goto invalid;
		/* Nothing may follow pre_shared_key. */
		if (done & KTLSO_EXT_BIT(KTLSO_EXT_PRE_SHARED_KEY))
			goto invalid;
		write_one_ext(w, ctx, (enum ktlso_ext)e, write, msg);
		done |= KTLSO_EXT_BIT(e);
	}
	if (w->err == 0 && done != set->present)
		goto invalid;
	return ktlso_writer_close_vector(w);
invalid:
	return ktlso_writer_invalid(w);
}

/* --- extension bodies ----------------------------------------------------- */

/* An extension whose body must be empty: ktlso_reader_end() checks. */
static int empty_body(struct ktlso_reader *r)
{
	return r->err;
}

static int put_empty(struct ktlso_writer *w)
{
	return w->err;
}

/* RFC 6066 3: a ServerNameList with at most one host_name. */
static int server_name_get(struct ktlso_reader *r, struct ktlso_span *host)
{
	struct ktlso_reader list, name;
	bool have_host = false;
	size_t i;
	int ret;

	ret = ktlso_get_vector(r, 2, 1, 0xffff, &list);
	while (ret == 0 && ktlso_reader_remaining(&list)) {
		uint8_t type;

		ktlso_get_u8(&list, &type);
		ret = ktlso_get_vector(&list, 2, 1, 0xffff, &name);
		if (ret || type != 0)
			continue;
		if (have_host)
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		have_host = true;
		/* DNS names are ASCII (A-labels); no NUL, no controls. */
		for (i = 0; i < name.len; i++)
			if (name.buf[i] < 0x21 || name.buf[i] > 0x7e)
				return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		ktlso_span_of(&name, host);
	}
	return ret;
}

static int server_name_put(struct ktlso_writer *w,
			   const struct ktlso_span *host)
{
	ktlso_writer_open_vector(w, 2, 1, 0xffff);
	ktlso_put_u8(w, 0);
	ktlso_put_span_vector(w, 2, 1, 0xffff, host);
	return ktlso_writer_close_vector(w);
}

/* RFC 7301 3.1: a ProtocolNameList of non-empty names. */
static int alpn_get(struct ktlso_reader *r, struct ktlso_alpn_list *l)
{
	struct ktlso_reader list, name;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = ktlso_get_vector(r, 2, 2, 0xffff, &list);
	if (ret)
		return ret;
	l->wire = list.buf;
	l->wire_len = list.len;
	while (ktlso_reader_remaining(&list)) {
		ret = ktlso_get_vector(&list, 1, 1, 0xff, &name);
		if (ret)
			return ktlso_reader_fail(r);
		l->n++;
	}
	return 0;
}

static int alpn_put(struct ktlso_writer *w, const struct ktlso_alpn_list *l)
{
	struct ktlso_list_iter it = { 0 };
	struct ktlso_span name;
	int ret;

	ktlso_writer_open_vector(w, 2, 2, 0xffff);
	if (!l->v && l->wire) {
		ktlso_put_bytes(w, l->wire, l->wire_len);
	} else {
		while (w->err == 0 &&
		       (ret = ktlso_alpn_list_next(l, &it, &name))) {
			if (ret < 0)
				return ktlso_writer_invalid(w);
			ktlso_put_span_vector(w, 1, 1, 0xff, &name);
		}
	}
	return ktlso_writer_close_vector(w);
}

static int record_size_limit_get(struct ktlso_reader *r, uint16_t *limit)
{
	int ret = ktlso_get_u16(r, limit);

	if (ret == 0 && *limit < RECORD_SIZE_LIMIT_MIN)
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	return ret;
}

static int record_size_limit_put(struct ktlso_writer *w, uint16_t limit)
{
	if (limit < RECORD_SIZE_LIMIT_MIN)
		return ktlso_writer_invalid(w);
	return ktlso_put_u16(w, limit);
}

/* RFC 8446 4.2.8: client_shares, no group twice. */
static int client_shares_get(struct ktlso_reader *r,
			     struct ktlso_key_share_list *l)
{
	struct ktlso_reader list;
	struct ktlso_key_share ks;
	struct u16_set seen;
	int ret;

	memset(l, 0, sizeof(*l));
	memset(&seen, 0, sizeof(seen));
	ret = ktlso_get_vector(r, 2, 0, 0xffff, &list);
	if (ret)
		return ret;
	l->wire = list.buf;
	l->wire_len = list.len;
	while (ktlso_reader_remaining(&list)) {
		if (key_share_get(&list, &ks))
			return ktlso_reader_fail(r);
		if (u16_set_has(&seen, ks.group))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
		u16_set_add(&seen, ks.group);
		l->n++;
	}
	return 0;
}

static int client_shares_put(struct ktlso_writer *w,
			     const struct ktlso_key_share_list *l)
{
	struct ktlso_list_iter it = { 0 };
	struct ktlso_key_share ks;
	int ret;

	ktlso_writer_open_vector(w, 2, 0, 0xffff);
	if (!l->v && l->wire) {
		ktlso_put_bytes(w, l->wire, l->wire_len);
	} else {
		while (w->err == 0 &&
		       (ret = ktlso_key_share_list_next(l, &it, &ks))) {
			if (ret < 0)
				return ktlso_writer_invalid(w);
			key_share_put(w, &ks);
		}
	}
	return ktlso_writer_close_vector(w);
}

int ktlso_client_hello_check_shares(const struct ktlso_client_hello *ch)
{
	struct ktlso_list_iter it = { 0 };
	struct ktlso_key_share ks;
	struct u16_set offered;
	int ret;

	u16_set_of_list(&offered, &ch->supported_groups);
	while ((ret = ktlso_key_share_list_next(&ch->key_shares, &it, &ks)) > 0)
		if (!u16_set_has(&offered, ks.group))
			return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	return ret;
}

/* RFC 8446 4.2.4: DistinguishedName authorities<3..2^16-1>. */
static int authorities_get(struct ktlso_reader *r, struct ktlso_span *s)
{
	struct ktlso_reader list, dn;
	int ret = ktlso_get_vector(r, 2, 3, 0xffff, &list);

	while (ret == 0 && ktlso_reader_remaining(&list))
		if (ktlso_get_vector(&list, 2, 1, 0xffff, &dn))
			return ktlso_reader_fail(r);
	ktlso_span_of(&list, s);
	return ret;
}

/* RFC 8446 4.2.5: OIDFilter filters<0..2^16-1>. */
static int oid_filters_get(struct ktlso_reader *r, struct ktlso_span *s)
{
	struct ktlso_reader list, v;
	int ret = ktlso_get_vector(r, 2, 0, 0xffff, &list);

	while (ret == 0 && ktlso_reader_remaining(&list)) {
		ktlso_get_vector(&list, 1, 1, 0xff, &v);
		if (ktlso_get_vector(&list, 2, 0, 0xffff, &v))
			return ktlso_reader_fail(r);
	}
	ktlso_span_of(&list, s);
	return ret;
}

/* RFC 8446 4.2.9: modes<1..255>; unknown modes are ignored. */
static int psk_modes_get(struct ktlso_reader *r, uint8_t *modes)
{
	struct ktlso_reader list;
	uint8_t m;
	int ret = ktlso_get_vector(r, 1, 1, 0xff, &list);

	*modes = 0;
	while (ret == 0 && ktlso_reader_remaining(&list)) {
		ktlso_get_u8(&list, &m);
		if (m == 0)
			*modes |= KTLSO_PSK_KE_BIT;
		else if (m == 1)
			*modes |= KTLSO_PSK_DHE_KE_BIT;
	}
	return ret;
}

static int psk_modes_put(struct ktlso_writer *w, uint8_t modes)
{
	ktlso_writer_open_vector(w, 1, 1, 0xff);
	if (modes & KTLSO_PSK_KE_BIT)
		ktlso_put_u8(w, 0);
	if (modes & KTLSO_PSK_DHE_KE_BIT)
		ktlso_put_u8(w, 1);
	return ktlso_writer_close_vector(w);
}

/*
 * RFC 8446 4.2.11: identities<7..2^16-1> of {identity<1..2^16-1>, u32
 * age}, binders<33..2^16-1> of <32..255>, as many binders as identities.
 */
static int offered_psks_get(struct ktlso_reader *r,
			    struct ktlso_client_hello *ch)
{
	struct ktlso_reader ids, binders, v;
	size_t n_ids = 0, n_binders = 0;
	uint32_t age;
	int ret;

	ktlso_get_vector(r, 2, 7, 0xffff, &ids);
	ret = ktlso_get_vector(r, 2, 33, 0xffff, &binders);
	if (ret)
		return ret;
	ktlso_span_of(&ids, &ch->psk_identities);
	ktlso_span_of(&binders, &ch->psk_binders);
	while (ktlso_reader_remaining(&ids)) {
		ktlso_get_vector(&ids, 2, 1, 0xffff, &v);
		if (ktlso_get_u32(&ids, &age))
			return ktlso_reader_fail(r);
		n_ids++;
	}
	while (ktlso_reader_remaining(&binders)) {
		if (ktlso_get_vector(&binders, 1, 32, 0xff, &v))
			return ktlso_reader_fail(r);
		n_binders++;
	}
	if (n_ids != n_binders)
		return -KTLSO_ALERT_ILLEGAL_PARAMETER;
	ch->psk_count = n_ids;
	return 0;
}

/* RFC 5746 3.6: an initial handshake's renegotiated_connection is empty. */
static int renegotiation_info_get(struct ktlso_reader *r)
{
	struct ktlso_reader v;
	int ret = ktlso_get_vector(r, 1, 0, 0xff, &v);

	if (ret == 0 && v.len != 0)
		return -KTLSO_ALERT_HANDSHAKE_FAILURE;
	return ret;
}

/*
 * RFC 8422 5.1.2: ec_point_format_list<1..2^8-1>, kept as is. Whether it
 * holds uncompressed is a TLS 1.2 rule (msg12.h); TLS 1.3 ignores it.
 */
static int ec_point_formats_get(struct ktlso_reader *r, struct ktlso_span *s)
{
	struct ktlso_reader v;
	int ret = ktlso_get_vector(r, 1, 1, 0xff, &v);

	ktlso_span_of(&v, s);
	return ret;
}

/* --- ClientHello ---------------------------------------------------------- */

static int ch_ext_parse(void *msg, enum ktlso_ext e, struct ktlso_reader *r)
{
	struct ktlso_client_hello *ch = msg;

	switch (e) {
	case KTLSO_EXT_SERVER_NAME:
		return server_name_get(r, &ch->server_name);
	case KTLSO_EXT_STATUS_REQUEST:
		return get_rest(r, &ch->status_request);
	case KTLSO_EXT_SUPPORTED_GROUPS:
		return ktlso_u16_list_get(r, 2, 2, 0xffff, &ch->supported_groups);
	case KTLSO_EXT_EC_POINT_FORMATS:
		return ec_point_formats_get(r, &ch->ec_point_formats);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS:
		return ktlso_u16_list_get(r, 2, 2, 0xfffe,
					  &ch->signature_algorithms);
	case KTLSO_EXT_ALPN:
		return alpn_get(r, &ch->alpn);
	case KTLSO_EXT_RECORD_SIZE_LIMIT:
		return record_size_limit_get(r, &ch->record_size_limit);
	case KTLSO_EXT_SESSION_TICKET:
		return get_rest(r, &ch->session_ticket);
	case KTLSO_EXT_SUPPORTED_VERSIONS:
		return ktlso_u16_list_get(r, 1, 2, 0xfe, &ch->supported_versions);
	case KTLSO_EXT_COOKIE: {
		struct ktlso_reader v;
		int ret = ktlso_get_vector(r, 2, 1, 0xffff, &v);

		ktlso_span_of(&v, &ch->cookie);
		return ret;
	}
	case KTLSO_EXT_PSK_KEY_EXCHANGE_MODES:
		return psk_modes_get(r, &ch->psk_modes);
	case KTLSO_EXT_CERTIFICATE_AUTHORITIES:
		return authorities_get(r, &ch->certificate_authorities);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS_CERT:
		return ktlso_u16_list_get(r, 2, 2, 0xfffe,
					  &ch->signature_algorithms_cert);
	case KTLSO_EXT_KEY_SHARE:
		return client_shares_get(r, &ch->key_shares);
	case KTLSO_EXT_RENEGOTIATION_INFO:
		return renegotiation_info_get(r);
	case KTLSO_EXT_PRE_SHARED_KEY:
		return offered_psks_get(r, ch);
	case KTLSO_EXT_SCT:			/* a request: empty */
	case KTLSO_EXT_EXTENDED_MASTER_SECRET:
	case KTLSO_EXT_EARLY_DATA:		/* offered; never accepted */
	case KTLSO_EXT_POST_HANDSHAKE_AUTH:
		return empty_body(r);
	case KTLSO_EXT_OID_FILTERS:
	case KTLSO_EXT_COUNT:
		break;
	}
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not reached: ext_table */
}

int ktlso_client_hello_exts(struct ktlso_client_hello *ch,
			    struct ktlso_reader *exts)
{
	return ext_block_parse(exts, CTX_CH, 0, &ch->ext, ch_ext_parse, ch);
}

static int ch_ext_write(struct ktlso_writer *w, const void *msg,
			enum ktlso_ext e)
{
	const struct ktlso_client_hello *ch = msg;

	switch (e) {
	case KTLSO_EXT_SERVER_NAME:
		return server_name_put(w, &ch->server_name);
	case KTLSO_EXT_STATUS_REQUEST:
		return ktlso_put_bytes(w, ch->status_request.p,
				       ch->status_request.len);
	case KTLSO_EXT_SUPPORTED_GROUPS:
		return ktlso_u16_list_put(w, 2, 2, 0xffff, &ch->supported_groups);
	case KTLSO_EXT_EC_POINT_FORMATS:
		return ktlso_put_span_vector(w, 1, 1, 0xff,
					     &ch->ec_point_formats);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS:
		return ktlso_u16_list_put(w, 2, 2, 0xfffe,
					  &ch->signature_algorithms);
	case KTLSO_EXT_ALPN:
		return alpn_put(w, &ch->alpn);
	case KTLSO_EXT_RECORD_SIZE_LIMIT:
		return record_size_limit_put(w, ch->record_size_limit);
	case KTLSO_EXT_SESSION_TICKET:
		return ktlso_put_bytes(w, ch->session_ticket.p,
				       ch->session_ticket.len);
	case KTLSO_EXT_SUPPORTED_VERSIONS:
		return ktlso_u16_list_put(w, 1, 2, 0xfe, &ch->supported_versions);
	case KTLSO_EXT_COOKIE:
		return ktlso_put_span_vector(w, 2, 1, 0xffff, &ch->cookie);
	case KTLSO_EXT_PSK_KEY_EXCHANGE_MODES:
		return psk_modes_put(w, ch->psk_modes);
	case KTLSO_EXT_CERTIFICATE_AUTHORITIES:
		return ktlso_put_span_vector(w, 2, 3, 0xffff,
					     &ch->certificate_authorities);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS_CERT:
		return ktlso_u16_list_put(w, 2, 2, 0xfffe,
					  &ch->signature_algorithms_cert);
	case KTLSO_EXT_KEY_SHARE:
		return client_shares_put(w, &ch->key_shares);
	case KTLSO_EXT_RENEGOTIATION_INFO:
		return ktlso_put_u8(w, 0);
	case KTLSO_EXT_PRE_SHARED_KEY:
		ktlso_put_span_vector(w, 2, 7, 0xffff, &ch->psk_identities);
		return ktlso_put_span_vector(w, 2, 33, 0xffff, &ch->psk_binders);
	case KTLSO_EXT_SCT:
	case KTLSO_EXT_EXTENDED_MASTER_SECRET:
	case KTLSO_EXT_EARLY_DATA:
	case KTLSO_EXT_POST_HANDSHAKE_AUTH:
		return put_empty(w);
	case KTLSO_EXT_OID_FILTERS:
	case KTLSO_EXT_COUNT:
		break;
	}
	return ktlso_writer_invalid(w);
}

/* A ClientHello with no extensions is written without the vector (TLS 1.2). */
int ktlso_client_hello_write_exts(struct ktlso_writer *w,
				  const struct ktlso_client_hello *ch)
{
	if (ch->ext.present == 0 && ch->ext.n == 0)
		return w->err;
	return ext_block_write(w, CTX_CH, &ch->ext, 0, 0xffff, ch_ext_write, ch);
}

/* --- ServerHello and HelloRetryRequest ------------------------------------ */

static int sh_ext_parse(void *msg, enum ktlso_ext e, struct ktlso_reader *r)
{
	struct ktlso_server_hello *sh = msg;
	struct ktlso_reader v;
	int ret;

	switch (e) {
	case KTLSO_EXT_SUPPORTED_VERSIONS:
		return ktlso_get_u16(r, &sh->selected_version);
	case KTLSO_EXT_KEY_SHARE:
		if (sh->hrr)
			return ktlso_get_u16(r, &sh->key_share.group);
		return key_share_get(r, &sh->key_share);
	case KTLSO_EXT_COOKIE:
		ret = ktlso_get_vector(r, 2, 1, 0xffff, &v);
		ktlso_span_of(&v, &sh->cookie);
		return ret;
	case KTLSO_EXT_PRE_SHARED_KEY:
		return ktlso_get_u16(r, &sh->selected_identity);
	default:
		break;
	}
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not reached: ext_table */
}

/* Does a well-formed extension block hold @code? */
static int ext_block_find(struct ktlso_reader block, uint16_t code)
{
	struct ktlso_reader body;
	uint16_t c;

	while (ktlso_reader_remaining(&block)) {
		ktlso_get_u16(&block, &c);
		if (ktlso_get_vector(&block, 2, 0, 0xffff, &body))
			return block.err;
		if (c == code)
			return 1;
	}
	return 0;
}

int ktlso_server_hello_exts(struct ktlso_server_hello *sh,
			    struct ktlso_reader *exts, uint32_t offered)
{
	int ret = ext_block_find(*exts, 43);

	/* Without supported_versions, a TLS 1.2 (or older) ServerHello. */
	if (ret <= 0)
		return ret < 0 ? ret : -KTLSO_ALERT_PROTOCOL_VERSION;
	return ext_block_parse(exts, sh->hrr ? CTX_HRR : CTX_SH, offered,
			       &sh->ext, sh_ext_parse, sh);
}

static int sh_ext_write(struct ktlso_writer *w, const void *msg,
			enum ktlso_ext e)
{
	const struct ktlso_server_hello *sh = msg;

	switch (e) {
	case KTLSO_EXT_SUPPORTED_VERSIONS:
		return ktlso_put_u16(w, sh->selected_version);
	case KTLSO_EXT_KEY_SHARE:
		if (sh->hrr)
			return ktlso_put_u16(w, sh->key_share.group);
		return key_share_put(w, &sh->key_share);
	case KTLSO_EXT_COOKIE:
		return ktlso_put_span_vector(w, 2, 1, 0xffff, &sh->cookie);
	case KTLSO_EXT_PRE_SHARED_KEY:
		return ktlso_put_u16(w, sh->selected_identity);
	default:
		break;
	}
	return ktlso_writer_invalid(w);
}

int ktlso_server_hello_write_exts(struct ktlso_writer *w,
				  const struct ktlso_server_hello *sh)
{
	if (!ktlso_ext_has(&sh->ext, KTLSO_EXT_SUPPORTED_VERSIONS))
		return ktlso_writer_invalid(w);
	return ext_block_write(w, sh->hrr ? CTX_HRR : CTX_SH, &sh->ext, 6,
			       0xffff, sh_ext_write, sh);
}

/* --- EncryptedExtensions -------------------------------------------------- */

static int ee_ext_parse(void *msg, enum ktlso_ext e, struct ktlso_reader *r)
{
	struct ktlso_encrypted_extensions *ee = msg;
	struct ktlso_reader list, name;
	int ret;

	switch (e) {
	case KTLSO_EXT_SERVER_NAME:		/* an empty acknowledgement */
	case KTLSO_EXT_EARLY_DATA:		/* would accept early data */
		return empty_body(r);
	case KTLSO_EXT_SUPPORTED_GROUPS:
		return ktlso_u16_list_get(r, 2, 2, 0xffff, &ee->supported_groups);
	case KTLSO_EXT_ALPN:
		/* RFC 7301 3.1: exactly one protocol name. */
		ktlso_get_vector(r, 2, 2, 0xffff, &list);
		ret = ktlso_get_vector(&list, 1, 1, 0xff, &name);
		if (ret == 0)
			ret = ktlso_reader_end(&list);
		if (ret)
			return ktlso_reader_fail(r);
		ktlso_span_of(&name, &ee->alpn);
		return 0;
	case KTLSO_EXT_RECORD_SIZE_LIMIT:
		return record_size_limit_get(r, &ee->record_size_limit);
	default:
		break;
	}
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not reached: ext_table */
}

int ktlso_encrypted_extensions_exts(struct ktlso_encrypted_extensions *ee,
				    struct ktlso_reader *exts,
				    uint32_t offered)
{
	return ext_block_parse(exts, CTX_EE, offered, &ee->ext, ee_ext_parse,
			       ee);
}

static int ee_ext_write(struct ktlso_writer *w, const void *msg,
			enum ktlso_ext e)
{
	const struct ktlso_encrypted_extensions *ee = msg;

	switch (e) {
	case KTLSO_EXT_SERVER_NAME:
	case KTLSO_EXT_EARLY_DATA:
		return put_empty(w);
	case KTLSO_EXT_SUPPORTED_GROUPS:
		return ktlso_u16_list_put(w, 2, 2, 0xffff, &ee->supported_groups);
	case KTLSO_EXT_ALPN:
		ktlso_writer_open_vector(w, 2, 2, 0xffff);
		ktlso_put_span_vector(w, 1, 1, 0xff, &ee->alpn);
		return ktlso_writer_close_vector(w);
	case KTLSO_EXT_RECORD_SIZE_LIMIT:
		return record_size_limit_put(w, ee->record_size_limit);
	default:
		break;
	}
	return ktlso_writer_invalid(w);
}

int ktlso_encrypted_extensions_write_exts(struct ktlso_writer *w,
				const struct ktlso_encrypted_extensions *ee)
{
	return ext_block_write(w, CTX_EE, &ee->ext, 0, 0xffff, ee_ext_write,
			       ee);
}

/* --- CertificateEntry ----------------------------------------------------- */

static int ct_ext_parse(void *msg, enum ktlso_ext e, struct ktlso_reader *r)
{
	struct ktlso_reader v;
	uint8_t status_type;

	(void)msg;
	switch (e) {
	case KTLSO_EXT_STATUS_REQUEST:
		/* RFC 6066 8: CertificateStatus {status_type, response}. */
		ktlso_get_u8(r, &status_type);
		return ktlso_get_vector(r, 3, 1, KTLSO_HS_MAX_BODY_LEN, &v);
	case KTLSO_EXT_SCT:
		/* RFC 6962 3.3: SignedCertificateTimestampList<1..2^16-1>. */
		return ktlso_get_vector(r, 2, 1, 0xffff, &v);
	default:
		break;
	}
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not reached: ext_table */
}

int ktlso_cert_entry_exts(struct ktlso_reader *exts, uint32_t offered)
{
	struct ktlso_ext_set set;

	return ext_block_parse(exts, CTX_CT, offered, &set, ct_ext_parse, NULL);
}

/* --- CertificateRequest --------------------------------------------------- */

static int cr_ext_parse(void *msg, enum ktlso_ext e, struct ktlso_reader *r)
{
	struct ktlso_certificate_request *cr = msg;

	switch (e) {
	case KTLSO_EXT_STATUS_REQUEST:		/* RFC 8446 4.4.2.1: empty */
	case KTLSO_EXT_SCT:
		return empty_body(r);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS:
		return ktlso_u16_list_get(r, 2, 2, 0xfffe,
					  &cr->signature_algorithms);
	case KTLSO_EXT_CERTIFICATE_AUTHORITIES:
		return authorities_get(r, &cr->certificate_authorities);
	case KTLSO_EXT_OID_FILTERS:
		return oid_filters_get(r, &cr->oid_filters);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS_CERT:
		return ktlso_u16_list_get(r, 2, 2, 0xfffe,
					  &cr->signature_algorithms_cert);
	default:
		break;
	}
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not reached: ext_table */
}

int ktlso_certificate_request_exts(struct ktlso_certificate_request *cr,
				   struct ktlso_reader *exts)
{
	return ext_block_parse(exts, CTX_CR, 0, &cr->ext, cr_ext_parse, cr);
}

static int cr_ext_write(struct ktlso_writer *w, const void *msg,
			enum ktlso_ext e)
{
	const struct ktlso_certificate_request *cr = msg;

	switch (e) {
	case KTLSO_EXT_STATUS_REQUEST:
	case KTLSO_EXT_SCT:
		return put_empty(w);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS:
		return ktlso_u16_list_put(w, 2, 2, 0xfffe,
					  &cr->signature_algorithms);
	case KTLSO_EXT_CERTIFICATE_AUTHORITIES:
		return ktlso_put_span_vector(w, 2, 3, 0xffff,
					     &cr->certificate_authorities);
	case KTLSO_EXT_OID_FILTERS:
		return ktlso_put_span_vector(w, 2, 0, 0xffff, &cr->oid_filters);
	case KTLSO_EXT_SIGNATURE_ALGORITHMS_CERT:
		return ktlso_u16_list_put(w, 2, 2, 0xfffe,
					  &cr->signature_algorithms_cert);
	default:
		break;
	}
	return ktlso_writer_invalid(w);
}

int ktlso_certificate_request_write_exts(struct ktlso_writer *w,
				const struct ktlso_certificate_request *cr)
{
	return ext_block_write(w, CTX_CR, &cr->ext, 2, 0xffff, cr_ext_write,
			       cr);
}

/* --- NewSessionTicket ----------------------------------------------------- */

static int nst_ext_parse(void *msg, enum ktlso_ext e, struct ktlso_reader *r)
{
	struct ktlso_new_session_ticket *nst = msg;

	if (e == KTLSO_EXT_EARLY_DATA)
		return ktlso_get_u32(r, &nst->max_early_data_size);
	return -KTLSO_ALERT_ILLEGAL_PARAMETER;	/* not reached: ext_table */
}

int ktlso_new_session_ticket_exts(struct ktlso_new_session_ticket *nst,
				  struct ktlso_reader *exts)
{
	return ext_block_parse(exts, CTX_NST, 0, &nst->ext, nst_ext_parse, nst);
}

static int nst_ext_write(struct ktlso_writer *w, const void *msg,
			 enum ktlso_ext e)
{
	const struct ktlso_new_session_ticket *nst = msg;

	if (e == KTLSO_EXT_EARLY_DATA)
		return ktlso_put_u32(w, nst->max_early_data_size);
	return ktlso_writer_invalid(w);
}

int ktlso_new_session_ticket_write_exts(struct ktlso_writer *w,
				const struct ktlso_new_session_ticket *nst)
{
	return ext_block_write(w, CTX_NST, &nst->ext, 0, 0xfffe, nst_ext_write,
			       nst);
}
