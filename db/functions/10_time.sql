-- 10_time.sql: the timestamp format of every JSON answer (API.md).
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0001.

CREATE OR REPLACE FUNCTION ec_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
