/*
 * neighbours.c -- what the MTA-STS, TLS-RPT and BIMI collectors share: the
 * field grammar of their "v=VERSION; name=value" TXT records, and the one
 * collector shape they all have (ask TXT at a fixed label under the domain,
 * keep the records that look like the kind, parse each, count).
 *
 * Parsing is byte-wise and ASCII-only on purpose: these grammars are ASCII,
 * and a TXT record may hold NUL or invalid UTF-8, which must be located as an
 * error, never passed to a C string function. Everything a record holds goes
 * through dnsaudit_txt_escape() before it reaches the facts document.
 */
#include <stdlib.h>
#include <string.h>

#include "neighbours_internal.h"

/* RFC 8461 §3.1 / RFC 8460 §3: ext-name = (ALPHA / DIGIT) *31(...). */
#define NB_FIELD_NAME_MAX 32

static int is_wsp(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static int is_name_char(char ch)
{
	return is_alnum(ch) || ch == '_' || ch == '-' || ch == '.';
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static size_t skip_wsp(const char *s, size_t len, size_t p)
{
	while (p < len && is_wsp(s[p]))
		p++;
	return p;
}

int dnsaudit__nb_prefix_ci(const char *s, size_t len, const char *p)
{
	size_t i, n = strlen(p);

	if (len < n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(s[i]) != p[i])
			return 0;
	return 1;
}

size_t dnsaudit__nb_uri_bad_octet(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return i;
	return len;
}

int dnsaudit__nb_is_https(const char *s, size_t len)
{
	return dnsaudit__nb_prefix_ci(s, len, "https://") && len > 8 && s[8] != '/' &&
	       s[8] != '?' && s[8] != '#';
}

void dnsaudit__nb_error_set(struct nb_error *err, const char *kind, const char *message, size_t pos)
{
	err->kind = kind;
	err->message = message;
	err->pos = pos;
}

void dnsaudit__nb_cursor_init(struct nb_cursor *cur, const char *s, size_t len, int lenient)
{
	memset(cur, 0, sizeof(*cur));
	cur->s = s;
	cur->len = len;
	cur->lenient = lenient;
}

/* A field starting at p: name, '=', value up to the next ';' (edge WSP cut). */
static int read_field(struct nb_cursor *cur, size_t p, struct nb_field *f, struct nb_error *err)
{
	const char *s = cur->s;
	size_t len = cur->len, n, end;

	if (cur->lenient)
		p = skip_wsp(s, len, p);
	if (p == len || s[p] == ';') {
		dnsaudit__nb_error_set(err, "empty-field", "empty field", p);
		return -1;
	}
	if (!is_alnum(s[p])) {
		dnsaudit__nb_error_set(err, "bad-name",
		                       "a field name must start with a letter or a digit", p);
		return -1;
	}
	for (n = p; n < len && is_name_char(s[n]); n++)
		;
	if (n - p > NB_FIELD_NAME_MAX) {
		dnsaudit__nb_error_set(err, "bad-name", "field name longer than 32 characters", p);
		return -1;
	}
	f->name = p;
	f->name_len = n - p;
	if (cur->lenient)
		n = skip_wsp(s, len, n);
	if (n == len || s[n] != '=') {
		dnsaudit__nb_error_set(err, "missing-equals", "expected '=' after the field name",
		                       n);
		return -1;
	}
	n++;
	if (cur->lenient)
		n = skip_wsp(s, len, n);
	for (end = n; end < len && s[end] != ';'; end++)
		;
	while (end > n && is_wsp(s[end - 1]))
		end--;
	f->value = n;
	f->value_len = end - n;
	cur->pos = end;
	return 1;
}

/*
 * After a value only WSP can come before the ';' or the end (the value ran
 * to the ';'). 1: a field starts at *next; 0: the record ended.
 */
static int read_delimiter(struct nb_cursor *cur, size_t *next, struct nb_error *err)
{
	size_t p = skip_wsp(cur->s, cur->len, cur->pos);

	if (p == cur->len) {
		/* The ABNFs allow WSP only around a ';', never alone at the end. */
		if (p > cur->pos && !cur->lenient) {
			dnsaudit__nb_error_set(err, "trailing-space",
			                       "whitespace at the end without a ';' before it",
			                       cur->pos);
			return -1;
		}
		return 0;
	}
	p = skip_wsp(cur->s, cur->len, p + 1);
	if (p == cur->len)
		return 0; /* [field-delim] at the end is allowed */
	*next = p;
	return 1;
}

int dnsaudit__nb_next_field(struct nb_cursor *cur, struct nb_field *f, struct nb_error *err)
{
	size_t p = 0;
	int rc;

	if (!cur->started) {
		cur->started = 1;
		return read_field(cur, 0, f, err);
	}
	if ((rc = read_delimiter(cur, &p, err)) <= 0)
		return rc;
	return read_field(cur, p, f, err);
}

int dnsaudit__nb_field_is(const char *s, const struct nb_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name_len == n && memcmp(s + f->name, name, n) == 0;
}

/* Same name in another case: "ID=" where "id=" is meant. */
static int field_is_ci(const char *s, const struct nb_field *f, const char *name)
{
	size_t i, n = strlen(name);

	if (f->name_len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(s[f->name + i]) != name[i])
			return 0;
	return 1;
}

int dnsaudit__nb_version(struct nb_cursor *cur, const char *version, struct nb_error *err)
{
	static const char *const msg = "the record must start with the version field, spelt "
	                               "exactly (letter case included)";
	struct nb_field f;
	size_t i, vl = strlen(version);
	const char *s = cur->s;

	if (dnsaudit__nb_next_field(cur, &f, err) < 0) {
		dnsaudit__nb_error_set(err, "version", msg, err->pos);
		return -1;
	}
	if (!dnsaudit__nb_field_is(s, &f, "v")) {
		dnsaudit__nb_error_set(err, "version", msg, f.name);
		return -1;
	}
	for (i = 0; i < vl && i < f.value_len && s[f.value + i] == version[i]; i++)
		;
	if (i < vl || f.value_len != vl) {
		dnsaudit__nb_error_set(err, "version", msg, f.value + i);
		return -1;
	}
	return 0;
}

int dnsaudit__nb_ext_value(const char *s, const struct nb_field *f, struct nb_error *err)
{
	size_t i;

	if (f->value_len == 0) {
		dnsaudit__nb_error_set(err, "bad-value", "empty value", f->value);
		return -1;
	}
	for (i = 0; i < f->value_len; i++) {
		unsigned char ch = (unsigned char)s[f->value + i];

		if (ch < 0x21 || ch == '=' || ch > 0x7e) {
			dnsaudit__nb_error_set(
			    err, "bad-value",
			    "a value may hold only visible ASCII characters other "
			    "than '=' and ';'",
			    f->value + i);
			return -1;
		}
	}
	return 0;
}

int dnsaudit__nb_wrong_case(const char *s, const struct nb_field *f, const char *name,
                            struct nb_error *err)
{
	if (dnsaudit__nb_field_is(s, f, name) || !field_is_ci(s, f, name))
		return 0;
	dnsaudit__nb_error_set(err, "bad-name",
	                       "field names are case-sensitive: write them in "
	                       "lower case",
	                       f->name);
	return 1;
}

/* ---- shared collector pieces ---- */

int dnsaudit__nb_name(char *buf, size_t size, const char *prefix, const char *domain)
{
	size_t pl = strlen(prefix), dl = strlen(domain);

	if (pl + dl + 1 > size)
		return -1;
	memcpy(buf, prefix, pl);
	memcpy(buf + pl, domain, dl + 1);
	return 0;
}

int dnsaudit__nb_attr_bytes(xmlNodePtr node, const char *name, const char *s, size_t len)
{
	char *esc = dnsaudit_txt_escape((const unsigned char *)s, len, 0);

	if (esc == NULL)
		return -1;
	dnsaudit__fact_attr(node, name, esc);
	free(esc);
	return 0;
}

void dnsaudit__nb_error_facts(xmlNodePtr node, const struct nb_error *err)
{
	if (err->kind == NULL)
		return;
	dnsaudit__fact_attr(node, "error", err->message);
	dnsaudit__fact_attr(node, "error-kind", err->kind);
	dnsaudit__fact_attr_int(node, "error-position", (long)err->pos);
}

/* Looks like this kind, in any letter case and after stray WSP ("v=sts..."). */
static int is_candidate(const char *s, size_t len, const struct nb_txt_kind *k)
{
	size_t i, p = skip_wsp(s, len, 0);

	if (len - p < k->family_len)
		return 0;
	for (i = 0; i < k->family_len; i++)
		if (lower(s[p + i]) != lower(k->version[i]))
			return 0;
	return 1;
}

/* What senders keep: "v=STSv1" exactly, then the end, WSP or ';'. */
static int is_selected(const char *s, size_t len, const struct nb_txt_kind *k)
{
	size_t vl = strlen(k->version), p = k->lenient ? skip_wsp(s, len, 0) : 0;

	return len - p >= vl && memcmp(s + p, k->version, vl) == 0 &&
	       (len - p == vl || s[p + vl] == ';' || is_wsp(s[p + vl]));
}

struct txt_counts {
	size_t records, selected, valid;
};

/* One candidate record as a <record>: 1 valid, 0 invalid, -1 no memory. */
static int record_fact(xmlNodePtr e, const struct nb_txt_kind *k, const char *s, size_t len,
                       int sel)
{
	xmlNodePtr rec = dnsaudit__fact_child(e, "record");
	int ok;

	if (dnsaudit__nb_attr_bytes(rec, "text", s, len) < 0)
		return -1;
	dnsaudit__fact_attr_bool(rec, "selected", sel);
	if ((ok = k->record(rec, s, len)) < 0)
		return -1;
	ok = ok && sel;
	dnsaudit__fact_attr_bool(rec, "valid", ok);
	return ok;
}

/* Every candidate is counted; the first NB_MAX_RECORDS are parsed and written. */
static void record_facts(struct dnsaudit__collect *c, xmlNodePtr e, const dnsaudit_answer *a,
                         const struct nb_txt_kind *k, struct txt_counts *n)
{
	size_t i, len;

	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		char *s = dnsaudit__answer_txt_join(a, i, '\0', &len);
		int sel, ok = 0;

		if (s == NULL) {
			c->oom = 1;
			return;
		}
		if (is_candidate(s, len, k)) {
			sel = is_selected(s, len, k);
			n->selected += sel;
			if (++n->records <= NB_MAX_RECORDS &&
			    (ok = record_fact(e, k, s, len, sel)) < 0)
				c->oom = 1;
			n->valid += ok > 0;
		}
		free(s);
	}
}

int dnsaudit__nb_collect_txt(struct dnsaudit__collect *c, xmlNodePtr audit,
                             const struct nb_txt_kind *k)
{
	char name[NB_NAME_MAX];
	const dnsaudit_answer *a = NULL;
	xmlNodePtr e = dnsaudit__fact_child(audit, k->elem);
	struct txt_counts n = {0, 0, 0};

	if (dnsaudit__nb_name(name, sizeof(name), k->prefix, c->domain) == 0) {
		a = dnsaudit__need(c, name, LDNS_RR_TYPE_TXT);
		dnsaudit__fact_attr(e, "name", name);
	}
	dnsaudit__fact_attr(e, "status", dnsaudit__answer_status_str(a));
	dnsaudit__fact_area(audit, k->elem, a);
	if (a == NULL)
		return 0;
	dnsaudit__fact_answer(e, a);
	if (!dnsaudit__answer_conclusive(a))
		return 0;
	record_facts(c, e, a, k, &n);
	dnsaudit__fact_attr_int(e, "records", (long)n.records);
	dnsaudit__fact_attr_int(e, "selected", (long)n.selected);
	dnsaudit__fact_attr_int(e, "valid", (long)n.valid);
	dnsaudit__fact_attr_bool(e, "truncated", n.records > NB_MAX_RECORDS);
	return 0;
}
