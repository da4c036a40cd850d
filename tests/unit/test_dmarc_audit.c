/*
 * test_dmarc_audit.c -- the DMARC area of `check` and the parked profile end
 * to end through the zone backend (testdata/zones/dmarc-*.zone, parked*):
 * exactly the dmarc.* and parked.* findings of each scenario, both discovery
 * methods in the facts, and the method switch of the ctx option.
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

static const char *const dmarc_prefixes[] = {"dmarc.", "parked.", NULL};

static void each_scenario_gives_exactly_its_findings(void **state)
{
	static const struct {
		const char *domain, *ids;
	} cases[] = {
	    {"good.dmarc-issues.example", ""},
	    {"dmarc-none.example", "dmarc.missing"},
	    /* RFC 9989: the duplicates are discarded and the walk goes on up to
	     * the organizational domain's record (mailauth vector
	     * multiple-records-at-author-then-walk). */
	    {"multiple.dmarc-issues.example",
	     "dmarc.discovery-mismatch dmarc.inherited dmarc.multiple"},
	    {"syntax.dmarc-issues.example", "dmarc.policy-none dmarc.syntax"},
	    {"none.dmarc-issues.example", "dmarc.policy-none"},
	    {"pct.dmarc-issues.example", "dmarc.pct-partial"},
	    {"norua.dmarc-issues.example", "dmarc.no-rua"},
	    {"extrua.dmarc-issues.example", "dmarc.rua-unauthorized"},
	    {"extok.dmarc-issues.example", ""},
	    /* The tree walk passes _dmarc.inh for the organizational domain's. */
	    {"sub.inh.dmarc-issues.example", "dmarc.inherited"},
	    {"spweak.dmarc-issues.example", "dmarc.sp-weaker"},
	    {"a.shop.mismatch-tld", "dmarc.discovery-mismatch dmarc.inherited"},
	    {"parked.example", ""},
	    {"parked-weak.example", "parked.dmarc-not-reject"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dnsaudit_report *r = audit(state, cases[i].domain);
		char got[512];

		ids_with_prefix(r, dmarc_prefixes, got, sizeof(got));
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].domain, got, cases[i].ids);
		dnsaudit_report_free(r);
	}
}

static void both_discoveries_are_in_the_facts(void **state)
{
	dnsaudit_report *r = audit(state, "a.shop.mismatch-tld");

	assert_xpath(r->doc, "string(/audit/dmarc/@spec)", "rfc9989");
	assert_xpath(r->doc, "string(/audit/dmarc/discovery[@spec='rfc9989']/@status)", "found");
	assert_xpath(r->doc, "string(/audit/dmarc/discovery[@spec='rfc9989']/@policy-domain)",
	             "mismatch-tld");
	assert_xpath(r->doc, "string(/audit/dmarc/discovery[@spec='rfc7489']/@status)", "none");
	assert_xpath(r->doc, "string(/audit/dmarc/discovery[@spec='rfc7489']/@org-domain)",
	             "shop.mismatch-tld");
	/* The exact queries of the tree walk, in order. */
	assert_xpath(r->doc, "string(/audit/dmarc/discovery[@spec='rfc9989']/query[1]/@name)",
	             "_dmarc.a.shop.mismatch-tld");
	assert_xpath(r->doc, "string(/audit/dmarc/discovery[@spec='rfc9989']/query[last()]/@name)",
	             "_dmarc.mismatch-tld");
	assert_xpath(r->doc, "string(/audit/dmarc/psl/@source)", "system");
	dnsaudit_report_free(r);
}

static void the_external_destination_names_the_query(void **state)
{
	dnsaudit_report *r = audit(state, "extrua.dmarc-issues.example");

	assert_xpath(r->doc, "string(/audit/dmarc/destination/@query)",
	             "extrua.dmarc-issues.example._report._dmarc.reports.dmarc-ext.example");
	assert_xpath(r->doc, "string(/audit/dmarc/destination/@status)", "nxdomain");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dmarc.rua-unauthorized']/"
	             "remediation[@xml:lang='en'], 'extrua.dmarc-issues.example._report._"
	             "dmarc.reports.dmarc-ext.example. 3600 IN TXT \"v=DMARC1\"')",
	             "true");
	dnsaudit_report_free(r);
}

static void a_locked_down_parked_domain_gets_an_a(void **state)
{
	dnsaudit_report *r = audit(state, "parked.example");

	assert_xpath(r->doc, "string(/audit/@profile)", "parked");
	assert_string_equal(dnsaudit_report_grade(r), "A");
	dnsaudit_report_free(r);
	r = audit(state, "demo.example");
	assert_xpath(r->doc, "string(/audit/@profile)", "default");
	dnsaudit_report_free(r);
}

static void the_rfc7489_method_can_be_chosen(void **state)
{
	struct fixture *f = *state;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_ctx *ctx = NULL;
	dnsaudit_report *r = NULL;
	char got[512];

	co.source = f->src;
	co.policy = f->policy;
	co.dmarc_spec = DNSAUDIT_DMARC_RFC7489;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), 0);
	assert_int_equal(dnsaudit_audit_domain(&r, ctx, "a.shop.mismatch-tld"), 0);
	assert_xpath(r->doc, "string(/audit/dmarc/@spec)", "rfc7489");
	ids_with_prefix(r, dmarc_prefixes, got, sizeof(got));
	assert_string_equal(got, "dmarc.discovery-mismatch dmarc.missing");
	dnsaudit_report_free(r);
	dnsaudit_ctx_free(ctx);
	co.dmarc_spec = (dnsaudit_dmarc_spec)7;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), DNSAUDIT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_scenario_gives_exactly_its_findings),
	    cmocka_unit_test(both_discoveries_are_in_the_facts),
	    cmocka_unit_test(the_external_destination_names_the_query),
	    cmocka_unit_test(a_locked_down_parked_domain_gets_an_a),
	    cmocka_unit_test(the_rfc7489_method_can_be_chosen),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, setup, teardown);
	xmlCleanupParser();
	return rc;
}
