/*
 * test_spf_eval.c -- check_host() (spf_eval.c) over a tiny stub DNS: the
 * include chain, redirect, loops, the §4.6.4 limits (and which term crosses
 * them in walk mode), mx with 11 names, temperror vs none, exp=, the walk
 * tree, pending answers, and the blitiri-spf intents with multi-label names.
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
#include "spf_stub.h"

struct fixture {
	struct stub_zone *z;
	dnsaudit_source *src;
	dnsaudit_session *session;
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
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dnsaudit_session_free(f->session);
	dnsaudit_source_free(f->src);
	stub_zone_free(f->z);
	free(f);
	return 0;
}

static void add(struct fixture *f, const char *name, const char *type, const char *value)
{
	if (stub_zone_add1(f->z, name, type, value) != 0)
		fail_msg("zone: %s", stub_zone_error(f->z));
}

/* Each call starts a fresh session, so answers are asked again. */
static struct spf_eval *run_sender(struct fixture *f, const char *ip, const char *domain,
                                   const char *sender, int walk)
{
	struct spf_eval_opts o = {lookup, f, walk, "receiver.example", 1400000000};
	unsigned char addr[16] = {0};
	struct spf_eval *ev = NULL;
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (f->src == NULL) {
		assert_int_equal(stub_zone_finish(f->z), 0);
		assert_int_equal(dnsaudit__source_new_stub(&f->src, stub_zone_answer, f->z, 0), 0);
	}
	dnsaudit_session_free(f->session);
	assert_int_equal(dnsaudit_session_new(&f->session, f->src), 0);
	assert_int_equal(inet_pton(family, ip, addr), 1);
	assert_int_equal(
	    dnsaudit__spf_check_host(&o, family, addr, domain, sender, "helo.example.org", &ev), 0);
	assert_non_null(ev);
	assert_non_null(ev->root);
	return ev;
}

static struct spf_eval *run(struct fixture *f, const char *ip, const char *domain, int walk)
{
	return run_sender(f, ip, domain, NULL, walk);
}

static void assert_result(struct spf_eval *ev, spf_result want)
{
	if (ev->result != want)
		fail_msg("got %s, want %s (%s)", dnsaudit__spf_result_name(ev->result),
		         dnsaudit__spf_result_name(want), ev->root->error ? ev->root->error : "");
}

static void test_include_chain(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	const struct spf_node *b, *c;

	add(f, "a.example.com", "TXT", "v=spf1 include:b.example.com -all");
	add(f, "b.example.com", "TXT", "v=spf1 include:c.example.com ~all");
	add(f, "c.example.com", "TXT", "v=spf1 ip4:192.0.2.10 -all");
	ev = run(f, "192.0.2.10", "a.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_int_equal(ev->lookups, 2);
	b = ev->root->terms[0].child;
	assert_non_null(b);
	assert_string_equal(b->domain, "b.example.com");
	c = b->terms[0].child;
	assert_non_null(c);
	assert_true(c->terms[0].matched);
	assert_int_equal(c->result, SPF_RESULT_PASS);
	assert_true(ev->root->terms[0].matched);
	assert_true(ev->root->terms[1].unreachable);
	dnsaudit__spf_eval_free(ev);

	/* c fails, so neither include matches: b's ~all, then a's -all. */
	ev = run(f, "192.0.2.11", "a.example.com", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	assert_int_equal(ev->root->terms[0].child->result, SPF_RESULT_SOFTFAIL);
	assert_int_equal(ev->root->terms[0].child->terms[0].child->result, SPF_RESULT_FAIL);
	dnsaudit__spf_eval_free(ev);
}

static void test_redirect(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "a.example.com", "TXT", "v=spf1 ip4:192.0.2.99 redirect=b.example.com");
	add(f, "b.example.com", "TXT", "v=spf1 a -all");
	add(f, "b.example.com", "A", "192.0.2.1");
	add(f, "a.example.com", "A", "192.0.2.2");
	add(f, "c.example.com", "TXT", "v=spf1 redirect=b.example.com ?all");
	/* %{d} and the implicit a follow the redirect: b's address passes. */
	ev = run(f, "192.0.2.1", "a.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_string_equal(ev->root->terms[1].child->domain, "b.example.com");
	assert_string_equal(ev->root->terms[1].target, "b.example.com");
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.2", "a.example.com", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	dnsaudit__spf_eval_free(ev);
	/* With "all" in the record, redirect is ignored (§6.1). */
	ev = run(f, "192.0.2.1", "c.example.com", 0);
	assert_result(ev, SPF_RESULT_NEUTRAL);
	assert_true(ev->root->terms[0].unreachable);
	assert_null(ev->root->terms[0].child);
	assert_int_equal(ev->lookups, 0);
	dnsaudit__spf_eval_free(ev);
}

static void test_loops_end_as_permerror(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "a.example.com", "TXT", "v=spf1 include:b.example.com -all");
	add(f, "b.example.com", "TXT", "v=spf1 include:a.example.com -all");
	add(f, "r.example.com", "TXT", "v=spf1 redirect=r.example.com");
	ev = run(f, "192.0.2.1", "a.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->lookups, SPF_MAX_DNS_TERMS + 1);
	assert_int_equal(ev->root->error_kind, SPF_ERR_CHILD);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "r.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	dnsaudit__spf_eval_free(ev);
	/* The walk does not rely on limits: it sees the loop and stops there. */
	ev = run(f, "192.0.2.1", "a.example.com", 1);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->lookups, 2);
	{
		const struct spf_node_term *t = &ev->root->terms[0].child->terms[0];

		assert_true(t->over_limit);
		assert_int_equal(t->limit, SPF_ERR_LOOP);
		assert_null(t->child);
	}
	dnsaudit__spf_eval_free(ev);
}

static void test_void_lookup_limit(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "v.example.com", "TXT",
	    "v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com ip4:192.0.2.1");
	add(f, "n2.example.com", "A", "192.0.2.9"); /* exists, but no MX: NODATA is void too */
	add(f, "ok.example.com", "TXT", "v=spf1 a:n1.example.com a:n2.example.com ip4:192.0.2.1");
	ev = run(f, "192.0.2.1", "v.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->void_lookups, 3);
	assert_int_equal(ev->root->error_kind, SPF_ERR_VOID_LIMIT);
	assert_true(ev->root->terms[2].over_limit);
	assert_int_equal(ev->root->terms[2].limit, SPF_ERR_VOID_LIMIT);
	assert_false(ev->root->terms[1].over_limit);
	assert_true(ev->root->terms[3].unreachable);
	dnsaudit__spf_eval_free(ev);
	/* Two voids are allowed. */
	ev = run(f, "192.0.2.1", "ok.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_int_equal(ev->void_lookups, 1);
	dnsaudit__spf_eval_free(ev);
}

static void add_hosts(struct fixture *f, int n)
{
	char name[64];
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "h%d.example.com", i);
		add(f, name, "A", "198.51.100.1");
	}
}

static void test_lookup_limit(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	size_t i;

	add_hosts(f, 11);
	add(f, "eleven.example.com", "TXT",
	    "v=spf1 a:h1.example.com a:h2.example.com a:h3.example.com a:h4.example.com "
	    "a:h5.example.com a:h6.example.com a:h7.example.com a:h8.example.com a:h9.example.com "
	    "a:h10.example.com a:h11.example.com ip4:192.0.2.1 -all");
	ev = run(f, "192.0.2.1", "eleven.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_LOOKUP_LIMIT);
	assert_true(ev->root->terms[10].over_limit);
	assert_true(ev->root->terms[11].unreachable);
	dnsaudit__spf_eval_free(ev);
	/* Walk: every term visited, only the 11th is over the limit. */
	ev = run(f, "192.0.2.1", "eleven.example.com", 1);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->lookups, 11);
	for (i = 0; i < ev->root->nterms; i++) {
		assert_int_equal(ev->root->terms[i].over_limit, i == 10);
		assert_false(ev->root->terms[i].unreachable && i < 12);
	}
	assert_true(ev->root->terms[12].matched); /* -all: the walk's end */
	dnsaudit__spf_eval_free(ev);
}

/* The term that crosses the limit sits in an include; the walk names it. */
static void test_walk_limit_in_include(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	const struct spf_node *inc;
	size_t i;

	add(f, "top.example.com", "TXT", "v=spf1 a include:inc.example.com mx -all");
	add(f, "top.example.com", "A", "198.51.100.7");
	add(f, "top.example.com", "MX", "10 mail.example.com");
	add(f, "mail.example.com", "A", "198.51.100.8");
	add(f, "inc.example.com", "TXT", "v=spf1 a a a a a a a a a");
	add(f, "inc.example.com", "A", "198.51.100.9");
	ev = run(f, "192.0.2.1", "top.example.com", 1);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->lookups, 12);
	assert_int_equal(ev->root->error_kind, SPF_ERR_CHILD);
	inc = ev->root->terms[1].child;
	assert_non_null(inc);
	assert_int_equal(inc->error_kind, SPF_ERR_LOOKUP_LIMIT);
	for (i = 0; i < inc->nterms; i++)
		assert_int_equal(inc->terms[i].over_limit, i == 8);
	assert_false(ev->root->terms[0].over_limit);
	assert_false(ev->root->terms[2].over_limit);
	/* The walk went on past the limit: mx was looked up and listed. */
	assert_int_equal(ev->root->terms[2].lookups, 1);
	assert_int_equal(ev->root->terms[2].naddresses, 1);
	assert_string_equal(ev->root->terms[2].addresses[0], "198.51.100.8/32");
	dnsaudit__spf_eval_free(ev);
}

static void add_mx_set(struct fixture *f, const char *domain, int n)
{
	char v[80], host[64];
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(host, sizeof(host), "mx%d.%s", i, domain);
		snprintf(v, sizeof(v), "%d %s", i, host);
		add(f, domain, "MX", v);
		add(f, host, "A", i == n ? "192.0.2.1" : "198.51.100.1");
	}
}

static void test_mx_name_limit(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "ten.example.com", "TXT", "v=spf1 mx -all");
	add_mx_set(f, "ten.example.com", 10);
	add(f, "eleven.example.com", "TXT", "v=spf1 mx -all");
	add_mx_set(f, "eleven.example.com", 11);
	ev = run(f, "192.0.2.1", "ten.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_int_equal(ev->root->terms[0].names, 10);
	assert_int_equal(ev->root->terms[0].lookups, 1);
	dnsaudit__spf_eval_free(ev);
	/* 11 exchanges: permerror before any address is asked (§4.6.4). */
	ev = run(f, "192.0.2.1", "eleven.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_MX_LIMIT);
	assert_true(ev->root->terms[0].over_limit);
	assert_int_equal(ev->root->terms[0].limit, SPF_ERR_MX_LIMIT);
	assert_int_equal(ev->root->terms[0].names, 0);
	assert_int_equal(stub_zone_queries_for(f->z, "mx1.eleven.example.com", LDNS_RR_TYPE_A), 0);
	dnsaudit__spf_eval_free(ev);
	/* The walk still lists the first 10. */
	ev = run(f, "192.0.2.1", "eleven.example.com", 1);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->terms[0].names, 10);
	assert_int_equal(ev->root->terms[0].naddresses, 10);
	dnsaudit__spf_eval_free(ev);
}

static void test_temperror_vs_none(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "slow.example.com", "TIMEOUT", NULL);
	add(f, "broken.example.com", "SERVFAIL", NULL);
	add(f, "inc.example.com", "TXT", "v=spf1 include:slow.example.com -all");
	add(f, "a.example.com", "TXT", "v=spf1 a:slow.example.com -all");
	add(f, "ex.example.com", "TXT", "v=spf1 exists:broken.example.com -all");
	add(f, "nx.example.com", "TXT", "v=spf1 include:missing.example.com -all");
	add(f, "notxt.example.com", "A", "192.0.2.1");

	ev = run(f, "192.0.2.1", "slow.example.com", 0);
	assert_result(ev, SPF_RESULT_TEMPERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_DNS);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "missing.example.com", 0); /* NXDOMAIN */
	assert_result(ev, SPF_RESULT_NONE);
	assert_null(ev->root->error);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "notxt.example.com", 0); /* NODATA */
	assert_result(ev, SPF_RESULT_NONE);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "inc.example.com", 0);
	assert_result(ev, SPF_RESULT_TEMPERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_CHILD);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "a.example.com", 0);
	assert_result(ev, SPF_RESULT_TEMPERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_DNS);
	assert_non_null(ev->root->terms[0].note);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "ex.example.com", 0);
	assert_result(ev, SPF_RESULT_TEMPERROR);
	dnsaudit__spf_eval_free(ev);
	/* include of a domain without a record is a permerror, not none (§5.2). */
	ev = run(f, "192.0.2.1", "nx.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_NO_RECORD);
	dnsaudit__spf_eval_free(ev);
}

static void test_exp(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "e.example.com", "TXT", "v=spf1 ip4:192.0.2.1 -all exp=why.%{d}");
	add(f, "why.e.example.com", "TXT", "%{l} from %{c} not allowed by %{d} (%{r})");
	add(f, "i.example.com", "TXT", "v=spf1 include:e.example.com -all");
	add(f, "bad.example.com", "TXT", "v=spf1 -all exp=nowhere.example.com");
	ev = run_sender(f, "192.0.2.9", "e.example.com", "jane@e.example.com", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	assert_string_equal(ev->explanation,
	                    "jane from 192.0.2.9 not allowed by e.example.com (receiver.example)");
	/* exp= costs no DNS-querying term and no void lookup. */
	assert_int_equal(ev->lookups, 0);
	assert_int_equal(ev->void_lookups, 0);
	assert_string_equal(ev->root->terms[2].target, "why.e.example.com");
	dnsaudit__spf_eval_free(ev);
	/* A null sender is postmaster@domain. */
	ev = run(f, "192.0.2.9", "e.example.com", 0);
	assert_string_equal(ev->explanation, "postmaster from 192.0.2.9 not allowed by "
	                                     "e.example.com (receiver.example)");
	dnsaudit__spf_eval_free(ev);
	/* Included records' exp= is not used; a missing exp TXT is no error. */
	ev = run(f, "192.0.2.9", "i.example.com", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	assert_null(ev->explanation);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.9", "bad.example.com", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	assert_null(ev->explanation);
	dnsaudit__spf_eval_free(ev);
	/* No exp for a pass. */
	ev = run(f, "192.0.2.1", "e.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_null(ev->explanation);
	dnsaudit__spf_eval_free(ev);
}

static int has_address(const struct spf_node_term *t, const char *a)
{
	size_t i;

	for (i = 0; i < t->naddresses; i++)
		if (strcmp(t->addresses[i], a) == 0)
			return 1;
	return 0;
}

static void test_walk_tree(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	const struct spf_node *r = NULL;
	const struct spf_node_term *t;

	add(f, "w.example.com", "TXT",
	    "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24//64 mx include:inc.example.com "
	    "exists:%{i}.bl.example.com ptr ~all redirect=r.example.com");
	add(f, "w.example.com", "A", "198.51.100.10");
	add(f, "w.example.com", "AAAA", "2001:db8:1::10");
	add(f, "w.example.com", "MX", "10 mx.w.example.com");
	add(f, "mx.w.example.com", "A", "198.51.100.20");
	add(f, "inc.example.com", "TXT", "v=spf1 ip4:203.0.113.0/24 -all");
	add(f, "r.example.com", "TXT", "v=spf1 -all");
	ev = run(f, "192.0.2.1", "w.example.com", 1);
	r = ev->root;
	/* Nothing IP-dependent matches, so "~all" ends the walk; redirect is never used. */
	assert_result(ev, SPF_RESULT_SOFTFAIL);
	assert_int_equal(ev->lookups, 5);
	assert_int_equal(ev->void_lookups, 2); /* exists (NXDOMAIN) and ptr */
	assert_false(ev->incomplete);
	assert_int_equal(r->nterms, 9);
	assert_string_equal(r->record, "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24//64 mx "
	                               "include:inc.example.com exists:%{i}.bl.example.com ptr "
	                               "~all redirect=r.example.com");
	assert_int_equal(r->nrecords, 1);
	t = &r->terms[0];
	assert_false(t->matched);
	assert_string_equal(t->addresses[0], "192.0.2.0/24");
	assert_int_equal(t->lookups, 0);
	assert_string_equal(r->terms[1].addresses[0], "2001:db8::/32");
	t = &r->terms[2];
	assert_int_equal(t->kind, SPF_MECH_A);
	assert_int_equal(t->lookups, 1);
	assert_true(has_address(t, "198.51.100.10/24"));
	assert_true(has_address(t, "2001:db8:1::10/64"));
	t = &r->terms[3];
	assert_int_equal(t->names, 1);
	assert_true(has_address(t, "198.51.100.20/32"));
	t = &r->terms[4];
	assert_non_null(t->child);
	assert_int_equal(t->child->result, SPF_RESULT_FAIL);
	assert_string_equal(t->child->terms[0].addresses[0], "203.0.113.0/24");
	t = &r->terms[5];
	assert_string_equal(t->target, "192.0.2.1.bl.example.com");
	assert_int_equal(t->void_lookups, 1);
	assert_int_equal(r->terms[6].void_lookups, 1);
	assert_true(r->terms[7].matched);
	assert_int_equal(r->terms[7].qualifier, '~');
	assert_true(r->terms[8].unreachable);
	assert_null(r->terms[8].child);
	assert_int_equal(r->terms[8].qualifier, 0);
	dnsaudit__spf_eval_free(ev);
}

static void test_walk_pending(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "p.example.com", "TXT", "v=spf1 include:later.example.com a:b.example.com -all");
	add(f, "later.example.com", "TXT", "v=spf1 a a a -all");
	add(f, "b.example.com", "A", "198.51.100.1");
	f->hold = "later.example.com.";
	ev = run(f, "192.0.2.1", "p.example.com", 1);
	assert_true(ev->incomplete);
	assert_true(f->held > 0);
	/* The held subtree is skipped; the rest is walked. */
	assert_true(ev->root->terms[0].incomplete);
	assert_int_equal(ev->root->terms[0].child->error_kind, SPF_ERR_PENDING);
	assert_int_equal(ev->root->terms[1].lookups, 1);
	assert_true(has_address(&ev->root->terms[1], "198.51.100.1/32"));
	assert_result(ev, SPF_RESULT_FAIL);
	dnsaudit__spf_eval_free(ev);
	/* A real evaluation cannot go on without the answer. */
	ev = run(f, "192.0.2.1", "p.example.com", 0);
	assert_true(ev->incomplete);
	assert_result(ev, SPF_RESULT_TEMPERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_PENDING);
	dnsaudit__spf_eval_free(ev);
	f->hold = NULL;
	ev = run(f, "192.0.2.1", "p.example.com", 1);
	assert_false(ev->incomplete);
	assert_int_equal(ev->lookups, 5);
	dnsaudit__spf_eval_free(ev);
}

static void test_walk_bounds(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	char name[64], rec[96];
	int i;

	/* A chain of 60 includes: the walk stops at its record bound. */
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "c%d.example.com", i);
		snprintf(rec, sizeof(rec), "v=spf1 include:c%d.example.com -all", i + 1);
		add(f, name, "TXT", rec);
	}
	ev = run(f, "192.0.2.1", "c0.example.com", 1);
	assert_true(ev->truncated);
	assert_result(ev, SPF_RESULT_PERMERROR); /* the 11th include crossed the limit */
	assert_int_equal(ev->lookups, SPF_WALK_MAX_RECORDS);
	dnsaudit__spf_eval_free(ev);
}

/* blitiri-spf's intents, with the multi-label names RFC 7208 requires. */
static void test_blitiri_intents(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	char name[64], rec[64];
	int i;

	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "d1%d.example.com", i);
		snprintf(rec, sizeof(rec), "v=spf1 include:d2%d.example.com ~all", i);
		add(f, name, "TXT", rec);
		snprintf(name, sizeof(name), "d2%d.example.com", i);
		add(f, name, "TXT", i == 5 ? "v=spf1 all" : "v=spf1 -all");
	}
	add(f, "d00.example.com", "TXT", "v=spf1 -all");
	add(f, "okay.example.com", "TXT",
	    "v=spf1 include:d11.example.com include:d12.example.com include:d13.example.com "
	    "include:d14.example.com include:d15.example.com -all");
	add(f, "bad.example.com", "TXT",
	    "v=spf1 include:d00.example.com include:d11.example.com include:d12.example.com "
	    "include:d13.example.com include:d14.example.com include:d15.example.com -all");
	add(f, "domain.example.com", "MX", "1 blah1.example.com");
	add(f, "domain.example.com", "MX", "2 blah2.example.com");
	add(f, "mx10.example.com", "TXT",
	    "v=spf1 mx:domain.example.com mx:domain.example.com mx:domain.example.com "
	    "mx:domain.example.com mx:domain.example.com mx:domain.example.com "
	    "mx:domain.example.com mx:domain.example.com mx:domain.example.com "
	    "mx:domain.example.com all");
	add(f, "d01.example.com", "TXT", "v=spf1 mx -all");
	add(f, "d01.example.com", "MX", "10 doesnotexist.example.com");
	add(f, "d01.example.com", "MX", "20 sender.example.com");
	add(f, "sender.example.com", "A", "192.0.2.1");
	add(f, "d03.example.com", "TXT", "v=spf1 redirect=doesnotexist.example.com");

	ev = run(f, "192.0.2.1", "okay.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_int_equal(ev->lookups, 10);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "bad.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "mx10.example.com", 0);
	assert_result(ev, SPF_RESULT_PASS);
	assert_int_equal(ev->lookups, 10);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "d01.example.com", 0); /* one MX host NXDOMAIN */
	assert_result(ev, SPF_RESULT_PASS);
	assert_int_equal(ev->void_lookups, 0);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "d03.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_NO_RECORD);
	dnsaudit__spf_eval_free(ev);
}

static void test_client_and_domain_forms(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;

	add(f, "m.example.com", "TXT", "v=spf1 -ip4:192.0.2.1 ip6:::ffff:192.0.2.1 +all");
	add(f, "nul.example.com", "TXT", "v=spf1 a:x.example.com -all");
	/* An IPv4-mapped IPv6 client is an IPv4 client (§5). */
	ev = run(f, "::ffff:192.0.2.1", "m.example.com", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	dnsaudit__spf_eval_free(ev);
	/* A trailing dot on <domain> is the root, not part of the name. */
	ev = run(f, "192.0.2.1", "m.example.com.", 0);
	assert_result(ev, SPF_RESULT_FAIL);
	assert_string_equal(ev->root->domain, "m.example.com");
	dnsaudit__spf_eval_free(ev);
	/* Malformed domains give none without a query (§4.3). */
	ev = run(f, "192.0.2.1", "localhost", 0);
	assert_result(ev, SPF_RESULT_NONE);
	assert_int_equal(ev->root->error_kind, SPF_ERR_INVALID_DOMAIN);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "[192.0.2.1]", 0);
	assert_result(ev, SPF_RESULT_NONE);
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "a..example.com", 0);
	assert_result(ev, SPF_RESULT_NONE);
	dnsaudit__spf_eval_free(ev);
}

static void test_hostile_txt(void **state)
{
	struct fixture *f = *state;
	struct spf_eval *ev;
	static const char rec[] = "v=spf1 a:x.example.com\0 -all";
	const char *vals[2] = {rec, "v=spf1 ~all"};
	size_t lens[2] = {sizeof(rec) - 1, 11};

	assert_int_equal(stub_zone_add(f->z, "h.example.com", "TXT", vals, lens, 1), 0);
	assert_int_equal(stub_zone_add(f->z, "two.example.com", "TXT", vals + 1, lens + 1, 1), 0);
	assert_int_equal(stub_zone_add(f->z, "two.example.com", "TXT", vals + 1, lens + 1, 1), 0);
	ev = run(f, "192.0.2.1", "h.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_SYNTAX);
	assert_int_equal(ev->root->error_pos, 22);
	assert_int_equal(ev->root->record_len, sizeof(rec) - 1);
	assert_non_null(strstr(ev->root->record, "\\000"));
	dnsaudit__spf_eval_free(ev);
	ev = run(f, "192.0.2.1", "two.example.com", 0);
	assert_result(ev, SPF_RESULT_PERMERROR);
	assert_int_equal(ev->root->error_kind, SPF_ERR_MULTIPLE_RECORDS);
	assert_int_equal(ev->root->nrecords, 2);
	dnsaudit__spf_eval_free(ev);
}

/* No global state: an evaluation may run inside another's lookup callback. */
static struct fixture *nested_f;

static const dnsaudit_answer *nested_lookup(void *arg, const char *name, uint16_t type)
{
	struct spf_eval_opts o = {lookup, nested_f, 0, NULL, 0};
	unsigned char ip[16] = {192, 0, 2, 1};
	struct spf_eval *inner = NULL;

	(void)arg;
	assert_int_equal(
	    dnsaudit__spf_check_host(&o, AF_INET, ip, "in.example.com", NULL, NULL, &inner), 0);
	assert_int_equal(inner->result, SPF_RESULT_PASS);
	dnsaudit__spf_eval_free(inner);
	return lookup(nested_f, name, type);
}

static void test_reentrant(void **state)
{
	struct fixture *f = *state;
	struct spf_eval_opts o = {nested_lookup, NULL, 0, NULL, 0};
	unsigned char ip[16] = {192, 0, 2, 2};
	struct spf_eval *ev = NULL;

	add(f, "in.example.com", "TXT", "v=spf1 ip4:192.0.2.1 -all");
	add(f, "out.example.com", "TXT", "v=spf1 a:x.example.com include:in.example.com -all");
	dnsaudit__spf_eval_free(run(f, "192.0.2.1", "in.example.com", 0));
	nested_f = f;
	assert_int_equal(
	    dnsaudit__spf_check_host(&o, AF_INET, ip, "out.example.com", NULL, NULL, &ev), 0);
	assert_result(ev, SPF_RESULT_FAIL);
	dnsaudit__spf_eval_free(ev);
	assert_int_equal(
	    dnsaudit__spf_check_host(NULL, AF_INET, ip, "x.example.com", NULL, NULL, &ev),
	    DNSAUDIT_EINVAL);
	assert_null(ev);
}

/*
 * Hostile zones: random records over a few names that include, redirect
 * and reference each other, time out, loop through CNAMEs. Both modes must
 * end, within their bounds, whatever the data (and ASan builds check memory).
 */
static uint32_t next_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void random_record(uint32_t *seed, char *buf, size_t size)
{
	static const char *const terms[][2] = {{"include:n", ".r.test"},
	                                       {"redirect=n", ".r.test"},
	                                       {"a:n", ".r.test/24"},
	                                       {"mx:n", ".r.test//64"},
	                                       {"ptr:n", ".r.test"},
	                                       {"exists:%{i}.n", ".r.test"},
	                                       {"-all", ""},
	                                       {"?all", ""},
	                                       {"ip4:192.0.2.", ""},
	                                       {"a/", ""},
	                                       {"mx//", ""},
	                                       {"exp=n", ".r.test"},
	                                       {"%{d}=x", ""},
	                                       {"include:%{d2}", ""},
	                                       {"a:%{l}.n", ".r.test"},
	                                       {"bogus", ""},
	                                       {"include:cname", ".r.test"}};
	size_t o = (size_t)snprintf(buf, size, "v=spf1");
	uint32_t n = next_rand(seed) % 8, i;

	for (i = 0; i < n && o + 40 < size; i++) {
		uint32_t k = next_rand(seed) % (sizeof(terms) / sizeof(terms[0]));

		o += (size_t)snprintf(buf + o, size - o, " %s%u%s", terms[k][0],
		                      next_rand(seed) % 12, terms[k][1]);
	}
}

/* A fresh zone of 12 random records for one seed. */
static void random_zone(struct fixture *f, uint32_t seed)
{
	char name[64], rec[512];
	unsigned i;

	dnsaudit_session_free(f->session);
	dnsaudit_source_free(f->src);
	stub_zone_free(f->z);
	f->session = NULL;
	f->src = NULL;
	assert_non_null(f->z = stub_zone_new());
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "n%u.r.test", i);
		random_record(&seed, rec, sizeof(rec));
		add(f, name, "TXT", rec);
		if (next_rand(&seed) % 3 == 0)
			add(f, name, "A", "192.0.2.1");
		if (next_rand(&seed) % 4 == 0)
			add(f, name, "MX", "10 n3.r.test");
		if (next_rand(&seed) % 9 == 0)
			add(f, name, "TIMEOUT", NULL);
	}
	add(f, "cname1.r.test", "CNAME", "cname1.r.test");
}

static void test_random_zones(void **state)
{
	struct fixture *f = *state;
	char name[64];
	unsigned i, round, seed;

	for (seed = 1; seed <= 40; seed++) {
		random_zone(f, seed * 7919u);
		for (round = 0; round < 3; round++) {
			for (i = 0; i < 12; i++) {
				struct spf_eval *ev;

				snprintf(name, sizeof(name), "n%u.r.test", i);
				ev = run(f, round == 1 ? "2001:db8::1" : "192.0.2.1", name,
				         round == 2);
				assert_true(ev->result <= SPF_RESULT_PERMERROR);
				assert_true(ev->lookups <= (round == 2 ? SPF_WALK_MAX_TERMS
				                                       : SPF_MAX_DNS_TERMS + 1));
				dnsaudit__spf_eval_free(ev);
			}
		}
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_include_chain),
	    T(test_redirect),
	    T(test_loops_end_as_permerror),
	    T(test_void_lookup_limit),
	    T(test_lookup_limit),
	    T(test_walk_limit_in_include),
	    T(test_mx_name_limit),
	    T(test_temperror_vs_none),
	    T(test_exp),
	    T(test_walk_tree),
	    T(test_walk_pending),
	    T(test_walk_bounds),
	    T(test_blitiri_intents),
	    T(test_client_and_domain_forms),
	    T(test_hostile_txt),
	    T(test_reentrant),
	    T(test_random_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
