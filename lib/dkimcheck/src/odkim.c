/*
 * odkim.c -- libopendkim behind one translation unit (STYLE rule 11).
 * The front end hands over CRLF line ends (crlf.h), so FIXCRLF is off; bad signatures
 * stay listed (BADSIGHANDLES) so each gets its own result. Keys come only
 * from the caller's callback (dkim_set_key_lookup), never from a file or
 * libopendkim's own resolver, so tests run offline and evidence is kept.
 */
#include <ctype.h>
#include <dkim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odkim.h"

/* "<s>._domainkey.<d>" of a signature; -1 when a tag is missing or too long. */
static int key_name(DKIM_SIGINFO *sig, char *out, size_t size)
{
	const char *sel = (const char *)dkim_sig_getselector(sig);
	const char *dom = (const char *)dkim_sig_getdomain(sig);
	int n;

	if (sel == NULL || dom == NULL)
		return -1;
	n = snprintf(out, size, "%s._domainkey.%s", sel, dom);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* RFC 8301 section 3.2: RSA keys under 1024 bits MUST NOT be accepted. */
#define RSA_MIN_BITS 1024

static DKIM_CBSTAT key_lookup_cb(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen);

void *dkimcheck__odkim_init(void)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;

	if (lib == NULL)
		return NULL;
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) !=
	        DKIM_STAT_OK ||
	    dkim_set_key_lookup(lib, key_lookup_cb) != DKIM_STAT_OK) {
		dkim_close(lib);
		return NULL;
	}
	return lib;
}

void dkimcheck__odkim_close(void *lib)
{
	if (lib != NULL)
		dkim_close(lib);
}

int dkimcheck__odkim_has_ed25519(void *lib)
{
	return dkim_libfeature(lib, DKIM_FEATURE_ED25519) != 0;
}

static int keep_evidence(struct dkimcheck__keyctx *ctx, const char *name, const char *record,
                         const char *origin, dkimcheck_key_result r)
{
	struct dkimcheck__evidence *e;

	if (ctx->nev == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 4;
		void *p = realloc(ctx->ev, cap * sizeof(*ctx->ev));

		if (p == NULL)
			return -1;
		ctx->ev = p;
		ctx->cap = cap;
	}
	e = &ctx->ev[ctx->nev];
	e->name = dkimcheck__strdup(name);
	e->record = dkimcheck__strdup(record);
	e->origin = dkimcheck__strdup(origin);
	e->result = r;
	if (e->name == NULL || e->record == NULL || e->origin == NULL) {
		free(e->name);
		free(e->record);
		free(e->origin);
		return -1;
	}
	ctx->nev++;
	return 0;
}

static DKIM_CBSTAT key_lookup_cb(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkimcheck__keyctx *ctx = dkim_get_user_context(dkim);
	char name[1024], origin[512] = "";
	dkimcheck_key_result r = DKIMCHECK_KEY_NOTFOUND;
	int n;

	if (ctx == NULL || buflen == 0)
		return DKIM_CBSTAT_ERROR;
	buf[0] = '\0';
	n = key_name(sig, name, sizeof(name));
	if (n < 0)
		return DKIM_CBSTAT_NOTFOUND; /* no such DNS name can exist */
	if (ctx->lookup != NULL)
		r = ctx->lookup(ctx->payload, name, (char *)buf, buflen, origin, sizeof(origin));
	buf[buflen - 1] = '\0'; /* whatever the callback did */
	origin[sizeof(origin) - 1] = '\0';
	if (r == DKIMCHECK_KEY_TEMPFAIL || r == DKIMCHECK_KEY_ERROR)
		ctx->tempfail = 1;
	if (keep_evidence(ctx, name, r == DKIMCHECK_KEY_FOUND ? (char *)buf : "", origin, r) != 0)
		ctx->nomem = 1;
	switch (r) {
	case DKIMCHECK_KEY_FOUND:
		return DKIM_CBSTAT_CONTINUE;
	case DKIMCHECK_KEY_NOTFOUND:
	case DKIMCHECK_KEY_MULTIPLE: /* no key to use; the evidence says why */
	case DKIMCHECK_KEY_TOOLONG:
		return DKIM_CBSTAT_NOTFOUND;
	case DKIMCHECK_KEY_TEMPFAIL:
		return DKIM_CBSTAT_TRYAGAIN;
	default:
		return DKIM_CBSTAT_ERROR;
	}
}

void *dkimcheck__odkim_msg_open(void *lib, struct dkimcheck__keyctx *ctx)
{
	DKIM_STAT st = DKIM_STAT_OK;
	DKIM *dkim = dkim_verify(lib, (const unsigned char *)"mailaudit", NULL, &st);

	if (dkim == NULL)
		return NULL;
	if (dkim_set_user_context(dkim, ctx) != DKIM_STAT_OK) {
		dkim_free(dkim);
		return NULL;
	}
	return dkim;
}

int dkimcheck__odkim_msg_feed(void *msg, unsigned char *buf, size_t len, const char **why)
{
	DKIM_STAT st = dkim_chunk(msg, buf, len);

	if (st == DKIM_STAT_OK)
		return 0;
	/* NOSIG: end of header, nothing to verify, so no need for the body. */
	*why = st == DKIM_STAT_NOSIG ? NULL : dkim_getresultstr(st);
	return 1;
}

void dkimcheck__odkim_msg_close(void *msg)
{
	if (msg != NULL)
		dkim_free(msg);
}

static const struct dkimcheck__evidence *find_evidence(const struct dkimcheck__keyctx *ctx,
                                                       DKIM_SIGINFO *sig)
{
	char name[1024];
	size_t i;
	int n = key_name(sig, name, sizeof(name));

	if (n < 0)
		return NULL;
	for (i = ctx->nev; i-- > 0;)
		if (strcmp(ctx->ev[i].name, name) == 0)
			return &ctx->ev[i];
	return NULL;
}

static const char *alg_name(DKIM_SIGINFO *sig, dkim_alg_t *alg)
{
	*alg = DKIM_SIGN_UNKNOWN;
	if (dkim_sig_getsignalg(sig, alg) != DKIM_STAT_OK)
		*alg = DKIM_SIGN_UNKNOWN;
	switch (*alg) {
	case DKIM_SIGN_RSASHA1:
		return "rsa-sha1";
	case DKIM_SIGN_RSASHA256:
		return "rsa-sha256";
	case DKIM_SIGN_ED25519SHA256:
		return "ed25519-sha256";
	default:
		return "unknown";
	}
}

/* Sets result and a detail token (copied) with optional free text. */
static void verdict(struct dkimcheck_signature *s, dkimcheck_result_code r, const char *token,
                    const char *text)
{
	s->result = r;
	s->detail = (text != NULL && *text != '\0') ? dkimcheck__join(token, ":", text)
	                                            : dkimcheck__strdup(token);
}

/* Errors that say the signature or key can never verify (RFC 6376 PERMFAIL). */
static int classify_error(struct dkimcheck_signature *s, int err)
{
	const char *text = dkim_sig_geterrorstr(err);

	switch (err) {
	case DKIM_SIGERROR_OK:
	case DKIM_SIGERROR_BADSIG:
		return 0;
	case DKIM_SIGERROR_NOKEY:
		verdict(s, DKIMCHECK_PERMERROR, "key-not-found", NULL);
		break;
	case DKIM_SIGERROR_KEYFAIL:
		verdict(s, DKIMCHECK_TEMPERROR, "dns-error", text);
		break;
	case DKIM_SIGERROR_KEYREVOKED:
		verdict(s, DKIMCHECK_PERMERROR, "key-revoked", NULL);
		break;
	case DKIM_SIGERROR_EXPIRED:
		verdict(s, DKIMCHECK_PERMERROR, "expired", NULL);
		break;
	case DKIM_SIGERROR_KEYTOOSMALL:
		verdict(s, DKIMCHECK_POLICY, "key-too-short", "RSA key under 1024 bits (RFC 8301)");
		break;
	case DKIM_SIGERROR_INVALID_A:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
		verdict(s, DKIMCHECK_PERMERROR, "unsupported-algorithm", text);
		break;
	default:
		verdict(s, DKIMCHECK_PERMERROR, "syntax", text);
		break;
	}
	return 1;
}

/* A lookup the caller could not answer: the DNS, not the signature, is at fault. */
static int classify_lookup(struct dkimcheck_signature *s, const struct dkimcheck__evidence *ev)
{
	if (ev == NULL)
		return 0;
	switch (ev->result) {
	case DKIMCHECK_KEY_NOTFOUND:
		verdict(s, DKIMCHECK_PERMERROR, "key-not-found", NULL);
		return 1;
	case DKIMCHECK_KEY_MULTIPLE:
		verdict(s, DKIMCHECK_PERMERROR, "syntax",
		        "several TXT records at the key name (RFC 6376 3.6.2.2)");
		return 1;
	case DKIMCHECK_KEY_TOOLONG:
		verdict(s, DKIMCHECK_PERMERROR, "syntax",
		        "key record over 1024 bytes (RSA keys over 4096 bits are not supported, "
		        "RFC 8301 3.2)");
		return 1;
	case DKIMCHECK_KEY_TEMPFAIL:
	case DKIMCHECK_KEY_ERROR:
		verdict(s, DKIMCHECK_TEMPERROR, "dns-error", ev->origin);
		return 1;
	default:
		return 0;
	}
}

static void classify_valid(DKIM *dkim, DKIM_SIGINFO *sig, struct dkimcheck_signature *s,
                           dkim_alg_t alg)
{
	ssize_t msglen = -1, canonlen = -1, signlen = -1;
	char text[64];

	if (alg == DKIM_SIGN_RSASHA1) {
		verdict(s, DKIMCHECK_POLICY, "sha1-forbidden",
		        "rsa-sha1 must not verify (RFC 8301)");
		return;
	}
	if (alg != DKIM_SIGN_ED25519SHA256 && s->key_bits != 0 && s->key_bits < RSA_MIN_BITS) {
		verdict(s, DKIMCHECK_POLICY, "key-too-short", "RSA key under 1024 bits (RFC 8301)");
		return;
	}
	if (dkim_sig_getcanonlen(dkim, sig, &msglen, &canonlen, &signlen) == DKIM_STAT_OK &&
	    signlen >= 0 && msglen > canonlen) {
		s->unsigned_bytes = (unsigned long long)(msglen - canonlen);
		snprintf(text, sizeof(text), "%llu bytes unsigned", s->unsigned_bytes);
		verdict(s, DKIMCHECK_PASS, "body-length-limit", text);
		return;
	}
	if (dkim_sig_getflags(sig) & DKIM_SIGFLAG_TESTKEY)
		verdict(s, DKIMCHECK_PASS, "testing", NULL);
	else
		verdict(s, DKIMCHECK_PASS, "ok", NULL);
}

static int fill_signature(DKIM *dkim, DKIM_SIGINFO *sig, const struct dkimcheck__keyctx *ctx,
                          struct dkimcheck_signature *s)
{
	const struct dkimcheck__evidence *ev = find_evidence(ctx, sig);
	unsigned int flags = dkim_sig_getflags(sig);
	dkim_alg_t alg;

	s->domain = dkimcheck__printable((char *)dkim_sig_getdomain(sig));
	s->selector = dkimcheck__printable((char *)dkim_sig_getselector(sig));
	s->algorithm = alg_name(sig, &alg);
	if (dkim_sig_getkeysize(sig, &s->key_bits) != DKIM_STAT_OK)
		s->key_bits = 0;
	s->key_record = dkimcheck__strdup(ev != NULL ? ev->record : "");
	s->key_origin = dkimcheck__strdup(ev != NULL ? ev->origin : "");
	if (!classify_lookup(s, ev) && !classify_error(s, dkim_sig_geterror(sig))) {
		if ((flags & DKIM_SIGFLAG_PASSED) && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH)
			classify_valid(dkim, sig, s, alg);
		else if (flags & DKIM_SIGFLAG_PASSED)
			verdict(s, DKIMCHECK_FAIL, "body-hash-mismatch", NULL);
		else if (flags & DKIM_SIGFLAG_PROCESSED)
			verdict(s, DKIMCHECK_FAIL, "signature-mismatch", NULL);
		else if (ctx->tempfail) /* libopendkim stopped at a DNS failure */
			verdict(s, DKIMCHECK_TEMPERROR, "dns-error", "not verified");
		else
			verdict(s, DKIMCHECK_PERMERROR, "syntax", "not verified");
	}
	if (s->domain == NULL || s->selector == NULL || s->key_record == NULL ||
	    s->key_origin == NULL || s->detail == NULL)
		return DKIMCHECK_ENOMEM;
	return 0;
}

/*
 * libopendkim gives no signature list when a key lookup failed in the
 * header phase (it stops there): report each failed lookup as a signature,
 * from its "SEL._domainkey.DOMAIN" name, so a DNS failure stays temperror.
 */
static int sigs_from_evidence(dkimcheck_message *m, const struct dkimcheck__keyctx *ctx)
{
	size_t i;

	m->sigs = calloc(ctx->nev, sizeof(*m->sigs));
	if (m->sigs == NULL)
		return DKIMCHECK_ENOMEM;
	for (i = 0; i < ctx->nev; i++, m->nsigs++) {
		struct dkimcheck_signature *s = &m->sigs[i];
		const struct dkimcheck__evidence *ev = &ctx->ev[i];
		const char *mid = strstr(ev->name, "._domainkey.");

		s->domain = dkimcheck__printable(mid != NULL ? mid + 12 : "");
		s->selector = dkimcheck__printable(ev->name);
		if (s->selector != NULL && mid != NULL)
			s->selector[mid - ev->name] = '\0';
		s->algorithm = "unknown";
		s->key_record = dkimcheck__strdup(ev->record);
		s->key_origin = dkimcheck__strdup(ev->origin);
		if (!classify_lookup(s, ev))
			verdict(s, DKIMCHECK_TEMPERROR, "dns-error", "not verified");
		if (s->domain == NULL || s->selector == NULL || s->key_record == NULL ||
		    s->key_origin == NULL || s->detail == NULL)
			return DKIMCHECK_ENOMEM;
	}
	m->result = DKIMCHECK_PASS;
	m->detail = dkimcheck__strdup("");
	return m->detail == NULL ? DKIMCHECK_ENOMEM : 0;
}

static int message_level(dkimcheck_message *m, const struct dkimcheck__keyctx *ctx,
                         const char *stopped)
{
	if (ctx->tempfail && ctx->nev > 0)
		return sigs_from_evidence(m, ctx);
	m->result = stopped == NULL ? DKIMCHECK_NONE : DKIMCHECK_PERMERROR;
	m->detail =
	    stopped == NULL ? dkimcheck__strdup("") : dkimcheck__join("syntax", ":", stopped);
	return m->detail == NULL ? DKIMCHECK_ENOMEM : 0;
}

/* The From domain as libopendkim parsed it (DMARC alignment needs it). */
static int from_domain(DKIM *dkim, dkimcheck_message *m)
{
	const u_char *d = dkim_getdomain(dkim);
	char *p;

	if (d == NULL || *d == '\0' || m->from_domain != NULL)
		return 0;
	if ((m->from_domain = dkimcheck__strdup((const char *)d)) == NULL)
		return -1;
	for (p = m->from_domain; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

int dkimcheck__odkim_msg_finish(void *msg, struct dkimcheck__keyctx *ctx, dkimcheck_message *m,
                                const char *stopped)
{
	DKIM *dkim = msg;
	DKIM_SIGINFO **sigs = NULL;
	int i, n = 0;

	/* A NULL chunk flushes libopendkim's partial line and ends the header
	 * if the message had no body (a truncated file). After an early stop
	 * only the signatures already seen are reported. */
	if (!ctx->stopped && dkim_chunk(dkim, NULL, 0) == DKIM_STAT_OK)
		(void)dkim_eom(dkim, NULL); /* per-signature results follow */
	if (from_domain(dkim, m) != 0)
		return DKIMCHECK_ENOMEM;
	if (dkim_getsiglist(dkim, &sigs, &n) != DKIM_STAT_OK || n <= 0)
		return message_level(m, ctx, stopped);
	m->sigs = calloc((size_t)n, sizeof(*m->sigs));
	if (m->sigs == NULL)
		return DKIMCHECK_ENOMEM;
	m->nsigs = (size_t)n;
	m->result = DKIMCHECK_PASS;
	m->detail = dkimcheck__strdup("");
	for (i = 0; i < n; i++)
		if (fill_signature(dkim, sigs[i], ctx, &m->sigs[i]) != 0)
			return DKIMCHECK_ENOMEM;
	return (m->detail == NULL || ctx->nomem) ? DKIMCHECK_ENOMEM : 0;
}
