-- explain-indexes.sql - the plans of every query that reads messages by
-- room or by date, on a seeded database (tests/bench/seed.sql): the
-- evidence for which b-tree indexes of messages a plan needs (0086).
-- The SQL is that of fcgi-apps/rooms/messages.c, rooms.c, groups.c and
-- search/search.c; keep them in step.
--
--   psql "$DATABASE_URL" -v room=500 -v user=50 -f tests/bench/explain-indexes.sql

\if :{?room}
\else
\set room 500
\endif
\if :{?user}
\else
\set user 50
\endif
SET plan_cache_mode = force_custom_plan;

\echo == history page, newest first (rooms program)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT m.id FROM messages m
WHERE m.room_id = :room AND m.id < 9223372036854775807 AND m.deleted_at IS NULL
ORDER BY m.id DESC LIMIT 51;

\echo == unread count of one room (GET /api/rooms/{id}, groups list)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM messages m WHERE m.room_id = :room
AND m.id > (SELECT last_message_id - 200 FROM rooms WHERE id = :room)
AND m.deleted_at IS NULL AND m.sender_id IS DISTINCT FROM :user;

\echo == search: the newest 10000 messages of a few rooms (search program)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT m.* FROM unnest(ARRAY[:room, :room + 1, :room + 2]::bigint[]) AS r(id)
CROSS JOIN LATERAL (SELECT m.id, m.room_id, m.sender_id, m.created_at,
    m.deleted_at, m.search FROM messages m WHERE m.room_id = r.id
    AND m.id <= 9223372036854775807 AND m.deleted_at IS NULL
    ORDER BY m.id DESC LIMIT 10000) m
ORDER BY m.id DESC LIMIT 10000;

\echo == every message of a room, deleted ones too: ON DELETE CASCADE of rooms
EXPLAIN (COSTS OFF)
DELETE FROM messages WHERE room_id = :room;

SELECT created_at AS day FROM messages
WHERE id = (SELECT (min(id) + max(id)) / 2 FROM messages)
\gset
\echo == search before:DAY: the newest message before a day (search_top)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT COALESCE((SELECT id FROM messages
    WHERE created_at < :'day'::timestamptz
    ORDER BY created_at DESC LIMIT 1), 0) + 1000;

\echo == the same since 0086: bisecting the primary key (and the two answers)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT ec_messages_id_before(:'day'::timestamptz) + 1000;
SELECT ec_messages_id_before(:'day'::timestamptz) AS bisected,
    (SELECT max(id) FROM messages WHERE created_at < :'day'::timestamptz) AS exact;

\echo == index sizes
SELECT indexrelid::regclass AS index, pg_size_pretty(pg_relation_size(indexrelid)) AS size,
    idx_scan AS scans
FROM pg_stat_user_indexes WHERE relname = 'messages' ORDER BY 1;
