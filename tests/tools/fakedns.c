/*
 * fakedns.c -- a small, deliberately misbehaving DNS server for tests of the
 * live backend (tests/unit/test_live.c). Real servers (NSD) cover correct
 * behaviour; this one covers what a broken or hostile server, or an off-path
 * spoofer, can send.
 *
 *   fakedns --port P --mode MODE [--ready-file F]
 *
 * Listens on 127.0.0.1:P over UDP and TCP (P = 0: the kernel picks a port,
 * the same for both). Once bound it writes the port number to F (atomically,
 * via rename), so a test can wait for it and learn the port without races.
 * Runs until killed. Modes:
 *   blackhole          read queries, never answer
 *   servfail, refused  answer with that rcode
 *   garbage            answer with junk: random bytes, a right id with a
 *                      random body, a header cut inside the question
 *   wrong-id           correct answers under a wrong id, never a right one
 *   wrong-question     right id, but another name, type or class
 *   stuffed            the right answer plus unrelated records in the answer
 *                      section (another name, the parent, a sibling, a CNAME)
 *   truncate-then-tcp  UDP: TC set, no records; TCP: the real answer
 *   truncate-then-close  UDP: TC set; TCP: read the query, close unanswered
 *   truncate-then-hang   UDP: TC set; TCP: read the query, never answer
 *   slow               correct answers after 1.5 s (UDP; TCP answers at once)
 * Correct answers: TXT "fakedns answer" for TXT, 192.0.2.1 for A,
 * 2001:db8::1 for AAAA, and NODATA for other types.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#define MAX_CLIENTS 32
#define MAX_PENDING 256
#define MAX_MSG     65535
#define SLOW_MS     1500
#define MAX_OUT     4

enum mode {
	MODE_BLACKHOLE,
	MODE_SERVFAIL,
	MODE_REFUSED,
	MODE_GARBAGE,
	MODE_WRONG_ID,
	MODE_WRONG_QUESTION,
	MODE_STUFFED,
	MODE_TRUNCATE_THEN_TCP,
	MODE_TRUNCATE_THEN_CLOSE,
	MODE_TRUNCATE_THEN_HANG,
	MODE_SLOW
};

static const char *const mode_names[] = {"blackhole",
                                         "servfail",
                                         "refused",
                                         "garbage",
                                         "wrong-id",
                                         "wrong-question",
                                         "stuffed",
                                         "truncate-then-tcp",
                                         "truncate-then-close",
                                         "truncate-then-hang",
                                         "slow"};

/* Messages to send for one query; each is malloc()ed. */
struct out {
	uint8_t *msg[MAX_OUT];
	size_t len[MAX_OUT];
	size_t n;
};

/* A delayed UDP answer (slow mode). */
struct pending {
	uint64_t due;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	uint8_t *msg;
	size_t len;
};

struct client {
	int fd;
	uint8_t buf[MAX_MSG + 2];
	size_t have;
};

static enum mode mode;
static struct pending pending[MAX_PENDING];
static size_t npending;
static struct client clients[MAX_CLIENTS];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t got;

	while (len > 0) {
		got = getrandom(p, len, 0);
		if (got <= 0)
			return;
		p += got;
		len -= (size_t)got;
	}
}

static void out_add(struct out *o, uint8_t *msg, size_t len)
{
	if (msg == NULL || o->n == MAX_OUT) {
		free(msg);
		return;
	}
	o->msg[o->n] = msg;
	o->len[o->n] = len;
	o->n++;
}

static void out_add_pkt(struct out *o, const ldns_pkt *pkt)
{
	uint8_t *wire = NULL;
	size_t len = 0;

	if (ldns_pkt2wire(&wire, pkt, &len) == LDNS_STATUS_OK)
		out_add(o, wire, len);
	else
		free(wire);
}

static void out_clear(struct out *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->msg[i]);
	o->n = 0;
}

/* Append "OWNER 300 IN TYPE RDATA" to the answer section. */
static void add_rr(ldns_pkt *pkt, const ldns_rdf *owner, const char *type, const char *rdata)
{
	char *name = ldns_rdf2str(owner);
	char text[512];
	ldns_rr *rr = NULL;

	if (name == NULL)
		return;
	snprintf(text, sizeof(text), "%s 300 IN %s %s", name, type, rdata);
	free(name);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) == LDNS_STATUS_OK)
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
}

/* The right records for qname/qtype (none for other types: NODATA). */
static void add_right_answer(ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type qtype)
{
	if (qtype == LDNS_RR_TYPE_TXT)
		add_rr(pkt, qname, "TXT", "\"fakedns answer\"");
	else if (qtype == LDNS_RR_TYPE_A)
		add_rr(pkt, qname, "A", "192.0.2.1");
	else if (qtype == LDNS_RR_TYPE_AAAA)
		add_rr(pkt, qname, "AAAA", "2001:db8::1");
}

/* A response skeleton: same id and question, QR and AA set, RD copied. */
static ldns_pkt *reply_to(const ldns_pkt *q, ldns_pkt_rcode rcode)
{
	ldns_pkt *r = ldns_pkt_new();
	ldns_rr *qrr;

	if (r == NULL)
		return NULL;
	ldns_pkt_set_id(r, ldns_pkt_id(q));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_aa(r, true);
	ldns_pkt_set_rd(r, ldns_pkt_rd(q));
	ldns_pkt_set_opcode(r, LDNS_PACKET_QUERY);
	ldns_pkt_set_rcode(r, (uint8_t)rcode);
	qrr = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(q), 0));
	if (qrr != NULL)
		ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, qrr);
	return r;
}

static void garbage(struct out *o, const uint8_t *query, size_t qlen)
{
	uint16_t n;
	uint8_t *m;

	/* Pure noise of a random size (possibly empty). */
	random_bytes(&n, sizeof(n));
	n %= 300;
	m = malloc(n + 1u);
	if (m != NULL)
		random_bytes(m, n);
	out_add(o, m, n);
	/* The right id and QR, then noise: must fail to parse or to match. */
	m = malloc(200);
	if (m != NULL) {
		random_bytes(m, 200);
		memcpy(m, query, 2);
		m[2] |= 0x80;
		m[2] &= (uint8_t)~0x02;
	}
	out_add(o, m, 200);
	/* A real header cut off inside the question. */
	if (qlen > 14) {
		m = malloc(14);
		if (m != NULL) {
			memcpy(m, query, 14);
			m[2] |= 0x80;
		}
		out_add(o, m, 14);
	}
}

static void wrong_question(struct out *o, const ldns_pkt *q, const ldns_rdf *qname,
                           ldns_rr_type qtype)
{
	ldns_pkt *r;
	ldns_rr *qrr;
	ldns_rdf *other = ldns_dname_new_frm_str("wrong-question.invalid.");

	/* Another name. */
	r = reply_to(q, LDNS_RCODE_NOERROR);
	if (r != NULL && other != NULL) {
		qrr = ldns_rr_list_rr(ldns_pkt_question(r), 0);
		ldns_rdf *old = ldns_rr_owner(qrr);

		ldns_rr_set_owner(qrr, ldns_rdf_clone(other));
		ldns_rdf_deep_free(old);
		add_right_answer(r, other, qtype);
		out_add_pkt(o, r);
	}
	ldns_pkt_free(r);
	ldns_rdf_deep_free(other);
	/* Another type. */
	r = reply_to(q, LDNS_RCODE_NOERROR);
	if (r != NULL) {
		qrr = ldns_rr_list_rr(ldns_pkt_question(r), 0);
		ldns_rr_set_type(qrr, qtype == LDNS_RR_TYPE_A ? LDNS_RR_TYPE_TXT : LDNS_RR_TYPE_A);
		add_right_answer(r, qname, qtype);
		out_add_pkt(o, r);
	}
	ldns_pkt_free(r);
	/* Another class. */
	r = reply_to(q, LDNS_RCODE_NOERROR);
	if (r != NULL) {
		qrr = ldns_rr_list_rr(ldns_pkt_question(r), 0);
		ldns_rr_set_class(qrr, LDNS_RR_CLASS_CH);
		add_right_answer(r, qname, qtype);
		out_add_pkt(o, r);
	}
	ldns_pkt_free(r);
}

static void stuffed(ldns_pkt *r, const ldns_rdf *qname, ldns_rr_type qtype)
{
	ldns_rdf *other = ldns_dname_new_frm_str("other.invalid.");
	ldns_rdf *parent = ldns_dname_left_chop(qname);
	ldns_rdf *sibling = NULL;
	ldns_rdf *evil = ldns_dname_new_frm_str("evil");

	if (parent != NULL && evil != NULL)
		sibling = ldns_dname_cat_clone(evil, parent);
	if (other != NULL) {
		add_rr(r, other, "A", "192.0.2.66");
		add_rr(r, other, "TXT", "\"v=spf1 +all\"");
	}
	add_right_answer(r, qname, qtype);
	if (parent != NULL)
		add_rr(r, parent, "TXT", "\"v=spf1 +all\"");
	if (sibling != NULL) {
		add_rr(r, sibling, "TXT", "\"sibling\"");
		add_rr(r, sibling, "A", "192.0.2.67");
		add_rr(r, sibling, "CNAME", "other.invalid.");
	}
	ldns_rdf_deep_free(other);
	ldns_rdf_deep_free(parent);
	ldns_rdf_deep_free(sibling);
	ldns_rdf_deep_free(evil);
}

/* What to send back for one query (possibly nothing). */
static void respond(struct out *o, const uint8_t *query, size_t qlen, int tcp)
{
	ldns_pkt *q = NULL, *r = NULL;
	const ldns_rr *qrr;
	const ldns_rdf *qname;
	ldns_rr_type qtype;

	if (mode == MODE_BLACKHOLE)
		return;
	if (mode == MODE_GARBAGE && qlen >= 12) {
		garbage(o, query, qlen);
		return;
	}
	if (ldns_wire2pkt(&q, query, qlen) != LDNS_STATUS_OK || ldns_pkt_qdcount(q) != 1) {
		ldns_pkt_free(q);
		return;
	}
	qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	qname = ldns_rr_owner(qrr);
	qtype = ldns_rr_get_type(qrr);
	switch (mode) {
	case MODE_SERVFAIL:
		r = reply_to(q, LDNS_RCODE_SERVFAIL);
		break;
	case MODE_REFUSED:
		r = reply_to(q, LDNS_RCODE_REFUSED);
		break;
	case MODE_WRONG_QUESTION:
		wrong_question(o, q, qname, qtype);
		break;
	case MODE_STUFFED:
		r = reply_to(q, LDNS_RCODE_NOERROR);
		if (r != NULL)
			stuffed(r, qname, qtype);
		break;
	case MODE_TRUNCATE_THEN_CLOSE:
	case MODE_TRUNCATE_THEN_HANG:
		r = tcp ? NULL : reply_to(q, LDNS_RCODE_NOERROR);
		if (r != NULL)
			ldns_pkt_set_tc(r, true);
		break;
	case MODE_TRUNCATE_THEN_TCP:
		r = reply_to(q, LDNS_RCODE_NOERROR);
		if (r != NULL && tcp)
			add_rr(r, qname, "TXT", "\"over tcp\" \"second string\"");
		else if (r != NULL)
			ldns_pkt_set_tc(r, true);
		break;
	default: /* wrong-id, slow */
		r = reply_to(q, LDNS_RCODE_NOERROR);
		if (r != NULL)
			add_right_answer(r, qname, qtype);
		if (r != NULL && mode == MODE_WRONG_ID)
			ldns_pkt_set_id(r, (uint16_t)(ldns_pkt_id(q) ^ 0x5a5a));
		break;
	}
	if (r != NULL)
		out_add_pkt(o, r);
	ldns_pkt_free(r);
	ldns_pkt_free(q);
}

static void send_later(const struct sockaddr_storage *peer, socklen_t peerlen, uint8_t *msg,
                       size_t len)
{
	if (npending == MAX_PENDING) {
		free(msg);
		return;
	}
	pending[npending].due = now_ms() + SLOW_MS;
	pending[npending].peer = *peer;
	pending[npending].peerlen = peerlen;
	pending[npending].msg = msg;
	pending[npending].len = len;
	npending++;
}

static void flush_pending(int udp)
{
	uint64_t now = now_ms();
	size_t i = 0;

	while (i < npending) {
		if (pending[i].due > now) {
			i++;
			continue;
		}
		sendto(udp, pending[i].msg, pending[i].len, 0,
		       (const struct sockaddr *)&pending[i].peer, pending[i].peerlen);
		free(pending[i].msg);
		pending[i] = pending[--npending];
	}
}

static void on_udp(int udp)
{
	static uint8_t buf[MAX_MSG];
	struct sockaddr_storage peer;
	socklen_t peerlen = sizeof(peer);
	struct out o = {{NULL}, {0}, 0};
	ssize_t got;
	size_t i;

	got = recvfrom(udp, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&peer, &peerlen);
	if (got <= 0)
		return;
	respond(&o, buf, (size_t)got, 0);
	for (i = 0; i < o.n; i++) {
		if (mode == MODE_SLOW) {
			send_later(&peer, peerlen, o.msg[i], o.len[i]);
			o.msg[i] = NULL;
			continue;
		}
		sendto(udp, o.msg[i], o.len[i], 0, (struct sockaddr *)&peer, peerlen);
	}
	out_clear(&o);
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void client_close(struct client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->have = 0;
}

static void on_client(struct client *cl)
{
	struct out o = {{NULL}, {0}, 0};
	uint8_t hdr[2];
	size_t need, i;
	ssize_t got;

	got = recv(cl->fd, cl->buf + cl->have, sizeof(cl->buf) - cl->have, MSG_DONTWAIT);
	if (got <= 0) {
		if (got == 0 || (errno != EAGAIN && errno != EINTR))
			client_close(cl);
		return;
	}
	cl->have += (size_t)got;
	while (cl->have >= 2 && cl->have >= 2 + (need = ldns_read_uint16(cl->buf))) {
		respond(&o, cl->buf + 2, need, 1);
		for (i = 0; i < o.n; i++) {
			ldns_write_uint16(hdr, (uint16_t)o.len[i]);
			write_all(cl->fd, hdr, 2);
			write_all(cl->fd, o.msg[i], o.len[i]);
		}
		out_clear(&o);
		if (mode == MODE_TRUNCATE_THEN_CLOSE) {
			client_close(cl);
			return;
		}
		memmove(cl->buf, cl->buf + 2 + need, cl->have - 2 - need);
		cl->have -= 2 + need;
	}
}

static void on_accept(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	size_t i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i].fd < 0) {
			clients[i].fd = fd;
			clients[i].have = 0;
			return;
		}
	}
	close(fd);
}

static int bind_one(int type, uint16_t port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return 0;
	return ntohs(sin.sin_port);
}

/* UDP and TCP on one port; with port 0, retry until both get the same. */
static int bind_both(uint16_t port, int *udp, int *tcp)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		*udp = bind_one(SOCK_DGRAM, port);
		if (*udp < 0)
			return -1;
		*tcp = bind_one(SOCK_STREAM, bound_port(*udp));
		if (*tcp >= 0)
			return 0;
		close(*udp);
		if (port != 0)
			return -1;
	}
	return -1;
}

static int write_ready(const char *path, uint16_t port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%u\n", (unsigned)port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static void serve(int udp, int tcp)
{
	struct pollfd pfd[2 + MAX_CLIENTS];
	struct client *who[2 + MAX_CLIENTS];
	nfds_t n;
	size_t i;
	int timeout;

	for (;;) {
		pfd[0].fd = udp;
		pfd[0].events = POLLIN;
		pfd[1].fd = tcp;
		pfd[1].events = POLLIN;
		n = 2;
		for (i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i].fd < 0)
				continue;
			pfd[n].fd = clients[i].fd;
			pfd[n].events = POLLIN;
			who[n++] = &clients[i];
		}
		timeout = npending > 0 ? 10 : -1;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			return;
		if (pfd[0].revents & POLLIN)
			on_udp(udp);
		if (pfd[1].revents & POLLIN)
			on_accept(tcp);
		for (i = 2; i < n; i++)
			if (pfd[i].revents != 0)
				on_client(who[i]);
		flush_pending(udp);
	}
}

static int parse_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			mode = (enum mode)i;
			return 0;
		}
	}
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: fakedns --port P --mode MODE [--ready-file F]\nmodes:");
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		fprintf(stderr, " %s", mode_names[i]);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *ready = NULL, *mode_arg = NULL;
	char *end;
	long port = -1;
	int i, udp, tcp;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port") == 0) {
			errno = 0;
			port = strtol(argv[i + 1], &end, 10);
			if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
				return usage();
		} else if (strcmp(argv[i], "--mode") == 0) {
			mode_arg = argv[i + 1];
		} else if (strcmp(argv[i], "--ready-file") == 0) {
			ready = argv[i + 1];
		} else {
			return usage();
		}
	}
	if (i != argc || port < 0 || mode_arg == NULL || parse_mode(mode_arg) < 0)
		return usage();
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	if (bind_both((uint16_t)port, &udp, &tcp) < 0) {
		fprintf(stderr, "fakedns: cannot bind 127.0.0.1:%ld: %s\n", port, strerror(errno));
		return 1;
	}
	if (ready != NULL && write_ready(ready, bound_port(udp)) < 0) {
		fprintf(stderr, "fakedns: cannot write %s: %s\n", ready, strerror(errno));
		return 1;
	}
	serve(udp, tcp);
	return 1;
}
