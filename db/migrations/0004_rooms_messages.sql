-- 0004: the JSON of API.md's `room` and `message` objects, built once in
-- SQL so that REST answers and relay events share them (rooms program).
--
-- Both builders take a whole row, not an id, so that a history page or a
-- freshly inserted row (INSERT ... RETURNING, not yet visible to a later
-- lookup by id in the same statement) renders without a second scan.

-- API.md `room` (the fields every caller sees; GET /api/rooms/{id} adds the
-- caller's unread_count and last_read_id).
CREATE FUNCTION ec_room_json(r rooms) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', r.id,
		'group_id', r.group_id,
		'topic_id', r.topic_id,
		'name', r.name,
		'description', r.description,
		'last_message_id', r.last_message_id,
		'created_at', ec_ts(r.created_at))
$$;

-- API.md `message`.  A deleted message is never rendered by the rooms
-- program (pages leave it out); a reply to one shows text null.  A sender
-- whose account is gone (sender_id NULL) renders as sender null.
CREATE FUNCTION ec_message_json(m messages) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', m.id,
		'room_id', m.room_id,
		'sender', (SELECT jsonb_build_object(
				'id', u.id,
				'username', u.username,
				'full_name', p.full_name,
				'icon_url', '/media/' || p.icon)
			FROM users u JOIN profiles p ON p.user_id = u.id
			WHERE u.id = m.sender_id),
		'text', m.text,
		'reply_to', (SELECT jsonb_build_object(
				'id', q.id,
				'sender_id', q.sender_id,
				'text', CASE WHEN q.deleted_at IS NULL
					THEN q.text END)
			FROM messages q WHERE q.id = m.reply_to),
		'created_at', ec_ts(m.created_at),
		'edited_at', ec_ts(m.edited_at),
		'nonce', m.nonce)
$$;

-- Deleting a room cascades to its messages, and each deleted message sets
-- reply_to NULL in its replies: without this index every one of them would
-- scan the whole messages table.
CREATE INDEX messages_reply_to ON messages (reply_to)
	WHERE reply_to IS NOT NULL;

-- The cascade from rooms to read_markers (whose key leads with user_id).
CREATE INDEX read_markers_room ON read_markers (room_id);
