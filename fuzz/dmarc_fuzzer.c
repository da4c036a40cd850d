/*
 * dmarc_fuzzer.c -- libFuzzer target for the DMARC engine: the policy
 * record parser (dmarc_parse.c), discovery (dmarc_discover.c), evaluation
 * and report destinations (dmarc_eval.c). The input is one TXT record
 * (any bytes). It is parsed under both specifications, then served by an
 * in-memory DNS (tests/conformance/spf_stub.c) at three places:
 *
 *   _dmarc.example.com                         the organizational domain's policy
 *   _dmarc.b.example.com                       a level between (psd= matters)
 *   example.com._report._dmarc.reports.example.net   the authorization record
 *
 * and a message from a.b.example.com with SPF example.com and DKIM
 * x.b.example.com is evaluated in both modes (RFC 7489 with the library's
 * built-in Public Suffix List), with the report destinations of the record.
 *
 * Besides crashes, leaks and UB, it checks what the parser promises: every
 * error and warning lies inside the record; a NOT_DMARC record has no tags;
 * TAG_ERRORS exactly when there are errors; a usable record has a policy.
 *
 * Built with -fsanitize=fuzzer by fuzz/CMakeLists.txt, and with
 * fuzz/standalone.c by tests/CMakeLists.txt to replay the corpus under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_internal.h"
#include "spf_stub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Records are a few hundred octets in the wild; longer only slows the search. */
#define FUZZ_INPUT_MAX (16 * 1024)

/* A broken promise is a bug as much as a crash: stop where it shows. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                 \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_record(const struct dmarc_record *r, size_t size)
{
	size_t i;

	if (r->status == DMARC_PARSE_NOT_DMARC) {
		REQUIRE(r->ntags == 0 && r->nerrors == 0 && r->fatal.reason[0] != '\0');
		return;
	}
	REQUIRE((r->status == DMARC_PARSE_TAG_ERRORS) == (r->nerrors > 0));
	REQUIRE(r->ntags >= 1 && r->tags[0].id == DMARC_TAG_V);
	for (i = 0; i < r->nerrors; i++)
		REQUIRE(r->errors[i].pos <= size && r->errors[i].reason[0] != '\0');
	for (i = 0; i < r->nwarnings; i++)
		REQUIRE(r->warnings[i].pos <= size);
	for (i = 0; i < r->ntags; i++)
		REQUIRE(r->tags[i].pos < size && r->tags[i].value_pos <= size);
	REQUIRE(!r->usable || r->eff_p != DMARC_POLICY_UNSET);
	REQUIRE(r->pct <= 100);
}

static const dnsaudit_answer *lookup(void *arg, const char *name, uint16_t type)
{
	return dnsaudit_session_lookup(arg, name, type);
}

static void destinations(const struct dmarc_opts *o, const char *data, size_t size)
{
	struct dmarc_destinations *ds = NULL;
	struct dmarc_record *r = NULL;

	if (dnsaudit__dmarc_parse(data, size, o->spec, &r) != 0)
		return;
	if (dnsaudit__dmarc_report_destinations(o, "example.com", r, &ds) == 0)
		REQUIRE(ds->n == r->nrua + r->nruf);
	dnsaudit__dmarc_destinations_free(ds);
	dnsaudit__dmarc_record_free(r);
}

static void evaluate(struct stub_zone *z, dmarc_spec spec, const char *data, size_t size)
{
	static const char *const spf[] = {"example.com"};
	static const char *const dkim[] = {"x.b.example.com", "[bad]"};
	struct dmarc_eval_input in = {"a.b.example.com", spf, 1, dkim, 2};
	struct dmarc_opts o = {spec, lookup, NULL, psl_builtin()};
	dnsaudit_source *src = NULL;
	dnsaudit_session *session = NULL;
	struct dmarc_eval *ev = NULL;

	if (dnsaudit__source_new_stub(&src, stub_zone_answer, z, 0) != 0 ||
	    dnsaudit_session_new(&session, src) != 0)
		goto out;
	o.lookup_arg = session;
	if (dnsaudit__dmarc_evaluate(&o, &in, &ev) == 0) {
		REQUIRE(ev->result != DMARC_RESULT_PASS || ev->spf_aligned >= 0 ||
		        ev->dkim_aligned >= 0);
		REQUIRE(ev->discovery->nqueries <= 1 + 3 * DMARC_WALK_MAX_QUERIES);
	}
	destinations(&o, data, size);
out:
	dnsaudit__dmarc_eval_free(ev);
	dnsaudit_session_free(session);
	dnsaudit_source_free(src);
}

static struct stub_zone *zone(const char *data, size_t size)
{
	struct stub_zone *z = stub_zone_new();
	const char *vals[1] = {data};
	size_t lens[1] = {size};

	if (z == NULL)
		return NULL;
	if (stub_zone_add(z, "_dmarc.example.com", "TXT", vals, lens, 1) != 0 ||
	    stub_zone_add(z, "_dmarc.b.example.com", "TXT", vals, lens, 1) != 0 ||
	    stub_zone_add(z, "example.com._report._dmarc.reports.example.net", "TXT", vals, lens,
	                  1) != 0 ||
	    stub_zone_add1(z, "b.example.com", "A", "192.0.2.1") != 0 || stub_zone_finish(z) != 0) {
		stub_zone_free(z);
		return NULL;
	}
	return z;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct dmarc_record *r = NULL;
	struct stub_zone *z;
	dmarc_spec spec;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	for (spec = DMARC_SPEC_RFC9989; spec <= DMARC_SPEC_RFC7489; spec++) {
		if (dnsaudit__dmarc_parse(text, size, spec, &r) != 0)
			continue;
		check_record(r, size);
		REQUIRE(dnsaudit__dmarc_is_record(text, size) ==
		        (r->status != DMARC_PARSE_NOT_DMARC));
		dnsaudit__dmarc_record_free(r);
		r = NULL;
	}
	if ((z = zone(text, size)) == NULL)
		return 0;
	evaluate(z, DMARC_SPEC_RFC9989, text, size);
	evaluate(z, DMARC_SPEC_RFC7489, text, size);
	stub_zone_free(z);
	return 0;
}
