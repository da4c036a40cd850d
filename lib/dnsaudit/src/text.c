/*
 * text.c -- the terminal form of a report, in the reader's language: grade,
 * where the answers came from, what could not be checked, the findings worst
 * first with their fixes, and the MX hosts as found.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

#define TEXT_MAX (16u * 1024u * 1024u)

enum label { L_GRADE, L_SOURCE, L_INCONCLUSIVE, L_FINDINGS, L_NONE, L_WHY, L_FIX, L_MX, L_COUNT };

static const char *const labels_en[L_COUNT] = {"Grade",    "Answers from",   "Could not be checked",
                                               "Findings", "none",           "Why",
                                               "Fix",      "Mail hosts (MX)"};
static const char *const labels_es[L_COUNT] = {
    "Nota",    "Respuestas de", "No se pudo comprobar",     "Hallazgos", "ninguno",
    "Por qué", "Solución",      "Servidores de correo (MX)"};

static const char *label(const char *lang, enum label l)
{
	return strcmp(lang, "es") == 0 ? labels_es[l] : labels_en[l];
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (n = n ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name))
			return n;
	return NULL;
}

/* The text of kind `name` in lang, else in English, else any. */
static xmlChar *text_in(xmlNodePtr f, const char *name, const char *lang)
{
	const char *tries[] = {lang, "en", NULL};
	xmlNodePtr c;
	int i;

	for (i = 0; i < 3; i++)
		for (c = f->children; c != NULL; c = c->next) {
			xmlChar *l;
			int match;

			if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST name))
				continue;
			l = xmlNodeGetLang(c);
			match =
			    tries[i] == NULL || (l != NULL && xmlStrEqual(l, BAD_CAST tries[i]));
			xmlFree(l);
			if (match)
				return xmlNodeGetContent(c);
		}
	return NULL;
}

static void prop_out(struct dnsaudit__buf *b, xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);

	dnsaudit__buf_puts(b, v ? (const char *)v : "");
	xmlFree(v);
}

static void text_source(struct dnsaudit__buf *b, xmlNodePtr root, const char *lang)
{
	xmlNodePtr s = child(root, "source"), c;
	unsigned shown = 0, more = 0;

	dnsaudit__buf_printf(b, "%s: ", label(lang, L_SOURCE));
	prop_out(b, s, "kind");
	for (c = s ? s->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		/* A directory of zones lists every file: the XML has them all. */
		if (shown == 4) {
			more++;
			continue;
		}
		dnsaudit__buf_puts(b, " ");
		prop_out(b, c, xmlStrEqual(c->name, BAD_CAST "resolver") ? "address" : "path");
		shown++;
	}
	if (more > 0)
		dnsaudit__buf_printf(b, " (+%u)", more);
	dnsaudit__buf_puts(b, "\n");
}

static void text_areas(struct dnsaudit__buf *b, xmlNodePtr root, const char *lang)
{
	xmlNodePtr a;
	int any = 0;

	for (a = root->children; a != NULL; a = a->next) {
		xmlChar *st;

		if (a->type != XML_ELEMENT_NODE || !xmlStrEqual(a->name, BAD_CAST "area"))
			continue;
		st = xmlGetProp(a, BAD_CAST "status");
		if (st != NULL && !xmlStrEqual(st, BAD_CAST "ok")) {
			dnsaudit__buf_printf(b, "%s%s: ", any ? "" : "\n",
			                     label(lang, L_INCONCLUSIVE));
			prop_out(b, a, "name");
			dnsaudit__buf_puts(b, " (");
			prop_out(b, a, "reason");
			dnsaudit__buf_puts(b, ")\n");
			any = 1;
		}
		xmlFree(st);
	}
}

static void text_line(struct dnsaudit__buf *b, const char *head, xmlChar *t)
{
	if (t != NULL && *t)
		dnsaudit__buf_printf(b, "       %s: %s\n", head, (const char *)t);
	xmlFree(t);
}

static void text_findings(struct dnsaudit__buf *b, xmlNodePtr root, const char *lang)
{
	xmlNodePtr fs = child(root, "findings"), f;
	int any = 0;

	dnsaudit__buf_printf(b, "\n%s:\n", label(lang, L_FINDINGS));
	for (f = fs ? fs->children : NULL; f != NULL; f = f->next) {
		xmlChar *sev, *title;

		if (f->type != XML_ELEMENT_NODE)
			continue;
		any = 1;
		sev = xmlGetProp(f, BAD_CAST "severity");
		title = text_in(f, "title", lang);
		dnsaudit__buf_printf(b, "  [%-4s] ", sev ? (const char *)sev : "");
		prop_out(b, f, "id");
		dnsaudit__buf_printf(b, ": %s\n", title ? (const char *)title : "");
		xmlFree(sev);
		xmlFree(title);
		text_line(b, label(lang, L_WHY), text_in(f, "explanation", lang));
		text_line(b, label(lang, L_FIX), text_in(f, "remediation", lang));
	}
	if (!any)
		dnsaudit__buf_printf(b, "  %s\n", label(lang, L_NONE));
}

static void text_mx(struct dnsaudit__buf *b, xmlNodePtr root, const char *lang)
{
	xmlNodePtr mx = child(root, "mx"), h, a;

	if (mx == NULL || child(mx, "host") == NULL)
		return;
	dnsaudit__buf_printf(b, "\n%s:\n", label(lang, L_MX));
	for (h = mx->children; h != NULL; h = h->next) {
		if (h->type != XML_ELEMENT_NODE || !xmlStrEqual(h->name, BAD_CAST "host"))
			continue;
		dnsaudit__buf_puts(b, "  ");
		prop_out(b, h, "preference");
		dnsaudit__buf_puts(b, " ");
		prop_out(b, h, "name");
		for (a = h->children; a != NULL; a = a->next) {
			xmlChar *t;

			if (a->type != XML_ELEMENT_NODE ||
			    !xmlStrEqual(a->name, BAD_CAST "address"))
				continue;
			t = xmlNodeGetContent(a);
			dnsaudit__buf_printf(b, " %s", t ? (const char *)t : "");
			xmlFree(t);
		}
		dnsaudit__buf_puts(b, "\n");
	}
}

/* Say which grading profile applied when it is not the default one. */
static void profile_note(struct dnsaudit__buf *b, xmlNodePtr root, const char *lang)
{
	xmlChar *p = xmlGetProp(root, BAD_CAST "profile");

	if (p != NULL && !xmlStrEqual(p, BAD_CAST "default"))
		dnsaudit__buf_printf(b, strcmp(lang, "es") == 0 ? ", perfil %s" : ", profile %s",
		                     (const char *)p);
	xmlFree(p);
}

int dnsaudit__render_text(const struct dnsaudit_report *r, const char *lang, char **out,
                          size_t *len)
{
	xmlNodePtr root = xmlDocGetRootElement(r->doc);
	struct dnsaudit__buf b;

	dnsaudit__buf_init(&b, TEXT_MAX);
	dnsaudit__buf_printf(&b, "%s", r->domain);
	if (strcmp(r->domain, r->domain_unicode) != 0)
		dnsaudit__buf_printf(&b, " (%s)", r->domain_unicode);
	dnsaudit__buf_printf(&b, "\n%s: %s (%d/100)", label(lang, L_GRADE), r->grade, r->score);
	profile_note(&b, root, lang);
	dnsaudit__buf_puts(&b, "\n");
	text_source(&b, root, lang);
	text_areas(&b, root, lang);
	text_findings(&b, root, lang);
	text_mx(&b, root, lang);
	*out = dnsaudit__buf_take(&b, len);
	return *out != NULL ? 0 : DNSAUDIT_ENOMEM;
}
