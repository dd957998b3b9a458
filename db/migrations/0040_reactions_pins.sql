-- 0040: reactions and pins of messages (issue 13 items 3 and 4).
--
-- Reactions: one row per (message, emoji, user) in message_reactions, the
-- source of truth and of "who reacted".  Each message carries its own
-- summary in messages.reactions (jsonb, [{"emoji","count"}] in order of
-- first use, NULL when none), kept by a trigger on message_reactions, so
-- a history page renders counts from the message row alone: no join, no
-- subquery, and ec_message_json stays inlinable (0007).
-- Pins: messages.pinned_at / pinned_by (moderators and up).
-- Both change what a history page shows, so both move the room's
-- hist_version (0013) in the same transaction, through triggers.
CREATE TABLE message_reactions (
	message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	emoji text NOT NULL CHECK (octet_length(emoji) BETWEEN 1 AND 64),
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (message_id, emoji, user_id)
);
-- "Who reacted", in order.
CREATE INDEX message_reactions_order
	ON message_reactions (message_id, emoji, created_at, user_id);
-- A user's reactions (the "me" of a history page; account deletion).
CREATE INDEX message_reactions_user ON message_reactions (user_id, message_id);

ALTER TABLE messages
	ADD COLUMN reactions jsonb,
	ADD COLUMN pinned_at timestamptz,
	ADD COLUMN pinned_by bigint REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX messages_pinned ON messages (room_id, pinned_at DESC, id DESC)
	WHERE pinned_at IS NOT NULL AND deleted_at IS NULL;

-- Same definition as db/functions/25_reactions.sql.
CREATE FUNCTION ec_reactions_summarise() RETURNS trigger
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

CREATE TRIGGER message_reactions_summary
	AFTER INSERT OR DELETE ON message_reactions
	FOR EACH ROW EXECUTE FUNCTION ec_reactions_summarise();

-- messages_hist_version (0013) is left as it is: a second trigger for
-- the new columns, so that other migrations may change either.
CREATE TRIGGER messages_hist_version_extras
	AFTER UPDATE OF reactions, pinned_at ON messages
	FOR EACH ROW EXECUTE FUNCTION ec_rooms_hist_bump();
