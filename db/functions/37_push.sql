-- 37_push.sql: the triggers that write Web Push jobs (migration 0075) in
-- the transaction of the message, one outbox row per message at most,
-- whatever the room's size; easychat-deliver (common/push.c) expands a
-- job to its recipients when it sends.

-- After a message: a job when some other member of the room has a push
-- subscription and notify_level() 'all' there (every DM participant by
-- default). The subscriptions drive the search, so a site where few
-- have push on pays an index probe or two per post; mentions are left
-- to the mentions trigger (they are stored by a later statement).
CREATE OR REPLACE FUNCTION ec_push_on_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM rooms r
		JOIN group_members gm ON gm.group_id = r.group_id
		JOIN push_subscriptions s ON s.user_id = gm.user_id
		WHERE r.id = NEW.room_id
		AND gm.user_id IS DISTINCT FROM NEW.sender_id
		AND notify_level(gm.user_id, NEW.room_id) = 'all') THEN
		INSERT INTO outbox (kind, payload)
		VALUES ('push', jsonb_build_object('message_id', NEW.id))
		ON CONFLICT (((payload->>'message_id')::bigint))
		WHERE kind = 'push' DO NOTHING;
		PERFORM pg_notify('easychat_outbox', '');
	END IF;
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
