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
#include "zone_audit_fixture.h"

static const char *const spf_prefix[] = {"spf.", NULL};

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

		ids_with_prefix(r, spf_prefix, got, sizeof(got));
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
