/*
 * dnsaudit.h -- public API of libdnsaudit: collect a domain's mail
 * authentication DNS records, grade them against a policy, and report.
 *
 * Ownership: an object returned through an `out` parameter belongs to the
 * caller and is released with the matching *_free() (NULL is accepted).
 * A pointer returned directly is borrowed and valid until its parent is freed.
 */
#ifndef DNSAUDIT_H
#define DNSAUDIT_H

#include "dnsaudit/common.h"
#include "dnsaudit/source.h"
#include "dnsaudit/policy.h"
#include "dnsaudit/audit.h"

#endif /* DNSAUDIT_H */
