-- 33_moderation.sql: the `ban` and `audit_entry` objects of the groups
-- program (issue 13 item 7, migration 0050).  After 20_users.sql: both
-- name users as `user` objects.

-- The `ban` object: who is banned, by whom, why and since when.
CREATE OR REPLACE FUNCTION ec_ban_json(b group_bans) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'user', ec_user_json(b.user_id),
		'banned_by', CASE WHEN b.banned_by IS NOT NULL
			THEN ec_user_json(b.banned_by) END,
		'reason', b.reason,
		'created_at', ec_ts(b.created_at))
$$;

-- The `audit_entry` object.  A user whose account is gone renders null.
CREATE OR REPLACE FUNCTION ec_audit_json(a audit_log) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', a.id,
		'action', a.action,
		'actor', CASE WHEN a.actor_id IS NOT NULL
			THEN ec_user_json(a.actor_id) END,
		'target_user', CASE WHEN a.target_user_id IS NOT NULL
			THEN ec_user_json(a.target_user_id) END,
		'details', a.details,
		'created_at', ec_ts(a.created_at))
$$;
