-- 0003: what the groups program needs beyond 0002: the JSON shapes it
-- shares between REST answers and relay events, and the directory indexes.

-- Trigram indexes make the directory's ILIKE '%q%' filter an index scan
-- (pg_trgm is a trusted extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX groups_public_name_trgm ON groups
	USING gin (name gin_trgm_ops) WHERE is_public;
CREATE INDEX groups_public_description_trgm ON groups
	USING gin (description gin_trgm_ops) WHERE is_public;
-- The directory filtered by category.
CREATE INDEX groups_public_category ON groups (category, id) WHERE is_public;

-- Live invites of a group, newest first (GET /api/groups/{id}/invites).
DROP INDEX invites_group;
CREATE INDEX invites_group ON invites (group_id, created_at DESC)
	WHERE revoked_at IS NULL;

-- The JSON shapes below take a row, so that an UPDATE ... RETURNING can
-- render the new row in the same statement.

-- The `group` object of REST answers and group.updated events: the
-- group's own fields, nothing that depends on who looks at it.
CREATE FUNCTION ec_group_json(g groups) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', g.id,
		'name', g.name,
		'description', g.description,
		'category', g.category,
		'is_public', g.is_public,
		'icon_url', '/media/' || g.icon,
		'wallpaper_url', '/media/' || g.wallpaper,
		'created_at', ec_ts(g.created_at))
$$;

-- The `member` object without `online` (that comes from Redis).
CREATE FUNCTION ec_member_json(m group_members) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'user', ec_user_json(m.user_id),
		'role', m.role,
		'joined_at', ec_ts(m.joined_at))
$$;
