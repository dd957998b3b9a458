/* audit.c - one row of a group's audit log per moderation step. */
#include "audit.h"

#include "db.h"
#include "log.h"

/* $5 details as JSON text (NULL = {}), plus {$6: $7} when $6 is set. */
static enum err_code
audit_insert(int64_t group_id, int64_t actor_id, const char *action,
    int64_t target_user_id, const char *details_json, const char *key,
    const char *text)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "INSERT INTO audit_log (group_id, actor_id, action, "
	    "target_user_id, details) "
	    "VALUES ($1, $2, $3, $4, coalesce($5::jsonb, '{}') || "
	    "CASE WHEN $6::text IS NULL THEN '{}'::jsonb "
	    "ELSE jsonb_build_object($6::text, $7::text) END)",
	    DB_I64(group_id), DB_NULL_I64(actor_id), DB_TEXT(action),
	    DB_NULL_I64(target_user_id), DB_TEXT(details_json), DB_TEXT(key),
	    DB_TEXT(text));
	if (rc)
		log_warn("audit entry %s in group %lld not written", action,
		    (long long)group_id);
	db_res_free(res);
	return rc;
}

enum err_code
audit_log(int64_t group_id, int64_t actor_id, const char *action,
    int64_t target_user_id, const char *details_json)
{
	return audit_insert(group_id, actor_id, action, target_user_id,
	    details_json, NULL, NULL);
}

enum err_code
audit_log_text(int64_t group_id, int64_t actor_id, const char *action,
    int64_t target_user_id, const char *key, const char *text)
{
	return audit_insert(group_id, actor_id, action, target_user_id, NULL,
	    key, text);
}
