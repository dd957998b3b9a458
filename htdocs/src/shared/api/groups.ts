// REST calls and queries for groups, topics and rooms.

import { useQuery } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { Category, GroupDetail, GroupSummary, Id, Page, RoomSummary, Role, Topic } from '@/shared/api/types';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useMentionStore } from '@/shared/stores/mentionStore';

export const groupsKey = ['groups'] as const;
export const groupKey = (id: Id) => ['group', id] as const;

/** Every group of mine, page after page (no cap on how many). */
export async function fetchGroups(): Promise<GroupSummary[]> {
  const items: GroupSummary[] = [];
  for (;;) {
    const res = await api.get<Page<GroupSummary> | GroupSummary[]>('/groups', { query: { limit: 100, offset: items.length || undefined } });
    if (Array.isArray(res)) {
      items.push(...res);
      break;
    }
    items.push(...res.items);
    if (!res.has_more || res.items.length === 0) break;
  }
  useUnreadStore.getState().seedGroups(items);
  useMentionStore.getState().seedGroups(items);
  return items;
}

export async function fetchGroup(id: Id): Promise<GroupDetail> {
  const g = await api.get<GroupDetail>(`/groups/${id}`);
  useUnreadStore.getState().seedGroup(g);
  useMentionStore.getState().seedGroup(g.id, g.topics.flatMap((t) => t.rooms));
  return g;
}

export function useGroups() {
  return useQuery({ queryKey: groupsKey, queryFn: fetchGroups });
}

export function useGroup(id: Id | null) {
  return useQuery({ queryKey: groupKey(id ?? 0), queryFn: () => fetchGroup(id as Id), enabled: id !== null });
}

export interface GroupInput {
  name?: string;
  description?: string;
  category?: Category;
  is_public?: boolean;
  everyone_mentions?: boolean;
}

export const createGroup = (body: GroupInput) => api.post<GroupDetail>('/groups', body);
export const updateGroup = (id: Id, body: GroupInput) => api.patch<GroupDetail>(`/groups/${id}`, body);
export const deleteGroup = (id: Id) => api.del(`/groups/${id}`);
export const joinGroup = (id: Id) => api.post<GroupDetail>(`/groups/${id}/join`, {});
export const leaveGroup = (id: Id) => api.post<void>(`/groups/${id}/leave`, {});

export const createTopic = (groupId: Id, name: string) => api.post<Topic>(`/groups/${groupId}/topics`, { name });
export const renameTopic = (id: Id, name: string) => api.patch<Topic>(`/topics/${id}`, { name });
export const deleteTopic = (id: Id) => api.del(`/topics/${id}`);

export const createRoom = (topicId: Id, name: string, description?: string) =>
  api.post<RoomSummary>(`/topics/${topicId}/rooms`, description ? { name, description } : { name });
export const updateRoom = (id: Id, body: { name?: string; description?: string }) => api.patch<RoomSummary>(`/rooms/${id}`, body);
export const deleteRoom = (id: Id) => api.del(`/rooms/${id}`);

const RANK: Record<Role, number> = { owner: 3, admin: 2, moderator: 1, member: 0 };

/** True when `role` is `min` or above. */
export function roleAtLeast(role: Role | undefined, min: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[min];
}

export function roleRank(role: Role): number {
  return RANK[role];
}

/** The roles `myRole` may give a member who has `target` (the server's
 * rules: the owner any, an admin moderator or member below admin). */
export function assignableRoles(myRole: Role, target: Role): Role[] {
  if (myRole === 'owner') return ['owner', 'admin', 'moderator', 'member'];
  if (myRole === 'admin' && RANK[target] < RANK.admin) return ['moderator', 'member'];
  return [];
}

/** Marks every unread room of the group read up to its last message (the
 * rail's "Mark as read"). */
export async function markGroupRead(id: Id): Promise<void> {
  const g = await fetchGroup(id);
  const rooms = g.topics.flatMap((t) => t.rooms).filter((r) => r.unread_count > 0 && r.last_message_id);
  await Promise.all(rooms.map((r) => api.post<void>(`/rooms/${r.id}/read`, { last_read_id: r.last_message_id })));
  for (const r of rooms) useUnreadStore.getState().markRead(r.id, r.last_message_id ?? undefined);
}

/** The first room of a group (the landing room when none is chosen). */
export function firstRoom(group: GroupDetail): RoomSummary | null {
  for (const t of group.topics) if (t.rooms.length) return t.rooms[0];
  return null;
}

export function findRoom(group: GroupDetail, roomId: Id): RoomSummary | null {
  for (const t of group.topics) for (const r of t.rooms) if (r.id === roomId) return r;
  return null;
}
