/*
 * test_dkim_audit.c -- the dkim area of `check` end to end through the zone
 * backend (testdata/zones/dkim-*.zone): for each scenario, with and without
 * --selector, exactly the dkim.* findings the policy must draw; the facts
 * behind them (aliases, the wildcard, counts); one round for every lookup;
 * and lookups that fail leaving the area inconclusive, never "missing".
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
	char **common;
	size_t ncommon;
};

static int setup(void **state)
{
	static struct fixture f;
	const char *zones[] = {MAILAUDIT_TESTDATA "/zones"};
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	dnsaudit_error err;

	so.zones = zones;
	so.zone_count = 1;
	if (dnsaudit_source_new(&f.src, &so, &err) != 0 || dnsaudit_policy_new(&f.policy) != 0 ||
	    dnsaudit_policy_add_file(f.policy, MAILAUDIT_BUILD_DATADIR "/default.xml",
	                             MAILAUDIT_BUILD_DATADIR "/policy.xsd", &err) != 0 ||
	    dnsaudit_selectors_load(&f.common, &f.ncommon,
	                            MAILAUDIT_BUILD_DATADIR "/dkim-selectors.txt", &err) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dnsaudit_selectors_free(f->common, f->ncommon);
	dnsaudit_policy_free(f->policy);
	dnsaudit_source_free(f->src);
	return 0;
}

/* Audit with the shipped common list and `sel` ("" = none, else one selector). */
static dnsaudit_report *audit_with(void **state, const char *domain, const char *sel, int guess)
{
	struct fixture *f = *state;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_ctx *ctx = NULL;
	dnsaudit_report *r = NULL;

	co.source = f->src;
	co.policy = f->policy;
	co.selectors = &sel;
	co.selector_count = *sel ? 1 : 0;
	co.common_selectors = (const char *const *)f->common;
	co.common_selector_count = guess ? f->ncommon : 0;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), 0);
	if (dnsaudit_audit_domain(&r, ctx, domain) != 0)
		fail_msg("audit %s: %s", domain, dnsaudit_ctx_errmsg(ctx));
	dnsaudit_ctx_free(ctx);
	return r;
}

static dnsaudit_report *audit(void **state, const char *domain, const char *sel)
{
	return audit_with(state, domain, sel, 1);
}

/* The distinct dkim.* finding ids of a report, sorted, space-separated. */
static void dkim_ids(const dnsaudit_report *r, char *out, size_t len)
{
	const char *ids[64];
	size_t i, j, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r) && n < 64; i++) {
		const char *id = dnsaudit_report_finding_id(r, i);
		int seen = 0;

		for (j = 0; j < n; j++)
			seen |= strcmp(ids[j], id) == 0;
		if (!seen && strncmp(id, "dkim.", 5) == 0)
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
		const char *domain, *selector, *ids;
	} cases[] = {
	    {"dkim-good.example", "", ""},
	    {"short.dkim-keys.example", "", "dkim.key-too-short"},
	    {"key1024.dkim-keys.example", "", "dkim.key-1024"},
	    {"key4096.dkim-keys.example", "", ""},
	    {"revoked.dkim-keys.example", "", "dkim.key-revoked"},
	    {"testing.dkim-keys.example", "", "dkim.key-testing"},
	    {"sha1.dkim-keys.example", "", "dkim.sha1"},
	    {"syntax.dkim-keys.example", "", "dkim.key-syntax"},
	    {"edspki.dkim-keys.example", "", "dkim.key-syntax"},
	    {"eckey.dkim-keys.example", "", "dkim.key-syntax"},
	    {"ed25519.dkim-keys.example", "", ""},
	    {"pkcs1.dkim-keys.example", "", ""},
	    {"twokeys.dkim-keys.example", "", ""},
	    {"nokey.dkim-keys.example", "", "dkim.no-key-found"},
	    {"mx-good.example", "", "dkim.no-key-found"},
	    /* A key nobody guesses: only --selector finds it. */
	    {"explicit.dkim-keys.example", "", "dkim.no-key-found"},
	    {"explicit.dkim-keys.example", "custom2026", ""},
	    {"explicit.dkim-keys.example", "CUSTOM2026", ""},
	    {"explicit.dkim-keys.example", "missing", "dkim.selector-missing"},
	    /* A named selector that is also a common one is reported once. */
	    {"short.dkim-keys.example", "default", "dkim.key-too-short"},
	    /* The domain's wildcard TXT is not a broken key at every guess... */
	    {"spfwild.dkim-keys.example", "", "dkim.no-key-found"},
	    /* ...but a named selector reads it as what it is: not a key record. */
	    {"spfwild.dkim-keys.example", "s1", "dkim.key-syntax"},
	    {"hostile.dkim-keys.example", "", "dkim.key-syntax"},
	    /* Parked: the wildcard revokes every selector; guesses find nothing of their own. */
	    /* parked (null MX, SPF -all, only a revoked wildcard key): the parked
	     * profile has no DKIM requirement, so neither finding applies. */
	    {"dkim-parked.example", "", ""},
	    {"dkim-parked.example", "default", ""},
	    /* Delegated by CNAME: followed to the provider's key; a dangling guess is no finding.
	     */
	    {"dkim-delegated.example", "", ""},
	    {"dkim-delegated.example", "s2", "dkim.selector-missing"},
	    /* Failed lookups: inconclusive, so no dkim finding at all. */
	    {"failing.dkim-keys.example", "broken", ""},
	    {"allfail.dkim-keys.example", "", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dnsaudit_report *r = audit(state, cases[i].domain, cases[i].selector);
		char got[512];

		dkim_ids(r, got, sizeof(got));
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("%s --selector '%s': got [%s], want [%s]", cases[i].domain,
			         cases[i].selector, got, cases[i].ids);
		dnsaudit_report_free(r);
	}
}

static void found_keys_are_described(void **state)
{
	dnsaudit_report *r = audit(state, "dkim-good.example", "");

	assert_xpath(r->doc, "string(/audit/dkim/@status)", "ok");
	assert_xpath(r->doc, "string(/audit/dkim/@guessed)", "true");
	assert_xpath(r->doc, "string(/audit/area[@name='dkim']/@status)", "ok");
	assert_xpath(r->doc, "count(/audit/dkim/selector)", "2");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector1']/key/@bits)", "2048");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector1']/@source)", "common");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector2']/key/@type)",
	             "ed25519");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector2']/key/@format)", "raw");
	assert_xpath(r->doc, "string(/audit/dkim/@keys-found)", "2");
	assert_xpath(r->doc, "string(/audit/dkim/@active-keys)", "2");
	/* Guesses that found nothing are counted, not listed. */
	assert_xpath(r->doc, "/audit/dkim/@common-tried = /audit/dkim/@common-absent + 2", "true");
	assert_xpath(r->doc, "string(/audit/dkim/@wildcard-revoked)", "false");
	assert_xpath(r->doc, "string(/audit/dkim/wildcard/@status)", "nxdomain");
	dnsaudit_report_free(r);

	r = audit(state, "twokeys.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@keys)", "2");
	/* Record order is the server's: look for each. */
	assert_xpath(r->doc, "count(/audit/dkim/selector/key[@bits = 2048])", "1");
	assert_xpath(r->doc, "count(/audit/dkim/selector/key[@bits = 1536])", "1");
	dnsaudit_report_free(r);

	r = audit(state, "pkcs1.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@format)", "pkcs1");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@bits)", "2048");
	dnsaudit_report_free(r);

	r = audit(state, "key4096.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@bits)", "4096");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@hashes)", "sha256");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@services)", "email");
	dnsaudit_report_free(r);
}

static void named_selectors_are_always_listed(void **state)
{
	dnsaudit_report *r = audit(state, "explicit.dkim-keys.example", "missing");

	assert_xpath(r->doc, "string(/audit/dkim/@guessed)", "false");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@name)", "missing");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@source)", "explicit");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@status)", "nxdomain");
	assert_xpath(r->doc, "string(/audit/dkim/selector/answer/@qname)",
	             "missing._domainkey.explicit.dkim-keys.example.");
	assert_xpath(r->doc,
	             "string(/audit/findings/finding[@id='dkim.selector-missing']/title[1])",
	             "DKIM selector missing has no key");
	dnsaudit_report_free(r);
	r = audit(state, "explicit.dkim-keys.example", "CUSTOM2026");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@name)", "custom2026");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@bits)", "2048");
	dnsaudit_report_free(r);
}

static void findings_name_the_record_and_the_fix(void **state)
{
	dnsaudit_report *r = audit(state, "syntax.dkim-keys.example", "");

	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@error-position)", "7");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@error-kind)", "syntax");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dkim.key-syntax']/"
	             "explanation[@xml:lang='en'], 'at position 7: v= must be the first tag')",
	             "true");
	dnsaudit_report_free(r);

	r = audit(state, "short.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/findings/finding[@id='dkim.key-too-short']/title[1])",
	             "DKIM key default is only 512 bits");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dkim.key-too-short']/"
	             "remediation[@xml:lang='en'], 'opendkim-genkey -b 2048 -s default-2048 -d "
	             "short.dkim-keys.example, publish default-2048._domainkey.short.dkim-keys."
	             "example. 3600 IN TXT \"v=DKIM1; k=rsa; p=<your new public key>\"')",
	             "true");
	/* Not delegated: no provider sentence. */
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dkim.key-too-short']/remediation[1],"
	             " 'CNAME')",
	             "false");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dkim.key-too-short']/"
	             "remediation[@xml:lang='es'], 'su nueva clave pública')",
	             "true");
	dnsaudit_report_free(r);

	r = audit(state, "sha1.dkim-keys.example", "");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dkim.sha1']/explanation[1], 'h=sha1:')",
	             "true");
	dnsaudit_report_free(r);

	r = audit(state, "edspki.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@error-kind)", "key");
	assert_xpath(r->doc, "string(/audit/dkim/selector/key/@error-position)", "22");
	assert_xpath(r->doc, "contains(/audit/dkim/selector/key/@syntax-error, '32-byte raw')",
	             "true");
	dnsaudit_report_free(r);
}

static void aliases_are_followed_and_shown(void **state)
{
	dnsaudit_report *r = audit(state, "dkim-delegated.example", "");

	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector1']/@alias)", "true");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector1']/@alias-target)",
	             "selector1-dkim-delegated-example._domainkey.dkim-provider.example.");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='selector1']/key/@bits)", "2048");
	assert_xpath(r->doc, "count(/audit/dkim/selector[@name='selector1']/answer/cname)", "1");
	/* A guess that is a dangling alias is shown: the domain published it. */
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='s2']/@status)", "nxdomain");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='s2']/@keys)", "0");
	assert_xpath(r->doc, "string(/audit/dkim/selector[@name='s2']/@alias-target)",
	             "gone-dkim-delegated-example._domainkey.dkim-provider.example.");
	dnsaudit_report_free(r);
	r = audit(state, "dkim-delegated.example", "s2");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='dkim.selector-missing']/"
	             "explanation[1], '(an alias of gone-dkim-delegated-example')",
	             "true");
	dnsaudit_report_free(r);
}

static void the_wildcard_is_reported_not_its_echoes(void **state)
{
	dnsaudit_report *r = audit(state, "dkim-parked.example", "");

	assert_xpath(r->doc, "string(/audit/dkim/@wildcard-revoked)", "true");
	assert_xpath(r->doc, "string(/audit/dkim/wildcard/@status)", "ok");
	assert_xpath(r->doc, "string(/audit/dkim/wildcard/key/@revoked)", "true");
	assert_xpath(r->doc, "count(/audit/dkim/selector)", "0");
	assert_xpath(r->doc, "/audit/dkim/@wildcard-matches = /audit/dkim/@common-tried", "true");
	assert_xpath(r->doc, "string(/audit/dkim/@keys-found)", "0");
	/* No key but a revoked one: graded as parked, as mail-less domains should be. */
	assert_xpath(r->doc, "string(/audit/@profile)", "parked");
	dnsaudit_report_free(r);
	r = audit(state, "dkim-parked.example", "default");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@matches-wildcard)", "true");
	assert_xpath(r->doc, "string(/audit/dkim/@active-keys)", "0");
	dnsaudit_report_free(r);
	r = audit(state, "spfwild.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/dkim/@wildcard-revoked)", "false");
	assert_xpath(r->doc, "count(/audit/dkim/selector)", "0");
	dnsaudit_report_free(r);
}

static void failures_make_the_area_inconclusive(void **state)
{
	dnsaudit_report *r = audit(state, "failing.dkim-keys.example", "broken");

	assert_xpath(r->doc, "string(/audit/area[@name='dkim']/@status)", "inconclusive");
	assert_xpath(r->doc, "string(/audit/area[@name='dkim']/@reason)", "servfail");
	assert_xpath(r->doc, "string(/audit/dkim/@status)", "servfail");
	assert_xpath(r->doc, "string(/audit/dkim/selector/@status)", "servfail");
	dnsaudit_report_free(r);
	r = audit(state, "allfail.dkim-keys.example", "");
	assert_xpath(r->doc, "string(/audit/area[@name='dkim']/@status)", "inconclusive");
	assert_xpath(r->doc, "/audit/dkim/@common-failed = /audit/dkim/@common-tried", "true");
	dnsaudit_report_free(r);
	/* Some guesses failing is not enough: the others still answered. */
	r = audit(state, "dkim-good.example", "");
	assert_xpath(r->doc, "string(/audit/dkim/@common-failed)", "0");
	dnsaudit_report_free(r);
}

static void every_lookup_goes_in_one_round(void **state)
{
	dnsaudit_report *with = audit(state, "dkim-good.example", "custom");
	dnsaudit_report *without = audit_with(state, "dkim-good.example", "", 0);
	dnsaudit_session_stats a, b;

	dnsaudit_report_get_stats(with, &a);
	dnsaudit_report_get_stats(without, &b);
	/* 50-odd selectors and the wildcard cost questions, never a round. */
	assert_int_equal(a.rounds, b.rounds);
	assert_true(a.queries > b.queries + 40);
	dnsaudit_report_free(with);
	dnsaudit_report_free(without);
}

static void nothing_to_try_draws_no_finding(void **state)
{
	dnsaudit_report *r = audit_with(state, "nokey.dkim-keys.example", "", 0);
	char got[256];

	dkim_ids(r, got, sizeof(got));
	assert_string_equal(got, "");
	assert_xpath(r->doc, "string(/audit/dkim/@common-tried)", "0");
	dnsaudit_report_free(r);
}

static void hostile_records_stay_well_formed(void **state)
{
	dnsaudit_report *r = audit(state, "hostile.dkim-keys.example", "");
	char *xml = NULL, *json = NULL;
	size_t len = 0, jlen = 0;
	xmlDocPtr back;

	assert_int_equal(dnsaudit_report_render(r, DNSAUDIT_FORMAT_XML, "en", &xml, &len), 0);
	back = xmlReadMemory(xml, (int)len, "hostile.xml", NULL, XML_PARSE_NONET);
	assert_non_null(back);
	xmlFreeDoc(back);
	assert_null(strstr(xml, "<script"));
	assert_non_null(
	    strstr(xml, "n=&lt;script&gt;alert(1)&lt;/script&gt;; k=rsa; p=\\000\\255"));
	assert_int_equal(dnsaudit_report_render(r, DNSAUDIT_FORMAT_JSON, "en", &json, &jlen), 0);
	assert_null(strchr(json, '<'));
	assert_xpath(r->doc, "count(/audit/dkim/selector/key[@syntax-error])", "2");
	free(xml);
	free(json);
	dnsaudit_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_scenario_gives_exactly_its_findings),
	    cmocka_unit_test(found_keys_are_described),
	    cmocka_unit_test(named_selectors_are_always_listed),
	    cmocka_unit_test(findings_name_the_record_and_the_fix),
	    cmocka_unit_test(aliases_are_followed_and_shown),
	    cmocka_unit_test(the_wildcard_is_reported_not_its_echoes),
	    cmocka_unit_test(failures_make_the_area_inconclusive),
	    cmocka_unit_test(every_lookup_goes_in_one_round),
	    cmocka_unit_test(nothing_to_try_draws_no_finding),
	    cmocka_unit_test(hostile_records_stay_well_formed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
