/* replay.c - a main() for the fuzz harnesses without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on each file named on the command line
 * (a directory: each file in it), so `make test` replays the committed
 * corpora and crash reproducers under the sanitizer build. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs one file; 0 on success (a finding aborts the process). */
static int
replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;
	int rc = -1;

	if (f == NULL)
		goto out;
	if (fseek(f, 0, SEEK_END) != 0)
		goto out;
	n = ftell(f);
	if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	/* Exactly n bytes, so a read past the input is a heap overflow. */
	data = malloc(n ? (size_t)n : 1);
	if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n)
		goto out;
	LLVMFuzzerTestOneInput(data, (size_t)n);
	(*count)++;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(data);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Runs every regular file in dir, in name order (deterministic). */
static int
replay_dir(const char *dir, size_t *count)
{
	struct dirent **names = NULL;
	char path[4096];
	int i, n, rc = 0;

	/* alphasort: name order (the C locale), so runs are repeatable. */
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s\n", dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (rc == 0 && names[i]->d_name[0] != '.' &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = replay_file(path, count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc && rc == 0; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0)
			continue; /* an empty crashes/ folder need not exist */
		rc = S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count)
		                         : replay_file(argv[i], &count);
	}
	printf("replay %s: %zu inputs%s\n", argc > 0 ? argv[0] : "?", count,
	    rc ? ", FAILED" : "");
	return rc ? 1 : 0;
}
