/*
 * samples.c -- sample messages (check --eml) in the facts: each signature's
 * verification result as dkimcheck gave it, and what DMARC would conclude
 * for the message: its From domain against every passing d=, relaxed or
 * strict per the domain's adkim, through the DMARC evaluation of the chosen
 * method. A message with several From fields is never counted as aligned.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit_internal.h"
#include "dmarc_internal.h"

#define SAMPLES_MAX     256
#define SAMPLE_SIGS_MAX 32

static const dnsaudit_answer *need_cb(void *arg, const char *name, uint16_t type)
{
	return dnsaudit__need(arg, name, type);
}

/* d= is the audited domain or below it (a signature "for this domain"). */
static int for_domain(const char *d, const char *domain)
{
	size_t ld, lz = strlen(domain);

	if (d == NULL)
		return 0;
	ld = strlen(d);
	while (lz > 0 && domain[lz - 1] == '.')
		lz--;
	while (ld > 0 && d[ld - 1] == '.')
		ld--;
	if (ld == lz)
		return strncasecmp(d, domain, ld) == 0;
	return ld > lz && d[ld - lz - 1] == '.' && strncasecmp(d + ld - lz, domain, lz) == 0;
}

static void escaped_attr(xmlNodePtr n, const char *name, const char *value)
{
	char *e;

	if (value == NULL)
		return;
	e = dnsaudit_txt_escape((const unsigned char *)value, strlen(value), 0);
	dnsaudit__fact_attr(n, name, e);
	free(e);
}

static void signature_facts(xmlNodePtr sample, const dnsaudit_sample_signature *s,
                            const char *domain)
{
	xmlNodePtr n = dnsaudit__fact_child(sample, "signature");

	escaped_attr(n, "domain", s->domain);
	escaped_attr(n, "selector", s->selector);
	escaped_attr(n, "algorithm", s->algorithm);
	dnsaudit__fact_attr_int(n, "bits", (long)s->key_bits);
	escaped_attr(n, "result", s->result);
	escaped_attr(n, "detail", s->detail);
	escaped_attr(n, "key-record", s->key_record);
	escaped_attr(n, "key-origin", s->key_origin);
	dnsaudit__fact_attr_bool(n, "for-domain", for_domain(s->domain, domain));
}

/* The d= of every passing signature, for the DMARC evaluation. */
static size_t passing_domains(const dnsaudit_sample *s, const char **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < s->signature_count && n < max; i++)
		if (s->signatures[i].result != NULL &&
		    strcmp(s->signatures[i].result, "pass") == 0 && s->signatures[i].domain != NULL)
			out[n++] = s->signatures[i].domain;
	return n;
}

/*
 * Does a passing d= align with the From domain, under the record's adkim
 * (relaxed when the domain has no record)? "true", "false" or "pending".
 */
static const char *dkim_alignment(const struct dmarc_opts *o, const struct dmarc_eval *ev,
                                  const dnsaudit_sample *s, size_t npass, const char *const *pass)
{
	dmarc_align_mode mode = DMARC_ALIGN_RELAXED;
	const char *verdict = "false";
	size_t i;

	if (ev->discovery != NULL && ev->discovery->record != NULL)
		mode = ev->discovery->record->adkim;
	for (i = 0; i < npass; i++) {
		dmarc_alignment a = DMARC_NOT_ALIGNED;

		if (dnsaudit__dmarc_aligned(o, s->from_domain, pass[i], mode, &a) != 0)
			continue;
		if (a == DMARC_ALIGNED)
			return "true";
		if (a == DMARC_ALIGN_PENDING || a == DMARC_ALIGN_TEMPERROR)
			verdict = "pending";
	}
	return verdict;
}

static void dmarc_facts(struct dnsaudit__collect *c, xmlNodePtr n, const dnsaudit_sample *s,
                        size_t npass, const char *const *pass)
{
	struct dmarc_opts o = {c->dmarc_spec ? DMARC_SPEC_RFC7489 : DMARC_SPEC_RFC9989, need_cb, c,
	                       c->psl};
	struct dmarc_eval_input in = {s->from_domain, NULL, 0, pass, npass};
	struct dmarc_eval *ev = NULL;

	if (dnsaudit__dmarc_evaluate(&o, &in, &ev) != 0 || ev == NULL) {
		dnsaudit__fact_attr(n, "dmarc", "unknown");
		dnsaudit__fact_attr_bool(n, "dkim-aligned", 0);
		dnsaudit__dmarc_eval_free(ev);
		return;
	}
	/* Several From fields: no DMARC pass, whichever From a receiver reads. */
	dnsaudit__fact_attr(n, "dmarc",
	                    ev->incomplete     ? "pending"
	                    : s->multiple_from ? "fail"
	                                       : dnsaudit__dmarc_result_name(ev->result));
	dnsaudit__fact_attr(n, "dmarc-policy-domain", ev->policy_domain);
	dnsaudit__fact_attr(n, "dmarc-policy", dnsaudit__dmarc_policy_name(ev->policy));
	/* Several From fields: which one is "the" author is the trick itself. */
	dnsaudit__fact_attr(n, "dkim-aligned",
	                    s->multiple_from ? "false" : dkim_alignment(&o, ev, s, npass, pass));
	dnsaudit__dmarc_eval_free(ev);
}

static void sample_facts(struct dnsaudit__collect *c, xmlNodePtr samples, const dnsaudit_sample *s)
{
	xmlNodePtr n = dnsaudit__fact_child(samples, "sample");
	const char *pass[SAMPLE_SIGS_MAX];
	size_t i, npass = passing_domains(s, pass, SAMPLE_SIGS_MAX);

	escaped_attr(n, "file", s->file);
	escaped_attr(n, "from-domain", s->from_domain);
	dnsaudit__fact_attr_bool(n, "multiple-from", s->multiple_from);
	dnsaudit__fact_attr_int(n, "signatures", (long)s->signature_count);
	dnsaudit__fact_attr_bool(n, "dkim-pass", npass > 0);
	if (s->error != NULL) {
		escaped_attr(n, "error", s->error);
		return;
	}
	for (i = 0; i < s->signature_count && i < SAMPLE_SIGS_MAX; i++)
		signature_facts(n, &s->signatures[i], c->domain);
	if (s->from_domain != NULL)
		dmarc_facts(c, n, s, npass, pass);
}

int dnsaudit__collect_samples(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	xmlNodePtr samples;
	size_t i;

	if (c->nsamples == 0)
		return 0;
	samples = dnsaudit__fact_child(audit, "samples");
	dnsaudit__fact_attr_int(samples, "count", (long)c->nsamples);
	for (i = 0; i < c->nsamples && i < SAMPLES_MAX; i++)
		sample_facts(c, samples, &c->samples[i]);
	return 0;
}
