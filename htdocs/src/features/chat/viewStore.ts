// What is on screen: the selected group and room. The realtime dispatcher
// reads it to decide what counts as unread and which rooms to catch up.

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

interface ViewState {
  groupId: Id | null;
  roomId: Id | null;
  setGroup: (id: Id | null) => void;
  setRoom: (id: Id | null) => void;
}

export const useViewStore = create<ViewState>()((set) => ({
  groupId: null,
  roomId: null,
  setGroup: (groupId) => set({ groupId }),
  setRoom: (roomId) => set({ roomId }),
}));

/** Rooms whose messages are on screen now. */
export function visibleRooms(): Id[] {
  const { roomId } = useViewStore.getState();
  return roomId === null ? [] : [roomId];
}
