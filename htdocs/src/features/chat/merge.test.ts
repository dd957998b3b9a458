import { describe, expect, it } from 'vitest';
import { msg, ids } from '@/test/fixtures';
import {
  applySender,
  applyUpdate,
  isSameOrNewer,
  mergeMessages,
  needsDateDivider,
  reconcilePending,
  removeMessage,
  unreadDividerIndex,
  type PendingMessage,
} from './merge';

describe('mergeMessages', () => {
  it('appends a newer page and prepends an older one in id order', () => {
    const a = [msg(5), msg(6), msg(7)];
    expect(ids(mergeMessages(a, [msg(8), msg(9)]))).toEqual([5, 6, 7, 8, 9]);
    expect(ids(mergeMessages(a, [msg(4), msg(3), msg(2)]))).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('drops duplicates from overlapping pages', () => {
    const a = [msg(1), msg(2), msg(3), msg(4)];
    const out = mergeMessages(a, [msg(3), msg(4), msg(5), msg(4)]);
    expect(ids(out)).toEqual([1, 2, 3, 4, 5]);
  });

  it('sorts out-of-order input', () => {
    expect(ids(mergeMessages([], [msg(9), msg(2), msg(7), msg(2), msg(4)]))).toEqual([2, 4, 7, 9]);
  });

  it('returns the same array when nothing changed', () => {
    const a = [msg(1), msg(2)];
    expect(mergeMessages(a, [msg(1), msg(2)])).toBe(a);
    expect(mergeMessages(a, [])).toBe(a);
  });

  it('keeps the edited version when a stale copy arrives later', () => {
    const edited = msg(3, { text: 'fixed', edited_at: '2024-01-02T00:00:00.000Z' });
    const out = mergeMessages([msg(2), edited], [msg(3, { text: 'tpyo' })]);
    expect(out[1].text).toBe('fixed');
    const newer = msg(3, { text: 'again', edited_at: '2024-01-03T00:00:00.000Z' });
    expect(mergeMessages(out, [newer])[1].text).toBe('again');
  });

  it('never resurrects deleted ids', () => {
    const out = mergeMessages([msg(1)], [msg(2), msg(3)], new Set([2]));
    expect(ids(out)).toEqual([1, 3]);
  });
});

describe('isSameOrNewer', () => {
  it('orders by edited_at with null as the oldest', () => {
    expect(isSameOrNewer(msg(1), msg(1))).toBe(true);
    expect(isSameOrNewer(msg(1), msg(1, { edited_at: '2024-01-01T00:00:00.000Z' }))).toBe(false);
    expect(isSameOrNewer(msg(1, { edited_at: '2024-01-01T00:00:00.000Z' }), msg(1))).toBe(true);
  });
});

describe('reconcilePending', () => {
  const p = (nonce: string): PendingMessage => ({
    nonce,
    room_id: 1,
    text: 'x',
    reply_to: null,
    created_at: '2024-01-01T00:00:00.000Z',
    status: 'pending',
  });

  it('removes pending sends confirmed by nonce and keeps the others', () => {
    const pending = [p('a'), p('b'), p('c')];
    const out = reconcilePending(pending, [msg(10, { nonce: 'b' }), msg(11)]);
    expect(out.map((x) => x.nonce)).toEqual(['a', 'c']);
  });

  it('returns the same array when nothing matched', () => {
    const pending = [p('a')];
    expect(reconcilePending(pending, [msg(1, { nonce: 'zzz' })])).toBe(pending);
  });
});

describe('removeMessage / applyUpdate', () => {
  it('removes by id', () => {
    expect(ids(removeMessage([msg(1), msg(2), msg(3)], 2))).toEqual([1, 3]);
  });

  it('updates the message and the reply previews that quote it', () => {
    const list = [msg(1), msg(2, { reply_to: { id: 1, sender_id: 10, text: 'message 1', deleted: false } })];
    const out = applyUpdate(list, msg(1, { text: 'new', edited_at: '2024-02-01T00:00:00.000Z' }));
    expect(out[0].text).toBe('new');
    expect(out[1].reply_to?.text).toBe('new');
  });

  it('ignores an update older than what we hold', () => {
    const list = [msg(1, { text: 'v2', edited_at: '2024-02-02T00:00:00.000Z' })];
    const out = applyUpdate(list, msg(1, { text: 'v1', edited_at: '2024-02-01T00:00:00.000Z' }));
    expect(out).toBe(list);
  });
});

describe('dividers', () => {
  it('puts a date divider on the first message and at each day change', () => {
    const list = [
      { created_at: '2024-01-01T10:00:00.000Z' },
      { created_at: '2024-01-01T10:05:00.000Z' },
      { created_at: '2024-01-03T10:00:00.000Z' },
    ];
    expect(list.map((_, i) => needsDateDivider(list, i))).toEqual([true, false, true]);
  });

  it('finds the first unread message from someone else', () => {
    const list = [msg(1), msg(2, { sender: { id: 99, username: 'me', full_name: 'Me', icon_url: null } }), msg(3)];
    expect(unreadDividerIndex(list, 1, 99)).toBe(2);
    expect(unreadDividerIndex(list, 3, 99)).toBe(-1);
    expect(unreadDividerIndex(list, null, 99)).toBe(-1);
  });
});

describe('messages of a deleted account (sender: null)', () => {
  it('are merged and counted like any other', () => {
    const gone = msg(2, { sender: null });
    const list = mergeMessages([msg(1)], [gone, msg(3)]);
    expect(ids(list)).toEqual([1, 2, 3]);
    expect(unreadDividerIndex(list, 1, 10)).toBe(1);
    const edited = { ...gone, text: 'edited', edited_at: '2024-01-01T13:00:00.000Z' };
    expect(applyUpdate(list, edited)[1].text).toBe('edited');
  });
});

describe('replies to deleted messages and profile changes', () => {
  it('removing a message marks the quotes of replies to it deleted', () => {
    const list = [msg(1), msg(2, { reply_to: { id: 1, sender_id: 10, text: 'message 1', deleted: false } }), msg(3)];
    const out = removeMessage(list, 1);
    expect(ids(out)).toEqual([2, 3]);
    expect(out[0].reply_to).toEqual({ id: 1, sender_id: 10, text: null, deleted: true });
    expect(out[1]).toBe(list[2]);
    // The quote alone (the replied message was never loaded) changes too.
    const only = [msg(5, { reply_to: { id: 4, sender_id: 10, text: 'gone', deleted: false } })];
    expect(removeMessage(only, 4)[0].reply_to?.deleted).toBe(true);
    expect(removeMessage(only, 99)).toBe(only);
  });

  it('a page that says a quote is deleted replaces the copy that did not', () => {
    const held = [msg(2, { reply_to: { id: 1, sender_id: 10, text: null, deleted: false } })];
    const fresh = msg(2, { reply_to: { id: 1, sender_id: 10, text: null, deleted: true } });
    expect(mergeMessages(held, [fresh])[0].reply_to?.deleted).toBe(true);
  });

  it('applies a new name and icon to the messages of that sender only', () => {
    const list = [msg(1), msg(2, { sender: { id: 11, username: 'bob', full_name: '', icon_url: null } })];
    const out = applySender(list, { id: 10, username: 'alice2', full_name: 'Alice Two', icon_url: '/media/a.png' });
    expect(out[0].sender).toEqual({ id: 10, username: 'alice2', full_name: 'Alice Two', icon_url: '/media/a.png' });
    expect(out[1]).toBe(list[1]);
    expect(applySender(out, { id: 10, username: 'alice2', full_name: 'Alice Two', icon_url: '/media/a.png' })).toBe(out);
  });
});
