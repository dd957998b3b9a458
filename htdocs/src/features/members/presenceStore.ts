// Live presence from `presence` events of the focused group. The member
// list's REST data is the baseline; an event wins when it is newer than
// the last fetch of that list.

import { create } from 'zustand';
import type { Id, UserStatus } from '@/shared/api/types';

export interface PresenceEntry {
  online: boolean;
  status: UserStatus;
  at: number;
}

interface PresenceState {
  users: Record<Id, PresenceEntry>;
  apply: (ev: { user_id: Id; status: UserStatus; online: boolean }, now?: number) => void;
  reset: () => void;
}

export const usePresenceStore = create<PresenceState>()((set) => ({
  users: {},
  apply: (ev, now = Date.now()) =>
    set((s) => ({ users: { ...s.users, [ev.user_id]: { online: ev.online, status: ev.status, at: now } } })),
  reset: () => set({ users: {} }),
}));

/** Presence to show: the event if newer than the REST data, else the REST
 * data. The caller's own row (self) is online while this page's socket
 * is open, whatever the list or an event says: the list may have been read
 * before the relay recorded the connection, and one's own presence event
 * may arrive before the socket's subscriptions do. */
export function resolvePresence(
  base: { online: boolean; status: UserStatus },
  entry: PresenceEntry | undefined,
  fetchedAt: number,
  self?: { connected: boolean },
): { online: boolean; status: UserStatus } {
  const p = entry && entry.at >= fetchedAt ? { online: entry.online, status: entry.status } : base;
  return self?.connected ? { ...p, online: true } : p;
}
