/*
 * test_zones.c -- the zone-file backend (zones.c): loading master files and
 * directories, and answering from them as an authoritative server for the
 * whole DNS would. Zone texts sit next to the asserts that use them; they
 * are written into a fresh directory under the test binary dir. The RFC 4592
 * example zone and a directory fixture live in testdata/zones/unit/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "source_internal.h"
#include "zones_internal.h"

#define FIXTURES      MAILAUDIT_TESTDATA "/zones/unit"
#define MAX_TMP_FILES 16

/* A private directory for one test's files, removed afterwards. */
struct tmp {
	char dir[256];
	char files[MAX_TMP_FILES][320];
	size_t nfiles;
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "%s/zones-XXXXXX", MAILAUDIT_TEST_TMPDIR);
	assert_non_null(mkdtemp(t->dir));
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	size_t i;

	for (i = t->nfiles; i > 0; i--)
		remove(t->files[i - 1]);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* Path of a new entry in the test directory (a file, or with mkdir, a dir). */
static const char *tmp_path(struct tmp *t, const char *name)
{
	char path[sizeof(t->files[0])];

	assert_true(t->nfiles < MAX_TMP_FILES);
	/* Via a local copy: gcc -Wrestrict fears t->dir overlaps t->files. */
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	memcpy(t->files[t->nfiles], path, sizeof(path));
	return t->files[t->nfiles++];
}

static const char *write_zone(struct tmp *t, const char *name, const char *text)
{
	const char *path = tmp_path(t, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

static struct dnsaudit__zoneset *load_ok(const char *const *paths, size_t n)
{
	struct dnsaudit__zoneset *zs = NULL;
	dnsaudit_error err = {0, ""};
	int rc = dnsaudit__zoneset_load(&zs, paths, n, &err);

	if (rc != 0)
		fail_msg("load failed: %d %s", rc, err.message);
	assert_non_null(zs);
	return zs;
}

static struct dnsaudit__zoneset *load_one(const char *path)
{
	return load_ok(&path, 1);
}

/* Load must fail with EINVAL; the message is copied into msg. */
static void load_fails(const char *path, char *msg, size_t size)
{
	struct dnsaudit__zoneset *zs = (void *)1;
	dnsaudit_error err = {0, ""};

	assert_int_equal(dnsaudit__zoneset_load(&zs, &path, 1, &err), DNSAUDIT_EINVAL);
	assert_null(zs);
	assert_int_equal(err.code, DNSAUDIT_EINVAL);
	snprintf(msg, size, "%s", err.message);
}

static ldns_rdf *dname(const char *s)
{
	ldns_rdf *r = ldns_dname_new_frm_str(s);

	assert_non_null(r);
	ldns_dname2canonical(r);
	return r;
}

static struct dnsaudit_answer *ask(const struct dnsaudit__zoneset *zs, const char *name,
                                   ldns_rr_type type)
{
	ldns_rdf *q = dname(name);
	struct dnsaudit_answer *a = dnsaudit__answer_new(q, type);

	assert_non_null(a);
	assert_int_equal(dnsaudit__zoneset_answer(zs, q, type, a), 0);
	ldns_rdf_deep_free(q);
	assert_string_equal(a->transport, "zone");
	return a;
}

/* rdf as presentation text compared to want. */
static void assert_rdf_str(const ldns_rdf *rdf, const char *want)
{
	char *s = ldns_rdf2str(rdf);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void assert_owner(const struct dnsaudit_answer *a, size_t i, const char *want)
{
	assert_rdf_str(ldns_rr_owner(ldns_rr_list_rr(a->rrs, i)), want);
}

static void assert_rdata(const struct dnsaudit_answer *a, size_t i, const char *want)
{
	assert_rdf_str(ldns_rr_rdf(ldns_rr_list_rr(a->rrs, i), 0), want);
}

static void assert_status(const struct dnsaudit_answer *a, dnsaudit_dns_status status, int rcode)
{
	assert_int_equal(a->status, status);
	assert_int_equal(a->rcode, rcode);
}

static void assert_nxdomain(const struct dnsaudit__zoneset *zs, const char *name, ldns_rr_type t)
{
	struct dnsaudit_answer *a = ask(zs, name, t);

	assert_status(a, DNSAUDIT_DNS_NXDOMAIN, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 0);
	dnsaudit__answer_free(a);
}

static void assert_nodata(const struct dnsaudit__zoneset *zs, const char *name, ldns_rr_type t)
{
	struct dnsaudit_answer *a = ask(zs, name, t);

	assert_status(a, DNSAUDIT_DNS_NODATA, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 0);
	dnsaudit__answer_free(a);
}

/* One record of type t at name whose first rdata field reads want. */
static void assert_single(const struct dnsaudit__zoneset *zs, const char *name, ldns_rr_type t,
                          const char *want)
{
	struct dnsaudit_answer *a = ask(zs, name, t);

	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 1);
	assert_rdata(a, 0, want);
	dnsaudit__answer_free(a);
}

/* ---- loading ---- */

static void zones_merge_two_files_keeps_one_copy_of_identical_record(void **state)
{
	struct tmp *t = *state;
	const char *paths[2];
	struct dnsaudit__zoneset *zs;
	struct dnsaudit_answer *a;

	paths[0] =
	    write_zone(t, "one.test.zone", "www 300 TXT \"shared\"\nwww TXT \"only in one\"\n");
	/* Same record with another TTL and case: still the same record. */
	paths[1] = write_zone(t, "two.zone",
	                      "WWW.One.Test. 600 TXT \"shared\"\nmail.one.test. A 192.0.2.9\n");
	zs = load_ok(paths, 2);
	assert_int_equal(dnsaudit__zoneset_file_count(zs), 2);
	assert_string_equal(dnsaudit__zoneset_file(zs, 0), paths[0]);
	assert_string_equal(dnsaudit__zoneset_file(zs, 1), paths[1]);
	assert_null(dnsaudit__zoneset_file(zs, 2));
	assert_int_equal(dnsaudit__zoneset_rr_count(zs), 3);

	a = ask(zs, "www.one.test.", LDNS_RR_TYPE_TXT);
	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 2);
	/* The first file's copy is kept, with its TTL. */
	assert_string_equal(a->origin, paths[0]);
	dnsaudit__answer_free(a);

	a = ask(zs, "mail.one.test.", LDNS_RR_TYPE_A);
	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_string_equal(a->origin, paths[1]);
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

static void zones_duplicate_keeps_first_file_index_and_ttl(void **state)
{
	struct tmp *t = *state;
	const char *paths[2];
	struct dnsaudit__zoneset *zs;
	size_t i;

	paths[0] = write_zone(t, "first.zone", "x.test. 100 A 192.0.2.1\n");
	paths[1] = write_zone(t, "second.zone", "x.test. 200 A 192.0.2.1\n");
	zs = load_ok(paths, 2);
	assert_int_equal(dnsaudit__zoneset_rr_count(zs), 1);
	assert_int_equal(dnsaudit__zoneset_rr_file(zs, 0), 0);
	assert_int_equal(ldns_rr_ttl(dnsaudit__zoneset_rr(zs, 0)), 100);
	dnsaudit__zoneset_free(zs);

	/* Given the other way round, the other copy is first. */
	paths[0] = t->files[1];
	paths[1] = t->files[0];
	zs = load_ok(paths, 2);
	assert_int_equal(dnsaudit__zoneset_rr_count(zs), 1);
	i = dnsaudit__zoneset_rr_file(zs, 0);
	assert_int_equal(i, 0);
	assert_string_equal(dnsaudit__zoneset_file(zs, i), t->files[1]);
	assert_int_equal(ldns_rr_ttl(dnsaudit__zoneset_rr(zs, 0)), 200);
	dnsaudit__zoneset_free(zs);
}

static void zones_directory_loads_zone_files_in_name_order(void **state)
{
	struct dnsaudit__zoneset *zs = load_one(FIXTURES "/dir");

	(void)state;
	/* README.txt, a.test.zone.bak and the nested.zone directory are skipped. */
	assert_int_equal(dnsaudit__zoneset_file_count(zs), 2);
	assert_string_equal(dnsaudit__zoneset_file(zs, 0), FIXTURES "/dir/a.test.zone");
	assert_string_equal(dnsaudit__zoneset_file(zs, 1), FIXTURES "/dir/b.test.zone");
	assert_single(zs, "www.a.test.", LDNS_RR_TYPE_A, "192.0.2.1");
	assert_single(zs, "www.b.test.", LDNS_RR_TYPE_A, "192.0.2.2");
	assert_nxdomain(zs, "c.test.", LDNS_RR_TYPE_TXT);
	dnsaudit__zoneset_free(zs);
}

static void zones_directory_path_with_trailing_slash(void **state)
{
	struct dnsaudit__zoneset *zs = load_one(FIXTURES "/dir/");

	(void)state;
	assert_string_equal(dnsaudit__zoneset_file(zs, 0), FIXTURES "/dir/a.test.zone");
	dnsaudit__zoneset_free(zs);
}

static void zones_directory_without_zone_files_is_an_error(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];

	write_zone(t, "notes.txt", "not a zone\n");
	load_fails(t->dir, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s: no .zone files", t->dir);
	assert_string_equal(msg, want);
}

static void zones_missing_path_names_path_and_reason(void **state)
{
	char msg[DNSAUDIT_ERRMSG_MAX];

	(void)state;
	load_fails(FIXTURES "/no-such.zone", msg, sizeof(msg));
	assert_string_equal(msg, FIXTURES "/no-such.zone: No such file or directory");
}

static void zones_no_paths_is_an_error(void **state)
{
	struct dnsaudit__zoneset *zs = NULL;
	dnsaudit_error err = {0, ""};

	(void)state;
	assert_int_equal(dnsaudit__zoneset_load(&zs, NULL, 0, &err), DNSAUDIT_EINVAL);
	assert_null(zs);
}

static void zones_free_null_is_a_no_op(void **state)
{
	(void)state;
	dnsaudit__zoneset_free(NULL);
	assert_int_equal(dnsaudit__zoneset_file_count(NULL), 0);
}

static void zones_empty_file_loads_as_no_records(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs = load_one(write_zone(t, "empty.test.zone", ""));

	assert_int_equal(dnsaudit__zoneset_rr_count(zs), 0);
	assert_nxdomain(zs, "empty.test.", LDNS_RR_TYPE_SOA);
	dnsaudit__zoneset_free(zs);
}

/* ---- names ---- */

static void zones_origin_from_file_name(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs =
	    load_one(write_zone(t, "Example.ORG.zone", "@ MX 10 mail\nmail A 192.0.2.25\n"));

	assert_single(zs, "example.org.", LDNS_RR_TYPE_MX, "10");
	assert_single(zs, "mail.example.org.", LDNS_RR_TYPE_A, "192.0.2.25");
	dnsaudit__zoneset_free(zs);
}

static void zones_without_origin_relative_names_are_below_the_root(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs = load_one(write_zone(t, "records.db", "host A 192.0.2.3\n"));

	assert_single(zs, "host.", LDNS_RR_TYPE_A, "192.0.2.3");
	dnsaudit__zoneset_free(zs);
}

static void zones_origin_directive_switches_mid_file(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs = load_one(write_zone(t, "first.test.zone",
	                                                   "x TXT \"file name\"\n"
	                                                   "$ORIGIN a.test. ; a comment\n"
	                                                   "x TXT \"a\"\n"
	                                                   "$ORIGIN b.test.\n"
	                                                   "x TXT \"b\"\n"
	                                                   "  TXT \"b again, no owner\"\n"
	                                                   "$ORIGIN sub\n"
	                                                   "x TXT \"relative origin\"\n"));

	assert_single(zs, "x.first.test.", LDNS_RR_TYPE_TXT, "\"file name\"");
	assert_single(zs, "x.a.test.", LDNS_RR_TYPE_TXT, "\"a\"");
	assert_single(zs, "x.sub.b.test.", LDNS_RR_TYPE_TXT, "\"relative origin\"");
	assert_nxdomain(zs, "x.sub.", LDNS_RR_TYPE_TXT);
	{
		struct dnsaudit_answer *a = ask(zs, "x.b.test.", LDNS_RR_TYPE_TXT);

		assert_int_equal(ldns_rr_list_rr_count(a->rrs), 2);
		dnsaudit__answer_free(a);
	}
	dnsaudit__zoneset_free(zs);
}

static void zones_absolute_owners_and_no_soa(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs =
	    load_one(write_zone(t, "mixed.zone",
	                        "example.com. TXT \"v=spf1 -all\"\n"
	                        "_dmarc.example.com. TXT \"v=DMARC1; p=none\"\n"
	                        "other.example.net. A 192.0.2.7\n"));

	assert_single(zs, "example.com.", LDNS_RR_TYPE_TXT, "\"v=spf1 -all\"");
	assert_single(zs, "other.example.net.", LDNS_RR_TYPE_A, "192.0.2.7");
	assert_nodata(zs, "example.com.", LDNS_RR_TYPE_SOA);
	dnsaudit__zoneset_free(zs);
}

static void zones_names_are_case_insensitive(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs =
	    load_one(write_zone(t, "case.zone",
	                        "WWW.Example.COM. TXT \"Keep Case\"\n"
	                        "Alias.Example.COM. CNAME WWW.EXAMPLE.com.\n"));
	struct dnsaudit_answer *a = ask(zs, "alias.example.com.", LDNS_RR_TYPE_TXT);

	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_owner(a, 0, "www.example.com.");
	/* Owners become lowercase; TXT data keeps its case. */
	assert_rdata(a, 0, "\"Keep Case\"");
	assert_rdf_str(ldns_rr_owner(ldns_rr_list_rr(a->chain, 0)), "alias.example.com.");
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

/* ---- NXDOMAIN, NODATA, empty non-terminals ---- */

static void zones_absent_name_is_nxdomain_and_absent_type_nodata(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs = load_one(write_zone(t, "example.com.zone",
	                                                   "@ MX 10 mail\n"
	                                                   "a.b.c TXT \"deep\"\n"));

	assert_nxdomain(zs, "nothere.example.com.", LDNS_RR_TYPE_TXT);
	assert_nxdomain(zs, "x.a.b.c.example.com.", LDNS_RR_TYPE_TXT);
	assert_nodata(zs, "example.com.", LDNS_RR_TYPE_TXT);
	/* b.c and c are empty non-terminals; so are com. and the root. */
	assert_nodata(zs, "b.c.example.com.", LDNS_RR_TYPE_TXT);
	assert_nodata(zs, "c.example.com.", LDNS_RR_TYPE_A);
	assert_nodata(zs, "com.", LDNS_RR_TYPE_NS);
	assert_nodata(zs, ".", LDNS_RR_TYPE_NS);
	assert_nxdomain(zs, "org.", LDNS_RR_TYPE_NS);
	/* A name that sorts between c and its descendants is not one of them. */
	assert_nxdomain(zs, "bb.c.example.com.", LDNS_RR_TYPE_TXT);
	dnsaudit__zoneset_free(zs);
}

/* ---- wildcards (RFC 4592) ---- */

static void zones_wildcard_synthesis_rfc4592_examples(void **state)
{
	struct dnsaudit__zoneset *zs = load_one(FIXTURES "/rfc4592/example.zone");
	struct dnsaudit_answer *a;

	(void)state;
	/* host3.example. MX: synthesised from *.example., owner rewritten. */
	a = ask(zs, "host3.example.", LDNS_RR_TYPE_MX);
	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 1);
	assert_owner(a, 0, "host3.example.");
	assert_rdf_str(ldns_rr_rdf(ldns_rr_list_rr(a->rrs, 0), 1), "host1.example.");
	dnsaudit__answer_free(a);
	/* host3.example. A: the wildcard matches but has no A. */
	assert_nodata(zs, "host3.example.", LDNS_RR_TYPE_A);
	/* foo.bar.example. TXT: synthesised across two missing labels. */
	a = ask(zs, "foo.bar.example.", LDNS_RR_TYPE_TXT);
	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_owner(a, 0, "foo.bar.example.");
	assert_rdata(a, 0, "\"this is a wildcard\"");
	dnsaudit__answer_free(a);
	/* host1.example. MX: the name exists, so no wildcard. */
	assert_nodata(zs, "host1.example.", LDNS_RR_TYPE_MX);
	/* sub.*.example. MX: exists; a '*' inside a name is no wildcard. */
	assert_nodata(zs, "sub.*.example.", LDNS_RR_TYPE_MX);
	/* _telnet._tcp.host1.example.: closest encloser _tcp.host1.example.
	 * (an empty non-terminal) has no wildcard below it. */
	assert_nxdomain(zs, "_telnet._tcp.host1.example.", LDNS_RR_TYPE_SRV);
	/* Below the existing host1.example., *.example. does not apply. */
	assert_nxdomain(zs, "host3.host1.example.", LDNS_RR_TYPE_TXT);
	/* ghost.*.example.: closest encloser *.example., no *.*.example. */
	assert_nxdomain(zs, "ghost.*.example.", LDNS_RR_TYPE_MX);
	/* The wildcard owner itself, asked for directly. */
	a = ask(zs, "*.example.", LDNS_RR_TYPE_TXT);
	assert_owner(a, 0, "*.example.");
	dnsaudit__answer_free(a);
	/* The empty non-terminal _tcp.host2.example. exists: NODATA. */
	assert_nodata(zs, "_tcp.host2.example.", LDNS_RR_TYPE_TXT);
	dnsaudit__zoneset_free(zs);
}

static void zones_wildcard_cname_is_synthesised_and_followed(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs = load_one(write_zone(t, "w.test.zone",
	                                                   "*.users CNAME target\n"
	                                                   "target TXT \"landed\"\n"));
	struct dnsaudit_answer *a = ask(zs, "alice.users.w.test.", LDNS_RR_TYPE_TXT);

	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->chain), 1);
	assert_rdf_str(ldns_rr_owner(ldns_rr_list_rr(a->chain, 0)), "alice.users.w.test.");
	assert_owner(a, 0, "target.w.test.");
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

static void zones_wildcard_loop_through_synthesis_is_servfail(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs =
	    load_one(write_zone(t, "w.test.zone", "*.loop CNAME x.loop\n"));
	struct dnsaudit_answer *a = ask(zs, "a.loop.w.test.", LDNS_RR_TYPE_A);

	assert_status(a, DNSAUDIT_DNS_SERVFAIL, LDNS_RCODE_SERVFAIL);
	assert_string_equal(a->detail, "CNAME chain too long or looping");
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

/* ---- CNAME ---- */

static void zones_cname_chain_across_files(void **state)
{
	struct tmp *t = *state;
	const char *paths[2];
	struct dnsaudit__zoneset *zs;
	struct dnsaudit_answer *a;

	paths[0] = write_zone(t, "one.test.zone", "a CNAME b.two.test.\nc TXT \"end\"\n");
	paths[1] = write_zone(t, "two.test.zone", "b CNAME c.one.test.\n");
	zs = load_ok(paths, 2);

	a = ask(zs, "a.one.test.", LDNS_RR_TYPE_TXT);
	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->chain), 2);
	assert_rdf_str(ldns_rr_rdf(ldns_rr_list_rr(a->chain, 0), 0), "b.two.test.");
	assert_rdf_str(ldns_rr_rdf(ldns_rr_list_rr(a->chain, 1), 0), "c.one.test.");
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 1);
	assert_rdata(a, 0, "\"end\"");
	assert_string_equal(a->origin, paths[0]);
	dnsaudit__answer_free(a);

	/* Asking for the CNAME itself does not follow it. */
	a = ask(zs, "b.two.test.", LDNS_RR_TYPE_CNAME);
	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->chain), 0);
	assert_rdata(a, 0, "c.one.test.");
	assert_string_equal(a->origin, paths[1]);
	dnsaudit__answer_free(a);

	/* The chain ends at a name without the type: NODATA, chain kept. */
	a = ask(zs, "a.one.test.", LDNS_RR_TYPE_MX);
	assert_status(a, DNSAUDIT_DNS_NODATA, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->chain), 2);
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

static void zones_cname_to_absent_name_is_nxdomain_with_chain(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs =
	    load_one(write_zone(t, "d.test.zone", "dangling CNAME gone.elsewhere.test.\n"));
	struct dnsaudit_answer *a = ask(zs, "dangling.d.test.", LDNS_RR_TYPE_TXT);

	assert_status(a, DNSAUDIT_DNS_NXDOMAIN, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_rr_list_rr_count(a->chain), 1);
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 0);
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

static void zones_cname_loop_is_servfail(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs = load_one(write_zone(t, "l.test.zone",
	                                                   "a CNAME b\nb CNAME c\nc CNAME a\n"
	                                                   "self CNAME self\n"));
	struct dnsaudit_answer *a = ask(zs, "a.l.test.", LDNS_RR_TYPE_A);

	assert_status(a, DNSAUDIT_DNS_SERVFAIL, LDNS_RCODE_SERVFAIL);
	assert_string_equal(a->detail, "CNAME chain too long or looping");
	assert_int_equal(ldns_rr_list_rr_count(a->rrs), 0);
	dnsaudit__answer_free(a);

	a = ask(zs, "self.l.test.", LDNS_RR_TYPE_TXT);
	assert_status(a, DNSAUDIT_DNS_SERVFAIL, LDNS_RCODE_SERVFAIL);
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

/* A chain of n CNAMEs c0 -> c1 -> ... -> cn, and a TXT at cn. */
static const char *write_chain(struct tmp *t, const char *name, int n)
{
	char text[4096];
	size_t used = 0;
	int i;

	for (i = 0; i < n; i++)
		used +=
		    (size_t)snprintf(text + used, sizeof(text) - used, "c%d CNAME c%d\n", i, i + 1);
	snprintf(text + used, sizeof(text) - used, "c%d TXT \"end\"\n", n);
	return write_zone(t, name, text);
}

static void zones_cname_chain_limit(void **state)
{
	struct tmp *t = *state;
	struct dnsaudit__zoneset *zs =
	    load_one(write_chain(t, "ok.test.zone", DNSAUDIT_MAX_CNAME_CHAIN));
	struct dnsaudit_answer *a = ask(zs, "c0.ok.test.", LDNS_RR_TYPE_TXT);

	assert_status(a, DNSAUDIT_DNS_OK, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_rr_list_rr_count(a->chain), DNSAUDIT_MAX_CNAME_CHAIN);
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);

	zs = load_one(write_chain(t, "long.test.zone", DNSAUDIT_MAX_CNAME_CHAIN + 1));
	a = ask(zs, "c0.long.test.", LDNS_RR_TYPE_TXT);
	assert_status(a, DNSAUDIT_DNS_SERVFAIL, LDNS_RCODE_SERVFAIL);
	assert_string_equal(a->detail, "CNAME chain too long or looping");
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

/* ---- authority, covers, origin ---- */

static void assert_authority(const struct dnsaudit__zoneset *zs, size_t i, const char *want)
{
	const ldns_rdf *auth = dnsaudit__zoneset_authority(zs, i);

	if (want == NULL) {
		assert_null(auth);
		return;
	}
	assert_non_null(auth);
	assert_rdf_str(auth, want);
}

static void zones_authority_rules(void **state)
{
	struct tmp *t = *state;
	const char *paths[5];
	struct dnsaudit__zoneset *zs;

	/* The SOA owner wins over an earlier $ORIGIN and the file name. */
	paths[0] = write_zone(t, "name.test.zone",
	                      "$ORIGIN other.test.\n"
	                      "soa.test. SOA ns.soa.test. h.soa.test. 1 2 3 4 5\n");
	/* The first $ORIGIN other than the root, over the file name. */
	paths[1] = write_zone(t, "file.test.zone",
	                      "$ORIGIN .\nx.test. TXT \"x\"\n$ORIGIN Origin.Test.\n"
	                      "$ORIGIN later.test.\n");
	/* The file name. */
	paths[2] = write_zone(t, "fromname.test.zone", "@ TXT \"n\"\n");
	/* None: the root. */
	paths[3] = write_zone(t, "plain.db", "y.test. TXT \"y\"\n");
	/* A root SOA is the root too. */
	paths[4] = write_zone(t, "hint.zone", ". SOA a.root. b.root. 1 2 3 4 5\n");
	zs = load_ok(paths, 5);
	assert_authority(zs, 0, "soa.test.");
	assert_authority(zs, 1, "origin.test.");
	assert_authority(zs, 2, "fromname.test.");
	assert_authority(zs, 3, NULL);
	assert_authority(zs, 4, NULL);
	assert_null(dnsaudit__zoneset_authority(zs, 5));
	dnsaudit__zoneset_free(zs);
}

static int covers(const struct dnsaudit__zoneset *zs, const char *name)
{
	ldns_rdf *q = dname(name);
	int r = dnsaudit__zoneset_covers(zs, q);

	ldns_rdf_deep_free(q);
	return r;
}

static void zones_covers_names_at_or_below_an_authority(void **state)
{
	struct tmp *t = *state;
	const char *paths[2];
	struct dnsaudit__zoneset *zs;

	paths[0] = write_zone(t, "example.com.zone", "@ TXT \"a\"\n");
	paths[1] = write_zone(t, "example.net.zone", "@ TXT \"b\"\n");
	zs = load_ok(paths, 2);
	assert_true(covers(zs, "example.com."));
	assert_true(covers(zs, "a.b.example.net."));
	assert_false(covers(zs, "com."));
	assert_false(covers(zs, "badexample.com."));
	assert_false(covers(zs, "example.org."));
	dnsaudit__zoneset_free(zs);

	/* A file without authority claims the root, hence every name. */
	zs = load_one(write_zone(t, "root.db", "x.test. TXT \"x\"\n"));
	assert_true(covers(zs, "anything.example."));
	dnsaudit__zoneset_free(zs);
}

static void zones_negative_answer_origin_is_most_specific_authority(void **state)
{
	struct tmp *t = *state;
	const char *paths[3];
	struct dnsaudit__zoneset *zs;
	struct dnsaudit_answer *a;

	paths[0] = write_zone(t, "example.com.zone", "@ TXT \"parent\"\n");
	paths[1] = write_zone(t, "sub.example.com.zone", "@ TXT \"child\"\n");
	paths[2] = write_zone(t, "example.net.zone", "@ TXT \"other\"\n");
	zs = load_ok(paths, 3);
	a = ask(zs, "x.sub.example.com.", LDNS_RR_TYPE_TXT);
	assert_status(a, DNSAUDIT_DNS_NXDOMAIN, LDNS_RCODE_NXDOMAIN);
	assert_string_equal(a->origin, paths[1]);
	dnsaudit__answer_free(a);
	a = ask(zs, "example.com.", LDNS_RR_TYPE_MX);
	assert_status(a, DNSAUDIT_DNS_NODATA, LDNS_RCODE_NOERROR);
	assert_string_equal(a->origin, paths[0]);
	dnsaudit__answer_free(a);
	/* Nobody's: the first file. */
	a = ask(zs, "example.org.", LDNS_RR_TYPE_MX);
	assert_string_equal(a->origin, paths[0]);
	dnsaudit__answer_free(a);
	dnsaudit__zoneset_free(zs);
}

/* ---- malformed input ---- */

static void zones_malformed_record_reports_path_and_line(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	const char *path = write_zone(t, "bad.test.zone",
	                              "; line 1\n"
	                              "ok TXT \"fine\"\n"
	                              "\n"
	                              "broken A not-an-address\n"
	                              "\n"
	                              "\n"
	                              "; blank lines and comments after it do not move the line\n"
	                              "later TXT \"x\"\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:4: ", path);
	assert_memory_equal(msg, want, strlen(want));
	/* The reason is ldns's. */
	assert_non_null(strstr(msg, ldns_get_errorstr_by_id(LDNS_STATUS_SYNTAX_RDATA_ERR)));
}

static void zones_malformed_multiline_record_reports_its_first_line(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	const char *path = write_zone(t, "multi.test.zone",
	                              "@ SOA ns h ( 1 2 3 4 5 )\n"
	                              "; a comment\n"
	                              "mx MX ( 10 ; priority\n"
	                              "        @ bogus )\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:3: ", path);
	assert_memory_equal(msg, want, strlen(want));
}

static void zones_unknown_type_on_first_line(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	const char *path = write_zone(t, "first.zone", "x NOTATYPE data\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:1: ", path);
	assert_memory_equal(msg, want, strlen(want));
}

static void zones_unknown_word_as_type_is_refused(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	/* ldns would take "example." as a type 0 record of owner "$origin". */
	const char *path = write_zone(t, "word.zone", "a TXT \"a\"\n$origin example.\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:2: unknown record type", path);
	assert_string_equal(msg, want);
}

static void zones_include_is_refused(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	const char *path = write_zone(t, "inc.test.zone", "a TXT \"a\"\n$INCLUDE /etc/passwd\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want),
	         "%s:2: $INCLUDE is not allowed: a zone file must not read other files", path);
	assert_string_equal(msg, want);
}

static void zones_non_in_class_is_refused(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	const char *path = write_zone(t, "ch.zone", "version.bind. CH TXT \"9\"\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:1: only class IN is supported", path);
	assert_string_equal(msg, want);
}

static void zones_cname_without_a_name_is_refused(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], want[DNSAUDIT_ERRMSG_MAX];
	const char *path = write_zone(t, "c.zone", "ok. TXT \"\"\n\nx. CNAME \\# 0\n");

	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:3: CNAME data is not a domain name", path);
	assert_string_equal(msg, want);
}

static void zones_origin_too_long_is_refused(void **state)
{
	struct tmp *t = *state;
	char msg[DNSAUDIT_ERRMSG_MAX], text[1024], want[DNSAUDIT_ERRMSG_MAX];
	char label[LDNS_MAX_LABELLEN + 1];
	const char *path;

	/* Each relative $ORIGIN adds 64 octets: the fourth passes 255. */
	memset(label, 'a', LDNS_MAX_LABELLEN);
	label[LDNS_MAX_LABELLEN] = '\0';
	snprintf(text, sizeof(text), "$ORIGIN %s.\n$ORIGIN %s\n$ORIGIN %s\n$ORIGIN %s\n", label,
	         label, label, label);
	path = write_zone(t, "long.zone", text);
	load_fails(path, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:4: $ORIGIN is not a valid domain name", path);
	assert_string_equal(msg, want);
}

static void zones_load_buffer_names_the_buffer_in_errors(void **state)
{
	static const char text[] = "ok TXT \"x\"\nbad A 1\n";
	struct dnsaudit__zoneset *zs = (void *)1;
	dnsaudit_error err = {0, ""};

	(void)state;
	assert_int_equal(dnsaudit__zoneset_load_buffer(&zs, "mem.test.zone", (const uint8_t *)text,
	                                               sizeof(text) - 1, &err),
	                 DNSAUDIT_EINVAL);
	assert_null(zs);
	assert_memory_equal(err.message, "mem.test.zone:2: ", strlen("mem.test.zone:2: "));
	assert_int_equal(dnsaudit__zoneset_load_buffer(&zs, "mem.test.zone", (const uint8_t *)text,
	                                               strlen("ok TXT \"x\"\n"), &err),
	                 0);
	assert_single(zs, "ok.mem.test.", LDNS_RR_TYPE_TXT, "\"x\"");
	dnsaudit__zoneset_free(zs);
}

/* ---- concurrency ---- */

struct worker {
	const struct dnsaudit__zoneset *zs;
	int failures;
};

static void *answer_many(void *arg)
{
	struct worker *w = arg;
	ldns_rdf *hit = ldns_dname_new_frm_str("foo.bar.example.");
	ldns_rdf *miss = ldns_dname_new_frm_str("ghost.*.example.");
	int i;

	for (i = 0; i < 2000 && hit != NULL && miss != NULL; i++) {
		struct dnsaudit_answer *a = dnsaudit__answer_new(hit, LDNS_RR_TYPE_TXT);
		struct dnsaudit_answer *b = dnsaudit__answer_new(miss, LDNS_RR_TYPE_MX);

		if (a == NULL || b == NULL || dnsaudit__zoneset_answer(w->zs, hit, 16, a) != 0 ||
		    dnsaudit__zoneset_answer(w->zs, miss, 15, b) != 0 ||
		    a->status != DNSAUDIT_DNS_OK || b->status != DNSAUDIT_DNS_NXDOMAIN)
			w->failures++;
		dnsaudit__answer_free(a);
		dnsaudit__answer_free(b);
	}
	ldns_rdf_deep_free(hit);
	ldns_rdf_deep_free(miss);
	return NULL;
}

static void zones_answer_is_safe_from_many_threads(void **state)
{
	struct dnsaudit__zoneset *zs = load_one(FIXTURES "/rfc4592/example.zone");
	struct worker w[4];
	pthread_t th[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		w[i].zs = zs;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, answer_many, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	dnsaudit__zoneset_free(zs);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TMP_TEST(zones_merge_two_files_keeps_one_copy_of_identical_record),
	    TMP_TEST(zones_duplicate_keeps_first_file_index_and_ttl),
	    cmocka_unit_test(zones_directory_loads_zone_files_in_name_order),
	    cmocka_unit_test(zones_directory_path_with_trailing_slash),
	    TMP_TEST(zones_directory_without_zone_files_is_an_error),
	    cmocka_unit_test(zones_missing_path_names_path_and_reason),
	    cmocka_unit_test(zones_no_paths_is_an_error),
	    cmocka_unit_test(zones_free_null_is_a_no_op),
	    TMP_TEST(zones_empty_file_loads_as_no_records),
	    TMP_TEST(zones_origin_from_file_name),
	    TMP_TEST(zones_without_origin_relative_names_are_below_the_root),
	    TMP_TEST(zones_origin_directive_switches_mid_file),
	    TMP_TEST(zones_absolute_owners_and_no_soa),
	    TMP_TEST(zones_names_are_case_insensitive),
	    TMP_TEST(zones_absent_name_is_nxdomain_and_absent_type_nodata),
	    cmocka_unit_test(zones_wildcard_synthesis_rfc4592_examples),
	    TMP_TEST(zones_wildcard_cname_is_synthesised_and_followed),
	    TMP_TEST(zones_wildcard_loop_through_synthesis_is_servfail),
	    TMP_TEST(zones_cname_chain_across_files),
	    TMP_TEST(zones_cname_to_absent_name_is_nxdomain_with_chain),
	    TMP_TEST(zones_cname_loop_is_servfail),
	    TMP_TEST(zones_cname_chain_limit),
	    TMP_TEST(zones_authority_rules),
	    TMP_TEST(zones_covers_names_at_or_below_an_authority),
	    TMP_TEST(zones_negative_answer_origin_is_most_specific_authority),
	    TMP_TEST(zones_malformed_record_reports_path_and_line),
	    TMP_TEST(zones_malformed_multiline_record_reports_its_first_line),
	    TMP_TEST(zones_unknown_type_on_first_line),
	    TMP_TEST(zones_unknown_word_as_type_is_refused),
	    TMP_TEST(zones_include_is_refused),
	    TMP_TEST(zones_non_in_class_is_refused),
	    TMP_TEST(zones_cname_without_a_name_is_refused),
	    TMP_TEST(zones_origin_too_long_is_refused),
	    cmocka_unit_test(zones_load_buffer_names_the_buffer_in_errors),
	    cmocka_unit_test(zones_answer_is_safe_from_many_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
