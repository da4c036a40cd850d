/*
 * zones.c -- the zone-file backend: master files loaded once into one
 * record set and answered as an authoritative server for the whole DNS
 * would (CNAME chains, RFC 4592 wildcards, NXDOMAIN versus NODATA). It
 * never touches the network.
 *
 * Invariants, true once dnsaudit__zoneset_load() returns:
 * - nothing in a zoneset changes any more, so any number of threads may
 *   answer from one at once;
 * - every owner name and CNAME target is a valid, absolute, lowercase name;
 * - the records are sorted in RFC 4034 canonical order of (owner, type,
 *   rdata) and identical records (TTL aside) appear once. In that order a
 *   name's descendants directly follow it, so a name exists (perhaps as an
 *   empty non-terminal) exactly when the first owner at or after it is the
 *   name or a descendant: no separate set of names is needed.
 *
 * Files are parsed one entry at a time with ldns_rr_new_frm_fp_l() rather
 * than with ldns_zone_new_frm_fp_l(), because the latter leaks every record
 * read before a syntax error, reports the line after any blank lines that
 * follow the bad one, and hides $ORIGIN lines from its caller. Reading a
 * file into memory first lets us name the line where a bad entry starts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source_internal.h"
#include "zones_internal.h"

/* The most one zone file may hold; a bigger one is refused, not read. */
#define ZONE_FILE_MAX   (256u * 1024u * 1024u)
#define ZONE_SUFFIX     ".zone"
#define ZONE_SUFFIX_LEN (sizeof(ZONE_SUFFIX) - 1)
#define IOBUF_SIZE      8192
/* Sized for any reason ldns gives; longer ones are cut. */
#define REASON_MAX 200

struct zfile {
	char *path;
	ldns_rdf *authority; /* NULL: the root */
};

struct zentry {
	ldns_rr *rr;
	ldns_rr_type type;
	size_t file;        /* index in files[] */
	size_t seq;         /* load order: keeps the first of duplicates */
	ldns_buffer *rdata; /* wire rdata, only while loading */
};

struct dnsaudit__zoneset {
	struct zfile *files;
	size_t nfiles;
	size_t files_cap;
	struct zentry *rrs;
	size_t nrrs;
	size_t rrs_cap;
};

/* State of one file being parsed. */
struct parser {
	struct dnsaudit__zoneset *zs;
	size_t file;
	const char *path;
	const char *text; /* the whole file */
	size_t len;
	FILE *fp;    /* reads text */
	char *iobuf; /* fp's buffer */
	long start;  /* offsets of the entry just read */
	long end;
	ldns_rdf *origin; /* ldns's idea of the origin (ldns replaces it) */
	ldns_rdf *cur;    /* our copy of the origin, to resolve a relative $ORIGIN */
	ldns_rdf *prev;   /* previous owner, for owner-less entries */
	uint32_t ttl;
	uint32_t dollar_ttl;
	int have_dollar_ttl;
	ldns_rdf *first_origin; /* first $ORIGIN other than the root */
	ldns_rdf *soa_owner;
	dnsaudit_error *err;
};

/* ---- names on the wire ---- */

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* A DNAME rdf that is a well-formed absolute name of at most 255 octets. */
static int name_ok(const ldns_rdf *r)
{
	const uint8_t *d;
	size_t size, off;

	if (r == NULL || ldns_rdf_get_type(r) != LDNS_RDF_TYPE_DNAME)
		return 0;
	d = ldns_rdf_data(r);
	size = ldns_rdf_size(r);
	if (d == NULL || size < 1 || size > LDNS_MAX_DOMAINLEN)
		return 0;
	for (off = 0; off < size; off += (size_t)d[off] + 1) {
		if (d[off] > LDNS_MAX_LABELLEN)
			return 0;
		if (d[off] == 0)
			return off == size - 1;
	}
	return 0;
}

/* 1 when child is parent or below it. Both must satisfy name_ok(). */
static int at_or_below(const ldns_rdf *child, const ldns_rdf *parent)
{
	const uint8_t *c = ldns_rdf_data(child);
	const uint8_t *p = ldns_rdf_data(parent);
	size_t cs = ldns_rdf_size(child), ps = ldns_rdf_size(parent);
	size_t off = 0, i;

	/* Walk label boundaries, so a suffix match is a whole-label match. */
	while (cs - off > ps) {
		off += (size_t)c[off] + 1;
		if (off >= cs)
			return 0;
	}
	if (cs - off != ps)
		return 0;
	for (i = 0; i < ps; i++)
		if (ascii_lower(c[off + i]) != ascii_lower(p[i]))
			return 0;
	return 1;
}

/* Offsets of the labels of a name_ok() name, root label excluded. */
static size_t label_offsets(const uint8_t *d, size_t size, uint8_t off[LDNS_MAX_DOMAINLEN / 2])
{
	size_t n = 0, o = 0;

	while (o < size && d[o] != 0 && n < LDNS_MAX_DOMAINLEN / 2) {
		off[n++] = (uint8_t)o;
		o += (size_t)d[o] + 1;
	}
	return n;
}

/*
 * RFC 4034 6.1 canonical order, ignoring ASCII case: the order of
 * ldns_dname_compare(), which finds each label anew from the start of the
 * name and so costs half of all lookup time. Both names must be name_ok().
 */
static int name_cmp(const ldns_rdf *a, const ldns_rdf *b)
{
	uint8_t oa[LDNS_MAX_DOMAINLEN / 2], ob[LDNS_MAX_DOMAINLEN / 2];
	const uint8_t *da = ldns_rdf_data(a), *db = ldns_rdf_data(b);
	size_t na = label_offsets(da, ldns_rdf_size(a), oa);
	size_t nb = label_offsets(db, ldns_rdf_size(b), ob);
	const uint8_t *la, *lb;
	size_t i, len;

	while (na > 0 && nb > 0) {
		la = da + oa[--na];
		lb = db + ob[--nb];
		len = la[0] < lb[0] ? la[0] : lb[0];
		for (i = 1; i <= len; i++)
			if (ascii_lower(la[i]) != ascii_lower(lb[i]))
				return ascii_lower(la[i]) < ascii_lower(lb[i]) ? -1 : 1;
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return na == nb ? 0 : na < nb ? -1 : 1;
}

/* A borrowed rdf over wire bytes; it is never freed. */
static void name_view(ldns_rdf *view, uint8_t *data, size_t size)
{
	ldns_rdf_set_type(view, LDNS_RDF_TYPE_DNAME);
	ldns_rdf_set_size(view, size);
	ldns_rdf_set_data(view, data);
}

/* ---- growing arrays ---- */

/* arr with room for need elements (cap updated), or NULL: arr is kept. */
static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return arr;
	while (ncap < need) {
		if (ncap > (SIZE_MAX / 2) / elem)
			return NULL;
		ncap *= 2;
	}
	n = realloc(arr, ncap * elem);
	if (n != NULL)
		*cap = ncap;
	return n;
}

static int nomem(dnsaudit_error *err)
{
	dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
	return DNSAUDIT_ENOMEM;
}

/* ---- error messages ---- */

static int is_blank(char c)
{
	/* ldns's tokenizer drops NUL bytes too. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' ||
	       c == '\0';
}

/*
 * Offset of the first character of the entry ldns read from [start, end):
 * ldns consumes the blank and comment lines before an entry with it.
 */
static size_t entry_offset(const struct parser *p)
{
	size_t i = p->start > 0 ? (size_t)p->start : 0;
	size_t end = p->end > 0 ? (size_t)p->end : 0;

	if (end > p->len)
		end = p->len;
	while (i < end) {
		if (p->text[i] == ';') {
			while (i < end && p->text[i] != '\n')
				i++;
		} else if (is_blank(p->text[i])) {
			i++;
		} else {
			return i;
		}
	}
	return p->start > 0 ? (size_t)p->start : 0;
}

static unsigned long line_at(const char *text, size_t off)
{
	unsigned long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* "PATH:LINE: reason" for the entry just read. Returns DNSAUDIT_EINVAL. */
static int parse_fail(const struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int parse_fail(const struct parser *p, const char *fmt, ...)
{
	char reason[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	dnsaudit__error_set(p->err, DNSAUDIT_EINVAL, "%s:%lu: %s", p->path,
	                    line_at(p->text, entry_offset(p)), reason);
	return DNSAUDIT_EINVAL;
}

/* ---- loading one file ---- */

/* The origin a file name NAME.zone implies, or NULL. Sets *out. */
static int origin_from_file_name(const char *path, ldns_rdf **out)
{
	const char *base = strrchr(path, '/');
	size_t blen, nlen;
	ldns_status s;
	char *name;

	*out = NULL;
	base = base != NULL ? base + 1 : path;
	blen = strlen(base);
	if (blen <= ZONE_SUFFIX_LEN || strcmp(base + blen - ZONE_SUFFIX_LEN, ZONE_SUFFIX) != 0)
		return 0;
	nlen = blen - ZONE_SUFFIX_LEN;
	name = malloc(nlen + 2);
	if (name == NULL)
		return -1;
	memcpy(name, base, nlen);
	name[nlen] = '\0';
	/* ldns reads "example.com" as absolute anyway; be explicit. */
	if (!ldns_dname_str_absolute(name))
		memcpy(name + nlen, ".", 2);
	/* Not ldns_dname_new_frm_str(): it asserts when out of memory. This
	 * one says OK and gives NULL then. */
	s = ldns_str2rdf_dname(out, name);
	free(name);
	if (s == LDNS_STATUS_OK && *out == NULL)
		return -1;
	if (s != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(*out);
		*out = NULL;
	}
	/* A file name that is no domain name just gives no origin. */
	if (*out != NULL && !name_ok(*out)) {
		ldns_rdf_deep_free(*out);
		*out = NULL;
	}
	if (*out != NULL)
		ldns_dname2canonical(*out);
	return 0;
}

static int add_file(struct dnsaudit__zoneset *zs, const char *path, size_t *index)
{
	struct zfile *f = grow(zs->files, &zs->files_cap, zs->nfiles + 1, sizeof(*f));

	if (f == NULL)
		return -1;
	zs->files = f;
	f = &zs->files[zs->nfiles];
	f->authority = NULL;
	f->path = strdup(path);
	if (f->path == NULL)
		return -1;
	*index = zs->nfiles++;
	return 0;
}

/* Takes rr; on failure frees it. */
static int push_entry(struct parser *p, ldns_rr *rr)
{
	struct dnsaudit__zoneset *zs = p->zs;
	ldns_buffer *rdata = ldns_buffer_new(64);
	struct zentry *e = grow(zs->rrs, &zs->rrs_cap, zs->nrrs + 1, sizeof(*e));

	if (e != NULL)
		zs->rrs = e;
	if (e == NULL || rdata == NULL || ldns_rr_rdata2buffer_wire(rdata, rr) != LDNS_STATUS_OK) {
		ldns_buffer_free(rdata);
		ldns_rr_free(rr);
		return nomem(p->err);
	}
	e = &zs->rrs[zs->nrrs];
	e->rr = rr;
	e->type = ldns_rr_get_type(rr);
	e->file = p->file;
	e->seq = zs->nrrs;
	e->rdata = rdata;
	zs->nrrs++;
	return 0;
}

static int check_rr(const struct parser *p, const ldns_rr *rr)
{
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return parse_fail(p, "only class IN is supported");
	if (!name_ok(ldns_rr_owner(rr)))
		return parse_fail(p, "invalid owner name");
	/* ldns reads a word it does not know as a type as type 0 (reserved). */
	if (ldns_rr_get_type(rr) == 0)
		return parse_fail(p, "unknown record type");
	/* The answer code follows CNAME targets as names: make sure they are. */
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
	    (ldns_rr_rd_count(rr) != 1 || !name_ok(ldns_rr_rdf(rr, 0))))
		return parse_fail(p, "CNAME data is not a domain name");
	return 0;
}

/* Takes rr. */
static int on_rr(struct parser *p, ldns_rr *rr)
{
	int rc;

	/* Without $TTL, an omitted TTL is the last one stated (RFC 1035 5.1). */
	if (!p->have_dollar_ttl)
		p->ttl = ldns_rr_ttl(rr);
	rc = check_rr(p, rr);
	if (rc != 0) {
		ldns_rr_free(rr);
		return rc;
	}
	/* Owners and the names inside NS, CNAME, MX, SOA... become lowercase. */
	ldns_rr2canonical(rr);
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && p->soa_owner == NULL) {
		p->soa_owner = ldns_rdf_clone(ldns_rr_owner(rr));
		if (p->soa_owner == NULL) {
			ldns_rr_free(rr);
			return nomem(p->err);
		}
	}
	return push_entry(p, rr);
}

/*
 * Whether the argument of the $ORIGIN entry just read lacks a final dot.
 * ldns makes every name absolute, but RFC 1035 reads such a name relative
 * to the current origin, as BIND and NSD do.
 */
static int origin_arg_relative(const struct parser *p)
{
	size_t i = entry_offset(p), end = p->end > 0 ? (size_t)p->end : 0, j;
	char *arg;
	int rel;

	if (end > p->len)
		end = p->len;
	/* Parentheses before the directive are dropped by ldns: skip them. */
	while (i < end && p->text[i] != '$')
		i++;
	if (end - i < 8 || strncmp(p->text + i, "$ORIGIN", 7) != 0)
		return 0;
	i += 7;
	while (i < end && (p->text[i] == ' ' || p->text[i] == '\t' || p->text[i] == '('))
		i++;
	for (j = i; j < end && !is_blank(p->text[j]) && !strchr(";()", p->text[j]); j++)
		if (p->text[j] == '\\' && j + 1 < end)
			j++;
	if (j == i)
		return 0;
	arg = strndup(p->text + i, j - i);
	if (arg == NULL)
		return -1;
	rel = !ldns_dname_str_absolute(arg);
	free(arg);
	return rel;
}

static int on_origin(struct parser *p)
{
	int rel = origin_arg_relative(p);
	ldns_rdf *abs;

	if (rel < 0)
		return nomem(p->err);
	if (rel) {
		abs = ldns_dname_cat_clone(p->origin, p->cur);
		if (abs == NULL)
			return nomem(p->err);
		ldns_rdf_deep_free(p->origin);
		p->origin = abs;
	}
	if (!name_ok(p->origin))
		return parse_fail(p, "$ORIGIN is not a valid domain name");
	ldns_dname2canonical(p->origin);
	ldns_rdf_deep_free(p->cur);
	p->cur = ldns_rdf_clone(p->origin);
	if (p->cur == NULL)
		return nomem(p->err);
	if (p->first_origin == NULL && ldns_dname_label_count(p->origin) > 0) {
		p->first_origin = ldns_rdf_clone(p->origin);
		if (p->first_origin == NULL)
			return nomem(p->err);
	}
	return 0;
}

/* Act on what one ldns_rr_new_frm_fp_l() call returned. */
static int on_entry(struct parser *p, ldns_status s, ldns_rr *rr)
{
	const char *reason;

	switch (s) {
	case LDNS_STATUS_OK:
		/* ldns 1.8.3 can say OK without a record when out of memory. */
		return rr != NULL ? on_rr(p, rr) : nomem(p->err);
	case LDNS_STATUS_SYNTAX_EMPTY:
		return 0;
	case LDNS_STATUS_SYNTAX_TTL:
		p->have_dollar_ttl = 1;
		p->dollar_ttl = p->ttl;
		return 0;
	case LDNS_STATUS_SYNTAX_ORIGIN:
		return on_origin(p);
	case LDNS_STATUS_SYNTAX_INCLUDE:
		return parse_fail(p, "$INCLUDE is not allowed: a zone file must not read "
		                     "other files");
	case LDNS_STATUS_MEM_ERR:
		return nomem(p->err);
	default:
		reason = ldns_get_errorstr_by_id(s);
		return parse_fail(p, "%s", reason != NULL ? reason : "syntax error");
	}
}

static int parse_entries(struct parser *p)
{
	ldns_rr *rr;
	ldns_status s;
	int rc;

	while (!feof(p->fp) && !ferror(p->fp)) {
		rr = NULL;
		p->start = ftell(p->fp);
		/* $TTL is the default from there on (RFC 2308 4). */
		if (p->have_dollar_ttl)
			p->ttl = p->dollar_ttl;
		s = ldns_rr_new_frm_fp_l(&rr, p->fp, &p->ttl, &p->origin, &p->prev, NULL);
		p->end = ftell(p->fp);
		rc = on_entry(p, s, rr);
		if (rc != 0)
			return rc;
	}
	/* A memory stream fails only when memory does. */
	return ferror(p->fp) ? nomem(p->err) : 0;
}

/* The authority rule of source_internal.h. Takes name_origin. */
static void set_authority(struct parser *p, ldns_rdf *name_origin)
{
	struct zfile *f = &p->zs->files[p->file];

	if (p->soa_owner != NULL) {
		f->authority = p->soa_owner;
		p->soa_owner = NULL;
	} else if (p->first_origin != NULL) {
		f->authority = p->first_origin;
		p->first_origin = NULL;
	} else if (name_origin != NULL) {
		f->authority = name_origin;
		name_origin = NULL;
	}
	ldns_rdf_deep_free(name_origin);
	/* A root SOA or a file called ".zone": the root is NULL by contract. */
	if (f->authority != NULL && ldns_dname_label_count(f->authority) == 0) {
		ldns_rdf_deep_free(f->authority);
		f->authority = NULL;
	}
}

static void parser_clear(struct parser *p)
{
	if (p->fp != NULL)
		fclose(p->fp);
	free(p->iobuf);
	ldns_rdf_deep_free(p->origin);
	ldns_rdf_deep_free(p->cur);
	ldns_rdf_deep_free(p->prev);
	ldns_rdf_deep_free(p->first_origin);
	ldns_rdf_deep_free(p->soa_owner);
}

/* Initial origin: the file name's, else the root (ldns needs one). */
static int parser_init(struct parser *p, const ldns_rdf *name_origin)
{
	static const uint8_t root = 0;

	p->origin = name_origin != NULL ? ldns_rdf_clone(name_origin)
	                                : ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, 1, &root);
	p->cur = p->origin != NULL ? ldns_rdf_clone(p->origin) : NULL;
	p->prev = p->origin != NULL ? ldns_rdf_clone(p->origin) : NULL;
	p->ttl = LDNS_DEFAULT_TTL;
	if (p->origin == NULL || p->cur == NULL || p->prev == NULL)
		return -1;
	if (p->len > 0) {
		/* fmemopen only reads, whatever its prototype says. */
		p->fp = fmemopen((void *)(uintptr_t)p->text, p->len, "r");
		if (p->fp == NULL)
			return -1;
		/* stdio would allocate its buffer at the first read and, failing,
		 * quietly read byte by byte (breaking ftell() with ungetc()). */
		p->iobuf = malloc(IOBUF_SIZE);
		if (p->iobuf == NULL || setvbuf(p->fp, p->iobuf, _IOFBF, IOBUF_SIZE) != 0)
			return -1;
	}
	return 0;
}

/* Parse text, the contents of the file path, into zs. */
static int load_text(struct dnsaudit__zoneset *zs, const char *path, const char *text, size_t len,
                     dnsaudit_error *err)
{
	struct parser p;
	ldns_rdf *name_origin = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	p.zs = zs;
	p.path = path;
	p.text = text;
	p.len = len;
	p.err = err;
	if (add_file(zs, path, &p.file) < 0 || origin_from_file_name(path, &name_origin) < 0)
		return nomem(err);
	if (parser_init(&p, name_origin) < 0)
		rc = nomem(err);
	else
		rc = p.fp != NULL ? parse_entries(&p) : 0;
	if (rc == 0)
		set_authority(&p, name_origin);
	else
		ldns_rdf_deep_free(name_origin);
	parser_clear(&p);
	return rc;
}

/* Read a whole file, up to ZONE_FILE_MAX bytes. */
static int read_file(const char *path, char **out, size_t *len_out, dnsaudit_error *err)
{
	FILE *fp = fopen(path, "rb");
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nbuf;
	int rc = 0;

	*out = NULL;
	*len_out = 0;
	if (fp == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", path, strerror(errno));
		return DNSAUDIT_EINVAL;
	}
	for (;;) {
		if (len == cap && len >= ZONE_FILE_MAX) {
			dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: larger than %u MiB", path,
			                    ZONE_FILE_MAX / (1024u * 1024u));
			rc = DNSAUDIT_EINVAL;
			break;
		}
		nbuf = grow(buf, &cap, len + 1, 1);
		if (nbuf == NULL) {
			rc = nomem(err);
			break;
		}
		buf = nbuf;
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (rc == 0 && ferror(fp)) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", path, strerror(errno));
		rc = DNSAUDIT_EINVAL;
	}
	fclose(fp);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len_out = len;
	return 0;
}

static int load_file(struct dnsaudit__zoneset *zs, const char *path, dnsaudit_error *err)
{
	char *text;
	size_t len;
	int rc = read_file(path, &text, &len, err);

	if (rc != 0)
		return rc;
	rc = load_text(zs, path, text, len, err);
	free(text);
	return rc;
}

/* ---- loading a directory ---- */

struct pathlist {
	char **v;
	size_t n;
	size_t cap;
};

static void pathlist_clear(struct pathlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl > 0 && dir[dl - 1] != '/';
	char *s = malloc(dl + (size_t)slash + nl + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, dir, dl);
	if (slash)
		s[dl] = '/';
	memcpy(s + dl + slash, name, nl + 1);
	return s;
}

static int is_zone_name(const char *name)
{
	size_t len = strlen(name);

	return len >= ZONE_SUFFIX_LEN && strcmp(name + len - ZONE_SUFFIX_LEN, ZONE_SUFFIX) == 0;
}

/* Adds dir/name to l when it is a regular file (symlinks followed). */
static int consider_entry(struct pathlist *l, const char *dir, const char *name)
{
	struct stat st;
	char *path, **v;

	if (!is_zone_name(name))
		return 0;
	path = join_path(dir, name);
	if (path == NULL)
		return -1;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return 0;
	}
	v = grow(l->v, &l->cap, l->n + 1, sizeof(*v));
	if (v == NULL) {
		free(path);
		return -1;
	}
	l->v = v;
	l->v[l->n++] = path;
	return 0;
}

static int list_zone_files(const char *dir, struct pathlist *l, dnsaudit_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", dir, strerror(errno));
		return DNSAUDIT_EINVAL;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (consider_entry(l, dir, de->d_name) < 0) {
			closedir(d);
			return nomem(err);
		}
	}
	if (errno != 0) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", dir, strerror(errno));
		closedir(d);
		return DNSAUDIT_EINVAL;
	}
	closedir(d);
	/* Same directory prefix: path order is file name order. */
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	return 0;
}

static int load_dir(struct dnsaudit__zoneset *zs, const char *dir, dnsaudit_error *err)
{
	struct pathlist l = {NULL, 0, 0};
	size_t i;
	int rc = list_zone_files(dir, &l, err);

	if (rc == 0 && l.n == 0) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: no .zone files", dir);
		rc = DNSAUDIT_EINVAL;
	}
	for (i = 0; rc == 0 && i < l.n; i++)
		rc = load_file(zs, l.v[i], err);
	pathlist_clear(&l);
	return rc;
}

static int load_path(struct dnsaudit__zoneset *zs, const char *path, dnsaudit_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "%s: %s", path, strerror(errno));
		return DNSAUDIT_EINVAL;
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(zs, path, err);
	return load_file(zs, path, err);
}

/* ---- the finished set ---- */

static int cmp_rdata(const ldns_buffer *a, const ldns_buffer *b)
{
	size_t la = ldns_buffer_position(a), lb = ldns_buffer_position(b);
	int c = memcmp(ldns_buffer_begin(a), ldns_buffer_begin(b), la < lb ? la : lb);

	if (c != 0)
		return c;
	return la < lb ? -1 : la > lb;
}

/* Canonical order; among identical records, load order. */
static int cmp_entry(const void *va, const void *vb)
{
	const struct zentry *a = va, *b = vb;
	int c = name_cmp(ldns_rr_owner(a->rr), ldns_rr_owner(b->rr));

	if (c != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	c = cmp_rdata(a->rdata, b->rdata);
	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int same_record(const struct zentry *a, const struct zentry *b)
{
	return a->type == b->type && cmp_rdata(a->rdata, b->rdata) == 0 &&
	       name_cmp(ldns_rr_owner(a->rr), ldns_rr_owner(b->rr)) == 0;
}

/*
 * Sort, then drop repeats. Equal owner, type, class (always IN) and wire
 * rdata is what ldns_rr_compare() calls equal; comparing the wire form
 * kept from loading avoids its two allocations per call, which could fail.
 */
static void finish_set(struct dnsaudit__zoneset *zs)
{
	size_t i, kept = 0;

	if (zs->nrrs > 1)
		qsort(zs->rrs, zs->nrrs, sizeof(*zs->rrs), cmp_entry);
	for (i = 0; i < zs->nrrs; i++) {
		struct zentry *e = &zs->rrs[i];

		if (kept > 0 && same_record(&zs->rrs[kept - 1], e)) {
			ldns_rr_free(e->rr);
			ldns_buffer_free(e->rdata);
			continue;
		}
		zs->rrs[kept++] = *e;
	}
	zs->nrrs = kept;
	for (i = 0; i < zs->nrrs; i++) {
		ldns_buffer_free(zs->rrs[i].rdata);
		zs->rrs[i].rdata = NULL;
	}
}

void dnsaudit__zoneset_free(struct dnsaudit__zoneset *zs)
{
	size_t i;

	if (zs == NULL)
		return;
	for (i = 0; i < zs->nrrs; i++) {
		ldns_rr_free(zs->rrs[i].rr);
		ldns_buffer_free(zs->rrs[i].rdata);
	}
	for (i = 0; i < zs->nfiles; i++) {
		free(zs->files[i].path);
		ldns_rdf_deep_free(zs->files[i].authority);
	}
	free(zs->rrs);
	free(zs->files);
	free(zs);
}

int dnsaudit__zoneset_load(struct dnsaudit__zoneset **out, const char *const *paths, size_t n,
                           dnsaudit_error *err)
{
	struct dnsaudit__zoneset *zs;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (n == 0 || paths == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "no zone file given");
		return DNSAUDIT_EINVAL;
	}
	zs = calloc(1, sizeof(*zs));
	if (zs == NULL)
		return nomem(err);
	for (i = 0; rc == 0 && i < n; i++)
		rc = load_path(zs, paths[i], err);
	if (rc != 0) {
		dnsaudit__zoneset_free(zs);
		return rc;
	}
	finish_set(zs);
	*out = zs;
	return 0;
}

int dnsaudit__zoneset_load_buffer(struct dnsaudit__zoneset **out, const char *name,
                                  const uint8_t *data, size_t len, dnsaudit_error *err)
{
	struct dnsaudit__zoneset *zs;
	int rc;

	*out = NULL;
	zs = calloc(1, sizeof(*zs));
	if (zs == NULL)
		return nomem(err);
	rc = load_text(zs, name, (const char *)data, len, err);
	if (rc != 0) {
		dnsaudit__zoneset_free(zs);
		return rc;
	}
	finish_set(zs);
	*out = zs;
	return 0;
}

size_t dnsaudit__zoneset_file_count(const struct dnsaudit__zoneset *zs)
{
	return zs != NULL ? zs->nfiles : 0;
}

const char *dnsaudit__zoneset_file(const struct dnsaudit__zoneset *zs, size_t i)
{
	return zs != NULL && i < zs->nfiles ? zs->files[i].path : NULL;
}

const ldns_rdf *dnsaudit__zoneset_authority(const struct dnsaudit__zoneset *zs, size_t i)
{
	return zs != NULL && i < zs->nfiles ? zs->files[i].authority : NULL;
}

size_t dnsaudit__zoneset_rr_count(const struct dnsaudit__zoneset *zs)
{
	return zs != NULL ? zs->nrrs : 0;
}

const ldns_rr *dnsaudit__zoneset_rr(const struct dnsaudit__zoneset *zs, size_t i)
{
	return zs != NULL && i < zs->nrrs ? zs->rrs[i].rr : NULL;
}

size_t dnsaudit__zoneset_rr_file(const struct dnsaudit__zoneset *zs, size_t i)
{
	return zs != NULL && i < zs->nrrs ? zs->rrs[i].file : 0;
}

int dnsaudit__zoneset_covers(const struct dnsaudit__zoneset *zs, const ldns_rdf *qname)
{
	size_t i;

	if (zs == NULL || !name_ok(qname))
		return 0;
	for (i = 0; i < zs->nfiles; i++)
		if (zs->files[i].authority == NULL || at_or_below(qname, zs->files[i].authority))
			return 1;
	return 0;
}

/* ---- answering ---- */

/* First entry whose (owner, type) is not before (name, type). */
static size_t lower_bound(const struct dnsaudit__zoneset *zs, const ldns_rdf *name, uint32_t type)
{
	size_t lo = 0, hi = zs->nrrs, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = name_cmp(ldns_rr_owner(zs->rrs[mid].rr), name);
		if (c < 0 || (c == 0 && zs->rrs[mid].type < type))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Owners of name and descendants are contiguous: see the file comment. */
static int name_exists(const struct dnsaudit__zoneset *zs, const ldns_rdf *name)
{
	size_t i = lower_bound(zs, name, 0);

	return i < zs->nrrs && at_or_below(ldns_rr_owner(zs->rrs[i].rr), name);
}

/* [*lo, *hi): the records of type at owner name. */
static void type_range(const struct dnsaudit__zoneset *zs, const ldns_rdf *name, uint16_t type,
                       size_t *lo, size_t *hi)
{
	*lo = lower_bound(zs, name, type);
	*hi = lower_bound(zs, name, (uint32_t)type + 1);
}

/* Where a name's records are: at the name, at its wildcard, or nowhere. */
struct node {
	const ldns_rdf *name; /* the name itself or the view of *.<encloser> */
	int synthesised;      /* RFC 4592: records take the asked name as owner */
	ldns_rdf view;
	uint8_t wild[LDNS_MAX_DOMAINLEN + 2];
};

/* Offset in name's wire form of its closest encloser, or -1 (no data). */
static long closest_encloser(const struct dnsaudit__zoneset *zs, const ldns_rdf *name)
{
	uint8_t *d = ldns_rdf_data(name);
	size_t size = ldns_rdf_size(name), off = 0;
	ldns_rdf view;

	while (d[off] != 0) {
		off += (size_t)d[off] + 1;
		name_view(&view, d + off, size - off);
		if (name_exists(zs, &view))
			return (long)off;
	}
	return -1;
}

/* 1 with n set when name or a wildcard covers it; 0: NXDOMAIN. */
static int find_node(const struct dnsaudit__zoneset *zs, const ldns_rdf *name, struct node *n)
{
	size_t size = ldns_rdf_size(name), off;
	long ce;

	n->name = name;
	n->synthesised = 0;
	if (name_exists(zs, name))
		return 1;
	ce = closest_encloser(zs, name);
	if (ce < 0)
		return 0;
	off = (size_t)ce;
	if (2 + size - off > LDNS_MAX_DOMAINLEN)
		return 0;
	n->wild[0] = 1;
	n->wild[1] = '*';
	memcpy(n->wild + 2, ldns_rdf_data(name) + off, size - off);
	name_view(&n->view, n->wild, 2 + size - off);
	if (!name_exists(zs, &n->view))
		return 0;
	n->name = &n->view;
	n->synthesised = 1;
	return 1;
}

/*
 * A copy of rr, with owner in place of its own when owner is not NULL.
 * Not ldns_rr_clone(): out of memory, it returns a record missing its owner
 * or some rdata instead of NULL.
 */
static ldns_rr *clone_as(const ldns_rr *rr, const ldns_rdf *owner)
{
	ldns_rr *c = ldns_rr_new();
	ldns_rdf *f;
	size_t i;

	if (c == NULL)
		return NULL;
	f = ldns_rdf_clone(owner != NULL ? owner : ldns_rr_owner(rr));
	if (f == NULL)
		goto fail;
	ldns_rr_set_owner(c, f);
	ldns_rr_set_ttl(c, ldns_rr_ttl(rr));
	ldns_rr_set_type(c, ldns_rr_get_type(rr));
	ldns_rr_set_class(c, ldns_rr_get_class(rr));
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		f = ldns_rdf_clone(ldns_rr_rdf(rr, i));
		if (f == NULL || !ldns_rr_push_rdf(c, f)) {
			ldns_rdf_deep_free(f);
			goto fail;
		}
	}
	return c;
fail:
	ldns_rr_free(c);
	return NULL;
}

static int push_clone(ldns_rr_list *list, const ldns_rr *rr, const ldns_rdf *owner)
{
	ldns_rr *c = clone_as(rr, owner);

	if (c == NULL)
		return -1;
	if (!ldns_rr_list_push_rr(list, c)) {
		ldns_rr_free(c);
		return -1;
	}
	return 0;
}

/* The file that most specifically claims name, else the first. */
static size_t claiming_file(const struct dnsaudit__zoneset *zs, const ldns_rdf *name)
{
	size_t i, best = 0, labels;
	long best_labels = -1;

	for (i = 0; i < zs->nfiles; i++) {
		const ldns_rdf *auth = zs->files[i].authority;

		if (auth != NULL && !at_or_below(name, auth))
			continue;
		labels = auth != NULL ? ldns_dname_label_count(auth) : 0;
		if ((long)labels > best_labels) {
			best_labels = (long)labels;
			best = i;
		}
	}
	return best;
}

static int set_result(const struct dnsaudit__zoneset *zs, struct dnsaudit_answer *out,
                      dnsaudit_dns_status status, size_t file)
{
	out->status = status;
	switch (status) {
	case DNSAUDIT_DNS_NXDOMAIN:
		out->rcode = LDNS_RCODE_NXDOMAIN;
		break;
	case DNSAUDIT_DNS_SERVFAIL:
		out->rcode = LDNS_RCODE_SERVFAIL;
		break;
	default:
		out->rcode = LDNS_RCODE_NOERROR;
		break;
	}
	if (file >= zs->nfiles)
		return dnsaudit__answer_set_origin(out, NULL);
	return dnsaudit__answer_set_origin(out, zs->files[file].path);
}

/* The absent name or type at the end of a chain: NXDOMAIN or NODATA. */
static int set_negative(const struct dnsaudit__zoneset *zs, struct dnsaudit_answer *out,
                        const ldns_rdf *name, dnsaudit_dns_status status)
{
	return set_result(zs, out, status, claiming_file(zs, name));
}

/* A name already met in this chain (its owners) would loop. */
static int seen_in_chain(const ldns_rr_list *chain, const ldns_rdf *name)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(chain); i++)
		if (name_cmp(ldns_rr_owner(ldns_rr_list_rr(chain, i)), name) == 0)
			return 1;
	return 0;
}

/* Copy the records [lo, hi) into out->rrs. */
static int answer_records(const struct dnsaudit__zoneset *zs, const struct node *n,
                          const ldns_rdf *name, size_t lo, size_t hi, struct dnsaudit_answer *out)
{
	size_t i;

	for (i = lo; i < hi; i++)
		if (push_clone(out->rrs, zs->rrs[i].rr, n->synthesised ? name : NULL) < 0)
			return -1;
	return set_result(zs, out, DNSAUDIT_DNS_OK, zs->rrs[lo].file);
}

/*
 * Append the CNAME at zs->rrs[i] to the chain and set *next to its target.
 * Returns 1 to go on, 0 when the chain ended in SERVFAIL, -1 on no memory.
 */
static int follow_cname(const struct dnsaudit__zoneset *zs, const struct node *n,
                        const ldns_rdf *name, size_t i, struct dnsaudit_answer *out,
                        const ldns_rdf **next)
{
	const ldns_rr *cname = zs->rrs[i].rr;
	const ldns_rdf *target = ldns_rr_rdf(cname, 0);
	size_t len = ldns_rr_list_rr_count(out->chain);

	if (len >= DNSAUDIT_MAX_CNAME_CHAIN) {
		if (dnsaudit__answer_set_detail(out, "CNAME chain too long or looping") < 0)
			return -1;
		return set_result(zs, out, DNSAUDIT_DNS_SERVFAIL, zs->rrs[i].file) < 0 ? -1 : 0;
	}
	if (push_clone(out->chain, cname, n->synthesised ? name : NULL) < 0)
		return -1;
	if (seen_in_chain(out->chain, target)) {
		if (dnsaudit__answer_set_detail(out, "CNAME chain too long or looping") < 0)
			return -1;
		return set_result(zs, out, DNSAUDIT_DNS_SERVFAIL, zs->rrs[i].file) < 0 ? -1 : 0;
	}
	*next = target;
	return 1;
}

/* One name of the chain: 1 to go on at *next, 0 when done, -1 on no memory. */
static int answer_name(const struct dnsaudit__zoneset *zs, const ldns_rdf *name, ldns_rr_type qtype,
                       struct dnsaudit_answer *out, const ldns_rdf **next)
{
	struct node n;
	size_t lo, hi;

	if (!find_node(zs, name, &n))
		return set_negative(zs, out, name, DNSAUDIT_DNS_NXDOMAIN) < 0 ? -1 : 0;
	type_range(zs, n.name, qtype, &lo, &hi);
	if (lo < hi)
		return answer_records(zs, &n, name, lo, hi, out) < 0 ? -1 : 0;
	if (qtype != LDNS_RR_TYPE_CNAME) {
		type_range(zs, n.name, LDNS_RR_TYPE_CNAME, &lo, &hi);
		/* Several CNAMEs at one name is a broken zone: the first wins. */
		if (lo < hi)
			return follow_cname(zs, &n, name, lo, out, next);
	}
	return set_negative(zs, out, name, DNSAUDIT_DNS_NODATA) < 0 ? -1 : 0;
}

int dnsaudit__zoneset_answer(const struct dnsaudit__zoneset *zs, const ldns_rdf *qname,
                             ldns_rr_type qtype, struct dnsaudit_answer *out)
{
	const ldns_rdf *name = qname;
	int rc;

	out->transport = "zone";
	out->ad = 0;
	if (!name_ok(qname)) {
		if (dnsaudit__answer_set_detail(out, "invalid query name") < 0)
			return -1;
		return set_result(zs, out, DNSAUDIT_DNS_SERVFAIL, 0);
	}
	do {
		rc = answer_name(zs, name, qtype, out, &name);
	} while (rc == 1);
	return rc < 0 ? -1 : 0;
}
