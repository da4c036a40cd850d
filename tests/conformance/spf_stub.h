/*
 * spf_stub.h -- an in-memory DNS for SPF tests: the OpenSPF suites'
 * `zonedata` model (SOURCES.md), served through dnsaudit__source_new_stub.
 *
 * Each owner name holds an ordered list of entries. A query scans them in
 * order: TIMEOUT (or SERVFAIL) answers for every type that has no entry
 * before it; otherwise the records of the asked type answer, a CNAME is
 * followed (at most 16 hops, a loop is SERVFAIL), an absent name is
 * NXDOMAIN and a present name without the type is NODATA. SPF values are
 * served as TXT too (appended after every entry, so after a TIMEOUT) unless
 * the name has a TXT entry, `TXT: NONE` included. Shared by the conformance
 * runner and the cmocka evaluator tests.
 */
#ifndef MAILAUDIT_SPF_STUB_H
#define MAILAUDIT_SPF_STUB_H

#include <stddef.h>

#include "source_internal.h"

struct stub_zone;

struct stub_zone *stub_zone_new(void);
void stub_zone_free(struct stub_zone *z);

/*
 * Append an entry to `name`. type: "A", "AAAA", "TXT", "SPF", "MX", "PTR",
 * "CNAME" (values as in the suites: TXT/SPF n strings of explicit length,
 * one RR; MX: preference then host), "TIMEOUT", "SERVFAIL" (no value), or
 * "TXT" with the single value "NONE". @return 0, or -1 with a reason in
 * stub_zone_error().
 */
int stub_zone_add(struct stub_zone *z, const char *name, const char *type, const char *const *vals,
                  const size_t *lens, size_t n);
/* One NUL-terminated value (MX: "10 host"); a convenience for unit tests. */
int stub_zone_add1(struct stub_zone *z, const char *name, const char *type, const char *value);
/* Generate the TXT copies of SPF values (call once, after the last add). */
int stub_zone_finish(struct stub_zone *z);
const char *stub_zone_error(const struct stub_zone *z);
/* Questions answered so far, and those for one name/type (presentation). */
unsigned long stub_zone_queries(const struct stub_zone *z);
unsigned long stub_zone_queries_for(const struct stub_zone *z, const char *name, unsigned type);

/* The dnsaudit__stub_fn: payload is a struct stub_zone. */
int stub_zone_answer(void *payload, const ldns_rdf *qname, ldns_rr_type qtype,
                     struct dnsaudit_answer *out);

#endif /* MAILAUDIT_SPF_STUB_H */
