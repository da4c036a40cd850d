/*
 * spf_eval.c -- check_host() (RFC 7208 §4-§6): record lookup and selection,
 * left-to-right evaluation, include and redirect, the §4.6.4 limits, exp=,
 * and the tree of what was done, for traces and for the audit.
 *
 * All DNS goes through the caller's lookup callback and all state lives in
 * one struct eval per call, so the evaluator is re-entrant. Two modes share
 * the code: a real evaluation (stops at the first match or error, as the
 * RFC says) and the audit's walk (nothing IP-dependent matches, errors are
 * recorded and the walk goes on, so the user sees every term and its cost).
 * Loops end through the limits in a real evaluation; the walk, which does
 * not stop at limits, tracks the include path and has its own bounds.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_internal.h"

#define RR_A    1
#define RR_PTR  12
#define RR_MX   15
#define RR_TXT  16
#define RR_AAAA 28

/* Presentation form of a name: 253 octets, each escaped to at most 4, a dot. */
#define PRES_MAX 1024

struct eval {
	const struct spf_eval_opts *o;
	int walk;
	int family;
	unsigned char ip[16];
	char *sender; /* local@domain, local-part never empty */
	const char *helo;
	unsigned lookups, voids;
	int lookups_crossed, voids_crossed;
	unsigned records, terms; /* walk bounds */
	int incomplete, truncated, oom;
	/* %{p}: the validated names of ip, looked up once per call */
	int ptr_done;
	char *ptr_names[SPF_MAX_MX_PTR_NAMES];
	size_t nptr;
	/* walk mode: domains on the include/redirect path, outermost first */
	const char *path[SPF_WALK_MAX_RECORDS + 1];
	size_t depth;
};

/* What one mechanism did. */
enum outcome { NO_MATCH = 0, MATCH = 1, ERRED = -1 };

/* Context of the record being evaluated. */
struct rec_ctx {
	struct eval *e;
	struct spf_node *n;
	const char *domain;
	struct spf_macro_ctx mctx;
	struct ptr_arg {
		struct eval *e;
		const char *domain;
	} parg;
};

static struct spf_node *check(struct eval *e, const char *domain, int in_include, char **exp_out);

/* ---- small helpers ---- */

static char *dup_str(struct eval *e, const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		e->oom = 1;
	return p;
}

/* A printable, bounded copy of s for messages (names may hold any byte). */
static const char *clean(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 4 < size; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
	if (s != NULL && s[i] != '\0' && i >= 3) {
		buf[i - 3] = buf[i - 2] = buf[i - 1] = '.';
	}
	buf[i] = '\0';
	return buf;
}

static char *format(struct eval *e, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static char *format(struct eval *e, const char *fmt, va_list ap)
{
	char buf[400];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return dup_str(e, buf);
}

static void set_note(struct eval *e, struct spf_node_term *nt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_note(struct eval *e, struct spf_node_term *nt, const char *fmt, ...)
{
	va_list ap;

	if (nt->note != NULL)
		return;
	va_start(ap, fmt);
	nt->note = format(e, fmt, ap);
	va_end(ap);
}

/*
 * The first error of a node decides its result: a real evaluation stops
 * there, and the walk keeps it while it goes on.
 */
static void node_error(struct eval *e, struct spf_node *n, spf_result r, spf_error_kind kind,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void node_error(struct eval *e, struct spf_node *n, spf_result r, spf_error_kind kind,
                       const char *fmt, ...)
{
	va_list ap;

	if (n->error_kind != SPF_ERR_NONE)
		return;
	n->result = r;
	n->error_kind = kind;
	va_start(ap, fmt);
	n->error = format(e, fmt, ap);
	va_end(ap);
}

/* Presentation form of a raw name (labels split on '.'), absolute. */
static void present(const char *raw, char *out)
{
	size_t o = 0;

	for (; *raw != '\0' && o + 6 < PRES_MAX; raw++) {
		unsigned char c = (unsigned char)*raw;

		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c <= 0x20 || c >= 0x7F) {
			snprintf(out + o, 5, "\\%03u", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '.';
	out[o] = '\0';
}

static const dnsaudit_answer *ask_pres(struct eval *e, const char *pres, uint16_t type)
{
	return e->o->lookup(e->o->lookup_arg, pres, type);
}

static const dnsaudit_answer *ask(struct eval *e, const char *raw, uint16_t type)
{
	char pres[PRES_MAX];

	present(raw, pres);
	return ask_pres(e, pres, type);
}

/*
 * A name DNS can carry (§4.3, RFC 1035): 1-63 octet labels, at most 253
 * octets without the final dot. `multi` also asks for two labels or more.
 */
static int valid_name(const char *s, int multi)
{
	size_t len = strlen(s), label = 0, labels = 1, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > SPF_MAX_DOMAIN_OCTETS)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] != '.') {
			if (++label > 63)
				return 0;
			continue;
		}
		if (label == 0)
			return 0;
		label = 0;
		labels++;
	}
	return label > 0 && (!multi || labels >= 2);
}

/* An SMTP identity's domain: letters, digits, '-', '_' (RFC 5321 §4.1.2, A-labels). */
static int host_syntax(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

static int type_of(struct eval *e)
{
	return e->family == AF_INET6 ? RR_AAAA : RR_A;
}

enum answer_class { ANS_PENDING, ANS_ERROR, ANS_EMPTY, ANS_OK };

/* §5: RCODE 3 counts as "no records"; other failures are errors. */
static enum answer_class classify(const dnsaudit_answer *a, uint16_t type)
{
	size_t i;

	if (a == NULL)
		return ANS_PENDING;
	switch (dnsaudit_answer_status(a)) {
	case DNSAUDIT_DNS_OK:
		for (i = 0; i < dnsaudit_answer_count(a); i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(a->rrs, i)) == type)
				return ANS_OK;
		return ANS_EMPTY;
	case DNSAUDIT_DNS_NXDOMAIN:
	case DNSAUDIT_DNS_NODATA:
		return ANS_EMPTY;
	default:
		return ANS_ERROR;
	}
}

/* ---- limits (§4.6.4) ---- */

static int charge(struct rec_ctx *rc, struct spf_node_term *nt)
{
	struct eval *e = rc->e;

	nt->lookups = 1;
	if (++e->lookups <= SPF_MAX_DNS_TERMS)
		return 0;
	if (!e->lookups_crossed) {
		e->lookups_crossed = 1;
		nt->over_limit = 1;
		nt->limit = SPF_ERR_LOOKUP_LIMIT;
		node_error(e, rc->n, SPF_RESULT_PERMERROR, SPF_ERR_LOOKUP_LIMIT,
		           "more than %d DNS-querying terms: '%s' is number %u", SPF_MAX_DNS_TERMS,
		           nt->text, e->lookups);
	}
	return e->walk ? 0 : -1;
}

static enum outcome void_lookup(struct rec_ctx *rc, struct spf_node_term *nt)
{
	struct eval *e = rc->e;

	nt->void_lookups = 1;
	if (++e->voids <= SPF_MAX_VOID_LOOKUPS)
		return NO_MATCH;
	if (!e->voids_crossed) {
		e->voids_crossed = 1;
		nt->over_limit = 1;
		nt->limit = SPF_ERR_VOID_LIMIT;
		node_error(e, rc->n, SPF_RESULT_PERMERROR, SPF_ERR_VOID_LIMIT,
		           "more than %d void lookups: '%s' is number %u", SPF_MAX_VOID_LOOKUPS,
		           nt->text, e->voids);
		return ERRED;
	}
	return NO_MATCH;
}

/* The answer is not there yet: the walk skips, a real evaluation cannot go on. */
static enum outcome pending(struct rec_ctx *rc, struct spf_node_term *nt, const char *name)
{
	char b[120];

	rc->e->incomplete = 1;
	nt->incomplete = 1;
	if (rc->e->walk)
		return NO_MATCH;
	node_error(rc->e, rc->n, SPF_RESULT_TEMPERROR, SPF_ERR_PENDING, "no answer yet for %s",
	           clean(name, b, sizeof(b)));
	return ERRED;
}

static enum outcome dns_error(struct rec_ctx *rc, struct spf_node_term *nt,
                              const dnsaudit_answer *a, const char *what)
{
	char b[120], why[200];

	snprintf(why, sizeof(why), "%s lookup for %s: %s", what, clean(a->qname, b, sizeof(b)),
	         dnsaudit_dns_status_name(dnsaudit_answer_status(a)));
	set_note(rc->e, nt, "%s", why);
	node_error(rc->e, rc->n, SPF_RESULT_TEMPERROR, SPF_ERR_DNS, "'%s': %s", nt->text, why);
	return ERRED;
}

/* Handles every class but ANS_OK; returns 1 when the caller should stop. */
static int not_ok(struct rec_ctx *rc, struct spf_node_term *nt, const dnsaudit_answer *a,
                  enum answer_class c, const char *what, const char *name, enum outcome *out)
{
	switch (c) {
	case ANS_PENDING:
		*out = pending(rc, nt, name);
		return 1;
	case ANS_ERROR:
		*out = dns_error(rc, nt, a, what);
		return 1;
	case ANS_EMPTY:
		*out = void_lookup(rc, nt);
		return 1;
	default:
		return 0;
	}
}

/* ---- addresses ---- */

static int prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rem = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	return rem == 0 || ((a[full] ^ b[full]) & (0xFF << (8 - rem)) & 0xFF) == 0;
}

static void add_address(struct eval *e, struct spf_node_term *nt, int family,
                        const unsigned char *addr, int prefix)
{
	char buf[INET6_ADDRSTRLEN + 8], **grown;
	size_t l;

	if (inet_ntop(family, addr, buf, sizeof(buf)) == NULL)
		return;
	l = strlen(buf);
	snprintf(buf + l, sizeof(buf) - l, "/%d", prefix);
	grown = realloc(nt->addresses, (nt->naddresses + 1) * sizeof(*grown));
	if (grown == NULL) {
		e->oom = 1;
		return;
	}
	nt->addresses = grown;
	if ((nt->addresses[nt->naddresses] = dup_str(e, buf)) != NULL)
		nt->naddresses++;
}

/* Lists the A/AAAA records of a; 1 when one is within prefix of the client. */
static int take_addresses(struct eval *e, struct spf_node_term *nt, const dnsaudit_answer *a,
                          uint16_t type, const struct spf_term *t)
{
	int v6 = type == RR_AAAA, prefix = v6 ? t->cidr6 : t->cidr4, hit = 0;
	size_t i, size = v6 ? 16 : 4;

	if (prefix < 0)
		prefix = v6 ? 128 : 32;
	for (i = 0; a != NULL && i < dnsaudit_answer_count(a); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
		const ldns_rdf *d = ldns_rr_rd_count(rr) > 0 ? ldns_rr_rdf(rr, 0) : NULL;

		if (ldns_rr_get_type(rr) != type || d == NULL || ldns_rdf_size(d) != size)
			continue;
		add_address(e, nt, v6 ? AF_INET6 : AF_INET, ldns_rdf_data(d), prefix);
		if (!e->walk && (e->family == AF_INET6) == v6 &&
		    prefix_match(ldns_rdf_data(d), e->ip, prefix))
			hit = 1;
	}
	return hit;
}

static int answer_has_ip(struct eval *e, const dnsaudit_answer *a)
{
	uint16_t type = (uint16_t)type_of(e);
	size_t i, size = type == RR_AAAA ? 16 : 4;

	for (i = 0; a != NULL && i < dnsaudit_answer_count(a); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
		const ldns_rdf *d = ldns_rr_rd_count(rr) > 0 ? ldns_rr_rdf(rr, 0) : NULL;

		if (ldns_rr_get_type(rr) == type && d != NULL && ldns_rdf_size(d) == size &&
		    memcmp(ldns_rdf_data(d), e->ip, size) == 0)
			return 1;
	}
	return 0;
}

/* ---- targets and names ---- */

/*
 * The expanded target of a term (its domain-spec, or <domain>), kept on the
 * node term. NULL when it is not a name DNS can carry: the mechanism then
 * matches nothing (RFC 7208 leaves the case undefined; no query is sent).
 */
static char *target_of(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt,
                       int check_name)
{
	struct spf_error err;
	char *out = NULL, b[120];
	int rc2;

	if (t->domain_spec == NULL)
		out = dup_str(rc->e, rc->domain);
	else if ((rc2 = dnsaudit__spf_expand(t->domain_spec, &rc->mctx, 0, &out, &err)) != 0) {
		if (rc2 == DNSAUDIT_ENOMEM)
			rc->e->oom = 1;
		else
			set_note(rc->e, nt, "macro expansion failed: %s", err.reason);
		return NULL;
	}
	if (out == NULL || (nt->target = dup_str(rc->e, out)) == NULL) {
		free(out);
		return NULL;
	}
	if (check_name && !valid_name(out, 0)) {
		set_note(rc->e, nt, "'%s' is not a valid domain name: no query, no match",
		         clean(out, b, sizeof(b)));
		free(out);
		return NULL;
	}
	return out;
}

/* name (presentation, may end in '.') equals or is below suffix (raw). */
static int name_within(const char *name, const char *suffix)
{
	char s[PRES_MAX];
	size_t ln = strlen(name), ls;

	present(suffix, s);
	ls = strlen(s) - 1; /* without the dot present() added */
	if (ln > 0 && name[ln - 1] == '.')
		ln--;
	if (ln < ls || strncasecmp(name + ln - ls, s, ls) != 0)
		return 0;
	return ln == ls || name[ln - ls - 1] == '.';
}

/* The reverse name of the client address (in-addr.arpa or ip6.arpa). */
static void reverse_name(struct eval *e, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (e->family == AF_INET) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa.", e->ip[3], e->ip[2], e->ip[1],
		         e->ip[0]);
		return;
	}
	for (i = 15; i >= 0 && o + 4 < size; i--) {
		out[o++] = hex[e->ip[i] & 15];
		out[o++] = '.';
		out[o++] = hex[e->ip[i] >> 4];
		out[o++] = '.';
	}
	snprintf(out + o, size - o, "ip6.arpa.");
}

/* The i-th PTR name of the answer, presentation form (NULL if that rr is no PTR). */
static char *ptr_name(const dnsaudit_answer *a, size_t i)
{
	const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_PTR || ldns_rr_rd_count(rr) < 1)
		return NULL;
	return ldns_rdf2str(ldns_rr_rdf(rr, 0));
}

/* ---- %{p} (§7.3) ---- */

static void collect_validated(struct eval *e)
{
	char rev[PRES_MAX];
	const dnsaudit_answer *a;
	size_t i, seen = 0;

	e->ptr_done = 1;
	reverse_name(e, rev, sizeof(rev));
	a = ask_pres(e, rev, RR_PTR);
	if (classify(a, RR_PTR) != ANS_OK) {
		e->incomplete |= a == NULL;
		return;
	}
	for (i = 0; i < dnsaudit_answer_count(a) && seen < SPF_MAX_MX_PTR_NAMES; i++) {
		char *name = ptr_name(a, i);
		const dnsaudit_answer *b;

		if (name == NULL)
			continue;
		seen++;
		b = ask_pres(e, name, (uint16_t)type_of(e));
		e->incomplete |= b == NULL;
		if (classify(b, (uint16_t)type_of(e)) == ANS_OK && answer_has_ip(e, b)) {
			size_t l = strlen(name);

			if (l > 1 && name[l - 1] == '.')
				name[l - 1] = '\0';
			e->ptr_names[e->nptr++] = name;
		} else {
			free(name);
		}
	}
}

/* The domain itself, else a subdomain of it, else any validated name. */
static const char *validated_ptr(void *arg)
{
	struct ptr_arg *pa = arg;
	struct eval *e = pa->e;
	size_t i;

	if (!e->ptr_done)
		collect_validated(e);
	for (i = 0; i < e->nptr; i++)
		if (strcasecmp(e->ptr_names[i], pa->domain) == 0)
			return e->ptr_names[i];
	for (i = 0; i < e->nptr; i++)
		if (name_within(e->ptr_names[i], pa->domain))
			return e->ptr_names[i];
	return e->nptr > 0 ? e->ptr_names[0] : "unknown";
}

/* ---- mechanisms ---- */

static enum outcome mech_ip(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt)
{
	struct eval *e = rc->e;
	int v6 = t->kind == SPF_MECH_IP6;
	int prefix = v6 ? (t->cidr6 < 0 ? 128 : t->cidr6) : (t->cidr4 < 0 ? 32 : t->cidr4);

	add_address(e, nt, v6 ? AF_INET6 : AF_INET, t->addr, prefix);
	if (e->walk || (e->family == AF_INET6) != v6)
		return NO_MATCH;
	return prefix_match(t->addr, e->ip, prefix) ? MATCH : NO_MATCH;
}

/* The walk lists both families; the client's family decides void and errors. */
static enum outcome walk_other_family(struct rec_ctx *rc, struct spf_node_term *nt,
                                      const char *name, const struct spf_term *t)
{
	uint16_t other = type_of(rc->e) == RR_A ? RR_AAAA : RR_A;
	const dnsaudit_answer *a = ask(rc->e, name, other);

	if (a == NULL) {
		rc->e->incomplete = 1;
		nt->incomplete = 1;
	} else if (classify(a, other) == ANS_OK) {
		take_addresses(rc->e, nt, a, other, t);
	}
	return NO_MATCH;
}

static enum outcome mech_a(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt)
{
	uint16_t type = (uint16_t)type_of(rc->e);
	const dnsaudit_answer *a;
	enum outcome out = NO_MATCH;
	char *name = target_of(rc, t, nt, 1);

	if (name == NULL)
		return NO_MATCH;
	a = ask(rc->e, name, type);
	if (rc->e->walk)
		walk_other_family(rc, nt, name, t);
	if (!not_ok(rc, nt, a, classify(a, type), type == RR_A ? "A" : "AAAA", name, &out))
		out = take_addresses(rc->e, nt, a, type, t) ? MATCH : NO_MATCH;
	free(name);
	return out;
}

/* Exchanges of an MX answer, presentation form; the null MX "." is no host. */
static size_t mx_names(struct eval *e, const dnsaudit_answer *a, char **names, size_t max,
                       size_t *total)
{
	size_t i, n = 0;

	*total = 0;
	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX || ldns_rr_rd_count(rr) < 2 ||
		    ldns_rdf_size(ldns_rr_rdf(rr, 1)) <= 1)
			continue;
		if (++*total > max)
			continue;
		if ((names[n] = ldns_rdf2str(ldns_rr_rdf(rr, 1))) == NULL)
			e->oom = 1;
		else
			n++;
	}
	return n;
}

/* One exchange's addresses; MATCH, NO_MATCH, or ERRED (DNS failure). */
static enum outcome mx_host(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt,
                            const char *host)
{
	uint16_t type = (uint16_t)type_of(rc->e);
	const dnsaudit_answer *a = ask_pres(rc->e, host, type);
	enum answer_class c = classify(a, type);

	if (rc->e->walk) {
		uint16_t other = type == RR_A ? RR_AAAA : RR_A;
		const dnsaudit_answer *b = ask_pres(rc->e, host, other);

		if (b == NULL)
			rc->e->incomplete = nt->incomplete = 1;
		else if (classify(b, other) == ANS_OK)
			take_addresses(rc->e, nt, b, other, t);
	}
	if (c == ANS_PENDING)
		return pending(rc, nt, host);
	if (c == ANS_ERROR)
		return dns_error(rc, nt, a, type == RR_A ? "A" : "AAAA");
	/* An exchange without addresses is no void lookup: the MX query found records. */
	return c == ANS_OK && take_addresses(rc->e, nt, a, type, t) ? MATCH : NO_MATCH;
}

static enum outcome mx_limit(struct rec_ctx *rc, struct spf_node_term *nt, size_t total)
{
	nt->over_limit = 1;
	nt->limit = SPF_ERR_MX_LIMIT;
	node_error(rc->e, rc->n, SPF_RESULT_PERMERROR, SPF_ERR_MX_LIMIT,
	           "'%s' has %zu MX names; at most %d may be looked up", nt->text, total,
	           SPF_MAX_MX_PTR_NAMES);
	return ERRED;
}

static enum outcome mech_mx(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt)
{
	char *names[SPF_MAX_MX_PTR_NAMES], *name = target_of(rc, t, nt, 1);
	const dnsaudit_answer *a;
	enum outcome out = NO_MATCH, r;
	size_t i, n, total;

	if (name == NULL)
		return NO_MATCH;
	a = ask(rc->e, name, RR_MX);
	if (not_ok(rc, nt, a, classify(a, RR_MX), "MX", name, &out)) {
		free(name);
		return out;
	}
	free(name);
	n = mx_names(rc->e, a, names, SPF_MAX_MX_PTR_NAMES, &total);
	/* §4.6.4: more than 10 exchanges is a permerror, before any is asked. */
	if (total > SPF_MAX_MX_PTR_NAMES)
		out = mx_limit(rc, nt, total);
	for (i = 0; i < n; i++) {
		int stop = out == MATCH || (out == ERRED && !rc->e->walk);

		if (!stop) {
			nt->names++;
			r = mx_host(rc, t, nt, names[i]);
			out = (out == ERRED || r == ERRED) ? ERRED : r;
		}
		free(names[i]);
	}
	return out;
}

/* §5.5: a PTR name counts if it is within the target and maps back to ip. */
static enum outcome ptr_candidate(struct rec_ctx *rc, struct spf_node_term *nt, const char *host,
                                  const char *target)
{
	uint16_t type = (uint16_t)type_of(rc->e);
	const dnsaudit_answer *a;

	if (!name_within(host, target))
		return NO_MATCH; /* its addresses could not make it match */
	a = ask_pres(rc->e, host, type);
	if (a == NULL)
		return pending(rc, nt, host);
	/* A DNS error on a validation lookup skips the name (§5.5). */
	return classify(a, type) == ANS_OK && answer_has_ip(rc->e, a) ? MATCH : NO_MATCH;
}

static enum outcome mech_ptr(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt)
{
	char rev[PRES_MAX], *target = target_of(rc, t, nt, 1);
	const dnsaudit_answer *a;
	enum outcome out = NO_MATCH;
	size_t i;

	if (target == NULL)
		return NO_MATCH;
	reverse_name(rc->e, rev, sizeof(rev));
	a = ask_pres(rc->e, rev, RR_PTR);
	switch (classify(a, RR_PTR)) {
	case ANS_ERROR: /* §5.5: a failed PTR lookup is no match, not an error */
		set_note(rc->e, nt, "PTR lookup failed (%s): no match",
		         dnsaudit_dns_status_name(dnsaudit_answer_status(a)));
		break;
	case ANS_OK:
		for (i = 0; i < dnsaudit_answer_count(a) && nt->names < SPF_MAX_MX_PTR_NAMES; i++) {
			char *host = ptr_name(a, i);

			if (host == NULL)
				continue;
			nt->names++;
			if (!rc->e->walk && out == NO_MATCH)
				out = ptr_candidate(rc, nt, host, target);
			free(host);
		}
		break;
	default:
		not_ok(rc, nt, a, classify(a, RR_PTR), "PTR", rev, &out);
	}
	free(target);
	return out;
}

static enum outcome mech_exists(struct rec_ctx *rc, const struct spf_term *t,
                                struct spf_node_term *nt)
{
	char *name = target_of(rc, t, nt, 1);
	const dnsaudit_answer *a;
	enum outcome out;

	if (name == NULL)
		return NO_MATCH;
	/* §5.7: always type A, whatever the client's family. */
	a = ask(rc->e, name, RR_A);
	if (!not_ok(rc, nt, a, classify(a, RR_A), "A", name, &out))
		out = rc->e->walk ? NO_MATCH : MATCH;
	free(name);
	return out;
}

/* ---- include and redirect ---- */

static int on_path(const struct eval *e, const char *domain)
{
	size_t i;

	for (i = 0; i < e->depth; i++)
		if (strcasecmp(e->path[i], domain) == 0)
			return 1;
	return 0;
}

/* Walk mode: the target may not be followed (a loop, or the walk's bounds). */
static int walk_blocked(struct rec_ctx *rc, struct spf_node_term *nt, const char *target)
{
	struct eval *e = rc->e;
	char b[120];

	if (!e->walk)
		return 0;
	if (on_path(e, target)) {
		nt->over_limit = 1;
		nt->limit = SPF_ERR_LOOP;
		node_error(e, rc->n, SPF_RESULT_PERMERROR, SPF_ERR_LOOP,
		           "'%s' loops back to %s, which is being evaluated", nt->text,
		           clean(target, b, sizeof(b)));
		return 1;
	}
	if (e->records >= SPF_WALK_MAX_RECORDS || e->depth >= SPF_WALK_MAX_RECORDS) {
		e->truncated = 1;
		set_note(e, nt, "not followed: the walk stops at %d records", SPF_WALK_MAX_RECORDS);
		return 1;
	}
	return 0;
}

/* The expanded include/redirect target, with a trailing dot removed. */
static char *follow_target(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt)
{
	char *target = target_of(rc, t, nt, 0);

	if (target != NULL && walk_blocked(rc, nt, target)) {
		free(target);
		return NULL;
	}
	return target;
}

/*
 * No target to follow: a loop or the bounds (walk), or an expansion past
 * 64 KiB, which names no record: a permerror, as a missing record is.
 */
static enum outcome no_target(struct rec_ctx *rc, struct spf_node_term *nt)
{
	if (rc->e->oom || (rc->e->walk && !nt->over_limit))
		return NO_MATCH;
	if (!rc->e->walk)
		node_error(rc->e, rc->n, SPF_RESULT_PERMERROR, SPF_ERR_NO_RECORD,
		           "'%s': no usable target", nt->text);
	return ERRED;
}

/* A child's permerror/temperror/none becomes this record's error (§5.2, §6.1). */
static void child_error(struct rec_ctx *rc, struct spf_node_term *nt, const struct spf_node *c)
{
	char b[120];
	const char *what = clean(nt->target, b, sizeof(b));

	if (c->result == SPF_RESULT_NONE)
		node_error(rc->e, rc->n, SPF_RESULT_PERMERROR, SPF_ERR_NO_RECORD,
		           "'%s': no SPF record at %s", nt->text, what);
	else
		node_error(rc->e, rc->n, c->result,
		           c->error_kind == SPF_ERR_PENDING ? SPF_ERR_PENDING : SPF_ERR_CHILD,
		           "'%s': %s at %s", nt->text, dnsaudit__spf_result_name(c->result), what);
}

static enum outcome mech_include(struct rec_ctx *rc, const struct spf_term *t,
                                 struct spf_node_term *nt)
{
	char *target = follow_target(rc, t, nt);
	struct spf_node *c;

	if (target == NULL)
		return no_target(rc, nt);
	c = nt->child = check(rc->e, target, 1, NULL);
	free(target);
	if (c == NULL)
		return ERRED;
	switch (c->result) {
	case SPF_RESULT_PASS:
		return MATCH;
	case SPF_RESULT_FAIL:
	case SPF_RESULT_SOFTFAIL:
	case SPF_RESULT_NEUTRAL:
		return NO_MATCH;
	default:
		if (rc->e->walk && c->error_kind == SPF_ERR_PENDING) {
			nt->incomplete = 1;
			return NO_MATCH;
		}
		child_error(rc, nt, c);
		return ERRED;
	}
}

/* §6.1: the redirect target's result is this record's result. */
static void do_redirect(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt,
                        int in_include, char **exp_out)
{
	struct spf_node *c;
	char *target;

	if (charge(rc, nt) != 0)
		return;
	if ((target = follow_target(rc, t, nt)) == NULL) {
		no_target(rc, nt);
		return;
	}
	c = nt->child = check(rc->e, target, in_include, exp_out);
	free(target);
	if (c == NULL)
		return;
	if (c->result == SPF_RESULT_NONE || c->result == SPF_RESULT_PERMERROR ||
	    c->result == SPF_RESULT_TEMPERROR) {
		if (rc->e->walk && c->error_kind == SPF_ERR_PENDING)
			nt->incomplete = 1;
		else
			child_error(rc, nt, c);
		return;
	}
	if (rc->n->error_kind == SPF_ERR_NONE)
		rc->n->result = c->result;
}

/* ---- one record ---- */

static enum outcome eval_mech(struct rec_ctx *rc, const struct spf_term *t,
                              struct spf_node_term *nt)
{
	switch (t->kind) {
	case SPF_MECH_ALL:
		return MATCH;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return mech_ip(rc, t, nt);
	default:
		break;
	}
	if (charge(rc, nt) != 0)
		return ERRED;
	switch (t->kind) {
	case SPF_MECH_A:
		return mech_a(rc, t, nt);
	case SPF_MECH_MX:
		return mech_mx(rc, t, nt);
	case SPF_MECH_PTR:
		return mech_ptr(rc, t, nt);
	case SPF_MECH_EXISTS:
		return mech_exists(rc, t, nt);
	case SPF_MECH_INCLUDE:
		return mech_include(rc, t, nt);
	default:
		return NO_MATCH;
	}
}

static spf_result qualifier_result(char q)
{
	switch (q) {
	case '-':
		return SPF_RESULT_FAIL;
	case '~':
		return SPF_RESULT_SOFTFAIL;
	case '?':
		return SPF_RESULT_NEUTRAL;
	default:
		return SPF_RESULT_PASS;
	}
}

static int copy_terms(struct eval *e, struct spf_node *n, const struct spf_record *rec)
{
	size_t i;

	if ((n->terms = calloc(rec->nterms ? rec->nterms : 1, sizeof(*n->terms))) == NULL) {
		e->oom = 1;
		return -1;
	}
	n->nterms = rec->nterms;
	for (i = 0; i < rec->nterms; i++) {
		n->terms[i].kind = rec->terms[i].kind;
		n->terms[i].qualifier = rec->terms[i].qualifier;
		if ((n->terms[i].text = dup_str(e, rec->terms[i].text)) == NULL)
			return -1;
	}
	return 0;
}

/* Runs the mechanisms left to right; the index of the match, or -1. */
static long run_mechanisms(struct rec_ctx *rc, const struct spf_record *rec)
{
	struct eval *e = rc->e;
	long matched = -1;
	size_t i;

	for (i = 0; i < rec->nterms && !e->oom; i++) {
		const struct spf_term *t = &rec->terms[i];
		struct spf_node_term *nt = &rc->n->terms[i];
		enum outcome r;

		if (t->kind >= SPF_MOD_REDIRECT)
			continue;
		if (matched >= 0 || (!e->walk && rc->n->error_kind != SPF_ERR_NONE)) {
			nt->unreachable = 1;
			continue;
		}
		if (e->walk && e->terms >= SPF_WALK_MAX_TERMS) {
			e->truncated = nt->unreachable = 1;
			set_note(e, nt, "not evaluated: the walk stops at %d terms",
			         SPF_WALK_MAX_TERMS);
			continue;
		}
		e->terms++;
		if ((r = eval_mech(rc, t, nt)) == MATCH) {
			nt->matched = 1;
			matched = (long)i;
		}
	}
	return matched;
}

/* §6.2: exp= only for fail, only at the top (include discards it); failures ignored. */
static void explain(struct rec_ctx *rc, const struct spf_term *t, struct spf_node_term *nt,
                    char **exp_out)
{
	struct spf_error err;
	const dnsaudit_answer *a;
	char *name = target_of(rc, t, nt, 1), *text = NULL, *out = NULL;
	size_t len = 0, i;

	if (name == NULL)
		return;
	a = ask(rc->e, name, RR_TXT);
	free(name);
	if (a == NULL || classify(a, RR_TXT) != ANS_OK || dnsaudit_answer_count(a) != 1 ||
	    (text = dnsaudit__answer_txt_join(a, 0, '\0', &len)) == NULL) {
		rc->e->incomplete |= a == NULL;
		return;
	}
	for (i = 0; i < len; i++) /* explain-string: printable ASCII and SP only */
		if (text[i] < 0x20 || text[i] > 0x7E)
			break;
	if (i == len && dnsaudit__spf_expand(text, &rc->mctx, 1, &out, &err) == 0)
		*exp_out = out;
	else
		set_note(rc->e, nt, "explanation ignored: not a valid explain-string");
	free(text);
}

static void eval_record(struct eval *e, struct spf_node *n, const struct spf_record *rec,
                        int in_include, char **exp_out)
{
	struct rec_ctx rc;
	long matched;

	memset(&rc, 0, sizeof(rc));
	rc.e = e;
	rc.n = n;
	rc.domain = n->domain;
	rc.parg.e = e;
	rc.parg.domain = n->domain;
	rc.mctx.sender = e->sender;
	rc.mctx.domain = n->domain;
	rc.mctx.helo = e->helo;
	rc.mctx.family = e->family;
	memcpy(rc.mctx.ip, e->ip, 16);
	rc.mctx.receiver = e->o->receiver;
	rc.mctx.now = e->o->now;
	rc.mctx.validated_ptr = validated_ptr;
	rc.mctx.ptr_arg = &rc.parg;
	if (copy_terms(e, n, rec) != 0)
		return;
	matched = run_mechanisms(&rc, rec);
	if (matched >= 0 && n->error_kind == SPF_ERR_NONE)
		n->result = qualifier_result(rec->terms[matched].qualifier);
	else if (n->error_kind == SPF_ERR_NONE)
		n->result = SPF_RESULT_NEUTRAL;
	if (rec->redirect >= 0) {
		struct spf_node_term *nt = &n->terms[rec->redirect];

		/* §6.1: ignored after a match, and whenever the record has "all". */
		if (matched >= 0 || rec->all >= 0 || (!e->walk && n->error_kind != SPF_ERR_NONE))
			nt->unreachable = 1;
		else
			do_redirect(&rc, &rec->terms[rec->redirect], nt, in_include, exp_out);
	}
	if (n->result == SPF_RESULT_FAIL && matched >= 0 && rec->exp >= 0 && exp_out != NULL &&
	    !e->walk && !e->oom)
		explain(&rc, &rec->terms[rec->exp], &n->terms[rec->exp], exp_out);
}

/* ---- check_host() ---- */

static struct spf_node *node_new(struct eval *e, const char *domain)
{
	struct spf_node *n = calloc(1, sizeof(*n));

	if (n == NULL || (n->domain = strdup(domain)) == NULL) {
		free(n);
		e->oom = 1;
		return NULL;
	}
	return n;
}

static void node_free(struct spf_node *n)
{
	size_t i, j;

	if (n == NULL)
		return;
	for (i = 0; i < n->nterms; i++) {
		struct spf_node_term *t = &n->terms[i];

		free(t->text);
		free(t->target);
		free(t->note);
		node_free(t->child);
		for (j = 0; j < t->naddresses; j++)
			free(t->addresses[j]);
		free(t->addresses);
	}
	free(n->terms);
	free(n->domain);
	free(n->record);
	free(n->error);
	free(n);
}

/* §4.4, §4.5: the TXT lookup and the one v=spf1 record, parsed. */
static struct spf_record *fetch_record(struct eval *e, struct spf_node *n)
{
	const dnsaudit_answer *a = ask(e, n->domain, RR_TXT);
	struct spf_record *rec = NULL;
	struct spf_error err;
	char *text = NULL;
	size_t len;
	int count, rc;

	switch (classify(a, RR_TXT)) {
	case ANS_PENDING:
		e->incomplete = 1;
		node_error(e, n, SPF_RESULT_TEMPERROR, SPF_ERR_PENDING, "no answer yet for TXT");
		return NULL;
	case ANS_ERROR:
		node_error(e, n, SPF_RESULT_TEMPERROR, SPF_ERR_DNS, "TXT lookup: %s",
		           dnsaudit_dns_status_name(dnsaudit_answer_status(a)));
		return NULL;
	case ANS_EMPTY:
		return NULL; /* none */
	default:
		break;
	}
	if ((count = dnsaudit__spf_select(a, &text, &len)) < 0) {
		e->oom = 1;
		return NULL;
	}
	n->nrecords = (unsigned)count;
	if (count > 1)
		node_error(e, n, SPF_RESULT_PERMERROR, SPF_ERR_MULTIPLE_RECORDS,
		           "%d SPF records (v=spf1); there must be at most one", count);
	if (count != 1)
		return NULL;
	n->record_len = len;
	if ((n->record = dnsaudit_txt_escape((const unsigned char *)text, len, 0)) == NULL)
		e->oom = 1;
	else if ((rc = dnsaudit__spf_parse(text, len, &rec, &err)) == DNSAUDIT_ENOMEM)
		e->oom = 1;
	else if (rc != 0) {
		node_error(e, n, SPF_RESULT_PERMERROR, SPF_ERR_SYNTAX, "%s", err.reason);
		n->error_pos = err.pos;
	}
	free(text);
	return rec;
}

static struct spf_node *check(struct eval *e, const char *domain, int in_include, char **exp_out)
{
	struct spf_node *n = node_new(e, domain);
	struct spf_record *rec;

	if (n == NULL)
		return NULL;
	if (!valid_name(domain, 1)) {
		node_error(e, n, SPF_RESULT_NONE, SPF_ERR_INVALID_DOMAIN,
		           "not a valid multi-label domain name");
		return n;
	}
	e->records++;
	if ((rec = fetch_record(e, n)) == NULL)
		return n;
	if (e->walk)
		e->path[e->depth++] = n->domain;
	eval_record(e, n, rec, in_include, exp_out);
	if (e->walk)
		e->depth--;
	dnsaudit__spf_record_free(rec);
	return n;
}

void dnsaudit__spf_eval_free(struct spf_eval *ev)
{
	if (ev == NULL)
		return;
	node_free(ev->root);
	free(ev->explanation);
	free(ev);
}

/* <sender> with a local-part: postmaster@domain when absent (§4.3). */
static char *normal_sender(const char *sender, const char *domain)
{
	const char *at = sender ? strrchr(sender, '@') : NULL;
	const char *local = "postmaster", *dom = domain;
	size_t ll, ld;
	char *out;

	if (sender != NULL && *sender != '\0') {
		if (at == NULL)
			dom = sender;
		else {
			dom = at + 1;
			if (at != sender)
				local = NULL;
		}
	}
	if (local == NULL)
		return strdup(sender);
	ll = strlen(local);
	ld = strlen(dom);
	if ((out = malloc(ll + ld + 2)) == NULL)
		return NULL;
	memcpy(out, local, ll);
	out[ll] = '@';
	memcpy(out + ll + 1, dom, ld + 1);
	return out;
}

static void set_client(struct eval *e, int family, const unsigned char ip[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

	memset(e->ip, 0, sizeof(e->ip));
	e->family = family;
	if (family == AF_INET6 && memcmp(ip, mapped, 12) == 0) {
		/* §5: an IPv4-mapped IPv6 address is an IPv4 client. */
		e->family = AF_INET;
		memcpy(e->ip, ip + 12, 4);
	} else {
		memcpy(e->ip, ip, family == AF_INET ? 4 : 16);
	}
}

static void free_eval_state(struct eval *e)
{
	size_t i;

	for (i = 0; i < e->nptr; i++)
		free(e->ptr_names[i]);
	free(e->sender);
}

static int run(struct eval *e, const char *domain, struct spf_eval *ev)
{
	char dom[PRES_MAX];
	size_t len = strlen(domain);

	if (len >= sizeof(dom))
		len = sizeof(dom) - 1;
	memcpy(dom, domain, len);
	dom[len] = '\0';
	if (len > 1 && dom[len - 1] == '.')
		dom[len - 1] = '\0';
	if (!host_syntax(dom)) {
		if ((ev->root = node_new(e, dom)) != NULL)
			node_error(e, ev->root, SPF_RESULT_NONE, SPF_ERR_INVALID_DOMAIN,
			           "not a valid domain name for SMTP");
	} else {
		ev->root = check(e, dom, 0, e->walk ? NULL : &ev->explanation);
	}
	if (e->oom || ev->root == NULL)
		return DNSAUDIT_ENOMEM;
	ev->result = ev->root->result;
	ev->lookups = e->lookups;
	ev->void_lookups = e->voids;
	ev->incomplete = e->incomplete;
	ev->truncated = e->truncated;
	return 0;
}

int dnsaudit__spf_check_host(const struct spf_eval_opts *opts, int family,
                             const unsigned char ip[16], const char *domain, const char *sender,
                             const char *helo, struct spf_eval **out)
{
	struct eval e;
	struct spf_eval *ev;
	int rc;

	*out = NULL;
	if (opts == NULL || opts->lookup == NULL || ip == NULL || domain == NULL ||
	    (family != AF_INET && family != AF_INET6))
		return DNSAUDIT_EINVAL;
	memset(&e, 0, sizeof(e));
	e.o = opts;
	e.walk = opts->walk != 0;
	e.helo = helo;
	set_client(&e, family, ip);
	if ((ev = calloc(1, sizeof(*ev))) == NULL ||
	    (e.sender = normal_sender(sender, domain)) == NULL) {
		free(ev);
		return DNSAUDIT_ENOMEM;
	}
	rc = run(&e, domain, ev);
	free_eval_state(&e);
	if (rc != 0) {
		dnsaudit__spf_eval_free(ev);
		return rc;
	}
	*out = ev;
	return 0;
}
