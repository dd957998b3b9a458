// Clears every real-time store (log-out, session lost).

import { useChatStore } from '@/features/chat/store';
import { useTypingStore } from '@/features/chat/typingStore';
import { resetSync } from '@/features/chat/sync';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useMentionStore } from '@/shared/stores/mentionStore';
import { usePresenceStore } from '@/features/members/presenceStore';

export function resetRealtimeState(): void {
  useChatStore.getState().reset();
  resetSync();
  useTypingStore.getState().reset();
  useUnreadStore.getState().reset();
  useMentionStore.getState().reset();
  usePresenceStore.getState().reset();
}
