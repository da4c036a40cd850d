/*
 * main.c -- the mailaudit command: subcommand dispatch, --help, --version.
 */
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *cli_progname = "mailaudit";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: %s COMMAND [options]\n"
	        "\n"
	        "Audit a domain's mail authentication in DNS (MX, SPF, DKIM keys, DMARC,\n"
	        "MTA-STS, TLS-RPT, BIMI, DANE, DNSSEC, client SRV) and say what is wrong\n"
	        "and how to fix it.\n"
	        "\n"
	        "commands:\n"
	        "  check DOMAIN   audit a domain (see '%s check --help')\n"
	        "  spf --ip ADDR --sender MAILFROM\n"
	        "                 evaluate SPF (RFC 7208) for one message, with a trace\n"
	        "  verify FILE.eml...\n"
	        "                 verify the DKIM signatures of messages (RFC 6376, 8463)\n"
	        "\n"
	        "  --help         this text\n"
	        "  --version      print the version\n"
	        "\n"
	        "exit status: 0 audit done, 1 grade below --fail-under, 2 usage or input\n"
	        "error, 3 no DNS answer at all.\n",
	        cli_progname, cli_progname);
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_AUDIT_DONE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailaudit %s (libdnsaudit %s)\n", MAILAUDIT_VERSION, dnsaudit_version());
		return EXIT_AUDIT_DONE;
	}
	xmlInitParser();
	if (strcmp(argv[1], "check") == 0) {
		rc = cmd_check(argc - 1, argv + 1);
	} else if (strcmp(argv[1], "spf") == 0) {
		rc = cmd_spf(argc - 1, argv + 1);
	} else if (strcmp(argv[1], "verify") == 0) {
		rc = cmd_verify(argc - 1, argv + 1);
	} else {
		fprintf(stderr, "%s: unknown command '%s'\n", cli_progname, argv[1]);
		usage(stderr);
		rc = EXIT_USAGE;
	}
	xmlCleanupParser();
	return rc;
}
