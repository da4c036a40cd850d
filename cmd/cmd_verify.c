/*
 * cmd_verify.c -- `mailaudit verify [DNS options] FILE.eml...`: verify the
 * DKIM signatures of sample messages (lib/dkimcheck), with the keys asked
 * through the same DNS source as every other check, so --zone works offline
 * and the key's origin is known. One tab-separated line per signature.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <dkimcheck/dkimcheck.h>
#include <dnsaudit/source.h>

#define RR_TXT 16

static const struct option verify_longopts[] = {
    {"zone", required_argument, NULL, OPT_ZONE},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void verify_usage(FILE *f)
{
	fprintf(f,
	        "usage: %s verify [DNS options] FILE.eml...\n"
	        "Verify the DKIM signatures (RFC 6376, RFC 8463) of each message. Keys are\n"
	        "looked up at SELECTOR._domainkey.DOMAIN through the DNS options.\n"
	        "  DNS options: --zone PATH, --resolver ADDR[:PORT], --timeout S, --retries N\n"
	        "Prints one line per DKIM-Signature:\n"
	        "  FILE<TAB>DOMAIN<TAB>SELECTOR<TAB>RESULT<TAB>DETAIL\n"
	        "RESULT is an RFC 8601 result (pass, fail, neutral, policy, temperror,\n"
	        "permerror); rsa-sha1 and RSA keys under 1024 bits give policy (RFC 8301).\n"
	        "A message without a signature prints FILE<TAB>-<TAB>-<TAB>none.\n"
	        "exit status: 0 every file read, 2 a file could not be read, or usage error.\n",
	        cli_progname);
}

/* Joins the character-strings of the first TXT record into buf. */
static dkimcheck_key_result copy_txt(const dnsaudit_answer *a, char *buf, size_t buflen)
{
	size_t j, len, used = 0;
	const unsigned char *s;

	for (j = 0; j < dnsaudit_answer_txt_count(a, 0); j++) {
		s = dnsaudit_answer_txt_string(a, 0, j, &len);
		if (used + len >= buflen)
			return DKIMCHECK_KEY_TOOLONG;
		memcpy(buf + used, s, len);
		used += len;
	}
	buf[used] = '\0';
	return DKIMCHECK_KEY_FOUND;
}

/* dkimcheck's key callback, answered by a dnsaudit session. */
dkimcheck_key_result cli_session_key_lookup(void *payload, const char *name, char *buf,
                                            size_t buflen, char *origin, size_t originlen)
{
	const dnsaudit_answer *a = dnsaudit_session_lookup(payload, name, RR_TXT);

	if (a == NULL) {
		snprintf(origin, originlen, "invalid name");
		return DKIMCHECK_KEY_ERROR;
	}
	snprintf(origin, originlen, "%s %s", dnsaudit_answer_origin(a),
	         dnsaudit_dns_status_name(dnsaudit_answer_status(a)));
	switch (dnsaudit_answer_status(a)) {
	case DNSAUDIT_DNS_OK:
		/* Several TXT records are a broken key (RFC 6376 3.6.2.2): say so. */
		if (dnsaudit_answer_count(a) != 1)
			return dnsaudit_answer_count(a) == 0 ? DKIMCHECK_KEY_NOTFOUND
			                                     : DKIMCHECK_KEY_MULTIPLE;
		snprintf(origin, originlen, "%s", dnsaudit_answer_origin(a));
		return copy_txt(a, buf, buflen);
	case DNSAUDIT_DNS_NXDOMAIN:
	case DNSAUDIT_DNS_NODATA:
		return DKIMCHECK_KEY_NOTFOUND;
	default:
		return DKIMCHECK_KEY_TEMPFAIL;
	}
}

static void print_message(const char *file, const dkimcheck_message *m)
{
	size_t i, n = dkimcheck_message_count(m);
	const dkimcheck_signature *s;

	if (n == 0 && dkimcheck_message_result(m) == DKIMCHECK_NONE) {
		printf("%s\t-\t-\tnone\n", file);
		return;
	}
	if (n == 0) {
		printf("%s\t-\t-\t%s\t%s\n", file,
		       dkimcheck_result_name(dkimcheck_message_result(m)),
		       dkimcheck_message_detail(m));
		return;
	}
	for (i = 0; i < n; i++) {
		s = dkimcheck_message_signature(m, i);
		printf("%s\t%s\t%s\t%s\t%s\n", file, dkimcheck_signature_domain(s),
		       dkimcheck_signature_selector(s),
		       dkimcheck_result_name(dkimcheck_signature_result(s)),
		       dkimcheck_signature_detail(s));
	}
}

static void print_unreadable(const char *file, const char *reason)
{
	printf("%s\t-\t-\tpermerror\tunreadable: %s\n", file, reason);
}

/* One file; 0 when it was read to its end, 1 when not, -1 on no memory. */
static int verify_one(dkimcheck_verifier *v, const char *file)
{
	FILE *f = fopen(file, "rb");
	dkimcheck_message *m = NULL;
	int rc, unreadable;

	if (f == NULL) {
		print_unreadable(file, strerror(errno));
		return 1;
	}
	rc = dkimcheck_verify_file(v, f, &m);
	fclose(f);
	if (rc != DKIMCHECK_OK) {
		fprintf(stderr, "%s: %s: %s\n", cli_progname, file, dkimcheck_strerror(rc));
		return -1;
	}
	unreadable = strncmp(dkimcheck_message_detail(m), "unreadable:", 11) == 0;
	if (unreadable)
		print_unreadable(file, dkimcheck_message_detail(m) + 11);
	else
		print_message(file, m);
	dkimcheck_message_free(m);
	return unreadable;
}

static int verify_files(char **files, int nfiles, dnsaudit_session *session)
{
	dkimcheck_lib *lib = NULL;
	dkimcheck_verifier *v = NULL;
	int i, r, rc = EXIT_AUDIT_DONE;

	if (dkimcheck_lib_new(&lib) != 0 ||
	    dkimcheck_verifier_new(&v, lib, cli_session_key_lookup, session) != 0) {
		fprintf(stderr, "%s: cannot start libopendkim\n", cli_progname);
		dkimcheck_lib_free(lib);
		return EXIT_USAGE;
	}
	for (i = 0; i < nfiles; i++) {
		if ((r = verify_one(v, files[i])) != 0)
			rc = EXIT_USAGE;
		if (r < 0)
			break;
	}
	fflush(stdout);
	dkimcheck_verifier_free(v);
	dkimcheck_lib_free(lib);
	return rc;
}

static int parse_verify_args(int argc, char **argv, struct dns_opts *o)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", verify_longopts, NULL)) != -1) {
		if (c >= OPT_ZONE && c < OPT_DNS_LAST) {
			if (cli_dns_option(o, c, optarg) != 0)
				return -1;
		} else if (c == 'h') {
			verify_usage(stdout);
			exit(EXIT_AUDIT_DONE);
		} else {
			verify_usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: verify needs at least one message file\n", cli_progname);
		verify_usage(stderr);
		return -1;
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct dns_opts o;
	dnsaudit_source *src;
	dnsaudit_session *session = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	if (parse_verify_args(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if ((src = cli_dns_source(&o)) == NULL)
		return EXIT_USAGE;
	if (dnsaudit_session_new(&session, src) != 0) {
		dnsaudit_source_free(src);
		return EXIT_USAGE;
	}
	rc = verify_files(argv + optind, argc - optind, session);
	dnsaudit_session_free(session);
	dnsaudit_source_free(src);
	return rc;
}
