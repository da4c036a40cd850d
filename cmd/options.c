/*
 * options.c -- the DNS options every subcommand takes (--zone, --resolver,
 * --timeout, --retries), parsed one way everywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int parse_seconds(const char *s, unsigned *ms_out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 300)
		return -1;
	*ms_out = (unsigned)(v * 1000.0 + 0.5);
	return *ms_out > 0 ? 0 : -1;
}

static int parse_count(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int push(const char **list, size_t *n, const char *arg, const char *what)
{
	if (*n >= CLI_MAX_LIST) {
		fprintf(stderr, "%s: too many %s options (at most %d)\n", cli_progname, what,
		        CLI_MAX_LIST);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

int cli_dns_option(struct dns_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case OPT_ZONE:
		return push(o->zones, &o->nzones, arg, "--zone");
	case OPT_RESOLVER:
		return push(o->resolvers, &o->nresolvers, arg, "--resolver");
	case OPT_TIMEOUT:
		if (parse_seconds(arg, &o->timeout_ms) == 0)
			return 0;
		fprintf(stderr, "%s: --timeout takes seconds (0 < N <= 300), not '%s'\n",
		        cli_progname, arg);
		return -1;
	case OPT_RETRIES:
		if (parse_count(arg, 10, &o->retries) == 0) {
			o->retries_set = 1;
			return 0;
		}
		fprintf(stderr, "%s: --retries takes a number from 0 to 10, not '%s'\n",
		        cli_progname, arg);
		return -1;
	default:
		return -1;
	}
}

dnsaudit_source *cli_dns_source(const struct dns_opts *o)
{
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	dnsaudit_source *src = NULL;
	dnsaudit_error err;

	memset(&err, 0, sizeof(err));
	so.zones = o->zones;
	so.zone_count = o->nzones;
	so.resolvers = o->resolvers;
	so.resolver_count = o->nresolvers;
	so.timeout_ms = o->timeout_ms;
	so.retries = o->retries;
	so.retries_set = o->retries_set;
	if (dnsaudit_source_new(&src, &so, &err) != 0) {
		fprintf(stderr, "%s: %s\n", cli_progname,
		        err.message[0] ? err.message : "cannot set up DNS");
		return NULL;
	}
	return src;
}
