-- 0106: a message search whose words are a display name finds that
-- user's messages (search_text_sender in fcgi-apps/search/search.c, issue
-- 12).  Its lookup matched username OR display name in one WHERE over
-- users JOIN profiles, which no index answers: a scan of every user on
-- every search with words, ~17 ms of PostgreSQL per search over 10 k
-- users (bench, 2026-12-06).  Display names get the index the username
-- already has; ec_search_sender() (functions/50_search.sql) asks the two
-- indexes separately.
CREATE INDEX profiles_full_name_lower ON profiles (lower(full_name))
	WHERE full_name <> '';
