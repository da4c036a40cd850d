/*
 * session.c -- one audit's view of a source: the answer cache (a name and
 * type is asked once per audit) and the dispatch of a batch of questions to
 * the zone data or, all at once, to the live servers.
 *
 * The audit deadline lives here: once it has passed, nothing more is sent
 * and every new question is a TIMEOUT, so an audit against a dead resolver
 * ends in bounded time however many rounds its checks would need.
 */
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"

int dnsaudit_session_new(dnsaudit_session **out, const dnsaudit_source *source)
{
	struct dnsaudit_session *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return DNSAUDIT_ENOMEM;
	s->source = source;
	s->started_ms = dnsaudit__now_ms();
	*out = s;
	return 0;
}

void dnsaudit_session_free(dnsaudit_session *session)
{
	size_t i;

	if (session == NULL)
		return;
	for (i = 0; i < CACHE_BUCKETS; i++) {
		struct cache_entry *e = session->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			dnsaudit__answer_free(e->answer);
			free(e);
		}
	}
	free(session);
}

static unsigned hash_key(const char *name, uint16_t type)
{
	unsigned h = 2166136261u ^ type;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % CACHE_BUCKETS;
}

static struct cache_entry *cache_find(const struct dnsaudit_session *s, const char *name,
                                      uint16_t type)
{
	struct cache_entry *e = s->buckets[hash_key(name, type)];

	for (; e != NULL; e = e->next)
		if (e->type == type && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static int cache_put(struct dnsaudit_session *s, struct dnsaudit_answer *a)
{
	size_t len = strlen(a->qname);
	struct cache_entry *e = malloc(sizeof(*e) + len + 1);
	unsigned h;

	if (e == NULL)
		return -1;
	memcpy(e->name, a->qname, len + 1);
	e->type = a->qtype;
	e->answer = a;
	h = hash_key(e->name, e->type);
	e->next = s->buckets[h];
	s->buckets[h] = e;
	s->entries++;
	return 0;
}

/* Canonical absolute lowercase dname, or NULL for a name that is not one. */
static ldns_rdf *canonical_name(const char *name)
{
	ldns_rdf *d = NULL;

	if (name == NULL || *name == '\0' || strlen(name) > 1024)
		return NULL;
	if (ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK)
		return NULL;
	ldns_dname2canonical(d);
	return d;
}

/* A question the layer will not send: the answer says why, locally. */
static struct dnsaudit_answer *local_answer(const ldns_rdf *dname, uint16_t type,
                                            dnsaudit_dns_status st, const char *why)
{
	struct dnsaudit_answer *a = dnsaudit__answer_new(dname, type);

	if (a == NULL)
		return NULL;
	a->status = st;
	a->transport = "local";
	if (dnsaudit__answer_set_detail(a, why) != 0 ||
	    dnsaudit__answer_set_origin(a, "local") != 0) {
		dnsaudit__answer_free(a);
		return NULL;
	}
	return a;
}

static int from_zones(const struct dnsaudit_session *s, const ldns_rdf *d)
{
	const struct dnsaudit_source *src = s->source;

	if (src->zones == NULL)
		return 0;
	return src->live == NULL || dnsaudit__zoneset_covers(src->zones, d);
}

struct batch {
	struct dnsaudit__live_query *live;
	ldns_rdf **names; /* owned dnames of live questions */
	size_t nlive;
	struct dnsaudit_answer **fresh; /* answered in this batch (cache-owned) */
	size_t nfresh;
};

/* The stub answers everything, like zone files without a resolver. */
static int answer_from_stub(struct dnsaudit_session *s, struct batch *b, const ldns_rdf *d,
                            uint16_t type);

/* Answers a question at once (zones, deadline) or queues it for the servers. */
static int dispatch_one(struct dnsaudit_session *s, struct batch *b, ldns_rdf *d, uint16_t type,
                        int past_deadline)
{
	struct dnsaudit_answer *a;
	size_t i;

	for (i = 0; i < b->nlive; i++) /* same question twice in one batch */
		if (b->live[i].qtype == type && ldns_dname_compare(b->names[i], d) == 0)
			return 1;
	if (s->source->stub != NULL)
		return answer_from_stub(s, b, d, type);
	if (from_zones(s, d)) {
		if ((a = dnsaudit__answer_new(d, type)) == NULL)
			return -1;
		if (dnsaudit__zoneset_answer(s->source->zones, d, type, a) != 0) {
			dnsaudit__answer_free(a);
			return -1;
		}
		s->stats.queries++;
		s->stats.answers++;
		if (cache_put(s, a) != 0) {
			dnsaudit__answer_free(a);
			return -1;
		}
		b->fresh[b->nfresh++] = a;
		return 1;
	}
	if (past_deadline) {
		a = local_answer(d, type, DNSAUDIT_DNS_TIMEOUT, "audit deadline reached");
		return a != NULL && cache_put(s, a) == 0 ? 1 : (dnsaudit__answer_free(a), -1);
	}
	if ((a = dnsaudit__answer_new(d, type)) == NULL)
		return -1;
	b->names[b->nlive] = d;
	b->live[b->nlive].qname = d;
	b->live[b->nlive].qtype = type;
	b->live[b->nlive].out = a;
	b->nlive++;
	return 0; /* d now belongs to the batch */
}

static int answer_from_stub(struct dnsaudit_session *s, struct batch *b, const ldns_rdf *d,
                            uint16_t type)
{
	struct dnsaudit_answer *a = dnsaudit__answer_new(d, type);

	if (a == NULL)
		return -1;
	a->transport = "stub";
	if (s->source->stub(s->source->stub_payload, d, type, a) != 0 || cache_put(s, a) != 0) {
		dnsaudit__answer_free(a);
		return -1;
	}
	s->stats.queries++;
	if (a->rcode >= 0)
		s->stats.answers++;
	b->fresh[b->nfresh++] = a;
	return 1;
}

static int run_live(struct dnsaudit_session *s, struct batch *b)
{
	dnsaudit__live_stats ls = {0, 0};
	uint64_t deadline = s->started_ms + s->source->deadline_ms;
	size_t i;
	int rc;

	if (b->nlive == 0)
		return 0;
	rc = dnsaudit__live_resolve(s->source->live, b->live, b->nlive, deadline, &ls);
	s->stats.queries += b->nlive;
	s->stats.packets += ls.packets;
	s->stats.answers += ls.answers;
	for (i = 0; i < b->nlive; i++) {
		if (rc == 0 && cache_put(s, b->live[i].out) == 0) {
			b->fresh[b->nfresh++] = b->live[i].out;
			b->live[i].out = NULL;
		}
	}
	return rc == 0 ? 0 : DNSAUDIT_ENOMEM;
}

static void batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nlive; i++) {
		ldns_rdf_deep_free(b->names[i]);
		dnsaudit__answer_free(b->live[i].out);
	}
	free(b->live);
	free(b->names);
	free(b->fresh);
}

static int dispatch_all(struct dnsaudit_session *s, struct batch *b, const dnsaudit_question *qs,
                        size_t count)
{
	int past = s->expired || dnsaudit__now_ms() >= s->started_ms + s->source->deadline_ms;
	size_t i;

	for (i = 0; i < count; i++) {
		ldns_rdf *d = canonical_name(qs[i].name);
		struct dnsaudit_answer *a;
		char *key;
		int r;

		if (s->entries + b->nlive >= DNSAUDIT_SESSION_MAX_ANSWERS)
			return DNSAUDIT_ELIMIT;
		if (d == NULL) {
			ldns_rdf *root = ldns_dname_new_frm_str(".");

			a = root ? local_answer(root, qs[i].type, DNSAUDIT_DNS_NETERROR,
			                        "invalid domain name")
			         : NULL;
			ldns_rdf_deep_free(root);
			/* Cached under the name as given, so the asker finds it. */
			if (a == NULL || (free(a->qname), a->qname = strdup(qs[i].name)) == NULL ||
			    cache_put(s, a) != 0) {
				dnsaudit__answer_free(a);
				return DNSAUDIT_ENOMEM;
			}
			continue;
		}
		key = ldns_rdf2str(d);
		r = key == NULL ? -1 : (cache_find(s, key, qs[i].type) ? 2 : 0);
		free(key);
		if (r == 2) {
			s->stats.cache_hits++;
			ldns_rdf_deep_free(d);
			continue;
		}
		if (r == 0)
			r = dispatch_one(s, b, d, qs[i].type, past);
		if (r != 0)
			ldns_rdf_deep_free(d);
		if (r < 0)
			return DNSAUDIT_ENOMEM;
	}
	return 0;
}

/*
 * A CNAME chain that ends where this backend cannot answer: a zone file's
 * alias to a name outside every file (overlay), or an authoritative server
 * that stops at an alias into a zone it does not serve. The target is asked
 * again, so a migration zone's CNAME to a provider is not reported missing.
 */
static const ldns_rdf *dangling_target(const struct dnsaudit_session *s,
                                       const struct dnsaudit_answer *a)
{
	const ldns_rr *last;
	const ldns_rdf *target;
	size_t n = ldns_rr_list_rr_count(a->chain);

	if (n == 0 || n >= DNSAUDIT_MAX_CNAME_CHAIN || ldns_rr_list_rr_count(a->rrs) > 0)
		return NULL;
	last = ldns_rr_list_rr(a->chain, n - 1);
	if (ldns_rr_rd_count(last) < 1)
		return NULL;
	target = ldns_rr_rdf(last, 0);
	if (strcmp(a->transport, "zone") == 0)
		return a->status == DNSAUDIT_DNS_NXDOMAIN && s->source->live != NULL &&
		               !dnsaudit__zoneset_covers(s->source->zones, target)
		           ? target
		           : NULL;
	return a->status == DNSAUDIT_DNS_NODATA ? target : NULL;
}

/* a takes over t's outcome, records and chain, after its own chain. */
static int splice(struct dnsaudit_answer *a, const struct dnsaudit_answer *t)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(t->chain); i++)
		if (!ldns_rr_list_push_rr(a->chain, ldns_rr_clone(ldns_rr_list_rr(t->chain, i))))
			return -1;
	for (i = 0; i < ldns_rr_list_rr_count(t->rrs); i++)
		if (!ldns_rr_list_push_rr(a->rrs, ldns_rr_clone(ldns_rr_list_rr(t->rrs, i))))
			return -1;
	a->status = t->status;
	a->rcode = t->rcode;
	a->transport = t->transport;
	return dnsaudit__answer_set_origin(a, t->origin) == 0 &&
	               dnsaudit__answer_set_detail(a, t->detail) == 0
	           ? 0
	           : -1;
}

static int resolve_depth(struct dnsaudit_session *session, const dnsaudit_question *qs,
                         size_t count, unsigned depth);

static int follow_dangling(struct dnsaudit_session *s, struct batch *b, unsigned depth)
{
	size_t i;

	for (i = 0; i < b->nfresh && depth < 4; i++) {
		struct dnsaudit_answer *a = b->fresh[i];
		const ldns_rdf *target = dangling_target(s, a);
		const struct dnsaudit_answer *t;
		dnsaudit_question q;
		char *name;
		int rc;

		if (target == NULL || (name = ldns_rdf2str(target)) == NULL)
			continue;
		q.name = name;
		q.type = a->qtype;
		rc = resolve_depth(s, &q, 1, depth + 1);
		t = rc == 0 ? dnsaudit_session_get(s, name, a->qtype) : NULL;
		free(name);
		if (t != NULL && t != a && splice(a, t) != 0)
			return DNSAUDIT_ENOMEM;
	}
	return 0;
}

int dnsaudit_session_resolve(dnsaudit_session *session, const dnsaudit_question *qs, size_t count)
{
	return resolve_depth(session, qs, count, 0);
}

static int resolve_depth(struct dnsaudit_session *session, const dnsaudit_question *qs,
                         size_t count, unsigned depth)
{
	struct batch b = {NULL, NULL, 0, NULL, 0};
	unsigned long before = session->stats.queries;
	int rc;

	if (count == 0)
		return 0;
	b.live = calloc(count, sizeof(*b.live));
	b.names = calloc(count, sizeof(*b.names));
	b.fresh = calloc(count, sizeof(*b.fresh));
	if (b.live == NULL || b.names == NULL || b.fresh == NULL) {
		batch_free(&b);
		return DNSAUDIT_ENOMEM;
	}
	rc = dispatch_all(session, &b, qs, count);
	if (rc == 0)
		rc = run_live(session, &b);
	if (rc == 0)
		rc = follow_dangling(session, &b, depth);
	/* A round is a batch that asked anything new: the critical path. */
	if (session->stats.queries > before)
		session->stats.rounds++;
	batch_free(&b);
	return rc;
}

/* Key form of a name as the cache holds it; NULL-safe for bad names. */
static char *cache_key(const char *name)
{
	ldns_rdf *d = canonical_name(name);
	char *key;

	if (d == NULL)
		return name != NULL ? strdup(name) : NULL;
	key = ldns_rdf2str(d);
	ldns_rdf_deep_free(d);
	return key;
}

const dnsaudit_answer *dnsaudit_session_get(dnsaudit_session *session, const char *name,
                                            uint16_t type)
{
	char *key = cache_key(name);
	struct cache_entry *e;

	if (key == NULL)
		return NULL;
	e = cache_find(session, key, type);
	free(key);
	return e != NULL ? e->answer : NULL;
}

const dnsaudit_answer *dnsaudit_session_lookup(dnsaudit_session *session, const char *name,
                                               uint16_t type)
{
	dnsaudit_question q;

	q.name = name;
	q.type = type;
	if (dnsaudit_session_resolve(session, &q, 1) != 0)
		return NULL;
	return dnsaudit_session_get(session, name, type);
}

void dnsaudit__session_expire(dnsaudit_session *session)
{
	session->expired = 1;
}

void dnsaudit_session_get_stats(const dnsaudit_session *session, dnsaudit_session_stats *out)
{
	*out = session->stats;
}
