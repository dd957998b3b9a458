-- 0080: unread and mention counts kept by triggers instead of counted at
-- read time (issue 16 item 2; db/functions/34_counts.sql explains them).
--
-- messages.seq numbers a room's messages 1, 2, ...; rooms.msg_seq is the
-- newest number and rooms.last_deleted_id the newest deleted message;
-- read_markers.read_seq is the number at the marker and mention_count the
-- live mentions after it.  The trigger bodies are stubs here: the real
-- ones are in functions/34_counts.sql, which migrate.sh applies right
-- after the migrations; ec_counts_rebuild() (also there) fills the
-- columns.  The post statement stops updating rooms itself (the message
-- trigger does, and a second UPDATE of the row in the same statement is
-- an error).
ALTER TABLE messages ADD COLUMN seq bigint NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN msg_seq bigint NOT NULL DEFAULT 0,
	ADD COLUMN last_deleted_id bigint NOT NULL DEFAULT 0;
ALTER TABLE read_markers ADD COLUMN read_seq bigint NOT NULL DEFAULT 0,
	ADD COLUMN mention_count integer NOT NULL DEFAULT 0;

-- Deleted messages after a marker, counted only in rooms with a deletion
-- after it: a small index (deleted rows only).
CREATE INDEX messages_room_deleted ON messages (room_id, id)
	WHERE deleted_at IS NOT NULL;

CREATE FUNCTION ec_counts_message_new() RETURNS trigger
LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE FUNCTION ec_counts_message_deleted() RETURNS trigger
LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE FUNCTION ec_counts_mention() RETURNS trigger
LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE FUNCTION ec_counts_marker() RETURNS trigger
LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';

CREATE TRIGGER messages_counts_new BEFORE INSERT ON messages
	FOR EACH ROW EXECUTE FUNCTION ec_counts_message_new();
CREATE TRIGGER messages_counts_deleted AFTER UPDATE OF deleted_at ON messages
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION ec_counts_message_deleted();
CREATE TRIGGER mentions_counts AFTER INSERT OR DELETE ON mentions
	FOR EACH ROW EXECUTE FUNCTION ec_counts_mention();
CREATE TRIGGER read_markers_counts BEFORE INSERT OR UPDATE ON read_markers
	FOR EACH ROW EXECUTE FUNCTION ec_counts_marker();

-- Fill the new columns of an existing database (the stub triggers do
-- nothing meanwhile).
UPDATE messages m SET seq = s.n
FROM (SELECT id, row_number() OVER (PARTITION BY room_id ORDER BY id) n
	FROM messages) s
WHERE s.id = m.id;
UPDATE rooms r SET msg_seq = s.n, last_deleted_id = s.del
FROM (SELECT room_id, count(*) n,
	coalesce(max(id) FILTER (WHERE deleted_at IS NOT NULL), 0) del
	FROM messages GROUP BY room_id) s
WHERE s.room_id = r.id;
UPDATE read_markers k SET
	read_seq = coalesce((SELECT x.seq FROM messages x
		WHERE x.room_id = k.room_id AND x.id <= k.last_read_id
		ORDER BY x.id DESC LIMIT 1), 0),
	mention_count = (SELECT count(*) FROM mentions mn JOIN messages x
		ON x.id = mn.message_id AND x.deleted_at IS NULL
		WHERE mn.user_id = k.user_id AND mn.room_id = k.room_id
		AND mn.message_id > k.last_read_id);
