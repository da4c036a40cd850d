/*
 * samples.c -- `check --eml`: verify each sample message with dkimcheck,
 * keys through a session on the audit's own DNS source, and hand the
 * results to the audit as plain data (dnsaudit stays free of dkimcheck).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int copy_signature(dnsaudit_sample_signature *d, const dkimcheck_signature *s)
{
	d->domain = dup_or_null(dkimcheck_signature_domain(s));
	d->selector = dup_or_null(dkimcheck_signature_selector(s));
	d->algorithm = dup_or_null(dkimcheck_signature_algorithm(s));
	d->key_bits = dkimcheck_signature_key_bits(s);
	d->result = dkimcheck_result_name(dkimcheck_signature_result(s));
	d->detail = dup_or_null(dkimcheck_signature_detail(s));
	d->key_record = dup_or_null(dkimcheck_signature_key_record(s));
	d->key_origin = dup_or_null(dkimcheck_signature_key_origin(s));
	return 0;
}

static int copy_message(dnsaudit_sample *d, const dkimcheck_message *m)
{
	size_t i, n = dkimcheck_message_count(m);
	dnsaudit_sample_signature *sigs = n ? calloc(n, sizeof(*sigs)) : NULL;

	if (n > 0 && sigs == NULL)
		return -1;
	for (i = 0; i < n; i++)
		copy_signature(&sigs[i], dkimcheck_message_signature(m, i));
	d->signatures = sigs;
	d->signature_count = n;
	d->from_domain = dup_or_null(dkimcheck_message_from_domain(m));
	d->multiple_from = dkimcheck_message_multiple_from(m);
	if (strncmp(dkimcheck_message_detail(m), "unreadable:", 11) == 0)
		d->error = strdup(dkimcheck_message_detail(m) + 11);
	return 0;
}

static int load_one(dnsaudit_sample *d, dkimcheck_verifier *v, const char *file)
{
	FILE *f = fopen(file, "rb");
	dkimcheck_message *m = NULL;
	int rc;

	d->file = strdup(file);
	if (f == NULL) {
		d->error = strdup(strerror(errno));
		return 0;
	}
	rc = dkimcheck_verify_file(v, f, &m);
	fclose(f);
	if (rc != DKIMCHECK_OK) {
		d->error = strdup(dkimcheck_strerror(rc));
		return 0;
	}
	rc = copy_message(d, m);
	dkimcheck_message_free(m);
	return rc;
}

int cli_samples_load(struct cli_samples *out, const char *const *files, size_t n,
                     const dnsaudit_source *src)
{
	dnsaudit_session *session = NULL;
	dkimcheck_lib *lib = NULL;
	dkimcheck_verifier *v = NULL;
	size_t i;
	int rc = 0;

	out->v = n ? calloc(n, sizeof(*out->v)) : NULL;
	out->n = n;
	if (n == 0)
		return 0;
	if (out->v == NULL || dnsaudit_session_new(&session, src) != 0 ||
	    dkimcheck_lib_new(&lib) != 0 ||
	    dkimcheck_verifier_new(&v, lib, cli_session_key_lookup, session) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = load_one(&out->v[i], v, files[i]);
	dkimcheck_verifier_free(v);
	dkimcheck_lib_free(lib);
	dnsaudit_session_free(session);
	return rc;
}

void cli_samples_free(struct cli_samples *s)
{
	size_t i, j;

	for (i = 0; s->v != NULL && i < s->n; i++) {
		dnsaudit_sample *d = &s->v[i];

		for (j = 0; j < d->signature_count; j++) {
			free((void *)(uintptr_t)d->signatures[j].domain);
			free((void *)(uintptr_t)d->signatures[j].selector);
			free((void *)(uintptr_t)d->signatures[j].algorithm);
			free((void *)(uintptr_t)d->signatures[j].detail);
			free((void *)(uintptr_t)d->signatures[j].key_record);
			free((void *)(uintptr_t)d->signatures[j].key_origin);
		}
		free((void *)(uintptr_t)d->signatures);
		free((void *)(uintptr_t)d->file);
		free((void *)(uintptr_t)d->from_domain);
		free((void *)(uintptr_t)d->error);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
