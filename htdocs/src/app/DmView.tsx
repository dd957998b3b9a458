// /dm and /dm/:groupId — the conversation list, the chat pane of the
// selected conversation (a hidden group's one room, so ChatPane and the
// whole room machinery serve it) and its participants.

import { useEffect } from 'react';
import { useParams } from 'react-router-dom';
import { isApiError } from '@/shared/api/client';
import { realtime } from '@/shared/ws/socket';
import { ChatPane } from '@/features/chat/ChatPane';
import { MemberList } from '@/features/members/MemberList';
import { useViewStore } from '@/features/chat/viewStore';
import { DmList } from '@/features/dms/DmList';
import { firstRoom, useGroup } from '@/shared/api/groups';
import { conversationTitle, useConversations } from '@/shared/api/dms';
import { useSelf } from '@/shared/api/auth';

export function DmView() {
  const params = useParams();
  const groupId = params.groupId ? Number(params.groupId) : null;
  const valid = groupId !== null && Number.isFinite(groupId);
  const { data: group, error, isLoading } = useGroup(valid ? groupId : null);
  const { data: conversations } = useConversations();
  const me = useSelf();

  useEffect(() => {
    if (!valid) return;
    realtime.setFocus(groupId);
    useViewStore.getState().setGroup(groupId);
    return () => {
      realtime.setFocus(null);
      useViewStore.getState().setGroup(null);
    };
  }, [groupId, valid]);

  const conv = conversations?.find((c) => c.id === groupId);
  const room = group ? firstRoom(group) : null;
  let pane;
  if (!valid) pane = <main className="chat-pane pane-empty">Pick a conversation.</main>;
  else if (isLoading) pane = <main className="chat-pane pane-loading" aria-busy="true">Loading…</main>;
  else if (error || !group || !room)
    pane = (
      <main className="chat-pane pane-empty" role="alert">
        {isApiError(error, 404) ? 'This conversation does not exist or you are not in it.' : 'Could not load this conversation.'}
      </main>
    );
  else pane = <ChatPane key={room.id} group={group} room={room} title={conv ? conversationTitle(conv, me.id) : 'Direct message'} />;

  return (
    <div className="group-view dm-view" data-testid="dm-view">
      <DmList activeId={valid ? groupId : null} />
      {pane}
      {group && room && <MemberList group={group} />}
    </div>
  );
}
