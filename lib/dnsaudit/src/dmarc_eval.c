/*
 * dmarc_eval.c -- identifier alignment, the DMARC evaluation of one
 * message's authenticated identifiers, and the check of external report
 * destinations (RFC 7489 §3.1, §7.1; RFC 9989 §4.10.2, §5.3; RFC 9990 §4).
 *
 * Relaxed alignment under RFC 9989 costs DNS Tree Walks, so a walk is made
 * only when it can change the answer: an identifier can share the From
 * domain's organizational domain only if it is that domain or below it,
 * because a walk only ever yields a name or one of its ancestors. The same
 * reasoning decides which report destinations need a walk.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_internal.h"

#define RR_TXT 16

#define NAME_BUF (DMARC_MAX_NAME_OCTETS + 16)

const char *dnsaudit__dmarc_alignment_name(dmarc_alignment a)
{
	switch (a) {
	case DMARC_ALIGNED:
		return "aligned";
	case DMARC_ALIGN_TEMPERROR:
		return "temperror";
	case DMARC_ALIGN_PENDING:
		return "pending";
	default:
		return "not-aligned";
	}
}

const char *dnsaudit__dmarc_result_name(dmarc_result r)
{
	switch (r) {
	case DMARC_RESULT_PASS:
		return "pass";
	case DMARC_RESULT_FAIL:
		return "fail";
	case DMARC_RESULT_TEMPERROR:
		return "temperror";
	default:
		return "none";
	}
}

const char *dnsaudit__dmarc_authorization_name(dmarc_authorization a)
{
	switch (a) {
	case DMARC_AUTH_YES:
		return "yes";
	case DMARC_AUTH_NO:
		return "no";
	case DMARC_AUTH_UNKNOWN:
		return "unknown";
	case DMARC_AUTH_NOT_APPLICABLE:
		return "not-applicable";
	default:
		return "not-needed";
	}
}

/* ---- alignment ---- */

/* An org walk's outcome as an alignment state; FOUND maps to -1 (go on). */
static int org_state(const struct dmarc_org *org)
{
	if (org->incomplete)
		return DMARC_ALIGN_PENDING;
	if (org->status != DMARC_DISC_FOUND || org->org == NULL)
		return DMARC_ALIGN_TEMPERROR;
	return -1;
}

/*
 * Relaxed alignment of b with a, given a's organizational domain: b can
 * only share it when b is at or below it (see the file comment).
 */
static int relaxed_with(const struct dmarc_opts *o, const char *org_a, const char *b,
                        struct dmarc_query **log, size_t *nlog, dmarc_alignment *out, char **org_b)
{
	struct dmarc_org ob;
	int r, st;

	if (o->spec == DMARC_SPEC_RFC9989 && !dnsaudit__dmarc_at_or_below(b, org_a)) {
		*out = DMARC_NOT_ALIGNED;
		return 0;
	}
	if ((r = dnsaudit__dmarc_org_domain(o, b, log, nlog, &ob)) != 0)
		return r;
	if ((st = org_state(&ob)) >= 0)
		*out = (dmarc_alignment)st;
	else
		*out = strcmp(ob.org, org_a) == 0 ? DMARC_ALIGNED : DMARC_NOT_ALIGNED;
	if (org_b != NULL && ob.org != NULL) {
		*org_b = ob.org;
		ob.org = NULL;
	}
	dnsaudit__dmarc_org_clear(&ob);
	return 0;
}

int dnsaudit__dmarc_aligned(const struct dmarc_opts *o, const char *a, const char *b,
                            dmarc_align_mode mode, dmarc_alignment *out)
{
	char na[NAME_BUF], nb[NAME_BUF];
	struct dmarc_org oa;
	int r, st;

	if (o == NULL || a == NULL || b == NULL || out == NULL ||
	    (o->spec == DMARC_SPEC_RFC7489 && o->psl == NULL) ||
	    (o->spec == DMARC_SPEC_RFC9989 && mode == DMARC_ALIGN_RELAXED && o->lookup == NULL))
		return DNSAUDIT_EINVAL;
	*out = DMARC_NOT_ALIGNED;
	if (dnsaudit__dmarc_normalize(a, na, sizeof(na)) != 0 ||
	    dnsaudit__dmarc_normalize(b, nb, sizeof(nb)) != 0)
		return 0;
	if (strcmp(na, nb) == 0) {
		*out = DMARC_ALIGNED;
		return 0;
	}
	if (mode == DMARC_ALIGN_STRICT)
		return 0;
	if ((r = dnsaudit__dmarc_org_domain(o, na, NULL, NULL, &oa)) != 0)
		return r;
	if ((st = org_state(&oa)) >= 0)
		*out = (dmarc_alignment)st;
	else
		r = relaxed_with(o, oa.org, nb, NULL, NULL, out, NULL);
	dnsaudit__dmarc_org_clear(&oa);
	return r;
}

/* ---- evaluation ---- */

static void say(struct dmarc_eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct dmarc_eval *ev, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(ev->detail);
	ev->detail = strdup(buf); /* a missing detail is not worth failing for */
}

/* Alignment of one identifier with the From domain (normalised: id->domain). */
static int align_one(const struct dmarc_opts *o, struct dmarc_discovery *d, struct dmarc_ident *id)
{
	const char *org = d->org.org;
	int st;

	if (strcmp(id->domain, d->from_domain) == 0) {
		id->alignment = DMARC_ALIGNED;
		id->note = "identical to the From domain";
		return 0;
	}
	id->alignment = DMARC_NOT_ALIGNED;
	if (id->mode == DMARC_ALIGN_STRICT) {
		id->note = "strict alignment: not identical";
		return 0;
	}
	if (o->spec == DMARC_SPEC_RFC9989 && (st = org_state(&d->org)) >= 0) {
		id->alignment = (dmarc_alignment)st;
		id->note = "the From domain's organizational domain is not known";
		return 0;
	}
	if (o->spec == DMARC_SPEC_RFC9989 && !dnsaudit__dmarc_at_or_below(id->domain, org)) {
		id->note = "not at or below the From domain's organizational domain";
		return 0;
	}
	st = relaxed_with(o, org, id->domain, &d->queries, &d->nqueries, &id->alignment, &id->org);
	if (st != 0)
		return st;
	id->note = id->alignment == DMARC_ALIGNED       ? "same organizational domain"
	           : id->alignment == DMARC_NOT_ALIGNED ? "other organizational domain"
	                                                : "its organizational domain is not known";
	return 0;
}

static int add_ident(const struct dmarc_opts *o, struct dmarc_eval *ev, const char *domain,
                     int dkim)
{
	const struct dmarc_record *rec = ev->discovery->record;
	struct dmarc_ident *id = &ev->idents[ev->nidents];
	char norm[NAME_BUF];

	memset(id, 0, sizeof(*id));
	id->dkim = dkim;
	id->mode = dkim ? rec->adkim : rec->aspf;
	if (dnsaudit__dmarc_normalize(domain, norm, sizeof(norm)) != 0) {
		id->alignment = DMARC_NOT_ALIGNED;
		id->note = "not a domain name";
		id->domain = strdup(domain);
		ev->nidents++;
		return id->domain != NULL ? 0 : DNSAUDIT_ENOMEM;
	}
	if ((id->domain = strdup(norm)) == NULL)
		return DNSAUDIT_ENOMEM;
	ev->nidents++;
	return align_one(o, ev->discovery, id);
}

/* RFC 9989 §4.10.2 note: From domain and all identifiers the same, own record. */
static int all_identical(const struct dmarc_eval *ev)
{
	size_t i;

	if (ev->nidents == 0 || ev->discovery->inherited)
		return 0;
	for (i = 0; i < ev->nidents; i++)
		if (strcmp(ev->idents[i].domain, ev->discovery->from_domain) != 0)
			return 0;
	return 1;
}

static void conclude(struct dmarc_eval *ev)
{
	int unknown = 0;
	size_t i;

	ev->spf_aligned = ev->dkim_aligned = -1;
	for (i = 0; i < ev->nidents; i++) {
		const struct dmarc_ident *id = &ev->idents[i];
		int *slot = id->dkim ? &ev->dkim_aligned : &ev->spf_aligned;

		if (id->alignment == DMARC_ALIGNED && *slot < 0)
			*slot = (int)i;
		unknown |=
		    id->alignment == DMARC_ALIGN_TEMPERROR || id->alignment == DMARC_ALIGN_PENDING;
		ev->incomplete |= id->alignment == DMARC_ALIGN_PENDING;
	}
	if (ev->spf_aligned >= 0 || ev->dkim_aligned >= 0) {
		const struct dmarc_ident *id =
		    &ev->idents[ev->dkim_aligned >= 0 ? ev->dkim_aligned : ev->spf_aligned];

		ev->result = DMARC_RESULT_PASS;
		say(ev, "pass: %s identifier %s aligned (%s)", id->dkim ? "DKIM" : "SPF",
		    id->domain, id->note);
	} else if (unknown) {
		ev->result = DMARC_RESULT_TEMPERROR;
		say(ev, "temperror: no identifier aligned and the alignment of some could not "
		        "be decided (DNS)");
	} else {
		ev->result = DMARC_RESULT_FAIL;
		say(ev, "fail: %s",
		    ev->nidents ? "no authenticated identifier is aligned"
		                : "no authenticated identifier");
	}
}

/* The outcomes decided by discovery alone; 1 when it decided. */
static int decided_by_discovery(struct dmarc_eval *ev)
{
	const struct dmarc_discovery *d = ev->discovery;

	ev->incomplete = d->incomplete;
	if (d->status == DMARC_DISC_TEMPERROR) {
		ev->result = DMARC_RESULT_TEMPERROR;
		say(ev, "temperror: %s", d->detail ? d->detail : "DNS failure");
		return 1;
	}
	if (d->status == DMARC_DISC_NONE) {
		ev->result = d->incomplete ? DMARC_RESULT_TEMPERROR : DMARC_RESULT_NONE;
		say(ev, "%s: %s", d->incomplete ? "pending" : "none", d->detail ? d->detail : "");
		return 1;
	}
	if (!d->record->usable) {
		ev->result = DMARC_RESULT_NONE;
		say(ev,
		    "none: the policy record at _dmarc.%s has no valid policy and no valid "
		    "rua, so no DMARC processing applies",
		    d->policy_domain);
		return 1;
	}
	return 0;
}

static int evaluate(const struct dmarc_opts *o, const struct dmarc_eval_input *in,
                    struct dmarc_eval *ev)
{
	struct dmarc_discovery *d;
	size_t i;
	int r;

	if ((r = dnsaudit__dmarc_discover(o, in->from_domain, &ev->discovery)) != 0)
		return r;
	d = ev->discovery;
	ev->policy = d->applied;
	ev->policy_domain = d->policy_domain;
	ev->spf_aligned = ev->dkim_aligned = -1;
	if (decided_by_discovery(ev))
		goto out;
	if ((ev->idents = calloc(in->nspf + in->ndkim + 1, sizeof(*ev->idents))) == NULL)
		return DNSAUDIT_ENOMEM;
	for (i = 0; i < in->nspf && r == 0; i++)
		r = add_ident(o, ev, in->spf_domains[i], 0);
	for (i = 0; i < in->ndkim && r == 0; i++)
		r = add_ident(o, ev, in->dkim_domains[i], 1);
	if (r != 0)
		return r;
	if (d->org.org == NULL && all_identical(ev)) {
		if ((d->org.org = strdup(d->from_domain)) == NULL)
			return DNSAUDIT_ENOMEM;
		d->org.status = DMARC_DISC_FOUND;
		d->org.rule = "author-and-identifiers";
	}
	conclude(ev);
out:
	ev->org_domain = d->org.org;
	return 0;
}

int dnsaudit__dmarc_evaluate(const struct dmarc_opts *o, const struct dmarc_eval_input *in,
                             struct dmarc_eval **out)
{
	struct dmarc_eval *ev;
	size_t i;
	int r;

	if (o == NULL || in == NULL || out == NULL || in->from_domain == NULL ||
	    in->nspf + in->ndkim > DMARC_MAX_IDENTIFIERS ||
	    (in->nspf > 0 && in->spf_domains == NULL) ||
	    (in->ndkim > 0 && in->dkim_domains == NULL))
		return DNSAUDIT_EINVAL;
	for (i = 0; i < in->nspf; i++)
		if (in->spf_domains[i] == NULL)
			return DNSAUDIT_EINVAL;
	for (i = 0; i < in->ndkim; i++)
		if (in->dkim_domains[i] == NULL)
			return DNSAUDIT_EINVAL;
	*out = NULL;
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return DNSAUDIT_ENOMEM;
	if ((r = evaluate(o, in, ev)) != 0) {
		dnsaudit__dmarc_eval_free(ev);
		return r;
	}
	*out = ev;
	return 0;
}

void dnsaudit__dmarc_eval_free(struct dmarc_eval *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	for (i = 0; i < ev->nidents; i++) {
		free(ev->idents[i].domain);
		free(ev->idents[i].org);
	}
	free(ev->idents);
	dnsaudit__dmarc_discovery_free(ev->discovery);
	free(ev->detail);
	free(ev);
}

/* ---- external report destinations ---- */

/* 1 other org, 0 same, -1 unknown; sets *pending. */
static int is_external(const struct dmarc_opts *o, struct dmarc_destinations *ds,
                       const char *domain, int *pending, int *err)
{
	dmarc_alignment a = DMARC_NOT_ALIGNED;

	*err = 0;
	if (ds->policy_org == NULL)
		return -1;
	*err = relaxed_with(o, ds->policy_org, domain, &ds->queries, &ds->nqueries, &a, NULL);
	if (*err != 0)
		return -1;
	*pending = a == DMARC_ALIGN_PENDING;
	if (a == DMARC_ALIGNED)
		return 0;
	return a == DMARC_NOT_ALIGNED ? 1 : -1;
}

/* §7.1 step 8 / RFC 9990 §4: rua= or ruf= of the authorizing record. */
static int take_override(const struct dmarc_opts *o, struct dmarc_destination *it, const char *text,
                         size_t len)
{
	struct dmarc_record *rec;
	const struct dmarc_uri *list;
	size_t n, i;

	if (dnsaudit__dmarc_parse(text, len, o->spec, &rec) != 0)
		return DNSAUDIT_ENOMEM;
	list = it->ruf ? rec->ruf : rec->rua;
	n = it->ruf ? rec->nruf : rec->nrua;
	for (i = 0; i < rec->ntags; i++) {
		const struct dmarc_tag *t = &rec->tags[i];

		if (!t->duplicate && t->id == (it->ruf ? DMARC_TAG_RUF : DMARC_TAG_RUA)) {
			if ((it->override = strdup(t->value)) == NULL) {
				dnsaudit__dmarc_record_free(rec);
				return DNSAUDIT_ENOMEM;
			}
			break;
		}
	}
	it->override_ok = it->override != NULL && n > 0;
	for (i = 0; i < n; i++)
		if (list[i].domain == NULL || strcmp(list[i].domain, it->domain) != 0)
			it->override_ok = 0;
	dnsaudit__dmarc_record_free(rec);
	return 0;
}

static int ask_authorization(const struct dmarc_opts *o, struct dmarc_destinations *ds,
                             struct dmarc_destination *it)
{
	dnsaudit_dns_status st = DNSAUDIT_DNS_OK;
	unsigned nd = 0;
	char *text = NULL;
	size_t len = 0,
	       need = strlen(ds->policy_domain) + strlen(it->domain) + sizeof("._report._dmarc.");
	int r;

	if ((it->query = malloc(need)) == NULL)
		return DNSAUDIT_ENOMEM;
	snprintf(it->query, need, "%s._report._dmarc.%s", ds->policy_domain, it->domain);
	if (strlen(it->query) > DMARC_MAX_NAME_OCTETS) {
		it->authorized = DMARC_AUTH_NO;
		it->note = "the authorization name is longer than 253 octets";
		return 0;
	}
	r = dnsaudit__dmarc_ask(o, &ds->queries, &ds->nqueries, it->query, RR_TXT, DMARC_Q_REPORT,
	                        &st, &nd, &text, &len);
	if (r < 0)
		return r;
	it->pending = r == 0;
	it->status = st;
	if (r == 0 ||
	    (st != DNSAUDIT_DNS_OK && st != DNSAUDIT_DNS_NXDOMAIN && st != DNSAUDIT_DNS_NODATA)) {
		ds->incomplete |= r == 0;
		it->authorized = DMARC_AUTH_UNKNOWN;
		it->note = r == 0 ? "waiting for the answer" : "DNS failure";
		return 0;
	}
	it->authorized = nd > 0 ? DMARC_AUTH_YES : DMARC_AUTH_NO;
	it->note = nd > 0 ? "a v=DMARC1 record authorizes it" : "no v=DMARC1 record there";
	r = text != NULL ? take_override(o, it, text, len) : 0;
	free(text);
	return r;
}

static int check_destination(const struct dmarc_opts *o, struct dmarc_destinations *ds,
                             struct dmarc_destination *it)
{
	int pending = 0, err, r;

	if (!it->uri->valid || !it->uri->mailto || it->uri->domain == NULL) {
		it->authorized = DMARC_AUTH_NOT_APPLICABLE;
		it->note = !it->uri->valid    ? "not a valid URI"
		           : !it->uri->mailto ? "not a mailto: URI"
		                              : "mailto: URI without a usable address";
		return 0;
	}
	if ((it->domain = strdup(it->uri->domain)) == NULL)
		return DNSAUDIT_ENOMEM;
	it->external = is_external(o, ds, it->domain, &pending, &err);
	if (err != 0)
		return err;
	ds->incomplete |= pending;
	if (it->external == 0) {
		it->authorized = DMARC_AUTH_NOT_NEEDED;
		it->note = "same organizational domain as the policy domain";
		return 0;
	}
	if ((r = ask_authorization(o, ds, it)) != 0)
		return r;
	if (it->external < 0 && it->authorized != DMARC_AUTH_YES) {
		it->authorized = DMARC_AUTH_UNKNOWN;
		it->note = "organizational domain not known; no authorization record either";
	}
	return 0;
}

static int destinations(const struct dmarc_opts *o, const struct dmarc_record *rec,
                        struct dmarc_destinations *ds)
{
	struct dmarc_org org;
	size_t i, n = rec->nrua + rec->nruf;
	int r;

	if ((r = dnsaudit__dmarc_org_domain(o, ds->policy_domain, &ds->queries, &ds->nqueries,
	                                    &org)) != 0)
		return r;
	ds->incomplete |= org.incomplete;
	ds->policy_org = org.org;
	org.org = NULL;
	dnsaudit__dmarc_org_clear(&org);
	if ((ds->items = calloc(n + 1, sizeof(*ds->items))) == NULL)
		return DNSAUDIT_ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		struct dmarc_destination *it = &ds->items[ds->n++];

		it->ruf = i >= rec->nrua;
		it->uri = it->ruf ? &rec->ruf[i - rec->nrua] : &rec->rua[i];
		r = check_destination(o, ds, it);
	}
	return r;
}

int dnsaudit__dmarc_report_destinations(const struct dmarc_opts *o, const char *policy_domain,
                                        const struct dmarc_record *rec,
                                        struct dmarc_destinations **out)
{
	char norm[NAME_BUF];
	struct dmarc_destinations *ds;
	int r;

	if (o == NULL || o->lookup == NULL || policy_domain == NULL || rec == NULL || out == NULL ||
	    (o->spec == DMARC_SPEC_RFC7489 && o->psl == NULL) ||
	    dnsaudit__dmarc_normalize(policy_domain, norm, sizeof(norm)) != 0)
		return DNSAUDIT_EINVAL;
	*out = NULL;
	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		return DNSAUDIT_ENOMEM;
	if ((ds->policy_domain = strdup(norm)) == NULL) {
		free(ds);
		return DNSAUDIT_ENOMEM;
	}
	if ((r = destinations(o, rec, ds)) != 0) {
		dnsaudit__dmarc_destinations_free(ds);
		return r;
	}
	*out = ds;
	return 0;
}

void dnsaudit__dmarc_destinations_free(struct dmarc_destinations *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->items[i].domain);
		free(d->items[i].query);
		free(d->items[i].override);
	}
	free(d->items);
	free(d->policy_domain);
	free(d->policy_org);
	dnsaudit__dmarc_queries_free(d->queries, d->nqueries);
	free(d);
}
