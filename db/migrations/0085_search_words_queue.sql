-- 0085: the word table of 0012 is kept up to date in batches, off the
-- post path.  A new message's id goes into search_words_queue (one
-- heap row, no index, from a statement-level trigger) instead of one
-- ON CONFLICT probe of search_words per word of the message, and
-- ec_search_words_drain() adds the words of the queued messages in one
-- sorted INSERT: easychat-deliver drains every SEARCH_WORDS_POLL_MS
-- (common/searchwords.h), and the search program drains what is left
-- before it expands a query, so a search still finds a message posted
-- just before it.  Edits are rare and keep the synchronous row trigger.
CREATE TABLE search_words_queue (
	message_id	bigint NOT NULL
);

-- Queues the ids of a statement's new messages (one row per message;
-- the words are read from messages.search when the queue is drained).
CREATE FUNCTION ec_search_words_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_words_queue (message_id) SELECT id FROM added;
	RETURN NULL;
END
$$;

DROP TRIGGER messages_search_words ON messages;
CREATE TRIGGER messages_search_words AFTER UPDATE OF text
	ON messages FOR EACH ROW EXECUTE FUNCTION ec_search_words_add();
CREATE TRIGGER messages_search_words_queue AFTER INSERT ON messages
	REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION ec_search_words_enqueue();
