/*
 * spf_parse.c -- the SPF record grammar (RFC 7208 §4.5, §4.6, §5, §6 and
 * the ABNF of §12): record selection, terms, mechanisms with their
 * qualifiers and dual CIDR lengths, strict ip4/ip6 networks, modifiers.
 *
 * The whole record is checked before anything is evaluated (§4.6: syntax
 * errors anywhere make the record a permerror), so a parsed record is
 * known to be valid: every byte printable ASCII, every domain-spec with a
 * valid macro-string and domain-end. Errors carry a byte offset and a
 * reason a person can act on.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_internal.h"

const char *dnsaudit__spf_result_name(spf_result r)
{
	static const char *const names[] = {"none",     "neutral",   "pass",     "fail",
	                                    "softfail", "temperror", "permerror"};

	if ((unsigned)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "permerror";
}

const char *dnsaudit__spf_term_kind_name(spf_term_kind k)
{
	static const char *const names[] = {
	    "all", "include",         "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect",
	    "exp", "unknown-modifier"};

	if ((unsigned)k < sizeof(names) / sizeof(names[0]))
		return names[k];
	return "unknown-modifier";
}

const char *dnsaudit__spf_error_kind_name(spf_error_kind k)
{
	static const char *const names[] = {
	    "none",     "syntax", "multiple-records", "dns",   "lookup-limit",   "void-limit",
	    "mx-limit", "loop",   "no-record",        "child", "invalid-domain", "pending"};

	if ((unsigned)k < sizeof(names) / sizeof(names[0]))
		return names[k];
	return "none";
}

int dnsaudit__spf_is_record(const char *txt, size_t len)
{
	if (txt == NULL || len < 6 || strncasecmp(txt, "v=spf1", 6) != 0)
		return 0;
	return len == 6 || txt[6] == ' ';
}

int dnsaudit__spf_select(const dnsaudit_answer *txt, char **out, size_t *len)
{
	size_t i, l;
	int count = 0;

	*out = NULL;
	*len = 0;
	if (txt == NULL || dnsaudit_answer_status(txt) != DNSAUDIT_DNS_OK)
		return 0;
	for (i = 0; i < dnsaudit_answer_count(txt); i++) {
		char *s = dnsaudit__answer_txt_join(txt, i, '\0', &l);

		if (s == NULL) {
			free(*out);
			*out = NULL;
			return DNSAUDIT_ENOMEM;
		}
		if (!dnsaudit__spf_is_record(s, l) || ++count > 1) {
			free(s);
			continue;
		}
		*out = s;
		*len = l;
	}
	if (count > 1) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return count;
}

static int fail(struct spf_error *err, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct spf_error *err, size_t pos, const char *fmt, ...)
{
	va_list ap;

	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- addresses and prefix lengths ---- */

/*
 * ip4-network per the ABNF: four qnum, no leading zeros, each 0-255.
 * inet_pton() accepts the same on glibc, but the grammar is the contract.
 */
static int parse_ip4(const char *s, size_t len, unsigned char out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		while (i < len && isdigit((unsigned char)s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return -1;
		out[part] = (unsigned char)v;
	}
	return i == len ? 0 : -1;
}

static int parse_ip6(const char *s, size_t len, unsigned char out[16])
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

/*
 * ip4-cidr-length / ip6-cidr-length digits: "0" or no leading zero, at
 * most 2 (ip4) or 3 (ip6) digits, and within the family's range.
 */
static int parse_prefix(const char *s, size_t len, int max, const char *fam, size_t pos, int *out,
                        struct spf_error *err)
{
	size_t i;
	int v = 0;

	if (len == 0)
		return fail(err, pos, "empty %s prefix length", fam);
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return fail(err, pos, "bad %s prefix length", fam);
	if (len > 1 && s[0] == '0')
		return fail(err, pos, "%s prefix length with a leading zero", fam);
	if (len > 3)
		return fail(err, pos, "%s prefix out of range (0-%d)", fam, max);
	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	if (v > max)
		return fail(err, pos, "%s prefix out of range (0-%d)", fam, max);
	*out = v;
	return 0;
}

/* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], all of s. */
static int parse_dual_cidr(const char *s, size_t len, size_t pos, struct spf_term *t,
                           struct spf_error *err)
{
	const char *dd;
	size_t i4;

	if (len < 2 || s[0] != '/')
		return fail(err, pos, "bad prefix length");
	if (s[1] == '/')
		return parse_prefix(s + 2, len - 2, 128, "ip6", pos + 2, &t->cidr6, err);
	dd = NULL;
	for (i4 = 1; i4 + 1 < len; i4++)
		if (s[i4] == '/' && s[i4 + 1] == '/') {
			dd = s + i4;
			break;
		}
	if (dd == NULL)
		return parse_prefix(s + 1, len - 1, 32, "ip4", pos + 1, &t->cidr4, err);
	if (parse_prefix(s + 1, i4 - 1, 32, "ip4", pos + 1, &t->cidr4, err) != 0)
		return -1;
	return parse_prefix(dd + 2, len - i4 - 2, 128, "ip6", pos + i4 + 2, &t->cidr6, err);
}

/*
 * Where a trailing dual-cidr-length starts in s ("/24", "//64", "/24//64"),
 * or len when there is none. A domain-spec may hold '/', so only a suffix of
 * slashes and digits counts, as the ABNF's dual-cidr-length does.
 */
static size_t cidr_suffix(const char *s, size_t len)
{
	size_t j = len, k;

	while (j > 0 && isdigit((unsigned char)s[j - 1]))
		j--;
	if (j == len || j == 0 || s[j - 1] != '/')
		return len;
	if (j < 2 || s[j - 2] != '/')
		return j - 1; /* "/N": ip4 only */
	/* "//N": maybe preceded by an ip4 "/N". */
	k = j - 2;
	while (k > 0 && isdigit((unsigned char)s[k - 1]))
		k--;
	if (k < j - 2 && k > 0 && s[k - 1] == '/' && (k < 2 || s[k - 2] != '/'))
		return k - 1;
	return j - 2;
}

/* ---- domain-spec ---- */

/* A domain-spec at record offset pos: non-empty, valid macros, valid end. */
static int check_domain_spec(const char *s, size_t len, size_t pos, struct spf_error *err)
{
	if (len == 0)
		return fail(err, pos, "empty domain-spec");
	if (dnsaudit__spf_macro_check(s, len, 0, err) != 0) {
		err->pos += pos;
		return -1;
	}
	return 0;
}

/* ---- terms ---- */

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Sets t->domain_spec to a checked copy of s[0..len). */
static int take_domain_spec(struct spf_term *t, const char *s, size_t len, size_t pos,
                            struct spf_error *err, int *oom)
{
	if (check_domain_spec(s, len, pos, err) != 0)
		return -1;
	if ((t->domain_spec = dup_n(s, len)) == NULL) {
		*oom = 1;
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	spf_term_kind kind;
} mechanisms[] = {
    {"all", SPF_MECH_ALL}, {"include", SPF_MECH_INCLUDE}, {"a", SPF_MECH_A},
    {"mx", SPF_MECH_MX},   {"ptr", SPF_MECH_PTR},         {"ip4", SPF_MECH_IP4},
    {"ip6", SPF_MECH_IP6}, {"exists", SPF_MECH_EXISTS},
};

/* a, mx: [ ":" domain-spec ] [ dual-cidr-length ] */
static int parse_a_mx(struct spf_term *t, const char *r, size_t len, size_t pos,
                      struct spf_error *err, int *oom)
{
	size_t c;

	if (len == 0)
		return 0;
	if (r[0] == '/')
		return parse_dual_cidr(r, len, pos, t, err);
	if (r[0] != ':')
		return fail(err, pos, "unexpected '%c' after %s", r[0],
		            dnsaudit__spf_term_kind_name(t->kind));
	c = cidr_suffix(r + 1, len - 1) + 1;
	if (take_domain_spec(t, r + 1, c - 1, pos + 1, err, oom) != 0)
		return -1;
	return c < len ? parse_dual_cidr(r + c, len - c, pos + c, t, err) : 0;
}

/* ip4 / ip6: ":" network [ "/" prefix ] */
static int parse_ip_mech(struct spf_term *t, const char *r, size_t len, size_t pos,
                         struct spf_error *err)
{
	int v6 = t->kind == SPF_MECH_IP6;
	const char *fam = v6 ? "ip6" : "ip4";
	const char *slash;
	size_t alen;

	if (len == 0 || r[0] != ':')
		return fail(err, pos, "%s needs ':' and an address", fam);
	slash = memchr(r + 1, '/', len - 1);
	alen = slash ? (size_t)(slash - r) - 1 : len - 1;
	t->family = v6 ? AF_INET6 : AF_INET;
	if ((v6 ? parse_ip6(r + 1, alen, t->addr) : parse_ip4(r + 1, alen, t->addr)) != 0)
		return fail(err, pos + 1, "invalid %s address '%.*s'", fam,
		            (int)(alen > 60 ? 60 : alen), r + 1);
	if (slash == NULL)
		return 0;
	return parse_prefix(slash + 1, len - alen - 2, v6 ? 128 : 32, fam, pos + alen + 2,
	                    v6 ? &t->cidr6 : &t->cidr4, err);
}

/* Mechanism arguments, r = what follows the name (len may be 0). */
static int parse_mech_args(struct spf_term *t, const char *r, size_t len, size_t pos,
                           struct spf_error *err, int *oom)
{
	const char *name = dnsaudit__spf_term_kind_name(t->kind);

	switch (t->kind) {
	case SPF_MECH_ALL:
		return len == 0 ? 0 : fail(err, pos, "all takes no argument");
	case SPF_MECH_INCLUDE:
	case SPF_MECH_EXISTS:
		if (len == 0 || r[0] != ':')
			return fail(err, pos, "%s needs ':' and a domain", name);
		return take_domain_spec(t, r + 1, len - 1, pos + 1, err, oom);
	case SPF_MECH_PTR:
		if (len == 0)
			return 0;
		if (r[0] != ':')
			return fail(err, pos, "ptr takes no prefix length");
		return take_domain_spec(t, r + 1, len - 1, pos + 1, err, oom);
	case SPF_MECH_A:
	case SPF_MECH_MX:
		return parse_a_mx(t, r, len, pos, err, oom);
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return parse_ip_mech(t, r, len, pos, err);
	default:
		return fail(err, pos, "internal: not a mechanism");
	}
}

static int parse_directive(struct spf_term *t, const char *s, size_t len, size_t pos,
                           struct spf_error *err, int *oom)
{
	size_t i = 0, n, k;

	t->qualifier = '+';
	if (len > 0 && strchr("+-?~", s[0]) != NULL) {
		t->qualifier = s[0];
		i = 1;
	}
	for (n = i; n < len && s[n] != ':' && s[n] != '/'; n++)
		;
	for (k = 0; k < sizeof(mechanisms) / sizeof(mechanisms[0]); k++) {
		if (strlen(mechanisms[k].name) == n - i &&
		    strncasecmp(mechanisms[k].name, s + i, n - i) == 0) {
			t->kind = mechanisms[k].kind;
			return parse_mech_args(t, s + n, len - n, pos + n, err, oom);
		}
	}
	if (n == i)
		return fail(err, pos, "empty mechanism name");
	return fail(err, pos + i, "unknown mechanism '%.*s'", (int)(n - i > 60 ? 60 : n - i),
	            s + i);
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); length of it, or 0. */
static size_t modifier_name_len(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			break;
	return i;
}

static int set_modifier_index(int *slot, size_t idx, const char *name, size_t pos,
                              struct spf_error *err)
{
	if (*slot >= 0)
		return fail(err, pos, "%s= given more than once", name);
	*slot = (int)idx;
	return 0;
}

static int parse_modifier(struct spf_record *rec, struct spf_term *t, const char *s, size_t len,
                          size_t nlen, size_t pos, struct spf_error *err, int *oom)
{
	const char *v = s + nlen + 1;
	size_t vlen = len - nlen - 1, idx = (size_t)(t - rec->terms);

	t->qualifier = 0;
	if (nlen == 8 && strncasecmp(s, "redirect", 8) == 0) {
		t->kind = SPF_MOD_REDIRECT;
		if (set_modifier_index(&rec->redirect, idx, "redirect", pos, err) != 0)
			return -1;
		return take_domain_spec(t, v, vlen, pos + nlen + 1, err, oom);
	}
	if (nlen == 3 && strncasecmp(s, "exp", 3) == 0) {
		t->kind = SPF_MOD_EXP;
		if (set_modifier_index(&rec->exp, idx, "exp", pos, err) != 0)
			return -1;
		return take_domain_spec(t, v, vlen, pos + nlen + 1, err, oom);
	}
	/* unknown-modifier = name "=" macro-string: only its syntax matters. */
	t->kind = SPF_MOD_UNKNOWN;
	if (dnsaudit__spf_macro_check(v, vlen, 1, err) != 0) {
		err->pos += pos + nlen + 1;
		return -1;
	}
	if ((t->name = dup_n(s, nlen)) == NULL || (t->domain_spec = dup_n(v, vlen)) == NULL) {
		*oom = 1;
		return -1;
	}
	return 0;
}

static int parse_term(struct spf_record *rec, const char *s, size_t len, size_t pos,
                      struct spf_error *err, int *oom)
{
	struct spf_term *t = &rec->terms[rec->nterms];
	size_t nlen = modifier_name_len(s, len);

	memset(t, 0, sizeof(*t));
	t->pos = pos;
	t->cidr4 = t->cidr6 = -1;
	if ((t->text = dup_n(s, len)) == NULL) {
		*oom = 1;
		return -1;
	}
	rec->nterms++; /* owned by rec from here, so freed on any error */
	if (nlen > 0 && nlen < len && s[nlen] == '=')
		return parse_modifier(rec, t, s, len, nlen, pos, err, oom);
	return parse_directive(t, s, len, pos, err, oom);
}

/* §3.1 / the ABNF: a record is printable ASCII; terms are split on SP only. */
static int check_bytes(const char *record, size_t len, struct spf_error *err)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)record[i];

		if (c < 0x20 || c > 0x7E)
			return fail(err, i, "byte 0x%02X is not allowed (printable ASCII only)", c);
	}
	return 0;
}

static size_t count_terms(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && (i == 0 || s[i - 1] == ' '))
			n++;
	return n;
}

void dnsaudit__spf_record_free(struct spf_record *rec)
{
	size_t i;

	if (rec == NULL)
		return;
	for (i = 0; i < rec->nterms; i++) {
		free(rec->terms[i].text);
		free(rec->terms[i].domain_spec);
		free(rec->terms[i].name);
	}
	free(rec->terms);
	free(rec);
}

static int parse_terms(struct spf_record *rec, const char *record, size_t len,
                       struct spf_error *err, int *oom)
{
	size_t i = 6, start;

	while (i < len) {
		if (record[i] == ' ') {
			i++;
			continue;
		}
		for (start = i; i < len && record[i] != ' '; i++)
			;
		if (parse_term(rec, record + start, i - start, start, err, oom) != 0)
			return -1;
		if (rec->all < 0 && rec->terms[rec->nterms - 1].kind == SPF_MECH_ALL)
			rec->all = (int)rec->nterms - 1;
	}
	return 0;
}

int dnsaudit__spf_parse(const char *record, size_t len, struct spf_record **out,
                        struct spf_error *err)
{
	struct spf_record *rec;
	int oom = 0;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if (record == NULL || !dnsaudit__spf_is_record(record, len))
		return fail(err, 0, "not an SPF record (must start with \"v=spf1\")");
	if (len > SPF_MAX_RECORD_OCTETS)
		return fail(err, SPF_MAX_RECORD_OCTETS, "record longer than 65535 octets");
	if (check_bytes(record, len, err) != 0)
		return -1;
	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return DNSAUDIT_ENOMEM;
	rec->redirect = rec->exp = rec->all = -1;
	rec->terms = calloc(count_terms(record + 6, len - 6) + 1, sizeof(*rec->terms));
	if (rec->terms == NULL)
		oom = 1;
	if (oom || parse_terms(rec, record, len, err, &oom) != 0) {
		dnsaudit__spf_record_free(rec);
		return oom ? DNSAUDIT_ENOMEM : -1;
	}
	*out = rec;
	return 0;
}
