/*
 * srv.c -- what a mail client finds when it configures itself from DNS:
 * the SRV records of RFC 6186 (_submission, _imap, _pop3) and of RFC 8314
 * (_submissions, _imaps, _pop3s, implicit TLS), with each target's host and
 * port. A target of "." says the service is decidedly not offered
 * (RFC 2782). The TLS verdicts (RFC 8314 §3.3, §4.5 prefer implicit TLS)
 * are the policy's; here each plaintext service only learns whether its
 * implicit-TLS sibling is offered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neighbours_internal.h"

#define SRV_SERVICES 6

struct service {
	const char *name;   /* "imaps": the _imaps._tcp label */
	const char *family; /* "imap" */
	const char *tls;    /* "implicit" (RFC 8314) or "starttls" (RFC 6186) */
	unsigned port;      /* the registered port */
	size_t sibling;     /* the family's other service */
};

static const struct service services[SRV_SERVICES] = {
    {"submission", "submission", "starttls", 587, 1},
    {"submissions", "submission", "implicit", 465, 0},
    {"imap", "imap", "starttls", 143, 3},
    {"imaps", "imap", "implicit", 993, 2},
    {"pop3", "pop3", "starttls", 110, 5},
    {"pop3s", "pop3", "implicit", 995, 4},
};

/* _NAME._tcp.<domain> into buf; -1 when it does not fit. */
static int service_owner(char *buf, size_t size, size_t i, const char *domain)
{
	char label[32];

	snprintf(label, sizeof(label), "_%s._tcp.", services[i].name);
	return dnsaudit__nb_name(buf, size, label, domain);
}

static int is_srv(const ldns_rr *rr)
{
	return ldns_rr_get_type(rr) == LDNS_RR_TYPE_SRV && ldns_rr_rd_count(rr) == 4;
}

/* At least one target other than "." (whose wire form is one octet). */
static int offered(const dnsaudit_answer *a)
{
	size_t i;

	if (a == NULL || dnsaudit_answer_status(a) != DNSAUDIT_DNS_OK)
		return 0;
	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);

		if (is_srv(rr) && ldns_rdf_size(ldns_rr_rdf(rr, 3)) > 1)
			return 1;
	}
	return 0;
}

static void target_facts(struct dnsaudit__collect *c, xmlNodePtr svc, const ldns_rr *rr)
{
	xmlNodePtr t = dnsaudit__fact_child(svc, "target");
	char *host = ldns_rdf2str(ldns_rr_rdf(rr, 3));

	if (host == NULL)
		c->oom = 1;
	dnsaudit__fact_attr(t, "host", host);
	dnsaudit__fact_attr_int(t, "port", (long)ldns_rdf2native_int16(ldns_rr_rdf(rr, 2)));
	dnsaudit__fact_attr_int(t, "priority", (long)ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)));
	dnsaudit__fact_attr_int(t, "weight", (long)ldns_rdf2native_int16(ldns_rr_rdf(rr, 1)));
	free(host);
}

static void service_facts(struct dnsaudit__collect *c, xmlNodePtr srv, size_t i,
                          const dnsaudit_answer *const *ans)
{
	const struct service *s = &services[i];
	const dnsaudit_answer *a = ans[i];
	xmlNodePtr e = dnsaudit__fact_child(srv, "service");
	char owner[NB_NAME_MAX];
	size_t j, n = a != NULL && dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK
	                  ? dnsaudit_answer_count(a)
	                  : 0;

	dnsaudit__fact_attr(e, "name", s->name);
	if (service_owner(owner, sizeof(owner), i, c->domain) == 0)
		dnsaudit__fact_attr(e, "owner", owner);
	dnsaudit__fact_attr(e, "family", s->family);
	dnsaudit__fact_attr(e, "tls", s->tls);
	dnsaudit__fact_attr_int(e, "default-port", (long)s->port);
	dnsaudit__fact_attr(e, "status", dnsaudit__answer_status_str(a));
	dnsaudit__fact_attr_int(e, "records", (long)n);
	dnsaudit__fact_attr_bool(e, "offered", offered(a));
	if (strcmp(s->tls, "starttls") == 0) {
		dnsaudit__fact_attr(e, "implicit-tls-service", services[s->sibling].name);
		dnsaudit__fact_attr_int(e, "implicit-tls-port", (long)services[s->sibling].port);
		dnsaudit__fact_attr_bool(e, "implicit-tls-offered", offered(ans[s->sibling]));
	}
	for (j = 0; j < n && j < NB_MAX_RECORDS; j++)
		if (is_srv(ldns_rr_list_rr(a->rrs, j)))
			target_facts(c, e, ldns_rr_list_rr(a->rrs, j));
	if (a != NULL)
		dnsaudit__fact_answer(e, a);
}

int dnsaudit__collect_srv(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	const dnsaudit_answer *ans[SRV_SERVICES], *decisive = NULL;
	xmlNodePtr srv = dnsaudit__fact_child(audit, "srv");
	size_t i, published = 0, offers = 0;
	char name[NB_NAME_MAX];

	/* Ask all six first: they go out together in this round. */
	for (i = 0; i < SRV_SERVICES; i++) {
		ans[i] = NULL;
		if (service_owner(name, sizeof(name), i, c->domain) == 0)
			ans[i] = dnsaudit__need(c, name, LDNS_RR_TYPE_SRV);
	}
	for (i = 0; i < SRV_SERVICES; i++) {
		service_facts(c, srv, i, ans);
		published += ans[i] != NULL && dnsaudit_answer_status(ans[i]) == DNSAUDIT_DNS_OK;
		offers += offered(ans[i]);
		/* The area rests on all six: the first failure makes it inconclusive. */
		if (decisive == NULL ||
		    (dnsaudit__answer_conclusive(decisive) && !dnsaudit__answer_conclusive(ans[i])))
			decisive = ans[i];
	}
	dnsaudit__fact_attr_int(srv, "published", (long)published);
	dnsaudit__fact_attr_int(srv, "offered", (long)offers);
	dnsaudit__fact_area(audit, "srv", decisive);
	return 0;
}
