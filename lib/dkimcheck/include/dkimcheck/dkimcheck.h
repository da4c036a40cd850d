/*
 * dkimcheck.h -- public API of libdkimcheck: verify the DKIM signatures of
 * sample messages with libopendkim, with keys supplied by the caller.
 *
 * dkimcheck is a leaf: it knows nothing of where keys come from. The caller
 * hands it a key-lookup callback (answered by mailaudit's DNS source layer),
 * so zone files, live DNS and overlays all work, and the evidence of each key
 * stays with the caller. No libopendkim type appears here.
 *
 * Ownership: objects returned through `out` belong to the caller and are
 * released with the matching *_free() (NULL is accepted). One dkimcheck_lib
 * may be shared by threads; each verification uses its own state.
 */
#ifndef DKIMCHECK_H
#define DKIMCHECK_H

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define DKIMCHECK_API __attribute__((visibility("default")))
#else
#define DKIMCHECK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Did the call do its job? Stable values; never renumbered. */
typedef enum {
	DKIMCHECK_OK = 0,
	DKIMCHECK_ERROR = -1,
	DKIMCHECK_ENOMEM = -2,
	DKIMCHECK_EINVAL = -3
} dkimcheck_status;

/* What a key lookup found: the caller's answer to the library. */
typedef enum {
	DKIMCHECK_KEY_FOUND = 0, /* the TXT record, strings joined */
	DKIMCHECK_KEY_NOTFOUND,  /* NXDOMAIN or no TXT record */
	DKIMCHECK_KEY_TEMPFAIL,  /* timeout, SERVFAIL: try again later */
	DKIMCHECK_KEY_ERROR,     /* the lookup itself failed (no memory, bad name) */
	DKIMCHECK_KEY_MULTIPLE,  /* several TXT records: RFC 6376 3.6.2.2 leaves the
	                            result undefined; the signature is a permerror */
	DKIMCHECK_KEY_TOOLONG    /* the record does not fit in buflen (libopendkim
	                            takes 1024 bytes: RSA up to 4096 bits, RFC 8301) */
} dkimcheck_key_result;

/**
 * Look up the key record at `name` (e.g. "sel._domainkey.example.com").
 * On DKIMCHECK_KEY_FOUND write the joined TXT value, NUL-terminated, into
 * buf (at most buflen bytes including the NUL). Whatever the result, the
 * callback may write where the answer came from (a zone file, "ADDR:PORT",
 * or why it failed), NUL-terminated, into origin (at most originlen bytes):
 * it is kept with the signature as evidence. origin starts as "".
 */
typedef dkimcheck_key_result (*dkimcheck_key_lookup)(void *payload, const char *name, char *buf,
                                                     size_t buflen, char *origin, size_t originlen);

typedef struct dkimcheck_lib dkimcheck_lib;

/** @param[out] out new library handle; free with dkimcheck_lib_free(). */
DKIMCHECK_API int dkimcheck_lib_new(dkimcheck_lib **out);
DKIMCHECK_API void dkimcheck_lib_free(dkimcheck_lib *lib);
/** Nonzero when ed25519-sha256 (RFC 8463) signatures can be verified. */
DKIMCHECK_API int dkimcheck_lib_has_ed25519(const dkimcheck_lib *lib);
/** @return a static description of a dkimcheck_status. */
DKIMCHECK_API const char *dkimcheck_strerror(int status);

/* RFC 8601 dkim= results. Stable values; never renumbered. */
typedef enum {
	DKIMCHECK_NONE = 0, /* no DKIM-Signature (message level only) */
	DKIMCHECK_PASS,
	DKIMCHECK_FAIL,
	DKIMCHECK_NEUTRAL,
	DKIMCHECK_POLICY, /* verifies, but RFC 8301 forbids it (rsa-sha1, short RSA key) */
	DKIMCHECK_TEMPERROR,
	DKIMCHECK_PERMERROR
} dkimcheck_result_code;

/** @return "none", "pass", "fail", "neutral", "policy", "temperror", "permerror". */
DKIMCHECK_API const char *dkimcheck_result_name(dkimcheck_result_code code);

/*
 * A verifier: one per thread (or per message), sharing one dkimcheck_lib.
 * It holds the key callback and its payload; each dkimcheck_verify_*() call
 * is one message with its own libopendkim state.
 */
typedef struct dkimcheck_verifier dkimcheck_verifier;
/* The outcome for one message: its signatures and message-level facts. */
typedef struct dkimcheck_message dkimcheck_message;
/* One DKIM-Signature of a message (borrowed from its message). */
typedef struct dkimcheck_signature dkimcheck_signature;

/** @param[out] out new verifier; free with dkimcheck_verifier_free(). */
DKIMCHECK_API int dkimcheck_verifier_new(dkimcheck_verifier **out, dkimcheck_lib *lib,
                                         dkimcheck_key_lookup lookup, void *payload);
DKIMCHECK_API void dkimcheck_verifier_free(dkimcheck_verifier *v);

/**
 * Verify the message read from f (or fd) to its end, streamed in 64 KiB
 * chunks: memory stays bounded whatever the file size. LF or CRLF line
 * ends, and a leading mbox "From " line (skipped), are accepted.
 * A read error is not a call failure: *out then reports
 * DKIMCHECK_PERMERROR with detail "unreadable:reason".
 * @param[out] out the outcome; free with dkimcheck_message_free().
 * @return DKIMCHECK_OK, DKIMCHECK_ENOMEM or DKIMCHECK_EINVAL.
 */
DKIMCHECK_API int dkimcheck_verify_file(dkimcheck_verifier *v, FILE *f, dkimcheck_message **out);
DKIMCHECK_API int dkimcheck_verify_fd(dkimcheck_verifier *v, int fd, dkimcheck_message **out);
DKIMCHECK_API void dkimcheck_message_free(dkimcheck_message *m);

/** Number of DKIM-Signature header fields found (DomainKey-Signature is not one). */
DKIMCHECK_API size_t dkimcheck_message_count(const dkimcheck_message *m);
DKIMCHECK_API const dkimcheck_signature *dkimcheck_message_signature(const dkimcheck_message *m,
                                                                     size_t i);
/**
 * The message as a whole when it has no signature result to give:
 * DKIMCHECK_NONE (no signature), or DKIMCHECK_PERMERROR with a detail
 * ("unreadable:...", "syntax:..."). DKIMCHECK_PASS when signatures were checked.
 */
DKIMCHECK_API dkimcheck_result_code dkimcheck_message_result(const dkimcheck_message *m);
/** Detail of dkimcheck_message_result(), "" when there is none. */
DKIMCHECK_API const char *dkimcheck_message_detail(const dkimcheck_message *m);
/** Nonzero when the header has more than one From field (RFC 5322 allows one). */
DKIMCHECK_API int dkimcheck_message_multiple_from(const dkimcheck_message *m);
/** Nonzero when the header has no From field. */
DKIMCHECK_API int dkimcheck_message_missing_from(const dkimcheck_message *m);
/** The RFC 5322.From domain (lowercase), or NULL when there is none; borrowed. */
DKIMCHECK_API const char *dkimcheck_message_from_domain(const dkimcheck_message *m);

/*
 * Signature accessors. Strings are borrowed, never NULL ("" when unknown);
 * bytes below 0x20 and 0x7F in d= and s= are shown as '?', so they are
 * safe to print in tab-separated output.
 */
DKIMCHECK_API const char *dkimcheck_signature_domain(const dkimcheck_signature *s);
DKIMCHECK_API const char *dkimcheck_signature_selector(const dkimcheck_signature *s);
/** "rsa-sha256", "rsa-sha1", "ed25519-sha256" or "unknown". */
DKIMCHECK_API const char *dkimcheck_signature_algorithm(const dkimcheck_signature *s);
/** Key size in bits; 0 when no key was loaded, and for ed25519 (always 256). */
DKIMCHECK_API unsigned int dkimcheck_signature_key_bits(const dkimcheck_signature *s);
DKIMCHECK_API dkimcheck_result_code dkimcheck_signature_result(const dkimcheck_signature *s);
/**
 * Why: "ok", "body-hash-mismatch", "signature-mismatch", "key-not-found",
 * "key-revoked", "key-too-short", "sha1-forbidden", "expired",
 * "unsupported-algorithm", "syntax", "testing", "body-length-limit",
 * "dns-error", "unreadable", optionally followed by ":free text".
 */
DKIMCHECK_API const char *dkimcheck_signature_detail(const dkimcheck_signature *s);
/** The key record as the callback returned it, and where it came from ("" if none). */
DKIMCHECK_API const char *dkimcheck_signature_key_record(const dkimcheck_signature *s);
DKIMCHECK_API const char *dkimcheck_signature_key_origin(const dkimcheck_signature *s);
/** Unsigned body bytes after the l= limit (0 without l=). */
DKIMCHECK_API unsigned long long dkimcheck_signature_unsigned_bytes(const dkimcheck_signature *s);

#ifdef __cplusplus
}
#endif
#endif /* DKIMCHECK_H */
