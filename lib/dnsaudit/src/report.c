/*
 * report.c -- rendering dispatch, and the XML form: the facts document as
 * it is, serialised by libxml2 (which escapes what XML needs escaped).
 */
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

static int render_xml(const struct dnsaudit_report *r, char **out, size_t *len)
{
	xmlChar *mem = NULL;
	int size = 0;

	xmlDocDumpFormatMemoryEnc(r->doc, &mem, &size, "UTF-8", 1);
	if (mem == NULL)
		return DNSAUDIT_ENOMEM;
	/* Handed out as malloc() memory so the caller frees it with free(). */
	*out = malloc((size_t)size + 1);
	if (*out != NULL) {
		memcpy(*out, mem, (size_t)size);
		(*out)[size] = '\0';
		*len = (size_t)size;
	}
	xmlFree(mem);
	return *out != NULL ? 0 : DNSAUDIT_ENOMEM;
}

int dnsaudit_report_render(const dnsaudit_report *report, dnsaudit_format format, const char *lang,
                           char **out, size_t *len_out)
{
	size_t len = 0;
	int rc;

	*out = NULL;
	switch (format) {
	case DNSAUDIT_FORMAT_XML:
		rc = render_xml(report, out, &len);
		break;
	case DNSAUDIT_FORMAT_JSON:
		rc = dnsaudit__render_json(report, out, &len);
		break;
	case DNSAUDIT_FORMAT_TEXT:
		rc = dnsaudit__render_text(report, lang != NULL ? lang : "en", out, &len);
		break;
	case DNSAUDIT_FORMAT_HTML:
		/* The installed stylesheet; --template goes through render_html(). */
		return dnsaudit_report_render_html(report, lang, NULL, out, len_out, NULL);
	default:
		return DNSAUDIT_EINVAL;
	}
	if (len_out != NULL)
		*len_out = len;
	return rc;
}
