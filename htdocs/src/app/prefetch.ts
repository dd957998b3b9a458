// A cold load starts every request its first screen needs at once: the
// session, the group list and, on /g/:gid[/r/:rid], the group and the
// room's newest messages — in parallel instead of one after the other
// (me, then the group, then the messages: three round trips).

import type { QueryClient } from '@tanstack/react-query';
import { fetchMe, meKey } from '@/shared/api/auth';
import { fetchGroup, fetchGroups, groupKey, groupsKey } from '@/shared/api/groups';
import { prefetchRoom } from '@/features/chat/prefetch';

export function prefetchFirstScreen(qc: QueryClient, path: string = window.location.pathname): void {
  const m = /^\/g\/(\d+)(?:\/r\/(\d+))?\/?$/.exec(path);
  if (!m) return;
  const gid = Number(m[1]);
  void qc.prefetchQuery({ queryKey: meKey, queryFn: fetchMe });
  void qc.prefetchQuery({ queryKey: groupsKey, queryFn: fetchGroups });
  void qc.prefetchQuery({ queryKey: groupKey(gid), queryFn: () => fetchGroup(gid) });
  if (m[2]) prefetchRoom(Number(m[2]));
}
