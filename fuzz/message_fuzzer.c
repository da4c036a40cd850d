/*
 * message_fuzzer.c -- libFuzzer target for the message and header path of
 * lib/dkimcheck: the input is a whole .eml (any bytes: an mbox "From "
 * line, LF or CRLF, folded or broken DKIM-Signature fields, no body).
 *
 * Each input is verified twice, through both public entry points:
 *  - dkimcheck_verify_file() on an fmemopen() stream (one read), and
 *  - dkimcheck_verify_fd() on a SOCK_SEQPACKET socket the input was written
 *    to in pieces (each read() returns one piece, so the streaming scanner
 *    sees chunk boundaries at 1..6 bytes and then every few dozen bytes,
 *    at most 8 pieces: inside the "From " line, inside field names, across
 *    CRLF), or on a memfd for inputs too big for the socket buffer.
 * Both outcomes must be well formed and identical: how the bytes arrive
 * must not change a verdict.
 *
 * Keys come from a stub callback that picks its answer by the requested
 * name, so the dictionary can steer the fuzzer to every branch:
 * "rsa2048._domainkey.dkim-mail.example" is a valid RSA-2048 record, a
 * selector starting "temp" or a domain ending ".invalid" is TEMPFAIL, one
 * starting "err" is ERROR, anything else is NOT FOUND.
 *
 * Built with -fsanitize=fuzzer by fuzz/CMakeLists.txt, and with
 * fuzz/standalone.c by tests/CMakeLists.txt to replay the corpus under ctest.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dkimcheck/dkimcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bigger than run.sh's -max_len and the seeds; the library streams any size. */
#define FUZZ_INPUT_MAX (256u * 1024u)
/* Up to this size the fd path uses the packet socket (its buffer is ~200 KiB
 * including per-packet overhead); above it, a memfd. */
#define SOCKET_INPUT_MAX (16u * 1024u)
/* Packets queued on the socket before it is read: under any qlen limit. */
#define MAX_PACKETS 8u

#define KEY_NAME "rsa2048._domainkey.dkim-mail.example"
/* testdata/zones/dkim-mail.example.zone, rsa2048._domainkey (the key of the
 * signed fixtures of testdata/mail/). */
static const char key_record[] =
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhNrT8fey6g"
    "CkFw6CG4gftTqD81t+pnkU1azcsPyMwRF11n9x0yxJpvTxQ80A9IIinYmGc1TIn0kvmT98mh"
    "6fk7Cvc6UvnLTdul2VQJJqgkP0QDdAdFdE2zqun5zb0RW5d4DVNv9KjXPPLWsEUzOhvyhJaF"
    "KfqlabkPM/kmgMWSqrRQ/qvG+CdBw2eVSMIiSHL4UbT66hxgDWG0B08LgOygLDPJuWFVD5iw"
    "aTMGxKLJhy4jayafImBiwfXqnTiOAfexdUjZzm7lp6RbbiOiXNYdLcW4WcOJUr/rtybhF68L"
    "6SiqN6H2zql4Uq2skR7Abmv/ak1blb93lDViQBhhxSyQIDAQAB";

static int ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static dkimcheck_key_result stub_lookup(void *payload, const char *name, char *buf, size_t buflen,
                                        char *origin, size_t originlen)
{
	(void)payload;
	if (strcmp(name, KEY_NAME) == 0) {
		snprintf(buf, buflen, "%s", key_record);
		snprintf(origin, originlen, "fuzz:found");
		return DKIMCHECK_KEY_FOUND;
	}
	if (strncmp(name, "temp", 4) == 0 || ends_with(name, ".invalid")) {
		snprintf(origin, originlen, "fuzz:timeout");
		return DKIMCHECK_KEY_TEMPFAIL;
	}
	if (strncmp(name, "err", 3) == 0) {
		snprintf(origin, originlen, "fuzz:error");
		return DKIMCHECK_KEY_ERROR;
	}
	snprintf(origin, originlen, "fuzz:nxdomain");
	return DKIMCHECK_KEY_NOTFOUND;
}

static int has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int token_is(const char *detail, const char *token)
{
	size_t n = strlen(token);

	return strncmp(detail, token, n) == 0 && (detail[n] == '\0' || detail[n] == ':');
}

static const char *const tokens[] = {"ok",
                                     "body-hash-mismatch",
                                     "signature-mismatch",
                                     "key-not-found",
                                     "key-revoked",
                                     "key-too-short",
                                     "sha1-forbidden",
                                     "expired",
                                     "unsupported-algorithm",
                                     "syntax",
                                     "testing",
                                     "body-length-limit",
                                     "dns-error",
                                     "unreadable"};

/* The documented shape of an outcome; abort() on any breach. */
static void check_message(const dkimcheck_message *m)
{
	size_t i, j, n = dkimcheck_message_count(m);
	dkimcheck_result_code mr = dkimcheck_message_result(m);

	if (dkimcheck_message_detail(m) == NULL)
		abort();
	if (mr != DKIMCHECK_NONE && mr != DKIMCHECK_PERMERROR && mr != DKIMCHECK_PASS)
		abort();
	if ((mr == DKIMCHECK_PASS) != (n > 0))
		abort();
	if (dkimcheck_message_signature(m, n) != NULL)
		abort();
	for (i = 0; i < n; i++) {
		const dkimcheck_signature *s = dkimcheck_message_signature(m, i);
		const char *detail, *alg;
		dkimcheck_result_code r;

		if (s == NULL)
			abort();
		detail = dkimcheck_signature_detail(s);
		alg = dkimcheck_signature_algorithm(s);
		r = dkimcheck_signature_result(s);
		if (detail == NULL || alg == NULL || dkimcheck_signature_key_record(s) == NULL ||
		    dkimcheck_signature_key_origin(s) == NULL)
			abort();
		if (has_control(dkimcheck_signature_domain(s)) ||
		    has_control(dkimcheck_signature_selector(s)))
			abort();
		if (strcmp(alg, "rsa-sha256") != 0 && strcmp(alg, "rsa-sha1") != 0 &&
		    strcmp(alg, "ed25519-sha256") != 0 && strcmp(alg, "unknown") != 0)
			abort();
		if (r <= DKIMCHECK_NONE || r > DKIMCHECK_PERMERROR)
			abort();
		for (j = 0; j < sizeof(tokens) / sizeof(tokens[0]); j++)
			if (token_is(detail, tokens[j]))
				break;
		if (j == sizeof(tokens) / sizeof(tokens[0]))
			abort();
		/* Only our one key can make a signature pass. */
		if (r == DKIMCHECK_PASS &&
		    strcmp(dkimcheck_signature_key_record(s), key_record) != 0)
			abort();
		if (dkimcheck_signature_unsigned_bytes(s) != 0 &&
		    !token_is(detail, "body-length-limit"))
			abort();
		(void)dkimcheck_result_name(r);
		(void)dkimcheck_signature_key_bits(s);
	}
	(void)dkimcheck_message_multiple_from(m);
	(void)dkimcheck_message_missing_from(m);
}

static int same_str(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* How the bytes arrived must not change the outcome. */
static void check_same(const dkimcheck_message *a, const dkimcheck_message *b)
{
	size_t i, n = dkimcheck_message_count(a);

	if (n != dkimcheck_message_count(b) ||
	    dkimcheck_message_result(a) != dkimcheck_message_result(b) ||
	    !same_str(dkimcheck_message_detail(a), dkimcheck_message_detail(b)) ||
	    dkimcheck_message_multiple_from(a) != dkimcheck_message_multiple_from(b) ||
	    dkimcheck_message_missing_from(a) != dkimcheck_message_missing_from(b))
		abort();
	for (i = 0; i < n; i++) {
		const dkimcheck_signature *x = dkimcheck_message_signature(a, i);
		const dkimcheck_signature *y = dkimcheck_message_signature(b, i);

		if (dkimcheck_signature_result(x) != dkimcheck_signature_result(y) ||
		    !same_str(dkimcheck_signature_detail(x), dkimcheck_signature_detail(y)) ||
		    !same_str(dkimcheck_signature_domain(x), dkimcheck_signature_domain(y)) ||
		    !same_str(dkimcheck_signature_selector(x), dkimcheck_signature_selector(y)) ||
		    !same_str(dkimcheck_signature_algorithm(x), dkimcheck_signature_algorithm(y)) ||
		    dkimcheck_signature_key_bits(x) != dkimcheck_signature_key_bits(y) ||
		    dkimcheck_signature_unsigned_bytes(x) != dkimcheck_signature_unsigned_bytes(y))
			abort();
	}
}

/* The input as a stream read in one go (from a copy: fmemopen wants a
 * writable buffer, and refuses size 0, so there is one spare byte). */
static dkimcheck_message *verify_stdio(dkimcheck_verifier *v, const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	dkimcheck_message *m = NULL;
	FILE *f;

	if (copy == NULL)
		abort();
	if (size > 0)
		memcpy(copy, data, size);
	if ((f = fmemopen(copy, size > 0 ? size : 1, "rb")) == NULL)
		abort();
	if (size == 0)
		(void)fgetc(f); /* consume the spare byte: an empty stream */
	if (dkimcheck_verify_file(v, f, &m) != DKIMCHECK_OK || m == NULL)
		abort();
	fclose(f);
	free(copy);
	return m;
}

/* The input as a descriptor: packets of varying size, or a memfd. */
static dkimcheck_message *verify_fd(dkimcheck_verifier *v, const uint8_t *data, size_t size)
{
	dkimcheck_message *m = NULL;
	int sv[2], fd;

	if (size <= SOCKET_INPUT_MAX) {
		size_t off = 0, piece = 1 + size % 6, step = 17 + size % 53;

		/* net.unix.max_dgram_qlen may be as low as 10 packets. */
		if (step < size / (MAX_PACKETS - 1) + 1)
			step = size / (MAX_PACKETS - 1) + 1;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
			abort();
		while (off < size) {
			if (piece > size - off)
				piece = size - off;
			if (write(sv[0], data + off, piece) != (ssize_t)piece)
				abort();
			off += piece;
			piece = step;
		}
		close(sv[0]);
		fd = sv[1];
	} else {
		fd = memfd_create("message_fuzzer", 0);
		if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
			abort();
	}
	if (dkimcheck_verify_fd(v, fd, &m) != DKIMCHECK_OK || m == NULL)
		abort();
	close(fd);
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dkimcheck_lib *lib;
	static dkimcheck_verifier *v;
	dkimcheck_message *a, *b;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	if (lib == NULL) {
		if (dkimcheck_lib_new(&lib) != DKIMCHECK_OK ||
		    dkimcheck_verifier_new(&v, lib, stub_lookup, NULL) != DKIMCHECK_OK)
			abort();
	}
	a = verify_stdio(v, data, size);
	b = verify_fd(v, data, size);
	check_message(a);
	check_message(b);
	check_same(a, b);
	dkimcheck_message_free(a);
	dkimcheck_message_free(b);
	return 0;
}
