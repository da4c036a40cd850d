/*
 * test_samples_audit.c -- sample messages in `check` (the --eml path), given
 * to the audit as verified signatures: which findings they draw, DMARC
 * alignment per message (relaxed by default, a third party's d= does not
 * align, several From fields never do), and the facts written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "audit_internal.h"
#include "dnsaudit/dnsaudit.h"
#include "xpath_assert.h"
#include "zone_audit_fixture.h"

static const char *const sample_prefixes[] = {"dkim.sample", "dkim.sha1", NULL};

static dnsaudit_report *audit_samples(void **state, const char *domain,
                                      const dnsaudit_sample *samples, size_t n)
{
	struct fixture *f = *state;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_ctx *ctx = NULL;
	dnsaudit_report *r = NULL;

	co.source = f->src;
	co.policy = f->policy;
	co.samples = samples;
	co.sample_count = n;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), 0);
	if (dnsaudit_audit_domain(&r, ctx, domain) != 0)
		fail_msg("audit %s: %s", domain, dnsaudit_ctx_errmsg(ctx));
	dnsaudit_ctx_free(ctx);
	return r;
}

static const dnsaudit_sample_signature own_pass = {
    "good.dmarc-issues.example", "s1", "rsa-sha256", 2048, "pass", "ok", "", ""};
static const dnsaudit_sample_signature sub_pass = {
    "mail.good.dmarc-issues.example", "s1", "rsa-sha256", 2048, "pass", "ok", "", ""};
static const dnsaudit_sample_signature esp_pass = {"esp.example", "k1", "rsa-sha256", 2048,
                                                   "pass",        "ok", "",           ""};
static const dnsaudit_sample_signature own_fail = {
    "good.dmarc-issues.example", "s1", "rsa-sha256", 2048, "fail", "body-hash-mismatch", "", ""};
static const dnsaudit_sample_signature esp_fail = {
    "esp.example", "k1", "rsa-sha256", 2048, "fail", "signature-mismatch", "", ""};
static const dnsaudit_sample_signature own_sha1 = {
    "good.dmarc-issues.example", "old", "rsa-sha1", 2048, "policy", "sha1-forbidden", "", ""};

/* A key that could not be fetched: inconclusive, never a failing signature. */
static const dnsaudit_sample_signature own_temp = {
    "good.dmarc-issues.example", "s1", "rsa-sha256", 0, "temperror", "dns-error", "", ""};

static void check_ids(void **state, const dnsaudit_sample *s, const char *want)
{
	dnsaudit_report *r = audit_samples(state, "good.dmarc-issues.example", s, 1);
	char got[512];

	ids_with_prefix(r, sample_prefixes, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s: got [%s], want [%s]", s->file, got, want);
	dnsaudit_report_free(r);
}

static void each_sample_gives_exactly_its_findings(void **state)
{
	const dnsaudit_sample cases[] = {
	    {"aligned.eml", "good.dmarc-issues.example", 0, NULL, &own_pass, 1},
	    /* Relaxed alignment: a subdomain's d= aligns with the From domain. */
	    {"relaxed.eml", "good.dmarc-issues.example", 0, NULL, &sub_pass, 1},
	    {"esp-only.eml", "good.dmarc-issues.example", 0, NULL, &esp_pass, 1},
	    {"own-fails.eml", "good.dmarc-issues.example", 0, NULL, &own_fail, 1},
	    /* Another domain's failing signature is not this domain's problem. */
	    {"esp-fails.eml", "good.dmarc-issues.example", 0, NULL, &esp_fail, 1},
	    {"two-from.eml", "good.dmarc-issues.example", 1, NULL, &own_pass, 1},
	    {"sha1.eml", "good.dmarc-issues.example", 0, NULL, &own_sha1, 1},
	    {"dns-down.eml", "good.dmarc-issues.example", 0, NULL, &own_temp, 1},
	    {"unreadable.eml", NULL, 0, "No such file or directory", NULL, 0},
	};
	const char *want[] = {
	    "",
	    "",
	    "dkim.sample-unaligned",
	    "dkim.sample-fail",
	    "",
	    /* Its own finding only; the facts still say it is not aligned. */
	    "dkim.sample-multiple-from",
	    /* dkim.sha1 says why it cannot pass; no second charge for it. */
	    "dkim.sha1",
	    "",
	    "",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_ids(state, &cases[i], want[i]);
}

static void the_facts_say_what_was_verified(void **state)
{
	const dnsaudit_sample_signature sigs[] = {own_fail, esp_pass};
	const dnsaudit_sample s[] = {
	    {"<b>x</b>.eml", "good.dmarc-issues.example", 0, NULL, sigs, 2},
	    {"gone.eml", NULL, 0, "No such file or directory", NULL, 0},
	};
	dnsaudit_report *r = audit_samples(state, "good.dmarc-issues.example", s, 2);

	assert_xpath(r->doc, "string(/audit/samples/@count)", "2");
	assert_xpath(r->doc, "string(/audit/samples/sample[1]/@file)", "<b>x</b>.eml");
	assert_xpath(r->doc, "string(/audit/samples/sample[1]/signature[1]/@for-domain)", "true");
	assert_xpath(r->doc, "string(/audit/samples/sample[1]/signature[2]/@for-domain)", "false");
	assert_xpath(r->doc, "string(/audit/samples/sample[1]/@dkim-aligned)", "false");
	assert_xpath(r->doc, "string(/audit/samples/sample[2]/@error)",
	             "No such file or directory");
	dnsaudit_report_free(r);
	{
		const dnsaudit_sample two = {
		    "two.eml", "good.dmarc-issues.example", 1, NULL, &own_pass, 1};

		r = audit_samples(state, "good.dmarc-issues.example", &two, 1);
		assert_xpath(r->doc, "string(/audit/samples/sample/@dkim-aligned)", "false");
		assert_xpath(r->doc, "string(/audit/samples/sample/@dmarc)", "fail");
		dnsaudit_report_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_sample_gives_exactly_its_findings),
	    cmocka_unit_test(the_facts_say_what_was_verified),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, setup, teardown);
	xmlCleanupParser();
	return rc;
}
