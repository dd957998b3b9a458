// Members of a group.

import { useQuery } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { Id, Member, Page, Role } from '@/shared/api/types';

export const membersKey = (groupId: Id) => ['members', groupId] as const;

const MAX_PAGES = 20;

/** All members (paged by offset, bounded). */
export async function fetchMembers(groupId: Id): Promise<Member[]> {
  const all: Member[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await api.get<Page<Member>>(`/groups/${groupId}/members`, { query: { limit: 100, offset: all.length } });
    all.push(...res.items);
    if (!res.has_more || res.items.length === 0) break;
  }
  return all;
}

export function useMembers(groupId: Id) {
  return useQuery({ queryKey: membersKey(groupId), queryFn: () => fetchMembers(groupId) });
}

export const setMemberRole = (groupId: Id, userId: Id, role: Role) => api.patch<Member>(`/groups/${groupId}/members/${userId}`, { role });
export const kickMember = (groupId: Id, userId: Id) => api.del(`/groups/${groupId}/members/${userId}`);
