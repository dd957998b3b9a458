/* reqstat.h - request counts and latencies of a FastCGI program, for
 * Prometheus, shared by every process of the program.
 *
 * A program runs as several processes (FCGI_PROCS under lighttpd, one
 * socket unit per process under systemd, one process per request as CGI),
 * and a scrape reaches one of them at random.  Counters kept per process
 * would show a random fraction of the traffic and vanish when a process
 * restarts.  So the counters live in one small file per program, mapped
 * MAP_SHARED by each of its processes, and every request adds to them
 * with relaxed atomic adds (three per request, no system call, no lock:
 * the clock is the vDSO's).  Any process renders the whole program.
 *
 * The file is <METRICS_DIR>/<program>-<fingerprint>.metrics, where the
 * fingerprint hashes the route table: during an upgrade an old and a new
 * build with different tables count in different files and never
 * misread each other's layout (a scrape then shows the processes of its
 * own build; Prometheus takes the drop as a counter reset).  METRICS_DIR
 * defaults to $EASYCHAT_VAR/metrics; when there is no such directory, or
 * the file cannot be made, the counters are private to the process and a
 * warning says so.
 *
 * Series are per route pattern of the route table (never the raw path,
 * so their number is bounded) plus three fixed ones - "health",
 * "metrics" and "unmatched" (404/405 and unparseable requests) - with
 * the status class (2xx..5xx) and a latency histogram with fixed buckets.
 *
 * GET /api/<program>/metrics answers the text format to a caller with
 * "Authorization: Bearer <METRICS_TOKEN>"; without METRICS_TOKEN the
 * endpoint is off (403).  Not by client address: behind a proxy on the
 * same host every client looks like loopback.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_REQSTAT_H
#define EC_REQSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* Maps (or creates) the program's counters for its route table, after
 * cfg_load().  Never fails: on a problem it logs a warning and counts in
 * process memory.  The table must outlive the process's use of reqstat. */
void reqstat_init(const char *program, const struct http_route *routes,
    size_t nroutes);

/* Unmaps the counters. */
void reqstat_release(void);

/* The start of a request, for reqstat_end() (monotonic, nanoseconds). */
uint64_t reqstat_now(void);

/* Counts a request that has been answered (r->status, r->route) and
 * took from `start` (reqstat_now()) until now.  No-op before init. */
void reqstat_end(const struct http_req *r, uint64_t start);

/* Answers GET /api/<program>/metrics: returns 1 when `r` is that request
 * (answered, or *rc set to the error to answer), else 0 and nothing is
 * done. */
int reqstat_serve(struct http_req *r, enum err_code *rc);

/* The text format of the counters into `out` (for tests). */
void reqstat_render(struct buf *out);

#endif
