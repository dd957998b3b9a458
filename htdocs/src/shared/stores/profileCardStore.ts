// Which profile card is open: any feature asks for one (a member, a
// message author) and app/ shows it (features/profile/ProfileCardHost).

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

interface ProfileCardState {
  userId: Id | null;
  groupId: Id | null;
  open: (userId: Id, groupId: Id | null) => void;
  close: () => void;
}

export const useProfileCardStore = create<ProfileCardState>((set) => ({
  userId: null,
  groupId: null,
  open: (userId, groupId) => set({ userId, groupId }),
  close: () => set({ userId: null, groupId: null }),
}));

/** Opens the card of `userId` (roles shown for `groupId`). */
export function openProfileCard(userId: Id, groupId: Id | null = null): void {
  useProfileCardStore.getState().open(userId, groupId);
}
