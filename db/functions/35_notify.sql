-- 35_notify.sql: whom to notify of what (PLACEHOLDER of the push branch;
-- the notify branch owns this file and its settings tables, and its
-- version replaces this one at merge). Same signatures, the defaults:
-- DMs notify of every message, group rooms of mentions only, and no one
-- hides message text.

-- 'all', 'mentions' or 'none': what `p_user` is told of in `p_room`.
CREATE OR REPLACE FUNCTION notify_level(p_user bigint, p_room bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN EXISTS (SELECT 1 FROM conversations c
		WHERE c.room_id = p_room) THEN 'all' ELSE 'mentions' END
$$;

-- Whether `p_user` asked for notifications without the message text.
CREATE OR REPLACE FUNCTION notify_hide_text(p_user bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT false
$$;
