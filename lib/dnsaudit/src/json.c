/*
 * json.c -- the JSON form of a report: a fixed, documented mapping of the
 * XML document (docs/report-format.md), deterministic for a given document.
 * Top level: domain, domain-unicode, grade, score, findings, areas, facts.
 * Every other element of /audit maps generically to
 * {"element": NAME, "attributes": {...}, "text": "...", "children": [...]}.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

#define JSON_MAX (64u * 1024u * 1024u)

static void json_str(struct dnsaudit__buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	dnsaudit__buf_puts(b, "\"");
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			dnsaudit__buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
			/* <, >, & too: the JSON may be pasted into HTML. */
			dnsaudit__buf_printf(b, "\\u%04x", *p);
		else
			dnsaudit__buf_add(b, (const char *)p, 1);
	}
	dnsaudit__buf_puts(b, "\"");
}

static void json_key(struct dnsaudit__buf *b, const char *key, int *first)
{
	if (!*first)
		dnsaudit__buf_puts(b, ",");
	*first = 0;
	json_str(b, key);
	dnsaudit__buf_puts(b, ":");
}

static void json_prop(struct dnsaudit__buf *b, xmlNodePtr n, const char *name, int *first)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);

	json_key(b, name, first);
	if (v == NULL)
		dnsaudit__buf_puts(b, "null");
	else
		json_str(b, (const char *)v);
	xmlFree(v);
}

static int has_element_children(xmlNodePtr n)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

static void json_attributes(struct dnsaudit__buf *b, xmlNodePtr n)
{
	xmlAttrPtr a;
	int first = 1;

	dnsaudit__buf_puts(b, "{");
	for (a = n->properties; a != NULL; a = a->next) {
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);

		json_key(b, (const char *)a->name, &first);
		json_str(b, (const char *)v);
		xmlFree(v);
	}
	dnsaudit__buf_puts(b, "}");
}

static void json_element(struct dnsaudit__buf *b, xmlNodePtr n, unsigned depth)
{
	int first = 1;

	dnsaudit__buf_puts(b, "{");
	json_key(b, "element", &first);
	json_str(b, (const char *)n->name);
	json_key(b, "attributes", &first);
	json_attributes(b, n);
	if (has_element_children(n) && depth < 64) {
		xmlNodePtr c;
		int cfirst = 1;

		json_key(b, "children", &first);
		dnsaudit__buf_puts(b, "[");
		for (c = n->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			dnsaudit__buf_puts(b, cfirst ? "" : ",");
			cfirst = 0;
			json_element(b, c, depth + 1);
		}
		dnsaudit__buf_puts(b, "]");
	} else if (n->children != NULL) {
		xmlChar *t = xmlNodeGetContent(n);

		json_key(b, "text", &first);
		json_str(b, (const char *)t);
		xmlFree(t);
	}
	dnsaudit__buf_puts(b, "}");
}

/* "texts": {"en": {"title": ..., ...}, "es": {...}} in document order. */
static void json_texts(struct dnsaudit__buf *b, xmlNodePtr f)
{
	xmlNodePtr c, d;
	int first = 1;

	dnsaudit__buf_puts(b, "{");
	for (c = f->children; c != NULL; c = c->next) {
		xmlChar *lang = c->type == XML_ELEMENT_NODE ? xmlNodeGetLang(c) : NULL;
		int seen = 0, kfirst = 1;

		if (lang == NULL)
			continue;
		for (d = f->children; d != c && !seen; d = d->next) {
			xmlChar *l = d->type == XML_ELEMENT_NODE ? xmlNodeGetLang(d) : NULL;

			seen = l != NULL && xmlStrEqual(l, lang);
			xmlFree(l);
		}
		if (!seen) {
			json_key(b, (const char *)lang, &first);
			dnsaudit__buf_puts(b, "{");
			for (d = c; d != NULL; d = d->next) {
				xmlChar *l = d->type == XML_ELEMENT_NODE ? xmlNodeGetLang(d) : NULL;

				if (l != NULL && xmlStrEqual(l, lang)) {
					xmlChar *t = xmlNodeGetContent(d);

					json_key(b, (const char *)d->name, &kfirst);
					json_str(b, (const char *)t);
					xmlFree(t);
				}
				xmlFree(l);
			}
			dnsaudit__buf_puts(b, "}");
		}
		xmlFree(lang);
	}
	dnsaudit__buf_puts(b, "}");
}

static void json_finding(struct dnsaudit__buf *b, xmlNodePtr f)
{
	xmlChar *w = xmlGetProp(f, BAD_CAST "weight");
	int first = 1;

	dnsaudit__buf_puts(b, "{");
	json_prop(b, f, "id", &first);
	json_prop(b, f, "severity", &first);
	json_prop(b, f, "area", &first);
	json_key(b, "weight", &first);
	dnsaudit__buf_printf(b, "%ld", w ? strtol((const char *)w, NULL, 10) : 0L);
	xmlFree(w);
	json_prop(b, f, "rfc", &first);
	json_key(b, "texts", &first);
	json_texts(b, f);
	dnsaudit__buf_puts(b, "}");
}

/* Children of root named `name` (or all others when `others`), as an array. */
static void json_list(struct dnsaudit__buf *b, xmlNodePtr root, const char *name, int others)
{
	xmlNodePtr n;
	int first = 1;

	dnsaudit__buf_puts(b, "[");
	for (n = root->children; n != NULL; n = n->next) {
		int is = n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);

		if (n->type != XML_ELEMENT_NODE || (!others && !is) ||
		    (others && (is || xmlStrEqual(n->name, BAD_CAST "findings"))))
			continue;
		dnsaudit__buf_puts(b, first ? "" : ",");
		first = 0;
		if (others) {
			json_element(b, n, 0);
		} else {
			int afirst = 1;

			dnsaudit__buf_puts(b, "{");
			json_prop(b, n, "name", &afirst);
			json_prop(b, n, "status", &afirst);
			json_prop(b, n, "reason", &afirst);
			json_prop(b, n, "detail", &afirst);
			dnsaudit__buf_puts(b, "}");
		}
	}
	dnsaudit__buf_puts(b, "]");
}

static void json_findings(struct dnsaudit__buf *b, xmlNodePtr root)
{
	xmlNodePtr n, f;
	int first = 1;

	dnsaudit__buf_puts(b, "[");
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, BAD_CAST "findings"))
			continue;
		for (f = n->children; f != NULL; f = f->next) {
			if (f->type != XML_ELEMENT_NODE)
				continue;
			dnsaudit__buf_puts(b, first ? "" : ",");
			first = 0;
			json_finding(b, f);
		}
	}
	dnsaudit__buf_puts(b, "]");
}

int dnsaudit__render_json(const struct dnsaudit_report *r, char **out, size_t *len)
{
	xmlNodePtr root = xmlDocGetRootElement(r->doc);
	struct dnsaudit__buf b;
	int first = 1;

	dnsaudit__buf_init(&b, JSON_MAX);
	dnsaudit__buf_puts(&b, "{");
	json_prop(&b, root, "domain", &first);
	json_prop(&b, root, "domain-unicode", &first);
	json_key(&b, "grade", &first);
	json_str(&b, r->grade);
	json_key(&b, "score", &first);
	dnsaudit__buf_printf(&b, "%d", r->score);
	json_prop(&b, root, "profile", &first);
	json_prop(&b, root, "tool", &first);
	json_prop(&b, root, "started", &first);
	json_key(&b, "findings", &first);
	json_findings(&b, root);
	json_key(&b, "areas", &first);
	json_list(&b, root, "area", 0);
	json_key(&b, "facts", &first);
	json_list(&b, root, "area", 1);
	dnsaudit__buf_puts(&b, "}\n");
	*out = dnsaudit__buf_take(&b, len);
	return *out != NULL ? 0 : DNSAUDIT_ENOMEM;
}
