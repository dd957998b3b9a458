-- 0110: the group members who have push on, kept by triggers, so that a
-- post's push probe (ec_push_on_message, functions/37_push.sql) reads
-- only them (issue 16 item 3).  The probe joined every member of the
-- room's group to push_subscriptions: one index probe per member on every
-- post, 0.45 ms per post in a 100-member group with nobody subscribed
-- (results/2026-12-06-writes3.md), ten times that in a 1000-member one.
-- Now it is one index range scan over the group's subscribed members:
-- one probe when there are none.

-- (group_id, user_id) of group_members whose user has at least one row
-- in push_subscriptions: the join of the two, nothing else.
CREATE TABLE push_members (
	group_id bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
-- A user's rows: their last subscription removed, the user deleted.
CREATE INDEX push_members_user ON push_members (user_id);

INSERT INTO push_members (group_id, user_id)
SELECT DISTINCT gm.group_id, gm.user_id FROM group_members gm
WHERE EXISTS (SELECT 1 FROM push_subscriptions s
	WHERE s.user_id = gm.user_id);

-- The triggers' functions are in functions/37_push.sql; these bodies are
-- replaced by them right after the migrations.
CREATE FUNCTION ec_push_members_member() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION ec_push_members_subscription() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER group_members_push AFTER INSERT OR DELETE ON group_members
	FOR EACH ROW EXECUTE FUNCTION ec_push_members_member();
CREATE TRIGGER push_subscriptions_members
	AFTER INSERT OR DELETE ON push_subscriptions
	FOR EACH ROW EXECUTE FUNCTION ec_push_members_subscription();
