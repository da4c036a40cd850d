/*
 * test_concurrent.c -- 200 audits at once against the test NSD give exactly
 * the results of the same audits run one after another. Each thread has its
 * own policy, ctx and session; the source is shared, as the batch mode will
 * share it. Compares the whole JSON report except the start time.
 *
 *   test_concurrent NSD_STATE_DIR DATADIR
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "dnsaudit/dnsaudit.h"

#define AUDITS 200

static const char *const domains[] = {
    "demo.example",    "mx-good.example",         "mx-missing.example",
    "mx-null.example", "mx-cname.example",        "mx-literal.example",
    "hostile.example", "mx-unresolvable.example", "xn--piata-pta.es",
};
#define NDOMAINS (sizeof(domains) / sizeof(domains[0]))

static const dnsaudit_source *shared_source;
static const char *datadir;

/* The JSON report with the "started" value blanked: the rest is deterministic. */
static char *audit_json(const char *domain)
{
	char def[1024], xsd[1024], *out = NULL, *p;
	dnsaudit_policy *policy = NULL;
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_ctx *ctx = NULL;
	dnsaudit_report *r = NULL;
	dnsaudit_error err;
	size_t len;

	snprintf(def, sizeof(def), "%s/default.xml", datadir);
	snprintf(xsd, sizeof(xsd), "%s/policy.xsd", datadir);
	if (dnsaudit_policy_new(&policy) != 0 || dnsaudit_policy_add_file(policy, def, xsd, &err))
		goto done;
	co.source = shared_source;
	co.policy = policy;
	if (dnsaudit_ctx_new(&ctx, &co) != 0 || dnsaudit_audit_domain(&r, ctx, domain) != 0)
		goto done;
	if (dnsaudit_report_render(r, DNSAUDIT_FORMAT_JSON, "en", &out, &len) != 0)
		goto done;
	if ((p = strstr(out, "\"started\":\"")) != NULL)
		memset(p + 11, 'X', 20); /* "2026-11-27T19:09:44Z" */
done:
	dnsaudit_report_free(r);
	dnsaudit_ctx_free(ctx);
	dnsaudit_policy_free(policy);
	return out;
}

struct job {
	pthread_t thread;
	size_t index;
	char *json;
};

static void *worker(void *arg)
{
	struct job *j = arg;

	j->json = audit_json(domains[j->index % NDOMAINS]);
	return NULL;
}

static int make_source(const char *state_dir, dnsaudit_source **out)
{
	char path[1024], server[64];
	const char *servers[1] = {server};
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	dnsaudit_error err;
	FILE *f;
	int port = 0;

	snprintf(path, sizeof(path), "%s/port", state_dir);
	if ((f = fopen(path, "r")) == NULL || fscanf(f, "%d", &port) != 1) {
		fprintf(stderr, "cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	so.resolvers = servers;
	so.resolver_count = 1;
	/* Generous: 200 audits share one NSD process on 2 cores. */
	so.timeout_ms = 5000;
	if (dnsaudit_source_new(out, &so, &err) != 0) {
		fprintf(stderr, "source: %s\n", err.message);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct job jobs[AUDITS];
	char *expected[NDOMAINS];
	dnsaudit_source *src = NULL;
	size_t i, passed = 0, failed = 0;

	if (argc != 3)
		return 2;
	datadir = argv[2];
	xmlInitParser();
	if (make_source(argv[1], &src) != 0)
		return 1;
	shared_source = src;
	for (i = 0; i < NDOMAINS; i++) /* one after another */
		expected[i] = audit_json(domains[i]);
	for (i = 0; i < AUDITS; i++) {
		jobs[i].index = i;
		if (pthread_create(&jobs[i].thread, NULL, worker, &jobs[i]) != 0) {
			fprintf(stderr, "pthread_create %zu failed\n", i);
			return 1;
		}
	}
	for (i = 0; i < AUDITS; i++)
		pthread_join(jobs[i].thread, NULL);
	for (i = 0; i < AUDITS; i++) {
		const char *want = expected[i % NDOMAINS];
		int same = want != NULL && jobs[i].json != NULL && strcmp(want, jobs[i].json) == 0;

		if (same) {
			passed++;
		} else {
			failed++;
			fprintf(stderr,
			        "audit %zu (%s) differs from the sequential run:\n%s\n---\n%s\n", i,
			        domains[i % NDOMAINS], jobs[i].json ? jobs[i].json : "(failed)",
			        want ? want : "(failed)");
		}
		free(jobs[i].json);
	}
	for (i = 0; i < NDOMAINS; i++)
		free(expected[i]);
	dnsaudit_source_free(src);
	xmlCleanupParser();
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
