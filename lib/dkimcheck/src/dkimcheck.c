/*
 * dkimcheck.c -- the public objects and the streaming front end: read a
 * message in 64 KiB chunks, skip an mbox "From " line, count From fields,
 * and hand the bytes to libopendkim (odkim.c). Memory stays bounded: the
 * body is hashed as it streams and never kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dkimcheck/dkimcheck.h"
#include "crlf.h"
#include "internal.h"
#include "keycache.h"
#include "odkim.h"

#define CHUNK_SIZE 65536
/* libopendkim keeps every header field in memory, the body it only hashes:
 * capping the header section keeps a hostile file's memory bounded. */
#define MAX_HEADER_BYTES (1024 * 1024)

struct dkimcheck_lib {
	void *odkim; /* DKIM_LIB */
};

struct dkimcheck_verifier {
	dkimcheck_lib *lib;
	dkimcheck_key_lookup lookup;
	void *payload;
	struct dkimcheck__keycache *keys;
	unsigned char buf[CHUNK_SIZE];
	unsigned char crlf_buf[DKIMCHECK__CRLF_ROOM(CHUNK_SIZE)];
};

/* Where the header scanner is, across chunk boundaries. */
struct scan {
	int first_line;  /* still on the file's first line */
	int skip_line;   /* dropping an mbox "From " line */
	int in_header;   /* before the empty line */
	int line_start;  /* at the start of a line */
	char prefix[32]; /* first bytes of the current line ("From" + blanks + ":") */
	size_t prefix_len;
	unsigned int from_count;
	int no_fields; /* the header section is just its closing empty line */
	int nul;       /* a NUL byte in the header section */
	unsigned long long total, header_bytes;
	struct dkimcheck__crlf crlf; /* what libopendkim is given is all CRLF */
};

char *dkimcheck__strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

char *dkimcheck__printable(const char *s)
{
	char *p = dkimcheck__strdup(s != NULL ? s : "");
	char *q;

	for (q = p; q != NULL && *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	return p;
}

char *dkimcheck__join(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
	char *p = malloc(la + ls + lb + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, a, la);
	memcpy(p + la, sep, ls);
	memcpy(p + la + ls, b, lb + 1);
	return p;
}

int dkimcheck_lib_new(dkimcheck_lib **out)
{
	if (out == NULL)
		return DKIMCHECK_EINVAL;
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return DKIMCHECK_ENOMEM;
	if (((*out)->odkim = dkimcheck__odkim_init()) == NULL) {
		free(*out);
		*out = NULL;
		return DKIMCHECK_ERROR;
	}
	return 0;
}

void dkimcheck_lib_free(dkimcheck_lib *lib)
{
	if (lib == NULL)
		return;
	dkimcheck__odkim_close(lib->odkim);
	free(lib);
}

int dkimcheck_lib_has_ed25519(const dkimcheck_lib *lib)
{
	return dkimcheck__odkim_has_ed25519(lib->odkim);
}

const char *dkimcheck_strerror(int status)
{
	switch (status) {
	case DKIMCHECK_OK:
		return "success";
	case DKIMCHECK_ENOMEM:
		return "out of memory";
	case DKIMCHECK_EINVAL:
		return "invalid argument";
	default:
		return "error";
	}
}

const char *dkimcheck_result_name(dkimcheck_result_code code)
{
	static const char *const names[] = {"none",   "pass",      "fail",     "neutral",
	                                    "policy", "temperror", "permerror"};

	if ((unsigned)code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "permerror";
}

int dkimcheck_verifier_new(dkimcheck_verifier **out, dkimcheck_lib *lib,
                           dkimcheck_key_lookup lookup, void *payload)
{
	if (out == NULL || lib == NULL)
		return DKIMCHECK_EINVAL;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return DKIMCHECK_ENOMEM;
	if (((*out)->keys = dkimcheck__keycache_new()) == NULL) {
		free(*out);
		*out = NULL;
		return DKIMCHECK_ENOMEM;
	}
	(*out)->lib = lib;
	(*out)->lookup = lookup;
	(*out)->payload = payload;
	return 0;
}

void dkimcheck_verifier_free(dkimcheck_verifier *v)
{
	if (v == NULL)
		return;
	dkimcheck__keycache_free(v->keys);
	free(v);
}

void dkimcheck__verifier_key_counts(const dkimcheck_verifier *v, size_t *hits, size_t *misses)
{
	dkimcheck__keycache_counts(v->keys, hits, misses);
}

/* "From:" (any case, optional blanks before the colon) at a line start. */
static int is_from_field(const char *p, size_t n)
{
	size_t i = 4;

	if (n < 5 || strncasecmp(p, "from", 4) != 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':';
}

/* A line's first bytes are in: decide what the line is. */
static void scan_line_head(struct scan *sc)
{
	if (sc->in_header && is_from_field(sc->prefix, sc->prefix_len))
		sc->from_count++;
}

/* End of a line: an empty line (just CR, or nothing) ends the header. */
static void scan_line_end(struct scan *sc)
{
	if (sc->prefix_len < sizeof(sc->prefix))
		scan_line_head(sc);
	if (sc->in_header &&
	    (sc->prefix_len == 0 || (sc->prefix_len == 1 && sc->prefix[0] == '\r'))) {
		sc->in_header = 0;
		sc->no_fields = sc->header_bytes == sc->prefix_len + 1;
	}
	sc->prefix_len = 0;
	sc->line_start = 1;
}

/* Returns the offset in p of the header section's first NUL, n if not in p. */
static size_t scan_bytes(struct scan *sc, const unsigned char *p, size_t n)
{
	size_t i, nul = n;

	for (i = 0; i < n && sc->in_header; i++) {
		sc->header_bytes++;
		if (p[i] == '\n') {
			scan_line_end(sc);
			continue;
		}
		if (p[i] == '\0' && !sc->nul) {
			sc->nul = 1;
			nul = i;
		}
		if (sc->prefix_len < sizeof(sc->prefix)) {
			sc->prefix[sc->prefix_len++] = (char)p[i];
			if (sc->prefix_len == sizeof(sc->prefix))
				scan_line_head(sc);
		}
	}
	return nul;
}

/*
 * Drops a leading mbox "From " line (not part of the signed message);
 * returns how many bytes of p to skip. The check needs only the first five
 * bytes of the input, which read_chunk() gathers before the first call.
 */
static size_t skip_mbox_line(struct scan *sc, const unsigned char *p, size_t n)
{
	const unsigned char *nl;

	if (sc->first_line) {
		sc->first_line = 0;
		sc->skip_line = n >= 5 && memcmp(p, "From ", 5) == 0;
	}
	if (!sc->skip_line)
		return 0;
	nl = memchr(p, '\n', n);
	if (nl == NULL)
		return n;
	sc->skip_line = 0;
	return (size_t)(nl - p) + 1;
}

static dkimcheck_message *message_new(void)
{
	dkimcheck_message *m = calloc(1, sizeof(*m));

	return m;
}

/* A message-level outcome with no signature list (read error, bad input). */
static int message_error(dkimcheck_message *m, const char *token, const char *text)
{
	m->result = DKIMCHECK_PERMERROR;
	free(m->detail);
	m->detail = dkimcheck__join(token, ":", text);
	return m->detail == NULL ? DKIMCHECK_ENOMEM : 0;
}

typedef ssize_t (*read_fn)(void *src, unsigned char *buf, size_t len, int *err);

static ssize_t read_stdio(void *src, unsigned char *buf, size_t len, int *err)
{
	size_t n = fread(buf, 1, len, src);

	if (n == 0 && ferror((FILE *)src)) {
		*err = errno != 0 ? errno : EIO;
		return -1;
	}
	return (ssize_t)n;
}

static ssize_t read_fd(void *src, unsigned char *buf, size_t len, int *err)
{
	ssize_t n;

	do
		n = read(*(int *)src, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		*err = errno;
	return n;
}

/*
 * One chunk. The first one holds at least the five bytes skip_mbox_line()
 * looks at, or the whole input if shorter: a pipe or socket may return
 * "Fr" and then "om ...", and the mbox line must be seen all the same.
 */
static ssize_t read_chunk(read_fn rd, void *src, unsigned char *buf, const struct scan *sc,
                          int *err)
{
	ssize_t n = rd(src, buf, CHUNK_SIZE, err), more;

	while (sc->first_line && n > 0 && n < 5) {
		more = rd(src, buf + n, CHUNK_SIZE - (size_t)n, err);
		if (more < 0)
			return more;
		if (more == 0)
			break;
		n += more;
	}
	return n;
}

/* libopendkim gets CRLF line ends whatever the file has (see crlf.h). */
static int feed(dkimcheck_verifier *v, struct scan *sc, void *msg, const unsigned char *p, size_t n,
                const char **why)
{
	size_t len = dkimcheck__crlf_convert(&sc->crlf, p, n, v->crlf_buf);

	return len == 0 ? 0 : dkimcheck__odkim_msg_feed(msg, v->crlf_buf, len, why);
}

/*
 * Streams the whole input through the scanner and libopendkim. Returns 0
 * when every byte went in, 1 when libopendkim wanted no more (no signature,
 * or an error kept in *why), 2 on a read error (the message says why).
 */
static int stream(dkimcheck_verifier *v, read_fn rd, void *src, void *msg, struct scan *sc,
                  dkimcheck_message *m, const char **why)
{
	int err = 0, fed = 0;
	ssize_t n;

	while ((n = read_chunk(rd, src, v->buf, sc, &err)) > 0) {
		size_t skip = skip_mbox_line(sc, v->buf, (size_t)n);
		size_t nul = scan_bytes(sc, v->buf + skip, (size_t)n - skip);

		sc->total += (size_t)n - skip;
		/* Once libopendkim is done keep reading: the From count still counts. */
		if (fed == 0 && sc->header_bytes > MAX_HEADER_BYTES) {
			*why = "header section over 1 MiB";
			fed = 1;
		}
		/* No header field, so no signature; and libopendkim 2.11 must not
		 * see it: a body after an empty header section fails its
		 * assert(len != 0) in dkim_header() and aborts the process. */
		if (fed == 0 && sc->no_fields) {
			*why = NULL;
			fed = 1;
		}
		/* RFC 5322 header fields never hold NUL, and libopendkim 2.11 reads
		 * past a heap buffer in dkim_eoh() when a signed From field has one:
		 * libopendkim never sees it. What comes before it goes in (it may end
		 * libopendkim's header earlier), so the outcome does not depend on
		 * where the reads split the input. */
		if (fed == 0 && nul < (size_t)n - skip) {
			if (nul > 0)
				fed = feed(v, sc, msg, v->buf + skip, nul, why);
			if (fed == 0) {
				*why = "NUL byte in header section";
				fed = 1;
			}
		}
		if (fed == 0 && skip < (size_t)n)
			fed = feed(v, sc, msg, v->buf + skip, (size_t)n - skip, why);
	}
	if (fed == 0 && n == 0) {
		size_t len = dkimcheck__crlf_flush(&sc->crlf, v->crlf_buf);

		if (len > 0)
			fed = dkimcheck__odkim_msg_feed(msg, v->crlf_buf, len, why);
	}
	if (n < 0)
		return message_error(m, "unreadable", strerror(err)) == 0 ? 2 : DKIMCHECK_ENOMEM;
	return fed == 0 ? 0 : 1;
}

static void keyctx_clear(struct dkimcheck__keyctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nev; i++) {
		free(ctx->ev[i].name);
		free(ctx->ev[i].record);
		free(ctx->ev[i].origin);
	}
	free(ctx->ev);
}

static int verify(dkimcheck_verifier *v, read_fn rd, void *src, dkimcheck_message **out)
{
	struct dkimcheck__keyctx ctx = {.lookup = v->lookup, .payload = v->payload};
	struct scan sc = {.first_line = 1, .in_header = 1, .line_start = 1};
	dkimcheck_message *m = message_new();
	const char *why = NULL;
	void *msg;
	int rc;

	*out = NULL;
	if (m == NULL)
		return DKIMCHECK_ENOMEM;
	if ((msg = dkimcheck__odkim_msg_open(v->lib->odkim, &ctx)) == NULL) {
		free(m);
		return DKIMCHECK_ENOMEM;
	}
	dkimcheck__crlf_init(&sc.crlf);
	dkimcheck__keycache_enter(v->keys);
	rc = stream(v, rd, src, msg, &sc, m, &why);
	m->from_count = sc.from_count;
	if (rc == 0 && sc.total == 0)
		rc = message_error(m, "syntax", "empty message") == 0 ? 2 : DKIMCHECK_ENOMEM;
	ctx.stopped = rc == 1;
	if (rc == 0 || rc == 1)
		rc = dkimcheck__odkim_msg_finish(msg, &ctx, m, rc == 1 ? why : NULL);
	dkimcheck__keycache_leave();
	dkimcheck__odkim_msg_close(msg);
	keyctx_clear(&ctx);
	if (rc < 0 || rc == 1) {
		dkimcheck_message_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int dkimcheck_verify_file(dkimcheck_verifier *v, FILE *f, dkimcheck_message **out)
{
	if (v == NULL || f == NULL || out == NULL)
		return DKIMCHECK_EINVAL;
	return verify(v, read_stdio, f, out);
}

int dkimcheck_verify_fd(dkimcheck_verifier *v, int fd, dkimcheck_message **out)
{
	if (v == NULL || fd < 0 || out == NULL)
		return DKIMCHECK_EINVAL;
	return verify(v, read_fd, &fd, out);
}

void dkimcheck_message_free(dkimcheck_message *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nsigs; i++) {
		free(m->sigs[i].domain);
		free(m->sigs[i].selector);
		free(m->sigs[i].detail);
		free(m->sigs[i].key_record);
		free(m->sigs[i].key_origin);
	}
	free(m->sigs);
	free(m->detail);
	free(m->from_domain);
	free(m);
}

size_t dkimcheck_message_count(const dkimcheck_message *m)
{
	return m->nsigs;
}

const dkimcheck_signature *dkimcheck_message_signature(const dkimcheck_message *m, size_t i)
{
	return i < m->nsigs ? &m->sigs[i] : NULL;
}

dkimcheck_result_code dkimcheck_message_result(const dkimcheck_message *m)
{
	return m->result;
}

const char *dkimcheck_message_detail(const dkimcheck_message *m)
{
	return m->detail != NULL ? m->detail : "";
}

int dkimcheck_message_multiple_from(const dkimcheck_message *m)
{
	return m->from_count > 1;
}

const char *dkimcheck_message_from_domain(const dkimcheck_message *m)
{
	return m->from_domain;
}

int dkimcheck_message_missing_from(const dkimcheck_message *m)
{
	return m->from_count == 0;
}

const char *dkimcheck_signature_domain(const dkimcheck_signature *s)
{
	return s->domain;
}

const char *dkimcheck_signature_selector(const dkimcheck_signature *s)
{
	return s->selector;
}

const char *dkimcheck_signature_algorithm(const dkimcheck_signature *s)
{
	return s->algorithm;
}

unsigned int dkimcheck_signature_key_bits(const dkimcheck_signature *s)
{
	return s->key_bits;
}

dkimcheck_result_code dkimcheck_signature_result(const dkimcheck_signature *s)
{
	return s->result;
}

const char *dkimcheck_signature_detail(const dkimcheck_signature *s)
{
	return s->detail;
}

const char *dkimcheck_signature_key_record(const dkimcheck_signature *s)
{
	return s->key_record;
}

const char *dkimcheck_signature_key_origin(const dkimcheck_signature *s)
{
	return s->key_origin;
}

unsigned long long dkimcheck_signature_unsigned_bytes(const dkimcheck_signature *s)
{
	return s->unsigned_bytes;
}
