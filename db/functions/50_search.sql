-- 50_search.sql: the query side of search (search program) and the
-- trigger that keeps search_words.  Current definitions, re-applied by
-- db/migrate.sh after every migrate (db/README.md); first defined in 0008
-- and 0012, the markup reading (ec_search_text and the two wrappers) in
-- 0016.

-- 0016: PostgreSQL's default text search parser reads "<script>", "</b>" or
-- "<a href=x>" as tag tokens and "&name;" as entity tokens, which no
-- configuration indexes, and it skips the content of a <script> or
-- <style> element altogether: "<script>alert</script>" had no word at
-- all, so searching "script" or "alert" found nothing.  Chat text is not
-- HTML (it is escaped wherever it is shown), so the index and the query
-- both read it with '<', '>' and '&' as spaces (ec_search_text): those
-- are plain words again, for the full-text index, for the word table of
-- 0012 and for the snippet (common/searchq.c, which never treated them
-- as part of a word).
-- PL/pgSQL, not SQL (since 0085): the generated columns messages.search
-- and groups.search call it, and PostgreSQL 15 inlines a SQL function
-- there by parsing its body again at the start of every INSERT (perf:
-- 4 % of PostgreSQL's CPU per post); a PL/pgSQL body is compiled once
-- per session.  IMMUTABLE still folds it on constants (query side).
CREATE OR REPLACE FUNCTION ec_search_text(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
	RETURN translate(t, '<>&', '   ');
END
$$;

-- The query side, from the words of a search (operators already removed
-- by the program): every word (AND), exactly, or as a prefix of a word.
-- NULL when there is no word at all (so that nothing matches and no
-- "query contains no lexemes" notice is raised).  IMMUTABLE: with a
-- constant argument the planner folds them, so it estimates the real
-- tsquery's selectivity.
CREATE OR REPLACE FUNCTION ec_search_tsquery_words(q text, prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_tsquery('simple', string_agg(
		'''' || replace(replace(w, '\', '\\'), '''', '''''') || ''''
		|| CASE WHEN prefix THEN ':*' ELSE '' END, ' & '))
	FROM unnest(tsvector_to_array(to_tsvector('simple', q))) w
$$;

-- A lexeme as a tsquery operand.
CREATE OR REPLACE FUNCTION ec_search_lexeme(w text, prefix boolean) RETURNS text
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
CREATE OR REPLACE FUNCTION ec_search_expand_words(q text, typo boolean,
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

-- The query side reads the query as the index reads the text (0016):
-- through ec_search_text(), then the bodies above (which call
-- ec_search_tsquery() by name: it applies it once more, harmlessly).
CREATE OR REPLACE FUNCTION ec_search_tsquery(q text, prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ec_search_tsquery_words(ec_search_text(q), prefix)
$$;

CREATE OR REPLACE FUNCTION ec_search_expand(q text, typo boolean,
    OUT q_exact tsquery, OUT q_prefix tsquery, OUT q_typo tsquery)
LANGUAGE sql STABLE AS $$
	SELECT * FROM ec_search_expand_words(ec_search_text(q), typo)
$$;

-- The words of a message's tsvector arrive sorted, so concurrent single
-- messages take the new words' index entries in the same order.
CREATE OR REPLACE FUNCTION ec_search_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_words (word)
	SELECT w FROM unnest(tsvector_to_array(NEW.search)) w
	WHERE octet_length(w) <= 64
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

-- The user whose username or display name (ignoring case) the words of a
-- search are (search_text_sender in the search program): up to two rows,
-- username matches first, each (id, by_username).  Two index lookups
-- (users_username_lower, profiles_full_name_lower of 0106), not one OR
-- over the join, which scanned every user.  A user matching both ways
-- comes twice, username row first, which the caller reads the same as
-- once.  SQL, so the planner inlines it into the caller's statement.
CREATE OR REPLACE FUNCTION ec_search_sender(q text)
RETURNS TABLE (id bigint, by_username boolean)
LANGUAGE sql STABLE AS $$
	SELECT s.id, s.by_username FROM (
		SELECT u.id, true AS by_username FROM users u
		WHERE lower(u.username) = lower(q) AND u.is_active
		UNION ALL
		SELECT u.id, false FROM profiles p JOIN users u ON u.id = p.user_id
		WHERE p.full_name <> '' AND lower(p.full_name) = lower(q)
		  AND u.is_active
	) s
	ORDER BY s.by_username DESC, s.id
	LIMIT 2
$$;

-- The messages of a result page, in the order of `ids`: each message's
-- JSON (ec_message_json with its room and group names) and its text,
-- which the program turns into the snippet.  PL/pgSQL with a generic
-- plan: the search program's connections plan every statement for its
-- values (search_session_sql: the tier queries need it), and this one
-- looks the same for any ids, so planning it anew cost more than running
-- it (1-1.5 ms of 3-5 ms per search at load 7, 2026-12-06).
CREATE OR REPLACE FUNCTION ec_search_render(ids bigint[])
RETURNS TABLE (message_json text, message_text text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
	RETURN QUERY
	SELECT (ec_message_json(m, u, p, q) || jsonb_build_object(
	    'room_name', r.name, 'group_id', r.group_id,
	    'group_name', g.name))::text, m.text
	FROM unnest(ids) WITH ORDINALITY AS t(id, ord)
	JOIN messages m ON m.id = t.id
	JOIN rooms r ON r.id = m.room_id
	JOIN groups g ON g.id = r.group_id
	LEFT JOIN users u ON u.id = m.sender_id
	LEFT JOIN profiles p ON p.user_id = u.id
	LEFT JOIN messages q ON q.id = m.reply_to
	ORDER BY t.ord;
END
$$;
