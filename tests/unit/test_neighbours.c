/*
 * test_neighbours.c -- MTA-STS, TLS-RPT, BIMI, DANE, DNSSEC and the client
 * SRV records: each parser on its own (valid records, and every error with
 * its kind and position), then each finding end to end through the zone
 * backend (testdata/zones/nb-*.zone) with the default policy plus the
 * neighbours rules. A stub source over the same zone data stands in for a
 * live resolver where the zone backend cannot: failed lookups, the AD flag,
 * and the order in which questions go out.
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
#include "neighbours_internal.h"
#include "xpath_assert.h"

#define ZONES     MAILAUDIT_TESTDATA "/zones"
#define MAX_LOG   512
#define ALL_AREAS "mta-sts tls-rpt bimi dane dnssec srv"
/* The weight our findings take off the score, whatever other rules do. */
#define OURS_WEIGHT                                                                                \
	"sum(/audit/findings/finding[@area='mta-sts' or @area='tls-rpt' or @area='bimi' or "       \
	"@area='dane' or @area='dnssec' or @area='srv']/@weight)"

/* ---- a stub source over the zone files: failures, AD, a question log ---- */

struct stub {
	struct dnsaudit__zoneset *zs;
	const char *fail_name;  /* answer this name with fail_status */
	ldns_rr_type fail_type; /* ... for this type (0: any) */
	dnsaudit_dns_status fail_status;
	int ad;             /* AD flag on every answer */
	char *log[MAX_LOG]; /* "name/TYPE" in the order asked */
	size_t nlog;
};

static void stub_reset(struct stub *s, const char *fail_name, ldns_rr_type fail_type,
                       dnsaudit_dns_status st, int ad)
{
	size_t i;

	for (i = 0; i < s->nlog; i++)
		free(s->log[i]);
	s->nlog = 0;
	s->fail_name = fail_name;
	s->fail_type = fail_type;
	s->fail_status = st;
	s->ad = ad;
}

static void stub_log(struct stub *s, const char *name, ldns_rr_type t)
{
	char *type = ldns_rr_type2str(t);
	size_t n = strlen(name) + strlen(type) + 2;

	if (s->nlog < MAX_LOG && (s->log[s->nlog] = malloc(n)) != NULL)
		snprintf(s->log[s->nlog++], n, "%s/%s", name, type);
	free(type);
}

/* Answers as a validating resolver over UDP would, from the zone data. */
static int stub_answer(void *payload, const ldns_rdf *qname, ldns_rr_type qtype,
                       struct dnsaudit_answer *out)
{
	struct stub *s = payload;
	char *name = ldns_rdf2str(qname);
	int rc = 0;

	if (name == NULL)
		return -1;
	stub_log(s, name, qtype);
	if (s->fail_name != NULL && strcmp(name, s->fail_name) == 0 &&
	    (s->fail_type == 0 || s->fail_type == qtype)) {
		out->status = s->fail_status;
		out->rcode = s->fail_status == DNSAUDIT_DNS_SERVFAIL ? LDNS_RCODE_SERVFAIL : -1;
		rc = dnsaudit__answer_set_detail(out, "injected by the test");
	} else {
		rc = dnsaudit__zoneset_answer(s->zs, qname, qtype, out);
	}
	out->ad = s->ad;
	out->transport = "udp";
	free(name);
	return rc != 0 || dnsaudit__answer_set_origin(out, "192.0.2.53:53") != 0 ? -1 : 0;
}

/* ---- fixture: a zone source, a stub source, one policy ---- */

struct fixture {
	dnsaudit_source *src, *stub_src;
	dnsaudit_policy *policy;
	dnsaudit_ctx *ctx, *stub_ctx;
	struct stub stub;
};

static int load_policy(dnsaudit_policy **out)
{
	dnsaudit_error err;

	memset(&err, 0, sizeof(err));
	if (dnsaudit_policy_new(out) != 0 ||
	    dnsaudit_policy_add_file(*out, MAILAUDIT_BUILD_DATADIR "/default.xml",
	                             MAILAUDIT_BUILD_DATADIR "/policy.xsd", &err) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int setup(void **state)
{
	static struct fixture f;
	const char *zones[] = {ZONES};
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_error err;

	memset(&err, 0, sizeof(err));
	so.zones = zones;
	so.zone_count = 1;
	if (dnsaudit_source_new(&f.src, &so, &err) != 0 || load_policy(&f.policy) != 0 ||
	    dnsaudit__zoneset_load(&f.stub.zs, zones, 1, &err) != 0 ||
	    dnsaudit__source_new_stub(&f.stub_src, stub_answer, &f.stub, 0) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	co.policy = f.policy;
	co.source = f.src;
	if (dnsaudit_ctx_new(&f.ctx, &co) != 0)
		return -1;
	co.source = f.stub_src;
	*state = &f;
	return dnsaudit_ctx_new(&f.stub_ctx, &co);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stub_reset(&f->stub, NULL, 0, DNSAUDIT_DNS_OK, 0);
	dnsaudit_ctx_free(f->ctx);
	dnsaudit_ctx_free(f->stub_ctx);
	dnsaudit_policy_free(f->policy);
	dnsaudit_source_free(f->src);
	dnsaudit_source_free(f->stub_src);
	dnsaudit__zoneset_free(f->stub.zs);
	return 0;
}

static dnsaudit_report *audit_with(dnsaudit_ctx *ctx, const char *domain)
{
	dnsaudit_report *r = NULL;

	if (dnsaudit_audit_domain(&r, ctx, domain) != 0)
		fail_msg("audit %s: %s", domain, dnsaudit_ctx_errmsg(ctx));
	return r;
}

static dnsaudit_report *audit(void **state, const char *domain)
{
	return audit_with(((struct fixture *)*state)->ctx, domain);
}

/* 1 when word is one of the space-separated words of list. */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(list, word); p != NULL; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The distinct finding ids of the given areas, sorted, space-separated. */
static void area_ids(const dnsaudit_report *r, const char *areas, char *out, size_t len)
{
	const char *ids[64];
	size_t i, j, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r) && n < 64; i++) {
		const char *id = dnsaudit_report_finding_id(r, i);
		int seen = 0;

		for (j = 0; j < n; j++)
			seen |= strcmp(ids[j], id) == 0;
		if (!seen && in_list(areas, dnsaudit_report_finding_area(r, i)))
			ids[n++] = id;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", ids[i]);
}

static size_t count_finding(const dnsaudit_report *r, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r); i++)
		n += strcmp(dnsaudit_report_finding_id(r, i), id) == 0;
	return n;
}

static void assert_area_ids(const dnsaudit_report *r, const char *areas, const char *want)
{
	char got[512];

	area_ids(r, areas, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s [%s]: got [%s], want [%s]", dnsaudit_report_domain(r), areas, got,
		         want);
}

/* ---- parsers ---- */

struct parse_case {
	const char *in;
	int valid;
	const char *kind; /* error kind when invalid */
	size_t pos;
};

static void mtasts_parser(void **state)
{
	static const struct parse_case cases[] = {
	    {"v=STSv1; id=20261127T000000", 1, NULL, 0},
	    {"v=STSv1;id=1", 1, NULL, 0},
	    {"v=STSv1; id=abc;", 1, NULL, 0},
	    {"v=STSv1 ;\tid=abc ; ", 1, NULL, 0},
	    {"v=STSv1; id=12345678901234567890123456789012", 1, NULL, 0},
	    {"v=STSv1; id=1; ext_1.x-y=a:b/c", 1, NULL, 0},
	    {"", 0, "version", 0},
	    {" v=STSv1; id=1", 0, "version", 0},
	    {"v=stsv1; id=1", 0, "version", 2},
	    {"v=STSv10; id=1", 0, "version", 7},
	    {"v=STSv1 id=1", 0, "version", 7},
	    {"id=1; v=STSv1", 0, "version", 0},
	    {"v=STSv1;", 0, "missing-id", 8},
	    {"v=STSv1; ext=1", 0, "missing-id", 14},
	    {"v=STSv1; id=2026-11-27", 0, "bad-id", 16},
	    {"v=STSv1; id=", 0, "bad-id", 12},
	    {"v=STSv1; id=123456789012345678901234567890123", 0, "bad-id", 44},
	    {"v=STSv1; id=abc def", 0, "bad-id", 15},
	    {"v=STSv1; id=1; id=2", 0, "duplicate-id", 15},
	    {"v=STSv1; ID=1", 0, "bad-name", 9},
	    {"v=STSv1;; id=1", 0, "empty-field", 8},
	    {"v=STSv1; id = 1", 0, "missing-equals", 11},
	    {"v=STSv1; id=1 ", 0, "trailing-space", 13},
	    {"v=STSv1; -x=1; id=1", 0, "bad-name", 9},
	    {"v=STSv1; id=1; ext=a=b", 0, "bad-value", 20},
	    {"v=STSv1; id=1; ext=", 0, "bad-value", 19},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_mtasts m;
		int ok = dnsaudit__mtasts_parse(cases[i].in, strlen(cases[i].in), &m);

		if (ok != cases[i].valid)
			fail_msg("\"%s\": valid %d, want %d (%s at %zu)", cases[i].in, ok,
			         cases[i].valid, m.err.kind ? m.err.kind : "-", m.err.pos);
		if (!ok && (strcmp(m.err.kind, cases[i].kind) != 0 || m.err.pos != cases[i].pos))
			fail_msg("\"%s\": %s at %zu, want %s at %zu", cases[i].in, m.err.kind,
			         m.err.pos, cases[i].kind, cases[i].pos);
	}
}

static void mtasts_parser_keeps_the_id(void **state)
{
	struct nb_mtasts m;
	const char *rec = "v=STSv1; id=Ab1; x=y";

	(void)state;
	assert_int_equal(dnsaudit__mtasts_parse(rec, strlen(rec), &m), 1);
	assert_string_equal(m.id, "Ab1");
	assert_int_equal(m.extensions, 1);
	assert_null(m.err.kind);
	/* A NUL is an octet like any other: located, never a terminator. */
	assert_int_equal(dnsaudit__mtasts_parse("v=STSv1; id=1\0", 14, &m), 0);
	assert_string_equal(m.err.kind, "bad-id");
	assert_int_equal(m.err.pos, 13);
}

static void tlsrpt_parser(void **state)
{
	static const struct parse_case cases[] = {
	    {"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", 1, NULL, 0},
	    {"v=TLSRPTv1;rua=https://r.example/v1", 1, NULL, 0},
	    {"v=TLSRPTv1; rua=mailto:a@b.example , https://r.example/x;", 1, NULL, 0},
	    {"v=TLSRPTv1; rua=MAILTO:a@b.example; ext=1", 1, NULL, 0},
	    {"v=TLSRPTv2; rua=mailto:a@b.example", 0, "version", 9},
	    {"v=TLSRPTv1;", 0, "missing-rua", 11},
	    {"v=TLSRPTv1; rua=", 0, "bad-uri", 16},
	    {"v=TLSRPTv1; rua=ftp://x.example/", 0, "unsupported-scheme", 16},
	    {"v=TLSRPTv1; rua=http://x.example/", 0, "unsupported-scheme", 16},
	    {"v=TLSRPTv1; rua=mailto:nobody", 0, "bad-uri", 16},
	    {"v=TLSRPTv1; rua=mailto:@b.example", 0, "bad-uri", 16},
	    {"v=TLSRPTv1; rua=https://", 0, "bad-uri", 16},
	    {"v=TLSRPTv1; rua=https:/x.example", 0, "bad-uri", 16},
	    {"v=TLSRPTv1; rua=mailto:a@b.example,", 0, "bad-uri", 35},
	    {"v=TLSRPTv1; rua=mailto:a@b.example,,https://x.example", 0, "bad-uri", 35},
	    {"v=TLSRPTv1; rua=mailto:a b@c.example", 0, "bad-uri", 24},
	    {"v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example", 0, "duplicate-rua", 36},
	    {"v=TLSRPTv1; RUA=mailto:a@b.example", 0, "bad-name", 12},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_tlsrpt t;
		int ok = dnsaudit__tlsrpt_parse(cases[i].in, strlen(cases[i].in), &t);

		if (ok != cases[i].valid)
			fail_msg("\"%s\": valid %d, want %d (%s at %zu)", cases[i].in, ok,
			         cases[i].valid, t.err.kind ? t.err.kind : "-", t.err.pos);
		if (!ok && (strcmp(t.err.kind, cases[i].kind) != 0 || t.err.pos != cases[i].pos))
			fail_msg("\"%s\": %s at %zu, want %s at %zu", cases[i].in, t.err.kind,
			         t.err.pos, cases[i].kind, cases[i].pos);
	}
}

static void tlsrpt_parser_lists_every_uri(void **state)
{
	const char *rec = "v=TLSRPTv1; rua=mailto:a@b.example, https://r.example/x";
	struct nb_tlsrpt t;

	(void)state;
	assert_int_equal(dnsaudit__tlsrpt_parse(rec, strlen(rec), &t), 1);
	assert_int_equal(t.nrua, 2);
	assert_string_equal(t.rua[0].scheme, "mailto");
	assert_int_equal(t.rua[0].len, strlen("mailto:a@b.example"));
	assert_string_equal(t.rua[1].scheme, "https");
	assert_memory_equal(rec + t.rua[1].pos, "https://r.example/x", t.rua[1].len);
}

static void tlsrpt_parser_bounds_the_uri_list(void **state)
{
	char rec[4096];
	struct nb_tlsrpt t;
	size_t i;

	(void)state;
	snprintf(rec, sizeof(rec), "v=TLSRPTv1; rua=mailto:r0@b.example");
	for (i = 1; i < 40; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), ",mailto:r%zu@b.example", i);
	assert_int_equal(dnsaudit__tlsrpt_parse(rec, strlen(rec), &t), 1);
	assert_int_equal(t.nrua, NB_MAX_RUA);
	assert_int_equal(t.rua_seen, 40);
}

static void bimi_parser(void **state)
{
	static const struct parse_case cases[] = {
	    {"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem", 1, NULL, 0},
	    {"v=BIMI1; l=https://example.com/logo.svg", 1, NULL, 0},
	    {" v = BIMI1 ; l = https://example.com/l.svg ; ", 1, NULL, 0},
	    {"v=BIMI1; l=;", 1, NULL, 0},
	    {"v=BIMI1;", 1, NULL, 0},
	    {"v=BIMI1; l=https://e.example/l.svg; s=unknown tag", 1, NULL, 0},
	    {"v=BIMI2; l=https://e.example/l.svg", 0, "version", 6},
	    {"l=https://e.example/l.svg; v=BIMI1", 0, "version", 0},
	    {"v=BIMI1; l=http://e.example/l.svg", 0, "bad-location", 11},
	    {"v=BIMI1; l=https://e.example/a b.svg", 0, "bad-location", 30},
	    {"v=BIMI1; a=ftp://e.example/vmc.pem", 0, "bad-authority", 11},
	    {"v=BIMI1; l=; l=https://e.example/l.svg", 0, "duplicate-tag", 13},
	    {"v=BIMI1; L=https://e.example/l.svg", 0, "bad-name", 9},
	    {"v=BIMI1; x=\x01", 0, "bad-value", 11},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_bimi b;
		int ok = dnsaudit__bimi_parse(cases[i].in, strlen(cases[i].in), &b);

		if (ok != cases[i].valid)
			fail_msg("\"%s\": valid %d, want %d (%s at %zu)", cases[i].in, ok,
			         cases[i].valid, b.err.kind ? b.err.kind : "-", b.err.pos);
		if (!ok && (strcmp(b.err.kind, cases[i].kind) != 0 || b.err.pos != cases[i].pos))
			fail_msg("\"%s\": %s at %zu, want %s at %zu", cases[i].in, b.err.kind,
			         b.err.pos, cases[i].kind, cases[i].pos);
	}
}

static void tlsa_check(void **state)
{
	static const struct {
		unsigned u, s, m;
		size_t len;
		int valid, usable;
		const char *kind;
	} cases[] = {
	    {3, 1, 1, 32, 1, 1, NULL},
	    {2, 0, 2, 64, 1, 1, NULL},
	    {3, 0, 0, 800, 1, 1, NULL},
	    {1, 1, 1, 32, 1, 0, NULL},
	    {0, 0, 1, 32, 1, 0, NULL},
	    {4, 1, 1, 32, 0, 0, "unknown-usage"},
	    {3, 2, 1, 32, 0, 0, "unknown-selector"},
	    {3, 1, 3, 32, 0, 0, "unknown-matching-type"},
	    {3, 1, 1, 2, 0, 0, "digest-length"},
	    {3, 1, 2, 32, 0, 0, "digest-length"},
	    {3, 1, 0, 0, 0, 0, "digest-length"},
	    {256, 256, 256, 0, 0, 0, "unknown-usage"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_tlsa t;
		int ok = dnsaudit__tlsa_check(cases[i].u, cases[i].s, cases[i].m, cases[i].len, &t);

		if (ok != cases[i].valid || t.usable != cases[i].usable)
			fail_msg("TLSA %u %u %u (%zu octets): valid %d usable %d", cases[i].u,
			         cases[i].s, cases[i].m, cases[i].len, ok, t.usable);
		if (!ok && strcmp(t.err.kind, cases[i].kind) != 0)
			fail_msg("TLSA %u %u %u: %s, want %s", cases[i].u, cases[i].s, cases[i].m,
			         t.err.kind, cases[i].kind);
	}
	assert_int_equal(dnsaudit__dnssec_alg_deprecated(5), 1);
	assert_int_equal(dnsaudit__dnssec_alg_deprecated(8), 0);
	assert_int_equal(dnsaudit__dnssec_alg_deprecated(13), 0);
}

/* ---- findings end to end through the zone backend ---- */

static void each_scenario_gives_exactly_its_findings(void **state)
{
	static const struct {
		const char *domain, *areas, *ids;
	} cases[] = {
	    {"nb-good.example", ALL_AREAS, "bimi.present"},
	    {"bare.nb-issues.example", ALL_AREAS,
	     "dnssec.unsigned mta-sts.missing srv.none tls-rpt.missing"},
	    {"nomx.nb-issues.example", "mta-sts tls-rpt bimi dane srv", ""},
	    {"nullmx.nb-issues.example", ALL_AREAS, ""},
	    {"sts-multiple.nb-issues.example", "mta-sts", "mta-sts.multiple"},
	    {"sts-syntax.nb-issues.example", "mta-sts", "mta-sts.syntax"},
	    {"sts-case.nb-issues.example", "mta-sts", "mta-sts.syntax"},
	    {"sts-noid.nb-issues.example", "mta-sts", "mta-sts.syntax"},
	    {"sts-split.nb-issues.example", "mta-sts", ""},
	    {"sts-cname.nb-issues.example", "mta-sts", ""},
	    {"sts-hostile.nb-issues.example", "mta-sts", "mta-sts.syntax"},
	    {"sts-many.nb-issues.example", "mta-sts", "mta-sts.multiple"},
	    {"rpt-syntax.nb-issues.example", "tls-rpt", "tls-rpt.syntax"},
	    {"rpt-norua.nb-issues.example", "tls-rpt", "tls-rpt.syntax"},
	    {"rpt-multiple.nb-issues.example", "tls-rpt", "tls-rpt.multiple"},
	    {"bimi-syntax.nb-issues.example", "bimi", "bimi.syntax"},
	    {"bimi-declined.nb-issues.example", "bimi", ""},
	    {"dane-nodnssec.nb-issues.example", "dane", "dane.without-dnssec"},
	    {"dane-bad.nb-issues.example", "dane dnssec", "dane.tlsa-syntax dane.unusable"},
	    {"dane-pkix.nb-issues.example", "dane dnssec", "dane.pkix-usage dane.unusable"},
	    {"dane-mixed.nb-issues.example", "dane dnssec", "dane.pkix-usage"},
	    {"dane-signed.nb-issues.example", "dane dnssec", ""},
	    {"dnssec-old.nb-issues.example", "dnssec", "dnssec.deprecated-algorithm"},
	    {"srv-plain.nb-issues.example", "srv", "srv.plaintext-only"},
	    {"srv-dot.nb-issues.example", "srv", ""},
	    {"srv-both.nb-issues.example", "srv", ""},
	    {"mx-null.example", ALL_AREAS, ""},
	    {"mx-missing.example", ALL_AREAS, "dnssec.unsigned"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dnsaudit_report *r = audit(state, cases[i].domain);

		assert_area_ids(r, cases[i].areas, cases[i].ids);
		dnsaudit_report_free(r);
	}
}

static void severities_and_weights(void **state)
{
	dnsaudit_report *r = audit(state, "bare.nb-issues.example");
	size_t i;

	for (i = 0; i < dnsaudit_report_finding_count(r); i++) {
		const char *id = dnsaudit_report_finding_id(r, i);
		dnsaudit_severity want =
		    strcmp(id, "mta-sts.missing") == 0 || strcmp(id, "dnssec.unsigned") == 0
		        ? DNSAUDIT_SEV_WARN
		        : DNSAUDIT_SEV_INFO;

		if (in_list(ALL_AREAS, dnsaudit_report_finding_area(r, i)))
			assert_int_equal(dnsaudit_report_finding_severity(r, i), want);
	}
	/* mta-sts.missing and dnssec.unsigned weigh 5 each; the info ones 0. */
	assert_xpath(r->doc, OURS_WEIGHT, "10");
	dnsaudit_report_free(r);
	r = audit(state, "nb-good.example");
	assert_xpath(r->doc, OURS_WEIGHT, "0");
	dnsaudit_report_free(r);
}

static void plaintext_srv_is_one_finding_per_family(void **state)
{
	dnsaudit_report *r = audit(state, "srv-plain.nb-issues.example");

	assert_int_equal(count_finding(r, "srv.plaintext-only"), 2);
	assert_xpath(r->doc,
	             "string(/audit/findings/finding[@id='srv.plaintext-only'][title[.='Mail "
	             "clients are offered imap only on its plaintext port (143)']]/"
	             "remediation[@xml:lang='en'])",
	             "Enable implicit TLS on port 993 and publish it: "
	             "_imaps._tcp.srv-plain.nb-issues.example. 3600 IN SRV 0 1 993 "
	             "mail.nb-issues.example.");
	dnsaudit_report_free(r);
}

static void remediations_carry_the_record_to_publish(void **state)
{
	dnsaudit_report *r = audit(state, "bare.nb-issues.example");
	char *sts;

	sts = xpath_string(r->doc, "string(/audit/findings/finding[@id='mta-sts.missing']/"
	                           "remediation[@xml:lang='en'])");
	assert_non_null(strstr(sts, "_mta-sts.bare.nb-issues.example. 3600 IN TXT \"v=STSv1; "
	                            "id="));
	assert_non_null(strstr(sts, "T000000\""));
	assert_non_null(
	    strstr(sts, "https://mta-sts.bare.nb-issues.example/.well-known/mta-sts.txt"));
	assert_non_null(strstr(sts, "\"mx: mx.nb-issues.example\""));
	free(sts);
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='tls-rpt.missing']/"
	             "remediation[@xml:lang='es'], '_smtp._tls.bare.nb-issues.example. 3600 IN "
	             "TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@bare.nb-issues.example\"')",
	             "true");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='srv.none']/remediation[@xml:lang='en'],"
	             " '_submissions._tcp.bare.nb-issues.example. 3600 IN SRV 0 1 465 "
	             "mail.bare.nb-issues.example.')",
	             "true");
	dnsaudit_report_free(r);
}

static void syntax_findings_say_where(void **state)
{
	dnsaudit_report *r = audit(state, "sts-syntax.nb-issues.example");

	assert_xpath(r->doc, "string(/audit/mta-sts/record/@error-position)", "16");
	assert_xpath(r->doc, "string(/audit/mta-sts/record/@error-kind)", "bad-id");
	assert_xpath(r->doc,
	             "contains(/audit/findings/finding[@id='mta-sts.syntax']/"
	             "explanation[@xml:lang='en'], 'position 16: the id may hold only letters "
	             "and digits')",
	             "true");
	dnsaudit_report_free(r);
	r = audit(state, "sts-case.nb-issues.example");
	/* Senders skip it, so it is not "multiple" and not "missing" either. */
	assert_xpath(r->doc, "string(/audit/mta-sts/@records)", "1");
	assert_xpath(r->doc, "string(/audit/mta-sts/@selected)", "0");
	assert_xpath(r->doc, "string(/audit/mta-sts/record/@selected)", "false");
	dnsaudit_report_free(r);
	r = audit(state, "dane-bad.nb-issues.example");
	assert_xpath(r->doc, "string(/audit/dane/host/tlsa/@error-kind)", "digest-length");
	assert_xpath(r->doc, "string(/audit/dane/host/tlsa/@data-octets)", "2");
	dnsaudit_report_free(r);
}

static void good_domain_facts(void **state)
{
	dnsaudit_report *r = audit(state, "nb-good.example");

	assert_xpath(r->doc, "count(/audit/area[@status!='ok'])", "0");
	assert_xpath(r->doc, "string(/audit/mta-sts/record/@id)", "20261127T000000");
	assert_xpath(r->doc, "string(/audit/mta-sts/@valid)", "1");
	assert_xpath(r->doc, "count(/audit/tls-rpt/record/rua)", "2");
	assert_xpath(r->doc, "string(/audit/tls-rpt/record/rua[2]/@scheme)", "https");
	assert_xpath(r->doc, "string(/audit/tls-rpt/record/rua[2])",
	             "https://reports.nb-good.example/tlsrpt");
	assert_xpath(r->doc, "string(/audit/bimi/record/@location)",
	             "https://nb-good.example/logo.svg");
	assert_xpath(r->doc, "string(/audit/bimi/record/@declined)", "false");
	/* MX published 20 first: hosts are shown most preferred first. */
	assert_xpath(r->doc, "string(/audit/dane/host[1]/@tlsa-name)",
	             "_25._tcp.mx1.nb-good.example.");
	assert_xpath(r->doc, "string(/audit/dane/host[1]/tlsa/@usage-name)", "DANE-EE");
	assert_xpath(r->doc, "string(/audit/dane/host[2]/tlsa/@matching-type-name)", "SHA2-512");
	assert_xpath(r->doc, "string(/audit/dane/@hosts-with-tlsa)", "2");
	assert_xpath(r->doc, "string(/audit/dnssec/@keys)", "2");
	assert_xpath(r->doc, "string(/audit/dnssec/key[@sep='true']/@algorithm-name)",
	             "ECDSAP256SHA256");
	assert_xpath(r->doc, "string(/audit/srv/@published)", "6");
	assert_xpath(r->doc, "string(/audit/srv/@offered)", "3");
	assert_xpath(r->doc, "string(/audit/srv/service[@name='imaps']/target/@port)", "993");
	assert_xpath(r->doc, "string(/audit/srv/service[@name='imap']/target/@host)", ".");
	assert_xpath(r->doc, "string(/audit/srv/service[@name='imap']/@offered)", "false");
	dnsaudit_report_free(r);
}

static void records_are_escaped_and_bounded(void **state)
{
	dnsaudit_report *r = audit(state, "sts-hostile.nb-issues.example");

	assert_xpath(r->doc, "string(/audit/mta-sts/record/@text)", "v=STSv1; id=<script>\\000x");
	assert_xpath(r->doc, "string(/audit/mta-sts/record/@error-position)", "12");
	dnsaudit_report_free(r);
	r = audit(state, "sts-many.nb-issues.example");
	assert_xpath(r->doc, "string(/audit/mta-sts/@records)", "20");
	assert_xpath(r->doc, "string(/audit/mta-sts/@selected)", "20");
	assert_xpath(r->doc, "count(/audit/mta-sts/record)", "16");
	assert_xpath(r->doc, "string(/audit/mta-sts/@truncated)", "true");
	dnsaudit_report_free(r);
}

static void split_and_aliased_records_are_read(void **state)
{
	dnsaudit_report *r = audit(state, "sts-split.nb-issues.example");

	assert_xpath(r->doc, "string(/audit/mta-sts/record/@id)", "abc123");
	dnsaudit_report_free(r);
	r = audit(state, "sts-cname.nb-issues.example");
	assert_xpath(r->doc, "string(/audit/mta-sts/record/@id)", "20261127T000000");
	assert_xpath(r->doc, "string(/audit/mta-sts/answer/cname/@owner)",
	             "_mta-sts.sts-cname.nb-issues.example.");
	dnsaudit_report_free(r);
}

/* ---- through the stub: failures, AD, rounds ---- */

static dnsaudit_report *stub_audit(void **state, const char *domain, const char *fail,
                                   ldns_rr_type fail_type, dnsaudit_dns_status st, int ad)
{
	struct fixture *f = *state;

	stub_reset(&f->stub, fail, fail_type, st, ad);
	return audit_with(f->stub_ctx, domain);
}

static void failed_lookups_make_areas_inconclusive(void **state)
{
	static const struct {
		const char *fail, *area;
		ldns_rr_type type;
		dnsaudit_dns_status st;
		size_t missing; /* mta-sts.missing, tls-rpt.missing and srv.none left */
	} cases[] = {
	    {"_mta-sts.bare.nb-issues.example.", "mta-sts", 0, DNSAUDIT_DNS_SERVFAIL, 2},
	    {"_smtp._tls.bare.nb-issues.example.", "tls-rpt", 0, DNSAUDIT_DNS_TIMEOUT, 2},
	    {"default._bimi.bare.nb-issues.example.", "bimi", 0, DNSAUDIT_DNS_REFUSED, 3},
	    {"bare.nb-issues.example.", "dnssec", LDNS_RR_TYPE_DNSKEY, DNSAUDIT_DNS_TIMEOUT, 3},
	    {"_25._tcp.mx.nb-issues.example.", "dane", 0, DNSAUDIT_DNS_SERVFAIL, 3},
	    /* No MX answer: no MX hosts to ask TLSA for, and no "missing" at all. */
	    {"bare.nb-issues.example.", "dane", LDNS_RR_TYPE_MX, DNSAUDIT_DNS_SERVFAIL, 0},
	    {"_imaps._tcp.bare.nb-issues.example.", "srv", 0, DNSAUDIT_DNS_NETERROR, 2},
	};
	char expr[256], want[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dnsaudit_report *r = stub_audit(state, "bare.nb-issues.example", cases[i].fail,
		                                cases[i].type, cases[i].st, 0);

		snprintf(expr, sizeof(expr), "string(/audit/area[@name='%s']/@status)",
		         cases[i].area);
		assert_xpath(r->doc, expr, "inconclusive");
		snprintf(expr, sizeof(expr), "string(/audit/area[@name='%s']/@reason)",
		         cases[i].area);
		snprintf(want, sizeof(want), "%s", dnsaudit_dns_status_name(cases[i].st));
		assert_xpath(r->doc, expr, want);
		assert_area_ids(r, cases[i].area, "");
		/* Failure is not absence: the failed area's "missing" is gone. */
		assert_int_equal(count_finding(r, "mta-sts.missing") +
		                     count_finding(r, "tls-rpt.missing") +
		                     count_finding(r, "srv.none"),
		                 cases[i].missing);
		dnsaudit_report_free(r);
	}
}

static void validated_answers_count_as_signed(void **state)
{
	dnsaudit_report *r = stub_audit(state, "nb-good.example", NULL, 0, DNSAUDIT_DNS_OK, 1);

	assert_xpath(r->doc, "string(/audit/dnssec/answer/@ad)", "true");
	assert_xpath(r->doc, "string(/audit/dane/host[1]/@ad)", "true");
	assert_area_ids(r, "dane dnssec", "");
	dnsaudit_report_free(r);
	/* A subdomain of a signed zone: NODATA for DNSKEY, but validated. */
	r = stub_audit(state, "bare.nb-issues.example", NULL, 0, DNSAUDIT_DNS_OK, 1);
	assert_xpath(r->doc, "string(/audit/dnssec/@status)", "nodata");
	assert_area_ids(r, "dnssec", "");
	dnsaudit_report_free(r);
}

static void unvalidated_live_answers_are_reported(void **state)
{
	dnsaudit_report *r = stub_audit(state, "nb-good.example", NULL, 0, DNSAUDIT_DNS_OK, 0);

	assert_area_ids(r, "dane dnssec", "dane.without-dnssec dnssec.not-validated");
	assert_int_equal(count_finding(r, "dane.without-dnssec"), 2);
	dnsaudit_report_free(r);
	r = stub_audit(state, "bare.nb-issues.example", NULL, 0, DNSAUDIT_DNS_OK, 0);
	assert_area_ids(r, "dnssec", "dnssec.unsigned");
	dnsaudit_report_free(r);
}

static long log_index(const struct stub *s, const char *entry)
{
	size_t i;

	for (i = 0; i < s->nlog; i++)
		if (strcmp(s->log[i], entry) == 0)
			return (long)i;
	return -1;
}

static void independent_lookups_go_out_in_the_first_round(void **state)
{
	static const char *const first[] = {
	    "_mta-sts.nb-good.example./TXT",         "_smtp._tls.nb-good.example./TXT",
	    "default._bimi.nb-good.example./TXT",    "nb-good.example./DNSKEY",
	    "_submission._tcp.nb-good.example./SRV", "_submissions._tcp.nb-good.example./SRV",
	    "_imap._tcp.nb-good.example./SRV",       "_imaps._tcp.nb-good.example./SRV",
	    "_pop3._tcp.nb-good.example./SRV",       "_pop3s._tcp.nb-good.example./SRV",
	};
	struct fixture *f = *state;
	dnsaudit_report *r = stub_audit(state, "nb-good.example", NULL, 0, DNSAUDIT_DNS_OK, 0);
	dnsaudit_session_stats st;
	long second = log_index(&f->stub, "mx1.nb-good.example./A");
	long tlsa = log_index(&f->stub, "_25._tcp.mx1.nb-good.example./TLSA");
	size_t i;

	/* Round 2 starts with the MX hosts' questions; ours all came before. */
	assert_true(second > 0);
	assert_true(tlsa > 0);
	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++) {
		long at = log_index(&f->stub, first[i]);

		if (at < 0 || at > second)
			fail_msg("%s asked at %ld, after round 2 began (%ld)", first[i], at,
			         second);
	}
	dnsaudit_report_get_stats(r, &st);
	assert_int_equal(st.rounds, 2);
	dnsaudit_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mtasts_parser),
	    cmocka_unit_test(mtasts_parser_keeps_the_id),
	    cmocka_unit_test(tlsrpt_parser),
	    cmocka_unit_test(tlsrpt_parser_lists_every_uri),
	    cmocka_unit_test(tlsrpt_parser_bounds_the_uri_list),
	    cmocka_unit_test(bimi_parser),
	    cmocka_unit_test(tlsa_check),
	    cmocka_unit_test(each_scenario_gives_exactly_its_findings),
	    cmocka_unit_test(severities_and_weights),
	    cmocka_unit_test(plaintext_srv_is_one_finding_per_family),
	    cmocka_unit_test(remediations_carry_the_record_to_publish),
	    cmocka_unit_test(syntax_findings_say_where),
	    cmocka_unit_test(good_domain_facts),
	    cmocka_unit_test(records_are_escaped_and_bounded),
	    cmocka_unit_test(split_and_aliased_records_are_read),
	    cmocka_unit_test(failed_lookups_make_areas_inconclusive),
	    cmocka_unit_test(validated_answers_count_as_signed),
	    cmocka_unit_test(unvalidated_live_answers_are_reported),
	    cmocka_unit_test(independent_lookups_go_out_in_the_first_round),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, setup, teardown);
	xmlCleanupParser();
	return rc;
}
