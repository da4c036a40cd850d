/*
 * standalone.c -- replays fuzz inputs through LLVMFuzzerTestOneInput without
 * libFuzzer, so any compiler can run a corpus as a regression test (as
 * libgit2 and SQLite do). Arguments are files or directories of files
 * (not recursive). Exits non-zero when an argument cannot be read or when
 * no input at all was run, so a wrong path does not pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs are small; a bigger file is a mistake, not a test case. */
#define INPUT_MAX (16u * 1024u * 1024u)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t len;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	buf = malloc(INPUT_MAX);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	len = fread(buf, 1, INPUT_MAX, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: read error or larger than %u bytes\n", path, INPUT_MAX);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

/* Runs every regular file of dir; returns how many, or -1. */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char path[4096];
	long count = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) < 0) {
			closedir(d);
			return -1;
		}
		count++;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	struct stat st;
	long total = 0, n;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : (run_file(argv[i]) < 0 ? -1 : 1);
		if (n < 0)
			return 1;
		total += n;
	}
	fprintf(stderr, "replayed %ld input(s)\n", total);
	return total > 0 ? 0 : 1;
}
