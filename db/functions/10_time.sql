-- 10_time.sql: the timestamp format of every JSON answer (API.md).
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0001.

-- STABLE, not IMMUTABLE (since 0085): to_char() is STABLE, and the planner
-- inlines a SQL function only when its body is no more volatile than it
-- says.  Declared IMMUTABLE it was never inlined: every timestamp of
-- every JSON answer was a SQL function call, its body parsed and planned
-- again on each execution of the statement (perf: most of what was left
-- of SQL-function time in a post).  Nothing indexes it.
CREATE OR REPLACE FUNCTION ec_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
