/*
 * policy_internal.h -- a loaded policy: rules with compiled XPath tests and
 * texts split into literal and compiled-placeholder segments, plus grade
 * bands. Shared by policy.c (loading) and rules.c (evaluation).
 */
#ifndef DNSAUDIT_POLICY_INTERNAL_H
#define DNSAUDIT_POLICY_INTERNAL_H

#include <libxml/xpath.h>
#include "dnsaudit/audit.h"
#include "dnsaudit/policy.h"

/* Rule texts are one of these kinds, each in several languages. */
enum text_kind { TEXT_TITLE, TEXT_EXPLANATION, TEXT_REMEDIATION, TEXT_KINDS };

struct text_seg {
	char *literal;            /* when expr == NULL */
	xmlXPathCompExprPtr expr; /* a {placeholder} */
};

struct rule_text {
	enum text_kind kind;
	char *lang;
	struct text_seg *segs;
	size_t nsegs;
};

struct rule {
	char *id, *area, *rfc, *test_src;
	char *profiles; /* space-separated profile names it applies to; NULL = all */
	dnsaudit_severity severity;
	int weight;
	xmlXPathCompExprPtr test;
	struct rule_text *texts;
	size_t ntexts;
};

struct band {
	char *grade;
	int min;
};

/*
 * A grading profile: the first whose `select` is true for an audit decides
 * which rules apply to it (e.g. "parked"); none true means "default".
 */
struct profile {
	char *name, *select_src;
	xmlXPathCompExprPtr select;
};

struct dnsaudit_policy {
	struct rule *rules;
	size_t nrules, cap;
	struct profile *profiles;
	size_t nprofiles;
	struct band *bands; /* sorted by min, highest first */
	size_t nbands;
};

extern const char *const dnsaudit__text_kind_names[TEXT_KINDS];

#endif /* DNSAUDIT_POLICY_INTERNAL_H */
