/* push.c - Web Push for the chat: VAPID key, subscription checks and the
 * sending of push jobs (push.h says what and why). */
#include "push.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cfg.h"
#include "db.h"
#include "fetch.h"
#include "log.h"
#include "mem.h"
#include "presence.h"

#define PUSH_ENDPOINT_MAX 2048
/* Bytes of message text a push carries (cut at a character): enough for
 * a notification's lines, far inside the 4 KB record. */
#define PUSH_TEXT_MAX 300

int
push_enabled(void)
{
	return cfg_get_long("PUSH_ENABLED", 0) == 1;
}

/* VAPID_KEY_FILE, relative to EASYCHAT_VAR; ERR_INTERNAL for a relative
 * path without EASYCHAT_VAR (never a key in whatever directory a tool
 * was started from). */
static enum err_code
push_key_path(char *out, size_t size)
{
	const char *p = cfg_get("VAPID_KEY_FILE", "vapid.key");

	if (p[0] == '/') {
		snprintf(out, size, "%s", p);
	} else if (cfg.var_dir != NULL && cfg.var_dir[0] != '\0') {
		snprintf(out, size, "%s/%s", cfg.var_dir, p);
	} else {
		log_error("push: VAPID_KEY_FILE %s is relative and "
		          "EASYCHAT_VAR is not set",
		    p);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err_code
push_vapid_key(struct webpush_key *key, int create)
{
	char path[1024], line[WEBPUSH_B64_MAX + 2];
	enum err_code rc = ERR_OK;
	FILE *f = NULL;
	size_t n;
	int fd;

	if (push_key_path(path, sizeof(path)))
		return ERR_INTERNAL;
	if (create) {
		/* O_EXCL: of two deliverers starting at once, one writes and
		 * the other reads what it wrote. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd >= 0) {
			rc = webpush_key_generate(key);
			webpush_b64(line, key->priv, WEBPUSH_PRIV_LEN);
			n = strlen(line);
			line[n++] = '\n';
			if (rc == ERR_OK && write(fd, line, n) != (ssize_t)n) {
				log_error("push: cannot write %s: %s", path,
				    strerror(errno));
				rc = ERR_INTERNAL;
			}
			close(fd);
			if (rc == ERR_OK)
				log_info("push: made the VAPID key %s", path);
			else
				unlink(path);
			return rc;
		}
		if (errno != EEXIST) {
			log_error("push: cannot create %s: %s", path,
			    strerror(errno));
			return ERR_INTERNAL;
		}
	}
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return ERR_NOT_ENABLED;
		log_error("push: cannot read %s: %s", path, strerror(errno));
		return ERR_INTERNAL;
	}
	if (fgets(line, sizeof(line), f) == NULL) {
		rc = ERR_INTERNAL;
		goto out;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (webpush_key_load(key, line) != ERR_OK)
		rc = ERR_INTERNAL;
out:
	if (rc)
		log_error("push: %s holds no VAPID private key", path);
	fclose(f);
	return rc;
}

/* 1 when `host` (of an http:// URL) is an IPv4 address in 127.0.0.0/8. */
static int
push_loopback_host(const char *host, size_t len)
{
	struct in_addr a;
	char tmp[16];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, host, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET, tmp, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

const char *
push_check_subscription(const char *endpoint, const char *p256dh,
    const char *auth, const char **field)
{
	unsigned char pub[WEBPUSH_PUB_LEN], secret[WEBPUSH_AUTH_LEN];
	unsigned char ct[WEBPUSH_BODY_MAX];
	size_t len, host_len, ct_len;
	const char *host;

	*field = "endpoint";
	len = strlen(endpoint);
	if (len > PUSH_ENDPOINT_MAX)
		return "is longer than 2048 bytes";
	if (strcspn(endpoint, " \t\r\n\"<>\\") != len)
		return "is not a URL";
	if (strncasecmp(endpoint, "https://", 8) == 0) {
		host = endpoint + 8;
	} else if (strncasecmp(endpoint, "http://", 7) == 0 &&
	    cfg_get_long("PUSH_ALLOW_HTTP_LOOPBACK", 0) == 1) {
		host = endpoint + 7;
		host_len = strcspn(host, ":/?#");
		if (!push_loopback_host(host, host_len))
			return "must be https:// (http:// only to 127.0.0.0/8)";
	} else {
		return "must be an https:// URL";
	}
	/* user:password@ would hide the real host from the checks below */
	if (memchr(host, '@', strcspn(host, "/?#")) != NULL)
		return "must not carry a user name or password";
	if (host[0] == '[')
		host_len = strcspn(host, "]/?#") + 1;
	else
		host_len = strcspn(host, ":/?#");
	if (host_len == 0 || (host[0] == '[' && host[host_len - 1] != ']'))
		return "has no host";
	/* A literal address, or localhost; a name is checked on the address
	 * the deliverer connects to (push_send). */
	if (cfg_get_long("PUSH_ALLOW_PRIVATE", 0) != 1 &&
	    fetch_host_public(host, host_len) == 0)
		return "is not a public address (private, loopback or local)";

	*field = "p256dh";
	if (webpush_unb64(pub, sizeof(pub), p256dh) != ERR_OK || pub[0] != 4)
		return "is not a 65-byte uncompressed P-256 key (base64url)";
	/* Encrypting a byte is the check that the point is on the curve. */
	*field = "auth";
	if (webpush_unb64(secret, sizeof(secret), auth) != ERR_OK)
		return "is not a 16-byte secret (base64url)";
	*field = "p256dh";
	if (webpush_encrypt(ct, &ct_len, pub, secret,
	        (const unsigned char *)"x", 1, NULL, NULL) != ERR_OK)
		return "is not a point on the P-256 curve";
	*field = NULL;
	return NULL;
}

/* One recipient device and what to tell it. */
struct push_target {
	int64_t sub_id, user_id, message_id, room_id;
	const char *endpoint, *p256dh, *auth;
	int urgent;
};

/* Sends `json` to one device; ERR_OK when done with (sent, or the
 * subscription is gone and was deleted, or refused for good). */
/* Deletes a subscription that must not be sent to again (gone at the
 * push service, or not a public address).  ERR_UNAVAILABLE when the
 * delete failed, so the job is retried. */
static enum err_code
push_drop(int64_t sub_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "/* ec:background push gone */ "
	    "DELETE FROM push_subscriptions WHERE id = $1",
	    DB_I64(sub_id));
	db_res_free(res);
	return rc ? ERR_UNAVAILABLE : ERR_OK;
}

static enum err_code
push_send(const struct push_target *t, const char *json, char *err, size_t size,
    long *retry_after)
{
	unsigned char ua[WEBPUSH_PUB_LEN], auth[WEBPUSH_AUTH_LEN];
	unsigned char body[WEBPUSH_BODY_MAX];
	static struct webpush_key vapid;
	static int have_vapid;
	char authz[WEBPUSH_VAPID_MAX + 32], vapid_hdr[WEBPUSH_VAPID_MAX];
	char ttl[32], topic[40], refused[FETCH_ADDR_MAX];
	const char *subject, *headers[8];
	size_t body_len;
	long status = 0;
	enum err_code rc;

	if (!have_vapid) {
		/* made at start (easychat-deliver, conf/stack.sh) */
		rc = push_vapid_key(&vapid, 0);
		if (rc) {
			snprintf(err, size, "no VAPID key");
			return ERR_UNAVAILABLE;
		}
		have_vapid = 1;
	}
	if (webpush_unb64(ua, sizeof(ua), t->p256dh) ||
	    webpush_unb64(auth, sizeof(auth), t->auth) ||
	    webpush_encrypt(body, &body_len, ua, auth,
	        (const unsigned char *)json, strlen(json), NULL, NULL)) {
		log_error("push: subscription %lld has bad keys; dropped",
		    (long long)t->sub_id);
		return ERR_OK;
	}
	subject = cfg_get("PUSH_SUBJECT",
	    cfg.norigins > 0 ? cfg.origins[0] : "mailto:admin@localhost");
	if (webpush_vapid(vapid_hdr, &vapid, t->endpoint, subject, time(NULL),
	        12 * 3600)) {
		log_error("push: subscription %lld has a bad endpoint; dropped",
		    (long long)t->sub_id);
		return ERR_OK;
	}
	snprintf(authz, sizeof(authz), "Authorization: %s", vapid_hdr);
	snprintf(ttl, sizeof(ttl), "TTL: %ld", cfg_get_long("PUSH_TTL", 86400));
	/* One pending push per room at the push service (RFC 8030 5.4). */
	snprintf(topic, sizeof(topic), "Topic: room%lld",
	    (long long)t->room_id);
	headers[0] = authz;
	headers[1] = ttl;
	headers[2] = topic;
	headers[3] = t->urgent ? "Urgency: high" : "Urgency: normal";
	headers[4] = "Content-Encoding: aes128gcm";
	headers[5] = "Content-Type: application/octet-stream";
	headers[6] = NULL;
	rc = fetch_post(t->endpoint, body, body_len, headers,
	    cfg_get_long("PUSH_ALLOW_PRIVATE", 0) != 1, &status, retry_after,
	    refused);
	if (rc == ERR_FORBIDDEN) {
		/* Never to be sent there: a stored literal, or a name that
		 * resolves into the operator's network (SSRF). */
		log_error("push: subscription %lld refused (not a public "
		          "address: %s); deleted",
		    (long long)t->sub_id, refused);
		return push_drop(t->sub_id);
	}
	if (rc == ERR_OK && (status == 404 || status == 410)) {
		log_info("push: subscription %lld is gone (%ld); deleted",
		    (long long)t->sub_id, status);
		return push_drop(t->sub_id);
	}
	if (rc == ERR_OK && status >= 200 && status < 300)
		return ERR_OK;
	if (rc == ERR_OK && status != 429 && status < 500) {
		log_error("push: the push service refused subscription %lld "
		          "(%ld); dropped",
		    (long long)t->sub_id, status);
		return ERR_OK;
	}
	snprintf(err, size, "push service answered %ld", status);
	return ERR_UNAVAILABLE;
}

/* Sends one push, then records it in push_sent (which the recipients
 * query and the hourly cap read).  At least once: a crash before the
 * send leaves no record, and the job, taken again when its lease ends,
 * sends it then; a crash between the send and the record sends it twice,
 * which the push service folds into one while it is undelivered (the
 * per-room Topic) and the service worker too once shown (its per-room
 * notification tag).  The opposite order lost the push for good. */
static enum err_code
push_deliver(const struct push_target *t, const char *json, char *err,
    size_t size, long *retry_after)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = push_send(t, json, err, size, retry_after);
	if (rc)
		return rc;
	rc = db_query(&res,
	    "/* ec:background push record */ "
	    "INSERT INTO push_sent (message_id, subscription_id, user_id)"
	    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
	    DB_I64(t->message_id), DB_I64(t->sub_id), DB_I64(t->user_id));
	db_res_free(res);
	if (rc)
		snprintf(err, size, "database unavailable");
	return rc ? ERR_UNAVAILABLE : ERR_OK;
}

/* Appends at most PUSH_TEXT_MAX bytes of `text`, cut at a character. */
static void
push_add_text(json_object *o, const char *key, const char *text)
{
	size_t n = strlen(text);

	if (n > PUSH_TEXT_MAX) {
		n = PUSH_TEXT_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	json_object_object_add(o, key, json_object_new_string_len(text, n));
}

/* Whether to push `message_id` of `room_id` to the user now, in one
 * statement: under the hourly cap (PUSH_PER_USER_HOUR, counted in
 * push_sent), and no push from the room in the last
 * PUSH_COLLAPSE_SECONDS; otherwise the message is counted in push_rooms,
 * and the first one counted in a window schedules the summary job for
 * its end.  A message over the cap is dropped.  The same message again
 * (its job retried after a crash or a failed send: push_deliver) gets
 * the answer it got the first time, so the retry sends it. */
static enum err_code
push_may_send(int64_t user_id, int64_t room_id, int64_t message_id, int *now)
{
	struct db_res *res = NULL, *job = NULL;
	long secs = cfg_get_long("PUSH_COLLAPSE_SECONDS", 60);
	enum err_code rc;

	*now = 0;
	rc = db_query(&res,
	    "/* ec:background push collapse */ "
	    "WITH cap AS (SELECT count(DISTINCT message_id) < $5 AS ok"
	    "  FROM push_sent WHERE user_id = $1::bigint"
	    "  AND sent_at > now() - interval '1 hour'),"
	    " up AS (INSERT INTO push_rooms AS p"
	    "  (user_id, room_id, last_sent_at, pending, last_message_id)"
	    "  SELECT $1::bigint, $2::bigint, now(), 0, $3::bigint FROM cap"
	    "  WHERE cap.ok ON CONFLICT (user_id, room_id)"
	    "  DO UPDATE SET pending = CASE"
	    "   WHEN p.last_message_id = $3::bigint THEN p.pending"
	    "   WHEN p.last_sent_at > now() - make_interval(secs => $4)"
	    "   THEN p.pending + 1 ELSE 0 END,"
	    "  last_sent_at = CASE"
	    "   WHEN p.last_message_id = $3::bigint THEN p.last_sent_at"
	    "   WHEN p.last_sent_at > now() - make_interval(secs => $4)"
	    "   THEN p.last_sent_at ELSE now() END,"
	    "  last_message_id = $3::bigint"
	    "  RETURNING p.pending, (p.last_sent_at +"
	    "   make_interval(secs => $4))::text AS due),"
	    " again AS (SELECT true AS again FROM push_rooms"
	    "  WHERE user_id = $1::bigint AND room_id = $2::bigint"
	    "  AND last_message_id = $3::bigint) "
	    "SELECT coalesce(up.pending, -1), up.due,"
	    " EXISTS (SELECT 1 FROM again) FROM cap LEFT JOIN up ON true",
	    DB_I64(user_id), DB_I64(room_id), DB_I64(message_id), DB_I64(secs),
	    DB_I64(cfg_get_long("PUSH_PER_USER_HOUR", 60)));
	if (rc)
		goto out;
	*now = db_int(res, 0, 0) == 0;
	/* `again`: the job is taken again after a crash or a failure (the
	 * statement's snapshot shows the row before this update); its
	 * summary, if any, was scheduled the first time. */
	if (db_int(res, 0, 0) == 1 && !db_bool(res, 0, 2)) {
		rc = db_query(&job,
		    "/* ec:background push summary */ "
		    "INSERT INTO outbox (kind, payload, run_after)"
		    " VALUES ('push', jsonb_build_object('user_id', $1::bigint,"
		    " 'room_id', $2::bigint), $3::timestamptz)",
		    DB_I64(user_id), DB_I64(room_id),
		    DB_TEXT(db_value(res, 0, 1)));
		db_res_free(job);
	}
out:
	db_res_free(res);
	return rc;
}

/* The recipients of a message job: every subscription of a member other
 * than the sender whom notify_level() says to tell, that has not had
 * this message yet.  Columns: 0 sub id, 1 user, 2 endpoint, 3 p256dh,
 * 4 auth, 5 hide text, 6 urgent, 7 room, 8 group, 9 is DM, 10 room name,
 * 11 sender, 12 text. */
static const char push_sql_recipients[] =
    "/* ec:background push recipients */ "
    "WITH m AS (SELECT m.id, m.room_id, m.sender_id, m.text, r.group_id,"
    "  r.name AS room_name, coalesce(u.username, 'someone') AS sender,"
    "  c.group_id IS NOT NULL AS is_dm FROM messages m"
    "  JOIN rooms r ON r.id = m.room_id"
    "  LEFT JOIN users u ON u.id = m.sender_id"
    "  LEFT JOIN conversations c ON c.room_id = m.room_id"
    "  WHERE m.id = $1 AND m.deleted_at IS NULL) "
    "SELECT s.id, s.user_id, s.endpoint, s.p256dh, s.auth,"
    " notify_hide_text(s.user_id), m.is_dm OR mn.user_id IS NOT NULL,"
    " m.room_id, m.group_id, m.is_dm, m.room_name, m.sender, m.text"
    " FROM m JOIN group_members gm ON gm.group_id = m.group_id"
    " JOIN push_subscriptions s ON s.user_id = gm.user_id"
    " LEFT JOIN mentions mn ON mn.message_id = m.id"
    "  AND mn.user_id = s.user_id"
    " WHERE s.user_id IS DISTINCT FROM m.sender_id"
    " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = s.user_id"
    "  AND b.blocked_id = m.sender_id)"
    " AND NOT EXISTS (SELECT 1 FROM push_sent p WHERE p.message_id = m.id"
    "  AND p.subscription_id = s.id)"
    " AND CASE notify_level(s.user_id, m.room_id) WHEN 'all' THEN true"
    "  WHEN 'mentions' THEN mn.user_id IS NOT NULL ELSE false END"
    " ORDER BY s.user_id, s.id";

/* The JSON a device gets for message row i of push_sql_recipients. */
static char *
push_message_json(const struct db_res *res, size_t i, int64_t message_id)
{
	json_object *o = json_object_new_object();
	char title[300], url[96];
	int is_dm = db_bool(res, i, 9);
	char *out;

	if (is_dm)
		snprintf(title, sizeof(title), "%s", db_value(res, i, 11));
	else
		snprintf(title, sizeof(title), "%s in #%s",
		    db_value(res, i, 11), db_value(res, i, 10));
	if (is_dm)
		snprintf(url, sizeof(url), "/dm/%lld",
		    (long long)db_int(res, i, 8));
	else
		snprintf(url, sizeof(url), "/room/%lld?m=%lld",
		    (long long)db_int(res, i, 7), (long long)message_id);
	json_object_object_add(o, "type", json_object_new_string("message"));
	json_object_object_add(o, "room_id",
	    json_object_new_int64(db_int(res, i, 7)));
	json_object_object_add(o, "message_id",
	    json_object_new_int64(message_id));
	json_object_object_add(o, "sender",
	    json_object_new_string(db_value(res, i, 11)));
	json_object_object_add(o, "title", json_object_new_string(title));
	if (!db_bool(res, i, 5))
		push_add_text(o, "body", db_value(res, i, 12));
	json_object_object_add(o, "url", json_object_new_string(url));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

/* A message job: every recipient, each user once for presence, the cap
 * and collapsing, then each of their devices. */
static enum err_code
push_message_job(int64_t message_id, char *err, size_t size, long *retry_after)
{
	struct db_res *res = NULL;
	enum err_code rc, failed = ERR_OK;
	int64_t user = -1, *users = NULL;
	int skip = 0, ok, *online = NULL;
	size_t i, n;

	rc = db_query(&res, push_sql_recipients, DB_I64(message_id));
	if (rc)
		goto out;
	/* Presence now, at send time (whoever has the app open sees the
	 * message there), of every recipient in one Redis round trip. */
	n = db_rows(res);
	users = mem_calloc(n + 1, sizeof(*users));
	online = mem_calloc(n + 1, sizeof(*online));
	for (i = 0; i < n; i++)
		users[i] = db_int(res, i, 1);
	presence_many(users, n, online);
	for (i = 0; i < n; i++) {
		struct push_target t = {
			.sub_id = db_int(res, i, 0),
			.user_id = db_int(res, i, 1),
			.endpoint = db_value(res, i, 2),
			.p256dh = db_value(res, i, 3),
			.auth = db_value(res, i, 4),
			.urgent = db_bool(res, i, 6),
			.room_id = db_int(res, i, 7),
			.message_id = message_id,
		};
		char *json;

		if (t.user_id != user) {
			user = t.user_id;
			skip = online[i];
			if (!skip) {
				rc = push_may_send(user, t.room_id, message_id,
				    &ok);
				if (rc)
					goto out;
				skip = !ok;
			}
		}
		if (skip)
			continue;
		json = push_message_json(res, i, message_id);
		rc = push_deliver(&t, json, err, size, retry_after);
		free(json);
		if (rc == ERR_UNAVAILABLE)
			failed = rc; /* the others still go now */
		else if (rc)
			goto out;
	}
	rc = failed;
out:
	if (rc && err[0] == '\0')
		snprintf(err, size, "database unavailable");
	free(users);
	free(online);
	db_res_free(res);
	return rc;
}

/* Ends a summary: the `n` messages it told of are no longer pending and
 * a new collapse window starts.  Any counted while it was being sent
 * stay, with a summary job of their own at the window's end: push_may_send
 * schedules one only for the first message counted, which these were
 * not. */
static enum err_code
push_summary_done(int64_t user_id, int64_t room_id, int64_t n)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "/* ec:background push summary done */ "
	    "WITH d AS (UPDATE push_rooms SET pending = greatest(pending - $3,"
	    "  0), last_sent_at = now() WHERE user_id = $1 AND room_id = $2"
	    "  RETURNING pending, last_sent_at + make_interval(secs => $4)"
	    "  AS due) "
	    "INSERT INTO outbox (kind, payload, run_after)"
	    " SELECT 'push', jsonb_build_object('user_id', $1::bigint,"
	    " 'room_id', $2::bigint), d.due FROM d WHERE d.pending > 0",
	    DB_I64(user_id), DB_I64(room_id), DB_I64(n),
	    DB_I64(cfg_get_long("PUSH_COLLAPSE_SECONDS", 60)));
	db_res_free(res);
	return rc;
}

/* A summary job: "N new messages in #room" to a user whose pushes from
 * the room were collapsed during the last minute. */
static enum err_code
push_summary_job(int64_t user_id, int64_t room_id, char *err, size_t size,
    long *retry_after)
{
	struct db_res *res = NULL, *subs = NULL;
	enum err_code rc, failed = ERR_OK;
	json_object *o = NULL;
	char body[320], url[96];
	int64_t n, message_id;
	const char *json;
	size_t i;

	/* Read, send, then reset the count (push_summary_done): a crash
	 * before the reset sends the summary again when the job is retried
	 * (at least once, as push_deliver). */
	rc = db_query(&res,
	    "/* ec:background push summary */ "
	    "SELECT p.pending, p.last_message_id, r.name,"
	    " EXISTS (SELECT 1 FROM conversations c WHERE c.room_id = r.id),"
	    " r.group_id FROM push_rooms p JOIN rooms r ON r.id = p.room_id"
	    " WHERE p.user_id = $1 AND p.room_id = $2 AND p.pending > 0",
	    DB_I64(user_id), DB_I64(room_id));
	if (rc || db_rows(res) == 0)
		goto out;
	n = db_int(res, 0, 0);
	if (presence_one(user_id)) {
		rc = push_summary_done(user_id, room_id, n);
		goto out;
	}
	message_id = db_int(res, 0, 1);
	if (db_bool(res, 0, 3)) {
		snprintf(body, sizeof(body), "%lld new message%s", (long long)n,
		    n == 1 ? "" : "s");
		snprintf(url, sizeof(url), "/dm/%lld",
		    (long long)db_int(res, 0, 4));
	} else {
		snprintf(body, sizeof(body), "%lld new message%s in #%s",
		    (long long)n, n == 1 ? "" : "s", db_value(res, 0, 2));
		snprintf(url, sizeof(url), "/room/%lld?m=%lld",
		    (long long)room_id, (long long)message_id);
	}
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("summary"));
	json_object_object_add(o, "room_id", json_object_new_int64(room_id));
	json_object_object_add(o, "message_id",
	    json_object_new_int64(message_id));
	json_object_object_add(o, "count", json_object_new_int64(n));
	json_object_object_add(o, "title", json_object_new_string(body));
	json_object_object_add(o, "url", json_object_new_string(url));
	json = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	/* not those a failed try already reached */
	rc = db_query(&subs,
	    "/* ec:background push devices */ "
	    "SELECT id, endpoint, p256dh, auth FROM push_subscriptions s"
	    " WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM push_sent p"
	    "  WHERE p.message_id = $2 AND p.subscription_id = s.id)"
	    " ORDER BY id",
	    DB_I64(user_id), DB_I64(message_id));
	if (rc)
		goto out;
	for (i = 0; i < db_rows(subs); i++) {
		struct push_target t = {
			.sub_id = db_int(subs, i, 0),
			.user_id = user_id,
			.endpoint = db_value(subs, i, 1),
			.p256dh = db_value(subs, i, 2),
			.auth = db_value(subs, i, 3),
			.room_id = room_id,
			.message_id = message_id,
		};

		rc = push_deliver(&t, json, err, size, retry_after);
		if (rc == ERR_UNAVAILABLE)
			failed = rc;
		else if (rc)
			goto out;
	}
	rc = failed;
	if (rc == ERR_OK)
		rc = push_summary_done(user_id, room_id, n);
out:
	if (rc && err[0] == '\0')
		snprintf(err, size, "database unavailable");
	json_object_put(o);
	db_res_free(subs);
	db_res_free(res);
	return rc;
}

enum err_code
push_job(const char *payload, char *err, size_t size, long *retry_after)
{
	json_object *p = json_tokener_parse(payload), *v;
	enum err_code rc = ERR_OK;

	err[0] = '\0';
	*retry_after = 0;
	if (p != NULL && json_object_object_get_ex(p, "message_id", &v)) {
		rc = push_message_job(json_object_get_int64(v), err, size,
		    retry_after);
	} else if (p != NULL && json_object_object_get_ex(p, "user_id", &v)) {
		json_object *room;

		if (json_object_object_get_ex(p, "room_id", &room))
			rc = push_summary_job(json_object_get_int64(v),
			    json_object_get_int64(room), err, size,
			    retry_after);
	} else {
		log_error("push: dropping a malformed job");
	}
	json_object_put(p);
	return rc;
}

void
push_forget_old(void)
{
	struct db_res *res = NULL;

	if (db_query(&res,
	        "/* ec:background push forget */ "
	        "DELETE FROM push_sent WHERE sent_at < now() - interval '1 "
	        "day'"))
		log_warn("push: could not forget old pushes");
	db_res_free(res);
}
