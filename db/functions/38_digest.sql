-- 38_digest.sql: what the offline digest mail holds (common/cli/deliver.c,
-- README "E-mail"). First defined with 0096.

-- The user's unread mentions and DMs newer than p_since (NULL: any), in
-- rooms whose notification level is not 'none': messages of others, not
-- deleted, after the user's read marker of the room.
CREATE OR REPLACE FUNCTION ec_digest_items(p_user bigint, p_since timestamptz)
RETURNS TABLE (id bigint, room_id bigint, sender_id bigint, text text,
	created_at timestamptz, is_dm boolean)
LANGUAGE sql STABLE AS $$
	SELECT m.id, m.room_id, m.sender_id, m.text, m.created_at, x.is_dm
	FROM (
		-- a mention in a DM counts once, as a DM
		SELECT y.id, bool_or(y.is_dm) AS is_dm FROM (
			SELECT mn.message_id AS id, false AS is_dm FROM mentions mn
			WHERE mn.user_id = p_user
			UNION ALL
			SELECT m2.id, true FROM conversations c
			JOIN group_members gm ON gm.group_id = c.group_id
				AND gm.user_id = p_user
			JOIN messages m2 ON m2.room_id = c.room_id
			WHERE m2.created_at > coalesce(p_since, '-infinity')
		) y GROUP BY y.id
	) x
	JOIN messages m ON m.id = x.id
	LEFT JOIN read_markers k ON k.user_id = p_user
		AND k.room_id = m.room_id
	WHERE m.deleted_at IS NULL
		AND m.sender_id IS DISTINCT FROM p_user
		AND m.id > coalesce(k.last_read_id, 0)
		AND m.created_at > coalesce(p_since, '-infinity')
		AND notify_level(p_user, m.room_id) <> 'none'
$$;

-- The digest's text: counts, then (unless notify_hide_text) the first
-- p_lines messages, each cut to 200 characters, then a link to the site.
CREATE OR REPLACE FUNCTION ec_digest_text(p_user bigint, p_since timestamptz,
	p_lines integer, p_origin text)
RETURNS text LANGUAGE sql STABLE AS $$
	WITH i AS (SELECT * FROM ec_digest_items(p_user, p_since)),
	l AS (
		SELECT CASE WHEN i.is_dm THEN 'Direct message'
				ELSE '#' || r.name END
			|| ' - ' || coalesce(u.username, 'someone') || ': '
			|| CASE WHEN length(i.text) > 200
				THEN left(i.text, 200) || '...' ELSE i.text END
			AS line
		FROM i JOIN rooms r ON r.id = i.room_id
		LEFT JOIN users u ON u.id = i.sender_id
		ORDER BY i.created_at, i.id LIMIT p_lines)
	SELECT format(E'While you were away from Easy Chat you got %s mention(s) and %s direct message(s).\n\n',
			(SELECT count(*) FROM i WHERE NOT is_dm),
			(SELECT count(*) FROM i WHERE is_dm))
		|| CASE WHEN notify_hide_text(p_user) THEN ''
			ELSE coalesce((SELECT string_agg(line, E'\n') FROM l), '')
				|| E'\n\n' END
		|| 'Open Easy Chat: ' || p_origin || E'/\n\n'
		|| E'You get at most one such mail in a while, and none while you are\n'
		|| E'connected. Notification settings decide what counts.\n'
$$;
