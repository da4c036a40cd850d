/*
 * html.c -- the HTML form of a report: the XML document run through an XSLT
 * stylesheet (policies/report.xsl, or a provider's own). The stylesheet
 * writes values as text, so libxslt escapes them; the transform may not read
 * or write files or the network, so a template cannot fetch anything nor
 * leak the report anywhere.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "audit_internal.h"

#ifndef DNSAUDIT_DEFAULT_TEMPLATE
#define DNSAUDIT_DEFAULT_TEMPLATE "/usr/local/share/mailaudit/report.xsl"
#endif

/* libxml2 and libxslt report through callbacks: collect into err. */
static void capture(void *ctx, const char *fmt, ...)
{
	dnsaudit_error *e = ctx;
	size_t n = strlen(e->message);
	va_list ap;

	if (n + 1 >= sizeof(e->message))
		return;
	va_start(ap, fmt);
	vsnprintf(e->message + n, sizeof(e->message) - n, fmt, ap);
	va_end(ap);
}

/* The callbacks in force before a render, put back after it. */
struct saved_handlers {
	xmlGenericErrorFunc xslt_fn, xml_fn;
	void *xslt_ctx, *xml_ctx;
};

static void handlers_capture(struct saved_handlers *s, dnsaudit_error *err)
{
	s->xslt_fn = xsltGenericError;
	s->xslt_ctx = xsltGenericErrorContext;
	s->xml_fn = xmlGenericError;
	s->xml_ctx = xmlGenericErrorContext;
	xsltSetGenericErrorFunc(err, capture);
	xmlSetGenericErrorFunc(err, capture);
}

static void handlers_restore(const struct saved_handlers *s)
{
	xsltSetGenericErrorFunc(s->xslt_ctx, s->xslt_fn);
	xmlSetGenericErrorFunc(s->xml_ctx, s->xml_fn);
}

/* Prefix the captured detail with what failed; drop trailing newlines. */
static int fail(dnsaudit_error *err, int code, const char *what)
{
	char detail[DNSAUDIT_ERRMSG_MAX];
	size_t n;

	snprintf(detail, sizeof(detail), "%s", err->message);
	n = strlen(detail);
	while (n > 0 && (detail[n - 1] == '\n' || detail[n - 1] == ' '))
		detail[--n] = '\0';
	snprintf(err->message, sizeof(err->message), "%s%s%s", what, n ? ": " : "", detail);
	err->code = code;
	return code;
}

static xsltSecurityPrefsPtr no_io_prefs(void)
{
	static const xsltSecurityOption opts[] = {
	    XSLT_SECPREF_READ_FILE,    XSLT_SECPREF_WRITE_FILE,    XSLT_SECPREF_CREATE_DIRECTORY,
	    XSLT_SECPREF_READ_NETWORK, XSLT_SECPREF_WRITE_NETWORK,
	};
	xsltSecurityPrefsPtr p = xsltNewSecurityPrefs();
	size_t i;

	for (i = 0; p != NULL && i < sizeof(opts) / sizeof(opts[0]); i++)
		if (xsltSetSecurityPrefs(p, opts[i], xsltSecurityForbid) != 0) {
			xsltFreeSecurityPrefs(p);
			return NULL;
		}
	return p;
}

static int copy_out(xmlChar *mem, int size, char **out, size_t *len)
{
	/* Handed out as malloc() memory so the caller frees it with free(). */
	*out = malloc((size_t)size + 1);
	if (*out == NULL)
		return DNSAUDIT_ENOMEM;
	if (size > 0)
		memcpy(*out, mem, (size_t)size);
	(*out)[size] = '\0';
	*len = (size_t)size;
	return 0;
}

static int transform(const struct dnsaudit_report *r, xsltStylesheetPtr style, const char *lang,
                     char **out, size_t *len, dnsaudit_error *err)
{
	const char *params[3] = {"lang", strcmp(lang, "es") == 0 ? "'es'" : "'en'", NULL};
	xsltSecurityPrefsPtr prefs = no_io_prefs();
	xsltTransformContextPtr tc = xsltNewTransformContext(style, r->doc);
	xmlDocPtr res = NULL;
	xmlChar *mem = NULL;
	int size = 0, rc;

	if (prefs == NULL || tc == NULL || xsltSetCtxtSecurityPrefs(prefs, tc) != 0) {
		rc = fail(err, DNSAUDIT_ENOMEM, "cannot set up the transform");
	} else {
		xsltSetTransformErrorFunc(tc, err, capture);
		res = xsltApplyStylesheetUser(style, r->doc, params, NULL, NULL, tc);
		if (res == NULL || tc->state != XSLT_STATE_OK)
			rc = fail(err, DNSAUDIT_ERROR, "the stylesheet failed");
		else if (xsltSaveResultToString(&mem, &size, res, style) != 0 || mem == NULL)
			rc = fail(err, DNSAUDIT_ENOMEM, "cannot serialise the HTML");
		else
			rc = copy_out(mem, size, out, len);
	}
	xmlFree(mem);
	xmlFreeDoc(res);
	if (tc != NULL)
		xsltFreeTransformContext(tc);
	if (prefs != NULL)
		xsltFreeSecurityPrefs(prefs);
	return rc;
}

int dnsaudit_report_render_html(const dnsaudit_report *report, const char *lang,
                                const char *template_path, char **out, size_t *len_out,
                                dnsaudit_error *err)
{
	const char *path = template_path != NULL ? template_path : DNSAUDIT_DEFAULT_TEMPLATE;
	struct saved_handlers saved;
	dnsaudit_error local;
	xsltStylesheetPtr style;
	size_t len = 0;
	int rc;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (lang == NULL)
		lang = "en";
	if (strcmp(lang, "en") != 0 && strcmp(lang, "es") != 0)
		return fail(err, DNSAUDIT_EINVAL, "language must be en or es");
	handlers_capture(&saved, err);
	style = xsltParseStylesheetFile((const xmlChar *)path);
	if (style == NULL) {
		char what[DNSAUDIT_ERRMSG_MAX];

		snprintf(what, sizeof(what), "%s: cannot load the stylesheet", path);
		rc = fail(err, DNSAUDIT_EINVAL, what);
	} else {
		rc = transform(report, style, lang, out, &len, err);
		xsltFreeStylesheet(style);
	}
	handlers_restore(&saved);
	if (len_out != NULL)
		*len_out = len;
	return rc;
}
