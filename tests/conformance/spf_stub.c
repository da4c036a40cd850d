/*
 * spf_stub.c -- the in-memory DNS of spf_stub.h. Records are built with
 * the ldns API rather than parsed from zone text, so TXT values travel
 * byte for byte (NUL, quotes, backslashes, non-ASCII) as the suites wrote
 * them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_stub.h"

#define MAX_CNAME_HOPS 16
#define ENTRY_TIMEOUT  (-1)
#define ENTRY_SERVFAIL (-2)

struct entry {
	int type;    /* RR type, or ENTRY_TIMEOUT / ENTRY_SERVFAIL */
	ldns_rr *rr; /* NULL for the special entries */
};

struct zname {
	ldns_rdf *owner; /* canonical */
	struct entry *entries;
	size_t n, cap;
	int has_txt; /* any TXT entry, `TXT: NONE` included */
	struct {
		unsigned type;
		unsigned long count;
	} asked[8];
};

struct stub_zone {
	struct zname *names;
	size_t n, cap;
	unsigned long queries;
	char error[256];
};

struct stub_zone *stub_zone_new(void)
{
	return calloc(1, sizeof(struct stub_zone));
}

void stub_zone_free(struct stub_zone *z)
{
	size_t i, j;

	if (z == NULL)
		return;
	for (i = 0; i < z->n; i++) {
		for (j = 0; j < z->names[i].n; j++)
			ldns_rr_free(z->names[i].entries[j].rr);
		free(z->names[i].entries);
		ldns_rdf_deep_free(z->names[i].owner);
	}
	free(z->names);
	free(z);
}

const char *stub_zone_error(const struct stub_zone *z)
{
	return z->error;
}

static int bad(struct stub_zone *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct stub_zone *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->error, sizeof(z->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* A name as the suites write it; "" is the root (the null MX "0 ."). */
static ldns_rdf *dname(const char *s)
{
	return ldns_dname_new_frm_str(*s ? s : ".");
}

static struct zname *find(const struct stub_zone *z, const ldns_rdf *name)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (ldns_dname_compare(z->names[i].owner, name) == 0)
			return &z->names[i];
	return NULL;
}

static struct zname *find_or_add(struct stub_zone *z, const char *name)
{
	ldns_rdf *d = dname(name);
	struct zname *zn;

	if (d == NULL)
		return bad(z, "bad owner name '%s'", name), NULL;
	ldns_dname2canonical(d);
	if ((zn = find(z, d)) != NULL) {
		ldns_rdf_deep_free(d);
		return zn;
	}
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 16;
		struct zname *p = realloc(z->names, cap * sizeof(*p));

		if (p == NULL) {
			ldns_rdf_deep_free(d);
			return bad(z, "out of memory"), NULL;
		}
		z->names = p;
		z->cap = cap;
	}
	zn = &z->names[z->n++];
	memset(zn, 0, sizeof(*zn));
	zn->owner = d;
	return zn;
}

static int push_entry(struct stub_zone *z, struct zname *zn, int type, ldns_rr *rr)
{
	if (zn->n == zn->cap) {
		size_t cap = zn->cap ? zn->cap * 2 : 4;
		struct entry *p = realloc(zn->entries, cap * sizeof(*p));

		if (p == NULL) {
			ldns_rr_free(rr);
			return bad(z, "out of memory");
		}
		zn->entries = p;
		zn->cap = cap;
	}
	zn->entries[zn->n].type = type;
	zn->entries[zn->n].rr = rr;
	zn->n++;
	return 0;
}

/* TXT/SPF rdata: each value one or more <character-string>s of <= 255 octets. */
static int add_strings(ldns_rr *rr, const char *const *vals, const size_t *lens, size_t n)
{
	unsigned char buf[256];
	size_t i, off, chunk;

	for (i = 0; i < n; i++) {
		off = 0;
		do {
			ldns_rdf *r;

			chunk = lens[i] - off > 255 ? 255 : lens[i] - off;
			buf[0] = (unsigned char)chunk;
			memcpy(buf + 1, vals[i] + off, chunk);
			if ((r = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, chunk + 1, buf)) ==
			        NULL ||
			    !ldns_rr_push_rdf(rr, r))
				return -1;
			off += chunk;
		} while (off < lens[i]);
	}
	return 0;
}

static int add_rdata(ldns_rr *rr, int type, const char *const *vals, const size_t *lens, size_t n)
{
	ldns_rdf *a = NULL, *b = NULL;
	char *end;
	long pref;

	switch (type) {
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF:
		return add_strings(rr, vals, lens, n);
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA:
		if (n != 1)
			return -1;
		a = ldns_rdf_new_frm_str(
		    type == LDNS_RR_TYPE_A ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA, vals[0]);
		break;
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_CNAME:
		if (n != 1)
			return -1;
		a = dname(vals[0]);
		break;
	case LDNS_RR_TYPE_MX:
		if (n != 2)
			return -1;
		errno = 0;
		pref = strtol(vals[0], &end, 10);
		if (errno != 0 || *end != '\0' || pref < 0 || pref > 65535)
			return -1;
		a = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, (uint16_t)pref);
		if ((b = dname(vals[1])) == NULL || a == NULL || !ldns_rr_push_rdf(rr, a)) {
			ldns_rdf_deep_free(a);
			ldns_rdf_deep_free(b);
			return -1;
		}
		a = b;
		break;
	default:
		return -1;
	}
	if (a == NULL || !ldns_rr_push_rdf(rr, a)) {
		ldns_rdf_deep_free(a);
		return -1;
	}
	return 0;
}

static int type_code(const char *type)
{
	static const struct {
		const char *name;
		int code;
	} types[] = {{"A", LDNS_RR_TYPE_A},         {"AAAA", LDNS_RR_TYPE_AAAA},
	             {"TXT", LDNS_RR_TYPE_TXT},     {"SPF", LDNS_RR_TYPE_SPF},
	             {"MX", LDNS_RR_TYPE_MX},       {"PTR", LDNS_RR_TYPE_PTR},
	             {"CNAME", LDNS_RR_TYPE_CNAME}, {"TIMEOUT", ENTRY_TIMEOUT},
	             {"SERVFAIL", ENTRY_SERVFAIL}};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(types[i].name, type) == 0)
			return types[i].code;
	return 0;
}

int stub_zone_add(struct stub_zone *z, const char *name, const char *type, const char *const *vals,
                  const size_t *lens, size_t n)
{
	struct zname *zn = find_or_add(z, name);
	int code = type_code(type);
	ldns_rr *rr;

	if (zn == NULL)
		return -1;
	if (code == 0)
		return bad(z, "%s: unsupported type '%s'", name, type);
	if (code == ENTRY_TIMEOUT || code == ENTRY_SERVFAIL)
		return push_entry(z, zn, code, NULL);
	if (code == LDNS_RR_TYPE_TXT)
		zn->has_txt = 1;
	if (code == LDNS_RR_TYPE_TXT && n == 1 && lens[0] == 4 && memcmp(vals[0], "NONE", 4) == 0)
		return 0;
	if ((rr = ldns_rr_new()) == NULL)
		return bad(z, "out of memory");
	ldns_rr_set_owner(rr, ldns_rdf_clone(zn->owner));
	ldns_rr_set_type(rr, (ldns_rr_type)code);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, 0);
	if (ldns_rr_owner(rr) == NULL || add_rdata(rr, code, vals, lens, n) != 0) {
		ldns_rr_free(rr);
		return bad(z, "%s: bad %s value", name, type);
	}
	return push_entry(z, zn, code, rr);
}

int stub_zone_add1(struct stub_zone *z, const char *name, const char *type, const char *value)
{
	const char *vals[2];
	size_t lens[2], n = 0;
	char pref[8];
	const char *sp;

	if (value != NULL && strcasecmp(type, "MX") == 0 && (sp = strchr(value, ' ')) != NULL &&
	    (size_t)(sp - value) < sizeof(pref)) {
		memcpy(pref, value, (size_t)(sp - value));
		pref[sp - value] = '\0';
		vals[n] = pref;
		lens[n++] = strlen(pref);
		value = sp + 1;
	}
	if (value != NULL) {
		vals[n] = value;
		lens[n++] = strlen(value);
	}
	return stub_zone_add(z, name, type, vals, lens, n);
}

/* The suites' "auto-magic duplication": SPF values also as TXT, at the end. */
int stub_zone_finish(struct stub_zone *z)
{
	size_t i, j, n;

	for (i = 0; i < z->n; i++) {
		struct zname *zn = &z->names[i];

		if (zn->has_txt)
			continue;
		for (j = 0, n = zn->n; j < n; j++) {
			ldns_rr *copy;

			if (zn->entries[j].type != LDNS_RR_TYPE_SPF)
				continue;
			if ((copy = ldns_rr_clone(zn->entries[j].rr)) == NULL)
				return bad(z, "out of memory");
			ldns_rr_set_type(copy, LDNS_RR_TYPE_TXT);
			if (push_entry(z, zn, LDNS_RR_TYPE_TXT, copy) != 0)
				return -1;
		}
	}
	return 0;
}

unsigned long stub_zone_queries(const struct stub_zone *z)
{
	return z->queries;
}

unsigned long stub_zone_queries_for(const struct stub_zone *z, const char *name, unsigned type)
{
	ldns_rdf *d = dname(name);
	const struct zname *zn;
	size_t i;

	if (d == NULL)
		return 0;
	ldns_dname2canonical(d);
	zn = find(z, d);
	ldns_rdf_deep_free(d);
	for (i = 0; zn != NULL && i < sizeof(zn->asked) / sizeof(zn->asked[0]); i++)
		if (zn->asked[i].type == type)
			return zn->asked[i].count;
	return 0;
}

static void count_query(struct zname *zn, unsigned type)
{
	size_t i;

	for (i = 0; i < sizeof(zn->asked) / sizeof(zn->asked[0]); i++) {
		if (zn->asked[i].type == type || zn->asked[i].count == 0) {
			zn->asked[i].type = type;
			zn->asked[i].count++;
			return;
		}
	}
}

/* TIMEOUT / SERVFAIL before any entry of the type: that failure, else 0. */
static int failure_before(const struct zname *zn, int qtype)
{
	size_t i;

	for (i = 0; i < zn->n; i++) {
		if (zn->entries[i].type == qtype)
			return 0;
		if (zn->entries[i].type == ENTRY_TIMEOUT || zn->entries[i].type == ENTRY_SERVFAIL)
			return zn->entries[i].type;
	}
	return 0;
}

static void set_status(struct dnsaudit_answer *out, dnsaudit_dns_status st, int rcode)
{
	out->status = st;
	out->rcode = rcode;
}

/* Records of qtype at zn into out->rrs; the CNAME entry or NULL when none. */
static const ldns_rr *collect(const struct zname *zn, int qtype, struct dnsaudit_answer *out,
                              int *oom)
{
	const ldns_rr *cname = NULL;
	size_t i;

	for (i = 0; i < zn->n; i++) {
		if (zn->entries[i].type == qtype) {
			ldns_rr *c = ldns_rr_clone(zn->entries[i].rr);

			if (c == NULL || !ldns_rr_list_push_rr(out->rrs, c)) {
				ldns_rr_free(c);
				*oom = 1;
			}
		} else if (zn->entries[i].type == LDNS_RR_TYPE_CNAME) {
			cname = zn->entries[i].rr;
		}
	}
	return cname;
}

/* One step of the answer at name; 1 = done, 0 = follow *next (a CNAME), -1 = no memory. */
static int answer_at(struct stub_zone *z, const ldns_rdf *name, int qtype,
                     struct dnsaudit_answer *out, const ldns_rdf **next)
{
	struct zname *zn = find(z, name);
	const ldns_rr *cname;
	int oom = 0, f;

	if (zn == NULL) {
		set_status(out, DNSAUDIT_DNS_NXDOMAIN, LDNS_RCODE_NXDOMAIN);
		return 1;
	}
	count_query(zn, (unsigned)qtype);
	if ((f = failure_before(zn, qtype)) != 0) {
		if (f == ENTRY_TIMEOUT)
			set_status(out, DNSAUDIT_DNS_TIMEOUT, -1);
		else
			set_status(out, DNSAUDIT_DNS_SERVFAIL, LDNS_RCODE_SERVFAIL);
		return 1;
	}
	cname = collect(zn, qtype, out, &oom);
	if (oom)
		return -1;
	if (ldns_rr_list_rr_count(out->rrs) > 0 || cname == NULL || qtype == LDNS_RR_TYPE_CNAME) {
		set_status(out,
		           ldns_rr_list_rr_count(out->rrs) > 0 ? DNSAUDIT_DNS_OK
		                                               : DNSAUDIT_DNS_NODATA,
		           LDNS_RCODE_NOERROR);
		return 1;
	}
	if (!ldns_rr_list_push_rr(out->chain, ldns_rr_clone(cname)))
		return -1;
	*next = ldns_rr_rdf(cname, 0);
	return 0;
}

int stub_zone_answer(void *payload, const ldns_rdf *qname, ldns_rr_type qtype,
                     struct dnsaudit_answer *out)
{
	struct stub_zone *z = payload;
	const ldns_rdf *name = qname;
	ldns_rdf *canon = NULL;
	int hops, r = 0;

	z->queries++;
	if (dnsaudit__answer_set_origin(out, "stub") != 0)
		return -1;
	for (hops = 0; hops <= MAX_CNAME_HOPS; hops++) {
		const ldns_rdf *next = NULL;

		r = answer_at(z, name, (int)qtype, out, &next);
		if (r != 0)
			break;
		ldns_rdf_deep_free(canon);
		if ((canon = ldns_rdf_clone(next)) == NULL)
			return -1;
		ldns_dname2canonical(canon);
		name = canon;
	}
	ldns_rdf_deep_free(canon);
	if (r == 0) /* a loop, or a chain too long: as a resolver would say */
		set_status(out, DNSAUDIT_DNS_SERVFAIL, LDNS_RCODE_SERVFAIL);
	return r < 0 ? -1 : 0;
}
