-- 0007: render history pages without a function call per message.
--
-- ec_message_json(m) of 0004 looks the sender and the replied message up
-- in sub-selects, so PostgreSQL cannot inline it: on a page of 50 it costs
-- ~75 us per message, most of a page's time.  The shape now lives in
-- ec_message_json(m, u, p, q), a plain expression over rows the caller
-- has already joined (sender user and profile, replied message; NULL rows
-- when absent), which the planner inlines into the page query.  The
-- one-row form keeps its signature and builds on it, so there is still
-- exactly one definition of API.md's `message`.

CREATE FUNCTION ec_message_json(m messages, u users, p profiles, q messages)
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
				THEN q.text END) END,
		'created_at', ec_ts(m.created_at),
		'edited_at', ec_ts(m.edited_at),
		'nonce', m.nonce)
$$;

CREATE OR REPLACE FUNCTION ec_message_json(m messages) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT ec_message_json(m, u, p, q)
	FROM (SELECT 1) one
	LEFT JOIN users u ON u.id = m.sender_id
	LEFT JOIN profiles p ON p.user_id = u.id
	LEFT JOIN messages q ON q.id = m.reply_to
$$;
