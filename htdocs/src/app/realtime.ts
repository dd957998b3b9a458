// Routes relay events to the stores and the query cache. Kept free of
// React so it can be unit tested.

import type { QueryClient } from '@tanstack/react-query';
import type { GroupDetail, Id } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import type { ServerEvent } from '@/shared/ws/socket';
import { useChatStore } from '@/features/chat/store';
import { useTypingStore } from '@/features/chat/typingStore';
import { useViewStore, visibleRooms } from '@/features/chat/viewStore';
import { resyncRooms } from '@/features/chat/sync';
import { applyPin, applyReaction, heldMessage, keepMine, pinsKey } from '@/features/chat/reactions';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useDraftStore } from '@/shared/stores/draftStore';
import { groupKey, groupsKey } from '@/shared/api/groups';
import { membersKey, updateCachedMember } from '@/shared/api/members';
import { meKey } from '@/shared/api/auth';
import type { User } from '@/shared/api/types';
import { usePresenceStore } from '@/features/members/presenceStore';
import { useMentionStore } from '@/shared/stores/mentionStore';
import { useTimeoutStore } from '@/shared/stores/timeoutStore';
import { conversationsKey, mentionsKey } from '@/shared/api/dms';
import { notifyMention, notifyMessage } from '@/features/notifications/notifier';
import { notifySettingsKey } from '@/features/notifications/api';

export interface RealtimeContext {
  qc: QueryClient;
  selfId: () => Id | null;
  /** Leave the current group's screen (it was deleted or we left). */
  leaveGroup: (groupId: Id) => void;
  /** Open a path in the app (a clicked notification). */
  open?: (path: string) => void;
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
      void notifyMessage(ev.group_id, m, notifierOf(ctx));
      return;
    }
    case 'message.updated':
      useChatStore.getState().update(keepMine(heldMessage(ev.message.room_id, ev.message.id), ev.message));
      return;
    case 'reaction.added':
    case 'reaction.removed':
      applyReaction(ev.reaction, ev.type === 'reaction.added', ctx.selfId());
      return;
    case 'message.pinned':
    case 'message.unpinned':
      applyPin(ev.message);
      void qc.invalidateQueries({ queryKey: pinsKey(ev.message.room_id) });
      return;
    case 'message.deleted':
      useChatStore.getState().remove(ev.room_id, ev.id);
      return;
    case 'messages.purged': {
      // A deleted user's messages, all of them: drop those held here
      // (older pages come from the server without them).
      const held = useChatStore.getState().rooms[ev.room_id]?.messages ?? [];
      for (const m of held) if (m.sender?.id === ev.user_id) useChatStore.getState().remove(ev.room_id, m.id);
      return;
    }
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
      noticeIfViewing(qc, ev.group_id, 'was deleted');
      void qc.invalidateQueries({ queryKey: groupsKey });
      useUnreadStore.getState().forgetGroup(ev.group_id);
      qc.removeQueries({ queryKey: groupKey(ev.group_id) });
      ctx.leaveGroup(ev.group_id);
      return;
    case 'member.joined':
    case 'member.left':
    case 'member.updated':
      if (ev.type === 'member.updated' && ev.member.user.id === ctx.selfId()) useTimeoutStore.getState().set(ev.group_id, ev.member.timed_out_until ?? null);
      void qc.invalidateQueries({ queryKey: membersKey(ev.group_id) });
      invalidateGroup(ev.group_id);
      if (ev.type === 'member.left' && ev.user_id === ctx.selfId()) ctx.leaveGroup(ev.group_id);
      return;
    case 'user.updated':
      applyUserUpdate(ev.group_id, ev.user, ctx);
      return;
    case 'membership':
      void qc.invalidateQueries({ queryKey: groupsKey });
      void qc.invalidateQueries({ queryKey: conversationsKey });
      if (!ev.joined) {
        noticeIfViewing(qc, ev.group_id, 'is no longer yours: you were removed');
        useUnreadStore.getState().forgetGroup(ev.group_id);
        qc.removeQueries({ queryKey: groupKey(ev.group_id) });
        ctx.leaveGroup(ev.group_id);
      }
      return;
    case 'mention.created': {
      const viewing = useViewStore.getState().roomId === ev.message.room_id && pageVisible(ctx);
      useMentionStore.getState().onMention(ev.group_id, ev.message.room_id, ev.message.id, viewing);
      void qc.invalidateQueries({ queryKey: mentionsKey });
      void notifyMention(ev.group_id, ev.message, notifierOf(ctx));
      return;
    }
    case 'notification_settings.updated':
      // Changed on another device (or this one): every device agrees.
      qc.setQueryData(notifySettingsKey, ev.settings);
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

function notifierOf(ctx: RealtimeContext) {
  return { qc: ctx.qc, selfId: ctx.selfId, open: ctx.open ?? (() => undefined), isPageVisible: ctx.isPageVisible };
}

/** The group on screen is gone: say so, keeping the unsent text. */
function noticeIfViewing(qc: QueryClient, groupId: Id, what: string): void {
  const view = useViewStore.getState();
  if (view.groupId !== groupId) return;
  const name = qc.getQueryData<GroupDetail>(groupKey(groupId))?.name ?? 'this group';
  useDraftStore.getState().lost(`The group ${name} ${what}.`, view.roomId);
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
  updateCachedMember(qc, groupId, u.id, (m) => ({ ...m, user: fresh(m.user) }));
  if (u.id === ctx.selfId()) qc.setQueryData<User | null>(meKey, (me) => (me ? fresh(me) : me));
}

/** After a reconnect or `resync`: catch up rooms on screen, refresh REST data. */
/**
 * On the page's first connection, the group list or group that is loading
 * or was loaded this recently was fetched while the socket was being
 * opened (they start together): it is not fetched a second time in a row.
 * Messages still catch up by id below, whatever their age.
 */
const FIRST_CONNECT_FRESH_MS = 3000;
let firstConnect = true;

export async function resyncAll(ctx: RealtimeContext): Promise<void> {
  const { qc } = ctx;
  const first = firstConnect;
  firstConnect = false;
  const refresh = (queryKey: readonly unknown[]) => {
    const st = qc.getQueryState(queryKey);
    if (first && st && (st.fetchStatus === 'fetching' || Date.now() - st.dataUpdatedAt < FIRST_CONNECT_FRESH_MS)) return;
    void qc.invalidateQueries({ queryKey });
  };
  refresh(groupsKey);
  const gid = useViewStore.getState().groupId;
  if (gid !== null) {
    refresh(groupKey(gid));
    // Always: the list shows who is online, oneself included, and that
    // changed when this socket opened.
    void qc.invalidateQueries({ queryKey: membersKey(gid) });
  }
  await resyncRooms(visibleRooms());
}
