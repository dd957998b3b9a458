-- 0036: sign-in with the e-mail address finds its account by index (issue 12).
--
-- POST /api/auth/login takes a username or an e-mail address
-- (fcgi-apps/auth/account.c looks the address up case-insensitively).
-- Addresses are not unique (they never were): an address that several
-- accounts share signs in none of them, so no index constraint here.
CREATE INDEX users_email_lower ON users (lower(email)) WHERE email IS NOT NULL;
