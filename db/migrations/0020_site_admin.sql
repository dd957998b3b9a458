-- 0020_site_admin.sql: the site operator's role (README "Site admins").
-- A site admin may disable, enable and delete any user and delete any
-- group or message through the API (common/acl.c acl_site_admin); it
-- grants no reading of private groups. Given and taken only with
-- easychat-admin (grant-admin, revoke-admin, create-admin).
ALTER TABLE users ADD COLUMN is_site_admin boolean NOT NULL DEFAULT false;
