// REST calls of the chat feature (rooms and messages).

import { api } from '@/shared/api/client';
import type { Id, Message, Page } from '@/shared/api/types';

export interface PageQuery {
  before?: Id;
  after?: Id;
  limit?: number;
}

export function fetchMessages(roomId: Id, q: PageQuery = {}): Promise<Page<Message>> {
  return api.get<Page<Message>>(`/rooms/${roomId}/messages`, { query: { ...q } });
}

export function postMessage(roomId: Id, body: { text: string; reply_to?: Id; nonce: string; attachment_ids?: Id[] }): Promise<Message> {
  return api.post<Message>(`/rooms/${roomId}/messages`, body);
}

export function editMessage(id: Id, text: string): Promise<Message> {
  return api.patch<Message>(`/messages/${id}`, { text });
}

export function deleteMessage(id: Id): Promise<void> {
  return api.del(`/messages/${id}`);
}

export function markRoomRead(roomId: Id, lastReadId: Id): Promise<void> {
  return api.post<void>(`/rooms/${roomId}/read`, { last_read_id: lastReadId });
}
