-- 0056: rooms.hist_version and its triggers go.
--
-- 0013 kept the history cache's validity in PostgreSQL: every edit,
-- deletion, reaction and pin of a message ran an UPDATE of its room's row
-- (triggers messages_hist_version and, from 0040, _extras). Since 0025 the
-- cache is keyed by versions in Redis that event_group() bumps with the
-- change's event (common/hist.c); nothing reads hist_version any more. The
-- triggers were pure cost on the write path, and their room-row UPDATE
-- made all reactions of one room wait for each other.
DROP TRIGGER messages_hist_version ON messages;
DROP TRIGGER messages_hist_version_extras ON messages;
DROP FUNCTION ec_rooms_hist_bump();
ALTER TABLE rooms DROP COLUMN hist_version;
