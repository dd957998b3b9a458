-- 0001: users, profiles, sessions (refresh-token families) and the helpers
-- that render API.md's `user` object.

CREATE FUNCTION ec_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE TABLE users (
	id		bigserial PRIMARY KEY,
	username	text NOT NULL,
	email		text,
	password_hash	text,			-- NULL for OAuth-only accounts
	is_active	boolean NOT NULL DEFAULT true,
	date_joined	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT users_username_format
		CHECK (username ~ '^[A-Za-z0-9_-]{5,45}$')
);
-- Usernames are unique regardless of case.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

CREATE TABLE profiles (
	user_id		bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	full_name	text NOT NULL DEFAULT '',
	bio		text NOT NULL DEFAULT '',
	gender		text NOT NULL DEFAULT 'Undefined'
		CHECK (gender IN ('Male', 'Female', 'Attack Helicopter', 'Undefined')),
	-- status is what others see: default_status while connected, else
	-- Offline (kept up to date by the relay).
	status		text NOT NULL DEFAULT 'Offline'
		CHECK (status IN ('Online', 'Busy', 'Sleeping', 'Offline')),
	default_status	text NOT NULL DEFAULT 'Online'
		CHECK (default_status IN ('Online', 'Busy', 'Sleeping', 'Offline')),
	-- Paths under the media directory; new users get a random default.
	icon		text NOT NULL DEFAULT
		('defaults/icon-' || (1 + floor(random() * 8))::int || '.png'),
	wallpaper	text NOT NULL DEFAULT
		('defaults/wallpaper-' || (1 + floor(random() * 4))::int || '.png'),
	last_seen	timestamptz
);

-- A session is a family of single-use refresh tokens.
CREATE TABLE sessions (
	id		bigserial PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	revoked_at	timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
	token_hash	text PRIMARY KEY,	-- hex SHA-256; the token is never stored
	session_id	bigint NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- API.md's `user` object; with_email adds the private top-level email.
CREATE FUNCTION ec_user_json(uid bigint, with_email boolean DEFAULT false)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', u.id,
		'username', u.username,
		'profile', jsonb_build_object(
			'full_name', p.full_name,
			'bio', p.bio,
			'gender', p.gender,
			'status', p.status,
			'default_status', p.default_status,
			'icon_url', '/media/' || p.icon,
			'wallpaper_url', '/media/' || p.wallpaper,
			'date_joined', ec_ts(u.date_joined),
			'last_seen', ec_ts(p.last_seen)))
		|| CASE WHEN with_email
			THEN jsonb_build_object('email', u.email)
			ELSE '{}'::jsonb END
	FROM users u JOIN profiles p ON p.user_id = u.id
	WHERE u.id = uid
$$;
