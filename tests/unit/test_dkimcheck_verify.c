/*
 * test_dkimcheck_verify.c -- dkimcheck over the signed fixtures of
 * testdata/mail/ (made by testdata/mail/generate.py), with keys from
 * testdata/zones/dkim-mail.example.zone answered by a stub callback: each
 * RFC 8301 / RFC 8601 policy decision and each awkward input.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "dkimcheck/dkimcheck.h"
#include "internal.h" /* dkimcheck__verifier_key_counts */

#define MAIL_DIR  MAILAUDIT_TESTDATA "/mail/"
#define ZONE_FILE MAILAUDIT_TESTDATA "/zones/dkim-mail.example.zone"
#define MAX_KEYS  16

struct stub {
	char names[MAX_KEYS][128];
	char records[MAX_KEYS][2048];
	size_t n;
	unsigned lookups;
};

/* Joins the quoted strings of a zone line's TXT value. */
static void join_quoted(const char *p, char *out, size_t outlen)
{
	size_t used = 0;
	int in = 0;

	for (; *p != '\0' && used + 1 < outlen; p++) {
		if (*p == '"')
			in = !in;
		else if (in)
			out[used++] = *p;
	}
	out[used] = '\0';
}

/* Reads the key records (owner "X._domainkey", TXT) of the fixture zone. */
static void stub_load(struct stub *st)
{
	FILE *f = fopen(ZONE_FILE, "r");
	char line[2400], *tab;

	assert_non_null(f);
	memset(st, 0, sizeof(*st));
	while (fgets(line, sizeof(line), f) != NULL && st->n < MAX_KEYS) {
		if (strstr(line, "._domainkey\tTXT\t") == NULL || line[0] == ';')
			continue;
		tab = strchr(line, '\t');
		*tab = '\0';
		assert_true(strlen(line) < 64);
		snprintf(st->names[st->n], sizeof(st->names[0]), "%.64s.dkim-mail.example", line);
		join_quoted(tab + 1, st->records[st->n], sizeof(st->records[0]));
		st->n++;
	}
	fclose(f);
	assert_true(st->n >= 5);
}

/* The unreachable domain stands for a DNS failure (timeout, SERVFAIL). */
static dkimcheck_key_result stub_lookup(void *payload, const char *name, char *buf, size_t buflen,
                                        char *origin, size_t originlen)
{
	struct stub *st = payload;
	size_t i;

	st->lookups++;
	if (strstr(name, "dkim-mail.unreachable.invalid") != NULL) {
		snprintf(origin, originlen, "stub: timeout");
		return DKIMCHECK_KEY_TEMPFAIL;
	}
	size_t found = st->n, count = 0;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->names[i], name) == 0 && count++ == 0)
			found = i;
	if (count == 0)
		return DKIMCHECK_KEY_NOTFOUND;
	snprintf(origin, originlen, "stub:%s", ZONE_FILE);
	if (count > 1)
		return DKIMCHECK_KEY_MULTIPLE;
	if (strlen(st->records[found]) >= buflen)
		return DKIMCHECK_KEY_TOOLONG;
	snprintf(buf, buflen, "%s", st->records[found]);
	return DKIMCHECK_KEY_FOUND;
}

struct fixture {
	struct stub stub;
	dkimcheck_lib *lib;
	dkimcheck_verifier *v;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	stub_load(&fx->stub);
	assert_int_equal(dkimcheck_lib_new(&fx->lib), DKIMCHECK_OK);
	assert_int_equal(dkimcheck_verifier_new(&fx->v, fx->lib, stub_lookup, &fx->stub),
	                 DKIMCHECK_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	dkimcheck_verifier_free(fx->v);
	dkimcheck_lib_free(fx->lib);
	free(fx);
	return 0;
}

static dkimcheck_message *verify_fixture(void **state, const char *name)
{
	struct fixture *fx = *state;
	char path[512];
	dkimcheck_message *m = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", MAIL_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(dkimcheck_verify_file(fx->v, f, &m), DKIMCHECK_OK);
	fclose(f);
	assert_non_null(m);
	return m;
}

/* The one signature of a fixture has this result and detail (prefix). */
static void expect_one(void **state, const char *name, dkimcheck_result_code result,
                       const char *detail)
{
	dkimcheck_message *m = verify_fixture(state, name);
	const dkimcheck_signature *s;

	assert_int_equal(dkimcheck_message_count(m), 1);
	s = dkimcheck_message_signature(m, 0);
	assert_string_equal(dkimcheck_result_name(dkimcheck_signature_result(s)),
	                    dkimcheck_result_name(result));
	assert_true(strncmp(dkimcheck_signature_detail(s), detail, strlen(detail)) == 0);
	assert_string_equal(dkimcheck_signature_domain(s), "dkim-mail.example");
	dkimcheck_message_free(m);
}

static void rsa_sha256_passes_with_evidence(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "pass_rsa_sha256.eml");
	const dkimcheck_signature *s = dkimcheck_message_signature(m, 0);

	assert_int_equal(dkimcheck_message_count(m), 1);
	assert_int_equal(dkimcheck_signature_result(s), DKIMCHECK_PASS);
	assert_string_equal(dkimcheck_signature_detail(s), "ok");
	assert_string_equal(dkimcheck_signature_selector(s), "rsa2048");
	assert_string_equal(dkimcheck_signature_algorithm(s), "rsa-sha256");
	assert_int_equal(dkimcheck_signature_key_bits(s), 2048);
	assert_true(strncmp(dkimcheck_signature_key_record(s), "v=DKIM1; k=rsa; p=MII", 21) == 0);
	assert_string_equal(dkimcheck_signature_key_origin(s), "stub:" ZONE_FILE);
	assert_false(dkimcheck_message_multiple_from(m));
	assert_false(dkimcheck_message_missing_from(m));
	dkimcheck_message_free(m);
}

static void ed25519_passes(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "pass_ed25519.eml");
	const dkimcheck_signature *s = dkimcheck_message_signature(m, 0);

	assert_int_equal(dkimcheck_signature_result(s), DKIMCHECK_PASS);
	assert_string_equal(dkimcheck_signature_algorithm(s), "ed25519-sha256");
	dkimcheck_message_free(m);
}

static void tampered_body_fails_on_body_hash(void **state)
{
	expect_one(state, "body_tampered.eml", DKIMCHECK_FAIL, "body-hash-mismatch");
}

static void tampered_header_fails_on_signature(void **state)
{
	expect_one(state, "header_tampered.eml", DKIMCHECK_FAIL, "signature-mismatch");
}

static void rfc8301_rsa_sha1_is_policy(void **state)
{
	expect_one(state, "rsa_sha1.eml", DKIMCHECK_POLICY, "sha1-forbidden");
}

static void rfc8301_512_bit_key_is_policy(void **state)
{
	expect_one(state, "short_key_512.eml", DKIMCHECK_POLICY, "key-too-short");
}

static void revoked_key_is_permerror(void **state)
{
	expect_one(state, "revoked_key.eml", DKIMCHECK_PERMERROR, "key-revoked");
}

/* 8-bit header fields that are not UTF-8 are signed bytes like any other;
 * the From domain is still found. */
static void latin1_headers_pass(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "latin1_headers.eml");

	assert_int_equal(dkimcheck_message_count(m), 1);
	assert_int_equal(dkimcheck_signature_result(dkimcheck_message_signature(m, 0)),
	                 DKIMCHECK_PASS);
	assert_string_equal(dkimcheck_message_from_domain(m), "dkim-mail.example");
	dkimcheck_message_free(m);
}

/* RFC 6376 3.6.2.2: several key records give an undefined result. */
static void two_key_records_are_permerror(void **state)
{
	expect_one(state, "two_key_records.eml", DKIMCHECK_PERMERROR,
	           "syntax:several TXT records at the key name");
}

/* libopendkim takes 1024 bytes of key record; more is not a DNS failure. */
static void key_record_too_long_is_permerror(void **state)
{
	expect_one(state, "long_key_record.eml", DKIMCHECK_PERMERROR,
	           "syntax:key record over 1024 bytes");
}

static void testing_key_passes_with_testing(void **state)
{
	expect_one(state, "testing_key.eml", DKIMCHECK_PASS, "testing");
}

static void missing_key_is_permerror(void **state)
{
	expect_one(state, "key_not_found.eml", DKIMCHECK_PERMERROR, "key-not-found");
}

static void dns_failure_is_temperror(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "key_servfail.eml");
	const dkimcheck_signature *s = dkimcheck_message_signature(m, 0);

	assert_non_null(s);
	assert_string_equal(dkimcheck_signature_selector(s), "rsa2048");
	assert_int_equal(dkimcheck_signature_result(s), DKIMCHECK_TEMPERROR);
	assert_string_equal(dkimcheck_signature_detail(s), "dns-error:stub: timeout");
	dkimcheck_message_free(m);
}

static void body_length_tag_reports_unsigned_tail(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "body_length_tail.eml");
	const dkimcheck_signature *s = dkimcheck_message_signature(m, 0);

	assert_int_equal(dkimcheck_signature_result(s), DKIMCHECK_PASS);
	/* "\r\nP.S. unsigned tail added later\r\n" after the signed body */
	assert_int_equal(dkimcheck_signature_unsigned_bytes(s), 34);
	assert_string_equal(dkimcheck_signature_detail(s), "body-length-limit:34 bytes unsigned");
	dkimcheck_message_free(m);
}

static void body_over_several_chunks_passes(void **state)
{
	expect_one(state, "large_body.eml", DKIMCHECK_PASS, "ok");
}

static void lf_only_file_passes(void **state)
{
	expect_one(state, "lf_only.eml", DKIMCHECK_PASS, "ok");
}

static void mbox_from_line_is_skipped(void **state)
{
	expect_one(state, "mbox_from_line.eml", DKIMCHECK_PASS, "ok");
}

static void truncated_file_gets_a_result(void **state)
{
	expect_one(state, "truncated.eml", DKIMCHECK_FAIL, "signature-mismatch");
}

static void two_from_fields_are_flagged(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "two_from.eml");

	assert_true(dkimcheck_message_multiple_from(m));
	assert_int_equal(dkimcheck_message_count(m), 1);
	dkimcheck_message_free(m);
}

static void unsigned_message_is_none(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "no_signature.eml");

	assert_int_equal(dkimcheck_message_count(m), 0);
	assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_NONE);
	assert_false(dkimcheck_message_multiple_from(m));
	dkimcheck_message_free(m);
}

static void each_of_two_signatures_is_reported(void **state)
{
	dkimcheck_message *m = verify_fixture(state, "two_signatures.eml");

	assert_int_equal(dkimcheck_message_count(m), 2);
	assert_int_equal(dkimcheck_signature_result(dkimcheck_message_signature(m, 0)),
	                 DKIMCHECK_PASS);
	assert_int_equal(dkimcheck_signature_result(dkimcheck_message_signature(m, 1)),
	                 DKIMCHECK_PASS);
	dkimcheck_message_free(m);
}

/* A directory opens but cannot be read: the message says why. */
static void unreadable_input_is_reported(void **state)
{
	struct fixture *fx = *state;
	dkimcheck_message *m = NULL;
	int fd = open(MAIL_DIR, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(dkimcheck_verify_fd(fx->v, fd, &m), DKIMCHECK_OK);
	close(fd);
	assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_PERMERROR);
	assert_true(strncmp(dkimcheck_message_detail(m), "unreadable:", 11) == 0);
	dkimcheck_message_free(m);
}

/* Garbage, an empty file and a header-only file: a result, never a crash. */
static void odd_inputs_get_a_result(void **state)
{
	static const char *const inputs[] = {
	    "",
	    "\n",
	    "no colon at all",
	    "From: a@b\nFrom: c@d\n",
	    "DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; b=\xff\xfe; bh=;\r\n\r\nbody",
	    "Subject: \xe9t\xe9\r\nDKIM-Signature: garbage\r\n\r\n",
	    /* Blanks before the colon still make a From field (RFC 5322 obs-FWS). */
	    "From: a@b\r\nFrom      : c@d\r\n\r\nbody",
	};
	struct fixture *fx = *state;
	char path[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/odd-input.eml", MAILAUDIT_TEST_TMPDIR);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		dkimcheck_message *m = NULL;
		FILE *f = fopen(path, "w+b");

		assert_non_null(f);
		fputs(inputs[i], f);
		rewind(f);
		assert_int_equal(dkimcheck_verify_file(fx->v, f, &m), DKIMCHECK_OK);
		assert_non_null(m);
		assert_non_null(dkimcheck_message_detail(m));
		if (i == 3 || i == 6)
			assert_true(dkimcheck_message_multiple_from(m));
		dkimcheck_message_free(m);
		fclose(f);
	}
	remove(path);
}

/* Verifies bytes written to a SOCK_SEQPACKET socket in pieces: each read()
 * of the library returns one piece, as a pipe may. */
static dkimcheck_message *verify_pieces(void **state, const char *const *pieces, size_t n)
{
	struct fixture *fx = *state;
	dkimcheck_message *m = NULL;
	int sv[2];
	size_t i;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(write(sv[0], pieces[i], strlen(pieces[i])),
		                 (ssize_t)strlen(pieces[i]));
	close(sv[0]);
	assert_int_equal(dkimcheck_verify_fd(fx->v, sv[1], &m), DKIMCHECK_OK);
	close(sv[1]);
	assert_non_null(m);
	return m;
}

/* Found by fuzz/message_fuzzer (corpus: regress_mbox_line_short_first_read.eml):
 * a first read shorter than "From " let the mbox line through to libopendkim. */
static void mbox_from_line_split_across_reads_is_skipped(void **state)
{
	static const char *const pieces[] = {"Fr",
	                                     "om alice@example.org Fri Nov 27 20:00:00 2026\n"};
	dkimcheck_message *m = verify_pieces(state, pieces, 2);

	/* Nothing but the mbox line: an empty message, as from a regular file. */
	assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_PERMERROR);
	assert_string_equal(dkimcheck_message_detail(m), "syntax:empty message");
	dkimcheck_message_free(m);
}

/* Found by fuzz/message_fuzzer (corpus: regress_empty_header_section_*.eml):
 * a body after an empty header section aborted the process in libopendkim
 * 2.11 (assert(len != 0) in dkim_header()). No header field: no signature. */
static void empty_header_section_is_none(void **state)
{
	static const char *const inputs[] = {"\nX: y\n", "\r\nbody\r\n",
	                                     "From x\n\nDKIM-Signature: v=1\n"};
	static const char *const split[] = {"\r", "\nX: y\r\n"};
	struct fixture *fx = *state;
	dkimcheck_message *m;
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		FILE *f = fmemopen((void *)(uintptr_t)inputs[i], strlen(inputs[i]), "rb");

		assert_non_null(f);
		m = NULL;
		assert_int_equal(dkimcheck_verify_file(fx->v, f, &m), DKIMCHECK_OK);
		fclose(f);
		assert_non_null(m);
		assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_NONE);
		assert_int_equal(dkimcheck_message_count(m), 0);
		assert_true(dkimcheck_message_missing_from(m));
		dkimcheck_message_free(m);
	}
	m = verify_pieces(state, split, 2);
	assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_NONE);
	assert_int_equal(dkimcheck_message_count(m), 0);
	dkimcheck_message_free(m);
}

/* Found by fuzz/message_fuzzer (corpus: regress_nul_in_*.eml): a NUL in a
 * signed From field made libopendkim 2.11 read past a heap buffer in
 * dkim_eoh(). RFC 5322 allows no NUL in a header: a syntax permerror. */
static void nul_in_header_section_is_permerror(void **state)
{
	static const char msg[] = "DKIM-Signature: v=1; a=rsa-sha256; d=dkim-mail.example; "
	                          "s=rsa2048; h=from; bh=AAAA; b=AAAA\r\nFrom: a\0@b\r\n\r\nx\r\n";
	struct fixture *fx = *state;
	dkimcheck_message *m = NULL;
	FILE *f = fmemopen((void *)(uintptr_t)msg, sizeof(msg) - 1, "rb");

	assert_non_null(f);
	assert_int_equal(dkimcheck_verify_file(fx->v, f, &m), DKIMCHECK_OK);
	fclose(f);
	assert_non_null(m);
	assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_PERMERROR);
	assert_string_equal(dkimcheck_message_detail(m), "syntax:NUL byte in header section");
	assert_int_equal(dkimcheck_message_count(m), 0);
	dkimcheck_message_free(m);
}

/* Found by fuzz/message_fuzzer (regress_nul_after_odkim_header_end_split.eml):
 * with its own LF fixing, libopendkim ended the header at the leading
 * continuation line, and the outcome depended on where the reads split
 * the input. Given CRLF (crlf.h) it reads on to the NUL, which is in the
 * header section: a syntax permerror, for one read or many. */
static void nul_after_leading_continuation_is_permerror(void **state)
{
	static const char msg[] = " x\nY: y\nZ: \0\n\nbody\n";
	struct fixture *fx = *state;
	dkimcheck_message *m = NULL;
	FILE *f = fmemopen((void *)(uintptr_t)msg, sizeof(msg) - 1, "rb");

	assert_non_null(f);
	assert_int_equal(dkimcheck_verify_file(fx->v, f, &m), DKIMCHECK_OK);
	fclose(f);
	assert_non_null(m);
	assert_int_equal(dkimcheck_message_result(m), DKIMCHECK_PERMERROR);
	assert_string_equal(dkimcheck_message_detail(m), "syntax:NUL byte in header section");
	assert_int_equal(dkimcheck_message_count(m), 0);
	dkimcheck_message_free(m);
}

/* A header section without end: stopped at 1 MiB, memory stays bounded. */
static void endless_header_is_cut_off(void **state)
{
	struct fixture *fx = *state;
	dkimcheck_message *m = NULL;
	char path[512];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/endless-header.eml", MAILAUDIT_TEST_TMPDIR);
	f = fopen(path, "w+b");
	assert_non_null(f);
	fputs("DKIM-Signature: v=1; a=rsa-sha256; d=x.example; s=y; h=from; bh=; b=\r\n", f);
	for (i = 0; i < 40000; i++)
		fputs("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
		      f);
	rewind(f);
	assert_int_equal(dkimcheck_verify_file(fx->v, f, &m), DKIMCHECK_OK);
	fclose(f);
	remove(path);
	assert_non_null(m);
	assert_int_equal(dkimcheck_message_count(m), 0);
	assert_string_equal(dkimcheck_message_detail(m), "syntax:header section over 1 MiB");
	dkimcheck_message_free(m);
}

/* libopendkim's key decoding goes through the verifier's cache (keycache.h):
 * on a fresh verifier, three messages signed with one key decode it once,
 * and the tampered one still fails. */
static void decoded_keys_are_reused_across_messages(void **state)
{
	struct fixture *fx = *state;
	size_t hits, misses;

	expect_one(state, "pass_rsa_sha256.eml", DKIMCHECK_PASS, "ok");
	expect_one(state, "pass_rsa_sha256.eml", DKIMCHECK_PASS, "ok");
	expect_one(state, "header_tampered.eml", DKIMCHECK_FAIL, "signature-mismatch");
	dkimcheck__verifier_key_counts(fx->v, &hits, &misses);
	assert_int_equal(misses, 1);
	assert_int_equal(hits, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rsa_sha256_passes_with_evidence),
	    cmocka_unit_test(ed25519_passes),
	    cmocka_unit_test(tampered_body_fails_on_body_hash),
	    cmocka_unit_test(tampered_header_fails_on_signature),
	    cmocka_unit_test(rfc8301_rsa_sha1_is_policy),
	    cmocka_unit_test(rfc8301_512_bit_key_is_policy),
	    cmocka_unit_test(revoked_key_is_permerror),
	    cmocka_unit_test(testing_key_passes_with_testing),
	    cmocka_unit_test(missing_key_is_permerror),
	    cmocka_unit_test(dns_failure_is_temperror),
	    cmocka_unit_test(body_length_tag_reports_unsigned_tail),
	    cmocka_unit_test(body_over_several_chunks_passes),
	    cmocka_unit_test(lf_only_file_passes),
	    cmocka_unit_test(mbox_from_line_is_skipped),
	    cmocka_unit_test(truncated_file_gets_a_result),
	    cmocka_unit_test(two_from_fields_are_flagged),
	    cmocka_unit_test(unsigned_message_is_none),
	    cmocka_unit_test(each_of_two_signatures_is_reported),
	    cmocka_unit_test(unreadable_input_is_reported),
	    cmocka_unit_test(odd_inputs_get_a_result),
	    cmocka_unit_test(endless_header_is_cut_off),
	    cmocka_unit_test(mbox_from_line_split_across_reads_is_skipped),
	    cmocka_unit_test(empty_header_section_is_none),
	    cmocka_unit_test(nul_in_header_section_is_permerror),
	    cmocka_unit_test(nul_after_leading_continuation_is_permerror),
	    cmocka_unit_test(two_key_records_are_permerror),
	    cmocka_unit_test(latin1_headers_pass),
	    cmocka_unit_test(key_record_too_long_is_permerror),
	    cmocka_unit_test_setup_teardown(decoded_keys_are_reused_across_messages, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
