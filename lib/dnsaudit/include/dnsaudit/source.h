/*
 * source.h -- the one DNS interface every check asks through.
 *
 * A dnsaudit_source is the configuration of where answers come from: a live
 * resolver list (ldns), loaded zone files, or both (overlay: names at or below
 * a zone file's authority come from the files, the rest from the resolvers).
 * Once created it is immutable and may be shared by any number of threads.
 *
 * A dnsaudit_session is one audit's view of a source: its answer cache (each
 * name and type asked once), its deadline and its counters; sockets live
 * only for the duration of one dnsaudit_session_resolve() call. A session is used
 * by one thread at a time; a batch runs one session per audit.
 *
 * Failure is not absence: every answer carries one dnsaudit_dns_status and it
 * is never folded into another (a timeout is not NXDOMAIN).
 */
#ifndef DNSAUDIT_SOURCE_H
#define DNSAUDIT_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "dnsaudit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	DNSAUDIT_DNS_OK = 0,   /* records of the asked type */
	DNSAUDIT_DNS_NXDOMAIN, /* the name does not exist */
	DNSAUDIT_DNS_NODATA,   /* the name exists, without that type */
	DNSAUDIT_DNS_SERVFAIL, /* SERVFAIL, or another failure rcode */
	DNSAUDIT_DNS_REFUSED,
	DNSAUDIT_DNS_TIMEOUT, /* no usable answer before the deadline */
	DNSAUDIT_DNS_NETERROR /* socket error, unreachable server */
} dnsaudit_dns_status;

/** @return "ok", "nxdomain", "nodata", "servfail", "refused", "timeout" or "neterror". */
DNSAUDIT_API const char *dnsaudit_dns_status_name(dnsaudit_dns_status status);

typedef struct dnsaudit_source dnsaudit_source;
typedef struct dnsaudit_session dnsaudit_session;
typedef struct dnsaudit_answer dnsaudit_answer;

typedef struct {
	unsigned int version;
	/* "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address (port 53). */
	const char *const *resolvers;
	size_t resolver_count;
	/* Zone files or directories of *.zone files. */
	const char *const *zones;
	size_t zone_count;
	/* With zones only: when set, use /etc/resolv.conf for other names. */
	int system_resolver;
	unsigned int timeout_ms; /* per attempt; 0 = default (2000) */
	unsigned int retries;    /* extra attempts after the first; default 2 */
	int retries_set;         /* nonzero: `retries` is meant, even if 0 */
	unsigned int edns_size;  /* 0 = default (1232) */
	/* A whole audit; 0 = default: 25000, or (retries + 1) * timeout + 5000 if larger. */
	unsigned int deadline_ms;
} dnsaudit_source_options;

#define DNSAUDIT_SOURCE_OPTIONS_VERSION 1
#define DNSAUDIT_SOURCE_OPTIONS_INIT                                                               \
	{                                                                                          \
		DNSAUDIT_SOURCE_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, 0, 0, 0, 0, 0                \
	}

/**
 * Create a source. Zone files are loaded and checked here: a syntax error is
 * DNSAUDIT_EINVAL with "file:line: reason" in err.
 * With no resolver and no zone, the system resolver (/etc/resolv.conf) is used.
 * @param[out] out new source; free with dnsaudit_source_free().
 */
DNSAUDIT_API int dnsaudit_source_new(dnsaudit_source **out, const dnsaudit_source_options *opts,
                                     dnsaudit_error *err);
DNSAUDIT_API void dnsaudit_source_free(dnsaudit_source *source);

/** @return "live", "zones", "overlay" (or "stub" in tests); static string. */
DNSAUDIT_API const char *dnsaudit_source_kind(const dnsaudit_source *source);
/** Number of zone files loaded, and the path of the i-th (borrowed). */
DNSAUDIT_API size_t dnsaudit_source_zone_file_count(const dnsaudit_source *source);
DNSAUDIT_API const char *dnsaudit_source_zone_file(const dnsaudit_source *source, size_t i);
/** Number of resolvers, and the i-th as "ADDR:PORT" or "[V6]:PORT" (borrowed). */
DNSAUDIT_API size_t dnsaudit_source_resolver_count(const dnsaudit_source *source);
DNSAUDIT_API const char *dnsaudit_source_resolver(const dnsaudit_source *source, size_t i);

/** @param[out] out new session; free with dnsaudit_session_free(). */
DNSAUDIT_API int dnsaudit_session_new(dnsaudit_session **out, const dnsaudit_source *source);
DNSAUDIT_API void dnsaudit_session_free(dnsaudit_session *session);

/** One question of a batch. */
typedef struct {
	const char *name; /* presentation form, absolute or not */
	uint16_t type;    /* RR type number */
} dnsaudit_question;

/**
 * Resolve a batch: every question not yet cached is in flight at once.
 * Answers (also failures) are cached and read with dnsaudit_session_get().
 * @return 0, or a negative status for a local failure (bad name, no memory).
 */
DNSAUDIT_API int dnsaudit_session_resolve(dnsaudit_session *session, const dnsaudit_question *qs,
                                          size_t count);

/** @return the cached answer for name/type, or NULL if it was never asked. Borrowed. */
DNSAUDIT_API const dnsaudit_answer *dnsaudit_session_get(dnsaudit_session *session,
                                                         const char *name, uint16_t type);

/** Resolve one question and return its answer (borrowed), or NULL on a local failure. */
DNSAUDIT_API const dnsaudit_answer *dnsaudit_session_lookup(dnsaudit_session *session,
                                                            const char *name, uint16_t type);

/** Counters of a session. */
typedef struct {
	unsigned long queries; /* questions sent to servers or answered by zones */
	unsigned long packets; /* UDP/TCP messages sent, retries included */
	unsigned long answers; /* questions that got any answer (any rcode) */
	unsigned long rounds;  /* batches that sent at least one question */
	unsigned long cache_hits;
} dnsaudit_session_stats;

DNSAUDIT_API void dnsaudit_session_get_stats(const dnsaudit_session *session,
                                             dnsaudit_session_stats *out);

/* Answers (borrowed from their session). */
DNSAUDIT_API dnsaudit_dns_status dnsaudit_answer_status(const dnsaudit_answer *a);
DNSAUDIT_API int dnsaudit_answer_rcode(const dnsaudit_answer *a);
/** AD flag of the response (0 for zone answers). */
DNSAUDIT_API int dnsaudit_answer_ad(const dnsaudit_answer *a);
/** Where the answer came from: the zone file path, or the server "ADDR:PORT". */
DNSAUDIT_API const char *dnsaudit_answer_origin(const dnsaudit_answer *a);
/** "zone", "udp", "tcp", or "local" for a question never sent (invalid name, deadline). */
DNSAUDIT_API const char *dnsaudit_answer_transport(const dnsaudit_answer *a);
/** Detail of a failure (e.g. "connection refused"), or "" . */
DNSAUDIT_API const char *dnsaudit_answer_detail(const dnsaudit_answer *a);
/** Records of the asked type, after any CNAME chain. */
DNSAUDIT_API size_t dnsaudit_answer_count(const dnsaudit_answer *a);
/**
 * The i-th record's data in zone-file presentation form, caller-owned
 * (free()). TXT character-strings are written quoted and escaped as
 * dnsaudit_txt_escape() does.
 */
DNSAUDIT_API char *dnsaudit_answer_rdata(const dnsaudit_answer *a, size_t i);
/** CNAME records followed to reach the answer, in order. */
DNSAUDIT_API size_t dnsaudit_answer_cname_count(const dnsaudit_answer *a);
/** Target of the i-th CNAME, presentation form, caller-owned (free()). */
DNSAUDIT_API char *dnsaudit_answer_cname_target(const dnsaudit_answer *a, size_t i);
/** Number of character-strings of TXT record i, and string j (not NUL-terminated). */
DNSAUDIT_API size_t dnsaudit_answer_txt_count(const dnsaudit_answer *a, size_t i);
DNSAUDIT_API const unsigned char *dnsaudit_answer_txt_string(const dnsaudit_answer *a, size_t i,
                                                             size_t j, size_t *len);

/**
 * Escape bytes to presentation form: valid UTF-8 is kept, a backslash is
 * "\\\\", a double quote is "\\\"" when `quote` is set, and a byte below
 * 0x20, 0x7F, each byte of an invalid UTF-8 sequence and each byte of
 * U+FFFE/U+FFFF is "\\DDD". The result is valid UTF-8 that XML 1.0 allows.
 * @return caller-owned NUL-terminated string (free()), or NULL on no memory.
 */
DNSAUDIT_API char *dnsaudit_txt_escape(const unsigned char *data, size_t len, int quote);

#ifdef __cplusplus
}
#endif
#endif /* DNSAUDIT_SOURCE_H */
