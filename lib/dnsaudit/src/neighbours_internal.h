/*
 * neighbours_internal.h -- the collectors of the records that sit next to
 * a domain's MX and SPF: MTA-STS (RFC 8461), TLS-RPT (RFC 8460), BIMI,
 * DANE TLSA for the MX hosts (RFC 7672), DNSSEC keys (RFC 4034) and the mail
 * client SRV records (RFC 6186, RFC 8314).
 *
 * As everywhere in the audit, collectors write facts and the policy decides.
 * Each collector asks every lookup it can in the first round (TLSA waits for
 * the MX answer, so it goes in the second), and writes one <area> whose
 * status follows the lookup it depends on: a timeout is never "missing".
 *
 * The record parsers are pure functions over bytes (a TXT record may hold
 * anything, NUL included) so the unit tests drive them directly. They report
 * the first error only, with a stable kind (an XML name the rules may test),
 * an English message and the 0-based octet offset where it was found.
 */
#ifndef DNSAUDIT_NEIGHBOURS_INTERNAL_H
#define DNSAUDIT_NEIGHBOURS_INTERNAL_H

#include <stddef.h>
#include "audit_internal.h"

/* TXT records written as facts per name; more is hostile (they are counted). */
#define NB_MAX_RECORDS 16
/* rua URIs kept per TLS-RPT record (all are checked). */
#define NB_MAX_RUA 16
/* RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT). */
#define NB_STS_ID_MAX 32
/* A name built from a prefix and a domain, presentation form, with room for
 * escapes; longer ones are not asked (they cannot exist in DNS). */
#define NB_NAME_MAX 1100

struct nb_error {
	const char *kind;    /* NULL when the record is valid */
	const char *message; /* static English text */
	size_t pos;          /* 0-based octet offset in the record */
};

/* ---- the "v=VERSION; name=value; ..." records (neighbours.c) ---- */

/* One field of a record: offsets into the record, value without edge WSP. */
struct nb_field {
	size_t name, name_len, value, value_len;
};

/*
 * A cursor over the fields of a record. `lenient` selects the DKIM-style
 * tag-list of BIMI (whitespace allowed around names and '='); otherwise the
 * field grammar of RFC 8461 §3.1 and RFC 8460 §3 is applied to the letter:
 * no leading whitespace, "name=value" with nothing around '=', fields
 * separated by *WSP ";" *WSP, and an optional final ';'.
 */
struct nb_cursor {
	const char *s;
	size_t len, pos;
	int started, lenient;
};

void dnsaudit__nb_cursor_init(struct nb_cursor *cur, const char *s, size_t len, int lenient);
/* 1: the next field is in *f; 0: end of record; -1: syntax error in *err. */
int dnsaudit__nb_next_field(struct nb_cursor *cur, struct nb_field *f, struct nb_error *err);
/* 1 when field f's name is `name` (case-sensitive, as the ABNFs' %s). */
int dnsaudit__nb_field_is(const char *s, const struct nb_field *f, const char *name);
/*
 * Reads the first field, which must be exactly "v=<version>" (e.g. "STSv1").
 * 0, or -1 with err set (kind "version").
 */
int dnsaudit__nb_version(struct nb_cursor *cur, const char *version, struct nb_error *err);
/* RFC 8461/8460 extension value: 1*(%x21-3A / %x3C / %x3E-7E). -1 with err. */
int dnsaudit__nb_ext_value(const char *s, const struct nb_field *f, struct nb_error *err);
/* 1 (err set) when f is `name` in another letter case ("ID=" for "id="). */
int dnsaudit__nb_wrong_case(const char *s, const struct nb_field *f, const char *name,
                            struct nb_error *err);
/* 1 when s[0, len) starts with p (lower case) in any letter case. */
int dnsaudit__nb_prefix_ci(const char *s, size_t len, const char *p);
/* Offset of the first octet of s[0, len) that no URI holds (RFC 3986 §2), or len. */
size_t dnsaudit__nb_uri_bad_octet(const char *s, size_t len);
/* "https://" (any case) followed by a host. */
int dnsaudit__nb_is_https(const char *s, size_t len);
void dnsaudit__nb_error_set(struct nb_error *err, const char *kind, const char *message,
                            size_t pos);

/* ---- parsers, one per record kind ---- */

struct nb_mtasts {
	char id[NB_STS_ID_MAX + 1];
	size_t extensions;
	struct nb_error err;
};
/* RFC 8461 §3.1. @return 1 valid, 0 invalid (out->err says where). */
int dnsaudit__mtasts_parse(const char *s, size_t len, struct nb_mtasts *out);

struct nb_uri {
	size_t pos, len;
	const char *scheme; /* "mailto" or "https" (static) */
};
struct nb_tlsrpt {
	struct nb_uri rua[NB_MAX_RUA];
	size_t nrua;     /* URIs kept in rua[] */
	size_t rua_seen; /* all URIs of the rua field */
	struct nb_error err;
};
/* RFC 8460 §3. @return 1 valid, 0 invalid. */
int dnsaudit__tlsrpt_parse(const char *s, size_t len, struct nb_tlsrpt *out);

struct nb_bimi {
	int has_l, has_a;
	size_t l_pos, l_len, a_pos, a_len;
	struct nb_error err;
};
/* BIMI assertion record (v=BIMI1; l=...; a=...). @return 1 valid, 0 invalid. */
int dnsaudit__bimi_parse(const char *s, size_t len, struct nb_bimi *out);

struct nb_tlsa {
	const char *usage_name, *selector_name, *matching_name; /* NULL: unknown */
	int usable; /* valid and usable by SMTP (RFC 7672 §3.1.3: DANE-TA, DANE-EE) */
	struct nb_error err;
};
/* RFC 6698 §2.1, RFC 7218 names, RFC 7672. @return 1 valid, 0 invalid. */
int dnsaudit__tlsa_check(unsigned usage, unsigned selector, unsigned matching, size_t data_len,
                         struct nb_tlsa *out);

/* RFC 8624 §3.1: algorithms that must not or should not sign any more. */
int dnsaudit__dnssec_alg_deprecated(unsigned algorithm);

/* ---- shared collector pieces (neighbours.c) ---- */

/* prefix + domain into buf; -1 when it does not fit. */
int dnsaudit__nb_name(char *buf, size_t size, const char *prefix, const char *domain);
/* s[0, len) escaped (dnsaudit_txt_escape) as attribute `name`; -1 on no memory. */
int dnsaudit__nb_attr_bytes(xmlNodePtr node, const char *name, const char *s, size_t len);
/* error, error-kind, error-position attributes (nothing when valid). */
void dnsaudit__nb_error_facts(xmlNodePtr node, const struct nb_error *err);

/* A TXT-published policy record: where it lives and how it is parsed. */
struct nb_txt_kind {
	const char *elem;    /* element and area name: "mta-sts" */
	const char *prefix;  /* owner label(s) before the domain: "_mta-sts." */
	const char *version; /* exact start senders select on: "v=STSv1" */
	size_t family_len;   /* leading octets of version that, in any case, make a candidate */
	int lenient;         /* DKIM-style tag list: WSP may come first */
	/* Parse one record, add its own facts to rec; 1 valid, 0 invalid, -1 no memory. */
	int (*record)(xmlNodePtr rec, const char *s, size_t len);
};

/*
 * Facts for one TXT policy record kind: every candidate record with
 * selected/valid and what its parser found, the counts, and the area.
 */
int dnsaudit__nb_collect_txt(struct dnsaudit__collect *c, xmlNodePtr audit,
                             const struct nb_txt_kind *k);

#endif /* DNSAUDIT_NEIGHBOURS_INTERNAL_H */
