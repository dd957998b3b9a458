-- 40_groups.sql: the `group`, `member` and `topic` objects of the groups
-- program, shared by its REST answers and relay events.  Current
-- definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0003 and 0006.  After 30_rooms.sql:
-- a topic's rooms are `room` objects.
--
-- They take a row, so that an UPDATE ... RETURNING can render the new row
-- in the same statement.

-- The `group` object of REST answers and group.updated events: the
-- group's own fields, nothing that depends on who looks at it.
CREATE OR REPLACE FUNCTION ec_group_json(g groups) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', g.id,
		'name', g.name,
		'description', g.description,
		'category', g.category,
		'is_public', g.is_public,
		'icon_url', '/media/' || g.icon,
		'wallpaper_url', '/media/' || g.wallpaper,
		'created_at', ec_ts(g.created_at))
$$;

-- The `member` object without `online` (that comes from Redis).
CREATE OR REPLACE FUNCTION ec_member_json(m group_members) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'user', ec_user_json(m.user_id),
		'role', m.role,
		'joined_at', ec_ts(m.joined_at),
		'timed_out_until', CASE WHEN m.timed_out_until > now()
			THEN ec_ts(m.timed_out_until) END)
$$;

-- The `topic` object of REST answers and topic.* events: its rooms carry
-- only what is the same for every member (no read marker; the group
-- detail adds the caller's unread_count and last_read_id).
CREATE OR REPLACE FUNCTION ec_topic_json(t topics) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', t.id,
		'group_id', t.group_id,
		'name', t.name,
		'rooms', COALESCE((SELECT jsonb_agg(ec_room_json(r) ORDER BY r.id)
		    FROM rooms r WHERE r.topic_id = t.id), '[]'::jsonb))
$$;
