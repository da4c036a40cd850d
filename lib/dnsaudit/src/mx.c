/*
 * mx.c -- the MX collector: the MX set (RFC 5321 §5.1), null MX (RFC 7505),
 * and every exchange's addresses, whether it is an alias and whether it is
 * an address written as a name. Facts only: the verdicts are policy rules.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

/* Exchanges looked up; an MX set larger than this is hostile or broken. */
#define MX_MAX_HOSTS 64

struct mx_host {
	uint16_t pref;
	char *name; /* presentation, absolute */
};

static int host_cmp(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* "192.0.2.1." or "[192.0.2.1]." published as an exchange name. */
static int is_ip_literal(const char *name)
{
	char buf[128];
	unsigned char addr[16];
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, name, len + 1);
	if (len > 1 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (buf[0] == '[' && len > 2 && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		memmove(buf, buf + 1, len - 1);
	}
	return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

/* Sorted by preference first, so a huge set keeps its most preferred hosts. */
static size_t read_hosts(const dnsaudit_answer *mx, struct mx_host *hosts, size_t max)
{
	size_t i, n = 0, total = ldns_rr_list_rr_count(mx->rrs);
	struct mx_host *all = calloc(total ? total : 1, sizeof(*all));

	if (all == NULL)
		return 0;
	for (i = 0; i < total; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(mx->rrs, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX || ldns_rr_rd_count(rr) != 2)
			continue;
		all[n].pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		all[n].name = ldns_rdf2str(ldns_rr_rdf(rr, 1));
		if (all[n].name != NULL)
			n++;
	}
	qsort(all, n, sizeof(*all), host_cmp);
	for (i = max; i < n; i++)
		free(all[i].name);
	n = n < max ? n : max;
	memcpy(hosts, all, n * sizeof(*hosts));
	free(all);
	return n;
}

static void add_addresses(xmlNodePtr host, const dnsaudit_answer *a, const char *family)
{
	size_t i;

	if (a == NULL || dnsaudit_answer_status(a) != DNSAUDIT_DNS_OK)
		return;
	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		char *addr = dnsaudit_answer_rdata(a, i);
		xmlNodePtr n = dnsaudit__fact_text(host, "address", addr);

		dnsaudit__fact_attr(n, "family", family);
		free(addr);
	}
}

/* "yes", "no" or "unknown" (a lookup failed, so absence is not proven). */
static const char *resolved_state(const dnsaudit_answer *a4, const dnsaudit_answer *a6)
{
	dnsaudit_dns_status s4, s6;

	if (a4 == NULL || a6 == NULL)
		return "unknown";
	s4 = dnsaudit_answer_status(a4);
	s6 = dnsaudit_answer_status(a6);
	if (s4 == DNSAUDIT_DNS_OK || s6 == DNSAUDIT_DNS_OK)
		return "yes";
	if (dnsaudit__answer_conclusive(a4) && dnsaudit__answer_conclusive(a6))
		return "no";
	return "unknown";
}

static void alias_facts(xmlNodePtr n, const dnsaudit_answer *a4, const dnsaudit_answer *a6)
{
	const dnsaudit_answer *a = a4 && dnsaudit_answer_cname_count(a4) ? a4 : a6;
	int alias = a != NULL && dnsaudit_answer_cname_count(a) > 0;

	dnsaudit__fact_attr_bool(n, "alias", alias);
	if (alias) {
		char *target = dnsaudit_answer_cname_target(a, dnsaudit_answer_cname_count(a) - 1);

		dnsaudit__fact_attr(n, "alias-target", target);
		free(target);
	}
}

static void host_facts(struct dnsaudit__collect *c, xmlNodePtr mx, const struct mx_host *h)
{
	xmlNodePtr n = dnsaudit__fact_child(mx, "host");
	int literal = is_ip_literal(h->name);
	const dnsaudit_answer *a4 = NULL, *a6 = NULL;

	dnsaudit__fact_attr(n, "name", h->name);
	dnsaudit__fact_attr_int(n, "preference", h->pref);
	dnsaudit__fact_attr_bool(n, "ip-literal", literal);
	if (!literal) {
		a4 = dnsaudit__need(c, h->name, LDNS_RR_TYPE_A);
		a6 = dnsaudit__need(c, h->name, LDNS_RR_TYPE_AAAA);
	}
	alias_facts(n, a4, a6);
	dnsaudit__fact_attr(n, "resolved", literal ? "no" : resolved_state(a4, a6));
	add_addresses(n, a4, "ipv4");
	add_addresses(n, a6, "ipv6");
	if (a4 != NULL)
		dnsaudit__fact_answer(n, a4);
	if (a6 != NULL)
		dnsaudit__fact_answer(n, a6);
}

static int is_null_mx(const struct mx_host *hosts, size_t n)
{
	return n == 1 && strcmp(hosts[0].name, ".") == 0;
}

static void mx_set_facts(struct dnsaudit__collect *c, xmlNodePtr mx, const dnsaudit_answer *a)
{
	struct mx_host hosts[MX_MAX_HOSTS];
	size_t i, n = read_hosts(a, hosts, MX_MAX_HOSTS);
	int null_mx = is_null_mx(hosts, n);

	dnsaudit__fact_attr_bool(mx, "null", null_mx);
	dnsaudit__fact_attr_int(mx, "records", (long)dnsaudit_answer_count(a));
	dnsaudit__fact_attr_bool(mx, "truncated", dnsaudit_answer_count(a) > MX_MAX_HOSTS);
	for (i = 0; i < n; i++) {
		/* "." among other exchanges is a broken null MX: show it, look nothing up. */
		if (strcmp(hosts[i].name, ".") == 0) {
			xmlNodePtr h = dnsaudit__fact_child(mx, "null-exchange");

			dnsaudit__fact_attr_int(h, "preference", hosts[i].pref);
			continue;
		}
		if (!null_mx)
			host_facts(c, mx, &hosts[i]);
	}
	for (i = 0; i < n; i++)
		free(hosts[i].name);
}

/* All <address> children in one attribute, for rule texts: "a b" or "none". */
static void address_list_attr(xmlNodePtr n)
{
	struct dnsaudit__buf b;
	xmlNodePtr c;
	char *list;

	dnsaudit__buf_init(&b, 64 * 1024);
	for (c = n->children; c != NULL; c = c->next) {
		xmlChar *t = xmlNodeGetContent(c);

		dnsaudit__buf_printf(&b, "%s%s", b.len ? " " : "", t ? (const char *)t : "");
		xmlFree(t);
	}
	list = dnsaudit__buf_take(&b, NULL);
	dnsaudit__fact_attr(n, "addresses", list && *list ? list : "none");
	free(list);
}

/* Without MX, mail goes to the domain's own address (RFC 5321 §5.1). */
static void implicit_facts(struct dnsaudit__collect *c, xmlNodePtr mx)
{
	const dnsaudit_answer *a4 = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_A);
	const dnsaudit_answer *a6 = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_AAAA);
	xmlNodePtr n = dnsaudit__fact_child(mx, "implicit");

	dnsaudit__fact_attr(n, "resolved", resolved_state(a4, a6));
	add_addresses(n, a4, "ipv4");
	add_addresses(n, a6, "ipv6");
	address_list_attr(n);
}

int dnsaudit__collect_mx(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	const dnsaudit_answer *a = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_MX);
	xmlNodePtr mx = dnsaudit__fact_child(audit, "mx");

	dnsaudit__fact_attr(mx, "status", dnsaudit__answer_status_str(a));
	dnsaudit__fact_area(audit, "mx", a);
	if (a == NULL)
		return 0;
	dnsaudit__fact_answer(mx, a);
	if (dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK)
		mx_set_facts(c, mx, a);
	else if (dnsaudit__answer_conclusive(a))
		implicit_facts(c, mx);
	return 0;
}
