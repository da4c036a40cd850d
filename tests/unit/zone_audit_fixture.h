/*
 * zone_audit_fixture.h -- the cmocka fixture of the scenario tests: audits
 * through the zone backend over testdata/zones with the shipped default
 * policy, and the finding-id helpers they compare with. Include after
 * <cmocka.h>; the test must be linked like mailaudit_unit_test() does.
 */
#ifndef MAILAUDIT_TEST_ZONE_AUDIT_FIXTURE_H
#define MAILAUDIT_TEST_ZONE_AUDIT_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "dnsaudit/dnsaudit.h"

struct fixture {
	dnsaudit_source *src;
	dnsaudit_policy *policy;
	dnsaudit_ctx *ctx;
};

static int setup(void **state)
{
	static struct fixture f;
	const char *zones[] = {MAILAUDIT_TESTDATA "/zones"};
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_error err;

	memset(&err, 0, sizeof(err));
	so.zones = zones;
	so.zone_count = 1;
	if (dnsaudit_source_new(&f.src, &so, &err) != 0 || dnsaudit_policy_new(&f.policy) != 0 ||
	    dnsaudit_policy_add_file(f.policy, MAILAUDIT_BUILD_DATADIR "/default.xml",
	                             MAILAUDIT_BUILD_DATADIR "/policy.xsd", &err) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	co.source = f.src;
	co.policy = f.policy;
	*state = &f;
	return dnsaudit_ctx_new(&f.ctx, &co);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dnsaudit_ctx_free(f->ctx);
	dnsaudit_policy_free(f->policy);
	dnsaudit_source_free(f->src);
	return 0;
}

static inline dnsaudit_report *audit(void **state, const char *domain)
{
	struct fixture *f = *state;
	dnsaudit_report *r = NULL;

	if (dnsaudit_audit_domain(&r, f->ctx, domain) != 0)
		fail_msg("audit %s: %s", domain, dnsaudit_ctx_errmsg(f->ctx));
	return r;
}

static inline int has_prefix(const char *id, const char *const *prefixes)
{
	for (; *prefixes != NULL; prefixes++)
		if (strncmp(id, *prefixes, strlen(*prefixes)) == 0)
			return 1;
	return 0;
}

/*
 * The distinct finding ids of a report that start with one of `prefixes`
 * (NULL-terminated), sorted, space-separated, into out.
 */
static inline void ids_with_prefix(const dnsaudit_report *r, const char *const *prefixes, char *out,
                                   size_t len)
{
	const char *ids[64];
	size_t i, j, n = 0;

	for (i = 0; i < dnsaudit_report_finding_count(r) && n < 64; i++) {
		const char *id = dnsaudit_report_finding_id(r, i);
		int seen = 0;

		for (j = 0; j < n; j++)
			seen |= strcmp(ids[j], id) == 0;
		if (!seen && has_prefix(id, prefixes))
			ids[n++] = id;
	}
	for (i = 1; i < n; i++) /* insertion sort: a handful of ids */
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", ids[i]);
}

#endif /* MAILAUDIT_TEST_ZONE_AUDIT_FIXTURE_H */
