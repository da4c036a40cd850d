/*
 * dmarc_parse.c -- the DMARC policy record parser (RFC 7489 §6.3-§6.4,
 * RFC 9989 §4.7-§4.8) and the per-spec rules for missing or invalid
 * policies (RFC 7489 §6.6.3 step 6, RFC 9989 §4.7 and §4.10.1).
 *
 * The record is split into tag-specs at ';' (the only character a value
 * cannot hold), each checked on its own, so one bad tag yields one located
 * error and the rest is still read: both RFCs say that a syntax error in a
 * tag is discarded in favour of the default, while a record that does not
 * start with v=DMARC1 is no DMARC record at all (the fatal case). The
 * caller's bytes are never trusted: any byte may appear, NUL included;
 * messages quote at most a few printable bytes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_internal.h"

/* How much of a bad value an error message quotes. */
#define QUOTE_MAX 40

struct parser {
	const char *s; /* the record */
	size_t len;
	struct dmarc_record *rec;
	int oom;
	int p_invalid, sp_invalid, np_invalid;
	int limit_said; /* the DMARC_MAX_TAGS error is given once */
};

static const char *const tag_names[] = {"v",   "p",   "sp",  "np", "psd", "t",  "adkim",  "aspf",
                                        "pct", "rua", "ruf", "fo", "rf",  "ri", "unknown"};

const char *dnsaudit__dmarc_tag_name(dmarc_tag_id t)
{
	return (unsigned)t <= DMARC_TAG_UNKNOWN ? tag_names[t] : "unknown";
}

const char *dnsaudit__dmarc_spec_name(dmarc_spec s)
{
	return s == DMARC_SPEC_RFC7489 ? "rfc7489" : "rfc9989";
}

const char *dnsaudit__dmarc_policy_name(dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	default:
		return "unset";
	}
}

const char *dnsaudit__dmarc_error_kind_name(dmarc_error_kind k)
{
	static const char *const names[] = {"empty",    "version",   "too-long",  "syntax",
	                                    "value",    "duplicate", "missing-p", "limit",
	                                    "obsolete", "note"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* ---- small helpers ---- */

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* A printable, bounded copy of s[0..n) for messages. */
static const char *quote(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, max = size - 4 < QUOTE_MAX ? size - 4 : QUOTE_MAX;

	for (i = 0; i < n && i < max; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
	if (i < n) {
		buf[i++] = '.';
		buf[i++] = '.';
		buf[i++] = '.';
	}
	buf[i] = '\0';
	return buf;
}

static char *copy(struct parser *p, const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (c == NULL) {
		p->oom = 1;
		return NULL;
	}
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

static void add_issue(struct parser *p, int warning, size_t pos, dmarc_error_kind kind,
                      dmarc_tag_id tag, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void add_issue(struct parser *p, int warning, size_t pos, dmarc_error_kind kind,
                      dmarc_tag_id tag, const char *fmt, va_list ap)
{
	struct dmarc_error **list = warning ? &p->rec->warnings : &p->rec->errors;
	size_t *n = warning ? &p->rec->nwarnings : &p->rec->nerrors;
	struct dmarc_error *e;

	if (*n >= DMARC_MAX_ISSUES)
		return;
	if (*list == NULL && (*list = calloc(DMARC_MAX_ISSUES, sizeof(**list))) == NULL) {
		p->oom = 1;
		return;
	}
	e = &(*list)[(*n)++];
	e->pos = pos;
	e->kind = kind;
	e->tag = tag;
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
}

static void error(struct parser *p, size_t pos, dmarc_error_kind kind, dmarc_tag_id tag,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void error(struct parser *p, size_t pos, dmarc_error_kind kind, dmarc_tag_id tag,
                  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_issue(p, 0, pos, kind, tag, fmt, ap);
	va_end(ap);
}

static void warn(struct parser *p, size_t pos, dmarc_error_kind kind, dmarc_tag_id tag,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void warn(struct parser *p, size_t pos, dmarc_error_kind kind, dmarc_tag_id tag,
                 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_issue(p, 1, pos, kind, tag, fmt, ap);
	va_end(ap);
}

/* A value problem: an error, or a warning for the tags RFC 9989 removed. */
static void bad_value(struct parser *p, dmarc_tag_id tag, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bad_value(struct parser *p, dmarc_tag_id tag, size_t pos, const char *fmt, ...)
{
	int removed = tag == DMARC_TAG_PCT || tag == DMARC_TAG_RF || tag == DMARC_TAG_RI;
	va_list ap;

	va_start(ap, fmt);
	if (removed && p->rec->spec == DMARC_SPEC_RFC9989)
		add_issue(p, 1, pos, DMARC_ERR_OBSOLETE, tag, fmt, ap);
	else
		add_issue(p, 0, pos, DMARC_ERR_VALUE, tag, fmt, ap);
	va_end(ap);
}

/* ---- the version tag ---- */

/*
 * The first tag-spec [0, end) must be "v" *WSP "=" *WSP "DMARC1" *WSP, with
 * no leading space (dmarc-record starts with dmarc-version).
 */
static int version_ok(const char *s, size_t end)
{
	size_t i = 0;

	if (end == 0 || (s[0] != 'v' && s[0] != 'V'))
		return 0;
	for (i = 1; i < end && is_wsp(s[i]); i++)
		;
	if (i >= end || s[i] != '=')
		return 0;
	for (i++; i < end && is_wsp(s[i]); i++)
		;
	if (end - i < 6 || memcmp(s + i, "DMARC1", 6) != 0)
		return 0;
	for (i += 6; i < end && is_wsp(s[i]); i++)
		;
	return i == end;
}

static size_t spec_end(const char *s, size_t len, size_t from)
{
	const char *semi = from < len ? memchr(s + from, ';', len - from) : NULL;

	return semi != NULL ? (size_t)(semi - s) : len;
}

int dnsaudit__dmarc_is_record(const char *text, size_t len)
{
	if (text == NULL || len > DMARC_MAX_RECORD_OCTETS)
		return 0;
	return version_ok(text, spec_end(text, len, 0));
}

/* ---- enumerated values ---- */

static int word_eq(const char *v, const char *w)
{
	return strcasecmp(v, w) == 0;
}

static int parse_policy(struct parser *p, const struct dmarc_tag *t, dmarc_policy *out)
{
	char b[QUOTE_MAX + 4];

	if (word_eq(t->value, "none"))
		*out = DMARC_POLICY_NONE;
	else if (word_eq(t->value, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (word_eq(t->value, "reject"))
		*out = DMARC_POLICY_REJECT;
	else {
		error(p, t->value_pos, DMARC_ERR_VALUE, t->id,
		      "%s: '%s' is not none, quarantine or reject", tag_names[t->id],
		      quote(t->value, strlen(t->value), b, sizeof(b)));
		return -1;
	}
	return 0;
}

/* One letter out of `allowed` (case-insensitive); its index, or -1 with an error. */
static int parse_letter(struct parser *p, const struct dmarc_tag *t, const char *allowed,
                        const char *say)
{
	const char *hit;
	char b[QUOTE_MAX + 4];

	if (strlen(t->value) == 1 &&
	    (hit = strchr(allowed, tolower((unsigned char)t->value[0]))) != NULL)
		return (int)(hit - allowed);
	error(p, t->value_pos, DMARC_ERR_VALUE, t->id, "%s: '%s' is not %s", tag_names[t->id],
	      quote(t->value, strlen(t->value), b, sizeof(b)), say);
	return -1;
}

/* 1*max_digits DIGIT up to `limit`; -1 when not. */
static int parse_uint(const char *v, size_t max_digits, unsigned long long limit,
                      unsigned long long *out)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (!isdigit((unsigned char)v[i]) || i >= max_digits)
			return -1;
		n = n * 10 + (unsigned)(v[i] - '0');
		if (n > limit)
			return -1;
	}
	if (i == 0)
		return -1;
	*out = n;
	return 0;
}

static void parse_pct(struct parser *p, struct dmarc_tag *t)
{
	unsigned long long n;
	char b[QUOTE_MAX + 4];

	if (parse_uint(t->value, 3, 100, &n) != 0) {
		bad_value(p, t->id, t->value_pos, "pct: '%s' is not an integer from 0 to 100",
		          quote(t->value, strlen(t->value), b, sizeof(b)));
		return;
	}
	t->valid = 1;
	p->rec->pct = (unsigned)n;
	p->rec->pct_set = 1;
}

static void parse_ri(struct parser *p, struct dmarc_tag *t)
{
	unsigned long long n;
	char b[QUOTE_MAX + 4];

	/* 1*DIGIT, a 32-bit unsigned integer; leading zeros are digits too. */
	if (parse_uint(t->value, (size_t)-1, 4294967295ULL, &n) != 0) {
		bad_value(p, t->id, t->value_pos,
		          "ri: '%s' is not an unsigned 32-bit number of seconds",
		          quote(t->value, strlen(t->value), b, sizeof(b)));
		return;
	}
	t->valid = 1;
	p->rec->ri = (uint32_t)n;
	p->rec->ri_set = 1;
}

/*
 * Walks a colon-separated list, `*WSP ":" *WSP` between items; calls item()
 * on each; stops at the first item it rejects. Returns 0 or -1.
 */
static int each_colon_item(struct parser *p, struct dmarc_tag *t,
                           int (*item)(struct parser *, struct dmarc_tag *, const char *, size_t,
                                       size_t))
{
	const char *v = t->value;
	size_t i = 0, n = strlen(v);

	for (;;) {
		size_t start = i, end;

		while (i < n && v[i] != ':')
			i++;
		end = i;
		while (end > start && is_wsp(v[end - 1]))
			end--;
		while (start < end && is_wsp(v[start]))
			start++;
		if (item(p, t, v + start, end - start, t->value_pos + start) != 0)
			return -1;
		if (i >= n)
			return 0;
		i++;
	}
}

static int fo_item(struct parser *p, struct dmarc_tag *t, const char *s, size_t n, size_t pos)
{
	static const char opts[] = "01ds";
	const char *hit = n == 1 ? strchr(opts, tolower((unsigned char)s[0])) : NULL;
	char b[QUOTE_MAX + 4];

	if (hit == NULL || *s == '\0') {
		error(p, pos, DMARC_ERR_VALUE, t->id, "fo: '%s' is not 0, 1, d or s",
		      quote(s, n, b, sizeof(b)));
		return -1;
	}
	p->rec->fo |= 1u << (hit - opts);
	return 0;
}

static void parse_fo(struct parser *p, struct dmarc_tag *t)
{
	unsigned saved = p->rec->fo;

	p->rec->fo = 0;
	if (each_colon_item(p, t, fo_item) != 0) {
		p->rec->fo = saved;
		return;
	}
	t->valid = 1;
	p->rec->fo_set = 1;
}

/* RFC 5321 Keyword (Ldh-str): letters, digits, inner hyphens. */
static int keyword(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int rf_item(struct parser *p, struct dmarc_tag *t, const char *s, size_t n, size_t pos)
{
	char b[QUOTE_MAX + 4];

	if (!keyword(s, n)) {
		bad_value(p, t->id, pos, "rf: '%s' is not a report format keyword",
		          quote(s, n, b, sizeof(b)));
		return -1;
	}
	/* RFC 7489 §6.3: "registered reporting formats only"; IANA has afrf. */
	if (n != 4 || strncasecmp(s, "afrf", 4) != 0) {
		bad_value(p, t->id, pos,
		          "rf: '%s' is not a registered failure-report format (afrf)",
		          quote(s, n, b, sizeof(b)));
		return -1;
	}
	p->rec->rf_afrf = 1;
	return 0;
}

static void parse_rf(struct parser *p, struct dmarc_tag *t)
{
	if (each_colon_item(p, t, rf_item) != 0)
		return;
	t->valid = 1;
	p->rec->rf_set = 1;
}

/* ---- URIs ---- */

static int uri_char(unsigned char c)
{
	/* RFC 3986 unreserved and reserved, less ',' and '!' (DMARC: encode them). */
	return isalnum(c) || strchr("-._~:/?#[]@$&'()*+;=", c) != NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 3986 URI syntax, coarsely: scheme ":" then URI characters and %HH. */
static const char *uri_problem(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "is empty";
	if (!isalpha((unsigned char)s[0]))
		return "has no scheme";
	for (i = 1; i < n && s[i] != ':'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
			return "has no scheme";
	if (i == n)
		return "has no scheme";
	for (i++; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n + 0 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return "has a bad %-escape";
			i += 2;
		} else if (c == '!') {
			return "has an unencoded '!'";
		} else if (!uri_char(c)) {
			return "has a character not allowed in a URI";
		}
	}
	return NULL;
}

/* "!" 1*DIGIT [k/m/g/t] at the end of [s, s+*n): strip it into u. */
static void take_size(const char *s, size_t *n, struct dmarc_uri *u)
{
	const char *bang = NULL;
	size_t i, end = *n, digits;
	unsigned long long v = 0, mult = 1;
	int sat = 0;

	for (i = end; i > 0; i--)
		if (s[i - 1] == '!') {
			bang = s + i - 1;
			break;
		}
	if (bang == NULL)
		return;
	i = (size_t)(bang - s) + 1;
	if (end > i && strchr("kKmMgGtT", s[end - 1]) != NULL) {
		int shift =
		    10 * (int)(strchr("kmgt", tolower((unsigned char)s[end - 1])) - "kmgt" + 1);

		mult = 1ULL << shift;
		end--;
	}
	for (digits = 0; i + digits < end; digits++) {
		if (!isdigit((unsigned char)s[i + digits]))
			return;
		if (v > (UINT64_MAX - 9) / 10)
			sat = 1;
		else
			v = v * 10 + (unsigned)(s[i + digits] - '0');
	}
	if (digits == 0)
		return;
	u->has_size = 1;
	u->size_limit = (sat || v > UINT64_MAX / mult) ? UINT64_MAX : v * mult;
	*n = (size_t)(bang - s);
}

/* A host name: LDH/underscore labels; lowercased into out. */
static int host_name(const char *s, size_t n, char *out, size_t size)
{
	char tmp[DMARC_MAX_NAME_OCTETS + 2];

	if (n == 0 || n > DMARC_MAX_NAME_OCTETS + 1)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return dnsaudit__dmarc_normalize(tmp, out, size);
}

/* mailto:local@domain[?headers]: the decoded address and its domain. */
static void take_mailto(struct parser *p, struct dmarc_uri *u)
{
	const char *s = u->text + 7, *q = strchr(s, '?');
	size_t n = q != NULL ? (size_t)(q - s) : strlen(s), o = 0, i;
	char *addr = malloc(n + 1), *at, dom[DMARC_MAX_NAME_OCTETS + 2];

	if (addr == NULL) {
		p->oom = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 1 && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			addr[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			addr[o++] = s[i];
		}
	}
	addr[o] = '\0';
	at = strrchr(addr, '@');
	/* One address only: a decoded ',' or NUL would make it several or none. */
	if (at == NULL || at == addr || memchr(addr, ',', o) != NULL || strlen(addr) != o ||
	    host_name(at + 1, strlen(at + 1), dom, sizeof(dom)) != 0) {
		free(addr);
		return;
	}
	u->address = addr;
	u->domain = copy(p, dom, strlen(dom));
}

static void take_scheme(struct parser *p, struct dmarc_uri *u)
{
	size_t n = (size_t)(strchr(u->text, ':') - u->text), i;

	if ((u->scheme = copy(p, u->text, n)) == NULL)
		return;
	for (i = 0; i < n; i++)
		u->scheme[i] = (char)tolower((unsigned char)u->scheme[i]);
	u->mailto = strcmp(u->scheme, "mailto") == 0;
	if (u->mailto)
		take_mailto(p, u);
}

/* One element of a URI list; 0 when valid. */
static int add_uri(struct parser *p, struct dmarc_tag *t, struct dmarc_uri *list, size_t *n,
                   const char *s, size_t len, size_t pos)
{
	struct dmarc_uri *u = &list[*n];
	const char *why;
	char b[QUOTE_MAX + 4];

	memset(u, 0, sizeof(*u));
	u->pos = pos;
	take_size(s, &len, u);
	if ((u->text = copy(p, s, len)) == NULL)
		return -1;
	(*n)++;
	if ((why = uri_problem(s, len)) != NULL) {
		error(p, pos, DMARC_ERR_VALUE, t->id, "%s: '%s' %s", tag_names[t->id],
		      quote(s, len, b, sizeof(b)), why);
		return -1;
	}
	u->valid = 1;
	take_scheme(p, u);
	if (u->has_size && p->rec->spec == DMARC_SPEC_RFC9989)
		warn(p, pos, DMARC_ERR_OBSOLETE, t->id,
		     "%s: the '!size' limit of '%s' is not part of RFC 9989 (RFC 7489 §6.4 only)",
		     tag_names[t->id], quote(s, len, b, sizeof(b)));
	return 0;
}

static void parse_uris(struct parser *p, struct dmarc_tag *t)
{
	struct dmarc_uri **list = t->id == DMARC_TAG_RUA ? &p->rec->rua : &p->rec->ruf;
	size_t *n = t->id == DMARC_TAG_RUA ? &p->rec->nrua : &p->rec->nruf;
	const char *v = t->value;
	size_t i = 0, len = strlen(v);
	int bad = 0;

	if ((*list = calloc(DMARC_MAX_URIS, sizeof(**list))) == NULL) {
		p->oom = 1;
		return;
	}
	for (;;) {
		size_t start = i, end;

		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && is_wsp(v[end - 1]))
			end--;
		while (start < end && is_wsp(v[start]))
			start++;
		if (*n == DMARC_MAX_URIS) {
			error(p, t->value_pos + start, DMARC_ERR_LIMIT, t->id,
			      "%s: more than %d URIs; the rest is ignored", tag_names[t->id],
			      DMARC_MAX_URIS);
			break;
		}
		if (add_uri(p, t, *list, n, v + start, end - start, t->value_pos + start) != 0)
			bad = 1;
		if (p->oom || i >= len)
			break;
		i++;
	}
	t->valid = !bad;
	for (i = 0; t->id == DMARC_TAG_RUA && i < *n; i++)
		if ((*list)[i].valid)
			p->rec->rua_valid = 1;
}

/* ---- tags ---- */

/* The tag id of a name under the spec (np, psd, t are not RFC 7489's). */
static dmarc_tag_id tag_id(const char *name, dmarc_spec spec)
{
	dmarc_tag_id t;

	for (t = DMARC_TAG_V; t < DMARC_TAG_UNKNOWN; t++)
		if (strcasecmp(name, tag_names[t]) == 0)
			break;
	if (spec == DMARC_SPEC_RFC7489 &&
	    (t == DMARC_TAG_NP || t == DMARC_TAG_PSD || t == DMARC_TAG_T))
		return DMARC_TAG_UNKNOWN;
	return t;
}

static void set_policy(struct parser *p, struct dmarc_tag *t)
{
	struct dmarc_record *r = p->rec;
	dmarc_policy v;
	int ok = parse_policy(p, t, &v) == 0;

	t->valid = ok;
	if (t->id == DMARC_TAG_P) {
		r->p = ok ? v : r->p;
		r->p_set = ok;
		p->p_invalid = !ok;
	} else if (t->id == DMARC_TAG_SP) {
		r->sp = ok ? v : r->sp;
		r->sp_set = ok;
		p->sp_invalid = !ok;
	} else {
		r->np = ok ? v : r->np;
		r->np_set = ok;
		p->np_invalid = !ok;
	}
}

static void set_letter(struct parser *p, struct dmarc_tag *t)
{
	struct dmarc_record *r = p->rec;
	int i;

	switch (t->id) {
	case DMARC_TAG_PSD:
		if ((i = parse_letter(p, t, "uyn", "y, n or u")) >= 0) {
			r->psd = (dmarc_psd)i;
			r->psd_set = t->valid = 1;
		}
		break;
	case DMARC_TAG_T:
		if ((i = parse_letter(p, t, "ny", "y or n")) >= 0) {
			r->t = i;
			r->t_set = t->valid = 1;
		}
		break;
	case DMARC_TAG_ADKIM:
	case DMARC_TAG_ASPF:
		if ((i = parse_letter(p, t, "rs", "r (relaxed) or s (strict)")) < 0)
			break;
		t->valid = 1;
		if (t->id == DMARC_TAG_ADKIM) {
			r->adkim = (dmarc_align_mode)i;
			r->adkim_set = 1;
		} else {
			r->aspf = (dmarc_align_mode)i;
			r->aspf_set = 1;
		}
		break;
	default:
		break;
	}
}

static void set_value(struct parser *p, struct dmarc_tag *t)
{
	switch (t->id) {
	case DMARC_TAG_P:
	case DMARC_TAG_SP:
	case DMARC_TAG_NP:
		set_policy(p, t);
		break;
	case DMARC_TAG_PSD:
	case DMARC_TAG_T:
	case DMARC_TAG_ADKIM:
	case DMARC_TAG_ASPF:
		set_letter(p, t);
		break;
	case DMARC_TAG_PCT:
		parse_pct(p, t);
		break;
	case DMARC_TAG_RI:
		parse_ri(p, t);
		break;
	case DMARC_TAG_RF:
		parse_rf(p, t);
		break;
	case DMARC_TAG_FO:
		parse_fo(p, t);
		break;
	case DMARC_TAG_RUA:
	case DMARC_TAG_RUF:
		parse_uris(p, t);
		break;
	default: /* v (checked first), unknown */
		t->valid = 1;
		break;
	}
}

static int name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* dmarc-value = %x20-3A / %x3C-7E; the offset of the first other byte, or -1. */
static long bad_byte(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
			return (long)i;
	return -1;
}

static int is_duplicate(const struct dmarc_record *r, const struct dmarc_tag *t)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		if (&r->tags[i] != t && !r->tags[i].duplicate &&
		    strcasecmp(r->tags[i].name, t->name) == 0)
			return 1;
	return 0;
}

/* Records tag-spec [a, b) (WSP trimmed, non-empty). */
static void take_tag(struct parser *p, size_t a, size_t b)
{
	const char *s = p->s, *eq = memchr(s + a, '=', b - a);
	struct dmarc_record *r = p->rec;
	size_t ne, vs;
	struct dmarc_tag *t;
	char q[QUOTE_MAX + 4];
	long bb;

	if (eq == NULL) {
		error(p, a, DMARC_ERR_SYNTAX, DMARC_TAG_UNKNOWN, "'%s' is not a tag=value pair",
		      quote(s + a, b - a, q, sizeof(q)));
		return;
	}
	for (ne = (size_t)(eq - s); ne > a && is_wsp(s[ne - 1]); ne--)
		;
	for (vs = (size_t)(eq - s) + 1; vs < b && is_wsp(s[vs]); vs++)
		;
	if (r->ntags == DMARC_MAX_TAGS) {
		if (!p->limit_said)
			error(p, a, DMARC_ERR_LIMIT, DMARC_TAG_UNKNOWN,
			      "more than %d tags; the rest is ignored", DMARC_MAX_TAGS);
		p->limit_said = 1;
		return;
	}
	t = &r->tags[r->ntags];
	memset(t, 0, sizeof(*t));
	t->pos = a;
	t->value_pos = vs;
	if ((t->name = copy(p, s + a, ne - a)) == NULL ||
	    (t->value = copy(p, s + vs, b - vs)) == NULL) {
		free(t->name);
		return;
	}
	r->ntags++;
	if (!name_ok(t->name, ne - a)) {
		t->id = DMARC_TAG_UNKNOWN;
		r->nunknown++;
		error(p, a, DMARC_ERR_SYNTAX, DMARC_TAG_UNKNOWN,
		      "tag name '%s' is not letters only", quote(s + a, ne - a, q, sizeof(q)));
		return;
	}
	t->id = tag_id(t->name, r->spec);
	if (t->id == DMARC_TAG_UNKNOWN)
		r->nunknown++;
	if (t->id == DMARC_TAG_PCT)
		r->removed_used |= DMARC_REMOVED_PCT;
	else if (t->id == DMARC_TAG_RF)
		r->removed_used |= DMARC_REMOVED_RF;
	else if (t->id == DMARC_TAG_RI)
		r->removed_used |= DMARC_REMOVED_RI;
	if (is_duplicate(r, t)) {
		t->duplicate = 1;
		error(p, a, DMARC_ERR_DUPLICATE, t->id,
		      "%s: given more than once; this one is ignored (RFC 6376 §3.2 tag-list)",
		      quote(t->name, strlen(t->name), q, sizeof(q)));
		return;
	}
	if (vs == b) {
		error(p, vs, DMARC_ERR_SYNTAX, t->id, "%s: empty value",
		      quote(t->name, strlen(t->name), q, sizeof(q)));
		return;
	}
	if ((bb = bad_byte(s + vs, b - vs)) >= 0) {
		error(p, vs + (size_t)bb, DMARC_ERR_SYNTAX, t->id,
		      "%s: byte 0x%02X is not allowed in a tag value",
		      quote(t->name, strlen(t->name), q, sizeof(q)),
		      (unsigned)(unsigned char)s[vs + (size_t)bb]);
		return;
	}
	set_value(p, t);
}

/* Splits the record after the version into tag-specs. */
static void take_tags(struct parser *p, size_t from)
{
	const char *s = p->s;
	size_t i = from;

	while (i <= p->len && !p->oom) {
		size_t end = spec_end(s, p->len, i), a = i, b = end;

		while (a < b && is_wsp(s[a]))
			a++;
		while (b > a && is_wsp(s[b - 1]))
			b--;
		if (a < b)
			take_tag(p, a, b);
		else if (end < p->len) /* ";;": an empty tag-spec; a final ";" is allowed */
			error(p, a, DMARC_ERR_SYNTAX, DMARC_TAG_UNKNOWN,
			      "empty tag between two ';'");
		i = end + 1;
	}
}

/* ---- the policy rules of each spec ---- */

static int p_is_second(const struct dmarc_record *r)
{
	return r->ntags >= 2 && r->tags[1].id == DMARC_TAG_P;
}

static void apply_7489(struct parser *p)
{
	struct dmarc_record *r = p->rec;

	if (r->p_absent)
		error(p, p->len, DMARC_ERR_MISSING_P, DMARC_TAG_P,
		      "p: required in a policy record (RFC 7489 §6.3), and absent");
	else if (!p_is_second(r))
		warn(p, r->ntags >= 2 ? r->tags[1].pos : p->len, DMARC_ERR_OBSOLETE, DMARC_TAG_P,
		     "p is not the second tag; the RFC 7489 §6.4 ABNF puts it right after v");
	/* §6.6.3 step 6: no valid p, or an invalid sp. */
	if (!r->p_set || p->sp_invalid) {
		r->usable = r->rua_valid;
		r->policy_fallback = r->rua_valid;
		r->eff_p = r->eff_sp = r->eff_np =
		    r->usable ? DMARC_POLICY_NONE : DMARC_POLICY_UNSET;
		return;
	}
	r->usable = 1;
	r->eff_p = r->p;
	r->eff_sp = r->sp_set ? r->sp : r->p;
	r->eff_np = r->eff_sp; /* RFC 7489 has no np */
}

static void apply_9989(struct parser *p)
{
	struct dmarc_record *r = p->rec;

	/* §4.10.1: an invalid p, sp or np; §4.7: an absent p is p=none. */
	if (p->p_invalid || p->sp_invalid || p->np_invalid) {
		r->usable = r->rua_valid;
		r->policy_fallback = r->rua_valid;
		r->eff_p = r->eff_sp = r->eff_np =
		    r->usable ? DMARC_POLICY_NONE : DMARC_POLICY_UNSET;
		return;
	}
	r->usable = 1;
	r->eff_p = r->p_set ? r->p : DMARC_POLICY_NONE;
	r->eff_sp = r->sp_set ? r->sp : r->eff_p;
	r->eff_np = r->np_set ? r->np : r->eff_sp;
}

static void apply_rules(struct parser *p)
{
	struct dmarc_record *r = p->rec;
	size_t i;

	for (i = 0, r->p_absent = 1; i < r->ntags; i++)
		if (r->tags[i].id == DMARC_TAG_P)
			r->p_absent = 0;
	if (r->spec == DMARC_SPEC_RFC7489)
		apply_7489(p);
	else
		apply_9989(p);
	if (r->spec == DMARC_SPEC_RFC9989 && r->removed_used != 0) {
		for (i = 0; i < r->ntags; i++) {
			dmarc_tag_id id = r->tags[i].id;

			if (id == DMARC_TAG_PCT || id == DMARC_TAG_RF || id == DMARC_TAG_RI)
				warn(p, r->tags[i].pos, DMARC_ERR_OBSOLETE, id,
				     "%s: removed by RFC 9989 (ignored there; RFC 7489 "
				     "receivers still read it)",
				     tag_names[id]);
		}
	}
}

/* ---- entry points ---- */

static struct dmarc_record *record_new(dmarc_spec spec)
{
	struct dmarc_record *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->spec = spec;
	r->pct = 100;
	r->fo = DMARC_FO_0;
	r->rf_afrf = 1;
	r->ri = 86400;
	r->psd = DMARC_PSD_U;
	r->adkim = r->aspf = DMARC_ALIGN_RELAXED;
	return r;
}

static void fatal(struct dmarc_record *r, dmarc_error_kind kind, const char *s, size_t len)
{
	char q[QUOTE_MAX + 4];

	r->status = DMARC_PARSE_NOT_DMARC;
	r->fatal.pos = 0;
	r->fatal.kind = kind;
	r->fatal.tag = DMARC_TAG_V;
	if (kind == DMARC_ERR_EMPTY)
		snprintf(r->fatal.reason, sizeof(r->fatal.reason), "empty record");
	else if (kind == DMARC_ERR_TOO_LONG)
		snprintf(r->fatal.reason, sizeof(r->fatal.reason),
		         "record of %zu octets, more than %d", len, DMARC_MAX_RECORD_OCTETS);
	else
		snprintf(r->fatal.reason, sizeof(r->fatal.reason),
		         "not a DMARC record: '%s' is not v=DMARC1 as the first tag",
		         quote(s, spec_end(s, len, 0), q, sizeof(q)));
}

int dnsaudit__dmarc_parse(const char *text, size_t len, dmarc_spec spec, struct dmarc_record **out)
{
	struct parser p;

	if (out == NULL || (text == NULL && len > 0))
		return DNSAUDIT_EINVAL;
	*out = NULL;
	memset(&p, 0, sizeof(p));
	if ((p.rec = record_new(spec)) == NULL)
		return DNSAUDIT_ENOMEM;
	p.s = text;
	p.len = len;
	if (len == 0)
		fatal(p.rec, DMARC_ERR_EMPTY, text, len);
	else if (len > DMARC_MAX_RECORD_OCTETS)
		fatal(p.rec, DMARC_ERR_TOO_LONG, text, len);
	else if (!version_ok(text, spec_end(text, len, 0)))
		fatal(p.rec, DMARC_ERR_VERSION, text, len);
	if (p.rec->status == DMARC_PARSE_NOT_DMARC) {
		*out = p.rec;
		return 0;
	}
	if ((p.rec->tags = calloc(DMARC_MAX_TAGS, sizeof(*p.rec->tags))) == NULL) {
		dnsaudit__dmarc_record_free(p.rec);
		return DNSAUDIT_ENOMEM;
	}
	take_tags(&p, 0);
	if (!p.oom)
		apply_rules(&p);
	if (p.oom) {
		dnsaudit__dmarc_record_free(p.rec);
		return DNSAUDIT_ENOMEM;
	}
	p.rec->status = p.rec->nerrors > 0 ? DMARC_PARSE_TAG_ERRORS : DMARC_PARSE_OK;
	*out = p.rec;
	return 0;
}

static void uris_free(struct dmarc_uri *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(u[i].text);
		free(u[i].scheme);
		free(u[i].address);
		free(u[i].domain);
	}
	free(u);
}

void dnsaudit__dmarc_record_free(struct dmarc_record *rec)
{
	size_t i;

	if (rec == NULL)
		return;
	for (i = 0; i < rec->ntags; i++) {
		free(rec->tags[i].name);
		free(rec->tags[i].value);
	}
	free(rec->tags);
	uris_free(rec->rua, rec->nrua);
	uris_free(rec->ruf, rec->nruf);
	free(rec->errors);
	free(rec->warnings);
	free(rec);
}
