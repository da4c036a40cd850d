/*
 * dmarc.c -- the DMARC collector: policy discovery for the audited domain by
 * both methods (RFC 9989's DNS tree walk and RFC 7489's Public Suffix List),
 * the record as parsed (errors located, removed tags noted), the external
 * report destinations and their authorization records. The chosen method
 * (ctx option, CLI --dmarc-spec) decides the area's verdicts; the other is
 * kept so a mismatch can be shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "dmarc_internal.h"

static const dnsaudit_answer *need_cb(void *arg, const char *name, uint16_t type)
{
	return dnsaudit__need(arg, name, type);
}

/* none < quarantine < reject, for "sp weaker than p" (0 when unset). */
static int policy_level(dmarc_policy p)
{
	return p == DMARC_POLICY_REJECT       ? 3
	       : p == DMARC_POLICY_QUARANTINE ? 2
	       : p == DMARC_POLICY_NONE       ? 1
	                                      : 0;
}

static void issue_facts(xmlNodePtr parent, const char *elem, const struct dmarc_error *e)
{
	xmlNodePtr n = dnsaudit__fact_text(parent, elem, e->reason);

	dnsaudit__fact_attr_int(n, "position", (long)e->pos);
	dnsaudit__fact_attr(n, "kind", dnsaudit__dmarc_error_kind_name(e->kind));
	dnsaudit__fact_attr(n, "tag", dnsaudit__dmarc_tag_name(e->tag));
}

static void policy_attr(xmlNodePtr n, const char *name, dmarc_policy p, int set)
{
	if (set)
		dnsaudit__fact_attr(n, name, dnsaudit__dmarc_policy_name(p));
}

static void record_tags(xmlNodePtr n, const struct dmarc_record *r)
{
	policy_attr(n, "p", r->p, r->p_set);
	policy_attr(n, "sp", r->sp, r->sp_set);
	policy_attr(n, "np", r->np, r->np_set);
	dnsaudit__fact_attr_int(n, "p-level", policy_level(r->eff_p));
	dnsaudit__fact_attr_int(n, "sp-level", policy_level(r->eff_sp));
	dnsaudit__fact_attr(n, "effective-p", dnsaudit__dmarc_policy_name(r->eff_p));
	dnsaudit__fact_attr(n, "effective-sp", dnsaudit__dmarc_policy_name(r->eff_sp));
	dnsaudit__fact_attr(n, "adkim", r->adkim == DMARC_ALIGN_STRICT ? "s" : "r");
	dnsaudit__fact_attr(n, "aspf", r->aspf == DMARC_ALIGN_STRICT ? "s" : "r");
	dnsaudit__fact_attr_int(n, "pct", (long)r->pct);
	dnsaudit__fact_attr_bool(n, "pct-set", r->pct_set);
	dnsaudit__fact_attr_bool(n, "testing", r->t);
	dnsaudit__fact_attr_int(n, "rua-count", (long)r->nrua);
	dnsaudit__fact_attr_int(n, "ruf-count", (long)r->nruf);
	dnsaudit__fact_attr_bool(n, "rua-valid", r->rua_valid);
	dnsaudit__fact_attr_bool(n, "usable", r->usable);
	dnsaudit__fact_attr_bool(n, "policy-fallback", r->policy_fallback);
}

static void removed_tags(xmlNodePtr n, unsigned removed)
{
	char buf[32] = "";

	if (removed & DMARC_REMOVED_PCT)
		strncat(buf, "pct ", sizeof(buf) - strlen(buf) - 1);
	if (removed & DMARC_REMOVED_RF)
		strncat(buf, "rf ", sizeof(buf) - strlen(buf) - 1);
	if (removed & DMARC_REMOVED_RI)
		strncat(buf, "ri ", sizeof(buf) - strlen(buf) - 1);
	if (buf[0] != '\0') {
		buf[strlen(buf) - 1] = '\0';
		dnsaudit__fact_attr(n, "removed-tags", buf);
	}
}

static void record_facts(xmlNodePtr dmarc, const struct dmarc_discovery *d)
{
	const struct dmarc_record *r = d->record;
	xmlNodePtr n = dnsaudit__fact_child(dmarc, "record");
	size_t i;

	dnsaudit__fact_text(n, "text", d->record_text);
	record_tags(n, r);
	removed_tags(n, r->removed_used);
	for (i = 0; i < r->nerrors; i++)
		issue_facts(n, "error", &r->errors[i]);
	for (i = 0; i < r->nwarnings; i++)
		issue_facts(n, "warning", &r->warnings[i]);
}

static void queries_facts(xmlNodePtr parent, const struct dmarc_query *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xmlNodePtr e = dnsaudit__fact_child(parent, "query");

		dnsaudit__fact_attr(e, "name", q[i].name);
		dnsaudit__fact_attr(e, "type", q[i].type == LDNS_RR_TYPE_A ? "A" : "TXT");
		dnsaudit__fact_attr(
		    e, "status", q[i].pending ? "pending" : dnsaudit_dns_status_name(q[i].status));
		dnsaudit__fact_attr_int(e, "dmarc-records", (long)q[i].nrecords);
	}
}

static void discovery_facts(xmlNodePtr dmarc, const struct dmarc_discovery *d)
{
	xmlNodePtr n = dnsaudit__fact_child(dmarc, "discovery");

	dnsaudit__fact_attr(n, "spec", dnsaudit__dmarc_spec_name(d->spec));
	dnsaudit__fact_attr(n, "status", dnsaudit__dmarc_disc_status_name(d->status));
	dnsaudit__fact_attr(n, "policy-domain", d->policy_domain);
	dnsaudit__fact_attr(n, "org-domain", d->org.org);
	dnsaudit__fact_attr_bool(n, "inherited", d->inherited);
	dnsaudit__fact_attr(
	    n, "applied",
	    d->applied != DMARC_POLICY_UNSET ? dnsaudit__dmarc_policy_name(d->applied) : NULL);
	dnsaudit__fact_attr(n, "applied-tag", d->applied_tag);
	if (d->detail != NULL)
		dnsaudit__fact_attr(n, "detail", d->detail);
	queries_facts(n, d->queries, d->nqueries);
}

static void destination_facts(xmlNodePtr dmarc, const struct dmarc_destinations *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		const struct dmarc_destination *d = &ds->items[i];
		xmlNodePtr e = dnsaudit__fact_child(dmarc, "destination");
		char *uri = dnsaudit_txt_escape((const unsigned char *)d->uri->text,
		                                strlen(d->uri->text), 0);

		dnsaudit__fact_attr(e, "uri", uri);
		free(uri);
		dnsaudit__fact_attr(e, "tag", d->ruf ? "ruf" : "rua");
		dnsaudit__fact_attr(e, "domain", d->domain);
		dnsaudit__fact_attr(e, "external",
		                    d->external == 1   ? "true"
		                    : d->external == 0 ? "false"
		                                       : "unknown");
		dnsaudit__fact_attr(e, "query", d->query);
		if (d->query != NULL)
			dnsaudit__fact_attr(e, "status",
			                    d->pending ? "pending"
			                               : dnsaudit_dns_status_name(d->status));
		dnsaudit__fact_attr(e, "authorized",
		                    dnsaudit__dmarc_authorization_name(d->authorized));
		if (d->note != NULL)
			dnsaudit__fact_attr(e, "note", d->note);
	}
}

/* The first query of a discovery is _dmarc.<domain> itself. */
static const struct dmarc_query *own_query(const struct dmarc_discovery *d)
{
	return d->nqueries > 0 ? &d->queries[0] : NULL;
}

static void psl_facts(xmlNodePtr dmarc, const struct dmarc_psl_info *pi)
{
	xmlNodePtr n = dnsaudit__fact_child(dmarc, "psl");

	dnsaudit__fact_attr(n, "source", pi->source);
	dnsaudit__fact_attr(n, "file", pi->file);
	dnsaudit__fact_attr(n, "date", pi->date);
	dnsaudit__fact_attr(n, "libpsl", pi->libpsl);
}

/* The lookup that made a discovery inconclusive: pending, or a DNS failure. */
static const char *failure_reason(const struct dmarc_discovery *d)
{
	size_t i;

	for (i = 0; i < d->nqueries; i++) {
		const struct dmarc_query *q = &d->queries[i];

		if (q->pending)
			return "pending";
		if (q->status != DNSAUDIT_DNS_OK && q->status != DNSAUDIT_DNS_NXDOMAIN &&
		    q->status != DNSAUDIT_DNS_NODATA)
			return dnsaudit_dns_status_name(q->status);
	}
	return "servfail";
}

/* The area verdict: the chosen discovery, or the failure that stopped it. */
static void area_facts(xmlNodePtr audit, const struct dmarc_discovery *d)
{
	xmlNodePtr n = dnsaudit__fact_child(audit, "area");

	dnsaudit__fact_attr(n, "name", "dmarc");
	if (d->status != DMARC_DISC_TEMPERROR && !d->incomplete) {
		dnsaudit__fact_attr(n, "status", "ok");
		return;
	}
	dnsaudit__fact_attr(n, "status", "inconclusive");
	dnsaudit__fact_attr(n, "reason", failure_reason(d));
	if (d->detail != NULL)
		dnsaudit__fact_attr(n, "detail", d->detail);
}

static int mismatch(const struct dmarc_discovery *a, const struct dmarc_discovery *b)
{
	if (a->status != b->status)
		return 1;
	if (a->policy_domain == NULL || b->policy_domain == NULL)
		return a->policy_domain != b->policy_domain;
	return strcmp(a->policy_domain, b->policy_domain) != 0;
}

static void summary_attrs(xmlNodePtr dmarc, const struct dmarc_discovery *d,
                          const struct dmarc_discovery *other)
{
	const struct dmarc_query *q = own_query(d);

	dnsaudit__fact_attr(dmarc, "spec", dnsaudit__dmarc_spec_name(d->spec));
	dnsaudit__fact_attr(dmarc, "status", dnsaudit__dmarc_disc_status_name(d->status));
	dnsaudit__fact_attr_int(dmarc, "records", q ? (long)q->nrecords : 0);
	dnsaudit__fact_attr_bool(dmarc, "multiple", q && q->nrecords > 1);
	dnsaudit__fact_attr(dmarc, "policy-domain", d->policy_domain);
	dnsaudit__fact_attr(dmarc, "org-domain", d->org.org);
	dnsaudit__fact_attr_bool(dmarc, "inherited", d->inherited);
	dnsaudit__fact_attr(
	    dmarc, "applied",
	    d->applied != DMARC_POLICY_UNSET ? dnsaudit__dmarc_policy_name(d->applied) : "unset");
	dnsaudit__fact_attr_bool(dmarc, "discovery-mismatch", mismatch(d, other));
}

static int destinations(struct dnsaudit__collect *c, xmlNodePtr dmarc, const struct dmarc_opts *o,
                        const struct dmarc_discovery *d)
{
	struct dmarc_destinations *ds = NULL;
	int rc;

	if (d->status != DMARC_DISC_FOUND || d->record == NULL)
		return 0;
	rc = dnsaudit__dmarc_report_destinations(o, d->policy_domain, d->record, &ds);
	if (rc == 0)
		destination_facts(dmarc, ds);
	dnsaudit__dmarc_destinations_free(ds);
	(void)c;
	return rc;
}

int dnsaudit__collect_dmarc(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	struct dmarc_opts o9 = {DMARC_SPEC_RFC9989, need_cb, c, c->psl};
	struct dmarc_opts o7 = {DMARC_SPEC_RFC7489, need_cb, c, c->psl};
	struct dmarc_discovery *d9 = NULL, *d7 = NULL;
	const struct dmarc_discovery *chosen, *other;
	xmlNodePtr dmarc;
	int rc;

	if ((rc = dnsaudit__dmarc_discover(&o9, c->domain, &d9)) != 0 ||
	    (rc = dnsaudit__dmarc_discover(&o7, c->domain, &d7)) != 0) {
		dnsaudit__dmarc_discovery_free(d9);
		c->oom = rc == DNSAUDIT_ENOMEM;
		return rc;
	}
	chosen = c->dmarc_spec == DMARC_SPEC_RFC7489 ? d7 : d9;
	other = chosen == d9 ? d7 : d9;
	dmarc = dnsaudit__fact_child(audit, "dmarc");
	summary_attrs(dmarc, chosen, other);
	area_facts(audit, chosen);
	if (chosen->status == DMARC_DISC_FOUND && chosen->record != NULL)
		record_facts(dmarc, chosen);
	discovery_facts(dmarc, d9);
	discovery_facts(dmarc, d7);
	if (c->psl_info != NULL)
		psl_facts(dmarc, c->psl_info);
	rc = destinations(c, dmarc, chosen == d9 ? &o9 : &o7, chosen);
	dnsaudit__dmarc_discovery_free(d9);
	dnsaudit__dmarc_discovery_free(d7);
	return rc;
}
