-- 26_room_refs.sql: the `#room` references of a message (rooms program,
-- issue 13 item 2), kept in messages.room_refs by a trigger of 0066.
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md).  Before 30_rooms.sql only for reading order.

-- The rooms of the message's group that its text names as `#name` (the
-- SPA's token: letters, digits, '_' and '-', after a start or a character
-- that is none of those nor '@' or '#'), any case, as
-- [{"id", "name"}] in order of first appearance, `name` as written; NULL
-- when none.  Two topics may have rooms of one name: the one in the
-- message's own topic wins, then the oldest.  Stored, not looked up when
-- shown, so a link keeps its room after a rename (the SPA matches the
-- written name to the id).
-- PL/pgSQL, not SQL: a SQL function that the trigger calls is parsed and
-- planned again on every call (PostgreSQL 15 does not inline it there),
-- which pg_stat_user_functions showed at ~1 ms per post with a '#' against
-- 0.14 ms for the statement itself; PL/pgSQL keeps the plan per session.
CREATE OR REPLACE FUNCTION ec_room_refs(txt text, room bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name)
	    ORDER BY c.pos)
	FROM (SELECT DISTINCT ON (lower(t.w[1])) t.w[1] AS name, t.pos, r.id
	      FROM rooms src,
	      regexp_matches(txt, '(?:^|[^A-Za-z0-9_@#-])#([A-Za-z0-9_-]+)',
	          'g') WITH ORDINALITY AS t(w, pos)
	      JOIN rooms r ON lower(r.name) = lower(t.w[1])
	      WHERE src.id = room AND r.group_id = src.group_id
	      ORDER BY lower(t.w[1]), r.topic_id = src.topic_id DESC, r.id,
	          t.pos) c);
END
$$;

-- BEFORE INSERT OR UPDATE OF text on messages, only when the text may
-- have a reference or had one (the trigger's WHEN, 0066): a post without
-- '#' pays nothing.
CREATE OR REPLACE FUNCTION ec_room_refs_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.room_refs := CASE WHEN strpos(NEW.text, '#') > 0
		THEN ec_room_refs(NEW.text, NEW.room_id) END;
	RETURN NEW;
END
$$;
