-- 30_rooms.sql: API.md's `room` and `message` objects, built once in SQL
-- so that REST answers and relay events share them (rooms program).
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0004, ec_message_json reshaped in
-- 0007, the history version trigger added in 0013.
--
-- The builders take whole rows, not ids, so that a history page or a
-- freshly inserted row (INSERT ... RETURNING, not yet visible to a later
-- lookup by id in the same statement) renders without a second scan.

-- API.md `room` (the fields every caller sees; GET /api/rooms/{id} adds the
-- caller's unread_count and last_read_id).
CREATE OR REPLACE FUNCTION ec_room_json(r rooms) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', r.id,
		'group_id', r.group_id,
		'topic_id', r.topic_id,
		'name', r.name,
		'description', r.description,
		'last_message_id', r.last_message_id,
		'slow_mode_seconds', r.slow_mode_seconds,
		'created_at', ec_ts(r.created_at))
$$;

-- API.md `message`, as a plain expression over rows the caller has
-- already joined (sender user and profile, replied message; NULL rows
-- when absent).  Keep it a single SELECT of an expression, STABLE, with
-- no SET clause: the planner then inlines it into the history page query
-- (0007: a function call per message cost ~75 us, most of a page's
-- time).  A deleted message is never rendered by the rooms program
-- (pages leave it out); a reply to one shows text null and deleted true.  A sender whose
-- account is gone (sender_id NULL) renders as sender null.
CREATE OR REPLACE FUNCTION ec_message_json(m messages, u users, p profiles, q messages)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', m.id,
		'room_id', m.room_id,
		'sender', CASE WHEN u.id IS NOT NULL THEN jsonb_build_object(
			'id', u.id,
			'username', u.username,
			'full_name', p.full_name,
			'icon_url', '/media/' || p.icon) END,
		'text', m.text,
		'reply_to', CASE WHEN q.id IS NOT NULL THEN jsonb_build_object(
			'id', q.id,
			'sender_id', q.sender_id,
			'text', CASE WHEN q.deleted_at IS NULL
				THEN q.text END,
			'deleted', q.deleted_at IS NOT NULL) END,
		'created_at', ec_ts(m.created_at),
		'edited_at', ec_ts(m.edited_at),
		'nonce', m.nonce,
		-- 0040: reaction counts (the caller's "me" is laid over
		-- history pages by the rooms program, reactions.c) and the
		-- pin.
		'reactions', coalesce(m.reactions, '[]'::jsonb),
		-- 0066: the `#room`s of the text (26_room_refs.sql).
		'rooms', coalesce(m.room_refs, '[]'::jsonb),
		'pinned_at', ec_ts(m.pinned_at),
		'pinned_by', m.pinned_by,
		-- 0060: rendered when the message was posted (28_attachments.sql)
		'attachments', coalesce(m.attachments, '[]'::jsonb))
$$;

-- The one-row form (events, single messages) builds on the one above, so
-- there is exactly one definition of API.md's `message`.
CREATE OR REPLACE FUNCTION ec_message_json(m messages) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT ec_message_json(m, u, p, q)
	FROM (SELECT 1) one
	LEFT JOIN users u ON u.id = m.sender_id
	LEFT JOIN profiles p ON p.user_id = u.id
	LEFT JOIN messages q ON q.id = m.reply_to
$$;
