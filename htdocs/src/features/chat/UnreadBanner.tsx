// "N new messages since HH:MM · Mark as read" at the top of a room opened
// with unread messages; the time is that of the first unread one we hold.

import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { formatTime } from '@/shared/ui/format';
import { newMessagesText } from './NewMessagesJump';

/** The first message after the read marker that someone else sent. */
export function firstUnread(messages: readonly Message[], lastReadId: Id | null, selfId: Id): Message | null {
  return messages.find((m) => m.id > (lastReadId ?? 0) && senderOf(m).id !== selfId) ?? null;
}

interface Props {
  count: number;
  messages: readonly Message[];
  lastReadId: Id | null;
  selfId: Id;
  onMarkRead: () => void;
}

export function UnreadBanner({ count, messages, lastReadId, selfId, onMarkRead }: Props) {
  const first = firstUnread(messages, lastReadId, selfId);
  return (
    <div className="unread-banner" role="status" data-testid="unread-banner">
      <span>
        {newMessagesText(count)}
        {first ? ` since ${formatTime(first.created_at)}` : ''}
      </span>
      <span aria-hidden="true">·</span>
      <button type="button" className="link-button" onClick={onMarkRead}>
        Mark as read
      </button>
    </div>
  );
}
