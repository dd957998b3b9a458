-- 0011: message search narrowed by from: walks the sender's newest
-- messages along this index (the search program), instead of ANDing a
-- bitmap of a common word with the sender's rows.  Deleted messages are
-- never searched, so they are not in it.
CREATE INDEX messages_sender ON messages (sender_id, id)
	WHERE deleted_at IS NULL;
