-- 34_counts.sql: unread and mention counts kept up to date by triggers
-- (0080), so that GET /api/groups reads them instead of counting messages.
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0080.
--
-- Unread messages of room r for a user with marker k (the read marker's
-- last_read_id, 0 without a row) = messages with id > k that are not
-- deleted and not the user's own:
--   r.msg_seq - k.read_seq                  messages after the marker
--   - deleted messages after the marker     counted only when
--                                           r.last_deleted_id > k (rare)
-- Own messages never lie after the sender's marker: every post moves the
-- sender's marker to the new message in the same statement
-- (fcgi-apps/rooms/messages.c) and markers never move back.  Nothing here
-- writes a row per member when a message is posted: a post updates its
-- room's row (as it did before, for last_message_id) and the sender's
-- marker.  Mentions are rows per mentioned user already; each keeps
-- read_markers.mention_count of its user and room.

-- The unread count of room r for the user whose marker row is k (NULL
-- without one), from the maintained figures.  For single rooms and short
-- lists (group detail, GET /api/rooms/{id}, conversations); GET
-- /api/groups, which sums hundreds of rooms, writes the same expression
-- inline, because a function with a subquery is never inlined and a call
-- per room would cost more than the sum.
CREATE OR REPLACE FUNCTION ec_unread_count(r rooms, k read_markers)
RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT r.msg_seq - coalesce(k.read_seq, 0)
		- CASE WHEN r.last_deleted_id > coalesce(k.last_read_id, 0)
		THEN (SELECT count(*) FROM messages x WHERE x.room_id = r.id
			AND x.id > coalesce(k.last_read_id, 0)
			AND x.deleted_at IS NOT NULL) ELSE 0 END
$$;

-- BEFORE INSERT ON messages: the message's place in its room (seq) and the
-- room's counter and last_message_id, in one UPDATE of the room row that
-- the post path has locked already (so seq follows id within a room).
-- PostgreSQL runs BEFORE INSERT triggers before an INSERT ... ON CONFLICT
-- finds its conflict: a retried post (its nonce already used) would
-- count a message that is then not inserted, in a room whose readers
-- could never read it.  The lookup (a fresh snapshot, after the room
-- lock, so it sees a retry that committed while this one waited) costs
-- one index probe, only for posts that carry a nonce.
CREATE OR REPLACE FUNCTION ec_counts_message_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.nonce IS NOT NULL AND EXISTS (SELECT 1 FROM messages m
		WHERE m.sender_id = NEW.sender_id AND m.nonce = NEW.nonce) THEN
		RETURN NEW;
	END IF;
	UPDATE rooms SET msg_seq = msg_seq + 1,
		last_message_id = greatest(last_message_id, NEW.id)
	WHERE id = NEW.room_id RETURNING msg_seq INTO NEW.seq;
	RETURN NEW;
END
$$;

-- AFTER UPDATE OF deleted_at ON messages (a message deleted): the room
-- remembers its newest deletion (readers whose marker is older count the
-- deleted messages after it), and the mentioned users who had not read it
-- lose it from their mention count.
CREATE OR REPLACE FUNCTION ec_counts_message_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rooms SET last_deleted_id = NEW.id
	WHERE id = NEW.room_id AND last_deleted_id < NEW.id;
	UPDATE read_markers k SET mention_count = k.mention_count - 1
	FROM mentions mn
	WHERE mn.message_id = NEW.id AND k.user_id = mn.user_id
	AND k.room_id = NEW.room_id AND k.last_read_id < NEW.id;
	RETURN NULL;
END
$$;

-- AFTER INSERT OR DELETE ON mentions (a post, an edit that adds or removes
-- a mention): the mentioned user's count in that room, when the message is
-- live and after their marker.  A user without a marker in the room (a
-- room made after they joined) gets one at 0, which counts like none.
CREATE OR REPLACE FUNCTION ec_counts_mention() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- The usual case first: the marker exists.  (An INSERT ... ON
		-- CONFLICT alone runs ec_counts_marker() as a BEFORE INSERT
		-- before it finds the conflict: a count of all the user's
		-- unread mentions in the room, per mention, thrown away.)
		UPDATE read_markers SET mention_count = mention_count + 1
		WHERE user_id = NEW.user_id AND room_id = NEW.room_id
		AND last_read_id < NEW.message_id
		AND EXISTS (SELECT 1 FROM messages x WHERE x.id = NEW.message_id
			AND x.deleted_at IS NULL);
		IF FOUND THEN
			RETURN NULL;
		END IF;
		-- A new marker row is counted by ec_counts_marker() itself.
		INSERT INTO read_markers (user_id, room_id, last_read_id)
		VALUES (NEW.user_id, NEW.room_id, 0)
		ON CONFLICT (user_id, room_id) DO UPDATE
		SET mention_count = read_markers.mention_count + 1
		WHERE read_markers.last_read_id < NEW.message_id
		AND EXISTS (SELECT 1 FROM messages x WHERE x.id = NEW.message_id
			AND x.deleted_at IS NULL);
		RETURN NULL;
	END IF;
	UPDATE read_markers SET mention_count = mention_count - 1
	WHERE user_id = OLD.user_id AND room_id = OLD.room_id
	AND last_read_id < OLD.message_id
	AND EXISTS (SELECT 1 FROM messages x WHERE x.id = OLD.message_id
		AND x.deleted_at IS NULL);
	RETURN NULL;
END
$$;

-- BEFORE INSERT OR UPDATE ON read_markers: when the marker moves (or is
-- made), its place in the room (read_seq: seq of the newest message at or
-- before it, unless the UPDATE set it) and its mention count are found
-- again from the indexes.
-- Generic plans: PL/pgSQL's plan cache chose a custom plan for the
-- mention count on every call (its generic estimate looked dearer), and
-- pg_stat_statements (track_planning) showed that planning at 40x its
-- execution, a large part of a post's PostgreSQL time: every post runs
-- this as the sender's marker's BEFORE INSERT.
CREATE OR REPLACE FUNCTION ec_counts_marker() RETURNS trigger
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.last_read_id = OLD.last_read_id
	AND NEW.room_id = OLD.room_id AND NEW.user_id = OLD.user_id THEN
		RETURN NEW;
	END IF;
	-- A post moves its sender's marker to the new message and sets
	-- read_seq to that message's seq itself (fcgi-apps/rooms/messages.c
	-- knows it: no lookup per post).  Nothing else writes read_seq.
	IF TG_OP = 'INSERT' OR NEW.read_seq = OLD.read_seq
	OR NEW.room_id <> OLD.room_id OR NEW.user_id <> OLD.user_id THEN
		NEW.read_seq := CASE WHEN NEW.last_read_id = 0 THEN 0
			ELSE coalesce((SELECT x.seq FROM messages x
			WHERE x.room_id = NEW.room_id AND x.id <= NEW.last_read_id
			ORDER BY x.id DESC LIMIT 1), 0) END;
	END IF;
	-- A marker that moves forward keeps a subset of its mentions: none
	-- stay none (every post moves its sender's marker; no query then).
	IF TG_OP = 'UPDATE' AND OLD.mention_count = 0
	AND NEW.last_read_id >= OLD.last_read_id
	AND NEW.room_id = OLD.room_id AND NEW.user_id = OLD.user_id THEN
		NEW.mention_count := 0;
		RETURN NEW;
	END IF;
	NEW.mention_count := (SELECT count(*) FROM mentions mn
		JOIN messages x ON x.id = mn.message_id AND x.deleted_at IS NULL
		WHERE mn.user_id = NEW.user_id AND mn.room_id = NEW.room_id
		AND mn.message_id > NEW.last_read_id);
	RETURN NEW;
END
$$;

-- Every maintained figure computed again from the rows; returns how many
-- rows it had to correct (0 when the triggers kept everything exact, which
-- tests/integration/unread-counts.test.mjs checks after each step).  For
-- bulk loads that run with the triggers off (tests/bench/seed-bench.sh).
CREATE OR REPLACE FUNCTION ec_counts_rebuild() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	total bigint := 0;
BEGIN
	UPDATE messages m SET seq = s.n
	FROM (SELECT id, row_number() OVER (PARTITION BY room_id ORDER BY id) n
		FROM messages) s
	WHERE s.id = m.id AND m.seq IS DISTINCT FROM s.n;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;
	UPDATE rooms r SET msg_seq = s.n, last_deleted_id = s.del
	FROM (SELECT r2.id, count(x.id) n,
		coalesce(max(x.id) FILTER (WHERE x.deleted_at IS NOT NULL), 0) del
		FROM rooms r2 LEFT JOIN messages x ON x.room_id = r2.id
		GROUP BY r2.id) s
	WHERE s.id = r.id
	AND (r.msg_seq, r.last_deleted_id) IS DISTINCT FROM (s.n, s.del);
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;
	-- last_read_id is not set, so ec_counts_marker() leaves these alone.
	UPDATE read_markers k SET read_seq = s.rs, mention_count = s.mc
	FROM (SELECT k2.user_id, k2.room_id,
		coalesce((SELECT x.seq FROM messages x WHERE x.room_id = k2.room_id
			AND x.id <= k2.last_read_id ORDER BY x.id DESC LIMIT 1), 0) rs,
		(SELECT count(*) FROM mentions mn JOIN messages x
			ON x.id = mn.message_id AND x.deleted_at IS NULL
			WHERE mn.user_id = k2.user_id AND mn.room_id = k2.room_id
			AND mn.message_id > k2.last_read_id)::int mc
		FROM read_markers k2) s
	WHERE s.user_id = k.user_id AND s.room_id = k.room_id
	AND (k.read_seq, k.mention_count) IS DISTINCT FROM (s.rs, s.mc);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN total + n;
END
$$;
