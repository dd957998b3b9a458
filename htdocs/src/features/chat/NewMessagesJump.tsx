// "N new messages" over the list while scrolled up (a click goes to the
// newest), and the helpers that decide what counts as new and as seen.

import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';

/** Messages after `sinceId` that others sent (ours bring the view down anyway). */
export function countNewSince(messages: readonly Message[], sinceId: Id, selfId: Id | null): number {
  let n = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i].id > sinceId; i--) {
    if (senderOf(messages[i]).id !== selfId) n++;
  }
  return n;
}

/** "1 new message", "3 new messages". */
export function newMessagesText(count: number): string {
  return `${count} new message${count === 1 ? '' : 's'}`;
}

/** The newest message id whose row is (at least partly) inside `container`'s box. */
export function newestVisibleId(container: HTMLElement): Id | null {
  const box = container.getBoundingClientRect();
  let best: Id | null = null;
  for (const el of container.querySelectorAll<HTMLElement>('[data-message-id]')) {
    const r = el.getBoundingClientRect();
    if (r.bottom <= box.top || r.top >= box.bottom || r.height === 0) continue;
    const id = Number(el.dataset.messageId);
    if (Number.isFinite(id) && (best === null || id > best)) best = id;
  }
  return best;
}

export function NewMessagesJump({ count, onJump }: { count: number; onJump: () => void }) {
  return (
    <button type="button" className="new-messages-jump" onClick={onJump} data-testid="new-messages-jump">
      {newMessagesText(count)}
    </button>
  );
}
