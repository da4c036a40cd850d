/*
 * test_live.c -- the live DNS backend (live.c) against real servers on
 * loopback: NSD (the suite's `nsd` ctest fixture, serving testdata/zones)
 * for correct behaviour, and tests/tools/fakedns for broken and hostile
 * behaviour. An integration test in unit-test clothing (label: integration).
 *
 * fakedns is started per test with fork/exec on a kernel-chosen port and
 * killed in the teardown, which cmocka runs even when the test fails; the
 * child also gets SIGTERM if this process dies (PR_SET_PDEATHSIG).
 *
 * Timing bounds are generous (loopback answers take well under 10 ms), so
 * the tests stay stable on a loaded machine while still catching a call
 * that waits for the wrong timer.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "source_internal.h"

#ifndef MAILAUDIT_NSD_STATE
#define MAILAUDIT_NSD_STATE "nsd-state"
#endif
#ifndef MAILAUDIT_FAKEDNS
#define MAILAUDIT_FAKEDNS "fakedns"
#endif
#ifndef MAILAUDIT_TEST_TMPDIR
#define MAILAUDIT_TEST_TMPDIR "."
#endif

#define ZONE      "live-test.example."
#define SLACK_MS  400
#define FAR_MS    30000
#define MANY      100
#define BIG_COUNT 6
#define BIG_LEN   250

/* One fakedns child per test; the mode comes in as the test's prestate. */
struct fake {
	const char *mode;
	pid_t pid;
	char spec[32];
};

/* ---- helpers ---- */

static const char *nsd_state_dir(void)
{
	const char *env = getenv("MAILAUDIT_NSD_STATE");

	return env != NULL && *env != '\0' ? env : MAILAUDIT_NSD_STATE;
}

/* "127.0.0.1:PORT" of the NSD fixture, from STATE_DIR/port. */
static const char *nsd_spec(void)
{
	static char spec[32];
	char path[4096];
	unsigned port = 0;
	FILE *f;

	if (spec[0] != '\0')
		return spec;
	snprintf(path, sizeof(path), "%s/port", nsd_state_dir());
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("no NSD fixture: cannot read %s (run through ctest, which starts "
		         "the nsd fixture, or set MAILAUDIT_NSD_STATE)",
		         path);
	if (fscanf(f, "%u", &port) != 1 || port == 0 || port > 65535) {
		fclose(f);
		fail_msg("bad port in %s", path);
	}
	fclose(f);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	return spec;
}

/* A UDP port on loopback that nothing listens on (bound, then released). */
static unsigned closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static int fake_setup(void **state)
{
	struct fake *fk = *state;
	char ready[4096];
	unsigned port = 0;
	FILE *f;
	int i;

	snprintf(ready, sizeof(ready), "%s/fakedns-%ld-%s.ready", MAILAUDIT_TEST_TMPDIR,
	         (long)getpid(), fk->mode);
	unlink(ready);
	fk->pid = fork();
	if (fk->pid < 0)
		return -1;
	if (fk->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(MAILAUDIT_FAKEDNS, MAILAUDIT_FAKEDNS, "--port", "0", "--mode", fk->mode,
		      "--ready-file", ready, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		f = fopen(ready, "r");
		if (f != NULL) {
			if (fscanf(f, "%u", &port) != 1)
				port = 0;
			fclose(f);
			break;
		}
		if (waitpid(fk->pid, NULL, WNOHANG) == fk->pid) {
			fk->pid = -1;
			break;
		}
		usleep(10000);
	}
	unlink(ready);
	if (port == 0) {
		print_error("fakedns --mode %s did not start (%s)\n", fk->mode, MAILAUDIT_FAKEDNS);
		return -1;
	}
	snprintf(fk->spec, sizeof(fk->spec), "127.0.0.1:%u", port);
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *fk = *state;

	if (fk->pid > 0) {
		kill(fk->pid, SIGTERM);
		waitpid(fk->pid, NULL, 0);
		fk->pid = -1;
	}
	return 0;
}

static struct dnsaudit__live *live_new(const char *const *specs, size_t n, unsigned timeout_ms,
                                       unsigned retries)
{
	struct dnsaudit__live *live = NULL;
	dnsaudit_error err = {0, ""};

	if (dnsaudit__live_new(&live, specs, n, 0, timeout_ms, retries, 0, &err) != 0)
		fail_msg("dnsaudit__live_new: %s", err.message);
	return live;
}

/*
 * Resolve one name/type against specs and return the answer (free it);
 * deadline_ms is relative (0: far away). Elapsed time and stats go out.
 */
static struct dnsaudit_answer *resolve_one(const char *const *specs, size_t n, unsigned timeout_ms,
                                           unsigned retries, uint64_t deadline_ms, const char *name,
                                           ldns_rr_type type, dnsaudit__live_stats *stats,
                                           uint64_t *elapsed)
{
	struct dnsaudit__live *live = live_new(specs, n, timeout_ms, retries);
	ldns_rdf *qname = ldns_dname_new_frm_str(name);
	struct dnsaudit__live_query q;
	uint64_t start;

	assert_non_null(qname);
	q.qname = qname;
	q.qtype = type;
	q.out = dnsaudit__answer_new(qname, type);
	assert_non_null(q.out);
	stats->packets = stats->answers = 0;
	start = dnsaudit__now_ms();
	assert_int_equal(dnsaudit__live_resolve(
	                     live, &q, 1, start + (deadline_ms != 0 ? deadline_ms : FAR_MS), stats),
	                 0);
	*elapsed = dnsaudit__now_ms() - start;
	ldns_rdf_deep_free(qname);
	dnsaudit__live_free(live);
	return q.out;
}

static struct dnsaudit_answer *ask(const char *spec, const char *name, ldns_rr_type type,
                                   dnsaudit__live_stats *stats)
{
	const char *specs[1] = {spec};
	uint64_t elapsed;

	return resolve_one(specs, 1, 2000, 2, 0, name, type, stats, &elapsed);
}

/* Record i's TXT strings joined, NUL-terminated, in buf. */
static const char *txt_of(const struct dnsaudit_answer *a, size_t i, char *buf, size_t size)
{
	size_t j, len, used = 0;
	const unsigned char *s;

	buf[0] = '\0';
	for (j = 0; j < dnsaudit_answer_txt_count(a, i); j++) {
		s = dnsaudit_answer_txt_string(a, i, j, &len);
		assert_true(used + len < size);
		memcpy(buf + used, s, len);
		used += len;
		buf[used] = '\0';
	}
	return buf;
}

static void assert_owner(const ldns_rr *rr, const char *name)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr));

	assert_non_null(owner);
	assert_string_equal(owner, name);
	free(owner);
}

/* ---- NSD: correct answers ---- */

static void nsd_ok_txt(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), ZONE, LDNS_RR_TYPE_TXT, &st);
	char buf[64];

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_int_equal(a->rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(dnsaudit_answer_count(a), 1);
	assert_string_equal(txt_of(a, 0, buf, sizeof(buf)), "v=spf1 -all");
	assert_string_equal(a->transport, "udp");
	assert_string_equal(a->origin, nsd_spec());
	assert_int_equal(a->ad, 0);
	assert_null(a->detail);
	assert_int_equal(st.packets, 1);
	assert_int_equal(st.answers, 1);
	dnsaudit__answer_free(a);
}

static void nsd_ok_a_rrset(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "www." ZONE, LDNS_RR_TYPE_A, &st);

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_int_equal(dnsaudit_answer_count(a), 2);
	assert_int_equal(dnsaudit_answer_cname_count(a), 0);
	dnsaudit__answer_free(a);
}

static void nsd_nxdomain(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "nope." ZONE, LDNS_RR_TYPE_A, &st);

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_NXDOMAIN);
	assert_int_equal(a->rcode, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(dnsaudit_answer_count(a), 0);
	assert_int_equal(st.answers, 1);
	dnsaudit__answer_free(a);
}

static void nsd_nodata(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "www." ZONE, LDNS_RR_TYPE_TXT, &st);

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_NODATA);
	assert_int_equal(a->rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(dnsaudit_answer_count(a), 0);
	dnsaudit__answer_free(a);
}

static void nsd_cname_chain(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "alias1." ZONE, LDNS_RR_TYPE_A, &st);
	char *target;
	size_t i;

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_int_equal(dnsaudit_answer_cname_count(a), 2);
	target = dnsaudit_answer_cname_target(a, 0);
	assert_string_equal(target, "alias2." ZONE);
	free(target);
	target = dnsaudit_answer_cname_target(a, 1);
	assert_string_equal(target, "www." ZONE);
	free(target);
	assert_int_equal(dnsaudit_answer_count(a), 2);
	for (i = 0; i < 2; i++)
		assert_owner(ldns_rr_list_rr(a->rrs, i), "www." ZONE);
	dnsaudit__answer_free(a);
}

static void nsd_cname_asked_directly(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "alias1." ZONE, LDNS_RR_TYPE_CNAME, &st);

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_int_equal(dnsaudit_answer_count(a), 1);
	assert_int_equal(dnsaudit_answer_cname_count(a), 0);
	dnsaudit__answer_free(a);
}

static void nsd_cname_loop_is_servfail(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "loop1." ZONE, LDNS_RR_TYPE_A, &st);

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_SERVFAIL);
	assert_int_equal(dnsaudit_answer_count(a), 0);
	assert_int_equal(dnsaudit_answer_cname_count(a), 0);
	assert_non_null(strstr(dnsaudit_answer_detail(a), "CNAME chain"));
	dnsaudit__answer_free(a);
}

static void nsd_big_txt_falls_back_to_tcp(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "big." ZONE, LDNS_RR_TYPE_TXT, &st);
	char got[BIG_LEN + 1], want[BIG_LEN + 1];
	int seen[BIG_COUNT] = {0};
	size_t i, k;

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_string_equal(a->transport, "tcp");
	assert_int_equal(dnsaudit_answer_count(a), BIG_COUNT);
	for (i = 0; i < BIG_COUNT; i++) {
		txt_of(a, i, got, sizeof(got));
		assert_int_equal(strlen(got), BIG_LEN);
		/* "bigN-" then "abcdefghij" repeated, cut at BIG_LEN octets. */
		assert_true(got[3] >= '0' && got[3] < '0' + BIG_COUNT);
		snprintf(want, sizeof(want), "big%c-", got[3]);
		for (k = 5; k < BIG_LEN; k++)
			want[k] = (char)('a' + (k - 5) % 10);
		want[BIG_LEN] = '\0';
		assert_string_equal(got, want);
		seen[got[3] - '0']++;
	}
	for (i = 0; i < BIG_COUNT; i++)
		assert_int_equal(seen[i], 1);
	/* One UDP datagram (TC), one TCP query. */
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.answers, 1);
	dnsaudit__answer_free(a);
}

static void nsd_zone_without_soa(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "live-nosoa.example.", LDNS_RR_TYPE_TXT, &st);
	char buf[64];

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_string_equal(txt_of(a, 0, buf, sizeof(buf)), "no soa here");
	dnsaudit__answer_free(a);
}

static void nsd_refused_outside_its_zones(void **state)
{
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(nsd_spec(), "not-served.invalid.", LDNS_RR_TYPE_TXT, &st);

	(void)state;
	assert_int_equal(a->status, DNSAUDIT_DNS_REFUSED);
	assert_int_equal(a->rcode, LDNS_RCODE_REFUSED);
	assert_string_equal(a->origin, nsd_spec());
	dnsaudit__answer_free(a);
}

/* Queries for n0..n{count-1}.many, alternating TXT (a wildcard) and A (NODATA). */
static void run_many(const char *spec, size_t count, unsigned timeout_ms, unsigned retries,
                     uint64_t deadline_ms, struct dnsaudit__live_query *qs, ldns_rdf **names,
                     dnsaudit__live_stats *st, uint64_t *elapsed)
{
	const char *specs[1] = {spec};
	struct dnsaudit__live *live = live_new(specs, 1, timeout_ms, retries);
	char name[64];
	uint64_t start;
	size_t i;

	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "n%zu.many." ZONE, i);
		names[i] = ldns_dname_new_frm_str(name);
		assert_non_null(names[i]);
		qs[i].qname = names[i];
		qs[i].qtype = i % 2 == 0 ? LDNS_RR_TYPE_TXT : LDNS_RR_TYPE_A;
		qs[i].out = dnsaudit__answer_new(names[i], qs[i].qtype);
		assert_non_null(qs[i].out);
	}
	st->packets = st->answers = 0;
	start = dnsaudit__now_ms();
	assert_int_equal(dnsaudit__live_resolve(live, qs, count, start + deadline_ms, st), 0);
	*elapsed = dnsaudit__now_ms() - start;
	dnsaudit__live_free(live);
}

static void free_many(struct dnsaudit__live_query *qs, ldns_rdf **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		dnsaudit__answer_free(qs[i].out);
		ldns_rdf_deep_free(names[i]);
	}
}

static void nsd_many_queries_in_one_call(void **state)
{
	struct dnsaudit__live_query qs[MANY];
	ldns_rdf *names[MANY];
	dnsaudit__live_stats st, one;
	uint64_t elapsed, elapsed_one;
	struct dnsaudit_answer *a;
	char buf[16];
	size_t i;

	(void)state;
	a = resolve_one((const char *[]){nsd_spec()}, 1, 2000, 2, 0, ZONE, LDNS_RR_TYPE_TXT, &one,
	                &elapsed_one);
	dnsaudit__answer_free(a);
	run_many(nsd_spec(), MANY, 2000, 2, FAR_MS, qs, names, &st, &elapsed);
	for (i = 0; i < MANY; i++) {
		a = qs[i].out;
		if (i % 2 == 0) {
			assert_int_equal(a->status, DNSAUDIT_DNS_OK);
			assert_string_equal(txt_of(a, 0, buf, sizeof(buf)), "many");
			assert_owner(ldns_rr_list_rr(a->rrs, 0), a->qname);
		} else {
			assert_int_equal(a->status, DNSAUDIT_DNS_NODATA);
		}
	}
	assert_int_equal(st.answers, MANY);
	assert_int_equal(st.packets, MANY);
	/* All in flight together: far below 100 sequential round trips' worth of timeouts. */
	assert_true(elapsed < 1000);
	print_message("resolve(): 1 query %llu ms (%lu packets); %d queries %llu ms (%lu packets, "
	              "%.2f per query)\n",
	              (unsigned long long)elapsed_one, one.packets, MANY,
	              (unsigned long long)elapsed, st.packets, (double)st.packets / MANY);
	free_many(qs, names, MANY);
}

/* ---- fakedns: broken and hostile servers ---- */

static void blackhole_times_out(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a =
	    resolve_one(specs, 1, 200, 2, 0, "x.example.", LDNS_RR_TYPE_TXT, &st, &elapsed);
	char want[96];

	assert_int_equal(a->status, DNSAUDIT_DNS_TIMEOUT);
	assert_int_equal(a->rcode, -1);
	assert_int_equal(st.packets, 3);
	assert_int_equal(st.answers, 0);
	assert_true(elapsed >= 3 * 200 - 5);
	assert_true(elapsed < 3 * 200 + SLACK_MS);
	snprintf(want, sizeof(want), "no response from %s after 3 attempts", fk->spec);
	assert_string_equal(dnsaudit_answer_detail(a), want);
	dnsaudit__answer_free(a);
}

static void blackhole_deadline_bounds_the_call(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a =
	    resolve_one(specs, 1, 1000, 5, 300, "x.example.", LDNS_RR_TYPE_TXT, &st, &elapsed);

	assert_int_equal(a->status, DNSAUDIT_DNS_TIMEOUT);
	assert_true(elapsed >= 295);
	assert_true(elapsed < 300 + SLACK_MS);
	assert_int_equal(st.packets, 1);
	assert_non_null(strstr(dnsaudit_answer_detail(a), "before the deadline"));
	dnsaudit__answer_free(a);
}

static void deadline_in_the_past_sends_nothing(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	struct dnsaudit__live *live = live_new(specs, 1, 200, 2);
	ldns_rdf *qname = ldns_dname_new_frm_str("x.example.");
	struct dnsaudit__live_query q = {qname, LDNS_RR_TYPE_A, NULL};
	dnsaudit__live_stats st = {0, 0};

	q.out = dnsaudit__answer_new(qname, LDNS_RR_TYPE_A);
	assert_non_null(q.out);
	assert_int_equal(dnsaudit__live_resolve(live, &q, 1, dnsaudit__now_ms() - 1, &st), 0);
	assert_int_equal(q.out->status, DNSAUDIT_DNS_TIMEOUT);
	assert_int_equal(st.packets, 0);
	dnsaudit__answer_free(q.out);
	ldns_rdf_deep_free(qname);
	dnsaudit__live_free(live);
}

/* 100 queries > 64 in flight: the queued ones start as slots free up. */
static void blackhole_queue_beyond_inflight_limit(void **state)
{
	struct fake *fk = *state;
	struct dnsaudit__live_query qs[MANY];
	ldns_rdf *names[MANY];
	dnsaudit__live_stats st;
	uint64_t elapsed;
	size_t i;

	run_many(fk->spec, MANY, 200, 0, FAR_MS, qs, names, &st, &elapsed);
	for (i = 0; i < MANY; i++)
		assert_int_equal(qs[i].out->status, DNSAUDIT_DNS_TIMEOUT);
	assert_int_equal(st.packets, MANY);
	/* Two waves of 200 ms, not one and not a hundred. */
	assert_true(elapsed >= 2 * 200 - 5);
	assert_true(elapsed < 2 * 200 + SLACK_MS);
	free_many(qs, names, MANY);
}

static void servfail_is_servfail(void **state)
{
	struct fake *fk = *state;
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(fk->spec, "x.example.", LDNS_RR_TYPE_TXT, &st);

	assert_int_equal(a->status, DNSAUDIT_DNS_SERVFAIL);
	assert_int_equal(a->rcode, LDNS_RCODE_SERVFAIL);
	assert_non_null(strstr(dnsaudit_answer_detail(a), "SERVFAIL"));
	assert_string_equal(a->origin, fk->spec);
	/* One server: asking it again would not help. */
	assert_int_equal(st.packets, 1);
	assert_int_equal(st.answers, 1);
	dnsaudit__answer_free(a);
}

static void refused_is_refused(void **state)
{
	struct fake *fk = *state;
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(fk->spec, "x.example.", LDNS_RR_TYPE_TXT, &st);

	assert_int_equal(a->status, DNSAUDIT_DNS_REFUSED);
	assert_int_equal(a->rcode, LDNS_RCODE_REFUSED);
	assert_int_equal(st.packets, 1);
	dnsaudit__answer_free(a);
}

/* garbage, wrong-id, wrong-question: every reply is dropped; we wait on. */
static void junk_is_ignored(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a;
	int round;

	/* garbage answers random sizes: a few rounds for coverage. */
	for (round = 0; round < 5; round++) {
		a = resolve_one(specs, 1, 150, 1, 0, "x.example.", LDNS_RR_TYPE_TXT, &st, &elapsed);
		assert_int_equal(a->status, DNSAUDIT_DNS_TIMEOUT);
		assert_int_equal(dnsaudit_answer_count(a), 0);
		assert_int_equal(st.answers, 0);
		assert_int_equal(st.packets, 2);
		assert_true(elapsed >= 2 * 150 - 5);
		dnsaudit__answer_free(a);
	}
}

static void garbage_is_ignored(void **state)
{
	junk_is_ignored(state);
}

static void wrong_id_is_ignored(void **state)
{
	junk_is_ignored(state);
}

static void wrong_question_is_ignored(void **state)
{
	junk_is_ignored(state);
}

static void stuffed_answer_keeps_only_the_right_records(void **state)
{
	struct fake *fk = *state;
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(fk->spec, "mail.victim.example.", LDNS_RR_TYPE_TXT, &st);
	char buf[64], *rdata;

	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_int_equal(dnsaudit_answer_count(a), 1);
	assert_int_equal(dnsaudit_answer_cname_count(a), 0);
	assert_owner(ldns_rr_list_rr(a->rrs, 0), "mail.victim.example.");
	assert_string_equal(txt_of(a, 0, buf, sizeof(buf)), "fakedns answer");
	dnsaudit__answer_free(a);

	a = ask(fk->spec, "mail.victim.example.", LDNS_RR_TYPE_A, &st);
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_int_equal(dnsaudit_answer_count(a), 1);
	rdata = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(a->rrs, 0), 0));
	assert_string_equal(rdata, "192.0.2.1");
	free(rdata);
	dnsaudit__answer_free(a);
}

static void truncated_udp_retried_over_tcp(void **state)
{
	struct fake *fk = *state;
	dnsaudit__live_stats st;
	struct dnsaudit_answer *a = ask(fk->spec, "x.example.", LDNS_RR_TYPE_TXT, &st);
	char buf[64];

	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_string_equal(a->transport, "tcp");
	assert_int_equal(dnsaudit_answer_count(a), 1);
	assert_int_equal(dnsaudit_answer_txt_count(a, 0), 2);
	assert_string_equal(txt_of(a, 0, buf, sizeof(buf)), "over tcpsecond string");
	assert_int_equal(st.packets, 2);
	dnsaudit__answer_free(a);
}

/* TC over UDP, then the TCP connection closes unanswered: a network error. */
static void tcp_closed_is_neterror(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a =
	    resolve_one(specs, 1, 2000, 1, 0, "x.example.", LDNS_RR_TYPE_TXT, &st, &elapsed);
	char want[96];

	assert_int_equal(a->status, DNSAUDIT_DNS_NETERROR);
	assert_string_equal(a->transport, "tcp");
	snprintf(want, sizeof(want), "%s over tcp: connection closed", fk->spec);
	assert_non_null(strstr(dnsaudit_answer_detail(a), want));
	/* Two attempts, each a UDP datagram and a TCP query. */
	assert_int_equal(st.packets, 4);
	assert_int_equal(st.answers, 0);
	assert_true(elapsed < SLACK_MS);
	dnsaudit__answer_free(a);
}

/* TC over UDP, then TCP never answers: the TCP phase times out too. */
static void tcp_hang_times_out(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a =
	    resolve_one(specs, 1, 200, 1, 0, "x.example.", LDNS_RR_TYPE_TXT, &st, &elapsed);
	char want[96];

	assert_int_equal(a->status, DNSAUDIT_DNS_TIMEOUT);
	assert_string_equal(a->transport, "tcp");
	snprintf(want, sizeof(want), "no response from %s over tcp after 2 attempts", fk->spec);
	assert_string_equal(dnsaudit_answer_detail(a), want);
	assert_int_equal(st.packets, 4);
	assert_true(elapsed >= 2 * 200 - 5 && elapsed < 2 * 200 + SLACK_MS);
	dnsaudit__answer_free(a);
}

static void slow_server_answers_within_timeout(void **state)
{
	struct fake *fk = *state;
	const char *specs[1] = {fk->spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a;

	a = resolve_one(specs, 1, 3000, 0, 0, "x.example.", LDNS_RR_TYPE_A, &st, &elapsed);
	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_true(elapsed >= 1400);
	assert_true(elapsed < 1500 + SLACK_MS);
	dnsaudit__answer_free(a);

	a = resolve_one(specs, 1, 300, 0, 0, "x.example.", LDNS_RR_TYPE_A, &st, &elapsed);
	assert_int_equal(a->status, DNSAUDIT_DNS_TIMEOUT);
	assert_true(elapsed < 300 + SLACK_MS);
	dnsaudit__answer_free(a);
}

static void closed_port_is_neterror_quickly(void **state)
{
	char spec[32];
	const char *specs[1] = {spec};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a;

	(void)state;
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", closed_port());
	a = resolve_one(specs, 1, 2000, 2, 0, "x.example.", LDNS_RR_TYPE_A, &st, &elapsed);
	assert_int_equal(a->status, DNSAUDIT_DNS_NETERROR);
	assert_non_null(strstr(dnsaudit_answer_detail(a), "connection refused"));
	assert_non_null(strstr(dnsaudit_answer_detail(a), spec));
	assert_int_equal(st.packets, 3);
	assert_true(elapsed < 500);
	dnsaudit__answer_free(a);
}

/* The first server never answers; the retry goes to the second. */
static void rotation_past_a_blackhole(void **state)
{
	struct fake *fk = *state;
	const char *specs[2] = {fk->spec, nsd_spec()};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a =
	    resolve_one(specs, 2, 200, 2, 0, ZONE, LDNS_RR_TYPE_TXT, &st, &elapsed);

	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_string_equal(a->origin, nsd_spec());
	assert_int_equal(st.packets, 2);
	assert_true(elapsed >= 195 && elapsed < 200 + SLACK_MS);
	dnsaudit__answer_free(a);
}

/* REFUSED from the first server: the second is asked at once. */
static void rotation_past_a_refusal(void **state)
{
	struct fake *fk = *state;
	const char *specs[2] = {fk->spec, nsd_spec()};
	dnsaudit__live_stats st;
	uint64_t elapsed;
	struct dnsaudit_answer *a =
	    resolve_one(specs, 2, 2000, 2, 0, ZONE, LDNS_RR_TYPE_TXT, &st, &elapsed);

	assert_int_equal(a->status, DNSAUDIT_DNS_OK);
	assert_string_equal(a->origin, nsd_spec());
	assert_int_equal(st.packets, 2);
	assert_true(elapsed < SLACK_MS);
	dnsaudit__answer_free(a);

	/* Both refuse (the fixture serves no .invalid): the last refusal is reported. */
	a = resolve_one(specs, 2, 2000, 2, 0, "not-served.invalid.", LDNS_RR_TYPE_TXT, &st,
	                &elapsed);
	assert_int_equal(a->status, DNSAUDIT_DNS_REFUSED);
	assert_string_equal(a->origin, fk->spec);
	assert_int_equal(st.packets, 3);
	dnsaudit__answer_free(a);
}

/* ---- server specs ---- */

static void check_spec(const char *spec, const char *name)
{
	struct dnsaudit__live *live = NULL;
	dnsaudit_error err = {0, ""};
	const char *specs[1] = {spec};

	if (dnsaudit__live_new(&live, specs, 1, 0, 0, 2, 0, &err) != 0)
		fail_msg("spec \"%s\" rejected: %s", spec, err.message);
	assert_int_equal(dnsaudit__live_server_count(live), 1);
	assert_string_equal(dnsaudit__live_server_name(live, 0), name);
	assert_null(dnsaudit__live_server_name(live, 1));
	dnsaudit__live_free(live);
}

static void specs_good(void **state)
{
	(void)state;
	check_spec("127.0.0.1", "127.0.0.1:53");
	check_spec("192.0.2.1:5353", "192.0.2.1:5353");
	check_spec("10.0.0.1:65535", "10.0.0.1:65535");
	check_spec("[::1]:5353", "[::1]:5353");
	check_spec("[::1]", "[::1]:53");
	check_spec("::1", "[::1]:53");
	check_spec("2001:DB8::1", "[2001:db8::1]:53");
	check_spec("[2001:db8::53]:1", "[2001:db8::53]:1");
}

static void specs_bad(void **state)
{
	static const char *const bad[] = {"",
	                                  "localhost",
	                                  "127.0.0.1:0",
	                                  "127.0.0.1:65536",
	                                  "127.0.0.1:",
	                                  "127.0.0.1:53x",
	                                  "127.0.0.1:+53",
	                                  "127.0.0.1:-1",
	                                  "127.1",
	                                  "1.2.3.4.5",
	                                  "[::1",
	                                  "[::1]x",
	                                  "[::1]:",
	                                  "[::1]:0",
	                                  "[127.0.0.1]:53",
	                                  "::1::2",
	                                  " 127.0.0.1",
	                                  "127.0.0.1 ",
	                                  "0x7f.0.0.1",
	                                  "127.0.0.1:0053053",
	                                  "1.2.3.4:53:53"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dnsaudit__live *live = (struct dnsaudit__live *)&i;
		dnsaudit_error err = {0, ""};
		const char *specs[2] = {"127.0.0.1", bad[i]};

		if (dnsaudit__live_new(&live, specs, 2, 0, 0, 2, 0, &err) != DNSAUDIT_EINVAL)
			fail_msg("spec \"%s\" accepted", bad[i]);
		assert_null(live);
		assert_int_equal(err.code, DNSAUDIT_EINVAL);
		if (strstr(err.message, bad[i]) == NULL || strstr(err.message, "\"") == NULL)
			fail_msg("message for \"%s\" does not name it: %s", bad[i], err.message);
	}
}

static void no_servers(void **state)
{
	struct dnsaudit__live *live = NULL;
	dnsaudit_error err = {0, ""};
	int rc;

	(void)state;
	assert_int_equal(dnsaudit__live_new(&live, NULL, 0, 0, 0, 2, 0, &err), DNSAUDIT_EINVAL);
	assert_null(live);
	assert_non_null(strstr(err.message, "no resolver configured"));
	assert_int_equal(dnsaudit__live_new(&live, NULL, 0, 0, 0, 2, 70000, &err), DNSAUDIT_EINVAL);

	/* The system resolver: whatever this machine has, either works. */
	rc = dnsaudit__live_new(&live, NULL, 0, 1, 0, 2, 0, &err);
	if (rc == 0) {
		assert_true(dnsaudit__live_server_count(live) >= 1);
		assert_non_null(dnsaudit__live_server_name(live, 0));
	} else {
		assert_int_equal(rc, DNSAUDIT_EINVAL);
		assert_non_null(strstr(err.message, "no resolver configured"));
	}
	dnsaudit__live_free(live);
	dnsaudit__live_free(NULL);
}

#define FAKE(test, mode)                                                                           \
	cmocka_unit_test_prestate_setup_teardown(test, fake_setup, fake_teardown,                  \
	                                         (&(struct fake){mode, -1, ""}))

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(specs_good),
	    cmocka_unit_test(specs_bad),
	    cmocka_unit_test(no_servers),
	    cmocka_unit_test(nsd_ok_txt),
	    cmocka_unit_test(nsd_ok_a_rrset),
	    cmocka_unit_test(nsd_nxdomain),
	    cmocka_unit_test(nsd_nodata),
	    cmocka_unit_test(nsd_cname_chain),
	    cmocka_unit_test(nsd_cname_asked_directly),
	    cmocka_unit_test(nsd_cname_loop_is_servfail),
	    cmocka_unit_test(nsd_big_txt_falls_back_to_tcp),
	    cmocka_unit_test(nsd_zone_without_soa),
	    cmocka_unit_test(nsd_refused_outside_its_zones),
	    cmocka_unit_test(nsd_many_queries_in_one_call),
	    cmocka_unit_test(closed_port_is_neterror_quickly),
	    FAKE(blackhole_times_out, "blackhole"),
	    FAKE(blackhole_deadline_bounds_the_call, "blackhole"),
	    FAKE(deadline_in_the_past_sends_nothing, "blackhole"),
	    FAKE(blackhole_queue_beyond_inflight_limit, "blackhole"),
	    FAKE(rotation_past_a_blackhole, "blackhole"),
	    FAKE(servfail_is_servfail, "servfail"),
	    FAKE(refused_is_refused, "refused"),
	    FAKE(rotation_past_a_refusal, "refused"),
	    FAKE(garbage_is_ignored, "garbage"),
	    FAKE(wrong_id_is_ignored, "wrong-id"),
	    FAKE(wrong_question_is_ignored, "wrong-question"),
	    FAKE(stuffed_answer_keeps_only_the_right_records, "stuffed"),
	    FAKE(truncated_udp_retried_over_tcp, "truncate-then-tcp"),
	    FAKE(tcp_closed_is_neterror, "truncate-then-close"),
	    FAKE(tcp_hang_times_out, "truncate-then-hang"),
	    FAKE(slow_server_answers_within_timeout, "slow"),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
