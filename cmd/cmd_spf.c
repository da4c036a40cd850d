/*
 * cmd_spf.c -- `mailaudit spf --ip ADDR --sender MAILFROM`: RFC 7208
 * check_host() for one message. The first line is the result alone, so
 * scripts can read it; the explanation and the trace follow.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <dnsaudit/spf.h>

enum { OPT_IP = OPT_DNS_LAST, OPT_SENDER, OPT_HELO };

static const struct option spf_longopts[] = {
    {"zone", required_argument, NULL, OPT_ZONE},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"ip", required_argument, NULL, OPT_IP},
    {"sender", required_argument, NULL, OPT_SENDER},
    {"helo", required_argument, NULL, OPT_HELO},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void spf_usage(FILE *f)
{
	fprintf(f,
	        "usage: %s spf --ip ADDR --sender MAILFROM [--helo NAME] [DNS options]\n"
	        "  --ip ADDR            the connecting client's IPv4 or IPv6 address\n"
	        "  --sender MAILFROM    the MAIL FROM address; \"\" for the null sender\n"
	        "                       (then postmaster@HELO is checked)\n"
	        "  --helo NAME          the HELO/EHLO name (for %%{h} and the null sender)\n"
	        "  DNS options: --zone PATH, --resolver ADDR[:PORT], --timeout S, --retries N\n"
	        "Prints the result (pass, fail, softfail, neutral, none, permerror, temperror)\n"
	        "on the first line, then the explanation and the evaluation trace.\n",
	        cli_progname);
}

struct spf_opts {
	struct dns_opts dns;
	const char *ip, *sender, *helo;
};

static int parse_spf_args(int argc, char **argv, struct spf_opts *o)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", spf_longopts, NULL)) != -1) {
		if (c >= OPT_ZONE && c < OPT_DNS_LAST) {
			if (cli_dns_option(&o->dns, c, optarg) != 0)
				return -1;
		} else if (c == OPT_IP) {
			o->ip = optarg;
		} else if (c == OPT_SENDER) {
			o->sender = optarg;
		} else if (c == OPT_HELO) {
			o->helo = optarg;
		} else if (c == 'h') {
			spf_usage(stdout);
			exit(EXIT_AUDIT_DONE);
		} else {
			spf_usage(stderr);
			return -1;
		}
	}
	if (optind != argc || o->ip == NULL || o->sender == NULL) {
		fprintf(stderr, "%s: spf needs --ip and --sender\n", cli_progname);
		spf_usage(stderr);
		return -1;
	}
	if (*o->sender == '\0' && (o->helo == NULL || *o->helo == '\0')) {
		fprintf(stderr, "%s: the null sender needs --helo\n", cli_progname);
		return -1;
	}
	return 0;
}

static int run_spf(const struct spf_opts *o, dnsaudit_source *src)
{
	dnsaudit_session *session = NULL;
	dnsaudit_spf_check *check = NULL;
	dnsaudit_error err;
	char *trace;
	int rc;

	memset(&err, 0, sizeof(err));
	if (dnsaudit_session_new(&session, src) != 0)
		return EXIT_USAGE;
	rc = dnsaudit_spf_check_new(&check, session, o->ip, o->sender, o->helo, &err);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", cli_progname, err.message);
		dnsaudit_session_free(session);
		return EXIT_USAGE;
	}
	printf("%s\n", dnsaudit_spf_check_result(check));
	if (dnsaudit_spf_check_explanation(check) != NULL)
		printf("explanation: %s\n", dnsaudit_spf_check_explanation(check));
	if ((trace = dnsaudit_spf_check_trace(check)) != NULL)
		fputs(trace, stdout);
	free(trace);
	dnsaudit_spf_check_free(check);
	dnsaudit_session_free(session);
	return EXIT_AUDIT_DONE;
}

int cmd_spf(int argc, char **argv)
{
	struct spf_opts o;
	dnsaudit_source *src;
	int rc;

	memset(&o, 0, sizeof(o));
	if (parse_spf_args(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if ((src = cli_dns_source(&o.dns)) == NULL)
		return EXIT_USAGE;
	rc = run_spf(&o, src);
	dnsaudit_source_free(src);
	return rc;
}
