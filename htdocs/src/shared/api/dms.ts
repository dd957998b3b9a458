// Direct conversations, blocks and the mentions inbox (users program,
// /api/users/me/conversations|blocks|mentions).

import { useQuery } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { components } from './schema.gen';
import type { Id, Page } from '@/shared/api/types';
import { useMentionStore } from '@/shared/stores/mentionStore';
import { useUnreadStore } from '@/shared/stores/unreadStore';

export type Conversation = components['schemas']['Conversation'];
export type UserSummary = components['schemas']['UserSummary'];
export type Mention = components['schemas']['Mention'];

export const conversationsKey = ['conversations'] as const;
export const blocksKey = ['blocks'] as const;
export const mentionsKey = ['mentions'] as const;

export async function fetchConversations(): Promise<Conversation[]> {
  const res = await api.get<Page<Conversation>>('/users/me/conversations', { query: { limit: 100 } });
  useMentionStore.getState().seedConversations(res.items);
  useUnreadStore.getState().seedConversations(res.items);
  return res.items;
}

export function useConversations() {
  return useQuery({ queryKey: conversationsKey, queryFn: fetchConversations });
}

/** Opens (or finds again, for a 1:1) a conversation with these users. */
export const openConversation = (userIds: Id[]) => api.post<Conversation>('/users/me/conversations', { user_ids: userIds });

/** The other participants' names, for titles. */
export function conversationTitle(c: Conversation, selfId: Id): string {
  const others = c.members.filter((m) => m.id !== selfId);
  const list = others.length ? others : c.members;
  return list.map((m) => m.full_name || m.username).join(', ');
}

export async function fetchBlocks(): Promise<UserSummary[]> {
  const res = await api.get<Page<UserSummary>>('/users/me/blocks', { query: { limit: 100 } });
  return res.items;
}

export function useBlocks() {
  return useQuery({ queryKey: blocksKey, queryFn: fetchBlocks, staleTime: 60_000 });
}

/** The ids the caller blocked (empty while loading). */
export function useBlockedIds(): Set<Id> {
  const { data } = useBlocks();
  return new Set((data ?? []).map((u) => u.id));
}

export const blockUser = (id: Id) => api.put<void>(`/users/me/blocks/${id}`, {});
export const unblockUser = (id: Id) => api.del(`/users/me/blocks/${id}`);

export function fetchMentions(before?: Id) {
  return api.get<Page<Mention>>('/users/me/mentions', { query: before ? { limit: 50, before } : { limit: 50 } });
}

export function useMentions() {
  return useQuery({ queryKey: mentionsKey, queryFn: () => fetchMentions() });
}
