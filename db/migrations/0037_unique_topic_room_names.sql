-- 0037: topic names unique within a group, room names unique within a topic,
-- regardless of case (issue 12; the original app enforced both).
--
-- Existing duplicates are renamed first, deterministically: in each set
-- of names equal ignoring case, the oldest (lowest id) keeps its name and
-- each later one, in id order, takes the first free "name (N)", N = 2, 3,
-- ..., cut so that it stays within the 22 code points of a name.
DO $$
DECLARE
	d record;
	n int;
	candidate text;
BEGIN
	FOR d IN
		SELECT t.id, t.group_id, t.name FROM topics t
		WHERE EXISTS (SELECT 1 FROM topics o
			WHERE o.group_id = t.group_id
			AND lower(o.name) = lower(t.name) AND o.id < t.id)
		ORDER BY t.id
	LOOP
		n := 2;
		LOOP
			candidate := left(d.name, 22 - length(' (' || n || ')'))
				|| ' (' || n || ')';
			EXIT WHEN NOT EXISTS (SELECT 1 FROM topics o
				WHERE o.group_id = d.group_id
				AND lower(o.name) = lower(candidate));
			n := n + 1;
		END LOOP;
		UPDATE topics SET name = candidate WHERE id = d.id;
	END LOOP;

	FOR d IN
		SELECT r.id, r.topic_id, r.name FROM rooms r
		WHERE EXISTS (SELECT 1 FROM rooms o
			WHERE o.topic_id = r.topic_id
			AND lower(o.name) = lower(r.name) AND o.id < r.id)
		ORDER BY r.id
	LOOP
		n := 2;
		LOOP
			candidate := left(d.name, 22 - length(' (' || n || ')'))
				|| ' (' || n || ')';
			EXIT WHEN NOT EXISTS (SELECT 1 FROM rooms o
				WHERE o.topic_id = d.topic_id
				AND lower(o.name) = lower(candidate));
			n := n + 1;
		END LOOP;
		UPDATE rooms SET name = candidate WHERE id = d.id;
	END LOOP;
END
$$;

CREATE UNIQUE INDEX topics_group_name_unique ON topics (group_id, lower(name));
CREATE UNIQUE INDEX rooms_topic_name_unique ON rooms (topic_id, lower(name));
