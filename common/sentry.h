/* sentry.h - error reports to Sentry (store API over common/fetch.c).
 *
 * With SENTRY_ENABLED and a SENTRY_DSN (https://KEY@HOST/PROJECT), every
 * answer with a 5xx status is reported once, with the program, the request
 * id, method and path (never bodies, cookies or tokens); the relay reports
 * its fatal signals and the loss of Redis or PostgreSQL.  Reporting is
 * best effort: a failure is logged and forgotten.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_SENTRY_H
#define EC_SENTRY_H

#include "buf.h"
#include "err.h"

struct sentry_dsn {
	char store_url[512]; /* https://HOST/api/PROJECT/store/ */
	char key[128];       /* public key */
};

/* Parses a DSN; ERR_VALIDATION when it is not of the form above. */
enum err_code sentry_parse_dsn(const char *dsn, struct sentry_dsn *out);

/* Builds the event JSON for a message into out. */
void sentry_event_json(struct buf *out, const char *program,
    const char *message, const char *request_id);

/* The same with another Sentry level ("fatal", "error", "warning"). */
void sentry_event_json_level(struct buf *out, const char *level,
    const char *program, const char *message, const char *request_id);

/* Sends an event when Sentry is enabled; no-op otherwise.  It waits for
 * Sentry's answer (libcurl, bounded by fetch.c's timeout): the relay,
 * whose loop must not block, calls it from a child process
 * (relay/report.c). */
void
sentry_report(const char *program, const char *message, const char *request_id);

/* sentry_report() at another level. */
void sentry_report_level(const char *level, const char *program,
    const char *message, const char *request_id);

#endif
