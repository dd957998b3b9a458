-- 28_attachments.sql: API.md's `attachment` object and the triggers that
-- collect the files of deleted attachments (migration 0060; rooms
-- program). Before 30_rooms.sql, whose message JSON carries them.

-- API.md `attachment`: what an upload answers and what a message lists.
-- width/height and thumbnail only for images (a thumbnail is made for
-- every PNG, JPEG, GIF and WebP that GraphicsMagick could read).
CREATE OR REPLACE FUNCTION ec_attachment_json(a attachments) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'id', a.id,
		'name', a.name,
		'size', a.size,
		'content_type', a.content_type,
		'url', '/api/attachments/' || a.id,
		'width', a.width,
		'height', a.height,
		'thumbnail', CASE WHEN a.thumb_path IS NOT NULL THEN
			jsonb_build_object(
				'url', '/api/attachments/' || a.id || '/thumbnail',
				'width', a.thumb_width,
				'height', a.thumb_height) END))
$$;

-- The attachments of message `message_id`, in the order they were given
-- (NULL: none), for messages.attachments.
CREATE OR REPLACE FUNCTION ec_message_attachments_json(message_id bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_agg(ec_attachment_json(a) ORDER BY a.position)
	FROM attachments a WHERE a.message_id = $1
$$;

-- AFTER DELETE ON attachments: the row's files may now be unreferenced.
CREATE OR REPLACE FUNCTION ec_attachments_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO attachment_garbage (path)
	SELECT p FROM (VALUES (OLD.path), (OLD.thumb_path)) v (p)
	WHERE p IS NOT NULL
	ON CONFLICT (path) DO NOTHING;
	RETURN NULL;
END
$$;

-- AFTER UPDATE OF deleted_at ON messages (only for a message with
-- attachments): a deleted message's attachments go with it.
CREATE OR REPLACE FUNCTION ec_message_deleted_attachments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM attachments WHERE message_id = NEW.id;
	RETURN NULL;
END
$$;
