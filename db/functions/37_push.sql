-- 37_push.sql: the triggers that write Web Push jobs (migration 0075) in
-- the transaction of the message, one outbox row per message at most,
-- whatever the room's size; easychat-deliver (common/push.c) expands a
-- job to its recipients when it sends.

-- After a message: a job when some other member of the room has a push
-- subscription and notify_level() 'all' there (every DM participant by
-- default). Only the group's subscribed members are read (push_members,
-- below: one index probe when there are none), never every member; and
-- in a group room, where 'all' is never the built-in level, only those
-- whose settings or defaults say 'all' somewhere are asked (the CASE
-- keeps notify_level() after those probes): a 1000-member room with a
-- tenth subscribed called it 100 times per post.  Mentions are left to
-- the mentions trigger (they are stored by a later statement).
CREATE OR REPLACE FUNCTION ec_push_on_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM rooms r
		JOIN push_members pm ON pm.group_id = r.group_id
		WHERE r.id = NEW.room_id
		AND pm.user_id IS DISTINCT FROM NEW.sender_id
		AND CASE WHEN EXISTS (SELECT 1 FROM conversations c
				WHERE c.group_id = r.group_id)
			OR EXISTS (SELECT 1 FROM notify_settings s
				WHERE s.user_id = pm.user_id
				AND s.room_id = r.id AND s.level = 'all')
			OR EXISTS (SELECT 1 FROM notify_settings s
				WHERE s.user_id = pm.user_id
				AND s.group_id = r.group_id AND s.level = 'all')
			OR EXISTS (SELECT 1 FROM notify_prefs p
				WHERE p.user_id = pm.user_id
				AND p.group_level = 'all')
		THEN notify_level(pm.user_id, NEW.room_id) = 'all'
		ELSE false END) THEN
		INSERT INTO outbox (kind, payload)
		VALUES ('push', jsonb_build_object('message_id', NEW.id))
		ON CONFLICT (((payload->>'message_id')::bigint))
		WHERE kind = 'push' DO NOTHING;
		PERFORM pg_notify('easychat_outbox', '');
	END IF;
	RETURN NULL;
END
$$;

-- push_members (0110) is group_members joined to the users who have a
-- push subscription.  A join and a first subscription of one user in
-- two concurrent transactions would each miss the other's row, and a
-- subscription removed while another is added would delete the rows the
-- new one needs: so the paths that add rows, and the one that removes a
-- user's rows, first lock the user's row (FOR NO KEY UPDATE, which the
-- foreign-key checks of posts, FOR KEY SHARE, do not wait for), and the
-- next statement, with a snapshot taken after the lock, sees what the
-- other committed.  A member leaving removes only its own pair, after a
-- FOR SHARE lock (a subscription added meanwhile would otherwise put the
-- pair back from the membership it still saw); shared, so that two
-- groups deleted at once, each removing many members, never wait for
-- each other.
CREATE OR REPLACE FUNCTION ec_push_members_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM 1 FROM users WHERE id = OLD.user_id FOR SHARE;
		DELETE FROM push_members
		WHERE group_id = OLD.group_id AND user_id = OLD.user_id;
		RETURN NULL;
	END IF;
	PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
	INSERT INTO push_members (group_id, user_id)
	SELECT NEW.group_id, NEW.user_id
	WHERE EXISTS (SELECT 1 FROM push_subscriptions s
		WHERE s.user_id = NEW.user_id)
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ec_push_members_subscription() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM 1 FROM users WHERE id = OLD.user_id FOR NO KEY UPDATE;
		DELETE FROM push_members WHERE user_id = OLD.user_id
		AND NOT EXISTS (SELECT 1 FROM push_subscriptions s
			WHERE s.user_id = OLD.user_id);
		RETURN NULL;
	END IF;
	PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
	INSERT INTO push_members (group_id, user_id)
	SELECT gm.group_id, gm.user_id FROM group_members gm
	WHERE gm.user_id = NEW.user_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

-- After the mentions of a statement: a job for each message whose newly
-- mentioned users include one with a subscription who wants to hear of
-- mentions there.  The subscribed users are found first (materialized,
-- so the planner cannot put the per-row notify_level() ahead of that
-- cheap filter): pg_stat_user_functions showed notify_level() called for
-- every mention, at twice the CPU of the rest of the post, on a site
-- where nobody had a subscription.
CREATE OR REPLACE FUNCTION ec_push_on_mentions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox (kind, payload)
	SELECT DISTINCT 'push', jsonb_build_object('message_id', f.message_id)
	FROM (WITH subscribed AS MATERIALIZED (SELECT f2.message_id,
		f2.user_id, f2.room_id FROM fresh f2
		WHERE EXISTS (SELECT 1 FROM push_subscriptions s
			WHERE s.user_id = f2.user_id))
		SELECT * FROM subscribed) f
	WHERE notify_level(f.user_id, f.room_id) <> 'none'
	ON CONFLICT (((payload->>'message_id')::bigint))
	WHERE kind = 'push' DO NOTHING;
	IF FOUND THEN
		PERFORM pg_notify('easychat_outbox', '');
	END IF;
	RETURN NULL;
END
$$;
