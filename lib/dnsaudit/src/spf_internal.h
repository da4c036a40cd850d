/*
 * spf_internal.h -- SPF (RFC 7208) inside libdnsaudit: the record parser
 * (spf_parse.c), the macro expander (spf_macro.c) and check_host()
 * (spf_eval.c), shared by the `mailaudit spf` command, the audit collector
 * (spf.c) and the conformance runner.
 *
 * DNS goes through a lookup callback so one evaluator serves both callers:
 * check_host() asks synchronously (dnsaudit_session_lookup), while the audit
 * walks the record in rounds (dnsaudit__need) and may be told "not yet".
 *
 * Invariants: no global state (every call is re-entrant); every record,
 * name and expansion has a ceiling; a record may hold any bytes (NUL too),
 * so record text always travels with its length.
 */
#ifndef DNSAUDIT_SPF_INTERNAL_H
#define DNSAUDIT_SPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "source_internal.h"

/* RFC 7208 §4.6.4 */
#define SPF_MAX_DNS_TERMS    10
#define SPF_MAX_VOID_LOOKUPS 2
#define SPF_MAX_MX_PTR_NAMES 10
/* RFC 7208 §3.4: answers above this may not fit in UDP. */
#define SPF_RECOMMENDED_MAX_OCTETS 450
/* A TXT RR's rdata is at most 65535 octets, so no joined record is longer. */
#define SPF_MAX_RECORD_OCTETS 65535
/* RFC 7208 §7.3: a domain-spec expansion is shortened to this. */
#define SPF_MAX_DOMAIN_OCTETS 253
/* Walk mode (the audit) has no 10-lookup stop, so it has its own bounds. */
#define SPF_WALK_MAX_RECORDS 50
#define SPF_WALK_MAX_TERMS   500

typedef enum {
	SPF_RESULT_NONE = 0,
	SPF_RESULT_NEUTRAL,
	SPF_RESULT_PASS,
	SPF_RESULT_FAIL,
	SPF_RESULT_SOFTFAIL,
	SPF_RESULT_TEMPERROR,
	SPF_RESULT_PERMERROR
} spf_result;

const char *dnsaudit__spf_result_name(spf_result r); /* "pass", ... */

typedef enum {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
	SPF_MOD_REDIRECT,
	SPF_MOD_EXP,
	SPF_MOD_UNKNOWN
} spf_term_kind;

/* "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect",
 * "exp", "unknown-modifier" (static). */
const char *dnsaudit__spf_term_kind_name(spf_term_kind k);

/* Why a node's result is an error (or none), for reports and traces. */
typedef enum {
	SPF_ERR_NONE = 0,
	SPF_ERR_SYNTAX,           /* the record does not parse; error_pos set */
	SPF_ERR_MULTIPLE_RECORDS, /* more than one v=spf1 record (§4.5) */
	SPF_ERR_DNS,              /* timeout, SERVFAIL, ... (temperror) */
	SPF_ERR_LOOKUP_LIMIT,     /* more than 10 DNS-querying terms */
	SPF_ERR_VOID_LIMIT,       /* more than 2 void lookups */
	SPF_ERR_MX_LIMIT,         /* an mx with more than 10 MX names */
	SPF_ERR_LOOP,             /* walk mode: include/redirect back to an ancestor */
	SPF_ERR_NO_RECORD,        /* include/redirect target without a record */
	SPF_ERR_CHILD,            /* include/redirect target's permerror/temperror */
	SPF_ERR_INVALID_DOMAIN,   /* <domain> malformed or not multi-label (none) */
	SPF_ERR_PENDING           /* the lookup callback had no answer yet */
} spf_error_kind;

/* "none", "syntax", "multiple-records", "dns", "lookup-limit", "void-limit",
 * "mx-limit", "loop", "no-record", "child", "invalid-domain", "pending". */
const char *dnsaudit__spf_error_kind_name(spf_error_kind k);

struct spf_term {
	spf_term_kind kind;
	char qualifier;    /* mechanisms: '+', '-', '~', '?' ('+' if unwritten); modifiers: 0 */
	char *text;        /* the term as written */
	size_t pos;        /* byte offset in the record */
	char *domain_spec; /* macro-string or NULL (mechanisms, redirect, exp; unknown: value) */
	char *name;        /* unknown modifier: its name; value in domain_spec */
	int cidr4, cidr6;  /* prefix lengths; -1 when absent */
	int family;        /* ip4/ip6: AF_INET or AF_INET6 */
	unsigned char addr[16];
};

struct spf_record {
	struct spf_term *terms;
	size_t nterms;
	int redirect; /* index of the redirect modifier or -1 */
	int exp;      /* index of the exp modifier or -1 */
	int all;      /* index of the first all mechanism or -1 */
};

struct spf_error {
	size_t pos; /* byte offset of the fault */
	char reason[160];
};

/*
 * Parse one SPF record (the joined TXT string, starting "v=spf1"); the
 * whole record is checked before anything is evaluated (§4.6).
 * @return 0; DNSAUDIT_ERROR (-1) with err filled for a permerror (syntax,
 * duplicate modifier, bytes outside printable ASCII, ...); DNSAUDIT_ENOMEM.
 */
int dnsaudit__spf_parse(const char *record, size_t len, struct spf_record **out,
                        struct spf_error *err);
void dnsaudit__spf_record_free(struct spf_record *rec);

/* 1 when a TXT string is an SPF record ("v=spf1" then space or end, any case). */
int dnsaudit__spf_is_record(const char *txt, size_t len);

/*
 * §4.5 record selection over a TXT answer: each RR's strings are joined
 * with no separator. Returns how many RRs are SPF records; when exactly
 * one, *out is its joined text (malloc()ed, NUL-terminated, may hold NUL:
 * use *len), otherwise *out is NULL. Any status other than OK selects 0.
 * @return the count (0, 1, 2, ...), or DNSAUDIT_ENOMEM.
 */
int dnsaudit__spf_select(const dnsaudit_answer *txt, char **out, size_t *len);

/*
 * §7.1 syntax of a domain-spec (explain == 0: macro-string then domain-end,
 * c/r/t not allowed) or of an explain-string (explain != 0: spaces and
 * c/r/t allowed, no domain-end). err->pos is an offset into spec.
 * @return 0 or -1 with err.
 */
int dnsaudit__spf_macro_check(const char *spec, size_t len, int explain, struct spf_error *err);

struct spf_macro_ctx {
	const char *sender; /* <sender> local@domain (postmaster@helo if empty) */
	const char *domain; /* <domain> being evaluated */
	const char *helo;
	int family; /* AF_INET / AF_INET6 */
	unsigned char ip[16];
	const char *receiver; /* %{r}; "unknown" if NULL */
	long long now;        /* %{t} */
	/* %{p}: the validated name of ip, computed on demand (may be NULL -> "unknown"). */
	const char *(*validated_ptr)(void *arg);
	void *ptr_arg;
};

/*
 * Expand a macro-string (§7). `explain` allows c, r, t and spaces (exp=
 * text). A domain-spec (explain == 0) loses one trailing dot and is
 * shortened per §7.3 to at most 253 octets by dropping left labels.
 * @return 0 with a malloc()ed *out; -1 with err (bad macro syntax, or an
 * expansion over 64 KiB); DNSAUDIT_ENOMEM.
 */
int dnsaudit__spf_expand(const char *spec, const struct spf_macro_ctx *ctx, int explain, char **out,
                         struct spf_error *err);

/*
 * DNS for the evaluator: the answer for name/type, or NULL when it is not
 * available yet (the audit's rounds) — the evaluator then records that the
 * evaluation is incomplete and goes on. `name` is in presentation form
 * (absolute, bytes outside 0x21-0x7E and '\' escaped as ldns reads them).
 */
typedef const dnsaudit_answer *(*spf_lookup_fn)(void *arg, const char *name, uint16_t type);

/* One step of the evaluation, for the trace and the audit's tree. */
struct spf_node {
	char *domain;              /* the <domain> this record belongs to */
	char *record;              /* joined text, escaped; NULL if none */
	size_t record_len;         /* octets of the joined record (unescaped) */
	unsigned nrecords;         /* v=spf1 records found at domain */
	spf_result result;         /* of this check_host() call */
	char *error;               /* why permerror/temperror (or none), if so */
	spf_error_kind error_kind; /* SPF_ERR_NONE when error is NULL */
	size_t error_pos;          /* in the record, for syntax errors */
	struct spf_node_term *terms;
	size_t nterms;
};

struct spf_node_term {
	char *text; /* as written */
	spf_term_kind kind;
	char qualifier;        /* mechanisms: effective qualifier; modifiers: 0 */
	char *target;          /* expanded target name (include, a, mx, ptr, exists,
	                          redirect, exp), or NULL */
	unsigned lookups;      /* 1 if charged against the 10 DNS-querying terms */
	unsigned names;        /* mx/ptr: names whose addresses were looked up */
	unsigned void_lookups; /* 1 if its query found nothing (§4.6.4) */
	int over_limit;        /* 1 if this term crossed a §4.6.4 limit ... */
	spf_error_kind limit;  /* ... which one: LOOKUP_LIMIT, VOID_LIMIT, MX_LIMIT, LOOP */
	int matched;
	int unreachable;        /* after a match (e.g. all) or a redirect beside all:
	                           never evaluated, nothing charged */
	int incomplete;         /* some answer it needed was not available yet */
	char *note;             /* why the term errs or was skipped, or NULL */
	struct spf_node *child; /* include / redirect target, or NULL */
	char **addresses;       /* what a/mx/ip4/ip6 authorize ("192.0.2.0/24") */
	size_t naddresses;
};

struct spf_eval_opts {
	spf_lookup_fn lookup;
	void *lookup_arg;
	int walk; /* nonzero: no mechanism matches (worst-case walk for the audit) */
	const char *receiver;
	long long now;
};

struct spf_eval {
	spf_result result;
	char *explanation;     /* exp= text for fail, or NULL */
	struct spf_node *root; /* the tree: include and redirect children */
	unsigned lookups;      /* DNS-querying terms in total (§4.6.4) */
	unsigned void_lookups;
	int incomplete; /* the lookup callback said "not yet" somewhere */
	int truncated;  /* walk mode stopped at SPF_WALK_MAX_RECORDS / _TERMS */
};

/*
 * check_host(ip, domain, sender) per RFC 7208 §4-§6, with the limits of
 * §4.6.4, loops ended by them, exp= expanded for fail. `family` is AF_INET
 * (ip[0..3]) or AF_INET6; an IPv4-mapped IPv6 address is evaluated as IPv4.
 * `sender` NULL or "" means postmaster@domain; a sender without local-part
 * gets "postmaster". `helo` may be NULL.
 *
 * Walk mode: the evaluation of an address that ip4, ip6, a, mx, ptr and
 * exists never match. `all` and an include whose target passes still match
 * (the terms after them are unreachable for every address, so they are
 * listed but not charged). a and mx ask for both A and AAAA to list the
 * addresses they authorize; void lookups follow `family`. A limit error is
 * recorded (result, over_limit) and the walk goes on through the whole tree,
 * within SPF_WALK_MAX_RECORDS / SPF_WALK_MAX_TERMS; a lookup that returns
 * NULL marks the term incomplete and its subtree is skipped.
 * @return 0 with *out filled (free with dnsaudit__spf_eval_free),
 * DNSAUDIT_EINVAL (no opts/lookup/domain, bad family), DNSAUDIT_ENOMEM.
 */
int dnsaudit__spf_check_host(const struct spf_eval_opts *opts, int family,
                             const unsigned char ip[16], const char *domain, const char *sender,
                             const char *helo, struct spf_eval **out);
void dnsaudit__spf_eval_free(struct spf_eval *ev);

#endif /* DNSAUDIT_SPF_INTERNAL_H */
