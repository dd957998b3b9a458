-- 0006: the `topic` object of the groups program.  It comes after 0004
-- because its rooms are the rooms program's `room` objects (ec_room_json).

-- The `topic` object of REST answers and topic.* events: its rooms carry
-- only what is the same for every member (no read marker; the group
-- detail adds the caller's unread_count and last_read_id).
CREATE FUNCTION ec_topic_json(t topics) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', t.id,
		'group_id', t.group_id,
		'name', t.name,
		'rooms', COALESCE((SELECT jsonb_agg(ec_room_json(r) ORDER BY r.id)
		    FROM rooms r WHERE r.topic_id = t.id), '[]'::jsonb))
$$;
