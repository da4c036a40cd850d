/*
 * audit.h -- audit one domain: collect its mail DNS records into a facts
 * document, run the policy's rules over it, grade it, and render a report.
 *
 * A dnsaudit_ctx binds a source and a policy (both borrowed) and carries the
 * last error message. It is used by one thread at a time; a batch run gives
 * each worker its own ctx and policy, and may share one source.
 * Call xmlInitParser() (libxml2) once from the main thread before starting
 * threads that audit.
 */
#ifndef DNSAUDIT_AUDIT_H
#define DNSAUDIT_AUDIT_H

#include <stddef.h>
#include "dnsaudit/common.h"
#include "dnsaudit/source.h"
#include "dnsaudit/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the domain looks like: a verdict, never an error code. */
typedef enum {
	DNSAUDIT_SEV_INFO = 0,
	DNSAUDIT_SEV_WARN = 1,
	DNSAUDIT_SEV_FAIL = 2
} dnsaudit_severity;

/** @return "info", "warn" or "fail". */
DNSAUDIT_API const char *dnsaudit_severity_name(dnsaudit_severity sev);

/* DMARC policy discovery: RFC 9989's DNS tree walk (the default) or RFC
 * 7489's organizational domain through the Public Suffix List. */
typedef enum { DNSAUDIT_DMARC_RFC9989 = 0, DNSAUDIT_DMARC_RFC7489 = 1 } dnsaudit_dmarc_spec;

/* One DKIM-Signature of a sample message, as verified (see dkimcheck). */
typedef struct {
	const char *domain, *selector, *algorithm; /* d=, s=, a= */
	unsigned int key_bits;
	const char *result;     /* RFC 8601: pass, fail, neutral, policy, temperror, permerror */
	const char *detail;     /* token[:text], e.g. "body-hash-mismatch" */
	const char *key_record; /* the key record as published ("" when none) */
	const char *key_origin; /* where it came from: a zone file, "ADDR:PORT" */
} dnsaudit_sample_signature;

/* A sample message handed to the audit (mailaudit check --eml). */
typedef struct {
	const char *file;
	const char *from_domain; /* RFC 5322.From domain; NULL when there is none */
	int multiple_from;       /* several From fields: never counted as aligned */
	const char *error;       /* the file could not be read: why; else NULL */
	const dnsaudit_sample_signature *signatures;
	size_t signature_count;
} dnsaudit_sample;

typedef struct dnsaudit_ctx dnsaudit_ctx;
typedef struct dnsaudit_report dnsaudit_report;

typedef struct {
	unsigned int version;
	const dnsaudit_source *source; /* required; borrowed */
	const dnsaudit_policy *policy; /* required; borrowed */
	/* DKIM selectors the domain is known to use (each is reported, found or
	 * not); copied by dnsaudit_ctx_new(). */
	const char *const *selectors;
	size_t selector_count;
	/* Common selectors to try when guessing (see dnsaudit_selectors_load());
	 * only those that have a key are reported. Copied. */
	const char *const *common_selectors;
	size_t common_selector_count;
	/* Which DMARC discovery the verdicts follow; the report carries both. */
	dnsaudit_dmarc_spec dmarc_spec;
	/* Sample messages already verified; borrowed: they must outlive the ctx. */
	const dnsaudit_sample *samples;
	size_t sample_count;
} dnsaudit_ctx_options;

#define DNSAUDIT_CTX_OPTIONS_VERSION 1
#define DNSAUDIT_CTX_OPTIONS_INIT                                                                  \
	{                                                                                          \
		DNSAUDIT_CTX_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, 0,                        \
		    DNSAUDIT_DMARC_RFC9989, NULL, 0                                                \
	}

/**
 * Read a list of DKIM selectors: one per line, '#' starts a comment, blank
 * lines are skipped; names are lowercased and repeats dropped.
 * Errors: DNSAUDIT_EINVAL with "path:line: reason" in err (a name that is not
 * a selector, a line over 511 bytes, an unreadable file), DNSAUDIT_ELIMIT
 * beyond 256 selectors.
 * @param[out] out new array of *count_out strings; free with dnsaudit_selectors_free().
 */
DNSAUDIT_API int dnsaudit_selectors_load(char ***out, size_t *count_out, const char *path,
                                         dnsaudit_error *err);
/** Free a list from dnsaudit_selectors_load(); NULL is accepted. */
DNSAUDIT_API void dnsaudit_selectors_free(char **list, size_t count);
/**
 * Whether a string is a DKIM selector (RFC 6376 §3.1: dot-separated labels of
 * letters, digits and '-', '_' tolerated; at most 200 octets).
 * @return 0, or DNSAUDIT_EINVAL.
 */
DNSAUDIT_API int dnsaudit_selector_check(const char *selector);

/**
 * @param[out] out new context; free with dnsaudit_ctx_free().
 * @return 0; DNSAUDIT_EINVAL for a missing source or policy or an invalid
 * selector; DNSAUDIT_ELIMIT for more than 256 selectors in either list.
 */
DNSAUDIT_API int dnsaudit_ctx_new(dnsaudit_ctx **out, const dnsaudit_ctx_options *opts);
DNSAUDIT_API void dnsaudit_ctx_free(dnsaudit_ctx *ctx);
/** @return the last error message on ctx; borrowed, valid until the next call. */
DNSAUDIT_API const char *dnsaudit_ctx_errmsg(const dnsaudit_ctx *ctx);

/**
 * Audit one domain (UTF-8; an internationalised name is converted with
 * IDNA2008). A badly configured domain still yields DNSAUDIT_OK: its problems
 * are findings. DNSAUDIT_EINVAL: the name is not a domain name.
 * @param[out] out new report; free with dnsaudit_report_free().
 */
DNSAUDIT_API int dnsaudit_audit_domain(dnsaudit_report **out, dnsaudit_ctx *ctx,
                                       const char *domain);
DNSAUDIT_API void dnsaudit_report_free(dnsaudit_report *report);

/** The audited name in ASCII (A-labels) and in Unicode; borrowed. */
DNSAUDIT_API const char *dnsaudit_report_domain(const dnsaudit_report *report);
DNSAUDIT_API const char *dnsaudit_report_domain_unicode(const dnsaudit_report *report);
/** Grade letter ("A".."F" as the policy's bands name them) and 0-100 score. */
DNSAUDIT_API const char *dnsaudit_report_grade(const dnsaudit_report *report);
DNSAUDIT_API int dnsaudit_report_score(const dnsaudit_report *report);
/** Nonzero when at least one DNS answer (any rcode) or zone answer came. */
DNSAUDIT_API int dnsaudit_report_answered(const dnsaudit_report *report);
/** DNS counters of the audit (questions, packets, rounds on the critical path). */
DNSAUDIT_API void dnsaudit_report_get_stats(const dnsaudit_report *report,
                                            dnsaudit_session_stats *out);

DNSAUDIT_API size_t dnsaudit_report_finding_count(const dnsaudit_report *report);
/** Stable rule id such as "mx.missing"; borrowed from report. */
DNSAUDIT_API const char *dnsaudit_report_finding_id(const dnsaudit_report *report, size_t i);
DNSAUDIT_API dnsaudit_severity dnsaudit_report_finding_severity(const dnsaudit_report *report,
                                                                size_t i);
DNSAUDIT_API const char *dnsaudit_report_finding_area(const dnsaudit_report *report, size_t i);
/** Number of areas, and the name / status ("ok", "inconclusive") / reason of the i-th. */
DNSAUDIT_API size_t dnsaudit_report_area_count(const dnsaudit_report *report);
DNSAUDIT_API const char *dnsaudit_report_area_name(const dnsaudit_report *report, size_t i);
DNSAUDIT_API const char *dnsaudit_report_area_status(const dnsaudit_report *report, size_t i);
DNSAUDIT_API const char *dnsaudit_report_area_reason(const dnsaudit_report *report, size_t i);

typedef enum {
	DNSAUDIT_FORMAT_TEXT = 0,
	DNSAUDIT_FORMAT_XML,
	DNSAUDIT_FORMAT_JSON,
	DNSAUDIT_FORMAT_HTML /* dnsaudit_report_render_html(); render() uses the default template */
} dnsaudit_format;

/**
 * Render the report. `lang` ("en", "es") selects the texts of the text
 * format; XML and JSON carry every language the policy has.
 * @param[out] out caller-owned NUL-terminated buffer (free()); *len_out its length.
 */
DNSAUDIT_API int dnsaudit_report_render(const dnsaudit_report *report, dnsaudit_format format,
                                        const char *lang, char **out, size_t *len_out);

/**
 * Render the report as one self-contained HTML file through an XSLT 1.0
 * stylesheet (policies/report.xsl, installed as report.xsl; a provider may
 * pass its own). The stylesheet gets the parameter lang ("en" or "es") and
 * may not read or write files or the network while it runs.
 * @param template_path the stylesheet; NULL for the installed default.
 * @param[out] out caller-owned NUL-terminated buffer (free()); *len_out its length.
 * @param err the reason on failure (may be NULL); nothing is printed.
 * @return 0; DNSAUDIT_EINVAL for a bad language or a stylesheet that does
 * not load; DNSAUDIT_ERROR when the transform fails; DNSAUDIT_ENOMEM.
 */
DNSAUDIT_API int dnsaudit_report_render_html(const dnsaudit_report *report, const char *lang,
                                             const char *template_path, char **out, size_t *len_out,
                                             dnsaudit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DNSAUDIT_AUDIT_H */
