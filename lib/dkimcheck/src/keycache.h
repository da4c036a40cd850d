/*
 * keycache.h -- libopendkim decodes the public key of every signature it
 * checks (d2i_PUBKEY_bio on the DER from the key record), and under
 * OpenSSL 3 that decoding costs more than the RSA verification itself:
 * a third of all verification time in bench/dkim. libopendkim has no way to
 * take a decoded key, so keycache.c defines d2i_PUBKEY_bio, which the
 * dynamic linker binds libopendkim's call to, and answers from a small
 * cache of decoded keys owned by the verifier. The cache is used only
 * while dkimcheck__keycache_enter() has made one current on the calling
 * thread; any other call, from any code, goes to OpenSSL's own function.
 */
#ifndef DKIMCHECK_KEYCACHE_H
#define DKIMCHECK_KEYCACHE_H

#include <stddef.h>

struct dkimcheck__keycache;

struct dkimcheck__keycache *dkimcheck__keycache_new(void);
void dkimcheck__keycache_free(struct dkimcheck__keycache *c);

/* Makes c current on this thread until _leave (no nesting). */
void dkimcheck__keycache_enter(struct dkimcheck__keycache *c);
void dkimcheck__keycache_leave(void);

/* How many decodings the cache saved and did (tests, benchmarks). */
void dkimcheck__keycache_counts(const struct dkimcheck__keycache *c, size_t *hits, size_t *misses);

#endif /* DKIMCHECK_KEYCACHE_H */
