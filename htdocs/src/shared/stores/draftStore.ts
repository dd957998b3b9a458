// Unsent composer text per room, and the notice shown when the room or
// group one is in is deleted (with that text kept, to copy elsewhere).

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

export interface LostNotice {
  text: string;
  draft: string;
}

interface DraftState {
  drafts: Record<Id, string>;
  notice: LostNotice | null;
  setDraft: (roomId: Id, text: string) => void;
  /** Says `text`, keeping the draft of `roomId` (then forgotten there). */
  lost: (text: string, roomId: Id | null) => void;
  dismiss: () => void;
}

export const useDraftStore = create<DraftState>((set) => ({
  drafts: {},
  notice: null,
  setDraft: (roomId, text) =>
    set((s) => {
      if ((s.drafts[roomId] ?? '') === text) return s;
      const drafts = { ...s.drafts };
      if (text) drafts[roomId] = text;
      else delete drafts[roomId];
      return { drafts };
    }),
  lost: (text, roomId) =>
    set((s) => {
      const draft = roomId !== null ? (s.drafts[roomId] ?? '') : '';
      const drafts = { ...s.drafts };
      if (roomId !== null) delete drafts[roomId];
      return { notice: { text, draft }, drafts };
    }),
  dismiss: () => set({ notice: null }),
}));
