-- 36_dms.sql: the `Conversation` object of direct messages (users program,
-- fcgi-apps/users/openapi.yaml) over conversations (migration 0045).

-- A conversation as `viewer` sees it: the hidden group's id, its room,
-- every participant (a `UserSummary`), and the viewer's unread and
-- mention counts (after their read marker, not deleted, not their own).
CREATE OR REPLACE FUNCTION ec_conversation_json(c conversations, viewer bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', c.group_id,
		'room_id', c.room_id,
		'is_group', c.pair IS NULL,
		'members', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'id', u.id,
			'username', u.username,
			'full_name', p.full_name,
			'icon_url', '/media/' || p.icon) ORDER BY u.id)
			FROM group_members gm JOIN users u ON u.id = gm.user_id
			JOIN profiles p ON p.user_id = u.id
			WHERE gm.group_id = c.group_id), '[]'::jsonb),
		'last_message_id', r.last_message_id,
		'last_read_id', coalesce(k.last_read_id, 0),
		'unread_count', CASE WHEN r.last_message_id >
			coalesce(k.last_read_id, 0) THEN (SELECT count(*)
			FROM messages x WHERE x.room_id = r.id
			AND x.id > coalesce(k.last_read_id, 0)
			AND x.deleted_at IS NULL
			AND x.sender_id IS DISTINCT FROM viewer) ELSE 0 END,
		'mention_count', (SELECT count(*) FROM mentions mn
			JOIN messages x ON x.id = mn.message_id
			WHERE mn.user_id = viewer AND mn.room_id = r.id
			AND mn.message_id > coalesce(k.last_read_id, 0)
			AND x.deleted_at IS NULL),
		'created_at', ec_ts(c.created_at))
	FROM rooms r LEFT JOIN read_markers k
		ON k.room_id = r.id AND k.user_id = viewer
	WHERE r.id = c.room_id
$$;
