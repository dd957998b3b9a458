/* hub.c - local users and groups, reference-counted subscriptions,
 * fan-out of Redis messages, presence.
 *
 * A user exists here while they have at least one local session; the
 * relay receives `user:<id>` for each such user (bus.c: one pattern) and
 * `group:<id>` for each group with at least one local member.  Each
 * Redis message is skimmed once for its type (frame_scan) and becomes one
 * frame shared by every recipient.
 *
 * Presence: hash online:<user_id>, one field per relay holding the user
 * (value: unix time of its last refresh), expiring PRESENCE_TTL after the
 * last refresh.  Two small Lua scripts make "first connection anywhere"
 * and "last connection anywhere" atomic across relays; fields of relays
 * that stopped refreshing (crashed) are dropped as stale.
 */
#include "relay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mem.h"
#include "wire.h"

/* How many rooms' typing checks a user keeps (the rooms they type in). */
#define HUB_CHECKS 8

/* One typing check (hub_typing): the room's group and until when the user
 * is timed out there, reused for RELAY_TYPING_CHECK_MS. */
struct hub_check {
	int64_t room_id; /* 0: free slot */
	int64_t group_id;
	double until; /* relay_now() time the timeout ends; 0 if none */
	double at;    /* when it was asked */
};

struct ruser {
	int64_t id;
	/* Tells a user re-created from the one a typing reply is for. */
	uint64_t serial;
	struct session *sessions;
	unsigned nsessions;
	int64_t *groups;
	uint32_t ngroups, capgroups;
	char *full_name_json;
	char status[16];
	uint32_t mver;      /* membership events seen (see hub_reload) */
	uint8_t subscribed; /* user:<id> acknowledged once */
	uint8_t status_due; /* u->status not saved yet (hub_status_due) */
	double status_at;   /* last status save */
	/* HUB_CHECKS slots, allocated by the first kept check: most users
	 * never type, and 256 bytes each were an eighth of an idle
	 * connection's memory. */
	struct hub_check *checks;
	uint32_t checks_gen;     /* bumped when checks are dropped */
	uint32_t checks_pending; /* typing queries in flight */
};

struct rgroup {
	int64_t id;
	struct ruser **members;
	uint32_t n, cap;
};

/* A presence change to publish (after its save): the user may be gone
 * by then, so it carries its own copy of their groups. */
struct hub_gone {
	int64_t user_id;
	int64_t *groups;
	size_t ngroups;
	char status[16];
	int online;
};

struct hub_typing_req {
	int64_t user_id;
	uint64_t serial;
	uint32_t gen;
	int64_t room_id;
	int is_typing;
};

static struct map hub_users, hub_groups;
static uint64_t hub_serial;
static ev_timer hub_refresh_timer;
/* Users whose last `status` frame waits for its save (coalesced). */
static struct map hub_status_due;
static ev_timer hub_status_timer;

static void hub_status_flush(struct ruser *u);

/* KEYS[1] online:<uid>; ARGV: relay id, now, ttl.  Returns how many
 * OTHER relays hold the user (stale fields dropped). */
static const char HUB_ONLINE_LUA[] =
    "local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]) "
    "local t = redis.call('HGETALL', KEYS[1]) local n = 0 "
    "for i = 1, #t, 2 do if t[i] ~= ARGV[1] then "
    "if now - (tonumber(t[i+1]) or 0) > ttl then "
    "redis.call('HDEL', KEYS[1], t[i]) else n = n + 1 end end end "
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
    "redis.call('EXPIRE', KEYS[1], ttl) return n";

/* Same arguments; removes this relay; returns how many remain. */
static const char HUB_OFFLINE_LUA[] =
    "local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]) "
    "redis.call('HDEL', KEYS[1], ARGV[1]) "
    "local t = redis.call('HGETALL', KEYS[1]) local n = 0 "
    "for i = 1, #t, 2 do "
    "if now - (tonumber(t[i+1]) or 0) > ttl then "
    "redis.call('HDEL', KEYS[1], t[i]) else n = n + 1 end end return n";

static const char SQL_ONLINE[] =
    "UPDATE profiles SET status = default_status WHERE user_id = $1";
static const char SQL_OFFLINE[] =
    "UPDATE profiles SET status = 'Offline', last_seen = now() "
    "WHERE user_id = $1";
static const char SQL_STATUS[] =
    "UPDATE profiles SET status = $2, default_status = $2 "
    "WHERE user_id = $1";
/* The room's group and the seconds left of the user's timeout there
 * (migration 0050; 0 when none): a timed-out user's typing is dropped.
 * Kept per user and room for RELAY_TYPING_CHECK_MS (hub_typing), and
 * dropped as soon as a member.updated about the user passes here (a
 * timeout set or lifted), so the check costs no query per frame and a
 * timeout still applies at once. */
static const char SQL_ROOM[] =
    "SELECT r.group_id, COALESCE(GREATEST(extract(epoch FROM "
    "m.timed_out_until - now()), 0), 0) FROM rooms r "
    "LEFT JOIN group_members m ON m.group_id = r.group_id "
    "AND m.user_id = $2 WHERE r.id = $1";

/* ---- groups ------------------------------------------------------------ */

static int
hub_user_has(const struct ruser *u, int64_t gid)
{
	uint32_t i;

	for (i = 0; i < u->ngroups; i++) {
		if (u->groups[i] == gid)
			return 1;
	}
	return 0;
}

static void
hub_join(struct ruser *u, int64_t gid)
{
	struct rgroup *g;
	char ch[WIRE_NAME_MAX];

	if (gid <= 0 || hub_user_has(u, gid))
		return;
	if (u->ngroups == u->capgroups) {
		u->capgroups = u->capgroups ? u->capgroups * 2 : 4;
		u->groups = mem_realloc(u->groups,
		    u->capgroups * sizeof(*u->groups));
	}
	u->groups[u->ngroups++] = gid;
	g = map_get(&hub_groups, gid);
	if (g == NULL) {
		g = mem_calloc(1, sizeof(*g));
		g->id = gid;
		map_put(&hub_groups, gid, g);
		wire_channel_group(ch, gid);
		bus_subscribe(ch);
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->members = mem_realloc(g->members,
		    g->cap * sizeof(*g->members));
	}
	g->members[g->n++] = u;
}

static void
hub_leave(struct ruser *u, int64_t gid)
{
	struct rgroup *g;
	struct session *s;
	uint32_t i;
	char ch[WIRE_NAME_MAX];

	for (i = 0; i < u->ngroups; i++) {
		if (u->groups[i] == gid)
			break;
	}
	if (i == u->ngroups)
		return;
	u->groups[i] = u->groups[--u->ngroups];
	for (s = u->sessions; s; s = s->next) {
		if (s->focus == gid)
			s->focus = 0;
	}
	g = map_get(&hub_groups, gid);
	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		if (g->members[i] == u) {
			g->members[i] = g->members[--g->n];
			break;
		}
	}
	if (g->n == 0) {
		map_del(&hub_groups, gid);
		wire_channel_group(ch, gid);
		bus_unsubscribe(ch);
		free(g->members);
		free(g);
	}
}

/* Makes u's groups exactly ids[0..n). */
static void
hub_set_groups(struct ruser *u, const int64_t *ids, size_t n)
{
	size_t i, j;
	int keep;

	for (i = 0; i < u->ngroups;) {
		keep = 0;
		for (j = 0; j < n; j++) {
			if (ids[j] == u->groups[i])
				keep = 1;
		}
		if (keep)
			i++;
		else
			hub_leave(u, u->groups[i]);
	}
	for (j = 0; j < n; j++)
		hub_join(u, ids[j]);
}

int
hub_member(const struct session *s, int64_t gid)
{
	return s->user && hub_user_has(s->user, gid);
}

unsigned
hub_sessions_of(int64_t user_id)
{
	struct ruser *u = map_get(&hub_users, user_id);

	return u ? u->nsessions : 0;
}

int64_t
hub_user_id(const struct session *s)
{
	return s->user ? s->user->id : 0;
}

/* ---- presence ---------------------------------------------------------- */

static void
hub_publish_presence(int64_t uid, const int64_t *groups, size_t n,
    const char *status, int online)
{
	char ch[WIRE_NAME_MAX], user[24], st[32];
	struct buf msg;
	size_t i;

	buf_init(&msg, 0);
	snprintf(user, sizeof(user), "%" PRId64, uid);
	snprintf(st, sizeof(st), "\"%.16s\"",
	    status); /* one of wire_statuses */
	for (i = 0; i < n; i++) {
		wire_channel_group(ch, groups[i]);
		buf_reset(&msg);
		wire_event(&msg, WIRE_EV_PRESENCE, groups[i], "user_id", user,
		    "status", st, "online", online ? "true" : "false", NULL);
		bus_publish(ch, msg.data, msg.len);
	}
	buf_release(&msg);
}

static struct hub_gone *
hub_gone_new(int64_t uid, const int64_t *groups, size_t n, const char *status,
    int online)
{
	struct hub_gone *g = mem_calloc(1, sizeof(*g));

	g->user_id = uid;
	g->ngroups = n;
	g->groups = mem_calloc(n ? n : 1, sizeof(int64_t));
	if (n)
		memcpy(g->groups, groups, n * sizeof(int64_t));
	snprintf(g->status, sizeof(g->status), "%s", status);
	g->online = online;
	return g;
}

static void
hub_gone_free(struct hub_gone *g)
{
	free(g->groups);
	free(g);
}

/* The status is saved: now tell the groups, so a client that reads the
 * profile on a presence event sees the same. */
static void
hub_saved_cb(const struct pg_res *res, void *arg)
{
	struct hub_gone *g = arg;

	hub_publish_presence(g->user_id, g->groups, g->ngroups, g->status,
	    g->online);
	hub_gone_free(g);
}

static void
hub_save_and_publish(const char *sql, int nparams, const char *status,
    struct hub_gone *g)
{
	const char *params[2];
	char id[24];

	snprintf(id, sizeof(id), "%" PRId64, g->user_id);
	params[0] = id;
	params[1] = status;
	pg_query(hub_saved_cb, g, sql, nparams, params);
}

static void
hub_online_cb(const struct bus_reply *reply, void *arg)
{
	int64_t uid = (int64_t)(intptr_t)arg;
	struct ruser *u;
	long long others;

	if (bus_reply_int(reply, &others) || others != 0)
		return;
	/* Nobody else held the user: they just came online. */
	u = map_get(&hub_users, uid);
	if (u == NULL)
		return; /* already gone again; offline follows */
	hub_save_and_publish(SQL_ONLINE, 1, NULL,
	    hub_gone_new(uid, u->groups, u->ngroups, u->status, 1));
}

static void
hub_offline_cb(const struct bus_reply *reply, void *arg)
{
	struct hub_gone *g = arg;
	long long left;

	if (bus_reply_int(reply, &left) == 0 && left == 0 &&
	    map_get(&hub_users, g->user_id) == NULL) {
		hub_save_and_publish(SQL_OFFLINE, 1, NULL, g);
		return;
	}
	hub_gone_free(g);
}

static void
hub_refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	long long now = (long long)relay_now();
	char key[WIRE_NAME_MAX];
	struct map_iter it;
	int64_t uid;

	map_iter_init(&it, &hub_users);
	while (map_next(&it, &uid, NULL)) {
		wire_key_online(key, uid);
		if (bus_command(NULL, NULL, "HSET %s %s %lld", key,
		        relay_conf.id, now))
			return;
		bus_command(NULL, NULL, "EXPIRE %s %ld", key,
		    relay_conf.presence_ttl);
	}
}

/* ---- sessions ---------------------------------------------------------- */

void
hub_attach(struct session *s, struct relay_auth *a)
{
	struct ruser *u;
	struct frame *f;
	int fresh = 0;

	u = map_get(&hub_users, a->user_id);
	if (u == NULL) {
		char ch[WIRE_NAME_MAX];

		u = mem_calloc(1, sizeof(*u));
		u->id = a->user_id;
		u->serial = ++hub_serial;
		map_put(&hub_users, u->id, u);
		wire_channel_user(ch, u->id);
		bus_subscribe(ch);
		metrics.users++;
		fresh = 1;
	}
	free(u->full_name_json);
	u->full_name_json = a->full_name_json;
	a->full_name_json = NULL;
	snprintf(u->status, sizeof(u->status), "%s", a->status);
	/* The handshake's group list was read before user:<id> was
	 * subscribed, so a membership event published in between is not
	 * in it: a new user's list is loaded again once the subscription
	 * is acknowledged (hub_subscribed), and a user already here keeps
	 * the live view, which is newer than this list. */
	if (fresh)
		hub_set_groups(u, a->groups, a->ngroups);
	s->user = u;
	s->session_id = a->session_id;
	s->prev = NULL;
	s->next = u->sessions;
	if (u->sessions)
		u->sessions->prev = s;
	u->sessions = s;
	u->nsessions++;
	metrics.connections++;
	f = frame_printf("{\"type\":\"hello\",\"user_id\":%" PRId64 ","
	                 "\"heartbeat_ms\":%ld}",
	    u->id, relay_conf.heartbeat_ms);
	ws_push(s, f);
	frame_unref(f);
	if (fresh) {
		char key[WIRE_NAME_MAX];

		wire_key_online(key, u->id);
		if (bus_command(hub_online_cb, (void *)(intptr_t)u->id,
		        "EVAL %s 1 %s %s %lld %ld", HUB_ONLINE_LUA, key,
		        relay_conf.id, (long long)relay_now(),
		        relay_conf.presence_ttl))
			log_warn("redis down: presence of user %" PRId64
			         " not recorded",
			    u->id);
	}
}

void
hub_detach(struct session *s)
{
	struct ruser *u = s->user;
	struct hub_gone *g;
	char ch[WIRE_NAME_MAX];

	if (u == NULL)
		return;
	s->user = NULL;
	if (s->prev)
		s->prev->next = s->next;
	else
		u->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	u->nsessions--;
	metrics.connections--;
	if (u->nsessions > 0)
		return;
	hub_status_flush(u);
	g = hub_gone_new(u->id, u->groups, u->ngroups, "Offline", 0);
	while (u->ngroups > 0)
		hub_leave(u, u->groups[u->ngroups - 1]);
	wire_channel_user(ch, u->id);
	bus_unsubscribe(ch);
	map_del(&hub_users, u->id);
	metrics.users--;
	free(u->groups);
	free(u->full_name_json);
	free(u->checks);
	free(u);
	wire_key_online(ch, g->user_id);
	if (bus_command(hub_offline_cb, g, "EVAL %s 1 %s %s %lld %ld",
	        HUB_OFFLINE_LUA, ch, relay_conf.id, (long long)relay_now(),
	        relay_conf.presence_ttl)) {
		/* Redis is down: the key expires by itself. */
		hub_gone_free(g);
	}
}

/* ---- client frames ------------------------------------------------------ */

static void
hub_status_save(struct ruser *u)
{
	u->status_due = 0;
	u->status_at = relay_now();
	hub_save_and_publish(SQL_STATUS, 2, u->status,
	    hub_gone_new(u->id, u->groups, u->ngroups, u->status, 1));
}

static int
hub_status_keep(int64_t uid, void *val, void *arg)
{
	struct ruser *u = val;

	if (relay_now() - u->status_at < relay_conf.status_ms / 1000.0)
		return 1;
	hub_status_save(u);
	return 0;
}

static void
hub_status_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	map_retain(&hub_status_due, hub_status_keep, NULL);
	if (hub_status_due.len == 0)
		ev_timer_stop(relay_loop, &hub_status_timer);
}

/* A user's pending status is saved now (their last session is leaving). */
static void
hub_status_flush(struct ruser *u)
{
	if (!u->status_due)
		return;
	map_del(&hub_status_due, u->id);
	hub_status_save(u);
}

/* Each save is an UPDATE and a presence event per group: a user's status
 * is saved at most once per RELAY_STATUS_INTERVAL_MS, the last value of
 * a burst winning (like typing, a flood costs one save per interval). */
void
hub_set_status(struct session *s, const char *status)
{
	struct ruser *u = s->user;

	if (u == NULL)
		return;
	if (strcmp(u->status, status) == 0 && !u->status_due)
		return; /* nothing changes */
	snprintf(u->status, sizeof(u->status), "%s", status);
	if (relay_now() - u->status_at >= relay_conf.status_ms / 1000.0) {
		if (u->status_due)
			map_del(&hub_status_due, u->id);
		hub_status_save(u);
		return;
	}
	if (u->status_due)
		return;
	u->status_due = 1;
	map_put(&hub_status_due, u->id, u);
	if (!ev_is_active(&hub_status_timer)) {
		ev_timer_set(&hub_status_timer, 0.1, 0.1);
		ev_timer_start(relay_loop, &hub_status_timer);
	}
}

static void
hub_typing_publish(struct ruser *u, int64_t gid, int64_t room_id, int is_typing)
{
	char ch[WIRE_NAME_MAX], room[24], user[24];
	struct buf msg;

	if (!hub_user_has(u, gid))
		return;
	snprintf(room, sizeof(room), "%" PRId64, room_id);
	snprintf(user, sizeof(user), "%" PRId64, u->id);
	buf_init(&msg, 0);
	wire_event(&msg, WIRE_EV_TYPING, gid, "room_id", room, "user_id", user,
	    "full_name", u->full_name_json ? u->full_name_json : "\"\"",
	    "is_typing", is_typing ? "true" : "false", NULL);
	wire_channel_group(ch, gid);
	bus_publish(ch, msg.data, msg.len);
	buf_release(&msg);
}

static struct hub_check *
hub_check_find(struct ruser *u, int64_t room_id)
{
	unsigned i;

	for (i = 0; u->checks && i < HUB_CHECKS; i++) {
		if (u->checks[i].room_id == room_id)
			return &u->checks[i];
	}
	return NULL;
}

/* Keeps a check, in the room's slot, a free one or the oldest. */
static void
hub_check_keep(struct ruser *u, int64_t room_id, int64_t gid, double left)
{
	struct hub_check *c = hub_check_find(u, room_id);
	unsigned i;

	if (u->checks == NULL)
		u->checks = mem_calloc(HUB_CHECKS, sizeof(*u->checks));
	for (i = 0; c == NULL && i < HUB_CHECKS; i++) {
		if (u->checks[i].room_id == 0)
			c = &u->checks[i];
	}
	if (c == NULL) {
		c = &u->checks[0];
		for (i = 1; i < HUB_CHECKS; i++) {
			if (u->checks[i].at < c->at)
				c = &u->checks[i];
		}
	}
	c->room_id = room_id;
	c->group_id = gid;
	c->at = relay_now();
	c->until = left > 0 ? c->at + left : 0;
}

/* A member.updated about user u in group gid passed: their checks of
 * that group's rooms are asked again (the timeout may have changed), and
 * answers already on their way are not kept. */
static void
hub_checks_drop(struct ruser *u, int64_t gid)
{
	unsigned i;

	for (i = 0; u->checks && i < HUB_CHECKS; i++) {
		if (u->checks[i].group_id == gid)
			memset(&u->checks[i], 0, sizeof(u->checks[i]));
	}
	u->checks_gen++;
}

/* The member's user id in a member.updated ({"member":{"user":{"id"}}});
 * 0 when it cannot be read. */
static int64_t
hub_member_user(const char *msg, size_t len)
{
	const char *m, *usr;
	size_t mlen, ulen;
	int64_t uid;

	if (frame_scan(msg, len, "member", &m, &mlen) ||
	    frame_scan(m, mlen, "user", &usr, &ulen) ||
	    frame_scan_int(usr, ulen, "id", &uid))
		return 0;
	return uid;
}

static void
hub_room_cb(const struct pg_res *res, void *arg)
{
	struct hub_typing_req *t = arg;
	struct ruser *u;
	const char *v, *left;
	int64_t gid;

	u = map_get(&hub_users, t->user_id);
	if (u && u->serial != t->serial)
		u = NULL; /* the user left and came back since */
	if (u && u->checks_pending > 0)
		u->checks_pending--;
	if (res == NULL || pg_rows(res) != 1 ||
	    (v = pg_value(res, 0, 0)) == NULL ||
	    (left = pg_value(res, 0, 1)) == NULL || u == NULL) {
		free(t);
		return;
	}
	gid = strtoll(v, NULL, 10);
	/* Asked before a member.updated that passed since: used for this
	 * frame (as if it had come first) but not kept. */
	if (t->gen == u->checks_gen && relay_conf.typing_check_ms > 0)
		hub_check_keep(u, t->room_id, gid, strtod(left, NULL));
	if (strtod(left, NULL) <= 0)
		hub_typing_publish(u, gid, t->room_id, t->is_typing);
	free(t);
}

void
hub_typing(struct session *s, int64_t room_id, int is_typing)
{
	struct ruser *u = s->user;
	struct hub_typing_req *t;
	struct hub_check *c;
	const char *params[2];
	char id[24], uid[24];
	double now = relay_now();

	if (u == NULL)
		return;
	/* A kept check, unless a query is in flight (its frame goes first:
	 * the start and stop of one session stay in order). */
	c = hub_check_find(u, room_id);
	if (c && u->checks_pending == 0 &&
	    now - c->at < relay_conf.typing_check_ms / 1000.0) {
		if (now >= c->until)
			hub_typing_publish(u, c->group_id, room_id, is_typing);
		return;
	}
	metrics.typing_checks++;
	u->checks_pending++;
	t = mem_alloc(sizeof(*t));
	t->user_id = u->id;
	t->serial = u->serial;
	t->gen = u->checks_gen;
	t->room_id = room_id;
	t->is_typing = is_typing;
	snprintf(id, sizeof(id), "%" PRId64, room_id);
	snprintf(uid, sizeof(uid), "%" PRId64, t->user_id);
	params[0] = id;
	params[1] = uid;
	pg_query(hub_room_cb, t, SQL_ROOM, 2, params);
}

/* ---- fan-out ----------------------------------------------------------- */

static void
hub_group_message(int64_t gid, const char *msg, size_t len)
{
	struct rgroup *g;
	struct session *s;
	struct frame *f;
	char type[48];
	enum wire_event ev;
	int64_t from = 0;
	uint32_t i;
	int focused;

	g = map_get(&hub_groups, gid);
	if (g == NULL)
		return;
	if (frame_scan_str(msg, len, "type", type, sizeof(type)))
		type[0] = '\0';
	ev = wire_event_parse(type);
	focused = ev == WIRE_EV_TYPING || ev == WIRE_EV_PRESENCE;
	if (ev == WIRE_EV_TYPING)
		frame_scan_int(msg, len, "user_id", &from);
	f = frame_new(msg, len);
	for (i = 0; i < g->n; i++) {
		if (from && g->members[i]->id == from)
			continue; /* one's own typing */
		for (s = g->members[i]->sessions; s; s = s->next) {
			if (focused && s->focus != gid)
				continue;
			ws_push(s, f);
		}
	}
	frame_unref(f);
	if (ev == WIRE_EV_MEMBER_UPDATED) {
		struct ruser *u = NULL;

		from = hub_member_user(msg, len);
		if (from > 0)
			u = map_get(&hub_users, from);
		if (u)
			hub_checks_drop(u, gid);
		/* Unreadable: every local member's checks of the group. */
		for (i = 0; from <= 0 && i < g->n; i++)
			hub_checks_drop(g->members[i], gid);
	}
	if (ev == WIRE_EV_GROUP_DELETED) {
		while ((g = map_get(&hub_groups, gid)) != NULL && g->n > 0)
			hub_leave(g->members[g->n - 1], gid);
	}
}

static void
hub_user_message(int64_t uid, const char *msg, size_t len)
{
	struct ruser *u;
	struct session *s;
	struct frame *f;
	const char *v;
	size_t vlen;
	char type[48];
	enum wire_event ev;
	int64_t gid, sid;

	u = map_get(&hub_users, uid);
	if (u == NULL)
		return;
	if (frame_scan_str(msg, len, "type", type, sizeof(type)))
		type[0] = '\0';
	ev = wire_event_parse(type);
	if (ev == WIRE_EV_MEMBERSHIP &&
	    frame_scan_int(msg, len, "group_id", &gid) == 0 &&
	    frame_scan(msg, len, "joined", &v, &vlen) == 0) {
		u->mver++;
		if (vlen == 4 && memcmp(v, "true", 4) == 0)
			hub_join(u, gid);
		else
			hub_leave(u, gid);
	}
	f = frame_new(msg, len);
	if (ev == WIRE_EV_SESSION_REVOKED) {
		/* Sign-out, reuse detection or a password change: the
		 * connections of that session end now, not at their next
		 * handshake. */
		if (frame_scan_int(msg, len, "session_id", &sid) == 0) {
			for (s = u->sessions; s; s = s->next) {
				if (s->session_id != sid)
					continue;
				ws_push(s, f);
				ws_close_after_queue(s, WS_CLOSE_REVOKED);
			}
		}
		frame_unref(f);
		return;
	}
	for (s = u->sessions; s; s = s->next)
		ws_push(s, f);
	frame_unref(f);
}

void
hub_deliver(const char *channel, const char *msg, size_t len)
{
	int64_t id;

	if (relay_stopping)
		return;
	switch (wire_channel_parse(channel, &id)) {
	case WIRE_CHANNEL_GROUP:
		hub_group_message(id, msg, len);
		break;
	case WIRE_CHANNEL_USER:
		hub_user_message(id, msg, len);
		break;
	default:
		break;
	}
}

static void
hub_presence_refresh(void)
{
	hub_refresh_cb(relay_loop, &hub_refresh_timer, 0);
}

/* ---- reconciliation with PostgreSQL ----------------------------------- */

/* A reload of some users' groups: each with the membership version it
 * had when the query was sent.  A user whose version moved meanwhile got
 * a membership event the query may predate: they are reloaded again
 * instead of being set from it. */
struct hub_reload {
	size_t n;
	struct {
		int64_t id;
		uint32_t mver;
	} u[];
};

static const char SQL_RELOAD[] =
    "SELECT user_id, string_agg(group_id::text, ',') FROM group_members "
    "WHERE user_id = ANY($1::bigint[]) GROUP BY user_id";

/* Sessions among $1 that are revoked or gone. */
static const char SQL_DEAD_SESSIONS[] =
    "SELECT q.id FROM unnest($1::bigint[]) AS q(id) "
    "LEFT JOIN sessions s ON s.id = q.id "
    "WHERE s.id IS NULL OR s.revoked_at IS NOT NULL";

static ev_timer hub_reconcile_timer;
static int hub_reloads_out;

static void hub_reload(const int64_t *ids, size_t n);

static void
hub_reload_cb(const struct pg_res *res, void *arg)
{
	struct hub_reload *rl = arg;
	struct ruser *u;
	int64_t *ids, *again;
	size_t i, k, n, nagain = 0;
	const char *groups;

	hub_reloads_out--;
	if (res == NULL || relay_stopping) {
		free(rl);
		return;
	}
	again = mem_calloc(rl->n ? rl->n : 1, sizeof(*again));
	for (k = 0; k < rl->n; k++) {
		u = map_get(&hub_users, rl->u[k].id);
		if (u == NULL)
			continue; /* gone meanwhile */
		if (u->mver != rl->u[k].mver) {
			again[nagain++] = u->id;
			continue;
		}
		/* No row: the user belongs to no group any more. */
		groups = NULL;
		for (i = 0; i < pg_rows(res); i++) {
			if (strtoll(pg_value(res, i, 0), NULL, 10) == u->id) {
				groups = pg_value(res, i, 1);
				break;
			}
		}
		ids = wire_parse_ids(groups, &n);
		hub_set_groups(u, ids, n);
		free(ids);
	}
	if (nagain > 0)
		hub_reload(again, nagain);
	free(again);
	free(rl);
}

/* Loads the groups of users ids[0..n) from PostgreSQL (one query) and
 * makes the local view match, subscribing and unsubscribing. */
static void
hub_reload(const int64_t *ids, size_t n)
{
	struct hub_reload *rl;
	struct ruser *u;
	struct buf arr;
	const char *params[1];
	size_t i;

	if (n == 0)
		return;
	rl = mem_alloc(sizeof(*rl) + n * sizeof(rl->u[0]));
	rl->n = 0;
	buf_init(&arr, 0);
	buf_putc(&arr, '{');
	for (i = 0; i < n; i++) {
		u = map_get(&hub_users, ids[i]);
		if (u == NULL)
			continue;
		buf_printf(&arr, "%s%" PRId64, rl->n ? "," : "", u->id);
		rl->u[rl->n].id = u->id;
		rl->u[rl->n].mver = u->mver;
		rl->n++;
	}
	buf_putc(&arr, '}');
	params[0] = arr.data;
	if (rl->n > 0) {
		hub_reloads_out++;
		pg_query(hub_reload_cb, rl, SQL_RELOAD, 1, params);
	} else {
		free(rl);
	}
	buf_release(&arr);
}

/* Every local user's id (malloc()ed; *n the count). */
static int64_t *
hub_user_ids(size_t *n)
{
	struct map_iter it;
	int64_t *ids, uid;

	ids = mem_calloc(hub_users.len ? hub_users.len : 1, sizeof(*ids));
	*n = 0;
	map_iter_init(&it, &hub_users);
	while (map_next(&it, &uid, NULL))
		ids[(*n)++] = uid;
	return ids;
}

static void
hub_dead_sessions_cb(const struct pg_res *res, void *arg)
{
	char id[WIRE_ID_MAX];
	struct buf msg;
	struct map_iter it;
	struct ruser *u;
	struct session *s;
	struct frame *f;
	int64_t sid;
	size_t i;
	void *v;

	if (res == NULL || relay_stopping)
		return;
	buf_init(&msg, 0);
	for (i = 0; i < pg_rows(res); i++) {
		sid = strtoll(pg_value(res, i, 0), NULL, 10);
		/* The event the programs would have published. */
		buf_reset(&msg);
		wire_event(&msg, WIRE_EV_SESSION_REVOKED, 0, "session_id",
		    wire_id(id, sid), NULL);
		f = frame_new(msg.data, msg.len);
		map_iter_init(&it, &hub_users);
		while (map_next(&it, NULL, &v)) {
			u = v;
			for (s = u->sessions; s; s = s->next) {
				if (s->session_id != sid)
					continue;
				log_info("session %" PRId64 " of user %" PRId64
				         " is revoked: closing",
				    sid, u->id);
				ws_push(s, f);
				ws_close_after_queue(s, WS_CLOSE_REVOKED);
			}
		}
		frame_unref(f);
	}
	buf_release(&msg);
}

/* A `session.revoked` lost with Redis must still end the session: asks
 * PostgreSQL which local sessions are revoked and closes them (4001). */
static void
hub_check_sessions(void)
{
	struct map_iter it;
	struct ruser *u;
	struct session *s;
	struct buf arr;
	const char *params[1];
	void *v;
	int any = 0;

	buf_init(&arr, 0);
	buf_putc(&arr, '{');
	map_iter_init(&it, &hub_users);
	while (map_next(&it, NULL, &v)) {
		u = v;
		for (s = u->sessions; s; s = s->next) {
			buf_printf(&arr, "%s%" PRId64, any ? "," : "",
			    s->session_id);
			any = 1;
		}
	}
	buf_putc(&arr, '}');
	params[0] = arr.data;
	if (any)
		pg_query(hub_dead_sessions_cb, NULL, SQL_DEAD_SESSIONS, 1,
		    params);
	buf_release(&arr);
}

/* Makes the local view match PostgreSQL: every user's groups and every
 * session's liveness.  With `tell`, sessions are first told to resync
 * (they may have missed events). */
static void
hub_reconcile(int tell)
{
	struct map_iter it;
	struct ruser *u;
	struct session *s;
	struct frame *f;
	int64_t *ids;
	size_t n;
	void *v;

	if (relay_stopping || hub_users.len == 0)
		return;
	if (tell) {
		f = frame_printf("{\"type\":\"resync\"}");
		map_iter_init(&it, &hub_users);
		while (map_next(&it, NULL, &v)) {
			u = v;
			for (s = u->sessions; s; s = s->next)
				ws_push(s, f);
		}
		frame_unref(f);
	}
	ids = hub_user_ids(&n);
	hub_reload(ids, n);
	free(ids);
	hub_check_sessions();
}

static void
hub_reconcile_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* Not while an earlier reload is still out (a slow database). */
	if (hub_reloads_out == 0)
		hub_reconcile(0);
}

/* Resyncs are at most HUB_RESYNC_GAP seconds apart: while Redis is down
 * every event a program publishes becomes a NOTIFY, and one resync covers
 * them all (one more runs at the end of the gap if any came meanwhile). */
#define HUB_RESYNC_GAP 1.0

static double hub_resync_at = -1e9;
static ev_timer hub_resync_timer;

static void
hub_resync_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	hub_resync_at = relay_now();
	log_info("resync (deferred): %llu sessions", metrics.connections);
	hub_reconcile(1);
}

void
hub_resync(const char *why)
{
	double wait = hub_resync_at + HUB_RESYNC_GAP - relay_now();

	if (ev_is_active(&hub_resync_timer))
		return; /* one is due already */
	if (wait > 0) {
		ev_timer_set(&hub_resync_timer, wait, 0);
		ev_timer_start(relay_loop, &hub_resync_timer);
		return;
	}
	hub_resync_at = relay_now();
	log_info("resync (%s): %llu sessions", why, metrics.connections);
	hub_reconcile(1);
}

static void
hub_redis_up(int reconnected)
{
	/* Membership events and revocations published while Redis was
	 * away are lost. */
	if (reconnected)
		hub_resync("redis is back");
}

/* Users whose user:<id> subscription was just acknowledged: reloaded
 * together from the loop (one query for a burst of acknowledgements). */
static int64_t *hub_acked;
static size_t hub_nacked, hub_capacked;
static ev_timer hub_acked_timer;

static void
hub_acked_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	hub_reload(hub_acked, hub_nacked);
	hub_nacked = 0;
}

static void hub_subscribed_user(struct ruser *u);

/* user:<id> is subscribed: from now on no membership event of the user
 * is missed, so the groups read at the handshake are read again.  The
 * user:* pattern acknowledged: every local user not subscribed yet. */
static void
hub_subscribed(const char *channel)
{
	struct map_iter it;
	struct ruser *u;
	void *v;
	int64_t id;

	if (wire_channel_parse(channel, &id) != WIRE_CHANNEL_USER) {
		if (strchr(channel, '*') == NULL)
			return;
		map_iter_init(&it, &hub_users);
		while (map_next(&it, NULL, &v))
			hub_subscribed_user(v);
		return;
	}
	u = map_get(&hub_users, id);
	if (u)
		hub_subscribed_user(u);
}

static void
hub_subscribed_user(struct ruser *u)
{
	if (u->subscribed)
		return;
	u->subscribed = 1;
	if (hub_nacked == hub_capacked) {
		hub_capacked = hub_capacked ? hub_capacked * 2 : 64;
		hub_acked = mem_realloc(hub_acked,
		    hub_capacked * sizeof(*hub_acked));
	}
	hub_acked[hub_nacked++] = u->id;
	if (!ev_is_active(&hub_acked_timer)) {
		ev_timer_set(&hub_acked_timer, 0, 0);
		ev_timer_start(relay_loop, &hub_acked_timer);
	}
}

const struct bus_handlers hub_bus_handlers = {
	.message = hub_deliver,
	.sub_up = hub_redis_up,
	.cmd_up = hub_presence_refresh,
	.subscribed = hub_subscribed,
};

void
hub_init(void)
{
	double every = (double)relay_conf.presence_ttl / 3;

	map_init(&hub_users);
	map_init(&hub_groups);
	map_init(&hub_status_due);
	ev_init(&hub_status_timer, hub_status_cb);
	ev_init(&hub_acked_timer, hub_acked_cb);
	ev_init(&hub_resync_timer, hub_resync_cb);
	ev_timer_init(&hub_refresh_timer, hub_refresh_cb, every, every);
	ev_timer_start(relay_loop, &hub_refresh_timer);
	if (relay_conf.reconcile_secs > 0) {
		ev_timer_init(&hub_reconcile_timer, hub_reconcile_cb,
		    relay_conf.reconcile_secs, relay_conf.reconcile_secs);
		ev_timer_start(relay_loop, &hub_reconcile_timer);
	}
}

void
hub_release(void)
{
	ev_timer_stop(relay_loop, &hub_refresh_timer);
	ev_timer_stop(relay_loop, &hub_reconcile_timer);
	ev_timer_stop(relay_loop, &hub_status_timer);
	ev_timer_stop(relay_loop, &hub_acked_timer);
	ev_timer_stop(relay_loop, &hub_resync_timer);
	map_release(&hub_status_due);
	free(hub_acked);
	hub_acked = NULL;
	hub_nacked = hub_capacked = 0;
	/* Sessions detached themselves when lws closed them. */
	if (hub_users.len || hub_groups.len)
		log_warn("hub: %zu users, %zu groups left at exit",
		    hub_users.len, hub_groups.len);
	map_release(&hub_users);
	map_release(&hub_groups);
}
