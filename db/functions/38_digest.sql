-- 38_digest.sql: what the offline digest mail holds, and whom a digest pass
-- looks at (common/cli/deliver.c, README "E-mail"). First defined with
-- 0096; the queue with 0116.

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

-- Queues (digest_queue, 0116) the users with an address mentioned in, or
-- sent a DM by, at most p_limit messages after digest_cursor, and moves
-- the cursor past them: index range scans of the new messages only, so a
-- digest pass costs what was posted since the last, not the user count.
-- Messages younger than p_lag_secs wait for the next pass: an id is taken
-- before its transaction commits, so a younger message may still be
-- joined by one with a lower id, which the cursor would pass over.
-- Returns how many messages it looked at.
CREATE OR REPLACE FUNCTION ec_digest_enqueue(p_lag_secs bigint,
	p_limit bigint)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_from bigint;
	v_stop bigint;
	v_to bigint;
	v_n integer;
BEGIN
	SELECT last_message_id INTO v_from FROM digest_cursor FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT min(m.id) INTO v_stop FROM messages m
	WHERE m.id > v_from
		AND m.created_at >= now() - make_interval(secs => p_lag_secs);
	SELECT count(*), max(b.id) INTO v_n, v_to FROM (
		SELECT m.id FROM messages m
		WHERE m.id > v_from AND (v_stop IS NULL OR m.id < v_stop)
		ORDER BY m.id LIMIT p_limit) b;
	IF v_n = 0 THEN
		RETURN 0;
	END IF;
	INSERT INTO digest_queue AS q (user_id, last_message_id)
	SELECT x.user_id, max(x.message_id) FROM (
		SELECT mn.user_id, mn.message_id FROM mentions mn
		WHERE mn.message_id > v_from AND mn.message_id <= v_to
		UNION ALL
		SELECT gm.user_id, m.id FROM messages m
		JOIN conversations c ON c.room_id = m.room_id
		JOIN group_members gm ON gm.group_id = c.group_id
		WHERE m.id > v_from AND m.id <= v_to
			AND gm.user_id IS DISTINCT FROM m.sender_id
	) x JOIN users u ON u.id = x.user_id
	WHERE u.is_active AND u.email IS NOT NULL
	GROUP BY x.user_id
	ON CONFLICT (user_id) DO UPDATE SET last_message_id =
		greatest(q.last_message_id, EXCLUDED.last_message_id);
	UPDATE digest_cursor SET last_message_id = v_to;
	RETURN v_n;
END
$$;

-- At most p_limit queued users a digest pass looks at: away for the
-- window (last seen before it; presence is checked by the caller), with
-- a usable address (verified, when p_verify) and no digest within the
-- window; the longest-queued first, so however many wait, each is
-- reached (a pass removes those it looked at, or sends them to the back).
-- Whether there is anything new for them is left to the digest itself.
-- The check is a subquery per queued user, which the planner cannot turn
-- into a join: the queue is walked in order (digest_queue_order) until
-- p_limit pass it, each user looked up by id, never a scan of all users.
CREATE OR REPLACE FUNCTION ec_digest_candidates(p_window_secs bigint,
	p_verify boolean, p_limit bigint)
RETURNS TABLE (user_id bigint) LANGUAGE sql STABLE AS $$
	SELECT q.user_id FROM digest_queue q
	WHERE (SELECT u.is_active AND u.email IS NOT NULL
			AND (u.email_verified_at IS NOT NULL OR NOT p_verify)
			AND coalesce(p.last_seen, u.date_joined)
				< now() - make_interval(secs => p_window_secs)
			AND (u.digest_sent_at IS NULL OR u.digest_sent_at
				< now() - make_interval(secs => p_window_secs))
		FROM users u JOIN profiles p ON p.user_id = u.id
		WHERE u.id = q.user_id)
	ORDER BY q.queued_at, q.user_id LIMIT p_limit
$$;
