-- 0016: words inside tag-like and entity-like text are found (issue 11).
--
-- PostgreSQL's default text search parser reads "<script>", "</b>" or
-- "<a href=x>" as tag tokens and "&name;" as entity tokens, which no
-- configuration indexes, and it skips the content of a <script> or
-- <style> element altogether: "<script>alert</script>" had no word at
-- all, so searching "script" or "alert" found nothing.  Chat text is not
-- HTML (it is escaped wherever it is shown), so the index and the query
-- both read it with '<', '>' and '&' as spaces (ec_search_text): those
-- are plain words again, for the full-text index, for the word table of
-- 0012 and for the snippet (common/searchq.c, which never treated them
-- as part of a word).
CREATE FUNCTION ec_search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT translate(t, '<>&', '   ')
$$;

-- A generated column's expression cannot be changed in PostgreSQL 15:
-- drop and add it again (one rewrite of each table, indexes rebuilt).
ALTER TABLE messages DROP COLUMN search;
ALTER TABLE messages ADD COLUMN search tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', ec_search_text(text)))
	STORED;
CREATE INDEX messages_search ON messages USING gin (search)
	WHERE deleted_at IS NULL;

ALTER TABLE groups DROP COLUMN search;
ALTER TABLE groups ADD COLUMN search tsvector
	GENERATED ALWAYS AS (to_tsvector('simple',
	    ec_search_text(name || ' ' || description))) STORED;
CREATE INDEX groups_search ON groups USING gin (search) WHERE is_public;

-- The words the old parse missed.
INSERT INTO search_words (word)
SELECT DISTINCT w FROM messages, unnest(tsvector_to_array(search)) w
WHERE octet_length(w) <= 64
ON CONFLICT DO NOTHING;

-- The query side reads the query the same way.  The functions of 0008
-- and 0012 keep their bodies under new names and get the query through
-- ec_search_text(); ec_search_expand_words() calls ec_search_tsquery()
-- by name, which then applies it once more (harmless: no '<' is left).
ALTER FUNCTION ec_search_tsquery(text, boolean)
	RENAME TO ec_search_tsquery_words;
CREATE FUNCTION ec_search_tsquery(q text, prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ec_search_tsquery_words(ec_search_text(q), prefix)
$$;

ALTER FUNCTION ec_search_expand(text, boolean)
	RENAME TO ec_search_expand_words;
CREATE FUNCTION ec_search_expand(q text, typo boolean,
    OUT q_exact tsquery, OUT q_prefix tsquery, OUT q_typo tsquery)
LANGUAGE sql STABLE AS $$
	SELECT * FROM ec_search_expand_words(ec_search_text(q), typo)
$$;
