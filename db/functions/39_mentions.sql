-- 39_mentions.sql: one page of a user's mentions inbox
-- (GET /api/users/me/mentions, fcgi-apps/users/dms.c).

-- Newest first by message id; only messages still live in rooms of
-- groups the viewer still belongs to; up to `lim` items and has_more.
--
-- A page must cost the same whether the viewer has 10 mentions or
-- 100 000, and whatever the planner's statistics say. As one join it did
-- not: right after a burst of mentions (before autoanalyze) the planner
-- believed the viewer had none and either hash-joined and sorted all of
-- them (67 ms instead of 1 ms at bench scale, issue 16) or walked every
-- user's newest mentions backwards through mentions_message looking for
-- the viewer's (tests/integration/mentions-inbox.test.mjs). So the page
-- is a walk: the viewer's mentions newest first, one single-table query
-- in a cursor, each kept if its message is live and its room still the
-- viewer's, until lim + 1 are kept. The walk's order can come only from
-- mentions_pkey (user_id, message_id): mentions_message is a hash index
-- (0119), and enable_sort off, for this function only, leaves a sort of
-- all of the viewer's mentions out of the question. Mentions in groups
-- the viewer left stay in the table (they come back on rejoin) and are
-- stepped over.
CREATE OR REPLACE FUNCTION ec_mentions_page(viewer bigint, before bigint,
    lim int) RETURNS text
LANGUAGE plpgsql STABLE SET enable_sort = off AS $$
DECLARE
	mn record;
	ids bigint[] := '{}';
	kinds text[] := '{}';
BEGIN
	FOR mn IN SELECT m.message_id, m.room_id, m.kind FROM mentions m
	    WHERE m.user_id = viewer AND m.message_id < before
	    ORDER BY m.message_id DESC
	LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM rooms rm
		    JOIN group_members gm ON gm.group_id = rm.group_id
		    JOIN messages x ON x.id = mn.message_id
		    WHERE rm.id = mn.room_id AND gm.user_id = viewer
		        AND x.deleted_at IS NULL);
		ids := ids || mn.message_id;
		kinds := kinds || mn.kind;
		EXIT WHEN cardinality(ids) > lim;
	END LOOP;
	RETURN json_build_object('items', coalesce((SELECT json_agg(
		json_build_object('message', ec_message_json(x),
		    'group_id', rm.group_id, 'kind', p.kind,
		    'is_dm', EXISTS (SELECT 1 FROM conversations c
		        WHERE c.group_id = rm.group_id),
		    'unread', x.id > coalesce(k.last_read_id, 0))
		ORDER BY x.id DESC)
		FROM unnest(ids[1:lim], kinds[1:lim]) AS p(id, kind)
		JOIN messages x ON x.id = p.id
		JOIN rooms rm ON rm.id = x.room_id
		LEFT JOIN read_markers k ON k.room_id = rm.id
		    AND k.user_id = viewer), '[]'),
	    'has_more', cardinality(ids) > lim)::text;
END
$$;
