/*
 * facts.c -- writing the facts document. Everything that comes from DNS is
 * already in escaped presentation form (escape.c) before it reaches libxml2,
 * so the document is well-formed whatever a record holds; libxml2 then
 * escapes the XML metacharacters (<, &, quotes) itself.
 */
#include <stdio.h>
#include <stdlib.h>

#include "audit_internal.h"

xmlNodePtr dnsaudit__fact_child(xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

void dnsaudit__fact_attr(xmlNodePtr node, const char *name, const char *value)
{
	if (node != NULL && value != NULL)
		xmlSetProp(node, BAD_CAST name, BAD_CAST value);
}

void dnsaudit__fact_attr_int(xmlNodePtr node, const char *name, long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	dnsaudit__fact_attr(node, name, num);
}

void dnsaudit__fact_attr_bool(xmlNodePtr node, const char *name, int value)
{
	dnsaudit__fact_attr(node, name, value ? "true" : "false");
}

xmlNodePtr dnsaudit__fact_text(xmlNodePtr parent, const char *name, const char *text)
{
	/* xmlNewTextChild escapes &, < and > in the content. */
	return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST(text ? text : ""));
}

const char *dnsaudit__answer_status_str(const dnsaudit_answer *a)
{
	return a == NULL ? "pending" : dnsaudit_dns_status_name(dnsaudit_answer_status(a));
}

int dnsaudit__answer_conclusive(const dnsaudit_answer *a)
{
	dnsaudit_dns_status st;

	if (a == NULL)
		return 0;
	st = dnsaudit_answer_status(a);
	return st == DNSAUDIT_DNS_OK || st == DNSAUDIT_DNS_NXDOMAIN || st == DNSAUDIT_DNS_NODATA;
}

static void fact_txt_rr(xmlNodePtr rr_node, const ldns_rr *rr)
{
	size_t j;
	char *s;

	for (j = 0; j < ldns_rr_rd_count(rr); j++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, j);
		size_t len = ldns_rdf_size(rdf) > 0 ? ldns_rdf_size(rdf) - 1 : 0;

		if (len > 0 && ldns_rdf_data(rdf)[0] < len)
			len = ldns_rdf_data(rdf)[0];
		s = dnsaudit_txt_escape(ldns_rdf_data(rdf) + 1, len, 0);
		dnsaudit__fact_text(rr_node, "string", s);
		free(s);
	}
	s = dnsaudit__txt_joined_str(rr);
	dnsaudit__fact_text(rr_node, "joined", s);
	free(s);
}

static void fact_rr(xmlNodePtr parent, const char *elem, const ldns_rr *rr)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr));
	char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
	char *data = ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT ? dnsaudit__txt_rdata_str(rr)
	                                                      : dnsaudit__rr_rdata_str(rr);
	xmlNodePtr n = dnsaudit__fact_child(parent, elem);

	dnsaudit__fact_attr(n, "owner", owner);
	dnsaudit__fact_attr(n, "type", type);
	dnsaudit__fact_attr_int(n, "ttl", (long)ldns_rr_ttl(rr));
	dnsaudit__fact_text(n, "data", data);
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
		fact_txt_rr(n, rr);
	free(owner);
	free(type);
	free(data);
}

xmlNodePtr dnsaudit__fact_answer(xmlNodePtr parent, const dnsaudit_answer *a)
{
	xmlNodePtr n = dnsaudit__fact_child(parent, "answer");
	char *type;
	size_t i;

	if (a == NULL) {
		dnsaudit__fact_attr(n, "status", "pending");
		return n;
	}
	type = ldns_rr_type2str(a->qtype);
	dnsaudit__fact_attr(n, "qname", a->qname);
	dnsaudit__fact_attr(n, "qtype", type);
	free(type);
	dnsaudit__fact_attr(n, "status", dnsaudit__answer_status_str(a));
	if (a->rcode >= 0) {
		char *rc = ldns_pkt_rcode2str((ldns_pkt_rcode)a->rcode);

		dnsaudit__fact_attr(n, "rcode", rc);
		free(rc);
	}
	dnsaudit__fact_attr(n, "origin", dnsaudit_answer_origin(a));
	dnsaudit__fact_attr(n, "transport", a->transport);
	dnsaudit__fact_attr_bool(n, "ad", a->ad);
	if (a->detail != NULL)
		dnsaudit__fact_attr(n, "detail", a->detail);
	for (i = 0; i < ldns_rr_list_rr_count(a->chain); i++)
		fact_rr(n, "cname", ldns_rr_list_rr(a->chain, i));
	for (i = 0; i < ldns_rr_list_rr_count(a->rrs); i++)
		fact_rr(n, "rr", ldns_rr_list_rr(a->rrs, i));
	return n;
}

void dnsaudit__fact_area(xmlNodePtr audit, const char *name, const dnsaudit_answer *decisive)
{
	xmlNodePtr n = dnsaudit__fact_child(audit, "area");

	dnsaudit__fact_attr(n, "name", name);
	if (dnsaudit__answer_conclusive(decisive)) {
		dnsaudit__fact_attr(n, "status", "ok");
		return;
	}
	dnsaudit__fact_attr(n, "status", "inconclusive");
	dnsaudit__fact_attr(n, "reason", dnsaudit__answer_status_str(decisive));
	if (decisive != NULL && decisive->detail != NULL)
		dnsaudit__fact_attr(n, "detail", decisive->detail);
}
