/*
 * test_spf_audit.c -- the SPF area of `check` end to end through the zone
 * backend (testdata/zones/spf-*.zone): for each scenario, exactly the spf.*
 * findings the policy must draw, and the facts behind the lookup counts.
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

struct fixture {
	dnsaudit_source *src;
	dnsaudit_policy *policy;
	dnsaudit_ctx *ctx;
};

static int setup(void **state)
{
	static struct fixture f;
	const char *zones[] = {MAILAUDIT_TESTDATA "/zones"};
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_error err;

	so.zones = zones;
	so.zone_count = 1;
	if (dnsaudit_source_new(&f.src, &so, &err) != 0 || dnsaudit_policy_new(&f.policy) != 0 ||
	    dnsaudit_policy_add_file(f.policy, MAILAUDIT_BUILD_DATADIR "/default.xml", NULL, &err))
		return -1;
	co.source = f.src;
	co.policy = f.policy;
	*state = &f;
	return dnsaudit_ctx_new(&f.ctx, &co);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dnsaudit_ctx_free(f->ctx);
	dnsaudit_policy_free(f->policy);
	dnsaudit_source_free(f->src);
	return 0;
}

static dnsaudit_report *audit(void **state, const char *domain)
{
	struct fixture *f = *state;
	dnsaudit_report *r = NULL;

	if (dnsaudit_audit_domain(&r, f->ctx, domain) != 0)
		fail_msg("audit %s: %s", domain, dnsaudit_ctx_errmsg(f->ctx));
	return r;
}

/* The distinct spf.* finding ids of a report, sorted, space-separated. */
static void spf_ids(const dnsaudit_report *r, char *out, size_t len)
{
	const char *ids[64];
	size_t i, j, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r) && n < 64; i++) {
		const char *id = dnsaudit_report_finding_id(r, i);
		int seen = 0;

		for (j = 0; j < n; j++)
			seen |= strcmp(ids[j], id) == 0;
		if (!seen && strncmp(id, "spf.", 4) == 0)
			ids[n++] = id;
	}
	for (i = 1; i < n; i++) /* insertion sort: a handful of ids */
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", ids[i]);
}

static void each_scenario_gives_exactly_its_findings(void **state)
{
	static const struct {
		const char *domain, *ids;
	} cases[] = {
	    {"spf-good.example", ""},
	    {"missing.spf-issues.example", "spf.missing"},
	    {"multiple.spf-issues.example", "spf.multiple"},
	    {"syntax.spf-issues.example", "spf.syntax"},
	    {"toomany.spf-issues.example", "spf.lookups-exceeded"},
	    {"void.spf-issues.example", "spf.void-lookups-exceeded"},
	    {"allpass.spf-issues.example", "spf.all-pass"},
	    {"neutral.spf-issues.example", "spf.all-neutral"},
	    {"noall.spf-issues.example", "spf.all-neutral"},
	    {"softfail.spf-issues.example", "spf.softfail"},
	    {"ptr.spf-issues.example", "spf.ptr"},
	    {"incmissing.spf-issues.example", "spf.include-missing"},
	    {"deprecated.spf-issues.example", "spf.deprecated-rr"},
	    {"uncovered.spf-issues.example", "spf.mx-not-covered"},
	    {"split.spf-issues.example", "spf.split-string"},
	    {"toolong.spf-issues.example", "spf.too-long"},
	    {"loop.spf-issues.example", "spf.include-loop"},
	    {"redirect.spf-issues.example", "spf.softfail"}, /* the redirect target ends ~all */
	    {"demo.example", "spf.softfail"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dnsaudit_report *r = audit(state, cases[i].domain);
		char got[512];

		spf_ids(r, got, sizeof(got));
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].domain, got, cases[i].ids);
		dnsaudit_report_free(r);
	}
}

static void lookups_are_counted_through_includes(void **state)
{
	dnsaudit_report *r = audit(state, "toomany.spf-issues.example");

	/* include deep (1) + 2 x include deep2 (2) + 4 x include deep3 (4) + 8 x a (8) */
	assert_xpath(r->doc, "string(/audit/spf/@lookups)", "15");
	assert_xpath(r->doc, "count(/audit/spf//term[@over-limit='true'])", "1");
	assert_xpath(r->doc, "string(/audit/spf//term[@over-limit='true']/@text)",
	             "a:host1.spf-provider-a.example");
	dnsaudit_report_free(r);
	r = audit(state, "spf-good.example");
	/* mx (1) + include a (1) + include b (1) */
	assert_xpath(r->doc, "string(/audit/spf/@lookups)", "3");
	assert_xpath(r->doc, "string(/audit/spf/node/term[2]/node/term[2]/node/@domain)",
	             "_spf.spf-provider-b.example");
	assert_xpath(r->doc, "string(/audit/spf/node/term[1]/address[. = '192.0.2.25/32'])",
	             "192.0.2.25/32");
	assert_xpath(r->doc, "count(/audit/spf/mx-check[@result='pass'])", "2");
	dnsaudit_report_free(r);
}

static void the_finding_names_the_term_to_blame(void **state)
{
	dnsaudit_report *r = audit(state, "syntax.spf-issues.example");

	assert_xpath(r->doc, "string(/audit/spf/node/@error-position)", "7");
	assert_xpath(
	    r->doc,
	    "contains(/audit/findings/finding[@id='spf.syntax']/explanation[@xml:lang='en'],"
	    " 'position 7')",
	    "true");
	dnsaudit_report_free(r);
	r = audit(state, "incmissing.spf-issues.example");
	assert_xpath(r->doc, "string(/audit/findings/finding[@id='spf.include-missing']/title[1])",
	             "SPF includes nothing-here.spf-issues.example, which has no SPF record");
	dnsaudit_report_free(r);
}

static void split_strings_are_shown_as_published(void **state)
{
	dnsaudit_report *r = audit(state, "split.spf-issues.example");

	assert_xpath(r->doc, "string(/audit/spf/split-record)", "\"v=spf1\" \"-all\"");
	assert_xpath(r->doc, "string(/audit/spf/@records)", "0");
	dnsaudit_report_free(r);
}

static void hostile_sizes_stay_bounded(void **state)
{
	dnsaudit_report *r = audit(state, "spf-hostile.example");
	dnsaudit_session_stats st;

	dnsaudit_report_get_stats(r, &st);
	/* A thousand includes: the walk stops at its bound, and says so. */
	assert_xpath(r->doc, "string(/audit/spf/@truncated)", "true");
	assert_xpath(r->doc, "string(/audit/spf/@lookups > 10)", "true");
	assert_true(st.queries < 400);
	/* 50 MX hosts: every one shown, the coverage checks capped. */
	assert_xpath(r->doc, "count(/audit/mx/host)", "50");
	assert_xpath(r->doc, "count(/audit/spf/mx-check) <= 32", "true");
	dnsaudit_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_scenario_gives_exactly_its_findings),
	    cmocka_unit_test(lookups_are_counted_through_includes),
	    cmocka_unit_test(the_finding_names_the_term_to_blame),
	    cmocka_unit_test(split_strings_are_shown_as_published),
	    cmocka_unit_test(hostile_sizes_stay_bounded),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, setup, teardown);
	xmlCleanupParser();
	return rc;
}
