-- seed.sql - fills a migrated Easy Chat database with benchmark data:
-- 100 users, 10 groups of 100 rooms (1 k rooms), 1 M messages spread
-- evenly over the rooms (ids interleaved, as in real traffic), each user a
-- member of every group with a read marker somewhere in each room.
--
--   . VAR/stack.env
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f tests/bench/seed.sql
--   psql ... -v messages=100000 -v rooms=100 -f tests/bench/seed.sql
--
-- Every run adds a new set (names carry a random tag), so it may run on a
-- database that already has data.  About 30-60 s for 1 M messages on a
-- laptop; everything is set-based (generate_series), no client round trips.
-- The user password is 'correct horse battery' (the tests' PASSWORD):
-- the hash below is a real argon2id hash of it, so benchmark clients can
-- sign in as bench_<tag>_<n>.

\set ON_ERROR_STOP 1
\if :{?messages}
\else
\set messages 1000000
\endif
\if :{?rooms}
\else
\set rooms 1000
\endif
\if :{?users}
\else
\set users 100
\endif
\set groups 10
\set hash '$argon2id$v=19$m=19456,t=2,p=1$8ZkGHaEiBDoZcEkrtkMJqQ$ej4Z2XoBGep/QhNsdW/EKeV5EqD6fuYe2/NV3Z4xTvY'

SELECT substr(md5(random()::text || clock_timestamp()::text), 1, 8) AS tag
\gset
\echo seeding tag :tag: :users users, :rooms rooms, :messages messages

\timing on
BEGIN;

CREATE TEMP TABLE seed_users ON COMMIT DROP AS
WITH u AS (
	INSERT INTO users (username, password_hash)
	SELECT 'bench_' || :'tag' || '_' || n, :'hash'
	FROM generate_series(1, :users) n
	RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) AS n FROM u;
INSERT INTO profiles (user_id, full_name)
SELECT id, 'Bench User ' || n FROM seed_users;

CREATE TEMP TABLE seed_groups ON COMMIT DROP AS
WITH g AS (
	INSERT INTO groups (name, description, category)
	SELECT 'bench ' || :'tag' || ' ' || n, 'benchmark group ' || n, 'Science'
	FROM generate_series(1, :groups) n
	RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) AS n FROM g;

INSERT INTO group_members (group_id, user_id, role)
SELECT g.id, u.id, CASE WHEN u.n = 1 THEN 'owner' WHEN u.n <= 3 THEN 'admin'
    WHEN u.n <= 6 THEN 'moderator' ELSE 'member' END
FROM seed_groups g CROSS JOIN seed_users u;

CREATE TEMP TABLE seed_topics ON COMMIT DROP AS
WITH t AS (
	INSERT INTO topics (group_id, name)
	SELECT id, 'General' FROM seed_groups
	RETURNING id, group_id)
SELECT * FROM t;

-- Rooms numbered 0 .. rooms-1, spread over the groups.
CREATE TEMP TABLE seed_rooms ON COMMIT DROP AS
WITH r AS (
	INSERT INTO rooms (topic_id, group_id, name)
	SELECT t.id, t.group_id, 'room ' || k
	FROM generate_series(0, :rooms - 1) k
	JOIN seed_groups g ON g.n = k % :groups + 1
	JOIN seed_topics t ON t.group_id = g.id
	RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM r;
CREATE INDEX ON seed_rooms (n);
ANALYZE seed_rooms;
ANALYZE seed_users;

-- Message i goes to room i % rooms, so each room's ids interleave with the
-- others' like real traffic; created_at grows with the id over 30 days.
-- Ids come from the messages sequence, in order.
INSERT INTO messages (room_id, sender_id, text, created_at)
SELECT r.id, u.id,
    'bench message ' || i || ' ' || md5(i::text),
    now() - interval '30 days' * (1 - i::float8 / :messages)
FROM generate_series(0, :messages - 1) i
JOIN seed_rooms r ON r.n = i % :rooms
JOIN seed_users u ON u.n = (i * 7) % :users + 1
ORDER BY i;

UPDATE rooms r SET last_message_id = m.last
FROM (SELECT room_id, max(id) AS last FROM messages
    WHERE room_id IN (SELECT id FROM seed_rooms) GROUP BY room_id) m
WHERE r.id = m.room_id;

-- Each user has read each room up to a random point of its history.
INSERT INTO read_markers (user_id, room_id, last_read_id)
SELECT u.id, r.id, (r.last_message_id * (0.5 + random() / 2))::bigint
FROM seed_users u CROSS JOIN rooms r
WHERE r.id IN (SELECT id FROM seed_rooms);

COMMIT;
ANALYZE users;
ANALYZE profiles;
ANALYZE groups;
ANALYZE group_members;
ANALYZE topics;
ANALYZE rooms;
ANALYZE messages;
ANALYZE read_markers;
\timing off

SELECT :'tag' AS tag, count(*) AS rooms,
    min(id) AS first_room, max(id) AS last_room
FROM rooms WHERE name LIKE 'room %' AND group_id IN
    (SELECT id FROM groups WHERE name LIKE 'bench ' || :'tag' || ' %');
