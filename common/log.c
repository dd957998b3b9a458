/* log.c - one-line logs to stderr, tagged with program, request id and
 * client address. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char log_program[32] = "easychat";
static char log_request_id[65];
static char log_client[48];
static enum log_level log_max = LOG_INFO;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *program, const char *level)
{
	size_t i;

	if (program)
		snprintf(log_program, sizeof(log_program), "%s", program);
	if (level == NULL)
		return;
	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(level, log_names[i]) == 0)
			log_max = (enum log_level)i;
	}
}

void
log_set_request_id(const char *id)
{
	snprintf(log_request_id, sizeof(log_request_id), "%s", id ? id : "");
}

void
log_set_client(const char *addr)
{
	snprintf(log_client, sizeof(log_client), "%s", addr ? addr : "");
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (level > log_max)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s[%d] %s%s%s%s%s: ", stamp,
	    ts.tv_nsec / 1000000, log_program, (int)getpid(), log_names[level],
	    log_request_id[0] ? " req=" : "", log_request_id,
	    log_client[0] ? " client=" : "", log_client);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
