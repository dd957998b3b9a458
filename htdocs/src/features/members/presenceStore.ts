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

/** Presence to show: the event if newer than the REST data, else the REST data. */
export function resolvePresence(
  base: { online: boolean; status: UserStatus },
  entry: PresenceEntry | undefined,
  fetchedAt: number,
): { online: boolean; status: UserStatus } {
  if (entry && entry.at >= fetchedAt) return { online: entry.online, status: entry.status };
  return base;
}
