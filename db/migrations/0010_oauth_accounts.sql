-- 0010: accounts at OAuth providers linked to users.
CREATE TABLE oauth_accounts (
	provider	text NOT NULL CHECK (provider IN ('google', 'github')),
	subject		text NOT NULL,		-- the provider's stable user id
	user_id		bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (provider, subject)
);
CREATE INDEX oauth_accounts_user ON oauth_accounts (user_id);
