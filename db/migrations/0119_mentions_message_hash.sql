-- 0119: the mentions inbox (ec_mentions_page, functions/39_mentions.sql)
-- walks a user's mentions newest first; only mentions_pkey (user_id,
-- message_id) answers that walk. mentions_message was a b-tree on
-- message_id, which also gives message_id order: on statistics taken
-- before a burst of mentions the planner walked it backwards through
-- every user's mentions, filtering for the viewer's (3 000 rows read for
-- a page of 10 in tests/integration/mentions-inbox.test.mjs). Every use of
-- mentions_message is an equality (the delete on edit, the push and
-- digest joins, the foreign key's cascade), which a hash index answers
-- and which leaves it no order to offer.
DROP INDEX mentions_message;
CREATE INDEX mentions_message ON mentions USING hash (message_id);
