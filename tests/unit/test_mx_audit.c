/*
 * test_mx_audit.c -- each MX rule end to end through the zone backend
 * (testdata/zones): the facts the collector writes and the findings the
 * shipped policy draws from them. Plus the presentation escaping every
 * record goes through, and the IDNA2008 conversion of the audited name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "audit_internal.h"
#include "dnsaudit/dnsaudit.h"
#include "xpath_assert.h"
#include "zone_audit_fixture.h"

static size_t count_finding(const dnsaudit_report *r, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r); i++)
		n += strcmp(dnsaudit_report_finding_id(r, i), id) == 0;
	return n;
}

static void assert_value(const dnsaudit_report *r, const char *expr, const char *want)
{
	assert_xpath(r->doc, expr, want);
}

static void mx_good_has_no_mx_finding_and_sorted_hosts(void **state)
{
	dnsaudit_report *r = audit(state, "mx-good.example");

	size_t i;

	for (i = 0; i < dnsaudit_report_finding_count(r); i++)
		assert_string_not_equal(dnsaudit_report_finding_area(r, i), "mx");
	/* Published 20 first, shown sorted by preference. */
	assert_value(r, "/audit/mx/host[1]/@name", "mx1.mailhost.example.");
	assert_value(r, "/audit/mx/host[2]/@preference", "20");
	assert_value(r, "/audit/mx/host[1]/address[@family='ipv6']", "2001:db8::25");
	assert_value(r, "/audit/area[@name='mx']/@status", "ok");
	dnsaudit_report_free(r);
}

static void mx_missing_mentions_the_implicit_mx(void **state)
{
	dnsaudit_report *r = audit(state, "mx-missing.example");

	assert_int_equal(count_finding(r, "mx.missing"), 1);
	assert_value(r, "/audit/mx/@status", "nodata");
	assert_value(r, "/audit/mx/implicit/@addresses", "192.0.2.99 2001:db8::99");
	assert_value(r,
	             "contains(/audit/findings/finding[@id='mx.missing']/"
	             "explanation[@xml:lang='en'], '192.0.2.99')",
	             "true");
	dnsaudit_report_free(r);
}

static void mx_null_is_info_and_not_single_host(void **state)
{
	dnsaudit_report *r = audit(state, "mx-null.example");

	assert_int_equal(count_finding(r, "mx.null"), 1);
	assert_int_equal(count_finding(r, "mx.single-host"), 0);
	assert_int_equal(count_finding(r, "mx.unresolvable"), 0);
	assert_int_equal(dnsaudit_report_finding_severity(r, 0), DNSAUDIT_SEV_INFO);
	assert_int_equal(dnsaudit_report_score(r), 100);
	dnsaudit_report_free(r);
}

static void mx_cname_names_the_alias_target(void **state)
{
	dnsaudit_report *r = audit(state, "mx-cname.example");

	assert_int_equal(count_finding(r, "mx.cname"), 1);
	assert_int_equal(count_finding(r, "mx.single-host"), 1);
	assert_value(r, "/audit/mx/host/@alias-target", "mx1.mailhost.example.");
	assert_value(r, "/audit/mx/host/@resolved", "yes");
	dnsaudit_report_free(r);
}

static void mx_ip_literal_and_unresolvable(void **state)
{
	dnsaudit_report *r = audit(state, "mx-literal.example");

	assert_int_equal(count_finding(r, "mx.ip-literal"), 1);
	/* The literal is not also reported as unresolvable; ghost is. */
	assert_int_equal(count_finding(r, "mx.unresolvable"), 1);
	assert_value(r, "/audit/findings/finding[@id='mx.unresolvable']/title[@xml:lang='en']",
	             "Mail host ghost.mx-literal.example. has no address");
	/* Both fail: policy order decides (ip-literal comes first). */
	assert_string_equal(dnsaudit_report_finding_id(r, 0), "mx.ip-literal");
	dnsaudit_report_free(r);
}

static void mx_unresolvable_for_nxdomain_and_nodata(void **state)
{
	dnsaudit_report *r = audit(state, "mx-unresolvable.example");

	assert_int_equal(count_finding(r, "mx.unresolvable"), 2);
	assert_value(r, "/audit/mx/host[@name='noaddr.mx-unresolvable.example.']/answer[1]/@status",
	             "nodata");
	assert_value(r,
	             "/audit/mx/host[@name='nowhere.mx-unresolvable.example.']/answer[1]/@status",
	             "nxdomain");
	dnsaudit_report_free(r);
}

static void absent_domain_is_nxdomain_not_an_error(void **state)
{
	dnsaudit_report *r = audit(state, "no-such-domain.example");

	assert_int_equal(count_finding(r, "mx.missing"), 1);
	assert_int_equal(count_finding(r, "dns.nxdomain"), 1);
	assert_string_equal(dnsaudit_report_finding_id(r, 0), "dns.nxdomain");
	assert_value(r, "/audit/mx/@status", "nxdomain");
	assert_true(dnsaudit_report_answered(r));
	dnsaudit_report_free(r);
}

static void idn_domain_is_audited_in_a_labels(void **state)
{
	dnsaudit_report *r = audit(state, "Piñata.ES.");

	assert_string_equal(dnsaudit_report_domain(r), "xn--piata-pta.es");
	assert_string_equal(dnsaudit_report_domain_unicode(r), "piñata.es");
	assert_value(r, "count(/audit/mx/host)", "2");
	dnsaudit_report_free(r);
}

static void invalid_domain_names_are_refused(void **state)
{
	static const char *const bad[] = {"", "a..b", "-", "exa mple.com", "x\xff.com", "."};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dnsaudit_report *r = NULL;

		assert_int_equal(dnsaudit_audit_domain(&r, f->ctx, bad[i]), DNSAUDIT_EINVAL);
		assert_null(r);
		assert_non_null(strstr(dnsaudit_ctx_errmsg(f->ctx), "invalid domain name"));
	}
}

static void collection_takes_two_rounds(void **state)
{
	dnsaudit_report *r = audit(state, "demo.example");
	dnsaudit_session_stats st;

	dnsaudit_report_get_stats(r, &st);
	/*
	 * Round 1, all at once: MX, TXT and type SPF at the apex, every DKIM
	 * selector of the common list and the wildcard, _dmarc and the other
	 * neighbours. Round 2: both exchanges' A and AAAA, the apex A and AAAA
	 * (SPF "a"), the TXT of _spf.mailhost.example (SPF include), TLSA of each
	 * MX host. SPF's "mx" and the MX coverage checks reuse cached answers.
	 */
	assert_int_equal(st.rounds, 2);
	assert_true(st.queries > 10 && st.queries < 120);
	dnsaudit_report_free(r);
}

static void escape_keeps_utf8_and_escapes_the_rest(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		int quote;
		const char *want;
	} cases[] = {
	    {"plain", 5, 1, "plain"},
	    {"a\\b\"c", 5, 1, "a\\\\b\\\"c"},
	    {"a\\b\"c", 5, 0, "a\\\\b\"c"},
	    {"nul\0x", 5, 0, "nul\\000x"},
	    {"\x7f\x1f", 2, 0, "\\127\\031"},
	    {"pi\xc3\xb1"
	     "a",
	     5, 0,
	     "pi\xc3\xb1"
	     "a"},
	    {"\xff\xc3", 2, 0, "\\255\\195"},
	    {"\xc0\xaf", 2, 0, "\\192\\175"},               /* overlong */
	    {"\xed\xa0\x80", 3, 0, "\\237\\160\\128"},      /* surrogate */
	    {"\xef\xbf\xbe", 3, 0, "\\239\\191\\190"},      /* U+FFFE */
	    {"\xf0\x9f\x98\x80", 4, 0, "\xf0\x9f\x98\x80"}, /* emoji */
	    {"<&>", 3, 0, "<&>"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = dnsaudit_txt_escape((const unsigned char *)cases[i].in, cases[i].len,
		                                cases[i].quote);

		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void rendered_formats_are_complete(void **state)
{
	dnsaudit_report *r = audit(state, "mx-cname.example");
	char *out = NULL, want[64];
	size_t len = 0;

	assert_int_equal(dnsaudit_report_render(r, DNSAUDIT_FORMAT_JSON, "en", &out, &len), 0);
	assert_int_equal(strlen(out), len);
	snprintf(want, sizeof(want), "\"grade\":\"%s\",\"score\":%d", dnsaudit_report_grade(r),
	         dnsaudit_report_score(r));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"id\":\"mx.cname\""));
	assert_non_null(strstr(out, "\"es\":{\"title\":\"El servidor de correo"));
	free(out);
	assert_int_equal(dnsaudit_report_render(r, DNSAUDIT_FORMAT_TEXT, "es", &out, &len), 0);
	snprintf(want, sizeof(want), "Nota: %s (%d/100)", dnsaudit_report_grade(r),
	         dnsaudit_report_score(r));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "Solución: "));
	free(out);
	assert_int_equal(dnsaudit_report_render(r, DNSAUDIT_FORMAT_XML, "en", &out, &len), 0);
	assert_non_null(strstr(out, "<audit domain=\"mx-cname.example\""));
	free(out);
	dnsaudit_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mx_good_has_no_mx_finding_and_sorted_hosts),
	    cmocka_unit_test(mx_missing_mentions_the_implicit_mx),
	    cmocka_unit_test(mx_null_is_info_and_not_single_host),
	    cmocka_unit_test(mx_cname_names_the_alias_target),
	    cmocka_unit_test(mx_ip_literal_and_unresolvable),
	    cmocka_unit_test(mx_unresolvable_for_nxdomain_and_nodata),
	    cmocka_unit_test(absent_domain_is_nxdomain_not_an_error),
	    cmocka_unit_test(idn_domain_is_audited_in_a_labels),
	    cmocka_unit_test(invalid_domain_names_are_refused),
	    cmocka_unit_test(collection_takes_two_rounds),
	    cmocka_unit_test(escape_keeps_utf8_and_escapes_the_rest),
	    cmocka_unit_test(rendered_formats_are_complete),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, setup, teardown);
	xmlCleanupParser();
	return rc;
}
