// Sending a message: optimistic pending entry, POST with a nonce, and a
// retry that reuses the same nonce so the server never stores it twice.

import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { errorMessage } from '@/shared/api/client';
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
    const m = await post(roomId, body);
    useChatStore.getState().receive(m, 'send');
    // In case the room list was detached (search window), settle the send anyway.
    useChatStore.getState().dropPending(roomId, nonce);
    const groupId = useUnreadStore.getState().rooms[roomId]?.groupId;
    if (groupId !== undefined) useUnreadStore.getState().onMessage(groupId, roomId, m.id, { mine: true, viewing: true });
    return m;
  } catch (e) {
    useChatStore.getState().setPendingStatus(roomId, nonce, 'failed', errorMessage(e));
    return null;
  }
}

export function sendMessage(roomId: Id, text: string, replyTo: Message | null, post: Post = postMessage): Promise<Message | null> {
  const nonce = newNonce();
  useChatStore.getState().addPending({
    nonce,
    room_id: roomId,
    text,
    reply_to: replyTo ? { id: replyTo.id, sender_id: senderOf(replyTo).id, text: replyTo.text } : null,
    created_at: new Date().toISOString(),
    status: 'pending',
  });
  return attempt(roomId, nonce, post);
}

export function retrySend(roomId: Id, nonce: string, post: Post = postMessage): Promise<Message | null> {
  return attempt(roomId, nonce, post);
}
