/*
 * source.c -- where answers come from: zone files, live servers, or both
 * (overlay). A source is configuration only and immutable once built, so a
 * batch run shares one source among all its worker threads.
 */
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"

#define DEFAULT_TIMEOUT_MS  2000u
#define DEFAULT_RETRIES     2u
#define DEFAULT_EDNS_SIZE   1232u
#define DEFAULT_DEADLINE_MS 25000u

static int check_overlay_authorities(const struct dnsaudit__zoneset *zs, dnsaudit_error *err)
{
	size_t i;

	for (i = 0; i < dnsaudit__zoneset_file_count(zs); i++) {
		if (dnsaudit__zoneset_authority(zs, i) == NULL) {
			dnsaudit__error_set(err, DNSAUDIT_EINVAL,
			                    "%s: no authority (no SOA, no $ORIGIN other than the "
			                    "root, no NAME.zone file name); overlay mode cannot "
			                    "tell which names this file answers",
			                    dnsaudit__zoneset_file(zs, i));
			return DNSAUDIT_EINVAL;
		}
	}
	return 0;
}

static void apply_defaults(struct dnsaudit_source *s, const dnsaudit_source_options *o)
{
	s->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	s->retries = (o->retries || o->retries_set) ? o->retries : DEFAULT_RETRIES;
	s->edns_size = o->edns_size ? o->edns_size : DEFAULT_EDNS_SIZE;
	s->deadline_ms = o->deadline_ms ? o->deadline_ms : DEFAULT_DEADLINE_MS;
	/* A long --timeout still gets every attempt of at least one round. */
	if (!o->deadline_ms && s->deadline_ms < (s->retries + 1) * s->timeout_ms + 5000)
		s->deadline_ms = (s->retries + 1) * s->timeout_ms + 5000;
}

int dnsaudit_source_new(dnsaudit_source **out, const dnsaudit_source_options *opts,
                        dnsaudit_error *err)
{
	struct dnsaudit_source *s;
	int rc = 0, want_live;

	*out = NULL;
	if (opts == NULL || opts->version != DNSAUDIT_SOURCE_OPTIONS_VERSION) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "unsupported source options version");
		return DNSAUDIT_EINVAL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
		return DNSAUDIT_ENOMEM;
	}
	apply_defaults(s, opts);
	if (opts->zone_count > 0)
		rc = dnsaudit__zoneset_load(&s->zones, opts->zones, opts->zone_count, err);
	want_live = opts->resolver_count > 0 || opts->zone_count == 0 || opts->system_resolver;
	if (rc == 0 && want_live)
		rc = dnsaudit__live_new(&s->live, opts->resolvers, opts->resolver_count, 1,
		                        s->timeout_ms, s->retries, s->edns_size, err);
	if (rc == 0 && s->zones != NULL && s->live != NULL)
		rc = check_overlay_authorities(s->zones, err);
	if (rc != 0) {
		dnsaudit_source_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void dnsaudit_source_free(dnsaudit_source *source)
{
	if (source == NULL)
		return;
	dnsaudit__zoneset_free(source->zones);
	dnsaudit__live_free(source->live);
	free(source);
}

int dnsaudit__source_new_stub(dnsaudit_source **out, dnsaudit__stub_fn fn, void *payload,
                              unsigned deadline_ms)
{
	struct dnsaudit_source *s = calloc(1, sizeof(*s));

	*out = s;
	if (s == NULL)
		return DNSAUDIT_ENOMEM;
	s->stub = fn;
	s->stub_payload = payload;
	s->deadline_ms = deadline_ms ? deadline_ms : DEFAULT_DEADLINE_MS;
	return 0;
}

const char *dnsaudit_source_kind(const dnsaudit_source *source)
{
	if (source->stub != NULL)
		return "stub";
	if (source->zones != NULL && source->live != NULL)
		return "overlay";
	return source->zones != NULL ? "zones" : "live";
}

size_t dnsaudit_source_zone_file_count(const dnsaudit_source *source)
{
	return source->zones != NULL ? dnsaudit__zoneset_file_count(source->zones) : 0;
}

const char *dnsaudit_source_zone_file(const dnsaudit_source *source, size_t i)
{
	return dnsaudit__zoneset_file(source->zones, i);
}

size_t dnsaudit_source_resolver_count(const dnsaudit_source *source)
{
	return source->live != NULL ? dnsaudit__live_server_count(source->live) : 0;
}

const char *dnsaudit_source_resolver(const dnsaudit_source *source, size_t i)
{
	return dnsaudit__live_server_name(source->live, i);
}
