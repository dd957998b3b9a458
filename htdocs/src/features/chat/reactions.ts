// Reactions and pins of messages in the chat store: REST calls, and the
// merge of answers and relay events (reaction.added/removed,
// message.pinned/unpinned) into the messages held. A reaction event
// carries the absolute count, so applying one twice (the event and the
// answer to our own PUT) is harmless. "me" (did I react) comes from
// history pages and our own answers; events and edits, the same for
// every member, never carry it, so it is kept across them.

import { api } from '@/shared/api/client';
import type { Id, Message, Page } from '@/shared/api/types';
import type { components } from '@/shared/api/schema.gen';
import { useChatStore } from './store';

export type Reaction = Message['reactions'][number];
export type ReactionChange = components['schemas']['ReactionChange'];
export type ReactionState = components['schemas']['ReactionState'];

const reactionPath = (messageId: Id, emoji: string) => `/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;

export function react(messageId: Id, emoji: string, on: boolean): Promise<ReactionState> {
  return on ? api.put<ReactionState>(`${reactionPath(messageId, emoji)}/me`) : api.del<ReactionState>(`${reactionPath(messageId, emoji)}/me`);
}

export function fetchReactors(messageId: Id, emoji: string, limit = 20) {
  return api.get<Page<{ user: NonNullable<Message['sender']>; created_at: string }>>(reactionPath(messageId, emoji), { query: { limit } });
}

export function pinMessage(messageId: Id, on: boolean): Promise<Message> {
  return on ? api.put<Message>(`/messages/${messageId}/pin`) : api.del<Message>(`/messages/${messageId}/pin`);
}

export const pinsKey = (roomId: Id) => ['pins', roomId] as const;

export function fetchPins(roomId: Id): Promise<Page<Message>> {
  return api.get<Page<Message>>(`/rooms/${roomId}/pins`, { query: { limit: 50 } });
}

/** `reactions` with one emoji's count set (removed at 0), and `me` when known. */
export function setReaction(reactions: readonly Reaction[], emoji: string, count: number, me?: boolean): Reaction[] {
  const i = reactions.findIndex((r) => r.emoji === emoji);
  if (count <= 0) return i < 0 ? [...reactions] : reactions.filter((r) => r.emoji !== emoji);
  const prev = i < 0 ? undefined : reactions[i];
  const next: Reaction = { emoji, count, me: me ?? prev?.me ?? false };
  if (i < 0) return [...reactions, next];
  return reactions.map((r, k) => (k === i ? next : r));
}

/** `incoming` (an event's or an edit's copy) with the `me` of the copy we hold. */
export function keepMine(held: Message | undefined, incoming: Message): Message {
  if (!held || incoming.reactions.every((r) => r.me !== undefined)) return incoming;
  const mine = new Map(held.reactions.map((r) => [r.emoji, r.me ?? false]));
  return { ...incoming, reactions: incoming.reactions.map((r) => (r.me === undefined ? { ...r, me: mine.get(r.emoji) ?? false } : r)) };
}

/** Changes one held message in place; nothing when the room or message isn't held. */
export function patchMessage(roomId: Id, id: Id, fn: (m: Message) => Message): void {
  useChatStore.setState((s) => {
    const room = s.rooms[roomId];
    if (!room) return {};
    let changed = false;
    const messages = room.messages.map((m) => {
      if (m.id !== id) return m;
      const next = fn(m);
      if (next !== m) changed = true;
      return next;
    });
    return changed ? { rooms: { ...s.rooms, [roomId]: { ...room, messages } } } : {};
  });
}

export function heldMessage(roomId: Id, id: Id): Message | undefined {
  return useChatStore.getState().rooms[roomId]?.messages.find((m) => m.id === id);
}

/** reaction.added / reaction.removed, or the answer to our own PUT/DELETE. */
export function applyReaction(change: ReactionChange & { me?: boolean }, added: boolean, selfId: Id | null): void {
  const me = change.me ?? (change.user_id === selfId ? added : undefined);
  patchMessage(change.room_id, change.message_id, (m) => ({ ...m, reactions: setReaction(m.reactions, change.emoji, change.count, me) }));
}

/** message.pinned / message.unpinned, or the answer to our own pin. */
export function applyPin(message: Message): void {
  patchMessage(message.room_id, message.id, (m) =>
    m.pinned_at === message.pinned_at && m.pinned_by === message.pinned_by ? m : { ...m, pinned_at: message.pinned_at, pinned_by: message.pinned_by },
  );
}
