/* log.h - one-line logs to stderr, tagged with program, request id and
 * client address.
 *
 * Never pass tokens, passwords or cookies to these functions.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_LOG_H
#define EC_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Sets the program name shown in each line and the most verbose level
 * written ("error", "warn", "info" or "debug"; NULL keeps "info"). */
void log_init(const char *program, const char *level);

/* Sets the request id shown in each line until the next call (NULL clears).
 * The string is copied. */
void log_set_request_id(const char *id);

/* Sets the client address shown in each line until the next call (NULL
 * clears).  The string is copied. */
void log_set_client(const char *addr);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
