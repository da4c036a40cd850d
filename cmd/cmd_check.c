/*
 * cmd_check.c -- `mailaudit check DOMAIN`: audit one domain and report.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

enum {
	OPT_POLICY = OPT_DNS_LAST,
	OPT_FORMAT,
	OPT_FAIL_UNDER,
	OPT_LANG,
	OPT_QUIET,
	OPT_SELECTOR,
	OPT_DMARC_SPEC,
	OPT_EML,
	OPT_TEMPLATE
};

struct check_opts {
	struct dns_opts dns;
	const char *policies[CLI_MAX_LIST];
	size_t npolicies;
	const char *selectors[CLI_MAX_LIST];
	size_t nselectors;
	const char *emls[CLI_MAX_LIST];
	size_t nemls;
	const char *format, *output, *fail_under, *lang, *template_path;
	int quiet;
	dnsaudit_dmarc_spec dmarc_spec;
};

static const struct option check_longopts[] = {
    {"zone", required_argument, NULL, OPT_ZONE},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"fail-under", required_argument, NULL, OPT_FAIL_UNDER},
    {"lang", required_argument, NULL, OPT_LANG},
    {"selector", required_argument, NULL, OPT_SELECTOR},
    {"dmarc-spec", required_argument, NULL, OPT_DMARC_SPEC},
    {"eml", required_argument, NULL, OPT_EML},
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void check_usage(FILE *f)
{
	fprintf(f,
	        "usage: %s check DOMAIN [options]\n"
	        "  --zone PATH           answer from a zone file or a directory of *.zone files\n"
	        "                        (repeatable); with --resolver: overlay\n"
	        "  --resolver ADDR[:PORT] ask this server (repeatable; [V6]:PORT for IPv6);\n"
	        "                        default /etc/resolv.conf\n"
	        "  --timeout SECONDS     per query attempt (default 2)\n"
	        "  --retries N           extra attempts per query (default 2)\n"
	        "  --policy FILE         add a policy file to the default rules (repeatable)\n"
	        "  --format text|xml|json|html  report format (default: from -o's extension,\n"
	        "                        else text)\n"
	        "  -o, --output FILE     write the report to FILE\n"
	        "  --fail-under GRADE    exit 1 when the grade is below GRADE\n"
	        "  --lang en|es          language of the text and HTML reports (default en)\n"
	        "  --template FILE       XSLT stylesheet for the HTML report (default: the\n"
	        "                        installed report.xsl)\n"
	        "  --selector NAME       a DKIM selector the domain signs with (repeatable);\n"
	        "                        always reported; the common ones in\n"
	        "                        dkim-selectors.txt are tried as well\n"
	        "  --eml FILE            a sample message: its DKIM signatures are verified\n"
	        "                        against DNS and checked for DMARC alignment\n"
	        "                        (repeatable); their selectors are checked too\n"
	        "  --dmarc-spec 9989|7489  DMARC discovery the verdicts follow: RFC 9989's\n"
	        "                        DNS tree walk (default) or RFC 7489's Public\n"
	        "                        Suffix List; the report shows both\n"
	        "  -q, --quiet           with -o, print nothing on stdout\n",
	        cli_progname);
}

static int add_selector(struct check_opts *o, const char *sel)
{
	if (dnsaudit_selector_check(sel) != 0) {
		fprintf(stderr,
		        "%s: --selector: '%s' is not a DKIM selector (letters, digits, '-', '_' "
		        "and dots)\n",
		        cli_progname, sel);
		return -1;
	}
	if (o->nselectors == CLI_MAX_LIST) {
		fprintf(stderr, "%s: too many --selector options (at most %d)\n", cli_progname,
		        CLI_MAX_LIST);
		return -1;
	}
	o->selectors[o->nselectors++] = sel;
	return 0;
}

static int parse_check_args(int argc, char **argv, struct check_opts *o, const char **domain)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", check_longopts, NULL)) != -1) {
		if (c >= OPT_ZONE && c < OPT_DNS_LAST) {
			if (cli_dns_option(&o->dns, c, optarg) != 0)
				return -1;
		} else if (c == OPT_POLICY) {
			if (o->npolicies == CLI_MAX_LIST) {
				fprintf(stderr, "%s: too many --policy options (at most %d)\n",
				        cli_progname, CLI_MAX_LIST);
				return -1;
			}
			o->policies[o->npolicies++] = optarg;
		} else if (c == OPT_SELECTOR) {
			if (add_selector(o, optarg) != 0)
				return -1;
		} else if (c == OPT_EML) {
			if (o->nemls == CLI_MAX_LIST) {
				fprintf(stderr, "%s: too many --eml options (at most %d)\n",
				        cli_progname, CLI_MAX_LIST);
				return -1;
			}
			o->emls[o->nemls++] = optarg;
		} else if (c == OPT_DMARC_SPEC) {
			if (strcmp(optarg, "9989") == 0) {
				o->dmarc_spec = DNSAUDIT_DMARC_RFC9989;
			} else if (strcmp(optarg, "7489") == 0) {
				o->dmarc_spec = DNSAUDIT_DMARC_RFC7489;
			} else {
				fprintf(stderr, "%s: --dmarc-spec takes 9989 or 7489, not '%s'\n",
				        cli_progname, optarg);
				return -1;
			}
		} else if (c == OPT_FORMAT) {
			o->format = optarg;
		} else if (c == 'o') {
			o->output = optarg;
		} else if (c == OPT_FAIL_UNDER) {
			o->fail_under = optarg;
		} else if (c == OPT_TEMPLATE) {
			o->template_path = optarg;
		} else if (c == OPT_LANG) {
			o->lang = optarg;
		} else if (c == 'q') {
			o->quiet = 1;
		} else if (c == 'h') {
			check_usage(stdout);
			exit(EXIT_AUDIT_DONE);
		} else {
			check_usage(stderr);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: check takes exactly one DOMAIN\n", cli_progname);
		check_usage(stderr);
		return -1;
	}
	*domain = argv[optind];
	return 0;
}

static int format_from_name(const char *s, dnsaudit_format *out)
{
	static const struct {
		const char *name;
		dnsaudit_format f;
	} map[] = {{"text", DNSAUDIT_FORMAT_TEXT}, {"txt", DNSAUDIT_FORMAT_TEXT},
	           {"xml", DNSAUDIT_FORMAT_XML},   {"json", DNSAUDIT_FORMAT_JSON},
	           {"html", DNSAUDIT_FORMAT_HTML}, {"htm", DNSAUDIT_FORMAT_HTML}};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].name) == 0) {
			*out = map[i].f;
			return 0;
		}
	return -1;
}

/* --format wins; else the extension of -o; else text. */
static int choose_format(const struct check_opts *o, dnsaudit_format *out)
{
	const char *dot;

	*out = DNSAUDIT_FORMAT_TEXT;
	if (o->format != NULL) {
		if (format_from_name(o->format, out) == 0)
			return 0;
		fprintf(stderr, "%s: unknown --format '%s' (text, xml, json, html)\n", cli_progname,
		        o->format);
		return -1;
	}
	if (o->output != NULL && (dot = strrchr(o->output, '.')) != NULL &&
	    strchr(dot, '/') == NULL)
		(void)format_from_name(dot + 1, out);
	return 0;
}

static dnsaudit_policy *load_policy(const struct check_opts *o)
{
	char *def = cli_data_file("default.xml"), *xsd = cli_data_file("policy.xsd");
	dnsaudit_policy *p = NULL;
	dnsaudit_error err;
	size_t i;
	int rc;

	memset(&err, 0, sizeof(err));
	if (def == NULL || xsd == NULL) {
		fprintf(stderr,
		        "%s: cannot find the data files (default.xml, policy.xsd); "
		        "set MAILAUDIT_DATADIR\n",
		        cli_progname);
		rc = -1;
	} else if ((rc = dnsaudit_policy_new(&p)) == 0) {
		rc = dnsaudit_policy_add_file(p, def, xsd, &err);
		for (i = 0; rc == 0 && i < o->npolicies; i++)
			rc = dnsaudit_policy_add_file(p, o->policies[i], xsd, &err);
		if (rc != 0)
			fprintf(stderr, "%s: %s\n", cli_progname, err.message);
	}
	free(def);
	free(xsd);
	if (rc != 0) {
		dnsaudit_policy_free(p);
		return NULL;
	}
	return p;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok)
		perror(path);
	return ok ? 0 : -1;
}

/* HTML through --template, else the stylesheet installed with the data files. */
static int render_html(const struct check_opts *o, const dnsaudit_report *r, const char *lang,
                       char **out, size_t *len)
{
	char *def = o->template_path == NULL ? cli_data_file("report.xsl") : NULL;
	const char *path = o->template_path != NULL ? o->template_path : def;
	dnsaudit_error err;
	int rc;

	if (path == NULL) {
		fprintf(stderr, "%s: cannot find the data file report.xsl; set MAILAUDIT_DATADIR\n",
		        cli_progname);
		return -1;
	}
	memset(&err, 0, sizeof(err));
	rc = dnsaudit_report_render_html(r, lang, path, out, len, &err);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", cli_progname, err.message);
	free(def);
	return rc == 0 ? 0 : -1;
}

static int render(const struct check_opts *o, const dnsaudit_report *r, dnsaudit_format fmt,
                  const char *lang, char **out, size_t *len)
{
	if (fmt == DNSAUDIT_FORMAT_HTML)
		return render_html(o, r, lang, out, len);
	if (dnsaudit_report_render(r, fmt, lang, out, len) != 0) {
		fprintf(stderr, "%s: cannot render the report\n", cli_progname);
		return -1;
	}
	return 0;
}

static int emit(const struct check_opts *o, const dnsaudit_report *r, dnsaudit_format fmt)
{
	const char *lang = o->lang ? o->lang : "en";
	char *out = NULL;
	size_t len = 0;
	int rc = 0;

	if (render(o, r, fmt, lang, &out, &len) != 0)
		return -1;
	if (o->output != NULL) {
		rc = write_file(o->output, out, len);
		free(out);
		out = NULL;
		if (rc == 0 && !o->quiet &&
		    dnsaudit_report_render(r, DNSAUDIT_FORMAT_TEXT, lang, &out, &len) != 0)
			return -1;
	}
	if (out != NULL && fwrite(out, 1, len, stdout) != len)
		rc = -1;
	free(out);
	return rc;
}

static int verdict(const struct check_opts *o, const dnsaudit_policy *p, const dnsaudit_report *r)
{
	int min;

	if (!dnsaudit_report_answered(r)) {
		fprintf(stderr, "%s: no DNS answer at all: the audit could not be done\n",
		        cli_progname);
		return EXIT_NO_ANSWER;
	}
	if (o->fail_under != NULL && dnsaudit_policy_grade_min(p, o->fail_under, &min) == 0 &&
	    dnsaudit_report_score(r) < min)
		return EXIT_BELOW_GRADE;
	return EXIT_AUDIT_DONE;
}

static int validate_opts(const struct check_opts *o, const dnsaudit_policy *p)
{
	int min;

	if (o->lang != NULL && strcmp(o->lang, "en") != 0 && strcmp(o->lang, "es") != 0) {
		fprintf(stderr, "%s: --lang takes en or es, not '%s'\n", cli_progname, o->lang);
		return -1;
	}
	if (o->fail_under != NULL && dnsaudit_policy_grade_min(p, o->fail_under, &min) != 0) {
		fprintf(stderr, "%s: --fail-under: the policy has no grade '%s'\n", cli_progname,
		        o->fail_under);
		return -1;
	}
	return 0;
}

/* The common DKIM selectors, from the data file found like default.xml. */
static int load_common_selectors(char ***out, size_t *count_out)
{
	char *path = cli_data_file("dkim-selectors.txt");
	dnsaudit_error err;
	int rc;

	*out = NULL;
	*count_out = 0;
	if (path == NULL) {
		fprintf(stderr,
		        "%s: cannot find the data file dkim-selectors.txt; set MAILAUDIT_DATADIR\n",
		        cli_progname);
		return -1;
	}
	memset(&err, 0, sizeof(err));
	if ((rc = dnsaudit_selectors_load(out, count_out, path, &err)) != 0)
		fprintf(stderr, "%s: %s\n", cli_progname, err.message);
	free(path);
	return rc == 0 ? 0 : -1;
}

/* The selectors the samples were signed with for this domain are named ones. */
static int add_sample_selectors(struct check_opts *o, const struct cli_samples *s,
                                const char *domain)
{
	size_t i, j, k;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->v[i].signature_count; j++) {
			const dnsaudit_sample_signature *sig = &s->v[i].signatures[j];
			int seen = 0;

			if (sig->domain == NULL || sig->selector == NULL ||
			    strcasecmp(sig->domain, domain) != 0 ||
			    dnsaudit_selector_check(sig->selector) != 0)
				continue;
			for (k = 0; k < o->nselectors; k++)
				seen |= strcasecmp(o->selectors[k], sig->selector) == 0;
			if (!seen && o->nselectors < CLI_MAX_LIST)
				o->selectors[o->nselectors++] = sig->selector;
		}
	return 0;
}

static int run_check(const struct check_opts *o, const char *domain, dnsaudit_format fmt,
                     dnsaudit_policy *policy, dnsaudit_source *src,
                     const struct cli_samples *samples)
{
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	dnsaudit_ctx *ctx = NULL;
	dnsaudit_report *r = NULL;
	char **common = NULL;
	size_t ncommon = 0;
	int rc;

	if (load_common_selectors(&common, &ncommon) != 0)
		return EXIT_USAGE;
	co.source = src;
	co.policy = policy;
	co.selectors = o->selectors;
	co.selector_count = o->nselectors;
	co.common_selectors = (const char *const *)common;
	co.common_selector_count = ncommon;
	co.dmarc_spec = o->dmarc_spec;
	co.samples = samples->v;
	co.sample_count = samples->n;
	rc = dnsaudit_ctx_new(&ctx, &co);
	dnsaudit_selectors_free(common, ncommon); /* the ctx holds its own copy */
	if (rc != 0) {
		fprintf(stderr, "%s: cannot set up the audit: %s%s\n", cli_progname,
		        dnsaudit_strerror(rc),
		        rc == DNSAUDIT_ERROR ? " (is the Public Suffix List installed?)" : "");
		return EXIT_USAGE;
	}
	rc = dnsaudit_audit_domain(&r, ctx, domain);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", cli_progname, dnsaudit_ctx_errmsg(ctx));
		rc = rc == DNSAUDIT_EINVAL ? EXIT_USAGE : EXIT_NO_ANSWER;
	} else if (emit(o, r, fmt) != 0) {
		rc = EXIT_USAGE;
	} else {
		rc = verdict(o, policy, r);
	}
	dnsaudit_report_free(r);
	dnsaudit_ctx_free(ctx);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	struct cli_samples samples = {NULL, 0};
	const char *domain = NULL;
	dnsaudit_format fmt;
	dnsaudit_policy *policy = NULL;
	dnsaudit_source *src = NULL;
	int rc = EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	if (parse_check_args(argc, argv, &o, &domain) != 0 || choose_format(&o, &fmt) != 0)
		return EXIT_USAGE;
	if ((policy = load_policy(&o)) != NULL && validate_opts(&o, policy) == 0 &&
	    (src = cli_dns_source(&o.dns)) != NULL) {
		if (cli_samples_load(&samples, o.emls, o.nemls, src) != 0)
			fprintf(stderr, "%s: cannot verify the sample messages\n", cli_progname);
		else if (add_sample_selectors(&o, &samples, domain) == 0)
			rc = run_check(&o, domain, fmt, policy, src, &samples);
	}
	cli_samples_free(&samples);
	dnsaudit_source_free(src);
	dnsaudit_policy_free(policy);
	return rc;
}
