/*
 * policy.h -- grading rules as data. A policy is read from XML files
 * (policies/default.xml and a provider's own); every rule's XPath test and
 * text placeholders are compiled when the file is added, never per audit.
 *
 * A policy is read-only during audits, but libxml2 does not document
 * compiled XPath expressions as safe to evaluate from two threads at once,
 * so each batch worker loads its own policy (a few milliseconds).
 */
#ifndef DNSAUDIT_POLICY_H
#define DNSAUDIT_POLICY_H

#include <stddef.h>
#include "dnsaudit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnsaudit_policy dnsaudit_policy;

/** @param[out] out new empty policy; free with dnsaudit_policy_free(). */
DNSAUDIT_API int dnsaudit_policy_new(dnsaudit_policy **out);
DNSAUDIT_API void dnsaudit_policy_free(dnsaudit_policy *policy);

/**
 * Add the rules of a policy file. A rule whose id is already present replaces
 * it (so a provider's file can override a default rule); grading bands in a
 * later file replace earlier ones. When `schema` is not NULL the file is first
 * validated against that XSD. Errors (EINVAL) name the file, the line and
 * the rule; after an error the policy may hold part of the file's rules, so
 * discard it (dnsaudit_policy_free()).
 */
DNSAUDIT_API int dnsaudit_policy_add_file(dnsaudit_policy *policy, const char *path,
                                          const char *schema, dnsaudit_error *err);

/**
 * Lowest score of the band named `grade` (e.g. "B").
 * @return 0, or DNSAUDIT_EINVAL when the policy has no such band.
 */
DNSAUDIT_API int dnsaudit_policy_grade_min(const dnsaudit_policy *policy, const char *grade,
                                           int *out);

DNSAUDIT_API size_t dnsaudit_policy_rule_count(const dnsaudit_policy *policy);
/** Rule id, borrowed. */
DNSAUDIT_API const char *dnsaudit_policy_rule_id(const dnsaudit_policy *policy, size_t i);
/**
 * Languages the i-th rule lacks among `langs` (comma-separated, e.g. "en,es")
 * for its title, explanation and remediation: NULL when complete, else a
 * caller-owned string naming what is missing (free()).
 */
DNSAUDIT_API char *dnsaudit_policy_rule_missing_texts(const dnsaudit_policy *policy, size_t i,
                                                      const char *langs);

#ifdef __cplusplus
}
#endif
#endif /* DNSAUDIT_POLICY_H */
