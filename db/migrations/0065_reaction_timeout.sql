-- 0065: ec_reaction_set gains an OUT column, timed_out_until.
--
-- A member who is timed out (group_members.timed_out_until, 0050) may not
-- react, as they may not post; the function checks it in the reaction's
-- own round trip. CREATE OR REPLACE cannot change a function's result
-- type, so the old definition goes here and db/functions/25_reactions.sql
-- creates the new one.  IF EXISTS: on a fresh database the functions are
-- applied after all migrations, so there is none yet.
DROP FUNCTION IF EXISTS ec_reaction_set(bigint, bigint, text, boolean, int);
