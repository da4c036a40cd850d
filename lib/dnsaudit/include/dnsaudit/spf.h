/*
 * spf.h -- evaluate SPF (RFC 7208 check_host()) for one client address and
 * MAIL FROM, through a session of the DNS source layer, with a readable
 * trace of every record, term and lookup.
 */
#ifndef DNSAUDIT_SPF_H
#define DNSAUDIT_SPF_H

#include "dnsaudit/common.h"
#include "dnsaudit/source.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnsaudit_spf_check dnsaudit_spf_check;

/**
 * check_host(ip, domain of sender, sender). An empty `sender` means the
 * null reverse-path: postmaster@helo is used, as RFC 7208 §2.4 says.
 * DNSAUDIT_EINVAL: ip is not an address, or no sender and no helo.
 * @param[out] out new result; free with dnsaudit_spf_check_free().
 */
DNSAUDIT_API int dnsaudit_spf_check_new(dnsaudit_spf_check **out, dnsaudit_session *session,
                                        const char *ip, const char *sender, const char *helo,
                                        dnsaudit_error *err);
DNSAUDIT_API void dnsaudit_spf_check_free(dnsaudit_spf_check *check);

/** "pass", "fail", "softfail", "neutral", "none", "permerror" or "temperror". */
DNSAUDIT_API const char *dnsaudit_spf_check_result(const dnsaudit_spf_check *check);
/** The exp= explanation of a fail, or NULL; borrowed. */
DNSAUDIT_API const char *dnsaudit_spf_check_explanation(const dnsaudit_spf_check *check);
/** DNS-querying terms and void lookups the evaluation used (RFC 7208 §4.6.4). */
DNSAUDIT_API unsigned dnsaudit_spf_check_lookups(const dnsaudit_spf_check *check);
DNSAUDIT_API unsigned dnsaudit_spf_check_void_lookups(const dnsaudit_spf_check *check);
/** The evaluation trace, one line per step; caller-owned (free()). */
DNSAUDIT_API char *dnsaudit_spf_check_trace(const dnsaudit_spf_check *check);

#ifdef __cplusplus
}
#endif
#endif /* DNSAUDIT_SPF_H */
