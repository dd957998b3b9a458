// Real-time message state per room (zustand). REST pages and websocket
// events both land here through the pure merge functions of merge.ts.

import { create } from 'zustand';
import type { Id, Message, Page } from '@/shared/api/types';
import {
  applySender,
  applyUpdate,
  mergeMessages,
  reconcilePending,
  removeMessage,
  type PendingMessage,
  type SenderUpdate,
} from './merge';

/** How many deleted ids a room remembers, so late copies don't resurrect them. */
const TOMBSTONE_LIMIT = 500;

export interface RoomMessages {
  messages: Message[];
  pending: PendingMessage[];
  deleted: Id[];
  /** Older messages exist on the server. */
  hasMoreBefore: boolean;
  /** The list is a window that doesn't reach the newest message (after a jump). */
  hasMoreAfter: boolean;
  /** The first page has been loaded. */
  loaded: boolean;
  /** Events may have been missed while the room was off screen. */
  stale: boolean;
  /**
   * The catch-up cursor: every message up to this id has been seen (pages
   * and relay events). Our own POST answers don't move it: sent while the
   * relay was down, they would hide the messages missed before them.
   */
  syncedId: Id;
  /**
   * A reconnect or `resync` happened and the catch-up has not finished:
   * live events are shown but don't move `syncedId` past the gap.
   */
  gap: boolean;
}

export type PageKind = 'latest' | 'before' | 'after';

export function emptyRoom(): RoomMessages {
  return {
    messages: [],
    pending: [],
    deleted: [],
    hasMoreBefore: true,
    hasMoreAfter: false,
    loaded: false,
    stale: false,
    syncedId: 0,
    gap: false,
  };
}

interface ChatState {
  rooms: Record<Id, RoomMessages>;
  /** A page from GET /rooms/{id}/messages. */
  applyPage: (roomId: Id, page: Page<Message>, kind: PageKind) => void;
  /** A window around one message (search jump): replaces what we hold. */
  applyWindow: (roomId: Id, older: Page<Message>, newer: Page<Message>) => void;
  /** message.created (`via` 'event'), or the answer to our own POST ('send'). */
  receive: (message: Message, via?: 'event' | 'send') => void;
  /** message.updated or the answer to PATCH. */
  update: (message: Message) => void;
  /** message.deleted or our own DELETE (replies quoting it say so). */
  remove: (roomId: Id, id: Id) => void;
  /** user.updated: the user's new name and icon on every message we hold. */
  applyUser: (u: SenderUpdate) => void;
  addPending: (p: PendingMessage) => void;
  setPendingStatus: (roomId: Id, nonce: string, status: PendingMessage['status'], error?: string, retryable?: boolean) => void;
  dropPending: (roomId: Id, nonce: string) => void;
  /**
   * After a reconnect: marks every loaded room except `visible` as stale,
   * and every loaded room as having a gap until its catch-up is done.
   */
  markStale: (visible: Id[]) => void;
  setStale: (roomId: Id, stale: boolean) => void;
  /** The catch-up reached the newest message: live events move the cursor again. */
  closeGap: (roomId: Id) => void;
  resetRoom: (roomId: Id) => void;
  /** A room is being loaded: events that arrive meanwhile are kept (applyPage 'latest'). */
  ensureRoom: (roomId: Id) => void;
  reset: () => void;
}

function withRoom(state: ChatState, roomId: Id, fn: (r: RoomMessages) => RoomMessages): Partial<ChatState> {
  const room = state.rooms[roomId] ?? emptyRoom();
  const next = fn(room);
  if (next === room) return {};
  return { rooms: { ...state.rooms, [roomId]: next } };
}

function ingest(room: RoomMessages, incoming: Message[]): RoomMessages {
  const deleted = room.deleted.length ? new Set(room.deleted) : undefined;
  const messages = mergeMessages(room.messages, incoming, deleted);
  const pending = reconcilePending(room.pending, incoming);
  if (messages === room.messages && pending === room.pending) return room;
  return { ...room, messages, pending };
}

export const useChatStore = create<ChatState>()((set) => ({
  rooms: {},

  applyPage: (roomId, page, kind) =>
    set((s) =>
      withRoom(s, roomId, (room) => {
        if (kind === 'latest') {
          // A fresh start at the newest messages. The page is authoritative
          // up to its newest id: what we held there could leave a hidden gap
          // or be deleted meanwhile. Newer ones arrived by events while the
          // page was in flight and stay, as do pending sends and tombstones.
          const newest = page.items.reduce((max, m) => Math.max(max, m.id), -Infinity);
          const kept = room.hasMoreAfter ? [] : room.messages.filter((m) => m.id > newest);
          const base: RoomMessages = { ...room, messages: kept, hasMoreAfter: false };
          const next = ingest(base, page.items);
          const syncedId = page.items.length ? newest : 0;
          return { ...next, hasMoreBefore: page.has_more, loaded: true, stale: false, syncedId, gap: false };
        }
        const next = ingest(room, page.items);
        if (kind === 'before') return { ...next, hasMoreBefore: page.has_more, loaded: true };
        const syncedId = Math.max(room.syncedId, ...page.items.map((m) => m.id));
        return { ...next, hasMoreAfter: page.has_more, loaded: true, syncedId };
      }),
    ),

  applyWindow: (roomId, older, newer) =>
    set((s) =>
      withRoom(s, roomId, (room) => {
        const base: RoomMessages = { ...room, messages: [] };
        const next = ingest(base, [...older.items, ...newer.items]);
        const syncedId = Math.max(0, ...next.messages.map((m) => m.id));
        return { ...next, hasMoreBefore: older.has_more, hasMoreAfter: newer.has_more, loaded: true, stale: false, syncedId, gap: false };
      }),
    ),

  receive: (message, via = 'event') =>
    set((s) => {
      // Rooms never opened are loaded fresh when opened; a room being
      // loaded keeps what arrives meanwhile (see applyPage 'latest').
      const room = s.rooms[message.room_id];
      if (!room) return {};
      return withRoom(s, message.room_id, (r) => {
        if (r.hasMoreAfter) {
          // Not attached to the live end: don't create a gap, only settle our send.
          const pending = reconcilePending(r.pending, [message]);
          return pending === r.pending ? r : { ...r, pending };
        }
        const next = ingest(r, [message]);
        if (via === 'event' && !r.gap && !r.stale && message.id > r.syncedId) return { ...next, syncedId: message.id };
        return next;
      });
    }),

  update: (message) =>
    set((s) => {
      if (!s.rooms[message.room_id]) return {};
      return withRoom(s, message.room_id, (r) => {
        const messages = applyUpdate(r.messages, message);
        return messages === r.messages ? r : { ...r, messages };
      });
    }),

  remove: (roomId, id) =>
    set((s) => {
      if (!s.rooms[roomId]) return {};
      return withRoom(s, roomId, (r) => {
        const deleted = r.deleted.includes(id) ? r.deleted : [...r.deleted, id].slice(-TOMBSTONE_LIMIT);
        const messages = removeMessage(r.messages, id);
        if (deleted === r.deleted && messages === r.messages) return r;
        return { ...r, messages, deleted };
      });
    }),

  applyUser: (u) =>
    set((s) => {
      let changed = false;
      const rooms: Record<Id, RoomMessages> = {};
      for (const [key, room] of Object.entries(s.rooms)) {
        const messages = applySender(room.messages, u);
        changed ||= messages !== room.messages;
        rooms[Number(key)] = messages === room.messages ? room : { ...room, messages };
      }
      return changed ? { rooms } : {};
    }),

  addPending: (p) =>
    set((s) =>
      withRoom(s, p.room_id, (r) => {
        if (r.pending.some((x) => x.nonce === p.nonce)) return r;
        return { ...r, pending: [...r.pending, p] };
      }),
    ),

  setPendingStatus: (roomId, nonce, status, error, retryable) =>
    set((s) =>
      withRoom(s, roomId, (r) => {
        if (!r.pending.some((p) => p.nonce === nonce)) return r;
        return { ...r, pending: r.pending.map((p) => (p.nonce === nonce ? { ...p, status, error, retryable } : p)) };
      }),
    ),

  dropPending: (roomId, nonce) =>
    set((s) =>
      withRoom(s, roomId, (r) => {
        const pending = r.pending.filter((p) => p.nonce !== nonce);
        return pending.length === r.pending.length ? r : { ...r, pending };
      }),
    ),

  markStale: (visible) =>
    set((s) => {
      const rooms: Record<Id, RoomMessages> = {};
      let changed = false;
      for (const [key, room] of Object.entries(s.rooms)) {
        const id = Number(key);
        const stale = room.stale || !visible.includes(id);
        if (room.loaded && (stale !== room.stale || !room.gap)) {
          rooms[id] = { ...room, stale, gap: true };
          changed = true;
        } else {
          rooms[id] = room;
        }
      }
      return changed ? { rooms } : {};
    }),

  setStale: (roomId, stale) =>
    set((s) => withRoom(s, roomId, (r) => (r.stale === stale ? r : { ...r, stale }))),

  closeGap: (roomId) => set((s) => withRoom(s, roomId, (r) => (r.gap ? { ...r, gap: false } : r))),

  resetRoom: (roomId) =>
    set((s) => {
      if (!s.rooms[roomId]) return {};
      const rooms = { ...s.rooms };
      const old = rooms[roomId];
      rooms[roomId] = { ...emptyRoom(), pending: old.pending, deleted: old.deleted };
      return { rooms };
    }),

  ensureRoom: (roomId) => set((s) => (s.rooms[roomId] ? {} : { rooms: { ...s.rooms, [roomId]: emptyRoom() } })),

  reset: () => set({ rooms: {} }),
}));
