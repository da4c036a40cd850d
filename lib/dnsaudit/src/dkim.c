/*
 * dkim.c -- the DKIM collector: the key records at <selector>._domainkey of
 * the selectors the caller names (--selector) and of a list of common ones
 * (policies/dkim-selectors.txt), all asked in one round, CNAMEs to a
 * provider followed and shown; and the wildcard *._domainkey, whose revoked
 * key is how parked domains say "nothing here signs".
 *
 * Guessing cannot prove absence: a common selector that is not there is only
 * counted, never listed, while a named selector is always listed. Common
 * selectors that return exactly the wildcard's data are the wildcard, not
 * keys of their own, and are counted apart. Facts only: the verdicts are
 * the policy's (dkim.* rules).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "dkim_internal.h"

/* A selector-list file line longer than this is not a selector. */
#define SELECTOR_LINE_MAX 512

struct tally {
	size_t explicit_n, common_tried, common_failed, common_absent, wildcard_matches;
	size_t keys, active;
	int pending;
	const dnsaudit_answer *explicit_failure; /* first named selector that failed */
	const dnsaudit_answer *common_failure;   /* first common one that failed */
	const dnsaudit_answer *conclusive;       /* any answer that is a DNS verdict */
};

/* ---- selector names ---- */

/* ASCII only, whatever the caller's locale says isalnum() is. */
static int label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int dnsaudit__dkim_selector_valid(const char *s)
{
	size_t len, label = 0, i;

	if (s == NULL || (len = strlen(s)) == 0 || len > DKIM_MAX_SELECTOR_OCTETS)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			/* No empty label, none starting or ending with '-'. */
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!label_char((unsigned char)s[i]) || (label == 0 && s[i] == '-') ||
		    ++label > DKIM_MAX_LABEL_OCTETS)
			return 0;
	}
	return s[len - 1] != '.' && s[len - 1] != '-';
}

int dnsaudit_selector_check(const char *selector)
{
	return dnsaudit__dkim_selector_valid(selector) ? 0 : DNSAUDIT_EINVAL;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p != NULL && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static int listed(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

void dnsaudit_selectors_free(char **list, size_t count)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

/* Appends a lowercased copy of s unless present; 0 or a dnsaudit_status. */
static int list_push(char ***list, size_t *n, const char *s)
{
	char *copy, **grown;

	if (!dnsaudit__dkim_selector_valid(s))
		return DNSAUDIT_EINVAL;
	if ((copy = lower_dup(s)) == NULL)
		return DNSAUDIT_ENOMEM;
	if (listed((const char *const *)*list, *n, copy)) {
		free(copy);
		return 0;
	}
	if (*n == DKIM_MAX_SELECTORS) {
		free(copy);
		return DNSAUDIT_ELIMIT;
	}
	if ((grown = realloc(*list, (*n + 1) * sizeof(*grown))) == NULL) {
		free(copy);
		return DNSAUDIT_ENOMEM;
	}
	grown[(*n)++] = copy;
	*list = grown;
	return 0;
}

int dnsaudit__dkim_selectors_copy(char ***out, size_t *count_out, const char *const *in, size_t n)
{
	size_t i;
	int rc = 0;

	*out = NULL;
	*count_out = 0;
	for (i = 0; in != NULL && i < n && rc == 0; i++)
		if (in[i] != NULL)
			rc = list_push(out, count_out, in[i]);
	if (rc != 0) {
		dnsaudit_selectors_free(*out, *count_out);
		*out = NULL;
		*count_out = 0;
	}
	return rc;
}

/* The selector on a line, comment and blanks cut off (in place); "" if none. */
static char *line_selector(char *line)
{
	char *end;

	line[strcspn(line, "#\r\n")] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return line;
}

static int load_lines(FILE *f, const char *path, char ***list, size_t *n, dnsaudit_error *err)
{
	char line[SELECTOR_LINE_MAX];
	unsigned long lineno = 0;
	int rc;

	while (fgets(line, sizeof(line), f) != NULL) {
		char *sel;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s:%lu: line too long", path,
			                    lineno);
			return DNSAUDIT_EINVAL;
		}
		if (*(sel = line_selector(line)) == '\0')
			continue;
		if ((rc = list_push(list, n, sel)) != 0) {
			dnsaudit__error_set(err, rc, "%s:%lu: %s", path, lineno,
			                    rc == DNSAUDIT_EINVAL ? "not a DKIM selector (letters, "
			                                            "digits, '-', '_' and dots)"
			                    : rc == DNSAUDIT_ELIMIT ? "more than 256 selectors"
			                                            : "out of memory");
			return rc;
		}
	}
	if (ferror(f)) {
		dnsaudit__error_set(err, DNSAUDIT_ERROR, "%s: read error", path);
		return DNSAUDIT_ERROR;
	}
	return 0;
}

int dnsaudit_selectors_load(char ***out, size_t *count_out, const char *path, dnsaudit_error *err)
{
	FILE *f;
	int rc;

	*out = NULL;
	*count_out = 0;
	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", path ? path : "(null)",
		                    path ? strerror(errno) : "no path");
		return DNSAUDIT_EINVAL;
	}
	rc = load_lines(f, path, out, count_out, err);
	fclose(f);
	if (rc != 0) {
		dnsaudit_selectors_free(*out, *count_out);
		*out = NULL;
		*count_out = 0;
	}
	return rc;
}

/* ---- facts ---- */
static void escaped_text(xmlNodePtr parent, const char *name, const char *s, size_t len)
{
	char *esc = dnsaudit_txt_escape((const unsigned char *)s, len, 0);

	dnsaudit__fact_text(parent, name, esc);
	free(esc);
}

static void error_attrs(xmlNodePtr n, const struct dkim_key *k)
{
	dnsaudit__fact_attr(n, "syntax-error", k->reason);
	dnsaudit__fact_attr(n, "error-kind", k->error == DKIM_KEY_ERR_SYNTAX ? "syntax" : "key");
	dnsaudit__fact_attr_int(n, "error-position", (long)k->error_pos);
}

static void tag_attrs(xmlNodePtr n, const struct dkim_key *k)
{
	if (k->has_version)
		dnsaudit__fact_attr(n, "version", "DKIM1");
	dnsaudit__fact_attr(n, "type", k->type_name);
	dnsaudit__fact_attr_bool(n, "type-known", k->type != DKIM_KEY_UNKNOWN);
	if (k->bits > 0)
		dnsaudit__fact_attr_int(n, "bits", k->bits);
	dnsaudit__fact_attr(n, "format", dnsaudit__dkim_key_format_name(k->format));
	dnsaudit__fact_attr_bool(n, "revoked", k->revoked);
	dnsaudit__fact_attr_bool(n, "testing", (k->flags & DKIM_FLAG_TESTING) != 0);
	dnsaudit__fact_attr_bool(n, "strict", (k->flags & DKIM_FLAG_STRICT) != 0);
	if (k->flag_list[0])
		dnsaudit__fact_attr(n, "flags", k->flag_list);
	if (k->has_hashes)
		dnsaudit__fact_attr(n, "hashes", k->hash_list);
	/* RFC 8301 §3.1: sha256 is the only hash left to sign with. */
	dnsaudit__fact_attr_bool(n, "sha256", !k->has_hashes || (k->hashes & DKIM_HASH_SHA256));
	if (k->has_services)
		dnsaudit__fact_attr(n, "services", k->service_list);
	dnsaudit__fact_attr_bool(n, "email",
	                         (k->services & (DKIM_SERVICE_ANY | DKIM_SERVICE_EMAIL)) != 0);
}

/* One <key> for a TXT record; returns 1 when it is a usable (valid, not revoked) key. */
static int key_facts(xmlNodePtr parent, const char *rec, size_t len, int *revoked)
{
	struct dkim_key k;
	xmlNodePtr n = dnsaudit__fact_child(parent, "key");

	dnsaudit__dkim_key_parse(rec, len, &k);
	if (k.error != DKIM_KEY_ERR_SYNTAX)
		tag_attrs(n, &k);
	if (k.error != DKIM_KEY_OK)
		error_attrs(n, &k);
	escaped_text(n, "record", rec, len);
	if (k.error == DKIM_KEY_OK && k.has_notes)
		escaped_text(n, "notes", rec + k.notes_pos, k.notes_len);
	*revoked = k.error == DKIM_KEY_OK && k.revoked;
	/* A k= verifiers do not know is ignored by them (RFC 6376 §3.6.1). */
	return k.error == DKIM_KEY_OK && !k.revoked && k.type != DKIM_KEY_UNKNOWN;
}

/* Number of records a selector shows: all for a named one, key-like ones when guessed. */
static size_t shown_records(const dnsaudit_answer *a, int all)
{
	size_t i, n = 0, len;

	if (dnsaudit_answer_status(a) != DNSAUDIT_DNS_OK)
		return 0;
	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		char *rec = dnsaudit__answer_txt_join(a, i, '\0', &len);

		n += rec != NULL && (all || dnsaudit__dkim_key_is_candidate(rec, len));
		free(rec);
	}
	return n;
}

/* Same records as the wildcard's: the answer was synthesised from it (RFC 4592). */
static int same_as_wildcard(const dnsaudit_answer *a, const dnsaudit_answer *wild)
{
	size_t i, j, n = dnsaudit_answer_count(a);
	int same = n > 0 && wild != NULL && dnsaudit_answer_status(wild) == DNSAUDIT_DNS_OK &&
	           dnsaudit_answer_count(wild) == n && dnsaudit_answer_cname_count(a) == 0;

	for (i = 0; same && i < n; i++) {
		char *x = dnsaudit_answer_rdata(a, i);
		int found = 0;

		for (j = 0; x != NULL && !found && j < n; j++) {
			char *y = dnsaudit_answer_rdata(wild, j);

			found = y != NULL && strcmp(x, y) == 0;
			free(y);
		}
		same = found;
		free(x);
	}
	return same;
}

static void keys_into(xmlNodePtr parent, const dnsaudit_answer *a, int all, struct tally *t,
                      int *any_revoked)
{
	size_t i, len;
	int revoked;

	if (dnsaudit_answer_status(a) != DNSAUDIT_DNS_OK)
		return;
	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		char *rec = dnsaudit__answer_txt_join(a, i, '\0', &len);

		if (rec != NULL && (all || dnsaudit__dkim_key_is_candidate(rec, len))) {
			int usable = key_facts(parent, rec, len, &revoked);

			if (t != NULL) {
				t->keys++;
				t->active += usable;
			}
			if (any_revoked != NULL)
				*any_revoked |= revoked;
		}
		free(rec);
	}
}

static void alias_attr(xmlNodePtr n, const dnsaudit_answer *a)
{
	size_t chain = dnsaudit_answer_cname_count(a);
	char *target;

	dnsaudit__fact_attr_bool(n, "alias", chain > 0);
	if (chain == 0)
		return;
	target = dnsaudit_answer_cname_target(a, chain - 1);
	dnsaudit__fact_attr(n, "alias-target", target);
	free(target);
}

static char *selector_qname(const char *sel, const char *domain)
{
	size_t n = strlen(sel) + strlen("._domainkey.") + strlen(domain) + 1;
	char *q = malloc(n);

	if (q != NULL)
		snprintf(q, n, "%s._domainkey.%s", sel, domain);
	return q;
}

/* Counts a lookup's outcome; returns 0 when it is still pending. */
static int count_answer(struct tally *t, const dnsaudit_answer *a, int is_explicit)
{
	if (a == NULL) {
		t->pending = 1;
		return 0;
	}
	if (dnsaudit__answer_conclusive(a)) {
		if (t->conclusive == NULL)
			t->conclusive = a;
	} else if (is_explicit) {
		if (t->explicit_failure == NULL)
			t->explicit_failure = a;
	} else {
		t->common_failed++;
		if (t->common_failure == NULL)
			t->common_failure = a;
	}
	return 1;
}

/* Whether a guessed selector is listed: it has keys of its own, or it is an alias. */
static int guess_shown(const dnsaudit_answer *a, const dnsaudit_answer *wild, struct tally *t)
{
	if (!dnsaudit__answer_conclusive(a))
		return 0;
	if (same_as_wildcard(a, wild)) {
		t->wildcard_matches++;
		return 0;
	}
	if (shown_records(a, 0) > 0 || dnsaudit_answer_cname_count(a) > 0)
		return 1;
	t->common_absent++;
	return 0;
}

static void selector_facts(struct dnsaudit__collect *c, xmlNodePtr dkim, const char *sel,
                           int is_explicit, const dnsaudit_answer *wild, struct tally *t)
{
	char *qname = selector_qname(sel, c->domain);
	const dnsaudit_answer *a = qname ? dnsaudit__need(c, qname, LDNS_RR_TYPE_TXT) : NULL;
	xmlNodePtr n;

	free(qname);
	if (qname == NULL) {
		c->oom = 1;
		return;
	}
	if (!is_explicit)
		t->common_tried++;
	if (!count_answer(t, a, is_explicit) || (!is_explicit && !guess_shown(a, wild, t)))
		return;
	n = dnsaudit__fact_child(dkim, "selector");
	dnsaudit__fact_attr(n, "name", sel);
	dnsaudit__fact_attr(n, "source", is_explicit ? "explicit" : "common");
	dnsaudit__fact_attr(n, "status", dnsaudit__answer_status_str(a));
	alias_attr(n, a);
	dnsaudit__fact_attr_int(n, "keys", (long)shown_records(a, is_explicit));
	dnsaudit__fact_attr_bool(n, "matches-wildcard", is_explicit && same_as_wildcard(a, wild));
	dnsaudit__fact_answer(n, a);
	keys_into(n, a, is_explicit, t, NULL);
}

/* *._domainkey asked by its literal name returns the wildcard's own data. */
static const dnsaudit_answer *wildcard_facts(struct dnsaudit__collect *c, xmlNodePtr dkim,
                                             int *revoked)
{
	const dnsaudit_answer *a = NULL;
	char *qname = selector_qname("*", c->domain);
	xmlNodePtr n;

	if (qname == NULL) {
		c->oom = 1;
		return NULL;
	}
	a = dnsaudit__need(c, qname, LDNS_RR_TYPE_TXT);
	free(qname);
	n = dnsaudit__fact_child(dkim, "wildcard");
	dnsaudit__fact_attr(n, "status", dnsaudit__answer_status_str(a));
	if (a != NULL)
		keys_into(n, a, 0, NULL, revoked);
	return a;
}

/* Inconclusive when a named selector failed, or when every guess failed. */
static const dnsaudit_answer *decisive_answer(const struct tally *t, const dnsaudit_answer *wild)
{
	if (t->explicit_failure != NULL)
		return t->explicit_failure;
	if (t->common_tried > 0 && t->common_failed == t->common_tried)
		return t->common_failure;
	return t->conclusive != NULL ? t->conclusive : wild;
}

static void summary_attrs(xmlNodePtr dkim, const struct tally *t, const dnsaudit_answer *d)
{
	dnsaudit__fact_attr(dkim, "status",
	                    t->pending                       ? "pending"
	                    : dnsaudit__answer_conclusive(d) ? "ok"
	                                                     : dnsaudit__answer_status_str(d));
	dnsaudit__fact_attr_bool(dkim, "guessed", t->explicit_n == 0);
	dnsaudit__fact_attr_int(dkim, "explicit", (long)t->explicit_n);
	dnsaudit__fact_attr_int(dkim, "common-tried", (long)t->common_tried);
	dnsaudit__fact_attr_int(dkim, "common-absent", (long)t->common_absent);
	dnsaudit__fact_attr_int(dkim, "common-failed", (long)t->common_failed);
	dnsaudit__fact_attr_int(dkim, "wildcard-matches", (long)t->wildcard_matches);
	dnsaudit__fact_attr_int(dkim, "keys-found", (long)t->keys);
	dnsaudit__fact_attr_int(dkim, "active-keys", (long)t->active);
}

int dnsaudit__collect_dkim(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	xmlNodePtr dkim = dnsaudit__fact_child(audit, "dkim");
	struct tally t;
	const dnsaudit_answer *wild;
	size_t i;
	int wild_revoked = 0;

	memset(&t, 0, sizeof(t));
	/* Every lookup is asked in this pass, whatever is cached: one round for all. */
	wild = wildcard_facts(c, dkim, &wild_revoked);
	for (i = 0; i < c->nselectors; i++) {
		t.explicit_n++;
		selector_facts(c, dkim, c->selectors[i], 1, wild, &t);
	}
	for (i = 0; i < c->ncommon; i++)
		if (!listed(c->selectors, c->nselectors, c->common_selectors[i]))
			selector_facts(c, dkim, c->common_selectors[i], 0, wild, &t);
	if (wild == NULL)
		t.pending = 1;
	summary_attrs(dkim, &t, decisive_answer(&t, wild));
	dnsaudit__fact_attr_bool(dkim, "wildcard-revoked", wild_revoked);
	dnsaudit__fact_area(audit, "dkim", t.pending ? NULL : decisive_answer(&t, wild));
	return 0;
}
