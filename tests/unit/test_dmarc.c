/*
 * test_dmarc.c -- the DMARC engine (dmarc_parse.c, dmarc_discover.c,
 * dmarc_eval.c) over a tiny stub DNS: every tag good and bad with error
 * positions, the fatal/tag-error split, the per-spec policy rules, both
 * discoveries (inherited policy, psd, np, temperror vs none, the exact
 * query sequences, pending answers), alignment in both modes, the
 * evaluation, and external report destinations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "dmarc_internal.h"
#include "spf_stub.h"

struct fixture {
	struct stub_zone *z;
	dnsaudit_source *src;
	dnsaudit_session *session;
	psl_ctx_t *psl;
	const char *hold; /* lookups of this name answer NULL ("not yet") */
	unsigned held;
};

static const dnsaudit_answer *lookup(void *arg, const char *name, uint16_t type)
{
	struct fixture *f = arg;

	if (f->hold != NULL && strcasecmp(name, f->hold) == 0) {
		f->held++;
		return NULL;
	}
	return dnsaudit_session_lookup(f->session, name, type);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->z = stub_zone_new()) == NULL)
		return -1;
	if (dnsaudit__dmarc_psl_load(&f->psl, NULL) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dnsaudit_session_free(f->session);
	dnsaudit_source_free(f->src);
	stub_zone_free(f->z);
	dnsaudit__dmarc_psl_free(f->psl);
	free(f);
	return 0;
}

static void add(struct fixture *f, const char *name, const char *type, const char *value)
{
	if (stub_zone_add1(f->z, name, type, value) != 0)
		fail_msg("zone: %s", stub_zone_error(f->z));
}

/* Options over a fresh session (answers are asked again). */
static struct dmarc_opts opts(struct fixture *f, dmarc_spec spec)
{
	struct dmarc_opts o = {spec, lookup, f, f->psl};

	if (f->src == NULL) {
		assert_int_equal(stub_zone_finish(f->z), 0);
		assert_int_equal(dnsaudit__source_new_stub(&f->src, stub_zone_answer, f->z, 0), 0);
	}
	dnsaudit_session_free(f->session);
	assert_int_equal(dnsaudit_session_new(&f->session, f->src), 0);
	return o;
}

static struct dmarc_record *parse(const char *s, dmarc_spec spec)
{
	struct dmarc_record *r = NULL;

	assert_int_equal(dnsaudit__dmarc_parse(s, strlen(s), spec, &r), 0);
	assert_non_null(r);
	return r;
}

/* The TXT (or all) queries of a log as "a,b,c". */
static const char *qlist(const struct dmarc_query *q, size_t n, int txt_only, char *buf,
                         size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		if (!txt_only || q[i].type == 16)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "," : "", q[i].name);
	return buf;
}

/* ---- parser ---- */

static void parse_every_tag_9989(void **state)
{
	struct dmarc_record *r =
	    parse("v=DMARC1; p=reject; sp=quarantine; np=none; psd=n; t=y; adkim=s; aspf=s; "
	          "rua=mailto:Agg@Reports.Example.NET!10m, https://r.example/x; "
	          "ruf=mailto:f@example.com; fo=0:1:d:s",
	          DMARC_SPEC_RFC9989);

	(void)state;
	assert_int_equal(r->status, DMARC_PARSE_OK);
	assert_int_equal(r->p, DMARC_POLICY_REJECT);
	assert_int_equal(r->sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(r->np, DMARC_POLICY_NONE);
	assert_true(r->np_set && r->psd_set && r->t_set);
	assert_int_equal(r->psd, DMARC_PSD_N);
	assert_int_equal(r->t, 1);
	assert_int_equal(r->adkim, DMARC_ALIGN_STRICT);
	assert_int_equal(r->aspf, DMARC_ALIGN_STRICT);
	assert_int_equal(r->fo, DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S);
	assert_int_equal(r->nrua, 2);
	assert_string_equal(r->rua[0].text, "mailto:Agg@Reports.Example.NET");
	assert_true(r->rua[0].has_size);
	assert_true(r->rua[0].size_limit == 10ULL * 1024 * 1024);
	assert_string_equal(r->rua[0].address, "Agg@Reports.Example.NET");
	assert_string_equal(r->rua[0].domain, "reports.example.net");
	assert_true(r->rua[1].valid && !r->rua[1].mailto && r->rua[1].address == NULL);
	assert_string_equal(r->rua[1].scheme, "https");
	assert_int_equal(r->nruf, 1);
	assert_true(r->usable && r->rua_valid);
	assert_int_equal(r->eff_p, DMARC_POLICY_REJECT);
	assert_int_equal(r->eff_sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(r->eff_np, DMARC_POLICY_NONE);
	assert_int_equal(r->ntags, 11);
	/* !size is obsolete in RFC 9989: a warning, located at the URI. */
	assert_int_equal(r->nwarnings, 1);
	assert_int_equal(r->warnings[0].kind, DMARC_ERR_OBSOLETE);
	dnsaudit__dmarc_record_free(r);
}

static void parse_every_tag_7489(void **state)
{
	struct dmarc_record *r = parse("v=DMARC1; p=none; pct=25; rf=afrf; ri=3600; np=reject; "
	                               "psd=y; t=y; adkim=r",
	                               DMARC_SPEC_RFC7489);

	(void)state;
	assert_int_equal(r->status, DMARC_PARSE_OK);
	assert_int_equal(r->pct, 25);
	assert_true(r->pct_set && r->rf_set && r->ri_set && r->rf_afrf);
	assert_int_equal(r->ri, 3600);
	assert_int_equal(r->removed_used, DMARC_REMOVED_PCT | DMARC_REMOVED_RF | DMARC_REMOVED_RI);
	/* np, psd, t are not RFC 7489's: unknown, ignored, listed. */
	assert_int_equal(r->nunknown, 3);
	assert_false(r->np_set || r->psd_set || r->t_set);
	assert_int_equal(r->eff_np, DMARC_POLICY_NONE);
	dnsaudit__dmarc_record_free(r);
	/* Defaults. */
	r = parse("v=DMARC1; p=quarantine", DMARC_SPEC_RFC7489);
	assert_int_equal(r->pct, 100);
	assert_int_equal(r->ri, 86400);
	assert_int_equal(r->fo, DMARC_FO_0);
	assert_int_equal(r->eff_sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(r->nwarnings, 0);
	dnsaudit__dmarc_record_free(r);
}

static void parse_bad_values_located(void **state)
{
	static const struct {
		const char *record;
		size_t pos;
		dmarc_tag_id tag;
		const char *reason;
	} cases[] = {
	    {"v=DMARC1; p=bob", 12, DMARC_TAG_P, "p: 'bob' is not none, quarantine or reject"},
	    {"v=DMARC1; p=none; sp=rej", 21, DMARC_TAG_SP, "sp: 'rej' is not none"},
	    {"v=DMARC1; p=none; np=x", 21, DMARC_TAG_NP, "np: 'x' is not none"},
	    {"v=DMARC1; p=none; psd=x", 22, DMARC_TAG_PSD, "psd: 'x' is not y, n or u"},
	    {"v=DMARC1; p=none; t=yes", 20, DMARC_TAG_T, "t: 'yes' is not y or n"},
	    {"v=DMARC1; p=none; adkim=relaxed", 24, DMARC_TAG_ADKIM, "adkim: 'relaxed' is not r"},
	    {"v=DMARC1; p=none; aspf=x", 23, DMARC_TAG_ASPF, "aspf: 'x' is not r"},
	    {"v=DMARC1; p=none; fo=0:x", 23, DMARC_TAG_FO, "fo: 'x' is not 0, 1, d or s"},
	    {"v=DMARC1; p=none; rua=bad", 22, DMARC_TAG_RUA, "rua: 'bad' has no scheme"},
	    {"v=DMARC1; p=none; ruf=mailto:a!b@x.example", 22, DMARC_TAG_RUF,
	     "ruf: 'mailto:a!b@x.example' has an unencoded '!'"},
	    {"v=DMARC1; p=none; rua=mailto:a@x.example,", 41, DMARC_TAG_RUA, "rua: '' is empty"},
	    {"v=DMARC1; p=none; rua=mailto:a%2@x.example", 22, DMARC_TAG_RUA, "bad %-escape"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dmarc_record *r = parse(cases[i].record, DMARC_SPEC_RFC9989);

		if (r->nerrors != 1 || r->errors[0].pos != cases[i].pos ||
		    r->errors[0].tag != cases[i].tag ||
		    strstr(r->errors[0].reason, cases[i].reason) == NULL)
			fail_msg("%s: %zu errors, first at %zu: %s", cases[i].record, r->nerrors,
			         r->nerrors ? r->errors[0].pos : 0,
			         r->nerrors ? r->errors[0].reason : "-");
		assert_int_equal(r->status, DMARC_PARSE_TAG_ERRORS);
		dnsaudit__dmarc_record_free(r);
	}
}

static void parse_removed_tags(void **state)
{
	struct dmarc_record *r =
	    parse("v=DMARC1; p=none; pct=500; ri=x; rf=bob", DMARC_SPEC_RFC7489);

	(void)state;
	/* RFC 7489: errors, located. */
	assert_int_equal(r->nerrors, 3);
	assert_int_equal(r->errors[0].pos, 22);
	assert_string_equal(r->errors[0].reason, "pct: '500' is not an integer from 0 to 100");
	assert_int_equal(r->errors[1].tag, DMARC_TAG_RI);
	assert_int_equal(r->errors[2].tag, DMARC_TAG_RF);
	assert_int_equal(r->pct, 100);
	dnsaudit__dmarc_record_free(r);
	/* RFC 9989: the tags are removed, so ignored: warnings, and "removed tags used". */
	r = parse("v=DMARC1; p=none; pct=500; ri=x; rf=bob", DMARC_SPEC_RFC9989);
	assert_int_equal(r->status, DMARC_PARSE_OK);
	assert_int_equal(r->removed_used, DMARC_REMOVED_PCT | DMARC_REMOVED_RF | DMARC_REMOVED_RI);
	assert_int_equal(r->nwarnings, 6); /* three bad values, three "removed" notes */
	dnsaudit__dmarc_record_free(r);
	/* pct: 1*3DIGIT. */
	r = parse("v=DMARC1; p=none; pct=0100", DMARC_SPEC_RFC7489);
	assert_int_equal(r->nerrors, 1);
	dnsaudit__dmarc_record_free(r);
	r = parse("v=DMARC1; p=none; ri=4294967295", DMARC_SPEC_RFC7489);
	assert_int_equal(r->nerrors, 0);
	assert_true(r->ri == 4294967295u);
	dnsaudit__dmarc_record_free(r);
	r = parse("v=DMARC1; p=none; ri=4294967296", DMARC_SPEC_RFC7489);
	assert_int_equal(r->nerrors, 1);
	dnsaudit__dmarc_record_free(r);
}

static void parse_fatal(void **state)
{
	static const struct {
		const char *record;
		dmarc_error_kind kind;
	} cases[] = {
	    {"", DMARC_ERR_EMPTY},
	    {"V=BOB", DMARC_ERR_VERSION},
	    {" v=DMARC1; p=none", DMARC_ERR_VERSION},
	    {"v=DMARC1x; p=none", DMARC_ERR_VERSION},
	    {"v=dmarc1; p=none", DMARC_ERR_VERSION},
	    {"v=DMARC1 p=none", DMARC_ERR_VERSION},
	    {"p=none; v=DMARC1", DMARC_ERR_VERSION},
	    {"v=spf1 -all", DMARC_ERR_VERSION},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dmarc_record *r = parse(cases[i].record, DMARC_SPEC_RFC9989);

		assert_int_equal(r->status, DMARC_PARSE_NOT_DMARC);
		assert_int_equal(r->fatal.kind, cases[i].kind);
		assert_int_equal(r->ntags, 0);
		assert_false(dnsaudit__dmarc_is_record(cases[i].record, strlen(cases[i].record)));
		dnsaudit__dmarc_record_free(r);
	}
	/* Valid forms of the version. */
	assert_true(dnsaudit__dmarc_is_record("v=DMARC1", 8));
	assert_true(dnsaudit__dmarc_is_record("V = DMARC1 ;p=none", 18));
	assert_true(dnsaudit__dmarc_is_record("v=DMARC1\t;", 10));
}

static void parse_syntax_errors(void **state)
{
	struct dmarc_record *r;

	(void)state;
	r = parse("v=DMARC1;; p=none; p; q=; x1=y; p=reject; foo=bar; zz=\x01", DMARC_SPEC_RFC9989);
	assert_int_equal(r->nerrors, 6);
	assert_int_equal(r->errors[0].kind, DMARC_ERR_SYNTAX); /* ;; */
	assert_int_equal(r->errors[0].pos, 9);
	assert_string_equal(r->errors[1].reason, "'p' is not a tag=value pair");
	assert_int_equal(r->errors[1].pos, 19);
	assert_string_equal(r->errors[2].reason, "q: empty value");
	assert_int_equal(r->errors[3].kind, DMARC_ERR_SYNTAX); /* x1 */
	assert_int_equal(r->errors[4].kind, DMARC_ERR_DUPLICATE);
	assert_int_equal(r->errors[4].pos, 32);
	assert_int_equal(r->errors[5].pos, 54);
	assert_string_equal(r->errors[5].reason, "zz: byte 0x01 is not allowed in a tag value");
	assert_int_equal(r->p, DMARC_POLICY_NONE); /* the first p counts */
	assert_true(r->nunknown >= 3);             /* q, x1, foo, zz */
	dnsaudit__dmarc_record_free(r);
	/* Whitespace around '=' and ';', a final ';' and WSP after it are fine. */
	r = parse("v = DMARC1 ;\tp = reject ; ", DMARC_SPEC_RFC9989);
	assert_int_equal(r->status, DMARC_PARSE_OK);
	assert_int_equal(r->p, DMARC_POLICY_REJECT);
	dnsaudit__dmarc_record_free(r);
	/* Case: tag names and enumerated values are case-insensitive (ABNF). */
	r = parse("v=DMARC1; P=Reject; ADKIM=S", DMARC_SPEC_RFC9989);
	assert_int_equal(r->status, DMARC_PARSE_OK);
	assert_int_equal(r->p, DMARC_POLICY_REJECT);
	assert_int_equal(r->adkim, DMARC_ALIGN_STRICT);
	dnsaudit__dmarc_record_free(r);
}

static void parse_policy_rules(void **state)
{
	struct dmarc_record *r;

	(void)state;
	/* RFC 7489 §6.3: p required. Without a valid rua: no DMARC processing. */
	r = parse("v=DMARC1; pct=100", DMARC_SPEC_RFC7489);
	assert_int_equal(r->errors[0].kind, DMARC_ERR_MISSING_P);
	assert_false(r->usable);
	assert_int_equal(r->eff_p, DMARC_POLICY_UNSET);
	dnsaudit__dmarc_record_free(r);
	/* §6.6.3 step 6: with a valid rua, act as p=none. */
	r = parse("v=DMARC1; rua=mailto:a@example.com", DMARC_SPEC_RFC7489);
	assert_true(r->usable && r->policy_fallback);
	assert_int_equal(r->eff_p, DMARC_POLICY_NONE);
	dnsaudit__dmarc_record_free(r);
	r = parse("v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.com", DMARC_SPEC_RFC7489);
	assert_true(r->usable && r->policy_fallback);
	assert_int_equal(r->eff_p, DMARC_POLICY_NONE);
	assert_int_equal(r->eff_sp, DMARC_POLICY_NONE);
	dnsaudit__dmarc_record_free(r);
	/* An invalid rua does not rescue it. */
	r = parse("v=DMARC1; p=bob; rua=bad", DMARC_SPEC_RFC7489);
	assert_false(r->usable);
	dnsaudit__dmarc_record_free(r);
	/* p not second: a warning under RFC 7489. */
	r = parse("v=DMARC1; rua=mailto:a@example.com; p=none", DMARC_SPEC_RFC7489);
	assert_int_equal(r->nwarnings, 1);
	assert_int_equal(r->warnings[0].pos, 10);
	dnsaudit__dmarc_record_free(r);
	/* RFC 9989 §4.7: an absent p is p=none, with or without rua. */
	r = parse("v=DMARC1", DMARC_SPEC_RFC9989);
	assert_int_equal(r->status, DMARC_PARSE_OK);
	assert_true(r->usable && r->p_absent && !r->policy_fallback);
	assert_int_equal(r->eff_p, DMARC_POLICY_NONE);
	dnsaudit__dmarc_record_free(r);
	/* §4.10.1: an invalid np without rua: no DMARC processing; with rua: p=none. */
	r = parse("v=DMARC1; p=reject; np=bad", DMARC_SPEC_RFC9989);
	assert_false(r->usable);
	dnsaudit__dmarc_record_free(r);
	r = parse("v=DMARC1; p=reject; np=bad; rua=mailto:a@example.com", DMARC_SPEC_RFC9989);
	assert_true(r->usable && r->policy_fallback);
	assert_int_equal(r->eff_np, DMARC_POLICY_NONE);
	dnsaudit__dmarc_record_free(r);
	/* np defaults to sp, sp to p. */
	r = parse("v=DMARC1; p=reject; sp=quarantine", DMARC_SPEC_RFC9989);
	assert_int_equal(r->eff_np, DMARC_POLICY_QUARANTINE);
	dnsaudit__dmarc_record_free(r);
}

static void parse_uris(void **state)
{
	char big[2048];
	size_t o, i;
	struct dmarc_record *r;

	(void)state;
	r = parse(
	    "v=DMARC1; p=none; rua=mailto:a%40b@EXAMPLE.com?subject=x , MAILTO:c@d.example!5k,"
	    "mailto://abuse.example, mailto:x%2Cy@e.example; "
	    "ruf=mailto:z@f.example!18446744073709551616t",
	    DMARC_SPEC_RFC7489);
	assert_int_equal(r->nerrors, 0);
	assert_int_equal(r->nrua, 4);
	assert_string_equal(r->rua[0].address, "a@b@EXAMPLE.com");
	assert_string_equal(r->rua[0].domain, "example.com");
	assert_int_equal(r->rua[0].pos, 22);
	assert_true(r->rua[1].mailto);
	assert_true(r->rua[1].size_limit == 5 * 1024);
	assert_null(r->rua[2].address); /* a valid URI, but no usable address */
	assert_true(r->rua[2].valid && r->rua[2].mailto);
	assert_null(r->rua[3].address); /* an encoded ',' would make two addresses */
	assert_true(r->ruf[0].size_limit == UINT64_MAX);
	assert_int_equal(r->nwarnings, 0); /* !size is RFC 7489 syntax */
	dnsaudit__dmarc_record_free(r);
	/* More than DMARC_MAX_URIS: a located limit error, the rest ignored. */
	o = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none; rua=");
	for (i = 0; i < DMARC_MAX_URIS + 3; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%smailto:r%zu@example.com",
		                      i ? "," : "", i);
	r = parse(big, DMARC_SPEC_RFC9989);
	assert_int_equal(r->nrua, DMARC_MAX_URIS);
	assert_int_equal(r->nerrors, 1);
	assert_int_equal(r->errors[0].kind, DMARC_ERR_LIMIT);
	dnsaudit__dmarc_record_free(r);
	/* NUL inside: an error, never a crash or a shortened read. */
	assert_int_equal(dnsaudit__dmarc_parse("v=DMARC1; p=none\0x", 18, DMARC_SPEC_RFC9989, &r),
	                 0);
	assert_int_equal(r->nerrors, 1);
	assert_int_equal(r->errors[0].pos, 16);
	dnsaudit__dmarc_record_free(r);
}

/* ---- discovery ---- */

static void disc_9989_inherited(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_discovery *d = NULL;
	char b[512];

	add(f, "_dmarc.example.com", "TXT", "v=DMARC1; p=reject; sp=quarantine");
	add(f, "_dmarc.b.example.com", "TXT", "some other text");
	add(f, "a.b.example.com", "A", "192.0.2.1");
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "A.B.Example.COM.", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_FOUND);
	assert_string_equal(d->from_domain, "a.b.example.com");
	assert_string_equal(d->policy_domain, "example.com");
	assert_true(d->inherited);
	assert_string_equal(d->org.org, "example.com");
	assert_string_equal(d->org.rule, "fewest-labels");
	assert_int_equal(d->applied, DMARC_POLICY_QUARANTINE);
	assert_string_equal(d->applied_tag, "sp");
	assert_int_equal(d->from_exists, DMARC_EXISTS_NOT_CHECKED); /* no np */
	assert_string_equal(qlist(d->queries, d->nqueries, 0, b, sizeof(b)),
	                    "_dmarc.a.b.example.com,_dmarc.b.example.com,_dmarc.example.com,"
	                    "_dmarc.com");
	assert_string_equal(d->record_text, "v=DMARC1; p=reject; sp=quarantine");
	assert_false(d->incomplete);
	dnsaudit__dmarc_discovery_free(d);
}

static void disc_9989_psd_and_np(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_discovery *d = NULL;
	char b[512];

	add(f, "_dmarc.gov.example", "TXT", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y");
	add(f, "agency.gov.example", "A", "192.0.2.1");
	o = opts(f, DMARC_SPEC_RFC9989);
	/* Non-existent registration: org one label below the PSD, PSD policy, np. */
	assert_int_equal(dnsaudit__dmarc_discover(&o, "fake.gov.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_FOUND);
	assert_string_equal(d->org.org, "fake.gov.example");
	assert_string_equal(d->org.rule, "psd=y");
	assert_string_equal(d->policy_domain, "gov.example");
	assert_true(d->psd_policy && d->inherited);
	assert_int_equal(d->from_exists, DMARC_EXISTS_NO);
	assert_int_equal(d->applied, DMARC_POLICY_REJECT);
	assert_string_equal(d->applied_tag, "np");
	assert_string_equal(qlist(d->queries, d->nqueries, 0, b, sizeof(b)),
	                    "_dmarc.fake.gov.example,_dmarc.gov.example,fake.gov.example");
	assert_int_equal(d->queries[2].type, 1);
	assert_int_equal(d->queries[2].purpose, DMARC_Q_EXISTS);
	dnsaudit__dmarc_discovery_free(d);
	/* An existing subdomain: sp. Deeper: org is the label below the PSD. */
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "agency.gov.example", &d), 0);
	assert_int_equal(d->from_exists, DMARC_EXISTS_YES);
	assert_int_equal(d->applied, DMARC_POLICY_QUARANTINE);
	assert_string_equal(d->applied_tag, "sp");
	dnsaudit__dmarc_discovery_free(d);
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "x.y.agency.gov.example", &d), 0);
	assert_string_equal(d->org.org, "agency.gov.example");
	dnsaudit__dmarc_discovery_free(d);
}

static void disc_9989_psd_n_and_t(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_discovery *d = NULL;
	char b[512];

	add(f, "_dmarc.dept.example.com", "TXT", "v=DMARC1; p=reject; psd=n; t=y");
	add(f, "_dmarc.example.com", "TXT", "v=DMARC1; p=none");
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "mail.dept.example.com", &d), 0);
	/* psd=n stops the walk: example.com is never asked. */
	assert_string_equal(qlist(d->queries, d->nqueries, 1, b, sizeof(b)),
	                    "_dmarc.mail.dept.example.com,_dmarc.dept.example.com");
	assert_string_equal(d->org.org, "dept.example.com");
	assert_string_equal(d->org.rule, "psd=n");
	assert_int_equal(d->applied, DMARC_POLICY_REJECT);
	assert_int_equal(d->applied_t, DMARC_POLICY_QUARANTINE); /* t=y: one level lower */
	dnsaudit__dmarc_discovery_free(d);
}

static void disc_temperror_vs_none(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_discovery *d = NULL;

	add(f, "_dmarc.broken.example", "SERVFAIL", NULL);
	add(f, "_dmarc.slow.example", "TIMEOUT", NULL);
	add(f, "_dmarc.ok.example", "TXT", "v=DMARC1; p=reject");
	add(f, "_dmarc.ok.example", "TXT", "v=DMARC1; p=none");
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "x.broken.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_TEMPERROR);
	assert_int_equal(d->org.status, DMARC_DISC_TEMPERROR);
	assert_null(d->org.org);
	assert_non_null(strstr(d->detail, "servfail"));
	dnsaudit__dmarc_discovery_free(d);
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "slow.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_TEMPERROR);
	dnsaudit__dmarc_discovery_free(d);
	/* NXDOMAIN everywhere: none, and the From domain is its own org. */
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "nothing.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_NONE);
	assert_string_equal(d->org.org, "nothing.example");
	assert_string_equal(d->org.rule, "no-record");
	dnsaudit__dmarc_discovery_free(d);
	/* Two records: discarded (none), not an error. */
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "ok.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_NONE);
	assert_int_equal(d->queries[0].nrecords, 2);
	dnsaudit__dmarc_discovery_free(d);
	/* Not a domain: none, no query. */
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "[192.0.2.1]", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_NONE);
	assert_int_equal(d->nqueries, 0);
	dnsaudit__dmarc_discovery_free(d);
}

static void disc_walk_shortcut(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o = opts(f, DMARC_SPEC_RFC9989);
	struct dmarc_discovery *d = NULL;
	char b[1024];

	assert_int_equal(dnsaudit__dmarc_discover(&o, "a.b.c.d.e.f.g.h.i.j.mail.example.com", &d),
	                 0);
	/* RFC 9989 §4.10's own example: eight queries. */
	assert_string_equal(qlist(d->queries, d->nqueries, 1, b, sizeof(b)),
	                    "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com,_dmarc.g.h.i.j.mail."
	                    "example.com,_dmarc.h.i.j.mail.example.com,_dmarc.i.j.mail.example.com,"
	                    "_dmarc.j.mail.example.com,_dmarc.mail.example.com,_dmarc.example.com,"
	                    "_dmarc.com");
	dnsaudit__dmarc_discovery_free(d);
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "com", &d), 0);
	assert_int_equal(d->nqueries, 1);
	dnsaudit__dmarc_discovery_free(d);
}

static void disc_pending(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_discovery *d = NULL;

	add(f, "_dmarc.example.com", "TXT", "v=DMARC1; p=reject");
	o = opts(f, DMARC_SPEC_RFC9989);
	f->hold = "_dmarc.example.com.";
	assert_int_equal(dnsaudit__dmarc_discover(&o, "mail.example.com", &d), 0);
	assert_true(d->incomplete);
	assert_true(d->queries[1].pending);
	/* The walk went on: the round asks _dmarc.com too. */
	assert_int_equal(d->nqueries, 3);
	assert_int_equal(f->held, 1);
	dnsaudit__dmarc_discovery_free(d);
	f->hold = NULL;
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "mail.example.com", &d), 0);
	assert_false(d->incomplete);
	assert_int_equal(d->status, DMARC_DISC_FOUND);
	dnsaudit__dmarc_discovery_free(d);
}

static void disc_7489_psl(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_discovery *d = NULL;
	char b[512];

	add(f, "_dmarc.example.co.uk", "TXT", "v=DMARC1; p=reject; sp=none; np=quarantine");
	add(f, "_dmarc.two.example", "TXT", "v=DMARC1; p=reject");
	add(f, "_dmarc.two.example", "TXT", "v=DMARC1; p=none");
	add(f, "_dmarc.sub.two.example", "TXT", "v=DMARC1; p=reject");
	add(f, "_dmarc.sub.two.example", "TXT", "v=DMARC1; p=none");
	add(f, "_dmarc.fail.example", "SERVFAIL", NULL);
	o = opts(f, DMARC_SPEC_RFC7489);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "a.b.example.co.uk", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_FOUND);
	assert_string_equal(d->org.org, "example.co.uk");
	assert_string_equal(d->org.rule, "psl");
	assert_string_equal(qlist(d->queries, d->nqueries, 0, b, sizeof(b)),
	                    "_dmarc.a.b.example.co.uk,_dmarc.example.co.uk");
	assert_true(d->inherited);
	assert_int_equal(d->applied, DMARC_POLICY_NONE); /* sp; RFC 7489 has no np */
	assert_string_equal(d->applied_tag, "sp");
	dnsaudit__dmarc_discovery_free(d);
	/* Several records at the From domain end discovery (§6.6.3 step 5). */
	o = opts(f, DMARC_SPEC_RFC7489);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "sub.two.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_NONE);
	assert_int_equal(d->nqueries, 1);
	dnsaudit__dmarc_discovery_free(d);
	/* A DNS failure is temperror, not none. */
	o = opts(f, DMARC_SPEC_RFC7489);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "x.fail.example", &d), 0);
	assert_int_equal(d->status, DMARC_DISC_TEMPERROR);
	dnsaudit__dmarc_discovery_free(d);
	/* A public suffix is its own organizational domain: one query. */
	o = opts(f, DMARC_SPEC_RFC7489);
	assert_int_equal(dnsaudit__dmarc_discover(&o, "co.uk", &d), 0);
	assert_string_equal(d->org.rule, "psl-public-suffix");
	assert_int_equal(d->nqueries, 1);
	dnsaudit__dmarc_discovery_free(d);
}

static void psl_info(void **state)
{
	struct dmarc_psl_info info;
	psl_ctx_t *psl = NULL;
	char org[300];

	(void)state;
	assert_int_equal(dnsaudit__dmarc_psl_load(&psl, &info), 0);
	assert_true(strcmp(info.source, "system") == 0 || strcmp(info.source, "builtin") == 0);
	assert_int_equal(strlen(info.date), 10); /* YYYY-MM-DD */
	assert_non_null(strstr(info.libpsl, "0."));
	assert_int_equal(
	    dnsaudit__dmarc_org_domain_psl(psl, "Mail.Example.CO.UK.", org, sizeof(org)), 0);
	assert_string_equal(org, "example.co.uk");
	assert_int_equal(dnsaudit__dmarc_org_domain_psl(psl, "x.example.test", org, sizeof(org)),
	                 0);
	assert_string_equal(org, "example.test");
	assert_int_equal(dnsaudit__dmarc_org_domain_psl(psl, "a..b", org, sizeof(org)),
	                 DNSAUDIT_EINVAL);
	dnsaudit__dmarc_psl_free(psl);
}

/* ---- alignment and evaluation ---- */

static dmarc_alignment align(const struct dmarc_opts *o, const char *a, const char *b,
                             dmarc_align_mode m)
{
	dmarc_alignment out;

	assert_int_equal(dnsaudit__dmarc_aligned(o, a, b, m, &out), 0);
	return out;
}

static void alignment_both_modes(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;

	add(f, "_dmarc.dept.example.com", "TXT", "v=DMARC1; p=reject; psd=n");
	add(f, "_dmarc.example.com", "TXT", "v=DMARC1; p=none");
	add(f, "_dmarc.bad.example", "SERVFAIL", NULL);
	o = opts(f, DMARC_SPEC_RFC7489);
	assert_int_equal(align(&o, "Mail.Example.com.", "example.COM", DMARC_ALIGN_RELAXED),
	                 DMARC_ALIGNED);
	assert_int_equal(align(&o, "mail.example.com", "example.com", DMARC_ALIGN_STRICT),
	                 DMARC_NOT_ALIGNED);
	assert_int_equal(align(&o, "EXAMPLE.com.", "example.com", DMARC_ALIGN_STRICT),
	                 DMARC_ALIGNED);
	assert_int_equal(align(&o, "a.example.co.uk", "b.other.co.uk", DMARC_ALIGN_RELAXED),
	                 DMARC_NOT_ALIGNED);
	/* The PSL sees one org; the tree walk sees psd=n split it. */
	assert_int_equal(align(&o, "a.dept.example.com", "example.com", DMARC_ALIGN_RELAXED),
	                 DMARC_ALIGNED);
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(align(&o, "a.dept.example.com", "example.com", DMARC_ALIGN_RELAXED),
	                 DMARC_NOT_ALIGNED);
	assert_int_equal(align(&o, "a.dept.example.com", "b.dept.example.com", DMARC_ALIGN_RELAXED),
	                 DMARC_ALIGNED);
	assert_int_equal(align(&o, "x.example.com", "y.example.com", DMARC_ALIGN_RELAXED),
	                 DMARC_ALIGNED);
	assert_int_equal(align(&o, "x.bad.example", "y.bad.example", DMARC_ALIGN_RELAXED),
	                 DMARC_ALIGN_TEMPERROR);
	assert_int_equal(align(&o, ".example.com", "example.com", DMARC_ALIGN_STRICT),
	                 DMARC_NOT_ALIGNED);
}

static struct dmarc_eval *eval(const struct dmarc_opts *o, const char *from, const char *spf,
                               const char *dkim)
{
	struct dmarc_eval_input in = {from, &spf, spf != NULL, &dkim, dkim != NULL};
	struct dmarc_eval *ev = NULL;

	assert_int_equal(dnsaudit__dmarc_evaluate(o, &in, &ev), 0);
	return ev;
}

static void evaluation(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_eval *ev;

	add(f, "_dmarc.example.com", "TXT", "v=DMARC1; p=reject; aspf=s");
	add(f, "_dmarc.dept.example.com", "TXT", "v=DMARC1; p=quarantine; psd=n");
	add(f, "_dmarc.broken.example", "TXT", "v=DMARC1; p=bogus");
	/* aspf=s: the SPF subdomain fails, the DKIM subdomain aligns relaxed. */
	o = opts(f, DMARC_SPEC_RFC9989);
	ev = eval(&o, "example.com", "bounce.example.com", "mail.example.com");
	assert_int_equal(ev->result, DMARC_RESULT_PASS);
	assert_int_equal(ev->spf_aligned, -1);
	assert_int_equal(ev->dkim_aligned, 1);
	assert_int_equal(ev->idents[0].alignment, DMARC_NOT_ALIGNED);
	assert_int_equal(ev->idents[0].mode, DMARC_ALIGN_STRICT);
	assert_string_equal(ev->idents[1].org, "example.com");
	assert_int_equal(ev->policy, DMARC_POLICY_REJECT);
	assert_string_equal(ev->policy_domain, "example.com");
	assert_string_equal(ev->org_domain, "example.com");
	dnsaudit__dmarc_eval_free(ev);
	/* psd=n splits the org in RFC 9989, not under the PSL. */
	o = opts(f, DMARC_SPEC_RFC9989);
	ev = eval(&o, "a.dept.example.com", NULL, "example.com");
	assert_int_equal(ev->result, DMARC_RESULT_FAIL);
	assert_int_equal(ev->policy, DMARC_POLICY_QUARANTINE);
	dnsaudit__dmarc_eval_free(ev);
	o = opts(f, DMARC_SPEC_RFC7489);
	ev = eval(&o, "a.dept.example.com", NULL, "example.com");
	assert_int_equal(ev->result, DMARC_RESULT_PASS);
	assert_string_equal(ev->policy_domain, "example.com");
	dnsaudit__dmarc_eval_free(ev);
	/* No identifiers: fail. No record: none. Unusable record: none. */
	o = opts(f, DMARC_SPEC_RFC9989);
	ev = eval(&o, "example.com", NULL, NULL);
	assert_int_equal(ev->result, DMARC_RESULT_FAIL);
	dnsaudit__dmarc_eval_free(ev);
	o = opts(f, DMARC_SPEC_RFC9989);
	ev = eval(&o, "other.example", NULL, "other.example");
	assert_int_equal(ev->result, DMARC_RESULT_NONE);
	assert_int_equal(ev->policy, DMARC_POLICY_UNSET);
	dnsaudit__dmarc_eval_free(ev);
	o = opts(f, DMARC_SPEC_RFC9989);
	ev = eval(&o, "broken.example", NULL, "broken.example");
	assert_int_equal(ev->result, DMARC_RESULT_NONE);
	dnsaudit__dmarc_eval_free(ev);
	/* A bad identifier aligns with nothing; a pending answer is not a verdict. */
	o = opts(f, DMARC_SPEC_RFC9989);
	f->hold = "_dmarc.x.example.com.";
	ev = eval(&o, "example.com", "[1.2.3.4]", "x.example.com");
	assert_int_equal(ev->result, DMARC_RESULT_TEMPERROR);
	assert_true(ev->incomplete);
	assert_int_equal(ev->idents[0].alignment, DMARC_NOT_ALIGNED);
	assert_int_equal(ev->idents[1].alignment, DMARC_ALIGN_PENDING);
	dnsaudit__dmarc_eval_free(ev);
	f->hold = NULL;
}

static void evaluation_bad_input(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o = opts(f, DMARC_SPEC_RFC9989);
	const char *many[DMARC_MAX_IDENTIFIERS + 1];
	struct dmarc_eval_input in = {"example.com", many, DMARC_MAX_IDENTIFIERS + 1, NULL, 0};
	struct dmarc_eval *ev = NULL;
	size_t i;

	for (i = 0; i < DMARC_MAX_IDENTIFIERS + 1; i++)
		many[i] = "example.com";
	assert_int_equal(dnsaudit__dmarc_evaluate(&o, &in, &ev), DNSAUDIT_EINVAL);
	in.from_domain = NULL;
	in.nspf = 1;
	assert_int_equal(dnsaudit__dmarc_evaluate(&o, &in, &ev), DNSAUDIT_EINVAL);
	o.psl = NULL;
	o.spec = DMARC_SPEC_RFC7489;
	in.from_domain = "example.com";
	assert_int_equal(dnsaudit__dmarc_evaluate(&o, &in, &ev), DNSAUDIT_EINVAL);
	assert_null(ev);
}

/* ---- report destinations ---- */

static void report_destinations(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o;
	struct dmarc_destinations *ds = NULL;
	struct dmarc_record *r;

	add(f, "_dmarc.example.com", "TXT", "v=DMARC1; p=none");
	add(f, "example.com._report._dmarc.reports.example.net", "TXT",
	    "v=DMARC1; rua=mailto:other@reports.example.net");
	add(f, "example.com._report._dmarc.wild.example.org", "TXT", "v=DMARC1;");
	add(f, "example.com._report._dmarc.wrong.example", "TXT", "v=spf1 -all");
	add(f, "example.com._report._dmarc.down.example", "SERVFAIL", NULL);
	r = parse("v=DMARC1; p=none; rua=mailto:a@Sub.Example.com, "
	          "mailto:x@reports.example.net, https://h.example/r, mailto:y@down.example; "
	          "ruf=mailto:z@wrong.example, mailto://nobody",
	          DMARC_SPEC_RFC9989);
	o = opts(f, DMARC_SPEC_RFC9989);
	assert_int_equal(dnsaudit__dmarc_report_destinations(&o, "Example.com", r, &ds), 0);
	assert_int_equal(ds->n, 6);
	assert_string_equal(ds->policy_org, "example.com");
	assert_int_equal(ds->items[0].authorized, DMARC_AUTH_NOT_NEEDED);
	assert_int_equal(ds->items[0].external, 0);
	assert_null(ds->items[0].query);
	assert_int_equal(ds->items[1].authorized, DMARC_AUTH_YES);
	assert_string_equal(ds->items[1].query, "example.com._report._dmarc.reports.example.net");
	assert_string_equal(ds->items[1].override, "mailto:other@reports.example.net");
	assert_true(ds->items[1].override_ok);
	assert_int_equal(ds->items[2].authorized, DMARC_AUTH_NOT_APPLICABLE);
	assert_int_equal(ds->items[3].authorized, DMARC_AUTH_UNKNOWN);
	assert_int_equal(ds->items[3].status, DNSAUDIT_DNS_SERVFAIL);
	assert_true(ds->items[4].ruf);
	assert_int_equal(ds->items[4].authorized, DMARC_AUTH_NO);
	assert_int_equal(ds->items[5].authorized, DMARC_AUTH_NOT_APPLICABLE);
	dnsaudit__dmarc_destinations_free(ds);
	dnsaudit__dmarc_record_free(r);
	/* RFC 7489 mode (PSL); "v=DMARC1;" alone authorizes. */
	r = parse("v=DMARC1; p=none; rua=mailto:a@wild.example.org, mailto:b@mail.example.com",
	          DMARC_SPEC_RFC7489);
	o = opts(f, DMARC_SPEC_RFC7489);
	assert_int_equal(dnsaudit__dmarc_report_destinations(&o, "example.com", r, &ds), 0);
	assert_int_equal(ds->items[0].authorized, DMARC_AUTH_YES);
	assert_int_equal(ds->items[0].external, 1);
	assert_int_equal(ds->items[1].authorized, DMARC_AUTH_NOT_NEEDED);
	assert_int_equal(ds->nqueries, 1);
	dnsaudit__dmarc_destinations_free(ds);
	dnsaudit__dmarc_record_free(r);
}

static void report_name_too_long(void **state)
{
	struct fixture *f = *state;
	struct dmarc_opts o = opts(f, DMARC_SPEC_RFC7489);
	struct dmarc_destinations *ds = NULL;
	struct dmarc_record *r;
	char rec[600], label[64];

	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(rec, sizeof(rec), "v=DMARC1; rua=mailto:x@%s.%s.%s.example", label, label, label);
	r = parse(rec, DMARC_SPEC_RFC7489);
	snprintf(rec, sizeof(rec), "%s.policy.example", label);
	assert_int_equal(dnsaudit__dmarc_report_destinations(&o, rec, r, &ds), 0);
	assert_int_equal(ds->items[0].authorized, DMARC_AUTH_NO);
	assert_int_equal(ds->nqueries, 0);
	dnsaudit__dmarc_destinations_free(ds);
	dnsaudit__dmarc_record_free(r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_every_tag_9989),
	    cmocka_unit_test(parse_every_tag_7489),
	    cmocka_unit_test(parse_bad_values_located),
	    cmocka_unit_test(parse_removed_tags),
	    cmocka_unit_test(parse_fatal),
	    cmocka_unit_test(parse_syntax_errors),
	    cmocka_unit_test(parse_policy_rules),
	    cmocka_unit_test(parse_uris),
	    T(disc_9989_inherited),
	    T(disc_9989_psd_and_np),
	    T(disc_9989_psd_n_and_t),
	    T(disc_temperror_vs_none),
	    T(disc_walk_shortcut),
	    T(disc_pending),
	    T(disc_7489_psl),
	    cmocka_unit_test(psl_info),
	    T(alignment_both_modes),
	    T(evaluation),
	    T(evaluation_bad_input),
	    T(report_destinations),
	    T(report_name_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
