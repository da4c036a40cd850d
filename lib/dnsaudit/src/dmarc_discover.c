/*
 * dmarc_discover.c -- where a From domain's DMARC policy comes from, and
 * what a name's organizational domain is, under both specifications:
 * RFC 9989's DNS Tree Walk (§4.10: policy discovery §4.10.1, organizational
 * domain §4.10.2) and RFC 7489's Public Suffix List lookup (§3.2, §6.6.3).
 *
 * Every DNS question goes through the caller's callback and is written to
 * a query log (each name/type once, in the order first asked), because the
 * exact sequence is part of what an auditor shows and what the conformance
 * vectors check. A walk stops at the first DNS failure: the levels above
 * it cannot change a result that is already "unknown". A pending answer
 * does not stop it, so that one audit round asks every name it can.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dmarc_internal.h"
#include "spf_internal.h"

#define RR_A   1
#define RR_TXT 16

/* Query-log ceiling: far above what any evaluation asks (8 per walk). */
#define DMARC_MAX_LOGGED 1024

/* A normalised name with room for "_dmarc." and the final dot. */
#define NAME_BUF (DMARC_MAX_NAME_OCTETS + 16)

/* ---- names ---- */

int dnsaudit__dmarc_normalize(const char *domain, char *out, size_t size)
{
	size_t len, i, label = 0;

	if (domain == NULL || out == NULL)
		return DNSAUDIT_EINVAL;
	len = strlen(domain);
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > DMARC_MAX_NAME_OCTETS || len + 1 > size)
		return DNSAUDIT_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)domain[i];

		if (c == '.') {
			if (label == 0)
				return DNSAUDIT_EINVAL;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return DNSAUDIT_EINVAL;
		} else {
			return DNSAUDIT_EINVAL;
		}
		out[i] = (char)tolower(c);
	}
	if (label == 0)
		return DNSAUDIT_EINVAL;
	out[len] = '\0';
	return 0;
}

int dnsaudit__dmarc_at_or_below(const char *name, const char *parent)
{
	size_t n = strlen(name), p = strlen(parent);

	if (n == p)
		return strcmp(name, parent) == 0;
	return n > p && name[n - p - 1] == '.' && strcmp(name + n - p, parent) == 0;
}

static size_t count_labels(const char *name)
{
	size_t n = 1;

	for (; *name != '\0'; name++)
		n += *name == '.';
	return n;
}

/* The suffix of name made of its last `keep` labels. */
static const char *last_labels(const char *name, size_t keep)
{
	size_t skip = count_labels(name) - keep;

	while (skip-- > 0)
		name = strchr(name, '.') + 1;
	return name;
}

/* ---- the Public Suffix List (RFC 7489 §3.2) ---- */

static void file_date(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d", &tm) == 0)
		snprintf(out, size, "unknown");
}

int dnsaudit__dmarc_psl_load(psl_ctx_t **out, struct dmarc_psl_info *info)
{
	const psl_ctx_t *builtin = psl_builtin();
	psl_ctx_t *psl = psl_latest(NULL);
	struct stat st;
	const char *file;

	if (psl == NULL)
		psl = (psl_ctx_t *)(uintptr_t)builtin; /* read-only use only */
	if (psl == NULL)
		return DNSAUDIT_ERROR;
	*out = psl;
	if (info == NULL)
		return 0;
	memset(info, 0, sizeof(*info));
	snprintf(info->libpsl, sizeof(info->libpsl), "%s", psl_get_version());
	/* psl_latest() returns the built-in context when no newer file loads. */
	if (psl != builtin) {
		info->source = "system";
		file = psl_dist_filename();
		snprintf(info->file, sizeof(info->file), "%s", file ? file : "");
		if (file != NULL && stat(file, &st) == 0)
			file_date(st.st_mtime, info->date, sizeof(info->date));
		else
			snprintf(info->date, sizeof(info->date), "unknown");
		return 0;
	}
	info->source = "builtin";
	file = psl_builtin_filename();
	snprintf(info->file, sizeof(info->file), "%s", file ? file : "");
	file_date(psl_builtin_file_time(), info->date, sizeof(info->date));
	return 0;
}

void dnsaudit__dmarc_psl_free(psl_ctx_t *psl)
{
	if (psl != NULL && psl != psl_builtin())
		psl_free(psl);
}

int dnsaudit__dmarc_org_domain_psl(const psl_ctx_t *psl, const char *domain, char *out, size_t size)
{
	char norm[NAME_BUF];
	const char *reg;

	if (psl == NULL || dnsaudit__dmarc_normalize(domain, norm, sizeof(norm)) != 0)
		return DNSAUDIT_EINVAL;
	reg = psl_registrable_domain(psl, norm);
	if (reg == NULL)
		reg = norm; /* a public suffix: its own organizational domain */
	if (strlen(reg) + 1 > size)
		return DNSAUDIT_EINVAL;
	memmove(out, reg, strlen(reg) + 1);
	return 0;
}

/* ---- the query log and questions ---- */

struct dmarc_query *dnsaudit__dmarc_log(struct dmarc_query **queries, size_t *n, const char *name,
                                        uint16_t type, dmarc_query_purpose purpose)
{
	struct dmarc_query *grown, *q;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*queries)[i].type == type && strcmp((*queries)[i].name, name) == 0)
			return &(*queries)[i];
	if (*n >= DMARC_MAX_LOGGED)
		return NULL;
	if ((grown = realloc(*queries, (*n + 1) * sizeof(*grown))) == NULL)
		return NULL;
	*queries = grown;
	q = &grown[*n];
	memset(q, 0, sizeof(*q));
	if ((q->name = strdup(name)) == NULL)
		return NULL;
	q->type = type;
	q->purpose = purpose;
	q->pending = 1;
	(*n)++;
	return q;
}

void dnsaudit__dmarc_queries_free(struct dmarc_query *queries, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(queries[i].name);
	free(queries);
}

/* TXT selection: RRs starting with v=DMARC1; *text set when exactly one. */
static int select_dmarc(const dnsaudit_answer *a, unsigned *ndmarc, char **text, size_t *len)
{
	size_t i, l;

	for (i = 0; i < dnsaudit_answer_count(a); i++) {
		char *s = dnsaudit__answer_txt_join(a, i, '\0', &l);

		if (s == NULL)
			return DNSAUDIT_ENOMEM;
		if (!dnsaudit__dmarc_is_record(s, l)) {
			free(s);
			continue;
		}
		if (++*ndmarc == 1 && text != NULL) {
			*text = s;
			*len = l;
		} else {
			free(s);
		}
	}
	if (*ndmarc != 1 && text != NULL) {
		free(*text);
		*text = NULL;
	}
	return 0;
}

int dnsaudit__dmarc_ask(const struct dmarc_opts *o, struct dmarc_query **queries, size_t *n,
                        const char *name, uint16_t type, dmarc_query_purpose purpose,
                        dnsaudit_dns_status *st, unsigned *ndmarc, char **text, size_t *len)
{
	char pres[NAME_BUF + 32];
	struct dmarc_query *q = NULL;
	const dnsaudit_answer *a;

	if (ndmarc != NULL)
		*ndmarc = 0;
	if (text != NULL)
		*text = NULL;
	if (queries != NULL && n != NULL &&
	    (q = dnsaudit__dmarc_log(queries, n, name, type, purpose)) == NULL &&
	    *n < DMARC_MAX_LOGGED)
		return DNSAUDIT_ENOMEM;
	snprintf(pres, sizeof(pres), "%s.", name);
	if ((a = o->lookup(o->lookup_arg, pres, type)) == NULL)
		return 0;
	*st = dnsaudit_answer_status(a);
	if (q != NULL) {
		q->pending = 0;
		q->status = *st;
	}
	if (type != RR_TXT || *st != DNSAUDIT_DNS_OK || ndmarc == NULL)
		return 1;
	if (select_dmarc(a, ndmarc, text, len) != 0)
		return DNSAUDIT_ENOMEM;
	if (q != NULL)
		q->nrecords = *ndmarc;
	return 1;
}

static int dns_failed(dnsaudit_dns_status st)
{
	return st != DNSAUDIT_DNS_OK && st != DNSAUDIT_DNS_NXDOMAIN && st != DNSAUDIT_DNS_NODATA;
}

/* ---- the DNS Tree Walk (RFC 9989 §4.10) ---- */

struct walk_rec {
	char name[NAME_BUF];
	char *text; /* joined record */
	size_t len;
	struct dmarc_record *rec;
};

struct walk {
	char start[NAME_BUF];
	struct walk_rec found[DMARC_WALK_MAX_QUERIES]; /* longest name first */
	size_t nfound;
	int failed; /* a query failed: what is above it is unknown */
	char failed_name[NAME_BUF + 8];
	dnsaudit_dns_status failed_status;
	int incomplete;
	int multiple_at_start; /* several records at the starting name, discarded */
};

static void walk_free(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nfound; i++) {
		free(w->found[i].text);
		dnsaudit__dmarc_record_free(w->found[i].rec);
	}
	w->nfound = 0;
}

/*
 * The walk's targets: the name, then (step 4) its parent, or its last 7
 * labels when it has 8 or more, then one label less each time (step 7).
 */
static size_t walk_targets(const char *start, const char *out[DMARC_WALK_MAX_QUERIES])
{
	size_t x = count_labels(start), n = 0, keep;

	out[n++] = start;
	keep = x >= DMARC_WALK_SHORTCUT_LABELS + 1 ? DMARC_WALK_SHORTCUT_LABELS : x - 1;
	for (; keep >= 1 && n < DMARC_WALK_MAX_QUERIES; keep--)
		out[n++] = last_labels(start, keep);
	return n;
}

/* One level: 1 = stop here (psd=y/n or a failure), 0 = go on, <0 = ENOMEM. */
static int walk_level(const struct dmarc_opts *o, struct dmarc_query **log, size_t *nlog,
                      dmarc_query_purpose purpose, struct walk *w, const char *target, int first)
{
	char name[NAME_BUF + 8];
	dnsaudit_dns_status st = DNSAUDIT_DNS_OK;
	struct walk_rec *f;
	unsigned nd = 0;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (strlen(target) + 7 > DMARC_MAX_NAME_OCTETS)
		return 0; /* "_dmarc." would make it too long: nothing can be there */
	snprintf(name, sizeof(name), "_dmarc.%s", target);
	r = dnsaudit__dmarc_ask(o, log, nlog, name, RR_TXT, purpose, &st, &nd, &text, &len);
	if (r < 0)
		return r;
	if (r == 0) {
		w->incomplete = 1;
		return 0;
	}
	if (dns_failed(st)) {
		w->failed = 1;
		w->failed_status = st;
		snprintf(w->failed_name, sizeof(w->failed_name), "%s", name);
		return 1;
	}
	if (nd > 1 && first)
		w->multiple_at_start = 1;
	if (nd != 1)
		return 0; /* none, or several: all discarded (steps 2 and 6) */
	f = &w->found[w->nfound];
	snprintf(f->name, sizeof(f->name), "%s", target);
	f->text = text;
	f->len = len;
	if (dnsaudit__dmarc_parse(text, len, DMARC_SPEC_RFC9989, &f->rec) != 0) {
		free(text);
		return DNSAUDIT_ENOMEM;
	}
	w->nfound++;
	return f->rec->psd_set && f->rec->psd != DMARC_PSD_U;
}

static int walk(const struct dmarc_opts *o, struct dmarc_query **log, size_t *nlog,
                dmarc_query_purpose purpose, const char *start, struct walk *w)
{
	const char *targets[DMARC_WALK_MAX_QUERIES];
	size_t n = walk_targets(start, targets), i;
	int r = 0;

	memset(w, 0, sizeof(*w));
	snprintf(w->start, sizeof(w->start), "%s", start);
	targets[0] = w->start;
	for (i = 0; i < n && r == 0; i++)
		r = walk_level(o, log, nlog, purpose, w, targets[i], i == 0);
	return r < 0 ? r : 0;
}

/* The found record at exactly `name`, or NULL. */
static struct walk_rec *found_at(struct walk *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->nfound; i++)
		if (strcmp(w->found[i].name, name) == 0)
			return &w->found[i];
	return NULL;
}

/*
 * §4.10.2 selection, longest name first: psd=n names the organizational
 * domain; psd=y (not at the start) makes it the name one label below; else
 * the record with the fewest labels; else the starting name itself.
 * Returns the psd=y record in *psd_rec when that rule decided.
 */
static const char *select_org(struct walk *w, const char **rule, struct walk_rec **psd_rec)
{
	size_t i;

	*psd_rec = NULL;
	for (i = 0; i < w->nfound; i++) {
		const struct dmarc_record *r = w->found[i].rec;

		if (r->psd_set && r->psd == DMARC_PSD_N) {
			*rule = "psd=n";
			return w->found[i].name;
		}
		if (r->psd_set && r->psd == DMARC_PSD_Y &&
		    strcmp(w->found[i].name, w->start) != 0) {
			*rule = "psd=y";
			*psd_rec = &w->found[i];
			return last_labels(w->start, count_labels(w->found[i].name) + 1);
		}
	}
	if (w->nfound > 0) {
		*rule = "fewest-labels";
		return w->found[w->nfound - 1].name;
	}
	*rule = "no-record";
	return w->start;
}

static int org_from_walk(struct walk *w, struct dmarc_org *org, struct walk_rec **psd_rec)
{
	const char *name;

	*psd_rec = NULL;
	org->incomplete = w->incomplete;
	if (w->failed) {
		org->status = DMARC_DISC_TEMPERROR;
		org->rule = NULL;
		return 0;
	}
	name = select_org(w, &org->rule, psd_rec);
	if (w->incomplete)
		return 0; /* a pending level might have held a psd= record */
	org->status = DMARC_DISC_FOUND;
	return (org->org = strdup(name)) != NULL ? 0 : DNSAUDIT_ENOMEM;
}

void dnsaudit__dmarc_org_clear(struct dmarc_org *org)
{
	if (org == NULL)
		return;
	free(org->domain);
	free(org->org);
	memset(org, 0, sizeof(*org));
}

int dnsaudit__dmarc_org_domain(const struct dmarc_opts *o, const char *domain,
                               struct dmarc_query **queries, size_t *nqueries,
                               struct dmarc_org *out)
{
	char norm[NAME_BUF], org[NAME_BUF];
	struct walk_rec *psd_rec;
	struct walk w;
	int r;

	if (o == NULL || out == NULL || domain == NULL)
		return DNSAUDIT_EINVAL;
	memset(out, 0, sizeof(*out));
	if (dnsaudit__dmarc_normalize(domain, norm, sizeof(norm)) != 0) {
		out->status = DMARC_DISC_NONE;
		return (out->domain = strdup(domain)) != NULL ? 0 : DNSAUDIT_ENOMEM;
	}
	if ((out->domain = strdup(norm)) == NULL)
		return DNSAUDIT_ENOMEM;
	if (o->spec == DMARC_SPEC_RFC7489) {
		if (dnsaudit__dmarc_org_domain_psl(o->psl, norm, org, sizeof(org)) != 0)
			return DNSAUDIT_EINVAL;
		out->status = DMARC_DISC_FOUND;
		out->rule = psl_registrable_domain(o->psl, norm) ? "psl" : "psl-public-suffix";
		return (out->org = strdup(org)) != NULL ? 0 : DNSAUDIT_ENOMEM;
	}
	if (o->lookup == NULL)
		return DNSAUDIT_EINVAL;
	if ((r = walk(o, queries, nqueries, DMARC_Q_ORG, norm, &w)) == 0)
		r = org_from_walk(&w, out, &psd_rec);
	walk_free(&w);
	return r;
}

/* ---- policy discovery ---- */

static void say(struct dmarc_discovery *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct dmarc_discovery *d, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(d->detail);
	d->detail = strdup(buf); /* a missing detail is not worth failing for */
}

/* Takes ownership of rec and text. */
static int set_record(struct dmarc_discovery *d, const char *domain, struct dmarc_record *rec,
                      char *text, size_t len)
{
	d->status = DMARC_DISC_FOUND;
	d->record = rec;
	d->record_text = dnsaudit_txt_escape((const unsigned char *)text, len, 0);
	free(text);
	d->policy_domain = strdup(domain);
	d->inherited = strcmp(domain, d->from_domain) != 0;
	return d->record_text != NULL && d->policy_domain != NULL ? 0 : DNSAUDIT_ENOMEM;
}

static dmarc_policy one_level_lower(dmarc_policy p)
{
	return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE : DMARC_POLICY_NONE;
}

/* Does the From domain exist? One A query; NXDOMAIN means no (RFC 8020). */
static int check_exists(const struct dmarc_opts *o, struct dmarc_discovery *d)
{
	dnsaudit_dns_status st = DNSAUDIT_DNS_OK;
	int r = dnsaudit__dmarc_ask(o, &d->queries, &d->nqueries, d->from_domain, RR_A,
	                            DMARC_Q_EXISTS, &st, NULL, NULL, NULL);

	if (r < 0)
		return r;
	if (r == 0) {
		d->incomplete = 1;
		d->from_exists = DMARC_EXISTS_UNKNOWN;
	} else if (st == DNSAUDIT_DNS_NXDOMAIN) {
		d->from_exists = DMARC_EXISTS_NO;
	} else {
		d->from_exists = dns_failed(st) ? DMARC_EXISTS_UNKNOWN : DMARC_EXISTS_YES;
	}
	return 0;
}

/* p for the domain's own record; else np (non-existent, 9989), sp, p. */
static int apply_policy(const struct dmarc_opts *o, struct dmarc_discovery *d)
{
	const struct dmarc_record *r = d->record;
	int rc;

	if (d->status != DMARC_DISC_FOUND || !r->usable)
		return 0;
	if (!d->inherited || r->policy_fallback) {
		d->applied = d->inherited ? r->eff_sp : r->eff_p;
		d->applied_tag = "p";
	} else {
		if (o->spec == DMARC_SPEC_RFC9989 && r->np_set && (rc = check_exists(o, d)) != 0)
			return rc;
		if (d->from_exists == DMARC_EXISTS_NO) {
			d->applied = r->eff_np;
			d->applied_tag = r->np_set ? "np" : r->sp_set ? "sp" : "p";
		} else {
			d->applied = r->eff_sp;
			d->applied_tag = r->sp_set ? "sp" : "p";
		}
	}
	d->applied_t = d->applied;
	if (o->spec == DMARC_SPEC_RFC9989 && r->t)
		d->applied_t = one_level_lower(d->applied);
	return 0;
}

/* Moves walk record f into the discovery. */
static int take_found(struct dmarc_discovery *d, struct walk_rec *f)
{
	struct dmarc_record *rec = f->rec;
	char *text = f->text;

	f->rec = NULL;
	f->text = NULL;
	return set_record(d, f->name, rec, text, f->len);
}

static int discover_9989(const struct dmarc_opts *o, struct dmarc_discovery *d)
{
	struct walk_rec *own, *psd_rec = NULL, *pol;
	struct walk w;
	int r;

	if ((r = walk(o, &d->queries, &d->nqueries, DMARC_Q_POLICY, d->from_domain, &w)) != 0 ||
	    (r = org_from_walk(&w, &d->org, &psd_rec)) != 0)
		goto out;
	d->incomplete = w.incomplete;
	own = found_at(&w, d->from_domain);
	if (own != NULL) {
		r = take_found(d, own);
		say(d, "policy record at _dmarc.%s", d->from_domain);
		goto out;
	}
	if (w.failed) {
		d->status = DMARC_DISC_TEMPERROR;
		say(d, "%s: %s during the DNS Tree Walk", w.failed_name,
		    dnsaudit_dns_status_name(w.failed_status));
		goto out;
	}
	pol = d->org.org != NULL ? found_at(&w, d->org.org) : NULL;
	if (pol == NULL && psd_rec != NULL) {
		pol = psd_rec;
		d->psd_policy = 1;
	}
	if (pol == NULL) {
		say(d, "no DMARC policy record at _dmarc.%s or above it%s", d->from_domain,
		    w.multiple_at_start ? " (several records at the From domain, discarded)" : "");
		goto out;
	}
	r = take_found(d, pol);
	say(d, "policy record inherited from _dmarc.%s (%s)", pol->name,
	    d->psd_policy ? "public suffix domain, psd=y" : "organizational domain");
out:
	walk_free(&w);
	return r;
}

/* RFC 7489 §6.6.3 at one name: 1 found, 0 none or pending, 2 temperror, 3 several
 * records (detail set), or DNSAUDIT_ENOMEM. */
static int ask_7489(const struct dmarc_opts *o, struct dmarc_discovery *d, const char *domain,
                    int *pending)
{
	char name[NAME_BUF + 8], *text = NULL;
	dnsaudit_dns_status st = DNSAUDIT_DNS_OK;
	struct dmarc_record *rec = NULL;
	unsigned nd = 0;
	size_t len = 0;
	int r;

	if (strlen(domain) + 7 > DMARC_MAX_NAME_OCTETS)
		return 0;
	snprintf(name, sizeof(name), "_dmarc.%s", domain);
	r = dnsaudit__dmarc_ask(o, &d->queries, &d->nqueries, name, RR_TXT, DMARC_Q_POLICY, &st,
	                        &nd, &text, &len);
	if (r <= 0) {
		*pending = r == 0;
		return r;
	}
	if (dns_failed(st)) {
		d->status = DMARC_DISC_TEMPERROR;
		say(d, "%s: %s", name, dnsaudit_dns_status_name(st));
		return 2;
	}
	if (nd > 1) {
		say(d, "%u DMARC records at %s: policy discovery ends (RFC 7489 §6.6.3 step 5)", nd,
		    name);
		return 3;
	}
	if (nd == 0)
		return 0;
	if (dnsaudit__dmarc_parse(text, len, DMARC_SPEC_RFC7489, &rec) != 0) {
		free(text);
		return DNSAUDIT_ENOMEM;
	}
	if ((r = set_record(d, domain, rec, text, len)) != 0)
		return r;
	return 1;
}

static int discover_7489(const struct dmarc_opts *o, struct dmarc_discovery *d)
{
	char org[NAME_BUF], name[NAME_BUF + 8];
	dnsaudit_dns_status st;
	int r, pending = 0, other;

	if ((r = dnsaudit__dmarc_org_domain_psl(o->psl, d->from_domain, org, sizeof(org))) != 0)
		return r;
	d->org.status = DMARC_DISC_FOUND;
	d->org.rule = psl_registrable_domain(o->psl, d->from_domain) ? "psl" : "psl-public-suffix";
	if ((d->org.org = strdup(org)) == NULL)
		return DNSAUDIT_ENOMEM;
	other = strcmp(org, d->from_domain) != 0;
	r = ask_7489(o, d, d->from_domain, &pending);
	if (r == DNSAUDIT_ENOMEM)
		return r;
	if (r == 0 && pending) {
		/* Ask for the organizational domain in the same round, in case. */
		d->incomplete = 1;
		snprintf(name, sizeof(name), "_dmarc.%s", org);
		if (other && strlen(org) + 7 <= DMARC_MAX_NAME_OCTETS &&
		    dnsaudit__dmarc_ask(o, &d->queries, &d->nqueries, name, RR_TXT, DMARC_Q_POLICY,
		                        &st, NULL, NULL, NULL) < 0)
			return DNSAUDIT_ENOMEM;
		say(d, "waiting for the answer for _dmarc.%s", d->from_domain);
		return 0;
	}
	if (r == 0 && other) { /* nothing at the From domain: its organizational domain */
		r = ask_7489(o, d, org, &pending);
		if (r == DNSAUDIT_ENOMEM)
			return r;
		d->incomplete = pending;
	}
	if (d->status == DMARC_DISC_FOUND)
		say(d, "policy record %s _dmarc.%s", d->inherited ? "inherited from" : "at",
		    d->policy_domain);
	else if (d->status == DMARC_DISC_NONE && (r == 0 || d->detail == NULL))
		say(d, "no DMARC policy record at _dmarc.%s%s%s", d->from_domain,
		    other ? " or _dmarc." : "", other ? org : "");
	return 0;
}

int dnsaudit__dmarc_discover(const struct dmarc_opts *o, const char *from_domain,
                             struct dmarc_discovery **out)
{
	char norm[NAME_BUF];
	struct dmarc_discovery *d;
	int r;

	if (o == NULL || o->lookup == NULL || from_domain == NULL || out == NULL ||
	    (o->spec == DMARC_SPEC_RFC7489 && o->psl == NULL))
		return DNSAUDIT_EINVAL;
	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return DNSAUDIT_ENOMEM;
	d->spec = o->spec;
	if (dnsaudit__dmarc_normalize(from_domain, norm, sizeof(norm)) != 0) {
		d->from_domain = strdup(from_domain);
		d->org.status = DMARC_DISC_NONE;
		say(d, "the From domain is not a domain name");
		r = d->from_domain != NULL ? 0 : DNSAUDIT_ENOMEM;
		goto done;
	}
	if ((d->from_domain = strdup(norm)) == NULL || (d->org.domain = strdup(norm)) == NULL) {
		r = DNSAUDIT_ENOMEM;
		goto done;
	}
	r = o->spec == DMARC_SPEC_RFC7489 ? discover_7489(o, d) : discover_9989(o, d);
	if (r == 0)
		r = apply_policy(o, d);
done:
	if (r != 0) {
		dnsaudit__dmarc_discovery_free(d);
		return r;
	}
	*out = d;
	return 0;
}

void dnsaudit__dmarc_discovery_free(struct dmarc_discovery *d)
{
	if (d == NULL)
		return;
	free(d->from_domain);
	free(d->detail);
	dnsaudit__dmarc_record_free(d->record);
	free(d->record_text);
	free(d->policy_domain);
	dnsaudit__dmarc_org_clear(&d->org);
	dnsaudit__dmarc_queries_free(d->queries, d->nqueries);
	free(d);
}

const char *dnsaudit__dmarc_disc_status_name(dmarc_disc_status s)
{
	switch (s) {
	case DMARC_DISC_FOUND:
		return "found";
	case DMARC_DISC_TEMPERROR:
		return "temperror";
	default:
		return "none";
	}
}
