/*
 * cli.h -- what the subcommands of mailaudit share: DNS options, data file
 * lookup, exit codes.
 */
#ifndef MAILAUDIT_CLI_H
#define MAILAUDIT_CLI_H

#include <stddef.h>
#include <dnsaudit/dnsaudit.h>

/* Exit codes (public contract, see mailaudit(1)). */
enum { EXIT_AUDIT_DONE = 0, EXIT_BELOW_GRADE = 1, EXIT_USAGE = 2, EXIT_NO_ANSWER = 3 };

#define CLI_MAX_LIST 64

struct dns_opts {
	const char *zones[CLI_MAX_LIST];
	size_t nzones;
	const char *resolvers[CLI_MAX_LIST];
	size_t nresolvers;
	unsigned timeout_ms, retries;
	int retries_set;
};

/* Long options of the DNS group, for getopt_long tables. */
enum { OPT_ZONE = 0x100, OPT_RESOLVER, OPT_TIMEOUT, OPT_RETRIES, OPT_DNS_LAST };

/* Handles one DNS option; 0, or -1 after printing a usage error. */
int cli_dns_option(struct dns_opts *o, int opt, const char *arg);
/* Builds the source; prints the error and returns NULL on failure. */
dnsaudit_source *cli_dns_source(const struct dns_opts *o);

/*
 * Path of a data file (policies, schema): $MAILAUDIT_DATADIR, then
 * share/mailaudit beside the binary (build tree), then ../share/mailaudit
 * (relocated install), then the configured install prefix. Caller frees.
 */
char *cli_data_file(const char *name);

/* dkimcheck's key callback answered by a dnsaudit session (payload). */
#include <dkimcheck/dkimcheck.h>
dkimcheck_key_result cli_session_key_lookup(void *payload, const char *name, char *buf,
                                            size_t buflen, char *origin, size_t originlen);

/* Sample messages verified for `check --eml`, in the form the audit takes. */
struct cli_samples {
	dnsaudit_sample *v;
	size_t n;
};
/* Verify each file through a session on src; unreadable ones keep their error. */
int cli_samples_load(struct cli_samples *out, const char *const *files, size_t n,
                     const dnsaudit_source *src);
void cli_samples_free(struct cli_samples *s);

int cmd_check(int argc, char **argv);
int cmd_spf(int argc, char **argv);
int cmd_verify(int argc, char **argv);
extern const char *cli_progname;

#endif /* MAILAUDIT_CLI_H */
