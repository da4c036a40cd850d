/*
 * source_internal.h -- the contract between the session (cache, dispatch)
 * and the two backends: zone files (zones.c) and live servers (live.c).
 *
 * Both backends fill the same struct dnsaudit_answer. Names handed to a
 * backend are absolute, lowercase ldns dnames. Backends never print and never
 * keep state between calls except their immutable configuration, so one
 * backend object may serve many threads at once.
 */
#ifndef DNSAUDIT_SOURCE_INTERNAL_H
#define DNSAUDIT_SOURCE_INTERNAL_H

#include <stdint.h>
#include <ldns/ldns.h>
#include "dnsaudit/source.h"

/* RFC 1034 §3.6.2 gives no bound; resolvers stop at a few. We stop at 16. */
#define DNSAUDIT_MAX_CNAME_CHAIN 16

struct dnsaudit_answer {
	char *qname; /* presentation, lowercase, absolute (trailing dot) */
	uint16_t qtype;
	dnsaudit_dns_status status;
	int rcode; /* LDNS_RCODE_*; -1 when no response came */
	int ad;
	ldns_rr_list *rrs;     /* records of qtype at the end of the chain; owned */
	ldns_rr_list *chain;   /* CNAME records followed, in order; owned */
	char *origin;          /* zone file path or "ADDR:PORT"; owned */
	const char *transport; /* "zone", "udp", "tcp" (static) */
	char *detail;          /* failure detail or NULL; owned */
};

/* Allocates an answer with empty rr lists; status NETERROR until filled. */
struct dnsaudit_answer *dnsaudit__answer_new(const ldns_rdf *qname, uint16_t qtype);
void dnsaudit__answer_free(struct dnsaudit_answer *a);
/* Replace a->detail / a->origin with a copy of s (NULL clears). 0 or -1. */
int dnsaudit__answer_set_detail(struct dnsaudit_answer *a, const char *s);
int dnsaudit__answer_set_origin(struct dnsaudit_answer *a, const char *s);

/* printf into err (message truncated to fit); sets err->code. NULL err ok. */
void dnsaudit__error_set(dnsaudit_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Presentation form of a TXT record's strings, each quoted and escaped
 * with dnsaudit_txt_escape(); and of any other record's rdata (ldns form).
 * Caller-owned (free()); NULL on no memory. (escape.c) */
char *dnsaudit__txt_rdata_str(const ldns_rr *rr);
char *dnsaudit__rr_rdata_str(const ldns_rr *rr);
/*
 * TXT record i of an answer, its character-strings joined (with `sep`
 * between them, or nothing when sep is '\0'), raw and NUL-terminated; the
 * text may hold NUL bytes: use *len. malloc()ed; NULL on no memory.
 * (RFC 7208 §3.3, RFC 6376 §3.6.2.2, RFC 7489 §6.1 all join without one.)
 */
char *dnsaudit__answer_txt_join(const dnsaudit_answer *a, size_t i, char sep, size_t *len);
/* The TXT strings of rr joined with no separator, escaped (not quoted). */
char *dnsaudit__txt_joined_str(const ldns_rr *rr);

/* ---- zone files (zones.c) ---- */

struct dnsaudit__zoneset;

/*
 * Load master files and directories (regular *.zone files in name order).
 * All records form one data set; identical records are merged.
 * Errors: DNSAUDIT_EINVAL with "PATH:LINE: reason" (or "PATH: reason").
 */
int dnsaudit__zoneset_load(struct dnsaudit__zoneset **out, const char *const *paths, size_t n,
                           dnsaudit_error *err);
void dnsaudit__zoneset_free(struct dnsaudit__zoneset *zs);
size_t dnsaudit__zoneset_file_count(const struct dnsaudit__zoneset *zs);
const char *dnsaudit__zoneset_file(const struct dnsaudit__zoneset *zs, size_t i);
/*
 * A file's authority: its SOA owner, else its first $ORIGIN other than the
 * root, else NAME of a NAME.zone file name; NULL when none (the root).
 */
const ldns_rdf *dnsaudit__zoneset_authority(const struct dnsaudit__zoneset *zs, size_t i);
/* 1 when qname is at or below the authority of some loaded file. */
int dnsaudit__zoneset_covers(const struct dnsaudit__zoneset *zs, const ldns_rdf *qname);
/*
 * Answer qname/qtype from the loaded data as an authoritative server would:
 * CNAME chains followed inside the data (loop or > DNSAUDIT_MAX_CNAME_CHAIN:
 * SERVFAIL), RFC 4592 wildcards synthesised with the asked name as owner,
 * empty non-terminals are NODATA, absent names NXDOMAIN. Fills status, rcode,
 * rrs, chain, origin (file that held the answer) and transport "zone".
 * @return 0, or -1 on no memory.
 */
int dnsaudit__zoneset_answer(const struct dnsaudit__zoneset *zs, const ldns_rdf *qname,
                             ldns_rr_type qtype, struct dnsaudit_answer *out);

/* ---- live servers (live.c) ---- */

struct dnsaudit__live;

typedef struct {
	unsigned long packets; /* UDP datagrams and TCP queries sent */
	unsigned long answers; /* queries that got a response with any rcode */
} dnsaudit__live_stats;

/*
 * Parse server specs ("ADDR", "ADDR:PORT", "[V6]:PORT", bare V6 = port 53);
 * with n == 0 and use_system set, read /etc/resolv.conf. Error: EINVAL
 * with a message naming the bad spec.
 */
int dnsaudit__live_new(struct dnsaudit__live **out, const char *const *specs, size_t n,
                       int use_system, unsigned timeout_ms, unsigned retries, unsigned edns_size,
                       dnsaudit_error *err);
void dnsaudit__live_free(struct dnsaudit__live *live);
size_t dnsaudit__live_server_count(const struct dnsaudit__live *live);
const char *dnsaudit__live_server_name(const struct dnsaudit__live *live, size_t i);

struct dnsaudit__live_query {
	const ldns_rdf *qname;       /* IN: absolute, lowercase */
	ldns_rr_type qtype;          /* IN */
	struct dnsaudit_answer *out; /* IN: allocated by the caller; filled */
};

/*
 * Send every query at once (UDP, EDNS0, DO=0, RD=1), retry on timeout
 * rotating servers, fall back to TCP on TC, ignore responses whose id,
 * question or source do not match. Stops sending at deadline_ms (monotonic
 * clock, ms); what is unanswered then is TIMEOUT.
 * @return 0, or -1 on a local failure (no memory).
 */
int dnsaudit__live_resolve(const struct dnsaudit__live *live, struct dnsaudit__live_query *qs,
                           size_t n, uint64_t deadline_ms, dnsaudit__live_stats *stats);

/* ---- stub answers (tests, conformance harnesses) ---- */

/*
 * Fill `out` for qname/qtype (status, rcode, rrs, chain, origin, transport)
 * as the stub's data says; return 0, or -1 on no memory. Called from the
 * session's thread; the payload is the caller's.
 */
typedef int (*dnsaudit__stub_fn)(void *payload, const ldns_rdf *qname, ldns_rr_type qtype,
                                 struct dnsaudit_answer *out);

/* A source that answers every question through fn (kind "stub"). */
int dnsaudit__source_new_stub(dnsaudit_source **out, dnsaudit__stub_fn fn, void *payload,
                              unsigned deadline_ms);

/* From now on the session sends nothing: new questions get a local TIMEOUT. */
void dnsaudit__session_expire(dnsaudit_session *session);

/* Monotonic clock in milliseconds. */
uint64_t dnsaudit__now_ms(void);

#endif /* DNSAUDIT_SOURCE_INTERNAL_H */
