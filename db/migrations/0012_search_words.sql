-- 0012: the distinct words of all messages, so that a message search
-- (the search program) knows before touching the messages which of its
-- tiers can match at all, and turns a partial or misspelled word into a
-- handful of exact words for the full-text GIN index:
--   - every word exact: only when every query word is a known word;
--   - word starts: the known words that start with each query word (at
--     most 64; beyond that the prefix query 'w':* itself);
--   - typos: the known words most similar to each query word (pg_trgm
--     word similarity over this small table instead of every message).
-- A query with no match then costs a few index probes here, and no tier
-- walks the newest messages in vain.
--
-- Words are added by a trigger when a message is created or edited and
-- never removed: a deleted message's words only make a tier run that
-- then finds nothing (messages are still filtered as before: deleted
-- ones, groups the caller is not in).  The table is never shown to
-- anyone.  Words over 64 bytes (links, hashes) are not kept: a query
-- word that long is always looked for.
CREATE TABLE search_words (
	word	text COLLATE "C" PRIMARY KEY
);

INSERT INTO search_words (word)
SELECT DISTINCT w FROM messages, unnest(tsvector_to_array(search)) w
WHERE octet_length(w) <= 64;

CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- Typos are now looked up in the word table: the trigram index over every
-- message text (0008) has no reader left and only slows writes.
DROP INDEX messages_text_trgm;

-- The words of a message's tsvector arrive sorted, so concurrent single
-- messages take the new words' index entries in the same order.
CREATE FUNCTION ec_search_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_words (word)
	SELECT w FROM unnest(tsvector_to_array(NEW.search)) w
	WHERE octet_length(w) <= 64
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_search_words AFTER INSERT OR UPDATE OF text
	ON messages FOR EACH ROW EXECUTE FUNCTION ec_search_words_add();

-- A lexeme as a tsquery operand.
CREATE FUNCTION ec_search_lexeme(w text, prefix boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT '''' || replace(replace(w, '\', '\\'), '''', '''''') || ''''
	    || CASE WHEN prefix THEN ':*' ELSE '' END
$$;

-- The tsquery of each tier of a search for the words of q, NULL for a
-- tier that cannot match anything (or that finds nothing the ones before
-- it did not):
--   q_exact   every word, exactly (ec_search_tsquery(q, false));
--   q_prefix  every word, as itself or a known word it starts;
--   q_typo    every word, as one of the 16 known words most similar
--             to it (pg_trgm.word_similarity_threshold, set by the caller;
--             NULL also when typo is false, or a word is over 24 bytes or
--             has a digit: numbers, codes and hashes are not misspelled,
--             and their trigrams are shared by too many other words).
CREATE FUNCTION ec_search_expand(q text, typo boolean,
    OUT q_exact tsquery, OUT q_prefix tsquery, OUT q_typo tsquery)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	w text;
	alts text[];
	pq text[] := '{}';
	sq text[] := '{}';
	known boolean := true;
	longer boolean := false;
	prefix_ok boolean := true;
	typo_ok boolean := typo;
	nwords int := 0;
BEGIN
	FOR w IN SELECT unnest(tsvector_to_array(to_tsvector('simple', q)))
	LOOP
		nwords := nwords + 1;
		IF octet_length(w) > 64 THEN
			pq := pq || ec_search_lexeme(w, true);
			longer := true;
			typo_ok := false;
			CONTINUE;
		END IF;
		known := known AND EXISTS (SELECT 1 FROM search_words s
		    WHERE s.word = w);
		SELECT array_agg(s.word) INTO alts FROM (SELECT s.word
		    FROM search_words s WHERE s.word >= w COLLATE "C"
		    AND s.word < (w || chr(1114111)) COLLATE "C"
		    ORDER BY s.word LIMIT 65) s;
		IF alts IS NULL THEN
			prefix_ok := false;
		ELSIF cardinality(alts) > 64 THEN
			pq := pq || ec_search_lexeme(w, true);
			longer := true;
		ELSE
			pq := pq || ('(' || (SELECT string_agg(
			    ec_search_lexeme(a, false), ' | ') FROM unnest(alts) a)
			    || ')');
			longer := longer OR cardinality(alts) > 1
			    OR alts[1] <> w;
		END IF;
		IF typo_ok AND octet_length(w) <= 24 AND w !~ '[0-9]' THEN
			SELECT array_agg(s.word) INTO alts FROM (SELECT s.word
			    FROM search_words s WHERE w <% s.word
			    ORDER BY word_similarity(w, s.word) DESC, s.word
			    LIMIT 16) s;
			IF alts IS NULL THEN
				typo_ok := false;
			ELSE
				sq := sq || ('(' || (SELECT string_agg(
				    ec_search_lexeme(a, false), ' | ')
				    FROM unnest(alts) a) || ')');
			END IF;
		ELSE
			typo_ok := false;
		END IF;
	END LOOP;
	IF nwords = 0 THEN
		RETURN;		-- no word at all
	END IF;
	IF known THEN
		q_exact := ec_search_tsquery(q, false);
	END IF;
	IF prefix_ok AND longer THEN
		q_prefix := array_to_string(pq, ' & ')::tsquery;
	END IF;
	IF typo_ok THEN
		q_typo := array_to_string(sq, ' & ')::tsquery;
	END IF;
END
$$;
