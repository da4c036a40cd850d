/*
 * strbuf.c -- a growable string with a ceiling (curl's dynbuf idea): every
 * renderer writes through it, so a hostile domain cannot make a report grow
 * without bound. Failure is sticky and checked once at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

void dnsaudit__buf_init(struct dnsaudit__buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static int grow(struct dnsaudit__buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (need > b->max) {
		b->failed = 1;
		return -1;
	}
	while (cap < need)
		cap *= 2;
	if (cap > b->max)
		cap = b->max;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void dnsaudit__buf_add(struct dnsaudit__buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap && grow(b, b->len + n + 1) != 0)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void dnsaudit__buf_puts(struct dnsaudit__buf *b, const char *s)
{
	dnsaudit__buf_add(b, s, strlen(s));
}

void dnsaudit__buf_printf(struct dnsaudit__buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512], *big;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		dnsaudit__buf_add(b, small, (size_t)n);
		return;
	}
	if ((big = malloc((size_t)n + 1)) == NULL) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	dnsaudit__buf_add(b, big, (size_t)n);
	free(big);
}

char *dnsaudit__buf_take(struct dnsaudit__buf *b, size_t *len)
{
	char *out = b->failed ? NULL : b->data;

	if (out == NULL && !b->failed)
		out = calloc(1, 1);
	if (b->failed)
		free(b->data);
	if (len != NULL)
		*len = out != NULL ? b->len : 0;
	dnsaudit__buf_init(b, b->max);
	return out;
}
