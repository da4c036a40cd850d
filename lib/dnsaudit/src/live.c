/*
 * live.c -- the live DNS backend: an asynchronous stub resolver on plain
 * non-blocking sockets, with ldns used only for the wire format.
 *
 * One dnsaudit__live_resolve() call puts all its queries in flight at once
 * (at most MAX_INFLIGHT sockets, the rest queued) and drives them with one
 * poll() loop, so an audit's independent lookups cost one round trip, not
 * one each. Each attempt uses a fresh connect()ed UDP socket (random source
 * port, kernel-filtered source address, ICMP errors as ECONNREFUSED) and a
 * fresh random id; a TC response moves that query to TCP on the same server.
 *
 * Invariants: struct dnsaudit__live is immutable after _new, so threads may
 * share it; all per-call state lives in struct call on the caller's stack and
 * the heap, and every socket a call opens is closed before it returns.
 * A response is only accepted when id, QR, opcode and question match; the
 * rest (spoofs, garbage, a hostile server's junk) is dropped and the query
 * keeps waiting. Only the CNAME chain from qname and the records of qtype at
 * its end are kept from the answer section.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "source_internal.h"

#define DEFAULT_TIMEOUT_MS 2000u
#define DEFAULT_EDNS_SIZE  1232u
#define MIN_EDNS_SIZE      512u
/* Sockets one call keeps open at once; the rest of its queries wait. */
#define MAX_INFLIGHT 64
/* A DNS message (UDP datagram or TCP frame) is at most 65535 octets. */
#define MAX_MESSAGE 65535u
/* Datagrams read from one socket per wakeup, so a flood cannot starve others. */
#define MAX_READS_PER_WAKEUP 32
/* More attempts than this per query make no sense and risk overflow. */
#define MAX_RETRIES 100u
/* "[" + IPv6 + "]:" + port + NUL */
#define SERVER_NAME_MAX (INET6_ADDRSTRLEN + 10)
#define SPEC_MAX        128
#define DETAIL_MAX      256

struct server {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char name[SERVER_NAME_MAX];
};

struct dnsaudit__live {
	struct server *servers;
	size_t count;
	unsigned timeout_ms;
	unsigned attempts; /* retries + 1 */
	uint16_t edns_size;
};

/* ---- server specs ---- */

static int parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static void set_v4(struct server *sv, const struct in_addr *a, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&sv->addr;
	char text[INET_ADDRSTRLEN];

	memset(&sv->addr, 0, sizeof(sv->addr));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr = *a;
	sv->addrlen = sizeof(*sin);
	inet_ntop(AF_INET, a, text, sizeof(text));
	snprintf(sv->name, sizeof(sv->name), "%s:%u", text, (unsigned)port);
}

static void set_v6(struct server *sv, const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sv->addr;
	char text[INET6_ADDRSTRLEN];

	memset(&sv->addr, 0, sizeof(sv->addr));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = *a;
	sv->addrlen = sizeof(*sin6);
	inet_ntop(AF_INET6, a, text, sizeof(text));
	snprintf(sv->name, sizeof(sv->name), "[%s]:%u", text, (unsigned)port);
}

/* "[V6]" or "[V6]:PORT"; buf is a writable copy of the spec. */
static int parse_bracketed(char *buf, struct server *sv)
{
	char *close = strchr(buf, ']');
	struct in6_addr a6;
	uint16_t port = 53;

	if (close == NULL)
		return -1;
	*close = '\0';
	if (close[1] == ':') {
		if (parse_port(close + 2, &port) < 0)
			return -1;
	} else if (close[1] != '\0') {
		return -1;
	}
	if (inet_pton(AF_INET6, buf + 1, &a6) != 1)
		return -1;
	set_v6(sv, &a6, port);
	return 0;
}

/* "ADDR", "ADDR:PORT" (IPv4), bare IPv6; buf is a writable copy. */
static int parse_plain(char *buf, struct server *sv)
{
	char *colon = strchr(buf, ':');
	struct in_addr a4;
	struct in6_addr a6;
	uint16_t port = 53;

	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return -1;
		set_v6(sv, &a6, port);
		return 0;
	}
	if (colon != NULL) {
		*colon = '\0';
		if (parse_port(colon + 1, &port) < 0)
			return -1;
	}
	/* inet_pton, not inet_aton: "127.1" or "0x7f.0.0.1" are junk here. */
	if (inet_pton(AF_INET, buf, &a4) != 1)
		return -1;
	set_v4(sv, &a4, port);
	return 0;
}

static int parse_spec(const char *spec, struct server *sv)
{
	char buf[SPEC_MAX];
	size_t len = strlen(spec);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, spec, len + 1);
	if (buf[0] == '[')
		return parse_bracketed(buf, sv);
	return parse_plain(buf, sv);
}

/* Copy the nameservers of /etc/resolv.conf (as ldns reads it). */
static int load_system(struct dnsaudit__live *live, dnsaudit_error *err)
{
	ldns_resolver *r = NULL;
	ldns_status st = ldns_resolver_new_frm_file(&r, NULL);
	size_t i, n;

	if (st != LDNS_STATUS_OK) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "no resolver configured: %s",
		                    ldns_get_errorstr_by_id(st));
		return DNSAUDIT_EINVAL;
	}
	n = ldns_resolver_nameserver_count(r);
	live->servers = n > 0 ? calloc(n, sizeof(*live->servers)) : NULL;
	if (n > 0 && live->servers == NULL) {
		ldns_resolver_deep_free(r);
		dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
		return DNSAUDIT_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const ldns_rdf *ns = ldns_resolver_nameservers(r)[i];
		uint16_t port = ldns_resolver_port(r);

		struct in_addr a4;
		struct in6_addr a6;

		if (ldns_rdf_get_type(ns) == LDNS_RDF_TYPE_A && ldns_rdf_size(ns) == sizeof(a4)) {
			memcpy(&a4, ldns_rdf_data(ns), sizeof(a4));
			set_v4(&live->servers[live->count++], &a4, port);
		} else if (ldns_rdf_get_type(ns) == LDNS_RDF_TYPE_AAAA &&
		           ldns_rdf_size(ns) == sizeof(a6)) {
			memcpy(&a6, ldns_rdf_data(ns), sizeof(a6));
			set_v6(&live->servers[live->count++], &a6, port);
		}
	}
	ldns_resolver_deep_free(r);
	if (live->count == 0) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL,
		                    "no resolver configured (no nameserver in /etc/resolv.conf)");
		return DNSAUDIT_EINVAL;
	}
	return 0;
}

static int load_specs(struct dnsaudit__live *live, const char *const *specs, size_t n,
                      dnsaudit_error *err)
{
	size_t i;

	live->servers = calloc(n, sizeof(*live->servers));
	if (live->servers == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
		return DNSAUDIT_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (specs[i] == NULL || parse_spec(specs[i], &live->servers[i]) < 0) {
			dnsaudit__error_set(err, DNSAUDIT_EINVAL,
			                    "bad resolver \"%.*s\": expected ADDR, ADDR:PORT, "
			                    "[V6]:PORT or V6 (port 1-65535)",
			                    SPEC_MAX, specs[i] != NULL ? specs[i] : "(null)");
			return DNSAUDIT_EINVAL;
		}
		live->count++;
	}
	return 0;
}

int dnsaudit__live_new(struct dnsaudit__live **out, const char *const *specs, size_t n,
                       int use_system, unsigned timeout_ms, unsigned retries, unsigned edns_size,
                       dnsaudit_error *err)
{
	struct dnsaudit__live *live;
	int rc;

	*out = NULL;
	if (edns_size > 65535) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "EDNS buffer size %u exceeds 65535",
		                    edns_size);
		return DNSAUDIT_EINVAL;
	}
	if (n == 0 && !use_system) {
		dnsaudit__error_set(err, DNSAUDIT_EINVAL, "no resolver configured");
		return DNSAUDIT_EINVAL;
	}
	live = calloc(1, sizeof(*live));
	if (live == NULL) {
		dnsaudit__error_set(err, DNSAUDIT_ENOMEM, "out of memory");
		return DNSAUDIT_ENOMEM;
	}
	live->timeout_ms = timeout_ms != 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	live->attempts = (retries < MAX_RETRIES ? retries : MAX_RETRIES) + 1;
	if (edns_size == 0)
		edns_size = DEFAULT_EDNS_SIZE;
	/* RFC 6891 §6.2.3: values below 512 are treated as 512. */
	live->edns_size = (uint16_t)(edns_size < MIN_EDNS_SIZE ? MIN_EDNS_SIZE : edns_size);
	rc = n > 0 ? load_specs(live, specs, n, err) : load_system(live, err);
	if (rc != 0) {
		dnsaudit__live_free(live);
		return rc;
	}
	*out = live;
	return 0;
}

void dnsaudit__live_free(struct dnsaudit__live *live)
{
	if (live == NULL)
		return;
	free(live->servers);
	free(live);
}

size_t dnsaudit__live_server_count(const struct dnsaudit__live *live)
{
	return live->count;
}

const char *dnsaudit__live_server_name(const struct dnsaudit__live *live, size_t i)
{
	return i < live->count ? live->servers[i].name : NULL;
}

/* ---- one resolve() call ---- */

enum job_state { JOB_QUEUED, JOB_UDP, JOB_TCP_CONNECT, JOB_TCP_WRITE, JOB_TCP_READ, JOB_DONE };

/* Why the latest attempt of a job got no usable response. */
enum failure { FAIL_NONE, FAIL_TIMEOUT, FAIL_DEADLINE, FAIL_SOCKET, FAIL_CLOSED };

struct job {
	struct dnsaudit__live_query *q;
	/* The query with 2 octets of room in front for the TCP length. */
	uint8_t *msg;
	size_t msg_len; /* without the 2-octet prefix */
	uint16_t id;
	enum job_state state;
	int fd;
	unsigned attempt; /* attempts started */
	size_t server;    /* server of the current attempt */
	int tcp;          /* current attempt moved to TCP */
	uint64_t expires; /* end of the current attempt (or TCP phase) */
	/* The latest valid response, reported unless a later one replaces it. */
	ldns_pkt *resp;
	size_t resp_server;
	int resp_tcp;
	/* The latest failure, reported when no response ever came. */
	enum failure fail;
	int fail_errno;
	/* TCP progress: octets sent, and the frame being read. */
	size_t tcp_sent;
	uint8_t tcp_hdr[2];
	size_t tcp_have; /* octets of header + body read */
	size_t tcp_need; /* body length from the header */
	uint8_t *tcp_buf;
};

struct call {
	const struct dnsaudit__live *live;
	struct job *jobs;
	size_t n;
	size_t next_queued;
	size_t done;
	struct job *active[MAX_INFLIGHT];
	size_t nactive;
	uint64_t deadline;
	uint8_t *rbuf; /* one UDP receive buffer for the whole call */
	dnsaudit__live_stats *stats;
};

static const char *errno_text(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "connection refused";
	case ECONNRESET:
		return "connection reset";
	case ENETUNREACH:
		return "network unreachable";
	case EHOSTUNREACH:
		return "host unreachable";
	case EADDRNOTAVAIL:
		return "address not available";
	case EAFNOSUPPORT:
		return "address family not supported";
	case EACCES:
	case EPERM:
		return "permission denied";
	case EMFILE:
	case ENFILE:
		return "too many open files";
	case ENOBUFS:
	case ENOMEM:
		return "no buffer space";
	case EPIPE:
		return "broken pipe";
	case ETIMEDOUT:
		return "connection timed out";
	default:
		return NULL;
	}
}

static void close_transport(struct job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	free(j->tcp_buf);
	j->tcp_buf = NULL;
	j->tcp_sent = 0;
	j->tcp_have = 0;
	j->tcp_need = 0;
}

static void record_failure(struct job *j, enum failure f, int e)
{
	j->fail = f;
	j->fail_errno = e;
}

static uint64_t attempt_end(const struct call *c, uint64_t now)
{
	uint64_t end = now + c->live->timeout_ms;

	return end < c->deadline ? end : c->deadline;
}

/* Build the query once; each attempt only patches a new id into it. */
static int build_query(struct job *j, uint16_t edns_size)
{
	ldns_rdf *name = ldns_rdf_clone(j->q->qname);
	ldns_pkt *pkt;
	uint8_t *wire = NULL;
	size_t len = 0;
	ldns_status st;

	if (name == NULL)
		return -1;
	/* AD set: a validating resolver then reports AD without DO (RFC 6840 §5.7). */
	pkt = ldns_pkt_query_new(name, j->q->qtype, LDNS_RR_CLASS_IN, LDNS_RD | LDNS_AD);
	if (pkt == NULL) {
		ldns_rdf_deep_free(name);
		return -1;
	}
	ldns_pkt_set_edns_udp_size(pkt, edns_size);
	ldns_pkt_set_edns_do(pkt, false);
	st = ldns_pkt2wire(&wire, pkt, &len);
	ldns_pkt_free(pkt);
	if (st != LDNS_STATUS_OK || len > MAX_MESSAGE) {
		free(wire);
		return -1;
	}
	j->msg = malloc(len + 2);
	if (j->msg == NULL) {
		free(wire);
		return -1;
	}
	ldns_write_uint16(j->msg, (uint16_t)len);
	memcpy(j->msg + 2, wire, len);
	j->msg_len = len;
	free(wire);
	return 0;
}

/* A connected non-blocking socket to server sv; -1 with errno on failure. */
static int open_socket(const struct server *sv, int type)
{
	int fd = socket(sv->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int e;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&sv->addr, sv->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Send the query over UDP to the next server: 0 sent, -1 failed (recorded). */
static int send_udp(struct call *c, struct job *j, uint64_t now)
{
	const struct server *sv;
	ssize_t sent;

	j->server = j->attempt % c->live->count;
	j->attempt++;
	j->tcp = 0;
	sv = &c->live->servers[j->server];
	/* A fresh id per attempt: a late answer to an old one cannot match. */
	if (getrandom(&j->id, sizeof(j->id), 0) != (ssize_t)sizeof(j->id)) {
		record_failure(j, FAIL_SOCKET, errno);
		return -1;
	}
	ldns_write_uint16(j->msg + 2, j->id);
	j->fd = open_socket(sv, SOCK_DGRAM);
	if (j->fd < 0) {
		record_failure(j, FAIL_SOCKET, errno);
		return -1;
	}
	do
		sent = send(j->fd, j->msg + 2, j->msg_len, 0);
	while (sent < 0 && errno == EINTR);
	if (sent != (ssize_t)j->msg_len) {
		record_failure(j, FAIL_SOCKET, sent < 0 ? errno : EMSGSIZE);
		close_transport(j);
		return -1;
	}
	c->stats->packets++;
	j->state = JOB_UDP;
	j->expires = attempt_end(c, now);
	return 0;
}

static const char *rcode_name(int rcode, char *buf, size_t size)
{
	const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, rcode);

	if (lt != NULL && lt->name != NULL)
		return lt->name;
	snprintf(buf, size, "RCODE%d", rcode);
	return buf;
}

/* Clone rr onto list; -1 on no memory. */
static int push_clone(ldns_rr_list *list, const ldns_rr *rr)
{
	ldns_rr *copy = ldns_rr_clone(rr);

	if (copy == NULL)
		return -1;
	if (!ldns_rr_list_push_rr(list, copy)) {
		ldns_rr_free(copy);
		return -1;
	}
	return 0;
}

/* Records of the answer section owned by name with type type, cloned. */
static int collect(ldns_rr_list *to, const ldns_rr_list *ans, const ldns_rdf *name,
                   ldns_rr_type type, size_t limit)
{
	size_t i, found = 0;

	for (i = 0; i < ldns_rr_list_rr_count(ans) && found < limit; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);

		if (ldns_rr_get_type(rr) != type || ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), name) != 0)
			continue;
		if (type == LDNS_RR_TYPE_CNAME &&
		    (ldns_rr_rd_count(rr) < 1 ||
		     ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) != LDNS_RDF_TYPE_DNAME))
			continue;
		if (push_clone(to, rr) < 0)
			return -1;
		found++;
	}
	return (int)found;
}

/*
 * Follow the CNAME chain from qname through the answer section, keeping
 * only what lies on it. *too_long is set when it has more than
 * DNSAUDIT_MAX_CNAME_CHAIN links (or loops). -1 on no memory.
 */
static int follow_chain(struct dnsaudit_answer *a, const ldns_rr_list *ans, const ldns_rdf *qname,
                        ldns_rr_type qtype, int *too_long)
{
	const ldns_rdf *name = qname;
	size_t links;
	int got;

	*too_long = 0;
	for (links = 0;; links++) {
		got = collect(a->rrs, ans, name, qtype, SIZE_MAX);
		if (got != 0 || qtype == LDNS_RR_TYPE_CNAME)
			return got < 0 ? -1 : 0;
		if (links == DNSAUDIT_MAX_CNAME_CHAIN) {
			/* Only a loop or an over-long chain gets here with a CNAME. */
			ldns_rr_list *probe = ldns_rr_list_new();

			if (probe == NULL)
				return -1;
			*too_long = collect(probe, ans, name, LDNS_RR_TYPE_CNAME, 1) > 0;
			ldns_rr_list_deep_free(probe);
			return 0;
		}
		got = collect(a->chain, ans, name, LDNS_RR_TYPE_CNAME, 1);
		if (got <= 0)
			return got;
		name =
		    ldns_rr_rdf(ldns_rr_list_rr(a->chain, ldns_rr_list_rr_count(a->chain) - 1), 0);
	}
}

static void clear_records(struct dnsaudit_answer *a)
{
	while (ldns_rr_list_rr_count(a->rrs) > 0)
		ldns_rr_free(ldns_rr_list_pop_rr(a->rrs));
	while (ldns_rr_list_rr_count(a->chain) > 0)
		ldns_rr_free(ldns_rr_list_pop_rr(a->chain));
}

/* Fill a NOERROR or NXDOMAIN answer from the response's answer section. */
static int fill_data(struct job *j, const ldns_pkt *pkt)
{
	struct dnsaudit_answer *a = j->q->out;
	char buf[DETAIL_MAX];
	int too_long;

	if (follow_chain(a, ldns_pkt_answer(pkt), j->q->qname, j->q->qtype, &too_long) < 0)
		return -1;
	if (too_long) {
		clear_records(a);
		a->status = DNSAUDIT_DNS_SERVFAIL;
		snprintf(buf, sizeof(buf), "CNAME chain from %s longer than %d links or looping",
		         a->qname, DNSAUDIT_MAX_CNAME_CHAIN);
		return dnsaudit__answer_set_detail(a, buf);
	}
	if (ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NXDOMAIN)
		a->status = DNSAUDIT_DNS_NXDOMAIN;
	else if (ldns_rr_list_rr_count(a->rrs) > 0)
		a->status = DNSAUDIT_DNS_OK;
	else
		a->status = DNSAUDIT_DNS_NODATA;
	return 0;
}

static int fill_from_response(struct call *c, struct job *j)
{
	struct dnsaudit_answer *a = j->q->out;
	const ldns_pkt *pkt = j->resp;
	int rcode = ldns_pkt_get_rcode(pkt);
	char buf[DETAIL_MAX], rbuf[16];

	clear_records(a);
	a->rcode = rcode;
	a->ad = ldns_pkt_ad(pkt) ? 1 : 0;
	a->transport = j->resp_tcp ? "tcp" : "udp";
	if (dnsaudit__answer_set_origin(a, c->live->servers[j->resp_server].name) < 0 ||
	    dnsaudit__answer_set_detail(a, NULL) < 0)
		return -1;
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_NXDOMAIN:
		return fill_data(j, pkt);
	case LDNS_RCODE_REFUSED:
		a->status = DNSAUDIT_DNS_REFUSED;
		snprintf(buf, sizeof(buf), "%s answered REFUSED",
		         c->live->servers[j->resp_server].name);
		return dnsaudit__answer_set_detail(a, buf);
	default:
		a->status = DNSAUDIT_DNS_SERVFAIL;
		snprintf(buf, sizeof(buf), "%s answered %s", c->live->servers[j->resp_server].name,
		         rcode_name(rcode, rbuf, sizeof(rbuf)));
		return dnsaudit__answer_set_detail(a, buf);
	}
}

static void failure_detail(const struct call *c, const struct job *j, char *buf, size_t size)
{
	const char *sv = c->live->servers[j->server].name;
	const char *proto = j->tcp ? " over tcp" : "";
	const char *what = errno_text(j->fail_errno);
	const char *plural = j->attempt == 1 ? "" : "s";
	char ebuf[32];

	if (what == NULL) {
		snprintf(ebuf, sizeof(ebuf), "socket error %d", j->fail_errno);
		what = ebuf;
	}
	switch (j->fail) {
	case FAIL_SOCKET:
		snprintf(buf, size, "%s%s: %s (%u attempt%s)", sv, proto, what, j->attempt, plural);
		break;
	case FAIL_CLOSED:
		snprintf(buf, size, "%s%s: connection closed before a response (%u attempt%s)", sv,
		         proto, j->attempt, plural);
		break;
	case FAIL_DEADLINE:
		if (j->attempt == 0)
			snprintf(buf, size, "deadline reached before the query was sent");
		else
			snprintf(buf, size,
			         "no response from %s%s before the deadline (%u attempt%s)", sv,
			         proto, j->attempt, plural);
		break;
	default:
		snprintf(buf, size, "no response from %s%s after %u attempt%s", sv, proto,
		         j->attempt, plural);
		break;
	}
}

static int fill_from_failure(struct call *c, struct job *j)
{
	struct dnsaudit_answer *a = j->q->out;
	char buf[DETAIL_MAX];

	clear_records(a);
	a->rcode = -1;
	a->ad = 0;
	a->transport = j->tcp ? "tcp" : "udp";
	a->status = (j->fail == FAIL_SOCKET || j->fail == FAIL_CLOSED) ? DNSAUDIT_DNS_NETERROR
	                                                               : DNSAUDIT_DNS_TIMEOUT;
	failure_detail(c, j, buf, sizeof(buf));
	if (dnsaudit__answer_set_detail(a, buf) < 0)
		return -1;
	if (j->attempt == 0)
		return dnsaudit__answer_set_origin(a, NULL);
	return dnsaudit__answer_set_origin(a, c->live->servers[j->server].name);
}

/*
 * The job is over: report its latest response if it ever got one (a
 * REFUSED from one server says more than a later timeout from another),
 * else its latest failure.
 */
static int finish(struct call *c, struct job *j)
{
	int rc;

	close_transport(j);
	j->state = JOB_DONE;
	c->done++;
	if (j->resp != NULL) {
		c->stats->answers++;
		rc = fill_from_response(c, j);
	} else {
		rc = fill_from_failure(c, j);
	}
	ldns_pkt_free(j->resp);
	j->resp = NULL;
	return rc;
}

/* Move on to the next attempt, or finish when the budget is spent. */
static int next_attempt(struct call *c, struct job *j, uint64_t now)
{
	close_transport(j);
	while (j->attempt < c->live->attempts) {
		if (now >= c->deadline) {
			record_failure(j, FAIL_DEADLINE, 0);
			break;
		}
		if (send_udp(c, j, now) == 0)
			return 0;
	}
	return finish(c, j);
}

static int start_tcp(struct call *c, struct job *j, uint64_t now)
{
	close_transport(j);
	j->tcp = 1;
	j->fd = open_socket(&c->live->servers[j->server], SOCK_STREAM);
	if (j->fd < 0) {
		record_failure(j, FAIL_SOCKET, errno);
		return next_attempt(c, j, now);
	}
	j->state = JOB_TCP_CONNECT;
	j->expires = attempt_end(c, now);
	return 0;
}

/* 1 when the question section of msg is exactly the job's question. */
static int same_question(const struct job *j, const uint8_t *msg, size_t len)
{
	ldns_rdf *name = NULL;
	size_t pos = LDNS_HEADER_SIZE;
	int same;

	if (LDNS_QDCOUNT(msg) != 1 || ldns_wire2dname(&name, msg, len, &pos) != LDNS_STATUS_OK)
		return 0;
	same = pos + 4 <= len && ldns_dname_compare(name, j->q->qname) == 0 &&
	       ldns_read_uint16(msg + pos) == (uint16_t)j->q->qtype &&
	       ldns_read_uint16(msg + pos + 2) == LDNS_RR_CLASS_IN;
	ldns_rdf_deep_free(name);
	return same;
}

enum verdict { IGNORE, TRUNCATED, VALID, NOMEM };

/*
 * Is msg the response to j's current query? Checks the header and the
 * question on the wire before parsing, so junk costs little; a TC response
 * over UDP is not parsed at all (it may be cut mid-record).
 */
static enum verdict check_response(const struct job *j, const uint8_t *msg, size_t len, int tcp,
                                   ldns_pkt **out)
{
	ldns_status st;

	*out = NULL;
	if (len < LDNS_HEADER_SIZE || LDNS_ID_WIRE(msg) != j->id || !LDNS_QR_WIRE(msg) ||
	    LDNS_OPCODE_WIRE(msg) != LDNS_PACKET_QUERY || !same_question(j, msg, len))
		return IGNORE;
	if (!tcp && LDNS_TC_WIRE(msg))
		return TRUNCATED;
	st = ldns_wire2pkt(out, msg, len);
	if (st == LDNS_STATUS_MEM_ERR)
		return NOMEM;
	if (st != LDNS_STATUS_OK) {
		ldns_pkt_free(*out);
		*out = NULL;
		return IGNORE;
	}
	return VALID;
}

/*
 * A valid response: keep it; try the next server after a failure rcode
 * when there is another server and attempts are left, else finish.
 */
static int on_response(struct call *c, struct job *j, ldns_pkt *pkt, uint64_t now)
{
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(pkt);

	ldns_pkt_free(j->resp);
	j->resp = pkt;
	j->resp_server = j->server;
	j->resp_tcp = j->tcp;
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN && c->live->count > 1 &&
	    j->attempt < c->live->attempts)
		return next_attempt(c, j, now);
	return finish(c, j);
}

/* Act on a complete message; 1 when it ended the wait for this attempt. */
static int on_message(struct call *c, struct job *j, const uint8_t *msg, size_t len, uint64_t now)
{
	ldns_pkt *pkt;

	switch (check_response(j, msg, len, j->tcp, &pkt)) {
	case VALID:
		return on_response(c, j, pkt, now) < 0 ? -1 : 1;
	case TRUNCATED:
		return start_tcp(c, j, now) < 0 ? -1 : 1;
	case NOMEM:
		return -1;
	default:
		return 0;
	}
}

static int on_udp_readable(struct call *c, struct job *j, uint64_t now)
{
	ssize_t got;
	int k, rc;

	for (k = 0; k < MAX_READS_PER_WAKEUP; k++) {
		got = recv(j->fd, c->rbuf, MAX_MESSAGE, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			/* ECONNREFUSED here is the ICMP port unreachable. */
			record_failure(j, FAIL_SOCKET, errno);
			return next_attempt(c, j, now);
		}
		rc = on_message(c, j, c->rbuf, (size_t)got, now);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	return 0;
}

static int on_tcp_writable(struct call *c, struct job *j, uint64_t now)
{
	size_t total = j->msg_len + 2;
	socklen_t elen = sizeof(int);
	int e = 0;
	ssize_t sent;

	if (j->state == JOB_TCP_CONNECT) {
		if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e != 0) {
			record_failure(j, FAIL_SOCKET, e);
			return next_attempt(c, j, now);
		}
		j->state = JOB_TCP_WRITE;
	}
	sent = send(j->fd, j->msg + j->tcp_sent, total - j->tcp_sent, MSG_NOSIGNAL);
	if (sent < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		record_failure(j, FAIL_SOCKET, errno);
		return next_attempt(c, j, now);
	}
	j->tcp_sent += (size_t)sent;
	if (j->tcp_sent == total) {
		c->stats->packets++;
		j->state = JOB_TCP_READ;
	}
	return 0;
}

/* Read into the 2-octet header, then into a body of exactly its length. */
static ssize_t tcp_read_some(struct job *j)
{
	if (j->tcp_have < 2)
		return recv(j->fd, j->tcp_hdr + j->tcp_have, 2 - j->tcp_have, 0);
	return recv(j->fd, j->tcp_buf + (j->tcp_have - 2), j->tcp_need - (j->tcp_have - 2), 0);
}

static int on_tcp_readable(struct call *c, struct job *j, uint64_t now)
{
	ssize_t got;
	int rc;

	for (;;) {
		got = tcp_read_some(j);
		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			record_failure(j, got == 0 ? FAIL_CLOSED : FAIL_SOCKET,
			               got == 0 ? 0 : errno);
			return next_attempt(c, j, now);
		}
		j->tcp_have += (size_t)got;
		if (j->tcp_have == 2) {
			/* The 16-bit length itself bounds the buffer at 65535. */
			j->tcp_need = ldns_read_uint16(j->tcp_hdr);
			j->tcp_buf = malloc(j->tcp_need > 0 ? j->tcp_need : 1);
			if (j->tcp_buf == NULL)
				return -1;
		}
		if (j->tcp_have < 2 || j->tcp_have - 2 < j->tcp_need)
			continue;
		rc = on_message(c, j, j->tcp_buf, j->tcp_need, now);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		/* Not ours (RFC 7766 allows several messages): read the next. */
		free(j->tcp_buf);
		j->tcp_buf = NULL;
		j->tcp_have = 0;
		j->tcp_need = 0;
	}
}

static short poll_events(const struct job *j)
{
	return (j->state == JOB_TCP_CONNECT || j->state == JOB_TCP_WRITE) ? POLLOUT : POLLIN;
}

static int on_event(struct call *c, struct job *j, short revents, uint64_t now)
{
	if (revents == 0 || j->state == JOB_DONE)
		return 0;
	switch (j->state) {
	case JOB_UDP:
		return on_udp_readable(c, j, now);
	case JOB_TCP_CONNECT:
	case JOB_TCP_WRITE:
		return on_tcp_writable(c, j, now);
	case JOB_TCP_READ:
		return on_tcp_readable(c, j, now);
	default:
		return 0;
	}
}

/* Drop finished jobs from the active set, then fill it from the queue. */
static int refill(struct call *c, uint64_t now)
{
	size_t i, kept = 0;
	struct job *j;

	for (i = 0; i < c->nactive; i++)
		if (c->active[i]->state != JOB_DONE)
			c->active[kept++] = c->active[i];
	c->nactive = kept;
	while (c->nactive < MAX_INFLIGHT && c->next_queued < c->n) {
		j = &c->jobs[c->next_queued++];
		if (next_attempt(c, j, now) < 0)
			return -1;
		if (j->state != JOB_DONE)
			c->active[c->nactive++] = j;
	}
	return 0;
}

static int expire_attempts(struct call *c, uint64_t now)
{
	size_t i;
	struct job *j;

	for (i = 0; i < c->nactive; i++) {
		j = c->active[i];
		if (j->state == JOB_DONE || now < j->expires)
			continue;
		record_failure(j, now >= c->deadline ? FAIL_DEADLINE : FAIL_TIMEOUT, 0);
		if (next_attempt(c, j, now) < 0)
			return -1;
	}
	return 0;
}

/* Everything still open or queued at the deadline is over. */
static int expire_all(struct call *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->jobs[i].state == JOB_DONE)
			continue;
		record_failure(&c->jobs[i], FAIL_DEADLINE, 0);
		if (finish(c, &c->jobs[i]) < 0)
			return -1;
	}
	return 0;
}

static int poll_once(struct call *c, uint64_t now)
{
	struct pollfd pfd[MAX_INFLIGHT];
	uint64_t wake = c->deadline, wait;
	size_t i;
	int r;

	for (i = 0; i < c->nactive; i++) {
		pfd[i].fd = c->active[i]->fd;
		pfd[i].events = poll_events(c->active[i]);
		pfd[i].revents = 0;
		if (c->active[i]->expires < wake)
			wake = c->active[i]->expires;
	}
	wait = wake > now ? wake - now : 0;
	r = poll(pfd, (nfds_t)c->nactive, wait < INT_MAX ? (int)wait : INT_MAX);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	now = dnsaudit__now_ms();
	for (i = 0; i < c->nactive && r > 0; i++) {
		if (pfd[i].revents == 0)
			continue;
		r--;
		if (on_event(c, c->active[i], pfd[i].revents, now) < 0)
			return -1;
	}
	return 0;
}

static int run(struct call *c)
{
	uint64_t now;

	for (;;) {
		now = dnsaudit__now_ms();
		if (now >= c->deadline)
			return expire_all(c);
		if (expire_attempts(c, now) < 0 || refill(c, now) < 0)
			return -1;
		if (c->done == c->n)
			return 0;
		if (poll_once(c, now) < 0)
			return -1;
	}
}

static void call_free(struct call *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		close_transport(&c->jobs[i]);
		free(c->jobs[i].msg);
		ldns_pkt_free(c->jobs[i].resp);
	}
	free(c->jobs);
	free(c->rbuf);
}

int dnsaudit__live_resolve(const struct dnsaudit__live *live, struct dnsaudit__live_query *qs,
                           size_t n, uint64_t deadline_ms, dnsaudit__live_stats *stats)
{
	dnsaudit__live_stats ignored = {0, 0};
	struct call c;
	size_t i;
	int rc = -1;

	if (n == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.live = live;
	c.n = n;
	c.deadline = deadline_ms;
	c.stats = stats != NULL ? stats : &ignored;
	c.jobs = calloc(n, sizeof(*c.jobs));
	c.rbuf = malloc(MAX_MESSAGE);
	if (c.jobs == NULL || c.rbuf == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		c.jobs[i].q = &qs[i];
		c.jobs[i].fd = -1;
	}
	for (i = 0; i < n; i++)
		if (build_query(&c.jobs[i], live->edns_size) < 0)
			goto out;
	rc = run(&c);
out:
	if (c.jobs != NULL)
		call_free(&c);
	else
		free(c.rbuf);
	return rc;
}
