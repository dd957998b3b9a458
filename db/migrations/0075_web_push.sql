-- 0075: Web Push (issue 14 item 3): subscriptions, push jobs in the
-- outbox, and what was pushed (idempotency, collapsing, the hourly cap).

-- One row per browser (device) a user turned push on in: the push
-- service's endpoint URL and the browser's keys (base64url, as
-- PushSubscription.toJSON() gives them). The same endpoint may be
-- subscribed by two accounts used in one browser; each gets its own row.
CREATE TABLE push_subscriptions (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	endpoint text NOT NULL,
	p256dh text NOT NULL,
	auth text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, endpoint)
);

-- A push job names a message; easychat-deliver expands it to the
-- recipients when it sends (presence is known then, not at the post).
-- At most one pending job per message: the message trigger and the
-- mentions trigger may both want one (ON CONFLICT DO NOTHING).
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
	CHECK (kind IN ('mail', 'push'));
CREATE UNIQUE INDEX outbox_push_message ON outbox
	(((payload->>'message_id')::bigint)) WHERE kind = 'push';

-- What was pushed to which device, written before the send: a job taken
-- again after a crash skips what it already sent (idempotent by job),
-- and the per-user hourly cap counts these. Rows older than a day are
-- removed by the deliverer.
CREATE TABLE push_sent (
	message_id bigint NOT NULL,
	subscription_id bigint NOT NULL,
	user_id bigint NOT NULL,
	sent_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (message_id, subscription_id)
);
CREATE INDEX push_sent_user ON push_sent (user_id, sent_at);

-- Collapsing: at most one push per user and room a minute. Messages that
-- arrive inside the minute are counted in `pending`; a summary job
-- ({"user_id", "room_id"}) due when the minute ends sends "N new
-- messages in #room".
CREATE TABLE push_rooms (
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	room_id bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	last_sent_at timestamptz NOT NULL,
	pending integer NOT NULL DEFAULT 0,
	last_message_id bigint,
	PRIMARY KEY (user_id, room_id)
);

-- The triggers' functions are in functions/37_push.sql; these bodies are
-- replaced by them right after the migrations.
CREATE FUNCTION ec_push_on_message() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION ec_push_on_mentions() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER messages_push AFTER INSERT ON messages
	FOR EACH ROW EXECUTE FUNCTION ec_push_on_message();
CREATE TRIGGER mentions_push AFTER INSERT ON mentions
	REFERENCING NEW TABLE AS fresh
	FOR EACH STATEMENT EXECUTE FUNCTION ec_push_on_mentions();
