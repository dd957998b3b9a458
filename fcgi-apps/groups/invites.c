/* invites.c - invite codes: create, list, revoke, preview, accept.
 *
 * A code is 16 random bytes (base64url, 22 characters).  Accepting counts
 * the use in the same UPDATE that checks the limit, so concurrent accepts
 * of the last use cannot both succeed.
 */
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "audit.h"
#include "app.h"
#include "db.h"
#include "groups.h"
#include "json.h"
#include "log.h"
#include "sec.h"

#define INVITES_CODE_BYTES  16
#define INVITES_EXPIRES_MAX (10LL * 365 * 24 * 3600) /* ten years */
#define INVITES_USES_MAX    1000000

/* The invite object (`Invite`, openapi.yaml) for row i; SQL shared by create
 * and list. */
#define INVITES_JSON                                                           \
	"json_build_object('code', i.code, 'expires_at', ec_ts(i.expires_at)," \
	" 'max_uses', i.max_uses, 'uses', i.uses, 'created_by', i.created_by," \
	" 'created_at', ec_ts(i.created_at))"

/* Still usable: not revoked (checked by callers), not expired, not used
 * up. */
#define INVITES_LIVE                                                           \
	"(i.expires_at IS NULL OR i.expires_at > now())"                       \
	" AND (i.max_uses IS NULL OR i.uses < i.max_uses)"

enum err_code
invites_create(struct http_req *r)
{
	static const char *const allowed[] = { "max_uses", "expires_in", NULL };
	struct json_object *fields = http_fields(r);
	int64_t max_uses = 0, expires_in = 0;
	char code[SEC_TOKEN_MAX];
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_int(r->json, "max_uses", 0, 1, INVITES_USES_MAX, &max_uses,
	        fields))
		rc = ERR_VALIDATION;
	if (json_get_int(r->json, "expires_in", 0, 1, INVITES_EXPIRES_MAX,
	        &expires_in, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	sec_token(code, INVITES_CODE_BYTES);
	rc = app_reply_query(r, 201,
	    "INSERT INTO invites AS i (code, group_id, created_by, max_uses,"
	    " expires_at) VALUES ($1, $2, $3, $4::int,"
	    " now() + make_interval(secs => $5::bigint)) "
	    "RETURNING " INVITES_JSON "::text",
	    DB_TEXT(code), DB_I64(r->ids[0]), DB_I64(r->user_id),
	    DB_NULL_I64(max_uses), DB_NULL_I64(expires_in));
	if (rc)
		goto out;
	audit_log_text(r->ids[0], r->user_id, AUDIT_INVITE_CREATE, 0, "code",
	    code);
	log_info("user %lld created an invite to group %lld",
	    (long long)r->user_id, (long long)r->ids[0]);
out:
	return rc;
}

enum err_code
invites_list(struct http_req *r)
{
	int64_t limit, offset;
	enum err_code rc;

	rc = http_query_page(r, &limit, &offset);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	rc = app_reply_query(r, 200,
	    "WITH page AS (SELECT " INVITES_JSON " AS j,"
	    "  i.created_at, i.code"
	    "  FROM invites i WHERE i.group_id = $1 AND i.revoked_at IS NULL"
	    "  AND " INVITES_LIVE "  ORDER BY i.created_at DESC, i.code"
	    "  LIMIT $2::int + 1 OFFSET $3::int),"
	    " numbered AS (SELECT j, row_number() OVER"
	    "  (ORDER BY created_at DESC, code) AS n FROM page) "
	    "SELECT json_build_object('items', COALESCE(json_agg(j ORDER BY n)"
	    " FILTER (WHERE n <= $2::int), '[]'),"
	    " 'has_more', count(*) > $2::int)::text FROM numbered",
	    DB_I64(r->ids[0]), DB_I64(limit), DB_I64(offset));
out:
	return rc;
}

/* The group of a code not revoked; *live = 0 when expired or used up.
 * ERR_NOT_FOUND for an unknown or revoked code. */
static enum err_code
invites_find(const char *code, int64_t *group_id, int *live)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT i.group_id, " INVITES_LIVE
	    " FROM invites i WHERE i.code = $1 AND i.revoked_at IS NULL",
	    DB_TEXT(code));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	*group_id = db_int(res, 0, 0);
	*live = db_bool(res, 0, 1);
out:
	db_res_free(res);
	return rc;
}

enum err_code
invites_revoke(struct http_req *r)
{
	struct db_res *res = NULL;
	int64_t group_id = 0;
	enum err_code rc;
	int live;

	rc = invites_find(r->args[0], &group_id, &live);
	if (rc == ERR_NOT_FOUND)
		rc = http_fail(r, rc, "No such invite.");
	if (rc)
		goto out;
	rc = acl_group(group_id, r->user_id, ACL_ADMIN, NULL);
	if (rc) {
		/* A non-member learns nothing, not even that the code exists. */
		if (rc == ERR_NOT_FOUND)
			rc = http_fail(r, rc, "No such invite.");
		goto out;
	}
	rc = db_query(&res,
	    "UPDATE invites SET revoked_at = now() "
	    "WHERE code = $1 AND revoked_at IS NULL",
	    DB_TEXT(r->args[0]));
	if (rc)
		goto out;
	audit_log_text(group_id, r->user_id, AUDIT_INVITE_REVOKE, 0, "code",
	    r->args[0]);
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}

enum err_code
invites_preview(struct http_req *r)
{
	char *json = NULL;
	enum err_code rc;

	/* NULL (410) when expired or used up; no row (404) when unknown or
	 * revoked. */
	rc = db_query_text(&json,
	    "SELECT CASE WHEN " INVITES_LIVE " THEN json_build_object('group',"
	    " json_build_object('id', g.id, 'name', g.name,"
	    "  'icon_url', '/media/' || g.icon,"
	    "  'member_count', (SELECT count(*) FROM group_members c"
	    "   WHERE c.group_id = g.id)))::text ELSE '' END "
	    "FROM invites i JOIN groups g ON g.id = i.group_id "
	    "WHERE i.code = $1 AND i.revoked_at IS NULL",
	    DB_TEXT(r->args[0]));
	if (rc) {
		if (rc == ERR_NOT_FOUND)
			rc = http_fail(r, rc, "No such invite.");
		goto out;
	}
	if (json[0] == '\0') {
		rc = http_fail(r, ERR_GONE,
		    "This invite has expired or has been used up.");
		goto out;
	}
	http_reply_raw(r, 200, json, strlen(json));
out:
	free(json);
	return rc;
}

/* Spends one use of invite `code` (of group_id) to make the caller a
 * member, and announces it.  No use is spent when they became a member
 * meanwhile.  410 when the code ran out meanwhile, 404 when revoked. */
static enum err_code
invites_spend(struct http_req *r, const char *code, int64_t group_id)
{
	struct db_res *res = NULL;
	enum err_code rc;
	int live = 0, added = 0;

	rc = db_begin();
	if (rc)
		goto out;
	/* Counting the use and checking the limit in one UPDATE: the row
	 * lock makes a concurrent accept re-check `uses` after we commit. */
	rc = db_query(&res,
	    "UPDATE invites i SET uses = uses + 1 "
	    "WHERE i.code = $1 AND i.revoked_at IS NULL AND " INVITES_LIVE
	    " RETURNING i.group_id",
	    DB_TEXT(code));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		db_rollback();
		rc = invites_find(code, &group_id, &live);
		if (rc == ERR_OK || rc == ERR_NOT_FOUND)
			rc = http_fail(r, rc == ERR_OK ? ERR_GONE : rc,
			    rc == ERR_OK ? "This invite has expired or has "
			                   "been used up."
			                 : "No such invite.");
		goto out;
	}
	rc = bans_refuse(r, group_id, r->user_id);
	if (rc)
		goto out;
	rc = members_add(group_id, r->user_id, &added);
	if (rc || !added)
		goto out; /* !added: joined meanwhile, the use is given back */
	rc = db_commit();
	if (rc)
		goto out;
	log_info("user %lld joined group %lld by invite", (long long)r->user_id,
	    (long long)group_id);
	members_announce_join(group_id, r->user_id);
out:
	db_rollback(); /* when not committed above */
	db_res_free(res);
	return rc;
}

enum err_code
invites_accept(struct http_req *r)
{
	int64_t group_id = 0;
	enum acl_role role = ACL_NONE;
	enum err_code rc;
	int live = 0;

	rc = input_none(r);
	if (rc)
		goto out;
	rc = invites_find(r->args[0], &group_id, &live);
	if (rc == ERR_NOT_FOUND)
		rc = http_fail(r, rc, "No such invite.");
	if (rc)
		goto out;
	if (!live) {
		rc = http_fail(r, ERR_GONE,
		    "This invite has expired or has been used up.");
		goto out;
	}
	rc = acl_group(group_id, r->user_id, ACL_NONE, &role);
	if (rc)
		goto out;
	if (role == ACL_NONE) { /* a member already spends no use */
		rc = invites_spend(r, r->args[0], group_id);
		if (rc)
			goto out;
	}
	rc = groups_reply_detail(r, 200, group_id, r->user_id);
out:
	return rc;
}
