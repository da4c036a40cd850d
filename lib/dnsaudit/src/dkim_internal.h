/*
 * dkim_internal.h -- DKIM key records inside libdnsaudit: the strict parser
 * of the tag list published at <selector>._domainkey.<domain> (RFC 6376
 * §3.6.1, with RFC 8301's hash rules and RFC 8463's Ed25519 keys), the key
 * checks (RSA size through OpenSSL, Ed25519 length), and the selector names
 * the collector (dkim.c) is given.
 *
 * Invariants: no global state, no printing; a record may hold any bytes
 * (NUL too), so it always travels with its length; every position is a byte
 * offset into the record as published (the TXT strings joined).
 */
#ifndef DNSAUDIT_DKIM_INTERNAL_H
#define DNSAUDIT_DKIM_INTERNAL_H

#include <stddef.h>

/* A TXT RR's rdata is at most 65535 octets, so no joined record is longer. */
#define DKIM_MAX_RECORD_OCTETS 65535
/* RFC 6376 §3.1: a selector is dot-separated labels; DNS caps a label at 63. */
#define DKIM_MAX_SELECTOR_OCTETS 200
#define DKIM_MAX_LABEL_OCTETS    63
/* Selectors one audit looks up (explicit and common); a longer list is refused. */
#define DKIM_MAX_SELECTORS 256

enum dkim_key_type { DKIM_KEY_RSA = 0, DKIM_KEY_ED25519, DKIM_KEY_UNKNOWN };

/* How p= was encoded. */
enum dkim_key_format {
	DKIM_FORMAT_NONE = 0, /* revoked, unknown type, or not decodable */
	DKIM_FORMAT_SPKI,     /* DER SubjectPublicKeyInfo (RFC 6376 §3.6.1) */
	DKIM_FORMAT_PKCS1,    /* a bare DER RSAPublicKey, as some publish */
	DKIM_FORMAT_RAW       /* Ed25519: the 32 raw bytes (RFC 8463 §4) */
};

/* Where a record fails: its grammar, or the key material in p=. */
enum dkim_key_error { DKIM_KEY_OK = 0, DKIM_KEY_ERR_SYNTAX, DKIM_KEY_ERR_KEY };

#define DKIM_HASH_SHA1   0x1u
#define DKIM_HASH_SHA256 0x2u
#define DKIM_HASH_OTHER  0x4u

#define DKIM_SERVICE_ANY   0x1u /* s=* */
#define DKIM_SERVICE_EMAIL 0x2u
#define DKIM_SERVICE_OTHER 0x4u

#define DKIM_FLAG_TESTING 0x1u /* t=y */
#define DKIM_FLAG_STRICT  0x2u /* t=s: no subdomains in i= */

/* Token lists (k=, h=, s=, t=) as written, space-separated; longer ones are cut. */
#define DKIM_LIST_MAX 64

struct dkim_key {
	int has_version;               /* v=DKIM1 given */
	enum dkim_key_type type;       /* from k=; rsa when absent */
	char type_name[DKIM_LIST_MAX]; /* k= as written ("rsa" when absent) */
	int has_hashes;                /* h= given */
	unsigned hashes;               /* DKIM_HASH_* named in h= */
	char hash_list[DKIM_LIST_MAX];
	int has_services;  /* s= given */
	unsigned services; /* DKIM_SERVICE_*; any when absent */
	char service_list[DKIM_LIST_MAX];
	unsigned flags; /* DKIM_FLAG_* */
	char flag_list[DKIM_LIST_MAX];
	int has_notes;
	size_t notes_pos, notes_len; /* n= value inside the record */
	int revoked;                 /* p= empty (§3.6.1) */
	enum dkim_key_format format;
	size_t key_octets; /* decoded length of p= */
	int bits;          /* RSA modulus bits; 256 for Ed25519; 0 unknown */
	enum dkim_key_error error;
	size_t error_pos; /* byte offset of the fault */
	char reason[160];
};

/*
 * Parse a key record and check its key. A record that breaks the grammar
 * gets error DKIM_KEY_ERR_SYNTAX; one whose p= holds no usable key of its
 * k= type gets DKIM_KEY_ERR_KEY (the tags are then filled in). The call
 * itself cannot fail: all it allocates is OpenSSL's key object, and running
 * out of memory there reads as an undecodable key.
 */
void dnsaudit__dkim_key_parse(const char *rec, size_t len, struct dkim_key *out);

/*
 * Whether a TXT record is meant as a key record: its first tag is v=DKIM1,
 * or it has a p= or k= tag. Guessed selectors only report such records, so
 * a domain's wildcard TXT (an SPF record, a site verification) is not
 * mistaken for a broken key at every common selector.
 */
int dnsaudit__dkim_key_is_candidate(const char *rec, size_t len);

/* "rsa", "ed25519" or "unknown". */
const char *dnsaudit__dkim_key_type_name(enum dkim_key_type t);
/* "none", "spki", "pkcs1", "raw". */
const char *dnsaudit__dkim_key_format_name(enum dkim_key_format f);

/* ---- selector names (dkim.c) ---- */

/* 1 when s is a selector (RFC 6376 §3.1 labels, '_' tolerated), else 0. */
int dnsaudit__dkim_selector_valid(const char *s);

/*
 * Lowercased copies of n selectors into *out (count *count_out); NULL
 * entries and repeats are dropped. DNSAUDIT_EINVAL for an invalid name,
 * DNSAUDIT_ELIMIT beyond DKIM_MAX_SELECTORS, DNSAUDIT_ENOMEM.
 */
int dnsaudit__dkim_selectors_copy(char ***out, size_t *count_out, const char *const *in, size_t n);

#endif /* DNSAUDIT_DKIM_INTERNAL_H */
