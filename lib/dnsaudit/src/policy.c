/*
 * policy.c -- loading policy files. A policy is untrusted input from a
 * provider, so every error names the file, line and rule, the XML is read
 * without network or entity expansion, and every XPath expression is compiled
 * here, once, so a typo fails at load and never mid-audit.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_internal.h"
#include "source_internal.h"

const char *const dnsaudit__text_kind_names[TEXT_KINDS] = {"title", "explanation", "remediation"};

int dnsaudit_policy_new(dnsaudit_policy **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? 0 : DNSAUDIT_ENOMEM;
}

static void rule_clear(struct rule *r)
{
	size_t i, j;

	free(r->id);
	free(r->area);
	free(r->rfc);
	free(r->test_src);
	free(r->profiles);
	xmlXPathFreeCompExpr(r->test);
	for (i = 0; i < r->ntexts; i++) {
		for (j = 0; j < r->texts[i].nsegs; j++) {
			free(r->texts[i].segs[j].literal);
			xmlXPathFreeCompExpr(r->texts[i].segs[j].expr);
		}
		free(r->texts[i].segs);
		free(r->texts[i].lang);
	}
	free(r->texts);
	memset(r, 0, sizeof(*r));
}

static void bands_clear(struct dnsaudit_policy *p)
{
	size_t i;

	for (i = 0; i < p->nbands; i++)
		free(p->bands[i].grade);
	free(p->bands);
	p->bands = NULL;
	p->nbands = 0;
}

void dnsaudit_policy_free(dnsaudit_policy *policy)
{
	size_t i;

	if (policy == NULL)
		return;
	for (i = 0; i < policy->nrules; i++)
		rule_clear(&policy->rules[i]);
	free(policy->rules);
	for (i = 0; i < policy->nprofiles; i++) {
		free(policy->profiles[i].name);
		free(policy->profiles[i].select_src);
		xmlXPathFreeCompExpr(policy->profiles[i].select);
	}
	free(policy->profiles);
	bands_clear(policy);
	free(policy);
}

/* Collects the first libxml2 error of an operation instead of printing it. */
struct xml_errors {
	char msg[256];
	int line, seen;
};

/* libxml2 leaves XPath errors without a message: name them from the code. */
static const char *xpath_error_text(int code)
{
	static const char *const texts[] = {"ok",
	                                    "number encoding",
	                                    "unfinished literal",
	                                    "start of literal",
	                                    "expected $ for variable reference",
	                                    "undefined variable",
	                                    "invalid predicate",
	                                    "invalid expression",
	                                    "missing closing bracket or parenthesis",
	                                    "unregistered function",
	                                    "invalid operand",
	                                    "invalid type",
	                                    "invalid number of arguments",
	                                    "invalid context size",
	                                    "invalid context position",
	                                    "memory allocation",
	                                    "syntax error",
	                                    "resource error",
	                                    "sub-resource error",
	                                    "undefined namespace prefix",
	                                    "encoding error",
	                                    "character out of range"};
	int i = code - XML_XPATH_EXPRESSION_OK;

	return i >= 0 && i < (int)(sizeof(texts) / sizeof(texts[0])) ? texts[i] : "error";
}

static void capture_error(void *data, xmlErrorPtr e)
{
	struct xml_errors *x = data;
	size_t n;

	if (x->seen++ || e == NULL)
		return;
	if (e->message == NULL && e->domain == XML_FROM_XPATH)
		snprintf(x->msg, sizeof(x->msg), "%s at character %d", xpath_error_text(e->code),
		         e->int1 + 1);
	else
		snprintf(x->msg, sizeof(x->msg), "%s", e->message ? e->message : "error");
	n = strlen(x->msg);
	while (n > 0 && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
		x->msg[--n] = '\0';
	x->line = e->line;
}

static char *prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = v != NULL ? strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static xmlXPathCompExprPtr compile_xpath(const char *src, struct xml_errors *xe)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
	xmlXPathCompExprPtr c;

	if (ctx == NULL)
		return NULL;
	ctx->error = capture_error;
	ctx->userData = xe;
	c = xmlXPathCtxtCompile(ctx, BAD_CAST src);
	/* Not every compile error reaches the handler; the context keeps the last one. */
	if (c == NULL && !xe->seen)
		capture_error(xe, &ctx->lastError);
	xmlXPathFreeContext(ctx);
	return c;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_severity(const char *s, dnsaudit_severity *out)
{
	static const char *const names[] = {"info", "warn", "fail"};
	int i;

	for (i = 0; s != NULL && i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (dnsaudit_severity)i;
			return 0;
		}
	return -1;
}

struct load {
	const char *path;
	dnsaudit_error *err;
};

static int load_fail(struct load *ld, xmlNodePtr n, const char *rule, const char *what)
{
	dnsaudit__error_set(ld->err, DNSAUDIT_EINVAL, "%s:%ld: %s%s%s%s", ld->path,
	                    n != NULL ? xmlGetLineNo(n) : 0L, rule ? "rule " : "", rule ? rule : "",
	                    rule ? ": " : "", what);
	return DNSAUDIT_EINVAL;
}

static int add_segment(struct rule_text *t, char *literal, xmlXPathCompExprPtr expr)
{
	struct text_seg *s = realloc(t->segs, (t->nsegs + 1) * sizeof(*s));

	if (s == NULL) {
		free(literal);
		xmlXPathFreeCompExpr(expr);
		return -1;
	}
	t->segs = s;
	s[t->nsegs].literal = literal;
	s[t->nsegs].expr = expr;
	t->nsegs++;
	return 0;
}

/* Literal text up to the next unescaped '{'; "{{" and "}}" stand for braces. */
static int take_literal(struct rule_text *t, const char **pp)
{
	const char *p = *pp;
	size_t n = 0;
	char *lit = malloc(strlen(p) + 1);

	if (lit == NULL)
		return -1;
	while (*p != '\0' && !(p[0] == '{' && p[1] != '{')) {
		if ((p[0] == '{' || p[0] == '}') && p[1] == p[0])
			p++;
		lit[n++] = *p++;
	}
	lit[n] = '\0';
	*pp = p;
	if (n == 0) {
		free(lit);
		return 0;
	}
	return add_segment(t, lit, NULL);
}

static int split_text(struct load *ld, xmlNodePtr n, const char *rid, struct rule_text *t,
                      const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *close;
		char *src;
		struct xml_errors xe = {"", 0, 0};
		xmlXPathCompExprPtr e;

		if (take_literal(t, &p) != 0)
			return DNSAUDIT_ENOMEM;
		if (*p == '\0')
			break;
		if ((close = strchr(p, '}')) == NULL)
			return load_fail(ld, n, rid, "unclosed '{' placeholder in text");
		if ((src = strndup(p + 1, (size_t)(close - p - 1))) == NULL)
			return DNSAUDIT_ENOMEM;
		e = compile_xpath(src, &xe);
		free(src);
		if (e == NULL)
			return load_fail(ld, n, rid, "bad XPath in a {placeholder}");
		if (add_segment(t, NULL, e) != 0)
			return DNSAUDIT_ENOMEM;
		p = close + 1;
	}
	return 0;
}

static int text_kind(const xmlChar *name)
{
	int k;

	for (k = 0; k < TEXT_KINDS; k++)
		if (xmlStrEqual(name, BAD_CAST dnsaudit__text_kind_names[k]))
			return k;
	return -1;
}

static int add_text(struct load *ld, struct rule *r, xmlNodePtr n, int kind)
{
	xmlChar *lang = xmlNodeGetLang(n), *content;
	struct rule_text *t;
	int rc;

	if (lang == NULL)
		return load_fail(ld, n, r->id, "text without xml:lang");
	t = realloc(r->texts, (r->ntexts + 1) * sizeof(*t));
	if (t == NULL) {
		xmlFree(lang);
		return DNSAUDIT_ENOMEM;
	}
	r->texts = t;
	t = &r->texts[r->ntexts++];
	memset(t, 0, sizeof(*t));
	t->kind = (enum text_kind)kind;
	t->lang = strdup((const char *)lang);
	xmlFree(lang);
	content = xmlNodeGetContent(n);
	rc = t->lang == NULL || content == NULL
	         ? DNSAUDIT_ENOMEM
	         : split_text(ld, n, r->id, t, (const char *)content);
	xmlFree(content);
	return rc;
}

static int rule_attrs(struct load *ld, struct rule *r, xmlNodePtr n)
{
	char *sev = prop(n, "severity"), *weight = prop(n, "weight");
	struct xml_errors xe = {"", 0, 0};
	int bad_sev, bad_weight;

	r->id = prop(n, "id");
	r->area = prop(n, "area");
	r->rfc = prop(n, "rfc");
	r->test_src = prop(n, "test");
	r->profiles = prop(n, "profiles");
	bad_sev = parse_severity(sev, &r->severity) != 0;
	bad_weight = parse_int(weight, 0, 100, &r->weight) != 0;
	free(sev);
	free(weight);
	if (r->id == NULL || r->area == NULL || r->test_src == NULL)
		return load_fail(ld, n, r->id, "a rule needs id, area and test");
	if (bad_sev)
		return load_fail(ld, n, r->id, "severity must be info, warn or fail");
	if (bad_weight)
		return load_fail(ld, n, r->id, "weight must be an integer from 0 to 100");
	if ((r->test = compile_xpath(r->test_src, &xe)) == NULL) {
		char what[300];

		snprintf(what, sizeof(what), "bad XPath test: %s", xe.msg[0] ? xe.msg : "?");
		return load_fail(ld, n, r->id, what);
	}
	return 0;
}

static int parse_rule(struct load *ld, struct rule *r, xmlNodePtr n)
{
	xmlNodePtr c;
	int rc = rule_attrs(ld, r, n), kind;

	for (c = n->children; rc == 0 && c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((kind = text_kind(c->name)) < 0)
			return load_fail(ld, c, r->id, "unknown element in rule");
		rc = add_text(ld, r, c, kind);
	}
	return rc;
}

static int store_rule(struct dnsaudit_policy *p, struct rule *r)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].id, r->id) == 0) {
			rule_clear(&p->rules[i]);
			p->rules[i] = *r;
			return 0;
		}
	if (p->nrules == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct rule *nr = realloc(p->rules, cap * sizeof(*nr));

		if (nr == NULL)
			return DNSAUDIT_ENOMEM;
		p->rules = nr;
		p->cap = cap;
	}
	p->rules[p->nrules++] = *r;
	return 0;
}

static int band_cmp(const void *a, const void *b)
{
	const struct band *x = a, *y = b;

	return y->min - x->min;
}

static int parse_grading(struct load *ld, struct dnsaudit_policy *p, xmlNodePtr g)
{
	xmlNodePtr c;

	bands_clear(p);
	for (c = g->children; c != NULL; c = c->next) {
		char *min;
		struct band *b;
		int v, bad;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrEqual(c->name, BAD_CAST "band"))
			return load_fail(ld, c, NULL, "grading holds only band elements");
		if ((b = realloc(p->bands, (p->nbands + 1) * sizeof(*b))) == NULL)
			return DNSAUDIT_ENOMEM;
		p->bands = b;
		min = prop(c, "min");
		bad = parse_int(min, 0, 100, &v) != 0;
		free(min);
		b[p->nbands].grade = prop(c, "grade");
		b[p->nbands].min = v;
		p->nbands++;
		if (bad || b[p->nbands - 1].grade == NULL)
			return load_fail(ld, c, NULL, "a band needs grade and min (0-100)");
	}
	if (p->nbands > 1)
		qsort(p->bands, p->nbands, sizeof(*p->bands), band_cmp);
	if (p->nbands == 0 || p->bands[p->nbands - 1].min != 0)
		return load_fail(ld, g, NULL, "grading needs a band with min=\"0\"");
	return 0;
}

/* A profile of the same name in a later file replaces the earlier one. */
static int parse_profile(struct load *ld, struct dnsaudit_policy *p, xmlNodePtr n)
{
	struct xml_errors xe = {"", 0, 0};
	struct profile pr = {prop(n, "name"), prop(n, "select"), NULL};
	struct profile *v;
	size_t i;

	if (pr.name == NULL || pr.select_src == NULL ||
	    (pr.select = compile_xpath(pr.select_src, &xe)) == NULL) {
		free(pr.name);
		free(pr.select_src);
		return load_fail(ld, n, NULL, "a profile needs a name and a valid XPath select");
	}
	for (i = 0; i < p->nprofiles; i++)
		if (strcmp(p->profiles[i].name, pr.name) == 0)
			break;
	if (i == p->nprofiles) {
		if ((v = realloc(p->profiles, (i + 1) * sizeof(*v))) == NULL) {
			free(pr.name);
			free(pr.select_src);
			xmlXPathFreeCompExpr(pr.select);
			return DNSAUDIT_ENOMEM;
		}
		p->profiles = v;
		p->nprofiles++;
	} else {
		free(p->profiles[i].name);
		free(p->profiles[i].select_src);
		xmlXPathFreeCompExpr(p->profiles[i].select);
	}
	p->profiles[i] = pr;
	return 0;
}

static int parse_policy(struct load *ld, struct dnsaudit_policy *p, xmlNodePtr root)
{
	xmlNodePtr c;
	int rc = 0;

	if (!xmlStrEqual(root->name, BAD_CAST "policy"))
		return load_fail(ld, root, NULL, "the root element must be <policy>");
	for (c = root->children; rc == 0 && c != NULL; c = c->next) {
		struct rule r;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(c->name, BAD_CAST "grading")) {
			rc = parse_grading(ld, p, c);
			continue;
		}
		if (xmlStrEqual(c->name, BAD_CAST "profile")) {
			rc = parse_profile(ld, p, c);
			continue;
		}
		if (!xmlStrEqual(c->name, BAD_CAST "rule"))
			return load_fail(ld, c, NULL, "unknown element in policy");
		memset(&r, 0, sizeof(r));
		rc = parse_rule(ld, &r, c);
		if (rc == 0)
			rc = store_rule(p, &r);
		if (rc != 0)
			rule_clear(&r);
	}
	return rc;
}

static int validate(struct load *ld, xmlDocPtr doc, const char *schema)
{
	struct xml_errors xe = {"", 0, 0};
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(schema);
	xmlSchemaPtr s = NULL;
	xmlSchemaValidCtxtPtr vc = NULL;
	int rc = -1;

	if (pc != NULL) {
		xmlSchemaSetParserStructuredErrors(pc, capture_error, &xe);
		s = xmlSchemaParse(pc);
	}
	if (s != NULL && (vc = xmlSchemaNewValidCtxt(s)) != NULL) {
		xmlSchemaSetValidStructuredErrors(vc, capture_error, &xe);
		rc = xmlSchemaValidateDoc(vc, doc);
	}
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(s);
	xmlSchemaFreeParserCtxt(pc);
	if (rc == 0)
		return 0;
	if (s == NULL)
		dnsaudit__error_set(ld->err, DNSAUDIT_EINVAL, "%s: cannot read schema: %s", schema,
		                    xe.msg);
	else
		dnsaudit__error_set(ld->err, DNSAUDIT_EINVAL, "%s:%d: %s", ld->path, xe.line,
		                    xe.msg);
	return DNSAUDIT_EINVAL;
}

int dnsaudit_policy_add_file(dnsaudit_policy *policy, const char *path, const char *schema,
                             dnsaudit_error *err)
{
	struct load ld = {path, err};
	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	xmlDocPtr doc;
	int rc, fd;

	if (pc == NULL)
		return DNSAUDIT_ENOMEM;
	/* Opened here so a missing file is our error message, not libxml2's print. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", path, strerror(errno));
		xmlFreeParserCtxt(pc);
		return DNSAUDIT_EINVAL;
	}
	doc = xmlCtxtReadFd(pc, fd, path, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	close(fd);
	if (doc == NULL) {
		struct xml_errors xe = {"cannot read policy", 0, 0};

		capture_error(&xe, xmlCtxtGetLastError(pc));
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s:%d: %s", path, xe.line, xe.msg);
		xmlFreeParserCtxt(pc);
		return DNSAUDIT_EINVAL;
	}
	rc = schema != NULL ? validate(&ld, doc, schema) : 0;
	if (rc == 0)
		rc = parse_policy(&ld, policy, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pc);
	if (rc == 0 && policy->nbands == 0)
		rc = load_fail(&ld, NULL, NULL, "no <grading> bands (in this or an earlier file)");
	return rc;
}

size_t dnsaudit_policy_rule_count(const dnsaudit_policy *policy)
{
	return policy->nrules;
}

const char *dnsaudit_policy_rule_id(const dnsaudit_policy *policy, size_t i)
{
	return i < policy->nrules ? policy->rules[i].id : NULL;
}

static int has_text(const struct rule *r, int kind, const char *lang, size_t len)
{
	size_t i;

	for (i = 0; i < r->ntexts; i++)
		if ((int)r->texts[i].kind == kind && strlen(r->texts[i].lang) == len &&
		    strncmp(r->texts[i].lang, lang, len) == 0)
			return 1;
	return 0;
}

char *dnsaudit_policy_rule_missing_texts(const dnsaudit_policy *policy, size_t i, const char *langs)
{
	const struct rule *r = &policy->rules[i];
	char out[512] = "";
	size_t used = 0;
	const char *l = langs;

	while (*l) {
		size_t len = strcspn(l, ",");
		int k;

		for (k = 0; k < TEXT_KINDS; k++)
			if (!has_text(r, k, l, len) && used < sizeof(out))
				used += (size_t)snprintf(out + used, sizeof(out) - used,
				                         "%s%s@%.*s", used ? " " : "",
				                         dnsaudit__text_kind_names[k], (int)len, l);
		l += len + (l[len] == ',');
	}
	return used ? strdup(out) : NULL;
}

int dnsaudit_policy_grade_min(const dnsaudit_policy *policy, const char *grade, int *out)
{
	size_t i;

	for (i = 0; i < policy->nbands; i++)
		if (strcasecmp(policy->bands[i].grade, grade) == 0) {
			*out = policy->bands[i].min;
			return 0;
		}
	return DNSAUDIT_EINVAL;
}
