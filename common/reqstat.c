/* reqstat.c - per-program request counts and latency histograms in a
 * shared mapping, rendered in the Prometheus text format (reqstat.h). */
#include "reqstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mem.h"

#define REQSTAT_MAGIC   "ECREQST1"
#define REQSTAT_CLASSES 4 /* 2xx, 3xx, 4xx, 5xx; 1xx is never answered */

/* Upper bounds of the latency buckets, in microseconds (the last bucket,
 * +Inf, follows).  Fixed: the same in every process and every build. */
static const uint64_t reqstat_bounds_us[] = { 500, 1000, 2500, 5000, 10000,
	25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	10000000 };
#define REQSTAT_BUCKETS                                                        \
	(sizeof(reqstat_bounds_us) / sizeof(reqstat_bounds_us[0]) + 1)

/* The series after the route table's own. */
enum { REQSTAT_HEALTH, REQSTAT_METRICS, REQSTAT_UNMATCHED, REQSTAT_EXTRA };
static const char *const reqstat_extra_names[] = { "health", "metrics",
	"unmatched" };

struct reqstat_slot {
	uint64_t count[REQSTAT_CLASSES];
	uint64_t bucket[REQSTAT_BUCKETS]; /* not cumulative */
	uint64_t sum_us;
};

struct reqstat_file {
	char magic[8];
	uint64_t fingerprint;
	uint64_t nslots;
	struct reqstat_slot slots[];
};

static struct reqstat_file *reqstat_map;
static size_t reqstat_size;
static const struct http_route *reqstat_routes;
static size_t reqstat_nroutes;
static const char *reqstat_program;
static int reqstat_shared;

/* FNV-1a over the layout's inputs: a different table is another file. */
static uint64_t
reqstat_fingerprint(const char *program, const struct http_route *routes,
    size_t nroutes)
{
	uint64_t h = 1469598103934665603ULL;
	char text[32];
	const char *p;
	size_t i;

#define REQSTAT_HASH(s)                                                        \
	for (p = (s); *p; p++)                                                 \
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	REQSTAT_HASH(REQSTAT_MAGIC);
	REQSTAT_HASH(program);
	snprintf(text, sizeof(text), "%zu/%zu", (size_t)REQSTAT_BUCKETS,
	    nroutes);
	REQSTAT_HASH(text);
	for (i = 0; i < nroutes; i++) {
		snprintf(text, sizeof(text), " %d ", routes[i].method);
		REQSTAT_HASH(text);
		REQSTAT_HASH(routes[i].pattern);
	}
#undef REQSTAT_HASH
	return h;
}

/* Maps the shared file, creating and laying it out under an exclusive
 * flock() so that two processes starting at once agree.  A file of the
 * right name but not our layout (a crash while creating it, or another
 * version) is replaced: processes still mapping the old inode write
 * into it harmlessly. */
static int
reqstat_map_file(const char *path, uint64_t fp, size_t size)
{
	struct reqstat_file *m = MAP_FAILED;
	struct stat st;
	int fd, ok = 0, tries;

	for (tries = 0; tries < 2 && !ok; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		while (flock(fd, LOCK_EX) != 0) {
			if (errno != EINTR)
				goto next;
		}
		if (fstat(fd, &st) != 0)
			goto next;
		if (st.st_size == 0 && ftruncate(fd, (off_t)size) != 0)
			goto next;
		if (st.st_size != 0 && (size_t)st.st_size != size) {
			unlink(path);
			goto next;
		}
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			goto next;
		if (st.st_size == 0) {
			m->fingerprint = fp;
			m->nslots = (size - sizeof(*m)) / sizeof(m->slots[0]);
			memcpy(m->magic, REQSTAT_MAGIC, sizeof(m->magic));
		}
		if (memcmp(m->magic, REQSTAT_MAGIC, sizeof(m->magic)) == 0 &&
		    m->fingerprint == fp) {
			ok = 1;
		} else {
			munmap(m, size);
			m = MAP_FAILED;
			unlink(path);
		}
	next:
		/* Explicitly: the mapping keeps the open file description,
		 * and with it a flock(), alive after close(). */
		flock(fd, LOCK_UN);
		close(fd);
	}
	if (!ok)
		return -1;
	reqstat_map = m;
	return 0;
}

void
reqstat_init(const char *program, const struct http_route *routes,
    size_t nroutes)
{
	const char *dir = cfg_get("METRICS_DIR", NULL);
	char *path = NULL, *owned = NULL;
	uint64_t fp;
	size_t n;

	reqstat_program = program;
	reqstat_routes = routes;
	reqstat_nroutes = nroutes;
	reqstat_size = sizeof(struct reqstat_file) +
	    (nroutes + REQSTAT_EXTRA) * sizeof(struct reqstat_slot);
	fp = reqstat_fingerprint(program, routes, nroutes);
	if (dir == NULL && cfg.var_dir != NULL && cfg.var_dir[0] != '\0') {
		n = strlen(cfg.var_dir) + sizeof("/metrics");
		owned = mem_alloc(n);
		snprintf(owned, n, "%s/metrics", cfg.var_dir);
		dir = owned;
		/* Our own default: made on first use (0700, the programs'
		 * user only). */
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			dir = NULL;
	}
	if (dir != NULL) {
		n = strlen(dir) + strlen(program) + 40;
		path = mem_alloc(n);
		snprintf(path, n, "%s/%s-%016llx.metrics", dir, program,
		    (unsigned long long)fp);
		reqstat_shared = reqstat_map_file(path, fp, reqstat_size) == 0;
	}
	if (!reqstat_shared) {
		log_warn("metrics: cannot share %s (%s); this process counts "
		         "alone",
		    path ? path : "METRICS_DIR (unset, and no EASYCHAT_VAR)",
		    path ? strerror(errno) : "no directory");
		reqstat_map = mmap(NULL, reqstat_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (reqstat_map == MAP_FAILED) {
			reqstat_map = NULL;
		} else {
			reqstat_map->fingerprint = fp;
			reqstat_map->nslots = nroutes + REQSTAT_EXTRA;
		}
	}
	free(path);
	free(owned);
}

void
reqstat_release(void)
{
	if (reqstat_map != NULL)
		munmap(reqstat_map, reqstat_size);
	reqstat_map = NULL;
	reqstat_shared = 0;
}

uint64_t
reqstat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* "/api/<program>/<what>" */
static int
reqstat_is_path(const struct http_req *r, const char *what)
{
	size_t plen;

	if (reqstat_program == NULL)
		return 0; /* app_serve() driven without app_run() (tests) */
	plen = strlen(reqstat_program);
	return r->path != NULL && strncmp(r->path, "/api/", 5) == 0 &&
	    strncmp(r->path + 5, reqstat_program, plen) == 0 &&
	    r->path[5 + plen] == '/' && strcmp(r->path + 6 + plen, what) == 0;
}

void
reqstat_end(const struct http_req *r, uint64_t start)
{
	struct reqstat_slot *s;
	uint64_t us;
	size_t i, b;
	int class;

	if (reqstat_map == NULL)
		return;
	if (r->route != NULL)
		i = (size_t)(r->route - reqstat_routes);
	else if (r->method == HTTP_GET && reqstat_is_path(r, "health"))
		i = reqstat_nroutes + REQSTAT_HEALTH;
	else if (r->method == HTTP_GET && reqstat_is_path(r, "metrics"))
		i = reqstat_nroutes + REQSTAT_METRICS;
	else
		i = reqstat_nroutes + REQSTAT_UNMATCHED;
	if (i >= reqstat_nroutes + REQSTAT_EXTRA)
		return; /* a route of another table: not ours to count */
	s = &reqstat_map->slots[i];
	class = r->status / 100 - 2;
	if (class < 0)
		class = 0;
	if (class >= REQSTAT_CLASSES)
		class = REQSTAT_CLASSES - 1;
	us = (reqstat_now() - start) / 1000;
	for (b = 0; b + 1 < REQSTAT_BUCKETS && us > reqstat_bounds_us[b]; b++)
		;
	__atomic_fetch_add(&s->count[class], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->bucket[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->sum_us, us, __ATOMIC_RELAXED);
}

static uint64_t
reqstat_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The labels of series i: program, method, route. */
static void
reqstat_labels(struct buf *out, size_t i)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH",
		"DELETE" };
	const char *method = "", *route;
	size_t m;

	if (i < reqstat_nroutes) {
		route = reqstat_routes[i].pattern;
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			if (reqstat_routes[i].method == (1 << m))
				method = methods[m];
		}
	} else {
		route = reqstat_extra_names[i - reqstat_nroutes];
		if (i - reqstat_nroutes != REQSTAT_UNMATCHED)
			method = "GET";
	}
	/* Patterns are URL-safe: nothing to escape. */
	buf_printf(out, "program=\"%s\",method=\"%s\",route=\"%s\"",
	    reqstat_program, method, route);
}

void
reqstat_render(struct buf *out)
{
	const struct reqstat_slot *s;
	uint64_t cum;
	size_t i, b, n;
	int c;

	if (reqstat_map == NULL)
		return;
	n = reqstat_nroutes + REQSTAT_EXTRA;
	buf_printf(out,
	    "# HELP easychat_http_metrics_shared 1 when these counters are "
	    "shared by every process of the program, 0 when only this "
	    "process counts (see its log).\n"
	    "# TYPE easychat_http_metrics_shared gauge\n"
	    "easychat_http_metrics_shared{program=\"%s\"} %d\n",
	    reqstat_program, reqstat_shared);
	buf_puts(out,
	    "# HELP easychat_http_requests_total Requests answered by every "
	    "process of the program, by route pattern and status class.\n"
	    "# TYPE easychat_http_requests_total counter\n");
	for (i = 0; i < n; i++) {
		s = &reqstat_map->slots[i];
		for (c = 0; c < REQSTAT_CLASSES; c++) {
			buf_puts(out, "easychat_http_requests_total{");
			reqstat_labels(out, i);
			buf_printf(out, ",status=\"%dxx\"} %llu\n", c + 2,
			    (unsigned long long)reqstat_load(&s->count[c]));
		}
	}
	buf_puts(out,
	    "# HELP easychat_http_request_duration_seconds Time from reading "
	    "a request to its answer, by route pattern.\n"
	    "# TYPE easychat_http_request_duration_seconds histogram\n");
	for (i = 0; i < n; i++) {
		s = &reqstat_map->slots[i];
		cum = 0;
		for (b = 0; b < REQSTAT_BUCKETS; b++) {
			cum += reqstat_load(&s->bucket[b]);
			buf_puts(out,
			    "easychat_http_request_duration_seconds_bucket{");
			reqstat_labels(out, i);
			if (b + 1 < REQSTAT_BUCKETS)
				buf_printf(out, ",le=\"%g\"} %llu\n",
				    (double)reqstat_bounds_us[b] / 1e6,
				    (unsigned long long)cum);
			else
				buf_printf(out, ",le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
		}
		buf_puts(out, "easychat_http_request_duration_seconds_sum{");
		reqstat_labels(out, i);
		buf_printf(out, "} %.6f\n",
		    (double)reqstat_load(&s->sum_us) / 1e6);
		buf_puts(out, "easychat_http_request_duration_seconds_count{");
		reqstat_labels(out, i);
		buf_printf(out, "} %llu\n", (unsigned long long)cum);
	}
}

/* The token, compared in time independent of where it differs. */
static int
reqstat_token_ok(const char *given, const char *want)
{
	size_t i, n = strlen(want);
	unsigned char diff = 0;

	if (given == NULL || strlen(given) != n)
		return 0;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)given[i] ^ (unsigned char)want[i];
	return diff == 0;
}

int
reqstat_serve(struct http_req *r, enum err_code *rc)
{
	const char *token = cfg_get("METRICS_TOKEN", NULL);
	const char *auth;
	struct buf body;

	if (r->method != HTTP_GET || !reqstat_is_path(r, "metrics"))
		return 0;
	*rc = ERR_OK;
	if (token == NULL) {
		*rc = http_fail(r, ERR_FORBIDDEN,
		    "Metrics are off: set METRICS_TOKEN to read them.");
		return 1;
	}
	auth = http_param(r, "HTTP_AUTHORIZATION");
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
	    !reqstat_token_ok(auth + 7, token)) {
		*rc = http_fail(r, ERR_UNAUTHENTICATED,
		    "Metrics need Authorization: Bearer <METRICS_TOKEN>.");
		return 1;
	}
	buf_init(&body, 0);
	reqstat_render(&body);
	http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    body.data, body.len);
	buf_release(&body);
	return 1;
}
