/*
 * spf_macro.c -- SPF macros (RFC 7208 §7): the syntax of domain-specs and
 * explain-strings, and their expansion for one check_host() call.
 *
 * Both walk the same tokenizer, so what the parser accepted is exactly what
 * the expander can expand. Expansions are bounded (64 KiB): a hostile record
 * of repeated %{s} cannot make us allocate without limit.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_internal.h"

/* No expansion is longer; a record is at most 64 KiB, and so is its text. */
#define MACRO_MAX_OUT 65536u

struct macro {
	char letter;   /* lowercase macro-letter, or 0 for %% %_ %- */
	int upper;     /* uppercase letter: URL-escape the value */
	size_t digits; /* keep this many right-hand parts; 0 = all */
	int reverse;
	char delims[8];      /* NUL-terminated; "" = the default "." */
	const char *literal; /* %% %_ %- */
};

static int fail(struct spf_error *err, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct spf_error *err, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* The inside of "%{...}" from s[i] (just past '{'); returns the offset past '}'. */
static size_t scan_braces(const char *s, size_t len, size_t i, size_t at, int explain,
                          struct macro *m, struct spf_error *err)
{
	const char *letters = explain ? "slodipvhcrt" : "slodipvh";
	size_t nd = 0;

	if (i >= len || !isalpha((unsigned char)s[i]))
		return fail(err, at, "macro '%%{' without a letter"), 0;
	m->letter = (char)tolower((unsigned char)s[i]);
	m->upper = isupper((unsigned char)s[i]) != 0;
	if (strchr(letters, m->letter) == NULL && strchr("crt", m->letter) != NULL)
		return fail(err, i, "macro letter '%c' is allowed in exp= text only", s[i]), 0;
	if (strchr(letters, m->letter) == NULL)
		return fail(err, i, "unknown macro letter '%c'", s[i]), 0;
	for (i++; i < len && isdigit((unsigned char)s[i]); i++)
		/* Saturate: more parts than a name can have means "all of them". */
		m->digits = m->digits < 1000 ? m->digits * 10 + (size_t)(s[i] - '0') : 1000;
	if (i > 0 && isdigit((unsigned char)s[i - 1]) && m->digits == 0)
		return fail(err, i - 1, "macro part count must not be zero"), 0;
	if (i < len && (s[i] == 'r' || s[i] == 'R')) {
		m->reverse = 1;
		i++;
	}
	for (; i < len && strchr(".-+,/_=", s[i]) != NULL && s[i] != '\0'; i++)
		if (nd + 1 < sizeof(m->delims) && strchr(m->delims, s[i]) == NULL)
			m->delims[nd++] = s[i];
	if (i >= len || s[i] != '}')
		return fail(err, i < len ? i : at, "unterminated or malformed macro '%%{'"), 0;
	return i + 1;
}

/*
 * The macro-expand at s[i] == '%': "%{...}", "%%", "%_" or "%-".
 * @return the offset just past it, or 0 with err.
 */
static size_t scan_macro(const char *s, size_t len, size_t i, int explain, struct macro *m,
                         struct spf_error *err)
{
	memset(m, 0, sizeof(*m));
	if (i + 1 >= len)
		return fail(err, i, "'%%' at the end (write %%%% for a literal '%%')"), 0;
	switch (s[i + 1]) {
	case '%':
		m->literal = "%";
		return i + 2;
	case '_':
		m->literal = " ";
		return i + 2;
	case '-':
		m->literal = "%20";
		return i + 2;
	case '{':
		return scan_braces(s, len, i + 2, i, explain, m, err);
	default:
		return fail(err, i, "'%%' must be followed by '{', '%%', '_' or '-'"), 0;
	}
}

/* macro-literal = %x21-24 / %x26-7E; an explain-string also has SP. */
static int literal_ok(unsigned char c, int explain)
{
	return (c >= 0x21 && c <= 0x7E) || (explain && c == ' ');
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int is_toplabel(const char *s, size_t len)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (len == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (isalpha((unsigned char)s[i]))
			alpha = 1;
		else if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return alpha || dash;
}

/*
 * domain-end = ( "." toplabel [ "." ] ) / macro-expand. Without a final
 * macro-expand, the literal tail after the last one must hold the "." and
 * the toplabel: "%{d}com" has no dot of its own, "a:museum" no dot at all.
 */
static int check_domain_end(const char *s, size_t len, size_t tail, struct spf_error *err)
{
	size_t end = len, dot;

	if (len == 0)
		return fail(err, 0, "empty domain-spec");
	if (tail == len)
		return 0; /* ends in a macro-expand */
	if (s[end - 1] == '.')
		end--;
	for (dot = end; dot > tail && s[dot - 1] != '.'; dot--)
		;
	if (dot == tail)
		return fail(err, tail, "domain '%.*s' must end in '.' and a top-level label",
		            (int)(len > 60 ? 60 : len), s);
	if (!is_toplabel(s + dot, end - dot))
		return fail(err, dot, "invalid top-level label '%.*s'",
		            (int)(end - dot > 60 ? 60 : end - dot), s + dot);
	return 0;
}

int dnsaudit__spf_macro_check(const char *spec, size_t len, int explain, struct spf_error *err)
{
	size_t i = 0, tail = 0;
	struct macro m;

	while (i < len) {
		if (spec[i] == '%') {
			if ((i = scan_macro(spec, len, i, explain, &m, err)) == 0)
				return -1;
			tail = i;
		} else if (!literal_ok((unsigned char)spec[i], explain)) {
			return fail(err, i, "byte 0x%02X not allowed in a macro-string",
			            (unsigned char)spec[i]);
		} else {
			i++;
		}
	}
	return explain ? 0 : check_domain_end(spec, len, tail, err);
}

/* ---- expansion ---- */

struct out {
	char *p;
	size_t len, cap;
	int failed; /* 1: over MACRO_MAX_OUT, 2: no memory */
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (o->failed)
		return;
	if (o->len + n + 1 > MACRO_MAX_OUT) {
		o->failed = 1;
		return;
	}
	if (o->len + n + 1 > o->cap) {
		for (cap = o->cap ? o->cap : 128; cap < o->len + n + 1; cap *= 2)
			;
		if ((p = realloc(o->p, cap)) == NULL) {
			o->failed = 2;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

/* %{i}: dotted quad, or 32 dot-separated nibbles (lowercase, as §7.4 shows). */
static void ip_dotted(const struct spf_macro_ctx *c, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (c->family != AF_INET6) {
		snprintf(buf, size, "%u.%u.%u.%u", c->ip[0], c->ip[1], c->ip[2], c->ip[3]);
		return;
	}
	for (i = 0; i < 16 && o + 4 < size; i++) {
		buf[o++] = hex[c->ip[i] >> 4];
		buf[o++] = '.';
		buf[o++] = hex[c->ip[i] & 15];
		buf[o++] = '.';
	}
	buf[o > 0 ? o - 1 : 0] = '\0';
}

/* Local-part or domain of the sender; a missing local-part is "postmaster" (§4.3). */
static void sender_part(const char *sender, int local, const char **s, size_t *n)
{
	const char *at = sender ? strrchr(sender, '@') : NULL;

	if (sender == NULL) {
		*s = local ? "postmaster" : "";
		*n = strlen(*s);
	} else if (local) {
		*s = (at == NULL || at == sender) ? "postmaster" : sender;
		*n = (at == NULL || at == sender) ? 10 : (size_t)(at - sender);
	} else {
		*s = at ? at + 1 : sender;
		*n = strlen(*s);
	}
}

/* The raw value of a macro letter; small values are written into buf. */
static void letter_value(const struct spf_macro_ctx *c, char letter, char *buf, size_t size,
                         const char **s, size_t *n)
{
	const char *v = NULL;

	switch (letter) {
	case 's':
		v = c->sender;
		break;
	case 'l':
	case 'o':
		sender_part(c->sender, letter == 'l', s, n);
		return;
	case 'd':
		v = c->domain;
		break;
	case 'i':
		ip_dotted(c, buf, size);
		v = buf;
		break;
	case 'p':
		v = c->validated_ptr ? c->validated_ptr(c->ptr_arg) : NULL;
		break;
	case 'v':
		v = c->family == AF_INET6 ? "ip6" : "in-addr";
		break;
	case 'h':
		v = c->helo;
		break;
	case 'c':
		v = inet_ntop(c->family == AF_INET6 ? AF_INET6 : AF_INET, c->ip, buf,
		              (socklen_t)size);
		break;
	case 'r':
		v = c->receiver;
		break;
	case 't':
		snprintf(buf, size, "%lld", c->now);
		v = buf;
		break;
	}
	*s = v != NULL ? v : "unknown";
	*n = strlen(*s);
}

/* Appends value, URL-escaped (§7.3: all but the unreserved set) when upper. */
static void put_escaped(struct out *o, const char *s, size_t n, int upper)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (!upper) {
		put(o, s, n);
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
			put(o, s + i, 1);
		else
			put(o, e, 3);
	}
}

struct part {
	size_t off, len;
};

/*
 * §7.3 transformers: split on the delimiters, reverse, keep the rightmost
 * `digits` parts, join with ".". The value is at most 64 KiB, so parts fit.
 */
static int transform(const struct macro *m, const char *s, size_t n, struct out *o)
{
	const char *delims = m->delims[0] ? m->delims : ".";
	size_t i, np = 1, k = 0, first;
	struct part *parts;
	struct out t = {NULL, 0, 0, 0};

	for (i = 0; i < n; i++)
		np += strchr(delims, s[i]) != NULL && s[i] != '\0';
	if ((parts = calloc(np, sizeof(*parts))) == NULL)
		return -1;
	for (i = 0; i <= n; i++) {
		if (i == n || (s[i] != '\0' && strchr(delims, s[i]) != NULL)) {
			parts[k].len = i - parts[k].off;
			if (++k < np)
				parts[k].off = i + 1;
		}
	}
	for (i = 0; m->reverse && i < np / 2; i++) {
		struct part tmp = parts[i];

		parts[i] = parts[np - 1 - i];
		parts[np - 1 - i] = tmp;
	}
	first = (m->digits > 0 && m->digits < np) ? np - m->digits : 0;
	for (i = first; i < np; i++) {
		if (i > first)
			put(&t, ".", 1);
		put(&t, s + parts[i].off, parts[i].len);
	}
	free(parts);
	if (t.failed == 0)
		put_escaped(o, t.p ? t.p : "", t.len, m->upper);
	else
		o->failed = t.failed;
	free(t.p);
	return 0;
}

static int expand_macro(const struct macro *m, const struct spf_macro_ctx *ctx, struct out *o)
{
	char buf[80];
	const char *s;
	size_t n;

	if (m->letter == 0) {
		put(o, m->literal, strlen(m->literal));
		return 0;
	}
	letter_value(ctx, m->letter, buf, sizeof(buf), &s, &n);
	if (n >= MACRO_MAX_OUT) { /* a caller's sender or HELO of any size: bounded here */
		o->failed = 1;
		return 0;
	}
	if (m->digits == 0 && !m->reverse && m->delims[0] == '\0') {
		put_escaped(o, s, n, m->upper);
		return 0;
	}
	return transform(m, s, n, o);
}

/*
 * §7.3: a trailing dot goes (it is the root, not part of the name), then
 * whole labels from the left until the name fits 253 octets.
 */
static void shorten_domain(struct out *o)
{
	size_t i;

	if (o->len > 0 && o->p[o->len - 1] == '.')
		o->p[--o->len] = '\0';
	while (o->len > SPF_MAX_DOMAIN_OCTETS) {
		char *dot = memchr(o->p, '.', o->len);

		if (dot == NULL)
			return;
		i = (size_t)(dot - o->p) + 1;
		memmove(o->p, o->p + i, o->len - i + 1);
		o->len -= i;
	}
}

int dnsaudit__spf_expand(const char *spec, const struct spf_macro_ctx *ctx, int explain, char **out,
                         struct spf_error *err)
{
	size_t i = 0, len = spec ? strlen(spec) : 0, next;
	struct out o = {NULL, 0, 0, 0};
	struct macro m;

	*out = NULL;
	put(&o, "", 0);
	while (i < len && o.failed == 0) {
		if (spec[i] != '%') {
			if (!literal_ok((unsigned char)spec[i], explain)) {
				free(o.p);
				return fail(err, i, "byte 0x%02X not allowed in a macro-string",
				            (unsigned char)spec[i]);
			}
			for (next = i; next < len && spec[next] != '%'; next++)
				if (!literal_ok((unsigned char)spec[next], explain))
					break;
			put(&o, spec + i, next - i);
			i = next;
			continue;
		}
		if ((next = scan_macro(spec, len, i, explain, &m, err)) == 0 ||
		    expand_macro(&m, ctx, &o) != 0) {
			free(o.p);
			return next == 0 ? -1 : DNSAUDIT_ENOMEM;
		}
		i = next;
	}
	if (o.failed) {
		free(o.p);
		return o.failed == 2 ? DNSAUDIT_ENOMEM
		                     : fail(err, 0, "expansion longer than 64 KiB");
	}
	if (!explain)
		shorten_domain(&o);
	*out = o.p;
	return 0;
}
