-- 0095: optional e-mail verification at sign-up (EMAIL_VERIFY=1).

-- When the account's current address was proven to be theirs; NULL when
-- it never was, or when it changed since (the users program clears it).
-- Addresses of accounts older than this migration count as unverified:
-- nobody proved them, and with EMAIL_VERIFY=1 they do not receive reset
-- links until their owner verifies them (README, E-mail).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- A verification link: single-use, short-lived, stored as the SHA-256 of
-- its token like password_resets. `email` is the address the link was
-- sent to: a link verifies that address only, never one set after it.
CREATE TABLE email_verifications (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email text NOT NULL,
	token_hash text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);
