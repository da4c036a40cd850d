/*
 * dane.c -- DANE for SMTP (RFC 7672): the TLSA records at _25._tcp.<host>
 * of every MX host, their fields (RFC 6698 §2.1, named as RFC 7218 does),
 * and whether the resolver validated them (AD): a TLSA record that is not
 * DNSSEC-secure is ignored by senders (RFC 7672 §2.2), so it protects
 * nothing. The lookups need the MX answer, so they go in the second round.
 *
 * Not covered yet: the TLSA base domain of an MX host that is a CNAME
 * (RFC 7672 §2.2.3) and of the implicit MX of a domain without MX.
 */
#include <stdlib.h>
#include <string.h>

#include "neighbours_internal.h"

/* Hosts looked up, most preferred first; a larger MX set is hostile. */
#define DANE_MAX_HOSTS 64

struct dane_host {
	uint16_t pref;
	char *name; /* presentation, absolute */
};

static const char *const usage_names[] = {"PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE"};
static const char *const selector_names[] = {"Cert", "SPKI"};
static const char *const matching_names[] = {"Full", "SHA2-256", "SHA2-512"};

int dnsaudit__tlsa_check(unsigned usage, unsigned selector, unsigned matching, size_t data_len,
                         struct nb_tlsa *out)
{
	static const size_t digest_len[] = {0, 32, 64};

	memset(out, 0, sizeof(*out));
	out->usage_name = usage < 4 ? usage_names[usage] : NULL;
	out->selector_name = selector < 2 ? selector_names[selector] : NULL;
	out->matching_name = matching < 3 ? matching_names[matching] : NULL;
	if (out->usage_name == NULL)
		dnsaudit__nb_error_set(&out->err, "unknown-usage",
		                       "unknown certificate usage (0 to 3 are defined)", 0);
	else if (out->selector_name == NULL)
		dnsaudit__nb_error_set(&out->err, "unknown-selector",
		                       "unknown selector (0 and 1 are defined)", 1);
	else if (out->matching_name == NULL)
		dnsaudit__nb_error_set(&out->err, "unknown-matching-type",
		                       "unknown matching type (0 to 2 are defined)", 2);
	else if (matching == 0 && data_len == 0)
		dnsaudit__nb_error_set(&out->err, "digest-length", "the data is empty", 3);
	else if (matching > 0 && data_len != digest_len[matching])
		dnsaudit__nb_error_set(&out->err, "digest-length",
		                       matching == 1 ? "a SHA2-256 digest is 32 octets"
		                                     : "a SHA2-512 digest is 64 octets",
		                       3);
	if (out->err.kind != NULL)
		return 0;
	/* RFC 7672 §3.1.3: SMTP clients treat PKIX-TA and PKIX-EE as unusable. */
	out->usable = usage >= 2;
	return 1;
}

static unsigned rdf_u8(const ldns_rr *rr, size_t i)
{
	const ldns_rdf *f = ldns_rr_rdf(rr, i);

	return f != NULL && ldns_rdf_size(f) >= 1 ? ldns_rdf_data(f)[0] : 256;
}

/* One TLSA record: its fields, names, and whether SMTP can use it. */
static int tlsa_facts(struct dnsaudit__collect *c, xmlNodePtr host, const ldns_rr *rr)
{
	xmlNodePtr t = dnsaudit__fact_child(host, "tlsa");
	char *rdata = dnsaudit__rr_rdata_str(rr);
	const ldns_rdf *data = ldns_rr_rd_count(rr) > 3 ? ldns_rr_rdf(rr, 3) : NULL;
	unsigned u = rdf_u8(rr, 0), s = rdf_u8(rr, 1), m = rdf_u8(rr, 2);
	struct nb_tlsa r;
	int ok = dnsaudit__tlsa_check(u, s, m, data ? ldns_rdf_size(data) : 0, &r);

	if (rdata == NULL)
		c->oom = 1;
	dnsaudit__fact_attr(t, "rdata", rdata); /* numbers and hex only */
	free(rdata);
	dnsaudit__fact_attr_int(t, "usage", (long)u);
	dnsaudit__fact_attr_int(t, "selector", (long)s);
	dnsaudit__fact_attr_int(t, "matching-type", (long)m);
	dnsaudit__fact_attr(t, "usage-name", r.usage_name);
	dnsaudit__fact_attr(t, "selector-name", r.selector_name);
	dnsaudit__fact_attr(t, "matching-type-name", r.matching_name);
	dnsaudit__fact_attr_int(t, "data-octets", data ? (long)ldns_rdf_size(data) : 0);
	dnsaudit__fact_attr_bool(t, "valid", ok);
	dnsaudit__fact_attr_bool(t, "usable", r.usable);
	if (!ok) {
		dnsaudit__fact_attr(t, "error", r.err.message);
		dnsaudit__fact_attr(t, "error-kind", r.err.kind);
	}
	return r.usable ? 2 : ok;
}

static int host_cmp(const void *a, const void *b)
{
	const struct dane_host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The exchanges other than ".", most preferred first, at most max. */
static size_t read_hosts(struct dnsaudit__collect *c, const dnsaudit_answer *mx,
                         struct dane_host *hosts, size_t max)
{
	size_t i, n = 0, total = ldns_rr_list_rr_count(mx->rrs);
	struct dane_host *all = calloc(total ? total : 1, sizeof(*all));

	if (all == NULL) {
		c->oom = 1;
		return 0;
	}
	for (i = 0; i < total; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(mx->rrs, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX || ldns_rr_rd_count(rr) != 2)
			continue;
		all[n].pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		if ((all[n].name = ldns_rdf2str(ldns_rr_rdf(rr, 1))) == NULL)
			c->oom = 1;
		else if (strcmp(all[n].name, ".") == 0)
			free(all[n].name);
		else
			n++;
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), host_cmp);
	for (i = max; i < n; i++)
		free(all[i].name);
	n = n < max ? n : max;
	if (n > 0)
		memcpy(hosts, all, n * sizeof(*hosts));
	free(all);
	return n;
}

/* One MX host's TLSA facts; returns its answer (NULL: pending). */
static const dnsaudit_answer *host_facts(struct dnsaudit__collect *c, xmlNodePtr dane,
                                         const struct dane_host *h)
{
	char name[NB_NAME_MAX];
	xmlNodePtr n = dnsaudit__fact_child(dane, "host");
	const dnsaudit_answer *a = NULL;
	size_t i, valid = 0, usable = 0;

	dnsaudit__fact_attr(n, "name", h->name);
	dnsaudit__fact_attr_int(n, "preference", h->pref);
	if (dnsaudit__nb_name(name, sizeof(name), "_25._tcp.", h->name) == 0) {
		dnsaudit__fact_attr(n, "tlsa-name", name);
		a = dnsaudit__need(c, name, LDNS_RR_TYPE_TLSA);
	}
	dnsaudit__fact_attr(n, "status", dnsaudit__answer_status_str(a));
	if (a == NULL)
		return NULL;
	for (i = 0; dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK && i < dnsaudit_answer_count(a);
	     i++) {
		int r = tlsa_facts(c, n, ldns_rr_list_rr(a->rrs, i));

		valid += r > 0;
		usable += r == 2;
	}
	dnsaudit__fact_attr_int(
	    n, "records",
	    dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK ? (long)dnsaudit_answer_count(a) : 0);
	dnsaudit__fact_attr_int(n, "valid", (long)valid);
	dnsaudit__fact_attr_int(n, "usable", (long)usable);
	dnsaudit__fact_attr_bool(n, "ad", dnsaudit_answer_ad(a));
	dnsaudit__fact_answer(n, a);
	return a;
}

/* Facts of every host; the answer that decides the area (a failed TLSA one). */
static const dnsaudit_answer *hosts_facts(struct dnsaudit__collect *c, xmlNodePtr dane,
                                          const dnsaudit_answer *mx)
{
	struct dane_host hosts[DANE_MAX_HOSTS];
	size_t i, n = read_hosts(c, mx, hosts, DANE_MAX_HOSTS), with_tlsa = 0;
	const dnsaudit_answer *decisive = mx;
	int failed = 0;

	for (i = 0; i < n; i++) {
		const dnsaudit_answer *a = host_facts(c, dane, &hosts[i]);

		with_tlsa += a != NULL && dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK;
		if (!failed && !dnsaudit__answer_conclusive(a)) {
			decisive = a;
			failed = 1;
		}
		free(hosts[i].name);
	}
	dnsaudit__fact_attr_int(dane, "hosts", (long)n);
	dnsaudit__fact_attr_int(dane, "hosts-with-tlsa", (long)with_tlsa);
	return decisive;
}

int dnsaudit__collect_dane(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	const dnsaudit_answer *mx = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_MX);
	const dnsaudit_answer *decisive = mx;
	xmlNodePtr dane = dnsaudit__fact_child(audit, "dane");

	dnsaudit__fact_attr(dane, "status", dnsaudit__answer_status_str(mx));
	if (mx != NULL && dnsaudit_answer_status(mx) == DNSAUDIT_DNS_OK)
		decisive = hosts_facts(c, dane, mx);
	dnsaudit__fact_area(audit, "dane", decisive);
	return 0;
}
