/*
 * test_spf_parse.c -- the SPF record grammar (spf_parse.c) and the macro
 * expander (spf_macro.c): every mechanism and modifier, qualifiers, dual
 * CIDR lengths, errors with their byte positions, the RFC 7208 §7.4
 * expansion examples exactly, and hostile input that must not crash.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "spf_internal.h"

static struct spf_record *parse_ok(const char *record)
{
	struct spf_record *rec = NULL;
	struct spf_error err;
	int rc = dnsaudit__spf_parse(record, strlen(record), &rec, &err);

	if (rc != 0)
		fail_msg("'%s' did not parse: %s (at %zu)", record, err.reason, err.pos);
	assert_non_null(rec);
	return rec;
}

static void test_is_record(void **state)
{
	(void)state;
	assert_true(dnsaudit__spf_is_record("v=spf1", 6));
	assert_true(dnsaudit__spf_is_record("v=spf1 -all", 11));
	assert_true(dnsaudit__spf_is_record("V=SpF1 ~all", 11));
	assert_false(dnsaudit__spf_is_record("v=spf10", 7));
	assert_false(dnsaudit__spf_is_record("v=spf1-all", 10));
	assert_false(dnsaudit__spf_is_record("v=spf", 5));
	assert_false(dnsaudit__spf_is_record(" v=spf1", 7));
	assert_false(dnsaudit__spf_is_record(NULL, 0));
}

static void test_every_mechanism(void **state)
{
	struct spf_record *rec =
	    parse_ok("v=spf1 all include:i.example.com a a:a.example.com/24//64 mx "
	             "mx:m.example.com//64 ptr ptr:p.example.com ip4:192.0.2.0/24 "
	             "ip6:2001:db8::/32 exists:%{i}.e.example.com");
	static const spf_term_kind kinds[] = {
	    SPF_MECH_ALL, SPF_MECH_INCLUDE, SPF_MECH_A,   SPF_MECH_A,   SPF_MECH_MX,    SPF_MECH_MX,
	    SPF_MECH_PTR, SPF_MECH_PTR,     SPF_MECH_IP4, SPF_MECH_IP6, SPF_MECH_EXISTS};
	unsigned char v4[4] = {192, 0, 2, 0}, v6[16];
	size_t i;

	(void)state;
	assert_int_equal(rec->nterms, 11);
	for (i = 0; i < rec->nterms; i++) {
		assert_int_equal(rec->terms[i].kind, kinds[i]);
		assert_int_equal(rec->terms[i].qualifier, '+');
	}
	assert_int_equal(rec->all, 0);
	assert_int_equal(rec->redirect, -1);
	assert_int_equal(rec->exp, -1);
	assert_string_equal(rec->terms[1].domain_spec, "i.example.com");
	assert_null(rec->terms[2].domain_spec);
	assert_int_equal(rec->terms[2].cidr4, -1);
	assert_int_equal(rec->terms[2].cidr6, -1);
	assert_string_equal(rec->terms[3].domain_spec, "a.example.com");
	assert_int_equal(rec->terms[3].cidr4, 24);
	assert_int_equal(rec->terms[3].cidr6, 64);
	assert_string_equal(rec->terms[5].domain_spec, "m.example.com");
	assert_int_equal(rec->terms[5].cidr4, -1);
	assert_int_equal(rec->terms[5].cidr6, 64);
	assert_null(rec->terms[6].domain_spec);
	assert_string_equal(rec->terms[7].domain_spec, "p.example.com");
	assert_int_equal(rec->terms[8].family, AF_INET);
	assert_memory_equal(rec->terms[8].addr, v4, 4);
	assert_int_equal(rec->terms[8].cidr4, 24);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", v6), 1);
	assert_int_equal(rec->terms[9].family, AF_INET6);
	assert_memory_equal(rec->terms[9].addr, v6, 16);
	assert_int_equal(rec->terms[9].cidr6, 32);
	assert_string_equal(rec->terms[10].domain_spec, "%{i}.e.example.com");
	assert_string_equal(rec->terms[10].text, "exists:%{i}.e.example.com");
	assert_int_equal(rec->terms[10].pos,
	                 strlen("v=spf1 all include:i.example.com a "
	                        "a:a.example.com/24//64 mx mx:m.example.com//64 "
	                        "ptr ptr:p.example.com ip4:192.0.2.0/24 "
	                        "ip6:2001:db8::/32 "));
	dnsaudit__spf_record_free(rec);
}

static void test_qualifiers_and_case(void **state)
{
	struct spf_record *rec =
	    parse_ok("V=SPF1 +ALL -Include:x.example.com ~A ?Mx IP4:1.2.3.4  ");

	(void)state;
	assert_int_equal(rec->nterms, 5);
	assert_int_equal(rec->terms[0].qualifier, '+');
	assert_int_equal(rec->terms[1].qualifier, '-');
	assert_int_equal(rec->terms[1].kind, SPF_MECH_INCLUDE);
	assert_int_equal(rec->terms[2].qualifier, '~');
	assert_int_equal(rec->terms[2].kind, SPF_MECH_A);
	assert_int_equal(rec->terms[3].qualifier, '?');
	assert_int_equal(rec->terms[3].kind, SPF_MECH_MX);
	assert_int_equal(rec->terms[4].kind, SPF_MECH_IP4);
	dnsaudit__spf_record_free(rec);
}

static void test_cidr_forms(void **state)
{
	struct spf_record *rec =
	    parse_ok("v=spf1 a/24 a//64 a/0//0 mx/32 mx//128 "
	             "a:foo:bar/baz.example.com ip6:::1.1.1.1/0 ip4:0.0.0.0/0");

	(void)state;
	assert_int_equal(rec->terms[0].cidr4, 24);
	assert_int_equal(rec->terms[0].cidr6, -1);
	assert_int_equal(rec->terms[1].cidr4, -1);
	assert_int_equal(rec->terms[1].cidr6, 64);
	assert_int_equal(rec->terms[2].cidr4, 0);
	assert_int_equal(rec->terms[2].cidr6, 0);
	assert_int_equal(rec->terms[3].cidr4, 32);
	assert_int_equal(rec->terms[4].cidr6, 128);
	/* '/' inside a domain-spec is no prefix length. */
	assert_string_equal(rec->terms[5].domain_spec, "foo:bar/baz.example.com");
	assert_int_equal(rec->terms[5].cidr4, -1);
	assert_int_equal(rec->terms[6].cidr6, 0);
	assert_int_equal(rec->terms[7].cidr4, 0);
	dnsaudit__spf_record_free(rec);
}

static void test_modifiers(void **state)
{
	struct spf_record *rec = parse_ok("v=spf1 foo.bar-baz_1=%{s}:x/y redirect=r.example.com. "
	                                  "EXP=%{d2}.exp.example.com a=b default=+");

	(void)state;
	assert_int_equal(rec->nterms, 5);
	assert_int_equal(rec->terms[0].kind, SPF_MOD_UNKNOWN);
	assert_int_equal(rec->terms[0].qualifier, 0);
	assert_string_equal(rec->terms[0].name, "foo.bar-baz_1");
	assert_string_equal(rec->terms[0].domain_spec, "%{s}:x/y");
	assert_int_equal(rec->redirect, 1);
	assert_string_equal(rec->terms[1].domain_spec, "r.example.com.");
	assert_int_equal(rec->exp, 2);
	assert_int_equal(rec->terms[2].kind, SPF_MOD_EXP);
	/* "a=b" is an unknown modifier named "a", not the a mechanism. */
	assert_int_equal(rec->terms[3].kind, SPF_MOD_UNKNOWN);
	assert_string_equal(rec->terms[3].name, "a");
	assert_int_equal(rec->terms[4].kind, SPF_MOD_UNKNOWN);
	dnsaudit__spf_record_free(rec);
}

static void test_domain_end_forms(void **state)
{
	static const char *const good[] = {
	    "v=spf1 a:example.com.",
	    "v=spf1 a:%{d}",
	    "v=spf1 a:foo.%{d}",
	    "v=spf1 a:foo%%",
	    "v=spf1 a:x.xn--zckzah",
	    "v=spf1 a:x.1-2",
	    "v=spf1 exists:%{ir}.%{v}._spf.%{d2}",
	    "v=spf1 a:macro%%percent%_%_space%-url-space.example.com",
	    "v=spf1",
	    "v=spf1 ",
	    "v=spf1 a:%{l2r+-}.user.%{d2}",
	    "v=spf1 a:%{d9999999999999}.x.com"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		dnsaudit__spf_record_free(parse_ok(good[i]));
}

struct bad_case {
	const char *record;
	size_t pos;
	const char *reason; /* a substring of the reason */
};

static const struct bad_case bad_cases[] = {
    {"v=spf1 moo", 7, "unknown mechanism 'moo'"},
    {"v=spf1 -all moo", 12, "unknown mechanism 'moo'"},
    {"v=spf1 ip4:1.2.3.4/33", 19, "ip4 prefix out of range"},
    {"v=spf1 ip4:1.2.3.4/032", 19, "leading zero"},
    {"v=spf1 ip4:1.2.3.4//32", 19, "bad ip4 prefix length"},
    {"v=spf1 ip6:::1/129", 15, "ip6 prefix out of range"},
    {"v=spf1 ip4:1.2.3", 11, "invalid ip4 address"},
    {"v=spf1 ip4:01.2.3.4", 11, "invalid ip4 address"},
    {"v=spf1 ip4:1.2.3.4:8080", 11, "invalid ip4 address"},
    {"v=spf1 ip4", 10, "ip4 needs ':'"},
    {"v=spf1 ip6::CAFE::BABE", 11, "invalid ip6 address"},
    {"v=spf1 a/33", 9, "ip4 prefix out of range"},
    {"v=spf1 a//129", 10, "ip6 prefix out of range"},
    {"v=spf1 a:foo", 9, "must end in '.' and a top-level label"},
    {"v=spf1 a:museum.", 9, "must end in '.' and a top-level label"},
    {"v=spf1 a:example.123", 17, "invalid top-level label '123'"},
    {"v=spf1 a:example.-com", 17, "invalid top-level label '-com'"},
    {"v=spf1 a:example.com:8080", 17, "invalid top-level label 'com:8080'"},
    {"v=spf1 a:", 9, "empty domain-spec"},
    {"v=spf1 include:", 15, "empty domain-spec"},
    {"v=spf1 include", 14, "include needs ':'"},
    {"v=spf1 include:x.example.com/24", 25, "invalid top-level label 'com/24'"},
    {"v=spf1 exists", 13, "exists needs ':'"},
    {"v=spf1 ptr/0", 10, "ptr takes no prefix length"},
    {"v=spf1 -all.", 8, "unknown mechanism 'all.'"},
    {"v=spf1 -all:foo", 11, "all takes no argument"},
    {"v=spf1 redirect=a.example.com redirect=b.example.com", 30, "more than once"},
    {"v=spf1 exp=a.example.com exp=b.example.com", 25, "exp= given more than once"},
    {"v=spf1 exp=", 11, "empty domain-spec"},
    {"v=spf1 redirect:x.example.com", 7, "unknown mechanism 'redirect'"},
    {"v=spf1 +redirect=x.example.com", 8, "unknown mechanism 'redirect=x.example.com'"},
    {"v=spf1 1up=foo", 7, "unknown mechanism '1up=foo'"},
    {"v=spf1 =all", 7, "unknown mechanism '=all'"},
    {"v=spf1 moo.cow/far_out=man:dog/cat", 7, "unknown mechanism 'moo.cow'"},
    {"v=spf1 -all foo=%abc", 16, "'%' must be followed"},
    {"v=spf1 a:%{x}.example.com", 11, "unknown macro letter 'x'"},
    {"v=spf1 a:%{d0}.example.com", 12, "must not be zero"},
    {"v=spf1 exp=%{r}.example.com", 13, "exp= text only"},
    {"v=spf1 exists:%(ir).example.com", 14, "'%' must be followed"},
    {"v=spf1 exists:foo%.example.com", 17, "'%' must be followed"},
    {"v=spf1 a:%{d", 9, "unterminated"},
    {"v=spf1 a:foo.com%", 16, "'%' at the end"},
    {"v=spf1 a:ctrl.example.com\rptr -all", 25, "byte 0x0D"},
    {"v=spf1 \x80"
     "a:example.net",
     7, "byte 0x80"},
    {"v=spf1 -all\t", 11, "byte 0x09"},
    {"v=spf", 0, "not an SPF record"},
};

static void test_bad_records(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct spf_record *rec = NULL;
		struct spf_error err;
		int rc = dnsaudit__spf_parse(c->record, strlen(c->record), &rec, &err);

		if (rc != -1 || rec != NULL)
			fail_msg("'%s' parsed (rc %d)", c->record, rc);
		if (strstr(err.reason, c->reason) == NULL || err.pos != c->pos)
			fail_msg("'%s': got \"%s\" at %zu, want \"%s\" at %zu", c->record,
			         err.reason, err.pos, c->reason, c->pos);
	}
}

static void test_nul_and_size(void **state)
{
	static const char with_nul[] = "v=spf1 a:foo.example.com\0 -all";
	struct spf_record *rec = NULL;
	struct spf_error err;
	char *big = malloc(SPF_MAX_RECORD_OCTETS + 2);

	(void)state;
	assert_int_equal(dnsaudit__spf_parse(with_nul, sizeof(with_nul) - 1, &rec, &err), -1);
	assert_int_equal(err.pos, 24);
	assert_non_null(strstr(err.reason, "0x00"));
	assert_non_null(big);
	memset(big, ' ', SPF_MAX_RECORD_OCTETS + 1);
	memcpy(big, "v=spf1", 6);
	assert_int_equal(dnsaudit__spf_parse(big, SPF_MAX_RECORD_OCTETS + 1, &rec, &err), -1);
	assert_non_null(strstr(err.reason, "65535"));
	/* The largest record that may exist: all spaces but valid. */
	assert_int_equal(dnsaudit__spf_parse(big, SPF_MAX_RECORD_OCTETS, &rec, &err), 0);
	assert_int_equal(rec->nterms, 0);
	dnsaudit__spf_record_free(rec);
	free(big);
}

/* What the parser accepts, the expander expands. */
static void expand_all(const struct spf_record *rec)
{
	struct spf_macro_ctx c;
	struct spf_error err;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.sender = "a.b-c@d.example";
	c.domain = "d.example";
	c.family = AF_INET6;
	for (i = 0; i < rec->nterms; i++) {
		char *out = NULL;
		int explain = rec->terms[i].kind == SPF_MOD_UNKNOWN;

		if (rec->terms[i].domain_spec == NULL)
			continue;
		assert_int_equal(
		    dnsaudit__spf_expand(rec->terms[i].domain_spec, &c, explain, &out, &err), 0);
		assert_true(explain || strlen(out) <= SPF_MAX_DOMAIN_OCTETS ||
		            memchr(out, '.', strlen(out)) == NULL);
		free(out);
	}
}

/* Hostile input: random records from SPF-ish pieces and bytes never crash. */
static void test_random_records(void **state)
{
	static const char *const pieces[] = {
	    " ",    "  ",    "a",    "mx",         ":",         "/",    "//",       "%",
	    "%{",   "}",     "%{d}", "%{ir}",      "ip4:",      "ip6:", "1.2.3.4",  "::1",
	    "24",   "0",     "129",  "include:",   "redirect=", "exp=", "=",        ".",
	    ".com", "-",     "+",    "~",          "?",         "all",  "ptr",      "exists:",
	    "x",    "%%",    "%_",   "%-",         "\x01",      "\xff", "%{L2r-.}", "%{d0}",
	    "%{c}", "%{s9}", "foo=", "%{ir}.%{v}", "xn--a",     "%{h}"};
	uint32_t seed = 12345;
	char buf[512];
	int n;

	(void)state;
	for (n = 0; n < 20000; n++) {
		struct spf_record *rec = NULL;
		struct spf_error err;
		size_t len = 6;
		int k, count;

		memcpy(buf, "v=spf1", 6);
		seed = seed * 1103515245u + 12345u;
		count = (int)((seed >> 16) % 24);
		for (k = 0; k < count; k++) {
			const char *p;
			size_t l;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			l = strlen(p);
			if (len + l >= sizeof(buf))
				break;
			memcpy(buf + len, p, l);
			len += l;
		}
		if (dnsaudit__spf_parse(buf, len, &rec, &err) == 0)
			expand_all(rec);
		else
			assert_true(err.pos <= len);
		dnsaudit__spf_record_free(rec);
	}
}

/* ---- macros ---- */

static const char *ptr_name(void *arg)
{
	return arg;
}

static struct spf_macro_ctx rfc_ctx(int v6)
{
	struct spf_macro_ctx c;

	memset(&c, 0, sizeof(c));
	c.sender = "strong-bad@email.example.com";
	c.domain = "email.example.com";
	c.helo = "mx.example.org";
	c.family = v6 ? AF_INET6 : AF_INET;
	if (v6)
		inet_pton(AF_INET6, "2001:db8::cb01", c.ip);
	else
		inet_pton(AF_INET, "192.0.2.3", c.ip);
	c.validated_ptr = ptr_name;
	c.ptr_arg = (void *)"mx.example.org";
	return c;
}

static void expect(const struct spf_macro_ctx *c, int explain, const char *spec, const char *want)
{
	struct spf_error err;
	char *out = NULL;
	int rc = dnsaudit__spf_expand(spec, c, explain, &out, &err);

	if (rc != 0)
		fail_msg("'%s': %s", spec, err.reason);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' gave '%s', want '%s'", spec, out, want);
	free(out);
}

/* RFC 7208 §7.4, exactly. */
static void test_rfc7208_examples(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(0), c6 = rfc_ctx(1);

	(void)state;
	expect(&c, 0, "%{s}", "strong-bad@email.example.com");
	expect(&c, 0, "%{o}", "email.example.com");
	expect(&c, 0, "%{d}", "email.example.com");
	expect(&c, 0, "%{d4}", "email.example.com");
	expect(&c, 0, "%{d3}", "email.example.com");
	expect(&c, 0, "%{d2}", "example.com");
	expect(&c, 0, "%{d1}", "com");
	expect(&c, 0, "%{dr}", "com.example.email");
	expect(&c, 0, "%{d2r}", "example.email");
	expect(&c, 0, "%{l}", "strong-bad");
	expect(&c, 0, "%{l-}", "strong.bad");
	expect(&c, 0, "%{lr}", "strong-bad");
	expect(&c, 0, "%{lr-}", "bad.strong");
	expect(&c, 0, "%{l1r-}", "strong");
	expect(&c, 0, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com");
	expect(&c, 0, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com");
	expect(&c, 0, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	       "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expect(&c, 0, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	       "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expect(&c, 0, "%{d2}.trusted-domains.example.net",
	       "example.com.trusted-domains.example.net");
	expect(
	    &c6, 0, "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

static void test_macro_letters(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(0), c6 = rfc_ctx(1);

	(void)state;
	expect(&c, 0, "%{i}", "192.0.2.3");
	expect(&c, 0, "%{p}.x", "mx.example.org.x");
	expect(&c, 0, "%{h}", "mx.example.org");
	expect(&c, 0, "%{v}", "in-addr");
	expect(&c6, 0, "%{v}", "ip6");
	expect(&c6, 0, "%{i}", "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
	expect(&c, 0, "a%%b%_c%-d", "a%b c%20d");
	/* Explanation-only letters; r and t from the context, "unknown" without r. */
	expect(&c, 1, "%{c} %{C}", "192.0.2.3 192.0.2.3");
	expect(&c6, 1, "%{c}", "2001:db8::cb01");
	expect(&c, 1, "by %{r} at %{t}", "by unknown at 0");
	c.receiver = "mx.receiver.example";
	c.now = 1400000000;
	expect(&c, 1, "by %{r} at %{t}", "by mx.receiver.example at 1400000000");
	/* %{p} without a lookup is "unknown". */
	c.validated_ptr = NULL;
	expect(&c, 0, "%{p}", "unknown");
	/* The trailing dot of a domain-spec goes; that of a text stays. */
	expect(&c, 0, "%{d}.", "email.example.com");
	expect(&c, 1, "This is a test.", "This is a test.");
}

static void test_url_escape_and_delimiters(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(0);

	(void)state;
	c.sender = "~jack&jill=up-a_b3.c@e8.example.com";
	expect(&c, 1, "l=%{L}", "l=~jack%26jill%3Dup-a_b3.c");
	expect(&c, 0, "%{S}", "~jack%26jill%3Dup-a_b3.c%40e8.example.com");
	c.sender = "foo-bar+zip+quux@e12.example.com";
	expect(&c, 0, "%{l2r+-}.user.%{d2}", "bar.foo.user.example.com");
	c.sender = "philip-gladstone-test@e11.example.com";
	expect(&c, 0, "%{l2r-}", "gladstone.philip");
	/* A missing local-part is postmaster (§4.3). */
	c.sender = "@example.net";
	expect(&c, 1, "%{l}", "postmaster");
	expect(&c, 0, "%{o}", "example.net");
	/* Empty parts are kept: "a..b" is three parts. */
	c.domain = "a..b";
	expect(&c, 0, "%{d2}", ".b");
}

static void test_domain_truncation(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(0);
	struct spf_error err;
	char *out = NULL, want[300];
	size_t i;

	(void)state;
	/* §7.3: labels go from the left until the name fits 253 octets. */
	c.sender = "x@somewhat.long.exp.example.com";
	assert_int_equal(dnsaudit__spf_expand("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
	                                      "example.com",
	                                      &c, 0, &out, &err),
	                 0);
	for (i = 0; i < 8; i++)
		memcpy(want + 30 * i, "somewhat.long.exp.example.com.", 30);
	snprintf(want + 240, sizeof(want) - 240, "example.com");
	assert_string_equal(out, want);
	assert_true(strlen(out) <= 253);
	free(out);
}

static void test_macro_errors(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(0);
	struct spf_error err;
	char *out = NULL, *spec, *sender;
	size_t i;

	(void)state;
	assert_int_equal(dnsaudit__spf_expand("The %{x}-files.", &c, 1, &out, &err), -1);
	assert_int_equal(err.pos, 6);
	assert_null(out);
	assert_int_equal(dnsaudit__spf_expand("%{r}", &c, 0, &out, &err), -1);
	assert_int_equal(dnsaudit__spf_expand("a b", &c, 0, &out, &err), -1);
	assert_int_equal(dnsaudit__spf_macro_check("a b %{c}", 8, 1, &err), 0);
	assert_int_equal(dnsaudit__spf_macro_check("a b", 3, 0, &err), -1);
	/* An expansion past 64 KiB is refused, not allocated. */
	spec = malloc(4 * 600 + 1);
	sender = malloc(300);
	assert_non_null(spec);
	assert_non_null(sender);
	for (i = 0; i < 600; i++)
		memcpy(spec + 4 * i, "%{s}", 4);
	spec[4 * 600] = '\0';
	memset(sender, 'a', 299);
	sender[150] = '@';
	sender[299] = '\0';
	c.sender = sender;
	assert_int_equal(dnsaudit__spf_expand(spec, &c, 1, &out, &err), -1);
	assert_non_null(strstr(err.reason, "64 KiB"));
	assert_null(out);
	free(spec);
	free(sender);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_record),
	    cmocka_unit_test(test_every_mechanism),
	    cmocka_unit_test(test_qualifiers_and_case),
	    cmocka_unit_test(test_cidr_forms),
	    cmocka_unit_test(test_modifiers),
	    cmocka_unit_test(test_domain_end_forms),
	    cmocka_unit_test(test_bad_records),
	    cmocka_unit_test(test_nul_and_size),
	    cmocka_unit_test(test_random_records),
	    cmocka_unit_test(test_rfc7208_examples),
	    cmocka_unit_test(test_macro_letters),
	    cmocka_unit_test(test_url_escape_and_delimiters),
	    cmocka_unit_test(test_domain_truncation),
	    cmocka_unit_test(test_macro_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
