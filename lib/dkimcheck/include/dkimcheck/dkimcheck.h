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
	DKIMCHECK_KEY_ERROR
} dkimcheck_key_result;

/**
 * Look up the key record at `name` (e.g. "sel._domainkey.example.com").
 * On DKIMCHECK_KEY_FOUND write the joined TXT value, NUL-terminated, into
 * buf (at most buflen bytes including the NUL).
 */
typedef dkimcheck_key_result (*dkimcheck_key_lookup)(void *payload, const char *name, char *buf,
                                                     size_t buflen);

typedef struct dkimcheck_lib dkimcheck_lib;

/** @param[out] out new library handle; free with dkimcheck_lib_free(). */
DKIMCHECK_API int dkimcheck_lib_new(dkimcheck_lib **out);
DKIMCHECK_API void dkimcheck_lib_free(dkimcheck_lib *lib);
/** Nonzero when ed25519-sha256 (RFC 8463) signatures can be verified. */
DKIMCHECK_API int dkimcheck_lib_has_ed25519(const dkimcheck_lib *lib);
/** @return a static description of a dkimcheck_status. */
DKIMCHECK_API const char *dkimcheck_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif /* DKIMCHECK_H */
