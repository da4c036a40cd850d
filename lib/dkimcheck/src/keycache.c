/*
 * keycache.c -- see keycache.h. A decoded EVP_PKEY is only read after
 * decoding (libopendkim takes its RSA view, verifies and frees its
 * reference), so one key serves every signature made with it. Entries are
 * found by their exact DER bytes: a cached key is only ever returned for
 * the very bytes it was decoded from. The cache is bounded (KEYCACHE_SLOTS
 * keys, replaced in turn) and belongs to one verifier, so to one thread at
 * a time; the thread-local pointer says which cache a call may use.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "keycache.h"

#define KEYCACHE_SLOTS 32
/* An RSA-8192 SubjectPublicKeyInfo is about 1.1 KB; larger is not a DKIM key. */
#define KEYCACHE_MAX_DER 4096

struct slot {
	unsigned char *der;
	size_t len;
	EVP_PKEY *pkey;
};

struct dkimcheck__keycache {
	struct slot slot[KEYCACHE_SLOTS];
	size_t next; /* the slot replaced next */
	size_t hits, misses;
};

static _Thread_local struct dkimcheck__keycache *current;

typedef EVP_PKEY *(*d2i_fn)(BIO *, EVP_PKEY **);
static d2i_fn openssl_d2i; /* written once, under pthread_once */
static pthread_once_t openssl_d2i_once = PTHREAD_ONCE_INIT;

static void find_openssl_d2i(void)
{
	openssl_d2i = (d2i_fn)dlsym(RTLD_NEXT, "d2i_PUBKEY_bio");
}

struct dkimcheck__keycache *dkimcheck__keycache_new(void)
{
	return calloc(1, sizeof(struct dkimcheck__keycache));
}

void dkimcheck__keycache_free(struct dkimcheck__keycache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < KEYCACHE_SLOTS; i++) {
		free(c->slot[i].der);
		EVP_PKEY_free(c->slot[i].pkey);
	}
	free(c);
}

void dkimcheck__keycache_enter(struct dkimcheck__keycache *c)
{
	current = c;
}

void dkimcheck__keycache_leave(void)
{
	current = NULL;
}

void dkimcheck__keycache_counts(const struct dkimcheck__keycache *c, size_t *hits, size_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}

/* What OpenSSL's function does with a memory BIO: consume the bytes read. */
static void consume(BIO *bp, size_t len)
{
	unsigned char sink[256];

	while (len > 0) {
		int n = BIO_read(bp, sink, (int)(len < sizeof(sink) ? len : sizeof(sink)));

		if (n <= 0)
			break;
		len -= (size_t)n;
	}
}

static void remember(struct dkimcheck__keycache *c, const unsigned char *der, size_t len,
                     EVP_PKEY *pkey)
{
	struct slot *s = &c->slot[c->next];
	unsigned char *copy = malloc(len);

	if (copy == NULL || EVP_PKEY_up_ref(pkey) != 1) {
		free(copy);
		return; /* not cached: still correct, only slower */
	}
	memcpy(copy, der, len);
	free(s->der);
	EVP_PKEY_free(s->pkey);
	*s = (struct slot){copy, len, pkey};
	c->next = (c->next + 1) % KEYCACHE_SLOTS;
}

static EVP_PKEY *decode_cached(struct dkimcheck__keycache *c, BIO *bp, const unsigned char *der,
                               size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;
	size_t i;

	for (i = 0; i < KEYCACHE_SLOTS; i++) {
		struct slot *s = &c->slot[i];

		if (s->pkey != NULL && s->len == len && memcmp(s->der, der, len) == 0 &&
		    EVP_PKEY_up_ref(s->pkey) == 1) {
			c->hits++;
			consume(bp, len);
			return s->pkey;
		}
	}
	c->misses++;
	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey == NULL)
		return NULL;
	if ((size_t)(p - der) == len) /* no trailing bytes: the key is the whole input */
		remember(c, der, len, pkey);
	consume(bp, (size_t)(p - der));
	return pkey;
}

/* Default visibility: the project builds hidden, and this one must be seen
 * by the dynamic linker to take the place of OpenSSL's for libopendkim. */
__attribute__((visibility("default"))) EVP_PKEY *d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	struct dkimcheck__keycache *c = current;
	char *data = NULL;
	long len;

	if (c != NULL && a == NULL && bp != NULL && BIO_method_type(bp) == BIO_TYPE_MEM &&
	    (len = BIO_get_mem_data(bp, &data)) > 0 && len <= KEYCACHE_MAX_DER)
		return decode_cached(c, bp, (const unsigned char *)data, (size_t)len);
	pthread_once(&openssl_d2i_once, find_openssl_d2i);
	if (openssl_d2i == NULL)
		return NULL; /* cannot happen while OpenSSL is linked dynamically */
	return openssl_d2i(bp, a);
}
