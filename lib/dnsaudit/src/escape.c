/*
 * escape.c -- record data in zone-file presentation form that is always
 * valid UTF-8 and always allowed in XML 1.0, so a facts document can hold
 * anything a hostile TXT record carries and still be well-formed.
 *
 * ldns's own presentation escapes every byte above 0x7E, which would turn a
 * customer's accented DMARC mailbox into \195\177; we keep valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "source_internal.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	/* XML 1.0 forbids U+FFFE and U+FFFF: escape them byte by byte. */
	if (cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return len;
}

static char *put_ddd(char *o, unsigned char c)
{
	*o++ = '\\';
	*o++ = (char)('0' + c / 100);
	*o++ = (char)('0' + (c / 10) % 10);
	*o++ = (char)('0' + c % 10);
	return o;
}

/* Escape into o (room for 4*len bytes); returns the new end. */
static char *escape_into(char *o, const unsigned char *s, size_t len, int quote)
{
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = s[i];

		if (c == '\\' || (quote && c == '"')) {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			o = put_ddd(o, c);
			i++;
		} else if ((n = utf8_seq_len(s + i, len - i)) == 0) {
			o = put_ddd(o, c);
			i++;
		} else {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		}
	}
	return o;
}

char *dnsaudit_txt_escape(const unsigned char *data, size_t len, int quote)
{
	char *out = malloc(len * 4 + 1), *end;

	if (out == NULL)
		return NULL;
	end = escape_into(out, data, len, quote);
	*end = '\0';
	return out;
}

/* Total raw size of all character-strings of a TXT rr. */
static size_t txt_raw_size(const ldns_rr *rr)
{
	size_t i, total = 0;

	for (i = 0; i < ldns_rr_rd_count(rr); i++)
		total += ldns_rdf_size(ldns_rr_rdf(rr, i));
	return total;
}

static char *txt_str(const ldns_rr *rr, int quoted)
{
	size_t i, n = ldns_rr_rd_count(rr);
	char *out = malloc(txt_raw_size(rr) * 4 + n * 3 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		size_t len = ldns_rdf_size(rdf) > 0 ? ldns_rdf_size(rdf) - 1 : 0;

		if (len > 0 && ldns_rdf_data(rdf)[0] < len)
			len = ldns_rdf_data(rdf)[0];
		if (quoted && i > 0)
			*o++ = ' ';
		if (quoted)
			*o++ = '"';
		o = escape_into(o, ldns_rdf_data(rdf) + 1, len, quoted);
		if (quoted)
			*o++ = '"';
	}
	*o = '\0';
	return out;
}

char *dnsaudit__txt_rdata_str(const ldns_rr *rr)
{
	return txt_str(rr, 1);
}

char *dnsaudit__txt_joined_str(const ldns_rr *rr)
{
	return txt_str(rr, 0);
}

char *dnsaudit__rr_rdata_str(const ldns_rr *rr)
{
	ldns_buffer *buf = ldns_buffer_new(256);
	char *out = NULL;
	size_t i;

	if (buf == NULL)
		return NULL;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i > 0)
			ldns_buffer_printf(buf, " ");
		if (ldns_rdf2buffer_str(buf, ldns_rr_rdf(rr, i)) != LDNS_STATUS_OK)
			break;
	}
	if (ldns_buffer_status_ok(buf))
		out = ldns_buffer_export2str(buf);
	ldns_buffer_free(buf);
	return out;
}
