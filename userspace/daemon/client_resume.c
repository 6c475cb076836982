// SPDX-License-Identifier: GPL-2.0
/*
 * Resumption for the connections ktlsod runs as a client. See
 * client_resume.h.
 */
#include <errno.h>
#include <string.h>

#include "daemon/client_resume.h"
#include "daemon/log.h"
#include "engine/alert.h"

int kd_client_resume_init(struct kd_client_resume *cr,
			  unsigned int max_tickets)
{
	int ret;

	memset(cr, 0, sizeof(*cr));
	if (!max_tickets)
		return 0;
	ret = kd_client_cache_new(&cr->cache, max_tickets);
	if (ret == 0)
		ret = kd_client_conns_new(&cr->conns, max_tickets);
	if (ret) {
		kd_client_cache_free(cr->cache);
		memset(cr, 0, sizeof(*cr));
	}
	return ret;
}

void kd_client_resume_fini(struct kd_client_resume *cr)
{
	struct kd_client_cache_counts c;
	struct kd_client_conns_counts n;

	if (!cr->cache)
		return;
	kd_client_cache_counts(cr->cache, &c);
	kd_client_conns_counts(cr->conns, &n);
	kd_log(KD_LOG_INFO,
	       "client sessions: %llu tickets kept (%llu after the hand-off), %llu offered, %llu evicted, %llu expired; %llu connections tracked, %llu pushed out; %llu ticket messages for no connection, %llu malformed, %llu overruns",
	       (unsigned long long)c.stored, (unsigned long long)cr->kept,
	       (unsigned long long)c.taken, (unsigned long long)c.evicted,
	       (unsigned long long)c.expired, (unsigned long long)n.added,
	       (unsigned long long)n.evicted,
	       (unsigned long long)cr->unknown,
	       (unsigned long long)cr->malformed,
	       (unsigned long long)cr->lost);
	kd_client_conns_free(cr->conns);
	kd_client_cache_free(cr->cache);
	memset(cr, 0, sizeof(*cr));
}

uint64_t kd_client_resume_id(const struct kd_client_resume *cr,
			     const struct kd_hs *h, bool kernel_tickets)
{
	if (!cr->cache || !kernel_tickets || !h->resumption || h->out.status)
		return 0;
	return kd_client_conn_id();
}

void kd_client_resume_track(struct kd_client_resume *cr, struct kd_hs *h,
			    uint64_t id)
{
	int ret;

	if (!cr->conns || !h->resumption)
		return;
	ret = kd_client_conns_add(cr->conns, id, h->resumption,
				  &h->cache_key);
	if (ret)
		kd_log(KD_LOG_WARNING, "%s: its tickets cannot be kept: %s",
		       h->peer, strerror(-ret));
}

/* Where a tracked connection's tickets go. */
struct keep_arg {
	struct kd_client_resume *cr;
	struct kd_client_conn *conn;
	int err;
};

static void keep(void *arg, const struct ktlso_client_ticket *t)
{
	struct keep_arg *k = arg;
	int ret = kd_client_cache_put(k->cr->cache, &k->conn->key, t);

	if (ret)
		k->err = ret;
	else
		k->cr->kept++;
}

void kd_client_resume_tickets(struct kd_client_resume *cr,
			      const struct kd_tickets_msg *m)
{
	struct keep_arg k = { .cr = cr };
	unsigned int max;
	int n;

	if (!cr->cache)
		return;
	if (m->end) {
		if (kd_client_conns_end(cr->conns, m->id))
			cr->unknown++;
		return;
	}
	k.conn = kd_client_conns_find(cr->conns, m->id);
	if (!k.conn) {
		/* Pushed out, or another ktlsod's in this namespace. */
		cr->unknown++;
		return;
	}
	/*
	 * No more than its key holds: each costs an HKDF here, and a server
	 * may pack hundreds in a record. The rest of the message is skipped.
	 */
	max = k.conn->tickets < KD_CLIENT_TICKETS_PER_KEY ?
	      KD_CLIENT_TICKETS_PER_KEY - k.conn->tickets : 0;
	n = ktlso_resumption_tickets(&k.conn->resumption, m->msgs, m->len,
				     kd_wall_ms(), max, keep, &k);
	if (n < 0) {
		/* A server's mistake: its later tickets are not taken. */
		cr->malformed++;
		kd_log_peer(KD_LOG_WARNING,
			    "a server's session tickets are malformed (%s): that connection's are dropped",
			    ktlso_error_name(n));
		kd_client_conns_end(cr->conns, m->id);
		return;
	}
	k.conn->tickets += (unsigned int)n;
	if (k.err)
		kd_log(KD_LOG_DEBUG, "a session ticket not kept: %s",
		       strerror(-k.err));
	/* Its key is full: the secret goes now, later messages are unknown. */
	if (k.conn->tickets >= KD_CLIENT_TICKETS_PER_KEY) {
		kd_log(KD_LOG_DEBUG,
		       "a connection gave its %u session tickets: no more are taken",
		       k.conn->tickets);
		kd_client_conns_end(cr->conns, m->id);
	}
}
