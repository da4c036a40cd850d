/*
 * answer.c -- the answer object both backends fill, and its public
 * accessors. An answer owns copies of everything it holds, so it outlives
 * the packet or zone data it came from.
 */
#include <stdlib.h>
#include <string.h>

#include "source_internal.h"

struct dnsaudit_answer *dnsaudit__answer_new(const ldns_rdf *qname, uint16_t qtype)
{
	struct dnsaudit_answer *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->qname = ldns_rdf2str(qname);
	a->rrs = ldns_rr_list_new();
	a->chain = ldns_rr_list_new();
	if (a->qname == NULL || a->rrs == NULL || a->chain == NULL) {
		dnsaudit__answer_free(a);
		return NULL;
	}
	a->qtype = qtype;
	a->status = DNSAUDIT_DNS_NETERROR;
	a->rcode = -1;
	a->transport = "udp";
	return a;
}

void dnsaudit__answer_free(struct dnsaudit_answer *a)
{
	if (a == NULL)
		return;
	free(a->qname);
	ldns_rr_list_deep_free(a->rrs);
	ldns_rr_list_deep_free(a->chain);
	free(a->origin);
	free(a->detail);
	free(a);
}

static int replace_string(char **slot, const char *s)
{
	char *copy = NULL;

	if (s != NULL && (copy = strdup(s)) == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

int dnsaudit__answer_set_detail(struct dnsaudit_answer *a, const char *s)
{
	return replace_string(&a->detail, s);
}

int dnsaudit__answer_set_origin(struct dnsaudit_answer *a, const char *s)
{
	return replace_string(&a->origin, s);
}

const char *dnsaudit_dns_status_name(dnsaudit_dns_status status)
{
	static const char *const names[] = {"ok",      "nxdomain", "nodata",  "servfail",
	                                    "refused", "timeout",  "neterror"};

	if ((unsigned)status < sizeof(names) / sizeof(names[0]))
		return names[status];
	return "neterror";
}

dnsaudit_dns_status dnsaudit_answer_status(const dnsaudit_answer *a)
{
	return a->status;
}

int dnsaudit_answer_rcode(const dnsaudit_answer *a)
{
	return a->rcode;
}

int dnsaudit_answer_ad(const dnsaudit_answer *a)
{
	return a->ad;
}

const char *dnsaudit_answer_origin(const dnsaudit_answer *a)
{
	return a->origin != NULL ? a->origin : "";
}

const char *dnsaudit_answer_transport(const dnsaudit_answer *a)
{
	return a->transport;
}

const char *dnsaudit_answer_detail(const dnsaudit_answer *a)
{
	return a->detail != NULL ? a->detail : "";
}

size_t dnsaudit_answer_count(const dnsaudit_answer *a)
{
	return ldns_rr_list_rr_count(a->rrs);
}

size_t dnsaudit_answer_cname_count(const dnsaudit_answer *a)
{
	return ldns_rr_list_rr_count(a->chain);
}

char *dnsaudit_answer_cname_target(const dnsaudit_answer *a, size_t i)
{
	const ldns_rr *rr = ldns_rr_list_rr(a->chain, i);

	if (rr == NULL || ldns_rr_rd_count(rr) < 1)
		return NULL;
	return ldns_rdf2str(ldns_rr_rdf(rr, 0));
}

size_t dnsaudit_answer_txt_count(const dnsaudit_answer *a, size_t i)
{
	const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);

	if (rr == NULL || ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
		return 0;
	return ldns_rr_rd_count(rr);
}

const unsigned char *dnsaudit_answer_txt_string(const dnsaudit_answer *a, size_t i, size_t j,
                                                size_t *len)
{
	const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
	const ldns_rdf *rdf;

	*len = 0;
	if (rr == NULL || ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT || j >= ldns_rr_rd_count(rr))
		return NULL;
	rdf = ldns_rr_rdf(rr, j);
	if (ldns_rdf_size(rdf) < 1)
		return NULL;
	/* A character-string's first byte is its length. */
	*len = ldns_rdf_data(rdf)[0];
	if (*len > ldns_rdf_size(rdf) - 1)
		*len = ldns_rdf_size(rdf) - 1;
	return ldns_rdf_data(rdf) + 1;
}

char *dnsaudit_answer_rdata(const dnsaudit_answer *a, size_t i)
{
	const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);

	if (rr == NULL)
		return NULL;
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
		return dnsaudit__txt_rdata_str(rr);
	return dnsaudit__rr_rdata_str(rr);
}

char *dnsaudit__answer_txt_join(const dnsaudit_answer *a, size_t i, char sep, size_t *len)
{
	size_t j, n = dnsaudit_answer_txt_count(a, i), total = 0, l;
	char *out;

	for (j = 0; j < n; j++)
		total += (dnsaudit_answer_txt_string(a, i, j, &l), l) + 1;
	/* Bounded by one RR's rdata (65535 octets): no overflow. */
	if ((out = malloc(total + 1)) == NULL)
		return NULL;
	*len = 0;
	for (j = 0; j < n; j++) {
		const unsigned char *str = dnsaudit_answer_txt_string(a, i, j, &l);

		if (sep != '\0' && j > 0)
			out[(*len)++] = sep;
		if (str != NULL && l > 0)
			memcpy(out + *len, str, l);
		*len += str != NULL ? l : 0;
	}
	out[*len] = '\0';
	return out;
}
