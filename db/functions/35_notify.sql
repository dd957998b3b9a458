-- 35_notify.sql: what a user is notified of (issue 14): the effective level
-- of a room and whether to hide message text, over notify_prefs and
-- notify_settings (migration 0070).  Every notifier of the server (the
-- push delivery, a mail digest) asks these two and nothing else; the
-- SPA applies the same rules to the settings document
-- (ec_notify_settings_json, GET /api/users/me/notification-settings).

-- The level now: 'all' | 'mentions' (mentions and DMs only) | 'none'.
-- room setting -> group setting -> the user's default for DMs or group
-- rooms -> built-in (DMs 'all', group rooms 'mentions').  A room or group
-- muted now is 'none'; so is a room the user cannot read (no such room,
-- or not a member of its group).
-- PL/pgSQL, not SQL: a SQL function whose body has a subquery is never
-- inlined, and PostgreSQL 15 plans its body again on every query that
-- calls it: each post's push probe (ec_push_on_message, 37_push.sql)
-- planned this five-table join once per subscribed member, ~0.1 ms each
-- (results/2026-12-06-writes4.md).  PL/pgSQL keeps the plan per session.
CREATE OR REPLACE FUNCTION notify_level(p_user bigint, p_room bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN coalesce((
		SELECT CASE
			WHEN rs.muted_until > now() OR gs.muted_until > now()
			THEN 'none'
			ELSE coalesce(rs.level, gs.level,
				CASE WHEN c.group_id IS NOT NULL
				THEN coalesce(up.dm_level, 'all')
				ELSE coalesce(up.group_level, 'mentions') END)
			END
		FROM rooms r
		JOIN group_members gm ON gm.group_id = r.group_id
			AND gm.user_id = p_user
		LEFT JOIN conversations c ON c.group_id = r.group_id
		LEFT JOIN notify_settings rs ON rs.user_id = p_user
			AND rs.room_id = r.id
		LEFT JOIN notify_settings gs ON gs.user_id = p_user
			AND gs.group_id = r.group_id
		LEFT JOIN notify_prefs up ON up.user_id = p_user
		WHERE r.id = p_room), 'none');
END
$$;

-- "Hide message text in notifications" (off unless the user set it).
CREATE OR REPLACE FUNCTION notify_hide_text(p_user bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT hide_text FROM notify_prefs
		WHERE user_id = p_user), false)
$$;

-- muted_until as the API writes it: null, "forever" or a timestamp.
CREATE OR REPLACE FUNCTION ec_notify_muted_json(t timestamptz)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN t IS NULL THEN 'null'::jsonb
		WHEN t = 'infinity' THEN '"forever"'::jsonb
		ELSE to_jsonb(ec_ts(t)) END
$$;

-- The `NotificationSettings` document of a user
-- (fcgi-apps/users/openapi.yaml): the defaults and every group and room
-- setting of groups the user is still a member of (a mute that ran out
-- reads as null).
CREATE OR REPLACE FUNCTION ec_notify_settings_json(p_user bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'defaults', jsonb_build_object(
			'group_level', coalesce(up.group_level, 'mentions'),
			'dm_level', coalesce(up.dm_level, 'all'),
			'hide_text', coalesce(up.hide_text, false),
			'sound', coalesce(up.sound, true)),
		'groups', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'group_id', s.group_id,
			'level', s.level,
			'muted_until', ec_notify_muted_json(CASE
				WHEN s.muted_until > now() THEN s.muted_until END))
			ORDER BY s.group_id)
			FROM notify_settings s JOIN group_members gm
			ON gm.group_id = s.group_id AND gm.user_id = p_user
			WHERE s.user_id = p_user), '[]'::jsonb),
		'rooms', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'room_id', s.room_id,
			'group_id', r.group_id,
			'level', s.level,
			'muted_until', ec_notify_muted_json(CASE
				WHEN s.muted_until > now() THEN s.muted_until END))
			ORDER BY s.room_id)
			FROM notify_settings s JOIN rooms r ON r.id = s.room_id
			JOIN group_members gm ON gm.group_id = r.group_id
			AND gm.user_id = p_user
			WHERE s.user_id = p_user), '[]'::jsonb))
	FROM (SELECT p_user AS id) me
	LEFT JOIN notify_prefs up ON up.user_id = me.id
$$;
