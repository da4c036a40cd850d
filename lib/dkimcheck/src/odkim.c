/*
 * odkim.c -- libopendkim behind one translation unit (STYLE rule 11).
 * LF-only .eml files are common, so FIXCRLF is always on; bad signatures
 * stay listed (BADSIGHANDLES) so each gets its own result.
 */
#include <dkim.h>

#include "odkim.h"

void *dkimcheck__odkim_init(void)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES;

	if (lib == NULL)
		return NULL;
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags)) !=
	    DKIM_STAT_OK) {
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
