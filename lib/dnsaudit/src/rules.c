/*
 * rules.c -- running a policy over a facts document: each node a rule's
 * XPath test selects is one finding, with its texts' placeholders filled from
 * that node; then the score and the grade. Rules of an area whose data could
 * not be fetched do not run: a timeout is never reported as a missing record.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "audit_internal.h"
#include "policy_internal.h"

/* One rule never yields more findings than this (a 64-host MX set, say). */
#define MAX_FINDINGS_PER_RULE 64

struct hit {
	const struct rule *rule;
	xmlNodePtr node;
	size_t seq; /* order found: document order within a rule */
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

static int hits_add(struct hits *h, const struct rule *r, xmlNodePtr node)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		struct hit *v = realloc(h->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n].rule = r;
	h->v[h->n].node = node;
	h->v[h->n].seq = h->n;
	h->n++;
	return 0;
}

static int area_inconclusive(xmlXPathContextPtr ctx, const char *area)
{
	xmlXPathObjectPtr o;
	char expr[160];
	int yes;

	snprintf(expr, sizeof(expr), "/audit/area[@name='%s' and @status!='ok']", area);
	if (strchr(area, '\'') != NULL || (o = xmlXPathEvalExpression(BAD_CAST expr, ctx)) == NULL)
		return 0;
	yes = o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0;
	xmlXPathFreeObject(o);
	return yes;
}

static int run_rule(xmlXPathContextPtr ctx, const struct rule *r, struct hits *h)
{
	xmlXPathObjectPtr o;
	int i, rc = 0;

	ctx->node = xmlDocGetRootElement(ctx->doc);
	if ((o = xmlXPathCompiledEval(r->test, ctx)) == NULL)
		return 0; /* a runtime XPath error: the rule cannot fire */
	if (o->type == XPATH_NODESET) {
		for (i = 0; o->nodesetval && i < o->nodesetval->nodeNr &&
		            i < MAX_FINDINGS_PER_RULE && rc == 0;
		     i++)
			rc = hits_add(h, r, o->nodesetval->nodeTab[i]);
	} else if (xmlXPathCastToBoolean(o)) {
		rc = hits_add(h, r, xmlDocGetRootElement(ctx->doc));
	}
	xmlXPathFreeObject(o);
	return rc;
}

static char *fill_text(xmlXPathContextPtr ctx, const struct rule_text *t, xmlNodePtr node)
{
	struct dnsaudit__buf b;
	size_t i;

	dnsaudit__buf_init(&b, 64 * 1024);
	for (i = 0; i < t->nsegs; i++) {
		xmlXPathObjectPtr o;
		xmlChar *s;

		if (t->segs[i].expr == NULL) {
			dnsaudit__buf_puts(&b, t->segs[i].literal);
			continue;
		}
		ctx->node = node;
		if ((o = xmlXPathCompiledEval(t->segs[i].expr, ctx)) == NULL)
			continue;
		if ((s = xmlXPathCastToString(o)) != NULL)
			dnsaudit__buf_puts(&b, (const char *)s);
		xmlFree(s);
		xmlXPathFreeObject(o);
	}
	return dnsaudit__buf_take(&b, NULL);
}

static void add_finding(xmlXPathContextPtr ctx, xmlNodePtr findings, const struct hit *h)
{
	const struct rule *r = h->rule;
	xmlNodePtr f = dnsaudit__fact_child(findings, "finding");
	size_t i;

	dnsaudit__fact_attr(f, "id", r->id);
	dnsaudit__fact_attr(f, "severity", dnsaudit_severity_name(r->severity));
	dnsaudit__fact_attr(f, "area", r->area);
	dnsaudit__fact_attr_int(f, "weight", r->weight);
	if (r->rfc != NULL)
		dnsaudit__fact_attr(f, "rfc", r->rfc);
	for (i = 0; i < r->ntexts; i++) {
		char *text = fill_text(ctx, &r->texts[i], h->node);
		xmlNodePtr t =
		    dnsaudit__fact_text(f, dnsaudit__text_kind_names[r->texts[i].kind], text);

		xmlNodeSetLang(t, BAD_CAST r->texts[i].lang);
		free(text);
	}
}

/* Worst first; then the order found: policy order, document order (qsort is not stable). */
static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->rule->severity != y->rule->severity)
		return (int)y->rule->severity - (int)x->rule->severity;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

static int score_of(const struct dnsaudit_policy *p, const struct hits *h)
{
	int score = 100;
	size_t i, j;

	/* A rule costs its weight once, however many nodes it matched. */
	for (i = 0; i < p->nrules; i++)
		for (j = 0; j < h->n; j++)
			if (h->v[j].rule == &p->rules[i]) {
				score -= p->rules[i].weight;
				break;
			}
	return score < 0 ? 0 : score;
}

static const char *grade_of(const struct dnsaudit_policy *p, int score)
{
	size_t i;

	for (i = 0; i < p->nbands; i++)
		if (score >= p->bands[i].min)
			return p->bands[i].grade;
	return "F";
}

/* The first profile whose select holds, else "default". */
static const char *choose_profile(const struct dnsaudit_policy *p, xmlXPathContextPtr ctx)
{
	size_t i;

	for (i = 0; i < p->nprofiles; i++) {
		xmlXPathObjectPtr o;
		int yes;

		ctx->node = xmlDocGetRootElement(ctx->doc);
		if ((o = xmlXPathCompiledEval(p->profiles[i].select, ctx)) == NULL)
			continue;
		yes = xmlXPathCastToBoolean(o);
		xmlXPathFreeObject(o);
		if (yes)
			return p->profiles[i].name;
	}
	return "default";
}

/* Whether a rule's space-separated profile list names `profile`. */
static int applies(const struct rule *r, const char *profile)
{
	size_t len = strlen(profile);
	const char *s = r->profiles;

	if (s == NULL)
		return 1;
	while ((s = strstr(s, profile)) != NULL) {
		int starts = s == r->profiles || s[-1] == ' ';
		int ends = s[len] == '\0' || s[len] == ' ';

		if (starts && ends)
			return 1;
		s += len;
	}
	return 0;
}

static int collect_hits(const struct dnsaudit_policy *p, xmlXPathContextPtr ctx, struct hits *h,
                        const char *profile)
{
	size_t i;

	for (i = 0; i < p->nrules; i++) {
		if (!applies(&p->rules[i], profile) || area_inconclusive(ctx, p->rules[i].area))
			continue;
		if (run_rule(ctx, &p->rules[i], h) != 0)
			return -1;
	}
	return 0;
}

/* A rule that fails at run time does not fire; libxml2 must not print. */
static void ignore_error(void *data, xmlErrorPtr e)
{
	(void)data;
	(void)e;
}

static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int dnsaudit__rules_apply(const struct dnsaudit_policy *p, xmlDocPtr doc, dnsaudit_error *err)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	struct hits h = {NULL, 0, 0};
	xmlNodePtr root = xmlDocGetRootElement(doc), findings;
	xmlGenericErrorFunc saved = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	const char *profile = NULL;
	int score;
	size_t i;

	/* libxml2 reports some XPath run-time errors through its generic
	 * handler (per thread); keep them off stderr while rules run. */
	xmlSetGenericErrorFunc(NULL, silent_generic);
	if (ctx != NULL) {
		ctx->error = ignore_error;
		profile = choose_profile(p, ctx);
		dnsaudit__fact_attr(root, "profile", profile);
	}
	if (ctx == NULL || collect_hits(p, ctx, &h, profile) != 0) {
		xmlSetGenericErrorFunc(saved_ctx, saved);
		xmlXPathFreeContext(ctx);
		free(h.v);
		dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
		return DNSAUDIT_ENOMEM;
	}
	if (h.n > 1)
		qsort(h.v, h.n, sizeof(*h.v), hit_cmp);
	/* Texts are filled before anything is added, so no rule sees another's finding. */
	findings = xmlNewNode(NULL, BAD_CAST "findings");
	for (i = 0; i < h.n; i++)
		add_finding(ctx, findings, &h.v[i]);
	xmlAddChild(root, findings);
	score = score_of(p, &h);
	dnsaudit__fact_attr(root, "grade", grade_of(p, score));
	dnsaudit__fact_attr_int(root, "score", score);
	xmlSetGenericErrorFunc(saved_ctx, saved);
	xmlXPathFreeContext(ctx);
	free(h.v);
	return 0;
}
