/*
 * tlsrpt.c -- the SMTP TLS Reporting record at _smtp._tls.<domain>
 * (RFC 8460 §3): "v=TLSRPTv1; rua=<URI>[,<URI>...]", where each URI is a
 * mailto: or an https: one. Without it, sending servers have nowhere to
 * report the TLS failures that MTA-STS and DANE make visible.
 */
#include <stdlib.h>
#include <string.h>

#include "neighbours_internal.h"

static int is_wsp(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* mailto:local@domain -- both parts present. */
static int mailto_ok(const char *s, size_t len)
{
	const char *at = memchr(s + 7, '@', len - 7);

	return at != NULL && at > s + 7 && (size_t)(at - s) + 1 < len;
}

/* One URI of the rua list at s[pos, pos+len): scheme and shape. */
static int check_uri(const char *s, size_t pos, size_t len, struct nb_tlsrpt *out)
{
	const char *u = s + pos;
	size_t bad = dnsaudit__nb_uri_bad_octet(u, len);
	const char *scheme = NULL;

	if (len == 0) {
		dnsaudit__nb_error_set(&out->err, "bad-uri", "empty URI in the rua list", pos);
		return -1;
	}
	if (bad < len) {
		dnsaudit__nb_error_set(&out->err, "bad-uri",
		                       "a URI may hold only visible ASCII characters", pos + bad);
		return -1;
	}
	if (dnsaudit__nb_prefix_ci(u, len, "mailto:"))
		scheme = mailto_ok(u, len) ? "mailto" : NULL;
	else if (dnsaudit__nb_prefix_ci(u, len, "https:"))
		scheme = dnsaudit__nb_is_https(u, len) ? "https" : NULL;
	else {
		dnsaudit__nb_error_set(&out->err, "unsupported-scheme",
		                       "only mailto: and https: URIs are allowed", pos);
		return -1;
	}
	if (scheme == NULL) {
		dnsaudit__nb_error_set(&out->err, "bad-uri",
		                       "expected mailto:user@domain or https://host/path", pos);
		return -1;
	}
	if (out->nrua < NB_MAX_RUA)
		out->rua[out->nrua++] = (struct nb_uri){pos, len, scheme};
	out->rua_seen++;
	return 0;
}

/* rua = uri *(*WSP "," *WSP uri) */
static int check_rua(const char *s, const struct nb_field *f, struct nb_tlsrpt *out)
{
	size_t p = f->value, end = f->value + f->value_len;

	if (f->value_len == 0) {
		dnsaudit__nb_error_set(&out->err, "bad-uri", "the rua field is empty", f->value);
		return -1;
	}
	for (;;) {
		size_t q = p, e;

		while (q < end && s[q] != ',')
			q++;
		for (e = q; e > p && is_wsp(s[e - 1]); e--)
			;
		if (check_uri(s, p, e - p, out) < 0)
			return -1;
		if (q == end)
			return 0;
		for (p = q + 1; p < end && is_wsp(s[p]); p++)
			;
	}
}

static int tlsrpt_field(const char *s, const struct nb_field *f, int *have_rua,
                        struct nb_tlsrpt *out)
{
	if (dnsaudit__nb_wrong_case(s, f, "rua", &out->err))
		return -1;
	if (!dnsaudit__nb_field_is(s, f, "rua"))
		return dnsaudit__nb_ext_value(s, f, &out->err);
	if (*have_rua) {
		dnsaudit__nb_error_set(&out->err, "duplicate-rua", "more than one rua field",
		                       f->name);
		return -1;
	}
	*have_rua = 1;
	return check_rua(s, f, out);
}

int dnsaudit__tlsrpt_parse(const char *s, size_t len, struct nb_tlsrpt *out)
{
	struct nb_cursor cur;
	struct nb_field f;
	int rc, have_rua = 0;

	memset(out, 0, sizeof(*out));
	dnsaudit__nb_cursor_init(&cur, s, len, 0);
	if (dnsaudit__nb_version(&cur, "TLSRPTv1", &out->err) < 0)
		return 0;
	while ((rc = dnsaudit__nb_next_field(&cur, &f, &out->err)) > 0)
		if (tlsrpt_field(s, &f, &have_rua, out) < 0)
			return 0;
	if (rc < 0)
		return 0;
	if (!have_rua) {
		dnsaudit__nb_error_set(&out->err, "missing-rua",
		                       "the required rua field is missing", len);
		return 0;
	}
	return 1;
}

static int tlsrpt_record(xmlNodePtr rec, const char *s, size_t len)
{
	struct nb_tlsrpt t;
	int ok = dnsaudit__tlsrpt_parse(s, len, &t);
	size_t i;

	dnsaudit__nb_error_facts(rec, &t.err);
	if (!ok)
		return 0;
	dnsaudit__fact_attr_int(rec, "rua-count", (long)t.rua_seen);
	for (i = 0; i < t.nrua; i++) {
		char *esc =
		    dnsaudit_txt_escape((const unsigned char *)s + t.rua[i].pos, t.rua[i].len, 0);
		xmlNodePtr n;

		if (esc == NULL)
			return -1;
		n = dnsaudit__fact_text(rec, "rua", esc);
		dnsaudit__fact_attr(n, "scheme", t.rua[i].scheme);
		free(esc);
	}
	return 1;
}

static const struct nb_txt_kind tlsrpt_kind = {
    "tls-rpt", "_smtp._tls.", "v=TLSRPTv1", 8 /* "v=TLSRPT" */, 0, tlsrpt_record,
};

int dnsaudit__collect_tlsrpt(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	return dnsaudit__nb_collect_txt(c, audit, &tlsrpt_kind);
}
