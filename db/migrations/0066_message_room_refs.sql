-- 0066: messages.room_refs, the `#room` references of a message.
--
-- Issue 13 item 2: `#name` in a message's text is resolved to a room of
-- the message's group when the message is posted or edited and stored,
-- so that the link keeps pointing at that room after a rename (shown as
-- `rooms` in the message JSON, db/functions/30_rooms.sql).  A trigger
-- keeps it: posts keep their one statement, and a post without '#' does
-- not even call the trigger (WHEN).  The functions are created here
-- because the trigger needs them; db/functions/26_room_refs.sql carries
-- the same definitions from now on.  Messages posted before keep NULL
-- (the SPA looks their names up among the group's rooms, as before).
ALTER TABLE messages ADD COLUMN room_refs jsonb;

CREATE OR REPLACE FUNCTION ec_room_refs(txt text, room bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name)
	    ORDER BY c.pos)
	FROM (SELECT DISTINCT ON (lower(t.w[1])) t.w[1] AS name, t.pos, r.id
	      FROM rooms src,
	      regexp_matches(txt, '(?:^|[^A-Za-z0-9_@#-])#([A-Za-z0-9_-]+)',
	          'g') WITH ORDINALITY AS t(w, pos)
	      JOIN rooms r ON lower(r.name) = lower(t.w[1])
	      WHERE src.id = room AND r.group_id = src.group_id
	      ORDER BY lower(t.w[1]), r.topic_id = src.topic_id DESC, r.id,
	          t.pos) c
$$;

CREATE OR REPLACE FUNCTION ec_room_refs_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.room_refs := CASE WHEN strpos(NEW.text, '#') > 0
		THEN ec_room_refs(NEW.text, NEW.room_id) END;
	RETURN NEW;
END
$$;

CREATE TRIGGER messages_room_refs_insert BEFORE INSERT ON messages
FOR EACH ROW WHEN (strpos(NEW.text, '#') > 0)
EXECUTE FUNCTION ec_room_refs_keep();
-- An edit, or a deletion (which empties the text): also when the text no
-- longer has one, so that the old references go.
CREATE TRIGGER messages_room_refs_update BEFORE UPDATE OF text ON messages
FOR EACH ROW WHEN (strpos(NEW.text, '#') > 0 OR OLD.room_refs IS NOT NULL)
EXECUTE FUNCTION ec_room_refs_keep();
