// Which group's or room's notification settings dialog is open: the menus
// of several features open it (room, group, rail, DM list); the dialog
// itself (features/notifications) is mounted once by the app shell.

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

export interface NotifyTarget {
  scope: 'groups' | 'rooms';
  /** The group's or the room's id (for a DM, its room). */
  id: Id;
  groupId: Id;
  isDm: boolean;
  /** For the dialog's title: "#general", "Gamers", "Ann". */
  name: string;
}

interface NotifyDialogState {
  target: NotifyTarget | null;
  open: (target: NotifyTarget) => void;
  close: () => void;
}

export const useNotifyDialogStore = create<NotifyDialogState>()((set) => ({
  target: null,
  open: (target) => set({ target }),
  close: () => set({ target: null }),
}));

export const openNotifySettings = (target: NotifyTarget) => useNotifyDialogStore.getState().open(target);
