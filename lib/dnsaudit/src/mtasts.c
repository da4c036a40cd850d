/*
 * mtasts.c -- the MTA-STS TXT record at _mta-sts.<domain> (RFC 8461 §3.1):
 * "v=STSv1; id=<1-32 letters and digits>", exactly one such record. The TXT
 * record only announces a policy; the policy itself is a file on
 * https://mta-sts.<domain>/.well-known/mta-sts.txt, not fetched here (yet).
 */
#include <string.h>

#include "neighbours_internal.h"

static int check_id(const char *s, const struct nb_field *f, struct nb_mtasts *out)
{
	size_t i;

	if (f->value_len == 0) {
		dnsaudit__nb_error_set(&out->err, "bad-id", "the id is empty", f->value);
		return -1;
	}
	for (i = 0; i < f->value_len; i++) {
		char ch = s[f->value + i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9'))) {
			dnsaudit__nb_error_set(&out->err, "bad-id",
			                       "the id may hold only letters and digits",
			                       f->value + i);
			return -1;
		}
	}
	if (f->value_len > NB_STS_ID_MAX) {
		dnsaudit__nb_error_set(&out->err, "bad-id", "the id is longer than 32 characters",
		                       f->value + NB_STS_ID_MAX);
		return -1;
	}
	memcpy(out->id, s + f->value, f->value_len);
	out->id[f->value_len] = '\0';
	return 0;
}

/* One field after the version: id once, or an extension. */
static int mtasts_field(const char *s, const struct nb_field *f, int *have_id,
                        struct nb_mtasts *out)
{
	if (dnsaudit__nb_wrong_case(s, f, "id", &out->err))
		return -1;
	if (!dnsaudit__nb_field_is(s, f, "id")) {
		out->extensions++;
		return dnsaudit__nb_ext_value(s, f, &out->err);
	}
	if (*have_id) {
		dnsaudit__nb_error_set(&out->err, "duplicate-id", "more than one id field",
		                       f->name);
		return -1;
	}
	*have_id = 1;
	return check_id(s, f, out);
}

int dnsaudit__mtasts_parse(const char *s, size_t len, struct nb_mtasts *out)
{
	struct nb_cursor cur;
	struct nb_field f;
	int rc, have_id = 0;

	memset(out, 0, sizeof(*out));
	dnsaudit__nb_cursor_init(&cur, s, len, 0);
	if (dnsaudit__nb_version(&cur, "STSv1", &out->err) < 0)
		return 0;
	while ((rc = dnsaudit__nb_next_field(&cur, &f, &out->err)) > 0)
		if (mtasts_field(s, &f, &have_id, out) < 0)
			return 0;
	if (rc < 0)
		return 0;
	if (!have_id) {
		dnsaudit__nb_error_set(&out->err, "missing-id", "the required id field is missing",
		                       len);
		return 0;
	}
	return 1;
}

static int mtasts_record(xmlNodePtr rec, const char *s, size_t len)
{
	struct nb_mtasts m;
	int ok = dnsaudit__mtasts_parse(s, len, &m);

	if (ok)
		dnsaudit__fact_attr(rec, "id", m.id); /* letters and digits only */
	dnsaudit__nb_error_facts(rec, &m.err);
	return ok;
}

static const struct nb_txt_kind mtasts_kind = {
    "mta-sts", "_mta-sts.", "v=STSv1", 5 /* "v=STS" */, 0, mtasts_record,
};

int dnsaudit__collect_mtasts(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	return dnsaudit__nb_collect_txt(c, audit, &mtasts_kind);
}
