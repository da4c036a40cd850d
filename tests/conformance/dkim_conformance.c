/*
 * dkim_conformance.c -- lib/dkimcheck against third-party DKIM verdicts
 * (../shared/conformance: mail-dkim/, dkimpy/, rfc8463/), as its README
 * says: keys from the suites' own DNS data through a stub key callback
 * (NXDOMAIN, timeout and SERVFAIL entries simulated), every message fed
 * byte for byte, verdicts mapped to RFC 8601 results.
 *
 * usage: dkim_conformance [-v] CONFORMANCE_DIR
 * Prints one line per failed case and "N passed, N failed"; exit 1 on a
 * failure. The expected.yml files are read line by line: their layout is
 * fixed (one message per "  - file:" line, one signature per line), so a
 * YAML library would add nothing but a dependency.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkimcheck/dkimcheck.h"

#define MAX_KEYS 128
#define MAX_SIGS 8

/*
 * Intended disagreements with Mail::DKIM, which is lenient; we follow
 * RFC 6376 with RFC 8301 (README step 4). "non-pass" = policy, permerror,
 * neutral or fail.
 *
 * | messages                              | Mail::DKIM   | ours      | why                      |
 * |---------------------------------------|--------------|-----------|--------------------------|
 * | `pass` + rfc8301_note "rsa-sha1"      | pass         | non-pass  | RFC 8301 3.1 (policy)    |
 * | `pass` + rfc8301_note "512/768-bit"   | pass         | non-pass  | RFC 8301 3.2 (policy)    |
 * | `pass` + rfc8301_note "no v= tag"     | pass         | non-pass  | RFC 6376 3.5 (permerror) |
 * | DomainKey-Signature only (17 files)   | pass/fail/.. | none      | RFC 4870 is not DKIM     |
 * | multiple_2 signature #2               | pass         | policy    | rsa-sha1 (RFC 8301)      |
 * | bad_ietf01_1..3, bad_1 (no v=)        | fail         | permerror | RFC 6376 3.5, v= first   |
 * | `invalid` with a 512-bit key: ignore_5, ignore_6, badkey_8, 9, 12, 13 |
 * |                                       | invalid      | policy    | size refused first       |
 * | badkey_14, badkey_15                  | invalid      | temperror | DNS timeout, SERVFAIL    |
 *
 * The rows with a rule (rfc8301_note, DomainKey-Signature, `invalid`) are
 * applied from expected.yml by md_expected(); the per-file rows are below.
 */
struct disagreement {
	const char *file, *expect, *why;
};

static const struct disagreement disagreements[] = {
    {"bad_ietf01_1.txt", "permerror|fail", "pre-RFC draft: no v= tag (RFC 6376 3.5)"},
    {"bad_ietf01_2.txt", "permerror|fail", "pre-RFC draft: no v= tag (RFC 6376 3.5)"},
    {"bad_ietf01_3.txt", "permerror|fail", "pre-RFC draft: no v= tag (RFC 6376 3.5)"},
    {"bad_1.txt", "permerror|fail", "pre-RFC draft: no v= tag (RFC 6376 3.5)"},
    {"badkey_14.txt", "temperror", "DNS timeout on the key (README step 3)"},
    {"badkey_15.txt", "temperror", "DNS SERVFAIL on the key (README step 3)"},
};

/* A stub DNS entry: a key record, or a simulated failure. */
struct key {
	char name[256];
	char *record; /* NULL: NXDOMAIN */
	int tempfail;
};

struct stub {
	struct key keys[MAX_KEYS];
	size_t n;
};

struct totals {
	unsigned passed, failed;
	int verbose; /* -v: print passing cases too */
};

static void stub_clear(struct stub *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->keys[i].record);
	st->n = 0;
}

static struct key *stub_add(struct stub *st, const char *name, size_t namelen)
{
	struct key *k;

	if (st->n == MAX_KEYS || namelen == 0 || namelen >= sizeof(k->name))
		return NULL;
	k = &st->keys[st->n++];
	memset(k, 0, sizeof(*k));
	memcpy(k->name, name, namelen);
	if (k->name[namelen - 1] == '.')
		k->name[namelen - 1] = '\0';
	return k;
}

static char *dup_range(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Joins the double-quoted strings of a zone TXT value. */
static char *join_quoted(const char *p)
{
	char *out = malloc(strlen(p) + 1);
	size_t used = 0;
	int in = 0;

	if (out == NULL)
		abort();
	for (; *p != '\0'; p++) {
		if (*p == '"')
			in = !in;
		else if (in)
			out[used++] = *p;
	}
	out[used] = '\0';
	return out;
}

/* A zone line "NAME. IN TXT "..." ..." (dkimpy zone: blocks, rfc8463 zone file). */
static void stub_zone_line(struct stub *st, const char *line)
{
	const char *p = line, *txt;
	struct key *k;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == ';' || (txt = strstr(p, " TXT ")) == NULL)
		return;
	if ((k = stub_add(st, p, strcspn(p, " \t"))) != NULL)
		k->record = join_quoted(txt + 5);
}

/* mail-dkim's FAKE_DNS.dat: "name  value", NXDOMAIN, ~~...~~ failures, "". */
static void stub_fake_dns_line(struct stub *st, char *line)
{
	size_t namelen = strcspn(line, " \t");
	char *v = line + namelen;
	struct key *k;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || namelen == 0)
		return;
	while (*v == ' ' || *v == '\t')
		v++;
	if ((k = stub_add(st, line, namelen)) == NULL)
		return;
	if (strcmp(v, "NXDOMAIN") == 0)
		return;
	if (strncmp(v, "~~", 2) == 0)
		k->tempfail = 1;
	else
		k->record = strcmp(v, "\"\"") == 0 ? dup_range("", 0) : dup_range(v, strlen(v));
}

static int stub_load(struct stub *st, const char *path, int fake_dns)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (fake_dns)
			stub_fake_dns_line(st, line);
		else
			stub_zone_line(st, line);
	}
	fclose(f);
	return 0;
}

/* Names not in the data are NXDOMAIN, as the README asks. */
static dkimcheck_key_result stub_lookup(void *payload, const char *name, char *buf, size_t buflen,
                                        char *origin, size_t originlen)
{
	struct stub *st = payload;
	size_t i;

	for (i = 0; i < st->n; i++) {
		struct key *k = &st->keys[i];

		if (strcasecmp(k->name, name) != 0)
			continue;
		snprintf(origin, originlen, "conformance stub");
		if (k->tempfail)
			return DKIMCHECK_KEY_TEMPFAIL;
		if (k->record == NULL)
			return DKIMCHECK_KEY_NOTFOUND;
		snprintf(buf, buflen, "%s", k->record);
		return DKIMCHECK_KEY_FOUND;
	}
	return DKIMCHECK_KEY_NOTFOUND;
}

static dkimcheck_message *verify_path(dkimcheck_verifier *v, const char *path)
{
	dkimcheck_message *m = NULL;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	if (dkimcheck_verify_file(v, f, &m) != DKIMCHECK_OK)
		m = NULL;
	fclose(f);
	return m;
}

/* Mail::DKIM's overall verdict is its best signature's: the same order here. */
static const char *overall(const dkimcheck_message *m)
{
	static const dkimcheck_result_code order[] = {DKIMCHECK_PASS,    DKIMCHECK_FAIL,
	                                              DKIMCHECK_POLICY,  DKIMCHECK_PERMERROR,
	                                              DKIMCHECK_NEUTRAL, DKIMCHECK_TEMPERROR};
	size_t i, j;

	if (dkimcheck_message_count(m) == 0)
		return dkimcheck_result_name(dkimcheck_message_result(m));
	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		for (i = 0; i < dkimcheck_message_count(m); i++)
			if (dkimcheck_signature_result(dkimcheck_message_signature(m, i)) ==
			    order[j])
				return dkimcheck_result_name(order[j]);
	return "none";
}

/* Is `got` one of the '|'-separated results in `want`? */
static int matches(const char *want, const char *got)
{
	size_t n = strlen(got);
	const char *p = want;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, got, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 1;
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	return 0;
}

static void record(struct totals *t, int ok, const char *suite, const char *file, const char *want,
                   const char *got, const char *detail)
{
	if (ok) {
		t->passed++;
		if (t->verbose)
			printf("ok   %s %s: %s (%s)\n", suite, file, got, detail);
		return;
	}
	t->failed++;
	printf("FAIL %s %s: want %s, got %s (%s)\n", suite, file, want, got, detail);
}

/* One mail-dkim message as parsed from expected.yml. */
struct md_case {
	char file[128], expect[32];
	int has_note, dkim_sigs, dk_sigs;
};

static const char *md_expected(const struct md_case *c)
{
	const char *base = strrchr(c->file, '/') != NULL ? strrchr(c->file, '/') + 1 : c->file;
	size_t i;

	for (i = 0; i < sizeof(disagreements) / sizeof(disagreements[0]); i++)
		if (strcmp(disagreements[i].file, base) == 0)
			return disagreements[i].expect;
	if (c->dkim_sigs == 0 && c->dk_sigs > 0)
		return "none"; /* DomainKeys only */
	if (c->has_note && strcmp(c->expect, "pass") == 0)
		return "policy|permerror|neutral|fail"; /* RFC 8301 / RFC 6376 non-pass */
	if (strcmp(c->expect, "invalid") == 0)
		return "permerror|neutral|policy";
	return c->expect;
}

/* multiple_2: #1 bad c= (invalid), #2 good but rsa-sha1, #3 bad b=, #4 unparseable. */
static void md_multiple_2(struct totals *t, const dkimcheck_message *m)
{
	static const char *const want[] = {"permerror|neutral", "policy", "fail", "permerror"};
	size_t i, n = dkimcheck_message_count(m);

	for (i = 0; i < 4; i++) {
		const char *got = i < n ? dkimcheck_result_name(dkimcheck_signature_result(
		                              dkimcheck_message_signature(m, i)))
		                        : "(missing)";
		char label[64];

		snprintf(label, sizeof(label), "multiple_2.txt#%zu", i + 1);
		record(t, matches(want[i], got), "mail-dkim", label, want[i], got,
		       i < n ? dkimcheck_signature_detail(dkimcheck_message_signature(m, i)) : "");
	}
}

static void md_run_case(struct totals *t, dkimcheck_verifier *v, const char *dir,
                        const struct md_case *c)
{
	char path[1024];
	dkimcheck_message *m;
	const char *want = md_expected(c), *got;

	if (c->file[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/mail-dkim/%s", dir, c->file);
	if ((m = verify_path(v, path)) == NULL) {
		record(t, 0, "mail-dkim", c->file, want, "(no result)", "");
		return;
	}
	got = overall(m);
	record(t, matches(want, got), "mail-dkim", c->file, want, got,
	       dkimcheck_message_count(m) > 0
	           ? dkimcheck_signature_detail(dkimcheck_message_signature(m, 0))
	           : dkimcheck_message_detail(m));
	if (strstr(c->file, "multiple_2.txt") != NULL)
		md_multiple_2(t, m);
	dkimcheck_message_free(m);
}

static void md_parse_line(struct md_case *c, const char *line)
{
	if (strncmp(line, "    expect: ", 12) == 0)
		snprintf(c->expect, sizeof(c->expect), "%.*s", (int)strcspn(line + 12, " \r\n"),
		         line + 12);
	else if (strncmp(line, "    rfc8301_note:", 17) == 0)
		c->has_note = 1;
	else if (strstr(line, "{type: DKIM-Signature") != NULL)
		c->dkim_sigs++;
	else if (strstr(line, "{type: DomainKey-Signature") != NULL)
		c->dk_sigs++;
}

static int run_mail_dkim(struct totals *t, dkimcheck_lib *lib, const char *dir)
{
	struct stub *st = calloc(1, sizeof(*st));
	dkimcheck_verifier *v = NULL;
	struct md_case c;
	char path[1024], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mail-dkim/FAKE_DNS.dat", dir);
	if (st == NULL || stub_load(st, path, 1) != 0 ||
	    dkimcheck_verifier_new(&v, lib, stub_lookup, st) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/mail-dkim/expected.yml", dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "  - file: ", 10) == 0) {
			md_run_case(t, v, dir, &c);
			memset(&c, 0, sizeof(c));
			snprintf(c.file, sizeof(c.file), "%.*s", (int)strcspn(line + 10, " \r\n"),
			         line + 10);
		} else {
			md_parse_line(&c, line);
		}
	}
	md_run_case(t, v, dir, &c);
	fclose(f);
	dkimcheck_verifier_free(v);
	stub_clear(st);
	free(st);
	return 0;
}

/* One expected signature: "{a: ALG, d: DOMAIN, s: SEL, ..., expect: RESULT}". */
struct exp_sig {
	char d[128], s[64], expect[32];
};

static void yaml_field(const char *line, const char *key, char *out, size_t outlen)
{
	const char *p = strstr(line, key);
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(key);
	if (*p == '"')
		p++;
	n = strcspn(p, "\",}");
	snprintf(out, outlen, "%.*s", (int)n, p);
}

/* Each expected signature, found by d= and s=, has the expected result. */
static void check_sigs(struct totals *t, const char *suite, const char *file,
                       const dkimcheck_message *m, const struct exp_sig *es, size_t nes)
{
	size_t i, j;

	for (i = 0; i < nes; i++) {
		const char *got = "(missing)", *detail = "";
		char label[256];

		for (j = 0; m != NULL && j < dkimcheck_message_count(m); j++) {
			const dkimcheck_signature *s = dkimcheck_message_signature(m, j);

			if (strcasecmp(dkimcheck_signature_domain(s), es[i].d) == 0 &&
			    strcmp(dkimcheck_signature_selector(s), es[i].s) == 0) {
				got = dkimcheck_result_name(dkimcheck_signature_result(s));
				detail = dkimcheck_signature_detail(s);
			}
		}
		snprintf(label, sizeof(label), "%s s=%s", file, es[i].s);
		record(t, matches(es[i].expect, got), suite, label, es[i].expect, got, detail);
	}
}

static void run_with_keys(struct totals *t, dkimcheck_lib *lib, const char *suite,
                          const char *msg_path, const char *label, struct stub *st,
                          const struct exp_sig *es, size_t nes)
{
	dkimcheck_verifier *v = NULL;
	dkimcheck_message *m = NULL;

	if (dkimcheck_verifier_new(&v, lib, stub_lookup, st) == 0)
		m = verify_path(v, msg_path);
	check_sigs(t, suite, label, m, es, nes);
	dkimcheck_message_free(m);
	dkimcheck_verifier_free(v);
}

static int run_dkimpy(struct totals *t, dkimcheck_lib *lib, const char *dir)
{
	struct stub *st = calloc(1, sizeof(*st));
	struct exp_sig es[MAX_SIGS];
	char path[1024], file[256] = "", line[4096];
	size_t nes = 0;
	int in_zone = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dkimpy/expected.yml", dir);
	if (st == NULL || (f = fopen(path, "r")) == NULL)
		return -1;
	for (;;) {
		char *got = fgets(line, sizeof(line), f);

		/* A case ends at the next "  - file:" or a top-level key. */
		if (file[0] != '\0' && (got == NULL || strncmp(line, "  - file: ", 10) == 0 ||
		                        isalpha((unsigned char)line[0]))) {
			snprintf(path, sizeof(path), "%s/dkimpy/%s", dir, file);
			run_with_keys(t, lib, "dkimpy", path, file, st, es, nes);
			stub_clear(st);
			file[0] = '\0';
			nes = 0;
		}
		if (got == NULL)
			break;
		if (strncmp(line, "  - file: ", 10) == 0) {
			snprintf(file, sizeof(file), "%.*s", (int)strcspn(line + 10, " \r\n"),
			         line + 10);
			in_zone = 0;
		} else if (file[0] != '\0' && strstr(line, "- {a: ") != NULL && nes < MAX_SIGS) {
			yaml_field(line, " d: ", es[nes].d, sizeof(es[nes].d));
			yaml_field(line, " s: ", es[nes].s, sizeof(es[nes].s));
			yaml_field(line, " expect: ", es[nes].expect, sizeof(es[nes].expect));
			nes++;
		} else if (strncmp(line, "    zone: |", 11) == 0) {
			in_zone = 1;
		} else if (in_zone && file[0] != '\0') {
			stub_zone_line(st, line);
		}
	}
	fclose(f);
	free(st);
	return 0;
}

/* RFC 8463 A.3: both signatures (ed25519 brisbane, rsa test) pass. */
static int run_rfc8463(struct totals *t, dkimcheck_lib *lib, const char *dir)
{
	static const struct exp_sig es[] = {
	    {"football.example.com", "brisbane", "pass"},
	    {"football.example.com", "test", "pass"},
	};
	struct stub *st = calloc(1, sizeof(*st));
	char path[1024];

	snprintf(path, sizeof(path), "%s/rfc8463/rfc8463-A2-keys.zone", dir);
	if (st == NULL || stub_load(st, path, 0) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/rfc8463/rfc8463-A3-signed.eml", dir);
	run_with_keys(t, lib, "rfc8463", path, "rfc8463-A3-signed.eml", st, es, 2);
	stub_clear(st);
	free(st);
	return 0;
}

int main(int argc, char **argv)
{
	struct totals t = {0, 0, 0};
	dkimcheck_lib *lib = NULL;
	int rc = 0;

	if (argc == 3 && strcmp(argv[1], "-v") == 0) {
		t.verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [-v] CONFORMANCE_DIR\n", argv[0]);
		return 2;
	}
	if (dkimcheck_lib_new(&lib) != 0)
		return 2;
	if (run_mail_dkim(&t, lib, argv[1]) != 0 || run_dkimpy(&t, lib, argv[1]) != 0 ||
	    run_rfc8463(&t, lib, argv[1]) != 0)
		rc = 2;
	dkimcheck_lib_free(lib);
	printf("%u passed, %u failed\n", t.passed, t.failed);
	if (rc != 0)
		return rc;
	return t.failed == 0 ? 0 : 1;
}
