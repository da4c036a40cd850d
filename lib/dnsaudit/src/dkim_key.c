/*
 * dkim_key.c -- the DKIM key record (RFC 6376 §3.6.1 and the tag-list
 * grammar of §3.2), parsed strictly: a verifier that meets a malformed
 * record ignores the key, so every deviation is reported with the byte
 * where it starts and a reason a person can act on. Then the key itself:
 * RSA through OpenSSL (a SubjectPublicKeyInfo as the RFC says, or the bare
 * RSAPublicKey some tools publish), Ed25519 as 32 raw bytes (RFC 8463 §4).
 *
 * The grammar is checked in full before p= is decoded, so a key error is
 * only ever reported for a record whose tags are all well-formed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "dkim_internal.h"

/* A record with more tags than this is hostile, not a key record. */
#define DKIM_MAX_TAGS 64

struct span {
	size_t pos, len;
};

struct scan {
	const char *s;
	size_t len;
	struct dkim_key *key;
	struct span names[DKIM_MAX_TAGS];
	size_t ntags;
	int has_p;
	struct span p; /* p= value, FWS included */
};

const char *dnsaudit__dkim_key_type_name(enum dkim_key_type t)
{
	return t == DKIM_KEY_RSA ? "rsa" : t == DKIM_KEY_ED25519 ? "ed25519" : "unknown";
}

const char *dnsaudit__dkim_key_format_name(enum dkim_key_format f)
{
	static const char *const names[] = {"none", "spki", "pkcs1", "raw"};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "none";
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* VALCHAR (§3.2): printable ASCII except ';'. */
static int is_valchar(unsigned char c)
{
	return c >= 0x21 && c <= 0x7E && c != ';';
}

/* Past FWS at i ([*WSP CRLF] 1*WSP, repeated); i itself when there is none. */
static size_t skip_fws(const char *s, size_t len, size_t i)
{
	for (;;) {
		if (i < len && is_wsp((unsigned char)s[i]))
			i++;
		else if (i + 2 < len && s[i] == '\r' && s[i + 1] == '\n' &&
		         is_wsp((unsigned char)s[i + 2]))
			i += 3;
		else
			return i;
	}
}

/* Records the first fault only: the rest of the record is not trusted. */
static int fail(struct scan *sc, enum dkim_key_error kind, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct scan *sc, enum dkim_key_error kind, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (sc->key->error != DKIM_KEY_OK)
		return -1;
	sc->key->error = kind;
	sc->key->error_pos = pos;
	va_start(ap, fmt);
	vsnprintf(sc->key->reason, sizeof(sc->key->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* A byte for a message: itself when printable, else its code. */
static const char *show_byte(unsigned char c, char buf[8])
{
	if (c > 0x20 && c < 0x7F)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02X", c);
	return buf;
}

static int span_is(const struct scan *sc, struct span v, const char *word)
{
	return v.len == strlen(word) && memcmp(sc->s + v.pos, word, v.len) == 0;
}

/* Appends a token to a space-separated list; a full list ends in "...". */
static void list_add(char *list, const char *tok, size_t n)
{
	size_t used = strlen(list), room = DKIM_LIST_MAX - used;

	if (used >= 3 && strcmp(list + used - 3, "...") == 0)
		return;
	if (n + (used ? 1 : 0) + 4 > room) {
		if (room >= 4)
			memcpy(list + used, "...", 4);
		return;
	}
	if (used)
		list[used++] = ' ';
	memcpy(list + used, tok, n);
	list[used + n] = '\0';
}

/* hyphenated-word (§3.6.1): ALPHA [ *(ALPHA / DIGIT / "-") (ALPHA / DIGIT) ]; its end or 0. */
static size_t hyphenated_word(const char *s, size_t i, size_t end)
{
	size_t j = i;

	if (j >= end || !is_alpha((unsigned char)s[j]))
		return 0;
	while (j < end &&
	       (is_alpha((unsigned char)s[j]) || is_digit((unsigned char)s[j]) || s[j] == '-'))
		j++;
	return s[j - 1] == '-' ? 0 : j;
}

typedef void (*token_fn)(struct dkim_key *k, const char *tok, size_t n);

/* A ':'-separated list of hyphenated-words (and '*' where allowed), FWS around ':'. */
static int parse_list(struct scan *sc, const char *tag, struct span v, int star_ok,
                      token_fn on_token)
{
	size_t j = v.pos, end = v.pos + v.len, w;
	char b[8];

	if (v.len == 0)
		return fail(sc, DKIM_KEY_ERR_SYNTAX, v.pos, "%s= is empty", tag);
	for (;;) {
		if (star_ok && sc->s[j] == '*')
			w = j + 1;
		else if ((w = hyphenated_word(sc->s, j, end)) == 0)
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j,
			            "%s= takes names separated by ':' (letters, digits, '-'); "
			            "%s found",
			            tag, show_byte((unsigned char)sc->s[j], b));
		on_token(sc->key, sc->s + j, w - j);
		j = skip_fws(sc->s, end, w);
		if (j == end)
			return 0;
		if (sc->s[j] != ':')
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j, "':' expected between %s= values",
			            tag);
		j = skip_fws(sc->s, end, j + 1);
		if (j == end)
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j, "%s= ends with ':'", tag);
	}
}

static int tok_is(const char *tok, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(tok, word, n) == 0;
}

static void on_hash(struct dkim_key *k, const char *tok, size_t n)
{
	k->hashes |= tok_is(tok, n, "sha1")     ? DKIM_HASH_SHA1
	             : tok_is(tok, n, "sha256") ? DKIM_HASH_SHA256
	                                        : DKIM_HASH_OTHER;
	list_add(k->hash_list, tok, n);
}

static void on_service(struct dkim_key *k, const char *tok, size_t n)
{
	k->services |= tok_is(tok, n, "*")       ? DKIM_SERVICE_ANY
	               : tok_is(tok, n, "email") ? DKIM_SERVICE_EMAIL
	                                         : DKIM_SERVICE_OTHER;
	list_add(k->service_list, tok, n);
}

/* Unknown flags are ignored (§3.6.1), but shown. */
static void on_flag(struct dkim_key *k, const char *tok, size_t n)
{
	if (tok_is(tok, n, "y"))
		k->flags |= DKIM_FLAG_TESTING;
	else if (tok_is(tok, n, "s"))
		k->flags |= DKIM_FLAG_STRICT;
	list_add(k->flag_list, tok, n);
}

static int tag_v(struct scan *sc, struct span name, struct span v)
{
	if (sc->ntags != 0)
		return fail(sc, DKIM_KEY_ERR_SYNTAX, name.pos, "v= must be the first tag");
	if (!span_is(sc, v, "DKIM1"))
		return fail(sc, DKIM_KEY_ERR_SYNTAX, v.pos, "v= must be DKIM1");
	sc->key->has_version = 1;
	return 0;
}

static int tag_k(struct scan *sc, struct span v)
{
	struct dkim_key *k = sc->key;

	if (v.len == 0 || hyphenated_word(sc->s, v.pos, v.pos + v.len) != v.pos + v.len)
		return fail(sc, DKIM_KEY_ERR_SYNTAX, v.pos, "k= takes one key type (rsa, ed25519)");
	k->type = span_is(sc, v, "rsa")       ? DKIM_KEY_RSA
	          : span_is(sc, v, "ed25519") ? DKIM_KEY_ED25519
	                                      : DKIM_KEY_UNKNOWN;
	k->type_name[0] = '\0';
	list_add(k->type_name, sc->s + v.pos, v.len);
	return 0;
}

static int hex_upper(unsigned char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'F');
}

/* n= is a qp-section (§2.11): '=' only as "=XX" with upper-case hex. */
static int tag_n(struct scan *sc, struct span v)
{
	size_t j, end = v.pos + v.len;

	for (j = v.pos; j < end; j++) {
		if (sc->s[j] != '=')
			continue;
		if (j + 2 >= end || !hex_upper((unsigned char)sc->s[j + 1]) ||
		    !hex_upper((unsigned char)sc->s[j + 2]))
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j,
			            "'=' in n= must start a quoted-printable =XX escape");
		j += 2;
	}
	sc->key->has_notes = 1;
	sc->key->notes_pos = v.pos;
	sc->key->notes_len = v.len;
	return 0;
}

static int known_tag(struct scan *sc, struct span name, struct span v)
{
	struct dkim_key *k = sc->key;

	if (span_is(sc, name, "v"))
		return tag_v(sc, name, v);
	if (span_is(sc, name, "k"))
		return tag_k(sc, v);
	if (span_is(sc, name, "h")) {
		k->has_hashes = 1;
		return parse_list(sc, "h", v, 0, on_hash);
	}
	if (span_is(sc, name, "s")) {
		k->has_services = 1;
		k->services = 0;
		return parse_list(sc, "s", v, 1, on_service);
	}
	if (span_is(sc, name, "t"))
		return parse_list(sc, "t", v, 0, on_flag);
	if (span_is(sc, name, "n"))
		return tag_n(sc, v);
	if (span_is(sc, name, "p")) {
		sc->has_p = 1;
		sc->p = v;
	}
	return 0; /* unknown tags are ignored (§3.2) */
}

static int duplicate(const struct scan *sc, struct span name)
{
	size_t i;

	for (i = 0; i < sc->ntags; i++)
		if (sc->names[i].len == name.len &&
		    memcmp(sc->s + sc->names[i].pos, sc->s + name.pos, name.len) == 0)
			return 1;
	return 0;
}

/* tag-value (§3.2): tval *( 1*(WSP / FWS) tval ), up to ';'; v gets it without trailing FWS. */
static int scan_value(struct scan *sc, size_t *i, struct span *v)
{
	size_t j = *i, end = *i, k;
	char b[8];

	while (j < sc->len && sc->s[j] != ';') {
		if (is_valchar((unsigned char)sc->s[j])) {
			end = ++j;
			continue;
		}
		if ((k = skip_fws(sc->s, sc->len, j)) == j)
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j, "%s is not allowed in a tag value",
			            show_byte((unsigned char)sc->s[j], b));
		j = k;
	}
	v->pos = *i;
	v->len = end - *i;
	*i = j;
	return 0;
}

/* tag-spec (§3.2): [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]. */
static int scan_tag(struct scan *sc, size_t *i)
{
	struct span name, v = {0, 0};
	size_t j = *i;
	char b[8];

	name.pos = j;
	if (!is_alpha((unsigned char)sc->s[j]))
		return fail(sc, DKIM_KEY_ERR_SYNTAX, j,
		            "a tag name must start with a letter, not %s",
		            show_byte((unsigned char)sc->s[j], b));
	while (j < sc->len && (is_alpha((unsigned char)sc->s[j]) ||
	                       is_digit((unsigned char)sc->s[j]) || sc->s[j] == '_'))
		j++;
	name.len = j - name.pos;
	j = skip_fws(sc->s, sc->len, j);
	if (j >= sc->len || sc->s[j] != '=')
		return fail(sc, DKIM_KEY_ERR_SYNTAX, j, "'=' expected after the tag name '%.*s'",
		            (int)(name.len > 20 ? 20 : name.len), sc->s + name.pos);
	j = skip_fws(sc->s, sc->len, j + 1);
	if (scan_value(sc, &j, &v) != 0)
		return -1;
	if (duplicate(sc, name))
		return fail(sc, DKIM_KEY_ERR_SYNTAX, name.pos, "the tag %.*s= appears twice",
		            (int)(name.len > 20 ? 20 : name.len), sc->s + name.pos);
	if (sc->ntags == DKIM_MAX_TAGS)
		return fail(sc, DKIM_KEY_ERR_SYNTAX, name.pos, "more than %d tags", DKIM_MAX_TAGS);
	if (known_tag(sc, name, v) != 0)
		return -1;
	sc->names[sc->ntags++] = name;
	*i = j;
	return 0;
}

/* tag-list (§3.2): tag-spec *( ";" tag-spec ) [ ";" ]. */
static int scan_tags(struct scan *sc)
{
	size_t i = 0;

	for (;;) {
		i = skip_fws(sc->s, sc->len, i);
		if (i == sc->len) {
			if (sc->ntags == 0)
				return fail(sc, DKIM_KEY_ERR_SYNTAX, i, "the record is empty");
			return 0; /* after a final ';' */
		}
		if (scan_tag(sc, &i) != 0)
			return -1;
		if (i == sc->len)
			return 0;
		i++; /* the ';' scan_value stopped at */
	}
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * base64string (§3.6.1) with FWS anywhere; decodes into out (room for
 * v.len * 3 / 4 + 3 bytes). Returns the decoded length, or -1 (fault set).
 */
static long decode_p(struct scan *sc, struct span v, unsigned char *out)
{
	size_t j = v.pos, end = v.pos + v.len, chars = 0, pad = 0, n = 0, pad_pos = 0;
	unsigned acc = 0;
	int val;
	char b[8];

	while (j < end) {
		unsigned char c = (unsigned char)sc->s[j];

		if (is_wsp(c) || c == '\r') {
			size_t k = skip_fws(sc->s, end, j);

			/* scan_value let only whole FWS through; a stray CR is a fault anyway. */
			if (k == j)
				return fail(sc, DKIM_KEY_ERR_SYNTAX, j,
				            "0x0D is not allowed in p=");
			j = k;
			continue;
		}
		if (c == '=') {
			if (pad++ == 0)
				pad_pos = j;
			if (pad > 2)
				return fail(sc, DKIM_KEY_ERR_SYNTAX, j, "more than two '=' in p=");
		} else if ((val = b64_value(c)) < 0) {
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j, "%s is not a base64 character",
			            show_byte(c, b));
		} else if (pad) {
			return fail(sc, DKIM_KEY_ERR_SYNTAX, j,
			            "base64 data after '=' padding in p=");
		} else {
			acc = (acc << 6) | (unsigned)val;
			if (++chars % 4 == 0) {
				out[n++] = (unsigned char)(acc >> 16);
				out[n++] = (unsigned char)(acc >> 8);
				out[n++] = (unsigned char)acc;
				acc = 0;
			}
		}
		j++;
	}
	if (chars % 4 == 1 || (pad && (chars + pad) % 4 != 0))
		return fail(sc, DKIM_KEY_ERR_SYNTAX, pad ? pad_pos : end,
		            "p= is not whole base64 (%zu characters%s)", chars,
		            pad ? " and padding" : "");
	if (chars % 4 == 2)
		out[n++] = (unsigned char)(acc >> 4);
	else if (chars % 4 == 3) {
		out[n++] = (unsigned char)(acc >> 10);
		out[n++] = (unsigned char)(acc >> 2);
	}
	return (long)n;
}

/* The SubjectPublicKeyInfo in der, if der is exactly one; NULL otherwise. */
static EVP_PKEY *spki(const unsigned char *der, size_t n)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)n);

	if (pk != NULL && p != der + n) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	ERR_clear_error(); /* OpenSSL's per-thread queue: leave it as we found it */
	return pk;
}

static EVP_PKEY *pkcs1_rsa(const unsigned char *der, size_t n)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);

	if (pk != NULL && p != der + n) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	ERR_clear_error();
	return pk;
}

static const char *pkey_name(const EVP_PKEY *pk)
{
	int id = EVP_PKEY_get_base_id(pk);
	const char *sn = id != NID_undef ? OBJ_nid2sn(id) : NULL;

	return sn != NULL ? sn : "non-RSA";
}

static void check_rsa(struct scan *sc, const unsigned char *der, size_t n)
{
	struct dkim_key *k = sc->key;
	EVP_PKEY *pk = spki(der, n);

	if (pk != NULL && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		fail(sc, DKIM_KEY_ERR_KEY, sc->p.pos, "p= holds an %s key, but k= says rsa",
		     pkey_name(pk));
		EVP_PKEY_free(pk);
		return;
	}
	k->format = DKIM_FORMAT_SPKI;
	if (pk == NULL && (pk = pkcs1_rsa(der, n)) != NULL)
		k->format = DKIM_FORMAT_PKCS1;
	if (pk == NULL) {
		k->format = DKIM_FORMAT_NONE;
		fail(sc, DKIM_KEY_ERR_KEY, sc->p.pos,
		     "p= is not an RSA public key (%zu bytes, neither a DER SubjectPublicKeyInfo "
		     "nor an RSAPublicKey)",
		     n);
		return;
	}
	k->bits = EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
}

static void check_ed25519(struct scan *sc, const unsigned char *der, size_t n)
{
	EVP_PKEY *pk;

	if (n == 32) {
		sc->key->format = DKIM_FORMAT_RAW;
		sc->key->bits = 256;
		return;
	}
	if ((pk = spki(der, n)) != NULL) {
		fail(sc, DKIM_KEY_ERR_KEY, sc->p.pos,
		     "p= is a %zu-byte SubjectPublicKeyInfo (%s); RFC 8463 wants only the 32-byte "
		     "raw Ed25519 key",
		     n, pkey_name(pk));
		EVP_PKEY_free(pk);
		return;
	}
	fail(sc, DKIM_KEY_ERR_KEY, sc->p.pos, "an Ed25519 key is 32 bytes, p= has %zu", n);
}

static void check_key(struct scan *sc)
{
	struct dkim_key *k = sc->key;
	unsigned char *der;
	long n;

	if (!sc->has_p) {
		fail(sc, DKIM_KEY_ERR_SYNTAX, sc->len, "no p= tag (the public key is required)");
		return;
	}
	if (sc->p.len == 0) {
		k->revoked = 1;
		return;
	}
	if ((der = malloc(sc->p.len * 3 / 4 + 3)) == NULL) {
		fail(sc, DKIM_KEY_ERR_KEY, sc->p.pos, "out of memory decoding p=");
		return;
	}
	if ((n = decode_p(sc, sc->p, der)) >= 0) {
		k->key_octets = (size_t)n;
		if (n == 0)
			k->revoked = 1; /* only FWS: still empty */
		else if (k->type == DKIM_KEY_RSA)
			check_rsa(sc, der, (size_t)n);
		else if (k->type == DKIM_KEY_ED25519)
			check_ed25519(sc, der, (size_t)n);
	}
	free(der);
}

void dnsaudit__dkim_key_parse(const char *rec, size_t len, struct dkim_key *out)
{
	struct scan *sc = calloc(1, sizeof(*sc));

	memset(out, 0, sizeof(*out));
	out->type = DKIM_KEY_RSA; /* k= default */
	memcpy(out->type_name, "rsa", 4);
	out->services = DKIM_SERVICE_ANY; /* s= default */
	if (sc == NULL) {
		out->error = DKIM_KEY_ERR_KEY;
		snprintf(out->reason, sizeof(out->reason), "out of memory");
		return;
	}
	sc->s = rec;
	sc->len = len > DKIM_MAX_RECORD_OCTETS ? DKIM_MAX_RECORD_OCTETS : len;
	sc->key = out;
	if (len > DKIM_MAX_RECORD_OCTETS)
		fail(sc, DKIM_KEY_ERR_SYNTAX, DKIM_MAX_RECORD_OCTETS, "longer than a TXT record");
	else if (scan_tags(sc) == 0)
		check_key(sc);
	free(sc);
}

/* The tag name at i after FWS, and whether '=' follows it. */
static size_t candidate_tag(const char *s, size_t len, size_t i, struct span *name)
{
	i = skip_fws(s, len, i);
	name->pos = i;
	while (i < len &&
	       (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	name->len = i - name->pos;
	i = skip_fws(s, len, i);
	return i < len && s[i] == '=' ? skip_fws(s, len, i + 1) : 0;
}

int dnsaudit__dkim_key_is_candidate(const char *rec, size_t len)
{
	size_t i = 0, v;
	struct span name;
	int first = 1;

	while (i < len) {
		if ((v = candidate_tag(rec, len, i, &name)) != 0) {
			if (first && name.len == 1 && rec[name.pos] == 'v' && len - v >= 5 &&
			    memcmp(rec + v, "DKIM1", 5) == 0)
				return 1;
			if (name.len == 1 && (rec[name.pos] == 'p' || rec[name.pos] == 'k'))
				return 1;
		}
		first = 0;
		while (i < len && rec[i] != ';')
			i++;
		i++;
	}
	return 0;
}
