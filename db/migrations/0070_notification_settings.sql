-- 0070: notification settings (issue 14 item 1): per user defaults, and a
-- level and a mute per group and per room (a DM's room too).  The one
-- reader of the effective answer is notify_level() (functions/35_notify.sql).

-- A user's defaults; no row = the built-in ones (group rooms 'mentions',
-- DMs 'all', text shown, sound on).  NULL level = the built-in default.
CREATE TABLE notify_prefs (
	user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	group_level text CONSTRAINT notify_prefs_group_level_check
	    CHECK (group_level IN ('all', 'mentions', 'none')),
	dm_level text CONSTRAINT notify_prefs_dm_level_check
	    CHECK (dm_level IN ('all', 'mentions', 'none')),
	hide_text boolean NOT NULL DEFAULT false,
	sound boolean NOT NULL DEFAULT true,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (user, group) or (user, room) that the user set: level NULL
-- inherits (room -> group -> user default -> built-in); muted_until
-- 'infinity' is "until I unmute", a past time or NULL is not muted.
CREATE TABLE notify_settings (
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	group_id bigint REFERENCES groups(id) ON DELETE CASCADE,
	room_id bigint REFERENCES rooms(id) ON DELETE CASCADE,
	level text CONSTRAINT notify_settings_level_check
	    CHECK (level IN ('all', 'mentions', 'none')),
	muted_until timestamptz,
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT notify_settings_one_scope
	    CHECK ((group_id IS NULL) <> (room_id IS NULL))
);
CREATE UNIQUE INDEX notify_settings_group ON notify_settings (user_id, group_id)
    WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX notify_settings_room ON notify_settings (user_id, room_id)
    WHERE room_id IS NOT NULL;
-- ON DELETE CASCADE from groups and rooms looks rows up by these.
CREATE INDEX notify_settings_group_id ON notify_settings (group_id)
    WHERE group_id IS NOT NULL;
CREATE INDEX notify_settings_room_id ON notify_settings (room_id)
    WHERE room_id IS NOT NULL;
