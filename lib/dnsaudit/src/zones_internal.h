/*
 * zones_internal.h -- extra entry points of the zone-file backend for its
 * own tests and fuzzer. The session never needs them: it goes through
 * source_internal.h only.
 */
#ifndef DNSAUDIT_ZONES_INTERNAL_H
#define DNSAUDIT_ZONES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <ldns/ldns.h>
#include "source_internal.h"

/*
 * Load one zone file's text from memory, as dnsaudit__zoneset_load() loads
 * a file called `name` (used in messages and for the NAME.zone origin).
 * @param[out] out new zoneset; free with dnsaudit__zoneset_free().
 */
int dnsaudit__zoneset_load_buffer(struct dnsaudit__zoneset **out, const char *name,
                                  const uint8_t *data, size_t len, dnsaudit_error *err);

/* Number of distinct records loaded, in canonical (owner, type) order. */
size_t dnsaudit__zoneset_rr_count(const struct dnsaudit__zoneset *zs);
/* The i-th record (borrowed), or NULL when i is out of range. */
const ldns_rr *dnsaudit__zoneset_rr(const struct dnsaudit__zoneset *zs, size_t i);
/* Index of the file the i-th record came from (the first, for duplicates). */
size_t dnsaudit__zoneset_rr_file(const struct dnsaudit__zoneset *zs, size_t i);

#endif /* DNSAUDIT_ZONES_INTERNAL_H */
