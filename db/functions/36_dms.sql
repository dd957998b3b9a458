-- 36_dms.sql: the `Conversation` object of direct messages (users program,
-- fcgi-apps/users/openapi.yaml) over conversations (migration 0045).

-- A conversation as `viewer` sees it: the hidden group's id, its room,
-- every participant (a `UserSummary`), and the viewer's unread and
-- mention counts (after their read marker, not deleted, not their own;
-- kept by the triggers of 34_counts.sql).
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
		'unread_count', ec_unread_count(r, k),
		'mention_count', coalesce(k.mention_count, 0),
		'created_at', ec_ts(c.created_at))
	FROM rooms r LEFT JOIN read_markers k
		ON k.room_id = r.id AND k.user_id = viewer
	WHERE r.id = c.room_id
$$;
