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

/* The distinct dmarc.* and parked.* finding ids of a report, sorted, space-separated. */
static void prefixed_ids(const dnsaudit_report *r, char *out, size_t len)
{
	const char *ids[64];
	size_t i, j, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r) && n < 64; i++) {
		const char *id = dnsaudit_report_finding_id(r, i);
		int seen = 0;

		for (j = 0; j < n; j++)
			seen |= strcmp(ids[j], id) == 0;
		if (!seen && (strncmp(id, "dmarc.", 6) == 0 || strncmp(id, "parked.", 7) == 0))
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

		prefixed_ids(r, got, sizeof(got));
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
	prefixed_ids(r, got, sizeof(got));
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
