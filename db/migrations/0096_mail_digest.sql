-- 0096: the digest of mentions and DMs mailed to users away for a while
-- (DIGEST_AFTER_HOURS, easychat-deliver; db/functions/38_digest.sql).

-- When the user's last digest was queued: the next one waits the window
-- out and covers only messages newer than this. Set in the statement
-- that writes the digest to the outbox, so a crash neither loses nor
-- doubles one.
ALTER TABLE users ADD COLUMN digest_sent_at timestamptz;
