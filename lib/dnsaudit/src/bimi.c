/*
 * bimi.c -- the BIMI assertion record at default._bimi.<domain>
 * (draft-brand-indicators-for-message-identification): "v=BIMI1; l=<https
 * URL of an SVG logo>; a=<https URL of a mark certificate>", a DKIM-style
 * tag list. Purely informative: BIMI only shows a logo, and only where DMARC
 * already enforces. The organisational-domain fallback of the draft is not
 * followed: the record is looked up at the audited domain only.
 */
#include <string.h>

#include "neighbours_internal.h"

/* DKIM tag-value (RFC 6376 §3.2): VALCHARs, with WSP between them. */
static int check_tag_value(const char *s, const struct nb_field *f, struct nb_error *err)
{
	size_t i;

	for (i = 0; i < f->value_len; i++) {
		unsigned char ch = (unsigned char)s[f->value + i];

		if ((ch < 0x21 && ch != ' ' && ch != '\t') || ch > 0x7e) {
			dnsaudit__nb_error_set(err, "bad-value",
			                       "a value may hold only visible ASCII characters",
			                       f->value + i);
			return -1;
		}
	}
	return 0;
}

/* l= and a= are empty (nothing published) or one https URL. */
static int check_url(const char *s, const struct nb_field *f, const char *kind,
                     struct nb_error *err)
{
	const char *u = s + f->value;
	size_t bad = dnsaudit__nb_uri_bad_octet(u, f->value_len);

	if (f->value_len == 0)
		return 0;
	if (bad < f->value_len) {
		dnsaudit__nb_error_set(err, kind, "a URL may hold only visible ASCII characters",
		                       f->value + bad);
		return -1;
	}
	if (!dnsaudit__nb_is_https(u, f->value_len)) {
		dnsaudit__nb_error_set(err, kind, "expected an https:// URL", f->value);
		return -1;
	}
	return 0;
}

static int bimi_field(const char *s, const struct nb_field *f, struct nb_bimi *out)
{
	int is_l = dnsaudit__nb_field_is(s, f, "l"), is_a = dnsaudit__nb_field_is(s, f, "a");

	if (dnsaudit__nb_wrong_case(s, f, "l", &out->err) ||
	    dnsaudit__nb_wrong_case(s, f, "a", &out->err))
		return -1;
	if (!is_l && !is_a)
		return check_tag_value(s, f, &out->err);
	if ((is_l && out->has_l) || (is_a && out->has_a)) {
		dnsaudit__nb_error_set(&out->err, "duplicate-tag", "a tag appears twice", f->name);
		return -1;
	}
	if (is_l) {
		out->has_l = 1;
		out->l_pos = f->value;
		out->l_len = f->value_len;
		return check_url(s, f, "bad-location", &out->err);
	}
	out->has_a = 1;
	out->a_pos = f->value;
	out->a_len = f->value_len;
	return check_url(s, f, "bad-authority", &out->err);
}

int dnsaudit__bimi_parse(const char *s, size_t len, struct nb_bimi *out)
{
	struct nb_cursor cur;
	struct nb_field f;
	int rc;

	memset(out, 0, sizeof(*out));
	dnsaudit__nb_cursor_init(&cur, s, len, 1);
	if (dnsaudit__nb_version(&cur, "BIMI1", &out->err) < 0)
		return 0;
	while ((rc = dnsaudit__nb_next_field(&cur, &f, &out->err)) > 0)
		if (bimi_field(s, &f, out) < 0)
			return 0;
	return rc == 0;
}

static int bimi_record(xmlNodePtr rec, const char *s, size_t len)
{
	struct nb_bimi b;
	int ok = dnsaudit__bimi_parse(s, len, &b);

	dnsaudit__nb_error_facts(rec, &b.err);
	if (!ok)
		return 0;
	if ((b.has_l && dnsaudit__nb_attr_bytes(rec, "location", s + b.l_pos, b.l_len) < 0) ||
	    (b.has_a && dnsaudit__nb_attr_bytes(rec, "authority", s + b.a_pos, b.a_len) < 0))
		return -1;
	/* "v=BIMI1; l=;" says "no logo here" (a declination). */
	dnsaudit__fact_attr_bool(rec, "declined", b.l_len == 0 && b.a_len == 0);
	return 1;
}

static const struct nb_txt_kind bimi_kind = {
    "bimi", "default._bimi.", "v=BIMI1", 6 /* "v=BIMI" */, 1, bimi_record,
};

int dnsaudit__collect_bimi(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	return dnsaudit__nb_collect_txt(c, audit, &bimi_kind);
}
