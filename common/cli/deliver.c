/* deliver.c - easychat-deliver: sends the outbox's jobs (e-mail and Web
 * Push, common/push.h), outside every request path.
 *
 * Programs write a job into the `outbox` table in the transaction of the
 * change it reports and NOTIFY easychat_outbox (wire.h WIRE_PG_OUTBOX).
 * This process LISTENs, and also looks every DELIVER_POLL_MS (default
 * 5000) for jobs due after a back-off or missed while it was down.  A
 * batch is claimed with FOR UPDATE SKIP LOCKED and leased for 15 minutes,
 * so several deliverers (one per host) never send one job twice; each
 * job is deleted once sent.  A send that fails is
 * retried after 30 s, 1 min, 2 min ... (capped at 1 h) and dropped, with
 * its last error logged, after DELIVER_ATTEMPTS (default 8) attempts.
 *
 * Crash safety: a job is deleted only after it was sent.  A crash after
 * the SMTP server took the mail but before the delete sends that one mail
 * again when its lease ends (at least once; a mail cannot be un-sent); a
 * crash before leaves the job to be taken again then.
 *
 * Between jobs it also adds the words of new messages to the search word
 * table, every SEARCH_WORDS_POLL_MS (default 200; searchwords.h), and,
 * every DIGEST_CHECK_SECONDS (default 300), queues the offline digests
 * (deliver_digest).
 *
 *   easychat-deliver          run until SIGTERM / SIGINT
 *   easychat-deliver --once   send what is due now, then exit (tests,
 *                             cron)
 *   easychat-deliver --vapid-key   make the VAPID key if there is none
 *                             (conf/stack.sh at start), print its public
 *                             half (base64url) and exit
 * Configuration: $EASYCHAT_ENV like the programs (MAIL_* in mail.h).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "attach.h"
#include "cfg.h"
#include "db.h"
#include "fetch.h"
#include "log.h"
#include "mail.h"
#include "presence.h"
#include "searchwords.h"
#include "push.h"
#include "wire.h"

#define DELIVER_BATCH 20
/* How long a claimed job is left alone (longer than a batch can take:
 * DELIVER_BATCH sends of at most 30 s each); env DELIVER_LEASE_SECONDS
 * (the tests shorten it to see a killed deliverer's jobs taken again). */
#define DELIVER_LEASE_SECS 900
/* Users looked at per digest pass (the rest wait for the next one); env
 * DELIVER_DIGEST_BATCH. */
#define DELIVER_DIGEST_BATCH 100
/* New messages looked at per ec_digest_enqueue() call, and at most how
 * long one waits before it is (less with a shorter digest window). */
#define DELIVER_DIGEST_SCAN     5000
#define DELIVER_DIGEST_LAG_SECS 60

static volatile sig_atomic_t deliver_stop;

static void
deliver_on_signal(int sig)
{
	(void)sig;
	deliver_stop = 1;
}

/* Sends one job; ERR_OK when it is done with (sent, or malformed: a job
 * that can never be sent is not retried). */
static enum err_code
deliver_job(const char *kind, const char *payload, char *err, size_t size,
    long *retry_after)
{
	json_object *p = NULL, *to, *subject, *text;
	enum err_code rc = ERR_OK;

	err[0] = '\0';
	*retry_after = 0;
	if (strcmp(kind, "push") == 0) {
		if (!push_enabled())
			return ERR_OK; /* switched off: nobody is told */
		return push_job(payload, err, size, retry_after);
	}
	p = json_tokener_parse(payload);
	if (strcmp(kind, "mail") != 0 || p == NULL ||
	    !json_object_object_get_ex(p, "to", &to) ||
	    !json_object_object_get_ex(p, "subject", &subject) ||
	    !json_object_object_get_ex(p, "text", &text)) {
		log_error("deliver: dropping a malformed %s job", kind);
		goto out;
	}
	rc = mail_send(json_object_get_string(to),
	    json_object_get_string(subject), json_object_get_string(text), err,
	    size);
	if (rc == ERR_VALIDATION) {
		log_error("deliver: dropping a mail to an invalid address");
		rc = ERR_OK;
	}
out:
	json_object_put(p);
	return rc;
}

/* One batch; *count is how many jobs it took.  The claim leases the jobs
 * for DELIVER_LEASE_SECONDS (no transaction stays open while mail is sent):
 * a deliverer that dies mid-batch leaves them to be taken again when the
 * lease ends.  Every statement is tagged ec:background, so the tests that
 * count a request's statements leave the poll out. */
static enum err_code
deliver_batch(size_t *count)
{
	struct db_res *res = NULL, *done = NULL;
	char err[512];
	long attempts = cfg_get_long("DELIVER_ATTEMPTS", 8), retry_after;
	enum err_code rc;
	size_t i;

	*count = 0;
	rc = db_query(&res,
	    "/* ec:background outbox claim */ "
	    "UPDATE outbox SET attempts = attempts + 1,"
	    " run_after = now() + make_interval(secs => $2)"
	    " WHERE id IN (SELECT id FROM outbox WHERE run_after <= now()"
	    "  ORDER BY run_after, id LIMIT $1 FOR UPDATE SKIP LOCKED)"
	    " RETURNING id, kind, payload::text, attempts",
	    DB_I64(DELIVER_BATCH),
	    DB_I64(cfg_get_long("DELIVER_LEASE_SECONDS", DELIVER_LEASE_SECS)));
	if (rc)
		goto out;
	*count = db_rows(res);
	for (i = 0; i < *count; i++) {
		int64_t id = db_int(res, i, 0), tries = db_int(res, i, 3);

		if (deliver_job(db_value(res, i, 1), db_value(res, i, 2), err,
		        sizeof(err), &retry_after) == ERR_OK) {
			rc = db_query(&done,
			    "/* ec:background outbox done */ "
			    "DELETE FROM outbox WHERE id = $1",
			    DB_I64(id));
		} else if (tries >= attempts) {
			log_error("deliver: giving up job %lld after %lld "
			          "attempts: %s",
			    (long long)id, (long long)tries, err);
			rc = db_query(&done,
			    "/* ec:background outbox done */ "
			    "DELETE FROM outbox WHERE id = $1",
			    DB_I64(id));
		} else {
			log_warn("deliver: job %lld failed (attempt %lld): %s",
			    (long long)id, (long long)tries, err);
			/* 30 s, 1 min, 2 min, ... at most an hour; longer
			 * when a push service asked for it (Retry-After) */
			rc = db_query(&done,
			    "/* ec:background outbox retry */ "
			    "UPDATE outbox SET last_error = $3,"
			    " run_after = now() + make_interval(secs =>"
			    "  greatest($4, least(3600, 30 * 2 ^ ($2 - 1))))"
			    " WHERE id = $1",
			    DB_I64(id), DB_I64(tries), DB_TEXT(err),
			    DB_I64(retry_after > 86400 ? 86400 : retry_after));
		}
		db_res_free(done);
		done = NULL;
		if (rc)
			goto out;
	}
out:
	db_res_free(res);
	return rc;
}

/* The digest window in seconds: DIGEST_AFTER_SECONDS when set (tests),
 * else DIGEST_AFTER_HOURS; 0 when off (the default) or without mail. */
static long
deliver_digest_window(void)
{
	long secs = cfg_get_long("DIGEST_AFTER_SECONDS", 0);

	if (!mail_enabled())
		return 0;
	if (secs <= 0)
		secs = cfg_get_long("DIGEST_AFTER_HOURS", 0) * 3600;
	return secs > 0 ? secs : 0;
}

/* Queues a digest of unread mentions and DMs (db/functions/38_digest.sql)
 * for each user with a usable address (verified, when EMAIL_VERIFY=1)
 * away for the window (last seen before it, and no connection now) and
 * with such messages newer than the last digest; at most one a window.
 * The users looked at come from digest_queue (0116), which
 * ec_digest_enqueue() fills from the messages posted since the last
 * pass, the longest-queued first and DELIVER_DIGEST_BATCH a pass: one
 * that was looked at leaves the queue (or, connected now, goes to its
 * back), so no batch of users can keep the others waiting, and a pass
 * costs what was posted since the last one rather than a query per
 * user.  Each digest is one statement that checks the window again,
 * stamps users.digest_sent_at, writes the mail to the outbox and takes
 * the user off the queue: committed together or not at all, so a crash
 * neither loses nor doubles one, and two deliverers cannot both send
 * it. */
static enum err_code
deliver_digest(long window)
{
	struct db_res *res = NULL, *one = NULL;
	const char *origin = cfg.norigins ? cfg.origins[0] : "http://127.0.0.1";
	int verify = cfg_get_long("EMAIL_VERIFY", 0) == 1;
	long lag = window < DELIVER_DIGEST_LAG_SECS ? window
	                                            : DELIVER_DIGEST_LAG_SECS;
	enum err_code rc;
	int64_t seen;
	size_t i;

	do {
		rc = db_query(&one,
		    "/* ec:background digest enqueue */ "
		    "SELECT ec_digest_enqueue($1, $2)",
		    DB_I64(lag), DB_I64(DELIVER_DIGEST_SCAN));
		seen = rc ? 0 : db_int(one, 0, 0);
		db_res_free(one);
		one = NULL;
	} while (rc == ERR_OK && seen == DELIVER_DIGEST_SCAN && !deliver_stop);
	if (rc)
		goto out;
	rc = db_query(&res,
	    "/* ec:background digest candidates */ "
	    "SELECT user_id FROM ec_digest_candidates($1, $2, $3)",
	    DB_I64(window), DB_BOOL(verify),
	    DB_I64(cfg_get_long("DELIVER_DIGEST_BATCH", DELIVER_DIGEST_BATCH)));
	if (rc)
		goto out;
	for (i = 0; i < db_rows(res); i++) {
		int64_t user_id = db_int(res, i, 0);

		/* connected now (presence), though last seen long ago: to
		 * the back of the queue, not to the front of every pass */
		if (presence_one(user_id)) {
			rc = db_query(&one,
			    "/* ec:background digest later */ "
			    "UPDATE digest_queue SET queued_at = now()"
			    " WHERE user_id = $1",
			    DB_I64(user_id));
			db_res_free(one);
			one = NULL;
			if (rc)
				goto out;
			continue;
		}
		/* q: off the queue whether mailed or nothing new, unless a
		 * message this statement cannot see queued the user again */
		rc = db_query(&one,
		    "/* ec:background digest */ "
		    "WITH q AS (DELETE FROM digest_queue WHERE user_id = $1"
		    "  AND last_message_id <= (SELECT coalesce(max(id), 0)"
		    "  FROM messages)),"
		    " u AS (UPDATE users SET digest_sent_at = now()"
		    "  FROM (SELECT digest_sent_at AS since FROM users"
		    "        WHERE id = $1) prev"
		    "  WHERE users.id = $1 AND users.is_active"
		    "  AND users.email IS NOT NULL"
		    "  AND (users.digest_sent_at IS NULL OR "
		    "users.digest_sent_at"
		    "       < now() - make_interval(secs => $2))"
		    "  AND EXISTS (SELECT 1 FROM ec_digest_items($1, "
		    "prev.since))"
		    "  RETURNING users.id, users.email, prev.since),"
		    " o AS (INSERT INTO outbox (kind, payload)"
		    "  SELECT 'mail', jsonb_build_object('to', u.email,"
		    "   'subject', 'Easy Chat: mentions and direct messages "
		    "while you were away',"
		    "   'text', ec_digest_text(u.id, u.since, $3, $4))"
		    "  FROM u RETURNING id)"
		    " SELECT count(*), pg_notify('" WIRE_PG_OUTBOX
		    "', '') FROM o",
		    DB_I64(user_id), DB_I64(window),
		    DB_I64(cfg_get_long("DIGEST_LINES", 5)), DB_TEXT(origin));
		if (!rc && db_int(one, 0, 0) > 0)
			log_info("deliver: digest queued for user %lld",
			    (long long)user_id);
		db_res_free(one);
		one = NULL;
		if (rc)
			goto out;
	}
out:
	db_res_free(res);
	return rc;
}

/* --vapid-key: the key pair, made when missing; its public half out. */
static int
deliver_vapid_key(void)
{
	struct webpush_key key;
	char b64[WEBPUSH_B64_MAX];

	if (push_vapid_key(&key, 1))
		return 1;
	webpush_b64(b64, key.pub, WEBPUSH_PUB_LEN);
	puts(b64);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	long poll_ms, words_ms;
	struct webpush_key key;
	time_t forgot = 0, next_sweep = 0, next_digest = 0;
	long digest_window;
	size_t n;
	int once = argc > 1 && strcmp(argv[1], "--once") == 0, notified;
	int keygen = argc > 1 && strcmp(argv[1], "--vapid-key") == 0;
	enum err_code rc = ERR_OK;

	if (argc > 2 || (argc > 1 && !once && !keygen)) {
		fputs("usage: easychat-deliver [--once | --vapid-key]\n",
		    stderr);
		return 2;
	}
	log_init("deliver", NULL);
	if (cfg_load())
		return 1;
	if (keygen) {
		once = deliver_vapid_key();
		cfg_release();
		return once;
	}
	/* The VAPID key at first start, before any push needs it; a
	 * --once run (cron, tests) only uses one, and without it leaves the
	 * push jobs for their retry. */
	if (push_enabled() && push_vapid_key(&key, !once) && !once) {
		cfg_release();
		return 1;
	}
	poll_ms = cfg_get_long("DELIVER_POLL_MS", 5000);
	if (poll_ms < 10)
		poll_ms = 10;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = deliver_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	db_set_session_sql("LISTEN " WIRE_PG_OUTBOX);
	log_info("deliver: started (mail %s, push %s)",
	    mail_enabled() ? "on" : "off", push_enabled() ? "on" : "off");

	/* The search word queue (searchwords.h) is drained at least every
	 * SEARCH_WORDS_POLL_MS, so the wait below is no longer. */
	words_ms = cfg_get_long("SEARCH_WORDS_POLL_MS", 200);
	if (words_ms >= 10 && words_ms < poll_ms)
		poll_ms = words_ms;
	while (!deliver_stop) {
		if (time(NULL) - forgot > 3600) {
			push_forget_old();
			forgot = time(NULL);
		}
		/* drain what is due, then wait for a NOTIFY or the poll */
		do {
			rc = deliver_batch(&n);
		} while (rc == ERR_OK && n == DELIVER_BATCH && !deliver_stop);
		do {
			if (rc == ERR_OK)
				rc = searchwords_drain(0, &n);
		} while (
		    rc == ERR_OK && n == SEARCHWORDS_BATCH && !deliver_stop);
		/* Uploads never sent, and unreferenced attachment files
		 * (attach.h), every ATTACH_SWEEP_SECS. */
		if (once || time(NULL) >= next_sweep) {
			attach_sweep();
			next_sweep = time(NULL) +
			    cfg_get_long("ATTACH_SWEEP_SECS", 600);
		}
		digest_window = deliver_digest_window();
		if (rc == ERR_OK && digest_window > 0 &&
		    (once || time(NULL) >= next_digest)) {
			rc = deliver_digest(digest_window);
			next_digest = time(NULL) +
			    cfg_get_long("DIGEST_CHECK_SECONDS", 300);
		}
		if (once)
			break;
		if (rc)
			log_warn("deliver: database unavailable; retrying");
		if (db_wait_notify((int)poll_ms, &notified))
			poll(NULL, 0,
			    (int)poll_ms); /* down: the next try reconnects */
	}
	log_info("deliver: stopped");
	fetch_post_close();
	db_close();
	cfg_release();
	return once && rc ? 1 : 0;
}
