-- 25_reactions.sql: reactions to messages (rooms program, reactions.c).
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0040.  Before 30_rooms.sql only for
-- reading order: nothing here is used by it, it reads the column
-- messages.reactions that the trigger below keeps.

-- The trigger of message_reactions_summary (0040): the message's own
-- summary [{"emoji","count"}], in order of first use (NULL when none),
-- rewritten from message_reactions on every change.  Rewriting (not
-- counting up and down) keeps it right whatever removed the rows (an
-- account deletion cascades here too).  The history cache follows
-- through the reaction events (common/hist.c).
CREATE OR REPLACE FUNCTION ec_reactions_summarise() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	mid bigint;
BEGIN
	IF TG_OP = 'DELETE' THEN
		mid := OLD.message_id;
	ELSE
		mid := NEW.message_id;
	END IF;
	UPDATE messages SET reactions = (
		SELECT jsonb_agg(jsonb_build_object('emoji', s.emoji,
		    'count', s.n) ORDER BY s.first, s.emoji)
		FROM (SELECT emoji, count(*) AS n, min(created_at) AS first
		      FROM message_reactions WHERE message_id = mid
		      GROUP BY emoji) s)
	WHERE id = mid;
	RETURN NULL;
END
$$;

-- The caller's reaction `e` to live message `mid`, added (adding) or
-- removed (NOT adding), in one round trip.  The message row is locked first
-- so that concurrent reactions to one message are counted one after the
-- other: at most `max_distinct` different emoji, never one more.  Each
-- statement below sees what committed before it (READ COMMITTED, a
-- VOLATILE function).  live: the message is live; at_limit: the emoji is new
-- and the message has max_distinct already (nothing changed); changed:
-- a row was added or removed; n: how many reacted with `e` now;
-- reaction: the JSON of the event and the answer (without "me");
-- timed_out_until: when adding, the end (ec_ts) of the caller's timeout in
-- the message's group, if they are timed out (nothing changed then; 0065).
-- Taking a reaction back adds nothing and stays allowed during a timeout.
CREATE OR REPLACE FUNCTION ec_reaction_set(mid bigint, uid bigint, e text,
    adding boolean, max_distinct int, OUT live boolean, OUT at_limit boolean,
    OUT changed boolean, OUT n int, OUT reaction jsonb,
    OUT timed_out_until text)
LANGUAGE plpgsql AS $$
DECLARE
	summary jsonb;
	room bigint;
BEGIN
	live := false;
	at_limit := false;
	changed := false;
	n := 0;
	SELECT m.reactions, m.room_id INTO summary, room FROM messages m
	WHERE m.id = mid AND m.deleted_at IS NULL FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	live := true;
	IF adding THEN
		SELECT ec_ts(gm.timed_out_until) INTO timed_out_until
		FROM rooms r JOIN group_members gm ON gm.group_id = r.group_id
		AND gm.user_id = uid
		WHERE r.id = room AND gm.timed_out_until > now();
		IF timed_out_until IS NOT NULL THEN
			RETURN;
		END IF;
		IF jsonb_array_length(coalesce(summary, '[]')) >= max_distinct
		    AND NOT coalesce(summary, '[]') @>
		        jsonb_build_array(jsonb_build_object('emoji', e)) THEN
			at_limit := true;
			RETURN;
		END IF;
		INSERT INTO message_reactions (message_id, emoji, user_id)
		VALUES (mid, e, uid) ON CONFLICT DO NOTHING;
	ELSE
		DELETE FROM message_reactions
		WHERE message_id = mid AND emoji = e AND user_id = uid;
	END IF;
	changed := FOUND;
	SELECT count(*) INTO n FROM message_reactions r
	WHERE r.message_id = mid AND r.emoji = e;
	reaction := jsonb_build_object('message_id', mid, 'room_id', room,
	    'emoji', e, 'user_id', uid, 'count', n);
END
$$;
