/*
 * test_dkim_key.c -- the DKIM key record parser (dkim_key.c) tag by tag,
 * good and bad, with the byte offset of each fault; key sizes through
 * OpenSSL (RSA 512 to 4096, a bare RSAPublicKey, Ed25519 raw and wrapped);
 * and the selector names and list file (dkim.c). The keys were made with
 * `openssl genpkey` and their private halves thrown away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dkim_internal.h"
#include "dnsaudit/dnsaudit.h"

#define RSA512                                                                                     \
	"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAM40zcOArwpyKmm6nXVHGay9YGXbFMX4jUs/kWWbjhtPIiCa"         \
	"9plBPsWAdHdpk8uvRyVuRlPNtPONOkqrMg/9oV0CAwEAAQ=="
#define RSA1024                                                                                    \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCwtuv6HT7zVDlPwPk3Hn/uG+UbDrX9h3uwTL3lIq9Q"         \
	"Ad5R+fiZUbIyNisGPMqvJXdaP2TF4k+6RXWujq/sdbVMwlXDV0RO+ne7ZgtnmhIFdVcDioiDwHYSk4Tb"         \
	"amZi9JLn8wO3h24tgo3hmhn5T8Fh29OzSgY6dIt7QEIHAskYWwIDAQAB"
#define RSA1536                                                                                    \
	"MIHfMA0GCSqGSIb3DQEBAQUAA4HNADCByQKBwQC9p0T2GGc+H1ZaK11MsmgXV6S3Rpt7JnrfHTjifjjl"         \
	"WH8yUwR7OtFFD79H3Sjon7bPEAXmFY1NVfQy4FB49DtBYV/HfSLcxG8SZ2pv1qK3ZNOqpD5Y29PSFVkM"         \
	"T0BUfdIowucIiHnHjlzqwjlTlO8lSPyFJfDS7POMgrzYNR7pE7U9Yx4WRn/MQGwluIJe8iYOBjSST9ev"         \
	"+63XB20Ooi9nWwAsJXnM19gTxo0joT7Cba+6Rq88uJjhmr92Sz72bUkCAwEAAQ=="
#define RSA2048                                                                                    \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv0X6iOdH+HQwDTa6WHh7KkXqTjAkuyEk54+v"         \
	"DQmERdhi6xnOX46dXYLIxgB/Kzk/pJZWgDgcm97TJB7tlfPRKJs5GEWhOkycCrJ5xZUF0XpgxArCkr0J"         \
	"P3xSsxq2FT5d5Jy+QfdwSlujH7URJ/JA7TJCeE9KTPtOP9hvZNotx5r6Z1QKmBQxU1SVwsIE+X0z+BBD"         \
	"cz/TdDMNsR1a0bxqUqpTHr+lt/fmYbniWZ3XQQnExNEXiHlsQNgUTPT/fRR/j3MWHVPsyETQXWlzsRDY"         \
	"H/nS0KK/Xq4hTBPPF0eNNNj0KSrQ593qFnWbvah14abKlyUUjwN38lEXhOinmACsgwIDAQAB"
#define RSA4096                                                                                    \
	"MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAnKNKMJRu17gVCwZobBTuGGbIw6VeQipWozGs"         \
	"QkN3nLrGxKGKQ3QYsXzYJFHaazJ7MdgagYHOrJQnw4KoRynx38RZ10SSX95pd7pYjlPzcGY3bm9oy2EW"         \
	"Wn7S+sCBQzA25zGQnYdMuPzOOH+VxVXOUdX4et0W9Cg2JHhG2fkdv7OWohMYUwUN+TyoSnxOJcU7UQ4t"         \
	"6HqE7/RjDxo+ZkuWjAYm81uQvyOgTzfs4Qr291WMfAqH8YPWFddyy46BvLmLcRXdBL189bljaxDB3n/E"         \
	"L0UmA/hWvjzJUDJseIdeYD0JTS/vX8n/X0wP7ww0SdddPQwksZ4Y2yBh8sSAUGmzn+dBT9cY+Djt5bxt"         \
	"fT8YDclyG9jMvqykhjzypaN4tIS0Jy+i/GmTM103RICLBOTAxjsd61SCGDjd+RCcizdEGt1BWTwQZosv"         \
	"MvluhwFBFFfR5J+e/atvukTENF1ba6takeUZyQOhWWOnIdop5MwqpxSO3apIwG/Hhus2xhC/Atc6A5yV"         \
	"sFa1roLDifa1Xch2rcFzv4LisQH5LCqKAnI946vpjUlo/stJiSbkVSFavRby6lnA9MNgA8W9JVTDTXpt"         \
	"CuvhS7t5x4+OdpImXEFuTI0dMUosMlxxSRAKH9ZwNwrgC32hyTrzPxWQlAJdWfoEz1jG8ylcUmZph8vN"         \
	"1YDUwIMCAwEAAQ=="
#define RSA2048_PKCS1                                                                              \
	"MIIBCgKCAQEAv0X6iOdH+HQwDTa6WHh7KkXqTjAkuyEk54+vDQmERdhi6xnOX46dXYLIxgB/Kzk/pJZW"         \
	"gDgcm97TJB7tlfPRKJs5GEWhOkycCrJ5xZUF0XpgxArCkr0JP3xSsxq2FT5d5Jy+QfdwSlujH7URJ/JA"         \
	"7TJCeE9KTPtOP9hvZNotx5r6Z1QKmBQxU1SVwsIE+X0z+BBDcz/TdDMNsR1a0bxqUqpTHr+lt/fmYbni"         \
	"WZ3XQQnExNEXiHlsQNgUTPT/fRR/j3MWHVPsyETQXWlzsRDYH/nS0KK/Xq4hTBPPF0eNNNj0KSrQ593q"         \
	"FnWbvah14abKlyUUjwN38lEXhOinmACsgwIDAQAB"
#define ED25519_RAW  "TchmbegJoVsK4C0ani5taN2tRs5O9oicq+uOdMm9s1k="
#define ED25519_SPKI "MCowBQYDK2VwAyEATchmbegJoVsK4C0ani5taN2tRs5O9oicq+uOdMm9s1k="
#define P256_SPKI                                                                                  \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFoesVpVoKUwgxNiqKjSB0cZvbhIcJicNZDmyBoQ6sJvy"         \
	"Cq3RvQfliXnCoMgu50LjbtFsnEanqk+xdZH7JL1pTw=="

static struct dkim_key parse(const char *rec)
{
	struct dkim_key k;

	dnsaudit__dkim_key_parse(rec, strlen(rec), &k);
	return k;
}

/* A record that must parse; its key is returned. */
static struct dkim_key good(const char *rec)
{
	struct dkim_key k = parse(rec);

	if (k.error != DKIM_KEY_OK)
		fail_msg("'%.60s...': unexpected error at %zu: %s", rec, k.error_pos, k.reason);
	return k;
}

/* A record that must fail with `kind` at byte `pos`, the reason naming `words`. */
static void bad(const char *rec, enum dkim_key_error kind, size_t pos, const char *words)
{
	struct dkim_key k = parse(rec);

	if (k.error != kind || k.error_pos != pos || strstr(k.reason, words) == NULL)
		fail_msg("'%.60s': got error %d at %zu (%s), want %d at %zu (%s)", rec, k.error,
		         k.error_pos, k.reason, kind, pos, words);
}

static void rsa_key_sizes_come_from_openssl(void **state)
{
	(void)state;
	assert_int_equal(good("v=DKIM1; k=rsa; p=" RSA512).bits, 512);
	assert_int_equal(good("v=DKIM1; k=rsa; p=" RSA1024).bits, 1024);
	assert_int_equal(good("v=DKIM1; k=rsa; p=" RSA1536).bits, 1536);
	assert_int_equal(good("v=DKIM1; k=rsa; p=" RSA2048).bits, 2048);
	assert_int_equal(good("v=DKIM1; k=rsa; p=" RSA4096).bits, 4096);
	assert_int_equal(good("p=" RSA2048).format, DKIM_FORMAT_SPKI);
}

static void a_bare_rsa_public_key_is_accepted_and_noted(void **state)
{
	struct dkim_key k = good("v=DKIM1; p=" RSA2048_PKCS1);

	(void)state;
	assert_int_equal(k.bits, 2048);
	assert_int_equal(k.format, DKIM_FORMAT_PKCS1);
	assert_string_equal(dnsaudit__dkim_key_format_name(k.format), "pkcs1");
}

static void ed25519_keys_are_32_raw_bytes(void **state)
{
	struct dkim_key k = good("v=DKIM1; k=ed25519; p=" ED25519_RAW);

	(void)state;
	assert_int_equal(k.type, DKIM_KEY_ED25519);
	assert_int_equal(k.format, DKIM_FORMAT_RAW);
	assert_int_equal(k.bits, 256);
	assert_int_equal(k.key_octets, 32);
	/* The usual mistake: the SubjectPublicKeyInfo openssl prints. */
	bad("v=DKIM1; k=ed25519; p=" ED25519_SPKI, DKIM_KEY_ERR_KEY, 22, "44-byte");
	bad("v=DKIM1; k=ed25519; p=AAAA", DKIM_KEY_ERR_KEY, 22, "32 bytes, p= has 3");
}

static void the_key_must_match_its_type(void **state)
{
	(void)state;
	bad("v=DKIM1; k=rsa; p=" P256_SPKI, DKIM_KEY_ERR_KEY, 18, "id-ecPublicKey");
	bad("v=DKIM1; p=" ED25519_SPKI, DKIM_KEY_ERR_KEY, 11, "ED25519");
	bad("v=DKIM1; p=QUJD", DKIM_KEY_ERR_KEY, 11, "not an RSA public key");
	/* Trailing bytes after a valid key are not a key either. */
	bad("p=" RSA512 "AAAA", DKIM_KEY_ERR_SYNTAX, 2 + sizeof(RSA512) - 1,
	    "base64 data after '='");
	bad("p=" RSA1024 "QUJD", DKIM_KEY_ERR_KEY, 2, "not an RSA public key");
}

static void an_empty_p_is_a_revoked_key(void **state)
{
	struct dkim_key k = good("v=DKIM1; k=rsa; p=");

	(void)state;
	assert_true(k.revoked);
	assert_int_equal(k.bits, 0);
	assert_true(good("v=DKIM1; p=   ;").revoked);
	assert_true(good("p=").revoked);
	assert_false(good("p=" RSA1024).revoked);
}

static void v_must_be_first_and_dkim1(void **state)
{
	(void)state;
	assert_true(good("v=DKIM1; p=").has_version);
	assert_false(good("p=").has_version);
	bad("k=rsa; v=DKIM1; p=", DKIM_KEY_ERR_SYNTAX, 7, "first");
	bad("v=DKIM2; p=", DKIM_KEY_ERR_SYNTAX, 2, "DKIM1");
	bad("v=dkim1; p=", DKIM_KEY_ERR_SYNTAX, 2, "DKIM1");
	bad("v=; p=", DKIM_KEY_ERR_SYNTAX, 2, "DKIM1");
}

static void k_names_a_key_type(void **state)
{
	struct dkim_key k = good("k=x-future; p=AAAA");

	(void)state;
	assert_int_equal(k.type, DKIM_KEY_UNKNOWN);
	assert_string_equal(k.type_name, "x-future");
	assert_int_equal(k.format, DKIM_FORMAT_NONE);
	/* Tag values are case-sensitive (§3.2): RSA is not rsa. */
	assert_int_equal(good("k=RSA; p=AAAA").type, DKIM_KEY_UNKNOWN);
	assert_int_equal(good("p=").type, DKIM_KEY_RSA);
	assert_string_equal(good("p=").type_name, "rsa");
	bad("k=; p=", DKIM_KEY_ERR_SYNTAX, 2, "k= takes one key type");
	bad("k=rsa-; p=", DKIM_KEY_ERR_SYNTAX, 2, "k= takes");
	bad("k=rsa ed25519; p=", DKIM_KEY_ERR_SYNTAX, 2, "k= takes");
}

static void h_lists_hash_algorithms(void **state)
{
	struct dkim_key k = good("h=sha1; p=");

	(void)state;
	assert_true(k.has_hashes);
	assert_int_equal(k.hashes, DKIM_HASH_SHA1);
	assert_string_equal(k.hash_list, "sha1");
	k = good("h = sha1 :\tsha256 ; p=");
	assert_int_equal(k.hashes, DKIM_HASH_SHA1 | DKIM_HASH_SHA256);
	assert_string_equal(k.hash_list, "sha1 sha256");
	assert_int_equal(good("h=md5; p=").hashes, DKIM_HASH_OTHER);
	assert_false(good("p=").has_hashes);
	bad("h=; p=", DKIM_KEY_ERR_SYNTAX, 2, "h= is empty");
	bad("h=sha1:; p=", DKIM_KEY_ERR_SYNTAX, 7, "ends with ':'");
	bad("h=sha1,sha256; p=", DKIM_KEY_ERR_SYNTAX, 6, "':' expected");
	bad("h=sha1:256; p=", DKIM_KEY_ERR_SYNTAX, 7, "names separated by ':'");
}

static void a_long_list_is_cut_visibly(void **state)
{
	char rec[512] = "h=";
	struct dkim_key k;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), "%s",
		         i ? ":sha256" : "sha256");
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), "; p=");
	k = good(rec);
	assert_true(strlen(k.hash_list) < DKIM_LIST_MAX);
	assert_non_null(strstr(k.hash_list, "..."));
}

static void s_lists_services(void **state)
{
	(void)state;
	assert_int_equal(good("p=").services, DKIM_SERVICE_ANY);
	assert_int_equal(good("s=*; p=").services, DKIM_SERVICE_ANY);
	assert_int_equal(good("s=email; p=").services, DKIM_SERVICE_EMAIL);
	assert_int_equal(good("s=email:x-im; p=").services,
	                 DKIM_SERVICE_EMAIL | DKIM_SERVICE_OTHER);
	assert_string_equal(good("s=x-im; p=").service_list, "x-im");
	bad("s=; p=", DKIM_KEY_ERR_SYNTAX, 2, "s= is empty");
	bad("s=**; p=", DKIM_KEY_ERR_SYNTAX, 3, "':' expected");
}

static void t_flags(void **state)
{
	(void)state;
	assert_int_equal(good("t=y; p=").flags, DKIM_FLAG_TESTING);
	assert_int_equal(good("t=s; p=").flags, DKIM_FLAG_STRICT);
	assert_int_equal(good("t=y:s; p=").flags, DKIM_FLAG_TESTING | DKIM_FLAG_STRICT);
	/* Unknown flags are ignored, but listed. */
	assert_int_equal(good("t=x; p=").flags, 0);
	assert_string_equal(good("t=y:x; p=").flag_list, "y x");
	bad("t=y-; p=", DKIM_KEY_ERR_SYNTAX, 2, "t= takes names");
	bad("t=; p=", DKIM_KEY_ERR_SYNTAX, 2, "t= is empty");
}

static void n_is_quoted_printable(void **state)
{
	struct dkim_key k = good("n=Key=20for=20mail; p=");

	(void)state;
	assert_true(k.has_notes);
	assert_int_equal(k.notes_pos, 2);
	assert_int_equal(k.notes_len, 16);
	assert_true(good("n=; p=").has_notes);
	assert_true(good("n=two words; p=").has_notes);
	bad("n=a=b; p=", DKIM_KEY_ERR_SYNTAX, 3, "=XX");
	bad("n=a=2; p=", DKIM_KEY_ERR_SYNTAX, 3, "=XX");
	bad("n=a=3d; p=", DKIM_KEY_ERR_SYNTAX, 3, "=XX");
}

static void p_is_base64_with_folding_whitespace(void **state)
{
	struct dkim_key k;

	(void)state;
	k = good(
	    "v=DKIM1; "
	    "p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAM40zcOArwpyKmm6nXVHGay9YGXbFMX4jUs/kWWbjhtPIiCa"
	    " \r\n\t9plBPsWAdHdpk8uvRyVuRlPNtPONOkqrMg/9oV0CAwEAAQ = =");
	assert_int_equal(k.bits, 512);
	bad("p=MFww!DQ", DKIM_KEY_ERR_SYNTAX, 6, "'!' is not a base64 character");
	bad("p=QUJD=", DKIM_KEY_ERR_SYNTAX, 6, "not whole base64");
	bad("p=QQ===", DKIM_KEY_ERR_SYNTAX, 6, "more than two '='");
	bad("p=Q", DKIM_KEY_ERR_SYNTAX, 3, "not whole base64");
	bad("p=QQ==QQ", DKIM_KEY_ERR_SYNTAX, 6, "after '=' padding");
	/* Unpadded base64 is accepted: "QQ" is one byte (then not an RSA key). */
	bad("p=QQ", DKIM_KEY_ERR_KEY, 2, "1 bytes");
}

static void the_tag_list_grammar(void **state)
{
	(void)state;
	/* Unknown tags are ignored; FWS around '=' and ';'; a final ';'. */
	assert_true(good("v=DKIM1; x_unknown=what ever; g=*; p=;").revoked);
	assert_true(good(" v = DKIM1 ;\r\n p = ; ").revoked);
	bad("", DKIM_KEY_ERR_SYNTAX, 0, "empty");
	bad("  ", DKIM_KEY_ERR_SYNTAX, 2, "empty");
	bad("v=DKIM1; k=rsa", DKIM_KEY_ERR_SYNTAX, 14, "no p= tag");
	bad("v=DKIM1;; p=", DKIM_KEY_ERR_SYNTAX, 8, "must start with a letter");
	bad("v=DKIM1; 1x=y; p=", DKIM_KEY_ERR_SYNTAX, 9, "must start with a letter");
	bad("v=DKIM1; k rsa; p=", DKIM_KEY_ERR_SYNTAX, 11, "'=' expected after the tag name 'k'");
	bad("v=DKIM1; p=; p=", DKIM_KEY_ERR_SYNTAX, 13, "p= appears twice");
	bad("v=DKIM1; x=1; x=2; p=", DKIM_KEY_ERR_SYNTAX, 14, "x= appears twice");
	bad("v=DKIM1;\n p=", DKIM_KEY_ERR_SYNTAX, 8, "0x0A");
	bad("v=DKIM1; n=a\r\nb; p=", DKIM_KEY_ERR_SYNTAX, 12, "0x0D");
	bad("v=DKIM1; n=caf\xc3\xa9; p=", DKIM_KEY_ERR_SYNTAX, 14, "0xC3");
}

static void bytes_and_sizes_are_bounded(void **state)
{
	static const char nul[] = "v=DKIM1; n=a\0b; p=";
	struct dkim_key k;
	char *big;
	size_t i, n = DKIM_MAX_RECORD_OCTETS + 1;

	(void)state;
	dnsaudit__dkim_key_parse(nul, sizeof(nul) - 1, &k);
	assert_int_equal(k.error, DKIM_KEY_ERR_SYNTAX);
	assert_int_equal(k.error_pos, 12);
	assert_non_null(strstr(k.reason, "0x00"));
	big = malloc(n);
	assert_non_null(big);
	memcpy(big, "p=", 2);
	for (i = 2; i < n; i++)
		big[i] = 'A';
	dnsaudit__dkim_key_parse(big, n, &k);
	assert_int_equal(k.error, DKIM_KEY_ERR_SYNTAX);
	assert_non_null(strstr(k.reason, "longer than a TXT record"));
	/* Near the largest possible record: base64 of zero bytes, not a key. */
	dnsaudit__dkim_key_parse(big, n - 1 - ((n - 3) % 4), &k);
	assert_int_equal(k.error, DKIM_KEY_ERR_KEY);
	free(big);
	/* 65 tags is hostile. */
	big = calloc(1, 65 * 8 + 8);
	assert_non_null(big);
	for (i = 0; i < 65; i++)
		snprintf(big + strlen(big), 9, "x%02zu=1; ", i);
	dnsaudit__dkim_key_parse(big, strlen(big), &k);
	assert_int_equal(k.error, DKIM_KEY_ERR_SYNTAX);
	assert_non_null(strstr(k.reason, "more than 64 tags"));
	free(big);
}

static void candidates_look_like_key_records(void **state)
{
	static const struct {
		const char *rec;
		int want;
	} cases[] = {
	    {"v=DKIM1; p=", 1},
	    {"v=DKIM1", 1},
	    {" v = DKIM1; k=rsa", 1},
	    {"p=MIGf", 1},
	    {"k=rsa; t=y", 1},
	    {"foo=1; p=", 1},
	    {"v=spf1 include:_spf.example -all", 0},
	    {"google-site-verification=abc", 0},
	    {"vp=1; kk=2", 0},
	    {"x=DKIM1; v=DKIM1", 0},
	    {"", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (dnsaudit__dkim_key_is_candidate(cases[i].rec, strlen(cases[i].rec)) !=
		    cases[i].want)
			fail_msg("'%s': want %d", cases[i].rec, cases[i].want);
}

static void selector_names(void **state)
{
	static const char *const valid[] = {
	    "s1", "selector1", "x", "google", "mail.2024", "k1-2", "s_1", "a.b.c", "everlytickey1"};
	static const char *const invalid[] = {"",    "-a", "a-",  "a..b", ".a", "a.",  "a b",
	                                      "a;b", "*",  "a/b", "a\\b", "ñ",  "a.-b"};
	char label[80];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (dnsaudit_selector_check(valid[i]) != 0)
			fail_msg("'%s' should be valid", valid[i]);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (dnsaudit_selector_check(invalid[i]) != DNSAUDIT_EINVAL)
			fail_msg("'%s' should be invalid", invalid[i]);
	assert_int_equal(dnsaudit_selector_check(NULL), DNSAUDIT_EINVAL);
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(dnsaudit_selector_check(label), DNSAUDIT_EINVAL);
	label[63] = '\0';
	assert_int_equal(dnsaudit_selector_check(label), 0);
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", MAILAUDIT_TEST_TMPDIR, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void the_selector_list_file(void **state)
{
	char **list = NULL;
	size_t n = 0;
	dnsaudit_error err;
	const char *path;

	(void)state;
	path = write_tmp("dkim-sel-ok.txt", "# comment\n\n  Default  # cPanel\nx\n\tS1\ndefault\n"
	                                    "selector1\r\nlast-without-newline");
	assert_int_equal(dnsaudit_selectors_load(&list, &n, path, &err), 0);
	assert_int_equal(n, 5);
	assert_string_equal(list[0], "default");
	assert_string_equal(list[1], "x");
	assert_string_equal(list[2], "s1");
	assert_string_equal(list[3], "selector1");
	assert_string_equal(list[4], "last-without-newline");
	dnsaudit_selectors_free(list, n);
	dnsaudit_selectors_free(NULL, 0);

	path = write_tmp("dkim-sel-bad.txt", "s1\n\ns 2\n");
	assert_int_equal(dnsaudit_selectors_load(&list, &n, path, &err), DNSAUDIT_EINVAL);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.message, "dkim-sel-bad.txt:3: not a DKIM selector"));

	assert_int_equal(dnsaudit_selectors_load(&list, &n, "/nonexistent/sel.txt", &err),
	                 DNSAUDIT_EINVAL);
	assert_non_null(strstr(err.message, "/nonexistent/sel.txt"));
}

static void the_selector_list_is_bounded(void **state)
{
	char text[600 * 8] = "", line[800];
	char **list = NULL;
	size_t n = 0, i;
	dnsaudit_error err;
	const char *path;

	(void)state;
	for (i = 0; i < 257; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "s%zu\n", i);
	path = write_tmp("dkim-sel-many.txt", text);
	assert_int_equal(dnsaudit_selectors_load(&list, &n, path, &err), DNSAUDIT_ELIMIT);
	assert_non_null(strstr(err.message, ":257: more than 256"));
	memset(line, 'a', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	path = write_tmp("dkim-sel-long.txt", line);
	assert_int_equal(dnsaudit_selectors_load(&list, &n, path, &err), DNSAUDIT_EINVAL);
	assert_non_null(strstr(err.message, ":1: line too long"));
}

static void the_shipped_list_loads(void **state)
{
	static const char *const expected[] = {"default",   "x",  "mail", "google",     "selector1",
	                                       "selector2", "k1", "s1",   "protonmail", "fm1"};
	char **list = NULL;
	size_t n = 0, i, j;
	dnsaudit_error err;

	(void)state;
	if (dnsaudit_selectors_load(&list, &n, MAILAUDIT_BUILD_DATADIR "/dkim-selectors.txt",
	                            &err) != 0)
		fail_msg("%s", err.message);
	assert_true(n >= 30 && n <= DKIM_MAX_SELECTORS);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		for (j = 0; j < n && strcmp(list[j], expected[i]) != 0; j++)
			;
		if (j == n)
			fail_msg("%s is not in dkim-selectors.txt", expected[i]);
	}
	dnsaudit_selectors_free(list, n);
}

static void the_ctx_checks_and_copies_selectors(void **state)
{
	dnsaudit_ctx_options co = DNSAUDIT_CTX_OPTIONS_INIT;
	const char *bad_sel[] = {"ok", "not ok"};
	const char *sel[] = {"S1", "s1", NULL, "s2"};
	dnsaudit_source *src = NULL;
	dnsaudit_policy *p = NULL;
	dnsaudit_ctx *ctx = NULL;
	dnsaudit_source_options so = DNSAUDIT_SOURCE_OPTIONS_INIT;
	const char *zones[] = {MAILAUDIT_TESTDATA "/zones/dkim-good.example.zone"};
	dnsaudit_error err;
	char many[300][8];
	const char *manyp[300];
	size_t i;

	(void)state;
	so.zones = zones;
	so.zone_count = 1;
	assert_int_equal(dnsaudit_source_new(&src, &so, &err), 0);
	assert_int_equal(dnsaudit_policy_new(&p), 0);
	co.source = src;
	co.policy = p;
	co.selectors = bad_sel;
	co.selector_count = 2;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), DNSAUDIT_EINVAL);
	assert_null(ctx);
	for (i = 0; i < 300; i++) {
		snprintf(many[i], sizeof(many[i]), "s%zu", i);
		manyp[i] = many[i];
	}
	co.selectors = NULL;
	co.selector_count = 0;
	co.common_selectors = manyp;
	co.common_selector_count = 300;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), DNSAUDIT_ELIMIT);
	co.selectors = sel;
	co.selector_count = 4;
	co.common_selector_count = 256;
	assert_int_equal(dnsaudit_ctx_new(&ctx, &co), 0);
	dnsaudit_ctx_free(ctx);
	dnsaudit_ctx_free(NULL);
	dnsaudit_policy_free(p);
	dnsaudit_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rsa_key_sizes_come_from_openssl),
	    cmocka_unit_test(a_bare_rsa_public_key_is_accepted_and_noted),
	    cmocka_unit_test(ed25519_keys_are_32_raw_bytes),
	    cmocka_unit_test(the_key_must_match_its_type),
	    cmocka_unit_test(an_empty_p_is_a_revoked_key),
	    cmocka_unit_test(v_must_be_first_and_dkim1),
	    cmocka_unit_test(k_names_a_key_type),
	    cmocka_unit_test(h_lists_hash_algorithms),
	    cmocka_unit_test(a_long_list_is_cut_visibly),
	    cmocka_unit_test(s_lists_services),
	    cmocka_unit_test(t_flags),
	    cmocka_unit_test(n_is_quoted_printable),
	    cmocka_unit_test(p_is_base64_with_folding_whitespace),
	    cmocka_unit_test(the_tag_list_grammar),
	    cmocka_unit_test(bytes_and_sizes_are_bounded),
	    cmocka_unit_test(candidates_look_like_key_records),
	    cmocka_unit_test(selector_names),
	    cmocka_unit_test(the_selector_list_file),
	    cmocka_unit_test(the_selector_list_is_bounded),
	    cmocka_unit_test(the_shipped_list_loads),
	    cmocka_unit_test(the_ctx_checks_and_copies_selectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
