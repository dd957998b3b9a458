-- 0060: files attached to messages (issue 13 item 6).
--
-- An upload (POST /api/rooms/{id}/attachments) is a row with message_id
-- NULL; posting a message links it (message_id, position) and copies the
-- attachments' JSON into messages.attachments, so a history page renders
-- them from the message row alone, like reactions. The bytes live under
-- MEDIA_DIR/attachments/, named by their SHA-256 (common/attach.h): equal
-- files share one, so a file goes only when no row names it any more.
-- Every deleted row leaves its paths in attachment_garbage (trigger);
-- attach_collect() removes the files nothing references, under the same
-- advisory lock as an upload of the same bytes.
CREATE TABLE attachments (
	id bigserial PRIMARY KEY,
	-- the quota is counted over the uploader's rows; NULL once the
	-- account is gone (the message keeps its files)
	uploader_id bigint REFERENCES users (id) ON DELETE SET NULL,
	room_id bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
	message_id bigint REFERENCES messages (id) ON DELETE CASCADE,
	position smallint,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	content_type text NOT NULL,
	size bigint NOT NULL CHECK (size > 0),
	path text NOT NULL,
	thumb_path text,
	width integer,
	height integer,
	thumb_width integer,
	thumb_height integer,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message ON attachments (message_id, position)
	WHERE message_id IS NOT NULL;
CREATE INDEX attachments_uploader ON attachments (uploader_id);
CREATE INDEX attachments_unattached ON attachments (created_at)
	WHERE message_id IS NULL;
CREATE INDEX attachments_path ON attachments (path);
CREATE INDEX attachments_thumb_path ON attachments (thumb_path)
	WHERE thumb_path IS NOT NULL;

-- The rendered attachments of a posted message (NULL: none).
ALTER TABLE messages ADD COLUMN attachments jsonb;

-- Paths whose last row may be gone; attach_collect() empties it.
CREATE TABLE attachment_garbage (
	path text PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- The triggers' functions (current definitions: functions/28_attachments.sql).
CREATE FUNCTION ec_attachments_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO attachment_garbage (path)
	SELECT p FROM (VALUES (OLD.path), (OLD.thumb_path)) v (p)
	WHERE p IS NOT NULL
	ON CONFLICT (path) DO NOTHING;
	RETURN NULL;
END
$$;

CREATE FUNCTION ec_message_deleted_attachments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM attachments WHERE message_id = NEW.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER attachments_gone AFTER DELETE ON attachments
	FOR EACH ROW EXECUTE FUNCTION ec_attachments_gone();
-- A soft-deleted message (its author, a moderator, a purge) loses its
-- files; only messages that had any pay for the trigger.
CREATE TRIGGER messages_deleted_attachments
	AFTER UPDATE OF deleted_at ON messages FOR EACH ROW
	WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
		AND OLD.attachments IS NOT NULL)
	EXECUTE FUNCTION ec_message_deleted_attachments();
