-- 20_users.sql: API.md's `user` object (users program, members, auth).
-- Current definitions, re-applied by db/migrate.sh after every migrate
-- (db/README.md); first defined in 0001.

-- with_email adds the private top-level email, email_verified (0095) and
-- is_site_admin (0020).
CREATE OR REPLACE FUNCTION ec_user_json(uid bigint, with_email boolean DEFAULT false)
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
			THEN jsonb_build_object('email', u.email,
				'email_verified', u.email_verified_at IS NOT NULL,
				'is_site_admin', u.is_site_admin)
			ELSE '{}'::jsonb END
	FROM users u JOIN profiles p ON p.user_id = u.id
	WHERE u.id = uid
$$;
