// Members of a group, paged: the first page at once, more on demand
// ("Show more members"), with no cap on how many may be loaded.

import { useInfiniteQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { Id, Member, Page, Role } from '@/shared/api/types';

export const membersKey = (groupId: Id) => ['members', groupId] as const;

/** Members per request (the API's maximum). */
export const MEMBERS_PAGE = 100;

/** One page of members from `offset`. */
export function fetchMembersPage(groupId: Id, offset: number): Promise<Page<Member>> {
  return api.get<Page<Member>>(`/groups/${groupId}/members`, { query: { limit: MEMBERS_PAGE, offset } });
}

/** The members loaded so far, flattened (a member who moved between two
 * pages while they loaded is listed once). */
export function flattenMembers(data: InfiniteData<Page<Member>> | undefined): Member[] {
  const seen = new Set<Id>();
  const out: Member[] = [];
  for (const page of data?.pages ?? []) {
    for (const m of page.items) {
      if (seen.has(m.user.id)) continue;
      seen.add(m.user.id);
      out.push(m);
    }
  }
  return out;
}

export function useMembers(groupId: Id) {
  const q = useInfiniteQuery({
    queryKey: membersKey(groupId),
    queryFn: ({ pageParam }) => fetchMembersPage(groupId, pageParam),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => (last.has_more && last.items.length > 0 ? pages.reduce((n, p) => n + p.items.length, 0) : undefined),
  });
  return {
    data: q.data ? flattenMembers(q.data) : undefined,
    dataUpdatedAt: q.dataUpdatedAt,
    isLoading: q.isLoading,
    error: q.error,
    hasMore: q.hasNextPage,
    loadingMore: q.isFetchingNextPage,
    loadMore: () => void q.fetchNextPage(),
  };
}

/** A member of the group from what is loaded, if any. */
export function cachedMember(qc: QueryClient, groupId: Id, userId: Id): Member | undefined {
  return flattenMembers(qc.getQueryData<InfiniteData<Page<Member>>>(membersKey(groupId))).find((m) => m.user.id === userId);
}

/** Rewrites one member wherever the loaded pages hold them (live events). */
export function updateCachedMember(qc: QueryClient, groupId: Id, userId: Id, fn: (m: Member) => Member): void {
  qc.setQueryData<InfiniteData<Page<Member>>>(membersKey(groupId), (data) =>
    data && data.pages.some((p) => p.items.some((m) => m.user.id === userId))
      ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((m) => (m.user.id === userId ? fn(m) : m)) })) }
      : data,
  );
}

export const setMemberRole = (groupId: Id, userId: Id, role: Role) => api.patch<Member>(`/groups/${groupId}/members/${userId}`, { role });
export const kickMember = (groupId: Id, userId: Id) => api.del(`/groups/${groupId}/members/${userId}`);
