-- 0050: moderation (issue 13 item 7): bans, timeouts, slow mode and the
-- audit log of a group.
--   - group_bans: a banned user is no member and cannot become one again
--     (join or invite) until the ban is lifted;
--   - group_members.timed_out_until: until then the member cannot post,
--     react or type;
--   - rooms.slow_mode_seconds: a plain member waits that long between two
--     messages in the room (0 = off; moderators and up are exempt);
--   - audit_log: who did what to whom, read by the owner and admins.  The
--     action names are written once, in common/audit.h.
CREATE TABLE group_bans (
	group_id bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	banned_by bigint REFERENCES users (id) ON DELETE SET NULL,
	reason text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (group_id, user_id)
);

ALTER TABLE group_members ADD COLUMN timed_out_until timestamptz;

ALTER TABLE rooms ADD COLUMN slow_mode_seconds integer NOT NULL DEFAULT 0
	CHECK (slow_mode_seconds BETWEEN 0 AND 21600);

CREATE TABLE audit_log (
	id bigserial PRIMARY KEY,
	group_id bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
	action text NOT NULL,
	target_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
	details jsonb NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_group ON audit_log (group_id, id DESC);

-- When the member last posted in the room: slow mode's one-row lookup
-- (the post statement already writes this row, for the sender's marker).
ALTER TABLE read_markers ADD COLUMN last_posted_at timestamptz;
