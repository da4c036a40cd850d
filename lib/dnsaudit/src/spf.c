/*
 * spf.c -- the SPF collector: the domain's SPF record(s) as found, the whole
 * include and redirect tree of a worst-case evaluation (an address that no
 * mechanism matches) with the DNS lookups each term costs, and whether each
 * address of the domain's own MX hosts passes. The tree is there even when
 * evaluation fails: that is where a user sees which include is to blame.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit_internal.h"
#include "spf_internal.h"

/* RR type 99 (SPF), obsolete since RFC 7208 §3.1 but still published. */
#define RR_TYPE_SPF 99
/* MX addresses checked against the record; more is a hostile MX set. */
#define SPF_MAX_MX_CHECKS 32

static const dnsaudit_answer *need_cb(void *arg, const char *name, uint16_t type)
{
	return dnsaudit__need(arg, name, type);
}

static void node_facts(xmlNodePtr parent, const struct spf_node *n, unsigned depth);

static void term_facts(xmlNodePtr parent, const struct spf_node_term *t, unsigned depth)
{
	xmlNodePtr e = dnsaudit__fact_child(parent, "term");
	char *text = dnsaudit_txt_escape((const unsigned char *)t->text, strlen(t->text), 0);
	size_t i;

	dnsaudit__fact_attr(e, "text", text);
	free(text);
	dnsaudit__fact_attr(e, "kind", dnsaudit__spf_term_kind_name(t->kind));
	if (t->qualifier)
		dnsaudit__fact_attr(e, "qualifier", (const char[]){t->qualifier, '\0'});
	if (t->target != NULL)
		dnsaudit__fact_attr(e, "target", t->target);
	dnsaudit__fact_attr_int(e, "lookups", (long)t->lookups);
	dnsaudit__fact_attr_int(e, "names", (long)t->names);
	dnsaudit__fact_attr_int(e, "void-lookups", (long)t->void_lookups);
	dnsaudit__fact_attr_bool(e, "over-limit", t->over_limit);
	if (t->over_limit)
		dnsaudit__fact_attr(e, "limit", dnsaudit__spf_error_kind_name(t->limit));
	dnsaudit__fact_attr_bool(e, "unreachable", t->unreachable);
	if (t->note != NULL)
		dnsaudit__fact_attr(e, "note", t->note);
	for (i = 0; i < t->naddresses; i++)
		dnsaudit__fact_text(e, "address", t->addresses[i]);
	if (t->child != NULL && depth < 64)
		node_facts(e, t->child, depth + 1);
}

static void node_facts(xmlNodePtr parent, const struct spf_node *n, unsigned depth)
{
	xmlNodePtr e = dnsaudit__fact_child(parent, "node");
	size_t i;

	dnsaudit__fact_attr(e, "domain", n->domain);
	dnsaudit__fact_attr(e, "result", dnsaudit__spf_result_name(n->result));
	dnsaudit__fact_attr_int(e, "records", (long)n->nrecords);
	if (n->error != NULL) {
		dnsaudit__fact_attr(e, "error", n->error);
		dnsaudit__fact_attr(e, "error-kind", dnsaudit__spf_error_kind_name(n->error_kind));
		if (n->error_kind == SPF_ERR_SYNTAX)
			dnsaudit__fact_attr_int(e, "error-position", (long)n->error_pos);
	}
	if (n->record != NULL)
		dnsaudit__fact_text(e, "record", n->record);
	for (i = 0; i < n->nterms; i++)
		term_facts(e, &n->terms[i], depth);
}
/* Parses as an SPF record (selection and syntax). */
static int parses(const char *s, size_t len)
{
	struct spf_record *rec = NULL;
	struct spf_error err;
	int ok = dnsaudit__spf_is_record(s, len) && dnsaudit__spf_parse(s, len, &rec, &err) == 0;

	dnsaudit__spf_record_free(rec);
	return ok;
}

/*
 * "v=spf1" "-all" published unquoted joins to "v=spf1-all": broken as
 * joined, fine with a space at the string boundary.
 */
static int is_split_record(const dnsaudit_answer *a, size_t i)
{
	size_t lj, ls;
	char *joined, *spaced;
	int split;

	if (dnsaudit_answer_txt_count(a, i) < 2)
		return 0;
	joined = dnsaudit__answer_txt_join(a, i, '\0', &lj);
	spaced = dnsaudit__answer_txt_join(a, i, ' ', &ls);
	split = joined && spaced && strncasecmp(spaced, "v=spf1", 6) == 0 && !parses(joined, lj) &&
	        parses(spaced, ls);
	free(joined);
	free(spaced);
	return split;
}

/* The apex TXT records: each SPF one, split ones, and the answer's octets. */
static void record_facts(xmlNodePtr spf, const dnsaudit_answer *txt)
{
	size_t i, records = 0, octets = 0, len;
	int split = 0;

	for (i = 0; i < dnsaudit_answer_count(txt); i++) {
		char *joined = dnsaudit__answer_txt_join(txt, i, '\0', &len);
		size_t j, l;

		for (j = 0; j < dnsaudit_answer_txt_count(txt, i); j++)
			octets += (dnsaudit_answer_txt_string(txt, i, j, &l), l) + 1;
		if (joined != NULL && dnsaudit__spf_is_record(joined, len)) {
			char *esc = dnsaudit_txt_escape((const unsigned char *)joined, len, 0);

			dnsaudit__fact_text(spf, "record", esc);
			free(esc);
			records++;
		} else if (is_split_record(txt, i)) {
			char *esc = dnsaudit__txt_rdata_str(ldns_rr_list_rr(txt->rrs, i));

			dnsaudit__fact_text(spf, "split-record", esc);
			free(esc);
			split = 1;
		}
		free(joined);
	}
	dnsaudit__fact_attr_int(spf, "records", (long)records);
	dnsaudit__fact_attr_bool(spf, "split-string", split);
	dnsaudit__fact_attr_int(spf, "txt-octets", (long)octets);
}

static void spf_rr_facts(struct dnsaudit__collect *c, xmlNodePtr spf)
{
	const dnsaudit_answer *a = dnsaudit__need(c, c->domain, RR_TYPE_SPF);

	dnsaudit__fact_attr(spf, "spf-rr",
	                    a == NULL                                      ? "unknown"
	                    : dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK ? "present"
	                    : dnsaudit__answer_conclusive(a)               ? "absent"
	                                                                   : "unknown");
}

static void walk_facts(struct dnsaudit__collect *c, xmlNodePtr spf)
{
	struct spf_eval_opts o = {need_cb, c, 1, NULL, 0};
	unsigned char ip[16] = {192, 0, 2, 0};
	struct spf_eval *ev = NULL;

	if (dnsaudit__spf_check_host(&o, AF_INET, ip, c->domain, NULL, c->domain, &ev) != 0) {
		c->oom = 1;
		return;
	}
	dnsaudit__fact_attr(spf, "walk-result", dnsaudit__spf_result_name(ev->result));
	dnsaudit__fact_attr_bool(spf, "truncated", ev->truncated);
	dnsaudit__fact_attr_int(spf, "lookups", (long)ev->lookups);
	dnsaudit__fact_attr_int(spf, "void-lookups", (long)ev->void_lookups);
	dnsaudit__fact_attr_bool(spf, "incomplete", ev->incomplete);
	if (ev->root != NULL)
		node_facts(spf, ev->root, 0);
	dnsaudit__spf_eval_free(ev);
}

/* Does the record pass the domain's own MX hosts? (spf.mx-not-covered) */
static void mx_coverage(struct dnsaudit__collect *c, xmlNodePtr spf, xmlNodePtr audit)
{
	struct spf_eval_opts o = {need_cb, c, 0, NULL, 0};
	xmlNodePtr mx, h, a;
	unsigned checks = 0;

	for (mx = audit->children; mx && !xmlStrEqual(mx->name, BAD_CAST "mx"); mx = mx->next)
		;
	for (h = mx ? mx->children : NULL; h != NULL; h = h->next) {
		for (a = h->children; a != NULL && checks < SPF_MAX_MX_CHECKS; a = a->next) {
			xmlChar *addr, *host = NULL;
			unsigned char ip[16];
			struct spf_eval *ev = NULL;
			int fam;

			if (!xmlStrEqual(h->name, BAD_CAST "host") ||
			    !xmlStrEqual(a->name, BAD_CAST "address"))
				continue;
			addr = xmlNodeGetContent(a);
			fam = addr && strchr((const char *)addr, ':') ? AF_INET6 : AF_INET;
			if (addr != NULL && inet_pton(fam, (const char *)addr, ip) == 1 &&
			    dnsaudit__spf_check_host(&o, fam, ip, c->domain, NULL, c->domain,
			                             &ev) == 0) {
				xmlNodePtr e = dnsaudit__fact_child(spf, "mx-check");

				host = xmlGetProp(h, BAD_CAST "name");
				dnsaudit__fact_attr(e, "host", (const char *)host);
				dnsaudit__fact_attr(e, "address", (const char *)addr);
				dnsaudit__fact_attr(e, "result",
				                    ev->incomplete
				                        ? "pending"
				                        : dnsaudit__spf_result_name(ev->result));
				checks++;
			}
			dnsaudit__spf_eval_free(ev);
			xmlFree(host);
			xmlFree(addr);
		}
	}
}

int dnsaudit__collect_spf(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	const dnsaudit_answer *txt = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_TXT);
	xmlNodePtr spf = dnsaudit__fact_child(audit, "spf");

	dnsaudit__fact_attr(spf, "status", dnsaudit__answer_status_str(txt));
	dnsaudit__fact_area(audit, "spf", txt);
	spf_rr_facts(c, spf);
	if (!dnsaudit__answer_conclusive(txt))
		return 0;
	record_facts(spf, txt);
	walk_facts(c, spf);
	mx_coverage(c, spf, audit);
	return 0;
}
