/*
 * xpath_assert.h -- asserting on XML documents by XPath, for the cmocka
 * tests of the facts and the policy engine. Include after <cmocka.h>.
 */
#ifndef MAILAUDIT_TEST_XPATH_ASSERT_H
#define MAILAUDIT_TEST_XPATH_ASSERT_H

#include <stdlib.h>
#include <string.h>
#include <libxml/xpath.h>

/* String value of expr over doc; caller frees. */
static inline char *xpath_string(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlChar *s = xmlXPathCastToString(o);
	char *out = strdup(s != NULL ? (const char *)s : "");

	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return out;
}

static inline void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xpath_string(doc, expr);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", expr, got, want);
	free(got);
}

#endif /* MAILAUDIT_TEST_XPATH_ASSERT_H */
