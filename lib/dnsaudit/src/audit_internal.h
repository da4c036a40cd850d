/*
 * audit_internal.h -- what the audit driver, the collectors, the rules
 * engine and the renderers share: the report struct, the collection state,
 * and the helpers that write facts.
 *
 * Collection runs in rounds. Each round every collector rebuilds its facts
 * from the session cache; a lookup whose answer is not cached yet is queued
 * (dnsaudit__need returns NULL) and the collector goes on with what it can.
 * After a round the queue is resolved as one batch, all in flight at once,
 * so the number of rounds is the depth of the lookup dependencies (MX, then
 * the exchanges' addresses), not the number of lookups.
 */
#ifndef DNSAUDIT_AUDIT_INTERNAL_H
#define DNSAUDIT_AUDIT_INTERNAL_H

#include <libxml/tree.h>
#include "dnsaudit/audit.h"
#include "source_internal.h"

/*
 * Rounds of lookups an audit may take: after DNSAUDIT_SEND_ROUNDS nothing is
 * sent any more (deeper lookups become timeouts, so the report still comes
 * out, with what could not be fetched marked); DNSAUDIT_MAX_ROUNDS is the
 * hard stop for collectors that keep asking.
 */
#define DNSAUDIT_SEND_ROUNDS 40
#define DNSAUDIT_MAX_ROUNDS  200

struct dnsaudit__collect {
	dnsaudit_session *session;
	const char *domain; /* ASCII, absolute (trailing dot) */
	dnsaudit_question *queue;
	size_t nqueue, cap;
	int oom;
	/* DKIM selectors (valid, lowercase, no repeats): named by the caller, and guessed. */
	const char *const *selectors;
	size_t nselectors;
	const char *const *common_selectors;
	size_t ncommon;
	/* DMARC: the method the verdicts follow (dmarc_spec) and the PSL. */
	int dmarc_spec;
	const struct psl_ctx_st *psl;
	const struct dmarc_psl_info *psl_info;
	/* Sample messages (check --eml), borrowed from the ctx options. */
	const dnsaudit_sample *samples;
	size_t nsamples;
};

/* The cached answer, or NULL after queueing the question for the next round. */
const dnsaudit_answer *dnsaudit__need(struct dnsaudit__collect *c, const char *name, uint16_t type);

/* A collector adds its facts under `audit` and its <area> verdict. */
typedef int (*dnsaudit__collector)(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_mx(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_txt(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_spf(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_dkim(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_dmarc(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_samples(struct dnsaudit__collect *c, xmlNodePtr audit);
/* Neighbours of MX and SPF (neighbours_internal.h): one file each. */
int dnsaudit__collect_mtasts(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_tlsrpt(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_bimi(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_dane(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_dnssec(struct dnsaudit__collect *c, xmlNodePtr audit);
int dnsaudit__collect_srv(struct dnsaudit__collect *c, xmlNodePtr audit);
/* The round loop: the finished <audit> element (owned by doc), or NULL. */
xmlNodePtr dnsaudit__collect_all(struct dnsaudit__collect *c, xmlDocPtr doc, dnsaudit_error *err);

/* ---- facts helpers (facts.c) ---- */
xmlNodePtr dnsaudit__fact_child(xmlNodePtr parent, const char *name);
void dnsaudit__fact_attr(xmlNodePtr node, const char *name, const char *value);
void dnsaudit__fact_attr_int(xmlNodePtr node, const char *name, long value);
void dnsaudit__fact_attr_bool(xmlNodePtr node, const char *name, int value);
/* A child element with (already escaped, valid UTF-8) text content. */
xmlNodePtr dnsaudit__fact_text(xmlNodePtr parent, const char *name, const char *text);
/* <answer> evidence: question, status, rcode, origin, transport, AD, records. */
xmlNodePtr dnsaudit__fact_answer(xmlNodePtr parent, const dnsaudit_answer *a);
/* <area name=... status="ok|inconclusive" reason=...> under the audit root. */
void dnsaudit__fact_area(xmlNodePtr audit, const char *name, const dnsaudit_answer *decisive);
/* Status of an answer as a string; "pending" for NULL. */
const char *dnsaudit__answer_status_str(const dnsaudit_answer *a);
/* 1 when an answer is a DNS verdict (ok/nxdomain/nodata), 0 for failures. */
int dnsaudit__answer_conclusive(const dnsaudit_answer *a);

/* ---- rules (rules.c) ---- */
struct dnsaudit_policy;
/* Run the rules over doc, append <findings> and set grade/score on the root. */
int dnsaudit__rules_apply(const struct dnsaudit_policy *p, xmlDocPtr doc, dnsaudit_error *err);

/* ---- report ---- */
struct dnsaudit__finding_ref {
	char *id, *area;
	dnsaudit_severity severity;
};
struct dnsaudit__area_ref {
	char *name, *status, *reason;
};

struct dnsaudit_report {
	xmlDocPtr doc;
	char *domain, *domain_unicode;
	char *grade;
	int score;
	int answered;
	long long started; /* time(NULL) when the audit began */
	dnsaudit_session_stats stats;
	struct dnsaudit__finding_ref *findings;
	size_t nfindings;
	struct dnsaudit__area_ref *areas;
	size_t nareas;
};

/* Render helpers (json.c, text.c). */
int dnsaudit__render_json(const struct dnsaudit_report *r, char **out, size_t *len);
int dnsaudit__render_text(const struct dnsaudit_report *r, const char *lang, char **out,
                          size_t *len);

/* IDNA2008 (idn.c): ASCII form with trailing dot stripped, and Unicode form. */
int dnsaudit__domain_normalize(const char *in, char **ascii_out, char **unicode_out,
                               dnsaudit_error *err);

/* A bounded growable string buffer (strbuf.c). */
struct dnsaudit__buf {
	char *data;
	size_t len, cap, max;
	int failed; /* allocation failed or max exceeded */
};
void dnsaudit__buf_init(struct dnsaudit__buf *b, size_t max);
void dnsaudit__buf_add(struct dnsaudit__buf *b, const char *s, size_t n);
void dnsaudit__buf_puts(struct dnsaudit__buf *b, const char *s);
void dnsaudit__buf_printf(struct dnsaudit__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the NUL-terminated data over (or NULL if failed) and resets b. */
char *dnsaudit__buf_take(struct dnsaudit__buf *b, size_t *len);

#endif /* DNSAUDIT_AUDIT_INTERNAL_H */
