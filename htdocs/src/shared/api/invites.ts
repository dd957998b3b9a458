// Invites: create, list, revoke, preview, accept.

import { api } from '@/shared/api/client';
import type { GroupDetail, Id, Invite, InvitePreview, Page } from '@/shared/api/types';

export const invitesKey = (groupId: Id) => ['invites', groupId] as const;

export function createInvite(groupId: Id, opts: { max_uses?: number; expires_in?: number }): Promise<Invite> {
  return api.post<Invite>(`/groups/${groupId}/invites`, opts);
}

export async function listInvites(groupId: Id): Promise<Invite[]> {
  const res = await api.get<Page<Invite> | Invite[]>(`/groups/${groupId}/invites`, { query: { limit: 100 } });
  return Array.isArray(res) ? res : res.items;
}

export const revokeInvite = (code: string) => api.del(`/invites/${encodeURIComponent(code)}`);
export const previewInvite = (code: string) => api.get<InvitePreview>(`/invites/${encodeURIComponent(code)}`, { allow401: true });
export const acceptInvite = (code: string) => api.post<GroupDetail>(`/invites/${encodeURIComponent(code)}/accept`, {});

export function inviteLink(code: string, origin: string = window.location.origin): string {
  return `${origin}/invite/${encodeURIComponent(code)}`;
}
