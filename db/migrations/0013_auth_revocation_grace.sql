-- 0013: durable revocation and idempotent refresh rotation.

-- Every program polls the sessions revoked within an access token's
-- lifetime (the revocation list that survives Redis losing its marks).
CREATE INDEX sessions_revoked_at ON sessions (revoked_at)
	WHERE revoked_at IS NOT NULL;

-- The successor a refresh token's first use produced, sealed with a key
-- derived from that token (only its holder can open it), so a replay
-- inside the grace window gets the same credentials instead of new ones;
-- grace_replays counts those replays (capped).
ALTER TABLE refresh_tokens
	ADD COLUMN successor_box text,
	ADD COLUMN grace_replays integer NOT NULL DEFAULT 0;
