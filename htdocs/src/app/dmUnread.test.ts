// The DM unread count is exact however the conversation list's fetch and a
// message's `message.created` event interleave: a message the list already
// counted is not counted again by its event, and one the event counted is
// not lost when the list is fetched again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { msg } from '@/test/fixtures';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useViewStore } from '@/features/chat/viewStore';
import { fetchConversations, type Conversation } from '@/shared/api/dms';
import { handleServerEvent, type RealtimeContext } from './realtime';
import { resetRealtimeState } from './resetState';

const conv = (over: Partial<Conversation>): Conversation => ({
  id: 40,
  room_id: 400,
  is_group: false,
  members: [],
  last_message_id: 0,
  last_read_id: 0,
  unread_count: 0,
  mention_count: 0,
  created_at: '2026-01-01T00:00:00Z',
  ...over,
});

function listReturns(c: Conversation) {
  vi.stubGlobal(
    'fetch',
    vi.fn(() => Promise.resolve(new Response(JSON.stringify({ items: [c], has_more: false }), { status: 200, headers: { 'Content-Type': 'application/json' } }))),
  );
}

let ctx: RealtimeContext;
const created = (id: number) => handleServerEvent({ type: 'message.created', group_id: 40, message: msg(id, { room_id: 400 }) }, ctx);

beforeEach(() => {
  resetRealtimeState();
  useViewStore.getState().setRoom(null);
  ctx = { qc: new QueryClient(), selfId: () => 99, leaveGroup: () => undefined, isPageVisible: () => true };
});
afterEach(() => vi.unstubAllGlobals());

describe('DM unread count', () => {
  it('does not count twice a first message the list already counted', async () => {
    listReturns(conv({ last_message_id: 5, unread_count: 1 }));
    await fetchConversations();
    expect(useUnreadStore.getState().groups[40]).toBe(1);
    created(5); // the event of the message the list counted, arriving late
    expect(useUnreadStore.getState().groups[40]).toBe(1);
    created(6); // a newer one counts
    expect(useUnreadStore.getState().groups[40]).toBe(2);
  });

  it('keeps a count the events moved past what a later fetch saw', async () => {
    created(5);
    created(6);
    listReturns(conv({ last_message_id: 5, unread_count: 1 })); // answered before message 6
    await fetchConversations();
    expect(useUnreadStore.getState().groups[40]).toBe(2);
  });

  it('takes a newer server count on a refetch', async () => {
    listReturns(conv({ last_message_id: 5, unread_count: 1 }));
    await fetchConversations();
    listReturns(conv({ last_message_id: 8, last_read_id: 6, unread_count: 2 })); // 7 and 8 came while the socket was away
    await fetchConversations();
    expect(useUnreadStore.getState().groups[40]).toBe(2);
    created(8);
    expect(useUnreadStore.getState().groups[40]).toBe(2);
  });
});
