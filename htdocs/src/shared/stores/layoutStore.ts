// Which side panel of the phone layout is open: the navigation drawer (rail
// and the group's rooms) or the members sheet; at most one at a time.

import { create } from 'zustand';

export type Panel = 'nav' | 'members';

interface LayoutState {
  panel: Panel | null;
  open: (panel: Panel) => void;
  close: () => void;
}

export const useLayoutStore = create<LayoutState>((set) => ({
  panel: null,
  open: (panel) => set({ panel }),
  close: () => set({ panel: null }),
}));
