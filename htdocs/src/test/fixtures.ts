// Message factories for unit tests.
import type { Message, Page } from '@/shared/api/types';

export function msg(id: number, over: Partial<Message> = {}): Message {
  return {
    id,
    room_id: 1,
    sender: { id: 10, username: 'alice', full_name: 'Alice', icon_url: null },
    text: `message ${id}`,
    reply_to: null,
    created_at: new Date(Date.UTC(2024, 0, 1, 12, 0, id)).toISOString(),
    edited_at: null,
    nonce: null,
    reactions: [],
    rooms: [],
    pinned_at: null,
    pinned_by: null,
    attachments: [],
    ...over,
  };
}

export function page(ids: number[], hasMore = false, over: Partial<Message> = {}): Page<Message> {
  return { items: ids.map((id) => msg(id, over)), has_more: hasMore };
}

export const ids = (list: { id: number }[]) => list.map((m) => m.id);
