// /g/:groupId/* — sidebar, the chat pane of the selected room, member list.
// Selecting a group sends the relay a focus frame.

import { useEffect } from 'react';
import { Navigate, useParams } from 'react-router-dom';
import { isApiError } from '@/shared/api/client';
import { realtime } from '@/shared/ws/socket';
import { ChatPane } from '@/features/chat/ChatPane';
import { MemberList } from '@/features/members/MemberList';
import { useViewStore } from '@/features/chat/viewStore';
import { findRoom, firstRoom, useGroup } from '@/shared/api/groups';
import { Sidebar } from '@/features/groups/Sidebar';
import { PanelToggle } from '@/shared/ui/Panels';
import { MembersIcon } from '@/shared/ui/icons';

export function GroupView() {
  const params = useParams();
  const groupId = Number(params.groupId);
  const roomId = params.roomId ? Number(params.roomId) : null;
  const { data: group, error, isLoading } = useGroup(Number.isFinite(groupId) ? groupId : null);

  useEffect(() => {
    realtime.setFocus(groupId);
    useViewStore.getState().setGroup(groupId);
    return () => {
      realtime.setFocus(null);
      useViewStore.getState().setGroup(null);
    };
  }, [groupId]);

  if (isLoading) return <div className="pane-loading" aria-busy="true">Loading…</div>;
  if (error || !group) {
    return (
      <div className="pane-empty" role="alert">
        {isApiError(error, 404) ? 'This group does not exist or you are not a member.' : 'Could not load this group.'}
      </div>
    );
  }
  const room = roomId !== null ? findRoom(group, roomId) : null;
  if (roomId === null || !room) {
    const first = firstRoom(group);
    if (first) return <Navigate to={`/g/${group.id}/r/${first.id}`} replace />;
  }

  return (
    <div className="group-view">
      <Sidebar group={group} roomId={room?.id ?? null} />
      {room ? (
        <ChatPane key={room.id} group={group} room={room} />
      ) : (
        <main className="chat-pane pane-empty">This group has no rooms yet.</main>
      )}
      <MemberList group={group} />
      <PanelToggle panel="members" label="Show members" className="members-toggle">
        <MembersIcon size={22} />
      </PanelToggle>
    </div>
  );
}
