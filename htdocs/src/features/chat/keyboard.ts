// Keyboard access to messages: which message should open its editor (Up
// in an empty composer asks for one's last message), moving between
// messages with the arrow keys, and where focus goes back to.

import { create } from 'zustand';
import type { Id, Message } from '@/shared/api/types';

interface EditRequest {
  /** The message whose editor should open (its MessageItem clears it). */
  requested: Id | null;
  request: (id: Id) => void;
  clear: () => void;
}

export const useEditRequest = create<EditRequest>((set) => ({
  requested: null,
  request: (id) => set({ requested: id }),
  clear: () => set({ requested: null }),
}));

/**
 * The newest of one's own messages on screen (MessageItem marks them
 * data-mine), or null: what Up in an empty composer edits.
 */
export function lastOwnMessageId(root: ParentNode = document): Id | null {
  const mine = root.querySelectorAll<HTMLElement>('[data-testid=message][data-mine=true]');
  const last = mine[mine.length - 1];
  return last ? Number(last.dataset.messageId) : null;
}

/** Focuses the message `step` rows from `from` (-1 up, +1 down); false when there is none. */
export function focusSiblingMessage(from: HTMLElement, step: -1 | 1): boolean {
  const all = Array.from(document.querySelectorAll<HTMLElement>('[data-testid=message]'));
  const next = all[all.indexOf(from) + step];
  if (!next) return false;
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
  return true;
}

/** Puts focus back in the composer (after a deleted message, say). */
export function focusComposer(): void {
  document.querySelector<HTMLElement>('[data-testid=composer]')?.focus();
}

/** The address that opens a message in its room (/room/:id?m=). */
export function messageLink(m: Pick<Message, 'id' | 'room_id'>, origin = window.location.origin): string {
  return `${origin}/room/${m.room_id}?m=${m.id}`;
}
