-- 0116: the offline digest's candidates as a queue (db/functions/38_digest.sql,
-- common/cli/deliver.c deliver_digest), instead of ec_digest_items() for
-- every long-offline user on every check.

-- Users with a mention or a DM the digest has not yet looked at:
-- ec_digest_enqueue() adds them from the messages after digest_cursor;
-- a digest pass takes the longest-queued first and removes whoever it
-- mailed or found nothing new for.  last_message_id: the newest message
-- that queued the user, so a pass removes no row a newer one re-queued.
CREATE TABLE digest_queue (
	user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	queued_at timestamptz NOT NULL DEFAULT now(),
	last_message_id bigint NOT NULL DEFAULT 0
);
CREATE INDEX digest_queue_order ON digest_queue (queued_at, user_id);

-- How far ec_digest_enqueue() has looked (one row).
CREATE TABLE digest_cursor (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	last_message_id bigint NOT NULL
);

-- The messages so far are looked at once, by queuing everyone who may
-- have some unread (an unread mention, or a DM); the cursor starts after
-- them.
INSERT INTO digest_cursor (last_message_id)
SELECT coalesce(max(id), 0) FROM messages;
INSERT INTO digest_queue (user_id)
SELECT u.id FROM users u
WHERE u.is_active AND u.email IS NOT NULL
AND (EXISTS (SELECT 1 FROM read_markers k
		WHERE k.user_id = u.id AND k.mention_count > 0)
	OR EXISTS (SELECT 1 FROM group_members gm
		JOIN conversations c ON c.group_id = gm.group_id
		WHERE gm.user_id = u.id));
