-- 0086: fewer b-tree indexes on messages, so that a post writes fewer
-- index entries (the plans before and after: tests/bench/explain-indexes.sql,
-- README "Performance").
--   - messages_room_id (room_id, id) and messages_room_unread (room_id, id)
--     INCLUDE (sender_id) WHERE deleted_at IS NULL become one index over
--     every message with both columns the readers filter on included:
--     history pages, unread counts and the search walk still read it
--     (unread counts without a heap fetch), and deleting a room (ON DELETE
--     CASCADE, deleted messages too) still finds its messages by it.
--   - messages_created_at had one reader, the search program's "newest
--     message before a day" (before:), which now bisects the primary key
--     (ec_messages_id_before(), functions/54_message_ids.sql): ids grow
--     with time.
CREATE INDEX messages_room ON messages (room_id, id) INCLUDE (sender_id, deleted_at);
DROP INDEX messages_room_id;
DROP INDEX messages_room_unread;
DROP INDEX messages_created_at;
