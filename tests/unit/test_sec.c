/* test_sec.c - request-id tokens: distinct, URL-safe, and not repeated by a
 * forked child. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sec.h"

static int
test_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_unique_tokens_differ(void **state)
{
	enum { N = 20000 };
	char(*tok)[SEC_TOKEN_MAX] = calloc(N, SEC_TOKEN_MAX);
	size_t i, j;

	(void)state;
	assert_non_null(tok);
	for (i = 0; i < N; i++) {
		sec_unique_token(tok[i], 12);
		/* 12 bytes: 16 URL-safe base64 characters, as sec_token. */
		assert_int_equal(strlen(tok[i]), 16);
		for (j = 0; j < 16; j++)
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			                       "abcdefghijklmnopqrstuvwxyz"
			                       "0123456789-_",
			    tok[i][j]));
	}
	qsort(tok, N, SEC_TOKEN_MAX, test_cmp);
	for (i = 1; i < N; i++)
		assert_string_not_equal(tok[i - 1], tok[i]);
	free(tok);
}

static void
test_forked_child_does_not_repeat(void **state)
{
	char mine[SEC_TOKEN_MAX], theirs[SEC_TOKEN_MAX] = "";
	int fds[2], status;
	pid_t pid;

	(void)state;
	sec_unique_token(mine, 12); /* seeded before the fork */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char t[SEC_TOKEN_MAX];

		sec_unique_token(t, 12);
		_exit(write(fds[1], t, strlen(t) + 1) > 0 ? 0 : 1);
	}
	assert_true(read(fds[0], theirs, sizeof(theirs)) > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fds[0]);
	close(fds[1]);
	/* Without the reseed the child would give the parent's next one. */
	sec_unique_token(mine, 12);
	assert_string_not_equal(mine, theirs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_tokens_differ),
		cmocka_unit_test(test_forked_child_does_not_repeat),
	};

	if (sec_init() != ERR_OK)
		return 1;
	return cmocka_run_group_tests_name("sec", tests, NULL, NULL);
}
