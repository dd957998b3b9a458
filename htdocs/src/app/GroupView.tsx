// /g/:groupId/* — sidebar, the chat pane of the selected room, member list.
// Selecting a group sends the relay a focus frame.

import { useEffect, useRef } from 'react';
import { Navigate, useLocation, useParams } from 'react-router-dom';
import { useConversations } from '@/shared/api/dms';
import { isApiError } from '@/shared/api/client';
import { realtime } from '@/shared/ws/socket';
import { ChatPane } from '@/features/chat/ChatPane';
import { MemberList } from '@/features/members/MemberList';
import { useViewStore } from '@/features/chat/viewStore';
import { findRoom, firstRoom, useGroup } from '@/shared/api/groups';
import { Sidebar } from '@/features/groups/Sidebar';
import { ProfileCardHost } from '@/features/profile/ProfileCardHost';
import { useDraftStore } from '@/shared/stores/draftStore';
import { PanelToggle } from '@/shared/ui/Panels';
import { MembersIcon } from '@/shared/ui/icons';

export function GroupView() {
  const params = useParams();
  const groupId = Number(params.groupId);
  const roomId = params.roomId ? Number(params.roomId) : null;
  const { data: group, error, isLoading } = useGroup(Number.isFinite(groupId) ? groupId : null);
  const { data: conversations } = useConversations();
  const location = useLocation();

  useEffect(() => {
    realtime.setFocus(groupId);
    useViewStore.getState().setGroup(groupId);
    return () => {
      realtime.setFocus(null);
      useViewStore.getState().setGroup(null);
    };
  }, [groupId]);

  // The room on screen, to say so when it is deleted under us.
  const shown = useRef<{ id: number; name: string } | null>(null);
  const room0 = group && roomId !== null ? findRoom(group, roomId) : null;
  const vanished = !!group && roomId !== null && !room0 && shown.current?.id === roomId;
  useEffect(() => {
    if (vanished && shown.current) {
      useDraftStore.getState().lost(`The room #${shown.current.name} was deleted.`, shown.current.id);
      shown.current = null;
    }
  }, [vanished]);
  useEffect(() => {
    if (room0) shown.current = { id: room0.id, name: room0.name };
  }, [room0]);

  // A direct conversation (a hidden group) opened by its room (search, links) shows as one.
  if (conversations?.some((c) => c.id === groupId)) return <Navigate to={`/dm/${groupId}${location.search}`} replace />;
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
      <ProfileCardHost />
      <PanelToggle panel="members" label="Show members" className="members-toggle">
        <MembersIcon size={22} />
      </PanelToggle>
    </div>
  );
}
