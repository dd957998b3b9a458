// /room/:roomId?m=<id> — finds the group a room belongs to and opens the
// room scrolled to the message. Messages carry no group id, so we look in
// what we know, then in the room itself, then in each of my groups.

import { useEffect, useState } from 'react';
import { Navigate, useParams, useSearchParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { GroupSummary, Id } from '@/shared/api/types';
import { fetchGroup, fetchGroups, findRoom, groupKey, groupsKey } from '@/shared/api/groups';
import { useUnreadStore } from '@/shared/stores/unreadStore';

export default function OpenMessage() {
  const roomId = Number(useParams().roomId);
  const [params] = useSearchParams();
  const m = params.get('m');
  const qc = useQueryClient();
  const [groupId, setGroupId] = useState<Id | null>(() => useUnreadStore.getState().rooms[roomId]?.groupId ?? null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (groupId !== null) return;
    let cancelled = false;
    (async () => {
      try {
        const room = await api.get<{ group_id?: Id }>(`/rooms/${roomId}`);
        if (typeof room.group_id === 'number') return room.group_id;
      } catch {
        /* fall through to the scan */
      }
      const groups = await qc.fetchQuery<GroupSummary[]>({ queryKey: groupsKey, queryFn: fetchGroups });
      for (const g of groups) {
        const detail = await qc.fetchQuery({ queryKey: groupKey(g.id), queryFn: () => fetchGroup(g.id) });
        if (findRoom(detail, roomId)) return g.id;
      }
      return null;
    })().then(
      (id) => {
        if (cancelled) return;
        if (id === null || id === undefined) setFailed(true);
        else setGroupId(id);
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [groupId, roomId, qc]);

  if (failed) return <div className="pane-empty">This room is not available.</div>;
  if (groupId === null) return <div className="pane-loading">Opening…</div>;
  return <Navigate to={`/g/${groupId}/r/${roomId}${m ? `?m=${encodeURIComponent(m)}` : ''}`} replace />;
}
