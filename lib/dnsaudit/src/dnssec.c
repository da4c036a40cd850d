/*
 * dnssec.c -- is the domain's zone signed? The DNSKEY set at the domain
 * (RFC 4034 §2) with each key's flags, algorithm and key tag, and the AD
 * flag a validating resolver put on the answer (RFC 4035 §3.2.3). Without
 * DNSSEC, MX, TLSA and MTA-STS answers can be forged on the way.
 *
 * DNSKEY is asked at the domain as given: for a name that is not a zone
 * apex (a subdomain inside its parent's zone) the answer is NODATA although
 * the zone may well be signed. A validating resolver sets AD on that NODATA
 * too, which the rules use to tell the two apart; finding the apex (SOA
 * walk) is left for later.
 */
#include "neighbours_internal.h"

/* DNSKEY flags (RFC 4034 §2.1.1, RFC 5011 §7). */
#define DNSKEY_ZONE   0x0100
#define DNSKEY_REVOKE 0x0080
#define DNSKEY_SEP    0x0001

int dnsaudit__dnssec_alg_deprecated(unsigned algorithm)
{
	switch (algorithm) {
	case 1:  /* RSAMD5: MUST NOT */
	case 3:  /* DSA: MUST NOT */
	case 5:  /* RSASHA1: NOT RECOMMENDED */
	case 6:  /* DSA-NSEC3-SHA1: MUST NOT */
	case 7:  /* RSASHA1-NSEC3-SHA1: NOT RECOMMENDED */
	case 12: /* ECC-GOST: MUST NOT */
		return 1;
	default:
		return 0;
	}
}

struct key_counts {
	size_t ksk, zsk;
};

static void key_facts(xmlNodePtr dnssec, const ldns_rr *rr, struct key_counts *n)
{
	xmlNodePtr k;
	unsigned flags, protocol, alg;
	const ldns_lookup_table *name;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY || ldns_rr_rd_count(rr) != 4 ||
	    ldns_rdf_size(ldns_rr_rdf(rr, 0)) != 2 || ldns_rdf_size(ldns_rr_rdf(rr, 1)) != 1 ||
	    ldns_rdf_size(ldns_rr_rdf(rr, 2)) != 1)
		return;
	flags = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
	protocol = ldns_rdf_data(ldns_rr_rdf(rr, 1))[0];
	alg = ldns_rdf_data(ldns_rr_rdf(rr, 2))[0];
	name = ldns_lookup_by_id(ldns_algorithms, (int)alg);
	k = dnsaudit__fact_child(dnssec, "key");
	dnsaudit__fact_attr_int(k, "flags", (long)flags);
	dnsaudit__fact_attr_int(k, "protocol", (long)protocol);
	dnsaudit__fact_attr_int(k, "algorithm", (long)alg);
	if (name != NULL)
		dnsaudit__fact_attr(k, "algorithm-name", name->name);
	dnsaudit__fact_attr_int(k, "key-tag", (long)ldns_calc_keytag(rr));
	dnsaudit__fact_attr_bool(k, "zone-key", (flags & DNSKEY_ZONE) != 0);
	dnsaudit__fact_attr_bool(k, "sep", (flags & DNSKEY_SEP) != 0);
	dnsaudit__fact_attr_bool(k, "revoked", (flags & DNSKEY_REVOKE) != 0);
	dnsaudit__fact_attr_bool(k, "deprecated", dnsaudit__dnssec_alg_deprecated(alg));
	if (flags & DNSKEY_ZONE) {
		n->ksk += (flags & DNSKEY_SEP) != 0;
		n->zsk += (flags & DNSKEY_SEP) == 0;
	}
}

int dnsaudit__collect_dnssec(struct dnsaudit__collect *c, xmlNodePtr audit)
{
	const dnsaudit_answer *a = dnsaudit__need(c, c->domain, LDNS_RR_TYPE_DNSKEY);
	xmlNodePtr e = dnsaudit__fact_child(audit, "dnssec");
	struct key_counts n = {0, 0};
	size_t i, keys;

	dnsaudit__fact_attr(e, "name", c->domain);
	dnsaudit__fact_attr(e, "status", dnsaudit__answer_status_str(a));
	dnsaudit__fact_area(audit, "dnssec", a);
	if (a == NULL)
		return 0;
	if (dnsaudit__answer_conclusive(a)) {
		keys = dnsaudit_answer_status(a) == DNSAUDIT_DNS_OK ? dnsaudit_answer_count(a) : 0;
		for (i = 0; i < keys; i++)
			key_facts(e, ldns_rr_list_rr(a->rrs, i), &n);
		dnsaudit__fact_attr_int(e, "keys", (long)keys);
		dnsaudit__fact_attr_int(e, "ksk", (long)n.ksk);
		dnsaudit__fact_attr_int(e, "zsk", (long)n.zsk);
	}
	dnsaudit__fact_attr_bool(e, "ad", dnsaudit_answer_ad(a));
	dnsaudit__fact_answer(e, a);
	return 0;
}
