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

/** One line of the audit log in words. */
export function describeAudit(e: AuditEntry): string {
  const who = (u: AuditEntry['actor']) => (u ? `@${u.username}` : 'someone');
  const d = (e.details ?? {}) as Record<string, unknown>;
  const target = who(e.target_user);
  switch (e.action) {
    case 'member.kick':
      return `${who(e.actor)} kicked ${target}`;
    case 'member.ban':
      return `${who(e.actor)} banned ${target}${d.reason ? ` (${String(d.reason)})` : ''}`;
    case 'member.unban':
      return `${who(e.actor)} lifted the ban of ${target}`;
    case 'member.timeout':
      return `${who(e.actor)} timed out ${target} for ${String(d.seconds)} s`;
    case 'member.timeout_lifted':
      return `${who(e.actor)} lifted the timeout of ${target}`;
    case 'member.role':
      return `${who(e.actor)} made ${target} ${String(d.role)}`;
    case 'message.delete':
      return `${who(e.actor)} deleted a message of ${target}`;
    case 'group.rename':
    case 'topic.rename':
    case 'room.rename':
      return `${who(e.actor)} renamed the ${e.action.split('.')[0]} to “${String(d.name)}”`;
    case 'room.slow_mode':
      return `${who(e.actor)} set slow mode to ${String(d.seconds)} s`;
    case 'invite.create':
      return `${who(e.actor)} created an invite`;
    case 'invite.revoke':
      return `${who(e.actor)} revoked an invite`;
    default:
      return `${who(e.actor)}: ${e.action}`;
  }
}
