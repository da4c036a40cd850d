/*
 * zone_fuzzer.c -- libFuzzer target for the zone-file backend. The input is
 * one zone file (named fuzz.test.zone, so relative names get an origin);
 * whatever loads is then asked about names taken from its own records, a
 * child of each (NXDOMAIN or wildcard paths) and its parent (often an empty
 * non-terminal), so the answer code runs on hostile data too.
 *
 * Built with -fsanitize=fuzzer by fuzz/CMakeLists.txt, and with
 * fuzz/standalone.c by tests/CMakeLists.txt to replay the corpus under ctest.
 */
#include <stddef.h>
#include <stdint.h>

#include "zones_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Longer inputs only slow the search down; real zone files load alike. */
#define FUZZ_INPUT_MAX (64 * 1024)

static const ldns_rr_type fuzz_types[] = {
    LDNS_RR_TYPE_A,     LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_MX,
    LDNS_RR_TYPE_CNAME, LDNS_RR_TYPE_NS,  LDNS_RR_TYPE_SOA,
};

static void ask(const struct dnsaudit__zoneset *zs, const ldns_rdf *name)
{
	size_t i;

	(void)dnsaudit__zoneset_covers(zs, name);
	for (i = 0; i < sizeof(fuzz_types) / sizeof(fuzz_types[0]); i++) {
		struct dnsaudit_answer *a = dnsaudit__answer_new(name, fuzz_types[i]);

		if (a == NULL)
			return;
		(void)dnsaudit__zoneset_answer(zs, name, fuzz_types[i], a);
		dnsaudit__answer_free(a);
	}
}

/* owner, "x.<owner>" and owner's parent. */
static void ask_around(const struct dnsaudit__zoneset *zs, const ldns_rdf *owner)
{
	ldns_rdf *label = ldns_dname_new_frm_str("x.");
	ldns_rdf *child = NULL, *parent = ldns_dname_left_chop(owner);

	ask(zs, owner);
	if (label != NULL && ldns_rdf_size(owner) + 2 <= LDNS_MAX_DOMAINLEN)
		child = ldns_dname_cat_clone(label, owner);
	if (child != NULL)
		ask(zs, child);
	if (parent != NULL)
		ask(zs, parent);
	ldns_rdf_deep_free(label);
	ldns_rdf_deep_free(child);
	ldns_rdf_deep_free(parent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsaudit__zoneset *zs = NULL;
	dnsaudit_error err;
	size_t n, i;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	if (dnsaudit__zoneset_load_buffer(&zs, "fuzz.test.zone", data, size, &err) != 0)
		return 0;
	n = dnsaudit__zoneset_rr_count(zs);
	/* First, middle and last owners: enough to reach every answer path. */
	for (i = 0; i < n && i < 3; i++)
		ask_around(zs, ldns_rr_owner(dnsaudit__zoneset_rr(zs, i * (n - 1) / 2)));
	if (dnsaudit__zoneset_authority(zs, 0) != NULL)
		ask_around(zs, dnsaudit__zoneset_authority(zs, 0));
	dnsaudit__zoneset_free(zs);
	return 0;
}
