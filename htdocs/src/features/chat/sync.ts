// Loading message pages into the chat store: the first page, older pages
// (infinite scroll up), a window around one message (search jump), and the
// catch-up after a reconnect or a `resync` event (after= the last id, merged
// by id). One request at a time per room and direction.

import type { Id, Message, Page } from '@/shared/api/types';
import { fetchMessages, type PageQuery } from './api';
import { lastMessageId, firstMessageId } from './merge';
import { useChatStore } from './store';

export type FetchPage = (roomId: Id, q: PageQuery) => Promise<Page<Message>>;

export const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 100;
const CATCH_UP_MAX_PAGES = 10;

const inflight = new Map<string, Promise<void>>();

function once(key: string, run: () => Promise<void>): Promise<void> {
  const running = inflight.get(key);
  if (running) return running;
  const p = run().finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}

/**
 * Which view of a room is wanted: bumped when the room is opened at the
 * newest messages (replacing a window) or at one message. A page that
 * arrives for an older view is dropped, so a catch-up started before a
 * message link was opened cannot replace its window, nor a slow window a
 * later "jump to present".
 */
const views = new Map<Id, { n: number; live: boolean }>();
const viewOf = (roomId: Id) => views.get(roomId)?.n ?? 0;
/** False while the room is shown as a window around one message. */
const wantsLive = (roomId: Id) => views.get(roomId)?.live ?? true;
function newView(roomId: Id, live: boolean): number {
  const n = viewOf(roomId) + 1;
  views.set(roomId, { n, live });
  return n;
}

/**
 * Counts `resync`s and reconnects. A catch-up is done only when a fetch
 * issued after the latest one found nothing more: a page fetched before a
 * resync arrived may predate what that resync says was missed
 * (relay/PROTOCOL.md: catch up after= the newest id held when it arrived).
 */
let resyncs = 0;

/** Forgets views and counters (sign-out, tests). */
export function resetSync(): void {
  views.clear();
  resyncs = 0;
}

/** GET without a cursor answers newest first; the store wants any order. */
export function loadLatest(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  const view = viewOf(roomId);
  // A window around one message is not replaced by the newest page.
  if (!wantsLive(roomId)) return Promise.resolve();
  return once(`latest:${roomId}:${view}`, async () => {
    // Held from now on, so a message.created that arrives while the page
    // is in flight (and may be newer than its snapshot) is not dropped.
    useChatStore.getState().ensureRoom(roomId);
    const page = await fetchPage(roomId, { limit: PAGE_SIZE });
    if (viewOf(roomId) !== view) return;
    useChatStore.getState().applyPage(roomId, page, 'latest');
  });
}

export function loadOlder(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  return once(`before:${roomId}`, async () => {
    const room = useChatStore.getState().rooms[roomId];
    if (!room || !room.loaded || !room.hasMoreBefore) return;
    const first = firstMessageId(room.messages);
    if (first === null) return;
    const view = viewOf(roomId);
    const page = await fetchPage(roomId, { before: first, limit: PAGE_SIZE });
    if (viewOf(roomId) !== view) return;
    useChatStore.getState().applyPage(roomId, page, 'before');
  });
}

/**
 * Fetches `after=` the catch-up cursor until the server has nothing more
 * (bounded). A room never loaded gets its newest page first, then the
 * same check: that page may have been asked for before the resync.
 */
export function catchUpRoom(roomId: Id, fetchPage: FetchPage = fetchMessages, maxPages = CATCH_UP_MAX_PAGES): Promise<void> {
  return once(`after:${roomId}`, async () => {
    const start = useChatStore.getState().rooms[roomId];
    if (!start || !start.loaded) await loadLatest(roomId, fetchPage);
    const first = useChatStore.getState().rooms[roomId];
    // Not loaded (the page was for an older view) or a window that does
    // not reach the newest message: nothing to catch up here.
    if (!first || !first.loaded || first.hasMoreAfter) return;
    for (let i = 0; i < maxPages; i++) {
      const room = useChatStore.getState().rooms[roomId];
      if (!room || !room.loaded) return;
      // Not the newest id we hold: our own sends while disconnected may
      // sit past messages we never got.
      const after = room.syncedId;
      const epoch = resyncs;
      const view = viewOf(roomId);
      const page = await fetchPage(roomId, { after, limit: CATCH_UP_PAGE });
      if (viewOf(roomId) !== view) return;
      useChatStore.getState().applyPage(roomId, page, 'after');
      if ((!page.has_more || page.items.length === 0) && epoch === resyncs) {
        useChatStore.getState().closeGap(roomId);
        break;
      }
    }
    useChatStore.getState().setStale(roomId, false);
  });
}

/** Infinite scroll down in a window that doesn't reach the newest message. */
export function loadNewer(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  return once(`after:${roomId}`, async () => {
    const room = useChatStore.getState().rooms[roomId];
    if (!room || !room.loaded || !room.hasMoreAfter) return;
    const after = lastMessageId(room.messages) ?? 0;
    const view = viewOf(roomId);
    const page = await fetchPage(roomId, { after, limit: PAGE_SIZE });
    if (viewOf(roomId) !== view) return;
    useChatStore.getState().applyPage(roomId, page, 'after');
  });
}

/** Loads the messages around `messageId` (inclusive) for a message link:
 * a new view of the room, which nothing started earlier can replace. */
export function loadAround(roomId: Id, messageId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  const view = newView(roomId, false);
  return once(`around:${roomId}:${view}`, async () => {
    const [older, newer] = await Promise.all([
      fetchPage(roomId, { before: messageId + 1, limit: PAGE_SIZE / 2 }),
      fetchPage(roomId, { after: messageId, limit: PAGE_SIZE / 2 }),
    ]);
    if (viewOf(roomId) !== view) return;
    useChatStore.getState().applyWindow(roomId, older, newer);
  });
}

/**
 * Opening a room at its newest messages: the first page (also when we hold a
 * detached search window), or the catch-up when it went stale off screen.
 */
export function openRoom(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  const room = useChatStore.getState().rooms[roomId];
  if (!room || !room.loaded || room.hasMoreAfter) {
    // A new view: drops a window still in flight.
    newView(roomId, true);
    return loadLatest(roomId, fetchPage);
  }
  if (room.stale) return catchUpRoom(roomId, fetchPage);
  return Promise.resolve();
}

/**
 * After a reconnect or `resync`: every room on screen catches up now, the
 * other rooms we hold are marked stale and catch up when shown again. A
 * window (message link) is left as it is: it is not at the live end.
 */
export async function resyncRooms(visible: Id[], fetchPage: FetchPage = fetchMessages): Promise<void> {
  resyncs++;
  useChatStore.getState().markStale(visible);
  await Promise.all(
    visible.map((id) => {
      const room = useChatStore.getState().rooms[id];
      if (room && room.hasMoreAfter) return Promise.resolve();
      return catchUpRoom(id, fetchPage).catch(() => {
        useChatStore.getState().setStale(id, true);
      });
    }),
  );
}
