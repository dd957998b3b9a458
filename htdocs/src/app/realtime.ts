// Routes relay events to the stores and the query cache. Kept free of
// React so it can be unit tested.

import type { QueryClient } from '@tanstack/react-query';
import type { Id, Message, UserStatus } from '@/shared/api/types';
import type { ServerEvent } from '@/shared/ws/socket';
import { useChatStore } from '@/features/chat/store';
import { useTypingStore, type TypingEvent } from '@/features/chat/typingStore';
import { useViewStore, visibleRooms } from '@/features/chat/viewStore';
import { resyncRooms } from '@/features/chat/sync';
import { useUnreadStore } from '@/features/groups/unreadStore';
import { groupKey, groupsKey } from '@/features/groups/api';
import { membersKey } from '@/features/members/api';
import { usePresenceStore } from '@/features/members/presenceStore';

export interface RealtimeContext {
  qc: QueryClient;
  selfId: () => Id | null;
  /** Leave the current group's screen (it was deleted or we left). */
  leaveGroup: (groupId: Id) => void;
  isPageVisible?: () => boolean;
}

function num(v: unknown): Id | null {
  return typeof v === 'number' ? v : null;
}

function pageVisible(ctx: RealtimeContext): boolean {
  if (ctx.isPageVisible) return ctx.isPageVisible();
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

export function handleServerEvent(ev: ServerEvent, ctx: RealtimeContext): void {
  const { qc } = ctx;
  const gid = num(ev.group_id);
  const invalidateGroup = () => {
    if (gid !== null) void qc.invalidateQueries({ queryKey: groupKey(gid) });
    else void qc.invalidateQueries({ queryKey: ['group'] });
  };

  switch (ev.type) {
    case 'message.created': {
      const m = ev.message as Message | undefined;
      if (!m) return;
      useChatStore.getState().receive(m);
      useTypingStore.getState().clearUser(m.room_id, m.sender.id);
      const groupId = gid ?? useUnreadStore.getState().rooms[m.room_id]?.groupId ?? null;
      const viewing = useViewStore.getState().roomId === m.room_id && pageVisible(ctx);
      if (groupId !== null) useUnreadStore.getState().onMessage(groupId, m.room_id, m.id, { mine: m.sender.id === ctx.selfId(), viewing });
      else void qc.invalidateQueries({ queryKey: groupsKey });
      return;
    }
    case 'message.updated': {
      const m = ev.message as Message | undefined;
      if (m) useChatStore.getState().update(m);
      return;
    }
    case 'message.deleted': {
      const id = num(ev.id);
      const roomId = num(ev.room_id);
      if (id !== null && roomId !== null) useChatStore.getState().remove(roomId, id);
      return;
    }
    case 'typing':
      useTypingStore.getState().apply(ev as unknown as TypingEvent);
      return;
    case 'presence': {
      const userId = num(ev.user_id);
      if (userId !== null) usePresenceStore.getState().apply({ user_id: userId, status: ev.status as UserStatus, online: Boolean(ev.online) });
      return;
    }
    case 'room.created':
    case 'room.updated':
    case 'room.deleted':
    case 'topic.created':
    case 'topic.updated':
    case 'topic.deleted':
      invalidateGroup();
      return;
    case 'group.updated':
      invalidateGroup();
      void qc.invalidateQueries({ queryKey: groupsKey });
      return;
    case 'group.deleted': {
      const id = gid ?? num(ev.id);
      void qc.invalidateQueries({ queryKey: groupsKey });
      if (id !== null) {
        useUnreadStore.getState().forgetGroup(id);
        qc.removeQueries({ queryKey: groupKey(id) });
        ctx.leaveGroup(id);
      }
      return;
    }
    case 'member.joined':
    case 'member.left':
    case 'member.updated':
      if (gid !== null) void qc.invalidateQueries({ queryKey: membersKey(gid) });
      invalidateGroup();
      if (ev.type === 'member.left' && gid !== null && num(ev.user_id) === ctx.selfId()) ctx.leaveGroup(gid);
      return;
    case 'membership':
      void qc.invalidateQueries({ queryKey: groupsKey });
      if (gid !== null && ev.joined === false) {
        useUnreadStore.getState().forgetGroup(gid);
        qc.removeQueries({ queryKey: groupKey(gid) });
        ctx.leaveGroup(gid);
      }
      return;
    case 'resync':
      void resyncAll(ctx);
      return;
    case 'error':
      console.warn('relay error', ev.code, ev.message);
      return;
    default:
      return;
  }
}

/** After a reconnect or `resync`: catch up rooms on screen, refresh REST data. */
export async function resyncAll(ctx: RealtimeContext): Promise<void> {
  const { qc } = ctx;
  void qc.invalidateQueries({ queryKey: groupsKey });
  const gid = useViewStore.getState().groupId;
  if (gid !== null) {
    void qc.invalidateQueries({ queryKey: groupKey(gid) });
    void qc.invalidateQueries({ queryKey: membersKey(gid) });
  }
  await resyncRooms(visibleRooms());
}
