--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: attachments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachments (
    id bigint NOT NULL,
    uploader_id bigint,
    room_id bigint NOT NULL,
    message_id bigint,
    "position" smallint,
    name text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    path text NOT NULL,
    thumb_path text,
    width integer,
    height integer,
    thumb_width integer,
    thumb_height integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT attachments_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT attachments_size_check CHECK ((size > 0))
);

--
-- Name: ec_attachment_json(public.attachments); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_attachment_json(a public.attachments) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'id', a.id,
		'name', a.name,
		'size', a.size,
		'content_type', a.content_type,
		'url', '/api/attachments/' || a.id,
		'width', a.width,
		'height', a.height,
		'thumbnail', CASE WHEN a.thumb_path IS NOT NULL THEN
			jsonb_build_object(
				'url', '/api/attachments/' || a.id || '/thumbnail',
				'width', a.thumb_width,
				'height', a.thumb_height) END))
$$;

--
-- Name: ec_attachments_gone(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_attachments_gone() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	INSERT INTO attachment_garbage (path)
	SELECT p FROM (VALUES (OLD.path), (OLD.thumb_path)) v (p)
	WHERE p IS NOT NULL
	ON CONFLICT (path) DO NOTHING;
	RETURN NULL;
END
$$;

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    group_id bigint NOT NULL,
    actor_id bigint,
    action text NOT NULL,
    target_user_id bigint,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: ec_audit_json(public.audit_log); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_audit_json(a public.audit_log) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'id', a.id,
		'action', a.action,
		'actor', CASE WHEN a.actor_id IS NOT NULL
			THEN ec_user_json(a.actor_id) END,
		'target_user', CASE WHEN a.target_user_id IS NOT NULL
			THEN ec_user_json(a.target_user_id) END,
		'details', a.details,
		'created_at', ec_ts(a.created_at))
$$;

--
-- Name: group_bans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.group_bans (
    group_id bigint NOT NULL,
    user_id bigint NOT NULL,
    banned_by bigint,
    reason text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: ec_ban_json(public.group_bans); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_ban_json(b public.group_bans) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'user', ec_user_json(b.user_id),
		'banned_by', CASE WHEN b.banned_by IS NOT NULL
			THEN ec_user_json(b.banned_by) END,
		'reason', b.reason,
		'created_at', ec_ts(b.created_at))
$$;

--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    group_id bigint NOT NULL,
    room_id bigint NOT NULL,
    pair text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: ec_conversation_json(public.conversations, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_conversation_json(c public.conversations, viewer bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'id', c.group_id,
		'room_id', c.room_id,
		'is_group', c.pair IS NULL,
		'members', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'id', u.id,
			'username', u.username,
			'full_name', p.full_name,
			'icon_url', '/media/' || p.icon) ORDER BY u.id)
			FROM group_members gm JOIN users u ON u.id = gm.user_id
			JOIN profiles p ON p.user_id = u.id
			WHERE gm.group_id = c.group_id), '[]'::jsonb),
		'last_message_id', r.last_message_id,
		'last_read_id', coalesce(k.last_read_id, 0),
		'unread_count', ec_unread_count(r, k),
		'mention_count', coalesce(k.mention_count, 0),
		'created_at', ec_ts(c.created_at))
	FROM rooms r LEFT JOIN read_markers k
		ON k.room_id = r.id AND k.user_id = viewer
	WHERE r.id = c.room_id
$$;

--
-- Name: ec_counts_marker(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_counts_marker() RETURNS trigger
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.last_read_id = OLD.last_read_id
	AND NEW.room_id = OLD.room_id AND NEW.user_id = OLD.user_id THEN
		RETURN NEW;
	END IF;
	-- A post moves its sender's marker to the new message and sets
	-- read_seq to that message's seq itself (fcgi-apps/rooms/messages.c
	-- knows it: no lookup per post).  Nothing else writes read_seq.
	IF TG_OP = 'INSERT' OR NEW.read_seq = OLD.read_seq
	OR NEW.room_id <> OLD.room_id OR NEW.user_id <> OLD.user_id THEN
		NEW.read_seq := CASE WHEN NEW.last_read_id = 0 THEN 0
			ELSE coalesce((SELECT x.seq FROM messages x
			WHERE x.room_id = NEW.room_id AND x.id <= NEW.last_read_id
			ORDER BY x.id DESC LIMIT 1), 0) END;
	END IF;
	-- A marker that moves forward keeps a subset of its mentions: none
	-- stay none (every post moves its sender's marker; no query then).
	IF TG_OP = 'UPDATE' AND OLD.mention_count = 0
	AND NEW.last_read_id >= OLD.last_read_id
	AND NEW.room_id = OLD.room_id AND NEW.user_id = OLD.user_id THEN
		NEW.mention_count := 0;
		RETURN NEW;
	END IF;
	NEW.mention_count := (SELECT count(*) FROM mentions mn
		JOIN messages x ON x.id = mn.message_id AND x.deleted_at IS NULL
		WHERE mn.user_id = NEW.user_id AND mn.room_id = NEW.room_id
		AND mn.message_id > NEW.last_read_id);
	RETURN NEW;
END
$$;

--
-- Name: ec_counts_mention(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_counts_mention() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- The usual case first: the marker exists.  (An INSERT ... ON
		-- CONFLICT alone runs ec_counts_marker() as a BEFORE INSERT
		-- before it finds the conflict: a count of all the user's
		-- unread mentions in the room, per mention, thrown away.)
		UPDATE read_markers SET mention_count = mention_count + 1
		WHERE user_id = NEW.user_id AND room_id = NEW.room_id
		AND last_read_id < NEW.message_id
		AND EXISTS (SELECT 1 FROM messages x WHERE x.id = NEW.message_id
			AND x.deleted_at IS NULL);
		IF FOUND THEN
			RETURN NULL;
		END IF;
		-- A new marker row is counted by ec_counts_marker() itself.
		INSERT INTO read_markers (user_id, room_id, last_read_id)
		VALUES (NEW.user_id, NEW.room_id, 0)
		ON CONFLICT (user_id, room_id) DO UPDATE
		SET mention_count = read_markers.mention_count + 1
		WHERE read_markers.last_read_id < NEW.message_id
		AND EXISTS (SELECT 1 FROM messages x WHERE x.id = NEW.message_id
			AND x.deleted_at IS NULL);
		RETURN NULL;
	END IF;
	UPDATE read_markers SET mention_count = mention_count - 1
	WHERE user_id = OLD.user_id AND room_id = OLD.room_id
	AND last_read_id < OLD.message_id
	AND EXISTS (SELECT 1 FROM messages x WHERE x.id = OLD.message_id
		AND x.deleted_at IS NULL);
	RETURN NULL;
END
$$;

--
-- Name: ec_counts_message_deleted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_counts_message_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	UPDATE rooms SET last_deleted_id = NEW.id
	WHERE id = NEW.room_id AND last_deleted_id < NEW.id;
	UPDATE read_markers k SET mention_count = k.mention_count - 1
	FROM mentions mn
	WHERE mn.message_id = NEW.id AND k.user_id = mn.user_id
	AND k.room_id = NEW.room_id AND k.last_read_id < NEW.id;
	RETURN NULL;
END
$$;

--
-- Name: ec_counts_message_new(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_counts_message_new() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	IF NEW.nonce IS NOT NULL AND EXISTS (SELECT 1 FROM messages m
		WHERE m.sender_id = NEW.sender_id AND m.nonce = NEW.nonce) THEN
		RETURN NEW;
	END IF;
	UPDATE rooms SET msg_seq = msg_seq + 1,
		last_message_id = greatest(last_message_id, NEW.id)
	WHERE id = NEW.room_id RETURNING msg_seq INTO NEW.seq;
	RETURN NEW;
END
$$;

--
-- Name: ec_counts_rebuild(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_counts_rebuild() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
	n bigint;
	total bigint := 0;
BEGIN
	UPDATE messages m SET seq = s.n
	FROM (SELECT id, row_number() OVER (PARTITION BY room_id ORDER BY id) n
		FROM messages) s
	WHERE s.id = m.id AND m.seq IS DISTINCT FROM s.n;
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;
	UPDATE rooms r SET msg_seq = s.n, last_deleted_id = s.del
	FROM (SELECT r2.id, count(x.id) n,
		coalesce(max(x.id) FILTER (WHERE x.deleted_at IS NOT NULL), 0) del
		FROM rooms r2 LEFT JOIN messages x ON x.room_id = r2.id
		GROUP BY r2.id) s
	WHERE s.id = r.id
	AND (r.msg_seq, r.last_deleted_id) IS DISTINCT FROM (s.n, s.del);
	GET DIAGNOSTICS n = ROW_COUNT;
	total := total + n;
	-- last_read_id is not set, so ec_counts_marker() leaves these alone.
	UPDATE read_markers k SET read_seq = s.rs, mention_count = s.mc
	FROM (SELECT k2.user_id, k2.room_id,
		coalesce((SELECT x.seq FROM messages x WHERE x.room_id = k2.room_id
			AND x.id <= k2.last_read_id ORDER BY x.id DESC LIMIT 1), 0) rs,
		(SELECT count(*) FROM mentions mn JOIN messages x
			ON x.id = mn.message_id AND x.deleted_at IS NULL
			WHERE mn.user_id = k2.user_id AND mn.room_id = k2.room_id
			AND mn.message_id > k2.last_read_id)::int mc
		FROM read_markers k2) s
	WHERE s.user_id = k.user_id AND s.room_id = k.room_id
	AND (k.read_seq, k.mention_count) IS DISTINCT FROM (s.rs, s.mc);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN total + n;
END
$$;

--
-- Name: ec_digest_candidates(bigint, boolean, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_digest_candidates(p_window_secs bigint, p_verify boolean, p_limit bigint) RETURNS TABLE(user_id bigint)
    LANGUAGE sql STABLE
    AS $$
	SELECT q.user_id FROM digest_queue q
	WHERE (SELECT u.is_active AND u.email IS NOT NULL
			AND (u.email_verified_at IS NOT NULL OR NOT p_verify)
			AND coalesce(p.last_seen, u.date_joined)
				< now() - make_interval(secs => p_window_secs)
			AND (u.digest_sent_at IS NULL OR u.digest_sent_at
				< now() - make_interval(secs => p_window_secs))
		FROM users u JOIN profiles p ON p.user_id = u.id
		WHERE u.id = q.user_id)
	ORDER BY q.queued_at, q.user_id LIMIT p_limit
$$;

--
-- Name: ec_digest_enqueue(bigint, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_digest_enqueue(p_lag_secs bigint, p_limit bigint) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
	v_from bigint;
	v_stop bigint;
	v_to bigint;
	v_n integer;
BEGIN
	SELECT last_message_id INTO v_from FROM digest_cursor FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT min(m.id) INTO v_stop FROM messages m
	WHERE m.id > v_from
		AND m.created_at >= now() - make_interval(secs => p_lag_secs);
	SELECT count(*), max(b.id) INTO v_n, v_to FROM (
		SELECT m.id FROM messages m
		WHERE m.id > v_from AND (v_stop IS NULL OR m.id < v_stop)
		ORDER BY m.id LIMIT p_limit) b;
	IF v_n = 0 THEN
		RETURN 0;
	END IF;
	INSERT INTO digest_queue AS q (user_id, last_message_id)
	SELECT x.user_id, max(x.message_id) FROM (
		SELECT mn.user_id, mn.message_id FROM mentions mn
		WHERE mn.message_id > v_from AND mn.message_id <= v_to
		UNION ALL
		SELECT gm.user_id, m.id FROM messages m
		JOIN conversations c ON c.room_id = m.room_id
		JOIN group_members gm ON gm.group_id = c.group_id
		WHERE m.id > v_from AND m.id <= v_to
			AND gm.user_id IS DISTINCT FROM m.sender_id
	) x JOIN users u ON u.id = x.user_id
	WHERE u.is_active AND u.email IS NOT NULL
	GROUP BY x.user_id
	ON CONFLICT (user_id) DO UPDATE SET last_message_id =
		greatest(q.last_message_id, EXCLUDED.last_message_id);
	UPDATE digest_cursor SET last_message_id = v_to;
	RETURN v_n;
END
$$;

--
-- Name: ec_digest_items(bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_digest_items(p_user bigint, p_since timestamp with time zone) RETURNS TABLE(id bigint, room_id bigint, sender_id bigint, text text, created_at timestamp with time zone, is_dm boolean)
    LANGUAGE sql STABLE
    AS $$
	SELECT m.id, m.room_id, m.sender_id, m.text, m.created_at, x.is_dm
	FROM (
		-- a mention in a DM counts once, as a DM
		SELECT y.id, bool_or(y.is_dm) AS is_dm FROM (
			SELECT mn.message_id AS id, false AS is_dm FROM mentions mn
			WHERE mn.user_id = p_user
			UNION ALL
			SELECT m2.id, true FROM conversations c
			JOIN group_members gm ON gm.group_id = c.group_id
				AND gm.user_id = p_user
			JOIN messages m2 ON m2.room_id = c.room_id
			WHERE m2.created_at > coalesce(p_since, '-infinity')
		) y GROUP BY y.id
	) x
	JOIN messages m ON m.id = x.id
	LEFT JOIN read_markers k ON k.user_id = p_user
		AND k.room_id = m.room_id
	WHERE m.deleted_at IS NULL
		AND m.sender_id IS DISTINCT FROM p_user
		AND m.id > coalesce(k.last_read_id, 0)
		AND m.created_at > coalesce(p_since, '-infinity')
		AND notify_level(p_user, m.room_id) <> 'none'
$$;

--
-- Name: ec_digest_text(bigint, timestamp with time zone, integer, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_digest_text(p_user bigint, p_since timestamp with time zone, p_lines integer, p_origin text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
	WITH i AS (SELECT * FROM ec_digest_items(p_user, p_since)),
	l AS (
		SELECT CASE WHEN i.is_dm THEN 'Direct message'
				ELSE '#' || r.name END
			|| ' - ' || coalesce(u.username, 'someone') || ': '
			|| CASE WHEN length(i.text) > 200
				THEN left(i.text, 200) || '...' ELSE i.text END
			AS line
		FROM i JOIN rooms r ON r.id = i.room_id
		LEFT JOIN users u ON u.id = i.sender_id
		ORDER BY i.created_at, i.id LIMIT p_lines)
	SELECT format(E'While you were away from Easy Chat you got %s mention(s) and %s direct message(s).\n\n',
			(SELECT count(*) FROM i WHERE NOT is_dm),
			(SELECT count(*) FROM i WHERE is_dm))
		|| CASE WHEN notify_hide_text(p_user) THEN ''
			ELSE coalesce((SELECT string_agg(line, E'\n') FROM l), '')
				|| E'\n\n' END
		|| 'Open Easy Chat: ' || p_origin || E'/\n\n'
		|| E'You get at most one such mail in a while, and none while you are\n'
		|| E'connected. Notification settings decide what counts.\n'
$$;

--
-- Name: ec_search_text(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_text(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
	RETURN translate(t, '<>&', '   ');
END
$$;

--
-- Name: groups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.groups (
    id bigint NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    category text DEFAULT 'Undefined'::text NOT NULL,
    is_public boolean DEFAULT true NOT NULL,
    icon text DEFAULT (('defaults/group-icon-'::text || (((1)::double precision + floor((random() * (8)::double precision))))::integer) || '.png'::text) NOT NULL,
    wallpaper text DEFAULT (('defaults/wallpaper-'::text || (((1)::double precision + floor((random() * (4)::double precision))))::integer) || '.png'::text) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, public.ec_search_text(((name || ' '::text) || description)))) STORED,
    everyone_mentions boolean DEFAULT false NOT NULL,
    CONSTRAINT groups_category_check CHECK ((category = ANY (ARRAY['Gaming'::text, 'Music'::text, 'Education'::text, 'Science'::text, 'Entertainment'::text, 'Undefined'::text])))
);

--
-- Name: ec_group_json(public.groups); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_group_json(g public.groups) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'id', g.id,
		'name', g.name,
		'description', g.description,
		'category', g.category,
		'is_public', g.is_public,
		'icon_url', '/media/' || g.icon,
		'wallpaper_url', '/media/' || g.wallpaper,
		'created_at', ec_ts(g.created_at))
$$;

--
-- Name: group_members; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.group_members (
    group_id bigint NOT NULL,
    user_id bigint NOT NULL,
    role text DEFAULT 'member'::text NOT NULL,
    joined_at timestamp with time zone DEFAULT now() NOT NULL,
    timed_out_until timestamp with time zone,
    CONSTRAINT group_members_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'moderator'::text, 'member'::text])))
);

--
-- Name: ec_member_json(public.group_members); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_member_json(m public.group_members) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'user', ec_user_json(m.user_id),
		'role', m.role,
		'joined_at', ec_ts(m.joined_at),
		'timed_out_until', CASE WHEN m.timed_out_until > now()
			THEN ec_ts(m.timed_out_until) END)
$$;

--
-- Name: ec_mentions_page(bigint, bigint, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_mentions_page(viewer bigint, before bigint, lim integer) RETURNS text
    LANGUAGE plpgsql STABLE
    SET enable_sort TO 'off'
    AS $$
DECLARE
	mn record;
	ids bigint[] := '{}';
	kinds text[] := '{}';
BEGIN
	FOR mn IN SELECT m.message_id, m.room_id, m.kind FROM mentions m
	    WHERE m.user_id = viewer AND m.message_id < before
	    ORDER BY m.message_id DESC
	LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM rooms rm
		    JOIN group_members gm ON gm.group_id = rm.group_id
		    JOIN messages x ON x.id = mn.message_id
		    WHERE rm.id = mn.room_id AND gm.user_id = viewer
		        AND x.deleted_at IS NULL);
		ids := ids || mn.message_id;
		kinds := kinds || mn.kind;
		EXIT WHEN cardinality(ids) > lim;
	END LOOP;
	RETURN json_build_object('items', coalesce((SELECT json_agg(
		json_build_object('message', ec_message_json(x),
		    'group_id', rm.group_id, 'kind', p.kind,
		    'is_dm', EXISTS (SELECT 1 FROM conversations c
		        WHERE c.group_id = rm.group_id),
		    'unread', x.id > coalesce(k.last_read_id, 0))
		ORDER BY x.id DESC)
		FROM unnest(ids[1:lim], kinds[1:lim]) AS p(id, kind)
		JOIN messages x ON x.id = p.id
		JOIN rooms rm ON rm.id = x.room_id
		LEFT JOIN read_markers k ON k.room_id = rm.id
		    AND k.user_id = viewer), '[]'),
	    'has_more', cardinality(ids) > lim)::text;
END
$$;

--
-- Name: ec_message_attachments_json(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_message_attachments_json(message_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $_$
	SELECT jsonb_agg(ec_attachment_json(a) ORDER BY a.position)
	FROM attachments a WHERE a.message_id = $1
$_$;

--
-- Name: ec_message_deleted_attachments(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_message_deleted_attachments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	DELETE FROM attachments WHERE message_id = NEW.id;
	RETURN NULL;
END
$$;

--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id bigint NOT NULL,
    room_id bigint NOT NULL,
    sender_id bigint,
    text text NOT NULL,
    reply_to bigint,
    nonce text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    edited_at timestamp with time zone,
    deleted_at timestamp with time zone,
    search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, public.ec_search_text(text))) STORED,
    reactions jsonb,
    pinned_at timestamp with time zone,
    pinned_by bigint,
    attachments jsonb,
    room_refs jsonb,
    seq bigint DEFAULT 0 NOT NULL
);

--
-- Name: ec_message_json(public.messages); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_message_json(m public.messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT ec_message_json(m, u, p, q)
	FROM (SELECT 1) one
	LEFT JOIN users u ON u.id = m.sender_id
	LEFT JOIN profiles p ON p.user_id = u.id
	LEFT JOIN messages q ON q.id = m.reply_to
$$;

--
-- Name: profiles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profiles (
    user_id bigint NOT NULL,
    full_name text DEFAULT ''::text NOT NULL,
    bio text DEFAULT ''::text NOT NULL,
    gender text DEFAULT 'Prefer not to say'::text NOT NULL,
    status text DEFAULT 'Offline'::text NOT NULL,
    default_status text DEFAULT 'Online'::text NOT NULL,
    icon text DEFAULT (('defaults/icon-'::text || (((1)::double precision + floor((random() * (8)::double precision))))::integer) || '.png'::text) NOT NULL,
    wallpaper text DEFAULT (('defaults/wallpaper-'::text || (((1)::double precision + floor((random() * (4)::double precision))))::integer) || '.png'::text) NOT NULL,
    last_seen timestamp with time zone,
    CONSTRAINT profiles_default_status_check CHECK ((default_status = ANY (ARRAY['Online'::text, 'Busy'::text, 'Sleeping'::text, 'Offline'::text]))),
    CONSTRAINT profiles_gender_check CHECK ((gender = ANY (ARRAY['Male'::text, 'Female'::text, 'Non-binary'::text, 'Other'::text, 'Prefer not to say'::text]))),
    CONSTRAINT profiles_status_check CHECK ((status = ANY (ARRAY['Online'::text, 'Busy'::text, 'Sleeping'::text, 'Offline'::text])))
);

--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    username text NOT NULL,
    email text,
    password_hash text,
    is_active boolean DEFAULT true NOT NULL,
    date_joined timestamp with time zone DEFAULT now() NOT NULL,
    is_site_admin boolean DEFAULT false NOT NULL,
    email_verified_at timestamp with time zone,
    digest_sent_at timestamp with time zone,
    CONSTRAINT users_username_format CHECK ((username ~ '^[A-Za-z0-9_-]{5,45}$'::text))
);

--
-- Name: ec_message_json(public.messages, public.users, public.profiles, public.messages); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_message_json(m public.messages, u public.users, p public.profiles, q public.messages) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'id', m.id,
		'room_id', m.room_id,
		'sender', CASE WHEN u.id IS NOT NULL THEN jsonb_build_object(
			'id', u.id,
			'username', u.username,
			'full_name', p.full_name,
			'icon_url', '/media/' || p.icon) END,
		'text', m.text,
		'reply_to', CASE WHEN q.id IS NOT NULL THEN jsonb_build_object(
			'id', q.id,
			'sender_id', q.sender_id,
			'text', CASE WHEN q.deleted_at IS NULL
				THEN q.text END,
			'deleted', q.deleted_at IS NOT NULL) END,
		'created_at', ec_ts(m.created_at),
		'edited_at', ec_ts(m.edited_at),
		'nonce', m.nonce,
		-- 0040: reaction counts (the caller's "me" is laid over
		-- history pages by the rooms program, reactions.c) and the
		-- pin.
		'reactions', coalesce(m.reactions, '[]'::jsonb),
		-- 0066: the `#room`s of the text (26_room_refs.sql).
		'rooms', coalesce(m.room_refs, '[]'::jsonb),
		'pinned_at', ec_ts(m.pinned_at),
		'pinned_by', m.pinned_by,
		-- 0060: rendered when the message was posted (28_attachments.sql)
		'attachments', coalesce(m.attachments, '[]'::jsonb))
$$;

--
-- Name: ec_messages_id_before(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_messages_id_before(t timestamp with time zone) RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
	lo bigint;
	hi bigint;
	mid bigint;
	next_id bigint;
	at timestamptz;
BEGIN
	SELECT id, created_at INTO lo, at FROM messages ORDER BY id LIMIT 1;
	IF lo IS NULL OR at >= t THEN
		RETURN 0;
	END IF;
	SELECT id, created_at INTO hi, at FROM messages ORDER BY id DESC LIMIT 1;
	IF at < t THEN
		RETURN hi;
	END IF;
	-- The message lo is older than t; every message from hi on is not.
	WHILE hi - lo > 1 LOOP
		mid := lo + (hi - lo) / 2;
		SELECT id, created_at INTO next_id, at FROM messages
		WHERE id >= mid ORDER BY id LIMIT 1;
		IF at < t THEN
			lo := next_id;
		ELSE
			hi := mid;
		END IF;
	END LOOP;
	RETURN lo;
END
$$;

--
-- Name: ec_notify_muted_json(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_notify_muted_json(t timestamp with time zone) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
	SELECT CASE WHEN t IS NULL THEN 'null'::jsonb
		WHEN t = 'infinity' THEN '"forever"'::jsonb
		ELSE to_jsonb(ec_ts(t)) END
$$;

--
-- Name: ec_notify_settings_json(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_notify_settings_json(p_user bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'defaults', jsonb_build_object(
			'group_level', coalesce(up.group_level, 'mentions'),
			'dm_level', coalesce(up.dm_level, 'all'),
			'hide_text', coalesce(up.hide_text, false),
			'sound', coalesce(up.sound, true)),
		'groups', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'group_id', s.group_id,
			'level', s.level,
			'muted_until', ec_notify_muted_json(CASE
				WHEN s.muted_until > now() THEN s.muted_until END))
			ORDER BY s.group_id)
			FROM notify_settings s JOIN group_members gm
			ON gm.group_id = s.group_id AND gm.user_id = p_user
			WHERE s.user_id = p_user), '[]'::jsonb),
		'rooms', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'room_id', s.room_id,
			'group_id', r.group_id,
			'level', s.level,
			'muted_until', ec_notify_muted_json(CASE
				WHEN s.muted_until > now() THEN s.muted_until END))
			ORDER BY s.room_id)
			FROM notify_settings s JOIN rooms r ON r.id = s.room_id
			JOIN group_members gm ON gm.group_id = r.group_id
			AND gm.user_id = p_user
			WHERE s.user_id = p_user), '[]'::jsonb))
	FROM (SELECT p_user AS id) me
	LEFT JOIN notify_prefs up ON up.user_id = me.id
$$;

--
-- Name: ec_push_members_member(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_push_members_member() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM 1 FROM users WHERE id = OLD.user_id FOR SHARE;
		DELETE FROM push_members
		WHERE group_id = OLD.group_id AND user_id = OLD.user_id;
		RETURN NULL;
	END IF;
	PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
	INSERT INTO push_members (group_id, user_id)
	SELECT NEW.group_id, NEW.user_id
	WHERE EXISTS (SELECT 1 FROM push_subscriptions s
		WHERE s.user_id = NEW.user_id)
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

--
-- Name: ec_push_members_subscription(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_push_members_subscription() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM 1 FROM users WHERE id = OLD.user_id FOR NO KEY UPDATE;
		DELETE FROM push_members WHERE user_id = OLD.user_id
		AND NOT EXISTS (SELECT 1 FROM push_subscriptions s
			WHERE s.user_id = OLD.user_id);
		RETURN NULL;
	END IF;
	PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
	INSERT INTO push_members (group_id, user_id)
	SELECT gm.group_id, gm.user_id FROM group_members gm
	WHERE gm.user_id = NEW.user_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

--
-- Name: ec_push_on_mentions(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_push_on_mentions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	INSERT INTO outbox (kind, payload)
	SELECT DISTINCT 'push', jsonb_build_object('message_id', f.message_id)
	FROM (WITH subscribed AS MATERIALIZED (SELECT f2.message_id,
		f2.user_id, f2.room_id FROM fresh f2
		WHERE EXISTS (SELECT 1 FROM push_subscriptions s
			WHERE s.user_id = f2.user_id))
		SELECT * FROM subscribed) f
	WHERE notify_level(f.user_id, f.room_id) <> 'none'
	ON CONFLICT (((payload->>'message_id')::bigint))
	WHERE kind = 'push' DO NOTHING;
	IF FOUND THEN
		PERFORM pg_notify('easychat_outbox', '');
	END IF;
	RETURN NULL;
END
$$;

--
-- Name: ec_push_on_message(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_push_on_message() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM rooms r
		JOIN push_members pm ON pm.group_id = r.group_id
		WHERE r.id = NEW.room_id
		AND pm.user_id IS DISTINCT FROM NEW.sender_id
		AND CASE WHEN EXISTS (SELECT 1 FROM conversations c
				WHERE c.group_id = r.group_id)
			OR EXISTS (SELECT 1 FROM notify_settings s
				WHERE s.user_id = pm.user_id
				AND s.room_id = r.id AND s.level = 'all')
			OR EXISTS (SELECT 1 FROM notify_settings s
				WHERE s.user_id = pm.user_id
				AND s.group_id = r.group_id AND s.level = 'all')
			OR EXISTS (SELECT 1 FROM notify_prefs p
				WHERE p.user_id = pm.user_id
				AND p.group_level = 'all')
		THEN notify_level(pm.user_id, NEW.room_id) = 'all'
		ELSE false END) THEN
		INSERT INTO outbox (kind, payload)
		VALUES ('push', jsonb_build_object('message_id', NEW.id))
		ON CONFLICT (((payload->>'message_id')::bigint))
		WHERE kind = 'push' DO NOTHING;
		PERFORM pg_notify('easychat_outbox', '');
	END IF;
	RETURN NULL;
END
$$;

--
-- Name: ec_reaction_set(bigint, bigint, text, boolean, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_reaction_set(mid bigint, uid bigint, e text, adding boolean, max_distinct integer, OUT live boolean, OUT at_limit boolean, OUT changed boolean, OUT n integer, OUT reaction jsonb, OUT timed_out_until text) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
	summary jsonb;
	room bigint;
BEGIN
	live := false;
	at_limit := false;
	changed := false;
	n := 0;
	SELECT m.reactions, m.room_id INTO summary, room FROM messages m
	WHERE m.id = mid AND m.deleted_at IS NULL FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	live := true;
	IF adding THEN
		SELECT ec_ts(gm.timed_out_until) INTO timed_out_until
		FROM rooms r JOIN group_members gm ON gm.group_id = r.group_id
		AND gm.user_id = uid
		WHERE r.id = room AND gm.timed_out_until > now();
		IF timed_out_until IS NOT NULL THEN
			RETURN;
		END IF;
		IF jsonb_array_length(coalesce(summary, '[]')) >= max_distinct
		    AND NOT coalesce(summary, '[]') @>
		        jsonb_build_array(jsonb_build_object('emoji', e)) THEN
			at_limit := true;
			RETURN;
		END IF;
		INSERT INTO message_reactions (message_id, emoji, user_id)
		VALUES (mid, e, uid) ON CONFLICT DO NOTHING;
	ELSE
		DELETE FROM message_reactions
		WHERE message_id = mid AND emoji = e AND user_id = uid;
	END IF;
	changed := FOUND;
	SELECT count(*) INTO n FROM message_reactions r
	WHERE r.message_id = mid AND r.emoji = e;
	reaction := jsonb_build_object('message_id', mid, 'room_id', room,
	    'emoji', e, 'user_id', uid, 'count', n);
END
$$;

--
-- Name: ec_reactions_summarise(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_reactions_summarise() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
	mid bigint;
BEGIN
	IF TG_OP = 'DELETE' THEN
		mid := OLD.message_id;
	ELSE
		mid := NEW.message_id;
	END IF;
	UPDATE messages SET reactions = (
		SELECT jsonb_agg(jsonb_build_object('emoji', s.emoji,
		    'count', s.n) ORDER BY s.first, s.emoji)
		FROM (SELECT emoji, count(*) AS n, min(created_at) AS first
		      FROM message_reactions WHERE message_id = mid
		      GROUP BY emoji) s)
	WHERE id = mid;
	RETURN NULL;
END
$$;

--
-- Name: rooms; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.rooms (
    id bigint NOT NULL,
    topic_id bigint NOT NULL,
    group_id bigint NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    last_message_id bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    slow_mode_seconds integer DEFAULT 0 NOT NULL,
    msg_seq bigint DEFAULT 0 NOT NULL,
    last_deleted_id bigint DEFAULT 0 NOT NULL,
    CONSTRAINT rooms_slow_mode_seconds_check CHECK (((slow_mode_seconds >= 0) AND (slow_mode_seconds <= 21600)))
);

--
-- Name: ec_room_json(public.rooms); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_room_json(r public.rooms) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'id', r.id,
		'group_id', r.group_id,
		'topic_id', r.topic_id,
		'name', r.name,
		'description', r.description,
		'last_message_id', r.last_message_id,
		'slow_mode_seconds', r.slow_mode_seconds,
		'created_at', ec_ts(r.created_at))
$$;

--
-- Name: ec_room_refs(text, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_room_refs(txt text, room bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
	RETURN (SELECT jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name)
	    ORDER BY c.pos)
	FROM (SELECT DISTINCT ON (lower(t.w[1])) t.w[1] AS name, t.pos, r.id
	      FROM rooms src,
	      regexp_matches(txt, '(?:^|[^A-Za-z0-9_@#-])#([A-Za-z0-9_-]+)',
	          'g') WITH ORDINALITY AS t(w, pos)
	      JOIN rooms r ON lower(r.name) = lower(t.w[1])
	      WHERE src.id = room AND r.group_id = src.group_id
	      ORDER BY lower(t.w[1]), r.topic_id = src.topic_id DESC, r.id,
	          t.pos) c);
END
$$;

--
-- Name: ec_room_refs_keep(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_room_refs_keep() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	NEW.room_refs := CASE WHEN strpos(NEW.text, '#') > 0
		THEN ec_room_refs(NEW.text, NEW.room_id) END;
	RETURN NEW;
END
$$;

--
-- Name: ec_search_expand(text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_expand(q text, typo boolean, OUT q_exact tsquery, OUT q_prefix tsquery, OUT q_typo tsquery) RETURNS record
    LANGUAGE sql STABLE
    AS $$
	SELECT * FROM ec_search_expand_words(ec_search_text(q), typo)
$$;

--
-- Name: ec_search_expand_words(text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_expand_words(q text, typo boolean, OUT q_exact tsquery, OUT q_prefix tsquery, OUT q_typo tsquery) RETURNS record
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
	w text;
	alts text[];
	pq text[] := '{}';
	sq text[] := '{}';
	known boolean := true;
	longer boolean := false;
	prefix_ok boolean := true;
	typo_ok boolean := typo;
	nwords int := 0;
BEGIN
	FOR w IN SELECT unnest(tsvector_to_array(to_tsvector('simple', q)))
	LOOP
		nwords := nwords + 1;
		IF octet_length(w) > 64 THEN
			pq := pq || ec_search_lexeme(w, true);
			longer := true;
			typo_ok := false;
			CONTINUE;
		END IF;
		known := known AND EXISTS (SELECT 1 FROM search_words s
		    WHERE s.word = w);
		SELECT array_agg(s.word) INTO alts FROM (SELECT s.word
		    FROM search_words s WHERE s.word >= w COLLATE "C"
		    AND s.word < (w || chr(1114111)) COLLATE "C"
		    ORDER BY s.word LIMIT 65) s;
		IF alts IS NULL THEN
			prefix_ok := false;
		ELSIF cardinality(alts) > 64 THEN
			pq := pq || ec_search_lexeme(w, true);
			longer := true;
		ELSE
			pq := pq || ('(' || (SELECT string_agg(
			    ec_search_lexeme(a, false), ' | ') FROM unnest(alts) a)
			    || ')');
			longer := longer OR cardinality(alts) > 1
			    OR alts[1] <> w;
		END IF;
		IF typo_ok AND octet_length(w) <= 24 AND w !~ '[0-9]' THEN
			SELECT array_agg(s.word) INTO alts FROM (SELECT s.word
			    FROM search_words s WHERE w <% s.word
			    ORDER BY word_similarity(w, s.word) DESC, s.word
			    LIMIT 16) s;
			IF alts IS NULL THEN
				typo_ok := false;
			ELSE
				sq := sq || ('(' || (SELECT string_agg(
				    ec_search_lexeme(a, false), ' | ')
				    FROM unnest(alts) a) || ')');
			END IF;
		ELSE
			typo_ok := false;
		END IF;
	END LOOP;
	IF nwords = 0 THEN
		RETURN;		-- no word at all
	END IF;
	IF known THEN
		q_exact := ec_search_tsquery(q, false);
	END IF;
	IF prefix_ok AND longer THEN
		q_prefix := array_to_string(pq, ' & ')::tsquery;
	END IF;
	IF typo_ok THEN
		q_typo := array_to_string(sq, ' & ')::tsquery;
	END IF;
END
$$;

--
-- Name: ec_search_lexeme(text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_lexeme(w text, prefix boolean) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
	SELECT '''' || replace(replace(w, '\', '\\'), '''', '''''') || ''''
	    || CASE WHEN prefix THEN ':*' ELSE '' END
$$;

--
-- Name: ec_search_render(bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_render(ids bigint[]) RETURNS TABLE(message_json text, message_text text)
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
BEGIN
	RETURN QUERY
	SELECT (ec_message_json(m, u, p, q) || jsonb_build_object(
	    'room_name', r.name, 'group_id', r.group_id,
	    'group_name', g.name))::text, m.text
	FROM unnest(ids) WITH ORDINALITY AS t(id, ord)
	JOIN messages m ON m.id = t.id
	JOIN rooms r ON r.id = m.room_id
	JOIN groups g ON g.id = r.group_id
	LEFT JOIN users u ON u.id = m.sender_id
	LEFT JOIN profiles p ON p.user_id = u.id
	LEFT JOIN messages q ON q.id = m.reply_to
	ORDER BY t.ord;
END
$$;

--
-- Name: ec_search_sender(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_sender(q text) RETURNS TABLE(id bigint, by_username boolean)
    LANGUAGE sql STABLE
    AS $$
	SELECT s.id, s.by_username FROM (
		SELECT u.id, true AS by_username FROM users u
		WHERE lower(u.username) = lower(q) AND u.is_active
		UNION ALL
		SELECT u.id, false FROM profiles p JOIN users u ON u.id = p.user_id
		WHERE p.full_name <> '' AND lower(p.full_name) = lower(q)
		  AND u.is_active
	) s
	ORDER BY s.by_username DESC, s.id
	LIMIT 2
$$;

--
-- Name: ec_search_tsquery(text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_tsquery(q text, prefix boolean) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
	SELECT ec_search_tsquery_words(ec_search_text(q), prefix)
$$;

--
-- Name: ec_search_tsquery_words(text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_tsquery_words(q text, prefix boolean) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
	SELECT to_tsquery('simple', string_agg(
		'''' || replace(replace(w, '\', '\\'), '''', '''''') || ''''
		|| CASE WHEN prefix THEN ':*' ELSE '' END, ' & '))
	FROM unnest(tsvector_to_array(to_tsvector('simple', q))) w
$$;

--
-- Name: ec_search_words_add(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_words_add() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	INSERT INTO search_words (word)
	SELECT w FROM unnest(tsvector_to_array(NEW.search)) w
	WHERE octet_length(w) <= 64
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

--
-- Name: ec_search_words_drain(integer, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_words_drain(batch integer, wait boolean) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
	taken tid[];
	n int;
BEGIN
	IF wait THEN
		taken := ARRAY(SELECT ctid FROM search_words_queue
		    LIMIT batch FOR UPDATE);
	ELSE
		taken := ARRAY(SELECT ctid FROM search_words_queue
		    LIMIT batch FOR UPDATE SKIP LOCKED);
	END IF;
	IF cardinality(taken) = 0 THEN
		RETURN 0;
	END IF;
	WITH q AS (DELETE FROM search_words_queue
	    WHERE ctid = ANY (taken) RETURNING message_id),
	w AS (INSERT INTO search_words (word)
	    SELECT DISTINCT w FROM q JOIN messages m ON m.id = q.message_id,
	    unnest(tsvector_to_array(m.search)) w
	    WHERE octet_length(w) <= 64 ORDER BY 1
	    ON CONFLICT DO NOTHING)
	SELECT count(*) INTO n FROM q;
	RETURN n;
END
$$;

--
-- Name: ec_search_words_enqueue(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_search_words_enqueue() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
	INSERT INTO search_words_queue (message_id) SELECT id FROM added;
	RETURN NULL;
END
$$;

--
-- Name: topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.topics (
    id bigint NOT NULL,
    group_id bigint NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: ec_topic_json(public.topics); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_topic_json(t public.topics) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
	SELECT jsonb_build_object(
		'id', t.id,
		'group_id', t.group_id,
		'name', t.name,
		'rooms', COALESCE((SELECT jsonb_agg(ec_room_json(r) ORDER BY r.id)
		    FROM rooms r WHERE r.topic_id = t.id), '[]'::jsonb))
$$;

--
-- Name: ec_ts(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_ts(t timestamp with time zone) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

--
-- Name: read_markers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.read_markers (
    user_id bigint NOT NULL,
    room_id bigint NOT NULL,
    last_read_id bigint DEFAULT 0 NOT NULL,
    last_posted_at timestamp with time zone,
    read_seq bigint DEFAULT 0 NOT NULL,
    mention_count integer DEFAULT 0 NOT NULL
);

--
-- Name: ec_unread_count(public.rooms, public.read_markers); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_unread_count(r public.rooms, k public.read_markers) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
	SELECT r.msg_seq - coalesce(k.read_seq, 0)
		- CASE WHEN r.last_deleted_id > coalesce(k.last_read_id, 0)
		THEN (SELECT count(*) FROM messages x WHERE x.room_id = r.id
			AND x.id > coalesce(k.last_read_id, 0)
			AND x.deleted_at IS NOT NULL) ELSE 0 END
$$;

--
-- Name: ec_user_json(bigint, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ec_user_json(uid bigint, with_email boolean DEFAULT false) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
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

--
-- Name: notify_hide_text(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.notify_hide_text(p_user bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
	SELECT coalesce((SELECT hide_text FROM notify_prefs
		WHERE user_id = p_user), false)
$$;

--
-- Name: notify_level(bigint, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.notify_level(p_user bigint, p_room bigint) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
	RETURN coalesce((
		SELECT CASE
			WHEN rs.muted_until > now() OR gs.muted_until > now()
			THEN 'none'
			ELSE coalesce(rs.level, gs.level,
				CASE WHEN c.group_id IS NOT NULL
				THEN coalesce(up.dm_level, 'all')
				ELSE coalesce(up.group_level, 'mentions') END)
			END
		FROM rooms r
		JOIN group_members gm ON gm.group_id = r.group_id
			AND gm.user_id = p_user
		LEFT JOIN conversations c ON c.group_id = r.group_id
		LEFT JOIN notify_settings rs ON rs.user_id = p_user
			AND rs.room_id = r.id
		LEFT JOIN notify_settings gs ON gs.user_id = p_user
			AND gs.group_id = r.group_id
		LEFT JOIN notify_prefs up ON up.user_id = p_user
		WHERE r.id = p_room), 'none');
END
$$;

--
-- Name: attachment_garbage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachment_garbage (
    path text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: attachments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.attachments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: attachments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.attachments_id_seq OWNED BY public.attachments.id;

--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: audit_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;

--
-- Name: blocks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.blocks (
    user_id bigint NOT NULL,
    blocked_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT blocks_not_self CHECK ((user_id <> blocked_id))
);

--
-- Name: digest_cursor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.digest_cursor (
    one boolean DEFAULT true NOT NULL,
    last_message_id bigint NOT NULL,
    CONSTRAINT digest_cursor_one_check CHECK (one)
);

--
-- Name: digest_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.digest_queue (
    user_id bigint NOT NULL,
    queued_at timestamp with time zone DEFAULT now() NOT NULL,
    last_message_id bigint DEFAULT 0 NOT NULL
);

--
-- Name: ec_cache_epoch; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.ec_cache_epoch
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: email_verifications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.email_verifications (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    email text NOT NULL,
    token_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone
);

--
-- Name: email_verifications_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.email_verifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: email_verifications_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.email_verifications_id_seq OWNED BY public.email_verifications.id;

--
-- Name: groups_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.groups_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: groups_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.groups_id_seq OWNED BY public.groups.id;

--
-- Name: invites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invites (
    code text NOT NULL,
    group_id bigint NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    max_uses integer,
    uses integer DEFAULT 0 NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT invites_max_uses_check CHECK (((max_uses IS NULL) OR (max_uses > 0)))
);

--
-- Name: mentions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mentions (
    user_id bigint NOT NULL,
    message_id bigint NOT NULL,
    room_id bigint NOT NULL,
    kind text NOT NULL,
    CONSTRAINT mentions_kind_check CHECK ((kind = ANY (ARRAY['user'::text, 'here'::text, 'everyone'::text])))
);

--
-- Name: message_reactions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.message_reactions (
    message_id bigint NOT NULL,
    emoji text NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT message_reactions_emoji_check CHECK (((octet_length(emoji) >= 1) AND (octet_length(emoji) <= 64)))
);

--
-- Name: messages_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: messages_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.messages_id_seq OWNED BY public.messages.id;

--
-- Name: notify_prefs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_prefs (
    user_id bigint NOT NULL,
    group_level text,
    dm_level text,
    hide_text boolean DEFAULT false NOT NULL,
    sound boolean DEFAULT true NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notify_prefs_dm_level_check CHECK ((dm_level = ANY (ARRAY['all'::text, 'mentions'::text, 'none'::text]))),
    CONSTRAINT notify_prefs_group_level_check CHECK ((group_level = ANY (ARRAY['all'::text, 'mentions'::text, 'none'::text])))
);

--
-- Name: notify_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_settings (
    user_id bigint NOT NULL,
    group_id bigint,
    room_id bigint,
    level text,
    muted_until timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notify_settings_level_check CHECK ((level = ANY (ARRAY['all'::text, 'mentions'::text, 'none'::text]))),
    CONSTRAINT notify_settings_one_scope CHECK (((group_id IS NULL) <> (room_id IS NULL)))
);

--
-- Name: oauth_accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauth_accounts (
    provider text NOT NULL,
    subject text NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT oauth_accounts_provider_check CHECK ((provider = ANY (ARRAY['google'::text, 'github'::text])))
);

--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id bigint NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    CONSTRAINT outbox_kind_check CHECK ((kind = ANY (ARRAY['mail'::text, 'push'::text])))
);

--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_id_seq OWNED BY public.outbox.id;

--
-- Name: password_resets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.password_resets (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    token_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone
);

--
-- Name: password_resets_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.password_resets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: password_resets_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.password_resets_id_seq OWNED BY public.password_resets.id;

--
-- Name: push_members; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.push_members (
    group_id bigint NOT NULL,
    user_id bigint NOT NULL
);

--
-- Name: push_rooms; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.push_rooms (
    user_id bigint NOT NULL,
    room_id bigint NOT NULL,
    last_sent_at timestamp with time zone NOT NULL,
    pending integer DEFAULT 0 NOT NULL,
    last_message_id bigint
);

--
-- Name: push_sent; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.push_sent (
    message_id bigint NOT NULL,
    subscription_id bigint NOT NULL,
    user_id bigint NOT NULL,
    sent_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: push_subscriptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.push_subscriptions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    endpoint text NOT NULL,
    p256dh text NOT NULL,
    auth text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: push_subscriptions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.push_subscriptions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: push_subscriptions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.push_subscriptions_id_seq OWNED BY public.push_subscriptions.id;

--
-- Name: refresh_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refresh_tokens (
    token_hash text NOT NULL,
    session_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    successor_box text,
    grace_replays integer DEFAULT 0 NOT NULL
);

--
-- Name: rooms_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.rooms_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: rooms_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.rooms_id_seq OWNED BY public.rooms.id;

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: search_words; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_words (
    word text NOT NULL COLLATE pg_catalog."C"
);

--
-- Name: search_words_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_words_queue (
    message_id bigint NOT NULL
);

--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone
);

--
-- Name: sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: sessions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;

--
-- Name: topics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.topics_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: topics_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.topics_id_seq OWNED BY public.topics.id;

--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

--
-- Name: attachments id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments ALTER COLUMN id SET DEFAULT nextval('public.attachments_id_seq'::regclass);

--
-- Name: audit_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

--
-- Name: email_verifications id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.email_verifications ALTER COLUMN id SET DEFAULT nextval('public.email_verifications_id_seq'::regclass);

--
-- Name: groups id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.groups ALTER COLUMN id SET DEFAULT nextval('public.groups_id_seq'::regclass);

--
-- Name: messages id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages ALTER COLUMN id SET DEFAULT nextval('public.messages_id_seq'::regclass);

--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);

--
-- Name: password_resets id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets ALTER COLUMN id SET DEFAULT nextval('public.password_resets_id_seq'::regclass);

--
-- Name: push_subscriptions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_subscriptions ALTER COLUMN id SET DEFAULT nextval('public.push_subscriptions_id_seq'::regclass);

--
-- Name: rooms id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rooms ALTER COLUMN id SET DEFAULT nextval('public.rooms_id_seq'::regclass);

--
-- Name: sessions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);

--
-- Name: topics id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics ALTER COLUMN id SET DEFAULT nextval('public.topics_id_seq'::regclass);

--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

--
-- Name: attachment_garbage attachment_garbage_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachment_garbage
    ADD CONSTRAINT attachment_garbage_pkey PRIMARY KEY (path);

--
-- Name: attachments attachments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

--
-- Name: blocks blocks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blocks
    ADD CONSTRAINT blocks_pkey PRIMARY KEY (user_id, blocked_id);

--
-- Name: conversations conversations_pair_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pair_key UNIQUE (pair);

--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (group_id);

--
-- Name: digest_cursor digest_cursor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.digest_cursor
    ADD CONSTRAINT digest_cursor_pkey PRIMARY KEY (one);

--
-- Name: digest_queue digest_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.digest_queue
    ADD CONSTRAINT digest_queue_pkey PRIMARY KEY (user_id);

--
-- Name: email_verifications email_verifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.email_verifications
    ADD CONSTRAINT email_verifications_pkey PRIMARY KEY (id);

--
-- Name: email_verifications email_verifications_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.email_verifications
    ADD CONSTRAINT email_verifications_token_hash_key UNIQUE (token_hash);

--
-- Name: group_bans group_bans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_bans
    ADD CONSTRAINT group_bans_pkey PRIMARY KEY (group_id, user_id);

--
-- Name: group_members group_members_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_members
    ADD CONSTRAINT group_members_pkey PRIMARY KEY (group_id, user_id);

--
-- Name: groups groups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.groups
    ADD CONSTRAINT groups_pkey PRIMARY KEY (id);

--
-- Name: invites invites_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_pkey PRIMARY KEY (code);

--
-- Name: mentions mentions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mentions
    ADD CONSTRAINT mentions_pkey PRIMARY KEY (user_id, message_id);

--
-- Name: message_reactions message_reactions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_reactions
    ADD CONSTRAINT message_reactions_pkey PRIMARY KEY (message_id, emoji, user_id);

--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);

--
-- Name: notify_prefs notify_prefs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_prefs
    ADD CONSTRAINT notify_prefs_pkey PRIMARY KEY (user_id);

--
-- Name: oauth_accounts oauth_accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_accounts
    ADD CONSTRAINT oauth_accounts_pkey PRIMARY KEY (provider, subject);

--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);

--
-- Name: password_resets password_resets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT password_resets_pkey PRIMARY KEY (id);

--
-- Name: password_resets password_resets_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash);

--
-- Name: profiles profiles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_pkey PRIMARY KEY (user_id);

--
-- Name: push_members push_members_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_members
    ADD CONSTRAINT push_members_pkey PRIMARY KEY (group_id, user_id);

--
-- Name: push_rooms push_rooms_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_rooms
    ADD CONSTRAINT push_rooms_pkey PRIMARY KEY (user_id, room_id);

--
-- Name: push_sent push_sent_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_sent
    ADD CONSTRAINT push_sent_pkey PRIMARY KEY (message_id, subscription_id);

--
-- Name: push_subscriptions push_subscriptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_subscriptions
    ADD CONSTRAINT push_subscriptions_pkey PRIMARY KEY (id);

--
-- Name: push_subscriptions push_subscriptions_user_id_endpoint_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_subscriptions
    ADD CONSTRAINT push_subscriptions_user_id_endpoint_key UNIQUE (user_id, endpoint);

--
-- Name: read_markers read_markers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.read_markers
    ADD CONSTRAINT read_markers_pkey PRIMARY KEY (user_id, room_id);

--
-- Name: refresh_tokens refresh_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (token_hash);

--
-- Name: rooms rooms_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_pkey PRIMARY KEY (id);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: search_words search_words_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_words
    ADD CONSTRAINT search_words_pkey PRIMARY KEY (word);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

--
-- Name: topics topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_pkey PRIMARY KEY (id);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: attachments_message; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_message ON public.attachments USING btree (message_id, "position") WHERE (message_id IS NOT NULL);

--
-- Name: attachments_path; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_path ON public.attachments USING btree (path);

--
-- Name: attachments_thumb_path; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_thumb_path ON public.attachments USING btree (thumb_path) WHERE (thumb_path IS NOT NULL);

--
-- Name: attachments_unattached; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_unattached ON public.attachments USING btree (created_at) WHERE (message_id IS NULL);

--
-- Name: attachments_uploader; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_uploader ON public.attachments USING btree (uploader_id);

--
-- Name: audit_log_group; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_group ON public.audit_log USING btree (group_id, id DESC);

--
-- Name: blocks_blocked; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX blocks_blocked ON public.blocks USING btree (blocked_id);

--
-- Name: conversations_room; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_room ON public.conversations USING btree (room_id);

--
-- Name: digest_queue_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX digest_queue_order ON public.digest_queue USING btree (queued_at, user_id);

--
-- Name: email_verifications_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX email_verifications_user ON public.email_verifications USING btree (user_id, created_at);

--
-- Name: group_members_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX group_members_user ON public.group_members USING btree (user_id, group_id);

--
-- Name: groups_icon; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_icon ON public.groups USING btree (icon);

--
-- Name: groups_name_lower; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX groups_name_lower ON public.groups USING btree (lower(name));

--
-- Name: groups_public_category; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_public_category ON public.groups USING btree (category, id) WHERE is_public;

--
-- Name: groups_public_description_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_public_description_trgm ON public.groups USING gin (description public.gin_trgm_ops) WHERE is_public;

--
-- Name: groups_public_name_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_public_name_trgm ON public.groups USING gin (name public.gin_trgm_ops) WHERE is_public;

--
-- Name: groups_search; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_search ON public.groups USING gin (search) WHERE is_public;

--
-- Name: groups_text_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_text_trgm ON public.groups USING gin ((((name || ' '::text) || description)) public.gin_trgm_ops) WHERE is_public;

--
-- Name: groups_wallpaper; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX groups_wallpaper ON public.groups USING btree (wallpaper);

--
-- Name: invites_group; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invites_group ON public.invites USING btree (group_id, created_at DESC) WHERE (revoked_at IS NULL);

--
-- Name: mentions_message; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX mentions_message ON public.mentions USING hash (message_id);

--
-- Name: mentions_room; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX mentions_room ON public.mentions USING btree (user_id, room_id, message_id);

--
-- Name: message_reactions_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_reactions_order ON public.message_reactions USING btree (message_id, emoji, created_at, user_id);

--
-- Name: message_reactions_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_reactions_user ON public.message_reactions USING btree (user_id, message_id);

--
-- Name: messages_pinned; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_pinned ON public.messages USING btree (room_id, pinned_at DESC, id DESC) WHERE ((pinned_at IS NOT NULL) AND (deleted_at IS NULL));

--
-- Name: messages_reply_to; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_reply_to ON public.messages USING btree (reply_to) WHERE (reply_to IS NOT NULL);

--
-- Name: messages_room; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_room ON public.messages USING btree (room_id, id) INCLUDE (sender_id, deleted_at);

--
-- Name: messages_room_deleted; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_room_deleted ON public.messages USING btree (room_id, id) WHERE (deleted_at IS NOT NULL);

--
-- Name: messages_search; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_search ON public.messages USING gin (search) WHERE (deleted_at IS NULL);

--
-- Name: messages_sender; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_sender ON public.messages USING btree (sender_id, id) WHERE (deleted_at IS NULL);

--
-- Name: messages_sender_nonce; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX messages_sender_nonce ON public.messages USING btree (sender_id, nonce) WHERE (nonce IS NOT NULL);

--
-- Name: notify_settings_group; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX notify_settings_group ON public.notify_settings USING btree (user_id, group_id) WHERE (group_id IS NOT NULL);

--
-- Name: notify_settings_group_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notify_settings_group_id ON public.notify_settings USING btree (group_id) WHERE (group_id IS NOT NULL);

--
-- Name: notify_settings_room; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX notify_settings_room ON public.notify_settings USING btree (user_id, room_id) WHERE (room_id IS NOT NULL);

--
-- Name: notify_settings_room_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notify_settings_room_id ON public.notify_settings USING btree (room_id) WHERE (room_id IS NOT NULL);

--
-- Name: oauth_accounts_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauth_accounts_user ON public.oauth_accounts USING btree (user_id);

--
-- Name: outbox_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_due ON public.outbox USING btree (run_after, id);

--
-- Name: outbox_push_message; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX outbox_push_message ON public.outbox USING btree ((((payload ->> 'message_id'::text))::bigint)) WHERE (kind = 'push'::text);

--
-- Name: password_resets_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX password_resets_user ON public.password_resets USING btree (user_id, created_at);

--
-- Name: profiles_full_name_lower; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX profiles_full_name_lower ON public.profiles USING btree (lower(full_name)) WHERE (full_name <> ''::text);

--
-- Name: profiles_icon; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX profiles_icon ON public.profiles USING btree (icon);

--
-- Name: profiles_wallpaper; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX profiles_wallpaper ON public.profiles USING btree (wallpaper);

--
-- Name: push_members_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX push_members_user ON public.push_members USING btree (user_id);

--
-- Name: push_sent_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX push_sent_user ON public.push_sent USING btree (user_id, sent_at);

--
-- Name: read_markers_room; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX read_markers_room ON public.read_markers USING btree (room_id);

--
-- Name: refresh_tokens_session; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refresh_tokens_session ON public.refresh_tokens USING btree (session_id);

--
-- Name: rooms_group; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rooms_group ON public.rooms USING btree (group_id, id);

--
-- Name: rooms_topic; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rooms_topic ON public.rooms USING btree (topic_id, id);

--
-- Name: rooms_topic_name_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX rooms_topic_name_unique ON public.rooms USING btree (topic_id, lower(name));

--
-- Name: search_words_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_words_trgm ON public.search_words USING gin (word public.gin_trgm_ops);

--
-- Name: sessions_revoked_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_revoked_at ON public.sessions USING btree (revoked_at) WHERE (revoked_at IS NOT NULL);

--
-- Name: sessions_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user ON public.sessions USING btree (user_id) WHERE (revoked_at IS NULL);

--
-- Name: topics_group; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX topics_group ON public.topics USING btree (group_id, id);

--
-- Name: topics_group_name_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX topics_group_name_unique ON public.topics USING btree (group_id, lower(name));

--
-- Name: users_email_lower; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_email_lower ON public.users USING btree (lower(email)) WHERE (email IS NOT NULL);

--
-- Name: users_username_lower; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_username_lower ON public.users USING btree (lower(username));

--
-- Name: attachments attachments_gone; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attachments_gone AFTER DELETE ON public.attachments FOR EACH ROW EXECUTE FUNCTION public.ec_attachments_gone();

--
-- Name: group_members group_members_push; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER group_members_push AFTER INSERT OR DELETE ON public.group_members FOR EACH ROW EXECUTE FUNCTION public.ec_push_members_member();

--
-- Name: mentions mentions_counts; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER mentions_counts AFTER INSERT OR DELETE ON public.mentions FOR EACH ROW EXECUTE FUNCTION public.ec_counts_mention();

--
-- Name: mentions mentions_push; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER mentions_push AFTER INSERT ON public.mentions REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION public.ec_push_on_mentions();

--
-- Name: message_reactions message_reactions_summary; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER message_reactions_summary AFTER INSERT OR DELETE ON public.message_reactions FOR EACH ROW EXECUTE FUNCTION public.ec_reactions_summarise();

--
-- Name: messages messages_counts_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_counts_deleted AFTER UPDATE OF deleted_at ON public.messages FOR EACH ROW WHEN (((old.deleted_at IS NULL) AND (new.deleted_at IS NOT NULL))) EXECUTE FUNCTION public.ec_counts_message_deleted();

--
-- Name: messages messages_counts_new; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_counts_new BEFORE INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION public.ec_counts_message_new();

--
-- Name: messages messages_deleted_attachments; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_deleted_attachments AFTER UPDATE OF deleted_at ON public.messages FOR EACH ROW WHEN (((old.deleted_at IS NULL) AND (new.deleted_at IS NOT NULL) AND (old.attachments IS NOT NULL))) EXECUTE FUNCTION public.ec_message_deleted_attachments();

--
-- Name: messages messages_push; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_push AFTER INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION public.ec_push_on_message();

--
-- Name: messages messages_room_refs_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_room_refs_insert BEFORE INSERT ON public.messages FOR EACH ROW WHEN ((strpos(new.text, '#'::text) > 0)) EXECUTE FUNCTION public.ec_room_refs_keep();

--
-- Name: messages messages_room_refs_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_room_refs_update BEFORE UPDATE OF text ON public.messages FOR EACH ROW WHEN (((strpos(new.text, '#'::text) > 0) OR (old.room_refs IS NOT NULL))) EXECUTE FUNCTION public.ec_room_refs_keep();

--
-- Name: messages messages_search_words; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_search_words AFTER UPDATE OF text ON public.messages FOR EACH ROW EXECUTE FUNCTION public.ec_search_words_add();

--
-- Name: messages messages_search_words_queue; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_search_words_queue AFTER INSERT ON public.messages REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.ec_search_words_enqueue();

--
-- Name: push_subscriptions push_subscriptions_members; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER push_subscriptions_members AFTER INSERT OR DELETE ON public.push_subscriptions FOR EACH ROW EXECUTE FUNCTION public.ec_push_members_subscription();

--
-- Name: read_markers read_markers_counts; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER read_markers_counts BEFORE INSERT OR UPDATE ON public.read_markers FOR EACH ROW EXECUTE FUNCTION public.ec_counts_marker();

--
-- Name: attachments attachments_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE;

--
-- Name: attachments attachments_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: attachments attachments_uploader_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_uploader_id_fkey FOREIGN KEY (uploader_id) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: audit_log audit_log_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: audit_log audit_log_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: audit_log audit_log_target_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_target_user_id_fkey FOREIGN KEY (target_user_id) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: blocks blocks_blocked_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blocks
    ADD CONSTRAINT blocks_blocked_id_fkey FOREIGN KEY (blocked_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: blocks blocks_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blocks
    ADD CONSTRAINT blocks_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: conversations conversations_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: conversations conversations_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: digest_queue digest_queue_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.digest_queue
    ADD CONSTRAINT digest_queue_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: email_verifications email_verifications_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.email_verifications
    ADD CONSTRAINT email_verifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: group_bans group_bans_banned_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_bans
    ADD CONSTRAINT group_bans_banned_by_fkey FOREIGN KEY (banned_by) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: group_bans group_bans_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_bans
    ADD CONSTRAINT group_bans_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: group_bans group_bans_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_bans
    ADD CONSTRAINT group_bans_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: group_members group_members_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_members
    ADD CONSTRAINT group_members_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: group_members group_members_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_members
    ADD CONSTRAINT group_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: invites invites_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: invites invites_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: mentions mentions_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mentions
    ADD CONSTRAINT mentions_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE;

--
-- Name: mentions mentions_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mentions
    ADD CONSTRAINT mentions_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: mentions mentions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mentions
    ADD CONSTRAINT mentions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: message_reactions message_reactions_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_reactions
    ADD CONSTRAINT message_reactions_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE;

--
-- Name: message_reactions message_reactions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_reactions
    ADD CONSTRAINT message_reactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: messages messages_pinned_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pinned_by_fkey FOREIGN KEY (pinned_by) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: messages messages_reply_to_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_reply_to_fkey FOREIGN KEY (reply_to) REFERENCES public.messages(id) ON DELETE SET NULL;

--
-- Name: messages messages_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: messages messages_sender_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: notify_prefs notify_prefs_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_prefs
    ADD CONSTRAINT notify_prefs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: notify_settings notify_settings_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_settings
    ADD CONSTRAINT notify_settings_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: notify_settings notify_settings_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_settings
    ADD CONSTRAINT notify_settings_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: notify_settings notify_settings_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_settings
    ADD CONSTRAINT notify_settings_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: oauth_accounts oauth_accounts_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_accounts
    ADD CONSTRAINT oauth_accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: password_resets password_resets_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT password_resets_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: profiles profiles_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: push_members push_members_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_members
    ADD CONSTRAINT push_members_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: push_members push_members_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_members
    ADD CONSTRAINT push_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: push_rooms push_rooms_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_rooms
    ADD CONSTRAINT push_rooms_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: push_rooms push_rooms_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_rooms
    ADD CONSTRAINT push_rooms_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: push_subscriptions push_subscriptions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.push_subscriptions
    ADD CONSTRAINT push_subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: read_markers read_markers_room_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.read_markers
    ADD CONSTRAINT read_markers_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms(id) ON DELETE CASCADE;

--
-- Name: read_markers read_markers_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.read_markers
    ADD CONSTRAINT read_markers_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: refresh_tokens refresh_tokens_session_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions(id) ON DELETE CASCADE;

--
-- Name: rooms rooms_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- Name: rooms rooms_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topics(id) ON DELETE CASCADE;

--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: topics topics_group_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_group_id_fkey FOREIGN KEY (group_id) REFERENCES public.groups(id) ON DELETE CASCADE;

--
-- PostgreSQL database dump complete
--

