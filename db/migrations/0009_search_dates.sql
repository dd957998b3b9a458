-- 0009: search by date (before:) starts from the newest message created
-- before that day, found through this index (the search program).
CREATE INDEX messages_created_at ON messages (created_at);
