-- 0008: search in PostgreSQL (the search program), and lookups of media
-- paths (common/img.c removes a replaced image only when no row uses it).
--
-- Full-text search: a generated tsvector per message and per group with a
-- GIN index; the 'simple' configuration (lower-cased words, no stemming,
-- no stop words) because a chat is written in any language.  Partial
-- words are prefix tsqueries ('meet':*) on the same index.
-- Typo tolerance: pg_trgm trigram indexes on the raw text, queried with
-- the word-similarity operator (query <% text).
--
-- pg_trgm ships with postgresql-contrib.  CREATE EXTENSION needs a
-- superuser (or, since PostgreSQL 13, the database owner for this
-- "trusted" extension); in dev and test the application role owns the
-- cluster.  In production where it does not, have a superuser run
--     CREATE EXTENSION pg_trgm;
-- in the database once before migrating: IF NOT EXISTS then skips it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE messages ADD COLUMN search tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
-- Deleted messages are never found: they are not even in the indexes.
CREATE INDEX messages_search ON messages USING gin (search)
	WHERE deleted_at IS NULL;
CREATE INDEX messages_text_trgm ON messages USING gin (text gin_trgm_ops)
	WHERE deleted_at IS NULL;

ALTER TABLE groups ADD COLUMN search tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', name || ' ' || description))
	STORED;
CREATE INDEX groups_search ON groups USING gin (search) WHERE is_public;
CREATE INDEX groups_text_trgm ON groups
	USING gin ((name || ' ' || description) gin_trgm_ops) WHERE is_public;

-- "Is this image still used?" after an upload replaced it.
CREATE INDEX profiles_icon ON profiles (icon);
CREATE INDEX profiles_wallpaper ON profiles (wallpaper);
CREATE INDEX groups_icon ON groups (icon);
CREATE INDEX groups_wallpaper ON groups (wallpaper);

-- The query side, from the words of a search (operators already removed
-- by the program): every word (AND), exactly, or as a prefix of a word.
-- NULL when there is no word at all (so that nothing matches and no
-- "query contains no lexemes" notice is raised).  IMMUTABLE: with a
-- constant argument the planner folds them, so it estimates the real
-- tsquery's selectivity.
CREATE FUNCTION ec_search_tsquery(q text, prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_tsquery('simple', string_agg(
		'''' || replace(replace(w, '\', '\\'), '''', '''''') || ''''
		|| CASE WHEN prefix THEN ':*' ELSE '' END, ' & '))
	FROM unnest(tsvector_to_array(to_tsvector('simple', q))) w
$$;
