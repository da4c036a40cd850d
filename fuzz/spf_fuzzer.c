/*
 * spf_fuzzer.c -- libFuzzer target for the SPF engine: the record parser
 * (spf_parse.c), the macro expander (spf_macro.c) and check_host()
 * (spf_eval.c). The input is split on '\n' into up to four parts, each the
 * TXT record of one name (an empty or missing part: no TXT record there):
 *
 *   0  fuzz.example        the evaluated <domain>
 *   1  a.fuzz.example      an include / redirect target
 *   2  b.fuzz.example      another one
 *   3  exp.fuzz.example    an explain-string for exp=
 *
 * Any name below w.fuzz.example answers as a.fuzz.example does, so a
 * record can include ever new names ("include:x.%{d}") up to the walk's
 * bounds; any name starting with "pending." has no answer yet (the
 * audit's rounds).
 *
 * Each part is parsed as a record, checked and expanded as a domain-spec
 * and as an explain-string for an IPv4 and an IPv6 client, and each parsed
 * term's macro-string is expanded. Then check_host() evaluates fuzz.example
 * over an in-memory DNS (tests/conformance/spf_stub.c) that serves those
 * records beside fixed A, AAAA, MX, PTR, CNAME, TIMEOUT and SERVFAIL data,
 * once as a real evaluation (both families) and once as the audit's walk.
 *
 * Besides crashes, leaks and UB, it checks what the engine promises:
 * what dnsaudit__spf_macro_check() accepts dnsaudit__spf_expand() expands
 * (short of the 64 KiB bound); every macro-string of a parsed record
 * expands; a node has an error text exactly when it has an error kind; a
 * real evaluation past the §4.6.4 limits is a permerror; only a fail has
 * an explanation.
 *
 * Built with -fsanitize=fuzzer by fuzz/CMakeLists.txt, and with
 * fuzz/standalone.c by tests/CMakeLists.txt to replay the corpus under ctest.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_internal.h"
#include "spf_stub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Records are at most a few KiB in the wild; longer only slows the search. */
#define FUZZ_INPUT_MAX (16 * 1024)
#define FUZZ_PARTS     4
#define FUZZ_SEPARATOR '\n'

/* A broken promise is a bug as much as a crash: stop where it shows. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                 \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const char *const part_names[FUZZ_PARTS] = {"fuzz.example", "a.fuzz.example",
                                                   "b.fuzz.example", "exp.fuzz.example"};

/* DNS beside the fuzzed records: what a, mx, ptr, exists and %{p} can reach. */
static const struct {
	const char *name, *type, *value;
} fixed[] = {
    {"fuzz.example", "A", "192.0.2.10"},
    {"fuzz.example", "AAAA", "2001:db8::10"},
    {"fuzz.example", "MX", "10 mx.fuzz.example"},
    {"fuzz.example", "MX", "20 a.fuzz.example"},
    {"mx.fuzz.example", "A", "192.0.2.20"},
    {"mx.fuzz.example", "AAAA", "2001:db8::20"},
    {"a.fuzz.example", "A", "192.0.2.30"},
    {"a.fuzz.example", "A", "192.0.2.10"},
    {"a.fuzz.example", "MX", "0 ."}, /* null MX */
    {"b.fuzz.example", "AAAA", "2001:db8::10"},
    {"b.fuzz.example", "MX", "10 tf.fuzz.example"},
    {"mxp.fuzz.example", "MX", "10 pending.fuzz.example"},
    {"10.2.0.192.in-addr.arpa", "PTR", "mx.fuzz.example"},
    {"10.2.0.192.in-addr.arpa", "PTR", "fuzz.example"},
    {"10.2.0.192.in-addr.arpa", "PTR", "pending.fuzz.example"},
    /* 2001:db8::10 has no PTR: %{p} is "unknown", ptr a void lookup. */
    {"cname.fuzz.example", "CNAME", "a.fuzz.example"},
    {"loop.fuzz.example", "CNAME", "loop.fuzz.example"},
    {"20.2.0.192.in-addr.arpa", "TIMEOUT", NULL},
    {"tf.fuzz.example", "TIMEOUT", NULL},
    {"sf.fuzz.example", "SERVFAIL", NULL},
    {"two.fuzz.example", "TXT", "v=spf1 -all"},
    {"two.fuzz.example", "TXT", "v=spf1 +all"},
    {"pass.fuzz.example", "TXT", "v=spf1 +all"},
    {"loops.fuzz.example", "TXT", "v=spf1 include:fuzz.example ?all"},
    {"text.fuzz.example", "TXT", "no SPF here"},
    {"expx.fuzz.example", "TXT", "%{i} is not one of %{d}'s servers (%{r}, %{t}, %{c})"},
};

/* One MX name over the §4.6.4 limit of 10. */
#define MX11_NAME "mx11.fuzz.example"

static const char *fixed_ptr(void *arg)
{
	(void)arg;
	return "mx.fuzz.example";
}

/* What a walk over the evaluation tree counts. */
struct tally {
	size_t sum;     /* string lengths: every string is read (ASan) */
	size_t fetched; /* nodes whose record was looked up and found */
	size_t reached; /* mechanisms evaluated (not unreachable) */
};

static void touch_node(const struct spf_node *n, unsigned depth, struct tally *ta);

static void touch_term(const struct spf_node_term *t, unsigned depth, struct tally *ta)
{
	size_t i;

	ta->sum += strlen(t->text) + strlen(dnsaudit__spf_term_kind_name(t->kind));
	if (t->target != NULL)
		ta->sum += strlen(t->target);
	if (t->note != NULL)
		ta->sum += strlen(t->note);
	for (i = 0; i < t->naddresses; i++)
		ta->sum += strlen(t->addresses[i]);
	if (t->over_limit)
		REQUIRE(t->limit == SPF_ERR_LOOKUP_LIMIT || t->limit == SPF_ERR_VOID_LIMIT ||
		        t->limit == SPF_ERR_MX_LIMIT || t->limit == SPF_ERR_LOOP);
	REQUIRE(!(t->matched && t->unreachable));
	if (t->kind < SPF_MOD_REDIRECT && !t->unreachable)
		ta->reached++;
	if (t->child != NULL) {
		REQUIRE(t->kind == SPF_MECH_INCLUDE || t->kind == SPF_MOD_REDIRECT);
		touch_node(t->child, depth + 1, ta);
	}
}

/* Reads every string of the tree and checks what the header promises. */
static void touch_node(const struct spf_node *n, unsigned depth, struct tally *ta)
{
	size_t i, matched = 0;

	REQUIRE(depth <= SPF_WALK_MAX_RECORDS + 1);
	REQUIRE(n->result >= SPF_RESULT_NONE && n->result <= SPF_RESULT_PERMERROR);
	REQUIRE((n->error != NULL) == (n->error_kind != SPF_ERR_NONE));
	ta->sum += strlen(n->domain) + strlen(dnsaudit__spf_result_name(n->result));
	if (n->record != NULL) {
		ta->sum += strlen(n->record);
		ta->fetched++;
	}
	if (n->error != NULL)
		ta->sum += strlen(n->error) + strlen(dnsaudit__spf_error_kind_name(n->error_kind));
	for (i = 0; i < n->nterms; i++) {
		matched += n->terms[i].matched != 0;
		touch_term(&n->terms[i], depth, ta);
	}
	REQUIRE(matched <= 1); /* evaluation stops at the first match */
}

static volatile size_t sink;

/* Macro-string s (NUL-terminated, len octets before any NUL) in both modes. */
static void fuzz_macro_string(const char *s, size_t len, const struct spf_macro_ctx *ctx)
{
	struct spf_error err;
	int explain;

	for (explain = 0; explain <= 1; explain++) {
		int ok = dnsaudit__spf_macro_check(s, len, explain, &err) == 0;
		char *out = NULL;
		int rc = dnsaudit__spf_expand(s, ctx, explain, &out, &err);

		if (rc == 0) {
			sink += strlen(out);
			free(out);
		}
		/* The checker and the expander share one tokenizer. */
		REQUIRE(!ok || rc == 0 || strstr(err.reason, "longer than") != NULL);
	}
}

/* A parsed record is what its text says. */
static void check_record(const struct spf_record *rec, const char *s, size_t len)
{
	size_t i;

	REQUIRE(rec->all < (long)rec->nterms && rec->redirect < (long)rec->nterms &&
	        rec->exp < (long)rec->nterms);
	REQUIRE(rec->all < 0 || rec->terms[rec->all].kind == SPF_MECH_ALL);
	REQUIRE(rec->redirect < 0 || rec->terms[rec->redirect].kind == SPF_MOD_REDIRECT);
	REQUIRE(rec->exp < 0 || rec->terms[rec->exp].kind == SPF_MOD_EXP);
	for (i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];
		size_t tl = strlen(t->text);

		REQUIRE(t->pos + tl <= len && memcmp(s + t->pos, t->text, tl) == 0);
		REQUIRE(t->cidr4 >= -1 && t->cidr4 <= 32 && t->cidr6 >= -1 && t->cidr6 <= 128);
		REQUIRE((t->qualifier != 0) == (t->kind < SPF_MOD_REDIRECT));
		if (t->kind == SPF_MECH_IP4 || t->kind == SPF_MECH_IP6)
			REQUIRE(t->family == (t->kind == SPF_MECH_IP4 ? AF_INET : AF_INET6));
	}
}

/* Every macro-string of a parsed record expands as it will in check_host(). */
static void expand_terms(const struct spf_record *rec, const struct spf_macro_ctx *ctx)
{
	struct spf_error err;
	size_t i;

	for (i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];
		char *out = NULL;
		int rc;

		sink += strlen(dnsaudit__spf_term_kind_name(t->kind));
		if (t->domain_spec == NULL)
			continue;
		rc = dnsaudit__spf_expand(t->domain_spec, ctx, t->kind == SPF_MOD_UNKNOWN, &out,
		                          &err);
		REQUIRE(rc == 0 || strstr(err.reason, "longer than") != NULL);
		if (rc == 0) {
			sink += strlen(out);
			free(out);
		}
	}
}

static void fuzz_part(const char *s, size_t len, const struct spf_macro_ctx *ctxs, size_t nctx)
{
	struct spf_record *rec = NULL;
	struct spf_error err;
	size_t i, clen = strlen(s); /* expansion stops at a NUL */

	sink += (size_t)dnsaudit__spf_is_record(s, len);
	if (dnsaudit__spf_parse(s, len, &rec, &err) == 0) {
		REQUIRE(rec != NULL);
		check_record(rec, s, len);
		for (i = 0; i < nctx; i++)
			expand_terms(rec, &ctxs[i]);
		dnsaudit__spf_record_free(rec);
	} else {
		REQUIRE(rec == NULL);
		REQUIRE(err.pos <= len);
	}
	for (i = 0; i < nctx; i++)
		fuzz_macro_string(s, clen, &ctxs[i]);
}

static int add_part(struct stub_zone *z, const char *name, const char *s, size_t len)
{
	const char *vals[1] = {s};
	size_t lens[1] = {len};

	if (len == 0)
		return 0; /* no TXT record at name */
	return stub_zone_add(z, name, "TXT", vals, lens, 1);
}

static struct stub_zone *make_zone(char *const *parts, const size_t *lens)
{
	struct stub_zone *z = stub_zone_new();
	char host[32], mx[48];
	size_t i;

	if (z == NULL)
		return NULL;
	for (i = 0; i < FUZZ_PARTS; i++)
		if (add_part(z, part_names[i], parts[i], lens[i]) != 0)
			goto fail;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (stub_zone_add1(z, fixed[i].name, fixed[i].type, fixed[i].value) != 0)
			goto fail;
	for (i = 0; i < SPF_MAX_MX_PTR_NAMES + 1; i++) {
		snprintf(host, sizeof(host), "h%zu.fuzz.example", i);
		snprintf(mx, sizeof(mx), "%zu %s", i, host);
		if (stub_zone_add1(z, MX11_NAME, "MX", mx) != 0 ||
		    stub_zone_add1(z, host, "A", "192.0.2.10") != 0)
			goto fail;
	}
	if (stub_zone_finish(z) != 0)
		goto fail;
	return z;
fail:
	stub_zone_free(z);
	return NULL;
}

/* The stub, with the subtree of w.fuzz.example mapped onto a.fuzz.example. */
static int answer(void *payload, const ldns_rdf *qname, ldns_rr_type qtype,
                  struct dnsaudit_answer *out)
{
	ldns_rdf *w = ldns_dname_new_frm_str("w.fuzz.example."), *a = NULL;
	int rc;

	if (w == NULL)
		return -1;
	if (ldns_dname_compare(qname, w) == 0 || ldns_dname_is_subdomain(qname, w)) {
		if ((a = ldns_dname_new_frm_str("a.fuzz.example.")) == NULL) {
			ldns_rdf_deep_free(w);
			return -1;
		}
		qname = a;
	}
	rc = stub_zone_answer(payload, qname, qtype, out);
	ldns_rdf_deep_free(a);
	ldns_rdf_deep_free(w);
	return rc;
}

static const dnsaudit_answer *lookup(void *arg, const char *name, uint16_t type)
{
	if (strncasecmp(name, "pending.", 8) == 0)
		return NULL;
	return dnsaudit_session_lookup(arg, name, type);
}

static void check_host(const dnsaudit_source *src, int walk, const char *ip, const char *sender)
{
	struct spf_eval_opts o = {lookup, NULL, walk, "receiver.example", 1400000000};
	dnsaudit_session *session = NULL;
	struct spf_eval *ev = NULL;
	unsigned char addr[16] = {0};
	int family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, ip, addr) != 1 || dnsaudit_session_new(&session, src) != 0)
		abort();
	o.lookup_arg = session;
	if (dnsaudit__spf_check_host(&o, family, addr, "fuzz.example", sender, "helo.fuzz.example",
	                             &ev) == 0) {
		struct tally ta = {0, 0, 0};

		REQUIRE(ev->root != NULL);
		touch_node(ev->root, 0, &ta);
		sink += ta.sum;
		if (walk) /* the walk's own bounds */
			REQUIRE(ta.fetched <= SPF_WALK_MAX_RECORDS &&
			        ta.reached <= SPF_WALK_MAX_TERMS &&
			        ev->lookups <= SPF_WALK_MAX_TERMS + SPF_WALK_MAX_RECORDS);
		if (ev->explanation != NULL) {
			REQUIRE(!walk && ev->result == SPF_RESULT_FAIL);
			sink += strlen(ev->explanation);
		}
		/* §4.6.4: a real evaluation does not go past the limits. */
		if (!walk &&
		    (ev->lookups > SPF_MAX_DNS_TERMS || ev->void_lookups > SPF_MAX_VOID_LOOKUPS))
			REQUIRE(ev->result == SPF_RESULT_PERMERROR);
		if (!walk)
			REQUIRE(ev->lookups <= SPF_MAX_DNS_TERMS + 1 && !ev->truncated);
	}
	dnsaudit__spf_eval_free(ev);
	dnsaudit_session_free(session);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_ctx ctxs[2];
	char *parts[FUZZ_PARTS] = {NULL, NULL, NULL, NULL};
	size_t lens[FUZZ_PARTS] = {0, 0, 0, 0}, i, start = 0, n = 0;
	struct stub_zone *z;
	dnsaudit_source *src = NULL;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	/* Split: the last part keeps any further separators. */
	for (i = 0; i <= size && n < FUZZ_PARTS; i++) {
		if (i < size && (data[i] != FUZZ_SEPARATOR || n == FUZZ_PARTS - 1))
			continue;
		if ((parts[n] = malloc(i - start + 1)) == NULL)
			goto out;
		if (i > start)
			memcpy(parts[n], data + start, i - start);
		parts[n][i - start] = '\0';
		lens[n++] = i - start;
		start = i + 1;
	}

	memset(ctxs, 0, sizeof(ctxs));
	ctxs[0].sender = "strong-bad@email.example.com";
	ctxs[0].domain = "email.example.com";
	ctxs[0].helo = "mx.example.org";
	ctxs[0].family = AF_INET;
	inet_pton(AF_INET, "192.0.2.3", ctxs[0].ip);
	ctxs[0].receiver = "receiver.example";
	ctxs[0].now = 1400000000;
	ctxs[0].validated_ptr = fixed_ptr;
	ctxs[1] = ctxs[0];
	ctxs[1].sender = "email.example.com"; /* no local-part: postmaster */
	ctxs[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::cb01", ctxs[1].ip);
	ctxs[1].receiver = NULL;
	ctxs[1].validated_ptr = NULL;
	for (i = 0; i < n; i++)
		fuzz_part(parts[i], lens[i], ctxs, 2);

	if ((z = make_zone(parts, lens)) == NULL)
		goto out;
	if (dnsaudit__source_new_stub(&src, answer, z, 0) == 0) {
		check_host(src, 0, "192.0.2.10", "user@fuzz.example");
		check_host(src, 0, "2001:db8::10", NULL);
		check_host(src, 1, "::ffff:192.0.2.20", "fuzz.example");
	}
	dnsaudit_source_free(src);
	stub_zone_free(z);
out:
	for (i = 0; i < FUZZ_PARTS; i++)
		free(parts[i]);
	return 0;
}
