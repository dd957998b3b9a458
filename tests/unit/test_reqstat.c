/* test_reqstat.c - the shared request counters: one file per program and
 * route table, added to by every process, buckets and the text format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "reqstat.h"

static const struct http_route routes_a[] = {
	{ HTTP_GET, "/api/t/{id}", NULL, 0 },
	{ HTTP_POST, "/api/t", NULL, 0 },
};
static const struct http_route routes_b[] = {
	{ HTTP_GET, "/api/t/{id}", NULL, 0 },
};

static char dir[64];

/* The value of the series `line` (without the value) in the rendering. */
static long long
value(const char *line)
{
	struct buf b;
	const char *p;
	long long v = -1;

	buf_init(&b, 0);
	reqstat_render(&b);
	p = strstr(b.data, line);
	if (p != NULL)
		v = strtoll(p + strlen(line) + 1, NULL, 10);
	buf_release(&b);
	return v;
}

static void
count(const struct http_route *route, int status, int n, uint64_t ago_ns)
{
	struct http_req r;
	int i;

	memset(&r, 0, sizeof(r));
	r.route = route;
	r.status = status;
	r.method = HTTP_GET;
	r.path = "/api/t/whatever";
	for (i = 0; i < n; i++)
		reqstat_end(&r, reqstat_now() - ago_ns);
}

#define OK_A                                                                   \
	"easychat_http_requests_total{program=\"t\",method=\"GET\","           \
	"route=\"/api/t/{id}\",status=\"2xx\"}"

static void
test_shared_between_processes(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	reqstat_init("t", routes_a, 2);
	count(&routes_a[0], 200, 100, 0);
	pid = fork();
	if (pid == 0) {
		/* Another process of the program, with its own mapping. */
		reqstat_release();
		reqstat_init("t", routes_a, 2);
		count(&routes_a[0], 204, 100, 0);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(value(OK_A), 200);
	assert_int_equal(value("easychat_http_metrics_shared{program=\"t\"}"),
	    1);
	reqstat_release();
	/* A restarted process finds the counts where they were. */
	reqstat_init("t", routes_a, 2);
	assert_int_equal(value(OK_A), 200);
	reqstat_release();
	/* Another route table is another file: it starts at zero. */
	reqstat_init("t", routes_b, 1);
	assert_int_equal(value(OK_A), 0);
	reqstat_release();
}

static void
test_classes_buckets_and_unmatched(void **state)
{
	(void)state;
	reqstat_init("u", routes_a, 2);
	count(&routes_a[1], 503, 2, 3000000); /* 3 ms */
	count(NULL, 404, 1, 0);
	assert_int_equal(value("easychat_http_requests_total{program=\"u\","
	                       "method=\"POST\",route=\"/api/t\",status="
	                       "\"5xx\"}"),
	    2);
	assert_int_equal(value("easychat_http_request_duration_seconds_bucket{"
	                       "program=\"u\",method=\"POST\",route=\"/api/"
	                       "t\",le=\"0.0025\"}"),
	    0);
	assert_int_equal(value("easychat_http_request_duration_seconds_bucket{"
	                       "program=\"u\",method=\"POST\",route=\"/api/"
	                       "t\",le=\"0.005\"}"),
	    2);
	assert_int_equal(value("easychat_http_request_duration_seconds_count{"
	                       "program=\"u\",method=\"POST\",route=\"/api/"
	                       "t\"}"),
	    2);
	assert_int_equal(value("easychat_http_requests_total{program=\"u\","
	                       "method=\"\",route=\"unmatched\",status="
	                       "\"4xx\"}"),
	    1);
	reqstat_release();
}

static void
test_without_a_directory_counts_alone(void **state)
{
	(void)state;
	setenv("METRICS_DIR", "/nonexistent/reqstat", 1);
	reqstat_init("v", routes_a, 2);
	count(&routes_a[0], 200, 3, 0);
	assert_int_equal(value("easychat_http_metrics_shared{program=\"v\"}"),
	    0);
	assert_int_equal(value("easychat_http_requests_total{program=\"v\","
	                       "method=\"GET\",route=\"/api/t/{id}\",status="
	                       "\"2xx\"}"),
	    3);
	reqstat_release();
	setenv("METRICS_DIR", dir, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_between_processes),
		cmocka_unit_test(test_classes_buckets_and_unmatched),
		cmocka_unit_test(test_without_a_directory_counts_alone),
	};
	char cmd[96];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/test_reqstat.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("METRICS_DIR", dir, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
