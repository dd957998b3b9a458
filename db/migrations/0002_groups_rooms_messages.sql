-- 0002: groups, members, topics, rooms, messages, read markers, invites.
--
-- The relay reads group_members (a user's groups at connect) and
-- profiles.status; the groups, rooms and search programs own the rest.

CREATE TABLE groups (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL,
	description	text NOT NULL DEFAULT '',
	category	text NOT NULL DEFAULT 'Undefined'
		CHECK (category IN ('Gaming', 'Music', 'Education', 'Science',
		    'Entertainment', 'Undefined')),
	is_public	boolean NOT NULL DEFAULT true,
	icon		text NOT NULL DEFAULT
		('defaults/group-icon-' || (1 + floor(random() * 8))::int || '.png'),
	wallpaper	text NOT NULL DEFAULT
		('defaults/wallpaper-' || (1 + floor(random() * 4))::int || '.png'),
	created_at	timestamptz NOT NULL DEFAULT now()
);
-- Group names are unique regardless of case.
CREATE UNIQUE INDEX groups_name_lower ON groups (lower(name));

CREATE TABLE group_members (
	group_id	bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role		text NOT NULL DEFAULT 'member'
		CHECK (role IN ('owner', 'admin', 'moderator', 'member')),
	joined_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (group_id, user_id)
);
-- "My groups" and the relay's lookup at connect.
CREATE INDEX group_members_user ON group_members (user_id, group_id);

CREATE TABLE topics (
	id		bigserial PRIMARY KEY,
	group_id	bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	name		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX topics_group ON topics (group_id, id);

CREATE TABLE rooms (
	id		bigserial PRIMARY KEY,
	topic_id	bigint NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
	group_id	bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	name		text NOT NULL,
	description	text NOT NULL DEFAULT '',
	last_message_id	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rooms_topic ON rooms (topic_id, id);
CREATE INDEX rooms_group ON rooms (group_id, id);

-- Message ids come from one increasing sequence (bigserial).
CREATE TABLE messages (
	id		bigserial PRIMARY KEY,
	room_id		bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	sender_id	bigint REFERENCES users(id) ON DELETE SET NULL,
	text		text NOT NULL,
	reply_to	bigint REFERENCES messages(id) ON DELETE SET NULL,
	nonce		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	edited_at	timestamptz,
	deleted_at	timestamptz
);
-- History pages are index range scans on (room_id, id).
CREATE INDEX messages_room_id ON messages (room_id, id);
-- Safe retry: one message per (sender, nonce).
CREATE UNIQUE INDEX messages_sender_nonce ON messages (sender_id, nonce)
	WHERE nonce IS NOT NULL;

CREATE TABLE read_markers (
	user_id		bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	room_id		bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	last_read_id	bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, room_id)
);

CREATE TABLE invites (
	code		text PRIMARY KEY,
	group_id	bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	created_by	bigint REFERENCES users(id) ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz,
	max_uses	integer CHECK (max_uses IS NULL OR max_uses > 0),
	uses		integer NOT NULL DEFAULT 0,
	revoked_at	timestamptz
);
CREATE INDEX invites_group ON invites (group_id) WHERE revoked_at IS NULL;
