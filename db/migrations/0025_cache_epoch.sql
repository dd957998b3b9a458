-- 0025: the epoch of what Redis caches for the programs' fast paths
-- (common/hist.c: a history page served from Redis alone, with the
-- membership grant and the group's versions it is keyed on).  Those
-- entries are invalidated in Redis after each commit; a program whose
-- Redis write failed there moves this sequence instead (nextval is not
-- transactional, so it shows at once), and every program reads it with
-- the revocation list it reloads at most every REVOCATION_POLL_MS
-- (common/auth.c).  Every cached entry carries the epoch it was made in,
-- so a lost invalidation ends everything cached before it within a poll.
CREATE SEQUENCE ec_cache_epoch;
