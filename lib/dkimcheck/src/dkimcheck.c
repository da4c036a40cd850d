/*
 * dkimcheck.c -- the library handle. Verification itself comes with the
 * sample-message work; the handle and the key callback contract are fixed
 * now so the DNS layer and the CLI are built against them.
 */
#include <stdlib.h>

#include "dkimcheck/dkimcheck.h"
#include "odkim.h"

struct dkimcheck_lib {
	void *odkim; /* DKIM_LIB */
};

int dkimcheck_lib_new(dkimcheck_lib **out)
{
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
