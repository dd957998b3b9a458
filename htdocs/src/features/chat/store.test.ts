import { beforeEach, describe, expect, it, vi } from 'vitest';
import { msg, page, ids } from '@/test/fixtures';
import type { Message, Page } from '@/shared/api/types';
import type { PageQuery } from './api';
import { useChatStore } from './store';
import { catchUpRoom, loadAround, loadLatest, loadNewer, loadOlder, openRoom, resetSync, resyncRooms } from './sync';

const store = () => useChatStore.getState();
const room = (id = 1) => store().rooms[id];

/** A fake server holding messages 1..n of room 1, answering like the API. */
function fakeServer(all: Message[]) {
  const calls: PageQuery[] = [];
  const fetchPage = vi.fn(async (_roomId: number, q: PageQuery): Promise<Page<Message>> => {
    calls.push(q);
    const limit = q.limit ?? 50;
    if (q.after !== undefined) {
      const newer = all.filter((m) => m.id > q.after!);
      return { items: newer.slice(0, limit), has_more: newer.length > limit };
    }
    const older = all.filter((m) => q.before === undefined || m.id < q.before).reverse();
    return { items: older.slice(0, limit), has_more: older.length > limit };
  });
  return { fetchPage, calls };
}

beforeEach(() => {
  store().reset();
  resetSync();
});

describe('chat store', () => {
  it('ignores events for rooms never loaded', () => {
    store().receive(msg(1));
    expect(room()).toBeUndefined();
  });

  it('keeps messages that arrive while the first page is in flight', () => {
    // The send is answered (or its event arrives) before the first GET.
    store().addPending({ nonce: 'early', room_id: 1, text: 'hi', reply_to: null, created_at: '', status: 'pending' });
    store().receive(msg(12, { nonce: 'early' }));
    store().receive(msg(11));
    store().applyPage(1, page([10, 9, 8], true), 'latest');
    expect(ids(room().messages)).toEqual([8, 9, 10, 11, 12]);
    expect(room().pending).toHaveLength(0);
  });

  it('a fresh first page drops what it covers (a gap or a missed delete)', () => {
    store().applyPage(1, page([5, 4, 3, 2, 1]), 'latest');
    store().applyPage(1, page([20, 19, 17], true), 'latest'); // 18 was deleted, 6..16 older
    expect(ids(room().messages)).toEqual([17, 19, 20]);
    expect(room().hasMoreBefore).toBe(true);
  });

  it('merges the first page (newest first) and older pages by id', () => {
    store().applyPage(1, page([10, 9, 8], true), 'latest');
    expect(ids(room().messages)).toEqual([8, 9, 10]);
    expect(room().hasMoreBefore).toBe(true);
    store().applyPage(1, page([8, 7, 6], false), 'before');
    expect(ids(room().messages)).toEqual([6, 7, 8, 9, 10]);
    expect(room().hasMoreBefore).toBe(false);
  });

  it('shows a live message once even when the catch-up brings it again', () => {
    store().applyPage(1, page([1, 2]), 'latest');
    store().receive(msg(3));
    store().receive(msg(3));
    store().applyPage(1, page([3, 4]), 'after');
    expect(ids(room().messages)).toEqual([1, 2, 3, 4]);
  });

  it('replaces an optimistic pending send with the server copy via nonce', () => {
    store().applyPage(1, page([1]), 'latest');
    store().addPending({ nonce: 'n1', room_id: 1, text: 'hi', reply_to: null, created_at: '', status: 'pending' });
    store().addPending({ nonce: 'n1', room_id: 1, text: 'hi', reply_to: null, created_at: '', status: 'pending' });
    expect(room().pending).toHaveLength(1);
    // The websocket event may come before the POST answer; both are fine.
    store().receive(msg(2, { text: 'hi', nonce: 'n1' }));
    store().receive(msg(2, { text: 'hi', nonce: 'n1' }));
    expect(room().pending).toHaveLength(0);
    expect(ids(room().messages)).toEqual([1, 2]);
  });

  it('marks a failed send and retries it with the same nonce', () => {
    store().applyPage(1, page([1]), 'latest');
    store().addPending({ nonce: 'n2', room_id: 1, text: 'x', reply_to: null, created_at: '', status: 'pending' });
    store().setPendingStatus(1, 'n2', 'failed', 'offline');
    expect(room().pending[0]).toMatchObject({ nonce: 'n2', status: 'failed', error: 'offline' });
    store().setPendingStatus(1, 'n2', 'pending');
    expect(room().pending[0].status).toBe('pending');
  });

  it('applies updated and deleted events; a deleted message never comes back', () => {
    store().applyPage(1, page([3, 2, 1]), 'latest');
    store().update(msg(2, { text: 'edited', edited_at: '2024-03-01T00:00:00.000Z' }));
    expect(room().messages[1].text).toBe('edited');
    store().remove(1, 3);
    expect(ids(room().messages)).toEqual([1, 2]);
    store().applyPage(1, page([3, 4]), 'after');
    store().receive(msg(3));
    expect(ids(room().messages)).toEqual([1, 2, 4]);
  });

  it('does not append live messages to a window detached from the newest', () => {
    store().applyWindow(1, page([5, 4], true), page([6], true));
    expect(room().hasMoreAfter).toBe(true);
    store().addPending({ nonce: 'z', room_id: 1, text: 'x', reply_to: null, created_at: '', status: 'pending' });
    store().receive(msg(100, { nonce: 'z' }));
    expect(ids(room().messages)).toEqual([4, 5, 6]);
    expect(room().pending).toHaveLength(0);
  });
});

describe('sync', () => {
  const server = Array.from({ length: 120 }, (_, i) => msg(i + 1));

  it('loads the newest page then older pages until the start', async () => {
    const { fetchPage } = fakeServer(server);
    await loadLatest(1, fetchPage);
    expect(room().messages[0].id).toBe(71);
    expect(room().messages.at(-1)!.id).toBe(120);
    await loadOlder(1, fetchPage);
    await loadOlder(1, fetchPage);
    expect(room().hasMoreBefore).toBe(false);
    expect(ids(room().messages)).toEqual(server.map((m) => m.id));
    await loadOlder(1, fetchPage); // nothing more: no request
    expect(fetchPage).toHaveBeenCalledTimes(3);
  });

  it('catches up after a reconnect with after=<last id>, merging by id', async () => {
    const all = server.slice(0, 60);
    const { fetchPage, calls } = fakeServer(all);
    await loadLatest(1, fetchPage);
    // Missed while disconnected: 61..300; one of them also arrived live.
    for (let i = 61; i <= 300; i++) all.push(msg(i));
    store().receive(msg(61));
    await catchUpRoom(1, fetchPage);
    expect(calls.slice(1).map((q) => q.after)).toEqual([61, 161, 261]);
    const got = ids(room().messages);
    expect(got.at(-1)).toBe(300);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((id) => id > 60)).toHaveLength(240);
  });

  it('catches up from the last id seen, not from our own send made while disconnected', async () => {
    const all = server.slice(0, 8);
    const { fetchPage, calls } = fakeServer(all);
    await loadLatest(1, fetchPage);
    // Relay down: others post 9..12 (never seen); our own POST answers 13.
    for (let i = 9; i <= 13; i++) all.push(msg(i));
    store().addPending({ nonce: 'n', room_id: 1, text: 'x', reply_to: null, created_at: '', status: 'pending' });
    store().receive(msg(13, { nonce: 'n' }), 'send');
    expect(room().syncedId).toBe(8);
    // Back up: resync starts, and 14 arrives live before the catch-up runs.
    const resync = resyncRooms([1], fetchPage);
    all.push(msg(14));
    store().receive(msg(14));
    await resync;
    expect(calls.slice(1).map((q) => q.after)).toEqual([8]);
    expect(ids(room().messages)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // 14 came live during the gap: the cursor stays at the catch-up's end.
    expect(room().syncedId).toBe(13);
    expect(room().gap).toBe(false);
    // In sync again: live events move the cursor.
    store().receive(msg(15));
    expect(room().syncedId).toBe(15);
  });

  it('resync catches up visible rooms and marks the others stale', async () => {
    const { fetchPage } = fakeServer(server.slice(0, 10));
    await loadLatest(1, fetchPage);
    store().applyPage(2, { items: [msg(1, { room_id: 2 })], has_more: false }, 'latest');
    await resyncRooms([1], fetchPage);
    expect(room(1).stale).toBe(false);
    expect(room(2).stale).toBe(true);
  });

  it('a stale room catches up when it is opened again', async () => {
    const all = server.slice(0, 5);
    const { fetchPage, calls } = fakeServer(all);
    await loadLatest(1, fetchPage);
    store().markStale([]);
    all.push(msg(6), msg(7));
    await openRoom(1, fetchPage);
    expect(calls.at(-1)).toMatchObject({ after: 5 });
    expect(ids(room().messages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(room().stale).toBe(false);
  });

  it('loads a window around a message for a search jump', async () => {
    const { fetchPage } = fakeServer(server);
    await loadAround(1, 60, fetchPage);
    const got = ids(room().messages);
    expect(got).toContain(60);
    expect(got[0]).toBe(36);
    expect(got.at(-1)).toBe(85);
    expect(room().hasMoreBefore).toBe(true);
    expect(room().hasMoreAfter).toBe(true);
  });

  it('runs one load at a time per room', async () => {
    const { fetchPage } = fakeServer(server);
    await Promise.all([loadLatest(1, fetchPage), loadLatest(1, fetchPage)]);
    expect(fetchPage).toHaveBeenCalledTimes(1);
  });

  /** Lets promises run until `cond` holds (fails instead of hanging). */
  async function until(cond: () => boolean) {
    for (let i = 0; !cond(); i++) {
      if (i > 1000) throw new Error('the expected request was never made');
      await Promise.resolve();
    }
  }

  /** A fake server whose answers wait until released, to order races. */
  function gatedServer(all: Message[]) {
    const { fetchPage: answer, calls } = fakeServer(all);
    const gates: (() => void)[] = [];
    const fetchPage = vi.fn(async (roomId: number, q: PageQuery) => {
      const p = answer(roomId, q); // the server's snapshot is taken now
      await new Promise<void>((r) => gates.push(r));
      return p;
    });
    /** Answers the i-th request still waiting (the oldest by default). */
    const release = async (i = 0) => {
      await until(() => gates.length > i);
      gates.splice(i, 1)[0]();
      for (let k = 0; k < 5; k++) await Promise.resolve();
    };
    return { fetchPage, calls, release };
  }

  it('a resync while the catch-up fetch is in flight makes it fetch once more', async () => {
    const all = server.slice(0, 10);
    const { fetchPage } = fakeServer(all);
    await loadLatest(1, fetchPage);
    const gated = gatedServer(all);
    const first = resyncRooms([1], gated.fetchPage);
    // The catch-up fetch has taken its snapshot (nothing new); then 11 is
    // committed, its event is lost, and a second resync arrives.
    await until(() => gated.calls.length > 0);
    all.push(msg(11));
    const second = resyncRooms([1], gated.fetchPage);
    await gated.release();
    await gated.release();
    await Promise.all([first, second]);
    expect(gated.calls.map((q) => q.after)).toEqual([10, 10]);
    expect(ids(room().messages).at(-1)).toBe(11);
    expect(room().gap).toBe(false);
  });

  it('a resync while the first page is in flight fetches after= that page', async () => {
    const all = server.slice(0, 10);
    const gated = gatedServer(all);
    const opening = openRoom(1, gated.fetchPage);
    await until(() => gated.calls.length > 0);
    all.push(msg(11)); // posted after the page's snapshot, its event missed
    const resync = resyncRooms([1], gated.fetchPage);
    await gated.release();
    await gated.release();
    await Promise.all([opening, resync]);
    expect(gated.calls.map((q) => q.after)).toEqual([undefined, 10]);
    expect(ids(room().messages).at(-1)).toBe(11);
  });

  it('a newest page asked for before a message link does not replace its window', async () => {
    const gated = gatedServer(server);
    const latest = openRoom(1, gated.fetchPage);
    const around = loadAround(1, 30, gated.fetchPage);
    // The window's two pages answer first, the older newest-page request last.
    await until(() => gated.calls.length >= 3);
    await gated.release(1);
    await gated.release(1);
    await gated.release(0);
    await Promise.all([latest, around]);
    expect(ids(room().messages)).toContain(30);
    expect(ids(room().messages)).not.toContain(120);
    // A resync leaves the window alone, and it still loads both ways.
    await resyncRooms([1], gated.fetchPage);
    expect(ids(room().messages)).not.toContain(120);
    const { fetchPage } = fakeServer(server);
    await loadOlder(1, fetchPage);
    expect(ids(room().messages)[0]).toBe(1);
    await loadNewer(1, fetchPage);
    await loadNewer(1, fetchPage);
    expect(ids(room().messages).at(-1)).toBe(120);
    expect(room().hasMoreAfter).toBe(false);
  });

  it('keeps an event that arrives while the first page is in flight', async () => {
    const all = server.slice(0, 10);
    const gated = gatedServer(all);
    const opening = openRoom(1, gated.fetchPage);
    await until(() => gated.calls.length > 0);
    all.push(msg(11));
    store().receive(msg(11)); // live, newer than the page's snapshot
    await gated.release();
    await opening;
    expect(ids(room().messages).at(-1)).toBe(11);
    expect(room().messages).toHaveLength(11);
  });
});
