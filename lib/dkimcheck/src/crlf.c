/*
 * crlf.c -- see crlf.h. memchr finds the line ends, so the bytes between
 * them are copied in runs, not looked at one by one.
 */
#include <string.h>

#include "crlf.h"

void dkimcheck__crlf_init(struct dkimcheck__crlf *st)
{
	st->pending_cr = 0;
	st->in_body = 0;
	st->line_empty = 1;
}

static unsigned char *end_line(struct dkimcheck__crlf *st, unsigned char *o)
{
	if (st->line_empty)
		st->in_body = 1;
	st->line_empty = 1;
	*o++ = '\r';
	*o++ = '\n';
	return o;
}

static unsigned char *bare_cr(struct dkimcheck__crlf *st, unsigned char *o)
{
	if (st->in_body)
		return end_line(st, o);
	st->line_empty = 0;
	*o++ = '\r';
	return o;
}

/* Bytes of one line, without its terminator; any CR in them is bare. */
static unsigned char *copy_text(struct dkimcheck__crlf *st, const unsigned char *p, size_t len,
                                unsigned char *o)
{
	while (len > 0) {
		const unsigned char *cr = memchr(p, '\r', len);
		size_t run = cr != NULL ? (size_t)(cr - p) : len;

		if (run > 0) {
			memcpy(o, p, run);
			o += run;
			st->line_empty = 0;
		}
		if (cr == NULL)
			break;
		o = bare_cr(st, o);
		p = cr + 1;
		len -= run + 1;
	}
	return o;
}

size_t dkimcheck__crlf_convert(struct dkimcheck__crlf *st, const unsigned char *in, size_t n,
                               unsigned char *out)
{
	unsigned char *o = out;
	size_t i = 0;

	if (n == 0)
		return 0;
	if (st->pending_cr) {
		st->pending_cr = 0;
		if (in[0] == '\n') {
			o = end_line(st, o);
			i = 1;
		} else {
			o = bare_cr(st, o);
		}
	}
	while (i < n) {
		const unsigned char *lf = memchr(in + i, '\n', n - i);
		size_t end = lf != NULL ? (size_t)(lf - in) : n;
		size_t cr = (end > i && in[end - 1] == '\r') ? 1 : 0;

		o = copy_text(st, in + i, end - i - cr, o);
		if (lf != NULL)
			o = end_line(st, o);
		else if (cr)
			st->pending_cr = 1; /* the next chunk says whether it is bare */
		i = end + (lf != NULL);
	}
	return (size_t)(o - out);
}

size_t dkimcheck__crlf_flush(struct dkimcheck__crlf *st, unsigned char *out)
{
	if (!st->pending_cr)
		return 0;
	st->pending_cr = 0;
	return (size_t)(bare_cr(st, out) - out);
}
