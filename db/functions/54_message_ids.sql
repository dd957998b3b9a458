-- 54_message_ids.sql: message ids by time, without an index on
-- created_at (dropped in 0086).  Current definitions, re-applied by
-- db/migrate.sh (db/README.md).

-- About the id of the newest message created before t (0 when there is
-- none), by bisecting the primary key: ids grow with time, so every
-- message at or after an id whose message is not older than t is not
-- older than t either.  About: a message's created_at is its
-- transaction's start, so ids drawn by concurrent posts may be a little
-- out of time order; callers add a margin (the search program adds 1000).
-- About 20 primary-key probes for a million messages.
CREATE OR REPLACE FUNCTION ec_messages_id_before(t timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	lo bigint;
	hi bigint;
	mid bigint;
	next_id bigint;
	at timestamptz;
BEGIN
	SELECT id, created_at INTO lo, at FROM messages ORDER BY id LIMIT 1;
	IF lo IS NULL OR at >= t THEN
		RETURN 0;
	END IF;
	SELECT id, created_at INTO hi, at FROM messages ORDER BY id DESC LIMIT 1;
	IF at < t THEN
		RETURN hi;
	END IF;
	-- The message lo is older than t; every message from hi on is not.
	WHILE hi - lo > 1 LOOP
		mid := lo + (hi - lo) / 2;
		SELECT id, created_at INTO next_id, at FROM messages
		WHERE id >= mid ORDER BY id LIMIT 1;
		IF at < t THEN
			lo := next_id;
		ELSE
			hi := mid;
		END IF;
	END LOOP;
	RETURN lo;
END
$$;
