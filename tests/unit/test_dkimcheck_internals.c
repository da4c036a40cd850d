/*
 * test_dkimcheck_internals.c -- the two pieces that make verification
 * fast: line ends made CRLF once, in runs (crlf.c), and decoded public
 * keys kept per verifier behind d2i_PUBKEY_bio (keycache.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crlf.h"
#include "keycache.h"

/* The whole input in one chunk, then split at every offset: same output. */
static void assert_crlf(const char *in, const char *want)
{
	size_t n = strlen(in), cut, len;
	unsigned char *out = malloc(DKIMCHECK__CRLF_ROOM(n) + 2);
	struct dkimcheck__crlf st;

	assert_non_null(out);
	for (cut = 0; cut <= n; cut++) {
		dkimcheck__crlf_init(&st);
		len = dkimcheck__crlf_convert(&st, (const unsigned char *)in, cut, out);
		len += dkimcheck__crlf_convert(&st, (const unsigned char *)in + cut, n - cut,
		                               out + len);
		len += dkimcheck__crlf_flush(&st, out + len);
		out[len] = '\0';
		assert_string_equal((char *)out, want);
	}
	free(out);
}

static void line_ends_become_crlf(void **state)
{
	(void)state;
	assert_crlf("A: b\nC: d\n\nbody\n", "A: b\r\nC: d\r\n\r\nbody\r\n");
	assert_crlf("A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n");
	assert_crlf("A: b\r\nC: d\n\nx\r\ny\n", "A: b\r\nC: d\r\n\r\nx\r\ny\r\n");
	assert_crlf("\n\n\n", "\r\n\r\n\r\n");
	assert_crlf("", "");
	assert_crlf("no line end", "no line end");
}

/* libopendkim's header parser keeps a bare CR as a byte of the field; in
 * the body its FIXCRLF made one a line end. Kept so, results unchanged. */
static void bare_cr_is_a_byte_in_the_header_and_a_line_end_in_the_body(void **state)
{
	(void)state;
	assert_crlf("A: b\rc\n\nx\ry\n", "A: b\rc\r\n\r\nx\r\ny\r\n");
	assert_crlf("A: b\r\r\n\r\nx\r\r\n", "A: b\r\r\n\r\nx\r\n\r\n");
	assert_crlf("A: b\n\nend\r", "A: b\r\n\r\nend\r\n");
	assert_crlf("A: b\r", "A: b\r");
	assert_crlf("\r\nbody\rz", "\r\nbody\r\nz");
}

static unsigned char *spki(EVP_PKEY *k, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	assert_true(n > 0);
	*len = (size_t)n;
	return der;
}

static EVP_PKEY *decode(const unsigned char *der, size_t len, size_t *left)
{
	BIO *b = BIO_new_mem_buf(der, (int)len);
	EVP_PKEY *k;

	assert_non_null(b);
	k = d2i_PUBKEY_bio(b, NULL);
	*left = (size_t)BIO_pending(b);
	BIO_free(b);
	return k;
}

static void decoded_keys_are_reused_only_for_the_same_bytes(void **state)
{
	EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *b = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct dkimcheck__keycache *c = dkimcheck__keycache_new();
	size_t la, lb, left, hits, misses;
	unsigned char *da, *db;
	EVP_PKEY *k1, *k2, *k3;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	da = spki(a, &la);
	db = spki(b, &lb);

	/* No cache current: OpenSSL's own function, a new object each time. */
	k1 = decode(da, la, &left);
	k2 = decode(da, la, &left);
	assert_non_null(k1);
	assert_ptr_not_equal(k1, k2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);

	dkimcheck__keycache_enter(c);
	k1 = decode(da, la, &left);
	assert_int_equal(left, 0); /* the bytes are consumed, as OpenSSL does */
	k2 = decode(da, la, &left);
	assert_int_equal(left, 0);
	k3 = decode(db, lb, &left);
	dkimcheck__keycache_leave();

	assert_ptr_equal(k1, k2);
	assert_ptr_not_equal(k1, k3);
	assert_int_equal(EVP_PKEY_eq(k1, a), 1);
	assert_int_equal(EVP_PKEY_eq(k3, b), 1);
	dkimcheck__keycache_counts(c, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2); /* each caller holds its own reference */
	EVP_PKEY_free(k3);
	dkimcheck__keycache_free(c);
	OPENSSL_free(da);
	OPENSSL_free(db);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void garbage_and_trailing_bytes_are_not_cached(void **state)
{
	static const unsigned char junk[] = "\x30\x82\xff\xff not a key";
	EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct dkimcheck__keycache *c = dkimcheck__keycache_new();
	size_t la, left, hits, misses;
	unsigned char *da = spki(a, &la), *longer = malloc(la + 2);
	EVP_PKEY *k;

	(void)state;
	assert_non_null(longer);
	memcpy(longer, da, la);
	memcpy(longer + la, "xy", 2);
	dkimcheck__keycache_enter(c);
	assert_null(decode(junk, sizeof(junk) - 1, &left));
	assert_null(decode(junk, sizeof(junk) - 1, &left));
	k = decode(longer, la + 2, &left);
	assert_non_null(k);
	assert_int_equal(left, 2); /* what follows the key stays in the BIO */
	EVP_PKEY_free(k);
	k = decode(longer, la + 2, &left);
	assert_non_null(k);
	EVP_PKEY_free(k);
	dkimcheck__keycache_leave();
	dkimcheck__keycache_counts(c, &hits, &misses);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 4);
	dkimcheck__keycache_free(c);
	free(longer);
	OPENSSL_free(da);
	EVP_PKEY_free(a);
}

/* More keys than slots: memory stays bounded, the oldest key goes first. */
static void the_cache_is_bounded(void **state)
{
	enum { KEYS = 40 };
	struct dkimcheck__keycache *c = dkimcheck__keycache_new();
	unsigned char *der[KEYS];
	size_t len[KEYS], left, hits, misses, i;

	(void)state;
	dkimcheck__keycache_enter(c);
	for (i = 0; i < KEYS; i++) {
		EVP_PKEY *g = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

		der[i] = spki(g, &len[i]);
		EVP_PKEY_free(g);
		EVP_PKEY_free(decode(der[i], len[i], &left));
	}
	EVP_PKEY_free(decode(der[KEYS - 1], len[KEYS - 1], &left)); /* still there */
	EVP_PKEY_free(decode(der[0], len[0], &left));               /* replaced */
	dkimcheck__keycache_leave();
	dkimcheck__keycache_counts(c, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, KEYS + 1);
	for (i = 0; i < KEYS; i++)
		OPENSSL_free(der[i]);
	dkimcheck__keycache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(line_ends_become_crlf),
	    cmocka_unit_test(bare_cr_is_a_byte_in_the_header_and_a_line_end_in_the_body),
	    cmocka_unit_test(decoded_keys_are_reused_only_for_the_same_bytes),
	    cmocka_unit_test(garbage_and_trailing_bytes_are_not_cached),
	    cmocka_unit_test(the_cache_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
