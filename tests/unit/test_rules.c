/*
 * test_rules.c -- the policy engine: loading (errors located), rules over a
 * hand-written facts document (one finding per node, placeholders, areas
 * that are inconclusive), scoring and grade bands, overriding by id, and the
 * shipped policy's completeness in both languages.
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
#include "dnsaudit/policy.h"
#include "xpath_assert.h"

#define TMP MAILAUDIT_TEST_TMPDIR "/rules-"

static const char *const policy_head =
    "<policy><grading><band grade='A' min='90'/><band grade='B' min='70'/>"
    "<band grade='F' min='0'/></grading>";

static char *write_tmp(const char *name, const char *body)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), TMP "%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	return path;
}

static dnsaudit_policy *load(const char *body, int expect_rc, dnsaudit_error *err)
{
	dnsaudit_policy *p = NULL;
	char *path = write_tmp("p.xml", body);

	memset(err, 0, sizeof(*err));
	assert_int_equal(dnsaudit_policy_new(&p), 0);
	assert_int_equal(dnsaudit_policy_add_file(p, path, NULL, err), expect_rc);
	return p;
}

static const char *const facts =
    "<audit domain='shop.example'>"
    "<area name='mx' status='ok'/><area name='spf' status='inconclusive' reason='timeout'/>"
    "<mx status='ok'><host name='a.example.' alias='true' preference='10'/>"
    "<host name='b.example.' alias='true' preference='20'/>"
    "<host name='c.example.' alias='false' preference='30'/></mx>"
    "<spf status='timeout'/></audit>";

static xmlDocPtr apply(const char *policy_body, dnsaudit_policy **pout)
{
	dnsaudit_error err;
	xmlDocPtr doc = xmlReadMemory(facts, (int)strlen(facts), NULL, NULL, 0);

	*pout = load(policy_body, 0, &err);
	assert_non_null(doc);
	assert_int_equal(dnsaudit__rules_apply(*pout, doc, &err), 0);
	return doc;
}

static char *policy_with(const char *rules)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), "%s%s</policy>", policy_head, rules);
	return buf;
}

static void each_selected_node_is_one_finding_with_placeholders(void **state)
{
	dnsaudit_policy *p;
	xmlDocPtr doc =
	    apply(policy_with("<rule id='mx.cname' area='mx' severity='warn' weight='5' "
	                      "test='/audit/mx/host[@alias=\"true\"]'>"
	                      "<title xml:lang='en'>Host {@name} ({@preference}) {{x}}</title>"
	                      "<title xml:lang='es'>Servidor {@name}</title></rule>"),
	          &p);

	(void)state;
	assert_xpath(doc, "count(/audit/findings/finding[@id='mx.cname'])", "2");
	assert_xpath(doc, "/audit/findings/finding[1]/title[@xml:lang='en']",
	             "Host a.example. (10) {x}");
	assert_xpath(doc, "/audit/findings/finding[2]/title[@xml:lang='es']",
	             "Servidor b.example.");
	assert_xpath(doc, "/audit/findings/finding[1]/@severity", "warn");
	/* The weight counts once however many hosts matched. */
	assert_xpath(doc, "/audit/@score", "95");
	assert_xpath(doc, "/audit/@grade", "A");
	xmlFreeDoc(doc);
	dnsaudit_policy_free(p);
}

static void rules_of_an_inconclusive_area_do_not_fire(void **state)
{
	dnsaudit_policy *p;
	xmlDocPtr doc = apply(policy_with("<rule id='spf.missing' area='spf' severity='fail' "
	                                  "weight='40' test=\"/audit/spf[@status!='ok']\"/>"
	                                  "<rule id='mx.any' area='mx' severity='info' weight='0' "
	                                  "test='count(/audit/mx/host) = 3'/>"),
	                      &p);

	(void)state;
	assert_xpath(doc, "count(/audit/findings/finding[@id='spf.missing'])", "0");
	/* A boolean test gives one finding. */
	assert_xpath(doc, "count(/audit/findings/finding[@id='mx.any'])", "1");
	assert_xpath(doc, "/audit/@score", "100");
	xmlFreeDoc(doc);
	dnsaudit_policy_free(p);
}

static void findings_are_worst_first_and_grade_follows_bands(void **state)
{
	dnsaudit_policy *p;
	xmlDocPtr doc = apply(
	    policy_with("<rule id='x.info' area='mx' severity='info' weight='0' test='true()'/>"
	                "<rule id='x.warn' area='mx' severity='warn' weight='10' test='true()'/>"
	                "<rule id='x.fail' area='mx' severity='fail' weight='15' test='true()'/>"
	                "<rule id='x.never' area='mx' severity='fail' weight='50' "
	                "test='false()'/>"),
	    &p);

	(void)state;
	assert_xpath(doc, "/audit/findings/finding[1]/@id", "x.fail");
	assert_xpath(doc, "/audit/findings/finding[2]/@id", "x.warn");
	assert_xpath(doc, "/audit/findings/finding[3]/@id", "x.info");
	assert_xpath(doc, "/audit/@score", "75");
	assert_xpath(doc, "/audit/@grade", "B");
	xmlFreeDoc(doc);
	dnsaudit_policy_free(p);
}

static void score_never_goes_below_zero(void **state)
{
	dnsaudit_policy *p;
	xmlDocPtr doc = apply(
	    policy_with("<rule id='x.a' area='mx' severity='fail' weight='80' test='true()'/>"
	                "<rule id='x.b' area='mx' severity='fail' weight='80' test='true()'/>"),
	    &p);

	(void)state;
	assert_xpath(doc, "/audit/@score", "0");
	assert_xpath(doc, "/audit/@grade", "F");
	xmlFreeDoc(doc);
	dnsaudit_policy_free(p);
}

static void a_later_file_overrides_a_rule_by_id(void **state)
{
	dnsaudit_policy *p = NULL;
	dnsaudit_error err;
	char first[8192], *path;
	int min = -1;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(dnsaudit_policy_new(&p), 0);
	snprintf(first, sizeof(first), "%s",
	         policy_with("<rule id='x.a' area='mx' severity='info' "
	                     "weight='0' test='true()'/>"));
	path = write_tmp("a.xml", first);
	assert_int_equal(dnsaudit_policy_add_file(p, path, NULL, &err), 0);
	path = write_tmp("b.xml", "<policy><rule id='x.a' area='mx' severity='fail' weight='30' "
	                          "test='true()'/><rule id='x.b' area='mx' severity='info' "
	                          "weight='0' test='false()'/></policy>");
	assert_int_equal(dnsaudit_policy_add_file(p, path, NULL, &err), 0);
	assert_int_equal(dnsaudit_policy_rule_count(p), 2);
	assert_string_equal(dnsaudit_policy_rule_id(p, 0), "x.a");
	assert_int_equal(dnsaudit_policy_grade_min(p, "B", &min), 0);
	assert_int_equal(min, 70);
	assert_int_equal(dnsaudit_policy_grade_min(p, "Q", &min), DNSAUDIT_EINVAL);
	dnsaudit_policy_free(p);
}

static void bad_xpath_is_reported_with_file_line_and_rule(void **state)
{
	dnsaudit_error err;
	dnsaudit_policy *p = load(policy_with("\n\n<rule id='x.bad' area='mx' severity='info' "
	                                      "weight='0' test='/audit/mx[@'/>"),
	                          DNSAUDIT_EINVAL, &err);

	(void)state;
	assert_non_null(strstr(err.message, "rules-p.xml:3:"));
	assert_non_null(strstr(err.message, "rule x.bad"));
	assert_non_null(strstr(err.message, "XPath"));
	assert_non_null(strstr(err.message, "invalid expression at character"));
	dnsaudit_policy_free(p);
}

static void malformed_policies_are_refused(void **state)
{
	static const char *const bad[] = {
	    "<policy><rule id='x' area='mx' severity='info' weight='0' test='true()'/>",
	    "<policy><grading><band grade='A' min='90'/></grading></policy>",
	    "<nonsense/>",
	    "<policy><grading><band grade='F' min='0'/></grading><rule id='x.y' area='mx' "
	    "severity='critical' weight='0' test='true()'/></policy>",
	    "<policy><grading><band grade='F' min='0'/></grading><rule id='x.y' area='mx' "
	    "severity='info' weight='101' test='true()'/></policy>",
	    "<policy><grading><band grade='F' min='0'/></grading><rule id='x.y' area='mx' "
	    "severity='info' weight='1' test='true()'><title>no lang</title></rule></policy>",
	    "<policy><grading><band grade='F' min='0'/></grading><rule id='x.y' area='mx' "
	    "severity='info' weight='1' test='true()'><title xml:lang='en'>{@a</title>"
	    "</rule></policy>",
	    "<policy><grading><band grade='F' min='0'/></grading><rule id='x.y' area='mx' "
	    "severity='info' weight='1'/></policy>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dnsaudit_error err;
		dnsaudit_policy *p = load(bad[i], DNSAUDIT_EINVAL, &err);

		assert_non_null(strstr(err.message, "rules-p.xml"));
		dnsaudit_policy_free(p);
	}
}

static void an_external_entity_is_not_expanded(void **state)
{
	dnsaudit_error err;
	dnsaudit_policy *p;
	char body[1024];

	(void)state;
	snprintf(body, sizeof(body),
	         "<?xml version='1.0'?><!DOCTYPE policy [<!ENTITY x SYSTEM '/etc/passwd'>]>%s"
	         "<rule id='x.e' area='mx' severity='info' weight='0' test='true()'>"
	         "<title xml:lang='en'>&x;</title></rule></policy>",
	         policy_head);
	p = load(body, 0, &err);
	{
		xmlDocPtr doc = xmlReadMemory(facts, (int)strlen(facts), NULL, NULL, 0);

		assert_int_equal(dnsaudit__rules_apply(p, doc, &err), 0);
		assert_xpath(doc, "contains(/audit/findings/finding/title, 'root:')", "false");
		xmlFreeDoc(doc);
	}
	dnsaudit_policy_free(p);
}

static void shipped_policies_have_every_text_in_english_and_spanish(void **state)
{
	static const char *const files[] = {"default.xml", "example-provider.xml"};
	size_t f, i;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[512];
		dnsaudit_policy *p = NULL;
		dnsaudit_error err;

		snprintf(path, sizeof(path), "%s/%s", MAILAUDIT_BUILD_DATADIR, files[f]);
		assert_int_equal(dnsaudit_policy_new(&p), 0);
		if (f > 0) {
			char def[512];

			snprintf(def, sizeof(def), "%s/default.xml", MAILAUDIT_BUILD_DATADIR);
			assert_int_equal(dnsaudit_policy_add_file(p, def, NULL, &err), 0);
		}
		memset(&err, 0, sizeof(err));
		assert_int_equal(
		    dnsaudit_policy_add_file(p, path, MAILAUDIT_BUILD_DATADIR "/policy.xsd", &err),
		    0);
		assert_true(dnsaudit_policy_rule_count(p) > 0);
		for (i = 0; i < dnsaudit_policy_rule_count(p); i++) {
			char *missing = dnsaudit_policy_rule_missing_texts(p, i, "en,es");

			if (missing != NULL)
				fail_msg("%s: rule %s lacks %s", files[f],
				         dnsaudit_policy_rule_id(p, i), missing);
		}
		dnsaudit_policy_free(p);
	}
}

static void the_first_matching_profile_selects_the_rules(void **state)
{
	dnsaudit_policy *p;
	xmlDocPtr doc = apply(
	    policy_with("<profile name='parked' select=\"/audit/mx[@status='none']\"/>"
	                "<profile name='multi' select='count(/audit/mx/host) &gt; 2'/>"
	                "<profile name='also' select='true()'/>"
	                "<rule id='x.default' area='mx' severity='warn' weight='10' "
	                "profiles='default' test='true()'/>"
	                "<rule id='x.multi' area='mx' severity='warn' weight='5' "
	                "profiles='parked multi' test='true()'/>"
	                "<rule id='x.all' area='mx' severity='info' weight='0' test='true()'/>"
	                "<rule id='x.prefix' area='mx' severity='info' weight='0' "
	                "profiles='multiple mult' test='true()'/>"),
	    &p);

	(void)state;
	/* parked does not match; multi does, before also. */
	assert_xpath(doc, "/audit/@profile", "multi");
	assert_xpath(doc, "count(/audit/findings/finding[@id='x.default'])", "0");
	assert_xpath(doc, "count(/audit/findings/finding[@id='x.multi'])", "1");
	assert_xpath(doc, "count(/audit/findings/finding[@id='x.all'])", "1");
	/* Names are matched whole: "multiple" and "mult" are not "multi". */
	assert_xpath(doc, "count(/audit/findings/finding[@id='x.prefix'])", "0");
	assert_xpath(doc, "/audit/@score", "95");
	xmlFreeDoc(doc);
	dnsaudit_policy_free(p);
}

static void without_a_matching_profile_the_audit_is_default(void **state)
{
	dnsaudit_policy *p;
	xmlDocPtr doc = apply(policy_with("<profile name='parked' select='false()'/>"
	                                  "<rule id='x.default' area='mx' severity='warn' "
	                                  "weight='10' profiles='default' test='true()'/>"),
	                      &p);

	(void)state;
	assert_xpath(doc, "/audit/@profile", "default");
	assert_xpath(doc, "count(/audit/findings/finding[@id='x.default'])", "1");
	xmlFreeDoc(doc);
	dnsaudit_policy_free(p);
}

static void missing_texts_are_named(void **state)
{
	dnsaudit_error err;
	dnsaudit_policy *p = load(policy_with("<rule id='x.t' area='mx' severity='info' weight='0' "
	                                      "test='true()'><title xml:lang='en'>t</title>"
	                                      "</rule>"),
	                          0, &err);
	char *missing = dnsaudit_policy_rule_missing_texts(p, 0, "en,es");

	(void)state;
	assert_non_null(missing);
	assert_non_null(strstr(missing, "title@es"));
	assert_non_null(strstr(missing, "remediation@en"));
	assert_null(strstr(missing, "title@en"));
	free(missing);
	dnsaudit_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_selected_node_is_one_finding_with_placeholders),
	    cmocka_unit_test(rules_of_an_inconclusive_area_do_not_fire),
	    cmocka_unit_test(findings_are_worst_first_and_grade_follows_bands),
	    cmocka_unit_test(score_never_goes_below_zero),
	    cmocka_unit_test(a_later_file_overrides_a_rule_by_id),
	    cmocka_unit_test(bad_xpath_is_reported_with_file_line_and_rule),
	    cmocka_unit_test(malformed_policies_are_refused),
	    cmocka_unit_test(an_external_entity_is_not_expanded),
	    cmocka_unit_test(shipped_policies_have_every_text_in_english_and_spanish),
	    cmocka_unit_test(missing_texts_are_named),
	    cmocka_unit_test(the_first_matching_profile_selects_the_rules),
	    cmocka_unit_test(without_a_matching_profile_the_audit_is_default),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
