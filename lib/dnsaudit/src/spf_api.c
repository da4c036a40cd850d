/*
 * spf_api.c -- the public face of the SPF evaluator: check_host() over a
 * session (each lookup resolved as it is needed, each name and type once),
 * and its trace as text.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_internal.h"
#include "dnsaudit/spf.h"
#include "spf_internal.h"

struct dnsaudit_spf_check {
	struct spf_eval *ev;
	char *domain;
};

static const dnsaudit_answer *lookup_now(void *arg, const char *name, uint16_t type)
{
	return dnsaudit_session_lookup(arg, name, type);
}

static int parse_ip(const char *s, int *family, unsigned char ip[16])
{
	memset(ip, 0, 16);
	if (inet_pton(AF_INET, s, ip) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

/* The domain part of sender, or helo for the null reverse-path. */
static const char *sender_domain(const char *sender, const char *helo)
{
	const char *at = sender ? strrchr(sender, '@') : NULL;

	if (sender == NULL || *sender == '\0')
		return helo;
	return at ? at + 1 : sender;
}

int dnsaudit_spf_check_new(dnsaudit_spf_check **out, dnsaudit_session *session, const char *ip,
                           const char *sender, const char *helo, dnsaudit_error *err)
{
	struct spf_eval_opts o = {lookup_now, session, 0, NULL, (long long)time(NULL)};
	unsigned char addr[16];
	const char *domain = sender_domain(sender, helo);
	struct dnsaudit_spf_check *c;
	int family;

	*out = NULL;
	if (ip == NULL || parse_ip(ip, &family, addr) != 0) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "'%s' is not an IPv4 or IPv6 address",
		                    ip ? ip : "");
		return DNSAUDIT_EINVAL;
	}
	if (domain == NULL || *domain == '\0') {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL,
		                    "no sender domain: give --sender or --helo");
		return DNSAUDIT_EINVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->domain = strdup(domain)) == NULL ||
	    dnsaudit__spf_check_host(&o, family, addr, domain, sender, helo, &c->ev) != 0) {
		dnsaudit_spf_check_free(c);
		return DNSAUDIT_ENOMEM;
	}
	*out = c;
	return 0;
}

void dnsaudit_spf_check_free(dnsaudit_spf_check *check)
{
	if (check == NULL)
		return;
	dnsaudit__spf_eval_free(check->ev);
	free(check->domain);
	free(check);
}

const char *dnsaudit_spf_check_result(const dnsaudit_spf_check *check)
{
	return dnsaudit__spf_result_name(check->ev->result);
}

const char *dnsaudit_spf_check_explanation(const dnsaudit_spf_check *check)
{
	return check->ev->explanation;
}

unsigned dnsaudit_spf_check_lookups(const dnsaudit_spf_check *check)
{
	return check->ev->lookups;
}

unsigned dnsaudit_spf_check_void_lookups(const dnsaudit_spf_check *check)
{
	return check->ev->void_lookups;
}

static void trace_node(struct dnsaudit__buf *b, const struct spf_node *n, unsigned depth);

static void trace_term(struct dnsaudit__buf *b, const struct spf_node_term *t, unsigned depth)
{
	size_t i;

	dnsaudit__buf_printf(b, "%*s%s", (int)depth * 2 + 2, "", t->text);
	if (t->lookups || t->void_lookups)
		dnsaudit__buf_printf(b, "  [%u lookup%s%s]", t->lookups, t->lookups == 1 ? "" : "s",
		                     t->void_lookups ? ", void" : "");
	if (t->matched)
		dnsaudit__buf_puts(b, "  <- matched");
	if (t->unreachable)
		dnsaudit__buf_puts(b, "  (not reached)");
	if (t->note != NULL)
		dnsaudit__buf_printf(b, "  (%s)", t->note);
	if (t->over_limit)
		dnsaudit__buf_puts(b, "  <- over the RFC 7208 §4.6.4 limit");
	dnsaudit__buf_puts(b, "\n");
	for (i = 0; i < t->naddresses && i < 16; i++)
		dnsaudit__buf_printf(b, "%*s= %s\n", (int)depth * 2 + 6, "", t->addresses[i]);
	if (t->child != NULL && depth < 32)
		trace_node(b, t->child, depth + 2);
}

static void trace_node(struct dnsaudit__buf *b, const struct spf_node *n, unsigned depth)
{
	size_t i;

	dnsaudit__buf_printf(b, "%*scheck_host(%s): %s", (int)depth * 2, "", n->domain,
	                     dnsaudit__spf_result_name(n->result));
	if (n->error != NULL)
		dnsaudit__buf_printf(b, " (%s)", n->error);
	dnsaudit__buf_puts(b, "\n");
	if (n->record != NULL)
		dnsaudit__buf_printf(b, "%*srecord: %s\n", (int)depth * 2 + 2, "", n->record);
	for (i = 0; i < n->nterms; i++)
		trace_term(b, &n->terms[i], depth);
}

char *dnsaudit_spf_check_trace(const dnsaudit_spf_check *check)
{
	struct dnsaudit__buf b;

	dnsaudit__buf_init(&b, 4u * 1024u * 1024u);
	if (check->ev->root != NULL)
		trace_node(&b, check->ev->root, 0);
	dnsaudit__buf_printf(&b, "DNS-querying terms: %u, void lookups: %u\n", check->ev->lookups,
	                     check->ev->void_lookups);
	return dnsaudit__buf_take(&b, NULL);
}
