-- explain-groups.sql - the plan of GET /api/groups (fcgi-apps/groups/groups.c,
-- groups_list; keep the text in step) on a database seeded by
-- tests/bench/seed-bench.sh, for the member of 50 groups (500 rooms) that
-- the bench's reads-groups scenario uses.
--
--   psql "$DATABASE_URL" -v user=5001 -f tests/bench/explain-groups.sql

\if :{?user}
\else
\set user 5001
\endif

PREPARE groups_list(bigint, int, int) AS
WITH page AS (SELECT g.id, g.name, g.icon, m.role
  FROM group_members m JOIN groups g ON g.id = m.group_id
  WHERE m.user_id = $1
  AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.group_id = g.id)
  ORDER BY lower(g.name), g.id
  LIMIT $2::int + 1 OFFSET $3::int),
 counted AS (SELECT p.*, c.unread, c.mentions,
  row_number() OVER (ORDER BY lower(p.name), p.id) AS n
  FROM page p CROSS JOIN LATERAL (SELECT
  coalesce(sum(rm.msg_seq - coalesce(k.read_seq, 0)
   - CASE WHEN rm.last_deleted_id > coalesce(k.last_read_id, 0)
   THEN (SELECT count(*) FROM messages x WHERE x.room_id = rm.id
   AND x.id > coalesce(k.last_read_id, 0)
   AND x.deleted_at IS NOT NULL) ELSE 0 END), 0)::bigint AS unread,
  coalesce(sum(k.mention_count), 0)::bigint AS mentions
  FROM rooms rm LEFT JOIN read_markers k ON k.room_id = rm.id
  AND k.user_id = $1 WHERE rm.group_id = p.id) c)
SELECT json_build_object('items', COALESCE(json_agg(
 json_build_object('id', id, 'name', name,
  'icon_url', '/media/' || icon, 'my_role', role,
  'has_unread', unread > 0, 'unread_count', unread,
  'mention_count', mentions) ORDER BY n)
 FILTER (WHERE n <= $2::int), '[]'),
 'has_more', count(*) > $2::int)::text FROM counted;

\echo == GET /api/groups (limit 50), user :user
-- Six runs first so the plan cache settles on the generic plan the
-- FastCGI program's prepared statement ends up with.
EXECUTE groups_list(:user, 50, 0) \g /dev/null
EXECUTE groups_list(:user, 50, 0) \g /dev/null
EXECUTE groups_list(:user, 50, 0) \g /dev/null
EXECUTE groups_list(:user, 50, 0) \g /dev/null
EXECUTE groups_list(:user, 50, 0) \g /dev/null
EXECUTE groups_list(:user, 50, 0) \g /dev/null
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE groups_list(:user, 50, 0);
