/*
 * dmarc_internal.h -- DMARC inside libdnsaudit: the policy-record parser
 * (dmarc_parse.c), policy discovery and organizational domains
 * (dmarc_discover.c), identifier alignment, the DMARC evaluation and the
 * check of external report destinations (dmarc_eval.c). Shared by the audit
 * collector, the DKIM sample check and the conformance runner.
 *
 * Two specifications are implemented side by side and stay computable for
 * the same domain, because the Internet runs both:
 *   - RFC 9989 (DMARCbis, the default): organizational domain and policy by
 *     the DNS Tree Walk (§4.10), psd=, np=, t=; pct, rf and ri removed.
 *   - RFC 7489: organizational domain from the Public Suffix List (§3.2,
 *     libpsl, the system list), policy at the From domain then at its
 *     organizational domain (§6.6.3); pct, rf, ri defined; no psd/np/t.
 *
 * DNS goes through a lookup callback with the signature of spf_lookup_fn:
 * the CLI answers synchronously (dnsaudit_session_lookup), the audit
 * collects in rounds (dnsaudit__need) and may answer NULL, "not available
 * yet". A NULL never becomes a verdict: results carry an `incomplete` flag
 * and are to be computed again after the next round. The walks ask every
 * name they can already know in the same round, so rounds stay few.
 *
 * What is a finding and what is an error (STYLE rule 5): functions return 0
 * or a negative dnsaudit_status (DNSAUDIT_ENOMEM, DNSAUDIT_EINVAL) only
 * when they could not do their job; a broken record, a missing policy or a
 * SERVFAIL is described in the returned structs.
 *
 * Invariants: no global mutable state (the PSL context is loaded once by
 * the caller and only read here); every input is bounded (record octets,
 * tags, URIs, names, walk queries); record text may hold any byte, NUL
 * included, so it always travels with its length. Strings in the structs
 * are NUL-terminated, owned by the struct and freed by its _free function.
 */
#ifndef DNSAUDIT_DMARC_INTERNAL_H
#define DNSAUDIT_DMARC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <libpsl.h>

#include "source_internal.h"

/* A TXT RR's rdata is at most 65535 octets, so no joined record is longer. */
#define DMARC_MAX_RECORD_OCTETS 65535
/* Bounds on what one record may make us keep; past them a tag error says so. */
#define DMARC_MAX_TAGS   128
#define DMARC_MAX_URIS   32 /* per rua / ruf list */
#define DMARC_MAX_ISSUES 64 /* errors, and warnings, kept per record */
/* RFC 9989 §4.10: at most eight queries per DNS Tree Walk. */
#define DMARC_WALK_MAX_QUERIES 8
/* RFC 9989 §4.10 step 4: names of 8 labels or more are cut to 7. */
#define DMARC_WALK_SHORTCUT_LABELS 7
/* RFC 1035 §2.3.4 / §3.1, presentation form without the final dot. */
#define DMARC_MAX_NAME_OCTETS 253
/* Identifiers one evaluation accepts (SPF + DKIM); more is EINVAL. */
#define DMARC_MAX_IDENTIFIERS 64

/* Which rules apply. Zero is the default: RFC 9989. */
typedef enum { DMARC_SPEC_RFC9989 = 0, DMARC_SPEC_RFC7489 = 1 } dmarc_spec;

const char *dnsaudit__dmarc_spec_name(dmarc_spec s); /* "rfc9989", "rfc7489" */

/* Domain Owner Assessment Policy. UNSET: no policy applies / not known. */
typedef enum {
	DMARC_POLICY_UNSET = 0,
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT
} dmarc_policy;

const char *dnsaudit__dmarc_policy_name(dmarc_policy p); /* "none", ..., "unset" */

typedef enum {
	DMARC_ALIGN_RELAXED = 0, /* same organizational domain */
	DMARC_ALIGN_STRICT       /* identical names */
} dmarc_align_mode;

/* RFC 9989 psd= (default u). */
typedef enum { DMARC_PSD_U = 0, DMARC_PSD_Y, DMARC_PSD_N } dmarc_psd;

/* Every tag either specification defines, plus the rest. */
typedef enum {
	DMARC_TAG_V = 0,
	DMARC_TAG_P,
	DMARC_TAG_SP,
	DMARC_TAG_NP,  /* RFC 9989 (RFC 9091 before it); unknown in RFC 7489 mode */
	DMARC_TAG_PSD, /* RFC 9989 only */
	DMARC_TAG_T,   /* RFC 9989 only */
	DMARC_TAG_ADKIM,
	DMARC_TAG_ASPF,
	DMARC_TAG_PCT, /* RFC 7489 only: removed by RFC 9989 */
	DMARC_TAG_RUA,
	DMARC_TAG_RUF,
	DMARC_TAG_FO,
	DMARC_TAG_RF, /* RFC 7489 only: removed by RFC 9989 */
	DMARC_TAG_RI, /* RFC 7489 only: removed by RFC 9989 */
	DMARC_TAG_UNKNOWN
} dmarc_tag_id;

const char *dnsaudit__dmarc_tag_name(dmarc_tag_id t); /* "v", "p", ..., "unknown" */

/* fo= flags (bit set = option requested). */
#define DMARC_FO_0 0x1u
#define DMARC_FO_1 0x2u
#define DMARC_FO_D 0x4u
#define DMARC_FO_S 0x8u

/* Bits of dmarc_record.removed_used: RFC 9989 Appendix removed these tags. */
#define DMARC_REMOVED_PCT 0x1u
#define DMARC_REMOVED_RF  0x2u
#define DMARC_REMOVED_RI  0x4u

typedef enum {
	DMARC_PARSE_OK = 0,     /* a DMARC record and every tag is valid */
	DMARC_PARSE_TAG_ERRORS, /* a DMARC record with >= 1 entry in errors[] */
	DMARC_PARSE_NOT_DMARC   /* fatal: no valid "v=DMARC1" first (see fatal) */
} dmarc_parse_status;

typedef enum {
	DMARC_ERR_EMPTY = 0, /* fatal: the record is empty */
	DMARC_ERR_VERSION,   /* fatal: does not start with v=DMARC1 */
	DMARC_ERR_TOO_LONG,  /* fatal: over DMARC_MAX_RECORD_OCTETS */
	DMARC_ERR_SYNTAX,    /* a tag-spec is not name=value, an empty tag, bad name */
	DMARC_ERR_VALUE,     /* the value is not allowed for the tag */
	DMARC_ERR_DUPLICATE, /* a tag given twice (the first one counts) */
	DMARC_ERR_MISSING_P, /* RFC 7489 §6.3: p is required, and absent */
	DMARC_ERR_LIMIT,     /* DMARC_MAX_TAGS / _URIS crossed; the rest is ignored */
	DMARC_ERR_OBSOLETE,  /* warnings only: removed tag, !size, p not second */
	DMARC_ERR_NOTE       /* warnings only: anything else worth saying */
} dmarc_error_kind;

/* "empty", "version", "too-long", "syntax", "value", "duplicate",
 * "missing-p", "limit", "obsolete", "note". */
const char *dnsaudit__dmarc_error_kind_name(dmarc_error_kind k);

/* One located problem, e.g. pos 10, "p: 'bob' is not none, quarantine or reject". */
struct dmarc_error {
	size_t pos;            /* byte offset in the record text */
	dmarc_error_kind kind; /* see above */
	dmarc_tag_id tag;      /* the tag concerned (DMARC_TAG_UNKNOWN if none) */
	char reason[192];      /* printable ASCII; quoted bytes shown as '?' */
};

/* One reporting URI of rua= or ruf=. */
struct dmarc_uri {
	char *text;          /* the URI as written, WSP trimmed, without !size */
	size_t pos;          /* byte offset in the record text */
	int valid;           /* 1: RFC 3986 URI syntax with '!' and ',' encoded */
	char *scheme;        /* lowercase scheme ("mailto"), or NULL if !valid */
	int mailto;          /* scheme is mailto */
	char *address;       /* mailto: decoded local@domain, NULL if not usable */
	char *domain;        /* its domain: lowercase, no final dot; or NULL */
	int has_size;        /* a "!size" suffix was given (obsolete in RFC 9989) */
	uint64_t size_limit; /* that limit in octets (saturates at UINT64_MAX) */
};

/* A tag-spec as written (every one, v and unknown tags included). */
struct dmarc_tag {
	dmarc_tag_id id; /* DMARC_TAG_UNKNOWN: not defined in this spec mode */
	char *name;      /* as written (case kept) */
	char *value;     /* WSP trimmed; may hold any byte except NUL (NUL -> error) */
	size_t pos;      /* byte offset of the name */
	size_t value_pos;
	int valid;     /* value accepted (unknown tags: 1 if name and value have valid syntax) */
	int duplicate; /* an earlier tag has the same name; this one is ignored */
};

/*
 * A parsed record. Each value field holds the tag's value when `*_set` is 1
 * (present and valid) and the specification's default otherwise.
 *
 * Missing or invalid policies, per spec mode (documented decision):
 *   RFC 7489 §6.3: p is REQUIRED -> DMARC_ERR_MISSING_P when absent.
 *   RFC 7489 §6.6.3 step 6 / RFC 9989 §4.10.1: an invalid p (7489: or sp;
 *     9989: or sp or np) with at least one syntactically valid rua URI ->
 *     act as "v=DMARC1; p=none" (policy_fallback = 1, every eff_* = none);
 *     without one, no DMARC processing (usable = 0). In RFC 7489 mode an
 *     absent p is handled the same way (it is "not a valid p tag").
 *   RFC 9989 §4.7 (p): an absent p in an otherwise valid record is p=none,
 *     whether or not rua is present (p_absent = 1; not an error).
 */
struct dmarc_record {
	dmarc_spec spec; /* the rules it was parsed under */
	dmarc_parse_status status;
	struct dmarc_error fatal;   /* meaningful when status == DMARC_PARSE_NOT_DMARC */
	struct dmarc_error *errors; /* tag errors in record order (at most DMARC_MAX_ISSUES) */
	size_t nerrors;
	struct dmarc_error *warnings; /* removed tags' bad values (9989), obsolete !size, ... */
	size_t nwarnings;
	struct dmarc_tag *tags; /* every tag-spec in order, v first */
	size_t ntags;
	size_t nunknown; /* tags with id DMARC_TAG_UNKNOWN (ignored, as both RFCs say) */

	dmarc_policy p, sp, np; /* as published (UNSET when absent or invalid) */
	int p_set, sp_set, np_set;
	int p_absent; /* no p tag at all */
	dmarc_psd psd;
	int psd_set;
	int t; /* t=y: test mode (9989), default 0 */
	int t_set;
	dmarc_align_mode adkim, aspf; /* default relaxed */
	int adkim_set, aspf_set;
	unsigned pct; /* default 100 */
	int pct_set;
	unsigned fo; /* DMARC_FO_* bits; default DMARC_FO_0 */
	int fo_set;
	int rf_afrf; /* rf lists afrf (the only registered format); default 1 */
	int rf_set;
	uint32_t ri; /* default 86400 */
	int ri_set;
	struct dmarc_uri *rua, *ruf;
	size_t nrua, nruf;
	int rua_valid;         /* at least one syntactically valid rua URI */
	unsigned removed_used; /* DMARC_REMOVED_* present (pct, rf, ri), either mode */

	/* The policy a receiver applies after the rules above. */
	int usable;          /* 0: "applies no DMARC processing" (bad policy, no rua) */
	int policy_fallback; /* 1: invalid/missing p (sp, np) replaced by p=none via rua */
	dmarc_policy eff_p;  /* for the domain itself */
	dmarc_policy eff_sp; /* existing subdomains: sp, else p */
	dmarc_policy eff_np; /* non-existent subdomains: np (9989), else eff_sp */
};

/*
 * Parse one DMARC policy record (TXT strings joined, any bytes) under the
 * rules of `spec`. Tag names are matched case-insensitively, tag values of
 * the enumerated tags too (ABNF literals); "DMARC1" is case-sensitive. In
 * RFC 7489 mode np, psd and t are unknown tags; in RFC 9989 mode pct, rf
 * and ri are still read (removed_used) but their bad values are warnings,
 * as RFC 9989 ignores them.
 * @param[out] out the record, also for NOT_DMARC (see status and fatal);
 *             free with dnsaudit__dmarc_record_free().
 * @return 0, DNSAUDIT_EINVAL (NULL text with len > 0, NULL out), DNSAUDIT_ENOMEM.
 */
int dnsaudit__dmarc_parse(const char *text, size_t len, dmarc_spec spec, struct dmarc_record **out);
void dnsaudit__dmarc_record_free(struct dmarc_record *rec);

/*
 * 1 when a TXT string starts with a valid v=DMARC1 tag-spec (the selection
 * rule of RFC 7489 §6.6.3 steps 2/4 and RFC 9989 §4.10 steps 2/6), else 0.
 */
int dnsaudit__dmarc_is_record(const char *text, size_t len);

/* ---- DNS and the Public Suffix List ---- */

/*
 * The answer for name/type, or NULL when not available yet (audit rounds).
 * `name` is absolute presentation form ("_dmarc.example.com."). The same
 * signature as spf_lookup_fn, so one adapter serves both engines.
 */
typedef const dnsaudit_answer *(*dmarc_lookup_fn)(void *arg, const char *name, uint16_t type);

struct dmarc_opts {
	dmarc_spec spec;
	dmarc_lookup_fn lookup; /* required by every function that takes opts */
	void *lookup_arg;
	const psl_ctx_t *psl; /* required in RFC 7489 mode (dnsaudit__dmarc_psl_load) */
};

/* Which list RFC 7489 mode uses, for the report. */
struct dmarc_psl_info {
	const char *source; /* "system" (psl_latest) or "builtin" (psl_builtin), static */
	char file[256];     /* path of the list file loaded, or the built-in list's source */
	char date[32];      /* "YYYY-MM-DD" (UTC): that file's mtime / the built-in list's time */
	char libpsl[64];    /* psl_get_version(), e.g. "0.21.2 (+libidn2/2.3.3)" */
};

/*
 * Load the Public Suffix List once (then read-only, shareable between
 * threads): the system list through psl_latest(NULL) (Debian package
 * `publicsuffix`), else the library's built-in list. `info` says which.
 * @param[out] out free with dnsaudit__dmarc_psl_free().
 * @return 0, or DNSAUDIT_ERROR when neither list can be had.
 */
int dnsaudit__dmarc_psl_load(psl_ctx_t **out, struct dmarc_psl_info *info);
void dnsaudit__dmarc_psl_free(psl_ctx_t *psl); /* the built-in list is never freed */

/*
 * RFC 7489 §3.2 organizational domain of a normalised domain: the PSL's
 * registrable domain; a public suffix itself (no registrable part) is its
 * own organizational domain (the RFC leaves the case open).
 * @return 0 with out filled (lowercase, no final dot); DNSAUDIT_EINVAL when
 * the name is not a domain name or out is too small.
 */
int dnsaudit__dmarc_org_domain_psl(const psl_ctx_t *psl, const char *domain, char *out,
                                   size_t size);

/*
 * Normalise a domain for DMARC: lowercase, one final dot dropped, 1-63
 * octet labels of letters, digits, '-' and '_', at most 253 octets.
 * @return 0, or DNSAUDIT_EINVAL ("[192.0.2.1]", empty labels, ...).
 */
int dnsaudit__dmarc_normalize(const char *domain, char *out, size_t size);

/* ---- queries, the DNS Tree Walk, policy discovery ---- */

/* Why a query was made. */
typedef enum {
	DMARC_Q_POLICY = 0, /* _dmarc TXT for policy discovery / the From domain's walk */
	DMARC_Q_ORG,        /* _dmarc TXT of an identifier's or destination's walk (9989) */
	DMARC_Q_EXISTS,     /* A of the From domain: does it exist? (9989 np) */
	DMARC_Q_REPORT      /* <policy>._report._dmarc.<dest> TXT */
} dmarc_query_purpose;

/* One question, in the order first asked; each name/type is listed once. */
struct dmarc_query {
	char *name;    /* presentation, no final dot, e.g. "_dmarc.example.com" */
	uint16_t type; /* 16 (TXT) or 1 (A) */
	dmarc_query_purpose purpose;
	int pending; /* the callback said "not yet" (status then meaningless) */
	dnsaudit_dns_status status;
	unsigned nrecords; /* TXT: RRs that start with v=DMARC1 */
};

typedef enum {
	DMARC_DISC_NONE = 0, /* no policy record applies (or the From domain is no domain) */
	DMARC_DISC_FOUND,    /* policy record found (see record->usable) */
	DMARC_DISC_TEMPERROR /* a DNS failure decided it (timeout, SERVFAIL, ...) */
} dmarc_disc_status;

const char *dnsaudit__dmarc_disc_status_name(dmarc_disc_status s); /* "none", ... */

/* Does the From domain exist? RFC 9989 §3.2 "Non-existent Domains": NXDOMAIN (RFC 8020). */
typedef enum {
	DMARC_EXISTS_NOT_CHECKED = 0, /* not needed: no np, not a subdomain, or 7489 */
	DMARC_EXISTS_YES,             /* A query: NOERROR (data or NODATA) */
	DMARC_EXISTS_NO,              /* NXDOMAIN */
	DMARC_EXISTS_UNKNOWN          /* DNS failure or pending: sp/p is applied */
} dmarc_exists;

/*
 * The organizational domain of one name (either method). RFC 9989: status
 * TEMPERROR when a walk query failed, incomplete when one was pending; org
 * is then NULL. RFC 7489: always found (no DNS).
 */
struct dmarc_org {
	char *domain;             /* the name asked about, normalised */
	char *org;                /* its organizational domain, or NULL when not known */
	dmarc_disc_status status; /* FOUND (org known), TEMPERROR, or NONE (bad name) */
	int incomplete;
	/* RFC 9989 walk facts: how the org was chosen. */
	const char *rule; /* "psd=n", "psd=y", "fewest-labels", "no-record", "psl",
	                     "psl-public-suffix", or "author-and-identifiers" when the
	                     evaluation applied the RFC 9989 §4.10.2 note (static) */
};

struct dmarc_discovery {
	dmarc_spec spec;
	dmarc_disc_status status;
	char *from_domain; /* normalised From domain (or as given when invalid) */
	char *detail;      /* one sentence on how it ended (none/temperror reasons too) */

	/* The policy record applied (status FOUND), else NULLs. */
	struct dmarc_record *record; /* parsed under `spec` */
	char *record_text;           /* joined TXT, presentation-escaped (valid UTF-8 kept) */
	char *policy_domain;         /* where the record was found */
	int inherited;               /* policy_domain != from_domain */
	int psd_policy;              /* 9989: the record is a PSD's (psd=y, not the org) */

	/* Organizational domain of the From domain (independent of status). */
	struct dmarc_org org;

	/* The policy for the From domain: p (own record), else np (9989, From
	 * domain non-existent), else sp, else p. UNSET unless FOUND and usable. */
	dmarc_policy applied;
	const char *applied_tag; /* "p", "sp", "np", or NULL; "p" also for fallbacks */
	dmarc_exists from_exists;
	/* RFC 9989 t=y: the receiver is asked for one level lower (reject ->
	 * quarantine -> none). Equals `applied` otherwise and in 7489 mode. */
	dmarc_policy applied_t;

	struct dmarc_query *queries; /* in order; the evaluation appends its walks */
	size_t nqueries;
	int incomplete; /* some callback answer was NULL: compute again next round */
};

/*
 * Policy discovery for a From domain, with its organizational domain.
 *
 * RFC 9989 (§4.10, §4.10.1, §4.10.2): query _dmarc.<From>; then the DNS
 * Tree Walk up the parents (names of 8+ labels cut to 7 after the first
 * query, so at most 8 queries), stopping at a single record with psd=y or
 * psd=n. Several v=DMARC1 records at one name are discarded there and the
 * walk goes on. The walk always runs (it yields the organizational domain
 * even when the From domain has its own record) and stops at the first DNS
 * failure. Organizational domain: the psd=n record's name; else one label
 * below a psd=y record (not the starting name's); else the record with the
 * fewest labels; else the From domain. Policy: the From domain's record,
 * else the organizational domain's, else the PSD's. For an inherited
 * record with a valid np, the From domain's existence is checked with one
 * A query (NXDOMAIN = non-existent, RFC 9989 "Non-existent Domains").
 *
 * RFC 7489 (§6.6.3, §3.2): query _dmarc.<From>; none there -> the PSL
 * organizational domain, if different; several records at the name asked
 * end discovery (none). No np, psd or t.
 *
 * A DNS failure on a query the outcome depends on is TEMPERROR, never NONE.
 * @param[out] out free with dnsaudit__dmarc_discovery_free().
 * @return 0; DNSAUDIT_EINVAL (no opts/lookup/domain, 7489 without psl); ENOMEM.
 */
int dnsaudit__dmarc_discover(const struct dmarc_opts *o, const char *from_domain,
                             struct dmarc_discovery **out);
void dnsaudit__dmarc_discovery_free(struct dmarc_discovery *d);

/*
 * The organizational domain of any name by the mode's method (9989: a DNS
 * Tree Walk starting at the name itself; 7489: the PSL).
 * @param[in,out] queries/nqueries a query log to append to (may be NULLs).
 * @param[out] out filled; free its strings with dnsaudit__dmarc_org_clear().
 * @return 0, DNSAUDIT_EINVAL, DNSAUDIT_ENOMEM.
 */
int dnsaudit__dmarc_org_domain(const struct dmarc_opts *o, const char *domain,
                               struct dmarc_query **queries, size_t *nqueries,
                               struct dmarc_org *out);
void dnsaudit__dmarc_org_clear(struct dmarc_org *org);

/* ---- alignment and evaluation ---- */

typedef enum {
	DMARC_ALIGNED = 0,
	DMARC_NOT_ALIGNED,
	DMARC_ALIGN_TEMPERROR, /* an organizational domain could not be found (DNS) */
	DMARC_ALIGN_PENDING    /* a walk answer is not available yet */
} dmarc_alignment;

const char *dnsaudit__dmarc_alignment_name(dmarc_alignment a); /* "aligned", ... */

/*
 * Identifier alignment of two names. Strict: identical after
 * normalisation (case and one final dot ignored). Relaxed: identical, or the
 * same organizational domain by the mode's method. A name that is not a
 * domain name aligns with nothing.
 * @return 0 with *out set; DNSAUDIT_EINVAL; DNSAUDIT_ENOMEM.
 */
int dnsaudit__dmarc_aligned(const struct dmarc_opts *o, const char *a, const char *b,
                            dmarc_align_mode mode, dmarc_alignment *out);

typedef enum {
	DMARC_RESULT_NONE = 0, /* no policy applies: no record, unusable record, bad From */
	DMARC_RESULT_PASS,
	DMARC_RESULT_FAIL,
	DMARC_RESULT_TEMPERROR /* DNS failure (or incomplete: see eval.incomplete) */
} dmarc_result;

const char *dnsaudit__dmarc_result_name(dmarc_result r); /* "none", "pass", ... */

/* What the caller authenticated. Domains as seen (case, final dot ignored). */
struct dmarc_eval_input {
	const char *from_domain;        /* RFC5322.From domain (A-labels) */
	const char *const *spf_domains; /* MAIL FROM domains with SPF pass */
	size_t nspf;
	const char *const *dkim_domains; /* d= of DKIM signatures that passed */
	size_t ndkim;
};

/* One authenticated identifier and how it fared. */
struct dmarc_ident {
	char *domain;          /* normalised, or as given when not a domain */
	int dkim;              /* 0: SPF identifier, 1: DKIM identifier */
	dmarc_align_mode mode; /* aspf or adkim of the record */
	dmarc_alignment alignment;
	char *org;        /* its organizational domain when one was needed, else NULL */
	const char *note; /* static: why ("identical to the From domain", ...) */
};

struct dmarc_eval {
	dmarc_result result;
	struct dmarc_discovery *discovery; /* owned; holds the query log of everything */
	/* Shortcuts into discovery (borrowed): */
	const char *policy_domain;  /* NULL unless a record was found */
	const char *org_domain;     /* From's organizational domain, NULL if unknown */
	dmarc_policy policy;        /* discovery->applied (kept with temperror when known) */
	struct dmarc_ident *idents; /* SPF identifiers first, then DKIM, input order */
	size_t nidents;
	int spf_aligned;  /* index into idents of the first aligned SPF one, or -1 */
	int dkim_aligned; /* likewise for DKIM */
	int incomplete;   /* a callback answer was NULL: evaluate again next round */
	char *detail;     /* one sentence on the outcome */
};

/*
 * DMARC evaluation: discovery, then alignment of each SPF and DKIM
 * identifier under aspf/adkim. pass when any identifier aligns (even if
 * other lookups failed); else temperror when an alignment could not be
 * decided for a DNS reason (RFC 9989 §5.3.6 "Apply Policy If Appropriate");
 * else fail.
 * RFC 9989 relaxed alignment walks an identifier only when it is at or
 * below the From domain's organizational domain: no other name can share
 * it. When the From domain has its own record and every identifier equals
 * it, the From domain is the organizational domain (RFC 9989 §4.10.2
 * note), even if the walk above it failed.
 * @param[out] out free with dnsaudit__dmarc_eval_free().
 * @return 0; DNSAUDIT_EINVAL (bad opts/input, > DMARC_MAX_IDENTIFIERS); ENOMEM.
 */
int dnsaudit__dmarc_evaluate(const struct dmarc_opts *o, const struct dmarc_eval_input *in,
                             struct dmarc_eval **out);
void dnsaudit__dmarc_eval_free(struct dmarc_eval *ev);

/* ---- external report destinations (RFC 7489 §7.1, RFC 9990 §4) ---- */

typedef enum {
	DMARC_AUTH_NOT_NEEDED = 0, /* same organizational domain as the policy domain */
	DMARC_AUTH_YES,            /* a TXT RR starting v=DMARC1 at the query name */
	DMARC_AUTH_NO,             /* none there (or the name exceeds 253 octets) */
	DMARC_AUTH_UNKNOWN,        /* DNS failure or pending: ask again later */
	DMARC_AUTH_NOT_APPLICABLE  /* not a mailto: URI with a usable address */
} dmarc_authorization;

const char *dnsaudit__dmarc_authorization_name(dmarc_authorization a); /* "yes", ... */

struct dmarc_destination {
	const struct dmarc_uri *uri; /* borrowed from the record */
	int ruf;                     /* 0: from rua, 1: from ruf */
	char *domain;                /* destination host (mailto domain), or NULL */
	int external;                /* 1 other org, 0 same, -1 not known (DNS) */
	char *query;                 /* "<policy>._report._dmarc.<domain>", or NULL */
	int pending;
	dnsaudit_dns_status status; /* of that query, when asked and not pending */
	dmarc_authorization authorized;
	char *override;   /* rua= (or ruf=) of the authorizing record, if any (§7.1 step 8) */
	int override_ok;  /* 1 when every override URI keeps the destination host */
	const char *note; /* static: short reason */
};

struct dmarc_destinations {
	char *policy_domain;
	char *policy_org;                /* organizational domain of the policy domain, or NULL */
	struct dmarc_destination *items; /* rua URIs first, then ruf, record order */
	size_t n;
	struct dmarc_query *queries; /* walks (9989) and _report queries, in order */
	size_t nqueries;
	int incomplete;
};

/*
 * Check every rua/ruf destination of `rec` (published at policy_domain):
 * whose mailto domain has another organizational domain than the policy
 * domain (the mode's method) is queried at
 * "<policy domain>._report._dmarc.<destination domain>" (TXT); any RR
 * starting with v=DMARC1 authorizes it.
 * @param[out] out free with dnsaudit__dmarc_destinations_free().
 * @return 0; DNSAUDIT_EINVAL; DNSAUDIT_ENOMEM.
 */
int dnsaudit__dmarc_report_destinations(const struct dmarc_opts *o, const char *policy_domain,
                                        const struct dmarc_record *rec,
                                        struct dmarc_destinations **out);
void dnsaudit__dmarc_destinations_free(struct dmarc_destinations *d);

/* ---- shared by the dmarc_*.c files only ---- */

/* Append name/type to a query log unless listed; returns the entry or NULL (no memory). */
struct dmarc_query *dnsaudit__dmarc_log(struct dmarc_query **queries, size_t *n, const char *name,
                                        uint16_t type, dmarc_query_purpose purpose);
void dnsaudit__dmarc_queries_free(struct dmarc_query *queries, size_t n);

/*
 * Ask name (no final dot) through the callback, logging it. For TXT,
 * *ndmarc is set to the number of RRs that are DMARC records and, when
 * exactly one, *text (malloc()ed, joined, may hold NUL: *len) to it.
 * @return 1 answered (see *st), 0 pending, DNSAUDIT_ENOMEM.
 */
int dnsaudit__dmarc_ask(const struct dmarc_opts *o, struct dmarc_query **queries, size_t *n,
                        const char *name, uint16_t type, dmarc_query_purpose purpose,
                        dnsaudit_dns_status *st, unsigned *ndmarc, char **text, size_t *len);

/* 1 when name equals parent or ends with "." parent (both normalised). */
int dnsaudit__dmarc_at_or_below(const char *name, const char *parent);

#endif /* DNSAUDIT_DMARC_INTERNAL_H */
