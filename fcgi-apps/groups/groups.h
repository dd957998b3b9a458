/* groups.h - what the files of the groups program share: handlers for the
 * route table in main.c, and the few helpers more than one file uses.
 *
 * Handlers return an err_code and never write an error body (http.c
 * does).  Events are published only after the change has committed.
 */
#ifndef EC_GROUPS_H
#define EC_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "http.h"
#include "presence.h"

/* Text limits of openapi.yaml, in code points after trimming. */
#define GROUPS_NAME_MAX        35
#define GROUPS_DESCRIPTION_MAX 140
#define GROUPS_TOPIC_NAME_MAX  22
#define GROUPS_QUERY_MAX       100 /* ?q= of the directory */

/*
 * The files call each other in one direction only (a DAG):
 *
 *   main.c -> groups.c, members.c, invites.c, topics.c, images.c
 *   invites.c -> groups.c -> members.c
 *   every handler file -> input.c (a leaf) and common/
 */

/* groups.c: the groups themselves. */
enum err_code groups_list(struct http_req *r);
enum err_code groups_create(struct http_req *r);
enum err_code groups_get(struct http_req *r);
enum err_code groups_update(struct http_req *r);
enum err_code groups_delete(struct http_req *r);
enum err_code groups_join(struct http_req *r);
enum err_code groups_leave(struct http_req *r);
enum err_code groups_directory(struct http_req *r);

/* Answers `status` with the group detail of openapi.yaml as `user_id` sees it
 * (3 queries: membership, member ids for presence, the detail itself).
 * ERR_NOT_FOUND when the group is gone or the user is not a member. */
enum err_code groups_reply_detail(struct http_req *r, int status,
    int64_t group_id, int64_t user_id);

/* members.c: the members of a group, and every change of membership. */
enum err_code members_list(struct http_req *r);
enum err_code members_update(struct http_req *r);
enum err_code members_delete(struct http_req *r);

/* Inside the caller's transaction: makes `user_id` a plain member of
 * `group_id` with read markers at each room's last message (no unread
 * backlog).  *added is 0 when they already were a member (nothing
 * changed).  ERR_NOT_FOUND when the group or user is gone. */
enum err_code members_add(int64_t group_id, int64_t user_id, int *added);

/* Inside the caller's transaction: removes the membership and the read
 * markers of the group's rooms, unless the member is the owner.  *removed
 * is 1 when a membership row went away. */
enum err_code members_remove(int64_t group_id, int64_t user_id, int *removed);

/* After commit: member.joined on the group, membership on the user. */
void members_announce_join(int64_t group_id, int64_t user_id);

/* After commit: member.left on the group, membership false on the user. */
void members_announce_leave(int64_t group_id, int64_t user_id);

/* The `member` object ({user, role, joined_at, online}) of user_id as it
 * is now, into *out (malloc()ed).  ERR_NOT_FOUND when they are not a
 * member. */
enum err_code members_object(int64_t group_id, int64_t user_id, char **out);

/* Inside a transaction: the roles of the caller and of the target
 * (ACL_NONE when not a member), their rows locked until commit so that
 * two changes cannot cross.  ERR_NOT_FOUND when the caller is no longer
 * a member. */
enum err_code members_lock_roles(int64_t group_id, int64_t actor_id,
    int64_t target_id, enum acl_role *actor, enum acl_role *target);

/* bans.c: bans, timeouts and the audit log (issue 13 item 7). */
enum err_code bans_list(struct http_req *r);
enum err_code bans_put(struct http_req *r);
enum err_code bans_delete(struct http_req *r);
enum err_code bans_timeout_put(struct http_req *r);
enum err_code bans_timeout_delete(struct http_req *r);
enum err_code bans_audit_list(struct http_req *r);

/* Inside the caller's transaction, before members_add(): ERR_FORBIDDEN
 * (answered on r) when `user_id` is banned from the group.  Holds the
 * group row FOR SHARE until commit, so a ban (which locks it for update)
 * cannot cross a join. */
enum err_code
bans_refuse(struct http_req *r, int64_t group_id, int64_t user_id);

/* bans_refuse() for a caller that already holds the group row's lock
 * (taken by an earlier statement of its transaction): the check alone. */
enum err_code bans_check(struct http_req *r, int64_t group_id, int64_t user_id);

/* invites.c: invite codes. */
enum err_code invites_create(struct http_req *r);
enum err_code invites_list(struct http_req *r);
enum err_code invites_revoke(struct http_req *r);
enum err_code invites_preview(struct http_req *r);
enum err_code invites_accept(struct http_req *r);

/* topics.c: the topics of a group. */
enum err_code topics_create(struct http_req *r);
enum err_code topics_update(struct http_req *r);
enum err_code topics_delete(struct http_req *r);

/* Refuses any body field (for POSTs that take none). */
enum err_code input_none(struct http_req *r);

#endif
