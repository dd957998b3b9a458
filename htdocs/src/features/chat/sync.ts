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

/** GET without a cursor answers newest first; the store wants any order. */
export function loadLatest(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  return once(`latest:${roomId}`, async () => {
    const page = await fetchPage(roomId, { limit: PAGE_SIZE });
    useChatStore.getState().applyPage(roomId, page, 'latest');
  });
}

export function loadOlder(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  return once(`before:${roomId}`, async () => {
    const room = useChatStore.getState().rooms[roomId];
    if (!room || !room.loaded || !room.hasMoreBefore) return;
    const first = firstMessageId(room.messages);
    if (first === null) return;
    const page = await fetchPage(roomId, { before: first, limit: PAGE_SIZE });
    useChatStore.getState().applyPage(roomId, page, 'before');
  });
}

/** Fetches `after=` the last id until the server has nothing more (bounded). */
export function catchUpRoom(roomId: Id, fetchPage: FetchPage = fetchMessages, maxPages = CATCH_UP_MAX_PAGES): Promise<void> {
  return once(`after:${roomId}`, async () => {
    const start = useChatStore.getState().rooms[roomId];
    if (!start || !start.loaded) {
      await loadLatest(roomId, fetchPage);
      return;
    }
    for (let i = 0; i < maxPages; i++) {
      const room = useChatStore.getState().rooms[roomId];
      if (!room) return;
      // Not the newest id we hold: our own sends while disconnected may
      // sit past messages we never got.
      const after = room.syncedId;
      const page = await fetchPage(roomId, { after, limit: CATCH_UP_PAGE });
      useChatStore.getState().applyPage(roomId, page, 'after');
      if (!page.has_more || page.items.length === 0) {
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
    const page = await fetchPage(roomId, { after, limit: PAGE_SIZE });
    useChatStore.getState().applyPage(roomId, page, 'after');
  });
}

/** Loads the messages around `messageId` (inclusive) for a search jump. */
export function loadAround(roomId: Id, messageId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  return once(`around:${roomId}`, async () => {
    const [older, newer] = await Promise.all([
      fetchPage(roomId, { before: messageId + 1, limit: PAGE_SIZE / 2 }),
      fetchPage(roomId, { after: messageId, limit: PAGE_SIZE / 2 }),
    ]);
    useChatStore.getState().applyWindow(roomId, older, newer);
  });
}

/**
 * Opening a room at its newest messages: the first page (also when we hold a
 * detached search window), or the catch-up when it went stale off screen.
 */
export function openRoom(roomId: Id, fetchPage: FetchPage = fetchMessages): Promise<void> {
  const room = useChatStore.getState().rooms[roomId];
  if (!room || !room.loaded || room.hasMoreAfter) return loadLatest(roomId, fetchPage);
  if (room.stale) return catchUpRoom(roomId, fetchPage);
  return Promise.resolve();
}

/**
 * After a reconnect or `resync`: every room on screen catches up now, the
 * other rooms we hold are marked stale and catch up when shown again.
 */
export async function resyncRooms(visible: Id[], fetchPage: FetchPage = fetchMessages): Promise<void> {
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
