// Who is typing where. States come from `typing` events of the focused
// group and are dropped when not renewed within 8 s. Names are resolved
// when shown (members change their names), falling back to the event's.

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

export const TYPING_TTL_MS = 8_000;

interface Typer {
  name: string;
  expiresAt: number;
}

export interface TypingEvent {
  room_id: Id;
  user_id: Id;
  full_name: string;
  is_typing: boolean;
}

interface TypingState {
  rooms: Record<Id, Record<Id, Typer>>;
  apply: (ev: TypingEvent, now?: number) => void;
  /** The user posted: they stopped typing. */
  clearUser: (roomId: Id, userId: Id) => void;
  /** Drops expired states; cheap when nothing expired. */
  prune: (now?: number) => void;
  reset: () => void;
}

export const useTypingStore = create<TypingState>()((set) => ({
  rooms: {},
  apply: (ev, now = Date.now()) =>
    set((s) => {
      const room = { ...(s.rooms[ev.room_id] ?? {}) };
      if (ev.is_typing) room[ev.user_id] = { name: ev.full_name, expiresAt: now + TYPING_TTL_MS };
      else if (room[ev.user_id]) delete room[ev.user_id];
      else return {};
      return { rooms: { ...s.rooms, [ev.room_id]: room } };
    }),
  clearUser: (roomId, userId) =>
    set((s) => {
      const room = s.rooms[roomId];
      if (!room || !room[userId]) return {};
      const next = { ...room };
      delete next[userId];
      return { rooms: { ...s.rooms, [roomId]: next } };
    }),
  prune: (now = Date.now()) =>
    set((s) => {
      let changed = false;
      const rooms: Record<Id, Record<Id, Typer>> = {};
      for (const [rid, typers] of Object.entries(s.rooms)) {
        const kept: Record<Id, Typer> = {};
        for (const [uid, t] of Object.entries(typers)) {
          if (t.expiresAt > now) kept[Number(uid)] = t;
          else changed = true;
        }
        rooms[Number(rid)] = kept;
      }
      return changed ? { rooms } : {};
    }),
  reset: () => set({ rooms: {} }),
}));

/** A user's name as shown now (display name, else username), if known. */
export type NameOf = (userId: Id) => string | undefined;

/** Names typing in a room at `now`, without the current user, sorted:
 * `nameOf` first (the member list's display name, kept current), then the
 * name the event carried, then `usernameOf` (the member list's username),
 * then "Someone".  The event's name comes before the username because the
 * member list may have been loaded before a new member set a display
 * name. */
export function typersIn(
  rooms: TypingState['rooms'],
  roomId: Id,
  selfId: Id | null,
  now: number = Date.now(),
  nameOf?: NameOf,
  usernameOf?: NameOf,
): string[] {
  const room = rooms[roomId];
  if (!room) return [];
  return Object.entries(room)
    .filter(([uid, t]) => Number(uid) !== selfId && t.expiresAt > now)
    .map(([uid, t]) => nameOf?.(Number(uid)) || t.name || usernameOf?.(Number(uid)) || 'Someone')
    .sort((a, b) => a.localeCompare(b));
}

/** "alice is typing…", "alice and bob are typing…", "Several people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

/**
 * Decides when to send `typing` frames: at most one `true` per interval while
 * the user keeps typing, and one `false` when they stop or send.
 */
export class TypingThrottle {
  private lastSent = -Infinity;
  private active = false;
  constructor(private readonly intervalMs = 3_000) {}

  /** Called on every keystroke; returns true when a `true` frame is due. */
  keystroke(now: number = Date.now()): boolean {
    if (!this.active || now - this.lastSent >= this.intervalMs) {
      this.active = true;
      this.lastSent = now;
      return true;
    }
    return false;
  }

  /** Called on send / clear / blur; returns true when a `false` frame is due. */
  stop(): boolean {
    if (!this.active) return false;
    this.active = false;
    this.lastSent = -Infinity;
    return true;
  }
}
