#!/usr/bin/env bash
# seed-bench.sh - fills an EMPTY benchmark database quickly (psql COPY from
# awk-generated rows) with the data set tests/bench/run.sh measures:
#
#   users 1..USERS (bench_000001 ...; no password: the benchmarks mint
#     access tokens with `wsload token`), one session each (id = user id)
#   group 1 "bench fan 1k": members 1..1000, one room (id 1)
#   group 2 "bench fan 5k": members 1..5000, one room (id 2)
#   groups 3..102 "bench hist NNN": 10 rooms each (rooms 3..1002), members
#     1..100, MESSAGES messages spread evenly over those 1000 rooms, senders
#     1..100, text of 4-16 words from a fixed vocabulary
#   user 5001: member of groups 3..52 only (GET /api/groups with 50 groups)
#   DIRGROUPS public "directory" groups named and described from the
#     vocabulary (group search), no members
#   read markers of users 1 and 5001 a few messages behind in every room
#
# Usage: seed-bench.sh USERS MESSAGES DIRGROUPS
# Needs DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD (from stack.env).
set -euo pipefail
users=${1:?usage: seed-bench.sh USERS MESSAGES DIRGROUPS}
messages=${2:?}
dirgroups=${3:?}
((users >= 5001)) || { echo "seed-bench: need at least 5001 users" >&2; exit 2; }

export PGPASSWORD=$DB_PASSWORD
psql_() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" \
		-d "$DB_NAME" "$@"
}

n=$(psql_ -t -A -c "SELECT count(*) FROM users")
if ((n != 0)); then
	echo "seed-bench: the database already has $n users; seed a fresh stack" >&2
	exit 1
fi

# The vocabulary: common words, so that search terms hit realistic
# fractions of the messages (and trigram typos have neighbours).
words="time person year way day thing man world life hand part child eye
woman place work week case point government company number group problem
fact be have do say get make go know take see come think look want give use
find tell ask seem feel try leave call good new first last long great little
own other old right big high different small large next early young important
few public bad same able to of in for on with at by from up about into over
after beneath under above the and a that I it not he as you this but his they
her she or an will my one all would there their what so if about who which
me when can like no just him people your some could them than then now only
its also back two how our well even want because any these most us water
music game science school history river mountain coffee dinner breakfast
guitar piano drums concert festival movie series episode season chapter book
library station train airport ticket weather rain snow sunny storm cloud
planet star galaxy rocket engine bicycle garden flower tree forest ocean beach
island bridge castle village city market kitchen recipe bread cheese pizza
pasta soup salad apple banana orange lemon chocolate cookie cake birthday
party wedding holiday travel journey adventure story legend hero dragon wizard
puzzle riddle question answer lesson homework exam teacher student professor
laboratory experiment theory equation physics chemistry biology algebra
geometry computer keyboard screen server network database browser website
password message chat server relay socket kernel compiler debugger function
variable pointer memory thread process signal packet router cable battery
charger phone camera photo picture painting drawing sketch colour purple green
yellow silver golden ancient modern quick slow bright dark quiet loud happy
sad funny serious strange familiar simple complex"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t0=$(date +%s.%N)
now=$(date +%s)

# --- users, profiles, sessions ---------------------------------------------
awk -v n="$users" 'BEGIN { for (i = 1; i <= n; i++) printf "%d\tbench_%06d\tbench%d@bench.invalid\n", i, i, i }' >"$tmp/users"
awk -v n="$users" 'BEGIN { for (i = 1; i <= n; i++) printf "%d\tBench User %d\tdefaults/icon-%d.png\tdefaults/wallpaper-%d.png\n", i, i, 1 + i % 8, 1 + i % 4 }' >"$tmp/profiles"

# --- groups, topics, rooms ---------------------------------------------------
{
	printf '1\tbench fan 1k\tfan-out benchmark, 1000 members\tUndefined\tt\n'
	printf '2\tbench fan 5k\tfan-out benchmark, 5000 members\tUndefined\tt\n'
	for ((g = 3; g <= 102; g++)); do
		printf '%d\tbench hist %03d\thistory benchmark group\tScience\tt\n' "$g" "$g"
	done
} >"$tmp/groups"
awk -v n="$dirgroups" -v words="$words" -v seed=7 '
BEGIN {
	srand(seed)
	nw = split(words, w, /[ \n]+/)
	cats[0] = "Gaming"; cats[1] = "Music"; cats[2] = "Education"
	cats[3] = "Science"; cats[4] = "Entertainment"; cats[5] = "Undefined"
	for (i = 0; i < n; i++) {
		id = 103 + i
		name = w[1 + int(rand() * nw)] " " w[1 + int(rand() * nw)] " " id
		d = ""
		k = 4 + int(rand() * 12)
		for (j = 0; j < k; j++) d = d (j ? " " : "") w[1 + int(rand() * nw)]
		printf "%d\t%s\t%s\t%s\tt\n", id, substr(name, 1, 35), substr(d, 1, 140), cats[i % 6]
	}
}' >>"$tmp/groups"
{
	for ((g = 1; g <= 102; g++)); do printf '%d\t%d\tGeneral\n' "$g" "$g"; done
} >"$tmp/topics"
{
	printf '1\t1\t1\thome\n'
	printf '2\t2\t2\thome\n'
	for ((r = 3; r <= 1002; r++)); do
		g=$((3 + (r - 3) / 10))
		printf '%d\t%d\t%d\troom-%d\n' "$r" "$g" "$g" "$((r - 3 - (g - 3) * 10))"
	done
} >"$tmp/rooms"

# --- memberships ---------------------------------------------------------------
awk 'BEGIN {
	for (u = 1; u <= 1000; u++) printf "1\t%d\t%s\n", u, u == 1 ? "owner" : "member"
	for (u = 1; u <= 5000; u++) printf "2\t%d\t%s\n", u, u == 1 ? "owner" : "member"
	for (g = 3; g <= 102; g++) for (u = 1; u <= 100; u++)
		printf "%d\t%d\t%s\n", g, u, u == 1 ? "owner" : "member"
	for (g = 3; g <= 52; g++) printf "%d\t5001\tmember\n", g
}' >"$tmp/members"

echo "seed-bench: loading $users users, $((102 + dirgroups)) groups, 1002 rooms"
psql_ -o /dev/null <<SQL
BEGIN;
\copy users (id, username, email) FROM '$tmp/users'
\copy profiles (user_id, full_name, icon, wallpaper) FROM '$tmp/profiles'
INSERT INTO sessions (id, user_id) SELECT id, id FROM users;
\copy groups (id, name, description, category, is_public) FROM '$tmp/groups'
\copy topics (id, group_id, name) FROM '$tmp/topics'
\copy rooms (id, topic_id, group_id, name) FROM '$tmp/rooms'
\copy group_members (group_id, user_id, role) FROM '$tmp/members'
SELECT setval('users_id_seq', (SELECT max(id) FROM users));
SELECT setval('sessions_id_seq', (SELECT max(id) FROM sessions));
SELECT setval('groups_id_seq', (SELECT max(id) FROM groups));
SELECT setval('topics_id_seq', (SELECT max(id) FROM topics));
SELECT setval('rooms_id_seq', (SELECT max(id) FROM rooms));
COMMIT;
SQL

# --- messages: streamed from awk straight into COPY ------------------------------
# Maintaining the GIN indexes (full-text, trigram) row by row is what makes
# a COPY of 1 M messages slow: drop the secondary indexes that back no
# constraint, load, and build them again in bulk, exactly as the
# migrations defined them.
psql_ -t -A -c "SELECT indexdef || ';' FROM pg_indexes i
	WHERE schemaname = 'public' AND tablename = 'messages'
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c
		WHERE c.conindid = (quote_ident(i.indexname))::regclass)" >"$tmp/indexes.sql"
psql_ -t -A -c "SELECT 'DROP INDEX ' || quote_ident(indexname) || ';' FROM pg_indexes i
	WHERE schemaname = 'public' AND tablename = 'messages'
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c
		WHERE c.conindid = (quote_ident(i.indexname))::regclass)" >"$tmp/drop.sql"
echo "seed-bench: loading $messages messages (without $(wc -l <"$tmp/indexes.sql") secondary indexes)"
psql_ -f "$tmp/drop.sql" >/dev/null
# The search word table (0012) is filled through a queue (0085, one row
# per message): its trigger is off for the bulk load, and the table is
# filled in one statement afterwards.
psql_ -c "ALTER TABLE messages DISABLE TRIGGER messages_search_words_queue" >/dev/null
# Nobody has Web Push on in the seed, so the push trigger (0075) would
# write nothing: off for the bulk load too.
psql_ -c "ALTER TABLE messages DISABLE TRIGGER messages_push" >/dev/null
# So is the counts trigger (0080), which would update the room row per
# message: the load numbers each room's messages itself (seq) and sets the
# rooms' counters afterwards.
psql_ -c "ALTER TABLE messages DISABLE TRIGGER messages_counts_new" >/dev/null
awk -v n="$messages" -v words="$words" -v now="$now" -v seed=11 '
BEGIN {
	srand(seed)
	nw = split(words, w, /[ \n]+/)
	span = 30 * 86400
	for (i = 1; i <= n; i++) {
		room = 3 + (i - 1) % 1000
		sender = 1 + int(rand() * 100)
		k = 4 + int(rand() * 13)
		t = w[1 + int(rand() * nw)]
		for (j = 1; j < k; j++) t = t " " w[1 + int(rand() * nw)]
		ts = now - span + int(span * i / n)
		seq = int((i - 1) / 1000) + 1
		printf "%d\t%d\t%d\t%s\t%s\t%d\n", i, room, sender, t, strftime("%Y-%m-%d %H:%M:%S+00", ts, 1), seq
	}
}' | psql_ -c "\\copy messages (id, room_id, sender_id, text, created_at, seq) FROM STDIN"

psql_ -o /dev/null <<SQL
ALTER TABLE messages ENABLE TRIGGER messages_search_words_queue;
ALTER TABLE messages ENABLE TRIGGER messages_push;
ALTER TABLE messages ENABLE TRIGGER messages_counts_new;
INSERT INTO search_words (word)
SELECT DISTINCT w FROM messages, unnest(tsvector_to_array(search)) w
WHERE octet_length(w) <= 64 ON CONFLICT DO NOTHING;
SQL

echo "seed-bench: building the messages indexes again"
# Two sessions (GIN builds use one core each).
for part in 0 1; do
	{ echo "SET maintenance_work_mem = '256MB';"; awk -v p=$part 'NR % 2 == p' "$tmp/indexes.sql"; } |
		psql_ >/dev/null &
done
wait
psql_ -o /dev/null <<SQL
BEGIN;
SELECT setval('messages_id_seq', GREATEST((SELECT max(id) FROM messages), 1));
UPDATE rooms r SET last_message_id = m.last, msg_seq = m.n
	FROM (SELECT room_id, max(id) AS last, count(*) AS n FROM messages
	GROUP BY room_id) m
	WHERE m.room_id = r.id;
INSERT INTO read_markers (user_id, room_id, last_read_id)
	SELECT gm.user_id, r.id, GREATEST(r.last_message_id - (r.id % 10), 0)
	FROM group_members gm JOIN rooms r ON r.group_id = gm.group_id
	WHERE gm.user_id IN (1, 5001)
	ON CONFLICT DO NOTHING;
COMMIT;
VACUUM ANALYZE;
SQL
# The counters set by hand above, checked against the rows: 0 rows to fix.
echo "seed-bench: counts corrected by ec_counts_rebuild(): $(psql_ -t -A -c "SELECT ec_counts_rebuild()")"
psql_ -o /dev/null <<SQL
VACUUM ANALYZE rooms, read_markers;
SQL
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "seed-bench: done in %.1f s\n", b - a }'
