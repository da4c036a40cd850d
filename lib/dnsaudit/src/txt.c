/*
 * txt.c -- the apex TXT record set as evidence: what SPF and site
 * verification records the domain publishes, as found, byte for byte.
 */
#include "audit_internal.h"

int dnsaudit__collect_txt(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	const dnsaudit_answer *a = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_TXT);
	xmlNodePtr txt = dnsaudit__fact_child(audit, "txt");

	dnsaudit__fact_attr(txt, "status", dnsaudit__answer_status_str(a));
	if (a != NULL)
		dnsaudit__fact_answer(txt, a);
	return 0;
}
