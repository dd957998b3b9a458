-- explain.sql - the plans of the rooms program's hot queries on a seeded
-- database (tests/bench/seed.sql).  The SQL text is that of
-- fcgi-apps/rooms/messages.c and rooms.c; keep them in step.
--
--   psql "$DATABASE_URL" -v room=500 -v user=50 -f tests/bench/explain.sql

\if :{?room}
\else
\set room 500
\endif
\if :{?user}
\else
\set user 50
\endif

SELECT last_message_id AS last FROM rooms WHERE id = :room
\gset

\echo == history page, newest first, no cursor (limit 50)
PREPARE page_before(bigint, bigint, int) AS
WITH page AS (SELECT m AS msg, m.id FROM messages m
    WHERE m.room_id = $1 AND m.id < $2 AND m.deleted_at IS NULL
    ORDER BY m.id DESC LIMIT $3::int + 1)
SELECT json_build_object('items', coalesce((SELECT
    json_agg(ec_message_json(p.msg, u, pr, q) ORDER BY p.id DESC)
    FROM (SELECT * FROM page ORDER BY id DESC LIMIT $3::int) p
    LEFT JOIN users u ON u.id = (p.msg).sender_id
    LEFT JOIN profiles pr ON pr.user_id = u.id
    LEFT JOIN messages q ON q.id = (p.msg).reply_to), '[]'),
    'has_more', (SELECT count(*) FROM page) > $3::int)::text;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE page_before(:room, 9223372036854775807, 50);

\echo == history page, newest first, before= the middle of the room
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE page_before(:room, :last / 2, 50);

\echo == history page, oldest first, after= the middle of the room
PREPARE page_after(bigint, bigint, int) AS
WITH page AS (SELECT m AS msg, m.id FROM messages m
    WHERE m.room_id = $1 AND m.id > $2 AND m.deleted_at IS NULL
    ORDER BY m.id ASC LIMIT $3::int + 1)
SELECT json_build_object('items', coalesce((SELECT
    json_agg(ec_message_json(p.msg, u, pr, q) ORDER BY p.id ASC)
    FROM (SELECT * FROM page ORDER BY id ASC LIMIT $3::int) p
    LEFT JOIN users u ON u.id = (p.msg).sender_id
    LEFT JOIN profiles pr ON pr.user_id = u.id
    LEFT JOIN messages q ON q.id = (p.msg).reply_to), '[]'),
    'has_more', (SELECT count(*) FROM page) > $3::int)::text;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE page_after(:room, :last / 2, 50);

\echo == the same pages as generic plans (what a long-lived connection may use)
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE page_before(:room, :last / 2, 50);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE page_after(:room, :last / 2, 50);
RESET plan_cache_mode;

\echo == GET /api/rooms/{id}: room + unread_count for a user
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT (ec_room_json(r) || jsonb_build_object(
    'last_read_id', coalesce(k.last_read_id, 0),
    'unread_count', (SELECT count(*) FROM messages m
    WHERE m.room_id = r.id AND m.id > coalesce(k.last_read_id, 0)
    AND m.deleted_at IS NULL
    AND m.sender_id IS DISTINCT FROM :user::bigint)))::text
FROM rooms r LEFT JOIN read_markers k
ON k.room_id = r.id AND k.user_id = :user WHERE r.id = :room;

\echo == timing: 1000 pages (limit 50) at random places of random rooms
\timing on
DO $$
DECLARE
	i int;
	r bigint;
	c bigint;
	t text;
BEGIN
	FOR i IN 1 .. 1000 LOOP
		SELECT id, (last_message_id * random())::bigint INTO r, c
		FROM rooms OFFSET floor(random() * 1000) LIMIT 1;
		WITH page AS (SELECT m AS msg, m.id FROM messages m
		    WHERE m.room_id = r AND m.id < c AND m.deleted_at IS NULL
		    ORDER BY m.id DESC LIMIT 50 + 1)
		SELECT json_build_object('items', coalesce((SELECT
		    json_agg(ec_message_json(p.msg, u, pr, q) ORDER BY p.id DESC)
		    FROM (SELECT * FROM page ORDER BY id DESC LIMIT 50) p
		    LEFT JOIN users u ON u.id = (p.msg).sender_id
		    LEFT JOIN profiles pr ON pr.user_id = u.id
		    LEFT JOIN messages q ON q.id = (p.msg).reply_to), '[]'),
		    'has_more', (SELECT count(*) FROM page) > 50)::text INTO t;
	END LOOP;
END $$;
\timing off
