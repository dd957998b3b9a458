-- 0013: each room's history version lives in PostgreSQL, so the cached
-- newest page of a room (common/hist.c) can never outlive a change to it,
-- even when the change's Redis write is lost (a Redis stall or restart).
-- The page's key carries rooms.last_message_id + rooms.hist_version, read
-- by the membership check that every history request runs anyway:
--   - a post moves last_message_id (in its own statement, as before);
--   - an edit, a delete or a moderation of a message bumps hist_version
--     in the same transaction (the trigger below), so no program, this
--     one or a replacement, can forget it.
-- Both only grow, so their sum never repeats.
ALTER TABLE rooms ADD COLUMN hist_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION ec_rooms_hist_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rooms SET hist_version = hist_version + 1
	WHERE id = OLD.room_id;
	RETURN NULL;
END
$$;

CREATE TRIGGER messages_hist_version
	AFTER UPDATE OF text, deleted_at, edited_at, reply_to OR DELETE
	ON messages FOR EACH ROW EXECUTE FUNCTION ec_rooms_hist_bump();
