/* report.c - the relay's reports to Sentry (common/sentry.c): fatal
 * signals, and errors such as losing Redis or PostgreSQL.
 *
 * The loop must never wait on Sentry, so an error is sent by a forked
 * child (libev's default loop reaps it).  A crash cannot do that work
 * in its signal handler (no malloc, no libcurl there), so the handler
 * only calls what is async-signal-safe: fork(), then execve() of this
 * very binary (/proc/self/exe) as `easychat-relay --report-crash SIG`,
 * which loads the configuration and sends a "fatal" event; the crashing
 * process waits for it (bounded by the child's alarm()) so that systemd
 * does not kill the reporter with the rest of the unit, then dies of
 * the same signal (core dump and exit status as without the handler).
 * Errors are capped at REPORT_BURST per minute; Redis and PostgreSQL
 * losses are reported once per outage by their callers.
 */
#include "relay.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "sentry.h"

#define REPORT_BURST        10 /* errors per minute */
#define REPORT_CRASH_SECS   10 /* the crash reporter's own deadline */
#define REPORT_SELF         "/proc/self/exe"
#define REPORT_CRASH_OPTION "--report-crash"

extern char **environ;

static int report_on;
static double report_window;
static int report_sent;
static char report_signo[16];
static char *report_argv[] = { "easychat-relay", REPORT_CRASH_OPTION,
	report_signo, NULL };
static const int report_fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void
report_on_fatal(int sig)
{
	int saved = sig, i = (int)sizeof(report_signo) - 1, status;
	char digits[16];
	size_t n = 0;
	pid_t pid;

	/* The number as text, without snprintf (not async-signal-safe). */
	report_signo[i] = '\0';
	do {
		digits[n++] = (char)('0' + saved % 10);
		saved /= 10;
	} while (saved > 0 && n < sizeof(digits));
	for (i = 0; n > 0; i++)
		report_signo[i] = digits[--n];
	report_signo[i] = '\0';
	pid = fork();
	if (pid == 0) {
		execve(REPORT_SELF, report_argv, environ);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0)
			;
	/* SA_RESETHAND restored the default action: die of it. */
	raise(sig);
}

void
report_init(void)
{
	struct sigaction sa;
	size_t i;

	report_on = cfg.sentry_enabled && cfg.sentry_dsn != NULL &&
	    cfg.sentry_dsn[0] != '\0';
	if (!report_on)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = report_on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = (int)SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < sizeof(report_fatal) / sizeof(report_fatal[0]); i++)
		sigaction(report_fatal[i], &sa, NULL);
	log_info("sentry: reporting fatal signals and errors");
}

void
report_error(const char *fmt, ...)
{
	char message[512];
	va_list ap;
	pid_t pid;

	if (!report_on)
		return;
	if (relay_now() - report_window >= 60.0) {
		report_window = relay_now();
		report_sent = 0;
	}
	if (report_sent >= REPORT_BURST)
		return;
	report_sent++;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	pid = fork();
	if (pid < 0) {
		log_warn("sentry: cannot fork the reporter");
		return;
	}
	if (pid == 0) {
		alarm(REPORT_CRASH_SECS);
		sentry_report_level("error", "relay", message, relay_conf.id);
		_exit(0);
	}
}

int
report_crash_main(int argc, char **argv)
{
	char message[128];
	long sig;

	if (argc != 3 || strcmp(argv[1], REPORT_CRASH_OPTION) != 0)
		return -1;
	alarm(REPORT_CRASH_SECS);
	sig = strtol(argv[2], NULL, 10);
	log_init("relay", NULL);
	if (cfg_load())
		return 1;
	snprintf(message, sizeof(message),
	    "relay (pid %ld) died of fatal signal %ld (%s)", (long)getppid(),
	    sig, strsignal((int)sig));
	log_error("%s", message);
	sentry_report_level("fatal", "relay", message, NULL);
	cfg_release();
	return 0;
}
