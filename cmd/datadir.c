/*
 * datadir.c -- finding the data files (policies, schemas) from wherever the
 * binary runs: the build tree, an installed prefix, or a relocated install.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static char *join(const char *dir, const char *sub, const char *name)
{
	size_t n = strlen(dir) + strlen(sub) + strlen(name) + 3;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s%s%s", dir, sub, *sub ? "/" : "", name);
	return p;
}

static char *first_existing(char **cands, size_t n)
{
	char *found = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (found == NULL && cands[i] != NULL && access(cands[i], R_OK) == 0)
			found = cands[i];
		else
			free(cands[i]);
	}
	return found;
}

char *cli_data_file(const char *name)
{
	char exe[PATH_MAX], *cands[4] = {NULL, NULL, NULL, NULL}, *slash;
	const char *env = getenv("MAILAUDIT_DATADIR");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (env != NULL && *env)
		cands[0] = join(env, "", name);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		cands[1] = join(exe, "share/mailaudit", name);
		cands[2] = join(exe, "../share/mailaudit", name);
	}
	cands[3] = join(MAILAUDIT_INSTALL_DATADIR, "", name);
	return first_existing(cands, 4);
}
