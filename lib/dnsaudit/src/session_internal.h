/*
 * session_internal.h -- the source and session structs, shared by source.c
 * and session.c only.
 */
#ifndef DNSAUDIT_SESSION_INTERNAL_H
#define DNSAUDIT_SESSION_INTERNAL_H

#include "source_internal.h"

struct dnsaudit_source {
	struct dnsaudit__zoneset *zones; /* NULL without --zone */
	struct dnsaudit__live *live;     /* NULL with zones only */
	dnsaudit__stub_fn stub;          /* tests: answers every question */
	void *stub_payload;
	unsigned timeout_ms, retries, edns_size, deadline_ms;
};

struct cache_entry {
	struct cache_entry *next;
	uint16_t type;
	struct dnsaudit_answer *answer;
	char name[]; /* lowercase, absolute */
};

/* The cache has a ceiling: an audit that asks this many questions is hostile. */
#define DNSAUDIT_SESSION_MAX_ANSWERS 20000u
#define CACHE_BUCKETS                1024u

struct dnsaudit_session {
	const struct dnsaudit_source *source;
	struct cache_entry *buckets[CACHE_BUCKETS];
	size_t entries;
	uint64_t started_ms;
	int expired; /* no more sending: every new question is a local TIMEOUT */
	dnsaudit_session_stats stats;
};

#endif /* DNSAUDIT_SESSION_INTERNAL_H */
