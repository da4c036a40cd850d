/*
 * common.h -- status codes and error values shared by every libdnsaudit call.
 *
 * A status says whether the library did its job, never what a domain looks
 * like: a missing record or a broken SPF record is a finding in the report,
 * and the call that found it returns DNSAUDIT_OK.
 */
#ifndef DNSAUDIT_COMMON_H
#define DNSAUDIT_COMMON_H

#include <stddef.h>
#include "dnsaudit/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stable values; never renumbered or reused. */
typedef enum {
	DNSAUDIT_OK = 0,
	DNSAUDIT_ERROR = -1, /* details in the error value or on the handle */
	DNSAUDIT_ENOMEM = -2,
	DNSAUDIT_EINVAL = -3, /* bad argument or bad input (option, file) */
	DNSAUDIT_ELIMIT = -4  /* input exceeded a configured bound */
} dnsaudit_status;

#define DNSAUDIT_ERRMSG_MAX 512

/*
 * An error returned as a value: constructors that have no handle yet fill
 * one in. `message` is always NUL-terminated.
 */
typedef struct {
	int code;
	char message[DNSAUDIT_ERRMSG_MAX];
} dnsaudit_error;

/** @return a static description of a dnsaudit_status. */
DNSAUDIT_API const char *dnsaudit_strerror(int status);

/** @return the library version, e.g. "0.1.0" (static string). */
DNSAUDIT_API const char *dnsaudit_version(void);

#ifdef __cplusplus
}
#endif
#endif /* DNSAUDIT_COMMON_H */
