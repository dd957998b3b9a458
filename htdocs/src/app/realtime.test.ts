import { beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { msg, page, ids } from '@/test/fixtures';
import { useChatStore } from '@/features/chat/store';
import { useTypingStore, typersIn } from '@/features/chat/typingStore';
import { useViewStore } from '@/features/chat/viewStore';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { usePresenceStore } from '@/features/members/presenceStore';
import { handleServerEvent, type RealtimeContext } from './realtime';
import { flattenMembers, membersKey } from '@/shared/api/members';
import type { Member, Page, User } from '@/shared/api/types';
import { resetRealtimeState } from './resetState';
import { notifySettingsKey } from '@/features/notifications/api';

let ctx: RealtimeContext;
const leave = vi.fn();

beforeEach(() => {
  resetRealtimeState();
  useViewStore.getState().setRoom(null);
  leave.mockReset();
  ctx = { qc: new QueryClient(), selfId: () => 99, leaveGroup: leave, isPageVisible: () => true };
});

describe('handleServerEvent', () => {
  it('applies user.updated to messages and the member list, keeping presence', () => {
    useChatStore.getState().applyPage(1, page([1, 2]), 'latest');
    const profile = { full_name: '', bio: '', gender: 'Undefined', status: 'Busy', default_status: 'Online', icon_url: null, wallpaper_url: null, date_joined: '', last_seen: null };
    const before: User = { id: 10, username: 'alice', profile } as unknown as User;
    ctx.qc.setQueryData<InfiniteData<Page<Member>>>(membersKey(7), {
      pages: [{ items: [{ user: before, role: 'member', online: true } as unknown as Member], has_more: false }],
      pageParams: [0],
    });
    const after = { ...before, username: 'alice2', profile: { ...profile, full_name: 'Alice Two', status: 'Offline', icon_url: '/media/x.png' } } as unknown as User;
    handleServerEvent({ type: 'user.updated', group_id: 7, user: after }, ctx);
    expect(useChatStore.getState().rooms[1].messages.map((m) => m.sender)).toEqual([
      { id: 10, username: 'alice2', full_name: 'Alice Two', icon_url: '/media/x.png' },
      { id: 10, username: 'alice2', full_name: 'Alice Two', icon_url: '/media/x.png' },
    ]);
    const [m] = flattenMembers(ctx.qc.getQueryData<InfiniteData<Page<Member>>>(membersKey(7)));
    expect(m.user.username).toBe('alice2');
    expect(m.user.profile.full_name).toBe('Alice Two');
    expect(m.user.profile.icon_url).toBe('/media/x.png');
    expect(m.user.profile.status).toBe('Busy');
    expect(m.online).toBe(true);
  });

  it('routes message events to the chat store and counts unread elsewhere', () => {
    useChatStore.getState().applyPage(1, page([1]), 'latest');
    handleServerEvent({ type: 'message.created', group_id: 7, message: msg(2) }, ctx);
    handleServerEvent({ type: 'message.created', group_id: 7, message: msg(2) }, ctx);
    expect(ids(useChatStore.getState().rooms[1].messages)).toEqual([1, 2]);
    expect(useUnreadStore.getState().groups[7]).toBe(1);

    useViewStore.getState().setRoom(1);
    handleServerEvent({ type: 'message.created', group_id: 7, message: msg(3) }, ctx);
    expect(useUnreadStore.getState().groups[7]).toBe(1);

    handleServerEvent({ type: 'message.updated', group_id: 7, message: msg(3, { text: 'e', edited_at: '2025-01-01T00:00:00.000Z' }) }, ctx);
    expect(useChatStore.getState().rooms[1].messages[2].text).toBe('e');
    handleServerEvent({ type: 'message.deleted', group_id: 7, id: 2, room_id: 1 }, ctx);
    expect(ids(useChatStore.getState().rooms[1].messages)).toEqual([1, 3]);
  });

  it('messages.purged drops the messages of that sender in that room, and only those', () => {
    const bob = { id: 11, username: 'bob', full_name: 'Bob', icon_url: null };
    useChatStore.getState().applyPage(1, { items: [msg(1), msg(2, { sender: bob }), msg(3), msg(4, { sender: bob })], has_more: false }, 'latest');
    useChatStore.getState().applyPage(2, { items: [msg(5, { room_id: 2 })], has_more: false }, 'latest');
    handleServerEvent({ type: 'messages.purged', group_id: 7, room_id: 1, user_id: 10 }, ctx);
    expect(ids(useChatStore.getState().rooms[1].messages)).toEqual([2, 4]);
    expect(ids(useChatStore.getState().rooms[2].messages)).toEqual([5]);
  });

  it('a message from a typer clears their typing state', () => {
    handleServerEvent({ type: 'typing', group_id: 7, room_id: 1, user_id: 10, full_name: 'Alice', is_typing: true }, ctx);
    expect(typersIn(useTypingStore.getState().rooms, 1, 99)).toEqual(['Alice']);
    handleServerEvent({ type: 'message.created', group_id: 7, message: msg(5) }, ctx);
    expect(typersIn(useTypingStore.getState().rooms, 1, 99)).toEqual([]);
  });

  it('records presence and leaves a group we were removed from', () => {
    handleServerEvent({ type: 'presence', group_id: 7, user_id: 10, status: 'Busy', online: true }, ctx);
    expect(usePresenceStore.getState().users[10]).toMatchObject({ online: true, status: 'Busy' });
    handleServerEvent({ type: 'membership', group_id: 7, joined: false }, ctx);
    expect(leave).toHaveBeenCalledWith(7);
  });
});

describe('notification_settings.updated', () => {
  it('replaces the cached settings, so every device follows a change made on another', () => {
    const settings = {
      defaults: { group_level: 'all' as const, dm_level: 'none' as const, hide_text: true, sound: false },
      groups: [{ group_id: 3, level: null, muted_until: 'forever' }],
      rooms: [],
    };
    handleServerEvent({ type: 'notification_settings.updated', settings }, ctx);
    expect(ctx.qc.getQueryData(notifySettingsKey)).toEqual(settings);
  });
});
