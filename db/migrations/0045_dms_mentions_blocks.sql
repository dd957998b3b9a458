-- 0045: direct messages, mentions and blocks (issue 13 items 2 and 5).
--
-- A conversation (DM) is a hidden group: a private group with one topic
-- and one room whose members are the participants, so history, paging,
-- edits, replies, read markers, typing, search and every later feature
-- built on rooms reach DMs through the same membership checks
-- (common/acl.c) and the same group channel.  This table marks such
-- groups; the groups program leaves them out of "my groups".
CREATE TABLE conversations (
	group_id bigint PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
	room_id bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	-- "<low id>:<high id>" for a 1:1, so opening it twice finds the
	-- same one; NULL for a group conversation.
	pair text UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_room ON conversations (room_id);

-- user_id blocked blocked_id: no DMs from blocked_id to user_id.
CREATE TABLE blocks (
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	blocked_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, blocked_id),
	CONSTRAINT blocks_not_self CHECK (user_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- Who a message mentions, resolved by the rooms program when the message
-- is posted or edited (never the sender).  room_id is the message's, kept
-- here so per-room and per-group counts need no join on messages.
CREATE TABLE mentions (
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	room_id bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	kind text NOT NULL CONSTRAINT mentions_kind_check
	    CHECK (kind IN ('user', 'here', 'everyone')),
	PRIMARY KEY (user_id, message_id)
);
CREATE INDEX mentions_room ON mentions (user_id, room_id, message_id);
CREATE INDEX mentions_message ON mentions (message_id);

-- Whether every member may use @here and @everyone (otherwise only
-- owner, admin and moderators may).
ALTER TABLE groups ADD COLUMN everyone_mentions boolean NOT NULL DEFAULT false;
