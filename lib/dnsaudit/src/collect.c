/*
 * collect.c -- the round loop of collection (see audit_internal.h): queue
 * what is missing, resolve the queue as one batch, run the collectors again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

static const dnsaudit__collector collectors[] = {
    dnsaudit__collect_mx,      dnsaudit__collect_txt,
    dnsaudit__collect_spf, /* after mx: it checks the MX hosts' addresses */
    dnsaudit__collect_dkim,    dnsaudit__collect_dmarc,
    dnsaudit__collect_samples, dnsaudit__collect_mtasts,
    dnsaudit__collect_tlsrpt,  dnsaudit__collect_bimi,
    dnsaudit__collect_dane, /* TLSA of each MX host: second round */
    dnsaudit__collect_dnssec,  dnsaudit__collect_srv,
};

const dnsaudit_answer *dnsaudit__need(struct dnsaudit__collect *c, const char *name, uint16_t type)
{
	const dnsaudit_answer *a = dnsaudit_session_get(c->session, name, type);
	size_t i;

	if (a != NULL)
		return a;
	for (i = 0; i < c->nqueue; i++)
		if (c->queue[i].type == type && strcmp(c->queue[i].name, name) == 0)
			return NULL;
	if (c->nqueue == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		dnsaudit_question *q = realloc(c->queue, cap * sizeof(*q));

		if (q == NULL) {
			c->oom = 1;
			return NULL;
		}
		c->queue = q;
		c->cap = cap;
	}
	if ((c->queue[c->nqueue].name = strdup(name)) == NULL) {
		c->oom = 1;
		return NULL;
	}
	c->queue[c->nqueue++].type = type;
	return NULL;
}

static void queue_clear(struct dnsaudit__collect *c)
{
	size_t i;

	for (i = 0; i < c->nqueue; i++)
		free((void *)(uintptr_t)c->queue[i].name); /* strdup()ed by need() */
	c->nqueue = 0;
}

/* One pass of every collector into a fresh <audit> element. */
static xmlNodePtr run_collectors(struct dnsaudit__collect *c, xmlDocPtr doc)
{
	xmlNodePtr audit = xmlNewDocNode(doc, NULL, BAD_CAST "audit", NULL);
	size_t i;

	if (audit == NULL)
		return NULL;
	for (i = 0; i < sizeof(collectors) / sizeof(collectors[0]); i++)
		collectors[i](c, audit);
	return audit;
}

/*
 * Collect until no collector needs anything more. Returns the finished
 * <audit> element (unlinked, owned by doc) or NULL with err set.
 */
xmlNodePtr dnsaudit__collect_all(struct dnsaudit__collect *c, xmlDocPtr doc, dnsaudit_error *err)
{
	xmlNodePtr audit = NULL;
	unsigned round;
	int rc;

	for (round = 0; round < DNSAUDIT_MAX_ROUNDS; round++) {
		audit = run_collectors(c, doc);
		if (audit == NULL || c->oom)
			break;
		if (c->nqueue == 0) {
			free(c->queue);
			c->queue = NULL;
			return audit;
		}
		xmlFreeNode(audit);
		audit = NULL;
		if (round + 1 == DNSAUDIT_SEND_ROUNDS)
			dnsaudit__session_expire(c->session);
		rc = dnsaudit_session_resolve(c->session, c->queue, c->nqueue);
		queue_clear(c);
		if (rc != 0) {
			dnsaudit__error_set(err, rc, "DNS lookups failed: %s",
			                    dnsaudit_strerror(rc));
			break;
		}
	}
	if (round == DNSAUDIT_MAX_ROUNDS)
		dnsaudit__error_set(err, DNSAUDIT_ELIMIT, "lookups nested deeper than %d rounds",
		                    DNSAUDIT_MAX_ROUNDS);
	else if (c->oom || audit == NULL)
		dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
	xmlFreeNode(audit);
	queue_clear(c);
	free(c->queue);
	c->queue = NULL;
	return NULL;
}
