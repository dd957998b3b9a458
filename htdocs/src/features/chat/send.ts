// Sending a message: optimistic pending entry, POST with a nonce, and a
// retry that reuses the same nonce so the server never stores it twice.

import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { errorMessage, isApiError } from '@/shared/api/client';
import { newNonce } from '@/shared/ui/format';
import { postMessage } from './api';
import { useChatStore } from './store';
import { useUnreadStore } from '@/shared/stores/unreadStore';

type Post = typeof postMessage;

async function attempt(roomId: Id, nonce: string, post: Post): Promise<Message | null> {
  const p = useChatStore.getState().rooms[roomId]?.pending.find((x) => x.nonce === nonce);
  if (!p) return null;
  useChatStore.getState().setPendingStatus(roomId, nonce, 'pending');
  try {
    const body = p.reply_to ? { text: p.text, reply_to: p.reply_to.id, nonce } : { text: p.text, nonce };
    const m = await post(roomId, withAttachments(body, p.attachment_ids));
    useChatStore.getState().receive(m, 'send');
    // In case the room list was detached (search window), settle the send anyway.
    useChatStore.getState().dropPending(roomId, nonce);
    const groupId = useUnreadStore.getState().rooms[roomId]?.groupId;
    if (groupId !== undefined) useUnreadStore.getState().onMessage(groupId, roomId, m.id, { mine: true, viewing: true });
    return m;
  } catch (e) {
    useChatStore.getState().setPendingStatus(roomId, nonce, 'failed', errorMessage(e), isRetryable(e));
    return null;
  }
}

/** A failure that may pass when tried again: no answer at all (offline,
 * server unreachable), a 5xx, a timeout or a rate limit. A refusal (4xx)
 * would be refused again. */
export function isRetryable(e: unknown): boolean {
  if (!isApiError(e)) return true;
  return e.status >= 500 || e.status === 408 || e.status === 429 || e.status === 0;
}

/**
 * After a reconnect (or the browser coming back online): every send that
 * failed for want of a connection is tried again, with its own nonce, so
 * the server stores each message once whatever reached it before.
 */
export async function resendFailed(post: Post = postMessage): Promise<void> {
  const rooms = useChatStore.getState().rooms;
  const due: [Id, string][] = [];
  for (const room of Object.values(rooms)) {
    for (const p of room.pending) if (p.status === 'failed' && p.retryable) due.push([p.room_id, p.nonce]);
  }
  // In order, so they keep the order they were typed in.
  for (const [roomId, nonce] of due) await attempt(roomId, nonce, post);
}

/** Files alone make a message too (the text may then be empty). */
function withAttachments<B extends { text: string }>(body: B, ids: Id[] | undefined): B | (B & { attachment_ids: Id[] }) {
  return ids?.length ? { ...body, attachment_ids: ids } : body;
}

export function sendMessage(
  roomId: Id,
  text: string,
  replyTo: Message | null,
  post: Post = postMessage,
  attachmentIds?: Id[],
): Promise<Message | null> {
  const nonce = newNonce();
  useChatStore.getState().addPending({
    attachment_ids: attachmentIds,
    nonce,
    room_id: roomId,
    text,
    reply_to: replyTo ? { id: replyTo.id, sender_id: senderOf(replyTo).id, text: replyTo.text, deleted: false } : null,
    created_at: new Date().toISOString(),
    status: 'pending',
  });
  return attempt(roomId, nonce, post);
}

export function retrySend(roomId: Id, nonce: string, post: Post = postMessage): Promise<Message | null> {
  return attempt(roomId, nonce, post);
}
