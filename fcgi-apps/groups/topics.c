/* topics.c - topics of a group: create, rename, delete (admins and the
 * owner).  Their rooms belong to the rooms program. */
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "audit.h"
#include "db.h"
#include "event.h"
#include "groups.h"
#include "json.h"
#include "mem.h"

/* Reads the required, trimmed "name" (and refuses other fields);
 * *name is malloc()ed. */
static enum err_code
topics_read_name(struct http_req *r, char **name)
{
	static const char *const allowed[] = { "name", NULL };
	struct json_object *fields = http_fields(r);
	const char *s = NULL;
	size_t len = 0;
	enum err_code rc;

	*name = NULL;
	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "name", 1, 1, GROUPS_TOPIC_NAME_MAX, 1, &s,
	        &len, fields))
		rc = ERR_VALIDATION;
	if (rc == ERR_OK)
		*name = mem_strndup(s, len);
	return rc;
}

/* A unique violation on the topic's name (migration 0037) becomes 409
 * name_taken. */
static enum err_code
topics_conflict(struct http_req *r, enum err_code rc)
{
	if (rc == ERR_CONFLICT &&
	    strcmp(db_constraint(), "topics_group_name_unique") == 0)
		return http_fail(r, ERR_NAME_TAKEN,
		    "This group already has a topic with this name.");
	return rc;
}

enum err_code
topics_create(struct http_req *r)
{
	char *name = NULL, *json = NULL;
	enum err_code rc;

	rc = topics_read_name(r, &name);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	rc = db_query_text(&json,
	    "INSERT INTO topics (group_id, name) "
	    "VALUES ($1, $2) RETURNING ec_topic_json(topics.*)::text",
	    DB_I64(r->ids[0]), DB_TEXT(name));
	rc = topics_conflict(r, rc);
	if (rc)
		goto out;
	event_group(r->ids[0], WIRE_EV_TOPIC_CREATED, "topic", json, NULL);
	http_reply_raw(r, 201, json, strlen(json));
out:
	free(json);
	free(name);
	return rc;
}

enum err_code
topics_update(struct http_req *r)
{
	char *name = NULL, *json = NULL;
	int64_t group_id = 0;
	enum err_code rc;

	rc = topics_read_name(r, &name);
	if (rc)
		goto out;
	rc = acl_topic(r->ids[0], r->user_id, ACL_ADMIN, &group_id, NULL);
	if (rc)
		goto out;
	rc = db_query_text(&json,
	    "UPDATE topics SET name = $2 WHERE id = $1 "
	    "RETURNING ec_topic_json(topics.*)::text",
	    DB_I64(r->ids[0]), DB_TEXT(name));
	rc = topics_conflict(r, rc);
	if (rc)
		goto out;
	audit_log_text(group_id, r->user_id, AUDIT_TOPIC_RENAME, 0, "name",
	    name);
	event_group(group_id, WIRE_EV_TOPIC_UPDATED, "topic", json, NULL);
	http_reply_raw(r, 200, json, strlen(json));
out:
	free(json);
	free(name);
	return rc;
}

enum err_code
topics_delete(struct http_req *r)
{
	struct db_res *res = NULL;
	char idtext[WIRE_ID_MAX];
	int64_t group_id = 0;
	enum err_code rc;

	rc = acl_topic(r->ids[0], r->user_id, ACL_ADMIN, &group_id, NULL);
	if (rc)
		goto out;
	/* The cascade takes its rooms, their messages and read markers. */
	rc = db_query(&res, "DELETE FROM topics WHERE id = $1 RETURNING id",
	    DB_I64(r->ids[0]));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	event_group(group_id, WIRE_EV_TOPIC_DELETED, "id",
	    wire_id(idtext, r->ids[0]), NULL);
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}
