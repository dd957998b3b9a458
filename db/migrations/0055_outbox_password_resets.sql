-- 0055: durable outgoing jobs (the outbox) and password reset tokens.

-- What leaves the box later than the request that caused it: e-mail now,
-- Web Push next. A job is written in the transaction of the change it
-- reports, so it exists exactly when the change does; easychat-deliver
-- (common/cli/deliver.c) claims jobs with FOR UPDATE SKIP LOCKED, sends
-- them, and deletes each once sent. A job whose send failed waits until
-- run_after (back-off) and is dropped, with its last error logged, after
-- too many attempts. The payload may hold a secret (a reset link), so a
-- sent job leaves nothing behind.
CREATE TABLE outbox (
	id bigserial PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('mail')),
	payload jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	run_after timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 0,
	last_error text
);
CREATE INDEX outbox_due ON outbox (run_after, id);

-- A password reset link: single-use, short-lived, stored as the SHA-256
-- of its token (a database leak yields no usable link).
CREATE TABLE password_resets (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
