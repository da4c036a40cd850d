/*
 * common.c -- status strings, the error value, the clock: the few things
 * every module of libdnsaudit needs and none owns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "dnsaudit/common.h"
#include "source_internal.h"

const char *dnsaudit_strerror(int status)
{
	switch (status) {
	case DNSAUDIT_OK:
		return "success";
	case DNSAUDIT_ENOMEM:
		return "out of memory";
	case DNSAUDIT_EINVAL:
		return "invalid argument or input";
	case DNSAUDIT_ELIMIT:
		return "input exceeds a limit";
	default:
		return "error";
	}
}

const char *dnsaudit_version(void)
{
	return DNSAUDIT_VERSION_STRING;
}

void dnsaudit__error_set(dnsaudit_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

uint64_t dnsaudit__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
