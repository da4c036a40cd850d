/*
 * audit.c -- one audit from name to graded report: normalise the name,
 * collect facts in rounds, apply the policy, and index the result for the
 * accessors. The facts document is the report: every renderer reads it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_internal.h"
#include "dmarc_internal.h"
#include "dkim_internal.h"
#include "policy_internal.h"

struct dnsaudit_ctx {
	const dnsaudit_source *source;
	const dnsaudit_policy *policy;
	char **selectors, **common; /* DKIM selectors (dkim.c) */
	size_t nselectors, ncommon;
	dnsaudit_dmarc_spec dmarc_spec;
	const dnsaudit_sample *samples; /* borrowed */
	size_t nsamples;
	psl_ctx_t *psl; /* read-only once loaded; shareable, but one per ctx is simpler */
	struct dmarc_psl_info psl_info;
	dnsaudit_error err;
};

const char *dnsaudit_severity_name(dnsaudit_severity sev)
{
	switch (sev) {
	case DNSAUDIT_SEV_FAIL:
		return "fail";
	case DNSAUDIT_SEV_WARN:
		return "warn";
	default:
		return "info";
	}
}

int dnsaudit_ctx_new(dnsaudit_ctx **out, const dnsaudit_ctx_options *opts)
{
	int rc;

	*out = NULL;
	if (opts == NULL || opts->version != DNSAUDIT_CTX_OPTIONS_VERSION || opts->source == NULL ||
	    opts->policy == NULL)
		return DNSAUDIT_EINVAL;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return DNSAUDIT_ENOMEM;
	(*out)->source = opts->source;
	(*out)->policy = opts->policy;
	(*out)->dmarc_spec = opts->dmarc_spec;
	(*out)->samples = opts->samples;
	(*out)->nsamples = opts->samples != NULL ? opts->sample_count : 0;
	if (opts->dmarc_spec != DNSAUDIT_DMARC_RFC9989 &&
	    opts->dmarc_spec != DNSAUDIT_DMARC_RFC7489) {
		dnsaudit_ctx_free(*out);
		*out = NULL;
		return DNSAUDIT_EINVAL;
	}
	if (dnsaudit__dmarc_psl_load(&(*out)->psl, &(*out)->psl_info) != 0) {
		dnsaudit_ctx_free(*out);
		*out = NULL;
		return DNSAUDIT_ERROR;
	}
	if ((rc = dnsaudit__dkim_selectors_copy(&(*out)->selectors, &(*out)->nselectors,
	                                        opts->selectors, opts->selector_count)) != 0 ||
	    (rc = dnsaudit__dkim_selectors_copy(&(*out)->common, &(*out)->ncommon,
	                                        opts->common_selectors,
	                                        opts->common_selector_count)) != 0) {
		dnsaudit_ctx_free(*out);
		*out = NULL;
	}
	return rc;
}

void dnsaudit_ctx_free(dnsaudit_ctx *ctx)
{
	if (ctx == NULL)
		return;
	dnsaudit_selectors_free(ctx->selectors, ctx->nselectors);
	dnsaudit_selectors_free(ctx->common, ctx->ncommon);
	dnsaudit__dmarc_psl_free(ctx->psl);
	free(ctx);
}

const char *dnsaudit_ctx_errmsg(const dnsaudit_ctx *ctx)
{
	return ctx->err.message;
}

static void source_facts(xmlNodePtr audit, const dnsaudit_source *src)
{
	xmlNodePtr s = xmlNewNode(NULL, BAD_CAST "source");
	size_t i;

	/* <source> goes first, before the collectors' facts. */
	if (audit->children != NULL)
		xmlAddPrevSibling(audit->children, s);
	else
		xmlAddChild(audit, s);
	dnsaudit__fact_attr(s, "kind", dnsaudit_source_kind(src));
	for (i = 0; i < dnsaudit_source_zone_file_count(src); i++)
		dnsaudit__fact_attr(dnsaudit__fact_child(s, "zone-file"), "path",
		                    dnsaudit_source_zone_file(src, i));
	for (i = 0; i < dnsaudit_source_resolver_count(src); i++)
		dnsaudit__fact_attr(dnsaudit__fact_child(s, "resolver"), "address",
		                    dnsaudit_source_resolver(src, i));
}

static void root_attrs(xmlNodePtr audit, const struct dnsaudit_report *r)
{
	char when[32];
	time_t started = (time_t)r->started;
	struct tm tm;

	gmtime_r(&started, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	dnsaudit__fact_attr(audit, "domain", r->domain);
	dnsaudit__fact_attr(audit, "domain-unicode", r->domain_unicode);
	dnsaudit__fact_attr(audit, "started", when);
	dnsaudit__fact_attr(audit, "tool", "mailaudit " DNSAUDIT_VERSION_STRING);
}

static void stats_facts(xmlNodePtr audit, const dnsaudit_session_stats *st)
{
	xmlNodePtr s = dnsaudit__fact_child(audit, "dns-stats");

	dnsaudit__fact_attr_int(s, "queries", (long)st->queries);
	dnsaudit__fact_attr_int(s, "packets", (long)st->packets);
	dnsaudit__fact_attr_int(s, "answers", (long)st->answers);
	dnsaudit__fact_attr_int(s, "rounds", (long)st->rounds);
}

static char *xprop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = strdup(v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static dnsaudit_severity severity_of(const char *s)
{
	if (strcmp(s, "fail") == 0)
		return DNSAUDIT_SEV_FAIL;
	return strcmp(s, "warn") == 0 ? DNSAUDIT_SEV_WARN : DNSAUDIT_SEV_INFO;
}

static int index_finding(struct dnsaudit_report *r, xmlNodePtr f)
{
	struct dnsaudit__finding_ref *v = realloc(r->findings, (r->nfindings + 1) * sizeof(*v));
	char *sev;

	if (v == NULL)
		return -1;
	r->findings = v;
	v += r->nfindings++;
	v->id = xprop(f, "id");
	v->area = xprop(f, "area");
	sev = xprop(f, "severity");
	v->severity = severity_of(sev ? sev : "");
	free(sev);
	return v->id && v->area ? 0 : -1;
}

static int index_area(struct dnsaudit_report *r, xmlNodePtr a)
{
	struct dnsaudit__area_ref *v = realloc(r->areas, (r->nareas + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	r->areas = v;
	v += r->nareas++;
	v->name = xprop(a, "name");
	v->status = xprop(a, "status");
	v->reason = xprop(a, "reason");
	return v->name && v->status && v->reason ? 0 : -1;
}

/* Copies what the accessors return out of the document, once. */
static int index_report(struct dnsaudit_report *r)
{
	xmlNodePtr root = xmlDocGetRootElement(r->doc), n, f;
	char *score;
	int rc = 0;

	r->grade = xprop(root, "grade");
	score = xprop(root, "score");
	r->score = score ? (int)strtol(score, NULL, 10) : 0;
	free(score);
	for (n = root->children; n != NULL && rc == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(n->name, BAD_CAST "area"))
			rc = index_area(r, n);
		if (xmlStrEqual(n->name, BAD_CAST "findings"))
			for (f = n->children; f != NULL && rc == 0; f = f->next)
				if (f->type == XML_ELEMENT_NODE)
					rc = index_finding(r, f);
	}
	return rc == 0 && r->grade != NULL ? 0 : DNSAUDIT_ENOMEM;
}

static int collect(struct dnsaudit_report *r, dnsaudit_ctx *ctx, dnsaudit_session *session)
{
	struct dnsaudit__collect c;
	char *abs_name;
	xmlNodePtr audit;
	size_t len = strlen(r->domain);

	memset(&c, 0, sizeof(c));
	if ((abs_name = malloc(len + 2)) == NULL)
		return DNSAUDIT_ENOMEM;
	memcpy(abs_name, r->domain, len);
	memcpy(abs_name + len, ".", 2);
	c.session = session;
	c.domain = abs_name;
	c.selectors = (const char *const *)ctx->selectors;
	c.nselectors = ctx->nselectors;
	c.common_selectors = (const char *const *)ctx->common;
	c.ncommon = ctx->ncommon;
	c.dmarc_spec =
	    ctx->dmarc_spec == DNSAUDIT_DMARC_RFC7489 ? DMARC_SPEC_RFC7489 : DMARC_SPEC_RFC9989;
	c.psl = ctx->psl;
	c.psl_info = &ctx->psl_info;
	c.samples = ctx->samples;
	c.nsamples = ctx->nsamples;
	audit = dnsaudit__collect_all(&c, r->doc, &ctx->err);
	free(abs_name);
	if (audit == NULL)
		return ctx->err.code ? ctx->err.code : DNSAUDIT_ERROR;
	xmlDocSetRootElement(r->doc, audit);
	return 0;
}

static int audit_into(struct dnsaudit_report *r, dnsaudit_ctx *ctx)
{
	dnsaudit_session *session = NULL;
	xmlNodePtr root;
	int rc;

	if ((r->doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    dnsaudit_session_new(&session, ctx->source) != 0)
		return DNSAUDIT_ENOMEM;
	rc = collect(r, ctx, session);
	dnsaudit_session_get_stats(session, &r->stats);
	dnsaudit_session_free(session);
	if (rc != 0)
		return rc;
	r->answered = r->stats.answers > 0;
	root = xmlDocGetRootElement(r->doc);
	root_attrs(root, r);
	source_facts(root, ctx->source);
	stats_facts(root, &r->stats);
	if ((rc = dnsaudit__rules_apply(ctx->policy, r->doc, &ctx->err)) != 0)
		return rc;
	return index_report(r);
}

int dnsaudit_audit_domain(dnsaudit_report **out, dnsaudit_ctx *ctx, const char *domain)
{
	struct dnsaudit_report *r;
	int rc;

	*out = NULL;
	memset(&ctx->err, 0, sizeof(ctx->err));
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return DNSAUDIT_ENOMEM;
	r->started = (long long)time(NULL);
	rc = dnsaudit__domain_normalize(domain, &r->domain, &r->domain_unicode, &ctx->err);
	if (rc == 0)
		rc = audit_into(r, ctx);
	if (rc != 0) {
		if (ctx->err.message[0] == '\0')
			dnsaudit__error_set(&ctx->err, rc, "%s", dnsaudit_strerror(rc));
		dnsaudit_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void dnsaudit_report_free(dnsaudit_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	xmlFreeDoc(r->doc);
	free(r->domain);
	free(r->domain_unicode);
	free(r->grade);
	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].id);
		free(r->findings[i].area);
	}
	free(r->findings);
	for (i = 0; i < r->nareas; i++) {
		free(r->areas[i].name);
		free(r->areas[i].status);
		free(r->areas[i].reason);
	}
	free(r->areas);
	free(r);
}

const char *dnsaudit_report_domain(const dnsaudit_report *r)
{
	return r->domain;
}

const char *dnsaudit_report_domain_unicode(const dnsaudit_report *r)
{
	return r->domain_unicode;
}

const char *dnsaudit_report_grade(const dnsaudit_report *r)
{
	return r->grade;
}

int dnsaudit_report_score(const dnsaudit_report *r)
{
	return r->score;
}

int dnsaudit_report_answered(const dnsaudit_report *r)
{
	return r->answered;
}

void dnsaudit_report_get_stats(const dnsaudit_report *r, dnsaudit_session_stats *out)
{
	*out = r->stats;
}

size_t dnsaudit_report_finding_count(const dnsaudit_report *r)
{
	return r->nfindings;
}

const char *dnsaudit_report_finding_id(const dnsaudit_report *r, size_t i)
{
	return i < r->nfindings ? r->findings[i].id : NULL;
}

dnsaudit_severity dnsaudit_report_finding_severity(const dnsaudit_report *r, size_t i)
{
	return i < r->nfindings ? r->findings[i].severity : DNSAUDIT_SEV_INFO;
}

const char *dnsaudit_report_finding_area(const dnsaudit_report *r, size_t i)
{
	return i < r->nfindings ? r->findings[i].area : NULL;
}

size_t dnsaudit_report_area_count(const dnsaudit_report *r)
{
	return r->nareas;
}

const char *dnsaudit_report_area_name(const dnsaudit_report *r, size_t i)
{
	return i < r->nareas ? r->areas[i].name : NULL;
}

const char *dnsaudit_report_area_status(const dnsaudit_report *r, size_t i)
{
	return i < r->nareas ? r->areas[i].status : NULL;
}

const char *dnsaudit_report_area_reason(const dnsaudit_report *r, size_t i)
{
	return i < r->nareas ? r->areas[i].reason : NULL;
}
