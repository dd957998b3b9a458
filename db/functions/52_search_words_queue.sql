-- 52_search_words_queue.sql: the batched upkeep of search_words (0085).
-- Current definitions, re-applied by db/migrate.sh (db/README.md).

-- Queues the ids of a statement's new messages (the transition table
-- `added` of the trigger messages_search_words_queue).
CREATE OR REPLACE FUNCTION ec_search_words_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_words_queue (message_id) SELECT id FROM added;
	RETURN NULL;
END
$$;

-- Takes up to `batch` queued messages and adds their words to
-- search_words; returns how many queue rows it took.  With `wait` false
-- (easychat-deliver) rows another drainer holds are skipped; with `wait`
-- true (the search program, before it reads search_words) it waits for
-- that drainer to commit, so that every message committed before the
-- search began has its words in the table when the search reads it.
-- The words go in sorted, so concurrent drainers take new words' index
-- entries in the same order and never deadlock on them.
CREATE OR REPLACE FUNCTION ec_search_words_drain(batch int, wait boolean)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	taken tid[];
	n int;
BEGIN
	IF wait THEN
		taken := ARRAY(SELECT ctid FROM search_words_queue
		    LIMIT batch FOR UPDATE);
	ELSE
		taken := ARRAY(SELECT ctid FROM search_words_queue
		    LIMIT batch FOR UPDATE SKIP LOCKED);
	END IF;
	IF cardinality(taken) = 0 THEN
		RETURN 0;
	END IF;
	WITH q AS (DELETE FROM search_words_queue
	    WHERE ctid = ANY (taken) RETURNING message_id),
	w AS (INSERT INTO search_words (word)
	    SELECT DISTINCT w FROM q JOIN messages m ON m.id = q.message_id,
	    unnest(tsvector_to_array(m.search)) w
	    WHERE octet_length(w) <= 64 ORDER BY 1
	    ON CONFLICT DO NOTHING)
	SELECT count(*) INTO n FROM q;
	RETURN n;
END
$$;
