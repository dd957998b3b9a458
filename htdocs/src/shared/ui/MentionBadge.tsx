// The "@N" badge of mentions (apart from the unread dot and count), for a
// group, a room or a conversation; nothing when there are none.

import { useMentionStore } from '@/shared/stores/mentionStore';
import type { Id } from '@/shared/api/types';

export function MentionBadge({ count, label }: { count: number; label?: string }) {
  if (count <= 0) return null;
  return (
    <span className="mention-badge" data-testid="mention-badge" data-count={count} aria-label={label ?? `${count} mentions`}>
      @{count > 99 ? '99+' : count}
    </span>
  );
}

/** The badge of a group (or conversation) from the mention store, with a fallback from REST. */
export function GroupMentionBadge({ groupId, fallback = 0 }: { groupId: Id; fallback?: number }) {
  const count = useMentionStore((s) => s.groups[groupId] ?? fallback);
  return <MentionBadge count={count} />;
}

/** The badge of one room. */
export function RoomMentionBadge({ roomId }: { roomId: Id }) {
  const count = useMentionStore((s) => s.rooms[roomId]?.count ?? 0);
  return <MentionBadge count={count} />;
}
