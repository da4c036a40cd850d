/*
 * idn.c -- the audited name in both forms: A-labels for DNS (IDNA2008 via
 * libidn2, non-transitional, as registries apply it) and Unicode for people.
 */
#include <ctype.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

/* 253 octets of presentation form without the trailing dot (RFC 1035 §2.3.4). */
#define DOMAIN_MAX 253

static char *strip_lower(const char *in)
{
	size_t len = strlen(in);
	char *s;

	while (len > 1 && in[len - 1] == '.')
		len--;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, in, len);
	s[len] = '\0';
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x80)
			*p = (char)tolower((unsigned char)*p);
	return s;
}

static int valid_ascii_name(const char *s)
{
	ldns_rdf *d = NULL;
	size_t len = strlen(s);
	int ok;

	if (len == 0 || len > DOMAIN_MAX || strcmp(s, ".") == 0)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			return 0;
	ok = ldns_str2rdf_dname(&d, s) == LDNS_STATUS_OK;
	ldns_rdf_deep_free(d);
	return ok && strstr(s, "..") == NULL && s[0] != '.';
}

int dnsaudit__domain_normalize(const char *in, char **ascii_out, char **unicode_out,
                               dnsaudit_error *err)
{
	char *s = NULL, *ascii = NULL, *uni = NULL;
	int rc;

	*ascii_out = *unicode_out = NULL;
	if (in == NULL || (s = strip_lower(in)) == NULL)
		return DNSAUDIT_ENOMEM;
	rc = idn2_to_ascii_8z(s, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK || !valid_ascii_name(ascii)) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "invalid domain name '%s': %s", s,
		                    rc != IDN2_OK ? idn2_strerror(rc) : "not a host name");
		free(s);
		idn2_free(ascii);
		return DNSAUDIT_EINVAL;
	}
	if (idn2_to_unicode_8z8z(ascii, &uni, 0) != IDN2_OK)
		uni = NULL;
	free(s);
	*ascii_out = strdup(ascii);
	*unicode_out = strdup(uni != NULL ? uni : ascii);
	idn2_free(ascii);
	idn2_free(uni);
	if (*ascii_out == NULL || *unicode_out == NULL) {
		free(*ascii_out);
		free(*unicode_out);
		*ascii_out = *unicode_out = NULL;
		return DNSAUDIT_ENOMEM;
	}
	return 0;
}
