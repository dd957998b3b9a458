// Routes relay events to the stores and the query cache. Kept free of
// React so it can be unit tested.

import type { QueryClient } from '@tanstack/react-query';
import type { Id } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import type { ServerEvent } from '@/shared/ws/socket';
import { useChatStore } from '@/features/chat/store';
import { useTypingStore } from '@/features/chat/typingStore';
import { useViewStore, visibleRooms } from '@/features/chat/viewStore';
import { resyncRooms } from '@/features/chat/sync';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { groupKey, groupsKey } from '@/shared/api/groups';
import { membersKey } from '@/shared/api/members';
import { meKey } from '@/shared/api/auth';
import type { Member, User } from '@/shared/api/types';
import { usePresenceStore } from '@/features/members/presenceStore';

export interface RealtimeContext {
  qc: QueryClient;
  selfId: () => Id | null;
  /** Leave the current group's screen (it was deleted or we left). */
  leaveGroup: (groupId: Id) => void;
  isPageVisible?: () => boolean;
}

function pageVisible(ctx: RealtimeContext): boolean {
  if (ctx.isPageVisible) return ctx.isPageVisible();
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

/** Routes one relay frame; `ev.type` narrows it to that frame's shape
 * (ServerEvent, generated from relay/protocol.yaml). */
export function handleServerEvent(ev: ServerEvent, ctx: RealtimeContext): void {
  const { qc } = ctx;
  const invalidateGroup = (gid: Id) => void qc.invalidateQueries({ queryKey: groupKey(gid) });

  switch (ev.type) {
    case 'message.created': {
      const m = ev.message;
      const sender = senderOf(m);
      useChatStore.getState().receive(m);
      useTypingStore.getState().clearUser(m.room_id, sender.id);
      const viewing = useViewStore.getState().roomId === m.room_id && pageVisible(ctx);
      useUnreadStore.getState().onMessage(ev.group_id, m.room_id, m.id, { mine: sender.id === ctx.selfId(), viewing });
      return;
    }
    case 'message.updated':
      useChatStore.getState().update(ev.message);
      return;
    case 'message.deleted':
      useChatStore.getState().remove(ev.room_id, ev.id);
      return;
    case 'typing':
      useTypingStore.getState().apply(ev);
      return;
    case 'presence':
      usePresenceStore.getState().apply({ user_id: ev.user_id, status: ev.status, online: ev.online });
      return;
    case 'room.created':
    case 'room.updated':
    case 'room.deleted':
    case 'topic.created':
    case 'topic.updated':
    case 'topic.deleted':
      invalidateGroup(ev.group_id);
      return;
    case 'group.updated':
      invalidateGroup(ev.group_id);
      void qc.invalidateQueries({ queryKey: groupsKey });
      return;
    case 'group.deleted':
      void qc.invalidateQueries({ queryKey: groupsKey });
      useUnreadStore.getState().forgetGroup(ev.group_id);
      qc.removeQueries({ queryKey: groupKey(ev.group_id) });
      ctx.leaveGroup(ev.group_id);
      return;
    case 'member.joined':
    case 'member.left':
    case 'member.updated':
      void qc.invalidateQueries({ queryKey: membersKey(ev.group_id) });
      invalidateGroup(ev.group_id);
      if (ev.type === 'member.left' && ev.user_id === ctx.selfId()) ctx.leaveGroup(ev.group_id);
      return;
    case 'user.updated':
      applyUserUpdate(ev.group_id, ev.user, ctx);
      return;
    case 'membership':
      void qc.invalidateQueries({ queryKey: groupsKey });
      if (!ev.joined) {
        useUnreadStore.getState().forgetGroup(ev.group_id);
        qc.removeQueries({ queryKey: groupKey(ev.group_id) });
        ctx.leaveGroup(ev.group_id);
      }
      return;
    case 'resync':
      void resyncAll(ctx);
      return;
    case 'error':
      console.warn('relay error', ev.code, ev.message);
      return;
    default:
      // hello, pong (the socket module's), session.revoked (the socket
      // closes with 4001 next), and types newer than this build.
      return;
  }
}

/**
 * A user changed their name or icon: shown at once in the messages we hold,
 * the group's member list (which the typing line reads names from), and
 * our own account menu if it is us. Presence fields are left alone (the
 * relay's `presence` events own them).
 */
export function applyUserUpdate(groupId: Id, u: User, ctx: RealtimeContext): void {
  const { qc } = ctx;
  const p = u.profile;
  useChatStore.getState().applyUser({ id: u.id, username: u.username, full_name: p.full_name, icon_url: p.icon_url ?? null });
  const fresh = (old: User): User => ({
    ...old,
    username: u.username,
    profile: { ...old.profile, full_name: p.full_name, icon_url: p.icon_url, wallpaper_url: p.wallpaper_url, bio: p.bio, gender: p.gender },
  });
  qc.setQueryData<Member[]>(membersKey(groupId), (list) =>
    list?.some((m) => m.user.id === u.id) ? list.map((m) => (m.user.id === u.id ? { ...m, user: fresh(m.user) } : m)) : list,
  );
  if (u.id === ctx.selfId()) qc.setQueryData<User | null>(meKey, (me) => (me ? fresh(me) : me));
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
