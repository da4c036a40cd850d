/*
 * crlf.h -- line endings to CRLF, streamed. libopendkim's own fixing
 * (DKIM_LIBFLAGS_FIXCRLF) copies the body byte by byte once per
 * canonicalization; doing it once here, a line at a time, is what makes
 * verification fast. The rules are libopendkim's: a bare LF ends a line;
 * a bare CR ends a line in the body and is an ordinary byte in the header
 * section, as libopendkim's header parser reads it.
 */
#ifndef DKIMCHECK_CRLF_H
#define DKIMCHECK_CRLF_H

#include <stddef.h>

struct dkimcheck__crlf {
	int pending_cr; /* the last chunk ended in CR: an LF may come next */
	int in_body;    /* the empty line that ends the header section was seen */
	int line_empty; /* nothing written on the current line yet */
};

/* Room the output needs for an n-byte chunk (a held-back CR included). */
#define DKIMCHECK__CRLF_ROOM(n) (2 * (n) + 2)

void dkimcheck__crlf_init(struct dkimcheck__crlf *st);
/* Writes the CRLF form of in[0..n) to out; returns the bytes written. */
size_t dkimcheck__crlf_convert(struct dkimcheck__crlf *st, const unsigned char *in, size_t n,
                               unsigned char *out);
/* At the end of the input: a CR held back is a bare CR after all. */
size_t dkimcheck__crlf_flush(struct dkimcheck__crlf *st, unsigned char *out);

#endif /* DKIMCHECK_CRLF_H */
