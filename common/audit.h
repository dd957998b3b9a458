/* audit.h - the audit log of a group: who moderated whom, and how.
 *
 * Each moderation step (a kick, a ban, a timeout, a role change, a
 * moderator's deletion of someone else's message, a rename, an invite
 * created or revoked) writes one row of audit_log (migration 0050), read
 * by the owner and admins (GET /api/groups/{id}/audit-log).  The action
 * names below are the only definition of them (openapi.yaml of the groups
 * program lists them for readers).
 *
 * Layer: domain (common/README.md) - over db; may include base and domain
 * headers.
 */
#ifndef EC_AUDIT_H
#define EC_AUDIT_H

#include <stdint.h>

#include "err.h"

#define AUDIT_MEMBER_KICK      "member.kick"
#define AUDIT_MEMBER_BAN       "member.ban"
#define AUDIT_MEMBER_UNBAN     "member.unban"
#define AUDIT_MEMBER_TIMEOUT   "member.timeout"
#define AUDIT_MEMBER_UNTIMEOUT "member.timeout_lifted"
#define AUDIT_MEMBER_ROLE      "member.role"
#define AUDIT_MESSAGE_DELETE   "message.delete"
#define AUDIT_GROUP_RENAME     "group.rename"
#define AUDIT_TOPIC_RENAME     "topic.rename"
#define AUDIT_ROOM_RENAME      "room.rename"
#define AUDIT_ROOM_SLOW_MODE   "room.slow_mode"
#define AUDIT_INVITE_CREATE    "invite.create"
#define AUDIT_INVITE_REVOKE    "invite.revoke"

/* Writes one entry: `actor_id` did `action` (one of AUDIT_*) in the group,
 * to `target_user_id` (0 = no user), with `details_json` (a JSON object
 * text, NULL = {}).  Runs in the caller's transaction when one is open,
 * so the entry commits or rolls back with the change itself.  Returns the
 * database's error code; the caller decides whether that fails the
 * request. */
enum err_code audit_log(int64_t group_id, int64_t actor_id, const char *action,
    int64_t target_user_id, const char *details_json);

/* The same with details {"<key>": "<text>"} (a name, a code, a reason),
 * the text escaped by the database. */
enum err_code
audit_log_text(int64_t group_id, int64_t actor_id, const char *action,
    int64_t target_user_id, const char *key, const char *text);

#endif
