// The reader's own timeouts per group (issue 13 item 7), from the
// `member.updated` events about themselves (app/realtime.ts), so that the
// composer can say so at once instead of after a refused post.

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

interface TimeoutState {
  /** Group id -> the end of one's timeout there (ISO), null when none. */
  until: Record<Id, string | null>;
  set: (groupId: Id, until: string | null) => void;
}

export const useTimeoutStore = create<TimeoutState>((set) => ({
  until: {},
  set: (groupId, until) => set((s) => ({ until: { ...s.until, [groupId]: until } })),
}));

/** The end of one's timeout in `groupId` when it is still running. */
export function activeTimeout(until: string | null | undefined, now = Date.now()): string | null {
  return until && Date.parse(until) > now ? until : null;
}
