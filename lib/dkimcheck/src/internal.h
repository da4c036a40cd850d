/*
 * internal.h -- the objects behind the opaque types of dkimcheck.h, shared
 * by the streaming front end (dkimcheck.c) and the libopendkim side
 * (odkim.c). No libopendkim type here either: only odkim.c sees <dkim.h>.
 */
#ifndef DKIMCHECK_INTERNAL_H
#define DKIMCHECK_INTERNAL_H

#include "dkimcheck/dkimcheck.h"

struct dkimcheck_signature {
	char *domain, *selector;
	const char *algorithm; /* static string */
	unsigned int key_bits;
	dkimcheck_result_code result;
	char *detail;
	char *key_record, *key_origin;
	unsigned long long unsigned_bytes;
};

struct dkimcheck_message {
	struct dkimcheck_signature *sigs;
	size_t nsigs;
	dkimcheck_result_code result;
	char *detail;
	unsigned int from_count;
	char *from_domain; /* the RFC 5322.From domain, lowercase; NULL if none */
};

/* One key lookup as the caller answered it: kept as evidence. */
struct dkimcheck__evidence {
	char *name, *record, *origin;
	dkimcheck_key_result result;
};

/* Per-message state handed to libopendkim's key callback (user context). */
struct dkimcheck__keyctx {
	dkimcheck_key_lookup lookup;
	void *payload;
	struct dkimcheck__evidence *ev;
	size_t nev, cap;
	int nomem;    /* a lookup's evidence could not be kept */
	int tempfail; /* a lookup failed: later signatures may be unverified */
	int stopped;  /* libopendkim ended the message early */
};

/* Key decodings the verifier's cache saved and did (tests, benchmarks). */
void dkimcheck__verifier_key_counts(const dkimcheck_verifier *v, size_t *hits, size_t *misses);

char *dkimcheck__strdup(const char *s);
/* Copy with control bytes shown as '?' (safe in tab-separated output). */
char *dkimcheck__printable(const char *s);
char *dkimcheck__join(const char *a, const char *sep, const char *b);

#endif /* DKIMCHECK_INTERNAL_H */
