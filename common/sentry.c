/* sentry.c - error reports to Sentry (store API over common/fetch.c). */
#include "sentry.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "fetch.h"
#include "json.h"
#include "log.h"
#include "sec.h"

enum err_code
sentry_parse_dsn(const char *dsn, struct sentry_dsn *out)
{
	const char *scheme_end, *at, *host, *slash, *project;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (dsn == NULL)
		return ERR_VALIDATION;
	scheme_end = strstr(dsn, "://");
	if (scheme_end == NULL ||
	    (strncmp(dsn, "https://", 8) != 0 &&
	        strncmp(dsn, "http://", 7) != 0))
		return ERR_VALIDATION;
	at = strchr(scheme_end + 3, '@');
	if (at == NULL || at == scheme_end + 3)
		return ERR_VALIDATION;
	host = at + 1;
	slash = strrchr(host, '/');
	if (slash == NULL || slash == host || slash[1] == '\0')
		return ERR_VALIDATION;
	project = slash + 1;
	for (i = 0; project[i]; i++) {
		if (project[i] < '0' || project[i] > '9')
			return ERR_VALIDATION;
	}
	/* The key is what comes before ':' (an old secret) or '@'. */
	i = strcspn(scheme_end + 3, ":@");
	if (i == 0 || i >= sizeof(out->key))
		return ERR_VALIDATION;
	memcpy(out->key, scheme_end + 3, i);
	out->key[i] = '\0';
	if ((size_t)snprintf(out->store_url, sizeof(out->store_url),
	        "%.*s%.*s/api/%s/store/", (int)(scheme_end + 3 - dsn), dsn,
	        (int)(slash - host), host, project) >= sizeof(out->store_url))
		return ERR_VALIDATION;
	return ERR_OK;
}

void
sentry_event_json(struct buf *out, const char *program, const char *message,
    const char *request_id)
{
	sentry_event_json_level(out, "error", program, message, request_id);
}

void
sentry_event_json_level(struct buf *out, const char *level, const char *program,
    const char *message, const char *request_id)
{
	struct json_object *ev, *tags;
	char id[33], stamp[32], host[256];
	time_t now = time(NULL);
	struct tm tm;

	sec_random_hex(id, sizeof(id));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	ev = json_object_new_object();
	json_object_object_add(ev, "event_id", json_object_new_string(id));
	json_object_object_add(ev, "timestamp", json_object_new_string(stamp));
	json_object_object_add(ev, "level", json_object_new_string(level));
	json_object_object_add(ev, "platform", json_object_new_string("c"));
	json_object_object_add(ev, "logger", json_object_new_string(program));
	json_object_object_add(ev, "server_name", json_object_new_string(host));
	json_object_object_add(ev, "message", json_object_new_string(message));
	tags = json_object_new_object();
	json_object_object_add(tags, "program",
	    json_object_new_string(program));
	json_object_object_add(tags, "request_id",
	    json_object_new_string(request_id ? request_id : ""));
	json_object_object_add(ev, "tags", tags);
	json_append(out, ev);
	json_object_put(ev);
}

void
sentry_report(const char *program, const char *message, const char *request_id)
{
	sentry_report_level("error", program, message, request_id);
}

void
sentry_report_level(const char *level, const char *program, const char *message,
    const char *request_id)
{
	struct sentry_dsn dsn;
	struct buf body, answer, auth;
	const char *headers[3];
	long status = 0;

	if (!cfg.sentry_enabled || cfg.sentry_dsn == NULL ||
	    cfg.sentry_dsn[0] == '\0')
		return;
	if (sentry_parse_dsn(cfg.sentry_dsn, &dsn)) {
		log_warn("SENTRY_DSN is not a valid DSN; not reporting");
		return;
	}
	buf_init(&body, 64 * 1024);
	buf_init(&answer, 64 * 1024);
	buf_init(&auth, 1024);
	sentry_event_json_level(&body, level, program, message, request_id);
	buf_printf(&auth,
	    "X-Sentry-Auth: Sentry sentry_version=7, "
	    "sentry_client=easychat/1.0, sentry_key=%s",
	    dsn.key);
	headers[0] = auth.data;
	headers[1] = "Content-Type: application/json";
	headers[2] = NULL;
	if (fetch("POST", dsn.store_url, body.data, headers, &answer,
	        &status) != ERR_OK ||
	    status >= 300)
		log_warn("sentry report not accepted (HTTP %ld)", status);
	buf_release(&body);
	buf_release(&answer);
	buf_release(&auth);
}
