/*
 * dkim_key_fuzzer.c -- libFuzzer target for the DKIM key record parser
 * (dkim_key.c): the input is one record as published (the TXT strings
 * joined, any bytes). It is parsed, checked for the invariants the collector
 * relies on (an error has a position inside the record and a reason; n=
 * lies inside the record), and its notes are escaped as the facts do.
 *
 * Built with -fsanitize=fuzzer by fuzz/CMakeLists.txt, and with
 * fuzz/standalone.c by tests/CMakeLists.txt to replay the corpus under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_internal.h"
#include "source_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A TXT record cannot be longer; the parser refuses longer input itself. */
#define FUZZ_INPUT_MAX (DKIM_MAX_RECORD_OCTETS + 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_key k;
	char *esc;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	(void)dnsaudit__dkim_key_is_candidate((const char *)data, size);
	dnsaudit__dkim_key_parse((const char *)data, size, &k);
	if (k.error != DKIM_KEY_OK && (k.error_pos > size || k.reason[0] == '\0'))
		abort();
	if (memchr(k.reason, '\0', sizeof(k.reason)) == NULL)
		abort();
	if (k.error == DKIM_KEY_OK && k.revoked && k.bits != 0)
		abort();
	if (k.has_notes) {
		if (k.notes_pos > size || k.notes_len > size - k.notes_pos)
			abort();
		esc = dnsaudit_txt_escape(data + k.notes_pos, k.notes_len, 0);
		free(esc);
	}
	return 0;
}
