/*
 * dmarc_conformance.c -- runs the DMARC vectors of shared/conformance/dmarc
 * against our engine, offline:
 *   opendmarc FILE  opendmarc-vectors.yml in RFC 7489 mode: record_parse
 *                   (our parse outcome mapped to OpenDMARC's classes) and
 *                   alignment (Public Suffix List, the system list).
 *   dmarcbis FILE   mailauth-dmarcbis-vectors.yml in RFC 9989 mode: each
 *                   case's zone served by the stub DNS of spf_stub.c; result
 *                   and, where given, org, policy, the exact _dmarc TXT query
 *                   sequence, query_count and first_queries.
 *
 * One line per case ("ok"/"FAIL") and a closing "N passed, N failed". A
 * field that differs from the vector passes only when the table of known
 * differences below lists that case, field and our value, with the RFC
 * section we follow; an entry that matches nothing fails the run, so the
 * table cannot rot.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "yaml_util.h"

#include "dmarc_internal.h"
#include "spf_stub.h"

struct known {
	const char *suite, *name, *field;
	const char *got; /* our value, which must stay what we return */
	const char *why;
	int used;
};

/*
 * Where a vector contradicts the RFC, we follow the RFC. Each entry is a
 * case, the field that differs and our value.
 */
static struct known known[] = {
    /* opendmarc-vectors.yml, record_parse n=5: "v=DMARC1; p=n;" */
    {"opendmarc", "record_parse 5", "outcome", "error_bad_value",
     "RFC 7489 §6.3 and §6.4 (dmarc-request): p is \"none\", \"quarantine\" or \"reject\"; "
     "OpenDMARC also accepts an abbreviation (the vector's own note says so)",
     0},
    /* alignment n=5: ".mac.com." vs "mac.com", strict */
    {"opendmarc", "alignment 5", "outcome", "not_aligned",
     "RFC 7489 §3.1.1: strict alignment needs an exact match; \".mac.com\" has an empty "
     "first label, so it is no domain name (RFC 1035 §2.3.1) and matches nothing; only the "
     "final dot of an absolute name is dropped. OpenDMARC strips dots (vector note)",
     0},
    /* alignment n=6: "....mac.com...." vs "mac.com", strict */
    {"opendmarc", "alignment 6", "outcome", "not_aligned",
     "as alignment 5: empty labels make it no domain name (RFC 1035 §2.3.1); the vector's "
     "note calls this OpenDMARC-specific normalisation",
     0},
    /* mailauth-dmarcbis-vectors.yml: psd=y at gov.example, From fake-agency.gov.example */
    {"dmarcbis", "psd-np-nonexistent-registration", "org", "fake-agency.gov.example",
     "RFC 9989 §4.10.2 item 2: a psd=y record found above the starting name makes the name "
     "one label below it the Organizational Domain; gov.example is the policy domain (the "
     "PSD's record applies, §4.10.1), which the vector reports as org",
     0},
};

struct counts {
	unsigned passed, failed, known;
};

/* ---- the known-differences table ---- */

static struct known *find_known(const char *suite, const char *name, const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].suite, suite) == 0 && strcmp(known[i].name, name) == 0 &&
		    strcmp(known[i].field, field) == 0)
			return &known[i];
	return NULL;
}

/* Continuation lines of the current case, printed after its status line. */
struct notes {
	char text[4096];
	size_t len;
};

static void note(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n->len + 1 >= sizeof(n->text))
		return;
	va_start(ap, fmt);
	w = vsnprintf(n->text + n->len, sizeof(n->text) - n->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		n->len +=
		    (size_t)w < sizeof(n->text) - n->len ? (size_t)w : sizeof(n->text) - n->len - 1;
}

/*
 * One checked field. Returns 1 when it agrees (or is a listed difference);
 * each disagreement and known difference adds a note.
 */
static int check_field(const char *suite, const char *name, const char *field, const char *got,
                       const char *want, unsigned *nknown, struct notes *nt)
{
	struct known *k;

	if (want == NULL || strcmp(got, want) == 0)
		return 1;
	k = find_known(suite, name, field);
	if (k != NULL && strcmp(k->got, got) == 0) {
		k->used = 1;
		(*nknown)++;
		note(nt, "     %s: got %s, vector wants %s: known difference: %s\n", field, got,
		     want, k->why);
		return 1;
	}
	note(nt, "     %s: got %s, want %s\n", field, got, want);
	return 0;
}

static void tally(struct counts *c, int ok, unsigned nknown)
{
	if (ok)
		c->passed++;
	else
		c->failed++;
	c->known += ok && nknown > 0;
}

/* ---- opendmarc-vectors.yml (RFC 7489 mode) ---- */

/* OpenDMARC's classes for our parse outcome. */
static const char *parse_class(const struct dmarc_record *r)
{
	size_t i;

	if (r->status == DMARC_PARSE_NOT_DMARC)
		return r->fatal.kind == DMARC_ERR_EMPTY ? "error_empty" : "error_bad_version";
	if (r->status == DMARC_PARSE_OK)
		return "ok";
	for (i = 0; i < r->nerrors; i++)
		if (r->errors[i].kind != DMARC_ERR_MISSING_P)
			return "error_bad_value";
	return "error_no_required_p";
}

static int run_parse_case(yaml_document_t *d, yaml_node_t *c, struct counts *cnt)
{
	const char *n = yaml_map_str(d, c, "n"), *want = yaml_map_str(d, c, "expect");
	size_t len = 0;
	const char *rec = yaml_scalar(yaml_map_get(d, c, "record"), &len);
	struct dmarc_record *r = NULL;
	struct notes nt = {"", 0};
	char name[64];
	const char *got;
	unsigned nk = 0;
	int ok;

	if (n == NULL || want == NULL || rec == NULL)
		return -1;
	if (dnsaudit__dmarc_parse(rec, len, DMARC_SPEC_RFC7489, &r) != 0)
		return -1;
	snprintf(name, sizeof(name), "record_parse %s", n);
	got = parse_class(r);
	ok = check_field("opendmarc", name, "outcome", got, want, &nk, &nt);
	printf("%s opendmarc | %s | \"%.70s\" -> %s", ok ? "ok  " : "FAIL", name, rec, got);
	if (r->nerrors > 0)
		printf(" (at %zu: %s)", r->errors[0].pos, r->errors[0].reason);
	else if (r->status == DMARC_PARSE_NOT_DMARC)
		printf(" (%s)", r->fatal.reason);
	printf("\n%s", nt.text);
	tally(cnt, ok, nk);
	dnsaudit__dmarc_record_free(r);
	return 0;
}

static const dnsaudit_answer *no_dns(void *arg, const char *name, uint16_t type)
{
	(void)arg;
	(void)name;
	(void)type;
	return NULL;
}

static int run_align_case(yaml_document_t *d, yaml_node_t *c, const psl_ctx_t *psl,
                          struct counts *cnt)
{
	const char *n = yaml_map_str(d, c, "n"), *a = yaml_map_str(d, c, "a"),
	           *b = yaml_map_str(d, c, "b");
	const char *mode = yaml_map_str(d, c, "mode"), *want = yaml_map_str(d, c, "expect");
	struct dmarc_opts o = {DMARC_SPEC_RFC7489, no_dns, NULL, psl};
	dmarc_alignment al;
	struct notes nt = {"", 0};
	char name[64];
	const char *got;
	unsigned nk = 0;
	int ok;

	if (n == NULL || a == NULL || b == NULL || mode == NULL || want == NULL)
		return -1;
	if (dnsaudit__dmarc_aligned(
	        &o, a, b, strcmp(mode, "s") == 0 ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED, &al) !=
	    0)
		return -1;
	got = al == DMARC_ALIGNED ? "aligned" : "not_aligned";
	snprintf(name, sizeof(name), "alignment %s", n);
	ok = check_field("opendmarc", name, "outcome", got, want, &nk, &nt);
	printf("%s opendmarc | %s | %s ~ %s (%s) -> %s\n%s", ok ? "ok  " : "FAIL", name, a, b, mode,
	       got, nt.text);
	tally(cnt, ok, nk);
	return 0;
}

static int run_opendmarc(yaml_document_t *d, yaml_node_t *root, struct counts *c)
{
	yaml_node_t *parse = yaml_map_get(d, root, "record_parse"),
	            *align = yaml_map_get(d, root, "alignment");
	struct dmarc_psl_info info;
	psl_ctx_t *psl = NULL;
	size_t i;
	int rc = 0;

	if (yaml_seq_len(parse) == 0 || yaml_seq_len(align) == 0 ||
	    dnsaudit__dmarc_psl_load(&psl, &info) != 0)
		return -1;
	printf("# RFC 7489 mode; Public Suffix List: %s (%s, %s), libpsl %s\n", info.source,
	       info.file, info.date, info.libpsl);
	for (i = 0; i < yaml_seq_len(parse) && rc == 0; i++)
		rc = run_parse_case(d, yaml_seq_at(d, parse, i), c);
	for (i = 0; i < yaml_seq_len(align) && rc == 0; i++)
		rc = run_align_case(d, yaml_seq_at(d, align, i), psl, c);
	dnsaudit__dmarc_psl_free(psl);
	return rc;
}

/* ---- mailauth-dmarcbis-vectors.yml (RFC 9989 mode) ---- */

static int add_txt(struct stub_zone *z, yaml_document_t *d, const char *name, yaml_node_t *rr)
{
	const char *vals[32];
	size_t lens[32], n = 0, i;

	for (i = 0; i < yaml_seq_len(rr) && n < 32; i++)
		if ((vals[n] = yaml_scalar(yaml_seq_at(d, rr, i), &lens[n])) != NULL)
			n++;
	return stub_zone_add(z, name, "TXT", vals, lens, n);
}

static int add_mx(struct stub_zone *z, yaml_document_t *d, const char *name, yaml_node_t *mx)
{
	const char *vals[2];
	size_t lens[2];

	if (yaml_seq_len(mx) != 2 ||
	    (vals[0] = yaml_scalar(yaml_seq_at(d, mx, 0), &lens[0])) == NULL ||
	    (vals[1] = yaml_scalar(yaml_seq_at(d, mx, 1), &lens[1])) == NULL)
		return -1;
	return stub_zone_add(z, name, "MX", vals, lens, 2);
}

/* zone: name -> {TXT: [[strings]...], A: [ip...], MX: [[pref, host]...]} */
static int add_name(struct stub_zone *z, yaml_document_t *d, const char *name, yaml_node_t *m)
{
	yaml_node_pair_t *p;
	size_t i;

	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *type = yaml_scalar(yaml_document_get_node(d, p->key), NULL);
		yaml_node_t *list = yaml_document_get_node(d, p->value);

		if (type == NULL || yaml_seq_len(list) == 0)
			return -1;
		for (i = 0; i < yaml_seq_len(list); i++) {
			yaml_node_t *v = yaml_seq_at(d, list, i);
			int r;

			if (strcmp(type, "TXT") == 0)
				r = add_txt(z, d, name, v);
			else if (strcmp(type, "MX") == 0)
				r = add_mx(z, d, name, v);
			else
				r = stub_zone_add1(z, name, type, yaml_scalar(v, NULL));
			if (r != 0)
				return -1;
		}
	}
	return 0;
}

static struct stub_zone *load_zone(yaml_document_t *d, yaml_node_t *c)
{
	yaml_node_t *zone = yaml_map_get(d, c, "zone"), *sf = yaml_map_get(d, c, "servfail");
	struct stub_zone *z = stub_zone_new();
	yaml_node_pair_t *p;
	size_t i;

	if (z == NULL)
		return NULL;
	/* SERVFAIL first: the stub fails every type listed after it. */
	for (i = 0; i < yaml_seq_len(sf); i++)
		if (stub_zone_add(z, yaml_scalar(yaml_seq_at(d, sf, i), NULL), "SERVFAIL", NULL,
		                  NULL, 0) != 0)
			goto bad;
	for (p = zone && zone->type == YAML_MAPPING_NODE ? zone->data.mapping.pairs.start : NULL;
	     p != NULL && p < zone->data.mapping.pairs.top; p++) {
		const char *name = yaml_scalar(yaml_document_get_node(d, p->key), NULL);
		yaml_node_t *m = yaml_document_get_node(d, p->value);

		if (name == NULL || m == NULL || m->type != YAML_MAPPING_NODE ||
		    add_name(z, d, name, m) != 0)
			goto bad;
	}
	if (stub_zone_finish(z) == 0)
		return z;
bad:
	fprintf(stderr, "zone: %s\n", stub_zone_error(z));
	stub_zone_free(z);
	return NULL;
}

static const dnsaudit_answer *lookup(void *arg, const char *name, uint16_t type)
{
	return dnsaudit_session_lookup(arg, name, type);
}

/* The TXT queries of the log, comma-separated. */
static void txt_queries(const struct dmarc_discovery *d, char *buf, size_t size, size_t *count)
{
	size_t i, o = 0;

	buf[0] = '\0';
	*count = 0;
	for (i = 0; i < d->nqueries; i++) {
		if (d->queries[i].type != 16)
			continue;
		(*count)++;
		if (o + 2 < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "," : "",
			                      d->queries[i].name);
	}
}

static void seq_join(yaml_document_t *d, yaml_node_t *n, size_t max, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < yaml_seq_len(n) && i < max && o + 2 < size; i++) {
		const char *s = yaml_scalar(yaml_seq_at(d, n, i), NULL);

		o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "," : "", s ? s : "?");
	}
}

static const char **domains(yaml_document_t *d, yaml_node_t *n, size_t *count)
{
	const char **out = calloc(yaml_seq_len(n) + 1, sizeof(*out));
	size_t i;

	*count = 0;
	for (i = 0; out != NULL && i < yaml_seq_len(n); i++)
		if ((out[*count] = yaml_scalar(yaml_seq_at(d, n, i), NULL)) != NULL)
			(*count)++;
	return out;
}

/* Checks every expectation of a case against ev; 1 when all agree. */
static int check_case(yaml_document_t *d, yaml_node_t *expect, const char *name,
                      const struct dmarc_eval *ev, unsigned *nk, struct notes *nt)
{
	char got[2048], want[2048], num[32];
	size_t count, n;
	int ok = 1;

	ok &= check_field("dmarcbis", name, "result", dnsaudit__dmarc_result_name(ev->result),
	                  yaml_map_str(d, expect, "result"), nk, nt);
	ok &= check_field("dmarcbis", name, "org", ev->org_domain ? ev->org_domain : "(unknown)",
	                  yaml_map_str(d, expect, "org"), nk, nt);
	ok &= check_field("dmarcbis", name, "policy", dnsaudit__dmarc_policy_name(ev->policy),
	                  yaml_map_str(d, expect, "policy"), nk, nt);
	txt_queries(ev->discovery, got, sizeof(got), &count);
	if (yaml_map_get(d, expect, "queries") != NULL) {
		seq_join(d, yaml_map_get(d, expect, "queries"), (size_t)-1, want, sizeof(want));
		ok &= check_field("dmarcbis", name, "queries", got, want, nk, nt);
	}
	if ((n = yaml_seq_len(yaml_map_get(d, expect, "first_queries"))) > 0) {
		char prefix[2048];
		size_t i, o = 0;

		seq_join(d, yaml_map_get(d, expect, "first_queries"), n, want, sizeof(want));
		for (i = 0; i < ev->discovery->nqueries && n > 0 && o + 2 < sizeof(prefix); i++)
			if (ev->discovery->queries[i].type == 16) {
				o += (size_t)snprintf(prefix + o, sizeof(prefix) - o, "%s%s",
				                      o ? "," : "", ev->discovery->queries[i].name);
				n--;
			}
		prefix[o] = '\0';
		ok &= check_field("dmarcbis", name, "first_queries", prefix, want, nk, nt);
	}
	snprintf(num, sizeof(num), "%zu", count);
	ok &= check_field("dmarcbis", name, "query_count", num,
	                  yaml_map_str(d, expect, "query_count"), nk, nt);
	return ok;
}

static int run_bis_case(yaml_document_t *d, yaml_node_t *c, struct counts *cnt)
{
	const char *name = yaml_map_str(d, c, "name");
	struct stub_zone *z = load_zone(d, c);
	struct dmarc_eval_input in = {yaml_map_str(d, c, "from"), NULL, 0, NULL, 0};
	struct dmarc_opts o = {DMARC_SPEC_RFC9989, lookup, NULL, NULL};
	dnsaudit_source *src = NULL;
	dnsaudit_session *session = NULL;
	struct dmarc_eval *ev = NULL;
	struct notes nt = {"", 0};
	char q[2048];
	size_t count;
	unsigned nk = 0;
	int ok, rc = -1;

	in.spf_domains = domains(d, yaml_map_get(d, c, "spf"), &in.nspf);
	in.dkim_domains = domains(d, yaml_map_get(d, c, "dkim"), &in.ndkim);
	if (name == NULL || z == NULL || in.from_domain == NULL || in.spf_domains == NULL ||
	    in.dkim_domains == NULL ||
	    dnsaudit__source_new_stub(&src, stub_zone_answer, z, 0) != 0 ||
	    dnsaudit_session_new(&session, src) != 0)
		goto out;
	o.lookup_arg = session;
	if (dnsaudit__dmarc_evaluate(&o, &in, &ev) != 0)
		goto out;
	txt_queries(ev->discovery, q, sizeof(q), &count);
	ok = check_case(d, yaml_map_get(d, c, "expect"), name, ev, &nk, &nt);
	printf("%s dmarcbis | %s | From %s: %s, org %s, policy %s from %s, %zu queries: %s\n%s",
	       ok ? "ok  " : "FAIL", name, in.from_domain, dnsaudit__dmarc_result_name(ev->result),
	       ev->org_domain ? ev->org_domain : "(unknown)",
	       dnsaudit__dmarc_policy_name(ev->policy), ev->policy_domain ? ev->policy_domain : "-",
	       count, q, nt.text);
	tally(cnt, ok, nk);
	rc = 0;
out:
	dnsaudit__dmarc_eval_free(ev);
	dnsaudit_session_free(session);
	dnsaudit_source_free(src);
	stub_zone_free(z);
	free((void *)(uintptr_t)in.spf_domains);
	free((void *)(uintptr_t)in.dkim_domains);
	if (rc != 0)
		fprintf(stderr, "case %s: could not run\n", name ? name : "?");
	return rc;
}

static int run_dmarcbis(yaml_document_t *d, yaml_node_t *root, struct counts *c)
{
	yaml_node_t *cases = yaml_map_get(d, root, "cases");
	size_t i;
	int rc = 0;

	if (yaml_seq_len(cases) == 0)
		return -1;
	printf("# RFC 9989 mode (DNS Tree Walk)\n");
	for (i = 0; i < yaml_seq_len(cases) && rc == 0; i++)
		rc = run_bis_case(d, yaml_seq_at(d, cases, i), c);
	return rc;
}

/* ---- main ---- */

static int run_file(const char *suite, const char *path, struct counts *c)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		fprintf(stderr, "%s:%lu: YAML error: %s\n", path,
		        (unsigned long)parser.problem_mark.line + 1,
		        parser.problem ? parser.problem : "?");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	rc = root == NULL                      ? -1
	     : strcmp(suite, "opendmarc") == 0 ? run_opendmarc(&doc, root, c)
	                                       : run_dmarcbis(&doc, root, c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

static unsigned unused_known(const char *suite)
{
	size_t i;
	unsigned n = 0;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(known[i].suite, suite) != 0 || known[i].used)
			continue;
		printf("FAIL %s | %s: known-difference entry (%s = %s) matched nothing\n",
		       known[i].suite, known[i].name, known[i].field, known[i].got);
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct counts c = {0, 0, 0};

	if (argc != 3 || (strcmp(argv[1], "opendmarc") != 0 && strcmp(argv[1], "dmarcbis") != 0)) {
		fprintf(stderr, "usage: %s opendmarc|dmarcbis FILE.yml\n", argv[0]);
		return 2;
	}
	if (run_file(argv[1], argv[2], &c) != 0) {
		fprintf(stderr, "%s: could not run %s\n", argv[0], argv[2]);
		return 1;
	}
	c.failed += unused_known(argv[1]);
	printf("%u passed, %u failed (%u of the passes rest on known differences, listed above)\n",
	       c.passed, c.failed, c.known);
	return c.failed == 0 && c.passed > 0 ? 0 : 1;
}
